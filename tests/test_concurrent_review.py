"""Two people correcting the TM at once: each correction reads and writes in one transaction, a
unit carries the version a person saw, and a change made from a version that is gone is refused
with the unit as it is now, never applied over someone else's."""

import contextlib
import re
import threading

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SAMPLE
from tm import formats, review
from tm.errors import Conflict, NotFound, StoreError
from tm.jobs import build
from tm.store import TranslationMemory
from tm.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "tm.db"
    with TranslationMemory(path) as tm:
        build(SAMPLE, tm, "ngram")
    return path


def trilingual(tm):
    key = tm.release_key("sample", "2024-001")
    return [u for u in tm.release_units(key) if len(u.texts) == 3]


def test_two_reviewers_editing_one_unit_at_once_both_keep_their_edit(db, monkeypatch):
    """Each reviewer has read the unit before either writes: the old code wrote both edits from
    the texts read, and the second undid the first."""
    both_read = threading.Barrier(2)
    read = TranslationMemory.tri_unit

    def read_then_wait(self, unit_id):
        unit = read(self, unit_id)
        # With the read inside the transaction, the other reviewer waits for the lock instead.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=1)
        return unit

    with TranslationMemory(db) as tm:
        unit = trilingual(tm)[0]
    monkeypatch.setattr(TranslationMemory, "tri_unit", read_then_wait)
    edits = {"tk": "Täze türkmençe.", "ru": "Новый русский текст."}

    def reviewer(lang):
        with TranslationMemory(db) as tm:
            review.edit(tm, unit.id, {lang: edits[lang]}, f"reviewer-{lang}")

    threads = [threading.Thread(target=reviewer, args=(lang,)) for lang in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    with TranslationMemory(db) as tm:
        now = tm.tri_unit(unit.id)
        assert (now.texts["tk"], now.texts["ru"], now.texts["en"]) == (edits["tk"], edits["ru"], unit.texts["en"])
        first, second = sorted(tm.corrections(), key=lambda c: c.id)
        assert first.before[0]["texts"] == unit.texts  # each audit's "before" is what was stored then
        assert second.before[0]["texts"] == first.after[0]["texts"]


@pytest.mark.parametrize(
    "operation",
    [
        lambda tm, unit, expect: review.edit(tm, unit.id, {"en": "Changed."}, "bob", expect),
        lambda tm, unit, expect: review.accept(tm, unit.id, "bob", expect),
        lambda tm, unit, expect: review.split(tm, unit.id, "bob", {"en": 0}, expect),
        lambda tm, unit, expect: review.merge(tm, unit.id, "bob", expect),
        lambda tm, unit, expect: review.relink(tm, unit.id, "ru", "bob", "next", expect),
        lambda tm, unit, expect: review.not_translation(tm, unit.id, "bob", expect),
        lambda tm, unit, expect: review.delete(tm, unit.id, "bob", expect),
    ],
    ids=["edit", "accept", "split", "merge", "relink", "not-translation", "delete"],
)
def test_every_correction_from_a_stale_version_is_refused_and_writes_nothing(db, operation):
    with TranslationMemory(db) as tm:
        seen = trilingual(tm)[0]
        review.edit(tm, seen.id, {"tk": "Başga biri üýtgetdi."}, "anna")
        changed = tm.tri_unit(seen.id)
        assert changed.version > seen.version
        before = (tm.generation(), len(tm.corrections()))
        with pytest.raises(Conflict, match=f"unit {seen.id} changed since you saw it") as refused:
            operation(tm, seen, seen.version)
        assert refused.value.current == changed and "by anna" in refused.value.problem
        assert (tm.generation(), len(tm.corrections())) == before and tm.tri_unit(seen.id) == changed
        operation(tm, changed, changed.version)  # from the version as it is now, it goes through
        assert len(tm.corrections()) == before[1] + 1


def test_a_library_caller_that_read_outside_the_transaction_cannot_write_over_a_newer_unit(db):
    with TranslationMemory(db) as tm:
        stale = trilingual(tm)[0]
        review.accept(tm, stale.id, "anna")
        with pytest.raises(Conflict), tm.transaction():
            tm.record_correction("bob", "edit", [stale], [stale])
        assert tm.tri_unit(stale.id).reviewer == "anna" and len(tm.corrections()) == 1


def test_a_unit_id_given_again_has_a_new_version(db):
    """SQLite may give a new row the id of the last row deleted: the version tells them apart."""
    with TranslationMemory(db) as tm:
        with tm.transaction():
            tm.add_imported("import", "a.csv", [formats.ImportedUnit({"en": "One.", "tk": "Bir."})])
        [first] = tm.release_units(tm.release_key("import", "a.csv"))
        tm.delete("import", "a.csv")
        with tm.transaction():
            tm.add_imported("import", "a.csv", [formats.ImportedUnit({"en": "Two.", "tk": "Iki."})])
        [second] = tm.release_units(tm.release_key("import", "a.csv"))
        assert second.id == first.id and second.version != first.version
        with pytest.raises(Conflict):
            review.edit(tm, first.id, {"tk": "Bir!"}, "anna", expect=first.version)
        assert tm.tri_unit(first.id).texts["tk"] == "Iki."


def test_undo_after_a_reimport_that_got_the_same_release_key_is_refused(db, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("en,tk\nGood morning.,Ertiriňiz haýyrly.\nThank you.,Sag boluň.\n", encoding="utf-8")
    with TranslationMemory(db) as tm:
        formats.import_file(tm, path)
        key = tm.release_key("import", str(path.resolve()))
        unit = next(u for u in tm.release_units(key) if u.texts["en"] == "Thank you.")
        correction = review.edit(tm, unit.id, {"tk": "Köp sag boluň."}, "anna")
        with path.open("a", encoding="utf-8") as more:
            more.write("Welcome.,Hoş geldiňiz.\n")
        formats.import_file(tm, path)
        assert tm.release_key("import", str(path.resolve())) == key  # the key the undo check relied on
        texts = [u.texts["tk"] for u in tm.release_units(key)]
        with pytest.raises(Conflict, match="rebuilt since"):
            review.undo(tm, correction, "anna")
        assert (
            [u.texts["tk"] for u in tm.release_units(key)]
            == texts
            == [
                "Ertiriňiz haýyrly.",
                "Köp sag boluň.",
                "Hoş geldiňiz.",
            ]
        )
        assert tm.check() == []


def test_undo_names_what_is_missing_and_what_is_in_the_way(db):
    with TranslationMemory(db) as tm:
        unit = trilingual(tm)[0]
        with pytest.raises(NotFound):
            review.undo(tm, 12345, "anna")
        with pytest.raises(NotFound):
            review.edit(tm, 12345, {"en": "x"}, "anna")
        first = review.accept(tm, unit.id, "anna")
        second = review.edit(tm, unit.id, {"en": "Changed."}, "anna")
        with pytest.raises(Conflict, match=f"correction {second} came after it"):
            review.undo(tm, first, "anna")
        review.undo(tm, second, "anna")
        with pytest.raises(Conflict, match="undone already"):
            review.undo(tm, second, "anna")
        review.undo(tm, first, "anna")  # the undo of a later correction is no rebuild
        assert tm.tri_unit(unit.id) == unit  # version and all: the state the person first saw


def test_nested_transactions_undo_only_their_own_writes(db):
    with TranslationMemory(db) as tm:
        unit = trilingual(tm)[0]
        generation = tm.generation()
        with tm.transaction():
            review.accept(tm, unit.id, "anna")  # a transaction of its own, nested: a savepoint
            with pytest.raises(StoreError), tm.transaction():
                review.edit(tm, unit.id, {"en": "Lost."}, "anna")
                raise StoreError("the inner part fails")
            assert tm.tri_unit(unit.id).texts == unit.texts
        assert tm.generation() == generation + 1  # one commit, one generation
        assert [c.action for c in tm.corrections()] == ["accept"]
        with pytest.raises(ValueError), tm.transaction():
            review.accept(tm, trilingual(tm)[1].id, "anna")
            raise ValueError("the outer part fails")
        assert [c.action for c in tm.corrections()] == ["accept"] and tm.generation() == generation + 1


@pytest.fixture
def served(db):
    with TranslationMemory(db) as tm:
        tm.add_user("anna", PASSWORD)
        token = tm.new_token("anna", "tests")
        unit = trilingual(tm)[0]
    return TestClient(create_app(db, db.parent)), {"Authorization": f"Bearer {token}"}, unit


def test_the_api_refuses_a_change_made_from_an_etag_that_is_gone(served):
    client, bearer, unit = served
    seen = client.get(f"/api/units/{unit.id}")
    etag = seen.headers["ETag"]
    assert etag == f'"{unit.version}"' and seen.json()["unit"]["version"] == unit.version
    first = client.put(f"/api/units/{unit.id}", json={"texts": {"tk": "Birinji."}}, headers=bearer | {"If-Match": etag})
    assert first.status_code == 200
    stale = client.put(f"/api/units/{unit.id}", json={"texts": {"ru": "Второй."}}, headers=bearer | {"If-Match": etag})
    assert stale.status_code == 409
    current = stale.json()["detail"]["unit"]
    assert current["texts"]["tk"] == "Birinji." and current["texts"]["ru"] == unit.texts["ru"]
    assert stale.headers["ETag"] == f'"{current["version"]}"'
    for extra in ({"headers": bearer | {"If-Match": etag}}, {"headers": bearer, "json": {"version": unit.version}}):
        kwargs = {"json": {}} | extra
        assert client.post(f"/api/units/{unit.id}/accept", **kwargs).status_code == 409
    assert client.delete(f"/api/units/{unit.id}", headers=bearer | {"If-Match": etag}).status_code == 409
    bad = client.put(f"/api/units/{unit.id}", json={"texts": {"ru": "x"}}, headers=bearer | {"If-Match": "nope"})
    assert bad.status_code == 400
    fresh = client.put(
        f"/api/units/{unit.id}", json={"texts": {"ru": "Второй."}}, headers=bearer | {"If-Match": stale.headers["ETag"]}
    )
    assert fresh.status_code == 200
    assert client.get(f"/api/units/{unit.id}").json()["unit"]["texts"]["tk"] == "Birinji."
    assert client.get("/api/units/99999999999999999999").status_code == 404


def test_a_form_sent_from_a_page_that_is_out_of_date_shows_the_unit_as_it_is_now(served):
    client, bearer, unit = served
    form_token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": "anna", "password": PASSWORD, "csrf": form_token, "next": "/"})
    page = client.get(f"/units/{unit.id}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert client.put(f"/api/units/{unit.id}", json={"texts": {"ru": "Чужая правка."}}, headers=bearer).is_success
    sent = {"csrf": csrf, "version": version, **unit.texts, "tk": "Meniň düzedişim."}
    refused = client.post(f"/units/{unit.id}/edit", data=sent, headers={"Accept": "text/html"}, follow_redirects=False)
    assert refused.status_code == 409
    assert "Not saved" in refused.text and "Meniň düzedişim." in refused.text and "Чужая правка." in refused.text
    assert client.get(f"/api/units/{unit.id}").json()["unit"]["texts"]["ru"] == "Чужая правка."
