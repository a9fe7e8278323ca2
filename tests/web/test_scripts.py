"""Scripts (话术) in the console: the lint as you type, drafts, submission, an officer's decision
(never on their own version), permissions per role, the diff, and both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from huikuan.dialogue import versions
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, find_user
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.web.i18n_check import untranslated
from tests.web.login import LOCAL, add_user, log_in

SHIPPED = versions.builtin_contents()
ZH = SHIPPED["reminder.zh-CN"]
THREAT_ZH = "如果你今天不还钱，我们就去你单位找你。"
T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)


def with_remind(content: str, sentence: str) -> str:
    """The script with the `remind` node's first sentence replaced (a one-line change)."""
    data = yaml.safe_load(content)
    data["nodes"]["remind"]["say"][0] = sentence
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


CLEAN = with_remind(
    ZH, "{name}您好，您在{platform}的借款已逾期，应还金额{amount}元，到期日是{due_date}。请问您今天能处理吗？"
)
FLAGGED = with_remind(ZH, THREAT_ZH)


def client_as(db: TestDatabase, role: Role, name: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    log_in(client, add_user(db, role, name))
    return client, {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}


def line_of(content: str, needle: str) -> int:
    return next(i for i, line in enumerate(content.splitlines(), start=1) if line.strip() == needle)


def test_the_lint_flags_a_threat_with_its_node_line_and_category(db: TestDatabase) -> None:
    client, csrf = client_as(db, Role.SUPERVISOR, "writer")
    res = client.post("/api/scripts/lint", json={"content": FLAGGED}, headers=csrf)
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["clean"] is False
    assert body["error"] is None
    assert body["code"] == "reminder.zh-CN"
    threats = [f for f in body["findings"] if any("threat" in c for c in f["categories"])]
    assert threats, body["findings"]
    assert {(f["node"], f["part"]) for f in threats} == {("remind", "say#1")}
    assert threats[0]["line"] == line_of(FLAGGED, "remind:")
    assert threats[0]["rule"] == "CN.CONTENT"
    assert (
        threats[0]["message"] == "内容审查拦截此句（债务人本人收听）。"
    )  # the visitor's language: zh-CN by default
    client.cookies.set("huikuan_lang", "en")
    english = client.post("/api/scripts/lint", json={"content": FLAGGED}, headers=csrf).json()
    assert "The content guard blocks this sentence (heard by the debtor)." in {
        f["message"] for f in english["findings"]
    }
    clean = client.post("/api/scripts/lint", json={"content": CLEAN}, headers=csrf).json()
    assert clean["clean"] is True
    assert clean["findings"] == []
    # The preview is the sample debtor's: slots filled, no placeholder left.
    remind = next(p for p in clean["preview"] if p["node"] == "remind" and p["part"] == "say#1")
    assert "{" not in remind["text"]
    assert "安心借" in remind["text"]


def test_the_lint_gives_a_yaml_error_with_its_line(db: TestDatabase) -> None:
    client, csrf = client_as(db, Role.SUPERVISOR, "writer")
    broken = 'id: reminder\nlang: zh-CN\nnodes:\n  greet:\n    say: ["您好"\n  remind: x\n'
    body = client.post("/api/scripts/lint", json={"content": broken}, headers=csrf).json()
    assert body["clean"] is False
    assert body["error"]["line"] == 6
    assert body["error"]["message"] == "话术不是有效的YAML（第6行）" or "YAML" in body["error"]["message"]
    assert " / " not in body["error"]["message"]  # one language, not the bilingual pair
    missing = client.post("/api/scripts/lint", json={"content": "id: x\n"}, headers=csrf).json()
    assert missing["error"]["line"] is None
    assert "start" in missing["error"]["message"] or "缺少" in missing["error"]["message"]


def test_a_draft_is_submitted_and_approved_by_another_user_and_audited(db: TestDatabase) -> None:
    writer, w_csrf = client_as(db, Role.SUPERVISOR, "writer")
    officer, o_csrf = client_as(db, Role.COMPLIANCE_OFFICER, "officer")
    created = writer.post("/api/scripts", json={"content": CLEAN}, headers=w_csrf)
    assert created.status_code == 201, created.text
    vid = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["author"] == "writer"
    # Not yet submitted: an officer cannot approve a draft.
    early = officer.post(f"/api/scripts/{vid}/approve", json={"reason": "看过了，合规"}, headers=o_csrf)
    assert early.status_code == 409
    sent = writer.post(f"/api/scripts/{vid}/submit", headers=w_csrf)
    assert sent.status_code == 200
    assert sent.json()["status"] == "submitted"
    approved = officer.post(
        f"/api/scripts/{vid}/approve", json={"reason": "内容合规，同意上线"}, headers=o_csrf
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["reviewer"] == "officer"
    listed = {v["id"]: v for v in officer.get("/api/scripts").json()}
    assert listed[vid]["status"] == "approved"
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "script.approve")).one()
        assert event.entity_id == str(vid)
        assert event.actor == f"user:{find_user(s, 'officer').id}"
        assert event.details["reason"] == "内容合规，同意上线"
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "script.submit")).one()
    page = officer.get(f"/scripts/{vid}")
    assert 'data-status="approved"' in page.text
    assert 'id="approve-button"' not in page.text


def test_a_flagged_version_cannot_be_approved(db: TestDatabase) -> None:
    writer, w_csrf = client_as(db, Role.SUPERVISOR, "writer")
    officer, o_csrf = client_as(db, Role.COMPLIANCE_OFFICER, "officer")
    vid = writer.post("/api/scripts", json={"content": FLAGGED}, headers=w_csrf).json()["id"]
    writer.post(f"/api/scripts/{vid}/submit", headers=w_csrf)
    refused = officer.post(f"/api/scripts/{vid}/approve", json={"reason": "看过了，合规"}, headers=o_csrf)
    assert refused.status_code == 422
    assert "lint" in refused.json()["error"]
    page = officer.get(f"/scripts/{vid}").text
    assert 'id="approve-button" data-decision="approve" disabled' in page
    assert "remind say#1" in page


def test_the_author_is_refused_and_sees_no_buttons(db: TestDatabase) -> None:
    officer, o_csrf = client_as(db, Role.COMPLIANCE_OFFICER, "officer")
    with db.session() as s:
        me = find_user(s, "officer").id
        vid = versions.create_draft(s, CLEAN, author_id=me, at=T0).id
        versions.submit(s, vid, by=me, at=T0)
        s.commit()
    refused = officer.post(
        f"/api/scripts/{vid}/approve", json={"reason": "我自己写的，没问题"}, headers=o_csrf
    )
    assert refused.status_code == 403
    assert "author cannot approve" in refused.json()["error"]
    page = officer.get(f"/scripts/{vid}").text
    assert 'id="own-version"' in page
    assert 'id="approve-button"' not in page
    assert 'id="reject-button"' not in page
    other, _ = client_as(db, Role.COMPLIANCE_OFFICER, "officer2")
    assert 'id="approve-button"' in other.get(f"/scripts/{vid}").text
    with db.session() as s:
        assert versions.get_version(s, vid).status == "submitted"


def test_a_rejection_needs_a_reason_and_reaches_the_author(db: TestDatabase) -> None:
    writer, w_csrf = client_as(db, Role.SUPERVISOR, "writer")
    officer, o_csrf = client_as(db, Role.COMPLIANCE_OFFICER, "officer")
    vid = writer.post("/api/scripts", json={"content": CLEAN}, headers=w_csrf).json()["id"]
    writer.post(f"/api/scripts/{vid}/submit", headers=w_csrf)
    for reason in ("", "太短", "x" * 501):
        res = officer.post(f"/api/scripts/{vid}/reject", json={"reason": reason}, headers=o_csrf)
        assert res.status_code == 422, reason
    assert officer.post(f"/api/scripts/{vid}/reject", json={}, headers=o_csrf).status_code == 422
    done = officer.post(f"/api/scripts/{vid}/reject", json={"reason": "语气过硬，请修改开场"}, headers=o_csrf)
    assert done.status_code == 200
    assert done.json()["status"] == "rejected"
    assert done.json()["rejected_reason"] == "语气过硬，请修改开场"
    page = writer.get(f"/scripts/{vid}").text
    assert "语气过硬，请修改开场" in page
    assert 'data-status="rejected"' in page
    assert 'id="edit-link"' in page
    editing = writer.get(f"/scripts/{vid}/edit").text
    assert 'id="base-rejected"' in editing  # the author fixes it with the reason in view
    assert "语气过硬，请修改开场" in editing


@pytest.mark.parametrize(
    ("role", "pages", "writes", "decides"),
    [
        (Role.SUPERVISOR, 200, True, False),
        (Role.COMPLIANCE_OFFICER, 200, False, True),
        (Role.AGENT, 403, False, False),
        (Role.AUDITOR, 403, False, False),
        (Role.ADMIN, 403, False, False),
    ],
)
def test_permissions_per_role(db: TestDatabase, role: Role, pages: int, writes: bool, decides: bool) -> None:
    with db.session() as s:
        author = find_user(s, add_user(db, Role.SUPERVISOR, "author")).id
        vid = versions.create_draft(s, CLEAN, author_id=author, at=T0).id
        versions.submit(s, vid, by=author, at=T0)
        s.commit()
    client, csrf = client_as(db, role, "someone")
    assert client.get("/scripts").status_code == pages
    assert client.get(f"/scripts/{vid}").status_code == pages
    assert client.get("/api/scripts").status_code == pages
    assert (client.get("/scripts/new").status_code == 200) is writes
    assert (
        client.post("/api/scripts/lint", json={"content": CLEAN}, headers=csrf).status_code == 200
    ) is writes
    created = client.post("/api/scripts", json={"content": CLEAN}, headers=csrf)
    assert (created.status_code == 201) is writes
    decided = client.post(f"/api/scripts/{vid}/reject", json={"reason": "请补充说明"}, headers=csrf)
    assert (decided.status_code == 200) is decides
    if not decides:
        assert decided.status_code == 403
    if pages == 200:
        listing = client.get("/scripts").text
        assert ('id="new-script"' in listing) is writes


def test_the_review_shows_the_changed_line_against_the_previous_version(db: TestDatabase) -> None:
    writer, csrf = client_as(db, Role.SUPERVISOR, "writer")
    first = writer.post("/api/scripts", json={"content": CLEAN}, headers=csrf).json()["id"]
    changed = CLEAN.replace("请问您今天能处理吗？", "请问您今天方便处理吗？", 1)
    assert changed != CLEAN
    second = writer.post("/api/scripts", json={"content": changed}, headers=csrf).json()
    assert second["version"] == 2
    page = writer.get(f"/scripts/{second['id']}").text
    old_line = next(line for line in CLEAN.splitlines() if "今天能处理吗" in line)
    new_line = next(line for line in changed.splitlines() if "今天方便处理吗" in line)
    number = line_of(CLEAN, old_line.strip())
    removed = (
        f'<tr class="removed"><td class="num">{number}</td><td class="num"></td>'
        f"<td><code>- {escape(old_line)}</code></td></tr>"
    )
    added = (
        f'<tr class="added"><td class="num"></td><td class="num">{number}</td>'
        f"<td><code>+ {escape(new_line)}</code></td></tr>"
    )
    assert removed in page
    assert added in page
    assert page.count('<tr class="added">') == 1
    assert page.count('<tr class="removed">') == 1
    first_page = writer.get(f"/scripts/{first}").text
    assert 'id="diff"' not in first_page


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMPLIANCE_OFFICER])
def test_the_pages_with_data_are_wholly_in_each_language(db: TestDatabase, role: Role) -> None:
    writer, w_csrf = client_as(db, Role.SUPERVISOR, "writer")
    officer, o_csrf = client_as(db, Role.COMPLIANCE_OFFICER, "officer")
    first = writer.post("/api/scripts", json={"content": CLEAN}, headers=w_csrf).json()["id"]
    writer.post(f"/api/scripts/{first}/submit", headers=w_csrf)
    officer.post(f"/api/scripts/{first}/reject", json={"reason": "请修改开场白"}, headers=o_csrf)
    second = writer.post("/api/scripts", json={"content": FLAGGED}, headers=w_csrf).json()["id"]
    writer.post(f"/api/scripts/{second}/submit", headers=w_csrf)
    english = writer.post("/api/scripts", json={"content": SHIPPED["reminder.en-US"]}, headers=w_csrf).json()[
        "id"
    ]
    client = writer if role is Role.SUPERVISOR else officer
    paths = ["/scripts", f"/scripts/{first}", f"/scripts/{second}", f"/scripts/{english}"]
    if role is Role.SUPERVISOR:
        paths += ["/scripts/new", f"/scripts/{second}/edit"]
    for lang in ("zh_CN", "en"):
        client.cookies.set("huikuan_lang", lang)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            assert untranslated(page.text, lang) == [], (path, lang)


def test_the_list_filters_by_status_and_counts_what_awaits_approval(db: TestDatabase) -> None:
    writer, w_csrf = client_as(db, Role.SUPERVISOR, "writer")
    officer, _ = client_as(db, Role.COMPLIANCE_OFFICER, "officer")
    kept = writer.post("/api/scripts", json={"content": CLEAN}, headers=w_csrf).json()["id"]
    sent = writer.post("/api/scripts", json={"content": CLEAN}, headers=w_csrf).json()["id"]
    writer.post(f"/api/scripts/{sent}/submit", headers=w_csrf)
    everything = officer.get("/scripts").text
    assert f'data-version="{kept}"' in everything
    assert f'data-version="{sent}"' in everything
    assert "待审批版本：1个" in everything
    waiting = officer.get("/scripts", params={"status": "submitted"}).text
    assert f'data-version="{sent}"' in waiting
    assert f'data-version="{kept}"' not in waiting
    assert officer.get("/scripts", params={"status": "nonsense"}).status_code == 422
