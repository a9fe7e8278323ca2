"""What a script's reader sees: lint lines, the sample-debtor preview, the shown status, the diff."""

from __future__ import annotations

from datetime import UTC, date, datetime

import yaml

from huikuan.dialogue import review, versions
from huikuan.dialogue.versions import VersionInfo, VersionStatus

ZH = versions.builtin_contents()["reminder.zh-CN"]
TODAY = date(2026, 3, 10)


def _info(status: VersionStatus, reason: str | None = None, version: int = 1) -> VersionInfo:
    at = datetime(2026, 3, 10, tzinfo=UTC)
    return VersionInfo(1, "reminder.zh-CN", version, status, 1, None, at, None, None, None, reason, ZH)


def test_a_yaml_error_keeps_its_line() -> None:
    report = review.lint_text("id: a\nnodes:\n  greet:\n    say: [x\n  b: c\n", TODAY)
    assert report.problem is not None
    assert report.problem.line == 5
    assert "YAML" in report.problem.message
    assert not report.clean


def test_a_structure_error_has_no_line_but_a_reason() -> None:
    report = review.lint_text("id: a\nlang: zh-CN\n", TODAY)
    assert report.problem is not None
    assert report.problem.line is None
    assert "missing the field version" in report.problem.message


def test_a_finding_points_at_the_line_of_its_node() -> None:
    data = yaml.safe_load(ZH)
    data["nodes"]["details"]["say"] = "不还钱就去你单位找你，让你同事都知道。"
    content = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    report = review.lint_text(content, TODAY)
    found = [f for f in report.findings if f.finding.node == "details"]
    assert found
    expected = content.splitlines().index("  details:") + 1
    assert {f.line for f in found} == {expected}


def test_the_preview_is_the_sample_debtor_with_every_slot_filled() -> None:
    report = review.lint_text(ZH, TODAY)
    assert report.clean
    assert report.code == "reminder.zh-CN"
    remind = next(p for p in report.preview if (p.node, p.part) == ("remind", "say#1"))
    assert "张三" in remind.text
    assert "3500元" in remind.text
    assert "2月18日" in remind.text  # twenty days before today, as `huikuan chat` has it
    assert not any(p.broken for p in report.preview)


def test_a_rejected_draft_is_shown_as_rejected() -> None:
    assert review.shown_status(_info(VersionStatus.DRAFT)) == "draft"
    assert review.shown_status(_info(VersionStatus.DRAFT, "太生硬")) == "rejected"
    assert review.shown_status(_info(VersionStatus.APPROVED)) == "approved"


def test_the_diff_marks_the_changed_line_only() -> None:
    rows = review.diff_rows("a\nb\nc\nd\n", "a\nB\nc\nd\n")
    assert [(r.kind, r.old_line, r.new_line, r.text) for r in rows if r.kind != "same"] == [
        ("removed", 2, None, "b"),
        ("added", None, 2, "B"),
    ]
    assert review.diff_rows("a\n", "a\n") == []


def test_the_other_language_and_the_previous_version() -> None:
    assert review.sibling_code("reminder.zh-CN") == "reminder.en-US"
    assert review.sibling_code("reminder.en-US") == "reminder.zh-CN"
    v1, v2, v3 = (_info(VersionStatus.DRAFT, version=n) for n in (1, 2, 3))
    assert review.previous_version([v1, v2, v3], v3) == v2
    assert review.previous_version([v1, v2, v3], v1) is None


def test_a_structure_error_about_a_node_points_at_that_node() -> None:
    broken = ZH.replace("      confirm_identity: remind\n", "      confirm_identity: remindd\n", 1)
    report = review.lint_text(broken, TODAY)
    assert report.problem is not None
    assert "missing node remindd" in report.problem.message
    assert report.problem.line == broken.splitlines().index("  greet:") + 1
