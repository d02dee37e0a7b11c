"""Carry number changes from the query into a stored translation, or flag them.

A query that differs from the stored source only in numbers ("2024" for "2023",
"12-nji" for "30-njy") is a high match; its translation then holds the old numbers.
Each changed number is replaced in the target when the mapping is unambiguous: every
occurrence of the old value in the stored source maps to the same new value, and the
target holds the old value as often as the source (a year named twice is patched twice).
A date written with dots ("12.02.2024") counts as its day, month and year, so a year
patched in a headline's "2024" is patched in the target's "12.02.2024" too. What follows
a patched number is re-inflected for it where the language needs that (Turkmen suffixes,
English ordinals; a Russian noun is flagged). Anything else is flagged and the target is
left as stored.
"""

from __future__ import annotations

import re
from collections import Counter

from tm.lookup.inflect import inflect_after

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_DOTTED_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
_PART = re.compile(r"\d+")


def numbers(text: str) -> list[str]:
    """The numbers of `text` in order; a dotted date gives its day, month and year."""
    return [value for match in _NUMBER.finditer(text) for value, _ in _parts(match)]


def _parts(match: re.Match) -> list[tuple[str, int]]:
    """A number as (value, start offset) pieces: the number itself, or a dotted date's parts."""
    if _DOTTED_DATE.fullmatch(match.group(0)):
        return [(part.group(0), match.start() + part.start()) for part in _PART.finditer(match.group(0))]
    return [(match.group(0), match.start())]


def patch_numbers(query: str, source: str, target: str, target_lang: str | None = None) -> tuple[str, list[str]]:
    """The target with the query's numbers put in, and what follows each re-inflected for it in
    `target_lang` (tm.lookup.inflect), with one flag per change made or refused."""
    new, old = numbers(query), numbers(source)
    if new == old:
        return target, []
    if len(new) != len(old):
        return target, [
            f"numbers differ ({' '.join(old) or 'none'} stored, {' '.join(new) or 'none'} asked); not patched"
        ]
    becomes: dict[str, set[str]] = {}
    for o, n in zip(old, new, strict=True):
        becomes.setdefault(o, set()).add(n)
    in_source, in_target = Counter(old), Counter(numbers(target))
    patchable, flags = {}, []
    for o, n in sorted((o, n) for o, values in becomes.items() for n in values if n != o):
        if len(becomes[o]) == 1 and in_target[o] == in_source[o]:
            patchable[o] = n
            times = f" ({in_source[o]} times)" if in_source[o] > 1 else ""
            flags.append(f"auto-patched {o} -> {n}{times}")
        else:
            flags.append(f"number mismatch {o} -> {n}: not patched (check the target)")
    return _put_in(target, patchable, target_lang, flags), flags


def _put_in(target: str, patchable: dict[str, str], lang: str | None, flags: list[str]) -> str:
    """`target` with each old number replaced by its new one, right to left so that the offsets
    of the numbers not yet replaced stay valid."""
    pieces = [piece for match in _NUMBER.finditer(target) for piece in _parts(match)]
    for old, start in reversed(pieces):
        if old in patchable:
            new = patchable[old]
            target = target[:start] + new + target[start + len(old) :]
            target, _, inflected = inflect_after(target, start + len(new), old, new, lang or "")
            flags += inflected
    return target
