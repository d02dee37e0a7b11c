"""Pre-translation of PO, XLIFF 1.2/2.0 and text files, and the analysis CAT tools quote from."""

import difflib
import json
import re
import subprocess
import sys

import polib
import pytest
from lxml import etree

from tests.conftest import require_tool
from tests.test_interop import PROJECT, run_omegat
from tm.errors import InputError
from tm.formats import ImportedUnit
from tm.pretranslate import band, pretranslate
from tm.store import TranslationMemory

UNITS = [
    ("The parties discussed transport links.", "Taraplar ulag gatnaşyklaryny ara alyp maslahatlaşdylar.", "1.0"),
    ("The delegation will stay until 5 July.", "Wekiliýet 5-nji iýula çenli bolar.", "1.0"),
    ("Special attention was paid to the ports.", "Portlara aýratyn üns berildi.", "1.0"),
]
EXACT = UNITS[0][0]
FUZZY = "The delegation will stay until 6 July."  # a number changed: 97%, its suffix re-inflected
NEAR = "Special attention was paid to the Caspian ports."  # one word added: 85%
NONE = "A sentence about the weather in Paris."


@pytest.fixture
def memory(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        with tm.transaction():
            units = [ImportedUnit({"en": en, "tk": tk}, {"x-confidence": c}) for en, tk, c in UNITS]
            tm.add_imported("import", "units.tmx", units)
        yield tm


def _po(path, entries):
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "tk"}
    for entry in entries:
        catalog.append(entry)
    catalog.save(str(path))


def test_po_is_filled_and_analysed(memory, tmp_path):
    source, output = tmp_path / "job.po", tmp_path / "out" / "job.tk.po"
    _po(
        source,
        [
            polib.POEntry(msgid=EXACT),
            polib.POEntry(msgid=FUZZY),
            polib.POEntry(msgid=NEAR),
            polib.POEntry(msgid=NONE),
            polib.POEntry(msgid=EXACT, msgctxt="again"),
            polib.POEntry(msgid="Done by hand.", msgstr="Elde edildi."),
        ],
    )
    analysis = pretranslate(memory, source, "en", "tk", output, threshold=75)
    entries = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(output))}
    exact, fuzzy, near, none = (entries[(None, text)] for text in (EXACT, FUZZY, NEAR, NONE))
    assert exact.msgstr == UNITS[0][1] and "fuzzy" not in exact.flags
    assert fuzzy.msgstr == "Wekiliýet 6-njy iýula çenli bolar." and "fuzzy" in fuzzy.flags
    assert "tm: 97% match from import/" in fuzzy.tcomment
    assert fuzzy.tcomment.splitlines()[1:] == ["tm: auto-patched 5 -> 6", "tm: suffix re-inflected: 6-nji -> 6-njy"]
    assert "auto-patched" not in (exact.tcomment or "")
    assert near.msgstr == UNITS[2][1] and "fuzzy" in near.flags
    assert none.msgstr == "" and entries[(None, "Done by hand.")].msgstr == "Elde edildi."
    assert entries[("again", EXACT)].msgstr == UNITS[0][1]  # a repetition gets its first occurrence's match
    assert analysis.segments == {
        "repetitions": 1,
        "100%": 1,
        "95-99%": 1,
        "85-94%": 1,
        "75-84%": 0,
        "50-74%": 0,
        "term": 0,
        "no match": 1,
    }
    assert analysis.words["100%"] == 5 and analysis.words["repetitions"] == 5
    assert (analysis.filled_exact, analysis.filled_fuzzy, analysis.already_translated) == (1, 2, 1)
    subprocess.run([require_tool("msgfmt"), "--check", "-o", "/dev/null", str(output)], check=True)
    checked = tmp_path / "checked.po"
    run = [require_tool("pofilter"), "--progress=none", str(output), str(checked)]
    assert subprocess.run(run, capture_output=True, text=True, timeout=120).returncode == 0
    findings = {
        (entry.msgid, check)
        for entry in polib.pofile(str(checked))
        for check in re.findall(r"^\(pofilter\) (\w+):", entry.tcomment, re.MULTILINE)
    }
    # Only the review marks and the unmatched entry are found: the numbers of the patched one agree.
    assert findings == {(FUZZY, "isfuzzy"), (NEAR, "isfuzzy"), (NONE, "untranslated")}


def test_threshold_leaves_weaker_matches_empty(memory, tmp_path):
    source, output = tmp_path / "job.po", tmp_path / "job.tk.po"
    _po(source, [polib.POEntry(msgid=NEAR)])
    analysis = pretranslate(memory, source, "en", "tk", output, threshold=90)
    assert polib.pofile(str(output))[0].msgstr == "" and analysis.segments["85-94%"] == 1


XLIFF_12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="job.txt" source-language="en" datatype="plaintext"><body>
    <trans-unit id="1"><source>{exact}</source></trans-unit>
    <trans-unit id="2"><source>{fuzzy}</source></trans-unit>
    <trans-unit id="3"><source>The delegation will stay until <g id="g1">5 July</g>.</source></trans-unit>
    <trans-unit id="4" translate="no"><source>{exact}</source></trans-unit>
    <trans-unit id="5"><source>{none}</source></trans-unit>
  </body></file>
</xliff>
"""


def test_xliff_12_targets_states_and_match_quality(memory, tmp_path):
    source, output = tmp_path / "job.xlf", tmp_path / "job.tk.xlf"
    source.write_text(XLIFF_12.format(exact=EXACT, fuzzy=FUZZY, none=NONE))
    pretranslate(memory, source, "en", "tk", output)
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    root = etree.parse(str(output)).getroot()
    assert root.find("x:file", ns).get("target-language") == "tk"
    units = {u.get("id"): u for u in root.iterfind(".//x:trans-unit", ns)}
    assert units["1"].find("x:target", ns).get("state") == "translated"
    assert units["2"].find("x:target", ns).get("state") == "needs-review-translation"
    assert units["2"].find("x:alt-trans", ns).get("match-quality") == "97"
    assert [units[n].find("x:target", ns).get("state-qualifier") for n in "12"] == ["exact-match", "fuzzy-match"]
    notes = [(note.get("from"), note.text) for note in units["2"].iterfind("x:note", ns)]
    assert notes == [("tm", "auto-patched 5 -> 6"), ("tm", "suffix re-inflected: 6-nji -> 6-njy")]
    assert units["1"].find("x:note", ns) is None
    assert units["3"].find("x:target", ns) is None  # its inline markup would be lost
    assert units["4"].find("x:target", ns) is None and units["5"].find("x:target", ns) is None
    # translate-toolkit's reader: the two filled units have targets awaiting approval (it counts a
    # target without approved="yes" as fuzzy: a person approves pre-translations), two are empty.
    counted = subprocess.run([require_tool("pocount"), "--csv", str(output)], capture_output=True, text=True)
    fields = [field.strip() for field in counted.stdout.splitlines()[1].split(",")]
    assert (fields[1], fields[4], fields[6], fields[8]) == ("0", "2", "2", "4")


def test_xliff_20_segments_states_and_candidates(memory, tmp_path):
    source, output = tmp_path / "job.xlf", tmp_path / "job.tk.xlf"
    source.write_text(
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en"><file id="f">'
        f'<unit id="u1"><segment id="s1"><source>{EXACT}</source></segment></unit>'
        f'<unit id="u2"><segment id="s2"><source>{FUZZY}</source></segment></unit></file></xliff>'
    )
    pretranslate(memory, source, "en", "tk", output)
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0", "mtc": "urn:oasis:names:tc:xliff:matches:2.0"}
    root = etree.parse(str(output)).getroot()
    assert root.get("trgLang") == "tk"
    first, second = root.iterfind(".//x:segment", ns)
    assert (first.get("state"), first.get("subState")) == ("translated", None)
    assert (second.get("state"), second.get("subState")) == ("translated", "tm:needs-review")
    assert second.find("x:target", ns).text == "Wekiliýet 6-njy iýula çenli bolar."
    assert root.find(".//x:unit[@id='u2']/mtc:matches/mtc:match", ns).get("similarity") == "97.0"
    second_unit = root.find(".//x:unit[@id='u2']", ns)
    assert [child.tag.split("}")[1] for child in second_unit] == ["matches", "notes", "segment"]
    notes = [note.text for note in second_unit.iterfind("x:notes/x:note[@category='tm']", ns)]
    assert notes == ["auto-patched 5 -> 6", "suffix re-inflected: 6-nji -> 6-njy"]


def test_text_becomes_tsv(memory, tmp_path):
    source, output = tmp_path / "job.txt", tmp_path / "job.tk.tsv"
    source.write_text(f"{EXACT}\n\n{NONE}\n")
    pretranslate(memory, source, "en", "tk", output)
    assert output.read_text().splitlines() == [
        "source\ttarget\tmatch\tfrom",
        f"{EXACT}\t{UNITS[0][1]}\t100%\timport/{memory.db.execute('SELECT release_id FROM releases').fetchone()[0]}",
        f"{NONE}\t\t\t",
    ]


def test_a_tsv_cell_is_never_a_formula(tmp_path):
    """A TM target (or a source line) that starts like a formula is written as text: a
    spreadsheet that opens the TSV must not compute `+SUM(A1)` or `=HYPERLINK(...)`."""
    memory = TranslationMemory(":memory:")
    with memory.transaction():
        memory.add_imported("import", "hostile", [ImportedUnit({"en": "=cmd|' /C calc'!A0", "tk": "+SUM(A1)"})])
    source, output = tmp_path / "job.txt", tmp_path / "job.tk.tsv"
    source.write_text("=cmd|' /C calc'!A0\n-2+3\n")
    pretranslate(memory, source, "en", "tk", output)
    rows = [line.split("\t") for line in output.read_text().splitlines()[1:]]
    assert [row[:2] for row in rows] == [["'=cmd|' /C calc'!A0", "'+SUM(A1)"], ["'-2+3", ""]]
    memory.close()


@pytest.mark.parametrize(
    ("percent", "name"),
    [
        (100, "100%"),
        (99, "95-99%"),
        (95, "95-99%"),
        (94, "85-94%"),
        (85, "85-94%"),
        (84, "75-84%"),
        (75, "75-84%"),
        (74, "50-74%"),
        (50, "50-74%"),
        (49, "no match"),
        (None, "no match"),
    ],
)
def test_bands(percent, name):
    assert band(percent) == name


def test_bad_files_change_nothing(memory, tmp_path):
    broken, output = tmp_path / "broken.po", tmp_path / "broken.tk.po"
    broken.write_text('msgid "a"\nmsgid "b"\n')
    with pytest.raises(InputError, match="not a readable PO file"):
        pretranslate(memory, broken, "en", "tk", output)
    assert not output.exists() and list(tmp_path.glob(".*part")) == []
    bomb = tmp_path / "bomb.xlf"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en"><body>'
        '<trans-unit id="1"><source>&b;</source></trans-unit></body></file></xliff>'
    )
    pretranslate(memory, bomb, "en", "tk", tmp_path / "bomb.tk.xlf")
    assert "aaaaaaaaaa" not in (tmp_path / "bomb.tk.xlf").read_text()  # the entity is not expanded
    with pytest.raises(InputError, match=r"cannot pre-translate a \.docx file"):
        pretranslate(memory, tmp_path / "x.docx", "en", "tk", tmp_path / "x.tk.docx")


def test_pretranslate_command_prints_the_report(memory, tmp_path):
    source = tmp_path / "job.txt"
    source.write_text(f"{EXACT}\n{FUZZY}\n{EXACT}\n")
    command = [
        sys.executable,
        "-m",
        "tm",
        "pretranslate",
        str(source),
        "--from",
        "en",
        "--to",
        "tk",
        "--db",
        str(tmp_path / "tm.db"),
    ]
    shown = subprocess.run([*command, "--report", "json"], capture_output=True, text=True, check=True)
    report = json.loads(shown.stdout)
    assert report["bands"]["100%"] == {"segments": 1, "words": 5} and report["bands"]["repetitions"]["segments"] == 1
    assert report["output"].endswith("job.tk.tsv") and (tmp_path / "job.tk.tsv").exists()


def test_omegat_opens_the_pretranslated_xliff(memory, tmp_path):
    project = tmp_path / "project"
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / sub).mkdir(parents=True)
    (project / "omegat.project").write_text(PROJECT.format(source="en-US", target="tk-TM"), "utf-8")
    source = tmp_path / "job.xlf"
    source.write_text(XLIFF_12.format(exact=EXACT, fuzzy=FUZZY, none=NONE))
    pretranslate(memory, source, "en", "tk", project / "source/job.xlf")
    log = run_omegat(project, tmp_path / "config", "--mode=console-translate")
    assert "Loading: job.xlf" in log and "Translated document created" in log
    assert not [line for line in log.splitlines() if re.search(r"warn|error|severe|exception", line, re.IGNORECASE)]
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    written = etree.parse(str(project / "target/job.xlf")).getroot()
    targets = {u.get("id"): u.findtext("x:target", namespaces=ns) for u in written.iterfind(".//x:trans-unit", ns)}
    assert targets["1"] == UNITS[0][1] and targets["2"] == "Wekiliýet 6-njy iýula çenli bolar."


def test_a_segment_no_lookup_can_take_does_not_stop_the_file(memory, tmp_path):
    source, output = tmp_path / "job.po", tmp_path / "job.tk.po"
    _po(source, [polib.POEntry(msgid="Стороны обсудили транспорт."), polib.POEntry(msgid=EXACT)])
    analysis = pretranslate(memory, source, "en", "tk", output)
    assert analysis.segments["no match"] == 1 and analysis.filled_exact == 1
    xliff = tmp_path / "empty.xlf"
    xliff.write_text(XLIFF_12.format(exact=EXACT, fuzzy=" ", none=NONE))
    analysis = pretranslate(memory, xliff, "en", "tk", tmp_path / "empty.tk.xlf")
    assert sum(analysis.segments.values()) == 3  # the empty source is no segment


def test_a_koi8_r_catalog_whose_translations_it_cannot_hold_comes_out_in_utf_8(tmp_path):
    memory = TranslationMemory(":memory:")
    with memory.transaction():
        memory.add_imported(
            "import",
            "ru-tk",
            [ImportedUnit({"ru": "Переговоры прошли в Ашхабаде.", "tk": "Gepleşikler Aşgabatda geçdi."})],
        )
    source, output = tmp_path / "job.po", tmp_path / "job.tk.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=KOI8-R\\n"\n\n'
    source.write_bytes((header + 'msgid "Переговоры прошли в Ашхабаде."\nmsgstr ""\n').encode("koi8-r"))
    pretranslate(memory, source, "ru", "tk", output)
    catalog = polib.pofile(str(output))
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert [(e.msgid, e.msgstr) for e in catalog] == [("Переговоры прошли в Ашхабаде.", "Gepleşikler Aşgabatda geçdi.")]
    memory.close()


def test_a_pretranslated_po_changes_only_its_filled_entries(memory, tmp_path):
    """A file as msgcat writes it (wrapped at 79 columns, the header fields in their order, no
    header comment) comes back the same but for the entries filled: a small diff in version control."""
    long_source = "A sentence about the weather in Paris that is long enough to be wrapped by msgcat at 79 columns."
    raw = tmp_path / "raw.po"
    raw.write_text(
        'msgid ""\nmsgstr ""\n"Project-Id-Version: site 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Language: tk\\n"\n\n#: a.c:1\nmsgid "{long_source}"\nmsgstr ""\n\n#: a.c:2\nmsgid "{EXACT}"\nmsgstr ""\n',
        encoding="utf-8",
    )
    source, output = tmp_path / "job.po", tmp_path / "job.tk.po"
    subprocess.run([require_tool("msgcat"), str(raw), "-o", str(source)], check=True)
    pretranslate(memory, source, "en", "tk", output)
    before, after = source.read_text().splitlines(), output.read_text().splitlines()
    diff = [line for line in difflib.unified_diff(before, after, n=0, lineterm="") if line[:1] in "+-"][2:]
    assert diff == ["+# tm: 100% match from import/units.tmx", '-msgstr ""', f'+msgstr "{UNITS[0][1]}"']
    assert after[0] == 'msgid ""' and all(len(line) <= 79 for line in after)


def test_an_unwrapped_po_stays_unwrapped(memory, tmp_path):
    long_source = "A sentence about the weather in Paris that is long enough to be wrapped by msgcat at 79 columns."
    source, output = tmp_path / "job.po", tmp_path / "job.tk.po"
    source.write_text(f'msgid ""\nmsgstr "Language: tk\\n"\n\nmsgid "{long_source}"\nmsgstr ""\n', encoding="utf-8")
    pretranslate(memory, source, "en", "tk", output)
    assert f'msgid "{long_source}"' in output.read_text().splitlines()
