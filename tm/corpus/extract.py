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
_FOOTER = re.compile(
    r"^(phone|tel|fax|reception|press service|e-?mail|телефон|тел|факс|приемная|приёмная"
    r"|пресс-служба:|telefon|faks|kabulhana|metbugat gullugy:|©|\(c\)|\d{6},)",
    re.IGNORECASE,
)
_SYNDICATION = re.compile(r"^date (\d{4}-\d{2}-\d{2}) ")
_END_PUNCT = '.!?…:;»"”'
MAX_TITLE_CHARS = 300
MAX_FOOTER_LINE = 120


def _drop_banner(lines: list[str]) -> list[str]:
    """Drop a banner that opens a quote on one line and closes it lines later."""
    kept, inside = [], False
    for line in lines:
        if inside:
            inside = "»" not in line
            continue
        if re.match(r"^(year|год|\d{4})\b.*«", line, re.IGNORECASE) and "»" not in line:
            inside = True
            continue
        kept.append(line)
    return kept


def _footer_start(lines: list[str]) -> int:
    """Index of the contacts footer: the first footer line after which every line is short."""
    for index, line in enumerate(lines):
        rest = lines[index:]
        if _FOOTER.match(line) and all(len(x) <= MAX_FOOTER_LINE for x in rest):
            return index
    return len(lines)


def _title_and_body(lines: list[str]) -> tuple[str | None, list[str]]:
    if len(lines) > 1 and len(lines[0]) <= MAX_TITLE_CHARS and lines[0][-1] not in _END_PUNCT:
        return lines[0], lines[1:]
    return None, lines


def extract_text(raw: str) -> tuple[str | None, date | None, list[str]]:
    """Title, page date and body paragraphs of a text dump or a clean article text."""
    lines = [line for line in normalize_text(raw).split("\n") if line]
    page_date = None
    if lines and (syndicated := _SYNDICATION.match(lines[0])):
        page_date = date.fromisoformat(syndicated.group(1))
        lines[0] = lines[0][syndicated.end() :]
    lines = _drop_banner(lines)
    body = []
    for line in lines[: _footer_start(lines)]:
        if line.lower() in _SWITCHER or _IMAGE.match(line) or line in "«»":
            continue
        if is_date_line(line):
            page_date = page_date or find_date(line)
            continue
        if _VIEWS.match(line):
            continue
        body.append(line)
    title, paragraphs = _title_and_body(body)
    return title, page_date, paragraphs


def extract_html(raw: str, path: str = "") -> tuple[str | None, date | None, list[str]]:
    """Title, date and paragraphs of an HTML page: <h1> or <title>, <time>, block elements."""
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
        return extract_text(body.text_content())
    title = normalize_text(title).replace("\n", " ") if title else None
    return title or None, when, [p for p in paragraphs if p and not is_date_line(p)]
