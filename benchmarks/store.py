"""TM file size per 1M units, and what reading the units back costs.

Two TMs are written: aligned trilingual releases (the align-dev documents with their gold
alignment, repeated under new release ids until the size is reached) and one bilingual import
(benchmarks/synth.py). For each: the file size per 1M units, the bytes per unit, the file
against the baseline of the same run, the UTF-8 bytes of the sentences themselves (a lower
bound no layout can beat), and how fast the tk-en / en-ru pair units and the tri-units are
read back.
Run: python benchmarks/store.py [--units 1000000] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tm.align import Alignment, PairLink, Unit
from tm.corpus import Document, Release
from tm.formats import ImportedUnit
from tm.jobs import AlignedRelease
from tm.langs import CODES
from tm.store import TranslationMemory

sys.path.insert(0, str(Path(__file__).parent))
import synth


def gold_documents(shared: Path) -> list[tuple[dict[str, list[str]], list[Unit], dict[str, list[PairLink]]]]:
    documents = []
    for kind in ("clean", "hard"):
        for folder in sorted((shared / "eval/align-dev" / kind).iterdir()):
            sentences = {lang: (folder / f"{lang}.sent.txt").read_text("utf-8").splitlines() for lang in CODES}
            units = [
                Unit({lang: tuple(unit.get(lang, ())) for lang in CODES}, 0.9)
                for unit in json.loads((folder / "gold.json").read_text())
            ]
            pairs = {
                pair: [PairLink(tuple(x), tuple(y), 0.9) for x, y in beads]
                for pair, beads in json.loads((folder / "pairs.json").read_text()).items()
            }
            documents.append((sentences, units, pairs))
    return documents


def aligned_releases(size: int, shared: Path) -> Iterator[tuple[AlignedRelease, int]]:
    """Releases until `size` tri-units, each with the UTF-8 bytes of its sentences."""
    documents = gold_documents(shared)
    written = number = 0
    while written < size:
        sentences, units, pairs = documents[number % len(documents)]
        release_documents = {
            lang: Document(lang, None, None, tuple(sentences[lang]), f"{number}/{lang}.txt") for lang in CODES
        }
        release = Release("bench", str(number), release_documents)
        alignment = Alignment(sentences, units, pairs, "aligner-signature " * 16)
        text_bytes = sum(len(s.encode()) for sents in sentences.values() for s in sents)
        yield AlignedRelease(release, alignment, f"hash-{number}"), text_bytes
        written += len(units)
        number += 1


def write_aligned(path: Path, size: int, shared: Path) -> tuple[int, int]:
    units = text_bytes = 0
    with TranslationMemory(path) as tm:
        batch = []
        for record, record_bytes in aligned_releases(size, shared):
            batch.append(record)
            units += len(record.alignment.units)
            text_bytes += record_bytes
            if len(batch) == 200:
                _store(tm, batch)
                batch = []
        _store(tm, batch)
    return units, text_bytes


def _store(tm: TranslationMemory, records: list[AlignedRelease]) -> None:
    with tm.transaction():
        for record in records:
            tm.add_release(record)


def write_imported(path: Path, size: int, shared: Path) -> tuple[int, int]:
    pairs = list(synth.units(size, shared=shared))
    with TranslationMemory(path) as tm, tm.transaction():
        tm.add_imported("bench", "import", [ImportedUnit({"en": en, "ru": ru}) for en, ru in pairs])
    return len(pairs), sum(len(en.encode()) + len(ru.encode()) for en, ru in pairs)


def read_rate(path: Path, langs: tuple[str, ...]) -> float:
    """Units read back per second."""
    with TranslationMemory(path, create=False) as tm:
        started = time.perf_counter()
        count = sum(1 for _ in tm.units(langs))
        return count / (time.perf_counter() - started)


def report(name: str, path: Path, units: int, text_bytes: int, pairs: list[tuple[str, ...]]) -> None:
    size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-*"))
    per_million = size / units * 1_000_000 / 2**20
    print(
        f"{name:<22} {units:>9,} units  {per_million:8.0f} MiB per 1M units  {size / units:6.0f} B/unit  "
        f"text (baseline) {text_bytes / units:5.0f} B/unit  file/text {size / text_bytes:4.1f}x"
    )
    for langs in pairs:
        print(f"{'':<22} read {'-'.join(langs):<8} {read_rate(path, langs):>10,.0f} units/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--shared", type=Path, default=synth.SHARED)
    args = parser.parse_args()
    print(f"command: python benchmarks/store.py --units {args.units}")
    with tempfile.TemporaryDirectory() as folder:
        aligned = Path(folder) / "aligned.db"
        started = time.perf_counter()
        units, text_bytes = write_aligned(aligned, args.units, args.shared)
        print(f"aligned releases written in {time.perf_counter() - started:.0f} s")
        report("aligned tk/ru/en", aligned, units, text_bytes, [("tk", "en"), CODES])
        imported = Path(folder) / "imported.db"
        started = time.perf_counter()
        units, text_bytes = write_imported(imported, args.units, args.shared)
        print(f"import written in {time.perf_counter() - started:.0f} s")
        report("imported en/ru", imported, units, text_bytes, [("en", "ru")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
