"""A release made ready and aligned: its sentences and paragraph breaks, its alignment, and the
check that its versions are one release (`version_problems`); the releases of a corpus folder
(`corpus_releases`); `align_folder` for `tm align`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from threadpoolctl import ThreadpoolController

from tm.align import AlignConfig, Alignment, align, mismatched_versions, pair_agreement
from tm.align.learn import Lexicon
from tm.corpus import Release, Skipped, iter_releases, read_document, read_sentences
from tm.corpus.group import group_pages, to_release
from tm.corpus.links import version_similarity
from tm.corpus.pages import in_release_layout
from tm.corpus.read import count_releases
from tm.embed import Encoder
from tm.errors import InputError
from tm.jobs.records import MAX_SENTENCE_CHARS, AlignedRelease, SegmentedRelease
from tm.langs import CODES
from tm.segment import split


def segment_release(release: Release) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """Sentences per language, and the paragraph number of each: the title is paragraph 0, the
    body starts at 1 whether there is a title or not."""
    sentences, paragraphs = {}, {}
    for lang, document in release.documents.items():
        blocks = [document.title or "", *document.paragraphs]
        sentences[lang], paragraphs[lang] = [], []
        for number, block in enumerate(blocks):
            for sentence in split(block, lang):
                sentences[lang].append(sentence)
                paragraphs[lang].append(number)
    return sentences, paragraphs


def prepare_release(release: Release, aligner_signature: str) -> SegmentedRelease:
    """Segment a release and hash what its alignment depends on: sentences, paragraph breaks and
    the aligner's signature. Cheap next to aligning, so unchanged releases are skipped first."""
    sentences, paragraphs = segment_release(release)
    prepared = SegmentedRelease(release, sentences, paragraphs, "", aligner_signature)
    return replace(prepared, content_hash=prepared.hash_with(aligner_signature))


def align_prepared(
    prepared: SegmentedRelease, encoder: Encoder, config: AlignConfig | None = None, lexicon: Lexicon | None = None
) -> AlignedRelease:
    """Align a release; a release of one language is kept with its sentences and no units, so it
    can be found and joins its release when the other versions arrive."""
    if len(prepared.sentences) < 2:
        alone = Alignment(prepared.sentences, [], {}, prepared.signature)
        return AlignedRelease(prepared.release, alone, prepared.content_hash)
    # The aligner's arithmetic on one BLAS thread wherever it runs (here, a local worker, a Dask
    # worker, whose nanny sets one thread): a sum split across threads rounds otherwise, and the
    # same release would get confidences a millionth apart from one machine or --jobs to another.
    # The encoder sets its own threads within.
    with blas_controller().limit(limits=1, user_api="blas"):
        alignment = align(prepared.sentences, encoder, config, prepared.paragraphs, lexicon=lexicon)
        # Checked here, where the encoder is, so that workers share the work (it encodes openings).
        problems = tuple(version_problems(prepared.release, alignment, encoder.encode))
    return AlignedRelease(prepared.release, alignment, prepared.content_hash, problems)


def too_long(prepared: SegmentedRelease) -> str | None:
    """Why a release cannot be aligned as it is: a "sentence" longer than any a release holds
    (a page without punctuation, a data dump) would take the encoder minutes and gigabytes."""
    for lang, sentences in prepared.sentences.items():
        longest = max(map(len, sentences), default=0)
        if longest > MAX_SENTENCE_CHARS:
            return (
                f"a {lang} sentence of {longest:,} characters (at most {MAX_SENTENCE_CHARS:,}):"
                " not a press release as saved? Not aligned; nothing stored"
            )
    return None


# Sites republish a release within days; versions dated further apart are reported.
MAX_DAYS_BETWEEN_VERSIONS = 7


# Besides aligning poorly (tm.align.mismatched_versions), two versions are flagged as maybe not
# one release when they share little content (the grouping score without a folder's word
# rarities) and align no better than middling (mean bead confidence): short or loosely
# translated real releases are weak on one of the two, rarely on both. Chosen and measured in
# benchmarks/same_release.py.
CONTENT_FLAG = 0.2


AGREEMENT_FLAG = 0.9


def version_problems(release: Release, alignment: Alignment, encode) -> list[str]:
    """Why the versions of `release` may not be one release, one line each (none: they are)."""
    problems = mismatched_versions(alignment)
    problems += [
        f"the {lang} version was saved cut short (meta.json: complete false)"
        for lang, document in release.documents.items()
        if not document.complete
    ]
    dated = {lang: d.date for lang, d in release.documents.items() if d.date}
    days = (max(dated.values()) - min(dated.values())).days if dated else 0
    if days > MAX_DAYS_BETWEEN_VERSIONS:
        dates = ", ".join(f"{lang} {when.isoformat()}" for lang, when in dated.items())
        problems.append(f"the versions are dated {days} days apart ({dates})")
    for key, agreement in pair_agreement(alignment).items():
        x, y = key.split("-")
        content = version_similarity(release.documents[x], release.documents[y], encode)["score"]
        if content < CONTENT_FLAG and agreement < AGREEMENT_FLAG:
            problems.append(
                f"{x} and {y} share few names, numbers or words (content {content:.2f}, alignment {agreement:.2f})"
            )
    return problems


def align_folder(
    folder: Path,
    encoder: Encoder,
    presegmented: bool = False,
    config: AlignConfig | None = None,
    lexicon: Lexicon | None = None,
) -> Alignment:
    """Align the `{lang}.txt` files (or `{lang}.sent.txt` with `presegmented`) of one folder."""
    folder = Path(folder)
    if presegmented:
        sentences, paragraphs = read_presegmented(folder), None
    else:
        documents = {
            lang: read_document(folder / f"{lang}.txt", lang) for lang in CODES if (folder / f"{lang}.txt").is_file()
        }
        release = Release(folder.parent.name, folder.name, documents)
        sentences, paragraphs = segment_release(release)
    if len(sentences) < 2:
        kind = "{lang}.sent.txt" if presegmented else "{lang}.txt"
        raise InputError(f"needs at least two of tk, ru, en as {kind}", folder)
    return align(sentences, encoder, config, paragraphs, lexicon=lexicon)


@functools.cache
def blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


def read_presegmented(folder: Path) -> dict[str, list[str]]:
    return {
        lang: read_sentences(folder / f"{lang}.sent.txt", lang)
        for lang in CODES
        if (folder / f"{lang}.sent.txt").is_file()
    }


def corpus_releases(
    corpus: Path,
    skipped: list[Skipped],
    encoder: Encoder,
    counted: Callable[[int], None] | None = None,
    follow_links: bool = False,
) -> Iterator[Release]:
    """The releases below `corpus`: read as they are in the corpus layout, else grouped from the
    pages. `counted` is told how many there will be, before the first (once grouped, for pages)."""
    counted = counted or (lambda _count: None)
    if in_release_layout(corpus):
        counted(count_releases(corpus))
        yield from iter_releases(corpus, skipped, follow_links)
        return
    grouping = group_pages(corpus, encoder.encode, follow_links)
    counted(len(grouping.releases))
    skipped += grouping.skipped
    for found in grouping.releases:
        yield to_release(found, grouping.pages, corpus.resolve().name)
