"""A robot call's live hand-off to an agent's phone (telephony.sip.bridge), against baresip on
loopback: the debtor's phone plays a 440 Hz tone, the agent's phone a 1 kHz tone; each records
what it hears, so the other side's pitch in a recording proves audio crossed the bridge."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from huikuan.telephony.sip import Credentials, SipCall, SipCarrier, Trunk
from huikuan.telephony.sip.bridge import AGENT, DEBTOR, HandOff, HandOffOutcome, hand_off
from huikuan.types import CallOutcome
from tests.telephony.sip.peers import Baresip, Kamailio, tone_seconds

NUMBER, CALLER = "13800000000", "4001234567"
DEBTOR_HZ, AGENT_HZ, ANNOUNCE_HZ, CALLBACK_HZ = 440, 1000, 700, 1600


def _tone(tmp: Path, name: str, hz: int, seconds: float, pad: float) -> Path:
    """A sine at `hz` for `seconds`, then `pad` seconds of silence: 8 kHz mono 16-bit WAV."""
    out = tmp / f"{name}.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed",
            str(out),
            "synth",
            str(seconds),
            "sine",
            str(hz),
            "vol",
            "0.5",
            "pad",
            "0",
            str(pad),
        ],
        check=True,
    )
    return out


def _sine(hz: int, seconds: float) -> np.ndarray:
    t = np.arange(int(8000 * seconds)) / 8000
    return (np.sin(2 * np.pi * hz * t) * 12000).astype(np.int16)


@pytest.fixture
def phones() -> Iterator[list[Baresip]]:
    started: list[Baresip] = []
    yield started
    for phone in reversed(started):
        phone.stop()


def _run(
    debtor_phone: Baresip, agent_uri: str, credentials: Credentials | None = None, **kwargs: object
) -> tuple[SipCall, HandOff, list[str], dict]:
    """Dial the debtor, hand them off to `agent_uri`; what rang when, and what the tap saw."""
    rang: list[str] = []
    tapped: dict[str, list[np.ndarray]] = {DEBTOR: [], AGENT: []}

    async def go() -> tuple[SipCall, HandOff]:
        carrier = SipCarrier([Trunk.parse(debtor_phone.trunk)], credentials=credentials)
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            assert call.result.outcome == CallOutcome.ANSWERED
            done = await hand_off(
                carrier,
                call,
                agent_uri,
                caller_id=CALLER,
                on_ringing=lambda: rang.append("ring"),
                tap=lambda who, frame, _at: tapped[who].append(frame),
                **kwargs,  # type: ignore[arg-type]
            )
            await call.hangup()
            return call, done
        finally:
            await carrier.close()

    call, done = asyncio.run(go())
    return call, done, rang, tapped


def test_bridged_transfer_carries_audio_both_ways_until_the_agent_hangs_up(
    tmp_path: Path, phones: list[Baresip]
) -> None:
    debtor = Baresip(tmp_path / "debtor", NUMBER, _tone(tmp_path, "debtor", DEBTOR_HZ, 20, 10))
    phones.append(debtor)
    # The agent's phone plays 3 s of its tone and hangs up at the end of its file.
    agent = Baresip(tmp_path / "agent", "agent", _tone(tmp_path, "agent", AGENT_HZ, 3, 0.5))
    phones.append(agent)

    call, done, rang, tapped = _run(
        debtor, f"sip:agent@127.0.0.1:{agent.port}", announcement=_sine(ANNOUNCE_HZ, 1.0)
    )
    assert done.outcome == HandOffOutcome.TRANSFERRED
    assert done.how == "bridge"
    assert done.agent_status == 200
    assert done.ended_by == AGENT
    assert rang == ["ring"]  # the pop's moment: the agent's phone rang
    assert call.hangup_cause == "local_bye"  # we hung the debtor up after the agent left
    assert debtor.wait_for("terminated")
    assert agent.wait_for("terminated")
    heard_by_agent, heard_by_debtor = agent.heard(), debtor.heard()
    # The agent heard the announcement, then the debtor's tone; the debtor heard the agent's tone.
    assert tone_seconds(heard_by_agent, ANNOUNCE_HZ) >= 0.8
    assert tone_seconds(heard_by_agent, DEBTOR_HZ) >= 1.0
    assert tone_seconds(heard_by_debtor, AGENT_HZ) >= 1.0
    assert tone_seconds(heard_by_debtor, DEBTOR_HZ) == 0.0  # no echo of their own line
    assert tone_seconds(heard_by_debtor, ANNOUNCE_HZ) == 0.0  # the announcement is the agent's only
    # The recording tap got both directions, each with the right side's pitch.
    assert tone_seconds(np.concatenate(tapped[DEBTOR]), DEBTOR_HZ) >= 1.0
    assert tone_seconds(np.concatenate(tapped[AGENT]), AGENT_HZ) >= 1.0
    assert done.relayed[0] >= 50
    assert done.relayed[1] >= 50


def test_an_agent_phone_behind_the_floor_s_proxy_is_reached_through_it_with_digest_auth(
    tmp_path: Path, phones: list[Baresip]
) -> None:
    """The floor's agent phones sit behind a proxy (Kamailio, digest auth on every new INVITE and
    on our BYE): the agent leg authenticates, is relayed to the phone, and audio crosses."""
    debtor = Baresip(tmp_path / "debtor", NUMBER, _tone(tmp_path, "debtor", DEBTOR_HZ, 20, 10))
    phones.append(debtor)
    agent = Baresip(tmp_path / "agent", "agent", _tone(tmp_path, "agent", AGENT_HZ, 3, 0.5))
    phones.append(agent)
    proxy = Kamailio(tmp_path / "proxy", agent.port, "floor", "s3cret-floor", CALLER)
    try:
        call, done, rang, _ = _run(
            debtor, f"sip:agent@127.0.0.1:{proxy.port}", credentials=Credentials("floor", "s3cret-floor")
        )
        log = proxy.output()
    finally:
        proxy.stop()
    assert done.outcome == HandOffOutcome.TRANSFERRED
    assert done.how == "bridge"
    assert done.agent_status == 200
    assert rang == ["ring"]
    assert "challenge INVITE" in log  # the agent leg was challenged, answered, and relayed
    assert "relay INVITE" in log
    assert agent.wait_for("terminated")
    assert tone_seconds(agent.heard(), DEBTOR_HZ) >= 1.0
    assert tone_seconds(debtor.heard(), AGENT_HZ) >= 1.0
    assert call.hangup_cause == "local_bye"


def test_an_agent_who_does_not_answer_leaves_the_debtor_a_callback_message(
    tmp_path: Path, phones: list[Baresip]
) -> None:
    debtor = Baresip(tmp_path / "debtor", NUMBER, _tone(tmp_path, "debtor", DEBTOR_HZ, 2, 30))
    phones.append(debtor)
    agent = Baresip(
        tmp_path / "agent", "agent", _tone(tmp_path, "agent", AGENT_HZ, 3, 0), answermode="manual"
    )
    phones.append(agent)

    call, done, rang, tapped = _run(
        debtor,
        f"sip:agent@127.0.0.1:{agent.port}",
        ring_timeout=2.0,
        callback_message=_sine(CALLBACK_HZ, 1.5),
    )
    assert done.outcome == HandOffOutcome.NO_ANSWER
    assert done.how == "bridge"
    assert rang == ["ring"]
    assert tapped == {DEBTOR: [], AGENT: []}
    assert call.hangup_cause == "local_bye"  # the debtor stayed on until we ended the call
    assert debtor.wait_for("terminated")
    assert tone_seconds(debtor.heard(), CALLBACK_HZ) >= 1.0
    assert tone_seconds(debtor.heard(), AGENT_HZ) == 0.0


def test_a_trunk_with_refer_hands_the_debtor_over_by_refer(tmp_path: Path, phones: list[Baresip]) -> None:
    agent = Baresip(tmp_path / "agent", "agent", _tone(tmp_path, "agent", AGENT_HZ, 3, 0.5))
    phones.append(agent)
    debtor = Baresip(tmp_path / "debtor", NUMBER, _tone(tmp_path, "debtor", DEBTOR_HZ, 4, 0.5))
    phones.append(debtor)
    trunk = Trunk.parse(debtor.trunk).with_settings(refer=True)
    rang: list[str] = []

    async def go() -> tuple[SipCall, HandOff]:
        carrier = SipCarrier([trunk])
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            done = await hand_off(
                carrier,
                call,
                f"sip:agent@127.0.0.1:{agent.port}",
                caller_id=CALLER,
                on_ringing=lambda: rang.append("ring"),
            )
            return call, done
        finally:
            await carrier.close()

    call, done = asyncio.run(go())
    assert done == HandOff(HandOffOutcome.TRANSFERRED, "refer")
    assert call.hangup_cause == "transferred"
    assert rang == ["ring"]
    assert agent.wait_for("Call established")
    assert agent.wait_for("terminated", timeout=30)
    assert tone_seconds(agent.heard(), DEBTOR_HZ) >= 1.0
    # The debtor's phone heard the agent on its own call to them (baresip names its dumps by
    # the second, so the later leg's file may hold both).
    assert tone_seconds(debtor.heard(), AGENT_HZ) >= 1.0
