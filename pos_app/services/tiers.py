"""Tier upgrades after a sale (with their one-time bonus) and the periodic tier review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.db.models import LedgerEntry, Member, MemberTierAward, Return, Sale
from pos_app.db.store import StoreDB
from pos_app.program import qualifying_window_start, tier_for_spend, tiers_passed
from pos_app.program.schema import Downgrade
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import Context, context
from pos_app.services.ledger import credit, entry_payload
from pos_app.services.outbox import emit


@dataclass(frozen=True)
class TierChange:
    member_id: str
    old_tier: str
    new_tier: str
    bonus_entries: tuple[LedgerEntry, ...] = field(default=())

    @property
    def bonus_points(self) -> int:
        return sum(e.points for e in self.bonus_entries)


def qualifying_spend(s: Session, ctx: Context, member_id: str, now: dt.datetime) -> int:
    """Money paid in the tier window (offsets excluded), less refunds in the window."""
    start = qualifying_window_start(ctx.program, now)
    spent = select(func.coalesce(func.sum(Sale.total_fen), 0)).where(Sale.member_id == member_id)
    refunded = (
        select(func.coalesce(func.sum(Return.refund_fen), 0))
        .join(Sale, Sale.id == Return.sale_id)
        .where(Sale.member_id == member_id)
    )
    if start is not None:
        spent = spent.where(Sale.created_at >= start, Sale.created_at <= now)
        refunded = refunded.where(Return.created_at >= start, Return.created_at <= now)
    return max(0, int(s.scalar(spent) or 0) - int(s.scalar(refunded) or 0))


def upgrade_if_qualified(
    s: Session, ctx: Context, member: Member, now: dt.datetime, staff_id: str | None
) -> TierChange | None:
    """Raise the member's tier if the spend qualifies; grant each passed tier's bonus once."""
    program = ctx.program
    reached = tier_for_spend(program, qualifying_spend(s, ctx, member.id, now))
    old = program.tier(member.tier_code).code
    if program.rank(reached.code) <= program.rank(old):
        return None
    entries = []
    for tier in tiers_passed(program, old, reached.code):
        if not tier.upgrade_bonus:
            continue
        if s.get(MemberTierAward, (member.id, tier.code)) is not None:
            continue  # reached before, dropped, now back: the bonus was already given
        entry = credit(
            s,
            ctx,
            member,
            kind="upgrade_bonus",
            points=tier.upgrade_bonus,
            now=now,
            staff_id=staff_id,
            reason=f"upgrade to {tier.code}",
        )
        s.add(
            MemberTierAward(
                member_id=member.id, tier_code=tier.code, entry_uuid=entry.uuid, awarded_at=now
            )
        )
        entries.append(entry)
    member.tier_code = reached.code
    member.updated_at = now
    return TierChange(member.id, old, reached.code, tuple(entries))


@dataclass(frozen=True)
class TierReview:
    upgraded: int
    downgraded: int
    changes: tuple[TierChange, ...]


def review_tiers(db: StoreDB, *, actor: StaffSession, now: dt.datetime) -> TierReview:
    """Re-qualify every member: upgrades always, downgrades if the program says so."""
    authorize(db, actor, Permission.REVIEW_TIERS)
    changes: list[TierChange] = []
    up = down = 0
    with db.write() as s:
        ctx = context(db, s)
        program = ctx.program
        for member in s.scalars(select(Member).where(Member.status == "active")):
            change = upgrade_if_qualified(s, ctx, member, now, actor.staff_id)
            if change is not None:
                up += 1
                changes.append(change)
                continue
            if program.definition.tier_policy.downgrade is not Downgrade.REQUALIFY:
                continue
            reached = tier_for_spend(program, qualifying_spend(s, ctx, member.id, now))
            old = program.tier(member.tier_code).code
            if program.rank(reached.code) < program.rank(old):
                member.tier_code = reached.code
                member.updated_at = now
                down += 1
                changes.append(TierChange(member.id, old, reached.code))
        for change in changes:
            emit(
                s,
                "member.tier_changed",
                {
                    "member_id": change.member_id,
                    "old_tier": change.old_tier,
                    "new_tier": change.new_tier,
                    "entries": [entry_payload(e) for e in change.bonus_entries],
                },
                now,
            )
        audit(s, actor.staff_id, "tiers.review", "", {"up": up, "down": down}, now)
    return TierReview(up, down, tuple(changes))
