"""The catalogue's inputs that have no test of their own elsewhere: each ends in units or in one
line naming the file, and nothing is lost or shifted on the way."""

import shutil

import pytest

from tests.conftest import SAMPLE
from tm.corpus import read_document
from tm.errors import TmError
from tm.formats import import_file
from tm.jobs import build
from tm.lookup import bridged_lookup, concordance
from tm.store import TranslationMemory

TMX = '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en"/><body><tu>{}</tu></body></tmx>'


def tuv(lang: str, text: str) -> str:
    return f'<tuv xml:lang="{lang}"><seg>{text}</seg></tuv>'


def imported(memory, tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    report = import_file(memory, path)
    return report, [u.texts for u in memory.units(include_lone=True)]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("en.txt", b"  \n\n\t \n", "empty file"),
        ("en.txt", "The café opened in Ashgabat.".encode("latin-1"), r"convert it first \(iconv -f cp1252"),
        ("en.html", b"<html><body>" + b"<div>" * 5000 + b"<p>Talks.</p>" + b"</div>" * 5000, "no body text"),
    ],
)
def test_pages_that_cannot_be_read_are_one_line(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TmError, match=problem) as refused:
        read_document(path, "en")
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)


def test_malformed_html_is_read_for_its_text(tmp_path):
    path = tmp_path / "en.html"
    path.write_text("<html><body><p>Talks were <b>held in <i>Ashgabat</p></div></span> today.<p>Second part")
    assert "Talks were held in Ashgabat" in " ".join(read_document(path, "en").paragraphs)


def test_folder_names_with_spaces_and_turkmen_letters_are_release_ids(tmp_path):
    corpus = tmp_path / "Habarlar we täzelikler"
    shutil.copytree(SAMPLE / "2024-001", corpus / "Täze habar № 1")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        assert build(corpus, tm, "ngram").added == 1
        assert tm.release_key("Habarlar we täzelikler", "Täze habar № 1") is not None


def test_tmx_tu_with_one_language_or_ten_thousand_versions(memory, tmp_path):
    report, units = imported(memory, tmp_path, "one.tmx", TMX.format(tuv("en", "Hello.")))
    assert units == [] and report.skipped == {"fewer than two of tk/ru/en": 1}
    many = tuv("en", "Hello.") + "".join(tuv("tk", f"Salam {n}.") for n in range(10_000))
    report, units = imported(memory, tmp_path, "many.tmx", TMX.format(many))
    assert units == [{"en": "Hello.", "tk": "Salam 0."}]
    assert report.left_out == {"another tk version in the same <tu> (the first is kept)": 9_999}


def test_tmx_with_a_character_xml_forbids_is_one_line(memory, tmp_path):
    with pytest.raises(TmError, match=r"bad.tmx:1: malformed XML: PCDATA invalid Char value 1"):
        imported(memory, tmp_path, "bad.tmx", TMX.format(tuv("en", "Hel\x01lo.") + tuv("tk", "Salam.")))
    assert memory.stats().units == 0


def test_tmx_in_the_encoding_it_declares(memory, tmp_path):
    content = TMX.replace("UTF-8", "ISO-8859-1").format(tuv("en", "Café.") + tuv("tk", "Kafe."))
    _report, units = imported(memory, tmp_path, "latin.tmx", content.encode("latin-1"))
    assert units == [{"en": "Café.", "tk": "Kafe."}]


PO_HEADER = 'msgid ""\nmsgstr ""\n"Language: tk\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'


def test_po_plurals_obsolete_and_fuzzy_entries_are_counted_for_what_they_are(memory, tmp_path):
    po = PO_HEADER + (
        'msgid "one file"\nmsgid_plural "%d files"\nmsgstr[0] "bir faýl"\nmsgstr[1] "%d faýl"\n\n'
        '#~ msgid "Old."\n#~ msgstr "Köne."\n\n#, fuzzy\nmsgid "Maybe."\nmsgstr "Belki."\n\n'
        'msgid "He said \\"yes\\""\nmsgstr "Ol \\"hawa\\" diýdi"\n'
    )
    report, units = imported(memory, tmp_path, "job.po", po)
    assert units == [{"tk": "Belki.", "en": "Maybe."}, {"tk": 'Ol "hawa" diýdi', "en": 'He said "yes"'}]
    assert report.skipped == {"plural forms (a unit holds one sentence a language)": 1, "untranslated or obsolete": 1}


def test_po_with_a_string_left_open_is_refused_not_cut(memory, tmp_path):
    with pytest.raises(TmError, match=r"open.po:6: a string is not closed with a quote"):
        imported(memory, tmp_path, "open.po", PO_HEADER + 'msgid "Hello.\nmsgstr "Salam."\n')
    assert memory.stats().units == 0


def test_csv_quotes_and_newlines_come_in_exact_and_an_extra_field_refuses_the_file(memory, tmp_path):
    content = 'en,tk\n"Line one\nline two, ""quoted""","Setir bir\nsetir iki, ""sitata"""\n'
    _report, units = imported(memory, tmp_path, "quoted.csv", content)
    assert units == [{"tk": 'Setir bir\nsetir iki, "sitata"', "en": 'Line one\nline two, "quoted"'}]
    for rows in ("Hello.,Salam.,extra\n", "A.,B.\nHello.,Salam.,extra\n"):
        with pytest.raises(TmError, match=r"more fields than the header|Expected 2 fields in line 3"):
            imported(memory, tmp_path, "shifted.csv", "en,tk\n" + rows)
    assert memory.stats().units == 1


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("columns.csv", "fr,de\nBonjour,Hallo\n", "table needs at least two of the columns tk, ru, en"),
        ("notzip.xlsx", "this is not a zip file", "not a readable workbook"),
    ],
)
def test_tables_that_are_not_ours_are_one_line(memory, tmp_path, name, content, problem):
    with pytest.raises(TmError, match=problem):
        imported(memory, tmp_path, name, content)
    assert memory.stats().units == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    with TranslationMemory(tmp_path_factory.mktemp("queries") / "tm.db") as tm:
        build(SAMPLE, tm, "ngram")
        yield tm


@pytest.mark.parametrize(
    "query",
    ["", "a", "2024", "!!! ??? ...", "Туркменистан and Türkmenistan", "'; DROP TABLE units; --", ".*(a|b)+[", "%_\\"],
)
def test_any_query_gives_matches_or_one_line(built, query):
    for finder in (bridged_lookup, concordance):
        try:
            found = finder(built, query, "en", "tk")
        except TmError as error:
            assert "\n" not in str(error)
        else:
            assert isinstance(found, list)
    assert built.stats().units > 0  # the TM is still there
