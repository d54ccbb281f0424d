"""Keyboard-wedge scans anywhere in the window, turned into one ``scanned`` signal.

Keys still reach the focused field as usual; when a burst turns out to be a
scan, the field gets back the text it had before the burst and the code is
delivered by signal instead (the serial scanner of the devices layer emits
the same signal). While a dialog is open, a scan is left to the dialog's field
(a card number in the register dialog, a receipt in the return dialog).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from devices.scans import clean_scan
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
        self._before: tuple[QLineEdit, str, int] | None = None

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
        if QApplication.activeModalWidget() is not None:
            self.decoder.reset()
            return False
        now = self._clock()  # type: ignore[operator]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            burst = self.decoder.enter(now)
            before, self._before = self._before, None
            # the same cleaning as serial scans: card sentinels off, garbage refused
            code = None if burst is None else clean_scan(burst)
            if code is None:
                return False
            if before is not None and before[0] is focus:
                field, text, cursor = before
                field.setText(text)
                field.setCursorPosition(cursor)
            self.scanned.emit(code)
            return True  # the Enter belonged to the scanner, not to the field
        text = event.text()
        if text and text.isprintable() and self.decoder.key(text, now):
            self._before = (
                (focus, focus.text(), focus.cursorPosition())
                if isinstance(focus, QLineEdit)
                else None
            )
        return False
