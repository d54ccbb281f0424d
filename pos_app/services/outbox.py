"""Outbox events: what HQ must hear, written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from pos_app.db.models import OutboxEvent, StoreIdentity

SCHEMA_VERSION = 1


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_hash(payload_text: str) -> str:
    return hashlib.sha256(payload_text.encode("utf-8")).hexdigest()


def emit(s: Session, type_: str, payload: dict[str, Any], now: dt.datetime) -> OutboxEvent:
    """Append an event with the device's next sequence number (no gaps: same transaction)."""
    seq = s.execute(
        update(StoreIdentity)
        .where(StoreIdentity.id == 1)
        .values(outbox_seq=StoreIdentity.outbox_seq + 1)
        .returning(StoreIdentity.outbox_seq)
    ).scalar_one()
    text = canonical_json(payload)
    event = OutboxEvent(
        seq=seq,
        event_id=str(uuid.uuid4()),
        type=type_,
        schema_version=SCHEMA_VERSION,
        payload=text,
        payload_hash=payload_hash(text),
        created_at=now,
        status="pending",
    )
    s.add(event)
    return event
