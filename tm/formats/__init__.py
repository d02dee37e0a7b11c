"""File formats behind one registry: each module has read(path) and write(units, path, options)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType

from tm.errors import InputError, TmError
from tm.files import replacing
from tm.formats.model import ExportOptions, ImportedUnit, ReadReport

FORMATS = {"tmx": "tm.formats.tmx", "po": "tm.formats.po", "csv": "tm.formats.table", "xlsx": "tm.formats.table"}

__all__ = ["FORMATS", "ExportOptions", "ImportedUnit", "ReadReport", "format_for", "get_format"]


def get_format(name: str) -> ModuleType:
    if name not in FORMATS:
        raise TmError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return import_module(FORMATS[name])


def format_for(path: Path, name: str | None = None) -> str:
    """The format named, or the one the file's extension says."""
    guess = name or Path(path).suffix.lower().lstrip(".")
    if guess not in FORMATS:
        raise TmError(f"cannot tell the format of {path}; use --format ({', '.join(FORMATS)})")
    return guess


def export_tm(
    tm,
    path: Path,
    options: ExportOptions,
    fmt: str | None = None,
    min_confidence: float = 0.0,
    collections: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> int:
    """Write the TM's units to `path`, filtered by confidence, collections and release date
    (ISO, inclusive), without flagged releases unless the options ask; returns the units written."""
    module = get_format(format_for(path, fmt))
    path = Path(path)
    _refuse_to_overwrite_a_database(path)
    units = tm.units(options.langs, min_confidence, collections, since, until, include_flagged=options.include_flagged)
    try:
        with replacing(path) as temporary:
            return module.write(units, temporary, options)
    except OSError as error:
        raise TmError(f"cannot write the export ({error.strerror}); nothing was changed", path) from error


def _refuse_to_overwrite_a_database(path: Path) -> None:
    """An export never replaces an SQLite file (`-o tm.db` would destroy the TM), nor anything
    that is not a plain file (`-o /dev/full`)."""
    if path.exists() and not path.is_file():
        raise TmError("is not a plain file; refusing to replace it with an export", path)
    try:
        with open(path, "rb") as existing:
            header = existing.read(16)
    except OSError:
        return  # nothing there, or nothing readable: writing will say what is wrong
    if header == b"SQLite format 3\0":
        raise TmError("is an SQLite file (the TM?); refusing to overwrite it with an export", path)


def import_file(
    tm, path: Path, fmt: str | None = None, collection: str = "import", name: str | None = None
) -> ReadReport:
    """Stream a file into the TM inside one transaction: a bad file changes nothing.

    An import is identified by `name`, by default the file's full path: importing under the same
    name again replaces the earlier import (counted in `report.replaced`); a file whose content was
    imported before, under any name, imports nothing (`report.same_as` names it)."""
    path = Path(path)
    if not path.is_file():
        raise TmError("file not found", path)
    report = ReadReport()
    digest = file_hash(path)
    with tm.transaction():
        report.same_as = tm.find_release(collection, digest)
        if report.same_as is None:
            units = checked(get_format(format_for(path, fmt)).read(path, report), path)
            report.imported, report.replaced = tm.add_imported(collection, name or str(path.resolve()), units, digest)
    return report


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return "file:" + digest.hexdigest()


def checked(units: Iterator[ImportedUnit], path: Path) -> Iterator[ImportedUnit]:
    """The units, refusing the whole file at the first confidence that is not a number in [0, 1]."""
    for number, unit in enumerate(units, 1):
        stated = unit.properties.get("x-confidence")
        if stated:
            try:
                value = float(stated)
            except ValueError:
                value = math.nan
            if not 0.0 <= value <= 1.0:
                raise InputError(f"unit {number}: confidence {stated!r} is not a number from 0 to 1", path)
        yield unit
