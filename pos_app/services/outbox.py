"""Outbox events: what HQ must hear, written in the same transaction as the change.

The sync client reads the pending events in sequence order (:func:`pending_events`),
pushes them, and records HQ's answer (:func:`record_push_results`): accepted and
duplicate events are acknowledged, rejected ones are kept with HQ's reason for the
manager (:func:`rejected_events`); nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pos_app.db.raw import Tx, from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput

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


@dataclass(frozen=True)
class OutboxRow:
    """One event as the device wrote it (``payload`` is the canonical JSON text)."""

    seq: int
    event_id: str
    type: str
    schema_version: int
    payload: str
    payload_hash: str
    created_at: dt.datetime


@dataclass(frozen=True)
class RejectedEvent:
    """An event HQ refused, kept (never deleted) for the manager's screen."""

    seq: int
    event_id: str
    type: str
    payload: str
    created_at: dt.datetime
    #: when the push that HQ refused it in was recorded
    rejected_at: dt.datetime | None
    reject_reason: str


class PushCounts(NamedTuple):
    """What :func:`record_push_results` did with HQ's answer."""

    acked: int
    rejected: int
    #: results not recorded: above ``acked_through``, or for events not pending (any more)
    left: int


class OutboxSummary(NamedTuple):
    pending: int
    rejected: int
    oldest_pending_at: dt.datetime | None


PUSH_STATUSES = ("accepted", "duplicate", "rejected")
_COLUMNS = "seq, event_id, type, schema_version, payload, payload_hash, created_at"


def _row(row: Sequence[Any]) -> OutboxRow:
    seq, event_id, type_, version, payload, digest, created = row
    created_at = from_db(created)
    assert created_at is not None
    return OutboxRow(seq, event_id, type_, version, payload, digest, created_at)


def pending_events(db: StoreDB, limit: int = 500) -> list[OutboxRow]:
    """The oldest ``limit`` events HQ has not acknowledged, in sequence order."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput("limit must be a positive whole number", field="limit")
    with read_tx(db.engine) as tx:
        return [
            _row(r)
            for r in tx.rows(
                f"SELECT {_COLUMNS} FROM outbox_events WHERE status = 'pending' "
                "ORDER BY seq LIMIT ?",
                (limit,),
            )
        ]


def record_push_results(
    db: StoreDB,
    results: Sequence[tuple[str, str, str | None]],
    acked_through: int,
    now: dt.datetime,
) -> PushCounts:
    """Record HQ's answer to a push, in one transaction.

    ``results`` are (event id, status, reason), status ``accepted``, ``duplicate``
    (both: acknowledged) or ``rejected`` (kept with the reason). Only pending events
    with a sequence number up to ``acked_through`` (what HQ says it has committed) are
    marked; the others stay pending and go again with the next push. A pending event
    HQ did not answer for stays pending too (HQ answers ``duplicate`` next time).
    Recording the same answer twice changes nothing.
    """
    for i, (_event_id, status, _reason) in enumerate(results):
        if status not in PUSH_STATUSES:
            raise InvalidInput(f"unknown push result {status!r}", field=f"results[{i}].status")
    stamp = to_db(now)
    acked = rejected = 0
    # the acknowledged ones in one statement (a batch is hundreds of events)
    ok_ids = json.dumps([event_id for event_id, status, _ in results if status != "rejected"])
    with db.write_raw() as tx:
        for event_id, status, reason in results:
            if status == "rejected":
                done = tx.run(
                    "UPDATE outbox_events SET status = 'rejected', acked_at = ?, "
                    "reject_reason = ? WHERE event_id = ? AND status = 'pending' AND seq <= ?",
                    (stamp, reason or "rejected by HQ (no reason given)", event_id, acked_through),
                ).rowcount
                rejected += done
        acked = tx.run(
            "UPDATE outbox_events SET status = 'acked', acked_at = ? "
            "WHERE event_id IN (SELECT value FROM json_each(?)) AND status = 'pending' "
            "AND seq <= ?",
            (stamp, ok_ids, acked_through),
        ).rowcount
    return PushCounts(acked, rejected, len(results) - acked - rejected)


def outbox_summary(db: StoreDB) -> OutboxSummary:
    """(events waiting for HQ, events HQ rejected, when the oldest waiting one was made)."""
    with read_tx(db.engine) as tx:
        pending, rejected, oldest = tx.row(
            "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'rejected'), 0), "
            "MIN(CASE WHEN status = 'pending' THEN created_at END) FROM outbox_events"
        )
    return OutboxSummary(int(pending), int(rejected), from_db(oldest))


def rejected_events(db: StoreDB, limit: int = 200) -> list[RejectedEvent]:
    """Events HQ refused, newest first, with HQ's reasons."""
    with read_tx(db.engine) as tx:
        rows = tx.rows(
            "SELECT seq, event_id, type, payload, created_at, acked_at, reject_reason "
            "FROM outbox_events WHERE status = 'rejected' ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
    events = []
    for seq, event_id, type_, payload, created, rejected_at, reason in rows:
        created_at = from_db(created)
        assert created_at is not None
        events.append(
            RejectedEvent(
                seq, event_id, type_, payload, created_at, from_db(rejected_at), reason or ""
            )
        )
    return events


def pending_entries(tx: Tx, member_id: str) -> list[dict[str, Any]]:
    """The member's ledger entries (payloads) in events HQ has not acknowledged yet."""
    entries = []
    for (text,) in tx.rows(
        "SELECT payload FROM outbox_events WHERE status = 'pending' AND instr(payload, ?) > 0 "
        "ORDER BY seq",
        (member_id,),
    ):
        for entry in json.loads(text).get("entries", ()):
            if entry.get("member_id") == member_id:
                entries.append(entry)
    return entries


def unacked_spend(db: StoreDB, member_id: str) -> int:
    """Points this device took from the member (its negative entries) in events HQ has not
    acknowledged yet: what to tell HQ when asking it to approve a spend."""
    with read_tx(db.engine) as tx:
        return sum(-e["points"] for e in pending_entries(tx, member_id) if e["points"] < 0)


def pending_stock_change(tx: Tx, gift_id: str) -> int:
    """The change of this store's stock of a gift in redemption and cancel events HQ has
    not acknowledged yet (-1 per redemption, +1 per cancel)."""
    total = 0
    for type_, text in tx.rows(
        "SELECT type, payload FROM outbox_events WHERE status = 'pending' "
        "AND type IN ('gift.redeemed', 'gift.cancelled')"
    ):
        data = json.loads(text)
        redemption_id = (
            data["redemption"]["id"] if type_ == "gift.redeemed" else data["redemption_id"]
        )
        if (
            tx.value("SELECT gift_id FROM gift_redemptions WHERE id = ?", (redemption_id,))
            == gift_id
        ):
            total += int(data.get("stock_change", 0))
    return total
