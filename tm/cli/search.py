"""Commands that find what the TM holds: lookup, concordance, show, releases."""

from __future__ import annotations

import dataclasses
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
        typer.echo(_heading(m, unit_id))
        typer.echo(f"  {source}: {m.source}\n  {target}: {m.target}")
        if m.diff:
            typer.echo(f"  {'diff' if m.kind == 'fuzzy' else 'in context'}: {m.diff}")
        for flag in m.flags:
            typer.echo(f"  ! {flag}")
        for unit in around:
            mark = ">" if unit.id == m.unit.id else " "
            typer.echo(f"  {mark} {unit.texts[source]} ||| {unit.texts[target]}")


def _heading(m, unit_id: int | None) -> str:
    """A match's first line: its score (and penalty), where it comes from, its unit."""
    score = {"fuzzy": f"{m.ranked}%", "semantic": f"semantic {m.percent}%", "concordance": "found"}[m.kind]
    score += f" via {m.via}" if m.via else ""
    penalty = f" ({m.percent}% less {m.penalty:g} for low alignment confidence)" if m.penalty else ""
    also = f" (+{m.repeats} more)" if m.repeats else ""
    where = f"{m.unit.collection}/{m.unit.release_id} {m.unit.date or ''}".rstrip()
    return f"{score}{penalty}  {where}{also}" + (f"  unit {unit_id}" if unit_id else "")


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
    from tm.lookup import Filters, context, reviewable_unit, semantic_lookup
    from tm.lookup import bridged_lookup as lookup_matches
    from tm.lookup.fragments import fragments
    from tm.store import TranslationMemory
    from tm.terms import find_terms

    source, target = check_lang(source), check_lang(target)
    filters = Filters(collections, since, until)
    with TranslationMemory(db, create=False) as tm:
        if text == "-":
            _answer_lines(tm, source, target, threshold, top, filters)
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
    if not as_json:
        _print_extras(terms, pieces, source, target, getattr(matches, "complete", True))


def _print_extras(terms: list, pieces: list, source: str, target: str, complete: bool) -> None:
    """What else the TM offers for the text: its terms, and the pieces it holds word for word."""
    if terms:
        typer.echo("terms:")
        for term in terms:
            status = "" if term.term.status == "approved" else f"  ({term.term.status})"
            typer.echo(f"  {term.found} -> {term.translation}{status}")
    if pieces:
        typer.echo("pieces the TM holds:")
        for piece in pieces:
            typer.echo(f"  {piece.piece}\n    {source}: {piece.match.diff}\n    {target}: {piece.match.target}")
    if not complete:
        typer.echo("(the lookup stopped at its time budget: a better match may exist)")


def _answer_lines(tm, source: str, target: str, threshold: int, top: int, filters) -> None:
    """One JSON line for every line of standard input, in order."""
    from tm.lookup import bridged_lookup, query_problem, reviewable_unit
    from tm.terms import find_terms

    for line in sys.stdin:
        # Every line answers, an empty one with no matches, so the output lines up with the
        # input; one query no lookup can take answers with its problem; the batch goes on.
        query = line.strip()
        if not query:
            answer = {"query": query, "matches": []}
        elif problem := query_problem(query, source):
            answer = {"query": query, "error": problem}
        else:
            found = bridged_lookup(tm, query, source, target, threshold, top, filters)
            answer = {
                "query": query,
                "matches": [_as_json(m, reviewable_unit(tm, m)) for m in found],
                "terms": [t.as_json() for t in find_terms(tm, query, source, target)],
            }
        typer.echo(json.dumps(answer, ensure_ascii=False))


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
