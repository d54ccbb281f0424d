"""Reports as A4 PDF (reportlab): tables, a bar chart by hour, store and day on every page.

Chinese text uses the Adobe CID font STSong-Light, which every PDF viewer and
printer driver can draw without the font being embedded (reportlab ships its
metrics; poppler and Acrobat supply the glyphs). Latin-only text uses Helvetica.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from pos_app.reports.labels import label
from pos_app.reports.sections import Fen, Section, text

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
_registered = False


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
        _registered = True


def _font_for(value: str, bold: bool = False) -> str:
    if any(ord(ch) > 0xFF for ch in value):
        return CJK
    return LATIN_BOLD if bold else LATIN


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _para(value: str, size: float = 9, *, bold: bool = False, right: bool = False) -> Paragraph:
    style = ParagraphStyle(
        "cell",
        fontName=_font_for(value, bold),
        fontSize=size,
        leading=size * 1.3,
        alignment=TA_RIGHT if right else 0,
    )
    return Paragraph(_escape(value), style)


class _Numbered(Canvas):
    """A canvas that knows the page count when it draws each page's footer."""

    def __init__(self, *args: Any, footer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._footer = footer

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._footer is not None:
                self._footer(self, self._pageNumber, total)
            super().showPage()
        super().save()


def _table(section: Section, width: float) -> Flowable:
    numeric = [
        i
        for i in range(len(section.columns))
        if any(isinstance(row[i], int | Fen) for row in section.rows if i < len(row))
    ]
    wide = len(section.columns) > 6
    size, head_size = (7.5, 6.5) if wide else (9, 8)
    head = [
        _para(c, head_size, bold=True, right=i in numeric) for i, c in enumerate(section.columns)
    ]
    body = [
        [_para(text(cell), size, right=i in numeric) for i, cell in enumerate(row)]
        for row in section.rows
    ]
    share = 0.46 if len(section.columns) <= 3 else (0.13 if wide else 0.3)
    first = width * share
    rest = (width - first) / max(len(section.columns) - 1, 1)
    headed = any(section.columns)
    data = ([head] if headed else []) + body
    table = Table(
        data, colWidths=[first] + [rest] * (len(section.columns) - 1), repeatRows=int(headed)
    )
    style = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3 if wide else 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3 if wide else 6),
        (
            "ROWBACKGROUNDS",
            (0, int(headed)),
            (-1, -1),
            [colors.white, colors.HexColor("#f2f2f2")],
        ),
    ]
    if headed:
        style.append(("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black))
    if section.rows and text(section.rows[-1][0]) in (
        label("total", "zh_CN"),
        label("total", "en"),
    ):
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black))
    table.setStyle(TableStyle(style))
    return table


def _chart(section: Section, width: float) -> Flowable | None:
    column = section.chart_column
    if column is None or not section.rows:
        return None
    totals = (label("total", "zh_CN"), label("total", "en"))
    rows = [row for row in section.rows if not (isinstance(row[0], str) and row[0] in totals)]
    values = [int(row[column]) if isinstance(row[column], int) else 0 for row in rows]
    drawing = Drawing(width, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 8 * mm
    chart.width, chart.height = width - 16 * mm, 42 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = [
        str(row[0].day) if isinstance(row[0], dt.date) else text(row[0])[:2] for row in rows
    ]
    chart.categoryAxis.labels.fontName = LATIN
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = LATIN
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = min(0, *values)  # a day can give back more than it took
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = colors.HexColor("#3a6ea5")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    caption = section.columns[column]
    drawing.add(String(12 * mm, 52 * mm, caption, fontName=_font_for(caption), fontSize=8))
    return drawing


def render_pdf(
    *,
    title: str,
    header: Sequence[tuple[str, str]],
    sections: Sequence[Section],
    language: str,
    stamp: str,
) -> bytes:
    """The PDF bytes of a report: ``header`` lines under the title, one table per section.

    ``stamp`` is printed in every page's header (store and day), the page number
    and count in every footer.
    """
    _fonts()
    buffer = io.BytesIO()
    margin = 16 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="the points counter",
    )
    width = A4[0] - 2 * margin

    def page_top(canvas: Canvas, _doc: object) -> None:
        canvas.saveState()
        canvas.setFont(_font_for(title), 9)
        canvas.drawString(margin, A4[1] - 12 * mm, title)
        canvas.setFont(_font_for(stamp), 9)
        canvas.drawRightString(A4[0] - margin, A4[1] - 12 * mm, stamp)
        canvas.setLineWidth(0.5)
        canvas.line(margin, A4[1] - 14 * mm, A4[0] - margin, A4[1] - 14 * mm)
        canvas.restoreState()

    def footer(canvas: Canvas, number: int, total: int) -> None:
        words = label("page", language).format(n=number, total=total)
        canvas.saveState()
        canvas.setFont(_font_for(words), 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, words)
        canvas.restoreState()

    story: list[Flowable] = [_para(title, 16, bold=True), Spacer(1, 3 * mm)]
    info = Table(
        [[_para(left, 9, bold=True), _para(right, 9)] for left, right in header],
        colWidths=[35 * mm, width - 35 * mm],
    )
    info.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 1)]))
    story += [info, Spacer(1, 5 * mm)]
    for section in sections:
        head: list[Flowable] = [_para(section.title, 11, bold=True), Spacer(1, 1.5 * mm)]
        chart = _chart(section, width)
        if chart is not None:
            head.append(chart)
        if not section.rows:
            story += [KeepTogether([*head, _para(label("none", language), 9)]), Spacer(1, 5 * mm)]
        elif len(section.rows) <= 12:
            story += [KeepTogether([*head, _table(section, width)]), Spacer(1, 5 * mm)]
        else:  # a long table flows over pages (its header row repeats); its title stays on top
            story += [KeepTogether(head), _table(section, width), Spacer(1, 5 * mm)]
    doc.build(
        story,
        onFirstPage=page_top,
        onLaterPages=page_top,
        canvasmaker=lambda *a, **k: _Numbered(*a, footer=footer, **k),
    )
    return buffer.getvalue()


def write_pdf(path: str | Path, data: bytes) -> None:
    Path(path).write_bytes(data)
