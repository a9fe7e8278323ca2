"""`huikuan compliance guard`: run the content guard over sentences read from stdin (JSON Lines out)."""

from __future__ import annotations

import json
import sys

import typer

from huikuan.compliance.guard import LANGS, Context, check
from huikuan.errors import InvalidInput


def guard(
    lang: str = typer.Option(..., "--lang", help="zh-CN 或 en-US / zh-CN or en-US"),
    context: str = typer.Option(
        "debtor", "--context", help="debtor | opening | third_party | voicemail | sms"
    ),
) -> None:
    """逐行检查标准输入中的句子 / check each sentence on stdin, one JSON line per sentence."""
    if lang not in LANGS:
        raise InvalidInput(f"--lang must be one of {', '.join(sorted(LANGS))}, not {lang!r}")
    try:
        ctx = Context(context)
    except ValueError:
        raise InvalidInput(
            f"--context must be one of {', '.join(c.value for c in Context)}, not {context!r}"
        ) from None
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        verdict = check(text, lang, ctx)
        row = {"text": text, "allowed": verdict.allowed, "categories": [c.value for c in verdict.categories]}
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def register(app: typer.Typer) -> None:
    app.command("guard")(guard)
