"""The print queue against a real TCP printer that misbehaves on demand.

Each job must reach the printer whole and exactly once, whatever the printer
does; the sale never waits for it; a drawer kick that comes too late is
dropped, never fired.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.config import PrinterConfig
from devices.document import Document, QRCode, TextLine
from devices.escpos_reader import Barcode, Cut, DrawerKick, Image, parse, receipt_text
from devices.receipt_printer import ReceiptPrinter
from devices.transports import status_requests_in
from pos_app.services import print_jobs
from pos_app.services.checkout import CartLine
from tests.conftest import Counter
from tests.devices.fake_printer import PAPER_NEAR_END, PAPER_OUT, READY_STATUS, FakePrinter

FAST = (0.01,)


class Clock:
    """The printer's clock, moved by the test (drawer deadlines without sleeping)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def counter(supermarket: Counter) -> Counter:
    return supermarket


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def config(url: str, **extra: object) -> PrinterConfig:
    return PrinterConfig.model_validate({"url": url, "timeout_s": 1.0, **extra})


def make_printer(
    counter: Counter, url: str, clock: Callable[[], dt.datetime] | None = None, **extra: object
) -> ReceiptPrinter:
    return ReceiptPrinter(
        counter.db, config(url, **extra), clock=clock or Clock(counter.now), backoff=FAST
    )


def jobs_of(data: bytes) -> list[list[object]]:
    """The received stream cut into jobs (each receipt ends with a cut)."""
    ops = [op for op in parse(data) if not isinstance(op, DrawerKick)]
    jobs: list[list[object]] = [[]]
    for op in ops:
        jobs[-1].append(op)
        if isinstance(op, Cut):
            jobs.append([])
    return [job for job in jobs if any(isinstance(op, Cut) for op in job)]


def member_sale(counter: Counter, method: str = "cash") -> str:
    member = counter.register()
    counter.give(member.id, 3000)
    result = counter.sell(
        member.id,
        [CartLine("daily", 1999, 2, description="洗衣液 2kg"), CartLine("daily", 4500)],
        offset=1000,
        method=method,
    )
    return result.receipt_no


def statuses(counter: Counter) -> list[tuple[str, str]]:
    with counter.sql() as conn:
        return conn.execute("SELECT kind, status FROM print_jobs ORDER BY id").fetchall()


def test_a_cash_sale_kicks_the_drawer_then_prints_its_receipt(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter)
    printer = make_printer(counter, fake.url)
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is True  # drawer first
    assert printer.worker.run_once() is True
    assert printer.worker.run_once() is False
    ops = parse(fake.received)
    kicks = [op for op in ops if isinstance(op, DrawerKick)]
    assert kicks == [DrawerKick(pin=2, on_ms=kicks[0].on_ms, off_ms=kicks[0].off_ms)]
    assert ops.index(kicks[0]) < next(i for i, op in enumerate(ops) if isinstance(op, Cut))
    text = receipt_text(ops)
    assert "洗衣液 2kg" in text
    assert receipt in text
    assert "合计" in text
    assert "本次积分" in text
    barcodes = [op.data for op in ops if isinstance(op, Barcode)]
    assert barcodes == [receipt]
    assert statuses(counter) == [("drawer", "printed"), ("sale", "printed")]
    assert printer.state.state == "ready"
    assert printer.state.pending == 0


def test_card_payment_does_not_open_the_drawer(counter: Counter, fake: FakePrinter) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url)
    printer.sale_completed(receipt)
    while printer.worker.run_once():
        pass
    assert not [op for op in parse(fake.received) if isinstance(op, DrawerKick)]
    assert statuses(counter) == [("sale", "printed")]


def test_printer_off_during_the_sale_prints_once_when_back(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter, method="card")
    fake.refuse()
    printer = make_printer(counter, fake.url)
    printer.sale_completed(receipt)  # returns at once: the sale is not held up
    for _ in range(3):
        assert printer.worker.run_once() is None
    assert printer.state.state == "offline"
    assert printer.state.pending == 1
    assert fake.received == b""
    fake.accept_again()
    assert printer.worker.run_once() is True
    assert printer.worker.run_once() is False
    assert len(jobs_of(fake.received)) == 1
    assert receipt_text(parse(fake.received)).count(receipt) == 1
    with counter.sql() as conn:
        status, attempts, error = conn.execute(
            "SELECT status, attempts, last_error FROM print_jobs"
        ).fetchone()
    assert (status, attempts) == ("printed", 4)
    assert "cannot reach" in error


def test_connection_cut_mid_job_resends_the_whole_job_once(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url)
    printer.sale_completed(receipt)
    job = print_jobs.next_job(counter.db, "receipt", printer.clock())
    assert job is not None
    fake.drop_after(len(job.data) // 2)
    assert printer.worker.run_once() is None
    assert printer.worker.run_once() is True
    assert printer.worker.run_once() is False
    first, second = fake.connections
    assert len(first) < len(job.data) + 6  # cut off: not the whole job
    assert job.data in second  # the retry carried the whole job
    assert len(jobs_of(second)) == 1
    assert second.count(job.data) == 1
    assert statuses(counter) == [("sale", "printed")]


def test_a_stalled_printer_times_out_and_gets_the_job_again(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url)
    # a big job, so the send cannot hide in the socket buffers of a stalled printer
    doc = Document(tuple(TextLine(f"{i:05d} " + "汉字" * 20) for i in range(3000)))
    printer.print_document(doc, ref="big")
    fake.stall()
    assert printer.worker.run_once() is None
    assert print_jobs.pending_count(counter.db, "receipt") == 1
    fake.resume()
    assert printer.worker.run_once() is True
    assert statuses(counter) == [("report", "printed")]
    assert receipt not in receipt_text(parse(fake.connections[-1]))
    assert "02999 汉字" in receipt_text(parse(fake.connections[-1]))


def test_a_late_drawer_kick_is_dropped_never_fired(counter: Counter, fake: FakePrinter) -> None:
    receipt = member_sale(counter)
    clock = Clock(counter.now)
    printer = make_printer(counter, fake.url, clock)
    fake.refuse()
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is None  # the kick could not be delivered
    clock.advance(11)  # past the 10 s deadline
    fake.accept_again()
    while printer.worker.run_once():
        pass
    assert not [op for op in parse(fake.received) if isinstance(op, DrawerKick)]
    assert len(jobs_of(fake.received)) == 1  # the receipt still prints
    assert statuses(counter) == [("drawer", "dropped"), ("sale", "printed")]


def test_a_kick_in_time_is_delivered_after_a_short_outage(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter)
    clock = Clock(counter.now)
    printer = make_printer(counter, fake.url, clock)
    fake.refuse()
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is None
    clock.advance(5)
    fake.accept_again()
    assert printer.worker.run_once() is True
    assert [op for op in parse(fake.received) if isinstance(op, DrawerKick)]


def test_paper_out_holds_the_job_and_paper_low_still_prints(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url)
    fake.status_reply = {**READY_STATUS, 4: PAPER_OUT}
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is None
    assert printer.state.state == "paper_out"
    assert not jobs_of(fake.received)  # nothing sent into a printer with no paper
    fake.status_reply = {**READY_STATUS, 4: PAPER_NEAR_END}
    assert printer.worker.run_once() is True
    assert printer.state.state == "paper_low"
    assert len(jobs_of(fake.received)) == 1


def test_a_printer_that_does_not_answer_is_a_problem_not_paper_ok(
    counter: Counter, fake: FakePrinter
) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url)
    fake.status_reply = None
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is None
    assert printer.state.state == "no_answer"
    assert printer.state.pending == 1
    assert not printer.state.ok


def test_status_answers_drawn_by_the_job_itself_are_not_mistaken_for_ours(
    counter: Counter, fake: FakePrinter
) -> None:
    # QR data holding DLE EOT 4 then DLE EOT 1: the printer answers both in the middle of
    # the job, in that order. Taken for the answers to our own "1 then 4" after the job,
    # the paper byte (near end, bit 3 set) would read as "offline".
    printer = make_printer(counter, fake.url)
    doc = Document((QRCode("A\x10\x04\x04B\x10\x04\x01C"), TextLine("end")))
    printer.print_document(doc)
    job = print_jobs.next_job(counter.db, "receipt", printer.clock())
    assert job is not None
    assert status_requests_in(job.data) == 2
    fake.status_reply = {**READY_STATUS, 4: PAPER_NEAR_END}
    assert printer.worker.run_once() is True
    assert printer.state.state == "paper_low"


def test_jobs_queued_before_a_restart_print_after_it(counter: Counter, fake: FakePrinter) -> None:
    receipt = member_sale(counter, method="card")
    first = make_printer(counter, fake.url)
    first.sale_completed(receipt)
    first.stop()  # the till closed before the printer took the job
    again = make_printer(counter, fake.url)
    assert again.state.pending == 1
    assert again.worker.run_once() is True
    assert again.worker.run_once() is False
    assert len(jobs_of(fake.received)) == 1


def test_the_worker_thread_prints_in_the_background(counter: Counter, fake: FakePrinter) -> None:
    receipt = member_sale(counter, method="card")
    fake.refuse()
    printer = make_printer(counter, fake.url)
    printer.start()
    try:
        printer.sale_completed(receipt)
        fake.accept_again()  # back while the worker is backing off
        assert fake.wait_for(lambda data: receipt.encode() in data and b"\x1dV" in data)
    finally:
        printer.stop()
    assert len(jobs_of(fake.received)) == 1
    assert statuses(counter) == [("sale", "printed")]


def test_reprint_last_and_by_number(counter: Counter, fake: FakePrinter) -> None:
    first = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url)
    printer.sale_completed(first)
    second = counter.sell(None, [CartLine("daily", 500)], method="card").receipt_no
    printer.sale_completed(second)
    printer.reprint_last()
    printer.reprint(first)
    while printer.worker.run_once():
        pass
    texts = [
        "\n".join(str(getattr(op, "text", "")) for op in job) for job in jobs_of(fake.received)
    ]
    assert len(texts) == 4
    assert "重印" not in texts[0] and "重印" not in texts[1]
    assert second in texts[2] and "重印" in texts[2]
    assert first in texts[3] and "重印" in texts[3]


def test_raster_printer_gets_images_not_chinese_text(counter: Counter, fake: FakePrinter) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, fake.url, raster=True, paper_mm=58)
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is True
    ops = parse(fake.received)
    images = [op for op in ops if isinstance(op, Image)]
    assert images and all(op.width == 384 for op in images)
    assert "洗衣液" not in receipt_text(ops)


def test_preview_printer_writes_bytes_and_png(counter: Counter, tmp_path: Path) -> None:
    receipt = member_sale(counter, method="card")
    printer = make_printer(counter, f"preview://{tmp_path / 'out'}")
    printer.sale_completed(receipt)
    assert printer.worker.run_once() is True
    assert printer.state.state == "preview"
    (png,) = (tmp_path / "out").glob("*.png")
    (raw,) = (tmp_path / "out").glob("*.bin")
    assert receipt in png.name
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert receipt in receipt_text(parse(raw.read_bytes()))


def test_file_printer_appends_jobs(counter: Counter, tmp_path: Path) -> None:
    receipt = member_sale(counter, method="card")
    target = tmp_path / "lp0"
    printer = make_printer(counter, f"file://{target}")
    printer.sale_completed(receipt)
    printer.reprint(receipt)
    while printer.worker.run_once():
        pass
    assert len(jobs_of(target.read_bytes())) == 2


def test_missing_usb_backend_is_a_clear_offline_reason(counter: Counter) -> None:
    printer = make_printer(counter, "usb://04b8:0202")
    printer.print_document(Document((TextLine("x"),)))
    assert printer.worker.run_once() is None
    assert printer.state.state == "offline"
    assert printer.state.detail  # says what is missing or what failed


def test_names_cannot_smuggle_printer_commands(counter: Counter, fake: FakePrinter) -> None:
    printer = make_printer(counter, fake.url)
    printer.print_document(Document((TextLine("evil\x1bp\x00\x19\x19name"),)))
    assert printer.worker.run_once() is True
    assert not [op for op in parse(fake.received) if isinstance(op, DrawerKick)]


def test_a_closed_port_is_offline_not_a_crash(counter: Counter) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = make_printer(counter, f"tcp://127.0.0.1:{port}")
    printer.print_document(Document((TextLine("x"),)))
    assert printer.worker.run_once() is None
    assert printer.state.state == "offline"
