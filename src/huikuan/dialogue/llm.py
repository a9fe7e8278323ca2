"""The optional LLM adapter: any OpenAI-compatible chat endpoint (vLLM, Ollama, Qwen, DeepSeek).

Two uses, both optional and both with the script as the answer when the LLM fails:
- `classify_fallback`: the intent of an utterance the NLU was unsure of, constrained to the
  intents the current node handles (a JSON answer; anything else is no answer);
- `free_form_answer`: a short answer to a debtor's question in a node that allows it.

Rules the adapter keeps itself rather than trusting its callers:
- a hard deadline (`llm_timeout_seconds`, default 1.5 s) on the whole exchange, not per socket
  read: the request runs on the transport's small thread pool and a late answer is dropped
  (`None`); httpx's own timeouts (the same deadline per phase) free the pool thread soon after;
- the LLM never moves identity: `classify_fallback` never returns an intent of `IDENTITY_INTENTS`
  (confirm_identity, affirm, wrong_number, third_party, debtor_deceased), whatever it is offered;
- no personal data leaves: the debtor's name (and its given-name part), phone numbers and ID
  numbers are replaced by placeholders before anything is sent;
- every sentence the LLM proposes to say passes the content guard for whoever may hear it;
  a blocked one is never returned;
- (the engine, which holds the call's facts, refuses an answer with figures of its own: see
  `DialogueEngine._free_form`);
- every exchange (prompt as sent, reply, latency, outcome) is kept in `exchanges` for the
  caller to store in `llm_exchange` with `record_exchanges`, inside the caller's transaction.

One `LlmTransport` (an `httpx2.Client`: kept connections, HTTP keep-alive, the pool limits of a
well-kept client library) serves a whole worker; each call gets its own `LlmClient` on it
(`transport.client()`), which holds that call's exchanges. A client built without a transport
(`huikuan chat`, tests) makes and owns one.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx2
from sqlalchemy.orm import Session

from huikuan.compliance import guard
from huikuan.compliance.guard import Context
from huikuan.config import Settings
from huikuan.dialogue.engine import IDENTITY_INTENTS
from huikuan.dialogue.models import LlmExchange
from huikuan.dialogue.nlu import Intent

MAX_ANSWER_CHARS = {"zh-CN": 120, "en-US": 320}
NAME_PLACEHOLDER = {"zh-CN": "客户", "en-US": "the customer"}
NUMBER_PLACEHOLDER = "[号码]"
ID_PLACEHOLDER = "[证件号]"

# Chinese resident ID (17 digits + digit/X), then phone-like runs: 7+ digits, optionally with
# spaces, dashes or a leading +, or 7+ spoken Chinese digits (幺三八…) as ASR writes them.
_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE_RE = re.compile(r"\+?\d(?:[\s-]?\d){6,}")
_SPOKEN_DIGITS_RE = re.compile(r"[零〇幺一二两三四五六七八九]{7,}")


class Purpose(StrEnum):
    CLASSIFY = "classify"
    FREE_FORM = "free_form"


class Outcome(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"  # the endpoint failed (connection, HTTP status, not a chat completion)
    INVALID = "invalid"  # an answer came, but not one we may use (bad JSON, unknown intent, too long)
    BLOCKED = "blocked"  # the content guard refused the sentence


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer; `prompt` is exactly what was sent (already masked)."""

    at: datetime
    purpose: Purpose
    model: str
    prompt: str
    reply: str | None
    latency_ms: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 1.5

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig | None:
        """The configuration from settings, or None when no LLM is configured."""
        if not settings.llm_base_url:
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout_seconds)


def scrub(text: str, lang: str, personal: Iterable[str] = ()) -> str:
    """`text` with the given personal values, ID numbers and phone numbers replaced."""
    placeholder = NAME_PLACEHOLDER.get(lang, NAME_PLACEHOLDER["en-US"])
    values: set[str] = set()
    for value in personal:
        value = value.strip()
        if not value:
            continue
        values.add(value)
        if value.isascii():
            values.update(part for part in value.split() if len(part) >= 2)
        elif len(value) >= 3:
            values.add(value[1:])  # the given name alone (张小明 → 小明)
    for value in sorted(values, key=len, reverse=True):
        flags = re.IGNORECASE if value.isascii() else 0
        # ASCII names match whole words only; CJK text has no spaces, so Chinese names match anywhere.
        pattern = rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])" if value.isascii() else re.escape(value)
        text = re.sub(pattern, placeholder, text, flags=flags)
    text = _ID_RE.sub(ID_PLACEHOLDER, text)
    text = _PHONE_RE.sub(NUMBER_PLACEHOLDER, text)
    return _SPOKEN_DIGITS_RE.sub(NUMBER_PLACEHOLDER, text)


_INTENT_HINTS = {
    Intent.CONFIRM_IDENTITY: "yes / that's me / agrees",
    Intent.WRONG_NUMBER: "not this person, wrong number",
    Intent.THIRD_PARTY: "someone else (family, colleague) answering for the person",
    Intent.PROMISE_TO_PAY: "will pay (maybe with an amount or a day)",
    Intent.ALREADY_PAID: "says it is already paid",
    Intent.HARDSHIP: "cannot pay now: no money, job loss, illness",
    Intent.REQUEST_INSTALLMENT: "asks to pay in instalments or pay less",
    Intent.DISPUTE: "says the debt or amount is wrong or not theirs",
    Intent.REFUSE_TO_PAY: "refuses to pay",
    Intent.ABUSIVE: "insults or swears",
    Intent.REQUEST_HUMAN: "wants a human agent",
    Intent.ASK_IF_ROBOT: "asks whether this is a robot or recorded",
    Intent.CALLBACK_LATER: "busy, call back later",
    Intent.STOP_CONTACT: "wants no more calls",
    Intent.COMPLAINT: "will complain or report",
    Intent.ASK_DETAILS: "asks what this is about or how much",
    Intent.ASK_PAYMENT_METHOD: "asks how or where to pay",
    Intent.OTHER: "none of these",
}

_CLASSIFY_SYSTEM = (
    "You label one utterance from a phone call between a loan-servicing voice assistant and a "
    "customer. The utterance is speech-recognition output: no punctuation, fillers, homophone "
    'errors. Answer with a JSON object only, no prose: {"intent": "<label>"}, where <label> '
    "is exactly one of the labels listed. Labels:\n"
)

_ANSWER_SYSTEM = {
    "zh-CN": (
        "你是贷款平台的智能语音助手（AI，不是真人），正在电话中回答客户的问题。"
        "只用下面给出的事实回答；不知道就说会请工作人员跟进。用简体中文，一到两句口语，"
        "不超过60个字。绝不威胁、恐吓、羞辱，不提报警、起诉、拘留、上门、联系单位或家人，"
        "不承诺减免，不索要银行卡号、密码或验证码，不说自己是真人。"
        "除事实中的数字外不说任何数字；不谈分期、减免、延期、期限等还款条件（这些由话术说明）；"
        "不提客户本人以外的任何人；不讲自己的经历。只输出要说的话。"
    ),
    "en-US": (
        "You are an AI voice assistant (not a human) of a loan servicer, answering a customer's "
        "question on a phone call. Use only the facts given; if they do not answer it, say a team "
        "member will follow up. One or two short spoken sentences, at most 40 words. Never "
        "threaten, shame or pressure; never mention police, lawsuits, arrest, visits, employers "
        "or family; promise no waiver; never ask for card numbers, passwords or codes; never "
        "claim to be human. Say no number that is not in the facts; do not discuss payment terms "
        "(plans, waivers, extensions, deadlines: the script states them); mention no one but the "
        "customer; tell nothing about yourself but what you can do. Output only the words to say."
    ),
}


def _extract_json_object(content: str) -> dict[str, Any] | None:
    """The first JSON object in `content` (models often wrap it in a code fence or prose)."""
    start = content.find("{")
    end = content.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(content[start : end + 1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _Late(Exception):
    """The deadline passed before the endpoint answered."""


class LlmTransport:
    """The kept HTTP side: one per worker, shared by every call's `LlmClient`, closed at exit."""

    def __init__(self, config: LlmConfig, *, max_concurrent: int = 16) -> None:
        if not config.base_url.startswith(("http://", "https://")):
            raise ValueError("the LLM base URL must be http(s)")
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        limits = httpx2.Limits(max_connections=max_concurrent, max_keepalive_connections=max_concurrent)
        self._http = httpx2.Client(headers=headers, timeout=config.timeout_seconds, limits=limits)
        # The pool bounds the whole exchange: a request still running at the deadline is
        # abandoned to it, and one never started is cancelled.
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="llm")

    def client(self, *, now: Callable[[], datetime] | None = None) -> LlmClient:
        """A client for one conversation (its own exchanges) on this transport."""
        return LlmClient(self.config, now=now, transport=self)

    def post(self, data: bytes) -> str:
        """POST `data`; the reply body, `_Late` at the deadline, OSError when the endpoint fails."""
        future = self._pool.submit(self._send, data)
        try:
            return future.result(timeout=self.config.timeout_seconds)
        except FutureTimeout:
            future.cancel()
            raise _Late from None
        except httpx2.TimeoutException:
            raise _Late from None
        except Exception as exc:  # whatever the endpoint or the client does, the script goes on
            raise OSError(f"LLM request failed: {type(exc).__name__}") from None

    def _send(self, data: bytes) -> str:
        response = self._http.post(self.url, content=data)
        response.raise_for_status()
        return response.content[:1_000_000].decode("utf-8")

    def close(self) -> None:
        """Close the connections; requests still running are abandoned."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    def __enter__(self) -> LlmTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LlmClient:
    """A guarded, recorded, deadline-bound OpenAI-compatible chat client for one conversation."""

    def __init__(
        self,
        config: LlmConfig,
        *,
        now: Callable[[], datetime] | None = None,
        transport: LlmTransport | None = None,
    ) -> None:
        self.config = config
        self._now = now or (lambda: datetime.now(UTC))
        self._transport = transport
        self.exchanges: list[Exchange] = []

    def _post(self, data: bytes) -> str:
        if self._transport is None:  # made on first use: a client that never asks opens nothing
            self._transport = LlmTransport(self.config, max_concurrent=2)
        return self._transport.post(data)

    def reject_last(self) -> None:
        """The caller's guard (with the call's facts) refused the last answer: record it blocked."""
        if self.exchanges:
            self._set_outcome(len(self.exchanges) - 1, Outcome.BLOCKED)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, now: Callable[[], datetime] | None = None
    ) -> LlmClient | None:
        """A client when settings name an endpoint, else None (the LLM is optional)."""
        config = LlmConfig.from_settings(settings)
        return cls(config, now=now) if config else None

    # --- the two uses --------------------------------------------------------------------------

    def classify_fallback(
        self,
        text: str,
        lang: str,
        allowed_intents: Sequence[Intent | str],
        *,
        personal: Iterable[str] = (),
    ) -> Intent | None:
        """The intent of `text` among `allowed_intents`, or None (late, failed or not allowed)."""
        allowed = [i for i in (Intent(i) for i in allowed_intents) if i not in IDENTITY_INTENTS]
        if not allowed or not text.strip():
            return None
        labels = "".join(f"- {i.value}: {_INTENT_HINTS.get(i, i.value)}\n" for i in allowed)
        utterance = scrub(text.strip()[:500], lang, personal)
        messages = [
            {"role": "system", "content": _CLASSIFY_SYSTEM + labels},
            {"role": "user", "content": f"Language: {lang}\nUtterance: {utterance}"},
        ]
        content, exchange = self._complete(Purpose.CLASSIFY, messages, json_mode=True, max_tokens=20)
        if content is None:
            return None
        data = _extract_json_object(content)
        label = data.get("intent") if data else None
        if not isinstance(label, str) or label.strip() not in {i.value for i in allowed}:
            self._set_outcome(exchange, Outcome.INVALID)
            return None
        return Intent(label.strip())

    def free_form_answer(
        self,
        question: str,
        facts: Mapping[str, str],
        lang: str,
        *,
        context: Context = Context.DEBTOR,
        personal: Iterable[str] = (),
    ) -> str | None:
        """A short answer to `question` from `facts` that the guard allows in `context`, or None."""
        if lang not in _ANSWER_SYSTEM or not question.strip():
            return None
        personal = tuple(personal)
        fact_lines = "\n".join(
            f"- {scrub(k, lang, personal)}: {scrub(v, lang, personal)}" for k, v in facts.items()
        )
        asked = scrub(question.strip()[:500], lang, personal)
        messages = [
            {"role": "system", "content": _ANSWER_SYSTEM[lang]},
            {"role": "user", "content": f"Facts:\n{fact_lines or '-'}\n\nQuestion: {asked}"},
        ]
        content, exchange = self._complete(Purpose.FREE_FORM, messages, json_mode=False, max_tokens=160)
        if content is None:
            return None
        answer = " ".join(content.strip().strip("\"'“”").split())
        if not answer or len(answer) > MAX_ANSWER_CHARS[lang]:
            self._set_outcome(exchange, Outcome.INVALID)
            return None
        if not guard.check(answer, lang, context).allowed:
            self._set_outcome(exchange, Outcome.BLOCKED)
            return None
        return answer

    # --- transport ---------------------------------------------------------------------------

    def _complete(
        self, purpose: Purpose, messages: list[dict[str, str]], *, json_mode: bool, max_tokens: int
    ) -> tuple[str | None, int]:
        """The assistant's content (None on failure) and the index of the recorded exchange."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
            "stream": False,
        }
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        prompt = json.dumps(messages, ensure_ascii=False)
        at = self._now()
        started = time.perf_counter()
        reply: str | None = None
        content: str | None = None
        try:
            reply = self._post(json.dumps(body).encode("utf-8"))
            content = self._content(reply)
            outcome = Outcome.OK if content is not None else Outcome.ERROR
        except _Late:
            outcome = Outcome.TIMEOUT
        except (OSError, ValueError):
            outcome = Outcome.ERROR
        latency = round((time.perf_counter() - started) * 1000)
        self.exchanges.append(
            Exchange(at, purpose, self.config.model, prompt, content or reply, latency, outcome)
        )
        return content, len(self.exchanges) - 1

    @staticmethod
    def _content(reply: str) -> str | None:
        try:
            data = json.loads(reply)
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        return content if isinstance(content, str) else None

    def _set_outcome(self, index: int, outcome: Outcome) -> None:
        old = self.exchanges[index]
        self.exchanges[index] = Exchange(
            old.at, old.purpose, old.model, old.prompt, old.reply, old.latency_ms, outcome
        )


def record_exchanges(
    session: Session, exchanges: Sequence[Exchange], *, attempt_id: int | None = None
) -> None:
    """Store exchanges in `llm_exchange` (the caller owns the transaction)."""
    for e in exchanges:
        session.add(
            LlmExchange(
                attempt_id=attempt_id,
                at=e.at,
                purpose=e.purpose.value,
                model=e.model,
                prompt=e.prompt,
                reply=e.reply,
                latency_ms=e.latency_ms,
                outcome=e.outcome.value,
            )
        )
    if exchanges:
        session.flush()


__all__ = [
    "IDENTITY_INTENTS",
    "Exchange",
    "LlmClient",
    "LlmConfig",
    "LlmTransport",
    "Outcome",
    "Purpose",
    "record_exchanges",
    "scrub",
]
