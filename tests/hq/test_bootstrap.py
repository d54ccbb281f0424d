"""A new store's first download in big pages (``/v1/bootstrap``, bulk apply, a fetch
thread ahead of the apply) ends exactly where page-by-page pulls end, keeps whole
pages only when killed mid-way, and resumes; HQ's bulk member import feeds the
same changes as its row-by-row path."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from pos_app.db import bulk_indexes
from pos_app.db.store import StoreDB, open_store
from pos_app.services import bootstrap, remote
from pos_app.services.doctor import check_books
from sync.client import HQClient
from sync.hq import admin
from sync.runner import pull_all
from tests.conftest import QUIET_DAY
from tests.hq.conftest import NOW, TokenFactory
from tests.hq.server import running_hq
from tests.hq.stores import make_store
from tests.hq.test_sync_faults import kill9, read_until, spawn, store_rows

MEMBERS = 1500


def members_csv(count: int, start: int = 0) -> str:
    rows = ["name,phone,card,tier,home_store"]
    rows += [f"会员{i},139{i:08d},77{i:08d},normal,S01" for i in range(start, start + count)]
    return "\n".join(rows) + "\n"


def load_hq(hq: Engine, device_token: TokenFactory) -> tuple[str, str]:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    report = admin.import_members_csv(hq, members_csv(MEMBERS), NOW)
    assert report.added == MEMBERS and not report.rejected
    return token_a, token_b


def local_members(path: Path) -> list[tuple[Any, ...]]:
    return store_rows(
        path,
        "SELECT id, name, phone, phone_last4, tier_code, status, home_store, referrer_id "
        "FROM members ORDER BY id",
    )


def local_cards(path: Path) -> list[tuple[Any, ...]]:
    return store_rows(path, "SELECT card_no, member_id, status FROM member_cards ORDER BY 1")


def hq_members(hq: Engine) -> list[tuple[Any, ...]]:
    with hq.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT id, name, phone FROM hq_members ORDER BY id"))
        ]


DEFERRED = {name for _, name in bulk_indexes.DEFERRED}


def index_names(path: Path) -> set[str]:
    return {r[0] for r in store_rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_bulk_download_ends_like_page_by_page_pulls(
    hq: Engine, device_token: TokenFactory, tmp_path: Path
) -> None:
    _, token = load_hq(hq, device_token)
    with running_hq(hq) as url:
        (tmp_path / "slow").mkdir()
        (tmp_path / "fast").mkdir()
        slow = make_store(tmp_path / "slow", "S02", "T1", url)
        fast = make_store(tmp_path / "fast", "S02", "T1", url)
        seen: list[tuple[int, int]] = []
        left_out: list[set[str]] = []

        def progress(cursor: int, head: int) -> None:
            seen.append((cursor, head))
            left_out.append(DEFERRED - index_names(Path(fast.db.path)))

        with HQClient(url, token) as client:
            plain = pull_all(slow.db, client, clock=lambda: QUIET_DAY, bulk_page=0)
            bulk = pull_all(
                fast.db,
                client,
                clock=lambda: QUIET_DAY,
                page=100,  # the first page, before the store knows how far behind it is
                bulk_page=700,
                bulk_behind=0,
                bulk_commit=1,  # a commit (and a progress report) for every page
                progress=progress,
            )
        assert plain == bulk == 2 * MEMBERS
        # an empty store fills without the indexes the download does not read, and has
        # them all again at the end
        # (the first report is the ordinary first page's)
        assert left_out[0] == set() and len(left_out) >= 3
        assert all(names == DEFERRED for names in left_out[1:])
        assert index_names(Path(fast.db.path)) >= DEFERRED
        head = remote.sync_state(slow.db).cursor
        assert remote.sync_state(fast.db).cursor == head
        # progress moves page by page up to the head (the counter shows "fetching N%")
        assert len(seen) >= 3 and seen[-1] == (head, head)
        assert [c for c, _ in seen] == sorted(c for c, _ in seen)
        assert check_books(fast.db) == []
        slow.db.close()
        fast.db.close()
    a, b = Path(slow.db.path), Path(fast.db.path)
    assert local_members(a) == local_members(b)
    assert local_cards(a) == local_cards(b)
    assert [r[:3] for r in local_members(b)] == hq_members(hq)


def test_bulk_download_again_changes_nothing_and_a_phone_moves_to_hq(
    hq: Engine, device_token: TokenFactory, tmp_path: Path
) -> None:
    _, token = load_hq(hq, device_token)
    with running_hq(hq) as url:
        store = make_store(tmp_path, "S02", "T1", url)
        # registered here offline with a phone HQ gave to its own member: HQ decides
        local = store.register(name="本地", phone=f"139{7:08d}")
        with HQClient(url, token) as client:
            pull_all(store.db, client, clock=lambda: QUIET_DAY, bulk_page=500, bulk_behind=0)
            before = local_members(Path(store.db.path))
            remote.reset_cursor(store.db)
            pull_all(store.db, client, clock=lambda: QUIET_DAY, bulk_page=500, bulk_behind=0)
        path = Path(store.db.path)
        assert local_members(path) == before
        row = store_rows(path, f"SELECT phone FROM members WHERE id = '{local.id}'")
        assert row == [(None,)]
        assert check_books(store.db) == []
        store.db.close()


BULK_PULLER = r"""
import sys
from pos_app.db.store import StoreDB, open_store
from sync.client import HQClient
from sync.runner import pull_all

db = open_store(sys.argv[1])
print("ready", flush=True)
with HQClient(sys.argv[2], sys.argv[3]) as client:
    pull_all(db, client, page=100, bulk_page=100, bulk_behind=0, bulk_commit=200,
             progress=lambda c, h: print("page", c, h, flush=True))
print("done", flush=True)
"""


def test_bulk_download_killed_mid_way_keeps_whole_pages_and_resumes(
    hq: Engine, device_token: TokenFactory, tmp_path: Path
) -> None:
    _, token = load_hq(hq, device_token)
    with hq.connect() as conn:
        feed = [
            (int(c), kind, data)
            for c, kind, data in conn.execute(
                text("SELECT cursor, kind, data FROM hq_feed ORDER BY cursor")
            )
        ]
    head = feed[-1][0]
    rng = random.Random(3)
    with running_hq(hq) as url:
        store = make_store(tmp_path, "S02", "T1", url)
        store.db.close()
        path = Path(store.db.path)
        last = 0
        killed_filling: list[bool] = []
        for _ in range(4):
            proc = spawn(BULK_PULLER, str(path), url, token)
            read_until(proc, "ready")
            # 1 page of 100, then 15 commits of 2 pages of 100: at most 3 a life
            read_until(proc, "page", rng.randint(1, 3))
            time.sleep(rng.uniform(0, 0.02))
            kill9(proc)
            # killed while filling: the indexes it left out are built on the next opening
            killed_filling.append(not DEFERRED & index_names(path))
            db = open_store(path)
            assert index_names(path) >= DEFERRED
            try:
                assert check_books(db) == []
                cursor = remote.sync_state(db).cursor
            finally:
                db.close()
            assert last < cursor < head
            last = cursor
            # exactly the pages up to the stored cursor: the members and cards they carry
            upto = [(kind, json.loads(data)) for c, kind, data in feed if c <= cursor]
            assert {r[0] for r in local_members(path)} == {
                d["id"] for kind, d in upto if kind == "member"
            }
            assert {r[0] for r in local_cards(path)} == {
                d["card_no"] for kind, d in upto if kind == "card"
            }
        assert any(killed_filling)
        proc = spawn(BULK_PULLER, str(path), url, token)
        read_until(proc, "done")
        proc.communicate(timeout=30)
        assert store_rows(path, "SELECT cursor FROM sync_state WHERE id = 1") == [(head,)]
        assert index_names(path) >= DEFERRED
    assert [r[:3] for r in local_members(path)] == hq_members(hq)
    assert len(local_cards(path)) == MEMBERS


def test_bulk_import_feeds_what_the_row_by_row_import_feeds(hq: Engine) -> None:
    admin.add_store(hq, code="S01", name="一号店", now=NOW)
    report = admin.import_members_csv(hq, members_csv(20), NOW)
    assert report.added == 20
    with hq.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM hq_members ORDER BY id"))]
        bulk = admin._member_datas(conn, ids)
        assert bulk == {i: admin._member_data(conn, i) for i in ids}
        feed = [
            (kind, data)
            for kind, data in conn.execute(text("SELECT kind, data FROM hq_feed ORDER BY cursor"))
        ]
    # member, card, member, card ... in the file's order
    assert [kind for kind, _ in feed] == ["member", "card"] * 20
    again = admin.import_members_csv(hq, members_csv(25), NOW)
    assert (again.added, again.updated, again.unchanged) == (5, 0, 20)


def _page_body(changes: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {"changes": changes, "next_cursor": len(changes), "more": False, "head": len(changes)}
    ).encode()


def _bulk_apply(
    db: StoreDB, parsed: bootstrap.ParsedBody, next_cursor: int, *, fill: bool = False
) -> tuple[int, int]:
    with (
        bootstrap.bulk_connection(db, fill=fill) as conn,
        bootstrap.writing(db, conn, NOW) as writer,
    ):
        return writer.apply(parsed.changes, checked=parsed.checked, next_cursor=next_cursor)


@pytest.mark.parametrize("fill", [False, True], ids=["adding", "filling"])
def test_a_page_read_from_its_json_applies_as_the_ordinary_path_does(
    tmp_path: Path, fill: bool
) -> None:
    (tmp_path / "bulk").mkdir()
    (tmp_path / "plain").mkdir()
    bulk = make_store(tmp_path / "bulk", "S02", "T1", None)
    plain = make_store(tmp_path / "plain", "S02", "T1", None)
    a, b = "a" * 8 + "-0000-4000-8000-" + "0" * 12, "b" * 8 + "-0000-4000-8000-" + "0" * 12
    member = {"tier_code": "normal", "created_at": "2026-02-01T17:00:00+08:00"}
    changes: list[dict[str, Any]] = [
        # a field HQ adds later is ignored; absent optional fields take their defaults
        {"cursor": 1, "kind": "member", "data": {**member, "id": a, "name": " 张  三 ",
                                                  "phone": "139 1111 2222", "later": 1}},
        {"cursor": 2, "kind": "card", "data": {"card_no": " 77-0001 ", "member_id": a}},
        {"cursor": 3, "kind": "member", "origin": "S01/T1",
         "data": {**member, "id": b, "name": "李四", "phone": None, "status": "frozen"}},
        {"cursor": 4, "kind": "card", "data": {"card_no": "770002", "member_id": b,
                                                "status": "lost"}},
        # the phone moves to b
        {"cursor": 5, "kind": "member", "data": {**member, "id": b, "name": "李四",
                                                  "phone": "13911112222"}},
    ]  # fmt: skip
    parsed = bootstrap.parse_body(_page_body(changes))
    assert parsed.checked and parsed.rest == {"next_cursor": 5, "more": False, "head": 5}
    assert _bulk_apply(bulk.db, parsed, 5, fill=fill) == (5, 0)
    remote.apply_changes(plain.db, changes, next_cursor=5, now=NOW)
    for store in (bulk, plain):
        store.db.close()
    x, y = Path(bulk.db.path), Path(plain.db.path)
    assert local_members(x) == local_members(y)
    assert local_cards(x) == local_cards(y) == [("770001", a, "active"), ("770002", b, "lost")]
    assert store_rows(x, "SELECT phone FROM members ORDER BY name") == [(None,), ("13911112222",)]


@pytest.mark.parametrize("fill", [False, True], ids=["adding", "filling"])
def test_a_bad_change_in_a_bulk_page_is_named_and_nothing_is_written(
    tmp_path: Path, fill: bool
) -> None:
    store = make_store(tmp_path, "S02", "T1", None)
    good = {"id": "m1", "name": "张三", "tier_code": "normal", "created_at": NOW.isoformat()}
    changes = [
        {"cursor": 1, "kind": "member", "data": good},
        {"cursor": 2, "kind": "member", "data": {**good, "id": "m2", "phone": "12345"}},
        {"cursor": 3, "kind": "card", "data": {"card_no": "x" * 40, "member_id": "m1"}},
    ]
    parsed = bootstrap.parse_body(_page_body(changes))
    assert not parsed.checked  # the card number is too long for the schema
    with pytest.raises(remote.BadChange) as bad:
        _bulk_apply(store.db, parsed, 3, fill=fill)
    assert bad.value.cursor == 2 and bad.value.field == "data.phone"
    # a page that validates but holds a phone the store refuses: the same answer
    checked = bootstrap.parse_body(_page_body(changes[:2]))
    assert checked.checked
    with pytest.raises(remote.BadChange) as again:
        _bulk_apply(store.db, checked, 2, fill=fill)
    assert again.value.cursor == 2 and again.value.field == "data.phone"
    with pytest.raises(remote.BadChange) as third:
        bootstrap.apply_page(store.db, changes, next_cursor=3, now=NOW)
    assert third.value.cursor == 2
    store.db.close()
    assert local_members(Path(store.db.path)) == []
    assert store_rows(Path(store.db.path), "SELECT cursor FROM sync_state") in ([], [(0,)])


def test_a_fill_checks_the_references_of_what_it_wrote_change_by_change(tmp_path: Path) -> None:
    """A fill leaves foreign keys to the end of each transaction: a row the ordinary
    applier wrote that names a missing member fails the transaction, nothing of it
    stays, and the connection checks foreign keys again afterwards."""
    store = make_store(tmp_path, "S02", "T1", None)
    good = {"id": "m1", "name": "张三", "tier_code": "normal", "created_at": NOW.isoformat()}
    page = [
        {"cursor": 1, "kind": "member", "data": good},
        {"cursor": 2, "kind": "card", "data": {"card_no": "770001", "member_id": "m1"}},
    ]
    with (
        pytest.raises(remote.BadChange) as bad,
        bootstrap.bulk_connection(store.db, fill=True) as conn,
        bootstrap.writing(store.db, conn, NOW) as writer,
    ):
        assert writer.references_off
        writer.apply(page, checked=False, next_cursor=2)  # change by change
        assert writer.unchecked == [1, 2]
        # what a missed check in the applier would leave behind
        writer.tx.run(
            "INSERT INTO member_cards (card_no, member_id, status, issued_at) "
            "VALUES ('770002', 'nobody', 'active', '2026-01-01 00:00:00.000000')"
        )
    assert "member_cards" in bad.value.reason and bad.value.cursor == "1, 2"
    path = Path(store.db.path)
    assert local_members(path) == [] and local_cards(path) == []
    with store.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    # the same page without the stray row commits
    with (
        bootstrap.bulk_connection(store.db, fill=True) as conn,
        bootstrap.writing(store.db, conn, NOW) as writer,
    ):
        writer.apply(page, checked=False, next_cursor=2)
    assert [r[0] for r in local_cards(path)] == ["770001"]
    store.db.close()


def test_a_fill_that_cannot_start_leaves_the_connection_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer holds the database: dropping the indexes fails, and the pooled
    connection goes back with foreign keys on and its usual cache, indexes untouched."""
    from pos_app.db import store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    store = make_store(tmp_path, "S02", "T1", None)
    store.db.engine.dispose()  # connections made again with the short busy timeout
    path = Path(store.db.path)
    with store.db.engine.connect() as conn:
        usual_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with (
            pytest.raises(OperationalError, match="database is locked"),
            bootstrap.bulk_connection(store.db, fill=True),
        ):
            pytest.fail("the fill started while another writer held the database")
    finally:
        other.execute("ROLLBACK")
        other.close()
    with store.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == usual_cache
    assert index_names(path) >= DEFERRED
    store.db.close()
