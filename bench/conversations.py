"""Held-out whole conversations through the dialogue engine with the real NLU: one JSON line.

The sets (tests/dialogue/heldout/conversations.<lang>.yaml) were written by a helper session
that never saw the engine's, the NLU's or the guard's code, before issue 13's changes; they are
never tuned on. Figures: conversations passed, and which expectations failed how often.
"""

from __future__ import annotations

import json
from pathlib import Path

from huikuan.dialogue.conversation_eval import load_conversations, score

DATA = Path(__file__).resolve().parent.parent / "tests" / "dialogue" / "heldout"


def main() -> None:
    figures = {}
    for lang in ("zh-CN", "en-US"):
        figures[lang] = score(load_conversations(DATA / f"conversations.{lang}.yaml"))
    print(json.dumps({"bench": "conversations", **figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
