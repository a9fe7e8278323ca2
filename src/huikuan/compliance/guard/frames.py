"""The intent-frame engine: concepts found in a sentence, frames that combine them into a category.

A *concept* is a named set of regular-expression alternatives over normalised text (an actor such
as "your employer", an action such as "arrest", a modality such as "if you do not pay"). A concept
can be *negatable*: a hit is ignored when the words just before it negate it in the same clause
("we will not contact your employer", "我们不会上门"), but not when the negation belongs to a
condition ("if you do not pay we will…", "不还就…"), which is what the language's `negated`
callback decides. A *frame* fires when all its required concepts are present, none of its veto
concepts is, the context is one it applies to, and no category in `yields_to` already fired.
Frames carry ids so every verdict can be explained.

Hand-written on purpose: no library classifies Chinese and English debt-collection talk against
this policy, no model weights can ship with the product, and a compliance officer must be able to
read why a sentence was blocked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from huikuan.compliance.guard.types import Category, Context


@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    patterns: tuple[str, ...]
    negatable: bool = False
    # Words right after a hit that disown it ("“黑名单” 并不存在", "blacklist does not exist").
    disowned_by: str | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    category: Category
    requires: tuple[str, ...]
    vetoes: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()  # fires only when these concepts are missing (disclosures)
    contexts: frozenset[Context] | None = None  # None: every context
    yields_to: tuple[Category, ...] = ()  # skipped when one of these categories already fired


NegationTest = Callable[[str, int], bool]


@dataclass(slots=True)
class _Compiled:
    concept: Concept
    regex: re.Pattern[str]
    disowned: re.Pattern[str] | None


@dataclass(slots=True)
class FrameSet:
    """One language's concepts and frames, compiled once."""

    concepts: Iterable[Concept]
    frames: tuple[Frame, ...]
    negated: NegationTest
    _compiled: list[_Compiled] = field(init=False)

    def __post_init__(self) -> None:
        self._compiled = [
            _Compiled(
                c,
                re.compile("|".join(f"(?:{p})" for p in c.patterns)),
                re.compile(c.disowned_by) if c.disowned_by else None,
            )
            for c in self.concepts
        ]
        known = {c.concept.name for c in self._compiled}
        for frame in self.frames:
            missing = (set(frame.requires) | set(frame.vetoes) | set(frame.absent)) - known
            if missing:
                raise ValueError(f"frame {frame.id} names unknown concepts {sorted(missing)}")

    def present(self, text: str) -> frozenset[str]:
        """Names of the concepts with at least one hit that is neither negated nor disowned."""
        found: set[str] = set()
        for item in self._compiled:
            for match in item.regex.finditer(text):
                if item.concept.negatable and self.negated(text, match.start()):
                    continue
                if item.disowned is not None and item.disowned.match(text, match.end()):
                    continue
                found.add(item.concept.name)
                break
        return frozenset(found)

    def fire(self, text: str, context: Context) -> list[Frame]:
        """Frames that fire on `text` in `context`, in declaration order."""
        concepts = self.present(text)
        fired: list[Frame] = []
        categories: set[Category] = set()
        for frame in self.frames:
            if frame.contexts is not None and context not in frame.contexts:
                continue
            if any(c in categories for c in frame.yields_to):
                continue
            if not all(r in concepts for r in frame.requires):
                continue
            if any(v in concepts for v in frame.vetoes) or any(a in concepts for a in frame.absent):
                continue
            fired.append(frame)
            categories.add(frame.category)
        return fired
