"""Files written whole or not at all."""

import os

import pytest

from tm.files import replacing


def test_a_replaced_file_gets_the_mode_of_any_new_file(tmp_path):
    mask = os.umask(0o022)
    try:
        import importlib

        files = importlib.reload(importlib.import_module("tm.files"))
        with files.replacing(tmp_path / "out.csv") as temporary:
            temporary.write_text("a,b\n")
        assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(mask)
        importlib.reload(importlib.import_module("tm.files"))


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]
