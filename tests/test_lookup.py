import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from tm.errors import TmError
from tm.formats import ImportedUnit
from tm.langs import russian_lemmas
from tm.lookup import (
    Filters,
    bridged_lookup,
    concordance,
    context,
    index_for,
    lookup,
    match_percent,
    semantic_lookup,
    word_diff,
    words,
)
from tm.lookup.case import match_case
from tm.lookup.index_build import build_index
from tm.lookup.numbers import patch_numbers
from tm.store import StoredUnit, TranslationMemory


@pytest.mark.parametrize(
    ("query", "stored", "percent"),
    [
        ("The parties signed the plan.", "The parties signed the plan.", 100),
        ("The parties signed the plan.", "the parties signed the plan", 92),  # 2 minor edits: 0.4 of 5 words
        ("The parties signed the plan.", "The parties signed the programme.", 80),  # 1 of 5 words
        ("The parties signed the plan.", "The two parties signed the plan.", 83),  # 1 of 6 words
        ("The forum opens in 2025.", "The forum opens in 2026.", 96),  # a number is a minor edit: 0.2 of 5
        ("one two", "three four", 0),
    ],
)
def test_match_percent(query, stored, percent):
    assert match_percent(query, stored) == percent


UNITS = [
    ImportedUnit(
        {
            "en": "The parties discussed transport links.",
            "tk": "Taraplar ulag gatnaşyklaryny ara alyp maslahatlaşdylar.",
        }
    ),
    ImportedUnit({"en": "The forum will be held in 2025.", "tk": "Forum 2025-nji ýylda geçiriler."}),
    ImportedUnit({"en": "Talks were held in Helsinki.", "tk": "Helsinkide gepleşikler geçirildi."}),
]


@pytest.fixture
def tm(memory):
    with memory.transaction():
        memory.add_imported("test", "t1", UNITS)
    return memory


def test_lookup_finds_exact_and_fuzzy(tm):
    exact = lookup(tm, "Talks were held in Helsinki.", "en", "tk")
    assert exact[0].percent == 100 and exact[0].target == "Helsinkide gepleşikler geçirildi."
    fuzzy = lookup(tm, "The parties discussed energy links.", "en", "tk")
    assert fuzzy[0].percent == 80 and "[-transport-]" in fuzzy[0].diff  # in the TM's source, not the query


@pytest.mark.parametrize(
    ("query", "stored", "diff"),
    [
        ("Talks held.", "Talks were held.", "Talks [-were-] held ."),
        ("Talks were held today.", "Talks were held.", "Talks were held {+today+} ."),
        ("Talks were held in Ashgabat.", "Talks were held in Mary.", "Talks were held in [-Mary-] {+Ashgabat+} ."),
        ("TALKS WERE HELD.", "Talks were held.", "Talks were held ."),  # case aside, as stored
        ("Talks.", "Talks.", "Talks ."),
    ],
)
def test_the_diff_shows_what_changed_from_the_tm_to_the_new_sentence(query, stored, diff):
    assert word_diff(query, stored) == diff


def test_lookup_threshold_and_bad_queries(tm):
    assert lookup(tm, "Completely unrelated words here.", "en", "tk") == []
    with pytest.raises(TmError, match="empty query"):
        lookup(tm, "  ", "en", "tk")
    with pytest.raises(TmError, match="too long"):
        lookup(tm, "word " * 1000, "en", "tk")


def test_numbers_are_patched_into_the_target(tm):
    match = lookup(tm, "The forum will be held in 2027.", "en", "tk")[0]
    assert match.percent == 97
    assert match.target == "Forum 2027-nji ýylda geçiriler."
    assert match.flags == ["auto-patched 2025 -> 2027"]  # bäş and ýedi are both front: -nji stays
    match = lookup(tm, "The forum will be held in 2026.", "en", "tk")[0]
    assert match.target == "Forum 2026-njy ýylda geçiriler."  # alty is back: -njy
    assert match.flags == ["auto-patched 2025 -> 2026", "suffix re-inflected: 2026-nji -> 2026-njy"]


@pytest.mark.parametrize(
    ("lang", "query", "source", "target", "patched", "undecided"),
    [
        # Turkmen: the suffix follows the harmony of the number's last spoken word.
        ("tk", "On 6 September", "On 13 September", "13-nji sentýabrynda", "6-njy sentýabrynda", False),
        ("tk", "the 86th session", "the 85th session", "85-nji mejlisiniň", "86-njy mejlisiniň", False),
        ("tk", "On 21 March", "On 30 March", "30-njy martynda", "21-nji martynda", False),
        ("tk", "in 2026", "in 2025", "2025-nji ýylda", "2026-njy ýylda", False),
        ("tk", "in 100 days", "in 60 days", "60-njy gün", "100-nji gün", False),
        ("tk", "in 1000 days", "in 40 days", "40-njy gün", "1000-nji gün", False),
        ("tk", "on 10 May", "on 15 May", "15-de maýda", "10-da maýda", False),
        ("tk", "from 9 May", "from 7 May", "7-den", "9-dan", False),
        ("tk", "at 20", "at 30", "30-da", "20-de", False),
        ("tk", "of 3", "of 4", "4-iň", "3-iň", False),  # both end in a consonant: harmony decides
        ("tk", "of 2", "of 5", "5-iň", "2-iň", True),  # iki ends in a vowel: -niň? the rule cannot say
        # English ordinals.
        ("en", "81 ýyl", "80 ýyl", "the 80th anniversary", "the 81st anniversary", False),
        ("en", "82 ýyl", "80 ýyl", "the 80th anniversary", "the 82nd anniversary", False),
        ("en", "83 ýyl", "80 ýyl", "the 80th anniversary", "the 83rd anniversary", False),
        ("en", "112 ýyl", "111 ýyl", "the 111th anniversary", "the 112th anniversary", False),
        ("en", "111 ýyl", "101 ýyl", "the 101st anniversary", "the 111th anniversary", False),
        # Russian: a noun after a cardinal of another agreement class is flagged, dates are not.
        ("ru", "2 visits", "5 visits", "5 визитов", "2 визитов", True),
        ("ru", "7 visits", "5 visits", "5 визитов", "7 визитов", False),
        ("ru", "on 21 May", "on 5 May", "5 мая", "21 мая", False),
        ("ru", "in 2021", "in 2024", "в 2024 году", "в 2021 году", False),
    ],
)
def test_what_follows_a_patched_number_is_inflected(lang, query, source, target, patched, undecided):
    result, flags = patch_numbers(query, source, target, lang)
    assert result == patched
    assert any(flag.startswith("check the") for flag in flags) is undecided


def test_ambiguous_numbers_are_flagged_not_patched():
    target, flags = patch_numbers("5 and 6 visits", "5 and 5 visits", "5 we 5 sapar")
    assert target == "5 we 5 sapar"
    assert flags == ["number mismatch 5 -> 6: not patched (check the target)"]
    assert patch_numbers("In 2024 they met.", "In 2023 they met.", "Они встретились в 2023 году.") == (
        "Они встретились в 2024 году.",
        ["auto-patched 2023 -> 2024"],
    )


def test_a_number_named_twice_is_patched_in_both_places_or_flagged():
    target, flags = patch_numbers(
        "The 2026 forum will open in 2026.",
        "The 2025 forum will open in 2025.",
        "2025-nji ýylyň forumy 2025-nji ýylda açylar.",
        "tk",
    )
    assert target == "2026-njy ýylyň forumy 2026-njy ýylda açylar."
    assert flags[0] == "auto-patched 2025 -> 2026 (2 times)"
    # The translation names the year once where the source names it twice: which one is it?
    once, flags = patch_numbers("In 2026, in 2026.", "In 2025, in 2025.", "2025-nji ýylda.", "tk")
    assert once == "2025-nji ýylda." and flags == ["number mismatch 2025 -> 2026: not patched (check the target)"]


def test_a_year_patched_in_a_headline_is_patched_in_a_dotted_date():
    target, flags = patch_numbers("Business forum, 2025", "Business forum, 2024", "Işewür forumy, 12.02.2024")
    assert target == "Işewür forumy, 12.02.2025" and flags == ["auto-patched 2024 -> 2025"]
    # A day changed in the query changes the date's day, not its month.
    day, _ = patch_numbers("On 3 February 2024", "On 12 February 2024", "12.02.2024 senesinde", "tk")
    assert day == "3.02.2024 senesinde"


def test_duplicates_collapse_and_keep_provenance(tm):
    with tm.transaction():
        tm.add_imported("other", "o1", UNITS[2:])
    [match] = lookup(tm, "Talks were held in Helsinki.", "en", "tk", threshold=90)
    assert {match.unit.collection, *(u.collection for u in match.also_in)} == {"test", "other"}


def test_filters_by_collection_and_date(tm):
    with tm.transaction():
        tm.add_imported("other", "o1", UNITS[2:])
    with pytest.raises(TmError, match="no collection missing in the TM"):  # a misspelt name is not "no match"
        lookup(tm, "Talks were held in Helsinki.", "en", "tk", filters=Filters(collections=["missing"]))
    [only] = lookup(tm, "Talks were held in Helsinki.", "en", "tk", filters=Filters(collections=["other"]))
    assert only.unit.collection == "other"
    assert lookup(tm, "Talks were held in Helsinki.", "en", "tk", filters=Filters(since="2030-01-01")) == []


def test_index_follows_writes_and_deletes(tm):
    assert lookup(tm, "A new embassy opened.", "en", "tk") == []
    with tm.transaction():
        tm.add_imported("later", "l1", [ImportedUnit({"en": "A new embassy opened.", "tk": "Täze ilçihana açyldy."})])
    assert lookup(tm, "A new embassy opened.", "en", "tk")[0].percent == 100
    assert tm.delete("later") == 1
    assert lookup(tm, "A new embassy opened.", "en", "tk") == []


def test_saved_index_is_reused_and_rebuilt_when_stale(tmp_path):
    path = tmp_path / "tm.db"
    with TranslationMemory(path) as first, first.transaction():
        first.add_imported("test", "t1", UNITS)
    with TranslationMemory(path) as tm:
        assert lookup(tm, "Talks were held in Helsinki.", "en", "tk")[0].percent == 100
    saved = tmp_path / "tm.db.index" / "en-tk.idx"
    assert saved.is_file()
    with TranslationMemory(path) as tm:
        assert len(index_for(tm, "en", "tk")) == 3
        tm.delete("test", "t1")
        assert lookup(tm, "Talks were held in Helsinki.", "en", "tk") == []


def test_concordance_matches_inflected_forms(memory):
    units = [
        ImportedUnit({"ru": "Переговоры прошли в Ашхабаде.", "en": "Talks took place in Ashgabat."}),
        ImportedUnit({"ru": "Стороны говорили о переговорах в Женеве.", "en": "The sides spoke of the Geneva talks."}),
        ImportedUnit({"ru": "Визит завершился.", "en": "The visit ended."}),
    ]
    with memory.transaction():
        memory.add_imported("test", "t1", units)
    found = concordance(memory, "переговоры", "ru", "en")
    assert sorted(m.target for m in found) == ["Talks took place in Ashgabat.", "The sides spoke of the Geneva talks."]
    assert all(m.kind == "concordance" and "[" in m.diff for m in found)
    assert [m.target for m in concordance(memory, "переговорах в Женеве", "ru", "en")] == [
        "The sides spoke of the Geneva talks."
    ]


def test_semantic_fallback_is_marked(tm, fast_encoder):
    [best, *_] = semantic_lookup(tm, "Helsinki talks", "en", "tk", fast_encoder, top=2, min_similarity=0.0)
    assert best.kind == "semantic" and best.target == "Helsinkide gepleşikler geçirildi."


def test_semantic_offers_nothing_under_its_minimum(tm, fast_encoder):
    offered = semantic_lookup(tm, "Helsinki talks", "en", "tk", fast_encoder, top=3, min_similarity=0.0)
    cut = (offered[0].percent + offered[-1].percent) / 200  # between the best and the worst offer
    kept = semantic_lookup(tm, "Helsinki talks", "en", "tk", fast_encoder, top=3, min_similarity=cut)
    assert 0 < len(kept) < len(offered) and all(m.percent >= 100 * cut for m in kept)
    assert semantic_lookup(tm, "Qwxz vbnm plkj", "en", "tk", fast_encoder) == []


def test_case_only_differences_cost_little():
    headline = "Turkmenistan and Japan signed a memorandum on cooperation"
    assert match_percent(headline.upper(), headline) == 97  # one minor edit, not one per word
    assert word_diff(headline.upper(), headline) == headline
    assert match_percent("The parties signed the plan.", "The Parties signed the plan.") == 96


sentences = st.lists(
    st.sampled_from(["the", "parties", "signed", "a", "plan", "in", "2024", "talks", "were", "held"]),
    min_size=1,
    max_size=8,
).map(" ".join)


@settings(max_examples=200)
@given(st.lists(sentences, min_size=1, max_size=30), sentences, st.integers(1, 100))
@example(stored=["the the the the the"], query="the", threshold=20)  # exactly at the threshold
def test_index_search_equals_exhaustive_scan(stored, query, threshold):
    units = [StoredUnit(i, {"en": s, "tk": str(i)}, "1-1", 1.0, "c", "r", None, None, "") for i, s in enumerate(stored)]
    index = build_index(units, "en", "tk")
    found = sorted(round(score, 6) for _, score in index.search(query, threshold, limit=len(units)))
    expected = sorted(
        round(100 * Levenshtein.normalized_similarity(words(query), words(s)), 6)
        for s in stored
        if 100 * Levenshtein.normalized_similarity(words(query), words(s)) >= threshold - 1e-9
    )
    assert found == expected


def test_lookup_works_while_a_build_writes(tmp_path):
    path = tmp_path / "tm.db"
    with TranslationMemory(path) as writer:
        with writer.transaction():
            writer.add_imported("test", "t1", UNITS)
        with writer.transaction(), TranslationMemory(path, create=False) as reader:
            writer.add_imported("later", "l1", [ImportedUnit({"en": "A new embassy opened.", "tk": "Täze ilçihana."})])
            assert lookup(reader, "Talks were held in Helsinki.", "en", "tk")[0].percent == 100
            assert lookup(reader, "A new embassy opened.", "en", "tk") == []


def test_a_match_through_the_third_language(tmp_path):
    tk = "Taraplar ulag we logistika ulgamynda hyzmatdaşlygy ara alyp maslahatlaşdylar."
    with TranslationMemory(tmp_path / "tm.db") as memory:
        with memory.transaction():
            memory.add_imported(
                "a", "ru-tk", [ImportedUnit({"ru": "Стороны обсудили сотрудничество в транспорте.", "tk": tk})]
            )
        with memory.transaction():
            memory.add_imported(
                "b", "tk-en", [ImportedUnit({"tk": tk, "en": "The sides discussed transport cooperation."})]
            )
        query = "Стороны обсудили сотрудничество в транспорте."
        assert lookup(memory, query, "ru", "en") == []  # no ru-en unit anywhere
        (found,) = bridged_lookup(memory, query, "ru", "en")
        assert (found.percent, found.via, found.target) == (100, "tk", "The sides discussed transport cooperation.")
        assert found.flags == [f"via tk: {tk}"] and found.unit.collection == "b"
        with memory.transaction():  # a direct unit of the same percentage ranks first
            memory.add_imported(
                "c", "ru-en", [ImportedUnit({"ru": query, "en": "The parties talked about transport."})]
            )
        direct, bridged = bridged_lookup(memory, query, "ru", "en")
        assert (direct.via, bridged.via) == (None, "tk") and direct.percent == bridged.percent == 100


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"source": "en", "target": "en"}, "--from and --to are both en"),
        ({"threshold": 101}, "threshold 101 is not a percentage"),
        ({"threshold": -5}, "threshold -5 is not a percentage"),
        ({"top": 0}, "top 0: ask for at least one match"),
        ({"top": -1}, "top -1: ask for at least one match"),
    ],
)
def test_options_that_would_mean_something_else_are_refused(tm, options, problem):
    arguments = {"source": "en", "target": "tk"} | options
    with pytest.raises(TmError, match=problem):
        lookup(tm, "The forum will be held.", **arguments)


def test_concordance_finds_numbers(memory):
    units = [
        ImportedUnit({"en": "The forum was held in 2024.", "tk": "Forum 2024-nji ýylda geçirildi."}),
        ImportedUnit({"en": "Talks were held on 5 March 2023.", "tk": "Gepleşikler 2023-nji ýylyň 5-nji martynda."}),
        ImportedUnit({"en": "The visit ended.", "tk": "Sapar tamamlandy."}),
    ]
    with memory.transaction():
        memory.add_imported("test", "t1", units)
    assert [m.source for m in concordance(memory, "2024", "en", "tk")] == ["The forum was held in 2024."]
    assert [m.source for m in concordance(memory, "5 March", "en", "tk")] == ["Talks were held on 5 March 2023."]
    assert concordance(memory, "1999", "en", "tk") == []


def test_the_context_of_a_unit_gone_since_the_lookup_says_so(tm):
    match = lookup(tm, "Talks were held in Helsinki.", "en", "tk")[0]
    tm.delete("test", "t1")
    with pytest.raises(TmError, match="no longer in the TM"):
        context(tm, match.unit, "en", "tk", 2)


@pytest.mark.parametrize(
    ("query", "source", "target", "shown", "flagged"),
    [
        ("Talks were held", "TALKS WERE HELD", "GEPLEŞIKLER GEÇIRILDI", "Gepleşikler geçirildi", True),
        ("TALKS WERE HELD", "Talks were held", "Gepleşikler geçirildi", "GEPLEŞIKLER GEÇIRILDI", True),
        ("Talks were held", "Talks were held", "Gepleşikler geçirildi", "Gepleşikler geçirildi", False),
        ("TALKS WERE HELD", "TALKS WERE HELD", "GEPLEŞIKLER GEÇIRILDI", "GEPLEŞIKLER GEÇIRILDI", False),
        ("Talks were held", "TALKS WERE HELD", "Gepleşikler geçirildi", "Gepleşikler geçirildi", False),
        ("«Talks» in Ashgabat", "«TALKS» IN ASHGABAT", "«ПЕРЕГОВОРЫ» В АШХАБАДЕ", "«Переговоры» в ашхабаде", True),
        ("UN", "UN", "BMG", "BMG", False),
        ("2024", "2025", "2025", "2025", False),  # no letters: no case
    ],
)
def test_a_translation_takes_the_case_of_the_new_sentence(query, source, target, shown, flagged):
    cased, flags = match_case(query, source, target)
    assert cased == shown and bool(flags) is flagged


def test_an_all_caps_headline_in_the_tm_fills_a_sentence_case_query_in_sentence_case(tm):
    with tm.transaction():
        tm.add_imported(
            "test",
            "caps",
            [ImportedUnit({"en": "TALKS WERE HELD IN ASHGABAT", "tk": "AŞGABATDA GEPLEŞIKLER GEÇIRILDI"})],
        )
    [best, *_] = lookup(tm, "Talks were held in Ashgabat", "en", "tk")
    assert best.target == "Aşgabatda gepleşikler geçirildi" and any(f.startswith("case:") for f in best.flags)


def test_concordance_finds_a_name_written_after_initials(tm):
    with tm.transaction():
        units = [
            ImportedUnit(
                {"en": "Minister R.Meredov met the Ambassador.", "tk": "Ministr R.Meredow ilçi bilen duşuşdy."}
            ),
            ImportedUnit({"en": "S.A.Mukhriddin arrived in Ashgabat.", "tk": "S.A.Muhriddin Aşgabada geldi."}),
            ImportedUnit({"en": "The Meredov family farm.", "tk": "Meredowlaryň maşgala fermasy."}),
        ]
        tm.add_imported("test", "names", units)
    found = concordance(tm, "Meredov", "en", "tk")
    assert sorted(m.diff for m in found) == ["Minister R.[Meredov] met the Ambassador.", "The [Meredov] family farm."]
    [muhriddin] = concordance(tm, "Mukhriddin", "en", "tk")
    assert muhriddin.diff == "S.A.[Mukhriddin] arrived in Ashgabat."
    assert "Ministr R.[Meredow] ilçi bilen duşuşdy." in [m.diff for m in concordance(tm, "Meredow", "tk", "en")]
    assert concordance(tm, "eredov", "en", "tk") == []  # a name's start, not any part of a word


def test_a_russian_concordance_finds_the_forms_of_the_word_not_its_neighbours(tm):
    with tm.transaction():
        units = [
            ImportedUnit(
                {"ru": "Министр иностранных дел провёл встречу.", "tk": "Daşary işler ministri duşuşyk geçirdi."}
            ),
            ImportedUnit(
                {"ru": "Министерство иностранных дел сообщает.", "tk": "Daşary işler ministrligi habar berýär."}
            ),
            ImportedUnit({"ru": "Встреча министра с послом.", "tk": "Ministriň ilçi bilen duşuşygy."}),
            ImportedUnit({"ru": "Р.Мередов встретился с послом Мередовым.", "tk": "R.Meredow ilçi bilen duşuşdy."}),
        ]
        tm.add_imported("test", "ru", units)
    found = sorted(m.source for m in concordance(tm, "министр", "ru", "tk"))
    assert found == ["Встреча министра с послом.", "Министр иностранных дел провёл встречу."]
    assert [m.source for m in concordance(tm, "министерство", "ru", "tk")] == ["Министерство иностранных дел сообщает."]
    assert len(concordance(tm, "послом", "ru", "tk")) == 2  # посол, inflected
    assert len(concordance(tm, "Мередов", "ru", "tk")) == 1  # a name the dictionary lacks: found by its stem


@pytest.mark.parametrize(
    ("word", "lemmas"),
    [
        ("министра", {"министр"}),
        ("министерства", {"министерство"}),
        ("переговорах", {"переговоры"}),
        ("мередовым", None),
    ],
)
def test_russian_lemmas(word, lemmas):
    found = russian_lemmas(word)
    if lemmas is None:
        assert found is None  # not in the dictionary
    else:
        assert lemmas <= found
