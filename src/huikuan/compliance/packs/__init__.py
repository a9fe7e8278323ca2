"""Rule packs `CN-NIFA-2025` and `US-REG-F`: specs from YAML, functions from cn.py and us.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path

import yaml

from huikuan.compliance.packs import cn, us
from huikuan.compliance.packs.base import (
    EnforcedBy,
    LooseningRefused,
    Override,
    Params,
    Rule,
    RulePack,
    RuleSpec,
    Tighten,
)
from huikuan.errors import InvalidInput

HERE = Path(__file__).parent
# How far back the ledger is read: the longest window of any rule (7 days) with room to spare.
# Third-party contacts are read whatever their age: "never again" and "once" have no window.
LOOKBACK = timedelta(days=30)


def load_pack(path: Path, functions: Mapping[str, Rule]) -> RulePack:
    """A pack from its YAML specs and its rule functions; every reserve rule must have one."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = tuple(
        RuleSpec(
            id=r["id"],
            title_zh=r["title_zh"],
            title_en=r["title_en"],
            source=r["source"],
            text=" ".join(str(r["text"]).split()),
            enforced_by=EnforcedBy(r["enforced_by"]),
            enabled=bool(r.get("enabled", True)),
            params=dict(r.get("params") or {}),
            tighten={k: Tighten(v) for k, v in (r.get("tighten") or {}).items()},
            stricter_reading=" ".join(str(r.get("stricter_reading", "")).split()),
        )
        for r in data["rules"]
    )
    missing = [s.id for s in specs if s.enforced_by == EnforcedBy.RESERVE and s.id not in functions]
    if missing:
        raise RuntimeError(f"{path.name}: no function for {missing}")
    return RulePack(
        id=data["id"],
        jurisdiction=data["jurisdiction"],
        title_zh=data["title_zh"],
        title_en=data["title_en"],
        specs=specs,
        functions=dict(functions),
    )


@cache
def default_packs() -> dict[str, RulePack]:
    return {
        "CN": load_pack(HERE / "cn.yaml", cn.FUNCTIONS),
        "US": load_pack(HERE / "us.yaml", us.FUNCTIONS),
    }


def pack_for(jurisdiction: str) -> RulePack:
    """The rule pack of a jurisdiction; unknown ones are refused, never silently allowed."""
    try:
        return default_packs()[jurisdiction]
    except KeyError:
        raise UnknownJurisdiction(jurisdiction) from None


class UnknownJurisdiction(InvalidInput):
    def __init__(self, jurisdiction: str) -> None:
        super().__init__(
            f"没有该司法辖区的规则包 / no compliance rule pack for jurisdiction {jurisdiction!r}"
        )


__all__ = [
    "LOOKBACK",
    "EnforcedBy",
    "LooseningRefused",
    "Override",
    "Params",
    "Rule",
    "RulePack",
    "RuleSpec",
    "Tighten",
    "UnknownJurisdiction",
    "default_packs",
    "load_pack",
    "pack_for",
]
