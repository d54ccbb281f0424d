"""Alembic environment for the store database.

The app runs migrations itself on open (``pos_app.db.store.migrate``) and hands
its connection over in ``config.attributes["connection"]``; the ``alembic``
command line works too, with ``-x db=PATH``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pos_app.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    db = context.get_x_argument(as_dictionary=True).get("db", "store.sqlite3")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        _run(conn)
