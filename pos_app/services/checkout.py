"""Checkout: quote what a sale earns and may offset, then commit it in one transaction.

The commit writes the sale, its lines and payments, the ledger entries (offset,
earn, upgrade bonuses), their lots and one outbox event together, or nothing.
It is idempotent on ``sale_id``: a retried commit returns the first result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.db.models import Sale
from pos_app.db.raw import Tx, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InvalidInput, NotFound, StaleQuote
from pos_app.money import MAX_FEN, format_fen, require_fen
from pos_app.program import EarnLine, OffsetLimit, check_offset, offset_limit, quote_earning
from pos_app.program.allocation import allocate
from pos_app.program.rates import format_rate
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import Context, context, next_receipt_no
from pos_app.services.ledger import (
    Entry,
    MemberRow,
    credit,
    debit,
    load_member,
    points_state,
)
from pos_app.services.offline import check_offline_spend
from pos_app.services.outbox import emit
from pos_app.services.tiers import TierChange, upgrade_if_qualified

PAYMENT_METHODS = ("cash", "card", "wechat", "alipay", "other")
MAX_LINES = 500
MAX_QTY = 9999


@dataclass(frozen=True)
class CartLine:
    """A line rung up: by item code, or just a category and an amount (shops with no items)."""

    category: str
    unit_price_fen: int
    qty: int = 1
    item_code: str | None = None
    description: str = ""

    @property
    def amount_fen(self) -> int:
        return self.unit_price_fen * self.qty


@dataclass(frozen=True)
class PaymentInput:
    method: str
    amount_fen: int
    #: cash handed over (cash only; defaults to the amount)
    tendered_fen: int | None = None


@dataclass(frozen=True)
class QuotedLine:
    line: CartLine
    amount_fen: int
    offset_fen: int
    offset_points: int
    points: int
    rate: Fraction
    multiplier: Fraction
    campaign: str | None
    #: this line's share of the coupon discount
    coupon_fen: int = 0


@dataclass(frozen=True)
class CouponUse:
    code: str
    value_fen: int
    min_spend_fen: int


@dataclass(frozen=True)
class CheckoutQuote:
    lines: tuple[QuotedLine, ...]
    subtotal_fen: int
    offset: OffsetLimit | None
    offset_points: int
    offset_fen: int
    total_due_fen: int
    earn_points: int
    earn_uncapped: int
    capped_by: str | None
    campaigns: tuple[str, ...]
    member_id: str | None
    tier_code: str | None
    balance: int
    #: the balance after this sale (before any upgrade bonus)
    balance_after: int
    coupon_code: str | None = None
    #: what the coupon takes off the bill (it earns no points and is not refunded)
    coupon_fen: int = 0


@dataclass(frozen=True)
class SaleResult:
    sale_id: str
    receipt_no: str
    created_at: dt.datetime
    quote: CheckoutQuote
    change_fen: int
    tier_change: TierChange | None
    balance: int | None
    #: True when this sale had already been committed (a retry)
    replayed: bool = False


def _check_lines(lines: Sequence[CartLine]) -> None:
    if not lines:
        raise InvalidInput("the sale has no lines", field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"a sale has at most {MAX_LINES} lines", field="lines")
    total = 0
    for i, line in enumerate(lines):
        field = f"lines[{i}]"
        if not isinstance(line.category, str) or not line.category.strip():
            raise InvalidInput("choose a category", field=f"{field}.category")
        require_fen(line.unit_price_fen, field=f"{field}.price", allow_zero=False)
        if (
            isinstance(line.qty, bool)
            or not isinstance(line.qty, int)
            or not 0 < line.qty <= MAX_QTY
        ):
            raise InvalidInput(f"quantity must be 1 to {MAX_QTY}", field=f"{field}.qty")
        total += line.amount_fen
    if total > MAX_FEN:
        raise InvalidInput("the sale total is too large", field="lines")


def _quote(
    tx: Tx,
    ctx: Context,
    member: MemberRow | None,
    points_now: tuple[int, int, int],
    lines: Sequence[CartLine],
    offset_points: int | Literal["max"],
    now: dt.datetime,
    coupon: CouponUse | None = None,
) -> CheckoutQuote:
    _check_lines(lines)
    program = ctx.program
    subtotal = sum(line.amount_fen for line in lines)
    if member is None:
        if coupon is not None:
            raise InvalidInput("a coupon is used with the member it was issued to", field="coupon")
        if offset_points not in (0, "max"):
            raise InvalidInput("a sale without a member cannot use points", field="offset")
        return CheckoutQuote(
            lines=tuple(
                QuotedLine(line, line.amount_fen, 0, 0, 0, Fraction(0), Fraction(1), None)
                for line in lines
            ),
            subtotal_fen=subtotal,
            offset=None,
            offset_points=0,
            offset_fen=0,
            total_due_fen=subtotal,
            earn_points=0,
            earn_uncapped=0,
            capped_by=None,
            campaigns=(),
            member_id=None,
            tier_code=None,
            balance=0,
            balance_after=0,
        )
    if member.status != "active":
        raise InvalidInput(f"this membership is {member.status}", field="member")
    tier = program.tier(member.tier_code).code
    due, available, today = points_now
    coupon_fen = 0
    if coupon is not None:
        if subtotal < coupon.min_spend_fen:
            raise InvalidInput(
                f"this coupon needs a bill of at least {format_fen(coupon.min_spend_fen)}",
                field="coupon",
            )
        coupon_fen = min(coupon.value_fen, subtotal)
    line_coupon = allocate(coupon_fen, [line.amount_fen for line in lines])
    bill = subtotal - coupon_fen
    limit = offset_limit(program, tier_code=tier, bill_fen=bill, available_points=available)
    points = limit.max_points if offset_points == "max" else offset_points
    offset_fen = check_offset(
        program, tier_code=tier, bill_fen=bill, available_points=available, points=points
    )
    weights = [line.amount_fen - c for line, c in zip(lines, line_coupon, strict=True)]
    line_offset_fen = allocate(offset_fen, weights)
    line_offset_pts = allocate(points, weights)
    earn = quote_earning(
        program,
        tier_code=tier,
        # the coupon's part of a line never earns: it was not paid for
        lines=[
            EarnLine(line.category.strip(), line.amount_fen - c, off)
            for line, c, off in zip(lines, line_coupon, line_offset_fen, strict=True)
        ],
        now=now,
        earned_today=today,
    )
    balance = member.balance - due
    return CheckoutQuote(
        lines=tuple(
            QuotedLine(
                line,
                line.amount_fen,
                off,
                off_pts,
                le.points,
                le.rate,
                le.multiplier,
                le.campaign,
                c,
            )
            for line, off, off_pts, le, c in zip(
                lines, line_offset_fen, line_offset_pts, earn.lines, line_coupon, strict=True
            )
        ),
        subtotal_fen=subtotal,
        offset=limit,
        offset_points=points,
        offset_fen=offset_fen,
        total_due_fen=subtotal - coupon_fen - offset_fen,
        earn_points=earn.total,
        earn_uncapped=earn.uncapped,
        capped_by=earn.capped_by,
        campaigns=earn.campaigns,
        member_id=member.id,
        tier_code=tier,
        balance=balance,
        balance_after=balance - points + earn.total,
        coupon_code=coupon.code if coupon else None,
        coupon_fen=coupon_fen,
    )


_MEMBER_STATE = (
    "SELECT id, name, phone, tier_code, status, balance, referrer_id, "
    " (SELECT COALESCE(SUM(remaining), 0) FROM points_lots "
    "   WHERE member_id = ?1 AND remaining > 0 AND expires_at <= ?2), "
    " (SELECT COALESCE(SUM(remaining), 0) FROM points_lots "
    "   WHERE member_id = ?1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > ?2)), "
    # "+business_day": walk the member's own entries; the planner would otherwise take the
    # business-day index and read every entry of the day (20,000 sales: 0.5 ms per sale)
    " (SELECT COALESCE(SUM(points), 0) FROM ledger_entries "
    "   WHERE member_id = ?1 AND kind = 'earn' AND +business_day = ?3) "
    "FROM members WHERE id = ?1"
)


def _member_state(
    tx: Tx, ctx: Context, member_id: str | None, now: dt.datetime
) -> tuple[MemberRow | None, tuple[int, int, int]]:
    """The member and (points due to expire, points spendable, purchase points earned
    this business day) at ``now``, in one statement: this runs on every checkout."""
    if not member_id:
        return None, (0, 0, 0)
    row = tx.row(_MEMBER_STATE, (member_id, to_db(now), ctx.program.business_day(now).isoformat()))
    if row is None:
        raise NotFound("no such member", field="member")
    return MemberRow(*row[:7]), (int(row[7]), int(row[8]), int(row[9]))


def _coupon(tx: Tx, code: str | None, member_id: str | None, now: dt.datetime) -> CouponUse | None:
    """The member's unused, unexpired coupon with this code (None when no code)."""
    if code is None or not str(code).strip():
        return None
    if not member_id:
        raise InvalidInput("a coupon is used with the member it was issued to", field="coupon")
    code = str(code).strip().upper()
    row = tx.row(
        "SELECT member_id, value_fen, min_spend_fen, valid_until, status FROM coupons "
        "WHERE code = ?",
        (code,),
    )
    if row is None:
        raise NotFound(f"no coupon {code}", field="coupon")
    owner, value, min_spend, valid_until, status = row
    if status != "issued":
        raise Conflict(f"coupon {code} was already {status}", field="coupon")
    if owner != member_id:
        raise InvalidInput("this coupon belongs to another member", field="coupon")
    if to_db(now) >= valid_until:
        raise InvalidInput(f"coupon {code} has expired", field="coupon")
    return CouponUse(code, int(value), int(min_spend))


def quote_checkout(
    db: StoreDB,
    *,
    member_id: str | None,
    lines: Sequence[CartLine],
    offset_points: int | Literal["max"] = 0,
    now: dt.datetime,
    coupon_code: str | None = None,
) -> CheckoutQuote:
    """What this sale would earn and may offset; nothing is written."""
    with read_tx(db.engine) as tx:
        ctx = context(db, tx)
        member, points_now = _member_state(tx, ctx, member_id, now)
        coupon = _coupon(tx, coupon_code, member_id, now)
        return _quote(tx, ctx, member, points_now, lines, offset_points, now, coupon)


def _check_payments(payments: Sequence[PaymentInput], due: int) -> list[tuple[str, int, int, int]]:
    rows = []
    paid = 0
    for i, p in enumerate(payments):
        field = f"payments[{i}]"
        if p.method not in PAYMENT_METHODS:
            raise InvalidInput(f"unknown payment method {p.method!r}", field=f"{field}.method")
        amount = require_fen(p.amount_fen, field=f"{field}.amount", allow_zero=False)
        tendered = (
            amount
            if p.tendered_fen is None
            else require_fen(p.tendered_fen, field=f"{field}.tendered")
        )
        if p.method != "cash" and tendered != amount:
            raise InvalidInput("only cash can be tendered above the amount", field=field)
        if tendered < amount:
            raise InvalidInput("cash tendered is less than the amount", field=f"{field}.tendered")
        rows.append((p.method, amount, tendered, tendered - amount))
        paid += amount
    if paid != due:
        raise InvalidInput(
            f"payments add up to {format_fen(paid)}, the amount due is {format_fen(due)}",
            field="payments",
        )
    return rows


def commit_checkout(
    db: StoreDB,
    *,
    actor: StaffSession,
    sale_id: str,
    member_id: str | None,
    lines: Sequence[CartLine],
    offset_points: int | Literal["max"] = 0,
    payments: Sequence[PaymentInput],
    now: dt.datetime,
    expected_total_fen: int | None = None,
    expected_points: int | None = None,
    coupon_code: str | None = None,
    authorized: bool = False,
) -> SaleResult:
    """Commit a sale. ``expected_*`` are what the cashier was shown: a mismatch (program
    or balance changed meanwhile) is a :class:`StaleQuote`, and nothing is written.
    ``authorized``: HQ approved the offset online, so the offline limits do not apply
    (:mod:`pos_app.services.offline`)."""
    authorize(db, actor, Permission.SELL)
    if not isinstance(sale_id, str) or len(sale_id) != 36:
        raise InvalidInput("sale id must be a UUID", field="sale_id")
    with db.write_raw() as tx:
        if tx.value("SELECT 1 FROM sales WHERE id = ?", (sale_id,)):
            replay = True
        else:
            return _commit(
                db,
                tx,
                actor,
                sale_id,
                member_id,
                lines,
                offset_points,
                payments,
                now,
                expected_total_fen,
                expected_points,
                coupon_code,
                authorized,
            )
    assert replay
    result = _replay(db, sale_id, now)
    sent = [(ln.category.strip(), ln.unit_price_fen, ln.qty, ln.item_code) for ln in lines]
    kept = [
        (q.line.category, q.line.unit_price_fen, q.line.qty, q.line.item_code)
        for q in result.quote.lines
    ]
    coupon = (coupon_code or "").strip().upper() or None
    if (
        sent != kept
        or (member_id or None) != result.quote.member_id
        or coupon != result.quote.coupon_code
    ):
        # the same id for a different sale is a client bug, never a silent replay
        raise Conflict("this sale id was already used for a different sale", field="sale_id")
    return result


def _commit(
    db: StoreDB,
    tx: Tx,
    actor: StaffSession,
    sale_id: str,
    member_id: str | None,
    lines: Sequence[CartLine],
    offset_points: int | Literal["max"],
    payments: Sequence[PaymentInput],
    now: dt.datetime,
    expected_total_fen: int | None,
    expected_points: int | None,
    coupon_code: str | None,
    authorized: bool = False,
) -> SaleResult:
    ctx = context(db, tx)
    member, points_now = _member_state(tx, ctx, member_id, now)
    coupon = _coupon(tx, coupon_code, member_id, now)
    quote = _quote(tx, ctx, member, points_now, lines, offset_points, now, coupon)
    if expected_total_fen is not None and expected_total_fen != quote.total_due_fen:
        raise StaleQuote(f"the amount due is now {format_fen(quote.total_due_fen)}; check again")
    if expected_points is not None and expected_points != quote.earn_points:
        raise StaleQuote(f"this sale now earns {quote.earn_points} points; check again")
    pay_rows = _check_payments(payments, quote.total_due_fen)
    check_offline_spend(tx, ctx, points=quote.offset_points, now=now, authorized=authorized)
    day = ctx.program.business_day(now)
    receipt_no = next_receipt_no(tx)
    tx.run(
        "INSERT INTO sales (id, receipt_no, member_id, staff_id, store_code, device_code, "
        "created_at, business_day, subtotal_fen, offset_points, offset_fen, total_fen, "
        "earned_points, tier_code, program_code, program_version, coupon_code, coupon_fen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sale_id,
            receipt_no,
            member_id or None,
            actor.staff_id,
            ctx.store_code,
            ctx.device_code,
            to_db(now),
            day.isoformat(),
            quote.subtotal_fen,
            quote.offset_points,
            quote.offset_fen,
            quote.total_due_fen,
            quote.earn_points,
            quote.tier_code,
            ctx.program.code,
            ctx.program.version,
            quote.coupon_code,
            quote.coupon_fen,
        ),
    )
    if coupon is not None:
        used = tx.run(
            "UPDATE coupons SET status = 'used', used_sale_id = ?, used_at = ? "
            "WHERE code = ? AND status = 'issued'",
            (sale_id, to_db(now), coupon.code),
        ).rowcount
        if used != 1:  # exactly once, even if two tills race for it
            raise Conflict(f"coupon {coupon.code} was already used", field="coupon")
    tx.run_many(
        "INSERT INTO sale_lines (sale_id, line_no, item_code, description, category, qty, "
        "unit_price_fen, amount_fen, offset_fen, offset_points, earned_points, multiplier, "
        "campaign_code, coupon_fen, returned_qty) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [
            (
                sale_id,
                no,
                q.line.item_code,
                q.line.description[:120],
                q.line.category.strip(),
                q.line.qty,
                q.line.unit_price_fen,
                q.amount_fen,
                q.offset_fen,
                q.offset_points,
                q.points,
                format_rate(q.multiplier),
                q.campaign,
                q.coupon_fen,
            )
            for no, q in enumerate(quote.lines, start=1)
        ],
    )
    tx.run_many(
        "INSERT INTO payments (sale_id, method, amount_fen, tendered_fen, change_fen) "
        "VALUES (?, ?, ?, ?, ?)",
        [(sale_id, *row) for row in pay_rows],
    )
    entries: list[Entry] = []
    tier_change = None
    balance = None
    if member is not None:
        if quote.offset_points:
            entries.append(
                debit(
                    tx,
                    ctx,
                    member,
                    kind="offset",
                    points=quote.offset_points,
                    now=now,
                    staff_id=actor.staff_id,
                    sale_id=sale_id,
                    reason=f"offset {format_fen(quote.offset_fen)}",
                )
            )
        if quote.earn_points:
            entries.append(
                credit(
                    tx,
                    ctx,
                    member,
                    kind="earn",
                    points=quote.earn_points,
                    now=now,
                    staff_id=actor.staff_id,
                    sale_id=sale_id,
                    reason=",".join(quote.campaigns),
                )
            )
        tier_change = upgrade_if_qualified(tx, ctx, member, now, actor.staff_id)
        if tier_change is not None:
            entries.extend(tier_change.bonus_entries)
        # spending expires due lots first, so after an offset nothing is left due
        balance = member.balance - (0 if quote.offset_points else points_now[0])
    emit(
        tx,
        "sale.completed",
        _sale_payload(
            sale_id,
            receipt_no,
            member_id,
            actor,
            now,
            day,
            ctx,
            quote,
            pay_rows,
            entries,
            tier_change,
        ),
        now,
    )
    return SaleResult(
        sale_id=sale_id,
        receipt_no=receipt_no,
        created_at=now,
        quote=quote,
        change_fen=sum(r[3] for r in pay_rows),
        tier_change=tier_change,
        balance=balance,
    )


def _sale_payload(
    sale_id: str,
    receipt_no: str,
    member_id: str | None,
    actor: StaffSession,
    now: dt.datetime,
    day: dt.date,
    ctx: Context,
    quote: CheckoutQuote,
    pay_rows: list[tuple[str, int, int, int]],
    entries: list[Entry],
    tier_change: TierChange | None,
) -> dict[str, object]:
    return {
        "sale": {
            "id": sale_id,
            "receipt_no": receipt_no,
            "member_id": member_id,
            "staff_id": actor.staff_id,
            "created_at": now.isoformat(),
            "business_day": day.isoformat(),
            "subtotal_fen": quote.subtotal_fen,
            "offset_points": quote.offset_points,
            "offset_fen": quote.offset_fen,
            "total_fen": quote.total_due_fen,
            "earned_points": quote.earn_points,
            "program": [ctx.program.code, ctx.program.version],
            "tier_code": quote.tier_code,
            "coupon": [quote.coupon_code, quote.coupon_fen] if quote.coupon_code else None,
        },
        "lines": [
            {
                "line_no": no,
                "item_code": q.line.item_code,
                "category": q.line.category,
                "qty": q.line.qty,
                "unit_price_fen": q.line.unit_price_fen,
                "amount_fen": q.amount_fen,
                "offset_fen": q.offset_fen,
                "points": q.points,
            }
            for no, q in enumerate(quote.lines, start=1)
        ],
        "payments": [{"method": m, "amount_fen": a} for m, a, _t, _c in pay_rows],
        "entries": [e.payload() for e in entries],
        "tier_change": [tier_change.old_tier, tier_change.new_tier] if tier_change else None,
    }


def _replay(db: StoreDB, sale_id: str, now: dt.datetime) -> SaleResult:
    """The result of a sale committed before (the same sale id sent again)."""
    with db.read() as s:
        return _replayed(s, db, sale_id, now)


def _replayed(s: Session, db: StoreDB, sale_id: str, now: dt.datetime) -> SaleResult:
    sale = s.get(Sale, sale_id)
    assert sale is not None
    tx = Tx.of(s)
    ctx = context(db, tx)
    quote = CheckoutQuote(
        lines=tuple(
            QuotedLine(
                CartLine(
                    line.category, line.unit_price_fen, line.qty, line.item_code, line.description
                ),
                line.amount_fen,
                line.offset_fen,
                line.offset_points,
                line.earned_points,
                ctx.program.earn_rate(sale.tier_code, line.category),
                Fraction(line.multiplier),
                line.campaign_code,
                line.coupon_fen,
            )
            for line in sale.lines
        ),
        subtotal_fen=sale.subtotal_fen,
        offset=None,
        offset_points=sale.offset_points,
        offset_fen=sale.offset_fen,
        total_due_fen=sale.total_fen,
        earn_points=sale.earned_points,
        earn_uncapped=sale.earned_points,
        capped_by=None,
        campaigns=tuple(sorted({ln.campaign_code for ln in sale.lines if ln.campaign_code})),
        member_id=sale.member_id,
        tier_code=sale.tier_code,
        balance=0,
        balance_after=0,
        coupon_code=sale.coupon_code,
        coupon_fen=sale.coupon_fen,
    )
    balance = None
    if sale.member_id:
        member = load_member(tx, sale.member_id)
        balance = member.balance - points_state(tx, member.id, now)[0]
    return SaleResult(
        sale_id=sale.id,
        receipt_no=sale.receipt_no,
        created_at=sale.created_at,
        quote=quote,
        change_fen=sum(p.change_fen for p in sale.payments),
        tier_change=None,
        balance=balance,
        replayed=True,
    )


def find_sale(s: Session, receipt_no: str) -> Sale:
    if not isinstance(receipt_no, str) or not receipt_no.strip():
        raise InvalidInput("enter or scan the receipt number", field="receipt_no")
    sale = s.scalar(select(Sale).where(Sale.receipt_no == receipt_no.strip().upper()))
    if sale is None:
        raise NotFound(f"no sale with receipt number {receipt_no.strip()!r}", field="receipt_no")
    return sale
