"""The content guard: every sentence the product says or sends is checked before it leaves.

API (stable):

    check(text, lang, context=Context.DEBTOR, facts=None) -> Verdict(allowed, categories)
    enforce(text, lang, context, safe_line, facts=None) -> Guarded(text_to_say, verdict)
    explain(text, lang, context=Context.DEBTOR, facts=None) -> [(category, frame_or_rule_id), ...]

`facts` (`Facts`: amount owed, due date, today, plan bounds, the promise and plan of the call)
adds the fact checks of `guard.facts`: amounts, plan offers, waivers and deadlines must match the
account and the strategy. Without facts only the word frames run (and a day that does not exist,
such as 2月30日, is still caught).

`lang` is "zh-CN" or "en-US". `context` says who hears the sentence and when, because the same
words can be lawful to the debtor and unlawful to a third party (any mention of the debt), and an
opening line must carry the disclosure (CN AI label; US debt-collector disclosure and AI voice).

How it decides: the sentence is normalised (`normalize`), the language's concepts are found in it
(`zh`, `en`: actors, actions, modality, each a small set of patterns, some negatable), and
*intent frames* combine concepts into a category (`frames`). A sentence is blocked when any frame
fires; `explain` names the frames. The guard is a hand-written, deterministic classifier, not a
word list and not a model: no library covers Chinese and English debt-collection content policy,
no model weights ship with the product, and every block must be explainable to a compliance
officer. Fast enough for every turn (tens of thousands of sentences per second per core; see
bench/guard_accuracy.py).

Policy decisions (docs/content-guard.md has the full list, and what the guard does NOT catch):
- Allowed: the amount, due date, overdue days, fees and interest *per the agreement*, installment
  and hardship offers, callbacks, disputes, and a truthful, hedged credit-reporting notice
  ("逾期记录可能按合同约定报送征信", "late payments may be reported to credit bureaus as your
  agreement allows"), "lawful remedies under the agreement" without naming a concrete action.
- Blocked as false_legal_claim: blacklists, arrest, detention, jail, criminal charges, police or
  court action, lawsuits, summons, garnishment, seizure, frozen accounts, travel or children's
  school bans — the robot never has authority to announce these, so the guard does not try to
  judge whether one is true; real legal notices go through people and writing.
- Negated statements pass ("我们不会联系您的单位", "nobody is going to arrest you").
- Categories are specific first: a threat to tell the employer is exposure_threat, a threat of
  arrest is false_legal_claim; `threat` is violence, visits and unspecified consequences.
- THIRD_PARTY and VOICEMAIL: any mention of the debt, arrears, amounts, repayment or collection is
  third_party_disclosure. OPENING checks the disclosure only; saying no debt detail before the
  identity check is the dialogue engine's job (`discloses_debt` nodes).
- VOICEMAIL: a message without a callback number, or with a field left empty ("Please call  back
  at ."), is missing_disclosure (`voicemail.py`: what it must carry is missing) when nothing more
  specific fired; the lint refuses such a script line and the engine never says a line whose
  slot is empty.
- An unknown `lang` raises ValueError: an unchecked sentence must never pass silently.
"""

from __future__ import annotations

from huikuan.compliance.guard import day_facts, en, identity, veiled, voicemail, zh
from huikuan.compliance.guard import facts as fact_checks
from huikuan.compliance.guard.facts import Facts
from huikuan.compliance.guard.figures import stated_figures, unexplained_figures
from huikuan.compliance.guard.frames import FrameSet
from huikuan.compliance.guard.llm_path import refusal as llm_refusal
from huikuan.compliance.guard.normalize import normalize, without_name
from huikuan.compliance.guard.others import speaks_of_others
from huikuan.compliance.guard.self_talk import speaks_as_a_person
from huikuan.compliance.guard.terms import speaks_of_terms
from huikuan.compliance.guard.types import Category, Context, Guarded, Verdict

# A target-and-harm pair is a veiled threat only when no more specific threat fired.
_THREATS = frozenset(
    {Category.EXPOSURE_THREAT, Category.THREAT, Category.VEILED_THREAT, Category.FALSE_LEGAL_CLAIM}
)
LANGS: dict[str, FrameSet] = {"zh-CN": zh.FRAME_SET, "en-US": en.FRAME_SET}


def _frame_set(lang: str) -> FrameSet:
    try:
        return LANGS[lang]
    except KeyError:
        raise ValueError(f"content guard has no language {lang!r}; use one of {sorted(LANGS)}") from None


def explain(
    text: str, lang: str, context: Context = Context.DEBTOR, facts: Facts | None = None
) -> list[tuple[Category, str]]:
    """The (category, frame or rule id) pairs that fire on `text`; empty when it is allowed."""
    frame_set = _frame_set(lang)
    normalized = normalize(text, lang)
    if not normalized:
        return []
    if facts is not None and facts.platform:
        normalized = without_name(normalized, normalize(facts.platform, lang), lang)
    fired = [(f.category, f.id) for f in frame_set.fire(normalized, Context(context))]
    if not {category for category, _ in fired} & _THREATS:
        rule = veiled.hint(normalized, lang)
        if rule is not None:
            fired.append((Category.VEILED_THREAT, rule))
    if Category.HUMAN_CLAIM not in {category for category, _ in fired}:
        rule = identity.hint(normalized, lang)
        if rule is not None:
            fired.append((Category.HUMAN_CLAIM, rule))
    return fired + day_facts.check(normalized, lang, facts) + fact_checks.check(normalized, lang, facts)


def check(text: str, lang: str, context: Context = Context.DEBTOR, facts: Facts | None = None) -> Verdict:
    """Decide whether `text` may be said or sent in `context`; empty text is never allowed."""
    if not text.strip():
        _frame_set(lang)
        return Verdict(allowed=False)
    categories = tuple(dict.fromkeys(category for category, _ in explain(text, lang, context, facts)))
    if not categories and context == Context.VOICEMAIL and voicemail.incomplete(text, lang):
        # Only when nothing more specific fired: a voicemail naming the debt is a disclosure first.
        categories = (Category.MISSING_DISCLOSURE,)
    return Verdict(allowed=not categories, categories=categories)


def enforce(text: str, lang: str, context: Context, safe_line: str, facts: Facts | None = None) -> Guarded:
    """Check `text`; when blocked, say `safe_line` instead (which must itself pass)."""
    verdict = check(text, lang, context, facts)
    if verdict.allowed:
        return Guarded(text, verdict)
    return Guarded(safe_line, verdict)


__all__ = [
    "LANGS",
    "Category",
    "Context",
    "Facts",
    "Guarded",
    "Verdict",
    "check",
    "enforce",
    "explain",
    "llm_refusal",
    "speaks_as_a_person",
    "speaks_of_others",
    "speaks_of_terms",
    "stated_figures",
    "unexplained_figures",
]
