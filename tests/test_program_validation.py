"""Loading and validating program definitions: every bad file names the bad field."""

from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pos_app.errors import ProgramError
from pos_app.program import (
    Program,
    bundled_program,
    bundled_program_text,
    load_program_file,
    load_program_json,
    load_program_text,
    program_from_dict,
)

Change = Callable[[dict[str, Any]], None]


def data_of(name: str) -> dict[str, Any]:
    """A bundled program's TOML structure, ready to be mutated."""
    return copy.deepcopy(tomllib.loads(bundled_program_text(name)))


def bad_field(data: dict[str, Any]) -> str | None:
    """The field a rejected program structure is rejected for."""
    with pytest.raises(ProgramError) as info:
        program_from_dict(data)
    return info.value.field


def set_in(*path: str | int, value: object) -> Change:
    """A change that sets ``data[path[0]][path[1]]... = value``."""

    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def drop(*path: str | int) -> Change:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


# --- bundled programs ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["supermarket", "hotel"])
def test_bundled_programs_load(name: str) -> None:
    program = bundled_program(name)
    assert program.code == name
    assert program.version == 1
    assert program.zone.key == "Asia/Shanghai"


def test_supermarket_values_are_read_exactly() -> None:
    d = bundled_program("supermarket").definition
    assert d.earning.points_per_yuan == Fraction(1)
    assert d.earning.category_rates == {
        "electronics": Fraction(5),
        "daily": Fraction(3),
        "tobacco": Fraction(0),
    }
    assert [t.code for t in d.tiers] == ["normal", "silver", "gold"]
    assert [t.qualify_spend for t in d.tiers] == [0, 500000, 1000000]
    assert [t.upgrade_bonus for t in d.tiers] == [0, 5000, 10000]
    assert d.program.business_day_cutoff == dt.time(4, 0)
    assert d.campaigns[0].start == dt.date(2026, 10, 1)
    assert d.campaigns[0].end == dt.date(2026, 10, 7)
    assert d.campaigns[0].multiplier == 2
    assert d.campaigns[2].weekdays == [6, 7]
    assert (d.caps.per_sale, d.caps.per_member_per_day) == (50000, 100000)
    assert d.offset.max_share == Fraction(1, 2)
    assert (d.offset.points_per_yuan, d.offset.step, d.offset.min_points) == (100, 100, 100)
    assert d.returns.manager_approval_over == 20000
    assert d.bonuses.activities["checkin-7-days"].points == 50


def test_hotel_values_are_read_exactly() -> None:
    d = bundled_program("hotel").definition
    assert d.earning.points_per_yuan == Fraction(1, 10)
    assert [t.points_per_yuan for t in d.tiers] == [
        Fraction(1, 10),
        Fraction(1, 8),
        Fraction(1, 6),
        Fraction(1, 5),
    ]
    assert [t.offset_points_per_yuan for t in d.tiers] == [None, None, 80, 50]
    assert d.offset.max_share == Fraction(3, 10)
    assert d.offset.min_points == 1000
    assert d.program.business_day_cutoff == dt.time(5, 0)
    assert d.tier_policy.window == "rolling_months"
    assert d.tier_policy.window_months == 12
    assert d.expiry.months == 24
    assert d.campaigns[0].tiers == ["gold", "diamond"]
    assert d.returns.manager_approval_over == 0


@pytest.mark.parametrize("name", ["supermarket", "hotel"])
def test_bundled_program_round_trips_through_json_with_the_same_digest(name: str) -> None:
    program = bundled_program(name)
    again = load_program_json(program.to_json())
    assert again.digest == program.digest
    assert again.to_json() == program.to_json()
    assert again.definition == program.definition


def test_json_form_writes_rates_as_fractions_and_amounts_in_yuan() -> None:
    data = json.loads(bundled_program("hotel").to_json())
    assert data["earning"]["points_per_yuan"] == "1/10"
    assert data["offset"]["max_share"] == "3/10"
    assert data["tiers"][1]["qualify_spend"] == "5000.00"
    assert data["tiers"][2]["points_per_yuan"] == "1/6"


def test_the_two_bundled_programs_have_different_digests() -> None:
    assert bundled_program("supermarket").digest != bundled_program("hotel").digest


def test_digest_changes_with_any_rule() -> None:
    data = data_of("supermarket")
    data["caps"]["per_sale"] = 49999
    assert program_from_dict(data).digest != bundled_program("supermarket").digest


def test_unknown_bundled_program_is_a_program_error() -> None:
    with pytest.raises(ProgramError, match="no bundled program"):
        bundled_program("pharmacy")


def test_load_program_file_reads_a_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "supermarket.toml"
    path.write_text(bundled_program_text("supermarket"), encoding="utf-8")
    assert load_program_file(path).digest == bundled_program("supermarket").digest
    assert load_program_file(str(path)).digest == bundled_program("supermarket").digest


# --- bad fields ----------------------------------------------------------------------------------


BAD_SUPERMARKET: list[tuple[str, Change, str]] = [
    # wrong types
    ("bonus as text", set_in("tiers", 1, "upgrade_bonus", value="lots"), "tiers[1].upgrade_bonus"),
    ("bonus as float", set_in("tiers", 2, "upgrade_bonus", value=1.5), "tiers[2].upgrade_bonus"),
    ("negative bonus", set_in("tiers", 1, "upgrade_bonus", value=-1), "tiers[1].upgrade_bonus"),
    ("version as text", set_in("program", "version", value="1"), "program.version"),
    ("version zero", set_in("program", "version", value=0), "program.version"),
    ("step as text", set_in("offset", "step", value="100"), "offset.step"),
    ("cap as text", set_in("caps", "per_sale", value="50000"), "caps.per_sale"),
    ("signup as bool", set_in("bonuses", "signup", value=True), "bonuses.signup"),
    (
        "bad cutoff",
        set_in("program", "business_day_cutoff", value="25:00"),
        "program.business_day_cutoff",
    ),
    ("bad window", set_in("tier_policy", "window", value="forever"), "tier_policy.window"),
    ("bad expiry policy", set_in("expiry", "policy", value="soon"), "expiry.policy"),
    ("bad rounding", set_in("earning", "rounding", value="round"), "earning.rounding"),
    # missing required fields
    ("no earning section", drop("earning"), "earning"),
    ("no program section", drop("program"), "program"),
    ("no base rate", drop("earning", "points_per_yuan"), "earning.points_per_yuan"),
    ("no program code", drop("program", "code"), "program.code"),
    ("no tier name", drop("tiers", 1, "name"), "tiers[1].name"),
    ("no campaign end", drop("campaigns", 0, "end"), "campaigns[0].end"),
    (
        "no activity points",
        drop("bonuses", "activities", "review", "points"),
        "bonuses.activities.review.points",
    ),
    # tiers
    ("no tiers key", drop("tiers"), "tiers"),
    ("empty tiers", set_in("tiers", value=[]), "tiers"),
    ("duplicate tier code", set_in("tiers", 2, "code", value="silver"), "tiers[2].code"),
    (
        "tiers out of order",
        set_in("tiers", 2, "qualify_spend", value=4000),
        "tiers[2].qualify_spend",
    ),
    (
        "tiers with equal spend",
        set_in("tiers", 2, "qualify_spend", value=5000),
        "tiers[2].qualify_spend",
    ),
    (
        "first tier not at 0",
        set_in("tiers", 0, "qualify_spend", value=100),
        "tiers[0].qualify_spend",
    ),
    ("negative spend", set_in("tiers", 1, "qualify_spend", value=-5000), "tiers[1].qualify_spend"),
    (
        "spend in tenths of fen",
        set_in("tiers", 1, "qualify_spend", value="5000.001"),
        "tiers[1].qualify_spend",
    ),
    ("tier code with capitals", set_in("tiers", 1, "code", value="Silver"), "tiers[1].code"),
    # unknown fields (typos)
    ("typo in earning", set_in("earning", "earn_on_ofset", value=True), "earning.earn_on_ofset"),
    ("typo in a tier", set_in("tiers", 1, "upgrade_bonnus", value=5), "tiers[1].upgrade_bonnus"),
    ("typo in a section", set_in("expiri", value={"policy": "never"}), "expiri"),
    ("typo in a campaign", set_in("campaigns", 1, "weekday", value=[1]), "campaigns[1].weekday"),
    # rates
    ("negative rate", set_in("earning", "points_per_yuan", value="-1"), "earning.points_per_yuan"),
    (
        "negative int rate",
        set_in("earning", "points_per_yuan", value=-1),
        "earning.points_per_yuan",
    ),
    ("rate too large", set_in("earning", "points_per_yuan", value=1001), "earning.points_per_yuan"),
    ("garbage rate", set_in("earning", "points_per_yuan", value="lots"), "earning.points_per_yuan"),
    (
        "garbage fraction",
        set_in("earning", "points_per_yuan", value="one/10"),
        "earning.points_per_yuan",
    ),
    (
        "division by zero",
        set_in("earning", "points_per_yuan", value="1/0"),
        "earning.points_per_yuan",
    ),
    ("not a number", set_in("earning", "points_per_yuan", value="NaN"), "earning.points_per_yuan"),
    ("bool rate", set_in("earning", "points_per_yuan", value=True), "earning.points_per_yuan"),
    ("list rate", set_in("earning", "points_per_yuan", value=[1]), "earning.points_per_yuan"),
    (
        "negative category rate",
        set_in("earning", "category_rates", "daily", value="-3"),
        "earning.category_rates",
    ),
    # campaigns
    (
        "multiplier below 1",
        set_in("campaigns", 0, "multiplier", value="1/2"),
        "campaigns[0].multiplier",
    ),
    ("multiplier zero", set_in("campaigns", 1, "multiplier", value=0), "campaigns[1].multiplier"),
    (
        "multiplier too large",
        set_in("campaigns", 1, "multiplier", value=101),
        "campaigns[1].multiplier",
    ),
    ("weekday 8", set_in("campaigns", 2, "weekdays", value=[6, 8]), "campaigns[2].weekdays[1]"),
    ("weekday 0", set_in("campaigns", 2, "weekdays", value=[0]), "campaigns[2].weekdays[0]"),
    ("bad start date", set_in("campaigns", 1, "start", value="2026-13-01"), "campaigns[1].start"),
    (
        "duplicate campaign code",
        set_in("campaigns", 1, "code", value="national-day-2026"),
        "campaigns[1].code",
    ),
    (
        "unknown campaign tier",
        set_in("campaigns", 0, "tiers", value=["platinum"]),
        "campaigns[0].tiers[0]",
    ),
    # offset
    (
        "step not worth whole fen",
        set_in("offset", "points_per_yuan", value=300),
        "offset.points_per_yuan",
    ),
    ("min_points off step", set_in("offset", "min_points", value=150), "offset.min_points"),
    ("step zero", set_in("offset", "step", value=0), "offset.step"),
    ("share above 1", set_in("offset", "max_share", value="3/2"), "offset.max_share"),
    ("negative share", set_in("offset", "max_share", value="-0.1"), "offset.max_share"),
    (
        "tier offset rate off step",
        set_in("tiers", 2, "offset_points_per_yuan", value=300),
        "tiers[2].offset_points_per_yuan",
    ),
    # time zone
    ("unknown zone", set_in("program", "timezone", value="Mars/Olympus"), "program.timezone"),
    ("empty zone", set_in("program", "timezone", value=""), "program.timezone"),
    ("zone path", set_in("program", "timezone", value="/etc/localtime"), "program.timezone"),
    # returns
    ("negative max_days", set_in("returns", "max_days", value=-1), "returns.max_days"),
    (
        "approval in tenths of fen",
        set_in("returns", "manager_approval_over", value="0.001"),
        "returns.manager_approval_over",
    ),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [pytest.param(change, field, id=label) for label, change, field in BAD_SUPERMARKET],
)
def test_bad_program_names_the_bad_field(change: Change, field: str) -> None:
    data = data_of("supermarket")
    change(data)
    assert bad_field(data) == field


def test_unknown_tier_in_a_hotel_campaign_names_the_entry() -> None:
    data = data_of("hotel")
    data["campaigns"][0]["tiers"] = ["gold", "platinum"]
    assert bad_field(data) == "campaigns[0].tiers[1]"


def test_hotel_tier_offset_rate_must_keep_steps_whole_fen() -> None:
    data = data_of("hotel")
    data["tiers"][3]["offset_points_per_yuan"] = 30  # 100 points = 3.333... yuan
    assert bad_field(data) == "tiers[3].offset_points_per_yuan"


def test_error_messages_say_what_is_wrong() -> None:
    data = data_of("supermarket")
    del data["earning"]
    with pytest.raises(ProgramError) as info:
        program_from_dict(data)
    assert info.value.message == "is required but missing"
    assert str(info.value) == "earning: is required but missing"

    data = data_of("supermarket")
    data["earning"]["earn_on_ofset"] = True
    with pytest.raises(ProgramError, match="not a known field"):
        program_from_dict(data)


def test_error_counts_further_problems() -> None:
    data = data_of("supermarket")
    data["tiers"][1]["upgrade_bonus"] = "lots"
    data["tiers"][2]["upgrade_bonus"] = "heaps"
    with pytest.raises(ProgramError, match=r"and 1 more problems") as info:
        program_from_dict(data)
    assert info.value.field == "tiers[1].upgrade_bonus"


def test_campaign_ending_before_it_starts_is_rejected() -> None:
    data = data_of("supermarket")
    data["campaigns"][0]["end"] = dt.date(2026, 9, 30)
    with pytest.raises(ProgramError, match="before it starts") as info:
        program_from_dict(data)
    assert info.value.field is not None
    assert info.value.field.startswith("campaigns[0]")


def test_campaign_ending_before_it_starts_names_the_end_field() -> None:
    data = data_of("supermarket")
    data["campaigns"][0]["end"] = dt.date(2026, 9, 30)
    assert bad_field(data) == "campaigns[0].end"


def test_one_day_campaign_is_valid() -> None:
    data = data_of("supermarket")
    data["campaigns"][0]["end"] = data["campaigns"][0]["start"]
    assert program_from_dict(data).definition.campaigns[0].end == dt.date(2026, 10, 1)


# --- exact rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "rate"),
    [
        (0.5, Fraction(1, 2)),
        (0.1, Fraction(1, 10)),
        (0.3, Fraction(3, 10)),
        ("0.1", Fraction(1, 10)),
        ("1/3", Fraction(1, 3)),
        (" 1 / 8 ", Fraction(1, 8)),
        ("2.5/10", Fraction(1, 4)),
        (5, Fraction(5)),
        ("0", Fraction(0)),
        (1000, Fraction(1000)),
    ],
)
def test_rates_are_read_exactly(written: object, rate: Fraction) -> None:
    data = data_of("supermarket")
    data["earning"]["points_per_yuan"] = written
    assert program_from_dict(data).definition.earning.points_per_yuan == rate


def test_float_rates_in_toml_text_are_exact() -> None:
    text = bundled_program_text("supermarket").replace(
        'points_per_yuan = "1"', "points_per_yuan = 0.5", 1
    )
    text = text.replace('max_share = "1/2"', "max_share = 0.3", 1)
    program = load_program_text(text)
    assert program.definition.earning.points_per_yuan == Fraction(1, 2)
    assert program.definition.offset.max_share == Fraction(3, 10)


def test_yuan_amounts_are_read_as_fen() -> None:
    data = data_of("supermarket")
    data["tiers"][1]["qualify_spend"] = "4999.99"
    data["tiers"][2]["qualify_spend"] = 9999.5
    tiers = program_from_dict(data).definition.tiers
    assert [t.qualify_spend for t in tiers] == [0, 499999, 999950]


# --- bad text and files --------------------------------------------------------------------------


def test_string_where_an_int_is_expected_in_toml_text() -> None:
    text = bundled_program_text("supermarket").replace(
        "upgrade_bonus = 5000", 'upgrade_bonus = "lots"', 1
    )
    with pytest.raises(ProgramError) as info:
        load_program_text(text)
    assert info.value.field == "tiers[1].upgrade_bonus"


def test_missing_earning_section_in_toml_text() -> None:
    text = bundled_program_text("supermarket")
    start = text.index("[earning]")
    end = text.index("[[tiers]]")
    with pytest.raises(ProgramError) as info:
        load_program_text(text[:start] + text[end:])
    assert info.value.field == "earning"


def test_invalid_toml_syntax_is_a_program_error() -> None:
    text = bundled_program_text("supermarket").replace('code = "supermarket"', "code = ", 1)
    with pytest.raises(ProgramError, match=r"supermarket\.toml is not valid TOML") as info:
        load_program_text(text, source="supermarket.toml")
    assert info.value.field is None


def test_invalid_toml_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[program\ncode = 1\n", encoding="utf-8")
    with pytest.raises(ProgramError, match=r"broken\.toml is not valid TOML"):
        load_program_file(path)


def test_missing_program_file_is_a_program_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ProgramError, match="does not exist") as info:
        load_program_file(path)
    assert "nope.toml" in info.value.message


def test_program_file_that_is_not_utf8_is_a_program_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(bundled_program_text("supermarket").encode("gbk"))
    with pytest.raises(ProgramError, match="not UTF-8"):
        load_program_file(path)


def test_program_path_that_is_a_folder_is_a_program_error(tmp_path: Path) -> None:
    with pytest.raises(ProgramError):
        load_program_file(tmp_path)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"supermarket"', "null"])
def test_bad_json_is_a_program_error(text: str) -> None:
    with pytest.raises(ProgramError) as info:
        load_program_json(text)
    assert info.value.field is None


def test_json_with_a_bad_field_names_it() -> None:
    data = json.loads(bundled_program("hotel").to_json())
    data["offset"]["step"] = 30
    with pytest.raises(ProgramError) as info:
        load_program_json(json.dumps(data))
    # 30 points are 30 fen at 100 points per yuan, but 37.5 fen at gold's 80 points per yuan
    assert info.value.field == "tiers[2].offset_points_per_yuan"


# --- bugs: values that escape validation ---------------------------------------------------------


def test_negative_tier_rate_is_rejected() -> None:
    data = data_of("hotel")
    data["tiers"][1]["points_per_yuan"] = "-1/8"
    assert bad_field(data) == "tiers[1].points_per_yuan"


def test_huge_tier_rate_is_rejected() -> None:
    data = data_of("hotel")
    data["tiers"][1]["points_per_yuan"] = 100000
    assert bad_field(data) == "tiers[1].points_per_yuan"


@pytest.mark.parametrize("written", ["Infinity", "inf", float("inf")])
def test_infinite_rate_is_a_program_error(written: object) -> None:
    data = data_of("supermarket")
    data["earning"]["points_per_yuan"] = written
    assert bad_field(data) == "earning.points_per_yuan"


def test_zone_folder_name_is_an_unknown_time_zone() -> None:
    data = data_of("supermarket")
    data["program"]["timezone"] = "America"
    assert bad_field(data) == "program.timezone"


def test_program_from_dict_returns_a_program() -> None:
    program = program_from_dict(data_of("hotel"))
    assert isinstance(program, Program)
    assert program.digest == bundled_program("hotel").digest
