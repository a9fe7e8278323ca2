"""A simulated carrier: each number behaves as its hidden `sim_line` truth and persona say.

Deterministic per seed: a call's randomness comes from (seed, number, n-th dial of it), so the
same day replays identically. Nothing sleeps; durations are virtual seconds.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import Clock
from huikuan.portfolio.models import Contact, Debtor
from huikuan.sim.debtors import SimDebtor
from huikuan.sim.models import SimLine, SimPersona
from huikuan.sim.personas import LineTruth, Persona
from huikuan.telephony.carrier import DialResult
from huikuan.types import CallOutcome, Relation

# Probability that a live, reachable person picks up, by local hour.
HOURLY_ANSWER = {8: 0.45, 9: 0.6, 10: 0.65, 11: 0.6, 12: 0.5, 13: 0.5, 14: 0.6, 15: 0.6, 16: 0.6, 17: 0.55}
HOURLY_ANSWER.update({18: 0.65, 19: 0.7, 20: 0.7, 21: 0.55})
PERSONA_ANSWER = {
    Persona.FORGETFUL: 0.85,
    Persona.HARDSHIP: 0.75,
    Persona.UNWILLING: 0.45,
    Persona.DISPUTING: 0.7,
    Persona.ABUSIVE: 0.6,
    Persona.THIRD_PARTY_ANSWERS: 0.7,
    Persona.UNREACHABLE: 0.05,
}
CHARS_PER_SECOND = 4.0  # Mandarin speech rate of the robot voice and of people


@dataclass(frozen=True, slots=True)
class Subscriber:
    """The hidden truth behind one number."""

    truth: LineTruth
    persona: Persona
    temper: int
    is_debtor: bool
    timezone: str = "Asia/Shanghai"


class SimulatedCall:
    def __init__(self, result: DialResult, person: SimDebtor | None, rng: random.Random) -> None:
        self._result = result
        self._person = person
        self._rng = rng
        self._talk = 0.0
        self._last_robot = ""
        self._hung_up = False
        self._ended = False

    @property
    def result(self) -> DialResult:
        return self._result

    @property
    def talk_seconds(self) -> float:
        return self._talk

    @property
    def remote_hung_up(self) -> bool:
        return self._hung_up

    async def say(self, text: str) -> None:
        self._require_live()
        self._talk += len(text) / CHARS_PER_SECOND + 0.3
        self._last_robot = text

    async def hear(self) -> str | None:
        self._require_live()
        assert self._person is not None  # noqa: S101 - _require_live guarantees an answered call
        line = self._person.reply(self._last_robot)
        self._talk += self._rng.uniform(0.8, 2.5)  # thinking before speaking
        if line is None:
            self._talk += 4.0  # silence timeout
            return None
        self._talk += len(line) / CHARS_PER_SECOND
        if self._person.persona == Persona.ABUSIVE and self._rng.random() < 0.05 * self._person.temper:
            self._hung_up = True
        return line

    async def hangup(self) -> None:
        self._ended = True

    def _require_live(self) -> None:
        if self._result.outcome != CallOutcome.ANSWERED or self._ended or self._hung_up:
            raise RuntimeError("no live call to talk on")


class SimulatedCarrier:
    """Answers by the hidden persona and line truth; hour-of-day answer rates; no real sleeping."""

    def __init__(self, directory: Mapping[str, Subscriber], clock: Clock, seed: int = 7) -> None:
        self._directory = directory
        self._clock = clock
        self._seed = seed
        self._dials: defaultdict[str, int] = defaultdict(int)

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> SimulatedCall:
        self._dials[number] += 1
        rng = random.Random(f"{self._seed}:{number}:{self._dials[number]}")  # noqa: S311 - simulation
        sub = self._directory.get(number)
        if sub is None:
            return SimulatedCall(DialResult(CallOutcome.INVALID_NUMBER, rng.uniform(2, 5)), None, rng)
        result = self._dial_result(sub, rng, ring_timeout)
        # Post-dial delay: Chinese mobile networks take a few seconds to route before ringing.
        result = DialResult(result.outcome, result.setup_seconds + rng.uniform(2, 6))
        person = None
        if result.outcome == CallOutcome.ANSWERED:
            person = SimDebtor(sub.persona, sub.temper, rng, is_debtor=sub.is_debtor)
        return SimulatedCall(result, person, rng)

    def _dial_result(self, sub: Subscriber, rng: random.Random, ring_timeout: float) -> DialResult:
        def no_answer() -> DialResult:
            return DialResult(CallOutcome.NO_ANSWER, min(ring_timeout, rng.uniform(35, 45)))

        if sub.truth == LineTruth.INVALID:
            return DialResult(CallOutcome.INVALID_NUMBER, rng.uniform(2, 6))
        if sub.truth == LineTruth.POWERED_OFF:
            return DialResult(CallOutcome.POWERED_OFF, rng.uniform(2, 6))
        if sub.truth == LineTruth.NEVER_ANSWERS:
            return DialResult(CallOutcome.REJECTED, rng.uniform(5, 15)) if rng.random() < 0.1 else no_answer()
        hour = self._clock.now().astimezone(ZoneInfo(sub.timezone)).hour
        p_answer = HOURLY_ANSWER.get(hour, 0.2) * (PERSONA_ANSWER[sub.persona] if sub.is_debtor else 0.7)
        roll = rng.random()
        if roll < p_answer:
            return DialResult(CallOutcome.ANSWERED, rng.uniform(5, 15))
        if roll < p_answer + 0.06:
            return DialResult(CallOutcome.BUSY, rng.uniform(3, 8))
        if roll < p_answer + 0.12:
            return DialResult(CallOutcome.REJECTED, rng.uniform(5, 15))
        return no_answer()


def load_directory(session: Session, debtor_ids: set[int] | None = None) -> dict[str, Subscriber]:
    """Numbers → hidden truths, read once from the simulation tables (decrypts numbers)."""
    query = (
        select(
            Contact.number,
            Contact.relation,
            SimLine.truth,
            SimPersona.persona,
            SimPersona.temper,
            Debtor.timezone,
        )
        .join(SimLine, SimLine.contact_id == Contact.id)
        .join(Debtor, Debtor.id == Contact.debtor_id)
        .outerjoin(SimPersona, SimPersona.debtor_id == Contact.debtor_id)
    )
    if debtor_ids is not None:
        query = query.where(Contact.debtor_id.in_(debtor_ids))
    directory: dict[str, Subscriber] = {}
    for number, relation, truth, persona, temper, tz in session.execute(query):
        directory.setdefault(
            number,
            Subscriber(
                truth=LineTruth(truth),
                persona=Persona(persona or Persona.FORGETFUL),
                temper=int(temper or 0),
                is_debtor=relation == Relation.SELF,
                timezone=tz,
            ),
        )
    return directory
