"""The portfolio area: account search and paging, the account page and API (masked for every
role), and the recording player (decrypted for play_recordings, audited, 403 for others)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio import search
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, PHONE
from tests.web.i18n_check import untranslated
from tests.web.login import console
from tests.web.portfolio_seed import MODEL_VERSION, Floor, seed_floor

NATIONAL_ID = "11010519491231002X"
SECRETS = (NAME, PHONE, PHONE.removeprefix("+86"), NATIONAL_ID)
MASKED_ROLES = (Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR, Role.ADMIN)


@pytest.fixture
def floor(db: TestDatabase, tmp_path: Path) -> Floor:
    with db.session() as s:
        seeded = seed_floor(s, tmp_path)
        s.commit()
    return seeded


def client_for(db: TestDatabase, role: Role, data_dir: Path) -> TestClient:
    client = console(db, role)
    client.app.state.data_dir = data_dir  # type: ignore[attr-defined]  # the app behind the client
    return client


def ids(answer: dict[str, object]) -> list[int]:
    return [row["account_id"] for row in answer["rows"]]  # type: ignore[index, union-attr]


def test_search_filters_sorts_and_pages(db: TestDatabase, floor: Floor, tmp_path: Path) -> None:
    client = client_for(db, Role.SUPERVISOR, tmp_path)
    everything = client.get("/api/accounts").json()
    assert everything["total"] == 5
    amounts = [r["overdue"] for r in everything["rows"]]
    assert amounts == sorted(amounts, reverse=True)
    m1, m2, m3, m4 = floor.other_account_ids
    assert ids(client.get("/api/accounts", params={"creditor_id": floor.other_creditor_id}).json()) == [
        m4,
        m3,
        m2,
        m1,
    ]
    assert ids(client.get("/api/accounts", params={"bucket": ["M2", "M3"]}).json()) == [m3, m2]
    assert ids(client.get("/api/accounts", params={"status": "paid"}).json()) == [m1]
    assert ids(client.get("/api/accounts", params={"status": "stopped"}).json()) == [floor.stopped_account_id]
    assert floor.stopped_account_id not in ids(client.get("/api/accounts", params={"status": "open"}).json())
    assert ids(client.get("/api/accounts", params={"ref": "L1"}).json()) == [floor.account_id]
    assert m3 in ids(
        client.get("/api/accounts", params={"ref": str(m3)}).json()
    )  # an account id (or a debtor id)
    ranged = client.get("/api/accounts", params={"overdue_min": 150_000, "overdue_max": 300_000}).json()
    assert ids(ranged) == [m3, m2]
    by_days = client.get("/api/accounts", params={"sort": "days_past_due", "order": "asc"}).json()
    days = [r["days_past_due"] for r in by_days["rows"]]
    assert days == sorted(days)
    first = client.get("/api/accounts", params={"page_size": 2}).json()
    second = client.get("/api/accounts", params={"page_size": 2, "page": 2}).json()
    third = client.get("/api/accounts", params={"page_size": 2, "page": 3}).json()
    assert first["pages"] == 3
    assert len(set(ids(first) + ids(second) + ids(third))) == 5
    assert client.get("/api/accounts", params={"segment": "forgetful"}).json()["total"] == 1
    assert client.get("/api/accounts", params={"bucket": "M9"}).status_code == 422
    assert client.get("/api/accounts", params={"page_size": 1000}).status_code == 422


def test_the_search_page_filters_and_keeps_what_was_typed_on_an_error(
    db: TestDatabase, floor: Floor, tmp_path: Path
) -> None:
    client = client_for(db, Role.SUPERVISOR, tmp_path)
    page = client.get("/portfolio", params={"bucket": "M3"})
    assert page.status_code == 200
    assert f'data-account="{floor.other_account_ids[2]}"' in page.text
    assert f'data-account="{floor.account_id}"' not in page.text
    client.cookies.set("huikuan_lang", "en")
    wrong = client.get("/portfolio", params={"min": "a lot", "ref": "L-77"})
    assert wrong.status_code == 422
    assert "An amount is a number of yuan, not negative" in wrong.text
    assert 'value="a lot"' in wrong.text
    assert 'value="L-77"' in wrong.text
    paged = client.get("/portfolio", params={"min": "1,500", "max": "3000"})
    assert f'data-account="{floor.other_account_ids[1]}"' in paged.text
    assert f'data-account="{floor.other_account_ids[0]}"' not in paged.text


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_no_name_or_number_reaches_a_masked_role(
    db: TestDatabase, floor: Floor, tmp_path: Path, role: Role
) -> None:
    client = client_for(db, role, tmp_path)
    answers = [
        client.get("/portfolio"),
        client.get("/portfolio", params={"ref": "L1"}),
        client.get(f"/portfolio/accounts/{floor.account_id}"),
        client.get("/api/accounts"),
        client.get(f"/api/accounts/{floor.account_id}"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.url
        for secret in SECRETS:
            assert secret not in answer.text, (answer.url, role)
    assert "王**" in answers[2].text
    assert "+86139****5678" in answers[2].text
    view = answers[4].json()
    assert view["debtor"]["masked"] is True
    assert view["attempts"][1]["turns"][0]["text"] == "您好，请问是王**本人吗？"


def test_the_account_shows_its_whole_history_in_order(db: TestDatabase, floor: Floor, tmp_path: Path) -> None:
    client = client_for(db, Role.COMPLIANCE_OFFICER, tmp_path)
    view = client.get(f"/api/accounts/{floor.account_id}").json()
    kinds = [(e["kind"], e["attempt_id"] or e["decision_id"]) for e in view["timeline"]]
    instants = [e["at"] for e in view["timeline"]]
    assert instants == sorted(instants)
    assert len([k for k, _ in kinds if k == "attempt"]) == 4
    assert len([k for k, _ in kinds if k == "decision"]) == 4
    denied = [d for d in view["decisions"] if not d["allowed"]]
    assert {d["rule"] for d in denied} == {"CN.TIME", "CN.CONV_PER_DAY"}
    assert all(d["title_zh"] and d["title_en"] for d in denied)
    answered = next(a for a in view["attempts"] if a["id"] == floor.attempt_id)
    assert answered["recording_id"] == floor.recording_id
    assert [t["speaker"] for t in answered["turns"]] == ["robot", "debtor", "robot", "debtor"]
    assert view["profile"]["propensity_version"] == MODEL_VERSION
    assert view["profile"]["segment"] == "forgetful"
    assert [p["amount"] for p in view["promises"]] == [120_050]
    assert [p["terms"] for p in view["plans"]] == [3]
    assert [p["amount"] for p in view["payments"]] == [40_000]
    assert view["stops"] == []
    client.cookies.set("huikuan_lang", "en")
    page = client.get(f"/portfolio/accounts/{floor.account_id}").text
    assert "Contact window" in page  # the CN.TIME rule by its title
    assert MODEL_VERSION in page
    assert "Answers and promises: forgetful" in page
    assert f'src="/api/recordings/{floor.recording_id}/audio"' in page
    assert 'id="reveal-form"' in page  # view_full may reveal, with a reason
    client.cookies.set("huikuan_lang", "zh_CN")
    chinese = client.get(f"/portfolio/accounts/{floor.account_id}").text
    assert "联系时段" in chinese
    assert "按时接听并承诺还款" in chinese
    assert client.get("/api/accounts/999999").status_code == 404
    missing = client.get("/portfolio/accounts/999999")
    assert missing.status_code == 404
    assert "没有编号为 999999 的案件" in missing.text


@pytest.mark.parametrize("role", [Role.COMPLIANCE_OFFICER, Role.SUPERVISOR])
def test_a_permitted_role_plays_the_recording_and_the_play_is_audited(
    db: TestDatabase, floor: Floor, tmp_path: Path, role: Role
) -> None:
    client = client_for(db, role, tmp_path)
    audio = client.get(f"/api/recordings/{floor.recording_id}/audio")
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.content == floor.wav
    assert audio.content[:4] == b"RIFF"
    assert (tmp_path / "recordings").exists()
    assert not any(p.suffix == ".wav" for p in (tmp_path / "recordings").rglob("*"))  # sealed on disk
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "recording.play")).one()
        assert event.entity == "recording"
        assert event.entity_id == str(floor.recording_id)
        assert event.details == {"attempt_id": floor.attempt_id}
    assert client.get("/api/recordings/999999/audio").status_code == 404


def test_an_auditor_gets_no_player_and_no_audio(db: TestDatabase, floor: Floor, tmp_path: Path) -> None:
    client = client_for(db, Role.AUDITOR, tmp_path)
    assert client.get(f"/api/recordings/{floor.recording_id}/audio").status_code == 403
    client.cookies.set("huikuan_lang", "en")
    page = client.get(f"/portfolio/accounts/{floor.account_id}").text
    assert "<audio" not in page
    assert "Your role may not play call recordings." in page
    assert 'id="reveal-form"' not in page
    with db.session() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "recording.play")).first() is None


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR])
def test_the_pages_with_data_are_wholly_in_each_language(
    db: TestDatabase, floor: Floor, tmp_path: Path, role: Role
) -> None:
    client = client_for(db, role, tmp_path)
    for lang in ("zh_CN", "en"):
        client.cookies.set("huikuan_lang", lang)
        for path in ("/portfolio", "/portfolio?status=stopped", f"/portfolio/accounts/{floor.account_id}"):
            page = client.get(path)
            assert page.status_code == 200
            assert untranslated(page.text, lang) == [], (path, lang)
        wrong = client.get("/portfolio", params={"bucket": "M99"})
        assert untranslated(wrong.text, lang) == []


def test_counting_and_paging_stop_at_the_cap(
    db: TestDatabase, floor: Floor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    client = client_for(db, Role.SUPERVISOR, tmp_path)
    capped = client.get("/api/accounts", params={"page_size": 2}).json()
    assert (capped["total"], capped["more"], capped["pages"]) == (3, True, 2)
    beyond = client.get("/api/accounts", params={"page_size": 2, "page": 9}).json()
    assert beyond["page"] == 2
    client.cookies.set("huikuan_lang", "en")
    assert "More than 3 accounts" in client.get("/portfolio").text
    exact = client.get("/api/accounts", params={"bucket": "M1"}).json()
    assert (exact["total"], exact["more"]) == (2, False)


def test_an_attempt_shows_its_answering_machine_verdict(
    db: TestDatabase, floor: Floor, tmp_path: Path
) -> None:
    with db.session() as s:
        attempt = s.get(CallAttempt, floor.attempt_id)
        assert attempt is not None
        attempt.amd_verdict, attempt.amd_reason, attempt.amd_ms = "human", "short_greeting", 1840
        s.commit()
    client = client_for(db, Role.SUPERVISOR, tmp_path)
    view = client.get(f"/api/accounts/{floor.account_id}").json()
    shown = {a["id"]: (a["amd_verdict"], a["amd_reason"], a["amd_ms"]) for a in view["attempts"]}
    assert shown[floor.attempt_id] == ("human", "short_greeting", 1840)
    assert {v for k, v in shown.items() if k != floor.attempt_id} == {(None, None, None)}
    client.cookies.set("huikuan_lang", "en")
    page = client.get(f"/portfolio/accounts/{floor.account_id}").text
    assert "Answering-machine check" in page
    assert "A person answered" in page
    assert "1840 ms" in page
    client.cookies.set("huikuan_lang", "zh_CN")
    assert "答录机检测" in client.get(f"/portfolio/accounts/{floor.account_id}").text
