"""`huikuan audit verify|checkpoint`: prove the audit log untouched; print its signed head."""

from __future__ import annotations

import typer

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.runtime import open_database
from huikuan.security import audit
from huikuan.security.audit_log import AuditLogBroken, verify_log

app = typer.Typer(help="Audit log / 审计日志", no_args_is_help=True)


@app.command()
def verify(
    checkpoint: list[str] = typer.Option(
        [], "--checkpoint", help="a head printed by `audit checkpoint` (kept on paper) / 打印保存的检查点"
    ),
) -> None:
    """Check the keyed chain of every audit event against the checkpoints (校验审计日志)."""
    engine = open_database(get_settings())
    with session_scope(engine) as session:
        result = verify_log(session, checkpoint)
    if not result.intact:
        where = f"event {result.first_broken_id} (seq {result.first_broken_seq})"
        if result.first_broken_id is None:
            where = f"seq {result.first_broken_seq}"
        raise AuditLogBroken(f"审计日志已被篡改 / audit log broken at {where}: {result.problem}")
    typer.echo(f"审计日志完整 / audit log intact: {result.events} events")
    if result.checkpoints:
        typer.echo(
            f"与 {result.checkpoints} 个检查点一致 / matches {result.checkpoints} checkpoint(s), "
            f"the newest at seq {result.anchored_seq}"
        )
    if result.events > result.anchored_seq:
        typer.echo(
            f"注意 / note: events after seq {result.anchored_seq} are covered by the chain only; "
            "their deletion shows once a checkpoint names them"
        )


@app.command("checkpoint")
def checkpoint_command() -> None:
    """Sign the current head, append it to the checkpoint file and print it (打印审计日志检查点)."""
    engine = open_database(get_settings())
    cp = audit.write_checkpoint(engine)
    if cp is None:
        typer.echo("审计日志为空 / the audit log is empty: nothing to anchor")
        return
    typer.echo(cp.line())
