"""Rewriting a release's units: the units a correction makes put in place of those it removes,
the pair units of every language pair derived again from them, and a release's units saved and
restored whole (what undo uses). Mixed into TranslationMemory over its connection layer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import combinations

from tm.langs import CODES
from tm.store.records import SPAN_COLUMNS, UnitRecord, segment_run


class UnitWrites:
    """Mixed into TranslationMemory: `db` and `path` come from its `Database`."""

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
            f"{', '.join(SPAN_COLUMNS)}, tk, ru, en, version) VALUES ({', '.join('?' * 18)})",
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
            dropped, rederived = _reached(rows, removed, others, x, y)
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


def _touches(row: tuple, xs: set[int], ys: set[int]) -> bool:
    return bool(set(segment_run(row[1], row[2])) & xs or set(segment_run(row[3], row[4])) & ys)


def _reached(
    rows: list[tuple], removed: list[UnitRecord], others: list[UnitRecord], x: str, y: str
) -> tuple[set[int], list[UnitRecord]]:
    """The pair units (`rows` of id and the spans of x and y) over the sentences of `removed`, and the
    units among `others` whose sentences those pair units reach into, to a fixed point: what a
    change to `removed` takes apart, and what must get pair units again."""
    reach: dict[str, set[int]] = {x: set(), y: set()}

    def take(unit: UnitRecord) -> None:
        reach[x].update(unit.covers(x))
        reach[y].update(unit.covers(y))

    def reached(unit: UnitRecord) -> bool:
        return bool(reach[x].intersection(unit.covers(x)) or reach[y].intersection(unit.covers(y)))

    for unit in removed:
        take(unit)
    dropped: set[int] = set()
    rederived: list[UnitRecord] = []
    while newly := [row for row in rows if row[0] not in dropped and _touches(row, reach[x], reach[y])]:
        dropped |= {row[0] for row in newly}
        for row in newly:
            reach[x].update(segment_run(row[1], row[2]))
            reach[y].update(segment_run(row[3], row[4]))
        for unit in others:
            if unit not in rederived and reached(unit):
                rederived.append(unit)
                take(unit)
    return dropped, rederived
