"""The closed-world rules an LLM answer meets on top of `check` (the engine's LLM path).

`check` judges any sentence, scripted or generated, by what it recognises, and new wording keeps
finding what it does not. An LLM answer needs far less room than a script, so for it the rules
are turned round: it may state only the figures it was given or the account and plan bounds
explain (`figures`), say of itself only what an assistant does (`self_talk`), speak of nobody but
the debtor and us (`others`), of no payment terms the bounds do not grant (`terms`), of no
promise the account does not hold (`day_facts.promise_not_on_file`) and of no payment made. `refusal`
gives the first rule an answer breaks, in that order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from huikuan.compliance.guard.account import Facts
from huikuan.compliance.guard.day_facts import promise_not_on_file
from huikuan.compliance.guard.figures import unexplained_figures
from huikuan.compliance.guard.normalize import normalize, without_name
from huikuan.compliance.guard.others import speaks_of_others
from huikuan.compliance.guard.self_talk import speaks_as_a_person
from huikuan.compliance.guard.terms import speaks_of_terms
from huikuan.compliance.guard.types import Category


def refusal(
    answer: str, lang: str, given: Iterable[str], creditor: str = "", bounds: Facts | None = None
) -> Category | None:
    """The closed-world rule `answer` breaks, given the fact texts the LLM had and the call's
    account and plan `bounds`; None if none."""
    answer = without_name(answer, creditor or (bounds.platform if bounds else None), lang)
    if unexplained_figures(answer, lang, given, bounds):
        return Category.UNEXPLAINED_FIGURE
    if speaks_as_a_person(answer, lang):
        return Category.HUMAN_CLAIM
    if speaks_of_others(answer, lang):
        return Category.NAMES_OTHERS
    if speaks_of_terms(answer, lang, (creditor,), bounds):
        return Category.UNSCRIPTED_TERMS
    normal = normalize(answer, lang)
    if bounds is not None and promise_not_on_file(normal, lang, bounds):
        return Category.IMPOSSIBLE_DATE
    if _PAID[lang].search(normal) if lang in _PAID else False:
        return Category.WRONG_AMOUNT
    return None


# A payment the debtor made: the LLM is given no payment history, so it can only have made it up
# ("less the two thousand you already paid"). "If you've already paid…" is a question, not a claim.
_PAID = {
    "zh-CN": re.compile(
        r"(?<!如果)(?<!要是)(?<!假如)(?:您|你)(?:已经|之前|上次)(?:还了|还过|付了|付过|支付了|转了)"
    ),
    "en-US": re.compile(
        r"(?<!\bif )(?<!\bif you )\b(?:you(?: have)? already (?:paid|sent|made)|you paid (?:us |in )?"
        r"(?:last|earlier|already)|(?:the|your) (?:\S+ )?(?:payment )?you (?:already )?(?:paid|sent|made))\b"
    ),
}
