"""Opening the cash drawer outside a sale: a manager's action, always in the audit log."""

from __future__ import annotations

import datetime as dt

from pos_app.db.store import StoreDB
from pos_app.services.audit import audit, require_reason
from pos_app.services.auth import Permission, StaffSession, authorize


def record_drawer_open(
    db: StoreDB,
    *,
    actor: StaffSession,
    approver: StaffSession | None,
    reason: str,
    now: dt.datetime,
) -> StaffSession:
    """Check who opens the drawer and why, and record it; returns the manager who allowed it.

    A manager may open it themselves; a cashier needs a manager's approval.
    """
    reason = require_reason(reason)
    authorize(db, actor, Permission.SELL)
    manager = approver or actor
    authorize(db, manager, Permission.OPEN_DRAWER)
    with db.write() as s:
        audit(
            s,
            manager.staff_id,
            "drawer.open",
            "",
            {"requested_by": actor.code, "approved_by": manager.code, "reason": reason},
            now,
        )
    return manager
