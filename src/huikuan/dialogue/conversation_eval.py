"""Whole conversations against their expectations: the held-out check of the dialogue.

A conversation file (YAML, `tests/dialogue/heldout/conversations.<lang>.yaml`, format in its
header) gives an account, the creditor's knowledge check, the plan bounds, and what the person
says turn by turn; `expect` holds only what the behaviour specification makes certain:
whether the debt was disclosed, whether identity ended confirmed, the disposition, the stop,
the confirmed promise, whether a transfer or callback was booked. A key left out is not checked.

The conversation runs through the same `DialogueEngine` calls use, with the real NLU. Each
conversation passes when every expectation it states holds; `score` counts passes and lists,
per failure, which expectations failed (names of expectations, never the text said).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from huikuan.dialogue.engine import CallContext, DialogueEngine, Reply
from huikuan.dialogue.render import DEBT_WORDS_EN, DEBT_WORDS_ZH, money, spoken_date
from huikuan.dialogue.script import load_script
from huikuan.strategy import PlanBounds
from huikuan.types import KnowledgeCheck

# Stops a conversation may record; `stop: null` means none of these (a deceased debtor's hold,
# if any, is not a debtor's stop request).
DEBTOR_STOPS = frozenset({"dispute", "complaint", "cease"})


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    lang: str
    script: str
    account: Mapping[str, Any]
    identity_check: str
    plan_bounds: PlanBounds | None
    agent_available: bool
    turns: tuple[str | None, ...]
    expect: Mapping[str, Any]
    now: datetime


@dataclass(slots=True)
class Result:
    id: str
    failed: list[str] = field(default_factory=list)  # names of the expectations that did not hold
    error: str | None = None  # the engine raised (the exception type only)

    @property
    def passed(self) -> bool:
        return not self.failed and self.error is None


def _fen(text: object) -> int:
    return int(Decimal(str(text)) * 100)


def load_conversations(path: Path) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lang = data["lang"]
    now = datetime.fromisoformat(data["now"])
    conversations = []
    for item in data["conversations"]:
        bounds = item.get("plan_bounds")
        conversations.append(
            Conversation(
                id=item["id"],
                lang=lang,
                script=item.get("script", "reminder"),
                account=item["account"],
                identity_check=item.get("identity_check", "none"),
                plan_bounds=PlanBounds(
                    max_terms=int(bounds["max_terms"]),
                    max_waiver_pct=int(bounds.get("max_waiver_pct", 0)),
                    min_first_payment=_fen(bounds.get("min_first_payment", "0")),
                )
                if bounds
                else None,
                agent_available=bool(item.get("agent_available", True)),
                turns=tuple(item["turns"]),
                expect=item.get("expect", {}),
                now=now,
            )
        )
    return conversations


ContextHook = Callable[[Conversation, CallContext], CallContext]


def _knowledge_answer(conversation: Conversation) -> str:
    account = conversation.account
    field = {"id_last4": "id_last4", "birth_year": "birth_year", "product": "product"}.get(
        conversation.identity_check
    )
    return "" if field is None else str(account.get(field, ""))


def call_context(conversation: Conversation) -> CallContext:
    account = conversation.account
    return CallContext(
        knowledge_check=KnowledgeCheck(conversation.identity_check),
        knowledge_answer=_knowledge_answer(conversation),
        name=str(account["name"]),
        platform=str(account["platform"]),
        amount_fen=_fen(account["amount"]),
        due_date=date.fromisoformat(str(account["due_date"])),
        today=conversation.now.date(),
        agent_available=conversation.agent_available,
        plan_bounds=conversation.plan_bounds,
        timezone="America/New_York" if conversation.lang == "en-US" else "Asia/Shanghai",
        now=conversation.now,
        callback_number="800-555-0100",  # a number reserved for fiction (NANP 555-01xx)
        agent_name="王经理" if conversation.lang != "en-US" else "Dana Smith",
    )


def _discloses(reply: Reply, conversation: Conversation) -> bool:
    lang = conversation.lang
    amount = money(_fen(conversation.account["amount"]), lang)
    due = spoken_date(date.fromisoformat(str(conversation.account["due_date"])), lang)
    text = reply.text
    words = DEBT_WORDS_EN if lang == "en-US" else DEBT_WORDS_ZH
    return (
        bool(re.search(rf"(?<![\d.,]){re.escape(amount)}(?![\d.,])", text))
        or due in text
        or any(word in text.lower() for word in words)
    )


def run(conversation: Conversation, with_context: ContextHook | None = None) -> Result:
    """Say each turn to a fresh engine and compare what happened with `expect`."""
    result = Result(conversation.id)
    ctx = call_context(conversation)
    if with_context is not None:
        ctx = with_context(conversation, ctx)
    engine = DialogueEngine(load_script(conversation.script, conversation.lang), ctx)
    try:
        replies = [engine.start()]
        for turn in conversation.turns:
            if engine.done:
                break
            replies.append(engine.step(turn)[1])
    except Exception as exc:  # a crash is a failed conversation, named by its type
        result.error = type(exc).__name__
        return result
    outcome = engine.outcome
    expect = conversation.expect
    checks: dict[str, bool] = {}
    if "disclosed" in expect:
        checks["disclosed"] = any(_discloses(r, conversation) for r in replies) == bool(expect["disclosed"])
    if "identity_confirmed" in expect:
        checks["identity_confirmed"] = outcome.identity_confirmed == bool(expect["identity_confirmed"])
    if "disposition" in expect:
        checks["disposition"] = outcome.disposition == expect["disposition"]
    if "stop" in expect:
        stop = outcome.stop if outcome.stop in DEBTOR_STOPS else None
        checks["stop"] = stop == expect["stop"]
    if "promise" in expect:
        want = expect["promise"]
        promise = outcome.promise
        checks["promise"] = (
            promise.confirmed
            and promise.amount_fen == _fen(want["amount"])
            and promise.due_date == date.fromisoformat(str(want["date"]))
        )
    if "transfer_or_callback" in expect:
        booked = outcome.transfer_requested or outcome.callback_at is not None
        checks["transfer_or_callback"] = booked == bool(expect["transfer_or_callback"])
    if "ended" in expect:
        checks["ended"] = engine.done == bool(expect["ended"])
    result.failed = [name for name, ok in checks.items() if not ok]
    return result


def score(conversations: Iterable[Conversation], with_context: ContextHook | None = None) -> dict[str, Any]:
    results = [run(c, with_context) for c in conversations]
    failures: dict[str, int] = {}
    for r in results:
        for name in r.failed or ([f"error:{r.error}"] if r.error else []):
            failures[name] = failures.get(name, 0) + 1
    return {
        "conversations": len(results),
        "passed": sum(r.passed for r in results),
        "failed_expectations": dict(sorted(failures.items())),
        "failed": {r.id: r.failed or [f"error:{r.error}"] for r in results if not r.passed},
    }
