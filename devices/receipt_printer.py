"""The counter's receipt printer: receipts read back from the database, laid out,
encoded for this printer, stored as jobs and sent by the printer's worker.

Every call returns as soon as the job is stored; the sale never waits for the
printer. Cash sales and cash refunds also queue a drawer kick that expires
after ``drawer_deadline_s``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from devices.config import PrinterConfig
from devices.document import Document
from devices.escpos_encode import drawer_kick, encode_document
from devices.print_worker import PrinterState, PrintWorker
from devices.receipt_layout import Layout, layout_receipt, layout_summary
from devices.transports import Transport, open_transport
from pos_app.db.store import StoreDB
from pos_app.errors import NotFound
from pos_app.services import print_jobs, receipts
from pos_app.services.receipts import ReceiptData


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ReceiptPrinter:
    def __init__(
        self,
        db: StoreDB,
        cfg: PrinterConfig,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        on_state: Callable[[PrinterState], None] | None = None,
        transport: Transport | None = None,
        backoff: tuple[float, ...] | None = None,
    ) -> None:
        self.db, self.cfg, self.clock = db, cfg, clock
        self.layout = Layout(
            columns=cfg.columns,
            language=cfg.language,
            wide=cfg.wide,
            header=cfg.header,
            footer=cfg.footer,
        )
        extra = {} if backoff is None else {"backoff": backoff}
        self.worker = PrintWorker(
            db, cfg, transport or open_transport(cfg), clock=clock, on_state=on_state, **extra
        )

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    @property
    def state(self) -> PrinterState:
        return self.worker.state

    # -- what gets printed ------------------------------------------------------------
    def _queue(
        self, kind: str, data: bytes, ref: str | None, not_after: dt.datetime | None = None
    ) -> int:
        job = print_jobs.enqueue(
            self.db,
            printer=self.cfg.name,
            kind=kind,
            data=data,
            now=self.clock(),
            ref=ref,
            not_after=not_after,
        )
        self.worker.refresh()
        self.worker.wake()
        return job

    def render(self, data: ReceiptData, *, reprint: bool = False) -> bytes:
        doc = layout_receipt(data, self.layout, reprint=reprint, now=self.clock())
        return encode_document(doc, self.cfg)

    def print_receipt(self, data: ReceiptData, *, reprint: bool = False) -> int:
        return self._queue(data.kind, self.render(data, reprint=reprint), data.number or None)

    def kick_drawer(self) -> int:
        now = self.clock()
        deadline = now + dt.timedelta(seconds=self.cfg.drawer_deadline_s)
        return self._queue("drawer", drawer_kick(self.cfg), None, deadline)

    def sale_completed(self, receipt_no: str) -> int:
        data = receipts.sale_receipt(self.db, receipt_no, self.clock())
        if data.cash_paid:
            self.kick_drawer()
        return self.print_receipt(data)

    def return_completed(self, return_no: str) -> int:
        data = receipts.return_receipt(self.db, return_no, self.clock())
        if data.refund_fen > 0:
            self.kick_drawer()
        return self.print_receipt(data)

    def gift_redeemed(self, redemption_no: str) -> int:
        data = receipts.gift_receipt(self.db, redemption_no, self.clock())
        if data.cash_paid:
            self.kick_drawer()
        return self.print_receipt(data)

    def balance_slip(self, member_id: str, *, staff: str = "") -> int:
        data = receipts.balance_slip(self.db, member_id, self.clock(), staff=staff)
        return self.print_receipt(data)

    def reprint(self, number: str) -> int:
        data = receipts.any_receipt(self.db, number, self.clock())
        return self.print_receipt(data, reprint=True)

    def reprint_last(self) -> int:
        ref = print_jobs.last_receipt_ref(self.db, self.cfg.name)
        if ref is None:
            raise NotFound("nothing has been printed on this printer yet")
        return self.reprint(ref)

    def print_summary(self, title: str, rows: list[tuple[str, str]], *, subtitle: str = "") -> int:
        """A titled list of figures (the end-of-day summary)."""
        doc = layout_summary(title, rows, self.layout, subtitle=subtitle)
        return self.print_document(doc, kind="report")

    def print_document(self, doc: Document, *, kind: str = "report", ref: str | None = None) -> int:
        return self._queue(kind, encode_document(doc, self.cfg), ref)
