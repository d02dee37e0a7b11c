"""Commands for reviewers and the people who may change the TM: `tm unit ...`, `tm corrections`,
`tm undo`, `tm user ...`."""

from __future__ import annotations

import dataclasses
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tm.cli.common import DB, app, print_json, reports_errors
from tm.errors import TmError
from tm.langs import CODES

if TYPE_CHECKING:
    from tm.store import TranslationMemory, UnitRecord

unit_app = typer.Typer(
    help="Correct one unit: show, accept, edit, add-language, split, merge, relink, not-translation, delete."
)
user_app = typer.Typer(help="The people who may change the TM through `tm serve`.")
app.add_typer(unit_app, name="unit")
app.add_typer(user_app, name="user")

UNIT = Annotated[int, typer.Argument(help="the unit's id (tm show, the web pages)")]
USER = Annotated[
    str, typer.Option("--user", envvar="TM_USER", help="who makes the correction; default $TM_USER, else the login")
]
EXPECT = Annotated[
    int | None,
    typer.Option("--expect", min=0, help="the version you saw (tm unit show): refuse if the unit has changed since"),
]


def _who(user: str | None) -> str:
    return user or getpass.getuser()


def _print_unit(unit: UnitRecord) -> None:
    reviewed = f", reviewed by {unit.reviewer} {unit.reviewed_at}" if unit.reviewer else ""
    typer.echo(
        f"unit {unit.id}  version {unit.version}  {unit.collection}/{unit.release_id}  {unit.bead_type}"
        f"  {unit.confidence:.2f}{reviewed}"
    )
    for lang in CODES:
        if lang in unit.texts:
            typer.echo(f"  {lang}: {unit.texts[lang]}")


def _correct(db: Path, make: Callable[[TranslationMemory], int]) -> None:
    """Make one correction in the TM at `db` and print what it did."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        correction = make(tm)
        record = tm.correction(correction)
    typer.echo(f"correction {correction}: {record.action}, {len(record.before)} unit(s) -> {len(record.after)}")
    for after in record.after:
        shown = " | ".join(f"{lang}: {text}" for lang, text in after["texts"].items())
        typer.echo(f"  unit {after['id']}  {shown}")


@unit_app.command("show")
@reports_errors
def unit_show(unit_id: UNIT, db: DB = Path("tm.db"), as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A unit: its texts, confidence, release and who reviewed it."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        unit = tm.tri_unit(unit_id)
    print_json(dataclasses.asdict(unit)) if as_json else _print_unit(unit)


@unit_app.command("accept")
@reports_errors
def unit_accept(unit_id: UNIT, db: DB = Path("tm.db"), user: USER = None, expect: EXPECT = None) -> None:
    """Mark the unit right as it stands."""
    from tm import review

    _correct(db, lambda tm: review.accept(tm, unit_id, _who(user), expect))


@unit_app.command("edit")
@reports_errors
def unit_edit(
    unit_id: UNIT,
    tk: Annotated[str | None, typer.Option(help="the new Turkmen text")] = None,
    ru: Annotated[str | None, typer.Option(help="the new Russian text")] = None,
    en: Annotated[str | None, typer.Option(help="the new English text")] = None,
    db: DB = Path("tm.db"),
    user: USER = None,
    expect: EXPECT = None,
) -> None:
    """Replace texts of the unit."""
    from tm import review

    texts = {lang: text for lang, text in (("tk", tk), ("ru", ru), ("en", en)) if text is not None}
    if not texts:
        raise TmError("give the new text with --tk, --ru or --en")
    _correct(db, lambda tm: review.edit(tm, unit_id, texts, _who(user), expect))


@unit_app.command("add-language")
@reports_errors
def unit_add_language(
    unit_id: UNIT,
    tk: Annotated[str | None, typer.Option(help="the Turkmen translation it lacks")] = None,
    ru: Annotated[str | None, typer.Option(help="the Russian translation it lacks")] = None,
    en: Annotated[str | None, typer.Option(help="the English translation it lacks")] = None,
    db: DB = Path("tm.db"),
    user: USER = None,
    expect: EXPECT = None,
) -> None:
    """Give the unit a translation in a language it lacks."""
    from tm import review

    texts = {lang: text for lang, text in (("tk", tk), ("ru", ru), ("en", en)) if text is not None}
    _correct(db, lambda tm: review.add_language(tm, unit_id, texts, _who(user), expect))


@unit_app.command("split")
@reports_errors
def unit_split(
    unit_id: UNIT,
    at: Annotated[
        list[str] | None, typer.Option(help="LANG=N: N sentences of LANG go to the first part (default 1; repeatable)")
    ] = None,
    db: DB = Path("tm.db"),
    user: USER = None,
    expect: EXPECT = None,
) -> None:
    """Split the unit in two."""
    from tm import review

    where = {}
    for item in at or []:
        lang, _, count = item.partition("=")
        if lang not in CODES or not count.isdigit():
            raise TmError(f"--at {item!r}: write LANG=N, LANG one of tk, ru, en")
        where[lang] = int(count)
    _correct(db, lambda tm: review.split(tm, unit_id, _who(user), where, expect))


@unit_app.command("merge")
@reports_errors
def unit_merge(unit_id: UNIT, db: DB = Path("tm.db"), user: USER = None, expect: EXPECT = None) -> None:
    """Join the unit with the next one of its release."""
    from tm import review

    _correct(db, lambda tm: review.merge(tm, unit_id, _who(user), expect))


@unit_app.command("relink")
@reports_errors
def unit_relink(
    unit_id: UNIT,
    lang: Annotated[str, typer.Option(help="the language whose sentences move")],
    to: Annotated[str, typer.Option(help="next or previous: the unit they belong to")] = "next",
    db: DB = Path("tm.db"),
    user: USER = None,
    expect: EXPECT = None,
) -> None:
    """Move one language's sentences of the unit to the unit beside it."""
    from tm import review

    _correct(db, lambda tm: review.relink(tm, unit_id, lang, _who(user), to, expect))


@unit_app.command("not-translation")
@reports_errors
def unit_not_translation(unit_id: UNIT, db: DB = Path("tm.db"), user: USER = None, expect: EXPECT = None) -> None:
    """The unit's sentences are not translations of each other: each stays alone."""
    from tm import review

    _correct(db, lambda tm: review.not_translation(tm, unit_id, _who(user), expect))


@unit_app.command("delete")
@reports_errors
def unit_delete(unit_id: UNIT, db: DB = Path("tm.db"), user: USER = None, expect: EXPECT = None) -> None:
    """Take the unit out of lookups and exports, for good (a rebuild does not bring it back)."""
    from tm import review

    _correct(db, lambda tm: review.delete(tm, unit_id, _who(user), expect))


@app.command("corrections")
@reports_errors
def corrections_command(
    db: DB = Path("tm.db"),
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="how many, newest first")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The corrections made to the TM: who, when, before and after."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        found = tm.corrections(limit)
    if as_json:
        print_json([dataclasses.asdict(c) for c in found])
        return
    for c in found:
        undone = f"  (undone by {c.undone_by} {c.undone_at})" if c.undone_at else ""
        typer.echo(f"{c.id}  {c.at}  {c.user}  {c.action}  {c.collection}/{c.release_id}{undone}")
        for side, units in (("-", c.before), ("+", c.after)):
            for unit in units:
                typer.echo(f"  {side} " + " | ".join(f"{lang}: {text}" for lang, text in unit["texts"].items()))


@app.command("undo")
@reports_errors
def undo_command(
    correction: Annotated[int, typer.Argument(help="the correction's id (tm corrections)")],
    db: DB = Path("tm.db"),
    user: USER = None,
) -> None:
    """Put a release back as it was before a correction (the latest of its release)."""
    from tm import review
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        undone = review.undo(tm, correction, _who(user))
    typer.echo(f"correction {undone.id} ({undone.action}) undone: {undone.collection}/{undone.release_id} is as before")


@user_app.command("add")
@reports_errors
def user_add(
    name: Annotated[str, typer.Argument(help="the user's name")],
    db: DB = Path("tm.db"),
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Add a user (or set a user's password) who may sign in to `tm serve` and change the TM."""
    from tm.store import TranslationMemory

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise TmError("the passwords differ; nothing was changed")
    with TranslationMemory(db, create=False) as tm:
        tm.add_user(name, password)
    typer.echo(f"user {name} can sign in")


@user_app.command("token")
@reports_errors
def user_token(
    name: Annotated[str, typer.Argument(help="the user the token acts as")],
    label: Annotated[str, typer.Option(help="what the token is for")] = "",
    db: DB = Path("tm.db"),
) -> None:
    """A new API token for scripts (`Authorization: Bearer TOKEN`); it is shown only this once."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        typer.echo(tm.new_token(name, label))


@user_app.command("list")
@reports_errors
def user_list(db: DB = Path("tm.db")) -> None:
    """The users who may change the TM."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        for name in tm.users():
            typer.echo(name)


@user_app.command("remove")
@reports_errors
def user_remove(name: Annotated[str, typer.Argument(help="the user")], db: DB = Path("tm.db")) -> None:
    """Take away a user's right to change the TM: their API tokens and web sessions end at once
    (their corrections stay, under their name)."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        tm.remove_user(name)
    typer.echo(f"user {name} removed; their tokens and sessions have ended")


@user_app.command("revoke-token")
@reports_errors
def user_revoke_token(
    name: Annotated[str, typer.Argument(help="the user whose tokens end")],
    label: Annotated[str | None, typer.Option(help="only the tokens with this label (tm user token --label)")] = None,
    db: DB = Path("tm.db"),
) -> None:
    """End a user's API tokens (all of them, or those with one label)."""
    from tm.store import TranslationMemory

    with TranslationMemory(db, create=False) as tm:
        ended = tm.revoke_tokens(name, label)
    typer.echo(f"{ended} token(s) of {name} ended")
