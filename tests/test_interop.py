"""Exported files opened by the real tools translators use: OmegaT and translate-toolkit."""

import re
import subprocess
from pathlib import Path

import polib
import pytest
from lxml import etree

from tests.conftest import SAMPLE, require_tool
from tm import jobs
from tm.formats import ExportOptions, export_tm, import_file
from tm.store import TranslationMemory

OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{source}</source_lang>
    <target_lang>{target}</target_lang>
    <source_tok>org.omegat.tokenizer.DefaultTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.DefaultTokenizer</target_tok>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


@pytest.fixture(scope="module")
def sample_tm(tmp_path_factory):
    tm = TranslationMemory(tmp_path_factory.mktemp("tm") / "tm.db")
    jobs.build(SAMPLE, tm, "ngram")
    yield tm
    tm.close()


def omegat_project(folder: Path, tmx: Path, sources: list[str], source: str, target: str) -> Path:
    """An OmegaT project whose only file holds `sources`, one paragraph each, and `tmx` in tm/auto."""
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "omegat.project").write_text(PROJECT.format(source=source, target=target), "utf-8")
    (folder / "source/segments.txt").write_text("\n\n".join(sources) + "\n", "utf-8")
    tmx.rename(folder / "tm/auto" / tmx.name)
    return folder


@pytest.mark.parametrize(
    ("source", "target", "codes"), [("en", "tk", ("en-US", "tk-TM")), ("ru", "en", ("ru-RU", "en-US"))]
)
def test_omegat_pretranslates_every_segment_from_our_tmx(sample_tm, tmp_path, source, target, codes):
    tmx = tmp_path / f"{source}-{target}.tmx"
    export_tm(sample_tm, tmx, ExportOptions((source, target)))
    pairs = {u.texts[source]: u.texts[target] for u in sample_tm.units((source, target))}
    project = omegat_project(tmp_path / "project", tmx, list(pairs), *codes)
    log = run_omegat(project, tmp_path / "config", "--mode=console-translate")
    assert "Reading of TMX file complete" in log
    assert not [line for line in log.splitlines() if re.search(r"warn|error|severe|exception", line, re.IGNORECASE)]
    translated = (project / "target/segments.txt").read_text("utf-8").split("\n\n")
    assert [t.strip() for t in translated] == list(pairs.values())


def run_omegat(project: Path, config: Path, *options: str) -> str:
    java = require_tool("java")
    if not OMEGAT_JAR.is_file():
        require_tool("omegat")  # fails in CI, skips elsewhere
    command = [java, "-Djava.awt.headless=true", "-jar", str(OMEGAT_JAR), str(project), *options]
    run = subprocess.run(
        [*command, f"--config-dir={config}", "--disable-project-locking"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-2000:]
    return run.stdout + run.stderr


def test_we_import_the_tmx_omegat_writes(sample_tm, memory, tmp_path):
    """OmegaT writes TMX 1.1 with `lang` (not `xml:lang`) and upper-case codes."""
    tmx = tmp_path / "en-tk.tmx"
    export_tm(sample_tm, tmx, ExportOptions(("en", "tk")))
    sources = list(dict.fromkeys(u.texts["en"] for u in sample_tm.units(("en", "tk"))))
    project = omegat_project(tmp_path / "project", tmx, sources, "en-US", "tk-TM")
    written = tmp_path / "omegat.tmx"
    options = (
        "--mode=console-createpseudotranslatetmx",
        f"--pseudotranslatetmx={written}",
        "--pseudotranslatetype=equal",
    )
    run_omegat(project, tmp_path / "config", *options)
    assert 'tmx version="1.1"' in written.read_text("utf-8")
    # OmegaT's "equal" pseudo-translation gives both sides the same text, where swapped languages
    # would not show: mark its Turkmen side, keeping the file as OmegaT wrote it otherwise.
    tree = etree.parse(str(written))
    turkmen = [tuv for tuv in tree.iter("tuv") if tuv.get("lang", "").upper().startswith("TK")]
    marked = [seg for tuv in turkmen for seg in tuv.iter("seg")]
    for seg in marked:
        seg.text = "TK: " + (seg.text or "")
    tree.write(str(written), encoding="utf-8", xml_declaration=True)
    report = import_file(memory, written)
    assert report.imported == len(sources) == len(marked)
    pairs = sorted((u.texts["en"], u.texts["tk"]) for u in memory.units(("en", "tk")))
    assert pairs == sorted((source, "TK: " + source) for source in sources)


def test_we_import_the_tmx_translate_toolkit_writes(sample_tm, memory, tmp_path):
    po2tmx = require_tool("po2tmx")
    po, tmx = tmp_path / "en-tk.po", tmp_path / "en-tk.tmx"
    export_tm(sample_tm, po, ExportOptions(("en", "tk")))
    run = subprocess.run(
        [po2tmx, "--progress=none", "-l", "tk-TM", "--source-language=en-US", str(po), str(tmx)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    import_file(memory, tmx)
    expected = sorted((e.msgid, e.msgstr) for e in polib.pofile(str(po)) if not e.fuzzy)  # po2tmx leaves fuzzy out
    assert sorted((u.texts["en"], u.texts["tk"]) for u in memory.units(("en", "tk"))) == expected


def test_pofilter_reads_our_po(sample_tm, tmp_path):
    pofilter = require_tool("pofilter")
    po = tmp_path / "en-tk.po"
    # Half the units under the fuzzy line, whatever the aligner's confidences are.
    confidences = sorted(u.confidence for u in sample_tm.units(("en", "tk")))
    fuzzy_below = confidences[len(confidences) // 2]
    export_tm(sample_tm, po, ExportOptions(("en", "tk"), fuzzy_below=fuzzy_below))
    run = subprocess.run(
        [pofilter, "--progress=none", str(po), str(tmp_path / "checked.po")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    # pofilter writes each entry that fails a check, naming the check. Checks of the file itself
    # (escapes, newlines, variables, tags ...) must find nothing; what is left are notes on the
    # translations, and "isfuzzy" must list exactly the units aligned with confidence under the line.
    findings: dict[str, list[str]] = {}
    for entry in polib.pofile(str(tmp_path / "checked.po")):
        for check in re.findall(r"^\(pofilter\) (\w+):", entry.tcomment, re.MULTILINE):
            findings.setdefault(check, []).append(entry.msgid)
    assert set(findings) <= {"isfuzzy", "acronyms", "numbers", "puncspacing"}, findings
    unsure = [u.texts["en"] for u in sample_tm.units(("en", "tk")) if u.confidence < fuzzy_below]
    assert unsure and sorted(findings["isfuzzy"]) == sorted(unsure)
