"""tm: a Turkmen-Russian-English translation memory built from aligned press releases.

The data flows one way: corpus -> segment -> embed -> align -> store -> lookup / formats;
corrections to units go through `tm.review`, and `tm.web` serves it all (`tm serve`).
"""

from importlib import import_module

from tm._version import __version__

# What each public name is imported from, on first use (PEP 562): `import tm.lookup.score`, or
# `tm --help`, loads only what it needs, not the whole pipeline with numpy and the encoders.
_HOMES = {
    "AlignConfig": "tm.align",
    "Alignment": "tm.align",
    "align": "tm.align",
    "Release": "tm.corpus",
    "read_corpus": "tm.corpus",
    "read_document": "tm.corpus",
    "get_encoder": "tm.embed",
    "TmError": "tm.errors",
    "ExportOptions": "tm.formats",
    "export_tm": "tm.formats",
    "import_file": "tm.formats",
    "BuildReport": "tm.jobs",
    "build": "tm.jobs",
    "Filters": "tm.lookup",
    "Match": "tm.lookup",
    "concordance": "tm.lookup",
    "lookup": "tm.lookup",
    "match_percent": "tm.lookup",
    "semantic_lookup": "tm.lookup",
    "split": "tm.segment",
    "TranslationMemory": "tm.store",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'tm' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
