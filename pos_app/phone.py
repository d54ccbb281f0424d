"""Chinese mobile numbers: normalisation, partial search keys and masking."""

from __future__ import annotations

import re
import unicodedata

from pos_app.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s\-().\u00a0\u3000]")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_phone(text: str, *, field: str = "phone") -> str:
    """Return the 11-digit mobile number in ``text``.

    Accepts spaces, dashes, brackets, full-width digits and a ``+86``/``0086``/``86``
    prefix; anything else is an error that says what is wrong.
    """
    if not isinstance(text, str):
        raise InvalidInput("enter a phone number", field=field)
    # full-width digits and punctuation from Chinese input methods (１３８－…, ＋８６)
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        raise InvalidInput("enter a phone number", field=field)
    if not digits.isdigit() or not digits.isascii():
        raise InvalidInput(f"{text!r} is not a phone number", field=field)
    if len(digits) != 11:
        raise InvalidInput(
            f"a mobile number has 11 digits, {text!r} has {len(digits)}", field=field
        )
    if not _MOBILE.fullmatch(digits):
        raise InvalidInput(f"{text!r} is not a Chinese mobile number", field=field)
    return digits


def last4_key(text: str, *, field: str = "phone") -> str:
    """The 4-digit partial search key typed at the counter."""
    digits = _SEPARATORS.sub("", text.strip())
    if len(digits) != 4 or not digits.isdigit() or not digits.isascii():
        raise InvalidInput("type the last 4 digits of the phone number", field=field)
    return digits


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678`` for receipts, screens and the kiosk."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str) -> str:
    """Keep the first character (the family name for Chinese names) and mask the rest."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if name.isascii() and " " in name:
        first, _, rest = name.partition(" ")
        return f"{first} {rest[0]}." if rest else first
    return name[0] + "*" * min(len(name) - 1, 2)
