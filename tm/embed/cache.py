"""Embedding cache keyed by (encoder id, text hash): a re-run never encodes a sentence twice."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from tm.embed.base import Encoder


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class CachedEncoder:
    """Wraps an encoder; vectors live in memory, and in a SQLite file when `path` is given."""

    def __init__(self, encoder: Encoder, path: Path | None = None) -> None:
        self.inner = encoder
        self.id = encoder.id
        self._memory: dict[str, np.ndarray] = {}
        self._db = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
            # Build workers share the file: with a write-ahead log, readers do not wait for writers,
            # and a lost last write of a cache costs a re-encoding, not data.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (encoder TEXT, key TEXT, vector BLOB, PRIMARY KEY (encoder, key))"
            )

    def _load(self, keys: list[str]) -> None:
        wanted = [k for k in keys if k not in self._memory]
        if self._db is None or not wanted:
            return
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE encoder = ? AND key IN ({marks})",
                [self.id, *chunk],
            )
            for key, blob in rows:
                self._memory[key] = np.frombuffer(blob, dtype=np.float32)

    def encode(self, sentences: list[str]) -> np.ndarray:
        keys = [text_key(s) for s in sentences]
        self._load(keys)
        missing = {k: s for k, s in zip(keys, sentences, strict=False) if k not in self._memory}
        if missing:
            vectors = self.inner.encode(list(missing.values()))
            fresh = dict(zip(missing, vectors, strict=False))
            self._memory.update(fresh)
            if self._db is not None:
                with self._db:
                    self._db.executemany(
                        "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                        [(self.id, k, v.astype(np.float32).tobytes()) for k, v in fresh.items()],
                    )
        if not sentences:
            return self.inner.encode([])
        return np.stack([self._memory[k] for k in keys])
