"""The expiry run: empties due lots with one ledger entry per member. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from pos_app.db.models import Member, PointsLot
from pos_app.db.store import StoreDB
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import context
from pos_app.services.ledger import entry_payload, expire_due
from pos_app.services.outbox import emit

BATCH = 500


@dataclass(frozen=True)
class ExpiryReport:
    members: int
    points: int


def run_expiry(db: StoreDB, *, actor: StaffSession, now: dt.datetime) -> ExpiryReport:
    """Expire every lot due at ``now``; a second run at the same ``now`` finds nothing.

    Works in batches of members, each its own short transaction, so the counter
    keeps selling during a large run.
    """
    authorize(db, actor, Permission.RUN_EXPIRY)
    members = points = 0
    while True:
        with db.write() as s:
            ctx = context(db, s)
            due = list(
                s.scalars(
                    select(PointsLot.member_id)
                    .where(PointsLot.remaining > 0, PointsLot.expires_at <= now)
                    .distinct()
                    .limit(BATCH)
                )
            )
            if not due:
                audit(
                    s,
                    actor.staff_id,
                    "expiry.run",
                    now.isoformat(),
                    {"members": members, "points": points},
                    now,
                )
                break
            entries = []
            for member_id in due:
                member = s.get(Member, member_id)
                assert member is not None
                entry = expire_due(s, ctx, member, now, actor.staff_id)
                if entry is not None:
                    entries.append(entry)
                    members += 1
                    points += -entry.points
            emit(s, "points.expired", {"entries": [entry_payload(e) for e in entries]}, now)
    return ExpiryReport(members, points)
