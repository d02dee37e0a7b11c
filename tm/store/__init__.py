"""The translation memory: one SQLite file holding releases, segments and aligned units.

Every write happens inside `transaction()` (enforced); a release is stored whole or not at all.
A release whose texts and aligner signature are unchanged is skipped (content hash),
so building the same corpus twice adds nothing. Each thread gets its own connection, and
reads page through the rows so that no read keeps a snapshot open between calls.

`TranslationMemory` is its connection layer (`db.Database`) with the stores that work over it,
each a module: `releases` (storing), `reads` (units, releases, stats), `corrections` (reviewers'
corrections and undo), `rewrite` (a release's units and pair units rewritten), `keep` (reviewed
units kept through rebuilds), `users`, `runs`, `learned` (models); `records` and `model` are what
they hand out. The termbase is a store of its own, `tm.termbase`, composed rather than mixed in.
"""

from __future__ import annotations

import functools

from tm.store.corrections import Corrections
from tm.store.db import BUSY_TIMEOUT, Database
from tm.store.keep import KeptReviewed
from tm.store.learned import LearnedModels, StoredModel
from tm.store.model import Stats, StoredUnit
from tm.store.reads import RELEASE_ORDERS, UnitReads, batched
from tm.store.records import Correction, UnitRecord
from tm.store.releases import Releases, content_hash
from tm.store.rewrite import UnitWrites
from tm.store.runs import BuildRuns, Run
from tm.store.terms import Term, Termbase
from tm.store.users import Users

__all__ = [
    "BUSY_TIMEOUT",
    "RELEASE_ORDERS",
    "Correction",
    "Run",
    "Stats",
    "StoredModel",
    "StoredUnit",
    "Term",
    "TranslationMemory",
    "UnitRecord",
    "batched",
    "content_hash",
]


class TranslationMemory(
    Database, Releases, UnitReads, Corrections, UnitWrites, KeptReviewed, LearnedModels, BuildRuns, Users
):
    """A TM file. `create=False` refuses to make a new file (for lookups and exports)."""

    @functools.cached_property
    def termbase(self) -> Termbase:
        """The TM's termbase: a store of its own over this TM's connections and transactions."""
        return Termbase(self)
