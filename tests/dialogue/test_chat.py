"""`huikuan chat`: the robot's replies with intent and state, from stdin, for a sample debtor or
an account; /quit and end of input end it; bad options are one line and exit 2."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.dialogue.chat import run_chat
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
