"""Fact checks on days: every day a robot sentence names must exist and be the account's.

Split from `facts.py` (money and plans) along the same seam as `dates.py` and `numbers.py`. A
sentence is blocked (IMPOSSIBLE_DATE) when it names a day that does not exist (2月30日, April 31;
caught even without facts), sets a payment deadline already past ("请在3月5日前还款" on 3月10日,
"by yesterday"), says a weekday the date does not fall on ("3月12日（周三）", also after "也就是…",
"which was a…"), names as the promised or the due day one that is not on the account
("您答应的还款日期是12月12日", "your balance was due on July 18th"), or miscounts the days overdue.
Hand-written for the reasons `facts.py` gives.
"""

from __future__ import annotations

import re
from datetime import date

from huikuan.compliance.guard import dates, numbers
from huikuan.compliance.guard.account import Facts, Hit, clause_around
from huikuan.compliance.guard.fact_words import LEXICONS, Lexicon
from huikuan.compliance.guard.types import Category


def _check_dates(text: str, lang: str, lex: Lexicon, facts: Facts | None) -> list[Hit]:
    hits: list[Hit] = []
    by_then = lex.by_then.search(text)
    for d in dates.mentions(text, lang):
        calendar_day = (d.month is not None or d.near) and d.day_of_month is not None
        if facts is not None and facts.today is not None:
            d = d.on(facts.today)
        if not d.exists():
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.does_not_exist"))
            continue
        if calendar_day and _wrong_weekday(text, lang, d, facts):
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.wrong_weekday"))
        if facts is None or facts.today is None:
            continue
        if d.month is not None and d.year is None and d.resolve(facts.today) is None:
            # 2月29日 with no year said, in a year (and the next) that has none
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.does_not_exist"))
            continue
        left, right = clause_around(text, lex, d.start, d.end)
        before = text[max(left, d.start - lex.look_back // 2) : d.start]
        after = text[d.end : min(right, d.end + lex.look_ahead // 2)]
        pointed_back = by_then is not None and by_then.start() > d.end  # "…March 5th, so pay by then"
        if not (lex.deadline.search(before) or lex.deadline_after.search(after) or pointed_back):
            continue
        if lex.reported.search(text, left, d.start) and not pointed_back:
            continue  # a day someone named earlier, reported, not a deadline set now
        if d.always_past:
            hits.append((Category.IMPOSSIBLE_DATE, "facts.date.deadline_past"))
            continue
        day = d.resolve(facts.today)
        if day is None or day >= facts.today or day in (facts.due_date, facts.promise_date):
            continue
        hits.append((Category.IMPOSSIBLE_DATE, "facts.date.deadline_past"))
    return hits


# The day a sentence names as the promised day or as the day the debt fell due must be that day.
_PROMISED_DAY = {
    "zh-CN": re.compile(
        r"(?:承诺|答应|约定|说好|保证|(?:您|你)(?:当时|之前|上次)?说(?:的|过))[^,，。；;]{0,14}$"
    ),
    "en-US": re.compile(r"\b(?:promis\w*|you agreed|agreed to pay|you said you would)\b[^,;.]{0,40}$"),
}
# A promise spoken of as made (not one proposed now: "如果您承诺…", "if you promise…")
_PROMISE_MADE = {
    "zh-CN": re.compile(
        r"(?<!如果)(?<!要是)(?<!假如)(?:您|你)(?:之前|上次|当时|已经)?(?:承诺|答应|约定|说好)(?:过|了|的)"
        r"|(?:您|你)(?:之前|上次|当时)"
    ),
    "en-US": re.compile(
        r"(?<!\bif )\b(?:you promised|your promised|you had promised|you'd promised|you agreed)"
    ),
}
_DUE_DAY_BEFORE = {
    "zh-CN": re.compile(r"(?:到期日|账单日|还款日|最后还款日)[^,，。；;]{0,6}$"),
    "en-US": re.compile(r"\b(?:due|due date|(?:overdue|past due|late|behind) since)\b[^,;.]{0,12}$"),
}
_DUE_DAY_AFTER = {
    "zh-CN": re.compile(r"(?:日|号)?(?:那天)?(?:就|已经|已)?(?:到期|是(?:您的)?(?:到期日|账单日|还款日))"),
    "en-US": re.compile(r"\W*(?:was|is) (?:your|the) due date\b"),
}


def _check_named_days(text: str, lang: str, lex: Lexicon, facts: Facts) -> list[Hit]:
    """A day named as the promised one must be the promise on file, and a past day named as the due
    date must be the account's ("您答应的还款日期是12月12日" when 12月10日 was promised)."""
    if facts.today is None:
        return []
    for d, day in dates.days_named(text, lang, facts.today):
        left, _ = clause_around(text, lex, d.start, d.end)
        before = text[left : d.start]
        if _PROMISED_DAY[lang].search(before):
            if facts.promise_date is not None and day != facts.promise_date:
                return [(Category.IMPOSSIBLE_DATE, "facts.date.not_the_promised_day")]
            continue
        said_due = _DUE_DAY_BEFORE[lang].search(before) or _DUE_DAY_AFTER[lang].match(text, d.end)
        if said_due and facts.due_date is not None and day < facts.today and day != facts.due_date:
            return [(Category.IMPOSSIBLE_DATE, "facts.date.not_the_due_date")]
    return []


_WEEKDAY = {
    "zh-CN": re.compile(r"(?:星期|礼拜|周)(?P<w>[一二三四五六日天])"),
    "en-US": re.compile(r"\b(?P<w>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
}
_ZH_WEEKDAY_NAMES = "一二三四五六日天"
_EN_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NEXT_TO = r"[\s,，、(（)）]*"
# "11月30号，也就是上周日", "September 30th, which was a Tuesday", "November 20th, a Thursday"
_THAT_IS = {
    "zh-CN": r"(?:到期的?[,，\s]*)?(?:那天是|那天|当天是|也就是|就是|即|是|刚好是|正好是)?"
    r"(?:上个?|下个?|这个?|本)?",
    "en-US": r"(?:(?:and )?(?:which|that) (?:was|is|will be|falls on|fell on)\s+|that is\s+)?"
    r"(?:that day (?:was|is) )?(?:a |an |on |last |this |next |that )?(?:coming )?",
}
# "上周六，也就是11月29号": the weekday first, then the date it is
_IS_THAT = {"zh-CN": r"(?:也就是|就是|即)?", "en-US": r"(?:that is|i\.e\.|which is)?\s*"}


def _weekday_named(text: str, lang: str, start: int, end: int) -> int | None:
    """The weekday said right next to the date at text[start:end] ("3月12日（周四）", "Monday, May 4")."""
    pattern = _WEEKDAY[lang]
    after = re.match(_NEXT_TO + _THAT_IS[lang] + pattern.pattern, text[end : end + 40])
    before = re.search(pattern.pattern + _NEXT_TO + _IS_THAT[lang] + "$", text[max(0, start - 20) : start])
    found = after or before
    if found is None:
        return None
    name = found.group("w")
    if lang == "en-US":
        return _EN_WEEKDAY_NAMES.index(name)
    return min(_ZH_WEEKDAY_NAMES.index(name), 6)


def _wrong_weekday(text: str, lang: str, d: dates.DateMention, facts: Facts | None) -> bool:
    """The date `d` is said with a weekday it does not fall on ("3月12日（周三）" when the 12th is a
    Thursday); `d` is already counted from today when today is known."""
    named = _weekday_named(text, lang, d.start, d.end)
    if named is None:
        return False
    if facts is not None and facts.today is not None:
        day = d.resolve(facts.today)
    else:
        day = d.resolve(date(d.year, 1, 1)) if d.year else None
    if day is None:
        return False
    if d.year is None and d.month is not None and d.day_of_month is not None and facts and facts.today:
        # a day said with no year and read as next year's may be the past one ("originally due on
        # Wednesday, May 20th" in December)
        a_year_earlier = dates.safe_date(day.year - 1, d.month, d.day_of_month)
        if day.year > facts.today.year and a_year_earlier is not None and a_year_earlier.weekday() == named:
            return False
    return day.weekday() != named


_DAYS_LATE = {
    "zh-CN": re.compile(
        r"逾期(?:了|已经|已|天数|的天数)?(?:是|为|有|已经|已)?(?:整整|足足|满|都|一共|总共|共|快)?\s*(?P<n>\d+|[零一二两三四五六七八九十百]+)\s*天"
        r"|(?P<n2>\d+|[零一二两三四五六七八九十百]+)\s*天(?:了)?(?:的)?逾期"
    ),
    "en-US": re.compile(
        rf"\b(?P<n>\d+|{numbers.EN_WORDS})\s+days?\s+"
        r"(?:overdue|late|past due|behind|delinquent|in arrears)\b"
        r"|\bdays (?:overdue|late|past due)(?: is| are|:)?\s+(?P<n2>\d+)\b"
    ),
}


def promise_not_on_file(normalized: str, lang: str, facts: Facts) -> bool:
    """The sentence names the day of a promise the debtor made, and the account has none ("your
    promised payment was due on the fifth of December"). For the LLM path only: its facts name
    every promise on file, while a script's facts may leave the promise out."""
    if facts.promise_date is not None or facts.today is None or lang not in _PROMISED_DAY:
        return False
    lex = LEXICONS[lang]
    for d in dates.mentions(normalized, lang):
        left, _ = clause_around(normalized, lex, d.start, d.end)
        before = normalized[left : d.start]
        if _PROMISED_DAY[lang].search(before) and _PROMISE_MADE[lang].search(before):
            return True
    return False


def _check_days_overdue(text: str, lang: str, facts: Facts) -> list[Hit]:
    """A count of days overdue that the due date and today contradict (a day either way is
    allowed: counting conventions differ)."""
    if facts.today is None or facts.due_date is None:
        return []
    actual = (facts.today - facts.due_date).days
    for m in _DAYS_LATE[lang].finditer(text):
        said = numbers.count_value(m.group("n") or m.group("n2"), lang)
        if said is not None and abs(said - actual) > 1:
            return [(Category.IMPOSSIBLE_DATE, "facts.date.days_overdue")]
    return []


# A count of days between today and the date named just before it: to come ("December 21st, which
# is only nine days from now", "12月21号，离今天还有10天") or gone ("2026年12月10日，距离今天已经过去了
# 十天", "December 2nd, sixteen days ago")
_ZH_N = r"\s*(?P<about>大概|大约|差不多|将近|不到)?\s*(?P<n>\d+|[零一二两三四五六七八九十百]+)\s*天"
_EN_N = (
    r"\b(?P<about>about|around|roughly|almost|nearly|under|over)?\s*"
    rf"(?P<n>\d+|{numbers.EN_WORDS})\s+days?\s+"
)
_DAYS_BETWEEN: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    "zh-CN": (
        (re.compile(r"[^。；;!！?？]{0,16}?(?:还有|还剩|只剩下?|只有|仅剩|就剩)" + _ZH_N), 1),
        (re.compile(r"[^。；;!！?？]{0,16}?(?:已经|已)?(?:过去|过了)了?" + _ZH_N), -1),
    ),
    "en-US": (
        (re.compile(r"[^.;!?]{0,30}?" + _EN_N + r"(?:from now|from today|away|to go|left|out)\b"), 1),
        (re.compile(r"[^.;!?]{0,30}?" + _EN_N + r"ago\b"), -1),
    ),
}


# … or said before it: "it's been twenty days since your December 20th due date"
_DAYS_SINCE_BEFORE = {
    "en-US": re.compile(_EN_N + r"(?:since|after) (?:your |the |it was )?$"),
}


def _check_days_between(text: str, lang: str, facts: Facts) -> list[Hit]:
    """A count of days between today and a date named next to it must be that count (a loose
    "about ten days" a day either way)."""
    if facts.today is None:
        return []
    for d, day in dates.days_named(text, lang, facts.today):
        counts = [(pattern.match(text, d.end), direction) for pattern, direction in _DAYS_BETWEEN[lang]]
        since = _DAYS_SINCE_BEFORE.get(lang)
        if since is not None:
            counts.append((since.search(text, max(0, d.start - 60), d.start), -1))
        for found, direction in counts:
            if found is None:
                continue
            said = numbers.count_value(found.group("n"), lang)
            allowed = 1 if found.group("about") else 0
            if said is not None and abs(said - (day - facts.today).days * direction) > allowed:
                return [(Category.IMPOSSIBLE_DATE, "facts.date.days_between")]
    return []


def check(normalized: str, lang: str, facts: Facts | None) -> list[Hit]:
    """The day rules that fire on an already normalised sentence; days that do not exist are
    checked even without facts."""
    lex = LEXICONS.get(lang)
    if lex is None:
        return []
    hits = _check_dates(normalized, lang, lex, facts)
    if facts is not None:
        hits += _check_days_overdue(normalized, lang, facts)
        hits += _check_named_days(normalized, lang, lex, facts)
        hits += _check_days_between(normalized, lang, facts)
    return list(dict.fromkeys(hits))
