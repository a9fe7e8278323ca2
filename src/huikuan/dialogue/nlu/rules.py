"""Keyword rules for intents where wording is unambiguous and a miss is costly.

Abuse, stop requests, complaints, a relative introducing themselves ("我是他老婆"), requests
for a person and questions about talking to a robot have fixed vocabularies and legal
consequences, so a rule hit is trusted over the model whenever it ranks higher in the issue's
priority order. A turn made only of acknowledgement words is `affirm`, which ranks just above
`other` and so only ever beats noise.
"""

from __future__ import annotations

import re

from huikuan.dialogue.nlu.normalize import has_cjk
from huikuan.dialogue.nlu.types import Intent

_ZH: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.ABUSIVE,
        re.compile(
            r"(?<![打翻])滚(?![动烫])|傻[逼比bx叉]|沙比|煞笔|\bsb\b|神经病|他妈的|你他妈|你妈的|tmd|操你|草泥马|去死|死全家"
            r"|混蛋|王八蛋|骗子|扑街|仆街|顶你个肺|食屎|狗东西|畜生|蠢货|脑子(?:有问题|进水|有病)|有病吧|你有病"
            r"|贱人|废物|你算什么东西|垃圾"
        ),
    ),
    (
        Intent.STOP_CONTACT,
        re.compile(
            r"(?:别|不要|不许|不准|唔好|请勿|莫)再?(?:给我|同我|俾我)?(?:打|联系|打扰|骚扰|搵|找我|发短信|达了|call)"
            r"|停止(?:联系|催收|打|致电|来电)|再打.{0,6}报警|(?:删掉|删除)我的?号码|把我的?号码删|拉黑|别烦我"
        ),
    ),
    (
        Intent.COMPLAINT,
        re.compile(
            r"投诉|举报|头诉|投素|12378|12315|银保监|金管局|金融监管|监管(?:部门|局|机构)|消协|消费者协会|曝光你们|黑猫"
        ),
    ),
    (
        # Someone introducing themselves as the debtor's relation ("我是他老婆") is never the
        # debtor, whatever else the sentence asks; a miss would disclose the debt to them.
        Intent.THIRD_PARTY,
        re.compile(
            r"我(?:是|係|系)(?:他|她|佢)(?:的|嘅)?(?:老婆|老公|媳妇|妻子|丈夫|太太|先生|爱人|妈妈?|爸爸?|母亲|父亲|阿妈|阿爸"
            r"|儿子|女儿|仔|女|哥哥?|弟弟?|姐姐?|妹妹?|家人|家属|屋企人|朋友|同事|室友|女朋友|男朋友|奶奶|爷爷|外婆|外公)"
        ),
    ),
    (
        Intent.ASK_IF_ROBOT,
        re.compile(
            r"机器人|机械人|鸡器人|机器(?:吗|打的|说话)|是不是(?:个)?真人|係唔係真人|是真人吗|真人(?:还是|嚟)|你是人吗|是人还是"
            r"|录音吗|人工智能|\bai\b|智能(?:语音|客服)|自动(?:语音|打)|电脑(?:吗|自动)|活人吗|语音助手|对面是人|系咪真人"
        ),
    ),
    (
        Intent.REQUEST_HUMAN,
        re.compile(
            r"转人工|人工客服|人工服务|人工坐席|转接人工|要人工|接人工|有没有人工|转一下人工|人工人工|人宫"
            r"|真人(?:来|跟|同|讲|说|沟通|客服|接)|(?:要|找|搵|叫|换|转)(?:个|一个)?真人"
            r"|找(?:你们)?(?:的)?(?:领导|经理|主管|负责人)|换个(?:人|客服|真人)|(?:找|要|叫|转)(?:个)?工作人员"
            r"|叫你们领导|(?:跟|同)人(?:说话|讲话|倾)"
        ),
    ),
)

_EN: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.ABUSIVE,
        re.compile(
            r"\b(?:fuck\w*|f\s+(?:off|you)|shit\w*|bitch\w*|asshole|bastard|idiot|moron|scumbag|jackass|dumb\s?ass"
            r"|piss\s+off|screw\s+(?:you|off|yourself)|go\s+to\s+hell|shut\s+(?:up|the\s+hell\s+up|your\s+mouth)"
            r"|crooks?|leech|bloodsucker|drop\s+dead|kiss\s+my\s+ass|bite\s+me)\b"
        ),
    ),
    (
        Intent.STOP_CONTACT,
        re.compile(
            r"\b(?:stop\s+(?:calling|contacting|texting|harassing|colling)|don'?t\s+(?:ever\s+)?(?:call|contact)"
            r"|do\s+not\s+(?:call|contact)|quit\s+calling|never\s+(?:call|contact)|cease\s+(?:all\s+)?(?:contact|communication)"
            r"|take\s+(?:me|my\s+number)\s+off|remove\s+my\s+number|lose\s+my\s+number|no\s+more\s+calls"
            r"|calls?\s+to\s+stop|don'?t\s+want\s+(?:any\s+more\s+calls|you\s+to\s+(?:call|contact))|in\s+writing\s+only)\b"
        ),
    ),
    (
        Intent.COMPLAINT,
        re.compile(
            r"\b(?:complain\w*|report(?:ing)?\s+(?:you|this|your|it)|cfpb|attorney\s+general|better\s+business\s+bureau"
            r"|bbb|ftc|regulators?|consumer\s+protection)\b"
        ),
    ),
    (
        Intent.THIRD_PARTY,
        re.compile(
            r"\b(?:i'?m|i\s+am|this\s+is|it'?s)\s+(?:his|her|their)\s+(?:wife|husband|spouse|partner|mom|mother|mum|dad"
            r"|father|son|daughter|kid|brother|sister|roommate|girlfriend|boyfriend|friend|coworker|grandma|grandmother"
            r"|grandpa|grandfather|aunt|uncle|cousin|caregiver)\b"
        ),
    ),
    (
        Intent.ASK_IF_ROBOT,
        re.compile(
            r"\b(?:robot|row\s+bot|bot|machine|recording|recorded|prerecorded|automated|robocall|ai|artificial\s+intelligence"
            r"|computer|virtual\s+assistant)\b"
            r"|\b(?:are\s+you|is\s+this|am\s+i\s+(?:talking|speaking)\s+(?:to|with))\s+(?:an?\s+)?(?:real|live|actual)?\s*(?:person|human)\b"
        ),
    ),
    (
        Intent.REQUEST_HUMAN,
        re.compile(
            # A person asked for, not asked about: "are you a real person?" is ask_if_robot, and
            # request_human outranks it, so "person"/"human" count only after a verb of asking.
            r"\b(?:(?:talk|speak)\s+(?:to|with)\s+(?:an?\s+)?(?:(?:real|live|actual)\s+)?(?:person|human|someone|somebody)"
            r"|(?:get|give|want|need|put|connect|transfer)\s+(?:me\s+)?(?:(?:through\s+)?to\s+|with\s+)?(?:an?\s+)?"
            r"(?:(?:real|live|actual)\s+)?(?:person|human(?:\s+being)?|someone\s+real)"
            r"|(?:real|live|actual)\s+(?:person|human)\s+(?:i\s+can\s+|to\s+)(?:talk|speak)"
            r"|(?:real|live|actual)\s+(?:agent|person\s+(?:on\s+the\s+line|please))"
            r"|representative|reprehensive|agent|supervisor|manager|operator|transfer\s+me|your\s+boss|customer\s+service)\b"
        ),
    ),
)


# A bare acknowledgement is a closed vocabulary: when the whole turn is made of these words it is
# `affirm` (it ranks below every intent that names something, so it only beats `other`). A model
# trained on a few hundred sentences otherwise reads a two-word "uh huh" as noise.
_ACK_ZH = (
    r"(?:好的?|好啊|好吧|好嘅|行|行吧|可以|对|对的|对头|嗯|嗯嗯|係呀|係啊|得|成|中|明白|知道了|收到"
    r"|没问题|冇问题|ok|okay)"
)
_ACK_EN = (
    r"(?:yes|yeah|yep|yup|ya|uh\s?huh|mhm|mm\s?hmm|sure|ok|okay|k|alright|all\s+right|right|correct|got\s+it"
    r"|sounds\s+good|fine|absolutely|definitely|of\s+course)"
)
_AFFIRM = re.compile(rf"^(?:{_ACK_EN}|{_ACK_ZH})(?:\s*(?:{_ACK_EN}|{_ACK_ZH}))*$")


def rule_intents(text: str) -> set[Intent]:
    """Every intent whose rule matches the cleaned `text`; both languages' rules apply, for mixed speech."""
    hits = {intent for intent, pattern in _EN if pattern.search(text)}
    if _AFFIRM.match(text.strip()):
        hits.add(Intent.AFFIRM)
    if has_cjk(text):
        compact = text.replace(" ", "") + " " + text
        hits |= {intent for intent, pattern in _ZH if pattern.search(compact)}
    return hits
