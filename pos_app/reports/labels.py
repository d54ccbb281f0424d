"""Report wording in Chinese and English (the PDF, CSV and receipt versions share it)."""

from __future__ import annotations

import datetime as dt

from pos_app.errors import InvalidInput
from pos_app.money import format_fen

LANGUAGES = ("zh_CN", "en")

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("日结积分报表", "End-of-day points report"),
    "period_title": ("积分期间报表", "Points period report"),
    "statement_title": ("会员积分对账单", "Member points statement"),
    "store": ("门店", "Store"),
    "business_day": ("营业日", "Business day"),
    "hours": ("时段", "Hours"),
    "devices": ("收银机", "Tills"),
    "generated": ("生成时间", "Generated"),
    "closed": ("已日结", "Closed"),
    "not_closed": ("未日结", "Not closed"),
    "reprint": ("补打", "Reprint"),
    "page": ("第 {n} 页 / 共 {total} 页", "Page {n} of {total}"),
    "summary": ("概要", "Summary"),
    "points_issued": ("发放积分", "Points issued"),
    "points_redeemed": ("兑换积分", "Points redeemed"),
    "points_taken": ("扣回积分", "Points taken back"),
    "net_change": ("积分净变动", "Net change"),
    "corrections_net": ("前日更正净额", "Corrections to closed days"),
    # sources
    "purchases": ("消费积分", "Purchases"),
    "campaign_extra": ("活动加赠", "Campaign extra"),
    "signup_bonus": ("注册奖励", "Sign-up bonus"),
    "referral_bonus": ("推荐奖励", "Referral bonus"),
    "upgrade_bonus": ("升级奖励", "Upgrade bonus"),
    "activity_bonus": ("活动奖励", "Activity bonus"),
    "adjustment_in": ("人工调增", "Manual adjustments (+)"),
    "transfer_in": ("转入", "Transfers in"),
    "offset": ("积分抵现", "Cash offsets"),
    "offset_returned": ("退货退回抵现积分", "Offsets given back by returns"),
    "gift": ("礼品兑换", "Gift redemptions"),
    "gift_returned": ("取消兑换退回", "Gift cancellations"),
    "reversal": ("退货扣回", "Reversed by returns"),
    "expiry": ("过期", "Expired"),
    "adjustment_out": ("人工调减", "Manual adjustments (-)"),
    "transfer_out": ("转出", "Transfers out"),
    "offset_value": ("抵现金额", "Cash value of offsets"),
    # sections
    "sec_issued": ("积分发放（按来源）", "Points issued by source"),
    "sec_redeemed": ("积分兑换", "Points redeemed"),
    "sec_taken": ("积分扣回与过期", "Points reversed, expired, deducted"),
    "sec_gifts": ("礼品兑换明细", "Gifts handed out"),
    "sec_sales": ("销售", "Sales"),
    "sec_stock": ("礼品库存", "Gift stock"),
    "sec_low_stock": ("低库存", "Low stock"),
    "sec_cashiers": ("收银员", "Cashiers"),
    "sec_hours": ("分时段", "By hour"),
    "sec_liability": ("积分负债", "Points liability"),
    "sec_sync": ("同步状态", "Sync with HQ"),
    "sec_corrections": ("已日结营业日的更正", "Corrections to closed days"),
    # columns and rows
    "gift_name": ("礼品", "Gift"),
    "quantity": ("数量", "Qty"),
    "points": ("积分", "Points"),
    "cash": ("现金", "Cash"),
    "left": ("剩余", "Left"),
    "low_mark": ("低库存线", "Low mark"),
    "low": ("低", "LOW"),
    "member_sales": ("会员销售", "Member sales"),
    "other_sales": ("非会员销售", "Non-member sales"),
    "returns": ("退货", "Returns"),
    "new_members": ("新会员", "New members"),
    "count": ("笔数", "Count"),
    "amount": ("金额", "Amount"),
    "cashier": ("收银员", "Cashier"),
    "sales": ("销售笔数", "Sales"),
    "hour": ("时段", "Hour"),
    "liability_points": ("本店发放未兑积分", "Unredeemed points earned here"),
    "liability_value": ("折合现金", "Cash value"),
    "liability_members": ("有积分会员数", "Members holding points"),
    "overdraft": ("本店会员透支积分", "Overdrawn (this store's members)"),
    "as_of": ("截至", "As of"),
    "standalone": ("单店运行，不与总部同步", "Standalone store (no HQ)"),
    "sync_final": ("已全部上传总部，数据为最终数", "Everything reached HQ: figures are final"),
    "sync_pending": ("待上传总部事件", "Events still waiting for HQ"),
    "sync_rejected": ("被总部拒绝事件", "Events HQ refused"),
    "last_sync": ("上次同步成功", "Last successful sync"),
    "never": ("从未", "never"),
    "none": ("无", "none"),
    "day": ("日期", "Day"),
    "opening": ("期初积分", "Opening balance"),
    "closing": ("期末积分", "Closing balance"),
    "outstanding": ("全部会员未兑积分", "Outstanding, all members"),
    "member": ("会员", "Member"),
    "kind": ("类型", "Type"),
    "reason": ("说明", "Details"),
    "balance": ("余额", "Balance"),
    "time": ("时间", "Time"),
    "from": ("从", "From"),
    "to": ("到", "To"),
    "total": ("合计", "Total"),
}


def label(key: str, language: str) -> str:
    zh, en = _LABELS[key]
    return zh if language == "zh_CN" else en


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(
            f"the report language is one of {', '.join(LANGUAGES)}", field="language"
        )
    return language


def yuan(fen: int) -> str:
    return format_fen(fen, symbol="¥", grouped=True)


def number(value: int) -> str:
    return f"{value:,}"


def signed(value: int) -> str:
    return f"{value:+,}" if value else "0"


def moment(value: dt.datetime | None, zone: dt.tzinfo, language: str) -> str:
    if value is None:
        return label("never", language)
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
