"""The script model (话术): scripts as versioned data, one model for the dialogue engine that
walks them and the approval lint that checks them.

Besides parsing and checking a script's YAML, the model answers the questions both ask, so the
answers live once:

* `jurisdiction_for_lang`: which rule pack a script answers to (zh-CN → CN, en-US → US).
* `Node.captures`: the nodes a `capture` node may lead to (engine-driven transitions).
* `Script.hearers`: who may hear a sentence, as content-guard contexts. An opening (the call's
  first sentence) is heard as OPENING and THIRD_PARTY in CN (it must carry the AI label, and
  whoever answers may not be the debtor); in the US the debt-collector disclosure comes after
  identity (§1006.6(d), §1006.10), so an opening is only a third-party sentence there. Until
  identity is confirmed, or on a third party's number, anyone may be listening → THIRD_PARTY;
  after it → DEBTOR. The engine asks it per sentence; the lint per node.
* `Script.heard_before_identity`: the nodes reachable from `start` before identity is confirmed
  (an edge `confirm_identity` out of a `verifies_identity` node) or from `third_party_start`:
  whoever answered may hear them.

It depends on the content guard's `Context` only (the guard is a leaf: it imports nothing
from dialogue), and on the NLU's intents for checking transitions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from huikuan.compliance.guard import Context
from huikuan.dialogue.nlu import Intent
from huikuan.errors import HuikuanError

SCRIPTS_DIR = Path(__file__).parent / "scripts"
CAPTURE_NODES = {
    # a `capture` kind → the nodes a script using it must have (engine-driven transitions)
    "promise": ("ask_amount", "ask_date", "readback"),
    "callback": ("ask_callback_time", "callback_booked"),
    "plan": ("offer_plan", "no_plan"),
}
EDGE_PREFIX = "@"  # engine-driven edges kept in `Node.on` so the approval lint follows them
# Heard in any node, these end disclosure at once (the engine's rule, not the node's edges): each
# conversational script names the node it says for them under `not_the_debtor`.
NOT_THE_DEBTOR_INTENTS = ("third_party", "wrong_number", "debtor_deceased")


class ScriptError(HuikuanError):
    status_code = 500


def jurisdiction_for_lang(lang: str) -> str:
    """The rule pack a script or call in `lang` answers to: en-US → US, everything else → CN."""
    return "US" if lang == "en-US" else "CN"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    say: tuple[str, ...] = ()
    on: dict[str, str] = field(default_factory=dict)
    discloses_debt: bool = False
    verifies_identity: bool = False
    end: bool = False
    disposition: str | None = None
    transfer: bool = False
    stop: str | None = None
    refused_further_contact: bool = False
    capture: str | None = None  # promise | callback | plan: the engine picks the next node
    reask: str | None = None  # the node's reprompt: a shorter way to ask its question again
    safe: str | None = None  # said instead of a blocked sentence of this node
    free_form: bool = False  # the responder may answer a question here (after identity)
    asks_time: bool = False  # asks when to call back: the next answer is booked as heard
    # Its question already asks whether the debtor wants the stop its answer leads to ("请问您有
    # 异议吗？"): the engine does not ask a second time before recording it.
    asks_stop: bool = False

    @property
    def captures(self) -> tuple[str, ...]:
        """The nodes this node's `capture` may lead to (none when it captures nothing)."""
        return CAPTURE_NODES.get(self.capture, ()) if self.capture is not None else ()


@dataclass(frozen=True, slots=True)
class Script:
    id: str
    version: int
    lang: str
    start: str
    third_party_start: str
    max_reprompts: int
    lines: dict[str, str]
    nodes: dict[str, Node]
    # third_party | wrong_number | debtor_deceased → the node said when it is heard, in any node
    not_the_debtor: dict[str, str] = field(default_factory=dict)

    @property
    def jurisdiction(self) -> str:
        return jurisdiction_for_lang(self.lang)

    @property
    def openings(self) -> frozenset[str]:
        """The nodes a call starts in (the debtor's number, a third party's number)."""
        return frozenset({self.start, self.third_party_start})

    def hearers(self, *, opening: bool, restricted: bool) -> tuple[Context, ...]:
        """Who may hear a sentence, as content-guard contexts: `opening` for the call's first
        sentence (an opening node's `say`), `restricted` while anyone may be listening (before
        identity is confirmed, or on a third party's number)."""
        if opening and self.jurisdiction == "CN":
            return (Context.OPENING, Context.THIRD_PARTY)
        return (Context.THIRD_PARTY,) if restricted or opening else (Context.DEBTOR,)

    def successors(self, node: Node) -> Iterator[tuple[str, str]]:
        """(intent or edge, target) of every transition out of `node`, captures and the engine's
        `not_the_debtor` transitions (from any node that does not end the call) included."""
        yield from node.on.items()
        for target in node.captures:
            yield "capture", target
        if not node.end:
            yield from self.not_the_debtor.items()

    def reachable(self, start: str, *, stop_at_identity: bool) -> set[str]:
        """Nodes reachable from `start`; with `stop_at_identity`, not past an identity confirmation."""
        seen = {start}
        queue = deque([start])
        while queue:
            node = self.nodes[queue.popleft()]
            for intent, target in self.successors(node):
                if stop_at_identity and node.verifies_identity and intent == "confirm_identity":
                    continue
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    def heard_before_identity(self) -> set[str]:
        """The nodes whoever answered may hear: before identity on the debtor's number, and all
        of a third-party call."""
        return self.reachable(self.start, stop_at_identity=True) | self.reachable(
            self.third_party_start, stop_at_identity=False
        )


def _edges(raw: Mapping[str, Any], defaults: Mapping[str, str]) -> dict[str, str]:
    # An ending node has no next turn; a stop node may only close, so neither inherits defaults.
    inherits = not raw.get("end") and not raw.get("stop")
    on = {str(k): str(v) for k, v in defaults.items()} if inherits else {}
    on.update({str(k): str(v) for k, v in (raw.get("next") or {}).items()})
    for kind, target in (raw.get("then") or {}).items():
        on[f"{EDGE_PREFIX}{kind}"] = str(target)
    if raw.get("no_agent"):
        on[f"{EDGE_PREFIX}no_agent"] = str(raw["no_agent"])
    return on


def parse_script(data: dict[str, Any]) -> Script:
    """Build and check a script: every transition leads to a node that exists, and so on.

    `defaults.next` holds transitions every node that does not end the call inherits (its own
    `next` wins); `then` and `no_agent` are engine-driven edges (capture results, a transfer
    with no agent free).
    """
    defaults = (data.get("defaults") or {}).get("next") or {}
    nodes: dict[str, Node] = {}
    for node_id, raw in (data.get("nodes") or {}).items():
        say = raw.get("say", ())
        nodes[node_id] = Node(
            id=node_id,
            say=(say,) if isinstance(say, str) else tuple(say),
            on=_edges(raw, defaults),
            discloses_debt=bool(raw.get("discloses_debt", False)),
            verifies_identity=bool(raw.get("verifies_identity", False)),
            end=bool(raw.get("end", False)),
            disposition=raw.get("disposition"),
            transfer=bool(raw.get("transfer", False)),
            stop=raw.get("stop"),
            refused_further_contact=bool(raw.get("refused_further_contact", False)),
            capture=raw.get("capture"),
            reask=raw.get("reask"),
            safe=raw.get("safe"),
            free_form=bool(raw.get("free_form", False)),
            asks_time=bool(raw.get("asks_time", False)),
            asks_stop=bool(raw.get("asks_stop", False)),
        )
    script = Script(
        id=str(data["id"]),
        version=int(data["version"]),
        lang=str(data["lang"]),
        start=str(data["start"]),
        third_party_start=str(data["third_party_start"]),
        max_reprompts=int(data.get("max_reprompts", 2)),
        lines={str(k): str(v) for k, v in (data.get("lines") or {}).items()},
        nodes=nodes,
        not_the_debtor={str(k): str(v) for k, v in (data.get("not_the_debtor") or {}).items()},
    )
    _check(script)
    return script


def _check(script: Script) -> None:
    intents = {i.value for i in Intent}
    nodes = script.nodes
    required = {script.start, script.third_party_start}
    for node in nodes.values():
        for key, target in node.on.items():
            if not key.startswith(EDGE_PREFIX) and key not in intents:
                raise ScriptError(f"script {script.id}: node {node.id} handles unknown intent {key}")
            if target not in nodes:
                raise ScriptError(f"script {script.id}: node {node.id} leads to missing node {target}")
        if node.capture is not None:
            if node.capture not in CAPTURE_NODES:
                raise ScriptError(f"script {script.id}: node {node.id} captures unknown {node.capture}")
            required.update(CAPTURE_NODES[node.capture])
        elif not node.say:
            raise ScriptError(f"script {script.id}: node {node.id} says nothing")
        no_agent = node.on.get(f"{EDGE_PREFIX}no_agent")
        if no_agent is not None and nodes[no_agent].discloses_debt:
            raise ScriptError(f"script {script.id}: node {node.id}: no_agent must not disclose the debt")
        if node.stop and not node.end:
            # A stop ends collection talk: whatever the debtor says next, the call closes.
            for target in node.on.values():
                if not nodes[target].end:
                    raise ScriptError(f"script {script.id}: node {node.id} records a stop but may continue")
    _check_not_the_debtor(script)
    for name in sorted(required):
        if name not in nodes:
            raise ScriptError(f"script {script.id}: missing node {name}")
    for kind, names in CAPTURE_NODES.items():
        if kind == "promise":
            continue  # ask_amount/ask_date/readback are fixed names the lint knows
        for node in nodes.values():
            if node.capture == kind:
                missing = [n for n in names if node.on.get(f"{EDGE_PREFIX}{n}") != n]
                if missing:
                    raise ScriptError(
                        f"script {script.id}: node {node.id} must list `then: {{{missing[0]}: {missing[0]}}}`"
                    )


def _check_not_the_debtor(script: Script) -> None:
    """A script that converses (any node that does not end the call) names, for each sign that
    someone other than the debtor speaks, a node that ends the call and discloses nothing."""
    conversational = any(not n.end for n in script.nodes.values())
    for intent in NOT_THE_DEBTOR_INTENTS:
        target = script.not_the_debtor.get(intent)
        if target is None:
            if conversational:
                raise ScriptError(f"script {script.id}: `not_the_debtor` must name a node for {intent}")
            continue
        node = script.nodes.get(target)
        if node is None:
            raise ScriptError(f"script {script.id}: not_the_debtor leads to missing node {target}")
        if not node.end or node.discloses_debt:
            raise ScriptError(
                f"script {script.id}: not_the_debtor node {target} must end the call and disclose nothing"
            )
    unknown = set(script.not_the_debtor) - set(NOT_THE_DEBTOR_INTENTS)
    if unknown:
        raise ScriptError(f"script {script.id}: not_the_debtor handles unknown intent {sorted(unknown)[0]}")


@lru_cache(maxsize=64)
def load_script(name: str = "reminder", lang: str = "zh-CN") -> Script:
    """Load `scripts/<name>.<lang>.yaml` (cached: scripts are immutable data)."""
    path = SCRIPTS_DIR / f"{name}.{lang}.yaml"
    if not path.exists():
        raise ScriptError(f"no script {name} for language {lang}")
    return parse_script(yaml.safe_load(path.read_text(encoding="utf-8")))
