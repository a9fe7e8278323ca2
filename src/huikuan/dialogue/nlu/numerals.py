"""Numbers in what people say: the one parser for amounts, days, instalment counts and clock times.

cn2an (`cn2an.cn2an(text, "smart")`) does the arithmetic of Chinese numerals: positional
units up to 亿 ('一千零五' → 1005), the colloquial drop of the last unit ('三千五' → 3500,
'一万二' → 12000, '二百五' → 250), 两 and 幺, traditional and financial forms ('兩萬' → 20000,
'壹仟' → 1000), and Arabic digits mixed with units ('1千5' → 1500, '1.5万' → 15000).

This module adds only what cn2an does not do, or does in a way a spoken turn cannot use:
- 俩/倆 ('俩千' is ASR for 两千) are folded to 两, full-width digits to ASCII (NFKC), and digit
  group commas ('3,500') dropped; cn2an rejects all three.
- Plain digits never go through cn2an (it returns floats for them); fractions come back as
  `Decimal`, so money keeps its cents ('800.5' → 800.50, not a float).
- A bare unit is not a number: '千万别打了' and '万一还不上' are idioms, which cn2an rejects as
  tokens; a parser of its own would have to learn that (the hand-written one it replaced read
  them as 10,000,000 and 11,000 yuan).
- '千五' and '萬五' (1500, 15000: the leading 一 dropped, as Cantonese and northern speech do)
  get their 一 back; cn2an rejects them. Only a digit from 二 up may follow, so the idiom
  '万一' stays no number.
- Clock times: cn2an reads '三点半' as the decimal 3.5 and knows no 半/一刻/三刻, so `clock_zh`
  takes the hour and the minute apart ('九点' → 9:00, '三点半' → 3:30, '十点一刻' → 10:15, '兩點'
  → 2:00); whether 3:30 is afternoon is the caller's context (callback.py).
- `cn2an.transform` (numbers inside a sentence) is not used: it rewrites weekdays ('周五' →
  '周5'), emits a UserWarning on stray units (warnings are errors in the tests) and cannot tell
  an amount from a count or an hour; the callers' patterns find the numeral tokens instead.
- English number words ('twelve hundred', 'six', 'a grand') are a small table: cn2an is Chinese
  only. Americans say prices by hundreds without the word ('two fifty' = 250, 'one twenty-five'
  = 125): `hundreds_shorthand` reads that form, and amounts.py accepts it only where money is
  meant (a payment verb before it, or the whole answer), since 'two fifty' is also a clock time.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import cn2an

# Characters a spoken Chinese number is written with (simplified and traditional, as ASR and
# chat give them): the callers' patterns look for these. Financial forms (壹, 拾, 陆, …) are
# left out there, since as words they mean other things ('收拾', '大陆'), and nobody speaks them;
# a token already found may still use them.
ZH_DIGITS = "零〇幺一二两兩俩倆三四五六七八九"
ZH_UNITS = "十百千万萬"
ZH_NUMERAL = ZH_DIGITS + ZH_UNITS
# Small numbers: hours, days of the month, instalment counts ('十二', '二十四', '两').
ZH_SMALL = f"0-9{ZH_DIGITS}十"
CLOCK_MARK = "点|點|时|時|:|："
CLOCK_MINUTE = f"半|一刻|三刻|[{ZH_SMALL}]{{1,3}}分?"

_FOLD = str.maketrans({"俩": "两", "倆": "两"})
_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_FINANCIAL = "壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"
_ACCEPTED = re.compile(rf"[0-9.{ZH_NUMERAL}亿億{_FINANCIAL}]+")
_QUARTERS = {"半": 30, "一刻": 15, "三刻": 45}
_LEADING_UNIT = re.compile(r"[千万萬][二两兩三四五六七八九]")


def parse_number(text: str) -> Decimal | None:
    """The value of one numeral token ('两千五' → 2500, '1千5' → 1500, '3,500' → 3500), or None."""
    token = _DIGIT_GROUPS.sub("", unicodedata.normalize("NFKC", text.strip())).translate(_FOLD)
    if _PLAIN.fullmatch(token):
        return Decimal(token)
    if not _ACCEPTED.fullmatch(token):
        return None
    if _LEADING_UNIT.fullmatch(token):
        token = "一" + token
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, IndexError):  # cn2an's ways of saying "not a number"
        return None
    try:
        return Decimal(str(value))  # str: the float's shortest form ('800.5'), not its binary value
    except InvalidOperation:
        return None


def parse_int(text: str) -> int | None:
    """The whole number one token says ('十二' → 12, '一万二' → 12000), or None (fractions too)."""
    value = parse_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def clock_zh(hour: str, minute: str | None = None) -> tuple[int, int] | None:
    """(hour, minute) as heard, before any a.m./p.m. reading: ('三', '半') → (3, 30), ('九', None) → (9, 0).

    `hour` is the token before 点/點/时/:, `minute` the one after it (半, 一刻, 三刻, '十五分',
    '05'); an hour past 24 is no time, a minute past 59 is read as 59 (a slip, not another hour).
    """
    heard = parse_int(hour)
    if heard is None or not 0 <= heard <= 24:
        return None
    spoken = (minute or "").removesuffix("分")
    if spoken in _QUARTERS:
        return heard, _QUARTERS[spoken]
    return heard, min(parse_int(spoken) or 0, 59) if spoken else 0


_SMALL_WORDS = {
    "zero": 0,
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
EN_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000}
EN_NUMBER_WORDS = (*_SMALL_WORDS, *EN_SCALES)


def words_to_number(words: str) -> int | None:
    """'twelve hundred' -> 1200, 'two thousand five hundred' -> 2500, 'a thousand' -> 1000, 'six' -> 6."""
    total = current = 0
    seen = False
    for word in re.split(r"[\s-]+", words.strip().lower()):
        if word == "and":
            continue
        if word in _SMALL_WORDS:
            current += _SMALL_WORDS[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif word in ("thousand", "grand"):
            total += max(current, 1) * 1000
            current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


_TENS = {w: v for w, v in _SMALL_WORDS.items() if 10 <= v <= 90}
_UNITS = {w: v for w, v in _SMALL_WORDS.items() if 1 <= v <= 9 and w != "a"}


def hundreds_shorthand(words: str) -> int | None:
    """'two fifty' -> 250, 'one twenty five' -> 125, 'nine ninety-nine' -> 999; None for any other form."""
    parts = [w for w in re.split(r"[\s-]+", words.strip().lower()) if w]
    if len(parts) not in (2, 3) or parts[0] not in _UNITS or parts[1] not in _TENS:
        return None
    rest = _TENS[parts[1]]
    if len(parts) == 3:
        if rest < 20 or rest % 10 or parts[2] not in _UNITS:
            return None
        rest += _UNITS[parts[2]]
    return _UNITS[parts[0]] * 100 + rest
