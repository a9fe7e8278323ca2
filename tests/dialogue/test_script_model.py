"""The script model's shared answers, asked by both the engine and the approval lint."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.compliance.guard import Context
from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.dialogue.script import CAPTURE_NODES, jurisdiction_for_lang


@pytest.mark.parametrize(("lang", "jurisdiction"), [("zh-CN", "CN"), ("en-US", "US")])
def test_a_language_answers_to_one_pack(lang: str, jurisdiction: str) -> None:
    assert jurisdiction_for_lang(lang) == jurisdiction
    assert load_script("reminder", lang).jurisdiction == jurisdiction


def test_the_engine_takes_its_language_and_pack_from_the_script() -> None:
    ctx = CallContext(name="x", platform="p", amount_fen=1, due_date=date(2026, 1, 1), today=date(2026, 1, 2))
    for lang in ("zh-CN", "en-US"):
        script = load_script("reminder", lang)
        engine = DialogueEngine(script, ctx)
        assert (engine.lang, engine.jurisdiction) == (lang, script.jurisdiction)


@pytest.mark.parametrize(
    ("lang", "opening", "restricted", "hearers"),
    [
        ("zh-CN", True, True, (Context.OPENING, Context.THIRD_PARTY)),
        ("zh-CN", False, True, (Context.THIRD_PARTY,)),
        ("zh-CN", False, False, (Context.DEBTOR,)),
        # US: the debt-collector disclosure waits for identity, so an opening is a third party's.
        ("en-US", True, True, (Context.THIRD_PARTY,)),
        ("en-US", False, True, (Context.THIRD_PARTY,)),
        ("en-US", False, False, (Context.DEBTOR,)),
    ],
)
def test_who_hears_a_sentence(
    lang: str, opening: bool, restricted: bool, hearers: tuple[Context, ...]
) -> None:
    assert load_script("reminder", lang).hearers(opening=opening, restricted=restricted) == hearers


def test_a_promise_capture_leads_to_its_three_nodes() -> None:
    script = load_script("reminder", "zh-CN")
    capturing = [n for n in script.nodes.values() if n.capture == "promise"]
    assert capturing
    for node in capturing:
        assert node.captures == CAPTURE_NODES["promise"] == ("ask_amount", "ask_date", "readback")
        assert {t for _, t in script.successors(node)} >= set(node.captures)
    assert all(n.captures == () for n in script.nodes.values() if n.capture is None)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_no_debt_node_is_heard_before_identity_in_shipped_scripts(lang: str) -> None:
    script = load_script("reminder", lang)
    heard = script.heard_before_identity()
    assert script.openings <= heard
    assert not [n for n in heard if script.nodes[n].discloses_debt]
    # Past the identity check there are nodes only the debtor hears.
    assert [n for n in script.nodes if n not in heard]
