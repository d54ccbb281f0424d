"""What a receipt says, read back from the database by its number.

A receipt is rebuilt from the committed rows (sale, lines, payments, ledger),
never from what the screen held, so a reprint a week later prints the same
figures as the original and a printer that was off during the sale still gets
the right receipt. Everything here is language-neutral data; the devices layer
lays it out in Chinese or English for a paper width.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pos_app.db.raw import Tx, from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound
from pos_app.phone import mask_name, mask_phone
from pos_app.services.ledger import points_state

#: the member block shows points that expire within this many days
EXPIRY_NOTICE_DAYS = 30
MAX_NUMBER_LENGTH = 40


@dataclass(frozen=True)
class ReceiptLine:
    #: the item's name; empty for a line rung up by category and amount
    description: str
    qty: int
    unit_price_fen: int
    amount_fen: int
    category: str = ""


@dataclass(frozen=True)
class ReceiptPayment:
    method: str
    amount_fen: int
    tendered_fen: int
    change_fen: int


@dataclass(frozen=True)
class MemberBlock:
    masked_name: str
    masked_phone: str
    tier_name: str
    tier_name_en: str
    earned: int
    offset_points: int
    offset_fen: int
    #: points reversed and given back (returns)
    reversed_points: int
    restored_points: int
    balance: int
    expiring_points: int
    #: when the first of those points expire (local date)
    expiring_on: dt.date | None


@dataclass(frozen=True)
class GiftBlock:
    name: str
    name_en: str
    points: int
    cash_fen: int
    issued_code: str | None
    valid_until: dt.date | None
    coupon_value_fen: int | None
    coupon_min_spend_fen: int | None
    cancelled: bool


@dataclass(frozen=True)
class ReceiptData:
    """One printable document: a sale, a return, a gift redemption or a balance slip."""

    kind: str  # "sale" | "return" | "gift" | "balance"
    number: str
    store_name: str
    store_code: str
    device_code: str
    cashier: str
    #: local time of the event (the program's time zone)
    at: dt.datetime
    lines: tuple[ReceiptLine, ...] = ()
    subtotal_fen: int = 0
    coupon_code: str | None = None
    coupon_fen: int = 0
    offset_fen: int = 0
    total_fen: int = 0
    payments: tuple[ReceiptPayment, ...] = ()
    #: returns: the sale it came from and the money given back
    original_number: str | None = None
    refund_fen: int = 0
    cash_for_points_fen: int = 0
    member: MemberBlock | None = None
    gifts: tuple[GiftBlock, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def cash_paid(self) -> bool:
        """True when money went into the drawer (the drawer opens for these)."""
        return any(p.method == "cash" for p in self.payments)


def _zone(db: StoreDB, tx: Tx) -> dt.tzinfo:
    from pos_app.services.context import active_program

    return active_program(db, tx).zone


def _identity(tx: Tx) -> tuple[str, str, str]:
    row = tx.row("SELECT store_name, store_code, device_code FROM store_identity WHERE id = 1")
    if row is None:
        raise NotFound("this store is not set up yet")
    return row[0], row[1], row[2]


def _header(
    db: StoreDB, tx: Tx, staff_id: str | None, created: str | None
) -> tuple[dt.tzinfo, dict[str, Any]]:
    """The program's time zone and what every receipt's head says: store, cashier, time."""
    zone = _zone(db, tx)
    store_name, store_code, device_code = _identity(tx)
    created_at = from_db(created)
    assert created_at is not None
    return zone, {
        "store_name": store_name,
        "store_code": store_code,
        "device_code": device_code,
        "cashier": _staff_name(tx, staff_id),
        "at": created_at.astimezone(zone),
    }


def _staff_name(tx: Tx, staff_id: str | None) -> str:
    if staff_id is None:
        return ""
    row = tx.row("SELECT code, name FROM staff WHERE id = ?", (staff_id,))
    return "" if row is None else f"{row[1]} ({row[0]})"


def _member_block(
    tx: Tx,
    member_id: str,
    now: dt.datetime,
    zone: dt.tzinfo,
    *,
    balance: int,
    earned: int = 0,
    offset_points: int = 0,
    offset_fen: int = 0,
    reversed_points: int = 0,
    restored_points: int = 0,
) -> MemberBlock:
    name, phone, tier_name, tier_name_en = tx.row(
        "SELECT m.name, m.phone, COALESCE(t.name, m.tier_code), COALESCE(t.name_en, '') "
        "FROM members m LEFT JOIN tiers t ON t.code = m.tier_code WHERE m.id = ?",
        (member_id,),
    )
    horizon = now + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    expiring, first = tx.row(
        "SELECT COALESCE(SUM(remaining), 0), MIN(expires_at) FROM points_lots "
        "WHERE member_id = ? AND remaining > 0 AND expires_at > ? AND expires_at <= ?",
        (member_id, to_db(now), to_db(horizon)),
    )
    first_at = from_db(first)
    return MemberBlock(
        masked_name=mask_name(name),
        masked_phone=mask_phone(phone) if phone else "",
        tier_name=tier_name,
        tier_name_en=tier_name_en or tier_name,
        earned=earned,
        offset_points=offset_points,
        offset_fen=offset_fen,
        reversed_points=reversed_points,
        restored_points=restored_points,
        balance=balance,
        expiring_points=expiring,
        # a lot expiring at midnight belongs to the day before
        expiring_on=None
        if first_at is None
        else (first_at.astimezone(zone) - dt.timedelta(microseconds=1)).date(),
    )


def _balance_after(tx: Tx, column: str, ref: str, member_id: str, created: str) -> int:
    """The member's balance right after the last ledger entry of this sale/return/redemption
    (one that moved no point: after the member's last entry up to its time, so a later
    sale does not change the reprint)."""
    value = tx.value(
        f"SELECT balance_after FROM ledger_entries WHERE {column} = ? ORDER BY id DESC LIMIT 1",
        (ref,),
    )
    if value is None:
        value = tx.value(
            "SELECT balance_after FROM ledger_entries WHERE member_id = ? AND created_at <= ? "
            "ORDER BY id DESC LIMIT 1",
            (member_id, created),
        )
    if value is None:
        value = tx.value("SELECT balance FROM members WHERE id = ?", (member_id,))
    return int(value or 0)


def _check_number(number: str) -> str:
    number = number.strip().upper() if isinstance(number, str) else ""
    if not number or len(number) > MAX_NUMBER_LENGTH or not number.isprintable():
        raise InvalidInput("type or scan a receipt number", field="receipt_no")
    return number


def sale_receipt(db: StoreDB, receipt_no: str, now: dt.datetime) -> ReceiptData:
    receipt_no = _check_number(receipt_no)
    with read_tx(db.engine) as tx:
        sale = tx.row(
            "SELECT id, member_id, staff_id, created_at, subtotal_fen, offset_points, "
            "offset_fen, total_fen, earned_points, coupon_code, coupon_fen "
            "FROM sales WHERE receipt_no = ?",
            (receipt_no,),
        )
        if sale is None:
            raise NotFound(f"no sale has receipt number {receipt_no}", field="receipt_no")
        (sale_id, member_id, staff_id, created, subtotal, offset_points, offset_fen, total) = sale[
            :8
        ]
        earned, coupon_code, coupon_fen = sale[8:]
        zone, head = _header(db, tx, staff_id, created)
        lines = tuple(
            ReceiptLine(desc, qty, price, amount, category)
            for desc, category, qty, price, amount in tx.rows(
                "SELECT description, category, qty, unit_price_fen, amount_fen "
                "FROM sale_lines WHERE sale_id = ? ORDER BY line_no",
                (sale_id,),
            )
        )
        payments = tuple(
            ReceiptPayment(*row)
            for row in tx.rows(
                "SELECT method, amount_fen, tendered_fen, change_fen FROM payments "
                "WHERE sale_id = ? ORDER BY id",
                (sale_id,),
            )
        )
        member = None
        if member_id is not None:
            member = _member_block(
                tx,
                member_id,
                now,
                zone,
                balance=_balance_after(tx, "sale_id", sale_id, member_id, created),
                earned=earned,
                offset_points=offset_points,
                offset_fen=offset_fen,
            )
        return ReceiptData(
            kind="sale",
            number=receipt_no,
            **head,
            lines=lines,
            subtotal_fen=subtotal,
            coupon_code=coupon_code,
            coupon_fen=coupon_fen,
            offset_fen=offset_fen,
            total_fen=total,
            payments=payments,
            member=member,
        )


def return_receipt(db: StoreDB, return_no: str, now: dt.datetime) -> ReceiptData:
    return_no = _check_number(return_no)
    with read_tx(db.engine) as tx:
        row = tx.row(
            "SELECT r.id, r.staff_id, r.created_at, r.refund_fen, r.points_reversed, "
            "r.points_restored, r.cash_for_points_fen, s.receipt_no, s.member_id "
            "FROM returns r JOIN sales s ON s.id = r.sale_id WHERE r.return_no = ?",
            (return_no,),
        )
        if row is None:
            raise NotFound(f"no return has number {return_no}", field="receipt_no")
        ret_id, staff_id, created, refund, reversed_, restored, cash_for_points = row[:7]
        original, member_id = row[7:]
        zone, head = _header(db, tx, staff_id, created)
        lines = tuple(
            ReceiptLine(desc, qty, price, amount, category)
            for desc, category, qty, price, amount in tx.rows(
                "SELECT sl.description, sl.category, rl.qty, sl.unit_price_fen, rl.refund_fen "
                "FROM return_lines rl JOIN sale_lines sl ON sl.id = rl.sale_line_id "
                "WHERE rl.return_id = ? ORDER BY sl.line_no",
                (ret_id,),
            )
        )
        member = None
        if member_id is not None:
            member = _member_block(
                tx,
                member_id,
                now,
                zone,
                balance=_balance_after(tx, "return_id", ret_id, member_id, created),
                reversed_points=reversed_,
                restored_points=restored,
            )
        return ReceiptData(
            kind="return",
            number=return_no,
            **head,
            lines=lines,
            original_number=original,
            refund_fen=refund,
            cash_for_points_fen=cash_for_points,
            member=member,
        )


def gift_receipt(db: StoreDB, redemption_no: str, now: dt.datetime) -> ReceiptData:
    redemption_no = _check_number(redemption_no)
    with read_tx(db.engine) as tx:
        row = tx.row(
            "SELECT r.id, r.member_id, r.staff_id, r.created_at, r.points, r.cash_fen, "
            "r.issued_code, r.status, g.name, g.name_en, c.value_fen, c.min_spend_fen, "
            "COALESCE(c.valid_until, r.valid_until) "
            "FROM gift_redemptions r JOIN gifts g ON g.id = r.gift_id "
            "LEFT JOIN coupons c ON c.redemption_id = r.id WHERE r.redemption_no = ?",
            (redemption_no,),
        )
        if row is None:
            raise NotFound(f"no gift redemption has number {redemption_no}", field="receipt_no")
        red_id, member_id, staff_id, created, points, cash, code, status = row[:8]
        name, name_en, coupon_value, coupon_min, valid_until = row[8:]
        zone, head = _header(db, tx, staff_id, created)
        until = from_db(valid_until)
        gift = GiftBlock(
            name=name,
            name_en=name_en or name,
            points=points,
            cash_fen=cash,
            issued_code=code,
            valid_until=None
            if until is None
            else (until.astimezone(zone) - dt.timedelta(microseconds=1)).date(),
            coupon_value_fen=coupon_value,
            coupon_min_spend_fen=coupon_min,
            cancelled=status == "cancelled",
        )
        member = _member_block(
            tx,
            member_id,
            now,
            zone,
            balance=_balance_after(tx, "redemption_id", red_id, member_id, created),
        )
        return ReceiptData(
            kind="gift",
            number=redemption_no,
            **head,
            payments=(ReceiptPayment("cash", cash, cash, 0),) if cash else (),
            total_fen=cash,
            member=member,
            gifts=(gift,),
        )


def balance_slip(db: StoreDB, member_id: str, now: dt.datetime, *, staff: str = "") -> ReceiptData:
    """A member's balance and points expiring soon, printed on request."""
    with read_tx(db.engine) as tx:
        balance = tx.value("SELECT balance FROM members WHERE id = ?", (member_id,))
        if balance is None:
            raise NotFound("no such member", field="member")
        zone = _zone(db, tx)
        store_name, store_code, device_code = _identity(tx)
        # points past expiry that no expiry run has taken yet are not the member's any more
        due = points_state(tx, member_id, now)[0]
        member = _member_block(tx, member_id, now, zone, balance=balance - due)
        return ReceiptData(
            kind="balance",
            number="",
            store_name=store_name,
            store_code=store_code,
            device_code=device_code,
            cashier=staff,
            at=now.astimezone(zone),
            member=member,
        )


def any_receipt(db: StoreDB, number: str, now: dt.datetime) -> ReceiptData:
    """A sale, return or gift receipt by its number (for "reprint by number")."""
    number = _check_number(number)
    with read_tx(db.engine) as tx:
        if tx.value("SELECT 1 FROM returns WHERE return_no = ?", (number,)):
            kind = "return"
        elif tx.value("SELECT 1 FROM gift_redemptions WHERE redemption_no = ?", (number,)):
            kind = "gift"
        else:
            kind = "sale"
    if kind == "return":
        return return_receipt(db, number, now)
    if kind == "gift":
        return gift_receipt(db, number, now)
    return sale_receipt(db, number, now)
