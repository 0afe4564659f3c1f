"""Diagnostics for the challenges of GAN training: compute cost, sample quality, mode collapse and
memorisation (chapter 6).

Each function turns one of the source article's three challenges into a measurement:

================================  ======================================================
Compute cost                      :func:`parameter_count`, :func:`forward_flops`,
                                  :func:`training_step_flops`, :func:`time_training`,
                                  :func:`scaling_table`
Low-quality samples               :func:`classifier_confidence`, :func:`extremes`
Mode collapse                     :func:`mode_collapse_runs`
Memorisation / over-fitting       :func:`nearest_neighbours`, :func:`neighbour_pairs`,
                                  :func:`noisy_copies`
================================  ======================================================

Timings are wall-clock measurements on the machine that runs the code (``time.perf_counter``);
they are never hard-coded and never compared with thresholds in tests. FLOP counts are
*estimates* from layer shapes (multiply-adds of dense and convolution layers), not measurements.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable, Mapping, NamedTuple

import numpy as np

from ..validation import (as_array, check_bool, check_callable, check_features, check_float, check_gan,
                          check_mapping, check_model, check_positive_int, check_seed)

__all__ = [
    "parameter_count",
    "forward_flops",
    "training_step_flops",
    "time_training",
    "scaling_table",
    "classifier_confidence",
    "extremes",
    "Neighbours",
    "nearest_neighbours",
    "neighbour_pairs",
    "noisy_copies",
    "mode_collapse_runs",
]


def _rows(value, name: str) -> np.ndarray:
    """Samples ``(N, ...)`` as float64 rows ``(N, D)`` (one flattened vector per sample), for
    Euclidean distances in pixel or feature space."""
    arr = as_array(value, name, min_samples=1)
    return check_features(arr.reshape(len(arr), -1) if arr.ndim >= 2 else arr, name)


# --------------------------------------------------------------------------------------------
# Compute cost: size, FLOPs, measured time
# --------------------------------------------------------------------------------------------


def parameter_count(model, *, trainable_only: bool = False) -> int:
    """Number of scalar parameters of a Keras model: ``Σ_w prod(shape(w))``.

    Args:
      model: a built ``keras.Model`` (or any ``keras.Layer``).
      trainable_only: count only trainable weights (excludes e.g. BatchNorm moving statistics).

    Returns:
      The count as a Python int.
    """
    import keras

    if not isinstance(model, keras.Layer):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    trainable_only = check_bool(trainable_only, "trainable_only")
    weights = model.trainable_weights if trainable_only else model.weights
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _layer_flops(layer) -> int:
    """Forward FLOPs (2 × multiply-adds) of one layer for one sample; 0 for unsupported layers."""
    import keras
    from keras import layers as L

    if isinstance(layer, keras.Model):
        return forward_flops(layer)
    if isinstance(layer, L.Dense):
        in_shape = tuple(layer.input.shape)[1:]
        rows = int(np.prod(in_shape[:-1])) if len(in_shape) > 1 else 1
        return 2 * rows * int(in_shape[-1]) * int(layer.units)
    if isinstance(layer, L.Conv2DTranspose):  # before Conv2D: it may subclass a conv base
        in_shape = tuple(layer.input.shape)[1:]
        kh, kw = layer.kernel_size
        return 2 * int(in_shape[0]) * int(in_shape[1]) * int(in_shape[2]) * kh * kw * int(layer.filters)
    if isinstance(layer, L.Conv2D):
        in_shape = tuple(layer.input.shape)[1:]
        out_shape = tuple(layer.output.shape)[1:]
        kh, kw = layer.kernel_size
        groups = int(getattr(layer, "groups", 1) or 1)
        return 2 * int(out_shape[0]) * int(out_shape[1]) * int(layer.filters) * kh * kw * (int(in_shape[2]) // groups)
    return 0


def forward_flops(model) -> int:
    """Estimated floating-point operations of one forward pass for ONE sample.

    Counts ``2 ×`` the multiply-adds of the layers that dominate the cost (bias additions,
    activations, normalisation and reshapes are ignored):

    * ``Dense(units)`` on an input ``(..., n_in)``: ``2 · n_in · units`` per input row;
    * ``Conv2D``: ``2 · H_out · W_out · C_out · k_h · k_w · C_in / groups``;
    * ``Conv2DTranspose``: ``2 · H_in · W_in · C_in · k_h · k_w · C_out`` (every input pixel
      scatters a ``k_h × k_w × C_out`` kernel);
    * nested models are counted recursively; other layers count 0.

    Each layer is counted once (the functional models ganlib builds call each layer once).

    Args:
      model: a functional ``keras.Model`` with known (non-batch) layer shapes.

    Returns:
      FLOPs per sample as a Python int (multiply by the batch size for a batch).
    """
    check_model(model, "model")
    return int(sum(_layer_flops(layer) for layer in model.layers))


def training_step_flops(gan, batch_size: int) -> int:
    """Estimated FLOPs of one training step of a :class:`ganlib.GAN` (alternating updates).

    With per-sample forward costs ``F_G`` (generator) and ``F_D`` (discriminator), batch ``B``,
    ``k = gan.d_steps`` and the usual rule "backward pass ≈ 2 × forward pass":

    * each discriminator update: ``G`` forward on ``B`` noise vectors, ``D`` forward + backward
      on ``B`` real and ``B`` fake samples: ``B (F_G + 6 F_D)``;
    * the generator update: forward and backward through ``G`` and ``D``: ``3 B (F_G + F_D)``;

    ``FLOPs/step ≈ k B (F_G + 6 F_D) + 3 B (F_G + F_D)``. Penalties (gradient penalty, R1) and
    optimizer updates are not counted, so the estimate is a lower bound for penalised GANs.

    Args:
      gan: a :class:`ganlib.GAN`.
      batch_size: minibatch size ``B`` (int >= 1).

    Returns:
      The estimate as a Python int.
    """
    check_gan(gan)
    b = check_positive_int(batch_size, "batch_size")
    f_g, f_d = forward_flops(gan.generator), forward_flops(gan.discriminator)
    return int(gan.d_steps * b * (f_g + 6 * f_d) + 3 * b * (f_g + f_d))


def time_training(
    make_gan_fn: Callable[[], object],
    x,
    *,
    epochs: int = 1,
    batch_size: int = 64,
    repeats: int = 3,
    steps_per_epoch: int | None = None,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
) -> dict:
    """Measure the training speed of a GAN on this machine.

    A fresh GAN is built with ``make_gan_fn()``; one *warm-up* epoch is run first and timed on
    its own (it includes tracing the training step into a graph, and XLA compilation if enabled);
    then ``repeats`` measurements of ``epochs`` epochs each. An "epoch" here is
    ``steps_per_epoch`` training steps on minibatches of ``x`` (default ``len(x) // batch_size``).
    Keras runs whole groups of ``steps_per_execution`` steps, so ``steps_per_epoch`` is rounded up
    to a multiple of the GAN's ``steps_per_execution``; the steps actually executed are read from
    the generator optimizer's step counter.

    * ``seconds_per_epoch`` = median over the repeats of ``t_r / epochs``;
    * ``seconds_per_step`` = median of ``t_r / steps_r``;
    * ``images_per_second`` = ``batch_size / seconds_per_step`` (samples seen by the
      discriminator's real branch per second);
    * ``compile_seconds`` = ``max(0, warmup_seconds - seconds_per_epoch)``: an *estimate* of the
      one-off cost of the first epoch beyond a normal epoch. It is the difference of two
      wall-clock times, so it is noisy on a shared machine (it can come out smaller for a model
      whose warm-up epoch is longer); it is not a separate measurement of compile time.

    Args:
      make_gan_fn: zero-argument callable returning a compiled, unconditional :class:`ganlib.GAN`
        (e.g. ``lambda: ganlib.make_gan("mlp", steps_per_execution=10)``).
      x: training samples ``(N, ...)`` (images ``(N, 28, 28, 1)`` or points ``(N, d)``).
      epochs: epochs per timed repeat (>= 1).
      batch_size: minibatch size (``<= N`` unless ``steps_per_epoch`` is given).
      repeats: timed repeats (>= 1); the median is reported.
      steps_per_epoch: training steps per epoch (default ``N // batch_size``), rounded up to a
        multiple of ``steps_per_execution``.
      seed: seed of the data order.
      clock: zero-argument callable returning seconds (default ``time.perf_counter``; tests
        pass a fake clock).

    Returns:
      dict with ``seconds_per_epoch``, ``seconds_per_step``, ``images_per_second``,
      ``steps_per_second``, ``warmup_seconds``, ``compile_seconds``, ``epoch_seconds`` (list, one
      per repeat), ``steps_per_epoch`` (steps actually executed per epoch), ``batch_size``,
      ``repeats``, ``steps_per_execution``, ``parameters`` (generator + discriminator) and
      ``gan`` (the trained GAN, for inspection).
    """
    from ..data import make_dataset

    check_callable(make_gan_fn, "make_gan_fn")
    check_callable(clock, "clock")
    xs = as_array(x, "x", min_samples=1).astype(np.float32)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    repeats = check_positive_int(repeats, "repeats")
    seed = check_seed(seed)
    if steps_per_epoch is None:
        if batch_size > len(xs):
            raise ValueError(f"batch_size: expected at most the number of samples ({len(xs)}), got {batch_size}")
        steps_per_epoch = len(xs) // batch_size
    steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
    gan = make_gan_fn()
    try:
        check_gan(gan)
    except TypeError:
        raise TypeError(f"make_gan_fn: expected a callable returning a ganlib.GAN, got {type(gan).__name__}") from None
    if gan.conditional:
        raise ValueError("make_gan_fn: expected an unconditional GAN, got a class-conditional one")
    if getattr(gan, "g_optimizer", None) is None:
        raise ValueError("make_gan_fn: the GAN is not compiled; use ganlib.make_gan or call compile()")
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    steps_per_epoch = -(-steps_per_epoch // spe) * spe  # Keras runs whole groups of spe steps
    dataset = make_dataset(xs, batch_size=batch_size, seed=seed, repeat=True)

    from ..training import optimizer_steps

    def run(n_epochs: int) -> tuple[float, int]:
        before = int(optimizer_steps(gan.g_optimizer))
        start = clock()
        gan.fit(dataset, epochs=n_epochs, steps_per_epoch=steps_per_epoch, verbose=0, shuffle=False)
        seconds = float(clock() - start)
        return seconds, int(optimizer_steps(gan.g_optimizer)) - before

    warmup, _ = run(1)
    epoch_seconds, step_seconds, steps_done = [], [], []
    for _ in range(repeats):
        seconds, steps = run(epochs)
        epoch_seconds.append(seconds / epochs)
        step_seconds.append(seconds / max(steps, 1))
        steps_done.append(steps)
    per_epoch = float(statistics.median(epoch_seconds))
    per_step = float(statistics.median(step_seconds))
    return {
        "seconds_per_epoch": per_epoch,
        "seconds_per_step": per_step,
        "images_per_second": batch_size / per_step if per_step > 0 else float("inf"),
        "steps_per_second": 1.0 / per_step if per_step > 0 else float("inf"),
        "warmup_seconds": float(warmup),
        "compile_seconds": max(0.0, float(warmup) - per_epoch),
        "epoch_seconds": epoch_seconds,
        "steps_per_epoch": int(round(statistics.median(steps_done) / epochs)),
        "batch_size": batch_size,
        "repeats": repeats,
        "steps_per_execution": spe,
        "parameters": parameter_count(gan.generator) + parameter_count(gan.discriminator),
        "gan": gan,
    }


def scaling_table(builders: Mapping[str, Callable[[int], object]], x, *, batch_sizes, epochs: int = 1,
                  repeats: int = 3, images_per_epoch: int | None = None, seed: int = 0,
                  clock: Callable[[], float] = time.perf_counter):
    """Training speed of several models over several batch sizes: one :func:`time_training` each.

    For every model ``name -> builder`` and every ``B`` in ``batch_sizes`` the GAN
    ``builder(B)`` is timed on ``images_per_epoch // B`` steps per epoch (the same number of
    images per epoch at every batch size, so epochs are comparable), and the estimated training
    FLOPs (:func:`training_step_flops`) give the achieved rate
    ``GFLOP/s = FLOPs/step / seconds_per_step / 1e9``.

    Args:
      builders: ``dict`` model name -> callable ``batch_size -> compiled ganlib.GAN`` (the batch
        size is passed so builders may scale e.g. the learning rate; most ignore it).
      x: training samples ``(N, ...)``.
      batch_sizes: iterable of batch sizes (ints >= 1).
      epochs, repeats, seed, clock: see :func:`time_training`.
      images_per_epoch: images per timed epoch (default ``N``); must be >= every batch size.

    Returns:
      ``pandas.DataFrame`` with one row per (model, batch size) and columns ``model``,
      ``batch_size``, ``parameters``, ``gflops_per_step`` (estimate), ``seconds_per_epoch``,
      ``seconds_per_step``, ``images_per_second``, ``achieved_gflops_per_second``,
      ``warmup_seconds``.
    """
    import pandas as pd

    builders = check_mapping(builders, "builders", what="callable")
    for name, fn in builders.items():
        check_callable(fn, f"builders[{name!r}]")
    xs = as_array(x, "x", min_samples=1).astype(np.float32)
    if isinstance(batch_sizes, (str, bytes)) or not hasattr(batch_sizes, "__iter__"):
        raise TypeError(f"batch_sizes: expected an iterable of integers, got {type(batch_sizes).__name__}")
    batch_sizes = [check_positive_int(b, "batch_sizes") for b in batch_sizes]
    if not batch_sizes:
        raise ValueError("batch_sizes: expected at least one batch size, got none")
    images = len(xs) if images_per_epoch is None else check_positive_int(images_per_epoch, "images_per_epoch")
    if max(batch_sizes) > images:
        raise ValueError(
            f"batch_sizes: expected batch sizes <= images_per_epoch ({images}), got {max(batch_sizes)}"
        )
    rows = []
    for name, fn in builders.items():
        for b in batch_sizes:
            res = time_training(lambda: fn(b), xs, epochs=epochs, batch_size=b, repeats=repeats,
                                steps_per_epoch=images // b, seed=seed, clock=clock)
            flops = training_step_flops(res["gan"], b)
            rows.append({
                "model": str(name),
                "batch_size": b,
                "parameters": res["parameters"],
                "gflops_per_step": flops / 1e9,
                "seconds_per_epoch": res["seconds_per_epoch"],
                "seconds_per_step": res["seconds_per_step"],
                "images_per_second": res["images_per_second"],
                "achieved_gflops_per_second": flops / res["seconds_per_step"] / 1e9
                if res["seconds_per_step"] > 0 else float("inf"),
                "warmup_seconds": res["warmup_seconds"],
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Sample quality
# --------------------------------------------------------------------------------------------


def classifier_confidence(images, classifier, *, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """How sure a classifier is about each image: ``max_c softmax(classifier(x))_c``.

    A sharp, well-formed digit gets a confident prediction (close to 1); a blurry or malformed
    sample spreads its probability over classes (down to ``1/C``). This is the per-image quantity
    whose spread over classes the classifier ("Inception") score aggregates.

    Args:
      images: ``(N, ...)`` images, e.g. ``(N, 28, 28, 1)`` in [0, 1].
      classifier: ``keras.Model`` (called with ``training=False``) or callable returning logits
        ``(B, C)``.
      batch_size: images per call.

    Returns:
      ``(confidence, predicted)``: float64 ``(N,)`` in ``[1/C, 1]`` and int64 ``(N,)`` class
      indices.
    """
    from ..metrics import class_probabilities

    probs = class_probabilities(images, classifier, batch_size=batch_size)  # validates every argument
    if probs.shape[1] < 2:
        raise ValueError(f"classifier: expected logits of shape (N, C) with C >= 2, got shape {probs.shape}")
    return probs.max(axis=1), probs.argmax(axis=1).astype(np.int64)


def extremes(values, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``n`` smallest and the ``n`` largest values.

    Args:
      values: ``(N,)`` finite numbers; n: ``1 <= n <= N``.

    Returns:
      ``(lowest, highest)``: int64 arrays ``(n,)``; ``lowest`` in increasing order of value,
      ``highest`` in decreasing order (ties broken by index, ``np.argsort(kind="stable")``).
    """
    v = as_array(values, "values", ndim=1, min_samples=1)
    n = check_positive_int(n, "n")
    if n > v.shape[0]:
        raise ValueError(f"n: expected at most len(values) = {v.shape[0]}, got {n}")
    order = np.argsort(v, kind="stable")
    desc = np.argsort(-v, kind="stable")
    return order[:n].astype(np.int64), desc[:n].astype(np.int64)


# --------------------------------------------------------------------------------------------
# Memorisation: nearest neighbours
# --------------------------------------------------------------------------------------------


class Neighbours(NamedTuple):
    """k nearest neighbours of each query: distances ``(n, k)`` ascending and indices ``(n, k)``."""

    distances: np.ndarray
    indices: np.ndarray


def nearest_neighbours(queries, reference, *, k: int = 1, block_size: int = 1024) -> Neighbours:
    """The ``k`` nearest reference rows of every query row (Euclidean distance), block by block.

    ``d(q_i, r_j) = ‖q_i - r_j‖₂`` with rows flattened to vectors: pass images ``(N, 28, 28, 1)``
    for *pixel space* or classifier features ``(N, d)`` for *feature space*. Squared distances
    are computed as ``‖q‖² + ‖r‖² - 2 qᵀr`` in float64 (clipped at 0) for one block of queries
    against one block of references at a time; the running ``k`` best are merged with
    ``np.argpartition``, so memory is ``O(block_size × (block_size + k))``.

    Args:
      queries: ``(n, ...)``; reference: ``(m, ...)`` with the same per-row size.
      k: neighbours per query, ``1 <= k <= m``.
      block_size: rows per block (>= 1).

    Returns:
      :class:`Neighbours` ``(distances, indices)``: float64 ``(n, k)`` sorted ascending along
      each row, and int64 ``(n, k)`` row indices into ``reference``.
    """
    q = _rows(queries, "queries")
    r = _rows(reference, "reference")
    if q.shape[1] != r.shape[1]:
        raise ValueError(
            f"queries and reference: expected the same number of values per row, got {q.shape[1]} and {r.shape[1]}"
        )
    k = check_positive_int(k, "k")
    if k > r.shape[0]:
        raise ValueError(f"k: expected at most the number of reference rows ({r.shape[0]}), got {k}")
    block_size = check_positive_int(block_size, "block_size")
    q_sq = np.einsum("ij,ij->i", q, q)
    r_sq = np.einsum("ij,ij->i", r, r)
    n = q.shape[0]
    best_d = np.empty((n, k))
    best_i = np.empty((n, k), dtype=np.int64)
    for q0 in range(0, n, block_size):
        q1 = min(q0 + block_size, n)
        run_d = np.full((q1 - q0, 0), np.inf)
        run_i = np.empty((q1 - q0, 0), dtype=np.int64)
        for r0 in range(0, r.shape[0], block_size):
            r1 = min(r0 + block_size, r.shape[0])
            d2 = q_sq[q0:q1, None] + r_sq[None, r0:r1] - 2.0 * (q[q0:q1] @ r[r0:r1].T)
            np.maximum(d2, 0.0, out=d2)
            cand_d = np.concatenate([run_d, d2], axis=1)
            cand_i = np.concatenate([run_i, np.broadcast_to(np.arange(r0, r1), d2.shape)], axis=1)
            if cand_d.shape[1] > k:
                part = np.argpartition(cand_d, k - 1, axis=1)[:, :k]
                cand_d = np.take_along_axis(cand_d, part, axis=1)
                cand_i = np.take_along_axis(cand_i, part, axis=1)
            run_d, run_i = cand_d, cand_i
        # sort by distance, ties by index
        order = np.lexsort((run_i, run_d), axis=-1)
        best_d[q0:q1] = np.take_along_axis(run_d, order, axis=1)
        best_i[q0:q1] = np.take_along_axis(run_i, order, axis=1)
    return Neighbours(np.sqrt(best_d), best_i)


def neighbour_pairs(queries, reference, indices) -> np.ndarray:
    """Rows "query, its neighbours" for a side-by-side picture (``ganlib.plots.image_grid``).

    Args:
      queries: ``(n, ...)`` e.g. generated images; reference: ``(m, ...)`` e.g. training images
        with the same per-sample shape.
      indices: ``(n, k)`` integer indices into ``reference`` (e.g.
        ``nearest_neighbours(...).indices``).

    Returns:
      ``(n · (k + 1), ...)`` array: row ``i`` of the picture (``ncols = k + 1``) is
      ``queries[i], reference[indices[i, 0]], …, reference[indices[i, k-1]]``.
    """
    q = as_array(queries, "queries", min_samples=1)
    r = as_array(reference, "reference", min_samples=1)
    if q.shape[1:] != r.shape[1:]:
        raise ValueError(f"queries and reference: expected the same sample shape, got {q.shape[1:]} and {r.shape[1:]}")
    idx = as_array(indices, "indices", dtype="int", ndim=2)
    if idx.shape[0] != q.shape[0]:
        raise ValueError(f"indices: expected {q.shape[0]} rows (one per query), got shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= r.shape[0]):
        raise ValueError(
            f"indices: expected values in [0, {r.shape[0] - 1}], got values in [{idx.min()}, {idx.max()}]"
        )
    dtype = np.result_type(q.dtype, r.dtype)
    rows = [np.concatenate([q[i : i + 1].astype(dtype), r[idx[i]].astype(dtype)]) for i in range(q.shape[0])]
    return np.concatenate(rows, axis=0)


def noisy_copies(images, n: int, *, noise_std: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A memorising "generator" for positive controls: noisy copies of training images.

    ``copy_j = clip(images[s_j] + noise_std · ε_j, 0, 1)`` with ``ε_j ~ N(0, I)`` and source
    indices ``s_j`` drawn uniformly without replacement (with replacement if ``n > N``). A
    memorisation test must flag these samples; if it does not, the test is too weak.

    Args:
      images: ``(N, ...)`` training images in [0, 1].
      n: number of copies (>= 1).
      noise_std: standard deviation of the added Gaussian pixel noise (>= 0).
      seed: seed of the source draw and the noise.

    Returns:
      ``(copies, sources)``: float32 ``(n, ...)`` in [0, 1] and int64 ``(n,)`` source indices.
    """
    x = as_array(images, "images", min_samples=1, value_range=(0.0, 1.0))
    n = check_positive_int(n, "n")
    noise_std = check_float(noise_std, "noise_std", minimum=0)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    sources = rng.choice(x.shape[0], size=n, replace=n > x.shape[0]).astype(np.int64)
    copies = x[sources].astype(np.float64) + noise_std * rng.standard_normal((n,) + x.shape[1:])
    return np.clip(copies, 0.0, 1.0).astype(np.float32), sources


# --------------------------------------------------------------------------------------------
# Mode collapse: multi-seed toy experiments
# --------------------------------------------------------------------------------------------


def mode_collapse_runs(mixture, settings: Mapping[str, Mapping], *, seeds, steps: int, batch_size: int,
                       steps_per_execution: int = 1, n_train: int = 20000, n_samples: int = 2500,
                       threshold: float = 3.0, min_fraction: float = 0.2):
    """Train a toy GAN per (setting, seed) on a 2-D mixture and measure its mode coverage.

    For every setting ``name -> options`` and every seed ``s``: the GAN
    ``make_gan("toy", seed=s, steps_per_execution=..., **options)`` is trained with
    :func:`ganlib.train` for ``steps`` steps of ``batch_size`` points drawn from ``n_train``
    mixture samples; then ``n_samples`` points are generated (noise seed ``1000 + s``) and scored:

    * :func:`ganlib.metrics.mode_coverage`: ``modes_covered`` (modes with at least
      ``min_fraction · n_samples / K`` samples within ``threshold`` standard deviations) and
      ``high_quality_fraction``;
    * ``modes_reached``: the same count without the quality condition, i.e. modes that are the
      *nearest* mode of at least ``min_fraction · n_samples / K`` samples, however far away.
      Few modes reached means collapse (lack of diversity) whatever the sample quality.

    Args:
      mixture: a :class:`ganlib.data.GaussianMixture` (e.g. ``ring_of_gaussians()``).
      settings: ``dict`` name -> dict of options for :func:`ganlib.make_gan` (``loss``,
        ``learning_rate``, ``d_learning_rate``, ``d_steps``, ``gradient_penalty_weight``, …).
      seeds: iterable of non-negative int seeds (weights, noise and data order).
      steps: training steps (>= 1); batch_size: points per step; steps_per_execution: see
        :func:`ganlib.make_gan`.
      n_train: mixture samples drawn once (seed 0) as the training set.
      n_samples: generated points per run for the coverage measurement.
      threshold, min_fraction: see :func:`ganlib.metrics.mode_coverage`.

    Returns:
      dict with ``"table"``: ``pandas.DataFrame`` (columns ``setting``, ``seed``,
      ``modes_covered``, ``modes_reached``, ``n_modes``, ``high_quality_fraction``,
      ``kl_to_uniform``, ``seconds``), ``"samples"``: ``{(setting, seed): (n_samples, d) array}``
      and ``"train"``: the training points ``(n_train, d)``.
    """
    import pandas as pd

    from ..data import GaussianMixture
    from ..metrics import mode_coverage
    from ..training import make_gan, train

    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture: expected a ganlib.data.GaussianMixture, got {type(mixture).__name__}")
    settings = check_mapping(settings, "settings", what="options")
    for name, opts in settings.items():
        if not isinstance(opts, Mapping):
            raise TypeError(f"settings[{name!r}]: expected a dict of options, got {type(opts).__name__}")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds: expected an iterable of integers, got {type(seeds).__name__}")
    seeds = [check_seed(s, "seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds: expected at least one seed, got none")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    steps_per_execution = check_positive_int(steps_per_execution, "steps_per_execution")
    n_train = check_positive_int(n_train, "n_train")
    n_samples = check_positive_int(n_samples, "n_samples")
    if batch_size > n_train:
        raise ValueError(f"batch_size: expected at most n_train ({n_train}), got {batch_size}")
    x = mixture.sample(n_train, seed=0).astype(np.float32)
    data_dim = x.shape[1]
    means = np.asarray(mixture.means, dtype=np.float64)
    rows, samples = [], {}
    for name, opts in settings.items():
        for s in seeds:
            start = time.perf_counter()
            gan = make_gan("toy", data_dim=data_dim, seed=s, steps_per_execution=steps_per_execution, **dict(opts))
            train(gan, x, epochs=1, batch_size=batch_size, steps_per_epoch=steps, seed=s, verbose=0)
            pts = gan.generate(n_samples, seed=1000 + s)
            cov = mode_coverage(pts, means, mixture.stds, threshold=threshold, min_fraction=min_fraction)
            nearest = np.argmin(((pts[:, None, :].astype(np.float64) - means[None]) ** 2).sum(-1), axis=1)
            reached = np.bincount(nearest, minlength=len(means))
            samples[(str(name), s)] = pts
            rows.append({
                "setting": str(name),
                "seed": s,
                "modes_covered": cov.modes_covered,
                "modes_reached": int(np.sum((reached >= min_fraction * n_samples / len(means)) & (reached >= 1))),
                "n_modes": cov.n_modes,
                "high_quality_fraction": cov.high_quality_fraction,
                "kl_to_uniform": cov.kl_to_uniform,
                "seconds": time.perf_counter() - start,
            })
    return {"table": pd.DataFrame(rows), "samples": samples, "train": x}
