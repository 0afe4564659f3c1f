"""Side-by-side comparisons of generative models: quality, cost and the course of training.

Chapter 7 answers "GAN or VAE?", "which architecture?" and "how do I evaluate a GAN?" with
measurements instead of opinions. The logic behind those measurements lives here:

* :func:`compare_generators` — one table row per model: generate ``n`` images, extract features
  with the same network, compute :func:`ganlib.metrics.metric_suite` (FID, KID, precision,
  recall, density, coverage and, with a classifier, the classifier score; columns named by the
  suite's keys, :data:`ganlib.metrics.METRIC_KEYS`), and append any measured extras (seconds per
  epoch, parameter counts);
* :func:`metrics_over_training` — the same metrics for snapshots taken during training, next to
  the training losses at those epochs (to see whether the losses track quality);
* :func:`grey_pixel_fraction` — a direct blur measure: MNIST digits are almost black and
  white, so a high share of grey pixels means blurry samples;
* :class:`EpochTimer` and :func:`seconds_per_epoch` — wall-clock time per training epoch,
  measured after a warm-up epoch (the first epoch also traces and compiles the graph), with the
  training steps the epoch actually ran (:class:`EpochTiming`);
* :func:`stack_runs`, :func:`spread`, :func:`spread_table`, :func:`plot_runs` — the same table
  over several training seeds, summarised and drawn (tables and panels show the readable labels
  of :data:`ganlib.metrics.suite.METRIC_LABELS`, e.g. "FID" for the key ``"fid"``).

Images follow ganlib's convention (``float32`` ``(N, 28, 28, 1)`` in ``[0, 1]``); metrics are
computed on features of a fixed extractor (e.g. :func:`ganlib.models.feature_extractor` of
the MNIST classifier), so every model is judged by the same yardstick.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

import keras

from ..validation import as_array, check_callable, check_mapping, check_positive_int, check_seed

__all__ = [
    "compare_generators",
    "metrics_over_training",
    "EpochTimer",
    "EpochTiming",
    "seconds_per_epoch",
    "grey_pixel_fraction",
    "mlp_discriminator_dcgan_style",
    "train_gan_of",
    "stack_runs",
    "spread",
    "spread_table",
    "plot_runs",
]

#: The metric families of :func:`ganlib.metrics.metric_suite` that :func:`compare_generators`
#: computes for every model (plus ``"classifier_score"`` when a classifier is given).
_SUITE_FAMILIES = ("fid", "kid", "prdc")


def _suite_config(classifier, nearest_k, n_kid_subsets, kid_subset_size, seed):
    """The :class:`ganlib.metrics.SuiteConfig` of one table: the suite's defaults, except what is given."""
    from ..metrics import SuiteConfig

    settings = {"nearest_k": nearest_k, "n_kid_subsets": n_kid_subsets, "kid_subset_size": kid_subset_size,
                "seed": seed}
    include = _SUITE_FAMILIES + (("classifier_score",) if classifier is not None else ())
    return SuiteConfig(include=include, **{k: v for k, v in settings.items() if v is not None})


def _samples(source, n, name: str, image_shape) -> np.ndarray:
    """Images from a generator callable ``source(n)`` or an array (its first ``n`` rows)."""
    if callable(source):
        if n is None:
            raise ValueError(f"n: expected the number of images to generate with {name}, got None")
        images = source(n)
        what = f"{name}(n)"
    else:
        images = source
        what = name
    images = as_array(images, what, min_samples=1, value_range=(0.0, 1.0))
    if images.shape[1:] != tuple(image_shape):
        raise ValueError(f"{what}: expected images of shape (N, {', '.join(map(str, image_shape))}) like "
                         f"real_images, got shape {images.shape}")
    if n is not None:
        if images.shape[0] < n:
            raise ValueError(f"{what}: expected at least n = {n} images, got {images.shape[0]}")
        images = images[:n]
    return images.astype(np.float32, copy=False)


def compare_generators(generators, real_images, extractor, classifier=None, *, n: int | None = None,
                       seed: int | None = None, nearest_k: int | None = None, n_kid_subsets: int | None = None,
                       kid_subset_size: int | None = None, extra=None, batch_size: int = 256):
    """One row per model: sample-quality metrics against the same real images and features.

    For each ``name, source`` in ``generators``: ``images = source(n)`` (a callable, e.g.
    ``lambda n: gan.generate(n, seed=1)``) or the first ``n`` rows of an array (e.g. held-out
    real images as a reference row, or stored snapshots); ``f = extractor(images)``; then
    :func:`ganlib.metrics.metric_suite` ``(extractor(real_images), f)`` with the families
    ``fid``, ``kid`` and ``prdc`` and, with a ``classifier``, ``classifier_score``
    ``exp(E_x KL(p(y|x) ‖ p(y)))`` of ``fake_probs = softmax(classifier(images))``
    (:func:`ganlib.metrics.class_probabilities`, one split). The real features are extracted
    once. Settings left at ``None`` are the suite's defaults (:class:`ganlib.metrics.SuiteConfig`).

    Args:
      generators: ``dict`` name -> callable ``n -> images (n, *image_shape)`` or array of images
        ``(M, *image_shape)``, values in ``[0, 1]``.
      real_images: ``(N, 28, 28, 1)`` float in ``[0, 1]``, ``N > nearest_k`` (use as many real
        images as generated ones: FID's bias depends on the sample sizes).
      extractor: ``keras.Model`` or callable ``(B, *image_shape) -> (B, d)`` features.
      classifier: optional logits classifier ``(B, *image_shape) -> (B, C)``; adds the
        ``"classifier_score"`` column (in [1, C]).
      n: images per model (int >= 2); ``None`` uses every row of array sources (callables then
        need ``n``).
      seed: seed of the KID subsets (int >= 0).
      nearest_k, n_kid_subsets, kid_subset_size: k of the PRDC k-NN radii; KID subsets and rows
        per subset (see :func:`ganlib.metrics.metric_suite`; when ``N = M <= kid_subset_size``
        :func:`ganlib.metrics.kid` computes the estimate once and ``kid_std`` is 0).
      extra: optional ``dict`` name -> ``dict`` column -> value appended as further columns
        (e.g. ``{"DCGAN": {"s/epoch": 12.3, "parameters": 2_300_000}}``); names must be keys
        of ``generators``; missing cells are NaN.
      batch_size: images per extractor/classifier call.

    Returns:
      ``pandas.DataFrame`` indexed by model name with the suite's keys as columns, in the order
      of :data:`ganlib.metrics.METRIC_KEYS` (``fid``, ``kid``, ``kid_std``, ``precision``,
      ``recall``, ``density``, ``coverage``, then ``classifier_score`` if a classifier is given),
      then the ``extra`` columns (first-seen order). Values are unrounded floats.
    """
    import pandas as pd

    from .. import metrics

    generators = check_mapping(generators, "generators", what="callable n -> images (or an array of images)")
    real = as_array(real_images, "real_images", min_samples=2, value_range=(0.0, 1.0))
    if real.ndim < 2:
        raise ValueError(f"real_images: expected an array (N, ...) of images, got shape {real.shape}")
    real = real.astype(np.float32, copy=False)
    check_callable(extractor, "extractor")
    if classifier is not None:
        check_callable(classifier, "classifier")
    if n is not None:
        n = check_positive_int(n, "n", minimum=2)
    config = _suite_config(classifier, nearest_k, n_kid_subsets, kid_subset_size, seed)
    batch_size = check_positive_int(batch_size, "batch_size")
    if extra is not None:
        if not isinstance(extra, Mapping):
            raise TypeError(f"extra: expected a dict of name -> dict of column -> value, got {type(extra).__name__}")
        for key, row in extra.items():
            if key not in generators:
                raise ValueError(f"extra: key {key!r} is not a name in generators {list(generators)}")
            if not isinstance(row, Mapping):
                raise TypeError(f"extra[{key!r}]: expected a dict of column -> value, got {type(row).__name__}")
    for key, source in generators.items():
        if not callable(source) and (source is None or isinstance(source, (str, bytes, Mapping))):
            raise TypeError(f"generators[{key!r}]: expected a callable n -> images or an array of images, "
                            f"got {type(source).__name__}")

    real_features = metrics.extract_features(real, extractor, batch_size=batch_size)
    rows = {}
    for key, source in generators.items():
        images = _samples(source, n, f"generators[{key!r}]", real.shape[1:])
        fake_features = metrics.extract_features(images, extractor, batch_size=batch_size)
        fake_probs = (None if classifier is None
                      else metrics.class_probabilities(images, classifier, batch_size=batch_size))
        rows[key] = metrics.metric_suite(real_features, fake_features, fake_probs=fake_probs, config=config)
    table = pd.DataFrame.from_dict(rows, orient="index")
    if extra:
        columns = list(dict.fromkeys(c for r in extra.values() for c in r))
        for col in columns:
            table[col] = [extra.get(key, {}).get(col, np.nan) for key in table.index]
    table.index.name = "model"
    return table


def metrics_over_training(snapshots, real_images, extractor, history=None, *, nearest_k: int | None = None,
                          n_kid_subsets: int | None = None, kid_subset_size: int | None = None,
                          seed: int | None = None, batch_size: int = 256):
    """Sample-quality metrics of training snapshots next to the training logs at the same epochs.

    ``snapshots[e]`` holds images generated from fixed noise after ``e`` completed epochs
    (``e = 0``: before training), as kept by :class:`ganlib.callbacks.SampleGrid` and
    :func:`ganlib.book.zoo.trained_gan`. Row ``e`` holds :func:`compare_generators`' metrics of those images
    against ``real_images`` and, if ``history`` is given, ``history[key][e - 1]`` for every
    logged key (the mean of epoch ``e``; NaN for ``e = 0`` or an epoch not in the logs).

    Args:
      snapshots: ``dict`` int epoch (>= 0) -> images ``(M, *image_shape)`` in ``[0, 1]``.
      real_images: ``(N, *image_shape)`` in ``[0, 1]``.
      extractor: feature extractor (see :func:`compare_generators`).
      history: optional ``dict`` key -> per-epoch list (``TrainedGAN.history``) or a Keras
        ``History``.
      nearest_k, n_kid_subsets, kid_subset_size, seed, batch_size: see :func:`compare_generators`.

    Returns:
      ``pandas.DataFrame`` indexed by ``epoch`` (sorted) with the suite's keys as columns (as
      :func:`compare_generators` without a classifier), then one column per ``history`` key.
    """
    snapshots = check_mapping(snapshots, "snapshots", what="images", string_keys=False)
    for epoch in snapshots:
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"snapshots: expected integer epochs >= 0 as keys, got {epoch!r}")
    if history is not None:
        if hasattr(history, "history") and isinstance(history.history, Mapping):
            history = history.history
        if not isinstance(history, Mapping):
            raise TypeError(f"history: expected a dict of key -> per-epoch values or a keras History, "
                            f"got {type(history).__name__}")
    ordered = {str(int(e)): snapshots[e] for e in sorted(snapshots)}  # model names are strings
    table = compare_generators(ordered, real_images, extractor, n=None, seed=seed, nearest_k=nearest_k,
                               n_kid_subsets=n_kid_subsets, kid_subset_size=kid_subset_size,
                               batch_size=batch_size)
    table.index = table.index.astype(int)
    table.index.name = "epoch"
    if history is not None:
        for key, values in history.items():
            values = as_array(values, f"history[{key!r}]", ndim=1, finite=False)
            table[key] = [float(values[e - 1]) if 1 <= e <= len(values) else np.nan for e in table.index]
    return table


class EpochTimer(keras.callbacks.Callback):
    """Keras callback recording the wall-clock duration of every training epoch.

    ``durations[i] = clock() at the end of epoch i − clock() at its start`` in seconds. The
    first epoch of a fresh model also traces and compiles the training step, so
    :attr:`seconds_per_epoch` leaves it out when later epochs exist.

    Args:
      clock: a callable returning seconds (default ``time.perf_counter``; tests pass a fake).
    """

    def __init__(self, clock: Callable[[], float] | None = None):
        super().__init__()
        if clock is not None:
            check_callable(clock, "clock")
        self.clock = clock or time.perf_counter
        self.durations: list[float] = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = float(self.clock())

    def on_epoch_end(self, epoch, logs=None):
        self.durations.append(float(self.clock()) - self._start)

    @property
    def seconds_per_epoch(self) -> float:
        """Median duration of the epochs after the first (the only epoch's duration if just one)."""
        if not self.durations:
            raise ValueError("durations: no epoch has been timed yet")
        steady = self.durations[1:] or self.durations
        return float(np.median(steady))


@dataclass(frozen=True)
class EpochTiming:
    """What :func:`seconds_per_epoch` measured: time, steps and batch size of one training epoch.

    Attributes:
      seconds_per_epoch: median wall-clock seconds of the epochs after the first (warm-up) epoch.
      steps_per_epoch: training steps one epoch actually ran, read from the generator
        optimizer's step counter. :func:`ganlib.train` rounds the ``N // batch_size`` full
        batches up to a multiple of the GAN's ``steps_per_execution`` (the extra steps take their
        batches from the next shuffled pass), so this can exceed ``N // batch_size``.
      batch_size: images per step.
      parameters: parameters of the timed GAN (generator and discriminator), so a table can show
        which model was timed; ``None`` if not recorded.
    """

    seconds_per_epoch: float
    steps_per_epoch: int
    batch_size: int
    parameters: int | None = None

    @property
    def images_per_epoch(self) -> int:
        """Images one epoch trained on: ``steps_per_epoch · batch_size``."""
        return self.steps_per_epoch * self.batch_size


def seconds_per_epoch(architecture: str, x, *, batch_size: int, epochs: int = 2, seed: int = 0,
                      clock: Callable[[], float] | None = None, **gan_options) -> EpochTiming:
    """Measured wall-clock seconds per training epoch of a freshly built GAN, and its steps.

    Builds ``ganlib.make_gan(architecture, seed=seed, **gan_options)``, trains it on ``x`` for
    ``epochs`` epochs with :func:`ganlib.train` (no checkpoint, nothing cached) and returns an
    :class:`EpochTiming`: :attr:`EpochTimer.seconds_per_epoch`, the median epoch time after the
    first, warm-up epoch (which includes tracing and compilation), and the steps one epoch
    actually ran, counted by the generator optimizer. ``ganlib.train`` runs the
    ``N // batch_size`` full batches rounded up to a multiple of ``steps_per_execution``, so
    throughput is ``images/s = steps_per_epoch · batch_size / seconds_per_epoch``.

    Args:
      architecture: see :data:`ganlib.training.ARCHITECTURES`.
      x: training samples ``(N, ...)`` (e.g. ``(N, 28, 28, 1)`` in [0, 1]).
      batch_size: minibatch size (1 <= batch_size <= N).
      epochs: epochs to time (int >= 1; 2 or more to exclude the warm-up epoch).
      seed: seed of the model and the data order.
      clock: seconds clock for :class:`EpochTimer` (default ``time.perf_counter``).
      **gan_options: passed to :func:`ganlib.make_gan` (e.g. ``steps_per_execution``, or
        ``filters`` for the DCGAN's width: without it the default width is timed).

    Returns:
      :class:`EpochTiming` (seconds > 0 with a real clock). This is a measurement of *this* machine.
    """
    from ..training import ARCHITECTURES, make_gan, optimizer_steps, train
    from ..validation import check_choice

    check_choice(architecture, "architecture", ARCHITECTURES)
    x = as_array(x, "x", min_samples=1).astype(np.float32, copy=False)
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > len(x):
        raise ValueError(f"batch_size: expected at most the number of samples ({len(x)}), got {batch_size}")
    epochs = check_positive_int(epochs, "epochs")
    seed = check_seed(seed)
    if clock is not None:
        check_callable(clock, "clock")
    timer = EpochTimer(clock)
    gan = make_gan(architecture, seed=seed, **gan_options)
    before = int(optimizer_steps(gan.g_optimizer))
    train(gan, x, epochs=epochs, batch_size=batch_size, seed=seed, callbacks=[timer], verbose=0,
          guard_divergence=False)
    steps = (int(optimizer_steps(gan.g_optimizer)) - before) // epochs
    return EpochTiming(timer.seconds_per_epoch, steps, batch_size,
                       int(gan.generator.count_params() + gan.discriminator.count_params()))


def grey_pixel_fraction(images, *, low: float = 0.1, high: float = 0.9) -> float:
    """Fraction of pixel values strictly between ``low`` and ``high``: a blur measure for MNIST.

    ``grey = (1 / (N·P)) Σ_i Σ_p 1[low < x_ip < high]`` over ``N`` images of ``P`` pixels. Real
    MNIST digits are nearly binary (ink or background), so only their anti-aliased edges are
    grey; the mean image of a Bernoulli decoder, which averages over plausible strokes, has
    grey halos around its strokes and a higher value.

    Args:
      images: ``(N, ...)`` values in ``[0, 1]``, ``N >= 1``.
      low, high: thresholds with ``0 <= low < high <= 1``.

    Returns:
      A float in ``[0, 1]``.
    """
    x = as_array(images, "images", min_samples=1, value_range=(0.0, 1.0))
    for value, name in ((low, "low"), (high, "high")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}: expected a number in [0, 1], got {type(value).__name__} {value!r}")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{name}: expected a number in [0, 1], got {value}")
    if not low < high:
        raise ValueError(f"low: expected low < high = {high}, got {low}")
    return float(np.mean((x > low) & (x < high)))


# ---------------------------------------------------------------------- MLP vs DCGAN: the ablation


def mlp_discriminator_dcgan_style(hidden_units: int = 256, dropout: float = 0.3,
                                  name: str = "mlp_discriminator_dcgan_style") -> keras.Model:
    """The source's MLP discriminator with the DCGAN discriminator's non-linearity and dropout.

    ``Flatten -> Dense(hidden_units) -> LeakyReLU(0.3) -> Dropout(dropout) -> Dense(1)`` (a
    logit). It differs from :func:`ganlib.models.mlp_discriminator` (``Dense -> ReLU -> Dense``)
    only in the two choices the DCGAN discriminator makes after each convolution (LeakyReLU with
    slope 0.3, Keras's default, which the TensorFlow tutorial keeps; the DCGAN paper uses 0.2;
    and dropout 0.3), and has the same parameters (``784·h + h + h + 1``, 201,217 for
    ``h = 256``). Training an MLP GAN with it separates the effect of these choices from the
    effect of convolutions.

    Args:
      hidden_units: width of the hidden layer (int >= 1).
      dropout: dropout rate in ``[0, 1)`` (active in training only).
      name: model name.

    Returns:
      ``keras.Model``: images ``(B, 28, 28, 1)`` float32 -> logits ``(B, 1)`` float32.
    """
    from keras import layers

    from ..validation import check_float

    hidden_units = check_positive_int(hidden_units, "hidden_units")
    dropout = check_float(dropout, "dropout", minimum=0.0, maximum=1.0, inclusive=(True, False))
    image = keras.Input(shape=(28, 28, 1), dtype="float32", name="image")
    h = layers.Flatten(name="flatten")(image)
    h = layers.Dense(hidden_units, name="hidden")(h)
    h = layers.LeakyReLU(negative_slope=0.3, name="hidden_activation")(h)
    h = layers.Dropout(dropout, name="dropout")(h)
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(image, logit, name=name)


def train_gan_of(build_generator: Callable[[], keras.Model], build_discriminator: Callable[[], keras.Model],
                 x, *, epochs: int, batch_size: int, seed: int = 0, steps_per_execution: int = 1,
                 verbose="auto"):
    """Train a GAN made of any generator and discriminator, set up as :func:`ganlib.make_gan` does.

    Seeds Keras with ``seed``, builds ``build_generator()`` then ``build_discriminator()`` (in
    this order, as ``make_gan`` does, so a generator built by the same function starts from the
    same weights as in ``make_gan(..., seed=seed)``), wraps them in a :class:`ganlib.GAN` with
    the non-saturating loss and Adam(2e-4, β₁ = 0.5) for both players, and trains it with
    :func:`ganlib.train` (same data order and noise streams for a seed). Nothing is cached.

    Args:
      build_generator, build_discriminator: callables with no arguments returning a
        ``keras.Model`` (``z -> images``; ``images -> logits``).
      x: training images ``(N, 28, 28, 1)`` in ``[0, 1]``.
      epochs, batch_size, seed, steps_per_execution, verbose: as for :func:`ganlib.book.zoo.trained_gan`.

    Returns:
      :class:`ganlib.book.zoo.TrainedGAN` with no snapshots and ``cached=False``.
    """
    from ..training import GAN, train
    from ..validation import check_model
    from .zoo import TrainedGAN

    check_callable(build_generator, "build_generator")
    check_callable(build_discriminator, "build_discriminator")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    steps_per_execution = check_positive_int(steps_per_execution, "steps_per_execution")
    x = as_array(x, "x", min_samples=1, value_range=(0.0, 1.0)).astype(np.float32, copy=False)
    keras.utils.set_random_seed(seed)
    generator = check_model(build_generator(), "build_generator()")
    discriminator = check_model(build_discriminator(), "build_discriminator()")
    gan = GAN(generator, discriminator, loss="nonsaturating", seed=seed)
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), steps_per_execution=steps_per_execution)
    history = train(gan, x, epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose)
    return TrainedGAN(gan, history.history, {}, False)


# ---------------------------------------------------------------------- verdicts across seeds


def stack_runs(tables):
    """One metric table per seed -> one table with a row per ``(model, seed)``.

    Args:
      tables: ``dict`` seed (int >= 0) -> ``pandas.DataFrame`` indexed by model (e.g. from
        :func:`compare_generators`), all with the same columns.

    Returns:
      ``pandas.DataFrame`` with a ``(model, seed)`` MultiIndex, models in first-seen order and
      seeds ascending within each model; the columns of the tables.
    """
    import pandas as pd

    tables = check_mapping(tables, "tables", what="DataFrame", string_keys=False)
    columns = None
    for seed, table in tables.items():
        check_seed(seed, "tables key")
        if not isinstance(table, pd.DataFrame) or table.empty:
            raise TypeError(f"tables[{seed!r}]: expected a non-empty pandas.DataFrame, got {type(table).__name__}")
        if columns is None:
            columns = list(table.columns)
        elif list(table.columns) != columns:
            raise ValueError(f"tables[{seed!r}]: expected the columns {columns}, got {list(table.columns)}")
    models = list(dict.fromkeys(m for t in tables.values() for m in t.index))
    rows, index = [], []
    for model in models:
        for seed in sorted(tables):
            if model in tables[seed].index:
                rows.append(tables[seed].loc[model, columns].to_numpy(dtype=float))
                index.append((model, int(seed)))
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["model", "seed"]), columns=columns)


def spread(runs, columns=None):
    """Mean, standard deviation (``ddof = 1``), minimum and maximum over seeds, per model.

    Args:
      runs: a table from :func:`stack_runs` (index ``(model, seed)``).
      columns: the metric columns to summarise (default: all).

    Returns:
      ``pandas.DataFrame`` indexed by model (first-seen order) with MultiIndex columns
      ``(metric, stat)``, ``stat`` in ``("mean", "sd", "min", "max")``; ``sd`` is NaN for a model
      with a single run.
    """
    import pandas as pd

    runs = _runs_table(runs)
    columns = _metric_columns(runs, columns)
    models = list(dict.fromkeys(runs.index.get_level_values("model")))
    out = {}
    for col in columns:
        grouped = runs[col].groupby(level="model", sort=False)
        out[(col, "mean")] = grouped.mean()
        out[(col, "sd")] = grouped.std(ddof=1)
        out[(col, "min")] = grouped.min()
        out[(col, "max")] = grouped.max()
    table = pd.DataFrame(out).reindex(models)
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["metric", "stat"])
    table.index.name = "model"
    return table


def spread_table(runs, columns=None, *, precision: int = 3):
    """The :func:`spread` of each metric as one readable cell: ``"mean ± sd"``.

    A table for reading: each column is headed by the metric's label
    (:data:`ganlib.metrics.suite.METRIC_LABELS`, e.g. "FID" for ``"fid"``; other columns keep
    their names).

    Returns:
      ``pandas.DataFrame`` of strings indexed by model, one column per metric, e.g.
      ``"21.4 ± 3.1"`` (``"21.4"`` alone for a single run).
    """
    import pandas as pd

    from ..metrics.suite import METRIC_LABELS

    precision = check_positive_int(precision, "precision", minimum=0)
    summary = spread(runs, columns)
    cells = {}
    for col in dict.fromkeys(summary.columns.get_level_values("metric")):
        mean, sd = summary[(col, "mean")], summary[(col, "sd")]
        cells[METRIC_LABELS.get(col, col)] = [f"{m:.{precision}f}" + ("" if np.isnan(s) else f" ± {s:.{precision}f}")
                                              for m, s in zip(mean, sd)]
    return pd.DataFrame(cells, index=summary.index)


def plot_runs(runs, columns, *, reference: str | None = None, ncols: int | None = None):
    """Every run as a dot, one panel per metric, one column of dots per model; a bar at the mean.

    Args:
      runs: a table from :func:`stack_runs`.
      columns: metrics to plot (one panel each, titled by its label in
        :data:`ganlib.metrics.suite.METRIC_LABELS`, or by the column's name).
      reference: optional model name drawn as a dashed horizontal line at its mean (e.g. real
        images scored like a model) instead of as dots.
      ncols: panels per row (default: all in one row).

    Returns:
      A ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from ..metrics.suite import METRIC_LABELS

    runs = _runs_table(runs)
    columns = _metric_columns(runs, columns)
    models = list(dict.fromkeys(runs.index.get_level_values("model")))
    if reference is not None and reference not in models:
        raise ValueError(f"reference: expected one of the models {models}, got {reference!r}")
    shown = [m for m in models if m != reference]
    ncols = len(columns) if ncols is None else check_positive_int(ncols, "ncols")
    nrows = -(-len(columns) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols + 0.4, 2.9 * nrows), layout="constrained",
                             squeeze=False)
    for ax, col in zip(axes.flat, columns):
        for i, model in enumerate(shown):
            values = runs.loc[model, col].to_numpy(dtype=float)
            ax.plot(np.full(len(values), i), values, "o", color=f"C{i}", alpha=0.8)
            ax.hlines(values.mean(), i - 0.3, i + 0.3, color=f"C{i}")
        if reference is not None:
            ax.axhline(runs.loc[reference, col].mean(), color="grey", ls="--", lw=1, label=reference)
        ax.set_xticks(range(len(shown)), shown, rotation=30, ha="right")
        ax.set_xlim(-0.6, len(shown) - 0.4)
        ax.set_title(METRIC_LABELS.get(col, col))
    for ax in list(axes.flat)[len(columns):]:
        ax.axis("off")
    if reference is not None:  # one legend for all panels, outside them, so it hides no dot
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside upper right", fontsize="small")
    return fig


def _runs_table(runs):
    import pandas as pd

    if not isinstance(runs, pd.DataFrame) or list(runs.index.names) != ["model", "seed"]:
        raise TypeError(f"runs: expected a DataFrame indexed by (model, seed) from stack_runs, got "
                        f"{type(runs).__name__}")
    if runs.empty:
        raise ValueError("runs: expected at least one run, got an empty table")
    return runs


def _metric_columns(runs, columns):
    if columns is None:
        return list(runs.columns)
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("columns: expected at least one metric, got none")
    missing = [c for c in columns if c not in runs.columns]
    if missing:
        raise ValueError(f"columns: expected names from {list(runs.columns)}, got unknown {missing}")
    return columns
