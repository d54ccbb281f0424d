"""The counter window opens on a real store and a cashier can log in."""

from __future__ import annotations

from tests.conftest import Counter
from tests.ui.conftest import WindowFactory


def test_cashier_logs_in_and_sees_the_counter(
    supermarket: Counter, window_factory: WindowFactory
) -> None:
    window = window_factory(supermarket)
    assert window.stack.currentWidget() is window.counter
    assert "收银员" in window.staff_label.text()
