"""``pos-app printer ...`` against a real TCP printer, and the console demo's receipts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.escpos_reader import Cut, parse, receipt_text
from pos_app.services.checkout import CartLine
from tests.conftest import Counter
from tests.devices.fake_printer import PAPER_OUT, READY_STATUS, FakePrinter
from ui.cli import main


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def devices_file(tmp_path: Path, url: str, **extra: str) -> str:
    lines = ["[printer]", f'url = "{url}"', "timeout_s = 1.0"]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    path = tmp_path / "devices.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(counter: Counter, devices: str, *args: str) -> int:
    return main(["printer", "--db", counter.db.path, "--devices", devices, *args])


def test_status_and_test_page(
    supermarket: Counter, fake: FakePrinter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    devices = devices_file(tmp_path, fake.url)
    assert run(supermarket, devices, "status") == 0
    assert "ready" in capsys.readouterr().out
    assert run(supermarket, devices, "test") == 0
    text = receipt_text(parse(fake.received))
    assert "打印测试 Test page" in text
    assert "123456789012345678901234567890123456789012345678" in text


def test_reprint_by_number_and_the_queue(
    supermarket: Counter, fake: FakePrinter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    receipt = supermarket.sell(None, [CartLine("daily", 1234)], method="card").receipt_no
    devices = devices_file(tmp_path, fake.url, language='"en"')
    assert run(supermarket, devices, "reprint", receipt) == 0
    text = receipt_text(parse(fake.received))
    assert receipt in text and "REPRINT" in text
    assert run(supermarket, devices, "queue") == 0
    assert receipt in capsys.readouterr().out
    assert run(supermarket, devices, "reprint", "S01-D1-999999") == 2
    assert "no sale has receipt number" in capsys.readouterr().err


def test_paper_out_is_reported_and_the_job_waits(
    supermarket: Counter, fake: FakePrinter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.status_reply = {**READY_STATUS, 4: PAPER_OUT}
    devices = devices_file(tmp_path, fake.url)
    assert run(supermarket, devices, "status") == 1
    assert "paper_out" in capsys.readouterr().out
    receipt = supermarket.sell(None, [CartLine("daily", 1234)], method="card").receipt_no
    # a job left waiting when the counter closed (paper out then) goes out with "send"
    with supermarket.sql() as conn:
        conn.execute(
            "INSERT INTO print_jobs (printer, kind, ref, data, created_at, status, attempts) "
            "VALUES ('receipt', 'sale', ?, X'1B400A1D5600', '2026-03-02 02:00:00.000000', "
            "'queued', 0)",
            (receipt,),
        )
        conn.commit()
    fake.status_reply = READY_STATUS
    assert run(supermarket, devices, "send") == 0
    assert [op for op in parse(fake.received) if isinstance(op, Cut)]


def test_no_printer_configured_is_a_clear_message(supermarket: Counter, tmp_path: Path) -> None:
    empty = tmp_path / "devices.toml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit, match="no printer is set up"):
        run(supermarket, str(empty), "status")


def test_console_demo_prints_its_receipts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "receipts"
    assert main(["demo", "--console", "--receipts", str(folder)]) == 0
    assert "receipts printed on the preview printer" in capsys.readouterr().out
    pictures = sorted(p.name for p in folder.glob("*.png") if "drawer" not in p.name)
    assert any("-return-R-" in name for name in pictures)
    assert len(pictures) >= 4
