"""Simulated debtors speak: persona-driven, varied zh-CN replies to what the robot says.

A simulated debtor hears only the robot's text (as a person hears only the voice) and reacts
to cues in it; its persona and temper are hidden truths from `sim_persona`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from huikuan.sim.personas import Persona

IDENTITY_CUES = ("本人吗",)
DEBT_CUES = ("逾期", "还款", "应还")
AMOUNT_CUES = ("还多少",)
DATE_CUES = ("哪天",)
READBACK_CUES = ("对吗",)
PARTIAL_CUES = ("先还一部分",)
WARNING_CUES = ("文明沟通",)
TP_CUES = ("转告他回电",)

PROMISES = (
    "哦，我忘了，明天还",
    "周五还三千",
    "不好意思，月底还一万二",
    "我今天下午就还两千",
    "下周一还吧",
    "后天还三千五",
    "15号还",
)
AMOUNTS = ("两千", "三千", "三千五", "一千五百块", "五千", "全部还，四千")
DATES = ("周五", "明天", "下周一", "月底", "后天")
INSULTS = ("滚！别烦我", "你们有病吧，天天打", "神经病，滚", "去死吧骗子", "他妈的烦不烦")
THIRD_PARTY = (
    "他不在，我是他家人",
    "她不在家，我是她妈",
    "他出去了，我是他老婆，有什么事？",
    "他不在，你们是谁？",
)
REFUSALS = ("没钱，不还", "我不会还的", "随便你们，爱咋咋地", "不想还")
HARDSHIP = (
    "最近失业了，手头紧，能分期吗",
    "家里有人住院，实在还不上",
    "我真的没钱，能不能分几期",
    "周转不开，能少还点吗",
)
DISPUTES = ("这笔钱不是我借的", "我已经还过了", "金额不对吧，我没借这么多", "我早还了，你们搞错了")


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

    def reply(self, robot_text: str) -> str | None:
        line = self._reply(robot_text)
        if line is not None:
            self._said.append(line)
        return line

    def _pick(self, options: tuple[str, ...]) -> str:
        return options[self.rng.randrange(len(options))]

    def _reply(self, text: str) -> str | None:
        rng, p = self.rng, self.persona
        if "再见" in text:
            return None
        if rng.random() < 0.04:
            return None  # did not catch it
        if not self.is_debtor:
            if any(c in text for c in TP_CUES):
                return self._pick(("好的，我转告他", "行，我跟他说", "你们别再打了", "不认识这个人"))
            return "好的"
        if any(c in text for c in WARNING_CUES):
            if p == Persona.ABUSIVE and rng.random() < 0.4 + 0.15 * self.temper:
                return self._pick(INSULTS)
            return self._pick(("好吧", "嗯"))
        if any(c in text for c in IDENTITY_CUES):
            if p == Persona.THIRD_PARTY_ANSWERS:
                return self._pick(THIRD_PARTY)
            if not self._asked_robot and rng.random() < 0.08:
                self._asked_robot = True
                return self._pick(("你是机器人吗？", "你是真人吗？"))
            if rng.random() < 0.04:
                return "你打错了"
            if p == Persona.ABUSIVE and self.temper >= 2 and rng.random() < 0.5:
                return self._pick(INSULTS)
            return self._pick(("是我", "对，什么事", "嗯，是我", "是的，你说"))
        if any(c in text for c in READBACK_CUES):
            return self._pick(("对", "是的", "嗯，对"))
        if any(c in text for c in AMOUNT_CUES):
            return self._pick(AMOUNTS)
        if any(c in text for c in DATE_CUES):
            return self._pick(DATES)
        if any(c in text for c in PARTIAL_CUES):
            if p == Persona.UNWILLING and rng.random() < 0.3:
                return "那下周一还两千吧"
            return self._pick(REFUSALS)
        if any(c in text for c in DEBT_CUES):
            return self._on_reminder()
        return self._pick(("嗯", "好的", "什么？"))

    def _on_reminder(self) -> str:
        rng, p = self.rng, self.persona
        if rng.random() < 0.04:
            return self._pick(("转人工", "我要找人工客服"))
        if rng.random() < 0.02:
            return "我要投诉你们"
        if p == Persona.FORGETFUL:
            return (
                self._pick(PROMISES)
                if rng.random() < 0.85
                else self._pick(("我在开车，晚点再说", "怎么还款？"))
            )
        if p == Persona.HARDSHIP:
            return self._pick(HARDSHIP) if rng.random() < 0.8 else self._pick(PROMISES)
        if p == Persona.DISPUTING:
            return self._pick(DISPUTES)
        if p == Persona.UNWILLING:
            if rng.random() < 0.15:
                return "别再打了"
            return self._pick(REFUSALS)
        if p == Persona.ABUSIVE:
            return self._pick(INSULTS)
        return self._pick(PROMISES)
