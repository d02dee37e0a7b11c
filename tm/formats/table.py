"""CSV and Excel through pandas, for reviewing alignments in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from tm.errors import InputError
from tm.formats.model import ExportOptions, ImportedUnit, ReadReport
from tm.langs import CODES
from tm.store import StoredUnit

COLUMNS = ["collection", "release", "date", "url", *CODES, "bead_type", "confidence"]


def write(units: Iterable[StoredUnit], path: Path, options: ExportOptions) -> int:
    rows = [
        {
            "collection": u.collection,
            "release": u.release_id,
            "date": u.date,
            "url": u.url,
            **{lang: u.texts.get(lang, "") for lang in CODES},
            "bead_type": u.bead_type,
            "confidence": round(u.confidence, 3),
        }
        for u in units
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if Path(path).suffix.lower() == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return len(frame)


def read(path: Path, report: ReadReport) -> Iterator[ImportedUnit]:
    """Yield a unit per row with at least two languages, counting into `report`."""
    try:
        frame = pd.read_excel(path, dtype=str) if Path(path).suffix.lower() == ".xlsx" else pd.read_csv(path, dtype=str)
    except Exception as error:  # pandas raises many parser-specific types
        raise InputError(f"not a readable table ({error})", path) from error
    missing = [lang for lang in CODES if lang not in frame.columns]
    if len(missing) > 1:
        raise InputError(f"table needs at least two of the columns tk, ru, en (missing {missing})", path)
    frame = frame.fillna("")
    for record in frame.to_dict("records"):
        report.read += 1
        texts = {lang: record[lang] for lang in CODES if record.get(lang)}
        if len(texts) < 2:
            report.skipped["fewer than two languages"] += 1
            continue
        props = {k: str(record[k]) for k in ("collection", "release", "url", "date") if record.get(k)}
        if record.get("confidence"):
            props["x-confidence"] = str(record["confidence"])
        yield ImportedUnit(texts, props)
