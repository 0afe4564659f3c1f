"""ganlib.metrics.bootstrap: percentile bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlib.metrics import BootstrapResult, bootstrap_ci


def test_bootstrap_ci_of_the_mean():
    rng = np.random.default_rng(21)
    small, large = rng.normal(3.0, 1.0, 100), rng.normal(3.0, 1.0, 1600)
    r_small = bootstrap_ci(np.mean, small, n_bootstrap=400, seed=0)
    r_large = bootstrap_ci(np.mean, large, n_bootstrap=400, seed=0)
    assert isinstance(r_small, BootstrapResult)
    assert r_small.estimate == pytest.approx(small.mean())
    assert r_small.low < 3.0 < r_small.high and r_large.low < 3.0 < r_large.high
    assert (r_large.high - r_large.low) < 0.5 * (r_small.high - r_small.low)
    # bootstrap std of the mean ≈ s / sqrt(n)
    assert r_large.std == pytest.approx(large.std() / 40, rel=0.2)


def test_bootstrap_ci_by_hand_for_a_constant_and_a_two_point_sample():
    const = bootstrap_ci(np.mean, np.full(5, 2.0), n_bootstrap=10)
    assert (const.estimate, const.low, const.high, const.std) == (2.0, 2.0, 2.0, 0.0)
    # resampling (0, 1) gives mean 0, 1/2 or 1: the 95% interval spans [0, 1] for enough resamples
    two = bootstrap_ci(np.mean, np.array([0.0, 1.0]), n_bootstrap=400, seed=1)
    assert two.estimate == 0.5 and two.low == 0.0 and two.high == 1.0
    assert two.std == pytest.approx(math.sqrt(1 / 8), rel=0.15)  # Var = 1/4 · 1/2 for n = 2


def test_bootstrap_ci_resamples_arrays_independently():
    rng = np.random.default_rng(22)
    a, b = rng.normal(size=200), rng.normal(size=300) + 1.0
    res = bootstrap_ci(lambda x, y: y.mean() - x.mean(), a, b, n_bootstrap=300)
    assert res.estimate == pytest.approx(b.mean() - a.mean())
    assert res.std == pytest.approx(math.sqrt(1 / 200 + 1 / 300), rel=0.2)


_X = np.arange(10.0)

BAD = [
    ("bootstrap_ci", lambda: bootstrap_ci(np.mean, _X, n_bootstrap=1), ValueError, "n_bootstrap"),
    ("bootstrap_ci", lambda: bootstrap_ci(np.mean, _X, confidence=1.0), ValueError, "confidence"),
    ("bootstrap_ci", lambda: bootstrap_ci("mean", _X), TypeError, "metric_fn"),
    ("bootstrap_ci", lambda: bootstrap_ci(np.mean), ValueError, "arrays"),
    ("bootstrap_ci", lambda: bootstrap_ci(np.mean, np.zeros(0)), ValueError, r"arrays\[0\]"),
    ("bootstrap_ci", lambda: bootstrap_ci(lambda x: x, _X), TypeError, "metric_fn"),
    ("bootstrap_ci", lambda: bootstrap_ci(np.mean, _X, seed=-1), ValueError, "seed"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
