"""`huikuan compliance check`: decide JSON Lines cases from stdin, one answer line per case.

A case that cannot be read gets an answer line with `error` (and `allowed: false`) in its place,
so answers stay aligned with cases; the command then exits 2 after the last case.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from huikuan.compliance.cases import decision_line, parse_case
from huikuan.compliance.rules import pack_for
from huikuan.errors import HuikuanError


def check() -> None:
    """Decide contact cases read as JSON Lines from stdin (合规判定)."""
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        answer = _answer(line, number)
        bad += "error" in answer
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if bad:
        sys.stderr.write(f"error: {bad} 个用例无法判定 / {bad} case(s) could not be decided\n")
        raise typer.Exit(code=2)


def _answer(line: str, number: int) -> dict[str, Any]:
    case_id: Any = None
    try:
        raw = json.loads(line)
        if isinstance(raw, dict):
            case_id = raw.get("id")
        case = parse_case(raw)
        decision = pack_for(case.jurisdiction).decide(case.rule_input)
        return decision_line(case.id, decision, case.rule_input.debtor.timezone)
    except json.JSONDecodeError:
        message = f"第 {number} 行不是合法 JSON / line {number} is not valid JSON"
    except HuikuanError as exc:
        message = f"第 {number} 行 / line {number}: {exc.message}"
    return {
        "id": case_id,
        "allowed": False,
        "rule": None,
        "reason": message,
        "next_allowed_at": None,
        "error": message,
    }


def register(app: typer.Typer) -> None:
    app.command("check")(check)
