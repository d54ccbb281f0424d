"""The audit log of sensitive actions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from pos_app.db.models import AuditEntry


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
