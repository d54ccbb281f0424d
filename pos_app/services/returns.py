"""Returns by receipt number, full or partial.

Per returned quantity, the money paid, the points earned and the points used
for the offset are split pro rata; the cumulative figures are computed from
the total returned so far, so several partial returns add up exactly to a
full one. Earned points are taken back (the sale's own lot first); offset
points are given back into the lots they came from. If the member already
spent the earned points, the program decides: a negative balance, or the
shortfall charged in cash against the refund.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from pos_app.db.models import Return, ReturnLine, Sale, SaleLine
from pos_app.db.raw import Tx
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InvalidInput
from pos_app.program.allocation import pro_rata
from pos_app.program.schema import SpentPointsPolicy
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize, require_approval
from pos_app.services.checkout import find_sale
from pos_app.services.context import Context, context, next_receipt_no
from pos_app.services.ledger import (
    Entry,
    MemberRow,
    debit,
    effective_balance,
    give_back,
    load_member,
    plan_give_back,
    spendable,
)
from pos_app.services.outbox import emit


@dataclass(frozen=True)
class ReturnItem:
    line_no: int
    qty: int


@dataclass(frozen=True)
class ReturnLineQuote:
    line_no: int
    qty: int
    refund_fen: int
    points_reversed: int
    points_restored: int


@dataclass(frozen=True)
class ReturnQuote:
    receipt_no: str
    member_id: str | None
    lines: tuple[ReturnLineQuote, ...]
    refund_fen: int
    points_reversed: int
    points_restored: int
    #: points the member no longer has and that are charged in cash instead
    points_short: int
    cash_for_points_fen: int
    #: refund minus cash for points (negative: the customer pays the difference)
    net_refund_fen: int
    needs_manager: bool
    balance_after: int | None


@dataclass(frozen=True)
class ReturnResult:
    return_id: str
    return_no: str
    quote: ReturnQuote
    balance: int | None


def _reverse_share(earned: int, done: int, part: int, qty: int) -> int:
    """Points to take back: what the member keeps on the kept goods is floored, so the
    kept part never earns above the rate."""
    kept_before = earned * (qty - done) // qty
    kept_after = earned * (qty - done - part) // qty
    return kept_before - kept_after


def _sale_entries(tx: Tx, sale_id: str) -> dict[str, list[int]]:
    """The sale's ledger entry ids by kind (offset, earn, offset_refund, reversal...)."""
    by_kind: dict[str, list[int]] = {}
    for entry_id, kind in tx.rows(
        "SELECT id, kind FROM ledger_entries WHERE sale_id = ? ORDER BY id", (sale_id,)
    ):
        by_kind.setdefault(kind, []).append(entry_id)
    return by_kind


def _quote(
    tx: Tx, ctx: Context, sale: Sale, items: Sequence[ReturnItem], now: dt.datetime
) -> ReturnQuote:
    if not items:
        raise InvalidInput("choose what is returned", field="items")
    rules = ctx.program.definition.returns
    if rules.max_days is not None and (now - sale.created_at) > dt.timedelta(days=rules.max_days):
        raise InvalidInput(
            f"this sale is older than {rules.max_days} days and cannot be returned",
            field="receipt_no",
        )
    by_no = {line.line_no: line for line in sale.lines}
    seen: set[int] = set()
    rows = []
    for i, item in enumerate(items):
        field = f"items[{i}]"
        line = by_no.get(item.line_no)
        if line is None:
            raise InvalidInput(f"the sale has no line {item.line_no}", field=f"{field}.line_no")
        if item.line_no in seen:
            raise InvalidInput(f"line {item.line_no} is listed twice", field=f"{field}.line_no")
        seen.add(item.line_no)
        left = line.qty - line.returned_qty
        if isinstance(item.qty, bool) or not isinstance(item.qty, int) or item.qty <= 0:
            raise InvalidInput("return quantity must be 1 or more", field=f"{field}.qty")
        if item.qty > left:
            raise InvalidInput(
                f"line {item.line_no}: only {left} left to return", field=f"{field}.qty"
            )
        # money actually paid for the line: the offset and the coupon are not refunded in cash
        paid = line.amount_fen - line.offset_fen - line.coupon_fen
        rows.append(
            ReturnLineQuote(
                line_no=line.line_no,
                qty=item.qty,
                refund_fen=pro_rata(paid, line.returned_qty, item.qty, line.qty),
                points_reversed=_reverse_share(
                    line.earned_points, line.returned_qty, item.qty, line.qty
                ),
                points_restored=pro_rata(line.offset_points, line.returned_qty, item.qty, line.qty),
            )
        )
    refund = sum(r.refund_fen for r in rows)
    reversed_ = sum(r.points_reversed for r in rows)
    restored = sum(r.points_restored for r in rows)
    short = cash = 0
    balance_after = None
    if sale.member_id is not None:
        member = load_member(tx, sale.member_id)
        lapsed = 0
        if restored:
            # offset points go back into the lots they came from; a lot already past its
            # expiry takes them straight to expiry, so they cannot cover a reversal
            entries = _sale_entries(tx, sale.id)
            plan = plan_give_back(
                tx,
                member,
                restored,
                taken_by=entries.get("offset", []),
                given_back_by=entries.get("offset_refund", []),
            )
            lapsed = plan.expired_at(now)
        usable = restored - lapsed - min(restored, max(0, -member.balance))
        available = spendable(tx, member.id, now) + usable
        if rules.spent_points is SpentPointsPolicy.REQUIRE_CASH and reversed_ > available:
            short = reversed_ - available
            ppy = ctx.program.offset_points_per_yuan(sale.tier_code)
            cash = -(-short * 100 // ppy)  # round up: the store is not short-changed
        balance_after = effective_balance(tx, member, now) + restored - lapsed - (reversed_ - short)
    threshold = rules.manager_approval_over
    needs_manager = threshold is not None and (threshold == 0 or refund > threshold)
    return ReturnQuote(
        receipt_no=sale.receipt_no,
        member_id=sale.member_id,
        lines=tuple(rows),
        refund_fen=refund,
        points_reversed=reversed_ - short,
        points_restored=restored,
        points_short=short,
        cash_for_points_fen=cash,
        net_refund_fen=refund - cash,
        needs_manager=needs_manager,
        balance_after=balance_after,
    )


def quote_return(
    db: StoreDB, *, receipt_no: str, items: Sequence[ReturnItem], now: dt.datetime
) -> ReturnQuote:
    with db.read() as s:
        tx = Tx.of(s)
        return _quote(tx, context(db, tx), find_sale(s, receipt_no), items, now)


def returnable_lines(db: StoreDB, *, receipt_no: str) -> list[tuple[int, str, int]]:
    """(line number, description or category, quantity still returnable) for a receipt."""
    with db.read() as s:
        sale = find_sale(s, receipt_no)
        return [
            (line.line_no, line.description or line.category, line.qty - line.returned_qty)
            for line in sale.lines
        ]


def commit_return(
    db: StoreDB,
    *,
    actor: StaffSession,
    receipt_no: str,
    items: Sequence[ReturnItem],
    now: dt.datetime,
    approver: StaffSession | None = None,
    reason: str = "",
    return_id: str | None = None,
    expected_net_refund_fen: int | None = None,
) -> ReturnResult:
    authorize(db, actor, Permission.RETURN)
    return_id = return_id or str(uuid.uuid4())
    with db.write() as s:
        previous = s.get(Return, return_id)
        if previous is not None:
            raise Conflict("this return was already recorded", field="return_id")
        tx = Tx.of(s)
        ctx = context(db, tx)
        sale = find_sale(s, receipt_no)
        quote = _quote(tx, ctx, sale, items, now)
        if expected_net_refund_fen is not None and expected_net_refund_fen != quote.net_refund_fen:
            raise Conflict("the refund changed since it was shown; check again")
        if quote.needs_manager:
            require_approval(db, approver, "this return")
        day = ctx.program.business_day(now)
        ret = Return(
            id=return_id,
            return_no=next_receipt_no(tx, "R-"),
            sale_id=sale.id,
            staff_id=actor.staff_id,
            approved_by=approver.staff_id if quote.needs_manager and approver else None,
            created_at=now,
            business_day=day,
            refund_fen=quote.refund_fen,
            points_reversed=quote.points_reversed,
            points_restored=quote.points_restored,
            cash_for_points_fen=quote.cash_for_points_fen,
            reason=reason.strip()[:200],
        )
        s.add(ret)
        s.flush()
        lines = {line.line_no: line for line in sale.lines}
        for row in quote.lines:
            line: SaleLine = lines[row.line_no]
            s.add(
                ReturnLine(
                    return_id=return_id,
                    sale_line_id=line.id,
                    qty=row.qty,
                    refund_fen=row.refund_fen,
                    points_reversed=row.points_reversed,
                    points_restored=row.points_restored,
                )
            )
            line.returned_qty += row.qty
        s.flush()
        entries: list[Entry] = []
        member = load_member(tx, sale.member_id) if sale.member_id else None
        if member is not None:
            entries = _move_points(tx, ctx, member, sale, ret, quote, actor, now)
        emit(
            tx,
            "return.completed",
            {
                "return": {
                    "id": ret.id,
                    "return_no": ret.return_no,
                    "sale_id": sale.id,
                    "receipt_no": sale.receipt_no,
                    "member_id": sale.member_id,
                    "created_at": now.isoformat(),
                    "refund_fen": ret.refund_fen,
                    "cash_for_points_fen": ret.cash_for_points_fen,
                    "approved_by": ret.approved_by,
                },
                "lines": [
                    {"line_no": r.line_no, "qty": r.qty, "refund_fen": r.refund_fen}
                    for r in quote.lines
                ],
                "entries": [e.payload() for e in entries],
            },
            now,
        )
        if ret.approved_by:
            audit(
                s,
                ret.approved_by,
                "return.approved",
                ret.return_no,
                {"refund_fen": ret.refund_fen, "cashier": actor.staff_id},
                now,
            )
        return ReturnResult(
            return_id=return_id,
            return_no=ret.return_no,
            quote=quote,
            balance=effective_balance(tx, member, now) if member else None,
        )


def _move_points(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    sale: Sale,
    ret: Return,
    quote: ReturnQuote,
    actor: StaffSession,
    now: dt.datetime,
) -> list[Entry]:
    sale_entries = _sale_entries(tx, sale.id)
    entries = []
    if quote.points_restored:
        entries.append(
            give_back(
                tx,
                ctx,
                member,
                kind="offset_refund",
                points=quote.points_restored,
                now=now,
                staff_id=actor.staff_id,
                sale_id=sale.id,
                return_id=ret.id,
                taken_by=sale_entries.get("offset", []),
                given_back_by=sale_entries.get("offset_refund", []),
                reason=f"return {ret.return_no}",
            )
        )
    if quote.points_reversed:
        allow_negative = (
            ctx.program.definition.returns.spent_points is SpentPointsPolicy.ALLOW_NEGATIVE
        )
        entries.append(
            debit(
                tx,
                ctx,
                member,
                kind="reversal",
                points=quote.points_reversed,
                now=now,
                staff_id=actor.staff_id,
                allow_negative=allow_negative,
                prefer_entries=sale_entries.get("earn", []),
                sale_id=sale.id,
                return_id=ret.id,
                reason=f"return {ret.return_no}",
            )
        )
    return entries
