"""Script approval: who may approve, what the lint finds, and what the audit log keeps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.compliance import guard
from huikuan.compliance.guard import Context, Verdict
from huikuan.dialogue import approval, versions
from huikuan.dialogue.approval import Finding, lint
from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from huikuan.security.audit import verify
from huikuan.security.models import AuditEvent, User
from huikuan.security.users import Role, create_user

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)
PW = "a long test password"
SHIPPED = versions.builtin_contents()
ZH, EN = SHIPPED["reminder.zh-CN"], SHIPPED["reminder.en-US"]
THREAT_ZH = "如果你今天不还钱，我们就去你单位找你。"
THREAT_EN = "We will have you arrested if you do not pay today."


def edit(content: str, path: tuple[str, ...], value: object) -> str:
    data = yaml.safe_load(content)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class Users:
    def __init__(self, session: Session) -> None:
        self.author = create_user(session, "author", "话术编写员", PW, Role.SUPERVISOR).id
        self.officer = create_user(session, "officer", "合规专员", PW, Role.COMPLIANCE_OFFICER).id
        self.officer2 = create_user(session, "officer2", "合规专员二", PW, Role.COMPLIANCE_OFFICER).id
        self.admin = create_user(session, "admin", "管理员", PW, Role.ADMIN).id
        self.agent = create_user(session, "agent", "坐席", PW, Role.AGENT).id


@pytest.fixture
def users(session: Session) -> Users:
    return Users(session)


def submitted(session: Session, users: Users, content: str = ZH, author: int | None = None) -> int:
    by = author or users.author
    draft = versions.create_draft(session, content, author_id=by, at=T0)
    versions.submit(session, draft.id, by=by, at=T0)
    return draft.id


def where(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.node, f.part, f.rule) for f in findings}


# --- the shipped scripts ------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_shipped_scripts_pass_the_lint(code: str) -> None:
    assert lint(SHIPPED[code]) == []


# --- who may approve ----------------------------------------------------------------------------


def test_the_author_cannot_approve_their_own_version(session: Session, users: Users) -> None:
    vid = submitted(session, users, author=users.officer)  # an officer who wrote it
    with pytest.raises(PermissionDenied, match="author cannot approve"):
        approval.approve(session, vid, users.officer, T0)
    assert versions.get_version(session, vid).status == "submitted"
    approval.approve(session, vid, users.officer2, T0)
    assert versions.get_version(session, vid).status == "approved"


@pytest.mark.parametrize("who", ["author", "admin", "agent"])
def test_only_a_compliance_officer_approves(session: Session, users: Users, who: str) -> None:
    vid = submitted(session, users)
    with pytest.raises(PermissionDenied, match="only a compliance officer may approve"):
        approval.approve(session, vid, getattr(users, who), T0)
    assert versions.get_version(session, vid).status == "submitted"


def test_an_inactive_officer_cannot_approve(session: Session, users: Users) -> None:
    vid = submitted(session, users)
    officer = session.get(User, users.officer)
    assert officer is not None
    officer.active = False
    with pytest.raises(PermissionDenied):
        approval.approve(session, vid, users.officer, T0)


def test_a_draft_cannot_be_approved_without_submission(session: Session, users: Users) -> None:
    draft = versions.create_draft(session, ZH, author_id=users.author, at=T0)
    with pytest.raises(Conflict, match=r"cannot approve script version \d+: it is draft, not submitted"):
        approval.approve(session, draft.id, users.officer, T0)
    with pytest.raises(NotFound):
        versions.running_script(session, "reminder", "zh-CN")


def test_an_approved_version_cannot_be_approved_again(session: Session, users: Users) -> None:
    vid = submitted(session, users)
    approval.approve(session, vid, users.officer, T0)
    with pytest.raises(Conflict, match="it is approved, not submitted"):
        approval.approve(session, vid, users.officer2, T0)


# --- the lint blocks approval -------------------------------------------------------------------


def test_missing_ai_label_blocks_approval(session: Session, users: Users) -> None:
    no_label = edit(ZH, ("nodes", "greet", "say"), "您好，请问是{name}本人吗？")
    assert ("greet", "say#1", "CN.AI_LABEL") in where(lint(no_label))
    vid = submitted(session, users, no_label)
    with pytest.raises(InvalidInput) as info:
        approval.approve(session, vid, users.officer, T0)
    message = info.value.message
    assert "failed the lint" in message
    assert "greet say#1 [CN.AI_LABEL]" in message
    assert "王小明" not in message  # sample slot values never reach a message
    assert versions.get_version(session, vid).status == "submitted"
    with pytest.raises(NotFound):
        versions.running_script(session, "reminder", "zh-CN")


def test_a_robot_answer_that_denies_being_ai_is_found(session: Session) -> None:
    lying = edit(ZH, ("lines", "robot_answer"), "我不是机器人，我是真人客服。")
    found = where(lint(lying))
    assert ("lines.robot_answer", "", "CN.AI_LABEL") in found
    missing = yaml.safe_load(ZH)
    del missing["lines"]["robot_answer"]
    assert ("lines.robot_answer", "", "CN.AI_LABEL") in where(
        lint(yaml.safe_dump(missing, allow_unicode=True))
    )


def test_us_openings_must_identify_the_ai_voice(session: Session) -> None:
    plain = edit(EN, ("nodes", "tp_greet", "say"), "Hello, we are trying to reach {name}.")
    assert ("tp_greet", "say#1", "US.AI_VOICE") in where(lint(plain))


def test_us_disclosure_is_required_in_the_first_debt_node(session: Session) -> None:
    data = yaml.safe_load(EN)
    data["nodes"]["remind"]["say"][1] = "Thank you, {name}. Your loan of ${amount} was due on {due_date}."
    found = where(lint(yaml.safe_dump(data, allow_unicode=True)))
    assert ("remind", "say#2", "US.DISCLOSE") in found
    assert ("remind", "say#1", "US.DISCLOSE") not in found
    # `details` is not a first debt node: reached only through `remind`, it needs no repetition
    assert not any(node == "details" for node, _, _ in found)


def test_a_debt_node_reachable_before_identity_is_found(session: Session) -> None:
    leaky = edit(
        ZH,
        ("nodes", "greet", "next"),
        {**yaml.safe_load(ZH)["nodes"]["greet"]["next"], "ask_details": "details"},
    )
    assert ("details", "", "CN.THIRD_PARTY") in where(lint(leaky))


def test_a_debt_slot_before_identity_is_found(session: Session) -> None:
    early = edit(ZH, ("nodes", "identity_first", "say"), "您的欠款是{amount}元，请问您是{name}本人吗？")
    assert ("identity_first", "say#1", "SCRIPT.SLOT") in where(lint(early))


def test_bad_yaml_is_invalid_input_not_a_finding() -> None:
    with pytest.raises(InvalidInput, match="not valid YAML"):
        lint("id: [unclosed")
    with pytest.raises(InvalidInput, match="missing the field start"):
        lint("id: x\nversion: 1\nlang: zh-CN\n")


class FakeGuard:
    """Records what the lint asks and blocks the sentences it is told to."""

    def __init__(self, blocked: dict[str, str]) -> None:
        self.blocked = blocked
        self.asked: list[tuple[str, str, Context]] = []

    def __call__(self, text: str, lang: str, context: Context = Context.DEBTOR) -> Verdict:
        self.asked.append((text, lang, context))
        for needle, category in self.blocked.items():
            if needle in text:
                return Verdict(False, (guard.Category(category),))
        return Verdict(True)


@pytest.fixture
def fake_guard(monkeypatch: pytest.MonkeyPatch) -> FakeGuard:
    fake = FakeGuard({"单位找你": "threat", "arrested": "threat"})
    monkeypatch.setattr(guard, "check", fake)
    return fake


def test_lint_asks_the_guard_about_each_line_as_its_hearer(fake_guard: FakeGuard) -> None:
    assert lint(ZH) == []
    asked = {(text, context) for text, _lang, context in fake_guard.asked}
    greet = "您好，我是小橙科技的智能语音助手，本次通话将被录音。请问是王小明本人吗？"
    assert (greet, Context.OPENING) in asked
    assert (greet, Context.THIRD_PARTY) in asked
    remind = {t for t, c in asked if "应还金额3280.50元" in t}
    assert remind
    assert all((t, Context.DEBTOR) in asked for t in remind)
    assert not any(c != Context.DEBTOR for t, c in asked if "3280.50" in t)
    tp = {c for t, c in asked if t.startswith("好的，麻烦您转告他")}
    assert tp == {Context.THIRD_PARTY}
    assert not any("{" in t for t, _ in asked)  # every template rendered before the check

    fake_guard.asked.clear()
    assert lint(EN) == []
    en_greet = {c for t, _, c in fake_guard.asked if t.startswith("Hello, this is an automated AI voice")}
    assert en_greet == {Context.THIRD_PARTY}  # US: no debt-collector disclosure before identity


def test_guard_verdicts_become_findings_and_block_approval(
    session: Session, users: Users, fake_guard: FakeGuard
) -> None:
    threat = edit(ZH, ("nodes", "refusal", "say"), THREAT_ZH)
    findings = lint(threat)
    assert [(f.node, f.part, f.rule, f.categories, f.context) for f in findings] == [
        ("refusal", "say#1", "CN.CONTENT", ("threat",), "debtor")
    ]
    vid = submitted(session, users, threat)
    with pytest.raises(InvalidInput, match=r"refusal say#1 \[CN.CONTENT\]"):
        approval.approve(session, vid, users.officer, T0)


@pytest.mark.parametrize(
    ("content", "node", "line"),
    [(ZH, "refusal", THREAT_ZH), (EN, "refusal", THREAT_EN)],
    ids=["zh-CN", "en-US"],
)
def test_the_real_guard_blocks_obvious_threats(content: str, node: str, line: str) -> None:
    """Against the content guard as shipped: an obvious threat never passes the lint."""
    found = [f for f in lint(edit(content, ("nodes", node, "say"), line)) if f.node == node]
    assert [f.part for f in found] == ["say#1"]
    assert set(found[0].categories) & {"threat", "exposure_threat", "false_legal_claim"}


# --- transitions and the audit log --------------------------------------------------------------


def test_approving_v2_retires_v1_and_audits_every_transition(session: Session, users: Users) -> None:
    v1 = submitted(session, users)
    approval.approve(session, v1, users.officer, T0)
    assert versions.running_script(session, "reminder", "zh-CN").version_id == v1
    v2 = submitted(session, users, edit(ZH, ("lines", "reprompt"), "抱歉，我没听清，请再说一遍。"))
    assert versions.running_script(session, "reminder", "zh-CN").version_id == v1  # v2 not yet
    result = approval.approve(session, v2, users.officer2, T0)
    assert result.retired is not None
    assert result.retired.id == v1
    assert versions.get_version(session, v1).status == "retired"
    assert versions.get_version(session, v1).retired_at == T0
    running = versions.running_script(session, "reminder", "zh-CN")
    assert (running.version_id, running.version, running.script.version) == (v2, 2, 2)
    session.commit()

    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action.startswith("script.")).order_by(AuditEvent.seq)
    ).all()  # the users' creation is audited too
    trail = [(e.action, e.entity_id, e.actor) for e in events]
    a, o1, o2 = (f"user:{u}" for u in (users.author, users.officer, users.officer2))
    assert trail == [
        ("script.draft", str(v1), a),
        ("script.submit", str(v1), a),
        ("script.approve", str(v1), o1),
        ("script.draft", str(v2), a),
        ("script.submit", str(v2), a),
        ("script.retire", str(v1), o2),
        ("script.approve", str(v2), o2),
    ]
    assert events[5].details["reason"] == "superseded by version 2"
    assert events[6].details == {
        "script": "reminder.zh-CN",
        "version": 2,
        "status": "approved",
        "author": users.author,
        "retired": v1,
    }
    assert verify(session).intact


def test_reject_sends_back_to_draft_with_the_reason(session: Session, users: Users) -> None:
    vid = submitted(session, users)
    with pytest.raises(PermissionDenied):
        approval.reject(session, vid, users.agent, "不行", T0)
    with pytest.raises(InvalidInput, match="needs a reason"):
        approval.reject(session, vid, users.officer, "   ", T0)
    back = approval.reject(session, vid, users.officer, "第二句语气过硬 / second line too harsh", T0)
    assert back.status == "draft"
    assert back.rejected_reason == "第二句语气过硬 / second line too harsh"
    with pytest.raises(Conflict):
        approval.reject(session, vid, users.officer, "again", T0)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "script.reject")).one()
    assert event.actor == f"user:{users.officer}"
    assert event.details["reason"] == "第二句语气过硬 / second line too harsh"
    versions.submit(session, vid, by=users.author, at=T0)
    assert approval.approve(session, vid, users.officer, T0).version.rejected_reason is None


def test_retire_stops_the_script_from_running(session: Session, users: Users) -> None:
    vid = submitted(session, users)
    with pytest.raises(Conflict, match="it is submitted, not approved"):
        approval.retire(session, vid, users.officer, T0)
    approval.approve(session, vid, users.officer, T0)
    with pytest.raises(PermissionDenied):
        approval.retire(session, vid, users.agent, T0)
    approval.retire(session, vid, users.admin, T0, "campaign over")
    with pytest.raises(NotFound, match="has no approved version"):
        versions.running_script(session, "reminder", "zh-CN")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "script.retire")).one()
    assert (event.actor, event.details["reason"]) == (f"user:{users.admin}", "campaign over")


def test_approve_builtin_scripts_is_idempotent(session: Session, users: Users) -> None:
    first = approval.approve_builtin_scripts(session, author_id=users.author, officer_id=users.officer, at=T0)
    assert {"reminder.zh-CN", "reminder.en-US", "third_party.zh-CN", "voicemail.en-US"} <= set(first)
    assert set(first) == set(versions.builtin_contents())
    again = approval.approve_builtin_scripts(session, author_id=users.author, officer_id=users.officer, at=T0)
    assert again == first
    assert len(versions.list_versions(session)) == len(first)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_voicemail_must_carry_the_callback_number_and_contact(lang: str) -> None:
    shipped = SHIPPED[f"voicemail.{lang}"]
    assert lint(shipped) == []
    data = yaml.safe_load(shipped)
    for slot in ("{agent_name}", "{callback_number}"):
        without = data["lines"]["voicemail"].replace(slot, "")
        found = where(lint(edit(shipped, ("lines", "voicemail"), without)))
        assert ("lines.voicemail", "", "VOICEMAIL.FIELDS") in found
        said = data["nodes"]["message"]["say"].replace(slot, "")
        found = where(lint(edit(shipped, ("nodes", "message", "say"), said)))
        assert ("message", "say#1", "VOICEMAIL.FIELDS") in found


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en-US",
            "This is an automated AI voice assistant for Alex Morgan. Please call  back at . Thank you.",
        ),
        (
            "en-US",
            "This is an automated AI voice assistant for Alex. Please call Jordan Lee back at . Thanks.",
        ),
        ("zh-CN", "您好，这里是小橙科技的智能语音助手，给王小明留言：请您方便时回电，联系人，谢谢。"),
        (
            "zh-CN",
            "您好，这里是小橙科技的智能语音助手，给王小明留言：请您方便时回电4008001234，联系人，谢谢。",
        ),
    ],
)
def test_the_guard_refuses_a_voicemail_with_an_empty_field(lang: str, text: str) -> None:
    assert guard.check(text, lang, Context.VOICEMAIL) == Verdict(False, (guard.Category.MISSING_DISCLOSURE,))
    complete = {
        "en-US": "This is an automated AI voice assistant for Alex Morgan. Please call Jordan Lee back "
        "at 800-555-0100. Thank you.",
        "zh-CN": "您好，这里是小橙科技的智能语音助手，给王小明留言：请您方便时回电4008001234，"
        "联系人李娜，谢谢。",
    }[lang]
    assert guard.check(complete, lang, Context.VOICEMAIL).allowed
