"""ganlib.metrics.modes: mode coverage of Gaussian-mixture toys."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ganlib.metrics import ModeCoverageDetails, ModeCoverageResult, mode_coverage


def _ring(n_modes=8, radius=2.0):
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def test_mode_coverage_by_hand():
    # Two modes at 0 and 10 (std 1) and 10 samples: 0.5, 1, 2.5, 4 near mode 0 (high quality within
    # 3 std: 0.5, 1, 2.5), 9, 9.5, 10, 10.5, 11, 20 near mode 1 (high quality: all but 20). With
    # min_fraction 0.8 a mode needs 0.8 · 10 / 2 = 4 high-quality samples: only mode 1 is covered.
    x = np.array([0.5, 1.0, 2.5, 4.0, 9.0, 9.5, 10.0, 10.5, 11.0, 20.0])[:, None]
    res, details = mode_coverage(x, np.array([[0.0], [10.0]]), 1.0, min_fraction=0.8, details=True)
    assert isinstance(res, ModeCoverageResult) and isinstance(details, ModeCoverageDetails)
    assert res.modes_covered == 1 and res.n_modes == 2
    assert res.high_quality_fraction == pytest.approx(0.8)
    assert details.counts.tolist() == [3, 5] and details.covered.tolist() == [False, True]
    q = np.array([3, 5]) / 8
    assert res.kl_to_uniform == pytest.approx(float(np.sum(q * np.log(2 * q))), rel=1e-12)
    assert mode_coverage(x, np.array([[0.0], [10.0]]), 1.0, min_fraction=0.8) == res


def test_mode_coverage_exact_samples_and_three_modes():
    rng = np.random.default_rng(20)
    means, std = _ring(), 0.02
    comp = rng.integers(0, 8, 20000)
    samples = means[comp] + std * rng.normal(size=(20000, 2))
    res, details = mode_coverage(samples, means, std, details=True)
    assert res.modes_covered == 8 and res.n_modes == 8
    assert res.high_quality_fraction == pytest.approx(stats.chi2.cdf(9, 2), abs=0.005)
    assert details.counts.sum() == round(res.high_quality_fraction * 20000)
    assert res.kl_to_uniform < 0.01

    three = means[rng.integers(0, 3, 3000)] + std * rng.normal(size=(3000, 2))
    res3 = mode_coverage(three, means, np.full(8, std))
    assert res3.modes_covered == 3
    assert res3.kl_to_uniform == pytest.approx(math.log(8 / 3), abs=0.01)
    # samples far from every mode are never high quality
    off = mode_coverage(np.zeros((100, 2)), means, std)
    assert off.modes_covered == 0 and off.high_quality_fraction == 0.0 and math.isnan(off.kl_to_uniform)


_MEANS = _ring()
_X = np.zeros((5, 2))

BAD = [
    ("mode_coverage", lambda: mode_coverage(np.zeros((5, 3)), _MEANS, 0.1), ValueError, "samples and means"),
    ("mode_coverage", lambda: mode_coverage(_X, _MEANS, np.ones(3)), ValueError, "stds"),
    ("mode_coverage", lambda: mode_coverage(_X, _MEANS, -1.0), ValueError, "stds"),
    ("mode_coverage", lambda: mode_coverage(_X, _MEANS, 0.1, threshold=0), ValueError, "threshold"),
    ("mode_coverage", lambda: mode_coverage(_X, _MEANS, 0.1, min_fraction=-0.1), ValueError, "min_fraction"),
    ("mode_coverage", lambda: mode_coverage(_X, _MEANS, 0.1, details="yes"), TypeError, "details"),
    ("mode_coverage", lambda: mode_coverage(_X, np.zeros(2), 0.1), ValueError, "means"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
