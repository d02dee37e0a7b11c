"""Grouping pages into releases: link precision and recall, the real pages, and scale.

1. align-dev (the 62 documents of `clean`; `hard` holds the same ones): every document's
   {tk,ru,en}.txt written into one folder under random names, each version removed with
   probability 0.15 (one always kept), a date line added (the release's date plus 0-2 days of
   republishing delay, releases spread over 60 days, or crowded into 5) or, in the undated
   run, none.
   Pairwise links (two files put in one release) against the truth: precision, recall; the same
   with the encoder's opening similarity as the only signal (the baseline).
2. the real pages in ../shared/corpora/pages as saved: the releases a person makes of them.
3. --scale N: N synthetic pages (releases of three languages made from align-dev sentences with
   new numbers and dates over three years) grouped: time, peak memory, link precision and recall.
Run: python benchmarks/group.py [--encoder use] [--scale 30000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

from tm.corpus import group, links
from tm.embed import get_encoder
from tm.langs import CODES

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "eval/align-dev"
REAL = SHARED / "corpora/pages"
# The releases a person makes of the real pages (folder names; the rest stand alone).
REAL_RELEASES = [
    {"austria-embassy_61084", "aktau-consulate_61172"},
    {"germany-embassy_121483", "einpresswire_655518824"},
    {"armenia-embassy_121573", "einpresswire_655930088"},
    {"georgia-embassy_1614", "istanbul-consulate_1609"},
    {"uk-embassy_126543", "einpresswire_674365533"},
    {"mfa_983", "germany-embassy_17540"},
    {"mfa_1094"},
    {"mfa_3700"},
    {"mfa-en-seed"},
]


def write_page(path: Path, text: str, when: date | None) -> None:
    title, _, body = text.partition("\n")
    dated = f"{when.day:02d}.{when.month:02d}.{when.year}\n" if when else ""
    path.write_text(f"{title}\n{dated}{body}", "utf-8")


def flatten(folder: Path, rng: random.Random, dated: bool, days: int = 60) -> set[frozenset[str]]:
    """align-dev written flat under random names; returns the true links."""
    truth = set()
    start = date(2023, 1, 1)
    for doc in sorted((DEV / "clean").iterdir()):  # hard holds the same documents
        kept = [lang for lang in CODES if rng.random() >= 0.15] or [rng.choice(CODES)]
        released = start + timedelta(days=rng.randrange(days))
        names = []
        for lang in kept:
            name = f"{rng.getrandbits(48):012x}.txt"
            when = released + timedelta(days=rng.randrange(3)) if dated else None
            write_page(folder / name, (doc / f"{lang}.txt").read_text("utf-8"), when)
            names.append(name)
        truth |= {frozenset(pair) for pair in combinations(names, 2)}
    return truth


def found_links(grouping: group.Grouping) -> set[frozenset[str]]:
    return {frozenset(pair) for r in grouping.releases for pair in combinations(r.files.values(), 2)}


def precision_recall(found: set, truth: set) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / max(1, len(found)), hit / max(1, len(truth))


PRECISION_TARGET, RECALL_TARGET, SECONDS_TARGET = 0.99, 0.98, 600


def _met(precision: float, recall: float) -> str:
    return "met" if precision >= PRECISION_TARGET and recall >= RECALL_TARGET else "NOT MET"


def dev_run(encode, seed: int, dated: bool, days: int = 60) -> None:
    label = f"dated, over {days} days" if dated else "undated"
    with tempfile.TemporaryDirectory() as folder:
        truth = flatten(Path(folder), random.Random(seed), dated, days)
        for name, weights in [("tm", dict(links.WEIGHTS)), ("baseline: opening only", None)]:
            saved = dict(links.WEIGHTS)
            if weights is None:
                links.WEIGHTS.update(names_numbers=0.0, length=0.0, days=0.0, opening=12.0, bias=-6.0)
            try:
                grouping = group.group_pages(Path(folder), encode)
            finally:
                links.WEIGHTS.update(saved)
            p, r = precision_recall(found_links(grouping), truth)
            verdict = f"  targets P >= {PRECISION_TARGET}, R >= {RECALL_TARGET}: {_met(p, r)}" if weights else ""
            print(f"align-dev {label:<20} {name:<24} links {len(truth):>4}  precision {p:.3f}  recall {r:.3f}{verdict}")


def real_run(encode) -> None:
    grouping = group.group_pages(REAL, encode)
    made = [{Path(f).parent.as_posix() for f in r.files.values()} for r in grouping.releases]
    expected = [set(r) for r in REAL_RELEASES]
    right = sum(1 for r in made if r in expected)
    wrong = [sorted(r) for r in made if r not in expected]
    print(f"real pages: {len(made)} releases made, {right} of {len(expected)} as a person groups them")
    for release in wrong:
        print(f"  not as a person groups them: {release}")


_NUMBER = re.compile(r"\d+")


def synthetic(folder: Path, pages: int, seed: int) -> None:
    """Releases of three languages: 4-8 consecutive sentences of one clean align-dev document, its
    numbers replaced by new ones (the same in every language), dated over three years."""
    rng = random.Random(seed)
    docs = [
        {lang: (d / f"{lang}.sent.txt").read_text("utf-8").splitlines() for lang in CODES}
        for d in sorted((DEV / "clean").iterdir())
    ]
    for number in range(pages // 3):
        doc = rng.choice(docs)
        length = min(len(doc["en"]), rng.randint(4, 8))
        first = rng.randrange(len(doc["en"]) - length + 1)
        numbers: dict[str, str] = {}
        released = date(2021, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        for lang in CODES:
            sentences = doc[lang][first : first + length]
            text = _NUMBER.sub(
                lambda m, seen=numbers: seen.setdefault(m[0], str(rng.randrange(10, 5000))), "\n".join(sentences)
            )
            write_page(folder / f"{number:06d}{rng.getrandbits(32):08x}.txt", text, released)


def scale_run(encode, pages: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        synthetic(Path(folder), pages, seed)
        started = time.perf_counter()
        grouping = group.group_pages(Path(folder), encode)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        triples = sum(1 for r in grouping.releases if len(r.files) == 3)
        by_release: dict[str, list[str]] = {}
        for path in Path(folder).iterdir():
            by_release.setdefault(path.name[:6], []).append(path.name)
        truth = {frozenset(pair) for names in by_release.values() for pair in combinations(names, 2)}
        precision, recall = precision_recall(found_links(grouping), truth)
        print(
            f"scale: {len(grouping.pages):,} pages grouped in {seconds:.0f} s, peak RSS {peak:.0f} MB,"
            f" {len(grouping.releases):,} releases ({triples:,} of three languages; {pages // 3:,} made);"
            f" links: precision {precision:.3f}, recall {recall:.3f} (copies count as missed)"
        )
        fast = "met" if seconds <= SECONDS_TARGET else "NOT MET"
        print(f"  targets: <= {SECONDS_TARGET} s: {fast}; links {_met(precision, recall)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="use")
    parser.add_argument("--scale", type=int, default=0, help="also group this many synthetic pages")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"command: python benchmarks/group.py --encoder {args.encoder} --scale {args.scale} --seed {args.seed}")
    encode = get_encoder(args.encoder).encode
    for dated, days in [(True, 60), (True, 5), (False, 60)]:
        dev_run(encode, args.seed, dated, days)
    real_run(encode)
    if args.scale:
        scale_run(encode, args.scale, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
