"""Group saved pages into releases: the language versions of one press release, wherever saved.

The same release is published by several sites (the ministry in Turkmen, an embassy in Russian,
a press wire in English) under different ids and on different days. Pages are grouped in three
steps, as a document aligner does (the WMT16 document-alignment task, bitextor):

1. byte-identical files are one page (the copies are listed with it);
2. pages whose URLs are the same site and news id under another language code are one release;
3. the rest are linked by content (`tm.corpus.links` scores candidate pairs). Links are taken
   best first; two groups join only when they share no language and every pair across them is
   `linked` (so a triple stands only where its three pairwise links agree), which also makes the
   links one-to-one per language pair.

Finding and reading the pages is `tm.corpus.pages`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tm.corpus.links import AGREE_FLOOR, MUTUAL_THRESHOLD, Encode, candidate_links, linked
from tm.corpus.model import Release, Skipped
from tm.corpus.pages import Page, read_pages
from tm.errors import InputError
from tm.langs import CODES, url_key


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
    links = candidate_links(grouping.pages, encode)
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
