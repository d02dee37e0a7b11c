"""The termbase's commands: `tm terms` (list), `tm terms extract|add|approve|reject|edit|export|import`,
and `tm qa`, the check of a translated file against the approved terms."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tm.cli.common import DB, app, print_json, reports_errors
from tm.cli.people import USER, _who
from tm.langs import CODES, check_lang

if TYPE_CHECKING:
    from tm.store import Term

terms_app = typer.Typer(
    help="The termbase: names, titles and organisations with their translations, learned from the TM.",
    invoke_without_command=True,
)
app.add_typer(terms_app, name="terms")

TERM = Annotated[int, typer.Argument(help="the entry's id (tm terms)")]
TK = Annotated[str | None, typer.Option("--tk", help="the term in Turkmen")]
RU = Annotated[str | None, typer.Option("--ru", help="the term in Russian")]
EN = Annotated[str | None, typer.Option("--en", help="the term in English")]


def _open(db: Path):
    from tm.store import TranslationMemory

    return TranslationMemory(db, create=False)


def _print_entry(entry: Term) -> None:
    terms = " | ".join(f"{lang} {entry.terms[lang]}" for lang in CODES if lang in entry.terms)
    reviewed = f", {entry.reviewer}" if entry.reviewer else ""
    typer.echo(f"{entry.id:6d}  {entry.status:9s} {entry.count:5d}  {terms}{reviewed}")


@terms_app.callback()
@reports_errors
def terms(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option("--from", help="only entries with a term in this language")] = None,
    target: Annotated[str | None, typer.Option("--to", help="... and in this one")] = None,
    status: Annotated[str | None, typer.Option(help="candidate, approved or rejected")] = None,
    db: DB = Path("tm.db"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the termbase, the most frequent entries first (a subcommand changes it)."""
    if ctx.invoked_subcommand is not None:
        return
    langs = [check_lang(lang) for lang in (source, target) if lang]
    with _open(db) as tm:
        entries = tm.termbase.entries(langs=langs, status=status)
    if as_json:
        print_json([entry.as_json() for entry in entries])
        return
    if not entries:
        typer.echo("no entries (tm terms extract learns them from the TM)")
    for entry in entries:
        _print_entry(entry)


@terms_app.command()
@reports_errors
def extract(
    db: DB = Path("tm.db"),
    min_confidence: Annotated[float, typer.Option(help="learn only from units at least this confident")] = 0.0,
) -> None:
    """Learn candidate entries from the TM's units; reviewed entries are kept as they are."""
    from tm.terms import extract_terms

    with _open(db) as tm:
        counts = extract_terms(tm, min_confidence)
    typer.echo(", ".join(f"{count} {what}" for what, count in counts.items()))


@terms_app.command()
@reports_errors
def add(
    tk: TK = None,
    ru: RU = None,
    en: EN = None,
    db: DB = Path("tm.db"),
    user: USER = None,
) -> None:
    """Add an approved entry: its term in two languages or three."""
    with _open(db) as tm:
        _print_entry(tm.termbase.add({"tk": tk, "ru": ru, "en": en}, _who(user)))


@terms_app.command()
@reports_errors
def approve(term: TERM, db: DB = Path("tm.db"), user: USER = None) -> None:
    """Approve an entry: lookups, pre-translation and `tm qa` then rely on it."""
    with _open(db) as tm:
        _print_entry(tm.termbase.review(term, _who(user), status="approved"))


@terms_app.command()
@reports_errors
def reject(term: TERM, db: DB = Path("tm.db"), user: USER = None) -> None:
    """Reject an entry: it is no longer shown, and extraction does not bring it back."""
    with _open(db) as tm:
        _print_entry(tm.termbase.review(term, _who(user), status="rejected"))


@terms_app.command()
@reports_errors
def edit(
    term: TERM,
    tk: TK = None,
    ru: RU = None,
    en: EN = None,
    db: DB = Path("tm.db"),
    user: USER = None,
) -> None:
    """Rewrite an entry's term in the languages given (an empty one takes that language out)."""
    given = {lang: text for lang, text in {"tk": tk, "ru": ru, "en": en}.items() if text is not None}
    with _open(db) as tm:
        _print_entry(tm.termbase.review(term, _who(user), terms=given))


@terms_app.command("export")
@reports_errors
def export_terms(
    output: Annotated[Path, typer.Option("-o", "--output", help="the file to write")],
    source: Annotated[str, typer.Option("--from", help="the source language (first in the file)")] = "en",
    target: Annotated[str, typer.Option("--to", help="the target language")] = "ru",
    fmt: Annotated[str | None, typer.Option("--format", help="tbx, tsv (OmegaT glossary) or csv")] = None,
    status: Annotated[str | None, typer.Option(help="only entries of this status")] = None,
    db: DB = Path("tm.db"),
) -> None:
    """Write the termbase's entries that have both languages, rejected ones left out unless asked."""
    from tm.formats import termbase

    langs = (check_lang(source), check_lang(target), *(lang for lang in CODES if lang not in (source, target)))
    with _open(db) as tm:
        entries = [e for e in tm.termbase.entries(status=status) if status or e.status != "rejected"]
        written = termbase.write(entries, output, langs, fmt)
    typer.echo(f"{written} entries written to {output}")


@terms_app.command("import")
@reports_errors
def import_terms(
    file: Annotated[Path, typer.Argument(help="a TBX, TSV (OmegaT glossary) or CSV file")],
    source: Annotated[str, typer.Option("--from", help="a TSV's first column")] = "en",
    target: Annotated[str, typer.Option("--to", help="a TSV's second column")] = "ru",
    fmt: Annotated[str | None, typer.Option("--format", help="tbx, tsv or csv; default: the extension")] = None,
    db: DB = Path("tm.db"),
    user: USER = None,
) -> None:
    """Add a termbase file's entries (all or none); an entry already there is merged."""
    from tm.formats import termbase

    entries = termbase.read(file, (check_lang(source), check_lang(target)), fmt)
    with _open(db) as tm:
        counts = tm.termbase.import_entries(entries, _who(user))
    typer.echo(f"{counts['added']} entries added, {counts['merged']} merged, {counts['unchanged']} already there")


@app.command()
@reports_errors
def qa(
    file: Annotated[Path, typer.Argument(help="a translated PO, XLIFF or TMX file")],
    source: Annotated[str, typer.Option("--from")],
    target: Annotated[str, typer.Option("--to")],
    db: DB = Path("tm.db"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Report the segments whose source holds an approved term and whose target lacks its
    translation (in any inflection); exit status 1 when there is one."""
    from tm.pretranslate.qa import check_terms

    with _open(db) as tm:
        problems = check_terms(tm, file, check_lang(source), check_lang(target))
    if as_json:
        print_json([problem.as_json() for problem in problems])
    else:
        for problem in problems:
            typer.echo(f"{file}: {problem.where}: {problem.term!r} should be {problem.expected!r}")
            typer.echo(f"  {source}: {problem.source}\n  {target}: {problem.target}")
        typer.echo(f"{len(problems)} term problems" if problems else "no term problems")
    if problems:
        raise typer.Exit(1)
