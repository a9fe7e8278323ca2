"""N concurrent answered SIP calls with RTP both ways against SIPp, from one or more processes.

SIPp (uas scenario with -rtp_echo) answers on loopback and echoes every RTP packet. Each call
sends a continuous 20 ms stream for --seconds. With --workers W the calls are spread over W
processes, each with its own `SipCarrier` (its own SIP socket, RTP sockets and pacer), as a
dialer runs one user agent per worker process. Prints ONE JSON line: calls held, RTP
send-interval jitter (|interval − 20 ms|) p50/p99/max over all calls, how late the pacer's
ticks started, how long they took in wall time and in CPU time (the difference is time the
OS gave to other processes mid-tick), garbage-collector pauses during the hold, packet loss
(echoed packets missing), CPU of the calling processes and of SIPp, and the machine's load
average (the box is shared; a loaded machine preempts the pacer).
Usage: .venv/bin/python bench/sip_concurrency.py --calls 300 --seconds 10 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from huikuan.telephony.sip import SipCall, SipCarrier, Trunk
from huikuan.types import CallOutcome
from tests.telephony.sip.sipp import Sipp


class GcPauses:
    """Durations of the cyclic garbage collector's passes while installed."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._start)


async def run(trunk: str, calls: int, first: int, seconds: float, cps: float) -> dict[str, Any]:
    """One process's share: dial, hold with RTP both ways, measure, hang up."""
    carrier = SipCarrier([Trunk.parse(trunk)])
    await carrier.start()
    t0 = time.monotonic()

    async def dial(i: int) -> SipCall:
        await asyncio.sleep(i / cps)  # a dialer paces call attempts (calls per second)
        return await carrier.dial(f"1380{first + i:07d}", "4000000000", 30)

    placed: list[SipCall] = list(await asyncio.gather(*(dial(i) for i in range(calls))))
    setup = time.monotonic() - t0
    up = [c for c in placed if c.result.outcome == CallOutcome.ANSWERED]
    for c in up:  # measure the held period only
        c.rtp.stats.intervals = type(c.rtp.stats.intervals)("d")
        c.rtp.stats.sent = c.rtp.stats.received = 0
        c.rtp.stats.first_seq = None
    pacer = carrier.pacer
    pacer.late, pacer.busy, pacer.cpu = (type(pacer.late)("d") for _ in range(3))
    pacer.timing = True  # from here: the held period only
    gc_pauses = GcPauses()
    gc.callbacks.append(gc_pauses)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    w0 = time.monotonic()
    await asyncio.sleep(seconds)  # the load period itself, not a synchronisation
    held = sum(1 for c in up if not c.ended)
    wall = time.monotonic() - w0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    gc.callbacks.remove(gc_pauses)
    # Let the last echoes come back before counting, then hang up everything.
    for c in up:
        c.rtp._pacer.remove(c.rtp)
    await asyncio.sleep(0.3)
    intervals = [np.frombuffer(c.rtp.stats.intervals, dtype=np.float64) for c in up]
    result = {
        "answered": len(up),
        "held": held,
        "setup_seconds": setup,
        "held_seconds": wall,
        "sent": sum(c.rtp.stats.sent for c in up),
        "received": sum(c.rtp.stats.received for c in up),
        "skipped": sum(c.rtp.stats.skipped_ticks for c in up),
        "intervals": np.concatenate(intervals or [np.zeros(1)]).tobytes(),
        "late": bytes(pacer.late),
        "busy": bytes(pacer.busy),
        "cpu_tick": bytes(pacer.cpu),
        "gc": gc_pauses.pauses,
        "cpu": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
        "parse_errors": carrier.ua.parse_errors,
    }
    await asyncio.gather(*(c.hangup() for c in up))
    await carrier.close()
    return result


def _worker(args: tuple[str, int, int, float, float]) -> dict[str, Any]:
    return asyncio.run(run(*args))


def _ms(raw: list[bytes], qs: tuple[int, ...], offset: float = 0.0) -> list[float]:
    values = np.abs(np.concatenate([np.frombuffer(r, dtype=np.float64) for r in raw]) - offset) * 1000
    return [round(float(np.percentile(values, q)), 3) for q in qs] + [round(float(values.max()), 3)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cps", type=float, default=100.0, help="new calls per second while ramping up")
    parser.add_argument("--workers", type=int, default=1, help="processes to spread the calls over")
    args = parser.parse_args()
    far = Sipp("uas_echo.xml", calls=args.calls, timeout=int(args.seconds) + 120)
    load_before = os.getloadavg()[0]
    try:
        shares = [args.calls // args.workers + (w < args.calls % args.workers) for w in range(args.workers)]
        jobs = [
            (far.trunk, n, sum(shares[:w]), args.seconds, args.cps / args.workers)
            for w, n in enumerate(shares)
        ]
        if args.workers == 1:
            parts = [_worker(jobs[0])]
        else:
            with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
                parts = pool.map(_worker, jobs)
        sipp_exit = far.finish(60)
        sipp_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        far.kill()
    sent = sum(p["sent"] for p in parts)
    received = sum(p["received"] for p in parts)
    jitter = _ms([p["intervals"] for p in parts], (50, 99), offset=0.02)
    gc_ms = [g * 1000 for p in parts for g in p["gc"]]
    held_seconds = max(p["held_seconds"] for p in parts)
    result = {
        "calls_requested": args.calls,
        "workers": args.workers,
        "calls_answered": sum(p["answered"] for p in parts),
        "calls_held": sum(p["held"] for p in parts),
        "setup_seconds": round(max(p["setup_seconds"] for p in parts), 2),
        "held_seconds": round(held_seconds, 2),
        "rtp_packets_sent": sent,
        "rtp_packets_echoed": received,
        "packet_loss": round(max(0.0, 1 - received / sent), 5) if sent else None,
        "send_jitter_ms_p50": jitter[0],
        "send_jitter_ms_p99": jitter[1],
        "send_jitter_ms_max": jitter[2],
        "tick_late_ms_p50_p99_max": _ms([p["late"] for p in parts], (50, 99)),
        "tick_busy_ms_p50_p99_max": _ms([p["busy"] for p in parts], (50, 99)),
        "tick_cpu_ms_p50_p99_max": _ms([p["cpu_tick"] for p in parts], (50, 99)),
        "gc_passes_during_hold": len(gc_ms),
        "gc_pause_ms_max": round(max(gc_ms), 3) if gc_ms else 0.0,
        "pacer_skipped_ticks": sum(p["skipped"] for p in parts),
        "cpu_percent_callers": round(100 * sum(p["cpu"] for p in parts) / held_seconds, 1),
        "parse_errors": sum(p["parse_errors"] for p in parts),
        "sipp_exit": sipp_exit,
        "sipp_cpu_seconds": round(sipp_cpu.ru_utime + sipp_cpu.ru_stime, 2),
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
