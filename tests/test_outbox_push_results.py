"""The outbox as the sync client sees it: pending events in order, HQ's answers recorded,
rejected events kept for the manager, and the spending HQ has not heard of yet."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from pos_app.errors import InvalidInput
from pos_app.services.checkout import CartLine
from pos_app.services.outbox import (
    OutboxRow,
    outbox_summary,
    pending_events,
    record_push_results,
    rejected_events,
    unacked_spend,
)
from tests.conftest import Counter

LATER = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def statuses(c: Counter) -> list[tuple[int, str, str | None, str | None]]:
    with c.sql() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                "SELECT seq, status, acked_at IS NOT NULL, reject_reason FROM outbox_events "
                "ORDER BY seq"
            )
        ]


def five_events(c: Counter) -> list[OutboxRow]:
    """Registration, adjustment, sale, registration, adjustment: seq 1 to 5."""
    m = c.register()
    c.give(m.id, 1000)
    c.sell(m.id, [CartLine("food", 10000)], offset=500)
    other = c.register(name="王五", phone="13911112222")
    c.give(other.id, 300)
    return pending_events(c.db)


def test_pending_events_come_in_sequence_order_as_written(supermarket: Counter) -> None:
    c = supermarket
    events = five_events(c)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.type for e in events] == [
        "member.registered",
        "points.adjusted",
        "sale.completed",
        "member.registered",
        "points.adjusted",
    ]
    for e in events:
        assert e.payload_hash == hashlib.sha256(e.payload.encode("utf-8")).hexdigest()
        assert e.schema_version == 1 and len(e.event_id) == 36
        assert e.created_at == c.now and e.created_at.tzinfo is not None
        json.loads(e.payload)
    assert [e.seq for e in pending_events(c.db, limit=2)] == [1, 2]
    with pytest.raises(InvalidInput):
        pending_events(c.db, limit=0)


def test_accepted_and_duplicate_are_acked_rejected_kept_with_the_reason(
    supermarket: Counter,
) -> None:
    c = supermarket
    e = five_events(c)
    counts = record_push_results(
        c.db,
        [
            (e[0].event_id, "accepted", None),
            (e[1].event_id, "duplicate", None),
            (e[2].event_id, "rejected", "member unknown at HQ"),
            (e[3].event_id, "accepted", None),
            (e[4].event_id, "accepted", None),
        ],
        acked_through=5,
        now=LATER,
    )
    assert (counts.acked, counts.rejected, counts.left) == (4, 1, 0)
    assert statuses(c) == [
        (1, "acked", 1, None),
        (2, "acked", 1, None),
        (3, "rejected", 1, "member unknown at HQ"),
        (4, "acked", 1, None),
        (5, "acked", 1, None),
    ]
    assert pending_events(c.db) == []
    rejected = rejected_events(c.db)
    assert [(r.seq, r.type, r.reject_reason) for r in rejected] == [
        (3, "sale.completed", "member unknown at HQ")
    ]
    assert rejected[0].rejected_at == LATER and rejected[0].payload == e[2].payload
    assert outbox_summary(c.db) == (0, 1, None)


def test_only_events_up_to_acked_through_are_marked(supermarket: Counter) -> None:
    c = supermarket
    e = five_events(c)
    answer = [(ev.event_id, "accepted", None) for ev in e[:4]] + [
        (e[4].event_id, "rejected", "later")
    ]
    counts = record_push_results(c.db, answer, acked_through=2, now=LATER)
    assert (counts.acked, counts.rejected, counts.left) == (2, 0, 3)
    assert [s[1] for s in statuses(c)] == ["acked", "acked", "pending", "pending", "pending"]
    assert [ev.seq for ev in pending_events(c.db)] == [3, 4, 5]
    pending, rejected, oldest = outbox_summary(c.db)
    assert (pending, rejected, oldest) == (3, 0, c.now)


def test_recording_the_same_answer_twice_changes_nothing(supermarket: Counter) -> None:
    c = supermarket
    e = five_events(c)
    answer = [(e[0].event_id, "accepted", None), (e[1].event_id, "rejected", "bad")]
    record_push_results(c.db, answer, acked_through=2, now=LATER)
    before = statuses(c)
    again = record_push_results(c.db, answer, acked_through=2, now=LATER + dt.timedelta(minutes=1))
    assert (again.acked, again.rejected, again.left) == (0, 0, 2)
    assert statuses(c) == before
    with c.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone()[0] == 5


def test_events_hq_did_not_answer_for_stay_pending(supermarket: Counter) -> None:
    c = supermarket
    e = five_events(c)
    counts = record_push_results(
        c.db, [(e[0].event_id, "accepted", None)], acked_through=5, now=LATER
    )
    assert (counts.acked, counts.left) == (1, 0)
    assert [ev.seq for ev in pending_events(c.db)] == [2, 3, 4, 5]


def test_an_unknown_status_writes_nothing(supermarket: Counter) -> None:
    c = supermarket
    e = five_events(c)
    with pytest.raises(InvalidInput) as info:
        record_push_results(
            c.db,
            [(e[0].event_id, "accepted", None), (e[1].event_id, "lost", None)],
            acked_through=5,
            now=LATER,
        )
    assert info.value.field == "results[1].status"
    assert [s[1] for s in statuses(c)] == ["pending"] * 5


def test_a_rejection_without_a_reason_still_says_why_it_is_kept(supermarket: Counter) -> None:
    c = supermarket
    e = five_events(c)
    record_push_results(c.db, [(e[0].event_id, "rejected", None)], acked_through=1, now=LATER)
    assert rejected_events(c.db)[0].reject_reason == "rejected by HQ (no reason given)"


def test_summary_of_an_empty_outbox(supermarket: Counter) -> None:
    assert outbox_summary(supermarket.db) == (0, 0, None)
    assert rejected_events(supermarket.db) == []


def test_unacked_spend_counts_this_devices_pending_debits_of_the_member(
    supermarket: Counter,
) -> None:
    c = supermarket
    m = c.register()
    other = c.register(name="王五", phone="13911112222")
    c.give(m.id, 3000)
    c.give(other.id, 3000)
    assert unacked_spend(c.db, m.id) == 0  # credits are not spending
    c.sell(m.id, [CartLine("food", 10000)], offset=500)
    c.sell(m.id, [CartLine("food", 10000)], offset=300)
    c.sell(other.id, [CartLine("food", 10000)], offset=200)
    c.give(m.id, -100)
    assert unacked_spend(c.db, m.id) == 900
    assert unacked_spend(c.db, other.id) == 200
    # once HQ has the first sale, it no longer counts
    first_sale = next(e for e in pending_events(c.db) if e.type == "sale.completed")
    record_push_results(c.db, [(first_sale.event_id, "accepted", None)], 99, LATER)
    assert unacked_spend(c.db, m.id) == 400
    assert unacked_spend(c.db, "no-such-member") == 0
