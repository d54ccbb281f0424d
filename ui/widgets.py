"""Small shared widgets: the PIN pad and big touch-friendly buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget


class PinPad(QWidget):
    """Digits, clear and OK, for touch; the keyboard works too (digits, Backspace, Enter)."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(8)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setObjectName("pin")
        self.field.setPlaceholderText(self.tr("PIN"))
        self.field.returnPressed.connect(self._submit)
        grid = QGridLayout()
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"]
        for i, key in enumerate(keys):
            label = {"C": self.tr("Clear"), "OK": self.tr("OK")}.get(key, key)
            button = QPushButton(label)
            button.setObjectName("padkey")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)  # inside a dialog, Enter must not press a key
            button.setMinimumSize(72, 56)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, i // 3, i % 3)
        box = QVBoxLayout(self)
        box.addWidget(self.field)
        box.addLayout(grid)

    def _press(self, key: str) -> None:
        if key == "C":
            self.field.clear()
        elif key == "OK":
            self._submit()
        else:
            self.field.insert(key)
        self.field.setFocus()

    def _submit(self) -> None:
        pin = self.field.text()
        self.field.clear()
        self.submitted.emit(pin)
