"""The "same release?" check: how often it flags real releases and releases with a version swapped.

align-dev (the 62 `clean` documents, read as pages): every document with its three versions and
with each pair of them (real releases), and the same with one version replaced by that language's
version of the document seven places on (swapped). The real pages of ../shared/corpora/pages: the
eight releases of two versions a person makes of them (real), and each with one version replaced
by another release's page in that language (swapped), among them the Turkmen page of 2020 with the
Russian page of 2023. The baseline is the check as it was: alignment agreement only
(`tm.align.mismatched_versions`), flagging a pair under 0.3.
Run: python benchmarks/same_release.py [--encoder use] [--cache FILE]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from itertools import combinations
from pathlib import Path

from tm.align import mismatched_versions
from tm.corpus import Release, read_document
from tm.embed import get_encoder
from tm.jobs import align_prepared, prepare_release
from tm.langs import CODES

AGREEMENT = importlib.import_module("tm.align.agreement")  # where the thresholds are read
BASELINE_AGREEMENT = 0.3
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "corpora/pages"
REAL = [
    {"tk": "austria-embassy_61084/tk.txt", "ru": "aktau-consulate_61172/ru.txt"},
    {"tk": "germany-embassy_121483/tk.txt", "en": "einpresswire_655518824/en.txt"},
    {"ru": "armenia-embassy_121573/ru.txt", "en": "einpresswire_655930088/en.txt"},
    {"ru": "georgia-embassy_1614/ru.txt", "en": "istanbul-consulate_1609/en.txt"},
    {"tk": "uk-embassy_126543/tk.txt", "en": "einpresswire_674365533/en.txt"},
    {"tk": "mfa_983/tk.txt", "ru": "germany-embassy_17540/ru.txt"},
    {"tk": "mfa_1094/tk.txt", "en": "mfa_1094/en.txt"},
    {"tk": "mfa_3700/tk.txt", "en": "mfa_3700/en.txt"},
]


def releases_of(documents: list[dict]) -> tuple[list[Release], list[Release]]:
    """Real releases (all versions, and each two of them) and swapped ones."""
    real, swapped = [], []
    for k, versions in enumerate(documents):
        other = documents[(k + 7) % len(documents)]
        langs = list(versions)
        for subset in [langs, *combinations(langs, 2)] if len(langs) == 3 else [langs]:
            real.append(Release("dev", f"{k}", {lang: versions[lang] for lang in subset}))
            for lang in subset:
                if lang in other:
                    mixed = {x: (other if x == lang else versions)[x] for x in subset}
                    swapped.append(Release("dev", f"{k}-{lang}", mixed))
    return real, swapped


def flag_rates(releases: list[Release], encoder) -> tuple[float, float]:
    """Share flagged by the check, and by the alignment-only baseline."""
    ours = baseline = 0
    for release in releases:
        aligned = align_prepared(prepare_release(release, "bench"), encoder)
        alignment = aligned.alignment
        ours += bool(aligned.problems)  # version_problems, run where the release is aligned
        ours_threshold = AGREEMENT.MIN_AGREEMENT
        AGREEMENT.MIN_AGREEMENT = dict.fromkeys(ours_threshold, BASELINE_AGREEMENT)
        try:
            baseline += bool(mismatched_versions(alignment))
        finally:
            AGREEMENT.MIN_AGREEMENT = ours_threshold
    return ours / len(releases), baseline / len(releases)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="use")
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache file (speeds up reruns)")
    args = parser.parse_args()
    print(f"command: python benchmarks/same_release.py --encoder {args.encoder}")
    encoder = get_encoder(args.encoder, args.cache)
    dev = [
        {lang: read_document(folder / f"{lang}.txt", lang) for lang in CODES}
        for folder in sorted((SHARED / "eval/align-dev/clean").iterdir())
    ]
    pages = [{lang: read_document(PAGES / path, lang) for lang, path in release.items()} for release in REAL]
    print(f"{'set':<26}{'releases':>9}{'flagged':>9}{'baseline':>10}")
    for name, documents, target in [("align-dev", dev, (0.02, 0.99)), ("real pages", pages, (0.02, 0.99))]:
        real, swapped = releases_of(documents)
        for kind, releases, goal in [("real", real, f"<= {target[0]}"), ("swapped", swapped, f">= {target[1]}")]:
            ours, baseline = flag_rates(releases, encoder)
            print(f"{name + ', ' + kind:<26}{len(releases):>9}{ours:>9.3f}{baseline:>10.3f}   target {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
