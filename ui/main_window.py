"""The counter window: log-in / lock screen and the counter, idle lock, status bar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.program import Program
from pos_app.services.auth import StaffSession, logout
from ui import i18n
from ui.counter import CounterScreen
from ui.login import LoginScreen
from ui.ops import OpRunner
from ui.scan import WedgeFilter
from ui.seams import CustomerFacing, NoDisplay, ReceiptSink

if TYPE_CHECKING:  # the sync client loads only on a store linked to HQ
    from ui.sync_status import SyncController

Clock = Callable[[], dt.datetime]
IDLE_LOCK_MS = 5 * 60 * 1000


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        program: Program,
        sink: ReceiptSink,
        store_name: str,
        idle_lock_ms: int = IDLE_LOCK_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock, self.program, self.sink = db, runner, clock, program, sink
        self.session: StaffSession | None = None
        self.counter: CounterScreen | None = None
        # the customer's pole display (ui.devices sets it before anyone logs in)
        self.display: CustomerFacing = NoDisplay()
        self.setWindowTitle(self.tr("Points counter — {store}").format(store=store_name))
        self.stack = QStackedWidget()
        self.login = LoginScreen(db=db, runner=runner, clock=clock)
        self.login.logged_in.connect(self._logged_in)
        self.stack.addWidget(self.login)
        self.setCentralWidget(self.stack)
        self.staff_label = QLabel()
        self.printer_label = QLabel()
        self.sync_label = QLabel(self.tr("Sync: standalone store"))
        self.sync: SyncController | None = None
        self.busy_label = QLabel()
        for label in (self.staff_label, self.printer_label, self.sync_label):
            self.statusBar().addWidget(label)
        self.statusBar().addPermanentWidget(self.busy_label)
        runner.busy_changed.connect(
            lambda busy: self.busy_label.setText(self.tr("Working...") if busy else "")
        )
        runner.unexpected.connect(self._unexpected)
        self.scanner = WedgeFilter(self)
        self.scanner.scanned.connect(self.scanned)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
            app.installEventFilter(self)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(idle_lock_ms)
        self.idle.timeout.connect(self.lock)
        changed = getattr(sink, "changed", None)
        if changed is not None:  # a real printer reports its state from its own thread
            changed.connect(self._status)
            sink.failed.connect(  # type: ignore[attr-defined]
                lambda text: self.statusBar().showMessage(
                    self.tr("Printing failed: {text}").format(text=text), 15000
                )
            )
        self._menu()
        self._status()
        self.login.show_lock(None)

    def _menu(self) -> None:
        settings = self.menuBar().addMenu(self.tr("Settings"))
        language = settings.addMenu(self.tr("Language"))
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == i18n.current())
            action.triggered.connect(lambda _=False, c=code: self._set_language(c))
            language.addAction(action)

    def _set_language(self, code: str) -> None:
        i18n.save_language(code)
        QMessageBox.information(
            self, self.tr("Language"), self.tr("The new language is used from the next start.")
        )

    def attach_sync(self, controller: SyncController) -> None:
        """Show the background sync's state (a store linked to HQ) and check big spends
        with HQ."""
        self.sync = controller
        controller.changed.connect(self._sync_status)
        self._install_gate()
        self._sync_status()

    def _install_gate(self) -> None:
        if self.sync is None or self.counter is None:
            return
        sync = self.sync
        floor = self.program.definition.offline.max_redemption_points
        self.counter.spend_gate = lambda member, pts, go, no: sync.gate(member, pts, floor, go, no)

    def _sync_status(self) -> None:
        if self.sync is not None:
            self.sync_label.setText(self.sync.status_text())
            self.sync_label.setToolTip(self.sync.detail())

    def _status(self) -> None:
        who = self.session.name if self.session else self.tr("nobody logged in")
        self.staff_label.setText(self.tr("Cashier: {name}").format(name=who))
        self.printer_label.setText(self.tr("Printer: {state}").format(state=self.sink.status()))

    def _logged_in(self, session: StaffSession) -> None:
        if self.counter is not None and self.session is not None:
            # unlocked, or another cashier took over: the open sale stays, under the new login
            logout(self.db, self.session)
            self.counter.session = session
        else:
            self.counter = CounterScreen(
                db=self.db,
                runner=self.runner,
                clock=self.clock,
                program=self.program,
                session=session,
                sink=self.sink,
                display=self.display,
            )
            self._install_gate()
            self.counter.lock_requested.connect(self.lock)
            self.counter.sale_completed.connect(lambda _r: self._status())
            self.counter.sale_completed.connect(lambda _r: self.sync and self.sync.soon())
            self.stack.addWidget(self.counter)
        self.session = session
        self.stack.setCurrentWidget(self.counter)
        self.counter.focus_search()
        self.idle.start()
        self._status()

    def lock(self) -> None:
        if self.session is None:
            return
        self.idle.stop()
        self.login.show_lock(self.session)
        self.stack.setCurrentWidget(self.login)

    def scanned(self, code: str) -> None:
        """A serial scan (wedge scans arrive here too when no dialog is open)."""
        modal = QApplication.activeModalWidget()
        if modal is not None:
            # like a wedge scan: into the dialog's field, never into the sale behind it
            field = modal.focusWidget()
            if isinstance(field, QLineEdit):
                field.insert(code)
            return
        if self.counter is not None and self.stack.currentWidget() is self.counter:
            self.idle.start()
            self.counter.scanned(code)

    def _unexpected(self, text: str) -> None:
        QMessageBox.critical(
            self,
            self.tr("Unexpected error"),
            self.tr("The last action failed: {text}").format(text=text),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any key or click while the counter is shown restarts the idle-lock timer."""
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress) and (
            self.session is not None and self.stack.currentWidget() is self.counter
        ):
            self.idle.start()
        return False
