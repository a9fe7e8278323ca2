"""Compliance: rule packs, the contact ledger and its atomic `reserve`, contact stops."""

from huikuan.compliance.rules import CN_PACK, PACKS, US_PACK, RulePack, calling_window, pack_for
from huikuan.compliance.schemas import (
    ContactInfo,
    DebtorInfo,
    Decision,
    Flags,
    HistoryEntry,
    Proposal,
    RuleInput,
    StopKind,
)
from huikuan.compliance.service import (
    BlockedSentence,
    open_stop,
    record_blocked_sentences,
    record_outcome,
    reserve,
)

__all__ = [
    "CN_PACK",
    "PACKS",
    "US_PACK",
    "BlockedSentence",
    "ContactInfo",
    "DebtorInfo",
    "Decision",
    "Flags",
    "HistoryEntry",
    "Proposal",
    "RuleInput",
    "RulePack",
    "StopKind",
    "calling_window",
    "open_stop",
    "pack_for",
    "record_blocked_sentences",
    "record_outcome",
    "reserve",
]
