"""What a batch hands between its steps: a release segmented, a release aligned, and the report of a build."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tm.align import Alignment
from tm.corpus import Release, Skipped
from tm.store import StoredModel, content_hash

LOW_CONFIDENCE = 0.5


# The longest sentence aligned; the longest in the ministry's releases is under 1,500 characters.
MAX_SENTENCE_CHARS = 5_000


@dataclass(frozen=True)
class SegmentedRelease:
    """A release split into sentences, with the hash that tells whether the TM already holds it."""

    release: Release
    sentences: dict[str, list[str]]
    paragraphs: dict[str, list[int]]
    content_hash: str
    signature: str = ""

    def hash_with(self, aligner_signature: str) -> str:
        """The content hash these sentences and paragraph breaks have under an aligner signature."""
        texts = {
            lang: "\n".join(f"{number}\t{s}" for number, s in zip(self.paragraphs[lang], sentences, strict=True))
            for lang, sentences in self.sentences.items()
        }
        return content_hash(texts, aligner_signature)


@dataclass(frozen=True)
class AlignedRelease:
    release: Release
    alignment: Alignment
    content_hash: str
    problems: tuple[str, ...] = ()  # why its versions may not be one release (version_problems)


@dataclass
class BuildReport:
    releases: int = 0
    added: int = 0
    unchanged: int = 0
    units: int = 0
    low_confidence: int = 0
    languages: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    mismatched: list[Skipped] = field(default_factory=list)  # stored, but the versions may not match
    learned: StoredModel | None = None  # the model a build with `learn` learned and realigned with
    older: int = 0  # releases dated before `since`, left alone
    outdated: int = 0  # unchanged releases aligned by another aligner or model, left for `tm realign`
    expected: int | None = None  # releases the corpus holds, once known (for progress and time left)

    @property
    def done(self) -> int:
        """Releases dealt with so far: stored, found unchanged, or older than `since` (a folder that
        holds no readable release was counted in `expected`: the estimate errs long)."""
        return self.added + self.unchanged + self.older
