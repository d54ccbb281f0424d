"""Starting the counter: the Qt application, translations, style, the window."""

from __future__ import annotations

import datetime as dt
import sys
from importlib import resources
from pathlib import Path

from PySide6.QtWidgets import QApplication

from devices.config import DevicesConfig
from pos_app.db.raw import read_tx
from pos_app.db.store import StoreDB
from pos_app.services.context import active_program
from sync.config import SyncConfig
from ui import i18n
from ui.devices import attach_devices
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.seams import NoPrinter, ReceiptSink


def application(argv: list[str] | None = None, language: str | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("points-counter")
    app.setApplicationName("points-counter")
    i18n.install(app, language or i18n.chosen_language())
    style = resources.files("resources") / "style" / "counter.qss"
    app.setStyleSheet(style.read_text("utf-8"))
    return app


def build_window(
    db: StoreDB, *, runner: OpRunner, sink: ReceiptSink | None = None, clock: object = None
) -> MainWindow:
    with read_tx(db.engine) as tx:
        program = active_program(db, tx)
        store_name = tx.value("SELECT store_name FROM store_identity WHERE id = 1") or ""
    now = clock or (lambda: dt.datetime.now(program.zone))
    return MainWindow(
        db=db,
        runner=runner,
        clock=now,
        program=program,  # type: ignore[arg-type]
        sink=sink or NoPrinter(),
        store_name=store_name,
    )


def run_counter(
    db: StoreDB,
    *,
    full_screen: bool = False,
    devices: DevicesConfig | None = None,
    sync_config: SyncConfig | None = None,
) -> int:
    app = application()
    runner = OpRunner(parent=app)
    devices = devices or DevicesConfig()
    with read_tx(db.engine) as tx:
        zone = active_program(db, tx).zone  # receipts and sync stamp local time
    sink = None
    if devices.printer is not None:
        from ui.printing import PrinterSink

        sink = PrinterSink(
            db, devices.printer, runner=runner, clock=lambda: dt.datetime.now(zone), parent=app
        )
        sink.start()
    window = build_window(db, runner=runner, sink=sink)
    hardware = attach_devices(window, devices)
    controller = None
    if sync_config is not None:
        from ui.sync_status import SyncController

        controller = SyncController(
            db, sync_config, runner=runner, clock=lambda: dt.datetime.now(zone), parent=app
        )
        window.attach_sync(controller)
        controller.start()
    if full_screen:
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    try:
        return app.exec()
    finally:
        for device in hardware:
            device.stop()
        if controller is not None:
            controller.stop()
        if sink is not None:
            sink.stop()
        runner.shutdown()
        db.close()


def screenshot(widget: object, path: Path) -> None:
    """Render a widget offscreen to PNG (for docs and for looking at screens in tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))  # type: ignore[attr-defined]
