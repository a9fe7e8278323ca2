"""Answering-machine detection on a dialer call over SIP (SIPp far end streaming rendered audio).

- a voicemail greeting with its beep: the robot says only the voicemail script's limited-content
  message, after the beep, and the attempt's outcome is `voicemail`;
- a live "Hello?": the normal script's opening;
- a US call no agent can take (abandoned): the identification message, then the hang-up.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.dialogue import load_script
from huikuan.flows import AnswerRoute, CallResult, CallWork, place_call
from huikuan.outcomes.models import CallAttempt, Turn
from huikuan.telephony.sip.call import Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome, Disposition
from huikuan.voice.audio import write_wav
from huikuan.voice.repository import recordings_for_attempt
from tests import factories
from tests.telephony.sip.sipp import Sipp
from tests.telephony.test_voice_e2e import VOICED_RMS, FarEndEar
from tests.voice.amd_render import Case, render_case, speech_end_ms

SCENARIO = Path(__file__).parent / "scenarios" / "uas_greet.xml"
DAY = date(2026, 3, 10)
CALLBACK = "400 800 1234"
VOICEMAIL_ZH = Case(
    "sip-cmn-vm", "cmn", "您好，您拨打的用户暂时无法接听，请在提示音后留言。", machine=True, beep_hz=1000
)
HELLO_EN = Case("sip-en-hello", "en-us", "Hello?", machine=False)
WEI_ZH = Case("sip-cmn-wei", "cmn", "喂？", machine=False)


def _work(session: Session, lang: str) -> CallWork:
    batch = factories.creditor_and_batch(session)
    us = lang == "en-US"
    tz = "America/New_York" if us else "Asia/Shanghai"
    debtor = factories.debtor(session, tz=tz, name="Jane Roe" if us else "张伟")
    debtor.jurisdiction = "US" if us else "CN"
    debtor.ai_voice_consent = True
    debtor.dialect = "en" if us else "cmn"
    account = factories.account(session, debtor, batch, as_of=DAY)
    contact = factories.contact(session, debtor)
    session.commit()
    return CallWork(
        account_id=account.id,
        contact=contact,
        number="1000",
        debtor_name="Jane Roe" if us else "张伟",
        platform="EasyLoan" if us else "易贷",
        amount_fen=account.overdue,
        due_date=account.due_date,
        today=DAY,
        timezone=tz,
        dialect=debtor.dialect,
        callback_number=CALLBACK,
        agent_name="Ms. Lee" if us else "李女士",
        amd=True,
    )


def _call(
    session: Session,
    tmp_path: Path,
    work: CallWork,
    lang: str,
    case: Case,
    route: AnswerRoute | None = None,
    hangup_ms: int = 25_000,
) -> tuple[CallResult, list[tuple[float, float]], float]:
    """Place the call against SIPp streaming `case`; the result, the robot's packets (arrival,
    RMS) and the loop time of the dial."""
    wav = tmp_path / f"{case.id}.wav"
    write_wav(tmp_path / f"{case.id}.pcm.wav", render_case(case))
    subprocess.run(
        ["sox", str(tmp_path / f"{case.id}.pcm.wav"), "-r", "8000", "-c", "1", "-e", "u-law", str(wav)],
        check=True,
    )
    tz = ZoneInfo(work.timezone)
    clock = VirtualClock(datetime(2026, 3, 10, 11, tzinfo=tz))
    route_answer = (lambda *_: route) if route is not None else None

    async def dial(far: Sipp, ear_sock: socket.socket) -> tuple[CallResult, list[tuple[float, float]], float]:
        loop = asyncio.get_running_loop()
        ear = FarEndEar()
        transport, _ = await loop.create_datagram_endpoint(lambda: ear, sock=ear_sock)
        carrier = SipCarrier([Trunk.parse(far.trunk)])
        try:
            t0 = loop.time()
            result = await place_call(
                session,
                work,
                carrier,
                clock,
                "R01",
                script=load_script("reminder", lang),
                ring_timeout=5,
                route_answer=route_answer,
            )
            return result, list(ear.packets), t0
        finally:
            await carrier.close()
            transport.close()

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ear_sock:
        ear_sock.bind(("127.0.0.1", 0))
        keys = {
            "sink_port": str(ear_sock.getsockname()[1]),
            "hangup_ms": str(hangup_ms),
            "greeting": str(wav),
        }
        far = Sipp(str(SCENARIO), keys=keys, echo=False, timeout=60)
        try:
            out = asyncio.run(dial(far, ear_sock))
            session.commit()
            assert far.finish(15) == 0
        finally:
            far.kill()
    return out


def _turns(session: Session, attempt_id: int | None) -> list[Turn]:
    return list(session.scalars(select(Turn).where(Turn.attempt_id == attempt_id).order_by(Turn.seq)))


def test_a_voicemail_greeting_hears_only_the_voicemail_message_after_the_beep(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_DATA_DIR", str(tmp_path))
    work = _work(session, "zh-CN")
    result, packets, t0 = _call(session, tmp_path, work, "zh-CN", VOICEMAIL_ZH)

    assert result.outcome == CallOutcome.VOICEMAIL
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.outcome == CallOutcome.VOICEMAIL
    assert attempt.status == "completed"
    assert not attempt.conversation
    # The verdict is kept on the attempt: machine, on the beep, decided after the greeting.
    assert attempt.amd_verdict == "machine"
    assert attempt.amd_reason == "beep"
    assert attempt.amd_ms is not None
    assert attempt.amd_ms >= speech_end_ms(VOICEMAIL_ZH) - 1000
    (turn,) = _turns(session, attempt.id)  # one message, nothing heard, no NLU
    assert turn.speaker == "robot"
    assert turn.node == "message"
    assert "回电" in turn.text
    assert "欠" not in turn.text
    assert "还款" not in turn.text
    voiced = [at for at, rms in packets if rms > VOICED_RMS]
    assert len(voiced) > 100  # the message went out as audio
    # not over the greeting: the first word comes after the beep ended (the greeting starts
    # after the answer, so after the dial)
    assert voiced[0] - t0 >= speech_end_ms(VOICEMAIL_ZH) / 1000
    (recording,) = recordings_for_attempt(session, attempt.id)
    assert recording.seconds > speech_end_ms(VOICEMAIL_ZH) / 1000  # the greeting is on it


@pytest.mark.parametrize(("lang", "case"), [("en-US", HELLO_EN), ("zh-CN", WEI_ZH)], ids=["hello", "wei"])
def test_a_live_answer_gets_the_normal_script(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, case: Case
) -> None:
    monkeypatch.setenv("HUIKUAN_DATA_DIR", str(tmp_path))
    work = _work(session, lang)
    # the person hangs up a few seconds after the robot's opening: enough to see who spoke
    result, packets, t0 = _call(session, tmp_path, work, lang, case, hangup_ms=6000)

    assert result.outcome == CallOutcome.ANSWERED
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.amd_verdict == "human"
    assert attempt.amd_reason is not None
    assert attempt.amd_ms is not None
    assert 0 < attempt.amd_ms < speech_end_ms(case) + 2500
    turns = _turns(session, result.attempt_id)
    assert turns[0].speaker == "robot"
    assert turns[0].node == load_script("reminder", lang).start
    assert all(t.node != "message" for t in turns)
    voiced = [at for at, rms in packets if rms > VOICED_RMS]
    # the robot spoke soon after the person's greeting (AMD decided on the short greeting)
    assert voiced
    assert voiced[0] - t0 < speech_end_ms(case) / 1000 + 2.5


def test_a_us_abandoned_call_plays_the_identification_message(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_DATA_DIR", str(tmp_path))
    work = _work(session, "en-US")
    result, packets, _ = _call(session, tmp_path, work, "en-US", HELLO_EN, route=AnswerRoute.ABANDONED)

    assert result.outcome == CallOutcome.ANSWERED
    assert result.disposition == Disposition.ABANDONED
    (turn,) = _turns(session, result.attempt_id)
    assert turn.speaker == "robot"
    assert "EasyLoan" in turn.text
    assert CALLBACK in turn.text
    assert sum(1 for _, rms in packets if rms > VOICED_RMS) > 100  # spoken, then the hang-up
