"""Carry number changes from the query into a stored translation, or flag them.

A query that differs from the stored source only in numbers ("2024" for "2023",
"12-nji" for "30-njy") is a high match; its translation then holds the old numbers.
Each changed number is replaced in the target when the mapping is unambiguous: the
old value occurs once in the stored source, once in the target, and maps to one new
value. Anything else is flagged and the target is left as stored.
"""

from __future__ import annotations

import re
from collections import Counter

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")


def numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def patch_numbers(query: str, source: str, target: str) -> tuple[str, list[str]]:
    """The target with the query's numbers put in, and one flag per change made or refused."""
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
    patched = _NUMBER.sub(lambda m: patchable.get(m.group(0), m.group(0)), target)
    if any(re.search(rf"(?<![\w.,]){re.escape(n)}-\w", patched) for n in patchable.values()):
        flags.append("check the suffix after a patched number")
    return patched, flags
