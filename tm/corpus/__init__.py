"""Reading releases: find the language versions, strip site chrome, check the language."""

from tm.corpus.dates import find_date
from tm.corpus.detect import detect_language
from tm.corpus.model import Document, Release, Scan, Skipped
from tm.corpus.normalize import normalize_text
from tm.corpus.read import decode, iter_releases, read_corpus, read_document, read_sentences

__all__ = [
    "Document",
    "Release",
    "Scan",
    "Skipped",
    "decode",
    "detect_language",
    "find_date",
    "iter_releases",
    "normalize_text",
    "read_corpus",
    "read_document",
    "read_sentences",
]
