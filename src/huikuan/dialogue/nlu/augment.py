"""ASR-style noise for training sentences: fillers, dropped and doubled characters,
homophone errors, Cantonese written forms (zh) and speech-to-text spellings (en).

Deterministic: the same seed gives the same variants, so the trained model is reproducible.
"""

from __future__ import annotations

import random

_ZH_FILLERS_START = ("嗯", "啊", "那个", "呃", "就是", "哎", "喂", "嗯嗯", "那个那个")
_ZH_FILLERS_END = ("啊", "吧", "呢", "嘛", "啦", "呀", "嗯")
_ZH_HOMOPHONES = {
    "还": ("换", "环"),
    "是": ("事", "四", "系"),
    "在": ("再",),
    "已经": ("以经", "已近"),
    "期": ("七", "其"),
    "的": ("得", "地"),
    "他": ("她", "它"),
    "钱": ("前",),
    "打": ("达", "搭"),
    "机器": ("鸡器",),
    "投诉": ("头诉", "投素"),
    "款": ("宽",),
    "分": ("份",),
    "没": ("每",),
    "我": ("窝",),
    "号": ("好",),
    "错": ("措",),
}
_ZH_CANTONESE = {
    "是": "係",
    "不": "唔",
    "没有": "冇",
    "给": "俾",
    "的": "嘅",
    "什么": "乜嘢",
    "他": "佢",
    "她": "佢",
    "现在": "而家",
    "明天": "听日",
    "了": "咗",
    "在": "喺",
    "怎么": "点样",
    "多少": "几多",
}
_EN_FILLERS = ("uh", "um", "like", "you know", "well", "so", "yeah", "okay", "hmm", "i mean")
_EN_HOMOPHONES = {
    "to": ("too", "two"),
    "there": ("their",),
    "your": ("you're",),
    "you're": ("your", "youre"),
    "i'll": ("ill", "i will"),
    "i'm": ("im", "i am"),
    "paid": ("payed",),
    "pay": ("pey",),
    "don't": ("dont", "do not"),
    "can't": ("cant", "cannot"),
    "won't": ("wont",),
    "for": ("four",),
    "right": ("write",),
    "owe": ("oh",),
    "through": ("threw",),
    "it's": ("its",),
    "that's": ("thats",),
    "he's": ("his",),
    "she's": ("shes",),
    "what's": ("whats",),
    "calling": ("colling",),
    "already": ("all ready",),
    "wrong": ("rong",),
}


def _drop_char(text: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(text) if ch != " "]
    if len(spots) < 4:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1 :]


def _double_char(text: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(text) if ch != " "]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[: i + 1] + text[i] + text[i + 1 :]


def _swap(text: str, table: dict[str, str | tuple[str, ...]], rng: random.Random, words: bool) -> str:
    keys = [k for k in table if (k in text.split() if words else k in text)]
    if not keys:
        return text
    key = rng.choice(keys)
    choice = table[key]
    new = choice if isinstance(choice, str) else rng.choice(choice)
    if words:
        return " ".join(new if w == key else w for w in text.split())
    return text.replace(key, new, 1)


def _zh_variant(text: str, rng: random.Random) -> str:
    ops = rng.sample(range(6), k=rng.choice((1, 2, 2, 3)))
    for op in ops:
        if op == 0:
            text = rng.choice(_ZH_FILLERS_START) + rng.choice(("", " ")) + text
        elif op == 1:
            text = text + rng.choice(_ZH_FILLERS_END)
        elif op == 2:
            text = _drop_char(text, rng)
        elif op == 3:
            text = _double_char(text, rng)
        elif op == 4:
            text = _swap(text, dict(_ZH_HOMOPHONES), rng, words=False)
        else:
            text = _swap(text, dict(_ZH_CANTONESE), rng, words=False)
    if rng.random() < 0.3:
        text = text.replace(" ", "")
    return text


def _en_variant(text: str, rng: random.Random) -> str:
    ops = rng.sample(range(5), k=rng.choice((1, 2, 2, 3)))
    for op in ops:
        words = text.split()
        if op == 0:
            words.insert(rng.randrange(len(words) + 1) if rng.random() < 0.4 else 0, rng.choice(_EN_FILLERS))
            text = " ".join(words)
        elif op == 1:
            i = rng.randrange(len(words))
            words[i] = _drop_char(words[i], rng)
            text = " ".join(words)
        elif op == 2:
            i = rng.randrange(len(words))
            words.insert(i, words[i])
            text = " ".join(words)
        elif op == 3:
            text = _swap(text, dict(_EN_HOMOPHONES), rng, words=True)
        else:
            text = text.replace("'", "")
    return text


def variants(text: str, lang: str, count: int, seed: int) -> list[str]:
    """`count` noisy variants of `text` (duplicates removed, the original excluded)."""
    rng = random.Random(f"{seed}:{lang}:{text}")  # noqa: S311 - reproducible noise, not security
    make = _en_variant if lang == "en" else _zh_variant
    out: list[str] = []
    for _ in range(count * 2):
        candidate = make(text, rng).strip()
        if candidate and candidate != text and candidate not in out:
            out.append(candidate)
        if len(out) == count:
            break
    return out
