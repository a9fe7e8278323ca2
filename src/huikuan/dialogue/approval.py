"""Script approval (话术审批): the lint and the policy of who may approve, reject or retire.

A version runs only once a compliance officer who did not write it approved it, and only if
the lint finds nothing. The lint renders every line with sample slot values and asks the
content guard about it in the context of who can hear it, then checks the disclosures the
rule packs require:

* who hears a node is the script model's answer (`Script.heard_before_identity`,
  `Script.hearers`, the same the engine asks per sentence): a node reachable from `start`
  before identity is confirmed or from `third_party_start` may be heard by anyone who
  answered → THIRD_PARTY; the rest → DEBTOR. Shared `lines` can be said at any moment →
  THIRD_PARTY, and `lines.voicemail*` → VOICEMAIL. A `discloses_debt` node that a third party
  can reach is a finding of its own (CN.THIRD_PARTY / US.THIRD_PARTY).
* openings (`start` and `third_party_start`; their `say`, not the `reask` that follows them):
  in CN they are checked as OPENING (the guard
  wants the AI label there) and as THIRD_PARTY (whoever answers may not be the debtor). In US
  they are checked as THIRD_PARTY only: the guard's US OPENING wants the §1006.18(e) debt-
  collector disclosure in the first sentence, but before identity is confirmed that sentence
  would tell a third party that a debt exists (§1006.6(d), §1006.10). US scripts therefore
  identify the AI voice in the opening and give the full disclosure in the first
  `discloses_debt` node after identity confirmation; the lint requires exactly that.
* CN.AI_LABEL / US.AI_VOICE: every variant of both openings says the caller is an AI or
  automated voice and no line denies it; `lines.robot_answer` exists and says so truthfully.
* VOICEMAIL.FIELDS: every voicemail (`lines.voicemail*`, and each `say` of the `voicemail`
  script) uses `{callback_number}` and `{agent_name}`, whose values come from the campaign; the
  guard refuses a voicemail with no number or an empty field, and the engine never says a line
  whose slot is empty.
* US.DISCLOSE: every first `discloses_debt` node on a path from the opening says it is a debt
  collector attempting to collect a debt and that information will be used for that purpose.

Findings name node ids, never debtor data: the sample slot values are fictitious.

Why here, in dialogue, and not in compliance: the lint reads scripts (dialogue's one script
model, `dialogue.script`) and records the decision on dialogue's versions, and it asks the
content guard (`compliance.guard`, a leaf). Living in compliance it made compliance and dialogue
import each other (compliance.approval → dialogue, dialogue.engine → compliance.guard), with the
script logic it needs copied on both sides. Here the dependencies run one way: dialogue →
compliance.guard, and compliance imports nothing from dialogue (checked by `lint-imports`).
The rules it enforces keep their pack ids (CN.AI_LABEL, US.DISCLOSE, …; `enforced_by:
script_approval` in the packs); the compliance officer's role comes from `security`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from huikuan.compliance import guard
from huikuan.compliance.guard import Context
from huikuan.dialogue import versions
from huikuan.dialogue.render import render, used_slots
from huikuan.dialogue.script import Node, Script
from huikuan.dialogue.versions import VersionInfo
from huikuan.errors import InvalidInput, PermissionDenied
from huikuan.security.users import Role, get_user, has_role
from huikuan.strategy import VOICEMAIL_SCRIPT

# Fictitious values, so the guard sees sentences as they will be said.
SAMPLE_SLOTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "name": "王小明",
        "platform": "小橙科技",
        "amount": "3280.50",
        "due_date": "3月15日",
        "promise_amount": "2000",
        "promise_date": "3月20日",
        "plan": "分6期，首期583.33元，之后每月583.33元",
        "callback_time": "3月16日下午3点",
        "callback_number": "4008001234",
        "agent_name": "李娜",
    },
    "en-US": {
        "name": "Alex Morgan",
        "platform": "Northgate Services",
        "amount": "482.16",
        "due_date": "March 15",
        "promise_amount": "200",
        "promise_date": "March 20",
        "plan": "6 monthly payments: $80.36 first, then $80.36 a month",
        "callback_time": "March 16 at 3 PM",
        "callback_number": "800-555-0100",
        "agent_name": "Jordan Lee",
    },
}
# All the engine fills before identity is confirmed.
PRE_IDENTITY_SLOTS = ("name", "platform", "callback_time", "callback_number", "agent_name")

_AI_SELF = {
    "zh-CN": re.compile(r"智能语音|语音助手|智能助[手理]|智能客服|智能外呼|AI|ＡＩ|人工智能|机器人|虚拟助手"),
    "en-US": re.compile(
        r"\b(automated|artificial|AI|A\.I\.|AI-generated|virtual (assistant|agent)|digital assistant|"
        r"robot|computer[- ]generated)\b",
        re.IGNORECASE,
    ),
}
_AI_DENIAL = {
    "zh-CN": re.compile(r"不是(机器人|AI|ＡＩ|人工智能|智能)|我是真人|真人客服"),
    "en-US": re.compile(
        r"\b(i am|i'm) (a )?(real|live) (person|human|representative|agent)\b|"
        r"\bnot an? (robot|machine|ai|automated|recording)\b",
        re.IGNORECASE,
    ),
}
_MINI_MIRANDA = (
    re.compile(r"\bdebt collector\b", re.IGNORECASE),
    re.compile(r"\bcollect a debt\b", re.IGNORECASE),
    re.compile(r"\binformation\b.*\bused for that purpose\b", re.IGNORECASE),
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a script: where (node id and part), which rule, and why."""

    node: str  # a node id, or "lines.<key>"
    part: str  # "say#2", "reask", "" for the node as a whole
    rule: str  # e.g. CN.CONTENT, CN.AI_LABEL, US.DISCLOSE, US.THIRD_PARTY, SCRIPT.SLOT
    zh: str
    en: str
    categories: tuple[str, ...] = ()
    context: str | None = None

    @property
    def where(self) -> str:
        return f"{self.node} {self.part}".strip()

    def describe(self) -> str:
        return f"{self.where} [{self.rule}] {self.zh} / {self.en}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["categories"] = list(self.categories)
        return data


@dataclass(frozen=True, slots=True)
class Approval:
    version: VersionInfo
    retired: VersionInfo | None  # the previously approved version this approval retired


# --- lint -------------------------------------------------------------------------------------


def lint(content: str) -> list[Finding]:
    """Every finding in a script's YAML; InvalidInput when it is not a script at all."""
    return lint_script(versions.parse_content(content))


def lint_script(script: Script) -> list[Finding]:
    """Every finding in a parsed script (an empty list: the script may be approved)."""
    j = script.jurisdiction
    heard_by_anyone = script.heard_before_identity()
    openings = set(script.openings)
    findings: list[Finding] = []

    for node in script.nodes.values():
        if node.discloses_debt and node.id in heard_by_anyone:
            findings.append(
                Finding(
                    node.id,
                    "",
                    f"{j}.THIRD_PARTY",
                    "披露债务的节点在确认身份前可达",
                    "discloses the debt but can be reached before identity is confirmed",
                )
            )
        contexts = script.hearers(opening=node.id in openings, restricted=node.id in heard_by_anyone)
        slots = _slots(script.lang, restricted=node.id in heard_by_anyone)
        for part, template in _templates(node):
            # A re-asked question follows the opening that already gave the label.
            heard_as = tuple(c for c in contexts if c != Context.OPENING or part != "reask")
            findings.extend(_check_line(script.lang, j, node.id, part, template, slots, heard_as))

    for key, template in script.lines.items():
        context = Context.VOICEMAIL if key.startswith("voicemail") else Context.THIRD_PARTY
        slots = _slots(script.lang, restricted=True)
        findings.extend(_check_line(script.lang, j, f"lines.{key}", "", template, slots, (context,)))
        if context == Context.VOICEMAIL:
            findings.extend(_voicemail_fields(f"lines.{key}", "", template))
    if script.id == VOICEMAIL_SCRIPT:
        for node in script.nodes.values():
            for i, template in enumerate(node.say, start=1):
                findings.extend(_voicemail_fields(node.id, f"say#{i}", template))

    findings.extend(_ai_label(script, j, openings))
    if j == "US":
        findings.extend(_us_disclosure(script))
    return findings


# What a voicemail must give so the person can reply (US §1006.2(j): a person to ask for and a
# telephone number); their values come from the campaign, and the engine never says a line
# whose field is empty.
VOICEMAIL_FIELDS = ("callback_number", "agent_name")


def _voicemail_fields(node_id: str, part: str, template: str) -> list[Finding]:
    missing = [f for f in VOICEMAIL_FIELDS if f not in used_slots(template)]
    if not missing:
        return []
    named = ", ".join("{" + f + "}" for f in missing)
    return [
        Finding(
            node_id,
            part,
            "VOICEMAIL.FIELDS",
            f"语音留言须包含回电号码和联系人：缺少 {named}",
            f"a voicemail must give the callback number and the person to ask for: {named} missing",
        )
    ]


def _templates(node: Node) -> Iterator[tuple[str, str]]:
    for i, template in enumerate(node.say, start=1):
        yield f"say#{i}", template
    if node.reask:
        yield "reask", node.reask
    if node.safe:
        yield "safe", node.safe  # said in the node's place when a sentence of it is blocked


def _slots(lang: str, *, restricted: bool) -> dict[str, str]:
    sample = SAMPLE_SLOTS[lang]
    return {k: v for k, v in sample.items() if k in PRE_IDENTITY_SLOTS} if restricted else dict(sample)


def _check_line(
    lang: str,
    j: str,
    node_id: str,
    part: str,
    template: str,
    slots: Mapping[str, str],
    contexts: Iterable[Context],
) -> list[Finding]:
    try:
        text = render(template, slots)
    except (KeyError, IndexError, ValueError):
        return [
            Finding(
                node_id,
                part,
                "SCRIPT.SLOT",
                "含有此处不可用的占位符（确认身份前只能用{name}和{platform}）",
                "uses a slot that has no value here (before identity only {name} and {platform})",
            )
        ]
    out = []
    for context in contexts:
        verdict = guard.check(text, lang, context)
        if verdict.allowed:
            continue
        categories = tuple(c.value for c in verdict.categories)
        out.append(
            Finding(
                node_id,
                part,
                _rule_for(j, categories),
                f"内容审查未通过（{context.value}）：{', '.join(categories) or '空'}",
                f"blocked by the content guard as {context.value}: {', '.join(categories) or 'empty'}",
                categories=categories,
                context=context.value,
            )
        )
    return out


def _rule_for(j: str, categories: tuple[str, ...]) -> str:
    if "third_party_disclosure" in categories:
        return f"{j}.THIRD_PARTY"
    if categories == ("missing_disclosure",):
        return "CN.AI_LABEL" if j == "CN" else "US.DISCLOSE"
    return f"{j}.CONTENT"


def _ai_label(script: Script, j: str, openings: set[str]) -> list[Finding]:
    rule = "CN.AI_LABEL" if j == "CN" else "US.AI_VOICE"
    says_ai, denies_ai = _AI_SELF[script.lang], _AI_DENIAL[script.lang]
    out = []
    for node_id in sorted(openings):
        for part, template in _templates(script.nodes[node_id]):
            if part == "reask":
                continue  # a re-asked question follows the opening that already said it
            if not says_ai.search(template) or denies_ai.search(template):
                out.append(
                    Finding(
                        node_id,
                        part,
                        rule,
                        "开场白须说明是智能语音助手（AI）",
                        "the opening must say the caller is an AI / automated voice",
                    )
                )
    answer = script.lines.get("robot_answer")
    if answer is None or not says_ai.search(answer) or denies_ai.search(answer):
        out.append(
            Finding(
                "lines.robot_answer",
                "",
                rule,
                "须有如实回答“你是机器人吗”的话术",
                'needs a truthful answer to "are you a robot?"',
            )
        )
    for node in script.nodes.values():
        for part, template in _templates(node):
            if denies_ai.search(template):
                out.append(Finding(node.id, part, rule, "不得否认是AI", "must not deny being an AI voice"))
    return out


def _us_disclosure(script: Script) -> list[Finding]:
    out = []
    for node_id in sorted(_first_disclosing(script)):
        for part, template in _templates(script.nodes[node_id]):
            if not all(p.search(template) for p in _MINI_MIRANDA):
                out.append(
                    Finding(
                        node_id,
                        part,
                        "US.DISCLOSE",
                        "确认身份后的第一句债务内容须声明：债务催收方、正在催收债务、所获信息将用于此目的",
                        "the first debt sentence after identity confirmation must say this is a debt "
                        "collector attempting to collect a debt and any information obtained will be "
                        "used for that purpose (§1006.18(e))",
                    )
                )
    return out


def _first_disclosing(script: Script) -> set[str]:
    """The `discloses_debt` nodes entered from a node that discloses nothing, on paths from start."""
    first: set[str] = set()
    seen = {script.start}
    queue = deque([script.start])
    while queue:
        node = script.nodes[queue.popleft()]
        for _intent, target in script.successors(node):
            if script.nodes[target].discloses_debt:
                first.add(target)
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    return first


# --- policy -----------------------------------------------------------------------------------


def approve(session: Session, version_id: int, officer_id: int, at: datetime, reason: str = "") -> Approval:
    """Approve a submitted version: an officer who is not its author, and a clean lint; the
    officer's `reason` (the console asks for one) goes to the audit log."""
    officer = get_user(session, officer_id)
    if not has_role(officer, Role.COMPLIANCE_OFFICER):
        raise PermissionDenied(
            f"只有合规专员可以审批话术 / only a compliance officer may approve scripts (user {officer_id})"
        )
    version, code = versions.lock_script(session, version_id)
    if version.author_id == officer_id:
        raise PermissionDenied(
            f"不能审批自己编写的话术版本 {version_id} / the author cannot approve their own "
            f"script version {version_id}"
        )
    versions.expect_status(version, versions.VersionStatus.SUBMITTED, "approve")
    findings = lint(version.content)
    if findings:
        listed = "; ".join(f.describe() for f in findings)
        raise InvalidInput(
            f"话术版本 {version_id} 检查未通过（{len(findings)}项）/ script version {version_id} "
            f"failed the lint ({len(findings)}): {listed}"
        )
    previous = versions.record_approval(session, version, officer_id=officer_id, at=at, findings=())
    retired = None
    if previous is not None:
        versions.audit_transition(
            session,
            at,
            officer_id,
            "script.retire",
            previous,
            code,
            reason=f"superseded by version {version.version}",
            superseded_by=version.id,
        )
        retired = versions.info_of(previous, code)
    versions.audit_transition(
        session,
        at,
        officer_id,
        "script.approve",
        version,
        code,
        author=version.author_id,
        retired=None if previous is None else previous.id,
        **({"reason": why} if (why := " ".join(reason.split())) else {}),
    )
    return Approval(version=versions.info_of(version, code), retired=retired)


def reject(session: Session, version_id: int, officer_id: int, reason: str, at: datetime) -> VersionInfo:
    """Send a submitted version back to draft with the officer's reason."""
    officer = get_user(session, officer_id)
    if not has_role(officer, Role.COMPLIANCE_OFFICER):
        raise PermissionDenied(
            f"只有合规专员可以驳回话术 / only a compliance officer may reject scripts (user {officer_id})"
        )
    why = " ".join(reason.split())
    if not why:
        raise InvalidInput("驳回须说明理由 / a rejection needs a reason")
    version, code = versions.lock_script(session, version_id)
    findings = [f.as_dict() for f in lint(version.content)]
    versions.record_rejection(session, version, reason=why, findings=findings)
    versions.audit_transition(
        session, at, officer_id, "script.reject", version, code, reason=why, findings=len(findings)
    )
    return versions.info_of(version, code)


def retire(session: Session, version_id: int, officer_id: int, at: datetime, reason: str = "") -> VersionInfo:
    """Stop an approved version from running (a compliance officer or an admin)."""
    officer = get_user(session, officer_id)
    if not (has_role(officer, Role.COMPLIANCE_OFFICER) or has_role(officer, Role.ADMIN)):
        raise PermissionDenied(
            f"只有合规专员或管理员可以停用话术 / only a compliance officer or an admin may retire "
            f"scripts (user {officer_id})"
        )
    version, code = versions.lock_script(session, version_id)
    versions.record_retirement(session, version, at=at)
    why = " ".join(reason.split()) or "retired by hand"
    versions.audit_transition(session, at, officer_id, "script.retire", version, code, reason=why)
    return versions.info_of(version, code)


def approve_builtin_scripts(
    session: Session, *, author_id: int, officer_id: int, at: datetime
) -> dict[str, int]:
    """Import, submit and approve each shipped script whose approved content differs; code → id."""
    out: dict[str, int] = {}
    for code, content in versions.builtin_contents().items():
        current = versions.approved_version(session, code)
        if current is not None and current.content == content:
            out[code] = current.id
            continue
        draft = versions.create_draft(session, content, author_id=author_id, at=at)
        versions.submit(session, draft.id, by=author_id, at=at)
        out[code] = approve(session, draft.id, officer_id, at).version.id
    return out
