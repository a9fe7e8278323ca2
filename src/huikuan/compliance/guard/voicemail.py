"""A voicemail must be complete: a number to call back and no field left empty.

A limited-content message (US §1006.2(j)) asks the consumer to reply to a named person at a
telephone number; a message rendered with an empty field ("Please call  back at . Thank you.",
"请您回电，联系人，谢谢") asks for a reply nobody can give and tells the hearer only that a
business is chasing them. So in the VOICEMAIL context a sentence needs a telephone number, and
the marks an empty slot leaves (a doubled space, a space before punctuation, a label followed by
nothing) block it. Pattern checks, not a frame: these are about form, not about meaning.
"""

from __future__ import annotations

import re

# A telephone number as scripts render it: 7+ digits, possibly grouped by spaces, dashes, dots
# or parentheses ("800-555-0100", "(212) 555 0100", "+1 212 555 0100": the 555-01xx fiction range).
_NUMBER = re.compile(r"\+?\(?\d(?:[\d\s().-]*\d){6,}")
_EMPTY_FIELD = {
    "en-US": re.compile(
        r"\S {2,}\S|\s[.,;:!?]|\b(?:at|call|contact|reach|ask\s+for|with)\s*[.,;:!?]", re.IGNORECASE
    ),
    "zh-CN": re.compile(r"(?:联系人|回电|致电|拨打|电话|号码)[：:]?\s*[，。,.；;！!]|[，,]\s*[，,。.]"),
}


def incomplete(text: str, lang: str) -> bool:
    """True when voicemail `text` has no callback number or shows an empty field."""
    if not _NUMBER.search(text):
        return True
    pattern = _EMPTY_FIELD.get(lang)
    return bool(pattern and pattern.search(text))
