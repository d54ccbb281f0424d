"""How money and points look on screen: ¥ with two decimals, numbers grouped."""

from __future__ import annotations

from pos_app.money import format_fen


def money(fen: int) -> str:
    return format_fen(fen, symbol="¥", grouped=True)


def points(value: int) -> str:
    return f"{value:,}"
