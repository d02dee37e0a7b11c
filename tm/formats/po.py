"""PO files per language pair through polib: msgid is the source, msgstr the target."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import polib

from tm._version import __version__
from tm.errors import InputError
from tm.formats.model import ExportOptions, ImportedUnit, ReadReport
from tm.langs import LANGUAGES, from_any
from tm.store import StoredUnit

_COMMENT = re.compile(r"confidence (?P<confidence>[0-9.]+)(?:; (?P<url>\S+))?$")


def write(units: Iterable[StoredUnit], path: Path, options: ExportOptions) -> int:
    if len(options.langs) != 2:
        raise InputError("PO needs one language pair: give --from and --to", path)
    source, target = options.langs
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"tm {__version__}",
        "POT-Creation-Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000"),
        "PO-Revision-Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000"),
        "Last-Translator": "tm <tm@localhost>",
        "Language-Team": LANGUAGES[target].name,
        "Language": LANGUAGES[target].gettext,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "X-Source-Language": LANGUAGES[source].gettext,
    }
    seen: dict[str, polib.POEntry] = {}
    for unit in units:
        # A unit imported from a PO file keeps that file's references, context and URL.
        name = f"{unit.collection}/{unit.release_id}"  # may hold spaces: whole in msgctxt, split in `#:`
        references = unit.props.get("x-references", name).split()
        msgid = unit.texts[source]
        if options.dedupe and msgid in seen:
            seen[msgid].occurrences += [(reference, "") for reference in references]
            continue
        url = unit.url or unit.props.get("x-url")
        entry = polib.POEntry(
            msgid=msgid,
            msgstr=unit.texts[target],
            msgctxt=None if options.dedupe else unit.props.get("msgctxt", f"{name}#{unit.id}"),
            comment=f"confidence {unit.confidence:.2f}"
            + (f"; reviewed by {unit.reviewer}" if unit.reviewer else "")
            + (f"; {url}" if url else ""),
            occurrences=[(reference, "") for reference in references],
            flags=["fuzzy"] if unit.confidence < options.fuzzy_below and not unit.reviewer else [],
        )
        seen[msgid] = entry
        po.append(entry)
    po.save(str(path))
    return len(po)


_QUOTED_LINE = re.compile(r'^(?:#~\s*)?(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"')
_CLOSED = re.compile(r'(?<!\\)(?:\\\\)*"\s*$')


def _check_strings(path: Path) -> None:
    """Refuse a string left open: polib would read it without its last character."""
    try:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                start = _QUOTED_LINE.match(line)
                if start and not _CLOSED.search(line[start.end() :]):
                    raise InputError("a string is not closed with a quote", path, number)
    except OSError as error:
        raise InputError(f"not a readable PO file ({error.strerror})", path) from error


def read(path: Path, report: ReadReport) -> Iterator[ImportedUnit]:
    """Yield the translated entries as units, counting into `report`."""
    _check_strings(path)
    try:
        po = polib.pofile(str(path))
    except (OSError, ValueError) as error:
        raise InputError(f"not a readable PO file ({error})", path) from error
    target = from_any(po.metadata.get("Language", ""))
    source = from_any(po.metadata.get("X-Source-Language", "en")) or "en"
    if target is None:
        raise InputError("PO header has no Language of ours (tk, ru or en)", path)
    for entry in po:
        report.read += 1
        if entry.msgid_plural:
            report.skipped["plural forms (a unit holds one sentence a language)"] += 1
            continue
        if entry.obsolete or not entry.msgstr:
            report.skipped["untranslated or obsolete"] += 1
            continue
        yield ImportedUnit({source: entry.msgid, target: entry.msgstr}, _properties(entry))


def _properties(entry: polib.POEntry) -> dict[str, str]:
    """Confidence, URL, references and context of an entry, as our own export writes them."""
    stated = _COMMENT.match(entry.comment or "")
    props = {"x-confidence": stated["confidence"] if stated else "0.4" if entry.fuzzy else "1.0"}
    if stated and stated["url"]:
        props["x-url"] = stated["url"]
    if entry.occurrences:
        props["x-references"] = " ".join(path for path, _line in entry.occurrences)
    if entry.msgctxt:
        props["msgctxt"] = entry.msgctxt
    return props
