"""The console's catalogue: `check` lists strings without a zh-CN translation; `add AREA`
appends them to locale/zh_CN/LC_MESSAGES/AREA.po with empty translations to fill in."""

from __future__ import annotations

import sys

from huikuan.web import catalogue


def main(argv: list[str]) -> int:
    if argv[:1] == ["add"] and len(argv) == 2:
        print(f"{catalogue.add_missing(argv[1])} ids added to {argv[1]}.po")
        return 0
    if argv[:1] == ["check"]:
        gaps = catalogue.missing()
        for found in gaps:
            print(f"{found.where}: {found.msgid!r}")
        for clash in catalogue.conflicts():
            print(f"conflict: {clash}")
        return 1 if gaps or catalogue.conflicts() else 0
    print("usage: python scripts/i18n.py check | add AREA", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
