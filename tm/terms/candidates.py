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

from tm.langs import CODES, russian_morphology

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
WORD = re.compile(r"(?:\w\.)+\w*|\w+(?:[-'’]\w+)*", re.UNICODE)
# Where a run stops: punctuation between words.
_BREAK = re.compile(r"[,;:!?()\[\]\"«»“”„—–/]|\.\s")
# What a sentence starts after, where the first word is capitalised whatever it is.
_SENTENCE_START = re.compile(r"[.!?:\"«“„—–-]")

Capitals = Callable[[str], bool]
_INITIALS = re.compile(r"^(?:\w\.)+\w")
_TURKMEN_PHRASE_ENDS = ("da", "de", "dan", "den", "daky", "däki")
# Endings of Turkmen verb forms (past -dy, present -ýar, future -jak, infinitive -mak, participles).
_TURKMEN_VERB_ENDINGS = ("dy", "di", "ty", "ti", "ýar", "ýär", "jak", "jek", "mak", "mek", "ýan", "ýän", "ypdyr")


def words(text: str) -> list[tuple[str, int, bool]]:
    """The words of `text`, each with the number of the clause it is in (punctuation starts a new
    one) and whether it starts a sentence (where a capital says nothing)."""
    found, clause, last = [], 0, 0
    for match in WORD.finditer(text):
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
        if word_clause != clause or (run and _INITIALS.match(word)):
            return  # a name written with initials is a term of its own, not the end of a title
        if not _capitalised(word) and not _may_continue(word, lang, bool(run)):
            return
        run.append(word)
        if word.lower() not in function_words and (_capitalised(word) or _may_end(word, lang)):
            yield " ".join(run)
        if lang == "tk" and word.lower().endswith(_TURKMEN_PHRASE_ENDS):
            return  # a locative or ablative ends a Turkmen noun phrase (Aşgabatda | Türkmenistanyň ...)


def _may_continue(word: str, lang: str, started: bool) -> bool:
    """Whether a lower-case word may stand inside a name: English joiners; Russian nouns and
    adjectives (Министерство иностранных дел); Turkmen words that are not verbs (Daşary işler
    ministrligi)."""
    if lang == "en":
        return started and word in JOINERS
    if lang == "ru":
        parses = russian_morphology().parse(word)
        return bool(parses) and bool({"NOUN", "ADJF", "PRTF"} & parses[0].tag.grammemes)
    return not word.lower().endswith(_TURKMEN_VERB_ENDINGS)


def _may_end(word: str, lang: str) -> bool:
    """Whether a name may end on a lower-case word: a Russian noun (дел), a Turkmen possessive
    (ministrligi, geňeşi); an English name never does."""
    if lang == "ru":
        parses = russian_morphology().parse(word)
        return bool(parses) and "NOUN" in parses[0].tag
    return lang == "tk" and word.lower().endswith(("y", "i"))
