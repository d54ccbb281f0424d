"""Receipts laid out for a paper width, in Chinese or English.

Columns are counted the way the printer counts them (:mod:`devices.columns`),
so a Chinese item name next to English figures lines up on paper. Amounts are
right-aligned; the total is printed large; a sale carries a Code128 of its
receipt number for the returns desk and gift codes are printed as QR codes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from devices.columns import cell_width, pad, text_width, two_columns, wrap
from devices.document import Barcode, Block, Document, Feed, QRCode, Rule, TextLine
from devices.receipt_labels import category_name, labels
from pos_app.money import format_fen
from pos_app.services.receipts import MemberBlock, ReceiptData, ReceiptLine

PAYMENT_LABELS = {
    "cash": "paid_cash",
    "card": "paid_card",
    "wechat": "paid_wechat",
    "alipay": "paid_alipay",
}


@dataclass(frozen=True)
class Layout:
    columns: int
    language: str
    #: non-ASCII prints two columns wide (a double-byte codec or raster)
    wide: bool = True
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()

    @property
    def currency(self) -> str:
        # the full-width yuan sign is one double-byte glyph; a printer with no
        # Chinese font has no yuan sign at all
        return "￥" if self.wide else "RMB "


class _Writer:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.t = labels(layout.language)
        self.blocks: list[Block] = []

    def money(self, fen: int) -> str:
        return format_fen(fen, symbol=self.layout.currency, grouped=True)

    def line(self, text: str = "", **style: object) -> None:
        # control characters from names (an item imported from a CSV, a scanned
        # description) would reach the printer as commands: ESC p opens the drawer
        text = "".join(
            (" " if ch.isspace() else "?") * cell_width(ch, wide=self.layout.wide)
            if unicodedata.category(ch) == "Cc"
            else ch
            for ch in text
        )
        self.blocks.append(TextLine(text, **style))  # type: ignore[arg-type]

    def wrapped(self, text: str, align: str = "left", **style: object) -> None:
        width = self.layout.columns // (2 if style.get("big") else 1)
        for part in wrap(text, width, wide=self.layout.wide):
            self.line(part, align=align, **style)

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        for text in two_columns(left, right, self.layout.columns, wide=self.layout.wide):
            self.line(text, bold=bold)

    def rule(self, char: str = "-") -> None:
        self.blocks.append(Rule(char))


def _header(w: _Writer, data: ReceiptData, reprint: bool, now: dt.datetime | None) -> None:
    t = w.t
    w.wrapped(data.store_name, align="center", bold=True, big=True)
    for extra in w.layout.header:
        w.wrapped(extra, align="center")
    w.line(t[data.kind], align="center", bold=True)
    if reprint:
        w.line(t["reprint"], align="center", bold=True)
    w.rule()
    if data.number:
        w.pair(f"{t['receipt_no']}:", data.number)
    if data.original_number:
        w.pair(f"{t['original_no']}:", data.original_number)
    if data.cashier:
        w.pair(f"{t['cashier']}:", data.cashier)
    w.pair(f"{t['time']}:", data.at.strftime("%Y-%m-%d %H:%M:%S"))
    if reprint and now is not None:
        w.pair(f"{t['printed_at']}:", now.astimezone(data.at.tzinfo).strftime("%Y-%m-%d %H:%M"))


def _name(item: ReceiptLine, language: str) -> str:
    return item.description or category_name(item.category, language)


def _lines(w: _Writer, data: ReceiptData) -> None:
    t, cols, wide = w.t, w.layout.columns, w.layout.wide
    w.rule()
    if cols >= 42:
        # one row per item: name | qty | price | amount (long names get their own row)
        amount_w, price_w, qty_w = 12, 10, 5
        name_w = cols - amount_w - price_w - qty_w
        w.line(
            pad(t["item"], name_w, wide=wide)
            + pad(t["qty"], qty_w, right=True, wide=wide)
            + pad(t["price"], price_w, right=True, wide=wide)
            + pad(t["amount"], amount_w, right=True, wide=wide)
        )
        for item in data.lines:
            qty = str(item.qty)
            price = format_fen(item.unit_price_fen, grouped=True)
            amount = format_fen(item.amount_fen, grouped=True)
            if len(qty) >= qty_w or len(price) >= price_w or len(amount) >= amount_w:
                # figures too long for their columns: the narrow-paper form, never cut
                w.wrapped(_name(item, w.layout.language))
                w.pair(f"  {qty} x {price}", amount)
                continue
            figures = (
                pad(qty, qty_w, right=True)
                + pad(price, price_w, right=True)
                + pad(amount, amount_w, right=True)
            )
            names = wrap(_name(item, w.layout.language), name_w - 1, wide=wide)
            for name in names[:-1]:
                w.line(name)
            w.line(pad(names[-1], name_w, wide=wide) + figures)
    else:
        for item in data.lines:
            w.wrapped(_name(item, w.layout.language))
            w.pair(
                f"  {item.qty} x {format_fen(item.unit_price_fen, grouped=True)}",
                format_fen(item.amount_fen, grouped=True),
            )
    w.rule()


def _totals(w: _Writer, data: ReceiptData) -> None:
    t = w.t
    if data.kind == "sale":
        w.pair(t["subtotal"], w.money(data.subtotal_fen))
        if data.coupon_fen:
            w.pair(f"{t['coupon']} {data.coupon_code or ''}".strip(), w.money(-data.coupon_fen))
        if data.offset_fen:
            w.pair(t["offset"], w.money(-data.offset_fen))
        _big_pair(w, t["total"], w.money(data.total_fen))
        for p in data.payments:
            w.pair(t[PAYMENT_LABELS.get(p.method, "paid_other")], w.money(p.tendered_fen))
            if p.change_fen:
                w.pair(t["change"], w.money(p.change_fen))
    elif data.kind == "return":
        _big_pair(w, t["refund"], w.money(data.refund_fen))
        if data.cash_for_points_fen:
            w.pair(t["cash_for_points"], w.money(-data.cash_for_points_fen))


def _big_pair(w: _Writer, left: str, right: str) -> None:
    """The total in double size when it fits half the columns, else bold."""
    half = w.layout.columns // 2
    if text_width(left, wide=w.layout.wide) + 1 + text_width(right, wide=w.layout.wide) <= half:
        for text in two_columns(left, right, half, wide=w.layout.wide):
            w.line(text, bold=True, big=True)
    else:
        w.pair(left, right, bold=True)


def _member(w: _Writer, m: MemberBlock | None, kind: str) -> None:
    t = w.t
    if m is None:
        if kind == "sale":
            w.line(t["no_member"])
        return
    w.rule()
    w.pair(f"{t['member']}:", f"{m.masked_name} {m.masked_phone}".strip())
    tier = m.tier_name if w.layout.language == "zh_CN" else m.tier_name_en
    w.pair(f"{t['tier']}:", tier)
    if m.earned:
        w.pair(f"{t['earned']}:", f"+{m.earned:,}")
    if m.offset_points:
        w.pair(
            f"{t['points_used']}:",
            t["offset_value"].format(points=f"{m.offset_points:,}", cash=w.money(m.offset_fen)),
        )
    if m.reversed_points:
        w.pair(f"{t['reversed']}:", f"-{m.reversed_points:,}")
    if m.restored_points:
        w.pair(f"{t['restored']}:", f"+{m.restored_points:,}")
    w.pair(f"{t['new_balance']}:", f"{m.balance:,}", bold=True)
    if m.expiring_points and m.expiring_on is not None:
        w.pair(
            f"{t['expiring']}:",
            t["expiring_on"].format(
                points=f"{m.expiring_points:,}", date=m.expiring_on.isoformat()
            ),
        )


def _gifts(w: _Writer, data: ReceiptData) -> None:
    t = w.t
    for gift in data.gifts:
        w.rule()
        if gift.cancelled:
            w.line(t["cancelled"], align="center", bold=True)
        name = gift.name if w.layout.language == "zh_CN" else gift.name_en
        w.pair(f"{t['gift_name']}:", name)
        w.pair(f"{t['gift_points']}:", t["points_unit"].format(points=f"{gift.points:,}"))
        if gift.cash_fen:
            w.pair(f"{t['gift_cash']}:", w.money(gift.cash_fen))
        if gift.coupon_value_fen:
            value = w.money(gift.coupon_value_fen)
            if gift.coupon_min_spend_fen:
                value += " " + t["min_spend"].format(amount=w.money(gift.coupon_min_spend_fen))
            w.pair(f"{t['coupon_value']}:", value)
        if gift.issued_code and not gift.cancelled:
            w.blocks.append(QRCode(gift.issued_code))
            w.line(f"{t['gift_code']}: {gift.issued_code}", align="center", bold=True)
        if gift.valid_until is not None:
            w.pair(f"{t['valid_until']}:", gift.valid_until.isoformat())


def layout_receipt(
    data: ReceiptData, layout: Layout, *, reprint: bool = False, now: dt.datetime | None = None
) -> Document:
    w = _Writer(layout)
    _header(w, data, reprint, now)
    if data.lines:
        _lines(w, data)
    _totals(w, data)
    _member(w, data.member, data.kind)
    _gifts(w, data)
    w.rule()
    if data.kind == "sale" and data.number:
        w.blocks.append(Barcode(data.number))
        w.line(w.t["scan_to_return"], align="center")
    for text in layout.footer:
        w.wrapped(text, align="center")
    w.blocks.append(Feed(1))
    return Document(tuple(w.blocks))


def layout_summary(
    title: str, rows: list[tuple[str, str]], layout: Layout, *, subtitle: str = ""
) -> Document:
    """A titled list of label/figure rows (the end-of-day summary uses this)."""
    w = _Writer(layout)
    w.wrapped(title, align="center", bold=True, big=True)
    if subtitle:
        w.wrapped(subtitle, align="center")
    w.rule()
    for left, right in rows:
        if left == "-":
            w.rule()
        elif not right:
            w.line(left, bold=True)
        else:
            w.pair(left, right)
    w.rule()
    w.blocks.append(Feed(1))
    return Document(tuple(w.blocks))
