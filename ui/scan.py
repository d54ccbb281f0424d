"""Keyboard-wedge scans anywhere in the window, turned into one ``scanned`` signal.

Keys still reach the focused field as usual; when a burst turns out to be a
scan, the scanned characters are taken back out of that field and the code is
delivered by signal instead (the serial scanner of the devices layer emits
the same signal).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from devices.wedge import WedgeDecoder


class WedgeFilter(QObject):
    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        decoder: WedgeDecoder | None = None,
        clock_ms: object = None,
    ) -> None:
        super().__init__(parent)
        self.decoder = decoder or WedgeDecoder()
        self._clock = clock_ms or (lambda: time.monotonic() * 1000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        # one key press is offered to the window, the focused widget and maybe its parents:
        # count it once, where it is aimed
        focus = QApplication.focusWidget()
        if watched is not focus and not (focus is None and isinstance(watched, QWidget)):
            return False
        if event.isAutoRepeat():
            return False
        now = self._clock()  # type: ignore[operator]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.decoder.enter(now)
            if code is None:
                return False
            if isinstance(focus, QLineEdit) and focus.text().endswith(code):
                focus.setText(focus.text()[: -len(code)])
            self.scanned.emit(code)
            return True  # the Enter belonged to the scanner, not to the field
        text = event.text()
        if text and text.isprintable():
            self.decoder.key(text, now)
        return False
