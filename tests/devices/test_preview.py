"""The receipt preview draws text on the printer's column grid, so columns can be checked."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from devices import fonts
from devices.preview import DEFAULT_LINE_SPACING, MARGIN, render, render_png
from pos_app.textwidth import pad

pytestmark = pytest.mark.skipif(
    fonts.find_cjk_font() is None, reason="no CJK font: apt-get install fonts-noto-cjk"
)
DARK = 128


def receipt() -> bytes:
    p = Dummy()
    with contextlib.redirect_stdout(io.StringIO()):
        p.set(align="center", bold=True)
        p.text("测试门店 Test Store\n")
        p.set_with_default()
        p.text(pad("可口可乐 Coke 330ml", 40) + pad("￥6.00", 8, right=True) + "\n")
        p.text(pad("Total 合计", 40) + pad("12.50", 8, right=True) + "\n")
        p.qr("https://example.com/m/M0001", native=True, size=5)
        p.barcode("{BS01000001", "CODE128", function_type="B")
        logo = Image.new("1", (64, 32), 1)
        ImageDraw.Draw(logo).ellipse((0, 0, 63, 31), outline=0, width=3)
        p.image(logo)
        p.cashdraw(2)
        p.cut()
    return p.output


def rightmost_ink(img: Image.Image, line: int) -> int:
    """x of the rightmost dark dot in text line ``line`` (lines of a plain receipt)."""
    top = MARGIN + line * DEFAULT_LINE_SPACING
    band = img.crop((0, top, img.width, top + 24)).point(lambda v: 255 if v < DARK else 0)
    box = band.getbbox()
    assert box is not None, f"line {line} is blank"
    return box[2]


def test_renders_a_whole_receipt_to_png(tmp_path: Path) -> None:
    path = render_png(receipt(), tmp_path / "out" / "receipt.png")
    img = Image.open(path)
    assert img.format == "PNG"
    assert img.width == 576 + 2 * MARGIN
    assert img.height > 400
    dark = sum(1 for v in img.convert("L").tobytes() if v < DARK)
    assert 0.02 < dark / (img.width * img.height) < 0.5  # neither blank nor all black


@pytest.mark.parametrize(("width", "cols"), [(576, 48), (384, 32)])
def test_ascii_and_cjk_columns_end_at_the_same_dot(width: int, cols: int) -> None:
    lines = [
        "A" * cols,
        "中" * (cols // 2),
        pad("可口可乐 Coke", cols - 8) + pad("6.00", 8, right=True),
        "A" * (cols - 1),
    ]
    img = render("\n".join(lines).encode("gb18030") + b"\n", width_dots=width)
    assert img.width == width + 2 * MARGIN
    ends = [rightmost_ink(img, i) for i in range(len(lines))]
    paper_end = MARGIN + width
    assert all(paper_end - 3 <= end <= paper_end for end in ends[:3]), ends
    assert ends[3] <= paper_end - 12 + 1  # one column short shows


def test_cjk_glyphs_are_real_not_tofu() -> None:
    a = render("中\n".encode("gb18030")).tobytes()
    b = render("国\n".encode("gb18030")).tobytes()
    blank = render(b"\n").tobytes()
    assert a != b and a != blank


def test_bold_is_darker_and_double_width_is_twice_as_wide() -> None:
    def ink(img: Image.Image) -> int:
        return sum(1 for v in img.tobytes() if v < DARK)

    plain = render("合计 Total\n".encode("gb18030"))
    bold = render(b"\x1bE\x01" + "合计 Total\n".encode("gb18030"))
    assert ink(bold) > ink(plain) * 1.2
    wide = render(b"\x1d!\x10" + "合计 Total\n".encode("gb18030"))
    assert rightmost_ink(wide, 0) - MARGIN == pytest.approx(
        2 * (rightmost_ink(plain, 0) - MARGIN), abs=3
    )


def test_alignment_and_wrapping() -> None:
    right = render(b"\x1ba\x02" + "右 R\n".encode("gb18030"))
    assert rightmost_ink(right, 0) >= MARGIN + 576 - 3
    one_line = render(b"x" * 48 + b"\n")
    wrapped = render(b"x" * 49 + b"\n")
    assert wrapped.height == one_line.height + DEFAULT_LINE_SPACING


def test_missing_font_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    try:
        with pytest.raises(RuntimeError, match=r"fonts-noto-cjk.*fonts-wqy-microhei"):
            fonts.cjk_font(24)
    finally:
        fonts.cjk_font.cache_clear()


def test_prefers_the_monospaced_simplified_chinese_face() -> None:
    found = fonts.find_cjk_font()
    assert found is not None
    if found.path.suffix == ".ttc" and "Noto" in found.name:
        assert found.name == "Noto Sans Mono CJK SC"
        font = fonts.cjk_font(24)
        assert font.getlength("中") == 2 * font.getlength("A") == 24
