"""Text clean-up shared by training and classification, so both see the same characters.

ASR output has no punctuation, so punctuation, symbols, emoji and control characters are
removed; full-width forms are folded (NFKC) and Latin text lower-cased.
"""

from __future__ import annotations

import re
import unicodedata

# Longer input is cut: nobody says more than this in one turn, and it bounds the cost.
MAX_CHARS = 1000

_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Text reduced to letters, digits, CJK, '$', '.', ',', apostrophes and single spaces."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])[:MAX_CHARS].lower()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or ch in "$.,'":
            kept.append(ch)
        else:
            kept.append(" ")
    return _SPACES.sub(" ", "".join(kept)).strip()


def for_model(text: str) -> str:
    """`clean` text without the punctuation kept for entity parsing."""
    return _SPACES.sub(" ", re.sub(r"(?<!\d)[.,]|[.,](?!\d)|\$", " ", text)).strip()


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def has_latin(text: str) -> bool:
    return any("a" <= ch <= "z" for ch in text)
