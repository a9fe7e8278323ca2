"""The console speaks zh-CN by default and English on request, from message catalogues."""

from __future__ import annotations

import pytest

from huikuan.security.permissions import allowed
from huikuan.security.users import Role
from huikuan.web import catalogue
from huikuan.web.i18n import translate
from huikuan.web.pages import NAV
from tests.conftest import TestDatabase
from tests.web.i18n_check import untranslated
from tests.web.login import console


def test_every_marked_string_has_a_chinese_translation() -> None:
    gaps = [f"{found.where}: {found.msgid}" for found in catalogue.missing()]
    assert gaps == [], "run `python scripts/i18n.py add AREA` and translate:\n" + "\n".join(gaps)
    assert catalogue.conflicts() == []


def test_the_catalogue_is_merged_from_the_area_files() -> None:
    assert translate("zh_CN", "Dashboard") == "总览"
    assert translate("en", "Dashboard") == "Dashboard"
    assert translate("zh_CN", "a string nobody marked") == "a string nobody marked"


def test_the_log_in_page_is_chinese_by_default_and_english_on_request(db: TestDatabase) -> None:
    client = console(db, role=None)
    page = client.get("/login")
    assert 'lang="zh-CN"' in page.text
    assert "用户名" in page.text
    assert untranslated(page.text, "zh_CN") == []
    switched = client.get("/lang/en", params={"next": "/login"}, follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    english = client.get("/login")
    assert 'lang="en"' in english.text
    assert "Username" in english.text
    assert untranslated(english.text, "en") == []


def test_the_language_switch_never_redirects_off_the_site(db: TestDatabase) -> None:
    client = console(db, role=None)
    away = client.get("/lang/en", params={"next": "//evil.example/x"}, follow_redirects=False)
    assert away.headers["location"] == "/"
    unknown = client.get("/lang/xx", params={"next": "/login"}, follow_redirects=False)
    assert "huikuan_lang" not in unknown.cookies


def test_the_checker_catches_a_stray_language() -> None:
    assert untranslated("<p>总览</p><p translate='no'>张三</p>", "en") == ["总览"]
    assert untranslated("<h1>Dashboard</h1><p translate='no'>Dashboard</p>", "zh_CN") == ["Dashboard"]


ROLES_WITH_PAGES = [
    r for r in Role if r is not Role.SYSTEM and any(allowed(r, p) for i in NAV for p in i.permissions)
]


@pytest.mark.parametrize("role", ROLES_WITH_PAGES)
def test_every_page_a_role_opens_is_wholly_in_each_language(db: TestDatabase, role: Role) -> None:
    client = console(db, role)
    opened = 0
    for item in NAV:
        for lang in ("zh_CN", "en"):
            client.cookies.set("huikuan_lang", lang)
            page = client.get(item.path)
            if page.status_code == 403:
                continue
            assert page.status_code == 200, (item.path, page.status_code)
            assert untranslated(page.text, lang) == [], (item.path, lang)
            opened += 1
    assert opened >= 2  # the role opens at least one area, in both languages
