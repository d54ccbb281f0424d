"""The pure rules engine: earning, campaigns, caps, offsets, expiry, tiers, allocation.

Every case is worked out by hand from the seed examples; amounts are integer fen,
points are integers and the engine floors once per sale.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Callable
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pos_app.errors import InsufficientPoints, InvalidInput
from pos_app.program import (
    EarnLine,
    EarnQuote,
    Program,
    bundled_program,
    bundled_program_text,
    check_offset,
    lot_expiry,
    offset_limit,
    program_from_dict,
    qualifying_window_start,
    quote_earning,
    tier_for_spend,
    tiers_passed,
)
from pos_app.program.allocation import allocate, pro_rata
from pos_app.program.expiry import add_months

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    """Local Shanghai time: ``at(2026, 10, 2, 10)``."""
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[arg-type]


#: a plain Monday outside every campaign of the bundled programs
QUIET_DAY = at(2026, 3, 2, 10, 0)
#: a plain Friday inside the hotel anniversary (no weekday-stay campaign on Fridays)
ANNIVERSARY_FRIDAY = at(2026, 12, 4, 12, 0)
#: a Tuesday inside the hotel anniversary, where weekday-stay (room, x2) also runs
ANNIVERSARY_TUESDAY = at(2026, 12, 1, 12, 0)


@pytest.fixture(scope="module")
def supermarket() -> Program:
    return bundled_program("supermarket")


@pytest.fixture(scope="module")
def hotel() -> Program:
    return bundled_program("hotel")


def variant(name: str, change: Callable[[dict[str, Any]], None]) -> Program:
    """A bundled program with one change applied to its TOML structure."""
    data = tomllib.loads(bundled_program_text(name))
    data = copy.deepcopy(data)
    change(data)
    return program_from_dict(data)


def earn(
    program: Program,
    lines: list[EarnLine],
    *,
    tier: str | None = None,
    now: dt.datetime = QUIET_DAY,
    earned_today: int = 0,
) -> EarnQuote:
    return quote_earning(program, tier_code=tier, lines=lines, now=now, earned_today=earned_today)


def yuan(amount: int | str) -> int:
    """Yuan -> fen, exactly (``yuan("99.99") == 9999``)."""
    fen = Fraction(str(amount)) * 100
    assert fen.denominator == 1
    return int(fen)


# --- earning: rates ------------------------------------------------------------------------------


def _base_rate(rate: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["earning"]["points_per_yuan"] = rate

    return change


def test_one_point_per_ten_yuan_floors_99_99_yuan_to_9_points() -> None:
    program = variant("supermarket", _base_rate("1/10"))
    quote = earn(program, [EarnLine("grocery", yuan("99.99"))])
    assert quote.raw == Fraction(9999, 1000)
    assert quote.uncapped == 9
    assert quote.total == 9
    assert quote.capped_by is None


def test_one_point_per_ten_yuan_gives_10_points_for_100_yuan() -> None:
    program = variant("supermarket", _base_rate("1/10"))
    assert earn(program, [EarnLine("grocery", yuan(100))]).total == 10


def test_ten_points_per_yuan_gives_10_points_for_one_yuan() -> None:
    program = variant("supermarket", _base_rate("10"))
    quote = earn(program, [EarnLine("grocery", yuan(1))])
    assert quote.total == 10
    assert quote.lines[0].rate == Fraction(10)


def test_supermarket_base_rate_is_one_point_per_yuan(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan("12.34"))])
    assert quote.raw == Fraction(1234, 100)
    assert quote.total == 12


@pytest.mark.parametrize(
    ("category", "points"),
    [("electronics", 500), ("daily", 300), ("grocery", 100), ("tobacco", 0)],
)
def test_category_rates_apply_per_category(
    supermarket: Program, category: str, points: int
) -> None:
    assert earn(supermarket, [EarnLine(category, yuan(100))]).total == points


@pytest.mark.parametrize("tier", ["normal", "silver", "gold"])
def test_category_rate_overrides_tier_rate(tier: str) -> None:
    """Even a tier with its own rate earns the category rate on that category."""

    def change(data: dict[str, Any]) -> None:
        data["tiers"][1]["points_per_yuan"] = "2"
        data["tiers"][2]["points_per_yuan"] = "4"

    program = variant("supermarket", change)
    quote = earn(
        program, [EarnLine("electronics", yuan(100)), EarnLine("daily", yuan(100))], tier=tier
    )
    assert quote.line_points == (500, 300)
    assert quote.total == 800


def test_tier_rate_overrides_base_rate_outside_category_rates() -> None:
    program = variant("supermarket", lambda d: d["tiers"][2].__setitem__("points_per_yuan", "2"))
    assert earn(program, [EarnLine("grocery", yuan(100))], tier="gold").total == 200
    assert earn(program, [EarnLine("grocery", yuan(100))], tier="silver").total == 100


def test_hotel_minibar_category_rate_zero_overrides_diamond_rate(hotel: Program) -> None:
    quote = earn(hotel, [EarnLine("minibar", yuan(480))], tier="diamond")
    assert quote.total == 0
    assert quote.lines[0].rate == 0


@pytest.mark.parametrize(
    ("tier", "rate", "points"),
    [
        ("normal", Fraction(1, 10), 48),
        ("silver", Fraction(1, 8), 60),
        ("gold", Fraction(1, 6), 80),
        ("diamond", Fraction(1, 5), 96),
    ],
)
def test_hotel_tier_rates_for_a_480_yuan_bill(
    hotel: Program, tier: str, rate: Fraction, points: int
) -> None:
    quote = earn(hotel, [EarnLine("dining", yuan(480))], tier=tier)
    assert quote.lines[0].rate == rate
    assert quote.lines[0].multiplier == 1
    assert quote.total == points


@pytest.mark.parametrize("tier", [None, "no-such-tier"])
def test_missing_or_unknown_tier_earns_at_the_base_tier_rate(
    hotel: Program, tier: str | None
) -> None:
    assert earn(hotel, [EarnLine("dining", yuan(480))], tier=tier).total == 48


def test_floor_is_applied_once_per_sale_not_per_line(supermarket: Program) -> None:
    # two lines each worth half a point earn one point together
    quote = earn(supermarket, [EarnLine("grocery", 50), EarnLine("grocery", 50)])
    assert quote.raw == 1
    assert quote.total == 1
    assert quote.line_points == (1, 0)


def test_floor_once_per_sale_at_one_point_per_ten_yuan(hotel: Program) -> None:
    quote = earn(hotel, [EarnLine("dining", yuan(5)), EarnLine("spa", yuan("5.99"))])
    assert quote.raw == Fraction(1099, 1000)
    assert quote.total == 1
    assert sum(quote.line_points) == 1


def test_offset_part_earns_nothing_when_earn_on_offset_is_false(supermarket: Program) -> None:
    # a 100-yuan line of which 20 yuan was paid with points earns on 80 yuan
    quote = earn(supermarket, [EarnLine("grocery", yuan(100), offset_fen=yuan(20))])
    assert quote.total == 80


def test_offset_part_earns_when_earn_on_offset_is_true() -> None:
    program = variant("supermarket", lambda d: d["earning"].__setitem__("earn_on_offset", True))
    quote = earn(program, [EarnLine("grocery", yuan(100), offset_fen=yuan(20))])
    assert quote.total == 100


def test_line_offset_larger_than_line_amount_is_rejected(supermarket: Program) -> None:
    with pytest.raises(ValueError, match="offset exceeds"):
        earn(supermarket, [EarnLine("grocery", 100, offset_fen=101)])


def test_empty_sale_earns_nothing(supermarket: Program) -> None:
    quote = earn(supermarket, [])
    assert quote.total == 0
    assert quote.lines == ()
    assert quote.campaigns == ()


def test_line_points_sum_to_total_and_follow_each_lines_share(supermarket: Program) -> None:
    lines = [
        EarnLine("grocery", 333),  # 3.33
        EarnLine("electronics", 1999),  # 99.95
        EarnLine("daily", 77),  # 2.31
        EarnLine("tobacco", 5000),  # 0
        EarnLine("grocery", 1),  # 0.01
    ]
    quote = earn(supermarket, lines)
    assert quote.raw == Fraction(10560, 100)
    assert quote.total == 105
    assert quote.line_points == (3, 100, 2, 0, 0)
    assert sum(quote.line_points) == quote.total


# --- campaigns -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "points", "campaigns"),
    [
        (at(2026, 9, 30, 23, 59), 100, ()),
        (at(2026, 10, 1, 0, 0), 200, ("national-day-2026",)),
        (at(2026, 10, 7, 23, 59), 200, ("national-day-2026",)),
        (at(2026, 10, 8, 0, 0), 100, ()),
        # the local calendar date counts, whatever zone ``now`` is given in
        (dt.datetime(2026, 9, 30, 16, 0, tzinfo=UTC), 200, ("national-day-2026",)),
        (dt.datetime(2026, 9, 30, 15, 59, tzinfo=UTC), 100, ()),
    ],
)
def test_double_points_only_inside_campaign_window(
    supermarket: Program, now: dt.datetime, points: int, campaigns: tuple[str, ...]
) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(100))], now=now)
    assert quote.total == points
    assert quote.campaigns == campaigns


def test_triple_points_on_double_eleven(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(100))], now=at(2026, 11, 11, 20))
    assert quote.total == 300
    assert quote.lines[0].campaign == "double-eleven-2026"
    assert quote.lines[0].multiplier == 3


@pytest.mark.parametrize(
    ("now", "category", "points"),
    [
        (at(2026, 3, 7, 10), "fresh", 200),  # Saturday
        (at(2026, 3, 8, 10), "fresh", 200),  # Sunday
        (at(2026, 3, 6, 23, 59), "fresh", 100),  # Friday
        (at(2026, 3, 9, 0, 0), "fresh", 100),  # Monday
        (at(2026, 3, 7, 10), "grocery", 100),  # Saturday, not fresh
        (at(2027, 1, 2, 10), "fresh", 100),  # a Saturday after the campaign ended
    ],
)
def test_weekend_fresh_campaign_only_on_weekends_and_only_for_fresh(
    supermarket: Program, now: dt.datetime, category: str, points: int
) -> None:
    assert earn(supermarket, [EarnLine(category, yuan(100))], now=now).total == points


def test_weekend_campaign_applies_per_line(supermarket: Program) -> None:
    quote = earn(
        supermarket,
        [EarnLine("fresh", yuan(10)), EarnLine("grocery", yuan(10))],
        now=at(2026, 3, 7, 10),
    )
    assert quote.line_points == (20, 10)
    assert quote.lines[0].campaign == "weekend-fresh"
    assert quote.lines[1].campaign is None
    assert quote.campaigns == ("weekend-fresh",)


@pytest.mark.parametrize(
    ("tier", "points"),
    [("normal", 48), ("silver", 60), ("gold", 240), ("diamond", 288)],
)
def test_hotel_anniversary_triples_points_only_for_gold_and_diamond(
    hotel: Program, tier: str, points: int
) -> None:
    quote = earn(hotel, [EarnLine("dining", yuan(480))], tier=tier, now=ANNIVERSARY_FRIDAY)
    assert quote.total == points


def test_hotel_anniversary_ends_with_its_last_day(hotel: Program) -> None:
    line = [EarnLine("dining", yuan(480))]
    assert earn(hotel, line, tier="gold", now=at(2026, 12, 7, 23, 59)).total == 240
    assert earn(hotel, line, tier="gold", now=at(2026, 12, 8, 0, 0)).total == 80


def test_overlapping_campaigns_take_the_highest_multiplier_not_the_product(hotel: Program) -> None:
    # gold room on a Tuesday of the anniversary: anniversary x3 and weekday-stay x2 both apply
    quote = earn(hotel, [EarnLine("room", yuan(480))], tier="gold", now=ANNIVERSARY_TUESDAY)
    assert quote.lines[0].multiplier == 3
    assert quote.lines[0].campaign == "anniversary-2026"
    assert quote.total == 240  # 80 x 3, not 80 x 6
    assert quote.campaigns == ("anniversary-2026",)


def test_overlapping_equal_multipliers_do_not_stack(supermarket: Program) -> None:
    # Saturday 3 October: national day x2 and weekend-fresh x2 both apply to fresh
    quote = earn(supermarket, [EarnLine("fresh", yuan(100))], now=at(2026, 10, 3, 10))
    assert quote.lines[0].multiplier == 2
    assert quote.total == 200


def test_tier_not_in_a_campaign_still_gets_the_other_campaign(hotel: Program) -> None:
    quote = earn(
        hotel,
        [EarnLine("room", yuan(480)), EarnLine("dining", yuan(480))],
        tier="normal",
        now=ANNIVERSARY_TUESDAY,
    )
    assert quote.line_points == (96, 48)
    assert quote.campaigns == ("weekday-stay",)


def test_campaigns_lists_every_campaign_used_sorted() -> None:
    def change(data: dict[str, Any]) -> None:
        data["campaigns"][2]["multiplier"] = "3"  # weekend-fresh x3, listed after national day

    program = variant("supermarket", change)
    quote = earn(
        program,
        [EarnLine("grocery", yuan(10)), EarnLine("fresh", yuan(10))],
        now=at(2026, 10, 3, 10),  # Saturday of the national-day week
    )
    assert quote.line_points == (20, 30)
    assert [line.campaign for line in quote.lines] == ["national-day-2026", "weekend-fresh"]
    assert quote.campaigns == ("national-day-2026", "weekend-fresh")


# --- caps ----------------------------------------------------------------------------------------


def test_no_cap_leaves_capped_by_empty(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(50000))])
    assert quote.total == 50000
    assert quote.capped_by is None


def test_per_sale_cap_cuts_the_total(supermarket: Program) -> None:
    # 20,000 yuan of electronics at 5 per yuan = 100,000 points; the sale cap is 50,000
    quote = earn(supermarket, [EarnLine("electronics", yuan(20000))])
    assert quote.uncapped == 100000
    assert quote.total == 50000
    assert quote.capped_by == "per_sale"
    assert quote.line_points == (50000,)


def test_per_sale_cap_is_spread_over_lines_in_proportion(supermarket: Program) -> None:
    quote = earn(
        supermarket,
        [EarnLine("electronics", yuan(15000)), EarnLine("grocery", yuan(25000))],
    )
    assert quote.uncapped == 100000
    assert quote.total == 50000
    assert quote.line_points == (37500, 12500)


def test_daily_cap_counts_what_was_earned_today(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(20000))], earned_today=90000)
    assert quote.uncapped == 20000
    assert quote.total == 10000
    assert quote.capped_by == "per_member_per_day"


def test_daily_cap_reached_earns_nothing(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(100))], earned_today=100000)
    assert quote.total == 0
    assert quote.capped_by == "per_member_per_day"
    assert quote.line_points == (0,)


def test_daily_cap_exactly_filled_is_not_reported_as_capped(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(100))], earned_today=99900)
    assert quote.total == 100
    assert quote.capped_by is None


def test_per_sale_cap_reported_when_daily_room_is_larger(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(60000))], earned_today=10000)
    assert quote.total == 50000
    assert quote.capped_by == "per_sale"


def test_daily_cap_reported_when_it_cuts_below_the_sale_cap(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(100000))], earned_today=60000)
    assert quote.uncapped == 100000
    assert quote.total == 40000
    assert quote.capped_by == "per_member_per_day"


def test_negative_earned_today_counts_as_zero(supermarket: Program) -> None:
    quote = earn(supermarket, [EarnLine("grocery", yuan(60000))], earned_today=-5000)
    assert quote.total == 50000
    assert quote.capped_by == "per_sale"


def test_hotel_caps(hotel: Program) -> None:
    # diamond 1/5: 200,000 yuan -> 40,000 points, sale cap 20,000
    quote = earn(hotel, [EarnLine("dining", yuan(200000))], tier="diamond")
    assert (quote.uncapped, quote.total, quote.capped_by) == (40000, 20000, "per_sale")
    quote = earn(hotel, [EarnLine("dining", yuan(50000))], tier="diamond", earned_today=25000)
    assert (quote.uncapped, quote.total, quote.capped_by) == (10000, 5000, "per_member_per_day")


# --- offset --------------------------------------------------------------------------------------


def test_seed_offset_2000_points_pay_20_yuan_of_a_200_yuan_bill(supermarket: Program) -> None:
    limit = offset_limit(supermarket, tier_code="normal", bill_fen=20000, available_points=2000)
    assert limit.max_points == 2000
    assert limit.points_per_yuan == 100
    assert limit.reason is None
    value = check_offset(
        supermarket, tier_code="normal", bill_fen=20000, available_points=2000, points=2000
    )
    assert value == 2000
    assert 20000 - value == 18000


@pytest.mark.parametrize(
    ("name", "tier", "max_points", "value_fen"),
    [
        ("supermarket", "normal", 10000, 10000),  # half of 200 yuan
        ("hotel", "normal", 6000, 6000),  # 30 % of 200 yuan at 100 points/yuan
        ("hotel", "silver", 6000, 6000),
        ("hotel", "gold", 4800, 6000),  # 80 points per yuan
        ("hotel", "diamond", 3000, 6000),  # 50 points per yuan
    ],
)
def test_offset_is_limited_by_the_bill_share_at_the_tier_rate(
    name: str, tier: str, max_points: int, value_fen: int
) -> None:
    program = bundled_program(name)
    limit = offset_limit(program, tier_code=tier, bill_fen=20000, available_points=100000)
    assert limit.max_points == max_points
    assert limit.value_fen(max_points) == value_fen
    assert (
        check_offset(
            program, tier_code=tier, bill_fen=20000, available_points=100000, points=max_points
        )
        == value_fen
    )


@pytest.mark.parametrize(
    ("tier", "points_per_yuan", "value_fen"),
    [("normal", 100, 1000), ("gold", 80, 1250), ("diamond", 50, 2000)],
)
def test_hotel_tier_offset_rates(
    hotel: Program, tier: str, points_per_yuan: int, value_fen: int
) -> None:
    assert hotel.offset_points_per_yuan(tier) == points_per_yuan
    value = check_offset(hotel, tier_code=tier, bill_fen=20000, available_points=5000, points=1000)
    assert value == value_fen


def test_offset_limit_is_rounded_down_to_the_step(supermarket: Program) -> None:
    limit = offset_limit(supermarket, tier_code=None, bill_fen=20000, available_points=2345)
    assert limit.max_points == 2300
    assert limit.step == 100


def test_offset_share_limit_rounds_down_to_the_step(supermarket: Program) -> None:
    # half of 12.99 yuan = 649.5 fen -> 649 points -> 600 in steps of 100
    limit = offset_limit(supermarket, tier_code=None, bill_fen=1299, available_points=5000)
    assert limit.max_points == 600


def test_offset_needs_at_least_min_points(hotel: Program) -> None:
    limit = offset_limit(hotel, tier_code="normal", bill_fen=20000, available_points=900)
    assert limit.max_points == 0
    assert limit.min_points == 1000
    assert limit.reason == "at least 1000 points are needed"


def test_offset_on_a_bill_too_small_for_min_points(hotel: Program) -> None:
    # 30 % of 30 yuan = 900 points, below the 1,000-point minimum
    limit = offset_limit(hotel, tier_code="normal", bill_fen=3000, available_points=5000)
    assert limit.max_points == 0
    assert limit.reason == "this bill is too small for an offset"


def test_offset_on_a_tiny_bill(supermarket: Program) -> None:
    limit = offset_limit(supermarket, tier_code=None, bill_fen=100, available_points=1000)
    assert limit.max_points == 0
    assert limit.reason == "this bill is too small for an offset"


def test_offset_more_points_than_available_is_insufficient(supermarket: Program) -> None:
    with pytest.raises(InsufficientPoints) as info:
        check_offset(
            supermarket, tier_code=None, bill_fen=20000, available_points=2000, points=3000
        )
    assert info.value.field == "offset"


def test_offset_not_a_multiple_of_step_is_invalid(supermarket: Program) -> None:
    with pytest.raises(InvalidInput, match="steps of 100") as info:
        check_offset(supermarket, tier_code=None, bill_fen=20000, available_points=2000, points=150)
    assert info.value.field == "offset"


def test_offset_below_min_points_is_invalid(hotel: Program) -> None:
    with pytest.raises(InvalidInput, match="at least 1000"):
        check_offset(hotel, tier_code=None, bill_fen=20000, available_points=5000, points=500)


def test_offset_above_the_bill_share_is_invalid(supermarket: Program) -> None:
    with pytest.raises(InvalidInput, match="at most 10000"):
        check_offset(
            supermarket, tier_code=None, bill_fen=20000, available_points=50000, points=10100
        )


@pytest.mark.parametrize("points", [-100, True, 1.5, "100"])
def test_offset_points_must_be_a_non_negative_whole_number(
    supermarket: Program, points: object
) -> None:
    with pytest.raises(InvalidInput):
        check_offset(
            supermarket,
            tier_code=None,
            bill_fen=20000,
            available_points=2000,
            points=points,  # type: ignore[arg-type]
        )


def test_zero_offset_is_always_allowed(supermarket: Program) -> None:
    assert (
        check_offset(supermarket, tier_code=None, bill_fen=20000, available_points=0, points=0) == 0
    )


def test_disabled_offset_allows_no_points() -> None:
    program = variant("supermarket", lambda d: d["offset"].__setitem__("enabled", False))
    limit = offset_limit(program, tier_code=None, bill_fen=20000, available_points=5000)
    assert limit.max_points == 0
    assert limit.reason == "this program has no point-to-cash offset"
    with pytest.raises(InvalidInput):
        check_offset(program, tier_code=None, bill_fen=20000, available_points=5000, points=100)
    assert (
        check_offset(program, tier_code=None, bill_fen=20000, available_points=5000, points=0) == 0
    )


# --- expiry --------------------------------------------------------------------------------------


def test_never_expiring_points_have_no_expiry() -> None:
    program = variant("supermarket", lambda d: d["expiry"].__setitem__("policy", "never"))
    assert lot_expiry(program, QUIET_DAY) is None


@pytest.mark.parametrize(
    ("earned_at", "expires"),
    [
        (at(2026, 1, 1, 0, 0), at(2028, 1, 1)),
        (at(2026, 6, 15, 12, 0), at(2028, 1, 1)),
        (at(2026, 12, 31, 23, 59), at(2028, 1, 1)),
        (at(2027, 1, 1, 0, 0), at(2029, 1, 1)),
        # the local year counts: 16:00 UTC on 31 Dec is already 1 Jan in Shanghai
        (dt.datetime(2026, 12, 31, 15, 59, tzinfo=UTC), at(2028, 1, 1)),
        (dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC), at(2029, 1, 1)),
    ],
)
def test_calendar_year_expiry_with_one_grace_year(
    supermarket: Program, earned_at: dt.datetime, expires: dt.datetime
) -> None:
    expiry = lot_expiry(supermarket, earned_at)
    assert expiry == expires
    assert expiry is not None
    assert expiry.utcoffset() == dt.timedelta(hours=8)


def test_calendar_year_expiry_without_grace_is_the_end_of_the_year() -> None:
    program = variant("supermarket", lambda d: d["expiry"].__setitem__("grace_years", 0))
    assert lot_expiry(program, at(2026, 5, 1, 9)) == at(2027, 1, 1)


@pytest.mark.parametrize(
    ("earned_at", "expires"),
    [
        (at(2026, 3, 2, 10, 30), at(2028, 3, 2, 10, 30)),
        (at(2026, 2, 28, 23, 59), at(2028, 2, 28, 23, 59)),
        (at(2024, 2, 29, 8, 0), at(2026, 2, 28, 8, 0)),
        (dt.datetime(2026, 3, 1, 17, 0, tzinfo=UTC), at(2028, 3, 2, 1, 0)),
    ],
)
def test_hotel_points_expire_24_months_after_they_were_earned(
    hotel: Program, earned_at: dt.datetime, expires: dt.datetime
) -> None:
    assert lot_expiry(hotel, earned_at) == expires


def test_rolling_expiry_clamps_to_the_end_of_a_shorter_month() -> None:
    def change(data: dict[str, Any]) -> None:
        data["expiry"] = {"policy": "rolling_months", "months": 1}

    program = variant("supermarket", change)
    assert lot_expiry(program, at(2026, 1, 31, 12, 0)) == at(2026, 2, 28, 12, 0)
    assert lot_expiry(program, at(2028, 1, 31, 12, 0)) == at(2028, 2, 29, 12, 0)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 5, 31), 0, dt.date(2026, 5, 31)),
        (dt.date(2026, 1, 15), 24, dt.date(2028, 1, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 15), -13, dt.date(2024, 12, 15)),
        (dt.date(2028, 2, 29), -12, dt.date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_expiry_rejects_naive_datetimes(supermarket: Program) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        lot_expiry(supermarket, dt.datetime(2026, 3, 2, 10))


# --- tiers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spend_fen", "tier"),
    [
        (0, "normal"),
        (yuan("4999.99"), "normal"),
        (yuan(5000), "silver"),
        (yuan("9999.99"), "silver"),
        (yuan(10000), "gold"),
        (yuan(1_000_000), "gold"),
    ],
)
def test_supermarket_tier_for_spend_at_thresholds(
    supermarket: Program, spend_fen: int, tier: str
) -> None:
    assert tier_for_spend(supermarket, spend_fen).code == tier


@pytest.mark.parametrize(
    ("spend_fen", "tier"),
    [(yuan("29999.99"), "gold"), (yuan(30000), "diamond")],
)
def test_hotel_diamond_threshold(hotel: Program, spend_fen: int, tier: str) -> None:
    assert tier_for_spend(hotel, spend_fen).code == tier


def test_tiers_passed_from_normal_to_gold_yields_silver_and_gold(supermarket: Program) -> None:
    passed = tiers_passed(supermarket, "normal", "gold")
    assert [t.code for t in passed] == ["silver", "gold"]
    assert sum(t.upgrade_bonus for t in passed) == 15000


@pytest.mark.parametrize(
    ("old", "new", "codes"),
    [
        ("silver", "gold", ["gold"]),
        ("normal", "silver", ["silver"]),
        ("gold", "gold", []),
        ("gold", "normal", []),
    ],
)
def test_tiers_passed(supermarket: Program, old: str, new: str, codes: list[str]) -> None:
    assert [t.code for t in tiers_passed(supermarket, old, new)] == codes


def test_hotel_tiers_passed_normal_to_diamond(hotel: Program) -> None:
    passed = tiers_passed(hotel, "normal", "diamond")
    assert [t.code for t in passed] == ["silver", "gold", "diamond"]
    assert [t.upgrade_bonus for t in passed] == [5000, 10000, 20000]


def test_lifetime_window_has_no_start(supermarket: Program) -> None:
    assert qualifying_window_start(supermarket, QUIET_DAY) is None


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (at(2026, 3, 2, 10), at(2026, 1, 1)),
        (at(2026, 1, 1, 0, 0), at(2026, 1, 1)),
        (at(2026, 12, 31, 23, 59), at(2026, 1, 1)),
        (dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC), at(2027, 1, 1)),
    ],
)
def test_calendar_year_window_starts_on_the_first_of_january(
    now: dt.datetime, start: dt.datetime
) -> None:
    program = variant(
        "supermarket", lambda d: d["tier_policy"].__setitem__("window", "calendar_year")
    )
    assert qualifying_window_start(program, now) == start


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (at(2026, 3, 2, 10, 0), at(2025, 3, 2, 10, 0)),
        (at(2028, 2, 29, 12, 0), at(2027, 2, 28, 12, 0)),
    ],
)
def test_hotel_rolling_12_month_window(
    hotel: Program, now: dt.datetime, start: dt.datetime
) -> None:
    assert qualifying_window_start(hotel, now) == start


def test_rolling_window_uses_window_months() -> None:
    def change(data: dict[str, Any]) -> None:
        data["tier_policy"]["window_months"] = 6

    program = variant("hotel", change)
    assert qualifying_window_start(program, at(2026, 8, 31, 9)) == at(2026, 2, 28, 9)


# --- allocation ----------------------------------------------------------------------------------


def test_allocate_is_proportional_when_exact() -> None:
    assert allocate(100, [1, 2, 3, 4]) == [10, 20, 30, 40]


def test_allocate_gives_remainders_to_the_largest_fractions() -> None:
    # shares 7/3 and 14/3: the second has the larger remainder
    assert allocate(7, [Fraction(1, 3), Fraction(2, 3)]) == [2, 5]


def test_allocate_ties_go_to_the_earlier_part() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(1, [Fraction(1, 2), Fraction(1, 2)]) == [1, 0]
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


def test_allocate_zero_weights_get_nothing() -> None:
    assert allocate(10, [0, 1, 0, 1]) == [0, 5, 0, 5]
    assert allocate(0, [0, 0]) == [0, 0]
    assert allocate(0, []) == []


def test_allocate_cannot_put_a_positive_total_on_zero_weights() -> None:
    with pytest.raises(ValueError):
        allocate(1, [0, 0])


@pytest.mark.parametrize(("total", "weights"), [(-1, [1]), (1, [1, -1])])
def test_allocate_rejects_negative_inputs(total: int, weights: list[int]) -> None:
    with pytest.raises(ValueError):
        allocate(total, weights)


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (105, [Fraction(333, 100), Fraction(9995, 100), Fraction(231, 100), 0, Fraction(1, 100)]),
        (99, [3, 3, 3, 3, 3, 3, 3]),
        (1, [1] * 9),
        (12345, [Fraction(1, 7), Fraction(2, 9), 5, Fraction(13, 11)]),
    ],
)
def test_allocate_always_sums_to_the_total(total: int, weights: list[Fraction | int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    whole = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * Fraction(weight) / whole) < 1


def test_pro_rata_successive_parts_add_up_exactly() -> None:
    parts = [pro_rata(100, done, 1, 3) for done in range(3)]
    assert parts == [33, 33, 34]
    assert sum(parts) == 100


def test_pro_rata_uneven_parts() -> None:
    # returning 2 of 7 units, then 4, then the last 1 of a 1000-fen line
    parts = [pro_rata(1000, 0, 2, 7), pro_rata(1000, 2, 4, 7), pro_rata(1000, 6, 1, 7)]
    assert parts == [285, 572, 143]
    assert sum(parts) == 1000


@pytest.mark.parametrize(("done", "part", "whole"), [(0, 1, 0), (-1, 1, 3), (2, 2, 3), (0, -1, 3)])
def test_pro_rata_rejects_quantities_out_of_range(done: int, part: int, whole: int) -> None:
    with pytest.raises(ValueError):
        pro_rata(100, done, part, whole)


# --- business day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (at(2026, 3, 2, 3, 59), dt.date(2026, 3, 1)),
        (at(2026, 3, 2, 4, 0), dt.date(2026, 3, 2)),
        (at(2026, 3, 2, 0, 0), dt.date(2026, 3, 1)),
        (at(2026, 3, 2, 23, 59), dt.date(2026, 3, 2)),
        (dt.datetime(2026, 3, 1, 19, 59, tzinfo=UTC), dt.date(2026, 3, 1)),  # 03:59 local
        (dt.datetime(2026, 3, 1, 20, 0, tzinfo=UTC), dt.date(2026, 3, 2)),  # 04:00 local
    ],
)
def test_business_day_with_the_0400_cutoff(
    supermarket: Program, now: dt.datetime, day: dt.date
) -> None:
    assert supermarket.business_day(now) == day


def test_hotel_business_day_cutoff_is_0500(hotel: Program) -> None:
    assert hotel.business_day(at(2026, 3, 2, 4, 59)) == dt.date(2026, 3, 1)
    assert hotel.business_day(at(2026, 3, 2, 5, 0)) == dt.date(2026, 3, 2)


def test_business_day_bounds(supermarket: Program) -> None:
    start, end = supermarket.business_day_bounds(dt.date(2026, 3, 2))
    assert start == at(2026, 3, 2, 4, 0)
    assert end == at(2026, 3, 3, 4, 0)


def test_business_day_rejects_naive_datetimes(supermarket: Program) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        supermarket.business_day(dt.datetime(2026, 3, 2, 10))
