"""Sentence splitting for Turkmen, Russian and English.

A rule splitter we own: a sentence ends at `.`, `!`, `?` or `…` (with any closing
quotes and brackets after it) when white space and a sentence opener follow, unless
the word before the period is an abbreviation from `abbreviations/<lang>.txt` or an
initial. Every line of the input is a paragraph, so a headline without a final
period is a sentence of its own. Two rules find ends that the page lost: a Turkmen
finite verb followed by a capital, and a capitalised closed-class word from
`starters/<lang>.txt` ("The", "Благодаря", "Emma") between two lowercase words.
docs/how-it-works.md says why no library splitter is used.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from tm.langs import check_lang

__all__ = ["split", "split_paragraphs"]

_UPPER = "A-ZА-ЯЁÄÇŇÖŞÜÝŽ"
_LOWER = "a-zа-яёäçňöşüýž"
_TERMINATOR = r"(?:[.!?…]+|\.\.\.)"
_CLOSERS = "\"'”’»)\\]"
_OPENERS = f"[{_UPPER}0-9\"“«„‘'(\\[—–-]"
_CANDIDATE = re.compile(rf"{_TERMINATOR}[{_CLOSERS}]*(?=\s+{_OPENERS})")
_INITIAL = re.compile(rf"^(?:[{_UPPER}][a-zа-яё]?\.)*[{_UPPER}]$")
_DOTTED = re.compile(r"^(?:[^\W\d]{1,3}\.)+[^\W\d]{1,3}$")  # U.S, т.е, w.ş.m
_NUMBER = re.compile(r"^\d+$")
_UNIT_END_WORDS = 3  # words a sentence needs before a unit after a number can end it ("В 2023 г." cannot)
# Turkmen is verb-final: a finite present or evidential verb directly followed by a
# capitalised word ends a sentence even where the page lost its period or line break.
# The verb is lowercase: a capitalised word with such an ending is a name (Bagtyýar, Şahrýar).
_TK_FINITE_VERB_THEN_CAPITAL = re.compile(
    rf"(?<![\w-])[{_LOWER}]\w*?(?:ýar|ýär|ýarlar|ýärler|ypdyr|ipdir|updyr|üpdir)(?=\s+[{_UPPER}])"
)
# A period with no space before a capitalised word ("gowşurdy.Taraplar"): an end the page lost
# its space at. Two lowercase letters before it keep initials (R.Meredow) and abbreviations out.
_GLUED_END = re.compile(rf"(?<=[{_LOWER}]{{2}})[.!?](?=[{_UPPER}][{_LOWER}])")
# "«Мы готовы!» – заявил министр": a dash and a lowercase word after the quote carry the sentence on.
_ATTRIBUTION = re.compile(rf"\s*[—–-]\s*[{_LOWER}]")


@cache
def _starters(lang: str) -> str:
    return "|".join(map(re.escape, _word_list(f"starters/{lang}.txt")))


@cache
def _lost_end(lang: str) -> re.Pattern[str]:
    """Matches the last word of a sentence whose period was lost: a lowercase word (or one
    in closing quotes) followed by a capitalised sentence starter and a lowercase word."""
    rule = rf"(?<=\s)(?:[{_LOWER}]\S*[{_LOWER}]|\S*[»”])(?=\s+(?:{_starters(lang)})\s+[{_LOWER}])"
    rule = f"{rule}|{_GLUED_END.pattern}"
    if lang == "tk":
        rule = f"{rule}|{_TK_FINITE_VERB_THEN_CAPITAL.pattern}"
    return re.compile(rule)


@cache
def _opens_sentence(lang: str) -> re.Pattern[str]:
    return re.compile(rf"\s+(?:{_starters(lang)})\s+[{_LOWER}]")


def _word_list(name: str) -> list[str]:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def _abbreviations(lang: str) -> dict[str, str]:
    """Word -> tag ("" for a plain abbreviation, "month" or "unit") from the language's table."""
    table = {}
    for line in _word_list(f"abbreviations/{lang}.txt"):
        word, _, tag = line.partition(" ")
        table[word] = tag
    return table


def _lookup(word: str, lang: str) -> str | None:
    table = _abbreviations(lang)
    for candidate in (word, word.lower()):
        if candidate in table:
            return table[candidate]
    # Latin names and titles ("Dr. Pepper", "St. Louis") turn up in Russian and Turkmen text too.
    if lang != "en" and word.isascii():
        return _lookup(word, "en")
    return None


def _is_abbreviation(sentence_words: list[str], lang: str, next_char: str) -> bool:
    """Whether the period after the last of `sentence_words` (the sentence so far) belongs to an
    abbreviation rather than ending the sentence."""
    word = sentence_words[-1].lstrip("(\"“«‘'")
    tag = _lookup(word, lang)
    if tag == "month":
        return next_char.isdigit()
    if tag == "unit":
        # "В 2023 г. Туркменистан и Япония...": a preposition and a number are no sentence;
        # "Программа на 2024-2026 гг. Подписана..." and "...ИИ к 2030 г. Next" end at the unit.
        # Turkmen puts its verb last, so "2024 ý." ends a Turkmen sentence only before a sentence
        # starter (checked before this).
        number_before = len(sentence_words) > 1 and sentence_words[-2][-1:].isdigit()
        ends = lang != "tk" and number_before and len(sentence_words) > _UNIT_END_WORDS and next_char.isupper()
        return not ends
    if tag == "end":
        # "и т.д. Затем...": a list-closing abbreviation ends the sentence before a capital.
        return not next_char.isupper()
    if tag is not None or _INITIAL.match(word) or _DOTTED.match(word):
        return True
    # "30. 10" or "No. 5": a period between numbers is not an end.
    return bool(_NUMBER.match(word)) and next_char.isdigit()


def _split_line(line: str, lang: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    candidates = sorted([*_CANDIDATE.finditer(line), *_lost_end(lang).finditer(line)], key=lambda m: m.start())
    for match in candidates:
        end = match.end()
        terminator = match.group(0)
        if _ATTRIBUTION.match(line, end) and terminator[:1] in "!?…":
            continue
        if terminator.startswith(".") and not terminator.startswith("..."):
            sentence_words = line[start : match.start()].split()
            next_char = line[end:].lstrip().lstrip("«\"“„‘'([")[:1]  # the next word's first character
            # "D.C. В пятницу ...": a sentence starter outweighs the abbreviation before it.
            starter_follows = bool(_opens_sentence(lang).match(line, end))
            abbreviation = sentence_words and _is_abbreviation(sentence_words, lang, next_char)
            if abbreviation and not starter_follows:
                continue
        sentence = line[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = line[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def split(text: str, lang: str) -> list[str]:
    """Split `text` in language `lang` into sentences; each line is split on its own."""
    check_lang(lang)
    return [s for line in text.splitlines() for s in _split_line(line, lang)]


def split_paragraphs(paragraphs: list[str], lang: str) -> list[list[str]]:
    """Split each paragraph; keeps the paragraph structure the aligner uses as a hint."""
    return [split(p, lang) for p in paragraphs]
