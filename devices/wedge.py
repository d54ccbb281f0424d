"""Keyboard-wedge scanners: a burst of fast keys ending in Enter, told apart from typing.

A scanner "types" a whole code in a few milliseconds; a person needs 80 ms or
more per key. A burst is a scan when every gap (including the one before
Enter) is short and it is long enough to be a card or item code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: longest gap between two keys of one scan (scanners send 1-15 ms apart)
MAX_GAP_MS = 40.0
#: shortest code a scan can produce
MIN_LENGTH = 4


@dataclass
class WedgeDecoder:
    max_gap_ms: float = MAX_GAP_MS
    min_length: int = MIN_LENGTH
    _chars: list[str] = field(default_factory=list)
    _last_ms: float | None = None

    def key(self, char: str, t_ms: float) -> bool:
        """A printable key at time ``t_ms`` (monotonic milliseconds); True when it starts a
        new burst (so the caller can remember what the field held before it)."""
        fresh = self._last_ms is None or t_ms - self._last_ms > self.max_gap_ms
        if fresh:
            self._chars = []  # too slow: a new burst starts here
        self._chars.append(char)
        self._last_ms = t_ms
        return fresh

    def enter(self, t_ms: float) -> str | None:
        """Enter at ``t_ms``: the scanned code if the burst was a scan, else None."""
        chars, last = self._chars, self._last_ms
        self.reset()
        if last is None or t_ms - last > self.max_gap_ms or len(chars) < self.min_length:
            return None
        return "".join(chars)

    def reset(self) -> None:
        self._chars = []
        self._last_ms = None
