"""The end-of-day report in its three outputs: A4 PDF, CSV, and lines for the receipt printer."""

from __future__ import annotations

import datetime as dt

from pos_app.reports.csv_out import sections_csv
from pos_app.reports.eod import EodReport
from pos_app.reports.labels import check_language, label
from pos_app.reports.pdf import render_pdf
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
