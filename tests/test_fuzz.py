"""Fuzzing the readers: whatever bytes a file holds, an import either works or is refused with
one line naming the file, and a refused import changes nothing; a page reader and the
segmenter never fail on odd text, and the segmenter drops no character."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE
from tm.corpus import read_document
from tm.errors import TmError
from tm.formats import ExportOptions, export_tm, import_file
from tm.jobs import build
from tm.segment import split
from tm.store import TranslationMemory

FORMATS = ("tmx", "po", "csv", "xlsx")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """A valid file of each format, exported from the sample TM, to mutate."""
    folder = tmp_path_factory.mktemp("exports")
    with TranslationMemory(folder / "tm.db") as tm:
        build(SAMPLE, tm, "ngram")
        for fmt in FORMATS:
            export_tm(tm, folder / f"en-tk.{fmt}", ExportOptions(("en", "tk")))
    return {fmt: (folder / f"en-tk.{fmt}").read_bytes() for fmt in FORMATS}


def mutated(original: bytes):
    """`original` with a few bytes replaced, inserted or removed, or cut short."""
    edit = st.tuples(
        st.sampled_from(("replace", "insert", "delete")),
        st.integers(0, len(original)),
        st.binary(min_size=1, max_size=4),
    )
    edits = st.lists(edit, min_size=1, max_size=4)

    def apply(changes: list) -> bytes:
        data = bytearray(original)
        for kind, at, chunk in changes:
            at = min(at, len(data))
            if kind == "replace":
                data[at : at + len(chunk)] = chunk
            elif kind == "insert":
                data[at:at] = chunk
            else:
                del data[at : at + len(chunk)]
        return bytes(data)

    return st.one_of(edits.map(apply), st.integers(0, len(original)).map(lambda n: original[:n]))


def import_or_refuse(tm: TranslationMemory, path, data: bytes) -> None:
    path.write_bytes(data)
    before = (tm.generation(), tm.stats().units)
    try:
        import_file(tm, path)
    except TmError as error:
        message = str(error)
        assert "\n" not in message and path.name in message, message
        assert (tm.generation(), tm.stats().units) == before  # a refused file changes nothing


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_damaged_file_imports_or_is_refused_in_one_line(fmt, exports, tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:

        @FUZZ
        @given(data=mutated(exports[fmt]))
        def check(data: bytes) -> None:
            import_or_refuse(tm, tmp_path / f"fuzzed.{fmt}", data)

        check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_bytes_are_refused_in_one_line(fmt, tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:

        @FUZZ
        @given(data=st.binary(max_size=300))
        def check(data: bytes) -> None:
            import_or_refuse(tm, tmp_path / f"random.{fmt}", data)

        check()


@FUZZ
@given(text=st.text(max_size=400), suffix=st.sampled_from((".txt", ".html")))
def test_a_page_of_any_text_is_read_or_refused_in_one_line(text, suffix, tmp_path):
    page = tmp_path / f"page{suffix}"
    page.write_text(text, "utf-8")
    try:
        read_document(page, "en")
    except TmError as error:
        assert "\n" not in str(error) and page.name in str(error)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), lang=st.sampled_from(("tk", "ru", "en")))
def test_the_segmenter_drops_no_character(text, lang):
    sentences = split(text, lang)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
