"""Simulated debtors speak: persona-driven, varied replies to what the robot says.

A simulated debtor hears only the robot's text (as a person hears only the voice), recognises
what kind of line it is from cues in it (identity question, reminder, "how much?", read-back,
warning, goodbye, …), decides what to say as their persona and temper would (an act, labelled
with the intent it expresses), and words it through `sim.speech`: templates × slot values ×
fillers × speech-recognition noise, in the language the robot spoke. Persona and temper are the
hidden truths from `sim_persona`; everything is drawn from the call's seeded `rng`, so a day
replays identically.

Numbers that are "unreachable" in the simulation and still pick up are reassigned numbers: the
person who answers is a stranger (wrong number).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from enum import StrEnum

from huikuan.sim.personas import Persona
from huikuan.sim.speech import Act, Voice, speak


class Cue(StrEnum):
    """What kind of robot line was heard."""

    GOODBYE = "goodbye"
    WARNING = "warning"
    THIRD_PARTY_MESSAGE = "third_party_message"
    IDENTITY = "identity"
    READBACK = "readback"
    ASK_AMOUNT = "ask_amount"
    ASK_DATE = "ask_date"
    PLAN_OFFER = "plan_offer"
    PARTIAL = "partial"
    REMINDER = "reminder"
    REPROMPT = "reprompt"
    OTHER = "other"


# First match wins; each cue in both languages. Broad on purpose: scripts change, people don't.
# A reminder often ends in a question ("您看什么时候可以还款？"), so the debt cues come before the
# "how much / which day" cues, and offers (which mention the debt too) before the reminder.
_CUES: tuple[tuple[Cue, tuple[str, ...]], ...] = (
    (Cue.GOODBYE, ("再见", "goodbye", "bye")),
    (Cue.WARNING, ("文明沟通", "respectful")),
    (Cue.THIRD_PARTY_MESSAGE, ("转告他", "转告她", "转告一下", "return our call", "ask them to")),
    (Cue.READBACK, ("对吗", "是吗？", "is that right", "is that correct")),
    (Cue.IDENTITY, ("本人", "speaking with", "speak with")),
    (Cue.PLAN_OFFER, ("分期", "每期", "installment", "per month", "a month")),
    (Cue.PARTIAL, ("先还一部分", "部分", "partial")),
    (Cue.REMINDER, ("逾期", "应还", "到期日", "overdue", "past due", "amount due", "was due")),
    (Cue.ASK_AMOUNT, ("还多少", "多少钱？", "how much")),
    (Cue.ASK_DATE, ("哪天", "什么时候", "what day", "when would", "when can")),
    (Cue.REPROMPT, ("没有听清", "再说一遍", "didn't catch", "say it again")),
)
_ASKS_NAME = re.compile(r"\bAre you [A-Z]|\bare you [A-Z]")


def hear(robot_text: str) -> Cue:
    """The kind of robot line `robot_text` is, by its cues."""
    lowered = robot_text.lower()
    for cue, words in _CUES:
        if cue == Cue.PLAN_OFFER and _ASKS_NAME.search(robot_text):
            return Cue.IDENTITY  # "Are you Alex Morgan?" (checked here: it needs the capital)
        if any(w in lowered for w in words):
            return cue
    return Cue.OTHER


def _language_of(text: str) -> str:
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "zh-CN" if cjk * 4 >= len(text.strip()) or cjk > 8 else "en-US"


Weighted = tuple[tuple[Act, float], ...]

# What each persona says when reminded of the debt (the heart of the call).
ON_REMINDER: dict[Persona, Weighted] = {
    Persona.FORGETFUL: (
        (Act.PROMISE, 0.62),
        (Act.PROMISE_DATE_ONLY, 0.08),
        (Act.ASK_PAYMENT_METHOD, 0.08),
        (Act.ASK_DETAILS, 0.06),
        (Act.CALLBACK_LATER, 0.06),
        (Act.ALREADY_PAID, 0.04),
        (Act.REQUEST_HUMAN, 0.03),
        (Act.REQUEST_INSTALLMENT, 0.03),
    ),
    Persona.HARDSHIP: (
        (Act.HARDSHIP, 0.5),
        (Act.REQUEST_INSTALLMENT, 0.3),
        (Act.PROMISE, 0.1),
        (Act.CALLBACK_LATER, 0.04),
        (Act.REQUEST_HUMAN, 0.04),
        (Act.ASK_DETAILS, 0.02),
    ),
    Persona.UNWILLING: (
        (Act.REFUSE, 0.55),
        (Act.CALLBACK_LATER, 0.14),
        (Act.STOP_CONTACT, 0.1),
        (Act.ASK_DETAILS, 0.08),
        (Act.HARDSHIP, 0.06),
        (Act.COMPLAINT, 0.03),
        (Act.REQUEST_HUMAN, 0.04),
    ),
    Persona.DISPUTING: (
        (Act.DISPUTE, 0.55),
        (Act.ALREADY_PAID, 0.33),
        (Act.ASK_DETAILS, 0.06),
        (Act.COMPLAINT, 0.03),
        (Act.REQUEST_HUMAN, 0.03),
    ),
    Persona.ABUSIVE: (
        (Act.ABUSE, 0.6),
        (Act.REFUSE, 0.15),
        (Act.STOP_CONTACT, 0.1),
        (Act.COMPLAINT, 0.1),
        (Act.CALLBACK_LATER, 0.05),
    ),
}
ON_REMINDER[Persona.THIRD_PARTY_ANSWERS] = ON_REMINDER[Persona.FORGETFUL]
ON_REMINDER[Persona.UNREACHABLE] = ON_REMINDER[Persona.FORGETFUL]

ON_PARTIAL: dict[Persona, Weighted] = {
    Persona.UNWILLING: ((Act.REFUSE, 0.6), (Act.PROMISE, 0.25), (Act.STOP_CONTACT, 0.15)),
    Persona.ABUSIVE: ((Act.ABUSE, 0.5), (Act.REFUSE, 0.4), (Act.STOP_CONTACT, 0.1)),
    Persona.HARDSHIP: ((Act.HARDSHIP, 0.5), (Act.REQUEST_INSTALLMENT, 0.3), (Act.PROMISE, 0.2)),
}
ON_PLAN: dict[Persona, Weighted] = {
    Persona.HARDSHIP: ((Act.ACCEPT, 0.7), (Act.HARDSHIP, 0.2), (Act.REQUEST_HUMAN, 0.1)),
    Persona.UNWILLING: ((Act.REFUSE, 0.6), (Act.ACCEPT, 0.25), (Act.CALLBACK_LATER, 0.15)),
}


@dataclass
class SimDebtor:
    """One simulated person on one call; `reply(robot_text)` returns their next line or None."""

    persona: Persona
    temper: int  # 0 calm .. 3 explosive
    rng: random.Random
    is_debtor: bool = True  # False when the number belongs to a relative or emergency contact
    _said: list[str] = field(default_factory=list)
    _asked_robot: bool = False
    hung_up: bool = False
    acts: list[Act] = field(default_factory=list)  # what each line meant, for tests and reports
    _voice: Voice | None = None
    _last: Act | None = None

    def reply(self, robot_text: str) -> str | None:
        if self._voice is None:
            # How this person talks, fixed for the call: fillers, dialect forms, line quality.
            self._voice = Voice.draw(self.rng, _language_of(robot_text), self.temper)
        act = self._decide(hear(robot_text))
        if act is None:
            return None
        self.acts.append(act)
        self._last = act
        line = speak(act, self._voice, self.rng)
        self._said.append(line)
        return line

    # --- deciding what to say ----------------------------------------------------------------

    def _pick(self, weighted: Weighted) -> Act:
        roll = self.rng.random() * sum(w for _, w in weighted)
        for act, weight in weighted:
            roll -= weight
            if roll < 0:
                return act
        return weighted[-1][0]

    def _decide(self, cue: Cue) -> Act | None:
        rng, p = self.rng, self.persona
        if cue == Cue.GOODBYE:
            return None
        if rng.random() < 0.04:
            return None  # did not catch it, or said nothing
        if p == Persona.UNREACHABLE:
            return self._stranger(cue)
        if not self.is_debtor:
            return self._relative(cue)
        if cue == Cue.WARNING:
            if p == Persona.ABUSIVE and rng.random() < 0.4 + 0.15 * self.temper:
                return Act.ABUSE
            return Act.ACK
        if cue == Cue.IDENTITY:
            return self._on_identity()
        if cue == Cue.READBACK:
            return Act.CONFIRM if rng.random() < 0.92 else Act.PROMISE
        if cue == Cue.ASK_AMOUNT:
            return Act.AMOUNT_ONLY if p != Persona.HARDSHIP or rng.random() < 0.7 else Act.HARDSHIP
        if cue == Cue.ASK_DATE:
            return Act.DATE_ONLY
        if cue == Cue.PLAN_OFFER:
            return self._pick(ON_PLAN.get(p, ((Act.ACCEPT, 0.8), (Act.CALLBACK_LATER, 0.2))))
        if cue == Cue.PARTIAL:
            return self._pick(ON_PARTIAL.get(p, ((Act.PROMISE, 0.7), (Act.REFUSE, 0.3))))
        if cue == Cue.REMINDER:
            return self._on_reminder()
        if cue == Cue.REPROMPT and self._last is not None:
            return self._last  # says it again, in other words
        return Act.ACK

    def _on_identity(self) -> Act:
        rng, p = self.rng, self.persona
        if p == Persona.THIRD_PARTY_ANSWERS:
            return Act.THIRD_PARTY
        if not self._asked_robot and rng.random() < 0.08:
            self._asked_robot = True
            return Act.ASK_IF_ROBOT
        if rng.random() < 0.03:
            return Act.WRONG_NUMBER
        if p == Persona.UNWILLING and rng.random() < 0.12:
            return self._pick(((Act.WRONG_NUMBER, 0.5), (Act.ASK_DETAILS, 0.3), (Act.CALLBACK_LATER, 0.2)))
        if p == Persona.ABUSIVE and self.temper >= 2 and rng.random() < 0.5:
            return Act.ABUSE
        if rng.random() < 0.04:
            return Act.CALLBACK_LATER
        return Act.CONFIRM

    def _on_reminder(self) -> Act:
        rng = self.rng
        if rng.random() < 0.04:
            return Act.REQUEST_HUMAN
        if rng.random() < 0.02:
            return Act.COMPLAINT
        return self._pick(ON_REMINDER[self.persona])

    def _relative(self, cue: Cue) -> Act:
        """A relative or emergency contact who answered a number that is not the debtor's."""
        if cue == Cue.WARNING:
            return Act.ACK
        return self._pick(
            (
                (Act.RELAY, 0.55),
                (Act.THIRD_PARTY, 0.2),
                (Act.STOP_CONTACT, 0.12),
                (Act.WRONG_NUMBER, 0.08),
                (Act.ASK_DETAILS, 0.05),
            )
        )

    def _stranger(self, cue: Cue) -> Act:
        """A reassigned number: whoever answers does not know the debtor."""
        if cue in (Cue.IDENTITY, Cue.THIRD_PARTY_MESSAGE):
            return self._pick(((Act.WRONG_NUMBER, 0.85), (Act.STOP_CONTACT, 0.1), (Act.ASK_DETAILS, 0.05)))
        return Act.ACK
