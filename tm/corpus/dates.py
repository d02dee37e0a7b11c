"""Release dates as the ministry's pages write them, in all three languages."""

from __future__ import annotations

import re
from datetime import date

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january январь января ýanwar ýanwarynda ýanwaryň",
        "february февраль февраля fewral fewralynda fewralyň",
        "march март марта mart martynda martyň",
        "april апрель апреля aprel aprelinde apreliň",
        "may май мая maý maýynda maýyň",
        "june июнь июня iýun iýunynda iýunyň",
        "july июль июля iýul iýulynda iýulyň",
        "august август августа awgust awgustynda awgustyň",
        "september сентябрь сентября sentýabr sentýabrynda sentýabryň",
        "october октябрь октября oktýabr oktýabrynda oktýabryň",
        "november ноябрь ноября noýabr noýabrynda noýabryň",
        "december декабрь декабря dekabr dekabrynda dekabryň",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number
        MONTHS[_name[:3]] = _number

_MONTH_WORD = r"([A-Za-zА-Яа-яЁёýÝňŇ]+)\.?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "ymd"),
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), "dmy"),
    # "2023-nji ýylyň 30-njy oktýabrynda"
    (re.compile(r"(\d{4})\s*-?\s*\w*\s+ýyl\w*\s+(\d{1,2})\s*-?\s*\w*\s+" + _MONTH_WORD), "y d M"),
    # "30 October 2023", "06 декабря 2017 г."
    (re.compile(r"(\d{1,2})\s+" + _MONTH_WORD + r",?\s+(\d{4})"), "d M y"),
    # "October 30, 2023"
    (re.compile(_MONTH_WORD + r"\s+(\d{1,2}),?\s+(\d{4})"), "M d y"),
]


def _build(year: str, month: int | None, day: str) -> date | None:
    if month is None:
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def _month(word: str) -> int | None:
    word = word.lower()
    return MONTHS.get(word) or MONTHS.get(word[:3]) if len(word) >= 3 else None


def _from_match(match: re.Match[str], order: str) -> date | None:
    a, b, c = match.groups()
    if order == "ymd":
        return _build(a, int(b), c)
    if order == "dmy":
        return _build(c, int(b), a)
    if order == "y d M":
        return _build(a, _month(c), b)
    if order == "d M y":
        return _build(c, _month(b), a)
    return _build(c, _month(a), b)


def find_date(text: str) -> date | None:
    """The first date written in `text`, in any of the forms the pages use."""
    found: list[tuple[int, date]] = []
    for pattern, order in _PATTERNS:
        for match in pattern.finditer(text):
            parsed = _from_match(match, order)
            if parsed:
                found.append((match.start(), parsed))
                break
    return min(found)[1] if found else None


def is_date_line(line: str) -> bool:
    """True when a line holds a date and nothing else (the date line of a page dump)."""
    stripped = line.strip().rstrip(".").removesuffix(" г").removesuffix(" ý")
    if len(stripped) > 30 or not find_date(stripped):
        return False
    return not re.search(r"[A-Za-zА-Яа-яЁё]{3,}\s+[A-Za-zА-Яа-яЁё]{3,}", stripped)
