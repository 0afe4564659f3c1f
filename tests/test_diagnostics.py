"""Tests for ganlib.book.ch06: hand-computed counts, brute-force references, fake clocks."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest

import ganlib
from ganlib.book import ch06 as DG


def _fake_clock(values):
    it = iter(values)
    return lambda: next(it)


def _dense_model(n_in=3, units=4, bn=False):
    x = keras.Input(shape=(n_in,))
    h = keras.layers.Dense(units)(x)
    if bn:
        h = keras.layers.BatchNormalization()(h)
    return keras.Model(x, h)


# --------------------------------------------------------------------------------------------
# parameter_count / forward_flops / training_step_flops
# --------------------------------------------------------------------------------------------


def test_parameter_count_dense_and_batchnorm():
    assert DG.parameter_count(_dense_model()) == 3 * 4 + 4
    m = _dense_model(bn=True)  # BN(4): gamma, beta trainable; moving mean/var not
    assert DG.parameter_count(m) == 16 + 4 * 4
    assert DG.parameter_count(m, trainable_only=True) == 16 + 2 * 4
    # the source article's generator: 100 -> 256 -> 784
    assert DG.parameter_count(ganlib.models.mlp_generator()) == 100 * 256 + 256 + 256 * 784 + 784


def test_forward_flops_dense_conv_and_transpose():
    assert DG.forward_flops(_dense_model()) == 2 * 3 * 4
    assert DG.forward_flops(ganlib.models.mlp_generator()) == 2 * (100 * 256 + 256 * 784)
    x = keras.Input(shape=(5, 5, 2))
    conv = keras.Model(x, keras.layers.Conv2D(8, 3, padding="same")(x))
    assert DG.forward_flops(conv) == 2 * 5 * 5 * 8 * 3 * 3 * 2
    strided = keras.Model(x, keras.layers.Conv2D(8, 3, strides=2, padding="valid")(x))  # out 2x2
    assert DG.forward_flops(strided) == 2 * 2 * 2 * 8 * 3 * 3 * 2
    y = keras.Input(shape=(7, 7, 3))
    up = keras.Model(y, keras.layers.Conv2DTranspose(4, 5, strides=2, padding="same")(y))
    assert DG.forward_flops(up) == 2 * 7 * 7 * 3 * 5 * 5 * 4
    # nested model counted recursively; non-compute layers count 0
    z = keras.Input(shape=(3,))
    nested = keras.Model(z, keras.layers.ReLU()(_dense_model()(z)))
    assert DG.forward_flops(nested) == 24


def test_forward_flops_dcgan_generator_by_hand():
    # TF DCGAN tutorial generator: Dense 100->7*7*256, ConvT 256->128 (5x5, s1, 7x7),
    # ConvT 128->64 (5x5, s2, 7->14), ConvT 64->1 (5x5, s2, 14->28)
    expected = 2 * (100 * 7 * 7 * 256 + 7 * 7 * 256 * 25 * 128 + 7 * 7 * 128 * 25 * 64 + 14 * 14 * 64 * 25 * 1)
    assert DG.forward_flops(ganlib.models.dcgan_generator()) == expected


def test_training_step_flops_toy_by_hand():
    gan = ganlib.make_gan("toy", d_steps=2)
    f_g = 2 * (8 * 128 + 128 * 128 * 2 + 128 * 2)
    f_d = 2 * (2 * 128 + 128 * 128 * 2 + 128 * 1)
    assert DG.forward_flops(gan.generator) == f_g and DG.forward_flops(gan.discriminator) == f_d
    b = 4
    assert DG.training_step_flops(gan, b) == 2 * b * (f_g + 6 * f_d) + 3 * b * (f_g + f_d)


# --------------------------------------------------------------------------------------------
# time_training / scaling_table (fake clocks: exact, machine-independent numbers)
# --------------------------------------------------------------------------------------------


def _toy_points(n=64):
    return ganlib.data.ring_of_gaussians().sample(n, seed=0)


def test_time_training_with_fake_clock():
    clock = _fake_clock([0.0, 5.0, 10.0, 12.0, 20.0, 23.0, 30.0, 32.0])
    res = DG.time_training(lambda: ganlib.make_gan("toy"), _toy_points(), epochs=1, batch_size=16,
                           repeats=3, steps_per_epoch=2, clock=clock)
    assert res["warmup_seconds"] == 5.0
    assert res["epoch_seconds"] == [2.0, 3.0, 2.0]
    assert res["seconds_per_epoch"] == 2.0  # median
    assert res["compile_seconds"] == 3.0
    assert res["steps_per_epoch"] == 2
    assert res["seconds_per_step"] == 1.0 and res["steps_per_second"] == 1.0
    assert res["images_per_second"] == 16.0
    # the GAN really ran warm-up + 3 repeats of 2 steps
    assert int(res["gan"].g_optimizer.iterations) == (1 + 3) * 2
    assert res["parameters"] == DG.parameter_count(res["gan"].generator) + DG.parameter_count(res["gan"].discriminator)


def test_time_training_counts_executed_steps_and_epochs():
    # 2 epochs per repeat; per-epoch time is the repeat's time / 2
    clock = _fake_clock([0.0, 1.0, 1.0, 9.0])
    res = DG.time_training(lambda: ganlib.make_gan("toy", steps_per_execution=2), _toy_points(), epochs=2,
                           batch_size=16, repeats=1, steps_per_epoch=4, clock=clock)
    assert res["seconds_per_epoch"] == 4.0 and res["compile_seconds"] == 0.0
    steps = res["steps_per_epoch"]
    assert int(res["gan"].g_optimizer.iterations) == 3 * steps  # warm-up + 2 epochs
    assert res["seconds_per_step"] == pytest.approx(8.0 / (2 * steps))
    assert res["steps_per_execution"] == 2


def test_scaling_table_with_fake_clock():
    clock = _fake_clock(itertools.count(0.0, 1.0))  # every timed block lasts exactly 1 s
    table = DG.scaling_table({"toy": lambda b: ganlib.make_gan("toy")}, _toy_points(), batch_sizes=[8, 16],
                             repeats=1, images_per_epoch=32, clock=clock)
    assert list(table["model"]) == ["toy", "toy"] and list(table["batch_size"]) == [8, 16]
    assert list(table["seconds_per_epoch"]) == [1.0, 1.0]
    # 4 and 2 steps per 1-s epoch
    np.testing.assert_allclose(table["seconds_per_step"], [1 / 4, 1 / 2])
    np.testing.assert_allclose(table["images_per_second"], [32.0, 32.0])
    gan = ganlib.make_gan("toy")
    flops = [DG.training_step_flops(gan, 8), DG.training_step_flops(gan, 16)]
    np.testing.assert_allclose(table["gflops_per_step"], np.array(flops) / 1e9)
    np.testing.assert_allclose(table["achieved_gflops_per_second"], np.array(flops) * [4, 2] / 1e9)


# --------------------------------------------------------------------------------------------
# classifier_confidence / extremes
# --------------------------------------------------------------------------------------------


def test_classifier_confidence_known_logits():
    logits = np.array([[0.0, 0.0], [np.log(3.0), 0.0], [0.0, 10.0]])

    def clf(batch):
        return logits[: len(batch)] if len(batch) == 3 else logits[1 : 1 + len(batch)]

    conf, pred = DG.classifier_confidence(np.zeros((3, 28, 28, 1)), clf)
    np.testing.assert_allclose(conf, [0.5, 0.75, 1 / (1 + np.exp(-10.0))], rtol=1e-12)
    np.testing.assert_array_equal(pred, [0, 0, 1])
    assert pred.dtype == np.int64


def test_extremes_by_hand():
    low, high = DG.extremes([0.3, 0.1, 0.9, 0.5, 0.1], 2)
    np.testing.assert_array_equal(low, [1, 4])
    np.testing.assert_array_equal(high, [2, 3])


# --------------------------------------------------------------------------------------------
# nearest_neighbours / neighbour_pairs / noisy_copies
# --------------------------------------------------------------------------------------------


def test_nearest_neighbours_matches_brute_force_and_sklearn():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(0)
    q, r = rng.normal(size=(37, 5)), rng.normal(size=(211, 5))
    res = DG.nearest_neighbours(q, r, k=4, block_size=16)
    brute = np.sqrt(((q[:, None, :] - r[None]) ** 2).sum(-1))
    idx = np.argsort(brute, axis=1)[:, :4]
    np.testing.assert_array_equal(res.indices, idx)
    np.testing.assert_allclose(res.distances, np.take_along_axis(brute, idx, axis=1), rtol=1e-9)
    d_sk, i_sk = NearestNeighbors(n_neighbors=4).fit(r).kneighbors(q)
    np.testing.assert_array_equal(res.indices, i_sk)
    np.testing.assert_allclose(res.distances, d_sk, rtol=1e-9)
    assert res.indices.dtype == np.int64 and res.distances.dtype == np.float64


def test_nearest_neighbours_pixel_space_finds_exact_copies():
    rng = np.random.default_rng(1)
    train = rng.random((50, 28, 28, 1)).astype(np.float32)
    res = DG.nearest_neighbours(train[[7, 3, 41]], train, k=2, block_size=8)
    np.testing.assert_array_equal(res.indices[:, 0], [7, 3, 41])
    np.testing.assert_allclose(res.distances[:, 0], 0.0, atol=1e-5)
    assert np.all(res.distances[:, 1] > 1.0)


def test_neighbour_pairs_layout():
    q = np.arange(2 * 4, dtype=float).reshape(2, 2, 2) + 100
    r = np.arange(5 * 4, dtype=float).reshape(5, 2, 2)
    out = DG.neighbour_pairs(q, r, [[4, 0], [1, 1]])
    assert out.shape == (6, 2, 2)
    np.testing.assert_array_equal(out[0], q[0])
    np.testing.assert_array_equal(out[1], r[4])
    np.testing.assert_array_equal(out[2], r[0])
    np.testing.assert_array_equal(out[3], q[1])
    np.testing.assert_array_equal(out[4], r[1])
    np.testing.assert_array_equal(out[5], r[1])


def test_noisy_copies_exact_and_noisy():
    rng = np.random.default_rng(2)
    images = rng.uniform(0.3, 0.7, size=(20, 28, 28, 1)).astype(np.float32)
    exact, src = DG.noisy_copies(images, 10, noise_std=0.0, seed=3)
    assert exact.shape == (10, 28, 28, 1) and exact.dtype == np.float32 and src.dtype == np.int64
    assert len(set(src.tolist())) == 10  # without replacement
    np.testing.assert_array_equal(exact, images[src])
    noisy, src2 = DG.noisy_copies(images, 10, noise_std=0.05, seed=3)
    np.testing.assert_array_equal(src2, src)  # same seed, same sources
    diff = noisy - images[src]
    assert np.std(diff) == pytest.approx(0.05, rel=0.05)  # pixels 0.3..0.7: clipping is rare
    many, _ = DG.noisy_copies(images, 30, noise_std=1.0, seed=0)  # n > N: with replacement
    assert many.min() >= 0.0 and many.max() <= 1.0


# --------------------------------------------------------------------------------------------
# The multi-seed toy experiment
# --------------------------------------------------------------------------------------------


def test_mode_collapse_runs_table_matches_mode_coverage():
    ring = ganlib.data.ring_of_gaussians()
    out = DG.mode_collapse_runs(ring, {"ns": {}, "slow_d": {"d_learning_rate": 1e-5}}, seeds=[3], steps=4,
                                batch_size=32, n_train=256, n_samples=200, threshold=40.0)
    table = out["table"]
    assert list(table["setting"]) == ["ns", "slow_d"] and list(table["seed"]) == [3, 3]
    assert out["train"].shape == (256, 2)
    for _, row in table.iterrows():
        pts = out["samples"][(row["setting"], row["seed"])]
        assert pts.shape == (200, 2)
        ref = ganlib.metrics.mode_coverage(pts, ring.means, ring.stds, threshold=40.0)
        assert row["modes_covered"] == ref["modes_covered"] and row["n_modes"] == 8
        assert row["high_quality_fraction"] == ref["high_quality_fraction"]
        # modes reached = coverage with no quality condition (an infinite radius), by brute force
        nearest = np.argmin(np.linalg.norm(pts[:, None, :] - ring.means[None], axis=-1), axis=1)
        counts = np.bincount(nearest, minlength=8)
        assert row["modes_reached"] == int(np.sum(counts >= 0.2 * 200 / 8))
        assert row["modes_reached"] >= row["modes_covered"]


def test_time_training_rounds_steps_to_steps_per_execution():
    clock = _fake_clock(itertools.count(0.0, 1.0))
    res = DG.time_training(lambda: ganlib.make_gan("toy", steps_per_execution=3), _toy_points(), batch_size=16,
                           repeats=1, steps_per_epoch=2, clock=clock)
    assert res["steps_per_epoch"] == 3
    assert int(res["gan"].g_optimizer.iterations) == 2 * 3


# --------------------------------------------------------------------------------------------
# Bad input: one table, each case names the argument in the message
# --------------------------------------------------------------------------------------------

_X = np.zeros((4, 3))
_IMAGES = np.zeros((4, 28, 28, 1))
_RING = ganlib.data.ring_of_gaussians()
_logits3 = lambda b: np.zeros((len(b), 3))  # noqa: E731

BAD_INPUT = [
    # (function, call, error, message)
    ("parameter_count", lambda: DG.parameter_count("not a model"), TypeError, "model"),
    ("parameter_count", lambda: DG.parameter_count(_dense_model(), trainable_only="yes"), TypeError, "trainable_only"),
    ("forward_flops", lambda: DG.forward_flops(np.zeros(3)), TypeError, "model"),
    ("training_step_flops", lambda: DG.training_step_flops(_dense_model(), 4), TypeError, "gan"),
    ("training_step_flops", lambda: DG.training_step_flops(ganlib.make_gan("toy"), 0), ValueError, "batch_size"),
    ("time_training", lambda: DG.time_training("mlp", _toy_points()), TypeError, "make_gan_fn"),
    ("time_training", lambda: DG.time_training(lambda: 3, _toy_points(), batch_size=16, repeats=1), TypeError,
     "make_gan_fn"),
    ("time_training", lambda: DG.time_training(lambda: ganlib.make_gan("toy"), _toy_points(), batch_size=1000),
     ValueError, "batch_size"),
    ("time_training", lambda: DG.time_training(lambda: ganlib.make_gan("toy"), _toy_points(), repeats=0), ValueError,
     "repeats"),
    ("time_training", lambda: DG.time_training(lambda: ganlib.make_gan("toy"), _toy_points(), clock=1.0), TypeError,
     "clock"),
    ("time_training", lambda: DG.time_training(lambda: ganlib.make_gan("toy"), np.full((8, 2), np.nan)), ValueError,
     "x"),
    ("time_training", lambda: DG.time_training(lambda: ganlib.make_gan("toy"), _toy_points(), seed=-2), ValueError,
     "seed"),
    ("scaling_table", lambda: DG.scaling_table([lambda b: None], _toy_points(), batch_sizes=[8]), TypeError,
     "builders"),
    ("scaling_table", lambda: DG.scaling_table({}, _toy_points(), batch_sizes=[8]), ValueError, "builders"),
    ("scaling_table", lambda: DG.scaling_table({"a": 3}, _toy_points(), batch_sizes=[8]), TypeError,
     "builders['a']"),
    ("scaling_table", lambda: DG.scaling_table({"a": lambda b: None}, _toy_points(), batch_sizes=[]), ValueError,
     "batch_sizes"),
    ("scaling_table", lambda: DG.scaling_table({"a": lambda b: None}, _toy_points(), batch_sizes=[128]), ValueError,
     "batch_sizes"),
    ("scaling_table", lambda: DG.scaling_table({"a": lambda b: None}, _toy_points(), batch_sizes=8), TypeError,
     "batch_sizes"),
    ("classifier_confidence", lambda: DG.classifier_confidence(_IMAGES, "clf"), TypeError, "classifier"),
    ("classifier_confidence", lambda: DG.classifier_confidence(_IMAGES, lambda b: np.zeros((len(b), 1))), ValueError,
     "classifier"),
    ("classifier_confidence", lambda: DG.classifier_confidence(np.full((2, 28, 28, 1), np.nan), _logits3), ValueError,
     "images"),
    ("classifier_confidence", lambda: DG.classifier_confidence(_IMAGES, _logits3, batch_size=0), ValueError,
     "batch_size"),
    ("extremes", lambda: DG.extremes([1.0, 2.0], 3), ValueError, "n"),
    ("extremes", lambda: DG.extremes(np.zeros((2, 2)), 1), ValueError, "values"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(_X, np.zeros((4, 2))), ValueError, "queries and reference"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(_X, _X, k=5), ValueError, "k"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(_X, _X, block_size=0), ValueError, "block_size"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(np.zeros(3), _X), ValueError, "queries"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(np.zeros((0, 3)), _X), ValueError, "queries"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(_X, np.full((4, 3), np.inf)), ValueError, "reference"),
    ("nearest_neighbours", lambda: DG.nearest_neighbours(_X, "abc"), TypeError, "reference"),
    ("neighbour_pairs", lambda: DG.neighbour_pairs(_X[:2], np.zeros((5, 3)), [[5], [0]]), ValueError, "indices"),
    ("neighbour_pairs", lambda: DG.neighbour_pairs(_X[:2], np.zeros((5, 3)), [[0]]), ValueError, "indices"),
    ("neighbour_pairs", lambda: DG.neighbour_pairs(_X[:2], np.zeros((5, 2)), [[0], [0]]), ValueError,
     "queries and reference"),
    ("neighbour_pairs", lambda: DG.neighbour_pairs(_X[:2], np.zeros((5, 3)), [[0.5], [0.0]]), TypeError, "indices"),
    ("noisy_copies", lambda: DG.noisy_copies(_IMAGES, 2, noise_std=-0.1), ValueError, "noise_std"),
    ("noisy_copies", lambda: DG.noisy_copies(_IMAGES, 2, noise_std=float("inf")), ValueError, "noise_std"),
    ("noisy_copies", lambda: DG.noisy_copies(_IMAGES, 2, noise_std="0.1"), TypeError, "noise_std"),
    ("noisy_copies", lambda: DG.noisy_copies(_IMAGES + 2, 2), ValueError, "images"),
    ("noisy_copies", lambda: DG.noisy_copies(_IMAGES, 0), ValueError, "n"),
    ("noisy_copies", lambda: DG.noisy_copies(_IMAGES, 2, seed=-1), ValueError, "seed"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(np.zeros((8, 2)), {"a": {}}, seeds=[0], steps=1,
                                                         batch_size=8), TypeError, "mixture"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, [{}], seeds=[0], steps=1, batch_size=8), TypeError,
     "settings"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {}, seeds=[0], steps=1, batch_size=8), ValueError,
     "settings"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {"a": 1}, seeds=[0], steps=1, batch_size=8),
     TypeError, "settings['a']"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {"a": {}}, seeds=[], steps=1, batch_size=8),
     ValueError, "seeds"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {"a": {}}, seeds=[-1], steps=1, batch_size=8),
     ValueError, "seeds"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {"a": {}}, seeds=3, steps=1, batch_size=8),
     TypeError, "seeds"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {"a": {}}, seeds=[0], steps=0, batch_size=8),
     ValueError, "steps"),
    ("mode_collapse_runs", lambda: DG.mode_collapse_runs(_RING, {"a": {}}, seeds=[0], steps=1, batch_size=64,
                                                         n_train=32), ValueError, "batch_size"),
]


@pytest.mark.parametrize("function, call, error, message", BAD_INPUT,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(BAD_INPUT)])
def test_bad_input_names_the_argument(function, call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message + ":"), str(info.value)
