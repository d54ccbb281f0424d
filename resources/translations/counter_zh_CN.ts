<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ApprovalDialog</name>
    <message>
        <location filename="../../ui/login.py" line="112"/>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="114"/>
        <source>A manager must approve: {what}</source>
        <translation>需店长授权：{what}</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="120"/>
        <source>Manager&apos;s staff number</source>
        <translation>店长工号</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="164"/>
        <source>{name} is not a manager</source>
        <translation>{name} 不是店长</translation>
    </message>
</context>
<context>
    <name>Category</name>
    <message>
        <location filename="../../ui/counter.py" line="79"/>
        <source>General</source>
        <translation>通用</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="80"/>
        <source>Daily goods</source>
        <translation>日用品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="81"/>
        <source>Electronics</source>
        <translation>数码电器</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="82"/>
        <source>Fresh food</source>
        <translation>生鲜</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="83"/>
        <source>Tobacco</source>
        <translation>烟草</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="84"/>
        <source>Room</source>
        <translation>客房</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="85"/>
        <source>Minibar</source>
        <translation>迷你吧</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="86"/>
        <source>Restaurant</source>
        <translation>餐饮</translation>
    </message>
</context>
<context>
    <name>CounterScreen</name>
    <message>
        <location filename="../../ui/counter.py" line="186"/>
        <source>Scan a card, or type a phone number or its last 4 digits</source>
        <translation>刷会员卡，或输入手机号 / 手机尾号后 4 位</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="194"/>
        <source>Item code</source>
        <translation>商品条码</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="202"/>
        <source>Amount (¥)</source>
        <translation>金额（¥）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="207"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="214"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="215"/>
        <source>Category</source>
        <translation>品类</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="216"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="217"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="218"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="219"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="234"/>
        <source>Coupon code</source>
        <translation>优惠券码</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="259"/>
        <source>Find member</source>
        <translation>查会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="260"/>
        <source>Register</source>
        <translation>办会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="261"/>
        <source>Pay with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="262"/>
        <source>Pay</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="263"/>
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="264"/>
        <source>History</source>
        <translation>积分明细</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="265"/>
        <source>New sale</source>
        <translation>新单</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="266"/>
        <source>Lock</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="267"/>
        <source>Gifts</source>
        <translation>积分兑礼</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="268"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="269"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="353"/>
        <source>No member&apos;s phone ends in these digits</source>
        <translation>没有手机尾号为这几位的会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="366"/>
        <source>Unknown card</source>
        <translation>未知会员卡</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="367"/>
        <source>No member has card {card}.</source>
        <translation>卡号 {card} 未绑定任何会员。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="368"/>
        <source>Register a new member</source>
        <translation>办理新会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="372"/>
        <source>Give this card to {name}</source>
        <translation>将此卡绑定给 {name}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="376"/>
        <source>Give it to a member (by phone)</source>
        <translation>绑定到已有会员（按手机号）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="387"/>
        <source>Give the card to a member</source>
        <translation>绑定会员卡</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="388"/>
        <source>The member&apos;s mobile phone number</source>
        <translation>会员手机号</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="405"/>
        <location filename="../../ui/counter.py" line="417"/>
        <source>Card {card} added</source>
        <translation>已绑定会员卡 {card}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="442"/>
        <source>Registered. Sign-up bonus: {p}</source>
        <translation>注册成功，赠送开卡积分 {p}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="444"/>
        <source>the referrer earned {p}</source>
        <translation>推荐人获得 {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="452"/>
        <location filename="../../ui/counter.py" line="469"/>
        <location filename="../../ui/counter.py" line="797"/>
        <source>Find the member first</source>
        <translation>请先查找会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="465"/>
        <source>Kiosk PIN saved</source>
        <translation>自助机密码已保存</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="511"/>
        <source>Statement sent to the receipt printer.</source>
        <translation>对账单已发送到小票打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="537"/>
        <source>Enter an amount above zero</source>
        <translation>请输入大于零的金额</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="564"/>
        <source>Find the member the coupon was issued to first</source>
        <translation>请先查到持券会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="639"/>
        <source> (campaign ×{m})</source>
        <translation>（活动 ×{m}）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="668"/>
        <source>Subtotal: {v}</source>
        <translation>小计：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="671"/>
        <source>Points used: {p} (−{v})</source>
        <translation>积分抵现：{p}（−{v}）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="679"/>
        <source>Coupon {code}: −{v}</source>
        <translation>优惠券 {code}：−{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="683"/>
        <source>Due: {v}</source>
        <translation>应付：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="686"/>
        <source>Earns {p} points{m}</source>
        <translation>可得积分 {p}{m}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="699"/>
        <source>Find the member and ring up the sale first</source>
        <translation>请先查找会员并录入商品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="711"/>
        <source>Nothing to pay yet</source>
        <translation>还没有要结算的商品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="731"/>
        <source>HQ did not allow this: {reason}</source>
        <translation>总部不允许：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="773"/>
        <source>Sale {receipt} complete.</source>
        <translation>交易 {receipt} 已完成。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="775"/>
        <source>Change: {v}</source>
        <translation>找零：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="778"/>
        <source>Points earned: {p}, balance now {b}</source>
        <translation>本单积分 {p}，当前余额 {b}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="784"/>
        <source>Tier up to {tier}! Bonus {p} points</source>
        <translation>升级为{tier}！奖励 {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="812"/>
        <source>{n} gift(s) handed over.</source>
        <translation>已兑换 {n} 件礼品。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="825"/>
        <source>manager reports</source>
        <translation>经理报表</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="492"/>
        <location filename="../../ui/counter.py" line="846"/>
        <source>No receipt printer is set up (see devices.toml in the README).</source>
        <translation>未设置小票打印机（见 README 中的 devices.toml）。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="872"/>
        <source>Return {no} done. Give the customer {v}.</source>
        <translation>退货 {no} 已完成，请退给顾客 {v}。</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <location filename="../../ui/devices.py" line="99"/>
        <source>Scanner {source}: {state}</source>
        <translation>扫描枪 {source}：{state}</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../ui/errors.py" line="10"/>
        <source>Please check the input</source>
        <translation>请检查输入</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="11"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="12"/>
        <source>Not allowed</source>
        <translation>无权操作</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="13"/>
        <source>A manager must approve this</source>
        <translation>此操作需店长授权</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="14"/>
        <source>Wrong staff number or PIN</source>
        <translation>工号或密码错误</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="15"/>
        <source>Locked for a while</source>
        <translation>已暂时锁定</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="16"/>
        <source>Not enough points</source>
        <translation>积分不足</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="17"/>
        <source>Already exists or changed</source>
        <translation>已存在或已被修改</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="18"/>
        <source>The amounts changed; please check again</source>
        <translation>金额已变化，请重新核对</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="19"/>
        <source>The points program is invalid</source>
        <translation>积分规则无效</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="20"/>
        <source>Not allowed while offline</source>
        <translation>离线时不允许</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="21"/>
        <source>The store database cannot be used; nothing was saved</source>
        <translation>门店数据库无法使用，本次操作未保存</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="22"/>
        <source>The disk is full; nothing was saved</source>
        <translation>磁盘已满，本次操作未保存</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="23"/>
        <source>The store database is read-only; nothing was saved</source>
        <translation>门店数据库为只读，本次操作未保存</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="27"/>
        <source>Something went wrong</source>
        <translation>操作失败</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="36"/>
        <source>{headline}: {detail}</source>
        <translation>{headline}：{detail}</translation>
    </message>
</context>
<context>
    <name>GiftDialog</name>
    <message>
        <location filename="../../ui/gifts.py" line="77"/>
        <source>Gifts for {name}</source>
        <translation>{name} 的积分兑礼</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="82"/>
        <source>Search gifts</source>
        <translation>搜索礼品</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="86"/>
        <source>All categories</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="88"/>
        <source>Affordable now</source>
        <translation>积分够兑</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="95"/>
        <source>any price</source>
        <translation>不限积分</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="101"/>
        <source>Gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="102"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="103"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="104"/>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="105"/>
        <source>Can redeem?</source>
        <translation>可否兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="125"/>
        <source>Hand over</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="129"/>
        <source>Cancel a redemption...</source>
        <translation>撤销兑换…</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="139"/>
        <source>Up to</source>
        <translation>最多</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="180"/>
        <source>not available now</source>
        <translation>暂不可兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="183"/>
        <source>for {tier} members and above</source>
        <translation>限{tier}及以上</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="185"/>
        <source>out of stock</source>
        <translation>已兑完</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="187"/>
        <source>needs {p} more points</source>
        <translation>还差 {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="190"/>
        <source>day</source>
        <translation>天</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="191"/>
        <source>week</source>
        <translation>周</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="192"/>
        <source>month</source>
        <translation>月</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="193"/>
        <source>year</source>
        <translation>年</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="195"/>
        <source>limit of {n} per {period} reached</source>
        <translation>每{period}限兑 {n} 件，已达上限</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="197"/>
        <source>stock is low: {n} per member</source>
        <translation>库存紧张：每人限兑 {n} 件</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="201"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="217"/>
        <source> (was {p})</source>
        <translation>（原 {p}）</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="218"/>
        <source> stock low</source>
        <translation> 库存紧张</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="219"/>
        <source>yes</source>
        <translation>可兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="238"/>
        <source>{name}: balance {p} points</source>
        <translation>{name}：积分余额 {p}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="258"/>
        <source>Choose a gift</source>
        <translation>请选择礼品</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="270"/>
        <source>{gift}: {p} points</source>
        <translation>{gift}：{p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="273"/>
        <source>plus {v} in cash</source>
        <translation>另付现金 {v}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="275"/>
        <source>Balance after: {p}</source>
        <translation>兑换后余额：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="277"/>
        <source>A manager must approve this gift.</source>
        <translation>此礼品需店长授权。</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="279"/>
        <source>Cannot be redeemed: {why}</source>
        <translation>不能兑换：{why}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="300"/>
        <source> and {v} in cash</source>
        <translation>及现金 {v}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="303"/>
        <source>Hand over the gift</source>
        <translation>确认兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="304"/>
        <source>Take {p} points{cash} from {name} for {gift}?</source>
        <translation>从 {name} 扣除 {p} 积分{cash}，兑换 {gift}？</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="319"/>
        <source>a gift of {p} points</source>
        <translation>{p} 积分的礼品</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="323"/>
        <source>Not approved: nothing was handed over</source>
        <translation>未获授权：未兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="332"/>
        <source>HQ did not allow this: {reason}</source>
        <translation>总部不允许：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="360"/>
        <source>Handed over: {gift} ({no}). Balance now {p}.</source>
        <translation>已兑换：{gift}（{no}）。当前余额 {p}。</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="370"/>
        <source>Collect {v} in cash.</source>
        <translation>请收现金 {v}。</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="372"/>
        <source>Code: {code}</source>
        <translation>兑换码：{code}</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="378"/>
        <location filename="../../ui/gifts.py" line="382"/>
        <source>Cancel a redemption</source>
        <translation>撤销兑换</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="378"/>
        <source>Redemption number (G-...)</source>
        <translation>兑换单号（G-…）</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="382"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/gifts.py" line="399"/>
        <source>Redemption {no} cancelled: {p} points back.</source>
        <translation>兑换单 {no} 已撤销：退回 {p} 积分。</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="362"/>
        <source>Points history: {name}</source>
        <translation>积分明细：{name}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="364"/>
        <source>Purchase</source>
        <translation>消费积分</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="365"/>
        <source>Sign-up bonus</source>
        <translation>开卡赠送</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="366"/>
        <source>Referral bonus</source>
        <translation>推荐奖励</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="367"/>
        <source>Tier upgrade bonus</source>
        <translation>升级奖励</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="368"/>
        <source>Activity bonus</source>
        <translation>活动奖励</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="369"/>
        <source>Paid with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="370"/>
        <source>Points returned</source>
        <translation>抵现积分退回</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="371"/>
        <source>Return</source>
        <translation>退货扣回</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="372"/>
        <source>Gift</source>
        <translation>兑换礼品</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="373"/>
        <source>Gift cancelled</source>
        <translation>礼品退回</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="374"/>
        <source>Expired</source>
        <translation>积分过期</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="375"/>
        <source>Adjustment</source>
        <translation>人工调整</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="376"/>
        <source>Transfer</source>
        <translation>积分转移</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="382"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="383"/>
        <source>What</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="384"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="385"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="386"/>
        <source>Receipt / reason</source>
        <translation>小票号 / 原因</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="415"/>
        <source>Print statement (90 days)</source>
        <translation>打印对账单（90 天）</translation>
    </message>
</context>
<context>
    <name>KioskHistory</name>
    <message>
        <location filename="../../ui/kiosk.py" line="65"/>
        <source>Points for a purchase</source>
        <translation>购物获得积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="66"/>
        <source>Welcome bonus</source>
        <translation>入会奖励</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="67"/>
        <source>Bonus for referring a friend</source>
        <translation>推荐好友奖励</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="68"/>
        <source>Bonus for a tier upgrade</source>
        <translation>会员升级奖励</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="69"/>
        <source>Bonus for an activity</source>
        <translation>活动奖励</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="70"/>
        <source>Points used to pay</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="71"/>
        <source>Points given back after a return</source>
        <translation>退货退回积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="72"/>
        <source>Points taken back after a return</source>
        <translation>退货扣回积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="73"/>
        <source>Gift redeemed</source>
        <translation>兑换礼品</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="74"/>
        <source>Gift redemption cancelled</source>
        <translation>取消礼品兑换</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="75"/>
        <source>Points expired</source>
        <translation>积分过期</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="76"/>
        <source>Correction by the store</source>
        <translation>门店调整</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="77"/>
        <source>Points transferred</source>
        <translation>积分转移</translation>
    </message>
</context>
<context>
    <name>KioskKeypad</name>
    <message>
        <location filename="../../ui/kiosk_keypad.py" line="55"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_keypad.py" line="56"/>
        <source>⌫ Delete</source>
        <translation>⌫ 删除</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_keypad.py" line="57"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>KioskPinDialog</name>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="41"/>
        <source>4 to 6 digits (optional)</source>
        <translation>4 至 6 位数字（可不填）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="63"/>
        <source>Kiosk PIN for {name}</source>
        <translation>{name} 的自助机密码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="66"/>
        <source>The member types a PIN of 4 to 6 digits, twice. With it and their phone number they can check their points at the kiosk.</source>
        <translation>请会员输入两次 4 至 6 位数字密码。凭手机号和此密码即可在自助机上查询积分。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="73"/>
        <source>4 to 6 digits</source>
        <translation>4 至 6 位数字</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="78"/>
        <source>New kiosk PIN</source>
        <translation>新的自助机密码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="79"/>
        <source>Once more</source>
        <translation>再输一次</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk_pin_dialog.py" line="92"/>
        <source>Save PIN</source>
        <translation>保存密码</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../ui/kiosk.py" line="377"/>
        <source>Welcome! Check your points here</source>
        <translation>欢迎！在这里查询您的积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="378"/>
        <source>Scan your member card, or sign in with your phone number</source>
        <translation>请扫描会员卡，或用手机号登录</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="379"/>
        <source>Use my phone number</source>
        <translation>用手机号登录</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="380"/>
        <source>Staff: close the kiosk</source>
        <translation>员工：关闭自助机</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="384"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="387"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="388"/>
        <source>Print my balance</source>
        <translation>打印积分小票</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="389"/>
        <source>Points balance</source>
        <translation>积分余额</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="392"/>
        <source>Last 12 months</source>
        <translation>近 12 个月</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="392"/>
        <source>History</source>
        <translation>积分明细</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="392"/>
        <source>Gifts I can get</source>
        <translation>可兑换礼品</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="397"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="397"/>
        <source>What happened</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="397"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="397"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="399"/>
        <source>◀ Newer</source>
        <translation>◀ 较新</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="400"/>
        <source>Older ▶</source>
        <translation>较早 ▶</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="405"/>
        <source>Enter your kiosk PIN</source>
        <translation>请输入自助机密码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="406"/>
        <source>Show my points</source>
        <translation>查看我的积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="408"/>
        <source>Enter your mobile phone number</source>
        <translation>请输入手机号</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="409"/>
        <location filename="../../ui/kiosk.py" line="417"/>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="413"/>
        <source>Manager: enter your PIN</source>
        <translation>经理：请输入密码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="414"/>
        <source>Close the kiosk</source>
        <translation>关闭自助机</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="416"/>
        <source>Manager: enter your staff number</source>
        <translation>经理：请输入工号</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="496"/>
        <source>One moment...</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="534"/>
        <source>Too many attempts at this kiosk. Please try again in {m} min.</source>
        <translation>本机尝试次数过多，请 {m} 分钟后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="538"/>
        <source>Too many wrong PINs. Please try again in {m} min or ask at the counter.</source>
        <translation>密码错误次数过多，请 {m} 分钟后再试，或到收银台咨询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="541"/>
        <source>This card is no longer valid. Please ask at the counter.</source>
        <translation>此卡已失效，请到收银台咨询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="543"/>
        <source>This membership cannot be used here. Please ask at the counter.</source>
        <translation>此会员资格暂不可用，请到收银台咨询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="545"/>
        <source>The phone number or the PIN is not right.</source>
        <translation>手机号或密码不正确。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="547"/>
        <source>{n} more tries before a lockout.</source>
        <translation>再错 {n} 次将被锁定。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="551"/>
        <source>This card is not known here. Please ask at the counter.</source>
        <translation>未找到此卡，请到收银台咨询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="554"/>
        <source>Please enter your 11-digit mobile number.</source>
        <translation>请输入 11 位手机号。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="556"/>
        <source>Please enter your kiosk PIN.</source>
        <translation>请输入自助机密码。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="557"/>
        <source>The card could not be read. Please scan it again.</source>
        <translation>无法读取此卡，请重新扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="561"/>
        <source>Sorry, something went wrong. Please ask at the counter.</source>
        <translation>抱歉，出现问题，请到收银台咨询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="586"/>
        <source>Hello, {name}  ({phone})</source>
        <translation>您好，{name}（{phone}）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="595"/>
        <source>You are at our top tier. Thank you!</source>
        <translation>您已是最高等级会员，感谢支持！</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="601"/>
        <source>Spend {money} more to reach {tier}</source>
        <translation>再消费 {money} 即可升级为{tier}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="607"/>
        <source>Expiring within 30 days: {p} points</source>
        <translation>30天内到期：{p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="608"/>
        <source>Expiring within 90 days: {p} points</source>
        <translation>90天内到期：{p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="612"/>
        <source>  {p} points usable until {date}</source>
        <translation>  {p} 积分可用至 {date}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="617"/>
        <source>No points expire in the next 90 days.</source>
        <translation>未来 90 天内没有积分到期。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="649"/>
        <source>Page {page} of {pages}</source>
        <translation>第 {page} 页，共 {pages} 页</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="679"/>
        <source>No gift within your points yet. Keep collecting!</source>
        <translation>暂无可兑换的礼品，继续积分吧！</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="681"/>
        <source>{name} — {p} points</source>
        <translation>{name} — {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="685"/>
        <source> + {money}</source>
        <translation> + {money}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="687"/>
        <source>(stock low)</source>
        <translation>（库存紧张）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk.py" line="697"/>
        <source>Your balance slip is printing.</source>
        <translation>正在打印您的积分小票。</translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <location filename="../../ui/login.py" line="40"/>
        <location filename="../../ui/login.py" line="67"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="45"/>
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="71"/>
        <source>Locked: {name}, enter your PIN</source>
        <translation>已锁屏：{name}，请输入密码</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="79"/>
        <source>Enter your staff number first</source>
        <translation>请先输入工号</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="82"/>
        <source>Checking...</source>
        <translation>正在验证…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="57"/>
        <source>Points counter — {store}</source>
        <translation>积分收银台 — {store}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="65"/>
        <source>Sync: standalone store</source>
        <translation>同步：单店模式</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="72"/>
        <source>Working...</source>
        <translation>处理中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="90"/>
        <source>Printing failed: {text}</source>
        <translation>打印失败：{text}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="98"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="99"/>
        <location filename="../../ui/main_window.py" line="110"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="110"/>
        <source>The new language is used from the next start.</source>
        <translation>新语言将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="134"/>
        <source>nobody logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="135"/>
        <source>Cashier: {name}</source>
        <translation>收银员：{name}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="136"/>
        <source>Printer: {state}</source>
        <translation>打印机：{state}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="187"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="188"/>
        <source>The last action failed: {text}</source>
        <translation>上一步操作失败：{text}</translation>
    </message>
</context>
<context>
    <name>ManagerDialog</name>
    <message>
        <location filename="../../ui/manager.py" line="139"/>
        <source>Reports</source>
        <extracomment>asks where to save a file: (dialog title, suggested path) -&gt; chosen path or None</extracomment>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="156"/>
        <source>End of day</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="157"/>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="158"/>
        <source>Member statement</source>
        <translation>会员对账单</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="161"/>
        <source>Report language</source>
        <translation>报表语言</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="164"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="198"/>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="202"/>
        <location filename="../../ui/manager.py" line="241"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="203"/>
        <location filename="../../ui/manager.py" line="222"/>
        <location filename="../../ui/manager.py" line="242"/>
        <source>Save PDF</source>
        <translation>保存 PDF</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="204"/>
        <location filename="../../ui/manager.py" line="223"/>
        <source>Save CSV</source>
        <translation>保存 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="205"/>
        <location filename="../../ui/manager.py" line="351"/>
        <source>Close the day</source>
        <translation>日结关账</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="215"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="217"/>
        <source>To</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="221"/>
        <location filename="../../ui/manager.py" line="240"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="232"/>
        <source>Card or mobile number</source>
        <translation>卡号或手机号</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="274"/>
        <source>Closed {when} by {name}</source>
        <translation>已于 {when} 由 {name} 日结</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="280"/>
        <source>Open (figures as of now)</source>
        <translation>未日结（截至当前的数据）</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="293"/>
        <source>No receipt printer is set up (see devices.toml in the README).</source>
        <translation>未设置小票打印机（见 README 中的 devices.toml）。</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="305"/>
        <location filename="../../ui/manager.py" line="377"/>
        <source>Sent to the receipt printer.</source>
        <translation>已发送到小票打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="322"/>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="331"/>
        <location filename="../../ui/manager.py" line="404"/>
        <source>Save the report as PDF</source>
        <translation>将报表保存为 PDF</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="340"/>
        <location filename="../../ui/manager.py" line="413"/>
        <source>Save the report as CSV</source>
        <translation>将报表保存为 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="353"/>
        <source>Close {day}? Its report is kept as it is now (net change {net} points); later changes to the day will show as corrections on the next report.</source>
        <translation>确定日结 {day}？报表将按当前数据保存（积分净变动 {net}）；之后对该日的更改将作为更正显示在下一份报表中。</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="367"/>
        <source>{day} is closed.</source>
        <translation>{day} 已日结。</translation>
    </message>
    <message>
        <location filename="../../ui/manager.py" line="456"/>
        <source>Save the statement as PDF</source>
        <translation>将对账单保存为 PDF</translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../ui/counter.py" line="123"/>
        <source>Kiosk PIN...</source>
        <translation>自助机密码…</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="134"/>
        <source>No member (F2 to find one)</source>
        <translation>非会员（按 F2 查会员）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="140"/>
        <source>Tier: {tier}</source>
        <translation>等级：{tier}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="141"/>
        <source>Balance: {p}</source>
        <translation>积分余额：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="143"/>
        <source>Expiring within 30 days: {p}</source>
        <translation>30 天内到期：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="147"/>
        <source>This sale earns: {p}{m}</source>
        <translation>本单可得：{p}{m}</translation>
    </message>
</context>
<context>
    <name>OffsetDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="192"/>
        <source>Pay with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="198"/>
        <source>Balance {balance} points. At most {max} points ({value}) on this bill, in steps of {step}.</source>
        <translation>积分余额 {balance}。本单最多可用 {max} 积分（抵 {value}），须为 {step} 的整数倍。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="209"/>
        <source>No points can be used: {reason}</source>
        <translation>本单不能使用积分：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="218"/>
        <source>Worth: {v}</source>
        <translation>可抵：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="222"/>
        <source>Max</source>
        <translation>最大</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="225"/>
        <source>None</source>
        <translation>不使用</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="229"/>
        <source>Apply</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="253"/>
        <source>Payment</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="254"/>
        <source>Amount due: {due}</source>
        <translation>应付：{due}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="259"/>
        <source>Points used: {p} (−{v})</source>
        <translation>积分抵现：{p}（−{v}）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="264"/>
        <source>Points earned: {p}</source>
        <translation>本单积分：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="265"/>
        <source>Balance after: {p}</source>
        <translation>结算后余额：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="270"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="271"/>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="272"/>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="273"/>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="274"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="292"/>
        <source>Complete sale</source>
        <translation>完成收款</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="295"/>
        <source>Cash tendered</source>
        <translation>实收现金</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="296"/>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="328"/>
        <source>not enough</source>
        <translation>金额不足</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="344"/>
        <source>The cash tendered is less than the amount due</source>
        <translation>实收现金少于应付金额</translation>
    </message>
</context>
<context>
    <name>PickMemberDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="156"/>
        <source>Choose the member</source>
        <translation>选择会员</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="162"/>
        <source>{name}   {phone}   {tier}   {p} points</source>
        <translation>{name}   {phone}   {tier}   {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="173"/>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../../ui/widgets.py" line="21"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/widgets.py" line="26"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../ui/widgets.py" line="26"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>PrinterDialog</name>
    <message>
        <location filename="../../ui/printing.py" line="180"/>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="186"/>
        <source>Receipt number</source>
        <translation>小票单号</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="187"/>
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="190"/>
        <source>Reprint last receipt</source>
        <translation>重印上一张小票</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="193"/>
        <source>Balance slip</source>
        <translation>积分单</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="196"/>
        <location filename="../../ui/printing.py" line="304"/>
        <source>Open drawer</source>
        <translation>打开钱箱</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="201"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="201"/>
        <source>What</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="201"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="201"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="201"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="228"/>
        <source>Printer: {state}</source>
        <translation>打印机：{state}</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="234"/>
        <source>receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="235"/>
        <source>return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="236"/>
        <source>gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="237"/>
        <source>balance slip</source>
        <translation>积分单</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="238"/>
        <source>report</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="239"/>
        <source>drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="242"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="243"/>
        <source>printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="244"/>
        <source>dropped</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="245"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="251"/>
        <source>too late: not opened</source>
        <translation>超时：未打开</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="253"/>
        <source>tried {n} times</source>
        <translation>已尝试 {n} 次</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="274"/>
        <source>Sent to the printer.</source>
        <translation>已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="279"/>
        <source>Type or scan a receipt number</source>
        <translation>请输入或扫描小票单号</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="289"/>
        <source>Balance slip sent to the printer.</source>
        <translation>积分单已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="298"/>
        <source>Open the cash drawer</source>
        <translation>打开钱箱</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="304"/>
        <source>Why open the drawer? (for the record)</source>
        <translation>打开钱箱的原因（将记录在案）</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="314"/>
        <source>The drawer opens.</source>
        <translation>钱箱已打开。</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <location filename="../../ui/printing.py" line="48"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="49"/>
        <source>printing</source>
        <translation>打印中</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="50"/>
        <source>paper low</source>
        <translation>纸将用完</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="51"/>
        <source>paper out</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="52"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="53"/>
        <source>not answering</source>
        <translation>无应答</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="54"/>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="55"/>
        <source>preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="59"/>
        <source>{state}, {n} waiting</source>
        <translation>{state}，{n} 张待打印</translation>
    </message>
</context>
<context>
    <name>RegisterDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="71"/>
        <source>Register a member</source>
        <translation>办理会员</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="80"/>
        <source>Referrer&apos;s card or phone (optional)</source>
        <translation>推荐人卡号或手机号（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="89"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="90"/>
        <source>Mobile phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="91"/>
        <source>Card number</source>
        <translation>会员卡号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="92"/>
        <source>Referred by</source>
        <translation>推荐人</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="93"/>
        <source>Kiosk PIN</source>
        <translation>自助机密码</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="94"/>
        <source>Kiosk PIN again</source>
        <translation>再输一次密码</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="103"/>
        <source>Register</source>
        <translation>注册</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../ui/returns.py" line="60"/>
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="63"/>
        <source>Receipt number (type or scan)</source>
        <translation>小票号（输入或扫码）</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="65"/>
        <source>Find sale</source>
        <translation>查找交易</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="70"/>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="70"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="70"/>
        <source>Return qty</source>
        <translation>退货数量</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="83"/>
        <source>Confirm return</source>
        <translation>确认退货</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="138"/>
        <source>Choose the quantities to return</source>
        <translation>请选择退货数量</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="149"/>
        <source>Refund: {v}</source>
        <translation>退款：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="151"/>
        <source>Points taken back: {p}</source>
        <translation>扣回积分：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="152"/>
        <source>Points given back: {p}</source>
        <translation>退回抵现积分：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="155"/>
        <source>Points already spent, paid in cash: {p} = {v}</source>
        <translation>积分已用完，以现金补扣：{p} = {v}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="160"/>
        <source>Balance after: {p}</source>
        <translation>退货后余额：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="162"/>
        <source>Give the customer: {v}</source>
        <translation>应退顾客：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="164"/>
        <source>Collect from the customer: {v}</source>
        <translation>应向顾客收取：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="167"/>
        <source>A manager must approve this return.</source>
        <translation>此退货需店长授权。</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="181"/>
        <source>return of {v}</source>
        <translation>退货 {v}</translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="185"/>
        <source>Not approved: nothing was returned</source>
        <translation>未获授权，未退货</translation>
    </message>
</context>
<context>
    <name>Seams</name>
    <message>
        <location filename="../../ui/seams.py" line="36"/>
        <source>no printer</source>
        <translation>未连接打印机</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <location filename="../../ui/sync_status.py" line="123"/>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="125"/>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="127"/>
        <source>refused by HQ</source>
        <translation>总部拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="129"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="134"/>
        <source>fetching {percent}%</source>
        <translation>正在下载 {percent}%</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="139"/>
        <source>{n} waiting</source>
        <translation>{n} 条待发送</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="143"/>
        <source>{n} refused by HQ</source>
        <translation>{n} 条被总部拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="147"/>
        <source>last {time}</source>
        <translation>上次 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="151"/>
        <source>Sync: {state}</source>
        <translation>同步：{state}</translation>
    </message>
</context>
</TS>
