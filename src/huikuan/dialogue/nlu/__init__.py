"""NLU for what the person on the line says: intent, amount and date entities, emotion.

Callers depend only on `classify` and the result types; see docs/nlu.md.
"""

from __future__ import annotations

from huikuan.dialogue.nlu.core import classify
from huikuan.dialogue.nlu.numerals import parse_int as parse_cn_number
from huikuan.dialogue.nlu.types import PRIORITY, Emotion, Entities, Intent, NluResult

__all__ = ["PRIORITY", "Emotion", "Entities", "Intent", "NluResult", "classify", "parse_cn_number"]
