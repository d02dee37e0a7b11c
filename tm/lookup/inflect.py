"""What follows a number in the target, re-inflected when the number is patched.

Turkmen writes a suffix after digits (`2025-nji`, `15-de`, `10-da`) by vowel harmony with the
number as it is spoken: the last numeral word decides. bir 1, iki 2, üç 3, dört 4, bäş 5, ýedi 7,
sekiz 8, ýigrimi 20, elli 50, ýetmiş 70, segsen 80, ýüz 100 and müň 1000 have front vowels
(`5-nji`, `2025-nji`, `100-nji`, `15-de`); alty 6, dokuz 9, on 10, otuz 30, kyrk 40, altmyş 60,
togsan 90, million and milliard back ones (`6-njy`, `2026-njy`, `10-da`, `30-njy`). A suffix is
harmonised vowel by vowel. Suffixes that start with a consonant keep their shape whatever sound
the number ends in (ordinal -nji, locative -de, ablative -den, plural -ler); the others
(genitive -niň/-iň, accusative -ni/-i, dative, possessive) also change with whether the number
ends in a vowel (iki, alty, ýedi, ýigrimi, elli), so when that changes too the rule cannot decide
and the suffix is flagged.

English ordinals follow the number (`81st`, `82nd`, `83rd`, `111th`). A Russian noun after a
cardinal agrees with it (1 год, 2 года, 5 лет); when the new number is in another agreement class
the word after it is flagged. Dates and years are left alone: "5 мая", "в 2024 году".
"""

from __future__ import annotations

import re

from tm.corpus.dates import MONTHS

_UNITS = ["", "bir", "iki", "üç", "dört", "bäş", "alty", "ýedi", "sekiz", "dokuz"]
_TENS = ["", "on", "ýigrimi", "otuz", "kyrk", "elli", "altmyş", "ýetmiş", "segsen", "togsan"]
_FRONT, _BACK = "eäiöü", "ayou"
_TO_FRONT = str.maketrans("ayou", "eiöü")
_TO_BACK = str.maketrans("eäiöü", "aayou")
_VOWELS = _FRONT + _BACK
# Suffixes whose shape depends on vowel harmony only, not on the number's final sound.
_HARMONY_ONLY = ("nj", "d", "l", "ç")
_ENGLISH_ORDINAL = re.compile(r"(st|nd|rd|th)\b")
_TURKMEN_SUFFIX = re.compile(r"-([^\W\d_]+)")
_RUSSIAN_WORD = re.compile(r" ([а-яё]+)")


def spoken_last_word(number: int) -> str:
    """The last numeral word of `number` read out in Turkmen: 2025 -> bäş, 30 -> otuz, 1000 -> müň."""
    if number == 0:
        return "nol"
    if number % 10:
        return _UNITS[number % 10]
    if number % 100:
        return _TENS[number // 10 % 10]
    if number % 1000:
        return "ýüz"
    if number % 10**6:
        return "müň"
    return "million" if number % 10**9 else "milliard"


def _is_front(word: str) -> bool:
    last = [c for c in word if c in _VOWELS][-1]
    return last in _FRONT


def turkmen_suffix(old: int, new: int, suffix: str) -> tuple[str, bool]:
    """The suffix to write after `new` where `suffix` followed `old`, and whether the rule decided it."""
    old_word, new_word = spoken_last_word(old), spoken_last_word(new)
    harmonised = suffix.translate(_TO_FRONT if _is_front(new_word) else _TO_BACK)
    same_ending = (old_word[-1] in _VOWELS) == (new_word[-1] in _VOWELS)
    return harmonised, suffix.lower().startswith(_HARMONY_ONLY) or same_ending


def english_ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def russian_class(number: int) -> str:
    """The agreement class of a Russian cardinal: 1 год, 2 года, 5 лет."""
    if number % 10 == 1 and number % 100 != 11:
        return "one"
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return "few"
    return "many"


def _value(number: str) -> int:
    """The integer read last: the whole number, or the digits after a decimal separator."""
    return int(re.split(r"[.,]", number)[-1])


def inflect_after(text: str, end: int, old: str, new: str, lang: str) -> tuple[str, int, list[str]]:
    """`text` with what follows the patched number at `end` re-inflected for `new` (it replaced
    `old`); returns the text, the end of what was changed, and flags."""
    old_value, new_value = _value(old), _value(new)
    if lang == "tk" and (match := _TURKMEN_SUFFIX.match(text, end)):
        suffix, decided = turkmen_suffix(old_value, new_value, match.group(1))
        text = text[: match.start(1)] + suffix + text[match.end(1) :]
        flags = [] if decided else [f"check the suffix after {new} (-{suffix})"]
        if suffix != match.group(1) and decided:
            flags.append(f"suffix re-inflected: {new}-{match.group(1)} -> {new}-{suffix}")
        return text, match.end(), flags
    if lang == "en" and (match := _ENGLISH_ORDINAL.match(text, end)):
        ordinal = english_ordinal(new_value)
        return text[:end] + ordinal + text[match.end() :], end + len(ordinal), []
    if lang == "ru" and (match := _RUSSIAN_WORD.match(text, end)):
        word = match.group(1)
        dated = word.startswith("год") or word in MONTHS or len(old) == 4
        if not dated and russian_class(old_value) != russian_class(new_value):
            return text, end, [f"check the word after {new} ({word}): Russian agreement differs from {old}"]
    return text, end, []
