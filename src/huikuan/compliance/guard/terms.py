"""Payment terms an LLM answer may speak of: only what the plan bounds allow (LLM path only).

What a debtor may be offered (installments, a waiver, a deferral, a settlement, a deadline) comes
from the strategy's plan bounds. The fact checks judge an offer by its figures and roles, and an
LLM finds offers without figures ("半年之内先不还", "the company will eat the other half", "full
forgiveness", "after your next paycheck") that no role reads. So on the engine's LLM path the
terms are sorted by what the bounds can say of them:

- installments may be spoken of when the bounds allow a plan (`max_terms` above one), a waiver or
  a settlement when they allow one (`max_waiver_pct` above zero); their figures then meet the
  figure rule, which knows the bounds (`figures.explained_by_account`);
- everything the bounds never grant (a deferral, grace, stopping interest, paying "after payday",
  "next month", "whenever", half, a part now and the rest later) is refused however it is worded;
- any term is fine where the answer refuses it ("这笔不支持分期", "isn't eligible for a discount")
  or only points to a request that people review ("可以提交延期申请，由人工审核").

`speaks_of_terms` is True when an answer breaks this; the script's line is then said instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from huikuan.compliance.guard.account import Facts, clause_around, next_clause_end
from huikuan.compliance.guard.fact_words import HANDED_OVER_WHENEVER, LEXICONS
from huikuan.compliance.guard.normalize import normalize

_PLANS = {
    "zh-CN": re.compile(r"分期|分成|分[一二两三四五六七八九十\d]+期|每期|首期|月供"),
    "en-US": re.compile(
        r"\b(?:installments?|instalments?|payment plan|plan|monthly payments?|split\w*|spread\w*|"
        r"payments (?:of|each)|payment each|up front|first payment)\b"
    ),
}
_WAIVERS = {
    "zh-CN": re.compile(r"减免|免除|全免|免掉|免了|豁免|打折|[一二三四五六七八九\d]折|对折|优惠|少还|抹"),
    "en-US": re.compile(
        r"\b(?:waiv\w*|forgiv\w*|forgiveness|discount\w*|off the|reduc\w*|settlement|writ\w* off|write-off|"
        r"for less)\b|% off|percent off"
    ),
}
# Terms no plan bounds grant: put off, let off, or left open.
_NEVER_GRANTED = {
    "zh-CN": re.compile(
        r"延期|缓[一二两三四五六\d个些]|缓过来|缓缓|宽限|先不还|不用还|不还了|晚点还|慢慢还|一笔勾销|只还|"
        r"免息|停息|挂账|月底|月初|年底|下个?月|下周|下礼拜|下星期|发工资|工资|一半|半年|先还一部分|随时还|"
        r"什么时候方便"
        # interest let off or stopped is no share of the debt the policy can bound: "免掉三个月的利息"
        r"|免(?:掉|除|了|去)?[^,，。；;]{0,6}利息|利息[^,，。；;]{0,4}(?:免|不收|不再|停)"
        # put off until things are better: "等收入稳定了再恢复正常还款"
        r"|等[^,，。；;]{1,10}(?:稳定|宽裕|好转|好些|好一点|缓过来|方便)[^,，。；;]{0,4}再"
        r"|先还一点|(?:后面|以后|之后)再(?:商量|说|谈)"
        r"|什么时候[^,，。；;]{0,6}(?:方便|有钱|宽裕)[^,，。；;]{0,6}再还|手头方便了?再"
    ),
    "en-US": re.compile(
        r"\b(?:defer\w*|postpon\w*|extension|extend\w*|grace|on the house|eat the|"
        r"closes? the (?:file|account)|"
        r"forget (?:the|about)|drop the|nothing (?:is )?due|no rush|whenever|paycheck|payday|next month|"
        r"next week|end of|half|a little something|the rest later|later|interest[- ]free|no interest|"
        r"freeze|pause"
        # interest stopped: "stop the interest from growing", "no more interest"
        r"|stop\w* (?:the |any |all )?(?:interest|late fees|fees|charges)|no more interest"
        r"|interest (?:from )?(?:growing|accruing|building|piling)"
        r"|push\w* (?:it|that|this|(?:your|the) \w+(?: \w+)?) (?:out|back))\b"
    ),
}


def _refuses(normal: str, lang: str, start: int, end: int) -> bool:
    """The answer refuses the term at normal[start:end] in its clause or the next ("不支持分期",
    "一次性结清打折，我们这边做不了", "cannot be split"), or only points to a request people
    review ("可以提交减免申请，由工作人员审核", "it's subject to review")."""
    lex = LEXICONS[lang]
    left, right = clause_around(normal, lex, start, end)
    next_end = next_clause_end(normal, lex, right)
    if lex.refused.search(normal, left, right) or lex.refused_next.search(normal[right + 1 : right + 24]):
        return True
    if lex.reviewed.search(normal, left, next_end):
        return True
    said_before = re.sub(r"\bwhy do not (?:you|we)\b", " ", normal[left:start])  # a suggestion, not a "not"
    return bool(lang == "en-US" and re.search(r"\bnot\b|\bno\b|\bnever\b", said_before))


# Words read past before looking for terms: a weekday said of the date just named ("12月15日，也就是
# 下周二", "December 15, which is next Tuesday"), and a plan's later payment placed in time; the
# "whenever" of a hand-over is read past too (`fact_words.HANDED_OVER_WHENEVER`).
_READ_PAST = {
    "zh-CN": re.compile(
        r"[,，]\s*(?:也就是|就是|即)(?:下个?|这个?|本)?(?:周|礼拜|星期)[一二三四五六日天]"
        r"|第二期[^,，。；;]{0,6}下个?月"
    ),
    "en-US": re.compile(
        r",\s*(?:which is |that is |i\.e\. )?(?:next|this) "
        r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
        # a plan's later payment placed in time: "the first one today and the second next month"
        r"|\b(?:the )?second(?: one| payment| installment)?[^.;!?]{0,12}\bnext month\b"
    ),
}


def speaks_of_terms(text: str, lang: str, names: Iterable[str] = (), bounds: Facts | None = None) -> bool:
    """True when the answer speaks of terms the plan `bounds` do not grant (with no bounds, of any
    terms at all), other than to refuse them; `names` (the creditor's, "云朵分期", "Lumen Pay
    Later") are read past, not as terms."""
    normal = normalize(text, lang)
    if lang in _READ_PAST:
        normal = _READ_PAST[lang].sub(lambda m: " " * len(m.group()), normal)
    for m in reversed(list(HANDED_OVER_WHENEVER.finditer(normal))):
        normal = normal[: m.start("when")] + " " * len("whenever") + normal[m.end("when") :]
    for name in names:
        if name:
            normal = normal.replace(normalize(name, lang), " ")
    plans_allowed = bounds is not None and (bounds.max_terms or 0) > 1
    waivers_allowed = bounds is not None and (bounds.max_waiver_pct or 0) > 0
    patterns = [_NEVER_GRANTED[lang]]
    patterns += [] if plans_allowed else [_PLANS[lang]]
    patterns += [] if waivers_allowed else [_WAIVERS[lang]]
    return any(
        not _refuses(normal, lang, m.start(), m.end())
        for pattern in patterns
        for m in pattern.finditer(normal)
    )
