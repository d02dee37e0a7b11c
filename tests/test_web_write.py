"""tm serve, the part that changes the TM: sign-in, CSRF, API tokens, corrections, undo, upload
and download; every write refused without credentials."""

import base64
import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SAMPLE
from tm.jobs import build
from tm.store import TranslationMemory
from tm.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def served(tmp_path):
    db = tmp_path / "tm.db"
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "sample-en-tk.tmx").write_text("<tmx/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for download", encoding="utf-8")
    with TranslationMemory(db) as tm:
        build(SAMPLE, tm, "ngram")
        tm.add_user("anna", PASSWORD)
        token = tm.new_token("anna", "tests")
        unit = next(u for u in tm.release_units(tm.release_key("sample", "2024-001")) if len(u.texts) == 3)
    app = create_app(db, exports, upload_limit=64 << 10)
    return TestClient(app), token, unit, db


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client, password=PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"name": "anna", "password": password, "csrf": token, "next": "/review"}, follow_redirects=False
    )


def test_every_write_without_credentials_is_refused_and_changes_nothing(served):
    client, _token, unit, db = served
    writes = [
        ("put", f"/api/units/{unit.id}", {"json": {"texts": {"en": "Changed."}}}),
        ("delete", f"/api/units/{unit.id}", {}),
        ("post", f"/api/units/{unit.id}/accept", {}),
        ("post", f"/units/{unit.id}/delete", {"data": {"csrf": "guess"}}),
        ("post", "/api/corrections/1/undo", {}),
        ("post", "/api/import", {"files": {"file": ("a.csv", b"en,tk\nHello.,Salam.\n")}}),
    ]
    for method, path, extra in writes:
        assert getattr(client, method)(path, **extra).status_code == 401, path
    bearer = {"Authorization": "Bearer not-a-token"}
    assert client.put(f"/api/units/{unit.id}", json={"texts": {"en": "x"}}, headers=bearer).status_code == 401
    with TranslationMemory(db, create=False) as tm:
        assert tm.corrections() == [] and tm.tri_unit(unit.id).texts == unit.texts


def test_a_signed_in_write_needs_the_forms_token(served):
    client, _token, unit, _db = served
    assert sign_in(client).status_code == 303
    assert client.post(f"/units/{unit.id}/accept", data={"csrf": "forged"}).status_code == 403
    assert client.post(f"/api/units/{unit.id}/accept").status_code == 403
    page = client.get(f"/units/{unit.id}").text
    answer = client.post(f"/units/{unit.id}/accept", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/units/{unit.id}"
    assert "reviewed by anna" in client.get(f"/units/{unit.id}").text


def test_wrong_password_and_foreign_redirects(served):
    client, *_ = served
    answer = sign_in(client, "wrong password")
    assert answer.status_code == 401 and "Wrong name or password" in answer.text
    assert "signed in as" not in client.get("/").text
    token = csrf_of(client.get("/login").text)
    login = {"name": "anna", "password": PASSWORD, "csrf": token, "next": "//evil.example/x"}
    assert client.post("/login", data=login, follow_redirects=False).headers["location"] == "/"


def test_sign_out_ends_the_right_to_write(served):
    client, _token, unit, _db = served
    sign_in(client)
    page = client.get(f"/units/{unit.id}").text
    assert 'id="save"' in page
    assert client.post("/logout", data={"csrf": csrf_of(page)}, follow_redirects=False).status_code == 303
    assert 'id="save"' not in client.get(f"/units/{unit.id}").text
    refused = client.post(
        f"/units/{unit.id}/edit", data={"csrf": csrf_of(page), "en": "x"}, headers={"Accept": "text/html"}
    )
    assert refused.status_code == 401 and "Sign in" in refused.text


def test_corrections_through_the_api_and_their_undo(served):
    client, token, unit, _db = served
    auth = {"Authorization": f"Bearer {token}"}
    edited = client.put(f"/api/units/{unit.id}", json={"texts": {"tk": "Täze terjime."}}, headers=auth).json()
    assert (
        edited["action"] == "edit" and edited["user"] == "anna" and edited["after"][0]["texts"]["tk"] == "Täze terjime."
    )
    merged = client.post(f"/api/units/{unit.id}/merge", headers=auth).json()
    assert client.post(f"/api/corrections/{edited['id']}/undo", headers=auth).status_code == 409
    assert client.post(f"/api/corrections/{merged['id']}/undo", headers=auth).json()["undone_by"] == "anna"
    assert client.post(f"/api/corrections/{edited['id']}/undo", headers=auth).status_code == 200
    assert client.get(f"/api/units/{unit.id}").json()["unit"]["texts"] == unit.texts
    assert client.post(f"/api/units/{unit.id}/split", json={"at": {"en": 5}}, headers=auth).status_code == 422
    assert client.delete("/api/units/999999", headers=auth).status_code == 404
    assert client.post(f"/api/units/{unit.id}/frobnicate", headers=auth).status_code == 404


def test_the_review_queue_puts_the_least_likely_first(served):
    client, *_ = served
    queue = client.get("/api/review").json()
    confidences = [u["confidence"] for u in queue["units"] if not u["flag"]]
    assert confidences == sorted(confidences) and queue["reviewed"] == 0 and queue["unreviewed"] > 0
    assert f'href="/units/{queue["units"][0]["id"]}"' in client.get("/review").text


def test_upload_then_download_finds_the_imported_units(served):
    client, token, _unit, _db = served
    auth = {"Authorization": f"Bearer {token}"}
    upload = {"file": ("glossary.csv", "en,tk\nGood morning.,Ertiriňiz haýyrly.\n".encode())}
    assert client.post("/api/import", files=upload, headers=auth).json()["imported"] == 1
    tmx = client.get("/api/export", params={"format": "tmx", "source": "en", "target": "tk"})
    assert tmx.status_code == 200 and "Ertiriňiz haýyrly." in tmx.text
    assert 'filename="en-tk.tmx"' in tmx.headers["content-disposition"]
    assert client.get("/api/export", params={"format": "po", "target": "all"}).status_code == 422
    wrong = {"file": ("notes.txt", b"hello")}
    assert client.post("/api/import", files=wrong, headers=auth).status_code == 422
    huge = {"file": ("big.csv", b"en,tk\n" + b"a,b\n" * 40_000)}
    assert client.post("/api/import", files=huge, headers=auth).status_code == 413


def test_downloads_never_leave_the_export_folder(served):
    client, *_ = served
    assert client.get("/api/exports").json()["files"] == [{"name": "sample-en-tk.tmx", "bytes": 6}]
    assert client.get("/exports/sample-en-tk.tmx").text == "<tmx/>"
    for name in ("../secret.txt", "..%2Fsecret.txt", "%2E%2E/secret.txt", "..\\secret.txt", "/etc/passwd", "a%00b.tmx"):
        answer = client.get(f"/exports/{name}")
        assert answer.status_code == 404 and "not for download" not in answer.text, name


def test_overview_draws_four_charts(served):
    client, token, unit, _db = served
    client.post(f"/api/units/{unit.id}/accept", headers={"Authorization": f"Bearer {token}"})
    data = client.get("/api/overview").json()
    assert {"state": "reviewed", "units": 1} in data["reviewed"]
    assert (
        sum(row["units"] for row in data["confidence"]) == data["reviewed"][0]["units"] + data["reviewed"][1]["units"]
    )
    assert client.get("/overview").text.count('src="data:image/png;base64,') == 4


def test_relink_through_the_form(served):
    client, _token, unit, _db = served
    sign_in(client)
    page = client.get(f"/units/{unit.id}").text
    assert f'action="/units/{unit.id}/relink"' in page
    client.post(f"/units/{unit.id}/relink", data={"csrf": csrf_of(page), "lang": "ru", "to": "next"})
    after = client.get(f"/api/units/{unit.id}").json()
    assert "ru" not in after["unit"]["texts"] and after["corrections"][0]["action"] == "relink"


def test_the_release_view_shows_the_page_and_links_only_to_web_addresses(served):
    client, _token, _unit, db = served
    page = client.get("/releases/sample/2024-001").text
    assert 'href="https://example.tm/news/2024-001"' in page and "2024-02-12" in page
    with TranslationMemory(db) as tm, tm.transaction():
        tm.db.execute("UPDATE releases SET url = 'javascript:alert(1)' WHERE release_id = '2024-001'")
    page = client.get("/releases/sample/2024-001").text
    assert "javascript:alert(1)" in page and 'href="javascript' not in page


def test_an_uploaded_po_comes_back_pre_translated(served):
    client, *_ = served
    source = 'msgid ""\nmsgstr ""\n"Language: tk\\n"\n\nmsgid "{}"\nmsgstr ""\n'.format(
        "The parties discussed the development of transport and logistics links between the two countries."
    )
    answer = client.post("/api/pretranslate", files={"file": ("job.po", source.encode())}, data={"target": "tk"})
    assert answer.status_code == 200 and 'filename="job.po"' in answer.headers["content-disposition"]
    assert "Taraplar iki ýurduň" in answer.text
    assert json.loads(answer.headers["x-tm-analysis"])["filled_exact"] == 1
    refused = client.post("/api/pretranslate", files={"file": ("job.docx", b"PK")})
    assert refused.status_code == 422 and "not a PO, XLIFF or text file" in refused.json()["detail"]


def test_accept_from_the_queue_returns_to_the_queue(served):
    client, *_ = served
    sign_in(client)
    page = client.get("/review").text
    first = client.get("/api/review").json()["units"][0]["id"]
    form = {"csrf": csrf_of(page), "back": "/review?offset=0"}
    answer = client.post(f"/units/{first}/accept", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/review?offset=0"
    assert first not in [u["id"] for u in client.get("/api/review").json()["units"]]
    form["back"] = "https://evil.example/"
    second = client.get("/api/review").json()["units"][0]["id"]
    assert (
        client.post(f"/units/{second}/accept", data=form, follow_redirects=False).headers["location"]
        == f"/units/{second}"
    )


def test_a_corrected_export_uploaded_as_corrections_edits_the_units(served):
    client, token, unit, _db = served
    tmx = client.get("/api/export", params={"format": "tmx", "source": "en", "target": "tk"}).text
    assert unit.texts["tk"] in tmx
    fixed = tmx.replace(unit.texts["tk"], "Düzedilen terjime.").encode()
    upload = {"file": ("tm-en-tk.tmx", fixed)}
    answer = client.post(
        "/api/import", files=upload, data={"corrections": "true"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.json()["corrected"] == 1
    assert client.get(f"/api/units/{unit.id}").json()["unit"]["texts"]["tk"] == "Düzedilen terjime."
    assert client.post("/api/import", files=upload, data={"corrections": "true"}).status_code == 401


def test_password_guessing_is_slowed_to_five_tries_a_name(served):
    client, *_ = served
    for _ in range(5):
        assert sign_in(client, "a wrong guess").status_code == 401
    refused = sign_in(client)  # even the right password, now
    assert refused.status_code == 429 and "too many failed sign-ins as anna" in refused.json()["detail"]


def test_a_copied_session_cookie_writes_no_more_after_sign_out_a_new_password_or_removal(served):
    client, _token, unit, db = served
    app = client.app
    for end in ("sign out", "new password", "remove the user"):
        with TestClient(app) as browser:
            sign_in(browser)
            page = browser.get(f"/units/{unit.id}").text
            copied = TestClient(app, cookies=dict(browser.cookies))  # the same cookie, on another machine
            form = {"csrf": csrf_of(page), "version": re.search(r'name="version" value="(\d+)"', page).group(1)}
            assert copied.post(f"/units/{unit.id}/accept", data=form, follow_redirects=False).status_code == 303
            form["version"] = str(copied.get(f"/api/units/{unit.id}").json()["unit"]["version"])
            if end == "sign out":
                assert browser.post("/logout", data={"csrf": form["csrf"]}, follow_redirects=False).status_code == 303
            with TranslationMemory(db) as tm:
                if end == "new password":
                    tm.add_user("anna", "another long password")
                elif end == "remove the user":
                    tm.remove_user("anna")
            assert copied.post(f"/units/{unit.id}/accept", data=form).status_code == 401, end
            with TranslationMemory(db) as tm:
                if end == "new password":
                    tm.add_user("anna", PASSWORD)
    with TranslationMemory(db) as tm:
        assert tm.users() == [] and tm.token_user(_token) is None  # the removed user's token went too


def test_a_revoked_token_writes_no_more(served):
    client, token, unit, db = served
    with TranslationMemory(db) as tm:
        other = tm.new_token("anna", "laptop")
        assert tm.revoke_tokens("anna", "laptop") == 1
    assert client.post(f"/api/units/{unit.id}/accept", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert client.post(f"/api/units/{unit.id}/accept", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_stranger_is_refused_before_the_body_is_read(served):
    client, *_ = served
    received = []

    def body():
        for chunk in range(64):
            received.append(chunk)
            yield b"x" * 1024

    refused = client.post("/api/import", content=body(), headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert refused.status_code == 401 and len(received) <= 1


def test_failed_sign_ins_cost_little_memory_and_lock_out_only_the_guesser(served):
    _client, *_rest, db = served
    app = create_app(db)  # the default upload limit: a 900 KB name reaches the sign-in
    client = TestClient(app)
    for number in range(60):
        token = csrf_of(client.get("/login").text)
        huge = f"{number:02d}" + "n" * 900_000
        answer = client.post("/login", data={"name": huge, "password": "wrong", "csrf": token})
        assert answer.status_code == 401
    tracked = app.state.failed_sign_ins
    assert len(tracked) == 60 * 2 and all(len(key) == 16 for key in tracked)  # per name and client, per name
    for _ in range(5):
        assert sign_in(client, "a wrong guess").status_code == 401
    assert sign_in(client).status_code == 429  # the guesser waits
    with TestClient(app, client=("192.0.2.7", 50000)) as elsewhere:
        assert sign_in(elsewhere).status_code == 303  # the user, on another machine, does not


def test_a_pretranslation_too_large_for_the_server_is_refused_in_one_line(served, monkeypatch):
    client, *_ = served
    monkeypatch.setattr("tm.web.files.PRETRANSLATE_LIMIT", 3)
    lines = "".join(f'msgid "Sentence {n}."\nmsgstr ""\n\n' for n in range(4))
    sent = client.post("/api/pretranslate", files={"file": ("big.po", lines.encode())}, data={"source": "en"})
    assert sent.status_code == 422 and "4 segments: more than 3 at a time" in sent.json()["detail"]


def test_a_release_whose_id_holds_slashes_and_url_characters_is_linked_and_found(served):
    client, token, _unit, _db = served
    name = "r?x=1#frag.csv"
    upload = {"file": (name, "en,tk\nGood morning Ashgabat.,Ertiriňiz haýyrly Aşgabat.\n".encode())}
    assert client.post("/api/import", files=upload, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = client.get("/", params={"q": "Good morning Ashgabat.", "source": "en", "target": "tk"}).text
    link = re.search(r'href="(/releases/import/upload/[^"]+)"', page).group(1)
    assert link == "/releases/import/upload/r%3Fx%3D1%23frag.csv"
    assert "Ertiriňiz haýyrly Aşgabat." in client.get(link).text
    units = client.get("/api" + link).json()["units"]
    assert [u["texts"]["tk"] for u in units] == ["Ertiriňiz haýyrly Aşgabat."]
    assert client.get("/api/releases/import/upload/nothing.csv").status_code == 404


def test_pages_show_no_editing_once_the_session_has_ended_elsewhere(served):
    client, _token, unit, db = served
    sign_in(client)
    assert 'id="save"' in client.get(f"/units/{unit.id}").text
    with TranslationMemory(db) as tm:
        tm.add_user("anna", "a new long password")  # ends every session of anna's
    page = client.get(f"/units/{unit.id}").text
    assert 'id="save"' not in page and "/login?next=" in page


def test_delete_is_asked_twice_and_a_match_links_to_its_unit(served):
    client, _token, unit, _db = served
    sign_in(client)
    page = client.get(f"/units/{unit.id}").text
    assert f'<a href="/units/{unit.id}/delete" id="delete">' in page and 'action="/units/{unit.id}/delete"' not in page
    confirm = client.get(f"/units/{unit.id}/delete").text
    assert "Delete unit" in confirm and unit.texts["en"] in confirm
    form = {"csrf": csrf_of(confirm), "version": re.search(r'name="version" value="(\d+)"', confirm).group(1)}
    assert client.post(f"/units/{unit.id}/delete", data=form, follow_redirects=False).status_code == 303
    query = "The parties discussed the development of transport links between the two countries."
    found = client.get("/", params={"q": query, "source": "en", "target": "tk"}).text
    assert re.search(r'<a href="/units/\d+" class="unit-link">unit \d+</a>', found)


def test_a_units_page_shows_its_own_history(served):
    client, token, unit, _db = served
    bearer = {"Authorization": f"Bearer {token}"}
    other = client.get(f"/api/units/{unit.id}").json()
    client.put(f"/api/units/{unit.id}", json={"texts": {"tk": "Täze."}}, headers=bearer)
    neighbour = unit.id + 1
    client.post(f"/api/units/{neighbour}/accept", json={}, headers=bearer)
    view = client.get(f"/api/units/{unit.id}").json()
    assert [c["action"] for c in view["history"]] == ["edit"] and other["history"] == []
    assert [c["action"] for c in view["corrections"]] == ["accept", "edit"]
    assert 'id="history"' in client.get(f"/units/{unit.id}").text


def test_corrections_are_filtered_paged_and_an_edit_shown_as_a_diff(served, monkeypatch):
    client, token, unit, db = served
    bearer = {"Authorization": f"Bearer {token}"}
    with TranslationMemory(db) as tm:
        tm.add_user("bob", PASSWORD)
        bobs = {"Authorization": f"Bearer {tm.new_token('bob')}"}
    english = unit.texts["en"]
    edited = "Newly " + " ".join(english.split()[1:])  # the first word replaced
    client.put(f"/api/units/{unit.id}", json={"texts": {"en": edited}}, headers=bearer)
    client.post(f"/api/units/{unit.id}/accept", json={}, headers=bobs)
    client.post(f"/api/units/{unit.id + 1}/accept", json={}, headers=bearer)
    everything = client.get("/api/corrections").json()
    assert [c["action"] for c in everything["corrections"]] == ["accept", "accept", "edit"]
    [edit] = client.get("/api/corrections", params={"action": "edit"}).json()["corrections"]
    first_word = english.split()[0]
    assert edit["changes"]["en"][:2] == [["removed", first_word], ["added", "Newly"]]
    assert [c["user"] for c in client.get("/api/corrections", params={"user": "bob"}).json()["corrections"]] == ["bob"]
    monkeypatch.setattr("tm.web.review.PAGE", 2)
    first = client.get("/api/corrections").json()
    assert len(first["corrections"]) == 2 and first["older"] is not None
    rest = client.get("/api/corrections", params={"before": first["older"]}).json()
    assert [c["action"] for c in rest["corrections"]] == ["edit"] and rest["older"] is None
    page = client.get("/corrections", params={"action": "edit"}).text
    assert f'<span class="removed">{first_word}</span>' in page and '<span class="added">Newly</span>' in page


def test_a_missing_language_is_added_through_the_form_and_the_api(served):
    client, token, _unit, db = served
    with TranslationMemory(db) as tm:
        [lacking] = [u for u in tm.release_units(tm.release_key("sample", "2024-006")) if len(u.texts) == 2][:1]
    sign_in(client)
    page = client.get(f"/units/{lacking.id}").text
    assert 'id="add-ru"' in page and 'id="add-en"' not in page
    form = {"csrf": csrf_of(page), "version": re.search(r'name="version" value="(\d+)"', page).group(1)}
    sent = client.post(f"/units/{lacking.id}/add-language", data=form | {"ru": "Новое предложение."})
    assert sent.status_code == 200 and "Новое предложение." in sent.text
    again = client.post(
        f"/api/units/{lacking.id}/add-language",
        json={"texts": {"ru": "x"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 422 and "has a ru sentence already" in again.json()["detail"]


def test_the_pretranslation_analysis_is_shown_on_a_page_with_the_file_in_it(served):
    client, *_ = served
    query = "The parties discussed the development of transport links between the two countries."
    source = f'msgid ""\nmsgstr "Language: tk\\n"\n\nmsgid "{query}"\nmsgstr ""\n\nmsgid "Zzz qqq."\nmsgstr ""\n'
    page = client.post("/files/pretranslate", files={"file": ("job.po", source.encode())}, data={"target": "tk"})
    assert page.status_code == 200
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>", page.text))
    assert rows["85-94%"] == "1" and rows["no match"] == "1"
    data = re.search(r'download="job.po" href="data:application/octet-stream;base64,([^"]+)"', page.text).group(1)
    filled = base64.b64decode(data).decode()
    assert "Taraplar" in filled and "#, fuzzy" in filled


def test_the_review_queue_is_filtered_and_keeps_its_filters(served):
    client, *_ = served
    everything = client.get("/api/review").json()["units"]
    cut = max(u["confidence"] for u in everything)  # the units under the highest confidence
    under = client.get("/api/review", params={"below": cut}).json()["units"]
    assert under and all(u["confidence"] < cut for u in under) and len(under) < len(everything)
    assert client.get("/api/review", params={"collection": "nothing"}).json()["units"] == []
    assert client.get("/api/review", params={"flagged": "true"}).json()["units"] == []  # the sample has no flag
    assert client.get("/api/review", params={"below": 2}).status_code == 422
    sign_in(client)
    kept = client.get("/review", params={"below": cut, "collection": "sample"}).text
    assert f'name="back" value="/review?offset=0&amp;collection=sample&amp;below={cut}"' in kept


def test_a_units_history_shows_an_edit_as_a_diff(served):
    client, token, unit, _db = served
    edited = "Newly " + " ".join(unit.texts["en"].split()[1:])
    client.put(f"/api/units/{unit.id}", json={"texts": {"en": edited}}, headers={"Authorization": f"Bearer {token}"})
    [edit] = client.get(f"/api/units/{unit.id}").json()["history"]
    assert ["added", "Newly"] in edit["changes"]["en"]
    assert '<span class="added">Newly</span>' in client.get(f"/units/{unit.id}").text
