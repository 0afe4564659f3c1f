"""ganlib.metrics.kernel: the unbiased MMD² against a double loop, and KID."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlib.metrics import KIDResult, kid, mmd2_unbiased


def _naive_mmd2(x, y, k):
    n, m = len(x), len(y)
    sxx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    syy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    sxy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return sxx + syy - 2 * sxy


def test_mmd2_unbiased_matches_double_loop():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(7, 3)) + 0.5
    poly = lambda a, b: (a @ b / 3 + 1.0) ** 3  # noqa: E731
    value = mmd2_unbiased(x, y)
    assert isinstance(value, float) and value == pytest.approx(_naive_mmd2(x, y, poly), rel=1e-10)
    rbf = lambda a, b: math.exp(-0.7 * np.sum((a - b) ** 2))  # noqa: E731
    assert mmd2_unbiased(x, y, "rbf", gamma=0.7) == pytest.approx(_naive_mmd2(x, y, rbf), rel=1e-10)
    lin = lambda a, b: a @ b  # noqa: E731
    assert mmd2_unbiased(x, y, "linear") == pytest.approx(_naive_mmd2(x, y, lin), rel=1e-10)
    quad = lambda a, b: (0.5 * (a @ b) + 2.0) ** 2  # noqa: E731
    assert mmd2_unbiased(x, y, degree=2, gamma=0.5, coef0=2.0) == pytest.approx(_naive_mmd2(x, y, quad), rel=1e-10)


def test_kid_is_the_mean_of_mmd2_over_the_seeded_subsets():
    # The documented draw: for each subset, m rows of real then m rows of fake, without
    # replacement, from np.random.default_rng(seed) (the chapter's from-scratch KID relies on it).
    rng = np.random.default_rng(12)
    a, b = rng.normal(size=(60, 4)), rng.normal(size=(50, 4)) + 0.4
    draw = np.random.default_rng(3)
    values = []
    for _ in range(6):
        x = a[draw.choice(60, 20, replace=False)]
        y = b[draw.choice(50, 20, replace=False)]
        values.append(mmd2_unbiased(x, y))
    res = kid(a, b, n_subsets=6, subset_size=20, seed=3)
    assert isinstance(res, KIDResult)
    assert res.mean == pytest.approx(np.mean(values), rel=1e-12)
    assert res.std == pytest.approx(np.std(values, ddof=1), rel=1e-10)


def test_kid_same_and_different_distributions():
    rng = np.random.default_rng(12)
    a, b = rng.normal(size=(600, 8)), rng.normal(size=(600, 8))
    same = kid(a, b, n_subsets=20, subset_size=200, seed=0)
    assert abs(same.mean) < 3 * same.std and abs(same.mean) < 0.01
    different = kid(a, b + 1.0, n_subsets=20, subset_size=200, seed=0)
    assert different.mean > 10 * different.std


def test_kid_on_the_full_sets_is_mmd2_once():
    # N = M <= subset_size: every subset is both full sets in another order; MMD² ignores order.
    rng = np.random.default_rng(13)
    a, b = rng.normal(size=(50, 3)), rng.normal(size=(50, 3)) + 0.5
    once = mmd2_unbiased(a, b)
    many = kid(a, b, n_subsets=6, subset_size=50)
    assert many.mean == pytest.approx(once, rel=1e-12) and many.std == 0.0
    one = kid(a, b, n_subsets=1, subset_size=80)
    assert one.mean == pytest.approx(once, rel=1e-12) and math.isnan(one.std)


_X = np.random.default_rng(0).normal(size=(10, 3))

BAD = [
    ("mmd2_unbiased", lambda: mmd2_unbiased(_X, _X, "gaussian"), ValueError, "kernel"),
    ("mmd2_unbiased", lambda: mmd2_unbiased(_X, np.ones((4, 2))), ValueError, "x and y"),
    ("mmd2_unbiased", lambda: mmd2_unbiased(_X, np.ones((1, 3))), ValueError, "y"),
    ("mmd2_unbiased", lambda: mmd2_unbiased(_X, _X, gamma=0.0), ValueError, "gamma"),
    ("mmd2_unbiased", lambda: mmd2_unbiased(_X, _X, degree=0), ValueError, "degree"),
    ("mmd2_unbiased", lambda: mmd2_unbiased(_X, _X, coef0="1"), TypeError, "coef0"),
    ("kid", lambda: kid(_X, _X[:, :2]), ValueError, "real_features and fake_features"),
    ("kid", lambda: kid(_X, _X, subset_size=1), ValueError, "subset_size"),
    ("kid", lambda: kid(_X, _X, n_subsets=0), ValueError, "n_subsets"),
    ("kid", lambda: kid(_X[:1], _X), ValueError, "real_features"),
    ("kid", lambda: kid(_X, _X, coef0=-1.0), ValueError, "coef0"),
    ("kid", lambda: kid(_X, _X, seed=-1), ValueError, "seed"),
    # the KID helper of ganlib.callbacks.MetricCallback checks its arguments when it is built
    ("callbacks.kid_metric", lambda: _kid_metric(_X[:, 0], lambda b: b), ValueError, "real_features"),
    ("callbacks.kid_metric", lambda: _kid_metric(_X, "net"), TypeError, "extractor"),
    ("callbacks.kid_metric", lambda: _kid_metric(_X, lambda b: b, n=1), ValueError, "n"),
    ("callbacks.kid_metric", lambda: _kid_metric(_X, lambda b: b, subset_size=1), ValueError, "subset_size"),
    ("callbacks.kid_metric", lambda: _kid_metric(_X, lambda b: b, seed=-1), ValueError, "seed"),
]


def _kid_metric(*args, **kwargs):
    from ganlib.callbacks import kid_metric

    return kid_metric(*args, **kwargs)


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
