"""How long a command takes to start and answer: `tm --help`, and `tm lookup` on the sample TM
(built first, with the ngram encoder, into a temporary folder). Each is run 5 times, the median
kept; the baseline is the interpreter alone (`python -c pass`).

    python benchmarks/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"
RUNS = 5


def median_seconds(command: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    tm = [sys.executable, "-m", "tm"]
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        subprocess.run([*tm, "build", str(SAMPLE), "--encoder", "ngram"], cwd=here, check=True, capture_output=True)
        query = ["lookup", "The parties discussed transport links.", "--from", "en", "--to", "tk"]
        subprocess.run([*tm, *query], cwd=here, check=True, capture_output=True)  # the index saved once
        rows = [
            ("python -c pass (baseline)", median_seconds([sys.executable, "-c", "pass"], here)),
            ("tm --help", median_seconds([*tm, "--help"], here)),
            ("tm lookup (sample TM)", median_seconds([*tm, *query], here)),
        ]
    print(f"| command | median of {RUNS} s |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    print("\nreproduce: python benchmarks/startup.py")


if __name__ == "__main__":
    main()
