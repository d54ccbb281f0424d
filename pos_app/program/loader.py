"""Load and validate a program from TOML or from the JSON structure HQ sends."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pos_app.errors import ProgramError
from pos_app.program.model import Program
from pos_app.program.schema import ProgramDefinition

BUNDLED_PROGRAMS = ("supermarket", "hotel")


def error_field(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "program"


def error_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    msg = str(error.get("msg", "is invalid"))
    return msg.removeprefix("Value error, ")


def program_from_dict(data: Mapping[str, Any]) -> Program:
    """Validate a program structure; the error names the first bad field."""
    try:
        definition = ProgramDefinition.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = error_field(tuple(first["loc"]))
        extra = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ProgramError(error_message(first) + extra, field=field) from None
    _check_references(definition)
    return Program(definition)


def _check_references(d: ProgramDefinition) -> None:
    """Rules that span fields: tier order and references, whole-fen offsets."""
    codes = [t.code for t in d.tiers]
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            raise ProgramError(f"tier code {code!r} appears twice", field=f"tiers[{i}].code")
        seen.add(code)
    if d.tiers[0].qualify_spend != 0:
        raise ProgramError(
            "the first tier is the entry tier and must qualify at 0", field="tiers[0].qualify_spend"
        )
    for i in range(1, len(d.tiers)):
        if d.tiers[i].qualify_spend <= d.tiers[i - 1].qualify_spend:
            raise ProgramError(
                "tiers must be listed from lowest to highest qualifying spend",
                field=f"tiers[{i}].qualify_spend",
            )
    for i, campaign in enumerate(d.campaigns):
        for j, tier in enumerate(campaign.tiers):
            if tier not in seen:
                raise ProgramError(f"unknown tier {tier!r}", field=f"campaigns[{i}].tiers[{j}]")
    campaign_codes = [c.code for c in d.campaigns]
    for i, code in enumerate(campaign_codes):
        if campaign_codes.index(code) != i:
            raise ProgramError(
                f"campaign code {code!r} appears twice", field=f"campaigns[{i}].code"
            )
    # A step of points must always be worth whole fen, at every tier's offset rate.
    rates = [("offset.points_per_yuan", d.offset.points_per_yuan)] + [
        (f"tiers[{i}].offset_points_per_yuan", t.offset_points_per_yuan)
        for i, t in enumerate(d.tiers)
        if t.offset_points_per_yuan is not None
    ]
    for field, rate in rates:
        if (d.offset.step * 100) % rate:
            raise ProgramError(
                f"offset.step {d.offset.step} points is not worth whole fen at {rate} points "
                "per yuan; choose a step that is",
                field=field,
            )
    if d.offset.min_points % d.offset.step:
        raise ProgramError("min_points must be a multiple of step", field="offset.min_points")
    if d.offline.max_redemption_points > d.offline.max_device_points:
        raise ProgramError(
            "one redemption cannot be allowed more points than the device in all "
            f"({d.offline.max_device_points})",
            field="offline.max_redemption_points",
        )


def load_program_text(text: str, *, source: str = "program") -> Program:
    """Parse TOML text into a validated program."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgramError(f"{source} is not valid TOML: {exc}") from None
    return program_from_dict(data)


def load_program_file(path: str | Path) -> Program:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgramError(f"program file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise ProgramError(f"program file {str(path)!r} is not UTF-8 text") from None
    except OSError as exc:
        raise ProgramError(f"program file {str(path)!r} cannot be read: {exc.strerror}") from None
    return load_program_text(text, source=path.name)


def load_program_json(text: str) -> Program:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProgramError(f"program is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProgramError("program must be an object")
    return program_from_dict(data)


def bundled_program_text(name: str) -> str:
    """Text of a program shipped in ``resources/programs`` (``supermarket``, ``hotel``)."""
    if name not in BUNDLED_PROGRAMS:
        raise ProgramError(f"no bundled program {name!r}; choose one of {BUNDLED_PROGRAMS}")
    return (resources.files("resources") / "programs" / f"{name}.toml").read_text("utf-8")


def bundled_program(name: str) -> Program:
    return load_program_text(bundled_program_text(name), source=f"{name}.toml")
