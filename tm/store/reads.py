"""Reading the TM: units (tri-units, or the finest pairwise units of two languages) a page at a
time with their filters, a release's units, releases listed, and the counts of `tm stats`.
Mixed into TranslationMemory over its connection layer (`tm.store.db.Database`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice

from tm.errors import StoreError
from tm.langs import CODES
from tm.store.model import Stats, StoredUnit
from tm.store.schema import MULTILINGUAL, text_of

# How `releases()` can order them: by name, the newest first, the least confident first.
RELEASE_ORDERS = {
    "name": "r.collection",
    "date": "r.date IS NULL, r.date DESC",
    "confidence": "confidence IS NULL, confidence",
}
_READ_PAGE = 5_000


class UnitReads:
    """Mixed into TranslationMemory: `db` and `path` come from its `Database`."""

    def lone_segments(self, lang: str, release: int | None = None) -> list[StoredUnit]:
        """The `lang` sentences of releases stored without units (a page with no counterpart yet),
        each as a unit of one language; of one release (by key) if given."""
        # CROSS JOIN keeps SQLite on the releases first: the few without units, then their segments,
        # rather than every segment of the TM checked one by one.
        one = "" if release is None else " AND r.id = ?"
        rows = self.db.execute(
            "SELECT s.text, r.collection, r.release_id, r.url, r.date, r.id FROM releases r"
            " CROSS JOIN segments s ON s.release = r.id AND s.lang = ?"
            f" WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.release = r.id){one} ORDER BY r.id, s.idx",
            (lang,) if release is None else (lang, release),
        ).fetchall()
        return [
            StoredUnit(0, {lang: text}, "1-0", 0.0, collection, release_id, url, day, "", {}, key)
            for text, collection, release_id, url, day, key in rows
        ]

    def units_by_id(self, langs: tuple[str, str], ids: list[int]) -> dict[int, StoredUnit]:
        """The pairwise units (as `units` gives them for two languages) with these ids."""
        found: dict[int, StoredUnit] = {}
        for chunk in batched(ids, 500):  # SQLite binds at most 999 values in one statement
            found.update((u.id, u) for u in self.units(langs, ids=chunk))
        return found

    def units(
        self,
        langs: tuple[str, ...] = CODES,
        min_confidence: float = 0.0,
        collections: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        ids: list[int] | None = None,
        releases: list[int] | None = None,
        include_flagged: bool = True,
        include_lone: bool = False,
    ) -> Iterator[StoredUnit]:
        """Tri-units (or, for two languages, the finest pairwise units) in release order,
        filtered by confidence, collections, release date (ISO, inclusive), unit ids or release keys;
        without the units of flagged releases unless `include_flagged`, and without the sentences
        that have no counterpart (tri-units of one language) unless `include_lone`."""
        where, args = _unit_filters(min_confidence, collections, since, until, ids, releases, include_flagged)
        if len(langs) == 2:
            yield from self._pair_units(langs, where, args, by_id=ids is not None)
            return
        sides = [text_of("u", lang, lang) if lang in langs else ("NULL", "") for lang in CODES]
        columns = (
            f"u.id, {', '.join(column for column, _ in sides)}, u.bead_type, u.confidence, r.collection,"
            " r.release_id, r.url, r.date, r.aligner, u.props, u.reviewer"
        )
        for row in self._pages(columns, "units", "".join(join for _, join in sides), where, args):
            texts = {lang: text for lang, text in zip(CODES, row[1:4], strict=False) if text}
            if len(texts) >= 2 or (include_lone and texts):
                yield StoredUnit(row[0], texts, *row[4:11], _props(row[11]), row[13], row[12])

    def _pair_units(self, langs: tuple[str, ...], where: list[str], args: list, by_id: bool) -> Iterator[StoredUnit]:
        """The finest pairwise units of two languages, filtered by `where`."""
        first, second = sorted(langs, key=CODES.index)
        # With ids, a unary + keeps SQLite on the primary key instead of scanning the pair index.
        where = [*where, "+u.pair = ?" if by_id else "u.pair = ?"]
        args = [*args, f"{first}-{second}"]
        (source, source_join), (target, target_join) = text_of("u", "source", first), text_of("u", "target", second)
        columns = (
            f"u.id, {source}, {target}, u.bead_type, u.confidence, r.collection, r.release_id, r.url, r.date,"
            " r.aligner, u.props, u.reviewer"
        )
        for row in self._pages(columns, "pair_units", source_join + target_join, where, args):
            yield StoredUnit(row[0], {first: row[1], second: row[2]}, *row[3:10], _props(row[10]), row[12], row[11])

    def _pages(self, columns: str, table: str, joins: str, where: list[str], args: list) -> Iterator[tuple]:
        """Rows of `columns` of `table` (as `u`, joined with its release as `r`, and `joins`) in
        (release, position) order, a page at a time, each with the release key and position at its
        end. Each page is read whole, so no statement, and no read snapshot, stays open while the
        caller works on the rows: a slow export does not hold back the WAL checkpoints of writers."""
        after = (-1, -1)
        query = (
            f"SELECT {columns}, u.release, u.position FROM {table} u JOIN releases r ON r.id = u.release{joins}"
            f" WHERE {' AND '.join(where)} AND (u.release, u.position) > (?, ?) ORDER BY u.release, u.position LIMIT ?"
        )
        while True:
            rows = self.db.execute(query, [*args, *after, _READ_PAGE]).fetchall()
            yield from rows
            if len(rows) < _READ_PAGE:
                return
            after = rows[-1][-2:]

    def stats(self) -> Stats:
        def counts(query: str) -> dict[str, int]:
            return {str(k): v for k, v in self.db.execute(query)}

        # A sentence with no counterpart is not a translation that may be wrong: it has no band.
        lone = f"NOT ({MULTILINGUAL})"
        band = (
            f"CASE WHEN {lone} THEN 'one language' WHEN confidence >= 0.9 THEN '>=0.9'"
            " WHEN confidence >= 0.5 THEN '0.5-0.9' ELSE '<0.5' END"
        )
        return Stats(
            releases=self.db.execute("SELECT count(*) FROM releases").fetchone()[0],
            units=self.db.execute("SELECT count(*) FROM units").fetchone()[0],
            by_pair=counts("SELECT pair, count(*) FROM pair_units GROUP BY pair"),
            by_bead_type=counts("SELECT bead_type, count(*) FROM units GROUP BY bead_type ORDER BY 2 DESC"),
            by_confidence=counts(f"SELECT {band} AS b, count(*) FROM units GROUP BY b"),
            by_collection=counts(
                "SELECT r.collection, count(*) FROM units u JOIN releases r ON r.id = u.release GROUP BY r.collection"
            ),
            flagged=self.db.execute("SELECT count(*) FROM releases WHERE flag IS NOT NULL").fetchone()[0],
        )

    def confidence_tenths(self) -> list[int]:
        """How many units of two or more languages have a confidence in each tenth, 0-0.1 to 0.9-1."""
        counts = dict(
            self.db.execute(
                f"SELECT min(CAST(confidence * 10 AS INTEGER), 9), count(*) FROM units WHERE {MULTILINGUAL} GROUP BY 1"
            ).fetchall()
        )
        return [counts.get(tenth, 0) for tenth in range(10)]

    def collections(self) -> list[str]:
        """The collections the TM holds, by name (for filters: far cheaper than `stats`)."""
        return [name for (name,) in self.db.execute("SELECT DISTINCT collection FROM releases ORDER BY 1")]

    def releases_per_day(self) -> list[tuple[str, int]]:
        """(ISO date, releases) for every day with a dated release, in date order."""
        return self.db.execute(
            "SELECT date, count(*) FROM releases WHERE date IS NOT NULL GROUP BY date ORDER BY date"
        ).fetchall()

    def release_view(self, key: int) -> list[StoredUnit]:
        """A release's units in document order, sentences with no counterpart too; for a release
        stored with one language (no units), its sentences, each alone."""
        units = list(self.units(releases=[key], include_lone=True))
        return units or [unit for lang in CODES for unit in self.lone_segments(lang, key)]

    def releases(
        self,
        collection: str | None = None,
        since: str | None = None,
        flagged: bool = False,
        limit: int = -1,
        offset: int = 0,
        order: str = "name",
    ) -> list[dict]:
        """The stored releases: name, date, languages, units of two or more languages, their mean
        confidence, flag; only one collection's, those dated on or after `since`, or the flagged;
        `limit` of them (-1: all) from `offset`, in the `order` of RELEASE_ORDERS."""
        if order not in RELEASE_ORDERS:
            raise StoreError(f"releases are listed by {', '.join(RELEASE_ORDERS)}, not {order!r}", self.path)
        where, args = [], []
        for clause, value in (("r.collection = ?", collection), ("r.date >= ?", since)):
            if value:
                where.append(clause)
                args.append(value)
        if flagged:
            where.append("r.flag IS NOT NULL")
        cursor = self.db.execute(
            "SELECT r.collection, r.release_id, r.date, (SELECT group_concat(lang, ',') FROM (SELECT d.lang FROM"
            " documents d WHERE d.release = r.id ORDER BY d.lang)) AS languages, (SELECT count(*) FROM units u"
            f" WHERE u.release = r.id AND {MULTILINGUAL}) AS units, (SELECT round(avg(u.confidence), 2) FROM units u"
            f" WHERE u.release = r.id AND {MULTILINGUAL}) AS confidence, r.flag FROM releases r"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {RELEASE_ORDERS[order]}, r.collection, r.release_id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def flagged(self) -> list[tuple[str, str, str]]:
        """(collection, release id, why) of every flagged release."""
        return self.db.execute(
            "SELECT collection, release_id, flag FROM releases WHERE flag IS NOT NULL ORDER BY collection, release_id"
        ).fetchall()


def _props(stored: str | None) -> dict[str, str]:
    return json.loads(stored) if stored else {}


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of `size` items (the last one shorter); itertools.batched from Python 3.12."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _unit_filters(
    min_confidence: float,
    collections: list[str] | None,
    since: str | None,
    until: str | None,
    ids: list[int] | None,
    releases: list[int] | None,
    include_flagged: bool,
) -> tuple[list[str], list]:
    """The WHERE clauses (over units `u` and releases `r`) and their values of `units`' filters."""
    where, args = ["u.confidence >= ?"], [min_confidence]
    if not include_flagged:
        where.append("r.flag IS NULL")
    lists = [("r.collection IN ({})", collections or None), ("u.id IN ({})", ids), ("u.release IN ({})", releases)]
    for clause, values in lists:
        if values is not None:
            where.append(clause.format(",".join("?" * len(values))))
            args += values
    for clause, value in [("r.date >= ?", since), ("r.date <= ?", until)]:
        if value:
            where.append(clause)
            args.append(value)
    return where, args
