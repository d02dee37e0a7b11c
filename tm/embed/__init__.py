"""Sentence encoders behind one registry: `use` (default), `ngram`, `st:<model>`."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from tm.errors import TmError
from tm.langs import transliterate

if TYPE_CHECKING:
    from tm.embed.base import Encoder
    from tm.embed.cache import CachedEncoder

# Imported on first use (PEP 562): the CLI reads DEFAULT_ENCODER without loading numpy.
_HOMES = {
    "Encoder": "tm.embed.base",
    "normalize_rows": "tm.embed.base",
    "CachedEncoder": "tm.embed.cache",
    "NgramEncoder": "tm.embed.ngram",
}

DEFAULT_ENCODER = "use"
ENCODERS = {
    "use": "Universal Sentence Encoder multilingual v3, bundled (default)",
    "ngram": "character 3-grams of a Latin transliteration; no model",
    "st:<folder or hub id>": "a sentence-transformers model on disk, e.g. st:/models/LaBSE",
}

__all__ = [
    "DEFAULT_ENCODER",
    "ENCODERS",
    "CachedEncoder",
    "Encoder",
    "NgramEncoder",
    "encoder_id",
    "get_encoder",
    "normalize_rows",
    "transliterate",
]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'tm.embed' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)


def get_encoder(name: str = DEFAULT_ENCODER, cache: Path | None = None, threads: int | None = None) -> CachedEncoder:
    """Build the encoder `name` (see ENCODERS), wrapped in an embedding cache; `threads` caps its
    math threads (default: every available core), so that worker processes share the cores."""
    from tm.embed.cache import CachedEncoder
    from tm.embed.ngram import NgramEncoder

    if name == "use":
        from tm.embed.use import UseEncoder

        encoder: Encoder = UseEncoder(threads)
    elif name == "ngram":
        encoder = NgramEncoder()
    elif name.startswith("st:"):
        from tm.embed.st import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder(name[3:], threads)
    else:
        raise TmError(f"unknown encoder {name!r}; choose from {', '.join(ENCODERS)}")
    return CachedEncoder(encoder, cache)


def encoder_id(name: str = DEFAULT_ENCODER) -> str:
    """The id `get_encoder(name)` would have, without loading a model (to skip unchanged work)."""
    from tm.embed.ngram import NgramEncoder

    if name == "use":
        from tm.embed.use import UseEncoder

        return UseEncoder.id
    if name == "ngram":
        return NgramEncoder().id
    if name.startswith("st:"):
        from tm.embed.st import model_id

        return model_id(name[3:])
    raise TmError(f"unknown encoder {name!r}; choose from {', '.join(ENCODERS)}")
