"""Opening the store database: SQLite tuned for a till, migrated on open.

* WAL so the kiosk and reports read while the counter writes;
* ``synchronous=FULL`` so a committed sale survives power loss;
* ``foreign_keys=ON`` and a busy timeout;
* write transactions start with ``BEGIN IMMEDIATE`` so two writers never
  deadlock on a lock upgrade; reads use plain deferred transactions;
* a full disk, a read-only or unreadable file is a :class:`StorageError` the
  counter can show (``storage_errors``), never a half-written sale;
* a new database file and the folder made for it are owner-only.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from pos_app.db.raw import Tx, storage_errors
from pos_app.errors import StorageReadOnly

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    """The newest migration, as Alembic sees it."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


_REVISION = re.compile(r'^(down_revision|revision) = "([^"]*)"', re.M)


@lru_cache(maxsize=1)
def script_head() -> str | None:
    """The newest migration read straight from the scripts (a chain: the revision no other
    script names as its parent). Opening an up-to-date store then never imports Alembic,
    about a quarter of a second of the counter's start; ``None`` if the scripts are not a
    simple chain (then Alembic decides)."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION.findall(script.read_text("utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", ""))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        known = driver.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if known is None:
            return None
        row = driver.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (Alembic), in one transaction."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is unreliable).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: str | Path) -> Engine:
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{Path(path)}"
    engine = create_engine(url)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class StoreDB:
    """The store database: a migrated engine and read/write transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writer = sessionmaker(
            engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        self._cache: dict[str, Any] = {}
        self._cache_lock = threading.Lock()

    @property
    def path(self) -> str:
        return self.engine.url.database or ":memory:"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with storage_errors(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def write_raw(self) -> Iterator[Tx]:
        """A write transaction on a pooled DBAPI connection, for the hot paths that
        run plain SQL (checkout): ``BEGIN IMMEDIATE``, then commit or roll back."""
        with storage_errors():
            raw = self.engine.raw_connection()
            try:
                conn = raw.driver_connection
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Tx(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a full disk does): a second
                    # ROLLBACK would fail and hide the reason
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                raw.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with storage_errors(), self._reader() as session, session.begin():
            yield session

    def cached(self, key: str, make: Any) -> Any:
        """Small cache for parsed, immutable things (program versions)."""
        with self._cache_lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    def close(self) -> None:
        self.engine.dispose()


def open_store(path: str | Path) -> StoreDB:
    """Open (creating if needed) and migrate the store database at ``path``.

    A database that cannot be written is refused here (:class:`StorageReadOnly`),
    before a cashier rings up a sale that could not be saved."""
    if str(path) != ":memory:":
        _prepare_file(Path(path))
    with storage_errors():
        engine = make_engine(path)
        current = current_revision(engine)
        if current is None or current != (script_head() or head_revision()):
            migrate(engine)
        _restore_indexes(engine)
    return StoreDB(engine)


def _restore_indexes(engine: Engine) -> None:
    """Indexes a download stopped before putting back (:mod:`pos_app.db.bulk_indexes`)."""
    from pos_app.db import bulk_indexes

    with engine.connect() as conn:
        if not bulk_indexes.missing(conn):
            return
    with engine.connect() as conn, conn.execution_options(sqlite_begin="IMMEDIATE").begin():
        built = bulk_indexes.restore(conn)
    if built:
        logging.getLogger(__name__).warning(
            "indexes left out by an unfinished download were built again: %s", ", ".join(built)
        )


def _prepare_file(path: Path) -> None:
    """Create a new database file owner-only (SQLite gives its -wal and -shm files the
    same mode), in an owner-only folder when the folder is new; or check that an
    existing one can be written, file and folder (where -wal and -shm live)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)  # whatever the umask
    elif not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise StorageReadOnly(
            f"the store database {path} is read-only (the file or its folder cannot be "
            "written), so no sale could be saved. Ask the manager to check its permissions "
            "and the disk"
        )
