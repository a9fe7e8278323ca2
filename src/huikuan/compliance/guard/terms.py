"""Payment terms are the script's: an LLM answer that speaks of any is refused (LLM path only).

What a debtor may be offered (installments, a waiver, a deferral, a settlement, a deadline) comes
from the strategy's plan bounds through the script's plan node, which states it from the plan it
computed. The fact checks judge such offers by their figures and roles, and an LLM finds offers
without figures ("半年之内先不还", "the company will eat the other half", "full forgiveness", "after
your next paycheck") that no role reads. So on the engine's LLM path an answer that speaks of terms
at all, in or out of bounds, is refused (`speaks_of_terms`) and the script's line said instead; the
debtor who asks for a plan reaches the plan node through the NLU.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from huikuan.compliance.guard.normalize import normalize

_TERMS = {
    "zh-CN": re.compile(
        r"减免|免除|全免|免掉|免了|豁免|打折|[一二三四五六七八九\d]折|对折|优惠|分期|分成|延期|缓[一二两三四五六\d个些]|"
        r"缓过来|缓缓|宽限|先不还|不用还|不还了|晚点还|慢慢还|结清|一笔勾销|少还|只还|抹|免息|停息|挂账|"
        r"月底|月初|年底|下个?月|下周|下礼拜|下星期|发工资|工资|一半|半年|先还一部分"
    ),
    "en-US": re.compile(
        r"\b(?:waiv\w*|forgiv\w*|forgiveness|discount\w*|off the|on the house|eat the|installments?|"
        r"instalments?|payment plan|plan|defer\w*|postpon\w*|extension|extend\w*|grace|settle\w*|"
        r"lump sum|closes? the (?:file|account)|forget (?:the|about)|drop the|nothing (?:is )?due|"
        r"no rush|whenever|paycheck|payday|next month|next week|end of|half|a little something|"
        r"the rest later|later)\b|% off"
    ),
}


def speaks_of_terms(text: str, lang: str, names: Iterable[str] = ()) -> bool:
    """True when the answer speaks of what the debtor may pay, when, or be let off; `names` (the
    creditor's, "云朵分期", "Lumen Pay Later") are read past, not as terms."""
    normal = normalize(text, lang)
    for name in names:
        if name:
            normal = normal.replace(normalize(name, lang), " ")
    return bool(_TERMS[lang].search(normal))
