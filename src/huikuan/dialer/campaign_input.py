"""A new campaign from what a person typed: `huikuan campaign create`, the console's form and
`POST /api/campaigns` all go through `campaign_spec`, so each refuses exactly the same input with
exactly the same reason, and every refusal names its field (`FieldRefused.field`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from huikuan.dialer.campaigns import CallerId, CampaignCreate, CampaignMode, FieldRefused

# The fields of the form, in the order a supervisor fills them in.
FIELDS = (
    "name",
    "jurisdiction",
    "mode",
    "batch_id",
    "creditor_id",
    "buckets",
    "dpd_min",
    "dpd_max",
    "script_name",
    "lang",
    "robots",
    "priority",
    "window_start",
    "window_end",
    "caller_ids",
    "callback_number",
    "contact_name",
    "retry",
)


@dataclass(frozen=True)
class CampaignText:
    """A new campaign as typed: numbers already numbers (the CLI's options, the API's JSON) or
    still text (the form's fields, read by `whole_number`)."""

    name: str
    jurisdiction: str = "CN"
    mode: str = "robot"
    batch_id: int | None = None
    creditor_id: int | None = None
    buckets: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    dpd_min: int | None = None
    dpd_max: int | None = None
    script_name: str | None = None
    lang: str = "zh-CN"
    voice: str | None = None
    robots: int = 1
    priority: int = 0
    window_start: str = ""  # HH:MM; empty: the rule pack's
    window_end: str = ""
    caller_ids: tuple[str, ...] = ()  # NUMBER:DAILY_LIMIT each
    callback_number: str = ""
    contact_name: str = ""
    retry: str | dict[str, Any] = field(default_factory=dict)  # a JSON object, or its text
    robot_overflow: bool = True
    amd: bool = True


def clock_time(text: str, name: str) -> time | None:
    """HH:MM (or HH:MM:SS); empty: not given."""
    if not text.strip():
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError as exc:
        raise FieldRefused(name, "时间须为 HH:MM / a time of day must be HH:MM") from exc


def caller_ids(values: Iterable[str]) -> tuple[CallerId, ...]:
    """NUMBER:DAILY_LIMIT for each of the operator's caller IDs."""
    out = []
    for value in values:
        number, _, limit = value.strip().partition(":")
        if not number or not limit.isdigit() or len(limit) > 9:
            raise FieldRefused(
                "caller_ids", "主叫号码须为 号码:每日上限 / a caller ID must be NUMBER:DAILY_LIMIT"
            )
        out.append(CallerId(number.strip(), int(limit)))
    return tuple(out)


def retry_settings(value: str | dict[str, Any]) -> dict[str, Any]:
    """A JSON object of retry settings (checked by `RetryConfig` when the campaign is created)."""
    if isinstance(value, dict):
        return value
    if not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise FieldRefused("retry", "重试参数须为 JSON 对象 / retry settings must be a JSON object") from exc
    if not isinstance(parsed, dict):
        raise FieldRefused("retry", "重试参数须为 JSON 对象 / retry settings must be a JSON object")
    return parsed


def campaign_mode(value: str) -> CampaignMode:
    try:
        return CampaignMode(value)
    except ValueError:
        raise FieldRefused(
            "mode",
            "模式须为 robot、predictive 或 progressive / mode must be robot, predictive or progressive",
        ) from None


def whole_number(text: str, name: str) -> int | None:
    """A form's number field: empty is "not given"."""
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise FieldRefused(name, "须为整数 / must be a whole number") from None


def campaign_spec(text: CampaignText) -> CampaignCreate:
    """The campaign to create; `create_campaign` then checks it against the rule pack and the
    portfolio."""
    return CampaignCreate(
        name=text.name,
        jurisdiction=text.jurisdiction,
        batch_id=text.batch_id,
        creditor_id=text.creditor_id,
        buckets=tuple(b.strip() for b in text.buckets if b.strip()),
        segments=tuple(s.strip() for s in text.segments if s.strip()),
        dpd_min=text.dpd_min,
        dpd_max=text.dpd_max,
        script_name=text.script_name or None,
        lang=text.lang,
        voice=text.voice or None,
        callback_number=text.callback_number,
        contact_name=text.contact_name,
        robots=text.robots,
        priority=text.priority,
        window_start=clock_time(text.window_start, "window_start"),
        window_end=clock_time(text.window_end, "window_end"),
        caller_ids=caller_ids(text.caller_ids),
        retry=retry_settings(text.retry),
        mode=campaign_mode(text.mode),
        robot_overflow=text.robot_overflow,
        amd=text.amd,
    )
