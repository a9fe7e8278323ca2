"""Whom an LLM answer may speak of: the debtor and us, nobody else (closed-world, LLM path only).

Veiled threats name someone or something the debtor cares about (family, employer, contacts,
neighbours, a hometown, a group chat, a reputation) next to a hint of harm, and new wording keeps
finding hints that `veiled.py` does not read ("folks back in your hometown all know you", "搞得全村
都知道"). A scripted line may name them lawfully (a privacy assurance, a relayed message), but an
LLM answer never needs to: so on the engine's LLM path an answer that names any such person,
place or standing, or talks of how far "this" may go, is refused whatever the words around it
(`speaks_of_others`), and the script's line is said instead. One shape is let through: a plain
assurance, where every mention has a "never/不会" in its clause and nothing in the answer
makes it conditional or temporary ("只要…就不会", "暂时不会", "unless", "for now", "yet") — that is
how a veiled threat hides inside an assurance. The people and
standings are `veiled.py`'s tables, with the places and escalation words that only this stricter
rule uses.
"""

from __future__ import annotations

import re

from huikuan.compliance.guard import veiled
from huikuan.compliance.guard.normalize import normalize

_MORE = {
    "zh-CN": re.compile(
        r"(?<!其)[他她](?!们的?(?:同事|工作人员|客服))|[表堂](?:哥|姐|弟|妹|兄)|村|老家|家乡|乡下|街道|居委会|社区|地址|住址|住的地方|当面|上门|登门|找上|亲戚|熟人|外人|群|微信群|"
        r"法院|律师|法务|警察|派出所|工作(?!人员|时间|日)|饭碗|前途|闹大|闹到|传出去|传开|后果|走着瞧|不好说|说不准|外面的人|打听|尴尬"
        r"|到时候(?![\s,，]*(?:\d|请|记得|直接|按时|在))|不一定了|不太?好控制|控制不了"
        r"|社交|朋友圈|好友|通讯录|联系人(?!工)|微博|抖音|网上|曝光|出什么状况|出状况|出事|不好看|难看|变复杂|更复杂|复杂化|越来越复杂|这么简单|牵扯|牵连|不敢保证|升级|事情大了|变大|公开|那一步|不只是您|不止是您|不只是你|不止您|知道的人|越来越多|说不好|会发生什么|连锁反应|难保证|很难说"
    ),
    "en-US": re.compile(
        r"\b(?:he|she|him|her|hers|town|hometown|village|neighbou?rhood|street|address|doorstep|door|"
        r"(?<!someone )(?<!somebody )(?<!a person )in person|visit\w*|"
        r"relatives|folks|people|anyone|everyone|everybody|nobody|group chats?|chats?|contacts|contact list|"
        r"workplace|job|career|court|lawyers?|attorneys?|police|out of hand|blow\w* up|"
        r"how far|get out|gets out|drift|consequences|word gets around|would be a shame|reputation|"
        # how "this" may grow or spread: "gets any bigger", "turns into something more serious",
        # "showing up where you don't expect", "might not stay between just you and us"
        r"(?:gets?|getting|grows?|becomes?) (?:any |much |a lot |even )?"
        r"(?:bigger|worse|messier|uglier|complicated|serious)|more serious|something (?:bigger|worse|serious)"
        r"|complicated|show(?:s|ing)? up|turn up"
        r"|turns? into something|into something (?:a lot |much |even )?bigger|becomes? something|circle"
        r"|(?:stay|stays|remain|remains|kept|still) (?:just |only )?between (?:just )?you and (?:us|me)"
        r"|online"
        r"|social media|posted|a way of|who else|involved|social circle|(?<!busy )at work"
        r"|end up)\b"
    ),
}


_ASSURED = {
    "zh-CN": re.compile(
        r"(?:(?<!会)不会|绝不|决不|从不|不去|不联系|不告诉|不告知|不透露|不打扰|不上门|没有人|谁都不|都不会)"
    ),
    "en-US": re.compile(r"\b(?:never|will not|do not|does not|nobody|no one|not)\b"),
}
_QUALIFIED = {
    "zh-CN": re.compile(
        r"暂时|暂且|目前还|现在还|还没|还不|只要|如果|要是|假如|除非|否则|不然|万一|到时|一旦|之前|以前|再|先|前提|"
        r"就看|取决|看您|态度|闹大|闹到|传出去|传开|后果|走着瞧|不好说|说不准|下一步"
    ),
    "en-US": re.compile(
        r"\b(?:unless|if|as long as|so long as|yet|for now|until|otherwise|so far|right now|at this point"
        r"|rather not|hate to|have to|"
        r"at the moment|before|provided|while|still|only if|as of|depends|up to you|wants?|out of hand|"
        r"blow\w* up|how far|consequences?|word gets around|shame|gets? out|drift|next step"
        r"|keep it that way|stays? that way|down the road|so (?:that )?(?:it|this|things) (?:does|do) not)\b"
    ),
}
_CLAUSE_BREAK = re.compile(r"[,;:!?。，；：！？—–]")


def _assured(normal: str, lang: str, start: int, end: int) -> bool:
    """The mention at normal[start:end] has a plain "never/不会" in its clause (or is one: "nobody")."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(normal, 0, start):
        left = m.end()
    right_break = _CLAUSE_BREAK.search(normal, end)
    return bool(_ASSURED[lang].search(normal, left, right_break.start() if right_break else len(normal)))


# Our own people ("由同事和您确认", "a team member will follow up") are not the debtor's.
_OURS = {
    "zh-CN": re.compile(
        r"(?:由|请|让|安排|转给|转到|我们的?|我的|这边的?|平台的?)(?:人工)?(?:同事|工作人员|专员|客服)"
        # "转给人工客服，由他们为您处理": they are the staff just named
        r"|(?:(?<=客服)|(?<=人员)|(?<=专员)|(?<=同事))[^。！？]{0,12}?"
        r"(?:由他们|他们(?:会|将|可以)?[^,，。！？]{0,4}?(?:为|帮|给|跟|和)(?:您|你)|他们来)"
    ),
    "en-US": re.compile(r"\b(?:our|my) (?:team|colleagues?|staff|team members?|agents?|specialists?)\b"),
}
# Where the debtor may pay or read about the account online is no exposure.
_PAY_ONLINE = {
    "zh-CN": re.compile(
        r"(?:还款|支付|付款|登录|app|官网)[^。！？]{0,12}网上|网上(?:还款|支付|付款|银行|操作|办理|查)"
    ),
    "en-US": re.compile(
        r"\b(?:pay|paying|payment|log in|sign in|account|app|website|portal)\b[^.!?]{0,40}\bonline\b"
    ),
}


def speaks_of_others(text: str, lang: str) -> bool:
    """True when the answer names anyone or anything of the debtor's but the debtor and the debt,
    other than in a plain assurance that they will never be told or contacted."""
    normal = _OURS[lang].sub(" ", normalize(text, lang)) if lang in _OURS else normalize(text, lang)
    normal = _PAY_ONLINE[lang].sub(" ", normal) if lang in _PAY_ONLINE else normal
    normal = re.sub(
        r"\bsorry (?:to hear )?about (?:your|the) (?:job|work)\b", " ", normal
    )  # hardship, not exposure
    tables = veiled._TABLES[lang]
    mentions = [m for p in (tables.target, tables.extra_target, _MORE[lang]) for m in p.finditer(normal)]
    if not mentions:
        return False
    if _QUALIFIED[lang].search(normal):
        return True
    return not all(_assured(normal, lang, m.start(), m.end()) for m in mentions)
