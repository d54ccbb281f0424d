"""The kiosk's screens rendered offscreen in Chinese and English into docs/screens
(the README shows them, so they stay current with the UI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from pos_app.services.checkout import CartLine
from pos_app.services.gifts import import_catalogue
from pos_app.services.member_pin import MAX_PIN_FAILURES, set_member_pin
from tests.conftest import Counter, at
from tests.ui.test_kiosk_flows import CARD, PHONE_NO, PIN, Kiosk, KioskFactory, kiosk_factory
from ui.app import screenshot

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens"
LANGUAGES = ("zh_CN", "en")
kiosk_fixture = kiosk_factory  # the flows' fixture, by name


def _scene(counter: Counter) -> None:
    """A member with a year of points: purchases, a gift, points expiring soon."""
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(counter.db, actor=counter.manager, text=text, now=counter.now)
    member = counter.register(name="张伟", phone=PHONE_NO, card=CARD)
    set_member_pin(counter.db, actor=counter.cashier, member_id=member.id, pin=PIN, now=counter.now)
    counter.give(member.id, 600, now=at(2025, 12, 20, 10))  # expires with the year 2026
    counter.sell(member.id, [CartLine("daily", 12_000)], now=at(2025, 12, 22, 11))
    for month, amount in ((2, 38_000), (4, 52_000), (6, 21_000), (8, 88_000), (10, 45_000)):
        counter.sell(member.id, [CartLine("daily", amount)], now=at(2026, month, 10, 11))
    counter.sell(member.id, [CartLine("fresh", 26_000)], now=at(2026, 11, 14, 11))


def _idle(kiosk: Kiosk) -> None:
    pass


def _member(kiosk: Kiosk) -> None:
    kiosk.scan(CARD)


def _history(kiosk: Kiosk) -> None:
    kiosk.scan(CARD)
    kiosk.touch(kiosk.window.tab_buttons[1])


def _gifts(kiosk: Kiosk) -> None:
    kiosk.scan(CARD)
    kiosk.touch(kiosk.window.tab_buttons[2])


def _pin(kiosk: Kiosk) -> None:
    w = kiosk.window
    kiosk.touch(w.use_phone)
    kiosk.keypad(w.phone_pad, PHONE_NO)
    kiosk.touch(w.phone_pad.keys["2"])
    kiosk.touch(w.phone_pad.keys["4"])


def _lockout(kiosk: Kiosk) -> None:
    for _ in range(MAX_PIN_FAILURES):
        kiosk.now += dt.timedelta(minutes=1, seconds=1)
        kiosk.phone_login(PHONE_NO, "1357")


SCREENS: dict[str, Callable[[Kiosk], None]] = {
    "idle": _idle,
    "member": _member,
    "history": _history,
    "gifts": _gifts,
    "pin": _pin,
    "lockout": _lockout,
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_kiosk_screen_renders_in_both_languages(
    name: str, counter_factory: Callable[..., Counter], kiosk_fixture: KioskFactory
) -> None:
    images: dict[str, QImage] = {}
    for language in LANGUAGES:
        counter = counter_factory("supermarket", now=at(2025, 12, 1, 10))
        _scene(counter)
        kiosk = kiosk_fixture(counter, language=language, printer=object())
        kiosk.now = at(2026, 12, 10, 15)
        SCREENS[name](kiosk)
        QApplication.processEvents()
        path = SHOTS / f"kiosk_{name}_{language}.png"
        screenshot(kiosk.window, path)
        image = QImage(str(path))
        assert not image.isNull() and image.width() == 1280 and image.height() == 800, path
        assert path.stat().st_size > 10_000, f"{path} is suspiciously small"
        images[language] = image
    assert images["zh_CN"] != images["en"], f"{name}: the Chinese rendering equals the English one"
