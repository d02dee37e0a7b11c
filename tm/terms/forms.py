"""Dictionary forms of names and terms as they appear inflected in running text.

Russian: pymorphy3 gives each word's lemma; a phrase is put in the nominative with its adjectives
agreeing with their noun (Северной Кореи -> Северная Корея), and what follows the noun, a genitive
complement, is left as written (Организации Объединённых Наций -> Организация Объединённых Наций).
Turkmen: only the last word of a name inflects; its case and plural endings are taken off by rules
that follow vowel harmony, keeping the possessive that belongs to the name (Birleşen Milletler
Guramasynyň -> Birleşen Milletler Guramasy). English: a possessive 's is dropped.
Where several forms are possible, the one the texts write themselves is preferred (`attested`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tm.langs import russian_morphology

# A word known to be written in text, as a test `form in attested` (lower-cased, ё as е).
Attested = Callable[[str], bool]

_BACK_VOWELS = set("aouy")
_FRONT_VOWELS = set("eäöüi")
_VOWELS = _BACK_VOWELS | _FRONT_VOWELS
# Turkmen case endings in back and front forms, with what the stem must end in: a vowel, a
# consonant, or the possessive -y/-i/-sy/-si (then an -n- comes between), longest first.
_TURKMEN_ENDINGS: list[tuple[str, str, str]] = [
    # (back, front, stem ends in)
    ("ndan", "nden", "possessive"),
    ("nyň", "niň", "vowel"),
    ("nda", "nde", "possessive"),
    ("dan", "den", "any"),
    ("daky", "däki", "any"),
    ("yň", "iň", "consonant"),
    ("uň", "üň", "consonant"),
    ("ny", "ni", "vowel"),
    ("na", "ne", "possessive"),
    ("da", "de", "any"),
    ("y", "i", "consonant"),
    ("a", "e", "consonant"),
]
# Endings no name of a place, a person or a body ends in: taken off even when the texts never write
# the stem alone (Singapurdan -> Singapur); -da and -a are not (Kanada, Panama).
_UNMISTAKABLE = {"nyň", "niň", "yň", "iň", "uň", "üň", "dan", "den", "ndan", "nden", "daky", "däki"}
_POSSESSIVE = re.compile(r"(s?[yi])$")
_MIN_STEM = 3


def _harmony(word: str) -> str | None:
    """'back' or 'front': the class of the last vowel of a Turkmen word, None when it has none."""
    for letter in reversed(word.lower()):
        if letter in _BACK_VOWELS:
            return "back"
        if letter in _FRONT_VOWELS:
            return "front"
    return None


def _fits(stem: str, ending: str, needs: str, front: bool) -> bool:
    if len(stem) < _MIN_STEM or _harmony(stem) != ("front" if front else "back"):
        return False
    last = stem[-1].lower()
    if needs == "vowel":
        return last in _VOWELS
    if needs == "consonant":
        return last not in _VOWELS
    if needs == "possessive":
        return bool(_POSSESSIVE.search(stem.lower()))
    return True


_UNVOICED = {"g": "k", "b": "p", "d": "t", "j": "ç"}


def _unvoiced(stem: str, ending: str) -> list[str]:
    """A stem and, before an ending that starts with a vowel, the form it has alone: a final k,
    p, t or ç is voiced between vowels (Yragyň -> Yrak)."""
    last = stem[-1:]
    if ending[0] in _VOWELS and last.lower() in _UNVOICED:
        alone = _UNVOICED[last.lower()]
        return [stem, stem[:-1] + (alone.upper() if last.isupper() else alone)]
    return [stem]


def turkmen_stems(word: str) -> list[str]:
    """The stems a Turkmen word may be an inflection of, longest first, the word itself included:
    Koreýanyň -> [Koreýanyň, Koreýa]; Guramasynda -> [Guramasynda, Guramasy]. A hyphen parts
    an acronym from its ending (BMG-niň -> BMG)."""
    if "-" in word:
        head, _, tail = word.rpartition("-")
        if head and any(tail.lower() in pair[:2] for pair in _TURKMEN_ENDINGS):
            return [word, head]
    stems = [word]
    pending = [word]
    while pending:
        current = pending.pop()
        for back, front, needs in _TURKMEN_ENDINGS:
            for ending, is_front in ((back, False), (front, True)):
                if current.lower().endswith(ending) and _fits(current[: -len(ending)], ending, needs, is_front):
                    for stem in _unvoiced(current[: -len(ending)], ending):
                        if stem not in stems:
                            stems.append(stem)
                            pending.append(stem)
    return sorted(stems, key=len, reverse=True)


def turkmen_form(phrase: str, support: Callable[[str], int]) -> str:
    """The dictionary form of a Turkmen name: the stem of its last word that most words of the
    texts may be inflections of (`support`: Koreýa, from Koreýanyň, Koreýada, Koreýany, rather
    than Koreýan, from Koreýanyň alone); on a tie, the shorter only where the ending cannot be
    part of a name."""
    *head, last = phrase.split(" ")
    stems = turkmen_stems(last)
    if head:  # the -y/-i that ends a compound name is its possessive (Ýewropa Bileleşigi), kept
        stems = [stem for stem in stems if len(last) - len(stem) != 1]

    def rank(stem: str) -> tuple:
        # Before a case ending, a possessive -y/-i takes an -n- (Geňeşiniň: Geňeşi, not Geňeşin).
        ending = last[len(stem) :].lower().lstrip("-")
        # On a tie, a stem that ends voiced before a vowel is the inflected form (Yragyň: Yrak).
        unvoiced = stem[-1:].lower() not in _UNVOICED or stem == last
        possessive = _name_like(stem) or (stem[-1:].lower() in "yi" and last[len(stem) : len(stem) + 1] == "n")
        return (support(stem), _sure_ending(stem, ending), possessive, unvoiced, len(stem))

    return " ".join([*head, max(stems, key=rank)])


def _sure_ending(stem: str, ending: str) -> bool:
    """Whether `ending` after `stem` can only be a case ending, never the end of a name."""
    if ending in _UNMISTAKABLE:
        return True
    locative = ending in ("da", "de")
    return locative and (stem.lower().endswith(("ýa", "ýe")) or stem[-1:].lower() not in _VOWELS | {"n"})


def _name_like(stem: str) -> bool:
    """Stems names end in: the -iýa of countries, the possessive -sy/-si of compound names."""
    return stem.lower().endswith(("ýa", "ýe", "sy", "si"))


def english_form(phrase: str) -> str:
    """North Korea's -> North Korea; Netherlands-based -> Netherlands (a lower-case word hyphened
    to a name is not part of it)."""
    return re.sub(r"(?:['’]s?|-[a-z]+)$", "", phrase)


def _restore_case(written: str, form: str) -> str:
    """`form` capitalised as `written` is, part by part of a hyphenated word (Эль-Сальвадор)."""
    if written.isupper() and len(written) > 1:
        return written
    written_parts, form_parts = written.split("-"), form.split("-")
    if len(written_parts) != len(form_parts):
        written_parts, form_parts = [written], [form]
    return "-".join(
        f[:1].upper() + f[1:] if w[:1].isupper() else f for w, f in zip(written_parts, form_parts, strict=True)
    )


GENITIVE_ENDINGS = ("nyň", "niň", "yň", "iň", "uň", "üň")


def genitive(word: str) -> bool:
    """Whether a Russian word is most likely in the genitive (Монголии, Объединённых)."""
    parses = russian_morphology().parse(_initials(word)[1])
    return bool(parses) and "gent" in parses[0].tag


def noun(word: str) -> bool:
    """Whether a Russian word is most likely a noun (Посол, not Северной)."""
    parses = russian_morphology().parse(_initials(word)[1])
    return bool(parses) and "NOUN" in parses[0].tag


_LONGEST_ACRONYM = 6  # ЮНЕСКО; a longer word in capitals is a heading's
_PROPER = {"Surn", "Name", "Patr", "Geox", "Orgn", "Trad"}


def _parses(word: str, attested: Attested):
    """pymorphy3's parses of a word, proper-name readings first for a capitalised word, readings
    whose lemma the texts write first of all."""
    parses = russian_morphology().parse(word)
    capital = word[:1].isupper()

    def rank(parse) -> tuple:
        proper = capital and bool(_PROPER & set(parse.tag.grammemes))
        # A name written in its nominative (Мередов) is not the plural of another (Мереды).
        as_written = parse.normal_form == word.lower()
        return (attested(parse.normal_form), as_written, proper, parse.score)

    return sorted(parses, key=rank, reverse=True)


def _agreeing(parse, head) -> object:
    number = head.tag.number or "sing"
    wanted = {"nomn", number} | ({head.tag.gender} if number == "sing" and head.tag.gender else set())
    return parse.inflect(wanted) or parse


def russian_form(phrase: str, attested: Attested) -> str:
    """The nominative of a Russian name or term: the first noun and the adjectives before it in
    the nominative, agreeing; what follows the noun as written; acronyms and initials unchanged.
    A heading's capitals (МОНГОЛИЕЙ) are read as the word they spell (Монголия)."""
    words = [
        word.capitalize() if len(word) > _LONGEST_ACRONYM and word.isupper() else word for word in phrase.split(" ")
    ]
    formed = list(words)
    parsed = [None if _fixed(word) else _parses(_initials(word)[1], attested) for word in words]
    head_at = next(
        (i for i, parses in enumerate(parsed) if parses and {"NOUN"} & set(parses[0].tag.grammemes)),
        None,
    )
    if head_at is None:
        return phrase
    head = parsed[head_at][0]
    nominative = head.inflect({"nomn", head.tag.number or "sing"}) or head
    formed[head_at] = _written(words[head_at], nominative.word, attested)
    for i in range(head_at):
        parses = parsed[i]
        if parses and {"ADJF", "PRTF"} & set(parses[0].tag.grammemes):
            formed[i] = _written(words[i], _agreeing(parses[0], head).word, attested)
    if "Name" in head.tag:  # a first name: the surname after it is in its case too (Сергея Лаврова)
        for i in range(head_at + 1, len(words)):
            surname = _surname(parsed[i], head)
            if surname is not None:
                formed[i] = _written(words[i], surname, attested)
    return " ".join(formed)


# Case endings of Russian nouns, taken off a name pymorphy3 does not know (Дойла, Сковеллы).
_CASE_ENDINGS = ("ами", "ом", "ой", "ей", "ем", "ам", "ах", "а", "у", "е", "ы", "и", "ю", "я")


def russian_readings(word: str) -> set[str]:
    """Every nominative a capitalised Russian name the dictionary does not know may be read as
    (Дойла: Дойла, Дойл), cased as written, the word itself included: pymorphy3 only guesses."""
    initials, bare = _initials(word)
    if _fixed(word) or not bare[:1].isupper() or russian_morphology().word_is_known(bare.lower()):
        return set()  # a word the dictionary knows (Боливии) has its nominative from there
    readings = {bare, *(bare[: -len(ending)] for ending in _CASE_ENDINGS if bare.lower().endswith(ending))}
    readings |= {_restore_case(bare, p.normal_form) for p in russian_morphology().parse(bare) if "NOUN" in p.tag}
    return {initials + reading for reading in readings if len(reading) >= _MIN_STEM}


def _surname(parses, name) -> str | None:
    """The nominative of a surname read in the same case as the first name before it."""
    for parse in parses or ():
        if "Surn" in parse.tag and parse.tag.case == name.tag.case and parse.tag.gender == name.tag.gender:
            return (parse.inflect({"nomn"}) or parse).word
    return None


def _initials(word: str) -> tuple[str, str]:
    """Р.Мередова -> ('Р.', 'Мередова')."""
    match = re.match(r"^((?:\w\.)+)(\w.*)$", word)
    return (match.group(1), match.group(2)) if match else ("", word)


def _fixed(word: str) -> bool:
    """Words that do not inflect: acronyms, numbers, foreign words."""
    bare = _initials(word)[1]
    return (bare.isupper() and len(bare) > 1) or not re.fullmatch(r"[А-Яа-яЁё-]+", bare)


def _written(original: str, form: str, attested: Attested) -> str:
    """`form` with the original's initials and capital, and with е where the texts write е for ё."""
    initials, bare = _initials(original)
    plain = form.replace("ё", "е")
    if "ё" not in bare.lower() and (plain != form) and not attested(form):
        form = plain
    return initials + _restore_case(bare, form)
