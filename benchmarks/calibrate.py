"""Fit the bead confidence on the align-dev gold and measure how well it is calibrated.

Documents: align-dev clean and hard, short documents of 3-8 sentences cut from them (runs
of gold tri-units), where margin normalisation is least stable, and documents with one
version swapped for another document's (the most alike, and an unrelated one), as a wrongly
grouped release would be. Every pairwise bead
with sentences on both sides is one example: its features (tm/align/confidence.py) and
whether the gold has exactly that bead.

Figures are for documents left out of the fit: 5 folds by source document (a short cut
falls in the fold of the document it was cut from). The old confidence (a sigmoid of the
DP score) is measured in the same run as the baseline. With --write, the weights fitted
on every document are saved to tm/align/calibration.json; reliability diagrams go to
--out as PNG.
Run: python benchmarks/calibrate.py [--write] [--out benchmarks/output]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tm.align import align
from tm.align.confidence import CALIBRATION_FILE, Calibration, expected_calibration_error, fit
from tm.embed import get_encoder, normalize_rows
from tm.langs import CODES

sys.path.insert(0, str(Path(__file__).parent))
from align import PAIRS, load  # a sibling script

FOLDS = 5
SHORT_CUTS = 2  # short documents cut from each align-dev document


@dataclass
class Examples:
    """Pairwise beads of one kind of document: features, gold verdicts, source document."""

    features: list[np.ndarray]
    correct: list[np.ndarray]
    source: list[str]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sizes = [len(c) for c in self.correct]
        return np.vstack(self.features), np.concatenate(self.correct), np.repeat(self.source, sizes)


def cut_short(docs, seed: int = 0) -> list:
    """Documents of 3-8 sentences per language: runs of consecutive gold tri-units."""
    rng = random.Random(seed)
    short = []
    for name, sentences, gold_pairs, gold_units in docs:
        for _ in range(SHORT_CUTS):
            size = rng.randint(3, 8)
            start = rng.randrange(max(1, len(gold_units) - size + 1))
            window = gold_units[start : start + size]
            first = {lang: min((i for u in window for i in u[lang]), default=0) for lang in CODES}
            kept = {lang: sorted(i for u in window for i in u[lang]) for lang in CODES}
            if any(not kept[lang] for lang in CODES):
                continue
            cut = {lang: [sentences[lang][i] for i in kept[lang]] for lang in CODES}
            pairs = {}
            for key in PAIRS:
                x, y = key.split("-")
                pairs[key] = [
                    [[i - first[x] for i in a], [j - first[y] for j in b]]
                    for a, b in gold_pairs[key]
                    if set(a) <= set(kept[x]) and set(b) <= set(kept[y]) and (a or b)
                ]
            short.append((name, cut, pairs, None))
    return short


def swap_versions(docs, encoder) -> list:
    """Each document with one version (tk, ru, en in turn) replaced by that language's version of
    another document, as a release grouped wrongly would be: once by the document most like it
    (grouping errs between releases on the same kind of event), once by one seven places on
    (an unrelated text). Every bead linking the stranger is wrong; the other pair's gold holds."""
    gists = {
        lang: normalize_rows(np.stack([encoder.encode(doc[1][lang]).mean(axis=0) for doc in docs])) for lang in CODES
    }
    swapped = []
    for k, (name, sentences, gold_pairs, _) in enumerate(docs):
        lang = CODES[k % len(CODES)]
        likeness = gists[lang] @ gists[lang][k]
        likeness[[doc[0] == name for doc in docs]] = -np.inf  # itself, and its clean or hard twin
        pairs = {key: ([] if lang in key.split("-") else beads) for key, beads in gold_pairs.items()}
        for other in (int(likeness.argmax()), (k + 7) % len(docs)):
            swapped.append((name, {**sentences, lang: docs[other][1][lang]}, pairs, None))
    return swapped


def collect(docs, encoder) -> Examples:
    examples = Examples([], [], [])
    for name, sentences, gold_pairs, _ in docs:
        result = align(sentences, encoder, calibration=Calibration.score_sigmoid())
        for key in PAIRS:
            gold = {(tuple(a), tuple(b)) for a, b in gold_pairs[key]}
            linked = [link for link in result.pairs[key] if link.source and link.target]
            examples.features.append(result.features[key])
            examples.correct.append(np.array([(link.source, link.target) in gold for link in linked]))
            examples.source.append(name)
    return examples


def held_out(sets: dict[str, Examples]) -> dict[str, np.ndarray]:
    """Each example's confidence from weights fitted without its source document."""
    names = sorted({n for ex in sets.values() for n in ex.source})
    fold = {name: k % FOLDS for k, name in enumerate(names)}
    arrays = {kind: ex.arrays() for kind, ex in sets.items()}
    predicted = {kind: np.zeros(len(a[1])) for kind, a in arrays.items()}
    for k in range(FOLDS):
        train_x = np.vstack([x[[fold[s] != k for s in src]] for x, _, src in arrays.values()])
        train_y = np.concatenate([y[[fold[s] != k for s in src]] for _, y, src in arrays.values()])
        calibration = fit(train_x, train_y)
        for kind, (x, _, src) in arrays.items():
            test = np.array([fold[s] == k for s in src])
            if test.any():
                predicted[kind][test] = calibration.probability(x[test])
    return predicted


def summary(confidence: np.ndarray, correct: np.ndarray) -> str:
    high = confidence >= 0.9
    accuracy = f"{correct[high].mean():.1%}" if high.any() else "-"
    return (
        f"ECE {expected_calibration_error(confidence, correct):.3f}, "
        f"{high.mean():5.1%} of beads >= 0.9, of those {accuracy} correct"
    )


def reliability_diagram(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = 2  # the confidence before calibration above, the calibrated one below
    columns = -(-len(curves) // rows)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 4 * rows), sharey=True, squeeze=False)
    for axis, (title, (confidence, correct)) in zip(axes.T.flat, curves.items(), strict=True):
        edges = np.linspace(0, 1, 11)
        which = np.minimum((confidence * 10).astype(int), 9)
        centres = [confidence[which == b].mean() for b in range(10) if (which == b).any()]
        accuracy = [correct[which == b].mean() for b in range(10) if (which == b).any()]
        axis.plot([0, 1], [0, 1], color="grey", linestyle=":")
        axis.plot(centres, accuracy, marker="o")
        axis.hist(confidence, bins=edges, weights=np.full(len(confidence), 1 / len(confidence)), alpha=0.3)
        axis.set_title(f"{title} (ECE {expected_calibration_error(confidence, correct):.3f})", fontsize=9)
        axis.set_xlabel("confidence")
    for axis in axes[:, 0]:
        axis.set_ylabel("share correct (bars: share of beads)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--encoder", default="use")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
    parser.add_argument("--write", action="store_true", help=f"save the weights to {CALIBRATION_FILE.name}")
    args = parser.parse_args()
    root = args.shared / "eval/align-dev"
    docs = {name: load(root / name) for name in ("clean", "hard")}
    docs["short"] = cut_short(docs["clean"] + docs["hard"])
    encoder = get_encoder(args.encoder)
    docs["swapped"] = swap_versions(docs["clean"] + docs["hard"], encoder)
    sets = {kind: collect(kind_docs, encoder) for kind, kind_docs in docs.items()}
    predicted = held_out(sets)

    print("bead confidence on align-dev, pairwise beads with both sides; figures for documents left out of the fit")
    curves = {}
    for kind, examples in sets.items():
        features, correct, _ = examples.arrays()
        print(f"\n{kind} ({len(docs[kind])} documents, {len(correct)} beads, {correct.mean():.1%} correct)")
        before = Calibration.score_sigmoid().probability(features)
        print(f"  before (sigmoid of the DP score): {summary(before, correct)}")
        print(f"  calibrated:                       {summary(predicted[kind], correct)}")
        curves[f"{kind}, before"] = (before, correct)
        curves[f"{kind}, calibrated"] = (predicted[kind], correct)
    pooled = ("clean", "hard")
    confidence = np.concatenate([predicted[k] for k in pooled])
    correct = np.concatenate([sets[k].arrays()[1] for k in pooled])
    print(f"\nclean and hard pooled: {summary(confidence, correct)}")
    picture = args.out / "reliability.png"
    reliability_diagram(curves, picture)
    print(f"\nreliability diagrams: {picture}")
    if args.write:
        every = [ex.arrays() for ex in sets.values()]
        calibration = fit(np.vstack([x for x, _, _ in every]), np.concatenate([y for _, y, _ in every]))
        CALIBRATION_FILE.write_text(calibration.to_json() + "\n", "utf-8")
        print(f"weights fitted on all {sum(len(y) for _, y, _ in every)} beads written to {CALIBRATION_FILE}")
    print("reproduce: python benchmarks/calibrate.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
