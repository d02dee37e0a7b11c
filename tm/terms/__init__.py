"""The termbase: names, titles and organisations with their tk/ru/en translations, learned from
the TM's units (`extract_terms`), reviewed by people, and found in the texts translators look up
(`find_terms`), inflected or not.
"""

from __future__ import annotations

import threading

from tm.langs import check_lang, fold
from tm.terms.match import Glossary, TermMatch

__all__ = ["Glossary", "TermMatch", "exact", "extract_terms", "find_terms", "glossary", "whole_term"]

MAX_TERM_WORDS = 8  # a longer text is a sentence, not a term
_GLOSSARIES: dict[tuple, Glossary] = {}
_GLOSSARIES_LOCK = threading.Lock()


def extract_terms(tm, min_confidence: float = 0.0) -> dict[str, int]:
    """Learn the termbase's candidates from the units of the TM (flagged releases left out);
    the entries people reviewed stay as they are."""
    from tm.terms.extract import extract

    units = [(unit.id, unit.texts) for unit in tm.units(min_confidence=min_confidence, include_flagged=False)]
    return tm.termbase.replace_candidates(extract(units))


def glossary(tm, source: str, target: str) -> Glossary:
    """The termbase's entries from `source` to `target`, made once per state of the TM."""
    check_lang(source), check_lang(target)
    key = (tm.identity, tm.generation, source, target)
    with _GLOSSARIES_LOCK:
        found = _GLOSSARIES.get(key)
    if found is None:
        found = Glossary(tm.termbase.entries(langs=(source, target)), source, target)
        with _GLOSSARIES_LOCK:
            for stale in [k for k in _GLOSSARIES if k[0] == tm.identity and k[2:] == key[2:]]:
                del _GLOSSARIES[stale]
            _GLOSSARIES[key] = found
    return found


def find_terms(tm, text: str, source: str, target: str) -> list[TermMatch]:
    """The termbase's terms in `text` with their translations (rejected entries left out)."""
    return glossary(tm, source, target).find(text)


def whole_term(tm, text: str, source: str, target: str) -> TermMatch | None:
    """The term `text` is, whole (but for the punctuation around it), or None."""
    stripped = text.strip().strip(".,;:!?\"'«»“”()[]")
    if not stripped or len(stripped.split()) > MAX_TERM_WORDS:
        return None
    found = find_terms(tm, stripped, source, target)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
        return found[0]
    return None


def exact(match: TermMatch, source: str) -> bool:
    """Whether a term was found in the form the termbase gives it (not another inflection, whose
    translation may need inflecting too)."""
    return fold(match.found) == fold(match.term.terms[source])
