"""Training and held-out sentences: tab-separated files, one utterance a line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from huikuan.dialogue.nlu.types import Intent

DATA_DIR = Path(__file__).parent / "data"
LANGS = ("zh-CN", "en-US")


@dataclass(frozen=True, slots=True)
class Example:
    intent: Intent
    text: str
    amount: int | None = None  # minor units
    date: date | None = None


def read_examples(path: Path) -> list[Example]:
    """`intent<TAB>text[<TAB>amount in major units<TAB>YYYY-MM-DD]`; '#' lines are comments."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = [*line.split("\t"), "", ""]
        amount = int(Decimal(fields[2]) * 100) if fields[2] else None
        when = date.fromisoformat(fields[3]) if fields[3] else None
        examples.append(Example(Intent(fields[0]), fields[1], amount, when))
    return examples


def training_examples(lang: str) -> list[Example]:
    return read_examples(DATA_DIR / f"train.{lang}.tsv")


def split_dev(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Every fifth seed sentence of each intent is the dev split used for tuning."""
    seen: dict[Intent, int] = {}
    train: list[Example] = []
    dev: list[Example] = []
    for example in examples:
        n = seen.get(example.intent, 0)
        seen[example.intent] = n + 1
        (dev if n % 5 == 4 else train).append(example)
    return train, dev
