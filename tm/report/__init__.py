"""`tm report`: one self-contained HTML page on the TM and a build, and the same tables as CSV.

The tables are pandas DataFrames; the charts are matplotlib PNGs inlined as data URIs, so the
page opens anywhere with no network. Text from the TM is escaped by the template (Jinja2 with
autoescape); CSV cells that a spreadsheet would read as formulas are neutralised as exports are.
"""

from __future__ import annotations

import base64
import heapq
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd

from tm.errors import TmError
from tm.files import replacing
from tm.formats.table import as_cell
from tm.langs import CODES
from tm.store import Run, StoredUnit, TranslationMemory

REVIEW_FIRST = 50
BINS = [i / 10 for i in range(11)]


@dataclass(frozen=True)
class Report:
    title: str
    run: Run | None
    tables: dict[str, pd.DataFrame]  # name -> table, in the page's order


def build_report(tm: TranslationMemory, run_id: int | None = None) -> Report:
    """The tables of the report: of the whole TM, and the problems of run `run_id` (default: the
    latest run; none when the TM has no run)."""
    runs = tm.runs()
    run = next((r for r in runs if r.id == run_id), None) if run_id is not None else (runs[0] if runs else None)
    if run_id is not None and run is None:
        raise TmError(f"no run {run_id} in the TM (tm runs lists them)", tm.path)
    confidences, lowest = _scan(tm.units(include_flagged=True))
    confidence = pd.Series(confidences, dtype=float)
    labels = [f"{low:.1f}-{high:.1f}" for low, high in pairwise(BINS)]
    histogram = pd.cut(confidence, BINS, labels=labels, include_lowest=True).value_counts(sort=False)
    tables = {
        "bead types": pd.DataFrame(
            sorted(tm.stats().by_bead_type.items(), key=lambda kv: -kv[1]), columns=["bead type", "units"]
        ),
        "confidence": pd.DataFrame({"confidence": [str(b) for b in histogram.index], "units": histogram.values}),
        "releases per day": pd.DataFrame(tm.releases_per_day(), columns=["date", "releases"]),
        "flagged or skipped": pd.DataFrame(
            [(p["kind"], p["release"], p["problem"]) for p in (run.problems if run else [])],
            columns=["kind", "release", "why"],
        ),
        "review first": _review_first(lowest),
    }
    title = f"tm report: {Path(tm.path).name}" + (f", run {run.id}" if run else "")
    return Report(title, run, tables)


def _scan(units: Iterable[StoredUnit]) -> tuple[list[float], list[StoredUnit]]:
    """One pass over the units, without holding them all: every confidence, and the
    REVIEW_FIRST units most likely wrong (the lowest confidence first)."""
    confidences: list[float] = []

    def noted() -> Iterator[StoredUnit]:
        for unit in units:
            confidences.append(unit.confidence)
            yield unit

    lowest = heapq.nsmallest(REVIEW_FIRST, noted(), key=lambda u: u.confidence)
    return confidences, lowest


def _review_first(lowest: list[StoredUnit]) -> pd.DataFrame:
    rows = [(round(u.confidence, 2), u.bead_type, f"{u.collection}/{u.release_id}", *_texts(u)) for u in lowest]
    return pd.DataFrame(rows, columns=["confidence", "bead type", "release", *CODES])


def _texts(unit) -> list[str]:
    return [unit.texts.get(lang, "") for lang in CODES]


MAX_LABELS = 24  # x-axis labels a chart shows at most


def chart(table: pd.DataFrame, x: str, y: str, kind: str) -> str:
    """A bar or line chart of `table` as a PNG data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figure, axis = plt.subplots(figsize=(6, 2.6))
    if len(table):
        table.plot(x=x, y=y, kind=kind, ax=axis, legend=False, color="#4472c4")
    axis.set_ylabel(y)
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 of a release
    axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    labels = axis.get_xticklabels()
    step = max(1, len(labels) // MAX_LABELS)
    for n, label in enumerate(labels):  # a label every few bars when there are many (years of months)
        label.set_visible(n % step == 0)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def releases_per_month(per_day: pd.DataFrame) -> pd.DataFrame:
    """Releases per month, every month from the first to the last (a month with none shows as 0,
    so that the bars stand on a time axis, not side by side across the gaps)."""
    if per_day.empty:
        return pd.DataFrame({"month": [], "releases": []})
    months = per_day.groupby(per_day["date"].str[:7])["releases"].sum()
    every = pd.period_range(months.index.min(), months.index.max(), freq="M").strftime("%Y-%m")
    return months.reindex(every, fill_value=0).rename_axis("month").reset_index()


def overview_tables(tm: TranslationMemory) -> dict[str, pd.DataFrame]:
    """What the overview of `tm serve` draws: units per language pair, the confidence of units of
    two or more languages in tenths, releases per month, and units reviewed or not."""
    stats = tm.stats()
    tenths = tm.confidence_tenths()
    labels = [f"{low:.1f}-{high:.1f}" for low, high in pairwise(BINS)]
    per_day = pd.DataFrame(tm.releases_per_day(), columns=["date", "releases"])
    return {
        "units per language pair": pd.DataFrame(sorted(stats.by_pair.items()), columns=["pair", "units"]),
        "confidence": pd.DataFrame({"confidence": labels, "units": tenths}),
        "releases per month": releases_per_month(per_day),
        "reviewed": pd.DataFrame(tm.review_counts().items(), columns=["state", "units"]),
    }


CHARTS = {"bead types": ("bead type", "units", "bar"), "confidence": ("confidence", "units", "bar")}
CHARTS["releases per day"] = ("date", "releases", "line")


def write_report(report: Report, path: Path) -> list[Path]:
    """The HTML page at `path` and one CSV per table beside it (`<stem>-<table>.csv`); each file
    is written whole or not at all. Returns the files written."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("tm.report"), autoescape=select_autoescape(default=True))
    charts = {name: chart(report.tables[name], *spec) for name, spec in CHARTS.items()}
    page = environment.get_template("report.html").render(report=report, charts=charts)
    written = [path]
    with replacing(path) as temporary:
        temporary.write_text(page, "utf-8")
    for name, table in report.tables.items():
        target = path.with_name(f"{path.stem}-{name.replace(' ', '-')}.csv")
        with replacing(target) as temporary:
            table.map(lambda v: as_cell(v) if isinstance(v, str) else v).to_csv(temporary, index=False)
        written.append(target)
    return written
