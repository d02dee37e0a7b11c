"""What the aligner learns from its own output: the lexicon, self-training, tm learn and build --learn."""

import json
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import SAMPLE
from tm.align import align, signature
from tm.align.learn import LEARN_FROM, LearnedBead, Lexicon, learn_lexicon, stems
from tm.errors import InputError
from tm.jobs import build
from tm.store import TranslationMemory

BEADS = [
    LearnedBead("tk-en", "Ministr gepleşik geçirdi.", "The minister held talks.", 0.9),
    LearnedBead("tk-en", "Ministr Aşgabada geldi.", "The minister came to Ashgabat.", 0.8),
    LearnedBead("tk-en", "Gepleşik tamamlandy.", "The talks ended.", 0.95),
    LearnedBead("tk-en", "Forum açyldy.", "The forum opened.", 0.99),  # seen together once only
    LearnedBead("tk-en", "Ministr forumy açdy.", "Rain fell on the city.", LEARN_FROM - 0.1),  # too unsure
]


def test_stem_pairs_seen_together_in_confident_beads_are_learned():
    lexicon = learn_lexicon(BEADS)
    table = lexicon.translations["tk-en"]
    assert "mini" in table["mini"]  # ministr ~ minister: twice together, Dice 1
    assert "talk" in table["gepl"]
    assert "foru" not in table  # once together is chance
    assert not any("rain" in found for found in table.values())  # the unsure bead taught nothing
    assert lexicon.learned_from == 4 and lexicon.translations["tk-ru"] == {}


def test_stems_are_lower_cased_word_beginnings():
    assert stems("Ministr Aşgabada 12 geldi, we.") == frozenset({"mini", "aşga", "geld", "we"})


def test_a_sentence_pair_scores_the_share_of_its_stems_translated_both_ways():
    lexicon = Lexicon({"tk-en": {"mini": frozenset({"mini"}), "gepl": frozenset({"talk"})}})
    scores = lexicon.similarity("tk-en", ["Ministr gepleşik geçirdi."], ["The minister held talks.", "Rain."])
    # tk: 2 of 3 stems translated in the first sentence; en: 2 of 4 ("the", "mini", "held", "talk").
    assert scores.shape == (1, 2)
    assert scores[0, 0] == pytest.approx((2 / 3 + 2 / 4) / 2) and scores[0, 1] == 0
    assert lexicon.similarity("tk-ru", ["Ministr."], ["Министр."]) is None


def test_a_model_file_round_trips_and_bad_ones_are_refused_in_one_line(tmp_path):
    lexicon = learn_lexicon(BEADS)
    lexicon.save(tmp_path / "m.json")
    again = Lexicon.load(tmp_path / "m.json")
    assert again == lexicon and again.id == lexicon.id
    (tmp_path / "bad.json").write_text(json.dumps({"format": "tm-lexicon", "version": 99}))
    with pytest.raises(InputError, match="tm model version 99; this tm reads version 1"):
        Lexicon.load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="not a tm model"):
        Lexicon.load(tmp_path / "other.json")


def test_the_model_changes_the_alignment_signature(fast_encoder):
    lexicon = learn_lexicon(BEADS)
    sentences = {"tk": ["Ministr gepleşik geçirdi."], "en": ["The minister held talks."]}
    assert align(sentences, fast_encoder, lexicon=lexicon).signature == signature(fast_encoder.id, lexicon=lexicon)
    assert lexicon.id in signature(fast_encoder.id, lexicon=lexicon)
    assert lexicon.id not in signature(fast_encoder.id)


@pytest.fixture(scope="module")
def hard_corpus(shared, tmp_path_factory):
    """30 align-dev hard documents as a corpus of releases ({lang}.txt) and as release folders of
    {lang}.sent.txt, and an embedding cache the tests share: the encoder is most of their time."""
    root = tmp_path_factory.mktemp("hard")
    for doc in sorted((shared / "eval/align-dev/hard").iterdir())[:30]:
        for lang in ("tk", "ru", "en"):
            for name, folder in ((f"{lang}.txt", "corpus/hard"), (f"{lang}.sent.txt", "sentences")):
                (root / folder / doc.name).mkdir(parents=True, exist_ok=True)
                shutil.copy(doc / name, root / folder / doc.name / name)
    return root, root / "embeddings.sqlite"


def test_build_learn_stores_a_versioned_model_and_realigns_with_it(hard_corpus, tmp_path):
    root, cache = hard_corpus
    corpus = root / "corpus/hard"
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(corpus, tm, "use", cache=cache, learn=True)
        model = tm.current_model()
        assert report.learned == model and model.version == 1 and model.learned_from == 30
        aligners = {row[0] for row in tm.db.execute("SELECT aligner FROM releases")}
        assert len(aligners) == 1 and f"model={model.id}" in aligners.pop()
        # A plain build afterwards aligns with the stored model: nothing to redo.
        again = build(corpus, tm, "use", cache=cache)
        assert (again.unchanged, again.added) == (30, 0)


def test_tm_learn_writes_a_model_that_tm_align_uses(hard_corpus, tmp_path):
    root, cache = hard_corpus
    corpus = root / "sentences"
    run = subprocess.run(
        [sys.executable, "-m", "tm", "learn", corpus, "--presegmented", "-o", "m.json", "--cache", cache],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("round 0:") and lines[-1].startswith("wrote m.json:") and "from 30 releases" in lines[-1]
    assert Lexicon.load(tmp_path / "m.json").entries() > 1000
    aligned = subprocess.run(
        [sys.executable, "-m", "tm", "align", corpus / "ntrex-000", "--presegmented", "--model", "m.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert aligned.returncode == 0 and json.loads(aligned.stdout)[0]["tk"] == [0]


def test_learning_from_a_folder_without_releases_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "tm", "learn", "empty", "--presegmented", "-o", "m.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and run.stderr.startswith("Error: empty: no release with two or more")
    assert not (tmp_path / "m.json").exists()


def test_a_tm_of_schema_6_gets_the_models_table(tmp_path):
    path = tmp_path / "old.db"
    with TranslationMemory(path):
        pass
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE models")
        db.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    with TranslationMemory(path) as tm:
        assert tm.current_model() is None
        assert np.isclose(tm.save_model("lexicon@x", "{}", 3).version, 1)


def test_a_new_model_never_realigns_behind_the_users_back(tmp_path):
    db = tmp_path / "tm.db"
    with TranslationMemory(db) as tm:
        build(SAMPLE, tm, "ngram")
        lexicon = learn_lexicon(BEADS)
        tm.save_model(lexicon.id, lexicon.to_json(), 4)
        plain = build(SAMPLE, tm, "ngram")
        assert (plain.added, plain.unchanged, plain.outdated) == (0, 6, 6)
        assert not any(lexicon.id in row[0] for row in tm.db.execute("SELECT aligner FROM releases"))
        choosy = build(SAMPLE, tm, "ngram", realign=True, below=0.0)  # no release is under 0
        assert (choosy.added, choosy.outdated) == (0, 6)
        # Aligned without a model, every release is older than model 1, none older than model 0.
        assert build(SAMPLE, tm, "ngram", realign=True, older_than=0).outdated == 6
    run = subprocess.run(
        [sys.executable, "-m", "tm", "realign", SAMPLE, "--db", db, "--encoder", "ngram", "--older-than", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "releases: 6 (6 added, 0 unchanged, 0 skipped)" in run.stdout and "outdated" not in run.stdout
    with TranslationMemory(db) as tm:
        assert all(lexicon.id in row[0] for row in tm.db.execute("SELECT aligner FROM releases"))
        assert build(SAMPLE, tm, "ngram").unchanged == 6
