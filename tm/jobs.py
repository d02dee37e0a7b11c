"""Batch building: corpus -> segments -> alignment -> TM, for thousands of releases.

Resumable by construction: a release already in the TM with the same content hash is
skipped, and every release is committed on its own, so an interrupted build picks up
where it stopped. Progress goes to a callback; the library never prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tm.align import AlignConfig, Alignment, align, mismatched_versions
from tm.corpus import Release, Skipped, iter_releases, read_document, read_sentences
from tm.embed import DEFAULT_ENCODER, Encoder, get_encoder
from tm.errors import InputError
from tm.langs import CODES
from tm.segment import split
from tm.store import TranslationMemory, content_hash

LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class AlignedRelease:
    release: Release
    alignment: Alignment
    content_hash: str


@dataclass
class BuildReport:
    releases: int = 0
    added: int = 0
    unchanged: int = 0
    units: int = 0
    low_confidence: int = 0
    languages: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    mismatched: list[Skipped] = field(default_factory=list)  # stored, but the versions may not match


def segment_release(release: Release) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """Sentences per language, and the paragraph number of each (the title is paragraph 0)."""
    sentences, paragraphs = {}, {}
    for lang, document in release.documents.items():
        blocks = ([document.title] if document.title else []) + list(document.paragraphs)
        sentences[lang], paragraphs[lang] = [], []
        for number, block in enumerate(blocks):
            for sentence in split(block, lang):
                sentences[lang].append(sentence)
                paragraphs[lang].append(number)
    return sentences, paragraphs


def align_release(release: Release, encoder: Encoder, config: AlignConfig | None = None) -> AlignedRelease:
    sentences, paragraphs = segment_release(release)
    alignment = align(sentences, encoder, config, paragraphs)
    texts = {lang: "\n".join(s) for lang, s in sentences.items()}
    return AlignedRelease(release, alignment, content_hash(texts, alignment.signature))


_worker_encoder: Encoder | None = None


def _start_worker(encoder_name: str, cache: Path | None) -> None:
    global _worker_encoder
    _worker_encoder = get_encoder(encoder_name, cache)


def _align_in_worker(release: Release) -> AlignedRelease:
    assert _worker_encoder is not None
    return align_release(release, _worker_encoder)


def build(
    corpus: Path,
    tm: TranslationMemory,
    encoder_name: str = DEFAULT_ENCODER,
    jobs: int = 1,
    progress: Callable[[str, BuildReport], None] | None = None,
    cache: Path | None = None,
) -> BuildReport:
    """Read, segment, align and store every release below `corpus`."""
    report = BuildReport()
    releases = []
    for release in iter_releases(Path(corpus), report.skipped):
        if len(release.documents) < 2:
            only = ", ".join(release.documents)
            report.skipped.append(
                Skipped(f"{release.collection}/{release.release_id}", f"only one language ({only}); nothing to align")
            )
            continue
        releases.append(release)
    if jobs > 1:
        with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(encoder_name, cache)) as pool:
            _store_all(pool.map(_align_in_worker, releases, chunksize=4), tm, report, progress)
    else:
        encoder = get_encoder(encoder_name, cache)
        _store_all((align_release(r, encoder) for r in releases), tm, report, progress)
    return report


def _mismatches(record: AlignedRelease) -> list[Skipped]:
    name = f"{record.release.collection}/{record.release.release_id}"
    return [Skipped(name, f"{problem}; same release?") for problem in mismatched_versions(record.alignment)]


def _store_all(records, tm: TranslationMemory, report: BuildReport, progress) -> None:
    for record in records:
        release = record.release
        report.releases += 1
        report.languages.update(list(release.documents))
        if tm.release_hash(release.collection, release.release_id) == record.content_hash:
            report.unchanged += 1
        else:
            with tm.transaction():
                tm.add_release(record)
            report.added += 1
            report.units += len(record.alignment.units)
            report.low_confidence += sum(u.confidence < LOW_CONFIDENCE for u in record.alignment.units)
            report.mismatched += _mismatches(record)
        if progress:
            progress(f"{release.collection}/{release.release_id}", report)


def align_folder(
    folder: Path, encoder: Encoder, presegmented: bool = False, config: AlignConfig | None = None
) -> Alignment:
    """Align the `{lang}.txt` files (or `{lang}.sent.txt` with `presegmented`) of one folder."""
    folder = Path(folder)
    if presegmented:
        sentences = {
            lang: read_sentences(folder / f"{lang}.sent.txt", lang)
            for lang in CODES
            if (folder / f"{lang}.sent.txt").is_file()
        }
        paragraphs = None
    else:
        documents = {
            lang: read_document(folder / f"{lang}.txt", lang) for lang in CODES if (folder / f"{lang}.txt").is_file()
        }
        release = Release(folder.parent.name, folder.name, documents)
        sentences, paragraphs = segment_release(release)
    if len(sentences) < 2:
        kind = "{lang}.sent.txt" if presegmented else "{lang}.txt"
        raise InputError(f"needs at least two of tk, ru, en as {kind}", folder)
    return align(sentences, encoder, config, paragraphs)
