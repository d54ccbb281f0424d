"""The member's balance over the last 12 months, painted (QtCharts is not installed with
PySide6 Essentials, and one line with 12 dots does not need it)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.services.kiosk import MonthBalance
from ui import i18n
from ui.fmt import points

LINE = QColor("#1f6feb")
GRID = QColor("#d5dbe5")
TEXT = QColor("#333333")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(balance: MonthBalance) -> str:
    month = balance.month.month
    if i18n.current() == "zh_CN":
        return f"{month}月"
    return MONTHS_EN[month - 1]


class BalanceChart(QWidget):
    """One dot per month, joined by a line; the month under each dot, the value above it."""

    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 48, 40, 44

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: tuple[MonthBalance, ...] = ()
        self.setObjectName("balancechart")
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_series(self, series: tuple[MonthBalance, ...]) -> None:
        self.series = series
        self.update()

    def plot_area(self) -> QRectF:
        return QRectF(
            self.MARGIN_LEFT,
            self.MARGIN_TOP,
            max(1, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT),
            max(1, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM),
        )

    def positions(self) -> list[QPointF]:
        """Where each month's dot is drawn (one per month, left to right)."""
        if not self.series:
            return []
        area = self.plot_area()
        values = [p.balance for p in self.series]
        low, high = min(0, *values), max(1, *values)
        step = area.width() / max(1, len(values) - 1)
        return [
            QPointF(
                area.left() + i * step,
                area.bottom() - (value - low) / (high - low) * area.height(),
            )
            for i, value in enumerate(values)
        ]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.plot_area()
        painter.setPen(QPen(GRID, 1))
        for i in range(5):
            y = area.top() + i * area.height() / 4
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        dots = self.positions()
        if not dots:
            painter.end()
            return
        painter.setPen(QPen(LINE, 4))
        for a, b in itertools.pairwise(dots):
            painter.drawLine(a, b)
        font = QFont(self.font())
        font.setPixelSize(17)
        painter.setFont(font)
        for dot, balance in zip(dots, self.series, strict=True):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(LINE)
            painter.drawEllipse(dot, 7, 7)
            painter.setPen(TEXT)
            label = QRectF(dot.x() - 40, area.bottom() + 10, 80, 28)
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, month_label(balance))
            value = QRectF(dot.x() - 50, dot.y() - 34, 100, 26)
            painter.drawText(value, Qt.AlignmentFlag.AlignCenter, points(balance.balance))
        painter.end()
