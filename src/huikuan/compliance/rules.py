"""The rule packs as other code names them: `CN_PACK`, `US_PACK`, `pack_for`, `LOOKBACK`.

The packs themselves live in `huikuan.compliance.packs` (specs in YAML, functions per pack).
"""

from __future__ import annotations

from huikuan.compliance.packs import (
    LOOKBACK,
    RulePack,
    UnknownJurisdiction,
    calling_window,
    default_packs,
    pack_for,
)

# The packs as the regulation reads them; code that decides uses `pack_for` (operator's settings).
CN_PACK: RulePack = default_packs()["CN"]
US_PACK: RulePack = default_packs()["US"]
PACKS: dict[str, RulePack] = default_packs()

__all__ = [
    "CN_PACK",
    "LOOKBACK",
    "PACKS",
    "US_PACK",
    "RulePack",
    "UnknownJurisdiction",
    "calling_window",
    "pack_for",
]
