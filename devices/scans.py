"""The scan event every scanner kind produces, and the one place raw scans are cleaned.

Barcode scanners and magstripe readers send plain ASCII. Anything else on the
line (bytes >= 0x80, control characters in the middle of a code, endless
streams without a terminator) is electrical noise, a wrong baud rate or a
reader in the wrong mode, so it is rejected here instead of being looked up as
a card or an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: longest code accepted (track 1 holds at most 79 characters, barcodes far fewer)
MAX_SCAN_LENGTH = 128

# Magstripe tracks: start sentinel, data, end sentinel, then maybe one LRC character.
_TRACK1 = r"%(?P<t1>[^%?]*)\?.?"
_TRACK2 = r";(?P<t2>[^;?]*)\?.?"
_ONE_TRACK = re.compile(f"{_TRACK1}|{_TRACK2}", re.DOTALL)
# readers set to send every track put them one after the other in a single frame
_BOTH_TRACKS = re.compile(f"{_TRACK1}{_TRACK2}", re.DOTALL)
# MagTek-style readers report an unreadable track as "%E?" / ";E?"
_TRACK_ERROR = "E"


@dataclass(frozen=True)
class ScanEvent:
    """One accepted scan: the cleaned code and where it came from."""

    code: str
    #: "wedge", "serial:/dev/ttyUSB0", "serial:socket://10.0.0.5:4001", ...
    source: str


def _is_blank(ch: str) -> bool:
    return ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F


def _strip_blank(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def _track_data(text: str) -> str | None:
    """The data of a magstripe frame (track 2 preferred when both came), ``text`` otherwise.

    None when the reader reported a bad swipe.
    """
    both = _BOTH_TRACKS.fullmatch(text)
    if both:
        # loyalty numbers live on track 2; fall back to track 1 when track 2 was unreadable
        for data in (both["t2"], both["t1"]):
            if data and data != _TRACK_ERROR:
                return data
        return None
    one = _ONE_TRACK.fullmatch(text)
    if one:
        data = one["t1"] if one["t1"] is not None else one["t2"]
        return None if data == _TRACK_ERROR else data
    return text


def clean_scan(raw: str, *, max_length: int = MAX_SCAN_LENGTH) -> str | None:
    """The code in a raw scan, or None when it is garbage.

    Surrounding whitespace and control characters (CR, LF, STX/ETX, ...) and
    magstripe sentinels (``;...?`` track 2, ``%...?`` track 1, plus a trailing
    LRC character) are removed; track 1 data (``B...^NAME^...``) is kept as-is.
    Garbage is an empty code, one longer than ``max_length``, or any character
    that is not printable ASCII: scanners only send ASCII, so such a character
    means line noise or a misconfigured device, never a real code.
    """
    text = _strip_blank(raw)
    if not text:
        return None
    data = _track_data(text)
    if not data or len(data) > max_length:
        return None
    if not all(" " <= ch <= "~" for ch in data):
        return None
    return data
