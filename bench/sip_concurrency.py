"""N concurrent answered SIP calls with RTP both ways, from one asyncio process, against SIPp.

SIPp (uas scenario with -rtp_echo) answers on loopback and echoes every RTP packet. Each call
sends a continuous 20 ms stream for --seconds. Prints ONE JSON line: calls held, RTP send-interval
jitter (|interval − 20 ms|) p50/p99/max, packet loss (echoed packets missing), CPU of this process
and of SIPp. Usage: .venv/bin/python bench/sip_concurrency.py --calls 300 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from huikuan.telephony.sip import SipCall, SipCarrier, Trunk
from huikuan.types import CallOutcome
from tests.telephony.sip.sipp import Sipp


async def run(calls: int, seconds: float, far: Sipp, cps: float) -> dict[str, object]:
    carrier = SipCarrier([Trunk.parse(far.trunk)])
    await carrier.start()
    t0 = time.monotonic()

    async def dial(i: int) -> SipCall:
        await asyncio.sleep(i / cps)  # a dialer paces call attempts (calls per second)
        return await carrier.dial(f"1380{i:07d}", "4000000000", 30)

    placed: list[SipCall] = list(await asyncio.gather(*(dial(i) for i in range(calls))))
    setup = time.monotonic() - t0
    up = [c for c in placed if c.result.outcome == CallOutcome.ANSWERED]
    for c in up:  # measure the held period only
        c.rtp.stats.intervals = type(c.rtp.stats.intervals)("d")
        c.rtp.stats.sent = c.rtp.stats.received = 0
        c.rtp.stats.first_seq = None
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    w0 = time.monotonic()
    await asyncio.sleep(seconds)  # the load period itself, not a synchronisation
    held = sum(1 for c in up if not c.ended)
    wall = time.monotonic() - w0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    # Let the last echoes come back before counting, then hang up everything.
    for c in up:
        c.rtp._pacer.remove(c.rtp)
    await asyncio.sleep(0.3)
    sent = sum(c.rtp.stats.sent for c in up)
    received = sum(c.rtp.stats.received for c in up)
    intervals = np.concatenate(
        [np.frombuffer(c.rtp.stats.intervals, dtype=np.float64) for c in up] or [np.zeros(1)]
    )
    jitter_ms = np.abs(intervals - 0.02) * 1000
    skipped = sum(c.rtp.stats.skipped_ticks for c in up)
    await asyncio.gather(*(c.hangup() for c in up))
    await carrier.close()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "calls_requested": calls,
        "calls_answered": len(up),
        "calls_held": held,
        "setup_seconds": round(setup, 2),
        "held_seconds": round(wall, 2),
        "rtp_packets_sent": sent,
        "rtp_packets_echoed": received,
        "packet_loss": round(max(0.0, 1 - received / sent), 5) if sent else None,
        "send_jitter_ms_p50": round(float(np.percentile(jitter_ms, 50)), 3),
        "send_jitter_ms_p99": round(float(np.percentile(jitter_ms, 99)), 3),
        "send_jitter_ms_max": round(float(jitter_ms.max()), 3),
        "pacer_skipped_ticks": skipped,
        "cpu_percent_this_process": round(100 * cpu / wall, 1),
        "parse_errors": carrier.ua.parse_errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cps", type=float, default=100.0, help="new calls per second while ramping up")
    args = parser.parse_args()
    far = Sipp("uas_echo.xml", calls=args.calls, timeout=int(args.seconds) + 120)
    try:
        result = asyncio.run(run(args.calls, args.seconds, far, args.cps))
        result["sipp_exit"] = far.finish(60)
        sipp_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        result["sipp_cpu_seconds"] = round(sipp_cpu.ru_utime + sipp_cpu.ru_stime, 2)
    finally:
        far.kill()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
