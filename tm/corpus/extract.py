"""From a saved page (text dump, clean article text or HTML) to title, date and paragraphs."""

from __future__ import annotations

import re
from datetime import date

from tm.corpus.dates import find_date, is_date_line
from tm.corpus.normalize import normalize_text
from tm.errors import InputError

_SWITCHER = {"icon", "türkmençe", "русский", "english", "tk", "ru", "en", "img"}
_IMAGE = re.compile(r"^(<image>.*</image>|!\[[^\]]*\]\([^)]*\)|\[image[^\]]*\])$", re.IGNORECASE)
_VIEWS = re.compile(r"^\d{1,7}$")
# A contacts footer starts only on positive evidence: a contact label followed by a colon or a
# number, an international phone number, an e-mail address, a copyright sign or a postal code.
# A label alone is not enough: "Телефонный разговор прошёл..." is body text.
_CONTACT = re.compile(
    r"^(phone|tel|fax|reception|press service|e-?mail|телефон|тел|факс|приемная|приёмная|пресс-служба"
    r"|telefon|faks|kabulhana|metbugat gullugy)\.?\s*(:|\+?\d)"
    r"|^(©|\(c\))|^\d{6},|\+\d{3}\s*\(?\d|[\w.-]+@[\w-]+\.[\w.]+",
    re.IGNORECASE,
)
# The press-service signature that closes a release, in each language, on its last lines.
_SIGNATURE = re.compile(
    r"(press[- ]service of (the )?(ministry of foreign affairs|mfa|embassy|consulate)[^.]{0,80}"
    r"|пресс-служба\s*(мид|министерства иностранных дел|посольства|генерального консульства|консульства)[^.]{0,80}"
    r"|[^.]{0,80}metbugat gullugy)\.?",
    re.IGNORECASE,
)
_SIGNATURE_LINES = 3
_SIGNATURE_LINE_CHARS = 80
_SYNDICATION = re.compile(r"^date (\d{4}-\d{2}-\d{2}) ")
_END_PUNCT = '.!?…:;»"”'
MAX_TITLE_CHARS = 300
MAX_FOOTER_LINE = 120


def _drop_banner(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines without a banner that opens a quote on one line and closes it lines later, and
    the banner's lines."""
    kept, banner, inside = [], [], False
    for line in lines:
        if inside or (re.match(r"^(year|год|\d{4})\b.*«", line, re.IGNORECASE) and "»" not in line):
            inside = not inside or "»" not in line
            banner.append(line)
            continue
        kept.append(line)
    return kept, banner


def _footer_start(lines: list[str]) -> int:
    """Index of the contacts footer: the first line with a contact (see _CONTACT) after which every
    line is short. Only the short lines at the end can hold it: found in one pass back, so that a
    page of 50 MB takes seconds, not the hours a look at every line's rest would."""
    short_from = len(lines)
    while short_from and len(lines[short_from - 1]) <= MAX_FOOTER_LINE:
        short_from -= 1
    return next((index for index in range(short_from, len(lines)) if _CONTACT.search(lines[index])), len(lines))


def _signature_start(lines: list[str]) -> int:
    """Index of the press-service signature: the last one to three short lines that together read
    as one (`Press Service of the / Ministry of Foreign Affairs of Turkmenistan`)."""
    for count in range(min(_SIGNATURE_LINES, len(lines) - 1), 0, -1):
        tail = lines[-count:]
        if all(len(line) <= _SIGNATURE_LINE_CHARS for line in tail) and _SIGNATURE.fullmatch(" ".join(tail)):
            return len(lines) - count
    return len(lines)


def _title_and_body(lines: list[str]) -> tuple[str | None, list[str]]:
    """The first line is the title when it is short and does not end a sentence; a closing quote
    ends a title («…») unless a sentence ends inside it."""
    if len(lines) > 1 and len(lines[0]) <= MAX_TITLE_CHARS:
        last = lines[0].rstrip('»"”')
        if last and last[-1] not in _END_PUNCT:
            return lines[0], lines[1:]
    return None, lines


def extract_text(raw: str, removed: list[tuple[str, str]] | None = None) -> tuple[str | None, date | None, list[str]]:
    """Title, page date and body paragraphs of a text dump or a clean article text; every line
    taken out is added to `removed` with the reason."""
    removed = [] if removed is None else removed
    lines = [line for line in normalize_text(raw).split("\n") if line]
    page_date = None
    if lines and (syndicated := _SYNDICATION.match(lines[0])):
        page_date = date.fromisoformat(syndicated.group(1))
        lines[0] = lines[0][syndicated.end() :]
    kept, banner = _drop_banner(lines)
    removed += [(line, "year banner") for line in banner]
    footer = _footer_start(kept)
    removed += [(line, "contacts footer") for line in kept[footer:]]
    kept = kept[:footer]
    signature = _signature_start(kept)
    removed += [(line, "press-service signature") for line in kept[signature:]]
    body = []
    for line in kept[:signature]:
        if why := _chrome(line):
            removed.append((line, why))
            if why == "date line":
                page_date = page_date or find_date(line)
            continue
        body.append(line)
    title, paragraphs = _title_and_body(body)
    return title, page_date, paragraphs


def _chrome(line: str) -> str | None:
    """Why a line of a page dump is site chrome, or None for text."""
    if line.lower() in _SWITCHER:
        return "language switcher or image"
    if _IMAGE.match(line) or line in "«»":
        return "image"
    if is_date_line(line):
        return "date line"
    if _VIEWS.match(line):
        return "view counter"
    return None


def html_url(raw: str) -> str | None:
    """The page's own address, from `<link rel="canonical">` or `<meta property="og:url">`."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(raw)
    except Exception:  # lxml raises several unrelated types for unusable input; the page says why
        return None
    found = root.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
    return str(found[0]).strip() or None if found else None


def extract_html(
    raw: str, path: str = "", removed: list[tuple[str, str]] | None = None
) -> tuple[str | None, date | None, list[str]]:
    """Title, date and paragraphs of an HTML page: <h1> or <title>, <time>, block elements (the
    press-service signature that closes it added to `removed`)."""
    removed = [] if removed is None else removed
    import lxml.html

    try:
        root = lxml.html.document_fromstring(raw)
    except Exception as error:  # lxml raises several unrelated types for unusable input
        raise InputError(f"not readable as HTML ({error})", path) from error
    body = root.find("body")
    if body is None or not body.text_content().strip():
        raise InputError("HTML page has no body text", path)
    for chrome in body.xpath("//script|//style|//nav|//header|//footer|//aside|//form"):
        chrome.drop_tree()
    heading = body.xpath("(//h1)[1]")
    page_title = root.findtext(".//title")
    title = heading[0].text_content() if heading else page_title
    time_element = body.xpath("(//time)[1]")
    when = None
    if time_element:
        when = find_date(time_element[0].get("datetime") or time_element[0].text_content())
    blocks = body.xpath("//p|//li|//blockquote")
    paragraphs = [normalize_text(b.text_content()).replace("\n", " ") for b in blocks]
    if not blocks:
        return extract_text(body.text_content(), removed)
    title = normalize_text(title).replace("\n", " ") if title else None
    paragraphs = [p for p in paragraphs if p and not is_date_line(p)]
    signature = _signature_start(paragraphs)
    removed += [(line, "press-service signature") for line in paragraphs[signature:]]
    return title or None, when, paragraphs[:signature]
