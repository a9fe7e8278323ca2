"""`huikuan compliance guard` as a user runs it: sentences on stdin, JSON Lines out, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys


def _guard(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huikuan", "compliance", "guard", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def test_one_json_line_per_sentence_and_blank_lines_skipped() -> None:
    sentences = "您好，我是智能语音助手。\n\n  \n你这个老赖\n"
    result = _guard(["--lang", "zh-CN", "--context", "opening"], sentences)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first == {"text": "您好，我是智能语音助手。", "allowed": True, "categories": []}
    assert second["allowed"] is False
    assert set(second["categories"]) == {"insult", "missing_disclosure"}
    assert "老赖" in result.stdout  # ensure_ascii=False


def test_default_context_is_the_debtor() -> None:
    result = _guard(["--lang", "en-US"], "Your balance is $120.\nWe'll tell your boss.\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["allowed"] for r in rows] == [True, False]
    assert rows[1]["categories"] == ["exposure_threat"]


def test_bad_language_is_a_one_line_error() -> None:
    result = _guard(["--lang", "fr-FR"], "bonjour\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: --lang must be one of en-US, zh-CN")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_context_is_a_one_line_error() -> None:
    result = _guard(["--lang", "en-US", "--context", "boss"], "hi\n")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --context must be one of")


def test_a_voicemail_with_empty_fields_is_refused() -> None:
    holes = (
        "Hello, this is an automated AI voice assistant for Alex Morgan. Please call  back at . Thank you.\n"
    )
    result = _guard(["--lang", "en-US", "--context", "voicemail"], holes)
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["allowed"] is False
    assert row["categories"] == ["missing_disclosure"]
