"""Tests for ganlib.metrics: closed forms, reference implementations and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ganlib import metrics as M


def _spd(rng, d, n=None, scale=1.0):
    n = 2 * d if n is None else n
    a = rng.normal(size=(d, n))
    return scale * a @ a.T / n


# --------------------------------------------------------------------------------------------
# feature_statistics / frechet_distance
# --------------------------------------------------------------------------------------------


def test_feature_statistics_is_unbiased_float64():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    mu, sigma = M.feature_statistics(x)
    assert mu.dtype == np.float64 and sigma.dtype == np.float64
    assert mu.shape == (4,) and sigma.shape == (4, 4)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(mu, x64.mean(axis=0), rtol=1e-12)
    centred = x64 - x64.mean(axis=0)
    np.testing.assert_allclose(sigma, centred.T @ centred / 49, rtol=1e-10)
    _, s1 = M.feature_statistics(x64[:, :1])
    assert s1.shape == (1, 1)
    assert s1[0, 0] == pytest.approx(np.var(x64[:, 0], ddof=1))


def test_feature_statistics_bad_input():
    with pytest.raises(ValueError, match="features"):
        M.feature_statistics(np.ones((1, 3)))
    with pytest.raises(ValueError, match="features"):
        M.feature_statistics(np.ones(5))
    with pytest.raises(ValueError, match="features"):
        M.feature_statistics(np.array([[0.0, 1.0], [np.nan, 2.0]]))


def test_frechet_identical_is_zero():
    rng = np.random.default_rng(1)
    mu, sigma = rng.normal(size=16), _spd(rng, 16)
    assert M.frechet_distance(mu, sigma, mu, sigma) <= 1e-8


def test_frechet_shifted_mean():
    rng = np.random.default_rng(2)
    mu1, sigma = rng.normal(size=8), _spd(rng, 8)
    mu2 = mu1 + np.arange(8.0)
    assert M.frechet_distance(mu1, sigma, mu2, sigma) == pytest.approx(np.sum(np.arange(8.0) ** 2), rel=1e-9)


def test_frechet_diagonal_closed_form():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.1, 3.0, 10), rng.uniform(0.1, 3.0, 10)
    mu1, mu2 = rng.normal(size=10), rng.normal(size=10)
    expected = np.sum((np.sqrt(a) - np.sqrt(b)) ** 2) + np.sum((mu1 - mu2) ** 2)
    assert M.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


def test_frechet_one_dimensional():
    # (1 - 3)^2 + (sqrt(4) - sqrt(9))^2 = 5
    assert M.frechet_distance([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(5.0, rel=1e-12)
    assert M.frechet_distance_sqrtm([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(5.0, rel=1e-12)


def test_frechet_matches_sqrtm_reference_d64():
    rng = np.random.default_rng(4)
    d = 64
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = _spd(rng, d), _spd(rng, d, scale=2.0)
    ours = M.frechet_distance(mu1, s1, mu2, s2)
    ref = M.frechet_distance_sqrtm(mu1, s1, mu2, s2)
    assert isinstance(ours, float)
    assert ours == pytest.approx(ref, rel=1e-6)


def test_covariance_factor_routes_agree_and_singular_takes_eigh():
    rng = np.random.default_rng(14)
    s = _spd(rng, 48)
    low = M._covariance_factor(s)
    assert np.allclose(np.triu(low, 1), 0.0)  # well conditioned: the Cholesky factor
    for b in (low, M._covariance_factor(s, force_eigh=True)):
        np.testing.assert_allclose(b @ b.T, s, rtol=0, atol=1e-10 * np.abs(s).max())
    # rank 5 of 20: not Cholesky (upper triangle is used), still an exact factor
    x = rng.normal(size=(20, 5))
    singular = x @ x.T
    b = M._covariance_factor(singular)
    assert not np.allclose(np.triu(b, 1), 0.0)
    np.testing.assert_allclose(b @ b.T, singular, atol=1e-10 * np.abs(singular).max())
    # the Fréchet distance does not depend on which factor is used
    mu1, mu2 = rng.normal(size=48), rng.normal(size=48)
    s2 = _spd(rng, 48, scale=3.0)
    b_eig = M._covariance_factor(s, force_eigh=True)
    m = b_eig.T @ s2 @ b_eig
    tr = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)))
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s) + np.trace(s2) - 2 * tr
    assert M.frechet_distance(mu1, s, mu2, s2) == pytest.approx(expected, rel=1e-12)


def test_frechet_singular_covariances_match_svd_formula():
    # n < d: rank-deficient covariances. With sigma_k = X_k X_kᵀ (X_k = centred features / sqrt(n-1),
    # shape (d, n)), tr((sigma1 sigma2)^{1/2}) equals the nuclear norm of X_1ᵀ X_2.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(10, 32))
    y = rng.normal(size=(12, 32)) + 0.3
    mu1, s1 = M.feature_statistics(x)
    mu2, s2 = M.feature_statistics(y)
    xc = (x - x.mean(0)).T / math.sqrt(9)
    yc = (y - y.mean(0)).T / math.sqrt(11)
    nuclear = np.linalg.svd(xc.T @ yc, compute_uv=False).sum()
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * nuclear
    value = M.frechet_distance(mu1, s1, mu2, s2)
    assert isinstance(value, float) and math.isfinite(value) and value >= 0
    assert value == pytest.approx(expected, rel=1e-9)
    # a fully degenerate case: both covariances zero
    zero = np.zeros((3, 3))
    assert M.frechet_distance([0, 0, 0], zero, [1, 2, 2], zero) == pytest.approx(9.0)
    # the optional eps offset: sigma + eps I on both sides of an identical pair leaves 0
    assert M.frechet_distance(mu1, s1, mu1, s1, eps=1e-3) <= 1e-8


def test_frechet_bad_input():
    s = np.eye(3)
    with pytest.raises(ValueError, match="sigma1"):
        M.frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), s)
    with pytest.raises(ValueError, match="mu1 and mu2"):
        M.frechet_distance(np.zeros(3), s, np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="sigma2"):
        M.frechet_distance(np.zeros(3), s, np.zeros(3), np.array([[1.0, 0.5, 0], [0, 1, 0], [0, 0, 1]]))
    with pytest.raises(ValueError, match="mu2"):
        M.frechet_distance(np.zeros(3), s, np.array([0.0, np.inf, 0.0]), s)
    with pytest.raises(ValueError, match="mu1"):
        M.frechet_distance(np.zeros((3, 1)), s, np.zeros(3), s)
    with pytest.raises(ValueError, match="eps"):
        M.frechet_distance(np.zeros(3), s, np.zeros(3), s, eps=-1.0)
    with pytest.raises(ValueError, match="sigma2"):
        M.frechet_distance_sqrtm(np.zeros(3), s, np.zeros(3), np.eye(4))


def test_fid_from_features_and_bad_input():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(200, 5)), rng.normal(size=(150, 5)) + 1.0
    expected = M.frechet_distance(*M.feature_statistics(x), *M.feature_statistics(y))
    assert M.fid_from_features(x, y) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="real_features and fake_features"):
        M.fid_from_features(x, y[:, :4])
    with pytest.raises(ValueError, match="fake_features"):
        M.fid_from_features(x, y[:1])


def test_fid_at_sample_sizes_bias_decreases_with_n():
    rng = np.random.default_rng(7)
    real, fake = rng.normal(size=(3000, 8)), rng.normal(size=(3000, 8))
    out = M.fid_at_sample_sizes(real, fake, [50, 200, 1000], n_repeats=3, seed=0)
    assert list(out) == [50, 200, 1000]
    means = [out[n][0] for n in (50, 200, 1000)]
    assert means[0] > means[1] > means[2] > 0
    # For two independent N(0, I_d) samples of size n, to leading order E‖x̄ - ȳ‖² = 2d/n and
    # E[tr S1 + tr S2 - 2 tr (S1 S2)^{1/2}] ≈ E‖S1 - S2‖²_F / 4 = d(d+1)/(2n): FID ≈ d(d+5)/(2n).
    for n, mean in zip((50, 200, 1000), means):
        assert 0.5 < mean / (8 * 13 / (2 * n)) < 2.0
    assert all(out[n][1] >= 0 for n in out)


def test_fid_at_sample_sizes_bad_input():
    x = np.zeros((10, 2)) + np.arange(10)[:, None]
    with pytest.raises(ValueError, match="sizes"):
        M.fid_at_sample_sizes(x, x, [11])
    with pytest.raises(ValueError, match="sizes"):
        M.fid_at_sample_sizes(x, x, [1])
    with pytest.raises(TypeError, match="sizes"):
        M.fid_at_sample_sizes(x, x, 5)
    with pytest.raises(ValueError, match="n_repeats"):
        M.fid_at_sample_sizes(x, x, [5], n_repeats=0)


# --------------------------------------------------------------------------------------------
# Feature extraction and FID on images
# --------------------------------------------------------------------------------------------


def test_extract_features_with_callable_and_keras_model():
    import keras

    rng = np.random.default_rng(8)
    images = rng.uniform(size=(10, 28, 28, 1)).astype(np.float32)
    feats = M.extract_features(images, lambda b: b.reshape(len(b), -1)[:, :5] * 2.0, batch_size=3)
    np.testing.assert_allclose(feats, images.reshape(10, -1)[:, :5] * 2.0)

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    w, b = model.get_weights()
    out = M.extract_features(images, model, batch_size=4)
    assert out.shape == (10, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, images.reshape(10, -1) @ w + b, rtol=1e-4, atol=1e-4)


def test_fid_on_images_equals_fid_of_features():
    rng = np.random.default_rng(9)
    real = rng.uniform(size=(40, 4, 4, 1)).astype(np.float32)
    fake = rng.uniform(size=(30, 4, 4, 1)).astype(np.float32) ** 2

    def extractor(b):
        return b.reshape(len(b), -1)[:, :3]

    expected = M.fid_from_features(real.reshape(40, -1)[:, :3], fake.reshape(30, -1)[:, :3])
    assert M.fid(real, fake, extractor, batch_size=7) == pytest.approx(expected, rel=1e-6)
    assert M.fid(real, real, extractor) <= 1e-8


def test_extract_features_and_fid_bad_input():
    good = np.zeros((4, 28, 28, 1), np.float32)
    bad = good.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="images"):
        M.extract_features(bad, lambda b: b)
    with pytest.raises(ValueError, match="images"):
        M.extract_features(np.zeros((0, 28, 28, 1)), lambda b: b)
    with pytest.raises(TypeError, match="extractor"):
        M.extract_features(good, "inception")
    with pytest.raises(ValueError, match="batch_size"):
        M.extract_features(good, lambda b: b, batch_size=0)
    with pytest.raises(ValueError, match="extractor"):
        M.extract_features(good, lambda b: b[:1])
    with pytest.raises(ValueError, match="fake_images"):
        M.fid(good, bad, lambda b: b.reshape(len(b), -1))
    with pytest.raises(ValueError, match="real_images"):
        M.fid(good[:1], good, lambda b: b.reshape(len(b), -1))


def test_inception_v3_extractor_random_weights_shape():
    extractor = M.inception_v3_extractor(weights=None)
    images = np.random.default_rng(10).uniform(size=(2, 28, 28, 1)).astype(np.float32)
    feats = M.extract_features(images, extractor)
    assert feats.shape == (2, 2048)
    assert np.all(np.isfinite(feats))
    with pytest.raises(ValueError, match="images"):
        extractor(np.zeros((2, 28, 28, 2), np.float32))
    with pytest.raises(ValueError, match="images"):
        extractor(np.full((2, 28, 28, 1), 255.0, np.float32))


def test_inception_v3_extractor_offline_error(monkeypatch):
    import keras

    def offline(**kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(RuntimeError, match="download"):
        M.inception_v3_extractor()
    with pytest.raises(ValueError, match="weights"):
        M.inception_v3_extractor(weights="/nonexistent/inception.h5")
    with pytest.raises(TypeError, match="weights"):
        M.inception_v3_extractor(weights=3)


# --------------------------------------------------------------------------------------------
# KID / MMD
# --------------------------------------------------------------------------------------------


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
    assert M.mmd2_unbiased(x, y) == pytest.approx(_naive_mmd2(x, y, poly), rel=1e-10)
    rbf = lambda a, b: math.exp(-0.7 * np.sum((a - b) ** 2))  # noqa: E731
    assert M.mmd2_unbiased(x, y, "rbf", gamma=0.7) == pytest.approx(_naive_mmd2(x, y, rbf), rel=1e-10)
    lin = lambda a, b: a @ b  # noqa: E731
    assert M.mmd2_unbiased(x, y, "linear") == pytest.approx(_naive_mmd2(x, y, lin), rel=1e-10)


def test_mmd2_unbiased_bad_input():
    x = np.ones((4, 2))
    with pytest.raises(ValueError, match="kernel"):
        M.mmd2_unbiased(x, x, "gaussian")
    with pytest.raises(ValueError, match="x and y"):
        M.mmd2_unbiased(x, np.ones((4, 3)))
    with pytest.raises(ValueError, match="y"):
        M.mmd2_unbiased(x, np.ones((1, 2)))
    with pytest.raises(ValueError, match="gamma"):
        M.mmd2_unbiased(x, x, gamma=0.0)


def test_kid_same_and_different_distributions():
    rng = np.random.default_rng(12)
    a, b = rng.normal(size=(600, 8)), rng.normal(size=(600, 8))
    same = M.kid(a, b, n_subsets=20, subset_size=200, seed=0)
    assert abs(same.mean) < 3 * same.std
    assert abs(same.mean) < 0.01
    different = M.kid(a, b + 1.0, n_subsets=20, subset_size=200, seed=0)
    assert different.mean > 10 * different.std
    # one subset of all points = mmd2_unbiased on permuted full sets (MMD² is order-free)
    one = M.kid(a[:50], b[:50], n_subsets=1, subset_size=50)
    assert one.mean == pytest.approx(M.mmd2_unbiased(a[:50], b[:50]), rel=1e-10)
    assert math.isnan(one.std)


def test_kid_bad_input():
    x = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="real_features and fake_features"):
        M.kid(x, x[:, :2])
    with pytest.raises(ValueError, match="subset_size"):
        M.kid(x, x, subset_size=1)
    with pytest.raises(ValueError, match="n_subsets"):
        M.kid(x, x, n_subsets=0)
    with pytest.raises(ValueError, match="real_features"):
        M.kid(x[:1], x)
    with pytest.raises(ValueError, match="coef0"):
        M.kid(x, x, coef0=-1.0)


# --------------------------------------------------------------------------------------------
# Inception / classifier score, accuracy, CAS
# --------------------------------------------------------------------------------------------


def test_inception_score_extremes_and_hand_value():
    probs = np.eye(10)[np.arange(1000) % 10]
    score = M.inception_score(probs, n_splits=10)
    assert score.mean == pytest.approx(10.0, rel=1e-12) and score.std == pytest.approx(0.0, abs=1e-12)
    const = np.tile([0.1, 0.6, 0.3], (50, 1))
    assert M.inception_score(const, n_splits=5).mean == pytest.approx(1.0, rel=1e-12)
    # two rows by hand: p(y) = [0.75, 0.25]
    p = np.array([[1.0, 0.0], [0.5, 0.5]])
    kl1 = math.log(1 / 0.75)
    kl2 = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert M.inception_score(p, n_splits=1).mean == pytest.approx(math.exp((kl1 + kl2) / 2), rel=1e-12)


def test_inception_score_bad_input():
    with pytest.raises(ValueError, match="probs"):
        M.inception_score(np.array([[0.5, 0.6]]), n_splits=1)
    with pytest.raises(ValueError, match="probs"):
        M.inception_score(np.array([[1.5, -0.5]]), n_splits=1)
    with pytest.raises(ValueError, match="probs"):
        M.inception_score(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="n_splits"):
        M.inception_score(np.eye(3), n_splits=4)


def test_classifier_score_with_confident_classifier():
    labels = np.arange(200) % 10
    images = np.zeros((200, 28, 28, 1), np.float32)
    images[np.arange(200), 0, labels, 0] = 1.0

    def classifier(batch):
        return 50.0 * batch[:, 0, :10, 0]  # confident logits for the class encoded in the image

    score = M.classifier_score(images, classifier, n_splits=2, batch_size=64)
    assert score.mean == pytest.approx(10.0, rel=1e-6)
    with pytest.raises(TypeError, match="classifier"):
        M.classifier_score(images, None)
    with pytest.raises(ValueError, match="classifier"):
        M.classifier_score(images, lambda b: b[:, 0, 0, 0])


def test_accuracy_and_bad_input():
    x = np.eye(4, dtype=np.float32)
    y = np.array([0, 1, 2, 0])
    assert M.accuracy(lambda b: b, x, y, batch_size=3) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="y"):
        M.accuracy(lambda b: b, x, y[:3])
    with pytest.raises(TypeError, match="model"):
        M.accuracy(None, x, y)


def _toy_images(rng, n):
    # class 0: bright left half, class 1: bright right half (plus noise)
    y = rng.integers(0, 2, n).astype(np.int64)
    x = 0.1 + 0.05 * rng.normal(size=(n, 4, 4, 1))
    x[y == 0, :, :2] += 0.7
    x[y == 1, :, 2:] += 0.7
    return np.clip(x, 0, 1).astype(np.float32), y


def _tiny_classifier():
    import keras

    return keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])


def test_classification_accuracy_score_separable_toy():
    rng = np.random.default_rng(13)
    tx, ty = _toy_images(rng, 256)
    vx, vy = _toy_images(rng, 200)
    cas = M.classification_accuracy_score(tx, ty, vx, vy, _tiny_classifier, epochs=15, batch_size=32, seed=0)
    assert cas > 0.95
    # a "generator" whose samples carry the wrong class label: the classifier learns the swap
    swapped = M.classification_accuracy_score(tx, 1 - ty, vx, vy, _tiny_classifier, epochs=15,
                                              batch_size=32, seed=0)
    assert swapped < 0.05


def test_classification_accuracy_score_bad_input():
    rng = np.random.default_rng(14)
    tx, ty = _toy_images(rng, 8)
    with pytest.raises(ValueError, match="train_y"):
        M.classification_accuracy_score(tx, ty[:5], tx, ty, _tiny_classifier, epochs=1)
    with pytest.raises(ValueError, match="train_x and test_x"):
        M.classification_accuracy_score(tx, ty, tx[:, :2], ty, _tiny_classifier, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        M.classification_accuracy_score(tx, ty, tx, ty, _tiny_classifier, epochs=0)
    with pytest.raises(TypeError, match="make_classifier"):
        M.classification_accuracy_score(tx, ty, tx, ty, "cnn", epochs=1)
    with pytest.raises(ValueError, match="labels < 2"):
        M.classification_accuracy_score(tx, ty + 5, tx, ty, _tiny_classifier, epochs=1)


# --------------------------------------------------------------------------------------------
# PRDC
# --------------------------------------------------------------------------------------------


def test_knn_radii_matches_prdc_package():
    from prdc import prdc as ref

    x = np.random.default_rng(15).normal(size=(700, 6))
    expected = ref.compute_nearest_neighbour_distances(x, 5)
    np.testing.assert_allclose(M.knn_radii(x, 5, block_size=100), expected, rtol=1e-9)
    np.testing.assert_allclose(M.knn_radii(x, 5, block_size=4), expected, rtol=1e-9)


def test_knn_radii_bad_input():
    x = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="k"):
        M.knn_radii(x, 5)
    with pytest.raises(ValueError, match="block_size"):
        M.knn_radii(x, 2, block_size=0)
    with pytest.raises(ValueError, match="features"):
        M.knn_radii(x[:, 0], 2)


@pytest.mark.parametrize("n_real,n_fake,d,shift", [(1500, 1200, 16, 0.3), (600, 800, 64, 0.0)])
def test_prdc_matches_authors_package(n_real, n_fake, d, shift, capsys):
    import prdc as prdc_package

    rng = np.random.default_rng(16)
    real = rng.normal(size=(n_real, d))
    fake = 1.2 * rng.normal(size=(n_fake, d)) + shift
    expected = prdc_package.compute_prdc(real, fake, nearest_k=5)
    ours = M.prdc(real, fake, nearest_k=5, block_size=128)
    assert set(ours) == {"precision", "recall", "density", "coverage"}
    for key in ours:
        assert ours[key] == pytest.approx(float(expected[key]), abs=1e-6), key


def test_prdc_identical_and_far_apart():
    x = np.random.default_rng(17).normal(size=(300, 8))
    same = M.prdc(x, x.copy(), nearest_k=5, block_size=64)
    assert same["precision"] == 1.0 and same["recall"] == 1.0 and same["coverage"] == 1.0
    far = M.prdc(x, x + 100.0, nearest_k=5, block_size=64)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_prdc_bad_input():
    x = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="nearest_k"):
        M.prdc(x, x[:5], nearest_k=5)
    with pytest.raises(ValueError, match="nearest_k"):
        M.prdc(x, x, nearest_k=0)
    with pytest.raises(ValueError, match="real_features and fake_features"):
        M.prdc(x, x[:, :2])
    bad = x.copy()
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="fake_features"):
        M.prdc(x, bad)


# --------------------------------------------------------------------------------------------
# C2ST
# --------------------------------------------------------------------------------------------


def test_c2st_same_distribution_and_separable():
    rng = np.random.default_rng(18)
    a, b = rng.normal(size=(500, 5)), rng.normal(size=(600, 5))
    same = M.c2st(a, b, seed=0)
    assert same.n_test == 500
    assert abs(same.accuracy - 0.5) < 0.08 and same.p_value > 0.01
    sep = M.c2st(a, b + 4.0, seed=0)
    assert sep.accuracy > 0.95 and sep.p_value < 1e-6
    # the p-value is the binomial upper tail at the observed number of correct predictions
    k = round(sep.accuracy * sep.n_test)
    assert sep.p_value == pytest.approx(stats.binom.sf(k - 1, sep.n_test, 0.5), rel=1e-6)
    knn = M.c2st(a, b + 4.0, classifier="knn", seed=0)
    assert knn.accuracy > 0.95
    from sklearn.tree import DecisionTreeClassifier

    tree = M.c2st(a.reshape(500, 5, 1), (b + 4.0).reshape(600, 5, 1), classifier=DecisionTreeClassifier(random_state=0))
    assert tree.accuracy > 0.95


def test_c2st_bad_input():
    x = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="classifier"):
        M.c2st(x, x, classifier="svm")
    with pytest.raises(TypeError, match="classifier"):
        M.c2st(x, x, classifier=object())
    with pytest.raises(ValueError, match="real and fake"):
        M.c2st(x, x[:, :2])
    with pytest.raises(ValueError, match="test_size"):
        M.c2st(x, x, test_size=1.0)
    with pytest.raises(ValueError, match="fake"):
        M.c2st(x, x[:1])


# --------------------------------------------------------------------------------------------
# Memorisation
# --------------------------------------------------------------------------------------------


def test_memorization_detects_copies_and_not_fresh_samples():
    rng = np.random.default_rng(19)
    train, held = rng.normal(size=(1000, 8)), rng.normal(size=(400, 8))
    copies = train[:400] + 1e-3 * rng.normal(size=(400, 8))
    res = M.memorization_test(copies, train, held, block_size=128)
    assert res["z"] < -10 and res["p_value"] < 1e-3 and res["copy_fraction"] > 0.99
    assert res["median_gen_distance"] < 0.01 < res["median_heldout_distance"]
    assert res["distances_gen"].shape == (400,) and res["distances_heldout"].shape == (400,)
    # distances are the nearest-neighbour distances to the training set
    brute = np.sqrt(((held[:, None, :] - train[None]) ** 2).sum(-1)).min(axis=1)
    np.testing.assert_allclose(res["distances_heldout"], brute, rtol=1e-9)

    fresh = M.memorization_test(rng.normal(size=(400, 8)), train, held)
    assert fresh["p_value"] > 0.01 and abs(fresh["z"]) < 3
    assert fresh["copy_fraction"] < 0.15
    # z is the standardised U: its normal tail is close to the p-value (continuity correction aside)
    assert stats.norm.cdf(fresh["z"]) == pytest.approx(fresh["p_value"], abs=0.01)


def test_memorization_bad_input():
    x = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="generated_features and train_features"):
        M.memorization_test(x[:, :2], x, x)
    with pytest.raises(ValueError, match="heldout_features"):
        M.memorization_test(x, x, x[:1])
    with pytest.raises(ValueError, match="heldout_features and train_features"):
        M.memorization_test(x, x, x[:, :2])


# --------------------------------------------------------------------------------------------
# Mode coverage
# --------------------------------------------------------------------------------------------


def _ring(n_modes=8, radius=2.0):
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def test_mode_coverage_exact_samples_and_three_modes():
    rng = np.random.default_rng(20)
    means, std = _ring(), 0.02
    comp = rng.integers(0, 8, 20000)
    samples = means[comp] + std * rng.normal(size=(20000, 2))
    res = M.mode_coverage(samples, means, std)
    assert res["modes_covered"] == 8 and res["n_modes"] == 8
    assert res["high_quality_fraction"] == pytest.approx(stats.chi2.cdf(9, 2), abs=0.005)
    assert res["counts"].sum() == round(res["high_quality_fraction"] * 20000)
    assert res["kl_to_uniform"] < 0.01

    three = means[rng.integers(0, 3, 3000)] + std * rng.normal(size=(3000, 2))
    res3 = M.mode_coverage(three, means, np.full(8, std))
    assert res3["modes_covered"] == 3
    assert res3["kl_to_uniform"] == pytest.approx(math.log(8 / 3), abs=0.01)
    # samples far from every mode are never high quality
    off = M.mode_coverage(np.zeros((100, 2)), means, std)
    assert off["modes_covered"] == 0 and off["high_quality_fraction"] == 0.0 and math.isnan(off["kl_to_uniform"])


def test_mode_coverage_bad_input():
    means = _ring()
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="samples and means"):
        M.mode_coverage(np.zeros((5, 3)), means, 0.1)
    with pytest.raises(ValueError, match="stds"):
        M.mode_coverage(x, means, np.ones(3))
    with pytest.raises(ValueError, match="stds"):
        M.mode_coverage(x, means, -1.0)
    with pytest.raises(ValueError, match="threshold"):
        M.mode_coverage(x, means, 0.1, threshold=0)


# --------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------


def test_bootstrap_ci_mean():
    rng = np.random.default_rng(21)
    small, large = rng.normal(3.0, 1.0, 100), rng.normal(3.0, 1.0, 1600)
    r_small = M.bootstrap_ci(np.mean, small, n_bootstrap=400, seed=0)
    r_large = M.bootstrap_ci(np.mean, large, n_bootstrap=400, seed=0)
    assert r_small.estimate == pytest.approx(small.mean())
    assert r_small.low < 3.0 < r_small.high and r_large.low < 3.0 < r_large.high
    assert (r_large.high - r_large.low) < 0.5 * (r_small.high - r_small.low)
    # bootstrap std of the mean ≈ s / sqrt(n)
    assert r_large.std == pytest.approx(large.std() / 40, rel=0.2)


def test_bootstrap_ci_resamples_arrays_independently():
    rng = np.random.default_rng(22)
    a, b = rng.normal(size=200), rng.normal(size=300) + 1.0
    res = M.bootstrap_ci(lambda x, y: y.mean() - x.mean(), a, b, n_bootstrap=300)
    assert res.estimate == pytest.approx(b.mean() - a.mean())
    assert res.std == pytest.approx(math.sqrt(1 / 200 + 1 / 300), rel=0.2)


def test_bootstrap_ci_bad_input():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="n_bootstrap"):
        M.bootstrap_ci(np.mean, x, n_bootstrap=1)
    with pytest.raises(ValueError, match="confidence"):
        M.bootstrap_ci(np.mean, x, confidence=1.0)
    with pytest.raises(TypeError, match="metric_fn"):
        M.bootstrap_ci("mean", x)
    with pytest.raises(ValueError, match="arrays"):
        M.bootstrap_ci(np.mean)
    with pytest.raises(ValueError, match=r"arrays\[0\]"):
        M.bootstrap_ci(np.mean, np.zeros(0))
