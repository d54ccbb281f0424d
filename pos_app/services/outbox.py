"""Outbox events: what HQ must hear, written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from pos_app.db.raw import Tx, to_db

SCHEMA_VERSION = 1


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_hash(payload_text: str) -> str:
    return hashlib.sha256(payload_text.encode("utf-8")).hexdigest()


def emit(tx: Tx, type_: str, payload: dict[str, Any], now: dt.datetime) -> tuple[int, str]:
    """Append an event with the device's next sequence number (gap-free: same transaction).

    Returns (sequence number, event id).
    """
    seq = tx.value(
        "UPDATE store_identity SET outbox_seq = outbox_seq + 1 WHERE id = 1 RETURNING outbox_seq"
    )
    text = canonical_json(payload)
    event_id = str(uuid.uuid4())
    tx.run(
        "INSERT INTO outbox_events (seq, event_id, type, schema_version, payload, payload_hash, "
        "created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
        (seq, event_id, type_, SCHEMA_VERSION, text, payload_hash(text), to_db(now)),
    )
    return seq, event_id
