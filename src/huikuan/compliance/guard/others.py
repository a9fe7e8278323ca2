"""Whom an LLM answer may speak of: the debtor and us, nobody else (closed-world, LLM path only).

Veiled threats name someone or something the debtor cares about (family, employer, contacts,
neighbours, a hometown, a group chat, a reputation) next to a hint of harm, and new wording keeps
finding hints that `veiled.py` does not read ("folks back in your hometown all know you", "搞得全村
都知道"). A scripted line may name them lawfully (a privacy assurance, a relayed message), but an
LLM answer never needs to: so on the engine's LLM path an answer that names any such person,
place or standing, or talks of how far "this" may go, is refused whatever the words around it
(`speaks_of_others`), negated or not, and the script's line is said instead. The people and
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
        r"法院|律师|法务|警察|派出所|工作(?!人员|时间|日)|饭碗|前途|闹大|闹到|传出去|传开|后果|走着瞧|不好说|说不准|到时候"
    ),
    "en-US": re.compile(
        r"\b(?:he|she|him|her|hers|town|hometown|village|neighbou?rhood|street|address|doorstep|door|"
        r"in person|visit\w*|"
        r"relatives|folks|people|anyone|everyone|everybody|nobody|group chats?|chats?|contacts?|"
        r"workplace|job|career|court|lawyers?|attorneys?|police|out of hand|blow\w* up|"
        r"how far|get out|gets out|drift|consequences|word gets around|would be a shame|reputation)\b"
    ),
}


def speaks_of_others(text: str, lang: str) -> bool:
    """True when the answer names anyone or anything of the debtor's but the debtor and the debt."""
    normal = normalize(text, lang)
    tables = veiled._TABLES[lang]
    return any(p.search(normal) for p in (tables.target, tables.extra_target, _MORE[lang]))
