"""Latency of one dialogue turn without an LLM (NLU + policy + content guard + render), on one
core: simulated debtors talk to the real engine and every `step` is timed. One JSON line.

Usage: python bench/dialogue_turn.py [--turns N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import date

from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.sim.debtors import SimDebtor
from huikuan.sim.personas import Persona

TODAY = date(2026, 3, 10)
PERSONAS = [p for p in Persona if p != Persona.UNREACHABLE]


def _pin_one_core() -> int | None:
    """Run on one core (the figure is per core); returns the core, or None where unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def _percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(q * (len(sorted_ms) - 1)))]


def measure(lang: str, turns: int, seed: int) -> dict[str, float | int]:
    rng = random.Random(seed)
    script = load_script("reminder", lang)
    name, platform = ("王芳", "安心借") if lang == "zh-CN" else ("Alex Morgan", "EasyLoan")
    times: list[float] = []
    call = 0
    while len(times) < turns:
        call += 1
        person = SimDebtor(PERSONAS[call % len(PERSONAS)], rng.randrange(4), random.Random(f"{seed}:{call}"))
        ctx = CallContext(name, platform, 350_000, date(2026, 2, 18), TODAY, lang=lang, variant_seed=call)
        engine = DialogueEngine(script, ctx)
        reply = engine.start()
        while not reply.end:
            line = person.reply(reply.text)
            started = time.perf_counter_ns()
            _, reply = engine.step(line)
            times.append((time.perf_counter_ns() - started) / 1e6)
    times = sorted(times[:turns])
    return {
        "turns": len(times),
        "calls": call,
        "p50_ms": round(_percentile(times, 0.50), 3),
        "p95_ms": round(_percentile(times, 0.95), 3),
        "p99_ms": round(_percentile(times, 0.99), 3),
        "max_ms": round(times[-1], 3),
        "mean_ms": round(statistics.fmean(times), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    core = _pin_one_core()
    measure("zh-CN", 200, args.seed + 1)  # warm-up: loads the NLU model and scripts
    measure("en-US", 200, args.seed + 1)
    figures = {lang: measure(lang, args.turns, args.seed) for lang in ("zh-CN", "en-US")}
    print(
        json.dumps(
            {
                "bench": "dialogue_turn",
                "what": "DialogueEngine.step: NLU + policy + content guard + render, no LLM",
                "core": core,
                **{f"{lang}_{k}": v for lang, f in figures.items() for k, v in f.items()},
                "p95_target_ms": 20,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
