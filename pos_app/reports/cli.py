"""``pos-app report``: end-of-day, day close, period and member statement from a terminal.

Printing on the receipt printer is the devices layer's job, so the caller hands
in a ``printer`` function (``devices.report_cli`` does); without one ``--print``
is refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from pos_app.db.raw import read_tx
from pos_app.db.store import StoreDB, open_store
from pos_app.errors import InvalidInput, NotFound, PosError
from pos_app.paths import default_store_path
from pos_app.reports.csv_out import write_csv
from pos_app.reports.eod import close_day, closed_days, eod_report, parse_day
from pos_app.reports.labels import LANGUAGES
from pos_app.reports.period import (
    PeriodReport,
    member_statement,
    period_report,
    period_sections,
)
from pos_app.reports.render import (
    eod_csv,
    eod_pdf,
    eod_receipt,
    period_csv,
    period_header,
    period_pdf,
    statement_pdf,
    statement_receipt,
)
from pos_app.reports.sections import summary_rows
from pos_app.services.auth import login
from pos_app.services.context import active_program
from pos_app.services.members import find_by_card_or_phone

#: prints (title, subtitle, rows) on the store's receipt printer; returns jobs still waiting
Printer = Callable[[StoreDB, str, str, list[tuple[str, str]], str | None], int]


def _day(text: str | None, today: dt.date) -> dt.date:
    return today if text is None else parse_day(text)


def _show(title: str, subtitle: str, rows: list[tuple[str, str]]) -> None:
    print(title)
    print(subtitle)
    for left, right in rows:
        if left == "-":
            print("-" * 40)
        elif not right.strip():
            print(f"\n{left}")
        else:
            print(f"  {left:<30} {right}")


def _outputs(
    args: argparse.Namespace,
    db: StoreDB,
    pdf: Callable[[], bytes] | None,
    csv: Callable[[], str] | None,
    receipt: Callable[[], tuple[str, str, list[tuple[str, str]]]] | None,
    printer: Printer | None,
) -> int:
    if getattr(args, "pdf", None) and pdf is not None:
        Path(args.pdf).write_bytes(pdf())
        print(f"PDF written to {args.pdf}")
    if getattr(args, "csv", None) and csv is not None:
        write_csv(args.csv, csv())
        print(f"CSV written to {args.csv}")
    if receipt is None:
        return 0
    title, subtitle, rows = receipt()
    if getattr(args, "print", False):
        if printer is None:
            raise InvalidInput("printing needs the counter's printer settings", field="print")
        left = printer(db, title, subtitle, rows, args.devices)
        if left:
            print(f"the printer has not taken the report yet ({left} job(s) waiting)")
            return 1
        print("printed")
    elif not (getattr(args, "pdf", None) or getattr(args, "csv", None)):
        _show(title, subtitle, rows)
    return 0


def _run(args: argparse.Namespace, printer: Printer | None) -> int:
    path = Path(args.db)
    if not path.exists():
        raise NotFound(f"no store database at {path}")
    db = open_store(path)
    try:
        with read_tx(db.engine) as tx:
            program = active_program(db, tx)
        zone, now = program.zone, dt.datetime.now(program.zone)
        today = program.business_day(now)
        lang = args.language
        if args.what == "eod":
            report = eod_report(db, _day(args.date, today), now=now)
            return _outputs(
                args,
                db,
                lambda: eod_pdf(report, lang, zone),
                lambda: eod_csv(report, lang, zone),
                lambda: eod_receipt(report, lang, zone),
                printer,
            )
        if args.what == "close":
            pin = args.pin or getpass.getpass(f"PIN for staff {args.staff}: ")
            actor = login(db, code=args.staff, pin=pin, now=now)
            report = close_day(db, actor=actor, day=_day(args.date, today), now=now)
            print(f"{report.day} closed")
            return _outputs(
                args,
                db,
                lambda: eod_pdf(report, lang, zone),
                lambda: eod_csv(report, lang, zone),
                lambda: eod_receipt(report, lang, zone),
                printer,
            )
        if args.what == "closed":
            for day, at, name in closed_days(db):
                print(f"{day}  closed {at.astimezone(zone):%Y-%m-%d %H:%M} by {name}")
            return 0
        if args.what == "period":
            first, last = parse_day(args.date_from), parse_day(args.date_to)
            period = period_report(db, first, last, now=now)
            return _outputs(
                args,
                db,
                lambda: period_pdf(period, lang, zone),
                lambda: period_csv(period, lang, zone),
                None if (args.pdf or args.csv) else _period_text(period, lang, zone),
                None,
            )
        member = find_by_card_or_phone(db, args.member, now=now)
        first = parse_day(args.date_from) if args.date_from else today - dt.timedelta(days=89)
        last = parse_day(args.date_to) if args.date_to else today
        statement = member_statement(db, member.id, first, last, now=now)
        return _outputs(
            args,
            db,
            lambda: statement_pdf(statement, lang, zone),
            None,
            lambda: statement_receipt(statement, lang, zone),
            printer,
        )
    finally:
        db.close()


def _period_text(
    period: PeriodReport, lang: str, zone: dt.tzinfo
) -> Callable[[], tuple[str, str, list[tuple[str, str]]]]:
    def make() -> tuple[str, str, list[tuple[str, str]]]:
        head = period_header(period, lang, zone)
        rows = [*head[1:], ("-", "")]
        rows += summary_rows(period_sections(period, lang), ("summary", "days", "gifts"))
        return head[0][1], "", rows

    return make


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = sub.add_parser("report", help="end-of-day report, day close, period, statement")
    kinds = report.add_subparsers(dest="what", required=True)

    def common(p: argparse.ArgumentParser, *, files: bool = True, paper: bool = True) -> None:
        p.add_argument("--db", default=str(default_store_path()))
        p.add_argument("--language", choices=LANGUAGES, default="zh_CN")
        if files:
            p.add_argument("--pdf", metavar="PATH", help="write an A4 PDF")
        if files and p.prog.split()[-1] != "statement":
            p.add_argument("--csv", metavar="PATH", help="write CSV for spreadsheets")
        if paper:
            p.add_argument("--print", action="store_true", help="print on the receipt printer")
            p.add_argument("--devices", metavar="FILE", help="printer settings (devices.toml)")

    eod = kinds.add_parser("eod", help="a business day's points report (closed days as printed)")
    eod.add_argument("--date", help="YYYY-MM-DD (default: the current business day)")
    common(eod)
    close = kinds.add_parser("close", help="close a business day (manager) and print its report")
    close.add_argument("--date", help="YYYY-MM-DD (default: the current business day)")
    close.add_argument("--staff", required=True, help="your staff number (manager)")
    close.add_argument("--pin", help="your PIN (asked for when left out)")
    common(close)
    closed = kinds.add_parser("closed", help="list the closed days")
    closed.add_argument("--db", default=str(default_store_path()))
    closed.add_argument("--language", choices=LANGUAGES, default="zh_CN")
    period = kinds.add_parser("period", help="points liability and redemptions over dates")
    period.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
    period.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
    common(period, paper=False)
    statement = kinds.add_parser("statement", help="one member's points history")
    statement.add_argument("--member", required=True, help="card number or mobile number")
    statement.add_argument("--from", dest="date_from", help="YYYY-MM-DD (default: 90 days ago)")
    statement.add_argument("--to", dest="date_to", help="YYYY-MM-DD (default: today)")
    common(statement)


def main(argv: list[str], printer: Printer | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pos-app")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return _run(args, printer)
    except PosError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
