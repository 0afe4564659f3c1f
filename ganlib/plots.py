"""Figures and tables for the book: image grids, loss curves, toy-data plots, metric tables.

Every plotting function

* returns the :class:`matplotlib.figure.Figure` it created, or, when an existing ``ax=`` is passed
  in, draws on that Axes and returns it (the caller owns it; nothing is closed);
* never calls ``plt.show()``;
* uses one small, consistent style (:data:`STYLE`) and figure widths of about 6-9 inches, which
  read well in the rendered HTML book.

Figures are created through ``matplotlib.pyplot``, so in Jupyter the inline backend shows each one
at the end of the cell. Assign the result (``fig = image_grid(x)``) or end the line with ``;``
when the figure is the cell's last expression, otherwise Jupyter shows it twice. Save a figure
with ``fig.savefig(path)``.

:func:`metric_table` returns a plain ``pandas.DataFrame``, which Jupyter Book renders as an HTML
table. :func:`tile_images` and :func:`moving_average` are pure NumPy helpers.
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .validation import as_array, check_float, check_mapping, check_positive_int, check_str

__all__ = [
    "STYLE",
    "COLORS",
    "tile_images",
    "image_grid",
    "sample_grid_over_training",
    "moving_average",
    "plot_losses",
    "plot_samples_2d",
    "plot_density_1d",
    "metric_table",
    "plot_metric_curves",
    "plot_bar",
    "plot_heatmap",
    "plot_histograms",
]

#: rcParams applied (via ``matplotlib.rc_context``) while a ganlib figure is built.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.6,
}

#: Colours with a fixed meaning across the book.
COLORS = {
    "real": "0.55",  # grey: training data
    "fake": "tab:orange",  # generated samples
    "data_density": "black",
    "gen_density": "tab:green",
    "discriminator": "tab:blue",
    "modes": "black",
}

# Images may overshoot [0, 1] by float round-off (e.g. a sigmoid output rescaled); they are
# accepted within this tolerance and clipped.
_RANGE_TOL = 1e-4


def _styled(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        # Resolve the backend *before* the rc_context: if Jupyter's inline backend were first
        # activated inside it, leaving the context would restore rcParams["interactive"] = False
        # and stop Jupyter from showing any later figure automatically.
        mpl.get_backend()
        with mpl.rc_context(STYLE):
            result = func(*args, **kwargs)
            interactive = mpl.is_interactive()
        mpl.interactive(interactive)
        return result

    return wrapper


def _axes(ax, figsize):
    """Return ``(fig, ax, owned)``: a new figure+axes, or the caller's axes."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax, True
    if not isinstance(ax, mpl.axes.Axes):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
    return ax.figure, ax, False


def _result(fig, ax, owned):
    return fig if owned else ax


def _axis_limits(lim, name="lim"):
    """Axis limits from ``None``, a positive number L (meaning ``(-L, L)``) or a ``(low, high)`` pair."""
    if lim is None:
        return None
    if isinstance(lim, numbers.Real) and not isinstance(lim, bool):
        lim = check_float(lim, name, minimum=0.0, inclusive=False)
        return (-lim, lim)
    arr = as_array(lim, name, shape=(2,))
    if not arr[0] < arr[1]:
        raise ValueError(f"{name}: expected low < high, got {tuple(arr.tolist())}")
    return (float(arr[0]), float(arr[1]))


# --------------------------------------------------------------------------------------------
# Image grids
# --------------------------------------------------------------------------------------------


def _as_images(images, name):
    """Validate images in [0, 1] and return float arrays (N, H, W) or (N, H, W, 3), clipped."""
    arr = as_array(images, name, ndim=(3, 4), min_samples=1, value_range=(-_RANGE_TOL, 1.0 + _RANGE_TOL))
    if arr.ndim == 4:
        if arr.shape[-1] == 1:
            arr = arr[..., 0]
        elif arr.shape[-1] != 3:
            raise ValueError(
                f"{name}: expected (N, H, W), (N, H, W, 1) or (N, H, W, 3) images, got shape {arr.shape}"
            )
    return np.clip(arr, 0.0, 1.0)


def tile_images(images, ncols=None, pad=1, pad_value=1.0) -> np.ndarray:
    """Tile N images into one image, row by row, with ``pad``-pixel separators between tiles.

    With ``nrows = ceil(N / ncols)`` the result has height ``nrows * H + (nrows - 1) * pad`` and
    width ``ncols * W + (ncols - 1) * pad`` (separators only *between* tiles, no outer border).
    Tile ``i`` occupies rows ``r*(H+pad) : r*(H+pad)+H`` and columns ``c*(W+pad) : c*(W+pad)+W``
    with ``r, c = divmod(i, ncols)``. Separators and unused grid cells are ``pad_value``.

    Args:
      images: ``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)`` values in ``[0, 1]`` (values
        within 1e-4 outside are clipped; NaN/inf are rejected).
      ncols: tiles per row; default ``ceil(sqrt(N))``.
      pad: separator width in pixels (>= 0).
      pad_value: separator/background value in ``[0, 1]`` (1.0 = white).

    Returns:
      float array ``(H', W')`` for grey images or ``(H', W', 3)`` for RGB images.
    """
    imgs = _as_images(images, "images")
    n, h, w = imgs.shape[:3]
    ncols = int(math.ceil(math.sqrt(n))) if ncols is None else check_positive_int(ncols, "ncols")
    pad = check_positive_int(pad, "pad", minimum=0)
    pad_value = check_float(pad_value, "pad_value", minimum=0.0, maximum=1.0)
    nrows = int(math.ceil(n / ncols))
    out_shape = (nrows * h + (nrows - 1) * pad, ncols * w + (ncols - 1) * pad) + imgs.shape[3:]
    out = np.full(out_shape, float(pad_value), dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = imgs[i]
    return out


def _grid_figsize(height_px, width_px, *, base_width=6.0, max_height=10.0, extra=0.4):
    aspect = height_px / width_px
    w = base_width
    h = w * aspect + extra
    if h > max_height:
        h = max_height
        w = (h - extra) / aspect
    return (w, h)


@_styled
def image_grid(images, *, ncols=None, labels=None, title=None, ax=None, cmap="gray", vmin=0.0, vmax=1.0):
    """Show N images as one tiled picture (see :func:`tile_images`; 1-pixel white separators).

    Args:
      images: ``(N, 28, 28, 1)``, ``(N, H, W)`` or ``(N, H, W, 3)`` values in ``[0, 1]``.
      ncols: tiles per row; default ``ceil(sqrt(N))``.
      labels: optional ``(N,)`` sequence (class labels, scores, strings) drawn as small text in
        the top-left corner of each tile.
      title: axes title.
      ax: draw on this Axes instead of a new figure.
      cmap, vmin, vmax: colour mapping for grey images (ignored for RGB).

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in.
    """
    imgs = _as_images(images, "images")
    n, h, w = imgs.shape[:3]
    ncols = int(math.ceil(math.sqrt(n))) if ncols is None else check_positive_int(ncols, "ncols")
    check_str(title, "title", allow_none=True)
    if labels is not None:
        if isinstance(labels, (str, bytes)):
            raise TypeError(f"labels: expected a sequence of N={n} labels, got {type(labels).__name__}")
        labels = as_array(labels, "labels", ndim=1, dtype="any")
        if labels.shape[0] != n:
            raise ValueError(f"labels: expected {n} labels (one per image), got {labels.shape[0]}")
    pad = 1
    tiled = tile_images(imgs, ncols=ncols, pad=pad)
    fig, ax, owned = _axes(ax, _grid_figsize(*tiled.shape[:2], extra=0.4 if title else 0.1))
    if tiled.ndim == 2:
        ax.imshow(tiled, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    else:
        ax.imshow(tiled, interpolation="nearest")
    ax.set_axis_off()
    if labels is not None:
        for i, lab in enumerate(labels):
            r, c = divmod(i, ncols)
            text = f"{lab:.3g}" if isinstance(lab, (float, np.floating)) else str(lab)
            ax.text(
                c * (w + pad) + 0.5, r * (h + pad) + 0.5, text,
                fontsize=7, color="white", ha="left", va="top",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "black", "alpha": 0.6, "linewidth": 0},
            )
    if title:
        ax.set_title(title)
    return _result(fig, ax, owned)


@_styled
def sample_grid_over_training(snapshots, *, n=16, title=None):
    """"Samples over training": one row of ``n`` images per snapshot, labelled with its key.

    Args:
      snapshots: ``dict`` key -> images, e.g. ``{1: x_epoch1, 5: x_epoch5, ...}`` (rows in the
        dict's order); each value ``(N_k, H, W[, 1 or 3])`` in ``[0, 1]``, all with the same
        image shape. The first ``min(n, N_k)`` images of each snapshot are shown; missing tiles
        stay blank.
      n: images per row.
      title: figure title.

    Returns:
      The new ``Figure`` (one Axes holding one tiled image of ``len(snapshots)`` rows).
    """
    check_mapping(snapshots, "snapshots", what="images", string_keys=False)
    n = check_positive_int(n, "n")
    check_str(title, "title", allow_none=True)
    rows = []
    for key, value in snapshots.items():
        imgs = _as_images(value, f"snapshots[{key!r}]")[:n]
        if rows and imgs.shape[1:] != rows[0].shape[1:]:
            raise ValueError(
                f"snapshots[{key!r}]: expected images of shape {rows[0].shape[1:]} like the first "
                f"snapshot, got {imgs.shape[1:]}"
            )
        rows.append(imgs)
    h, w = rows[0].shape[1:3]
    pad = 1
    blank = np.ones((1,) + rows[0].shape[1:], dtype=np.float32)
    stacked = np.concatenate(
        [np.concatenate([r, np.repeat(blank, n - len(r), axis=0)]) if len(r) < n else r for r in rows]
    )
    tiled = tile_images(stacked, ncols=n, pad=pad)
    figsize = _grid_figsize(*tiled.shape[:2], base_width=9.0 if n >= 10 else 6.0, extra=0.4 if title else 0.1)
    fig, ax, _ = _axes(None, figsize)
    if tiled.ndim == 2:
        ax.imshow(tiled, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(tiled, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([r * (h + pad) + (h - 1) / 2 for r in range(len(rows))])
    ax.set_yticklabels([str(k) for k in snapshots.keys()])
    ax.tick_params(length=0)
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------------


def moving_average(values, window: int) -> np.ndarray:
    """Trailing moving average that keeps the length: ``y[i] = mean(x[max(0, i-w+1) : i+1])``.

    The first ``w - 1`` entries average over the shorter window available. NaN entries are
    skipped (``nanmean``); a window of only NaN gives NaN. ``window`` 0 or 1 returns a copy.

    Args:
      values: ``(T,)`` numbers.
      window: ``w >= 0``.

    Returns:
      float64 array ``(T,)``.
    """
    x = as_array(values, "values", ndim=1, finite=False).astype(np.float64)
    window = check_positive_int(window, "window", minimum=0)
    x = np.where(np.isfinite(x), x, np.nan)
    if window <= 1 or x.size == 0:
        return x.copy()
    valid = np.isfinite(x)
    csum = np.concatenate([[0.0], np.cumsum(np.where(valid, x, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(valid)])
    idx = np.arange(x.size)
    start = np.maximum(0, idx - window + 1)
    total = csum[idx + 1] - csum[start]
    count = ccount[idx + 1] - ccount[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _history_columns(history):
    """Return ``(columns: dict[str, (x, y)], default_xlabel)``."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(history, pd.DataFrame):
        index = history.index.to_numpy()
        x_index = index if np.issubdtype(index.dtype, np.number) else None
        cols = {}
        for col in history.columns:
            values = history[col].to_numpy()
            if np.issubdtype(values.dtype, np.number) and values.dtype != bool:
                x = x_index if x_index is not None else np.arange(len(values))
                cols[str(col)] = (np.asarray(x, dtype=np.float64), values)
        name = history.index.name
        return cols, (str(name) if name else "step")
    if hasattr(history, "history") and isinstance(getattr(history, "history"), Mapping):
        data, from_keras = history.history, True
    elif isinstance(history, Mapping):
        data, from_keras = history, False
    else:
        raise TypeError(
            "history: expected a keras History, a dict of lists or a pandas DataFrame, "
            f"got {type(history).__name__}"
        )
    cols = {}
    for key, values in data.items():
        try:
            y = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if y.ndim != 1:
            continue
        x = np.arange(1, len(y) + 1) if from_keras else np.arange(len(y))
        cols[str(key)] = (x.astype(np.float64), y)
    return cols, ("epoch" if from_keras else "step")


@_styled
def plot_losses(history, *, keys=None, ax=None, title="Training losses", smoothing=0, xlabel=None):
    """Plot training curves (losses, metrics) against epoch or step.

    x values: epochs ``1..T`` for a keras ``History``; the (numeric) index for a DataFrame;
    steps ``0..T-1`` for a dict. Non-finite values (a diverged run) are drawn as gaps.

    Args:
      history: a ``keras.callbacks.History`` (``model.fit`` result), a ``dict`` of equal- or
        unequal-length lists (``{"d_loss": [...], "g_loss": [...]}``) or a ``pandas.DataFrame``.
      keys: a key or list of keys to plot; default every numeric 1-D entry.
      ax: draw on this Axes instead of a new figure.
      title: axes title.
      smoothing: moving-average window (:func:`moving_average`); 0 or 1 = none. With a window
        > 1 the raw curve is also drawn, faint and without a legend entry, under the smoothed one.
      xlabel: x-axis label; default ``"epoch"`` (History), the index name (DataFrame) or ``"step"``.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in. One line per key (two with smoothing).
    """
    cols, default_xlabel = _history_columns(history)
    smoothing = check_positive_int(smoothing, "smoothing", minimum=0)
    check_str(title, "title", allow_none=True)
    check_str(xlabel, "xlabel", allow_none=True)
    if not cols:
        raise ValueError("history: expected at least one numeric 1-D series, found none")
    if keys is None:
        keys = list(cols)
    else:
        if isinstance(keys, str):
            keys = [keys]
        try:
            keys = list(keys)
        except TypeError:
            raise TypeError(f"keys: expected a key or a list of keys, got {type(keys).__name__}") from None
        if not keys:
            raise ValueError("keys: expected at least one key, got an empty list")
        unknown = [k for k in keys if k not in cols]
        if unknown:
            raise ValueError(f"keys: unknown key(s) {unknown}; available: {sorted(cols)}")
    fig, ax, owned = _axes(ax, (7.0, 4.0))
    for i, key in enumerate(keys):
        x, y = cols[key]
        y = np.where(np.isfinite(y), y, np.nan)
        color = f"C{i % 10}"
        if smoothing > 1:
            ax.plot(x, y, color=color, alpha=0.25, linewidth=1.0, label="_nolegend_")
            ax.plot(x, moving_average(y, smoothing), color=color, label=f"{key} (avg {smoothing})")
        else:
            ax.plot(x, y, color=color, label=key)
    ax.set_xlabel(xlabel if xlabel is not None else default_xlabel)
    ax.set_ylabel("value")
    if title:
        ax.set_title(title)
    ax.legend()
    return _result(fig, ax, owned)


# --------------------------------------------------------------------------------------------
# Toy data
# --------------------------------------------------------------------------------------------


def _subsample(points, max_points):
    if len(points) <= max_points:
        return points
    # evenly spaced indices: deterministic, and proportional even if points are sorted by mode
    return points[np.linspace(0, len(points) - 1, max_points).astype(int)]


@_styled
def plot_samples_2d(real, fake, *, means=None, ax=None, title=None, max_points=2000, lim=None):
    """Scatter real 2-D points (small, grey) and generated points (coloured) on equal axes.

    Args:
      real: ``(N, 2)`` data points, or ``None`` to show only ``fake``.
      fake: ``(M, 2)`` generated points, or ``None`` to show only ``real``.
      means: optional ``(K, 2)`` mode centres, marked with black crosses.
      ax: draw on this Axes instead of a new figure.
      title: axes title.
      max_points: at most this many points per set are drawn (evenly spaced subsample).
      lim: axis limits for both axes: ``L`` (meaning ``(-L, L)``) or ``(low, high)``;
        default: matplotlib's automatic limits.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in. One scatter collection per given set.
    """
    if real is None and fake is None:
        raise ValueError("real and fake: expected at least one (N, 2) array, got None for both")
    real = None if real is None else as_array(real, "real", shape=(None, 2), min_samples=1)
    fake = None if fake is None else as_array(fake, "fake", shape=(None, 2), min_samples=1)
    means = None if means is None else as_array(means, "means", shape=(None, 2), min_samples=1)
    max_points = check_positive_int(max_points, "max_points")
    lim = _axis_limits(lim)
    check_str(title, "title", allow_none=True)
    fig, ax, owned = _axes(ax, (6.0, 6.0))
    if real is not None:
        pts = _subsample(real, max_points)
        ax.scatter(pts[:, 0], pts[:, 1], s=4, color=COLORS["real"], alpha=0.5, linewidths=0, label="real")
    if fake is not None:
        pts = _subsample(fake, max_points)
        ax.scatter(pts[:, 0], pts[:, 1], s=6, color=COLORS["fake"], alpha=0.6, linewidths=0, label="generated")
    if means is not None:
        ax.scatter(means[:, 0], means[:, 1], s=60, marker="x", color=COLORS["modes"], linewidths=1.5,
                   label="mode centres")
    ax.set_aspect("equal", adjustable="datalim" if lim is None else "box")
    if lim is not None:
        ax.set_xlim(lim)
        ax.set_ylim(lim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", markerscale=2)
    return _result(fig, ax, owned)


def _as_samples_1d(value, name):
    arr = as_array(value, name, ndim=(1, 2), min_samples=1)
    if arr.ndim == 2:
        if arr.shape[1] != 1:
            raise ValueError(f"{name}: expected shape (N,) or (N, 1), got shape {arr.shape}")
        arr = arr[:, 0]
    return arr


@_styled
def plot_density_1d(
    x_grid,
    *,
    p_data=None,
    p_g=None,
    d_values=None,
    d_star=None,
    data_samples=None,
    gen_samples=None,
    ax=None,
    title=None,
):
    """The Goodfellow et al. (2014, Fig. 1) picture of a 1-D GAN.

    Densities on the left axis: data density ``p_data`` (black dashed), generator density ``p_g``
    (green; a ``density=True`` histogram of ``gen_samples`` when ``p_g`` is not given; a grey
    histogram of ``data_samples`` likewise). Discriminator ``D(x)`` (blue, solid) and the optimal
    discriminator ``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` (blue, dotted) on a secondary
    right axis in ``[0, 1]`` (on the main axis if no density is drawn).

    Args:
      x_grid: ``(G,)`` grid of x values (finite, at least 2 points).
      p_data, p_g: optional ``(G,)`` non-negative density values on ``x_grid``.
      d_values, d_star: optional ``(G,)`` values in ``[0, 1]`` on ``x_grid``.
      data_samples, gen_samples: optional ``(N,)`` or ``(N, 1)`` samples, shown as histograms
        (50 bins over the ``x_grid`` range).
      ax: draw on this Axes instead of a new figure.
      title: axes title.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in (the secondary axis, if any, is
      ``ax.figure.axes[-1]``).
    """
    x = as_array(x_grid, "x_grid", ndim=1, min_samples=2)
    g = x.shape[0]

    def on_grid(value, name, value_range=None):
        if value is None:
            return None
        arr = as_array(value, name, ndim=1, value_range=value_range)
        if arr.shape[0] != g:
            raise ValueError(f"{name}: expected {g} values (the length of x_grid), got {arr.shape[0]}")
        return arr

    p_data = on_grid(p_data, "p_data", (0.0, np.inf))
    p_g = on_grid(p_g, "p_g", (0.0, np.inf))
    d_values = on_grid(d_values, "d_values", (0.0, 1.0))
    d_star = on_grid(d_star, "d_star", (0.0, 1.0))
    data_samples = None if data_samples is None else _as_samples_1d(data_samples, "data_samples")
    gen_samples = None if gen_samples is None else _as_samples_1d(gen_samples, "gen_samples")
    check_str(title, "title", allow_none=True)
    if all(v is None for v in (p_data, p_g, d_values, d_star, data_samples, gen_samples)):
        raise ValueError(
            "p_data, p_g, d_values, d_star, data_samples, gen_samples: expected at least one to plot, got none"
        )

    fig, ax, owned = _axes(ax, (7.0, 4.0))
    bins = np.linspace(float(x.min()), float(x.max()), 51)
    has_density = False
    if data_samples is not None:
        ax.hist(data_samples, bins=bins, density=True, color=COLORS["real"], alpha=0.3, label="data (histogram)")
        has_density = True
    if p_data is not None:
        ax.plot(x, p_data, "--", color=COLORS["data_density"], label=r"$p_{\mathrm{data}}$")
        has_density = True
    if gen_samples is not None and p_g is None:
        ax.hist(gen_samples, bins=bins, density=True, color=COLORS["gen_density"], alpha=0.35,
                label=r"$p_g$ (histogram)")
        has_density = True
    if p_g is not None:
        ax.plot(x, p_g, "-", color=COLORS["gen_density"], label=r"$p_g$")
        has_density = True
    if has_density:
        ax.set_ylabel("density")
        ax.set_ylim(bottom=0.0)
    d_ax = ax
    if d_values is not None or d_star is not None:
        if has_density:
            d_ax = ax.twinx()
            d_ax.spines["right"].set_visible(True)
        if d_values is not None:
            d_ax.plot(x, d_values, "-", color=COLORS["discriminator"], label=r"$D(x)$")
        if d_star is not None:
            d_ax.plot(x, d_star, ":", color=COLORS["discriminator"], linewidth=2.0, label=r"$D^*(x)$")
        d_ax.set_ylim(0.0, 1.05)
        d_ax.set_ylabel("D(x)", color=COLORS["discriminator"])
    ax.set_xlabel("x")
    ax.set_xlim(float(x.min()), float(x.max()))
    if title:
        ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if d_ax is not ax:
        h2, l2 = d_ax.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="upper left")
    return _result(fig, ax, owned)


# --------------------------------------------------------------------------------------------
# Metric tables and charts
# --------------------------------------------------------------------------------------------


def _ci_parts(value, name):
    """``(estimate, low, high)`` if ``value`` is a CI tuple/object, else ``None``."""
    if all(hasattr(value, a) for a in ("estimate", "low", "high")):
        parts = (value.estimate, value.low, value.high)
    elif isinstance(value, (tuple, list)):
        if len(value) != 3:
            raise ValueError(f"{name}: expected a number or an (estimate, low, high) tuple, got {value!r}")
        parts = tuple(value)
    else:
        return None
    try:
        return tuple(float(p) for p in parts)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected numbers in (estimate, low, high), got {parts!r}") from None


def _format_cell(value, precision, name):
    ci = _ci_parts(value, name)
    if ci is not None:
        est, low, high = ci
        return f"{est:.{precision}f} [{low:.{precision}f}, {high:.{precision}f}]"
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ValueError(f"{name}: expected a scalar or an (estimate, low, high) tuple, got shape {value.shape}")
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or isinstance(value, numbers.Integral):
        return value
    if isinstance(value, numbers.Real):
        return round(float(value), precision)
    return value


def metric_table(results, *, precision=3, caption=None):
    """Collect metric results into a rounded ``pandas.DataFrame`` (one row per model/run).

    Cells: floats are rounded to ``precision`` decimals; integers, booleans and strings are kept;
    a confidence interval, i.e. an ``(estimate, low, high)`` tuple or an object with
    ``estimate``/``low``/``high`` attributes, becomes the string ``"0.123 [0.100, 0.150]"``.
    Missing entries are NaN.

    Args:
      results: ``dict`` row name -> ``dict`` metric -> value (or a metric result with
        ``as_dict()``, e.g. a :class:`ganlib.metrics.PRDCResult`); or a list of such rows
        (numbered 0..n-1); or a ``DataFrame``.
      precision: decimals (>= 0).
      caption: optional caption, stored in ``df.attrs["caption"]``.

    Returns:
      A plain ``DataFrame`` (not a Styler): rows = results, columns = metrics in first-seen order.
    """
    import pandas as pd

    precision = check_positive_int(precision, "precision", minimum=0)
    check_str(caption, "caption", allow_none=True)
    if isinstance(results, pd.DataFrame):
        if results.empty:
            raise ValueError("results: expected a non-empty table, got an empty DataFrame")
        index, columns = results.index, list(results.columns)
        rows = [(idx, dict(zip(columns, values))) for idx, values in zip(index, results.itertuples(index=False))]
    else:
        if isinstance(results, Mapping):
            check_mapping(results, "results", what="dict of metrics", string_keys=False)
            rows = list(results.items())
        elif isinstance(results, (list, tuple)):
            if not results:
                raise ValueError("results: expected at least one row, got an empty list")
            rows = list(enumerate(results))
        else:
            raise TypeError(
                "results: expected a dict of dicts, a list of dicts or a DataFrame, "
                f"got {type(results).__name__}"
            )
        # a metric result (ganlib.metrics: a dataclass with as_dict()) is a row like its dict
        rows = [(key, row.as_dict() if callable(getattr(row, "as_dict", None)) else row) for key, row in rows]
        for key, row in rows:
            if not isinstance(row, Mapping):
                raise TypeError(f"results[{key!r}]: expected a dict of metric -> value, got {type(row).__name__}")
        index = pd.Index([k for k, _ in rows])
        columns = list(dict.fromkeys(c for _, row in rows for c in row))  # first-seen order
    table = pd.DataFrame(index=index)
    for col in columns:
        cells = []
        for key, row in rows:
            value = row.get(col, None)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append(np.nan)
            else:
                cells.append(_format_cell(value, precision, f"results[{key!r}][{col!r}]"))
        present = [v for v in cells if not (isinstance(v, float) and math.isnan(v))]
        if present and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in present):
            table[col] = np.asarray(cells, dtype=np.float64 if len(present) < len(cells) or any(
                isinstance(v, float) for v in present) else np.int64)
        else:
            table[col] = pd.Series(cells, index=index, dtype=object)
    if caption is not None:
        table.attrs["caption"] = caption
    return table


@_styled
def plot_metric_curves(x, curves, *, xlabel, ylabel=None, ax=None, title=None, bands=None, logy=False):
    """Several metric curves against a common x (e.g. FID vs. sample size or epoch).

    Args:
      x: ``(T,)`` finite x values.
      curves: ``dict`` name -> ``(T,)`` finite values; one line each (with markers if T <= 30).
      xlabel: x-axis label (required).
      ylabel: y-axis label.
      ax: draw on this Axes instead of a new figure.
      title: axes title.
      bands: optional ``dict`` name -> ``(low, high)``, each ``(T,)``, drawn as a shaded band in
        the colour of the curve with the same name (every band name must be a curve name).
      logy: logarithmic y axis (all curve and band values must then be > 0).

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in. One line per curve, one filled
      ``PolyCollection`` per band.
    """
    xs = as_array(x, "x", ndim=1, min_samples=1)
    t = xs.shape[0]
    check_mapping(curves, "curves", what="values", string_keys=False)
    check_str(xlabel, "xlabel")
    check_str(ylabel, "ylabel", allow_none=True)
    check_str(title, "title", allow_none=True)

    def series(value, name):
        arr = as_array(value, name, ndim=1)
        if arr.shape[0] != t:
            raise ValueError(f"{name}: expected {t} values (the length of x), got {arr.shape[0]}")
        if logy and np.any(arr <= 0):
            raise ValueError(f"{name}: expected values > 0 with logy=True, got minimum {arr.min():.4g}")
        return arr

    ys = {str(k): series(v, f"curves[{k!r}]") for k, v in curves.items()}
    bs = {}
    if bands is not None:
        check_mapping(bands, "bands", what="(low, high)", string_keys=False)
        for k, v in bands.items():
            if str(k) not in ys:
                raise ValueError(f"bands: key {k!r} is not a curve name; curves: {list(ys)}")
            if not isinstance(v, (tuple, list)) or len(v) != 2:
                raise ValueError(f"bands[{k!r}]: expected a (low, high) pair of arrays, got {type(v).__name__}")
            low, high = series(v[0], f"bands[{k!r}] low"), series(v[1], f"bands[{k!r}] high")
            if np.any(low > high):
                raise ValueError(f"bands[{k!r}]: expected low <= high everywhere")
            bs[str(k)] = (low, high)
    fig, ax, owned = _axes(ax, (7.0, 4.0))
    marker = "o" if t <= 30 else None
    for i, (name, y) in enumerate(ys.items()):
        color = f"C{i % 10}"
        ax.plot(xs, y, marker=marker, markersize=4, color=color, label=name)
        if name in bs:
            ax.fill_between(xs, bs[name][0], bs[name][1], color=color, alpha=0.2, linewidth=0)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return _result(fig, ax, owned)


@_styled
def plot_bar(values, *, errors=None, ax=None, title=None, ylabel=None, horizontal=False):
    """Bar chart of named values with optional error bars.

    Args:
      values: ``dict`` name -> number, or name -> confidence interval (an ``(estimate, low,
        high)`` tuple or object with ``estimate``/``low``/``high``; the bar is the estimate and
        the interval its error bar).
      errors: optional ``dict`` name -> half-width (symmetric error bar) or ``(low, high)``
        absolute interval bounds (``low <= value <= high``). Names must be in ``values``;
        names without an entry get no error bar.
      ax: draw on this Axes instead of a new figure.
      title: axes title.
      ylabel: label of the value axis (the x axis when ``horizontal``).
      horizontal: horizontal bars (better for long names), first name at the top.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in. One bar patch per value.
    """
    check_mapping(values, "values", what="number", string_keys=False)
    check_str(title, "title", allow_none=True)
    check_str(ylabel, "ylabel", allow_none=True)
    names = [str(k) for k in values]
    heights, lower, upper = [], [], []
    for k, v in values.items():
        ci = _ci_parts(v, f"values[{k!r}]")
        if ci is not None:
            est, low, high = ci
        else:
            v = float(as_array(v, f"values[{k!r}]", ndim=0, finite=False))
            est, low, high = v, v, v
        if not all(np.isfinite([est, low, high])):
            raise ValueError(f"values[{k!r}]: expected finite numbers, got {v!r}")
        if not low <= est <= high:
            raise ValueError(f"values[{k!r}]: expected low <= estimate <= high, got {v!r}")
        heights.append(est)
        lower.append(est - low)
        upper.append(high - est)
    if errors is not None:
        errors = check_mapping(errors, "errors", what="error", allow_empty=True, string_keys=False)
        for k, e in errors.items():
            if k not in values:
                raise ValueError(f"errors: key {k!r} is not in values; values: {names}")
            i = list(values).index(k)
            if isinstance(e, (tuple, list)):
                if len(e) != 2:
                    raise ValueError(f"errors[{k!r}]: expected a half-width or a (low, high) pair, got {e!r}")
                low, high = check_float(e[0], f"errors[{k!r}] low"), check_float(e[1], f"errors[{k!r}] high")
                if not low <= heights[i] <= high:
                    raise ValueError(
                        f"errors[{k!r}]: expected low <= value ({heights[i]:.4g}) <= high, got ({low:.4g}, {high:.4g})"
                    )
                lower[i], upper[i] = heights[i] - low, high - heights[i]
            else:
                lower[i] = upper[i] = check_float(e, f"errors[{k!r}]", minimum=0.0)
    err = np.array([lower, upper])
    has_err = bool(np.any(err > 0))
    err[:, ~np.any(err > 0, axis=0)] = np.nan  # no cap drawn for bars without an interval
    n = len(names)
    if horizontal:
        fig, ax, owned = _axes(ax, (7.0, max(2.5, 0.4 * n + 1.2)))
        pos = np.arange(n)[::-1]
        ax.barh(pos, heights, xerr=err if has_err else None, color="C0", capsize=3, height=0.6)
        ax.set_yticks(pos)
        ax.set_yticklabels(names)
        if ylabel:
            ax.set_xlabel(ylabel)
    else:
        fig, ax, owned = _axes(ax, (min(9.0, max(6.0, 0.7 * n + 2.0)), 4.0))
        pos = np.arange(n)
        ax.bar(pos, heights, yerr=err if has_err else None, color="C0", capsize=3, width=0.6)
        ax.set_xticks(pos)
        rotate = max(len(s) for s in names) > 8 and n > 3
        ax.set_xticklabels(names, rotation=30 if rotate else 0, ha="right" if rotate else "center")
        if ylabel:
            ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return _result(fig, ax, owned)


@_styled
def plot_heatmap(matrix, *, row_labels, col_labels, ax=None, title=None, fmt=".2f", cmap="viridis",
                 annotate=True, vmin=None, vmax=None):
    """Annotated heat map of an ``(R, C)`` table (e.g. metric x failure mode).

    Args:
      matrix: ``(R, C)`` numbers (booleans become 0/1); NaN cells are left blank (inf rejected).
      row_labels: ``R`` labels (y axis, top to bottom).
      col_labels: ``C`` labels (x axis).
      ax: draw on this Axes instead of a new figure (no colour bar is added then).
      title: axes title.
      fmt: format spec of the cell annotations, e.g. ``".2f"``, ``".0%"``, ``"d"`` for integer cells.
      cmap: colour map name.
      annotate: write each cell's value in it (white on dark cells, black on light ones).
      vmin, vmax: colour-scale limits; default the finite data range.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in. ``R * C`` text annotations if ``annotate``.
    """
    if hasattr(matrix, "numpy") and not isinstance(matrix, np.ndarray):
        matrix = matrix.numpy()
    if isinstance(matrix, (list, tuple, np.ndarray)):
        try:
            as_np = np.asarray(matrix)
        except ValueError:  # ragged: let as_array report it
            as_np = None
        if as_np is not None and as_np.dtype == bool:
            matrix = as_np.astype(np.float64)
    m = as_array(matrix, "matrix", ndim=2, min_samples=1, finite=False)
    if m.shape[1] == 0:
        raise ValueError(f"matrix: expected at least one column, got shape {m.shape}")
    if np.any(np.isinf(m)):
        raise ValueError("matrix: expected finite values or NaN, got inf")
    r, c = m.shape
    for labels, name, size, what in ((row_labels, "row_labels", r, "rows"), (col_labels, "col_labels", c, "columns")):
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise TypeError(f"{name}: expected a sequence of {size} labels, got {type(labels).__name__}")
        if len(labels) != size:
            raise ValueError(f"{name}: expected {size} labels (matrix has {size} {what}), got {len(labels)}")
    check_str(fmt, "fmt")
    if annotate:
        sample = next((float(v) for v in m.ravel() if np.isfinite(v)), 0.0)
        try:
            format(int(sample) if fmt.endswith("d") else sample, fmt)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"fmt: expected a valid format spec such as '.2f', got {fmt!r} ({exc})") from None
    check_str(title, "title", allow_none=True)
    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    finite = m[np.isfinite(m)]
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if hi <= lo:
        hi = lo + 1.0
    width = min(9.0, max(6.0, 0.9 * c + 2.5))
    height = min(9.0, max(2.5, 0.5 * r + 1.5))
    fig, ax, owned = _axes(ax, (width, height))
    im = ax.imshow(np.ma.masked_invalid(m), cmap=colormap, vmin=lo, vmax=hi, aspect="auto",
                   interpolation="nearest")
    ax.set_xticks(np.arange(c))
    long_labels = max(len(str(s)) for s in col_labels) > 6
    ax.set_xticklabels([str(s) for s in col_labels], rotation=30 if long_labels else 0,
                       ha="right" if long_labels else "center")
    ax.set_yticks(np.arange(r))
    ax.set_yticklabels([str(s) for s in row_labels])
    ax.tick_params(length=0)
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    if annotate:
        for i in range(r):
            for j in range(c):
                v = m[i, j]
                if not np.isfinite(v):
                    text, color = "", "black"
                else:
                    text = format(int(round(v)) if fmt.endswith("d") else float(v), fmt)
                    rgba = colormap((v - lo) / (hi - lo))
                    luminance = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]
                    color = "black" if luminance > 0.5 else "white"
                ax.text(j, i, text, ha="center", va="center", color=color, fontsize=9)
    if owned:
        fig.colorbar(im, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    return _result(fig, ax, owned)


@_styled
def plot_histograms(samples, *, bins=50, ax=None, title=None, xlabel=None):
    """Overlaid, normalised histograms (``density=True``: each integrates to 1) on shared bins.

    The bin edges are computed once over the pooled range of all samples, so the histograms are
    directly comparable (e.g. nearest-neighbour distances of training vs. generated images).

    Args:
      samples: ``dict`` name -> ``(N,)`` or ``(N, 1)`` finite values.
      bins: number of bins (int) or a ``(B+1,)`` increasing array of edges.
      ax: draw on this Axes instead of a new figure.
      title: axes title.
      xlabel: x-axis label.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in. One filled step patch per sample.
    """
    check_mapping(samples, "samples", what="values", string_keys=False)
    data = {str(k): _as_samples_1d(v, f"samples[{k!r}]") for k, v in samples.items()}
    check_str(title, "title", allow_none=True)
    check_str(xlabel, "xlabel", allow_none=True)
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        bins = check_positive_int(bins, "bins")
        pooled = np.concatenate(list(data.values()))
        lo, hi = float(pooled.min()), float(pooled.max())
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, bins + 1)
    else:
        if isinstance(bins, bool) or isinstance(bins, (str, bytes)):
            raise TypeError(f"bins: expected an int or an array of edges, got {type(bins).__name__}")
        edges = as_array(bins, "bins", ndim=1, min_samples=2)
        if np.any(np.diff(edges) <= 0):
            raise ValueError("bins: expected strictly increasing bin edges")
    fig, ax, owned = _axes(ax, (7.0, 4.0))
    for i, (name, values) in enumerate(data.items()):
        color = f"C{i % 10}"
        ax.hist(values, bins=edges, density=True, histtype="stepfilled", alpha=0.35, color=color,
                edgecolor=color, linewidth=1.2, label=name)
    ax.set_ylabel("density")
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return _result(fig, ax, owned)
