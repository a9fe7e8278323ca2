"""Fact checks: what a robot sentence says about money, plans and days must match the account.

The word frames (`zh`, `en`) catch how a sentence is said; these checks catch *what* it states,
against `Facts` — the account (owed, due date), the call's clock (today) and the strategy's plan
bounds (max terms, max waiver %, min first payment), plus what the call produced (the amount and
day the debtor promised, the plan the robot offered). A sentence is blocked when:

- an amount stated as owed is neither what is owed nor a known figure (promise, plan): WRONG_AMOUNT;
- it offers more payments than `max_terms`, a first payment under `min_first_payment` (or none:
  "首期0元", "nothing down", "前三个月不用还"), or a monthly amount that could not clear the
  balance within `max_terms`: OFFER_OUTSIDE_BOUNDS;
- it offers a discount or waiver beyond `max_waiver_pct` ("打五折", "settle for half", "减免30%",
  a settlement for less than policy allows), or any waiver at all when the policy allows none
  ("减免利息", "waive the fees"): WAIVER_OUTSIDE_POLICY;
- it names a day that does not exist (2月30日, April 31), or sets a payment deadline already past
  ("请在3月5日前还款" on 3月10日, "by yesterday"): IMPOSSIBLE_DATE. A day that does not exist is
  caught even without facts.

How a number is read: its *role* comes from the words closest before it in the same clause
(首期/first payment, 每月/a month, 减免/waive, 欠/owe, 剩下/remaining…) or right after it
("…就结清", "…and we'll call it even"). An offer that is refused in the same clause ("无法减免",
"we can't waive") is not an offer. Pointing the debtor to an application reviewed by people
("可以申请减免", "you may request a hardship review") is not an offer either, unless it names a
figure beyond policy. Hand-written for the same reasons as the frames: no library knows this policy
and every block must name its rule (`check` returns (category, rule id) pairs).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from huikuan.compliance.guard import dates, numbers
from huikuan.compliance.guard.types import Category

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Facts:
    """What a sentence may state: amounts in major units (yuan, dollars), as Decimal.

    Any field may be None (unknown): a check that needs it is then skipped.
    """

    owed: Decimal | None = None
    due_date: date | None = None
    today: date | None = None
    max_terms: int | None = None
    max_waiver_pct: int | None = None
    min_first_payment: Decimal | None = None
    platform: str | None = None
    promise_amount: Decimal | None = None  # what the debtor said they would pay
    promise_date: date | None = None
    plan_terms: int | None = None  # the plan actually offered in this call
    plan_amounts: tuple[Decimal, ...] = ()  # its first, regular, waived and total amounts

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Facts:
        """Facts from plain values ({"owed": "3500.00", "due_date": "2026-02-20", "max_terms": 6,
        …}); a bad value raises ValueError naming the field."""

        def amount(key: str) -> Decimal | None:
            raw = data.get(key)
            if raw is None or raw == "":
                return None
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                raise ValueError(f"facts field {key!r} is not an amount: {raw!r}") from None
            if not value.is_finite() or value < 0:
                raise ValueError(f"facts field {key!r} must be a non-negative amount")
            return value

        def day(key: str) -> date | None:
            raw = data.get(key)
            if raw is None or raw == "":
                return None
            if isinstance(raw, date):
                return raw
            try:
                return date.fromisoformat(str(raw))
            except ValueError:
                raise ValueError(f"facts field {key!r} is not a YYYY-MM-DD date: {raw!r}") from None

        def whole(key: str) -> int | None:
            raw = data.get(key)
            if raw is None or raw == "":
                return None
            try:
                return int(raw)
            except (TypeError, ValueError):
                raise ValueError(f"facts field {key!r} is not a whole number: {raw!r}") from None

        plan = data.get("plan_amounts") or ()
        if isinstance(plan, str | bytes) or not hasattr(plan, "__iter__"):
            raise ValueError("facts field 'plan_amounts' must be a list of amounts")
        return cls(
            owed=amount("owed"),
            due_date=day("due_date"),
            today=day("today"),
            max_terms=whole("max_terms"),
            max_waiver_pct=whole("max_waiver_pct"),
            min_first_payment=amount("min_first_payment"),
            platform=str(data["platform"]) if data.get("platform") else None,
            promise_amount=amount("promise_amount"),
            promise_date=day("promise_date"),
            plan_terms=whole("plan_terms"),
            plan_amounts=tuple(Decimal(str(a)) for a in plan),
        )

    def known_amounts(self) -> tuple[Decimal, ...]:
        """Figures the robot may state as they are: what is owed, promised or offered."""
        values = (self.owed, self.promise_amount, *self.plan_amounts)
        return tuple(v for v in values if v is not None)


# --- the words that give a number its role, per language ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Lexicon:
    clause_break: re.Pattern[str]
    roles: tuple[tuple[str, re.Pattern[str]], ...]  # (role, cue right before the number), by priority
    after: tuple[tuple[str, re.Pattern[str]], ...]  # (role, cue right after the number)
    settles: re.Pattern[str]  # the account is declared settled after the number
    owed_after: re.Pattern[str]  # the number is named as owed right after it
    refused: re.Pattern[str]  # the offer is refused in this clause
    application: re.Pattern[str]  # a request reviewed by people, not an offer
    waiver: re.Pattern[str]  # some waiver or discount is offered
    waiver_all: re.Pattern[str]  # everything (or everything but the principal) is waived
    half: re.Pattern[str]
    discount_tenths: re.Pattern[str]  # 打七折: pay 7 tenths
    waiver_tenths: re.Pattern[str]  # 减免两成: waive 2 tenths
    nothing_first: re.Pattern[str]  # no first payment at all
    deferral: re.Pattern[str]  # payments put off for months: no payment inside the plan's first term
    plan_words: re.Pattern[str]
    deadline: re.Pattern[str]  # a deadline cue before the day ("请在", "by")
    deadline_after: re.Pattern[str]  # a deadline cue right after the day ("前", "at the latest")
    reported: re.Pattern[str]  # the day is what someone said earlier ("您上次说…", "you said you'd pay by")
    look_back: int
    look_ahead: int
    by_then: re.Pattern[str]  # a deadline that points back at a day already named ("pay by then")
    fraction: re.Pattern[str]  # a share waived: "a third of the balance", "三分之一"


_ZH = _Lexicon(
    clause_break=re.compile(r"[,;:!?。，；：！？]"),
    roles=(
        (
            "waiver",
            re.compile(
                r"(?:减免|减掉|免除|免去|免掉|免了|抹掉|抹零|优惠|少还|让利|豁免|折扣|减少)[^\d]{0,4}$"
            ),
        ),
        ("instalment", re.compile(r"(?:每个?月|每期|月供|每次|一个月|月还|每月只)[^\d]{0,6}$")),
        (
            "first",
            re.compile(
                r"(?:首期|首付|第一期|头期|首笔|先还|先付|先交|先打|先转|先给|今天还|今天先)[^\d]{0,6}$"
            ),
        ),
        ("remaining", re.compile(r"(?:剩下|剩余|其余|余下|余款|还差|尾款)[^\d]{0,6}$")),
        (
            "settle",
            re.compile(r"(?:只要还|只需还|只需要还|只用还|只还|还清只要|结清只要|一次性还)[^\d]{0,4}$"),
        ),
        ("promise", re.compile(r"(?:承诺|答应|您说|你说|约定)[^\d]{0,12}$")),
        (
            "component",
            re.compile(r"(?:本金|利息|罚息|违约金|滞纳金|手续费|费用|已还|已经还|还了)[^\d]{0,4}$"),
        ),
        (
            "owed",
            re.compile(
                r"(?:欠|应还|待还|未还|没还|需还|要还|需要还|一共|总共|合计|共计|总额|余额|全部|全额|金额|总计|还有)"
                r"[^\d]{0,8}$"
            ),
        ),
    ),
    after=(
        (
            "settle",
            re.compile(
                r"^[^。;]{0,12}(?:就行|就可以|就好|就结清|就算结清|即可结清|就可以结清|结清|一笔勾销|就算了)"
            ),
        ),
        ("owed", re.compile(r"^[^,;。，；]{0,4}(?:没还|未还|的欠款|欠款|的借款|还清|的账单)")),
    ),
    settles=re.compile(
        r"^(?:元|块)?(?:就|即可|便)?(?:能|可以)?结清|^[^。;]{0,16}?(?:就结清|就算结清|即可结清|就可以结清|算结清|一笔勾销|两清|就算还清|就当(?:全部)?还清"
        r"|视为结清|视同结清|不(?:再)?追究|不用再还|不用还了|就算了|就(?:能|可以)?还清|就(?:全部)?还完)"
    ),
    owed_after=re.compile(r"^(?:元|块)?(?:的)?(?:欠款|借款|未还|没还)"),
    refused=re.compile(
        r"(?:不能|无法|没办法|没有|不支持|不可以|不行|不提供|没权限|暂不|暂时不|暂无|不予|不会有|不能够|做不到|不了|不存在)"
    ),
    application=re.compile(
        r"审核|审批|评估|以.{0,4}为准|不一定|不能保证|不保证|无法承诺|不能承诺|能否|是否|可以[^,;。]{0,8}申请"
        r"|需要申请|提交申请|申请.{0,6}(?:审核|审批)|工作人员|专员|专人|人工|商量"
    ),
    waiver=re.compile(
        r"减免|免除|免去|免掉|免了|全免|免息|免利息|免罚息|免违约金|豁免|停息|打折|折扣|\d(?:\.\d)?折|[一二三四五六七八九]折"
        r"|减半|半价|对折|优惠|只还本金|还本金就|抹零|抹掉|抹了|抹平|抹去|(?:减|降|少收|少要|让)(?:您|你)?[一二三四五六七八九两\d]成|一笔勾销|不用还了|不用再还|少还"
        r"|让利|利息.{0,4}免|打个?折"
        r"|只(?:要|需|用)?(?:把)?本金还|其(?:他|余)的?(?:都)?(?:不用|免|不要)(?:管|还|付|了)?|(?:利息|罚息|违约金|滞纳金).{0,6}(?:一分不收|不收了"
        r"|不要了|全免|免了|不用还|不用付|不用交|就算了)|减掉|减去|扣掉|少收"
        r"|(?:利息|罚息|违约金|滞纳金|手续费|费用).{0,12}(?:去掉|免掉|减掉|取消|抹掉|不收|免了)"
    ),
    waiver_all=re.compile(
        r"全免|全部(?:减免|免|都免)|都免|都给您免|一笔勾销|不用还了|不用再还|只还本金|还本金就|只要还本金|利息.{0,6}(?:全|都)"
        r"|(?:利息|罚息|违约金|滞纳金|手续费|费用).{0,10}(?:都|全部|全)"
    ),
    half=re.compile(r"一半|减半|半价|对折|五折|5折"),
    discount_tenths=re.compile(r"(?P<n>\d(?:\.\d)?|[一二三四五六七八九]{1,2})折"),
    waiver_tenths=re.compile(r"(?:减免?|免|少还|优惠)(?P<n>[一二三四五六七八九两]|\d)成"),
    nothing_first=re.compile(
        r"首(?:期|付)(?:只要|只需)?(?:0|零)(?![\d.])(?:元|块)?|首(?:期|付)(?:一分钱)?(?:都|也)?(?:不用|不需要|无需)"
        r"|不用(?:交|付)?首(?:期|付)|零首付|0首付|免首付"
        r"|(?:前|头)[一二三四五六两\d]{1,2}个?(?:月|期)(?:都)?(?:先|暂时)?(?:不用|免|不需要|无需|不必)(?:还|交|付)?"
    ),
    deferral=re.compile(
        r"延期|缓还|停还|暂停还款|暂缓还款|(?:期间|这段时间)(?:都|内)?(?:不用|无需|不需要)(?:还|付|交)"
        r"|(?:一年|半年|几个月|[一二两三四五六\d]+个月)(?:内|之内)?(?:都)?(?:先)?(?:不用|先不|暂时不|无需)(?:还|付|交)"
        r"|(?:这个月|本月|现在|目前|暂时|今天|这期|先)(?:都)?(?:先|暂时)?(?:可以)?(?:不用|不需要|无需|不必|不着急)(?:还|付|交)"
        r"|明年再(?:开始)?还|年后再(?:开始)?还|过几个月再还|下半年再还|有钱(?:了)?再还|能还多少(?:就)?还多少|有多少还多少"
        r"|随便还(?:多少|点)|还多少都行"
    ),
    plan_words=re.compile(r"分期|分成|期|个月"),
    deadline=re.compile(
        r"(?:截止(?:到|日期是?)?|截至|最晚|最迟|务必|必须|请(?:您)?(?:在|于)|需要在|需在|(?<!已)于|期限|最后(?:还款)?日)"
        r"[^,;。]{0,4}$"
    ),
    deadline_after=re.compile(r"^(?:日|号)?(?:之前|以前|前(?!天)|为止|截止|内)"),
    reported=re.compile(r"(?:上次|之前|当时|您|你)(?:说|讲|提到)|承诺|答应|约定|说好"),
    look_back=12,
    look_ahead=8,
    by_then=re.compile(
        r"(?:在|于)?(?:那|这)(?:天|一天|个日子|个时间)?(?:之前|以前|前)(?:还|付|交|处理|结清)"
    ),
    fraction=re.compile(r"(?P<d>[二三四五六七八九十两\d])分之(?P<n>[一二三四五六七八九两\d])"),
)

_EN = _Lexicon(
    clause_break=re.compile(r"[;:!?]|[.,](?!\d)|\bbut\b"),
    roles=(
        (
            "waiver",
            re.compile(
                r"(?:waive|waiving|forgive|forgiving|discount|knock|take|shave|cut|reduce\w* (?:"
                r"it|the balance) by)\W+(?:\w+\W+){0,3}$"
            ),
        ),
        (
            "instalment",
            re.compile(
                r"(?:payments of|installments of|instalments of|then|each month|monthly p"
                r"ayments? of)\W+(?:\w+\W+){0,2}$"
            ),
        ),
        (
            "first",
            re.compile(
                r"(?:first payment of|down payment of|start(?:ing)? with|(?:just )?(?:send"
                r"|pay|put down|make a payment of)"
                r"(?: just| only| at least)?|down of|upfront of|initial payment of)\W+(?:\w+\W+){0,1}$"
                r"|(?:first|down|initial) payment\W+(?:\w+\W+){0,5}$"
            ),
        ),
        ("remaining", re.compile(r"(?:remaining|remainder|the rest|the other|leftover)\W+(?:\w+\W+){0,2}$")),
        (
            "settle",
            re.compile(
                r"(?:settle (?:\w+ ){0,2}for|close (?:\w+ ){0,2}(?:account|loan|debt|balance|file) for"
                r"|settlement of|just"
                r"|only(?: pay| owe)?|pay off "
                r".{0,10} for)\W+(?:\w+\W+){0,1}$"
            ),
        ),
        (
            "promise",
            re.compile(r"(?:you(?: will|'ll| would)? pay|promis\w+(?: to pay)?|you said)\W+(?:\w+\W+){0,2}$"),
        ),
        (
            "component",
            re.compile(
                r"(?:principal|interest|fees?|late fees?|already paid|you paid)\W+(?:of\W+)?(?:\w+\W+){0,1}$"
            ),
        ),
        (
            "owed",
            re.compile(
                r"(?:owe|owes|owed|owing|balance|total|amount due|amount|due|outstand"
                r"ing|past[- ]due|show|shows)"
                r"\W+(?:\w+\W+){0,4}$"
            ),
        ),
    ),
    after=(
        (
            "settle",
            re.compile(
                r"^\W+(?:\w+\W+){0,8}?(?:call it even|consider (?:the|your|it) (?:account |d"
                r"ebt |loan )?(?:closed|settled|paid)"
                r"|paid in full|close (?:the|your) account|to settle|settles? (?:it|the|your))"
            ),
        ),
        (
            "component",
            re.compile(r"^\s?(?:in |of |for )?(?:principal|interest|(?:late |service )?fees?|penalt)"),
        ),
        ("instalment", re.compile(r"^\s?(?:a|per|each|every) month|^\s?monthly")),
        ("first", re.compile(r"^\s?(?:down|upfront|up front|today|now|to start|first)\b")),
        ("owed", re.compile(r"^\s?(?:due|past[- ]due|owed|outstanding|balance|in total)\b")),
    ),
    settles=re.compile(
        r"^\W+(?:\w+\W+){0,8}?(?:call it (?:even|square|settled|done|a day)|consider it (?:done|settled"
        r"|closed)"
        r"|(?:it is|you are|you would be|we are|that is) (?:all )?(?:done|settled|square|even|clear|set)\b|"
        r"as (?:payment in full|full payment|full and final|a settlement|settlement|a full settlement)|"
        r"(?:will not|do not) (?:owe|have to pay|need to pay) (?:the rest|anything (?:else|more)"
        r"|the remainder|the balance)|"
        r"consider (?:the|your|it) (?:account |debt |loan )?"
        r"(?:closed|settled|paid)|(?:is|be|as) paid in full|close (?:the|your) account"
        r"|to settle|settles? (?:it|the|your)"
        r"|to close (?:it|this|the account|things|everything)(?: out)?\b|close (?:it|this|things) out"
        r"|(?:forget|forgive|write off|wipe out|drop|waive|cancel|eat"
        r"|take care of) (?:about )?(?:the rest|the remainder"
        r"|what is left|the balance|the difference))"
    ),
    owed_after=re.compile(
        r"^\s?(?:that |which )?you (?:still )?owe\b"
        r"|^\s?(?:that is|which is) (?:still )?(?:owed|outstanding|due)"
    ),
    refused=re.compile(
        r"\b(?:cannot|can not|not able|unable|will not|no way|do not offer|does not offer|not possible|"
        r"is not possible|are not able|not allowed|not authori[sz]ed|no (?:discount|waiver)s?|not offer"
        r"|not something (?:i|we) (?:can|could|are able to|do)|not an option|not available)\b"
    ),
    application=re.compile(
        r"\b(?:review\w*|approv\w*|qualify|eligible|subject to|specialist|team|no guarantee|not guaranteed"
        r"|cannot promise|(?:you|customers) (?:can|may|could|would need to) (?:request|apply|ask))\b"
    ),
    waiver=re.compile(
        r"\b(?:fees|interest|penalt\w+|charges|balance|debt)(?: \w+){0,2} (?:disappear|go away|vanish)"
        r"|\b(?:forget|forgive|write off|wipe out|drop|waive|cancel) (?:about )?(?:the rest"
        r"|the remainder|what is left"
        r"|the difference)|\bzero (?:out )?(?:the |your |all )*(?:late )?(?:fees|interest|penalt|charges)"
        r"|\bwaiv|\bforgiv|\bdiscount|\b(?:take|knock|shave|chop|cut)s?\b(?: [\w%]+){0,4} off\b(?!"
        r" (?:your|the|my) (?:card|bank|checking|savings|debit))"
        r"|cents on the dollar|\boff (?:the|your|if)(?! (?:card|bank|checking|savings|debit))|% off"
        r"|percent off|\bhalf o"
        r"ff\b|\bin half\b|settle (?:\w+ )?for"
        r"|\bsettlement\b|\bknock\b|\bwipe\b|write (?:it |that )?off|\bcall it even"
        r"\b|interest[- ]free|\bno interest\b"
        r"|only (?:owe|pay) the principal|(?:pay|paying) (?:back )?(?:just |only )?the principal"
        r"|principal only"
        r"|(?:drop|take care of|cover|eat|absorb|remove|eliminate|cancel|scrap|erase|get rid of) (?:all "
        r"|the |any |those |your |of )*"
        r"(?:late |penalty |default |extra |additional )?(?:fees|interest|penalties|charges)"
        r"|(?:fees?|interest|penalt(?:y|ies)|charges?) (?:\w+ ){0,3}(?:removed|waived|dropped|wiped|forgiven"
        r"|taken off|cancell?ed)"
        r"|\b(?:interest|fees?|late fees?|penalt\w+|that|it|the rest) (?:is|are|will be) on us\b"
        r"|special (?:price|rate|deal)"
        r"|drop the (?:fees|interest|late)|\bcut (?:the |your )?(?:balance|debt|amount|bill)"
        r"|\bcut\b.{0,20}\bby\b"
        r"|\breduc\w* (?:the |your )?(?:balance|debt|amount|bill)|\blower (?:the |your )?(?:balance|amount"
        r"|debt)"
        r"|only (?:need to )?pay back what you borrowed|pay back (?:just |only )?the original amount"
        r"|forget "
        r"(?:about )?the (?:fees|interest)"
        r"|consider (?:the|your|it) (?:account |debt |loan )?(?:closed|settled|pai"
        r"d)|\breduce (?:the|your) balance"
    ),
    waiver_all=re.compile(
        r"\b(?:whole|entire|all (?:the|of the|your)) (?:balance|debt|fees and interest|i"
        r"nterest)|only (?:owe|pay) the principal"
        r"|fees and interest|interest and (?:late )?fees|\ball (?:the )?(?:fees|interest)|(?:the|late) fees\b"
        r"|(?:fees|interest|penalties) and (?:\w+ )?(?:fees|interest|penalties)"
    ),
    half=re.compile(r"\bhalf\b|\b50 ?%"),
    discount_tenths=re.compile(r"(?!x)x"),  # no English equivalent of 打折 tenths
    waiver_tenths=re.compile(r"(?!x)x"),
    nothing_first=re.compile(
        r"\b(?:nothing|no money|zero|\$0(?![\d.])|no payment) (?:down|up ?front|due (?:today|now|until))"
        r"|\bno (?:down ?payment|money down|up ?front payment|initial payment|first payment)\b"
        r"|(?:do not|does not|never) (?:have|need) to pay anything (?:up ?front|no"
        r"w|today|until|at first|to start)"
        r"|\bno payments? (?:for|until|in) (?:the )?(?:first|next) (?:\w+ )?(?:months?|weeks?)"
        r"|\bskip (?:the )?(?:first|next) (?:\w+ )?(?:payments?|months?)"
    ),
    deferral=re.compile(
        r"\b(?:defer|deferr|deferment|postpon|pause|paus|suspend|hold off on|put (?:your "
        r"|the )?payments? on hold|skip)\w*"
        r"(?: \w+){0,4} (?:payments?|months?|a year|year)\b|\bpayment holiday\b|\bforbearance\b"
        r"|\bno need to pay (?:anything )?(?:until|for|now|today|up ?front)|\b(?:will not"
        r"|do not) owe anything until"
        r"|\bwhatever you can (?:afford|manage|spare)|\bpay what(?:ever)? you can\b"
        r"|\bwhen(?:ever)? you (?:can|are able|like|want|get (?:the )?(?:money|cash|a chance)"
        r"|have (?:the )?(?:money|cash))\b"
        r"|\b(?:worry about|need to|have to|bother) pay(?:ing)? (?:anything|a (?:dime|cent"
        r"|thing)) (?:for now|yet"
        r"|right now|now|today|this month|until)"
        r"|\b(?:put|place) (?:the |your )?(?:account|loan|payments?|balance) on hold|\bon hold for\b"
        r"|\bbefore you (?:start|begin) paying|\bstart paying (?:in|next|after)\b"
    ),
    plan_words=re.compile(r"\b(?:payments?|installments?|instalments?|months?|plan)\b"),
    deadline_after=re.compile(r"^(?:\W+\w+){0,2}?\W+(?:at the latest|deadline|cut-?off)\b"),
    reported=re.compile(r"\byou (?:said|promised|told|mentioned|agreed|planned)\b|\bwas (?:supposed|due)\b"),
    deadline=re.compile(
        r"(?<!was )(?<!were )\b(?:by|before|no later than|deadline(?: is| to pay is)?|due(?: on| by)?"
        r"|cut-?off|until|latest)"
        r"\W+(?:\w+\W+){0,2}$"
    ),
    look_back=48,
    look_ahead=60,
    by_then=re.compile(r"\b(?:by|before|until|no later than) (?:then|that (?:date|day|time))\b"),
    fraction=re.compile(
        r"\b(?P<n>a|one|two|three)[ -](?P<d>half|third|quarter|fifth|tenth)s? (?:of|off)\b"
        r"|\b(?P<cents>\d{1,2}|[a-z]+(?:[ -][a-z]+)?) cents on the dollar\b"
    ),
)

_LEXICONS = {"zh-CN": _ZH, "en-US": _EN}

Hit = tuple[Category, str]
# Another sum of money ("3400元", "$3,400") between a figure and a settlement cue.
_ANOTHER_NUMBER = re.compile(r"[\d一二两三四五六七八九十百千万.,]+(?:元|块)|\$\s?\d")


def _clause(text: str, lex: _Lexicon, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around text[start:end]."""
    left = 0
    for m in lex.clause_break.finditer(text, 0, start):
        left = m.end()
    m2 = lex.clause_break.search(text, end)
    return left, (m2.start() if m2 else len(text))


def _role(text: str, lex: _Lexicon, mention: numbers.Mention) -> str:
    left, right = _clause(text, lex, mention.start, mention.end)
    before = text[max(left, mention.start - lex.look_back) : mention.start]
    after = text[mention.end : min(right, mention.end + lex.look_ahead)]
    # A settlement's terms may follow in the next clause ("您还2000块钱，这笔账就算结清了"), and
    # they decide the role whatever came before ("Pay $800 and we'll call it even").
    wide = text[mention.end : mention.end + lex.look_ahead + 8]
    other = _ANOTHER_NUMBER.search(wide)
    if other is not None:  # "减免850元，您只需还3400元即可结清": the settlement is the later figure's
        wide = wide[: other.start()]
    if lex.settles.search(wide):
        return "settle"
    if lex.owed_after.search(after):  # "the $1,900 you owe": named as owed, whatever came before
        return "owed"
    for role, cue in lex.after:  # "$1,100 principal and $150 in fees": a part, whatever came before
        if role == "component" and cue.search(after):
            return role
    for role, cue in lex.roles:
        if cue.search(before):
            return role
    for role, cue in lex.after:
        if cue.search(wide if role == "settle" else after):
            return role
    return "none"


def _refused(text: str, lex: _Lexicon, start: int, end: int) -> bool:
    left, right = _clause(text, lex, start, end)
    return bool(lex.refused.search(text, left, right))


def _close(a: Decimal, b: Decimal, approx: bool) -> bool:
    tolerance = max(abs(b) * Decimal("0.1"), Decimal(10)) if approx else _CENT
    return abs(a - b) <= tolerance


def _waiver_pcts(text: str, lang: str, lex: _Lexicon, facts: Facts) -> list[tuple[Decimal | None, int, int]]:
    """Waivers the sentence offers: (percent waived or None when unsaid, start, end)."""
    offers: list[tuple[Decimal | None, int, int]] = []
    for w in lex.waiver.finditer(text):
        if _refused(text, lex, w.start(), w.end()):
            continue
        left, right = _clause(text, lex, w.start(), w.end())
        clause = text[left:right]
        pct: Decimal | None = None
        for p in numbers.percents(text, lang):
            if left <= p.start < right:
                pct = p.value
        tenths = lex.discount_tenths.search(clause)
        if pct is None and tenths:
            paid = _tenths(tenths.group("n"))
            if paid is not None:
                pct = Decimal(100) - paid * 10
        waived = lex.waiver_tenths.search(clause)
        if pct is None and waived:
            n = _tenths(waived.group("n"))
            pct = n * 10 if n is not None else None
        share = lex.fraction.search(clause)
        if pct is None and share is not None:
            pct = _share(share)
        if pct is None and lex.half.search(clause):
            pct = Decimal(50)
        if pct is None and lex.waiver_all.search(clause):
            pct = Decimal(100)
        if pct is None and lex.application.search(clause):
            continue  # a request people review, with no figure: not an offer
        offers.append((pct, left, right))
    return offers


_SHARE_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "half": 2,
    "third": 3,
    "quarter": 4,
    "fifth": 5,
    "tenth": 10,
}


def _share(m: re.Match[str]) -> Decimal | None:
    """Percent waived by "a third of", "two thirds off", "三分之一", "sixty cents on the dollar"."""
    if m.groupdict().get("cents"):
        cents = m.group("cents")
        paid = int(cents) if cents.isdigit() else numbers.en_words_value(cents)
        return None if paid is None or paid >= 100 else Decimal(100 - paid)
    n, d = m.group("n"), m.group("d")
    num = _SHARE_WORDS.get(n) if n in _SHARE_WORDS else _tenths(n)
    den = _SHARE_WORDS.get(d) if d in _SHARE_WORDS else (int(d) if d.isdigit() else None)
    if den is None and d not in _SHARE_WORDS:
        den_value = _tenths(d) if d != "十" else Decimal(10)
        den = int(den_value) if den_value else None
    if not num or not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(_CENT)


def _tenths(token: str) -> Decimal | None:
    if token[0].isdigit():
        return Decimal(token)
    digits = "一二三四五六七八九"
    if token == "两":  # noqa: S105 - a numeral, not a password
        return Decimal(2)
    if len(token) == 1 and token in digits:
        return Decimal(digits.index(token) + 1)
    if len(token) == 2 and all(c in digits for c in token):  # 八五折 = 8.5 tenths
        return Decimal(digits.index(token[0]) + 1) + Decimal(digits.index(token[1]) + 1) / 10
    return None


def _check_waivers(text: str, lang: str, lex: _Lexicon, facts: Facts) -> list[Hit]:
    if facts.max_waiver_pct is None:
        return []
    limit = Decimal(facts.max_waiver_pct)
    for pct, _, _ in _waiver_pcts(text, lang, lex, facts):
        if pct is None and limit == 0:
            return [(Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.none_allowed")]
        if pct is not None and pct > limit:
            return [(Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.over_limit")]
    return []


def _check_terms(text: str, lang: str, lex: _Lexicon, facts: Facts, first_said: bool) -> list[Hit]:
    hits: list[Hit] = []
    nothing = lex.nothing_first.search(text)
    if (
        nothing is not None
        and not _refused(text, lex, nothing.start(), nothing.end())
        and (facts.min_first_payment is None or facts.min_first_payment > 0)
    ):
        hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.no_first_payment"))
    for d in lex.deferral.finditer(text):
        left, right = _clause(text, lex, d.start(), d.end())
        if not _refused(text, lex, d.start(), d.end()) and not lex.application.search(text, left, right):
            hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.deferral"))
            break
    if facts.max_terms is None:
        return hits
    for t in numbers.terms(text, lang):
        if _refused(text, lex, t.start, t.end):
            continue
        count = int(t.value)
        left, _ = _clause(text, lex, t.start, t.end)
        window = text[max(0, left - 30) : t.start]
        if first_said and re.search(
            r"剩下|剩余|其余|余下|more|remaining|remainder|the rest", window + text[t.start : t.end]
        ):
            count += 1  # "先还300元，剩下的分5期" is six payments
        if count > max(facts.max_terms, facts.plan_terms or 0):
            hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.too_many_terms"))
            break
    return hits


def _check_amounts(text: str, lang: str, lex: _Lexicon, facts: Facts) -> tuple[list[Hit], bool]:
    """Hits on stated amounts, and whether a first payment was named (for counting terms)."""
    hits: list[Hit] = []
    first_said = False
    owed = facts.owed
    known = facts.known_amounts()
    for m in numbers.money(text, lang):
        role = _role(text, lex, m)
        first_said |= role == "first"
        if owed is None:
            continue
        if role in ("waiver", "first", "instalment") and _refused(text, lex, m.start, m.end):
            continue
        # A settlement's own words may carry a "not" ("…and you won't owe the rest"): only a
        # refusal before the amount counts.
        if role == "settle" and _refused(text[: m.start], lex, m.start, m.start):
            continue
        is_known = any(_close(m.value, k, m.approx) for k in known)
        if role == "waiver":
            pct = Decimal(100) if owed == 0 else m.value * 100 / owed
            if (
                facts.max_waiver_pct is not None
                and pct > facts.max_waiver_pct + Decimal("0.01")
                and not is_known
            ):
                hits.append((Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.amount_over_limit"))
        elif role == "settle":
            floor = owed * (100 - (facts.max_waiver_pct or 0)) / 100
            if m.value > owed + _CENT and not is_known:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.settle_over_owed"))
            elif m.value < floor - Decimal("0.05") and not is_known and lex.waiver.search(text) is None:
                # "还2000块钱就算结清" with nothing else said: the settlement itself is the waiver
                hits.append((Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.settlement_under_floor"))
            elif m.value < floor - Decimal("0.05") and not is_known:
                hits.append((Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.settlement_under_floor"))
        elif role == "first":
            if facts.min_first_payment is not None and m.value < facts.min_first_payment and not is_known:
                hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.first_payment_too_small"))
            elif m.value > owed + _CENT:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.over_owed"))
        elif role == "instalment":
            hits.extend(_check_instalment(text, lang, m, facts, is_known))
        elif role == "owed":
            floor = owed * (100 - (facts.max_waiver_pct or 0)) / 100
            # "减免两成的话，您需要还3400元": what is left after a waiver the policy allows
            after_waiver = floor - Decimal("0.05") <= m.value <= owed and _waiver_pcts(text, lang, lex, facts)
            if not is_known and not after_waiver:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.not_what_is_owed"))
        elif role == "promise":
            if facts.promise_amount is not None and not is_known:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.not_what_was_promised"))
        elif m.value > owed + _CENT and not is_known:  # remaining, component or unlabelled
            hits.append((Category.WRONG_AMOUNT, "facts.amount.over_owed"))
    return hits, first_said


def _check_instalment(text: str, lang: str, m: numbers.Mention, facts: Facts, is_known: bool) -> list[Hit]:
    owed = facts.owed
    if owed is None or is_known:
        return []
    if m.value > owed + _CENT:
        return [(Category.WRONG_AMOUNT, "facts.amount.over_owed")]
    if facts.max_terms is None or m.value <= 0:
        return []
    if numbers.terms(text, lang):
        return []  # the count is said and checked on its own
    payable = owed * (100 - (facts.max_waiver_pct or 0)) / 100
    # Loosely said amounts ("290多", "about $104") are read at their most generous.
    monthly = m.value * (Decimal("1.15") if m.approx else 1)
    needed = math.ceil((payable / monthly) - Decimal("0.02"))
    if needed > max(facts.max_terms, facts.plan_terms or 0):
        return [(Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.instalment_too_small")]
    return []


def _check_dates(text: str, lang: str, lex: _Lexicon, facts: Facts | None) -> list[Hit]:
    hits: list[Hit] = []
    by_then = lex.by_then.search(text)
    for d in dates.mentions(text, lang):
        if facts is not None and facts.today is not None:
            d = d.on(facts.today)
        if not d.exists():
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.does_not_exist"))
            continue
        if facts is None or facts.today is None:
            continue
        if d.month is not None and d.year is None and d.resolve(facts.today) is None:
            # 2月29日 with no year said, in a year (and the next) that has none
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.does_not_exist"))
            continue
        left, right = _clause(text, lex, d.start, d.end)
        before = text[max(left, d.start - lex.look_back // 2) : d.start]
        after = text[d.end : min(right, d.end + lex.look_ahead // 2)]
        pointed_back = by_then is not None and by_then.start() > d.end  # "…March 5th, so pay by then"
        if not (lex.deadline.search(before) or lex.deadline_after.search(after) or pointed_back):
            continue
        if lex.reported.search(text, left, d.start) and not pointed_back:
            continue  # a day someone named earlier, reported, not a deadline set now
        if d.always_past:
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.deadline_past"))
            continue
        day = d.resolve(facts.today)
        if day is None or day >= facts.today or day in (facts.due_date, facts.promise_date):
            continue
        hits.append((Category.IMPOSSIBLE_DATE, "facts.date.deadline_past"))
    return hits


def check(normalized: str, lang: str, facts: Facts | None) -> list[Hit]:
    """The fact rules that fire on an already normalised sentence; days that do not exist are
    checked even without facts."""
    lex = _LEXICONS.get(lang)
    if lex is None:
        return []
    hits = _check_dates(normalized, lang, lex, facts)
    if facts is not None:
        amount_hits, first_said = _check_amounts(normalized, lang, lex, facts)
        hits += amount_hits
        hits += _check_waivers(normalized, lang, lex, facts)
        hits += _check_terms(normalized, lang, lex, facts, first_said)
    return list(dict.fromkeys(hits))


__all__ = ["Facts", "check"]
