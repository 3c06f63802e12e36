"""Pair rules of the GS1 Barcode Syntax Dictionary: which AIs an AI requires and which it excludes.

The dictionary ships as ``labels/data/gs1-syntax-dictionary.txt`` (GS1's release 2026-01-27,
Apache 2.0). Its ``req=`` and ``ex=`` attributes are evaluated over every GS1 element on one
label together, as the dictionary says they must be ("over the combined data received from all
GS1 carriers marking a physical item").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from labels.errors import LabelError

DICTIONARY = Path(__file__).with_name("data") / "gs1-syntax-dictionary.txt"

_ENTRY = re.compile(r"^(\d{2,4})(?:-(\d{2,4}))?\s")


@dataclass(frozen=True, slots=True)
class Rules:
    """The pair rules of one AI: every `requires` entry needs one of its groups; no `excludes` may be present."""

    #: One tuple per ``req=`` key; each holds alternatives, each alternative AIs or patterns that must all appear.
    requires: tuple[tuple[tuple[str, ...], ...], ...]
    excludes: tuple[str, ...]


@lru_cache(maxsize=None)
def dictionary() -> dict[str, Rules]:
    """AI -> its pair rules, for every AI of the dictionary (ranges expanded)."""
    out: dict[str, Rules] = {}
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        match = _ENTRY.match(line)
        if match is None:
            continue
        attributes = line.split("#", 1)[0].split()
        requires = tuple(
            tuple(tuple(group.split("+")) for group in a[4:].split(",")) for a in attributes if a.startswith("req=")
        )
        excludes = tuple(p for a in attributes if a.startswith("ex=") for p in a[3:].split(","))
        first, last = match.group(1), match.group(2) or match.group(1)
        for number in range(int(first), int(last) + 1):
            out[str(number).zfill(len(first))] = Rules(requires, excludes)
    return out


def _matches(pattern: str, ai: str) -> bool:
    # "n" in a pattern stands for any digit: 310n is 3100 to 3109.
    return len(pattern) == len(ai) and all(p == "n" or p == a for p, a in zip(pattern, ai))


def check(ais: list[tuple[str, str]]) -> None:
    """Refuse a label's GS1 elements, given as (AI, field) pairs, that break a requires or excludes rule."""
    return _check(tuple(ais))


@lru_cache(maxsize=1024)
def _check(ais: tuple[tuple[str, str], ...]) -> None:
    present = [ai for ai, _ in ais]
    rules = dictionary()
    for ai, field in ais:
        rule = rules.get(ai)
        if rule is None:
            raise LabelError(field, f"({ai}) is not in the GS1 syntax dictionary")
        for other in present:
            # An AI never excludes itself, even when one of its patterns matches it.
            if other != ai and any(_matches(p, other) for p in rule.excludes):
                raise LabelError(field, f"({ai}) cannot be used together with ({other}) (GS1 syntax dictionary)")
        for alternatives in rule.requires:
            if not any(all(any(_matches(p, o) for o in present) for p in group) for group in alternatives):
                wanted = " or ".join("+".join(f"({p})" for p in group) for group in alternatives)
                raise LabelError(field, f"({ai}) requires {wanted} on the same label (GS1 syntax dictionary)")
