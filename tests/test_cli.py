"""The commands users run: pos-app demo, init, doctor, and the pos-hq entry point."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_demo_runs_a_counter_day_and_the_books_agree(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    out = run("demo", "--keep", str(path))
    assert out.returncode == 0, out.stderr
    assert "points used 2000 = -￥20.00" in out.stdout
    assert "paid      ￥180.00" in out.stdout
    assert "Books check: ledger, balances and lots agree" in out.stdout
    doctor = run("doctor", "--db", str(path))
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 4
    conn.close()


def test_hotel_demo_runs(tmp_path: Path) -> None:
    out = run("demo", "--program", "hotel")
    assert out.returncode == 0, out.stderr
    assert "悦栖酒店会员计划" in out.stdout


def test_doctor_reports_a_tampered_balance_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    assert run("demo", "--keep", str(path)).returncode == 0
    conn = sqlite3.connect(path)
    conn.execute("UPDATE members SET balance = balance + 7 WHERE rowid = 1")
    conn.commit()
    conn.close()
    doctor = run("doctor", "--db", str(path))
    assert doctor.returncode == 1
    assert "ledger sums to" in doctor.stdout


def test_init_sets_up_a_store_and_refuses_a_bad_program(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    ok = run(
        "init",
        "--db",
        str(path),
        "--store-code",
        "s02",
        "--store-name",
        "二店",
        "--admin-pin",
        "4321",
        "--program",
        "hotel",
    )
    assert ok.returncode == 0, ok.stderr
    assert "store S02 set up" in ok.stdout
    bad_program = tmp_path / "bad.toml"
    bad_program.write_text('[program]\ncode = "x"\nname = "X"\nversion = "one"\n', "utf-8")
    bad = run(
        "init",
        "--db",
        str(tmp_path / "other.sqlite3"),
        "--store-code",
        "s03",
        "--store-name",
        "三店",
        "--admin-pin",
        "4321",
        "--program",
        str(bad_program),
    )
    assert bad.returncode == 2
    assert "program.version" in bad.stderr


def test_pos_hq_entry_point_answers() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sync.hq.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert "pos-hq" in out.stdout


def test_bench_runs_and_reports_each_target_beside_its_baseline(tmp_path: Path) -> None:
    # a small run: this checks that the command works, not how fast this machine is
    out = run("bench", "--members", "2000", "--sales", "30", "--workdir", str(tmp_path))
    assert out.returncode in (0, 1), out.stderr
    for target in (
        "member look-up by card",
        "member look-up by phone",
        "checkout commit (durable)",
    ):
        line = next(ln for ln in out.stdout.splitlines() if target in ln)
        assert "baseline" in line and "ratio" in line
    assert "targets met" in out.stdout


def test_pos_app_entry_point_hands_headless_commands_over_without_qt(tmp_path: Path) -> None:
    def entry(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=120
        )

    helped = entry("--help")
    assert helped.returncode == 0 and "counter" in helped.stdout and "doctor" in helped.stdout
    missing = entry("doctor", "--db", str(tmp_path / "missing.sqlite3"))
    assert missing.returncode == 2 and "no store database" in missing.stderr
    console = entry("demo", "--console")
    assert console.returncode == 0, console.stderr
    assert "Books check: ledger, balances and lots agree" in console.stdout


def test_a_standalone_store_adds_staff_and_imports_gifts_and_items(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite3")
    assert (
        run(
            "init", "--db", db, "--store-code", "S05", "--store-name", "五店", "--admin-pin", "4321"
        ).returncode
        == 0
    )
    admin = ("--db", db, "--staff", "9", "--pin", "4321")
    added = run(
        "staff-add",
        *admin,
        "--code",
        "3",
        "--name",
        "小王",
        "--role",
        "cashier",
        "--new-pin",
        "3333",
    )
    assert added.returncode == 0, added.stderr
    gifts = tmp_path / "gifts.toml"
    gifts.write_text(
        '[[gifts]]\ncode = "mug"\nname = "杯子"\nkind = "physical"\npoints = "lots"\n', "utf-8"
    )
    bad = run("import-gifts", *admin, str(gifts))
    assert bad.returncode == 2 and "gifts[0].points" in bad.stderr
    gifts.write_text(gifts.read_text("utf-8").replace('"lots"', "300") + "stock = 4\n", "utf-8")
    assert run("import-gifts", *admin, str(gifts)).stdout.strip() == "1 gifts imported"
    items = tmp_path / "items.csv"
    items.write_text("code,name,category,price\nX1,Soap,daily,3.50\n", "utf-8")
    cashier = ("--db", db, "--staff", "3", "--pin", "3333")
    refused = run("import-items", *cashier, str(items))
    assert refused.returncode == 2 and "needs a manager" in refused.stderr
    assert run("import-items", *admin, str(items)).stdout.strip() == "1 items imported"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT quantity FROM gift_stock").fetchone()[0] == 4
        assert conn.execute("SELECT price_fen FROM items").fetchone()[0] == 350
        assert conn.execute("SELECT role FROM staff WHERE code = '3'").fetchone()[0] == "cashier"
    finally:
        conn.close()
