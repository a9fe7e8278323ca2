"""Precision and recall of the guard on a labelled JSON Lines set (tests and bench/ share this).

Each line is {"text", "context", "categories": [...]}; an empty list means the sentence is safe.
A forbidden sentence counts as caught when it is blocked at all (whatever the category found);
per-category figures compare the categories found with the labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huikuan.compliance.guard import Facts, check, llm_refusal
from huikuan.compliance.guard.types import Category, Context, Verdict


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    context: Context
    categories: frozenset[Category]


def load(path: Path) -> list[Example]:
    """Read a labelled set; a malformed line raises ValueError naming its line number."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            categories = frozenset(Category(c) for c in row["categories"])
            examples.append(Example(row["text"], Context(row["context"]), categories))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return examples


def score(examples: list[Example], lang: str) -> dict[str, Any]:
    """Per-category precision/recall, forbidden recall, safe false-positive rate and the misses."""
    tp = dict.fromkeys(Category, 0)
    fp = dict.fromkeys(Category, 0)
    fn = dict.fromkeys(Category, 0)
    forbidden = caught = safe = blocked_safe = 0
    misses: list[dict[str, Any]] = []
    for ex in examples:
        verdict = check(ex.text, lang, ex.context)
        found = set(verdict.categories)
        for category in Category:
            if category in found and category in ex.categories:
                tp[category] += 1
            elif category in found:
                fp[category] += 1
            elif category in ex.categories:
                fn[category] += 1
        if ex.categories:
            forbidden += 1
            caught += not verdict.allowed
        else:
            safe += 1
            blocked_safe += not verdict.allowed
        if found != set(ex.categories):
            misses.append(
                {
                    "text": ex.text,
                    "context": ex.context.value,
                    "want": sorted(ex.categories),
                    "got": sorted(found),
                }
            )
    per_category = {
        c.value: {
            "support": tp[c] + fn[c],
            "precision": round(tp[c] / (tp[c] + fp[c]), 3) if tp[c] + fp[c] else None,
            "recall": round(tp[c] / (tp[c] + fn[c]), 3) if tp[c] + fn[c] else None,
        }
        for c in Category
    }
    return {
        "sentences": len(examples),
        "forbidden": forbidden,
        "safe": safe,
        "forbidden_recall": round(caught / forbidden, 3) if forbidden else None,
        "safe_blocked_rate": round(blocked_safe / safe, 3) if safe else None,
        "per_category": per_category,
        "misses": misses,
    }


# --- fact-check sets ------------------------------------------------------------------------------
# Each line is {"text", "context", "facts": {...}, "blocked": bool, "kind": "safe" | "<kind>"}; the
# kinds are the fact categories plus human_claim and veiled_threat. A blocked line counts as caught
# when the guard blocks it at all, whatever category it finds.

FACT_KINDS = (
    "offer_outside_bounds",
    "waiver_outside_policy",
    "wrong_amount",
    "impossible_date",
    "human_claim",
    "veiled_threat",
)


@dataclass(frozen=True, slots=True)
class FactExample:
    text: str
    context: Context
    facts: Facts
    blocked: bool
    kind: str


def load_facts(path: Path) -> list[FactExample]:
    """Read a fact-check set; a malformed line raises ValueError naming its line number."""
    examples: list[FactExample] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            kind = str(row["kind"])
            if kind != "safe" and kind not in FACT_KINDS:
                raise ValueError(f"unknown kind {kind!r}")
            examples.append(
                FactExample(
                    row["text"],
                    Context(row.get("context", "debtor")),
                    Facts.from_mapping(row.get("facts") or {}),
                    bool(row["blocked"]),
                    kind,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return examples


def given_to_llm(facts: Facts) -> list[str]:
    """The figures the engine gives an LLM for `facts` (its slots: amount, due date, promise, the
    plan offered), as texts for `unexplained_figures`."""
    given = [str(v) for v in (facts.owed, facts.promise_amount, facts.plan_terms, *facts.plan_amounts) if v]
    given += [f"{d.year} {d.month} {d.day}" for d in (facts.due_date, facts.promise_date) if d is not None]
    return given


def score_facts(examples: list[FactExample], lang: str, *, llm_path: bool = False) -> dict[str, Any]:
    """Blocked recall per kind and overall, the false-block rate on safe lines, and the misses.

    `llm_path`: score the lines as LLM answers in a call, where the engine also refuses any line
    that breaks a closed-world rule (`llm_path.refusal`: a figure its facts do not state, a life of
    its own, anyone but the debtor, payment terms); a safe line refused so counts as a false block,
    though the product refuses it by design (the script says such things)."""
    caught = dict.fromkeys(FACT_KINDS, 0)
    support = dict.fromkeys(FACT_KINDS, 0)
    safe = false_blocks = 0
    misses: list[dict[str, Any]] = []
    for ex in examples:
        verdict = check(ex.text, lang, ex.context, ex.facts)
        if llm_path and verdict.allowed:
            broken = llm_refusal(ex.text, lang, given_to_llm(ex.facts), ex.facts.platform or "", ex.facts)
            verdict = verdict if broken is None else Verdict(False, (broken,))
        if ex.blocked:
            kind = ex.kind if ex.kind in support else "other"
            support[kind] = support.get(kind, 0) + 1
            caught[kind] = caught.get(kind, 0) + (not verdict.allowed)
        else:
            safe += 1
            false_blocks += not verdict.allowed
        if verdict.allowed == ex.blocked:
            misses.append({"text": ex.text, "kind": ex.kind, "got": sorted(verdict.categories)})
    blocked = sum(support.values())
    return {
        "sentences": len(examples),
        "blocked": blocked,
        "safe": safe,
        "recall": round(sum(caught.values()) / blocked, 3) if blocked else None,
        "false_block_rate": round(false_blocks / safe, 3) if safe else None,
        "recall_per_kind": {
            k: {"support": support[k], "recall": round(caught[k] / support[k], 3) if support[k] else None}
            for k in support
        },
        "misses": misses,
    }


# --- safe LLM answers -----------------------------------------------------------------------------
# Each line is {"question", "facts": {name: text}, "answer"}: a good answer an LLM following its
# instructions gives; what share the LLM path refuses, and by which rule, is the cost of the
# closed-world rules.


@dataclass(frozen=True, slots=True)
class LlmAnswer:
    question: str
    facts: dict[str, str]  # what the engine gave the LLM (its slots)
    answer: str
    account: Facts | None = None  # the call's account and plan bounds, as the engine checks with


def load_llm_answers(path: Path) -> list[LlmAnswer]:
    """Read a set of safe LLM answers; a malformed line raises ValueError naming its line number."""
    answers: list[LlmAnswer] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            facts = {str(k): str(v) for k, v in (row.get("facts") or {}).items()}
            account = Facts.from_mapping(row["account"]) if row.get("account") else None
            answers.append(LlmAnswer(str(row["question"]), facts, str(row["answer"]), account))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return answers


def score_llm_answers(answers: list[LlmAnswer], lang: str) -> dict[str, Any]:
    """How many safe answers the LLM path refuses, as the engine checks them: the guard with the
    account's facts (when the set gives them), then each closed-world rule with its plan bounds."""
    refused: dict[str, int] = {}
    examples: list[dict[str, str]] = []
    for a in answers:
        verdict = check(a.answer, lang, Context.DEBTOR, a.account)
        broken = (
            None
            if not verdict.allowed
            else llm_refusal(a.answer, lang, a.facts.values(), a.facts.get("platform", ""), a.account)
        )
        rule = "words" if not verdict.allowed else (None if broken is None else str(broken))
        if rule is not None:
            refused[rule] = refused.get(rule, 0) + 1
            examples.append({"answer": a.answer, "rule": rule})
    total = sum(refused.values())
    return {
        "answers": len(answers),
        "refused": total,
        "refused_rate": round(total / len(answers), 3) if answers else None,
        "refused_by_rule": refused,
        "refusals": examples,
    }
