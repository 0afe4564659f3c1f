"""Tests for ganlib.plots: returned objects, plotted data against hand-computed values, bad input."""

import re
import types

import matplotlib
import matplotlib.container

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ganlib import plots  # noqa: E402
from ganlib.plots import (  # noqa: E402
    image_grid,
    metric_table,
    moving_average,
    plot_bar,
    plot_density_1d,
    plot_heatmap,
    plot_histograms,
    plot_losses,
    plot_metric_curves,
    plot_samples_2d,
    sample_grid_over_training,
    tile_images,
)


@pytest.fixture(autouse=True)
def _no_figure_leaks():
    before = set(plt.get_fignums())
    yield
    for num in set(plt.get_fignums()) - before:  # safety net if a test failed before plt.close
        plt.close(num)


def constant_tiles(n, h=28, w=28, channels=1):
    """Image i is filled with the value (i + 1) / (n + 2): every tile is distinguishable from 1.0."""
    vals = (np.arange(n, dtype=np.float32) + 1) / (n + 2)
    shape = (n, h, w) + ((channels,) if channels else ())
    return np.broadcast_to(vals.reshape((n,) + (1,) * (len(shape) - 1)), shape).copy()


# ------------------------------------------------------------------------------- tile_images


def test_tile_images_shape_formula():
    # nrows = ceil(10 / 4) = 3; H' = 3*28 + 2*1 = 86; W' = 4*28 + 3*1 = 115
    assert tile_images(constant_tiles(10), ncols=4, pad=1).shape == (86, 115)
    assert tile_images(constant_tiles(10), ncols=4, pad=0).shape == (84, 112)
    assert tile_images(constant_tiles(10), ncols=4, pad=3).shape == (3 * 28 + 2 * 3, 4 * 28 + 3 * 3)
    # default ncols = ceil(sqrt(10)) = 4
    assert tile_images(constant_tiles(10)).shape == (86, 115)
    assert tile_images(constant_tiles(1)).shape == (28, 28)
    assert tile_images(constant_tiles(10, channels=3), ncols=4).shape == (86, 115, 3)
    assert tile_images(constant_tiles(6, h=5, w=7, channels=0), ncols=3).shape == (2 * 5 + 1, 3 * 7 + 2)


def test_tile_images_content():
    imgs = constant_tiles(10)
    out = tile_images(imgs, ncols=4, pad=1)
    for i in range(10):
        r, c = divmod(i, 4)
        np.testing.assert_array_equal(out[r * 29 : r * 29 + 28, c * 29 : c * 29 + 28], imgs[i, :, :, 0])
    # separator rows/columns and the two unused cells (10, 11) are the pad value 1.0
    np.testing.assert_array_equal(out[28, :], 1.0)
    np.testing.assert_array_equal(out[57, :], 1.0)
    np.testing.assert_array_equal(out[:, 28], 1.0)
    np.testing.assert_array_equal(out[:, 86], 1.0)
    np.testing.assert_array_equal(out[58:, 58:], 1.0)
    # every pixel is either a tile value or the pad value
    assert set(np.unique(out)) == set(np.unique(imgs)) | {1.0}
    assert tile_images(imgs, ncols=4, pad_value=0.0)[28, 0] == 0.0


def test_tile_images_random_content_and_rgb():
    rng = np.random.default_rng(0)
    imgs = rng.random((5, 4, 6, 3))
    out = tile_images(imgs, ncols=2, pad=2)
    assert out.shape == (3 * 4 + 2 * 2, 2 * 6 + 2, 3)
    np.testing.assert_allclose(out[6:10, 8:14], imgs[3], rtol=1e-6)  # tile 3: row 1, col 1


def test_tile_images_clips_within_tolerance():
    imgs = np.zeros((2, 3, 3, 1))
    imgs[0, 0, 0, 0] = 1.0 + 5e-5
    imgs[1, 0, 0, 0] = -5e-5
    out = tile_images(imgs, ncols=2, pad=1)
    assert out.max() == 1.0 and out.min() == 0.0


@pytest.mark.parametrize(
    "images, kwargs, err, match",
    [
        (np.full((2, 28, 28, 1), 1.01), {}, ValueError, "images"),
        (np.full((2, 28, 28, 1), -0.01), {}, ValueError, "images"),
        (np.full((2, 28, 28, 1), np.nan), {}, ValueError, "images"),
        (np.zeros((28, 28)), {}, ValueError, "images"),
        (np.zeros((2, 28, 28, 2)), {}, ValueError, "images"),
        (np.zeros((0, 28, 28, 1)), {}, ValueError, "images"),
        ("not images", {}, TypeError, "images"),
        (np.zeros((2, 28, 28, 1)), {"ncols": 0}, ValueError, "ncols"),
        (np.zeros((2, 28, 28, 1)), {"ncols": 1.5}, TypeError, "ncols"),
        (np.zeros((2, 28, 28, 1)), {"pad": -1}, ValueError, "pad"),
        (np.zeros((2, 28, 28, 1)), {"pad_value": 2.0}, ValueError, "pad_value"),
    ],
)
def test_tile_images_bad_input(images, kwargs, err, match):
    with pytest.raises(err, match=match):
        tile_images(images, **kwargs)


# ------------------------------------------------------------------------------- image_grid


def test_image_grid_returns_figure_with_tiled_image():
    imgs = constant_tiles(10)
    fig = image_grid(imgs, ncols=4, labels=np.arange(10), title="samples")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.images) == 1
    data = np.asarray(ax.images[0].get_array())
    assert data.shape == (86, 115)
    np.testing.assert_array_equal(data, tile_images(imgs, ncols=4, pad=1))
    assert [t.get_text() for t in ax.texts] == [str(i) for i in range(10)]
    # label i sits in tile i's top-left corner
    x, y = ax.texts[5].get_position()
    assert (1 * 29 <= x < 1 * 29 + 28) and (1 * 29 <= y < 1 * 29 + 28)
    assert ax.get_title() == "samples"
    assert 6.0 <= fig.get_size_inches()[0] <= 9.0
    plt.close(fig)


def test_image_grid_formats_and_default_ncols():
    fig = image_grid(constant_tiles(9, channels=0))  # (N, H, W); ncols = 3
    assert fig.axes[0].images[0].get_array().shape == (3 * 28 + 2, 3 * 28 + 2)
    plt.close(fig)
    fig = image_grid(constant_tiles(4, channels=3), ncols=4)
    assert fig.axes[0].images[0].get_array().shape == (28, 4 * 28 + 3, 3)
    plt.close(fig)
    fig = image_grid(constant_tiles(2), labels=[0.123456, 0.5])
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.123", "0.5"]
    plt.close(fig)


def test_image_grid_draws_on_given_axes_and_closes_nothing():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    out = image_grid(constant_tiles(4), ax=ax2)
    assert out is ax2
    assert len(ax2.images) == 1 and len(ax1.images) == 0
    assert plt.fignum_exists(fig.number)
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"images": np.full((3, 28, 28, 1), 1.5)}, ValueError, "images"),
        ({"images": np.full((3, 28, 28, 1), np.inf)}, ValueError, "images"),
        ({"images": np.zeros((3, 28, 28, 1)), "labels": [1, 2]}, ValueError, "labels"),
        ({"images": np.zeros((3, 28, 28, 1)), "labels": "abc"}, TypeError, "labels"),
        ({"images": np.zeros((3, 28, 28, 1)), "ncols": 0}, ValueError, "ncols"),
        ({"images": np.zeros((3, 28, 28, 1)), "ax": "axes"}, TypeError, "ax"),
        ({"images": np.zeros((3, 28, 28, 1)), "title": 3}, TypeError, "title"),
    ],
)
def test_image_grid_bad_input(kwargs, err, match):
    n_before = len(plt.get_fignums())
    with pytest.raises(err, match=match):
        image_grid(**kwargs)
    assert len(plt.get_fignums()) == n_before  # validation happens before a figure is created


# ---------------------------------------------------------------------- sample_grid_over_training


def test_sample_grid_over_training_rows_and_labels():
    snaps = {1: constant_tiles(8), 5: constant_tiles(3), "final": constant_tiles(6)}
    fig = sample_grid_over_training(snaps, n=5, title="over training")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    data = np.asarray(ax.images[0].get_array())
    assert data.shape == (3 * 28 + 2, 5 * 28 + 4)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "5", "final"]
    np.testing.assert_allclose(ax.get_yticks(), [13.5, 29 + 13.5, 58 + 13.5])
    # row 0 shows the first 5 images of snapshot 1
    np.testing.assert_array_equal(data[0:28, 4 * 29 : 4 * 29 + 28], snaps[1][4, :, :, 0])
    # snapshot 5 has only 3 images: its last two tiles are blank (1.0)
    np.testing.assert_array_equal(data[29:57, 2 * 29 : 2 * 29 + 28], snaps[5][2, :, :, 0])
    np.testing.assert_array_equal(data[29:57, 3 * 29 :], 1.0)
    assert 6.0 <= fig.get_size_inches()[0] <= 9.0
    plt.close(fig)


@pytest.mark.parametrize(
    "snapshots, kwargs, err, match",
    [
        ({}, {}, ValueError, "snapshots"),
        ([np.zeros((2, 28, 28, 1))], {}, TypeError, "snapshots"),
        ({1: np.zeros((2, 28, 28, 1)), 2: np.zeros((2, 14, 14, 1))}, {}, ValueError, r"snapshots\[2\]"),
        ({1: np.full((2, 28, 28, 1), 2.0)}, {}, ValueError, r"snapshots\[1\]"),
        ({1: np.zeros((2, 28, 28, 1))}, {"n": 0}, ValueError, "n:"),
    ],
)
def test_sample_grid_over_training_bad_input(snapshots, kwargs, err, match):
    with pytest.raises(err, match=match):
        sample_grid_over_training(snapshots, **kwargs)


# ------------------------------------------------------------------------ moving_average / losses


def test_moving_average_hand_values():
    np.testing.assert_allclose(moving_average([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(moving_average([1, 2, 3, 4, 5], 3), [1, 1.5, 2, 3, 4])
    np.testing.assert_allclose(moving_average([1, 2, 3], 0), [1, 2, 3])
    np.testing.assert_allclose(moving_average([1, np.nan, 3], 2), [1, 1, 3])
    assert np.isnan(moving_average([np.nan, np.nan, 3.0], 2)[1])


def test_moving_average_matches_pandas_rolling():
    x = np.random.default_rng(1).normal(size=200)
    expected = pd.Series(x).rolling(7, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(moving_average(x, 7), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "values, window, err, match",
    [([1.0, 2.0], -1, ValueError, "window"), (np.zeros((2, 2)), 2, ValueError, "values"), ([1.0], 2.0, TypeError, "window")],
)
def test_moving_average_bad_input(values, window, err, match):
    with pytest.raises(err, match=match):
        moving_average(values, window)


def test_plot_losses_dict_one_line_per_key():
    hist = {"d_loss": [1.0, 0.8, 0.7], "g_loss": [2.0, 1.5, 1.4], "note": "not numeric"}
    fig = plot_losses(hist)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 0.8, 0.7])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [0, 1, 2])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["d_loss", "g_loss"]
    assert ax.get_title() == "Training losses" and ax.get_xlabel() == "step"
    plt.close(fig)
    fig = plot_losses(hist, keys="g_loss", title=None)
    assert len(fig.axes[0].lines) == 1 and fig.axes[0].get_title() == ""
    plt.close(fig)


def test_plot_losses_keras_history_and_dataframe():
    import keras

    h = keras.callbacks.History()
    h.history = {"d_loss": [0.7, 0.6], "g_loss": [0.9, 1.0], "fid": [50.0, 40.0]}
    fig = plot_losses(h, keys=["d_loss", "g_loss"])
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2])  # epochs start at 1
    assert ax.get_xlabel() == "epoch"
    plt.close(fig)
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, index=pd.Index([10, 20, 30], name="step"))
    fig = plot_losses(df)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [10, 20, 30])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [3.0, 2.0, 1.0])
    plt.close(fig)


def test_plot_losses_smoothing_reduces_variance():
    y = np.random.default_rng(0).normal(size=500)
    fig = plot_losses({"loss": y}, smoothing=10)
    ax = fig.axes[0]
    assert len(ax.lines) == 2  # faint raw curve + smoothed curve
    raw, smooth = ax.lines[0].get_ydata(), ax.lines[1].get_ydata()
    np.testing.assert_array_equal(raw, y)
    np.testing.assert_allclose(smooth, pd.Series(y).rolling(10, min_periods=1).mean(), rtol=1e-12)
    # averaging 10 iid values divides the variance by about 10
    assert np.var(smooth[10:]) < 0.25 * np.var(raw)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["loss (avg 10)"]
    plt.close(fig)


def test_plot_losses_nan_is_a_gap_and_ax_is_returned():
    fig, ax = plt.subplots()
    out = plot_losses({"loss": [1.0, np.nan, np.inf, 2.0]}, ax=ax)
    assert out is ax
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[1]) and np.isnan(y[2]) and y[3] == 2.0
    plt.close(fig)


@pytest.mark.parametrize(
    "history, kwargs, err, match",
    [
        ({"d_loss": [1.0], "g_loss": [1.0]}, {"keys": ["x_loss"]}, ValueError,
         r"keys: unknown key\(s\) \['x_loss'\]; available: \['d_loss', 'g_loss'\]"),
        ({"d_loss": [1.0]}, {"keys": []}, ValueError, "keys"),
        ([1.0, 2.0], {}, TypeError, "history"),
        ({"note": "text"}, {}, ValueError, "history"),
        ({"d_loss": [1.0]}, {"smoothing": -2}, ValueError, "smoothing"),
        ({"d_loss": [1.0]}, {"ax": 1}, TypeError, "ax"),
        ({"d_loss": [1.0]}, {"title": 3}, TypeError, "title"),
        ({"d_loss": [1.0]}, {"xlabel": ["x"]}, TypeError, "xlabel"),
    ],
)
def test_plot_losses_bad_input(history, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_losses(history, **kwargs)


# ----------------------------------------------------------------------------- plot_samples_2d


def test_plot_samples_2d_artists_and_data():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(300, 2)), rng.normal(size=(5000, 2))
    means = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0]])
    fig = plot_samples_2d(real, fake, means=means, max_points=1000, lim=3, title="ring")
    ax = fig.axes[0]
    assert len(ax.collections) == 3
    np.testing.assert_allclose(ax.collections[0].get_offsets(), real)
    assert len(ax.collections[1].get_offsets()) == 1000  # subsampled to max_points
    np.testing.assert_allclose(ax.collections[2].get_offsets(), means)
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-3.0, 3.0)
    assert ax.get_aspect() == 1.0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["real", "generated", "mode centres"]
    plt.close(fig)


def test_plot_samples_2d_only_real_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_samples_2d(np.zeros((4, 2)), None, ax=ax, lim=(-1, 2)) is ax
    assert len(ax.collections) == 1 and ax.get_xlim() == (-1.0, 2.0)
    plt.close(fig)


@pytest.mark.parametrize(
    "real, fake, kwargs, err, match",
    [
        (np.zeros((5, 3)), np.zeros((5, 2)), {}, ValueError, "real"),
        (np.zeros((5, 2)), np.full((5, 2), np.nan), {}, ValueError, "fake"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"means": np.zeros((3, 3))}, ValueError, "means"),
        (None, None, {}, ValueError, "real and fake"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"max_points": 0}, ValueError, "max_points"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"lim": -1}, ValueError, "lim"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"lim": (2, 1)}, ValueError, "lim"),
    ],
)
def test_plot_samples_2d_bad_input(real, fake, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_samples_2d(real, fake, **kwargs)


# ----------------------------------------------------------------------------- plot_density_1d


def _gauss(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def test_plot_density_1d_curves_and_secondary_axis():
    x = np.linspace(-4, 4, 101)
    p_data, p_g = _gauss(x, 1.0, 0.5), _gauss(x, 0.0, 1.0)
    d_star = p_data / (p_data + p_g)
    d = 1 / (1 + np.exp(-x))
    fig = plot_density_1d(x, p_data=p_data, p_g=p_g, d_values=d, d_star=d_star, title="1-D GAN")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    ax, twin = fig.axes
    assert len(ax.lines) == 2 and len(twin.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), p_data)
    assert ax.lines[0].get_linestyle() == "--" and ax.lines[0].get_color() == "black"
    np.testing.assert_allclose(twin.lines[1].get_ydata(), d_star)
    assert twin.lines[1].get_linestyle() == ":"
    assert twin.get_ylim() == (0.0, 1.05)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 4
    plt.close(fig)


def test_plot_density_1d_histogram_of_gen_samples():
    x = np.linspace(-3, 3, 61)
    gen = np.random.default_rng(0).normal(size=2000)
    fig = plot_density_1d(x, p_data=_gauss(x, 0, 1), gen_samples=gen)
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.lines) == 1
    heights = np.array([p.get_height() for p in ax.patches])
    expected, _ = np.histogram(gen, bins=np.linspace(-3, 3, 51), density=True)
    np.testing.assert_allclose(heights, expected, rtol=1e-10)
    plt.close(fig)


def test_plot_density_1d_only_discriminator_uses_one_axis():
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 5)
    assert plot_density_1d(x, d_values=x, ax=ax) is ax
    assert len(fig.axes) == 1 and ax.get_ylim() == (0.0, 1.05)
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"p_g": np.ones(10)}, ValueError, "p_g: expected 21 values"),
        ({"p_data": -np.ones(21)}, ValueError, "p_data"),
        ({"d_values": np.full(21, 1.5)}, ValueError, "d_values"),
        ({"d_star": np.full(21, np.nan)}, ValueError, "d_star"),
        ({"gen_samples": np.zeros((5, 2))}, ValueError, "gen_samples"),
        ({"data_samples": np.zeros((0,))}, ValueError, "data_samples"),
        ({}, ValueError, "at least one"),
    ],
)
def test_plot_density_1d_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_density_1d(np.linspace(0, 1, 21), **kwargs)
    with pytest.raises(ValueError, match="x_grid"):
        plot_density_1d(np.zeros((3, 3)), p_data=np.ones(3))


# ------------------------------------------------------------------------------- metric_table


def test_metric_table_formats_ci_and_rounds():
    ci_obj = types.SimpleNamespace(estimate=0.5, low=0.25, high=0.75)
    df = metric_table(
        {
            "GAN": {"FID": (0.12345, 0.1, 0.15), "IS": 2.34567, "n": 5},
            "VAE": {"FID": ci_obj, "IS": 1.0, "n": 7, "note": "blurry"},
        },
        caption="Table 1",
    )
    assert isinstance(df, pd.DataFrame)
    assert list(df.index) == ["GAN", "VAE"] and list(df.columns) == ["FID", "IS", "n", "note"]
    assert df.loc["GAN", "FID"] == "0.123 [0.100, 0.150]"
    assert df.loc["VAE", "FID"] == "0.500 [0.250, 0.750]"
    assert df.loc["GAN", "IS"] == 2.346
    assert df["n"].tolist() == [5, 7] and df["n"].dtype == np.int64
    assert pd.isna(df.loc["GAN", "note"]) and df.loc["VAE", "note"] == "blurry"
    assert df.attrs["caption"] == "Table 1"


def test_metric_table_takes_metric_results_as_rows():
    from ganlib.metrics import PRDCResult

    df = metric_table({"GAN": PRDCResult(0.5, 0.25, 1.125, 0.75), "copy": {"precision": 1.0, "n": 3}})
    assert list(df.columns) == ["precision", "recall", "density", "coverage", "n"]
    assert df.loc["GAN", "density"] == 1.125 and df.loc["copy", "precision"] == 1.0
    assert pd.isna(df.loc["copy", "recall"])


def test_metric_table_list_dataframe_and_precision():
    df = metric_table([{"a": 1 / 3}, {"a": 2 / 3, "b": (1.0, 0.5, 1.5)}], precision=1)
    assert list(df.index) == [0, 1]
    assert df["a"].tolist() == [0.3, 0.7]
    assert df.loc[1, "b"] == "1.0 [0.5, 1.5]" and pd.isna(df.loc[0, "b"])
    assert "caption" not in df.attrs
    src = pd.DataFrame({"x": [np.float32(0.123456), 1.98765]}, index=["r1", "r2"])
    out = metric_table(src, precision=2)
    assert out["x"].tolist() == [0.12, 1.99] and list(out.index) == ["r1", "r2"]
    assert src["x"].iloc[1] == 1.98765  # the input is not modified
    assert metric_table({"m": {"ok": np.float64(0.5)}}, precision=0).loc["m", "ok"] == 0.0


@pytest.mark.parametrize(
    "results, kwargs, err, match",
    [
        ({"GAN": {"FID": (1.0, 2.0)}}, {}, ValueError, "results"),
        ({"GAN": {"FID": ("a", "b", "c")}}, {}, TypeError, "results"),
        ({}, {}, ValueError, "results"),
        ([], {}, ValueError, "results"),
        (5, {}, TypeError, "results"),
        ({"GAN": [1.0, 2.0]}, {}, TypeError, "results"),
        (pd.DataFrame(), {}, ValueError, "results"),
        ({"GAN": {"FID": 1.0}}, {"precision": -1}, ValueError, "precision"),
        ({"GAN": {"FID": 1.0}}, {"caption": 1}, TypeError, "caption"),
    ],
)
def test_metric_table_bad_input(results, kwargs, err, match):
    with pytest.raises(err, match=match):
        metric_table(results, **kwargs)


# ------------------------------------------------------------------------ plot_metric_curves


def test_plot_metric_curves_lines_and_bands():
    x = [100, 200, 400, 800]
    curves = {"FID": [40.0, 30.0, 25.0, 22.0], "KID": [0.4, 0.3, 0.2, 0.1]}
    bands = {"FID": ([38.0, 29.0, 24.0, 21.0], [42.0, 31.0, 26.0, 23.0])}
    fig = plot_metric_curves(x, curves, xlabel="n samples", ylabel="score", bands=bands, logy=True, title="t")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), curves["KID"])
    assert len(ax.collections) == 1  # one band
    verts = ax.collections[0].get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(21.0) and verts[:, 1].max() == pytest.approx(42.0)
    assert ax.collections[0].get_facecolor()[0][:3] == pytest.approx(matplotlib.colors.to_rgb(ax.lines[0].get_color()))
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "n samples" and ax.get_ylabel() == "score"
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_metric_curves([1, 2], {"a": [1, 2]}, xlabel="x", ax=ax) is ax
    assert ax.get_yscale() == "linear"
    plt.close(fig)


@pytest.mark.parametrize(
    "x, curves, kwargs, err, match",
    [
        ([1, 2, 3], {"FID": [1.0, 2.0]}, {}, ValueError, re.escape("curves['FID']: expected 3 values")),
        ([1, 2], {"FID": [1.0, 2.0]}, {"bands": {"IS": ([0, 0], [1, 1])}}, ValueError, "bands: key 'IS'"),
        ([1, 2], {"FID": [1.0, 2.0]}, {"bands": {"FID": ([2, 3], [1, 1])}}, ValueError, re.escape("bands['FID']")),
        ([1, 2], {"FID": [1.0, 2.0]}, {"bands": [([0, 0], [1, 1])]}, TypeError, "bands"),
        ([1, 2], {"FID": [0.0, 2.0]}, {"logy": True}, ValueError, "logy"),
        ([1, 2], {}, {}, ValueError, "curves"),
        ([1, 2], [1.0, 2.0], {}, TypeError, "curves"),
        ([1, np.nan], {"FID": [1.0, 2.0]}, {}, ValueError, "x:"),
        ([1, 2], {"FID": [1.0, 2.0]}, {"xlabel": None}, TypeError, "xlabel"),
        ([1, 2], {"FID": [1.0, 2.0]}, {"ylabel": 1}, TypeError, "ylabel"),
    ],
)
def test_plot_metric_curves_bad_input(x, curves, kwargs, err, match):
    kwargs = {"xlabel": "x", **kwargs}
    with pytest.raises(err, match=match):
        plot_metric_curves(x, curves, **kwargs)


# ----------------------------------------------------------------------------------- plot_bar


def _errorbar_segments(ax):
    container = next(c for c in ax.containers if isinstance(c, matplotlib.container.BarContainer))
    return [np.asarray(s) for s in container.errorbar.lines[2][0].get_segments()]


def test_plot_bar_heights_and_error_bars():
    values = {"real": 0.9, "GAN": (0.7, 0.6, 0.75), "VAE": 0.5}
    fig = plot_bar(values, errors={"real": 0.05}, title="accuracy", ylabel="acc")
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert [p.get_height() for p in ax.patches] == pytest.approx([0.9, 0.7, 0.5])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["real", "GAN", "VAE"]
    segs = _errorbar_segments(ax)
    np.testing.assert_allclose(segs[0][:, 1], [0.85, 0.95])
    np.testing.assert_allclose(segs[1][:, 1], [0.6, 0.75])
    assert np.all(np.isnan(segs[2]))  # VAE has no interval
    assert ax.get_ylabel() == "acc"
    plt.close(fig)


def test_plot_bar_horizontal_and_absolute_interval():
    fig, ax = plt.subplots()
    out = plot_bar({"a": 1.0, "b": 2.0}, errors={"b": (1.5, 3.0)}, horizontal=True, ylabel="v", ax=ax)
    assert out is ax
    assert [p.get_width() for p in ax.patches] == pytest.approx([1.0, 2.0])
    assert [p.get_y() + p.get_height() / 2 for p in ax.patches] == pytest.approx([1.0, 0.0])  # first on top
    np.testing.assert_allclose(_errorbar_segments(ax)[1][:, 0], [1.5, 3.0])
    assert ax.get_xlabel() == "v"
    plt.close(fig)
    fig = plot_bar({"a": 1.0})
    assert len(fig.axes[0].patches) == 1 and not fig.axes[0].containers[0].errorbar
    plt.close(fig)


@pytest.mark.parametrize(
    "values, kwargs, err, match",
    [
        ({}, {}, ValueError, "values"),
        ({"a": "high"}, {}, TypeError, "values"),
        ({"a": (1.0, 2.0, 3.0)}, {}, ValueError, "values"),
        ({"a": np.nan}, {}, ValueError, "values"),
        ({"a": 1.0}, {"errors": {"b": 0.1}}, ValueError, "errors"),
        ({"a": 1.0}, {"errors": {"a": -0.1}}, ValueError, "errors"),
        ({"a": 1.0}, {"errors": {"a": (1.5, 2.0)}}, ValueError, "errors"),
        ({"a": 1.0}, {"errors": [0.1]}, TypeError, "errors"),
        ({"a": 1.0}, {"errors": {"a": "wide"}}, TypeError, "errors"),
        ({"a": 1.0}, {"errors": {"a": (0.5, np.inf)}}, ValueError, "errors"),
        ({"a": 1.0}, {"title": 1.0}, TypeError, "title"),
    ],
)
def test_plot_bar_bad_input(values, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_bar(values, **kwargs)


# ------------------------------------------------------------------------------- plot_heatmap


def test_plot_heatmap_annotations_and_colorbar():
    m = np.array([[0.0, 0.5, np.nan], [1.0, 0.25, 0.75]])
    fig = plot_heatmap(m, row_labels=["FID", "precision"], col_labels=["collapse", "memorize", "blur"], title="t")
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # heat map + colour bar
    assert [t.get_text() for t in ax.texts] == ["0.00", "0.50", "", "1.00", "0.25", "0.75"]
    assert ax.texts[3].get_position() == (0, 1)
    # viridis: dark at 0 (white text), light at 1 (black text)
    assert ax.texts[0].get_color() == "white" and ax.texts[3].get_color() == "black"
    data = ax.images[0].get_array()
    assert data.shape == (2, 3) and bool(data.mask[0, 2])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["FID", "precision"]
    plt.close(fig)


def test_plot_heatmap_bool_percent_and_no_annotation():
    fig = plot_heatmap([[True, False]], row_labels=["r"], col_labels=["a", "b"], fmt="d")
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "0"]
    plt.close(fig)
    fig, ax = plt.subplots()
    out = plot_heatmap(np.eye(2), row_labels=["a", "b"], col_labels=["c", "d"], annotate=False, ax=ax)
    assert out is ax and len(ax.texts) == 0 and len(fig.axes) == 1
    plt.close(fig)
    fig = plot_heatmap([[0.125]], row_labels=["r"], col_labels=["c"], fmt=".0%")
    assert fig.axes[0].texts[0].get_text() == "12%"
    plt.close(fig)


@pytest.mark.parametrize(
    "matrix, kwargs, err, match",
    [
        (np.zeros(3), {}, ValueError, "matrix"),
        (np.array([[1.0, np.inf]]), {}, ValueError, "matrix"),
        (np.zeros((2, 2)), {"row_labels": ["a"]}, ValueError, "row_labels"),
        (np.zeros((2, 2)), {"col_labels": ["a", "b", "c"]}, ValueError, "col_labels"),
        (np.zeros((2, 2)), {"col_labels": "ab"}, TypeError, "col_labels"),
        (np.zeros((2, 2)), {"fmt": "q"}, ValueError, "fmt"),
    ],
)
def test_plot_heatmap_bad_input(matrix, kwargs, err, match):
    args = {"row_labels": ["r1", "r2"], "col_labels": ["c1", "c2"]}
    args.update(kwargs)
    with pytest.raises(err, match=match):
        plot_heatmap(matrix, **args)


# ---------------------------------------------------------------------------- plot_histograms


def test_plot_histograms_normalised_on_shared_bins():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=1000), rng.normal(2.0, 0.5, size=(400, 1))
    fig = plot_histograms({"train": a, "generated": b}, bins=20, xlabel="distance")
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    edges = np.linspace(min(a.min(), b.min()), max(a.max(), b.max()), 21)
    for patch, values in zip(ax.patches, (a, b.ravel())):
        expected, _ = np.histogram(values, bins=edges, density=True)
        verts = patch.get_path().vertices
        assert verts[:, 1].max() == pytest.approx(expected.max())
        assert verts[:, 0].min() == pytest.approx(edges[0]) and verts[:, 0].max() == pytest.approx(edges[-1])
        assert np.sum(expected * np.diff(edges)) == pytest.approx(1.0)
    assert ax.get_xlabel() == "distance" and ax.get_ylabel() == "density"
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_histograms({"x": [1.0, 2.0, 3.0]}, bins=[0.0, 2.0, 4.0], ax=ax) is ax
    # bin [2, 4] holds 2 of the 3 values and has width 2: density (2 / 3) / 2 = 1/3
    assert ax.patches[0].get_path().vertices[:, 1].max() == pytest.approx(1 / 3)
    plt.close(fig)


@pytest.mark.parametrize(
    "samples, kwargs, err, match",
    [
        ({}, {}, ValueError, "samples"),
        ({"a": np.zeros((5, 2))}, {}, ValueError, r"samples\['a'\]"),
        ({"a": [1.0, np.nan]}, {}, ValueError, r"samples\['a'\]"),
        ({"a": [1.0, 2.0]}, {"bins": 0}, ValueError, "bins"),
        ({"a": [1.0, 2.0]}, {"bins": [2.0, 1.0]}, ValueError, "bins"),
        ({"a": [1.0, 2.0]}, {"bins": "auto"}, TypeError, "bins"),
    ],
)
def test_plot_histograms_bad_input(samples, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_histograms(samples, **kwargs)


# ------------------------------------------------------------------------------------- style


def test_style_applied_and_not_leaked():
    spines_before = matplotlib.rcParams["axes.spines.top"]
    fig = plot_bar({"a": 1.0}, title="t")
    ax = fig.axes[0]
    assert ax.title.get_fontsize() == plots.STYLE["axes.titlesize"]
    assert not ax.spines["top"].get_visible()
    assert matplotlib.rcParams["axes.spines.top"] == spines_before
    plt.close(fig)


@pytest.mark.parametrize(
    "make",
    [
        lambda: image_grid(constant_tiles(16)),
        lambda: plot_losses({"a": [1.0, 2.0]}),
        lambda: plot_samples_2d(np.zeros((3, 2)), np.ones((3, 2))),
        lambda: plot_density_1d(np.linspace(0, 1, 5), p_data=np.ones(5)),
        lambda: plot_metric_curves([1, 2], {"a": [1, 2]}, xlabel="x"),
        lambda: plot_bar({"a": 1.0}),
        lambda: plot_heatmap(np.eye(2), row_labels=["a", "b"], col_labels=["c", "d"]),
        lambda: plot_histograms({"a": [1.0, 2.0]}),
    ],
)
def test_every_function_returns_a_figure_of_book_width(make):
    fig = make()
    assert isinstance(fig, Figure) and isinstance(fig.axes[0], Axes)
    assert 5.5 <= fig.get_size_inches()[0] <= 9.0
    fig.canvas.draw()  # renders without error under Agg
    plt.close(fig)


def test_interactive_mode_set_inside_a_plot_survives_the_style_context(monkeypatch):
    # Jupyter's inline backend switches interactive mode on when it is first activated, which can
    # happen inside the style context (when the first figure is created); leaving the context
    # must not switch it off again.
    was = matplotlib.is_interactive()
    matplotlib.interactive(False)
    subplots = plt.subplots

    def activating_subplots(*args, **kwargs):
        matplotlib.interactive(True)
        return subplots(*args, **kwargs)

    monkeypatch.setattr(plt, "subplots", activating_subplots)
    try:
        fig = plot_bar({"a": 1.0})
        assert isinstance(fig, Figure)
        assert matplotlib.is_interactive()
        plt.close(fig)
    finally:
        matplotlib.interactive(was)
