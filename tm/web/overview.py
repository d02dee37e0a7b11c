"""The overview: units per language pair, the confidence histogram, releases per month, reviewed
and unreviewed units, as charts (matplotlib, drawn on the server) and as JSON."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from starlette.responses import Response

from tm.report import chart as draw
from tm.report import overview_tables
from tm.web.common import memory, render

router = APIRouter()
CHARTS = {
    "units per language pair": ("pair", "units", "bar"),
    "confidence": ("confidence", "units", "bar"),
    "releases per month": ("month", "releases", "bar"),
    "reviewed": ("state", "units", "bar"),
}


def _tables(request: Request) -> dict[str, pd.DataFrame]:
    with memory(request) as tm:
        return overview_tables(tm)


@router.get("/api/overview")
def api_overview(request: Request) -> dict:
    """The overview's tables: each a list of rows."""
    return {name: table.to_dict("records") for name, table in _tables(request).items()}


@router.get("/overview", include_in_schema=False)
def page_overview(request: Request) -> Response:
    tables = _tables(request)
    charts = {name: draw(tables[name], *spec) for name, spec in CHARTS.items()}
    return render(request, "overview.html", {"charts": charts})
