"""Mandarin speech a listener understands: text normalisation, tone-numbered pinyin, espeak-ng.

Debian's espeak-ng `cmn` dictionary lacks most characters (it reads 两 as "liang three" in
English); Whisper base transcribing our zh-CN script lines read by it scored a character error
rate far above 100 %. Its `cmn-latn-pinyin` voice, though, pronounces tone-numbered pinyin
("ni3 hao3") properly. So the default Mandarin voice is a text front-end in front of espeak-ng:

1. `normalise` writes what is to be said in characters: amounts (3500.50元 → 三千五百元五角),
   dates (12月1日 → 十二月一日), percentages, phone numbers digit by digit (1 said 幺);
2. `to_pinyin` turns characters into tone-numbered pinyin with pypinyin (neutral tone 5), with
   a small collection lexicon for the polyphones pypinyin gets wrong here (还款 is huan2 kuan3,
   pypinyin says hai2); punctuation stays as pauses;
3. `tts.MandarinTts` speaks it with espeak-ng's `cmn-latn-pinyin` voice.

Written here rather than reusing `dialogue.nlu.numerals`: voice is a media layer and may not
import the dialogue (pyproject's import contracts).
"""

from __future__ import annotations

import re
from functools import cache

import cn2an

PINYIN_VOICE = "cmn-latn-pinyin"  # espeak-ng's Mandarin voice reading tone-numbered pinyin
MANDARIN = "cmn"  # the voice name callers use (`voice_for`, `--voice cmn`)

_DIGITS = "零一二三四五六七八九"
_PHONE_DIGITS = "零幺二三四五六七八九"  # 1 is said 幺 in a number, as call centres do

# Only where pypinyin's own phrase dictionary was measured wrong on our scripts (see the
# tests): 还 in repaying is huan2, pypinyin defaults to hai2 ("still") outside 还清/还钱/归还.
COLLECTION_PHRASES: dict[str, list[list[str]]] = {
    "还款": [["huán"], ["kuǎn"]],
    "应还": [["yīng"], ["huán"]],
    "先还": [["xiān"], ["huán"]],
    "未还": [["wèi"], ["huán"]],
    "已还": [["yǐ"], ["huán"]],
    "没还": [["méi"], ["huán"]],
    "天还": [["tiān"], ["huán"]],
    "还多少": [["huán"], ["duō"], ["shǎo"]],
    "能还": [["néng"], ["huán"]],
    "要还": [["yào"], ["huán"]],
}

# Latin words in scripts, said as a Chinese speaker says them (espeak's pinyin voice would read
# the letters as pinyin syllables).
_LATIN: dict[str, str] = {"app": "ei1 pi1 pi1", "ai": "ei1 ai1", "id": "ai1 di1"}
_LETTERS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        [
            "ei1",
            "bi4",
            "xi1",
            "di4",
            "yi4",
            "ai2fu5",
            "ji4",
            "ei1qi1",
            "ai4",
            "jie4",
            "kai4",
            "ai2le5",
            "ai2mu5",
            "en1",
            "ou1",
            "pi1",
            "kiu1",
            "a4",
            "ai2si1",
            "ti4",
            "you1",
            "wei1",
            "da2bu5liu5",
            "ai2ke4si1",
            "wai4",
            "zei4",
        ],
        strict=True,
    )
)

# Full-width punctuation → ASCII pause marks espeak-ng understands.
_PAUSES = {
    "，": ",",
    "、": ",",
    "；": ";",
    "：": ",",
    "。": ".",
    "？": "?",
    "！": "!",
    ",": ",",
    ";": ";",
    ":": ",",
    ".": ".",
    "?": "?",
    "!": "!",
    "…": ".",
}

_MONEY = re.compile(r"(?:[¥￥]\s*)?(\d+)(?:\.(\d{1,2}))?\s*(元|块钱|块|人民币)?")
_PHONE = re.compile(r"(?<![\d.])(\d{3,4}[- ]\d{3,4}[- ]\d{3,4}|\d{7,})(?![\d.])")
_TAIL = re.compile(r"(尾号|号码|电话|编号|卡号)(\d+)")
_YEAR = re.compile(r"(\d{4})年")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def digits(text: str, one: str = "幺") -> str:
    """Each digit on its own, the Chinese way: '4008' → '四零零八' (1 as `one`)."""
    table = _DIGITS.replace("一", one)
    return "".join(table[int(c)] for c in text if c.isdigit())


def number(text: str) -> str:
    """A number in characters: '3500' → '三千五百', '2000' → '两千', '3.5' → '三点五'."""
    said: str = cn2an.an2cn(text, "low")
    if re.match(r"二[千万亿百]", said) and not text.startswith("0"):
        said = "两" + said[1:]  # 两千, 两万: said with 两 before a magnitude
    return said


def _money(match: re.Match[str]) -> str:
    whole, cents, unit = match.group(1), match.group(2), match.group(3)
    currency = match.group(0).lstrip().startswith(("¥", "￥"))
    if not unit and not currency:
        return match.group(0)  # a plain number: left to the general rule
    unit = unit or "元"
    if unit == "人民币":
        unit = "元"
    said = number(whole) + unit
    if cents:
        cents = cents.ljust(2, "0")
        jiao, fen = int(cents[0]), int(cents[1])
        if unit != "元":  # 块 goes with 毛, 元 with 角
            said += (_DIGITS[jiao] + "毛" if jiao else "") + (_DIGITS[fen] + "分" if fen else "")
        else:
            said += (_DIGITS[jiao] + "角" if jiao else "") + (_DIGITS[fen] + "分" if fen else "")
        if not jiao and fen:
            said = said.replace(unit, unit + "零", 1)
    return said


def _clock(match: re.Match[str]) -> str:
    hour, minute = match.group(1), match.group(2)
    return number(hour) + "点" + (number(minute) + "分" if int(minute) else "")


def normalise(text: str, one: str = "幺") -> str:
    """What a Mandarin speaker says for `text`, in characters: numbers, money, dates, phones.

    `one` is how 1 is said in a phone or card number: 幺 in Mandarin, 一 in Cantonese.
    """
    text = _TAIL.sub(lambda m: m.group(1) + digits(m.group(2), one), text)
    text = _PHONE.sub(lambda m: digits(m.group(1), one), text)
    text = _YEAR.sub(lambda m: digits(m.group(1), one="一") + "年", text)
    text = _TIME.sub(_clock, text)
    text = _PERCENT.sub(lambda m: "百分之" + number(m.group(1)), text)
    text = _MONEY.sub(_money, text)
    return _NUMBER.sub(lambda m: number(m.group(0)), text)


@cache
def _pinyin_ready() -> None:
    """Load the collection lexicon into pypinyin once per process."""
    from pypinyin import load_phrases_dict

    load_phrases_dict(COLLECTION_PHRASES)


def to_pinyin(text: str) -> str:
    """Tone-numbered pinyin of normalised text for espeak-ng ('您好。' → 'nin2 hao3 .')."""
    from pypinyin import Style, pinyin

    _pinyin_ready()
    out: list[str] = []
    for chunk in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z]+|\S", text):
        if "\u4e00" <= chunk[0] <= "\u9fff":
            syllables = pinyin(chunk, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
            out.extend(s[0].replace("ü", "v") for s in syllables)
        elif chunk[0].isascii() and chunk[0].isalpha():
            word = chunk.lower()
            out.append(_LATIN.get(word) or " ".join(_LETTERS[c] for c in word))
        elif chunk in _PAUSES:
            if out and out[-1] in _PAUSES.values():
                continue
            out.append(_PAUSES[chunk])
    return " ".join(out).strip()


def mandarin_text(text: str) -> str:
    """The pinyin espeak-ng's `cmn-latn-pinyin` voice is given for `text`."""
    return to_pinyin(normalise(text))


def warm_up() -> None:
    """Load cn2an's and pypinyin's dictionaries now (about 0.7 s), not in a call's first line."""
    mandarin_text("您好，应还3500元。")
