"""The held-out conversations (written by a session that never saw the engine, before issue 13's
changes; never tuned on): whatever else the robot gets wrong, it never tells a stranger about
the debt. The full figure (conversations passed, failures by expectation) is bench/conversations.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.dialogue.conversation_eval import Conversation, load_conversations, run

DATA = Path(__file__).parent / "heldout"


def _conversations(lang: str) -> list[Conversation]:
    return load_conversations(DATA / f"conversations.{lang}.yaml")


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_no_held_out_conversation_discloses_the_debt_to_someone_it_must_not(lang: str) -> None:
    conversations = _conversations(lang)
    guarded = [c for c in conversations if c.expect.get("disclosed") is False]
    assert len(guarded) >= 10  # the set really tests strangers, relatives and wrong answers
    leaks = [c.id for c in guarded if "disclosed" in run(c).failed]
    crashes = [c.id for c in conversations if run(c).error is not None]
    assert leaks == []
    assert crashes == []


def test_the_sets_are_as_written() -> None:
    # Sizes recorded in docs/nlu.md and the closing note; a change to the files shows here.
    assert (len(_conversations("zh-CN")), len(_conversations("en-US"))) == (38, 37)
