import pytest
from hypothesis import given
from hypothesis import strategies as st

from tm.errors import TmError
from tm.formats import ImportedUnit
from tm.lookup import Index, lookup, match_percent


@pytest.mark.parametrize(("query", "stored", "percent"), [
    ("The parties signed the plan.", "The parties signed the plan.", 100),
    ("The parties signed the plan.", "the parties signed the plan", 92),  # 2 minor edits: 0.4 of 5 words
    ("The parties signed the plan.", "The parties signed the programme.", 80),  # 1 of 5 words
    ("The parties signed the plan.", "The two parties signed the plan.", 83),  # 1 of 6 words
    ("one two", "three four", 0),
])
def test_match_percent(query, stored, percent):
    assert match_percent(query, stored) == percent


@pytest.fixture
def tm(memory):
    units = [ImportedUnit({"en": "The parties discussed transport links.",
                           "tk": "Taraplar ulag baglanyşyklaryny ara alyp maslahatlaşdylar."}),
             ImportedUnit({"en": "The forum will be held in 2025.", "tk": "Forum 2025-nji ýylda geçiriler."}),
             ImportedUnit({"en": "Talks were held in Helsinki.", "tk": "Helsinkide gepleşikler geçirildi."})]
    with memory.transaction():
        memory.add_imported("test", "t1", units)
    return memory


def test_lookup_finds_exact_and_fuzzy(tm):
    exact = lookup(tm, "Talks were held in Helsinki.", "en", "tk")
    assert exact[0].percent == 100 and exact[0].target == "Helsinkide gepleşikler geçirildi."
    fuzzy = lookup(tm, "The parties discussed energy links.", "en", "tk")
    assert fuzzy[0].percent == 80 and "{+transport+}" in fuzzy[0].diff


def test_lookup_threshold_and_bad_queries(tm):
    assert lookup(tm, "Completely unrelated words here.", "en", "tk") == []
    with pytest.raises(TmError, match="empty query"):
        lookup(tm, "  ", "en", "tk")
    with pytest.raises(TmError, match="too long"):
        lookup(tm, "word " * 1000, "en", "tk")


sentences = st.lists(st.sampled_from(["the", "parties", "signed", "a", "plan", "in", "2024", "talks", "were", "held"]),
                     min_size=1, max_size=8).map(" ".join)


@given(st.lists(sentences, min_size=1, max_size=20), sentences)
def test_index_never_misses_a_match_the_full_scan_finds(stored, query):
    from tm.store import StoredUnit

    units = [StoredUnit(i, {"en": s, "tk": s}, "1-1", 1.0, "c", "r", None, None, "") for i, s in enumerate(stored)]
    found = set(Index(units, "en").candidates(query))
    for number, text in enumerate(stored):
        if match_percent(query, text) >= 50:
            assert number in found
