"""``pos-app bench`` runs through the real command at the quick scale: the table and the
JSON have every asked-for section with its fields. Nothing here looks at the times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pos_app.bench import SECTIONS, STORE_BENCHES, build_sales_day

FIELDS = {
    "section",
    "name",
    "unit",
    "value",
    "median",
    "p99",
    "baseline",
    "ratio",
    "target",
    "status",
    "runs",
    "note",
}


def bench(*args: str, entry: str = "ui.cli") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", entry, "bench", "--quick", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def results_of(out: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert out.returncode in (0, 1), out.stderr[-3000:]
    start = out.stdout.index("\n{\n")
    return json.loads(out.stdout[start:])


def test_store_sections_print_a_table_and_json(tmp_path: Path) -> None:
    out = bench("--only", "lookup,checkout,eod", "--json", "--data", str(tmp_path))
    report = results_of(out)
    assert report["sections"] == ["lookup", "checkout", "eod"]
    assert report["scale"]["name"] == "quick"
    rows = report["results"]
    assert [r["section"] for r in rows] == ["lookup", "lookup", "checkout", "eod"]
    for r in rows:
        assert set(r) == FIELDS
        assert r["status"] in ("PASS", "MISS", "SKIP")
    for r in rows[:3]:
        assert r["value"] > 0 and r["baseline"] > 0 and r["ratio"] > 0 and r["runs"] > 0
    assert rows[3]["status"] in ("PASS", "MISS") and "end-of-day report" in rows[3]["name"]
    assert rows[3]["value"] > 0
    table = out.stdout[: out.stdout.index("\n{\n")]
    assert "member look-up by card" in table and "baseline" in table and "ratio" in table
    assert "targets met" in table
    # the data is kept in --data and reused by the next run
    assert (tmp_path / "store-2000.json").exists()
    again = bench("--only", "lookup", "--data", str(tmp_path))
    assert "reusing the store" in again.stdout
    assert "member look-up by phone" in again.stdout and "checkout" not in again.stdout


def test_sync_sections_against_postgresql_or_a_skip_line(tmp_path: Path) -> None:
    out = bench("--only", "push,pull,bootstrap", "--json", "--data", str(tmp_path))
    rows = results_of(out)["results"]
    sections = {r["section"] for r in rows}
    assert sections == {"push", "pull", "bootstrap"}
    for r in rows:
        assert set(r) == FIELDS
    if all(r["status"] == "SKIP" for r in rows):
        assert "PostgreSQL is not reachable" in rows[0]["note"]
        if os.environ.get("POS_REQUIRE_PG") == "1":
            pytest.fail(f"POS_REQUIRE_PG=1 but the sync benches skipped: {rows[0]['note']}")
        pytest.skip(rows[0]["note"])
    by_name = {r["name"].split(",")[0]: r for r in rows}
    assert by_name["initial bootstrap"]["value"] > 0
    push = by_name["sync push into PostgreSQL HQ"]
    assert push["unit"] == "events/s" and push["baseline"] > 0 and push["runs"] == 2
    assert by_name["sync pull of 200 changes (a store at the head)"]["value"] > 0
    # the scratch schema is gone
    assert not list((tmp_path / "sync").glob("push*.sqlite3"))


def test_counter_window_sections(tmp_path: Path) -> None:
    out = bench("--only", "scan,coldstart,rss", "--json", "--data", str(tmp_path))
    rows = results_of(out)["results"]
    assert [r["section"] for r in rows] == ["scan", "rss", "coldstart"]
    for r in rows:
        assert set(r) == FIELDS and r["status"] in ("PASS", "MISS")
        assert r["value"] > 0
    assert rows[2]["baseline"] > 0  # the bare QApplication window


def test_pos_app_cli_runs_the_store_sections_only(tmp_path: Path) -> None:
    out = bench("--only", "lookup", "--data", str(tmp_path), entry="pos_app.cli")
    assert out.returncode in (0, 1), out.stderr
    assert "member look-up by card" in out.stdout and "targets met" in out.stdout


def test_an_unknown_section_is_refused() -> None:
    out = bench("--only", "lookup,teleport")
    assert out.returncode != 0 and "teleport" in out.stderr


def test_every_store_section_is_registered_and_the_sales_day_builder_fills_a_day(
    tmp_path: Path,
) -> None:
    import datetime as dt
    import sqlite3

    from pos_app.demo import seed_store

    assert set(STORE_BENCHES) <= set(SECTIONS)
    path = tmp_path / "day.sqlite3"
    seed_store(path, "supermarket", dt.datetime(2026, 3, 1, tzinfo=dt.UTC)).db.close()
    day = dt.date(2026, 3, 2)
    assert build_sales_day(path, day, 30) == 30
    conn = sqlite3.connect(path)
    try:
        days = conn.execute("SELECT business_day, COUNT(*) FROM sales GROUP BY 1").fetchall()
    finally:
        conn.close()
    assert days == [(day.isoformat(), 30)]
