"""A lookup index saved beside its TM: one file of raw arrays, memory-mapped by every process.

The header names the format, the TM and the generation the index was built from, and a CRC-32
of each array, so a truncated, altered or foreign file is rebuilt instead of read.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np

from tm.files import replacing
from tm.lookup.index import FuzzyIndex

FORMAT_VERSION = 4  # 3: a CRC-32 of each array, checked on loading; 4: surface tokens, numbers by value too, best units
_MAGIC = b"tm-fuzzy-index\n"


def save_index(index: FuzzyIndex, path: Path, stamp: tuple[str, int]) -> None:
    """Write the index as one file of raw arrays (memory-mappable), then rename it into place:
    a reader sees the old file or the new one, never a part; concurrent writers never collide."""
    path.parent.mkdir(parents=True, exist_ok=True)
    vocabulary = "\n".join(sorted(index.vocabulary, key=index.vocabulary.__getitem__))
    arrays = {
        **index.arrays,
        "vocabulary": np.frombuffer(vocabulary.encode(), np.uint8),
        "collection_names": np.frombuffer("\n".join(index.collections).encode(), np.uint8),
    }
    header, offset = {"format": FORMAT_VERSION, "tm": stamp[0], "generation": stamp[1], "arrays": {}}, 0
    for name, array in arrays.items():
        checksum = zlib.crc32(np.ascontiguousarray(array).data)
        header["arrays"][name] = [array.dtype.str, len(array), offset, checksum]
        offset += -(-array.nbytes // 64) * 64  # 64-byte aligned
    head = json.dumps(header).encode()
    start = -(-(len(_MAGIC) + 8 + len(head)) // 64) * 64
    with replacing(path) as temporary, open(temporary, "wb") as out:
        out.write(_MAGIC + len(head).to_bytes(8, "little") + head)
        for name, array in arrays.items():
            out.seek(start + header["arrays"][name][2])
            out.write(np.ascontiguousarray(array).tobytes())
        out.truncate(start + offset)


def load_index(path: Path, identity: str) -> tuple[FuzzyIndex, int] | None:
    """The index saved at `path` for the TM `identity`, memory-mapped, and the generation it was
    built from; None when there is none, or it is unreadable, truncated, altered (a checksum of each
    array; about 60 ms a GB when a process first opens it) or of another TM."""
    try:
        with open(path, "rb") as file:
            if file.read(len(_MAGIC)) != _MAGIC:
                return None
            header = json.loads(file.read(int.from_bytes(file.read(8), "little")))
            start = -(-file.tell() // 64) * 64
        if header["format"] != FORMAT_VERSION or header["tm"] != identity:
            return None
        size = path.stat().st_size
        arrays = {}
        for name, (dtype, length, offset, checksum) in header["arrays"].items():
            if start + offset + np.dtype(dtype).itemsize * length > size:
                return None  # truncated
            # A plain view of the mapping: indexing a np.memmap costs a Python call of its own.
            mapped = np.memmap(path, dtype, "r", start + offset, (length,)).view(np.ndarray)
            arrays[name] = mapped if length else np.empty(0, dtype)
            if zlib.crc32(arrays[name].data) != checksum:
                return None  # altered since it was written
        vocabulary = arrays.pop("vocabulary").tobytes().decode()
        collections = arrays.pop("collection_names").tobytes().decode()
        index = FuzzyIndex(arrays, vocabulary.split("\n") if vocabulary else [], collections.split("\n"))
        return index, int(header["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
