"""Alembic environment for the HQ database (PostgreSQL, or SQLite for the demo).

``sync.hq.db.migrate`` hands its connection over in
``config.attributes["connection"]``; the ``alembic`` command line works too,
with ``-x url=postgresql+psycopg://...``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from sync.hq.models import HQBase

config = context.config
target_metadata = HQBase.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        version_table="hq_alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///hq.sqlite3")
    with create_engine(url).connect() as conn:
        _run(conn)
