"""The README's commands, run as a user runs them."""

import functools
import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLE, free_port
from tm.store import TranslationMemory


def tm(*args, cwd, stdin=None):
    command = [sys.executable, "-m", "tm", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, input=stdin)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    result = tm("build", SAMPLE, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "releases: 6 (6 added, 0 unchanged, 0 skipped)" in result.stdout
    return folder


def test_lookup_export_stats(workdir):
    found = tm(
        "lookup",
        "The parties discussed the development of transport links.",
        "--from",
        "en",
        "--to",
        "tk",
        "--json",
        cwd=workdir,
    )
    matches = json.loads(found.stdout)
    assert matches and matches[0]["target"].startswith("Taraplar iki ýurduň")
    exported = tm("export", "--format", "tmx", "--from", "en", "--to", "tk", "-o", "exports/en-tk.tmx", cwd=workdir)
    assert exported.returncode == 0 and (workdir / "exports/en-tk.tmx").stat().st_size > 1000
    assert "units:" in tm("stats", cwd=workdir).stdout


def test_segment_extract_align(tmp_path):
    extracted = json.loads(tm("extract", SAMPLE / "2024-004/en.txt", cwd=tmp_path).stdout)
    assert extracted["date"] == "2024-05-21" and extracted["title"].startswith("Ashgabat hosts")
    lines = tm("segment", "--lang", "ru", SAMPLE / "2024-001/ru.txt", cwd=tmp_path).stdout.splitlines()
    assert lines[-1].startswith("По итогам встречи") and lines[-1].endswith("ведомствами на 2024-2026 гг.")
    beads = json.loads(tm("align", SAMPLE / "2024-002", "--format", "json", cwd=tmp_path).stdout)
    assert beads[0]["tk"] == [0] and beads[0]["en"] == [0] and 0 <= beads[0]["score"] <= 1
    paired = json.loads(tm("align", SAMPLE / "2024-002", "--pairs", "--encoder", "ngram", cwd=tmp_path).stdout)
    assert set(paired["pairs"]) == {"tk-ru", "tk-en", "ru-en"}


def test_extract_shows_what_it_removed(shared, tmp_path):
    page = shared / "corpora/pages/mfa-en-seed/en.txt"
    extracted = json.loads(tm("extract", "--show-removed", page, cwd=tmp_path).stdout)
    why = {item["line"]: item["why"] for item in extracted["removed"]}
    assert why["Phone: +993 (12) 44-56-92"] == "contacts footer" and why["3364"] == "view counter"
    assert "removed" not in json.loads(tm("extract", page, cwd=tmp_path).stdout)


def test_group_prints_releases(shared, tmp_path):
    grouped = json.loads(tm("group", shared / "corpora/pages", "--format", "json", cwd=tmp_path).stdout)
    assert len(grouped) == 9 and sum(len(r["files"]) for r in grouped) == 17
    text = tm("group", shared / "corpora/pages", cwd=tmp_path).stdout.splitlines()
    assert "1.00 tk=mfa_1094/tk.txt  en=mfa_1094/en.txt" in text


def test_lookup_shows_the_ranked_percentage_and_reads_tm_db(tmp_path):
    unit = (
        '<tu><prop type="x-confidence">0.5</prop>'
        '<tuv xml:lang="en"><seg>The parties discussed transport links.</seg></tuv>'
        '<tuv xml:lang="tk"><seg>Taraplar ulag gatnaşyklaryny ara alyp maslahatlaşdylar.</seg></tuv></tu>'
    )
    (tmp_path / "low.tmx").write_text(
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>{unit}</body></tmx>', "utf-8"
    )
    env = {**os.environ, "TM_DB": str(tmp_path / "tm.db")}
    query = ["lookup", "The parties discussed transport links.", "--from", "en", "--to", "tk"]
    for args in (["import", "low.tmx"], query):
        found = subprocess.run(
            [sys.executable, "-m", "tm", *args], cwd=tmp_path, capture_output=True, text=True, env=env
        )
        assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("95% (100% less 5 for low alignment confidence)"), found.stdout


def test_show_context_and_queries_from_stdin(workdir):
    shown = tm("show", "sample/2024-006", cwd=workdir).stdout.splitlines()
    assert (
        len(shown) == 4
        and shown[0]
        == "[1.00 1-0-1] Köpçülikleýin habar beriş serişdeleri üçin maglumat ||| - ||| Message for the media"
    )
    missing = tm("show", "sample/none", cwd=workdir)
    assert missing.returncode == 1 and missing.stderr.startswith("Error: no release 'sample/none'")
    query = "The parties discussed the development of transport links between the two countries."
    found = tm("lookup", query, "--from", "en", "--to", "tk", "--top", "1", "--context", "1", cwd=workdir).stdout
    around = [line for line in found.splitlines() if line.startswith(("  > ", "    "))]
    assert len(around) == 3 and around[1].startswith("  > The parties discussed the development of transport and")
    queries = "The forum will be held in 2027.\n\nZzz qqq.\nФорум пройдёт в 2027 году.\n"
    batch = subprocess.run(
        [sys.executable, "-m", "tm", "lookup", "-", "--from", "en", "--to", "tk"],
        cwd=workdir,
        input=queries,
        capture_output=True,
        text=True,
    )
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [line["query"] for line in lines] == [  # every line answers, the empty one too
        "The forum will be held in 2027.",
        "",
        "Zzz qqq.",
        "Форум пройдёт в 2027 году.",
    ]
    assert lines[0]["matches"][0]["ranked"] >= 50 and lines[1]["matches"] == lines[2]["matches"] == []
    assert lines[3]["error"] == "the query is written in Cyrillic letters, not in English"
    misspelt = tm("lookup", query, "--from", "en", "--to", "tk", "--collection", "sampel", cwd=workdir)
    assert misspelt.returncode == 1
    assert misspelt.stderr.strip() == "Error: no collection sampel in the TM (it holds sample)"
    listed = tm("releases", cwd=workdir).stdout.splitlines()
    assert len(listed) == 6 and listed[-1].startswith("sample/2024-006  2024-07-02  en,tk  ")
    as_json = json.loads(tm("releases", "--since", "2024-07-01", "--json", cwd=workdir).stdout)
    assert [(r["release_id"], r["languages"], r["flag"]) for r in as_json] == [("2024-006", "en,tk", None)]
    assert tm("releases", "--flagged", cwd=workdir).stdout == ""


def test_errors_are_one_line(tmp_path):
    missing = tm("lookup", "x", "--from", "en", "--to", "tk", "--db", "none.db", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "Error: none.db: no TM here (build one with `tm build`)"
    wrong = tm("segment", "--lang", "de", ROOT / "README.md", cwd=tmp_path)
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1


def test_lookup_patches_numbers_and_concordance_finds_forms(workdir):
    query = "On 3 July 2025, the Ministry of Foreign Affairs of Turkmenistan received a delegation of the Asian Development Bank headed by Director General S.Kim."  # noqa: E501
    found = tm("lookup", query, "--from", "en", "--to", "tk", "--top", "1", cwd=workdir)
    assert "2025-nji ýylyň 3-nji iýulynda" in found.stdout and "! auto-patched 2024 -> 2025" in found.stdout
    seen = tm("concordance", "delegations", "--lang", "en", "--to", "tk", cwd=workdir)
    assert seen.returncode == 0 and "[delegation]" in seen.stdout
    nothing = tm("lookup", query, "--from", "en", "--to", "tk", "--since", "2030-01-01", cwd=workdir)
    assert "no match at or above 50%" in nothing.stdout
    wrong = tm("lookup", "Переговоры", "--from", "en", "--to", "tk", cwd=workdir)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "Error: the query is written in Cyrillic letters, not in English"


def test_delete_a_release(tmp_path):
    assert tm("build", SAMPLE, "--encoder", "ngram", cwd=tmp_path).returncode == 0
    removed = tm("delete", "--collection", "sample", "--release", "2024-006", cwd=tmp_path)
    assert removed.stdout.strip() == "removed 1 release(s)"
    assert "releases: 5" in tm("stats", cwd=tmp_path).stdout


def test_export_filters_by_collection_and_date(workdir):
    everything = tm("export", "--from", "en", "--to", "tk", "-o", "exports/all.csv", cwd=workdir).stdout
    recent = tm("export", "--from", "en", "--to", "tk", "--since", "2024-05-01", "-o", "exports/r.csv", cwd=workdir)
    none = tm("export", "--from", "en", "--to", "tk", "--collection", "other", "-o", "exports/n.csv", cwd=workdir)
    assert 0 < int(recent.stdout.split()[1]) < int(everything.split()[1])
    assert none.stdout.startswith("wrote 0 units")
    bad = tm("export", "--since", "2024-13-01", "-o", "exports/x.tmx", cwd=workdir)
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_runs_lists_the_builds(workdir):
    [line] = tm("runs", cwd=workdir).stdout.splitlines()
    assert line.startswith("1  ") and line.endswith(
        f"done  added 6, unchanged 0, skipped 0, flagged 0  tm build {SAMPLE}"
    )
    [run] = json.loads(tm("runs", "--json", cwd=workdir).stdout)
    assert (run["status"], run["units"], run["problems"]) == ("done", 29, [])


def on_copy(folder, *args):
    """A command on the copy of the TM in `folder`."""
    return tm(*args, "--db", folder / "tm.db", cwd=folder)


def test_a_reviewers_commands(workdir, tmp_path):
    shutil.copy(workdir / "tm.db", tmp_path / "tm.db")
    run = functools.partial(on_copy, tmp_path)
    shown = json.loads(run("unit", "show", "3", "--json").stdout)
    assert shown["texts"]["en"].startswith("The parties discussed")
    assert f"unit 3  version {shown['version']}  sample/" in run("unit", "show", "3").stdout
    seen = str(shown["version"])
    edited = run("unit", "edit", "3", "--tk", "Düzedilen terjime.", "--user", "anna", "--expect", seen)
    assert edited.returncode == 0 and edited.stdout.startswith("correction 1: edit, 1 unit(s) -> 1")
    stale = run("unit", "accept", "3", "--expect", seen)
    assert stale.returncode == 1 and "unit 3 changed since you saw it" in stale.stderr
    assert len(stale.stderr.strip().splitlines()) == 1
    relinked = run("unit", "relink", "4", "--lang", "ru", "--to", "previous", "--user", "anna")
    assert "correction 2: relink, 2 unit(s) -> 2" in relinked.stdout
    log = run("corrections")
    assert log.stdout.index("2  ") < log.stdout.index("1  ") and "+ tk: Düzedilen terjime." in log.stdout
    assert "correction 2 (relink) undone" in run("undo", "2", "--user", "anna").stdout
    refused = run("undo", "2")
    assert refused.returncode == 1 and refused.stderr.strip().endswith("correction 2 was undone already")
    bad = run("unit", "split", "3", "--at", "fr=1")
    assert bad.returncode == 1 and "write LANG=N" in bad.stderr
    added = tm("user", "add", "anna", "--password-stdin", "--db", tmp_path / "tm.db", cwd=tmp_path, stdin="short\n")
    assert added.returncode == 1 and "shorter than 8 characters" in added.stderr
    added = tm(
        "user", "add", "anna", "--password-stdin", "--db", tmp_path / "tm.db", cwd=tmp_path, stdin="long enough\n"
    )
    assert added.stdout.strip() == "user anna can sign in" and run("user", "list").stdout.strip() == "anna"
    assert len(run("user", "token", "anna").stdout.strip()) > 30
    run("user", "token", "anna", "--label", "laptop")
    assert run("user", "revoke-token", "anna", "--label", "laptop").stdout.strip() == "1 token(s) of anna ended"
    assert run("user", "remove", "anna").returncode == 0 and run("user", "list").stdout.strip() == ""
    gone = run("user", "remove", "anna")
    assert gone.returncode == 1 and gone.stderr.strip().endswith("no user 'anna'")


def test_import_corrections_from_a_corrected_export(workdir, tmp_path):
    shutil.copy(workdir / "tm.db", tmp_path / "tm.db")
    run = functools.partial(on_copy, tmp_path)
    run("export", "--format", "po", "--from", "en", "--to", "tk", "-o", tmp_path / "job.po")
    po = (tmp_path / "job.po").read_text(encoding="utf-8")
    old = "Taraplar iki ýurduň arasyndaky ulag-logistika baglanyşyklaryny ösdürmegi ara alyp maslahatlaşdylar."
    (tmp_path / "job.po").write_text(po.replace(old, "Düzedilen terjime."), encoding="utf-8")
    fixed = run("import", tmp_path / "job.po", "--corrections", "--user", "boris")
    assert fixed.returncode == 0 and fixed.stdout.startswith("corrected 1 units;")
    found = json.loads(
        run(
            "lookup",
            "The parties discussed the development of transport and logistics links between the two countries.",
            "--from",
            "en",
            "--to",
            "tk",
            "--json",
        ).stdout
    )
    assert found[0]["target"] == "Düzedilen terjime."


@pytest.mark.parametrize(
    "args",
    [
        ("undo", "99999999999999999999"),
        ("unit", "accept", "99999999999999999999"),
        ("corrections", "--limit", "99999999999999999999"),
    ],
)
def test_numbers_beyond_any_row_get_one_line(workdir, args):
    result = tm(*args, cwd=workdir)
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr and result.stderr.strip()


def test_a_lookup_names_the_unit_that_tm_unit_corrects(workdir):
    """A lookup finds pairwise units; `unit_id` (and "unit N" in the listing) is the id `tm unit`
    and the unit page take, whose texts hold the match's."""
    query = "The parties discussed the development of transport links between the two countries."
    [best, *_] = json.loads(tm("lookup", query, "--from", "en", "--to", "tk", "--json", cwd=workdir).stdout)
    with TranslationMemory(workdir / "tm.db", create=False) as memory:
        unit = memory.tri_unit(best["unit_id"])
    assert (unit.texts["en"], unit.texts["tk"]) == (best["source"], best["target"])
    listing = tm("lookup", query, "--from", "en", "--to", "tk", "--top", "1", cwd=workdir).stdout
    assert f"unit {best['unit_id']}" in listing.splitlines()[0]


def test_tm_serve_refuses_a_port_that_is_not_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tm", "serve", "--port", "99999", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "65535" in result.stderr and "Traceback" not in result.stderr


def test_the_package_root_and_the_cli_load_the_pipeline_only_when_a_command_needs_it():
    probe = (
        "import sys, tm, tm.cli\n"
        "names = ('numpy', 'tm.jobs', 'tm.align', 'tm.lookup', 'tm.store', 'argon2')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print(heavy, tm.__version__, tm.TranslationMemory.__name__)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[] 0.1.0 TranslationMemory"  # the class still comes, on first use


def test_concordance_says_where_a_phrase_is_when_not_in_the_pair_asked(workdir):
    # 2024-006 has no Russian version: its English is in en-tk units only.
    missing = tm("concordance", "Asian Development Bank", "--lang", "en", "--to", "ru", cwd=workdir)
    assert missing.stdout.strip() == "'Asian Development Bank' not found in en-ru units; found with tk (--to tk)"
    nowhere = tm("concordance", "Zzzqq", "--lang", "en", "--to", "ru", cwd=workdir)
    assert nowhere.stdout.strip() == "'Zzzqq' not found in en-ru units"


def test_tm_serve_says_where_it_listens(workdir):
    port = free_port()
    command = [sys.executable, "-m", "tm", "serve", "--port", str(port)]
    server = subprocess.Popen(command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == f"tm serve: tm.db at http://127.0.0.1:{port}/ (Ctrl+C stops it)"
    finally:
        server.kill()
        server.wait()
