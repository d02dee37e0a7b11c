"""tm: a Turkmen-Russian-English translation memory built from aligned press releases.

The data flows one way: corpus -> segment -> embed -> align -> store -> lookup / formats;
corrections to units go through `tm.review`, and `tm.web` serves it all (`tm serve`).
"""

__version__ = "0.1.0"

from tm.align import AlignConfig, Alignment, align
from tm.corpus import Release, read_corpus, read_document
from tm.embed import get_encoder
from tm.errors import TmError
from tm.formats import ExportOptions, export_tm, import_file
from tm.jobs import BuildReport, build
from tm.lookup import Filters, Match, concordance, lookup, match_percent, semantic_lookup
from tm.segment import split
from tm.store import TranslationMemory

__all__ = [
    "AlignConfig",
    "Alignment",
    "BuildReport",
    "ExportOptions",
    "Filters",
    "Match",
    "Release",
    "TmError",
    "TranslationMemory",
    "__version__",
    "align",
    "build",
    "concordance",
    "export_tm",
    "get_encoder",
    "import_file",
    "lookup",
    "match_percent",
    "read_corpus",
    "read_document",
    "semantic_lookup",
    "split",
]
