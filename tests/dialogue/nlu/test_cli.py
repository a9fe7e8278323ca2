"""`huikuan nlu classify`: one JSON line per input line, whatever the input (in-process; one test
runs the command as a process for its exit status and one-line error)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.invoke import Ran, huikuan

CMD = [sys.executable, "-m", "huikuan", "nlu", "classify"]


def run(stdin: bytes, *args: str) -> Ran:
    return huikuan(["nlu", "classify", *args], stdin=stdin)


def test_one_json_line_per_utterance_with_entities_in_major_units() -> None:
    done = run("周五还三千五\n我已经还了\n".encode(), "--lang", "zh-CN", "--today", "2026-03-10")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0] == {
        "text": "周五还三千五",
        "intent": "promise_to_pay",
        "confidence": lines[0]["confidence"],
        "entities": {"amount": 3500, "date": "2026-03-13"},
        "emotion": "neutral",
    }
    assert 0 < lines[0]["confidence"] <= 1
    assert lines[1]["intent"] == "already_paid"
    assert lines[1]["entities"] == {}


def test_english_with_cents() -> None:
    done = run(b"i can pay $12.50 next friday\n", "--lang", "en-US", "--today", "2026-03-10")
    line = json.loads(done.stdout)
    assert line["entities"] == {"amount": 12.5, "date": "2026-03-20"}
    assert line["intent"] == "promise_to_pay"


def test_bad_input_gives_one_classified_line_per_input_line() -> None:
    lines = [
        b"",
        "我明天还".encode() * 30_000,  # ~360 KB
        "你是robot吗 😀".encode(),
        b"\x00\x01\x0b\x0c\x1c\x1d\x1e\x85 control \r",
        b"\xff\xfe\xc3(invalid utf-8\xe4\xb8",
        "\u2028 line separator \u2029 inside".encode(),
        b"   ",
    ]
    done = run(b"\n".join(lines) + b"\n", "--lang", "zh-CN", "--today", "2026-03-10")
    assert done.returncode == 0, done.stderr
    out = done.stdout.split("\n")
    assert out[-1] == ""
    results = [json.loads(line) for line in out[:-1]]
    assert len(results) == len(lines)
    assert results[0]["intent"] == "other"
    assert results[6]["intent"] == "other"
    assert results[1]["intent"] == "promise_to_pay"
    assert results[2]["intent"] == "ask_if_robot"
    assert "\ufffd" in results[4]["text"]
    for result in results:
        assert set(result) == {"text", "intent", "confidence", "entities", "emotion"}


def test_last_line_without_newline_is_classified() -> None:
    done = run("别再打了".encode(), "--lang", "zh-CN", "--today", "2026-03-10")
    assert [json.loads(line)["intent"] for line in done.stdout.splitlines()] == ["stop_contact"]


@pytest.mark.parametrize(
    "args",
    [
        ["--lang", "fr-FR"],
        ["--lang", "zh"],
        ["--today", "2026-02-30"],
        ["--today", "10/03/2026"],
        ["--today", "x"],
    ],
)
def test_bad_options_are_one_line_errors(args: list[str]) -> None:
    done = run(b"hello\n", *args)
    _assert_one_line_error(done)


def test_a_bad_option_exits_2_with_one_line_from_the_command() -> None:
    done = subprocess.run(
        [*CMD, "--today", "2026-02-30"], input=b"hello\n", capture_output=True, check=False, timeout=120
    )
    _assert_one_line_error(Ran(done.returncode, done.stdout, done.stderr))


def _assert_one_line_error(done: Ran) -> None:
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert done.stdout_bytes == b""
