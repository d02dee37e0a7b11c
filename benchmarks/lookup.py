"""Fuzzy lookup speed and recall on TMs of 10k, 100k and 1M units: synthetic, or a ministry-style archive.

For each size: build the TM (benchmarks/synth.py: real sentences with random edits; with
--archive, benchmarks/archive.py: formulaic releases, where thousands of units share a
query's template), build the lookup index (units/s, index RAM), run 1,000 queries through
`tm.lookup.lookup` (p50/p95/p99/max ms, one core). Against the same queries, in the same
run: an exhaustive rapidfuzz `process.extract` over every entry's words (the scan a lookup
must beat; ms a query), and, for a sample, the exhaustive ranking (every entry's word
similarity, then the match % of every entry whose similarity can still reach the top 5):
recall is the share of sampled queries whose top 5 scores equal it. Then the costs of
living with writes: a TM opened anew and its first lookup (the saved, memory-mapped index),
1,000 units added to the TM followed by the next lookup (which indexes the added release on
the side), against rebuilding the whole index; and `tm pretranslate` of a 10,000-segment PO
of the queries (segments/s, with the analysis).
Run: python benchmarks/lookup.py [--archive] [--sizes 10000,100000,1000000] [--baseline-queries 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import polib
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
import archive
import synth

from tm.formats import ImportedUnit
from tm.lookup import concordance, index_for, lookup, tokens, words
from tm.lookup.fuzzy import penalties
from tm.lookup.score import match_percent
from tm.pretranslate import pretranslate
from tm.store import TranslationMemory

THRESHOLD, TOP = 50, 5
PO_SEGMENTS = 10_000
TARGETS = (
    "targets at 1M (synthetic and archive): p50 <= 2 ms, p99 <= 50 ms, the slowest query >= 10x faster than the"
    " scan, recall 100%, open + first lookup <= 1 s; index RAM <= 2 GB, build >= 20,000 units/s"
)


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


class Exhaustive:
    """Every entry (distinct source and target) of the pair, ranked for a query the plain way:
    rapidfuzz's word similarity for all, then the match % less the penalty of the entry's most
    confident unit, in the order of that similarity, until none left can enter the top 5."""

    def __init__(self, tm: TranslationMemory) -> None:
        best: dict[tuple[str, str], float] = {}
        for unit in tm.units(("en", "ru")):
            key = (unit.texts["en"], unit.texts["ru"])
            best[key] = max(best.get(key, 0.0), unit.confidence)
        self.sources = [source for source, _ in best]
        self.penalties = penalties(np.fromiter(best.values(), np.float64, len(best)))
        self.vocabulary: dict[str, str] = {}
        self.codes = [self.code(source) for source in self.sources]

    def code(self, text: str) -> str:
        return "".join(self.vocabulary.setdefault(w, chr(0x100 + len(self.vocabulary))) for w in words(text))

    def scan(self, query: str) -> list:
        """The scan a lookup must beat: rapidfuzz over every entry's words, best 5."""
        code = self.code(query)
        return process.extract(
            code, self.codes, scorer=Levenshtein.normalized_similarity, score_cutoff=THRESHOLD / 100, limit=TOP
        )

    def top_scores(self, query: str) -> list[float]:
        similarity = process.cdist(
            [self.code(query)], self.codes, scorer=Levenshtein.normalized_similarity, dtype=np.float64, workers=1
        )[0]
        scores: list[float] = []
        for entry in np.argsort(-similarity, kind="stable"):
            bound = 100 * similarity[entry] + 1e-6
            if bound < THRESHOLD or (len(scores) >= TOP and bound < scores[TOP - 1]):
                break
            score = match_percent(query, self.sources[entry]) - self.penalties[entry]
            if score >= THRESHOLD:
                scores = sorted([*scores, float(score)], reverse=True)
        return scores[:TOP]


def run_size(size: int, folder: Path, query_count: int, baseline_count: int, formulaic: bool) -> dict:
    path = folder / f"tm-{size}.db"
    stored = archive.store(path, size) if formulaic else build_tm(path, size)
    with TranslationMemory(path, create=False) as tm:
        before = rss_mb()
        started = time.perf_counter()
        index = index_for(tm, "en", "ru")
        build_s = time.perf_counter() - started
        index_mb = rss_mb() - before
        queries = archive.queries(query_count, stored) if formulaic else make_queries(query_count, stored)
        times, found, incomplete = [], [], 0
        for _, query in queries:
            started = time.perf_counter()
            matches = lookup(tm, query, "en", "ru", THRESHOLD, TOP)
            times.append(1000 * (time.perf_counter() - started))
            found.append([m.percent - m.penalty for m in matches])
            incomplete += not matches.complete
        concordance_ms = concordance_times(tm, queries)
        exhaustive = Exhaustive(tm)
    sample = range(0, len(queries), max(1, len(queries) // baseline_count))[:baseline_count]
    same = scan_ms = 0.0
    for n in sample:
        started = time.perf_counter()
        exhaustive.scan(queries[n][1])
        scan_ms += time.perf_counter() - started
        same += found[n] == exhaustive.top_scores(queries[n][1])
    open_ms, added_ms = living_with_writes(path, queries[1][1])
    pretranslate_rate = pretranslated_per_second(path, folder, queries, PO_SEGMENTS)
    percentiles = statistics.quantiles(times, n=100)
    scan_ms = 1000 * scan_ms / len(sample)
    return {
        "concordance": concordance_ms,
        "pretranslate": pretranslate_rate,
        "open_ms": open_ms,
        "added_ms": added_ms,
        "size": size,
        "entries": len(index),
        "build_s": build_s,
        "index_mb": index_mb,
        "p50": statistics.median(times),
        "p95": percentiles[94],
        "p99": percentiles[98],
        "max": max(times),
        "incomplete": incomplete,
        "recall": same / len(sample),
        "scan_ms": scan_ms,
        "slowest_ratio": scan_ms / max(times),
        "sample": len(sample),
    }


def concordance_times(tm: TranslationMemory, queries: list[tuple[str, str]]) -> tuple[float, float]:
    """Milliseconds (median of 5) of `tm concordance` of the queries' most frequent word of four
    letters or more, and of their most frequent number: the two a frequent search reads most for."""
    found = Counter(token for _, query in queries for token in tokens(query) if token.isalpha() and len(token) >= 4)
    numbers = Counter(token for _, query in queries for token in tokens(query) if token.isdigit())
    times = []
    for phrase in (found.most_common(1)[0][0], numbers.most_common(1)[0][0]):
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            concordance(tm, phrase, "en", "ru")
            runs.append(1000 * (time.perf_counter() - started))
        times.append(statistics.median(runs))
    return times[0], times[1]


def living_with_writes(path: Path, query: str) -> tuple[float, float]:
    """Milliseconds of opening the TM and its first lookup on the saved index, and of the first
    lookup after 1,000 units were added to the TM."""
    started = time.perf_counter()
    with TranslationMemory(path, create=False) as tm:
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
    parser.add_argument("--archive", action="store_true", help="a ministry-style archive (benchmarks/archive.py)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-queries", type=int, default=200)
    args = parser.parse_args()
    print(
        "TM:", "ministry-style archive (benchmarks/archive.py)" if args.archive else "synthetic (benchmarks/synth.py)"
    )
    print(
        f"{'units':>9} {'entries':>9} {'build u/s':>10} {'index MB':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'max ms':>7} {'cut':>4} {'recall':>7} {'scan ms':>8} {'scan/max':>9} {'open ms':>8} {'+1k ms':>7}"
        f" {'pretr seg/s':>11} {'conc word':>9} {'conc num':>8}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in map(int, args.sizes.split(",")):
            r = run_size(size, Path(folder), args.queries, args.baseline_queries, args.archive)
            print(
                f"{r['size']:>9} {r['entries']:>9} {r['size'] / r['build_s']:>10.0f} {r['index_mb']:>9.0f}"
                f" {r['p50']:>7.2f} {r['p95']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.1f} {r['incomplete']:>4}"
                f" {r['recall']:>7.1%} {r['scan_ms']:>8.1f} {r['slowest_ratio']:>8.1f}x {r['open_ms']:>8.1f}"
                f" {r['added_ms']:>7.1f} {r['pretranslate']:>11.0f} {r['concordance'][0]:>9.1f}"
                f" {r['concordance'][1]:>8.1f}",
                flush=True,
            )
    print(f"p50/p95/p99/max: {args.queries} queries through tm.lookup.lookup (candidates, bounds, SQLite, match %);")
    print("cut: lookups stopped by their time budget")
    print(f"recall: top-5 scores equal to the exhaustive ranking, {args.baseline_queries} queries;")
    print("scan ms: exhaustive rapidfuzz process.extract over every entry's words, a query;")
    print("scan/max: the scan's time over the slowest lookup's")
    print("open ms: opening the TM and its first lookup on the saved index (memory-mapped, no rebuild);")
    print("+1k ms: the first lookup after 1,000 units were added; the baseline is a full rebuild (build u/s)")
    print(f"pretr seg/s: tm pretranslate of a {PO_SEGMENTS:,}-segment PO (the queries, numbered), analysis included")
    print("conc word / conc num: ms of tm concordance of the queries' most frequent word and number")
    print(TARGETS)
    print("reproduce: python benchmarks/lookup.py" + (" --archive" if args.archive else "") + f" --sizes {args.sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
