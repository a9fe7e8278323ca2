"""The dialogue manager: walks a script (data) turn by turn on text.

The engine enforces rules itself rather than trusting the script: nothing about the debt is
said before the debtor confirmed their identity (and never on a third-party call), the robot
answers truthfully when asked whether it is a machine (CN.AI_LABEL), and every sentence passes
the content guard in the context of who may be hearing it; a blocked sentence is replaced by the
node's `safe` line (else the script's `lines.safe_line`, else SAFE_LINES) and kept in
`guard_hits` for the caller to record.

Beyond the script's transitions the engine owns the policy a script cannot be trusted with:
abuse gets one calm warning then a polite close; silence or `other` is reprompted at most
`max_reprompts` times; promises are read back before they count; an installment offer comes
from `strategy.propose_plan` inside the plan bounds of the call; a callback is booked inside the
jurisdiction's calling window (`dialogue.callback`); a transfer with no agent free books a
callback instead; once a stop (dispute, complaint, cease) is recorded the call only closes.

Identity (`dialogue.identity`, pure functions) is a step the engine runs, not an edge: in a
`verifies_identity` node the name heard is compared with the debtor's, a bare yes to the name
question counts, an unclear answer is asked again, an LLM's label alone never confirms; then the
creditor's knowledge check (`CallContext.knowledge_check`) before any disclosure. In any node,
a third party, a wrong number, a name that is not the debtor's, the debtor spoken of in the
third person or the debtor's death ends disclosure at once (the script's `not_the_debtor`
nodes). Every decision is kept in `DialogueOutcome.identity_decisions` (reason codes only).
A cease request or a dispute is confirmed once before it is recorded (a call that ends before
the answer keeps it: the debtor's side); a promise larger than the balance is questioned.

Hooks for what is not the script's: `classify` (the NLU, replaceable in tests) and `responder`
(the optional LLM: an NLU fallback below LOW_CONFIDENCE and free-form answers in nodes marked
`free_form: true`, only after identity was confirmed on the debtor's own number).
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Protocol

from huikuan.compliance import calling_window, guard
from huikuan.compliance.guard import Category, Context
from huikuan.dialogue import callback, identity
from huikuan.dialogue.identity import Decision, KnowledgeCheck, NameMatch, Reason
from huikuan.dialogue.nlu import Intent, NluResult, numerals
from huikuan.dialogue.nlu import classify as default_classify
from huikuan.dialogue.render import (
    DEBT_WORDS_EN,
    DEBT_WORDS_ZH,
    empty_slots,
    money,
    plan_text,
    render,
    spoken_date,
    spoken_time,
    transcript_slots,
)
from huikuan.dialogue.script import EDGE_PREFIX, Node, Script, ScriptError, jurisdiction_for_lang
from huikuan.errors import HuikuanError
from huikuan.strategy import Plan, PlanBounds, propose_plan
from huikuan.types import CallingWindow

LOW_CONFIDENCE = 0.5  # below this the responder (if any) is asked for the intent
NOT_THE_DEBTOR = frozenset({"wrong_number", "third_party"})
QUESTIONS = frozenset({Intent.ASK_DETAILS, Intent.ASK_PAYMENT_METHOD})  # a free_form node asks the responder
YES = frozenset({Intent.CONFIRM_IDENTITY, Intent.AFFIRM})
# Stops that change compliance records are confirmed once before they are recorded.
CONFIRMED_STOPS = frozenset({"cease", "dispute"})
# What a "no" to the stop confirmation sounds like to the NLU: carry on in the node.
STOP_DECLINED = frozenset({Intent.OTHER, Intent.WRONG_NUMBER, Intent.REFUSE_TO_PAY, Intent.THIRD_PARTY})
_NO_ZH = re.compile(r"不是|不用|不要|没有|没说|别|算了|不对|搞错")
_NO_EN = re.compile(r"\b(?:no|nope|nah|not|don't|didn't|never mind|wrong)\b", re.IGNORECASE)
# Labels that move identity either way: the responder (an LLM) is never offered them, so only the
# verification step and the NLU decide who is on the line (dialogue.llm refuses them as well).
IDENTITY_INTENTS = frozenset(
    {Intent.CONFIRM_IDENTITY, Intent.AFFIRM, Intent.WRONG_NUMBER, Intent.THIRD_PARTY, Intent.DEBTOR_DECEASED}
)
EMOTION_LINES = {
    "distressed": "ack_distressed",
    "sad": "ack_distressed",
    "angry": "ack_angry",
    "anxious": "ack_anxious",
}


class DisclosureError(HuikuanError):
    """The script tried to say something about the debt before identity was confirmed."""

    status_code = 500


# Said instead of a blocked sentence when neither the node nor the script has a safe line; each
# passes the guard in every context (tests/dialogue check it), the AI label included for openings.
SAFE_LINES = {
    "zh-CN": "您好，我是{platform}的智能语音助手。抱歉，刚才的内容有误，请以工作人员的正式通知为准。",
    "en-US": "This is an automated AI voice assistant from {platform}. Sorry, please disregard "
    "that; a member of our team will follow up with you.",
}


# Engine lines a script may override under `lines` (same key). None of them names the debt:
# the knowledge questions are asked before identity is confirmed.
ENGINE_LINES = {
    "zh-CN": {
        "knowledge_id_last4": "为了确认是您本人，请说一下您身份证号码的最后四位。",
        "knowledge_birth_year": "为了确认是您本人，请问您是哪一年出生的？",
        "knowledge_product": "为了确认是您本人，请说一下您在我们这里使用的产品名称。",
        "confirm_cease": "跟您确认一下，您是希望我们以后不再打电话联系您吗？",
        "confirm_dispute": "跟您确认一下，您是对这件事有异议，希望我们暂停并由专人核实吗？",
        "stop_declined": "好的，那我们继续。",
        "over_balance": "您目前应还的金额是{amount}元，请问您打算还多少？",
    },
    "en-US": {
        "knowledge_id_last4": "To make sure I am speaking with the right person, could you tell me the last "
        "four digits of your ID number?",
        "knowledge_birth_year": "To make sure I am speaking with the right person, what year were you born?",
        "knowledge_product": "To make sure I am speaking with the right person, which of our products do "
        "you use?",
        "confirm_cease": "Just to confirm, you'd like us to stop calling you?",
        "confirm_dispute": "Just to confirm, you are disputing this and would like us to pause while a "
        "specialist checks it?",
        "stop_declined": "All right, let's continue.",
        "over_balance": "The amount due is ${amount}. How much are you planning to pay?",
    },
}


@dataclass(frozen=True, slots=True)
class IdentityDecision:
    """One identity decision: the debtor turn it was taken at (0: before any), what, and why."""

    turn: int
    decision: Decision
    reason: Reason


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
    variant_seed: int = 0
    agent_available: bool = True  # a human agent can take a transfer now (else: book a callback)
    plan_bounds: PlanBounds | None = None  # None: the robot offers no installment plan
    timezone: str = "Asia/Shanghai"  # the debtor's zone, for booking callbacks
    now: datetime | None = None  # the call's instant, so a callback is never booked in the past
    callback_number: str = ""  # the number a voicemail asks the person to call back
    agent_name: str = ""  # the person a voicemail names to call back (§1006.2(j))
    # Where callbacks may be booked; None: the jurisdiction's pack with the operator's settings.
    window: CallingWindow | None = None
    # The creditor's knowledge check before any disclosure, and its expected answer (the ID
    # number's last four, the year of birth, the product): personal data, never logged or said,
    # masked in the debtor's transcript turns (`DialogueEngine.masked`).
    knowledge_check: KnowledgeCheck = KnowledgeCheck.NONE
    knowledge_answer: str = field(default="", repr=False)


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
    callback_at: datetime | None = None  # booked inside the calling window, debtor's zone
    callback_by_human: bool = False  # booked because no agent was free for a transfer
    plan: Plan | None = None  # the last installment plan offered
    plan_accepted: bool = False
    emotions: list[str] = field(default_factory=list)  # emotions acknowledged, in order
    identity_decisions: list[IdentityDecision] = field(default_factory=list)
    deceased: bool = False  # the debtor was reported deceased: a hold for a person (stop `deceased`)


Classifier = Callable[[str, str, date], NluResult]


class Responder(Protocol):
    """The optional LLM (dialogue.llm.LlmClient has this shape); None answers fall back to the script."""

    def classify_fallback(
        self, text: str, lang: str, allowed_intents: Sequence[Intent | str], *, personal: Iterable[str] = ()
    ) -> Intent | None: ...

    def free_form_answer(
        self,
        question: str,
        facts: Mapping[str, str],
        lang: str,
        *,
        context: Context = Context.DEBTOR,
        personal: Iterable[str] = (),
    ) -> str | None: ...


_ZH_TERMS = re.compile(rf"(?:分|还)?\s*([{numerals.ZH_SMALL}]{{1,3}})\s*(?:期|个月)")
_EN_TERMS = re.compile(
    r"\b([0-9]{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?:monthly\s+)?(?:months|installments|instalments|payments)\b",
    re.IGNORECASE,
)


def terms_wanted(text: str, lang: str) -> int | None:
    """How many payments the debtor asks for ('分12期', '六个月', 'six months'), or None."""
    m = (_EN_TERMS if lang == "en-US" else _ZH_TERMS).search(text)
    if m is None:
        return None
    word = m.group(1)
    return numerals.words_to_number(word) if word.isalpha() and word.isascii() else numerals.parse_int(word)


class DialogueEngine:
    """One conversation: `start()` gives the first line, `step(text)` answers each debtor turn."""

    def __init__(
        self,
        script: Script,
        ctx: CallContext,
        *,
        classify: Classifier | None = None,
        responder: Responder | None = None,
    ) -> None:
        self.script = script
        self.ctx = ctx
        # The script's language is the call's: one source for the words, the dates and amounts
        # read out, the NLU model and the jurisdiction of callback windows.
        self.lang = script.lang
        self.jurisdiction = jurisdiction_for_lang(script.lang)
        self.outcome = DialogueOutcome()
        self.node = script.nodes[script.third_party_start if ctx.third_party_call else script.start]
        self.done = False
        self._classify = classify or default_classify
        self._responder = responder
        self._rng = random.Random(ctx.variant_seed)  # noqa: S311 - picks a phrasing, not a secret
        self._reprompts_in_row = 0
        self._replies = 0
        self._text = ""  # the debtor's last utterance
        self._nlu: NluResult | None = None
        self._came_from: str | None = None
        self._from_llm = False  # the last intent came from the responder, not the NLU
        self._turn = 0  # debtor turns heard
        self._knowledge_next: str | None = None  # asked the knowledge check; where a right answer goes
        self._pending_stop: tuple[str, str | None, str] | None = None  # (stop node, stop, disposition) before
        self._amount_questioned = False  # a promise over the balance: ask_amount names the balance
        self._knowledge_turns: set[int] = set()  # debtor turns that answered the knowledge check
        self.guard_hits: list[GuardHit] = []

    def start(self) -> Reply:
        return self._enter(self.node)

    def say_line(self, key: str) -> Reply:
        """A whole call of one script line (`lines.<key>`): rendered, guarded, and the end.

        For messages that are not a conversation, such as the US abandoned-call identification
        (`voicemail_abandoned`); a field the call has no value for gives the safe line instead."""
        if self.done:
            raise ScriptError("the conversation has already ended")
        template = self.script.lines.get(key)
        if template is None:
            raise ScriptError(f"script {self.script.id} has no line {key}")
        return self._final(self._filled(template, self.node, f"lines.{key}"))

    def step(self, text: str | None) -> tuple[NluResult | None, Reply]:
        """Answer one debtor turn (None is silence)."""
        if self.done:
            raise ScriptError("the conversation has already ended")
        if text is None or not text.strip():
            return None, self._reprompt()
        self._turn += 1
        if self._knowledge_next is not None:
            self._knowledge_turns.add(self._turn)
        nlu = self._understand(text)
        self._text, self._nlu = text, nlu
        ack = self._acknowledge(nlu)
        if self._knowledge_next is not None and self._knowledge_heard(text):
            # The expected reply (digits, a year, a name): the NLU is not trained on these and
            # may call them anything.
            return nlu, self._knowledge_answer(nlu, text, ack)
        if nlu.intent == Intent.ABUSIVE:
            self.outcome.abuse_count += 1
            if self.outcome.abuse_count >= 2:
                self.outcome.disposition = "abusive_hangup"
                return nlu, self._final(self.script.lines["abusive_close"])
            return nlu, self._line(self._join(self.script.lines["abuse_warning"], self._reask()))
        if nlu.intent == Intent.ASK_IF_ROBOT:
            self.outcome.asked_if_robot = True
            return nlu, self._line(
                self._join(ack, render(self.script.lines["robot_answer"], self._slots()), self._reask())
            )
        if self._pending_stop is not None:
            confirmed = self._stop_answer(nlu)
            if confirmed is not None:
                return nlu, confirmed
        not_debtor = self._not_the_debtor(nlu, text)
        if not_debtor is not None:
            return nlu, not_debtor
        if self._knowledge_next is not None:
            if nlu.intent in (*YES, Intent.OTHER) or self._edge(nlu.intent) is None:
                return nlu, self._knowledge_answer(nlu, text, ack)
            self._knowledge_next = None  # a request the node handles (a stop, a person, later)
        if (
            self.node.verifies_identity
            and not self.ctx.third_party_call
            and not self.outcome.identity_confirmed
        ):
            verified = self._verify(nlu, text, ack)
            if verified is not None:
                return nlu, verified
        target = self._edge(nlu.intent)
        if self.node.free_form and (target is None or nlu.intent in QUESTIONS):
            answer = self._free_form(text)
            if answer is not None:
                self._reprompts_in_row = 0
                return nlu, self._line(self._join(ack, answer, self._reask()))
        target = target or self.node.on.get(Intent.OTHER.value)
        if target is None:
            return nlu, self._reprompt(ack)
        if self.outcome.identity_confirmed:
            self._merge_promise(nlu)
        stop = self.script.nodes[target].stop
        if stop in CONFIRMED_STOPS and not (self.node.stop or self.node.asks_stop):
            return nlu, self._ask_stop(target, stop or "", ack)
        self._reprompts_in_row = 0
        self._came_from = self.node.id
        return nlu, self._enter(self.script.nodes[target], ack)

    def masked(self, heard: str) -> str:
        """The debtor's last turn as stored: the debtor's name and the knowledge check's answer
        masked (in the answer to the check, every run that spells digits, as words too)."""
        text = self._mask(heard)
        answer = self.ctx.knowledge_answer
        if not answer:
            return text
        text = text.replace(answer, "****")
        if self._turn in self._knowledge_turns and self.ctx.knowledge_check != KnowledgeCheck.PRODUCT:
            words = "|".join(sorted(identity.DIGIT_WORDS, key=len, reverse=True))
            run = rf"(?:[0-9xX叉零〇洞一幺二两三四五六七八九十拐勾]|\b(?:{words})\b)"
            text = re.sub(rf"{run}(?:[\s-]*{run})+", "****", text, flags=re.IGNORECASE)
        return text

    # --- identity ------------------------------------------------------------------------------

    def _decide(self, decision: Decision, reason: Reason) -> None:
        self.outcome.identity_decisions.append(IdentityDecision(self._turn, decision, reason))

    def _edge(self, intent: Intent) -> str | None:
        """The node's edge for `intent`; a bare yes outside identity nodes follows `affirm`, else
        `confirm_identity` (the scripts' "yes")."""
        on = self.node.on
        if intent == Intent.AFFIRM:
            return on.get(Intent.AFFIRM.value) or on.get(Intent.CONFIRM_IDENTITY.value)
        return on.get(intent.value)

    def _verify(self, nlu: NluResult, text: str, ack: str) -> Reply | None:
        """The identity step of a `verifies_identity` node; None lets the node's edges answer
        (a question, a promise before identity: the script asks for identity first)."""
        heard = identity.heard_name(text, self.lang, self.ctx.name)
        yes = nlu.intent in YES and nlu.confidence >= LOW_CONFIDENCE
        if heard is not None:
            match = identity.compare_name(heard, self.ctx.name, self.lang)
            if match == NameMatch.OTHER:
                return self._third_party(Intent.THIRD_PARTY, Reason.NAME_MISMATCH)
            if match == NameMatch.SAME:
                return self._confirmed(Reason.NAME_MATCH, ack)
            if yes and not self._from_llm:
                return self._confirmed(Reason.SURNAME_YES, ack)
            self._decide(Decision.ASKED_AGAIN, Reason.SURNAME_ONLY)
            return self._reprompt(ack)
        if nlu.intent in YES and self._from_llm:
            self._decide(Decision.ASKED_AGAIN, Reason.LLM_LABEL)
            return self._reprompt(ack)
        if yes:
            return self._confirmed(Reason.BARE_YES, ack)
        if nlu.intent in YES or self._edge(nlu.intent) is None or nlu.intent == Intent.OTHER:
            self._decide(Decision.ASKED_AGAIN, Reason.UNCLEAR)
            return self._reprompt(ack)
        return None

    def _confirmed(self, reason: Reason, ack: str) -> Reply:
        """The name step passed: the knowledge check next when the creditor has one, else the
        node's `confirm_identity` edge with identity confirmed."""
        self._decide(Decision.CONFIRMED, reason)
        target = self.node.on.get(Intent.CONFIRM_IDENTITY.value)
        if target is None:
            raise ScriptError(
                f"script {self.script.id}: node {self.node.id} verifies identity without confirm_identity"
            )
        self._reprompts_in_row = 0
        if self.ctx.knowledge_check != KnowledgeCheck.NONE and self.ctx.knowledge_answer:
            self._knowledge_next = target
            return self._line(self._join(ack, self._engine_line(f"knowledge_{self.ctx.knowledge_check}")))
        return self._confirm_and_enter(target, ack)

    def _confirm_and_enter(self, target: str, ack: str) -> Reply:
        self.outcome.identity_confirmed = True
        self._came_from = self.node.id
        return self._enter(self.script.nodes[target], ack)

    def _knowledge_heard(self, text: str) -> bool:
        """An answer to the knowledge check was heard: digits for the ID or the year; for the
        product only the right one (anything else is first understood as usual)."""
        kind, answer = self.ctx.knowledge_check, self.ctx.knowledge_answer
        ok = identity.knowledge_matches(kind, text, answer, self.lang)
        return ok is True if kind == KnowledgeCheck.PRODUCT else ok is not None

    def _knowledge_answer(self, nlu: NluResult, text: str, ack: str) -> Reply:
        """The answer to the knowledge check: right confirms, wrong is a third party, nothing
        heard asks again (bounded by the reprompt limit)."""
        kind = self.ctx.knowledge_check
        ok = identity.knowledge_matches(kind, text, self.ctx.knowledge_answer, self.lang)
        if ok is None:
            self._decide(Decision.ASKED_AGAIN, Reason.KNOWLEDGE_UNCLEAR)
            return self._reprompt(ack)
        target, self._knowledge_next = self._knowledge_next, None
        if not ok:
            self._decide(Decision.KNOWLEDGE_FAILED, Reason.KNOWLEDGE_WRONG)
            return self._third_party(Intent.THIRD_PARTY, None)
        self._decide(Decision.KNOWLEDGE_OK, Reason.KNOWLEDGE_RIGHT)
        self._reprompts_in_row = 0
        assert target is not None  # noqa: S101 - set together with the question
        return self._confirm_and_enter(target, ack)

    def _not_the_debtor(self, nlu: NluResult, text: str) -> Reply | None:
        """Any sign, in any node, that someone other than the debtor speaks: disclosure ends."""
        if nlu.intent == Intent.DEBTOR_DECEASED or identity.says_deceased(text, self.lang):
            return self._third_party(Intent.DEBTOR_DECEASED, Reason.SAID_DECEASED)
        if self.ctx.third_party_call:
            return None  # nothing was disclosed; the third-party script's own edges answer
        if nlu.intent == Intent.THIRD_PARTY:
            return self._third_party(Intent.THIRD_PARTY, Reason.SAID_THIRD_PARTY)
        if nlu.intent == Intent.WRONG_NUMBER:
            return self._third_party(Intent.WRONG_NUMBER, Reason.SAID_WRONG_NUMBER)
        if identity.third_person(text, self.lang):
            return self._third_party(Intent.THIRD_PARTY, Reason.THIRD_PERSON)
        # An answer to the name question is read generously; any other turn only by an unmistakable
        # self-introduction ("我叫李四", "This is Sam"), so "我是程序员" never ends a call.
        asked_name = self.node.verifies_identity and not self.outcome.identity_confirmed
        heard = identity.heard_name(text, self.lang, self.ctx.name, strict=not asked_name)
        if heard is not None and identity.compare_name(heard, self.ctx.name, self.lang) == NameMatch.OTHER:
            return self._third_party(Intent.THIRD_PARTY, Reason.NAME_MISMATCH)
        return None

    def _third_party(self, intent: Intent, reason: Reason | None) -> Reply:
        """End disclosure now: identity cleared, the script's node for `intent` said, recorded."""
        if reason is not None:
            self._decide(Decision.THIRD_PARTY, reason)
        self.outcome.identity_confirmed = False
        self._knowledge_next = None
        self._restore_stop()
        if intent == Intent.DEBTOR_DECEASED:
            self.outcome.deceased = True
        target = self.script.not_the_debtor.get(intent.value) or self.node.on.get(intent.value)
        if target is None:  # a script that never converses: close politely
            return self._final(self.script.lines["no_response_close"])
        self._came_from = self.node.id
        return self._enter(self.script.nodes[target])

    # --- stops ---------------------------------------------------------------------------------

    def _ask_stop(self, target: str, stop: str, ack: str) -> Reply:
        """Ask once before a cease or dispute changes compliance records. The stop is noted now,
        so a call that ends before the answer keeps it (the debtor's side); a no lifts it."""
        self._pending_stop = (target, self.outcome.stop, self.outcome.disposition)
        node = self.script.nodes[target]
        self.outcome.stop = node.stop
        if node.disposition:
            self.outcome.disposition = node.disposition
        return self._line(self._join(ack, self._engine_line(f"confirm_{stop}")))

    def _stop_answer(self, nlu: NluResult) -> Reply | None:
        """The answer to the stop confirmation: yes records it; a no carries on in the node; an
        acknowledgement the NLU could not place ("好的", "嗯") without a no in it counts as yes
        (the debtor's side); anything else lifts it and is understood as usual (None)."""
        assert self._pending_stop is not None  # noqa: S101 - the caller checked
        target = self._pending_stop[0]
        stop = self.script.nodes[target].stop
        again = {Intent.STOP_CONTACT} if stop == "cease" else {Intent.DISPUTE}
        said_no = (_NO_EN if self.lang == "en-US" else _NO_ZH).search(self._text) is not None
        if nlu.intent in YES | again or (nlu.intent == Intent.OTHER and not said_no):
            self._pending_stop = None
            self._reprompts_in_row = 0
            self._came_from = self.node.id
            return self._enter(self.script.nodes[target])
        if (
            nlu.intent == Intent.DEBTOR_DECEASED
            or identity.says_deceased(self._text, self.lang)
            or identity.third_person(self._text, self.lang)
        ):
            return None  # someone else speaks: the third-party rule answers
        self._restore_stop()
        if nlu.intent in STOP_DECLINED:
            self._reprompts_in_row = 0
            return self._line(self._join(self._engine_line("stop_declined"), self._reask()))
        return None

    def _restore_stop(self) -> None:
        if self._pending_stop is not None:
            _, self.outcome.stop, self.outcome.disposition = self._pending_stop
            self._pending_stop = None

    def _engine_line(self, key: str) -> str:
        template = self.script.lines.get(key) or ENGINE_LINES[self.lang][key]
        return render(template, self._slots())

    def _join(self, *parts: str) -> str:
        """Sentences as spoken: English ones with one space between them, Chinese ones as they are."""
        if self.lang != "en-US":
            return "".join(parts)
        return " ".join(p.strip() for p in parts if p and p.strip())

    # --- understanding -------------------------------------------------------------------------

    def _understand(self, text: str) -> NluResult:
        nlu = self._classify(text, self.lang, self.ctx.today)
        self._from_llm = False
        if self._responder is None or nlu.confidence >= LOW_CONFIDENCE:
            return nlu
        if self._knowledge_next is not None:
            return nlu  # the answer to the knowledge check is personal data: never sent to the LLM
        handled = [k for k in self.node.on if not k.startswith(EDGE_PREFIX) and k not in IDENTITY_INTENTS]
        allowed = [*handled, Intent.ABUSIVE.value, Intent.ASK_IF_ROBOT.value]
        intent = self._responder.classify_fallback(text, self.lang, allowed, personal=(self.ctx.name,))
        if intent is None or Intent(intent) in IDENTITY_INTENTS or intent not in allowed:
            return nlu
        self._from_llm = True  # an LLM label never moves identity (the engine checks this flag)
        return dataclasses.replace(nlu, intent=Intent(intent))

    def _free_form(self, text: str) -> str | None:
        """The responder's answer in a `free_form` node, only to the verified debtor."""
        if self._responder is None or not self.outcome.identity_confirmed or self.ctx.third_party_call:
            return None
        facts = {k: v for k, v in self._slots().items() if k != "name"}
        answer = self._responder.free_form_answer(
            text, facts, self.lang, context=Context.DEBTOR, personal=(self.ctx.name,)
        )
        if answer is None:
            return None
        # The adapter checks words; the facts of this call (owed, plan bounds, promise) are
        # checked here, and a wrong answer falls back to the script instead of a safe line.
        contexts = self._hearers()
        categories = self._blocked_by(answer, contexts)
        if not categories:
            # Closed-world rules for the LLM (guard.llm_path): figures of its facts and the plan
            # bounds only, nothing of itself but what an assistant does, no one but the debtor and
            # us (but to promise they will never be told), no terms the bounds do not grant.
            broken = guard.llm_refusal(answer, self.lang, facts.values(), self.ctx.platform, self._facts())
            categories = () if broken is None else (broken,)
        if categories:
            self.guard_hits.append(GuardHit(self.node.id, contexts, categories, self._mask(answer)))
            reject = getattr(self._responder, "reject_last", None)
            if callable(reject):
                reject()
            return None
        return answer

    def _acknowledge(self, nlu: NluResult) -> str:
        """The tone line for a distressed, anxious or angry debtor: once per emotion per call."""
        kind = EMOTION_LINES.get(str(nlu.emotion.value))
        if kind is None or nlu.intent == Intent.ABUSIVE or kind in self.outcome.emotions:
            return ""
        line = self.script.lines.get(kind)
        if line is None:
            return ""
        self.outcome.emotions.append(kind)
        return render(line, self._slots())

    def _merge_promise(self, nlu: NluResult) -> None:
        promise = self.outcome.promise
        if nlu.entities.amount is not None and nlu.entities.amount > self.ctx.amount_fen:
            # More than is owed: never read back as is; ask again, naming the balance.
            promise.amount_fen = None
            promise.confirmed = False
            self._amount_questioned = True
        elif nlu.entities.amount is not None:
            promise.amount_fen = nlu.entities.amount
        if nlu.entities.date is not None:
            promise.due_date = nlu.entities.date

    # --- nodes ---------------------------------------------------------------------------------

    def _resolve(self, node: Node) -> Node:
        """Follow engine-driven edges (captures, a transfer without an agent) to the node said."""
        for _ in range(4):  # captures lead to plain nodes; the bound only guards a bad script
            if node.transfer and not self.ctx.agent_available and f"{EDGE_PREFIX}no_agent" in node.on:
                self.outcome.callback_by_human = True
                node = self.script.nodes[node.on[f"{EDGE_PREFIX}no_agent"]]
            elif node.capture == "promise":
                promise = self.outcome.promise
                if promise.amount_fen is None:
                    node = self.script.nodes["ask_amount"]
                elif promise.due_date is None:
                    node = self.script.nodes["ask_date"]
                else:
                    node = self.script.nodes["readback"]
            elif node.capture == "callback":
                node = self.script.nodes[self._book_callback(node)]
            elif node.capture == "plan":
                node = self.script.nodes[self._offer_plan()]
            else:
                return node
        raise ScriptError(f"script {self.script.id}: captures lead to captures at {node.id}")

    def _book_callback(self, node: Node) -> str:
        heard = self._nlu
        day = heard.entities.date if heard is not None else None
        if day is None and self._text:  # "下个月再说": the period's first day, never today
            day = callback.vague_day(self._text, self.lang, self.ctx.today)
        at = callback.parse_time_of_day(self._text, self.lang) if self._text else None
        came_from = self.script.nodes.get(self._came_from or "")
        asked = came_from is not None and came_from.asks_time
        if day is None and at is None and not asked:
            return "ask_callback_time"
        window = self.ctx.window
        if window is None:  # the rule pack's, with the operator's settings
            # The script's language is the call's, and so gives the jurisdiction.
            window = calling_window(self.jurisdiction)
        self.outcome.callback_at = callback.book(
            day,
            at,
            today=self.ctx.today,
            window=window,
            zone=self.ctx.timezone,
            now=self.ctx.now,
        )
        return "callback_booked"

    def _offer_plan(self) -> str:
        bounds = self.ctx.plan_bounds
        if bounds is None:
            return "no_plan"
        wanted = terms_wanted(self._text, self.lang) if self._text else None
        plan = propose_plan(self.ctx.amount_fen, bounds, wanted or bounds.max_terms)
        if plan is None or not plan.within(bounds):
            return "no_plan"
        self.outcome.plan = plan
        return "offer_plan"

    def _enter(self, node: Node, ack: str = "") -> Reply:
        node = self._resolve(node)
        if node.discloses_debt and (not self.outcome.identity_confirmed or self.ctx.third_party_call):
            raise DisclosureError(f"script {self.script.id}: node {node.id} before identity was confirmed")
        self.node = node
        if node.disposition:
            self.outcome.disposition = node.disposition
        if node.disposition in NOT_THE_DEBTOR:
            # The person now says they are not the debtor: the right party was not reached.
            self.outcome.identity_confirmed = False
        self.outcome.transfer_requested |= node.transfer
        self.outcome.refused_further_contact |= node.refused_further_contact
        if node.stop:
            self.outcome.stop = node.stop
        if node.disposition == "ptp":
            self.outcome.promise.confirmed = True
        if node.disposition == "installment" and self.outcome.plan is not None:
            self.outcome.plan_accepted = True
        if node.id == "ask_amount" and self._amount_questioned:
            self._amount_questioned = False
            text = self._join(ack, self._engine_line("over_balance"))
        else:
            text = self._join(ack, self._say(node))
        if node.end:
            return self._final(text, node.id)
        return self._reply(text, node.id, end=False)

    def _say(self, node: Node) -> str:
        template = node.say[self._rng.randrange(len(node.say))] if len(node.say) > 1 else node.say[0]
        return self._filled(template, node, node.id)

    def _filled(self, template: str, node: Node, where: str) -> str:
        slots = self._slots()
        if empty_slots(template, slots):
            # A field the call has no value for (a voicemail's callback number or contact name,
            # from the campaign) would leave a hole in the sentence: say the safe line instead.
            self.guard_hits.append(
                GuardHit(
                    where,
                    self._hearers(),
                    (Category.MISSING_DISCLOSURE,),
                    self._mask(render(template, slots)),
                )
            )
            safe = node.safe or self.script.lines.get("safe_line") or SAFE_LINES[self.script.lang]
            return render(safe, {"platform": self.ctx.platform, "name": self.ctx.name})
        return render(template, slots)

    def _reask(self) -> str:
        pending = self._pending_question()
        if pending:
            return pending
        if self.node.reask:
            return render(self.node.reask, self._slots())
        return "" if self.node.end else self._say(self.node)

    def _slots(self) -> dict[str, str]:
        lang = self.lang
        promise = self.outcome.promise
        slots = {
            "name": self.ctx.name,
            "platform": self.ctx.platform,
            "callback_number": self.ctx.callback_number,
            "agent_name": self.ctx.agent_name,
        }
        if self.outcome.callback_at is not None:
            at = self.outcome.callback_at
            day = spoken_date(at.date(), lang)
            when = spoken_time(time(at.hour, at.minute), lang)
            slots["callback_time"] = f"{day}{when}" if lang != "en-US" else f"{day} at {when}"
        if self.outcome.identity_confirmed and not self.ctx.third_party_call:
            slots["amount"] = money(self.ctx.amount_fen, lang)
            slots["due_date"] = spoken_date(self.ctx.due_date, lang)
            if promise.amount_fen is not None:
                slots["promise_amount"] = money(promise.amount_fen, lang)
            if promise.due_date is not None:
                slots["promise_date"] = spoken_date(promise.due_date, lang)
            plan = self.outcome.plan
            if plan is not None:
                slots["plan"] = plan_text(plan.terms, plan.first_payment, plan.installment, plan.waiver, lang)
        return slots

    def _reprompt(self, ack: str = "") -> Reply:
        self._reprompts_in_row += 1
        self.outcome.reprompts += 1
        if self._reprompts_in_row > self.script.max_reprompts:
            if self.node.verifies_identity and not self.outcome.identity_confirmed:
                self._decide(Decision.ASKED_AGAIN, Reason.ASKED_TOO_OFTEN)
            self._knowledge_next = None
            return self._final(self._join(ack, self.script.lines["no_response_close"]))
        return self._line(self._join(ack, self.script.lines["reprompt"], self._reask_short()))

    def _reask_short(self) -> str:
        """After a reprompt, the question pending (the knowledge check, a stop's confirmation),
        else the node's own short question when it has one."""
        return self._pending_question() or (render(self.node.reask, self._slots()) if self.node.reask else "")

    def _pending_question(self) -> str:
        """The engine's own question awaiting an answer (the knowledge check, a stop's confirmation)."""
        if self._knowledge_next is not None:
            return self._engine_line(f"knowledge_{self.ctx.knowledge_check}")
        if self._pending_stop is not None:
            return self._engine_line(f"confirm_{self.script.nodes[self._pending_stop[0]].stop}")
        return ""

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
        """Who may hear the next sentence (`Script.hearers`): the first is the opening; until
        identity is confirmed anyone may be listening."""
        restricted = self.ctx.third_party_call or not self.outcome.identity_confirmed
        return self.script.hearers(opening=self._replies == 0, restricted=restricted)

    def _facts(self) -> guard.Facts:
        """What a sentence may state in this call: the account, the clock, the plan bounds, and
        what the call produced (the debtor's promise, the plan offered). Without plan bounds the
        robot may offer no plan and no waiver."""
        ctx, promise, plan = self.ctx, self.outcome.promise, self.outcome.plan
        bounds = ctx.plan_bounds
        return guard.Facts(
            owed=Decimal(ctx.amount_fen) / 100,
            due_date=ctx.due_date,
            today=ctx.today,
            max_terms=bounds.max_terms if bounds is not None else 1,
            max_waiver_pct=bounds.max_waiver_pct if bounds is not None else 0,
            min_first_payment=Decimal(bounds.min_first_payment) / 100 if bounds is not None else None,
            platform=ctx.platform,
            promise_amount=Decimal(promise.amount_fen) / 100 if promise.amount_fen is not None else None,
            promise_date=promise.due_date,
            plan_terms=plan.terms if plan is not None else None,
            plan_amounts=tuple(
                Decimal(fen) / 100
                for fen in ((plan.first_payment, plan.installment, plan.waiver, plan.total) if plan else ())
            ),
        )

    def _blocked_by(self, text: str, contexts: tuple[Context, ...]) -> tuple[Category, ...]:
        """The categories the guard finds in `text` for any of `contexts`, with this call's facts."""
        facts = self._facts()
        found = {c for context in contexts for c in guard.check(text, self.lang, context, facts).categories}
        return tuple(sorted(found))

    def _guarded(self, text: str, node_id: str) -> str:
        contexts = self._hearers()
        categories = self._blocked_by(text, contexts)
        if not categories:
            return text
        self.guard_hits.append(GuardHit(node_id, contexts, categories, self._mask(text)))
        node = self.script.nodes.get(node_id)
        for safe in (node.safe if node is not None else None, self.script.lines.get("safe_line")):
            if safe is None:
                continue
            line = render(safe, {"platform": self.ctx.platform, "name": self.ctx.name})
            if not self._blocked_by(line, contexts):
                return line
        return render(SAFE_LINES[self.script.lang], {"platform": self.ctx.platform})

    def _guard_no_disclosure(self, text: str) -> None:
        words = DEBT_WORDS_EN if self.script.lang == "en-US" else DEBT_WORDS_ZH
        lowered = text.lower()
        amount = re.escape(money(self.ctx.amount_fen, self.script.lang))
        if any(word in lowered for word in words) or re.search(rf"(?<![\d.,]){amount}(?![\d.,])", text):
            raise DisclosureError(
                f"script {self.script.id}: debt detail in a line before identity was confirmed"
            )
