"""What the aligner learns from its own output: a Turkmen-Russian and Turkmen-English lexicon.

The bundled encoder never saw Turkmen, so the Turkmen pairs lean on transliterated n-grams,
numbers and the pivot through Russian-English. Every release aligned adds Turkmen sentences
paired with their Russian and English translations; from the beads the aligner is fairly sure
of, word stems that keep appearing together are taken as translations (Dice coefficient over
co-occurrence in beads). A sentence pair then scores by the share of its stems whose learned
translations appear on the other side, a signal the DP adds to the Turkmen pairs' match
matrices. Learning needs no gold: align, learn, realign, and repeat while the mean bead
confidence (the expected share of right beads) rises.

Stems are the first STEM letters of a lower-cased word: crude, but Turkmen is agglutinative
and Russian inflected; 4 letters did best of 4-6 on align-dev (so did a Dice floor of 0.3).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from tm.errors import InputError
from tm.files import replacing

FORMAT = "tm-lexicon"
VERSION = 1
STEM = 4
MIN_TOGETHER = 2  # a stem pair seen together once is chance
MIN_DICE = 0.3
LEARN_FROM = 0.5  # beads at least this likely right are learned from; few but sure beads learn less
LEARNED_PAIRS = ("tk-ru", "tk-en")
_WORD = re.compile(r"[^\W\d_]{2,}")


def stems(sentence: str, length: int = STEM) -> frozenset[str]:
    return frozenset(word.lower()[:length] for word in _WORD.findall(sentence))


@dataclass(frozen=True)
class Lexicon:
    """Per language pair ("tk-ru"), each source stem's learned translations."""

    translations: dict[str, dict[str, frozenset[str]]]
    stem: int = STEM
    learned_from: int = 0  # beads
    history: tuple[float, ...] = field(default=())  # mean bead confidence before each round

    @cached_property  # every alignment's signature asks for it; the content is thousands of entries
    def id(self) -> str:
        """Fingerprint of what decides the alignments: part of the aligner signature."""
        return "lexicon@" + hashlib.sha256(self._content().encode()).hexdigest()[:12]

    def _content(self) -> str:
        pairs = {key: {s: sorted(t) for s, t in sorted(table.items())} for key, table in self.translations.items()}
        return json.dumps({"stem": self.stem, "translations": pairs}, ensure_ascii=False, sort_keys=True)

    def entries(self) -> int:
        return sum(len(t) for table in self.translations.values() for t in table.values())

    def similarity(self, key: str, xs: list[str], ys: list[str]) -> np.ndarray | None:
        """[i, j]: the share of stems of xs[i] and ys[j] whose learned translation the other
        sentence has, averaged over the two directions (None: nothing learned for this pair)."""
        table = self.translations.get(key)
        if not table:
            return None
        x_stems = [stems(s, self.stem) for s in xs]
        y_stems = [stems(s, self.stem) for s in ys]
        x_vocab = sorted(set().union(*x_stems) & table.keys())
        y_vocab = {s: k for k, s in enumerate(sorted(set().union(*y_stems)))}
        if not x_vocab or not y_vocab:
            return np.zeros((len(xs), len(ys)))
        links = np.zeros((len(x_vocab), len(y_vocab)))
        for row, stem in enumerate(x_vocab):
            links[row, [y_vocab[t] for t in table[stem] if t in y_vocab]] = 1.0
        x_hot = _one_hot(x_stems, {s: k for k, s in enumerate(x_vocab)})
        y_hot = _one_hot(y_stems, y_vocab)
        found = np.minimum(1.0, links @ y_hot.T)  # x stem translated somewhere in ys[j]
        forward = (x_hot @ found) / np.maximum(1, [len(s) for s in x_stems])[:, None]
        backward_found = np.minimum(1.0, x_hot @ links)  # y stem translating something in xs[i]
        backward = (backward_found @ y_hot.T) / np.maximum(1, [len(s) for s in y_stems])[None, :]
        return (forward + backward) / 2

    def to_json(self) -> str:
        header = {"format": FORMAT, "version": VERSION, "id": self.id, "learned_from": self.learned_from}
        data = header | {"history": list(self.history)} | json.loads(self._content())
        return json.dumps(data, ensure_ascii=False, indent=0) + "\n"

    def save(self, path: Path) -> None:
        """Write the model to `path` whole or not at all."""
        with replacing(Path(path)) as temporary:
            temporary.write_text(self.to_json(), "utf-8")

    @classmethod
    def from_json(cls, text: str, where: str = "model") -> Lexicon:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"not a tm model: {error.msg}", where) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError('not a tm model (no "format": "tm-lexicon")', where)
        if data.get("version") != VERSION:
            raise InputError(f"tm model version {data.get('version')}; this tm reads version {VERSION}", where)
        translations = {key: {s: frozenset(t) for s, t in table.items()} for key, table in data["translations"].items()}
        return cls(translations, int(data["stem"]), int(data.get("learned_from", 0)), tuple(data.get("history", ())))

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the model: {getattr(error, 'strerror', None) or error}", path) from None
        return cls.from_json(text, str(path))


def _one_hot(sets: list[frozenset[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(sets), len(vocabulary)))
    for row, values in enumerate(sets):
        matrix[row, [vocabulary[v] for v in values if v in vocabulary]] = 1.0
    return matrix


@dataclass(frozen=True)
class LearnedBead:
    """A pairwise bead to learn from: its language pair ("tk-ru"), texts and confidence."""

    pair: str
    source: str
    target: str
    confidence: float


def learn_lexicon(beads: Iterable[LearnedBead], stem: int = STEM) -> Lexicon:
    """Stem pairs that co-occur in beads at least LEARN_FROM likely right, kept by Dice."""
    together: dict[str, Counter] = {key: Counter() for key in LEARNED_PAIRS}
    alone: dict[str, tuple[Counter, Counter]] = {key: (Counter(), Counter()) for key in LEARNED_PAIRS}
    used = 0
    for bead in beads:
        if bead.pair not in together or bead.confidence < LEARN_FROM:
            continue
        used += 1
        xs, ys = stems(bead.source, stem), stems(bead.target, stem)
        alone[bead.pair][0].update(xs)
        alone[bead.pair][1].update(ys)
        together[bead.pair].update((x, y) for x in xs for y in ys)
    translations = {}
    for key, counts in together.items():
        x_count, y_count = alone[key]
        table: dict[str, set[str]] = {}
        for (x, y), both in counts.items():
            if both >= MIN_TOGETHER and 2 * both / (x_count[x] + y_count[y]) >= MIN_DICE:
                table.setdefault(x, set()).add(y)
        translations[key] = {x: frozenset(ys) for x, ys in table.items()}
    return Lexicon(translations, stem, used)
