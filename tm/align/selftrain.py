"""Self-training: align, learn a lexicon from the result, realign, while it helps. No gold.

Whether a round helped is judged by the share of Turkmen beads that agree with the tri-unit
the three pairwise alignments make of their sentences. Russian-English, which the encoder
aligns almost perfectly, takes no part in the lexicon, so a Turkmen bead that agrees with
it is evidence the lexicon did not invent. (The mean confidence would flatter every round:
the lexicon's own signal raises the scores the confidence is computed from.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from tm.align import AlignConfig, Alignment, align
from tm.align.confidence import FEATURES
from tm.align.learn import LEARNED_PAIRS, LearnedBead, Lexicon, learn_lexicon
from tm.embed import Encoder

MAX_ROUNDS = 3
MIN_GAIN = 0.002  # a smaller rise in agreement is noise; stop and keep what we have


@dataclass(frozen=True)
class Document:
    """One release to learn from: sentences per language, and paragraph numbers when known."""

    sentences: dict[str, list[str]]
    paragraphs: dict[str, list[int]] | None = None


def bead_texts(alignments: Iterable[Alignment]) -> Iterator[LearnedBead]:
    """Every pairwise bead with sentences on both sides, as texts with its confidence."""
    for alignment in alignments:
        for key, links in alignment.pairs.items():
            x, y = key.split("-")
            for link in links:
                if link.source and link.target:
                    source = " ".join(alignment.sentences[x][i] for i in link.source)
                    target = " ".join(alignment.sentences[y][j] for j in link.target)
                    yield LearnedBead(key, source, target, link.confidence)


def agreement(alignments: list[Alignment]) -> float:
    """Share of the Turkmen pairs' beads whose sentences form exactly their tri-unit."""
    column = FEATURES.index("unit_agrees")
    flags = [row[column] for a in alignments for key in LEARNED_PAIRS if key in a.features for row in a.features[key]]
    return sum(flags) / len(flags) if flags else 0.0


def self_train(
    documents: list[Document],
    encoder: Encoder,
    config: AlignConfig | None = None,
    rounds: int = MAX_ROUNDS,
    progress: Callable[[int, float, Lexicon | None], None] | None = None,
) -> Lexicon | None:
    """The lexicon learned from `documents` by up to `rounds` rounds of learning and realigning,
    or None when the first one already did not help. `progress(round, agreement, lexicon)`."""
    lexicon, best, history = None, None, []
    for round_number in range(rounds + 1):
        alignments = [align(d.sentences, encoder, config, d.paragraphs, lexicon=lexicon) for d in documents]
        score = agreement(alignments)
        if progress:
            progress(round_number, score, lexicon)
        if history and score < history[-1] + MIN_GAIN:
            break
        history.append(score)
        best = lexicon
        if round_number < rounds:
            lexicon = learn_lexicon(bead_texts(alignments))
    return replace(best, history=tuple(history)) if best else None
