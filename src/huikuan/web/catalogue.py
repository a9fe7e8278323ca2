"""The console's message catalogue kept whole: every string the pages and labels mark for
translation (found by Babel's extractors in `web/`'s Python and templates) has a zh-CN
translation in one of the area files under `locale/zh_CN/LC_MESSAGES/`.

`python scripts/i18n.py check` lists what is missing; `python scripts/i18n.py add AREA` appends
the missing ids to `AREA.po` with empty translations for a person to fill; a test fails while
any is missing, empty or fuzzy, or while two area files translate one id differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from huikuan.web.i18n import LOCALE_DIR

WEB_DIR = Path(__file__).parent
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


@dataclass(frozen=True, slots=True)
class Found:
    msgid: str
    where: str  # file:line of its first use


def extracted() -> dict[str, Found]:
    """Every message id marked in `web/` (templates and Python), first use first."""
    found: dict[str, Found] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(WEB_DIR), METHODS, OPTIONS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in found:
            found[msgid] = Found(msgid, f"{filename}:{lineno}")
    return found


def area_files(lang: str = "zh_CN") -> list[Path]:
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


def translated(lang: str = "zh_CN") -> Iterator[tuple[Path, str, str, bool]]:
    """(file, id, translation, fuzzy) for every entry of every area file of `lang`."""
    for path in area_files(lang):
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
            yield path, msgid, text or "", message.fuzzy


def missing(lang: str = "zh_CN") -> list[Found]:
    """Marked ids with no usable translation in `lang` (absent, empty or fuzzy)."""
    usable = {msgid for _path, msgid, text, fuzzy in translated(lang) if text and not fuzzy}
    return [found for msgid, found in extracted().items() if msgid not in usable]


def conflicts(lang: str = "zh_CN") -> list[str]:
    """Ids that two area files translate differently (the merged catalogue would keep one)."""
    seen: dict[str, tuple[Path, str]] = {}
    clashes = []
    for path, msgid, text, _fuzzy in translated(lang):
        if msgid in seen and seen[msgid][1] != text:
            clashes.append(f"{msgid!r}: {seen[msgid][0].name} vs {path.name}")
        seen.setdefault(msgid, (path, text))
    return clashes


def add_missing(area: str, lang: str = "zh_CN") -> int:
    """Append the missing ids to `<area>.po` (created if new) with empty translations."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"
    catalog = Catalog(locale=lang, project="huikuan", fuzzy=False)
    if path.exists():
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang)
    todo = [found for found in missing(lang) if found.msgid not in catalog]
    for found in todo:
        catalog.add(found.msgid, "", locations=[(found.where.rsplit(":", 1)[0], 0)])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        write_po(po_file, catalog, omit_header=False, no_location=True, width=0)
    return len(todo)
