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

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import combinations

from tm.errors import Conflict, NotFound, StoreError
from tm.langs import CODES
from tm.store.schema import MULTILINGUAL, text_of

_SPAN_COLUMNS = [f"{lang}_{part}" for lang in CODES for part in ("first", "count")]
_TEXTS = [text_of("u", lang, lang) for lang in CODES]
_UNIT_QUERY = (
    "SELECT u.id, u.release, u.position, u.bead_type, u.confidence, u.props, u.reviewer, u.reviewed_at, "
    + ", ".join(f"u.{column}" for column in _SPAN_COLUMNS)
    + ", "
    + ", ".join(column for column, _ in _TEXTS)
    + ", r.collection, r.release_id, r.flag, u.version FROM units u JOIN releases r ON r.id = u.release"
    + "".join(join for _, join in _TEXTS)
)


@dataclass(frozen=True)
class UnitRecord:
    """A tri-unit as corrections see it: where its sentences are, and its texts."""

    id: int | None
    release: int
    position: float
    spans: dict[str, tuple[int | None, int]]  # language -> (first segment, count); first None: not on the page
    texts: dict[str, str]  # language -> text, for the languages it has
    bead_type: str = ""
    confidence: float = 1.0
    props: str | None = None  # JSON, as stored
    reviewer: str | None = None
    reviewed_at: str | None = None
    collection: str = ""
    release_id: str = ""
    flag: str | None = None  # why its release may not be one release
    version: int = 0  # the generation that wrote it as it is: a change made from another version is refused

    def covers(self, lang: str) -> range:
        return _run(*self.spans.get(lang, (None, 0)))

    def overlaps(self, other: UnitRecord) -> bool:
        return any(set(self.covers(lang)) & set(other.covers(lang)) for lang in CODES)


@dataclass(frozen=True)
class Correction:
    id: int
    at: str
    user: str
    action: str
    collection: str
    release_id: str
    before: list[dict]
    after: list[dict]
    undone_at: str | None = None
    undone_by: str | None = None


@dataclass
class _Kept:
    """A reviewed unit of a release about to be replaced, and the segments it was made from."""

    unit: UnitRecord
    segments: dict[str, list[str]] = field(default_factory=dict)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _record(row: tuple) -> UnitRecord:
    unit_id, release, position, bead, confidence, props, reviewer, at = row[:8]
    spans_flat, texts = row[8:14], row[14:17]
    spans = {lang: (spans_flat[2 * i], spans_flat[2 * i + 1]) for i, lang in enumerate(CODES) if spans_flat[2 * i + 1]}
    return UnitRecord(
        unit_id,
        release,
        position,
        spans,
        {lang: text for lang, text in zip(CODES, texts, strict=True) if text},
        bead,
        confidence,
        props,
        reviewer,
        at,
        *row[17:21],
    )


def is_row_id(number: int) -> bool:
    """Can this be a row's id? SQLite's are 64-bit: a larger number names no row (and would
    overflow the query rather than find nothing)."""
    return 0 < number < 2**63


class Corrections:
    """Mixed into TranslationMemory: `db`, `path`, `transaction` and `release_key` come from there."""

    def tri_unit(self, unit_id: int) -> UnitRecord:
        """The tri-unit with this id; a StoreError when there is none."""
        row = self.db.execute(f"{_UNIT_QUERY} WHERE u.id = ?", (unit_id,)).fetchone() if is_row_id(unit_id) else None
        if row is None:
            raise NotFound(f"no unit {unit_id}", self.path)
        return _record(row)

    def release_units(self, release: int) -> list[UnitRecord]:
        """A release's tri-units in document order."""
        rows = self.db.execute(f"{_UNIT_QUERY} WHERE u.release = ? ORDER BY u.position", (release,)).fetchall()
        return [_record(row) for row in rows]

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
            f"{_UNIT_QUERY} WHERE {' AND '.join(where)} ORDER BY r.flag IS NULL, u.confidence, u.id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return [_record(row) for row in rows]

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

    def _snapshot(self, release: int) -> str:
        tables = {}
        for table in ("units", "pair_units"):
            cursor = self.db.execute(f"SELECT * FROM {table} WHERE release = ?", (release,))
            columns = [d[0] for d in cursor.description]
            tables[table] = {"columns": columns, "rows": cursor.fetchall()}
        return json.dumps(tables, ensure_ascii=False)

    def _restore(self, release: int, snapshot: dict) -> None:
        self._changed(release)
        for table in ("pair_units", "units"):
            self.db.execute(f"DELETE FROM {table} WHERE release = ?", (release,))
        for table in ("units", "pair_units"):
            columns = snapshot[table]["columns"]
            self.db.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                snapshot[table]["rows"],
            )

    def _changed(self, release: int) -> None:
        """Tell saved lookup indexes the release changed in place (as if removed and stored again)."""
        generation = "(SELECT CAST(value AS INTEGER) + 1 FROM meta WHERE key = 'generation')"
        for added in (0, 1):
            self.db.execute(
                f"INSERT INTO changes (generation, release, added) VALUES ({generation}, ?, ?)", (release, added)
            )

    def _rewrite(self, release: int, removed: list[UnitRecord], made: list[UnitRecord]) -> list[int]:
        """Inside a transaction: the units `removed` give way to `made` (placed by their positions,
        which may fall between others), the pair units follow, and positions are numbered again.
        Returns the ids of the units made."""
        self._changed(release)
        units = self.release_units(release)
        self._replace_pair_units(release, units, removed, made)
        self.db.executemany("DELETE FROM units WHERE id = ?", [(unit.id,) for unit in removed])
        ids = [self._insert_unit(unit) for unit in made]
        self.db.execute(
            "UPDATE units SET position = n FROM (SELECT id AS unit, row_number() OVER (ORDER BY position, id) - 1 AS n"
            " FROM units WHERE release = ?) WHERE id = unit",
            (release,),
        )
        return ids

    def _insert_unit(self, unit: UnitRecord) -> int:
        taken = unit.id is not None and self.db.execute("SELECT 1 FROM units WHERE id = ?", (unit.id,)).fetchone()
        spans = [value for lang in CODES for value in unit.spans.get(lang, (None, 0))]
        own = [unit.texts.get(lang) for lang in CODES]
        return self.db.execute(
            "INSERT INTO units (id, release, position, bead_type, confidence, props, reviewer, reviewed_at, "
            f"{', '.join(_SPAN_COLUMNS)}, tk, ru, en, version) VALUES ({', '.join('?' * 18)})",
            (
                None if taken else unit.id,
                unit.release,
                unit.position,
                "-".join(str(unit.spans.get(lang, (None, 0))[1]) for lang in CODES),
                unit.confidence,
                unit.props,
                unit.reviewer,
                unit.reviewed_at,
                *spans,
                *own,
                self.writing_generation(),
            ),
        ).lastrowid

    def _replace_pair_units(
        self, release: int, units: list[UnitRecord], removed: list[UnitRecord], made: list[UnitRecord]
    ) -> None:
        """Remove the pair units over the sentences of `removed`, and those of the neighbours they
        reached into; the neighbours and `made` get pair units from their tri-units."""
        gone = {unit.id for unit in removed}
        others = [unit for unit in units if unit.id not in gone]
        for x, y in combinations(CODES, 2):
            pair = f"{x}-{y}"
            rows = self.db.execute(
                "SELECT id, source_first, source_count, target_first, target_count FROM pair_units"
                " WHERE release = ? AND pair = ?",
                (release, pair),
            ).fetchall()
            reach = {x: set(), y: set()}
            for unit in removed:
                reach[x] |= set(unit.covers(x))
                reach[y] |= set(unit.covers(y))
            dropped, rederived = set(), []
            while True:  # until no neighbour shares a dropped pair unit
                newly = [row for row in rows if row[0] not in dropped and _touches(row, reach[x], reach[y])]
                if not newly:
                    break
                dropped |= {row[0] for row in newly}
                for row in newly:
                    reach[x] |= set(_run(row[1], row[2]))
                    reach[y] |= set(_run(row[3], row[4]))
                for unit in others:
                    if unit not in rederived and (set(unit.covers(x)) & reach[x] or set(unit.covers(y)) & reach[y]):
                        rederived.append(unit)
                        reach[x] |= set(unit.covers(x))
                        reach[y] |= set(unit.covers(y))
            self.db.executemany("DELETE FROM pair_units WHERE id = ?", [(row,) for row in dropped])
            self._insert_pair_units(release, pair, [*rederived, *made])
        self._number_pair_units(release)

    def _insert_pair_units(self, release: int, pair: str, units: Iterable[UnitRecord]) -> None:
        x, y = pair.split("-")
        rows = []
        for unit in units:
            if x in unit.texts and y in unit.texts:
                # pair_units.source_first is NOT NULL: -1 stands for a side no longer on the page.
                (sf, sc), (tf, tc) = (
                    (-1 if first is None else first, count) for first, count in (unit.spans[x], unit.spans[y])
                )
                own = (unit.texts[x], unit.texts[y]) if unit.reviewer else (None, None)
                row = (release, pair, -1, sf, sc, tf, tc, f"{sc}-{tc}", unit.confidence, *own)
                rows.append((*row, unit.props, unit.reviewer, unit.reviewed_at))
        self.db.executemany(
            "INSERT INTO pair_units (release, pair, position, source_first, source_count, target_first, target_count,"
            " bead_type, confidence, source, target, props, reviewer, reviewed_at)"
            f" VALUES ({', '.join('?' * 14)})",
            rows,
        )

    def _number_pair_units(self, release: int) -> None:
        """Pair units in the order of their sentences (a unit not on the page any more, last)."""
        self.db.execute(
            "UPDATE pair_units SET position = n FROM (SELECT id AS unit, row_number() OVER (PARTITION BY pair ORDER BY"
            " source_first < 0, source_first, target_first, position) - 1 AS n FROM pair_units WHERE release = ?)"
            " WHERE id = unit",
            (release,),
        )

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


def _run(first: int | None, count: int) -> range:
    return range(first, first + count) if first is not None and first >= 0 else range(0)


def _touches(row: tuple, xs: set[int], ys: set[int]) -> bool:
    return bool(set(_run(row[1], row[2])) & xs or set(_run(row[3], row[4])) & ys)


def _texts_json(units: list[UnitRecord]) -> str:
    return json.dumps([{"id": unit.id, "texts": unit.texts} for unit in units], ensure_ascii=False)
