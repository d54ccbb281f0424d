"""Plain SQL on the store database for the hot paths (look-up, checkout, ledger).

The ORM owns the schema and the rarely-run services; the paths a cashier
waits on run hand-written SQL on the DBAPI connection of the same transaction,
because ``pos-app bench`` holds them to a small multiple of raw ``sqlite3``.
Values are stored exactly as SQLAlchemy stores them (datetimes as naive UTC
text with microseconds), so both sides read each other's rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pos_app.errors import StorageError, StorageFull, StorageReadOnly


def to_db(value: dt.datetime) -> str:
    """Aware datetime -> the UTC text SQLAlchemy's SQLite DateTime stores."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware one")
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff", as strftime would write it at 1.5x the cost (a
    # bootstrap formats a million of them)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def from_db(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


class Tx:
    """Raw SQL inside the caller's transaction (a write session or a read connection)."""

    def __init__(self, conn: sqlite3.Connection, session: Session | None = None) -> None:
        self.conn = conn
        self.session = session

    @classmethod
    def of(cls, session: Session) -> Tx:
        """The DBAPI connection under ``session`` (starting its transaction if needed).

        Pending ORM changes are flushed first so raw SQL sees them.
        """
        if session.new or session.dirty or session.deleted:
            session.flush()
        driver = session.connection().connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return cls(driver, session)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params).fetchone()

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def run_many(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, params)


@contextmanager
def read_tx(engine: Any) -> Iterator[Tx]:
    """A short read transaction on a pooled connection, without ORM overhead."""
    with storage_errors():
        raw = engine.raw_connection()
        try:
            conn = raw.driver_connection
            conn.execute("BEGIN")
            try:
                yield Tx(conn)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        finally:
            raw.close()


# SQLite result codes that mean the file itself cannot be used, not a bad statement
_READ_ONLY = ("SQLITE_READONLY", "SQLITE_PERM")
_BROKEN = ("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_NOLFS")


def storage_error(exc: BaseException) -> StorageError | None:
    """The cashier's error for a failure of the database file (disk full, read-only,
    unreadable), or None when ``exc`` is something else (a bug stays a bug)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.Error):
        return None
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    text = str(orig).lower()
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return StorageFull(
            "no space left for the store database; ask the manager to free disk space, "
            "then try again (nothing was saved)"
        )
    if name.startswith(_READ_ONLY) or "readonly database" in text:
        return StorageReadOnly(
            "the store database cannot be written; ask the manager to check the file, "
            "its folder and the disk (nothing was saved)"
        )
    if name.startswith(_BROKEN) or "disk i/o error" in text or "unable to open" in text:
        return StorageError(
            f"the store database failed ({orig}); ask the manager to check the disk "
            "(nothing was saved)"
        )
    return None


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn a failure of the database file into a :class:`StorageError` (a PosError the
    counter shows), leaving every other error as it is."""
    try:
        yield
    except (sqlite3.Error, DBAPIError) as exc:
        error = storage_error(exc)
        if error is None:
            raise
        raise error from exc
