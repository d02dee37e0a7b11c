"""The docs are complete and build: the command reference is what the commands are, every command
is explained in the README or a page of docs/, and the site builds with MkDocs (strict)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tm.cli.reference import commands, reference

ROOT = Path(__file__).resolve().parents[1]


def test_the_command_reference_is_current():
    written = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert written == reference(), "docs/cli.md is stale: python -m tm.cli.reference > docs/cli.md"


def test_the_reference_lists_every_command_and_option():
    import typer.main

    from tm.cli import app

    written = (ROOT / "docs" / "cli.md").read_text("utf-8")
    found = commands(typer.main.get_command(app))
    assert {"tm build", "tm fetch", "tm terms", "tm terms export", "tm unit edit", "tm qa"} <= {
        name for name, _ in found
    }
    for name, command in found:
        section = written.split(f"## `{name}`\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if param.param_type_name == "option":
                assert f"`{param.opts[0]}`" in section, (name, param.opts[0])


def snippets(text: str) -> list[str]:
    """Commands as the prose writes them: `inline code`, and `$ ...` lines of the examples."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    inline = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]
    shown = [line[2:] for line in text.splitlines() if line.startswith("$ tm ")]
    return [snippet.strip() for snippet in inline + shown]


def explained(name: str, written: list[str]) -> bool:
    """Whether a command appears written out: `tm unit edit ...`, or among the alternatives of
    its group (`tm unit accept|edit|split ID`)."""
    *group, last = name.split(" ")
    prefix = " ".join(group)
    for snippet in written:
        if snippet == name or snippet.startswith(f"{name} "):
            return True
        if snippet.startswith(f"{prefix} ") and last in re.split(r"[\s|\[\]]+", snippet[len(prefix) :]):
            return True
    return False


def test_every_command_is_explained_in_prose():
    import typer.main

    from tm.cli import app

    pages = [ROOT / "README.md", *(page for page in (ROOT / "docs").glob("*.md") if page.name != "cli.md")]
    written = [snippet for page in pages for snippet in snippets(page.read_text("utf-8"))]
    missing = [name for name, _ in commands(typer.main.get_command(app)) if not explained(name, written)]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "snippet", "expected"),
    [
        ("tm unit edit", "tm unit accept|edit|split ID", True),
        ("tm unit edit", "tm unit edit 3 --tk x", True),
        ("tm unit edit", "tm unit editor", False),
        ("tm terms", "tm terms [--from L]", True),
        ("tm user list", "tm user add NAME", False),
    ],
)
def test_what_counts_as_explained(name, snippet, expected):
    assert explained(name, [snippet]) is expected


def test_the_site_builds(tmp_path):
    mkdocs = shutil.which("mkdocs", path=os.path.dirname(sys.executable)) or shutil.which("mkdocs")
    if mkdocs is None:
        if os.environ.get("CI"):
            pytest.fail("mkdocs is not installed (the test extra installs it)")
        pytest.skip("mkdocs is not installed")
    built = subprocess.run(
        [mkdocs, "build", "--strict", "-d", str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "cli" / "index.html").is_file()
