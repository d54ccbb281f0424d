"""A large on-screen number pad for the kiosk (phone numbers, PINs, staff numbers)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

BACK, CLEAR, OK = "back", "clear", "ok"


class KioskKeypad(QWidget):
    """Digits, delete, clear and OK as big touch keys; a keyboard's digits and Enter work too.
    ``secret`` shows dots instead of the digits."""

    submitted = Signal(str)

    def __init__(self, *, max_length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setObjectName("keypadfield")
        self.field.setMaxLength(max_length)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.field.setValidator(QRegularExpressionValidator(r"\d*", self.field))
        self.field.returnPressed.connect(self._submit)
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", CLEAR, "0", BACK]):
            button = QPushButton(key)
            button.setObjectName("kioskkey" if key.isdigit() else "kioskkeytext")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setFixedSize(166, 64)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, i // 3, i % 3)
            self.keys[key] = button
        self.ok = QPushButton()
        self.ok.setObjectName("kioskprimary")
        self.ok.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ok.setMinimumHeight(64)
        self.ok.clicked.connect(lambda: self.press(OK))
        grid.addWidget(self.ok, 4, 0, 1, 3)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.field)
        box.addLayout(grid)
        self.retranslate()

    def set_secret(self, secret: bool) -> None:
        mode = QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal
        self.field.setEchoMode(mode)

    def retranslate(self) -> None:
        self.keys[CLEAR].setText(self.tr("Clear"))
        self.keys[BACK].setText(self.tr("⌫ Delete"))
        self.ok.setText(self.tr("OK"))

    def press(self, key: str) -> None:
        if key == CLEAR:
            self.field.clear()
        elif key == BACK:
            self.field.backspace()
        elif key == OK:
            self._submit()
        else:
            self.field.insert(key)

    def type_digits(self, digits: str) -> None:
        """Press the keys of ``digits`` one by one, as a finger would."""
        for digit in digits:
            self.press(digit)

    def _submit(self) -> None:
        self.submitted.emit(self.field.text())
