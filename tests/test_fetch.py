"""`tm fetch` against a news site on loopback (tests/fetch_site.py): every release in all its
languages, nothing disallowed or off the allowed hosts requested, politeness on errors, a run
killed mid-way taken up without fetching anything twice, a second run that fetches only what
changed, and `tm build` on the output."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.fetch_site import LANGS, RELEASES, serving
from tm.fetch import fetch
from tm.fetch.client import _retry_after
from tm.fetch.links import alternates, guessed_versions, is_release, parse, release_key, sitemap, url_language
from tm.jobs import build
from tm.store import TranslationMemory

# No real waits between requests or before retries (test_errors_are_retried_politely records them).
FAST = {"rate": 200.0, "timeout": 1.0, "max_bytes": 200_000, "sleep": lambda seconds: None}


@pytest.fixture
def site():
    with serving() as servers:
        yield servers


def crawl(site, out: Path, **options):
    return fetch([f"{site.address}/en/news"], out, **(FAST | options))


def test_every_release_is_fetched_in_every_language(site, tmp_path):
    news, _ = site
    report = crawl(news, tmp_path / "out")
    host = news.address.removeprefix("http://").replace(":", "_")
    for number, texts in RELEASES.items():
        folder = tmp_path / "out" / host / f"news_{number}"
        assert sorted(p.name for p in folder.glob("*.html")) == ["en.html", "ru.html", "tk.html"], number
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        for lang in LANGS:
            assert texts[lang][1] in (folder / f"{lang}.html").read_text("utf-8")
            assert meta["pages"][lang]["url"] == f"{news.address}/{lang}/news/{number}"
            assert meta["pages"][lang]["etag"] and meta["pages"][lang]["fetched_at"]
        assert meta["date"] == f"2024-05-{10 - number:02d}"
    # the huge page, cut short, has no other language version: it waits for one in the state
    assert (report.releases, report.waiting) == (len(RELEASES), 1)
    assert not (tmp_path / "out" / host / "news_91").exists()
    state = sqlite3.connect(tmp_path / "out" / ".tm-fetch" / "state.sqlite")
    assert state.execute("SELECT complete FROM urls WHERE url LIKE '%/en/news/91'").fetchone() == (0,)


def test_nothing_disallowed_or_off_host_is_requested(site, tmp_path):
    news, other = site
    report = crawl(news, tmp_path / "out")
    assert not [path for path in news.paths() if path.startswith("/private/")]
    assert other.requests == []
    problems = {(p["url"].removeprefix(news.address), p["kind"]): p["problem"] for p in report.problems}
    assert problems[("/private/secret", "refused")] == "disallowed by robots.txt"
    assert problems[("/en/news/90", "refused")].startswith("redirects to localhost")
    assert problems[("/en/news/88", "failed")].startswith("redirect loop")
    assert problems[("/en/news/77", "failed")] == "no answer within 1 s"
    assert problems[("/files/report.pdf", "skipped")] == "not an HTML page (application/pdf)"


def test_errors_are_retried_politely(site, tmp_path):
    news, _ = site
    waits = []
    crawl(news, tmp_path / "out", sleep=lambda seconds: waits.append(seconds))
    assert news.paths().count("/en/news/3") == 3  # 500, 500, 200
    assert news.paths().count("/ru/news/4") == 2  # 429 (Retry-After: 1), 200
    assert 1.0 in waits  # what Retry-After asked for
    assert all(0 <= wait <= 60 for wait in waits)


def test_a_second_run_fetches_only_what_changed(site, tmp_path):
    news, _ = site
    crawl(news, tmp_path / "out")
    first = len(news.requests)
    news.changed = True
    report = crawl(news, tmp_path / "out")
    second = news.requests[first:]
    fetched_pages = [path for _, path, status in second if status == "200" and "/news/" in path and "?" not in path]
    assert [p for p in fetched_pages if p.split("/")[-1].isdigit() and int(p.split("/")[-1]) in RELEASES] == [
        "/en/news/1"
    ]
    # the changed page, and the huge one, which sends no ETag or Last-Modified to ask with
    assert report.counts["fetched"] == 2 and report.counts["unchanged"] == 3 * len(RELEASES) - 1
    host = news.address.removeprefix("http://").replace(":", "_")
    assert "in transport" in (tmp_path / "out" / host / "news_1" / "en.html").read_text("utf-8")


def test_since_stops_at_older_listings(site, tmp_path):
    news, _ = site
    crawl(news, tmp_path / "out", since=date(2024, 5, 8))
    listings = [path for path in news.paths() if "/en/news?page=" in path]
    assert "/en/news?page=2" in listings and "/en/news?page=4" not in listings


def test_a_killed_run_goes_on_where_it_stopped(site, tmp_path):
    news, _ = site
    news.hang.clear()  # /en/news/2 waits: the run is killed while it does
    command = [
        sys.executable,
        "-m",
        "tm",
        "fetch",
        f"{news.address}/en/news",
        "-o",
        str(tmp_path / "out"),
        "--rate",
        "200",
    ]
    command += ["--timeout", "1", "--db", str(tmp_path / "tm.db")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while "/en/news/2 (held)" not in news.paths() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    held_at = len(news.requests)
    news.hang.set()
    report = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert "a run taken up where it stopped" in report.stdout
    answered = [path for _, path, status in news.requests if status not in ("0", "500", "429")]
    repeated = {path for path in answered if answered.count(path) > 1} - {"/robots.txt", "/en/news/2"}
    assert repeated == set(), repeated
    assert held_at < len(news.requests)
    host = news.address.removeprefix("http://").replace(":", "_")
    assert (tmp_path / "out" / host / "news_2" / "en.html").is_file()


def test_tm_build_reads_the_output_as_it_is(site, tmp_path):
    news, _ = site
    crawl(news, tmp_path / "out")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(tmp_path / "out", tm, "ngram")
        releases = {unit.release_id for unit in tm.units(("tk", "ru", "en")) if len(unit.texts) == 3}
    assert report.added == len(RELEASES)
    assert {f"news_{number}" for number in RELEASES} <= releases


@pytest.mark.parametrize(
    ("url", "release", "language", "key"),
    [
        ("https://mfa.gov.tm/tk/news/1094", True, "tk", "mfa.gov.tm/news/1094"),
        ("https://mfa.gov.tm/en/news", False, "en", "mfa.gov.tm/news"),
        ("https://mfa.gov.tm/en/news?page=2", False, "en", "mfa.gov.tm/news?page=2"),
        ("https://embassy.tm/news/77?lang=ru", True, "ru", "embassy.tm/news/77"),
        ("https://embassy.tm/about", False, None, "embassy.tm/about"),
    ],
)
def test_addresses(url, release, language, key):
    assert (is_release(url), url_language(url), release_key(url)) == (release, language, key)


def test_versions_guessed_under_the_other_language_prefixes():
    assert guessed_versions("https://x.tm/en/news/5?a=1") == {
        "tk": "https://x.tm/tk/news/5?a=1",
        "ru": "https://x.tm/ru/news/5?a=1",
    }
    assert guessed_versions("https://x.tm/news/5") == {}


def test_alternates_from_hreflang_or_a_switcher():
    with_hreflang = parse(
        '<html><head><link rel="alternate" hreflang="ru-RU" href="/ru/news/5"><link rel="alternate" hreflang="tk"'
        ' href="https://x.tm/tk/news/5"></head><body><a href="/ru/news/9">RU</a></body></html>'
    )
    assert alternates("https://x.tm/en/news/5", with_hreflang) == {
        "ru": "https://x.tm/ru/news/5",
        "tk": "https://x.tm/tk/news/5",
    }
    switcher = parse('<html><body><a href="/ru/news/5">Русский</a><a href="/tk/news/6">TK</a></body></html>')
    assert alternates("https://x.tm/en/news/5", switcher) == {"ru": "https://x.tm/ru/news/5"}


def test_sitemaps_and_retry_after():
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    index += b"<sitemap><loc> https://x.tm/a.xml </loc></sitemap></sitemapindex>"
    assert sitemap(index) == ("index", ["https://x.tm/a.xml"])
    assert sitemap(b"<!DOCTYPE x [<!ENTITY a 'b'>]><urlset>&a;</urlset>") == ("", [])
    assert sitemap(b"not xml") == ("", [])
    assert _retry_after("7") == 7.0 and _retry_after(None) is None and _retry_after("soon") is None
    assert 0 <= _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") <= 0.0


def test_bad_input_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from tm.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["fetch", "ftp://x.tm/a", "-o", str(tmp_path / "out"), "--db", str(tmp_path / "tm.db")])
    assert result.exit_code == 1 and result.output.strip() == "Error: no http(s) address to start from in ftp://x.tm/a"
    (tmp_path / "file").write_text("x")
    result = runner.invoke(
        app, ["fetch", "http://127.0.0.1:9/", "-o", str(tmp_path / "file"), "--db", str(tmp_path / "tm.db")]
    )
    assert result.exit_code == 1 and "file: not a folder to write pages into" in result.output


def test_a_fetch_is_recorded_among_the_runs(site, tmp_path):
    from typer.testing import CliRunner

    from tm.cli import app
    from tm.jobs import fetch_into

    news, _ = site
    with TranslationMemory(tmp_path / "tm.db") as tm:
        fetch_into(tm, [f"{news.address}/en/news"], tmp_path / "out", "tm fetch test", **FAST)
        [run] = tm.runs()
    assert (run.command, run.status, run.added, run.unchanged) == ("tm fetch test", "done", 3 * len(RELEASES) + 1, 0)
    assert {
        "release": f"{news.address}/private/secret",
        "problem": "disallowed by robots.txt",
        "kind": "refused",
    } in run.problems
    listed = CliRunner().invoke(app, ["runs", "--db", str(tmp_path / "tm.db")])
    assert listed.exit_code == 0, listed.output
    assert f"refused: {news.address}/private/secret: disallowed by robots.txt" in listed.output
