"""Split a whole number across parts in proportion to weights, exactly.

Used to spread one sale's floored points (and its offset) over its lines so
per-line figures always add up to the sale total, which keeps returns exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import lcm


def allocate(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Largest-remainder split of ``total`` (>= 0) proportional to non-negative ``weights``.

    The result sums to ``total``; ties go to the earlier part. All-zero weights
    only allow a zero total. Integer arithmetic throughout (fractions are scaled
    to a common denominator), because this runs on every line of every sale.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    if all(type(w) is int for w in weights):
        ints = list(weights)
    else:
        fracs = [Fraction(w) for w in weights]
        scale = lcm(*(f.denominator for f in fracs)) if fracs else 1
        ints = [f.numerator * (scale // f.denominator) for f in fracs]
    if any(w < 0 for w in ints):
        raise ValueError("weights must be non-negative")
    whole = sum(ints)
    if whole == 0:
        if total:
            raise ValueError("cannot allocate a positive total over zero weights")
        return [0] * len(ints)
    parts = []
    remainders = []
    for w in ints:
        q, r = divmod(total * w, whole)
        parts.append(q)
        remainders.append(r)
    left = total - sum(parts)
    if left:
        order = sorted(range(len(ints)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            parts[i] += 1
    return parts


def pro_rata(amount: int, done: int, part: int, whole: int) -> int:
    """Cumulative share of ``amount`` for ``done + part`` of ``whole`` units, minus the share
    for ``done`` units, both floored. Successive parts add up to ``amount`` exactly."""
    if whole <= 0 or not 0 <= done <= done + part <= whole:
        raise ValueError("quantities out of range")
    return (amount * (done + part)) // whole - (amount * done) // whole
