"""The member self-service kiosk: who may see what, and what they see.

A member gets in with a card (having the card is enough) or with a phone number
and a kiosk PIN (:mod:`pos_app.services.member_pin`). Guessing is slowed twice:
each member is locked out after a few wrong PINs, and each kiosk stops looking
members up for a while after a few failed look-ups of any kind. Both counters
live in the database, so restarting the kiosk does not reset them.

What the member sees (:class:`KioskView`) is built here, from the ledger, the
lots and the gift catalogue; names and phones are masked. Everything takes
``now`` and dates are local to the program's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.cards import normalise_card
from pos_app.db.raw import Tx, from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from pos_app.phone import mask_name, mask_phone, normalise_phone
from pos_app.program import Program
from pos_app.program.expiry import add_months
from pos_app.services.audit import audit
from pos_app.services.auth import Role, login, logout, sessions, verify_pin
from pos_app.services.context import Context, context
from pos_app.services.gifts import list_gifts
from pos_app.services.ledger import points_state
from pos_app.services.member_pin import (
    MAX_PIN_FAILURES,
    clear_pin_failures,
    pin_state,
    record_pin_failure,
)
from pos_app.services.tiers import qualifying_spend

#: failed look-ups a kiosk may have within LOOKUP_WINDOW before it cools down
MAX_LOOKUP_FAILURES = 5
LOOKUP_WINDOW = dt.timedelta(minutes=1)
LOOKUP_COOLDOWN = dt.timedelta(minutes=2)
HISTORY_PAGE = 5
CHART_MONTHS = 12
EXPIRY_SOON_DAYS, EXPIRY_LATER_DAYS = 30, 90
MAX_GIFTS = 12
#: hashed when a phone has no member or no PIN, so timing does not tell which phones exist
_DUMMY_HASH = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
)


class KioskRefused(AuthenticationFailed):
    """The kiosk will not show a member. ``reason`` says why, for the member's language:

    ``unknown`` (no such card, or phone and PIN do not match), ``card_blocked``,
    ``inactive`` (membership frozen or closed), ``pin_locked`` (too many wrong PINs for
    this member), ``cooldown`` (too many failed look-ups at this kiosk).
    ``wait_s``: how long a lockout lasts; ``attempts_left``: wrong PINs before the lockout.
    """

    def __init__(
        self, reason: str, message: str, *, wait_s: int = 0, attempts_left: int | None = None
    ) -> None:
        super().__init__(message, field="kiosk")
        self.reason = reason
        self.wait_s = wait_s
        self.attempts_left = attempts_left

    @property
    def wait_minutes(self) -> int:
        return max(1, -(-self.wait_s // 60))


# Look-up rate limit ---------------------------------------------------------------------
def _seconds(delta: dt.timedelta) -> int:
    return max(1, int(-(-delta.total_seconds() // 1)))


def _check_cooldown(tx: Tx, kiosk: str, now: dt.datetime) -> None:
    until = from_db(
        tx.value("SELECT blocked_until FROM kiosk_lookup_guard WHERE kiosk = ?", (kiosk,))
    )
    if until is not None and until > now:
        raise KioskRefused(
            "cooldown",
            "too many failed look-ups at this kiosk; please wait",
            wait_s=_seconds(until - now),
        )


def _record_lookup_failure(tx: Tx, kiosk: str, now: dt.datetime) -> None:
    row = tx.row("SELECT failures, window_start FROM kiosk_lookup_guard WHERE kiosk = ?", (kiosk,))
    failures, start = (0, now) if row is None else (int(row[0]), from_db(row[1]) or now)
    if now - start > LOOKUP_WINDOW:
        failures, start = 0, now
    failures += 1
    blocked = None
    if failures >= MAX_LOOKUP_FAILURES:
        blocked, failures, start = now + LOOKUP_COOLDOWN, 0, now
    tx.run(
        "INSERT INTO kiosk_lookup_guard (kiosk, failures, window_start, blocked_until) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kiosk) DO UPDATE SET failures = ?2, "
        "window_start = ?3, blocked_until = COALESCE(?4, kiosk_lookup_guard.blocked_until)",
        (kiosk, failures, to_db(start), None if blocked is None else to_db(blocked)),
    )


def _kiosk_key(kiosk: str) -> str:
    key = kiosk.strip()[:64] if isinstance(kiosk, str) else ""
    if not key:
        raise InvalidInput("the kiosk needs a name", field="kiosk")
    return key


# Getting in -------------------------------------------------------------------------------
def _active(tx: Tx, member_id: str) -> None:
    status = tx.value("SELECT status FROM members WHERE id = ?", (member_id,))
    if status != "active":
        raise KioskRefused("inactive", f"this membership is {status}; please ask at the counter")


def enter_by_card(db: StoreDB, *, kiosk: str, card: str, now: dt.datetime) -> str:
    """The member id for a scanned card. Bad scans are refused without counting; an
    unknown or blocked card counts as a failed look-up of this kiosk."""
    key = _kiosk_key(kiosk)
    card_no = normalise_card(card)
    refused: KioskRefused | None = None
    with db.write() as s:
        tx = Tx.of(s)
        _check_cooldown(tx, key, now)
        row = tx.row("SELECT member_id, status FROM member_cards WHERE card_no = ?", (card_no,))
        if row is None or row[1] != "active":
            _record_lookup_failure(tx, key, now)
            refused = (
                KioskRefused("unknown", "this card is not known here")
                if row is None
                else KioskRefused("card_blocked", "this card is no longer valid")
            )
        else:
            member_id = str(row[0])
    if refused is not None:  # raised after the commit, so the failure is counted
        raise refused
    with read_tx(db.engine) as tx:
        _active(tx, member_id)
    return member_id


def enter_by_phone(db: StoreDB, *, kiosk: str, phone: str, pin: str, now: dt.datetime) -> str:
    """The member id for a phone number and kiosk PIN. Whether the phone is unknown, has
    no PIN or the PIN is wrong, the answer is the same (and takes as long)."""
    key = _kiosk_key(kiosk)
    number = normalise_phone(phone)
    if not isinstance(pin, str) or not pin:
        raise InvalidInput("enter your kiosk PIN", field="pin")
    refused: KioskRefused | None = None
    with db.write() as s:
        tx = Tx.of(s)
        _check_cooldown(tx, key, now)
        row = tx.row("SELECT id, pin_hash, status FROM members WHERE phone = ?", (number,))
        wrong = KioskRefused("unknown", "the phone number or the PIN is wrong")
        if row is None or row[1] is None:
            verify_pin(pin, _DUMMY_HASH)
            _record_lookup_failure(tx, key, now)
            refused = wrong
        else:
            member_id, pin_hash, _status = row
            state = pin_state(tx, member_id)
            if state.locked(now):
                assert state.locked_until is not None
                refused = KioskRefused(
                    "pin_locked",
                    "too many wrong PINs; try again later or ask at the counter",
                    wait_s=_seconds(state.locked_until - now),
                )
            elif not verify_pin(pin, pin_hash):
                _record_lookup_failure(tx, key, now)
                after = record_pin_failure(tx, member_id, now)
                if after.locked(now):
                    assert after.locked_until is not None
                    audit(s, None, "kiosk.pin_locked", member_id, {"kiosk": key}, now)
                    refused = KioskRefused(
                        "pin_locked",
                        "too many wrong PINs; try again later or ask at the counter",
                        wait_s=_seconds(after.locked_until - now),
                    )
                else:
                    refused = KioskRefused(
                        "unknown",
                        wrong.message,
                        attempts_left=MAX_PIN_FAILURES - after.failed_attempts,
                    )
            else:
                clear_pin_failures(tx, member_id)
    if refused is not None:
        raise refused
    with read_tx(db.engine) as tx:
        _active(tx, member_id)
    return str(member_id)


def authorize_exit(db: StoreDB, *, code: str, pin: str, now: dt.datetime) -> str:
    """A manager's staff number and PIN close the kiosk; returns the manager's name.
    Staff lockout rules apply (:func:`pos_app.services.auth.login`)."""
    session = login(db, code=code, pin=pin, now=now)
    try:
        role = sessions(db).role_of(session)
        if role is None or role < Role.MANAGER:
            raise PermissionDenied("only a manager can close the kiosk")
        with db.write() as s:
            audit(s, session.staff_id, "kiosk.exit", session.code, {}, now)
        return session.name
    finally:
        logout(db, session)


# What the member sees ------------------------------------------------------------------
@dataclass(frozen=True)
class ExpiringPoints:
    #: the last local day the points can be used
    last_day: dt.date
    points: int


@dataclass(frozen=True)
class TierProgress:
    code: str
    name: str
    name_en: str
    #: qualifying spend in the tier window so far (fen)
    spend_fen: int
    next_code: str | None = None
    next_name: str = ""
    next_name_en: str = ""
    #: spend still needed to reach the next tier (fen); 0 at the top tier
    needed_fen: int = 0


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime  # local time
    kind: str
    points: int
    balance_after: int
    #: receipt, return or gift redemption number, when the entry belongs to one
    number: str | None
    #: the gift's name (redemptions), or the reason staff gave (adjustments, activities)
    detail: str
    detail_en: str


@dataclass(frozen=True)
class HistoryPage:
    items: tuple[HistoryItem, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class MonthBalance:
    month: dt.date  # first day of the month
    balance: int  # at the end of the month (now, for the current month)


@dataclass(frozen=True)
class AffordableGift:
    code: str
    name: str
    name_en: str
    points: int
    cash_fen: int
    low_stock: bool


@dataclass(frozen=True)
class KioskView:
    member_id: str
    masked_name: str
    masked_phone: str
    tier: TierProgress
    balance: int
    expiring_30d: int
    expiring_90d: int
    expiring: tuple[ExpiringPoints, ...]
    history: HistoryPage
    chart: tuple[MonthBalance, ...]
    gifts: tuple[AffordableGift, ...]


def _last_day(expires_at: dt.datetime, zone: dt.tzinfo) -> dt.date:
    # a lot expiring at midnight can be used until the day before
    return (expires_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()


def expiring_points(
    tx: Tx, program: Program, member_id: str, now: dt.datetime
) -> tuple[ExpiringPoints, ...]:
    """Points expiring within 90 days, by the last day they can be used, soonest first."""
    horizon = now + dt.timedelta(days=EXPIRY_LATER_DAYS)
    by_day: dict[dt.date, int] = {}
    for expires, remaining in tx.rows(
        "SELECT expires_at, remaining FROM points_lots WHERE member_id = ? AND remaining > 0 "
        "AND expires_at > ? AND expires_at <= ? ORDER BY expires_at",
        (member_id, to_db(now), to_db(horizon)),
    ):
        at = from_db(expires)
        assert at is not None
        day = _last_day(at, program.zone)
        by_day[day] = by_day.get(day, 0) + int(remaining)
    return tuple(ExpiringPoints(day, pts) for day, pts in by_day.items())


def _expiring_within(tx: Tx, member_id: str, now: dt.datetime, days: int) -> int:
    return int(
        tx.value(
            "SELECT COALESCE(SUM(remaining), 0) FROM points_lots WHERE member_id = ? "
            "AND remaining > 0 AND expires_at > ? AND expires_at <= ?",
            (member_id, to_db(now), to_db(now + dt.timedelta(days=days))),
        )
    )


def tier_progress(
    tx: Tx, ctx: Context, member_id: str, tier_code: str, now: dt.datetime
) -> TierProgress:
    """The member's tier and the qualifying spend still needed for the next one."""
    program = ctx.program
    spend = qualifying_spend(tx, ctx, member_id, now)
    tier = program.tier(tier_code)
    tiers = program.definition.tiers
    rank = program.rank(tier.code)
    if rank + 1 >= len(tiers):
        return TierProgress(tier.code, tier.name, tier.name_en or tier.name, spend)
    nxt = tiers[rank + 1]
    return TierProgress(
        tier.code,
        tier.name,
        tier.name_en or tier.name,
        spend,
        nxt.code,
        nxt.name,
        nxt.name_en or nxt.name,
        max(0, nxt.qualify_spend - spend),
    )


def member_history_page(
    db: StoreDB, member_id: str, *, page: int, now: dt.datetime, size: int = HISTORY_PAGE
) -> HistoryPage:
    """One page (0 = newest) of the member's points history, in the program's local time."""
    with read_tx(db.engine) as tx:
        return _history(tx, context(db, tx).program, member_id, page, size)


def _history(tx: Tx, program: Program, member_id: str, page: int, size: int) -> HistoryPage:
    total = int(tx.value("SELECT COUNT(*) FROM ledger_entries WHERE member_id = ?", (member_id,)))
    pages = max(1, -(-total // size))
    if not isinstance(page, int) or not 0 <= page < pages:
        raise InvalidInput(f"there are {pages} pages", field="page")
    rows = tx.rows(
        "SELECT e.created_at, e.kind, e.points, e.balance_after, e.reason, "
        "  COALESCE(r.return_no, s.receipt_no, gr.redemption_no), g.name, g.name_en "
        "FROM ledger_entries e LEFT JOIN sales s ON s.id = e.sale_id "
        "LEFT JOIN returns r ON r.id = e.return_id "
        "LEFT JOIN gift_redemptions gr ON gr.id = e.redemption_id "
        "LEFT JOIN gifts g ON g.id = gr.gift_id "
        "WHERE e.member_id = ? ORDER BY e.id DESC LIMIT ? OFFSET ?",
        (member_id, size, page * size),
    )
    items = []
    for at, kind, pts, after, reason, number, gift, gift_en in rows:
        when = from_db(at)
        assert when is not None
        if gift:
            detail, detail_en = gift, gift_en or gift
        elif kind in ("adjustment", "activity_bonus"):
            detail = detail_en = reason
        else:
            detail = detail_en = ""
        items.append(
            HistoryItem(when.astimezone(program.zone), kind, pts, after, number, detail, detail_en)
        )
    return HistoryPage(tuple(items), page, pages, total)


def month_starts(program: Program, now: dt.datetime, months: int = CHART_MONTHS) -> list[dt.date]:
    """First days of the last ``months`` local months, oldest first, this month last."""
    first = program.local(now).date().replace(day=1)
    return [add_months(first, -back) for back in range(months - 1, -1, -1)]


def monthly_balances(
    tx: Tx, program: Program, member_id: str, now: dt.datetime
) -> tuple[MonthBalance, ...]:
    """The balance at the end of each of the last 12 months (this month: now), summed
    from the ledger."""
    points = []
    for start in month_starts(program, now):
        end_day = add_months(start, 1)
        end = min(dt.datetime.combine(end_day, dt.time(), tzinfo=program.zone), now)
        balance = tx.value(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries "
            "WHERE member_id = ? AND created_at < ?",
            (member_id, to_db(end)),
        )
        points.append(MonthBalance(start, int(balance)))
    return tuple(points)


def kiosk_view(db: StoreDB, member_id: str, *, now: dt.datetime) -> KioskView:
    """Everything the kiosk shows a member who got in (first history page included)."""
    with read_tx(db.engine) as tx:
        ctx = context(db, tx)
        program = ctx.program
        row = tx.row(
            "SELECT name, phone, tier_code, balance, status FROM members WHERE id = ?",
            (member_id,),
        )
        if row is None:
            raise NotFound("no such member", field="member")
        name, phone, tier_code, balance, _status = row
        due = points_state(tx, member_id, now)[0]
        view = KioskView(
            member_id=member_id,
            masked_name=mask_name(name),
            masked_phone=mask_phone(phone) if phone else "",
            tier=tier_progress(tx, ctx, member_id, tier_code, now),
            balance=int(balance) - due,
            expiring_30d=_expiring_within(tx, member_id, now, EXPIRY_SOON_DAYS),
            expiring_90d=_expiring_within(tx, member_id, now, EXPIRY_LATER_DAYS),
            expiring=expiring_points(tx, program, member_id, now),
            history=_history(tx, program, member_id, 0, HISTORY_PAGE),
            chart=monthly_balances(tx, program, member_id, now),
            gifts=(),
        )
    offers = list_gifts(db, member_id=member_id, now=now, affordable_only=True)
    gifts = tuple(
        AffordableGift(o.code, o.name, o.name_en or o.name, o.points, o.cash_fen, o.low_stock)
        for o in sorted(offers, key=lambda o: (-o.points, o.code))[:MAX_GIFTS]
    )
    return KioskView(**{**view.__dict__, "gifts": gifts})
