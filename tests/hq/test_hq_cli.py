"""``pos-hq``: the admin commands (in-process, on PostgreSQL through ``--db``), the
default database, an SQLite run of the whole admin flow, and ``serve`` as a real process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from pos_app.program.loader import bundled_program_text
from sync.hq import admin
from sync.hq.app import create_app, token_hash
from sync.hq.cli import default_db_url, main, shown_url
from sync.protocol import PROTOCOL_HEADER
from tests.hq.conftest import NOW


def catalogue_text() -> str:
    return (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli(hq_cli_url: str, capsys: pytest.CaptureFixture[str]):
    """``cli("store", "add", "S01", "一号店")``: (exit code, stdout, stderr) on the test schema."""

    def call(*argv: str) -> tuple[int, str, str]:
        return run(capsys, *argv, "--db", hq_cli_url)

    return call


def pull_status(hq: Engine, token: str) -> int:
    client = TestClient(create_app(hq))
    headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: "1"}
    return client.get("/v1/pull", headers=headers).status_code


def test_store_commands(cli, hq: Engine) -> None:
    assert cli("store", "list")[:2] == (
        0,
        "no stores yet: add one with 'pos-hq store add CODE NAME'\n",
    )
    assert cli("store", "add", "s01", "一号店") == (0, "store S01 added\n", "")
    assert cli("store", "add", "S02", "Second store")[0] == 0
    code, _, err = cli("store", "add", "S01", "again")
    assert (code, err) == (2, "error: code: store S01 already exists\n")
    assert cli("store", "disable", "S02")[:2] == (
        0,
        "store S02 disabled (its devices' tokens stop working)\n",
    )
    code, out, _ = cli("store", "list")
    assert code == 0
    assert out.splitlines() == [
        "STORE  NAME          ACTIVE    DEVICES",
        "S01    一号店        yes       0",
        "S02    Second store  DISABLED  0",
    ]
    assert cli("store", "enable", "S02")[0] == 0
    assert [s.active for s in admin.list_stores(hq)] == [True, True]
    assert cli("store", "disable", "S09")[::2] == (2, "error: code: no store S09\n")


def test_device_token_is_shown_once_and_works(cli, hq: Engine) -> None:
    cli("store", "add", "S01", "一号店")
    code, out, _ = cli("device", "add", "S01", "t1")
    assert code == 0
    assert "shown only now" in out
    token = out.splitlines()[2].strip()
    assert len(token) >= 40
    with hq.connect() as conn:
        assert conn.execute(text("SELECT token_hash FROM hq_devices")).scalar() == token_hash(token)
    assert pull_status(hq, token) == 200

    assert cli("device", "disable", "S01", "T1")[:2] == (
        0,
        "device S01/T1 disabled (its token stops working)\n",
    )
    assert pull_status(hq, token) == 401
    assert cli("device", "enable", "S01", "T1")[0] == 0
    assert pull_status(hq, token) == 200

    # the store list and status never show the token
    for argv in (("store", "list"), ("status",)):
        assert token not in cli(*argv)[1]
    assert cli("device", "add", "S09", "T1")[::2] == (
        2,
        "error: store: no store S09; add the store first\n",
    )


def test_program_load(cli, tmp_path: Path) -> None:
    good = tmp_path / "supermarket.toml"
    good.write_text(bundled_program_text("supermarket"), encoding="utf-8")
    code, out, _ = cli("program", "load", str(good))
    assert code == 0
    assert out.startswith("program supermarket version 1 loaded (digest ")
    assert cli("program", "load", str(good))[:2] == (
        0,
        "program supermarket version 1 was already loaded (nothing changed)\n",
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(
        bundled_program_text("supermarket")
        .replace("version = 1", "version = 2", 1)
        .replace('points_per_yuan = "1"', 'points_per_yuan = "lots"', 1),
        encoding="utf-8",
    )
    code, _, err = cli("program", "load", str(bad))
    assert code == 2
    assert err.startswith("error: earning.points_per_yuan: ")
    assert cli("program", "load", str(tmp_path / "missing.toml"))[0] == 2


def test_gifts_and_stock(cli, hq: Engine, tmp_path: Path) -> None:
    cli("store", "add", "S01", "一号店")
    gifts = tmp_path / "gifts.toml"
    gifts.write_text(catalogue_text(), encoding="utf-8")
    code, out, _ = cli("gifts", "load", str(gifts))
    assert (code, out.splitlines()[0]) == (
        0,
        "7 gift(s) new or changed; stores get them on their next sync",
    )
    assert cli("gifts", "load", str(gifts))[1].startswith("every gift in the file is already")
    assert cli("stock", "set", "S01", "oil", "12", "--low", "3") == (
        0,
        "stock of oil at S01: 12 (low at 3)\n",
        "",
    )
    with hq.connect() as conn:
        assert conn.execute(
            text("SELECT scope, data FROM hq_feed ORDER BY cursor DESC")
        ).first() == (
            "S01",
            '{"gift_code":"oil","low_threshold":3,"quantity":12,"store_code":"S01"}',
        )
    assert cli("stock", "set", "S01", "unicorn", "1")[::2] == (
        2,
        "error: gift: no gift 'unicorn'; load the catalogue first\n",
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(catalogue_text().replace("points = 500", "points = 0"), encoding="utf-8")
    code, _, err = cli("gifts", "load", str(bad))
    assert (code, err.split(":")[:2]) == (2, ["error", " gifts[0].points"])


def test_members_import(cli, hq: Engine, tmp_path: Path) -> None:
    cli("store", "add", "S01", "一号店")
    good = tmp_path / "good.csv"
    good.write_text(
        "name,phone,card,tier,home_store\n张三,13800138000,8800000001,normal,S01\n",
        encoding="utf-8",
    )
    assert cli("members", "import", str(good))[:2] == (
        0,
        "added 1, updated 0, unchanged 0, rejected 0\n",
    )
    assert cli("members", "import", str(good))[1] == "added 0, updated 0, unchanged 1, rejected 0\n"
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "name,phone,card,tier,home_store\n"
        "李四,13900139000,,normal,S01\n"
        "王五,1390013,,normal,S01\n"
        "赵六,13700137000,8800000001,normal,S01\n",
        encoding="utf-8",
    )
    code, out, _ = cli("members", "import", str(mixed))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "added 1, updated 0, unchanged 0, rejected 2"
    assert lines[1].startswith("  line 3: phone: ")
    assert lines[2] == "  line 4: card: card 8800000001 belongs to another member"
    noheader = tmp_path / "noheader.csv"
    noheader.write_text("张三,13800138000,,normal,S01\n", encoding="utf-8")
    code, _, err = cli("members", "import", str(noheader))
    assert code == 2 and err.startswith("error: header: the first line must name the columns")


def test_status_and_reconcile(cli, hq: Engine, device_token) -> None:
    device_token("S01", "T1")
    device_token("S02", "T1")
    admin.set_device_active(hq, "S02", "T1", False)
    code, out, _ = cli("status")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == [
        "STORE",
        "DEVICE",
        "ACTIVE",
        "LAST",
        "PUSH",
        "LAST",
        "PULL",
        "SILENT",
        "ACKED",
        "EVENTS",
        "REJECTED",
        "LAG",
        "OVERDRAWN",
    ]
    assert [row.split() for row in rows] == [
        ["S01", "T1", "yes", "never", "never", "-", "0", "0", "0", "0", "0"],
        ["S02", "T1", "DISABLED", "never", "never", "-", "0", "0", "0", "0", "0"],
    ]

    admin.import_members_csv(
        hq, "name,phone,card,tier,home_store\n张三,13800138000,,vip,S01\n", NOW
    )
    assert cli("reconcile")[:2] == (
        0,
        "the books agree: every member's balance equals the sum of their ledger\n",
    )
    with hq.begin() as conn:
        member_id = conn.execute(
            text("UPDATE hq_members SET balance = -40, overdraft_since = :t RETURNING id"),
            {"t": NOW.replace(tzinfo=None)},
        ).scalar_one()
    code, out, _ = cli("reconcile")
    assert code == 1
    assert out.splitlines() == [
        "1 member(s) whose balance differs from their ledger:",
        f"  {member_id}: balance -40, ledger sum 0 (off by -40)",
    ]
    out = cli("status")[1]
    assert "1 member(s) overdrawn" in out
    assert "138****8000" in out and "13800138000" not in out
    assert "2026-03-02 02:00:00Z" in out


def test_db_from_the_environment_and_the_default(
    hq: Engine, hq_cli_url: str, capsys, monkeypatch, tmp_path: Path
) -> None:
    admin.add_store(hq, code="S01", name="一号店", now=NOW)
    monkeypatch.setenv("POS_HQ_DB", hq_cli_url)
    code, out, _ = run(capsys, "store", "list")
    assert code == 0 and "S01" in out

    monkeypatch.delenv("POS_HQ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = default_db_url()
    assert url == f"sqlite:///{(tmp_path / 'points-counter-hq' / 'hq.sqlite3').as_posix()}"
    assert (tmp_path / "points-counter-hq").is_dir()


def test_database_errors_exit_2(capsys) -> None:
    code, _, err = run(capsys, "status", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    assert code == 2 and err.startswith("error: --db: cannot open the HQ database")
    code, _, err = run(capsys, "status", "--db", "not a url")
    assert code == 2 and "is not a database URL" in err


def test_password_is_hidden() -> None:
    shown = shown_url("postgresql+psycopg://hq:s3cret@db.example/hq")
    assert "s3cret" not in shown and shown.startswith("postgresql+psycopg://hq:***@db.example")


def test_the_whole_admin_flow_on_sqlite(capsys, tmp_path: Path) -> None:
    """The embedded database the demo uses, through every admin command."""
    db = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    program = tmp_path / "program.toml"
    program.write_text(bundled_program_text("supermarket"), encoding="utf-8")
    gifts = tmp_path / "gifts.toml"
    gifts.write_text(catalogue_text(), encoding="utf-8")
    csv = tmp_path / "members.csv"
    csv.write_text("name,phone,card,tier,home_store\n张三,13800138000,,,S01\n", encoding="utf-8")
    for argv in (
        ("store", "add", "S01", "一号店"),
        ("device", "add", "S01", "T1"),
        ("program", "load", str(program)),
        ("gifts", "load", str(gifts)),
        ("stock", "set", "S01", "tissue", "40"),
        ("members", "import", str(csv)),
        ("store", "list"),
        ("reconcile",),
    ):
        code, out, err = run(capsys, *argv, "--db", db)
        assert (code, err) == (0, ""), (argv, out, err)
    code, out, _ = run(capsys, "status", "--db", db)
    assert code == 0
    # program 1 + gifts 7 + stock 1 + member 1 changes waiting for the till
    assert out.splitlines()[1].split() == [
        *("S01", "T1", "yes", "never", "never", "-"),
        *("0", "0", "0", "10", "0"),
    ]
    engine = create_engine(db)
    with engine.connect() as conn:
        member = conn.execute(text("SELECT data FROM hq_feed WHERE kind = 'member'")).scalar_one()
    engine.dispose()
    assert json.loads(member)["created_at"].endswith("+00:00")


# -- serve -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pos_hq() -> list[str]:
    script = shutil.which("pos-hq", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "sync.hq.cli"]


def test_serve_answers_health(tmp_path: Path) -> None:
    port = _free_port()
    db = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    proc = subprocess.Popen(
        [*_pos_hq(), "serve", "--db", db, "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None, f"pos-hq serve did not answer (exit {proc.poll()})"
        assert health.status_code == 200 and health.json()["status"] == "ok"
        refused = httpx.get(f"http://127.0.0.1:{port}/v1/pull", headers={PROTOCOL_HEADER: "1"})
        assert refused.status_code == 401
    finally:
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert f"listening on http://127.0.0.1:{port}" in output
    assert f"database: {db}" in output
    assert (tmp_path / "hq.sqlite3").exists()


def test_serve_refuses_half_a_certificate(capsys, tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--ssl-certfile", "c.pem"
    )
    assert (code, err) == (
        2,
        "error: ssl: give both --ssl-certfile and --ssl-keyfile, or neither\n",
    )
