"""Content guard accuracy on the labelled sets (held-out and development) and its speed: one JSON line."""

from __future__ import annotations

import json
import time
from pathlib import Path

from huikuan.compliance.guard import check
from huikuan.compliance.guard.evaluate import load, score

DATA = Path(__file__).resolve().parent.parent / "tests" / "compliance" / "guard" / "data"
LANGS = ("zh-CN", "en-US")


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


def _speed(rounds: int = 20) -> float:
    examples = [(ex, lang) for lang in LANGS for ex in load(DATA / f"{lang}.jsonl")]
    started = time.perf_counter()
    for _ in range(rounds):
        for ex, lang in examples:
            check(ex.text, lang, ex.context)
    return rounds * len(examples) / (time.perf_counter() - started)


def main() -> None:
    print(
        json.dumps(
            {
                "bench": "guard_accuracy",
                "held_out": {lang: _figures(lang, lang) for lang in LANGS},
                "dev": {lang: _figures(f"dev-{lang}", lang) for lang in LANGS},
                "sentences_per_second": round(_speed()),
            }
        )
    )


if __name__ == "__main__":
    main()
