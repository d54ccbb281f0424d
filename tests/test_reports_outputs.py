"""The reports as people get them: A4 PDF (read back with pdftotext, page 1 rendered into
``docs/reports/`` on every run), CSV, the receipt printer (a fake TCP ESC/POS printer),
the ``pos-app report`` commands, and the period report and member statement against
the ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.escpos_reader import parse, receipt_text
from pos_app.reports.eod import close_day, eod_report
from pos_app.reports.period import member_statement, period_report
from pos_app.reports.render import (
    eod_csv,
    eod_pdf,
    eod_receipt,
    period_pdf,
    statement_pdf,
    statement_receipt,
)
from pos_app.services.adjustments import adjust_points
from pos_app.services.checkout import CartLine
from pos_app.services.returns import ReturnItem, commit_return
from tests.conftest import SHANGHAI, Counter, at
from tests.devices.fake_printer import FakePrinter
from ui.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "reports"
DAY = dt.date(2026, 3, 2)
NOW = at(2026, 3, 3, 9)
CARD = "8800001"
STORE = "S01"


@pytest.fixture
def shop(supermarket: Counter) -> Counter:
    """2026-03-02: a sign-up (50), 1,146 + 1 points on purchases, 100 points used for
    ¥1.00, a non-member sale of ¥12.34. 2026-03-03: the offset sale comes back and a
    manager takes 100 points."""
    c = supermarket
    m = c.register(name="王小明", phone="13912345678", card=CARD, now=at(2026, 3, 2, 9))
    c.sell(m.id, [CartLine("general", 114600)], now=at(2026, 3, 2, 10))
    offset = c.sell(m.id, [CartLine("general", 200)], offset=100, now=at(2026, 3, 2, 11))
    assert (offset.quote.offset_fen, offset.quote.earn_points) == (100, 1)
    c.sell(None, [CartLine("daily", 1234)], now=at(2026, 3, 2, 15))
    commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=offset.receipt_no,
        items=[ReturnItem(1, 1)],
        now=at(2026, 3, 3, 10),
        approver=c.manager,
    )
    adjust_points(
        c.db,
        actor=c.manager,
        member_id=m.id,
        points=-100,
        reason="goodwill reversed",
        now=at(2026, 3, 3, 11),
    )
    return c


def member_id(c: Counter) -> str:
    with c.sql() as conn:
        return str(conn.execute("SELECT member_id FROM member_cards").fetchone()[0])


# PDF ----------------------------------------------------------------------------------
def tool(name: str) -> str:
    found = shutil.which(name)
    # .ci/run installs poppler-utils: a missing binary is a broken machine, not a skip
    assert found, f"{name} is missing: install poppler-utils"
    return found


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "report.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF-")
    out = subprocess.run(
        [tool("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout


def publish_page_one(data: bytes, folder: Path, name: str) -> Path:
    """Page 1 as a small PNG in docs/reports/ (the README shows them)."""
    path = folder / "page.pdf"
    path.write_bytes(data)
    stem = folder / "page1"
    subprocess.run(
        [
            tool("pdftoppm"),
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(stem),
        ],
        check=True,
        timeout=60,
    )
    png = stem.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG")
    DOCS.mkdir(parents=True, exist_ok=True)
    target = DOCS / name
    target.write_bytes(png.read_bytes())
    return target


def squash(text: str) -> str:
    return "".join(text.split())


def pages(data: bytes, folder: Path) -> int:
    path = folder / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(
        [tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


EOD_WORDS = {
    "zh_CN": ("日结积分报表", "营业日", "消费积分", "积分抵现", "会员销售"),
    "en": (
        "End-of-day points report",
        "Business day",
        "Purchases",
        "Cash offsets",
        "Member sales",
        "Page 1 of",
    ),
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_eod_pdf_says_the_figures(shop: Counter, tmp_path: Path, language: str) -> None:
    report = eod_report(shop.db, DAY, now=NOW)
    data = eod_pdf(report, language, SHANGHAI)
    text = pdf_text(data, tmp_path)
    for words in EOD_WORDS[language]:
        assert words in text, words
    assert "测试门店" in text and "2026-03-02" in text
    assert "1,147" in text  # points on purchases
    assert "1,197" in text  # points issued
    assert "¥1.00" in text  # cash value of the offset
    assert "¥1,147.00" in text  # member sales
    assert "¥12.34" in text  # non-member sale
    total = pages(data, tmp_path)
    if language == "zh_CN":
        # pdftotext drops the spaces between CJK text and digits: 第 1 页 / 共 3 页
        assert f"第1页/共{total}页" in squash(text)
    else:
        assert f"Page 1 of {total}" in text
    publish_page_one(data, tmp_path, f"eod_{language}.png")


def test_a_reprinted_pdf_says_reprint_and_who_closed(shop: Counter, tmp_path: Path) -> None:
    close_day(shop.db, actor=shop.manager, day=DAY, now=at(2026, 3, 2, 22))
    report = eod_report(shop.db, DAY, now=NOW)
    text = pdf_text(eod_pdf(report, "en", SHANGHAI), tmp_path)
    assert "End-of-day points report (Reprint)" in text
    assert "2026-03-02 22:00 经理" in text


def test_period_pdf(shop: Counter, tmp_path: Path) -> None:
    period = period_report(shop.db, dt.date(2026, 3, 1), dt.date(2026, 3, 3), now=NOW)
    data = period_pdf(period, "en", SHANGHAI)
    text = pdf_text(data, tmp_path)
    assert "Points period report" in text and "Page 1 of" in text
    assert "2026-03-01" in text and "2026-03-03" in text and "测试门店" in text
    assert "1,197" in text and "1,097" in text  # issued and outstanding on 03-02
    publish_page_one(data, tmp_path, "period_en.png")


def test_statement_pdf(shop: Counter, tmp_path: Path) -> None:
    st = member_statement(
        shop.db, member_id(shop), dt.date(2026, 3, 1), dt.date(2026, 3, 3), now=NOW
    )
    data = statement_pdf(st, "zh_CN", SHANGHAI)
    text = pdf_text(data, tmp_path)
    assert "会员积分对账单" in text and "第1页/共1页" in squash(text)
    assert "王*" in text or "王" in text
    assert "13912345678" not in text  # the phone number is masked
    assert "1,146" in text and "注册奖励" in text and "积分抵现" in text
    assert "1,096" in text  # balance after the manager's -100 on 03-03
    publish_page_one(data, tmp_path, "statement_zh_CN.png")


def test_period_pdf_amounts_stay_on_one_line(shop: Counter, tmp_path: Path) -> None:
    period = period_report(shop.db, dt.date(2026, 3, 1), dt.date(2026, 3, 3), now=NOW)
    text = pdf_text(period_pdf(period, "en", SHANGHAI), tmp_path)
    assert "¥1,159.34" in text  # the sales of 03-02


# CSV ----------------------------------------------------------------------------------
def rows_of(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read the Chinese
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_eod_csv_has_plain_numbers(shop: Counter, tmp_path: Path) -> None:
    report = eod_report(shop.db, DAY, now=NOW)
    path = tmp_path / "eod.csv"
    assert (
        main(
            [
                "report",
                "eod",
                "--date",
                "2026-03-02",
                "--db",
                str(shop.db.path),
                "--language",
                "en",
                "--csv",
                str(path),
            ]
        )
        == 0
    )
    rows = rows_of(path)
    cells = {(r[0], r[1]): r[2:] for r in rows if len(r) > 2}
    f = report.figures
    assert cells[("Points issued by source", "Purchases")] == [str(f.points["purchases"])]
    assert cells[("Points issued by source", "Total")] == [str(f.issued)] == ["1197"]
    assert cells[("Points redeemed", "Cash offsets")] == ["100"]
    assert cells[("Points redeemed", "Cash value of offsets")] == ["1.00"]
    assert cells[("Sales", "Member sales")] == ["2", "1147.00"]
    assert cells[("Sales", "Non-member sales")] == ["1", "12.34"]
    assert cells[("Summary", "Net change")] == [str(f.net)] == ["1097"]
    assert ["", "Business day", "2026-03-02"] in rows
    # the same figures in Chinese
    zh = tmp_path / "eod_zh.csv"
    zh.write_text(eod_csv(report, "zh_CN", SHANGHAI), encoding="utf-8-sig")
    zh_cells = {(r[0], r[1]): r[2:] for r in rows_of(zh) if len(r) > 2}
    assert zh_cells[("销售", "会员销售")] == ["2", "1147.00"]


# Receipt printer --------------------------------------------------------------------
@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def devices_file(tmp_path: Path, url: str) -> str:
    path = tmp_path / "devices.toml"
    path.write_text(f'[printer]\nurl = "{url}"\ntimeout_s = 1.0\n', encoding="utf-8")
    return str(path)


def test_eod_on_the_receipt_printer(
    shop: Counter, fake: FakePrinter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "eod", "--date", "2026-03-02", "--print"]
    assert (
        main([*args, "--devices", devices_file(tmp_path, fake.url), "--db", str(shop.db.path)]) == 0
    )
    assert "printed" in capsys.readouterr().out
    text = receipt_text(parse(fake.received))
    assert "日结积分报表" in text and "测试门店 2026-03-02" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for expected in (
        "发放积分 1,197",
        "兑换积分 100",
        "抵现金额 ￥1.00",
        "积分净变动 1,097",
        "消费积分 1,147",
        "会员销售 2 ￥1,147.00",
        "非会员销售 1 ￥12.34",
        "注册奖励 50",
        "新会员 1",
    ):
        assert expected in lines, expected
    # the printer's code page has the full-width yuan sign only
    assert "¥" not in text
    assert "1 收银员" in lines and "销售笔数 3" in lines and "金额 ￥1,159.34" in lines
    assert "折合现金 ￥10.96" in lines  # 1,096 points held at 100 to the yuan
    assert "单店运行，不与总部同步" in text


def test_statement_on_the_receipt_printer(shop: Counter, fake: FakePrinter, tmp_path: Path) -> None:
    assert (
        main(
            [
                "report",
                "statement",
                "--member",
                CARD,
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-03",
                "--print",
                "--devices",
                devices_file(tmp_path, fake.url),
                "--db",
                str(shop.db.path),
            ]
        )
        == 0
    )
    text = receipt_text(parse(fake.received))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "会员积分对账单" in text
    assert "期初积分 0" in lines and "期末积分 1,096" in lines
    assert "消费积分 1,196" in lines  # the 1,146 purchase, balance after it
    assert "13912345678" not in text


def test_receipt_version_keeps_the_figures_of_the_report(shop: Counter) -> None:
    report = eod_report(shop.db, DAY, now=NOW)
    title, subtitle, rows = eod_receipt(report, "en", SHANGHAI)
    assert (title, subtitle) == ("End-of-day points report", "测试门店 2026-03-02")
    pairs = dict(rows)
    assert pairs["Points issued"] == "1,197" and pairs["Net change"] == "1,097"
    assert pairs["Member sales"] == "2  ¥1,147.00"
    st = member_statement(
        shop.db, member_id(shop), dt.date(2026, 3, 1), dt.date(2026, 3, 3), now=NOW
    )
    _title, who, lines = statement_receipt(st, "en", SHANGHAI)
    assert "13912345678" not in who
    assert lines[-1] == ("Closing balance", "1,096")


# The commands -----------------------------------------------------------------------
def test_report_commands(shop: Counter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(shop.db.path)
    pdf, eod_csv_path = tmp_path / "eod.pdf", tmp_path / "eod.csv"
    assert (
        main(
            [
                "report",
                "eod",
                "--date",
                "2026-03-02",
                "--db",
                db,
                "--pdf",
                str(pdf),
                "--csv",
                str(eod_csv_path),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "PDF written" in out and "CSV written" in out
    assert pdf.read_bytes().startswith(b"%PDF-") and rows_of(eod_csv_path)
    assert main(["report", "eod", "--date", "2026-03-02", "--db", db, "--language", "en"]) == 0
    shown = capsys.readouterr().out
    assert "End-of-day points report" in shown and "Not closed" in shown and "1,197" in shown
    # a cashier may not close; the manager may, once
    assert (
        main(
            ["report", "close", "--date", "2026-03-02", "--staff", "1", "--pin", "1111", "--db", db]
        )
        == 2
    )
    assert "manager" in capsys.readouterr().err
    assert (
        main(
            ["report", "close", "--date", "2026-03-02", "--staff", "2", "--pin", "2222", "--db", db]
        )
        == 0
    )
    assert "2026-03-02 closed" in capsys.readouterr().out
    assert (
        main(
            ["report", "close", "--date", "2026-03-02", "--staff", "2", "--pin", "2222", "--db", db]
        )
        == 2
    )
    assert "already closed" in capsys.readouterr().err
    assert main(["report", "closed", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("2026-03-02  closed ") and listed.rstrip().endswith("by 经理")
    assert main(["report", "eod", "--date", "2026-03-02", "--db", db]) == 0
    assert "日结积分报表 (补打)" in capsys.readouterr().out
    period = tmp_path / "period.csv"
    assert (
        main(
            [
                "report",
                "period",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-03",
                "--db",
                db,
                "--csv",
                str(period),
            ]
        )
        == 0
    )
    assert any(r[1] == "2026-03-02" for r in rows_of(period) if len(r) > 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eod", "--date", "2026-02-30"], "'2026-02-30' is not a date (YYYY-MM-DD)"),
        (["period", "--from", "2026-03-03", "--to", "2026-03-01"], "ends before it starts"),
        (["period", "--from", "2025-01-01", "--to", "garbage"], "is not a date"),
        (["statement", "--member", "8800999", "--from", "2026-03-01"], "error: "),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    shop: Counter, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = shop.counts(("day_closes", "audit_log", "print_jobs"))
    assert main(["report", *args, "--db", str(shop.db.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert shop.counts(("day_closes", "audit_log", "print_jobs")) == before


def test_a_missing_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "eod", "--db", str(tmp_path / "nope.sqlite3")]) == 2
    assert "no store database" in capsys.readouterr().err
    assert not (tmp_path / "nope.sqlite3").exists()


def test_close_writes_the_csv_it_accepts(shop: Counter, tmp_path: Path) -> None:
    path = tmp_path / "close.csv"
    assert (
        main(
            [
                "report",
                "close",
                "--date",
                "2026-03-02",
                "--staff",
                "2",
                "--pin",
                "2222",
                "--db",
                str(shop.db.path),
                "--csv",
                str(path),
            ]
        )
        == 0
    )
    assert path.exists()


# Period report and statement against the ledger -----------------------------------
def expected_days(conn: sqlite3.Connection, first: dt.date, last: dt.date) -> list[tuple[int, ...]]:
    """Per day: sales, amount, issued, redeemed, offset fen, taken, net, outstanding."""
    out = []
    day = first
    while day <= last:
        d = day.isoformat()
        sales, amount, offset = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(total_fen), 0), COALESCE(SUM(offset_fen), 0) "
            "FROM sales WHERE business_day = ? AND store_code = ?",
            (d, STORE),
        ).fetchone()
        issued = redeemed = taken = 0
        for kind, pts in conn.execute(
            "SELECT kind, points FROM ledger_entries WHERE business_day = ? AND store_code = ?",
            (d, STORE),
        ):
            if kind in (
                "earn",
                "signup_bonus",
                "referral_bonus",
                "upgrade_bonus",
                "activity_bonus",
            ) or (kind in ("adjustment", "transfer") and pts > 0):
                issued += pts
            elif kind in ("offset", "offset_refund", "gift_redemption", "gift_refund"):
                redeemed -= pts
            else:
                taken -= pts
        outstanding = conn.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE business_day <= ?", (d,)
        ).fetchone()[0]
        out.append(
            (sales, amount, issued, redeemed, offset, taken, issued - redeemed - taken, outstanding)
        )
        day += dt.timedelta(days=1)
    return out


def test_period_matches_the_ledger(shop: Counter) -> None:
    first, last = dt.date(2026, 3, 1), dt.date(2026, 3, 4)
    period = period_report(shop.db, first, last, now=NOW)
    with shop.sql() as conn:
        expected = expected_days(conn, first, last)
        balances = conn.execute("SELECT SUM(balance) FROM members").fetchone()[0]
    assert [d.day for d in period.days] == [first + dt.timedelta(days=i) for i in range(4)]
    assert [
        (d.sales, d.sales_fen, d.issued, d.redeemed, d.offset_fen, d.taken, d.net, d.outstanding)
        for d in period.days
    ] == expected
    assert expected[1] == (3, 114600 + 100 + 1234, 1197, 100, 100, 0, 1097, 1097)
    assert expected[2][3:7] == (-100, 0, 101, -1)  # offset back, 1 reversed + 100 taken
    assert period.opening_outstanding == 0
    assert period.closing_outstanding == balances == 1096


def test_statement_adds_up_to_the_balance(shop: Counter) -> None:
    mid = member_id(shop)
    st = member_statement(shop.db, mid, dt.date(2026, 3, 1), dt.date(2026, 3, 3), now=NOW)
    with shop.sql() as conn:
        ledger = conn.execute(
            "SELECT kind, points, balance_after FROM ledger_entries WHERE member_id = ? "
            "ORDER BY id",
            (mid,),
        ).fetchall()
        balance = conn.execute("SELECT balance FROM members WHERE id = ?", (mid,)).fetchone()[0]
    assert [(x.kind, x.points, x.balance_after) for x in st.lines] == ledger
    assert st.opening + sum(x.points for x in st.lines) == st.closing == balance == 1096
    assert st.lines[-1].balance_after == st.closing
    assert st.name != "王小明" and "5678" in st.phone and "13912345678" not in st.phone
    # a later window opens with what the earlier one closed on
    later = member_statement(shop.db, mid, dt.date(2026, 3, 3), dt.date(2026, 3, 3), now=NOW)
    before = member_statement(shop.db, mid, dt.date(2026, 3, 2), dt.date(2026, 3, 2), now=NOW)
    assert later.opening == before.closing == 1097
    assert later.closing == 1096
