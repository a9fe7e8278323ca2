"""NLU accuracy on the held-out split (never trained or tuned on), training time and classify
latency: one JSON line."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from huikuan.dialogue.nlu import classify
from huikuan.dialogue.nlu.dataset import LANGS, read_examples
from huikuan.dialogue.nlu.evaluate import REFERENCE_DATE, evaluate
from huikuan.dialogue.nlu.model import model_for

DATA = Path(__file__).resolve().parent.parent / "tests" / "dialogue" / "nlu" / "data"


def main() -> None:
    out: dict[str, object] = {}
    for lang in LANGS:
        short = lang[:2]
        started = time.perf_counter()
        model_for(short)
        train_s = time.perf_counter() - started
        examples = read_examples(DATA / f"heldout.{lang}.tsv")
        figures = evaluate(examples, lambda text, lang=lang: classify(text, lang, REFERENCE_DATE))
        timings = []
        for _ in range(3):
            for example in examples:
                t0 = time.perf_counter()
                classify(example.text, lang, REFERENCE_DATE)
                timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        figures["train_seconds"] = round(train_s, 3)
        figures["latency_ms_p50"] = round(statistics.median(timings), 3)
        figures["latency_ms_p95"] = round(timings[int(len(timings) * 0.95)], 3)
        for key in ("amount_errors", "date_errors"):
            figures.pop(key, None)  # the held-out sentences stay out of sight of tuning
        out[lang] = figures
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
