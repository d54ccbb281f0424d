"""Staff, PINs and roles; permission checks every service makes itself.

PINs are stored as salted scrypt hashes. Repeated failures lock the staff code
for a while. A logged-in :class:`StaffSession` is only a handle: its role is
looked up in the session registry of the open store, so code that fabricates
a session object gains nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from sqlalchemy import func, select

from pos_app.db.models import Staff
from pos_app.db.store import StoreDB
from pos_app.errors import (
    ApprovalRequired,
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    LockedOut,
    PermissionDenied,
)
from pos_app.services.audit import audit

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class Role(IntEnum):
    CASHIER = 1
    MANAGER = 2
    ADMIN = 3

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.upper()]
        except KeyError:
            raise InvalidInput(
                f"unknown role {text!r}; use cashier, manager or admin", field="role"
            ) from None


class Permission(StrEnum):
    SELL = "sell"
    REGISTER_MEMBER = "register_member"
    MANAGE_CARDS = "manage_cards"
    RETURN = "return"
    CREDIT_ACTIVITY = "credit_activity"
    ADJUST_POINTS = "adjust_points"
    APPROVE = "approve"
    RUN_EXPIRY = "run_expiry"
    REVIEW_TIERS = "review_tiers"
    MANAGE_STAFF = "manage_staff"
    INSTALL_PROGRAM = "install_program"
    MANAGE_ITEMS = "manage_items"
    MANAGE_GIFTS = "manage_gifts"
    REDEEM_GIFT = "redeem_gift"
    OPEN_DRAWER = "open_drawer"
    VIEW_REPORTS = "view_reports"
    CLOSE_DAY = "close_day"


REQUIRED_ROLE: dict[Permission, Role] = {
    Permission.SELL: Role.CASHIER,
    Permission.REGISTER_MEMBER: Role.CASHIER,
    Permission.MANAGE_CARDS: Role.CASHIER,
    Permission.RETURN: Role.CASHIER,
    Permission.CREDIT_ACTIVITY: Role.CASHIER,
    Permission.ADJUST_POINTS: Role.MANAGER,
    Permission.APPROVE: Role.MANAGER,
    Permission.RUN_EXPIRY: Role.MANAGER,
    Permission.REVIEW_TIERS: Role.MANAGER,
    Permission.MANAGE_STAFF: Role.ADMIN,
    Permission.INSTALL_PROGRAM: Role.ADMIN,
    Permission.MANAGE_ITEMS: Role.MANAGER,
    Permission.MANAGE_GIFTS: Role.MANAGER,
    Permission.REDEEM_GIFT: Role.CASHIER,
    Permission.OPEN_DRAWER: Role.MANAGER,
    Permission.VIEW_REPORTS: Role.MANAGER,
    Permission.CLOSE_DAY: Role.MANAGER,
}


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    code: str
    name: str
    role: Role
    token: str


class SessionRegistry:
    """Live sessions of one open store (token -> staff id and role)."""

    def __init__(self) -> None:
        self._live: dict[str, tuple[str, Role]] = {}
        self._lock = threading.Lock()

    def add(self, staff: Staff) -> StaffSession:
        token = secrets.token_urlsafe(24)
        role = Role.parse(staff.role)
        with self._lock:
            self._live[token] = (staff.id, role)
        return StaffSession(staff.id, staff.code, staff.name, role, token)

    def role_of(self, session: StaffSession) -> Role | None:
        with self._lock:
            live = self._live.get(session.token)
        if live is None or live[0] != session.staff_id:
            return None
        return live[1]

    def end(self, session: StaffSession) -> None:
        with self._lock:
            self._live.pop(session.token, None)


def sessions(db: StoreDB) -> SessionRegistry:
    registry: SessionRegistry = db.cached("sessions", SessionRegistry)
    return registry


def authorize(db: StoreDB, actor: StaffSession | None, permission: Permission) -> Role:
    """Raise unless ``actor`` is a live session whose role allows ``permission``."""
    if not isinstance(actor, StaffSession):
        raise PermissionDenied("log in first")
    role = sessions(db).role_of(actor)
    if role is None:
        raise PermissionDenied("this login has ended; log in again")
    if role < REQUIRED_ROLE[permission]:
        need = REQUIRED_ROLE[permission].name.lower()
        article = "an" if need[0] in "aeiou" else "a"
        raise PermissionDenied(f"{permission.value.replace('_', ' ')} needs {article} {need}")
    return role


def require_approval(db: StoreDB, approver: StaffSession | None, what: str) -> StaffSession:
    """A manager's approval for ``what``; the approver must be a live manager session."""
    if approver is None:
        raise ApprovalRequired(f"{what} needs a manager's approval")
    authorize(db, approver, Permission.APPROVE)
    return approver


# PIN hashing -------------------------------------------------------------------
def _check_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or not pin.isdigit() or not pin.isascii() or not 4 <= len(pin) <= 8:
        raise InvalidInput("a PIN is 4 to 8 digits", field="pin")


def hash_pin(pin: str) -> str:
    _check_pin_format(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    enc = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(actual, base64.b64decode(digest))


_DUMMY_HASH = f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${'A' * 22}==${'A' * 86}=="


# Services ----------------------------------------------------------------------
def create_staff(
    db: StoreDB,
    *,
    actor: StaffSession | None,
    code: str,
    name: str,
    role: str,
    pin: str,
    now: dt.datetime,
) -> str:
    """Add a staff member. The very first one (an admin) needs no actor: that is set-up."""
    code = code.strip()
    if not code.isalnum() or not 1 <= len(code) <= 16:
        raise InvalidInput("a staff code is 1 to 16 letters or digits", field="code")
    if not name.strip():
        raise InvalidInput("enter the staff member's name", field="name")
    parsed = Role.parse(role)
    pin_hash = hash_pin(pin)
    with db.write() as s:
        count = s.scalar(select(func.count()).select_from(Staff))
        if count:
            authorize(db, actor, Permission.MANAGE_STAFF)
        elif parsed is not Role.ADMIN:
            raise InvalidInput("the first staff member must be an admin", field="role")
        if s.scalar(select(Staff.id).where(Staff.code == code)):
            raise Conflict(f"staff code {code!r} is taken", field="code")
        staff = Staff(
            id=str(uuid.uuid4()),
            code=code,
            name=name.strip(),
            role=parsed.name.lower(),
            pin_hash=pin_hash,
            failed_attempts=0,
            active=True,
            created_at=now,
        )
        s.add(staff)
        s.flush()
        audit(s, actor.staff_id if actor else None, "staff.create", code, {"role": staff.role}, now)
        return staff.id


def login(db: StoreDB, *, code: str, pin: str, now: dt.datetime) -> StaffSession:
    """Check a staff code and PIN; lock the code after repeated failures."""
    failure = AuthenticationFailed("wrong staff number or PIN")
    if not isinstance(pin, str) or not isinstance(code, str):
        raise failure
    error: AuthenticationFailed | None = None
    with db.write() as s:
        staff = s.scalar(select(Staff).where(Staff.code == code.strip()))
        if staff is None or not staff.active:
            # same slow hash as a real check, so timing does not tell which codes exist
            verify_pin(pin, _DUMMY_HASH)
            audit(s, None, "login.failed", code.strip()[:80], {"why": "unknown"}, now)
            error = failure
        elif staff.locked_until is not None and staff.locked_until > now:
            minutes = max(1, -(-int((staff.locked_until - now).total_seconds()) // 60))
            error = LockedOut(f"too many wrong PINs; try again in {minutes} min or ask a manager")
        elif not verify_pin(pin, staff.pin_hash):
            # the failure count must persist, so the error is raised after the commit
            staff.failed_attempts += 1
            details = {"attempts": staff.failed_attempts}
            if staff.failed_attempts >= MAX_FAILURES:
                staff.locked_until = now + LOCKOUT
                staff.failed_attempts = 0
                audit(s, staff.id, "login.locked", staff.code, details, now)
                error = LockedOut(f"too many wrong PINs; locked for {LOCKOUT.seconds // 60} min")
            else:
                audit(s, staff.id, "login.failed", staff.code, details, now)
                error = failure
        else:
            staff.failed_attempts = 0
            staff.locked_until = None
            audit(s, staff.id, "login", staff.code, {}, now)
            session = sessions(db).add(staff)
    if error is not None:
        raise error
    return session


def logout(db: StoreDB, session: StaffSession) -> None:
    sessions(db).end(session)
