"""`huikuan profile refresh|show`: recompute every open account's profile, or print one."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import InvalidInput, NotFound
from huikuan.profiling import service
from huikuan.runtime import open_database

app = typer.Typer(help="客户画像 / debtor profiles", no_args_is_help=True)


def _instant(text: str) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--at 须为 ISO 8601 时间 / --at is not an ISO 8601 date-time: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@app.command()
def refresh(
    at: str = typer.Option(
        "", "--at", help="画像时点（默认现在）/ as of this instant, ISO 8601 (default: now)"
    ),
) -> None:
    """重新计算所有在催账户的画像 / Recompute every open account's profile (run nightly)."""
    when = _instant(at)
    engine = open_database(get_settings())
    try:
        with session_scope(engine) as session:
            result = service.refresh(session, when)
    finally:
        engine.dispose()
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.segments.items()))
    model = result.propensity_version or "none (too little history)"
    typer.echo(
        f"画像已更新 / profiles refreshed: {result.accounts} accounts ({counts}); "
        f"by model {result.by_model}; propensity model {model}"
    )


@app.command()
def show(account_id: int = typer.Argument(..., help="账户编号 / account id")) -> None:
    """显示一个账户的画像 / Print one account's profile as JSON."""
    engine = open_database(get_settings())
    try:
        with session_scope(engine) as session:
            profile = service.profile_of(session, account_id)
    finally:
        engine.dispose()
    if profile is None:
        raise NotFound(f"账户 {account_id} 尚无画像 / account {account_id} has no profile yet")
    typer.echo(
        json.dumps(
            {
                "account_id": profile.account_id,
                "computed_at": profile.computed_at.isoformat(),
                "feature_version": profile.feature_version,
                "segment": profile.segment.value,
                "source": profile.source,
                "confidence": profile.confidence,
                "explanation_zh": profile.explanation_zh,
                "explanation_en": profile.explanation_en,
                "best_hours": profile.best_hours,
                "propensity": profile.propensity,
                "propensity_version": profile.propensity_version,
            },
            ensure_ascii=False,
        )
    )
