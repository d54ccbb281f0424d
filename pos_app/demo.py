"""``pos-app demo``: a seeded store on a throwaway database and one scripted counter day.

It exercises the real services end to end (registration with referral, sales
with a campaign and an offset, a partial return, an activity bonus, a
manager's adjustment) and prints what a cashier would see, then checks the books.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pos_app.db.store import StoreDB, open_store
from pos_app.money import format_fen
from pos_app.program import Program, bundled_program
from pos_app.reports.eod import close_day
from pos_app.services.adjustments import adjust_points, credit_activity
from pos_app.services.auth import StaffSession, create_staff, login
from pos_app.services.checkout import (
    CartLine,
    CheckoutQuote,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.context import init_store
from pos_app.services.doctor import check_books
from pos_app.services.gifts import import_catalogue
from pos_app.services.items import import_items_csv
from pos_app.services.members import MemberView, find_by_card, register_member, view_member
from pos_app.services.programs import install_program
from pos_app.services.returns import ReturnItem, commit_return, quote_return
from pos_app.textwidth import pad

DEMO_STAFF = (
    ("9", "管理员 Admin", "admin", "9999"),
    ("2", "王经理 Manager Wang", "manager", "2222"),
    ("1", "李收银 Cashier Li", "cashier", "1111"),
)


@dataclass
class DemoStore:
    db: StoreDB
    program: Program
    cashier: StaffSession
    manager: StaffSession


def seed_store(path: Path, program_name: str, now: dt.datetime) -> DemoStore:
    """A store with the bundled program and demo staff (PINs: admin 9999, manager 2222,
    cashier 1111)."""
    db = open_store(path)
    program = bundled_program(program_name)
    store_name = {"hotel": "悦栖酒店 西湖店"}.get(program_name, "鲜邻超市 人民路店")
    init_store(db, store_code="S01", store_name=store_name, device_code="T1", now=now)
    install_program(db, actor=None, program=program, now=now)
    admin_code, admin_name, _, admin_pin = DEMO_STAFF[0]
    create_staff(
        db, actor=None, code=admin_code, name=admin_name, role="admin", pin=admin_pin, now=now
    )
    admin = login(db, code=admin_code, pin=admin_pin, now=now)
    for code, name, role, pin in DEMO_STAFF[1:]:
        create_staff(db, actor=admin, code=code, name=name, role=role, pin=pin, now=now)
    return DemoStore(
        db=db,
        program=program,
        cashier=login(db, code="1", pin="1111", now=now),
        manager=login(db, code="2", pin="2222", now=now),
    )


DEMO_MEMBERS = (
    ("张伟", "13800138000", "8800001001"),
    ("李娜", "13900139000", "8800001002"),
    ("王芳", "13700137000", "8800001003"),
    ("Lucy Chen", "13600135678", "8800001004"),
)
DEMO_ITEMS_CSV = """code,name,category,price
690123456789,洗衣液 Detergent,daily,15.90
690555000001,蓝牙耳机 Earbuds,electronics,1299.00
690000000017,大米 5kg Rice,fresh,49.80
690000000024,香烟 Cigarettes,tobacco,25.00
"""


def seed_demo_members(store: DemoStore, now: dt.datetime) -> list[str]:
    """Members (the second referred by the first), some points history and the items
    the counter demo rings up; returns the member card numbers."""
    db = store.db
    first = None
    for name, phone, card in DEMO_MEMBERS:
        reg = register_member(
            db,
            actor=store.cashier,
            name=name,
            phone=phone,
            card=card,
            referrer=DEMO_MEMBERS[0][2] if first else None,
            now=now,
        )
        first = first or reg.member
    assert first is not None
    adjust_points(
        db,
        actor=store.manager,
        member_id=first.id,
        points=3000,
        reason="开业赠送 opening gift",
        now=now,
    )
    import_items_csv(db, actor=store.manager, text=DEMO_ITEMS_CSV, now=now)
    catalogue = resources.files("resources") / "gifts" / f"{store.program.code}.toml"
    import_catalogue(db, actor=store.manager, text=catalogue.read_text("utf-8"), now=now)
    return [card for _n, _p, card in DEMO_MEMBERS]


def _member_line(m: MemberView) -> str:
    return (
        f"{pad(m.masked_name, 6)} {m.masked_phone}  {pad(m.tier_name, 8)} {m.tier_name_en:<7} "
        f"balance {m.balance:>6}  expiring in 30 days {m.expiring_30d}"
    )


def _receipt(result: SaleResult, member: MemberView | None, out: Callable[[str], None]) -> None:
    q: CheckoutQuote = result.quote
    out(f"  receipt {result.receipt_no}")
    for ql in q.lines:
        label = ql.line.description or ql.line.category
        mult = f" x{ql.multiplier}" if ql.multiplier != 1 else ""
        out(
            f"    {pad(label, 18)} {ql.line.qty:>3} x {format_fen(ql.line.unit_price_fen):>9} "
            f"= {format_fen(ql.amount_fen):>9}   +{ql.points} pts{mult}"
        )
    out(f"    subtotal {format_fen(q.subtotal_fen, symbol='￥'):>12}")
    if q.offset_points:
        out(f"    points used {q.offset_points} = -{format_fen(q.offset_fen, symbol='￥')}")
    out(
        f"    paid {format_fen(q.total_due_fen, symbol='￥'):>12}   change "
        f"{format_fen(result.change_fen, symbol='￥')}"
    )
    if member is not None:
        extra = f" ({', '.join(q.campaigns)})" if q.campaigns else ""
        out(
            f"    member {member.masked_name} earned {q.earn_points} points{extra}; "
            f"balance now {result.balance}"
        )
        if result.tier_change:
            tc = result.tier_change
            out(f"    tier up: {tc.old_tier} -> {tc.new_tier}, bonus {tc.bonus_points} points")


def run_demo(
    path: Path,
    *,
    program_name: str = "supermarket",
    now: dt.datetime | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """Run the scripted day; returns the number of book discrepancies (0 when all is well)."""
    program = bundled_program(program_name)
    now = now or dt.datetime.now(program.zone)
    store = seed_store(path, program_name, now)
    db, cashier = store.db, store.cashier
    tick = iter(range(1, 10_000))

    def later() -> dt.datetime:
        return now + dt.timedelta(minutes=next(tick))

    out(f"Demo store database: {path}")
    out(
        f"Program: {program.definition.program.name} / {program.definition.program.name_en} "
        f"v{program.version}"
    )
    out("Staff PINs: admin 9 / 9999, manager 2 / 2222, cashier 1 / 1111\n")

    zhang = register_member(
        db, actor=cashier, name="张伟", phone="138 0013 8000", card="8800001001", now=later()
    ).member
    li = register_member(
        db,
        actor=cashier,
        name="李娜",
        phone="+86 139-0013-9000",
        card="8800001002",
        referrer="8800001001",
        now=later(),
    )
    out(
        f"Registered {zhang.masked_name} (sign-up bonus) and {li.member.masked_name} "
        f"referred by {zhang.masked_name} (+{li.referral_bonus} to the referrer)\n"
    )

    def sale(
        member_id: str | None,
        lines: list[CartLine],
        offset: int | str = 0,
        method: str = "cash",
        tendered: int | None = None,
    ) -> SaleResult:
        when = later()
        quote = quote_checkout(db, member_id=member_id, lines=lines, offset_points=offset, now=when)  # type: ignore[arg-type]
        pay = (
            [PaymentInput(method, quote.total_due_fen, tendered if method == "cash" else None)]
            if quote.total_due_fen
            else []
        )
        result = commit_checkout(
            db,
            actor=cashier,
            sale_id=str(uuid.uuid4()),
            member_id=member_id,
            lines=lines,
            offset_points=offset,  # type: ignore[arg-type]
            payments=pay,
            now=when,
            expected_total_fen=quote.total_due_fen,
        )
        member = view_member(db, member_id, now=when) if member_id else None
        _receipt(result, member, out)
        return result

    scanned = find_by_card(db, ";8800001001?", now=later())
    out(f"Scanned card -> {_member_line(scanned)}")
    groceries = sale(
        scanned.id,
        [
            CartLine("daily", 1590, 2, "690123456789", "洗衣液 Detergent"),
            CartLine("fresh", 2380, 1, None, "苹果 Apples"),
            CartLine("electronics", 129900, 1, "690555000001", "蓝牙耳机 Earbuds"),
        ],
        method="wechat",
    )
    sale(
        li.member.id,
        [CartLine("fresh", 5600), CartLine("daily", 3200, 3)],
        method="cash",
        tendered=20000,
    )
    sale(None, [CartLine("tobacco", 2500)], method="alipay")
    out("\nPartial return: one of the two detergents (line 1):")
    items = [ReturnItem(line_no=1, qty=1)]
    rq = quote_return(db, receipt_no=groceries.receipt_no, items=items, now=later())
    out(
        f"  will refund {format_fen(rq.refund_fen, symbol='￥')}, take back "
        f"{rq.points_reversed} points, give back {rq.points_restored} points"
    )
    rr = commit_return(
        db,
        actor=cashier,
        receipt_no=groceries.receipt_no,
        items=items,
        approver=store.manager,
        reason="重复购买 bought twice",
        now=later(),
    )
    out(f"  return {rr.return_no} done; balance now {rr.balance}")

    gift_box = [CartLine("daily", 20000, 1, None, "礼盒 Gift box")]
    limit = quote_checkout(db, member_id=scanned.id, lines=gift_box, now=later()).offset
    usable = min(2000, limit.max_points) if limit else 0
    if usable:
        out(
            f"\nA 200-yuan bill paid partly with {usable:,} points "
            f"({limit.points_per_yuan} points = 1 yuan):"
        )  # type: ignore[union-attr]
        sale(scanned.id, gift_box, offset=usable, method="card")
    else:
        out(f"\nNo offset on a 200-yuan bill: {limit.reason if limit else 'no member'}")

    activities = program.definition.bonuses.activities
    if activities:
        code = next(iter(activities))
        moved = credit_activity(
            db,
            actor=cashier,
            member_id=li.member.id,
            activity=code,
            reason="打卡满7天 7-day streak",
            now=later(),
        )
        out(f"\nActivity bonus {code}: +{moved.points}, balance {moved.balance}")
    moved = adjust_points(
        db,
        actor=store.manager,
        member_id=zhang.id,
        points=300,
        reason="补录漏积分 missed points from last week",
        now=later(),
    )
    out(f"Manager adjustment: +{moved.points}, balance {moved.balance}")

    out("\nBalances at close:")
    for member_id in (zhang.id, li.member.id):
        out("  " + _member_line(view_member(db, member_id, now=later())))
    closed = close_day(db, actor=store.manager, day=program.business_day(now), now=later())
    f = closed.figures
    out(
        f"\nDay closed by the manager: {f.issued:,} points issued, {f.redeemed:,} redeemed, "
        f"{f.taken:,} taken back, net {f.net:+,}; "
        f"{f.member_sales + f.other_sales} sales ({f.member_sales} by members)"
    )
    problems = check_books(db)
    out(
        "\nBooks check: "
        + ("ledger, balances and lots agree" if not problems else f"{len(problems)} discrepancies")
    )
    for problem in problems:
        out(f"  {problem}")
    db.close()
    return len(problems)
