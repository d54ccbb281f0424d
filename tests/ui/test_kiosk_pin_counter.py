"""At the counter: the kiosk PIN step of registration and the PIN dialog of the member panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from pos_app.services.kiosk import KioskRefused, enter_by_phone
from tests.conftest import Counter
from tests.ui import test_counter_flows as flows
from tests.ui.test_counter_flows import Till, TillFactory, child, ok_button
from ui.dialogs import RegisterDialog
from ui.kiosk_pin_dialog import KioskPinDialog

# the counter flows' fixtures, by name
modals = flows.modals
till_factory = flows.till_factory


def _pin_hash(counter: Counter, phone: str) -> str | None:
    with counter.sql() as conn:
        row = conn.execute("SELECT pin_hash FROM members WHERE phone = ?", (phone,)).fetchone()
    return None if row is None else row[0]


def test_registration_sets_the_kiosk_pin_typed_twice(
    till_factory: TillFactory, supermarket: Counter
) -> None:
    till: Till = till_factory(supermarket)
    members_before = supermarket.count("members")
    seen: dict[str, str] = {}

    def register(dialog: RegisterDialog) -> None:
        till.type_into(child(dialog, QLineEdit, "name"), "李四", enter=False)
        till.type_into(child(dialog, QLineEdit, "phone"), "13800138000", enter=False)
        till.type_into(child(dialog, QLineEdit, "kioskpin"), "2468", enter=False)
        till.type_into(child(dialog, QLineEdit, "kioskpin2"), "2469", enter=False)
        till.click(ok_button(dialog))
        seen["repeat error"] = dialog.errors["pin_repeat"].text()
        seen["rows"] = str(supermarket.count("members"))
        child(dialog, QLineEdit, "kioskpin2").clear()
        till.type_into(child(dialog, QLineEdit, "kioskpin2"), "2468", enter=False)
        till.click(ok_button(dialog))

    till.modals.expect(RegisterDialog, register)
    till.press(Qt.Key.Key_F3)
    till.modals.check()

    assert "the two PINs differ" in seen["repeat error"]
    assert seen["rows"] == str(members_before)  # nothing registered with a bad PIN
    stored = _pin_hash(supermarket, "13800138000")
    assert stored is not None and "2468" not in stored
    member = till.screen.member
    assert member is not None
    assert (
        enter_by_phone(
            supermarket.db, kiosk="K1", phone="13800138000", pin="2468", now=supermarket.now
        )
        == member.id
    )


def test_registration_without_a_pin_leaves_it_unset(
    till_factory: TillFactory, supermarket: Counter
) -> None:
    till: Till = till_factory(supermarket)

    def register(dialog: RegisterDialog) -> None:
        till.type_into(child(dialog, QLineEdit, "name"), "李四", enter=False)
        till.type_into(child(dialog, QLineEdit, "phone"), "13800138000", enter=False)
        till.click(ok_button(dialog))

    till.modals.expect(RegisterDialog, register)
    till.press(Qt.Key.Key_F3)
    till.modals.check()
    assert till.screen.member is not None
    assert _pin_hash(supermarket, "13800138000") is None
    with pytest.raises(KioskRefused):
        enter_by_phone(
            supermarket.db, kiosk="K1", phone="13800138000", pin="2468", now=supermarket.now
        )


def test_member_panel_resets_the_kiosk_pin(till_factory: TillFactory, supermarket: Counter) -> None:
    till: Till = till_factory(supermarket)
    supermarket.register(name="张伟", phone="13800138000", card="8800001001")
    assert not till.screen.panel.kiosk_pin.isVisible()
    till.find_member("8800001001")
    assert till.screen.panel.kiosk_pin.isVisible()
    seen: dict[str, str] = {}

    def set_pin(dialog: KioskPinDialog) -> None:
        till.type_into(dialog.pin, "12", enter=False)
        till.type_into(dialog.pin_repeat, "12", enter=False)
        till.click(ok_button(dialog))
        seen["short"] = dialog.errors["pin"].text()
        till.type_into(dialog.pin, "9753", enter=False)
        till.type_into(dialog.pin_repeat, "9753", enter=False)
        till.click(ok_button(dialog))

    till.modals.expect(KioskPinDialog, set_pin)
    till.click(till.screen.panel.kiosk_pin)
    till.modals.check()
    assert "4 to 6 digits" in seen["short"]
    assert till.notice() == "Kiosk PIN saved"
    member = till.screen.member
    assert member is not None
    assert (
        enter_by_phone(
            supermarket.db, kiosk="K1", phone="13800138000", pin="9753", now=supermarket.now
        )
        == member.id
    )
