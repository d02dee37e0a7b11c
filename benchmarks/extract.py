"""Page extraction time against page size: a text dump and an HTML page of 1, 4 and 16 MB, each
timed twice (the best kept), with the seconds per MB, which stays flat when extraction is linear.
The baseline is the time to read and decode the same bytes.

    python benchmarks/extract.py [--sizes 1 4 16]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tm.corpus import read_document

SENTENCE = "On {n} February 2024, Minister of Foreign Affairs of Turkmenistan R.Meredov met Ambassador B.Ganbold."


def page(kind: str, megabytes: int) -> str:
    count = megabytes * 1_000_000 // (len(SENTENCE) + 12)
    if kind == "html":
        return "<html><body>" + "".join(f"<p>{SENTENCE.format(n=n)}</p>\n" for n in range(count)) + "</body></html>"
    return "\n\n".join(SENTENCE.format(n=n) for n in range(count))


def best_of_two(action) -> float:
    times = []
    for _ in range(2):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    sizes = parser.parse_args().sizes
    print("| page | MB | extract s | s per MB | read+decode s (baseline) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("txt", "html"):
            for megabytes in sizes:
                path = Path(folder) / f"page.{kind}"
                path.write_text(page(kind, megabytes), encoding="utf-8")
                seconds = best_of_two(lambda path=path: read_document(path, "en"))
                baseline = best_of_two(lambda path=path: path.read_bytes().decode("utf-8"))
                print(f"| {kind} | {megabytes} | {seconds:.2f} | {seconds / megabytes:.2f} | {baseline:.3f} |")
    print("\nreproduce: python benchmarks/extract.py --sizes " + " ".join(map(str, sizes)))


if __name__ == "__main__":
    main()
