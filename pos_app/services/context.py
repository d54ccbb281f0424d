"""What every service needs inside its transaction: who we are and which program runs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pos_app.db.models import ProgramVersion, StoreIdentity
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InvalidInput, NotFound
from pos_app.program import Program, load_program_json


@dataclass(frozen=True)
class Context:
    store_code: str
    device_code: str
    program: Program


def identity(s: Session) -> StoreIdentity:
    row = s.get(StoreIdentity, 1)
    if row is None:
        raise NotFound("this store is not set up yet; run the set-up first (pos-app init)")
    return row


def active_program(db: StoreDB, s: Session) -> Program:
    row = s.scalar(select(ProgramVersion).where(ProgramVersion.active.is_(True)))
    if row is None:
        raise NotFound("no points program is installed; load one first")
    program: Program = db.cached(
        f"program:{row.digest}", lambda: load_program_json(row.definition_json)
    )
    return program


def context(db: StoreDB, s: Session) -> Context:
    ident = identity(s)
    return Context(ident.store_code, ident.device_code, active_program(db, s))


def next_receipt_no(s: Session, prefix: str, business_day: dt.date) -> str:
    """``S-<store>-<device>-<seq>``: unique per device, readable, scannable (Code128)."""
    seq = s.execute(
        update(StoreIdentity)
        .where(StoreIdentity.id == 1)
        .values(receipt_seq=StoreIdentity.receipt_seq + 1)
        .returning(StoreIdentity.receipt_seq, StoreIdentity.store_code, StoreIdentity.device_code)
    ).one()
    return f"{prefix}{seq.store_code}-{seq.device_code}-{business_day:%y%m%d}-{seq.receipt_seq:06d}"


def init_store(
    db: StoreDB, *, store_code: str, store_name: str, device_code: str, now: dt.datetime
) -> None:
    """Give this database its store and device identity (once)."""
    for field, value in (("store_code", store_code), ("device_code", device_code)):
        if not value.isalnum() or not 1 <= len(value) <= 16:
            raise InvalidInput("use 1 to 16 letters or digits", field=field)
    if not store_name.strip():
        raise InvalidInput("enter the store's name", field="store_name")
    with db.write() as s:
        if s.get(StoreIdentity, 1) is not None:
            raise Conflict("this store database is already set up")
        s.add(
            StoreIdentity(
                id=1,
                store_code=store_code.upper(),
                store_name=store_name.strip(),
                device_code=device_code.upper(),
                device_id=str(uuid.uuid4()),
                created_at=now,
                receipt_seq=0,
                outbox_seq=0,
            )
        )
