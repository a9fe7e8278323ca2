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

The plan bounds explain figures too (`explained_by_account`): a term count the bounds allow, the
installment that count makes, a waiver percentage inside policy and the sum it leaves, the first
payment, today's date and the days overdue. A count, a percentage, a number of days or a part of
a date is explained only when the figure is said as one ("分9期" is a count, "减25个点" a
percentage, "3月" a month), so an in-bounds plan restated in any words passes and "分36期"
against a limit of twelve does not. A weekday ("周四", "星期六") is not a figure here; the fact
checks hold it to the date it names (`day_facts.py`). A calendar date states its parts as the date
parser reads them ("November twenty-second" is 11 and 22, so "July 18" on a June account is refused).
A number read digit by digit or in digit groups ("eight six six…", "四零零…", "400，631，2020") is
explained when a given fact (the callback number) holds those digits, and a figure is explained as
the rest of a plan when another amount said plus that figure a few times (within the bounds' count)
clears the balance ("$500 first, then $600 a month"), unless the sentence forgives the rest; in a sentence
that forgives, a waiver the policy allows and what it leaves are explained ("减免五百元，您只需还4716.40元").
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

from huikuan.compliance.guard import dates
from huikuan.compliance.guard.account import Facts
from huikuan.compliance.guard.normalize import normalize
from huikuan.compliance.guard.numbers import EN_WORDS, en_words_value

_ZH_NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# Words whose numeral is not a quantity; removed before reading figures.
_ZH_NOT_FIGURES = re.compile(
    r"一下|一起|一直|一定|一些|一样|一点|一般|一旦|一切|一致|一律|一会儿?|一边|一方面|一并|一时|一向|"
    r"一次性|一口气|一句话|一一|(?<![\d零〇一二两三四五六七八九十百千])万一(?![千百十\d])|唯一|统一|逐一|之一|千万(?![元块])|十分(?![钟\d])|百分百|"
    r"专一|一线|一手|第一时间|第三方|第三者|(?:星期|礼拜|周)[一二三四五六日天]"
)
_ZH_RUN = re.compile(rf"(?:\d[\d,]*(?:\.\d+)?|[{_ZH_NUMERALS}])(?:[\d,.]|[{_ZH_NUMERALS}])*")
_ZH_UNIT_AFTER_LONE_ONE = re.compile(r"\s*(?:元|块|期|个月|月|天|日|号|年|%|折|成|次|笔|周|星期|礼拜|分)")
_EN_WORDS = re.compile(rf"\b{EN_WORDS}\b")  # "four thousand seven hundred", "a hundred"
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


# What a figure counts, read from the words right after it: the plan bounds explain a term count,
# a percentage or a number of days only when the figure is said as one.
COUNT, PERCENT, DAYS, DATE, OTHER = "count", "percent", "days", "date", "other"
_ZH_KINDS = (
    (COUNT, re.compile(r"\s*(?:个)?(?:期|个月|次|份|笔)")),
    (PERCENT, re.compile(r"\s*(?:%|个点|个百分点|折|成)")),
    (DAYS, re.compile(r"\s*天")),
    (DATE, re.compile(r"\s*(?:号|日)")),  # "今天18号": a day of the month
)
_EN_KINDS = (
    (
        COUNT,
        re.compile(
            r"[\s-]*(?:more\b|(?:(?:equal|monthly|smaller|separate)\s+)?(?:payments?|installments?|instalments?|months?)\b)"
        ),
    ),
    (PERCENT, re.compile(r"\s*(?:%|percent\b)")),
    (DAYS, re.compile(r"\s*days?\b")),
)
_ZH_PERCENT_BEFORE = re.compile(r"百分之$")

Figure = tuple[Decimal, str]


def _kind(text: str, end: int, kinds: tuple[tuple[str, re.Pattern[str]], ...]) -> str:
    return next((kind for kind, unit in kinds if unit.match(text, end)), OTHER)


def _zh_figures(text: str) -> set[Figure]:
    text = _ZH_NOT_FIGURES.sub(" ", text)
    found: set[Figure] = set()
    for match in _ZH_RUN.finditer(text):
        run = match.group()
        if run == "一" and not _ZH_UNIT_AFTER_LONE_ONE.match(text, match.end()):
            continue
        kind = (
            PERCENT
            if _ZH_PERCENT_BEFORE.search(text, 0, match.start())
            else _kind(text, match.end(), _ZH_KINDS)
        )
        value = _zh_figure(run)
        if value is None:  # an odd run ("三五"): each numeral then stands for itself
            found.update((v, kind) for ch in run if (v := _zh_figure(ch)) is not None)
        else:
            found.add((value, kind))
    return found


_EN_GRAND = re.compile(r"\s*grand\b")
_EN_SPLIT_INTO = re.compile(r"\b(?:split|divide|break|spread)\w*(?: \w+){0,3} (?:into|in|over) $")


_EN_DIGITS_SCALED = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(hundred|thousand|million)\b")
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


def _scaled(m: re.Match[str]) -> str:
    value = _decimal(m.group(1))
    return m.group() if value is None else f"{(value * _EN_SCALES[m.group(2)]).normalize():f}"


def _en_figures(text: str) -> set[Figure]:
    found: set[Figure] = set()
    text = _EN_DIGITS_SCALED.sub(_scaled, text)  # "24 thousand" is 24000
    for match in _EN_DIGITS.finditer(text):
        value = _decimal(match.group().rstrip("k").strip().rstrip(",."))
        if value is not None:
            scaled = match.group("k") or _EN_GRAND.match(text, match.end())
            found.add((value * 1000 if scaled else value, _kind(text, match.end(), _EN_KINDS)))
    text = _EN_ONE_AS_WORD.sub(" ", text)
    for match in _EN_WORDS.finditer(text):
        words = match.group()
        if words == "one" and not _EN_UNIT_AFTER_ONE.match(text, match.end()):
            continue
        number = en_words_value(words)
        if number is not None:
            grand = _EN_GRAND.match(text, match.end())
            # "split it into three": a count said before, not after
            kind = (
                COUNT
                if _EN_SPLIT_INTO.search(text, 0, match.start())
                else _kind(text, match.end(), _EN_KINDS)
            )
            found.add((Decimal(number * 1000 if grand else number), kind))
    return found


def _stated(text: str, lang: str) -> frozenset[Figure]:
    normal = normalize(text, lang)
    # a calendar date ("3月15日", "November twenty-second") states its parts, as the date parser reads them
    days = [d for d in dates.mentions(normal, lang) if d.month is not None]
    inside = [any(d.start <= i < d.end for d in days) for i in range(len(normal))]
    undated = "".join(" " if inside[i] else ch for i, ch in enumerate(normal))
    read = _en_figures if lang == "en-US" else _zh_figures
    found = set(read(undated)) | {
        (Decimal(part), DATE) for d in days for part in (d.year, d.month, d.day_of_month) if part is not None
    }
    return frozenset((v.normalize(), kind) for v, kind in found)


def stated_figures(text: str, lang: str) -> frozenset[Decimal]:
    """The numbers `text` states, by value ("3,500元" and "三千五百元" state the same one)."""
    return frozenset(v for v, _ in _stated(text, lang))


_CENT = Decimal("0.01")
_ROUNDINGS = (ROUND_HALF_UP, ROUND_FLOOR, ROUND_CEILING)


def _amount_forms(value: Decimal) -> set[Decimal]:
    """An amount as it may be said: to the cent, rounded, or cut to the yuan/dollar either way."""
    return {value.quantize(q, rounding=r).normalize() for q in (_CENT, Decimal(1)) for r in _ROUNDINGS}


@dataclass(frozen=True, slots=True)
class Explained:
    """Figures the account explains: `any_kind` however they are said, the others only as their kind."""

    any_kind: frozenset[Decimal]
    by_kind: dict[str, frozenset[Decimal]]

    def explains(self, figure: Figure) -> bool:
        value, kind = figure
        return value in self.any_kind or value in self.by_kind.get(kind, frozenset())


def explained_by_account(facts: Facts) -> Explained:
    """The figures the account and its plan bounds explain: what is owed, promised and offered,
    as any figure; today, the due date and the promised day as parts of a date; the days overdue
    as days; every term count inside the bounds as a count; every waiver inside policy as a
    percentage, with the sums each leaves as amounts."""
    amounts: set[Decimal] = {Decimal(1)}  # "一次", "一笔", "one payment": a lone one is no offer
    counts: set[Decimal] = set()
    percents: set[Decimal] = set()
    days: set[Decimal] = set()
    in_dates: set[Decimal] = set()
    for amount in facts.known_amounts():
        amounts |= _amount_forms(amount)
    if facts.min_first_payment is not None:
        amounts |= _amount_forms(facts.min_first_payment)
        if facts.owed is not None and facts.owed > facts.min_first_payment:
            amounts |= _amount_forms(facts.owed - facts.min_first_payment)  # "the rest"
    for day in (facts.today, facts.due_date, facts.promise_date):
        if day is not None:
            in_dates |= {Decimal(day.year), Decimal(day.month), Decimal(day.day)}
    if facts.today is not None and facts.due_date is not None and facts.today > facts.due_date:
        days.add(Decimal((facts.today - facts.due_date).days))
    if facts.plan_terms:
        counts.add(Decimal(facts.plan_terms))
    owed = facts.owed
    for count in range(2, (facts.max_terms or 0) + 1):
        counts.add(Decimal(count))
        if owed is not None:
            amounts |= _amount_forms(owed / count)
    for pct in range(1, (facts.max_waiver_pct or 0) + 1):
        percents.add(Decimal(pct))
        percents.add((Decimal(100 - pct) / 10).normalize())  # 九折, 九五折
        if owed is not None:
            amounts |= _amount_forms(owed * pct / 100) | _amount_forms(owed * (100 - pct) / 100)
    by_kind = {
        COUNT: frozenset(counts),
        PERCENT: frozenset(percents),
        DAYS: frozenset(days),
        DATE: frozenset(in_dates),
    }
    return Explained(frozenset(amounts), by_kind)


# A number read out digit by digit ("eight six six, five five five", "四零零八二零"): a phone number.
_EN_DIGIT_WORDS = {
    w: str(i)
    for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
}
_EN_SPELLED = re.compile(r"\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b[\s,-]*){3,}")
_ZH_SPELLED = re.compile(r"[零〇幺一二三四五六七八九][零〇幺一二三四五六七八九\s,-]{2,}|\d[\d\s,-]{6,}\d")
_ZH_DIGIT_CHARS = str.maketrans("零〇幺一二三四五六七八九", "001123456789")


def _spelled_digits(run: str, lang: str) -> str:
    if lang == "en-US":
        return "".join(_EN_DIGIT_WORDS.get(w, "0") for w in re.findall(r"[a-z]+", run))
    return re.sub(r"\D", "", run.translate(_ZH_DIGIT_CHARS))


def _without_given_spelled(text: str, lang: str, given_digits: list[str]) -> str:
    """`text` without the digit-by-digit numbers that a given fact (the callback number) holds."""
    pattern = _EN_SPELLED if lang == "en-US" else _ZH_SPELLED  # zh: also "400，631，2020"
    normal = normalize(text, lang)

    def blank(m: re.Match[str]) -> str:
        digits = _spelled_digits(m.group(), lang)
        return " " if len(digits) >= 3 and any(digits in g for g in given_digits) else m.group()

    return pattern.sub(blank, normal)


def unexplained_figures(
    text: str, lang: str, given: Iterable[str], bounds: Facts | None = None
) -> frozenset[Decimal]:
    """The figures `text` states that none of the `given` fact texts state and, when the call's
    `bounds` are known, that its account and plan bounds do not explain (empty: all explained)."""
    by_account = explained_by_account(bounds) if bounds is not None else Explained(frozenset(), {})
    known: set[Decimal] = set()
    given_digits: list[str] = []
    for fact in given:
        known |= stated_figures(fact, lang)
        given_digits.append(re.sub(r"\D", "", fact))
    text = _without_given_spelled(text, lang, given_digits)
    stated = _stated(text, lang)
    unexplained = {(v, kind) for v, kind in stated if v not in known and not by_account.explains((v, kind))}
    # the rest of a plan, unless the rest is forgiven ("还两万，剩下的一万五给您免了"); a waiver the
    # policy allows and what it leaves ("减免五百元，您只需还4716.40元")
    forgiven = _FORGIVEN[lang].search(normalize(text, lang)) is not None
    amounts = [v for v, kind in stated if kind == OTHER]
    return frozenset(
        value
        for value, kind in unexplained
        if not (
            kind == OTHER
            and bounds is not None
            and (
                _waiver_and_what_it_leaves(value, amounts, bounds)
                if forgiven
                else _rest_of_a_plan(value, amounts, bounds)
            )
        )
    )


_FORGIVEN = {
    "zh-CN": re.compile(r"免|抹|核销|勾销|不用还|不用再还|不追|算了|折|结清"),
    "en-US": re.compile(
        r"waiv|forg[io]v|written off|write\w* off|wipe|slide|drop|knock|forget|off\b|settle|call it even"
        r"|clear"
    ),
}


def _waiver_and_what_it_leaves(value: Decimal, amounts: list[Decimal], bounds: Facts) -> bool:
    """`value` and another amount said make up the balance, the smaller a waiver the policy allows
    ("可以给您减免一千块，剩下一万三千二百五")."""
    owed = bounds.owed
    if owed is None or value <= 0:
        return False
    most = owed * Decimal(bounds.max_waiver_pct or 0) / 100 + _CENT
    return any(abs(value + other - owed) <= _CENT and min(value, other) <= most for other in amounts)


def _rest_of_a_plan(value: Decimal, amounts: list[Decimal], bounds: Facts) -> bool:
    """`value` is each of the payments after another amount said ("$500 first, then $600 a month"),
    or the first before them ("首期两千，第二期一千八，第三期一千八"), in a plan the bounds allow
    that clears the balance."""
    owed = bounds.owed
    if owed is None or value <= 0:
        return False
    most = max(bounds.max_terms or 1, bounds.plan_terms or 1)
    tolerance = max(Decimal(1), owed * Decimal("0.005"))
    return any(
        abs(first + k * each - owed) <= tolerance
        for other in amounts
        if other != value
        for first, each in ((other, value), (value, other))
        for k in range(1, most)
    )
