"""Lookup on the shapes the ministry's archive has: thousands of units of one template that differ
in a date, a name or a number. The ranking must equal scoring every unit, and the lookup must read
far fewer candidates than the TM holds."""

import importlib.util
import random
from pathlib import Path

import pytest

from tests.oracle import reference_lookup
from tm.formats import ImportedUnit
from tm.lookup import Filters, bridged_lookup, lookup
from tm.store import TranslationMemory

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _archive_module():
    spec = importlib.util.spec_from_file_location("archive", BENCHMARKS / "archive.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


archive = _archive_module()


def _key(match):
    return (match.percent, match.penalty, match.source, match.target, match.unit.id, match.diff, match.flags)


@pytest.fixture(scope="module")
def formulaic(tmp_path_factory):
    """A TM of 3,000 units written from the archive's templates, and edited and new sentences to look up."""
    path = tmp_path_factory.mktemp("formulaic") / "archive.db"
    stored = archive.store(path, 3000, per_release=40)
    tm = TranslationMemory(path)
    yield tm, archive.queries(40, stored)
    tm.close()


def test_formulaic_lookups_equal_scoring_every_unit_and_score_few(formulaic):
    tm, queries = formulaic
    held = sum(1 for _ in tm.units(("en", "ru")))
    scored = []
    for _, query in queries:
        for top, threshold in ((5, 50), (1, 75)):
            got = lookup(tm, query, "en", "ru", threshold, top, budget=None)
            assert [_key(m) for m in got] == [_key(m) for m in reference_lookup(tm, query, "en", "ru", threshold, top)]
            assert got.complete
            scored.append(got.scored)
    assert max(scored) <= 64 < held // 40


def test_filters_on_a_formulaic_tm_equal_scoring_every_unit(formulaic):
    tm, queries = formulaic
    filters = Filters(since="2012-03-01", until="2012-06-30")
    for _, query in queries[:10]:
        got = lookup(tm, query, "en", "ru", 50, 5, filters, budget=None)
        assert [_key(m) for m in got] == [_key(m) for m in reference_lookup(tm, query, "en", "ru", 50, 5, filters)]


def test_units_that_differ_only_in_numbers(memory):
    """'Delegation N ... number M': every unit has the query's words; only the numbers, the case and
    the unit id tell them apart, and the ties are broken the same way an exhaustive scan breaks them."""
    units = [
        ImportedUnit(
            {
                "en": f"Delegation {n % 50} of the ministry met partners number {n} in the capital.",
                "ru": f"Делегация {n % 50} министерства встретилась с партнёрами номер {n} в столице.",
            },
            {"x-confidence": str(random.Random(n).choice((1.0, 1.0, 0.95, 0.7)))},
        )
        for n in range(2000)
    ]
    with memory.transaction():
        memory.add_imported("test", "delegations", units)
    for query in (
        "Delegation 5 of the ministry met partners",
        "Delegation 5 of the ministry met partners number 77 in the capital.",
        "the ministry met partners in the capital.",
        "DELEGATION 7 OF THE MINISTRY MET PARTNERS NUMBER 7 IN THE CAPITAL.",
    ):
        got = lookup(memory, query, "en", "ru", 50, 5, budget=None)
        assert [_key(m) for m in got] == [_key(m) for m in reference_lookup(memory, query, "en", "ru", 50, 5)]
        assert got.scored <= 64 and got.candidates == 2000


def test_a_spent_budget_returns_what_was_found_marked_incomplete(formulaic):
    tm, queries = formulaic
    found = lookup(tm, queries[0][1], "en", "ru", budget=0.0)
    assert not found.complete and found == []
    assert lookup(tm, queries[0][1], "en", "ru").complete
    # A bridged lookup's lookups share one budget: spent, the result says so.
    assert not bridged_lookup(tm, queries[0][1], "en", "ru", budget=0.0).complete
    assert bridged_lookup(tm, queries[0][1], "en", "ru").complete


def test_a_repeated_sentence_reads_a_few_of_its_units_and_counts_them_all(memory):
    sentence = {
        "en": "During the meeting, the parties exchanged views.",
        "ru": "В ходе встречи стороны обменялись мнениями.",
    }
    with memory.transaction():
        memory.add_imported("test", "repeated", [ImportedUnit(sentence) for _ in range(300)])
    match = lookup(memory, sentence["en"], "en", "ru")[0]
    assert match.percent == 100 and match.repeats == 299 and len(match.also_in) == 5


@pytest.mark.parametrize(
    ("function", "word", "expected"),
    [
        ("genitive", "Mongoliýa", "Mongoliýanyň"),
        ("genitive", "Belarus", "Belarusyň"),
        ("genitive", "Germaniýa", "Germaniýanyň"),
        ("genitive", "Müsür", "Müsüriň"),
        ("genitive", "Gürjüstan", "Gürjüstanyň"),
        ("locative", "Eýran", "Eýranda"),
        ("locative", "Müsür", "Müsürde"),
        ("month_tk", "fewral", "fewralynda"),
        ("month_tk", "aprel", "aprelinde"),
        ("month_tk", "sentýabr", "sentýabrynda"),
    ],
)
def test_turkmen_case_forms_follow_vowel_harmony(function, word, expected):
    assert getattr(archive, function)(word) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "1-nji"),
        (5, "5-nji"),
        (6, "6-njy"),
        (9, "9-njy"),
        (10, "10-njy"),
        (20, "20-nji"),
        (30, "30-njy"),
        (40, "40-njy"),
        (50, "50-nji"),
        (26, "26-njy"),
        (100, "100-nji"),
        (2024, "2024-nji"),
        (2030, "2030-njy"),
    ],
)
def test_turkmen_ordinals_take_the_suffix_of_their_last_number_word(number, expected):
    assert archive.ordinal_tk(number) == expected
