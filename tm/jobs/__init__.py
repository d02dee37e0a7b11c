"""Batch building: corpus -> segments -> alignment -> TM, for thousands of releases.

Resumable by construction: a release already in the TM with the same content hash is skipped,
and every release is committed on its own, so an interrupted build picks up where it stopped.
Progress goes to a callback; the library never prints.

One module a piece: `batch` (the build and what it decides of each release), `prepare` (a release
segmented and aligned, and its versions checked), `workers` (local processes and Dask tasks),
`dask` (the cluster), `learning` (what a build learns), `records` (what passes between them),
`fetching` (`tm fetch` recorded among the runs).
"""

from tm.jobs.batch import Pass, Realign, build, corpus_releases
from tm.jobs.fetching import fetch_into
from tm.jobs.learning import learn_from_folder, learn_from_tm
from tm.jobs.prepare import align_folder, align_prepared, prepare_release, segment_release, version_problems
from tm.jobs.records import LOW_CONFIDENCE, MAX_SENTENCE_CHARS, AlignedRelease, BuildReport, SegmentedRelease
from tm.jobs.workers import align_on_dask, in_order

__all__ = [
    "LOW_CONFIDENCE",
    "MAX_SENTENCE_CHARS",
    "AlignedRelease",
    "BuildReport",
    "Pass",
    "Realign",
    "SegmentedRelease",
    "align_folder",
    "align_on_dask",
    "align_prepared",
    "build",
    "corpus_releases",
    "fetch_into",
    "in_order",
    "learn_from_folder",
    "learn_from_tm",
    "prepare_release",
    "segment_release",
    "version_problems",
]
