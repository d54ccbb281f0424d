"""Serial scanners and the customer display, attached to the counter window.

The devices layer calls back on its own threads; here those callbacks become
Qt signals (delivered on the GUI thread), so a serial scan lands exactly where
a keyboard-wedge scan does. The pole display is written on one background
thread in order, so a display that is unplugged never holds up the cashier.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from devices.config import DevicesConfig, DisplayConfig
from devices.scans import ScanEvent

log = logging.getLogger(__name__)


class Stoppable(Protocol):
    def stop(self) -> None: ...


class ScanBridge(QObject):
    """Scans from reader threads, re-emitted on the GUI thread."""

    scanned = Signal(str)
    status = Signal(str, str)  # source, state

    def on_scan(self, event: ScanEvent) -> None:
        self.scanned.emit(event.code)

    def on_status(self, source: str, state: str) -> None:
        self.status.emit(source, state)


class SerialScanners:
    def __init__(self, bridge: ScanBridge, scanners: list[Any]) -> None:
        self.bridge, self.scanners = bridge, scanners

    def stop(self) -> None:
        for scanner in self.scanners:
            scanner.stop()


class DisplaySink:
    """:class:`~ui.seams.CustomerFacing` on a pole display, written off the GUI thread."""

    def __init__(self, display: Any, executor: Executor | None = None) -> None:
        self.display = display
        self.executor = executor or ThreadPoolExecutor(1, thread_name_prefix="pole-display")

    def _send(self, method: str, *args: object) -> None:
        def call() -> None:
            try:
                getattr(self.display, method)(*args)
            except Exception:  # the display must never break a sale
                log.exception("customer display: %s failed", method)

        self.executor.submit(call)

    def welcome(self) -> None:
        self._send("welcome")

    def line_added(self, name: str, qty: int, amount_fen: int) -> None:
        self._send("line_added", name, qty, amount_fen)

    def total(self, total_fen: int, points: int | None) -> None:
        self._send("total", total_fen, points)

    def change(self, change_fen: int) -> None:
        self._send("change", change_fen)

    def stop(self) -> None:
        self.executor.shutdown(wait=True)
        self.display.close()


def open_display(cfg: DisplayConfig) -> DisplaySink:
    from devices.pole_display import PoleDisplay

    display = PoleDisplay(cfg.url, baudrate=cfg.baudrate, codec=cfg.codec, language=cfg.language)
    return DisplaySink(display)


def attach_devices(window: Any, devices: DevicesConfig) -> list[Stoppable]:
    """Start the configured serial scanners and pole display for ``window``."""
    from devices.serial_scanner import SerialScanner

    attached: list[Stoppable] = []
    if devices.scanners:
        bridge = ScanBridge(window)
        bridge.scanned.connect(window.scanned)
        bridge.status.connect(
            lambda source, state: window.statusBar().showMessage(
                QCoreApplication.translate("Devices", "Scanner {source}: {state}").format(
                    source=source, state=state
                ),
                10000,
            )
        )
        scanners = []
        for cfg in devices.scanners:
            scanner = SerialScanner(
                cfg.url,
                baudrate=cfg.baudrate,
                terminator=cfg.terminator,
                frame_timeout=cfg.frame_timeout_s,
                on_scan=bridge.on_scan,
                on_status=lambda state, url=cfg.url: bridge.on_status(url, state),
            )
            scanner.start()
            scanners.append(scanner)
        attached.append(SerialScanners(bridge, scanners))
    if devices.display is not None:
        sink = open_display(devices.display)
        window.display = sink
        sink.welcome()
        attached.append(sink)
    return attached
