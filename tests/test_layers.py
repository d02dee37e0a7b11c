"""The package's layering: data flows one way (corpus -> segment -> embed -> align -> store ->
lookup, terms, formats -> pretranslate, review, report -> jobs -> cli, web), and no module imports
from a layer after its own, lazily inside a function or not. Each room imports alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    ["tm._version", "tm.errors", "tm.files", "tm.langs"],
    ["tm.corpus", "tm.fetch"],
    ["tm.segment"],
    ["tm.embed"],
    ["tm.align"],
    ["tm.store"],
    ["tm.lookup", "tm.terms", "tm.formats"],
    ["tm.pretranslate", "tm.review", "tm.report"],
    ["tm.jobs", "tm.jobs.dask"],
    ["tm.cli", "tm.web", "tm.__main__", "tm"],
]


def layer(module: str) -> int:
    """The layer of a module: that of the longest package name it is in."""
    found = [
        (len(name), i)
        for i, names in enumerate(LAYERS)
        for name in names
        if module == name or module.startswith(f"{name}.")
    ]
    if not found:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return max(found)[1]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of our package in a file, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, module) for line, module in found if module == "tm" or module.startswith("tm.")]


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("tm.langs", 0),
        ("tm.corpus.group", 1),
        ("tm.store.db", 5),
        ("tm.store", 5),
        ("tm.terms.extract", 6),
        ("tm.pretranslate.qa", 7),
        ("tm.jobs", 8),
        ("tm.jobs.dask", 8),
        ("tm.web.read", 9),
        ("tm", 9),
    ],
)
def test_each_module_has_its_layer(module, expected):
    assert layer(module) == expected


def test_an_upward_import_is_found(tmp_path):
    planted = tmp_path / "planted.py"  # as if it were tm/store/planted.py
    planted.write_text("import json\n\n\ndef f():\n    from tm.lookup import bridged_lookup\n", "utf-8")
    [(line, module)] = imports(planted)
    assert (line, module) == (5, "tm.lookup") and layer(module) > layer("tm.store.planted")


def test_no_module_imports_from_a_later_layer():
    upward = [
        f"{path.relative_to(ROOT)}:{line}: {module_of(path)} imports {module}"
        for path in sorted((ROOT / "tm").rglob("*.py"))
        for line, module in imports(path)
        if layer(module) > layer(module_of(path))
    ]
    assert upward == []


@pytest.mark.parametrize(
    "package", ["tm.langs", "tm.corpus", "tm.segment", "tm.align", "tm.store", "tm.terms", "tm.pretranslate"]
)
def test_each_room_imports_alone(package):
    subprocess.run([sys.executable, "-c", f"import {package}"], check=True, cwd=ROOT, timeout=120)
