"""What every `tm` command shares: the application, common options, error and JSON output."""

from __future__ import annotations

import json
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer

from tm.errors import TmError

app = typer.Typer(
    help="A Turkmen-Russian-English translation memory.", no_args_is_help=True, pretty_exceptions_enable=False
)

DB = Annotated[Path, typer.Option("--db", envvar="TM_DB", help="TM file (SQLite); default $TM_DB, else tm.db")]
EMBEDDING_CACHE = Path(".tm-cache/embeddings.sqlite")
ENCODER = Annotated[str, typer.Option("--encoder", help="use (bundled), ngram, or st:/path/to/model")]
CACHE = Annotated[Path | None, typer.Option(help="embedding cache file")]
JOBS = Annotated[int, typer.Option("--jobs", help="worker processes")]


def reports_errors(command):
    """Turn a TmError into one line on stderr and exit status 1."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except TmError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None

    return run


def print_json(value) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


COLLECTIONS = Annotated[list[str] | None, typer.Option("--collection", help="only these collections (repeatable)")]


def iso_date(value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


SINCE = Annotated[str | None, typer.Option(help="only releases dated on or after (YYYY-MM-DD)", callback=iso_date)]
UNTIL = Annotated[str | None, typer.Option(help="only releases dated on or before (YYYY-MM-DD)", callback=iso_date)]
