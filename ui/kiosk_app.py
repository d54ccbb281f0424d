"""Starting the kiosk: the window, its scanners and printer, and pull-only sync.

A kiosk on its own machine is a pull-only sync node: it fetches HQ's changes
(members, cards, PIN hashes, ledger entries, gifts and stock) in the background
and never pushes anything; nothing it does writes an outbox event.
"""

from __future__ import annotations

import datetime as dt
import socket

from devices.config import DevicesConfig
from pos_app.db.raw import read_tx
from pos_app.db.store import StoreDB
from pos_app.demo import DEMO_MEMBERS, DemoStore
from pos_app.errors import PosError
from pos_app.services import remote
from pos_app.services.context import active_program
from pos_app.services.member_pin import set_member_pin
from pos_app.services.members import find_by_card
from sync.client import HQRefused, HQUnavailable
from sync.config import SyncConfig
from sync.runner import RoundResult, pull_all
from ui.app import application
from ui.devices import attach_devices
from ui.kiosk import IDLE_SECONDS, KioskWindow
from ui.ops import OpRunner
from ui.sync_status import UI_PAGE, SyncController


class PullOnlySync(SyncController):
    """The counter's background sync, with rounds that only pull."""

    def _round(self) -> RoundResult:
        now = self._utc()
        try:
            pulled = pull_all(self.db, self.client, clock=self._utc, page=UI_PAGE)
        except (HQUnavailable, HQRefused, PosError) as exc:
            remote.record_round(self.db, ok=False, error=str(exc), now=now)
            return RoundResult(ok=False, error=str(exc), refused=isinstance(exc, HQRefused))
        remote.record_round(self.db, ok=True, error=None, now=self._utc(), pulled=pulled)
        return RoundResult(ok=True, pulled=pulled)


#: the demo's kiosk member: the first demo member, with this kiosk PIN
DEMO_KIOSK_PIN = "2580"


def seed_kiosk_pin(store: DemoStore, now: dt.datetime) -> tuple[str, str, str]:
    """Give the first demo member a kiosk PIN; (card, phone, PIN) to print for the user."""
    _name, phone, card = DEMO_MEMBERS[0]
    member = find_by_card(store.db, card, now=now)
    set_member_pin(store.db, actor=store.cashier, member_id=member.id, pin=DEMO_KIOSK_PIN, now=now)
    return card, phone, DEMO_KIOSK_PIN


def default_kiosk_name() -> str:
    """The kiosk's name for its look-up limit: one per machine."""
    return f"kiosk@{socket.gethostname()}"[:64]


def run_kiosk(
    db: StoreDB,
    *,
    devices: DevicesConfig | None = None,
    sync_config: SyncConfig | None = None,
    idle_seconds: int = IDLE_SECONDS,
    windowed: bool = False,
    kiosk_name: str | None = None,
) -> int:
    app = application()
    runner = OpRunner(parent=app)
    devices = devices or DevicesConfig()
    with read_tx(db.engine) as tx:
        zone = active_program(db, tx).zone
        store_name = tx.value("SELECT store_name FROM store_identity WHERE id = 1") or ""

    def clock() -> dt.datetime:
        return dt.datetime.now(zone)

    printer = None
    if devices.printer is not None:
        from ui.printing import PrinterSink

        printer = PrinterSink(db, devices.printer, runner=runner, clock=clock, parent=app)
        printer.start()
    window = KioskWindow(
        db=db,
        runner=runner,
        clock=clock,
        kiosk_name=kiosk_name or default_kiosk_name(),
        store_name=store_name,
        idle_seconds=idle_seconds,
        printer=printer,
    )
    # card scanners only: a kiosk has no customer display of its own
    hardware = attach_devices(window, DevicesConfig(scanners=devices.scanners))
    window.statusBar().hide()
    puller = None
    if sync_config is not None:
        puller = PullOnlySync(db, sync_config, runner=runner, clock=clock, parent=app)
        puller.start()
    window.closed_by_manager.connect(lambda _name: app.quit())
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.showFullScreen()
    try:
        return app.exec()
    finally:
        for device in hardware:
            device.stop()
        if puller is not None:
            puller.stop()
        if printer is not None:
            printer.stop()
        runner.shutdown()
        db.close()
