"""HQ tests run on the real PostgreSQL at 127.0.0.1:5432 (database ``test``, user
postgres, trust), each test in a schema of its own that is dropped afterwards.

Without PostgreSQL they skip, saying why; with ``POS_REQUIRE_PG=1`` (CI) they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from sync.hq.admin import add_device, add_store
from sync.hq.db import open_hq
from tests.ui.conftest import window_factory  # noqa: F401 - a fixture for the sync UI tests

PG_URL = os.environ.get("POS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _require_pg() -> Engine:
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL is not reachable at {PG_URL}: {exc.orig}"
        if os.environ.get("POS_REQUIRE_PG") == "1":
            pytest.fail(f"POS_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    return admin


@pytest.fixture
def pg_schema_url() -> Iterator[tuple[str, dict[str, object]]]:
    """(url, connect_args) for a fresh, empty schema of its own."""
    admin = _require_pg()
    schema = f"hq_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield PG_URL, {"options": f"-csearch_path={schema}"}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def hq(pg_schema_url: tuple[str, dict[str, object]]) -> Iterator[Engine]:
    """A migrated HQ database on PostgreSQL."""
    url, args = pg_schema_url
    engine = open_hq(url, connect_args=args)
    yield engine
    engine.dispose()


TokenFactory = Callable[[str, str], str]


@pytest.fixture
def device_token(hq: Engine) -> TokenFactory:
    """``device_token("S01", "T1")``: registers the store (once) and the device; its token."""

    def make(store: str, device: str) -> str:
        add_store(hq, code=store, name=f"门店 {store}", now=NOW, exist_ok=True)
        return add_device(hq, store_code=store, device_code=device, now=NOW)

    return make


@pytest.fixture
def hq_cli_url(hq: Engine, pg_schema_url: tuple[str, dict[str, object]]) -> str:
    """A ``--db`` URL for the ``hq`` fixture's schema (its search_path in the URL's query)."""
    url, args = pg_schema_url
    return (
        make_url(url)
        .update_query_dict({"options": str(args["options"])})
        .render_as_string(hide_password=False)
    )
