"""Split a whole number across parts in proportion to weights, exactly.

Used to spread one sale's floored points (and its offset) over its lines so
per-line figures always add up to the sale total, which keeps returns exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def allocate(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Largest-remainder split of ``total`` (>= 0) proportional to non-negative ``weights``.

    The result sums to ``total``; ties go to the earlier part. All-zero weights
    only allow a zero total.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    weights = [Fraction(w) for w in weights]
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    whole = sum(weights, Fraction(0))
    if whole == 0:
        if total:
            raise ValueError("cannot allocate a positive total over zero weights")
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    parts = [s.numerator // s.denominator for s in shares]
    remainder = total - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:remainder]:
        parts[i] += 1
    return parts


def pro_rata(amount: int, done: int, part: int, whole: int) -> int:
    """Cumulative share of ``amount`` for ``done + part`` of ``whole`` units, minus the share
    for ``done`` units, both floored. Successive parts add up to ``amount`` exactly."""
    if whole <= 0 or not 0 <= done <= done + part <= whole:
        raise ValueError("quantities out of range")
    return (amount * (done + part)) // whole - (amount * done) // whole
