"""Carry number changes from the query into a stored translation, or flag them.

A query that differs from the stored source only in numbers ("2024" for "2023",
"12-nji" for "30-njy") is a high match; its translation then holds the old numbers.
Each changed number is replaced in the target when the mapping is unambiguous: the
old value occurs once in the stored source, once in the target, and maps to one new
value. What follows a patched number is re-inflected for it where the language needs that
(Turkmen suffixes, English ordinals; a Russian noun is flagged). Anything else is flagged and the
target is left as stored.
"""

from __future__ import annotations

import re
from collections import Counter

from tm.lookup.inflect import inflect_after

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")


def numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


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
    changes = {(o, n) for o, n in zip(old, new, strict=True) if o != n}
    in_source, in_target = Counter(old), Counter(numbers(target))
    patchable, flags = {}, []
    for o, n in sorted(changes):
        if in_source[o] == 1 and in_target[o] == 1:
            patchable[o] = n
            flags.append(f"auto-patched {o} -> {n}")
        else:
            flags.append(f"number mismatch {o} -> {n}: not patched (check the target)")
    return _put_in(target, patchable, target_lang, flags), flags


def _put_in(target: str, patchable: dict[str, str], lang: str | None, flags: list[str]) -> str:
    """`target` with each old number replaced by its new one, right to left so that the offsets
    of the numbers not yet replaced stay valid."""
    for match in reversed(list(_NUMBER.finditer(target))):
        old = match.group(0)
        if old in patchable:
            new = patchable[old]
            target = target[: match.start()] + new + target[match.end() :]
            target, _, inflected = inflect_after(target, match.start() + len(new), old, new, lang or "")
            flags += inflected
    return target
