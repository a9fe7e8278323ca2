"""`huikuan nlu classify`: one JSON line per utterance read from standard input.

Input is read as bytes and split on '\\n' only, so invalid UTF-8 (replaced by U+FFFD),
control characters such as '\\r', '\\x0b' or '\\x1c' (which str.splitlines would split on)
and very long lines still give exactly one output line per input line.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from typing import BinaryIO

import typer

from huikuan.dialogue.nlu.core import classify
from huikuan.dialogue.nlu.types import NluResult
from huikuan.errors import InvalidInput

LANGS = ("zh-CN", "en-US")

app = typer.Typer(
    help="话术理解（意图、金额、日期、情绪）/ NLU: intent, amount, date, emotion", no_args_is_help=True
)


def parse_options(lang: str, today: str | None) -> date:
    """The reference date; an unknown language or a malformed date is InvalidInput."""
    if lang not in LANGS:
        raise InvalidInput(f"--lang 只能是 zh-CN 或 en-US / --lang must be zh-CN or en-US, got {lang[:20]!r}")
    if today is None:
        return date.today()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", today):
        raise InvalidInput(f"--today 格式应为 YYYY-MM-DD / --today must be YYYY-MM-DD, got {today[:20]!r}")
    try:
        return date.fromisoformat(today)
    except ValueError:
        raise InvalidInput(f"--today 不是有效日期 / --today is not a valid date: {today}") from None


def to_json(text: str, result: NluResult) -> str:
    """The output line: amounts in yuan/dollars (a number), dates as YYYY-MM-DD, absent entities omitted."""
    entities: dict[str, object] = {}
    if result.entities.amount is not None:
        whole, cents = divmod(result.entities.amount, 100)
        entities["amount"] = whole if cents == 0 else result.entities.amount / 100
    if result.entities.date is not None:
        entities["date"] = result.entities.date.isoformat()
    line = {
        "text": text,
        "intent": result.intent.value,
        "confidence": result.confidence,
        "entities": entities,
        "emotion": result.emotion.value,
    }
    return json.dumps(line, ensure_ascii=False)


def run(stdin: BinaryIO, stdout: BinaryIO, lang: str, today: date) -> int:
    """Classify every line of `stdin` onto `stdout`; returns the number of lines."""
    count = 0
    for raw in stdin:
        text = raw.rstrip(b"\n").removesuffix(b"\r").decode("utf-8", errors="replace")
        stdout.write(to_json(text, classify(text, lang, today)).encode("utf-8") + b"\n")
        stdout.flush()
        count += 1
    return count


@app.command("classify")
def classify_command(
    lang: str = typer.Option("zh-CN", "--lang", help="zh-CN 或 en-US / zh-CN or en-US"),
    today: str | None = typer.Option(None, "--today", help="相对日期的参照日 YYYY-MM-DD / reference date"),
) -> None:
    """逐行识别标准输入中的话语 / classify one utterance per line of standard input."""
    ref = parse_options(lang, today)
    run(sys.stdin.buffer, sys.stdout.buffer, lang, ref)
