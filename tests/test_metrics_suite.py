"""ganlib.metrics.suite: the one metric suite, its keys, defaults and settings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ganlib import metrics as M
from ganlib.metrics import METRIC_DIRECTIONS, METRIC_FAMILIES, METRIC_KEYS, SuiteConfig, metric_suite


def _sets(seed=0):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(120, 6))
    fake = rng.normal(0.3, 1.2, size=(100, 6))
    train = rng.normal(size=(80, 6))
    logits = rng.normal(size=(100, 4))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return real, fake, train, probs


def test_metric_suite_matches_the_individual_metrics():
    real, fake, train, probs = _sets()
    out = metric_suite(real, fake, fake_probs=probs, train_features=train, n_kid_subsets=7,
                       kid_subset_size=50, nearest_k=3, seed=4)
    assert list(out) == list(METRIC_KEYS)
    assert all(type(v) is float for v in out.values())
    assert out[M.FID] == pytest.approx(M.fid_from_features(real, fake))
    kid = M.kid(real, fake, n_subsets=7, subset_size=50, seed=4)
    assert out[M.KID] == pytest.approx(kid.mean) and out[M.KID_STD] == pytest.approx(kid.std)
    pr = M.prdc(real, fake, nearest_k=3)
    assert {k: out[k] for k in (M.PRECISION, M.RECALL, M.DENSITY, M.COVERAGE)} == pytest.approx(pr.as_dict())
    assert out[M.CLASSIFIER_SCORE] == pytest.approx(M.inception_score(probs, n_splits=1).mean)
    c = M.c2st(real, fake, seed=4)
    assert out[M.C2ST_ACCURACY] == pytest.approx(c.accuracy) and out[M.C2ST_P_VALUE] == pytest.approx(c.p_value)
    mem = M.memorization_test(fake, train, real)
    assert out[M.MEMORIZATION_Z] == pytest.approx(mem.z) and out[M.COPY_FRACTION] == pytest.approx(mem.copy_fraction)


def test_metric_suite_fid_closed_form_and_optional_keys():
    # two samples whose fitted Gaussians are known exactly: mean shift only, identical covariance
    rng = np.random.default_rng(1)
    a = rng.normal(size=(200, 3))
    b = a + np.array([1.0, 2.0, 0.0])
    out = metric_suite(a, b, n_kid_subsets=2, kid_subset_size=50)
    assert out["fid"] == pytest.approx(5.0, rel=1e-9)  # ‖(1, 2, 0)‖²
    assert "classifier_score" not in out and "memorization_z" not in out
    assert list(out) == [k for k in METRIC_KEYS if k not in ("classifier_score", "memorization_z", "copy_fraction")]


def test_metric_suite_flags_copies():
    rng = np.random.default_rng(2)
    train, held = rng.normal(size=(300, 4)), rng.normal(size=(200, 4))
    copies = train[:200]
    out = metric_suite(held, copies, train_features=train, n_kid_subsets=2, kid_subset_size=50)
    assert out["memorization_z"] < -10 and out["copy_fraction"] == 1.0


def test_include_selects_families_and_their_keys():
    real, fake, train, probs = _sets(3)
    out = metric_suite(real, fake, fake_probs=probs, train_features=train, include=("fid", "prdc"))
    assert list(out) == ["fid", "precision", "recall", "density", "coverage"]
    assert sorted(k for keys in METRIC_FAMILIES.values() for k in keys) == sorted(METRIC_KEYS)


def test_a_config_and_overrides_give_the_same_values():
    real, fake, _, _ = _sets(4)
    config = SuiteConfig(include=("kid",), n_kid_subsets=5, kid_subset_size=40, seed=2)
    by_config = metric_suite(real, fake, config=config)
    by_keywords = metric_suite(real, fake, include=["kid"], n_kid_subsets=5, kid_subset_size=40, seed=2)
    assert by_config == by_keywords
    k = M.kid(real, fake, n_subsets=5, subset_size=40, seed=2)
    assert by_config == {"kid": k.mean, "kid_std": k.std}
    # overrides replace fields of the given config
    assert metric_suite(real, fake, config=config, seed=3) == metric_suite(
        real, fake, config=dataclasses.replace(config, seed=3))


def test_default_settings_are_the_kid_authors_and_prdc_authors():
    config = SuiteConfig()
    assert (config.nearest_k, config.n_kid_subsets, config.kid_subset_size) == (5, 100, 1000)
    assert config.include == tuple(METRIC_FAMILIES) and config.seed == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 1


def test_directions_cover_the_quality_keys():
    assert set(METRIC_DIRECTIONS) == set(METRIC_KEYS) - {"kid_std", "c2st_p_value"}
    assert all(v in (-1, 0, 1) for v in METRIC_DIRECTIONS.values())
    # larger FID and C2ST accuracy are worse; smaller recall and coverage are worse
    assert METRIC_DIRECTIONS["fid"] == METRIC_DIRECTIONS["c2st_accuracy"] == +1
    assert METRIC_DIRECTIONS["recall"] == METRIC_DIRECTIONS["coverage"] == -1
    with pytest.raises(TypeError):
        METRIC_DIRECTIONS["fid"] = -1


def test_labels_name_every_key_once():
    from ganlib.metrics.suite import METRIC_LABELS

    assert list(METRIC_LABELS) == list(METRIC_KEYS)
    assert len(set(METRIC_LABELS.values())) == len(METRIC_LABELS)  # no two keys look alike in a table
    assert (METRIC_LABELS["fid"], METRIC_LABELS["kid"], METRIC_LABELS["classifier_score"]) == (
        "FID", "KID", "classifier score")
    with pytest.raises(TypeError):
        METRIC_LABELS["fid"] = "Fréchet"


_A, _B = np.random.default_rng(0).normal(size=(20, 3)), np.random.default_rng(1).normal(size=(20, 3))

BAD = [
    ("metric_suite", lambda: metric_suite(_A, _B[:, :2]), ValueError, "real_features and fake_features"),
    ("metric_suite", lambda: metric_suite(_A, _B, nearest_k=20), ValueError, "nearest_k"),
    ("metric_suite", lambda: metric_suite(_A, _B, fake_probs=np.full((19, 2), 0.5)), ValueError, "fake_probs"),
    ("metric_suite", lambda: metric_suite(_A, _B, train_features=np.ones((5, 2))), ValueError, "train_features"),
    ("metric_suite", lambda: metric_suite(_A, _B, kid_subset_size=1), ValueError, "kid_subset_size"),
    ("metric_suite", lambda: metric_suite(_A[:, 0], _B), ValueError, "real_features"),
    ("metric_suite", lambda: metric_suite(_A, _B, seed=-2), ValueError, "seed"),
    ("metric_suite", lambda: metric_suite(_A, _B, kid_subsets=5), TypeError, "kid_subsets"),
    ("metric_suite", lambda: metric_suite(_A, _B, config={"seed": 1}), TypeError, "config"),
    ("metric_suite", lambda: metric_suite(_A, _B, include=("fid", "is")), ValueError, "include"),
    ("metric_suite", lambda: metric_suite(_A, _B, include="fid"), TypeError, "include"),
    ("metric_suite", lambda: metric_suite(_A, _B, include=()), ValueError, "include"),
    ("SuiteConfig", lambda: SuiteConfig(c2st_classifier="svm"), ValueError, "c2st_classifier"),
    ("SuiteConfig", lambda: SuiteConfig(c2st_classifier=3), TypeError, "c2st_classifier"),
    ("SuiteConfig", lambda: SuiteConfig(c2st_test_size=0.0), ValueError, "c2st_test_size"),
    ("SuiteConfig", lambda: SuiteConfig(n_kid_subsets=0), ValueError, "n_kid_subsets"),
    ("SuiteConfig", lambda: SuiteConfig(score_splits=1.0), TypeError, "score_splits"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
