"""Where the devices and sync layers plug into the counter.

The counter hands every completed sale, return and gift redemption to a
:class:`ReceiptSink` and every change of the cart to a :class:`CustomerFacing`
display. ``ui.printing`` provides the real sink (print queue, preview printer)
and ``ui.devices`` the pole display; until a printer is configured the counter
says so on screen rather than pretending to print.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication

from pos_app.services.checkout import SaleResult
from pos_app.services.gifts import Redemption
from pos_app.services.returns import ReturnResult


class ReceiptSink(Protocol):
    # what the status bar shows ("no printer", "printer ready", "paper low", ...)
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


class CustomerFacing(Protocol):
    """The customer's side of the counter: what they see while the cashier rings up."""

    def welcome(self) -> None: ...

    def line_added(self, name: str, qty: int, amount_fen: int) -> None: ...

    def total(self, total_fen: int, points: int | None) -> None: ...

    def change(self, change_fen: int) -> None: ...


class NoDisplay:
    def welcome(self) -> None:
        pass

    def line_added(self, name: str, qty: int, amount_fen: int) -> None:
        pass

    def total(self, total_fen: int, points: int | None) -> None:
        pass

    def change(self, change_fen: int) -> None:
        pass
