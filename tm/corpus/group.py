"""Group saved pages into releases: the language versions of one press release, wherever saved.

The same release is published by several sites (the ministry in Turkmen, an embassy in Russian,
a press wire in English) under different ids and on different days. Pages are grouped in three
steps, as a document aligner does (the WMT16 document-alignment task, bitextor):

1. byte-identical files are one page (the copies are listed with it);
2. pages whose URLs are the same site and news id under another language code are one release;
3. the rest are linked by content. Candidates are pages in another language at most
   `MAX_DAYS_APART` days away when both are dated (all pages otherwise); each candidate pair gets
   a score from the similarity of title and opening (the encoder), the names and numbers both
   mention (transliterated, weighted by how rare they are in the folder), the length ratio and the
   date gap. Links are taken best first; two groups join only when they share no language and every
   pair across them is `linked` (so a triple stands only where its three pairwise links agree),
   which also makes the links one-to-one per language pair.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np

from tm.corpus.model import Document, Release, Skipped
from tm.corpus.read import (
    FLAT_NAME,
    SUFFIXES,
    link_outside,
    looks_binary,
    outside,
    read_document,
    read_json_object,
)
from tm.errors import InputError
from tm.langs import CODES, transliterate, url_key

# Sites republish a release a day or two after the ministry: pages further apart are not compared.
MAX_DAYS_APART = 3
# The score two pages need to be linked, and the lower one that suffices when each is the other's
# best match; groups join when every pair across them scores AGREE_FLOOR and they average
# MUTUAL_THRESHOLD (README: how these were chosen, and what they give).
THRESHOLD = 0.5
MUTUAL_THRESHOLD = 0.1
AGREE_FLOOR = 0.05
# Candidates kept per page and other language: the best few by score.
CANDIDATES = 5
_ANCHOR_DIM = 2048
_OPENING_CHARS = 300
_NUMBER = re.compile(r"\d+")
_NAME = re.compile(r"\b[A-ZА-ЯЁÄÖÜÇŞŇÝŽ][\w'-]{3,}")
_VOWELS = re.compile("[aeiouy]")

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Page:
    """One saved page file, read and cleaned."""

    path: str  # relative to the folder grouped
    document: Document
    url: str | None
    date: date | None
    copies: tuple[str, ...] = ()

    @property
    def lang(self) -> str:
        return self.document.lang


@dataclass
class FoundRelease:
    """The pages found to be one release: one file per language, the score of its weakest link."""

    release: str
    files: dict[str, str]
    score: float | None
    evidence: dict[str, dict]
    copies: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        found = {"release": self.release, "files": self.files, "score": self.score, "evidence": self.evidence}
        return found | ({"copies": self.copies} if self.copies else {})


@dataclass
class Grouping:
    releases: list[FoundRelease] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)  # by relative path


def page_files(root: Path, skipped: list[Skipped], follow_links: bool = False) -> Iterator[Path]:
    """Every page file below `root`, at any depth, in name order; unreadable folders reported,
    and links to files or folders outside `root` unless `follow_links`."""

    seen: set[Path] = set()

    def walk(folder: Path) -> Iterator[Path]:
        real = folder.resolve()
        if real in seen:  # a link back into a folder already read: a loop, or the same pages twice
            skipped.append(Skipped(str(folder), "a link to a folder already read; not read again"))
            return
        seen.add(real)
        try:
            entries = sorted(folder.iterdir())
        except OSError as error:
            skipped.append(Skipped(str(folder), f"cannot read folder: {error.strerror}"))
            return
        for entry in entries:
            if not follow_links and entry.is_symlink() and outside(entry, root):
                skipped.append(link_outside(entry))
            elif entry.is_dir():
                yield from walk(entry)
            elif entry.suffix.lower() in SUFFIXES:
                if entry.is_file():
                    yield entry
                else:
                    skipped.append(Skipped(str(entry), "not a file that can be read (a broken link?)"))

    yield from walk(root)


def _manifest(root: Path, skipped: list[Skipped]) -> dict[str, str]:
    """URLs by file path relative to `root`, from a `manifest.json` ({"path": "url"}) at its top."""
    return {str(k): str(v) for k, v in read_json_object(root / "manifest.json", skipped).items()}


def _meta_for(path: Path, folders: dict[Path, dict], skipped: list[Skipped]) -> dict:
    """What a release folder's meta.json says about this file (its URL and dates), if anything;
    each folder's meta.json is read once (`folders`), and a broken one reported once."""
    if path.parent not in folders:
        folders[path.parent] = read_json_object(path.parent / "meta.json", skipped)
    meta = folders[path.parent]
    pages, urls = meta.get("pages"), meta.get("urls")
    page = pages.get(path.stem) if isinstance(pages, dict) else None
    found = dict(page) if isinstance(page, dict) else {}
    found.setdefault("url", urls.get(path.stem) if isinstance(urls, dict) else None)
    found.setdefault("date", meta.get("date"))
    return found


def _meta_date(meta: dict) -> date | None:
    for key in ("date", "date_on_page", "date_in_text"):
        value = meta.get(key)
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def read_pages(root: Path, skipped: list[Skipped], follow_links: bool = False) -> dict[str, Page]:
    """Every readable page below `root` by relative path; byte-identical copies folded into the
    first; binary, empty and unreadable files reported in `skipped`, one line each."""
    manifest = _manifest(root, skipped)
    pages: dict[str, Page] = {}
    first_by_digest: dict[str, str] = {}
    folders: dict[Path, dict] = {}
    for path in page_files(root, skipped, follow_links):
        relative = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            skipped.append(Skipped(str(path), f"cannot read: {error.strerror}"))
            continue
        if looks_binary(data):
            skipped.append(Skipped(str(path), "a binary file, not a saved page"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in first_by_digest:
            original = pages[first_by_digest[digest]]
            pages[original.path] = replace(original, copies=(*original.copies, relative))
            continue
        meta = _meta_for(path, folders, skipped)
        try:
            document = read_document(path, url=manifest.get(relative) or meta.get("url"), data=data)
            document = replace(document, complete=meta.get("complete") is not False)
        except InputError as error:
            skipped.append(Skipped(error.path or str(path), error.problem))
            continue
        first_by_digest[digest] = relative
        pages[relative] = Page(relative, document, document.url, _meta_date(meta) or document.date)
    return pages


def _anchors(text: str) -> list[str]:
    """Numbers, and names as a consonant skeleton of their transliteration (first letter and the
    next three consonants), so that inflected and differently spelt forms meet: Мередовым,
    Meredowyň and Meredov are all `mrdw`; Таджикистан, Täjigistan and Tajikistan `tzhk`."""
    numbers = [f"#{int(n)}" for n in _NUMBER.findall(text)]
    names = []
    for name in _NAME.findall(text):
        word = transliterate(name).split()[0].replace("dzh", "zh").replace("g", "k")
        names.append((word[0] + _VOWELS.sub("", word[1:]))[:4])
    return numbers + names


def _hashed(tokens: list[str], idf: dict[str, float]) -> np.ndarray:
    row = np.zeros(_ANCHOR_DIM, dtype=np.float32)
    for token, count in Counter(tokens).items():
        row[_hash_token(token)] += (1 + math.log(count)) * idf.get(token, 0.0)
    norm = np.linalg.norm(row)
    return row / norm if norm else row


def _hash_token(token: str) -> int:
    """The anchor's column: a stable hash (Python's own `hash` of a str changes per process)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little") % _ANCHOR_DIM


@dataclass
class _Features:
    """What the score compares, one row per page of one language."""

    pages: list[Page]
    opening: np.ndarray  # encoder vectors of title + opening, unit length
    anchors: np.ndarray  # tf-idf of names and numbers, hashed, unit length
    length: np.ndarray
    day: np.ndarray  # days since 0001-01-01, or -1 when undated


def _features(pages: list[Page], encode: Encode, idf: dict[str, float], anchors: dict[str, list[str]]) -> _Features:
    openings = [" ".join(filter(None, [p.document.title, *p.document.paragraphs]))[:_OPENING_CHARS] for p in pages]
    vectors = encode(openings) if pages else np.zeros((0, 1), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return _Features(
        pages,
        vectors / np.where(norms == 0, 1, norms),
        np.stack([_hashed(anchors[p.path], idf) for p in pages]) if pages else np.zeros((0, _ANCHOR_DIM)),
        np.array([len(p.document.text) for p in pages], dtype=np.float32),
        np.array([p.date.toordinal() if p.date else -1 for p in pages]),
    )


# Weights of the logistic score (README: how they were chosen and what they give).
WEIGHTS = {"bias": -5.0, "opening": 5.0, "names_numbers": 7.0, "length": 1.5, "days": -0.3}


def score_pairs(opening: np.ndarray, anchors: np.ndarray, length: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The link score in [0, 1] from the four signals (arrays of one shape): opening similarity,
    shared names and numbers, length ratio (shorter / longer), days apart (-1: unknown, counted as 1)."""
    w = WEIGHTS
    z = (
        w["bias"]
        + w["opening"] * opening
        + w["names_numbers"] * anchors
        + w["length"] * length
        + w["days"] * np.where(days < 0, 1, days)
    )
    return 1.0 / (1.0 + np.exp(-z))


def _candidates(x: _Features, y: _Features) -> Iterator[tuple[int, int, dict]]:
    """(row in x, row in y, evidence) for the best few pages of y for each page of x."""
    order = np.argsort(y.day, kind="stable")
    sorted_days = y.day[order]
    undated_y = order[sorted_days < 0]
    for i in range(len(x.pages)):
        if x.day[i] < 0:
            rows = np.arange(len(y.pages))
        else:
            low, high = np.searchsorted(sorted_days, [x.day[i] - MAX_DAYS_APART, x.day[i] + MAX_DAYS_APART + 1])
            rows = np.concatenate([undated_y, order[low:high]])
        if not len(rows):
            continue
        opening = y.opening[rows] @ x.opening[i]
        anchors = y.anchors[rows] @ x.anchors[i]
        length = np.minimum(y.length[rows], x.length[i]) / np.maximum(np.maximum(y.length[rows], x.length[i]), 1)
        days = np.where((y.day[rows] < 0) | (x.day[i] < 0), -1, np.abs(y.day[rows] - x.day[i]))
        scores = score_pairs(opening, anchors, length, days)
        for k in np.argsort(-scores)[:CANDIDATES]:
            evidence = {
                "score": round(float(scores[k]), 3),
                "opening_similarity": round(float(opening[k]), 3),
                "names_numbers": round(float(anchors[k]), 3),
                "length_ratio": round(float(length[k]), 3),
                "days_apart": None if days[k] < 0 else int(days[k]),
            }
            yield i, int(rows[k]), evidence


def _links(pages: dict[str, Page], encode: Encode) -> dict[frozenset[str], dict]:
    """Scored candidate links between pages of different languages, by pair of paths."""
    anchors = {path: _anchors(page.document.text) for path, page in pages.items()}
    frequency = Counter(token for tokens in anchors.values() for token in set(tokens))
    idf = {token: math.log((1 + len(pages)) / (1 + count)) for token, count in frequency.items()}
    by_lang = {lang: _features([p for p in pages.values() if p.lang == lang], encode, idf, anchors) for lang in CODES}
    links: dict[frozenset[str], dict] = {}
    best: dict[tuple[str, str], str] = {}  # (page, other language) -> its best page there
    for a, b in [("tk", "ru"), ("tk", "en"), ("ru", "en")]:
        for x, y in [(by_lang[a], by_lang[b]), (by_lang[b], by_lang[a])]:
            for i, j, evidence in _candidates(x, y):
                links[frozenset((x.pages[i].path, y.pages[j].path))] = evidence
                best.setdefault((x.pages[i].path, y.pages[j].lang), y.pages[j].path)
    for pair, evidence in links.items():
        p, q = sorted(pair)
        evidence["mutual_best"] = best[(p, pages[q].lang)] == q and best[(q, pages[p].lang)] == p
    return links


def linked(evidence: dict | None) -> bool:
    """Whether a candidate pair is good enough to be one release: a score at THRESHOLD, or each
    page the other's best match in its language with a score at MUTUAL_THRESHOLD (a Turkmen page
    scores lower against its true counterpart, as the encoder knows no Turkmen, but still best)."""
    if evidence is None:
        return False
    return evidence["score"] >= THRESHOLD or (evidence["mutual_best"] and evidence["score"] >= MUTUAL_THRESHOLD)


def seed_key(page: Page) -> str | None:
    """What ties pages together before any content is compared: the site and news id of the URL,
    or the release folder for a file named by its language (`mfa_1094/tk.txt`, the corpus layout)."""
    if key := url_key(page.url):
        return f"url {key}"
    path = Path(page.path)
    if path.stem in CODES and path.parent != Path("."):
        return f"folder {path.parent.as_posix()}"
    return None


def _seed_groups(pages: dict[str, Page]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Pages with one seed key, one per language (a second page in a language stays apart), and
    the key of each page that was grouped by it."""
    groups: dict[str, dict[str, str]] = {}
    alone = []
    for page in pages.values():
        key = seed_key(page)
        group = groups.setdefault(key, {}) if key else None
        if group is None or page.lang in group:
            alone.append({page.lang: page.path})
        else:
            group[page.lang] = page.path
    seeded = {path: key for key, group in groups.items() if len(group) > 1 for path in group.values()}
    return list(groups.values()) + alone, seeded


def group_pages(root: Path, encode: Encode, follow_links: bool = False) -> Grouping:
    """The releases among the page files below `root`: every readable file in exactly one (a
    link to outside `root` is reported and not read unless `follow_links`)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError("folder not found or not a folder", root)
    grouping = Grouping()
    grouping.pages = read_pages(root, grouping.skipped, follow_links)
    groups, seeded = _seed_groups(grouping.pages)
    links = _links(grouping.pages, encode)
    for group in _join(groups, links):
        grouping.releases.append(_release(group, links, seeded, grouping.pages))
    _named_apart(grouping.releases)
    grouping.releases.sort(key=lambda r: r.release)
    return grouping


def _named_apart(releases: list[FoundRelease]) -> None:
    """Releases whose names would be one (`x/story.txt` and `x/story.html` are both `x/story`)
    are named by their first file, suffix and all: two releases under one name would be stored
    as one."""
    counts = Counter(found.release for found in releases)
    for found in releases:
        if counts[found.release] > 1:
            found.release = next(iter(found.files.values()))


def _join(groups: list[dict[str, str]], links: dict[frozenset[str], dict]) -> list[dict[str, str]]:
    """Merge groups along the links, best first, while no language repeats and every pair across
    the two groups is `linked`."""
    owner = {path: n for n, group in enumerate(groups) for path in group.values()}
    members = {n: dict(group) for n, group in enumerate(groups)}
    ranked = sorted(links.items(), key=lambda item: (-item[1]["score"], sorted(item[0])))
    for pair, evidence in ranked:
        if not linked(evidence):
            continue
        first, second = (owner[path] for path in sorted(pair))
        if first == second or set(members[first]) & set(members[second]):
            continue
        across = [links.get(frozenset((p, q))) for p in members[first].values() for q in members[second].values()]
        if _agree(across):
            members[first].update(members.pop(second))
            for path in members[first].values():
                owner[path] = first
    return list(members.values())


def _agree(across: list[dict | None]) -> bool:
    """Whether the pairs across two groups agree that they are one release: every pair a scored
    candidate of at least AGREE_FLOOR, and together, on average, as good as a mutual-best link.
    One strong link (a Russian-English pair the encoder reads well) can so carry a Turkmen page
    whose own links are weaker, but not one that another page in the group contradicts."""
    if any(evidence is None or evidence["score"] < AGREE_FLOOR for evidence in across):
        return False
    return sum(evidence["score"] for evidence in across) / len(across) >= MUTUAL_THRESHOLD


def _release(group: dict[str, str], links: dict, seeded: dict[str, str], pages: dict[str, Page]) -> FoundRelease:
    files = {lang: group[lang] for lang in CODES if lang in group}
    evidence, scores = {}, []
    paths = list(files.items())
    for n, (x, path_x) in enumerate(paths):
        for y, path_y in paths[n + 1 :]:
            if path_x in seeded and seeded[path_x] == seeded.get(path_y):
                kind, key = seeded[path_x].split(" ", 1)
                evidence[f"{x}-{y}"] = {kind: key}
                scores.append(1.0)
            else:
                link = links[frozenset((path_x, path_y))]
                evidence[f"{x}-{y}"] = link
                scores.append(link["score"])
    copies = [copy for path in files.values() for copy in pages[path].copies]
    first = Path(next(iter(files.values())))
    release = (first.parent if first.stem in CODES and first.parent != Path(".") else first.with_suffix("")).as_posix()
    return FoundRelease(release, files, round(min(scores), 3) if scores else None, evidence, copies)


def to_release(found: FoundRelease, pages: dict[str, Page], collection: str) -> Release:
    """A found release as the corpus step hands releases on."""
    documents = {lang: pages[path].document for lang, path in found.files.items()}
    dates = sorted(pages[path].date for path in found.files.values() if pages[path].date)
    url = next((pages[path].url for path in found.files.values() if pages[path].url), None)
    return Release(collection, found.release, documents, url=url, date=dates[0] if dates else None)


def in_release_layout(root: Path) -> bool:
    """Whether every page below `root` is named by its language, in a release folder
    (`<release>/tk.txt`) or a flat collection (`<release>.tk.txt`), with at least two languages
    per release: the corpus layout, read as it is. Anything else is grouped by `group_pages`."""
    releases: dict[tuple[str, str], set[str]] = {}
    for path in page_files(Path(root), []):
        flat = FLAT_NAME.match(path.name)
        if path.stem in CODES:
            releases.setdefault((str(path.parent), ""), set()).add(path.stem)
        elif flat:
            releases.setdefault((str(path.parent), flat["release"]), set()).add(flat["lang"])
        else:
            return False
    return all(len(langs) >= 2 for langs in releases.values())


def version_similarity(first: Document, second: Document, encode: Encode) -> dict:
    """The link score and signals of two versions said to be one release, with no folder to learn
    how rare each name and number is (all count the same) and their dates left out (the build
    reports dates apart on its own): the content half of the "same release?" check."""
    pages = [Page(str(number), document, None, None) for number, document in enumerate((first, second))]
    anchors = {page.path: _anchors(page.document.text) for page in pages}
    idf = dict.fromkeys({token for tokens in anchors.values() for token in tokens}, 1.0)
    first_features, second_features = (_features([page], encode, idf, anchors) for page in pages)
    return next(evidence for _, _, evidence in _candidates(first_features, second_features))
