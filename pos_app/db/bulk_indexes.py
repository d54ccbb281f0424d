"""Indexes a new store's first download leaves out, and puts back.

Loading a million members into a table keeps every index of it up to date row by
row, and a member's random id lands on a random page of each. The indexes nothing
in the download reads (last four digits of the phone, a store's new members, members
in debt, a card's member) are dropped while an empty store fills and built again at
the end by sorting, which is several times cheaper. The unique indexes stay: the
download's upserts rely on them.

Whatever stops a download (an error, a kill, a power cut), :func:`restore` builds
whatever is missing: the download calls it when it ends, and every
:func:`pos_app.db.store.open_store` calls it, so a store never runs for long without
them. Until then the queries that use them are slower, never wrong.
"""

from __future__ import annotations

from sqlalchemy import Connection, Index

from pos_app.db.models import Base

#: (table, index name): non-unique, read by the counter and reports, not by a download
DEFERRED = (
    ("members", "ix_members_phone_last4"),
    ("members", "ix_members_home_store_created_at"),
    ("members", "ix_members_overdrawn"),
    ("member_cards", "ix_member_cards_member_id"),
)


def _index(table: str, name: str) -> Index:
    for index in Base.metadata.tables[table].indexes:
        if index.name == name:
            return index
    raise LookupError(f"the model of {table} has no index {name}")


def _present(conn: Connection) -> set[str]:
    names = [name for _, name in DEFERRED]
    rows = conn.exec_driver_sql(
        f"SELECT name FROM sqlite_master WHERE type = 'index' "
        f"AND name IN ({', '.join('?' * len(names))})",
        tuple(names),
    )
    return {row[0] for row in rows}


def missing(conn: Connection) -> list[str]:
    """The deferred indexes the database lacks now."""
    present = _present(conn)
    return [name for _, name in DEFERRED if name not in present]


def drop(conn: Connection) -> None:
    """Drop the deferred indexes, inside the caller's transaction."""
    for table, name in DEFERRED:
        _index(table, name)  # a renamed index fails here, not silently later
    for name in [n for _, n in DEFERRED if n in _present(conn)]:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')


def restore(conn: Connection) -> list[str]:
    """Build the deferred indexes the database lacks, inside the caller's transaction
    (from the models, which the migrations match); returns their names."""
    built = missing(conn)
    for table, name in DEFERRED:
        if name in built:
            _index(table, name).create(conn)
    return built
