"""The call runtime under load: N robot calls conversing at once on real SIP/RTP (SIPp echoing
their audio back, so every turn runs VAD, ASR, NLU and TTS), measured while they talk.

For each N (default 20, 50, 100) and each runtime mode it prints the event loop's lag (how late
a 10 ms timer fires) p50/p99/max and the RTP send jitter (|interval − 20 ms|) p99:

- `after`: production: database work on `ThreadDb`, ASR in the speech process pool;
- `before`: the v1 choices: database work on the loop (`InlineDb`), ASR in threads
  (`HUIKUAN_ASR_PROCESSES=0`), for the before/after comparison.

Each (N, mode) runs in a fresh process on a throwaway SQLite database. Prints ONE JSON line.
Usage: .venv/bin/python bench/call_runtime.py [--calls 20 50 100] [--modes after before]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HOLD_MS = 15_000


def child(calls: int, mode: str, lang: str) -> dict[str, object]:
    from huikuan.db import make_engine, session_scope
    from huikuan.db.migrate import upgrade
    from huikuan.flows import InlineDb
    from huikuan.security import audit, crypto
    from tests.flows.load import run_calls, seed_debtors

    crypto.configure(bytes(range(32)))  # a throwaway key for a throwaway database

    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUIKUAN_DATA_DIR"] = tmp
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        with session_scope(engine) as s:
            work = seed_debtors(s, calls, lang)
        db = InlineDb() if mode == "before" else None
        figures, _ = asyncio.run(run_calls(engine, work, lang, hold_ms=HOLD_MS, db=db))
        engine.dispose()
    return {"mode": mode, "lang": lang, **figures.as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--modes", nargs="+", default=["after", "before"], choices=["after", "before"])
    parser.add_argument("--lang", default="en-US", choices=["en-US", "zh-CN"])
    parser.add_argument(
        "--remote-asr-ms",
        type=float,
        default=0.0,
        help="recognition on 'another machine': the http engine against bench/asr_standin.py "
        "answering after this many ms (0: the local engine)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.calls[0], args.modes[0], args.lang)))
        return
    runs = []
    remote = None
    extra_env: dict[str, str] = {}
    if args.remote_asr_ms > 0:
        standin = Path(__file__).with_name("asr_standin.py")
        remote = subprocess.Popen(
            [sys.executable, str(standin), "--latency-ms", str(args.remote_asr_ms)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert remote.stdout is not None
        port = int(remote.stdout.readline())
        extra_env = {
            "HUIKUAN_ASR_ENGINE": "http",
            "HUIKUAN_ASR_HTTP_BASE_URL": f"http://127.0.0.1:{port}/v1",
        }
    for calls in args.calls:
        for mode in args.modes:
            env = {**os.environ, "HUIKUAN_ASR_PROCESSES": "0" if mode == "before" else "1", **extra_env}
            argv = [sys.executable, __file__, "--child", "--calls", str(calls), "--modes", mode]
            out = subprocess.run(
                [*argv, "--lang", args.lang], env=env, capture_output=True, text=True, check=True
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if remote is not None:
        remote.kill()
        remote.wait()
    asr = f"remote stand-in, {args.remote_asr_ms:.0f} ms" if remote is not None else "local"
    print(
        json.dumps(
            {
                "bench": "call_runtime",
                "hold_s": HOLD_MS / 1000,
                "asr": asr,
                "load": os.getloadavg(),
                "runs": runs,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
