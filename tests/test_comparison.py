"""Tests for ganlib.book.ch07: metric tables, metrics over training, epoch timing, bad input."""

import itertools
import math

import numpy as np
import pytest

from ganlib import metrics
from ganlib.book import ch07 as comparison
from ganlib.book.ch07 import (
    METRIC_COLUMNS,
    EpochTimer,
    compare_generators,
    grey_pixel_fraction,
    metrics_over_training,
    sample_metrics,
    seconds_per_epoch,
)


def _flatten(batch):
    batch = np.asarray(batch)
    return batch.reshape(len(batch), -1)


@pytest.fixture
def real():
    # 40 tiny "images" (4x4x1) in [0, 0.5], so that +0.5 stays inside [0, 1]
    return np.random.default_rng(0).uniform(0.0, 0.5, size=(40, 4, 4, 1)).astype(np.float32)


# ---------------------------------------------------------------------------- sample_metrics


def test_sample_metrics_of_a_copy_is_perfect():
    f = np.random.default_rng(1).standard_normal((60, 3))
    m = sample_metrics(f, f.copy(), nearest_k=3, kid_subsets=5, kid_subset_size=30)
    assert list(m) == list(METRIC_COLUMNS)
    assert abs(m["FID"]) < 1e-8
    # every fake point is the centre of a real ball of positive radius (strict <): all 1
    assert m["precision"] == 1.0 and m["recall"] == 1.0 and m["coverage"] == 1.0


def test_sample_metrics_shift_gives_squared_distance_and_no_overlap():
    f = np.random.default_rng(2).standard_normal((50, 4))
    shift = np.array([1000.0, 0.0, 0.0, 0.0])
    m = sample_metrics(f, f + shift, nearest_k=3, kid_subsets=3, kid_subset_size=20)
    # equal covariances: FID = |mu_r - mu_g|^2 = 1000^2
    assert m["FID"] == pytest.approx(1e6, rel=1e-9)
    assert m["precision"] == 0.0 and m["recall"] == 0.0 and m["density"] == 0.0 and m["coverage"] == 0.0
    assert m["KID"] > 0


def test_sample_metrics_kid_and_prdc_match_the_metrics_module():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((70, 5)), rng.standard_normal((80, 5)) + 0.3
    m = sample_metrics(a, b, nearest_k=4, kid_subsets=7, kid_subset_size=25, seed=5)
    assert m["KID"] == pytest.approx(metrics.kid(a, b, n_subsets=7, subset_size=25, seed=5).mean, rel=1e-12)
    ref = metrics.prdc(a, b, nearest_k=4)
    for key in ("precision", "recall", "density", "coverage"):
        assert m[key] == pytest.approx(ref[key])


def test_sample_metrics_kid_on_full_sets_is_computed_once_with_the_same_value():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((30, 3)), rng.standard_normal((30, 3)) + 0.5
    many = metrics.kid(a, b, n_subsets=6, subset_size=30, seed=1).mean  # six permutations of the full sets
    once = metrics.mmd2_unbiased(a, b)
    assert many == pytest.approx(once, rel=1e-9)
    assert sample_metrics(a, b, nearest_k=3, kid_subsets=6, kid_subset_size=100)["KID"] == pytest.approx(once, rel=1e-9)


def test_sample_metrics_bad_input():
    f = np.zeros((10, 3))
    with pytest.raises(ValueError, match="real_features"):
        sample_metrics(np.zeros(10), f)
    with pytest.raises(ValueError, match="fake_features"):
        sample_metrics(f, np.full((10, 3), np.nan))
    with pytest.raises(ValueError, match="feature dimension"):
        sample_metrics(f, np.zeros((10, 4)))
    with pytest.raises(ValueError, match="nearest_k"):
        sample_metrics(f, f, nearest_k=0)
    with pytest.raises(ValueError, match="kid_subset_size"):
        sample_metrics(f, f, kid_subset_size=1)
    with pytest.raises(TypeError, match="kid_subsets"):
        sample_metrics(f, f, kid_subsets=2.5)
    with pytest.raises(ValueError, match="seed"):
        sample_metrics(f, f, seed=-1)


# ---------------------------------------------------------------------------- compare_generators


def test_compare_generators_rows_columns_and_values(real):
    calls = []

    def shifted(n):
        calls.append(n)
        return real[:n] + 0.5

    table = compare_generators(
        {"copy": real, "shifted": shifted}, real, _flatten, classifier=lambda b: np.zeros((len(b), 10)),
        n=40, nearest_k=3, kid_subsets=3, kid_subset_size=20,
        extra={"shifted": {"s/epoch": 1.5, "parameters": 7}},
    )
    assert calls == [40]
    assert list(table.index) == ["copy", "shifted"]
    assert list(table.columns) == [*METRIC_COLUMNS, "classifier score", "s/epoch", "parameters"]
    assert table.loc["copy", "FID"] == pytest.approx(0.0, abs=1e-8)
    # a constant shift of 0.5 in all 16 features: FID = 16 * 0.25 = 4
    assert table.loc["shifted", "FID"] == pytest.approx(4.0, rel=1e-6)
    assert table.loc["copy", "precision"] == 1.0
    # identical predictions for every image: p(y|x) = p(y), score exp(0) = 1
    assert table.loc["copy", "classifier score"] == pytest.approx(1.0)
    assert table.loc["shifted", "s/epoch"] == 1.5
    assert math.isnan(table.loc["copy", "s/epoch"])


def test_compare_generators_uses_first_n_rows_and_all_rows_without_n(real):
    t_n = compare_generators({"a": real}, real[:20], _flatten, n=20, nearest_k=3, kid_subsets=2, kid_subset_size=10)
    assert t_n.loc["a", "FID"] == pytest.approx(0.0, abs=1e-8)  # real[:20] vs real[:20]
    t_all = compare_generators({"a": real[:25]}, real[:25], _flatten, nearest_k=3, kid_subsets=2,
                               kid_subset_size=10)
    assert t_all.loc["a", "FID"] == pytest.approx(0.0, abs=1e-8)


def test_compare_generators_bad_input(real):
    ok = {"a": real}
    kw = dict(nearest_k=3, kid_subsets=2, kid_subset_size=10)
    with pytest.raises(TypeError, match="generators"):
        compare_generators([real], real, _flatten, **kw)
    with pytest.raises(ValueError, match="generators"):
        compare_generators({}, real, _flatten, **kw)
    with pytest.raises(TypeError, match="generators"):
        compare_generators({"a": "images"}, real, _flatten, **kw)
    with pytest.raises(ValueError, match="n"):
        compare_generators({"a": lambda n: real[:n]}, real, _flatten, **kw)
    with pytest.raises(ValueError, match="generators"):
        compare_generators({"a": lambda n: np.zeros((n, 5, 5, 1))}, real, _flatten, n=10, **kw)
    with pytest.raises(ValueError, match="generators"):
        compare_generators({"a": real[:5]}, real, _flatten, n=10, **kw)
    with pytest.raises(ValueError, match="generators"):
        compare_generators({"a": real + 2.0}, real, _flatten, **kw)
    with pytest.raises(ValueError, match="real_images"):
        compare_generators(ok, real * 3.0, _flatten, **kw)
    with pytest.raises(TypeError, match="extractor"):
        compare_generators(ok, real, "features", **kw)
    with pytest.raises(TypeError, match="classifier"):
        compare_generators(ok, real, _flatten, classifier=3, **kw)
    with pytest.raises(ValueError, match="n"):
        compare_generators(ok, real, _flatten, n=1, **kw)
    with pytest.raises(ValueError, match="extra"):
        compare_generators(ok, real, _flatten, extra={"b": {"x": 1}}, **kw)
    with pytest.raises(TypeError, match="extra"):
        compare_generators(ok, real, _flatten, extra={"a": 1.0}, **kw)


# ---------------------------------------------------------------------------- metrics_over_training


def test_metrics_over_training_aligns_history_with_epochs(real):
    snaps = {2: real + 0.5, 0: real}
    history = {"g_loss": [1.0, 2.0, 3.0], "d_loss": [0.5, 0.25, 0.125]}
    table = metrics_over_training(snaps, real, _flatten, history, nearest_k=3, kid_subsets=2, kid_subset_size=10)
    assert list(table.index) == [0, 2] and table.index.name == "epoch"
    assert list(table.columns) == [*METRIC_COLUMNS, "g_loss", "d_loss"]
    assert table.loc[0, "FID"] == pytest.approx(0.0, abs=1e-8)
    assert table.loc[2, "FID"] == pytest.approx(4.0, rel=1e-6)
    assert math.isnan(table.loc[0, "g_loss"])  # no loss before training
    assert table.loc[2, "g_loss"] == 2.0 and table.loc[2, "d_loss"] == 0.25


def test_metrics_over_training_bad_input(real):
    with pytest.raises(ValueError, match="snapshots"):
        metrics_over_training({-1: real}, real, _flatten)
    with pytest.raises(ValueError, match="snapshots"):
        metrics_over_training({"a": real}, real, _flatten)
    with pytest.raises(TypeError, match="snapshots"):
        metrics_over_training([real], real, _flatten)
    with pytest.raises(TypeError, match="history"):
        metrics_over_training({0: real}, real, _flatten, history=[1.0, 2.0])


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


def test_epoch_timer_bad_input():
    with pytest.raises(TypeError, match="clock"):
        EpochTimer(clock=3)
    with pytest.raises(ValueError, match="durations"):
        EpochTimer().seconds_per_epoch


def test_seconds_per_epoch_times_each_epoch_of_a_real_training_run():
    counter = itertools.accumulate(itertools.count(1), initial=0)  # 0, 1, 3, 6, 10, 15, ...
    x = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    s = seconds_per_epoch("toy", x, batch_size=32, epochs=3, clock=lambda: float(next(counter)))
    # epochs take 1-0, 6-3, 15-10 fake seconds: the median after the first is (3 + 5) / 2
    assert s == 4.0


def test_seconds_per_epoch_bad_input():
    x = np.zeros((16, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="architecture"):
        seconds_per_epoch("resnet", x, batch_size=8)
    with pytest.raises(ValueError, match="batch_size"):
        seconds_per_epoch("toy", x, batch_size=32)
    with pytest.raises(ValueError, match="epochs"):
        seconds_per_epoch("toy", x, batch_size=8, epochs=0)
    with pytest.raises(TypeError, match="clock"):
        seconds_per_epoch("toy", x, batch_size=8, clock="now")
    with pytest.raises(ValueError, match="x"):
        seconds_per_epoch("toy", np.full((16, 2), np.inf), batch_size=8)


def test_grey_pixel_fraction_by_hand():
    x = np.array([0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 0.3]).reshape(2, 2, 2, 1)
    assert grey_pixel_fraction(x) == 2 / 8  # 0.5 and 0.3; the thresholds are exclusive
    assert grey_pixel_fraction(x, low=0.0, high=1.0) == 6 / 8
    assert grey_pixel_fraction(np.zeros((3, 4))) == 0.0


def test_grey_pixel_fraction_bad_input():
    with pytest.raises(ValueError, match="images"):
        grey_pixel_fraction(np.full((2, 3), 1.5))
    with pytest.raises(ValueError, match="low"):
        grey_pixel_fraction(np.zeros((2, 3)), low=0.9, high=0.1)
    with pytest.raises(ValueError, match="high"):
        grey_pixel_fraction(np.zeros((2, 3)), high=2.0)
    with pytest.raises(TypeError, match="low"):
        grey_pixel_fraction(np.zeros((2, 3)), low="0.1")


def test_module_exports():
    assert set(comparison.__all__) == {
        "METRIC_COLUMNS", "sample_metrics", "compare_generators", "metrics_over_training", "EpochTimer",
        "seconds_per_epoch", "grey_pixel_fraction",
    }
