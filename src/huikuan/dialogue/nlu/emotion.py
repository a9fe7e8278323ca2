"""Emotion from a lexicon: anger, distress and anxiety have plain words in both languages."""

from __future__ import annotations

import re

from huikuan.dialogue.nlu.types import Emotion, Intent

_ANGRY = re.compile(
    r"烦死|烦不烦|有完没完|气死|骚扰|天天打|每天打|别烦|火大|他妈|滚|恶心|受够"
    r"|\b(?:sick\s+of|fed\s+up|annoying|pissed|angry|harass\w*|ridiculous|damn|hell|every\s+single\s+day|enough)\b"
)
_DISTRESSED = re.compile(
    r"没钱|冇钱|失业|下岗|生病|病了|住院|手术|困难|太难|好难|难过|崩溃|活不下去|想死|哭|唉|撑不住|走投无路|压力"
    r"|吃不上|好惨|裁员|倒闭|赔光|没收入|冇收入|没工作|没有收入|拿不出|辞退|花光"
    r"|\b(?:lost\s+my\s+job|laid\s+off|broke|can'?t\s+afford|hospital|sick|surgery|passed\s+away|struggling|desperate"
    r"|crying|can'?t\s+cope|drowning|barely|no\s+income|unemploy\w*|disability|out\s+of\s+work|fired"
    r"|paycheck\s+to\s+paycheck|medical\s+bills|tight)\b"
)
_ANXIOUS = re.compile(
    r"担心|害怕|怕|着急|紧张|会不会|怎么办|征信|坐牢|起诉我|上门|影响|黑名单|通讯录|慌|焦虑"
    r"|\b(?:worried|worry|scared|afraid|nervous|anxious|credit\s+(?:score|report)|sue\s+me\?|jail|arrest\w*"
    r"|what\s+happens\s+if|garnish\w*|panic\w*)\b"
)


def detect(raw: str, cleaned: str, intent: Intent) -> Emotion:
    """Angry before distressed before anxious: the most urgent tone wins."""
    if intent in (Intent.ABUSIVE, Intent.COMPLAINT) or _ANGRY.search(cleaned) or "!!" in raw or "！！" in raw:
        return Emotion.ANGRY
    if _DISTRESSED.search(cleaned):
        return Emotion.DISTRESSED
    if _ANXIOUS.search(cleaned):
        return Emotion.ANXIOUS
    return Emotion.NEUTRAL
