"""Finding releases in a corpus folder and reading each language file into a Document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from tm.corpus.dates import find_date
from tm.corpus.detect import detect_language
from tm.corpus.extract import extract_html, extract_text, html_url
from tm.corpus.model import Document, Release, Scan, Skipped
from tm.errors import InputError
from tm.langs import CODES, LANGUAGES

SUFFIXES = (".txt", ".html", ".htm")
FLAT_NAME = re.compile(rf"^(?P<release>.+)\.(?P<lang>{'|'.join(CODES)})\.(?:txt|html?)$")
_CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (or without one, told by its zero bytes), or
    cp1251 when that is clearly Russian."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if utf16 := _utf16_without_bom(data):
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as error:
            problem = f"looks like {utf16.upper()} but is not (bad bytes at offset {error.start})"
            raise InputError(problem, path) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        guess = data.decode("cp1251", errors="replace")
        if reads_as_russian(guess):
            return guess
        problem = f"not UTF-8 text (bad byte at offset {error.start}); if it is Latin-1 or cp1252, convert it first"
        raise InputError(f"{problem} (iconv -f cp1252 -t utf-8)", path) from error


def reads_as_russian(text: str) -> bool:
    """Whether bytes read as cp1251 gave Russian prose, not noise: a third of it Cyrillic letters,
    words apart (a space or line break for every 20 characters at least), and next to no control
    characters. Random bytes are a quarter Cyrillic in cp1251 but have a space in 256 and a
    control character in 9."""
    if not text:
        return False
    controls = sum(1 for char in text if (ord(char) < 32 and char not in "\t\n\r") or char in "\x7f\ufffd")
    breaks = sum(1 for char in text if char in " \n")
    return len(_CYRILLIC.findall(text)) > len(text) / 3 and breaks >= len(text) / 20 and controls <= len(text) / 200


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the zero bytes fall on every other byte, as they do for
    text in Latin or Cyrillic letters written as UTF-16 without a byte order mark; else None."""
    sample = data[:4096]
    if len(sample) < 4 or b"\0" not in sample:
        return None
    # Every space and ASCII letter has its zero byte on the same side; a binary file has them on both.
    odd, even, enough = sample[1::2].count(0), sample[0::2].count(0), max(1, len(sample) // 40)
    if odd >= enough and even == 0:
        return "utf-16-le"
    if even >= enough and odd == 0:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """Zero bytes that are not UTF-16 text: an image, an archive, a database."""
    return b"\0" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and not _utf16_without_bom(data)


def read_document(
    path: Path,
    lang: str | None = None,
    url: str | None = None,
    removed: list[tuple[str, str]] | None = None,
    data: bytes | None = None,
) -> Document:
    """Read one language version; `lang` is what the file name claims, checked against the text.
    The lines taken out as page chrome are added to `removed`, each with the reason. `data`: the
    file's bytes, where the caller has read them already."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read: {error.strerror}", path) from error
    raw = decode(data, str(path))
    if path.suffix.lower() in (".html", ".htm"):
        title, when, paragraphs = extract_html(raw, str(path), removed)
        url = url or html_url(raw)
    else:
        title, when, paragraphs = extract_text(raw, removed)
    if not paragraphs and not title:
        raise InputError("empty file: no text after removing the page chrome", path)
    text = "\n".join(([title] if title else []) + paragraphs)
    found = _language(text, lang, path)
    when = when or find_date(" ".join(paragraphs[:1]))
    return Document(found, title, when, tuple(paragraphs), str(path), url)


def read_sentences(path: Path, lang: str) -> list[str]:
    """A presegmented file: one sentence per line, blank lines dropped, its language checked."""
    lines = [line.strip() for line in decode(path.read_bytes(), str(path)).splitlines()]
    sentences = [line for line in lines if line]
    _language("\n".join(sentences), lang, path, required=False)  # a few words are too few to judge
    return sentences


def _language(text: str, lang: str | None, path: Path, required: bool = True) -> str | None:
    """The language of `text`; an error when it is not the `lang` the file claims, or when it
    cannot be told and `required`."""
    found = detect_language(text)
    if found is None:
        if not required:
            return None
        raise InputError("too little text to tell its language", path)
    if lang is not None and found != lang:
        claimed, actual = LANGUAGES[lang].name, LANGUAGES[found].name
        raise InputError(f"named as {claimed} but the text is {actual}", path)
    return found


def read_json_object(path: Path, skipped: list[Skipped]) -> dict:
    """The JSON object in `path`, or {} when there is none; a file that is not one is reported."""
    if not path.is_file():
        return {}
    try:
        found = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        skipped.append(Skipped(str(path), f"{path.name} ignored: not valid JSON ({error})"))
        return {}
    if not isinstance(found, dict):
        skipped.append(Skipped(str(path), f"{path.name} ignored: not a JSON object"))
        return {}
    return found


def _meta(folder: Path, skipped: list[Skipped]) -> dict:
    return read_json_object(folder / "meta.json", skipped)


def _meta_page(meta: dict, lang: str) -> dict:
    """What meta.json says of one language's page (`pages.LANG`), if anything."""
    page = _field(meta, "pages", dict).get(lang)
    return page if isinstance(page, dict) else {}


def _meta_url(meta: dict, lang: str) -> str | None:
    return _text(_meta_page(meta, lang).get("url")) or _text(_field(meta, "urls", dict).get(lang))


def _field(meta: dict, key: str, kind: type):
    """`meta[key]` when it is of the kind expected, else an empty one: a field of the wrong type
    costs that field, not the release."""
    value = meta.get(key)
    return value if isinstance(value, kind) else kind()


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _release(
    collection: str, release_id: str, files: dict[str, Path], meta: dict, skipped: list[Skipped]
) -> Release | None:
    documents = {}
    for lang in CODES:
        if lang not in files:
            continue
        try:
            document = read_document(files[lang], lang, _meta_url(meta, lang))
            documents[lang] = replace(document, complete=_meta_page(meta, lang).get("complete") is not False)
        except InputError as error:
            skipped.append(Skipped(error.path or str(files[lang]), error.problem))
        except OSError as error:
            skipped.append(Skipped(str(files[lang]), f"cannot read: {error.strerror}"))
    if not documents:
        return None
    dates = [d.date for d in documents.values() if d.date]
    return Release(
        collection=collection,
        release_id=release_id,
        documents=documents,
        url=_text(meta.get("url")),
        date=_meta_date(meta, files, skipped) or (dates[0] if dates else None),
        title=_text(meta.get("title")),
    )


def _meta_date(meta: dict, files: dict[str, Path], skipped: list[Skipped]) -> date | None:
    """The release date meta.json gives; a date that is not YYYY-MM-DD is reported and not used."""
    value = meta.get("date")
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        where = next(iter(files.values())).parent / "meta.json"
        skipped.append(
            Skipped(str(where), f"meta.json date {value!r} ignored: not YYYY-MM-DD; the pages' date is used")
        )
        return None


def outside(path: Path, top: Path) -> bool:
    """Whether `path`, its links followed, lies outside the folder `top`: a link in a corpus to
    `/etc/passwd` would put that file in the TM, searchable by anyone who may read the TM."""
    real, base = path.resolve(), top.resolve()
    return real != base and base not in real.parents


def link_outside(path: Path) -> Skipped:
    return Skipped(str(path), f"a link to {path.resolve()}, outside the corpus; not read (--follow-links reads it)")


def _inside(paths: dict, top: Path | None, skipped: list[Skipped]) -> dict:
    """The entries of `paths` whose files lie inside `top` (None: any), the others reported."""
    kept = {}
    for key, path in paths.items():
        if top is not None and outside(path, top):
            skipped.append(link_outside(path))
        else:
            kept[key] = path
    return kept


def _language_files(folder: Path) -> dict[str, Path]:
    files = {}
    for lang in CODES:
        for suffix in SUFFIXES:
            if (folder / f"{lang}{suffix}").is_file():
                files[lang] = folder / f"{lang}{suffix}"
                break
    return files


def _flat_groups(folder: Path) -> dict[str, dict[str, Path]]:
    groups: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.iterdir()):
        if match := FLAT_NAME.match(path.name):
            groups.setdefault(match["release"], {})[match["lang"]] = path
    return groups


def iter_releases(root: Path, skipped: list[Skipped], follow_links: bool = False) -> Iterator[Release]:
    """Yield every release below `root`, appending what could not be read to `skipped`.

    A folder holding `tk.txt`/`ru.txt`/`en.txt` (or `.html`) is one release; a folder of
    `<release-id>.<lang>.txt` files is a collection of releases; other folders are walked.
    A link to a file or folder outside `root` is reported and not read unless `follow_links`.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError("corpus folder not found or not a folder", root)
    yield from _walk_releases(root, skipped, set(), root, None if follow_links else root)


def count_releases(root: Path) -> int:
    """How many releases `iter_releases` will find below `root`, from the folder listings alone
    (no file is read): for a build's progress and its estimate of the time left."""
    seen: set[Path] = set()

    def count(folder: Path) -> int:
        if folder.resolve() in seen:
            return 0
        seen.add(folder.resolve())
        if _language_files(folder):
            return 1
        try:
            children = [p for p in folder.iterdir() if p.is_dir()]
        except OSError:
            return 0
        return len(_flat_groups(folder)) + sum(count(child) for child in children)

    return count(Path(root)) if Path(root).is_dir() else 0


def _collection(folder: Path, top: Path) -> str:
    """A folder's collection name: its path below the corpus folder (`site1/news`), so that
    `site1/news/001` and `site2/news/001` stay two releases; the corpus folder's own name for
    the folder itself (or for a release folder given as the corpus)."""
    if folder == top or top not in folder.parents:
        return folder.name
    return folder.relative_to(top).as_posix()


def _walk_releases(
    root: Path, skipped: list[Skipped], seen: set[Path], top: Path, fence: Path | None
) -> Iterator[Release]:
    """`iter_releases` below one folder; a link back into a folder already read (a loop, or the
    same releases twice) is reported and not followed, nor one out of `fence` (None: any)."""
    if fence is not None and outside(root, fence):
        skipped.append(link_outside(root))
        return
    if root.resolve() in seen:
        skipped.append(Skipped(str(root), "a link to a folder already read; not read again"))
        return
    seen.add(root.resolve())
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError as error:
        skipped.append(Skipped(str(root), f"cannot read folder: {error.strerror}"))
        return
    files = _inside(_language_files(root), fence, skipped)
    if files:
        release = _release(_collection(root.parent, top), root.name, files, _meta(root, skipped), skipped)
        if release:
            yield release
        return
    for release_id, group in _flat_groups(root).items():
        release = _release(_collection(root, top), release_id, _inside(group, fence, skipped), {}, skipped)
        if release:
            yield release
    for child in children:
        yield from _walk_releases(child, skipped, seen, top, fence)


def read_corpus(root: Path) -> Scan:
    """Read a whole corpus folder into memory (use `iter_releases` to stream)."""
    scan = Scan()
    scan.releases.extend(iter_releases(root, scan.skipped))
    return scan
