"""Peak memory of tm build against the size of the corpus: it must stay flat.

A corpus of N releases in the release layout is made from the sample corpus's six releases,
copied under new release ids with the copy's number added to every line (so that every
sentence is new, as in a real archive, and nothing is served from a cache). `tm build` runs
on it in a child process with the model-free n-gram encoder (the encoder's own memory is the
same whatever N is; the corpus and the vectors are what must not pile up). Peak RSS is the
largest of the build's processes. The baseline is the smallest corpus, measured in the same run.
Run: python benchmarks/build_memory.py [--sizes 1000 10000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "corpora/sample"


def make_corpus(root: Path, size: int) -> Path:
    corpus = root / f"corpus-{size}" / "news"
    sources = sorted(p for p in SAMPLE.iterdir() if p.is_dir())
    for number in range(size):
        release = corpus / f"{number:06d}"
        shutil.copytree(sources[number % len(sources)], release)
        for page in release.glob("*.txt"):
            lines = page.read_text("utf-8").splitlines()
            page.write_text("\n".join(f"{line} {number}" if line.strip() else line for line in lines), "utf-8")
    return corpus.parent


def peak_build(corpus: Path, db: Path, jobs: int) -> tuple[float, float]:
    """Seconds, and peak RSS in MiB of the largest process of one `tm build` run."""
    command = [sys.executable, "-m", "tm", "build", str(corpus), "--db", str(db), "--encoder", "ngram"]
    command += ["--cache", str(db.with_suffix(".cache.sqlite"))]
    started = time.perf_counter()
    with subprocess.Popen([*command, "--jobs", str(jobs)], stdout=subprocess.DEVNULL) as build:
        build.wait()
    if build.returncode:
        raise SystemExit(f"tm build failed on {corpus}")
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(f"command: python benchmarks/build_memory.py --sizes {' '.join(map(str, args.sizes))} --jobs {args.jobs}")
    base = None
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        for size in sorted(args.sizes):
            corpus = make_corpus(root, size)
            # RUSAGE_CHILDREN keeps the largest child so far: sizes run in increasing order, so a
            # figure can only be its own run's or a smaller corpus's (which the flat check allows).
            seconds, peak = peak_build(corpus, root / f"tm-{size}.db", args.jobs)
            base = base or peak
            print(
                f"{size:>6} releases: {seconds:6.1f} s, {size / seconds:5.1f} releases/s, peak RSS {peak:6.0f} MiB"
                f" ({peak / base:.2f}x the smallest)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
