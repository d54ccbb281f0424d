"""The audit log of sensitive actions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from pos_app.db.models import AuditEntry
from pos_app.errors import InvalidInput

MIN_REASON = 4


def audit(
    s: Session,
    staff_id: str | None,
    action: str,
    target: str,
    details: dict[str, Any],
    now: dt.datetime,
) -> None:
    s.add(
        AuditEntry(
            at=now,
            staff_id=staff_id,
            action=action,
            target=target,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def require_reason(reason: str) -> str:
    """The reason a person gives for a sensitive action, tidied; a few words at least."""
    text = " ".join((reason or "").split()) if isinstance(reason, str) else ""
    if len(text) < MIN_REASON:
        raise InvalidInput("give a reason (a few words) for the record", field="reason")
    return text
