"""Rule packs `CN-NIFA-2025` and `US-REG-F`: specs from YAML, functions from cn.py and us.py.

`pack_for` is the one way other code gets a pack: the regulation's pack with the operator's
settings (`operator.py`, `HUIKUAN_RULE_SETTINGS`) applied, so a tightened window or cap holds
for the dialer, callbacks, the desk, `reserve` and audits alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import cache, lru_cache
from pathlib import Path

import yaml

from huikuan.compliance.packs import cn, operator, us
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
from huikuan.types import CallingWindow

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


def regulation_pack(jurisdiction: str) -> RulePack:
    """The pack as the regulation reads, without the operator's settings."""
    try:
        return default_packs()[jurisdiction]
    except KeyError:
        raise UnknownJurisdiction(jurisdiction) from None


def pack_for(jurisdiction: str) -> RulePack:
    """The rule pack of a jurisdiction with the operator's settings applied; unknown
    jurisdictions are refused, never silently allowed."""
    pack = regulation_pack(jurisdiction)
    path = operator.settings_path()
    if path is None:
        return pack
    try:
        stat = path.stat()
    except FileNotFoundError:
        operator.read_file(path)  # raises the clear "not found" error
        raise
    return _effective(jurisdiction, str(path), (stat.st_ino, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=32)
def _effective(jurisdiction: str, path: str, stamp: tuple[int, int, int]) -> RulePack:
    # Keyed by the file's stamp: an edited file is read again on the next call, in every process
    # (the setter replaces the file, so even a same-size rewrite within a clock tick is seen).
    part = operator.read_file(Path(path)).get(jurisdiction)
    pack = regulation_pack(jurisdiction)
    return pack if part is None else operator.apply(pack, part)


def calling_window(jurisdiction: str) -> CallingWindow:
    """The debtor-local hours a jurisdiction's calls may happen in, operator's settings applied."""
    return pack_for(jurisdiction).calling_window()


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
    "calling_window",
    "default_packs",
    "load_pack",
    "pack_for",
    "regulation_pack",
]
