"""The customer pole display over a real pseudo-terminal: the bytes it gets, and unplugging."""

from __future__ import annotations

import logging
import os
import select
import time
import tty
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.pole_display import INIT, WIDTH, PoleDisplay, displayable, goto, render
from pos_app.textwidth import display_width

WAIT = 5.0
LINE1 = b"\x1f$\x01\x01"
LINE2 = b"\x1f$\x01\x02"
FRAME_BYTES = 2 * (4 + WIDTH)  # two cursor moves and two 20-column lines


@dataclass
class Pty:
    master: int
    slave: int
    path: str
    closed: bool = False

    @classmethod
    def open(cls) -> Pty:
        master, slave = os.openpty()
        tty.setraw(slave)  # no output processing: the bytes arrive as written
        return cls(master, slave, os.ttyname(slave))

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes the display was sent, then check nothing else is pending."""
        data = b""
        deadline = time.monotonic() + WAIT
        while len(data) < n:
            ready, _, _ = select.select([self.master], [], [], deadline - time.monotonic())
            if not ready:
                pytest.fail(f"display got {data!r}, expected {n} bytes")
            data += os.read(self.master, n - len(data))
        assert not self.pending(), "display was sent more than expected"
        return data

    def pending(self) -> bool:
        return bool(select.select([self.master], [], [], 0)[0])

    def unplug(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.master)
            os.close(self.slave)


@pytest.fixture
def pty_pair() -> Iterator[Pty]:
    pair = Pty.open()
    yield pair
    pair.unplug()


@pytest.fixture
def display(pty_pair: Pty) -> Iterator[PoleDisplay]:
    shown = PoleDisplay(pty_pair.path)
    yield shown
    shown.close()


def _lines(frame: bytes, codec: str) -> tuple[str, str]:
    """Split one screen update back into its two text lines."""
    assert frame.startswith(LINE1)
    first, second = frame[len(LINE1) :].split(LINE2)
    return first.decode(codec), second.decode(codec)


# -- ASCII display -------------------------------------------------------------------------


def test_first_update_initialises_then_writes_both_lines(
    pty_pair: Pty, display: PoleDisplay
) -> None:
    display.line_added("Coca-Cola 330ml", 2, 700)
    assert pty_pair.read(8 + FRAME_BYTES) == (
        b"\x1b@\x1f\x01\x1fC\x00\x0c"  # ESC @, overwrite mode, cursor off, clear
        + b"\x1f$\x01\x01"
        + b"Coca-Cola 330ml     "
        + b"\x1f$\x01\x02"
        + b"2 x             7.00"
    )
    display.total(123456, points=1234)
    assert pty_pair.read(FRAME_BYTES) == (
        b"\x1f$\x01\x01TOTAL        1234.56\x1f$\x01\x02POINTS          1234"
    )
    display.total(99)
    assert pty_pair.read(FRAME_BYTES) == b"\x1f$\x01\x01TOTAL           0.99\x1f$\x01\x02" + (
        b" " * 20
    )
    display.change(1250)
    assert pty_pair.read(FRAME_BYTES) == b"\x1f$\x01\x01CHANGE         12.50\x1f$\x01\x02" + (
        b" " * 20
    )
    display.welcome()
    assert pty_pair.read(FRAME_BYTES) == b"\x1f$\x01\x01      Welcome       \x1f$\x01\x02" + (
        b" " * 20
    )
    display.clear()
    assert pty_pair.read(1) == b"\x0c"


def test_ascii_display_gets_readable_ascii_only(pty_pair: Pty, display: PoleDisplay) -> None:
    display.line_added("可口可乐 Coke 330ml", 1, 350)
    assert _lines(pty_pair.read(8 + FRAME_BYTES)[8:], "ascii")[0] == "Coke 330ml          "
    display.line_added("可口可乐", 1, 350)
    assert _lines(pty_pair.read(FRAME_BYTES), "ascii")[0] == "Item                "
    display.line_added("Café Crème ＸＬ", 1, 350)  # accents and full-width letters
    assert _lines(pty_pair.read(FRAME_BYTES), "ascii")[0] == "Cafe Creme XL       "
    display.line_added("\x1b@Evil\x0cName\x1f$", 1, 350)  # no commands smuggled in names
    assert _lines(pty_pair.read(FRAME_BYTES), "ascii")[0] == "@Evil Name $        "
    display.line_added("A very long item name that goes on", 12, 1234567)
    assert _lines(pty_pair.read(FRAME_BYTES), "ascii") == (
        "A very long item nam",
        "12 x        12345.67",
    )


def test_chinese_labels_need_a_codec() -> None:
    assert PoleDisplay("loop://", language="zh_CN").labels["total"] == "TOTAL"
    assert PoleDisplay("loop://", codec="gbk", language="zh_CN").labels["total"] == "合计"
    assert PoleDisplay("loop://", codec="gbk", language="en").labels["total"] == "TOTAL"
    # Big5 has no 欢 or 计: English throughout rather than gaps or a half-translated screen
    big5 = PoleDisplay("loop://", codec="big5", language="zh_CN")
    assert (big5.language, big5.labels["change"]) == ("en", "CHANGE")


# -- Chinese display -----------------------------------------------------------------------


def test_gb18030_display_counts_chinese_as_two_columns(pty_pair: Pty) -> None:
    display = PoleDisplay(pty_pair.path, codec="gb18030", language="zh_CN")
    try:
        display.line_added("可口可乐零度无糖330毫升装", 3, 1050)
        frame = pty_pair.read(8 + FRAME_BYTES)
        assert frame[:8] == INIT
        first, second = _lines(frame[8:], "gb18030")
        # 8 wide chars + "330" = 19 columns; 毫 would cross the edge, so a space fills it
        assert first == "可口可乐零度无糖330 "
        assert second == "3 x            10.50"

        display.total(123456, points=88)
        assert _lines(pty_pair.read(FRAME_BYTES), "gb18030") == (
            "合计         1234.56",
            "积分              88",
        )
        display.welcome()
        assert _lines(pty_pair.read(FRAME_BYTES), "gb18030")[0] == "      欢迎光临      "
        display.change(50)
        assert _lines(pty_pair.read(FRAME_BYTES), "gb18030")[0] == "找零            0.50"
        display.line_added("A" * 19 + "中文", 1, 100)
        assert _lines(pty_pair.read(FRAME_BYTES), "gb18030")[0] == "A" * 19 + " "
        for line in display.lines:
            assert display_width(line) == WIDTH
    finally:
        display.close()


def test_characters_the_display_cannot_show_are_replaced() -> None:
    # "·" and "é" exist in GBK but as two bytes for one column: the display would disagree
    assert displayable("咖啡·拿铁 café 🍺", "gbk") == "咖啡.拿铁 cafe "
    assert displayable("歡迎", "big5") == "歡迎"
    assert displayable("欢迎", "big5") == "迎"  # simplified 欢 is not in Big5


@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from([None, "gb18030", "big5"]))
def test_any_text_renders_as_two_full_lines(first: str, second: str, codec: str | None) -> None:
    frame = render((first, second), codec)
    assert len(frame) == FRAME_BYTES  # bytes == columns: one per ASCII char, two per CJK
    lines = _lines(frame, codec or "ascii")
    assert all(display_width(line) == WIDTH for line in lines)
    assert all(ch >= " " for line in lines for ch in line)  # no control bytes


def test_render_is_the_screen_update() -> None:
    assert render(("Hi", "There"), None) == (
        goto(1, 1) + b"Hi" + b" " * 18 + goto(1, 2) + b"There" + b" " * 15
    )


# -- unplugged display ---------------------------------------------------------------------


def _point(link: Path, target: str) -> None:
    fresh = link.with_name(link.name + ".new")
    os.symlink(target, fresh)
    os.replace(fresh, link)


def test_unplugged_display_never_raises_and_comes_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="devices.pole_display")
    first = Pty.open()
    link = tmp_path / "display"
    _point(link, first.path)
    display = PoleDisplay(str(link))
    try:
        display.total(100)
        first.read(8 + FRAME_BYTES)
        first.unplug()  # the write on the old port fails (EIO), the reopen finds no device

        display.total(200)
        display.line_added("Tea", 1, 300)
        assert display.lines[0].startswith("Tea")  # the screen it would show is kept
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # one warning, then quiet until it is back
        assert "unavailable" in warnings[0].getMessage()

        second = Pty.open()
        try:
            _point(link, second.path)
            display.total(400, points=4)
            frame = second.read(8 + FRAME_BYTES)
            assert frame[:8] == INIT  # a replugged display is initialised again
            assert _lines(frame[8:], "ascii")[0] == "TOTAL           4.00"
            assert "back" in caplog.records[-1].getMessage()
        finally:
            second.unplug()
    finally:
        display.close()


def test_display_with_no_device_at_all_stays_quiet(tmp_path: Path) -> None:
    display = PoleDisplay(str(tmp_path / "nothing-here"))
    display.welcome("Shop\nOpen")
    display.clear()
    display.close()
    assert display.lines == ("", "")


def test_a_hung_display_blocks_for_the_write_timeout_only(pty_pair: Pty) -> None:
    # nobody reads the master: the pty buffer fills like a display stuck in flow control
    display = PoleDisplay(pty_pair.path, write_timeout=0.05)
    try:
        for _ in range(2000):
            start = time.monotonic()
            display.line_added("Item that fills the buffer", 1, 100)
            assert time.monotonic() - start < 1.0
            if display._failing:
                break
        else:
            pytest.fail("the pty buffer never filled up")
    finally:
        display.close()


def test_closed_display_sends_nothing(pty_pair: Pty, display: PoleDisplay) -> None:
    display.welcome()
    pty_pair.read(8 + FRAME_BYTES)
    display.close()
    display.total(100)
    assert not pty_pair.pending()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": ""}, "empty"),
        ({"baudrate": 0}, "baudrate"),
        ({"baudrate": "9600"}, "baudrate"),
        ({"codec": "klingon"}, "codec"),
        ({"codec": "utf-16"}, "ASCII"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, object], message: str) -> None:
    kwargs.setdefault("url", "loop://")
    with pytest.raises(ValueError, match=message):
        PoleDisplay(**kwargs)  # type: ignore[arg-type]


def test_amounts_must_be_whole_fen() -> None:
    display = PoleDisplay("loop://")
    with pytest.raises(TypeError):
        display.total(12.5)  # type: ignore[arg-type]
