"""Tier upgrades after a sale (with their one-time bonus) and the periodic tier review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pos_app.db.raw import Tx, to_db
from pos_app.db.store import StoreDB
from pos_app.program import qualifying_window_start, tier_for_spend, tiers_passed
from pos_app.program.schema import Downgrade
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import Context, context
from pos_app.services.ledger import Entry, MemberRow, credit, save_member
from pos_app.services.outbox import emit


@dataclass(frozen=True)
class TierChange:
    member_id: str
    old_tier: str
    new_tier: str
    bonus_entries: tuple[Entry, ...] = field(default=())

    @property
    def bonus_points(self) -> int:
        return sum(e.points for e in self.bonus_entries)


def qualifying_spend(tx: Tx, ctx: Context, member_id: str, now: dt.datetime) -> int:
    """Money paid in the tier window (offsets excluded), less refunds in the window."""
    start = qualifying_window_start(ctx.program, now)
    lo = to_db(start) if start is not None else ""
    hi = to_db(now)
    spent, refunded = tx.row(
        "SELECT (SELECT COALESCE(SUM(total_fen), 0) FROM sales WHERE member_id = ?1 "
        "        AND created_at >= ?2 AND created_at <= ?3), "
        "       (SELECT COALESCE(SUM(r.refund_fen), 0) FROM returns r "
        "        JOIN sales s ON s.id = r.sale_id WHERE s.member_id = ?1 "
        "        AND r.created_at >= ?2 AND r.created_at <= ?3)",
        (member_id, lo, hi),
    )
    return max(0, int(spent) - int(refunded))


def upgrade_if_qualified(
    tx: Tx, ctx: Context, member: MemberRow, now: dt.datetime, staff_id: str | None
) -> TierChange | None:
    """Raise the member's tier if the spend qualifies; grant each passed tier's bonus once."""
    program = ctx.program
    old = program.tier(member.tier_code).code
    if program.rank(old) == len(program.definition.tiers) - 1:
        return None  # already at the top
    reached = tier_for_spend(program, qualifying_spend(tx, ctx, member.id, now))
    if program.rank(reached.code) <= program.rank(old):
        return None
    entries = []
    for tier in tiers_passed(program, old, reached.code):
        if not tier.upgrade_bonus:
            continue
        if tx.value(
            "SELECT 1 FROM member_tier_awards WHERE member_id = ? AND tier_code = ?",
            (member.id, tier.code),
        ):
            continue  # reached before, dropped, now back: the bonus was already given
        entry = credit(
            tx,
            ctx,
            member,
            kind="upgrade_bonus",
            points=tier.upgrade_bonus,
            now=now,
            staff_id=staff_id,
            reason=f"upgrade to {tier.code}",
        )
        tx.run(
            "INSERT INTO member_tier_awards (member_id, tier_code, entry_uuid, awarded_at) "
            "VALUES (?, ?, ?, ?)",
            (member.id, tier.code, entry.uuid, to_db(now)),
        )
        entries.append(entry)
    member.tier_code = reached.code
    save_member(tx, member, now)
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
        tx = Tx.of(s)
        ctx = context(db, tx)
        program = ctx.program
        rows = tx.rows(
            "SELECT id, name, phone, tier_code, status, balance, referrer_id FROM members "
            "WHERE status = 'active'"
        )
        for row in rows:
            member = MemberRow(*row)
            change = upgrade_if_qualified(tx, ctx, member, now, actor.staff_id)
            if change is not None:
                up += 1
                changes.append(change)
                continue
            if program.definition.tier_policy.downgrade is not Downgrade.REQUALIFY:
                continue
            reached = tier_for_spend(program, qualifying_spend(tx, ctx, member.id, now))
            old = program.tier(member.tier_code).code
            if program.rank(reached.code) < program.rank(old):
                member.tier_code = reached.code
                save_member(tx, member, now)
                down += 1
                changes.append(TierChange(member.id, old, reached.code))
        for change in changes:
            emit(
                tx,
                "member.tier_changed",
                {
                    "member_id": change.member_id,
                    "old_tier": change.old_tier,
                    "new_tier": change.new_tier,
                    "entries": [e.payload() for e in change.bonus_entries],
                },
                now,
            )
        audit(s, actor.staff_id, "tiers.review", "", {"up": up, "down": down}, now)
    return TierReview(up, down, tuple(changes))
