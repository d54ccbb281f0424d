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

from sqlalchemy.orm import Session

_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_db(value: dt.datetime) -> str:
    """Aware datetime -> the UTC text SQLAlchemy's SQLite DateTime stores."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware one")
    return value.astimezone(dt.UTC).strftime(_FORMAT)


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
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("BEGIN")
        try:
            yield Tx(conn)
        finally:
            conn.execute("COMMIT")
    finally:
        raw.close()
