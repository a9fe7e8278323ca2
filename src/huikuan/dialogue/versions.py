"""Script versions (话术版本) as stored data: drafts, submission, reads, and the running version.

The approval policy (who may approve, the lint) is `dialogue.approval`;
this module only stores the transitions it decides, and gives the call path one function,
`running_script`, that returns an approved version or refuses. A script's code is
`<id>.<lang>` from its YAML (`reminder.zh-CN`), so each language is approved on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from huikuan.dialogue.models import Script as ScriptRow
from huikuan.dialogue.models import ScriptVersion
from huikuan.dialogue.script import SCRIPTS_DIR, Script, ScriptError, parse_script
from huikuan.errors import Conflict, InvalidInput, NotFound
from huikuan.security import audit
from huikuan.security.users import get_user

SUPPORTED_LANGS = ("zh-CN", "en-US")


class VersionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class RunningScript:
    """The approved script the call path runs, and the version id attempts record."""

    script: Script
    version_id: int
    code: str
    version: int


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    code: str
    version: int
    status: VersionStatus
    author_id: int | None
    approved_by: int | None
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    retired_at: datetime | None
    rejected_reason: str | None
    content: str


def parse_content(content: str) -> Script:
    """Parse a script's YAML and check its structure; InvalidInput (bilingual) when it is not one."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InvalidInput(f"话术不是有效的YAML / script is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise InvalidInput("话术应为YAML映射 / a script must be a YAML mapping")
    try:
        script = parse_script(data)
    except ScriptError as exc:
        raise InvalidInput(f"话术结构错误 / script structure: {exc.message}") from None
    except KeyError as exc:
        raise InvalidInput(f"话术缺少字段 / script is missing the field {exc.args[0]}") from None
    except (TypeError, ValueError, AttributeError):
        raise InvalidInput("话术字段类型错误 / a script field has the wrong type") from None
    if script.lang not in SUPPORTED_LANGS:
        raise InvalidInput(
            f"不支持的语言 / unsupported language {script.lang} (supported: {', '.join(SUPPORTED_LANGS)})"
        )
    return script


def code_of(script: Script) -> str:
    return f"{script.id}.{script.lang}"


def create_draft(session: Session, content: str, *, author_id: int, at: datetime) -> VersionInfo:
    """Store `content` as the next draft version of its script (created on first use)."""
    script = parse_content(content)
    author = get_user(session, author_id)
    if not author.active:
        raise Conflict(f"用户 {author_id} 已停用 / user {author_id} is inactive")
    code = code_of(script)
    row = session.scalars(select(ScriptRow).where(ScriptRow.code == code)).first()
    if row is None:
        row = ScriptRow(code=code, name=code, treatment=script.id[:32])
        session.add(row)
        session.flush()
    latest = session.scalar(select(func.max(ScriptVersion.version)).where(ScriptVersion.script_id == row.id))
    version = ScriptVersion(
        script_id=row.id,
        version=(latest or 0) + 1,
        status=VersionStatus.DRAFT.value,
        content=content,
        author_id=author_id,
        created_at=at,
    )
    session.add(version)
    session.flush()
    _audit(session, at, author_id, "script.draft", version, code)
    return _info(version, code)


def submit(session: Session, version_id: int, *, by: int, at: datetime) -> VersionInfo:
    """Send a draft for compliance review (draft → submitted)."""
    get_user(session, by)
    version, code = _load(session, version_id)
    expect_status(version, VersionStatus.DRAFT, "submit")
    version.status = VersionStatus.SUBMITTED.value
    version.submitted_at = at
    session.flush()
    _audit(session, at, by, "script.submit", version, code)
    return _info(version, code)


def get_version(session: Session, version_id: int) -> VersionInfo:
    version, code = _load(session, version_id)
    return _info(version, code)


def list_versions(session: Session, code: str | None = None) -> list[VersionInfo]:
    """Every version, by script code then version number (optionally of one script)."""
    stmt = select(ScriptVersion, ScriptRow.code).join(ScriptRow, ScriptRow.id == ScriptVersion.script_id)
    if code is not None:
        stmt = stmt.where(ScriptRow.code == code)
    rows = session.execute(stmt.order_by(ScriptRow.code, ScriptVersion.version)).all()
    return [_info(v, c) for v, c in rows]


def approved_version(session: Session, code: str) -> VersionInfo | None:
    """The approved (running) version of the script `code`, if any."""
    row = session.execute(
        select(ScriptVersion, ScriptRow.code)
        .join(ScriptRow, ScriptRow.id == ScriptVersion.script_id)
        .where(ScriptRow.code == code, ScriptVersion.status == VersionStatus.APPROVED.value)
    ).first()
    return None if row is None else _info(row[0], row[1])


def running_script(session: Session, name: str = "reminder", lang: str = "zh-CN") -> RunningScript:
    """The parsed approved version of script `name` in `lang`; only approved versions run."""
    code = f"{name}.{lang}"
    info = approved_version(session, code)
    if info is None:
        raise NotFound(
            f"话术 {code} 没有已审批的版本 / script {code} has no approved version "
            "(huikuan script import/submit/approve)"
        )
    script = dataclasses.replace(parse_content(info.content), version=info.version)
    return RunningScript(script=script, version_id=info.id, code=code, version=info.version)


def builtin_contents() -> dict[str, str]:
    """The scripts shipped in `dialogue/scripts/*.yaml`, by code."""
    out: dict[str, str] = {}
    for path in sorted(SCRIPTS_DIR.glob("*.yaml")):
        content = path.read_text(encoding="utf-8")
        out[code_of(parse_content(content))] = content
    return out


# --- transitions decided by dialogue.approval --------------------------------------------------


def lock_script(session: Session, version_id: int) -> tuple[ScriptVersion, str]:
    """Lock the version's script (row lock on PostgreSQL, write lock on SQLite) and load it.

    Approvals of one script serialise here, the same way `reserve` serialises on the debtor.
    """
    version = session.get(ScriptVersion, version_id)
    if version is None:
        raise NotFound(f"话术版本 {version_id} 不存在 / script version {version_id} not found")
    session.execute(update(ScriptRow).where(ScriptRow.id == version.script_id).values(code=ScriptRow.code))
    session.refresh(version)
    return version, _code(session, version.script_id)


def record_approval(
    session: Session,
    version: ScriptVersion,
    *,
    officer_id: int,
    at: datetime,
    findings: Sequence[Mapping[str, Any]],
) -> ScriptVersion | None:
    """Mark `version` approved and retire the script's previously approved version (returned)."""
    expect_status(version, VersionStatus.SUBMITTED, "approve")
    previous = session.scalars(
        select(ScriptVersion).where(
            ScriptVersion.script_id == version.script_id,
            ScriptVersion.status == VersionStatus.APPROVED.value,
            ScriptVersion.id != version.id,
        )
    ).first()
    if previous is not None:
        previous.status = VersionStatus.RETIRED.value
        previous.retired_at = at
        session.flush()  # before the new approval: at most one approved version per script
    version.status = VersionStatus.APPROVED.value
    version.approved_by = officer_id
    version.approved_at = at
    version.rejected_reason = None
    version.lint_report = [dict(f) for f in findings]
    session.flush()
    return previous


def record_rejection(
    session: Session, version: ScriptVersion, *, reason: str, findings: Sequence[Mapping[str, Any]]
) -> None:
    """Send a submitted version back to draft with the reason."""
    expect_status(version, VersionStatus.SUBMITTED, "reject")
    version.status = VersionStatus.DRAFT.value
    version.submitted_at = None
    version.rejected_reason = reason
    version.lint_report = [dict(f) for f in findings]
    session.flush()


def record_retirement(session: Session, version: ScriptVersion, *, at: datetime) -> None:
    """Stop an approved version from running (approved → retired)."""
    expect_status(version, VersionStatus.APPROVED, "retire")
    version.status = VersionStatus.RETIRED.value
    version.retired_at = at
    session.flush()


def audit_transition(
    session: Session,
    at: datetime,
    actor_id: int,
    action: str,
    version: ScriptVersion,
    code: str,
    **details: Any,
) -> None:
    """One audit event for a version's transition: who, which version, and why (ids only)."""
    _audit(session, at, actor_id, action, version, code, **details)


def info_of(version: ScriptVersion, code: str) -> VersionInfo:
    return _info(version, code)


# --- internals ---------------------------------------------------------------------------------


def _audit(
    session: Session,
    at: datetime,
    actor_id: int,
    action: str,
    version: ScriptVersion,
    code: str,
    **details: Any,
) -> None:
    audit.append(
        session,
        at=at,
        actor=f"user:{actor_id}",
        action=action,
        entity="script_version",
        entity_id=version.id,
        details={"script": code, "version": version.version, "status": version.status, **details},
    )


def _load(session: Session, version_id: int) -> tuple[ScriptVersion, str]:
    version = session.get(ScriptVersion, version_id)
    if version is None:
        raise NotFound(f"话术版本 {version_id} 不存在 / script version {version_id} not found")
    return version, _code(session, version.script_id)


def _code(session: Session, script_id: int) -> str:
    code = session.scalar(select(ScriptRow.code).where(ScriptRow.id == script_id))
    if code is None:
        raise NotFound(f"话术 {script_id} 不存在 / script {script_id} not found")
    return code


_STATUS_ZH = {"draft": "草稿", "submitted": "待审批", "approved": "已审批", "retired": "已停用"}


def expect_status(version: ScriptVersion, status: VersionStatus, verb: str) -> None:
    """Conflict (bilingual) unless `version` is in `status`."""
    if version.status != status.value:
        raise Conflict(
            f"话术版本 {version.id} 状态为{_STATUS_ZH.get(version.status, version.status)}，"
            f"只有{_STATUS_ZH[status.value]}状态可以执行此操作 / cannot {verb} "
            f"script version {version.id}: it is {version.status}, not {status.value}"
        )


def _info(version: ScriptVersion, code: str) -> VersionInfo:
    return VersionInfo(
        id=version.id,
        code=code,
        version=version.version,
        status=VersionStatus(version.status),
        author_id=version.author_id,
        approved_by=version.approved_by,
        created_at=version.created_at,
        submitted_at=version.submitted_at,
        approved_at=version.approved_at,
        retired_at=version.retired_at,
        rejected_reason=version.rejected_reason,
        content=version.content,
    )
