"""tm serve, read-only part: search and release pages with their JSON twins, the tmserver
protocol, text from the TM escaped everywhere."""

import asyncio
import re
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import SAMPLE
from tm.formats import ImportedUnit
from tm.jobs import build
from tm.store import TranslationMemory
from tm.web import create_app, read

QUERY = "The parties discussed the development of transport links between the two countries."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "tm.db"
    with TranslationMemory(db) as tm:
        build(SAMPLE, tm, "ngram")
        with tm.transaction():
            texts = {"en": 'Talks <script>alert(1)</script> "x" held.', "tk": "<b onmouseover=x>Salam</b>"}
            hostile = ImportedUnit(texts)
            tm.add_imported("import", "hostile", [hostile])
    return TestClient(create_app(db))


def test_lookup_api_and_page_agree(client):
    api = client.get("/api/lookup", params={"text": QUERY, "source": "en", "target": "tk"}).json()
    [best, *_] = api["matches"]
    assert best["percent"] == 85 and (best["collection"], best["release_id"]) == ("sample", "2024-001")
    page = client.get("/", params={"q": QUERY, "source": "en", "target": "tk"}).text
    assert f"{best['ranked']}%" in page and best["target"] in page and 'href="/releases/sample/2024-001"' in page


def test_release_page_and_twin(client):
    units = client.get("/api/releases/sample/2024-006").json()["units"]
    assert len(units) == 4 and units[0]["texts"]["en"] == "Message for the media"
    page = client.get("/releases/sample/2024-006").text
    assert "Message for the media" in page and page.count("<tr class=") == 4
    assert client.get("/api/releases/sample/none").status_code == 404


def test_text_from_the_tm_is_shown_as_text(client):
    page = client.get("/", params={"q": "Talks", "source": "en", "target": "tk"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=x&gt;" in page


def test_tmserver_protocol(client):
    assert client.get("/tmserver/languages/").json() == {
        "sourceLanguages": ["tk", "ru", "en"],
        "targetLanguages": ["tk", "ru", "en"],
    }
    [first, *_] = client.get(f"/tmserver/en_US/tk_TM/unit/{QUERY}").json()
    assert {"source", "target", "quality", "rank", "context"} <= set(first) and first["quality"] == 85
    assert client.get("/tmserver/fr/tk/unit/Bonjour").status_code == 404


def test_bad_queries_are_422_not_500(client):
    assert client.get("/api/lookup", params={"text": "x", "source": "en", "target": "en"}).status_code == 422
    assert client.get("/api/lookup", params={"text": "x", "source": "de"}).status_code == 422
    assert client.get("/openapi.json").json()["info"]["title"] == "tm"


def test_search_filters_and_the_coloured_diff(client):
    params = {"text": QUERY, "source": "en", "target": "tk"}
    assert client.get("/api/lookup", params=params | {"since": "2030-01-01"}).json()["matches"] == []
    assert client.get("/api/lookup", params=params | {"collection": "import"}).json()["matches"] == []
    [best, *_] = client.get("/api/lookup", params=params | {"collection": "sample", "since": ""}).json()["matches"]
    assert ["removed", "and logistics"] in best["diff_parts"]  # in the TM's source, not the query
    page = client.get("/", params={"q": QUERY, "since": "", "until": "", "collection": ""}).text
    assert '<span class="removed">and logistics</span>' in page  # struck out, as CAT tools show it
    assert client.get("/api/lookup", params=params | {"since": "12/02/2024"}).status_code == 422


def test_the_api_page_lists_the_openapi_operations_and_loads_nothing_from_elsewhere(client):
    schema = client.get("/openapi.json").json()
    assert "/api/lookup" in schema["paths"] and "put" in schema["paths"]["/api/units/{unit_id}"]
    page = client.get("/api").text
    assert "<code>/api/lookup</code>" in page and "<code>/tmserver/languages/</code>" in page
    assert client.get("/docs").status_code == 404
    for path in ("/", "/api", "/review", "/overview", "/files", "/corrections", "/login"):
        assert "://" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', client.get(path).text)), path


def test_a_slow_tmserver_lookup_holds_no_other_request(client, monkeypatch):
    """A lookup that runs long (here made to sleep; in life a first lookup that loads the index)
    runs in a worker thread: 20 ordinary requests sent after it are all answered before it is."""
    started, finished = threading.Event(), []
    real = read.bridged_lookup

    def slow(tm, text, *args):
        if text == "slow":
            started.set()
            threading.Event().wait(1.0)  # a sleep that, on the event loop, would stop every request
            finished.append("slow")
        return real(tm, text, *args)

    # The finder is `found_matches`'s default argument, bound when it was defined.
    defaults = tuple(slow if value is real else value for value in read.found_matches.__defaults__)
    assert slow in defaults
    monkeypatch.setattr(read.found_matches, "__defaults__", defaults)

    async def run() -> list[str]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tm") as http:
            slow_request = asyncio.create_task(http.get("/tmserver/en/tk/unit/slow"))
            for _ in range(1000):  # 10 s at most: a request that fails at once must not hang the test
                if started.is_set() or slow_request.done():
                    break
                await asyncio.sleep(0.01)
            assert started.is_set(), "the slow lookup never started"
            for reply in await asyncio.gather(*(http.get(f"/tmserver/en/tk/unit/{QUERY}") for _ in range(20))):
                assert reply.status_code == 200 and reply.json()[0]["quality"] == 85
                finished.append("ordinary")
            assert (await slow_request).status_code == 200
        return finished

    assert asyncio.run(run()) == ["ordinary"] * 20 + ["slow"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/units/99999999999999999999", {}, 404),  # beyond SQLite's 64-bit ids: no unit, not a 500
        ("/units/9223372036854775808", {}, 404),
        ("/api/lookup", {"text": QUERY, "since": "2024-13-45"}, 422),  # the shape of a day, not a day
        ("/api/lookup", {"text": QUERY, "until": "2024-02-30"}, 422),
    ],
)
def test_out_of_range_ids_and_impossible_days_are_refused_not_crashed_on(client, path, params, status):
    reply = client.get(path, params=params)
    assert reply.status_code == status and "Traceback" not in reply.text


def test_search_matches_name_the_unit_their_page_corrects(client):
    [best, *_] = client.get("/api/lookup", params={"text": QUERY, "source": "en", "target": "tk"}).json()["matches"]
    unit = client.get(f"/api/units/{best['unit_id']}").json()["unit"]
    assert (unit["texts"]["en"], unit["texts"]["tk"]) == (best["source"], best["target"])


def test_a_query_in_another_language_is_offered_as_a_switch_with_the_query_kept(client):
    page = client.get(
        "/", params={"q": "Переговоры прошли", "source": "en", "target": "ru"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 422 and "written in Cyrillic letters, not in English" in page.text
    links = re.findall(r'<a href="([^"]+)" class="switch">Look it up as (\w+) → (\w+)</a>', page.text)
    assert [(source, target) for _href, source, target in links] == [("ru", "en")]  # the target was ru: swapped
    href = links[0][0].replace("&amp;", "&")
    assert client.get(href).status_code == 200 and "q=%D0%9F%D0%B5%D1%80%D0%B5" in href


def test_the_releases_are_listed_a_page_at_a_time(client, monkeypatch):
    listed = client.get("/api/releases").json()
    names = [f"{r['collection']}/{r['release_id']}" for r in listed["releases"]]
    assert names == ["import/hostile", *(f"sample/2024-00{n}" for n in range(1, 7))]
    assert (listed["previous"], listed["next"]) == (None, None)
    monkeypatch.setattr(read, "RELEASES_PAGE", 3)
    second = client.get("/api/releases", params={"offset": 3}).json()
    assert [r["release_id"] for r in second["releases"]] == ["2024-003", "2024-004", "2024-005"]
    assert (second["previous"], second["next"]) == (0, 6)
    page = client.get("/releases", params={"collection": "sample", "offset": 3}).text
    assert 'id="previous"' in page and 'id="next"' not in page and "sample/2024-006" in page
    assert client.get("/api/releases", params={"flagged": "true"}).json()["releases"] == []


def test_each_match_comes_with_its_release_around_it(client):
    [best, *_] = client.get("/api/lookup", params={"text": QUERY, "source": "en", "target": "tk"}).json()["matches"]
    around = best["context"]
    assert [u["match"] for u in around].count(True) == 1 and len(around) in (2, 3)
    assert next(u for u in around if u["match"])["source"] == best["source"]
    page = client.get("/", params={"q": QUERY}).text
    assert '<details class="context"><summary>in its release</summary>' in page and "▶ " in page


def test_the_releases_are_listed_by_name_date_or_confidence(client):
    def listed(order):
        return client.get("/api/releases", params={"order": order, "collection": "sample"}).json()["releases"]

    by_date = [r["date"] for r in listed("date")]
    assert by_date == sorted(by_date, reverse=True)  # the newest first
    by_confidence = [r["confidence"] for r in listed("confidence")]
    assert by_confidence == sorted(by_confidence) and all(0 < c <= 1 for c in by_confidence)
    assert [r["release_id"] for r in listed("name")] == [f"2024-00{n}" for n in range(1, 7)]
    assert client.get("/api/releases", params={"order": "size"}).status_code == 422
    assert 'value="confidence" selected' in client.get("/releases", params={"order": "confidence"}).text
