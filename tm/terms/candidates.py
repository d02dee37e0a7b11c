"""Candidate terms in a sentence: names, acronyms, and the multi-word names of organisations,
titles and events, found by their capitals.

A candidate is a run of words that starts with a capitalised word and ends with a word that is
not a function word. English writes every word of a name in capitals (Ministry of Foreign Affairs),
so its runs are capitalised words joined by `of`, `the`, `and`...; Russian and Turkmen write only
the first (Министерство иностранных дел, Daşary işler ministrligi), so their runs may go on over
lower-case words. The first word of a sentence counts as capitalised only where the texts also
write it so elsewhere (`capitals`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from importlib import resources

from tm.langs import CODES

MAX_WORDS = 5
# Words that join the capitalised words of an English name; a name neither starts nor ends with one.
JOINERS = {"of", "the", "and", "for", "on", "de", "la", "al", "in"}
# Words a candidate neither starts nor ends with (one file per language, one word a line).
_FUNCTION_WORDS = {
    lang: frozenset((resources.files("tm.terms") / "function_words" / f"{lang}.txt").read_text("utf-8").split())
    for lang in CODES
}
# A word: letters (any script), digits, inner dots of initials (R.Meredov, U.N.), inner hyphens
# and apostrophes (BMG-niň, Ri's).
_WORD = re.compile(r"(?:\w\.)+\w*|\w+(?:[-'’]\w+)*", re.UNICODE)
# Where a run stops: punctuation between words.
_BREAK = re.compile(r"[,;:!?()\[\]\"«»“”„—–/]|\.\s")
# What a sentence starts after, where the first word is capitalised whatever it is.
_SENTENCE_START = re.compile(r"[.!?:\"«“„—–-]")

Capitals = Callable[[str], bool]


def words(text: str) -> list[tuple[str, int, bool]]:
    """The words of `text`, each with the number of the clause it is in (punctuation starts a new
    one) and whether it starts a sentence (where a capital says nothing)."""
    found, clause, last = [], 0, 0
    for match in _WORD.finditer(text):
        between = text[last : match.start()]
        if _BREAK.search(between) or (last and "." in between):
            clause += 1
        initial = not found or bool(_SENTENCE_START.search(between))
        found.append((match.group(), clause, initial))
        last = match.end()
    return found


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def candidates(text: str, lang: str, capitals: Capitals) -> Iterator[str]:
    """Every candidate term in `text` as written (a run of words, see the module's doc)."""
    found = words(text)
    function_words = _FUNCTION_WORDS[lang]
    for start, (word, clause, initial) in enumerate(found):
        if not _capitalised(word) or word.lower() in function_words:
            continue
        if initial and not capitals(word):
            continue
        yield from _runs(found, start, clause, lang, function_words, capitals)


def _runs(found, start, clause, lang, function_words, capitals) -> Iterator[str]:
    run: list[str] = []
    for word, word_clause, _ in found[start : start + MAX_WORDS]:
        if word_clause != clause:
            return
        lower = word.lower()
        if lang == "en" and run and not _capitalised(word) and lower not in JOINERS:
            return
        run.append(word)
        if lower not in function_words and (lang != "en" or _capitalised(word)):
            yield " ".join(run)
