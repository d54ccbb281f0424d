"""Store databases for the sync tests: copies of the set-up template under other codes."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from pos_app.db.store import open_store
from pos_app.program import bundled_program
from pos_app.services import remote
from pos_app.services.auth import login
from sync.client import HQClient
from sync.runner import RoundResult, sync_round
from tests.conftest import QUIET_DAY, Counter, _template


def make_store(folder: Path, store_code: str, device_code: str, hq_url: str | None) -> Counter:
    program = bundled_program("supermarket")
    path = folder / f"{store_code}-{device_code}.sqlite3"
    shutil.copyfile(_template(program, QUIET_DAY), path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "UPDATE store_identity SET store_code = ?, device_code = ? WHERE id = 1",
            (store_code, device_code),
        )
        conn.commit()
    db = open_store(path)
    if hq_url is not None:
        remote.set_hq_url(db, hq_url)
    now = QUIET_DAY
    return Counter(
        db=db,
        program=program,
        admin=login(db, code="9", pin="9999", now=now),
        manager=login(db, code="2", pin="2222", now=now),
        cashier=login(db, code="1", pin="1111", now=now),
        now=now,
    )


def sync(store: Counter, url: str, token: str) -> RoundResult:
    with HQClient(url, token, timeout=10) as client:
        return sync_round(store.db, client, clock=lambda: store.now)
