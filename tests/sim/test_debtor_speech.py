"""Simulated debtors speak varied, persona-typical lines that the real NLU mostly understands."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from huikuan.dialogue import CallContext, DialogueEngine, classify, load_script
from huikuan.sim.debtors import Cue, SimDebtor, hear
from huikuan.sim.personas import Persona
from huikuan.sim.speech import TYPICAL_ACTS, Act, Voice, speak

TODAY = date(2026, 3, 10)
PERSONAS = [p for p in Persona if p != Persona.UNREACHABLE]
# Measured with the rule-based NLU v1 on 2,000 generated zh-CN lines: 0.90 (see the report in
# the commit); the threshold sits a little below so a better NLU passes and a broken one fails.


def _conversations(n_turns: int, seed: int, lang: str = "zh-CN") -> list[tuple[Persona, str, Act]]:
    """Debtor turns of whole simulated calls through the real engine until `n_turns` were said."""
    rng = random.Random(seed)
    script = load_script("reminder", lang)
    said: list[tuple[Persona, str, Act]] = []
    call = 0
    while len(said) < n_turns:
        call += 1
        persona = PERSONAS[call % len(PERSONAS)]
        person = SimDebtor(persona, rng.randrange(4), random.Random(f"{seed}:{call}"), rng.random() > 0.1)
        third_party = not person.is_debtor
        ctx = CallContext("王芳", "安心借", 350_000, date(2026, 2, 18), TODAY, third_party, variant_seed=call)
        engine = DialogueEngine(script, ctx)
        reply = engine.start()
        while not reply.end:
            line = person.reply(reply.text)
            if line is not None:
                said.append((persona, line, person.acts[-1]))
            _, reply = engine.step(line)
    return said[:n_turns]


def test_a_simulated_days_lines_are_varied() -> None:
    said = _conversations(1000, seed=11)
    distinct = {line for _, line, _ in said}
    assert len(distinct) > 200, len(distinct)  # measured: 672 of 1,000 (zh-CN); en-US 582
    assert len({act for _, _, act in said}) >= 15  # most kinds of thing a person says occur
    english = {line for _, line, _ in _conversations(300, seed=11, lang="en-US")}
    assert len(english) > 80, len(english)
    assert all(line.isascii() for line in english)  # answered in the language spoken to them


def test_the_same_seed_says_the_same_lines() -> None:
    assert _conversations(200, seed=5) == _conversations(200, seed=5)
    assert _conversations(200, seed=5) != _conversations(200, seed=6)


def test_personas_sound_like_themselves() -> None:
    said = _conversations(1500, seed=3)
    acts = {p: Counter(a for q, _, a in said if q == p) for p in PERSONAS}
    assert acts[Persona.HARDSHIP][Act.HARDSHIP] + acts[Persona.HARDSHIP][Act.REQUEST_INSTALLMENT] > 0
    assert acts[Persona.DISPUTING][Act.DISPUTE] + acts[Persona.DISPUTING][Act.ALREADY_PAID] > 0
    assert acts[Persona.ABUSIVE][Act.ABUSE] > 0
    assert acts[Persona.UNWILLING][Act.REFUSE] > 0
    assert acts[Persona.FORGETFUL][Act.PROMISE] > acts[Persona.FORGETFUL][Act.REFUSE]
    assert acts[Persona.THIRD_PARTY_ANSWERS][Act.THIRD_PARTY] > 0
    assert Act.ABUSE not in acts[Persona.FORGETFUL]


def test_a_reassigned_number_is_answered_by_a_stranger() -> None:
    acts = Counter()
    for i in range(40):
        person = SimDebtor(Persona.UNREACHABLE, 0, random.Random(i))
        person.reply("您好，我是安心借的智能语音助手，本次通话将被录音。请问是王芳本人吗？")
        acts.update(person.acts)
    assert acts[Act.WRONG_NUMBER] > 30
    assert Act.CONFIRM not in acts


def test_the_robot_lines_are_heard_for_what_they_are() -> None:
    assert hear("请问是王芳本人吗？") == Cue.IDENTITY
    assert hear("To protect your privacy, I first need to confirm. Are you Alex Morgan?") == Cue.IDENTITY
    assert hear("All right. How much are you planning to pay?") == Cue.ASK_AMOUNT
    assert hear("您好，您的借款已逾期，应还金额3500元。您看什么时候可以还款？") == Cue.REMINDER
    assert hear("跟您确认一下：您承诺在3月13日前还款3,000.00元，对吗？") == Cue.READBACK
    assert hear("好的，请问您打算还多少钱？") == Cue.ASK_AMOUNT
    assert hear("All right. What day will you be able to pay?") == Cue.ASK_DATE
    assert hear("请您文明沟通，否则我将结束本次通话。") == Cue.WARNING
    assert hear("Thank you for your time. This call will end now. Goodbye.") == Cue.GOODBYE
    assert SimDebtor(Persona.FORGETFUL, 0, random.Random(1)).reply("好的，再见。") is None


# Measured with NLU v2: 0.957 (zh-CN) and 0.960 (en-US) over 2,000 lines each.
AGREEMENT_FLOOR = {"zh-CN": 0.90, "en-US": 0.90}


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_nlu_understands_persona_typical_lines_most_of_the_time(lang: str) -> None:
    rng = random.Random(2026)
    agree = total = 0
    misses: Counter[tuple[str, str]] = Counter()
    for i in range(2000):
        act = TYPICAL_ACTS[i % len(TYPICAL_ACTS)]
        line = speak(act, Voice.draw(rng, lang, rng.randrange(4)), rng)
        intent = classify(line, lang, TODAY).intent.value
        total += 1
        agree += intent == act.intent
        if intent != act.intent:
            misses[(act.intent, intent)] += 1
    rate = agree / total
    assert rate >= AGREEMENT_FLOOR[lang], (rate, misses.most_common(8))
