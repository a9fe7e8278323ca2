"""What an LLM answer may say about itself: closed-world first person, for the engine's LLM path.

`identity.py` blocks self-descriptions that claim a person (a name, a job, "real person"), but a
robot can claim to be human in endless other ways: by living a life ("我今天值班到十点", "I just got
back from lunch", "I have kids too"). New wording keeps slipping past a list of such claims, so
for LLM answers the rule is turned round: the answer may speak of itself in the first person only
with what an assistant on a call does (can, help, note, check, transfer, understand, apologise,
"am an AI", "cannot"…); any other first-person statement is refused (`speaks_as_a_person`), and
the script's line is said instead. Scripts are reviewed by people and are not held to this rule.
It errs strict by design: a refused answer costs only the LLM's turn.
"""

from __future__ import annotations

import re

from huikuan.compliance.guard.normalize import normalize

# Chinese: 我 as the subject (at a clause's start, after a connective, or after an adverb) …
_ZH_SUBJECT = re.compile(
    r"(?:^|[,.!?;:，。！？；：、\s]|那|所以|但是?|不过|其实|而且|因为|嗯|好的?|啊|呢|吧)我(?![们們])"
)
_ZH_ADVERBS = "(?:这边|也|都|就|先|再|马上|立刻|现在|已经|确实|非常|很|真的|完全|只|还|会|一定|尽量|可以)*"
_ZH_AI = "(?:智能|AI|ai|人工智能|机器人|语音助手|语音助理|自动|虚拟|程序|助手)"
_ZH_CLAUSE = "[^,.!?;，。！？；]"
# … followed, after optional adverbs, by what an assistant may say of itself.
_ZH_DOINGS = [
    "可以|能|会|来|帮|为|给|替|把|跟|和|向|先|再|理解|明白|了解|知道|听到|听见|听|在听|看到|看|查",
    "不提供|不清楚|不太清楚|不了解|不知道|不确定",
    "显示|查到|查询到|系统显示|这里显示",  # "我这边显示欠款是…": what the screen shows
    "只有[^,，。]{0,16}(?:信息|记录|资料|数据)",  # "我这边只有待还总额的信息"
    "的?(?:信息|记录|系统|资料)(?:显示|上|里)",  # "我这边的信息显示"
    "核实|核对|记|登记|确认|转|安排|提醒|建议|没法|没办法|无法|不能|不会|不可以|不方便|只能|只是",
    "需要|想|要|希望|说|简单|重复|解释|发|做不|刚才|问|请|收到|注意到|代表|负责|能够|必须|得|已",
    f"是{_ZH_CLAUSE}{{0,12}}?{_ZH_AI}",
    f"不是{_ZH_CLAUSE}{{0,8}}?[,，]?而?是?{_ZH_CLAUSE}{{0,12}}?{_ZH_AI}",
    "不是(?:真人|人|人工|真的人)",
    "是平台",  # the lender's own name, masked
]
_ZH_LICENSED = re.compile(_ZH_ADVERBS + "(?:" + "|".join(_ZH_DOINGS) + ")")

# English: "i" as the subject; not in a question ("am i speaking with…") or a reported one ("if i am…").
# ("only you and i are discussing this": the debtor and the assistant, a subject of two)
_EN_SUBJECT = re.compile(
    r"(?<!\byou and )(?<!\bam )(?<!\bdo )(?<!\bcan )(?<!\bmay )(?<!\bif )(?<!\bwhether )\bi\s+"
)
_EN_ADVERBS = (
    r"(?:(?:just|really|completely|fully|totally|certainly|definitely|also|only|still|do|truly|simply)\s+)*"
)
_EN_AI = (
    "(?:ai|automated|virtual|digital|artificial|computer|robot|voice bot|bot|recorded|"
    "voice assistant|machine)"
)
_EN_DOINGS = [
    "can|cannot|can not|could|will|would|shall|should|may|might|must|need|want to|understand|understood",
    "hear|see|know|promise|mean|meant|said|asked|escalated|forwarded|get it|got (?:it|that|your|you)",
    "appreciate|apologize|apologise|hope|think|believe|follow|noted|recorded|just need",
    "discuss|share|disclose|speak (?:only )?(?:with|to|about)|talk (?:only )?(?:with|to|about)",
    "did not (?:catch|hear|understand|get)|do not (?:have|know|see|understand|handle|make)",
    "have (?:noted|recorded|logged|verified|made|passed|sent|updated|added|put|flagged|confirmed|checked)",
    "have (?:got (?:your|it|that)|your|no|to|the|that|scheduled|set|arranged|forwarded|let|marked|submitted)",
    "(?:just )?have (?:one|a|another|two|a few) (?:more |quick |short )?questions?",
    rf"am (?:[\w'-]+,?\s+){{0,6}}?{_EN_AI}\b",  # "am the lender support, an ai voice assistant"
    "am not (?:a |an |)(?:person|human|real|live|able|allowed|authorized|permitted|sure|lawyer)",
    "am (?:really |so |very |truly |only |just )?(?:sorry|afraid|happy|glad|here|calling|listening|confirming"
    "|unable|going to|able|not able)",
    "have (?:is|on file|here|for you)",  # "the number i have is…"
    "have (?:it|that|this) (?:on file|noted|down|here)|show|am (?:with|from) the lender",
    "am only able",
    "am (?:checking|noting|recording|passing|transferring|connecting|reaching out|following up|required)",
    "am (?:reading|just letting|letting|telling|reminding|trying to|here to)",
    rf"am just an?\s+(?:{_EN_AI}|assistant)",
]
_EN_LICENSED = re.compile(_EN_ADVERBS + "(?:" + "|".join(_EN_DOINGS) + ")")

# Doing something "myself", "personally", "亲自": only a person does things in person. A speaker
# introduced in the third person by a name or a title ("Kevin here from…", "刘主管跟您说句实在话",
# "live agent here") claims a person without saying "I".
_IN_PERSON = re.compile(
    r"\b(?:myself|personally|(?<!someone )(?<!somebody )(?<!a person )in person)\b|亲自|本人亲|我本人"
    r"|我(?:跟|和)(?:您|你)一样|我自己(?!无法|没法|不能|没办法)|我(?:这几年|这些年|干这行)"
    r"|(?:主管|经理|专员|组长|督导|老师|师傅|客服)(?:跟|和|给|同)您(?:说|讲|聊)|(?:^|[,.!?;:，。！？；：])\s*[\u4e00-\u9fff]{1,3}"
    r"(?:主管|经理|专员|组长)(?:这边|在此|提醒|通知)"
    r"|(?:^|[,.!?;:]\s*)(?:hi,?\s+|hello,?\s+|hey,?\s+)?[a-z]+ here\b(?! to)|\b[a-z]+ here from\b"
    r"|\b(?:you have reached|you are speaking (?:with|to)|this is) (?:a |an )?(?:human|live|real)\b"
    r"|\b(?:live|human|real) (?:agent|person|representative|rep) here\b"
    # people of its own, a phone of its own, hours off: "my supervisor's right here", "打给我"
    r"|\bmy (?:colleague|co-?worker|supervisor|manager|boss|teammate|team lead)s?\b"
    r"|\b(?:as )?someone who(?: has|'s| is)? (?:been|sat|worked|done|seen|had)\b"
    r"|\bon the other side of this\b|\bthis side of the phone\b"
    r"|我的(?:手机|私人|个人|微信)|(?:直接)?打给我(?!们)|我下班|下班(?:以后|之后|后)[^,，。]{0,12}(?:找|打给|联系)我"
)


# "I can't change any dates myself": what the assistant cannot do, not what it does in person
_CANNOT_MYSELF = re.compile(r"\b(?:cannot|can not|unable to|not able to|do not)\b[^.,;!?]{0,40}\bmyself\b")


def speaks_as_a_person(text: str, lang: str) -> bool:
    """True when the answer says something of itself in the first person that an assistant on a
    call does not say (a life, a body, a history, a name or a job of its own)."""
    normal = _CANNOT_MYSELF.sub(lambda m: m.group()[: -len("myself")], normalize(text, lang))
    if _IN_PERSON.search(normal):
        return True
    if lang == "en-US":
        subjects, licensed = _EN_SUBJECT, _EN_LICENSED
    else:
        subjects, licensed = _ZH_SUBJECT, _ZH_LICENSED
    return any(not licensed.match(normal, match.end()) for match in subjects.finditer(normal))
