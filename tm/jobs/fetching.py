"""`tm fetch` run from the TM's side: the crawl recorded among the builds (`tm runs`)."""

from __future__ import annotations

from pathlib import Path

from tm.store import TranslationMemory


def fetch_into(tm: TranslationMemory, seeds: list[str], out: Path, command: str = "tm fetch", **options):
    """Crawl (`tm.fetch.fetch` with `options`) and record the run in the TM, as builds are
    recorded: pages fetched as added, unchanged as unchanged, what was refused, failed or skipped
    as skipped, each with its address and reason."""
    from tm.fetch import fetch

    run = tm.start_run(command, "fetch", None)
    try:
        report = fetch(seeds, out, **options)
    except BaseException as error:
        tm.finish_run(run, {}, [], f"{type(error).__name__}: {error}")
        raise
    counts = report.counts
    skipped = sum(counts.get(status, 0) for status in ("refused", "failed", "skipped"))
    recorded = {"added": counts.get("fetched", 0), "unchanged": counts.get("unchanged", 0), "skipped": skipped}
    # Each problem as a build's are recorded: what it is about (here an address), the problem, its kind.
    problems = [{"release": p["url"], "problem": p["problem"], "kind": p["kind"]} for p in report.problems]
    tm.finish_run(run, {**recorded, "flagged": 0}, problems)
    return report
