"""What a build learns from the TM or from a folder of aligned documents: the lexicon the aligner
uses (`tm learn`, `tm build --learn`)."""

from __future__ import annotations

from pathlib import Path

from tm.align.learn import Lexicon
from tm.align.selftrain import Document, self_train
from tm.corpus import Skipped
from tm.embed import Encoder
from tm.errors import InputError
from tm.jobs.prepare import corpus_releases, read_presegmented, segment_release
from tm.langs import CODES
from tm.store import StoredModel, TranslationMemory


def learn_from_tm(tm: TranslationMemory, encoder: Encoder) -> StoredModel | None:
    """Self-train a lexicon on every release of the TM with two or more languages, and store it
    as the TM's next model version (None, and nothing stored, when learning did not help)."""
    documents = [Document(sentences) for _, _, sentences in tm.release_sentences() if len(sentences) >= 2]
    lexicon = self_train(documents, encoder) if documents else None
    if lexicon is None:
        return None
    return tm.save_model(lexicon.id, lexicon.to_json(), len(documents))


def learn_from_folder(
    folder: Path, encoder: Encoder, presegmented: bool = False, progress=None
) -> tuple[Lexicon | None, int]:
    """Self-train a lexicon on every release below `folder` (release folders of `{lang}.sent.txt`
    with `presegmented`, else a corpus or saved pages as `tm build` reads them); and how many
    releases it learned from."""
    if presegmented:
        documents = [Document(read_presegmented(d)) for d in _presegmented_folders(Path(folder))]
    else:
        skipped: list[Skipped] = []
        documents = [
            Document(*segment_release(release))
            for release in corpus_releases(Path(folder), skipped, encoder)
            if len(release.documents) >= 2
        ]
    if not documents:
        raise InputError("no release with two or more of tk, ru, en to learn from", folder)
    return self_train(documents, encoder, progress=progress), len(documents)


def _presegmented_folders(root: Path) -> list[Path]:
    """Every folder at or below `root` holding two or more `{lang}.sent.txt`."""
    folders = {path.parent for path in root.rglob("*.sent.txt") if path.name.split(".")[0] in CODES}
    return sorted(f for f in folders if sum((f / f"{lang}.sent.txt").is_file() for lang in CODES) >= 2)
