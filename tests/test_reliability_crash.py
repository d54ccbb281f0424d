"""kill -9, again and again: after every restart the books pass ``pos-app doctor``, nothing
is half-written, and everything the counter reported done is there.

A child process sells, takes returns and hands over gifts in a loop on a real store
file, printing each id only once its commit has returned; the parent kills it with
SIGKILL at a random moment, runs the real ``pos-app doctor`` on the file, checks
every row behind what was reported, and starts the next child on the same file.
(``test_crash_safety.py`` kills checkouts and looks once at the end; this one looks
after every kill and covers returns and gift redemptions too.)
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter as Tally
from contextlib import closing
from importlib import resources
from pathlib import Path

from pos_app.services.gifts import import_catalogue
from tests.conftest import Counter
from tests.test_reliability_storage import assert_doctor_passes

GIFTS = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
CYCLES = 6

WORKER = r"""
import datetime as dt, random, sqlite3, sys, uuid
from pos_app.db.store import open_store
from pos_app.errors import PosError
from pos_app.services.auth import login
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout, quote_checkout
from pos_app.services.gifts import redeem_gift
from pos_app.services.returns import ReturnItem, commit_return

path, seed, members, now = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4]
now = dt.datetime.fromisoformat(now)
db = open_store(path)
rng = random.Random(seed)
cashier = login(db, code="1", pin="1111", now=now)
manager = login(db, code="2", pin="2222", now=now)
print("ready", flush=True)
while True:
    roll = rng.random()
    member = rng.choice(members)
    if roll < 0.6:
        member = rng.choice(members + [None])
        lines = [CartLine(rng.choice(["daily", "fresh", "electronics"]), rng.randint(1, 30000),
                          rng.randint(1, 3)) for _ in range(rng.randint(1, 4))]
        offset = rng.choice([0, 0, "max"]) if member else 0
        quote = quote_checkout(db, member_id=member, lines=lines, offset_points=offset, now=now)
        pay = [PaymentInput("cash", quote.total_due_fen)] if quote.total_due_fen else []
        sale_id = str(uuid.uuid4())
        commit_checkout(db, actor=cashier, sale_id=sale_id, member_id=member, lines=lines,
                        offset_points=offset, payments=pay, now=now)
        print("sale", sale_id, flush=True)
    elif roll < 0.75:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT receipt_no FROM sales ORDER BY random() LIMIT 1").fetchall()
        if not rows:
            continue
        try:
            ret = commit_return(db, actor=cashier, receipt_no=rows[0][0], approver=manager,
                                items=[ReturnItem(1, 1)], now=now)
        except PosError as exc:  # that line is returned already
            if "left to return" not in str(exc):
                raise
        else:
            print("return", ret.return_id, flush=True)
    else:
        gift = rng.choice(["tissue", "video-month", "coupon-30-100"])
        try:
            done = redeem_gift(db, actor=cashier, member_id=member, gift_code=gift, now=now)
        except PosError as exc:  # not enough points or stock left: a refusal, not a crash
            if exc.code not in ("insufficient_points", "invalid_input", "conflict"):
                raise
        else:
            print("gift", done.redemption_id, flush=True)
"""


def test_many_kill_minus_9_restarts_each_leave_whole_books(supermarket: Counter) -> None:
    c = supermarket
    import_catalogue(c.db, actor=c.manager, text=GIFTS, now=c.now)
    members = []
    for i in range(5):
        member = c.register(name=f"会员{i}", phone=f"1390000{i:04d}")
        c.give(member.id, 20_000)
        members.append(member.id)
    path = Path(c.db.path)
    c.db.close()
    stock = _stock(path)
    reported: dict[str, set[str]] = {"sale": set(), "return": set(), "gift": set()}
    rng = random.Random(9)
    for cycle in range(CYCLES):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(path),
                str(cycle),
                ",".join(members),
                c.now.isoformat(),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        if cycle % 5 == 4:
            # now and then mid start-up: opening, checking migrations, logging in
            time.sleep(rng.uniform(0.2, 1.0))
        else:
            assert proc.stdout.readline().strip() == "ready", _stderr(proc)
            done, target = 0, rng.randint(1, 8)
            while done < target:
                line = proc.stdout.readline()
                assert line, _stderr(proc)
                kind, ident = line.split()
                reported[kind].add(ident)
                done += 1
            time.sleep(rng.uniform(0, 0.02))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, err
        for line in out.splitlines():
            if line != "ready":
                kind, ident = line.split()
                reported[kind].add(ident)

        # the restart: the real doctor first (it opens the file as the counter does)
        assert_doctor_passes(path)
        check_whole(path, reported, stock)

    tally = Tally({kind: len(ids) for kind, ids in reported.items()})
    # the kills landed among all three kinds of work, not only before the first sale
    assert tally["sale"] >= 5 and tally["gift"] >= 1 and tally["return"] >= 1, tally


def _stderr(proc: subprocess.Popen[str]) -> str:
    proc.kill()
    return proc.communicate(timeout=60)[1]


def _stock(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT gift_id, quantity FROM gift_stock").fetchall())


def rows(conn: sqlite3.Connection, sql: str, *params: object) -> list[tuple[object, ...]]:
    return conn.execute(sql, params).fetchall()


#: sales missing lines, payments that add up, their earned or offset points
HALF_SALES = """
SELECT s.id FROM sales s
WHERE NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id)
   OR s.total_fen != (SELECT COALESCE(SUM(amount_fen), 0) FROM payments p WHERE p.sale_id = s.id)
   OR (s.earned_points > 0 AND NOT EXISTS (SELECT 1 FROM ledger_entries e
       WHERE e.sale_id = s.id AND e.kind = 'earn' AND e.points = s.earned_points))
   OR (s.offset_points > 0 AND NOT EXISTS (SELECT 1 FROM ledger_entries e
       WHERE e.sale_id = s.id AND e.kind = 'offset' AND e.points = -s.offset_points))
"""
#: points moved for a sale, return or hand-over that is not there
ORPHAN_ENTRIES = """
SELECT e.id FROM ledger_entries e
WHERE (e.sale_id IS NOT NULL AND e.sale_id NOT IN (SELECT id FROM sales))
   OR (e.return_id IS NOT NULL AND e.return_id NOT IN (SELECT id FROM returns))
   OR (e.redemption_id IS NOT NULL AND e.redemption_id NOT IN (SELECT id FROM gift_redemptions))
"""
#: returns missing their lines or their points
HALF_RETURNS = """
SELECT r.id FROM returns r
WHERE NOT EXISTS (SELECT 1 FROM return_lines l WHERE l.return_id = r.id)
   OR (r.points_reversed > 0 AND NOT EXISTS (SELECT 1 FROM ledger_entries e
       WHERE e.return_id = r.id AND e.kind = 'reversal'))
   OR (r.points_restored > 0 AND NOT EXISTS (SELECT 1 FROM ledger_entries e
       WHERE e.return_id = r.id AND e.kind = 'offset_refund'))
"""
#: hand-overs missing their points, or their coupon
HALF_GIFTS = """
SELECT g.id FROM gift_redemptions g JOIN gifts k ON k.id = g.gift_id
WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e
       WHERE e.redemption_id = g.id AND e.kind = 'gift_redemption' AND e.points = -g.points)
   OR (k.kind = 'coupon' AND NOT EXISTS (SELECT 1 FROM coupons c WHERE c.redemption_id = g.id))
"""
EVENT_KINDS = {
    "sale.completed": "sale",
    "return.completed": "return",
    "gift.redeemed": "redemption",
}


def check_whole(path: Path, reported: dict[str, set[str]], stock: dict[str, int]) -> None:
    """Everything reported is there, and nothing anywhere is half-written."""
    with closing(sqlite3.connect(path)) as conn:
        assert rows(conn, "PRAGMA integrity_check") == [("ok",)]
        assert rows(conn, "PRAGMA foreign_key_check") == []
        sales = {r[0] for r in rows(conn, "SELECT id FROM sales")}
        returns = {r[0] for r in rows(conn, "SELECT id FROM returns")}
        gifts = {r[0] for r in rows(conn, "SELECT id FROM gift_redemptions")}
        assert reported["sale"] <= sales, "a sale the counter reported is gone"
        assert reported["return"] <= returns, "a return the counter reported is gone"
        assert reported["gift"] <= gifts, "a gift hand-over the counter reported is gone"
        for query in (HALF_SALES, ORPHAN_ENTRIES, HALF_RETURNS, HALF_GIFTS):
            assert rows(conn, query) == [], query
        # each hand-over took exactly one unit of stock
        handed = dict(rows(conn, "SELECT gift_id, COUNT(*) FROM gift_redemptions GROUP BY 1"))
        left = dict(rows(conn, "SELECT gift_id, quantity FROM gift_stock"))
        assert {g: left[g] + handed.get(g, 0) for g in stock} == stock
        # exactly one outbox event per sale, return and hand-over, numbered without gaps
        events: dict[str, list[str]] = {"sale": [], "return": [], "redemption": []}
        for type_, payload in rows(conn, "SELECT type, payload FROM outbox_events"):
            kind = EVENT_KINDS.get(str(type_))
            if kind:
                events[kind].append(json.loads(str(payload))[kind]["id"])
        assert sorted(events["sale"]) == sorted(sales)
        assert sorted(events["return"]) == sorted(returns)
        assert sorted(events["redemption"]) == sorted(gifts)
        seqs = [r[0] for r in rows(conn, "SELECT seq FROM outbox_events ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1))
