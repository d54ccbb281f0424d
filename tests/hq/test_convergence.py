"""Convergence: three stores and a real HQ (HTTP, PostgreSQL), driven by a seeded
random walk of registrations, sales with and without points offsets, partial returns,
offline spells and syncs at random moments. Once every store syncs until quiet, all
of them and HQ hold the same ledger and the same balances.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pos_app.errors import OfflineLimit
from pos_app.services import outbox
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import check_books
from pos_app.services.returns import ReturnItem, commit_return, returnable_lines
from sync.client import HQClient
from sync.hq.admin import reconcile
from sync.runner import RoundResult, sync_round
from tests.conftest import QUIET_DAY, Counter
from tests.hq.conftest import TokenFactory
from tests.hq.server import running_hq
from tests.hq.stores import make_store, sync

STORES = ("S01", "S02", "S03")
CATEGORIES = ("daily", "fresh", "electronics", "tobacco")
#: nothing listens here: a store "offline" tries it and fails, as with no network
DEAD_HQ = "http://127.0.0.1:9"
STEPS = 200


@pytest.fixture
def hq_url(hq: Engine) -> Iterator[str]:
    with running_hq(hq) as url:
        yield url


def rows(store: Counter, sql: str) -> list[tuple[object, ...]]:
    with store.sql() as conn:
        return [tuple(r) for r in conn.execute(sql)]


def hq_rows(hq: Engine, sql: str) -> list[tuple[object, ...]]:
    with hq.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def offline_round(store: Counter, token: str) -> RoundResult:
    with HQClient(DEAD_HQ, token, timeout=1) as client:
        return sync_round(store.db, client, clock=lambda: store.now)


def test_three_stores_converge_after_a_random_day(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    rng = random.Random(20260302)
    tokens = {code: device_token(code, "T1") for code in STORES}
    stores = {code: make_store(tmp_path, code, "T1", hq_url) for code in STORES}
    home: dict[str, str] = {}  # member id -> the store that registered them
    receipts: dict[str, list[str]] = {code: [] for code in STORES}
    offline_until = dict.fromkeys(STORES, -1)
    done = dict.fromkeys(
        (
            "register",
            "sale",
            "offset",
            "away_member",
            "offline_refused",
            "return",
            "offline",
            "sync",
            "failed_sync",
        ),
        0,
    )
    now = QUIET_DAY
    for step in range(STEPS):
        now += dt.timedelta(minutes=2)
        for store in stores.values():
            store.now = now
        code = rng.choice(STORES)
        store = stores[code]
        offline = step <= offline_until[code]
        action = rng.choices(
            ("register", "sale", "return", "offline", "sync"), weights=(10, 50, 12, 4, 24)
        )[0]
        if action == "register" or (action == "sale" and not home):
            member = store.register(name=f"会员{len(home)}", phone=f"1370000{len(home):04d}")
            home[member.id] = code
            done["register"] += 1
        elif action == "sale":
            known = [str(r[0]) for r in rows(store, "SELECT id FROM members ORDER BY id")]
            member_id = rng.choice(known) if known and rng.random() < 0.9 else None
            lines = [
                CartLine(rng.choice(CATEGORIES), rng.randint(100, 30000), rng.randint(1, 4))
                for _ in range(rng.randint(1, 3))
            ]
            offset: int | str = "max" if member_id and rng.random() < 0.35 else 0
            try:
                sale = store.sell(member_id, lines, offset=offset)
            except OfflineLimit:  # offline: the store's floor limit refuses the points
                done["offline_refused"] += 1
                sale = store.sell(member_id, lines)
            receipts[code].append(sale.receipt_no)
            done["sale"] += 1
            done["offset"] += sale.quote.offset_points > 0
            done["away_member"] += bool(member_id) and home.get(str(member_id)) != code
        elif action == "return" and receipts[code]:
            receipt = rng.choice(receipts[code])
            open_lines = [
                (line_no, left)
                for line_no, _, left in returnable_lines(store.db, receipt_no=receipt)
                if left > 0
            ]
            if open_lines:
                line_no, left = rng.choice(open_lines)
                commit_return(
                    store.db,
                    actor=store.cashier,
                    approver=store.manager,
                    receipt_no=receipt,
                    items=[ReturnItem(line_no, rng.randint(1, left))],
                    now=store.now,
                )
                done["return"] += 1
        elif action == "offline" and not offline:
            offline_until[code] = step + rng.randint(10, 40)
            done["offline"] += 1
        elif action == "sync":
            if offline:
                assert not offline_round(store, tokens[code]).ok
                done["failed_sync"] += 1
            else:
                result = sync(store, hq_url, tokens[code])
                assert result.ok, result.error
                done["sync"] += 1
    # the walk did what it is meant to exercise
    assert done["register"] >= 15 and done["sale"] >= 80 and done["return"] >= 10, done
    assert done["offset"] >= 10 and done["away_member"] >= 10, done
    assert done["offline_refused"] >= 1, done  # the offline floor limits were met
    assert done["offline"] >= 3 and done["failed_sync"] >= 2 and done["sync"] >= 20, done

    quiet = 0
    for _ in range(12):
        results = [sync(stores[code], hq_url, tokens[code]) for code in STORES]
        assert all(r.ok for r in results), [r.error for r in results]
        quiet = quiet + 1 if all(r.pushed == 0 and r.pulled == 0 for r in results) else 0
        if quiet == 2:
            break
    assert quiet == 2, "the stores never became quiet"

    hq_ledger = [str(r[0]) for r in hq_rows(hq, "SELECT entry_id FROM hq_ledger")]
    assert len(hq_ledger) == len(set(hq_ledger))
    hq_balances = dict(hq_rows(hq, "SELECT id, balance FROM hq_members"))
    assert set(hq_balances) == set(home)
    sums = dict(hq_rows(hq, "SELECT member_id, SUM(points) FROM hq_ledger GROUP BY member_id"))
    assert hq_balances == {m: sums.get(m, 0) for m in hq_balances}
    assert reconcile(hq) == []
    events = hq_rows(hq, "SELECT status, COUNT(*) FROM hq_events GROUP BY status")
    made = sum(len(rows(s, "SELECT seq FROM outbox_events")) for s in stores.values())
    assert events == [("accepted", made)], "every event reaches HQ once and is accepted"
    # member details agree too
    details = "SELECT id, name, phone, status, tier_code FROM members"
    hq_details = set(hq_rows(hq, details.replace("members", "hq_members")))
    for code, store in stores.items():
        assert set(rows(store, details)) == hq_details, code
        summary = outbox.outbox_summary(store.db)
        assert (summary.pending, summary.rejected) == (0, 0), code
        local = [str(r[0]) for r in rows(store, "SELECT uuid FROM ledger_entries")]
        assert len(local) == len(set(local)), f"{code} holds an entry twice"
        assert set(local) == set(hq_ledger), f"{code}'s ledger differs from HQ's"
        assert dict(rows(store, "SELECT id, balance FROM members")) == hq_balances, code
        local_sums = dict(
            rows(store, "SELECT member_id, SUM(points) FROM ledger_entries GROUP BY member_id")
        )
        assert {m: local_sums.get(m, 0) for m in hq_balances} == hq_balances, code
        assert check_books(store.db) == [], code


def test_a_tier_upgrade_at_checkout_reaches_hq_and_the_other_stores(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    a = make_store(tmp_path, "S01", "T1", hq_url)
    b = make_store(tmp_path, "S02", "T1", hq_url)
    member = a.register()
    sale = a.sell(member.id, [CartLine("general", 100000, qty=5)])
    assert sale.tier_change is not None and sale.tier_change.new_tier == "silver"
    assert sync(a, hq_url, token_a).ok
    assert sync(b, hq_url, token_b).ok
    assert b.balance(member.id) == a.balance(member.id)  # the bonus entry did travel
    tiers = hq_rows(hq, "SELECT tier_code FROM hq_members")
    assert tiers == [("silver",)], "HQ keeps the member at the old tier"
    assert rows(b, f"SELECT tier_code FROM members WHERE id = '{member.id}'") == [("silver",)]
