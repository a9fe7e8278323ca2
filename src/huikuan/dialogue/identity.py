"""Right-party verification: who is on the line, judged from what they say (pure functions).

The dialogue engine asks three questions here and keeps the state itself:

* `heard_name(text, lang)`: the name a person introduces themselves with ("我是李四", "我姓王",
  "张先生", "This is Jordan", "No, this is Sam", "Mr. Morgan"), or None.
* `compare_name(heard, debtor_name, lang)`: SAME, SURNAME (only a surname or a surname form was
  heard and it is the debtor's) or OTHER (a different person).
* `third_person(text, lang)`: the speaker talks about the debtor in the third person ("我是他老婆",
  "他在洗澡", "你找他有什么事", "I'm his wife", "she's not home"): someone else is speaking.
* `knowledge_matches(kind, text, expected, lang)`: the answer to the creditor's knowledge check
  (last four digits of the ID number, year of birth, loan product), digits heard as words too
  ("一二三四", "幺", "twelve thirty four").

Chinese names are compared on toneless pinyin with every reading of each character, so an ASR
homophone (章三 for 张三, 汪芳 for 王芳) still matches and a polyphonic surname (曾, 单) is not
missed. English first names are compared through the `nicknames` package (a maintained,
hand-curated table: Bob ↔ Robert, Liz ↔ Elizabeth, Mike ↔ Michael).

Written here rather than taken from a library: no maintained package extracts a self-introduced
name from a Chinese or English utterance. A Chinese self-introduction counts as a name only when
it starts with a common surname (`SURNAMES`, the most frequent ~130 single surnames and the
compound ones, which cover well over 90 % of people in China) or sounds like the debtor's, so
"我是来还钱的" or "我是本人" is never taken for a stranger's name. An English one counts when
the word is capitalised or known to the nickname table, so "I'm fine" is not a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from nicknames import NickNamer
from pypinyin import Style, pinyin

from huikuan.types import KnowledgeCheck

__all__ = [
    "Decision",
    "HeardName",
    "KnowledgeCheck",
    "NameMatch",
    "Reason",
    "compare_name",
    "heard_name",
    "knowledge_matches",
    "says_deceased",
    "spoken_digits",
    "third_person",
    "warm_up",
]


class Decision(StrEnum):
    """One identity decision, as recorded with the call."""

    CONFIRMED = "confirmed"
    THIRD_PARTY = "third_party"
    ASKED_AGAIN = "asked_again"
    KNOWLEDGE_OK = "knowledge_ok"
    KNOWLEDGE_FAILED = "knowledge_failed"


class Reason(StrEnum):
    """Why a decision was taken: codes only, never what was heard (it may be personal data)."""

    BARE_YES = "bare_yes"  # a yes (confirm_identity or affirm) to the robot's name question
    NAME_MATCH = "name_match"  # the name heard is the debtor's
    SURNAME_YES = "surname_yes"  # a yes naming only the debtor's surname ("对，我是张先生")
    SURNAME_ONLY = "surname_only"  # only the debtor's surname, no yes: asked with the full name
    NAME_MISMATCH = "name_mismatch"  # a different name
    THIRD_PERSON = "third_person"  # the debtor spoken of in the third person
    SAID_THIRD_PARTY = "said_third_party"  # intent third_party
    SAID_WRONG_NUMBER = "said_wrong_number"  # intent wrong_number
    SAID_DECEASED = "said_deceased"  # intent debtor_deceased
    UNCLEAR = "unclear"  # neither yes nor no (other, low confidence)
    LLM_LABEL = "llm_label"  # only the LLM heard a yes: never enough
    KNOWLEDGE_RIGHT = "knowledge_right"
    KNOWLEDGE_WRONG = "knowledge_wrong"
    KNOWLEDGE_UNCLEAR = "knowledge_unclear"
    ASKED_TOO_OFTEN = "asked_too_often"  # the reprompt limit reached: no disclosure


class NameMatch(StrEnum):
    SAME = "same"
    SURNAME = "surname"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class HeardName:
    """A self-introduced name: the full name (`given` may be empty) or only a surname."""

    surname: str
    given: str = ""
    surname_only: bool = False


# --- Chinese -----------------------------------------------------------------------------------

COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "司徒",
        "东方",
        "皇甫",
        "慕容",
        "令狐",
        "夏侯",
        "端木",
        "尉迟",
        "公孙",
        "长孙",
        "宇文",
        "轩辕",
        "澹台",
        "呼延",
    ]
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常康施乔葛牛洪樊易申文庞殷颜柴倪鲁章温岳齐祝关卓蒙游翟凌甘霍邢裴华包"
    "焦欧阮单池盛宁彭童骆苗柯纪聂靳舒艾尚蓝左谷鲍车宫芦翁梅耿封邬伍詹郎蔺荣郁应景练"
)
_ZH_INTRO = re.compile(r"(?:我就?是|我叫|这里是|这边是|我这边是)([\u4e00-\u9fff]{1,6})")
# Outside the name question only an unmistakable self-introduction counts ("我叫李四", "不是，我是李四"):
# "我是程序员" or "我是方便的" after identity must not end the call.
_ZH_STRICT_INTRO = re.compile(
    r"(?:我叫|我的名字是|我名字叫|不是[^，,。！？]{0,8}[，, ]?我是)([\u4e00-\u9fff]{1,6})"
)
_ZH_SURNAME_INTRO = re.compile(r"我姓([\u4e00-\u9fff]{1,2})")
_ZH_HONORIFIC = re.compile(r"先生|女士|小姐|太太|总|经理|师傅")
_ZH_OLD_YOUNG = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|是)(?:老|小)([\u4e00-\u9fff])(?=$|[^\u4e00-\u9fff]|啊|呀|呢|吧)"
)
_ZH_TAIL = re.compile(r"(?:本人|啊|呀|呢|吧|啦|哈|嘛|哦|呐|的)+$")
# Words after 我是 that are never a name: a relation, the speaker themself, a place.
_ZH_NOT_NAME = re.compile(r"^(?:他|她|它|你|您|本人|这|那|谁|不|在|真|机|客|的|哪|其|同|朋|家|邻|物)")
_ZH_RELATIONS = (
    r"(?:老婆|老公|妻子|丈夫|爱人|媳妇|妈妈|妈|爸爸|爸|母亲|父亲|儿子|女儿|哥哥|哥|姐姐|姐|弟弟|弟|妹妹|妹|"
    r"朋友|同事|家人|亲戚|室友|邻居|领导|老板)"
)
_ZH_THIRD_PERSON = re.compile(
    r"(?:(?!我)[\u4e00-\u9fff]){1,3}的" + _ZH_RELATIONS + r"|"  # 我是张三的老婆 (never 我的…)
    r"(?:我是|我)?(?:他|她)(?:的)?(?:老婆|老公|妻子|丈夫|爱人|媳妇|妈妈|妈|爸爸|爸|母亲|父亲|儿子|女儿|"
    r"哥哥|哥|姐姐|姐|弟弟|弟|妹妹|妹|朋友|同事|家人|亲戚|室友|邻居|领导|老板)"
    r"|找(?:他|她)"
    r"|(?:他|她)(?!们)(?:人)?(?:不在|在洗澡|在上班|在睡觉|出去|出门|没空|没在|现在不|正在|手机)"
    r"|(?:帮|替|转告)(?:他|她)(?!们)"
    r"|(?:他|她)(?!们)(?:到底)?欠"
)


def _readings(text: str) -> list[set[str]]:
    """Every toneless pinyin reading of each character."""
    return [set(r) for r in pinyin(text, style=Style.NORMAL, heteronym=True, errors="ignore")]


def _sounds_same(a: str, b: str) -> bool:
    ra, rb = _readings(a), _readings(b)
    return len(ra) == len(rb) > 0 and all(x & y for x, y in zip(ra, rb, strict=True))


def split_zh_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese full name: a compound surname when it starts one."""
    name = name.strip()
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _zh_surname_of(candidate: str, debtor_surname: str) -> str | None:
    """The surname `candidate` starts with: a known one, or one that sounds like the debtor's."""
    if candidate[:2] in COMPOUND_SURNAMES:
        return candidate[:2]
    head = candidate[: len(debtor_surname)] if debtor_surname else candidate[:1]
    if debtor_surname and _sounds_same(head, debtor_surname):
        return head
    return candidate[:1] if candidate[:1] in SURNAMES else None


def _heard_zh(text: str, debtor_name: str, *, strict: bool) -> HeardName | None:
    debtor_surname, _ = split_zh_name(debtor_name) if debtor_name else ("", "")
    m = _ZH_SURNAME_INTRO.search(text)
    if m:
        surname = _zh_surname_of(m.group(1), debtor_surname)
        if surname is not None:
            return HeardName(surname, surname_only=True)
    if strict:
        return _heard_zh_intro(text, debtor_surname, _ZH_STRICT_INTRO)
    for m in _ZH_HONORIFIC.finditer(text):
        before = text[max(0, m.start() - 2) : m.start()]
        for candidate in (before, before[-1:]):  # a compound surname first, then a single one
            if candidate and _zh_surname_of(candidate, debtor_surname) == candidate:
                return HeardName(candidate, surname_only=True)
    m = _ZH_OLD_YOUNG.search(text)
    if m:
        surname = _zh_surname_of(m.group(1), debtor_surname)
        if surname is not None:
            return HeardName(surname, surname_only=True)
    return _heard_zh_intro(text, debtor_surname, _ZH_INTRO)


def _heard_zh_intro(text: str, debtor_surname: str, intro: re.Pattern[str]) -> HeardName | None:
    for m in intro.finditer(text):
        candidate = _ZH_TAIL.sub("", m.group(1))
        if not 2 <= len(candidate) <= 4 or _ZH_NOT_NAME.match(candidate):
            continue
        surname = _zh_surname_of(candidate, debtor_surname)
        if surname is not None:
            return HeardName(surname, candidate[len(surname) :])
    return None


# --- English -----------------------------------------------------------------------------------

_EN_INTRO = re.compile(
    r"\b(?:this is|it's|it is|i'm|i am|my name is|you're speaking (?:to|with)|you've got|speaking with)\s+"
    r"((?:mr|mrs|ms|miss|dr)\.?\s+)?([A-Za-z][A-Za-z'-]+)(?:\s+([A-Za-z][A-Za-z'-]+))?",
    re.IGNORECASE,
)
_EN_SPEAKING = re.compile(r"\b([A-Za-z][A-Za-z'-]+)(?:\s+([A-Za-z][A-Za-z'-]+))?\s+(?:speaking|here)\b")
_EN_TITLE = re.compile(r"\b(?:mr|mrs|ms|miss)\.?\s+([A-Za-z][A-Za-z'-]+)", re.IGNORECASE)
# Words that follow "this is" / "I'm" and are not names.
_EN_NOT_NAME = frozenset(
    (
        "a", "an", "the", "his", "her", "their", "my", "your", "our", "not", "no", "yes", "just",
        "only", "fine", "ok", "okay", "good", "great", "busy", "sorry", "calling", "here", "speaking",
        "he", "she", "him", "it", "this", "that", "who", "what", "wrong", "correct", "right", "me",
        "myself", "same", "one", "person", "actually", "really", "very", "so", "well", "still",
        "currently", "going", "gonna", "trying", "about", "afraid", "at", "in", "on", "out", "with",
        "for", "from", "driving", "working", "home", "away", "tired", "done", "sure", "glad", "happy",
        "free", "late", "interested", "able", "unable", "paid", "true", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "tonight",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
    )
)  # fmt: skip
_EN_THIRD_PERSON = re.compile(
    r"\b(?:i'?m|i am|this is)\s+(?:his|her|their|[a-z]+'s)\s+\w+"
    r"|\b(?:his|her)\s+(?:wife|husband|mother|mom|mum|father|dad|son|daughter|brother|sister|"
    r"roommate|friend|partner|girlfriend|boyfriend|neighbou?r|boss|coworker|colleague)\b"
    r"|\b(?:he|she)(?:'s| is)\s+(?:not|out|in the|at|busy|sleeping|asleep|working|away|showering|"
    r"in the shower|unavailable)\b"
    r"|\b(?:he|she)\s+(?:isn't|is not|can't|cannot)\b"
    r"|\b(?:take|leave)\s+a\s+message\b"
    r"|\bwhat do you want with (?:him|her)\b"
    r"|\b(?:him|her)\s+(?:owe|owes)\b|\b(?:he|she)\s+owes?\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _nicknames() -> NickNamer:
    return NickNamer()


def warm_up(lang: str) -> None:
    """Load what verification reads (the nickname table, ~0.1 s; pinyin's dictionaries) before any
    line dials, so no live call pays for it."""
    if lang == "en-US":
        _nicknames()
    else:
        _readings("张")


def _known_name(word: str) -> bool:
    table = _nicknames()
    w = word.lower()
    return bool(table.nicknames_of(w) or table.canonicals_of(w))


def _en_name_word(word: str | None, *, titled: bool = False) -> bool:
    if not word or word.lower() in _EN_NOT_NAME:
        return False
    return titled or word[:1].isupper() or _known_name(word)


def _heard_en(text: str, *, strict: bool) -> HeardName | None:
    m = _EN_TITLE.search(text)
    if m and _en_name_word(m.group(1), titled=True) and not strict:
        return HeardName(m.group(1), surname_only=True)
    for m in _EN_INTRO.finditer(text):
        if strict and not m.group(0).lower().startswith(("this is", "my name is")):
            continue  # outside the name question only an unmistakable self-introduction counts
        title, first, last = m.group(1), m.group(2), m.group(3)
        if title:
            if strict and _en_name_word(first, titled=True):
                return HeardName(first, surname_only=True)
            continue  # handled above
        if not _en_name_word(first):
            continue
        last = last if _en_name_word(last) and last and last[:1].isupper() else None
        return HeardName(surname=last or "", given=first)
    m = _EN_SPEAKING.search(text)
    if m and _en_name_word(m.group(1)) and m.group(1)[:1].isupper():
        last = m.group(2) if _en_name_word(m.group(2)) else None
        if last is None or last.lower() in {"speaking", "here"}:
            return HeardName(surname="", given=m.group(1))
        return HeardName(surname=last, given=m.group(1))
    return None


def _same_first_name(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    table = _nicknames()
    forms_a = {a} | table.canonicals_of(a) | table.nicknames_of(a)
    forms_b = {b} | table.canonicals_of(b) | table.nicknames_of(b)
    return bool(forms_a & forms_b)


# --- the questions the engine asks -------------------------------------------------------------


def heard_name(text: str, lang: str, debtor_name: str = "", *, strict: bool = False) -> HeardName | None:
    """The name the speaker introduces themselves with, or None (`debtor_name` lets a Chinese
    homophone of an uncommon surname count as a surname). `strict`: only an unmistakable
    self-introduction ("我叫李四", "不是，我是李四", "This is Sam", "My name is Sam"), for turns that
    do not answer the name question."""
    if lang == "en-US":
        return _heard_en(text, strict=strict)
    return _heard_zh(text, debtor_name, strict=strict)


def compare_name(heard: HeardName, debtor_name: str, lang: str) -> NameMatch:
    """Whether the name heard is the debtor's: SAME, SURNAME (only the surname, which matches) or OTHER."""
    if lang == "en-US":
        parts = debtor_name.split()
        first, last = (parts[0], parts[-1]) if parts else ("", "")
        if heard.surname_only:
            return NameMatch.SURNAME if heard.surname.lower() == last.lower() else NameMatch.OTHER
        if heard.surname and heard.surname.lower() != last.lower():
            return NameMatch.OTHER
        if heard.given and not _same_first_name(heard.given, first):
            # "This is Morgan": a first word that is the debtor's surname.
            if not heard.surname and heard.given.lower() == last.lower():
                return NameMatch.SURNAME
            return NameMatch.OTHER
        return NameMatch.SAME
    surname, given = split_zh_name(debtor_name)
    if not _sounds_same(heard.surname, surname):
        return NameMatch.OTHER
    if heard.surname_only or not heard.given:
        return NameMatch.SURNAME
    return NameMatch.SAME if _sounds_same(heard.given, given) else NameMatch.OTHER


_ZH_DECEASED = re.compile(
    r"(?:他|她)(?!们)(?:已经|前几年|去年|上个月|早就)?(?:去世|过世|病逝|走了|不在了|死了|没了)"
)
_EN_DECEASED = re.compile(
    r"\b(?:he|she)(?:'s| has| had| is)?\s+(?:passed away|passed on|died|dead|no longer with us)\b"
    r"|\b(?:his|her) (?:death|funeral)\b",
    re.IGNORECASE,
)


def says_deceased(text: str, lang: str) -> bool:
    """The debtor, spoken of in the third person, has died ("他去年走了", "she passed away");
    never the speaker's own bereavement ("我爸去世了" is the debtor's hardship)."""
    pattern = _EN_DECEASED if lang == "en-US" else _ZH_DECEASED
    return pattern.search(text) is not None


def third_person(text: str, lang: str) -> bool:
    """The speaker talks about the debtor as someone else ("我是他老婆", "she's not home")."""
    pattern = _EN_THIRD_PERSON if lang == "en-US" else _ZH_THIRD_PERSON
    return pattern.search(text) is not None


# --- knowledge check ---------------------------------------------------------------------------

_ZH_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "勾": "9",
}  # fmt: skip
_EN_UNITS = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_EN_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_EN_TENS = {
    "twenty": 2,
    "thirty": 3,
    "forty": 4,
    "fifty": 5,
    "sixty": 6,
    "seventy": 7,
    "eighty": 8,
    "ninety": 9,
}
DIGIT_WORDS = frozenset({*_EN_UNITS, *_EN_TEENS, "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
                         "eighty", "ninety", "hundred"} - {"o"})  # fmt: skip
# The question's own words carry digits ("后四位", "last four"): they are not the answer.
_QUESTION_WORDS = re.compile(
    r"(?:最)?后(?:四|4)位|尾号|身份证(?:号)?|出生(?:年份)?"
    r"|last\s+(?:four|4)(?:\s+digits)?|digits|born in|year",
    re.IGNORECASE,
)
_ZH_TEN = re.compile(r"([一二三四五六七八九两]?)十([一二三四五六七八九]?)")


def _zh_tens(m: re.Match[str]) -> str:
    high, low = m.group(1) or "一", m.group(2)
    return _ZH_DIGITS[high] + (_ZH_DIGITS[low] if low else "0")


def spoken_digits(text: str) -> str:
    """The digits (and an ID's final X) heard in `text`, in order: "1234", "一二三四", "幺两三四",
    "twelve thirty four", "one nine eight five", "nineteen eighty-five", "三十四"."""
    text = _QUESTION_WORDS.sub(" ", text)
    text = _ZH_TEN.sub(_zh_tens, text)
    out: list[str] = []
    tokens = re.findall(r"[0-9]|[xX叉]|[\u4e00-\u9fff]|[A-Za-z]+", text.replace("-", " "))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        if tok.isdigit():
            out.append(tok)
        elif tok in _ZH_DIGITS:
            out.append(_ZH_DIGITS[tok])
        elif low in {"x", "ex", "叉"} or tok == "叉":
            out.append("X")
        elif low in _EN_UNITS and not (low == "o" and not out):
            out.append(str(_EN_UNITS[low]))
        elif low in _EN_TEENS:
            out.append(str(_EN_TEENS[low]))
        elif low in _EN_TENS:
            nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            if nxt in _EN_UNITS and nxt not in {"o", "oh"}:
                out.append(f"{_EN_TENS[low]}{_EN_UNITS[nxt]}")
                i += 1
            else:
                out.append(f"{_EN_TENS[low]}0")
        elif low == "hundred" and out:
            out.append("00")
        i += 1
    return "".join(out)


def _pinyin_text(text: str) -> str:
    return "".join(r[0] for r in pinyin(text.lower(), style=Style.NORMAL, errors="default"))


def _compact(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.lower())


def knowledge_matches(kind: KnowledgeCheck | str, text: str, expected: str, lang: str) -> bool | None:
    """Whether `text` answers the knowledge check with `expected`; None when no answer was heard
    (asked again) — a wrong answer is False."""
    kind = KnowledgeCheck(kind)
    if kind == KnowledgeCheck.NONE:
        return True
    if kind == KnowledgeCheck.PRODUCT:
        heard, want = _compact(text), _compact(expected)
        if not heard:
            return None
        return want in heard or (lang != "en-US" and _pinyin_text(want) in _pinyin_text(heard))
    digits = spoken_digits(text)
    want = expected.strip().upper()
    if kind == KnowledgeCheck.ID_LAST4:
        if len(digits) < 4:
            return None
        return digits[-4:] == want[-4:]
    # birth year: four digits, or the last two ("八五年", "eighty-five")
    if len(digits) >= 4:
        return digits[-4:] == want[-4:]
    if len(digits) == 2:
        return digits == want[-2:]
    return None
