"""HQ's set-based push gives exactly the per-event push's answers and database state.

Two HQs (a schema each) receive the same batches: one through ``service.push`` (the
batched path on PostgreSQL), one through ``service.push_per_event`` (the reference,
an event at a time). The batches mix what a store sends every day with everything
that must be refused: resent and conflicting events, unknown members, entries seen
before, bad hashes and payloads, a sequence gap, member events that go one by one,
text PostgreSQL cannot hold, an overdraft in the middle of a batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from sync.hq import service
from sync.hq.admin import add_device, add_store
from sync.hq.db import open_hq
from sync.hq.service import DeviceIdentity
from sync.protocol import OutboxEvent, PushRequest, PushResponse
from tests.hq.conftest import NOW, PG_URL, _require_pg
from tests.hq.test_hq_api import member

LATER = NOW + dt.timedelta(hours=1)
Push = Callable[[Engine, DeviceIdentity, PushRequest, dt.datetime], PushResponse]


def uid(n: int) -> str:
    return str(uuid.UUID(int=n))


def make_event(
    seq: int, type_: str, payload: dict[str, Any] | str, event_id: str | None = None
) -> dict[str, Any]:
    body = (
        payload
        if isinstance(payload, str)
        else json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )
    return {
        "event_id": event_id or uid(10_000 + seq),
        "seq": seq,
        "type": type_,
        "schema_version": 1,
        "payload": body,
        "payload_hash": hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
        "created_at": NOW.isoformat(),
    }


def entry(n: int, member_id: str, points: int, kind: str = "earn", **extra: Any) -> dict:
    return {
        "entry_id": uid(n),
        "member_id": member_id,
        "kind": kind,
        "points": points,
        "balance_after": 0,
        "created_at": NOW.isoformat(),
        "business_day": "2026-03-02",
        "staff_id": None,
        "reason": "测试",
        **extra,
    }


def request(events: list[dict[str, Any]]) -> PushRequest:
    return PushRequest(
        store_code="S01",
        device_code="T1",
        events=[OutboxEvent.model_validate(e) for e in events],
    )


M1, M2, M3, GHOST = uid(1), uid(2), uid(3), uid(99)


def batches() -> list[tuple[list[dict[str, Any]], dt.datetime]]:
    """The pushes, in order, each with HQ's clock."""
    first = [
        make_event(1, "member.registered", member(M1, "13800000001", "8800000001")),
        make_event(2, "member.registered", member(M2, "13800000002", "8800000002")),
        make_event(
            3, "sale.completed", {"sale": {"member_id": M1}, "entries": [entry(101, M1, 120)]}
        ),
        # M2 goes below zero in the middle of the batch, back above, and below again
        make_event(4, "gift.redeemed", {"entries": [entry(102, M2, -30, "gift_redemption")]}),
        make_event(5, "points.adjusted", {"entries": [entry(103, M2, 50, "adjust")]}),
        make_event(6, "gift.redeemed", {"entries": [entry(104, M2, -40, "gift_redemption")]}),
        make_event(7, "sale.completed", {"sale": {"member_id": None}, "entries": []}),
        make_event(
            8,
            "return.completed",
            {"entries": [entry(105, M1, -20, "return"), entry(106, M1, 5, "return_refund")]},
        ),
        # M1 spends more than it has: overdrawn, then back within the same event
        make_event(
            9,
            "gift.redeemed",
            {"entries": [entry(107, M1, -200, "gift_redemption"), entry(108, M1, 300)]},
        ),
    ]
    second = [
        first[2],  # resent: duplicate
        {**make_event(4, "gift.redeemed", {"entries": []}), "event_id": first[3]["event_id"]},
        make_event(10, "sale.completed", {"entries": [entry(201, GHOST, 10)]}),  # unknown member
        make_event(11, "sale.completed", {"entries": [entry(101, M1, 999)]}),  # other figures
        # an entry seen before with the same figures is skipped; the new one applies
        make_event(12, "sale.completed", {"entries": [entry(101, M1, 120), entry(202, M1, 7)]}),
        {**make_event(13, "sale.completed", {"entries": []}), "payload_hash": "0" * 64},
        make_event(14, "sale.completed", "{not json"),
        make_event(15, "sale.completed", "[1, 2]"),
        make_event(16, "sale.completed", {"entries": [entry(203, M1, 0)]}),
        make_event(17, "sale.completed", {"entries": [entry(204, M1, 5), "nope"]}),
        make_event(18, "sale.completed", {"entries": [entry(205, M3, 5)]}),  # M3 comes at 19
        make_event(19, "member.registered", member(M3, "13800000003", "8800000003")),
        make_event(20, "sale.completed", {"entries": [entry(206, M3, 40)]}),
        make_event(21, "member.card_added", {"member_id": M3, "card": "8800000033"}),
        make_event(
            22,
            "sale.completed",
            {
                "sale": {"member_id": M1},
                "entries": [entry(207, M1, 500, "tier_bonus")],
                "tier_change": ["normal", "gold"],
            },
        ),
        make_event(23, "sale.completed", {"entries": [entry(208, M2, 1, created_at="soon")]}),
        make_event(24, "sale.completed", {"entries": [entry(209, M2, 1, business_day="x")]}),
        make_event(
            25,
            "sale.completed",
            # a lone surrogate, escaped in the JSON text: valid JSON, no valid UTF-8
            json.dumps({"entries": [entry(210, M2, 3, reason="\ud800")]}, sort_keys=True),
        ),
        make_event(26, "sale.completed", {"entries": [entry(211, "bad\x00id", 3)]}),
        make_event(27, "gift.redeemed", {"entries": [entry(212, M2, -5, "gift_redemption")]}),
        make_event(28, "sale.completed", {"entries": [entry(213, M2, 10**12 + 1)]}),
        make_event(29, "sale.completed", {"entries": [entry(214, M1, 1)]}, event_id=uid(555)),
        # the same event twice in one batch, then its id with other content
        make_event(29, "sale.completed", {"entries": [entry(214, M1, 1)]}, event_id=uid(555)),
        make_event(30, "sale.completed", {"entries": [entry(215, M1, 1)]}, event_id=uid(555)),
        make_event(29, "sale.completed", {"entries": [entry(216, M1, 1)]}, event_id=uid(556)),
        make_event(30, "sale.completed", {"entries": [entry(215, M1, 1)]}),
        make_event(31, "points.expired", {"entries": [entry(217, M1, -3, "expire")]}),
        # a gap: 32 is missing, these stay pending
        make_event(33, "sale.completed", {"entries": [entry(218, M1, 2)]}),
        make_event(34, "sale.completed", {"entries": [entry(219, M1, 2)]}),
    ]
    third = [
        make_event(32, "sale.completed", {"entries": [entry(220, M2, 2)]}),
        second[-2],
        second[-1],
        make_event(35, "sale.completed", {"entries": [entry(220, M2, 2)]}),  # same entry again
        # M2, overdrawn since the first batch, goes above zero and below again: a new time
        make_event(36, "points.adjusted", {"entries": [entry(221, M2, 30), entry(222, M2, -10)]}),
    ]
    return [(first, NOW), (second, LATER), (third, LATER + dt.timedelta(minutes=5))]


def hq_state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    queries = {
        "events": "SELECT event_id, store_code, device_code, seq, type, schema_version, "
        "payload_hash, payload, created_at, received_at, status, reason FROM hq_events "
        "ORDER BY seq, event_id",
        "ledger": "SELECT entry_id, member_id, kind, points, store_code, device_code, "
        "event_id, created_at, business_day, reason, received_at FROM hq_ledger ORDER BY entry_id",
        "members": "SELECT id, name, phone, tier_code, status, balance, overdraft_since, "
        "created_at, updated_at FROM hq_members ORDER BY id",
        "cards": "SELECT card_no, member_id, status FROM hq_cards ORDER BY card_no",
        "feed": "SELECT cursor, kind, origin, scope, data, created_at FROM hq_feed ORDER BY cursor",
        "counters": "SELECT name, value FROM hq_counters ORDER BY name",
        "devices": "SELECT id, store_code, device_code, acked_seq, last_push_at FROM hq_devices",
    }
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(sql))] for name, sql in queries.items()}


@pytest.fixture
def two_hqs() -> Iterator[tuple[Engine, Engine]]:
    """Two migrated HQs with store S01 and its till T1, each in a schema of its own."""
    admin = _require_pg()
    schemas = [f"hq_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    engines: list[Engine] = []
    try:
        for schema in schemas:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = open_hq(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
            engines.append(engine)
            add_store(engine, code="S01", name="一号店", now=NOW)
            add_device(engine, store_code="S01", device_code="T1", now=NOW)
        yield engines[0], engines[1]
    finally:
        for engine in engines:
            engine.dispose()
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def device_of(engine: Engine) -> DeviceIdentity:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id FROM hq_devices WHERE device_code = 'T1'")).one()
    return DeviceIdentity(row.id, "S01", "T1")


class Spy:
    """Records the calls of a service function, passing them on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.calls: list[tuple[Any, ...]] = []
        original = getattr(service, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(args)
            return original(*args, **kwargs)

        monkeypatch.setattr(service, name, spy)


def run_both(
    batched: Engine, reference: Engine, pushes: list[tuple[list[dict[str, Any]], dt.datetime]]
) -> list[tuple[PushResponse, PushResponse]]:
    answers = []
    for events, now in pushes:
        fast = service.push(batched, device_of(batched), request(events), now)
        slow = service.push_per_event(reference, device_of(reference), request(events), now)
        answers.append((fast, slow))
    return answers


def test_a_mixed_batch_gets_the_per_event_answers_and_state(
    two_hqs: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    batched, reference = two_hqs
    runs = Spy(monkeypatch, "_apply_plans")
    alone = Spy(monkeypatch, "_apply_one")
    fallback = Spy(monkeypatch, "push_per_event")
    answers = run_both(batched, reference, batches())
    for fast, slow in answers:
        assert fast.model_dump() == slow.model_dump()
    assert hq_state(batched) == hq_state(reference)
    # the batched path did the work: no fallback, and one by one only the member
    # events, the sale that changed the tier and the two with text PostgreSQL refuses
    assert len(fallback.calls) == len(answers)  # the reference's own calls
    assert len(runs.calls) >= 6
    assert all(conn.engine is batched for conn, *_ in runs.calls)
    one_by_one = sorted(event.seq for conn, event, *_ in alone.calls if conn.engine is batched)
    assert one_by_one == [1, 2, 19, 21, 22, 25, 26]

    first, second, third = (fast for fast, _ in answers)
    assert [r.status for r in first.results] == ["accepted"] * 9
    assert first.acked_through == 9
    status = {r.seq: (r.status, r.reason) for r in second.results}
    assert status[3] == ("duplicate", None)
    assert status[4] == ("rejected", "this event id was already received with different content")
    assert status[10] == ("rejected", f"unknown member {GHOST}")
    assert status[11] == ("rejected", f"entry {uid(101)} was already received with other figures")
    assert status[12] == ("accepted", None)
    assert status[13] == ("rejected", "the payload does not match its hash")
    assert status[14] == ("rejected", "the payload is not JSON")
    assert status[16][0] == status[17][0] == status[18][0] == "rejected"
    assert status[20] == status[22] == status[27] == ("accepted", None)
    assert status[25][0] == status[26][0] == "rejected"
    assert [(r.seq, r.status) for r in second.results if r.event_id == uid(555)] == [
        (29, "accepted"),
        (29, "duplicate"),
        (30, "rejected"),
    ]
    assert [r.status for r in second.results if r.event_id == uid(556)] == ["rejected"]
    assert status[31] == ("accepted", None)
    assert 33 not in status and 34 not in status
    assert second.acked_through == 31
    assert third.acked_through == 36
    assert {r.seq: r.status for r in third.results} == dict.fromkeys(range(32, 37), "accepted")
    members = {row[0]: row for row in hq_state(batched)["members"]}
    # M1: 205 + 7 + 1 + 500 (the tier bonus) + 1 - 3 + 2 + 2; M2: -20 - 5 + 2 + 30 - 10
    assert members[M1][3:7] == ("gold", "active", 715, None)
    assert members[M2][5:7] == (-3, (LATER + dt.timedelta(minutes=5)).replace(tzinfo=None))


def test_an_overdraft_in_the_middle_of_a_batch_is_flagged(
    two_hqs: tuple[Engine, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    batched, _ = two_hqs
    device = device_of(batched)
    first = batches()[0][0]
    service.push(batched, device, request(first), NOW)
    with batched.connect() as conn:
        members = {
            r.id: (r.balance, r.overdraft_since)
            for r in conn.execute(text("SELECT id, balance, overdraft_since FROM hq_members"))
        }
    # M2: -30, +50, -40 -> overdrawn at the end; M1: 120 - 15 - 200 + 300 -> not
    assert members[M2][0] == -20 and members[M2][1] == NOW.replace(tzinfo=None)
    assert members[M1] == (205, None)
    assert f"member {M2} overdrawn to -30 by S01/T1" in caplog.text
    assert f"member {M1} overdrawn to -95 by S01/T1" in caplog.text
    # still overdrawn in a later batch: the flag keeps its first time
    more = [
        make_event(10, "gift.redeemed", {"entries": [entry(301, M2, -1, "gift_redemption")]}),
    ]
    service.push(batched, device, request(more), LATER)
    with batched.connect() as conn:
        since = conn.execute(
            text("SELECT overdraft_since FROM hq_members WHERE id = :id"), {"id": M2}
        ).scalar_one()
    assert since == NOW.replace(tzinfo=None)


def test_a_balance_out_of_range_falls_back_to_event_by_event(
    two_hqs: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    batched, reference = two_hqs
    setup = batches()[0][0][:2]
    run_both(batched, reference, [(setup, NOW)])
    for engine in (batched, reference):
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE hq_members SET balance = :b WHERE id = :id"),
                {"b": 2**63 - 10, "id": M1},
            )
    fallback = Spy(monkeypatch, "push_per_event")
    pushes = [
        (
            [
                make_event(3, "sale.completed", {"entries": [entry(401, M2, 5)]}),
                make_event(4, "sale.completed", {"entries": [entry(402, M1, 100)]}),
                make_event(5, "sale.completed", {"entries": [entry(403, M2, 6)]}),
            ],
            LATER,
        )
    ]
    ((fast, slow),) = run_both(batched, reference, pushes)
    assert len(fallback.calls) == 2  # the batched push's fallback, and the reference
    assert fast.model_dump() == slow.model_dump()
    assert [r.status for r in fast.results] == ["accepted", "rejected", "accepted"]
    assert hq_state(batched) == hq_state(reference)


def test_an_entry_written_meanwhile_by_another_push_sends_the_batch_event_by_event(
    two_hqs: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    batched, _ = two_hqs
    device = device_of(batched)
    service.push(batched, device, request(batches()[0][0][:2]), NOW)
    original = service._write_batch

    def another_push_first(*args: Any) -> Any:
        # another till's push commits the same entry, with other figures, just before
        with batched.begin() as other:
            other.execute(
                text(
                    "INSERT INTO hq_ledger (entry_id, member_id, kind, points, store_code, "
                    "device_code, event_id, created_at, business_day, reason, received_at) "
                    "VALUES (:id, :member, 'earn', 99, 'S01', 'T9', NULL, :now, :day, '', :now)"
                ),
                {"id": uid(502), "member": M2, "now": NOW.replace(tzinfo=None), "day": NOW.date()},
            )
        monkeypatch.setattr(service, "_write_batch", original)
        return original(*args)

    monkeypatch.setattr(service, "_write_batch", another_push_first)
    fallback = Spy(monkeypatch, "push_per_event")
    events = [
        make_event(3, "sale.completed", {"entries": [entry(501, M1, 10)]}),
        make_event(4, "sale.completed", {"entries": [entry(502, M2, 20)]}),
    ]
    answer = service.push(batched, device, request(events), LATER)
    assert len(fallback.calls) == 1
    assert [(r.status, r.reason) for r in answer.results] == [
        ("accepted", None),
        ("rejected", f"entry {uid(502)} was already received with other figures"),
    ]
    assert answer.acked_through == 4
    state = hq_state(batched)
    balances = {row[0]: row[5] for row in state["members"]}
    assert balances[M1] == 10 and balances[M2] == 0
    assert [row[3] for row in state["ledger"] if row[0] == uid(502)] == [99]
    assert [row[10] for row in state["events"] if row[3] in (3, 4)] == ["accepted", "rejected"]
    assert sum(1 for row in state["feed"] if uid(501) in row[4]) == 1
    assert not any(uid(502) in row[4] for row in state["feed"])
