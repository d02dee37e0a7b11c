"""A synthetic English-Russian TM of any size, grown from real sentences for benchmarks.

Base pairs: the Tatoeba en-ru test set and the align-dev `clean` en/ru sentences in
`../shared/eval`. Each unit is a base pair whose English side has had 0-3 random word
substitutions, deletions, insertions or number changes (numbers changed on both sides),
so the TM holds many near-duplicates, as a real TM of ministry releases does.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_NUMBER = re.compile(r"\d+")


def base_pairs(shared: Path = SHARED) -> list[tuple[str, str]]:
    """(English, Russian) sentence pairs from the shared evaluation data."""
    pairs = []
    for line in (shared / "eval/tatoeba/eng-rus.tsv").read_text("utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 4:
            pairs.append((fields[2], fields[3]))
    for doc in sorted((shared / "eval/align-dev/clean").iterdir()):
        en = (doc / "en.sent.txt").read_text("utf-8").splitlines()
        ru = (doc / "ru.sent.txt").read_text("utf-8").splitlines()
        if len(en) == len(ru):
            pairs.extend(zip(en, ru, strict=True))
    return pairs


def mutate(sentence: str, rng: random.Random, vocabulary: list[str], edits: int) -> str:
    """`sentence` with `edits` random word edits (substitute, delete, insert, or change a number)."""
    words = sentence.split()
    for _ in range(edits):
        kind = rng.choice(("substitute", "delete", "insert", "number"))
        position = rng.randrange(len(words)) if words else 0
        if kind == "substitute" and words:
            words[position] = rng.choice(vocabulary)
        elif kind == "delete" and len(words) > 1:
            del words[position]
        elif kind == "insert":
            words.insert(position, rng.choice(vocabulary))
        else:
            words.insert(position, str(rng.randrange(1, 2100)))
    return " ".join(words)


def units(count: int, seed: int = 0, shared: Path = SHARED) -> Iterator[tuple[str, str]]:
    """`count` (English, Russian) units."""
    rng = random.Random(seed)
    pairs = base_pairs(shared)
    vocabulary = sorted({w for en, _ in pairs for w in en.split()})
    for number in range(count):
        en, ru = pairs[number % len(pairs)]
        found = _NUMBER.findall(en)
        if found and rng.random() < 0.5:
            old, new = rng.choice(found), str(rng.randrange(1, 2100))
            en, ru = en.replace(old, new), ru.replace(old, new)
        yield mutate(en, rng, vocabulary, rng.choice((0, 1, 1, 2, 3))), ru
