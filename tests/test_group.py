"""Grouping saved pages into releases (`tm group`, and `tm build` on a folder as saved)."""

import json
from pathlib import Path

import pytest

from tm import review
from tm.corpus import Release, read_document
from tm.corpus.group import group_pages
from tm.corpus.pages import in_release_layout
from tm.embed import get_encoder
from tm.jobs import align_prepared, build, prepare_release
from tm.langs import url_key
from tm.lookup import Filters, concordance
from tm.store import TranslationMemory

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"
# The releases a person makes of the real pages (folders; each folder holds one site's page or pages).
REAL_RELEASES = {
    frozenset({"austria-embassy_61084", "aktau-consulate_61172"}),  # phone call with Afghanistan, 2020
    frozenset({"germany-embassy_121483", "einpresswire_655518824"}),  # Tajik foreign minister, 2023
    frozenset({"armenia-embassy_121573", "einpresswire_655930088"}),  # President and Tajik premier, 2023
    frozenset({"georgia-embassy_1614", "istanbul-consulate_1609"}),  # statement on Turkey, undated
    frozenset({"uk-embassy_126543", "einpresswire_674365533"}),  # UNESCO, 2023
    frozenset({"mfa_983", "germany-embassy_17540"}),  # statement on a Tajik diplomat, undated
    frozenset({"mfa_1094"}),
    frozenset({"mfa_3700"}),
    frozenset({"mfa-en-seed"}),
}

TK_2020 = (
    "TÜRKMENISTANYŇ WE OWGANYSTANYŇ DAŞARY IŞLER MINISTRLERI DUŞUŞDYLAR\n\n"
    "2020-nji ýylyň 2-nji iýulynda Türkmenistanyň Daşary işler ministri R.Meredow we Owganystanyň "
    "Daşary işler ministri Hanif Atmar telefon arkaly gepleşik geçirdiler.\n"
)
RU_2023 = (
    "О ВСТРЕЧЕ ПРЕЗИДЕНТА ТУРКМЕНИСТАНА С ПРЕМЬЕР-МИНИСТРОМ ТАДЖИКИСТАНА\n\n"
    "14 сентября 2023 года Президент Туркменистана Сердар Бердымухамедов встретился в Душанбе "
    "с Премьер-министром Таджикистана Кохиром Расулзода.\n"
)
EN_2023 = (
    "About the meeting of the President of Turkmenistan with the Prime Minister of Tajikistan\n\n"
    "On September 14, 2023, President of Turkmenistan Serdar Berdimuhamedov met in Dushanbe with "
    "the Prime Minister of Tajikistan Kokhir Rasulzoda.\n"
)


EN_2023_SENTENCES = [
    "About the meeting of the President of Turkmenistan with the Prime Minister of Tajikistan",
    "On September 14, 2023, President of Turkmenistan Serdar Berdimuhamedov met in Dushanbe with the Prime"
    " Minister of Tajikistan Kokhir Rasulzoda.",
]


@pytest.fixture(scope="module")
def encode():
    return get_encoder("use").encode


def _made(grouping) -> set[frozenset[str]]:
    return {frozenset(Path(path).parent.as_posix() for path in r.files.values()) for r in grouping.releases}


def test_real_pages_are_grouped_as_a_person_groups_them(shared, encode):
    grouping = group_pages(shared / "corpora/pages", encode)
    assert _made(grouping) == REAL_RELEASES
    files = [path for r in grouping.releases for path in r.files.values()]
    assert len(files) == len(set(files)) == 17 and not grouping.skipped
    by_folder = {r.release: r for r in grouping.releases}
    assert by_folder["mfa_1094"].evidence == {"tk-en": {"url": "mfa.gov.tm/news/1094"}}
    assert by_folder["mfa-en-seed"].score is None  # a page with no counterpart: a release of one language


def test_unrelated_pages_years_apart_are_not_linked(tmp_path, encode):
    (tmp_path / "a.txt").write_text(TK_2020)
    (tmp_path / "b.txt").write_text(RU_2023)
    (tmp_path / "c.txt").write_text(EN_2023)
    grouping = group_pages(tmp_path, encode)
    assert {frozenset(r.files.values()) for r in grouping.releases} == {
        frozenset({"a.txt"}),
        frozenset({"b.txt", "c.txt"}),
    }
    (link,) = [r.evidence["ru-en"] for r in grouping.releases if "ru-en" in r.evidence]
    assert link["score"] >= 0.5 and link["mutual_best"]


def test_same_news_id_under_language_codes_is_one_release(tmp_path, encode):
    (tmp_path / "x1.txt").write_text(TK_2020)
    (tmp_path / "x2.txt").write_text(RU_2023)  # unrelated text: the URLs alone say one release
    manifest = {"x1.txt": "https://www.mfa.gov.tm/tk/news/77", "x2.txt": "https://mfa.gov.tm/ru/news/77/"}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (release,) = group_pages(tmp_path, encode).releases
    assert release.files == {"tk": "x1.txt", "ru": "x2.txt"}
    assert release.evidence == {"tk-ru": {"url": "mfa.gov.tm/news/77"}}


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.mfa.gov.tm/en/news/1094", "mfa.gov.tm/news/1094"),
        ("https://germany.tmembassy.gov.tm/index.php/ru/news/17540", "germany.tmembassy.gov.tm/index.php/news/17540"),
        ("https://example.org/entry/5", "example.org/entry/5"),
        ("https://site.tm/news.php?id=1", "site.tm/news.php?id=1"),
        ("https://site.tm/news.php?id=2", "site.tm/news.php?id=2"),
        ("https://site.tm/news.php?lang=ru&id=2", "site.tm/news.php?id=2"),
        ("https://site.tm/news.php?id=2&page=3&LANG=EN", "site.tm/news.php?id=2&page=3"),
        ("https://site.tm/news.php?lang=de&id=2", "site.tm/news.php?id=2&lang=de"),
        ("not a url", None),
    ],
)
def test_url_key(url, key):
    assert url_key(url) == key


def test_copies_binary_and_empty_files(tmp_path, encode):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "a.txt").write_text(RU_2023)
    (tmp_path / "deep" / "er" / "copy.txt").write_text(RU_2023)
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (tmp_path / "empty.txt").write_text("  \n")
    grouping = group_pages(tmp_path, encode)
    (release,) = grouping.releases
    assert release.files == {"ru": "a.txt"} and release.copies == ["deep/er/copy.txt"]
    assert sorted(s.problem for s in grouping.skipped) == [
        "a binary file, not a saved page",
        "empty file: no text after removing the page chrome",
    ]


def test_release_layout_is_read_as_it_is(shared):
    assert in_release_layout(SAMPLE)
    assert not in_release_layout(shared / "corpora/pages")  # most folders hold one language


def test_build_groups_pages_as_saved_and_keeps_single_pages(shared, tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(shared / "corpora/pages", tm, "use")
        assert (report.added, report.skipped) == (9, [])
        languages = tm.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert languages == 17
        # The Turkmen title of mfa_3700 has no English counterpart: it stays a sentence of its own,
        # outside the confidence bands and the low-confidence count.
        assert tm.stats().by_confidence["one language"] == 1 and report.low_confidence == 0
        lone = [u for u in tm.units(include_lone=True) if len(u.texts) == 1]
        title = read_document(shared / "corpora/pages/mfa_3700/tk.txt", "tk").title
        assert [(u.release_id, u.bead_type, u.texts["tk"]) for u in lone] == [("mfa_3700", "1-0-0", title)]
        # The Russian page of the 2020 phone call was saved cut short (its meta.json says so): flagged.
        cut = [(release_id, why) for _, release_id, why in tm.flagged() if "cut short" in why]
        assert [release_id for release_id, _ in cut] == ["austria-embassy_61084"]
        assert "the ru version was saved cut short (meta.json: complete false)" in cut[0][1]


def test_a_release_of_one_language_is_shown_with_its_sentences(tmp_path, lone_page):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(lone_page, tm, "use")
        shown = tm.release_view(tm.release_key("saved", "c"))
        assert [u.texts for u in shown] == [{"en": sentence} for sentence in EN_2023_SENTENCES]


@pytest.fixture
def lone_page(tmp_path):
    """A folder of saved pages holding one English page, `c.txt`."""
    corpus = tmp_path / "saved"
    corpus.mkdir()
    (corpus / "c.txt").write_text(EN_2023)
    return corpus


def test_a_page_joins_its_release_when_its_version_arrives(tmp_path, lone_page):
    corpus = lone_page
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(corpus, tm, "use")
        assert tm.db.execute("SELECT release_id FROM releases").fetchall() == [("c",)]
        assert tm.stats().units == 0
        (corpus / "b.txt").write_text(RU_2023)
        build(corpus, tm, "use")
        # The release keeps the name it was stored by (grouping alone would name it by its Russian
        # page); the English page stored alone is not left beside it.
        assert tm.db.execute("SELECT release_id FROM releases").fetchall() == [("c",)]
        assert tm.stats().by_pair == {"ru-en": 2}


def test_a_new_language_version_keeps_the_release_its_name_and_its_reviewed_units(tmp_path):
    corpus = tmp_path / "saved"
    for folder, name, lang in (("siteA", "page-ru-77", "ru"), ("siteB", "news-en-12", "en"), ("siteC", "aaa-tk", "tk")):
        (corpus / folder).mkdir(parents=True)
        text = (SAMPLE / "2024-001" / f"{lang}.txt").read_text(encoding="utf-8")
        (corpus / folder / f"{name}.txt").write_text(text, encoding="utf-8")
    arriving = corpus / "siteC" / "aaa-tk.txt"
    tk_page = arriving.read_text(encoding="utf-8")
    arriving.unlink()
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(corpus, tm, "use")
        [(name,)] = tm.db.execute("SELECT release_id FROM releases").fetchall()
        assert name == "siteA/page-ru-77"
        first, second = [u for u in tm.release_units(tm.release_key("saved", name)) if len(u.texts) == 2][:2]
        review.edit(tm, first.id, {"ru": "Исправленный текст."}, "anna")
        review.accept(tm, second.id, "anna")
        arriving.write_text(tk_page, encoding="utf-8")
        report = build(corpus, tm, "use")
        assert report.added == 1 and tm.db.execute("SELECT release_id FROM releases").fetchall() == [(name,)]
        units = tm.release_units(tm.release_key("saved", name))
        assert sum("tk" in u.texts for u in units) > 2
        reviewed = {u.id: u for u in units if u.reviewer == "anna"}
        assert set(reviewed) == {first.id, second.id}
        assert reviewed[first.id].texts["ru"] == "Исправленный текст."
        assert [c.release_id for c in tm.corrections()] == [name, name]  # its history is still its own


def test_two_releases_that_would_share_a_name_are_both_stored(tmp_path):
    corpus = tmp_path / "saved"
    (corpus / "x").mkdir(parents=True)
    (corpus / "x" / "story.txt").write_text(RU_2023, encoding="utf-8")
    (corpus / "x" / "story.html").write_text(f"<html><body><p>{TK_2020}</p></body></html>", encoding="utf-8")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(corpus, tm, "use")
        names = sorted(row[0] for row in tm.db.execute("SELECT release_id FROM releases"))
        assert report.added == 2 and names == ["x/story.html", "x/story.txt"]


def test_html_pages_are_grouped_by_their_canonical_links(tmp_path, encode):
    page = '<html><head><link rel="canonical" href="https://www.mfa.gov.tm/{lang}/news/5"></head><body><p>{text}</p></body></html>'
    (tmp_path / "one.html").write_text(page.format(lang="tk", text=TK_2020))
    (tmp_path / "two.html").write_text(page.format(lang="en", text=EN_2023))
    (release,) = group_pages(tmp_path, encode).releases
    assert release.evidence == {"tk-en": {"url": "mfa.gov.tm/news/5"}}


def test_a_broken_meta_json_is_reported_once_and_its_pages_kept(tmp_path, encode):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "meta.json").write_text("{not json")
    (tmp_path / "r" / "a.txt").write_text(RU_2023)
    (tmp_path / "r" / "b.txt").write_text(EN_2023)
    grouping = group_pages(tmp_path, encode)
    assert [r.files for r in grouping.releases] == [{"ru": "r/a.txt", "en": "r/b.txt"}]
    (problem,) = grouping.skipped
    assert problem.path.endswith("meta.json") and problem.problem.startswith("meta.json ignored: not valid JSON")


def test_unrelated_versions_put_in_one_release_are_flagged(tmp_path):
    encoder = get_encoder("use")
    (tmp_path / "tk.txt").write_text(TK_2020)
    (tmp_path / "ru.txt").write_text(RU_2023)
    (tmp_path / "en.txt").write_text(EN_2023)
    tk, ru, en = (read_document(tmp_path / f"{lang}.txt", lang) for lang in ("tk", "ru", "en"))
    for documents, flagged in [({"tk": tk, "ru": ru}, True), ({"ru": ru, "en": en}, False)]:
        release = Release("c", "r", documents)
        problems = align_prepared(prepare_release(release, "test"), encoder).problems  # version_problems
        assert bool(problems) is flagged, problems


def test_one_unreadable_file_among_many_is_reported_and_the_rest_grouped(tmp_path, monkeypatch):
    for number in range(60):
        day = f"{number % 28 + 1:02d}.03.2024"
        en = f"The ministers met {number} times in Ashgabat."
        ru = f"Министры встречались {number} раз в Ашхабаде."
        (tmp_path / f"en-{number:02d}.txt").write_text(f"Release {number}\n{day}\n{en}")
        (tmp_path / f"ru-{number:02d}.txt").write_text(f"Выпуск {number}\n{day}\n{ru}")
    (tmp_path / "locked.txt").write_text("The ministers met in Ashgabat and signed a plan.")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    read_bytes = Path.read_bytes

    def refuse_one(path):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_one)
    grouping = group_pages(tmp_path, get_encoder("ngram").encode)
    assert sorted((Path(s.path).name, s.problem) for s in grouping.skipped) == [
        ("gone.txt", "not a file that can be read (a broken link?)"),
        ("locked.txt", "cannot read: Permission denied"),
    ]
    assert len(grouping.pages) == 120
    assert sum(len(r.files) for r in grouping.releases) == 120
    pairs = [sorted(r.files.values()) for r in grouping.releases if len(r.files) == 2]
    assert sum(en[3:] == ru[3:] for en, ru in pairs) >= 55  # numbered alike: en-07.txt with ru-07.txt


def test_a_page_with_no_counterpart_is_found_by_concordance(tmp_path, lone_page):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(lone_page, tm, "ngram")
        title, found = concordance(tm, "Prime Minister", "en", "tk")  # the title and the sentence
        assert title.source == EN_2023.splitlines()[0]
        assert found.target == "" and found.unit.release_id == "c"
        assert found.flags == ["no translation stored: a page with no counterpart yet"]
        assert "[Prime Minister]" in found.diff
        assert concordance(tm, "Prime Minister", "en", "tk", filters=Filters(since="2030-01-01")) == []
        assert concordance(tm, "Prime Minister", "en", "tk", filters=Filters(collections=["saved"]))


def test_a_link_loop_among_pages_is_read_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.txt").write_text(EN_2023)
    (tmp_path / "a" / "back").symlink_to(tmp_path)
    grouping = group_pages(tmp_path, get_encoder("ngram").encode)
    assert [r.files for r in grouping.releases] == [{"en": "a/page.txt"}]
    assert [s.problem for s in grouping.skipped] == ["a link to a folder already read; not read again"]
