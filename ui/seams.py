"""Where the devices and sync issues plug into the counter.

The counter hands every completed sale, return and reprint request to a
:class:`ReceiptSink`; the devices layer provides the real one (print queue,
preview printer). Until a printer is configured the counter says so on screen
rather than pretending to print.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication

from pos_app.services.checkout import SaleResult
from pos_app.services.gifts import Redemption
from pos_app.services.returns import ReturnResult


class ReceiptSink(Protocol):
    #: what the status bar shows ("no printer", "printer ready", "paper low", ...)
    def status(self) -> str: ...

    def sale_completed(self, result: SaleResult) -> None: ...

    def return_completed(self, result: ReturnResult) -> None: ...

    def gift_redeemed(self, redemption: Redemption) -> None: ...


class NoPrinter:
    """No receipt printer configured: nothing is printed and the counter shows it."""

    def status(self) -> str:
        return QCoreApplication.translate("Seams", "no printer")

    def sale_completed(self, result: SaleResult) -> None:
        pass

    def return_completed(self, result: ReturnResult) -> None:
        pass

    def gift_redeemed(self, redemption: Redemption) -> None:
        pass
