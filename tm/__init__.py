"""tm: a Turkmen-Russian-English translation memory built from aligned press releases.

The data flows one way: corpus -> segment -> embed -> align -> store -> lookup / formats.
"""

__version__ = "0.1.0"

from tm.align import AlignConfig, Alignment, align  # noqa: E402
from tm.corpus import Release, read_corpus, read_document  # noqa: E402
from tm.embed import get_encoder  # noqa: E402
from tm.errors import TmError  # noqa: E402
from tm.formats import ExportOptions, export_tm, import_file  # noqa: E402
from tm.jobs import BuildReport, build  # noqa: E402
from tm.lookup import Match, lookup, match_percent  # noqa: E402
from tm.segment import split  # noqa: E402
from tm.store import TranslationMemory  # noqa: E402

__all__ = [
    "AlignConfig",
    "Alignment",
    "BuildReport",
    "ExportOptions",
    "Match",
    "Release",
    "TmError",
    "TranslationMemory",
    "__version__",
    "align",
    "build",
    "export_tm",
    "get_encoder",
    "import_file",
    "lookup",
    "match_percent",
    "read_corpus",
    "read_document",
    "split",
]
