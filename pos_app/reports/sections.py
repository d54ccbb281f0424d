"""A report as titled tables of raw values: the one shape the PDF, CSV and receipt share.

Cells hold raw values (points as ``int``, money as :class:`Fen`, days as dates,
words as ``str``); each output formats them its own way (CSV keeps plain numbers
for spreadsheets, the PDF and the receipt print ``¥1,234.50``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.reports.eod import EodReport
from pos_app.reports.figures import ISSUED, REDEEMED, TAKEN
from pos_app.reports.labels import label, moment, number, yuan


@dataclass(frozen=True)
class Fen:
    """An amount of money in fen (formatted as yuan)."""

    value: int


Cell = str | int | Fen | dt.date


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: a bar chart of this column over the first (the PDF draws it)
    chart_column: int | None = None


def text(cell: Cell) -> str:
    """A cell as people read it."""
    if isinstance(cell, Fen):
        return yuan(cell.value)
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return number(cell)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell


def raw(cell: Cell) -> str:
    """A cell as a spreadsheet reads it (money in yuan with two decimals)."""
    if isinstance(cell, Fen):
        sign = "-" if cell.value < 0 else ""
        return f"{sign}{abs(cell.value) // 100}.{abs(cell.value) % 100:02d}"
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def header_lines(report: EodReport, language: str, zone: dt.tzinfo) -> list[tuple[str, str]]:
    """Who, when and how final: the lines under the title."""
    lab = lambda key: label(key, language)  # noqa: E731
    lines = [
        (lab("store"), f"{report.store_name} ({report.store_code})"),
        (lab("business_day"), report.day.isoformat()),
        (
            lab("hours"),
            f"{report.start.astimezone(zone):%m-%d %H:%M} - "
            f"{report.end.astimezone(zone):%m-%d %H:%M}",
        ),
        (lab("devices"), ", ".join(report.devices) or "-"),
    ]
    if report.close is not None:
        closed = f"{moment(report.close.closed_at, zone, language)} {report.close.staff_name}"
        lines.append((lab("closed"), closed))
    else:
        lines.append((lab("not_closed"), moment(report.generated_at, zone, language)))
    return lines


def eod_sections(report: EodReport, language: str, zone: dt.tzinfo) -> list[Section]:
    lab = lambda key: label(key, language)  # noqa: E731
    f = report.figures
    summary: list[tuple[Cell, ...]] = [
        (lab("points_issued"), f.issued),
        (lab("points_redeemed"), f.redeemed),
        (lab("offset_value"), Fen(f.offset_fen)),
        (lab("points_taken"), f.taken),
        (lab("net_change"), f.net),
    ]
    if report.corrections:
        summary.append((lab("corrections_net"), report.corrections_net))
    sections = [
        Section("summary", lab("summary"), ("", lab("points")), tuple(summary)),
        Section(
            "issued",
            lab("sec_issued"),
            ("", lab("points")),
            (*((lab(k), f.points[k]) for k in ISSUED), (lab("total"), f.issued)),
        ),
        Section(
            "redeemed",
            lab("sec_redeemed"),
            ("", lab("points")),
            (
                *((lab(k), -f.points[k]) for k in REDEEMED),
                (lab("offset_value"), Fen(f.offset_fen)),
                (lab("total"), f.redeemed),
            ),
        ),
        Section(
            "gifts",
            lab("sec_gifts"),
            (lab("gift_name"), lab("quantity"), lab("points"), lab("cash")),
            tuple(
                (_name(g.name, g.name_en, language), g.quantity, g.points, Fen(g.cash_fen))
                for g in f.gifts
            ),
        ),
        Section(
            "taken",
            lab("sec_taken"),
            ("", lab("points")),
            (*((lab(k), -f.points[k]) for k in TAKEN), (lab("total"), f.taken)),
        ),
        Section(
            "sales",
            lab("sec_sales"),
            ("", lab("count"), lab("amount")),
            (
                (lab("member_sales"), f.member_sales, Fen(f.member_sales_fen)),
                (lab("other_sales"), f.other_sales, Fen(f.other_sales_fen)),
                (lab("returns"), f.returns, Fen(-f.refund_fen)),
                (lab("new_members"), f.new_members, ""),
            ),
        ),
        Section(
            "cashiers",
            lab("sec_cashiers"),
            (
                lab("cashier"),
                lab("sales"),
                lab("amount"),
                lab("points_issued"),
                lab("points_redeemed"),
            ),
            tuple(
                (
                    f"{c.staff_code} {c.name}",
                    c.sales,
                    Fen(c.sales_fen),
                    c.points_issued,
                    c.points_redeemed,
                )
                for c in report.cashiers
            ),
        ),
        Section(
            "hours",
            lab("sec_hours"),
            (lab("hour"), lab("sales"), lab("amount"), lab("points_issued")),
            tuple(
                (f"{h.hour:02d}:00", h.sales, Fen(h.sales_fen), h.points_issued)
                for h in report.hours
            ),
            chart_column=1,
        ),
        Section(
            "stock",
            lab("sec_stock"),
            (lab("gift_name"), lab("left"), lab("low_mark"), ""),
            tuple(
                (
                    _name(s.name, s.name_en, language),
                    s.quantity,
                    s.low_threshold,
                    lab("low") if s.low else "",
                )
                for s in report.stock
            ),
        ),
        Section(
            "liability",
            lab("sec_liability"),
            ("", ""),
            (
                (lab("liability_points"), report.liability.points),
                (lab("liability_value"), Fen(report.liability.cash_fen)),
                (lab("liability_members"), report.liability.members),
                (lab("overdraft"), report.liability.overdraft_points),
                (lab("as_of"), moment(report.liability.as_of, zone, language)),
            ),
        ),
        Section("sync", lab("sec_sync"), ("", ""), tuple(_sync_rows(report, language, zone))),
    ]
    if report.corrections:
        sections.append(
            Section(
                "corrections",
                lab("sec_corrections"),
                (
                    lab("day"),
                    lab("sales"),
                    lab("amount"),
                    lab("points_issued"),
                    lab("points_redeemed"),
                    lab("points_taken"),
                    lab("net_change"),
                ),
                tuple(
                    (
                        c.day,
                        c.figures.member_sales + c.figures.other_sales,
                        Fen(c.figures.member_sales_fen + c.figures.other_sales_fen),
                        c.figures.issued,
                        c.figures.redeemed,
                        c.figures.taken,
                        c.figures.net,
                    )
                    for c in report.corrections
                ),
            )
        )
    return sections


def _name(name: str, name_en: str, language: str) -> str:
    return name if language == "zh_CN" else (name_en or name)


def _sync_rows(report: EodReport, language: str, zone: dt.tzinfo) -> list[tuple[Cell, ...]]:
    lab = lambda key: label(key, language)  # noqa: E731
    s = report.sync
    if not s.linked:
        return [(lab("standalone"), "")]
    rows: list[tuple[Cell, ...]] = []
    if s.final:
        rows.append((lab("sync_final"), ""))
    rows.append((lab("sync_pending"), s.pending))
    if s.rejected:
        rows.append((lab("sync_rejected"), s.rejected))
    rows.append((lab("last_sync"), moment(s.last_ok_at, zone, language)))
    return rows


def _zero(row: tuple[Cell, ...]) -> bool:
    numbers = [c.value if isinstance(c, Fen) else c for c in row[1:] if isinstance(c, int | Fen)]
    return bool(numbers) and not any(numbers)


def summary_rows(sections: list[Section], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """Label/figure pairs for the receipt printer: a bold line per section, then its rows
    (rows that are all zero are left out to keep the slip short; the summary keeps all)."""
    rows: list[tuple[str, str]] = []
    for section in sections:
        kept = [r for r in section.rows if section.key == "summary" or not _zero(r)]
        if section.key not in keys or not kept:
            continue
        rows.append((section.title, ""))
        for row in kept:
            left = text(row[0])
            if len(row) > 3:
                # too many figures for one line: the name, then one labelled line each
                rows.append((left, " "))
                rows += [
                    (f"  {column}", text(cell))
                    for column, cell in zip(section.columns[1:], row[1:], strict=False)
                    if text(cell) != ""
                ]
                continue
            right = "  ".join(text(c) for c in row[1:] if text(c) != "")
            rows.append((left, right or " "))
    return rows


__all__ = ["Fen", "Section", "eod_sections", "header_lines", "raw", "summary_rows", "text"]
