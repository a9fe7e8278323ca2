"""The one logging setup: the level from the environment, and the redactor under the ids-only rule."""

from __future__ import annotations

import logging

import pytest

from huikuan import logs
from huikuan.errors import InvalidInput
from tests.invoke import huikuan


@pytest.mark.parametrize(
    "text",
    [
        "dialled 13800138000",
        "dialled +86 138 0013 8000",
        "id 11010519491231002X",
        "us +12125550147",
        "us (212) 555-0147",
    ],
)
def test_phone_and_id_shapes_are_redacted(text: str) -> None:
    redacted = logs.redact(text)
    assert "[redacted]" in redacted
    assert not any(ch.isdigit() for ch in redacted.split(" ", 1)[1].replace("[redacted]", ""))


@pytest.mark.parametrize("text", ["attempt 1234 at 2026-03-10 10:00:01", "took 12.5 ms, p99 130"])
def test_ids_times_and_figures_are_kept(text: str) -> None:
    assert logs.redact(text) == text


def test_the_level_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    before = root.level
    try:
        monkeypatch.setenv("HUIKUAN_LOG_LEVEL", "debug")
        logs.configure()
        assert root.level == logging.DEBUG
        assert logging.getLogger("sqlalchemy").level == logging.WARNING  # rows hold personal data
    finally:
        root.setLevel(before)


def test_an_unknown_level_is_one_line() -> None:
    done = huikuan(["compliance", "settings", "show"], env={"HUIKUAN_LOG_LEVEL": "LOUD"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: HUIKUAN_LOG_LEVEL 无效 / unknown log level 'LOUD' "
        "(allowed: DEBUG, INFO, WARNING, ERROR, CRITICAL)"
    ]


def test_formatted_lines_pass_the_redactor() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "to %s", ("13900139000",), None)
    assert logs.RedactingFormatter("%(message)s").format(record) == "to [redacted]"


def test_a_bad_level_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIKUAN_LOG_LEVEL", "nope")
    with pytest.raises(InvalidInput, match="unknown log level"):
        logs.level_from_env()
