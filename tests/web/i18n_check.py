"""Is a rendered console page wholly in one language? Text and the attributes people read are
checked; what is data, not interface (names, script text, the language switch), is marked
`translate="no"` in the templates and skipped, as are scripts and styles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from huikuan.web.catalogue import extracted

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skipped = tag in ("script", "style", "template") or values.get("translate") == "no"
        if not skipped and not self._skipping():
            self.texts += [v for k, v in attrs if k in READ_ATTRIBUTES and v]
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.texts.append(values["value"] or "")
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.texts.append(data.strip())


def interface_texts(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return reader.texts


def untranslated(html: str, lang: str) -> list[str]:
    """The interface texts of `html` not in `lang`: Chinese on an English page; on a Chinese
    page, an English message id of the catalogue shown as it is."""
    texts = interface_texts(html)
    if lang == "en":
        return [t for t in texts if CJK.search(t)]
    english_ids = {msgid for msgid in extracted() if re.search(r"[A-Za-z]{3}", msgid)}
    return [t for t in texts if t in english_ids]
