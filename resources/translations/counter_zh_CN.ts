<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ApprovalDialog</name>
    <message>
        <location filename="../../ui/login.py" line="110"/>
        <source>Manager approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="112"/>
        <source>A manager must approve: {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="116"/>
        <source>Manager&apos;s staff number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="142"/>
        <source>{name} is not a manager</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CounterScreen</name>
    <message>
        <location filename="../../ui/counter.py" line="152"/>
        <source>Scan a card, or type a phone number or its last 4 digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="159"/>
        <source>Item code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="166"/>
        <source>Amount (¥)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="171"/>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="178"/>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="179"/>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="180"/>
        <source>Qty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="181"/>
        <source>Price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="182"/>
        <source>Amount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="183"/>
        <source>Points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="208"/>
        <source>Find member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="209"/>
        <source>Register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="210"/>
        <source>Pay with points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="211"/>
        <source>Pay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="212"/>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="213"/>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="214"/>
        <source>New sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="215"/>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="299"/>
        <source>No member&apos;s phone ends in these digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="312"/>
        <source>Unknown card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="313"/>
        <source>No member has card {card}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="314"/>
        <source>Register a new member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="318"/>
        <source>Give this card to {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="335"/>
        <source>Card {card} added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="359"/>
        <source>Registered. Sign-up bonus: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="361"/>
        <source>the referrer earned {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="368"/>
        <source>Find the member first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="397"/>
        <source>Enter an amount above zero</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="473"/>
        <source> (campaign ×{m})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="502"/>
        <source>Subtotal: {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="505"/>
        <source>Points used: {p} (−{v})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="511"/>
        <source>Due: {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="514"/>
        <source>Earns {p} points{m}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="527"/>
        <source>Find the member and ring up the sale first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="539"/>
        <source>Nothing to pay yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="576"/>
        <source>Sale {receipt} complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="578"/>
        <source>Change: {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="581"/>
        <source>Points earned: {p}, balance now {b}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="587"/>
        <source>Tier up to {tier}! Bonus {p} points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="609"/>
        <source>Return {no} done. Give the customer {v}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../ui/errors.py" line="10"/>
        <source>Please check the input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="11"/>
        <source>Not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="12"/>
        <source>Not allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="13"/>
        <source>A manager must approve this</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="14"/>
        <source>Wrong staff number or PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="15"/>
        <source>Locked for a while</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="16"/>
        <source>Not enough points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="17"/>
        <source>Already exists or changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="18"/>
        <source>The amounts changed; please check again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="19"/>
        <source>The points program is invalid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="21"/>
        <source>Something went wrong</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="328"/>
        <source>Points history: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="330"/>
        <source>Purchase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="331"/>
        <source>Sign-up bonus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="332"/>
        <source>Referral bonus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="333"/>
        <source>Tier upgrade bonus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="334"/>
        <source>Activity bonus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="335"/>
        <source>Paid with points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="336"/>
        <source>Points returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="337"/>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="338"/>
        <source>Gift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="339"/>
        <source>Gift cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="340"/>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="341"/>
        <source>Adjustment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="342"/>
        <source>Transfer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="348"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="349"/>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="350"/>
        <source>Points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="351"/>
        <source>Balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="352"/>
        <source>Receipt / reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <location filename="../../ui/login.py" line="40"/>
        <location filename="../../ui/login.py" line="65"/>
        <source>Log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="44"/>
        <source>Staff number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="48"/>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="69"/>
        <source>Locked: {name}, enter your PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="77"/>
        <source>Enter your staff number first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="80"/>
        <source>Checking...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="50"/>
        <source>Points counter — {store}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="58"/>
        <source>Sync: standalone store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="64"/>
        <source>Working...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="82"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="83"/>
        <location filename="../../ui/main_window.py" line="94"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="94"/>
        <source>The new language is used from the next start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="98"/>
        <source>nobody logged in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="99"/>
        <source>Cashier: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="100"/>
        <source>Printer: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="141"/>
        <source>Unexpected error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="142"/>
        <source>The last action failed: {text}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../ui/counter.py" line="107"/>
        <source>No member (F2 to find one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="113"/>
        <source>Tier: {tier}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="114"/>
        <source>Balance: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="116"/>
        <source>Expiring within 30 days: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="120"/>
        <source>This sale earns: {p}{m}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OffsetDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="164"/>
        <source>Pay with points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="170"/>
        <source>Balance {balance} points. At most {max} points ({value}) on this bill, in steps of {step}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="181"/>
        <source>No points can be used: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="192"/>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="195"/>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="197"/>
        <source>Apply</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="220"/>
        <source>Payment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="221"/>
        <source>Amount due: {due}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="226"/>
        <source>Points used: {p} (−{v})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="231"/>
        <source>Points earned: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="232"/>
        <source>Balance after: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="237"/>
        <source>Cash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="238"/>
        <source>Bank card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="239"/>
        <source>WeChat Pay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="240"/>
        <source>Alipay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="241"/>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="259"/>
        <source>Complete sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="262"/>
        <source>Cash tendered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="263"/>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="295"/>
        <source>not enough</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="311"/>
        <source>The cash tendered is less than the amount due</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PickMemberDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="134"/>
        <source>Choose the member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="146"/>
        <source>Choose</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../../ui/widgets.py" line="25"/>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RegisterDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="68"/>
        <source>Register a member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="77"/>
        <source>Referrer&apos;s card or phone (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="81"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="82"/>
        <source>Mobile phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="83"/>
        <source>Card number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="84"/>
        <source>Referred by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="92"/>
        <source>Register</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../ui/returns.py" line="59"/>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="62"/>
        <source>Receipt number (type or scan)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="64"/>
        <source>Find sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="69"/>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="69"/>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="69"/>
        <source>Return qty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="82"/>
        <source>Confirm return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="133"/>
        <source>Choose the quantities to return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="144"/>
        <source>Refund: {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="146"/>
        <source>Points taken back: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="147"/>
        <source>Points given back: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="150"/>
        <source>Points already spent, paid in cash: {p} = {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="155"/>
        <source>Balance after: {p}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="157"/>
        <source>Give the customer: {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="159"/>
        <source>Collect from the customer: {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="162"/>
        <source>A manager must approve this return.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="176"/>
        <source>return of {v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/returns.py" line="180"/>
        <source>Not approved: nothing was returned</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
