"""What every service needs inside its transaction: who we are and which program runs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pos_app.db.models import StoreIdentity
from pos_app.db.raw import Tx
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
        raise NotFound(NOT_SET_UP)
    return row


NOT_SET_UP = "this store is not set up yet; run the set-up first (pos-app init)"


def active_program(db: StoreDB, tx: Tx) -> Program:
    """The active program, parsed once per version (the digest is checked every time)."""
    digest = tx.value("SELECT digest FROM program_versions WHERE active = 1")
    if digest is None:
        raise NotFound("no points program is installed; load one first")

    def parse() -> Program:
        text = tx.value("SELECT definition_json FROM program_versions WHERE digest = ?", (digest,))
        return load_program_json(text)

    program: Program = db.cached(f"program:{digest}", parse)
    return program


def context(db: StoreDB, source: Session | Tx) -> Context:
    """Store identity (cached: it never changes once set) and the active program."""
    tx = source if isinstance(source, Tx) else Tx.of(source)

    def load_identity() -> tuple[str, str]:
        row = tx.row("SELECT store_code, device_code FROM store_identity WHERE id = 1")
        if row is None:
            raise NotFound(NOT_SET_UP)
        return row[0], row[1]

    store_code, device_code = db.cached("identity", load_identity)
    return Context(store_code, device_code, active_program(db, tx))


def next_receipt_no(tx: Tx, prefix: str = "") -> str:
    """``S01-D1-000042`` (returns: ``R-S01-D1-000043``): unique per device, short enough to
    type at the returns desk, printed as a Code128 barcode on the receipt."""
    seq, store_code, device_code = tx.row(
        "UPDATE store_identity SET receipt_seq = receipt_seq + 1 WHERE id = 1 "
        "RETURNING receipt_seq, store_code, device_code"
    )
    return f"{prefix}{store_code}-{device_code}-{seq:06d}"


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
