"""Batch building: corpus -> segments -> alignment -> TM, for thousands of releases.

Resumable by construction: a release already in the TM with the same content hash is
skipped, and every release is committed on its own, so an interrupted build picks up
where it stopped. Progress goes to a callback; the library never prints.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from threadpoolctl import ThreadpoolController

from tm.align import AlignConfig, Alignment, align, mismatched_versions, pair_agreement, signature
from tm.align.learn import Lexicon
from tm.align.selftrain import Document, self_train
from tm.corpus import Release, Skipped, iter_releases, read_document, read_sentences
from tm.corpus.group import group_pages, in_release_layout, to_release, version_similarity
from tm.corpus.read import count_releases
from tm.embed import DEFAULT_ENCODER, Encoder, encoder_id, get_encoder
from tm.embed.base import available_cores
from tm.errors import InputError
from tm.langs import CODES
from tm.segment import split
from tm.store import StoredModel, TranslationMemory, content_hash

LOW_CONFIDENCE = 0.5
# The longest sentence aligned; the longest in the ministry's releases is under 1,500 characters.
MAX_SENTENCE_CHARS = 5_000


@dataclass(frozen=True)
class SegmentedRelease:
    """A release split into sentences, with the hash that tells whether the TM already holds it."""

    release: Release
    sentences: dict[str, list[str]]
    paragraphs: dict[str, list[int]]
    content_hash: str
    signature: str = ""

    def hash_with(self, aligner_signature: str) -> str:
        """The content hash these sentences and paragraph breaks have under an aligner signature."""
        texts = {
            lang: "\n".join(f"{number}\t{s}" for number, s in zip(self.paragraphs[lang], sentences, strict=True))
            for lang, sentences in self.sentences.items()
        }
        return content_hash(texts, aligner_signature)


@dataclass(frozen=True)
class AlignedRelease:
    release: Release
    alignment: Alignment
    content_hash: str
    problems: tuple[str, ...] = ()  # why its versions may not be one release (version_problems)


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
    learned: StoredModel | None = None  # the model a build with `learn` learned and realigned with
    older: int = 0  # releases dated before `since`, left alone
    outdated: int = 0  # unchanged releases aligned by another aligner or model, left for `tm realign`
    expected: int | None = None  # releases the corpus holds, once known (for progress and time left)

    @property
    def done(self) -> int:
        """Releases dealt with so far: stored, found unchanged, or older than `since` (a folder that
        holds no readable release was counted in `expected`: the estimate errs long)."""
        return self.added + self.unchanged + self.older


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
    with _blas_controller().limit(limits=1, user_api="blas"):
        alignment = align(prepared.sentences, encoder, config, prepared.paragraphs, lexicon=lexicon)
        # Checked here, where the encoder is, so that workers share the work (it encodes openings).
        problems = tuple(version_problems(prepared.release, alignment, encoder.encode))
    return AlignedRelease(prepared.release, alignment, prepared.content_hash, problems)


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


_worker: dict = {}


def _start_worker(encoder_name: str, cache: Path | None, lexicon: str | None, threads: int) -> None:
    _exit_with_parent()
    _worker["encoder"] = get_encoder(encoder_name, cache, threads)
    _worker["lexicon"] = Lexicon.from_json(lexicon) if lexicon else None


def _exit_with_parent(poll_seconds: float = 0.5) -> None:
    """End this worker when the build that started it is gone: a build killed with SIGKILL
    cannot stop its pool, and the workers would align on for nobody."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _align_in_worker(prepared: SegmentedRelease) -> AlignedRelease:
    return align_prepared(prepared, _worker["encoder"], lexicon=_worker["lexicon"])


def align_on_dask(prepared: SegmentedRelease, setup: tuple[str, str | None]) -> AlignedRelease:
    """A Dask task: align one release on a worker, which builds its encoder (one math thread: run
    a worker process per core) and reads the broadcast model once, at its first release."""
    if _worker.get("setup") != setup:
        encoder_name, model = setup
        _start_worker(encoder_name, None, model, 1)
        _worker["setup"] = setup
    return _align_in_worker(prepared)


def build(
    corpus: Path,
    tm: TranslationMemory,
    encoder_name: str = DEFAULT_ENCODER,
    jobs: int = 1,
    progress: Callable[[str, BuildReport], None] | None = None,
    cache: Path | None = None,
    learn: bool = False,
    command: str = "",
    since: dt.date | None = None,
    realign: bool = False,
    below: float | None = None,
    older_than: int | None = None,
    scheduler: str | None = None,
    follow_links: bool = False,
) -> BuildReport:
    """Read, segment, align and store every release below `corpus`. A release the TM already
    holds with the same sentences and aligner signature is counted unchanged without aligning.
    Releases are aligned with the TM's current learned model, if it has one. With `learn`, a new
    model is then learned from every release in the TM and the corpus is aligned again with it.
    With `since`, releases dated before it are left alone (undated ones are read: their date is
    unknown). A release whose texts are unchanged but that was aligned by another aligner or
    model is never realigned behind the user's back: it is counted `outdated`, and realigned only
    with `realign` (and then, with `below`, only when its mean unit confidence is under it; with
    `older_than`, only when it was aligned without a model or with a model version under it).
    `learn` realigns with the model it learned. With `scheduler` (a Dask scheduler address, or
    "local:N" for a LocalCluster of N workers) releases are aligned on a Dask cluster and stored
    here as they come back. A link in the corpus to a file or folder outside it is reported and
    not read unless `follow_links`. The run is recorded in the TM (`tm runs`) as `command`
    (default: the library call)."""
    stored = tm.current_model()
    run = tm.start_run(
        command or f"build({str(corpus)!r}, encoder={encoder_name!r}, jobs={jobs}, learn={learn})",
        signature(encoder_id(encoder_name)),
        stored.version if stored else None,
    )
    report = BuildReport()
    realigning = Realign(realign, below, older_than)
    settings = Pass(encoder_name, jobs, progress, cache, since, realigning, scheduler, follow_links)
    try:
        _build_pass(corpus, tm, settings, report)
        if learn:
            learned = learn_from_tm(tm, get_encoder(encoder_name, cache))
            if learned is not None:
                report = BuildReport(learned=learned)
                _build_pass(corpus, tm, replace(settings, realign=Realign(True)), report)
    except BaseException as error:
        tm.finish_run(run, _counts(report), _problems(report), f"{type(error).__name__}: {error}")
        raise
    tm.finish_run(run, _counts(report), _problems(report))
    return report


def _counts(report: BuildReport) -> dict[str, int]:
    return {
        "added": report.added,
        "unchanged": report.unchanged,
        "skipped": len(report.skipped),
        "flagged": len({m.path for m in report.mismatched}),
        "units": report.units,
    }


def _problems(report: BuildReport) -> list[dict]:
    return [{"release": s.path, "problem": s.problem, "kind": "skipped"} for s in report.skipped] + [
        {"release": m.path, "problem": m.problem, "kind": "flagged"} for m in report.mismatched
    ]


@dataclass(frozen=True)
class Realign:
    """Whether a pass realigns releases aligned by another aligner; with `below`, only those whose
    mean confidence is under it; with `older_than`, only those aligned without a model or with a
    model version under it."""

    wanted: bool = False
    below: float | None = None
    older_than: int | None = None


@dataclass(frozen=True)
class Pass:
    """How one pass of a build over the corpus runs (see `build`)."""

    encoder_name: str
    jobs: int
    progress: Callable[[str, BuildReport], None] | None
    cache: Path | None
    since: dt.date | None
    realign: Realign
    scheduler: str | None
    follow_links: bool = False


def _build_pass(corpus: Path, tm: TranslationMemory, settings: Pass, report: BuildReport) -> None:
    name, jobs, progress = settings.encoder_name, settings.jobs, settings.progress
    # Grouping pages needs an encoder here too, while workers run: then it takes one core's share.
    encoder = get_encoder(name, settings.cache, threads=1 if jobs > 1 or settings.scheduler else None)
    stored = tm.current_model()
    lexicon = Lexicon.from_json(stored.content, f"model {stored.version} of the TM") if stored else None
    found = corpus_releases(
        Path(corpus), report.skipped, encoder, lambda count: setattr(report, "expected", count), settings.follow_links
    )
    releases = _dated_since(found, settings.since, report)
    pending = _changed(releases, tm, signature(encoder.id, lexicon=lexicon), report, progress, settings.realign)
    model = lexicon.to_json() if lexicon else None
    if settings.scheduler:
        from tm.jobs_dask import dask_pool

        with dask_pool(settings.scheduler, (name, model)) as (pool, workers):
            _store_all(in_order(pool, align_on_dask, pending, 4 * workers), tm, report, progress)
    elif jobs > 1:
        # Each worker gets its share of the cores: every worker's encoder taking them all makes
        # two workers slower than one (threads spinning against each other).
        setup = (name, settings.cache, model, max(1, available_cores() // jobs))
        with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=setup) as pool:
            _store_all(in_order(pool, _align_in_worker, pending, 4 * jobs), tm, report, progress)
    else:
        aligned = (align_prepared(p, encoder, lexicon=lexicon) for p in pending)
        _store_all(aligned, tm, report, progress)


def in_order(pool: Executor, function: Callable, items: Iterable, window: int) -> Iterator:
    """`function` of each item, computed in `pool`, in the items' order, with at most `window`
    items in flight: Executor.map takes the whole iterable at once, which would hold every release
    of an archive in memory before the first is stored."""
    flight: deque[Future] = deque()
    for item in items:
        flight.append(pool.submit(function, item))
        if len(flight) >= window:
            yield flight.popleft().result()
    while flight:
        yield flight.popleft().result()


def learn_from_tm(tm: TranslationMemory, encoder: Encoder) -> StoredModel | None:
    """Self-train a lexicon on every release of the TM with two or more languages, and store it
    as the TM's next model version (None, and nothing stored, when learning did not help)."""
    documents = [Document(sentences) for _, _, sentences in tm.release_sentences() if len(sentences) >= 2]
    lexicon = self_train(documents, encoder) if documents else None
    if lexicon is None:
        return None
    return tm.save_model(lexicon.id, lexicon.to_json(), len(documents))


def learn_from_folder(
    folder: Path, encoder: Encoder, presegmented: bool = False, progress=None
) -> tuple[Lexicon | None, int]:
    """Self-train a lexicon on every release below `folder` (release folders of `{lang}.sent.txt`
    with `presegmented`, else a corpus or saved pages as `tm build` reads them); and how many
    releases it learned from."""
    if presegmented:
        documents = [Document(_read_presegmented(d)) for d in _presegmented_folders(Path(folder))]
    else:
        skipped: list[Skipped] = []
        documents = [
            Document(*segment_release(release))
            for release in corpus_releases(Path(folder), skipped, encoder)
            if len(release.documents) >= 2
        ]
    if not documents:
        raise InputError("no release with two or more of tk, ru, en to learn from", folder)
    return self_train(documents, encoder, progress=progress), len(documents)


def _presegmented_folders(root: Path) -> list[Path]:
    """Every folder at or below `root` holding two or more `{lang}.sent.txt`."""
    folders = {path.parent for path in root.rglob("*.sent.txt") if path.name.split(".")[0] in CODES}
    return sorted(f for f in folders if sum((f / f"{lang}.sent.txt").is_file() for lang in CODES) >= 2)


def _read_presegmented(folder: Path) -> dict[str, list[str]]:
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


def _dated_since(releases: Iterable[Release], since: dt.date | None, report: BuildReport) -> Iterator[Release]:
    """The releases dated on or after `since` (by their latest version), and the undated ones."""
    for release in releases:
        dates = [d.date for d in release.documents.values() if d.date] + ([release.date] if release.date else [])
        if since and dates and max(dates) < since:
            report.older += 1
            continue
        yield release


def _changed(
    releases: Iterable[Release],
    tm: TranslationMemory,
    aligner_signature: str,
    report: BuildReport,
    progress,
    realign: Realign = Realign(),
) -> Iterator[SegmentedRelease]:
    """The releases that need aligning; the others are counted into `report`."""
    named: set[str] = set()
    for found in releases:
        release = _as_stored(tm, found, named)
        named.add(release.release_id)
        name = f"{release.collection}/{release.release_id}"
        prepared = prepare_release(release, aligner_signature)
        if problem := _too_long(prepared):
            report.skipped.append(Skipped(name, problem))
            continue
        report.releases += 1
        report.languages.update(list(release.documents))
        stored = tm.release_hash(release.collection, release.release_id)
        if stored != prepared.content_hash and _outdated(tm, release, prepared, stored):
            if realign.wanted and _chosen(tm, release, realign):
                yield prepared
                continue
            report.outdated += 1
            stored = prepared.content_hash  # unchanged texts: left as they are
        if stored == prepared.content_hash:
            report.unchanged += 1
            if progress:
                progress(name, report)
            continue
        yield prepared


def _as_stored(tm: TranslationMemory, release: Release, named: set[str]) -> Release:
    """The release under the name it is stored by, when the TM holds one of its pages already: a
    release keeps the name it was first given when a new language version joins it (grouping
    names a release after its first page in language order), and with it its history. A name
    given to a release earlier in this build is not given again (a stored release split in two)."""
    holding = tm.releases_holding(release.collection, [d.path for d in release.documents.values()])
    free = [release_id for release_id in holding if release_id not in named]
    if not free or release.release_id in free:
        return release
    return replace(release, release_id=free[0])


def _outdated(tm: TranslationMemory, release: Release, prepared: SegmentedRelease, stored_hash: str | None) -> bool:
    """The TM holds these very texts, aligned by another aligner or model."""
    aligner = tm.release_aligner(release.collection, release.release_id)
    return stored_hash is not None and aligner is not None and prepared.hash_with(aligner) == stored_hash


def _chosen(tm: TranslationMemory, release: Release, realign: Realign) -> bool:
    """Whether an outdated release is one `tm realign` was asked to align again."""
    if realign.below is not None:
        confidence = tm.release_confidence(release.collection, release.release_id)
        if confidence is None or confidence >= realign.below:
            return False
    if realign.older_than is not None:
        aligner = tm.release_aligner(release.collection, release.release_id) or ""
        model = next((part.removeprefix("model=") for part in aligner.split("|") if part.startswith("model=")), None)
        if (tm.model_version(model) if model else 0) >= realign.older_than:
            return False
    return True


def _too_long(prepared: SegmentedRelease) -> str | None:
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


def _store_all(records: Iterable[AlignedRelease], tm: TranslationMemory, report: BuildReport, progress) -> None:
    for record in records:
        release, problems = record.release, record.problems
        with tm.transaction():
            # Another build may have stored it since it was found changed: report what this one commits.
            stored_meanwhile = tm.release_hash(release.collection, release.release_id) == record.content_hash
            if not stored_meanwhile:
                tm.add_release(record, "; ".join(problems) or None)
        if stored_meanwhile:
            report.unchanged += 1
            continue
        report.added += 1
        report.units += len(record.alignment.units)
        report.low_confidence += sum(
            u.confidence < LOW_CONFIDENCE for u in record.alignment.units if sum(map(bool, u.sentences.values())) > 1
        )
        name = f"{release.collection}/{release.release_id}"
        report.mismatched += [Skipped(name, f"{problem}; same release?") for problem in problems]
        if progress:
            progress(name, report)


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
        sentences, paragraphs = _read_presegmented(folder), None
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


def fetch_into(tm: TranslationMemory, seeds: list[str], out: Path, command: str = "tm fetch", **options):
    """Crawl (`tm.fetch.fetch` with `options`) and record the run in the TM, as builds are
    recorded: pages fetched as added, unchanged as unchanged, what was refused, failed or skipped
    as skipped, each with its reason."""
    from tm.fetch import fetch

    run = tm.start_run(command, "fetch", None)
    try:
        report = fetch(seeds, out, **options)
    except BaseException as error:
        tm.finish_run(run, {}, [], f"{type(error).__name__}: {error}")
        raise
    counts = report.counts
    skipped = sum(counts.get(status, 0) for status in ("refused", "failed", "skipped"))
    tm.finish_run(
        run,
        {"added": counts.get("fetched", 0), "unchanged": counts.get("unchanged", 0), "skipped": skipped},
        report.problems,
    )
    return report
