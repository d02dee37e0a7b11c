"""Commands over pages and corpora: segment, extract, group, align, learn, build, realign."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from tm.cli.common import CACHE, DB, EMBEDDING_CACHE, ENCODER, JOBS, SINCE, app, print_json, reports_errors
from tm.embed import DEFAULT_ENCODER, get_encoder
from tm.errors import TmError
from tm.langs import CODES, check_lang

NICE = Annotated[
    int,
    typer.Option(
        min=0, max=19, help="how far the build yields the CPU to other work, such as tm serve's lookups (0: not at all)"
    ),
]

FOLLOW_LINKS = Annotated[
    bool,
    typer.Option(
        "--follow-links", help="read files that links in the folder point to outside it (by default reported, not read)"
    ),
]


def _yield_cpu(nice: int) -> None:
    """Lower this process's CPU priority (its workers inherit it): a batch job should not make
    the translators looking up on the same machine wait."""
    if nice:
        os.nice(nice)


@app.command()
@reports_errors
def segment(file: Path, lang: Annotated[str, typer.Option("--lang", help="tk, ru or en")]) -> None:
    """Print the sentences of FILE, one per line."""
    from tm.corpus import read_document
    from tm.segment import split

    document = read_document(file, check_lang(lang))
    for sentence in split(document.text, lang):
        typer.echo(sentence)


@app.command()
@reports_errors
def extract(
    file: Path,
    show_removed: Annotated[bool, typer.Option("--show-removed", help="also list the lines removed, and why")] = False,
) -> None:
    """Print the language, title, date and paragraphs of a saved page as JSON."""
    from tm.corpus import read_document

    removed: list[tuple[str, str]] = []
    document = read_document(file, removed=removed)
    extracted = {
        "lang": document.lang,
        "title": document.title,
        "date": document.date.isoformat() if document.date else None,
        "paragraphs": list(document.paragraphs),
    }
    if show_removed:
        extracted["removed"] = [{"line": line, "why": why} for line, why in removed]
    print_json(extracted)


@app.command("group")
@reports_errors
def group_command(
    directory: Path,
    output_format: Annotated[str, typer.Option("--format", help="json or text")] = "text",
    encoder: ENCODER = DEFAULT_ENCODER,
    cache: CACHE = EMBEDDING_CACHE,
    follow_links: FOLLOW_LINKS = False,
) -> None:
    """Group the page files below DIRECTORY (any names, any nesting) into releases and print them."""
    from tm.corpus.group import group_pages

    if output_format not in ("json", "text"):
        raise TmError(f"unknown --format {output_format!r}; choose json or text")
    grouping = group_pages(directory, get_encoder(encoder, cache).encode, follow_links)
    for problem in grouping.skipped:
        typer.echo(f"skipped: {problem}", err=True)
    if output_format == "json":
        print_json([release.as_json() for release in grouping.releases])
        return
    for release in grouping.releases:
        score = "     " if release.score is None else f"{release.score:.2f} "
        files = "  ".join(f"{lang}={path}" for lang, path in release.files.items())
        copies = f"  (copies: {', '.join(release.copies)})" if release.copies else ""
        typer.echo(f"{score}{files}{copies}")


@app.command()
@reports_errors
def align(
    doc_dir: Path,
    presegmented: Annotated[bool, typer.Option(help="read {lang}.sent.txt, one sentence per line")] = False,
    output_format: Annotated[str, typer.Option("--format", help="json or text")] = "json",
    pairs: Annotated[bool, typer.Option("--pairs", help="also print the finest pairwise beads")] = False,
    encoder: ENCODER = DEFAULT_ENCODER,
    model: Annotated[Path | None, typer.Option(help="a model made by tm learn")] = None,
) -> None:
    """Align the tk/ru/en versions in DOC_DIR and print the aligned units."""
    from tm import jobs
    from tm.align import as_beads, as_pairs
    from tm.align.learn import Lexicon

    lexicon = Lexicon.load(model) if model else None
    alignment = jobs.align_folder(doc_dir, get_encoder(encoder), presegmented, lexicon=lexicon)
    beads = as_beads(alignment)
    if output_format == "json":
        print_json({"beads": beads, "pairs": as_pairs(alignment)} if pairs else beads)
        return
    for bead in beads:
        typer.echo(f"[{bead['score']:.2f}] " + " ||| ".join(" ".join(t) for t in bead["text"].values()))


SCHEDULER = Annotated[
    str | None,
    typer.Option(help="align on a Dask cluster: tcp://HOST:8786, or local:N for N local workers"),
]


def _iso_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TmError(f"--since {text!r} is not a day as YYYY-MM-DD") from None


@app.command()
@reports_errors
def learn(
    directory: Path,
    output: Annotated[Path, typer.Option("-o", "--output", help="model file to write")],
    presegmented: Annotated[bool, typer.Option(help="release folders of {lang}.sent.txt")] = False,
    encoder: ENCODER = DEFAULT_ENCODER,
    cache: CACHE = EMBEDDING_CACHE,
) -> None:
    """Learn a Turkmen lexicon from every release below DIRECTORY, without gold: align, learn
    from the beads, realign, while the Turkmen beads agree better with Russian-English."""
    from tm import jobs
    from tm.align.learn import Lexicon

    def report(round_number: int, agreement: float, lexicon: Lexicon | None) -> None:
        learned = f"{lexicon.entries()} stem pairs" if lexicon else "no lexicon"
        typer.echo(f"round {round_number}: {agreement:.1%} of Turkmen beads agree with their tri-unit ({learned})")

    lexicon, releases = jobs.learn_from_folder(directory, get_encoder(encoder, cache), presegmented, report)
    if lexicon is None:
        raise TmError(f"learning from {releases} releases did not help; no model written")
    lexicon.save(output)
    typer.echo(f"wrote {output}: {lexicon.entries()} stem pairs learned from {releases} releases ({lexicon.id})")


@app.command()
@reports_errors
def build(
    corpus_dir: Path,
    db: DB = Path("tm.db"),
    jobs_count: JOBS = 1,
    encoder: ENCODER = DEFAULT_ENCODER,
    cache: CACHE = EMBEDDING_CACHE,
    learn: Annotated[
        bool, typer.Option("--learn", help="then learn a new model from the TM and realign the corpus with it")
    ] = False,
    since: Annotated[str | None, typer.Option(help="only releases dated on or after this day (YYYY-MM-DD)")] = None,
    scheduler: SCHEDULER = None,
    nice: NICE = 10,
    follow_links: FOLLOW_LINKS = False,
) -> None:
    """Read, segment, align and store every release under CORPUS_DIR (with the TM's learned
    model, if it has one). Releases aligned before by another aligner or model are left for
    tm realign."""
    first_day = _iso_day(since) if since else None
    _yield_cpu(nice)
    options = {"learn": learn, "since": first_day, "scheduler": scheduler, "follow_links": follow_links}
    _build_and_report(corpus_dir, db, jobs_count, encoder, cache, **options)


@app.command()
@reports_errors
def realign(
    corpus_dir: Path,
    db: DB = Path("tm.db"),
    jobs_count: JOBS = 1,
    encoder: ENCODER = DEFAULT_ENCODER,
    cache: CACHE = EMBEDDING_CACHE,
    below: Annotated[float | None, typer.Option(help="only releases whose mean unit confidence is under this")] = None,
    older_than: Annotated[
        int | None, typer.Option(help="only releases aligned without a model or with a model version under this")
    ] = None,
    scheduler: SCHEDULER = None,
    nice: NICE = 10,
    follow_links: FOLLOW_LINKS = False,
) -> None:
    """Align again the releases under CORPUS_DIR that the TM holds aligned by another aligner or
    model (tm build leaves them as they are), and store what is new as tm build does."""
    if below is not None and not 0 <= below <= 1:
        raise TmError(f"--below {below} is not a confidence from 0 to 1")
    _yield_cpu(nice)
    options = {"realign": True, "below": below, "older_than": older_than, "scheduler": scheduler}
    options["follow_links"] = follow_links
    _build_and_report(corpus_dir, db, jobs_count, encoder, cache, **options)


def _duration(seconds: float) -> str:
    """A time left as people say it: 40 s, 12 min, 3 h 10 min."""
    seconds = max(0, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds // 3600} h {round(seconds % 3600 / 60)} min"


def _build_and_report(corpus_dir: Path, db: Path, jobs_count: int, encoder: str, cache, **options) -> None:
    from rich.progress import Progress

    from tm import jobs
    from tm.store import TranslationMemory

    started = time.monotonic()

    def advance(name: str, report: jobs.BuildReport) -> None:
        done = report.done
        rate = done / max(time.monotonic() - started, 1e-9)
        left = f", {_duration((report.expected - done) / rate)} left" if report.expected and rate > 0 else ""
        total = f"/{report.expected}" if report.expected else ""
        description = f"{done}{total} releases, {rate:.1f}/s{left}: {name}"
        progress.update(task, completed=done, total=report.expected, description=description)

    with TranslationMemory(db) as tm, Progress(transient=True) as progress:
        task = progress.add_task("aligning", total=None)
        command = shlex.join(["tm", *sys.argv[1:]])
        report = jobs.build(corpus_dir, tm, encoder, jobs_count, advance, cache, command=command, **options)
    typer.echo(f"TM: {db}")
    if report.learned:
        model = report.learned
        typer.echo(f"learned: model {model.version} ({model.id}) from {model.learned_from} releases; realigned with it")
    elif options.get("learn"):
        typer.echo("learned: nothing that helped; the TM keeps its model")
    older = f"; {report.older} dated before {options['since']} left alone" if report.older else ""
    typer.echo(
        f"releases: {report.releases} ({report.added} added, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped{older})"
    )
    if report.outdated:
        typer.echo(f"outdated: {report.outdated} aligned by another aligner or model; tm realign aligns them again")
    typer.echo("languages: " + ", ".join(f"{lang} {report.languages[lang]}" for lang in CODES))
    typer.echo(f"units added: {report.units} ({report.low_confidence} with confidence < {jobs.LOW_CONFIDENCE})")
    for problem in report.skipped:
        typer.echo(f"skipped: {problem}")
    for problem in report.mismatched:
        typer.echo(f"check: {problem}")


@app.command()
@reports_errors
def fetch(
    urls: Annotated[list[str], typer.Argument(help="listings, sitemaps or release pages to start from")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the folder to write releases into")],
    allow: Annotated[
        list[str] | None, typer.Option("--allow", help="another host that may be crawled (repeatable)")
    ] = None,
    rate: Annotated[float, typer.Option(help="requests a second per host", min=0.01)] = 1.0,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", help="stop after this many release pages", min=1)
    ] = None,
    since: SINCE = None,
    lang: Annotated[str, typer.Option("--lang", help="the languages to fetch, comma-separated")] = "tk,ru,en",
    timeout: Annotated[float, typer.Option(help="seconds to wait for a page")] = 20.0,
    db: DB = Path("tm.db"),
) -> None:
    """Crawl the ministry's and embassies' sites into release folders `tm build` reads: politely
    (robots.txt, --rate, backoff), resumably (run it again after a kill) and incrementally (a
    later run asks with ETag/Last-Modified and stores only what changed)."""
    from rich.progress import Progress

    from tm import jobs
    from tm.store import TranslationMemory

    langs = tuple(check_lang(code.strip()) for code in lang.split(",") if code.strip())
    day = dt.date.fromisoformat(since) if since else None
    with TranslationMemory(db) as tm, Progress(transient=True) as progress:
        task = progress.add_task("fetching", total=None)

        def advance(done: int, url: str) -> None:
            progress.update(task, completed=done, description=f"{done} addresses: {url}")

        command = shlex.join(["tm", *sys.argv[1:]])
        options = {"allow": allow or [], "rate": rate, "max_pages": max_pages, "since": day, "langs": langs}
        report = jobs.fetch_into(tm, urls, output, command, timeout=timeout, progress=advance, **options)
    typer.echo(f"{output}: " + report.as_text())
