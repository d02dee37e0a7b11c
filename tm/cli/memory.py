"""Commands over a TM: runs, report, serve, delete, export, import, stats, pretranslate, check,
backup (those that find what it holds are in `search`)."""

from __future__ import annotations

import dataclasses
import getpass
from pathlib import Path
from typing import Annotated

import typer

from tm.cli.common import COLLECTIONS, DB, SINCE, UNTIL, app, print_json, reports_errors
from tm.errors import TmError
from tm.langs import CODES, check_lang


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
