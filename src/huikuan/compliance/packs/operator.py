"""The operator's rule settings: one YAML (or JSON) file named by `HUIKUAN_RULE_SETTINGS`.

Every process of a floor reads the same file, and `pack_for` re-reads it when it changes, so a
tightened window or cap applies to the dialer, callbacks, the desk, `reserve` and audits at once.
The file holds, per jurisdiction, the settings (rule id → parameter → value) and, when a setting
loosens a rule below the regulation, the compliance officer's override that allows it:

    CN:
      settings:
        CN.TIME: {start: "09:00", end: "20:00"}
        CN.DIALS_PER_NUMBER: {max_dials: 4}
        CN.HOLIDAY: {enabled: true}
      override: {officer_id: 7, reason: "…", at: "2026-03-02T09:00:00+08:00"}

`huikuan compliance settings set` writes it (checking the officer's role and recording the
change in the audit log); a file that loosens a rule without an override is refused whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from huikuan.compliance.packs.base import Override, RulePack, Tighten, parse_clock
from huikuan.config import get_settings
from huikuan.errors import InvalidInput

Changes = Mapping[str, Mapping[str, Any]]  # rule id → parameter (or "enabled") → value


@dataclass(frozen=True)
class JurisdictionSettings:
    """One jurisdiction's part of the file."""

    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    override: Override | None = None


def settings_path() -> Path | None:
    """The operator's settings file from `HUIKUAN_RULE_SETTINGS`, or None."""
    return get_settings().rule_settings


def read_file(path: Path, *, missing_ok: bool = False) -> dict[str, JurisdictionSettings]:
    """The file's settings per jurisdiction (checked for shape, not yet against the packs)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise InvalidInput(
            f"规则设置文件不存在 / rule settings file {path} (HUIKUAN_RULE_SETTINGS) not found"
        ) from None
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: 须为按司法辖区的映射 / must map jurisdictions to settings")
    return {str(j): _jurisdiction(path, str(j), part) for j, part in data.items()}


def _jurisdiction(path: Path, jurisdiction: str, part: Any) -> JurisdictionSettings:
    if not isinstance(part, dict) or not isinstance(part.get("settings", {}), dict):
        raise InvalidInput(f"{path}: {jurisdiction} 须有 settings 映射 / {jurisdiction} needs a settings map")
    settings: dict[str, dict[str, Any]] = {}
    for rule_id, changes in (part.get("settings") or {}).items():
        if not isinstance(changes, dict):
            raise InvalidInput(f"{path}: {rule_id} 须为参数映射 / {rule_id} must map settings to values")
        settings[str(rule_id)] = {str(k): v for k, v in changes.items()}
    raw = part.get("override")
    override = None
    if raw is not None:
        try:
            at = raw.get("at")
            override = Override(
                officer_id=int(raw["officer_id"]),
                reason=str(raw["reason"]),
                at=datetime.fromisoformat(str(at)) if at is not None else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(
                f"{path}: {jurisdiction} 的例外须有 officer_id 与 reason / "
                f"{jurisdiction} override needs officer_id and reason"
            ) from exc
    return JurisdictionSettings(settings, override)


def apply(pack: RulePack, part: JurisdictionSettings) -> RulePack:
    """`pack` with the operator's settings; refused when they loosen it without an override
    or leave no calling window."""
    _check_values(pack, part.settings)
    effective = pack.with_settings(part.settings, part.override)
    try:
        effective.calling_window()
    except ValueError as exc:
        raise InvalidInput(
            f"设置后 {pack.jurisdiction} 没有可呼叫时段 / "
            f"the settings leave {pack.jurisdiction} no calling window"
        ) from exc
    return effective


def _check_values(pack: RulePack, settings: Changes) -> None:
    """Values of the right kind, so a typo never reads as a looser setting."""
    for rule_id, changes in settings.items():
        spec = pack.spec(rule_id)
        for name, value in changes.items():
            direction = spec.tighten.get(name)
            if name == "enabled" or direction == Tighten.ENABLE:
                ok = isinstance(value, bool)
            elif direction in (Tighten.LATER, Tighten.EARLIER):
                ok = isinstance(value, str) and _is_clock(value)
            else:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not ok:
                raise InvalidInput(
                    f"规则 {rule_id} 的 {name} 取值无效 / {rule_id} {name}: invalid value {value!r}"
                    ' (times are "HH:MM" strings, caps numbers, enabled true|false)'
                )


def _is_clock(text: str) -> bool:
    try:
        parse_clock(text)
    except ValueError:
        return False
    return True


def write_file(path: Path, parts: Mapping[str, JurisdictionSettings]) -> None:
    """Replace the file atomically (a reader never sees half of it)."""
    data: dict[str, Any] = {}
    for jurisdiction, part in sorted(parts.items()):
        entry: dict[str, Any] = {"settings": {k: dict(v) for k, v in part.settings.items()}}
        if part.override is not None:
            o = part.override
            entry["override"] = {
                "officer_id": o.officer_id,
                "reason": o.reason,
                **({"at": o.at.isoformat()} if o.at is not None else {}),
            }
        data[jurisdiction] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        "# Operator rule settings (huikuan compliance settings set); see docs/compliance.md\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=True),
        encoding="utf-8",
    )
    tmp.replace(path)
