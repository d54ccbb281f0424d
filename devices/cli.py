"""``pos-app printer ...``: the receipt printer from a terminal (no Qt).

``status`` asks the printer; ``test`` prints a test page (both languages, a
column ruler, mixed Chinese/English alignment, QR and barcode); ``reprint``
queues a receipt by number; ``queue`` lists recent jobs; ``send`` sends what is
waiting (after a restart with the counter closed). Also renders the console
demo's receipts through the preview printer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from devices.config import PrinterConfig, load_devices_config, preview_printer
from devices.document import Barcode, Document, QRCode, Rule, TextLine
from devices.receipt_printer import ReceiptPrinter
from pos_app.db.raw import read_tx
from pos_app.db.store import StoreDB, open_store
from pos_app.errors import PosError
from pos_app.paths import default_store_path
from pos_app.services import print_jobs
from pos_app.services.context import active_program
from pos_app.services.receipts import any_receipt


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_page(cfg: PrinterConfig) -> Document:
    """What a technician prints when setting a printer up: every column must line up."""
    cols = cfg.columns
    ruler = "".join(str(i % 10) for i in range(1, cols + 1))
    wide = "中" * (cols // 2)
    mixed = "品名 Item"
    return Document(
        (
            TextLine("打印测试 Test page", align="center", bold=True, big=True),
            TextLine(f"{cfg.url}", align="center"),
            TextLine(
                f"{cfg.paper_mm} mm, {cols} cols, codec {cfg.codec}, "
                f"{'raster' if cfg.raster else 'text'}",
                align="center",
            ),
            Rule(),
            TextLine(ruler),
            TextLine(wide),
            TextLine(mixed + " " * (cols - 9 - 7) + "￥12.50"),
            TextLine("English line" + " " * (cols - 12 - 6) + "RMB 12"),
            TextLine("全角符号：，。！（）￥", align="right"),
            Rule("="),
            Barcode("S01-D1-000001"),
            QRCode("https://example.com/points"),
            TextLine("欢迎光临 Welcome", align="center"),
        )
    )


def _printer(args: argparse.Namespace, db: StoreDB) -> ReceiptPrinter:
    devices = load_devices_config(Path(args.devices) if args.devices else None)
    if devices.printer is None:
        raise SystemExit(
            "no printer is set up: write a [printer] section in devices.toml "
            "(see the README) or pass --devices FILE"
        )
    return ReceiptPrinter(db, devices.printer)


def send_waiting(printer: ReceiptPrinter, *, give_up_after_s: float = 15.0) -> int:
    """Send queued jobs now; returns how many are still waiting."""
    deadline = time.monotonic() + give_up_after_s
    while time.monotonic() < deadline:
        result = printer.worker.run_once()
        if result is False:
            break
        if result is None:
            time.sleep(0.5)
    return print_jobs.pending_count(printer.db, printer.cfg.name)


def _report(printer: ReceiptPrinter, left: int) -> int:
    state = printer.state
    if left:
        print(f"printer {state.state}: {state.detail or 'no detail'}; {left} job(s) still waiting")
        return 1
    print(f"printed; printer {state.state}" + (f" ({state.detail})" if state.detail else ""))
    return 0


def _cmd(args: argparse.Namespace) -> int:
    db = open_store(Path(args.db))
    try:
        printer = _printer(args, db)
        if args.action == "status":
            printer.worker.poll_status()
            state = printer.state
            print(f"{printer.cfg.url}: {state.state}, {state.pending} waiting {state.detail}")
            return 0 if state.ok else 1
        if args.action == "queue":
            for job in print_jobs.jobs(db, printer.cfg.name, limit=args.limit):
                print(
                    f"{job.id:6d} {job.created_at:%Y-%m-%d %H:%M:%S} {job.kind:8} "
                    f"{job.ref or '':22} {job.status:9} {job.attempts} {job.last_error or ''}"
                )
            return 0
        if args.action == "test":
            printer.print_document(test_page(printer.cfg), kind="test")
        elif args.action == "reprint":
            printer.reprint(args.number)
        return _report(printer, send_waiting(printer))
    except PosError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    finally:
        db.close()


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("printer", help="the receipt printer: status, test page, reprint")
    parser.add_argument("--db", default=str(default_store_path()))
    parser.add_argument("--devices", metavar="FILE", help="device settings (devices.toml)")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("status", help="ask the printer for its state")
    actions.add_parser("test", help="print a test page")
    actions.add_parser("send", help="send the jobs that are waiting")
    reprint = actions.add_parser("reprint", help="reprint a receipt by its number")
    reprint.add_argument("number")
    queue = actions.add_parser("queue", help="list the latest print jobs")
    queue.add_argument("--limit", type=int, default=20)
    parser.set_defaults(func=_cmd)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pos-app")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def print_store_receipts(db: StoreDB, cfg: PrinterConfig) -> int:
    """Every sale, return and gift receipt of the store through ``cfg`` (the console demo)."""
    with read_tx(db.engine) as tx:
        numbers = [
            row[0]
            for row in tx.rows(
                "SELECT no FROM (SELECT receipt_no AS no, created_at FROM sales "
                "UNION ALL SELECT return_no, created_at FROM returns "
                "UNION ALL SELECT redemption_no, created_at FROM gift_redemptions) "
                "ORDER BY created_at"
            )
        ]
    printer = ReceiptPrinter(db, cfg)
    for number in numbers:
        printer.print_receipt(any_receipt(db, number, _utc_now()))
    send_waiting(printer)
    return len(numbers)


def print_closed_day(db: StoreDB, cfg: PrinterConfig, folder: Path, language: str) -> Path:
    """The last closed day's report on the printer and as a PDF in ``folder``."""
    from pos_app.reports.eod import closed_days, eod_report
    from pos_app.reports.render import eod_pdf, eod_receipt

    with read_tx(db.engine) as tx:
        zone = active_program(db, tx).zone
    day = closed_days(db)[0][0]
    report = eod_report(db, day, now=_utc_now())
    report.reprint = False  # the close's own copy
    title, subtitle, rows = eod_receipt(report, language, zone)
    printer = ReceiptPrinter(db, cfg)
    printer.print_summary(title, rows, subtitle=subtitle)
    send_waiting(printer)
    path = folder / f"eod-{report.store_code}-{day}.pdf"
    path.write_bytes(eod_pdf(report, language, zone))
    return path


def console_demo(program: str, keep: str | None, receipts: Path, language: str) -> int:
    """The scripted demo day in the terminal, then its receipts on the preview printer."""
    import tempfile

    from pos_app.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="pos-demo-") as tmp:
        path = Path(keep) if keep else Path(tmp) / "demo.sqlite3"
        if keep and path.exists():
            print(f"{path} exists; give a new file for the demo database", file=sys.stderr)
            return 2
        problems = run_demo(path, program_name=program)
        db = open_store(path)
        try:
            printer = preview_printer(receipts, language=language)
            count = print_store_receipts(db, printer)
            pdf = print_closed_day(db, printer, receipts, language)
        finally:
            db.close()
    print(f"\n{count} receipts printed on the preview printer: {receipts} (.png and .bin)")
    print(f"the end-of-day report: on the preview printer too, and as A4 PDF: {pdf}")
    return 1 if problems else 0
