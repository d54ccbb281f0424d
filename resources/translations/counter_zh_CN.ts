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
        <location filename="../../ui/counter.py" line="181"/>
        <source>Scan a card, or type a phone number or its last 4 digits</source>
        <translation>刷会员卡，或输入手机号 / 手机尾号后 4 位</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="188"/>
        <source>Item code</source>
        <translation>商品条码</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="196"/>
        <source>Amount (¥)</source>
        <translation>金额（¥）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="201"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="208"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="209"/>
        <source>Category</source>
        <translation>品类</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="210"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="211"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="212"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="213"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="228"/>
        <source>Coupon code</source>
        <translation>优惠券码</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="253"/>
        <source>Find member</source>
        <translation>查会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="254"/>
        <source>Register</source>
        <translation>办会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="255"/>
        <source>Pay with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="256"/>
        <source>Pay</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="257"/>
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="258"/>
        <source>History</source>
        <translation>积分明细</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="259"/>
        <source>New sale</source>
        <translation>新单</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="260"/>
        <source>Lock</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="261"/>
        <source>Gifts</source>
        <translation>积分兑礼</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="262"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="346"/>
        <source>No member&apos;s phone ends in these digits</source>
        <translation>没有手机尾号为这几位的会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="359"/>
        <source>Unknown card</source>
        <translation>未知会员卡</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="360"/>
        <source>No member has card {card}.</source>
        <translation>卡号 {card} 未绑定任何会员。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="361"/>
        <source>Register a new member</source>
        <translation>办理新会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="365"/>
        <source>Give this card to {name}</source>
        <translation>将此卡绑定给 {name}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="369"/>
        <source>Give it to a member (by phone)</source>
        <translation>绑定到已有会员（按手机号）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="380"/>
        <source>Give the card to a member</source>
        <translation>绑定会员卡</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="381"/>
        <source>The member&apos;s mobile phone number</source>
        <translation>会员手机号</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="398"/>
        <location filename="../../ui/counter.py" line="410"/>
        <source>Card {card} added</source>
        <translation>已绑定会员卡 {card}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="435"/>
        <source>Registered. Sign-up bonus: {p}</source>
        <translation>注册成功，赠送开卡积分 {p}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="437"/>
        <source>the referrer earned {p}</source>
        <translation>推荐人获得 {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="444"/>
        <location filename="../../ui/counter.py" line="733"/>
        <source>Find the member first</source>
        <translation>请先查找会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="473"/>
        <source>Enter an amount above zero</source>
        <translation>请输入大于零的金额</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="500"/>
        <source>Find the member the coupon was issued to first</source>
        <translation>请先查到持券会员</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="575"/>
        <source> (campaign ×{m})</source>
        <translation>（活动 ×{m}）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="604"/>
        <source>Subtotal: {v}</source>
        <translation>小计：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="607"/>
        <source>Points used: {p} (−{v})</source>
        <translation>积分抵现：{p}（−{v}）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="615"/>
        <source>Coupon {code}: −{v}</source>
        <translation>优惠券 {code}：−{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="619"/>
        <source>Due: {v}</source>
        <translation>应付：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="622"/>
        <source>Earns {p} points{m}</source>
        <translation>可得积分 {p}{m}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="635"/>
        <source>Find the member and ring up the sale first</source>
        <translation>请先查找会员并录入商品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="647"/>
        <source>Nothing to pay yet</source>
        <translation>还没有要结算的商品</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="667"/>
        <source>HQ did not allow this: {reason}</source>
        <translation>总部不允许：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="709"/>
        <source>Sale {receipt} complete.</source>
        <translation>交易 {receipt} 已完成。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="711"/>
        <source>Change: {v}</source>
        <translation>找零：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="714"/>
        <source>Points earned: {p}, balance now {b}</source>
        <translation>本单积分 {p}，当前余额 {b}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="720"/>
        <source>Tier up to {tier}! Bonus {p} points</source>
        <translation>升级为{tier}！奖励 {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="748"/>
        <source>{n} gift(s) handed over.</source>
        <translation>已兑换 {n} 件礼品。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="756"/>
        <source>No receipt printer is set up (see devices.toml in the README).</source>
        <translation>未设置小票打印机（见 README 中的 devices.toml）。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="782"/>
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
        <location filename="../../ui/errors.py" line="22"/>
        <source>Something went wrong</source>
        <translation>操作失败</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="31"/>
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
        <location filename="../../ui/dialogs.py" line="345"/>
        <source>Points history: {name}</source>
        <translation>积分明细：{name}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="347"/>
        <source>Purchase</source>
        <translation>消费积分</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="348"/>
        <source>Sign-up bonus</source>
        <translation>开卡赠送</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="349"/>
        <source>Referral bonus</source>
        <translation>推荐奖励</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="350"/>
        <source>Tier upgrade bonus</source>
        <translation>升级奖励</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="351"/>
        <source>Activity bonus</source>
        <translation>活动奖励</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="352"/>
        <source>Paid with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="353"/>
        <source>Points returned</source>
        <translation>抵现积分退回</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="354"/>
        <source>Return</source>
        <translation>退货扣回</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="355"/>
        <source>Gift</source>
        <translation>兑换礼品</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="356"/>
        <source>Gift cancelled</source>
        <translation>礼品退回</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="357"/>
        <source>Expired</source>
        <translation>积分过期</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="358"/>
        <source>Adjustment</source>
        <translation>人工调整</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="359"/>
        <source>Transfer</source>
        <translation>积分转移</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="365"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="366"/>
        <source>What</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="367"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="368"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="369"/>
        <source>Receipt / reason</source>
        <translation>小票号 / 原因</translation>
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
    <name>MemberPanel</name>
    <message>
        <location filename="../../ui/counter.py" line="129"/>
        <source>No member (F2 to find one)</source>
        <translation>非会员（按 F2 查会员）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="135"/>
        <source>Tier: {tier}</source>
        <translation>等级：{tier}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="136"/>
        <source>Balance: {p}</source>
        <translation>积分余额：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="138"/>
        <source>Expiring within 30 days: {p}</source>
        <translation>30 天内到期：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="142"/>
        <source>This sale earns: {p}{m}</source>
        <translation>本单可得：{p}{m}</translation>
    </message>
</context>
<context>
    <name>OffsetDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="176"/>
        <source>Pay with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="182"/>
        <source>Balance {balance} points. At most {max} points ({value}) on this bill, in steps of {step}.</source>
        <translation>积分余额 {balance}。本单最多可用 {max} 积分（抵 {value}），须为 {step} 的整数倍。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="193"/>
        <source>No points can be used: {reason}</source>
        <translation>本单不能使用积分：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="202"/>
        <source>Worth: {v}</source>
        <translation>可抵：{v}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="206"/>
        <source>Max</source>
        <translation>最大</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="209"/>
        <source>None</source>
        <translation>不使用</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="213"/>
        <source>Apply</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="237"/>
        <source>Payment</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="238"/>
        <source>Amount due: {due}</source>
        <translation>应付：{due}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="243"/>
        <source>Points used: {p} (−{v})</source>
        <translation>积分抵现：{p}（−{v}）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="248"/>
        <source>Points earned: {p}</source>
        <translation>本单积分：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="249"/>
        <source>Balance after: {p}</source>
        <translation>结算后余额：{p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="254"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="255"/>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="256"/>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="257"/>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="258"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="276"/>
        <source>Complete sale</source>
        <translation>完成收款</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="279"/>
        <source>Cash tendered</source>
        <translation>实收现金</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="280"/>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="312"/>
        <source>not enough</source>
        <translation>金额不足</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="328"/>
        <source>The cash tendered is less than the amount due</source>
        <translation>实收现金少于应付金额</translation>
    </message>
</context>
<context>
    <name>PickMemberDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="140"/>
        <source>Choose the member</source>
        <translation>选择会员</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="146"/>
        <source>{name}   {phone}   {tier}   {p} points</source>
        <translation>{name}   {phone}   {tier}   {p} 积分</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="157"/>
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
        <location filename="../../ui/printing.py" line="168"/>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="174"/>
        <source>Receipt number</source>
        <translation>小票单号</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="175"/>
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="178"/>
        <source>Reprint last receipt</source>
        <translation>重印上一张小票</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="181"/>
        <source>Balance slip</source>
        <translation>积分单</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="184"/>
        <location filename="../../ui/printing.py" line="292"/>
        <source>Open drawer</source>
        <translation>打开钱箱</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="189"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="189"/>
        <source>What</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="189"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="189"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="189"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="216"/>
        <source>Printer: {state}</source>
        <translation>打印机：{state}</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="222"/>
        <source>receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="223"/>
        <source>return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="224"/>
        <source>gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="225"/>
        <source>balance slip</source>
        <translation>积分单</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="226"/>
        <source>report</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="227"/>
        <source>drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="230"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="231"/>
        <source>printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="232"/>
        <source>dropped</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="233"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="239"/>
        <source>too late: not opened</source>
        <translation>超时：未打开</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="241"/>
        <source>tried {n} times</source>
        <translation>已尝试 {n} 次</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="262"/>
        <source>Sent to the printer.</source>
        <translation>已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="267"/>
        <source>Type or scan a receipt number</source>
        <translation>请输入或扫描小票单号</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="277"/>
        <source>Balance slip sent to the printer.</source>
        <translation>积分单已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="286"/>
        <source>Open the cash drawer</source>
        <translation>打开钱箱</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="292"/>
        <source>Why open the drawer? (for the record)</source>
        <translation>打开钱箱的原因（将记录在案）</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="302"/>
        <source>The drawer opens.</source>
        <translation>钱箱已打开。</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <location filename="../../ui/printing.py" line="47"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="48"/>
        <source>printing</source>
        <translation>打印中</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="49"/>
        <source>paper low</source>
        <translation>纸将用完</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="50"/>
        <source>paper out</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="51"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="52"/>
        <source>not answering</source>
        <translation>无应答</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="53"/>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="54"/>
        <source>preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="58"/>
        <source>{state}, {n} waiting</source>
        <translation>{state}，{n} 张待打印</translation>
    </message>
</context>
<context>
    <name>RegisterDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="69"/>
        <source>Register a member</source>
        <translation>办理会员</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="78"/>
        <source>Referrer&apos;s card or phone (optional)</source>
        <translation>推荐人卡号或手机号（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="83"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="84"/>
        <source>Mobile phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="85"/>
        <source>Card number</source>
        <translation>会员卡号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="86"/>
        <source>Referred by</source>
        <translation>推荐人</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="95"/>
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
        <location filename="../../ui/seams.py" line="37"/>
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
