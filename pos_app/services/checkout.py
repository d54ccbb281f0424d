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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.db.models import LedgerEntry, Member, Payment, Sale, SaleLine
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound, StaleQuote
from pos_app.money import MAX_FEN, require_fen
from pos_app.program import EarnLine, OffsetLimit, check_offset, offset_limit, quote_earning
from pos_app.program.allocation import allocate
from pos_app.program.rates import format_rate
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import Context, context, next_receipt_no
from pos_app.services.ledger import credit, debit, effective_balance, entry_payload, spendable
from pos_app.services.members import get_member
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


def earned_today(s: Session, ctx: Context, member_id: str, now: dt.datetime) -> int:
    """Purchase points credited to the member this business day (for the daily cap)."""
    day = ctx.program.business_day(now)
    total = s.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.kind == "earn",
            LedgerEntry.business_day == day,
        )
    )
    return int(total or 0)


def _quote(
    s: Session,
    ctx: Context,
    member: Member | None,
    lines: Sequence[CartLine],
    offset_points: int | Literal["max"],
    now: dt.datetime,
) -> CheckoutQuote:
    _check_lines(lines)
    program = ctx.program
    subtotal = sum(line.amount_fen for line in lines)
    if member is None:
        if offset_points not in (0, "max"):
            raise InvalidInput("a sale without a member cannot use points", field="offset")
        zero = [0] * len(lines)
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
            earn_points=sum(zero),
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
    available = spendable(s, member.id, now)
    limit = offset_limit(program, tier_code=tier, bill_fen=subtotal, available_points=available)
    points = limit.max_points if offset_points == "max" else offset_points
    offset_fen = check_offset(
        program, tier_code=tier, bill_fen=subtotal, available_points=available, points=points
    )
    line_offset_fen = allocate(offset_fen, [line.amount_fen for line in lines])
    line_offset_pts = allocate(points, [line.amount_fen for line in lines])
    earn = quote_earning(
        program,
        tier_code=tier,
        lines=[
            EarnLine(line.category.strip(), line.amount_fen, off)
            for line, off in zip(lines, line_offset_fen, strict=True)
        ],
        now=now,
        earned_today=earned_today(s, ctx, member.id, now),
    )
    balance = effective_balance(s, member, now)
    return CheckoutQuote(
        lines=tuple(
            QuotedLine(
                line, line.amount_fen, off, off_pts, le.points, le.rate, le.multiplier, le.campaign
            )
            for line, off, off_pts, le in zip(
                lines, line_offset_fen, line_offset_pts, earn.lines, strict=True
            )
        ),
        subtotal_fen=subtotal,
        offset=limit,
        offset_points=points,
        offset_fen=offset_fen,
        total_due_fen=subtotal - offset_fen,
        earn_points=earn.total,
        earn_uncapped=earn.uncapped,
        capped_by=earn.capped_by,
        campaigns=earn.campaigns,
        member_id=member.id,
        tier_code=tier,
        balance=balance,
        balance_after=balance - points + earn.total,
    )


def quote_checkout(
    db: StoreDB,
    *,
    member_id: str | None,
    lines: Sequence[CartLine],
    offset_points: int | Literal["max"] = 0,
    now: dt.datetime,
) -> CheckoutQuote:
    """What this sale would earn and may offset; nothing is written."""
    with db.read() as s:
        ctx = context(db, s)
        member = get_member(s, member_id) if member_id else None
        return _quote(s, ctx, member, lines, offset_points, now)


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
            f"payments add up to {paid / 100:.2f}, the amount due is {due / 100:.2f}",
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
) -> SaleResult:
    """Commit a sale. ``expected_*`` are what the cashier was shown: a mismatch (program
    or balance changed meanwhile) is a :class:`StaleQuote`, and nothing is written."""
    authorize(db, actor, Permission.SELL)
    if not isinstance(sale_id, str) or len(sale_id) != 36:
        raise InvalidInput("sale id must be a UUID", field="sale_id")
    with db.write() as s:
        existing = s.get(Sale, sale_id)
        if existing is not None:
            return _replay(s, db, existing, now)
        ctx = context(db, s)
        member = get_member(s, member_id) if member_id else None
        quote = _quote(s, ctx, member, lines, offset_points, now)
        if expected_total_fen is not None and expected_total_fen != quote.total_due_fen:
            raise StaleQuote(f"the amount due is now {quote.total_due_fen / 100:.2f}; check again")
        if expected_points is not None and expected_points != quote.earn_points:
            raise StaleQuote(f"this sale now earns {quote.earn_points} points; check again")
        pay_rows = _check_payments(payments, quote.total_due_fen)
        day = ctx.program.business_day(now)
        sale = Sale(
            id=sale_id,
            receipt_no=next_receipt_no(s, "S", day),
            member_id=member.id if member else None,
            staff_id=actor.staff_id,
            store_code=ctx.store_code,
            device_code=ctx.device_code,
            created_at=now,
            business_day=day,
            subtotal_fen=quote.subtotal_fen,
            offset_points=quote.offset_points,
            offset_fen=quote.offset_fen,
            total_fen=quote.total_due_fen,
            earned_points=quote.earn_points,
            tier_code=quote.tier_code,
            program_code=ctx.program.code,
            program_version=ctx.program.version,
        )
        s.add(sale)
        for no, q in enumerate(quote.lines, start=1):
            s.add(
                SaleLine(
                    sale_id=sale_id,
                    line_no=no,
                    item_code=q.line.item_code,
                    description=q.line.description[:120],
                    category=q.line.category.strip(),
                    qty=q.line.qty,
                    unit_price_fen=q.line.unit_price_fen,
                    amount_fen=q.amount_fen,
                    offset_fen=q.offset_fen,
                    offset_points=q.offset_points,
                    earned_points=q.points,
                    multiplier=format_rate(q.multiplier),
                    campaign_code=q.campaign,
                    returned_qty=0,
                )
            )
        for method, amount, tendered, change in pay_rows:
            s.add(
                Payment(
                    sale_id=sale_id,
                    method=method,
                    amount_fen=amount,
                    tendered_fen=tendered,
                    change_fen=change,
                )
            )
        s.flush()
        entries: list[LedgerEntry] = []
        tier_change = None
        if member is not None:
            if quote.offset_points:
                entries.append(
                    debit(
                        s,
                        ctx,
                        member,
                        kind="offset",
                        points=quote.offset_points,
                        now=now,
                        staff_id=actor.staff_id,
                        sale_id=sale_id,
                        reason=f"offset {quote.offset_fen / 100:.2f} yuan",
                    )
                )
            if quote.earn_points:
                entries.append(
                    credit(
                        s,
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
            tier_change = upgrade_if_qualified(s, ctx, member, now, actor.staff_id)
            if tier_change is not None:
                entries.extend(tier_change.bonus_entries)
        emit(s, "sale.completed", _sale_payload(sale, quote, pay_rows, entries, tier_change), now)
        return SaleResult(
            sale_id=sale_id,
            receipt_no=sale.receipt_no,
            created_at=now,
            quote=quote,
            change_fen=sum(r[3] for r in pay_rows),
            tier_change=tier_change,
            balance=effective_balance(s, member, now) if member else None,
        )


def _sale_payload(
    sale: Sale,
    quote: CheckoutQuote,
    pay_rows: list[tuple[str, int, int, int]],
    entries: list[LedgerEntry],
    tier_change: TierChange | None,
) -> dict[str, object]:
    return {
        "sale": {
            "id": sale.id,
            "receipt_no": sale.receipt_no,
            "member_id": sale.member_id,
            "staff_id": sale.staff_id,
            "created_at": sale.created_at.isoformat(),
            "business_day": sale.business_day.isoformat(),
            "subtotal_fen": sale.subtotal_fen,
            "offset_points": sale.offset_points,
            "offset_fen": sale.offset_fen,
            "total_fen": sale.total_fen,
            "earned_points": sale.earned_points,
            "program": [sale.program_code, sale.program_version],
            "tier_code": sale.tier_code,
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
        "entries": [entry_payload(e) for e in entries],
        "tier_change": [tier_change.old_tier, tier_change.new_tier] if tier_change else None,
    }


def _replay(s: Session, db: StoreDB, sale: Sale, now: dt.datetime) -> SaleResult:
    """The result of a sale committed before (the same sale id sent again)."""
    ctx = context(db, s)
    member = s.get(Member, sale.member_id) if sale.member_id else None
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
    )
    return SaleResult(
        sale_id=sale.id,
        receipt_no=sale.receipt_no,
        created_at=sale.created_at,
        quote=quote,
        change_fen=sum(p.change_fen for p in sale.payments),
        tier_change=None,
        balance=effective_balance(s, member, now) if member else None,
        replayed=True,
    )


def find_sale(s: Session, receipt_no: str) -> Sale:
    sale = s.scalar(select(Sale).where(Sale.receipt_no == receipt_no.strip().upper()))
    if sale is None:
        raise NotFound(f"no sale with receipt number {receipt_no.strip()!r}", field="receipt_no")
    return sale
