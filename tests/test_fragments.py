"""The pieces of a sentence the TM holds, for a sentence no unit matches whole (memoQ's
longest-substring concordance)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import tm.lookup.fragments as fragments_module
from tm.cli import app
from tm.formats import ImportedUnit
from tm.lookup.fragments import MAX_SEARCHES, fragments
from tm.store import TranslationMemory

UNITS = [
    ImportedUnit(
        {
            "en": "The parties discussed the development of transport links.",
            "ru": "Стороны обсудили развитие транспортных связей.",
        }
    ),
    ImportedUnit({"en": "A memorandum on culture was signed.", "ru": "Был подписан меморандум о культуре."}),
    ImportedUnit(
        {
            "en": "The convention on road signals entered into force.",
            "ru": "Конвенция о дорожных сигналах вступила в силу.",
        }
    ),
]
SENTENCE = "Yesterday the parties discussed the development of trade and signed a memorandum on culture with Oman."


@pytest.fixture
def held(tmp_path):
    db = tmp_path / "tm.db"
    with TranslationMemory(db) as tm, tm.transaction():
        tm.add_imported("import", "units.tmx", UNITS)
    return db


def test_the_longest_pieces_the_tm_holds_word_for_word(held):
    with TranslationMemory(held) as tm:
        found = fragments(tm, SENTENCE, "en", "ru")
    assert [f.piece for f in found] == ["the parties discussed the development of", "a memorandum on culture"]
    assert found[0].match.target == "Стороны обсудили развитие транспортных связей."
    assert found[1].match.diff == "[A memorandum on culture] was signed."
    # "signed" is held only as the stem of "signals": not a piece
    assert not any("signed" in f.piece for f in found)


def test_a_long_sentence_costs_a_bounded_number_of_searches(held, monkeypatch):
    calls = []
    real = fragments_module.concordance
    monkeypatch.setattr(fragments_module, "concordance", lambda *a, **k: calls.append(a) or real(*a, **k))
    with TranslationMemory(held) as tm:
        fragments(tm, " ".join(["development of transport links"] * 40), "en", "ru")
    assert 0 < len(calls) <= MAX_SEARCHES


def test_lookup_shows_the_pieces_when_nothing_matches_whole(held):
    result = CliRunner().invoke(app, ["lookup", SENTENCE, "--from", "en", "--to", "ru", "--db", str(held)])
    assert result.exit_code == 0, result.output
    assert "no match at or above 50%" in result.output
    assert "pieces the TM holds:\n  the parties discussed the development of\n" in result.output
    assert "ru: Был подписан меморандум о культуре." in result.output


def test_the_search_page_shows_the_pieces(held):
    from fastapi.testclient import TestClient

    from tm.web import create_app

    client = TestClient(create_app(held))
    api = client.get("/api/lookup", params={"text": SENTENCE, "source": "en", "target": "ru"}).json()
    assert [f["piece"] for f in api["fragments"]] == [
        "the parties discussed the development of",
        "a memorandum on culture",
    ]
    page = client.get("/", params={"q": SENTENCE, "source": "en", "target": "ru"}).text
    assert '<div class="piece">a memorandum on culture</div>' in page
