"""ganlib.metrics.two_sample: the classifier two-sample test and the data-copying test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ganlib.metrics import C2STResult, MemorizationDetails, MemorizationResult, c2st, memorization_test


def test_c2st_same_distribution_and_separable():
    rng = np.random.default_rng(18)
    a, b = rng.normal(size=(500, 5)), rng.normal(size=(600, 5))
    same = c2st(a, b, seed=0)
    assert isinstance(same, C2STResult) and same.n_test == 500
    assert abs(same.accuracy - 0.5) < 0.08 and same.p_value > 0.01
    sep = c2st(a, b + 4.0, seed=0)
    assert sep.accuracy > 0.95 and sep.p_value < 1e-6
    # the p-value is the binomial upper tail at the observed number of correct predictions
    k = round(sep.accuracy * sep.n_test)
    assert sep.p_value == pytest.approx(stats.binom.sf(k - 1, sep.n_test, 0.5), rel=1e-6)
    knn = c2st(a, b + 4.0, classifier="knn", seed=0)
    assert knn.accuracy > 0.95
    from sklearn.tree import DecisionTreeClassifier

    tree = c2st(a.reshape(500, 5, 1), (b + 4.0).reshape(600, 5, 1), classifier=DecisionTreeClassifier(random_state=0))
    assert tree.accuracy > 0.95


def test_memorization_by_hand():
    # 1-D: training points 0 and 10; generated at distances 0.1 and 0.2, held-out at 3, 5, 4.
    # Every generated distance is below every held-out one: U = 0, σ_U = sqrt(2·3·6/12) = sqrt(3),
    # z = (0 - 3) / sqrt(3); the exact one-sided p-value is 1 / C(5, 2) = 0.1; the 5th percentile of
    # (3, 4, 5) is 3.1, so both generated samples count as copies.
    train, gen, held = np.array([[0.0], [10.0]]), np.array([[0.1], [9.8]]), np.array([[3.0], [5.0], [6.0]])
    res = memorization_test(gen, train, held)
    assert isinstance(res, MemorizationResult)
    assert res.z == pytest.approx(-math.sqrt(3.0), rel=1e-12)
    assert res.p_value == pytest.approx(0.1, rel=1e-12)
    assert res.copy_fraction == 1.0
    assert res.median_gen_distance == pytest.approx(0.15) and res.median_heldout_distance == pytest.approx(4.0)


def test_memorization_detects_copies_and_not_fresh_samples():
    rng = np.random.default_rng(19)
    train, held = rng.normal(size=(1000, 8)), rng.normal(size=(400, 8))
    copies = train[:400] + 1e-3 * rng.normal(size=(400, 8))
    res, details = memorization_test(copies, train, held, block_size=128, details=True)
    assert isinstance(details, MemorizationDetails)
    assert res.z < -10 and res.p_value < 1e-3 and res.copy_fraction > 0.99
    assert res.median_gen_distance < 0.01 < res.median_heldout_distance
    assert details.distances_gen.shape == (400,) and details.distances_heldout.shape == (400,)
    # distances are the nearest-neighbour distances to the training set
    brute = np.sqrt(((held[:, None, :] - train[None]) ** 2).sum(-1)).min(axis=1)
    np.testing.assert_allclose(details.distances_heldout, brute, rtol=1e-9)
    assert res.median_heldout_distance == pytest.approx(np.median(brute), rel=1e-9)
    assert memorization_test(copies, train, held, block_size=128) == res

    fresh = memorization_test(rng.normal(size=(400, 8)), train, held)
    assert fresh.p_value > 0.01 and abs(fresh.z) < 3
    assert fresh.copy_fraction < 0.15
    # z is the standardised U: its normal tail is close to the p-value (continuity correction aside)
    assert stats.norm.cdf(fresh.z) == pytest.approx(fresh.p_value, abs=0.01)


_X = np.random.default_rng(0).normal(size=(20, 3))

BAD = [
    ("c2st", lambda: c2st(_X, _X, classifier="svm"), ValueError, "classifier"),
    ("c2st", lambda: c2st(_X, _X, classifier=object()), TypeError, "classifier"),
    ("c2st", lambda: c2st(_X, _X[:, :2]), ValueError, "real and fake"),
    ("c2st", lambda: c2st(_X, _X, test_size=1.0), ValueError, "test_size"),
    ("c2st", lambda: c2st(_X, _X[:1]), ValueError, "fake"),
    ("c2st", lambda: c2st(_X[:2], _X[:2], test_size=0.1), ValueError, "test_size"),
    ("c2st", lambda: c2st(_X, _X, seed=-1), ValueError, "seed"),
    ("memorization_test", lambda: memorization_test(_X[:, :2], _X, _X), ValueError,
     "generated_features and train_features"),
    ("memorization_test", lambda: memorization_test(_X, _X, _X[:1]), ValueError, "heldout_features"),
    ("memorization_test", lambda: memorization_test(_X, _X, _X[:, :2]), ValueError, "heldout_features and train_features"),
    ("memorization_test", lambda: memorization_test(_X, _X, _X, block_size=0), ValueError, "block_size"),
    ("memorization_test", lambda: memorization_test(_X, _X, _X, details=1), TypeError, "details"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
