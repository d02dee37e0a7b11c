"""Commands over a TM: lookup, show, concordance, delete, export, import, stats, pretranslate,
check, backup."""

from __future__ import annotations

import dataclasses
import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tm.cli.common import COLLECTIONS, DB, EMBEDDING_CACHE, ENCODER, SINCE, UNTIL, app, print_json, reports_errors
from tm.embed import DEFAULT_ENCODER, get_encoder
from tm.errors import TmError
from tm.langs import CODES, check_lang


def _print_matches(
    matches: list, ids: list, source: str, target: str, as_json: bool, contexts: list | None = None
) -> None:
    contexts = contexts or [[] for _ in matches]
    if as_json:
        shown = [_as_json(m, unit_id) for m, unit_id in zip(matches, ids, strict=True)]
        for match, around in zip(shown, contexts, strict=True):
            if around:
                match["context"] = [dataclasses.asdict(unit) for unit in around]
        print_json(shown)
        return
    for m, unit_id, around in zip(matches, ids, contexts, strict=True):
        score = {"fuzzy": f"{m.ranked}%", "semantic": f"semantic {m.percent}%", "concordance": "found"}[m.kind]
        score += f" via {m.via}" if m.via else ""
        penalty = f" ({m.percent}% less {m.penalty:g} for low alignment confidence)" if m.penalty else ""
        also = f" (+{m.repeats} more)" if m.repeats else ""
        where = f"{m.unit.collection}/{m.unit.release_id} {m.unit.date or ''}".rstrip()
        typer.echo(f"{score}{penalty}  {where}{also}" + (f"  unit {unit_id}" if unit_id else ""))
        typer.echo(f"  {source}: {m.source}\n  {target}: {m.target}")
        if m.diff:
            typer.echo(f"  {'diff' if m.kind == 'fuzzy' else 'in context'}: {m.diff}")
        for flag in m.flags:
            typer.echo(f"  ! {flag}")
        for unit in around:
            mark = ">" if unit.id == m.unit.id else " "
            typer.echo(f"  {mark} {unit.texts[source]} ||| {unit.texts[target]}")


@app.command()
@reports_errors
def lookup(
    text: Annotated[str, typer.Argument(help="the sentence to look up; - reads one a line from stdin")],
    source: Annotated[str, typer.Option("--from")],
    target: Annotated[str, typer.Option("--to")],
    db: DB = Path("tm.db"),
    threshold: Annotated[int, typer.Option(help="lowest match % shown")] = 50,
    top: Annotated[int, typer.Option(help="how many matches")] = 5,
    collections: COLLECTIONS = None,
    since: SINCE = None,
    until: UNTIL = None,
    semantic: Annotated[bool, typer.Option(help="no fuzzy match: offer units that mean the same")] = False,
    around: Annotated[int, typer.Option("--context", help="also show this many units before and after")] = 0,
    encoder_name: ENCODER = DEFAULT_ENCODER,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the TM's best fuzzy matches for TEXT. With TEXT `-`, every line of standard input is
    a query, and each gets one JSON line, in order: {"query": ..., "matches": [...]} (an empty line
    has none), or {"query": ..., "error": ...} for a line no lookup can take."""
    from tm.lookup import Filters, context, query_problem, reviewable_unit, semantic_lookup
    from tm.lookup import bridged_lookup as lookup_matches
    from tm.lookup.fragments import fragments
    from tm.store import TranslationMemory
    from tm.terms import find_terms

    source, target = check_lang(source), check_lang(target)
    filters = Filters(collections, since, until)
    with TranslationMemory(db, create=False) as tm:
        if text == "-":
            for line in sys.stdin:
                # Every line answers, an empty one with no matches, so the output lines up with the
                # input; one query no lookup can take answers with its problem; the batch goes on.
                query = line.strip()
                if not query:
                    answer = {"query": query, "matches": []}
                elif problem := query_problem(query, source):
                    answer = {"query": query, "error": problem}
                else:
                    found = lookup_matches(tm, query, source, target, threshold, top, filters)
                    answer = {
                        "query": query,
                        "matches": [_as_json(m, reviewable_unit(tm, m)) for m in found],
                        "terms": [t.as_json() for t in find_terms(tm, query, source, target)],
                    }
                typer.echo(json.dumps(answer, ensure_ascii=False))
            return
        matches = lookup_matches(tm, text, source, target, threshold, top, filters)
        if not matches and semantic:
            matches = semantic_lookup(tm, text, source, target, get_encoder(encoder_name, EMBEDDING_CACHE), top)
        contexts = [context(tm, m.unit, source, target, around) if around else [] for m in matches]
        ids = [reviewable_unit(tm, m) for m in matches]
        terms = find_terms(tm, text, source, target)
        pieces = [] if matches or as_json else fragments(tm, text, source, target, filters)
    if not matches and not as_json:
        typer.echo(f"no match at or above {threshold}%")
    _print_matches(matches, ids, source, target, as_json, contexts)
    if terms and not as_json:
        typer.echo("terms:")
        for term in terms:
            status = "" if term.term.status == "approved" else f"  ({term.term.status})"
            typer.echo(f"  {term.found} -> {term.translation}{status}")
    if pieces:
        typer.echo("pieces the TM holds:")
        for piece in pieces:
            typer.echo(f"  {piece.piece}\n    {source}: {piece.match.diff}\n    {target}: {piece.match.target}")
    if not getattr(matches, "complete", True) and not as_json:
        typer.echo("(the lookup stopped at its time budget: a better match may exist)")


def _as_json(match, unit_id: int | None) -> dict:
    """A match as JSON; `unit_id` is the id `tm unit` takes (`unit.id` is the pairwise unit's)."""
    return dataclasses.asdict(match) | {"ranked": match.ranked, "unit_id": unit_id}


@app.command()
@reports_errors
def show(
    release: Annotated[str, typer.Argument(help="COLLECTION/RELEASE_ID, as tm stats and lookups print it")],
    db: DB = Path("tm.db"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print a release's units side by side, in document order, with their confidence; sentences
    with no counterpart too."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        found = tm.release_named(release)
        if found is None:
            raise TmError(f"no release {release!r} in the TM (tm releases lists them)")
        units = tm.release_view(tm.release_key(*found))
    if as_json:
        print_json([dataclasses.asdict(unit) for unit in units])
        return
    for unit in units:
        texts = " ||| ".join(unit.texts.get(lang, "-") for lang in CODES)
        # A sentence with no counterpart has no alignment to be confident about.
        confidence = f"{unit.confidence:.2f}" if len(unit.texts) > 1 else "  - "
        typer.echo(f"[{confidence} {unit.bead_type}] {texts}")


@app.command("releases")
@reports_errors
def releases_command(
    db: DB = Path("tm.db"),
    collection: Annotated[str | None, typer.Option(help="only this collection's")] = None,
    since: SINCE = None,
    flagged: Annotated[bool, typer.Option("--flagged", help="only releases whose versions may not be one")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The releases the TM holds, as tm show takes them: COLLECTION/ID, date, languages, units."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        found = tm.releases(collection, since, flagged)
    if as_json:
        print_json(found)
        return
    for release in found:
        flag = f"  ! {release['flag']}" if release["flag"] else ""
        typer.echo(
            f"{release['collection']}/{release['release_id']}  {release['date'] or '-':10}  {release['languages']}"
            f"  {release['units']} units{flag}"
        )


@app.command("runs")
@reports_errors
def runs_command(db: DB = Path("tm.db"), as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the builds recorded in the TM, newest first: when, what, and what came of it."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        runs = tm.runs()
    if as_json:
        print_json([dataclasses.asdict(run) | {"status": run.status} for run in runs])
        return
    for run in runs:
        counts = (
            f"added {run.added}, unchanged {run.unchanged}, skipped {run.skipped}, flagged {run.flagged}"
            if run.ended
            else "no end recorded (killed, or still running)"
        )
        model = f", model {run.model}" if run.model else ""
        typer.echo(f"{run.id}  {run.started}  {run.status}  {counts}{model}  {run.command}")
        if run.error:
            typer.echo(f"   error: {run.error}")
        for problem in run.problems:
            typer.echo(f"   {problem['kind']}: {problem['release']}: {problem['problem']}")


@app.command("report")
@reports_errors
def report_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="the HTML page to write")] = Path("report.html"),
    run: Annotated[int | None, typer.Option("--run", help="the run whose problems to list (default: latest)")] = None,
    db: DB = Path("tm.db"),
) -> None:
    """Write one self-contained HTML page on the TM and a build (charts inline), and its tables
    as CSV beside it."""
    from tm.report import build_report, write_report
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        report = build_report(tm, run)
    for path in write_report(report, output):
        typer.echo(f"wrote {path}")


@app.command("serve")
@reports_errors
def serve(
    db: DB = Path("tm.db"),
    host: Annotated[str, typer.Option(help="address to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    exports: Annotated[Path, typer.Option(help="the folder whose files can be downloaded")] = Path("exports"),
) -> None:
    """Serve the TM as web pages (search, releases, review, corrections, import and export,
    overview) with their JSON twins and the tmserver protocol. Reading is open; changes need a user
    (`tm user add`). Needs the `web` extra."""
    from tm.store import TranslationMemory

    try:
        import uvicorn

        from tm.web import create_app
    except ImportError as error:
        raise TmError("tm serve needs `pip install -e '.[web]'` (FastAPI, uvicorn, itsdangerous)") from error
    with TranslationMemory(db, create=False):
        pass  # a missing or foreign file is reported here, in one line, not on the first request
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"tm serve: {db} at http://{shown}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_app(db, exports), host=host, port=port, log_level="warning")


@app.command("concordance")
@reports_errors
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
    from tm.lookup import Filters, concordance, concordance_elsewhere, reviewable_unit
    from tm.store import TranslationMemory

    source, target = check_lang(source), check_lang(target)
    filters = Filters(collections, since, until)
    with TranslationMemory(db, create=False) as tm:
        matches = concordance(tm, phrase, source, target, top, filters)
        ids = [reviewable_unit(tm, m) for m in matches]
        elsewhere = [] if matches or as_json else concordance_elsewhere(tm, phrase, source, target, filters)
    if not matches and not as_json:
        where = f"; found with {', '.join(elsewhere)} (--to {elsewhere[0]})" if elsewhere else ""
        typer.echo(f"{phrase!r} not found in {source}-{target} units{where}")
    _print_matches(matches, ids, source, target, as_json)


@app.command()
@reports_errors
def delete(
    collection: Annotated[str, typer.Option("--collection", help="collection to delete from")],
    release: Annotated[str | None, typer.Option("--release", help="only this release")] = None,
    db: DB = Path("tm.db"),
) -> None:
    """Remove a release (or a whole collection) and all its units from the TM."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        removed = tm.delete(collection, release)
    typer.echo(f"removed {removed} release(s)")


@app.command("export")
@reports_errors
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
    from tm import formats
    from tm.store import TranslationMemory

    langs = (check_lang(source), check_lang(target)) if source and target else CODES
    options = formats.ExportOptions(langs, region_codes=not bare_codes, dedupe=dedupe, include_flagged=include_flagged)
    with TranslationMemory(db, create=False) as tm:
        count = formats.export_tm(tm, output, options, output_format, min_confidence, collections, since, until)
    typer.echo(f"wrote {count} units to {output}")


@app.command("import")
@reports_errors
def import_command(
    file: Path,
    input_format: Annotated[str | None, typer.Option("--format")] = None,
    db: DB = Path("tm.db"),
    corrections: Annotated[
        bool,
        typer.Option(
            "--corrections", help="the file is an export of this TM, corrected: edit the units it names, add nothing"
        ),
    ] = False,
    user: Annotated[str | None, typer.Option("--user", envvar="TM_USER", help="who made the corrections")] = None,
) -> None:
    """Import a TMX, PO, CSV or Excel file into the TM (all or nothing)."""
    from tm import formats, review
    from tm.store import TranslationMemory

    if corrections:
        with TranslationMemory(db, create=False) as tm:
            found = review.corrections_from_file(tm, file, user or getpass.getuser(), input_format)
        typer.echo(f"corrected {found.corrected} units; {found.unchanged} as they are in the TM")
        for reason, count in found.left.items():
            typer.echo(f"  left {count}: {reason}")
        return
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
@reports_errors
def stats(db: DB = Path("tm.db"), as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts by language pair, bead type, confidence band and collection."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        result, flagged = tm.stats(), tm.flagged()
    if as_json:
        print_json(
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


@app.command("pretranslate")
@reports_errors
def pretranslate_command(
    file: Path,
    source: Annotated[str, typer.Option("--from")],
    target: Annotated[str, typer.Option("--to")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="default: FILE.<to>.po/.xlf, or .tsv for text")
    ] = None,
    db: DB = Path("tm.db"),
    threshold: Annotated[int, typer.Option(help="lowest match % filled in (marked for review)")] = 75,
    report: Annotated[str, typer.Option(help="analysis as text or json")] = "text",
) -> None:
    """Fill a PO, XLIFF 1.2/2.0 or text file (one segment a line) from the TM, and print the analysis:
    segments and words per match band and the repetitions inside the file."""
    from tm.pretranslate import kind_of, pretranslate
    from tm.store import TranslationMemory

    source, target = check_lang(source), check_lang(target)
    if report not in ("text", "json"):
        raise TmError(f"unknown --report {report!r}; choose text or json")
    if not 0 <= threshold <= 100:
        raise TmError(f"--threshold {threshold} is not a percentage (0-100)")
    if output is None:
        suffix = ".tsv" if kind_of(file) == "text" else file.suffix
        output = file.with_name(f"{file.stem}.{target}{suffix}")
    with TranslationMemory(db, create=False) as tm:
        analysis = pretranslate(tm, file, source, target, output, threshold)
    if report == "json":
        print_json(analysis.as_json() | {"output": str(output)})
        return
    typer.echo(analysis.as_text())
    typer.echo(f"wrote {output}")


@app.command()
@reports_errors
def check(db: DB = Path("tm.db")) -> None:
    """Check the TM file: SQLite integrity, broken links between its tables, units whose sentences
    are missing, and the saved lookup indexes. Exit status 1 when something is wrong."""
    from tm.lookup import saved_index_problems
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        problems, notes = tm.check(), saved_index_problems(tm)
    for line in [*problems, *notes]:
        typer.echo(line)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{db}: sound")


@app.command()
@reports_errors
def backup(output: Annotated[Path, typer.Option("-o", "--output")], db: DB = Path("tm.db")) -> None:
    """Copy the TM to OUTPUT while builds and lookups may go on (SQLite's online backup)."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        tm.backup(output)
    typer.echo(f"backed up {db} to {output}")
