"""`huikuan audit verify`: prove the audit log untouched."""

from __future__ import annotations

import typer

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import HuikuanError
from huikuan.runtime import open_database
from huikuan.security.audit import verify as verify_chain

app = typer.Typer(help="Audit log / 审计日志", no_args_is_help=True)


class AuditLogBroken(HuikuanError):
    status_code = 409


@app.command()
def verify() -> None:
    """Check the hash chain of every audit event (校验审计日志)."""
    with session_scope(open_database(get_settings())) as session:
        result = verify_chain(session)
    if not result.intact:
        raise AuditLogBroken(
            f"审计日志已被篡改 / audit log broken at event {result.first_broken_id} "
            f"(checked {result.events} events)"
        )
    typer.echo(f"审计日志完整 / audit log intact: {result.events} events")
