"""Batch building: corpus -> segments -> alignment -> TM, for thousands of releases.

Resumable by construction: a release already in the TM with the same content hash is
skipped, and every release is committed on its own, so an interrupted build picks up
where it stopped. Progress goes to a callback; the library never prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from tm.align import signature
from tm.align.learn import Lexicon
from tm.corpus import Release, Skipped
from tm.embed import DEFAULT_ENCODER, encoder_id, get_encoder
from tm.jobs.learning import learn_from_tm
from tm.jobs.prepare import align_prepared, corpus_releases, prepare_release, too_long
from tm.jobs.records import LOW_CONFIDENCE, AlignedRelease, BuildReport, SegmentedRelease
from tm.jobs.workers import align_in_worker, align_on_dask, in_order, share_of_cores, start_worker
from tm.store import TranslationMemory


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
        from tm.jobs.dask import dask_pool

        with dask_pool(settings.scheduler, (name, model)) as (pool, workers):
            _store_all(in_order(pool, align_on_dask, pending, 4 * workers), tm, report, progress)
    elif jobs > 1:
        # Each worker gets its share of the cores: every worker's encoder taking them all makes
        # two workers slower than one (threads spinning against each other).
        setup = (name, settings.cache, model, share_of_cores(jobs))
        with ProcessPoolExecutor(jobs, initializer=start_worker, initargs=setup) as pool:
            _store_all(in_order(pool, align_in_worker, pending, 4 * jobs), tm, report, progress)
    else:
        aligned = (align_prepared(p, encoder, lexicon=lexicon) for p in pending)
        _store_all(aligned, tm, report, progress)


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
        if problem := too_long(prepared):
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
