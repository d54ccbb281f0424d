"""Point-to-cash offsets: how many points a bill may use and what they are worth."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.errors import InsufficientPoints, InvalidInput
from pos_app.program.model import Program


@dataclass(frozen=True)
class OffsetLimit:
    #: the most points this bill may use (already a multiple of ``step``; 0 if none)
    max_points: int
    points_per_yuan: int
    step: int
    min_points: int
    #: why no points can be used, when ``max_points`` is 0
    reason: str | None = None

    def value_fen(self, points: int) -> int:
        """Cash value of ``points`` (whole fen by program validation when a multiple of step)."""
        return points * 100 // self.points_per_yuan


def offset_limit(
    program: Program, *, tier_code: str | None, bill_fen: int, available_points: int
) -> OffsetLimit:
    rules = program.definition.offset
    ppy = program.offset_points_per_yuan(tier_code)

    def limit(points: int, reason: str | None = None) -> OffsetLimit:
        return OffsetLimit(points, ppy, rules.step, rules.min_points, reason)

    if not rules.enabled:
        return limit(0, "this program has no point-to-cash offset")
    share_fen = bill_fen * rules.max_share
    cap_fen = share_fen.numerator // share_fen.denominator
    by_share = cap_fen * ppy // 100
    points = min(by_share, max(available_points, 0))
    points -= points % rules.step
    if points <= 0 or points < rules.min_points:
        if available_points < max(rules.min_points, rules.step):
            return limit(0, f"at least {max(rules.min_points, rules.step)} points are needed")
        return limit(0, "this bill is too small for an offset")
    return limit(points)


def check_offset(
    program: Program,
    *,
    tier_code: str | None,
    bill_fen: int,
    available_points: int,
    points: int,
) -> int:
    """Validate an offset the cashier chose; return its cash value in fen."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise InvalidInput("points to use must be a whole number, 0 or more", field="offset")
    lim = offset_limit(
        program, tier_code=tier_code, bill_fen=bill_fen, available_points=available_points
    )
    if points == 0:
        return 0
    if points > available_points:
        raise InsufficientPoints(
            f"the member has {available_points} points, {points} were asked", field="offset"
        )
    if points % lim.step:
        raise InvalidInput(f"points are used in steps of {lim.step}", field="offset")
    if points < lim.min_points:
        raise InvalidInput(f"at least {lim.min_points} points must be used", field="offset")
    if points > lim.max_points:
        raise InvalidInput(
            f"at most {lim.max_points} points can be used on this bill", field="offset"
        )
    return lim.value_fen(points)
