"""Storing releases: an aligned release whole (its documents, sentences, tri-units and pair units),
an imported file as one release, and what is asked of a stored release. A release that replaces
others keeps their reviewed units and gives their unchanged units back their ids.
Mixed into TranslationMemory over its connection layer (`tm.store.db.Database`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from itertools import combinations

from tm.langs import CODES
from tm.store.reads import batched
from tm.store.records import UnitRecord
from tm.store.schema import MULTILINGUAL

_IMPORT_BATCH = 10_000
_UNIT_RUNS = ", ".join(f"{lang}_first, {lang}_count" for lang in CODES)
_UNIT_SPANS = ", ".join(f"{lang}_first, {lang}_count, {lang}" for lang in CODES)
_PAIR_SPANS = "source_first, source_count, source, target_first, target_count, target"


def content_hash(texts: dict[str, str], signature: str) -> str:
    digest = hashlib.sha256(signature.encode())
    for lang in sorted(texts):
        digest.update(f"\0{lang}\0{texts[lang]}".encode())
    return digest.hexdigest()


class Releases:
    """Mixed into TranslationMemory: `db`, `path` and `transaction` come from its `Database`."""

    def delete(self, collection: str, release_id: str | None = None) -> int:
        """Remove one release, or a whole collection, with all its units; returns releases removed."""
        where, args = "collection = ?", [collection]
        if release_id is not None:
            where, args = f"{where} AND release_id = ?", [collection, release_id]
        with self.transaction():
            return self.db.execute(f"DELETE FROM releases WHERE {where}", args).rowcount

    def releases_holding(self, collection: str, paths: Iterable[str]) -> list[str]:
        """The stored releases of `collection` that hold one of these page files, those holding
        the most first (then the first stored)."""
        paths = sorted({path for path in paths if path})
        if not paths:
            return []
        rows = self.db.execute(
            f"SELECT r.release_id FROM releases r JOIN documents d ON d.release = r.id WHERE r.collection = ?"
            f" AND d.path IN ({','.join('?' * len(paths))}) GROUP BY r.id ORDER BY count(*) DESC, r.id",
            [collection, *paths],
        ).fetchall()
        return [release_id for (release_id,) in rows]

    def release_key(self, collection: str, release_id: str) -> int | None:
        """The key of a stored release, or None."""
        return self._release_field("id", collection, release_id)

    def release_named(self, name: str) -> tuple[str, str] | None:
        """The (collection, release id) of the stored release written `collection/release_id`:
        both may hold slashes (`site1/news` and `2024/77`, `import` and a file's path), so each
        split is tried."""
        for at in (n for n, char in enumerate(name) if char == "/"):
            collection, release_id = name[:at], name[at + 1 :]
            if self.release_key(collection, release_id) is not None:
                return collection, release_id
        return None

    def release_info(self, collection: str, release_id: str) -> dict | None:
        """A stored release's page URL, date, title, aligner and flag, or None when it is not stored."""
        cursor = self.db.execute(
            "SELECT url, date, title, aligner, flag FROM releases WHERE collection = ? AND release_id = ?",
            (collection, release_id),
        )
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None

    def release_hash(self, collection: str, release_id: str) -> str | None:
        """The content hash a release was stored with, or None when it is not stored."""
        return self._release_field("content_hash", collection, release_id)

    def release_aligner(self, collection: str, release_id: str) -> str | None:
        """The aligner signature a release was aligned with, or None when it is not stored."""
        return self._release_field("aligner", collection, release_id)

    def release_confidence(self, collection: str, release_id: str) -> float | None:
        """The mean confidence of a release's units of two or more languages (None: it has none)."""
        row = self.db.execute(
            "SELECT avg(u.confidence) FROM units u JOIN releases r ON r.id = u.release"
            " WHERE r.collection = ? AND r.release_id = ?"
            f" AND {MULTILINGUAL}",
            (collection, release_id),
        ).fetchone()
        return row[0]

    def _release_field(self, column: str, collection: str, release_id: str):
        row = self.db.execute(
            f"SELECT {column} FROM releases WHERE collection = ? AND release_id = ?", (collection, release_id)
        ).fetchone()
        return row[0] if row else None

    def add_release(self, record, flag: str | None = None) -> int:
        """Store a `tm.jobs.AlignedRelease` whole, replacing an older version of it and any other
        release of its collection that holds one of its page files (a page stored alone that has
        now joined its release); the reviewed units of all of them are kept. `flag` says why its
        versions may not be one release (its units then stay out of exports unless asked for)."""
        self._require_transaction()
        release = record.release
        paths = [document.path for document in release.documents.values()]
        replaced = {release.release_id, *self.releases_holding(release.collection, paths)}
        old = self.stored_units(release.collection, sorted(replaced))
        kept = self.kept(old)
        ids = _UnitIds(_unreviewed_by_texts(old), self._first_free_id(kept))
        self.db.executemany(
            "DELETE FROM releases WHERE collection = ? AND release_id = ?",
            [(release.collection, release_id) for release_id in replaced],
        )
        cursor = self.db.execute(
            "INSERT INTO releases (collection, release_id, url, date, title, content_hash, aligner, flag, stored)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                release.collection,
                release.release_id,
                release.url or _first_url(release),
                release.date.isoformat() if release.date else None,
                release.title or _first_title(release),
                record.content_hash,
                record.alignment.signature,
                flag,
                self.writing_generation(),
            ),
        )
        key = cursor.lastrowid
        self._add_documents(key, record)
        self._add_units(key, record, ids)
        self.keep_reviewed(key, kept)
        return key

    def _add_documents(self, key: int, record) -> None:
        for lang, document in record.release.documents.items():
            self.db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    lang,
                    document.path,
                    document.url,
                    document.title,
                    hashlib.sha256(document.text.encode()).hexdigest(),
                ),
            )
        self.db.executemany(
            "INSERT INTO segments VALUES (?, ?, ?, ?)",
            [
                (key, lang, i, text)
                for lang, sents in record.alignment.sentences.items()
                for i, text in enumerate(sents)
            ],
        )

    def _first_free_id(self, kept: list) -> int:
        """The id the new units of a release start from: above every unit's, and above those of the
        reviewed units about to come back, so that each of those keeps the id people know it by."""
        highest = self.db.execute("SELECT max(id) FROM units").fetchone()[0] or 0
        return max([highest, *(item.unit.id or 0 for item in kept)]) + 1

    def _add_units(self, key: int, record, ids: _UnitIds) -> None:
        alignment = record.alignment
        sentences = alignment.sentences
        rows, version = [], self.writing_generation()
        for position, unit in enumerate(alignment.units):
            spans = [value for lang in CODES for value in _span(unit.sentences.get(lang, ()), sentences.get(lang))]
            texts = {
                lang: " ".join(sentences[lang][i] for i in found) for lang, found in unit.sentences.items() if found
            }
            unit_id, unit_version = ids.take(_texts_key(texts), version)
            rows.append((unit_id, key, position, unit.bead_type, unit.confidence, unit_version, *spans))
        self.db.executemany(
            f"INSERT INTO units (id, release, position, bead_type, confidence, version, {_UNIT_SPANS})"
            f" VALUES (?, ?, ?, ?, ?, ?{', ?' * 9})",
            rows,
        )
        pair_rows = []
        for pair, links in alignment.pairs.items():
            x, y = pair.split("-")
            for position, link in enumerate(links):
                if link.source and link.target:
                    source, target = _span(link.source, sentences[x]), _span(link.target, sentences[y])
                    bead = f"{len(link.source)}-{len(link.target)}"
                    pair_rows.append((key, pair, position, *source, *target, bead, link.confidence))
        self.db.executemany(
            f"INSERT INTO pair_units (release, pair, position, {_PAIR_SPANS}, bead_type, confidence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pair_rows,
        )

    def find_release(self, collection: str, content_hash: str) -> str | None:
        """The release of `collection` stored with this content hash (for imports: the file's), if any."""
        row = self.db.execute(
            "SELECT release_id FROM releases WHERE collection = ? AND content_hash = ?", (collection, content_hash)
        ).fetchone()
        return row[0] if row else None

    def add_imported(
        self, collection: str, release_id: str, units: Iterable, content_hash: str = ""
    ) -> tuple[int, int]:
        """Store units streamed from a TMX/PO/table file as one release, replacing an earlier import
        under the same `release_id` (the file's full path); each unit keeps its file's properties and
        notes. Returns the units stored and the units of the earlier import that were replaced."""
        self._require_transaction()
        replaced = self.db.execute(
            "SELECT count(*) FROM units u JOIN releases r ON r.id = u.release"
            " WHERE r.collection = ? AND r.release_id = ?",
            (collection, release_id),
        ).fetchone()[0]
        kept = self.reviewed_of(collection, release_id)
        self.db.execute("DELETE FROM releases WHERE collection = ? AND release_id = ?", (collection, release_id))
        version = self.writing_generation()
        key = self.db.execute(
            "INSERT INTO releases (collection, release_id, content_hash, aligner, stored)"
            " VALUES (?, ?, ?, 'import', ?)",
            (collection, release_id, content_hash, version),
        ).lastrowid
        count, first_id = 0, self._first_free_id(kept)
        for batch in batched(units, _IMPORT_BATCH):
            segment_rows, unit_rows, pair_rows = [], [], []
            for unit in batch:
                confidence = float(unit.properties.get("x-confidence", 1.0) or 1.0)
                present = [lang for lang in CODES if unit.texts.get(lang)]
                bead = "-".join("1" if lang in present else "0" for lang in CODES)
                props = json.dumps(unit.properties, ensure_ascii=False) if unit.properties else None
                segment_rows += [(key, lang, count, unit.texts[lang]) for lang in present]
                spans = [value for lang in CODES for value in ((count, 1) if lang in present else (None, 0))]
                unit_rows.append((first_id + count, key, count, bead, confidence, *spans, props, version))
                pair_rows += [
                    (key, f"{x}-{y}", count, count, count, confidence, props) for x, y in combinations(present, 2)
                ]
                count += 1
            self.db.executemany("INSERT INTO segments VALUES (?, ?, ?, ?)", segment_rows)
            self.db.executemany(
                f"INSERT INTO units (id, release, position, bead_type, confidence, {_UNIT_RUNS}, props, version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                unit_rows,
            )
            self.db.executemany(
                "INSERT INTO pair_units (release, pair, position, source_first, source_count, target_first,"
                " target_count, bead_type, confidence, props) VALUES (?, ?, ?, ?, 1, ?, 1, '1-1', ?, ?)",
                pair_rows,
            )
        self.keep_reviewed(key, kept)
        return count, replaced


def _unreviewed_by_texts(units: Iterable[UnitRecord]) -> dict[tuple, list[tuple[int, int]]]:
    """The (id, version) of the unreviewed ones of `units`, by their texts."""
    found: dict[tuple, list[tuple[int, int]]] = {}
    for unit in units:
        if not unit.reviewer:
            found.setdefault(_texts_key(unit.texts), []).append((unit.id, unit.version))
    return found


class _UnitIds:
    """Ids for the units of a release stored anew. A unit with the very texts of an unreviewed
    unit of the version it replaces takes that unit's id and version: a link a person holds to it
    (a review queue, a lookup) still names the same sentences after a rebuild. Any other unit gets
    a fresh id, above every id in use or about to come back with a reviewed unit."""

    def __init__(self, reusable: dict[tuple, list[tuple[int, int]]], first_free: int) -> None:
        self.reusable, self.next = reusable, first_free

    def take(self, texts: tuple, version: int) -> tuple[int, int]:
        if found := self.reusable.get(texts):
            return found.pop(0)
        self.next += 1
        return self.next - 1, version


def _texts_key(texts: dict[str, str]) -> tuple:
    return tuple(texts.get(lang) for lang in CODES)


def _span(indices: tuple[int, ...], sentences: list[str] | None) -> tuple[int | None, int, str | None]:
    """One side of a unit as (first, count) of its run of segments, and its own text only
    where its sentences are not one run."""
    if not indices:
        return None, 0, None
    first = indices[0]
    if list(indices) == list(range(first, first + len(indices))):
        return first, len(indices), None
    return first, len(indices), " ".join(sentences[i] for i in indices)


def _first_url(release) -> str | None:
    return next((d.url for d in release.documents.values() if d.url), None)


def _first_title(release) -> str | None:
    document = release.documents.get("en") or next(iter(release.documents.values()))
    return document.title
