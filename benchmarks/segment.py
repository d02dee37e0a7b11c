"""Sentence-boundary recall and precision of `tm.segment` on the align-dev `clean` set.

Gold: `{lang}.sent.txt`, one sentence per line. A boundary is the count of non-space
characters before a sentence end, so white space differences never count as errors.
Run: python benchmarks/segment.py [--shared ../shared] [--show-errors]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tm.langs import CODES
from tm.segment import split

TARGET_RECALL, TARGET_PRECISION = 0.99, 0.97


def boundaries(sentences: list[str]) -> list[int]:
    ends, count = [], 0
    for sentence in sentences:
        count += len(re.sub(r"\s", "", sentence))
        ends.append(count)
    return ends


def score_language(docs: list[Path], lang: str, show_errors: bool) -> tuple[float, float, int]:
    found = extra = gold_total = 0
    for doc in docs:
        gold = [s for s in (doc / f"{lang}.sent.txt").read_text("utf-8").splitlines() if s.strip()]
        predicted = split((doc / f"{lang}.txt").read_text("utf-8"), lang)
        gold_ends, predicted_ends = set(boundaries(gold)), boundaries(predicted)
        hits = gold_ends & set(predicted_ends)
        found += len(hits)
        gold_total += len(gold_ends)
        extra += len(set(predicted_ends) - gold_ends)
        if show_errors:
            for sentence, end in zip(predicted, predicted_ends, strict=False):
                if end not in gold_ends:
                    print(f"  extra split {doc.name}/{lang}: ...{sentence[-70:]}")
            for sentence, end in zip(gold, boundaries(gold), strict=False):
                if end not in hits:
                    print(f"  missed end  {doc.name}/{lang}: ...{sentence[-70:]}")
    return found / gold_total, found / (found + extra), gold_total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    docs = sorted((args.shared / "eval/align-dev/clean").iterdir())
    print(f"segmentation on {len(docs)} align-dev/clean documents")
    header = f"{'lang':<5}{'gold ends':>10}{'recall':>9}{'precision':>11}"
    print(f"{header}  target R>={TARGET_RECALL} P>={TARGET_PRECISION}")
    ok = True
    for lang in CODES:
        recall, precision, total = score_language(docs, lang, args.show_errors)
        met = recall >= TARGET_RECALL and precision >= TARGET_PRECISION
        ok &= met
        print(f"{lang:<5}{total:>10}{recall:>9.4f}{precision:>11.4f}  {'met' if met else 'NOT MET'}")
    print("reproduce: python benchmarks/segment.py")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
