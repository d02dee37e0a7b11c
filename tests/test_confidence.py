"""Bead confidence as a probability: the fit, the error measure, the shipped weights."""

import itertools
import json

import numpy as np
import pytest

from tm.align import align
from tm.align.confidence import (
    FEATURES,
    Calibration,
    expected_calibration_error,
    fit,
    load_calibration,
)


def test_fit_recovers_the_probabilities_of_a_known_logistic_model():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(20_000, len(FEATURES)))
    true_weights = np.linspace(-2, 2, len(FEATURES))
    probability = 1 / (1 + np.exp(-(features @ true_weights + 0.5)))
    correct = rng.random(len(features)) < probability
    fitted = fit(features, correct)
    assert np.abs(fitted.probability(features) - probability).mean() < 0.02


def test_expected_calibration_error_is_the_gap_between_confidence_and_accuracy():
    correct = np.array([True, False] * 50)
    assert expected_calibration_error(np.full(100, 0.5), correct) == pytest.approx(0.0)
    assert expected_calibration_error(np.full(100, 0.95), correct) == pytest.approx(0.45)
    # Two bins, each off by 0.1, weighted by their sizes.
    confidence = np.array([0.2] * 50 + [0.8] * 50)
    verdicts = np.array([True] * 15 + [False] * 35 + [True] * 35 + [False] * 15)
    assert expected_calibration_error(confidence, verdicts) == pytest.approx(0.1)


def test_calibration_round_trips_and_refuses_other_features():
    shipped = load_calibration()
    assert Calibration.from_json(shipped.to_json()) == shipped
    other = json.loads(shipped.to_json()) | {"features": ["score"]}
    with pytest.raises(ValueError, match="calibration made for features"):
        Calibration.from_json(json.dumps(other))


def test_the_calibration_enters_the_aligner_signature(fast_encoder):
    sentences = {"ru": ["Министр провёл переговоры."], "en": ["The minister held talks."]}
    shipped = align(sentences, fast_encoder)
    baseline = align(sentences, fast_encoder, calibration=Calibration.score_sigmoid())
    assert shipped.signature != baseline.signature
    assert shipped.pairs["ru-en"][0].confidence != baseline.pairs["ru-en"][0].confidence


def test_short_releases_of_align_dev_keep_a_high_confidence(shared):
    """Three-sentence releases cut from clean documents: every link is right, and the confidence
    says so, where the sigmoid of the DP score punished a release for being short."""
    from tm.embed import get_encoder

    encoder = get_encoder("use")
    releases = [
        {lang: (doc / f"{lang}.sent.txt").read_text().splitlines()[:3] for lang in ("tk", "ru", "en")}
        for doc in itertools.islice(sorted((shared / "eval/align-dev/clean").iterdir()), 0, 40, 5)
    ]

    def share_confident(calibration=None) -> float:
        units = [u for sentences in releases for u in align(sentences, encoder, calibration=calibration).units]
        return np.mean([unit.confidence >= 0.9 for unit in units])

    assert share_confident() >= 0.85
    assert share_confident(Calibration.score_sigmoid()) < 0.5
