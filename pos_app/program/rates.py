"""Exact rates for the program: fractions parsed from text, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer


def parse_rate(value: object) -> Fraction:
    """``"1/10"``, ``"0.1"``, ``5`` or ``0.5`` (as written in TOML) -> exact Fraction."""
    if isinstance(value, bool):
        raise ValueError('expected a rate such as 5, "1/10" or "0.5"')
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        # TOML gives the author's decimal as a float; its shortest repr is what they wrote.
        value = repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a finite rate")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if "/" in text:
                num, _, den = text.partition("/")
                return Fraction(Decimal(num.strip())) / Fraction(Decimal(den.strip()))
            return Fraction(Decimal(text))
        except (InvalidOperation, ZeroDivisionError, ValueError, OverflowError):
            pass
    raise ValueError(f'{value!r} is not a rate; write it like 5, "1/10" or "0.5"')


def parse_yuan_field(value: object) -> int:
    """A yuan amount in the program file (``5000`` or ``"99.5"``) -> fen."""
    rate = parse_rate(value)
    fen = rate * 100
    if fen.denominator != 1:
        raise ValueError("amounts have at most two decimals")
    if fen < 0:
        raise ValueError("amounts cannot be negative")
    return int(fen)


def format_rate(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


Rate = Annotated[
    Fraction,
    BeforeValidator(parse_rate),
    PlainSerializer(format_rate, return_type=str),
]
"""A non-float exact rate; serialised back as ``"n/d"`` text."""

YuanAsFen = Annotated[
    int,
    BeforeValidator(parse_yuan_field),
    PlainSerializer(lambda fen: f"{fen // 100}.{fen % 100:02d}", return_type=str),
]
"""Written in yuan in the program file, held as integer fen."""
