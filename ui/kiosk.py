"""The member self-service kiosk: a locked-down, full-screen window for members.

Idle screen -> a card scan (wedge or serial scanner) or phone number + kiosk PIN on
the on-screen keypad -> the member's points (balance, tier progress, expiring points,
history, a 12-month chart, gifts they can afford) -> back to idle after a short
inactivity timeout, with everything shown cleared. No staff function is reachable:
no menus, no context menus, no file dialogs; Escape and close requests (Alt+F4, the
window manager) are swallowed; leaving needs a manager's staff number and PIN.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, PosError
from pos_app.services.kiosk import (
    HistoryPage,
    KioskRefused,
    KioskView,
    authorize_exit,
    enter_by_card,
    enter_by_phone,
    kiosk_view,
    member_history_page,
)
from ui import i18n
from ui.errors import describe
from ui.fmt import money, points
from ui.kiosk_chart import BalanceChart
from ui.kiosk_keypad import KioskKeypad
from ui.ops import OpRunner
from ui.scan import WedgeFilter

Clock = Callable[[], dt.datetime]
IDLE_SECONDS = 30
IDLE, PHONE, MEMBER, EXIT = range(4)

KIND_TEXT = {
    "earn": QT_TRANSLATE_NOOP("KioskHistory", "Points for a purchase"),
    "signup_bonus": QT_TRANSLATE_NOOP("KioskHistory", "Welcome bonus"),
    "referral_bonus": QT_TRANSLATE_NOOP("KioskHistory", "Bonus for referring a friend"),
    "upgrade_bonus": QT_TRANSLATE_NOOP("KioskHistory", "Bonus for a tier upgrade"),
    "activity_bonus": QT_TRANSLATE_NOOP("KioskHistory", "Bonus for an activity"),
    "offset": QT_TRANSLATE_NOOP("KioskHistory", "Points used to pay"),
    "offset_refund": QT_TRANSLATE_NOOP("KioskHistory", "Points given back after a return"),
    "reversal": QT_TRANSLATE_NOOP("KioskHistory", "Points taken back after a return"),
    "gift_redemption": QT_TRANSLATE_NOOP("KioskHistory", "Gift redeemed"),
    "gift_refund": QT_TRANSLATE_NOOP("KioskHistory", "Gift redemption cancelled"),
    "expiry": QT_TRANSLATE_NOOP("KioskHistory", "Points expired"),
    "adjustment": QT_TRANSLATE_NOOP("KioskHistory", "Correction by the store"),
    "transfer": QT_TRANSLATE_NOOP("KioskHistory", "Points transferred"),
}

STYLE = """
QWidget#kiosk, QWidget#kioskpage { background: #f7f9fc; }
QWidget { font-size: 24px; color: #1d2733; }
QLabel#kiosktitle { font-size: 40px; font-weight: bold; }
QLabel#kiosksubtitle { font-size: 28px; color: #4a5868; }
QLabel#kioskmessage { font-size: 26px; color: #b3261e; font-weight: bold; }
QLabel#kiosknotice { font-size: 24px; color: #1a5e20; }
QLabel#kioskname { font-size: 34px; font-weight: bold; }
QLabel#kiosktier { font-size: 26px; color: #8a4b00; font-weight: bold; }
QLabel#kioskbalance { font-size: 60px; font-weight: bold; color: #0b3d91; }
QLabel#kioskexpiring { font-size: 20px; }
QFrame#kioskcard { background: white; border: 1px solid #c8d3e6; border-radius: 12px; }
QLineEdit#keypadfield { font-size: 38px; min-height: 60px; letter-spacing: 4px;
    background: white; border: 2px solid #9fb3d1; border-radius: 8px; }
QPushButton { min-height: 56px; padding: 4px 22px; border-radius: 10px;
    background: #e4eaf3; border: 1px solid #b7c4d8; }
QPushButton:pressed { background: #c9d6ea; }
QPushButton#kioskkey { font-size: 34px; background: white; }
QPushButton#kioskkeytext { font-size: 24px; background: white; }
QPushButton#kioskprimary { background: #1f6feb; color: white; font-weight: bold; }
QPushButton#kiosklink { background: transparent; border: none; color: #6b7785;
    font-size: 18px; min-height: 48px; }
QPushButton:checked { background: #1f6feb; color: white; }
QPushButton:disabled { color: #9aa5b1; }
QProgressBar { min-height: 26px; border: 1px solid #b7c4d8; border-radius: 8px;
    background: white; text-align: center; font-size: 18px; }
QProgressBar::chunk { background: #f0a020; border-radius: 8px; }
QTableWidget, QListWidget { font-size: 22px; background: white; border: none; }
QHeaderView::section { font-size: 20px; padding: 6px; background: #eef2f8; border: none; }
"""


def kind_text(kind: str) -> str:
    return QCoreApplication.translate("KioskHistory", KIND_TEXT.get(kind, kind))


class KioskWindow(QMainWindow):
    """The kiosk. ``printer``: an object with ``balance_slip(member_id, staff)`` (the
    devices' :class:`~ui.printing.PrinterSink`), or None when the kiosk has no printer."""

    closed_by_manager = Signal(str)

    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        kiosk_name: str,
        store_name: str = "",
        idle_seconds: int = IDLE_SECONDS,
        printer: Any = None,
        language: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock = db, runner, clock
        self.kiosk_name, self.store_name, self.printer = kiosk_name, store_name, printer
        self.home_language = language or i18n.current()
        self.view: KioskView | None = None
        self.history: HistoryPage | None = None
        self._may_close = False
        self._phone_number = ""
        self._staff_code = ""
        self.setObjectName("kiosk")
        self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setStyleSheet(STYLE)
        self._build()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(max(1, idle_seconds) * 1000)
        self.idle.timeout.connect(self.reset)
        self.scanner = WedgeFilter(self)
        self.scanner.scanned.connect(self.scanned)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
            app.installEventFilter(self)
        runner.unexpected.connect(lambda _text: self._say(self._trouble(), error=True))
        self.reset()

    # building ------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QWidget()
        root.setObjectName("kiosk")
        self.setCentralWidget(root)
        top = QHBoxLayout()
        self.store = QLabel(self.store_name)
        self.store.setObjectName("kiosksubtitle")
        self.language = QPushButton()
        self.language.setObjectName("language")
        self.language.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.language.clicked.connect(self.toggle_language)
        top.addWidget(self.store)
        top.addStretch(1)
        top.addWidget(self.language)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._idle_page())
        self.stack.addWidget(self._phone_page())
        self.stack.addWidget(self._member_page())
        self.stack.addWidget(self._exit_page())
        self.message = QLabel()
        self.message.setObjectName("kioskmessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout(root)
        box.setContentsMargins(32, 12, 32, 12)
        box.setSpacing(6)
        box.addLayout(top)
        box.addWidget(self.stack, 1)
        box.addWidget(self.message)

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        page.setObjectName("kioskpage")
        return page, QVBoxLayout(page)

    def _idle_page(self) -> QWidget:
        page, box = self._page()
        self.welcome = QLabel()
        self.welcome.setObjectName("kiosktitle")
        self.invite = QLabel()
        self.invite.setObjectName("kiosksubtitle")
        for label in (self.welcome, self.invite):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.use_phone = QPushButton()
        self.use_phone.setObjectName("kioskprimary")
        self.use_phone.setMinimumSize(420, 96)
        self.use_phone.clicked.connect(self.start_phone)
        self.close_kiosk = QPushButton()
        self.close_kiosk.setObjectName("kiosklink")
        self.close_kiosk.clicked.connect(self.start_exit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.use_phone)
        row.addStretch(1)
        corner = QHBoxLayout()
        corner.addStretch(1)
        corner.addWidget(self.close_kiosk)
        box.addStretch(2)
        box.addWidget(self.welcome)
        box.addSpacing(24)
        box.addWidget(self.invite)
        box.addSpacing(48)
        box.addLayout(row)
        box.addStretch(3)
        box.addLayout(corner)
        return page

    def _keypad_page(self, max_length: int) -> tuple[QWidget, QLabel, KioskKeypad, QPushButton]:
        page, box = self._page()
        prompt = QLabel()
        prompt.setObjectName("kiosktitle")
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        prompt.setWordWrap(True)
        pad = KioskKeypad(max_length=max_length)
        pad.setFixedWidth(520)
        cancel = QPushButton()
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.setMinimumWidth(240)
        cancel.clicked.connect(self.reset)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(pad)
        row.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(cancel)
        bottom.addStretch(1)
        box.addWidget(prompt)
        box.addLayout(row, 1)
        box.addLayout(bottom)
        return page, prompt, pad, cancel

    def _phone_page(self) -> QWidget:
        page, self.phone_prompt, self.phone_pad, self.phone_cancel = self._keypad_page(11)
        self.phone_pad.submitted.connect(self._phone_step)
        return page

    def _exit_page(self) -> QWidget:
        page, self.exit_prompt, self.exit_pad, self.exit_cancel = self._keypad_page(16)
        self.exit_pad.submitted.connect(self._exit_step)
        return page

    def _member_page(self) -> QWidget:
        page, box = self._page()
        head = QHBoxLayout()
        who = QHBoxLayout()
        self.name = QLabel()
        self.name.setObjectName("kioskname")
        self.tier = QLabel()
        self.tier.setObjectName("kiosktier")
        who.addWidget(self.name)
        who.addSpacing(16)
        who.addWidget(self.tier)
        who.addStretch(1)
        self.done = QPushButton()
        self.done.setObjectName("kioskprimary")
        self.done.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done.setMinimumWidth(200)
        self.done.clicked.connect(self.reset)
        self.print_slip = QPushButton()
        self.print_slip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.print_slip.clicked.connect(self.print_balance)
        head.addLayout(who, 1)
        head.addWidget(self.print_slip)
        head.addWidget(self.done)
        summary = QFrame()
        summary.setObjectName("kioskcard")
        grid = QGridLayout(summary)
        grid.setContentsMargins(24, 12, 24, 12)
        self.balance_caption = QLabel()
        self.balance = QLabel()
        self.balance.setObjectName("kioskbalance")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_text = QLabel()
        self.progress_text.setWordWrap(True)
        self.expiring = QLabel()
        self.expiring.setObjectName("kioskexpiring")
        self.expiring.setWordWrap(True)
        self.expiring.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.balance_caption, 0, 0)
        grid.addWidget(self.balance, 1, 0, 2, 1)
        grid.addWidget(self.progress, 1, 1)
        grid.addWidget(self.progress_text, 2, 1)
        grid.addWidget(self.expiring, 0, 2, 3, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 5)
        grid.setHorizontalSpacing(28)
        tabs = QHBoxLayout()
        self.tab_group = QButtonGroup(self)
        self.tab_buttons: list[QPushButton] = []
        for i in range(3):
            button = QPushButton()
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.tab_group.addButton(button, i)
            self.tab_buttons.append(button)
            tabs.addWidget(button)
        self.tab_group.idClicked.connect(self.show_tab)
        self.details = QStackedWidget()
        self.chart = BalanceChart()
        self.details.addWidget(self.chart)
        self.details.addWidget(self._history_panel())
        self.gifts = QListWidget()
        self.gifts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.gifts.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.gifts.setSpacing(8)
        self.details.addWidget(self.gifts)
        box.addLayout(head)
        box.addWidget(summary)
        box.addLayout(tabs)
        box.addWidget(self.details, 1)
        return page

    def _history_panel(self) -> QWidget:
        panel = QWidget()
        self.table = QTableWidget(0, 4)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(44)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.newer = QPushButton()
        self.older = QPushButton()
        self.page_label = QLabel()
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for button in (self.newer, self.older):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumWidth(200)
        self.newer.clicked.connect(lambda: self.history_page(-1))
        self.older.clicked.connect(lambda: self.history_page(+1))
        nav = QHBoxLayout()
        nav.addWidget(self.newer)
        nav.addWidget(self.page_label, 1)
        nav.addWidget(self.older)
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table, 1)
        box.addLayout(nav)
        return panel

    # texts ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text on screen, in the current language (also after switching)."""
        other = "en" if i18n.current() == "zh_CN" else "zh_CN"
        self.language.setText(i18n.LANGUAGES[other])
        self.welcome.setText(self.tr("Welcome! Check your points here"))
        self.invite.setText(self.tr("Scan your member card, or sign in with your phone number"))
        self.use_phone.setText(self.tr("Use my phone number"))
        self.close_kiosk.setText(self.tr("Staff: close the kiosk"))
        for pad in (self.phone_pad, self.exit_pad):
            pad.retranslate()
        for cancel in (self.phone_cancel, self.exit_cancel):
            cancel.setText(self.tr("Cancel"))
        self._phone_texts()
        self._exit_texts()
        self.done.setText(self.tr("Done"))
        self.print_slip.setText(self.tr("Print my balance"))
        self.balance_caption.setText(self.tr("Points balance"))
        for button, text in zip(
            self.tab_buttons,
            (self.tr("Last 12 months"), self.tr("History"), self.tr("Gifts I can get")),
            strict=True,
        ):
            button.setText(text)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("What happened"), self.tr("Points"), self.tr("Balance")]
        )
        self.newer.setText(self.tr("◀ Newer"))
        self.older.setText(self.tr("Older ▶"))
        self._show_view()

    def _phone_texts(self) -> None:
        if self._phone_number:
            self.phone_prompt.setText(self.tr("Enter your kiosk PIN"))
            self.phone_pad.ok.setText(self.tr("Show my points"))
        else:
            self.phone_prompt.setText(self.tr("Enter your mobile phone number"))
            self.phone_pad.ok.setText(self.tr("Next"))

    def _exit_texts(self) -> None:
        if self._staff_code:
            self.exit_prompt.setText(self.tr("Manager: enter your PIN"))
            self.exit_pad.ok.setText(self.tr("Close the kiosk"))
        else:
            self.exit_prompt.setText(self.tr("Manager: enter your staff number"))
            self.exit_pad.ok.setText(self.tr("Next"))

    def toggle_language(self) -> None:
        app = QApplication.instance()
        if app is not None:
            i18n.install(app, "en" if i18n.current() == "zh_CN" else "zh_CN")
        self.retranslate()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("kioskmessage" if error else "kiosknotice")
        self.message.style().unpolish(self.message)  # the style follows the object name
        self.message.style().polish(self.message)
        self.message.setText(text)

    # flow ------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the idle screen, in the kiosk's own language, with nothing of anyone shown."""
        self.view = None
        self.history = None
        self._phone_number = ""
        self._staff_code = ""
        for pad in (self.phone_pad, self.exit_pad):
            pad.field.clear()
            pad.set_secret(False)
        self.message.clear()
        self.chart.set_series(())
        self.gifts.clear()
        self.table.setRowCount(0)
        app = QApplication.instance()
        if app is not None and i18n.current() != self.home_language:
            i18n.install(app, self.home_language)
        self.stack.setCurrentIndex(IDLE)
        self.retranslate()
        self.idle.stop()

    def start_phone(self) -> None:
        self.message.clear()
        self.stack.setCurrentIndex(PHONE)
        self._phone_texts()
        self.phone_pad.field.setFocus()
        self.idle.start()

    def start_exit(self) -> None:
        self.message.clear()
        self.stack.setCurrentIndex(EXIT)
        self._exit_texts()
        self.exit_pad.field.setFocus()
        self.idle.start()

    def scanned(self, code: str) -> None:
        """A card from the wedge or a serial scanner: show that member (not while a manager
        is closing the kiosk)."""
        if self.stack.currentIndex() == EXIT or not self.isVisible():
            return
        self._show_member(
            lambda now: enter_by_card(self.db, kiosk=self.kiosk_name, card=code, now=now)
        )

    def _phone_step(self, text: str) -> None:
        if not self._phone_number:
            if not text:
                return
            self._phone_number = text
            self.phone_pad.field.clear()
            self.phone_pad.set_secret(True)
            self.phone_pad.field.setMaxLength(6)
            self.message.clear()
            self._phone_texts()
            return
        phone, pin = self._phone_number, text
        self._show_member(
            lambda now: enter_by_phone(
                self.db, kiosk=self.kiosk_name, phone=phone, pin=pin, now=now
            )
        )

    def _show_member(self, enter: Callable[[dt.datetime], str]) -> None:
        now = self.clock()
        self.idle.start()
        self._say(self.tr("One moment..."))

        def load() -> KioskView:
            return kiosk_view(self.db, enter(now), now=now)

        self.runner.run(load, self._entered, self._refused)

    def _entered(self, view: KioskView) -> None:
        self._phone_number = ""
        self.phone_pad.field.clear()
        self.phone_pad.set_secret(False)
        self.phone_pad.field.setMaxLength(11)
        self.message.clear()
        self.view = view
        self.history = view.history
        self.print_slip.setEnabled(True)
        self.print_slip.setVisible(self.printer is not None)
        self.stack.setCurrentIndex(MEMBER)
        self.show_tab(0)
        self._show_view()
        self.idle.start()

    def _refused(self, error: PosError) -> None:
        on_phone = self.stack.currentIndex() == PHONE
        if on_phone:
            # start again from the phone number (wrong PIN or not, nothing tells which)
            self._phone_number = ""
            self.phone_pad.field.clear()
            self.phone_pad.set_secret(False)
            self.phone_pad.field.setMaxLength(11)
            self._phone_texts()
        self._say(self.refusal_text(error), error=True)

    def refusal_text(self, error: PosError) -> str:
        """What the member reads when the kiosk will not show their points."""
        if isinstance(error, KioskRefused):
            if error.reason == "cooldown":
                return self.tr(
                    "Too many attempts at this kiosk. Please try again in {m} min."
                ).format(m=error.wait_minutes)
            if error.reason == "pin_locked":
                return self.tr(
                    "Too many wrong PINs. Please try again in {m} min or ask at the counter."
                ).format(m=error.wait_minutes)
            if error.reason == "card_blocked":
                return self.tr("This card is no longer valid. Please ask at the counter.")
            if error.reason == "inactive":
                return self.tr("This membership cannot be used here. Please ask at the counter.")
            if self.stack.currentIndex() == PHONE:
                text = self.tr("The phone number or the PIN is not right.")
                if error.attempts_left is not None and error.attempts_left <= 3:
                    text += " " + self.tr("{n} more tries before a lockout.").format(
                        n=error.attempts_left
                    )
                return text
            return self.tr("This card is not known here. Please ask at the counter.")
        if isinstance(error, InvalidInput):
            if error.field == "phone":
                return self.tr("Please enter your 11-digit mobile number.")
            if error.field == "pin":
                return self.tr("Please enter your kiosk PIN.")
            return self.tr("The card could not be read. Please scan it again.")
        return self._trouble()

    def _trouble(self) -> str:
        return self.tr("Sorry, something went wrong. Please ask at the counter.")

    # the member's points -------------------------------------------------------------------------
    def show_tab(self, index: int) -> None:
        self.tab_buttons[index].setChecked(True)
        self.details.setCurrentIndex(index)

    def _zh(self) -> bool:
        return i18n.current() == "zh_CN"

    def _date(self, day: dt.date) -> str:
        if self._zh():
            return f"{day.year}年{day.month}月{day.day}日"
        return day.strftime("%d %b %Y")

    def _show_view(self) -> None:
        view = self.view
        if view is None:
            for label in (self.name, self.tier, self.balance, self.progress_text, self.expiring):
                label.clear()
            self.progress.setValue(0)
            return
        zh = self._zh()
        tier = view.tier
        self.name.setText(
            self.tr("Hello, {name}  ({phone})").format(
                name=view.masked_name, phone=view.masked_phone
            )
        )
        self.tier.setText(tier.name if zh else tier.name_en)
        self.balance.setText(points(view.balance))
        if tier.next_code is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress_text.setText(self.tr("You are at our top tier. Thank you!"))
        else:
            goal = tier.spend_fen + tier.needed_fen
            self.progress.setRange(0, max(1, goal))
            self.progress.setValue(min(tier.spend_fen, goal))
            self.progress_text.setText(
                self.tr("Spend {money} more to reach {tier}").format(
                    money=money(tier.needed_fen),
                    tier=tier.next_name if zh else tier.next_name_en,
                )
            )
        lines = [
            self.tr("Expiring within 30 days: {p} points").format(p=points(view.expiring_30d)),
            self.tr("Expiring within 90 days: {p} points").format(p=points(view.expiring_90d)),
        ]
        for item in view.expiring:
            lines.append(
                self.tr("  {p} points usable until {date}").format(
                    p=points(item.points), date=self._date(item.last_day)
                )
            )
        if not view.expiring:
            lines.append(self.tr("No points expire in the next 90 days."))
        self.expiring.setText("\n".join(lines))
        self.chart.set_series(view.chart)
        self._show_history()
        self._show_gifts()

    def _show_history(self) -> None:
        page = self.history
        self.table.setRowCount(0)
        if page is None:
            return
        zh = self._zh()
        self.table.setRowCount(len(page.items))
        for row, item in enumerate(page.items):
            what = kind_text(item.kind)
            detail = item.detail if zh else item.detail_en
            if detail:
                what = f"{what}: {detail}"
            cells = (
                self._date(item.at.date()),
                what,
                f"{item.points:+,}",
                points(item.balance_after),
            )
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col >= 2:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, cell)
        self.page_label.setText(
            self.tr("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages)
        )
        self.newer.setEnabled(page.page > 0)
        self.older.setEnabled(page.page + 1 < page.pages)

    def history_page(self, step: int) -> None:
        if self.view is None or self.history is None:
            return
        member_id, target, now = self.view.member_id, self.history.page + step, self.clock()
        if not 0 <= target < self.history.pages:
            return
        self.runner.run(
            lambda: member_history_page(self.db, member_id, page=target, now=now),
            self._history_loaded,
            self._refused,
        )

    def _history_loaded(self, page: HistoryPage) -> None:
        if self.view is None:  # timed out meanwhile
            return
        self.history = page
        self._show_history()

    def _show_gifts(self) -> None:
        self.gifts.clear()
        view = self.view
        if view is None:
            return
        zh = self._zh()
        if not view.gifts:
            self.gifts.addItem(self.tr("No gift within your points yet. Keep collecting!"))
        for gift in view.gifts:
            text = self.tr("{name} — {p} points").format(
                name=gift.name if zh else gift.name_en, p=points(gift.points)
            )
            if gift.cash_fen:
                text += self.tr(" + {money}").format(money=money(gift.cash_fen))
            if gift.low_stock:
                text += "   " + self.tr("(stock low)")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, gift.code)
            self.gifts.addItem(item)

    def print_balance(self) -> None:
        if self.printer is None or self.view is None:
            return
        self.printer.balance_slip(self.view.member_id, "")
        self.print_slip.setEnabled(False)  # one slip per visit
        self._say(self.tr("Your balance slip is printing."))

    # leaving ----------------------------------------------------------------------------------
    def _exit_step(self, text: str) -> None:
        if not self._staff_code:
            if not text:
                return
            self._staff_code = text
            self.exit_pad.field.clear()
            self.exit_pad.set_secret(True)
            self._exit_texts()
            return
        code, pin, now = self._staff_code, text, self.clock()
        self._staff_code = ""
        self.exit_pad.field.clear()
        self.exit_pad.set_secret(False)
        self._exit_texts()
        self.runner.run(
            lambda: authorize_exit(self.db, code=code, pin=pin, now=now),
            self._exit_allowed,
            lambda error: self._say(describe(error), error=True),
        )

    def _exit_allowed(self, manager: str) -> None:
        self._may_close = True
        self.closed_by_manager.emit(manager)
        self.close()

    # lock-down -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self.scanner)
                app.removeEventFilter(self)
            event.accept()
        else:
            event.ignore()  # Alt+F4, the window manager, anything but the manager's PIN

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (
            kind
            in (
                QEvent.Type.KeyPress,
                QEvent.Type.MouseButtonPress,
                QEvent.Type.TouchBegin,
                QEvent.Type.Wheel,
            )
            and self.stack.currentIndex() != IDLE
        ):
            self.idle.start()  # any touch or key keeps the member's screen up
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
            event, QKeyEvent
        ):
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_Escape or (key == Qt.Key.Key_F4 and mods):
                return True
            if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                return True  # no shortcuts at all
        return kind == QEvent.Type.ContextMenu

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.accept()  # nothing reaches a parent or the platform
