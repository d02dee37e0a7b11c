"""CSV and Excel through pandas, for reviewing alignments in a spreadsheet.

CSV is written and read in chunks, so its size is not bounded by memory; an Excel sheet
holds at most EXCEL_ROWS rows, and a larger export is refused before anything is written.

A text a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return, the OWASP list) is written with a leading apostrophe, as is a text that itself starts
with an apostrophe; reading a table takes that one apostrophe off again, so export -> import
keeps every segment exact. A control character Excel cannot store refuses an Excel export with
the release it is in (CSV and TMX keep it).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from tm.errors import InputError, TmError
from tm.formats.model import ExportOptions, ImportedUnit, ReadReport
from tm.langs import CODES
from tm.store import StoredUnit, batched

COLUMNS = ["collection", "release", "date", "url", *CODES, "bead_type", "confidence", "reviewed_by", "unit"]
EXCEL_ROWS = 1_048_575  # the sheet's 1,048,576 rows, less the header
CHUNK = 10_000
# A full sheet of three long segments a row unpacks to about 1 GiB of XML; more is not a TM.
XLSX_UNPACKED_LIMIT = 2 << 30


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def as_cell(text: str | None) -> str | None:
    """`text` safe in a spreadsheet cell: never read as a formula (see the module docstring)."""
    if text and text.startswith((*FORMULA_STARTS, "'")):
        return "'" + text
    return text


def from_cell(text: str) -> str:
    """The text `as_cell` was given."""
    if text.startswith("'") and text[1:2] and text[1:].startswith((*FORMULA_STARTS, "'")):
        return text[1:]
    return text


def _frame(units: Iterable[StoredUnit]) -> pd.DataFrame:
    rows = [
        {
            "collection": as_cell(u.collection),
            "release": as_cell(u.release_id),
            "date": u.date,
            "url": as_cell(u.url),
            **{lang: as_cell(u.texts.get(lang, "")) for lang in CODES},
            "bead_type": u.bead_type,
            "confidence": round(u.confidence, 3),
            "reviewed_by": as_cell(u.reviewer),
            "unit": u.id,
        }
        for u in units
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def write(units: Iterable[StoredUnit], path: Path, options: ExportOptions) -> int:
    if Path(path).suffix.lower() == ".xlsx":
        frame = _frame(units)
        if len(frame) > EXCEL_ROWS:
            raise TmError(f"{len(frame)} units do not fit in an Excel sheet ({EXCEL_ROWS} rows); export CSV", path)
        _refuse_control_characters(frame, path)
        frame.to_excel(path, index=False)
        return len(frame)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        _frame([]).to_csv(out, index=False)
        for batch in batched(units, CHUNK):
            _frame(batch).to_csv(out, index=False, header=False)
            count += len(batch)
    return count


def _refuse_control_characters(frame: pd.DataFrame, path: Path) -> None:
    for lang in CODES:
        found = frame[lang].fillna("").str.contains(_EXCEL_ILLEGAL)
        if found.any():
            row = frame[found].iloc[0]
            raise TmError(
                f"a {lang} segment of {row['collection']}/{row['release']} holds a control character Excel cannot"
                " store; export CSV or TMX",
                path,
            )


def _unpacked_size(path: Path) -> int:
    """What an XLSX file (a zip) says it unpacks to: a zip bomb is refused on this before any of it
    is unpacked. (A member longer than it says fails its CRC check while being read.)"""
    try:
        with zipfile.ZipFile(path) as workbook:
            return sum(member.file_size for member in workbook.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"not a readable workbook ({error})", path) from error


def _chunks(path: Path) -> Iterator[pd.DataFrame]:
    if Path(path).suffix.lower() == ".xlsx" and (unpacked := _unpacked_size(path)) > XLSX_UNPACKED_LIMIT:
        raise InputError(
            f"the workbook unpacks to {unpacked >> 20} MiB, more than {XLSX_UNPACKED_LIMIT >> 20} MiB: "
            "not read (a zip bomb, or a sheet to export as CSV)",
            path,
        )
    try:
        if Path(path).suffix.lower() == ".xlsx":
            yield pd.read_excel(path, dtype=str)
            return
        # index_col=False: a row with a field more than the header never makes the first column an
        # index (shifting every text one column); pandas warns instead, and that refuses the file.
        chunks = pd.read_csv(path, dtype=str, chunksize=CHUNK, index_col=False)
        while True:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk
    except pd.errors.ParserWarning as error:
        raise InputError(
            "a row has more fields than the header: its texts would land in other columns", path
        ) from error
    except InputError:
        raise
    except Exception as error:  # pandas raises many parser-specific types
        raise InputError(f"not a readable table ({error})", path) from error


def read(path: Path, report: ReadReport) -> Iterator[ImportedUnit]:
    """Yield a unit per row with at least two languages, counting into `report`."""
    for frame in _chunks(path):
        missing = [lang for lang in CODES if lang not in frame.columns]
        if len(missing) > 1:
            raise InputError(f"table needs at least two of the columns tk, ru, en (missing {missing})", path)
        for record in frame.fillna("").to_dict("records"):
            report.read += 1
            record = {key: from_cell(value) if isinstance(value, str) else value for key, value in record.items()}
            texts = {lang: record[lang] for lang in CODES if record.get(lang)}
            if len(texts) < 2:
                report.skipped["fewer than two languages"] += 1
                continue
            props = {
                k: str(record[k])
                for k in ("collection", "release", "url", "date", "reviewed_by", "unit")
                if record.get(k)
            }
            if record.get("confidence"):
                props["x-confidence"] = str(record["confidence"])
            yield ImportedUnit(texts, props)
