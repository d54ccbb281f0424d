"""The reports in their outputs: A4 PDF, CSV, and lines for the receipt printer.

reportlab is imported only when a PDF is made (the counter, the kiosk and the
HQ service load this package without paying for it).
"""

from __future__ import annotations

import datetime as dt

from pos_app.reports.csv_out import sections_csv
from pos_app.reports.eod import EodReport
from pos_app.reports.labels import check_language, label, moment, number, signed
from pos_app.reports.period import (
    PeriodReport,
    Statement,
    kind_label,
    period_sections,
    statement_sections,
)
from pos_app.reports.sections import eod_sections, header_lines, summary_rows

#: what the receipt-printer version keeps (the PDF has everything)
RECEIPT_SECTIONS = (
    "summary",
    "issued",
    "redeemed",
    "gifts",
    "taken",
    "sales",
    "cashiers",
    "liability",
    "sync",
    "corrections",
)


def eod_title(report: EodReport, language: str) -> str:
    title = label("title", language)
    return f"{title} ({label('reprint', language)})" if report.reprint else title


def eod_pdf(report: EodReport, language: str, zone: dt.tzinfo) -> bytes:
    check_language(language)
    from pos_app.reports.pdf import render_pdf  # reportlab loads only when a PDF is made

    return render_pdf(
        title=eod_title(report, language),
        header=header_lines(report, language, zone),
        sections=eod_sections(report, language, zone),
        language=language,
        stamp=f"{report.store_name} {report.day.isoformat()}",
    )


def eod_csv(report: EodReport, language: str, zone: dt.tzinfo) -> str:
    check_language(language)
    return sections_csv(header_lines(report, language, zone), eod_sections(report, language, zone))


def eod_receipt(
    report: EodReport, language: str, zone: dt.tzinfo
) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, subtitle, label/figure rows) for ``ReceiptPrinter.print_summary``."""
    check_language(language)
    head = header_lines(report, language, zone)
    rows = [(left, right) for left, right in head[2:]]
    rows.append(("-", ""))
    rows += summary_rows(eod_sections(report, language, zone), RECEIPT_SECTIONS)
    subtitle = f"{report.store_name} {report.day.isoformat()}"
    return eod_title(report, language), subtitle, rows


# -- period report and member statement ------------------------------------------------
def period_header(report: PeriodReport, language: str, zone: dt.tzinfo) -> list[tuple[str, str]]:
    return [
        (label("store", language), f"{report.store_name} ({report.store_code})"),
        (label("from", language), report.first.isoformat()),
        (label("to", language), report.last.isoformat()),
        (label("generated", language), moment(report.generated_at, zone, language)),
    ]


def period_pdf(report: PeriodReport, language: str, zone: dt.tzinfo) -> bytes:
    check_language(language)
    from pos_app.reports.pdf import render_pdf  # reportlab loads only when a PDF is made

    return render_pdf(
        title=label("period_title", language),
        header=period_header(report, language, zone),
        sections=period_sections(report, language),
        language=language,
        stamp=f"{report.store_name} {report.first.isoformat()} - {report.last.isoformat()}",
    )


def period_csv(report: PeriodReport, language: str, zone: dt.tzinfo) -> str:
    check_language(language)
    return sections_csv(period_header(report, language, zone), period_sections(report, language))


def statement_header(st: Statement, language: str, zone: dt.tzinfo) -> list[tuple[str, str]]:
    return [
        (label("member", language), f"{st.name} {st.phone}".strip()),
        (label("from", language), st.first.isoformat()),
        (label("to", language), st.last.isoformat()),
        (label("generated", language), moment(st.generated_at, zone, language)),
    ]


def statement_pdf(st: Statement, language: str, zone: dt.tzinfo) -> bytes:
    check_language(language)
    from pos_app.reports.pdf import render_pdf  # reportlab loads only when a PDF is made

    return render_pdf(
        title=label("statement_title", language),
        header=statement_header(st, language, zone),
        sections=statement_sections(st, language, zone),
        language=language,
        stamp=f"{st.name} {st.first.isoformat()} - {st.last.isoformat()}",
    )


def statement_receipt(
    st: Statement, language: str, zone: dt.tzinfo
) -> tuple[str, str, list[tuple[str, str]]]:
    """A member's statement for the receipt printer: one pair of lines per entry."""
    check_language(language)
    rows: list[tuple[str, str]] = [
        (label("from", language), st.first.isoformat()),
        (label("to", language), st.last.isoformat()),
        (label("opening", language), number(st.opening)),
        ("-", ""),
    ]
    for line in st.lines:
        rows.append((moment(line.created_at, zone, language), signed(line.points)))
        rows.append((f"  {kind_label(line.kind, language)}", number(line.balance_after)))
    rows += [("-", ""), (label("closing", language), number(st.closing))]
    return label("statement_title", language), f"{st.name} {st.phone}".strip(), rows
