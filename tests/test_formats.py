import csv
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import polib
import pytest

from tests.conftest import require_tool
from tm.errors import InputError, TmError
from tm.formats import ExportOptions, ImportedUnit, export_tm, import_file, table
from tm.store import TranslationMemory

UNITS = [
    ImportedUnit({"tk": "Taraplar ylalaşdylar.", "ru": "Стороны договорились.", "en": "The parties agreed."}),
    ImportedUnit(
        {
            "tk": "Forum 2025-nji ýylda geçiriler.",
            "ru": "Форум пройдет в 2025 году.",
            "en": "The forum will be held in 2025 & <later>.",
        }
    ),
]


@pytest.fixture
def tm():
    source = TranslationMemory(":memory:")
    with source.transaction():
        source.add_imported("test", "units", UNITS)
    yield source
    source.close()


def texts(tm, langs=("tk", "ru", "en")):
    return [u.texts for u in tm.units(langs)]


@pytest.mark.parametrize("name", ["all.tmx", "all.csv", "all.xlsx"])
def test_write_then_read_gives_the_same_units(tm, memory, tmp_path, name):
    path = tmp_path / name
    assert export_tm(tm, path, ExportOptions(("tk", "ru", "en"))) == 2
    assert import_file(memory, path, collection="again").imported == 2
    assert texts(memory) == texts(tm)


def test_csv_streams_in_chunks_and_excel_refuses_what_a_sheet_cannot_hold(tm, memory, tmp_path, monkeypatch):
    table = sys.modules["tm.formats.table"]
    monkeypatch.setattr(table, "CHUNK", 1)
    path = tmp_path / "all.csv"
    assert export_tm(tm, path, ExportOptions(("tk", "ru", "en"))) == 2
    lines = path.read_text("utf-8").splitlines()
    assert lines[0].startswith("collection,release") and len(lines) == 3
    assert import_file(memory, path).imported == 2
    monkeypatch.setattr(table, "EXCEL_ROWS", 1)
    with pytest.raises(TmError, match="2 units do not fit in an Excel sheet"):
        export_tm(tm, tmp_path / "all.xlsx", ExportOptions(("tk", "ru", "en")))
    assert not (tmp_path / "all.xlsx").exists()


def undated(po) -> list[str]:
    """The file's lines without the header's creation and revision times (minutes may tick between exports)."""
    return [line for line in po.read_text("utf-8").splitlines() if not line.startswith(('"POT-Creation', '"PO-Rev'))]


@pytest.mark.parametrize("dedupe", [False, True])
def test_po_export_import_export_gives_the_same_file(tm, memory, tmp_path, dedupe):
    first, second = tmp_path / "a.po", tmp_path / "b.po"
    options = ExportOptions(("en", "tk"), dedupe=dedupe)
    export_tm(tm, first, options)
    import_file(memory, first, collection="po")
    export_tm(memory, second, options)
    assert undated(second) == undated(first)
    entries = [(e.msgid, e.msgstr) for e in polib.pofile(str(first))]
    assert entries == [(u["en"], u["tk"]) for u in texts(tm, ("en", "tk"))]
    assert polib.pofile(str(second)).metadata["Language"] == "tk_TM"


def test_tmx_is_valid_against_the_dtd(tm, tmp_path, shared):
    xmllint = require_tool("xmllint")
    for langs in (("tk", "ru", "en"), ("en", "tk")):
        path = tmp_path / f"{'-'.join(langs)}.tmx"
        export_tm(tm, path, ExportOptions(langs))
        result = subprocess.run(
            [xmllint, "--noout", "--dtdvalid", str(shared / "formats/tmx14.dtd"), str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
    assert 'srclang="en-US"' in path.read_text() and 'xml:lang="tk-TM"' in path.read_text()


def test_po_passes_msgfmt(tm, tmp_path):
    msgfmt = require_tool("msgfmt")
    path = tmp_path / "en-tk.po"
    export_tm(tm, path, ExportOptions(("en", "tk")))
    result = subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_tmx_language_codes_and_markup_on_import(memory, tmp_path):
    path = tmp_path / "in.tmx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en"/><body>'
        '<tu><prop type="x-note">kept</prop><tuv xml:lang="EN-gb"><seg>Hello <bpt i="1">&lt;b&gt;</bpt>world'
        '<ept i="1">&lt;/b&gt;</ept></seg></tuv><tuv xml:lang="tk_TM"><seg>Salam dünýä</seg></tuv>'
        '<tuv xml:lang="de-DE"><seg>Hallo Welt</seg></tuv></tu>'
        '<tu><tuv xml:lang="tuk"><seg>Diňe</seg></tuv></tu></body></tmx>',
        "utf-8",
    )
    report = import_file(memory, path)
    assert report.read == 2
    assert report.imported == 1 and report.skipped == {"fewer than two of tk/ru/en": 1}
    assert report.left_out == {"language 'de-DE' not in tk/ru/en": 1}
    assert texts(memory, ("tk", "en")) == [{"en": "Hello world", "tk": "Salam dünýä"}]
    assert memory.db.execute("SELECT props FROM units").fetchone()[0] == '{"x-note": "kept"}'


TRADOS_STYLE = (
    '<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">'
    '<header srclang="EN-US" o-tmf="TW4Win 2.0 Format"/><body><tu><note>checked</note>'
    '<tuv xml:lang="EN-US"><seg>The <hi type="b">new</hi> bridge<ph x="1">&lt;br/&gt;</ph> opens.</seg></tuv>'
    '<tuv xml:lang="TK-TM"><seg>Täze <it pos="begin">&lt;i&gt;</it>köpri açylýar.</seg></tuv></tu></body></tmx>'
)


@pytest.mark.parametrize(("encoding", "codec"), [("UTF-16", "utf-16"), ("UTF-8", "utf-8-sig"), ("UTF-8", "utf-8")])
def test_tmx_in_utf16_or_with_a_bom_and_an_external_dtd_is_read(memory, tmp_path, encoding, codec):
    path = tmp_path / "trados.tmx"
    path.write_bytes(TRADOS_STYLE.format(encoding=encoding).encode(codec))
    assert import_file(memory, path).imported == 1
    assert texts(memory, ("tk", "en")) == [{"tk": "Täze köpri açylýar.", "en": "The new bridge opens."}]
    assert memory.db.execute("SELECT props FROM units").fetchone()[0] == '{"note": "checked"}'


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
            '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&x;</seg></tuv></tu></body></tmx>',
            "entities",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&b;</seg></tuv></tu></body></tmx>',
            "entities",
        ),
        (
            '<?xml version="1.0"?>\n<tmx version="1.4"><body>\n'
            '<tu><tuv xml:lang="en"><seg>x</seg></tuv>\n</body></tmx>',
            r"bad\.tmx:\d+: malformed XML",
        ),
        (
            '<?xml version="1.0"?><tmx version="1.4"><body><tu><tuv xml:lang="en"></tuv>'
            '<tuv xml:lang="tk"><seg>y</seg></tuv></tu></body></tmx>',
            "without <seg>",
        ),
    ],
)
def test_bad_tmx_imports_nothing(memory, tmp_path, content, problem):
    path = tmp_path / "bad.tmx"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=problem):
        import_file(memory, path)
    assert memory.stats().units == 0


def test_po_marks_units_under_the_fuzzy_confidence_fuzzy(memory, tmp_path):
    units = [
        ImportedUnit({"en": f"Sentence {n}.", "tk": f"Sözlem {n}."}, {"x-confidence": str(c)})
        for n, c in enumerate([0.2, 0.49, 0.5, 0.95])
    ]
    with memory.transaction():
        memory.add_imported("test", "units", units)
    path = tmp_path / "en-tk.po"
    export_tm(memory, path, ExportOptions(("en", "tk")))
    assert [entry.fuzzy for entry in polib.pofile(str(path))] == [True, True, False, False]


FORMULAS = ['=HYPERLINK("http://x","click")', "+1 zeng", "-5 градусов", "@SUM(A1)", "'quoted", "''twice", "plain"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formulas_are_written_as_text_and_read_back_exact(tmp_path, suffix):
    with TranslationMemory(tmp_path / "tm.db") as memory:
        with memory.transaction():
            memory.add_imported("c", "r", [ImportedUnit({"en": text, "tk": f"{text} tk"}) for text in FORMULAS])
        out = tmp_path / f"units{suffix}"
        export_tm(memory, out, ExportOptions(("en", "tk")))
        if suffix == ".xlsx":
            sheet = openpyxl.load_workbook(out).active
            cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
            assert all(cell.data_type != "f" for cell in cells)  # no cell is a live formula
        else:
            cells = [cell for row in csv.reader(out.open(encoding="utf-8")) for cell in row]
            assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
            assert '\'=HYPERLINK("http://x","click")' in cells
        memory.delete("c")
        import_file(memory, out, collection="back")
        assert sorted(u.texts["en"] for u in memory.units(("en", "tk"))) == sorted(FORMULAS)


def test_export_never_destroys_the_tm_and_leaves_no_partial_file(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as memory:
        with memory.transaction():
            memory.add_imported("c", "r", [ImportedUnit({"en": "Hello there.", "tk": "Salam.\x01"})])
        with pytest.raises(TmError, match="is an SQLite file"):
            export_tm(memory, tmp_path / "tm.db", ExportOptions(("en", "tk")), "csv")
        assert memory.stats().units == 1
        (tmp_path / "old.xlsx").write_bytes(b"previous export")
        with pytest.raises(TmError, match="control character Excel cannot store"):
            export_tm(memory, tmp_path / "old.xlsx", ExportOptions(("en", "tk")))
        assert (tmp_path / "old.xlsx").read_bytes() == b"previous export"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
        with pytest.raises(TmError, match="is not a plain file"):
            export_tm(memory, tmp_path, ExportOptions(("en", "tk")), "csv")


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked(memory, tmp_path, monkeypatch):
    """A valid workbook with a member that unpacks far beyond any sheet: refused on the sizes the
    zip declares, in one line, the TM unchanged."""
    path = tmp_path / "bomb.xlsx"
    pd.DataFrame({"en": ["Hello."], "tk": ["Salam."]}).to_excel(path, index=False)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("xl/media/zeros.bin", bytes(24 << 20))  # 24 MiB of zeros, about 24 KiB packed
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(table, "XLSX_UNPACKED_LIMIT", 16 << 20)
    with pytest.raises(TmError, match=r"bomb.xlsx: the workbook unpacks to 24 MiB, more than 16 MiB") as refused:
        import_file(memory, path)
    assert "\n" not in str(refused.value) and memory.stats().units == 0
    monkeypatch.setattr(table, "XLSX_UNPACKED_LIMIT", 32 << 20)
    assert import_file(memory, path).imported == 1
