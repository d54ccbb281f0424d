"""Shared fixtures: a real SQLite store database in a temp dir, set up like a counter."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pos_app.db.store import StoreDB, open_store
from pos_app.program import Program, bundled_program
from pos_app.services.adjustments import adjust_points
from pos_app.services.auth import StaffSession, create_staff, login
from pos_app.services.checkout import (
    CartLine,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.context import init_store
from pos_app.services.members import MemberView, register_member, view_member
from pos_app.services.programs import install_program

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    """Local Shanghai time: ``at(2026, 10, 2, 10)``."""
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


#: a plain Monday outside every campaign of the bundled programs
QUIET_DAY = at(2026, 3, 2, 10, 0)


#: every table a service writes
WRITTEN_TABLES = (
    "members",
    "member_cards",
    "ledger_entries",
    "points_lots",
    "lot_consumptions",
    "sales",
    "sale_lines",
    "payments",
    "returns",
    "return_lines",
    "outbox_events",
    "member_tier_awards",
)


@dataclass
class Counter:
    """A set-up store: database, staff sessions and helpers for the common moves."""

    db: StoreDB
    program: Program
    admin: StaffSession
    manager: StaffSession
    cashier: StaffSession
    now: dt.datetime

    @contextmanager
    def sql(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection to the store file, for looking behind the services."""
        with closing(sqlite3.connect(self.db.path)) as conn:
            yield conn

    def count(self, table: str) -> int:
        with self.sql() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def counts(self, tables: tuple[str, ...] = WRITTEN_TABLES) -> dict[str, int]:
        """Row counts, to prove that a refused request wrote nothing."""
        return {table: self.count(table) for table in tables}

    def give(self, member_id: str, points: int, now: dt.datetime | None = None) -> None:
        """A manager's adjustment: points to start a test with."""
        adjust_points(
            self.db,
            actor=self.manager,
            member_id=member_id,
            points=points,
            reason="opening balance for the test",
            now=now or self.now,
        )

    def balance(self, member_id: str, now: dt.datetime | None = None) -> int:
        return view_member(self.db, member_id, now=now or self.now).balance

    def register(
        self,
        name: str = "张三",
        phone: str = "13812345678",
        card: str | None = None,
        referrer: str | None = None,
        now: dt.datetime | None = None,
    ) -> MemberView:
        return register_member(
            self.db,
            actor=self.cashier,
            name=name,
            phone=phone,
            card=card,
            referrer=referrer,
            now=now or self.now,
        ).member

    def sell(
        self,
        member_id: str | None,
        lines: list[CartLine],
        *,
        offset: int | str = 0,
        now: dt.datetime | None = None,
        method: str = "cash",
    ) -> SaleResult:
        when = now or self.now
        quote = quote_checkout(
            self.db, member_id=member_id, lines=lines, offset_points=offset, now=when
        )  # type: ignore[arg-type]
        payments = [PaymentInput(method, quote.total_due_fen)] if quote.total_due_fen else []
        return commit_checkout(
            self.db,
            actor=self.cashier,
            sale_id=str(uuid.uuid4()),
            member_id=member_id,
            lines=lines,
            offset_points=offset,  # type: ignore[arg-type]
            payments=payments,
            now=when,
        )


_TEMPLATES: dict[tuple[str, dt.datetime], Path] = {}


def _template(program: Program, now: dt.datetime) -> Path:
    """A set-up store file per program, built once per test run and copied per test
    (set-up hashes three PINs with scrypt, which is slow on purpose)."""
    key = (program.digest, now)
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="pos-template-"))
        path = folder / "template.sqlite3"
        db = open_store(path)
        init_store(db, store_code="S01", store_name="测试门店", device_code="D1", now=now)
        install_program(db, actor=None, program=program, now=now)
        create_staff(db, actor=None, code="9", name="Admin", role="admin", pin="9999", now=now)
        admin = login(db, code="9", pin="9999", now=now)
        create_staff(db, actor=admin, code="2", name="经理", role="manager", pin="2222", now=now)
        create_staff(db, actor=admin, code="1", name="收银员", role="cashier", pin="1111", now=now)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        _TEMPLATES[key] = path
    return _TEMPLATES[key]


def make_counter(path: Path, program: Program, now: dt.datetime = QUIET_DAY) -> Counter:
    shutil.copyfile(_template(program, now), path)
    db = open_store(path)
    return Counter(
        db=db,
        program=program,
        admin=login(db, code="9", pin="9999", now=now),
        manager=login(db, code="2", pin="2222", now=now),
        cashier=login(db, code="1", pin="1111", now=now),
        now=now,
    )


@pytest.fixture
def counter_factory(tmp_path: Path) -> Iterator[Callable[..., Counter]]:
    made: list[Counter] = []

    def factory(program: str | Program = "supermarket", now: dt.datetime = QUIET_DAY) -> Counter:
        prog = bundled_program(program) if isinstance(program, str) else program
        c = make_counter(tmp_path / f"store{len(made)}.sqlite3", prog, now)
        made.append(c)
        return c

    yield factory
    for c in made:
        c.db.close()


@pytest.fixture
def supermarket(counter_factory: Callable[..., Counter]) -> Counter:
    return counter_factory("supermarket")


@pytest.fixture
def hotel(counter_factory: Callable[..., Counter]) -> Counter:
    return counter_factory("hotel")
