"""Member card numbers as they arrive from scanners, magstripe readers and keyboards."""

from __future__ import annotations

import re

from pos_app.errors import InvalidInput

# Magstripe track sentinels (%...? on track 1, ;...? on track 2) and scanner prefixes.
_SENTINELS = "%;?^\x02\x03"
_CARD = re.compile(r"[0-9A-Z]{4,32}")


def normalise_card(text: str, *, field: str = "card") -> str:
    """``";8800012345?\\r"`` -> ``"8800012345"``; garbage is an error, never a lookup."""
    if not isinstance(text, str):
        raise InvalidInput("scan or type a card number", field=field)
    cleaned = text.strip().strip(_SENTINELS).strip().replace(" ", "").replace("-", "").upper()
    if not cleaned:
        raise InvalidInput("scan or type a card number", field=field)
    if not _CARD.fullmatch(cleaned):
        raise InvalidInput(f"{text.strip()!r} is not a card number", field=field)
    return cleaned
