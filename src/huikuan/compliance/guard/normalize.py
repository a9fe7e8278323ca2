"""Text normalisation before the guard's concept patterns run.

Hand-written because the guard needs exactly these steps and nothing heavier: NFKC folds full-width
letters, digits and punctuation to half width (ＡＩ → AI, １０ → 10, ， → ,); a small table maps the
traditional characters that occur in collection talk to simplified ones (a full OpenCC dictionary
is not a dependency here and common characters cover the evasions we see); case is folded; English
contractions are expanded so a pattern for "will not" also sees "won't"; spaces and filler symbols
inserted between Chinese characters ("老 赖", "老*赖") are removed. Money said with its minor units
becomes one decimal figure ("一千九百九十九块五" → "1999.5元", "九十九块九毛八" → "99.98元", "nineteen
ninety-nine dollars and fifty cents" → "1999.50 dollars"), so every later reader sees one amount.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from huikuan.compliance.guard.numbers import EN_WORDS, en_words_value, zh_value

_TRAD = (
    "這这個个賴赖還还錢钱麼么時时嗎吗請请問问語语應应額额們们會会說说來来給给對对報报單单據据訴诉國国"
    "錄录電电話话幫帮臉脸騙骗無无恥耻廢废貸贷債债務务賬账帳账違违約约費费機机讓让處处門门後后負负親亲"
    "聯联繫系係系發发網网險险關关於于與与為为開开審审監监獄狱執执轉转專专員员號号碼码點点樣样裡里裏里"
    "過过進进將将從从現现經经偵侦傳传動动產产資资貨货買买賣卖壞坏罰罚滾滚漲涨總总數数萬万億亿鄰邻區区"
    "貼贴隊队書书記记絡络託托題题緊紧護护證证體体齊齐湊凑擔担並并沒没強强銀银車车實实隱隐議议協协償偿"
    "養养義义氣气導导領领師师該该調调戶户寫写邊边達达內内辦办屬属誰谁誤误難难聽听豬猪罵骂殺杀斷断場场"
    "嚴严認认識识願愿減减續续餘余筆笔幾几間间趕赶則则擊击讀读銷销勢势糾纠紛纷鬧闹爛烂醜丑羞羞愧愧壓压"
    "雙双倍倍歷历況况拖拖欠欠權权爭争鬥斗槍枪當当嚇吓"
)
_TRAD_TABLE = str.maketrans({_TRAD[i]: _TRAD[i + 1] for i in range(0, len(_TRAD) - 1, 2)})

_CJK = r"[\u3400-\u9fff]"
_FILLER_BETWEEN_CJK = re.compile(rf"(?<={_CJK})[\s*_·~^.\-]+(?={_CJK})")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")

_CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "cannot"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"\b(it|that|there|he|she|what|who|here|this)'s\b"), r"\1 is"),
)


_ZH_DIGIT = "零〇一二两三四五六七八九"
_ZH_MINOR = re.compile(
    rf"(?P<major>\d+(?:,\d{{3}})*|[{_ZH_DIGIT}十百千万]+)(?P<unit>块|元)"
    rf"(?:(?P<jiao>[{_ZH_DIGIT}\d])[毛角](?:(?P<fen>[{_ZH_DIGIT}\d])分?)?|零(?P<fen0>[{_ZH_DIGIT}\d])分"
    rf"|(?P<bare>[{_ZH_DIGIT}\d]))"
)
# a bare tenth ("块五") only ends the amount: "3500块一次" is not 3500.1
_AFTER_BARE_TENTH = re.compile(r"$|[^\u4e00-\u9fff\d]|[的钱吧呢啊了哦呀左多]")

_EN_CENTS = re.compile(
    rf"\b(?P<major>{EN_WORDS}|\d[\d,]*)(?: dollars?)? and (?P<cents>{EN_WORDS}|\d{{1,2}}) cents?\b"
)

_EN_SCALE_COMMA = re.compile(
    r"\b(thousand|million), (?=(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty"
    r"|ninety|a hundred)\b)"
)


def _digit(ch: str | None) -> int:
    return int(zh_value(ch) or 0) if ch else 0


def _zh_minor(m: re.Match[str]) -> str:
    major = zh_value(m.group("major"))
    bare = m.group("bare")
    if major is None or (
        bare and (m.group("unit") == "元" or not _AFTER_BARE_TENTH.match(m.string, m.end()))
    ):
        return m.group()  # "3500元五" is no way to say an amount
    tenths = _digit(m.group("jiao") or bare)
    cents = _digit(m.group("fen") or m.group("fen0"))
    return f"{major + Decimal(tenths) / 10 + Decimal(cents) / 100}元"


def _en_cents(m: re.Match[str]) -> str:
    major, cents = m.group("major"), m.group("cents")
    dollars = int(major.replace(",", "")) if major[0].isdigit() else en_words_value(major)
    minor = int(cents) if cents.isdigit() else en_words_value(cents)
    if dollars is None or minor is None or minor >= 100:
        return m.group()
    return f"{dollars}.{minor:02d} dollars"


def normalize(text: str, lang: str) -> str:
    """Fold width, script, case and spacing so the lexicons see one spelling of each word."""
    out = unicodedata.normalize("NFKC", text)
    out = _INVISIBLE.sub("", out).replace("’", "'").replace("‘", "'")
    out = out.translate(_TRAD_TABLE).lower()
    out = _FILLER_BETWEEN_CJK.sub("", out)
    if lang.startswith("en"):
        for pattern, replacement in _CONTRACTIONS:
            out = pattern.sub(replacement, out)
        out = _EN_SCALE_COMMA.sub(r"\1 ", out)  # "eighteen thousand, six hundred" is one number
        out = _EN_CENTS.sub(_en_cents, out)
    else:
        out = _ZH_MINOR.sub(_zh_minor, out)
    return _SPACES.sub(" ", out).strip()


_LENDER = {"zh-CN": "平台", "en-US": "the lender"}


def without_name(text: str, name: str | None, lang: str) -> str:
    """`text` with the lender's own name said as "the lender" / "平台": its words are nobody's ("Maple
    Street Credit" is no street, "小橙分期" no installment offer)."""
    name = (name or "").strip()
    if not name:
        return text
    return re.sub(re.escape(name), _LENDER.get(lang, _LENDER["en-US"]), text, flags=re.IGNORECASE)
