"""tm build throughput: releases/s with 1 and with N worker processes, each from an empty cache.

The corpus is align-dev (clean and hard, 124 releases of three languages) copied into the
release layout. Every run starts from an empty TM and an empty embedding cache, since the
encoder is most of the work and a warm cache would hide it. The baseline is one worker,
measured in the same run.
Run: python benchmarks/build.py [--jobs 2] [--encoder use]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tm.embed.base import available_cores
from tm.jobs import build
from tm.langs import CODES
from tm.store import TranslationMemory

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def corpus_of_align_dev(root: Path) -> Path:
    corpus = root / "corpus"
    for name in ("clean", "hard"):
        for doc in sorted((SHARED / "eval/align-dev" / name).iterdir()):
            folder = corpus / name / doc.name
            folder.mkdir(parents=True)
            for lang in CODES:
                shutil.copy(doc / f"{lang}.txt", folder / f"{lang}.txt")
    return corpus


def timed_build(corpus: Path, root: Path, encoder: str, jobs: int) -> tuple[float, int]:
    """Seconds and releases added for one build into a new TM with a new embedding cache."""
    run = root / f"jobs-{jobs}"
    run.mkdir()
    with TranslationMemory(run / "tm.db") as tm:
        started = time.perf_counter()
        report = build(corpus, tm, encoder, jobs, cache=run / "embeddings.sqlite")
        return time.perf_counter() - started, report.added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=available_cores())
    parser.add_argument("--encoder", default="use")
    args = parser.parse_args()
    print(f"command: python benchmarks/build.py --jobs {args.jobs} --encoder {args.encoder}")
    print(f"cores available: {available_cores()}")
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        corpus = corpus_of_align_dev(root)
        results = {jobs: timed_build(corpus, root, args.encoder, jobs) for jobs in (1, args.jobs)}
    base = results[1][1] / results[1][0]
    for jobs, (seconds, added) in results.items():
        rate = added / seconds
        print(f"{jobs} worker(s): {added} releases in {seconds:.1f} s, {rate:.2f} releases/s, {rate / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
