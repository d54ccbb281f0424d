"""What HQ does with a push, a pull and an authorisation request.

Exactly once: a pushed event is recorded under its id (the primary key) in the
same transaction that applies it, and a device's events are applied strictly in
sequence order under a lock on the device's row, so the same batch pushed twice,
or twice at once, or again after a crash on either side, changes nothing the
second time. An id seen before with a different payload is refused loudly.

Ledger entries keep their store-given ids: an entry can enter ``hq_ledger`` once,
and the member's balance moves in the same statement batch. Every change other
stores need is appended to ``hq_feed``; its cursor is taken from a counter row
whose lock is held to commit, so a reader never sees cursor n+1 before n.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from sync.protocol import (
    MAX_BOOTSTRAP_PAGE,
    MAX_PULL_PAGE,
    AuthorizeRequest,
    AuthorizeResponse,
    Change,
    EventResult,
    OutboxEvent,
    PullResponse,
    PushRequest,
    PushResponse,
)

log = logging.getLogger(__name__)

#: bump when the meaning of feed rows changes: stores then refetch from cursor 0
FEED_SCHEMA = 1
#: no single ledger entry moves more (the columns are 64-bit; balances must not overflow)
MAX_ENTRY_POINTS = 10**12


@dataclass(frozen=True)
class DeviceIdentity:
    id: int
    store_code: str
    device_code: str

    @property
    def origin(self) -> str:
        return f"{self.store_code}/{self.device_code}"


class Rejected(Exception):
    """The event cannot be applied; it is recorded as rejected with this reason."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json(data: dict[str, Any]) -> str:
    return _ENCODER.encode(data)


def feed(
    conn: Connection,
    kind: str,
    data: dict[str, Any],
    now: dt.datetime,
    *,
    origin: str | None = None,
    scope: str | None = None,
) -> int:
    """Append a change to the feed (inside the caller's transaction)."""
    cursor = conn.execute(
        text("UPDATE hq_counters SET value = value + 1 WHERE name = 'feed' RETURNING value")
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO hq_feed (cursor, kind, origin, scope, data, created_at) "
            "VALUES (:cursor, :kind, :origin, :scope, :data, :now)"
        ),
        {
            "cursor": cursor,
            "kind": kind,
            "origin": origin,
            "scope": scope,
            "data": _json(data),
            "now": naive_utc(now),
        },
    )
    return int(cursor)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """UTC without tzinfo, as the UTCDateTime columns store it (for text() statements)."""
    offset = value.utcoffset()
    if offset is None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(tzinfo=None) - offset  # the same, without a time zone object


def _parse_time(value: object, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise Rejected(f"{field} is missing")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(f"{field} is not a date and time: {value!r}") from None
    if parsed.tzinfo is None:
        raise Rejected(f"{field} has no time zone")
    try:
        parsed.astimezone(dt.UTC)
    except OverflowError:
        raise Rejected(f"{field} is out of range") from None
    return parsed


# -- applying one event ------------------------------------------------------------------


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str | None:
    """A text field as HQ's columns can hold it (no NUL, within the column's length)."""
    if value is None or value == "":
        if required:
            raise Rejected(f"{field} is missing")
        return None
    if not isinstance(value, str):
        raise Rejected(f"{field} must be text")
    if len(value) > limit or "\x00" in value:
        raise Rejected(f"{field} is not valid (at most {limit} characters)")
    return value


def _member_row(m: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    for field, limit in (("id", 36), ("name", 80), ("tier_code", 40)):
        _text(m.get(field), f"member.{field}", 10_000 if field == "name" else limit, required=True)
    phone = _text(m.get("phone"), "member.phone", 11)
    if phone is not None and not phone.isdigit():
        raise Rejected("member.phone must be digits")
    _text(m.get("status"), "member.status", 16)
    _text(m.get("home_store"), "member.home_store", 16)
    _text(m.get("referrer_id"), "member.referrer_id", 36)
    return {
        "id": m["id"],
        "name": m["name"][:80],
        "phone": phone,
        "tier_code": m["tier_code"],
        "status": m.get("status") or "active",
        "home_store": m.get("home_store"),
        "referrer_id": m.get("referrer_id"),
        "created_at": naive_utc(_parse_time(m.get("created_at"), "member.created_at")),
        "now": naive_utc(now),
    }


def _member_change(conn: Connection, member_id: str) -> dict[str, Any]:
    row = conn.execute(
        text(
            "SELECT id, name, phone, tier_code, status, home_store, referrer_id, created_at, "
            "pin_hash FROM hq_members WHERE id = :id"
        ),
        {"id": member_id},
    ).one()
    created = row.created_at
    if isinstance(created, str):  # SQLite hands text() timestamps back as text
        created = dt.datetime.fromisoformat(created)
    return {
        "id": row.id,
        "name": row.name,
        "phone": row.phone,
        "tier_code": row.tier_code,
        "status": row.status,
        "home_store": row.home_store,
        "referrer_id": row.referrer_id,
        "created_at": created.replace(tzinfo=dt.UTC).isoformat(),
        "pin_hash": row.pin_hash,
    }


def _register(conn: Connection, payload: dict[str, Any], origin: str, now: dt.datetime) -> None:
    member = payload.get("member")
    if not isinstance(member, dict):
        raise Rejected("member is missing")
    row = _member_row(member, now)
    if row["phone"]:
        other = conn.execute(
            text("SELECT id FROM hq_members WHERE phone = :phone AND id != :id"),
            {"phone": row["phone"], "id": row["id"]},
        ).scalar()
        if other is not None:
            raise Rejected("this phone number belongs to another member at HQ")
    inserted = conn.execute(
        text(
            "INSERT INTO hq_members (id, name, phone, tier_code, status, home_store, "
            "referrer_id, balance, created_at, updated_at) VALUES (:id, :name, :phone, "
            ":tier_code, :status, :home_store, :referrer_id, 0, :created_at, :now) "
            "ON CONFLICT (id) DO NOTHING"
        ),
        row,
    ).rowcount
    if inserted:
        feed(conn, "member", _member_change(conn, row["id"]), now, origin=origin)
    card = member.get("card")
    if card:
        _add_card(conn, row["id"], str(card), "active", origin, now)


def _add_card(
    conn: Connection, member_id: str, card: str, status: str, origin: str, now: dt.datetime
) -> None:
    _text(card, "card", 32, required=True)
    _text(status, "card status", 16, required=True)
    owner = conn.execute(
        text("SELECT member_id FROM hq_cards WHERE card_no = :card"), {"card": card}
    ).scalar()
    if owner is not None and owner != member_id:
        raise Rejected(f"card {card} belongs to another member at HQ")
    if owner is None:
        conn.execute(
            text(
                "INSERT INTO hq_cards (card_no, member_id, status) VALUES (:card, :member, :status)"
            ),
            {"card": card, "member": member_id, "status": status},
        )
    else:
        conn.execute(
            text("UPDATE hq_cards SET status = :status WHERE card_no = :card"),
            {"card": card, "status": status},
        )
    feed(
        conn,
        "card",
        {"card_no": card, "member_id": member_id, "status": status},
        now,
        origin=origin,
    )


def _require_member(conn: Connection, member_id: object) -> str:
    if not isinstance(member_id, str) or not member_id:
        raise Rejected("member_id is missing")
    exists = conn.execute(
        text("SELECT 1 FROM hq_members WHERE id = :id"), {"id": member_id}
    ).scalar()
    if exists is None:
        raise Rejected(f"unknown member {member_id}")
    return member_id


def _set_tier(
    conn: Connection, member_id: str, tier: object, origin: str, now: dt.datetime
) -> None:
    if not isinstance(tier, str) or not tier:
        raise Rejected("the new tier is missing")
    conn.execute(
        text("UPDATE hq_members SET tier_code = :tier, updated_at = :now WHERE id = :id"),
        {"tier": tier, "now": naive_utc(now), "id": member_id},
    )
    feed(conn, "member", _member_change(conn, member_id), now, origin=origin)


def _entries(
    conn: Connection,
    entries: object,
    device: DeviceIdentity,
    event_id: str,
    now: dt.datetime,
) -> None:
    if not isinstance(entries, list):
        raise Rejected("entries must be a list")
    for entry in entries:
        if not isinstance(entry, dict):
            raise Rejected("an entry must be an object")
        entry_id, points = entry.get("entry_id"), entry.get("points")
        if not isinstance(entry_id, str) or len(entry_id) != 36:
            raise Rejected("entry_id is missing")
        if isinstance(points, bool) or not isinstance(points, int) or points == 0:
            raise Rejected(f"entry {entry_id}: points must be a non-zero whole number")
        if abs(points) > MAX_ENTRY_POINTS:
            raise Rejected(f"entry {entry_id}: {points} points is beyond any program")
        member_id = _require_member(conn, entry.get("member_id"))
        created = _parse_time(entry.get("created_at"), f"entry {entry_id} created_at")
        try:
            day = dt.date.fromisoformat(str(entry.get("business_day")))
        except ValueError:
            raise Rejected(f"entry {entry_id}: business_day is not a date") from None
        inserted = conn.execute(
            text(
                "INSERT INTO hq_ledger (entry_id, member_id, kind, points, store_code, "
                "device_code, event_id, created_at, business_day, reason, received_at) "
                "VALUES (:entry_id, :member_id, :kind, :points, :store, :device, :event, "
                ":created, :day, :reason, :now) ON CONFLICT (entry_id) DO NOTHING"
            ),
            {
                "entry_id": entry_id,
                "member_id": member_id,
                "kind": str(entry.get("kind", ""))[:24],
                "points": points,
                "store": device.store_code,
                "device": device.device_code,
                "event": event_id,
                "created": naive_utc(created),
                "day": day,
                "reason": str(entry.get("reason", ""))[:200],
                "now": naive_utc(now),
            },
        ).rowcount
        if not inserted:
            same = conn.execute(
                text("SELECT member_id, points FROM hq_ledger WHERE entry_id = :id"),
                {"id": entry_id},
            ).one()
            if (same.member_id, same.points) != (member_id, points):
                raise Rejected(f"entry {entry_id} was already received with other figures")
            continue
        balance = conn.execute(
            text(
                "UPDATE hq_members SET balance = balance + :points, updated_at = :now, "
                "overdraft_since = CASE WHEN balance + :points < 0 "
                "THEN COALESCE(overdraft_since, :now) ELSE NULL END "
                "WHERE id = :id RETURNING balance"
            ),
            {"points": points, "now": naive_utc(now), "id": member_id},
        ).scalar_one()
        if balance < 0:
            log.warning("member %s overdrawn to %s by %s", member_id, balance, device.origin)
        change = {
            key: entry.get(key)
            for key in ("entry_id", "member_id", "kind", "points", "created_at", "business_day")
        }
        change.update(
            reason=str(entry.get("reason", ""))[:200],
            store_code=device.store_code,
            device_code=device.device_code,
        )
        feed(conn, "ledger", change, now, origin=device.origin)


def _set_pin_hash(conn: Connection, payload: dict[str, Any], origin: str, now: dt.datetime) -> None:
    """A member's new kiosk PIN (its hash) for every store's kiosk, through the feed."""
    member_id = _require_member(conn, payload.get("member_id"))
    pin_hash = payload.get("pin_hash")
    if not isinstance(pin_hash, str) or not pin_hash.startswith("scrypt$") or len(pin_hash) > 200:
        raise Rejected("pin_hash must be a scrypt hash")
    conn.execute(
        text("UPDATE hq_members SET pin_hash = :hash, updated_at = :now WHERE id = :id"),
        {"hash": pin_hash, "now": naive_utc(now), "id": member_id},
    )
    feed(conn, "member", _member_change(conn, member_id), now, origin=origin)


def apply_event(
    conn: Connection, event: OutboxEvent, device: DeviceIdentity, now: dt.datetime
) -> None:
    """Apply one event's effects (raise :class:`Rejected` to refuse it)."""
    try:
        payload = json.loads(event.payload)
    except ValueError:
        raise Rejected("the payload is not JSON") from None
    if not isinstance(payload, dict):
        raise Rejected("the payload must be an object")
    origin = device.origin
    kind = event.type
    if kind == "member.registered":
        _register(conn, payload, origin, now)
    elif kind == "member.card_added":
        member_id = _require_member(conn, payload.get("member_id"))
        _add_card(conn, member_id, str(payload.get("card", "")), "active", origin, now)
    elif kind == "member.card_replaced":
        member_id = _require_member(conn, payload.get("member_id"))
        old = str(payload.get("old_card", ""))
        _add_card(conn, member_id, old, str(payload.get("status") or "lost"), origin, now)
        _add_card(conn, member_id, str(payload.get("new_card", "")), "active", origin, now)
    elif kind == "member.pin_set":
        _set_pin_hash(conn, payload, origin, now)
        return
    elif kind == "member.tier_changed":
        member_id = _require_member(conn, payload.get("member_id"))
        _entries(conn, payload.get("entries", []), device, event.event_id, now)
        _set_tier(conn, member_id, payload.get("new_tier"), origin, now)
        return
    _entries(conn, payload.get("entries", []), device, event.event_id, now)
    if kind == "sale.completed" and payload.get("tier_change"):
        sale = payload.get("sale")
        member_id = _require_member(conn, sale.get("member_id") if isinstance(sale, dict) else None)
        change = payload["tier_change"]
        if not isinstance(change, list) or len(change) != 2:
            raise Rejected("tier_change must be [old tier, new tier]")
        _set_tier(conn, member_id, change[1], origin, now)


# -- push --------------------------------------------------------------------------------


def _storable(text_: str) -> str:
    """Text PostgreSQL can hold: no NUL, no lone surrogate (kept visible as escapes)."""
    text_ = text_.replace("\x00", "\\u0000")
    return text_.encode("utf-8", "backslashreplace").decode("utf-8")


def _event_row(
    event: OutboxEvent, device: DeviceIdentity, status: str, reason: str | None, now: dt.datetime
) -> dict[str, Any]:
    """The ``hq_events`` row that records ``event`` (a rejected one's text made storable)."""
    try:
        created = naive_utc(event.created_at)
    except OverflowError:
        created = naive_utc(now)
    return {
        "id": event.event_id,
        "store": device.store_code,
        "device": device.device_code,
        "seq": event.seq,
        "type": event.type,
        "schema": event.schema_version,
        "hash": event.payload_hash,
        "payload": _storable(event.payload) if status == "rejected" else event.payload,
        "created": created,
        "now": naive_utc(now),
        "status": status,
        "reason": None if reason is None else _storable(reason),
    }


def _record(
    conn: Connection,
    event: OutboxEvent,
    device: DeviceIdentity,
    status: str,
    reason: str | None,
    now: dt.datetime,
) -> None:
    conn.execute(
        text(
            "INSERT INTO hq_events (event_id, store_code, device_code, seq, type, "
            "schema_version, payload_hash, payload, created_at, received_at, status, reason) "
            "VALUES (:id, :store, :device, :seq, :type, :schema, :hash, :payload, :created, "
            ":now, :status, :reason)"
        ),
        _event_row(event, device, status, reason, now),
    )


def _lock_device(conn: Connection, device: DeviceIdentity) -> int:
    """The device's acknowledged sequence, its row locked until commit (one push at a time)."""
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    return int(
        conn.execute(
            text(f"SELECT acked_seq FROM hq_devices WHERE id = :id{lock}"), {"id": device.id}
        ).scalar_one()
    )


def _seen_result(event: OutboxEvent, device: DeviceIdentity, seen: Any) -> EventResult:
    """The answer for an event HQ has recorded before (``seen``: that row's store_code,
    device_code, seq, payload_hash, status and reason)."""
    same = (seen.store_code, seen.device_code, seen.seq, seen.payload_hash) == (
        device.store_code,
        device.device_code,
        event.seq,
        event.payload_hash,
    )
    if not same:
        log.error(
            "device %s pushed event %s again with different content",
            device.origin,
            event.event_id,
        )
        return EventResult(
            event_id=event.event_id,
            seq=event.seq,
            status="rejected",
            reason="this event id was already received with different content",
        )
    if seen.status == "rejected":
        return EventResult(
            event_id=event.event_id, seq=event.seq, status="rejected", reason=seen.reason
        )
    return EventResult(event_id=event.event_id, seq=event.seq, status="duplicate")


def _seq_used(event: OutboxEvent) -> EventResult:
    return EventResult(
        event_id=event.event_id,
        seq=event.seq,
        status="rejected",
        reason=f"sequence number {event.seq} was already used by another event",
    )


def _apply_one(
    conn: Connection, event: OutboxEvent, device: DeviceIdentity, now: dt.datetime
) -> EventResult:
    """Apply and record one new event, the next in its device's sequence, on its own."""
    status, reason = "accepted", None
    digest = hashlib.sha256(event.payload.encode("utf-8", "surrogatepass")).hexdigest()
    if digest != event.payload_hash:
        status, reason = "rejected", "the payload does not match its hash"
    else:
        savepoint = conn.begin_nested()
        try:
            apply_event(conn, event, device, now)
            _record(conn, event, device, status, reason, now)
        except Rejected as exc:
            savepoint.rollback()
            status, reason = "rejected", str(exc)
            log.warning("device %s event %s rejected: %s", device.origin, event.seq, exc)
        except (DBAPIError, ValueError, TypeError, OverflowError, UnicodeError) as exc:
            # something the checks above did not foresee: refuse this event (kept at
            # HQ and at the store, with the reason) rather than fail the whole push
            # and block the till for good
            savepoint.rollback()
            status = "rejected"
            reason = f"HQ could not apply this event ({type(exc).__name__})"
            log.exception("device %s event %s could not be applied", device.origin, event.seq)
        else:
            savepoint.commit()
    if status == "rejected":
        _record(conn, event, device, status, reason, now)
    return EventResult(event_id=event.event_id, seq=event.seq, status=status, reason=reason)  # type: ignore[arg-type]


def _finish_push(
    conn: Connection, device: DeviceIdentity, acked_through: int, now: dt.datetime
) -> None:
    conn.execute(
        text("UPDATE hq_devices SET acked_seq = :seq, last_push_at = :now WHERE id = :id"),
        {"seq": acked_through, "now": naive_utc(now), "id": device.id},
    )


def push(
    engine: Engine, device: DeviceIdentity, request: PushRequest, now: dt.datetime
) -> PushResponse:
    """Apply a batch of a device's events: on PostgreSQL set-based (:func:`_push_batched`),
    with :func:`push_per_event`'s answers; that path itself if the batch cannot be."""
    if engine.dialect.name != "postgresql":
        return push_per_event(engine, device, request, now)
    try:
        return _push_batched(engine, device, request, now)
    except (_BatchFailed, DBAPIError) as exc:
        # nothing of the batched attempt was committed: the events go one by one, each
        # refused on its own if it cannot be applied (a concurrent push of the same
        # entry, a balance out of range...)
        log.warning(
            "device %s: the batch could not be applied at once (%s); event by event",
            device.origin,
            type(exc).__name__,
        )
        return push_per_event(engine, device, request, now)


def push_per_event(
    engine: Engine, device: DeviceIdentity, request: PushRequest, now: dt.datetime
) -> PushResponse:
    """The reference push: each event looked up, applied and recorded on its own."""
    results: list[EventResult] = []
    with engine.begin() as conn:
        acked = _lock_device(conn, device)
        expected = acked + 1
        for event in sorted(request.events, key=lambda e: e.seq):
            seen = conn.execute(
                text(
                    "SELECT store_code, device_code, seq, payload_hash, status, reason "
                    "FROM hq_events WHERE event_id = :id"
                ),
                {"id": event.event_id},
            ).one_or_none()
            if seen is not None:
                results.append(_seen_result(event, device, seen))
                continue
            if event.seq < expected:
                results.append(_seq_used(event))
                continue
            if event.seq > expected:
                break  # a gap: the missing events must come first; the rest stay pending
            results.append(_apply_one(conn, event, device, now))
            expected += 1
        _finish_push(conn, device, expected - 1, now)
    return PushResponse(results=results, acked_through=expected - 1)


# -- push, set-based ---------------------------------------------------------------------
#
# A store's batch is mostly sales, returns, redemptions and points events, whose only
# effect is their ledger entries. Those are checked in Python, in sequence order, against
# what HQ holds (one query for the batch's event ids, one for its members and entry ids)
# and against the events before them in the batch, and then written with one statement
# per table; the balances move in one UPDATE that sets overdraft_since as an UPDATE per
# entry would. Anything else (member and card events, a sale that changes the tier, text
# PostgreSQL cannot hold) is applied on its own by :func:`_apply_one` between two such
# runs, so the effects still land in sequence order. If the writes meet what the checks
# did not foresee (another push wrote the same entry meanwhile, a balance out of range),
# the whole push is rolled back and done again by :func:`push_per_event`.

#: event types applied one by one (they do more than add ledger entries)
_ONE_BY_ONE = frozenset(
    {
        "member.registered",
        "member.card_added",
        "member.card_replaced",
        "member.pin_set",
        "member.tier_changed",
    }
)
_BIGINT = 2**63 - 1


class _BatchFailed(Exception):
    """The batch met something its checks did not foresee (a concurrent writer, a balance
    out of range): the push goes again event by event."""


@dataclass(frozen=True, slots=True)
class _Entry:
    entry_id: str
    member_id: str
    points: int
    #: the created_at / business_day problem, found after the member check
    late_error: str | None = None
    #: the hq_ledger columns this path fills per entry, and the feed row's data
    row: tuple[Any, ...] = ()
    change: str = ""


@dataclass(slots=True)
class _Plan:
    event: OutboxEvent
    index: int
    entries: list[_Entry]
    #: refused before the entries' database checks (the hash, the JSON, an entry's shape)
    error: str | None = None
    #: the refusal is logged (as apply_event's are; a wrong hash is not)
    logged: bool = True


def _db_safe(value: str) -> bool:
    """Text PostgreSQL takes as it is (no NUL, no lone surrogate)."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plan(event: OutboxEvent, index: int, device: DeviceIdentity) -> _Plan | None:
    """What :func:`apply_event` would do with ``event``, as far as it does not depend on
    HQ's data; None when the event must go on its own."""
    try:
        digest = hashlib.sha256(event.payload.encode("utf-8")).hexdigest()
    except UnicodeEncodeError:
        return None
    if digest != event.payload_hash:
        return _Plan(event, index, [], "the payload does not match its hash", logged=False)
    try:
        payload = json.loads(event.payload)
    except ValueError:
        return _Plan(event, index, [], "the payload is not JSON")
    if not isinstance(payload, dict):
        return _Plan(event, index, [], "the payload must be an object")
    if event.type in _ONE_BY_ONE or (event.type == "sale.completed" and payload.get("tier_change")):
        return None
    plan = _Plan(event, index, [])
    entries = payload.get("entries", [])
    if not isinstance(entries, list):
        plan.error = "entries must be a list"
        return plan
    for entry in entries:  # the checks of _entries, in its order
        if not isinstance(entry, dict):
            plan.error = "an entry must be an object"
            return plan
        entry_id, points = entry.get("entry_id"), entry.get("points")
        if not isinstance(entry_id, str) or len(entry_id) != 36:
            plan.error = "entry_id is missing"
            return plan
        if isinstance(points, bool) or not isinstance(points, int) or points == 0:
            plan.error = f"entry {entry_id}: points must be a non-zero whole number"
            return plan
        if abs(points) > MAX_ENTRY_POINTS:
            plan.error = f"entry {entry_id}: {points} points is beyond any program"
            return plan
        member_id = entry.get("member_id")
        if not isinstance(member_id, str) or not member_id:
            plan.error = "member_id is missing"
            return plan
        if not (_db_safe(entry_id) and _db_safe(member_id)):
            return None
        try:
            created = _parse_time(entry.get("created_at"), f"entry {entry_id} created_at")
            try:
                day = dt.date.fromisoformat(str(entry.get("business_day")))
            except ValueError:
                raise Rejected(f"entry {entry_id}: business_day is not a date") from None
        except Rejected as exc:
            plan.entries.append(_Entry(entry_id, member_id, points, late_error=str(exc)))
            return plan
        kind = str(entry.get("kind", ""))[:24]
        reason = str(entry.get("reason", ""))[:200]
        change = {
            key: entry.get(key)
            for key in ("entry_id", "member_id", "kind", "points", "created_at", "business_day")
        }
        change.update(reason=reason, store_code=device.store_code, device_code=device.device_code)
        data = _json(change)
        if not (_db_safe(kind) and _db_safe(reason) and _db_safe(data)):
            return None
        row = (entry_id, member_id, kind, points, event.event_id, naive_utc(created), day, reason)
        plan.entries.append(_Entry(entry_id, member_id, points, row=row, change=data))
    return plan


def _apply_plans(
    conn: Connection,
    device: DeviceIdentity,
    plans: list[_Plan],
    now: dt.datetime,
    results: list[EventResult | None],
    recorded: dict[str, Any],
) -> None:
    """Decide and write a run of planned events (consecutive in sequence order)."""
    members: set[str] = set()
    known: dict[str, tuple[str, int]] = {}
    member_ids = list({e.member_id for p in plans for e in p.entries})
    if member_ids:
        # which members exist, and which entries HQ has (members are never deleted)
        for r in conn.exec_driver_sql(
            "SELECT id, NULL, NULL FROM hq_members WHERE id = ANY(CAST(%(members)b AS text[])) "
            "UNION ALL SELECT entry_id, member_id, points FROM hq_ledger "
            "WHERE entry_id = ANY(CAST(%(entries)b AS text[]))",
            {
                "members": member_ids,
                "entries": list({e.entry_id for p in plans for e in p.entries}),
            },
        ):
            if r[1] is None:
                members.add(r[0])
            else:
                known[r[0]] = (r[1], int(r[2]))
    stamp = naive_utc(now)
    #: each member's accepted entries' points, in order
    moves: dict[str, list[int]] = {}
    event_rows: list[dict[str, Any]] = []
    ledger: list[tuple[Any, ...]] = []
    changes: list[str] = []
    rejected: list[tuple[int, str]] = []
    for plan in plans:
        event = plan.event
        error = None
        mine: dict[str, tuple[str, int]] = {}
        adding: list[_Entry] = []
        for e in plan.entries:
            if e.member_id not in members:
                error = f"unknown member {e.member_id}"
                break
            if e.late_error is not None:
                error = e.late_error
                break
            same = mine.get(e.entry_id) or known.get(e.entry_id)
            if same is not None:
                if same != (e.member_id, e.points):
                    error = f"entry {e.entry_id} was already received with other figures"
                    break
                continue
            mine[e.entry_id] = (e.member_id, e.points)
            adding.append(e)
        if error is None:
            error = plan.error
        if error is not None:
            status: str = "rejected"
            if plan.logged:
                rejected.append((event.seq, error))
        else:
            status = "accepted"
            known.update(mine)
            for e in adding:
                moves.setdefault(e.member_id, []).append(e.points)
                ledger.append(e.row)
                changes.append(e.change)
        event_rows.append(_event_row(event, device, status, error, now))
        # built from checked values: pydantic's validation of each answer is not needed
        results[plan.index] = EventResult.model_construct(
            event_id=event.event_id, seq=event.seq, status=status, reason=error
        )
        recorded[event.event_id] = _Seen(
            device.store_code,
            device.device_code,
            event.seq,
            event.payload_hash,
            status,
            None if error is None else _storable(error),
        )
    overdrawn = _write_batch(conn, device, stamp, event_rows, ledger, moves, changes)
    for seq, error in rejected:
        log.warning("device %s event %s rejected: %s", device.origin, seq, error)
    for member_id, balance in overdrawn:
        log.warning("member %s overdrawn to %s by %s", member_id, balance, device.origin)


@dataclass(frozen=True, slots=True)
class _Seen:
    """An ``hq_events`` row as :func:`_seen_result` reads it."""

    store_code: str
    device_code: str
    seq: int
    payload_hash: str
    status: str
    reason: str | None


def _move_balances(
    conn: Connection, stamp: dt.datetime, moves: dict[str, list[int]]
) -> list[tuple[str, int]]:
    """Move each member's balance by its entries of the run, as one UPDATE per entry in
    order would (``overdraft_since`` set when an entry takes it below zero, kept while it
    stays there, cleared when it is not); the (member, balance) of each overdrawing entry."""
    ids = sorted(moves)  # locked in one order, as far as the plan goes
    deltas, peaks = [], []
    for points in (moves[m] for m in ids):
        running, peak = 0, None
        for p in points[:-1]:
            running += p
            peak = running if peak is None else max(peak, running)
        deltas.append(running + points[-1])
        peaks.append(peak)
    rows = conn.exec_driver_sql(
        "UPDATE hq_members AS m SET balance = m.balance + v.delta, updated_at = %(now)s, "
        "overdraft_since = CASE WHEN m.balance + v.delta >= 0 THEN NULL "
        "WHEN m.balance + v.peak >= 0 THEN %(now)s "
        "ELSE COALESCE(m.overdraft_since, %(now)s) END "
        "FROM unnest(CAST(%(ids)b AS text[]), CAST(%(deltas)b AS numeric[]), "
        "CAST(%(peaks)b AS numeric[])) AS v(id, delta, peak) "
        "WHERE m.id = v.id RETURNING m.id, m.balance - v.delta",
        {"now": stamp, "ids": ids, "deltas": deltas, "peaks": peaks},
    ).all()
    if len(rows) != len(ids):
        raise _BatchFailed("a member of this batch is gone")
    overdrawn = []
    for member_id, before in rows:
        balance = int(before)
        for p in moves[member_id]:
            balance += p
            if not -_BIGINT - 1 <= balance <= _BIGINT:
                raise _BatchFailed("a balance out of range")  # per event, some are refused
            if balance < 0:
                overdrawn.append((member_id, balance))
    return overdrawn


def _write_batch(
    conn: Connection,
    device: DeviceIdentity,
    stamp: dt.datetime,
    event_rows: list[dict[str, Any]],
    ledger: list[tuple[Any, ...]],
    moves: dict[str, list[int]],
    changes: list[str],
) -> list[tuple[str, int]]:
    """A run's events, ledger entries, balances and feed rows: a statement per table;
    the overdrafts (member, balance) the entries made."""
    where = {"store": device.store_code, "device": device.device_code, "now": stamp}
    columns = ("id", "seq", "type", "schema", "hash", "payload", "created", "status", "reason")
    conn.exec_driver_sql(
        "INSERT INTO hq_events (event_id, store_code, device_code, seq, type, "
        "schema_version, payload_hash, payload, created_at, received_at, status, reason) "
        "SELECT e.id, %(store)s, %(device)s, e.seq, e.type, e.schema, e.hash, e.payload, "
        "e.created, %(now)s, e.status, e.reason FROM unnest(CAST(%(id)b AS text[]), "
        "CAST(%(seq)b AS bigint[]), CAST(%(type)b AS text[]), CAST(%(schema)b AS integer[]), "
        "CAST(%(hash)b AS text[]), CAST(%(payload)b AS text[]), CAST(%(created)b AS timestamp[]), "
        "CAST(%(status)b AS text[]), CAST(%(reason)b AS text[])) "
        "AS e(id, seq, type, schema, hash, payload, created, status, reason)",
        {**where, **{c: [row[c] for row in event_rows] for c in columns}},
    )
    if not ledger:
        return []
    # the members first: the ledger's foreign key checks then find rows this transaction
    # has already locked, instead of locking a million-member table's rows once more
    overdrawn = _move_balances(conn, stamp, moves)
    entry_id, member_id, kind, points, event_id, created, day, reason = map(
        list, zip(*ledger, strict=True)
    )
    inserted = conn.exec_driver_sql(
        "INSERT INTO hq_ledger (entry_id, member_id, kind, points, store_code, "
        "device_code, event_id, created_at, business_day, reason, received_at) "
        "SELECT l.entry_id, l.member_id, l.kind, l.points, %(store)s, %(device)s, l.event_id, "
        "l.created, l.day, l.reason, %(now)s FROM unnest(CAST(%(entry_id)b AS text[]), "
        "CAST(%(member_id)b AS text[]), CAST(%(kind)b AS text[]), CAST(%(points)b AS bigint[]), "
        "CAST(%(event_id)b AS text[]), CAST(%(created)b AS timestamp[]), CAST(%(day)b AS date[]), "
        "CAST(%(reason)b AS text[])) "
        "AS l(entry_id, member_id, kind, points, event_id, created, day, reason) "
        "ON CONFLICT (entry_id) DO NOTHING",
        {
            **where,
            "entry_id": entry_id,
            "member_id": member_id,
            "kind": kind,
            "points": points,
            "event_id": event_id,
            "created": created,
            "day": day,
            "reason": reason,
        },
    ).rowcount
    if inserted != len(ledger):
        raise _BatchFailed("another push wrote some of these ledger entries meanwhile")
    # the counter row stays locked to commit: cursor order is commit order
    top = int(
        conn.execute(
            text("UPDATE hq_counters SET value = value + :n WHERE name = 'feed' RETURNING value"),
            {"n": len(changes)},
        ).scalar_one()
    )
    conn.exec_driver_sql(
        "INSERT INTO hq_feed (cursor, kind, origin, scope, data, created_at) "
        "SELECT %(first)s + f.n - 1, 'ledger', %(origin)s, NULL, f.data, %(now)s "
        "FROM unnest(CAST(%(data)b AS text[])) WITH ORDINALITY AS f(data, n)",
        {"first": top - len(changes) + 1, "origin": device.origin, "data": changes, "now": stamp},
    )
    return overdrawn


def _push_batched(
    engine: Engine, device: DeviceIdentity, request: PushRequest, now: dt.datetime
) -> PushResponse:
    """:func:`push_per_event`'s answers and effects, with a few statements per batch."""
    events = sorted(request.events, key=lambda e: e.seq)
    results: list[EventResult | None] = []
    with engine.begin() as conn:
        expected = _lock_device(conn, device) + 1
        recorded: dict[str, Any] = {}
        if events:
            recorded = {
                r.event_id: r
                for r in conn.exec_driver_sql(
                    "SELECT event_id, store_code, device_code, seq, payload_hash, status, "
                    "reason FROM hq_events WHERE event_id = ANY(CAST(%(ids)b AS text[]))",
                    {"ids": list({e.event_id for e in events})},
                )
            }
        run: list[_Plan] = []
        in_run: set[str] = set()

        def flush() -> None:
            if run:
                _apply_plans(conn, device, run, now, results, recorded)
                run.clear()
                in_run.clear()

        for event in events:
            if event.event_id in in_run:
                flush()  # the same id twice in one batch: the second sees the first
            seen = recorded.get(event.event_id)
            if seen is not None:
                results.append(_seen_result(event, device, seen))
                continue
            if event.seq < expected:
                results.append(_seq_used(event))
                continue
            if event.seq > expected:
                break  # a gap: the missing events must come first; the rest stay pending
            plan = _plan(event, len(results), device)
            if plan is None:
                flush()
                result = _apply_one(conn, event, device, now)
                results.append(result)
                recorded[event.event_id] = _Seen(
                    device.store_code,
                    device.device_code,
                    event.seq,
                    event.payload_hash,
                    result.status,
                    None if result.reason is None else _storable(result.reason),
                )
            else:
                results.append(None)
                run.append(plan)
                in_run.add(event.event_id)
            expected += 1
        flush()
        _finish_push(conn, device, expected - 1, now)
    answers = [r for r in results if r is not None]
    if len(answers) != len(results):
        raise AssertionError("a planned event was left without an answer")
    return PushResponse(results=answers, acked_through=expected - 1)


# -- pull --------------------------------------------------------------------------------


def head(conn: Connection) -> int:
    return int(conn.execute(text("SELECT value FROM hq_counters WHERE name = 'feed'")).scalar_one())


def pull(
    engine: Engine,
    device: DeviceIdentity,
    cursor: int,
    limit: int,
    now: dt.datetime,
    *,
    feed_schema: int = FEED_SCHEMA,
) -> PullResponse:
    limit = max(1, min(limit, MAX_PULL_PAGE))
    with engine.begin() as conn:
        newest = head(conn)
        floor = conn.execute(
            text("SELECT value FROM hq_counters WHERE name = 'feed_floor'")
        ).scalar()
        if cursor < 0 or cursor > newest or cursor < int(floor or 0) or feed_schema != FEED_SCHEMA:
            return PullResponse(
                changes=[],
                next_cursor=0,
                more=True,
                refetch=True,
                feed_schema=FEED_SCHEMA,
                head=newest,
            )
        rows = conn.execute(
            text(
                "SELECT cursor, kind, origin, data FROM hq_feed WHERE cursor > :cursor "
                "AND (scope IS NULL OR scope = :store) ORDER BY cursor LIMIT :limit"
            ),
            {"cursor": cursor, "store": device.store_code, "limit": limit},
        ).all()
        changes = [
            Change(cursor=row.cursor, kind=row.kind, data=json.loads(row.data), origin=row.origin)
            for row in rows
        ]
        next_cursor = rows[-1].cursor if rows else cursor
        if len(rows) < limit:
            # every row up to the head is committed (cursor order is commit order) and this
            # store got all of its own: step over the rows scoped to other stores too
            next_cursor = max(next_cursor, newest)
        conn.execute(
            text("UPDATE hq_devices SET last_pull_at = :now, last_cursor = :cursor WHERE id = :id"),
            {"now": naive_utc(now), "cursor": next_cursor, "id": device.id},
        )
    return PullResponse(
        changes=changes,
        next_cursor=next_cursor,
        more=len(rows) == limit,
        feed_schema=FEED_SCHEMA,
        head=newest,
    )


def pull_encoded(
    engine: Engine,
    device: DeviceIdentity,
    cursor: int,
    limit: int,
    now: dt.datetime,
    *,
    feed_schema: int = FEED_SCHEMA,
) -> bytes:
    """:func:`pull` as the JSON of a :class:`PullResponse`, in pages of up to
    ``MAX_BOOTSTRAP_PAGE``: the feed rows hold their JSON already, so the page is
    written around them instead of parsed and encoded again (a new store's download)."""
    limit = max(1, min(limit, MAX_BOOTSTRAP_PAGE))
    with engine.begin() as conn:
        newest = head(conn)
        floor = conn.execute(
            text("SELECT value FROM hq_counters WHERE name = 'feed_floor'")
        ).scalar()
        if cursor < 0 or cursor > newest or cursor < int(floor or 0) or feed_schema != FEED_SCHEMA:
            answer = PullResponse(
                changes=[],
                next_cursor=0,
                more=True,
                refetch=True,
                feed_schema=FEED_SCHEMA,
                head=newest,
            )
            return answer.model_dump_json().encode("utf-8")
        # a closed range of the primary key: read with an index range scan whatever the
        # planner's statistics say (a never-analysed feed after a bulk import otherwise
        # gets a scan and sort of the whole table for every page); every cursor up to
        # the head is committed, so the page is the range less other stores' rows
        upper = min(cursor + limit, newest)
        rows = conn.execute(
            text(
                "SELECT cursor, kind, origin, data FROM hq_feed WHERE cursor > :cursor "
                "AND cursor <= :upper AND (scope IS NULL OR scope = :store) ORDER BY cursor"
            ),
            {"cursor": cursor, "upper": upper, "store": device.store_code},
        ).all()
        next_cursor = upper
        conn.execute(
            text("UPDATE hq_devices SET last_pull_at = :now, last_cursor = :cursor WHERE id = :id"),
            {"now": naive_utc(now), "cursor": next_cursor, "id": device.id},
        )
    # the few kinds and origins are encoded once each; the data is the stored JSON
    quoted: dict[str | None, str] = {}
    for kind in {r[1] for r in rows} | {r[2] for r in rows}:
        quoted[kind] = json.dumps(kind)
    changes = ",".join(
        [
            f'{{"cursor":{int(c)},"kind":{quoted[k]},"data":{d},"origin":{quoted[o]}}}'
            for c, k, o, d in rows
        ]
    )
    more = "true" if upper < newest else "false"
    return (
        f'{{"changes":[{changes}],"next_cursor":{int(next_cursor)},"more":{more},'
        f'"refetch":false,"feed_schema":{FEED_SCHEMA},"head":{int(newest)}}}'
    ).encode()


# -- authorise ---------------------------------------------------------------------------


def authorize(
    engine: Engine, device: DeviceIdentity, request: AuthorizeRequest
) -> AuthorizeResponse:
    """May the member spend ``points`` now? HQ's balance less what the device has not pushed."""
    with engine.connect() as conn:
        balance = conn.execute(
            text("SELECT balance FROM hq_members WHERE id = :id"), {"id": request.member_id}
        ).scalar()
    if balance is None:
        return AuthorizeResponse(
            approved=False, hq_balance=0, reason="HQ does not know this member"
        )
    available = int(balance) - request.unacked_points
    if available < request.points:
        return AuthorizeResponse(
            approved=False,
            hq_balance=int(balance),
            reason=f"the member has {available} points across the chain",
        )
    return AuthorizeResponse(approved=True, hq_balance=int(balance))
