"""Text normalisation before the guard's concept patterns run.

Hand-written because the guard needs exactly these steps and nothing heavier: NFKC folds full-width
letters, digits and punctuation to half width (ＡＩ → AI, １０ → 10, ， → ,); a small table maps the
traditional characters that occur in collection talk to simplified ones (a full OpenCC dictionary
is not a dependency here and common characters cover the evasions we see); case is folded; English
contractions are expanded so a pattern for "will not" also sees "won't"; spaces and filler symbols
inserted between Chinese characters ("老 赖", "老*赖") are removed.
"""

from __future__ import annotations

import re
import unicodedata

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


def normalize(text: str, lang: str) -> str:
    """Fold width, script, case and spacing so the lexicons see one spelling of each word."""
    out = unicodedata.normalize("NFKC", text)
    out = _INVISIBLE.sub("", out).replace("’", "'").replace("‘", "'")
    out = out.translate(_TRAD_TABLE).lower()
    out = _FILLER_BETWEEN_CJK.sub("", out)
    if lang.startswith("en"):
        for pattern, replacement in _CONTRACTIONS:
            out = pattern.sub(replacement, out)
    return _SPACES.sub(" ", out).strip()
