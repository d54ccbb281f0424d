"""``pos-app bench``: the performance targets, each beside a raw baseline from the same run.

Timers live in the bench modules and only there: tests assert behaviour, this
measures speed. Ratios make the numbers meaningful on a noisy machine.

This module holds what the store layer measures and the shared frame of the
suite (scales, results, the table and the JSON); ``sync/bench.py`` measures
push, pull and bootstrap against a PostgreSQL HQ, ``ui/bench.py`` the counter
window (scan to member, cold start, RSS) and runs every section in order.

Store sections here:

* ``lookup``: member look-up by card and by phone at N members, the service call
  (member panel data: member, tier, balance, points expiring in 30 days) against
  raw ``sqlite3`` doing the same indexed SELECTs; target p99 <= 1 ms, ratio <= 5x.
* ``checkout``: checkout commit (sale, lines, payment, ledger entry, lot, outbox;
  durable) against a raw ``sqlite3`` transaction writing the same rows with the
  same pragmas (WAL, synchronous=FULL); target p50 <= 5 ms, ratio <= 3x.
* ``eod``: the end-of-day report (figures and A4 PDF) for the day of 20,000 sales
  that :func:`build_sales_day` builds; target <= 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from pos_app.db.store import StoreDB, make_engine, open_store
from pos_app.demo import seed_store
from pos_app.services.auth import StaffSession, login
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout
from pos_app.services.members import find_by_card, find_by_phone

BATCH = 50_000
#: the order sections run in (and the table's order); ``--only`` picks among them
SECTIONS = ("lookup", "checkout", "eod", "push", "pull", "bootstrap", "scan", "coldstart", "rss")
STORE_SECTIONS = ("lookup", "checkout", "eod")
#: bump when the bench data's shape changes: ``--data DIR`` then rebuilds
DATA_VERSION = 2


# -- scale -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    name: str
    #: members in the store (and at HQ for the bootstrap)
    members: int
    #: look-ups per kind (card, phone) and checkouts measured
    lookups: int
    checkouts: int
    #: members with a year of ledger history, and their sales each
    history_members: int
    history_sales_each: int
    #: sales of the end-of-day report's day
    day_sales: int
    #: outbox events pushed per run, and runs of push / pull / cold start
    push_events: int
    runs: int
    #: key-injected scans measured on the counter screen
    scans: int


FULL = Scale(
    name="full",
    members=1_000_000,
    lookups=3000,
    checkouts=2000,
    history_members=2000,
    history_sales_each=12,
    day_sales=20_000,
    push_events=5000,
    runs=5,
    scans=300,
)
QUICK = Scale(
    name="quick",
    members=2000,
    lookups=100,
    checkouts=20,
    history_members=20,
    history_sales_each=3,
    day_sales=100,
    push_events=200,
    runs=2,
    scans=10,
)


# -- results -----------------------------------------------------------------------------
@dataclass
class Result:
    section: str
    name: str
    unit: str
    #: the figure compared with the target (p99, p50, a rate, a peak)
    value: float | None
    median: float | None = None
    p99: float | None = None
    #: the raw baseline's figure of the same kind, measured in the same run
    baseline: float | None = None
    #: measured / baseline (baseline / measured for rates: higher is worse either way)
    ratio: float | None = None
    target: str = ""
    #: PASS, MISS, INFO (no target), SKIP (not run; ``note`` says why)
    status: str = "INFO"
    runs: int = 0
    note: str = ""


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    runs: int = 0


def quantiles(samples: Sequence[float]) -> Timing:
    if len(samples) == 1:
        return Timing(samples[0], samples[0], samples[0], 1)
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return Timing(statistics.median(samples), qs[94], qs[98], len(samples))


def measure(fn: Callable[[int], object], runs: int, warmup: int = 50) -> Timing:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(runs):
        start = time.perf_counter_ns()
        fn(i)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return quantiles(samples)


def judged(
    section: str,
    name: str,
    unit: str,
    value: float,
    *,
    limit: float | None,
    higher_is_better: bool = False,
    median: float | None = None,
    p99: float | None = None,
    baseline: float | None = None,
    max_ratio: float | None = None,
    target: str = "",
    runs: int = 0,
    note: str = "",
) -> Result:
    """A result with its verdict: within ``limit`` (and ``max_ratio`` of the baseline)."""
    ratio = None
    if baseline is not None:
        if higher_is_better:
            ratio = baseline / value if value else float("inf")
        else:
            ratio = value / baseline if baseline else float("inf")
    status = "INFO"
    if limit is not None:
        ok = value >= limit if higher_is_better else value <= limit
        if max_ratio is not None and ratio is not None:
            ok = ok and ratio <= max_ratio
        status = "PASS" if ok else "MISS"
    return Result(
        section, name, unit, value, median, p99, baseline, ratio, target, status, runs, note
    )


def skipped(section: str, name: str, why: str) -> Result:
    return Result(section, name, "", None, status="SKIP", note=why)


@dataclass
class BenchRun:
    """One ``pos-app bench``: where the data lives, the scale, what to run, the results."""

    data: Path
    scale: Scale
    only: tuple[str, ...]
    hq_db: str | None = None
    results: list[Result] = field(default_factory=list)
    #: facts about the data, for the JSON (build times, counts)
    facts: dict[str, Any] = field(default_factory=dict)

    def wants(self, section: str) -> bool:
        return section in self.only

    def add(self, result: Result) -> None:
        self.results.append(result)
        print(format_row(result), flush=True)

    def say(self, text: str) -> None:
        print(f"  .. {text}", flush=True)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("events/s", "changes/s", "rows/s", "members/s"):
        return f"{value:,.0f} {unit}"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.3f} {unit}"


def format_row(r: Result) -> str:
    line = f"{r.status:<5} {r.section:<9} {r.name:<40} {_fmt(r.value, r.unit):>17}"
    if r.baseline is not None:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        line += f"  baseline {_fmt(r.baseline, r.unit)}  ratio {ratio}"
    if r.target:
        line += f"  (target {r.target})"
    if r.note:
        line += f"  [{r.note}]"
    return line


TABLE_HEAD = f"{'':<5} {'section':<9} {'what':<40} {'measured':>17}"


def print_table(run: BenchRun) -> None:
    print()
    print(f"pos-app bench ({run.scale.name}, {run.scale.members:,} members), {_today()}")
    print(TABLE_HEAD)
    for r in run.results:
        print(format_row(r))
    judged_ = [r for r in run.results if r.status in ("PASS", "MISS")]
    met = sum(r.status == "PASS" for r in judged_)
    print(f"{met}/{len(judged_)} targets met")


def _today() -> str:
    return dt.date.today().isoformat()


def report_json(run: BenchRun) -> dict[str, Any]:
    return {
        "date": _today(),
        "scale": asdict(run.scale),
        "sections": list(run.only),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "facts": run.facts,
        "results": [asdict(r) for r in run.results],
    }


def exit_status(run: BenchRun) -> int:
    return 1 if any(r.status == "MISS" for r in run.results) else 0


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a small scale ({QUICK.members:,} members) for smoke tests; no verdicts trusted",
    )
    parser.add_argument(
        "--only",
        metavar="LIST",
        help=f"comma-separated sections to run (of {','.join(SECTIONS)})",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON at the end")
    parser.add_argument(
        "--data", metavar="DIR", help="build the bench data in DIR, or reuse what is there"
    )
    parser.add_argument(
        "--members", type=int, help="members in the store and at HQ (default: by scale)"
    )
    parser.add_argument("--sales", type=int, help="checkouts measured (default: by scale)")
    parser.add_argument(
        "--hq-db",
        metavar="URL",
        help="PostgreSQL for the sync sections (a scratch schema is created and dropped); "
        "default postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--workdir", help="where to put the temporary data (without --data)")


def parse_only(text: str | None, allowed: Sequence[str] = SECTIONS) -> tuple[str, ...]:
    if not text:
        return tuple(allowed)
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise SystemExit(
            f"unknown bench section(s): {', '.join(unknown)}; use {','.join(SECTIONS)}"
        )
    return tuple(n for n in allowed if n in names)


def scale_of(args: argparse.Namespace) -> Scale:
    """The scale ``args`` ask for: ``--quick``, or the full one; fewer than 100,000
    ``--members`` take the quick scale's other figures too."""
    small = args.members is not None and args.members < 100_000
    scale = QUICK if args.quick or small else FULL
    changes: dict[str, Any] = {}
    if args.members:
        changes["members"] = int(args.members)
    if args.sales:
        changes["checkouts"] = int(args.sales)
    return Scale(**{**asdict(scale), **changes}) if changes else scale


# -- data --------------------------------------------------------------------------------
def _phone(i: int) -> str:
    return f"13{i:09d}"


def _card(i: int) -> str:
    return f"88{i:010d}"


def member_id(i: int) -> str:
    return str(uuid.UUID(int=i + 1))


def bulk_members(path: Path, count: int, tier: str, now: dt.datetime) -> None:
    """Insert ``count`` members with a card each, straight through sqlite3 (set-up only)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    for start in range(0, count, BATCH):
        rows = range(start, min(count, start + BATCH))
        ids = [member_id(i) for i in rows]
        conn.executemany(
            "INSERT INTO members (id, name, phone, phone_last4, tier_code, status, balance, "
            "home_store, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', 0, 'S01', ?, ?)",
            [
                (mid, f"会员{i}", _phone(i), _phone(i)[-4:], tier, stamp, stamp)
                for mid, i in zip(ids, rows, strict=True)
            ],
        )
        conn.executemany(
            "INSERT INTO member_cards (card_no, member_id, status, issued_at) "
            "VALUES (?, ?, 'active', ?)",
            [(_card(i), mid, stamp) for mid, i in zip(ids, rows, strict=True)],
        )
        conn.commit()
    # a bootstrapped store checkpoints once; a WAL holding a million rows would skew both sides
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@contextmanager
def builder_store(path: Path) -> Iterator[StoreDB]:
    """The store at ``path`` with ``synchronous=OFF``: for building bench data only."""
    open_store(path).close()  # migrated
    engine = make_engine(path)

    def _fast(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute("PRAGMA synchronous = OFF")

    event.listen(engine, "connect", _fast)
    db = StoreDB(engine)
    try:
        yield db
    finally:
        db.close()
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


_BASKETS: tuple[tuple[CartLine, ...], ...] = (
    (CartLine("daily", 1590, 1, None, "洗衣液"),),
    (CartLine("fresh", 890, 2), CartLine("daily", 3000)),
    (CartLine("fresh", 2350), CartLine("fresh", 460, 3), CartLine("daily", 1290)),
    (CartLine("electronics", 19900),),
    (CartLine("daily", 500), CartLine("daily", 750), CartLine("fresh", 1200, 2)),
)


def _sale(
    db: StoreDB,
    cashier: StaffSession,
    rng: random.Random,
    member: str | None,
    when: dt.datetime,
) -> None:
    lines = rng.choice(_BASKETS)
    total = sum(line.amount_fen for line in lines)
    method = rng.choice(("cash", "card", "wechat", "alipay"))
    tendered = (total // 10_000 + 1) * 10_000 if method == "cash" else total
    commit_checkout(
        db,
        actor=cashier,
        sale_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        member_id=member,
        lines=lines,
        payments=[PaymentInput(method, total, tendered)],
        now=when,
    )


def build_sales_day(
    db_path: Path,
    day: dt.date,
    count: int = 20_000,
    *,
    members: int | None = None,
    seed: int = 20,
    cashier_code: str = "1",
    cashier_pin: str = "1111",
) -> int:
    """Ring up ``count`` sales on ``day`` (08:00 to 22:00 local, through the checkout
    service, so sales, lines, payments, ledger, lots and outbox are all real), about
    70% for members picked among the first ``members`` bench members (all members of
    the store when None). Returns how many sales were written.

    The day the end-of-day report benchmark reads: ``build_sales_day(path, day)``.
    """
    with builder_store(db_path) as db:
        with db.engine.connect() as conn:
            known = int(conn.exec_driver_sql("SELECT COUNT(*) FROM members").scalar_one())
        zone = _zone(db)
        pool = min(known, members) if members is not None else known
        rng = random.Random(seed)
        start = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
        step = dt.timedelta(hours=14) / max(count, 1)
        cashier = login(db, code=cashier_code, pin=cashier_pin, now=start)
        for i in range(count):
            member = member_id(rng.randrange(pool)) if pool and rng.random() < 0.7 else None
            _sale(db, cashier, rng, member, start + step * i)
    return count


def _business_day(db: StoreDB, now: dt.datetime) -> str:
    from pos_app.db.raw import read_tx
    from pos_app.services.context import active_program

    with read_tx(db.engine) as tx:
        return active_program(db, tx).business_day(now).isoformat()


def _zone(db: StoreDB) -> Any:
    from pos_app.db.raw import read_tx
    from pos_app.services.context import active_program

    with read_tx(db.engine) as tx:
        return active_program(db, tx).zone


def build_history(db_path: Path, members: int, sales_each: int, today: dt.date) -> int:
    """A year of ledger history for a sample: ``members`` members spread over the store,
    each with ``sales_each`` sales on days across the past year (earning points and lots).
    """
    with builder_store(db_path) as db:
        with db.engine.connect() as conn:
            known = int(conn.exec_driver_sql("SELECT COUNT(*) FROM members").scalar_one())
        zone = _zone(db)
        rng = random.Random(365)
        start = dt.datetime.combine(today - dt.timedelta(days=365), dt.time(9), tzinfo=zone)
        cashier = login(db, code="1", pin="1111", now=start)
        sample = sorted(rng.sample(range(known), min(members, known)))
        plan = sorted(
            (start + dt.timedelta(minutes=rng.randrange(364 * 24 * 60)), i)
            for i in sample
            for _ in range(sales_each)
        )
        for when, i in plan:
            _sale(db, cashier, rng, member_id(i), when)
    return len(plan)


def store_data(run: BenchRun) -> Path:
    """The bench store for ``run.scale`` in ``run.data``: built once, reused after."""
    scale = run.scale
    path = run.data / f"store-{scale.members}.sqlite3"
    meta_path = path.with_suffix(".json")
    want = {
        "version": DATA_VERSION,
        "members": scale.members,
        "history": [scale.history_members, scale.history_sales_each],
        "day_sales": scale.day_sales,
    }
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text("utf-8"))
        if {k: meta.get(k) for k in want} == want:
            run.facts["store"] = meta
            run.say(f"reusing the store in {path}")
            return path
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    run.data.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    built = dt.datetime.combine(today - dt.timedelta(days=366), dt.time(8), tzinfo=dt.UTC)
    t0 = time.perf_counter()
    store = seed_store(path, "supermarket", built)
    tier = store.program.base_tier.code
    store.db.close()
    run.say(f"building a store with {scale.members:,} members ...")
    bulk_members(path, scale.members, tier, built)
    t_members = time.perf_counter() - t0
    run.say(
        f"a year of history: {scale.history_members:,} members x {scale.history_sales_each} sales"
    )
    history = build_history(path, scale.history_members, scale.history_sales_each, today)
    t_history = time.perf_counter() - t0 - t_members
    run.say(f"a day of {scale.day_sales:,} sales (the end-of-day report's day)")
    build_sales_day(path, eod_day(), scale.day_sales)
    meta = {
        **want,
        "path": str(path),
        "eod_day": eod_day().isoformat(),
        "history_sales": history,
        "built_s": {
            "members": round(t_members, 1),
            "history": round(t_history, 1),
            "total": round(time.perf_counter() - t0, 1),
        },
    }
    meta_path.write_text(json.dumps(meta, indent=1), "utf-8")
    run.facts["store"] = meta
    return path


def eod_day() -> dt.date:
    """The day :func:`build_sales_day` fills in the bench store (yesterday)."""
    return dt.date.today() - dt.timedelta(days=1)


# -- raw baselines -----------------------------------------------------------------------
def raw_lookup(conn: sqlite3.Connection, card: str | None, phone: str | None, now: str) -> tuple:
    """The member panel's data in raw SQL: the baseline for the service look-up."""
    if card is not None:
        row = conn.execute(
            "SELECT m.id, m.name, m.phone, m.tier_code, m.status, m.balance FROM member_cards c "
            "JOIN members m ON m.id = c.member_id WHERE c.card_no = ? AND c.status = 'active'",
            (card,),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT id, name, phone, tier_code, status, balance FROM members WHERE phone = ?",
            (phone,),
        ).fetchone()
    cards = conn.execute(
        "SELECT card_no FROM member_cards WHERE member_id = ? AND status = 'active'", (row[0],)
    ).fetchall()
    lots = conn.execute(
        "SELECT COALESCE(SUM(CASE WHEN expires_at <= ? THEN remaining END), 0), "
        "COALESCE(SUM(CASE WHEN expires_at > ? AND expires_at <= ? THEN remaining END), 0) "
        "FROM points_lots WHERE member_id = ? AND remaining > 0",
        (now, now, now, row[0]),
    ).fetchone()
    return row, cards, lots


#: about the size of a sale's outbox payload (lines, payment, entries): ~1 kB of JSON
_PAYLOAD = '{"sale": "%s", "lines": [' + ", ".join(['{"category": "daily", "amount": 3000}'] * 20)


def raw_checkout(
    conn: sqlite3.Connection, member_id: str, i: int, stamp: str, staff_id: str, day: str
) -> None:
    """The rows one checkout writes, into the same tables (same indexes) in one durable raw
    transaction: the commit baseline. It reads what any checkout must (the member's
    balance, the next receipt and outbox numbers) and writes sale, lines, payment, ledger
    entry, lot, member balance and outbox event."""
    sale_id = str(uuid.uuid4())
    entry_id = str(uuid.uuid4())
    conn.execute("BEGIN IMMEDIATE")
    (balance,) = conn.execute("SELECT balance FROM members WHERE id = ?", (member_id,)).fetchone()
    (receipt,) = conn.execute(
        "UPDATE store_identity SET receipt_seq = receipt_seq + 1 WHERE id = 1 RETURNING receipt_seq"
    ).fetchone()
    conn.execute(
        "INSERT INTO sales (id, receipt_no, member_id, staff_id, store_code, device_code, "
        "created_at, business_day, subtotal_fen, offset_points, offset_fen, total_fen, "
        "earned_points, tier_code, program_code, program_version, coupon_code, coupon_fen) "
        "VALUES (?, ?, ?, ?, 'S01', 'B1', ?, ?, 4590, 0, 0, 4590, 45, 'normal', 'bench', 1, "
        "NULL, 0)",
        (sale_id, f"S01-B1-{receipt:06d}-{i}", member_id, staff_id, stamp, day),
    )
    conn.executemany(
        "INSERT INTO sale_lines (sale_id, line_no, item_code, description, category, qty, "
        "unit_price_fen, amount_fen, offset_fen, offset_points, earned_points, multiplier, "
        "campaign_code, coupon_fen, returned_qty) VALUES (?, ?, NULL, '', ?, 1, ?, ?, 0, 0, "
        "?, '1', NULL, 0, 0)",
        [(sale_id, 1, "daily", 3000, 3000, 29), (sale_id, 2, "fresh", 1590, 1590, 16)],
    )
    conn.execute(
        "INSERT INTO payments (sale_id, method, amount_fen, tendered_fen, change_fen) "
        "VALUES (?, 'cash', 4590, 5000, 410)",
        (sale_id,),
    )
    cur = conn.execute(
        "INSERT INTO ledger_entries (uuid, member_id, kind, points, balance_after, created_at, "
        "business_day, store_code, device_code, staff_id, sale_id, return_id, redemption_id, "
        "reason) VALUES (?, ?, 'earn', 45, ?, ?, ?, 'S01', 'B1', ?, ?, NULL, NULL, '')",
        (entry_id, member_id, balance + 45, stamp, day, staff_id, sale_id),
    )
    conn.execute(
        "INSERT INTO points_lots (member_id, entry_id, points, remaining, earned_at, expires_at) "
        "VALUES (?, ?, 45, 45, ?, ?)",
        (member_id, cur.lastrowid, stamp, stamp),
    )
    conn.execute(
        "UPDATE members SET balance = ?, updated_at = ? WHERE id = ?",
        (balance + 45, stamp, member_id),
    )
    (seq,) = conn.execute(
        "UPDATE store_identity SET outbox_seq = outbox_seq + 1 WHERE id = 1 RETURNING outbox_seq"
    ).fetchone()
    payload = _PAYLOAD % sale_id + "]}"
    conn.execute(
        "INSERT INTO outbox_events (seq, event_id, type, schema_version, payload, payload_hash, "
        "created_at, status) VALUES (?, ?, 'sale.completed', 1, ?, ?, ?, 'pending')",
        (seq, str(uuid.uuid4()), payload, hashlib.sha256(payload.encode()).hexdigest(), stamp),
    )
    conn.execute("COMMIT")


# -- the store sections ------------------------------------------------------------------
def bench_lookup(run: BenchRun, path: Path) -> None:
    db = open_store(path)
    zone = _zone(db)
    now = dt.datetime.now(zone)
    members = run.scale.members
    rng = random.Random(7)
    picks = [rng.randrange(members) for _ in range(run.scale.lookups)]
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    runs = len(picks)
    warm = min(50, runs)
    try:
        for kind, svc_fn, raw_fn in (
            (
                "card",
                lambda i: find_by_card(db, _card(picks[i]), now=now),
                lambda i: raw_lookup(raw, _card(picks[i]), None, stamp),
            ),
            (
                "phone",
                lambda i: find_by_phone(db, _phone(picks[i]), now=now),
                lambda i: raw_lookup(raw, None, _phone(picks[i]), stamp),
            ),
        ):
            # one untimed pass first: the file's pages are then in the OS cache for both
            # sides (otherwise whichever runs first pays the disk reads for the other)
            for i in range(runs):
                raw_fn(i)
            svc = measure(svc_fn, runs, warm)
            base = measure(raw_fn, runs, warm)
            run.add(
                judged(
                    "lookup",
                    f"member look-up by {kind}, p99",
                    "ms",
                    svc.p99_ms,
                    limit=1.0,
                    median=svc.p50_ms,
                    p99=svc.p99_ms,
                    baseline=base.p99_ms,
                    max_ratio=5,
                    target="p99 <= 1 ms, <= 5x",
                    runs=runs,
                )
            )
    finally:
        raw.close()
        db.close()


def bench_checkout(run: BenchRun, path: Path) -> None:
    db = open_store(path)
    zone = _zone(db)
    now = dt.datetime.now(zone)
    cashier = login(db, code="1", pin="1111", now=now)
    rng = random.Random(11)
    picks = [member_id(rng.randrange(run.scale.members)) for _ in range(run.scale.checkouts)]
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    lines = [CartLine("daily", 3000, 1, None, "洗衣液"), CartLine("fresh", 1590)]
    total = sum(line.amount_fen for line in lines)

    def service_sale(i: int) -> None:
        commit_checkout(
            db,
            actor=cashier,
            sale_id=str(uuid.uuid4()),
            member_id=picks[i % len(picks)],
            lines=lines,
            payments=[PaymentInput("cash", total, 5000)],
            now=now,
        )

    runs = run.scale.checkouts
    warm = min(20, runs)
    # the picked members' pages into the OS cache for both sides (see bench_lookup)
    for pick in picks:
        raw.execute("SELECT balance FROM members WHERE id = ?", (pick,)).fetchone()
        raw.execute("SELECT COUNT(*) FROM points_lots WHERE member_id = ?", (pick,)).fetchone()
    try:
        svc = measure(service_sale, runs, warmup=warm)
        day = _business_day(db, now)
        base = measure(
            lambda i: raw_checkout(raw, picks[i % len(picks)], i, stamp, cashier.staff_id, day),
            runs,
            warm,
        )
    finally:
        raw.close()
        db.close()
    run.add(
        judged(
            "checkout",
            "checkout commit (durable), p50",
            "ms",
            svc.p50_ms,
            limit=5.0,
            median=svc.p50_ms,
            p99=svc.p99_ms,
            baseline=base.p50_ms,
            max_ratio=3,
            target="p50 <= 5 ms, <= 3x",
            runs=runs,
        )
    )


def bench_eod(run: BenchRun, path: Path) -> None:
    """The end-of-day report of :func:`eod_day` (its day of ``day_sales`` sales), from the
    ledger to the A4 PDF, as a manager runs it; the figures are checked, not just timed."""
    from pos_app.reports.eod import eod_report
    from pos_app.reports.render import eod_pdf

    db = open_store(path)
    try:
        zone = _zone(db)
        now = dt.datetime.now(zone)
        day = eod_day()
        report = eod_report(db, day, now=now)
        sales = report.figures.member_sales + report.figures.other_sales
        if sales < run.scale.day_sales:  # (the year of history may add a few more)
            raise RuntimeError(f"the bench day holds {sales} sales, not {run.scale.day_sales}")
        timing = measure(
            lambda _i: eod_pdf(eod_report(db, day, now=now), "zh_CN", zone), runs=7, warmup=1
        )
    finally:
        db.close()
    run.add(
        judged(
            "eod",
            f"end-of-day report with PDF, {sales:,} sales, p50",
            "ms",
            timing.p50_ms,
            limit=2000.0,
            median=timing.p50_ms,
            p99=timing.p99_ms,
            target="<= 2 s",
            runs=timing.runs,
        )
    )


#: section name -> benchmark on the bench store (``run``, the store file)
STORE_BENCHES: dict[str, Callable[[BenchRun, Path], None]] = {
    "lookup": bench_lookup,
    "checkout": bench_checkout,
    "eod": bench_eod,
}


def run_store_sections(run: BenchRun, path: Path | None = None) -> None:
    """The store-level sections ``run`` asks for, on the bench store (built if needed)."""
    wanted = [name for name in STORE_SECTIONS if run.wants(name)]
    if not wanted:
        return
    path = path or store_data(run)
    for name in wanted:
        print(f"[{name}]", flush=True)
        STORE_BENCHES[name](run, path)


def finish(run: BenchRun, as_json: bool) -> int:
    print_table(run)
    if as_json:
        print(json.dumps(report_json(run), ensure_ascii=False, indent=1))
    return exit_status(run)


def run_bench_args(args: argparse.Namespace, sections: Iterable[str] = STORE_SECTIONS) -> int:
    """``pos-app bench`` without the outer layers (``pos_app.cli``): the store sections
    only; the sync and counter-window sections need the full command (``ui.cli``)."""
    import tempfile

    only = parse_only(args.only, tuple(sections))
    with tempfile.TemporaryDirectory(prefix="pos-bench-", dir=args.workdir) as tmp:
        data = Path(args.data) if args.data else Path(tmp)
        run = BenchRun(data=data, scale=scale_of(args), only=only)
        run_store_sections(run)
        return finish(run, args.json)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pos-app bench", description=__doc__)
    add_bench_arguments(parser)
    return run_bench_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
