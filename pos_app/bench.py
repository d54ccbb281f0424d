"""``pos-app bench``: the performance targets, each beside a raw baseline from the same run.

Timers live here and only here: tests assert behaviour, this measures speed.
Ratios make the numbers meaningful on a noisy machine.

* member look-up by card and by phone at N members: the service call (member
  panel data: member, tier, balance, points expiring in 30 days) against raw
  ``sqlite3`` doing the same indexed SELECTs; target p99 <= 1 ms, ratio <= 5x.
* checkout commit (sale, lines, payment, ledger entry, lot, outbox; durable):
  the service against a raw ``sqlite3`` transaction writing the same rows with
  the same pragmas (WAL, synchronous=FULL); target p50 <= 5 ms, ratio <= 3x.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pos_app.demo import seed_store
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout
from pos_app.services.members import find_by_card, find_by_phone

BATCH = 50_000


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    p99_ms: float


def measure(fn: Callable[[int], object], runs: int, warmup: int = 50) -> Timing:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(runs):
        start = time.perf_counter_ns()
        fn(i)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return Timing(statistics.median(samples), qs[94], qs[98])


def _phone(i: int) -> str:
    return f"15{i:09d}"


def _card(i: int) -> str:
    return f"88{i:010d}"


def bulk_members(path: Path, count: int, tier: str, now: dt.datetime) -> None:
    """Insert ``count`` members with a card each, straight through sqlite3 (set-up only)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    for start in range(0, count, BATCH):
        rows = range(start, min(count, start + BATCH))
        ids = [str(uuid.UUID(int=i + 1)) for i in rows]
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


def raw_checkout(conn: sqlite3.Connection, member_id: str, i: int, stamp: str) -> None:
    """The rows one checkout writes, in one durable raw transaction: the commit baseline."""
    sale_id = str(uuid.uuid4())
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE bench_identity SET receipt_seq = receipt_seq + 1")
    conn.execute(
        "INSERT INTO bench_sales (id, receipt_no, member_id, created_at, subtotal_fen, "
        "total_fen, earned_points) VALUES (?, ?, ?, ?, 4590, 4590, 45)",
        (sale_id, f"B-{sale_id}", member_id, stamp),
    )
    conn.executemany(
        "INSERT INTO bench_lines (sale_id, line_no, category, qty, amount_fen) "
        "VALUES (?, ?, ?, 1, ?)",
        [(sale_id, 1, "daily", 3000), (sale_id, 2, "fresh", 1590)],
    )
    conn.execute(
        "INSERT INTO bench_payments (sale_id, method, amount_fen) VALUES (?, 'cash', 4590)",
        (sale_id,),
    )
    conn.execute("UPDATE members SET balance = balance + 45 WHERE id = ?", (member_id,))
    cur = conn.execute(
        "INSERT INTO bench_ledger (uuid, member_id, points, sale_id, created_at) "
        "VALUES (?, ?, 45, ?, ?)",
        (str(uuid.uuid4()), member_id, sale_id, stamp),
    )
    conn.execute(
        "INSERT INTO bench_lots (member_id, entry_id, remaining, expires_at) VALUES (?, ?, 45, ?)",
        (member_id, cur.lastrowid, stamp),
    )
    conn.execute(
        "INSERT INTO bench_outbox (event_id, payload) VALUES (?, ?)",
        (str(uuid.uuid4()), '{"sale": "' + sale_id + '"}' * 8),
    )
    conn.execute("COMMIT")


BASELINE_SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_identity (receipt_seq INTEGER);
INSERT INTO bench_identity VALUES (0);
CREATE TABLE IF NOT EXISTS bench_sales (id TEXT PRIMARY KEY, receipt_no TEXT UNIQUE,
  member_id TEXT, created_at TEXT, subtotal_fen INT, total_fen INT, earned_points INT);
CREATE TABLE IF NOT EXISTS bench_lines (id INTEGER PRIMARY KEY, sale_id TEXT, line_no INT,
  category TEXT, qty INT, amount_fen INT);
CREATE TABLE IF NOT EXISTS bench_payments (id INTEGER PRIMARY KEY, sale_id TEXT, method TEXT,
  amount_fen INT);
CREATE TABLE IF NOT EXISTS bench_ledger (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE,
  member_id TEXT, points INT, sale_id TEXT, created_at TEXT);
CREATE INDEX IF NOT EXISTS ix_bench_ledger_member ON bench_ledger (member_id, id);
CREATE TABLE IF NOT EXISTS bench_lots (id INTEGER PRIMARY KEY, member_id TEXT, entry_id INT,
  remaining INT, expires_at TEXT);
CREATE INDEX IF NOT EXISTS ix_bench_lots_member ON bench_lots (member_id, expires_at);
CREATE TABLE IF NOT EXISTS bench_outbox (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE,
  payload TEXT);
"""


def _row(
    name: str,
    got: float,
    target: float,
    base: float | None,
    max_ratio: float | None,
    unit: str = "ms",
) -> bool:
    ok = got <= target
    text = f"{name:<44} {got:8.3f} {unit} (target <= {target:g} {unit})"
    if base is not None and max_ratio is not None:
        ratio = got / base if base else float("inf")
        ok = ok and ratio <= max_ratio
        text += f"  baseline {base:7.3f} {unit}  ratio {ratio:5.2f}x (target <= {max_ratio:g}x)"
    print(("PASS  " if ok else "MISS  ") + text)
    return ok


def run_bench(*, members: int, sales: int, workdir: str | None = None) -> int:
    """Run every benchmark; exit status 0 if all targets are met, 1 otherwise."""
    with tempfile.TemporaryDirectory(prefix="pos-bench-", dir=workdir) as tmp:
        return _run(Path(tmp), members, sales)


def _run(tmp: Path, members: int, sales: int) -> int:
    path = tmp / "bench.sqlite3"
    store = seed_store(path, "supermarket", dt.datetime.now(dt.UTC))
    now = dt.datetime.now(store.program.zone)
    print(f"building a store with {members:,} members ...", flush=True)
    t0 = time.perf_counter()
    bulk_members(path, members, store.program.base_tier.code, now)
    print(f"  built in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(7)
    picks = [rng.randrange(members) for _ in range(5000)]
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    later = (now + dt.timedelta(days=30)).astimezone(dt.UTC).replace(tzinfo=None)
    results = []

    runs = min(len(picks), 3000)
    svc_card = measure(lambda i: find_by_card(store.db, _card(picks[i]), now=now), runs)
    raw_card = measure(lambda i: raw_lookup(raw, _card(picks[i]), None, stamp), runs)
    results.append(_row("member look-up by card, p99", svc_card.p99_ms, 1.0, raw_card.p99_ms, 5))
    svc_phone = measure(lambda i: find_by_phone(store.db, _phone(picks[i]), now=now), runs)
    raw_phone = measure(lambda i: raw_lookup(raw, None, _phone(picks[i]), stamp), runs)
    results.append(_row("member look-up by phone, p99", svc_phone.p99_ms, 1.0, raw_phone.p99_ms, 5))
    del later

    raw.executescript(BASELINE_SCHEMA)
    member_ids = [str(uuid.UUID(int=p + 1)) for p in picks]
    lines = [CartLine("daily", 3000, 1, "690001", "洗衣液"), CartLine("fresh", 1590)]
    pay = [PaymentInput("cash", 4590 + 0, 5000)]

    def service_sale(i: int) -> None:
        commit_checkout(
            store.db,
            actor=store.cashier,
            sale_id=str(uuid.uuid4()),
            member_id=member_ids[i % len(member_ids)],
            lines=lines,
            payments=_payment_for(lines, pay),
            now=now,
        )

    svc_sale = measure(service_sale, sales, warmup=20)
    raw_sale = measure(
        lambda i: raw_checkout(raw, member_ids[i % len(member_ids)], i, stamp), sales, warmup=20
    )
    results.append(_row("checkout commit (durable), p50", svc_sale.p50_ms, 5.0, raw_sale.p50_ms, 3))
    raw.close()
    store.db.close()
    met = sum(results)
    print(f"{met}/{len(results)} targets met")
    return 0 if met == len(results) else 1


def _payment_for(lines: list[CartLine], pay: list[PaymentInput]) -> list[PaymentInput]:
    total = sum(line.amount_fen for line in lines)
    return [PaymentInput("cash", total, max(total, pay[0].tendered_fen or total))]
