"""ESC/POS bytes for a receipt, read back with the interpreter: what the printer would print."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from devices.columns import text_width
from devices.config import PrinterConfig
from devices.document import Barcode, Document, Feed, QRCode, Rule, TextLine
from devices.escpos_encode import drawer_kick, encode_document
from devices.escpos_reader import QR, Cut, DrawerKick, Image, Text, parse, receipt_text
from devices.escpos_reader import Barcode as BarcodeOp
from devices.receipt_layout import Layout, layout_receipt
from pos_app.services.receipts import (
    GiftBlock,
    MemberBlock,
    ReceiptData,
    ReceiptLine,
    ReceiptPayment,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
FS_ON, FS_OFF = b"\x1c&", b"\x1c."
GS_BIG, GS_NORMAL = b"\x1d!\x11", b"\x1d!\x00"
URL = "tcp://192.168.1.50:9100"


def printer(**settings: object) -> PrinterConfig:
    return PrinterConfig.model_validate({"url": URL, **settings})


def layout_for(cfg: PrinterConfig) -> Layout:
    return Layout(cfg.columns, cfg.language, cfg.wide, cfg.header, cfg.footer)


def sale(store: str = "测试门店", item: str = "洗衣液 3kg 装") -> ReceiptData:
    return ReceiptData(
        kind="sale",
        number="S01-D1-000042",
        store_name=store,
        store_code="S01",
        device_code="D1",
        cashier="收银员 (1)",
        at=dt.datetime(2026, 3, 2, 10, 5, tzinfo=SHANGHAI),
        lines=(ReceiptLine(item, 3, 3333, 9999), ReceiptLine("Cola 330ml", 2, 350, 700)),
        subtotal_fen=10699,
        offset_fen=1000,
        total_fen=9699,
        payments=(ReceiptPayment("cash", 9699, 10000, 301),),
        member=MemberBlock(
            masked_name="张*",
            masked_phone="138****5678",
            tier_name="普通会员",
            tier_name_en="Member",
            earned=96,
            offset_points=1000,
            offset_fen=1000,
            reversed_points=0,
            restored_points=0,
            balance=1146,
            expiring_points=0,
            expiring_on=None,
        ),
    )


def gift_receipt(code: str = "AAAA2222BBBB") -> ReceiptData:
    base = sale()
    return ReceiptData(
        kind="gift",
        number="G-S01-D1-000007",
        store_name=base.store_name,
        store_code="S01",
        device_code="D1",
        cashier=base.cashier,
        at=base.at,
        member=base.member,
        gifts=(
            GiftBlock(
                name="视频会员月卡",
                name_en="Video membership, 1 month",
                points=1200,
                cash_fen=0,
                issued_code=code,
                valid_until=dt.date(2026, 5, 31),
                coupon_value_fen=None,
                coupon_min_spend_fen=None,
                cancelled=False,
            ),
        ),
    )


def printed(data: ReceiptData, cfg: PrinterConfig, **kwargs: object) -> tuple[bytes, list[object]]:
    raw = encode_document(layout_receipt(data, layout_for(cfg), **kwargs), cfg)  # type: ignore[arg-type]
    codec = "gb18030" if cfg.codec == "none" else cfg.codec
    return raw, parse(raw, codec=codec)  # type: ignore[return-value]


def text_ops(ops: list[object]) -> list[Text]:
    return [op for op in ops if isinstance(op, Text)]


def printed_width(op: Text, *, wide: bool = True) -> int:
    """Columns a printed line takes, size multipliers included, by the printer's rule."""
    return sum(text_width(ch, wide=wide) * op.size_of(ch)[0] for ch in op.text)


# Text in Chinese and English ----------------------------------------------------------------
@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
@pytest.mark.parametrize("paper_mm", [58, 80])
def test_chinese_receipt_reads_back(codec: str, paper_mm: int) -> None:
    cfg = printer(codec=codec, paper_mm=paper_mm, language="zh_CN")
    _raw, ops = printed(sale(), cfg)
    text = receipt_text(ops)  # type: ignore[arg-type]
    for expected in ("测试门店", "销售小票", "洗衣液 3kg 装", "小计", "合计", "找零", "张*"):
        assert expected in text
    assert "谢谢惠顾，欢迎再次光临" in text  # the default footer
    lines = text_ops(ops)
    assert any(op.text.endswith("￥3.01") and op.text.startswith("找零") for op in lines)
    for op in lines:
        assert printed_width(op) <= cfg.columns, op.text
    assert "?" not in text  # nothing the codec lacks


def test_big5_printer_prints_traditional_chinese() -> None:
    cfg = printer(codec="big5", language="zh_CN")
    _raw, ops = printed(sale(store="臺北門市", item="進口咖啡豆 500克"), cfg)
    text = receipt_text(ops)  # type: ignore[arg-type]
    assert "臺北門市" in text and "進口咖啡豆 500克" in text
    for op in text_ops(ops):
        assert printed_width(op) <= cfg.columns, op.text


def test_english_receipt_reads_back() -> None:
    cfg = printer(language="en", footer=("Thank you",))
    _raw, ops = printed(sale(store="Test Store", item="Detergent 3kg"), cfg)
    text = receipt_text(ops)  # type: ignore[arg-type]
    for expected in ("Test Store", "SALES RECEIPT", "Detergent 3kg", "Subtotal", "Change"):
        assert expected in text
    assert text.splitlines().count("Thank you") == 1
    assert any(op.text.startswith("Points used:") for op in text_ops(ops))


# Chinese mode and codecs ---------------------------------------------------------------------
def test_chinese_mode_wraps_exactly_the_lines_with_chinese() -> None:
    cfg = printer(chinese_mode=True)
    doc = Document((TextLine("测试门店"), TextLine("Receipt 42"), TextLine("合计 ￥1.00")))
    raw = encode_document(doc, cfg)
    assert FS_ON + "测试门店".encode("gb18030") + FS_OFF + b"\n" in raw
    assert FS_ON + "合计 ￥1.00".encode("gb18030") + FS_OFF + b"\n" in raw
    assert GS_NORMAL + b"Receipt 42\n" in raw  # ASCII: no FS & before it
    assert raw.count(FS_ON) == raw.count(FS_OFF) == 2
    assert receipt_text(parse(raw)) == "测试门店\nReceipt 42\n合计 ￥1.00"  # type: ignore[arg-type]


def test_without_chinese_mode_no_fs_commands() -> None:
    cfg = printer(chinese_mode=False)
    raw, ops = printed(sale(), cfg)
    assert FS_ON not in raw and FS_OFF not in raw
    assert "测试门店" in receipt_text(ops)  # type: ignore[arg-type]
    assert "测试门店".encode("gb18030") in raw


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_codec_none_sends_pure_ascii(language: str) -> None:
    cfg = printer(codec="none", language=language)
    raw, ops = printed(sale(item="洗衣液 e\u0301\u00e9 ½ 3kg"), cfg)
    assert max(raw) < 0x80  # no byte of the whole job is >= 0x80
    assert FS_ON not in raw
    lines = text_ops(ops)
    assert any(op.text.endswith("RMB 3.01") for op in lines)
    for op in lines:
        assert op.text.isascii()
        assert printed_width(op, wide=False) <= cfg.columns, op.text


def test_combining_marks_do_not_overflow_an_ascii_printer() -> None:
    """With no double-byte codec every non-ASCII character prints as one '?'."""
    cfg = printer(codec="none", language="en", paper_mm=58)
    _raw, ops = printed(sale(item="Cafe\u0301 " + "e\u0301" * 20), cfg)
    for op in text_ops(ops):
        assert printed_width(op, wide=False) <= cfg.columns, op.text


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_yen_sign_becomes_full_width(codec: str) -> None:
    cfg = printer(codec=codec)
    raw = encode_document(Document((TextLine("¥12.00"), TextLine("￥3.00"))), cfg)
    assert receipt_text(parse(raw, codec=codec)) == "￥12.00\n￥3.00"  # type: ignore[arg-type]
    assert raw.count("￥".encode(codec)) == 2


def test_big5_prints_a_currency_sign() -> None:
    cfg = printer(codec="big5")
    raw = encode_document(Document((TextLine("¥12.00"), TextLine("￥3.00"))), cfg)
    text = receipt_text(parse(raw, codec="big5"))  # type: ignore[arg-type]
    assert "?" not in text
    assert raw.count(b"\xa2\x44") == 2  # Big5's full-width yen sign


def test_characters_the_codec_lacks_keep_their_columns() -> None:
    """Printed as '??': the two columns the layout counted, so figures stay flush right."""
    cfg = printer(codec="big5")
    line = "会员:" + " " * 20 + "￥9.00"  # 会 and ￥ are not in Big5
    raw = encode_document(Document((TextLine(line),)), cfg)
    (op,) = text_ops(parse(raw, codec="big5"))  # type: ignore[arg-type]
    assert printed_width(op) == text_width(line)


# Sizes, raster, drawer, cut, barcode, QR -----------------------------------------------------
def test_big_total_uses_gs_exclamation_0x11() -> None:
    cfg = printer(language="en")
    raw, ops = printed(sale(), cfg)
    (total,) = [op for op in text_ops(ops) if op.text.startswith("TOTAL")]
    assert total.text.endswith("￥96.99")
    # GS ! enlarges Chinese glyphs too: no separate size for wide characters
    assert (total.width_mult, total.height_mult, total.bold) == (2, 2, True)
    assert total.wide_width_mult is None and total.wide_height_mult is None
    assert GS_BIG + FS_ON + total.text.encode("gb18030") + FS_OFF in raw
    assert b"\x1b!" not in raw  # never ESC ! (which leaves Chinese small)
    big = [op for op in text_ops(ops) if op.width_mult == 2]
    assert {op.text for op in big} == {"测试门店", total.text}


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_raster_mode_prints_images_not_chinese_text(paper_mm: int, language: str) -> None:
    cfg = printer(raster=True, codec="none", paper_mm=paper_mm, language=language)
    raw, ops = printed(sale(), cfg)
    images = [op for op in ops if isinstance(op, Image)]
    assert images
    assert {img.width for img in images} == {cfg.width_dots}
    assert all(img.height > 0 for img in images)
    assert not any(op.text.strip() for op in text_ops(ops))
    for chinese in ("测试门店", "合计", "收银员"):
        assert chinese.encode("gb18030") not in raw
    assert FS_ON not in raw
    assert any(images[0].pixels)  # the images carry ink
    assert isinstance(ops[-1], Cut)


@pytest.mark.parametrize("pin", [2, 5])
def test_drawer_kick_pin(pin: int) -> None:
    ops = parse(drawer_kick(printer(drawer_pin=pin)))
    assert len(ops) == 1 and isinstance(ops[0], DrawerKick)
    assert ops[0].pin == pin and ops[0].on_ms > 0


def test_document_ends_with_a_cut_unless_told_not_to() -> None:
    cfg = printer()
    ops = parse(encode_document(Document((TextLine("x"), Feed(2))), cfg))
    assert isinstance(ops[-1], Cut)
    assert sum(isinstance(op, Cut) for op in ops) == 1
    no_cut = parse(encode_document(Document((TextLine("x"),), cut=False), cfg))
    assert not any(isinstance(op, Cut) for op in no_cut)
    assert receipt_text(no_cut) == "x"  # type: ignore[arg-type]


@pytest.mark.parametrize("raster", [False, True])
def test_sale_barcode_decodes_to_the_receipt_number(raster: bool) -> None:
    cfg = printer(raster=raster)
    _raw, ops = printed(sale(), cfg)
    barcodes = [op for op in ops if isinstance(op, BarcodeOp)]
    assert [(b.kind, b.data) for b in barcodes] == [("CODE128", "S01-D1-000042")]
    assert barcodes[0].hri == "below"


@pytest.mark.parametrize("raster", [False, True])
def test_gift_qr_carries_the_code(raster: bool) -> None:
    cfg = printer(raster=raster)
    _raw, ops = printed(gift_receipt("AAAA2222BBBB"), cfg)
    assert [op.data for op in ops if isinstance(op, QR)] == ["AAAA2222BBBB"]
    assert not any(isinstance(op, BarcodeOp) for op in ops)


def test_rule_spans_the_paper() -> None:
    for paper_mm, columns in ((58, 32), (80, 48)):
        cfg = printer(paper_mm=paper_mm)
        ops = parse(encode_document(Document((Rule("="), Barcode("X1"), QRCode("Q"))), cfg))
        assert text_ops(ops)[0].text == "=" * columns


def test_tm_t88v_profile_at_80_mm() -> None:
    cfg = printer(profile="TM-T88V", paper_mm=80, language="en")
    assert (cfg.columns, cfg.width_dots) == (42, 512)
    raw, ops = printed(sale(), cfg)
    lines = text_ops(ops)
    rules = [op for op in lines if set(op.text) == {"-"}]
    assert rules and {len(op.text) for op in rules} == {42}
    for op in lines:
        assert printed_width(op) <= 42, op.text
    raster = printer(profile="TM-T88V", raster=True)
    images = [op for op in printed(sale(), raster)[1] if isinstance(op, Image)]
    assert images and {img.width for img in images} == {512}
    assert raw


def test_tm_t88v_on_58_mm_paper_uses_the_common_58_mm_figures() -> None:
    cfg = printer(profile="TM-T88V", paper_mm=58)
    assert (cfg.columns, cfg.width_dots) == (32, 384)


def test_reprint_reads_back_with_its_mark() -> None:
    cfg = printer(language="en")
    _raw, ops = printed(sale(), cfg, reprint=True, now=dt.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI))
    text = receipt_text(ops)  # type: ignore[arg-type]
    assert "*** REPRINT ***" in text
    assert any(
        line.startswith("Printed:") and line.endswith("2026-03-05 09:00")
        for line in text.splitlines()
    )


def test_control_characters_in_names_never_reach_the_printer() -> None:
    """An item name holding ESC p (drawer kick) or GS V (cut) prints, it does not act."""
    cfg = printer(language="en")
    item = "Gum\x1bp\x00\x19\x19 mint\x1dV\x00 x\x07"
    _raw, ops = printed(sale(item=item), cfg)
    assert not any(isinstance(op, DrawerKick) for op in ops)
    assert sum(isinstance(op, Cut) for op in ops) == 1 and isinstance(ops[-1], Cut)
    assert any(op.text.startswith("Gum?p") for op in text_ops(ops))
