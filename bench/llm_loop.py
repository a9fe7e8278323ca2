"""Event-loop lag while a dialogue step waits on a late LLM, on and off the loop: one JSON line.

A call's conversation stage runs `DialogueEngine.step` on a thread when the engine has an LLM
(`converse(off_loop=True)`), so the loop that carries every call's audio keeps its timers. This
measures how late a 10 ms timer fires while 4 conversations each wait on an LLM that answers only
at its deadline (the local stand-in server, `tests/dialogue/llm_server.py`), with the step on the
loop and off it, and what a step costs on a thread when no LLM is asked.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huikuan.dialogue import CallContext, DialogueEngine, Intent, load_script  # noqa: E402
from huikuan.dialogue.llm import LlmConfig, LlmTransport  # noqa: E402
from huikuan.dialogue.nlu import Emotion, Entities, NluResult  # noqa: E402
from huikuan.flows import Conversation, converse  # noqa: E402
from tests.dialogue.llm_server import LlmServer, Scripted  # noqa: E402
from tests.flows.fakes import ScriptedCall  # noqa: E402

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
DEADLINE = 0.3
CALLS = 4


def _unsure(text: str, lang: str, today: date) -> NluResult:
    return NluResult(Intent.OTHER, 0.1, Entities(), Emotion.NEUTRAL)


def _engine(transport: LlmTransport | None) -> DialogueEngine:
    ctx = CallContext("王芳", "安心借", 350_000, date(2026, 2, 18), date(2026, 3, 10), now=NOW)
    responder = transport.client() if transport is not None else None
    return DialogueEngine(load_script("reminder", "zh-CN"), ctx, classify=_unsure, responder=responder)


async def _max_lag(work: asyncio.Future[object]) -> float:
    worst = 0.0
    while not work.done():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - started - 0.01)
    return worst


async def _lag(transport: LlmTransport, off_loop: bool) -> float:
    calls = [
        converse(
            ScriptedCall(["嗯哼"]), _engine(transport), Conversation(NOW), max_turns=2, off_loop=off_loop
        )
        for _ in range(CALLS)
    ]
    work = asyncio.ensure_future(asyncio.gather(*calls))
    lag = await _max_lag(work)
    await work
    return lag


async def _thread_step_cost(rounds: int = 200) -> float:
    engine = _engine(None)
    engine.start()
    started = time.perf_counter()
    for _ in range(rounds):
        await asyncio.to_thread(engine._understand, "嗯哼")
    threaded = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        engine._understand("嗯哼")
    inline = (time.perf_counter() - started) / rounds
    return threaded - inline


def main() -> None:
    server = LlmServer(default=Scripted('{"intent": "callback_later"}', slow=True), hold_limit=5.0)
    with server, LlmTransport(LlmConfig(server.base_url, "bench", None, DEADLINE)) as transport:
        on_loop = asyncio.run(_lag(transport, off_loop=False))
        off_loop = asyncio.run(_lag(transport, off_loop=True))
    overhead = asyncio.run(_thread_step_cost())
    print(
        json.dumps(
            {
                "bench": "llm_loop",
                "llm_deadline_s": DEADLINE,
                "calls_waiting": CALLS,
                "max_timer_lag_ms_step_on_loop": round(on_loop * 1000, 1),
                "max_timer_lag_ms_step_off_loop": round(off_loop * 1000, 1),
                "to_thread_overhead_ms_per_step": round(overhead * 1000, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
