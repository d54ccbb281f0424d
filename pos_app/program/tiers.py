"""Tier qualification: the window of qualifying spend and the tier it reaches."""

from __future__ import annotations

import datetime as dt

from pos_app.program.expiry import add_months
from pos_app.program.model import Program
from pos_app.program.schema import Tier, TierWindow


def qualifying_window_start(program: Program, now: dt.datetime) -> dt.datetime | None:
    """Start of the spend window that counts at ``now`` (None: all history counts)."""
    policy = program.definition.tier_policy
    local = program.local(now)
    if policy.window is TierWindow.LIFETIME:
        return None
    if policy.window is TierWindow.CALENDAR_YEAR:
        return dt.datetime(local.year, 1, 1, tzinfo=program.zone)
    start = add_months(local.date(), -policy.window_months)
    return dt.datetime.combine(start, local.time(), tzinfo=program.zone)


def tier_for_spend(program: Program, spend_fen: int) -> Tier:
    reached = program.base_tier
    for tier in program.definition.tiers:
        if spend_fen >= tier.qualify_spend:
            reached = tier
    return reached


def tiers_passed(program: Program, old_code: str, new_code: str) -> list[Tier]:
    """Tiers above ``old_code`` up to and including ``new_code``; each grants its bonus once."""
    low, high = program.rank(old_code), program.rank(new_code)
    return list(program.definition.tiers[low + 1 : high + 1])
