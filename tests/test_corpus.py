from datetime import date
from pathlib import Path

import pytest

from tm.corpus import detect_language, find_date, iter_releases, normalize_text, read_document, read_sentences
from tm.corpus.extract import _footer_start
from tm.corpus.pages import page_files
from tm.corpus.read import reads_as_russian
from tm.errors import InputError


def test_page_dump_loses_its_chrome(shared):
    document = read_document(shared / "corpora/pages/mfa-en-seed/en.txt", "en")
    assert document.title == "Turkmenistan and Kazakhstan aim to strengthen strategic partnership"
    assert document.date == date(2023, 10, 30)
    text = document.text
    for chrome in ("Türkmençe", "img", "3364", "Phone:", "Fabric", "©", "Magtymguly Fragi\n"):
        assert chrome not in text.split("\n")
    assert document.paragraphs[0].startswith("On October 30, 2023")
    assert document.paragraphs[-1].endswith("for 2024-2026 was signed.")


def test_turkmen_dump_with_date_and_counter(shared):
    document = read_document(shared / "corpora/pages/mfa_3700/tk.txt", "tk")
    assert document.date == date(2023, 3, 26)
    assert "1133" not in document.paragraphs and "img" not in document.paragraphs
    assert len(document.paragraphs) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 October 2023", date(2023, 10, 30)),
        ("06 декабря 2017", date(2017, 12, 6)),
        ("18/08/2021", date(2021, 8, 18)),
        ("2023-nji ýylyň 30-njy oktýabrynda", date(2023, 10, 30)),
        ("30.10.2023", date(2023, 10, 30)),
        ("On September 13, 2023, the", date(2023, 9, 13)),
        ("no date here", None),
    ],
)
def test_dates(text, expected):
    assert find_date(text) == expected


def test_normalisation_keeps_quotes_and_drops_invisibles():
    assert normalize_text('a\u00a0b\u2063c “q” "s"') == 'a bc “q” "s"'


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Министр иностранных дел провёл переговоры с коллегой.", "ru"),
        ("Türkmenistanyň Daşary işler ministri duşuşyk geçirdi we gürleşdi.", "tk"),
        ("The minister of foreign affairs held talks with his colleague.", "en"),
    ],
)
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_wrong_language_names_the_file(tmp_path):
    path = tmp_path / "tk.txt"
    path.write_text("Министр иностранных дел Туркменистана провёл переговоры с коллегой.", "utf-8")
    with pytest.raises(InputError, match=r"tk\.txt: named as Turkmen but the text is Russian"):
        read_document(path, "tk")


def test_presegmented_file_in_the_wrong_language_names_the_file(tmp_path):
    path = tmp_path / "en.sent.txt"
    path.write_text("Министр провёл переговоры.\n\nСтороны обсудили сотрудничество в энергетике.\n", "utf-8")
    with pytest.raises(InputError, match=r"en\.sent\.txt: named as English but the text is Russian"):
        read_sentences(path, "en")
    (tmp_path / "ru.sent.txt").write_bytes(path.read_bytes())
    assert read_sentences(tmp_path / "ru.sent.txt", "ru") == [
        "Министр провёл переговоры.",
        "Стороны обсудили сотрудничество в энергетике.",
    ]


def test_cp1251_and_utf16_are_decoded(tmp_path):
    text = "Министр иностранных дел Туркменистана провёл переговоры."
    (tmp_path / "a.txt").write_bytes(text.encode("cp1251"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16"))
    assert read_document(tmp_path / "a.txt", "ru").paragraphs == (text,)
    assert read_document(tmp_path / "b.txt", "ru").paragraphs == (text,)


RUSSIAN = "Министр иностранных дел Туркменистана провёл переговоры с послом Монголии. "


@pytest.mark.parametrize(
    ("text", "russian"),
    [
        (RUSSIAN, True),
        (RUSSIAN * 40, True),
        (RUSSIAN.replace(" ", "\n"), True),  # one word a line
        ("Встреча\n" + RUSSIAN, True),
        (RUSSIAN * 3 + "\x01", True),  # one stray control character in 238: under one in 200
        (RUSSIAN + "\x01", False),  # one in 80
        (RUSSIAN * 3 + "\ufffd\ufffd", False),  # bytes cp1251 has no letter for
        (RUSSIAN.replace(" ", ""), False),  # no word apart from the next
        ("Minister of Foreign Affairs met the ambassador of Mongolia. ", False),  # not Cyrillic
        (bytes(range(256)).decode("cp1251", errors="replace"), False),
        ("", False),
    ],
)
def test_reads_as_russian(text, russian):
    assert reads_as_russian(text) is russian


def test_random_bytes_are_not_read_as_russian(tmp_path):
    rng = __import__("random").Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(3_000))  # no zero byte: not "binary"
    (tmp_path / "noise.txt").write_bytes(noise)
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_document(tmp_path / "noise.txt", "ru")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"\x81\x00\xff\xfe\x00garbage" * 3, "not UTF-8"),
    ],
)
def test_bad_files(tmp_path, content, problem):
    (tmp_path / "en.txt").write_bytes(content)
    with pytest.raises(InputError, match=problem):
        read_document(tmp_path / "en.txt", "en")


def test_html_without_body(tmp_path):
    (tmp_path / "en.html").write_text("<html><head><title>x</title></head></html>")
    with pytest.raises(InputError, match="no body"):
        read_document(tmp_path / "en.html", "en")


def test_flat_layout_and_skips_are_reported(tmp_path):
    (tmp_path / "r1.en.txt").write_text("The minister held talks in Ashgabat with the delegation.")
    (tmp_path / "r1.ru.txt").write_text("Министр провёл переговоры в Ашхабаде с делегацией.")
    (tmp_path / "r1.tk.txt").write_text("Министр провёл переговоры в Ашхабаде с делегацией.")
    skipped = []
    releases = list(iter_releases(tmp_path, skipped))
    assert [r.release_id for r in releases] == ["r1"]
    assert sorted(releases[0].documents) == ["en", "ru"]
    assert len(skipped) == 1 and "r1.tk.txt" in skipped[0].path


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(InputError, match="not found"):
        list(iter_releases(tmp_path / "nope", []))


@pytest.mark.parametrize(
    ("page", "lang", "last_words"),
    [
        ("mfa_983/tk.txt", "tk", "dykgatyna ýetirildi."),
        ("germany-embassy_17540/ru.txt", "ru", "до МИД Таджикистана."),
        ("georgia-embassy_1614/ru.txt", "ru", "решении гуманитарных вопросов."),
        ("istanbul-consulate_1609/en.txt", "en", "on solving the humanitarian issues."),
    ],
)
def test_press_service_signature_is_removed_in_every_language(shared, page, lang, last_words):
    removed = []
    document = read_document(shared / "corpora/pages" / page, lang, removed=removed)
    assert document.paragraphs[-1].endswith(last_words)
    signature = [line for line, why in removed if why == "press-service signature"]
    assert len(signature) == 2  # the signature is on two lines in each of these pages


@pytest.mark.parametrize(
    "last",
    [
        "Телефонный разговор прошёл в дружественной атмосфере.",
        "Tel aviv hosted the next round.",
        "Phone calls between the ministers will continue.",
        "Metbugat gullugy bu barada habar berdi we beýannamany ýaýratdy.",
    ],
)
def test_a_short_last_paragraph_is_not_taken_for_a_footer(tmp_path, last):
    page = tmp_path / "page.txt"
    page.write_text(f"Title of the release\n\nThe ministers met in Ashgabat and discussed trade.\n\n{last}\n")
    removed = []
    document = read_document(page, removed=removed)
    assert document.paragraphs[-1] == last and removed == []


def test_footer_needs_a_contact_and_is_listed(tmp_path):
    page = tmp_path / "page.txt"
    body = "The ministers met in Ashgabat and discussed trade."
    page.write_text(f"Title\n\n{body}\n\nТел.: +993 12 44-56-92\nФакс: 44-58-12\n")
    removed = []
    document = read_document(page, removed=removed)
    assert document.paragraphs == (body,)
    assert removed == [("Тел.: +993 12 44-56-92", "contacts footer"), ("Факс: 44-58-12", "contacts footer")]


@pytest.mark.parametrize(
    ("first", "title"),
    [
        ("ТУРКМЕНИСТАН ПРИНЯЛ УЧАСТИЕ В ФОРУМЕ «ДИАЛОГ – ГАРАНТИЯ МИРА»", True),
        ('Министр выступил на форуме "Центральная Азия"', True),
        ("«Мы готовы к сотрудничеству!» – заявил министр.", False),
        ("«Мы готовы к сотрудничеству!»", False),
    ],
)
def test_a_headline_ending_in_a_closing_quote_is_a_title(tmp_path, first, title):
    page = tmp_path / "ru.txt"
    page.write_text(f"{first}\n\nМинистры встретились в Ашхабаде и обсудили вопросы торговли.\n", "utf-8")
    document = read_document(page, "ru")
    assert (document.title == first) is title


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    page = tmp_path / "page.txt"
    page.write_bytes("Министры встретились в Ашхабаде и подписали план.".encode(encoding))
    document = read_document(page)
    assert document.lang == "ru" and document.paragraphs == ("Министры встретились в Ашхабаде и подписали план.",)


def test_a_folder_or_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(InputError, match="cannot read: Is a directory"):
        read_document(tmp_path)
    with pytest.raises(InputError, match="cannot read: No such file or directory"):
        read_document(tmp_path / "missing.txt")


def test_a_link_loop_in_a_corpus_is_read_once(tmp_path):
    release = tmp_path / "c" / "r1"
    release.mkdir(parents=True)
    (release / "en.txt").write_text("The ministers met in Ashgabat and signed a plan of cooperation.")
    (release / "ru.txt").write_text("Министры встретились в Ашхабаде и подписали план сотрудничества.")
    (tmp_path / "c" / "more").mkdir()
    (tmp_path / "c" / "more" / "again").symlink_to(tmp_path / "c")
    skipped = []
    releases = list(iter_releases(tmp_path / "c", skipped))
    assert [r.release_id for r in releases] == ["r1"]
    assert [s.problem for s in skipped] == ["a link to a folder already read; not read again"]


def _corpus_with_links_out(tmp_path):
    """A corpus whose release folder links its Russian page, and a folder, to files outside it."""
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "ru.txt").write_text("Секретный текст, который не должен попасть в память переводов.")
    (secret / "r9").mkdir()
    (secret / "r9" / "en.txt").write_text("A private page that is not part of the corpus at all.")
    (secret / "r9" / "tk.txt").write_text("Korpusa degişli bolmadyk şahsy sahypa.")
    release = tmp_path / "c" / "r1"
    release.mkdir(parents=True)
    (release / "en.txt").write_text("The ministers met in Ashgabat and signed a plan of cooperation.")
    (release / "tk.txt").write_text("Ministrler Aşgabatda duşuşdylar we hyzmatdaşlyk meýilnamasyna gol çekdiler.")
    (release / "ru.txt").symlink_to(secret / "ru.txt")
    (tmp_path / "c" / "r9").symlink_to(secret / "r9")
    (tmp_path / "c" / "r1-copy").symlink_to(release)  # a link inside the corpus is read as before
    return tmp_path / "c"


def test_links_out_of_the_corpus_are_reported_not_read(tmp_path):
    corpus = _corpus_with_links_out(tmp_path)
    skipped = []
    releases = list(iter_releases(corpus, skipped))
    assert [(r.release_id, sorted(r.documents)) for r in releases] == [("r1", ["en", "tk"])]
    outside = sorted(s.path for s in skipped if "outside the corpus" in s.problem)
    assert outside == [str(corpus / "r1" / "ru.txt"), str(corpus / "r9")]
    assert any(s.problem.startswith("a link to a folder already read") for s in skipped)  # r1-copy
    followed = list(iter_releases(corpus, [], follow_links=True))
    assert sorted(r.release_id for r in followed) == ["r1", "r9"] and "ru" in followed[0].documents


def test_links_out_of_a_folder_of_saved_pages_are_reported_not_read(tmp_path):
    saved = tmp_path / "saved"
    (saved / "site").mkdir(parents=True)
    (saved / "site" / "page.txt").write_text("The ministers met in Ashgabat and signed a plan of cooperation.")
    (saved / "site" / "passwd.txt").symlink_to("/etc/passwd")
    (saved / "elsewhere").symlink_to(tmp_path)
    skipped = []
    found = [p.relative_to(saved).as_posix() for p in page_files(saved, skipped)]
    assert found == ["site/page.txt"]
    assert sorted(Path(s.path).name for s in skipped) == ["elsewhere", "passwd.txt"]
    assert all("outside the corpus; not read" in s.problem for s in skipped)
    assert "site/passwd.txt" in [p.relative_to(saved).as_posix() for p in page_files(saved, [], follow_links=True)]


LONG = "The sides discussed the state and prospects of cooperation in the political, trade and economic fields " * 2


@pytest.mark.parametrize(
    ("lines", "start"),
    [
        ([LONG, "Phone: +993 12 44-44-44", "Fax: 44-44-45"], 1),
        (["Phone: +993 12 44-44-44", LONG, "short"], 3),  # a long line after it: not a footer
        ([LONG, "short", "© 2024 Ministry"], 2),
        (["Телефон: 44-44-44", "© 2024"], 0),
        ([LONG, "Телефонный разговор прошёл в дружественной атмосфере."], 2),  # a label alone is text
        ([LONG, "press@mfa.gov.tm", LONG], 3),
        ([LONG, LONG], 2),
        ([], 0),
    ],
)
def test_footer_start(lines, start):
    assert _footer_start(lines) == start


def test_a_version_meta_json_says_was_cut_short_is_read_as_incomplete(tmp_path):
    release = tmp_path / "c" / "r1"
    release.mkdir(parents=True)
    (release / "en.txt").write_text("The ministers met in Ashgabat and signed a plan of cooperation.")
    (release / "ru.txt").write_text("Министры встретились в Ашхабаде и подписали план")
    (release / "meta.json").write_text('{"pages": {"ru": {"complete": false}, "en": {"complete": true}}}')
    [found] = iter_releases(tmp_path / "c", [])
    assert (found.documents["ru"].complete, found.documents["en"].complete) == (False, True)
