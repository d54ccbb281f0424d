"""Members: registration with referral, look-up by card or phone, cards lost and replaced.

Look-ups are on the cashier's critical path (scan -> member panel), so they run
plain indexed SQL on a pooled connection: card number is the primary key of
``member_cards``, phone is unique on ``members``, last-4 digits are indexed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from pos_app.cards import normalise_card
from pos_app.db.raw import Tx, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InvalidInput, NotFound
from pos_app.phone import last4_key, mask_name, mask_phone, normalise_phone
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import Context, context
from pos_app.services.ledger import MemberRow, credit, due_and_expiring, load_member
from pos_app.services.outbox import emit

CANDIDATE_LIMIT = 8


@dataclass(frozen=True)
class MemberView:
    """What the counter shows about a member (names and phones already masked)."""

    id: str
    name: str
    masked_name: str
    masked_phone: str
    tier_code: str
    tier_name: str
    tier_name_en: str
    status: str
    balance: int
    expiring_30d: int
    cards: tuple[str, ...]


@dataclass(frozen=True)
class Registration:
    member: MemberView
    signup_bonus: int
    referral_bonus: int
    referrer_id: str | None


def member_view(tx: Tx, ctx: Context, member: MemberRow, now: dt.datetime) -> MemberView:
    due, soon = due_and_expiring(tx, member.id, now)
    cards = tx.rows(
        "SELECT card_no FROM member_cards WHERE member_id = ? AND status = 'active' "
        "ORDER BY issued_at",
        (member.id,),
    )
    return _view(ctx, member, due, soon, tuple(c[0] for c in cards))


def _view(
    ctx: Context, member: MemberRow, due: int, soon: int, cards: tuple[str, ...]
) -> MemberView:
    tier = ctx.program.tier(member.tier_code)
    return MemberView(
        id=member.id,
        name=member.name,
        masked_name=mask_name(member.name),
        masked_phone=mask_phone(member.phone) if member.phone else "",
        tier_code=tier.code,
        tier_name=tier.name,
        tier_name_en=tier.name_en or tier.name,
        status=member.status,
        balance=member.balance - due,
        expiring_30d=soon,
        cards=cards,
    )


# The member panel in one statement: member, points due and expiring, active cards.
_PANEL = (
    "SELECT m.id, m.name, m.phone, m.tier_code, m.status, m.balance, m.referrer_id, "
    " (SELECT COALESCE(SUM(remaining), 0) FROM points_lots "
    "   WHERE member_id = m.id AND remaining > 0 AND expires_at <= ?1), "
    " (SELECT COALESCE(SUM(remaining), 0) FROM points_lots "
    "   WHERE member_id = m.id AND remaining > 0 AND expires_at > ?1 AND expires_at <= ?2), "
    " (SELECT group_concat(card_no, ' ') FROM "
    "   (SELECT card_no FROM member_cards WHERE member_id = m.id AND status = 'active' "
    "    ORDER BY issued_at)) "
)


def _panel(db: StoreDB, tx: Tx, where: str, key: str, now: dt.datetime) -> MemberView | None:
    row = tx.row(_PANEL + where, (to_db(now), to_db(now + dt.timedelta(days=30)), key))
    if row is None:
        return None
    cards = tuple(row[9].split()) if row[9] else ()
    return _view(context(db, tx), MemberRow(*row[:7]), row[7], row[8], cards)


def _card_owner(tx: Tx, card_no: str) -> str | None:
    """The member id holding an active card; a lost or replaced card is an error."""
    row = tx.row("SELECT member_id, status FROM member_cards WHERE card_no = ?", (card_no,))
    if row is None:
        return None
    if row[1] != "active":
        raise InvalidInput(
            f"card {card_no} was reported {row[1]}; use the member's current card", field="card"
        )
    return str(row[0])


def _phone_owner(tx: Tx, phone: str) -> str | None:
    return tx.value("SELECT id FROM members WHERE phone = ?", (phone,))


def _resolve(tx: Tx, text: str, *, field: str) -> str | None:
    """The member id for a card number or a phone number, whichever ``text`` is."""
    try:
        return _phone_owner(tx, normalise_phone(text, field=field))
    except InvalidInput:
        return _card_owner(tx, normalise_card(text, field=field))


def find_by_card(db: StoreDB, card: str, *, now: dt.datetime) -> MemberView:
    card_no = normalise_card(card)
    with read_tx(db.engine) as tx:
        view = _panel(
            db,
            tx,
            "FROM member_cards c JOIN members m ON m.id = c.member_id "
            "WHERE c.card_no = ?3 AND c.status = 'active'",
            card_no,
            now,
        )
        if view is None:
            _card_owner(tx, card_no)  # a lost or replaced card says so
            raise NotFound(f"no member has card {card_no}", field="card")
        return view


def find_by_phone(db: StoreDB, phone: str, *, now: dt.datetime) -> MemberView:
    number = normalise_phone(phone)
    with read_tx(db.engine) as tx:
        view = _panel(db, tx, "FROM members m WHERE m.phone = ?3", number, now)
        if view is None:
            raise NotFound(f"no member has phone {mask_phone(number)}", field="phone")
        return view


def find_by_card_or_phone(db: StoreDB, text: str, *, now: dt.datetime) -> MemberView:
    """A member by a mobile number (any way it is typed) or else by a card number: the
    counter's rule, for fields that take either."""
    try:
        phone = normalise_phone(text)
    except InvalidInput:
        return find_by_card(db, text, now=now)
    return find_by_phone(db, phone, now=now)


def search_last4(db: StoreDB, digits: str, *, now: dt.datetime) -> list[MemberView]:
    """Members whose phone ends in these 4 digits: a short pick list for the cashier."""
    key = last4_key(digits)
    with read_tx(db.engine) as tx:
        ctx = context(db, tx)
        rows = tx.rows(
            "SELECT id, name, phone, tier_code, status, balance, referrer_id FROM members "
            "WHERE phone_last4 = ? AND status != 'closed' ORDER BY name LIMIT ?",
            (key, CANDIDATE_LIMIT),
        )
        return [member_view(tx, ctx, MemberRow(*row), now) for row in rows]


def view_member(db: StoreDB, member_id: str, *, now: dt.datetime) -> MemberView:
    with read_tx(db.engine) as tx:
        return member_view(tx, context(db, tx), load_member(tx, member_id), now)


def _check_name(name: str) -> str:
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name:
        raise InvalidInput("enter the member's name", field="name")
    if len(name) > 80:
        raise InvalidInput("the name is too long (80 characters at most)", field="name")
    return name


def _add_card(tx: Tx, member_id: str, card_no: str, now: dt.datetime) -> None:
    if tx.value("SELECT 1 FROM member_cards WHERE card_no = ?", (card_no,)):
        raise Conflict(f"card {card_no} already belongs to a member", field="card")
    tx.run(
        "INSERT INTO member_cards (card_no, member_id, status, issued_at) "
        "VALUES (?, ?, 'active', ?)",
        (card_no, member_id, to_db(now)),
    )


def register_member(
    db: StoreDB,
    *,
    actor: StaffSession,
    name: str,
    phone: str,
    card: str | None = None,
    referrer: str | None = None,
    now: dt.datetime,
) -> Registration:
    """Sign a member up at the counter; credits the sign-up and referral bonuses."""
    authorize(db, actor, Permission.REGISTER_MEMBER)
    name = _check_name(name)
    number = normalise_phone(phone)
    card_no = normalise_card(card) if card else None
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        if _phone_owner(tx, number) is not None:
            raise Conflict(f"phone {mask_phone(number)} is already registered", field="phone")
        referrer_row = None
        if referrer:
            referrer_id = _resolve(tx, referrer, field="referrer")
            if referrer_id is None:
                raise NotFound("no member matches the referrer", field="referrer")
            referrer_row = load_member(tx, referrer_id)
            if referrer_row.status != "active":
                raise InvalidInput("the referrer's membership is not active", field="referrer")
        member = MemberRow(
            str(uuid.uuid4()),
            name,
            number,
            ctx.program.base_tier.code,
            "active",
            0,
            referrer_row.id if referrer_row else None,
        )
        tx.run(
            "INSERT INTO members (id, name, phone, phone_last4, tier_code, referrer_id, status, "
            "balance, home_store, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'active', 0, ?, ?, ?)",
            (
                member.id,
                name,
                number,
                number[-4:],
                member.tier_code,
                member.referrer_id,
                ctx.store_code,
                to_db(now),
                to_db(now),
            ),
        )
        if card_no:
            _add_card(tx, member.id, card_no, now)
        bonuses = ctx.program.definition.bonuses
        entries = []
        if bonuses.signup:
            entries.append(
                credit(
                    tx,
                    ctx,
                    member,
                    kind="signup_bonus",
                    points=bonuses.signup,
                    now=now,
                    staff_id=actor.staff_id,
                    reason="sign-up bonus",
                )
            )
        if referrer_row is not None and bonuses.referral:
            entries.append(
                credit(
                    tx,
                    ctx,
                    referrer_row,
                    kind="referral_bonus",
                    points=bonuses.referral,
                    now=now,
                    staff_id=actor.staff_id,
                    reason=f"referred member {member.id}",
                )
            )
        emit(
            tx,
            "member.registered",
            {
                "member": {
                    "id": member.id,
                    "name": name,
                    "phone": number,
                    "card": card_no,
                    "referrer_id": member.referrer_id,
                    "tier_code": member.tier_code,
                    "home_store": ctx.store_code,
                    "created_at": now.isoformat(),
                },
                "entries": [e.payload() for e in entries],
            },
            now,
        )
        return Registration(
            member=member_view(tx, ctx, member, now),
            signup_bonus=bonuses.signup,
            referral_bonus=bonuses.referral if referrer_row else 0,
            referrer_id=member.referrer_id,
        )


def add_card(
    db: StoreDB, *, actor: StaffSession, member_id: str, card: str, now: dt.datetime
) -> MemberView:
    """Attach another card to a member (e.g. an unknown card scanned at the counter)."""
    authorize(db, actor, Permission.MANAGE_CARDS)
    card_no = normalise_card(card)
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        member = load_member(tx, member_id)
        _add_card(tx, member.id, card_no, now)
        emit(tx, "member.card_added", {"member_id": member.id, "card": card_no}, now)
        audit(s, actor.staff_id, "card.add", card_no, {"member_id": member.id}, now)
        return member_view(tx, ctx, member, now)


def replace_card(
    db: StoreDB,
    *,
    actor: StaffSession,
    old_card: str,
    new_card: str,
    lost: bool = True,
    now: dt.datetime,
) -> MemberView:
    """Block a lost (or worn) card and issue a new one; points stay with the member."""
    authorize(db, actor, Permission.MANAGE_CARDS)
    old_no, new_no = normalise_card(old_card, field="old_card"), normalise_card(new_card)
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        row = tx.row("SELECT member_id, status FROM member_cards WHERE card_no = ?", (old_no,))
        if row is None:
            raise NotFound(f"no member has card {old_no}", field="old_card")
        member_id, status = row
        if status != "active":
            raise Conflict(f"card {old_no} is already {status}", field="old_card")
        _add_card(tx, member_id, new_no, now)
        new_status = "lost" if lost else "replaced"
        tx.run(
            "UPDATE member_cards SET status = ?, closed_at = ?, replaced_by = ? WHERE card_no = ?",
            (new_status, to_db(now), new_no, old_no),
        )
        emit(
            tx,
            "member.card_replaced",
            {"member_id": member_id, "old_card": old_no, "new_card": new_no, "status": new_status},
            now,
        )
        audit(s, actor.staff_id, "card.replace", old_no, {"new": new_no, "lost": lost}, now)
        return member_view(tx, ctx, load_member(tx, member_id), now)
