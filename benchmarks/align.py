"""Alignment quality and speed on the align-dev set (presegmented input).

Prints strict precision/recall/F1 per language pair and the tri-unit strict F1 for
`clean` and `hard`, a length-only Gale-Church-style baseline, an ablation that
switches off each signal in turn, the confidence calibration, the speed, and the learning
curve of self-training (`tm learn`) on the hard documents.
Run: python benchmarks/align.py [--shared ../shared] [--encoder use] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from tm.align import AlignConfig, align, mismatched_versions
from tm.align.confidence import expected_calibration_error
from tm.align.selftrain import Document, self_train
from tm.embed import get_encoder
from tm.langs import CODES

PAIRS = ("tk-ru", "tk-en", "ru-en")


def load(folder: Path) -> list[tuple[str, dict[str, list[str]], dict, list]]:
    docs = []
    for doc in sorted(folder.iterdir()):
        sentences = {lang: (doc / f"{lang}.sent.txt").read_text("utf-8").splitlines() for lang in CODES}
        docs.append(
            (
                doc.name,
                sentences,
                json.loads((doc / "pairs.json").read_text()),
                json.loads((doc / "gold.json").read_text()),
            )
        )
    return docs


def _bead_set(beads) -> set:
    return {(tuple(a), tuple(b)) for a, b in beads}


def _tri_set(units) -> set:
    return {tuple(tuple(unit[lang]) for lang in CODES) for unit in units}


class Tally:
    def __init__(self) -> None:
        self.hit = self.predicted = self.gold = 0

    def add(self, predicted: set, gold: set) -> None:
        self.hit += len(predicted & gold)
        self.predicted += len(predicted)
        self.gold += len(gold)

    def prf(self) -> tuple[float, float, float]:
        p = self.hit / max(1, self.predicted)
        r = self.hit / max(1, self.gold)
        return p, r, 2 * p * r / max(1e-9, p + r)


def evaluate(docs, encoder, config: AlignConfig, calibration: dict | None = None, lexicon=None):
    """Strict tallies per pair and for tri-units; `calibration`, when given, collects
    (confidence, correct) of every bead with two sides under "pairs" and "tri"."""
    tallies = {key: Tally() for key in (*PAIRS, "tri")}
    for _name, sentences, gold_pairs, gold_units in docs:
        result = align(sentences, encoder, config, lexicon=lexicon)
        for key in PAIRS:
            predicted = {(link.source, link.target) for link in result.pairs[key]}
            gold = _bead_set(gold_pairs[key])
            tallies[key].add(predicted, gold)
            if calibration is not None:
                calibration["pairs"].extend(
                    (link.confidence, (link.source, link.target) in gold)
                    for link in result.pairs[key]
                    if link.source and link.target
                )
        predicted_units = {tuple(unit.sentences[lang] for lang in CODES) for unit in result.units}
        gold_set = _tri_set(gold_units)
        tallies["tri"].add(predicted_units, gold_set)
        if calibration is not None:
            calibration["tri"].extend(
                (unit.confidence, tuple(unit.sentences[lang] for lang in CODES) in gold_set)
                for unit in result.units
                if sum(bool(unit.sentences[lang]) for lang in CODES) >= 2
            )
    return tallies


def length_only(config: AlignConfig) -> AlignConfig:
    """Gale-Church-style baseline: only the length prior decides."""
    return replace(
        config,
        embedding_weight=0.0,
        ngram_weight=0.0,
        number_weight=0.0,
        pivot=False,
        pair=replace(config.pair, length_weight=1.0),
    )


def swap_check(sets, encoder, config: AlignConfig) -> None:
    """How often `mismatched_versions` flags a real document, and one whose version of a language
    is replaced by that language's version of the document seven places on (all three languages)."""
    docs = [doc for name in sets for doc in sets[name]]
    real = sum(bool(mismatched_versions(align(sentences, encoder, config))) for _, sentences, _, _ in docs)
    swapped = sum(
        bool(mismatched_versions(align({**sentences, lang: docs[(k + 7) % len(docs)][1][lang]}, encoder, config)))
        for k, (_, sentences, _, _) in enumerate(docs)
        for lang in CODES
    )
    print(f"\nversion check: flags {real} of {len(docs)} real documents")
    print(f"  and {swapped} of {3 * len(docs)} documents with one version swapped for another document's")


def learning_curve(docs, encoder, config: AlignConfig) -> None:
    """Hard F1 after self-training (tm learn) on the first N hard documents, no gold."""
    print("\nlearning curve: strict F1 on hard after learning from N of its documents (no gold)")
    print(f"{'releases learned from':<36}" + "".join(f"{k:>8}" for k in (*PAIRS, "tri")) + "   rounds, lexicon")
    for count in (0, 10, 30, len(docs)):
        started = time.perf_counter()
        learned_from = [Document(sentences) for _, sentences, _, _ in docs[:count]]
        lexicon = self_train(learned_from, encoder, config) if learned_from else None
        about = f"{len(lexicon.history) - 1}, {lexicon.entries()} stem pairs" if lexicon else "-, no lexicon kept"
        tallies = evaluate(docs, encoder, config, lexicon=lexicon)
        print(row(str(count), tallies) + f"   {about} ({time.perf_counter() - started:.1f} s)")


def row(label: str, tallies) -> str:
    cells = [f"{tallies[key].prf()[2]:.3f}" for key in (*PAIRS, "tri")]
    return f"{label:<36}" + "".join(f"{c:>8}" for c in cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--encoder", default="use")
    parser.add_argument("--quick", action="store_true", help="skip the baseline and ablation")
    args = parser.parse_args()
    root = args.shared / "eval/align-dev"
    sets = {name: load(root / name) for name in ("clean", "hard")}
    config = AlignConfig()

    # A fresh encoder (and so an empty embedding cache) per set: the sets share sentences, and a
    # warm cache would make the second set look faster than a first build of it is.
    encoders = {name: get_encoder(args.encoder) for name in sets}
    encoder = encoders["hard"]
    calibration = {name: {"pairs": [], "tri": []} for name in sets}
    results, seconds = {}, {}
    for name, docs in sets.items():
        started = time.perf_counter()
        results[name] = evaluate(docs, encoders[name], config, calibration[name])
        seconds[name] = time.perf_counter() - started
    elapsed = sum(seconds.values())

    print("dev figures: align-dev is the set the aligner's settings were chosen on")
    for name, tallies in results.items():
        print(f"\n{name}: strict P / R / F1 per pair, tri-unit F1 ({len(sets[name])} documents)")
        for key in (*PAIRS, "tri"):
            p, r, f = tallies[key].prf()
            print(f"  {key:<6} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")

    if not args.quick:
        print("\nstrict F1 on hard" + " " * 19 + "".join(f"{k:>8}" for k in (*PAIRS, "tri")))
        print(row("ours (all signals)", results["hard"]))
        print(row("length only (Gale-Church)", evaluate(sets["hard"], encoder, length_only(config))))
        for label, change in [
            ("without embeddings", {"embedding_weight": 0.0}),
            ("without joined-sentence embeddings", {"span_weight": 0.0}),
            ("without char n-grams", {"ngram_weight": 0.0}),
            ("without numbers", {"number_weight": 0.0}),
            ("without the pivot language", {"pivot": False}),
            ("without length prior", {"pair": replace(config.pair, length_weight=0.0)}),
        ]:
            print(row(label, evaluate(sets["hard"], encoder, replace(config, **change))))

    print("\nconfidence (fitted on these documents; held-out figures: benchmarks/calibrate.py)")
    for name, kinds in calibration.items():
        for kind, label in (("pairs", "pairwise beads"), ("tri", "tri-units")):
            confidences = np.array([c for c, _ in kinds[kind]])
            correct = np.array([ok for _, ok in kinds[kind]])
            high = confidences >= 0.9
            print(
                f"  {name:<6}{label:<15} ECE {expected_calibration_error(confidences, correct):.3f}, "
                f"{high.mean():6.1%} reach 0.9, of those {correct[high].mean():6.1%} correct"
            )

    print(f"\nspeed (first pass, encoder {encoder.id}, an empty embedding cache per set):")
    for name, docs in sets.items():
        sentence_count = sum(len(s) for _, sents, _, _ in docs for s in sents.values())
        print(
            f"  {name:<6} {len(docs) / seconds[name]:.1f} documents/s, {sentence_count / seconds[name]:.0f} sentences/s"
        )
    started = time.perf_counter()
    for name, docs in sets.items():
        evaluate(docs, encoders[name], config)  # embeddings now cached: alignment cost only
    cached = time.perf_counter() - started
    print(f"  time outside the encoder: {cached / elapsed:.0%} ({cached:.1f} s of {elapsed:.1f} s)")
    if not args.quick:
        learning_curve(sets["hard"], encoder, config)
        swap_check(sets, encoder, config)
    print("reproduce: python benchmarks/align.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
