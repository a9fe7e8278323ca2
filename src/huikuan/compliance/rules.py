"""The rule packs as other code names them: `CN_PACK`, `US_PACK`, `pack_for`, `LOOKBACK`.

The packs themselves live in `huikuan.compliance.packs` (specs in YAML, functions per pack).
"""

from __future__ import annotations

from huikuan.compliance.packs import LOOKBACK, RulePack, UnknownJurisdiction, default_packs, pack_for

CN_PACK: RulePack = default_packs()["CN"]
US_PACK: RulePack = default_packs()["US"]
PACKS: dict[str, RulePack] = default_packs()

__all__ = ["CN_PACK", "LOOKBACK", "PACKS", "US_PACK", "RulePack", "UnknownJurisdiction", "pack_for"]
