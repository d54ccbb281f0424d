"""Receipts as the customer gets them: rendered through the preview printer into
``docs/receipts/`` on every run (so the README's pictures stay current), with the
figures checked from the bytes the printer was sent.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from devices.config import preview_printer
from devices.escpos_reader import QR, Image, parse, receipt_text
from devices.receipt_printer import ReceiptPrinter
from pos_app.services import gifts
from pos_app.services.checkout import CartLine
from pos_app.services.gifts import import_catalogue, redeem_gift
from tests.conftest import Counter

DOCS = Path(__file__).resolve().parents[2] / "docs" / "receipts"


def _print(counter: Counter, folder: Path, call: str, number: str, **cfg: object) -> bytes:
    config = preview_printer(folder, **cfg)  # type: ignore[arg-type]
    printer = ReceiptPrinter(counter.db, config, clock=lambda: counter.now)
    getattr(printer, call)(number)
    while printer.worker.run_once():
        pass
    (raw,) = [p for p in folder.glob("*.bin") if "drawer" not in p.name]
    return raw.read_bytes()


def _publish(folder: Path, name: str) -> None:
    (png,) = [p for p in folder.glob("*.png") if "drawer" not in p.name]
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / name).write_bytes(png.read_bytes())


@pytest.fixture
def sale(supermarket: Counter) -> str:
    member = supermarket.register(name="王小明", phone="13912345678", card="8800009999")
    supermarket.give(member.id, 3000)
    return supermarket.sell(
        member.id,
        [
            CartLine("daily", 2590, 2, description="蓝月亮洗衣液 3kg 薰衣草"),
            CartLine("fresh", 1280, 1, description="Organic apples 1kg"),
            CartLine("daily", 45900, 1, description="小米蓝牙耳机 Redmi Buds 5"),
        ],
        offset=2000,
    ).receipt_no


@pytest.mark.parametrize(
    ("language", "paper", "name"),
    [("zh_CN", 80, "sale_zh_CN_80mm.png"), ("en", 58, "sale_en_58mm.png")],
)
def test_sale_receipt_pictures(
    supermarket: Counter, sale: str, tmp_path: Path, language: str, paper: int, name: str
) -> None:
    data = _print(supermarket, tmp_path, "sale_completed", sale, language=language, paper_mm=paper)
    text = receipt_text(parse(data))
    assert sale in text
    assert "蓝月亮洗衣液" in text  # Chinese item names print on English receipts too
    assert "￥" in text
    expected = ("合计", "本次积分", "当前积分") if language == "zh_CN" else ("TOTAL", "Balance")
    for label in expected:
        assert label in text
    _publish(tmp_path, name)


def test_gift_receipt_with_its_code_as_qr(
    supermarket: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fixed code, so the published picture only changes when the receipt does
    monkeypatch.setattr(gifts, "_issue_code", lambda: "N8NSP2GB7W4Q")
    catalogue = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(supermarket.db, actor=supermarket.manager, text=catalogue, now=supermarket.now)
    member = supermarket.register(name="Li Na", phone="13712345678")
    supermarket.give(member.id, 5000)
    redemption = redeem_gift(
        supermarket.db,
        actor=supermarket.cashier,
        member_id=member.id,
        gift_code="coupon-30-100",
        now=supermarket.now,
    )
    assert redemption.issued_code == "N8NSP2GB7W4Q"
    data = _print(supermarket, tmp_path, "gift_redeemed", redemption.redemption_no, language="en")
    ops = parse(data)
    assert [op.data for op in ops if isinstance(op, QR)] == [redemption.issued_code]
    text = receipt_text(ops)
    assert redemption.issued_code in text
    assert "Valid until" in text
    _publish(tmp_path, "gift_coupon_en.png")


def test_raster_receipt_for_a_printer_without_chinese(
    supermarket: Counter, sale: str, tmp_path: Path
) -> None:
    data = _print(
        supermarket, tmp_path, "sale_completed", sale, paper_mm=58
    )  # text first, to compare
    raster_dir = tmp_path / "raster"
    config = preview_printer(raster_dir, paper_mm=58).model_copy(update={"raster": True})
    printer = ReceiptPrinter(supermarket.db, config, clock=lambda: supermarket.now)
    printer.sale_completed(sale)
    while printer.worker.run_once():
        pass
    (raw,) = [p for p in raster_dir.glob("*.bin") if "drawer" not in p.name]
    ops = parse(raw.read_bytes())
    assert any(isinstance(op, Image) for op in ops)
    assert "蓝月亮" not in receipt_text(ops)
    assert "蓝月亮" in receipt_text(parse(data))
    _publish(raster_dir, "sale_raster_58mm.png")
