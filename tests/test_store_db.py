"""The store database: pragmas, migrations on open, schema in step with the models."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from pos_app.db.models import Base
from pos_app.db.store import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    open_store,
    script_head,
)


def test_new_database_is_migrated_and_tuned(tmp_path: Path) -> None:
    db = open_store(tmp_path / "new" / "store.sqlite3")
    with db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 5000,
    }
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_models_and_migrations_describe_the_same_schema(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.sqlite3")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.close()
    assert diff == [], f"models differ from migrations; add a migration: {diff}"


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("revision", _revisions())
def test_database_at_an_older_revision_is_upgraded_on_open(tmp_path: Path, revision: str) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    migrate(engine, revision)
    engine.dispose()
    db = open_store(path)
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_opening_twice_is_harmless_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO tiers (code, rank, name, name_en, qualify_spend_fen, upgrade_bonus)"
        " VALUES ('x', 0, 'X', 'X', 0, 0)"
    )
    conn.commit()
    conn.close()
    db = open_store(path)
    with db.engine.connect() as conn2:
        assert conn2.exec_driver_sql("SELECT code FROM tiers").scalars().all() == ["x"]
    db.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.sqlite3")
    with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO member_cards (card_no, member_id, status, issued_at) "
            "VALUES ('1234', 'no-such-member', 'active', '2026-01-01 00:00:00.000000')"
        )
    db.close()


def test_a_failed_write_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.sqlite3")
    with pytest.raises(RuntimeError), db.write_raw() as tx:
        tx.run(
            "INSERT INTO tiers (code, rank, name, name_en, qualify_spend_fen, upgrade_bonus)"
            " VALUES ('x', 0, 'X', 'X', 0, 0)"
        )
        raise RuntimeError("crash in the middle")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM tiers").scalar() == 0
    db.close()


def test_the_scripts_head_read_directly_is_alembics_head() -> None:
    assert script_head() == head_revision()


def test_opening_an_up_to_date_store_does_not_load_alembic(tmp_path: Path) -> None:
    """Alembic costs about a quarter of a second of the counter's start; it is needed
    only when a migration has to run."""
    path = tmp_path / "store.sqlite3"
    open_store(path).close()  # created and migrated (Alembic runs here)
    probe = (
        "import sys; from pos_app.db.store import open_store; "
        f"open_store({str(path)!r}).close(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _index_sql(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
    return dict(rows)


def test_indexes_a_download_left_out_are_built_again_on_open(tmp_path: Path) -> None:
    """A first download drops the indexes it does not read; killed before putting them
    back, the store gets them on its next opening, exactly as the migrations made them."""
    from pos_app.db import bulk_indexes

    path = tmp_path / "store.sqlite3"
    db = open_store(path)
    migrated = _index_sql(path)
    with db.engine.connect() as conn, conn.begin():
        bulk_indexes.drop(conn)
    with db.engine.connect() as conn:
        assert sorted(bulk_indexes.missing(conn)) == sorted(n for _, n in bulk_indexes.DEFERRED)
    db.close()
    assert set(migrated) - set(_index_sql(path)) == {n for _, n in bulk_indexes.DEFERRED}
    open_store(path).close()
    assert _index_sql(path) == migrated
