"""The Chinese catalogue is complete, current with the sources, and compiles to a working .qm."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "counter_zh_CN.ts"
PLACEHOLDER = re.compile(r"\{\w*\}")

Message = tuple[str, str]  # (context, source)


def _messages(ts: Path) -> dict[Message, ET.Element]:
    """Every message of a .ts by (context, source), vanished and obsolete ones included."""
    found: dict[Message, ET.Element] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def _lupdate() -> Path:
    tool = Path(PySide6.__file__).parent / "lupdate"
    if not tool.exists():
        pytest.fail(f"lupdate is missing from the PySide6 installation: {tool}")
    return tool


def test_catalogue_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    # lupdate writes locations relative to the .ts: keep the copy at the same depth
    copy = tmp_path / "resources" / "translations" / TS.name
    copy.parent.mkdir(parents=True)
    shutil.copyfile(TS, copy)
    sources = sorted(str(p) for p in (ROOT / "ui").glob("*.py"))
    out = subprocess.run(
        [str(_lupdate()), *sources, "-ts", str(copy)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    before, after = _messages(TS), _messages(copy)
    new = sorted(set(after) - set(before))
    assert not new, f"run pyside6-lupdate ui/*.py -ts {TS.relative_to(ROOT)}; new texts: {new}"
    gone = sorted(
        key
        for key, message in after.items()
        if message.findall("translation[@type='vanished']")
        or message.findall("translation[@type='obsolete']")
    )
    assert not gone, f"texts no longer in the sources (drop them from the .ts): {gone}"


def test_every_message_is_translated_and_keeps_its_placeholders() -> None:
    messages = _messages(TS)
    assert len(messages) > 100
    problems: list[str] = []
    for (context, source), message in messages.items():
        translation = message.find("translation")
        if translation is None or translation.get("type") is not None:
            problems.append(f"{context}: {source!r} is not finished")
            continue
        text = (translation.text or "").strip()
        if not text:
            problems.append(f"{context}: {source!r} has an empty translation")
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            problems.append(f"{context}: {source!r} -> {text!r} changes the placeholders")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_translates(qapp: QCoreApplication, tmp_path: Path) -> None:
    qm = i18n.compiled("zh_CN", cache=tmp_path)
    assert qm is not None and qm.exists() and qm.parent == tmp_path
    assert i18n.compiled("zh_CN", cache=tmp_path) == qm  # cached by the source's hash
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.translate("CounterScreen", "Pay") == "收款"
    assert translator.translate("PaymentDialog", "Change") == "找零"
    assert translator.translate("Errors", "Not enough points") == "积分不足"
    assert translator.translate("CounterScreen", "Due: {v}").format(v="¥1.00") == "应付：¥1.00"
    qapp.installTranslator(translator)
    try:
        assert QCoreApplication.translate("OffsetDialog", "Pay with points") == "积分抵现"
    finally:
        qapp.removeTranslator(translator)


def test_install_switches_the_language(qapp: QCoreApplication) -> None:
    i18n.install(qapp, "zh_CN")
    assert i18n.current() == "zh_CN"
    assert QCoreApplication.translate("LoginScreen", "Log in") == "登录"
    i18n.install(qapp, "en")
    assert i18n.current() == "en"
    assert QCoreApplication.translate("LoginScreen", "Log in") == "Log in"
