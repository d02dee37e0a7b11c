"""The lookup index as a server and several workers live with it, and lookup() against its exhaustive twin."""

import importlib
import json
import multiprocessing
import os
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from tests.oracle import reference_lookup
from tm.formats import ImportedUnit
from tm.lookup import Filters, index_for, lookup, words
from tm.lookup.index_build import build_index
from tm.store import StoredUnit, TranslationMemory

views = importlib.import_module("tm.lookup.views")  # where the index views live
fuzzy_module = importlib.import_module("tm.lookup.fuzzy")
index_module = importlib.import_module("tm.lookup.index")
index_file = importlib.import_module("tm.lookup.index_file")
WORDS = ["the", "parties", "signed", "a", "plan", "in", "2024", "talks", "were", "held", "on", "trade", "energy"]


def _unit(en: str, tk: str, confidence: float = 1.0) -> ImportedUnit:
    return ImportedUnit({"en": en, "tk": tk}, {"x-confidence": str(confidence)})


def _tm(path, units, release="t1"):
    tm = TranslationMemory(path)
    with tm.transaction():
        tm.add_imported("test", release, units)
    return tm


def test_a_sure_match_one_word_away_beats_many_unsure_copies(memory):
    """20 copies of the query at confidence 0.3 score 100 - 7 = 93; one confident unit one word away
    from a 17-word query scores 94 and must come first at any --top."""
    query = "The parties discussed the development of transport links between the two countries in Ashgabat"
    query += " on Monday morning."
    near = query.replace("Monday", "Tuesday")
    units = [_unit(query, f"Terjime {n}.", 0.3) for n in range(20)] + [_unit(near, "Dogry terjime.", 1.0)]
    with memory.transaction():
        memory.add_imported("test", "t1", units)
    for top in (1, 5, 50):
        best = lookup(memory, query, "en", "tk", top=top)[0]
        assert (best.target, best.percent, best.penalty) == ("Dogry terjime.", 94, 0.0)


sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=7).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(sentences, st.sampled_from(["a", "b", "c"]), st.floats(0.0, 1.0)), min_size=1, max_size=40),
    sentences,
    st.integers(1, 100),
    st.integers(1, 6),
    st.sampled_from([None, ["x"]]),
)
def test_lookup_equals_scoring_every_unit(stored, query, threshold, top, collections):
    memory = TranslationMemory(":memory:")
    with memory.transaction():
        for collection in ("x", "y"):
            units = [_unit(en, tk, round(c, 2)) for en, tk, c in stored]
            memory.add_imported(collection, collection, units)
    filters = Filters(collections) if collections else None
    old = fuzzy_module.BATCH, fuzzy_module.CHUNK
    fuzzy_module.BATCH, fuzzy_module.CHUNK = 2, 0  # so that candidates are dropped between batches
    try:
        got = lookup(memory, query, "en", "tk", threshold, top, filters)
    finally:
        fuzzy_module.BATCH, fuzzy_module.CHUNK = old
    expected = reference_lookup(memory, query, "en", "tk", threshold, top, filters)
    key = lambda m: (m.percent, m.penalty, m.source, m.target, m.unit.confidence)  # noqa: E731
    assert [key(m) for m in got] == [key(m) for m in expected]
    memory.close()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 100))
def test_index_search_equals_exhaustive_scan_past_the_prefix_filter(seed, threshold):
    """Big enough, and with EXTRA_POSTINGS at 0, that the prefix filter and the early stop both run."""
    generator = random.Random(seed)
    vocabulary = WORDS + [f"w{n}" for n in range(40)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like: rare and common words
    stored = [" ".join(generator.choices(vocabulary, weights, k=generator.randint(1, 8))) for _ in range(1500)]
    query = " ".join(generator.choices(vocabulary, weights, k=generator.randint(1, 8)))
    units = [StoredUnit(i, {"en": s, "tk": str(i)}, "1-1", 1.0, "c", "r", None, None, "") for i, s in enumerate(stored)]
    index = build_index(units, "en", "tk")
    old = index_module.EXTRA_POSTINGS, index_module.BATCH
    index_module.EXTRA_POSTINGS, index_module.BATCH = 0, 8
    try:
        found = [(index.units_of(entry)[0], round(score, 6)) for entry, score in index.search(query, threshold, 10**6)]
        best = [(index.units_of(entry)[0], round(score, 6)) for entry, score in index.search(query, threshold, 5)]
    finally:
        index_module.EXTRA_POSTINGS, index_module.BATCH = old
    expected = set()
    for i, text in enumerate(stored):
        score = 100 * Levenshtein.normalized_similarity(words(query), words(text))
        if score >= threshold - 1e-9:
            expected.add((i, round(score, 6)))
    assert set(found) == expected and len(found) == len(expected)
    # The top 5 (where the early stop runs): the five best scores, each with an entry that has it.
    assert [score for _, score in best] == sorted((score for _, score in expected), reverse=True)[:5]
    assert set(best) <= expected


def test_the_prefix_filter_keeps_an_entry_holding_only_the_common_query_words(monkeypatch):
    """Query "rare1 rare2 common1 common2" at 50%: "common1 common2" shares two of four words, none of
    them the rare ones, so prefix filtering must read past the two rarest posting lists."""
    monkeypatch.setattr(index_module, "EXTRA_POSTINGS", 0)
    stored = ["common1 common2"] + [f"common1 common2 filler{n} more{n}" for n in range(50)] + ["rare1", "rare2"]
    units = [StoredUnit(i, {"en": s, "tk": str(i)}, "1-1", 1.0, "c", "r", None, None, "") for i, s in enumerate(stored)]
    index = build_index(units, "en", "tk")
    found = {index.units_of(entry)[0]: score for entry, score in index.search("rare1 rare2 common1 common2", 50, 100)}
    assert found[0] == 50.0


def test_the_early_stop_never_skips_a_better_entry(monkeypatch):
    """Five entries hold every query word (bound 100%) with two words swapped (90%); one has a word
    replaced (bound and score 95%). Scored one at a time, the search may stop only after the 95% one."""
    monkeypatch.setattr(index_module, "BATCH", 1)
    query = [f"word{n}" for n in range(20)]
    swapped = [" ".join([*query[:k], query[k + 1], query[k], *query[k + 2 :]]) for k in range(0, 10, 2)]
    stored = [*swapped, " ".join([*query[:19], "other"])]
    units = [StoredUnit(i, {"en": s, "tk": str(i)}, "1-1", 1.0, "c", "r", None, None, "") for i, s in enumerate(stored)]
    index = build_index(units, "en", "tk")
    best = [(index.units_of(entry)[0], round(score)) for entry, score in index.search(" ".join(query), 50, 5)]
    assert best[0] == (5, 95) and [score for _, score in best] == [95, 90, 90, 90, 90]


def test_added_and_removed_releases_are_followed_without_a_rebuild(tmp_path):
    path = tmp_path / "tm.db"
    tm = _tm(path, [_unit("Talks were held in Helsinki.", "Helsinkide gepleşikler geçirildi.")])
    lookup(tm, "Talks were held in Helsinki.", "en", "tk")
    saved = tmp_path / "tm.db.index" / "en-tk.idx"
    built = saved.stat().st_mtime_ns
    with tm.transaction():
        tm.add_imported("test", "t2", [_unit("The forum opened in Ashgabat.", "Forum Aşgabatda açyldy.")])
    assert lookup(tm, "The forum opened in Ashgabat.", "en", "tk")[0].percent == 100
    tm.delete("test", "t1")
    assert lookup(tm, "Talks were held in Helsinki.", "en", "tk") == []
    with TranslationMemory(path) as other:  # another process: the saved index plus the change log
        assert lookup(other, "The forum opened in Ashgabat.", "en", "tk")[0].percent == 100
        assert lookup(other, "Talks were held in Helsinki.", "en", "tk") == []
        assert len(index_for(other, "en", "tk").layers) == 2
    assert saved.stat().st_mtime_ns == built
    tm.close()


def test_a_write_committed_while_the_view_is_brought_up_to_date_is_counted_once(tmp_path, monkeypatch):
    """Another process commits a release between the view reading the TM's generation and reading
    the changes since: the view must be of one moment, and the release indexed once, not twice."""
    path = tmp_path / "tm.db"
    tm = _tm(path, [_unit("Talks were held in Helsinki.", "Helsinkide gepleşikler geçirildi.")])
    lookup(tm, "Talks were held in Helsinki.", "en", "tk")
    with tm.transaction():
        tm.add_imported("test", "t2", [_unit("The forum opened in Ashgabat.", "Forum Aşgabatda açyldy.")])
    original, writes = TranslationMemory.changes_since, []

    def write_first(self, generation):
        if not writes:
            writes.append(1)
            with TranslationMemory(path) as other, other.transaction():
                other.add_imported("test", "t3", [_unit("The forum opened in Mary.", "Forum Maryda açyldy.")])
        return original(self, generation)

    monkeypatch.setattr(TranslationMemory, "changes_since", write_first)
    assert len(index_for(tm, "en", "tk")) == 2  # the moment before the other write
    monkeypatch.setattr(TranslationMemory, "changes_since", original)
    view = index_for(tm, "en", "tk")
    assert len(view) == 3 and view.stamp[1] == tm.generation()
    found = lookup(tm, "The forum opened in Mary.", "en", "tk", top=5)
    assert [m.target for m in found].count("Forum Maryda açyldy.") == 1
    tm.close()


def test_a_link_at_the_index_lock_is_not_followed(tmp_path):
    """A symbolic link planted where the rebuild lock goes: the file it points to stays as it was,
    and the lookup still answers (from an index kept in memory)."""
    tm = _tm(tmp_path / "tm.db", [_unit("Talks were held.", "Gepleşikler geçirildi.")])
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    (tmp_path / "tm.db.index").mkdir()
    (tmp_path / "tm.db.index" / "en-tk.lock").symlink_to(victim)
    assert lookup(tm, "Talks were held.", "en", "tk")[0].percent == 100
    assert victim.read_text() == "keep me"
    tm.close()


def test_many_additions_rebuild_the_saved_index(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "DELTA_LIMIT", 1)
    tm = _tm(tmp_path / "tm.db", [_unit("Talks were held.", "Gepleşikler geçirildi.")])
    lookup(tm, "Talks were held.", "en", "tk")
    with tm.transaction():
        tm.add_imported("test", "t2", [_unit("The forum opened.", "Forum açyldy."), _unit("A visit.", "Sapar.")])
    view = index_for(tm, "en", "tk")
    assert (len(view.layers), view.base_generation) == (1, tm.generation())
    tm.close()


def _saved_index(tmp_path, sentence: str):
    """A TM of one unit whose en-tk index has been saved (and the TM closed); the index file."""
    tm = _tm(tmp_path / "tm.db", [_unit(sentence, "Gepleşikler geçirildi.")])
    lookup(tm, sentence, "en", "tk")
    tm.close()
    return tmp_path / "tm.db.index" / "en-tk.idx"


def test_a_truncated_index_file_is_rebuilt(tmp_path):
    saved = _saved_index(tmp_path, "Talks were held.")
    saved.write_bytes(saved.read_bytes()[:200])
    with TranslationMemory(tmp_path / "tm.db") as again:
        assert lookup(again, "Talks were held.", "en", "tk")[0].percent == 100


def test_another_tm_at_the_same_path_and_generation_is_not_served_the_old_index(tmp_path):
    path = tmp_path / "tm.db"
    first = _tm(path, [_unit("Talks were held.", "Gepleşikler geçirildi.")])
    lookup(first, "Talks were held.", "en", "tk")
    generation = first.generation()
    first.close()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"tm.db{suffix}").unlink(missing_ok=True)
    second = _tm(path, [_unit("The forum opened.", "Forum açyldy.")])
    assert second.generation() == generation
    assert lookup(second, "Talks were held.", "en", "tk") == []
    assert lookup(second, "The forum opened.", "en", "tk")[0].target == "Forum açyldy."
    second.close()


def _lookup_in_process(path: str, results) -> None:
    try:
        with TranslationMemory(path, create=False) as tm:
            results.put(lookup(tm, "Talks were held in Helsinki.", "en", "tk")[0].percent)
    except Exception as error:  # reported to the test, which names it
        results.put(repr(error))


def test_lookups_started_together_after_a_write_all_succeed(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "DELTA_LIMIT", 0)  # every process wants to rebuild
    path = tmp_path / "tm.db"
    tm = _tm(path, [_unit("Talks were held in Helsinki.", "Helsinkide gepleşikler geçirildi.")])
    lookup(tm, "Talks were held in Helsinki.", "en", "tk")
    with tm.transaction():
        tm.add_imported("test", "t2", [_unit(f"Sentence number {n}.", f"Sözlem {n}.") for n in range(300)])
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_lookup_in_process, args=(str(path), results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(results.get(timeout=5) for _ in workers) == [100] * 4
    assert not [name for name in os.listdir(tmp_path / "tm.db.index") if name.endswith(".partial")]
    tm.close()


def test_lookup_where_no_index_can_be_saved_still_answers(tmp_path):
    """A saved index is a cache: when its folder cannot be made, the index lives in memory."""
    tm = _tm(tmp_path / "tm.db", [_unit("Talks were held.", "Gepleşikler geçirildi.")])
    (tmp_path / "tm.db.index").write_text("a file where the index folder would be")
    assert lookup(tm, "Talks were held.", "en", "tk")[0].percent == 100
    tm.close()


def test_a_stream_of_writes_is_followed_write_by_write_with_few_layers(tmp_path, monkeypatch):
    """A server looking up while a build stores release after release: after each write the view
    gains a layer of that write alone (merged with its neighbours as they grow), and answers as
    scoring every unit does, through additions, removals and corrections in place."""
    rng = random.Random(5)
    tm = _tm(tmp_path / "tm.db", [_unit("Talks were held in Helsinki.", "Helsinkide gepleşikler geçirildi.")])
    lookup(tm, "Talks", "en", "tk")
    indexed = []

    def counted(units, source, target):
        units = list(units)
        indexed.append(len(units))
        return build_index(units, source, target)

    monkeypatch.setattr(views, "build_index", counted)
    sentences = [" ".join(rng.choices(WORDS, k=rng.randint(3, 8))) for _ in range(120)]
    for number, sentence in enumerate(sentences):
        with tm.transaction():
            tm.add_imported("test", f"r{number}", [_unit(sentence, f"tk {number}")])
        if number % 10 == 3:
            tm.delete("test", f"r{number - 2}")
        if number % 10 == 7:
            key = tm.release_key("test", f"r{number - 1}")
            with tm.transaction():
                tm.record_correction("anna", "edit", tm.release_units(key), [])
        query = rng.choice(sentences[: number + 1])
        assert lookup(tm, query, "en", "tk", 50, 3) == reference_lookup(tm, query, "en", "tk", 50, 3)
    view = index_for(tm, "en", "tk")
    assert view.base_generation < 5 and len(view.layers) <= 1 + 8  # no rebuild; about log2(120) layers
    # Each unit indexed a few times (log2 of 120 at most), not once per later write (about 60 times).
    assert sum(indexed) <= 120 * 8
    tm.close()


def test_an_altered_index_file_is_rebuilt_not_trusted(tmp_path):
    saved = _saved_index(tmp_path, "Talks were held in Helsinki.")
    data = bytearray(saved.read_bytes())
    magic = len(index_file._MAGIC)
    head_length = int.from_bytes(data[magic : magic + 8], "little")
    header = json.loads(data[magic + 8 : magic + 8 + head_length])
    start = -(-(magic + 8 + head_length) // 64) * 64
    data[start + header["arrays"]["vocabulary"][2]] ^= 0x01  # one bit of a word of the vocabulary
    saved.write_bytes(bytes(data))
    with TranslationMemory(tmp_path / "tm.db") as other:
        assert index_file.load_index(saved, other.identity()) is None
        [match] = lookup(other, "Talks were held in Helsinki.", "en", "tk")
        assert match.percent == 100
        assert index_file.load_index(saved, other.identity()) is not None  # written again, whole
