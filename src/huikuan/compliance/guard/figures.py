"""Every figure a sentence states, whatever its role: the closed-world rule for LLM answers.

The fact checks (`facts.py`) judge a figure by the role its words give it (owed, first payment,
discount…), and new wording keeps finding roles they do not read. An LLM answer needs no such
judgement: the engine gives the LLM the call's facts (amount, due date, the plan offered, the
promise) and the LLM may repeat those figures and no other. Offers, discounts, installment counts
and dates of its own are the script's to say, never the LLM's. So `unexplained_figures` lists the
numbers an answer states that none of the given facts state, and a non-empty list refuses the
answer whatever its words mean ("分36期", "打五折", "首期0元", "前三个月不用还", "pay $50 a month").

A figure is any number: Arabic digits (with thousands commas and decimals), Chinese numerals
(read by cn2an, as the fact checks read them: 两千五, 1万2千, 叁仟), English number words
(`numbers.en_words_value`), percentages and 折 alike (their number is what counts). Words in which
a numeral is not a quantity (一下, 一起, 千万, 十分, 万一, "no one", "someone") are not figures, and a
lone 一 / "one" counts only before a unit or measure, so "我帮您查一下" or "one moment" pass. Erring
strict costs little: a refused answer falls back to the script's line.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import cn2an

from huikuan.compliance.guard.normalize import normalize
from huikuan.compliance.guard.numbers import en_words_value

_ZH_NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# Words whose numeral is not a quantity; removed before reading figures.
_ZH_NOT_FIGURES = re.compile(
    r"一下|一起|一直|一定|一些|一样|一点|一般|一旦|一切|一致|一律|一会儿?|一边|一方面|一并|一时|一向|"
    r"一次性|一口气|一句话|一一|万一|唯一|统一|逐一|之一|千万(?![元块])|十分(?![钟\d])|百分百|"
    r"专一|一线|一手|第一时间"
)
_ZH_RUN = re.compile(rf"(?:\d[\d,]*(?:\.\d+)?|[{_ZH_NUMERALS}])(?:[\d,.]|[{_ZH_NUMERALS}])*")
_ZH_UNIT_AFTER_LONE_ONE = re.compile(r"\s*(?:元|块|期|个月|月|天|日|号|年|%|折|成|次|笔|周|星期|礼拜|分)")
_EN_SMALL = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_EN_WORDS = re.compile(
    rf"\b(?:a\s+(?=hundred|thousand))?(?:{_EN_SMALL}|hundred|thousand|million)"
    rf"(?:[\s-]+(?:and\s+)?(?:{_EN_SMALL}|hundred|thousand|million))*\b"
)
_EN_DIGITS = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s?(?P<k>k)\b)?")
_EN_ONE_AS_WORD = re.compile(r"\b(?:no|some|any|every)\s*one\b|\bone\s+(?:of|another|moment|sec\w*|day)\b")
_EN_UNIT_AFTER_ONE = re.compile(
    r"\s*(?:dollars?|bucks?|payments?|installments?|instalments?|months?|weeks?|days?|years?|percent|%)"
)


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def _zh_figure(token: str) -> Decimal | None:
    token = token.strip(",.")
    if not token:
        return None
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", token):
        return _decimal(token)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Decimal(str(cn2an.cn2an(token.replace(",", ""), "smart")))
    except (ValueError, InvalidOperation, KeyError, IndexError):
        return None


def _zh_figures(text: str) -> set[Decimal]:
    text = _ZH_NOT_FIGURES.sub(" ", text)
    found: set[Decimal] = set()
    for match in _ZH_RUN.finditer(text):
        run = match.group()
        if run == "一" and not _ZH_UNIT_AFTER_LONE_ONE.match(text, match.end()):
            continue
        value = _zh_figure(run)
        if value is None:  # an odd run ("三五"): each numeral then stands for itself
            found.update(v for ch in run if (v := _zh_figure(ch)) is not None)
        else:
            found.add(value)
    return found


def _en_figures(text: str) -> set[Decimal]:
    found: set[Decimal] = set()
    for match in _EN_DIGITS.finditer(text):
        value = _decimal(match.group().rstrip("k").strip().rstrip(",."))
        if value is not None:
            found.add(value * 1000 if match.group("k") else value)
    text = _EN_ONE_AS_WORD.sub(" ", text)
    for match in _EN_WORDS.finditer(text):
        words = match.group()
        if words == "one" and not _EN_UNIT_AFTER_ONE.match(text, match.end()):
            continue
        number = en_words_value(words)
        if number is not None:
            found.add(Decimal(number))
    return found


def stated_figures(text: str, lang: str) -> frozenset[Decimal]:
    """The numbers `text` states, by value ("3,500元" and "三千五百元" state the same one)."""
    normal = normalize(text, lang)
    found = _en_figures(normal) if lang == "en-US" else _zh_figures(normal)
    return frozenset(v.normalize() for v in found)


def unexplained_figures(text: str, lang: str, given: Iterable[str]) -> frozenset[Decimal]:
    """The figures `text` states that none of the `given` fact texts state (empty: all explained)."""
    known: set[Decimal] = set()
    for fact in given:
        known |= stated_figures(fact, lang)
    return stated_figures(text, lang) - known
