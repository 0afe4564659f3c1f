"""Tests for ganlib.book.ch05a: corruptions, sensitivity, the discriminator test (the metric suite and
``embed`` it re-exports are tested in tests/test_metrics_suite.py and tests/test_metrics_features.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.ndimage import gaussian_filter

from ganlib.book import ch05a as E
from ganlib import metrics as M


def _images(n=12, seed=0, size=8):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, size=(n, size, size, 1)).astype(np.float32)


# --------------------------------------------------------------------------------------------
# corruptions
# --------------------------------------------------------------------------------------------


def test_drop_classes_keeps_exactly_the_requested_labels_in_order():
    x = _images(6)
    y = np.array([0, 1, 2, 1, 0, 2])
    xk, yk = E.drop_classes(x, y, keep=[1, 2])
    np.testing.assert_array_equal(yk, [1, 2, 1, 2])
    np.testing.assert_array_equal(xk, x[[1, 2, 3, 5]])
    assert xk.dtype == np.float32 and yk.dtype == np.int64


def test_drop_classes_bad_input():
    x, y = _images(4), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="keep"):
        E.drop_classes(x, y, keep=[7])
    with pytest.raises(ValueError, match="keep"):
        E.drop_classes(x, y, keep=[])
    with pytest.raises(TypeError, match="keep"):
        E.drop_classes(x, y, keep=3)
    with pytest.raises(ValueError, match="labels"):
        E.drop_classes(x, y[:3], keep=[0])
    with pytest.raises(ValueError, match="images"):
        E.drop_classes(x * 2, y, keep=[0])
    with pytest.raises(ValueError, match="images"):
        E.drop_classes(x[..., 0], y, keep=[0])


def test_add_gaussian_noise_matches_clipped_normal_draws():
    x = np.full((3, 4, 4, 1), 0.5, dtype=np.float32)
    out = E.add_gaussian_noise(x, 0.1, seed=3)
    eps = np.random.default_rng(3).normal(0.0, 0.1, size=x.shape).astype(np.float32)
    np.testing.assert_allclose(out, np.clip(x + eps, 0, 1), rtol=0, atol=1e-7)
    assert out.dtype == np.float32
    # large noise is clipped into [0, 1]
    big = E.add_gaussian_noise(x, 10.0, seed=0)
    assert big.min() == 0.0 and big.max() == 1.0
    np.testing.assert_array_equal(E.add_gaussian_noise(x, 0.0), x)
    np.testing.assert_array_equal(E.add_gaussian_noise(x, 0.2, seed=1), E.add_gaussian_noise(x, 0.2, seed=1))


def test_add_gaussian_noise_bad_input():
    with pytest.raises(ValueError, match="std"):
        E.add_gaussian_noise(_images(2), -0.1)
    with pytest.raises(TypeError, match="std"):
        E.add_gaussian_noise(_images(2), "0.1")
    with pytest.raises(ValueError, match="seed"):
        E.add_gaussian_noise(_images(2), 0.1, seed=-1)
    with pytest.raises(ValueError, match="images"):
        E.add_gaussian_noise(-_images(2), 0.1)


def test_gaussian_blur_matches_per_image_filter_and_preserves_mass():
    x = _images(3, size=10)
    out = E.gaussian_blur(x, 1.5)
    for i in range(3):
        ref = gaussian_filter(x[i, :, :, 0].astype(np.float64), sigma=1.5, mode="reflect")
        np.testing.assert_allclose(out[i, :, :, 0], ref, atol=1e-6)
    # a normalised kernel with reflecting borders keeps the mean of each image
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), x.mean(axis=(1, 2, 3)), atol=1e-5)
    # a single bright pixel spreads out: the blurred maximum is lower
    delta = np.zeros((1, 15, 15, 1), dtype=np.float32)
    delta[0, 7, 7, 0] = 1.0
    blurred = E.gaussian_blur(delta, 1.0)
    assert blurred.max() == pytest.approx(1 / (2 * math.pi), rel=0.08)  # peak of a 2-D unit Gaussian
    assert blurred.min() >= 0.0 and out.dtype == np.float32
    np.testing.assert_array_equal(E.gaussian_blur(x, 0), x)


def test_gaussian_blur_bad_input():
    with pytest.raises(ValueError, match="sigma"):
        E.gaussian_blur(_images(2), -1.0)
    with pytest.raises(TypeError, match="sigma"):
        E.gaussian_blur(_images(2), None)
    with pytest.raises(ValueError, match="images"):
        E.gaussian_blur(np.ones((2, 4, 4)), 1.0)


def test_memorize_returns_distinct_training_images():
    x = _images(10)
    out = E.memorize(x, 6, seed=1)
    assert out.shape == (6, 8, 8, 1)
    idx = [int(np.flatnonzero(np.all(x == o, axis=(1, 2, 3)))[0]) for o in out]
    assert len(set(idx)) == 6
    expected = np.sort(np.random.default_rng(1).choice(10, 6, replace=False))
    np.testing.assert_array_equal(idx, expected)


def test_memorize_bad_input():
    with pytest.raises(ValueError, match="n"):
        E.memorize(_images(3), 4)
    with pytest.raises(ValueError, match="n"):
        E.memorize(_images(3), 0)
    with pytest.raises(TypeError, match="n"):
        E.memorize(_images(3), 1.5)
    with pytest.raises(ValueError, match="train_images"):
        E.memorize(_images(3) + 2, 1)


def test_mode_collapse_repeats_few_images():
    x = _images(10)
    out = E.mode_collapse(x, 3, seed=2)
    assert out.shape == x.shape
    distinct = np.unique(out.reshape(10, -1), axis=0)
    assert distinct.shape[0] == 3
    for d in distinct:  # every output image is one of the inputs
        assert np.any(np.all(x.reshape(10, -1) == d, axis=1))
    np.testing.assert_array_equal(out[0], out[3])


def test_mode_collapse_bad_input():
    with pytest.raises(ValueError, match="n_distinct"):
        E.mode_collapse(_images(3), 4)
    with pytest.raises(ValueError, match="n_distinct"):
        E.mode_collapse(_images(3), 0)
    with pytest.raises(ValueError, match="images"):
        E.mode_collapse(np.full((3, 4, 4, 1), np.nan), 1)


def test_corrupted_sets_builds_every_failure():
    fresh = _images(20, seed=1)
    labels = np.arange(20) % 4
    train = _images(15, seed=2)
    sets = E.corrupted_sets(fresh, labels, train, n=8, keep=(0, 1), noise_std=0.2, blur_sigma=1.0,
                            n_distinct=2, seed=0)
    assert list(sets) == ["real (baseline)", "mode dropping", "noise", "blur", "mode collapse", "memorized"]
    for name, s in sets.items():
        assert s.shape == (8, 8, 8, 1) and s.dtype == np.float32, name
        assert s.min() >= 0.0 and s.max() <= 1.0, name
    np.testing.assert_array_equal(sets["real (baseline)"], fresh[:8])
    np.testing.assert_array_equal(sets["mode dropping"], fresh[labels < 2][:8])
    np.testing.assert_array_equal(sets["blur"], E.gaussian_blur(fresh[:8], 1.0))
    np.testing.assert_array_equal(sets["noise"], E.add_gaussian_noise(fresh[:8], 0.2, seed=0))
    assert np.unique(sets["mode collapse"].reshape(8, -1), axis=0).shape[0] == 2
    np.testing.assert_array_equal(sets["memorized"], E.memorize(train, 8, seed=0))


def test_corrupted_sets_bad_input():
    fresh, labels, train = _images(10), np.arange(10) % 2, _images(10)
    with pytest.raises(ValueError, match="n"):
        E.corrupted_sets(fresh, labels, train, n=11)
    with pytest.raises(ValueError, match="n"):  # only 5 images of class 0
        E.corrupted_sets(fresh, labels, train, n=6, keep=(0,))
    with pytest.raises(ValueError, match="fresh_labels"):
        E.corrupted_sets(fresh, labels[:5], train, n=4)
    with pytest.raises(ValueError, match="train_images"):
        E.corrupted_sets(fresh, labels, _images(10, size=6), n=4)


# --------------------------------------------------------------------------------------------
# sensitivity_matrix
# --------------------------------------------------------------------------------------------


def test_sensitivity_matrix_signs_and_scales_by_hand():
    results = {
        "base": {"fid": 2.0, "recall": 0.8, "density": 1.0, "memorization_z": 0.0},
        "bad": {"fid": 6.0, "recall": 0.4, "density": 0.5, "memorization_z": -3.0},
    }
    mat, mets, sets = E.sensitivity_matrix(results, baseline="base")
    assert sets == ["bad"]
    assert mets == ["fid", "recall", "density", "memorization_z"]
    # fid: (6-2)/2 = 2 ; recall: -(0.4-0.8)/0.8 = 0.5 ; density |0.5-1|/1 ; z: |-3-0|/1 (zero baseline)
    np.testing.assert_allclose(mat[:, 0], [2.0, 0.5, 0.5, 3.0])
    mat2, mets2, _ = E.sensitivity_matrix(results, baseline="base", metrics=["fid"], directions={"fid": -1})
    np.testing.assert_allclose(mat2, [[-2.0]])


def test_sensitivity_matrix_scaled_by_a_reference_generator():
    results = {
        "base": {"fid": 0.5, "precision": 0.98, "memorization_z": -1.0},
        "copy": {"fid": 0.6, "precision": 0.97, "memorization_z": -41.0},
        "blur": {"fid": 30.5, "precision": 0.90, "memorization_z": 11.0},
    }
    gan = {"fid": 10.5, "precision": 0.78, "memorization_z": 19.0}
    mat, mets, sets = E.sensitivity_matrix(results, baseline="base", reference=gan)
    assert sets == ["copy", "blur"] and mets == ["fid", "precision", "memorization_z"]
    # scales: fid 10, precision 0.2, z 20; z is signed for copying (direction -1)
    np.testing.assert_allclose(mat, [[0.01, 3.0], [0.05, 0.4], [2.0, -0.6]])
    # a reference equal to the baseline gives scale 0, replaced by 1 (absolute change)
    same = E.sensitivity_matrix(results, baseline="base", reference=results["base"], metrics=["fid"])[0]
    np.testing.assert_allclose(same, [[0.1, 30.0]])


def test_sensitivity_matrix_bad_input():
    results = {"base": {"fid": 1.0}, "x": {"fid": 2.0}}
    with pytest.raises(ValueError, match="baseline"):
        E.sensitivity_matrix(results, baseline="nope")
    with pytest.raises(TypeError, match="results"):
        E.sensitivity_matrix([], baseline="base")
    with pytest.raises(ValueError, match="metrics"):
        E.sensitivity_matrix(results, baseline="base", metrics=["mystery"])
    with pytest.raises(ValueError, match="directions"):
        E.sensitivity_matrix(results, baseline="base", directions={"fid": 2})
    with pytest.raises(ValueError, match="results"):
        E.sensitivity_matrix({"base": {"fid": 1.0}}, baseline="base")
    with pytest.raises(ValueError, match="results"):
        E.sensitivity_matrix({"base": {"fid": 1.0}, "x": {"kid": 1.0}}, baseline="base")
    with pytest.raises(ValueError, match="reference"):
        E.sensitivity_matrix(results, baseline="base", reference={"kid": 1.0})
    with pytest.raises(TypeError, match="reference"):
        E.sensitivity_matrix(results, baseline="base", reference=3.0)


# --------------------------------------------------------------------------------------------
# discriminator_two_sample_test
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def brightness_gan():
    """A GAN whose discriminator logit is 20·(mean pixel − 0.5): D calls bright images real."""
    import keras

    from ganlib.training import GAN

    image = keras.Input((8, 8, 1))
    mean = keras.layers.GlobalAveragePooling2D()(image)
    logit = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(20.0),
                               bias_initializer=keras.initializers.Constant(-10.0))(mean)
    disc = keras.Model(image, logit)
    z = keras.Input((2,))
    gen = keras.Model(z, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="sigmoid")(z)))
    return GAN(gen, disc)


def test_discriminator_two_sample_test_by_hand(brightness_gan):
    rng = np.random.default_rng(0)
    bright = rng.uniform(0.55, 1.0, size=(40, 8, 8, 1)).astype(np.float32)  # mean ≈ 0.775 -> D ≈ 1
    dark = rng.uniform(0.0, 0.45, size=(30, 8, 8, 1)).astype(np.float32)    # mean ≈ 0.225 -> D ≈ 0
    # 3 dark "reals" are misjudged as fake; 2 bright "fakes" are misjudged as real
    real = np.concatenate([bright[:27], dark[:3]])
    fake = np.concatenate([dark[3:28], bright[27:29]])
    out = E.discriminator_two_sample_test(brightness_gan, real, fake, train_images=bright[29:], seed=0)
    n = out["n"]
    assert n == min(len(real), len(fake)) == 27
    sub = np.random.default_rng(0)
    ri = np.sort(sub.choice(len(real), n, replace=False))
    fi = np.sort(sub.choice(len(fake), n, replace=False))
    real_called_real = int(np.sum(real[ri].mean(axis=(1, 2, 3)) > 0.5))
    fake_called_fake = int(np.sum(fake[fi].mean(axis=(1, 2, 3)) < 0.5))
    correct = real_called_real + fake_called_fake
    assert out["d_accuracy"] == pytest.approx(correct / (2 * n))
    assert out["d_p_value"] == pytest.approx(stats.binomtest(correct, 2 * n, 0.5, alternative="greater").pvalue)
    assert out["d_real_rate"] == pytest.approx(real_called_real / n)
    assert out["d_fake_rate"] == pytest.approx(fake_called_fake / n)
    assert out["d_train_rate"] == 1.0 and out["d_mean_train"] > 0.99
    # the fresh test matches ganlib.metrics.c2st on the same subsample of flattened pixels
    c = M.c2st(real[ri].reshape(n, -1), fake[fi].reshape(n, -1), seed=0)
    assert out["c2st_accuracy"] == pytest.approx(c.accuracy)
    assert out["c2st_p_value"] == pytest.approx(c.p_value)


def test_discriminator_two_sample_test_chance_when_d_is_constant():
    import keras

    from ganlib.training import GAN

    image = keras.Input((8, 8, 1))
    flat = keras.layers.Flatten()(image)
    logit = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(-1.0))(flat)
    z = keras.Input((2,))
    gen = keras.Model(z, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="sigmoid")(z)))
    gan = GAN(gen, keras.Model(image, logit))
    out = E.discriminator_two_sample_test(gan, _images(20, 1), _images(20, 2))
    # D = sigmoid(-1) < 1/2 everywhere: every fake right, every real wrong -> accuracy exactly 1/2
    assert out["d_accuracy"] == 0.5 and out["d_real_rate"] == 0.0 and out["d_fake_rate"] == 1.0
    assert out["d_mean_real"] == pytest.approx(1 / (1 + math.e))
    assert out["d_p_value"] == pytest.approx(stats.binomtest(20, 40, 0.5, alternative="greater").pvalue)


def test_discriminator_two_sample_test_bad_input(brightness_gan):
    x = _images(10)
    with pytest.raises(TypeError, match="gan"):
        E.discriminator_two_sample_test(object(), x, x)
    with pytest.raises(ValueError, match="threshold"):
        E.discriminator_two_sample_test(brightness_gan, x, x, threshold=1.0)
    with pytest.raises(ValueError, match="real_features, fake_features"):
        E.discriminator_two_sample_test(brightness_gan, x, x, real_features=np.ones((10, 2)))
    with pytest.raises(ValueError, match="real_features"):
        E.discriminator_two_sample_test(brightness_gan, x, x, real_features=np.ones((9, 2)),
                                        fake_features=np.ones((10, 2)))
    with pytest.raises(ValueError, match="real_images and fake_images"):
        E.discriminator_two_sample_test(brightness_gan, x, _images(10, size=6))
    with pytest.raises(ValueError, match="fake_images"):
        E.discriminator_two_sample_test(brightness_gan, x, x[:1])
    with pytest.raises(ValueError, match="train_images"):
        E.discriminator_two_sample_test(brightness_gan, x, x, train_images=_images(3, size=6))
