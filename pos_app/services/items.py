"""The shop's item catalogue: look-up by code at the counter, import from CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from pos_app.db.raw import Tx, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound
from pos_app.money import parse_yuan
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize

CSV_COLUMNS = ("code", "name", "category", "price")


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    category: str
    price_fen: int


def _check_code(code: str) -> str:
    code = code.strip() if isinstance(code, str) else ""
    if not code or len(code) > 40 or not code.isprintable():
        raise InvalidInput("scan or type an item code", field="item_code")
    return code


def find_item(db: StoreDB, code: str) -> Item:
    code = _check_code(code)
    with read_tx(db.engine) as tx:
        row = tx.row(
            "SELECT code, name, category, price_fen FROM items WHERE code = ? AND active = 1",
            (code,),
        )
    if row is None:
        raise NotFound(f"no item with code {code}", field="item_code")
    return Item(*row)


def import_items_csv(db: StoreDB, *, actor: StaffSession, text: str, now: dt.datetime) -> int:
    """Add or update items from CSV (code,name,category,price in yuan). All or nothing:
    the first bad row is an error naming its line, and nothing is written."""
    authorize(db, actor, Permission.MANAGE_ITEMS)
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or tuple(f.strip() for f in reader.fieldnames) != CSV_COLUMNS:
        raise InvalidInput(f"the first line must be {','.join(CSV_COLUMNS)}", field="csv")
    rows = []
    for line_no, row in enumerate(reader, start=2):
        field = f"csv line {line_no}"
        try:
            code = _check_code(row["code"] or "")
            name = (row["name"] or "").strip()
            category = (row["category"] or "").strip()
            price = parse_yuan(row["price"] or "", field=field)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=field) from None
        if not name or not category or price <= 0:
            raise InvalidInput("name, category and a price above zero are needed", field=field)
        rows.append((code, name[:120], category[:40], price, to_db(now)))
    with db.write() as s:
        tx = Tx.of(s)
        tx.run_many(
            "INSERT INTO items (code, name, category, price_fen, active, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
            "category = excluded.category, price_fen = excluded.price_fen, active = 1, "
            "updated_at = excluded.updated_at",
            rows,
        )
        audit(s, actor.staff_id, "items.import", "", {"rows": len(rows)}, now)
    return len(rows)
