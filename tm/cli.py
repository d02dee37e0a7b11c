"""The `tm` command: each command parses options, makes one library call and prints."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer

from tm import formats, jobs
from tm.align import as_beads, as_pairs
from tm.corpus import read_document
from tm.corpus.group import group_pages
from tm.embed import DEFAULT_ENCODER, get_encoder
from tm.errors import TmError
from tm.langs import CODES, check_lang
from tm.lookup import Filters, concordance, semantic_lookup
from tm.lookup import lookup as lookup_matches
from tm.segment import split
from tm.store import TranslationMemory

app = typer.Typer(
    help="A Turkmen-Russian-English translation memory.", no_args_is_help=True, pretty_exceptions_enable=False
)

DB = Annotated[Path, typer.Option("--db", help="TM file (SQLite)")]
EMBEDDING_CACHE = Path(".tm-cache/embeddings.sqlite")
ENCODER = Annotated[str, typer.Option("--encoder", help="use (bundled), ngram, or st:/path/to/model")]


def _reports_errors(command):
    """Turn a TmError into one line on stderr and exit status 1."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except TmError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None

    return run


def _json(value) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@app.command()
@_reports_errors
def segment(file: Path, lang: Annotated[str, typer.Option("--lang", help="tk, ru or en")]) -> None:
    """Print the sentences of FILE, one per line."""
    document = read_document(file, check_lang(lang))
    for sentence in split(document.text, lang):
        typer.echo(sentence)


@app.command()
@_reports_errors
def extract(
    file: Path,
    show_removed: Annotated[bool, typer.Option("--show-removed", help="also list the lines removed, and why")] = False,
) -> None:
    """Print the language, title, date and paragraphs of a saved page as JSON."""
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
    _json(extracted)


@app.command("group")
@_reports_errors
def group_command(
    directory: Path,
    output_format: Annotated[str, typer.Option("--format", help="json or text")] = "text",
    encoder: ENCODER = DEFAULT_ENCODER,
    cache: Annotated[Path | None, typer.Option(help="embedding cache file")] = EMBEDDING_CACHE,
) -> None:
    """Group the page files below DIRECTORY (any names, any nesting) into releases and print them."""
    if output_format not in ("json", "text"):
        raise TmError(f"unknown --format {output_format!r}; choose json or text")
    grouping = group_pages(directory, get_encoder(encoder, cache).encode)
    for problem in grouping.skipped:
        typer.echo(f"skipped: {problem}", err=True)
    if output_format == "json":
        _json([release.as_json() for release in grouping.releases])
        return
    for release in grouping.releases:
        score = "     " if release.score is None else f"{release.score:.2f} "
        files = "  ".join(f"{lang}={path}" for lang, path in release.files.items())
        copies = f"  (copies: {', '.join(release.copies)})" if release.copies else ""
        typer.echo(f"{score}{files}{copies}")


@app.command()
@_reports_errors
def align(
    doc_dir: Path,
    presegmented: Annotated[bool, typer.Option(help="read {lang}.sent.txt, one sentence per line")] = False,
    output_format: Annotated[str, typer.Option("--format", help="json or text")] = "json",
    pairs: Annotated[bool, typer.Option("--pairs", help="also print the finest pairwise beads")] = False,
    encoder: ENCODER = DEFAULT_ENCODER,
) -> None:
    """Align the tk/ru/en versions in DOC_DIR and print the aligned units."""
    alignment = jobs.align_folder(doc_dir, get_encoder(encoder), presegmented)
    beads = as_beads(alignment)
    if output_format == "json":
        _json({"beads": beads, "pairs": as_pairs(alignment)} if pairs else beads)
        return
    for bead in beads:
        typer.echo(f"[{bead['score']:.2f}] " + " ||| ".join(" ".join(t) for t in bead["text"].values()))


@app.command()
@_reports_errors
def build(
    corpus_dir: Path,
    db: DB = Path("tm.db"),
    jobs_count: Annotated[int, typer.Option("--jobs", help="worker processes")] = 1,
    encoder: ENCODER = DEFAULT_ENCODER,
    cache: Annotated[Path | None, typer.Option(help="embedding cache file")] = EMBEDDING_CACHE,
) -> None:
    """Read, segment, align and store every release under CORPUS_DIR."""
    from rich.progress import Progress

    with TranslationMemory(db) as tm, Progress(transient=True) as progress:
        task = progress.add_task("aligning", total=None)
        report = jobs.build(
            corpus_dir,
            tm,
            encoder,
            jobs_count,
            cache=cache,
            progress=lambda name, _r: progress.update(task, advance=1, description=name),
        )
    typer.echo(f"TM: {db}")
    typer.echo(
        f"releases: {report.releases} ({report.added} added, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped)"
    )
    typer.echo("languages: " + ", ".join(f"{lang} {report.languages[lang]}" for lang in CODES))
    typer.echo(f"units added: {report.units} ({report.low_confidence} with confidence < {jobs.LOW_CONFIDENCE})")
    for problem in report.skipped:
        typer.echo(f"skipped: {problem}")
    for problem in report.mismatched:
        typer.echo(f"check: {problem}")


COLLECTIONS = Annotated[list[str] | None, typer.Option("--collection", help="only these collections (repeatable)")]


def _iso_date(value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


SINCE = Annotated[str | None, typer.Option(help="only releases dated on or after (YYYY-MM-DD)", callback=_iso_date)]
UNTIL = Annotated[str | None, typer.Option(help="only releases dated on or before (YYYY-MM-DD)", callback=_iso_date)]


def _print_matches(matches: list, source: str, target: str, as_json: bool) -> None:
    if as_json:
        _json([dataclasses.asdict(m) for m in matches])
        return
    for m in matches:
        score = {"fuzzy": f"{m.percent}%", "semantic": f"semantic {m.percent}%", "concordance": "found"}[m.kind]
        penalty = f" (-{m.penalty:g} low alignment confidence)" if m.penalty else ""
        also = f" (+{len(m.also_in)} more)" if m.also_in else ""
        typer.echo(f"{score}{penalty}  {m.unit.collection}/{m.unit.release_id} {m.unit.date or ''}{also}".rstrip())
        typer.echo(f"  {source}: {m.source}\n  {target}: {m.target}")
        if m.diff:
            typer.echo(f"  {'diff' if m.kind == 'fuzzy' else 'in context'}: {m.diff}")
        for flag in m.flags:
            typer.echo(f"  ! {flag}")


@app.command()
@_reports_errors
def lookup(
    text: str,
    source: Annotated[str, typer.Option("--from")],
    target: Annotated[str, typer.Option("--to")],
    db: DB = Path("tm.db"),
    threshold: Annotated[int, typer.Option(help="lowest match % shown")] = 50,
    top: Annotated[int, typer.Option(help="how many matches")] = 5,
    collections: COLLECTIONS = None,
    since: SINCE = None,
    until: UNTIL = None,
    semantic: Annotated[bool, typer.Option(help="no fuzzy match: offer units that mean the same")] = False,
    encoder_name: ENCODER = DEFAULT_ENCODER,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the TM's best fuzzy matches for TEXT."""
    source, target = check_lang(source), check_lang(target)
    filters = Filters(collections, since, until)
    with TranslationMemory(db, create=False) as tm:
        matches = lookup_matches(tm, text, source, target, threshold, top, filters)
        if not matches and semantic:
            matches = semantic_lookup(tm, text, source, target, get_encoder(encoder_name, EMBEDDING_CACHE), top)
    if not matches and not as_json:
        typer.echo(f"no match at or above {threshold}%")
    _print_matches(matches, source, target, as_json)


@app.command("concordance")
@_reports_errors
def concordance_command(
    phrase: str,
    source: Annotated[str, typer.Option("--lang", help="language of PHRASE")],
    target: Annotated[str, typer.Option("--to")],
    db: DB = Path("tm.db"),
    top: Annotated[int, typer.Option(help="how many units")] = 20,
    collections: COLLECTIONS = None,
    since: SINCE = None,
    until: UNTIL = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show units whose text holds PHRASE (any inflected form of its words), with translations."""
    source, target = check_lang(source), check_lang(target)
    with TranslationMemory(db, create=False) as tm:
        matches = concordance(tm, phrase, source, target, top, Filters(collections, since, until))
    if not matches and not as_json:
        typer.echo(f"{phrase!r} not found")
    _print_matches(matches, source, target, as_json)


@app.command()
@_reports_errors
def delete(
    collection: Annotated[str, typer.Option("--collection", help="collection to delete from")],
    release: Annotated[str | None, typer.Option("--release", help="only this release")] = None,
    db: DB = Path("tm.db"),
) -> None:
    """Remove a release (or a whole collection) and all its units from the TM."""
    with TranslationMemory(db, create=False) as tm:
        removed = tm.delete(collection, release)
    typer.echo(f"removed {removed} release(s)")


@app.command("export")
@_reports_errors
def export_command(
    output: Annotated[Path, typer.Option("-o", "--output")],
    output_format: Annotated[str | None, typer.Option("--format", help="tmx, po, csv, xlsx")] = None,
    source: Annotated[str | None, typer.Option("--from")] = None,
    target: Annotated[str | None, typer.Option("--to")] = None,
    db: DB = Path("tm.db"),
    min_confidence: Annotated[float, typer.Option(help="leave out units below this")] = 0.0,
    bare_codes: Annotated[bool, typer.Option(help="TMX: tk/ru/en instead of tk-TM/ru-RU/en-US")] = False,
    dedupe: Annotated[bool, typer.Option(help="PO: merge identical sources")] = False,
    include_flagged: Annotated[
        bool, typer.Option(help="also export the units of releases flagged as maybe not one release")
    ] = False,
    collections: COLLECTIONS = None,
    since: SINCE = None,
    until: UNTIL = None,
) -> None:
    """Write the TM (or one language pair of it) as TMX, PO, CSV or Excel."""
    langs = (check_lang(source), check_lang(target)) if source and target else CODES
    options = formats.ExportOptions(langs, region_codes=not bare_codes, dedupe=dedupe, include_flagged=include_flagged)
    with TranslationMemory(db, create=False) as tm:
        count = formats.export_tm(tm, output, options, output_format, min_confidence, collections, since, until)
    typer.echo(f"wrote {count} units to {output}")


@app.command("import")
@_reports_errors
def import_command(
    file: Path,
    input_format: Annotated[str | None, typer.Option("--format")] = None,
    db: DB = Path("tm.db"),
) -> None:
    """Import a TMX, PO, CSV or Excel file into the TM (all or nothing)."""
    with TranslationMemory(db) as tm:
        report = formats.import_file(tm, file, input_format)
    if report.same_as:
        typer.echo(f"nothing imported: the same file was imported before as {report.same_as}")
        return
    if report.replaced:
        typer.echo(f"replaced the earlier import of {file.resolve()} ({report.replaced} units)")
    skipped = sum(report.skipped.values())
    typer.echo(f"read {report.read}, imported {report.imported}, skipped {skipped}")
    for reason, count in report.skipped.items():
        typer.echo(f"  skipped {count}: {reason}")
    for reason, count in report.left_out.items():
        typer.echo(f"  left out {count} language version(s): {reason}")


@app.command()
@_reports_errors
def stats(db: DB = Path("tm.db"), as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts by language pair, bead type, confidence band and collection."""
    with TranslationMemory(db, create=False) as tm:
        result, flagged = tm.stats(), tm.flagged()
    if as_json:
        _json(
            dataclasses.asdict(result)
            | {"flagged_releases": [dict(zip(("collection", "release", "why"), f, strict=True)) for f in flagged]}
        )
        return
    typer.echo(f"releases: {result.releases} ({result.flagged} flagged)\nunits: {result.units}")
    for title, counts in [
        ("pairs", result.by_pair),
        ("bead types", result.by_bead_type),
        ("confidence", result.by_confidence),
        ("collections", result.by_collection),
    ]:
        typer.echo(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for collection, release, why in flagged:
        typer.echo(f"flagged: {collection}/{release}: {why} (its units are left out of exports)")


def main() -> None:
    app(sys.argv[1:])
