"""The dialogue manager v1: walks a script (data) turn by turn on text.

The engine enforces rules itself rather than trusting the script: nothing about the debt is
said before the debtor confirmed their identity (and never on a third-party call), the robot
answers truthfully when asked whether it is a machine (CN.AI_LABEL), and every sentence passes
the content guard in the context of who may be hearing it; a blocked sentence is replaced by the
script's safe line and kept in `guard_hits` for the caller to record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from huikuan.compliance import guard
from huikuan.compliance.guard import Category, Context
from huikuan.dialogue.nlu import Intent, NluResult, classify
from huikuan.dialogue.render import DEBT_WORDS_ZH, cn_date, render, transcript_slots, yuan
from huikuan.errors import HuikuanError

SCRIPTS_DIR = Path(__file__).parent / "scripts"


class ScriptError(HuikuanError):
    status_code = 500


class DisclosureError(HuikuanError):
    """The script tried to say something about the debt before identity was confirmed."""

    status_code = 500


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
    capture: str | None = None
    reask: str | None = None  # a shorter way to ask the node's question again


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


def parse_script(data: dict[str, Any]) -> Script:
    """Build and check a script: every transition must lead to a node that exists."""
    nodes: dict[str, Node] = {}
    for node_id, raw in (data.get("nodes") or {}).items():
        say = raw.get("say", ())
        nodes[node_id] = Node(
            id=node_id,
            say=(say,) if isinstance(say, str) else tuple(say),
            on={str(k): str(v) for k, v in (raw.get("next") or {}).items()},
            discloses_debt=bool(raw.get("discloses_debt", False)),
            verifies_identity=bool(raw.get("verifies_identity", False)),
            end=bool(raw.get("end", False)),
            disposition=raw.get("disposition"),
            transfer=bool(raw.get("transfer", False)),
            stop=raw.get("stop"),
            refused_further_contact=bool(raw.get("refused_further_contact", False)),
            capture=raw.get("capture"),
            reask=raw.get("reask"),
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
    )
    intents = {i.value for i in Intent}
    for node in nodes.values():
        for intent, target in node.on.items():
            if intent not in intents:
                raise ScriptError(f"script {script.id}: node {node.id} handles unknown intent {intent}")
            if target not in nodes:
                raise ScriptError(f"script {script.id}: node {node.id} leads to missing node {target}")
        if not node.say and node.capture is None:
            raise ScriptError(f"script {script.id}: node {node.id} says nothing")
    for required in (script.start, script.third_party_start, "ask_amount", "ask_date", "readback"):
        if required not in nodes:
            raise ScriptError(f"script {script.id}: missing node {required}")
    return script


@lru_cache(maxsize=16)
def load_script(name: str = "reminder", lang: str = "zh-CN") -> Script:
    """Load `scripts/<name>.<lang>.yaml` (cached: scripts are immutable data)."""
    path = SCRIPTS_DIR / f"{name}.{lang}.yaml"
    if not path.exists():
        raise ScriptError(f"no script {name} for language {lang}")
    return parse_script(yaml.safe_load(path.read_text(encoding="utf-8")))


# Said instead of a blocked sentence when the script has no `lines.safe_line`; each passes the
# guard in every context (tests/dialogue check it), the AI label included for openings.
SAFE_LINES = {
    "zh-CN": "您好，我是{platform}的智能语音助手。抱歉，刚才的内容有误，请以工作人员的正式通知为准。",
    "en-US": "This is an automated AI voice assistant from {platform}. Sorry, please disregard "
    "that; a member of our team will follow up with you.",
}


@dataclass(frozen=True, slots=True)
class GuardHit:
    """A sentence the guard blocked: where, heard by whom, why, and the sentence (name masked)."""

    node: str
    contexts: tuple[Context, ...]
    categories: tuple[Category, ...]
    masked_text: str


@dataclass(frozen=True, slots=True)
class CallContext:
    name: str
    platform: str
    amount_fen: int
    due_date: date
    today: date
    third_party_call: bool = False  # the number dialled belongs to someone other than the debtor
    lang: str = "zh-CN"
    variant_seed: int = 0


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # what the robot says
    transcript: str  # the same with personal data masked, for storage
    node: str
    end: bool


@dataclass(slots=True)
class PromiseCapture:
    amount_fen: int | None = None
    due_date: date | None = None
    confirmed: bool = False


@dataclass(slots=True)
class DialogueOutcome:
    disposition: str = "none"
    identity_confirmed: bool = False
    promise: PromiseCapture = field(default_factory=PromiseCapture)
    transfer_requested: bool = False
    stop: str | None = None  # complaint | dispute | cease
    refused_further_contact: bool = False
    abuse_count: int = 0
    reprompts: int = 0
    asked_if_robot: bool = False


class DialogueEngine:
    """One conversation: `start()` gives the first line, `step(text)` answers each debtor turn."""

    def __init__(self, script: Script, ctx: CallContext) -> None:
        self.script = script
        self.ctx = ctx
        self.outcome = DialogueOutcome()
        self.node = script.nodes[script.third_party_start if ctx.third_party_call else script.start]
        self.done = False
        self._rng = random.Random(ctx.variant_seed)  # noqa: S311 - picks a phrasing, not a secret
        self._reprompts_in_row = 0
        self._replies = 0
        self.guard_hits: list[GuardHit] = []

    def start(self) -> Reply:
        return self._enter(self.node)

    def step(self, text: str | None) -> tuple[NluResult | None, Reply]:
        """Answer one debtor turn (None is silence)."""
        if self.done:
            raise ScriptError("the conversation has already ended")
        if text is None or not text.strip():
            return None, self._reprompt()
        nlu = classify(text, self.ctx.lang, self.ctx.today)
        if nlu.intent == Intent.ABUSIVE:
            self.outcome.abuse_count += 1
            if self.outcome.abuse_count >= 2:
                self.outcome.disposition = "abusive_hangup"
                return nlu, self._final(self.script.lines["abusive_close"])
            return nlu, self._line(self.script.lines["abuse_warning"] + self._reask())
        if nlu.intent == Intent.ASK_IF_ROBOT:
            self.outcome.asked_if_robot = True
            return nlu, self._line(render(self.script.lines["robot_answer"], self._slots()) + self._reask())
        target = self.node.on.get(nlu.intent.value) or self.node.on.get(Intent.OTHER.value)
        if target is None:
            return nlu, self._reprompt()
        if (
            self.node.verifies_identity
            and nlu.intent == Intent.CONFIRM_IDENTITY
            and not self.ctx.third_party_call
        ):
            self.outcome.identity_confirmed = True
        if self.outcome.identity_confirmed:
            self._merge_promise(nlu)
        self._reprompts_in_row = 0
        return nlu, self._enter(self.script.nodes[target])

    # --- internals ---------------------------------------------------------------------------

    def _merge_promise(self, nlu: NluResult) -> None:
        promise = self.outcome.promise
        if nlu.entities.amount is not None:
            promise.amount_fen = nlu.entities.amount
        if nlu.entities.date is not None:
            promise.due_date = nlu.entities.date

    def _enter(self, node: Node) -> Reply:
        if node.capture == "promise":
            promise = self.outcome.promise
            if promise.amount_fen is None:
                node = self.script.nodes["ask_amount"]
            elif promise.due_date is None:
                node = self.script.nodes["ask_date"]
            else:
                node = self.script.nodes["readback"]
        if node.discloses_debt and (not self.outcome.identity_confirmed or self.ctx.third_party_call):
            raise DisclosureError(f"script {self.script.id}: node {node.id} before identity was confirmed")
        self.node = node
        if node.disposition:
            self.outcome.disposition = node.disposition
        self.outcome.transfer_requested |= node.transfer
        self.outcome.refused_further_contact |= node.refused_further_contact
        if node.stop:
            self.outcome.stop = node.stop
        if node.disposition == "ptp":
            self.outcome.promise.confirmed = True
        text = self._say(node)
        if node.end:
            return self._final(text, node.id)
        return self._reply(text, node.id, end=False)

    def _say(self, node: Node) -> str:
        template = node.say[self._rng.randrange(len(node.say))] if len(node.say) > 1 else node.say[0]
        return render(template, self._slots())

    def _reask(self) -> str:
        if self.node.reask:
            return render(self.node.reask, self._slots())
        return "" if self.node.end else self._say(self.node)

    def _slots(self) -> dict[str, str]:
        promise = self.outcome.promise
        slots = {"name": self.ctx.name, "platform": self.ctx.platform}
        if self.outcome.identity_confirmed and not self.ctx.third_party_call:
            slots["amount"] = yuan(self.ctx.amount_fen)
            slots["due_date"] = cn_date(self.ctx.due_date)
            if promise.amount_fen is not None:
                slots["promise_amount"] = yuan(promise.amount_fen)
            if promise.due_date is not None:
                slots["promise_date"] = cn_date(promise.due_date)
        return slots

    def _reprompt(self) -> Reply:
        self._reprompts_in_row += 1
        self.outcome.reprompts += 1
        if self._reprompts_in_row > self.script.max_reprompts:
            return self._final(self.script.lines["no_response_close"])
        return self._line(self.script.lines["reprompt"])

    def _line(self, text: str) -> Reply:
        return self._reply(text, self.node.id, end=False)

    def _final(self, text: str, node_id: str | None = None) -> Reply:
        self.done = True
        return self._reply(text, node_id or self.node.id, end=True)

    def _reply(self, text: str, node_id: str, *, end: bool) -> Reply:
        text = self._guarded(text, node_id)
        if not self.outcome.identity_confirmed or self.ctx.third_party_call:
            self._guard_no_disclosure(text)
        self._replies += 1
        return Reply(text=text, transcript=self._mask(text), node=node_id, end=end)

    def _mask(self, text: str) -> str:
        return text.replace(self.ctx.name, transcript_slots({"name": self.ctx.name})["name"])

    def _hearers(self) -> tuple[Context, ...]:
        """Who may hear the next sentence, as content-guard contexts.

        The first sentence of a call is an opening (in CN it must carry the AI label; in the US
        the debt-collector disclosure comes after identity, so an opening is only a third-party
        sentence there); until identity is confirmed anyone may be listening.
        """
        restricted = self.ctx.third_party_call or not self.outcome.identity_confirmed
        if self._replies == 0 and self.script.lang != "en-US":
            return (Context.OPENING, Context.THIRD_PARTY)
        return (Context.THIRD_PARTY,) if restricted else (Context.DEBTOR,)

    def _guarded(self, text: str, node_id: str) -> str:
        contexts = self._hearers()
        categories = {
            c for context in contexts for c in guard.check(text, self.script.lang, context).categories
        }
        if not categories:
            return text
        self.guard_hits.append(GuardHit(node_id, contexts, tuple(sorted(categories)), self._mask(text)))
        safe = self.script.lines.get("safe_line") or SAFE_LINES[self.script.lang]
        return render(safe, {"platform": self.ctx.platform})

    def _guard_no_disclosure(self, text: str) -> None:
        if any(word in text for word in DEBT_WORDS_ZH) or yuan(self.ctx.amount_fen) in text:
            raise DisclosureError(
                f"script {self.script.id}: debt detail in a line before identity was confirmed"
            )
