"""Fuzzy lookup speed and recall on synthetic TMs of 10k, 100k and 1M units.

For each size: build the TM (benchmarks/synth.py), build the lookup index (units/s,
index RAM), run 1,000 queries through `tm.lookup.lookup` (p50/p95 ms, one core), and
compare the index's top 5 with an exhaustive rapidfuzz `process.extract` over every
stored segment with the same scorer (recall, and the speed ratio against that scan).
Then the costs of living with writes: a new process opening the saved (memory-mapped)
index for its first lookup, and 1,000 units added to the TM followed by the next lookup
(which indexes the added release on the side), against rebuilding the whole index; and
`tm pretranslate` of a 10,000-segment PO (segments/s, with the analysis).
Run: python benchmarks/lookup.py [--sizes 10000,100000,1000000] [--baseline-queries 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polib
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

from tm.formats import ImportedUnit
from tm.lookup import index_for, lookup, words
from tm.pretranslate import pretranslate
from tm.store import TranslationMemory

THRESHOLD, TOP = 50, 5
PO_SEGMENTS = 10_000
TARGETS = "targets at 1M: p50 <= 5 ms, p95 <= 30 ms, index RAM <= 2 GB, build >= 20,000 units/s, recall >= 99%, >= 50x"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_queries(count: int, stored: list[str], seed: int = 1) -> list[tuple[str, str]]:
    """(kind, query): exact, near (1-2 edits), far (half the words changed), short (1-3 words), long (40 words)."""
    rng = random.Random(seed)
    bases = [en for en, _ in synth.base_pairs()]
    vocabulary = sorted({w for s in bases for w in s.split()})
    queries = []
    for number in range(count):
        kind = ("exact", "near", "near", "far", "short", "long")[number % 6]
        base = rng.choice(bases)
        if kind == "exact":
            query = rng.choice(stored)
        elif kind == "near":
            query = synth.mutate(base, rng, vocabulary, rng.choice((1, 2)))
        elif kind == "far":
            query = synth.mutate(base, rng, vocabulary, max(1, len(base.split()) // 2))
        elif kind == "short":
            tokens = base.split()
            start = rng.randrange(len(tokens))
            query = " ".join(tokens[start : start + rng.choice((1, 2, 3))])
        else:
            tokens = []
            while len(tokens) < 40:
                tokens += rng.choice(bases).split()
            query = " ".join(tokens[:40])
        queries.append((kind, query))
    return queries


def build_tm(path: Path, size: int) -> list[str]:
    pairs = list(synth.units(size))
    with TranslationMemory(path) as tm, tm.transaction():
        tm.add_imported("synthetic", "all", [ImportedUnit({"en": en, "ru": ru}) for en, ru in pairs])
    return [en for en, _ in pairs]


def top_scores(scores: list[float]) -> list[float]:
    return sorted((round(score, 4) for score in scores), reverse=True)


def run_size(size: int, folder: Path, query_count: int, baseline_count: int) -> dict:
    path = folder / f"tm-{size}.db"
    stored = build_tm(path, size)
    with TranslationMemory(path, create=False) as tm:
        before = rss_mb()
        started = time.perf_counter()
        index = index_for(tm, "en", "ru")
        build_s = time.perf_counter() - started
        index_mb = rss_mb() - before
        queries = make_queries(query_count, stored)
        times = []
        for _, query in queries:
            started = time.perf_counter()
            lookup(tm, query, "en", "ru", THRESHOLD, TOP)
            times.append(1000 * (time.perf_counter() - started))
        layer = index.layers[0]
        choices = layer.sources(np.arange(len(layer)))
        same = scan_ms = index_ms = 0.0
        sample = queries[:: max(1, len(queries) // baseline_count)][:baseline_count]
        for _, query in sample:
            started = time.perf_counter()
            mine = [score / 100 for _, score in layer.search(query, THRESHOLD, TOP)]
            index_ms += time.perf_counter() - started
            started = time.perf_counter()
            full = process.extract(
                layer.encode(words(query)),
                choices,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=THRESHOLD / 100,
                limit=TOP,
            )
            scan_ms += time.perf_counter() - started
            same += top_scores(mine) == top_scores([score for _, score, _ in full])
    open_ms, added_ms = living_with_writes(path, queries[1][1])
    pretranslate_rate = pretranslated_per_second(path, folder, queries, PO_SEGMENTS)
    return {
        "pretranslate": pretranslate_rate,
        "open_ms": open_ms,
        "added_ms": added_ms,
        "size": size,
        "entries": len(index),
        "build_s": build_s,
        "index_mb": index_mb,
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[-1],
        "recall": same / len(sample),
        "ratio": scan_ms / max(index_ms, 1e-9),
        "scan_ms": 1000 * scan_ms / len(sample),
        "sample": len(sample),
    }


def living_with_writes(path: Path, query: str) -> tuple[float, float]:
    """Milliseconds of a new process's first lookup on the saved index, and of the first lookup
    after 1,000 units were added to the TM."""
    with TranslationMemory(path, create=False) as tm:
        started = time.perf_counter()
        lookup(tm, query, "en", "ru", THRESHOLD, TOP)
        open_ms = 1000 * (time.perf_counter() - started)
        added = [ImportedUnit({"en": en, "ru": ru}) for en, ru in synth.units(1000, seed=7)]
        with tm.transaction():
            tm.add_imported("synthetic", "added", added)
        started = time.perf_counter()
        lookup(tm, query, "en", "ru", THRESHOLD, TOP)
        return open_ms, 1000 * (time.perf_counter() - started)


def pretranslated_per_second(path: Path, folder: Path, queries: list[tuple[str, str]], count: int) -> float:
    """Segments per second through `tm pretranslate` of a PO of `count` segments made of the
    queries (repeated with a running number, so each is a distinct segment)."""
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for n in range(count):
        catalog.append(polib.POEntry(msgid=f"{queries[n % len(queries)][1]} ({n})"))
    source = folder / "job.po"
    catalog.save(str(source))
    with TranslationMemory(path, create=False) as tm:
        started = time.perf_counter()
        pretranslate(tm, source, "en", "ru", folder / "job.ru.po")
        return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-queries", type=int, default=200)
    args = parser.parse_args()
    print(
        f"{'units':>9} {'entries':>9} {'build u/s':>10} {'index MB':>9} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'recall':>7} {'scan ms':>8} {'speed-up':>9} {'open ms':>8} {'+1k ms':>7} {'pretr seg/s':>11}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in map(int, args.sizes.split(",")):
            r = run_size(size, Path(folder), args.queries, args.baseline_queries)
            print(
                f"{r['size']:>9} {r['entries']:>9} {r['size'] / r['build_s']:>10.0f} {r['index_mb']:>9.0f}"
                f" {r['p50']:>7.2f} {r['p95']:>7.2f} {r['recall']:>7.1%} {r['scan_ms']:>8.1f} {r['ratio']:>8.0f}x"
                f" {r['open_ms']:>8.1f} {r['added_ms']:>7.1f} {r['pretranslate']:>11.0f}",
                flush=True,
            )
    print(f"p50/p95: {args.queries} queries through tm.lookup.lookup (index search + SQLite fetch + match %);")
    print(f"recall and speed-up: index search vs exhaustive rapidfuzz process.extract, {args.baseline_queries} queries")
    print("open ms: a new process's first lookup on the saved index (memory-mapped, no rebuild);")
    print("+1k ms: the first lookup after 1,000 units were added; the baseline is a full rebuild (build u/s)")
    print(f"pretr seg/s: tm pretranslate of a {PO_SEGMENTS:,}-segment PO (the queries, numbered), analysis included")
    print(TARGETS)
    print("reproduce: python benchmarks/lookup.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
