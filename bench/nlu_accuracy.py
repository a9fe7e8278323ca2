"""NLU accuracy, training time and classify latency: one JSON line.

Three sets, reported apart:
- `dev`: every fifth training seed sentence (`dataset.split_dev`), scored by a model trained on
  the other four; the only split tuning may look at.
- `heldout`: tests/dialogue/nlu/data/heldout.<lang>.tsv (182 sentences per language, written by
  the session that built NLU v2 before training, never trained or tuned on).
- `heldout2`: tests/dialogue/nlu/data/heldout2.<lang>.tsv when present, written by an
  independent session that never saw the training data (issue 13); reported separately.
Held-out error lists are dropped from the output so the sentences stay out of sight of tuning.
`heldout` was labelled before `affirm` and `debtor_deceased` existed (a bare "yes" was
confirm_identity then), so it is also scored with affirm read as confirm_identity
(`as_engine_reads`), which is what the engine does where a node has no affirm edge.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

from huikuan.dialogue.nlu import Intent, NluResult, classify
from huikuan.dialogue.nlu.core import classify_with
from huikuan.dialogue.nlu.dataset import LANGS, read_examples, split_dev, training_examples
from huikuan.dialogue.nlu.evaluate import REFERENCE_DATE, evaluate
from huikuan.dialogue.nlu.model import IntentModel, model_for, params_for

DATA = Path(__file__).resolve().parent.parent / "tests" / "dialogue" / "nlu" / "data"
HELD_OUT_SETS = ("heldout", "heldout2")


def _without_errors(figures: dict[str, object]) -> dict[str, object]:
    for key in ("amount_errors", "date_errors"):
        figures.pop(key, None)
    return figures


def _as_engine_reads(result: NluResult) -> NluResult:
    return replace(result, intent=Intent.CONFIRM_IDENTITY) if result.intent == Intent.AFFIRM else result


def dev_figures(lang: str) -> dict[str, object]:
    """The dev split scored by a model trained on the rest of the training sentences."""
    short = lang[:2]
    train, dev = split_dev(training_examples(lang))
    model = IntentModel(short, train, params_for(short))
    figures = evaluate(dev, lambda text: classify_with(lambda _: model, text, lang, REFERENCE_DATE), False)
    figures.pop("confusion", None)
    return figures


def main() -> None:
    out: dict[str, object] = {}
    for lang in LANGS:
        short = lang[:2]
        started = time.perf_counter()
        model_for(short)
        figures: dict[str, object] = {"train_seconds": round(time.perf_counter() - started, 3)}
        figures["dev"] = dev_figures(lang)
        for name in HELD_OUT_SETS:
            path = DATA / f"{name}.{lang}.tsv"
            if path.exists():
                examples = read_examples(path)
                figures[name] = _without_errors(
                    evaluate(examples, lambda text, lang=lang: classify(text, lang, REFERENCE_DATE))
                )
        old = read_examples(DATA / f"heldout.{lang}.tsv")
        bridged = evaluate(
            old, lambda text, lang=lang: _as_engine_reads(classify(text, lang, REFERENCE_DATE)), False
        )
        figures["heldout_as_engine_reads"] = {k: bridged[k] for k in ("n", "macro_f1", "accuracy")}
        examples = read_examples(DATA / f"heldout.{lang}.tsv")
        timings = []
        for _ in range(3):
            for example in examples:
                t0 = time.perf_counter()
                classify(example.text, lang, REFERENCE_DATE)
                timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        figures["latency_ms_p50"] = round(statistics.median(timings), 3)
        figures["latency_ms_p95"] = round(timings[int(len(timings) * 0.95)], 3)
        out[lang] = figures
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
