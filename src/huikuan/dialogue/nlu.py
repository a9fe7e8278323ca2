"""A first rule-based NLU: keyword intents plus amount and date entities for zh-CN.

A trained model replaces the intent part later; callers depend only on `classify`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Intent(StrEnum):
    CONFIRM_IDENTITY = "confirm_identity"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    HARDSHIP = "hardship"
    REQUEST_INSTALLMENT = "request_installment"
    DISPUTE = "dispute"
    REFUSE_TO_PAY = "refuse_to_pay"
    ABUSIVE = "abusive"
    REQUEST_HUMAN = "request_human"
    ASK_IF_ROBOT = "ask_if_robot"
    CALLBACK_LATER = "callback_later"
    STOP_CONTACT = "stop_contact"
    COMPLAINT = "complaint"
    ASK_DETAILS = "ask_details"
    ASK_PAYMENT_METHOD = "ask_payment_method"
    OTHER = "other"


class Emotion(StrEnum):
    NEUTRAL = "neutral"
    ANGRY = "angry"
    SAD = "sad"


@dataclass(frozen=True, slots=True)
class Entities:
    amount: int | None = None  # minor units (fen)
    date: date | None = None


@dataclass(frozen=True, slots=True)
class NluResult:
    intent: Intent
    confidence: float
    entities: Entities
    emotion: Emotion


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两俩三四五六七八九十百千万"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}


def parse_cn_number(text: str) -> int | None:
    """'三千五' -> 3500, '一万二' -> 12000, '一千零五' -> 1005, '十五' -> 15, '3千' -> 3000."""
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return int(float(text))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万])", text)
    if m:
        unit = 10000 if m.group(2) == "万" else _CN_UNITS[m.group(2)]
        return int(float(m.group(1)) * unit)
    total = section = 0
    digit: int | None = None
    last_unit = 0
    after_zero = False
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            if digit == 0:
                after_zero = True
                digit = None
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            last_unit, digit, after_zero = _CN_UNITS[ch], None, False
        elif ch == "万":
            section += digit or 0
            total += section * 10000
            section, digit, last_unit, after_zero = 0, None, 10000, False
        else:
            return None
    if digit is not None:
        # "三千五" and "一万二" abbreviate the next unit down; "一千零五" does not.
        section += digit * (last_unit // 10) if last_unit >= 100 and not after_zero else digit
    return total + section


def _weekday_date(today: date, weekday: int, next_week: bool) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _day_of_month(today: date, day: int, month: int | None = None) -> date | None:
    year, mon = today.year, month or today.month
    try:
        candidate = date(year, mon, day)
    except ValueError:
        return None
    if candidate < today:
        if month is not None:
            candidate = date(year + 1, mon, day)
        else:
            mon = mon % 12 + 1
            year = year + (1 if mon == 1 else 0)
            try:
                candidate = date(year, mon, day)
            except ValueError:
                return None
    return candidate


_DATE_RE = re.compile(
    rf"(大后天|后天|明天|明日|今天|今日|今晚|月底|月末|下个?月初"
    rf"|(?P<nw>下个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末])"
    rf"|(?:(?P<mon>[0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})月)?(?P<dom>[0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})[号日])"
)
_AMOUNT_RE = re.compile(rf"(\d+(?:\.\d+)?[千万]?|[{_CN_NUM}]+)\s*(块钱|块|元|万)?")


def extract_date(text: str, today: date) -> tuple[date | None, str]:
    """The first date mentioned, resolved against `today`, and the text with it removed."""
    m = _DATE_RE.search(text)
    if not m:
        return None, text
    word = m.group(0)
    rest = text[: m.start()] + " " + text[m.end() :]
    fixed = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
    if word in fixed:
        return today + timedelta(days=fixed[word]), rest
    if word in ("月底", "月末"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1]), rest
    if word.startswith("下") and word.endswith("月初"):
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return first, rest
    if m.group("wd"):
        return _weekday_date(today, _WEEKDAYS[m.group("wd")], bool(m.group("nw"))), rest
    dom = parse_cn_number(m.group("dom"))
    mon = parse_cn_number(m.group("mon")) if m.group("mon") else None
    if dom is None or not 1 <= dom <= 31 or (mon is not None and not 1 <= mon <= 12):
        return None, text
    return _day_of_month(today, dom, mon), rest


def extract_amount(text: str) -> int | None:
    """The first amount of money in `text`, in fen; bare single digits are not amounts."""
    for m in _AMOUNT_RE.finditer(text):
        token, suffix = m.group(1), m.group(2)
        if suffix == "万":
            token += "万"
        has_unit = any(u in token for u in "十百千万") or suffix is not None
        if token.isdigit() and len(token) < 2 and not has_unit:
            continue
        if not token[0].isdigit() and not has_unit:
            continue
        value = parse_cn_number(token)
        if value is not None and value > 0:
            return value * 100
    return None


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words))


# Ordered: the first matching intent wins, so the more specific ones come first.
_RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.ABUSIVE,
        _rx("滚", "傻[逼比Bb]", "神经病", "他妈", "去死", "有病", "混蛋", "王八蛋", "骗子", "SB", "垃圾"),
    ),
    (Intent.COMPLAINT, _rx("投诉", "举报", "12378", "银保监", "告你们")),
    (
        Intent.STOP_CONTACT,
        _rx("别再打", "不要再打", "别打了", "不要打了", "停止联系", "不要再联系", "别再联系", "再打.*报警"),
    ),
    (Intent.ASK_IF_ROBOT, _rx("机器人", "是不是真人", "是真人吗", "你是人吗", "AI", "录音吗", "人工智能")),
    (Intent.REQUEST_HUMAN, _rx("人工", "真人", "客服", "找你们领导", "换个人")),
    (
        Intent.THIRD_PARTY,
        _rx(
            "他不在",
            "她不在",
            "我是他",
            "我是她",
            "家人",
            "他老婆",
            "她老公",
            "我是他妈",
            "我是她妈",
            "帮他转告",
            "帮她转告",
            "我转告",
            "不在家",
        ),
    ),
    (
        Intent.DISPUTE,
        _rx(
            "不是我借的", "没借过", "没有借", "金额不对", "数目不对", "不认", "有误", "搞错了", "盗用", "冒用"
        ),
    ),
    (
        Intent.WRONG_NUMBER,
        _rx("打错", "不认识", "没这个人", "没有这个人", "不是本人", "我不是", "不是我", "^不是"),
    ),
    (Intent.ALREADY_PAID, _rx("已经还", "还过了", "还清了", "早还了", "已还", "昨天还了", "付过了")),
    (Intent.REQUEST_INSTALLMENT, _rx("分期", "分几期", "分.个月", "先还一部分", "少还点", "能不能少")),
    (
        Intent.REFUSE_TO_PAY,
        _rx("不还", "不会还", "不想还", "凭什么还", "不打算还", "随便你们", "爱咋咋", "没打算还", "就是不"),
    ),
    (
        Intent.HARDSHIP,
        _rx(
            "没钱", "失业", "困难", "生病", "住院", "手头紧", "周转不开", "还不上", "还不起", "下岗", "没工作"
        ),
    ),
    (
        Intent.CALLBACK_LATER,
        _rx("在忙", "开会", "晚点", "稍后", "回头再说", "开车", "等会", "待会", "不方便"),
    ),
    (
        Intent.ASK_PAYMENT_METHOD,
        _rx("怎么还", "在哪还", "哪里还", "还款方式", "账号", "怎么付", "支付宝", "微信"),
    ),
    (
        Intent.ASK_DETAILS,
        _rx("多少钱", "欠多少", "什么事", "哪笔", "怎么回事", "什么钱", "哪个平台", "你们是谁", "什么平台"),
    ),
)
_PROMISE = _rx(
    "我会还",
    "马上还",
    "这就还",
    "尽快还",
    "立刻还",
    "今天还",
    "明天还",
    "后天还",
    "就还",
    "能还",
    "可以还",
    "去还",
    "来还",
    "还[0-9零一二两三四五六七八九十百千万]",
)
_CONFIRM = re.compile(r"(?<!不)(是我|是的|是啊|对|嗯|好的|没错|可以|行|我就是|本人|是)")
_LEADING_CONFIRM = re.compile(r"(是我|是的|我是|我就是|对|嗯|是)(?!不)")
_SAD = _rx("没钱", "失业", "困难", "生病", "住院", "难", "唉")


def classify(text: str, lang: str = "zh-CN", today: date | None = None) -> NluResult:
    """Intent, entities (amount in fen, date resolved against `today`) and emotion of one utterance."""
    ref = today or date.today()
    cleaned = text.strip()
    when, rest = extract_date(cleaned, ref)
    amount = extract_amount(rest)
    entities = Entities(amount=amount, date=when)
    intent = Intent.OTHER
    confidence = 0.3
    for candidate, pattern in _RULES:
        if pattern.search(cleaned):
            intent, confidence = candidate, 0.9
            break
    if intent in (Intent.OTHER, Intent.ASK_DETAILS, Intent.CALLBACK_LATER) and (
        _PROMISE.search(cleaned) or ("还" in cleaned and (when or amount))
    ):
        intent, confidence = Intent.PROMISE_TO_PAY, 0.85
    if intent in (Intent.OTHER, Intent.ASK_DETAILS) and _LEADING_CONFIRM.match(cleaned):
        intent, confidence = Intent.CONFIRM_IDENTITY, 0.85
    if intent == Intent.OTHER and _CONFIRM.search(cleaned):
        intent, confidence = Intent.CONFIRM_IDENTITY, 0.8
    if intent == Intent.CONFIRM_IDENTITY and (when or amount):
        # "对，周五还三千" or a correction "不对，是周六": details make it a promise.
        intent, confidence = Intent.PROMISE_TO_PAY, 0.7
    if intent == Intent.OTHER and (amount or (when and len(re.sub(r"[\s，,。吧呢]", "", rest)) <= 2)):
        intent, confidence = Intent.PROMISE_TO_PAY, 0.6  # a bare amount or date answers "还多少/哪天？"
    emotion = Emotion.NEUTRAL
    if intent in (Intent.ABUSIVE, Intent.COMPLAINT) or "！！" in cleaned:
        emotion = Emotion.ANGRY
    elif _SAD.search(cleaned):
        emotion = Emotion.SAD
    return NluResult(intent=intent, confidence=confidence, entities=entities, emotion=emotion)
