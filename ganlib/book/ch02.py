"""Looking inside a toy GAN: densities, discriminators and training movies in 1-D and 2-D.

Goodfellow et al. (2014, Fig. 1) explain GANs with one picture: the data density
``p_data``, the generator's density ``p_g`` and the discriminator ``D(x)`` on one axis, at
several moments of training. This module computes what that picture needs for a real trained
(1-D) GAN and records how a toy GAN (1-D or 2-D) changes over training.

* :func:`kde_1d` — the generator's density ``p_g`` estimated from its samples (Gaussian KDE);
* :func:`density_view_1d` — ``p_data``, ``p_g``, ``D*(x) = p_data / (p_data + p_g)``
  (:func:`ganlib.losses.optimal_discriminator`) and optionally ``D(x)`` on one grid;
* :func:`discriminator_log_odds`, :func:`density_ratio_comparison` — the discriminator as a
  density-ratio estimator: ``D / (1 - D) ≈ p_data / p_g``;
* :class:`TrainingMovie` (a Keras callback) and :func:`train_with_movie` — train a toy GAN
  with :func:`ganlib.train` and keep snapshots (generated samples and ``D`` on a grid) every
  few epochs;
* :func:`fit_discriminator`, :func:`discriminator_probability` — train only a discriminator
  between two fixed samples (for a generator whose density is known);
  :func:`discriminator_accuracy` — how often a discriminator tells real from generated;
* :func:`density_panels_1d`, :func:`sample_panels_2d`, :func:`dynamics_figure`,
  :func:`density_ratio_figure` — small multiples of training snapshots, training curves and the
  density-ratio picture (built from :mod:`ganlib.plots`).

Conventions: toy data is ``float32 (N, d)``; 1-D grids are ``(G,)`` arrays; densities are
float64 arrays on the grid; discriminators return logits, ``D(x) = sigmoid(logit)``.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np

from ..validation import as_array, check_float, check_positive_int

__all__ = [
    "scott_bandwidth",
    "kde_1d",
    "DensityView1D",
    "density_view_1d",
    "discriminator_log_odds",
    "density_ratio_comparison",
    "TrainingMovie",
    "train_with_movie",
    "fit_discriminator",
    "discriminator_probability",
    "discriminator_accuracy",
    "density_panels_1d",
    "sample_panels_2d",
    "dynamics_figure",
    "density_ratio_figure",
]


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------


def _positive_float(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a positive number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name}: expected a finite number > 0, got {value}")
    return value


def _samples_1d(value, name: str, min_samples: int = 1) -> np.ndarray:
    """``(N,)`` or ``(N, 1)`` samples -> float64 ``(N,)``."""
    arr = as_array(value, name, ndim=(1, 2), min_samples=min_samples)
    if arr.ndim == 2:
        if arr.shape[1] != 1:
            raise ValueError(f"{name}: expected shape (N,) or (N, 1), got shape {arr.shape}")
        arr = arr[:, 0]
    return arr.astype(np.float64)


def _grid(value, name: str = "x_grid") -> np.ndarray:
    return as_array(value, name, ndim=1, min_samples=1).astype(np.float64)


def _on_grid(value, name: str, g: int, value_range=None) -> np.ndarray:
    arr = as_array(value, name, ndim=1, value_range=value_range).astype(np.float64)
    if arr.shape[0] != g:
        raise ValueError(f"{name}: expected {g} values (one per grid point), got {arr.shape[0]}")
    return arr


# --------------------------------------------------------------------------------------------
# densities
# --------------------------------------------------------------------------------------------


def scott_bandwidth(samples) -> float:
    """Scott's rule for a 1-D Gaussian kernel density estimate: ``h = σ̂ · n^(-1/5)``.

    ``σ̂`` is the sample standard deviation with ``ddof=1``; this is the bandwidth
    ``scipy.stats.gaussian_kde`` uses by default in one dimension.

    Args:
      samples: ``(N,)`` or ``(N, 1)`` finite numbers, ``N >= 2``, not all equal.

    Returns:
      The bandwidth ``h > 0`` (Python float).
    """
    x = _samples_1d(samples, "samples", min_samples=2)
    sigma = float(np.std(x, ddof=1))
    if not sigma > 0:
        raise ValueError("samples: expected samples with a positive spread, got all values equal "
                         "(a collapsed generator?); pass an explicit bandwidth instead")
    return sigma * len(x) ** (-0.2)


def kde_1d(samples, x_grid, *, bandwidth=None, block_size: int = 4096) -> np.ndarray:
    """Gaussian kernel density estimate of 1-D samples, evaluated on a grid.

    Formula::

        p̂(x) = 1 / (N h) · Σ_i φ((x - x_i) / h),   φ(u) = exp(-u² / 2) / √(2π)

    It integrates to 1 over the real line (a grid only sees the part of the mass it covers).

    Args:
      samples: ``(N,)`` or ``(N, 1)`` samples ``x_i`` (e.g. a 1-D generator's output).
      x_grid: ``(G,)`` points where the density is evaluated.
      bandwidth: kernel width ``h > 0``; default :func:`scott_bandwidth` (as
        ``scipy.stats.gaussian_kde``).
      block_size: samples processed at once (bounds memory at ``G × block_size`` floats).

    Returns:
      float64 ``(G,)`` density values ``>= 0``.
    """
    x = _samples_1d(samples, "samples")
    grid = _grid(x_grid)
    h = scott_bandwidth(x) if bandwidth is None else _positive_float(bandwidth, "bandwidth")
    block_size = check_positive_int(block_size, "block_size")
    total = np.zeros_like(grid)
    for start in range(0, len(x), block_size):
        u = (grid[:, None] - x[None, start:start + block_size]) / h
        total += np.exp(-0.5 * u * u).sum(axis=1)
    return total / (len(x) * h * np.sqrt(2.0 * np.pi))


class DensityView1D(NamedTuple):
    """Everything of the Goodfellow et al. (2014, Fig. 1) picture on one grid.

    Attributes:
      x: ``(G,)`` grid.
      p_data: ``(G,)`` data density (exact).
      p_g: ``(G,)`` generator density (KDE of its samples).
      d_star: ``(G,)`` optimal discriminator ``p_data / (p_data + p_g)`` for this ``p_g``.
      d: ``(G,)`` the trained discriminator ``D(x)``, or ``None``.
      samples: ``(N,)`` the generated samples ``p_g`` was estimated from.
    """

    x: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    d_star: np.ndarray
    d: np.ndarray | None
    samples: np.ndarray


def density_view_1d(data_distribution, gen_samples, x_grid, *, d_values=None, bandwidth=None) -> DensityView1D:
    """``p_data``, the generator's estimated ``p_g``, ``D*`` and (optionally) ``D`` on one grid.

    Formulas::

        p_g(x)  = kde_1d(gen_samples)(x)                      (Gaussian KDE)
        D*(x)   = p_data(x) / (p_data(x) + p_g(x))            (Goodfellow et al. 2014, Prop. 1)

    ``D*`` is the best discriminator *against this generator*; comparing it with the trained
    ``D(x)`` shows how far the discriminator is from its own optimum. Where both densities are 0,
    ``D*`` is returned as 1/2 (see :func:`ganlib.losses.optimal_discriminator`).

    Args:
      data_distribution: an object with ``pdf(x)`` for ``(G, 1)`` points (e.g. a 1-D
        :class:`ganlib.data.GaussianMixture` from :func:`ganlib.data.mixture_1d`).
      gen_samples: ``(N,)`` or ``(N, 1)`` generated samples.
      x_grid: ``(G,)`` grid.
      d_values: optional ``(G,)`` discriminator probabilities ``D(x)`` in ``[0, 1]`` on the grid
        (e.g. ``gan.discriminate(x_grid[:, None])``).
      bandwidth: KDE bandwidth (default Scott's rule).

    Returns:
      :class:`DensityView1D`.
    """
    from ..losses import optimal_discriminator

    if not callable(getattr(data_distribution, "pdf", None)):
        raise TypeError(
            f"data_distribution: expected an object with a pdf(x) method (e.g. ganlib.data.mixture_1d()), "
            f"got {type(data_distribution).__name__}"
        )
    samples = _samples_1d(gen_samples, "gen_samples", min_samples=2)
    grid = _grid(x_grid)
    d = None if d_values is None else _on_grid(d_values, "d_values", len(grid), (0.0, 1.0))
    p_data = np.asarray(data_distribution.pdf(grid[:, None]), dtype=np.float64).reshape(-1)
    p_g = kde_1d(samples, grid, bandwidth=bandwidth)
    return DensityView1D(grid, p_data, p_g, optimal_discriminator(p_data, p_g), d, samples)


# --------------------------------------------------------------------------------------------
# the discriminator as a density-ratio estimator
# --------------------------------------------------------------------------------------------


def discriminator_log_odds(d_values, *, eps: float = 1e-15) -> np.ndarray:
    """Log-odds of a discriminator's probabilities: ``log(D / (1 - D))``, i.e. its logit.

    At the optimum ``D = D*`` this equals the log density ratio ``log(p_data / p_g)``.
    Probabilities are clipped to ``[eps, 1 - eps]`` first, so ``D = 1`` (the discriminator is
    certain: no generated sample nearby) gives a large finite value ``log((1 - eps) / eps)``.

    Args:
      d_values: probabilities ``D(x)`` in ``[0, 1]``, any shape.
      eps: clipping margin in ``(0, 0.5)``.

    Returns:
      float64 array of the same shape.
    """
    d = as_array(d_values, "d_values", value_range=(0.0, 1.0)).astype(np.float64)
    eps = _positive_float(eps, "eps")
    if eps >= 0.5:
        raise ValueError(f"eps: expected a number in (0, 0.5), got {eps}")
    d = np.clip(d, eps, 1.0 - eps)
    return np.log(d) - np.log1p(-d)


def density_ratio_comparison(d_values, p_data, p_g, *, min_density: float = 0.05) -> dict:
    """Compare a discriminator's log-odds with the true log density ratio on a grid.

    The optimal discriminator satisfies ``D*/(1 - D*) = p_data / p_g``, so a good discriminator
    is a density-ratio estimator. The comparison is only meaningful where *both* densities are
    present: the grid points with ``p_data >= min_density`` and ``p_g >= min_density`` (the
    *common support*). Where ``p_g ≈ 0 < p_data`` the ratio is infinite and ``D`` saturates at 1.

    Formulas::

        log_odds  = log(D / (1 - D))            (clipped, see discriminator_log_odds)
        log_ratio = log(p_data / p_g)           (NaN where either density is 0)
        error     = |log_odds - log_ratio|      (on the common support)

    Args:
      d_values: ``(G,)`` probabilities ``D(x)`` in ``[0, 1]``.
      p_data, p_g: ``(G,)`` non-negative densities on the same grid.
      min_density: threshold ``> 0`` defining the common support.

    Returns:
      dict with ``"log_odds"`` ``(G,)``, ``"log_ratio"`` ``(G,)``, ``"support"`` ``(G,)`` bool,
      ``"n_support"`` (int), ``"median_abs_error"`` and ``"max_abs_error"`` (floats over the
      common support; NaN if it is empty).
    """
    d = as_array(d_values, "d_values", ndim=1, min_samples=1, value_range=(0.0, 1.0)).astype(np.float64)
    p = _on_grid(p_data, "p_data", len(d), (0.0, np.inf))
    q = _on_grid(p_g, "p_g", len(d), (0.0, np.inf))
    min_density = _positive_float(min_density, "min_density")
    log_odds = discriminator_log_odds(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where((p > 0) & (q > 0), np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(q > 0, q, 1.0)), np.nan)
    support = (p >= min_density) & (q >= min_density)
    err = np.abs(log_odds - log_ratio)[support]
    return {
        "log_odds": log_odds,
        "log_ratio": log_ratio,
        "support": support,
        "n_support": int(support.sum()),
        "median_abs_error": float(np.median(err)) if err.size else float("nan"),
        "max_abs_error": float(np.max(err)) if err.size else float("nan"),
    }


# --------------------------------------------------------------------------------------------
# training movies
# --------------------------------------------------------------------------------------------


class TrainingMovie(keras.callbacks.Callback):
    """Keras callback: snapshots of a toy GAN before training and every ``every`` epochs.

    Each snapshot stores the generator step (``g_optimizer.iterations``), ``n_samples``
    generated points from a *fixed* noise seed (so successive frames move the same latent
    codes) and, if ``x_grid`` is given, the discriminator's probabilities ``D(x)`` on it.

    Args:
      every: epochs between snapshots (int >= 1); the last epoch is always recorded.
      n_samples: generated points per snapshot (int >= 1).
      x_grid: optional ``(G,)`` (1-D data) or ``(G, d)`` grid for ``D(x)``.
      seed: noise seed of the generated points.

    Attributes (one entry per snapshot, in order):
      epochs: list of completed epochs (0 = before training).
      steps: list of generator steps done.
      samples: list of float32 ``(n_samples, d)`` arrays.
      d_values: list of float64 ``(G,)`` arrays (empty without ``x_grid``).
    """

    def __init__(self, *, every: int = 1, n_samples: int = 2000, x_grid=None, seed: int = 1234):
        super().__init__()
        self.every = check_positive_int(every, "every")
        self.n_samples = check_positive_int(n_samples, "n_samples")
        self.seed = check_positive_int(seed, "seed", minimum=0)
        if x_grid is None:
            self.x_grid = None
        else:
            grid = as_array(x_grid, "x_grid", ndim=(1, 2), min_samples=1)
            self.x_grid = (grid[:, None] if grid.ndim == 1 else grid).astype(np.float32)
        self.epochs: list[int] = []
        self.steps: list[int] = []
        self.samples: list[np.ndarray] = []
        self.d_values: list[np.ndarray] = []

    def snapshot(self, epochs_done: int) -> None:
        """Record the model's current state as a frame labelled ``epochs_done``."""
        from ..training import optimizer_steps

        gan = self.model
        self.epochs.append(int(epochs_done))
        self.steps.append(int(optimizer_steps(gan.g_optimizer).numpy()))
        self.samples.append(gan.generate(self.n_samples, seed=self.seed, batch_size=max(500, self.n_samples)))
        if self.x_grid is not None:
            self.d_values.append(gan.discriminate(self.x_grid, batch_size=max(500, len(self.x_grid))).astype(np.float64))

    def on_train_begin(self, logs=None):
        start = int((self.params or {}).get("initial_epoch", 0) or 0)
        if start not in self.epochs:
            self.snapshot(start)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        last = bool(self.params) and done == self.params.get("epochs")
        if done % self.every == 0 or last:
            self.snapshot(done)

    def __len__(self) -> int:
        return len(self.epochs)

    def frame(self, step: int) -> int:
        """Index of the snapshot whose generator step is closest to ``step``."""
        if not self.steps:
            raise ValueError("step: the movie has no snapshots yet (train first)")
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"step: expected an integer number of steps, got {type(step).__name__} {step!r}")
        return int(np.argmin(np.abs(np.asarray(self.steps) - int(step))))


def train_with_movie(gan, x, *, epochs: int, batch_size: int, every: int = 1, n_samples: int = 2000,
                     x_grid=None, seed: int = 0, steps_per_epoch: int | None = None, verbose="auto"):
    """Train a toy GAN with :func:`ganlib.train` and record a :class:`TrainingMovie`.

    Training runs ``epochs × steps_per_epoch`` generator steps (``steps_per_epoch`` defaults to
    ``len(x) // batch_size``); a snapshot is taken before training and after every ``every``-th
    epoch. For a movie of ``F`` frames over ``T`` steps choose ``every ≈ epochs / F``.

    Args:
      gan: a compiled :class:`ganlib.GAN` (e.g. ``ganlib.make_gan("toy", data_dim=1)``).
      x: ``(N, d)`` training points.
      epochs, batch_size, seed, steps_per_epoch, verbose: passed to :func:`ganlib.train`.
      every, n_samples, x_grid: passed to :class:`TrainingMovie` (its noise seed is ``seed + 1234``).

    Returns:
      ``(history, movie)``: the ``keras.callbacks.History`` (per-epoch means of ``d_loss``,
      ``g_loss``, ``d_real``, ``d_fake``) and the :class:`TrainingMovie`.
    """
    from ..training import train

    seed = check_positive_int(seed, "seed", minimum=0)
    movie = TrainingMovie(every=every, n_samples=n_samples, x_grid=x_grid, seed=seed + 1234)
    history = train(gan, x, epochs=epochs, batch_size=batch_size, seed=seed, callbacks=[movie],
                    verbose=verbose, steps_per_epoch=steps_per_epoch)
    return history, movie


# --------------------------------------------------------------------------------------------
# a discriminator alone
# --------------------------------------------------------------------------------------------


def fit_discriminator(real, fake, *, steps: int, batch_size: int = 256, learning_rate: float = 1e-3,
                      beta_1: float = 0.9, seed: int = 0):
    """Train a fresh toy discriminator to tell ``real`` from ``fake`` (the generator held fixed).

    Minimises the GAN discriminator loss (:func:`ganlib.losses.discriminator_loss`)::

        L_D = -E_real[log D(x)] - E_fake[log(1 - D(x))]

    with Adam for ``steps`` minibatch steps (``batch_size`` real and ``batch_size`` fake points
    per step, drawn with replacement). To train it the way the discriminator of a GAN from
    :func:`ganlib.make_gan` is trained, pass that GAN's Adam settings (``make_gan``'s default is
    ``beta_1=0.5``; the default here is Keras' own, ``beta_1=0.9``). Its minimiser over all
    functions is ``D*(x) = p_real / (p_real + p_fake)``, so with enough data and capacity
    ``D / (1 - D)`` estimates the density ratio ``p_real / p_fake``.

    Args:
      real: ``(N, d)`` samples of one distribution (``(N,)`` is accepted for ``d = 1``).
      fake: ``(M, d)`` samples of the other.
      steps: optimisation steps (int >= 1).
      batch_size: points per class per step (int >= 1).
      learning_rate: Adam learning rate (> 0).
      beta_1: Adam's decay rate of the first-moment estimate, in ``[0, 1)``.
      seed: seed of the initial weights and the minibatch draws.

    Returns:
      The trained ``keras.Model`` (:func:`ganlib.models.toy_discriminator`) returning logits;
      use :func:`discriminator_probability` for ``D(x)``.
    """
    import tensorflow as tf

    from ..losses import discriminator_loss
    from ..models import toy_discriminator

    xr = as_array(real, "real", ndim=(1, 2), min_samples=1)
    xf = as_array(fake, "fake", ndim=(1, 2), min_samples=1)
    xr = (xr[:, None] if xr.ndim == 1 else xr).astype(np.float32)
    xf = (xf[:, None] if xf.ndim == 1 else xf).astype(np.float32)
    if xr.shape[1] != xf.shape[1]:
        raise ValueError(f"real and fake: expected the same dimension d, got {xr.shape[1]} and {xf.shape[1]}")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    learning_rate = _positive_float(learning_rate, "learning_rate")
    beta_1 = check_float(beta_1, "beta_1", minimum=0.0, maximum=1.0, inclusive=(True, False))
    seed = check_positive_int(seed, "seed", minimum=0)

    keras.utils.set_random_seed(seed)
    model = toy_discriminator(data_dim=xr.shape[1])
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
    xr_t, xf_t = tf.constant(xr), tf.constant(xf)
    n_r, n_f = xr.shape[0], xf.shape[0]

    @tf.function
    def step(counter):
        seed_pair = tf.stack([tf.constant(seed, tf.int64), tf.cast(counter, tf.int64)])
        idx_r = tf.random.stateless_uniform([batch_size], seed=seed_pair, maxval=n_r, dtype=tf.int64)
        idx_f = tf.random.stateless_uniform([batch_size], seed=seed_pair + [0, 1_000_003], maxval=n_f, dtype=tf.int64)
        with tf.GradientTape() as tape:
            loss = discriminator_loss(model(tf.gather(xr_t, idx_r), training=True),
                                      model(tf.gather(xf_t, idx_f), training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    for i in range(steps):
        step(tf.constant(i, tf.int64))
    return model


def discriminator_probability(discriminator, x, *, batch_size: int = 1000) -> np.ndarray:
    """``D(x) = sigmoid(logit(x))`` of a logit-returning discriminator: float64 ``(n,)``.

    Args:
      discriminator: a callable (e.g. a ``keras.Model``) mapping ``(B, d)`` float32 points to
        logits ``(B, 1)`` or ``(B,)``.
      x: ``(n, d)`` points (``(n,)`` is accepted for ``d = 1``).
      batch_size: points per call.
    """
    if not callable(discriminator):
        raise TypeError(f"discriminator: expected a callable returning logits, got {type(discriminator).__name__}")
    pts = as_array(x, "x", ndim=(1, 2), min_samples=1)
    pts = (pts[:, None] if pts.ndim == 1 else pts).astype(np.float32)
    batch_size = check_positive_int(batch_size, "batch_size")
    logits = []
    for start in range(0, len(pts), batch_size):
        out = discriminator(pts[start:start + batch_size])
        logits.append(np.asarray(out, dtype=np.float64).reshape(-1))
    z = np.concatenate(logits)
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # sigmoid without overflow warnings


def discriminator_accuracy(d_real, d_fake, *, threshold: float = 0.5) -> float:
    """Balanced accuracy of a discriminator used as a real-vs-generated classifier.

    Formula (real samples should get ``D > t``, generated ones ``D <= t``)::

        acc = 1/2 · mean_i 1[D(x_i) > t]  +  1/2 · mean_j 1[D(G(z_j)) <= t]

    This is the statistic of a classifier two-sample test (:func:`ganlib.metrics.c2st`): 1/2
    when the classifier cannot tell the samples apart, and at most ``1/2 + TV(p_data, p_g)/2``
    for any classifier (the Bayes rule ``D*`` attains it).

    Args:
      d_real: ``(N,)`` probabilities ``D(x)`` on real samples, in ``[0, 1]``.
      d_fake: ``(M,)`` probabilities on generated samples, in ``[0, 1]``.
      threshold: ``t`` in ``[0, 1]``.

    Returns:
      Python float in ``[0, 1]``.
    """
    from ..validation import check_probability

    dr = as_array(d_real, "d_real", ndim=1, min_samples=1, value_range=(0.0, 1.0))
    df = as_array(d_fake, "d_fake", ndim=1, min_samples=1, value_range=(0.0, 1.0))
    t = check_probability(threshold, "threshold")
    return float(0.5 * np.mean(dr > t) + 0.5 * np.mean(df <= t))


# --------------------------------------------------------------------------------------------
# figures: small multiples of snapshots, training curves
# --------------------------------------------------------------------------------------------


def _check_titles(titles, n: int):
    if titles is None:
        return [None] * n
    if isinstance(titles, str) or not hasattr(titles, "__len__"):
        raise TypeError(f"titles: expected a list of {n} strings, got {type(titles).__name__}")
    if len(titles) != n:
        raise ValueError(f"titles: expected {n} titles (one per panel), got {len(titles)}")
    return list(titles)


def _panel_grid(n: int, ncols: int, width: float, height: float):
    import matplotlib.pyplot as plt

    ncols = min(check_positive_int(ncols, "ncols"), n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained",
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, list(axes.ravel()[:n])


def density_panels_1d(views, *, titles=None, ncols: int = 2, show_d_star: bool = True):
    """Small multiples of :class:`DensityView1D` (Goodfellow et al. 2014, Fig. 1 style).

    Each panel shows ``p_data`` (dashed), the generator's ``p_g`` (KDE), the trained ``D(x)``
    and, with ``show_d_star``, the optimal ``D*(x)`` on a right-hand axis in ``[0, 1]``
    (drawn with :func:`ganlib.plots.plot_density_1d`).

    Args:
      views: a non-empty list of :class:`DensityView1D`.
      titles: optional list of panel titles (one per view).
      ncols: panels per row.
      show_d_star: also draw ``D*``.

    Returns:
      A ``matplotlib.figure.Figure`` with one visible main axes per view.
    """
    from ..plots import plot_density_1d

    if not isinstance(views, (list, tuple)) or not views:
        raise TypeError("views: expected a non-empty list of DensityView1D")
    for i, v in enumerate(views):
        if not isinstance(v, DensityView1D):
            raise TypeError(f"views[{i}]: expected a DensityView1D, got {type(v).__name__}")
    titles = _check_titles(titles, len(views))
    fig, axes = _panel_grid(len(views), ncols, 5.2, 3.4)
    for ax, v, title in zip(axes, views, titles):
        plot_density_1d(v.x, p_data=v.p_data, p_g=v.p_g, d_values=v.d,
                        d_star=v.d_star if show_d_star else None, ax=ax, title=title)
    return fig


def sample_panels_2d(sample_sets, *, real=None, means=None, titles=None, ncols: int = 4, lim=None,
                     max_points: int = 1000):
    """Small multiples of 2-D generated samples (e.g. frames of a :class:`TrainingMovie`).

    Args:
      sample_sets: a non-empty list of ``(M, 2)`` arrays of generated points.
      real: optional ``(N, 2)`` data points drawn in grey in every panel.
      means: optional ``(K, 2)`` mode centres (black crosses).
      titles: optional list of panel titles.
      ncols: panels per row.
      lim: axis limits (see :func:`ganlib.plots.plot_samples_2d`).
      max_points: points drawn per set and panel.

    Returns:
      A ``matplotlib.figure.Figure``.
    """
    from ..plots import plot_samples_2d

    if not isinstance(sample_sets, (list, tuple)) or not sample_sets:
        raise TypeError("sample_sets: expected a non-empty list of (M, 2) arrays")
    titles = _check_titles(titles, len(sample_sets))
    fig, axes = _panel_grid(len(sample_sets), ncols, 3.2, 3.2)
    for i, (ax, pts, title) in enumerate(zip(axes, sample_sets, titles)):
        pts = as_array(pts, f"sample_sets[{i}]", shape=(None, 2), min_samples=1)
        plot_samples_2d(real, pts, means=means, ax=ax, title=title, lim=lim, max_points=max_points)
        if i:
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
    return fig


def dynamics_figure(history, *, steps_per_epoch: int, frame_steps=None, curves=None, references=None,
                    loss_references=None):
    """Training curves of a GAN in one row of panels, all against the generator step.

    Panel 1: the per-epoch means of ``d_loss`` and ``g_loss`` from ``history`` (x = epochs done
    × ``steps_per_epoch``), with dashed horizontal lines at ``loss_references`` (e.g. the
    equilibrium values ``{"log 4": log 4, "log 2": log 2}``). One more panel per entry of
    ``curves`` (x = ``frame_steps``), with an optional dashed line at ``references[name]``.

    Args:
      history: a ``keras.callbacks.History`` or dict with ``"d_loss"`` and ``"g_loss"`` lists.
      steps_per_epoch: generator steps per epoch (int >= 1).
      frame_steps: ``(F,)`` generator steps of the curve values (needed with ``curves``).
      curves: optional dict name -> ``(F,)`` values (e.g. a metric per snapshot).
      references: optional dict name -> number; name must be a key of ``curves``.
      loss_references: optional dict label -> number for the loss panel.

    Returns:
      A ``matplotlib.figure.Figure`` with ``1 + len(curves)`` axes.
    """
    import pandas as pd

    from ..plots import plot_losses, plot_metric_curves

    data = getattr(history, "history", history)
    if not hasattr(data, "get") or data.get("d_loss") is None or data.get("g_loss") is None:
        raise TypeError("history: expected a keras History or dict with 'd_loss' and 'g_loss' lists")
    steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
    d_loss = as_array(data["d_loss"], "history['d_loss']", ndim=1, min_samples=1, finite=False)
    g_loss = as_array(data["g_loss"], "history['g_loss']", ndim=1, min_samples=1, finite=False)
    if len(d_loss) != len(g_loss):
        raise ValueError(f"history: expected as many d_loss as g_loss values, got {len(d_loss)} and {len(g_loss)}")
    curves = dict(curves or {})
    references = dict(references or {})
    unknown = [k for k in references if k not in curves]
    if unknown:
        raise ValueError(f"references: keys {unknown} are not curve names; curves: {list(curves)}")
    if curves:
        x = as_array(frame_steps, "frame_steps", ndim=1, min_samples=1)
    fig, axes = _panel_grid(1 + len(curves), 1 + len(curves), 4.2, 3.2)
    index = pd.Index((np.arange(len(d_loss)) + 1) * steps_per_epoch, name="generator step")
    plot_losses(pd.DataFrame({"d_loss": d_loss, "g_loss": g_loss}, index=index), ax=axes[0],
                title="losses (per-epoch means)")
    for label, value in (loss_references or {}).items():
        axes[0].axhline(float(value), color="0.3", linestyle="--", linewidth=1.0)
        axes[0].annotate(str(label), (index[-1], float(value)), textcoords="offset points", xytext=(-4, 3),
                         ha="right", fontsize=8, color="0.3")
    for ax, (name, values) in zip(axes[1:], curves.items()):
        plot_metric_curves(x, {name: values}, xlabel="generator step", ax=ax, title=name)
        if name in references:
            ax.axhline(float(references[name]), color="0.3", linestyle="--", linewidth=1.0, label="target")
            ax.legend()
    return fig


def density_ratio_figure(x_grid, d_values, p_data, p_g, *, log_ratio=None, min_density: float = 0.05,
                         ylim=(-4.0, 12.0)):
    """Two panels: the densities with ``D`` and ``D*``, and ``log D/(1-D)`` against ``log p_data/p_g``.

    Left: :func:`ganlib.plots.plot_density_1d` with ``p_data``, ``p_g``, ``D(x)`` and
    ``D*(x) = p_data / (p_data + p_g)``. Right: the discriminator's log-odds
    (:func:`discriminator_log_odds`) and the true log density ratio, with the common support
    (both densities ``>= min_density``) shaded; the y axis is clipped to ``ylim`` because the
    true ratio grows without bound where ``p_g -> 0``.

    Args:
      x_grid: ``(G,)`` grid; d_values: ``(G,)`` probabilities ``D(x)``.
      p_data, p_g: ``(G,)`` non-negative densities on the grid.
      log_ratio: optional ``(G,)`` finite ``log p_data - log p_g`` (e.g. from exact log-densities,
        which stay finite where the densities underflow); default computed from ``p_data, p_g``
        (and only drawn where both are > 0).
      min_density: threshold of the shaded common support.
      ylim: ``(low, high)`` limits of the right panel.

    Returns:
      A ``matplotlib.figure.Figure`` with the two main axes (plus the left panel's twin axis).
    """
    from ..losses import optimal_discriminator
    from ..plots import COLORS, STYLE, plot_density_1d

    import matplotlib as mpl

    grid = as_array(x_grid, "x_grid", ndim=1, min_samples=2).astype(np.float64)
    g = len(grid)
    d = _on_grid(d_values, "d_values", g, (0.0, 1.0))
    p = _on_grid(p_data, "p_data", g, (0.0, np.inf))
    q = _on_grid(p_g, "p_g", g, (0.0, np.inf))
    comparison = density_ratio_comparison(d, p, q, min_density=min_density)
    if log_ratio is None:
        log_ratio = comparison["log_ratio"]
    else:
        log_ratio = _on_grid(log_ratio, "log_ratio", g)
    lo, hi = as_array(ylim, "ylim", shape=(2,))
    if not lo < hi:
        raise ValueError(f"ylim: expected low < high, got {(float(lo), float(hi))}")
    fig, axes = _panel_grid(2, 2, 5.2, 3.4)
    plot_density_1d(grid, p_data=p, p_g=q, d_values=d, d_star=optimal_discriminator(p, q), ax=axes[0],
                    title="densities and discriminators")
    with mpl.rc_context(STYLE):
        ax = axes[1]
        support = comparison["support"]
        ax.fill_between(grid, lo, hi, where=support, color="0.9", linewidth=0, label="common support")
        ax.plot(grid, log_ratio, "--", color=COLORS["data_density"], label=r"$\log p_{\mathrm{data}}/p_g$")
        ax.plot(grid, comparison["log_odds"], "-", color=COLORS["discriminator"], label=r"$\log D/(1-D)$")
        ax.set_ylim(float(lo), float(hi))
        ax.set_xlim(float(grid.min()), float(grid.max()))
        ax.set_xlabel("x")
        ax.set_ylabel("log ratio")
        ax.set_title("the discriminator estimates the density ratio")
        ax.legend(loc="upper right")
    return fig
