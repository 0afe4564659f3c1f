"""Tests for ganlib.book.ch07: metric tables (the one metric suite), metrics over training, epoch timing, verdicts across
seeds, the discriminator ablation, bad input."""

import itertools
import math

import keras
import numpy as np
import pandas as pd
import pytest

import ganlib

from ganlib import metrics
from ganlib.metrics import CLASSIFIER_SCORE, FID, KID, KID_STD, RECALL, SuiteConfig
from ganlib.book import ch07 as comparison
from ganlib.book.ch07 import (
    EpochTimer,
    compare_generators,
    grey_pixel_fraction,
    metrics_over_training,
    mlp_discriminator_dcgan_style,
    plot_runs,
    seconds_per_epoch,
    spread,
    spread_table,
    stack_runs,
    train_gan_of,
)


def _flatten(batch):
    batch = np.asarray(batch)
    return batch.reshape(len(batch), -1)


@pytest.fixture
def real():
    # 40 tiny "images" (4x4x1) in [0, 0.5], so that +0.5 stays inside [0, 1]
    return np.random.default_rng(0).uniform(0.0, 0.5, size=(40, 4, 4, 1)).astype(np.float32)


# ---------------------------------------------------------------------------- compare_generators

#: The columns of a table without a classifier: the keys of the suite's fid, kid and prdc families.
SUITE_COLUMNS = ["fid", "kid", "kid_std", "precision", "recall", "density", "coverage"]


def test_compare_generators_rows_columns_and_values(real):
    calls = []

    def shifted(n):
        calls.append(n)
        return real[:n] + 0.5

    table = compare_generators(
        {"copy": real, "shifted": shifted}, real, _flatten, classifier=lambda b: np.zeros((len(b), 10)),
        n=40, nearest_k=3, n_kid_subsets=3, kid_subset_size=20,
        extra={"shifted": {"s/epoch": 1.5, "parameters": 7}},
    )
    assert calls == [40]
    assert list(table.index) == ["copy", "shifted"]
    assert list(table.columns) == [*SUITE_COLUMNS, "classifier_score", "s/epoch", "parameters"]
    assert table.loc["copy", FID] == pytest.approx(0.0, abs=1e-8)
    # a constant shift of 0.5 in all 16 features: FID = 16 * 0.25 = 4
    assert table.loc["shifted", FID] == pytest.approx(4.0, rel=1e-6)
    # every generated point is the centre of a real ball of positive radius (strict <): all 1
    assert table.loc["copy", ["precision", "recall", "coverage"]].tolist() == [1.0, 1.0, 1.0]
    assert table.loc["shifted", KID] > 0
    # identical predictions for every image: p(y|x) = p(y), score exp(0) = 1
    assert table.loc["copy", CLASSIFIER_SCORE] == pytest.approx(1.0)
    assert table.loc["shifted", "s/epoch"] == 1.5
    assert math.isnan(table.loc["copy", "s/epoch"])


def test_compare_generators_matches_the_individual_metrics():
    rng = np.random.default_rng(3)
    # float32 images, as compare_generators passes them to the extractor
    real_images = rng.uniform(0.0, 0.8, size=(70, 3, 3, 1)).astype(np.float32)
    fake_images = rng.uniform(0.1, 0.9, size=(80, 3, 3, 1)).astype(np.float32)
    weights = rng.normal(size=(9, 4))

    def classifier(batch):
        return _flatten(batch) @ weights

    table = compare_generators({"g": fake_images}, real_images, _flatten, classifier, nearest_k=4, n_kid_subsets=7,
                               kid_subset_size=25, seed=5)
    row = table.loc["g"]
    a, b = _flatten(real_images), _flatten(fake_images)
    assert row[FID] == pytest.approx(metrics.fid_from_features(a, b), rel=1e-12)
    kid = metrics.kid(a, b, n_subsets=7, subset_size=25, seed=5)
    assert row[KID] == pytest.approx(kid.mean, rel=1e-12) and row[KID_STD] == pytest.approx(kid.std, rel=1e-12)
    ref = metrics.prdc(a, b, nearest_k=4)
    for key in ("precision", "recall", "density", "coverage"):
        assert row[key] == pytest.approx(getattr(ref, key))
    logits = b @ weights
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    assert row[CLASSIFIER_SCORE] == pytest.approx(metrics.inception_score(probs, n_splits=1).mean, rel=1e-6)


def test_compare_generators_kid_on_full_sets_is_one_mmd():
    rng = np.random.default_rng(4)
    a, b = (rng.uniform(lo, lo + 0.5, size=(30, 2, 2, 1)).astype(np.float32) for lo in (0.0, 0.2))
    table = compare_generators({"g": b}, a, _flatten, nearest_k=3, n_kid_subsets=6, kid_subset_size=100)
    # N = M <= subset size: every subset is both full sets, so KID is one unbiased MMD² and its std 0
    assert table.loc["g", KID] == pytest.approx(metrics.mmd2_unbiased(_flatten(a), _flatten(b)), rel=1e-9)
    assert table.loc["g", KID_STD] == 0.0


def test_compare_generators_defaults_are_the_suites():
    config = SuiteConfig()
    rng = np.random.default_rng(5)
    n = config.kid_subset_size + 10  # more rows than a KID subset, so the number of subsets matters
    a, b = (rng.uniform(lo, lo + 0.8, size=(n, 2, 2, 1)).astype(np.float32) for lo in (0.0, 0.1))
    row = compare_generators({"g": b}, a, _flatten).loc["g"]
    fa, fb = _flatten(a), _flatten(b)
    kid = metrics.kid(fa, fb, n_subsets=config.n_kid_subsets, subset_size=config.kid_subset_size, seed=config.seed)
    assert row[KID] == pytest.approx(kid.mean, rel=1e-12) and row[KID_STD] == pytest.approx(kid.std, rel=1e-12)
    assert row[RECALL] == pytest.approx(metrics.prdc(fa, fb, nearest_k=config.nearest_k).recall)


def test_compare_generators_uses_first_n_rows_and_all_rows_without_n(real):
    t_n = compare_generators({"a": real}, real[:20], _flatten, n=20, nearest_k=3, n_kid_subsets=2, kid_subset_size=10)
    assert t_n.loc["a", FID] == pytest.approx(0.0, abs=1e-8)  # real[:20] vs real[:20]
    t_all = compare_generators({"a": real[:25]}, real[:25], _flatten, nearest_k=3, n_kid_subsets=2,
                               kid_subset_size=10)
    assert t_all.loc["a", FID] == pytest.approx(0.0, abs=1e-8)


_REAL = np.random.default_rng(0).uniform(0.0, 0.5, size=(40, 4, 4, 1)).astype(np.float32)


@pytest.mark.parametrize(
    "generators, real_images, extractor, kwargs, exc, match",
    [
        ([_REAL], _REAL, _flatten, {}, TypeError, "generators"),
        ({}, _REAL, _flatten, {}, ValueError, "generators"),
        ({1: _REAL}, _REAL, _flatten, {}, TypeError, "generators"),
        ({"a": "images"}, _REAL, _flatten, {}, TypeError, "generators"),
        ({"a": lambda n: _REAL[:n]}, _REAL, _flatten, {}, ValueError, "n"),
        ({"a": lambda n: np.zeros((n, 5, 5, 1))}, _REAL, _flatten, dict(n=10), ValueError, "generators"),
        ({"a": _REAL[:5]}, _REAL, _flatten, dict(n=10), ValueError, "generators"),
        ({"a": _REAL + 2.0}, _REAL, _flatten, {}, ValueError, "generators"),
        ({"a": _REAL}, _REAL * 3.0, _flatten, {}, ValueError, "real_images"),
        ({"a": _REAL}, _REAL, "features", {}, TypeError, "extractor"),
        ({"a": _REAL}, _REAL, _flatten, dict(classifier=3), TypeError, "classifier"),
        ({"a": _REAL}, _REAL, _flatten, dict(n=1), ValueError, "n"),
        ({"a": _REAL}, _REAL, _flatten, dict(seed=-2), ValueError, "seed"),
        ({"a": _REAL}, _REAL, _flatten, dict(extra={"b": {"x": 1}}), ValueError, "extra"),
        ({"a": _REAL}, _REAL, _flatten, dict(extra={"a": 1.0}), TypeError, "extra"),
        ({"a": _REAL}, _REAL, _flatten, dict(nearest_k=0), ValueError, "nearest_k"),
        ({"a": _REAL}, _REAL, _flatten, dict(nearest_k=40), ValueError, "nearest_k"),
        ({"a": _REAL}, _REAL, _flatten, dict(kid_subset_size=1), ValueError, "kid_subset_size"),
        ({"a": _REAL}, _REAL, _flatten, dict(n_kid_subsets=2.5), TypeError, "n_kid_subsets"),
        ({"a": _REAL}, _REAL, _flatten, dict(seed=1.5), TypeError, "seed"),
        ({"a": _REAL}, _REAL, lambda b: np.full((len(b), 2), np.nan), {}, ValueError, "extractor: expected finite"),
    ],
)
def test_compare_generators_bad_input(generators, real_images, extractor, kwargs, exc, match):
    options = dict(nearest_k=3, n_kid_subsets=2, kid_subset_size=10)
    options.update(kwargs)
    with pytest.raises(exc, match=match):
        compare_generators(generators, real_images, extractor, **options)


# ---------------------------------------------------------------------------- metrics_over_training


def test_metrics_over_training_aligns_history_with_epochs(real):
    snaps = {2: real + 0.5, 0: real}
    history = {"g_loss": [1.0, 2.0, 3.0], "d_loss": [0.5, 0.25, 0.125]}
    table = metrics_over_training(snaps, real, _flatten, history, nearest_k=3, n_kid_subsets=2, kid_subset_size=10)
    assert list(table.index) == [0, 2] and table.index.name == "epoch"
    assert list(table.columns) == [*SUITE_COLUMNS, "g_loss", "d_loss"]
    assert table.loc[0, FID] == pytest.approx(0.0, abs=1e-8)
    assert table.loc[2, FID] == pytest.approx(4.0, rel=1e-6)
    assert math.isnan(table.loc[0, "g_loss"])  # no loss before training
    assert table.loc[2, "g_loss"] == 2.0 and table.loc[2, "d_loss"] == 0.25


@pytest.mark.parametrize(
    "snapshots, history, exc, match",
    [
        ({-1: _REAL}, None, ValueError, "snapshots"),
        ({"a": _REAL}, None, ValueError, "snapshots"),
        ({True: _REAL}, None, ValueError, "snapshots"),
        ([_REAL], None, TypeError, "snapshots"),
        ({}, None, ValueError, "snapshots"),
        ({0: _REAL}, [1.0, 2.0], TypeError, "history"),
        ({0: _REAL}, {"g_loss": [[1.0]]}, ValueError, "history"),
    ],
)
def test_metrics_over_training_bad_input(snapshots, history, exc, match):
    with pytest.raises(exc, match=match):
        metrics_over_training(snapshots, _REAL, _flatten, history)


# ---------------------------------------------------------------------------- timing


def _fake_clock(values):
    it = iter(values)
    return lambda: next(it)


def test_epoch_timer_skips_the_warm_up_epoch():
    timer = EpochTimer(_fake_clock([0.0, 5.0, 5.0, 7.0, 7.0, 10.0]))
    for epoch in range(3):
        timer.on_epoch_begin(epoch)
        timer.on_epoch_end(epoch)
    assert timer.durations == [5.0, 2.0, 3.0]
    assert timer.seconds_per_epoch == 2.5  # median of the epochs after the first
    single = EpochTimer(_fake_clock([1.0, 4.0]))
    single.on_epoch_begin(0)
    single.on_epoch_end(0)
    assert single.seconds_per_epoch == 3.0


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: EpochTimer(clock=3), TypeError, "clock"),
        (lambda: EpochTimer().seconds_per_epoch, ValueError, "durations"),
    ],
)
def test_epoch_timer_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_seconds_per_epoch_times_each_epoch_of_a_real_training_run():
    counter = itertools.accumulate(itertools.count(1), initial=0)  # 0, 1, 3, 6, 10, 15, ...
    x = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    t = seconds_per_epoch("toy", x, batch_size=32, epochs=3, clock=lambda: float(next(counter)))
    # epochs take 1-0, 6-3, 15-10 fake seconds: the median after the first is (3 + 5) / 2
    assert t.seconds_per_epoch == 4.0
    assert (t.steps_per_epoch, t.batch_size, t.images_per_epoch) == (2, 32, 64)  # 64 // 32 full batches


def test_seconds_per_epoch_counts_the_steps_ganlib_train_runs():
    # 100 // 16 = 6 full batches; ganlib.train runs whole groups of steps_per_execution = 4 steps: 8 per epoch
    x = np.random.default_rng(0).standard_normal((100, 2)).astype(np.float32)
    t = seconds_per_epoch("toy", x, batch_size=16, epochs=2, steps_per_execution=4)
    assert t.steps_per_epoch == 8 and t.images_per_epoch == 8 * 16
    assert t.seconds_per_epoch > 0


_X16 = np.zeros((16, 2), dtype=np.float32)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (("resnet", _X16), dict(batch_size=8), ValueError, "architecture"),
        (("toy", _X16), dict(batch_size=32), ValueError, "batch_size"),
        (("toy", _X16), dict(batch_size=8, epochs=0), ValueError, "epochs"),
        (("toy", _X16), dict(batch_size=8, clock="now"), TypeError, "clock"),
        (("toy", _X16), dict(batch_size=8, seed=-1), ValueError, "seed"),
        (("toy", np.full((16, 2), np.inf)), dict(batch_size=8), ValueError, "x"),
    ],
)
def test_seconds_per_epoch_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        seconds_per_epoch(*args, **kwargs)


def test_grey_pixel_fraction_by_hand():
    x = np.array([0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 0.3]).reshape(2, 2, 2, 1)
    assert grey_pixel_fraction(x) == 2 / 8  # 0.5 and 0.3; the thresholds are exclusive
    assert grey_pixel_fraction(x, low=0.0, high=1.0) == 6 / 8
    assert grey_pixel_fraction(np.zeros((3, 4))) == 0.0


@pytest.mark.parametrize(
    "images, kwargs, exc, match",
    [
        (np.full((2, 3), 1.5), {}, ValueError, "images"),
        (np.zeros((2, 3)), dict(low=0.9, high=0.1), ValueError, "low"),
        (np.zeros((2, 3)), dict(high=2.0), ValueError, "high"),
        (np.zeros((2, 3)), dict(low="0.1"), TypeError, "low"),
    ],
)
def test_grey_pixel_fraction_bad_input(images, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        grey_pixel_fraction(images, **kwargs)


# ---------------------------------------------------------------------------- verdicts across seeds


def _tables():
    # seed s: model A has FID 10 + s and recall 0.5; the reference has FID 1 and recall 0.9 - s / 10
    return {s: pd.DataFrame({"fid": [10.0 + s, 1.0], "recall": [0.5, 0.9 - s / 10]}, index=["A", "real"])
            for s in (2, 0, 1)}


def test_stack_runs_has_one_row_per_model_and_seed():
    runs = stack_runs(_tables())
    assert list(runs.index.names) == ["model", "seed"]
    assert list(runs.index) == [("A", 0), ("A", 1), ("A", 2), ("real", 0), ("real", 1), ("real", 2)]
    assert list(runs.columns) == ["fid", "recall"]
    assert runs.loc[("A", 2), "fid"] == 12.0 and runs.loc[("real", 1), "recall"] == pytest.approx(0.8)


def test_spread_by_hand():
    summary = spread(stack_runs(_tables()))
    assert list(summary.index) == ["A", "real"]
    # FID of A: 10, 11, 12 -> mean 11, sample standard deviation 1, min 10, max 12
    assert summary.loc["A", ("fid", "mean")] == 11.0 and summary.loc["A", ("fid", "sd")] == pytest.approx(1.0)
    assert summary.loc["A", ("fid", "min")] == 10.0 and summary.loc["A", ("fid", "max")] == 12.0
    assert summary.loc["A", ("recall", "sd")] == 0.0
    assert summary.loc["real", ("recall", "mean")] == pytest.approx(0.8)
    assert summary.loc["real", ("recall", "sd")] == pytest.approx(0.1)
    only_fid = spread(stack_runs(_tables()), "fid")
    assert list(dict.fromkeys(only_fid.columns.get_level_values("metric"))) == ["fid"]
    single = spread(stack_runs({0: _tables()[0]}))
    assert math.isnan(single.loc["A", ("fid", "sd")])  # one run has no spread


def test_spread_table_cells():
    table = spread_table(stack_runs(_tables()), precision=2)
    assert list(table.columns) == ["FID", "recall"]  # the suite's labels of the keys "fid" and "recall"
    assert table.loc["A", "FID"] == "11.00 ± 1.00"
    assert table.loc["real", "recall"] == "0.80 ± 0.10"
    assert spread_table(stack_runs({0: _tables()[0]}), precision=1).loc["A", "FID"] == "10.0"
    other = stack_runs({0: pd.DataFrame({"grey pixels": [0.25]}, index=["A"])})
    assert list(spread_table(other).columns) == ["grey pixels"]  # not a suite key: its own name


def test_plot_runs_draws_every_run():
    import matplotlib.pyplot as plt

    fig = plot_runs(stack_runs(_tables()), ["fid", "recall"], reference="real")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["FID", "recall"]  # labels, not keys
    dots = [line for line in axes[0].lines if line.get_marker() == "o"]
    assert len(dots) == 1 and sorted(dots[0].get_ydata()) == [10.0, 11.0, 12.0]  # model A; the reference is a line
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["A"]
    plt.close(fig)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: stack_runs([1, 2]), TypeError, "tables"),
        (lambda: stack_runs({}), ValueError, "tables"),
        (lambda: stack_runs({-1: _tables()[0]}), ValueError, "tables key"),
        (lambda: stack_runs({0: "table"}), TypeError, r"tables\[0\]"),
        (lambda: stack_runs({0: _tables()[0], 1: _tables()[1][["fid"]]}), ValueError, r"tables\[1\]"),
        (lambda: spread(_tables()[0]), TypeError, "runs"),
        (lambda: spread(stack_runs(_tables()), ["IS"]), ValueError, "columns"),
        (lambda: spread(stack_runs(_tables()), []), ValueError, "columns"),
        (lambda: spread_table(stack_runs(_tables()), precision=-1), ValueError, "precision"),
        (lambda: plot_runs(stack_runs(_tables()), ["fid"], reference="B"), ValueError, "reference"),
        (lambda: plot_runs(stack_runs(_tables()), ["fid"], ncols=0), ValueError, "ncols"),
    ],
)
def test_seed_helpers_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------------- the discriminator ablation


def test_dcgan_style_mlp_discriminator_layers_and_parameters():
    d = mlp_discriminator_dcgan_style()
    assert d.count_params() == 784 * 256 + 256 + 256 + 1 == ganlib.models.mlp_discriminator().count_params()
    kinds = [type(layer).__name__ for layer in d.layers]
    assert kinds == ["InputLayer", "Flatten", "Dense", "LeakyReLU", "Dropout", "Dense"]
    assert d.get_layer("hidden_activation").negative_slope == pytest.approx(0.3)
    assert d.get_layer("dropout").rate == pytest.approx(0.3)
    x = np.random.default_rng(0).random((5, 28, 28, 1)).astype(np.float32)
    out = np.asarray(d(x, training=False))
    assert out.shape == (5, 1)
    # without dropout (inference) it computes Dense -> LeakyReLU(0.3) -> Dense by hand
    w1, b1 = d.get_layer("hidden").get_weights()
    w2, b2 = d.get_layer("logit").get_weights()
    h = x.reshape(5, -1) @ w1 + b1
    np.testing.assert_allclose(out, np.where(h > 0, h, 0.3 * h) @ w2 + b2, rtol=1e-4, atol=1e-5)


def test_train_gan_of_reproduces_make_gan_with_the_same_players():
    x = np.random.default_rng(0).random((96, 28, 28, 1)).astype(np.float32)
    ours = train_gan_of(ganlib.models.mlp_generator, ganlib.models.mlp_discriminator, x, epochs=1,
                        batch_size=32, seed=4, verbose=0)
    reference = ganlib.make_gan("mlp", seed=4)
    ganlib.train(reference, x, epochs=1, batch_size=32, seed=4, verbose=0)
    for a, b in zip(ours.gan.generator.get_weights() + ours.gan.discriminator.get_weights(),
                    reference.generator.get_weights() + reference.discriminator.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert set(ours.history) >= {"d_loss", "g_loss"} and len(ours.history["g_loss"]) == 1
    assert ours.snapshots == {} and ours.cached is False


def test_train_gan_of_starts_the_generator_from_make_gans_weights():
    keras.utils.set_random_seed(0)
    ablation_start = ganlib.make_gan("mlp", seed=7).generator.get_weights()
    x = np.zeros((64, 28, 28, 1), dtype=np.float32)
    seen = {}

    def generator():
        g = ganlib.models.mlp_generator()
        seen["weights"] = g.get_weights()
        return g

    train_gan_of(generator, mlp_discriminator_dcgan_style, x, epochs=1, batch_size=32, seed=7, verbose=0)
    for a, b in zip(seen["weights"], ablation_start):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((None, mlp_discriminator_dcgan_style), {}, TypeError, "build_generator"),
        ((ganlib.models.mlp_generator, "D"), {}, TypeError, "build_discriminator"),
        ((lambda: "G", mlp_discriminator_dcgan_style), {}, TypeError, r"build_generator\(\)"),
        ((ganlib.models.mlp_generator, mlp_discriminator_dcgan_style), dict(epochs=0), ValueError, "epochs"),
        ((ganlib.models.mlp_generator, mlp_discriminator_dcgan_style), dict(seed=-1), ValueError, "seed"),
        ((ganlib.models.mlp_generator, mlp_discriminator_dcgan_style), dict(x=np.full((4, 28, 28, 1), 2.0)),
         ValueError, "x"),
    ],
)
def test_train_gan_of_bad_input(args, kwargs, exc, match):
    options = dict(x=np.zeros((8, 28, 28, 1), dtype=np.float32), epochs=1, batch_size=4, verbose=0)
    options.update(kwargs)
    x = options.pop("x")
    with pytest.raises(exc, match=match):
        train_gan_of(*args, x, **options)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(hidden_units=0), ValueError, "hidden_units"),
        (dict(dropout=1.0), ValueError, "dropout"),
        (dict(dropout="0.3"), TypeError, "dropout"),
    ],
)
def test_dcgan_style_mlp_discriminator_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mlp_discriminator_dcgan_style(**kwargs)


def test_star_import_gives_every_exported_name():
    # `from ganlib.book.ch07 import *` (what a notebook may do) works: every name in __all__ exists
    # and is public. (One metric suite and one home per check: see test_architecture.py.)
    namespace = {}
    exec("from ganlib.book.ch07 import *", namespace)
    assert comparison.__all__ and set(comparison.__all__) <= set(namespace)
    assert not [name for name in comparison.__all__ if name.startswith("_")]
