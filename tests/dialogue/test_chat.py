"""`huikuan chat`: the robot's replies with intent and state, from stdin, for a sample debtor or
an account; /quit and end of input end it; bad options are one line and exit 2."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.dialogue.approval import approve_builtin_scripts
from huikuan.dialogue.chat import choose, parse_bounds, run_chat, sample_debtor
from huikuan.errors import InvalidInput
from huikuan.security.users import Role, create_user
from huikuan.strategy import PlanBounds, Treatment
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan

TODAY = "2026-03-10"


def _chat(args: list[str], stdin: str, env: Mapping[str, str] | None = None) -> Ran:
    """`huikuan chat` in this process, with no LLM configured."""
    no_llm = {k: None for k in os.environ if k.startswith("HUIKUAN_LLM")}
    return huikuan(["chat", *args], stdin=stdin, env={**(env or {}), **no_llm})


def test_a_promise_in_the_terminal_shows_intent_and_state() -> None:
    done = _chat(["--today", TODAY], "是我\n周五还三千\n对\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("机器人 / robot: ")
    assert "智能语音助手" in lines[0]
    assert "intent=confirm_identity" in lines[3]
    assert "identity=yes" in lines[3]
    assert "promise=3000@2026-03-13" in lines[5]
    assert "disposition=ptp" in lines[7]
    assert "confirmed" in lines[7]
    assert lines[-1] == "(通话结束 / call ended)"
    assert done.stderr == ""


def test_english_and_quit() -> None:
    done = _chat(["--lang", "en-US", "--today", TODAY], "yes this is\n/quit\nnever read\n")
    assert done.returncode == 0, done.stderr
    assert "AI voice assistant" in done.stdout
    assert "identity=yes" in done.stdout
    assert done.stdout.splitlines()[-1] == "(已退出 / quit)"


def test_silence_reprompts_and_bad_input_never_crashes() -> None:
    lines = "\n\x01\x02😀 mixed 文字 ok\n" + "啊" * 100_000 + "\n"
    done = _chat(["--today", TODAY], lines)
    assert done.returncode == 0, done.stderr
    assert "intent=(silence)" in done.stdout
    assert done.stdout.count("机器人 / robot:") >= 3


def test_an_account_is_loaded_from_the_database(db: TestDatabase, session: Session) -> None:
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session, name="李四海")
    account = factories.account(session, debtor, batch, overdue=123_400, as_of=date(2026, 3, 10))
    session.commit()
    env = db.env()
    done = _chat(["--account", str(account.id), "--today", TODAY], "是我\n", env)
    assert done.returncode == 0, done.stderr
    assert "请问是李四海本人吗" in done.stdout  # decrypted for the operator's own terminal
    assert "1234元" in done.stdout
    assert "2月18日" in done.stdout
    assert "李四海" not in done.stderr
    missing = _chat(["--account", "999999", "--today", TODAY], "", env)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: ")
    assert missing.stderr.count("\n") == 1


def test_bad_options_are_one_line_errors() -> None:
    in_process = _chat(["--today", "2026-13-40"], "")
    assert in_process.returncode == 2
    assert in_process.stderr.startswith("error: ")
    assert in_process.stderr.count("\n") == 1
    # and as the shell sees the command: exit status 2, one line, no traceback
    done = subprocess.run(
        [sys.executable, "-m", "huikuan", "chat", "--lang", "fr-FR"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1


def test_run_chat_stops_at_end_of_input() -> None:
    ctx = CallContext("张三", "安心借", 350_000, date(2026, 2, 18), date(2026, 3, 10))
    out = io.StringIO()
    run_chat(DialogueEngine(load_script("reminder", "zh-CN"), ctx), io.StringIO("是我\n"), out)
    assert out.getvalue().splitlines()[-1] == "(已退出 / quit)"
    assert out.getvalue().count("机器人 / robot:") == 2


@pytest.mark.parametrize(
    ("lang", "turns", "offer"),
    [
        ("zh-CN", "是我\n我想分期\n", "分3期，首期1166.68元"),
        ("en-US", "yes this is me\ncan i pay in installments\n", "3 monthly payments: $400 first"),
    ],
)
def test_plan_bounds_from_the_command_line_shape_the_offer(lang: str, turns: str, offer: str) -> None:
    done = _chat(["--lang", lang, "--today", TODAY, "--script", "hardship", "--bounds", "3,0,50"], turns)
    assert done.returncode == 0, done.stderr
    assert offer in done.stdout


def test_without_bounds_the_strategys_bounds_make_the_offer() -> None:
    done = _chat(["--today", TODAY, "--script", "hardship"], "是我\n我想分期\n")
    assert done.returncode == 0, done.stderr
    assert "分6期" in done.stdout  # strategy.plan_bounds_for: six payments for every treatment today


@pytest.mark.parametrize("bad", ["6,0", "a,0,100", "0,0,100", "6,101,100", "6,0,-1", "6,0,1e99", "6,0,1.234"])
def test_bad_bounds_are_one_line_errors(bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_bounds(bad)
    done = _chat(["--bounds", bad], "")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1


def test_bounds_are_read_in_yuan() -> None:
    assert parse_bounds("12,10,99.5") == PlanBounds(12, 10, 9950)


def test_the_worker_choices_bucket_script_bounds_approved_version_and_clock(session: Session) -> None:
    at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    late = replace(sample_debtor("en-US", date(2026, 3, 10)), bucket="M5")
    shipped = choose(None, late, "en-US", at)
    assert shipped.treatment == Treatment.HUMAN_HANDOFF
    assert shipped.script.id == "handoff"
    assert not shipped.approved
    # 02:00 UTC is 22:00 the day before in New York (daylight time since March 8)
    assert (shipped.now.date(), shipped.now.hour) == (date(2026, 3, 9), 22)
    author = create_user(session, "author", "编写员", "a long test password", Role.SUPERVISOR).id
    officer = create_user(session, "officer", "合规", "a long test password", Role.COMPLIANCE_OFFICER).id
    approve_builtin_scripts(session, author_id=author, officer_id=officer, at=at)
    running = choose(session, late, "en-US", at, bounds=PlanBounds(2, 0, 100))
    assert running.approved
    assert running.script.id == "handoff"
    assert running.plan_bounds == PlanBounds(2, 0, 100)


def test_an_accounts_bucket_picks_the_script_and_an_unapproved_one_is_announced(
    db: TestDatabase, session: Session
) -> None:
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session, name="赵六")
    account = factories.account(session, debtor, batch, as_of=date(2026, 3, 10))
    account.bucket = "M5"  # a late account with no segment: human hand-off
    session.commit()
    done = _chat(["--account", str(account.id), "--today", TODAY], "是我\n", db.env())
    assert done.returncode == 0, done.stderr
    assert "handoff.zh-CN" in done.stdout.splitlines()[0]  # no approved version: said, not hidden
    assert "转接" in done.stdout
