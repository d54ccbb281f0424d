"""``pos-app report``: the reports command with printing on the store's receipt printer."""

from __future__ import annotations

from pathlib import Path

from devices.cli import send_waiting
from devices.config import load_devices_config
from devices.receipt_printer import ReceiptPrinter
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput
from pos_app.reports.cli import main as reports_main


def print_report(
    db: StoreDB, title: str, subtitle: str, rows: list[tuple[str, str]], devices: str | None
) -> int:
    """Queue the report on the configured printer and send it; returns jobs still waiting."""
    config = load_devices_config(Path(devices) if devices else None)
    if config.printer is None:
        raise InvalidInput(
            "no printer is set up: write a [printer] section in devices.toml or pass --devices",
            field="printer",
        )
    printer = ReceiptPrinter(db, config.printer)
    printer.print_summary(title, rows, subtitle=subtitle)
    return send_waiting(printer)


def main(argv: list[str]) -> int:
    return reports_main(argv, printer=print_report)
