"""How intelligible a Chinese voice is: Whisper base transcribes it, we count character errors.

An independent recogniser (Whisper base, `whisper_model`) listens to a line rendered at the
phone rate (8 kHz, upsampled to the 16 kHz Whisper takes) and the character error rate (CER)
compares what it heard with what was meant. Both sides are normalised first: punctuation and
Latin letters dropped, traditional characters made simplified (Whisper often writes
traditional), numbers written as Chinese numerals (Whisper writes 3500 for 三千五百), 幺 as 一.

Used by `bench/tts_intelligibility.py` and the slow test of the default Mandarin voice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from huikuan.voice.audio import SAMPLE_RATE, Pcm, resample
from huikuan.voice.mandarin import digits, normalise, number
from huikuan.voice.whisper_asr import simplified

WHISPER_RATE = 16000
# A sample debtor for filling script slots: no real person.
SAMPLE_SLOTS = {
    "name": "王芳",
    "platform": "安心借",
    "amount": "3500",
    "due_date": "12月1日",
    "promise_amount": "1000",
    "promise_date": "12月5日",
    "callback_time": "12月3日下午3点",
    "callback_number": "4008001234",
    "agent_name": "李明",
    "plan": "分6期，首期600元，之后每月580元",
}
TEXT_FIELDS = ("say", "reask", "safe")
_SLOT = re.compile(r"\{([a-z_]+)\}")
_KEEP = re.compile(r"[\u4e00-\u9fff0-9]")


@dataclass(frozen=True, slots=True)
class ScriptLine:
    script: str  # e.g. "reminder"
    key: str  # "nodes.greet.say.0", "lines.reprompt"
    text: str  # slots filled from SAMPLE_SLOTS


def _texts(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield "", value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield f".{i}", item


def fill(template: str) -> str:
    """A script template with its slots filled from the sample debtor."""
    return _SLOT.sub(lambda m: SAMPLE_SLOTS[m.group(1)], template)


def script_lines(lang: str = "zh-CN") -> list[ScriptLine]:
    """Every spoken text of every shipped script in `lang` (`say`, `reask`, `safe`, `lines`), filled."""
    import yaml

    folder = resources.files("huikuan") / "dialogue" / "scripts"
    out: list[ScriptLine] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(f".{lang}.yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        name = entry.name.split(".")[0]
        for key, text in (data.get("lines") or {}).items():
            for suffix, t in _texts(text):
                out.append(ScriptLine(name, f"lines.{key}{suffix}", fill(t)))
        for node_id, node in (data.get("nodes") or {}).items():
            for field in TEXT_FIELDS:
                for suffix, t in _texts(node.get(field)):
                    out.append(ScriptLine(name, f"nodes.{node_id}.{field}{suffix}", fill(t)))
    return out


def _numbers_said(text: str) -> str:
    """Arabic numbers as Chinese numerals: long runs digit by digit (a phone), others as numbers."""
    text = re.sub(r"(?<=\d)[ ,-](?=\d)", "", text)
    return re.sub(
        r"\d+(?:\.\d+)?",
        lambda m: digits(m.group(0), one="一") if len(m.group(0)) >= 7 else number(m.group(0)),
        text,
    )


def canonical(text: str) -> str:
    """Chinese characters only, simplified, numbers in Chinese numerals, 幺 as 一, 两 as 二."""
    text = _numbers_said(simplified(text))
    return "".join(_KEEP.findall(text)).replace("幺", "一").replace("两", "二")


def reference(text: str) -> str:
    """What the line means to say, canonical: the same normalisation the Mandarin voice applies."""
    return canonical(normalise(text))


def cer(ref: Sequence[str], hyp: Sequence[str]) -> float:
    """Character error rate: edits (substitutions, deletions, insertions) over the reference length.

    Also a syllable error rate when given lists of syllables.
    """
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)


def transcribe(model: Any, pcm: Pcm, language: str = "zh") -> str:
    """Whisper's text for 8 kHz speech (upsampled to 16 kHz): beam 5, no prompt, no sampling.

    One temperature (0) and a token cap: unintelligible audio makes Whisper repeat itself, and
    the temperature fallback would then decode it six times over for no better answer.
    """
    audio = resample(pcm, SAMPLE_RATE, WHISPER_RATE).astype(np.float32) / 32768.0
    segments, _ = model.transcribe(
        audio,
        language=language,
        beam_size=5,
        temperature=0.0,
        condition_on_previous_text=False,
        without_timestamps=True,
        max_new_tokens=160,
    )
    return "".join(segment.text for segment in segments)
