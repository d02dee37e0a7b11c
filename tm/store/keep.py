"""Reviewed units kept through rebuilds, realigns and re-imports: where the sentences a reviewed
unit was made from are still on the page, it takes the place of the new units over them; where the
page changed under it, it stays, marked `x-page-changed`, at the end of the release.
Mixed into TranslationMemory over its connection layer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from tm.store.records import UnitRecord


@dataclass
class _Kept:
    """A reviewed unit of a release about to be replaced, and the segments it was made from."""

    unit: UnitRecord
    segments: dict[str, list[str]] = field(default_factory=dict)


class KeptReviewed:
    """Mixed into TranslationMemory: `db` and `path` come from its `Database`."""

    def reviewed_of(self, collection: str, release_id: str) -> list[_Kept]:
        """Inside a transaction, before a release is replaced: its reviewed units, with the
        segments each was made from."""
        return self.kept(self.stored_units(collection, [release_id]))

    def stored_units(self, collection: str, release_ids: Iterable[str]) -> list[UnitRecord]:
        """The tri-units of those of these releases of `collection` that are stored."""
        keys = [self.release_key(collection, release_id) for release_id in release_ids]
        return [unit for key in keys if key is not None for unit in self.release_units(key)]

    def kept(self, units: Iterable[UnitRecord]) -> list[_Kept]:
        """The reviewed ones of `units`, each with the segments it was made from (`keep_reviewed`
        puts it back where they still are)."""
        return [
            _Kept(unit, {lang: self.segment_texts(unit.release, lang, unit.covers(lang)) for lang in unit.spans})
            for unit in units
            if unit.reviewer
        ]

    def segment_texts(self, release: int, lang: str, run: range) -> list[str]:
        """The texts of a run of a release's segments in one language."""
        if not run:
            return []
        return [
            text
            for (text,) in self.db.execute(
                "SELECT text FROM segments WHERE release = ? AND lang = ? AND idx >= ? AND idx < ? ORDER BY idx",
                (release, lang, run.start, run.stop),
            )
        ]

    def keep_reviewed(self, release: int, kept: list[_Kept]) -> None:
        """Inside a transaction, after a release was stored anew: its reviewed units take the place
        of the new units over the same segments; sentences of those units that the reviewed unit
        does not cover stay, alone. A reviewed unit whose segments changed stays at the end."""
        if not kept:
            return
        units = self.release_units(release)
        end = max((unit.position for unit in units), default=0) + 1
        in_place, off_page = [], []
        for item in kept:
            unit = replace(item.unit, release=release)
            same = all(
                self.segment_texts(release, lang, unit.covers(lang)) == item.segments[lang] for lang in unit.spans
            )
            (in_place if same else off_page).append(unit)
        removed = [u for u in units if any(u.overlaps(r) for r in in_place)]
        # Each goes where the first new unit over its sentences was, in its order among them, and
        # before the sentences of those units it does not cover (placed at +0.5 by `_left_over`).
        step = 0.5 / (len(in_place) + 1)
        made = [
            replace(r, position=min((u.position for u in removed if u.overlaps(r)), default=end) + rank * step)
            for rank, r in enumerate(in_place)
        ]
        made += _left_over(removed, in_place) + [_off_page(unit, end) for unit in off_page]
        self._rewrite(release, removed, made)


def _off_page(unit: UnitRecord, end: float) -> UnitRecord:
    props = json.loads(unit.props) if unit.props else {}
    props["x-page-changed"] = "the page changed after this unit was reviewed"
    spans = {lang: (None, count) for lang, (_, count) in unit.spans.items()}
    return replace(unit, spans=spans, position=end, props=json.dumps(props, ensure_ascii=False))


def _left_over(under: list[UnitRecord], reviewed: list[UnitRecord]) -> list[UnitRecord]:
    """The sentences of `under` that no `reviewed` unit covers, one unit of one language each."""
    covered = {(lang, i) for unit in reviewed for lang in unit.spans for i in unit.covers(lang)}
    return [
        UnitRecord(None, unit.release, unit.position + 0.5, {lang: (i, 1)}, {}, "", 0.0)
        for unit in under
        for lang in unit.spans
        for i in unit.covers(lang)
        if (lang, i) not in covered
    ]
