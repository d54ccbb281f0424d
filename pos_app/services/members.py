"""Members: registration with referral, look-up by card or phone, cards lost and replaced."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.cards import normalise_card
from pos_app.db.models import Member, MemberCard
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InvalidInput, NotFound
from pos_app.phone import last4_key, mask_name, mask_phone, normalise_phone
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import Context, context
from pos_app.services.ledger import credit, effective_balance, entry_payload, expiring_within
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


def member_view(s: Session, ctx: Context, member: Member, now: dt.datetime) -> MemberView:
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
        balance=effective_balance(s, member, now),
        expiring_30d=expiring_within(s, member.id, now),
        cards=tuple(c.card_no for c in member.cards if c.status == "active"),
    )


def _by_card(s: Session, card_no: str) -> Member | None:
    card = s.get(MemberCard, card_no)
    if card is None:
        return None
    if card.status != "active":
        raise InvalidInput(
            f"card {card_no} was reported {card.status}; use the member's current card",
            field="card",
        )
    return card.member


def _by_phone(s: Session, phone: str) -> Member | None:
    return s.scalar(select(Member).where(Member.phone == phone))


def _resolve(s: Session, text: str, *, field: str) -> Member | None:
    """A card number or a phone number, whichever ``text`` is."""
    try:
        return _by_phone(s, normalise_phone(text, field=field))
    except InvalidInput:
        return _by_card(s, normalise_card(text, field=field))


def get_member(s: Session, member_id: str) -> Member:
    member = s.get(Member, member_id)
    if member is None:
        raise NotFound("no such member", field="member")
    return member


def find_by_card(db: StoreDB, card: str, *, now: dt.datetime) -> MemberView:
    card_no = normalise_card(card)
    with db.read() as s:
        member = _by_card(s, card_no)
        if member is None:
            raise NotFound(f"no member has card {card_no}", field="card")
        return member_view(s, context(db, s), member, now)


def find_by_phone(db: StoreDB, phone: str, *, now: dt.datetime) -> MemberView:
    number = normalise_phone(phone)
    with db.read() as s:
        member = _by_phone(s, number)
        if member is None:
            raise NotFound(f"no member has phone {mask_phone(number)}", field="phone")
        return member_view(s, context(db, s), member, now)


def search_last4(db: StoreDB, digits: str, *, now: dt.datetime) -> list[MemberView]:
    """Members whose phone ends in these 4 digits: a short pick list for the cashier."""
    key = last4_key(digits)
    with db.read() as s:
        ctx = context(db, s)
        members = s.scalars(
            select(Member)
            .where(Member.phone_last4 == key, Member.status != "closed")
            .order_by(Member.name)
            .limit(CANDIDATE_LIMIT)
        )
        return [member_view(s, ctx, m, now) for m in members]


def view_member(db: StoreDB, member_id: str, *, now: dt.datetime) -> MemberView:
    with db.read() as s:
        return member_view(s, context(db, s), get_member(s, member_id), now)


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
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("enter the member's name", field="name")
    if len(name) > 80:
        raise InvalidInput("the name is too long (80 characters at most)", field="name")
    number = normalise_phone(phone)
    card_no = normalise_card(card) if card else None
    with db.write() as s:
        ctx = context(db, s)
        if _by_phone(s, number) is not None:
            raise Conflict(f"phone {mask_phone(number)} is already registered", field="phone")
        if card_no and s.get(MemberCard, card_no) is not None:
            raise Conflict(f"card {card_no} already belongs to a member", field="card")
        referrer_member = None
        if referrer:
            referrer_member = _resolve(s, referrer, field="referrer")
            if referrer_member is None:
                raise NotFound("no member matches the referrer", field="referrer")
            if referrer_member.status != "active":
                raise InvalidInput("the referrer's membership is not active", field="referrer")
        member = Member(
            id=str(uuid.uuid4()),
            name=name,
            phone=number,
            phone_last4=number[-4:],
            tier_code=ctx.program.base_tier.code,
            referrer_id=referrer_member.id if referrer_member else None,
            status="active",
            balance=0,
            home_store=ctx.store_code,
            created_at=now,
            updated_at=now,
        )
        s.add(member)
        s.flush()
        if card_no:
            s.add(MemberCard(card_no=card_no, member_id=member.id, status="active", issued_at=now))
        bonuses = ctx.program.definition.bonuses
        entries = []
        if bonuses.signup:
            entries.append(
                credit(
                    s,
                    ctx,
                    member,
                    kind="signup_bonus",
                    points=bonuses.signup,
                    now=now,
                    staff_id=actor.staff_id,
                    reason="sign-up bonus",
                )
            )
        if referrer_member is not None and bonuses.referral:
            entries.append(
                credit(
                    s,
                    ctx,
                    referrer_member,
                    kind="referral_bonus",
                    points=bonuses.referral,
                    now=now,
                    staff_id=actor.staff_id,
                    reason=f"referred member {member.id}",
                )
            )
        emit(
            s,
            "member.registered",
            {
                "member": {
                    "id": member.id,
                    "name": member.name,
                    "phone": member.phone,
                    "card": card_no,
                    "referrer_id": member.referrer_id,
                    "tier_code": member.tier_code,
                    "home_store": member.home_store,
                    "created_at": now.isoformat(),
                },
                "entries": [entry_payload(e) for e in entries],
            },
            now,
        )
        s.flush()
        s.refresh(member)
        return Registration(
            member=member_view(s, ctx, member, now),
            signup_bonus=bonuses.signup,
            referral_bonus=bonuses.referral if referrer_member else 0,
            referrer_id=member.referrer_id,
        )


def add_card(
    db: StoreDB, *, actor: StaffSession, member_id: str, card: str, now: dt.datetime
) -> MemberView:
    """Attach another card to a member (e.g. an unknown card scanned at the counter)."""
    authorize(db, actor, Permission.MANAGE_CARDS)
    card_no = normalise_card(card)
    with db.write() as s:
        ctx = context(db, s)
        member = get_member(s, member_id)
        if s.get(MemberCard, card_no) is not None:
            raise Conflict(f"card {card_no} already belongs to a member", field="card")
        s.add(MemberCard(card_no=card_no, member_id=member.id, status="active", issued_at=now))
        emit(s, "member.card_added", {"member_id": member.id, "card": card_no}, now)
        audit(s, actor.staff_id, "card.add", card_no, {"member_id": member.id}, now)
        s.flush()
        s.refresh(member)
        return member_view(s, ctx, member, now)


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
        ctx = context(db, s)
        old = s.get(MemberCard, old_no)
        if old is None:
            raise NotFound(f"no member has card {old_no}", field="old_card")
        if old.status != "active":
            raise Conflict(f"card {old_no} is already {old.status}", field="old_card")
        if s.get(MemberCard, new_no) is not None:
            raise Conflict(f"card {new_no} already belongs to a member", field="card")
        old.status = "lost" if lost else "replaced"
        old.closed_at = now
        old.replaced_by = new_no
        s.add(MemberCard(card_no=new_no, member_id=old.member_id, status="active", issued_at=now))
        emit(
            s,
            "member.card_replaced",
            {
                "member_id": old.member_id,
                "old_card": old_no,
                "new_card": new_no,
                "status": old.status,
            },
            now,
        )
        audit(s, actor.staff_id, "card.replace", old_no, {"new": new_no, "lost": lost}, now)
        s.flush()
        member = get_member(s, old.member_id)
        s.refresh(member)
        return member_view(s, ctx, member, now)
