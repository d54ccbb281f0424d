"""Stores and HQ end to end: real store databases, a real HQ over HTTP on PostgreSQL.

Every scenario ends the same way: no ledger row lost or doubled, every balance
equal at HQ and in every store, and each store's books pass the doctor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pos_app.services import outbox
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import check_books
from pos_app.services.members import find_by_card, find_by_phone
from sync.client import HQClient
from sync.hq.admin import reconcile
from sync.protocol import OutboxEvent, PushRequest
from sync.runner import sync_round
from tests.conftest import Counter
from tests.hq.conftest import TokenFactory
from tests.hq.server import running_hq
from tests.hq.stores import make_store, sync


@pytest.fixture
def hq_url(hq: Engine) -> Iterator[str]:
    with running_hq(hq) as url:
        yield url


def hq_balance(hq: Engine, member_id: str) -> int:
    with hq.connect() as conn:
        return int(
            conn.execute(
                text("SELECT balance FROM hq_members WHERE id = :id"), {"id": member_id}
            ).scalar_one()
        )


def hq_entries(hq: Engine) -> list[str]:
    with hq.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT entry_id FROM hq_ledger"))]


def local_entries(store: Counter) -> list[str]:
    with store.sql() as conn:
        return [r[0] for r in conn.execute("SELECT uuid FROM ledger_entries")]


def assert_converged(hq: Engine, stores: list[Counter], member_ids: list[str]) -> None:
    entries = hq_entries(hq)
    assert len(entries) == len(set(entries))
    for store in stores:
        assert sorted(local_entries(store)) == sorted(entries), "a store's ledger differs from HQ"
        assert check_books(store.db) == [], "the store books do not balance"
        for member_id in member_ids:
            assert store.balance(member_id) == hq_balance(hq, member_id)
    assert reconcile(hq) == []


def test_two_stores_share_members_and_balances(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    b = make_store(tmp_path, "S02", "T1", hq_url)
    member = a.register(card="8800007777")
    a.give(member.id, 2000)
    a.sell(member.id, [CartLine("daily", 10000)])
    assert sync(a, hq_url, token_a).ok
    result = sync(b, hq_url, token_b)
    assert result.ok and result.pulled > 0
    found = find_by_card(b.db, "8800007777", now=b.now)
    assert found.id == member.id
    assert b.balance(member.id) == a.balance(member.id) > 0
    b.sell(member.id, [CartLine("daily", 5000)], offset=1000)
    assert sync(b, hq_url, token_b).ok
    assert sync(a, hq_url, token_a).ok
    assert_converged(hq, [a, b], [member.id])
    assert outbox.outbox_summary(a.db).pending == 0


def test_client_killed_after_hq_committed_before_recording_the_ack(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token = device_token("S01", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    member = a.register()
    for amount in (1000, 2000, 3000):
        a.sell(member.id, [CartLine("daily", amount)])
    rows = outbox.pending_events(a.db)
    request = PushRequest(
        store_code="S01",
        device_code="T1",
        events=[
            OutboxEvent(
                event_id=r.event_id,
                seq=r.seq,
                type=r.type,
                schema_version=r.schema_version,
                payload=r.payload,
                payload_hash=r.payload_hash,
                created_at=r.created_at,
            )
            for r in rows
        ],
    )
    with HQClient(hq_url, token) as client:
        client.push(request)  # HQ commits; the store "dies" before recording the answer
    assert outbox.outbox_summary(a.db).pending == len(rows)
    entries_before = sorted(hq_entries(hq))
    result = sync(a, hq_url, token)
    assert result.ok and result.pushed == len(rows)  # all answered "duplicate"
    assert sorted(hq_entries(hq)) == entries_before
    assert outbox.outbox_summary(a.db).pending == 0
    assert_converged(hq, [a], [member.id])


def test_a_rejected_event_is_kept_and_shown(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    b = make_store(tmp_path, "S02", "T1", hq_url)
    first = a.register(phone="13700001111")
    assert sync(a, hq_url, token_a).ok
    b.register(phone="13700001111")  # the same phone registered offline in another store
    result = sync(b, hq_url, token_b)
    assert result.ok and result.rejected == 1
    (rejected,) = outbox.rejected_events(b.db)
    assert "phone" in (rejected.reject_reason or "")
    assert outbox.outbox_summary(b.db).rejected == 1
    # HQ's registration owns the phone in B too; later rounds carry on
    assert find_by_phone(b.db, "13700001111", now=b.now).id == first.id
    assert sync(b, hq_url, token_b).ok


def test_a_store_clock_a_day_off_still_converges(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    b = make_store(tmp_path, "S02", "T1", hq_url)
    member = a.register()
    a.give(member.id, 500)
    assert sync(a, hq_url, token_a).ok
    assert sync(b, hq_url, token_b).ok
    b.now = b.now + dt.timedelta(days=1)  # B's clock runs a day ahead
    b.sell(member.id, [CartLine("daily", 3000)], offset=100)
    a.sell(member.id, [CartLine("daily", 2000)])
    for store, token in ((b, token_b), (a, token_a), (b, token_b)):
        assert sync(store, hq_url, token).ok
    assert_converged(hq, [a, b], [member.id])


def test_two_stores_spend_the_same_points_one_offline(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    b = make_store(tmp_path, "S02", "T1", hq_url)
    member = a.register()
    a.give(member.id, 1000)
    assert sync(a, hq_url, token_a).ok
    assert sync(b, hq_url, token_b).ok
    start = a.balance(member.id)
    # both stores let the member use all of it before hearing of the other (tobacco earns
    # nothing, so the sales put no points back)
    a.sell(member.id, [CartLine("tobacco", 100000)], offset="max")
    b.sell(member.id, [CartLine("tobacco", 100000)], offset="max")
    assert a.balance(member.id) < start and b.balance(member.id) < start
    for store, token in ((a, token_a), (b, token_b), (a, token_a)):
        assert sync(store, hq_url, token).ok
    assert hq_balance(hq, member.id) < 0  # HQ accepted the overdraft (the sales happened)
    with hq.connect() as conn:
        flagged = conn.execute(
            text("SELECT overdraft_since FROM hq_members WHERE id = :id"), {"id": member.id}
        ).scalar_one()
    assert flagged is not None
    assert_converged(hq, [a, b], [member.id])
    # later earnings repay it
    a.sell(member.id, [CartLine("daily", 500000)])
    for store, token in ((a, token_a), (b, token_b)):
        assert sync(store, hq_url, token).ok
    assert_converged(hq, [a, b], [member.id])


def test_hq_down_then_back(hq: Engine, device_token: TokenFactory, tmp_path: Path) -> None:
    token = device_token("S01", "T1")
    with running_hq(hq) as url:
        a = make_store(tmp_path, "S01", "T1", url)
    member = a.register()  # HQ is gone: the counter keeps working
    a.sell(member.id, [CartLine("daily", 1000)])
    with HQClient(url, token, timeout=1) as client:
        down = sync_round(a.db, client, clock=lambda: a.now)
    assert not down.ok and down.pending > 0 and "cannot reach" in (down.error or "")
    with running_hq(hq) as url2:
        assert sync(a, url2, token).ok
    assert_converged(hq, [a], [member.id])


def test_pull_resumes_after_a_crash_between_pages(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    members = [a.register(phone=f"1390000{i:04d}") for i in range(30)]
    for m in members:
        a.sell(m.id, [CartLine("daily", 1000 + 10 * len(m.id))])
    assert sync(a, hq_url, token_a).ok
    b = make_store(tmp_path, "S02", "T1", hq_url)

    from sync import runner

    class Crash(Exception):
        pass

    pages = []

    def die_after_two(cursor: int, head: int) -> None:
        pages.append(cursor)
        if len(pages) == 2:
            raise Crash

    with HQClient(hq_url, token_b) as client, pytest.raises(Crash):
        runner.pull_all(b.db, client, page=7, progress=die_after_two)
    from pos_app.services import remote

    assert remote.sync_state(b.db).cursor == pages[-1]  # the applied pages are kept
    assert sync(b, hq_url, token_b).ok
    assert_converged(hq, [a, b], [m.id for m in members])


def test_expiry_in_a_chain_takes_each_lot_once(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    """Every store holds a copy of each lot; only the store that earned it expires it, and
    the others hear of it through HQ. Before, both stores' expiry runs took the points."""
    from pos_app.services.expiry import run_expiry

    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    b = make_store(tmp_path, "S02", "T1", hq_url)
    member = a.register()
    a.sell(member.id, [CartLine("daily", 50000)])  # earned at A, lots expire with the year
    assert sync(a, hq_url, token_a).ok
    assert sync(b, hq_url, token_b).ok
    earned = a.balance(member.id)
    later = a.now.replace(year=a.now.year + 2)
    assert run_expiry(b.db, actor=b.manager, now=later).points == 0  # not B's to expire
    assert b.balance(member.id, later) == 0  # but B no longer lets the member spend them
    report = run_expiry(a.db, actor=a.manager, now=later)
    assert report.points == earned
    for store, token in ((a, token_a), (b, token_b), (a, token_a), (b, token_b)):
        assert sync(store, hq_url, token).ok
    assert run_expiry(b.db, actor=b.manager, now=later).points == 0
    assert hq_balance(hq, member.id) == 0
    with hq.connect() as conn:
        expiries = conn.execute(
            text("SELECT COUNT(*) FROM hq_ledger WHERE kind = 'expiry'")
        ).scalar_one()
    assert expiries == 1
    assert_converged(hq, [a, b], [member.id])
