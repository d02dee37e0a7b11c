"""TMX export and import on a 1M-unit TM: time and peak memory, against translate-toolkit.

Each step runs in a child process so that its peak RSS is its own. translate-toolkit
(`pip install -e ".[bench]"`) reads and writes the same file (it holds the whole file in
memory: about 6 GB at 1M units; `--compare 100000` compares on a subset on a smaller
machine), and the ratio is against our time on that file. The TM is grown by benchmarks/synth.py.
Run: python benchmarks/formats.py [--units 1000000] [--compare UNITS]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

from tm.formats import ExportOptions, ImportedUnit, ReadReport, export_tm, import_file
from tm.formats import tmx as tmx_format
from tm.store import TranslationMemory

PAIR = ("en", "ru")
TARGETS = "targets at 1M: TMX export <= 60 s, import <= 90 s, peak RSS <= 300 MB each; >= 5x translate-toolkit"


def make_tm(tm_path: Path, tmx: Path, count: int) -> None:
    with TranslationMemory(tm_path) as tm, tm.transaction():
        tm.add_imported("synthetic", "all", (ImportedUnit({"en": en, "ru": ru}) for en, ru in synth.units(count)))


def export(tm_path: Path, tmx: Path, count: int) -> None:
    with TranslationMemory(tm_path, create=False) as tm:
        export_tm(tm, tmx, ExportOptions(PAIR))


def import_(tm_path: Path, tmx: Path, count: int) -> None:
    with TranslationMemory(tm_path) as tm:
        assert import_file(tm, tmx).imported == count


def read(tm_path: Path, tmx: Path, count: int) -> None:
    """Our TMX reader alone, for the comparison with translate-toolkit's parser."""
    assert sum(1 for unit in tmx_format.read(tmx, ReadReport()) if unit.texts["en"] and unit.texts["ru"]) == count


def tt_export(tm_path: Path, tmx: Path, count: int) -> None:
    from translate.storage import tmx as tt

    store = tt.tmxfile(sourcelanguage="en-US", targetlanguage="ru-RU")
    with TranslationMemory(tm_path, create=False) as tm:
        for unit in tm.units(PAIR):
            store.addtranslation(unit.texts["en"], "en-US", unit.texts["ru"], "ru-RU")
    store.savefile(str(tmx))


def tt_read(tm_path: Path, tmx: Path, count: int) -> None:
    from translate.storage import tmx as tt

    store = tt.tmxfile.parsefile(str(tmx))
    assert sum(1 for unit in store.units if unit.source and unit.target) == count


STEPS = {
    "make-tm": make_tm,
    "export": export,
    "import": import_,
    "read": read,
    "tt-export": tt_export,
    "tt-read": tt_read,
}


def measure(step: str, tm_path: Path, tmx: Path, count: int) -> tuple[float, float]:
    """(seconds of work, peak RSS in MB) of one step run in its own process."""
    clock = tmx.with_name(f"{step}.seconds")
    child = subprocess.Popen([sys.executable, __file__, "--step", step, str(tm_path), str(tmx), str(count), str(clock)])
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"step {step} failed")
    return float(clock.read_text()), usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--compare", type=int, help="units for the translate-toolkit comparison (default: --units)")
    parser.add_argument("--step", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, tm_path, tmx, count, clock = args.step
        started = time.perf_counter()
        STEPS[name](Path(tm_path), Path(tmx), int(count))
        Path(clock).write_text(str(time.perf_counter() - started))
        return 0
    compare = args.compare or args.units
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        rows = []
        for count in dict.fromkeys((args.units, compare)):
            tm_path, tmx = work / f"tm-{count}.db", work / f"export-{count}.tmx"
            measure("make-tm", tm_path, tmx, count)
            steps = [("export", tm_path, tmx), ("import", work / f"in-{count}.db", tmx), ("read", tm_path, tmx)]
            if count == compare:
                steps += [("tt-export", tm_path, work / f"tt-{count}.tmx"), ("tt-read", tm_path, tmx)]
            for step, tm_file, tmx_file in steps:
                seconds, peak = measure(step, tm_file, tmx_file, count)
                tool = "translate-toolkit" if step.startswith("tt-") else "tm"
                rows.append((count, tool, step.removeprefix("tt-"), seconds, peak))
                print(f"{count:>9} {tool:<18} {rows[-1][2]:<7} {seconds:>8.2f} s {peak:>7.0f} MB peak", flush=True)
        times = {(count, tool, step): seconds for count, tool, step, seconds, _ in rows}
        for step in ("export", "read"):
            ratio = times[(compare, "translate-toolkit", step)] / times[(compare, "tm", step)]
            print(f"TMX {step} of {compare} units: tm is {ratio:.1f}x as fast as translate-toolkit")
    print("seconds: the step's work in its own process; MB: that process's peak RSS")
    print("export: TM -> TMX file; import: TMX -> new TM (one transaction); read: parsing the TMX alone")
    print(TARGETS)
    print('reproduce: pip install -e ".[bench]" && python benchmarks/formats.py')
    return 0


if __name__ == "__main__":
    sys.exit(main())
