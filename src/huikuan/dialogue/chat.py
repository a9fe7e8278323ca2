"""`huikuan chat`: talk to the robot in the terminal as the debtor would.

Each robot line is printed with what the engine understood (intent, confidence, emotion) and
where it stands (node, identity confirmed, promise so far). Lines are read from stdin, so the
command works from a pipe as well as a keyboard; `/quit` or end of input ends the chat.

With `--account` the account's debtor, amount and due date are used; the name is decrypted for
the operator's own terminal only and is never logged. Without it, a fictitious sample debtor.
When an LLM is configured (`HUIKUAN_LLM_BASE_URL`), it serves as the engine's responder and its
exchanges are recorded in `llm_exchange`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

import typer
from sqlalchemy.orm import Session

from huikuan.config import Settings, get_settings
from huikuan.db import session_scope
from huikuan.dialogue import CallContext, DialogueEngine, NluResult, Reply, load_script
from huikuan.dialogue.llm import LlmClient, record_exchanges
from huikuan.dialogue.render import yuan
from huikuan.errors import InvalidInput, NotFound
from huikuan.runtime import open_database

LANGS = ("zh-CN", "en-US")
QUIT = "/quit"


@dataclass(frozen=True, slots=True)
class Debtor:
    """Who the robot is calling: `name` is personal data (print it, never log it)."""

    name: str
    platform: str
    amount_fen: int
    due_date: date


def sample_debtor(lang: str, today: date) -> Debtor:
    """A fictitious debtor for trying scripts without a database."""
    if lang == "en-US":
        return Debtor("Alex Morgan", "EasyLoan", 120_000, today - timedelta(days=20))
    return Debtor("张三", "安心借", 350_000, today - timedelta(days=20))


def load_debtor(session: Session, account_id: int) -> Debtor:
    """The account's debtor, overdue amount, due date and platform (the product or creditor)."""
    from huikuan.portfolio.models import Account, Creditor

    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"没有账户 / no account {account_id}")
    creditor = session.get(Creditor, account.creditor_id)
    platform = account.product or (creditor.name if creditor else "")
    return Debtor(account.debtor.name, platform, account.overdue, account.due_date)


def _status(nlu: NluResult | None, reply: Reply, engine: DialogueEngine) -> str:
    outcome = engine.outcome
    promise = outcome.promise
    parts = []
    if nlu is None:
        parts.append("intent=(silence)")
    else:
        parts += [
            f"intent={nlu.intent.value}",
            f"confidence={nlu.confidence:.2f}",
            f"emotion={nlu.emotion.value}",
        ]
    parts += [f"node={reply.node}", f"identity={'yes' if outcome.identity_confirmed else 'no'}"]
    amount = yuan(promise.amount_fen) if promise.amount_fen is not None else "-"
    when = promise.due_date.isoformat() if promise.due_date else "-"
    confirmed = " confirmed" if promise.confirmed else ""
    parts.append(f"promise={amount}@{when}{confirmed}")
    if outcome.disposition != "none":
        parts.append(f"disposition={outcome.disposition}")
    return "  [" + " ".join(parts) + "]"


def run_chat(
    engine: DialogueEngine, lines: TextIO, out: TextIO, *, prompt: bool = False, label: str = "机器人 / robot"
) -> None:
    """Converse on `lines` (one debtor turn each) until the robot ends, `/quit` or end of input."""
    reply = engine.start()
    out.write(f"{label}: {reply.text}\n")
    out.write(_status(None, reply, engine).replace("intent=(silence) ", "") + "\n")
    while not reply.end:
        if prompt:
            out.write("你 / you> ")
            out.flush()
        raw = lines.readline()
        if not raw or raw.strip() == QUIT:
            out.write("(已退出 / quit)\n")
            return
        heard = raw.rstrip("\r\n")
        nlu, reply = engine.step(heard if heard.strip() else None)
        out.write(f"{label}: {reply.text}\n")
        out.write(_status(nlu, reply, engine) + "\n")
        out.flush()
    out.write("(通话结束 / call ended)\n")


def _parse_today(value: str) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--today 应为 YYYY-MM-DD / must be YYYY-MM-DD, got {value!r}") from None


def chat(
    account: int | None = typer.Option(None, "--account", help="账户ID / account id"),
    lang: str = typer.Option("zh-CN", "--lang", help="zh-CN | en-US"),
    today: str = typer.Option("", "--today", help="YYYY-MM-DD (默认今天 / default today)"),
    script: str = typer.Option("reminder", "--script", help="话术 / script name"),
) -> None:
    """与机器人对话（你扮演债务人）/ talk to the robot as the debtor."""
    if lang not in LANGS:
        raise InvalidInput(f"--lang 只支持 / must be one of {', '.join(LANGS)}")
    day = _parse_today(today)
    settings: Settings = get_settings()
    llm = LlmClient.from_settings(settings)
    engine_db = open_database(settings) if account is not None or llm is not None else None
    if account is not None:
        assert engine_db is not None  # noqa: S101 - opened just above for an account
        with session_scope(engine_db) as session:
            debtor = load_debtor(session, account)
    else:
        debtor = sample_debtor(lang, day)
    ctx = CallContext(debtor.name, debtor.platform, debtor.amount_fen, debtor.due_date, day)
    loaded = load_script(script, lang)
    engine = DialogueEngine(loaded, ctx, responder=llm) if llm is not None else DialogueEngine(loaded, ctx)
    try:
        run_chat(engine, sys.stdin, sys.stdout, prompt=sys.stdin.isatty())
    finally:
        if llm is not None and llm.exchanges and engine_db is not None:
            with session_scope(engine_db) as session:
                record_exchanges(session, llm.exchanges)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
