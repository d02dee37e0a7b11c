"""The sentence-transformers path, on a tiny random-weight model built here (no download)."""

import os
import shutil

import numpy as np
import pytest

from tests.conftest import SAMPLE
from tm.align import align
from tm.embed import get_encoder
from tm.errors import TmError
from tm.jobs import align_folder

if os.environ.get("CI"):
    import sentence_transformers  # noqa: F401  (CI installs the st extra: a missing one must fail)
else:
    pytest.importorskip("sentence_transformers")

LETTERS = "abcdefghijklmnopqrstuvwxyzäçňöşüýžабвгдеёжзийклмнопрстуфхцчшщъыьэюя0123456789.,-"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """BERT (one layer, random weights) -> mean pooling -> Dense -> Normalize, saved as a folder."""
    import torch
    from sentence_transformers import SentenceTransformer

    try:  # the modules moved in sentence-transformers 6
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:
        from sentence_transformers import models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("models")
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *LETTERS, *(f"##{c}" for c in LETTERS)]))
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(folder / "bert")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=5 + 2 * len(LETTERS),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(folder / "bert")
    word = models.Transformer(str(folder / "bert"), max_seq_length=128)
    pooling = models.Pooling(32, "mean")
    dense = models.Dense(32, 16, activation_function=torch.nn.Tanh())
    SentenceTransformer(modules=[word, pooling, dense, models.Normalize()]).save(str(folder / "tiny"))
    return folder / "tiny"


def test_st_encoder_loads_offline_and_gives_unit_vectors(tiny_model):
    encoder = get_encoder(f"st:{tiny_model}")
    vectors = encoder.encode(["Taraplar ylalaşdylar.", "Стороны договорились.", "The parties agreed."])
    assert vectors.shape == (3, 16)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(
        vectors, encoder.encode(["Taraplar ylalaşdylar.", "Стороны договорились.", "The parties agreed."])
    )
    assert encoder.encode([]).shape == (0, 16)
    assert encoder.id.startswith("st:tiny@") and os.environ["HF_HUB_OFFLINE"] == "1"


def test_another_model_under_the_same_name_gets_another_id(tiny_model, tmp_path):
    """The id keys the embedding cache: a retrained model in a folder of the same name must not reuse vectors."""
    other = tmp_path / "tiny"
    shutil.copytree(tiny_model, other)
    assert get_encoder(f"st:{other}").id == get_encoder(f"st:{tiny_model}").id
    config = other / "config_sentence_transformers.json"
    config.write_text(config.read_text().replace("{", '{"prompts": {"x": "y"},', 1))
    assert get_encoder(f"st:{other}").id != get_encoder(f"st:{tiny_model}").id


def test_aligner_runs_on_an_st_model(tiny_model):
    alignment = align_folder(SAMPLE / "2024-002", get_encoder(f"st:{tiny_model}"))
    assert "encoder=st:tiny@" in alignment.signature
    for lang, sentences in alignment.sentences.items():
        covered = sorted(i for unit in alignment.units for i in unit.sentences.get(lang, ()))
        assert covered == list(range(len(sentences)))
    assert all(0.0 <= unit.confidence <= 1.0 for unit in alignment.units)


def test_incomplete_model_folder_names_what_is_missing(tiny_model, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in tiny_model.iterdir():
        if item.name not in ("tokenizer.json", "vocab.txt") and item.is_file():
            (broken / item.name).write_bytes(item.read_bytes())
    with pytest.raises(TmError, match="missing tokenizer, pooling config"):
        get_encoder(f"st:{broken}")
    with pytest.raises(TmError, match="neither a folder nor in the local Hugging Face cache"):
        align({"en": ["x"], "ru": ["у"]}, get_encoder("st:no-such/model-anywhere"))
