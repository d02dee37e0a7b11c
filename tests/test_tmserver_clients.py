"""The tmserver clients translators run, each written here from its project's public behaviour
(the request it builds and how it reads the answer), against `tm serve`:

- Weblate's tmserver machinery: the settings check (languages, then en->de "test"), the text cut
  to 500 characters with `\\r` made a space, every path part quoted with nothing safe, the answer
  read as a list of {source, target, quality} kept from the quality threshold up;
- translate-toolkit's client, which quotes the text with quote_plus, and its server test, which
  adds a trailing slash;
- Virtaal's tmclient, which quotes the text with nothing safe and may pass amaGama's parameters.
"""

import json
from urllib.parse import quote, quote_plus

import httpx
import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from tests.conftest import SAMPLE, serving
from tm.formats import ImportedUnit
from tm.jobs import build
from tm.store import TranslationMemory
from tm.web import create_app, tmserver

EXACT = "The parties discussed the development of transport and logistics links between the two countries."
TWO_LINES = "Line one of a message.\nLine two, with 5% and a + sign."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("tmserver") / "tm.db"
    with TranslationMemory(db) as tm:
        build(SAMPLE, tm, "ngram")
        with tm.transaction():
            tm.add_imported(
                "import", "po/messages.po", [ImportedUnit({"en": TWO_LINES, "tk": "Birinji setir.\nIkinji."})]
            )
    return TestClient(create_app(db))


class Weblate:
    """What Weblate's tmserver machinery sends and keeps."""

    def __init__(self, client: TestClient, base: str = "/tmserver/") -> None:
        self.client, self.base = client, base.rstrip("/")

    def url(self, *parts: str) -> str:
        return "/".join([self.base, *(quote(part, safe="") for part in parts)])

    def languages(self) -> list[tuple[str, str]]:
        reply = self.client.get(self.url("languages", ""))
        reply.raise_for_status()
        data = reply.json()
        return [(s, t) for s in data["sourceLanguages"] for t in data["targetLanguages"]]

    def suggestions(self, source: str, target: str, text: str, threshold: int = 75) -> list[dict]:
        reply = self.client.get(self.url(source, target, "unit", text[:500].replace("\r", " ")))
        reply.raise_for_status()
        return [line for line in reply.json() if int(line["quality"]) >= threshold]

    def validate_settings(self) -> None:
        self.languages()
        self.suggestions("en", "de", "test")


def test_weblate_accepts_tm_serve_as_a_tmserver_machinery(client):
    weblate = Weblate(client)
    weblate.validate_settings()  # raised on the 404 for German before
    assert ("en", "tk") in weblate.languages()
    [best, *_] = weblate.suggestions("en", "tk", EXACT)
    assert best["quality"] == 100 and best["source"] == EXACT and best["context"] == "sample/2024-001"
    assert best["target"].startswith("Taraplar") and isinstance(best["unit_id"], int)
    [two_lines] = weblate.suggestions("en", "tk", TWO_LINES.replace("\n", "\r\n"))  # Weblate makes \r a space
    assert two_lines["target"] == "Birinji setir.\nIkinji." and two_lines["quality"] >= 90
    assert weblate.suggestions("en", "tk", TWO_LINES)[0]["quality"] == 100  # a line break, as %0A


def test_translate_toolkits_client_and_server_test_find_the_exact_sentence(client):
    plus = client.get(f"/tmserver/en/tk/unit/{quote_plus(EXACT)}").json()
    assert plus[0]["quality"] == 100 and plus[0]["source"] == EXACT
    trailing = client.get(f"/tmserver/en/tk/unit/{quote(EXACT)}/").json()
    assert trailing[0]["quality"] == 100
    sign = client.get(f"/tmserver/en/tk/unit/{quote_plus(TWO_LINES)}").json()  # `+` as %2B, spaces as +
    assert sign[0]["source"] == TWO_LINES and sign[0]["quality"] == 100


def test_virtaal_and_amagamas_parameters(client):
    path = f"/tmserver/en/tk/unit/{quote(EXACT, safe='')}"
    default = client.get(path)
    assert default.headers["Cache-Control"] == "max-age=60, public"
    assert all(line["quality"] >= 70 for line in default.json()) and len(default.json()) <= 5
    one = client.get(path, params={"max_candidates": "1", "min_similarity": "30"}).json()
    assert len(one) == 1
    loose = client.get(path, params={"min_similarity": "10", "max_candidates": "99"}).json()  # floored at 30, capped
    assert len(loose) <= 30 and min(line["quality"] for line in loose) >= 30
    by_query = client.get("/tmserver/en/tk/unit/", params={"source": EXACT}).json()
    assert by_query == default.json()
    wrapped = client.get(path, params={"jsoncallback": "suggest"})
    assert wrapped.text == f"suggest({json.dumps(default.json(), ensure_ascii=False)})"
    assert client.get(path, params={"jsoncallback": "alert(1)//"}).status_code == 400


def test_unknown_languages_as_amagama_answers_them(client):
    assert client.get("/tmserver/en/de/unit/test").json() == []  # a target it lacks: no suggestions
    assert client.get("/tmserver/fr/tk/unit/Bonjour").status_code == 404  # a source it lacks
    assert client.get("/tmserver/en/en_US/unit/test").status_code == 404  # the same language twice
    assert client.get("/tmserver/en/tk/unit/").status_code == 200 and client.get("/tmserver/en/tk/unit/").json() == []


def test_weblate_against_a_running_tm_serve(tmp_path):
    db = tmp_path / "tm.db"
    with TranslationMemory(db) as tm:
        build(SAMPLE, tm, "ngram")
    with serving(db) as (url, _server), httpx.Client(base_url=url, timeout=30) as http:
        weblate = Weblate(http, "/tmserver")
        weblate.validate_settings()
        assert weblate.suggestions("en_us", "tk", EXACT)[0]["quality"] == 100  # Weblate's code: lower, `_`


@pytest.mark.parametrize(
    ("raw_path", "query", "text"),
    [
        ("/tmserver/ru/en/unit/Переговоры+прошли".encode(), b"", "Переговоры прошли"),  # UTF-8 sent unquoted
        (b"/tmserver/ru/en/unit/%D0%9F%2B1%0A2/", b"", "П+1\n2"),  # quoted, %2B a plus, one trailing /
        (b"/tmserver/en/tk/unit/a/b//", b"", "a/b/"),
        (b"/tmserver/en/tk/unit/", b"source=Talks+held", "Talks held"),
    ],
)
def test_the_text_is_read_from_the_path_as_sent(raw_path, query, text):
    scope = {"type": "http", "path": "", "raw_path": raw_path, "query_string": query, "headers": []}
    assert tmserver._unit_text(Request(scope)) == text
