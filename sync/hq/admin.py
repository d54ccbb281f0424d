"""What the chain's IT staff do at HQ: stores, devices and their tokens, the program,
the gift catalogue and stock, member imports, the sync status and the books check.

Tokens are shown once, when issued, and stored only as their sha256. Every change
stores must see goes into the change feed in the same transaction that makes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from pos_app.cards import normalise_card
from pos_app.errors import Conflict, InvalidInput, NotFound, PosError
from pos_app.phone import normalise_phone
from pos_app.program import Program
from pos_app.program.loader import load_program_file, load_program_json, load_program_text
from pos_app.services.gifts import parse_catalogue
from sync.hq import models
from sync.hq.app import token_hash
from sync.hq.service import _member_change, feed, head


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _code(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if not value.isascii() or not value.isalnum() or not 1 <= len(value) <= 16:
        raise InvalidInput("use 1 to 16 letters or digits", field=field)
    return value


def add_store(
    engine: Engine, *, code: str, name: str, now: dt.datetime, exist_ok: bool = False
) -> str:
    code = _code(code, "code")
    if not name or not name.strip():
        raise InvalidInput("give the store a name", field="name")
    with engine.begin() as conn:
        inserted = conn.execute(
            text(
                "INSERT INTO hq_stores (code, name, active, created_at) "
                "VALUES (:code, :name, TRUE, :now) ON CONFLICT (code) DO NOTHING"
            ),
            {"code": code, "name": name.strip()[:120], "now": _naive(now)},
        ).rowcount
    if not inserted and not exist_ok:
        raise Conflict(f"store {code} already exists", field="code")
    return code


def set_store_active(engine: Engine, code: str, active: bool) -> None:
    with engine.begin() as conn:
        changed = conn.execute(
            text("UPDATE hq_stores SET active = :active WHERE code = :code"),
            {"active": active, "code": _code(code, "code")},
        ).rowcount
    if not changed:
        raise NotFound(f"no store {code}", field="code")


def add_device(engine: Engine, *, store_code: str, device_code: str, now: dt.datetime) -> str:
    """Register a till and return its token (shown this once; HQ keeps only a hash).

    Registering an existing device again issues it a new token (the old one stops working).
    """
    store_code, device_code = _code(store_code, "store"), _code(device_code, "device")
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        if (
            conn.execute(
                text("SELECT 1 FROM hq_stores WHERE code = :code"), {"code": store_code}
            ).scalar()
            is None
        ):
            raise NotFound(f"no store {store_code}; add the store first", field="store")
        updated = conn.execute(
            text(
                "UPDATE hq_devices SET token_hash = :hash, active = TRUE "
                "WHERE store_code = :store AND device_code = :device"
            ),
            {"hash": token_hash(token), "store": store_code, "device": device_code},
        ).rowcount
        if not updated:
            conn.execute(
                text(
                    "INSERT INTO hq_devices (store_code, device_code, token_hash, active, "
                    "created_at, acked_seq, last_cursor) VALUES (:store, :device, :hash, TRUE, "
                    ":now, 0, 0)"
                ),
                {
                    "store": store_code,
                    "device": device_code,
                    "hash": token_hash(token),
                    "now": _naive(now),
                },
            )
    return token


def set_device_active(engine: Engine, store_code: str, device_code: str, active: bool) -> None:
    with engine.begin() as conn:
        changed = conn.execute(
            text(
                "UPDATE hq_devices SET active = :active "
                "WHERE store_code = :store AND device_code = :device"
            ),
            {
                "active": active,
                "store": _code(store_code, "store"),
                "device": _code(device_code, "device"),
            },
        ).rowcount
    if not changed:
        raise NotFound(f"no device {store_code}/{device_code}", field="device")


@dataclass(frozen=True)
class StoreRow:
    code: str
    name: str
    active: bool
    devices: int


def list_stores(engine: Engine) -> list[StoreRow]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.code, s.name, s.active, COUNT(d.id) AS devices FROM hq_stores s "
                "LEFT JOIN hq_devices d ON d.store_code = s.code "
                "GROUP BY s.code, s.name, s.active ORDER BY s.code"
            )
        ).all()
    return [StoreRow(r.code, r.name, bool(r.active), int(r.devices)) for r in rows]


@dataclass(frozen=True)
class Discrepancy:
    member_id: str
    balance: int
    ledger_sum: int


def reconcile(engine: Engine) -> list[Discrepancy]:
    """Members whose balance differs from the sum of their ledger entries (none, normally)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.id, m.balance, COALESCE(SUM(l.points), 0) AS total "
                "FROM hq_members m LEFT JOIN hq_ledger l ON l.member_id = m.id "
                "GROUP BY m.id, m.balance HAVING m.balance != COALESCE(SUM(l.points), 0)"
            )
        ).all()
    return [Discrepancy(r.id, int(r.balance), int(r.total)) for r in rows]
