"""Corrections: edit, split, merge, not a translation, delete, accept and undo; reviewed units rank
first, are marked in exports, and outlive rebuilds and imports."""

import shutil

import polib
import pytest

from tests.conftest import SAMPLE
from tm import formats, review
from tm.errors import TmError
from tm.formats import ImportedUnit
from tm.jobs import build
from tm.lookup import bridged_lookup, lookup
from tm.store import TranslationMemory

CODES3 = ("tk", "ru", "en")
PARTIES = "The parties discussed the development of transport and logistics links between the two countries."


@pytest.fixture
def corpus(tmp_path):
    return shutil.copytree(SAMPLE, tmp_path / "sample")


@pytest.fixture
def tm(tmp_path, corpus):
    with TranslationMemory(tmp_path / "tm.db") as memory:
        build(corpus, memory, "ngram")
        yield memory


def units_of(tm, release="2024-001"):
    return tm.release_units(tm.release_key("sample", release))


def state(tm, release="2024-001"):
    """Everything a correction may change in a release: its units and its pair units."""
    key = tm.release_key("sample", release)
    return (
        tm.db.execute("SELECT * FROM units WHERE release = ? ORDER BY id", (key,)).fetchall(),
        tm.db.execute("SELECT * FROM pair_units WHERE release = ? ORDER BY id", (key,)).fetchall(),
    )


def unit_with(tm, english, release="2024-001"):
    return next(u for u in units_of(tm, release) if u.texts.get("en", "").startswith(english))


def test_an_edit_is_what_lookups_find_first_and_is_recorded(tm):
    unit = unit_with(tm, "The parties")
    wrong = lookup(tm, PARTIES, "en", "tk")[0]
    correction = review.edit(tm, unit.id, {"tk": "Düzedilen terjime."}, "anna")
    edited = tm.tri_unit(unit.id)
    assert edited.texts["tk"] == "Düzedilen terjime." and edited.reviewer == "anna" and edited.confidence == 1.0
    [best, *_] = lookup(tm, PARTIES, "en", "tk")
    assert best.target == "Düzedilen terjime." and best.unit.reviewer == "anna"
    assert all(m.target != wrong.target for m in lookup(tm, PARTIES, "en", "tk"))  # the pair unit was replaced
    [record] = tm.corrections()
    assert (record.id, record.user, record.action) == (correction, "anna", "edit")
    assert record.before[0]["texts"]["tk"] == wrong.target and record.after[0]["texts"]["tk"] == "Düzedilen terjime."


def test_a_reviewed_match_ranks_above_an_unreviewed_one_of_the_same_score(tm):
    with tm.transaction():
        tm.add_imported("import", "a.tmx", [ImportedUnit({"en": "Good morning.", "tk": "Ertiriňiz haýyrly."})])
        tm.add_imported("import", "b.tmx", [ImportedUnit({"en": "Good morning.", "tk": "Ertiriňiz haýyrly bolsun."})])
    before = [m.target for m in bridged_lookup(tm, "Good morning.", "en", "tk")]
    loser = before[-1]
    unit = next(u for u in units_of_import(tm) if u.texts["tk"] == loser)
    review.accept(tm, unit.id, "anna")
    after = [m.target for m in bridged_lookup(tm, "Good morning.", "en", "tk")]
    assert after == [loser, before[0]]


def units_of_import(tm):
    return [u for name in ("a.tmx", "b.tmx") for u in tm.release_units(tm.release_key("import", name))]


def test_split_and_merge_keep_every_sentence_and_undo_restores_the_release_exactly(tm):
    original = state(tm)
    first, second = unit_with(tm, "The parties"), unit_with(tm, "Special attention")
    merged = review.merge(tm, first.id, "anna")
    joined = tm.tri_unit(first.id)
    assert joined.bead_type == "2-2-2" and joined.texts["en"] == f"{first.texts['en']} {second.texts['en']}"
    assert len(units_of(tm)) == 4
    split = review.split(tm, first.id, "boris")
    parts = [u for u in units_of(tm) if u.reviewer == "boris"]
    assert [p.texts for p in parts] == [first.texts, second.texts]
    assert [p.spans for p in parts] == [first.spans, second.spans]
    with pytest.raises(TmError, match=f"correction {split} came after it"):
        review.undo(tm, merged, "anna")
    review.undo(tm, split, "anna")
    review.undo(tm, merged, "anna")
    assert state(tm) == original
    assert [c.undone_by for c in tm.corrections()] == ["anna", "anna"]
    with pytest.raises(TmError, match="undone already"):
        review.undo(tm, merged, "anna")


def test_a_split_needs_a_sentence_on_both_sides(tm):
    unit = unit_with(tm, "The parties")
    with pytest.raises(TmError, match="both parts of a split need a sentence"):
        review.split(tm, unit.id, "anna")
    with pytest.raises(TmError, match="cannot put 3 in the first part"):
        review.split(tm, unit.id, "anna", {"en": 3})
    assert tm.corrections() == []


def test_not_a_translation_and_delete_take_a_unit_out_of_lookups_and_exports(tm, tmp_path):
    parties, special = unit_with(tm, "The parties"), unit_with(tm, "Special attention")
    review.not_translation(tm, parties.id, "anna")
    review.delete(tm, special.id, "anna")
    alone = [u for u in units_of(tm) if u.reviewer]
    assert sorted(u.bead_type for u in alone) == ["0-0-1", "0-0-1", "0-1-0", "0-1-0", "1-0-0", "1-0-0"]
    assert not any(m.unit.release_id == "2024-001" for m in lookup(tm, PARTIES, "en", "tk", threshold=60))
    formats.export_tm(tm, tmp_path / "out.csv", formats.ExportOptions(langs=("tk", "ru", "en")))
    exported = (tmp_path / "out.csv").read_text()
    assert parties.texts["en"] not in exported and special.texts["en"] not in exported


def rewrite(corpus, lang, old, new, release="2024-001"):
    path = corpus / release / f"{lang}.txt"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_reviewed_units_outlive_a_rebuild_of_their_release(tm, corpus):
    parties, special = unit_with(tm, "The parties"), unit_with(tm, "Special attention")
    review.edit(tm, parties.id, {"tk": "Düzedilen terjime."}, "anna")
    review.delete(tm, special.id, "anna")
    old_key = tm.release_key("sample", "2024-001")
    rewrite(corpus, "en", "Following the meeting", "After the meeting")  # another sentence of the page
    assert build(corpus, tm, "ngram").added == 1
    assert tm.release_key("sample", "2024-001") != old_key  # stored anew
    kept = tm.tri_unit(parties.id)
    assert kept.texts["tk"] == "Düzedilen terjime." and kept.spans == parties.spans and kept.reviewer == "anna"
    assert lookup(tm, PARTIES, "en", "tk")[0].target == "Düzedilen terjime."
    assert not any(u.texts.get("en", "").startswith("Special") and len(u.texts) > 1 for u in units_of(tm))
    positions = [u.position for u in units_of(tm)]
    assert positions == list(range(len(positions)))
    assert unit_with(tm, "After the meeting").reviewer is None


def test_a_reviewed_unit_keeps_its_id_when_its_release_is_rebuilt_last(tm, corpus):
    """The new units of a rebuilt release start above the ids of the reviewed units coming back:
    SQLite would give the newest release's units the ids it just deleted, the reviewed one's too."""
    last = "2024-006"
    [*_, newest] = units_of(tm, last)
    assert newest.id == tm.db.execute("SELECT max(id) FROM units").fetchone()[0]
    review.accept(tm, newest.id, "anna")
    page = corpus / last / "en.txt"
    title, body = page.read_text(encoding="utf-8").split("\n", 1)
    page.write_text(f"{title}\nA sentence put in at the top of the page.\n{body}", encoding="utf-8")
    assert build(corpus, tm, "ngram").added == 1
    kept = tm.tri_unit(newest.id)
    assert (kept.reviewer, kept.texts) == ("anna", newest.texts)
    assert len({u.id for u in units_of(tm, last)}) == len(units_of(tm, last))


def test_a_rebuild_keeps_the_id_and_version_of_every_unit_whose_texts_it_finds_again(tm, corpus):
    before = {tuple(sorted(u.texts.items())): (u.id, u.version) for u in units_of(tm)}
    rewrite(corpus, "en", "Following the meeting", "After the meeting")
    assert build(corpus, tm, "ngram").added == 1
    after = {tuple(sorted(u.texts.items())): (u.id, u.version) for u in units_of(tm)}
    same = set(before) & set(after)
    assert len(same) >= len(before) - 2 and all(before[texts] == after[texts] for texts in same)
    assert tm.tri_unit(unit_with(tm, "After the meeting").id).version > max(v for _, v in before.values())


def test_a_reviewed_unit_whose_page_sentence_changed_stays_marked_at_the_end(tm, corpus):
    parties = unit_with(tm, "The parties")
    review.edit(tm, parties.id, {"tk": "Düzedilen terjime."}, "anna")
    rewrite(corpus, "en", "The parties discussed", "The sides discussed")
    build(corpus, tm, "ngram")
    units = units_of(tm)
    assert units[-1].id == parties.id and units[-1].texts["tk"] == "Düzedilen terjime."
    assert "x-page-changed" in units[-1].props
    assert unit_with(tm, "The sides").reviewer is None


def test_reimporting_a_file_keeps_its_reviewed_units(tm, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("en,tk\nGood morning.,Ertiriňiz haýyrly.\nThank you.,Sag boluň.\n", encoding="utf-8")
    formats.import_file(tm, path)
    key = tm.release_key("import", str(path.resolve()))
    unit = next(u for u in tm.release_units(key) if u.texts["en"] == "Thank you.")
    review.edit(tm, unit.id, {"tk": "Köp sag boluň."}, "anna")
    with path.open("a", encoding="utf-8") as more:
        more.write("Welcome.,Hoş geldiňiz.\n")
    assert formats.import_file(tm, path).replaced == 2
    key = tm.release_key("import", str(path.resolve()))
    assert [u.texts["tk"] for u in tm.release_units(key)] == ["Ertiriňiz haýyrly.", "Köp sag boluň.", "Hoş geldiňiz."]
    assert tm.release_units(key)[1].id == unit.id


def test_exports_mark_reviewed_units(tm, tmp_path):
    unit = unit_with(tm, "The parties")
    review.accept(tm, unit.id, "anna")
    options = formats.ExportOptions(langs=("en", "tk"))
    formats.export_tm(tm, tmp_path / "out.tmx", options)
    tmx = (tmp_path / "out.tmx").read_text()
    assert tmx.count('<prop type="x-reviewed-by">anna</prop>') == 1
    formats.export_tm(tm, tmp_path / "out.po", formats.ExportOptions(langs=("en", "tk"), fuzzy_below=1.01))
    entries = {e.msgid: e for e in polib.pofile(str(tmp_path / "out.po"))}
    assert not entries[unit.texts["en"]].fuzzy and "reviewed by anna" in entries[unit.texts["en"]].comment
    assert sum(e.fuzzy for e in entries.values()) == len(entries) - 1


def test_relink_moves_one_language_to_the_unit_it_belongs_to(tm):
    parties, special = unit_with(tm, "The parties"), unit_with(tm, "Special attention")
    review.relink(tm, parties.id, "ru", "anna", to="next")
    left, gained = tm.tri_unit(parties.id), tm.tri_unit(special.id)
    assert set(left.texts) == {"tk", "en"} and left.bead_type == "1-0-1"
    assert gained.texts["ru"] == f"{parties.texts['ru']} {special.texts['ru']}"
    assert gained.spans["ru"] == (parties.spans["ru"][0], 2) and gained.bead_type == "1-2-1"
    [found] = [m for m in lookup(tm, special.texts["en"], "en", "ru", threshold=100)]
    assert found.target == gained.texts["ru"]
    review.relink(tm, special.id, "ru", "anna", to="previous")
    assert tm.tri_unit(parties.id).texts["ru"] == gained.texts["ru"] and "ru" not in tm.tri_unit(special.id).texts
    first = units_of(tm)[0]
    with pytest.raises(TmError, match="has no previous unit"):
        review.relink(tm, first.id, "en", "anna", to="previous")
    with pytest.raises(TmError, match="say next or previous"):
        review.relink(tm, first.id, "en", "anna", to="up")


def _corrected(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("name", "langs"), [("out.tmx", ("en", "tk")), ("out.po", ("en", "tk")), ("out.csv", CODES3)])
def test_a_corrected_export_comes_back_as_edits_not_duplicates(tm, tmp_path, name, langs):
    parties = unit_with(tm, "The parties")
    path = tmp_path / name
    formats.export_tm(tm, path, formats.ExportOptions(langs=langs))
    units_before = tm.stats().units
    _corrected(path, parties.texts["tk"], "Düzedilen terjime.")
    found = review.corrections_from_file(tm, path, "anna")
    assert (found.corrected, found.left) == (1, {}) and found.unchanged > 10
    assert tm.tri_unit(parties.id).texts["tk"] == "Düzedilen terjime." and tm.tri_unit(parties.id).reviewer == "anna"
    assert tm.stats().units == units_before  # nothing added
    assert lookup(tm, PARTIES, "en", "tk")[0].target == "Düzedilen terjime."
    assert review.corrections_from_file(tm, path, "anna").corrected == 0  # applied once


def test_corrections_from_a_file_that_names_nothing_change_nothing(tm, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("en,tk,collection,release,unit\nHello.,Salam.,sample,2024-001,3\nA.,B.,,,\n", encoding="utf-8")
    before = state(tm)
    found = review.corrections_from_file(tm, path, "anna")
    assert found.corrected == 0 and sum(found.left.values()) == 2
    assert state(tm) == before and tm.corrections() == []


@pytest.mark.parametrize("release_id", ["/data/exports/jobs/a.tmx", "/data/Press № 5/a b#2.tmx"])
def test_po_corrections_reach_a_release_whose_id_holds_slashes(tm, tmp_path, release_id):
    """An imported file's release id is its path; a grouped page's, its folder and name: the
    PO's msgctxt `collection/release/id#unit` is split at the collection's slash, not the last,
    and at the last `#`; spaces in it (which split the `#:` references) do not matter."""
    with tm.transaction():
        tm.add_imported("import", release_id, [ImportedUnit({"en": "Good evening.", "tk": "Agşamyňyz."})])
    path = tmp_path / "out.po"
    formats.export_tm(tm, path, formats.ExportOptions(langs=("en", "tk")))
    _corrected(path, "Agşamyňyz.", "Agşamyňyz haýyrly bolsun.")
    found = review.corrections_from_file(tm, path, "anna")
    assert (found.corrected, found.left) == (1, {})
    [unit] = tm.release_units(tm.release_key("import", release_id))
    assert unit.texts["tk"] == "Agşamyňyz haýyrly bolsun." and unit.reviewer == "anna"


def test_more_than_a_thousand_reviewed_units_come_back_in_their_order(tm, tmp_path):
    path = tmp_path / "many.csv"
    rows = [(f"Sentence {n}.", f"Sözlem {n}.") for n in range(1_200)]
    path.write_text("en,tk\n" + "".join(f"{en},{tk}\n" for en, tk in rows), encoding="utf-8")
    formats.import_file(tm, path)
    key = tm.release_key("import", str(path.resolve()))
    with tm.transaction():  # reviewed as corrections leave them: their texts their own
        tm.db.execute(
            "UPDATE units SET reviewer = 'anna', reviewed_at = '2026-01-01', tk = (SELECT text FROM segments s"
            " WHERE s.release = units.release AND s.lang = 'tk' AND s.idx = units.tk_first), en = (SELECT text"
            " FROM segments s WHERE s.release = units.release AND s.lang = 'en' AND s.idx = units.en_first)"
            " WHERE release = ?",
            (key,),
        )
    with path.open("a", encoding="utf-8") as more:
        more.write("One more.,Ýene biri.\n")
    formats.import_file(tm, path)
    units = tm.release_units(tm.release_key("import", str(path.resolve())))
    assert [u.texts["en"] for u in units] == [en for en, _ in rows] + ["One more."]
    assert sum(u.reviewer == "anna" for u in units) == 1_200


def test_a_unit_gets_the_translation_it_lacks_and_undo_takes_it_back(tm):
    [lacking] = [u for u in units_of(tm, "2024-006") if u.texts.get("en") == "Message for the media"]
    assert "ru" not in lacking.texts
    correction = review.add_language(tm, lacking.id, {"ru": "Сообщение для СМИ."}, "anna")
    added = tm.tri_unit(lacking.id)
    assert added.texts == {**lacking.texts, "ru": "Сообщение для СМИ."} and added.reviewer == "anna"
    assert added.bead_type == "1-1-1" and tm.check() == []
    assert lookup(tm, "Сообщение для СМИ.", "ru", "en")[0].target == "Message for the media"
    with pytest.raises(TmError, match="has a ru sentence already"):
        review.add_language(tm, lacking.id, {"ru": "Ещё."}, "anna")
    review.undo(tm, correction, "anna")
    with pytest.raises(TmError, match="empty"):
        review.add_language(tm, lacking.id, {"ru": " "}, "anna")
    assert tm.tri_unit(lacking.id).texts == lacking.texts
