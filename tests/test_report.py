"""tm report: a self-contained page and CSV tables, with the TM's text escaped."""

import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import SAMPLE
from tm.jobs import build
from tm.report import releases_per_month
from tm.store import TranslationMemory

HOSTILE = (
    '<tu><prop type="x-confidence">0.2</prop>'
    '<tuv xml:lang="en"><seg>=HYPERLINK("http://x","click") &lt;script&gt;alert(1)&lt;/script&gt;</seg></tuv>'
    '<tuv xml:lang="tk"><seg>Salam.</seg></tuv></tu>'
)


def tm_command(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tm", *map(str, args)], cwd=cwd, capture_output=True, text=True)


def test_report_page_and_tables(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(SAMPLE, tm, "ngram", command="tm build sample")
    (tmp_path / "bad.tmx").write_text(
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>{HOSTILE}</body></tmx>', "utf-8"
    )
    assert tm_command("import", "bad.tmx", cwd=tmp_path).returncode == 0
    made = tm_command("report", "-o", "out/report.html", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "out/report.html").read_text("utf-8")
    assert "Run 1: <code>tm build sample</code>" in page and page.count('<img alt="') == 3
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'src="http' not in page and "<link" not in page  # nothing to fetch: it opens offline
    review = (tmp_path / "out/report-review-first.csv").read_text("utf-8").splitlines()
    assert review[0] == "confidence,bead type,release,tk,ru,en"
    assert review[1].startswith("0.2,") and ",\"'=HYPERLINK(" in review[1]  # the lowest first, never a formula
    days = (tmp_path / "out/report-releases-per-day.csv").read_text("utf-8").splitlines()
    assert days[0] == "date,releases" and len(days) == 7


def test_report_of_an_unknown_run_is_one_line(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(SAMPLE, tm, "ngram")
    failed = tm_command("report", "--run", "9", cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.startswith("Error: ") and "no run 9 in the TM" in failed.stderr
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize(
    ("days", "months"),
    [
        (
            [("2024-02-12", 1), ("2024-02-20", 2), ("2024-05-01", 1)],
            [("2024-02", 3), ("2024-03", 0), ("2024-04", 0), ("2024-05", 1)],
        ),
        ([("2023-12-31", 1), ("2024-01-01", 1)], [("2023-12", 1), ("2024-01", 1)]),
        ([("2024-07-02", 4)], [("2024-07", 4)]),
        ([], []),
    ],
)
def test_releases_per_month_stand_on_a_time_axis(days, months):
    table = releases_per_month(pd.DataFrame(days, columns=["date", "releases"]))
    assert list(table.itertuples(index=False, name=None)) == months
