"""Members' kiosk PINs: set at the counter by staff, checked at the kiosk with a lockout.

A PIN is stored only as a slow salted hash (:func:`pos_app.services.auth.hash_pin`);
the PIN itself is never logged, audited or sent anywhere. Setting one writes a
``member.pin_set`` outbox event carrying the hash, so a kiosk on another machine
(a pull-only node) receives it through HQ's feed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.db.raw import Tx, from_db, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize, hash_pin
from pos_app.services.outbox import emit

PIN_MIN, PIN_MAX = 4, 6
#: wrong PINs in a row before the member is locked out of the kiosk
MAX_PIN_FAILURES = 5
PIN_LOCKOUT = dt.timedelta(minutes=15)


def check_kiosk_pin(pin: str, repeat: str | None = None) -> str:
    """A kiosk PIN is 4 to 6 digits; ``repeat`` (the second entry) must match."""
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        raise InvalidInput("a kiosk PIN is 4 to 6 digits", field="pin")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise InvalidInput("a kiosk PIN is 4 to 6 digits", field="pin")
    if len(set(pin)) == 1:
        raise InvalidInput("choose a PIN that is not one digit repeated", field="pin")
    if repeat is not None and repeat != pin:
        raise InvalidInput("the two PINs differ; type the same PIN twice", field="pin_repeat")
    return pin


def store_pin_hash(tx: Tx, member_id: str, pin_hash: str | None, now: dt.datetime) -> None:
    """Keep a PIN hash on the member and forget earlier wrong PINs (a new PIN, a fresh start)."""
    tx.run(
        "UPDATE members SET pin_hash = ?, updated_at = ? WHERE id = ?",
        (pin_hash, to_db(now), member_id),
    )
    tx.run("DELETE FROM kiosk_pin_state WHERE member_id = ?", (member_id,))


def set_member_pin(
    db: StoreDB,
    *,
    actor: StaffSession,
    member_id: str,
    pin: str,
    repeat: str | None = None,
    now: dt.datetime,
) -> None:
    """Set or reset a member's kiosk PIN (a cashier at the counter, the member present)."""
    authorize(db, actor, Permission.REGISTER_MEMBER)
    pin_hash = hash_pin(check_kiosk_pin(pin, repeat))
    with db.write() as s:
        tx = Tx.of(s)
        if tx.value("SELECT 1 FROM members WHERE id = ?", (member_id,)) is None:
            raise NotFound("no such member", field="member")
        store_pin_hash(tx, member_id, pin_hash, now)
        emit(
            tx,
            "member.pin_set",
            {"member_id": member_id, "pin_hash": pin_hash, "set_at": now.isoformat()},
            now,
        )
        audit(s, actor.staff_id, "member.pin_set", member_id, {}, now)


@dataclass(frozen=True)
class PinState:
    failed_attempts: int
    locked_until: dt.datetime | None

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def pin_state(tx: Tx, member_id: str) -> PinState:
    row = tx.row(
        "SELECT failed_attempts, locked_until FROM kiosk_pin_state WHERE member_id = ?",
        (member_id,),
    )
    if row is None:
        return PinState(0, None)
    return PinState(int(row[0]), from_db(row[1]))


def record_pin_failure(tx: Tx, member_id: str, now: dt.datetime) -> PinState:
    """Count a wrong PIN; the last allowed one locks the member out for :data:`PIN_LOCKOUT`."""
    state = pin_state(tx, member_id)
    attempts = state.failed_attempts + 1
    locked_until = None
    if attempts >= MAX_PIN_FAILURES:
        locked_until, attempts = now + PIN_LOCKOUT, 0
    tx.run(
        "INSERT INTO kiosk_pin_state (member_id, failed_attempts, locked_until, updated_at) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id) DO UPDATE SET "
        "failed_attempts = ?2, locked_until = ?3, updated_at = ?4",
        (member_id, attempts, None if locked_until is None else to_db(locked_until), to_db(now)),
    )
    return PinState(attempts, locked_until)


def clear_pin_failures(tx: Tx, member_id: str) -> None:
    tx.run("DELETE FROM kiosk_pin_state WHERE member_id = ?", (member_id,))
