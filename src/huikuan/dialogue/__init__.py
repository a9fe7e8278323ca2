"""Dialogue: scripts as data, the rule-based NLU v1 and the dialogue manager."""

from huikuan.dialogue.engine import (
    CallContext,
    DialogueEngine,
    DialogueOutcome,
    DisclosureError,
    GuardHit,
    PromiseCapture,
    Reply,
    Script,
    ScriptError,
    load_script,
)
from huikuan.dialogue.nlu import Emotion, Entities, Intent, NluResult, classify

__all__ = [
    "CallContext",
    "DialogueEngine",
    "DialogueOutcome",
    "DisclosureError",
    "Emotion",
    "Entities",
    "GuardHit",
    "Intent",
    "NluResult",
    "PromiseCapture",
    "Reply",
    "Script",
    "ScriptError",
    "classify",
    "load_script",
]
