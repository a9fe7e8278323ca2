"""NLU for what the person on the line says: intent, amount and date entities, emotion.

Callers depend only on `classify` and the result types; see docs/nlu.md.
"""

from __future__ import annotations

from huikuan.dialogue.nlu.core import classify
from huikuan.dialogue.nlu.numerals import parse_int as parse_cn_number
from huikuan.dialogue.nlu.types import PRIORITY, Emotion, Entities, Intent, NluResult

__all__ = ["PRIORITY", "Emotion", "Entities", "Intent", "NluResult", "classify", "parse_cn_number", "warm_up"]


def warm_up(lang: str) -> None:
    """Train (once per process) the intent model for a script language, so that no live call
    pays for it: a worker calls this at start, before any line dials."""
    from huikuan.dialogue.nlu.model import model_for

    model_for("en" if lang.lower().startswith("en") else "zh")
