"""Dialogue: scripts as data (`script`), their versions and approval, the NLU and the dialogue manager."""

from huikuan.dialogue.engine import (
    CallContext,
    DialogueEngine,
    DialogueOutcome,
    DisclosureError,
    GuardHit,
    IdentityDecision,
    PromiseCapture,
    Reply,
)
from huikuan.dialogue.nlu import Emotion, Entities, Intent, NluResult, classify
from huikuan.dialogue.script import Script, ScriptError, load_script

__all__ = [
    "CallContext",
    "DialogueEngine",
    "DialogueOutcome",
    "DisclosureError",
    "Emotion",
    "Entities",
    "GuardHit",
    "IdentityDecision",
    "Intent",
    "NluResult",
    "PromiseCapture",
    "Reply",
    "Script",
    "ScriptError",
    "classify",
    "load_script",
]
