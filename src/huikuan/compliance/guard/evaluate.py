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

from huikuan.compliance.guard import check
from huikuan.compliance.guard.types import Category, Context


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
