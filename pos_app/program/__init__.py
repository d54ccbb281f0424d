"""The points program: definition, validation and the pure rules engine (no I/O)."""

from pos_app.program.earning import EarnLine, EarnQuote, quote_earning
from pos_app.program.expiry import lot_expiry
from pos_app.program.loader import (
    bundled_program,
    bundled_program_text,
    load_program_file,
    load_program_json,
    load_program_text,
    program_from_dict,
)
from pos_app.program.model import Program
from pos_app.program.offset import OffsetLimit, check_offset, offset_limit
from pos_app.program.tiers import qualifying_window_start, tier_for_spend, tiers_passed

__all__ = [
    "EarnLine",
    "EarnQuote",
    "OffsetLimit",
    "Program",
    "bundled_program",
    "bundled_program_text",
    "check_offset",
    "load_program_file",
    "load_program_json",
    "load_program_text",
    "lot_expiry",
    "offset_limit",
    "program_from_dict",
    "qualifying_window_start",
    "quote_earning",
    "tier_for_spend",
    "tiers_passed",
]
