"""The models the aligner learned from the TM, stored in it and versioned.

The store keeps a model as the text its learner wrote; what it means is the aligner's
business (tm.align.learn), so the data still flows one way.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class StoredModel:
    version: int
    id: str
    created: str
    learned_from: int  # releases
    content: str


class LearnedModels:
    """Mixed into TranslationMemory: `db` and `transaction` come from there."""

    db: sqlite3.Connection

    def save_model(self, model_id: str, content: str, learned_from: int) -> StoredModel:
        """Store a newly learned model as the next version; it becomes the current one."""
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():  # type: ignore[attr-defined]
            cursor = self.db.execute(
                "INSERT INTO models (id, created, learned_from, content) VALUES (?, ?, ?, ?)",
                (model_id, created, learned_from, content),
            )
        return StoredModel(cursor.lastrowid or 0, model_id, created, learned_from, content)

    def current_model(self) -> StoredModel | None:
        """The newest model, which builds align with (None: nothing learned yet)."""
        row = self.db.execute(
            "SELECT version, id, created, learned_from, content FROM models ORDER BY version DESC LIMIT 1"
        ).fetchone()
        return StoredModel(*row) if row else None

    def model_version(self, model_id: str) -> int:
        """The version a model is stored under (0 for a model this TM does not hold)."""
        row = self.db.execute("SELECT max(version) FROM models WHERE id = ?", (model_id,)).fetchone()
        return row[0] or 0

    def release_sentences(self) -> list[tuple[str, str, dict[str, list[str]]]]:
        """(collection, release id, sentences per language) of every release, to learn from."""
        rows = self.db.execute(
            "SELECT r.id, r.collection, r.release_id, s.lang, s.text FROM releases r"
            " JOIN segments s ON s.release = r.id ORDER BY r.id, s.lang, s.idx"
        )
        found = []
        for (_, collection, release_id), segments in groupby(rows, key=lambda row: row[:3]):
            sentences: dict[str, list[str]] = {}
            for *_, lang, text in segments:
                sentences.setdefault(lang, []).append(text)
            found.append((collection, release_id, sentences))
        return found
