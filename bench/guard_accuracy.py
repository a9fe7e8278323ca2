"""Content guard accuracy on the labelled sets (held-out and development) and its speed: one JSON line.

`facts` reports the fact checks per language on the development sets `facts-dev.<lang>.jsonl`,
`facts-heldout.<lang>.jsonl` (first written apart, reported on once, now tuned on too) and
`facts-dev2.<lang>.jsonl` (varied speakers and spellings, written before the checks were reworked),
`facts-fresh-gt2.<lang>.jsonl` (the second tuner's first-pass lines), and the sets written by other
authors from the policy alone: `facts-heldout2` (reported once after the first rework, then tuned
on), `facts-heldout3` and `facts-heldout4` (each reported once after a rework; from then on development
sets too) and `facts-heldout5` (six fixed accounts, written by two helpers from a brief with the policy
alone, for the LLM path's bounds-aware round) and `facts-heldout6` (six new accounts, the same briefs,
new writers; measured once after the fifth round), `facts-heldout7` (the same accounts, two more writers,
measured once after tuning on heldout6) and `facts-heldout8` (six more new accounts, four more writers,
measured once after tuning on heldout7), `facts-heldout9` (the same again, after tuning on heldout8) and
`facts-heldout10` (six more new accounts, four more writers, measured once after tuning on heldout9) and
`facts-heldout11` (the same again across the new year, after tuning on heldout10), `facts-heldout12`
(the same in February, after tuning on heldout11), `facts-heldout13` (June, after tuning on heldout12) and
`facts-heldout14` (September, after tuning on heldout13).
`llm-safe.<lang>.jsonl` and `llm-safe-heldout6/…/14.<lang>.jsonl`: good LLM answers written by
other helpers following the answer prompt, with the account each call had.
Each: blocked recall per kind, overall recall, the false-block rate on safe lines and the sentence
count. Misses are not printed, so a held-out set's lines never reach whoever tunes the checks; the
next fresh set goes into `FACT_SETS` the same way.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from huikuan.compliance.guard import check
from huikuan.compliance.guard.evaluate import (
    load,
    load_facts,
    load_llm_answers,
    score,
    score_facts,
    score_llm_answers,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "compliance" / "guard" / "data"
LANGS = ("zh-CN", "en-US")
FACT_SETS = (
    "facts-dev",
    "facts-heldout",
    "facts-dev2",
    "facts-fresh-gt2",
    "facts-heldout2",
    "facts-heldout3",
    "facts-heldout4",
    "facts-heldout5",
    "facts-heldout6",
    "facts-heldout7",
    "facts-heldout8",
    "facts-heldout9",
    "facts-heldout10",
    "facts-heldout11",
    "facts-heldout12",
    "facts-heldout13",
    "facts-heldout14",
)
# good LLM answers: `llm-safe` (helper-58, heldout5 accounts), `llm-safe-heldout6` (new writers, accounts)
LLM_SAFE_SETS = (
    "llm-safe",
    "llm-safe-heldout6",
    "llm-safe-heldout7",
    "llm-safe-heldout8",
    "llm-safe-heldout9",
    "llm-safe-heldout10",
    "llm-safe-heldout11",
    "llm-safe-heldout12",
    "llm-safe-heldout13",
    "llm-safe-heldout14",
)


def _figures(name: str, lang: str) -> dict[str, object]:
    result = score(load(DATA / f"{name}.jsonl"), lang)
    return {
        "sentences": result["sentences"],
        "forbidden_recall": result["forbidden_recall"],
        "safe_blocked_rate": result["safe_blocked_rate"],
        "per_category": {
            category: {"precision": f["precision"], "recall": f["recall"], "support": f["support"]}
            for category, f in result["per_category"].items()
        },
    }


def _fact_figures(lang: str) -> dict[str, object]:
    figures: dict[str, object] = {}
    for name in FACT_SETS:
        path = DATA / f"{name}.{lang}.jsonl"
        if not path.exists():
            continue
        result = score_facts(load_facts(path), lang)
        figures[name] = {
            "sentences": result["sentences"],
            "blocked": result["blocked"],
            "safe": result["safe"],
            "recall": result["recall"],
            "false_block_rate": result["false_block_rate"],
            "recall_per_kind": result["recall_per_kind"],
        }
        as_llm = score_facts(load_facts(path), lang, llm_path=True)
        figures[name]["llm_path"] = {  # the same lines as LLM answers: + the closed-world figures rule
            "recall": as_llm["recall"],
            "refused_safe_rate": as_llm["false_block_rate"],
            "recall_per_kind": {k: v["recall"] for k, v in as_llm["recall_per_kind"].items()},
        }
    return figures


def _llm_answer_figures(lang: str) -> dict[str, object]:
    """What the LLM path costs: the share of good LLM answers (`LLM_SAFE_SETS`) refused, each checked
    with its call's account and plan bounds when the set gives them (as the engine does)."""
    figures: dict[str, object] = {}
    for name in LLM_SAFE_SETS:
        path = DATA / f"{name}.{lang}.jsonl"
        if path.exists():
            result = score_llm_answers(load_llm_answers(path), lang)
            figures[name] = {k: result[k] for k in ("answers", "refused", "refused_rate", "refused_by_rule")}
    return figures


def _speed(rounds: int = 20) -> float:
    examples = [(ex, lang) for lang in LANGS for ex in load(DATA / f"{lang}.jsonl")]
    started = time.perf_counter()
    for _ in range(rounds):
        for ex, lang in examples:
            check(ex.text, lang, ex.context)
    return rounds * len(examples) / (time.perf_counter() - started)


def _fact_speed(rounds: int = 20) -> float:
    examples = [(ex, lang) for lang in LANGS for ex in load_facts(DATA / f"facts-dev.{lang}.jsonl")]
    started = time.perf_counter()
    for _ in range(rounds):
        for ex, lang in examples:
            check(ex.text, lang, ex.context, ex.facts)
    return rounds * len(examples) / (time.perf_counter() - started)


def main() -> None:
    print(
        json.dumps(
            {
                "bench": "guard_accuracy",
                "held_out": {lang: _figures(lang, lang) for lang in LANGS},
                "dev": {lang: _figures(f"dev-{lang}", lang) for lang in LANGS},
                "facts": {lang: _fact_figures(lang) for lang in LANGS},
                "llm_safe_answers": {lang: _llm_answer_figures(lang) for lang in LANGS},
                "sentences_per_second": round(_speed()),
                "sentences_per_second_with_facts": round(_fact_speed()),
            }
        )
    )


if __name__ == "__main__":
    main()
