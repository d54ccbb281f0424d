"""Security checks as tests: SQL in every search field is inert, PINs and device tokens
never reach a log or the terminal, and the files holding members, PIN hashes and the
token are the owner's alone."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pos_app import cli as pos_cli
from pos_app.db.store import open_store
from pos_app.demo import DEMO_ITEMS_CSV
from pos_app.errors import AuthenticationFailed, PosError
from pos_app.services.auth import create_staff, login
from pos_app.services.checkout import CartLine, quote_checkout
from pos_app.services.gifts import import_catalogue, list_gifts, redeem_gift
from pos_app.services.history import member_history
from pos_app.services.items import find_item, import_items_csv
from pos_app.services.members import (
    find_by_card,
    find_by_phone,
    register_member,
    search_last4,
    view_member,
)
from pos_app.services.receipts import any_receipt, sale_receipt
from pos_app.services.returns import ReturnItem, quote_return, returnable_lines
from sync import cli as sync_cli
from tests.conftest import QUIET_DAY, Counter
from tests.hq.conftest import TokenFactory, device_token, hq, pg_schema_url  # noqa: F401
from tests.hq.server import running_hq
from tests.hq.stores import make_store
from tests.test_reliability_storage import db_digest

GIFTS = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")

INJECTIONS = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    "'; DROP TABLE members; --",
    '"; DELETE FROM ledger_entries; --',
    "1; UPDATE members SET balance = 999999",
    "%' UNION SELECT id, phone, name FROM members --",
    "%",
    "_",
    "*",
    "\\",
    "1381234%",
    "') OR ('a'='a",
    "S01-D1-000001' OR 'x'='x",
    "G-' OR 1=1 --",
    "\x00' OR 1=1",
]


# SQL injection -------------------------------------------------------------------------------
@pytest.fixture
def stocked(supermarket: Counter) -> Counter:
    """A store with a member with a card, a sale, gifts and an item: things to find."""
    c = supermarket
    import_catalogue(c.db, actor=c.manager, text=GIFTS, now=c.now)
    import_items_csv(c.db, actor=c.manager, text=DEMO_ITEMS_CSV, now=c.now)
    member = c.register(card="8800001001", phone="13812345678")
    c.give(member.id, 5000)
    c.sell(member.id, [CartLine("daily", 1990)])
    return c


def searches(c: Counter, text: str) -> dict[str, Callable[[], object]]:
    """Every field a person types or scans something to look up."""
    now = c.now
    return {
        "member by phone": lambda: find_by_phone(c.db, text, now=now),
        "member by card": lambda: find_by_card(c.db, text, now=now),
        "member by last 4": lambda: search_last4(c.db, text, now=now),
        "member by id": lambda: view_member(c.db, text, now=now),
        "history": lambda: member_history(c.db, text),
        "item code": lambda: find_item(c.db, text),
        "receipt (reprint)": lambda: any_receipt(c.db, text, now),
        "receipt (sale)": lambda: sale_receipt(c.db, text, now),
        "receipt (return)": lambda: returnable_lines(c.db, receipt_no=text),
        "receipt (return quote)": lambda: quote_return(
            c.db, receipt_no=text, items=[ReturnItem(1, 1)], now=now
        ),
        "gift search": lambda: list_gifts(c.db, member_id=None, now=now, search=text),
        "gift category": lambda: list_gifts(c.db, member_id=None, now=now, category=text),
        "coupon code": lambda: quote_checkout(
            c.db,
            member_id=_member(c),
            lines=[CartLine("daily", 20000)],
            now=now,
            coupon_code=text,
        ),
        "gift code": lambda: redeem_gift(
            c.db, actor=c.cashier, member_id=_member(c), gift_code=text, now=now
        ),
    }


def _member(c: Counter) -> str:
    return find_by_card(c.db, "8800001001", now=c.now).id


def test_sql_in_any_search_field_is_inert(stocked: Counter) -> None:
    c = stocked
    before = db_digest(c.db.path)
    for text in INJECTIONS:
        for field, search in searches(c, text).items():
            try:
                found = search()
            except PosError as exc:
                assert exc.code in ("not_found", "invalid_input"), f"{field} {text!r}: {exc!r}"
            else:
                # a search may answer, but never with everything: nothing matches these
                assert found == [], f"{field} {text!r}: {found}"
    assert db_digest(c.db.path) == before
    with c.sql() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sql_as_a_staff_number_is_a_wrong_login(stocked: Counter) -> None:
    c = stocked
    for text in INJECTIONS:
        before = db_digest(c.db.path)
        with pytest.raises(AuthenticationFailed) as err:
            login(c.db, code=text, pin="1111", now=c.now)
        assert type(err.value) is AuthenticationFailed, text
        after = db_digest(c.db.path)
        # only the audit log notes the failed attempt; staff and everything else as before
        assert {t for t in after if after[t] != before[t]} == {"audit_log"}, text
        with c.sql() as conn:
            assert conn.execute(
                "SELECT action, target FROM audit_log ORDER BY id DESC LIMIT 1"
            ).fetchone() == ("login.failed", text.strip()[:80])


def test_sql_in_what_a_member_is_called_is_stored_as_typed(stocked: Counter) -> None:
    c = stocked
    name = "Robert'); DROP TABLE members;--"
    member = register_member(
        c.db, actor=c.cashier, name=name, phone="13900001111", card="8800002002", now=c.now
    ).member
    assert find_by_phone(c.db, "13900001111", now=c.now).name == name
    assert view_member(c.db, member.id, now=c.now).name == name
    assert c.count("members") == 2


# Secrets never logged -----------------------------------------------------------------------
PIN_ADMIN = "480367"
PIN_NEW = "915273"
PIN_WRONG = "480360"


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, SQL statements and their parameters included."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "httpx", "httpcore", "uvicorn", "sync", "pos_app"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def assert_secret_free(secrets: list[str], *texts: str) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked: ...{_around(text, secret)}..."


def _around(text: str, secret: str) -> str:
    i = text.index(secret)
    return text[max(0, i - 120) : i + 120]


def logged(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            lines.append(repr(record.exc_info[1]))
    return "\n".join(lines) + caplog.text


def test_pins_never_reach_a_log_or_the_terminal(
    tmp_path: Path,
    everything_logged: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "store.sqlite3"
    assert (
        pos_cli.main(
            [
                "init",
                "--db",
                str(db_path),
                "--store-code",
                "S01",
                "--store-name",
                "测试门店",
                "--admin-pin",
                PIN_ADMIN,
            ]
        )
        == 0
    )
    assert (
        pos_cli.main(
            [
                "staff-add",
                "--db",
                str(db_path),
                "--staff",
                "9",
                "--pin",
                PIN_ADMIN,
                "--code",
                "3",
                "--name",
                "新收银员",
                "--new-pin",
                PIN_NEW,
            ]
        )
        == 0
    )
    assert (
        pos_cli.main(
            [
                *("staff-add", "--db", str(db_path), "--staff", "9", "--pin", PIN_WRONG),
                *("--code", "4", "--name", "x", "--new-pin", PIN_NEW),
            ]
        )
        == 2
    )
    db = open_store(db_path)
    try:
        now = QUIET_DAY
        with pytest.raises(AuthenticationFailed):
            login(db, code="3", pin=PIN_WRONG, now=now)
        admin = login(db, code="9", pin=PIN_ADMIN, now=now)
        login(db, code="3", pin=PIN_NEW, now=now)
        create_staff(db, actor=admin, code="5", name="经理", role="manager", pin=PIN_WRONG, now=now)
        with pytest.raises(PosError):  # a malformed PIN is refused without being echoed
            create_staff(
                db, actor=admin, code="6", name="x", role="cashier", pin=PIN_NEW + "x", now=now
            )
    finally:
        db.close()
    out, err = capfd.readouterr()
    assert any("sqlalchemy.engine" in r.name for r in everything_logged.records), (
        "SQL logging was not captured: the test would prove nothing"
    )
    assert_secret_free([PIN_ADMIN, PIN_NEW, PIN_WRONG], logged(everything_logged), out, err)


def test_the_device_token_never_reaches_a_log_or_the_terminal(
    tmp_path: Path,
    hq: Engine,  # noqa: F811
    device_token: TokenFactory,  # noqa: F811
    everything_logged: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    token = device_token("S01", "T1")
    wrong = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with running_hq(hq) as url:
        store = make_store(tmp_path, "S01", "T1", None)
        store.register(card="8800001001")
        path = store.db.path
        store.db.close()
        config = tmp_path / "conf" / "sync.toml"
        everything_logged.clear()
        capfd.readouterr()
        link = ["link", "--db", path, "--hq", url, "--token", token, "--config", str(config)]
        assert sync_cli.main(link) == 0
        assert sync_cli.main(["sync", "--db", path, "--config", str(config)]) == 0
        # a wrong token: refused by HQ, and neither token is repeated back
        sync_cli.main([*link[:5], "--token", wrong, "--config", str(config)])
        assert sync_cli.main(["sync", "--db", path, "--config", str(config)]) == 1
    out, err = capfd.readouterr()
    assert "sent 1 event(s)" in out and "sync failed" in out
    assert any(r.name.startswith("httpx") for r in everything_logged.records), (
        "HTTP logging was not captured: the test would prove nothing"
    )
    assert_secret_free([token, wrong], logged(everything_logged), out, err)


# Owner-only files ------------------------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask, as on many desktops: the code must not rely on a strict one."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_store_database_and_its_folder_are_owner_only(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert (
        pos_cli.main(["init", "--store-code", "S01", "--store-name", "店", "--admin-pin", "4803"])
        == 0
    )
    folder = tmp_path / "data" / "points-counter"
    db_path = folder / "store.sqlite3"
    assert mode(folder) == 0o700
    assert mode(db_path) == 0o600
    db = open_store(db_path)  # the counter running: its WAL and shared memory exist
    try:
        with db.write_raw() as tx:
            tx.run("UPDATE store_identity SET store_name = '人民路店'")
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            assert side.exists() and mode(side) == 0o600, suffix
    finally:
        db.close()


def test_the_sync_settings_and_their_folder_are_owner_only(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch, supermarket: Counter
) -> None:
    monkeypatch.delenv("POS_SYNC", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    token = "t" * 32
    assert (
        sync_cli.main(
            ["link", "--db", supermarket.db.path, "--hq", "http://127.0.0.1:9", "--token", token]
        )
        == 0
    )
    folder = tmp_path / "config" / "points-counter"
    assert mode(folder) == 0o700
    assert mode(folder / "sync.toml") == 0o600
