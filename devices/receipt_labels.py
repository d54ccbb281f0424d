"""Receipt wording in the two languages receipts print in.

Receipts are printed by the devices layer, which has no Qt (so no Qt
Linguist); the few dozen labels live here, one table per language, and a test
checks both tables have the same keys.
"""

from __future__ import annotations

LANGUAGES = ("zh_CN", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh_CN": {
        "sale": "销售小票",
        "return": "退货单",
        "gift": "积分兑换单",
        "balance": "会员积分单",
        "reprint": "*** 重印 ***",
        "receipt_no": "单号",
        "original_no": "原单号",
        "cashier": "收银员",
        "time": "时间",
        "store": "门店",
        "item": "品名",
        "qty": "数量",
        "price": "单价",
        "amount": "金额",
        "subtotal": "小计",
        "coupon": "优惠券",
        "offset": "积分抵现",
        "total": "合计",
        "refund": "退款",
        "cash_for_points": "积分不足扣现金",
        "paid_cash": "现金",
        "paid_card": "银行卡",
        "paid_wechat": "微信支付",
        "paid_alipay": "支付宝",
        "paid_other": "其他",
        "change": "找零",
        "member": "会员",
        "phone": "手机",
        "tier": "等级",
        "earned": "本次积分",
        "points_used": "使用积分",
        "reversed": "扣回积分",
        "restored": "退还积分",
        "new_balance": "当前积分",
        "expiring": "30天内到期",
        "expiring_on": "{points} 分 ({date}前)",
        "points_unit": "{points} 分",
        "offset_value": "{points} 分 抵 {cash}",
        "gift_name": "礼品",
        "gift_points": "兑换积分",
        "gift_cash": "加付现金",
        "gift_code": "兑换码",
        "valid_until": "有效期至",
        "coupon_value": "券面额",
        "min_spend": "满 {amount} 可用",
        "cancelled": "*** 已取消 ***",
        "scan_to_return": "退货请出示本小票",
        "printed_at": "打印时间",
        "no_member": "非会员",
    },
    "en": {
        "sale": "SALES RECEIPT",
        "return": "RETURN",
        "gift": "GIFT REDEMPTION",
        "balance": "POINTS BALANCE",
        "reprint": "*** REPRINT ***",
        "receipt_no": "Receipt",
        "original_no": "Original",
        "cashier": "Cashier",
        "time": "Time",
        "store": "Store",
        "item": "Item",
        "qty": "Qty",
        "price": "Price",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "coupon": "Coupon",
        "offset": "Points offset",
        "total": "TOTAL",
        "refund": "Refund",
        "cash_for_points": "Cash for points",
        "paid_cash": "Cash",
        "paid_card": "Card",
        "paid_wechat": "WeChat Pay",
        "paid_alipay": "Alipay",
        "paid_other": "Other",
        "change": "Change",
        "member": "Member",
        "phone": "Phone",
        "tier": "Tier",
        "earned": "Points earned",
        "points_used": "Points used",
        "reversed": "Points reversed",
        "restored": "Points returned",
        "new_balance": "Balance",
        "expiring": "Expiring in 30 days",
        "expiring_on": "{points} pts (by {date})",
        "points_unit": "{points} pts",
        "offset_value": "{points} pts = {cash}",
        "gift_name": "Gift",
        "gift_points": "Points",
        "gift_cash": "Cash added",
        "gift_code": "Code",
        "valid_until": "Valid until",
        "coupon_value": "Coupon value",
        "min_spend": "on spend of {amount}+",
        "cancelled": "*** CANCELLED ***",
        "scan_to_return": "Keep this receipt for returns",
        "printed_at": "Printed",
        "no_member": "Non-member",
    },
}


#: names of the bundled programs' categories, for lines rung up without an item
CATEGORIES: dict[str, dict[str, str]] = {
    "zh_CN": {
        "general": "通用",
        "daily": "日用品",
        "electronics": "数码电器",
        "fresh": "生鲜",
        "tobacco": "烟草",
        "room": "客房",
        "minibar": "迷你吧",
        "restaurant": "餐饮",
    },
    "en": {
        "general": "General",
        "daily": "Daily goods",
        "electronics": "Electronics",
        "fresh": "Fresh food",
        "tobacco": "Tobacco",
        "room": "Room",
        "minibar": "Minibar",
        "restaurant": "Restaurant",
    },
}


def category_name(code: str, language: str) -> str:
    """A category's printed name (the code itself for a category we have no name for)."""
    return CATEGORIES.get(language, CATEGORIES["en"]).get(code, code)


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])
