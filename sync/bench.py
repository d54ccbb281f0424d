"""``pos-app bench`` sync sections: push, pull and bootstrap against a PostgreSQL HQ.

A scratch schema is created in the ``--hq-db`` database (default the local
``test`` database) and dropped at the end; the HQ runs as a real uvicorn process
on loopback, the store side in this process. Without PostgreSQL the sections are
skipped, saying why.

* ``bootstrap``: HQ imports N members with cards (bulk import, timed as a fact);
  a new store downloads the whole feed (2N changes); target <= 60 s at 1,000,000.
* ``push``: a store pushes K sale events (runs reset HQ and the outbox); target
  >= 5,000 events/s, beside psycopg ``executemany`` writing the same rows (events,
  ledger, balances, feed) in the same batches.
* ``pull``: a store at the head pulls the K ledger changes those pushes made.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from pos_app.bench import BenchRun, _card, _phone, _sale, builder_store, judged, skipped
from pos_app.db.store import open_store
from pos_app.demo import seed_store
from pos_app.services import remote
from pos_app.services.auth import login
from sync.client import HQClient
from sync.hq import admin
from sync.hq.db import open_hq
from sync.runner import PUSH_BATCH, pull_all, push_all

DEFAULT_HQ_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SYNC_SECTIONS = ("push", "pull", "bootstrap")

SERVER = r"""
import sys
import uvicorn
from sync.hq.app import create_app
from sync.hq.db import open_hq

engine = open_hq(sys.argv[1], connect_args={"options": f"-csearch_path={sys.argv[2]}"})
uvicorn.run(create_app(engine), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning",
            lifespan="off")
"""


def _utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def scratch_hq(url: str) -> Iterator[tuple[Engine, str]]:
    """A migrated HQ in a fresh schema of ``url``'s database, dropped afterwards."""
    admin_engine = create_engine(url, connect_args={"connect_timeout": 3})
    schema = f"hq_bench_{uuid.uuid4().hex[:10]}"
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = None
    try:
        engine = open_hq(url, connect_args={"options": f"-csearch_path={schema}"})
        yield engine, schema
    finally:
        if engine is not None:
            engine.dispose()
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def hq_process(url: str, schema: str) -> Iterator[str]:
    """The HQ app served by uvicorn in a process of its own on a loopback port."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, url, schema, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/v1/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the HQ server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def members_csv(count: int) -> str:
    lines = ["name,phone,card,tier,home_store"]
    lines += [f"会员{i},{_phone(i)},{_card(i)},normal,S01" for i in range(count)]
    return "\n".join(lines) + "\n"


def _new_store(path: Path, store_code: str, hq_url: str) -> None:
    store = seed_store(path, "supermarket", _utc())
    store.db.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE store_identity SET store_code = ? WHERE id = 1", (store_code,))
        conn.commit()
    db = open_store(path)
    remote.set_hq_url(db, hq_url)
    db.close()


def _copy(src: Path, dst: Path) -> None:
    _checkpoint(src)
    for suffix in ("-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)


def _checkpoint(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run_sync_sections(run: BenchRun) -> None:
    wanted = [s for s in SYNC_SECTIONS if run.wants(s)]
    if not wanted:
        return
    url = run.hq_db or DEFAULT_HQ_DB
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        why = f"PostgreSQL is not reachable at {url}: {str(exc.orig).strip()[:120]}"
        print(f"[sync] skipped: {why}", flush=True)
        for name in wanted:
            run.add(skipped(name, f"sync {name}", why))
        return
    finally:
        probe.dispose()
    with scratch_hq(url) as (engine, schema), hq_process(url, schema) as base:
        _sync_benches(run, engine, url, schema, base, wanted)


def _sync_benches(
    run: BenchRun, engine: Engine, url: str, schema: str, base: str, wanted: list[str]
) -> None:
    scale = run.scale
    work = run.data / "sync"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    now = _utc()
    admin.add_store(engine, code="S01", name="一号店", now=now)
    admin.add_store(engine, code="S02", name="二号店", now=now)
    token = admin.add_device(engine, store_code="S02", device_code="T1", now=now)
    print("[bootstrap]", flush=True)
    run.say(f"HQ imports {scale.members:,} members with cards (pos-hq members import)")
    csv_text = members_csv(scale.members)
    t0 = time.perf_counter()
    report = admin.import_members_csv(engine, csv_text, now)
    took = time.perf_counter() - t0
    del csv_text
    if report.added != scale.members or report.rejected:
        raise RuntimeError(
            f"the bench import went wrong: {report.added} added, {report.rejected[:3]}"
        )
    run.facts["hq_import_s"] = round(took, 2)
    run.add(
        judged(
            "bootstrap",
            f"HQ member import, {scale.members:,} rows",
            "rows/s",
            scale.members / took,
            limit=None,
            runs=1,
            note=f"{took:.1f} s",
        )
    )

    store = work / "bootstrapped.sqlite3"
    _new_store(store, "S02", base)
    db = open_store(store)
    shown: list[int] = []
    try:
        with HQClient(base, token, timeout=60) as client:
            t0 = time.perf_counter()
            changes = pull_all(
                db,
                client,
                progress=lambda c, h: shown.append(100 * c // max(h, 1)),
            )
            took = time.perf_counter() - t0
        local = db.engine.connect()
        try:
            count = local.exec_driver_sql("SELECT COUNT(*) FROM members").scalar_one()
        finally:
            local.close()
    finally:
        db.close()
    if count != scale.members:
        raise RuntimeError(f"the bootstrapped store has {count} members, not {scale.members}")
    full = scale.members >= 1_000_000
    run.facts["bootstrap"] = {"changes": changes, "seconds": round(took, 2), "progress": shown}
    if "bootstrap" in wanted:
        run.add(
            judged(
                "bootstrap",
                f"initial bootstrap, {scale.members:,} members",
                "s",
                took,
                limit=60.0 if full else None,
                runs=1,
                target="<= 60 s at 1,000,000",
                note=f"{changes:,} changes, {changes / took:,.0f} changes/s"
                + ("" if full else f"; 1,000,000 at this rate: {took * 1e6 / scale.members:.0f} s"),
            )
        )
    if "push" in wanted or "pull" in wanted:
        _push_pull(run, engine, url, schema, base, token, store, work, wanted)


def _reset_hq(engine: Engine, base_cursor: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM hq_events"))
        conn.execute(text("DELETE FROM hq_ledger"))
        conn.execute(text("DELETE FROM hq_feed WHERE cursor > :c"), {"c": base_cursor})
        conn.execute(
            text("UPDATE hq_counters SET value = :c WHERE name = 'feed'"), {"c": base_cursor}
        )
        conn.execute(text("UPDATE hq_devices SET acked_seq = 0"))
        conn.execute(
            text(
                "UPDATE hq_members SET balance = 0, overdraft_since = NULL, tier_code = 'normal' "
                "WHERE balance != 0 OR overdraft_since IS NOT NULL OR tier_code != 'normal'"
            )
        )


def _push_pull(
    run: BenchRun,
    engine: Engine,
    url: str,
    schema: str,
    base: str,
    token: str,
    store: Path,
    work: Path,
    wanted: list[str],
) -> None:
    scale = run.scale
    print("[push]", flush=True)
    run.say(f"a store rings up {scale.push_events:,} sales for the push")
    pusher0, puller0 = work / "pusher0.sqlite3", work / "puller0.sqlite3"
    _checkpoint(store)
    _copy(store, pusher0)
    _copy(store, puller0)
    with builder_store(pusher0) as db:
        with db.engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM members").fetchall()]
        rng = random.Random(5)
        cashier = login(db, code="1", pin="1111", now=_utc())
        for _ in range(scale.push_events):
            _sale(db, cashier, rng, rng.choice(ids), _utc())
    del ids
    with engine.connect() as conn:
        base_cursor = int(
            conn.execute(text("SELECT value FROM hq_counters WHERE name = 'feed'")).scalar_one()
        )
    pusher, puller = work / "pusher.sqlite3", work / "puller.sqlite3"
    push_rates: list[float] = []
    pull_rates: list[float] = []
    for _ in range(scale.runs):
        _reset_hq(engine, base_cursor)
        _copy(pusher0, pusher)
        db = open_store(pusher)
        try:
            with HQClient(base, token, timeout=60) as client:
                t0 = time.perf_counter()
                acked, rejected = push_all(db, client)
                took = time.perf_counter() - t0
        finally:
            db.close()
        if acked != scale.push_events or rejected:
            raise RuntimeError(f"the bench push went wrong: {acked} acked, {rejected} rejected")
        push_rates.append(acked / took)
        _copy(puller0, puller)
        db = open_store(puller)
        try:
            with HQClient(base, token, timeout=60) as client:
                t0 = time.perf_counter()
                pulled = pull_all(db, client)
                took = time.perf_counter() - t0
        finally:
            db.close()
        pull_rates.append(pulled / took)
    rows = _captured(engine, base_cursor)
    base_rates = []
    for _ in range(scale.runs):
        _reset_hq(engine, base_cursor)
        base_rates.append(_raw_push(url, schema, rows))
    _reset_hq(engine, base_cursor)
    if "push" in wanted:
        median = statistics.median(push_rates)
        run.add(
            judged(
                "push",
                f"sync push into PostgreSQL HQ, {scale.push_events:,} events",
                "events/s",
                median,
                limit=5000.0,
                higher_is_better=True,
                median=median,
                p99=min(push_rates),
                baseline=statistics.median(base_rates),
                target=">= 5,000 events/s",
                runs=len(push_rates),
                note=f"slowest run {min(push_rates):,.0f}/s",
            )
        )
    if "pull" in wanted:
        median = statistics.median(pull_rates)
        run.add(
            judged(
                "pull",
                f"sync pull of {pulled:,} changes (a store at the head)",
                "changes/s",
                median,
                limit=None,
                higher_is_better=True,
                median=median,
                p99=min(pull_rates),
                runs=len(pull_rates),
                note=f"slowest run {min(pull_rates):,.0f}/s",
            )
        )
    for path in (pusher, puller, pusher0, puller0):
        path.unlink(missing_ok=True)


def _captured(engine: Engine, base_cursor: int) -> dict[str, list[tuple[Any, ...]]]:
    """What the last push wrote at HQ, for the raw baseline to write again."""
    with engine.connect() as conn:
        return {
            "events": [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT event_id, store_code, device_code, seq, type, schema_version, "
                        "payload_hash, payload, created_at, received_at, status, reason "
                        "FROM hq_events ORDER BY seq"
                    )
                )
            ],
            "ledger": [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT entry_id, member_id, kind, points, store_code, device_code, "
                        "event_id, created_at, business_day, reason, received_at FROM hq_ledger"
                    )
                )
            ],
            "feed": [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT cursor, kind, origin, scope, data, created_at FROM hq_feed "
                        "WHERE cursor > :c ORDER BY cursor"
                    ),
                    {"c": base_cursor},
                )
            ],
        }


def _raw_push(url: str, schema: str, rows: dict[str, list[tuple[Any, ...]]]) -> float:
    """psycopg ``executemany`` of the push's rows in the push's batches; events/s."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    events = rows["events"]
    ledger_by_event: dict[str, list[tuple[Any, ...]]] = {}
    for entry in rows["ledger"]:
        ledger_by_event.setdefault(entry[6], []).append(entry)
    feed = rows["feed"]
    batches = [events[i : i + PUSH_BATCH] for i in range(0, len(events), PUSH_BATCH)]
    per = -(-len(feed) // max(len(batches), 1))
    with psycopg.connect(dsn, options=f"-csearch_path={schema}") as conn:
        t0 = time.perf_counter()
        for n, batch in enumerate(batches):
            with conn.cursor() as cur:
                cur.execute("SELECT acked_seq FROM hq_devices WHERE device_code = 'T1' FOR UPDATE")
                cur.executemany(
                    "INSERT INTO hq_events (event_id, store_code, device_code, seq, type, "
                    "schema_version, payload_hash, payload, created_at, received_at, status, "
                    "reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    batch,
                )
                entries = [e for ev in batch for e in ledger_by_event.get(ev[0], ())]
                cur.executemany(
                    "INSERT INTO hq_ledger (entry_id, member_id, kind, points, store_code, "
                    "device_code, event_id, created_at, business_day, reason, received_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    entries,
                )
                cur.executemany(
                    "UPDATE hq_members SET balance = balance + %s WHERE id = %s",
                    [(e[3], e[1]) for e in entries],
                )
                part = feed[n * per : (n + 1) * per]
                cur.executemany(
                    "INSERT INTO hq_feed (cursor, kind, origin, scope, data, created_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    part,
                )
                if part:
                    cur.execute(
                        "UPDATE hq_counters SET value = %s WHERE name = 'feed'", (part[-1][0],)
                    )
                cur.execute(
                    "UPDATE hq_devices SET acked_seq = %s WHERE device_code = 'T1'",
                    (batch[-1][3],),
                )
            conn.commit()
        took = time.perf_counter() - t0
    return len(events) / took
