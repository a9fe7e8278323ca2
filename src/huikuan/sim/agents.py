"""What a simulated human agent gets from a simulated debtor on the phone: the hidden persona
decides, a seeded draw per call, as `payments.py` decides whether a promise is kept.

ASSUMPTION (not a finding): a person at the desk gets a promise more often than the robot from
the debtors a script serves worst, the ones in hardship and the unwilling, and about as often
from the rest. The odds below are the simulation's, chosen after the published field evidence
issue 17 cites (a large Chinese lender: AI callers recover less than humans on later days of a
case, and moving a case to a person around day 6 closes most of that gap); they are not measured
here. For comparison, the simulated debtor hearing the robot's reminder (`debtors.py`) promises
at once in about 0.6-0.7 of the calls when forgetful, about 0.1 when in hardship (most ask for a
plan) and rarely when unwilling (who refuse in 0.55). Whether a promise is then kept is the same
draw for robot and human promises (`payments.KEEPING`): the person gets more promises, not
better ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from huikuan.sim.personas import Persona

# Chance the debtor picks up the agent's call back (the robot's call connected a moment ago).
ANSWER: dict[Persona, float] = {Persona.UNREACHABLE: 0.2}
DEFAULT_ANSWER = 0.75
# Chance a debtor who picked up promises to pay the person (the rest refuse, dispute, hang up).
HUMAN_PROMISE: dict[Persona, float] = {
    Persona.FORGETFUL: 0.80,
    Persona.HARDSHIP: 0.60,  # often part of the amount: see PARTIAL
    Persona.UNWILLING: 0.35,
    Persona.DISPUTING: 0.10,
    Persona.ABUSIVE: 0.10,
    Persona.THIRD_PARTY_ANSWERS: 0.0,  # someone else: the agent takes no promise
    Persona.UNREACHABLE: 0.40,
}
PARTIAL: dict[Persona, float] = {Persona.HARDSHIP: 0.5}  # share of the outstanding promised
PROMISE_DAYS = 3  # the promised date: in three days
TALK_SECONDS = (120, 420)  # a person talks longer than the robot
WRAP_SECONDS = 60
NO_ANSWER_SECONDS = 40


class AgentCallEnd(StrEnum):
    NO_ANSWER = "no_answer"
    PROMISE = "promise"
    REFUSED = "refused"
    DISPUTE = "dispute"
    WRONG_PARTY = "wrong_party"


@dataclass(frozen=True, slots=True)
class AgentCall:
    end: AgentCallEnd
    talk_seconds: int
    promise_share: float = 0.0  # of the outstanding, when end is PROMISE


def agent_call(persona: Persona | None, *, seed: int, debtor_seed: int, attempt_id: int) -> AgentCall:
    """What happens when an agent calls this debtor (None: not simulated, never answers)."""
    if persona is None:
        return AgentCall(AgentCallEnd.NO_ANSWER, 0)
    rng = random.Random(f"agent:{seed}:{debtor_seed}:{attempt_id}")
    if rng.random() >= ANSWER.get(persona, DEFAULT_ANSWER):
        return AgentCall(AgentCallEnd.NO_ANSWER, 0)
    talk = rng.randint(*TALK_SECONDS)
    if persona == Persona.THIRD_PARTY_ANSWERS:
        return AgentCall(AgentCallEnd.WRONG_PARTY, talk // 3)
    if rng.random() < HUMAN_PROMISE[persona]:
        return AgentCall(AgentCallEnd.PROMISE, talk, PARTIAL.get(persona, 1.0))
    if persona == Persona.DISPUTING:
        return AgentCall(AgentCallEnd.DISPUTE, talk)
    return AgentCall(AgentCallEnd.REFUSED, talk)
