"""Receipt layout: every line fits the paper as the printer counts columns, in both languages."""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.columns import cell_width, text_width
from devices.document import Barcode, Document, Feed, QRCode, Rule, TextLine
from devices.receipt_labels import LABELS, LANGUAGES, labels
from devices.receipt_layout import Layout, layout_receipt, layout_summary
from pos_app.money import format_fen
from pos_app.services.receipts import (
    GiftBlock,
    MemberBlock,
    ReceiptData,
    ReceiptLine,
    ReceiptPayment,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 3, 2, 10, 5, 9, tzinfo=SHANGHAI)
LONG_ZH = "超长的商品名称进口有机冷榨特级初榨橄榄油礼盒装"
LONG_EN = "Extra virgin cold pressed organic olive oil gift box, imported"

LAYOUTS = [
    pytest.param(Layout(cols, lang, wide), id=f"{lang}-{cols}-{'wide' if wide else 'narrow'}")
    for lang in LANGUAGES
    for cols in (32, 48)
    for wide in (True, False)
]


def member(**changes: object) -> MemberBlock:
    block = MemberBlock(
        masked_name="张*",
        masked_phone="138****5678",
        tier_name="银卡会员",
        tier_name_en="Silver",
        earned=680,
        offset_points=3000,
        offset_fen=3000,
        reversed_points=0,
        restored_points=0,
        balance=12680,
        expiring_points=350,
        expiring_on=dt.date(2027, 12, 31),
    )
    return replace(block, **changes)  # type: ignore[arg-type]


def sale(**changes: object) -> ReceiptData:
    data = ReceiptData(
        kind="sale",
        number="S01-D1-000042",
        store_name="测试门店",
        store_code="S01",
        device_code="D1",
        cashier="收银员 (1)",
        at=AT,
        lines=(
            ReceiptLine("洗衣液 3kg 装", 3, 3333, 9999),
            ReceiptLine(LONG_ZH, 1, 12800, 12800),
            ReceiptLine(LONG_EN, 2, 9900, 19800),
            ReceiptLine("electronics", 9999, 123456, 1_234_436_544),
        ),
        subtotal_fen=1_234_479_143,
        coupon_code="ABCD2345EFGH",
        coupon_fen=3000,
        offset_fen=3000,
        total_fen=1_234_473_143,
        payments=(ReceiptPayment("cash", 1_234_473_143, 1_234_474_000, 857),),
        member=member(),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def gift(code: str | None = "4GF2D59M7PJ3", **changes: object) -> GiftBlock:
    block = GiftBlock(
        name="满100减30优惠券",
        name_en="30 off 100 coupon",
        points=1500,
        cash_fen=200,
        issued_code=code,
        valid_until=dt.date(2026, 4, 1),
        coupon_value_fen=3000,
        coupon_min_spend_fen=10000,
        cancelled=False,
    )
    return replace(block, **changes)  # type: ignore[arg-type]


def gift_data(*gifts: GiftBlock) -> ReceiptData:
    return ReceiptData(
        kind="gift",
        number="G-S01-D1-000007",
        store_name="测试门店",
        store_code="S01",
        device_code="D1",
        cashier="收银员 (1)",
        at=AT,
        payments=(ReceiptPayment("cash", 200, 200, 0),),
        total_fen=200,
        member=member(earned=0, offset_points=0, offset_fen=0),
        gifts=gifts,
    )


def return_data() -> ReceiptData:
    return ReceiptData(
        kind="return",
        number="R-S01-D1-000003",
        store_name="测试门店",
        store_code="S01",
        device_code="D1",
        cashier="收银员 (1)",
        at=AT,
        lines=(ReceiptLine(LONG_ZH, 3, 1001, 3003),),
        original_number="S01-D1-000042",
        refund_fen=3003,
        cash_for_points_fen=150,
        member=member(earned=0, offset_points=0, offset_fen=0, reversed_points=90),
    )


def balance_data() -> ReceiptData:
    return ReceiptData(
        kind="balance",
        number="",
        store_name="测试门店",
        store_code="S01",
        device_code="D1",
        cashier="",
        at=AT,
        member=member(earned=0, offset_points=0, offset_fen=0),
    )


def text_lines(doc: Document) -> list[TextLine]:
    return [b for b in doc.blocks if isinstance(b, TextLine)]


def texts(doc: Document) -> list[str]:
    return [line.text for line in text_lines(doc)]


def width_of(line: TextLine, layout: Layout) -> int:
    return text_width(line.text, wide=layout.wide)


def room_for(line: TextLine, layout: Layout) -> int:
    """Columns a line may use: half the paper for double-size lines."""
    return layout.columns // 2 if line.big else layout.columns


def assert_fits(doc: Document, layout: Layout) -> None:
    for line in text_lines(doc):
        assert width_of(line, layout) <= room_for(line, layout), line
        assert not any(unicodedata.category(ch) == "Cc" for ch in line.text), line


def money(layout: Layout, fen: int) -> str:
    return format_fen(fen, symbol=layout.currency, grouped=True)


def flush_right(doc: Document, layout: Layout, figure: str) -> list[TextLine]:
    """The lines ending with ``figure`` exactly at the last column they may use."""
    found = [
        line
        for line in text_lines(doc)
        if line.text.endswith(figure)
        and line.align == "left"
        and width_of(line, layout) == room_for(line, layout)
    ]
    assert found, f"{figure!r} is not right-aligned on any line: {texts(doc)}"
    return found


def joined(doc: Document) -> str:
    """Every printed character, whitespace removed (for 'nothing was lost')."""
    return "".join("".join(texts(doc)).split())


# Widths and alignment ------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "data",
    [sale(), sale(member=None), return_data(), gift_data(gift(), gift(None)), balance_data()],
    ids=["sale", "non-member", "return", "gift", "balance"],
)
def test_every_line_fits_the_paper(data: ReceiptData, layout: Layout) -> None:
    doc = layout_receipt(data, layout, reprint=True, now=AT + dt.timedelta(days=3))
    assert_fits(doc, layout)
    assert text_lines(doc)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sale_figures_end_at_the_last_column(layout: Layout) -> None:
    data = sale()
    doc = layout_receipt(data, layout)
    for item in data.lines:
        flush_right(doc, layout, format_fen(item.amount_fen, grouped=True))
    flush_right(doc, layout, money(layout, data.subtotal_fen))
    flush_right(doc, layout, money(layout, -data.coupon_fen))
    flush_right(doc, layout, money(layout, -data.offset_fen))
    flush_right(doc, layout, money(layout, data.payments[0].tendered_fen))
    flush_right(doc, layout, money(layout, data.payments[0].change_fen))
    flush_right(doc, layout, "12,680")  # the balance after the sale
    flush_right(doc, layout, "+680")
    flush_right(doc, layout, data.number)
    # the total: double size when it fits half the paper, bold either way
    (total,) = flush_right(doc, layout, money(layout, data.total_fen))
    assert total.bold


@pytest.mark.parametrize("layout", LAYOUTS)
def test_small_total_is_printed_double_size(layout: Layout) -> None:
    data = sale(
        lines=(ReceiptLine("牛奶", 2, 650, 1300),),
        subtotal_fen=1300,
        coupon_fen=0,
        offset_fen=0,
        total_fen=1300,
        payments=(ReceiptPayment("cash", 1300, 2000, 700),),
    )
    doc = layout_receipt(data, layout)
    rows = flush_right(doc, layout, money(layout, 1300))  # subtotal and total
    (total,) = [line for line in rows if line.big]
    assert total.bold and len(rows) == 2
    assert total.text.startswith(labels(layout.language)["total"])
    flush_right(doc, layout, "13.00")  # the item amount
    flush_right(doc, layout, money(layout, 700))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_item_table_on_wide_paper(layout: Layout) -> None:
    doc = layout_receipt(sale(), layout)
    t = labels(layout.language)
    heads = [line for line in texts(doc) if line.startswith(t["item"])]
    if layout.columns >= 42:
        # one heading row: item | qty | price | amount, the last flush right
        (head,) = heads
        assert head.endswith(t["amount"]) and t["qty"] in head and t["price"] in head
        assert text_width(head, wide=layout.wide) == layout.columns
        (row,) = [line for line in texts(doc) if line.endswith("99.99")]
        assert row.startswith("洗衣液 3kg 装") and re.search(r"\s3\s+33\.33\s+99\.99$", row)
    else:
        assert heads == []
        assert "  3 x 33.33" in texts(doc)[texts(doc).index("洗衣液 3kg 装") + 1]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_figures_too_long_for_the_table_are_never_cut(layout: Layout) -> None:
    # 1,234.56 x 9,999 = 12,344,365.44 yuan: wider than the 80 mm amount column
    doc = layout_receipt(sale(), layout)
    (row,) = flush_right(doc, layout, "12,344,365.44")
    assert row.text.startswith("  9999 x 1,234.56 ")
    assert "electronics" in texts(doc)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", [LONG_ZH, LONG_EN, LONG_ZH + LONG_EN, "a" * 100, "中" * 50])
def test_long_item_names_wrap_without_losing_characters(layout: Layout, name: str) -> None:
    data = sale(lines=(ReceiptLine(name, 1, 500, 500),), member=None)
    doc = layout_receipt(data, layout)
    assert_fits(doc, layout)
    assert "".join(name.split()) in joined(doc)
    name_lines = [line for line in texts(doc) if line.strip() and line.strip()[0] in name]
    if text_width(name, wide=layout.wide) > layout.columns:
        assert len(name_lines) >= 2  # it did wrap
    flush_right(doc, layout, "5.00")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_long_gift_names_wrap_too(layout: Layout) -> None:
    name = "进口有机冷榨特级初榨橄榄油礼盒装五升装送精美礼品袋一个"
    data = gift_data(gift(name=name, name_en=LONG_EN))
    doc = layout_receipt(data, layout)
    assert_fits(doc, layout)
    shown = name if layout.language == "zh_CN" else LONG_EN
    assert "".join(shown.split()) in joined(doc)


# Content -------------------------------------------------------------------------------------
def test_label_tables_have_the_same_keys_and_placeholders() -> None:
    assert set(LANGUAGES) == set(LABELS)
    zh, en = LABELS["zh_CN"], LABELS["en"]
    assert zh.keys() == en.keys()
    formatter = string.Formatter()
    for key in zh:
        fields = [{f for _, f, _, _ in formatter.parse(table[key]) if f} for table in (zh, en)]
        assert fields[0] == fields[1], key
        assert zh[key] and en[key]
    assert labels("fr") == en


@pytest.mark.parametrize("layout", LAYOUTS)
def test_header_and_footer_lines_are_printed(layout: Layout) -> None:
    layout = replace(
        layout,
        header=("上海市浦东新区世纪大道100号", "Tel 021-12345678"),
        footer=("谢谢惠顾，欢迎再次光临", "Thank you for shopping with us"),
    )
    doc = layout_receipt(sale(), layout)
    assert_fits(doc, layout)
    lines = texts(doc)
    all_text = joined(doc)
    for extra in (*layout.header, *layout.footer):
        assert "".join(extra.split()) in all_text
    # the header after the store name, the footer at the end
    assert lines[0] == "测试门店"
    assert lines[1].startswith("上海市") or lines[1] == "上海市浦东新区世纪大道100号"
    footer_start = next(i for i, line in enumerate(lines) if line.startswith("谢谢"))
    assert "".join(lines[footer_start:]).replace(" ", "") == "".join("".join(layout.footer).split())
    assert isinstance(doc.blocks[-1], Feed) and doc.cut


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "data", [sale(), return_data(), gift_data(gift())], ids=["sale", "return", "gift"]
)
def test_reprint_mark_only_on_reprints(data: ReceiptData, layout: Layout) -> None:
    t = labels(layout.language)
    first = texts(layout_receipt(data, layout))
    assert t["reprint"] not in first
    assert not any(line.startswith(t["printed_at"]) for line in first)
    again = texts(layout_receipt(data, layout, reprint=True, now=AT + dt.timedelta(days=2)))
    assert again.count(t["reprint"]) == 1
    (printed,) = [line for line in again if line.startswith(t["printed_at"])]
    assert printed.endswith("2026-03-04 10:05")
    assert t[data.kind] in first and t[data.kind] in again


@pytest.mark.parametrize("layout", LAYOUTS)
def test_barcode_carries_the_receipt_number_for_sales_only(layout: Layout) -> None:
    sale_doc = layout_receipt(sale(), layout)
    assert [b for b in sale_doc.blocks if isinstance(b, Barcode)] == [Barcode("S01-D1-000042")]
    assert labels(layout.language)["scan_to_return"] in texts(sale_doc)
    for data in (return_data(), gift_data(gift()), balance_data()):
        doc = layout_receipt(data, layout)
        assert not any(isinstance(b, Barcode) for b in doc.blocks), data.kind


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_qr_code_per_issued_gift_code(layout: Layout) -> None:
    data = gift_data(
        gift("AAAA2222BBBB"),
        gift(None, coupon_value_fen=None, valid_until=None),
        gift("CCCC3333DDDD"),
        gift("EEEE4444FFFF", cancelled=True),
    )
    doc = layout_receipt(data, layout)
    t = labels(layout.language)
    qrs = [b for b in doc.blocks if isinstance(b, QRCode)]
    assert qrs == [QRCode("AAAA2222BBBB"), QRCode("CCCC3333DDDD")]
    lines = texts(doc)
    assert f"{t['gift_code']}: AAAA2222BBBB" in lines
    assert not any("EEEE4444FFFF" in line for line in lines)  # cancelled: no usable code
    assert lines.count(t["cancelled"]) == 1
    assert any(line.endswith("2026-04-01") for line in lines)
    assert_fits(doc, layout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_member_block(layout: Layout) -> None:
    t = labels(layout.language)
    doc = layout_receipt(sale(), layout)
    all_text = joined(doc)
    tier = "银卡会员" if layout.language == "zh_CN" else "Silver"
    flush_right(doc, layout, tier)
    flush_right(doc, layout, "张* 138****5678")
    expiring = t["expiring_on"].format(points="350", date="2027-12-31")
    assert "".join(expiring.split()) in all_text
    used = t["offset_value"].format(points="3,000", cash=money(layout, 3000))
    assert "".join(used.split()) in all_text
    assert t["no_member"] not in texts(doc)
    anonymous = layout_receipt(sale(member=None), layout)
    assert t["no_member"] in texts(anonymous)
    assert not any(line.startswith(t["member"]) for line in texts(anonymous))
    no_expiry = layout_receipt(sale(member=member(expiring_points=0, expiring_on=None)), layout)
    assert not any(line.startswith(t["expiring"]) for line in texts(no_expiry))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_return_shows_the_original_number_and_refund(layout: Layout) -> None:
    t = labels(layout.language)
    doc = layout_receipt(return_data(), layout)
    assert_fits(doc, layout)
    (original,) = [line for line in texts(doc) if line.startswith(t["original_no"])]
    assert original.endswith("S01-D1-000042")
    flush_right(doc, layout, money(layout, 3003))
    flush_right(doc, layout, money(layout, -150))
    flush_right(doc, layout, "-90")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_summary_fits(layout: Layout) -> None:
    rows = [
        ("销售笔数 Sales", "128"),
        ("-", ""),
        ("现金 Cash", money(layout, 1_234_567_89)),
        ("Section", ""),
        (LONG_ZH, money(layout, 99)),
    ]
    doc = layout_summary("日结报表 End of day", rows, layout, subtitle="2026-03-02 " + LONG_EN)
    assert_fits(doc, layout)
    assert sum(isinstance(b, Rule) for b in doc.blocks) == 3
    flush_right(doc, layout, money(layout, 1_234_567_89))
    flush_right(doc, layout, "128")


# Arbitrary text ------------------------------------------------------------------------------
def printed(text: str, wide: bool) -> str:
    """What survives layout of ``text``: whitespace collapsed, controls shown as '?'."""
    return "".join(
        "?" * cell_width(ch, wide=wide) if unicodedata.category(ch) == "Cc" else ch
        for ch in "".join(text.split())
    )


names = st.text(max_size=60)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    item=names,
    item2=names,
    member_name=names,
    store=names.filter(lambda s: s.strip() != ""),
    cashier=names,
    gift_name=names,
    columns=st.sampled_from([32, 42, 48]),
    language=st.sampled_from(LANGUAGES),
    wide=st.booleans(),
)
def test_arbitrary_names_never_crash_or_overflow(
    item: str,
    item2: str,
    member_name: str,
    store: str,
    cashier: str,
    gift_name: str,
    columns: int,
    language: str,
    wide: bool,
) -> None:
    layout = Layout(columns, language, wide, header=(store,), footer=(item2,))
    data = sale(
        store_name=store,
        cashier=cashier,
        lines=(ReceiptLine(item, 2, 150, 300), ReceiptLine(item2, 1, 99, 99)),
        member=member(masked_name=member_name, tier_name=gift_name, tier_name_en=gift_name),
        gifts=(gift(name=gift_name, name_en=gift_name),),
    )
    doc = layout_receipt(data, layout, reprint=True, now=AT)
    assert_fits(doc, layout)
    all_text = joined(doc)
    for text in (item, item2, store, gift_name):
        assert printed(text, wide) in all_text
    flush_right(doc, layout, "3.00")
    flush_right(doc, layout, "0.99")


@pytest.mark.parametrize(("language", "name"), [("zh_CN", "烟草"), ("en", "Tobacco")])
def test_a_line_rung_up_by_category_prints_the_category_name(language: str, name: str) -> None:
    data = sale(lines=(ReceiptLine("", 1, 2500, 2500, "tobacco"),), member=None)
    doc = layout_receipt(data, Layout(columns=48, language=language))
    texts = [b.text for b in doc.blocks if isinstance(b, TextLine)]
    assert any(t.startswith(name) and t.endswith("25.00") for t in texts)
