"""Points credited or taken by staff: activity bonuses and manual adjustments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.db.raw import Tx
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound
from pos_app.money import require_points
from pos_app.services.audit import audit, require_reason
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import context
from pos_app.services.ledger import credit, debit, effective_balance, load_member
from pos_app.services.outbox import emit


@dataclass(frozen=True)
class PointsMoved:
    entry_id: str
    points: int
    balance: int


def credit_activity(
    db: StoreDB,
    *,
    actor: StaffSession,
    member_id: str,
    activity: str,
    reason: str,
    now: dt.datetime,
) -> PointsMoved:
    """Credit a bonus the program lists (check-in streak, review, event) with a reason."""
    authorize(db, actor, Permission.CREDIT_ACTIVITY)
    text = require_reason(reason)
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        defined = ctx.program.definition.bonuses.activities.get(activity)
        if defined is None:
            raise NotFound(f"the program has no activity {activity!r}", field="activity")
        member = load_member(tx, member_id)
        if member.status != "active":
            raise InvalidInput(f"this membership is {member.status}", field="member")
        entry = credit(
            tx,
            ctx,
            member,
            kind="activity_bonus",
            points=defined.points,
            now=now,
            staff_id=actor.staff_id,
            reason=f"{activity}: {text}",
        )
        emit(tx, "points.activity", {"entries": [entry.payload()], "activity": activity}, now)
        audit(
            s,
            actor.staff_id,
            "points.activity",
            member.id,
            {"activity": activity, "points": defined.points, "reason": text},
            now,
        )
        return PointsMoved(entry.uuid, entry.points, effective_balance(tx, member, now))


def adjust_points(
    db: StoreDB,
    *,
    actor: StaffSession,
    member_id: str,
    points: int,
    reason: str,
    now: dt.datetime,
) -> PointsMoved:
    """Manager-only correction, up or down, always with a reason; never below zero."""
    authorize(db, actor, Permission.ADJUST_POINTS)
    require_points(points, allow_negative=True)
    if points == 0:
        raise InvalidInput("an adjustment moves at least one point", field="points")
    text = require_reason(reason)
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        member = load_member(tx, member_id)
        if points > 0:
            entry = credit(
                tx,
                ctx,
                member,
                kind="adjustment",
                points=points,
                now=now,
                staff_id=actor.staff_id,
                reason=text,
            )
        else:
            entry = debit(
                tx,
                ctx,
                member,
                kind="adjustment",
                points=-points,
                now=now,
                staff_id=actor.staff_id,
                reason=text,
            )
        emit(tx, "points.adjusted", {"entries": [entry.payload()]}, now)
        audit(
            s, actor.staff_id, "points.adjust", member.id, {"points": points, "reason": text}, now
        )
        return PointsMoved(entry.uuid, entry.points, effective_balance(tx, member, now))
