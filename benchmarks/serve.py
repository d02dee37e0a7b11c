"""tm serve under load: 20 clients on loopback looking up against a 100k-unit TM while a build
writes to the same TM.

The TM is the synthetic English-Russian TM of benchmarks/synth.py. `tm serve` runs as its own
process (one uvicorn worker); the clients are asyncio tasks in this process, each on its own
kept-alive connection,
sending its next lookup as soon as the last one is answered, through the tmserver endpoint a CAT
tool calls (`/tmserver/en/ru/unit/TEXT`, the lookup alone) and then through `/api/lookup` (the
lookup and the concordance of the search page). The writer is `tm build` (the bundled encoder, at
the CPU priority it takes by default, `--nice 10`; `--writer-nice 0` runs it as the server runs)
with an empty embedding cache, of the align-dev releases of ../shared.

Phases, each `--seconds` long, the clients asking as fast as they are answered (the most the
server gives) or together at `--rate` lookups/s (the latency a translator sees at that load,
counted from when each request was due): the tmserver endpoint with no writer (the baseline),
both ways; the same with the build writing, both ways; /api/lookup with the build writing. For
each: requests/s, p50/p95/p99 latency, errors, and the server's memory (RSS) at the start and end
of the phase and its peak. Targets (2 cores): p95 <= 50 ms at >= 200 lookups/s, no errors, memory
steady.

Run: python benchmarks/serve.py [--units 100000] [--clients 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

from tm.formats import ImportedUnit
from tm.store import TranslationMemory

TARGETS = "targets: p95 <= 50 ms at >= 200 lookups/s, no errors, memory steady"


def build_tm(path: Path, size: int) -> list[str]:
    pairs = list(synth.units(size))
    with TranslationMemory(path) as tm, tm.transaction():
        tm.add_imported("synthetic", "all", [ImportedUnit({"en": en, "ru": ru}) for en, ru in pairs])
    return [en for en, _ in pairs]


def queries(stored: list[str], count: int, seed: int = 7) -> list[str]:
    """Stored sentences with one or two words changed: the near matches a translator looks up."""
    rng = random.Random(seed)
    vocabulary = sorted({word for sentence in stored[:5000] for word in sentence.split()})
    return [synth.mutate(rng.choice(stored), rng, vocabulary, rng.choice((1, 2))) for _ in range(count)]


def writer_corpus(folder: Path, releases: int) -> Path:
    """`releases` release folders for the build to store: the align-dev documents of ../shared
    (real releases, whose sentences the embedding cache has not seen), taken again under new ids
    once all have been used."""
    corpus = folder / "incoming"
    documents = sorted(d for d in (synth.SHARED / "eval/align-dev").glob("*/*") if (d / "en.txt").is_file())
    for number in range(releases):
        source = documents[number % len(documents)]
        target = corpus / f"2025-{number:04d}"
        target.mkdir(parents=True)
        for lang in ("tk", "ru", "en"):
            if (source / f"{lang}.txt").is_file():
                shutil.copy(source / f"{lang}.txt", target / f"{lang}.txt")
    return corpus


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One GET over a kept-alive connection; the status. A few lines of HTTP/1.1 rather than an
    HTTP library, so that the clients spend little of the machine's two cores."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)
    return status


async def load(
    port: int, path: str, texts: list[str], clients: int, seconds: float, pid: int, rate: float | None = None
) -> dict:
    """`clients` clients for `seconds`: each sends its next request as soon as the last is answered
    (rate None: the most the server can answer), or at its share of `rate` requests/s, the latency
    then counted from when the request was due, so that a slow answer delays no measurement."""
    latencies: list[float] = []
    errors = 0
    memory = [rss_mb(pid)]
    begin = time.perf_counter()
    deadline = begin + seconds

    async def client(number: int) -> None:
        nonlocal errors
        rng = random.Random(number)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        interval = clients / rate if rate else 0.0
        due = begin + interval * number / clients
        while time.perf_counter() < deadline:
            if rate:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            started = due if rate else time.perf_counter()
            due += interval
            try:
                errors += (
                    await get(reader, writer, path.format(text=urllib.parse.quote(rng.choice(texts), safe=""))) != 200
                )
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                errors += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            latencies.append(1000 * (time.perf_counter() - started))
        writer.close()

    async def watch() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(1)
            memory.append(rss_mb(pid))

    started = time.perf_counter()
    await asyncio.gather(watch(), *(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": cuts[94],
        "p99": cuts[98],
        "errors": errors,
        "rss": (memory[0], memory[-1], max(memory)),
    }


def start_server(db: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "tm", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/tmserver/languages/", timeout=1)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"tm serve did not start: {server.stderr.read().decode()}") from None
            time.sleep(0.1)
    raise SystemExit("tm serve did not answer in 30 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate", type=float, default=200, help="lookups/s of the fixed-rate phases")
    parser.add_argument(
        "--writer-nice", type=int, default=10, help="tm build --nice (its default: 10; 0: as the server)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        db = folder / "tm.db"
        started = time.perf_counter()
        texts = queries(build_tm(db, args.units), 2000)
        print(f"TM of {args.units} units built in {time.perf_counter() - started:.1f} s")
        server = start_server(db, args.port)
        tmserver = "/tmserver/en/ru/unit/{text}"
        search = "/api/lookup?source=en&target=ru&text={text}"
        # The first lookup loads (here: builds and saves) the lookup index.
        urllib.request.urlopen(f"http://127.0.0.1:{args.port}/tmserver/en/ru/unit/warm", timeout=300)
        corpus = writer_corpus(folder, 2000)
        cache = ["--cache", str(folder / "embeddings.sqlite")]  # an empty cache: the build encodes every sentence
        build = [
            sys.executable,
            "-m",
            "tm",
            "build",
            str(corpus),
            "--db",
            str(db),
            "--nice",
            str(args.writer_nice),
            *cache,
        ]
        results = {}
        try:
            results["tmserver, no writer (baseline)"] = asyncio.run(
                load(args.port, tmserver, texts, args.clients, args.seconds, server.pid)
            )
            results[f"tmserver at {args.rate:g}/s, no writer"] = asyncio.run(
                load(args.port, tmserver, texts, args.clients, args.seconds, server.pid, args.rate)
            )
            writer = subprocess.Popen(build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)  # the build reads and aligns its first releases before it stores any
            with TranslationMemory(db, create=False) as tm:
                before = tm.stats().releases
            phases = [
                ("tmserver, build writing", tmserver, None),
                (f"tmserver at {args.rate:g}/s, build writing", tmserver, args.rate),
                ("/api/lookup, build writing", search, None),
            ]
            for name, url, rate in phases:
                results[name] = asyncio.run(load(args.port, url, texts, args.clients, args.seconds, server.pid, rate))
            with TranslationMemory(db, create=False) as tm:
                stored = tm.stats().releases - before
            writer.kill()
        finally:
            server.terminate()
            server.wait(10)
    print(f"{args.clients} clients, {args.seconds:g} s a phase; the build stored {stored} releases meanwhile")
    print("| phase | requests/s | p50 ms | p95 ms | p99 ms | errors | server RSS MB start/end/peak |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        rss = "/".join(f"{value:.0f}" for value in r["rss"])
        print(
            f"| {name} | {r['per_s']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | {rss} |"
        )
    print(TARGETS)
    print("command: python benchmarks/serve.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
