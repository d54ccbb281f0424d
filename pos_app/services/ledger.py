"""Posting points: the only code that changes a member's points.

Invariants kept here, in every transaction, and checked by ``pos-app doctor``:

* ``members.balance`` equals the sum of the member's ledger entries;
* the lots' remaining points add up to ``max(balance, 0)``: a negative balance
  is a debt that later credits repay before they form new lots;
* each lot's remaining equals its points minus what entries took from it
  (``lot_consumptions``; a negative row is a give-back into the lot).

Spending takes the first-expiring lot first. Lots already due expire before
any spending, so nobody spends points that are gone. This module owns the
``members.balance`` column and the ledger, lot and consumption tables and
writes them with plain SQL (see :mod:`pos_app.db.raw`); ORM code only reads them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pos_app.db.raw import Tx, from_db, to_db
from pos_app.errors import InsufficientPoints, NotFound
from pos_app.program import lot_expiry
from pos_app.services.context import Context
from pos_app.services.outbox import emit

_DEFAULT: Any = object()
#: every kind of ledger entry (the ``ledger_entries.kind`` check constraint)
ENTRY_KINDS = (
    "earn",
    "signup_bonus",
    "referral_bonus",
    "upgrade_bonus",
    "activity_bonus",
    "offset",
    "offset_refund",
    "reversal",
    "gift_redemption",
    "gift_refund",
    "expiry",
    "adjustment",
    "transfer",
)
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass
class MemberRow:
    """A member as the ledger sees it; ``balance`` follows every posting."""

    id: str
    name: str
    phone: str | None
    tier_code: str
    status: str
    balance: int
    referrer_id: str | None = None


@dataclass(frozen=True)
class Entry:
    id: int
    uuid: str
    member_id: str
    kind: str
    points: int
    balance_after: int
    created_at: dt.datetime
    business_day: dt.date
    staff_id: str | None
    reason: str

    def payload(self) -> dict[str, Any]:
        """The entry as HQ receives it in an outbox event."""
        return {
            "entry_id": self.uuid,
            "member_id": self.member_id,
            "kind": self.kind,
            "points": self.points,
            "balance_after": self.balance_after,
            "created_at": self.created_at.isoformat(),
            "business_day": self.business_day.isoformat(),
            "staff_id": self.staff_id,
            "reason": self.reason,
        }


@dataclass
class Lot:
    id: int
    entry_id: int
    points: int
    remaining: int
    expires_at: dt.datetime | None


_MEMBER_SQL = (
    "SELECT id, name, phone, tier_code, status, balance, referrer_id FROM members WHERE id = ?"
)


def load_member(tx: Tx, member_id: str) -> MemberRow:
    row = tx.row(_MEMBER_SQL, (member_id,))
    if row is None:
        raise NotFound("no such member", field="member")
    return MemberRow(*row)


def save_member(tx: Tx, member: MemberRow, now: dt.datetime) -> None:
    """Write back the member's tier and status (the balance is written by each posting)."""
    tx.run(
        "UPDATE members SET tier_code = ?, status = ?, updated_at = ? WHERE id = ?",
        (member.tier_code, member.status, to_db(now), member.id),
    )


def member_lots(tx: Tx, member_id: str) -> list[Lot]:
    """Lots with points left, first-expiring first (never-expiring last)."""
    return [
        Lot(lot_id, entry_id, points, remaining, from_db(expires))
        for lot_id, entry_id, points, remaining, expires in tx.rows(
            "SELECT id, entry_id, points, remaining, expires_at FROM points_lots "
            "WHERE member_id = ? AND remaining > 0 "
            "ORDER BY expires_at IS NULL, expires_at, id",
            (member_id,),
        )
    ]


def split_due(lots: Sequence[Lot], now: dt.datetime) -> tuple[list[Lot], list[Lot]]:
    """(due at ``now``, still live)."""
    due = [lot for lot in lots if lot.expires_at is not None and lot.expires_at <= now]
    live = [lot for lot in lots if lot.expires_at is None or lot.expires_at > now]
    return due, live


def points_state(tx: Tx, member_id: str, now: dt.datetime) -> tuple[int, int]:
    """(points already past expiry but not yet expired by a run, points spendable at ``now``)."""
    due, live = tx.row(
        "SELECT COALESCE(SUM(CASE WHEN expires_at <= ?1 THEN remaining END), 0), "
        "COALESCE(SUM(CASE WHEN expires_at IS NULL OR expires_at > ?1 THEN remaining END), 0) "
        "FROM points_lots WHERE member_id = ?2 AND remaining > 0",
        (to_db(now), member_id),
    )
    return int(due), int(live)


def spendable(tx: Tx, member_id: str, now: dt.datetime) -> int:
    """Points the member can use at ``now`` (lots past expiry excluded even before the run)."""
    return int(
        tx.value(
            "SELECT COALESCE(SUM(remaining), 0) FROM points_lots WHERE member_id = ? "
            "AND remaining > 0 AND (expires_at IS NULL OR expires_at > ?)",
            (member_id, to_db(now)),
        )
    )


def due_and_expiring(tx: Tx, member_id: str, now: dt.datetime, days: int = 30) -> tuple[int, int]:
    """(points already past expiry but not yet expired by a run, points expiring after
    ``now`` and no later than ``now + days``), both exact, by lot."""
    due, soon = tx.row(
        "SELECT COALESCE(SUM(CASE WHEN expires_at <= ?1 THEN remaining END), 0), "
        "COALESCE(SUM(CASE WHEN expires_at > ?1 AND expires_at <= ?2 THEN remaining END), 0) "
        "FROM points_lots WHERE member_id = ?3 AND remaining > 0 AND expires_at IS NOT NULL",
        (to_db(now), to_db(now + dt.timedelta(days=days)), member_id),
    )
    return int(due), int(soon)


def effective_balance(tx: Tx, member: MemberRow, now: dt.datetime) -> int:
    """The balance as it stands at ``now``: the posted balance minus lots already due."""
    return member.balance - due_and_expiring(tx, member.id, now)[0]


def _entry(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    sale_id: str | None = None,
    return_id: str | None = None,
    redemption_id: str | None = None,
    reason: str = "",
    entry_uuid: str | None = None,
    business_day: dt.date | None = None,
    origin: tuple[str, str] | None = None,
) -> Entry:
    """Append an entry and move the balance. ``entry_uuid``, ``business_day`` and
    ``origin`` (store code, device code) are given only for another device's entry
    (see :func:`post_remote`); by default the entry is this device's own, made now."""
    if points == 0:
        raise ValueError("a ledger entry moves at least one point")
    member.balance += points
    stamp = to_db(now)
    day = ctx.program.business_day(now) if business_day is None else business_day
    entry_uuid = str(uuid.uuid4()) if entry_uuid is None else entry_uuid
    store_code, device_code = (ctx.store_code, ctx.device_code) if origin is None else origin
    reason = reason[:200]
    cur = tx.run(
        "INSERT INTO ledger_entries (uuid, member_id, kind, points, balance_after, created_at, "
        "business_day, store_code, device_code, staff_id, sale_id, return_id, redemption_id, "
        "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry_uuid,
            member.id,
            kind,
            points,
            member.balance,
            stamp,
            day.isoformat(),
            store_code,
            device_code,
            staff_id,
            sale_id,
            return_id,
            redemption_id,
            reason,
        ),
    )
    tx.run(
        "UPDATE members SET balance = ?, updated_at = ? WHERE id = ?",
        (member.balance, stamp, member.id),
    )
    assert cur.lastrowid is not None
    return Entry(
        cur.lastrowid,
        entry_uuid,
        member.id,
        kind,
        points,
        member.balance,
        now,
        day,
        staff_id,
        reason,
    )


def _new_lot(
    tx: Tx,
    member: MemberRow,
    entry: Entry,
    points: int,
    now: dt.datetime,
    expires_at: dt.datetime | None,
) -> None:
    tx.run(
        "INSERT INTO points_lots (member_id, entry_id, points, remaining, earned_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            member.id,
            entry.id,
            points,
            points,
            to_db(now),
            None if expires_at is None else to_db(expires_at),
        ),
    )


def credit(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    expires_at: dt.datetime | None = _DEFAULT,
    **refs: Any,
) -> Entry:
    """Add points; a new lot holds what is not needed to repay a negative balance."""
    if points <= 0:
        raise ValueError("credit needs a positive number of points")
    debt = max(0, -member.balance)
    entry = _entry(tx, ctx, member, kind=kind, points=points, now=now, staff_id=staff_id, **refs)
    lot_points = points - min(points, debt)
    if lot_points:
        expiry = lot_expiry(ctx.program, now) if expires_at is _DEFAULT else expires_at
        _new_lot(tx, member, entry, lot_points, now, expiry)
    return entry


def _consume(tx: Tx, entry: Entry, lots: Sequence[Lot], points: int) -> None:
    left = points
    updates, takes = [], []
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        if take:
            lot.remaining -= take
            left -= take
            updates.append((lot.remaining, lot.id))
            takes.append((entry.id, lot.id, take))
    tx.run_many("UPDATE points_lots SET remaining = ? WHERE id = ?", updates)
    tx.run_many("INSERT INTO lot_consumptions (entry_id, lot_id, points) VALUES (?, ?, ?)", takes)


def debit(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    allow_negative: bool = False,
    prefer_entries: Sequence[int] = (),
    lots: list[Lot] | None = None,
    **refs: Any,
) -> Entry:
    """Take points, first-expiring lot first (lots of ``prefer_entries`` before any other).

    Without ``allow_negative`` a debit larger than the spendable points is refused
    and nothing is written. ``lots`` may pass the member's lots already loaded in
    this transaction.
    """
    if points <= 0:
        raise ValueError("debit needs a positive number of points")
    lots = member_lots(tx, member.id) if lots is None else lots
    due, live = split_due(lots, now)
    available = sum(lot.remaining for lot in live)
    if points > available and not allow_negative:
        raise InsufficientPoints(f"the member has {available} points, {points} are needed")
    due = expirable(tx, ctx, due)
    if due:
        # lots past expiry go first, as their own entry: HQ hears of it in its own event
        # (the caller's event lists only the entries it made itself)
        expired = _expire(tx, ctx, member, due, now, staff_id)
        emit(tx, "points.expired", {"entries": [expired.payload()]}, now)
    if prefer_entries:
        preferred = set(prefer_entries)
        live.sort(key=lambda lot: lot.entry_id not in preferred)
    entry = _entry(tx, ctx, member, kind=kind, points=-points, now=now, staff_id=staff_id, **refs)
    _consume(tx, entry, live, points)
    return entry


def entry_exists(tx: Tx, entry_uuid: str) -> bool:
    return tx.value("SELECT 1 FROM ledger_entries WHERE uuid = ?", (entry_uuid,)) is not None


def post_remote(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    *,
    entry_uuid: str,
    kind: str,
    points: int,
    created_at: dt.datetime,
    business_day: dt.date,
    origin: tuple[str, str],
    reason: str = "",
) -> Entry:
    """Post an entry another device made (pulled from HQ's feed) under its own uuid.

    The caller checks first that the uuid is not here yet (:func:`entry_exists`).
    The entry keeps its kind, points, time, business day and origin (store code,
    device code); staff, sale, return and redemption stay empty (those rows live in
    the other store). ``balance_after`` is this store's balance after it.

    A credit repays a negative balance first, then forms a lot expiring by the program's
    rule for ``created_at`` (the rule the origin store applied). A debit takes the lots
    first-expiring first, past-due lots included, without writing an expiry entry of its
    own; what the lots cannot cover takes the balance below zero (HQ already accepted it).
    """
    if points == 0:
        raise ValueError("a ledger entry moves at least one point")
    remote = {
        "entry_uuid": entry_uuid,
        "business_day": business_day,
        "origin": origin,
        "reason": reason,
    }
    if points > 0:
        return credit(
            tx, ctx, member, kind=kind, points=points, now=created_at, staff_id=None, **remote
        )
    lots = member_lots(tx, member.id)
    entry = _entry(
        tx, ctx, member, kind=kind, points=points, now=created_at, staff_id=None, **remote
    )
    _consume(tx, entry, lots, -points)
    return entry


@dataclass(frozen=True)
class GiveBackPlan:
    """Where a give-back's points will go: repaying a negative balance, or into lots."""

    debt_repaid: int
    #: (lot id, points, expires_at) in the order they are put back
    into_lots: tuple[tuple[int, int, dt.datetime | None], ...]
    #: points with no lot to go back to (a fresh lot takes them)
    fresh: int

    def expired_at(self, now: dt.datetime) -> int:
        """Points that land in lots already past expiry: they expire, the member cannot use
        them (as if they had never been spent)."""
        return sum(p for _lot, p, exp in self.into_lots if exp is not None and exp <= now)


def plan_give_back(
    tx: Tx,
    member: MemberRow,
    points: int,
    *,
    taken_by: Sequence[int],
    given_back_by: Sequence[int],
) -> GiveBackPlan:
    """How :func:`give_back` would return ``points``: longest-lived lots first, the member
    gets back the most valuable points first. Used by quotes too, so they agree."""
    debt = min(points, max(0, -member.balance))
    left = points - debt
    if not left or not taken_by:
        return GiveBackPlan(debt, (), left)
    marks = ",".join("?" * len(taken_by))
    back_marks = ",".join("?" * len(given_back_by)) or "NULL"
    rows = tx.rows(
        f"SELECT l.id, l.points, l.remaining, l.expires_at, "
        f"  (SELECT COALESCE(SUM(points), 0) FROM lot_consumptions c "
        f"   WHERE c.lot_id = l.id AND c.points > 0 AND c.entry_id IN ({marks})), "
        f"  (SELECT COALESCE(-SUM(points), 0) FROM lot_consumptions c "
        f"   WHERE c.lot_id = l.id AND c.points < 0 AND c.entry_id IN ({back_marks})) "
        f"FROM points_lots l WHERE l.id IN "
        f"  (SELECT lot_id FROM lot_consumptions WHERE entry_id IN ({marks}))",
        (*taken_by, *given_back_by, *taken_by),
    )
    lots = [
        (lot_id, pts, rem, from_db(exp), taken, back) for lot_id, pts, rem, exp, taken, back in rows
    ]
    lots.sort(key=lambda r: (r[3] or _FAR, r[0]), reverse=True)
    into = []
    for lot_id, lot_points, remaining, expires, taken, returned in lots:
        put = min(taken - returned, lot_points - remaining, left)
        if put > 0:
            left -= put
            into.append((lot_id, put, expires))
    return GiveBackPlan(debt, tuple(into), left)


def give_back(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    staff_id: str | None,
    taken_by: Sequence[int],
    given_back_by: Sequence[int],
    **refs: Any,
) -> Entry:
    """Return points that ``taken_by`` entries spent into the lots they came from.

    The points keep their original expiry (a lot already past it expires at the
    next run). ``given_back_by`` are earlier give-backs of the same spending.
    """
    if points <= 0:
        raise ValueError("give_back needs a positive number of points")
    plan = plan_give_back(tx, member, points, taken_by=taken_by, given_back_by=given_back_by)
    entry = _entry(tx, ctx, member, kind=kind, points=points, now=now, staff_id=staff_id, **refs)
    tx.run_many(
        "UPDATE points_lots SET remaining = remaining + ? WHERE id = ?",
        [(put, lot_id) for lot_id, put, _exp in plan.into_lots],
    )
    tx.run_many(
        "INSERT INTO lot_consumptions (entry_id, lot_id, points) VALUES (?, ?, ?)",
        [(entry.id, lot_id, -put) for lot_id, put, _exp in plan.into_lots],
    )
    if plan.fresh:
        # nothing left to return into (should not happen): a fresh lot keeps the invariant
        _new_lot(tx, member, entry, plan.fresh, now, lot_expiry(ctx.program, now))
    return entry


def linked_to_hq(tx: Tx) -> bool:
    return tx.value("SELECT hq_url FROM sync_state WHERE id = 1") is not None


def expirable(tx: Tx, ctx: Context, due: Sequence[Lot]) -> list[Lot]:
    """The due lots this store expires itself.

    A standalone store expires them all. In a chain every store holds a copy of each
    lot, so only the store that earned a lot expires it; its expiry entry reaches the
    other stores through HQ. Otherwise each store would take the same points again.
    Meanwhile a due lot counts for nothing here (it is never spent).
    """
    if not due or not linked_to_hq(tx):
        return list(due)
    ids = [lot.entry_id for lot in due]
    own = {
        row[0]
        for row in tx.rows(
            f"SELECT id FROM ledger_entries WHERE id IN ({','.join('?' * len(ids))}) "
            "AND store_code = ? AND device_code = ?",
            (*ids, ctx.store_code, ctx.device_code),
        )
    }
    return [lot for lot in due if lot.entry_id in own]


def _expire(
    tx: Tx,
    ctx: Context,
    member: MemberRow,
    due: Sequence[Lot],
    now: dt.datetime,
    staff_id: str | None,
) -> Entry:
    total = sum(lot.remaining for lot in due)
    entry = _entry(
        tx,
        ctx,
        member,
        kind="expiry",
        points=-total,
        now=now,
        staff_id=staff_id,
        reason="points expired",
    )
    _consume(tx, entry, due, total)
    return entry


def expire_due(
    tx: Tx, ctx: Context, member: MemberRow, now: dt.datetime, staff_id: str | None = None
) -> Entry | None:
    """Expire the member's lots due at ``now``: one entry, lots emptied. Idempotent."""
    due, _live = split_due(member_lots(tx, member.id), now)
    due = expirable(tx, ctx, due)
    if not due:
        return None
    return _expire(tx, ctx, member, due, now, staff_id)
