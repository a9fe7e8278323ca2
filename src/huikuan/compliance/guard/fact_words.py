"""The words that give a number its role in a sentence, and the other cues the fact checks read.

Kept apart from `facts` (the rules) so the tables can be read and extended on their own: for each
language, what before or after an amount makes it owed, remaining, a settlement, a first payment,
an instalment or a waiver; what refuses an offer or turns it into an application people review;
what offers a waiver, a deferral or no first payment; what sets a deadline. Hand-written because
no library knows this policy or these phrasings, and every block must name the rule that fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Lexicon:
    clause_break: re.Pattern[str]
    roles: tuple[tuple[str, re.Pattern[str]], ...]  # (role, cue right before the number), by priority
    after: tuple[tuple[str, re.Pattern[str]], ...]  # (role, cue right after the number)
    settles: re.Pattern[str]  # the account is declared settled after the number
    owed_after: re.Pattern[str]  # the number is named as owed right after it
    refused: re.Pattern[str]  # the offer is refused in this clause
    refused_next: re.Pattern[str]  # the next clause refuses what this one named ("…打折，我们这边做不了")
    application: re.Pattern[str]  # a request reviewed by people, not an offer
    reviewed: re.Pattern[str]  # the next clause says people review it
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


ZH = Lexicon(
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
        r"|视为结清|视同结清|不(?:再)?追究|不用再还|不用还了|就算了|就(?:能|可以)?还清|就(?:全部)?还完|了事|拉倒|完事|算完"
        r"|核销|勾销|处理完|了结|(?:就)?不要了|不收了)"
    ),
    owed_after=re.compile(r"^(?:元|块)?(?:的)?(?:欠款|借款|未还|没还)"),
    refused_next=re.compile(
        r"^\s?(?:但是?|可是|不过)?(?:我们|我|这边|公司|平台|本平台)?(?:这边|目前|暂时)?(?:是|都|也)?(?:做不到|做不了|办不到|办不了|不行|不可以"
        r"|不能|无法|没办法|不支持|不提供|没有这个|没这个|给不了)"
    ),
    refused=re.compile(
        r"(?:不能|无法|没办法|没法|(?<!当)没有|不支持|不可以|不行|不提供|没权限|暂不|暂时不|暂无|不予|不会有|不能够|做不到|不了|不存在)"
    ),
    reviewed=re.compile(r"审核|审批|评估|以.{0,4}为准|不一定|不能保证|不保证"),
    application=re.compile(
        r"审核|审批|评估|以.{0,4}为准|不一定|不能保证|不保证|无法承诺|不能承诺|能否|是否|可以[^,;。]{0,8}申请"
        r"|需要申请|提交申请|申请.{0,6}(?:审核|审批)|工作人员|专员|专人|人工|商量"
    ),
    waiver=re.compile(
        r"减免|免除|免去|免掉|免了|全免|免息|免利息|免罚息|免违约金|豁免|停息|打折|折扣|核销|勾销|\d(?:\.\d)?折|[一二三四五六七八九]折"
        r"|减半|半价|对折|优惠|只还本金|还本金就|抹零|抹掉|抹了|抹平|抹去|(?:减|降|少收|少要|让)(?:您|你)?[一二三四五六七八九两\d]成|一笔勾销|不用还了|不用再还|少还"
        r"|让利|利息.{0,4}免|打个?折"
        r"|只(?:要|需|用)?(?:把)?本金还|其(?:他|余)的?(?:都)?(?:不用|免|不要)(?:管|还|付|了)?|(?:利息|罚息|违约金|滞纳金).{0,8}(?:一分不收|不收了"
        r"|不要了|全免|免了|不用还|不用付|不用交|就算了|不算了|当没有|当没这回事|不计|不管了)|减掉|减去|扣掉|少收"
        r"|(?:利息|罚息|违约金|滞纳金|手续费|费用|逾期费|管理费|服务费).{0,12}(?:去掉|免掉|减掉|取消|抹掉|不收|免了)"
    ),
    waiver_all=re.compile(
        r"全免|全部(?:减免|免|都免)|都免|都给您免|一笔勾销|不用还了|不用再还|只还本金|还本金就|只要还本金|利息.{0,6}(?:全|都)"
        r"|(?:利息|罚息|违约金|滞纳金|手续费|费用).{0,10}(?:都|全部|全)"
    ),
    half=re.compile(r"一半|减半|半价|对折|五折|5折"),
    discount_tenths=re.compile(r"(?P<n>\d(?:\.\d)?|[一二三四五六七八九]{1,2})折"),
    waiver_tenths=re.compile(
        r"(?:减免?|免|少还|优惠)(?:掉|了|去|除|您|你)?(?P<n>[一二三四五六七八九两]|\d)成"
    ),
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
        r"|随便还(?:多少|点)|还多少都行|还多少算多少|能还多少是多少|还多少是多少"
        # "等您手头宽裕了再说": later, when the debtor can; "利息先帮您停掉": an interest freeze
        r"|等(?:您|你)?(?:手头|手上|经济|资金|情况)?(?:宽裕|宽松|缓过来|好转|有钱|发(?:了)?工资|工资到|发薪)[^,，。]{0,4}再(?:说|还|付|交|处理)"
        r"|(?:利息|罚息|计息).{0,8}(?:停掉|停了|冻结|暂停|停止|不再(?:计|算|涨))|冻结利息|停止计息"
        r"|缓(?:您|你)?[一二两三几\d]+(?:个月|天|周|星期)|(?:等|到)[^,，。]{0,8}(?:之后|以后|过后)再(?:开始)?还"
        r"|(?:年后|过完年|节后|以后|之后|下回)再说|剩下的?[^,，。]{0,6}再说|先还一小部分"
        r"|往后(?:延|推|挪)|延后|推迟|停[一二两三几\d]+个月|(?:以后|之后)再开始还"
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

EN = Lexicon(
    clause_break=re.compile(r"[;:!?]|[.,](?!\d)|\bbut\b"),
    roles=(
        (
            "waiver",
            re.compile(
                r"(?:waive|waiving|forgive|forgiving|discount|knock|take|shave|cut|reduce\w* (?:"
                r"it|the balance) by|write off|writing off|wipe out|wiping out)\W+(?:\w+\W+){0,3}$"
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
                r"|(?:first|down|initial) payment\W+(?:\w+\W+){0,5}$|\bminimum(?: (?:first|down"
                r"|initial))?(?: payment)?"
                r"(?: is| of)\W+(?:\w+\W+){0,1}$"
            ),
        ),
        ("remaining", re.compile(r"(?:remaining|remainder|the rest|the other|leftover)\W+(?:\w+\W+){0,2}$")),
        (
            "settle",
            re.compile(
                r"(?:settl\w* (?:\w+ ){0,3}(?:for|at)"
                r"|close (?:\w+ ){0,2}(?:account|loan|debt|balance|file) for"
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
                r"\W+(?:\w+\W+){0,6}$"
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
        (
            "waiver",
            re.compile(
                r"^\s?(?:(?:dollars? )?(?:of|off) (?:the|your) (?:balance|debt|loan|total) )?"
                r"(?:(?:gets?|will be|would be|is|can be|could be) )?"
                r"(?:written off|waived|forgiven|knocked off|taken off)"
            ),
        ),
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
        r"|take care of) (?:about )?(?:the rest|the remainder|the remaining(?: balance| amount)?"
        r"|the difference)|(?:the rest|the remainder|the remaining(?: balance| amount)?|the balance)"
        r" (?:wiped|written off|forgiven|waived|dropped|cleared|taken care of"
        r"|what is left|the balance|the difference))"
    ),
    owed_after=re.compile(
        r"^\s?(?:that |which )?you (?:still )?owe\b"
        r"|^\s?(?:that is|which is) (?:still )?(?:owed|outstanding|due)"
    ),
    refused_next=re.compile(
        r"^\s?(?:but |and |which |that )?(?:i|we|that|this|it)? ?(?:is|are|am)? ?(?:cannot|can not"
        r"|not able|unable|will not"
        r"|(?:do|does) not (?:offer|do|have|allow|provide|give|support)|is not (?:something|possible"
        r"|allowed|an option)"
        r"|not possible|no can do)\b"
    ),
    refused=re.compile(
        r"\b(?:cannot|can not|not able|unable|will not|no way|do not offer|does not offer|not possible|"
        r"is not possible|are not able|not allowed|not authori[sz]ed|no (?:[\w-]+ ){0,2}(?:discount"
        r"|waiver|settlement|reduction|option)s?|not offer"
        r"|not something (?:i|we) (?:can|could|are able to|do)|not an option|not available"
        r"|(?:not|no) (?:\w+ ){0,2}(?:ability|authority|power|permission) to)\b"
    ),
    reviewed=re.compile(r"\b(?:review\w*|approv\w*|subject to|no guarantee|not guaranteed|eligib\w*)\b"),
    application=re.compile(
        r"\b(?:review\w*|approv\w*|qualify|eligible|subject to|specialist|team|no guarantee|not guaranteed"
        r"|cannot promise|(?:you|customers) (?:can|may|could|would need to) (?:request|apply|ask))\b"
    ),
    waiver=re.compile(
        r"\b(?:fees|interest|penalt\w+|charges|balance|debt)(?: \w+){0,2} (?:disappear|go away|vanish)"
        r"|\b(?:forget|forgive|write off|wipe out|drop|waive|cancel) (?:about )?(?:the rest"
        r"|the remainder|what is left"
        r"|the difference)|\bzero (?:out )?(?:the |your |all )*(?:late )?(?:fees|interest|penalt|charges)"
        r"|\b(?:0|zero) ?(?:%|percent)? ?(?:interest|apr)\b|\bwaiv|\bforgiv|\bdiscount"
        r"|\b(?:percent|%) reduction\b"
        r"|\b(?:take|knock"
        r"|shave|chop|cut)s?\b(?: [\w%]+){0,4} off\b(?!"
        r" (?:your|the|my) (?:card|bank|checking|savings|debit))"
        r"|cents on the dollar|\boff (?:the|your|if)(?! (?:card|bank|checking|savings|debit))|% off"
        r"|percent off|\bhalf o"
        r"ff\b|\bin half\b|settle (?:\w+ ){0,2}(?:for|at)\b"
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
        r"\b(?:0|zero) ?(?:%|percent)? ?(?:interest|apr)\b|"
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
        r"\bpush (?:back )?(?:the |your )?(?:due date|payments?|deadline|it)\b|\bbreathing room\b|"
        r"\bhold off on (?:any |the |your )?(?:interest|fees|payments?)\b|\bback on your feet\b"
        r"|\bmove (?:your |the )?(?:promise|payment|due date|deadline)s? (?:to|back|out)\b"
        r"|\bpick (?:it|things|this) (?:back )?up (?:again |later |in |next )|"
        r"\b(?:defer|deferr|deferment|postpon|pause|paus|suspend|hold off on|put (?:your "
        r"|the )?payments? on hold|skip)\w*"
        r"(?:,? \w+){0,4},? (?:payments?|months?|a year|year)\b|\bpayment holiday\b|\bforbearance\b"
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
        r"|\b(?:would|will|does|do|is) not (?:be )?due until\b|\b(?:months?|weeks?|time) to breathe\b"
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

LEXICONS = {"zh-CN": ZH, "en-US": EN}

# "I can get you to a live agent whenever you want": the "whenever" of a hand-over, no deferral. Read
# by the deferral rule (`facts`) and the LLM path's terms rule alike; only the word itself is excused.
HANDED_OVER_WHENEVER = re.compile(
    r"\b(?:transfer|connect|put|reach|call|contact|get you to|agent|representative|follow up)\b"
    r"[^.;!?]{0,60}\b(?P<when>whenever)\b"
)


__all__ = ["EN", "HANDED_OVER_WHENEVER", "LEXICONS", "ZH", "Lexicon"]
