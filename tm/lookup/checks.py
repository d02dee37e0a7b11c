"""What a lookup refuses before it looks: a query in the wrong script or too long, a collection
the TM does not hold, options out of range."""

from __future__ import annotations

from tm.corpus.detect import wrong_script
from tm.errors import TmError
from tm.langs import LANGUAGES
from tm.lookup.filters import Filters
from tm.store import TranslationMemory

MAX_QUERY_CHARS = 2000


def query_problem(query: str, source: str) -> str | None:
    """Why `query` cannot be looked up in `source`, or None."""
    if not query.strip():
        return "empty query"
    if len(query) > MAX_QUERY_CHARS:
        return f"query too long ({len(query)} characters; at most {MAX_QUERY_CHARS})"
    script = wrong_script(query, source)
    if script:
        return f"the query is written in {script} letters, not in {LANGUAGES[source].name}"
    return None


def check_query(query: str, source: str) -> None:
    if problem := query_problem(query, source):
        raise TmError(problem)


def check_collections(tm: TranslationMemory, filters: Filters | None) -> None:
    """A collection the TM does not hold is named with those it does: a misspelt name would
    otherwise read as "no match"."""
    if filters and filters.collections:
        held = tm.collections()
        if unknown := sorted(set(filters.collections) - set(held)):
            raise TmError(f"no collection {', '.join(unknown)} in the TM (it holds {', '.join(held) or 'none'})")


def check_options(source: str, target: str, threshold: int, top: int) -> None:
    """Options that would otherwise quietly mean something else."""
    if source == target:
        raise TmError(f"--from and --to are both {source}: look up in one language, find another")
    if not 0 <= threshold <= 100:
        raise TmError(f"threshold {threshold} is not a percentage (0-100)")
    if top < 1:
        raise TmError(f"top {top}: ask for at least one match")
