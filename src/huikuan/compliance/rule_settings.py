"""Setting the operator's rule settings: checked against the regulation, written, audited.

Tightening (a later start, an earlier end, a lower cap, a rule switched on) needs a compliance
officer or an administrator; loosening a rule below the regulation needs a compliance officer
and a reason, recorded as the override in the settings file and in the audit log (who, why,
when). The file is what `pack_for` reads (`packs/operator.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from huikuan.compliance.packs import LooseningRefused, Override, pack_for, regulation_pack
from huikuan.compliance.packs.operator import Changes, JurisdictionSettings, apply, read_file, settings_path
from huikuan.compliance.packs.operator import write_file as _write_file
from huikuan.errors import InvalidInput, PermissionDenied
from huikuan.security import audit, users


@dataclass(frozen=True, slots=True)
class SettingView:
    """One parameter of a rule: the regulation's value and the one in force."""

    rule_id: str
    name: str
    regulation: Any
    effective: Any


def show(jurisdiction: str) -> list[SettingView]:
    """Every settable parameter of the jurisdiction's pack, the regulation's value beside the one in force."""
    base, now = regulation_pack(jurisdiction), pack_for(jurisdiction)
    views: list[SettingView] = []
    for spec in base.specs:
        current = now.spec(spec.id)
        if "enabled" in spec.tighten or not spec.enabled:
            views.append(SettingView(spec.id, "enabled", spec.enabled, current.enabled))
        views.extend(SettingView(spec.id, k, v, current.params[k]) for k, v in spec.params.items())
    return views


@dataclass(frozen=True)
class SettingsChange:
    """A checked, audited change, written to the file once the caller has committed."""

    path: Path
    parts: Mapping[str, JurisdictionSettings]
    jurisdiction: str

    @property
    def settings(self) -> JurisdictionSettings:
        return self.parts[self.jurisdiction]

    def write(self) -> None:
        """Replace the settings file: every process applies it at its next `pack_for`."""
        _write_file(self.path, self.parts)


def set_rule_settings(
    session: Session,
    jurisdiction: str,
    changes: Changes,
    *,
    actor_id: int,
    at: datetime,
    reason: str | None = None,
    path: Path | None = None,
) -> SettingsChange:
    """Check and audit a change of one jurisdiction's settings (merged into those already set).

    A change that loosens the rules in force needs `reason` and an actor who is a compliance
    officer: their override is recorded. The audit event joins the caller's transaction; the
    caller commits, then calls `write()`, so no setting takes effect without its audit record.
    """
    target = path or settings_path()
    if target is None:
        raise InvalidInput("未配置 HUIKUAN_RULE_SETTINGS / HUIKUAN_RULE_SETTINGS is not set")
    actor = users.get_user(session, actor_id)
    officer = users.has_role(actor, users.Role.COMPLIANCE_OFFICER)
    if not (officer or users.has_role(actor, users.Role.ADMIN)):
        raise PermissionDenied(
            "只有合规专员或管理员可以修改规则设置 / "
            "only a compliance officer or an admin may change rule settings"
        )
    parts = read_file(target, missing_ok=True)
    current = parts.get(jurisdiction, JurisdictionSettings())
    in_force = apply(regulation_pack(jurisdiction), current)
    note = " ".join((reason or "").split())
    override: Override | None = None
    try:
        apply(in_force, JurisdictionSettings({k: dict(v) for k, v in changes.items()}))
    except LooseningRefused:
        if not note:
            raise
        if not officer:
            raise PermissionDenied(
                "放宽规则须合规专员 / only a compliance officer may loosen a rule"
            ) from None
        override = Override(officer_id=actor_id, reason=note, at=at)
    merged = {rule_id: dict(values) for rule_id, values in current.settings.items()}
    for rule_id, values in changes.items():
        merged.setdefault(rule_id, {}).update(values)
    kept = override or current.override
    updated = JurisdictionSettings(merged, kept if _loosens(jurisdiction, merged) else None)
    apply(regulation_pack(jurisdiction), updated)  # the whole file still holds
    audit.append(
        session,
        at=at,
        actor=f"user:{actor_id}",
        action="compliance.settings.set",
        entity="rule_settings",
        entity_id=jurisdiction,
        details={
            "changes": _plain(changes),
            "override": None
            if override is None
            else {"officer_id": override.officer_id, "reason": override.reason, "at": at.isoformat()},
        },
    )
    return SettingsChange(target, {**parts, jurisdiction: updated}, jurisdiction)


def _loosens(jurisdiction: str, settings: Changes) -> bool:
    try:
        apply(regulation_pack(jurisdiction), JurisdictionSettings({k: dict(v) for k, v in settings.items()}))
    except LooseningRefused:
        return True
    return False


def _plain(changes: Changes) -> dict[str, dict[str, Any]]:
    return {rule_id: dict(values) for rule_id, values in changes.items()}


_DECIMAL = re.compile(r"-?\d+\.\d+")


def parse_assignment(text: str) -> tuple[str, str, Any]:
    """`CN.TIME.start=09:00` → ("CN.TIME", "start", "09:00"); numbers (whole or decimal) and
    true/false typed."""
    key, sep, raw = text.partition("=")
    rule_id, dot, name = key.strip().rpartition(".")
    if not sep or not dot or not rule_id or not name:
        raise InvalidInput(f"设置须为 规则.参数=值 / a setting is RULE.NAME=VALUE, got {text!r}")
    value: Any = raw.strip()
    if value.lower() in ("true", "false"):
        value = value.lower() == "true"
    elif value.lstrip("-").isdigit():
        value = int(value)
    elif _DECIMAL.fullmatch(value):
        value = float(value)  # a rate, e.g. max_abandon_rate=0.02
    return rule_id, name, value


def changes_from(assignments: list[str]) -> Mapping[str, dict[str, Any]]:
    """Assignments (`RULE.NAME=VALUE`) grouped by rule."""
    out: dict[str, dict[str, Any]] = {}
    for a in assignments:
        rule_id, name, value = parse_assignment(a)
        out.setdefault(rule_id, {})[name] = value
    return out
