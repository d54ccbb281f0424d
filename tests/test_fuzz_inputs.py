"""Hypothesis at the counter's edges: money, phone numbers, cards and scans, program files,
receipts of arbitrary names. Whatever arrives: a value, or a PosError naming the field;
never another exception, and a refused input leaves the database exactly as it was.

(The scanner cleaner alone, the receipt layout alone and HQ requests are fuzzed in
``tests/devices`` and ``tests/hq/test_hq_fuzz.py``; these go on from there into the store.)
"""

from __future__ import annotations

import json
import re
import tomllib
import uuid
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from devices.config import PrinterConfig
from devices.escpos_encode import encode_document
from devices.escpos_reader import parse
from devices.receipt_layout import Layout, layout_receipt
from devices.scans import clean_scan
from pos_app.cards import normalise_card
from pos_app.errors import InvalidInput, PosError, ProgramError
from pos_app.money import MAX_FEN, format_fen, parse_yuan
from pos_app.phone import last4_key, normalise_phone
from pos_app.program.loader import (
    bundled_program_text,
    load_program_json,
    load_program_text,
)
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout
from pos_app.services.doctor import check_books
from pos_app.services.members import find_by_card, find_by_phone, register_member, search_last4
from pos_app.services.receipts import sale_receipt
from tests.conftest import Counter
from tests.test_reliability_storage import db_digest

MOBILE = re.compile(r"1[3-9][0-9]{9}")
CARD = re.compile(r"[0-9A-Z]{4,32}")
FAST = settings(max_examples=100, deadline=None, derandomize=True)
WITH_DB = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: text as people and scanners produce it: anything, plus the characters that matter here
typed = st.text(max_size=40) | st.text(
    alphabet="0123456789 .,-+¥￥，_eE%;?\r\n\t１３８", max_size=30
)


def refused(error: PosError, field: str | None) -> None:
    assert isinstance(error, PosError)
    assert error.message.strip()
    if field is not None:
        assert error.field == field


# Money -------------------------------------------------------------------------------------
@FAST
@given(typed)
def test_any_typed_amount_is_whole_fen_in_range_or_refused(text: str) -> None:
    try:
        fen = parse_yuan(text, field="price")
    except InvalidInput as exc:
        refused(exc, "price")
    else:
        assert isinstance(fen, int) and 0 <= fen <= MAX_FEN


@FAST
@given(st.integers(0, MAX_FEN), st.sampled_from(["", "¥", "￥"]), st.booleans())
def test_every_amount_shown_reads_back_as_itself(fen: int, symbol: str, grouped: bool) -> None:
    assert parse_yuan(format_fen(fen, symbol=symbol, grouped=grouped)) == fen


# Phone numbers ------------------------------------------------------------------------------
@FAST
@given(typed)
def test_any_text_is_a_mobile_number_or_refused(text: str) -> None:
    try:
        number = normalise_phone(text)
    except InvalidInput as exc:
        refused(exc, "phone")
    else:
        assert MOBILE.fullmatch(number)
        assert normalise_phone(number) == number


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@FAST
@given(
    st.from_regex(MOBILE, fullmatch=True),
    st.sampled_from(["", "+86", "+86 ", "0086", "86", "（+86）"]),
    st.sampled_from(["", " ", "-", "\u3000", "\u00a0"]),
    st.booleans(),
)
def test_a_mobile_number_however_written_is_found_as_itself(
    number: str, prefix: str, sep: str, full_width: bool
) -> None:
    text = prefix + sep.join((number[:3], number[3:7], number[7:]))
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert normalise_phone(text) == number


@FAST
@given(typed)
def test_any_text_is_four_digits_or_refused(text: str) -> None:
    try:
        key = last4_key(text)
    except InvalidInput as exc:
        refused(exc, "phone")
    else:
        assert len(key) == 4 and key.isascii() and key.isdigit()


# Cards and scans ----------------------------------------------------------------------------
@FAST
@given(typed)
def test_any_text_is_a_card_number_or_refused(text: str) -> None:
    try:
        card = normalise_card(text)
    except InvalidInput as exc:
        refused(exc, "card")
    else:
        assert CARD.fullmatch(card)


scans = (
    st.text(max_size=60)
    | st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
    | st.builds(
        lambda start, data, end, lrc: f"{start}{data}{end}{lrc}",
        st.sampled_from([";", "%", "", "\x02"]),
        st.text(alphabet="0123456789ABCDEF^ =E", max_size=40),
        st.sampled_from(["?", "", "?\r", "\x03"]),
        st.sampled_from(["", "\r\n", "\x00", "~"]),
    )
)


@WITH_DB
@given(raw=scans)
def test_any_scan_finds_the_member_or_is_refused_and_changes_nothing(
    supermarket: Counter, raw: str
) -> None:
    c = supermarket
    if c.count("members") == 0:
        c.register(card="8800001001")
    before = db_digest(c.db.path)
    code = clean_scan(raw)
    if code is not None:
        try:
            member = find_by_card(c.db, code, now=c.now)
        except PosError as exc:
            assert exc.code in ("invalid_input", "not_found"), exc
        else:
            assert normalise_card(code) == "8800001001" and member.name == "张三"
    for search in (
        lambda: find_by_phone(c.db, raw, now=c.now),
        lambda: search_last4(c.db, raw, now=c.now),
    ):
        try:
            search()
        except PosError as exc:
            assert exc.code in ("invalid_input", "not_found"), exc
    assert db_digest(c.db.path) == before


@WITH_DB
@given(name=typed, phone=typed | st.from_regex(MOBILE, fullmatch=True), card=typed | st.none())
def test_a_registration_either_happens_whole_or_changes_nothing(
    supermarket: Counter, name: str, phone: str, card: str | None
) -> None:
    c = supermarket
    before = db_digest(c.db.path)
    try:
        done = register_member(c.db, actor=c.cashier, name=name, phone=phone, card=card, now=c.now)
    except PosError as exc:
        assert exc.code in ("invalid_input", "conflict"), exc
        assert exc.field in ("name", "phone", "card"), exc
        assert db_digest(c.db.path) == before
    else:
        assert find_by_phone(c.db, phone, now=c.now).id == done.member.id
    assert check_books(c.db) == []


amounts = st.integers(-10, 20_000) | st.integers(-(2**63), 2**63)


@WITH_DB
@given(
    lines=st.lists(st.tuples(amounts, st.integers(-2, 10_001)), min_size=0, max_size=4),
    paid=amounts,
    exact=st.booleans(),
)
def test_any_amounts_at_checkout_make_a_whole_sale_or_change_nothing(
    supermarket: Counter, lines: list[tuple[int, int]], paid: int, exact: bool
) -> None:
    c = supermarket
    cart = [CartLine("daily", price, qty) for price, qty in lines]
    if exact and all(0 < p <= MAX_FEN and 0 < q < 10_000 for p, q in lines):
        paid = sum(p * q for p, q in lines)
    before = db_digest(c.db.path)
    try:
        commit_checkout(
            c.db,
            actor=c.cashier,
            sale_id=str(uuid.uuid4()),
            member_id=None,
            lines=cart,
            offset_points=0,
            payments=[PaymentInput("cash", paid)],
            now=c.now,
        )
    except PosError as exc:
        assert exc.code == "invalid_input", exc
        assert db_digest(c.db.path) == before
    else:
        with c.sql() as conn:
            assert conn.execute(
                "SELECT COUNT(*) FROM sales s WHERE total_fen != "
                "(SELECT SUM(amount_fen) FROM payments p WHERE p.sale_id = s.id)"
            ).fetchone() == (0,)


# Program files ------------------------------------------------------------------------------
PROGRAM = bundled_program_text("supermarket")
PROGRAM_LINES = PROGRAM.splitlines()

toml_values = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(repr),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(
        [
            "true",
            "false",
            "[]",
            "{}",
            '[1, "a"]',
            '"1/0"',
            '"0/1"',
            '"-1/3"',
            '"1/10000000000000000000000"',
            "1979-05-27",
            "2026-13-45",
            '""',
            '"never"',
            "{ a = 1 }",
            "-0",
        ]
    ),
)


@st.composite
def mutated_programs(draw: st.DrawFn) -> str:
    """The bundled program with a few lines dropped, doubled or given another value."""
    lines = list(PROGRAM_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["value", "value", "drop", "double"]))
        if how == "value" and "=" in lines[i] and not lines[i].lstrip().startswith("#"):
            lines[i] = lines[i].split("=", 1)[0] + "= " + draw(toml_values)
        elif how == "drop":
            del lines[i]
        else:
            lines.insert(i, lines[i])
    return "\n".join(lines)


def loads_or_refuses(load: Any, text: str) -> None:
    try:
        program = load(text)
    except ProgramError as exc:
        assert exc.message.strip()
        assert exc.field is None or isinstance(exc.field, str)
    else:
        assert program.code and program.digest


@settings(max_examples=150, deadline=None, derandomize=True)
@given(mutated_programs() | st.text(max_size=200))
def test_any_program_file_loads_or_is_refused_with_a_program_error(text: str) -> None:
    loads_or_refuses(load_program_text, text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_structures(draw: st.DrawFn) -> str:
    """The program as HQ sends it (JSON), with a few values anywhere replaced."""
    data = tomllib.loads(PROGRAM)
    for _ in range(draw(st.integers(1, 3))):
        node: Any = data
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            assume(keys)
            key = draw(st.sampled_from(keys))
            child = node[key]
            if isinstance(child, (dict, list)) and child and draw(st.booleans()):
                node = child
                continue
            node[key] = draw(json_values)
            break
    return json.dumps(data, default=str)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(mutated_structures() | json_values.map(json.dumps))
def test_any_program_structure_from_hq_loads_or_is_refused(text: str) -> None:
    loads_or_refuses(load_program_json, text)


# Receipts of arbitrary names, from the database to the printer's bytes ----------------------
PRINTERS = [
    PrinterConfig(url="tcp://127.0.0.1:9100"),
    PrinterConfig(url="tcp://127.0.0.1:9100", codec="none", language="en", paper_mm=58),
    PrinterConfig(url="tcp://127.0.0.1:9100", codec="big5", chinese_mode=False),
    PrinterConfig(url="tcp://127.0.0.1:9100", raster=True, paper_mm=58),
]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.text(min_size=1, max_size=30).filter(lambda s: s.strip()),
    item=st.text(max_size=60),
    printer=st.sampled_from(PRINTERS),
)
def test_a_sale_to_a_member_with_any_name_prints_on_any_printer(
    supermarket: Counter, name: str, item: str, printer: PrinterConfig
) -> None:
    c = supermarket
    try:
        member = register_member(
            c.db,
            actor=c.cashier,
            name=name,
            phone=f"139{c.count('members'):08d}",
            now=c.now,
        ).member
    except InvalidInput as exc:  # a name the counter refuses (too long, controls...)
        assert exc.field == "name"
        return
    sale = c.sell(member.id, [CartLine("daily", 1990, 1, None, item)])
    data = sale_receipt(c.db, sale.receipt_no, c.now)
    layout = Layout(printer.columns, printer.language, printer.wide, printer.header, printer.footer)
    raw = encode_document(layout_receipt(data, layout, now=c.now), printer)
    ops = parse(raw, codec="gb18030" if printer.codec == "none" else printer.codec)
    assert ops, "nothing printed"
