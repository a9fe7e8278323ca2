"""Accuracy figures for a labelled split: macro-F1, per-intent F1, confusion, entity exact-match."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from huikuan.dialogue.nlu.dataset import Example
from huikuan.dialogue.nlu.types import PRIORITY, Intent, NluResult

REFERENCE_DATE = date(2026, 3, 10)  # the date the held-out entity labels were resolved against


def f1_table(gold: Sequence[Intent], predicted: Sequence[Intent]) -> dict[str, float]:
    """F1 of each intent present in `gold` (macro-F1 averages these)."""
    table: dict[str, float] = {}
    for intent in PRIORITY:
        if intent not in gold:
            continue
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == intent)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == intent and g != intent)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == intent and p != intent)
        table[intent.value] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    return table


def evaluate(
    examples: Sequence[Example], classify: Callable[[str], NluResult], entity_labels: bool = True
) -> dict[str, object]:
    """Figures for `examples`; entity exact-match counts utterances with a labelled or predicted entity."""
    results = [classify(example.text) for example in examples]
    gold = [e.intent for e in examples]
    predicted = [r.intent for r in results]
    per_intent = f1_table(gold, predicted)
    confusion: dict[str, dict[str, int]] = {}
    for g, p in zip(gold, predicted, strict=True):
        row = confusion.setdefault(g.value, {})
        row[p.value] = row.get(p.value, 0) + 1
    figures: dict[str, object] = {
        "n": len(examples),
        "macro_f1": round(sum(per_intent.values()) / len(per_intent), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(examples), 4),
        "per_intent_f1": per_intent,
        "confusion": confusion,
    }
    if entity_labels:
        for name in ("amount", "date"):
            pairs = [
                (getattr(e, name), getattr(r.entities, name))
                for e, r in zip(examples, results, strict=True)
                if getattr(e, name) is not None or getattr(r.entities, name) is not None
            ]
            figures[f"{name}_exact_match"] = (
                round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else 1.0
            )
            figures[f"{name}_n"] = len(pairs)
            figures[f"{name}_errors"] = [
                [e.text, str(getattr(e, name)), str(getattr(r.entities, name))]
                for e, r in zip(examples, results, strict=True)
                if getattr(e, name) != getattr(r.entities, name)
            ]
    return figures
