"""Posting points: the only code that changes a member's points.

Invariants kept here, in every transaction, and checked by ``pos-app doctor``:

* ``members.balance`` equals the sum of the member's ledger entries;
* the lots' remaining points add up to ``max(balance, 0)``: a negative balance
  is a debt that later credits repay before they form new lots;
* each lot's remaining equals its points minus what entries took from it
  (``lot_consumptions``; a negative row is a give-back into the lot).

Spending takes the first-expiring lot first. Expired lots are expired before
any spending, so nobody spends points that are already gone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pos_app.db.models import LedgerEntry, LotConsumption, Member, PointsLot
from pos_app.errors import InsufficientPoints
from pos_app.program import lot_expiry
from pos_app.services.context import Context

_DEFAULT: Any = object()


def _entry(
    s: Session,
    ctx: Context,
    member: Member,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    sale_id: str | None = None,
    return_id: str | None = None,
    redemption_id: str | None = None,
    reason: str = "",
) -> LedgerEntry:
    if points == 0:
        raise ValueError("a ledger entry moves at least one point")
    member.balance += points
    member.updated_at = now
    entry = LedgerEntry(
        uuid=str(uuid.uuid4()),
        member_id=member.id,
        kind=kind,
        points=points,
        balance_after=member.balance,
        created_at=now,
        business_day=ctx.program.business_day(now),
        store_code=ctx.store_code,
        device_code=ctx.device_code,
        staff_id=staff_id,
        sale_id=sale_id,
        return_id=return_id,
        redemption_id=redemption_id,
        reason=reason[:200],
    )
    s.add(entry)
    s.flush()
    return entry


def _live_lots(s: Session, member_id: str, now: dt.datetime) -> list[PointsLot]:
    """Lots with points left that have not expired, first-expiring first."""
    return list(
        s.scalars(
            select(PointsLot)
            .where(
                PointsLot.member_id == member_id,
                PointsLot.remaining > 0,
                or_(PointsLot.expires_at.is_(None), PointsLot.expires_at > now),
            )
            .order_by(PointsLot.expires_at.is_(None), PointsLot.expires_at, PointsLot.id)
        )
    )


def spendable(s: Session, member_id: str, now: dt.datetime) -> int:
    """Points the member can use at ``now`` (expired lots excluded even before the run)."""
    total = s.scalar(
        select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
            PointsLot.member_id == member_id,
            PointsLot.remaining > 0,
            or_(PointsLot.expires_at.is_(None), PointsLot.expires_at > now),
        )
    )
    return int(total or 0)


def effective_balance(s: Session, member: Member, now: dt.datetime) -> int:
    """The balance as it stands at ``now``: the cached balance minus lots already due."""
    due = s.scalar(
        select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
            PointsLot.member_id == member.id,
            PointsLot.remaining > 0,
            PointsLot.expires_at <= now,
        )
    )
    return member.balance - int(due or 0)


def expiring_within(s: Session, member_id: str, now: dt.datetime, days: int = 30) -> int:
    """Points that expire after ``now`` and no later than ``now + days`` (exact, by lot)."""
    total = s.scalar(
        select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
            PointsLot.member_id == member_id,
            PointsLot.remaining > 0,
            PointsLot.expires_at > now,
            PointsLot.expires_at <= now + dt.timedelta(days=days),
        )
    )
    return int(total or 0)


def credit(
    s: Session,
    ctx: Context,
    member: Member,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    expires_at: dt.datetime | None = _DEFAULT,
    **refs: Any,
) -> LedgerEntry:
    """Add points; a new lot holds what is not needed to repay a negative balance."""
    if points <= 0:
        raise ValueError("credit needs a positive number of points")
    debt = max(0, -member.balance)
    entry = _entry(s, ctx, member, kind=kind, points=points, now=now, staff_id=staff_id, **refs)
    lot_points = points - min(points, debt)
    if lot_points:
        s.add(
            PointsLot(
                member_id=member.id,
                entry_id=entry.id,
                points=lot_points,
                remaining=lot_points,
                earned_at=now,
                expires_at=lot_expiry(ctx.program, now) if expires_at is _DEFAULT else expires_at,
            )
        )
    return entry


def debit(
    s: Session,
    ctx: Context,
    member: Member,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    allow_negative: bool = False,
    prefer_entries: Sequence[int] = (),
    **refs: Any,
) -> LedgerEntry:
    """Take points, first-expiring lot first (lots of ``prefer_entries`` before any other).

    Without ``allow_negative`` a debit larger than the spendable points is refused
    and nothing is written.
    """
    if points <= 0:
        raise ValueError("debit needs a positive number of points")
    expire_due(s, ctx, member, now)
    lots = _live_lots(s, member.id, now)
    if prefer_entries:
        preferred = set(prefer_entries)
        lots.sort(key=lambda lot: lot.entry_id not in preferred)
    available = sum(lot.remaining for lot in lots)
    if points > available and not allow_negative:
        raise InsufficientPoints(f"the member has {available} points, {points} are needed")
    entry = _entry(s, ctx, member, kind=kind, points=-points, now=now, staff_id=staff_id, **refs)
    _consume(s, entry, lots, points)
    return entry


def _consume(s: Session, entry: LedgerEntry, lots: Iterable[PointsLot], points: int) -> None:
    left = points
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        if take:
            lot.remaining -= take
            left -= take
            s.add(LotConsumption(entry_id=entry.id, lot_id=lot.id, points=take))


def give_back(
    s: Session,
    ctx: Context,
    member: Member,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    taken_by: Sequence[int],
    given_back_by: Sequence[int],
    **refs: Any,
) -> LedgerEntry:
    """Return points that ``taken_by`` entries spent into the lots they came from.

    The points keep their original expiry (a lot already past it expires at the
    next run). ``given_back_by`` are earlier give-backs of the same spending.
    """
    if points <= 0:
        raise ValueError("give_back needs a positive number of points")
    debt = max(0, -member.balance)
    entry = _entry(s, ctx, member, kind=kind, points=points, now=now, staff_id=staff_id, **refs)
    to_lots = points - min(points, debt)
    if not to_lots:
        return entry
    taken = dict(
        s.execute(
            select(LotConsumption.lot_id, func.sum(LotConsumption.points))
            .where(LotConsumption.entry_id.in_(taken_by), LotConsumption.points > 0)
            .group_by(LotConsumption.lot_id)
        ).tuples()
    )
    returned = dict(
        s.execute(
            select(LotConsumption.lot_id, -func.sum(LotConsumption.points))
            .where(LotConsumption.entry_id.in_(given_back_by), LotConsumption.points < 0)
            .group_by(LotConsumption.lot_id)
        ).tuples()
    )
    lots = list(s.scalars(select(PointsLot).where(PointsLot.id.in_(taken))))
    # longest-lived first: the member gets back the most valuable points first
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    lots.sort(key=lambda lot: (lot.expires_at or far, lot.id), reverse=True)
    left = to_lots
    for lot in lots:
        room = min(taken[lot.id] - returned.get(lot.id, 0), lot.points - lot.remaining)
        put = min(room, left)
        if put > 0:
            lot.remaining += put
            left -= put
            s.add(LotConsumption(entry_id=entry.id, lot_id=lot.id, points=-put))
    if left:
        # nothing left to return into (should not happen): a fresh lot keeps the invariant
        s.add(
            PointsLot(
                member_id=member.id,
                entry_id=entry.id,
                points=left,
                remaining=left,
                earned_at=now,
                expires_at=lot_expiry(ctx.program, now),
            )
        )
    return entry


def expire_due(
    s: Session, ctx: Context, member: Member, now: dt.datetime, staff_id: str | None = None
) -> LedgerEntry | None:
    """Expire the member's lots due at ``now``: one entry, lots emptied. Idempotent."""
    due = list(
        s.scalars(
            select(PointsLot).where(
                PointsLot.member_id == member.id,
                PointsLot.remaining > 0,
                PointsLot.expires_at <= now,
            )
        )
    )
    total = sum(lot.remaining for lot in due)
    if not total:
        return None
    entry = _entry(
        s,
        ctx,
        member,
        kind="expiry",
        points=-total,
        now=now,
        staff_id=staff_id,
        reason="points expired",
    )
    _consume(s, entry, due, total)
    return entry


def entry_payload(entry: LedgerEntry) -> dict[str, Any]:
    """The ledger entry as HQ receives it in an outbox event."""
    return {
        "entry_id": entry.uuid,
        "member_id": entry.member_id,
        "kind": entry.kind,
        "points": entry.points,
        "balance_after": entry.balance_after,
        "created_at": entry.created_at.isoformat(),
        "business_day": entry.business_day.isoformat(),
        "staff_id": entry.staff_id,
        "reason": entry.reason,
    }
