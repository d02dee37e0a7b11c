"""Corrections to units, kept in the TM with who, when, before and after, and undone from there.

A correction replaces some tri-units of one release with others (an edit replaces one with one,
a split one with two, a merge two with one, a delete one with none). The units it makes are
reviewed: they carry their texts themselves (not as runs of the page's segments), their reviewer
and time, and confidence 1. Each pair of languages of a reviewed unit becomes one pair unit, so
that lookups and exports see the correction; the pair units the old units had are removed, and the
neighbours that shared a pair unit with them get theirs again from their own tri-unit.

A rebuild, a realign or an import that replaces a release keeps its reviewed units: where the
segments a reviewed unit was made from are still there, it takes the place of the new units
over them; where the page changed under it, it stays, marked, at the end of the release.
"""

from __future__ import annotations

import json
from dataclasses import replace

from tm.errors import Conflict, NotFound, StoreError
from tm.store.records import UNIT_QUERY, Correction, UnitRecord, is_row_id, now, unit_record
from tm.store.schema import MULTILINGUAL


class Corrections:
    """Mixed into TranslationMemory: `db`, `path` and `transaction` come from its `Database`."""

    def tri_unit(self, unit_id: int) -> UnitRecord:
        """The tri-unit with this id; a StoreError when there is none."""
        row = self.db.execute(f"{UNIT_QUERY} WHERE u.id = ?", (unit_id,)).fetchone() if is_row_id(unit_id) else None
        if row is None:
            raise NotFound(f"no unit {unit_id}", self.path)
        return unit_record(row)

    def release_units(self, release: int) -> list[UnitRecord]:
        """A release's tri-units in document order."""
        rows = self.db.execute(f"{UNIT_QUERY} WHERE u.release = ? ORDER BY u.position", (release,)).fetchall()
        return [unit_record(row) for row in rows]

    def review_queue(
        self,
        limit: int = 50,
        offset: int = 0,
        collection: str | None = None,
        flagged: bool = False,
        below: float | None = None,
    ) -> list[UnitRecord]:
        """Unreviewed units of two or more languages, the most likely wrong first: those of releases
        whose versions may not be one release, then by calibrated confidence; only one collection's,
        only flagged releases', or only those under a confidence, if asked."""
        where, args = [f"u.reviewer IS NULL AND {MULTILINGUAL}"], []
        for clause, value in (("r.collection = ?", collection), ("u.confidence < ?", below)):
            if value is not None:
                where.append(clause)
                args.append(value)
        if flagged:
            where.append("r.flag IS NOT NULL")
        rows = self.db.execute(
            f"{UNIT_QUERY} WHERE {' AND '.join(where)} ORDER BY r.flag IS NULL, u.confidence, u.id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return [unit_record(row) for row in rows]

    def review_counts(self) -> dict[str, int]:
        """Units of two or more languages, reviewed and not."""
        rows = self.db.execute(
            f"SELECT reviewer IS NOT NULL, count(*) FROM units WHERE {MULTILINGUAL} GROUP BY 1"
        ).fetchall()
        counts = dict(rows)
        return {"reviewed": counts.get(1, 0), "unreviewed": counts.get(0, 0)}

    def record_correction(self, user: str, action: str, removed: list[UnitRecord], made: list[UnitRecord]) -> int:
        """Inside a transaction: replace `removed` (units of one release, next to each other, as
        read in this transaction) with `made`, reviewed by `user`, and record it; returns the
        correction's id. A removed unit no longer stored at its version is a Conflict."""
        self._require_transaction()
        release = removed[0].release
        if any(unit.release != release for unit in removed):
            raise StoreError("a correction changes the units of one release", self.path)
        for unit in removed:
            self.require_version(unit.id, unit.version)
        at = now()
        made = [replace(unit, reviewer=user, reviewed_at=at, confidence=1.0) for unit in made]
        snapshot = self._snapshot(release)
        made_ids = set(self._rewrite(release, removed, made))
        after = [unit for unit in self.release_units(release) if unit.id in made_ids]
        return self.db.execute(
            "INSERT INTO corrections (at, user, action, release, collection, release_id, before, after, snapshot,"
            " generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                at,
                user,
                action,
                release,
                removed[0].collection,
                removed[0].release_id,
                _texts_json(removed),
                _texts_json(after),
                snapshot,
                self.writing_generation(),
            ),
        ).lastrowid

    def require_version(self, unit_id: int, version: int | None) -> UnitRecord:
        """The unit as stored, if it is still at `version` (None: any); else a Conflict that
        carries it as it is now, so the person can see what changed before trying again."""
        unit = self.tri_unit(unit_id)
        if version is not None and unit.version != version:
            by = f" by {unit.reviewer} at {unit.reviewed_at}" if unit.reviewer else ""
            raise Conflict(
                f"unit {unit_id} changed since you saw it (version {version}, now {unit.version}{by});"
                " nothing was written: look at it again",
                self.path,
                current=unit,
            )
        return unit

    def tri_unit_of_pair(self, pair_unit: int) -> UnitRecord | None:
        """The tri-unit whose sentences in the pair's two languages are exactly those of this pair
        unit (None when there is no such pair unit, or it covers part of a tri-unit)."""
        row = self.db.execute(
            "SELECT release, pair, source_first, source_count, target_first, target_count FROM pair_units WHERE id = ?",
            (pair_unit,),
        ).fetchone()
        if row is None:
            return None
        release, pair, *spans = row
        x, y = pair.split("-")
        found = self.db.execute(
            f"SELECT id FROM units WHERE release = ? AND {x}_first = ? AND {x}_count = ? AND {y}_first = ?"
            f" AND {y}_count = ?",
            (release, *spans),
        ).fetchone()
        return self.tri_unit(found[0]) if found else None

    def corrections(
        self,
        limit: int = 100,
        release: tuple[str, str] | None = None,
        user: str | None = None,
        action: str | None = None,
        before: int | None = None,
    ) -> list[Correction]:
        """The corrections made, newest first; only those of one release (collection, id), by one
        user, of one action, or older than the correction `before` (the next page), if given."""
        where, args = [], []
        if release:
            where.append("collection = ? AND release_id = ?")
            args += list(release)
        for clause, value in (("user = ?", user), ("action = ?", action), ("id < ?", before)):
            if value is not None:
                where.append(clause)
                args.append(value)
        clauses = ("WHERE " + " AND ".join(where) + " " if where else "") + "ORDER BY id DESC LIMIT ?"
        return self._corrections_where(clauses, [*args, limit])

    def correction(self, correction_id: int) -> Correction:
        """One correction; a StoreError when there is none."""
        found = self._corrections_where("WHERE id = ?", [correction_id]) if is_row_id(correction_id) else []
        if not found:
            raise NotFound(f"no correction {correction_id}", self.path)
        return found[0]

    def _corrections_where(self, clauses: str, args: list) -> list[Correction]:
        rows = self.db.execute(
            "SELECT id, at, user, action, collection, release_id, before, after, undone_at, undone_by"
            f" FROM corrections {clauses}",
            args,
        ).fetchall()
        return [Correction(*row[:6], json.loads(row[6]), json.loads(row[7]), *row[8:]) for row in rows]

    def undo(self, correction_id: int, user: str) -> Correction:
        """Put the release back as it was before this correction. Only the latest correction of a
        release that has not been rebuilt since can be undone (undo later ones first)."""
        with self.transaction():
            row = (
                self.db.execute(
                    "SELECT release, collection, release_id, snapshot, undone_at, generation FROM corrections"
                    " WHERE id = ?",
                    (correction_id,),
                ).fetchone()
                if is_row_id(correction_id)
                else None
            )
            if row is None:
                raise NotFound(f"no correction {correction_id}", self.path)
            release, collection, release_id, snapshot, undone, generation = row
            if undone:
                raise Conflict(f"correction {correction_id} was undone already", self.path)
            later = self.db.execute(
                "SELECT max(id) FROM corrections WHERE collection = ? AND release_id = ? AND undone_at IS NULL",
                (collection, release_id),
            ).fetchone()[0]
            if later != correction_id:
                raise Conflict(f"correction {later} came after it on the same release; undo that first", self.path)
            if self._stored_since(collection, release_id, release, generation):
                raise Conflict(f"{collection}/{release_id} was rebuilt since; correct the unit again", self.path)
            self._restore(release, json.loads(snapshot))
            self.db.execute(
                "UPDATE corrections SET undone_at = ?, undone_by = ? WHERE id = ?", (now(), user, correction_id)
            )
        return self.correction(correction_id)

    def _stored_since(self, collection: str, release_id: str, release: int, generation: int) -> bool:
        """Was the release stored anew (built, imported) after `generation`? Its key alone cannot
        say: SQLite may give a new row the key of the row deleted before it."""
        row = self.db.execute(
            "SELECT stored FROM releases WHERE id = ? AND collection = ? AND release_id = ?",
            (release, collection, release_id),
        ).fetchone()
        return row is None or row[0] > generation


def _texts_json(units: list[UnitRecord]) -> str:
    return json.dumps([{"id": unit.id, "texts": unit.texts} for unit in units], ensure_ascii=False)
