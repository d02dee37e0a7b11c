"""The aligner's settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from tm.align.dp import PairConfig


@dataclass(frozen=True)
class AlignConfig:
    """Signal weights and switches; the benchmark's ablation turns each off in turn."""

    embedding_weight: float = 1.0
    ngram_weight: float = 0.6
    number_weight: float = 0.15
    span_weight: float = 1.0  # how far embeddings of joined sentences replace summed ones in 1-2, 2-1, 2-2
    span_lead: float = 0.05  # a release whose beads all won by this much is aligned 1-1 (see _plainly_one_to_one)
    lexicon_weight: float = 0.5  # a learned lexicon's signal (tm learn), where one is given
    pivot: bool = True
    paragraphs: bool = True
    pair: PairConfig = field(default_factory=PairConfig)
