"""The trunk circuit breaker: pure transitions, and the OPTIONS probe against real peers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from huikuan.telephony.health import TrunkHealth
from huikuan.telephony.sip import SipCarrier, Trunk
from huikuan.telephony.sip.transaction import Timers
from tests.telephony.sip.sipp import Sipp


def test_k_trunk_failures_in_a_row_take_the_trunk_down_once() -> None:
    health = TrunkHealth(threshold=3, first_probe=5, max_probe=20)
    assert not health.call_ended(trunk_failed=True, now=0)
    assert not health.call_ended(trunk_failed=False, now=1)  # a real call in between resets
    went_down = [health.call_ended(trunk_failed=True, now=t, cause="trunk:transport") for t in (2, 3, 4, 5)]
    assert went_down == [False, False, True, False]  # down once (one WARNING), not on every call
    assert not health.up
    assert health.reason == "trunk:transport"
    assert health.next_probe_at == 9


def test_probes_back_off_until_one_is_answered() -> None:
    health = TrunkHealth(threshold=1, first_probe=5, max_probe=20)
    health.call_ended(trunk_failed=True, now=0)
    assert not health.probe_due(4.9)
    assert health.probe_due(5)
    due = []
    now = 5.0
    for _ in range(4):
        assert not health.probe_result(answered=False, now=now)
        assert health.next_probe_at is not None
        due.append(health.next_probe_at - now)
        now = health.next_probe_at
    assert due == [10, 20, 20, 20]  # doubling, capped
    assert health.probe_result(answered=True, now=now)
    assert health.up
    assert (health.failures, health.reason, health.next_probe_at) == (0, None, None)
    assert not health.probe_result(answered=True, now=now)  # already up: nothing to announce


def test_the_probe_is_answered_by_a_live_trunk_and_not_by_a_closed_port(sipp: Callable[..., Sipp]) -> None:
    far = sipp("uas_options.xml", echo=False)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])

    async def go() -> tuple[bool, bool]:
        dead = SipCarrier([Trunk.parse(f"sip:127.0.0.1:{closed}")], timers=Timers(t1=2.0))
        live = SipCarrier([Trunk.parse(f"sip:10086@127.0.0.1:{far.port}")])
        try:
            return await dead.probe(), await live.probe()
        finally:
            await dead.close()
            await live.close()

    dead_answered, live_answered = asyncio.run(go())
    assert not dead_answered  # the ICMP error, well before Timer B (64 s here)
    assert live_answered
    assert far.finish() == 0
