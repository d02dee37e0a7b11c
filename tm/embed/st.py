"""Any sentence-transformers model the user has on disk (LaBSE, for one), loaded offline."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from tm.embed.base import normalize_rows
from tm.errors import TmError

REQUIRED = {
    "modules.json": ["modules.json"],
    "model config": ["config.json"],
    "weights": ["model.safetensors", "pytorch_model.bin"],
    "tokenizer": ["tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "tokenizer.model"],
}


def check_model_folder(folder: Path) -> None:
    """Name what a sentence-transformers folder lacks before torch gets to fail on it."""
    if not folder.is_dir():
        raise TmError("sentence-transformers model folder not found", folder)
    missing = [what for what, names in REQUIRED.items() if not any((folder / n).exists() for n in names)]
    if not any("Pooling" in sub.name and (sub / "config.json").is_file() for sub in folder.iterdir()):
        missing.append("pooling config (1_Pooling/config.json)")
    if missing:
        raise TmError(f"not a complete sentence-transformers model: missing {', '.join(missing)}", folder)


def model_fingerprint(folder: Path) -> str:
    """A short hash of what decides a model's vectors: its configs, and its weight files' names
    and sizes (hashing gigabytes of weights at every start would cost seconds)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if path.suffix == ".json" or path.name == "vocab.txt":
            digest.update(f"{relative}\0".encode() + path.read_bytes())
        elif path.suffix in (".safetensors", ".bin", ".model", ".onnx"):
            digest.update(f"{relative}\0{path.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def _resolve(name: str) -> str:
    """A folder path as given, or a hub id looked up in the local Hugging Face cache only."""
    if Path(name).expanduser().exists():
        folder = Path(name).expanduser()
        check_model_folder(folder)
        return str(folder)
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(name, local_files_only=True)
    except Exception as error:  # the hub client raises many types for "not cached"
        raise TmError(f"model {name!r} is neither a folder nor in the local Hugging Face cache") from error


def model_id(name: str) -> str:
    """The encoder id of model `name` without loading it. Two models saved under the same folder
    name must not share cached vectors, so the id carries the model's fingerprint."""
    path = Path(_resolve(name))
    return f"st:{path.name}@{model_fingerprint(path)}"


class SentenceTransformerEncoder:
    def __init__(self, name: str, threads: int | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise TmError("the st: encoders need `pip install 'tm[st]'` (sentence-transformers)") from error
        path = _resolve(name)
        if threads:
            import torch

            torch.set_num_threads(threads)
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.id = model_id(path)

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            # renamed get_embedding_dimension in sentence-transformers 6
            size = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
            dim = size() or 0
            return np.zeros((0, dim), dtype=np.float32)
        vectors = self._model.encode(list(sentences), batch_size=64, convert_to_numpy=True)
        return normalize_rows(np.asarray(vectors, dtype=np.float32))
