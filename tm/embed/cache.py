"""Embedding cache keyed by (encoder id, text hash): a re-run never encodes a sentence twice."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import OrderedDict
from pathlib import Path

import numpy as np

from tm.embed.base import Encoder


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# Bytes of vectors kept in memory, the most recently used: a build over an archive would
# otherwise hold every sentence's vector (about 1 GB for 10,000 releases of the bundled encoder,
# 1.4 GB more with the n-gram encoder's 4,096 dimensions); the SQLite file, when given, keeps
# them all. 128 MiB hold the 65,000 sentences of about 1,500 releases at 512 dimensions.
MEMORY_BYTES = 128 << 20


class CachedEncoder:
    """Wraps an encoder; the most recently used vectors live in memory, and all of them in a
    SQLite file when `path` is given."""

    def __init__(self, encoder: Encoder, path: Path | None = None, memory: int = MEMORY_BYTES) -> None:
        self.inner = encoder
        self.id = encoder.id
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._capacity, self._held = memory, 0
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
                self._keep(key, np.frombuffer(blob, dtype=np.float32))

    def encode(self, sentences: list[str]) -> np.ndarray:
        keys = [text_key(s) for s in sentences]
        self._load(keys)
        missing = {k: s for k, s in zip(keys, sentences, strict=False) if k not in self._memory}
        if missing:
            vectors = self.inner.encode(list(missing.values()))
            # Copies: a row would keep its whole batch alive after the others are dropped.
            fresh = {key: vector.copy() for key, vector in zip(missing, vectors, strict=False)}
            for key, vector in fresh.items():
                self._keep(key, vector)
            if self._db is not None:
                with self._db:
                    self._db.executemany(
                        "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                        [(self.id, k, v.astype(np.float32).tobytes()) for k, v in fresh.items()],
                    )
        if not sentences:
            return self.inner.encode([])
        vectors = np.stack([self._memory[k] for k in keys])
        for key in keys:
            self._memory.move_to_end(key)
        while self._held > self._capacity and len(self._memory) > len(keys):
            _, dropped = self._memory.popitem(last=False)
            self._held -= dropped.nbytes
        return vectors

    def _keep(self, key: str, vector: np.ndarray) -> None:
        if key not in self._memory:
            self._held += vector.nbytes
        self._memory[key] = vector
