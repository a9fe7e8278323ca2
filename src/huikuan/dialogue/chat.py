"""`huikuan chat`: talk to the robot in the terminal as the debtor would, on the production path.

Each robot line is printed with what the engine understood (intent, confidence, emotion) and
where it stands (node, identity confirmed, promise so far). Lines are read from stdin, so the
command works from a pipe as well as a keyboard; `/quit` or end of input ends the chat.

The call is set up as the worker sets up a real one (`dialer.worker`): the treatment for the
account's bucket (`strategy.treatment_for`) picks the script (`script_for`, unless `--script`
names one) and the installment bounds (`plan_bounds_for`, unless `--bounds` overrides them);
the script is the approved version (`versions.running_script`), the clock's instant in the
debtor's zone gives `now` and `today` (callbacks are booked as on a call), and every sentence
passes the same engine and content guard. What a chat cannot have: a campaign (so no voicemail
callback number or contact name: a voicemail line is refused, as on a call without them) and
the desk (an agent is taken as free).

With `--account` the account's debtor, amount, due date and zone are used; the name is
decrypted for the operator's own terminal only and is never logged. When the database has no
approved version of the script, the shipped file is used and a notice says the worker would
refuse the call. Without `--account`, a fictitious sample debtor and the shipped scripts.
`--today` fixes the day (10:00 in the debtor's zone) for trying dated paths.
When an LLM is configured (`HUIKUAN_LLM_BASE_URL`), it serves as the engine's responder and its
exchanges are recorded in `llm_exchange`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TextIO
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.orm import Session

from huikuan.clock import SystemClock
from huikuan.config import Settings, get_settings
from huikuan.db import session_scope
from huikuan.dialogue import CallContext, DialogueEngine, NluResult, Reply, load_script
from huikuan.dialogue.llm import LlmClient, record_exchanges
from huikuan.dialogue.render import yuan
from huikuan.dialogue.script import Script
from huikuan.dialogue.versions import running_script
from huikuan.errors import InvalidInput, NotFound
from huikuan.runtime import open_database
from huikuan.strategy import PlanBounds, Treatment, plan_bounds_for, script_for, treatment_for

LANGS = ("zh-CN", "en-US")
QUIT = "/quit"


@dataclass(frozen=True, slots=True)
class Debtor:
    """Who the robot is calling: `name` is personal data (print it, never log it)."""

    name: str
    platform: str
    amount_fen: int
    due_date: date
    bucket: str = "M1"
    timezone: str = "Asia/Shanghai"


def sample_debtor(lang: str, today: date) -> Debtor:
    """A fictitious debtor for trying scripts without a database."""
    if lang == "en-US":
        return Debtor(
            "Alex Morgan", "EasyLoan", 120_000, today - timedelta(days=20), "M1", "America/New_York"
        )
    return Debtor("张三", "安心借", 350_000, today - timedelta(days=20), "M1", "Asia/Shanghai")


def load_debtor(session: Session, account_id: int) -> Debtor:
    """The account's debtor, overdue amount, due date, bucket, zone and platform (product or creditor)."""
    from huikuan.portfolio.models import Account, Creditor

    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"没有账户 / no account {account_id}")
    creditor = session.get(Creditor, account.creditor_id)
    platform = account.product or (creditor.name if creditor else "")
    debtor = account.debtor
    return Debtor(debtor.name, platform, account.overdue, account.due_date, account.bucket, debtor.timezone)


def parse_bounds(value: str) -> PlanBounds:
    """`max_terms,max_waiver_pct,min_first_payment` (the last in yuan/dollars) as PlanBounds."""
    parts = [p.strip() for p in value.split(",")]
    problem = (
        "--bounds 应为 期数上限,减免百分比上限,首期最低金额（元）如 6,0,100 / --bounds must be "
        f"max_terms,max_waiver_pct,min_first_payment (yuan/dollars), e.g. 6,0,100; got {value[:40]!r}"
    )
    if len(parts) != 3 or not re.fullmatch(r"\d{1,3}", parts[0]) or not re.fullmatch(r"\d{1,3}", parts[1]):
        raise InvalidInput(problem)
    try:
        first = Decimal(parts[2])
    except InvalidOperation:
        raise InvalidInput(problem) from None
    if not first.is_finite() or first < 0 or first > 10**9 or first != first.quantize(Decimal("0.01")):
        raise InvalidInput(problem)
    try:
        return PlanBounds(int(parts[0]), int(parts[1]), int(first * 100))
    except ValueError as e:  # PlanBounds' own checks: at least one term, a waiver within 0..100
        raise InvalidInput(f"--bounds: {e}") from None


@dataclass(frozen=True, slots=True)
class ChatSetup:
    """What the worker would decide for this call: the script, its bounds and the call's clock."""

    script: Script
    treatment: Treatment
    plan_bounds: PlanBounds
    now: datetime
    approved: bool  # False: the shipped file, because no version of it is approved


def call_context(debtor: Debtor, setup: ChatSetup) -> CallContext:
    """The engine's context, built as `flows.place` builds it for a dialled call."""
    return CallContext(
        name=debtor.name,
        platform=debtor.platform,
        amount_fen=debtor.amount_fen,
        due_date=debtor.due_date,
        today=setup.now.date(),
        plan_bounds=setup.plan_bounds,
        timezone=debtor.timezone,
        now=setup.now,
    )


def choose(
    session: Session | None,
    debtor: Debtor,
    lang: str,
    now: datetime,
    script_name: str | None = None,
    bounds: PlanBounds | None = None,
) -> ChatSetup:
    """The worker's choices for this debtor: treatment by bucket, its script (approved version
    when a database is given and has one) and its plan bounds; `now` in the debtor's zone."""
    treatment = treatment_for(debtor.bucket)
    name = script_name or script_for(treatment)
    script, approved = None, False
    if session is not None:
        try:
            script, approved = running_script(session, name, lang).script, True
        except NotFound:
            script = None
    if script is None:
        script = load_script(name, lang)
    local_now = now.astimezone(ZoneInfo(debtor.timezone))
    return ChatSetup(script, treatment, bounds or plan_bounds_for(treatment), local_now, approved)


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


def _parse_today(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--today 应为 YYYY-MM-DD / must be YYYY-MM-DD, got {value!r}") from None


def _now(day: date | None, zone: str) -> datetime:
    """The clock's instant, or 10:00 of `day` in the debtor's zone when a day is fixed."""
    if day is None:
        return SystemClock().now()
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(zone))


def chat(
    account: int | None = typer.Option(None, "--account", help="账户ID / account id"),
    lang: str = typer.Option("zh-CN", "--lang", help="zh-CN | en-US"),
    today: str = typer.Option(
        "", "--today", help="YYYY-MM-DD，当天10点 / that day at 10:00 (默认现在 / default now)"
    ),
    script: str = typer.Option(
        "", "--script", help="话术（默认按账户阶段的策略）/ script (default: the strategy's for the bucket)"
    ),
    bounds: str = typer.Option(
        "",
        "--bounds",
        help="分期上限 期数,减免%,首期最低（元）如 6,0,100（默认按策略）/ plan bounds "
        "max_terms,max_waiver_pct,min_first_payment in yuan/dollars (default: the strategy's)",
    ),
) -> None:
    """与机器人对话（你扮演债务人，同真实通话）/ talk to the robot as the debtor, on the production path."""
    if lang not in LANGS:
        raise InvalidInput(f"--lang 只支持 / must be one of {', '.join(LANGS)}")
    day = _parse_today(today)
    plan_bounds = parse_bounds(bounds) if bounds else None
    settings: Settings = get_settings()
    llm = LlmClient.from_settings(settings)
    engine_db = open_database(settings) if account is not None or llm is not None else None
    if account is not None:
        assert engine_db is not None  # noqa: S101 - opened just above for an account
        with session_scope(engine_db) as session:
            debtor = load_debtor(session, account)
            setup = choose(session, debtor, lang, _now(day, debtor.timezone), script or None, plan_bounds)
    else:
        zone = "America/New_York" if lang == "en-US" else "Asia/Shanghai"
        debtor = sample_debtor(lang, _now(day, zone).astimezone(ZoneInfo(zone)).date())
        setup = choose(None, debtor, lang, _now(day, zone), script or "reminder", plan_bounds)
    if account is not None and not setup.approved:
        sys.stdout.write(
            f"(注意：话术 {setup.script.id}.{lang} 没有已审批的版本，使用内置文件；真实通话会拒绝 / "
            f"note: {setup.script.id}.{lang} has no approved version; using the shipped file, "
            "a real call would be refused)\n"
        )
    ctx = call_context(debtor, setup)
    loaded = setup.script
    engine = DialogueEngine(loaded, ctx, responder=llm) if llm is not None else DialogueEngine(loaded, ctx)
    try:
        run_chat(engine, sys.stdin, sys.stdout, prompt=sys.stdin.isatty())
    finally:
        if llm is not None and llm.exchanges and engine_db is not None:
            with session_scope(engine_db) as session:
                record_exchanges(session, llm.exchanges)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
