"""Sync under faults, with real processes: HQ killed -9 mid-batch, the store's sync
killed -9 mid-push and mid-pull, and one outbox pushed by two processes at once.

Whatever dies when, the end state is the same: every event at HQ exactly once, HQ's
ledger equal to the store's (entry ids unique), balances equal, HQ's books reconcile
and the store's pass the doctor.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from sqlalchemy import Engine, make_url, text

from pos_app.db.store import StoreDB, open_store
from pos_app.program import bundled_program
from pos_app.services import remote
from pos_app.services.auth import login
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import check_books
from sync.client import HQClient
from sync.config import SyncConfig, save_sync_config
from sync.hq.admin import reconcile
from sync.runner import RoundResult, sync_round
from tests.conftest import QUIET_DAY, Counter
from tests.hq.conftest import TokenFactory
from tests.hq.server import free_port, running_hq
from tests.hq.stores import make_store

POS_HQ = Path(sys.executable).with_name("pos-hq")
CATEGORIES = ("daily", "fresh", "electronics", "tobacco")

# -- store files -------------------------------------------------------------------------


def build_store(folder: Path, store_code: str, members: int, sales: int, seed: int) -> Path:
    """A store file with ``members`` registrations and ``sales`` sales, none pushed yet."""
    folder.mkdir(parents=True, exist_ok=True)
    c = make_store(folder, store_code, "T1", None)
    rng = random.Random(seed)
    ids = [c.register(name=f"会员{i}", phone=f"139{seed:02d}{i:06d}").id for i in range(members)]
    add_sales(c, rng, ids, sales)
    with c.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    c.db.close()
    return Path(c.db.path)


def counter_at(path: Path) -> Counter:
    db = open_store(path)
    staff = {code: login(db, code=code, pin=code * 4, now=QUIET_DAY) for code in "921"}
    return Counter(
        db=db,
        program=bundled_program("supermarket"),
        admin=staff["9"],
        manager=staff["2"],
        cashier=staff["1"],
        now=QUIET_DAY,
    )


def add_sales(c: Counter, rng: random.Random, ids: list[str], sales: int) -> None:
    for _ in range(sales):
        member = rng.choice(ids) if rng.random() < 0.95 else None
        lines = [
            CartLine(rng.choice(CATEGORIES), rng.randint(100, 20000), rng.randint(1, 3))
            for _ in range(rng.randint(1, 3))
        ]
        offset = "max" if member and rng.random() < 0.4 else 0
        c.sell(member, lines, offset=offset)


@pytest.fixture(scope="module")
def big_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """S01/T1 with 80 members and 2,400 sales: 2,480 pending events (built once)."""
    return build_store(tmp_path_factory.mktemp("big"), "S01", 80, 2400, seed=11)


def copy_store(template: Path, folder: Path, hq_url: str) -> Path:
    path = folder / "S01-T1.sqlite3"
    shutil.copyfile(template, path)
    db = open_store(path)
    try:
        remote.set_hq_url(db, hq_url)
    finally:
        db.close()
    return path


@contextmanager
def store_sql(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        yield conn


def store_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with store_sql(path) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def hq_rows(hq: Engine, sql: str) -> list[tuple[Any, ...]]:
    with hq.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def sync_once(db: StoreDB, url: str, token: str) -> RoundResult:
    with HQClient(url, token, timeout=30) as client:
        return sync_round(db, client)


def push_round(db: StoreDB, url: str, token: str, results: list[RoundResult]) -> None:
    results.append(sync_once(db, url, token))


def sync_until_quiet(path: Path, url: str, token: str) -> None:
    """Rounds until one pushes nothing, pulls nothing and leaves nothing pending."""
    db = open_store(path)
    try:
        for _ in range(10):
            result = sync_once(db, url, token)
            assert result.ok, result.error
            if result.pushed == 0 and result.pulled == 0 and result.pending == 0:
                return
        pytest.fail("the store never became quiet")
    finally:
        db.close()


# -- invariants --------------------------------------------------------------------------


def entries_by_event(path: Path) -> dict[str, set[str]]:
    """The ledger entry ids each outbox event carries."""
    return {
        event_id: {e["entry_id"] for e in json.loads(payload).get("entries", ())}
        for event_id, payload in store_rows(path, "SELECT event_id, payload FROM outbox_events")
    }


def assert_hq_atomic(hq: Engine, path: Path, carried: dict[str, set[str]]) -> set[str]:
    """HQ holds a gap-free prefix of the device's events, each once, and exactly the
    ledger entries those events carry (no half-applied batch). Returns HQ's event ids."""
    # one snapshot: HQ may still be committing a batch whose sender was killed
    with hq.connect() as conn:
        snap = conn.execution_options(isolation_level="REPEATABLE READ")
        with snap.begin():
            acked = snap.execute(
                text(
                    "SELECT acked_seq FROM hq_devices "
                    "WHERE store_code = 'S01' AND device_code = 'T1'"
                )
            ).scalar_one()
            events = snap.execute(
                text(
                    "SELECT event_id, seq, status FROM hq_events "
                    "WHERE store_code = 'S01' AND device_code = 'T1' ORDER BY seq"
                )
            ).all()
            ledger = [r[0] for r in snap.execute(text("SELECT entry_id FROM hq_ledger"))]
    assert [seq for _, seq, _ in events] == list(range(1, acked + 1))
    assert {status for _, _, status in events} <= {"accepted"}
    ids = {event_id for event_id, _, _ in events}
    outbox = dict(store_rows(path, "SELECT event_id, seq FROM outbox_events"))
    assert all(outbox[event_id] == seq for event_id, seq, _ in events), "an event id moved"
    expected = set().union(*(carried[e] for e in ids)) if ids else set()
    assert len(ledger) == len(set(ledger))
    assert set(ledger) == expected, "HQ's ledger differs from the events it recorded"
    assert reconcile(hq) == []
    return ids


def assert_store_sane(path: Path, hq_event_ids: set[str]) -> None:
    """The store's books balance, its outbox is gap-free, and what it marked acknowledged
    HQ really has (acknowledged events form a prefix of the sequence)."""
    db = open_store(path)  # recovery (WAL replay) on open
    try:
        assert check_books(db) == []
    finally:
        db.close()
    rows = store_rows(path, "SELECT seq, event_id, status FROM outbox_events ORDER BY seq")
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    statuses = [status for _, _, status in rows]
    assert set(statuses) <= {"pending", "acked"}
    acked = statuses.count("acked")
    assert statuses == ["acked"] * acked + ["pending"] * (len(rows) - acked)
    assert {event_id for _, event_id, status in rows if status == "acked"} <= hq_event_ids


def assert_converged(hq: Engine, paths: list[Path]) -> None:
    hq_ledger = [r[0] for r in hq_rows(hq, "SELECT entry_id FROM hq_ledger")]
    assert len(hq_ledger) == len(set(hq_ledger))
    balances = dict(hq_rows(hq, "SELECT id, balance FROM hq_members"))
    (head,) = hq_rows(hq, "SELECT value FROM hq_counters WHERE name = 'feed'")[0]
    for path in paths:
        local = [r[0] for r in store_rows(path, "SELECT uuid FROM ledger_entries")]
        assert len(local) == len(set(local)), "an entry is doubled in the store"
        assert sorted(local) == sorted(hq_ledger), "the store's ledger differs from HQ's"
        assert dict(store_rows(path, "SELECT id, balance FROM members")) == balances
        ((cursor,),) = store_rows(path, "SELECT cursor FROM sync_state WHERE id = 1")
        assert cursor <= head
        db = open_store(path)
        try:
            assert check_books(db) == []
        finally:
            db.close()
    assert reconcile(hq) == []


def assert_exactly_once(hq: Engine, path: Path) -> None:
    """Every outbox event at HQ once, accepted; every one acknowledged in the store."""
    outbox = store_rows(path, "SELECT event_id, seq, status FROM outbox_events ORDER BY seq")
    events = hq_rows(
        hq,
        "SELECT event_id, seq, status FROM hq_events "
        "WHERE store_code = 'S01' AND device_code = 'T1' ORDER BY seq",
    )
    assert len(events) == len(outbox)
    assert [(e, s) for e, s, _ in events] == [(e, s) for e, s, _ in outbox]
    assert {status for _, _, status in events} == {"accepted"}
    assert {status for _, _, status in outbox} == {"acked"}
    assert_hq_atomic(hq, path, entries_by_event(path))


# -- processes ---------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def start_hq(db_url: str, log: IO[bytes]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [POS_HQ, "serve", "--db", db_url, "--port", str(port), "--log-level", "warning"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, "pos-hq serve exited"
        try:
            return httpx.get(f"{url}/v1/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, 30, "pos-hq serve to answer /v1/health")
    return proc, url


def kill9(proc: subprocess.Popen[Any]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # reaps it and closes its pipes
    assert proc.returncode == -signal.SIGKILL


# -- 1. HQ killed mid-batch --------------------------------------------------------------


def test_hq_killed_mid_batch_loses_and_doubles_nothing(
    hq: Engine,
    hq_cli_url: str,
    device_token: TokenFactory,
    big_store_file: Path,
    tmp_path: Path,
) -> None:
    token = device_token("S01", "T1")
    app_name = f"hq-kill-{uuid.uuid4().hex[:8]}"
    db_url = (
        make_url(hq_cli_url)
        .update_query_dict({"application_name": app_name})
        .render_as_string(hide_password=False)
    )
    path = copy_store(big_store_file, tmp_path, "http://127.0.0.1:1")
    carried = entries_by_event(path)
    total = len(carried)
    rng = random.Random(2026)

    def committed() -> int:
        return int(hq_rows(hq, "SELECT COUNT(*) FROM hq_events")[0][0])

    def committed_at_least(count: int) -> bool:
        return committed() >= count

    def push_in_flight() -> bool:
        # a transaction of this HQ that has written (locked the device row, applied events)
        return bool(
            hq_rows(
                hq,
                f"SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '{app_name}' "
                "AND backend_xid IS NOT NULL",
            )[0][0]
        )

    with open(tmp_path / "hq.log", "wb") as log:
        for _ in range(4):
            proc, url = start_hq(db_url, log)
            before = committed()
            # let HQ commit some batches, then kill it in the middle of the next one
            threshold = rng.randint(before, max(before, total - 500))
            db = open_store(path)
            rounds: list[RoundResult] = []
            pusher = threading.Thread(target=push_round, args=(db, url, token, rounds))
            pusher.start()
            try:
                wait_until(partial(committed_at_least, threshold), 120, "HQ to commit batches")
                time.sleep(rng.uniform(0, 0.3))
                wait_until(push_in_flight, 60, "a push in flight at HQ")
            finally:
                kill9(proc)
                pusher.join(60)
                db.close()
            assert not pusher.is_alive()
            assert rounds and not rounds[0].ok, "the round should fail: HQ died under it"
            assert committed() < total, "HQ should have died before it had every event"
            hq_ids = assert_hq_atomic(hq, path, carried)
            assert_store_sane(path, hq_ids)
        proc, url = start_hq(db_url, log)
        try:
            sync_until_quiet(path, url, token)
        finally:
            proc.terminate()
            proc.wait(30)
    assert_exactly_once(hq, path)
    assert_converged(hq, [path])


# -- 2. the store's sync killed mid-push and mid-pull ------------------------------------

PUSHER = r"""
import sys
from pos_app.services import outbox
from sync import client, runner
from sync.cli import main

runner.PUSH_BATCH = int(sys.argv[3])
_push, _record = client.HQClient.push, outbox.record_push_results

def push(self, request):
    print("request", len(request.events), flush=True)
    answer = _push(self, request)
    print("answer", answer.acked_through, flush=True)
    return answer

def record(*args, **kwargs):
    counts = _record(*args, **kwargs)
    print("recorded", counts.acked, flush=True)
    return counts

client.HQClient.push, outbox.record_push_results = push, record
print("ready", flush=True)
sys.exit(main(["sync", "--db", sys.argv[1], "--config", sys.argv[2]]))
"""


def spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(proc: subprocess.Popen[str], marker: str, times: int = 1) -> None:
    assert proc.stdout is not None
    seen = 0
    while seen < times:
        line = proc.stdout.readline()
        if not line:
            proc.wait(30)
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"the child ended (exit {proc.returncode}) before {marker!r}: {err}")
        seen += line.split()[0] == marker


def test_store_sync_killed_mid_push_loses_and_doubles_nothing(
    hq: Engine, device_token: TokenFactory, big_store_file: Path, tmp_path: Path
) -> None:
    token = device_token("S01", "T1")
    rng = random.Random(77)
    with running_hq(hq) as url:
        path = copy_store(big_store_file, tmp_path, url)
        config = save_sync_config(SyncConfig(url=url, token=token), tmp_path / "sync.toml")
        carried = entries_by_event(path)
        ahead = 0
        for _ in range(8):
            # batches of 100: at most three reach HQ per life, 25 are needed
            proc = spawn(PUSHER, str(path), str(config), "100")
            read_until(proc, "ready")
            read_until(proc, "recorded", rng.randint(0, 1))
            point = rng.choice(("request", "answer", "recorded"))
            read_until(proc, point)
            # "request": HQ is applying the batch (it commits; the store never hears);
            # "answer": the store is recording HQ's answer; "recorded": between batches
            time.sleep(rng.uniform(0, 0.5) if point == "request" else rng.uniform(0, 0.005))
            kill9(proc)
            hq_ids = assert_hq_atomic(hq, path, carried)
            assert_store_sane(path, hq_ids)
            pending = store_rows(path, "SELECT COUNT(*) FROM outbox_events WHERE status != 'acked'")
            assert pending[0][0] > 0, "the sync should have died mid-push"
            acked = store_rows(path, "SELECT COUNT(*) FROM outbox_events WHERE status = 'acked'")
            ahead += len(hq_ids) > acked[0][0]
        assert ahead, "HQ should sometimes have committed a batch the store never recorded"
        sync_until_quiet(path, url, token)
    assert_exactly_once(hq, path)
    assert_converged(hq, [path])


PULLER = r"""
import sys
from pos_app.db.store import open_store
from sync.client import HQClient
from sync.runner import pull_all

db = open_store(sys.argv[1])
print("ready", flush=True)
with HQClient(sys.argv[2], sys.argv[3]) as client:
    pull_all(db, client, page=50, progress=lambda c, h: print("page", c, h, flush=True))
print("done", flush=True)
"""


def test_store_killed_mid_pull_keeps_whole_pages_only(
    hq: Engine, device_token: TokenFactory, big_store_file: Path, tmp_path: Path
) -> None:
    token_a, token_b = device_token("S01", "T1"), device_token("S02", "T1")
    rng = random.Random(5)
    with running_hq(hq) as url:
        a = copy_store(big_store_file, tmp_path, url)
        sync_until_quiet(a, url, token_a)
        feed = hq_rows(hq, "SELECT cursor, kind, data FROM hq_feed ORDER BY cursor")
        assert len(feed) > 3000
        head = feed[-1][0]
        b = make_store(tmp_path, "S02", "T1", url)
        b.db.close()
        path = Path(b.db.path)
        last = 0
        for _ in range(8):
            proc = spawn(PULLER, str(path), url, token_b)
            read_until(proc, "ready")
            read_until(proc, "page", rng.randint(1, 6))  # 66 pages of 50, at most 7 a life
            time.sleep(rng.uniform(0, 0.03))
            kill9(proc)
            db = open_store(path)
            try:
                assert check_books(db) == []
                cursor = remote.sync_state(db).cursor
            finally:
                db.close()
            assert last < cursor < head
            last = cursor
            # exactly the pages up to the stored cursor are applied: none half, none twice
            upto = [json.loads(data) for c, kind, data in feed if c <= cursor]
            ledger = {d["entry_id"] for d in upto if "entry_id" in d}
            local = [r[0] for r in store_rows(path, "SELECT uuid FROM ledger_entries")]
            assert len(local) == len(set(local))
            assert set(local) == ledger
            members = {
                json.loads(data)["id"] for c, kind, data in feed if kind == "member" and c <= cursor
            }
            assert {r[0] for r in store_rows(path, "SELECT id FROM members")} == members
        sync_until_quiet(path, url, token_b)
        ((cursor,),) = store_rows(path, "SELECT cursor FROM sync_state WHERE id = 1")
        assert cursor == head
    assert_converged(hq, [a, path])


# -- 3. one outbox pushed by two processes at once ----------------------------------------

TWIN = r"""
import sys
from sync.cli import main

print("ready", flush=True)
sys.stdin.readline()
sys.exit(main(["sync", "--db", sys.argv[1], "--config", sys.argv[2]]))
"""


def test_the_same_outbox_pushed_by_two_processes_at_once_lands_once(
    hq: Engine, device_token: TokenFactory, tmp_path: Path
) -> None:
    token = device_token("S01", "T1")
    template = build_store(tmp_path / "template", "S01", 20, 700, seed=23)
    rng = random.Random(3)
    with running_hq(hq) as url:
        path = copy_store(template, tmp_path, url)
        config = save_sync_config(SyncConfig(url=url, token=token), tmp_path / "sync.toml")
        overlap = 0
        for round_no in range(2):
            if round_no:  # more sales between rounds
                c = counter_at(path)
                ids = [r[0] for r in store_rows(path, "SELECT id FROM members")]
                add_sales(c, rng, ids, 300)
                c.db.close()
            snapshot = tmp_path / f"snapshot{round_no}.sqlite3"
            with store_sql(path) as conn, closing(sqlite3.connect(snapshot)) as copy:
                conn.backup(copy)
            new = store_rows(path, "SELECT COUNT(*) FROM outbox_events WHERE status = 'pending'")
            twins = [spawn(TWIN, str(path), str(config)) for _ in range(2)]
            for proc in twins:
                read_until(proc, "ready")
            for proc in twins:
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            sent = 0
            for proc in twins:
                out, err = proc.communicate(timeout=120)
                assert proc.returncode == 0, out + err
                sent += int(out.split("sent ")[1].split()[0])
            overlap += sent > new[0][0]
            assert_exactly_once(hq, path)
            # and a third time: the same batch again from a store restored from backup
            before = hq_rows(hq, "SELECT COUNT(*) FROM hq_events")
            ledger = hq_rows(hq, "SELECT COUNT(*) FROM hq_ledger")
            db = open_store(snapshot)
            try:
                again = sync_once(db, url, token)
            finally:
                db.close()
            assert again.ok and again.pushed == new[0][0]  # every one a duplicate
            assert hq_rows(hq, "SELECT COUNT(*) FROM hq_events") == before
            assert hq_rows(hq, "SELECT COUNT(*) FROM hq_ledger") == ledger
        assert overlap, "the two processes should have pushed some of the same events"
        sync_until_quiet(path, url, token)
    assert_exactly_once(hq, path)
    assert_converged(hq, [path])
