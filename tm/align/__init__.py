"""Trilingual sentence alignment: pairwise bead DP, strengthened through the third language.

1. Per language pair, a sentence-level match matrix from three signals: the encoder's
   cosine similarity and the transliterated character n-gram similarity (both
   margin-normalised), and agreement of the numbers the sentences carry; for the Turkmen
   pairs, a fourth when a lexicon learned by `tm learn` is given (tm.align.learn).
2. The pair the encoder is surest of (ru-en with the bundled model) is aligned first.
   For the third language, each match matrix is averaged with the evidence that comes
   through the pivot: tk[i] ~ ru[j] is also supported by tk[i] ~ en[k] wherever en[k]
   was aligned with ru[j]. The two remaining pairs are then aligned.
   A release whose first alignment is plainly one to one stops there; the others are
   aligned again with embeddings of joined neighbouring sentences for 1-2, 2-1, 2-2 beads.
3. Tri-units are the connected groups of sentences linked by any pairwise bead, so the
   three pairwise alignments and the tri-units never contradict each other.
4. Each bead's confidence is the probability that it is right (tm.align.confidence); a
   tri-unit's is the mean of its beads'.

Steps 1-2 are `tm.align.pairs`, step 3 `tm.align.units`; the "same release?" check over the
result is `tm.align.agreement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from tm.align.agreement import mismatched_versions, pair_agreement
from tm.align.confidence import Calibration, bead_features, load_calibration
from tm.align.config import AlignConfig
from tm.align.dp import PairBead
from tm.align.learn import Lexicon
from tm.align.model import Alignment, PairLink, Unit, pair_key
from tm.align.pairs import encode_spans, match_matrix, pair_beads, plainly_one_to_one, span_gains, strength
from tm.align.signals import margin, number_agreement
from tm.align.units import agreement, tri_units, unit_confidence
from tm.corpus.detect import wrong_script
from tm.embed import Encoder, NgramEncoder
from tm.errors import TmError
from tm.langs import CODES, LANGUAGES

ALIGNER_VERSION = "tri-dp-3"  # 3: titles never joined with the body, joined neighbours only where unsure

__all__ = [
    "ALIGNER_VERSION",
    "AlignConfig",
    "Alignment",
    "PairLink",
    "Unit",
    "align",
    "as_beads",
    "as_pairs",
    "mismatched_versions",
    "pair_agreement",
    "pair_key",
    "signature",
]

Beads = dict[tuple[str, str], list[PairBead]]


@dataclass
class _Signals:
    """What the DP chooses on, per language and pair of the document."""

    langs: list[str]
    vectors: dict[str, np.ndarray]  # encoder embeddings per language
    cosines: dict[tuple[str, str], np.ndarray]
    semantic: dict[tuple[str, str], np.ndarray]  # the cosines margin-normalised
    matrices: dict[tuple[str, str], np.ndarray]  # all signals together

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(combinations(self.langs, 2))


def align(
    sentences: dict[str, list[str]],
    encoder: Encoder,
    config: AlignConfig | None = None,
    paragraphs: dict[str, list[int]] | None = None,
    calibration: Calibration | None = None,
    lexicon: Lexicon | None = None,
) -> Alignment:
    """Align the sentences of two or three language versions of one document.

    `paragraphs[lang][i]` is the paragraph number of sentence i (0 for the title, from 1 for the
    body), a hint for the DP, which also never joins a title sentence with a body sentence; the
    confidences come from `calibration` (the fitted one shipped with the package by default);
    `lexicon` is what `tm learn` learned, a further signal for the Turkmen pairs.
    """
    config = config or AlignConfig()
    langs = [lang for lang in CODES if lang in sentences]
    _check_scripts(sentences, langs)
    signals = _signals(sentences, langs, encoder, config, lexicon)
    beads, used = _beads(sentences, signals, encoder, paragraphs, config)
    units = tri_units(langs, sentences, beads)
    calibration = calibration or load_calibration()
    features = {
        pair_key(x, y): bead_features(found, used[(x, y)], signals.cosines[(x, y)], agreement(x, y, found, units))
        for (x, y), found in beads.items()
    }
    confidence = _confidences(beads, features, calibration)
    links = {
        pair_key(x, y): [PairLink(b.x, b.y, confidence.get(id(b), 0.0)) for b in found]
        for (x, y), found in beads.items()
    }
    tri = [Unit(indices, unit_confidence(members, confidence)) for indices, members in units]
    texts = {lang: list(sentences[lang]) for lang in langs}
    return Alignment(texts, tri, links, signature(encoder.id, config, calibration, lexicon), features)


def _check_scripts(sentences: dict[str, list[str]], langs: list[str]) -> None:
    for lang in langs:
        if script := wrong_script(" ".join(sentences[lang]), lang):
            raise TmError(f"the {lang} sentences are written in {script} letters, not in {LANGUAGES[lang].name}")


def _signals(
    sentences: dict[str, list[str]], langs: list[str], encoder: Encoder, config: AlignConfig, lexicon: Lexicon | None
) -> _Signals:
    """Every sentence encoded once (the encoder and character n-grams), and each pair's matrices."""
    everything = [s for lang in langs for s in sentences[lang]]
    encoded, grams_all = encoder.encode(everything), NgramEncoder().encode(everything)
    bounds = np.cumsum([0] + [len(sentences[lang]) for lang in langs])
    vectors = {lang: encoded[bounds[n] : bounds[n + 1]] for n, lang in enumerate(langs)}
    grams = {lang: grams_all[bounds[n] : bounds[n + 1]] for n, lang in enumerate(langs)}
    signals = _Signals(langs, vectors, {}, {}, {})
    for x, y in signals.pairs:
        numbers = number_agreement(sentences[x], sentences[y])
        learned = lexicon.similarity(pair_key(x, y), sentences[x], sentences[y]) if lexicon else None
        signals.cosines[(x, y)] = vectors[x] @ vectors[y].T
        signals.semantic[(x, y)] = margin(signals.cosines[(x, y)])
        signals.matrices[(x, y)] = match_matrix(x, y, signals.semantic[(x, y)], grams, numbers, config, learned)
    return signals


def _beads(
    sentences: dict[str, list[str]],
    signals: _Signals,
    encoder: Encoder,
    paragraphs: dict[str, list[int]] | None,
    config: AlignConfig,
) -> tuple[Beads, dict[tuple[str, str], np.ndarray]]:
    """Each pair's beads and the matrix they were chosen on: a first pass on single sentences, and a
    second with joined neighbours where the first was not plainly one to one."""
    pairs = signals.pairs
    # The anchor is the pair the encoder knows best: shared names in the n-grams must not decide it.
    strengths = {
        pair: strength(signals.semantic[pair] if config.embedding_weight else signals.matrices[pair]) for pair in pairs
    }
    no_gains = {pair: {} for pair in pairs}
    args = (signals.langs, signals.matrices, strengths)
    beads, used = pair_beads(*args, no_gains, sentences, paragraphs, config)
    if config.span_weight > 0 and config.embedding_weight > 0 and not plainly_one_to_one(beads, config):
        spans = encode_spans({lang: sentences[lang] for lang in signals.langs}, encoder)
        gains = {(x, y): span_gains(x, y, signals.vectors, signals.semantic[(x, y)], spans, config) for x, y in pairs}
        beads, used = pair_beads(*args, gains, sentences, paragraphs, config)
    return beads, used


def _confidences(beads: Beads, features: dict[str, np.ndarray], calibration: Calibration) -> dict[int, float]:
    """The probability that each bead with two sides is right, by the bead object's id (equal
    beads of two pairs differ)."""
    confidence: dict[int, float] = {}
    for (x, y), found in beads.items():
        linked = [b for b in found if b.x and b.y]
        if linked:
            probabilities = calibration.probability(features[pair_key(x, y)])
            confidence.update((id(b), float(p)) for b, p in zip(linked, probabilities, strict=True))
    return confidence


def signature(
    encoder_id: str,
    config: AlignConfig | None = None,
    calibration: Calibration | None = None,
    lexicon: Lexicon | None = None,
) -> str:
    """What decides an alignment besides the texts: aligner version, encoder, confidence
    calibration, learned model and settings."""
    weights = (calibration or load_calibration()).id
    model = f"|model={lexicon.id}" if lexicon else ""
    return f"{ALIGNER_VERSION}|encoder={encoder_id}{model}|calibration={weights}|{_describe(config or AlignConfig())}"


def _describe(config: AlignConfig) -> str:
    settings = {k: v for k, v in vars(config).items() if k != "pair"} | vars(config.pair)
    return ",".join(f"{k}={v}" for k, v in settings.items())


def as_beads(alignment: Alignment) -> list[dict]:
    """Tri-units as plain dicts: indices per language, score, and the sentences' text."""
    beads = []
    for unit in alignment.units:
        bead: dict = {lang: list(unit.sentences.get(lang, ())) for lang in alignment.sentences}
        bead["score"] = round(unit.confidence, 4)
        bead["text"] = {
            lang: [alignment.sentences[lang][i] for i in unit.sentences.get(lang, ())] for lang in alignment.sentences
        }
        beads.append(bead)
    return beads


def as_pairs(alignment: Alignment) -> dict[str, list]:
    """Finest pairwise beads: {"tk-ru": [[[i..], [j..]], ...], ...}."""
    return {key: [[list(link.source), list(link.target)] for link in links] for key, links in alignment.pairs.items()}
