"""ganlib.metrics.frechet: feature statistics, the Fréchet distance (both routes and the sqrtm
reference), FID on features and on images, and FID's small-sample bias."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlib.metrics import (
    MeanStd,
    feature_statistics,
    fid,
    fid_at_sample_sizes,
    fid_from_features,
    frechet_distance,
    frechet_distance_sqrtm,
)


def _spd(rng, d, n=None, scale=1.0):
    n = 2 * d if n is None else n
    a = rng.normal(size=(d, n))
    return scale * a @ a.T / n


def test_feature_statistics_is_unbiased_float64():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    mu, sigma = feature_statistics(x)
    assert mu.dtype == np.float64 and sigma.dtype == np.float64
    assert mu.shape == (4,) and sigma.shape == (4, 4)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(mu, x64.mean(axis=0), rtol=1e-12)
    centred = x64 - x64.mean(axis=0)
    np.testing.assert_allclose(sigma, centred.T @ centred / 49, rtol=1e-10)
    _, s1 = feature_statistics(x64[:, :1])
    assert s1.shape == (1, 1)
    assert s1[0, 0] == pytest.approx(np.var(x64[:, 0], ddof=1))


def test_frechet_identical_is_zero_and_shifted_mean_is_its_squared_norm():
    rng = np.random.default_rng(1)
    mu, sigma = rng.normal(size=16), _spd(rng, 16)
    assert frechet_distance(mu, sigma, mu, sigma) <= 1e-8
    shifted = mu + np.arange(16.0)
    assert frechet_distance(mu, sigma, shifted, sigma) == pytest.approx(np.sum(np.arange(16.0) ** 2), rel=1e-9)


def test_frechet_diagonal_closed_form():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.1, 3.0, 10), rng.uniform(0.1, 3.0, 10)
    mu1, mu2 = rng.normal(size=10), rng.normal(size=10)
    expected = np.sum((np.sqrt(a) - np.sqrt(b)) ** 2) + np.sum((mu1 - mu2) ** 2)
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


def test_frechet_one_dimensional_by_hand():
    # (1 - 3)^2 + (sqrt(4) - sqrt(9))^2 = 5
    assert frechet_distance([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(5.0, rel=1e-12)
    assert frechet_distance_sqrtm([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(5.0, rel=1e-12)


def test_frechet_matches_the_sqrtm_reference_on_every_route():
    rng = np.random.default_rng(4)
    d = 64
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = _spd(rng, d), _spd(rng, d, scale=2.0)
    ref = frechet_distance_sqrtm(mu1, s1, mu2, s2)
    for factor in ("auto", "cholesky", "eigh"):
        value = frechet_distance(mu1, s1, mu2, s2, factor=factor)
        assert isinstance(value, float)
        assert value == pytest.approx(ref, rel=1e-6), factor
    # the two factorisations agree to round-off
    assert frechet_distance(mu1, s1, mu2, s2, factor="cholesky") == pytest.approx(
        frechet_distance(mu1, s1, mu2, s2, factor="eigh"), rel=1e-11)


def test_frechet_singular_covariances_match_svd_formula():
    # n < d: rank-deficient covariances. With sigma_k = X_k X_kᵀ (X_k = centred features / sqrt(n-1),
    # shape (d, n)), tr((sigma1 sigma2)^{1/2}) equals the nuclear norm of X_1ᵀ X_2.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(10, 32))
    y = rng.normal(size=(12, 32)) + 0.3
    mu1, s1 = feature_statistics(x)
    mu2, s2 = feature_statistics(y)
    xc = (x - x.mean(0)).T / math.sqrt(9)
    yc = (y - y.mean(0)).T / math.sqrt(11)
    nuclear = np.linalg.svd(xc.T @ yc, compute_uv=False).sum()
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * nuclear
    for factor in ("auto", "eigh"):
        value = frechet_distance(mu1, s1, mu2, s2, factor=factor)
        assert isinstance(value, float) and math.isfinite(value) and value >= 0
        assert value == pytest.approx(expected, rel=1e-9)
    # a fully degenerate case: both covariances zero
    zero = np.zeros((3, 3))
    assert frechet_distance([0, 0, 0], zero, [1, 2, 2], zero) == pytest.approx(9.0)
    # the optional eps offset: sigma + eps I on both sides of an identical pair leaves 0
    assert frechet_distance(mu1, s1, mu1, s1, eps=1e-3) <= 1e-8


def test_fid_from_features_is_the_distance_of_the_fitted_gaussians():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(200, 5)), rng.normal(size=(150, 5)) + 1.0
    expected = frechet_distance(*feature_statistics(x), *feature_statistics(y))
    assert fid_from_features(x, y) == pytest.approx(expected, rel=1e-12)
    # a pure mean shift of the same sample: FID = ‖shift‖² exactly
    assert fid_from_features(x, x + np.array([1.0, 2.0, 0.0, 0.0, 2.0])) == pytest.approx(9.0, rel=1e-9)


def test_fid_on_images_equals_fid_of_features():
    rng = np.random.default_rng(9)
    real = rng.uniform(size=(40, 4, 4, 1)).astype(np.float32)
    fake = rng.uniform(size=(30, 4, 4, 1)).astype(np.float32) ** 2

    def extractor(b):
        return b.reshape(len(b), -1)[:, :3]

    expected = fid_from_features(real.reshape(40, -1)[:, :3], fake.reshape(30, -1)[:, :3])
    assert fid(real, fake, extractor, batch_size=7) == pytest.approx(expected, rel=1e-6)
    assert fid(real, real, extractor) <= 1e-8


def test_fid_at_sample_sizes_bias_decreases_like_the_leading_order_formula():
    rng = np.random.default_rng(7)
    real, fake = rng.normal(size=(3000, 8)), rng.normal(size=(3000, 8))
    out = fid_at_sample_sizes(real, fake, [50, 200, 1000], n_repeats=3, seed=0)
    assert list(out) == [50, 200, 1000] and all(isinstance(v, MeanStd) for v in out.values())
    means = [out[n].mean for n in (50, 200, 1000)]
    assert means[0] > means[1] > means[2] > 0
    # For two independent N(0, I_d) samples of size n, to leading order E‖x̄ - ȳ‖² = 2d/n and
    # E[tr S1 + tr S2 - 2 tr (S1 S2)^{1/2}] ≈ E‖S1 - S2‖²_F / 4 = d(d+1)/(2n): FID ≈ d(d+5)/(2n).
    for n, mean in zip((50, 200, 1000), means):
        assert 0.5 < mean / (8 * 13 / (2 * n)) < 2.0
    assert all(out[n].std >= 0 for n in out)
    one = fid_at_sample_sizes(real, fake, [100], n_repeats=1)[100]
    assert math.isnan(one.std)


_X = np.zeros((10, 2)) + np.arange(10)[:, None]
_S = np.eye(3)
_ASYM = np.array([[1.0, 0.5, 0], [0, 1, 0], [0, 0, 1]])

BAD = [
    ("feature_statistics", lambda: feature_statistics(np.ones((1, 3))), ValueError, "features"),
    ("feature_statistics", lambda: feature_statistics(np.ones(5)), ValueError, "features"),
    ("feature_statistics", lambda: feature_statistics(np.array([[0.0, 1.0], [np.nan, 2.0]])), ValueError, "features"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), _S), ValueError, "sigma1"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), _S, np.zeros(2), np.eye(2)), ValueError, "mu1 and mu2"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), _S, np.zeros(3), _ASYM), ValueError, "sigma2"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), _S, np.array([0.0, np.inf, 0.0]), _S), ValueError, "mu2"),
    ("frechet_distance", lambda: frechet_distance(np.zeros((3, 1)), _S, np.zeros(3), _S), ValueError, "mu1"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), _S, np.zeros(3), _S, eps=-1.0), ValueError, "eps"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), _S, np.zeros(3), _S, factor="svd"), ValueError, "factor"),
    ("frechet_distance", lambda: frechet_distance(np.zeros(3), np.zeros((3, 3)), np.zeros(3), _S, factor="cholesky"),
     ValueError, "sigma1"),
    ("frechet_distance_sqrtm", lambda: frechet_distance_sqrtm(np.zeros(3), _S, np.zeros(3), np.eye(4)), ValueError, "sigma2"),
    ("frechet_distance_sqrtm", lambda: frechet_distance_sqrtm(np.zeros(3), _S, np.zeros(3), _S, eps=0.0), ValueError, "eps"),
    ("fid_from_features", lambda: fid_from_features(np.ones((5, 3)), np.ones((5, 2))), ValueError, "real_features and fake_features"),
    ("fid_from_features", lambda: fid_from_features(np.ones((5, 3)), np.ones((1, 3))), ValueError, "fake_features"),
    ("fid", lambda: fid(np.zeros((4, 2, 2, 1)), np.full((4, 2, 2, 1), np.nan), lambda b: b.reshape(len(b), -1)),
     ValueError, "fake_images"),
    ("fid", lambda: fid(np.zeros((1, 2, 2, 1)), np.zeros((4, 2, 2, 1)), lambda b: b.reshape(len(b), -1)),
     ValueError, "real_images"),
    ("fid", lambda: fid(np.zeros((4, 2, 2, 1)), np.zeros((4, 2, 2, 1)), "inception"), TypeError, "extractor"),
    ("fid", lambda: fid(np.zeros((4, 2, 2, 1)), np.zeros((4, 2, 2, 1)), lambda b: b, batch_size=0), ValueError, "batch_size"),
    ("fid_at_sample_sizes", lambda: fid_at_sample_sizes(_X, _X, [11]), ValueError, "sizes"),
    ("fid_at_sample_sizes", lambda: fid_at_sample_sizes(_X, _X, [1]), ValueError, "sizes"),
    ("fid_at_sample_sizes", lambda: fid_at_sample_sizes(_X, _X, []), ValueError, "sizes"),
    ("fid_at_sample_sizes", lambda: fid_at_sample_sizes(_X, _X, 5), TypeError, "sizes"),
    ("fid_at_sample_sizes", lambda: fid_at_sample_sizes(_X, _X, [5], n_repeats=0), ValueError, "n_repeats"),
    ("fid_at_sample_sizes", lambda: fid_at_sample_sizes(_X, _X, [5], seed=-1), ValueError, "seed"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
