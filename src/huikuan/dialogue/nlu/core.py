"""`classify`: rules, the trained model and the priority order combined."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from huikuan.dialogue.nlu import emotion
from huikuan.dialogue.nlu.amounts import amount_en, amount_zh
from huikuan.dialogue.nlu.dates import date_en, date_zh
from huikuan.dialogue.nlu.normalize import clean, for_model, has_cjk, has_latin
from huikuan.dialogue.nlu.rules import rule_intents
from huikuan.dialogue.nlu.types import RANK, Entities, Intent, NluResult

if TYPE_CHECKING:
    from huikuan.dialogue.nlu.model import IntentModel

# A second intent the model also finds likely joins the candidates the priority order decides
# between ("他不在 你晚点打吧" is third_party before callback_later). Tuned on the dev split.
ALSO_LIKELY = 0.5
RULE_CONFIDENCE = 0.9
_ANSWERS_WHEN = (Intent.OTHER, Intent.CONFIRM_IDENTITY, Intent.AFFIRM)


def language_of(text: str, lang: str) -> str:
    """'en' or 'zh': the requested language, unless the text is written only in the other script."""
    wanted = "en" if lang.lower().startswith("en") else "zh"
    if wanted == "zh" and not has_cjk(text) and has_latin(text):
        return "en"
    if wanted == "en" and has_cjk(text) and not has_latin(text):
        return "zh"
    return wanted


def extract(text: str, lang: str, today: date) -> tuple[Entities, str]:
    """Amount (minor units) and date of cleaned `text`; the remainder without the date."""
    if lang == "en":
        when, rest = date_en(text, today)
        return Entities(amount=amount_en(rest), date=when), rest
    when, rest = date_zh(text, today)
    return Entities(amount=amount_zh(rest.replace(" ", "")), date=when), rest


_ZH_SMALL_WORDS = re.compile(r"[\s吧呢啊嗯呀哦喔啦就那个行好的可以]")
_EN_SMALL_WORDS = {
    "on",
    "by",
    "the",
    "um",
    "uh",
    "ok",
    "okay",
    "yeah",
    "maybe",
    "i",
    "guess",
    "how",
    "about",
    "is",
    "fine",
}


def _only_a_date(rest: str, script: str) -> bool:
    """The utterance is a date and little else, or it mentions paying."""
    if script == "en":
        words = [w for w in rest.split() if w not in _EN_SMALL_WORDS]
        return len(words) <= 1 or any(w.startswith(("pay", "send")) for w in words)
    compact = _ZH_SMALL_WORDS.sub("", rest)
    return len(compact) <= 2 or "还" in compact or "付" in compact


def classify(text: str, lang: str = "zh-CN", today: date | None = None) -> NluResult:
    """Intent, entities (amount in fen/cents, date resolved against `today`) and emotion of one utterance."""
    # scikit-learn loads with the first classification, not with the package: commands that
    # import dialogue and never classify (`script`, `export`) skip its ~1.5 s of start-up.
    from huikuan.dialogue.nlu.model import model_for

    return classify_with(model_for, text, lang, today)


def classify_with(
    models: Callable[[str], IntentModel],
    text: str,
    lang: str,
    today: date | None,
    also_likely: float = ALSO_LIKELY,
) -> NluResult:
    """`classify` with the models given (the dev-split evaluation trains its own)."""
    ref = today or date.today()
    cleaned = clean(text)
    if not for_model(cleaned):
        return NluResult(Intent.OTHER, 1.0, Entities(), emotion.detect(text, cleaned, Intent.OTHER))
    script = language_of(cleaned, lang)
    entities, rest = extract(cleaned, script, ref)
    probs = models(script).probabilities(for_model(cleaned))
    top = max(probs, key=lambda intent: probs[intent])
    candidates = {top} | {i for i, p in probs.items() if p >= also_likely}
    hits = rule_intents(cleaned)
    if hits == {Intent.AFFIRM}:
        # The whole turn is acknowledgement words ("对", "可以", "uh huh"): it names no one and
        # asks for nothing, whatever else the model finds likely.
        candidates = set()
    intent = min(candidates | hits, key=RANK.__getitem__)
    confidence = max(probs[intent], RULE_CONFIDENCE) if intent in hits else probs[intent]
    if intent in _ANSWERS_WHEN and (entities.amount or (entities.date and _only_a_date(rest, script))):
        # A bare amount or date ("周五吧", "两千") answers "how much / when will you pay?".
        intent, confidence = Intent.PROMISE_TO_PAY, max(confidence, 0.6)
    mood = emotion.detect(text[:2000], cleaned, intent)
    return NluResult(intent, round(confidence, 4), entities, mood)
