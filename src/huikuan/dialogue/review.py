"""What a person writing or reviewing a script version (话术) sees: the lint with the line of each
finding, the script's lines rendered for a sample debtor, the status as the floor names it, and
the change against the previous version.

The lint itself and the approval policy are `dialogue.approval`; storing versions is
`dialogue.versions`. This module only arranges their answers for a reader: a YAML error keeps
its line, a finding points at the line of its node, a preview fills the slots with a fictitious
debtor (`chat.sample_debtor`, the one `huikuan chat` talks to).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import yaml

from huikuan.dialogue import approval, versions
from huikuan.dialogue.chat import sample_debtor
from huikuan.dialogue.render import money, render, spoken_date
from huikuan.dialogue.script import Script
from huikuan.dialogue.versions import VersionInfo, VersionStatus
from huikuan.errors import InvalidInput

# A draft sent back by an officer keeps status `draft` with the reason; the floor calls it rejected.
REJECTED = "rejected"
SHOWN_STATUSES = ("draft", "submitted", "approved", REJECTED, "retired")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a text is not a script at all (bilingual), and the line when YAML knows it."""

    message: str
    line: int | None


@dataclass(frozen=True, slots=True)
class LintLine:
    """One lint finding with the line of its node in the YAML (None when not found)."""

    finding: approval.Finding
    line: int | None


@dataclass(frozen=True, slots=True)
class PreviewLine:
    node: str
    part: str
    text: str
    broken: bool = False  # a slot with no value: shown as written


@dataclass(frozen=True, slots=True)
class LintReport:
    problem: Problem | None
    findings: tuple[LintLine, ...]
    code: str | None
    lang: str | None
    preview: tuple[PreviewLine, ...]

    @property
    def clean(self) -> bool:
        return self.problem is None and not self.findings


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: str  # "same" | "added" | "removed" | "gap"
    old_line: int | None
    new_line: int | None
    text: str


def shown_status(info: VersionInfo) -> str:
    """draft / submitted / approved / rejected / retired."""
    if info.status == VersionStatus.DRAFT and info.rejected_reason:
        return REJECTED
    return info.status.value


def lint_text(content: str, today: date) -> LintReport:
    """The lint of a script's YAML as typed: the parse problem with its line, or every finding
    with the line of its node, and the preview for a sample debtor."""
    try:
        script = versions.parse_content(content)
    except InvalidInput as exc:
        return LintReport(Problem(exc.message, _problem_line(content, exc.message)), (), None, None, ())
    lines = _node_lines(content)
    findings = tuple(LintLine(f, lines.get(f.node)) for f in approval.lint_script(script))
    return LintReport(None, findings, versions.code_of(script), script.lang, preview(script, today))


def sample_slots(lang: str, today: date) -> dict[str, str]:
    """The slots of the sample debtor `huikuan chat` calls, with the lint's samples for the rest."""
    debtor = sample_debtor(lang, today)
    slots = dict(approval.SAMPLE_SLOTS.get(lang, approval.SAMPLE_SLOTS["zh-CN"]))
    slots.update(
        name=debtor.name,
        platform=debtor.platform,
        amount=money(debtor.amount_fen, lang),
        due_date=spoken_date(debtor.due_date, lang),
    )
    return slots


def preview(script: Script, today: date) -> tuple[PreviewLine, ...]:
    """Every sentence of the script as the sample debtor would hear it, in script order."""
    slots = sample_slots(script.lang, today)
    out: list[PreviewLine] = []
    for node in script.nodes.values():
        parts = [(f"say#{i}", t) for i, t in enumerate(node.say, start=1)]
        parts += [("reask", node.reask)] if node.reask else []
        out.extend(_rendered(node.id, part, template, slots) for part, template in parts)
    out.extend(_rendered(f"lines.{key}", "", template, slots) for key, template in script.lines.items())
    return tuple(out)


def preview_content(content: str, today: date) -> tuple[PreviewLine, ...]:
    """The preview of a stored version (empty when it no longer parses)."""
    try:
        return preview(versions.parse_content(content), today)
    except InvalidInput:
        return ()


def _rendered(node: str, part: str, template: str, slots: dict[str, str]) -> PreviewLine:
    try:
        return PreviewLine(node, part, render(template, slots))
    except (KeyError, IndexError, ValueError):
        return PreviewLine(node, part, template, broken=True)


def previous_version(history: Sequence[VersionInfo], info: VersionInfo) -> VersionInfo | None:
    """The version of the same script just before `info` (history: one script's versions)."""
    earlier = [v for v in history if v.code == info.code and v.version < info.version]
    return max(earlier, key=lambda v: v.version) if earlier else None


def sibling_code(code: str) -> str | None:
    """The same script in the other supported language (`reminder.zh-CN` → `reminder.en-US`)."""
    script_id, _, lang = code.rpartition(".")
    others = [other for other in versions.SUPPORTED_LANGS if other != lang]
    return f"{script_id}.{others[0]}" if script_id and others else None


def diff_rows(old: str, new: str, context: int = 3) -> list[DiffRow]:
    """The lines added and removed from `old` to `new`, with `context` unchanged lines around."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for group in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append(DiffRow("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffRow("same", i + 1, j1 + k + 1, a[i]) for k, i in enumerate(range(i1, i2))]
                continue
            rows += [DiffRow("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            rows += [DiffRow("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return rows


# A structure error names the node at fault ("node remind leads to missing node x").
_NAMED_NODE = re.compile(r"\bnode (\S+?)[:,]? ")


def _problem_line(content: str, message: str) -> int | None:
    """The line YAML reports, or the line of the node a structure error names."""
    line = _yaml_error_line(content)
    if line is not None:
        return line
    named = _NAMED_NODE.search(message)
    return _node_lines(content).get(named.group(1)) if named else None


def _yaml_error_line(content: str) -> int | None:
    try:
        yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        return None if mark is None else int(mark.line) + 1
    return None


def _node_lines(content: str) -> dict[str, int]:
    """Line (1-based) of each node id and each `lines.<key>` in the YAML text."""
    try:
        root = yaml.compose(content, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    out: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if key.value in ("nodes", "lines") and isinstance(value, yaml.MappingNode):
            prefix = "" if key.value == "nodes" else "lines."
            for child, _ in value.value:
                out[f"{prefix}{child.value}"] = child.start_mark.line + 1
    return out
