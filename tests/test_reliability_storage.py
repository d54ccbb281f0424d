"""A full disk and a read-only database: a clear error for the cashier, nothing half-written.

The disk fills for real as far as SQLite can tell: ``PRAGMA max_page_count`` on every
connection of the store caps the file at its current size, so the next page SQLite
needs fails with SQLITE_FULL ("database or disk is full") inside the service's
transaction, wherever that happens to be. The read-only database is a real
``chmod 0444`` file in a ``0555`` folder, checked by a child process (without root's
capabilities when the tests run as root, who writes through any mode), and a
connection set ``PRAGMA query_only`` for a database that turns read-only while open.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from pos_app.db.store import StoreDB
from pos_app.errors import PosError, StorageError, StorageFull, StorageReadOnly
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import check_books
from pos_app.services.gifts import import_catalogue, redeem_gift
from pos_app.services.members import find_by_card, register_member
from tests.conftest import Counter

GIFTS = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")


# Helpers shared with the other reliability and security tests ------------------------------
def db_digest(path: str | Path) -> dict[str, str]:
    """A digest per table (and of the schema): equal digests, equal databases."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        digest = {
            "(schema)": hashlib.sha256(
                repr(
                    conn.execute(
                        "SELECT type, name, sql FROM sqlite_master ORDER BY name"
                    ).fetchall()
                ).encode()
            ).hexdigest()
        }
        for table in tables:
            rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))
            digest[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digest


def run_doctor(path: str | Path) -> subprocess.CompletedProcess[str]:
    """The real ``pos-app doctor`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "doctor", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_doctor_passes(path: str | Path) -> None:
    done = run_doctor(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ledger, balances and lots agree" in done.stdout


@dataclass
class Disk:
    """Caps the store file at a number of pages on every new connection of ``db``."""

    db: StoreDB
    limit: int | None = None

    def fill(self) -> None:
        """From now on the file cannot grow: the disk is full."""
        with closing(sqlite3.connect(self.db.path)) as conn:
            self.limit = int(conn.execute("PRAGMA page_count").fetchone()[0])
        self.db.engine.dispose()  # pooled connections made before the cap go

    def free(self) -> None:
        self.limit = None
        self.db.engine.dispose()


def disk_of(db: StoreDB) -> Disk:
    disk = Disk(db)

    def cap(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        if disk.limit is not None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {disk.limit}")

    event.listen(db.engine, "connect", cap)
    return disk


def until_full(attempt: Callable[[int], object], path: str | Path) -> tuple[int, StorageFull]:
    """Call ``attempt(i)`` until the disk is full; the attempt that failed must have
    changed nothing. Returns how many succeeded and the error."""
    for i in range(400):
        before = db_digest(path)
        try:
            attempt(i)
        except StorageFull as exc:
            assert db_digest(path) == before, "the refused action left rows behind"
            return i, exc
    raise AssertionError("the disk never filled up")


# Disk full --------------------------------------------------------------------------------------
def test_a_full_disk_refuses_the_sale_whole_and_the_same_sale_goes_through_later(
    supermarket: Counter,
) -> None:
    c = supermarket
    member = c.register(card="8800001001")
    c.give(member.id, 200_000)
    disk = disk_of(c.db)
    disk.fill()

    def sale(i: int) -> object:
        lines = [CartLine(cat, 1990 + i, 1 + i % 3) for cat in ("daily", "fresh", "electronics")]
        return c.sell(member.id if i % 4 else None, lines, offset="max" if i % 2 else 0)

    sold, error = until_full(sale, c.db.path)
    assert type(error) is StorageFull
    assert "free disk space" in error.message and "nothing was saved" in error.message
    assert check_books(c.db) == []
    assert_doctor_passes(c.db.path)
    # the sales before the disk filled are whole: lines, payment, event each
    with c.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == sold
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM outbox_events WHERE type = 'sale.completed'"
            ).fetchone()[0]
            == sold
        )
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    disk.free()  # the manager frees space: the very same sale goes through
    sale(sold)
    assert c.count("sales") == sold + 1
    assert check_books(c.db) == []


def test_a_full_disk_refuses_the_gift_redemption_whole(supermarket: Counter) -> None:
    c = supermarket
    import_catalogue(c.db, actor=c.manager, text=GIFTS, now=c.now)
    member = c.register(card="8800001001")
    c.give(member.id, 900_000)
    disk = disk_of(c.db)
    disk.fill()
    stock_before = _stock(c, "coupon-30-100")

    def redeem(i: int) -> object:
        gift = ("coupon-30-100", "video-month", "tissue")[i % 3]
        return redeem_gift(c.db, actor=c.cashier, member_id=member.id, gift_code=gift, now=c.now)

    done, error = until_full(redeem, c.db.path)
    assert type(error) is StorageFull
    assert check_books(c.db) == []
    assert_doctor_passes(c.db.path)
    with c.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM gift_redemptions").fetchone()[0] == done
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM outbox_events WHERE type = 'gift.redeemed'"
            ).fetchone()[0]
            == done
        )
        coupons = conn.execute("SELECT COUNT(*) FROM coupons").fetchone()[0]
    assert stock_before - _stock(c, "coupon-30-100") == coupons == (done + 2) // 3

    disk.free()
    redeem(done)
    assert c.count("gift_redemptions") == done + 1


def _stock(c: Counter, gift: str) -> int:
    with c.sql() as conn:
        return int(
            conn.execute(
                "SELECT s.quantity FROM gift_stock s JOIN gifts g ON g.id = s.gift_id "
                "WHERE g.code = ?",
                (gift,),
            ).fetchone()[0]
        )


def test_the_transaction_is_rolled_back_even_when_sqlite_rolled_it_back_first(
    supermarket: Counter,
) -> None:
    """SQLite ends the transaction itself on a full disk; the store's own ROLLBACK must
    not then fail and hide the reason (it did: 'cannot rollback - no transaction')."""
    c = supermarket
    with c.sql() as conn:
        conn.execute("CREATE TABLE filler (x BLOB)")
        conn.commit()
    disk = disk_of(c.db)
    disk.fill()
    before = db_digest(c.db.path)
    with pytest.raises(StorageFull), c.db.write_raw() as tx:
        tx.run("INSERT INTO filler VALUES (zeroblob(200000))")
    assert db_digest(c.db.path) == before
    with pytest.raises(StorageFull), c.db.write() as s:
        s.connection().exec_driver_sql("INSERT INTO filler VALUES (zeroblob(200000))")
    assert db_digest(c.db.path) == before


# Read-only -------------------------------------------------------------------------------------
@pytest.fixture
def query_only(supermarket: Counter) -> Iterator[Counter]:
    """The open store turns read-only under the counter (``PRAGMA query_only``: a
    mechanism root cannot write through either)."""

    def read_only(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only = ON")

    supermarket.db.engine.dispose()
    event.listen(supermarket.db.engine, "connect", read_only)
    yield supermarket


def test_writes_to_a_database_turned_read_only_fail_cleanly(query_only: Counter) -> None:
    c = query_only
    before = db_digest(c.db.path)
    with pytest.raises(StorageReadOnly) as err:
        c.sell(None, [CartLine("daily", 1200)])
    assert "cannot be written" in err.value.message
    with pytest.raises(StorageReadOnly):
        register_member(
            c.db, actor=c.cashier, name="张三", phone="13812345678", card=None, now=c.now
        )
    assert db_digest(c.db.path) == before
    # reading still works: the counter can still look members up
    with pytest.raises(PosError) as not_found:
        find_by_card(c.db, "8800009999", now=c.now)
    assert not_found.value.code == "not_found"


READ_ONLY_CHILD = r"""
import sys
from pos_app.db.store import StoreDB, make_engine, open_store
from pos_app.errors import StorageError, StorageReadOnly

path = sys.argv[1]
try:
    open_store(path)
except StorageReadOnly as exc:
    print("open refused:", exc.message)
else:
    print("open allowed")
# a counter that had the file open before it turned read-only: a write fails cleanly
db = StoreDB(make_engine(path))
try:
    with db.write_raw() as tx:
        tx.run("UPDATE store_identity SET store_name = 'x'")
except StorageError as exc:
    print("write refused:", type(exc).__name__)
else:
    print("write allowed")
"""


def _without_privileges() -> list[str]:
    """A command prefix under which file modes bind: nothing for a normal user; for root
    (which writes through any mode) ``setpriv`` dropping every capability, checked on a
    read-only file first."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    prefix = [
        str(setpriv),
        "--inh-caps=-all",
        "--ambient-caps=-all",
        "--bounding-set=-all",
        "--",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe"
        probe.write_text("x")
        probe.chmod(0o444)
        if setpriv is not None:
            done = subprocess.run(
                [*prefix, sys.executable, "-c", f"open({str(probe)!r}, 'a')"],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0 and "PermissionError" in done.stderr:
                return prefix
    pytest.skip(
        "running as root, where chmod does not stop writes, and setpriv cannot drop "
        "root's capabilities here (the query_only test covers writes refused under root)"
    )


def test_a_read_only_database_file_is_refused_at_opening_with_a_clear_error(
    supermarket: Counter,
) -> None:
    c = supermarket
    c.db.close()
    # a folder anyone can reach (pytest's tmp_path is private to the user running it)
    folder = Path(tempfile.mkdtemp(prefix="pos-readonly-"))
    path = folder / "store.sqlite3"
    shutil.copyfile(c.db.path, path)
    before = db_digest(path)
    drop = _without_privileges()
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    try:
        child = subprocess.run(
            [*drop, sys.executable, "-c", READ_ONLY_CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode == 0, child.stderr
        assert "open refused: the store database" in child.stdout, child.stdout
        assert "is read-only" in child.stdout
        assert "write refused: Storage" in child.stdout, child.stdout
        doctor = subprocess.run(
            [*drop, sys.executable, "-m", "pos_app.cli", "doctor", "--db", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert doctor.returncode == 2
        assert doctor.stderr.startswith("error: the store database"), doctor.stderr
        assert "Traceback" not in doctor.stderr
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
    assert db_digest(path) == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    shutil.rmtree(folder)


def test_a_storage_error_is_a_pos_error_with_its_own_code() -> None:
    """The counter shows PosErrors; anything else would be an 'unexpected error' box."""
    assert issubclass(StorageFull, StorageError) and issubclass(StorageReadOnly, StorageError)
    assert issubclass(StorageError, PosError)
    assert {StorageError.code, StorageFull.code, StorageReadOnly.code} == {
        "storage",
        "storage_full",
        "storage_read_only",
    }
