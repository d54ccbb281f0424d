"""The ESC/POS reader understands what python-escpos sends, and refuses what it does not know."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage
from PIL import ImageDraw

from devices.escpos_reader import (
    QR,
    Barcode,
    Cut,
    DrawerKick,
    EscposParseError,
    Feed,
    Image,
    StatusQuery,
    Text,
    parse,
    receipt_text,
)

FS_ON, FS_OFF = b"\x1c&", b"\x1c."


def dummy(build: Callable[[Dummy], object]) -> bytes:
    """The bytes python-escpos sends for ``build(printer)`` (its chatter on stdout muted)."""
    printer = Dummy()
    with contextlib.redirect_stdout(io.StringIO()):
        build(printer)
    return printer.output


def picture() -> PILImage.Image:
    img = PILImage.new("1", (21, 30), 1)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 20, 29), outline=0)
    draw.line((0, 0, 20, 29), fill=0)
    return img


def test_styled_text_from_python_escpos() -> None:
    data = dummy(
        lambda p: (
            p.set(align="center", bold=True, double_height=True, double_width=True),
            p.text("Store 测试门店\n"),
            p.set_with_default(),
            p.text("plain"),
        )
    )
    assert parse(data) == [
        # set() sizes with ESC !, which on a Chinese printer leaves Chinese characters alone
        Text("Store 测试门店", "center", True, 2, 2, wide_width_mult=1, wide_height_mult=1),
        Text("plain"),  # no LF at the end: flushed all the same
    ]


@pytest.mark.parametrize(("width", "height"), [(1, 1), (2, 1), (1, 2), (3, 2), (8, 8)])
def test_gs_size_applies_to_every_character(width: int, height: int) -> None:
    data = dummy(
        lambda p: (p.set(custom_size=True, width=width, height=height), p.text("合计 12\n"))
    )
    assert parse(data) == [Text("合计 12", width_mult=width, height_mult=height)]


def test_chinese_print_mode_sizes_only_wide_characters() -> None:
    ops = parse(b"\x1c!\x0c" + "大 big".encode("gb18030") + b"\nabc\n")
    assert ops == [Text("大 big", wide_width_mult=2, wide_height_mult=2), Text("abc")]
    assert ops[0].size_of("大") == (2, 2) and ops[0].size_of("b") == (1, 1)


def test_underline_bold_and_reset() -> None:
    data = dummy(
        lambda p: (
            p.set(underline=1, bold=True, align="right"),
            p.text("a\n"),
            p.hw("INIT"),
            p.text("b\n\n"),
        )
    )
    assert parse(data) == [
        Text("a", "right", bold=True, underline=True),
        Text("b"),
        Text(""),  # a bare LF prints an empty line
    ]


def test_native_qr() -> None:
    assert parse(dummy(lambda p: p.qr("x", native=True))) == [QR("x", 3, "L")]
    data = dummy(lambda p: p.qr("会员 M0001", native=True, size=8, ec=3))
    assert parse(data) == [QR("会员 M0001", 8, "H")]


def test_qr_as_image() -> None:
    ops = parse(dummy(lambda p: p.qr("x", native=False)))
    assert [type(op) for op in ops] == [Text, Image, Text, Text]
    assert ops[1].height > 20 and ops[1].width >= ops[1].height


def test_code128_barcode_drops_the_code_set_prefix() -> None:
    data = dummy(lambda p: p.barcode("{BS01000001", "CODE128", function_type="B"))
    assert data.endswith(b"\x1dkI\x0b{BS01000001")
    assert parse(data) == [Barcode("CODE128", "S01000001", 64, 3, "below", 0, "center")]


def test_code128_set_c_bytes_are_digit_pairs() -> None:
    right = dummy(lambda p: p.barcode("{C\x0c\x22\x38", "CODE128", function_type="B"))
    assert parse(right)[0].data == "123456"
    # python-escpos sends the text as is: ASCII "1" is value 49, so a printer prints 4950...
    wrong = dummy(lambda p: p.barcode("{C1234", "CODE128", function_type="B"))
    assert parse(wrong)[0].data == "49505152"
    assert parse(b"\x1dkI\x08{A12{B3x")[0].data == "123x"


@pytest.mark.parametrize(
    ("kind", "code", "function_type"),
    [("EAN13", "4006381333931", "A"), ("EAN13", "400638133393", "B"), ("CODE39", "ABC-1", "A")],
)
def test_other_barcodes_both_forms(kind: str, code: str, function_type: str) -> None:
    data = dummy(lambda p: p.barcode(code, kind, function_type=function_type, align_ct=False))
    [op] = parse(data)
    assert (op.kind, op.data, op.align) == (kind, code, "left")


@pytest.mark.parametrize("impl", ["bitImageRaster", "graphics", "bitImageColumn"])
def test_images_in_every_python_escpos_format(impl: str) -> None:
    img = picture()
    ops = parse(dummy(lambda p: p.image(img, impl=impl)))
    assert ops and all(isinstance(op, Image) for op in ops)
    # stack the bands (column format comes in 24-dot bands) and compare dot for dot
    sheet = PILImage.new("1", (ops[0].width, sum(op.height for op in ops)), 1)
    y = 0
    for op in ops:
        sheet.paste(op.to_pil(), (0, y))
        y += op.height
    expected = PILImage.new("1", sheet.size, 1)  # padding (to whole bytes, bands) is white
    expected.paste(img, (0, 0))
    assert sheet.tobytes() == expected.tobytes()


def test_raster_image_bytes() -> None:
    img = PILImage.new("1", (16, 2), 1)
    img.putpixel((0, 0), 0)
    img.putpixel((15, 1), 0)
    data = dummy(lambda p: p.image(img))
    assert data == b"\x1dv0\x00\x02\x00\x02\x00\x80\x00\x00\x01"
    [op] = parse(data)
    assert (op.width, op.height, op.black(0, 0), op.black(15, 1), op.black(1, 0)) == (
        16,
        2,
        True,
        True,
        False,
    )


def test_cash_drawer_cut_and_status() -> None:
    assert dummy(lambda p: p.cashdraw(2)) == b"\x1bp\x0022"
    assert parse(dummy(lambda p: p.cashdraw(2))) == [DrawerKick(2, 100, 100)]
    assert parse(dummy(lambda p: p.cashdraw(5))) == [DrawerKick(5, 100, 100)]
    assert parse(dummy(lambda p: p.cut())) == [Feed(6), Cut(partial=False)]
    assert parse(dummy(lambda p: p.cut(mode="PART"))) == [Feed(6), Cut(partial=True)]
    # cut(feed=False) sends GS V 66 0: a *partial* cut
    assert parse(dummy(lambda p: p.cut(feed=False))) == [Cut(partial=True, feed=0)]
    assert parse(b"\x10\x04\x04\x10\x04\x01") == [StatusQuery(4), StatusQuery(1)]


def test_other_python_escpos_commands_parse() -> None:
    data = dummy(
        lambda p: (
            p.line_spacing(40),
            p.text("spaced\n"),
            p.line_spacing(),
            p.buzzer(),
            p.panel_buttons(False),
            p.control("HT"),
            p.set(font="b", invert=True, flip=False, smooth=True, density=3),
            p.text("a\tb\n"),
            p.ln(1),
        )
    )
    assert parse(data) == [
        Text("spaced", line_spacing=40),
        Text("a       b", font=1),  # tab stops every 8 columns
        Text("", font=1),
    ]


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        ("gb18030", "会员积分：1,234 分 ￥"),
        ("gbk", "会员积分：1,234 分"),
        ("big5", "會員積分：1,234 分"),
    ],
)
def test_chinese_round_trips_in_chinese_mode(codec: str, text: str) -> None:
    data = b"\x1b@" + FS_ON + text.encode(codec) + FS_OFF + b"\n"
    assert parse(data, codec=codec) == [Text(text)]


def test_mixed_chinese_and_english_line() -> None:
    line = "可口可乐 Coke 330ml   x2   ￥6.00"
    data = dummy(lambda p: p.text(line + "\n"))
    assert data.startswith("可口可乐".encode("gb18030"))  # python-escpos: GB18030, no FS &
    ops = parse(data)
    assert receipt_text(ops) == line


def test_code_page_decides_only_after_chinese_mode_off() -> None:
    assert parse(b"\x1bt\x00\xd6\xd0\n") == [Text("中")]
    assert parse(FS_OFF + b"\x1bt\x00caf\x82\n") == [Text("café")]


def test_receipt_text() -> None:
    ops = parse(b"one\n\x1bd\x02two\n\x1dV\x00")
    assert receipt_text(ops) == "one\ntwo"


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"ok\n\x1b\xff", 3),  # unknown ESC command
        (b"\x1d\x99\x00", 0),  # unknown GS command
        (b"ab\x1c\x7a", 2),  # unknown FS command
        (b"\x01", 0),  # stray control byte
        (b"\x1dv0\x00\x02\x00\x02\x00\x80", 0),  # truncated raster image
        (b"\x1b", 0),  # truncated ESC
        (b"\x1dkI\x05{Bab", 0),  # barcode shorter than its length byte
        (b"\x1dkI\x02ab", 0),  # Code128 without a code set
        (b"\x1d(k\x03\x001Q0", 0),  # QR print with nothing stored
        (b"\x1ba\x07", 0),  # invalid alignment
    ],
)
def test_wrong_bytes_raise_with_their_offset(data: bytes, offset: int) -> None:
    with pytest.raises(EscposParseError) as info:
        parse(data)
    assert info.value.offset == offset
    assert f"byte offset {offset}" in str(info.value)
    assert data[offset : offset + 1].hex() in str(info.value)


COMMANDISH = st.lists(
    st.sampled_from(
        [b"\x1b", b"\x1d", b"\x1c", b"\x10\x04", b"\n", b"(k", b"(L", b"v0", b"kI", b"\x00"]
    )
    | st.binary(max_size=6),
    max_size=30,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | COMMANDISH)
def test_any_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    try:
        ops = parse(data)
    except EscposParseError:
        return
    assert isinstance(ops, list)
