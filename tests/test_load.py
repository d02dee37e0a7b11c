"""Four reviewers over HTTP against `tm serve` while a build writes to the same TM: every
correction the server answered 200 is in the TM, none is overwritten unseen (a stale one is 409,
a unit a rebuild aligned otherwise 404), and no request fails."""

import random
import shutil
import threading

import httpx

from tests.conftest import SAMPLE, serving
from tm.jobs import build
from tm.store import TranslationMemory

REVIEWERS = 4
CORRECTIONS = 60  # each
# A sentence put at the end of a page before each build, in the page's language.
PAGE_EDITS = [
    ("2024-001", "en", "The page has sentence number {}."),
    ("2024-002", "ru", "На странице появилось предложение номер {}."),
    ("2024-003", "tk", "Sahypada {} belgili täze sözlem peýda boldy."),
]


def test_four_reviewers_and_a_build_lose_nothing(tmp_path):
    corpus = shutil.copytree(SAMPLE, tmp_path / "sample")
    db = tmp_path / "tm.db"
    with TranslationMemory(db) as tm:
        build(corpus, tm, "ngram")
        tm.add_user("anna", "correct horse battery")
        token = tm.new_token("anna")
        ids = [row[0] for row in tm.db.execute("SELECT id FROM units WHERE tk_count AND ru_count AND en_count")]
    answered: list[tuple[int, int, str, str]] = []  # correction, unit, language, text of each edit answered 200
    statuses: list[int] = []
    lock = threading.Lock()
    building, builds, failures = threading.Event(), [], []

    def reviewer(number: int) -> None:
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            for step in range(CORRECTIONS):
                unit = rng.choice(ids)
                seen = client.get(f"/api/units/{unit}")
                if seen.status_code == 404:  # a rebuild aligned its sentences otherwise: the unit is gone
                    with lock:
                        statuses.append(404)
                    continue
                etag = seen.headers["ETag"]
                lang, text = rng.choice(["tk", "ru", "en"]), f"Reviewer {number} edit {step}."
                if rng.random() < 0.8:
                    sent = client.put(f"/api/units/{unit}", json={"texts": {lang: text}}, headers={"If-Match": etag})
                else:
                    sent = client.post(f"/api/units/{unit}/accept", json={}, headers={"If-Match": etag})
                with lock:
                    statuses.append(sent.status_code)
                    if sent.status_code == 200 and sent.json()["action"] == "edit":
                        answered.append((sent.json()["id"], unit, lang, text))

    def builder() -> None:
        try:
            with TranslationMemory(db) as tm:
                while not building.is_set():
                    release, lang, sentence = PAGE_EDITS[len(builds) % len(PAGE_EDITS)]
                    page = corpus / release / f"{lang}.txt"
                    added = sentence.format(len(builds))
                    page.write_text(page.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
                    builds.append(build(corpus, tm, "ngram").added)
        except Exception as error:  # the test fails on it below
            failures.append(error)

    with serving(db) as (url, _server):
        threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(REVIEWERS)]
        writer = threading.Thread(target=builder)
        for thread in [writer, *threads]:
            thread.start()
        for thread in threads:
            thread.join()
        building.set()
        writer.join()
    assert failures == [] and len(builds) >= 3 and all(added == 1 for added in builds)
    assert set(statuses) <= {200, 404, 409} and len(statuses) == REVIEWERS * CORRECTIONS
    assert statuses.count(200) > REVIEWERS * CORRECTIONS / 4, "too few corrections went through to test anything"
    with TranslationMemory(db) as tm:
        assert tm.check() == [] and len(tm.corrections(10_000)) == statuses.count(200)
        latest = {}
        for _correction, unit, lang, text in sorted(answered):
            latest[(unit, lang)] = text
        for (unit, lang), text in latest.items():
            assert tm.tri_unit(unit).texts[lang] == text  # the last edit answered is what is stored
