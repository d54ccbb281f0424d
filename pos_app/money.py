"""Money in integer fen and points as integers; no float ever touches either.

Amounts typed by people arrive as text ("12.5", "￥1,200.00") and become fen
here, at the edge. Inside, services accept only ``int`` and refuse anything
else, so a float cannot sneak in through code either.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pos_app.errors import InvalidInput

#: Upper bound for one amount: ten million yuan. Anything above is a typo or garbage.
MAX_FEN = 10_000_000 * 100
#: Upper bound for one points movement.
MAX_POINTS = 1_000_000_000

# digits with at most one point: no exponents ("1e3") or underscores ("1_000")
_PLAIN_AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_CURRENCY_MARKS = str.maketrans({"￥": "", "¥": "", ",": "", "，": "", " ": "", "\u3000": ""})


def parse_yuan(text: str | int | Decimal, *, field: str = "amount") -> int:
    """Turn a yuan amount as typed (``"12.5"``, ``"￥1,200"``, ``12``) into fen.

    More than two decimals, negative values, floats and absurd amounts are refused.
    """
    if isinstance(text, (bool, float)):
        raise InvalidInput("amounts must be given as text or whole numbers", field=field)
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        cleaned = text.strip().translate(_CURRENCY_MARKS)
        if not cleaned:
            raise InvalidInput("enter an amount", field=field)
        if not _PLAIN_AMOUNT.fullmatch(cleaned):
            raise InvalidInput(f"{text!r} is not an amount", field=field)
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise InvalidInput(f"{text!r} is not an amount", field=field) from None
    else:
        raise InvalidInput(f"{text!r} is not an amount", field=field)
    if not value.is_finite():
        raise InvalidInput(f"{text!r} is not an amount", field=field)
    fen = value * 100
    if fen != fen.to_integral_value():
        raise InvalidInput("an amount has at most two decimals (fen)", field=field)
    return require_fen(int(fen), field=field)


def require_fen(value: object, *, field: str = "amount", allow_zero: bool = True) -> int:
    """Check that ``value`` is a sane, non-negative integer amount in fen."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"amount must be whole fen, got {value!r}", field=field)
    if value < 0:
        raise InvalidInput("amount cannot be negative", field=field)
    if value == 0 and not allow_zero:
        raise InvalidInput("amount must be more than zero", field=field)
    if value > MAX_FEN:
        raise InvalidInput("amount is too large", field=field)
    return value


def require_points(value: object, *, field: str = "points", allow_negative: bool = False) -> int:
    """Check that ``value`` is a sane integer number of points."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"points must be a whole number, got {value!r}", field=field)
    if value < 0 and not allow_negative:
        raise InvalidInput("points cannot be negative", field=field)
    if abs(value) > MAX_POINTS:
        raise InvalidInput("points value is too large", field=field)
    return value


def format_fen(fen: int, *, symbol: str = "", grouped: bool = False) -> str:
    """``123456`` -> ``"1234.56"``; with ``grouped`` ``"1,234.56"``; optional symbol in front."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    yuan = f"{fen // 100:,}" if grouped else str(fen // 100)
    return f"{sign}{symbol}{yuan}.{fen % 100:02d}"
