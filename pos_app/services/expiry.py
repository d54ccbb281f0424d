"""The expiry run: empties due lots with one ledger entry per member. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.db.raw import Tx, to_db
from pos_app.db.store import StoreDB
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import context
from pos_app.services.ledger import expire_due, linked_to_hq, load_member
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
            tx = Tx.of(s)
            ctx = context(db, tx)
            # in a chain only lots earned here (see ledger.expirable)
            everyone = not linked_to_hq(tx)
            due = [
                row[0]
                for row in tx.rows(
                    "SELECT DISTINCT l.member_id FROM points_lots l "
                    "JOIN ledger_entries e ON e.id = l.entry_id "
                    "WHERE l.remaining > 0 AND l.expires_at <= ? "
                    "AND (? OR (e.store_code = ? AND e.device_code = ?)) LIMIT ?",
                    (to_db(now), everyone, ctx.store_code, ctx.device_code, BATCH),
                )
            ]
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
                entry = expire_due(tx, ctx, load_member(tx, member_id), now, actor.staff_id)
                if entry is not None:
                    entries.append(entry)
                    members += 1
                    points += -entry.points
            emit(tx, "points.expired", {"entries": [e.payload() for e in entries]}, now)
    return ExpiryReport(members, points)
