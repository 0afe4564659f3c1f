"""Keras callbacks for GAN training: sample grids, checkpoints, divergence guard, metrics.

All of them work with :func:`ganlib.train` and with a plain ``GAN.fit``.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import time

import numpy as np
import keras

from .checkpoint import CHECKPOINT_FILE, CheckpointError, read_checkpoint

from .validation import (
    check_bool,
    check_callable,
    check_choice,
    check_features,
    check_float,
    check_positive_int,
    check_seed,
    check_str,
)

__all__ = [
    "SampleGrid",
    "HealthCheck",
    "TrainingCheckpoint",
    "DivergenceGuard",
    "QuietProgress",
    "MetricCallback",
    "kid_metric",
]


def _finite(value) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        return True  # non-numeric log entries are not losses


def _as_float(value) -> float:
    return float(np.asarray(value, dtype=np.float64))


class SampleGrid(keras.callbacks.Callback):
    """Keep samples from a fixed noise batch as training goes on.

    After every ``every`` epochs (and once before training) the generator is run on the same
    noise, so the snapshots show how *one* set of latent codes evolves. ``snapshots`` maps the
    number of completed epochs to images ``(n, ...)``; pass it to
    :func:`ganlib.plots.sample_grid_over_training`.

    Args:
      n: samples per snapshot.
      every: epochs between snapshots.
      seed: noise seed.
      labels: class labels ``(n,)`` for a conditional GAN (default: 0, 1, 2, … cycling).
    """

    def __init__(self, n: int = 16, *, every: int = 1, seed: int = 1234, labels=None):
        super().__init__()
        self.n = check_positive_int(n, "n")
        self.every = check_positive_int(every, "every")
        self.seed = check_seed(seed)
        self.labels = labels
        self.snapshots: dict[int, np.ndarray] = {}

    def checkpoint_arrays(self) -> dict:
        """The snapshots, for :class:`TrainingCheckpoint` (saved in the same file as the state)."""
        return {f"snapshot/{epoch}": images for epoch, images in self.snapshots.items()}

    def restore_checkpoint_arrays(self, arrays: dict) -> None:
        """Take back the snapshots a checkpoint holds (a resumed run keeps every earlier one)."""
        for key, images in arrays.items():
            if key.startswith("snapshot/"):
                self.snapshots[int(key.split("/", 1)[1])] = np.asarray(images)

    def _snap(self, epochs_done: int) -> None:
        self.snapshots[epochs_done] = self.model.generate(self.n, seed=self.seed, labels=self.labels)

    def on_train_begin(self, logs=None):
        self._first_epoch = True

    def on_epoch_begin(self, epoch, logs=None):
        # Keras does not tell callbacks the initial epoch of a resumed run; the first epoch
        # that begins is it. Its snapshot shows the generator before that epoch's training.
        if getattr(self, "_first_epoch", False):
            self._first_epoch = False
            if epoch not in self.snapshots:
                self._snap(epoch)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        last = self.params and done == self.params.get("epochs")
        if done % self.every == 0 or last:
            self._snap(done)


class HealthCheck:
    """The one test of a healthy epoch, shared by :class:`DivergenceGuard` and
    :class:`TrainingCheckpoint`: every logged number is finite and each monitored loss (``keys``)
    has ``|loss| <= max_abs``. Because both callbacks use the same test, a state is saved only
    if the guard accepted it, and "restored to the last good checkpoint" is always true.
    """

    def __init__(self, *, keys=("d_loss", "g_loss"), max_abs: float = 1e6):
        self.keys = tuple(keys)
        self.max_abs = check_float(max_abs, "max_abs", minimum=0.0, inclusive=False)

    def problem(self, logs) -> tuple[str, float] | None:
        """``None`` if ``logs`` are healthy, else ``(key, value)`` of the first offending entry."""
        logs = logs or {}
        for key, value in logs.items():
            if not _finite(value):
                return key, _as_float_or_nan(value)
        for key in self.keys:
            if key in logs and abs(_as_float(logs[key])) > self.max_abs:
                return key, _as_float(logs[key])
        return None

    def __call__(self, logs) -> bool:
        return self.problem(logs) is None


def _as_float_or_nan(value) -> float:
    try:
        return _as_float(value)
    except (TypeError, ValueError):
        return float("nan")


class TrainingCheckpoint(keras.callbacks.Callback):
    """Save the complete training state so that an interrupted run can resume exactly.

    One file in ``directory``, ``checkpoint.npz`` (format: :mod:`ganlib.checkpoint`): all
    variables of both models and both optimizers keyed by path, the epochs done, the loss
    history, the run's ``fingerprint`` (checked by :meth:`restore`) and the arrays of callbacks
    that keep state across a resume (``extras``: any callback with ``checkpoint_arrays()`` and
    ``restore_checkpoint_arrays(arrays)``, e.g. :class:`SampleGrid`'s snapshots). The file is
    replaced atomically, so an interruption while saving leaves the previous checkpoint intact.
    A state is saved only when ``health`` (default :class:`HealthCheck`, shared with
    :class:`DivergenceGuard` by :func:`ganlib.train`) accepts the epoch's logs: the checkpoint
    always holds the last *good* epoch.
    """

    def __init__(self, directory, *, every: int = 1, health: HealthCheck | None = None,
                 fingerprint: dict | None = None, extras=()):
        super().__init__()
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory: expected a path, got {type(directory).__name__}")
        self.directory = pathlib.Path(directory)
        self.every = check_positive_int(every, "every")
        self.health = health if health is not None else HealthCheck()
        self.fingerprint = fingerprint
        self.extras = list(extras)
        self.history: dict[str, list] = {}
        self.saved_epoch: int | None = None

    @property
    def path(self) -> pathlib.Path:
        return self.directory / CHECKPOINT_FILE

    #: Files of the format before ganlib's single-file checkpoints.
    LEGACY_FILES = ("state.npz", "meta.json")

    def exists(self) -> bool:
        return self.path.exists()

    def remedy(self) -> str:
        return (f"Delete {self.directory} (or pass resume='never' to ganlib.train, which overwrites "
                "it) to start over, or pass another checkpoint_dir.")

    def restore(self, gan) -> dict | None:
        """Load the saved state into ``gan``; return ``{"epoch", "history"}`` or ``None``.

        With a ``fingerprint``, the checkpoint's must be equal: a difference raises
        :class:`ganlib.checkpoint.CheckpointError` naming the differing field and the folder,
        before anything is assigned.
        """
        if not self.exists():
            legacy = [name for name in self.LEGACY_FILES if (self.directory / name).exists()]
            if legacy:
                raise CheckpointError(
                    f"checkpoint {self.directory}: holds {', '.join(legacy)} from an older ganlib, "
                    f"without the fingerprint a resume needs. {self.remedy()}"
                )
            return None
        meta, _, _ = read_checkpoint(self.path, remedy=self.remedy())
        if self.fingerprint is not None:
            check_fingerprint(self.fingerprint, meta["fingerprint"], self.directory, self.remedy())
        meta, extras = gan.load_state(self.path, remedy=self.remedy())
        self.history = {k: list(v) for k, v in meta["history"].items()}
        self.saved_epoch = int(meta["epoch"])
        for callback in self.extras:
            callback.restore_checkpoint_arrays(extras)
        return {"epoch": self.saved_epoch, "history": self.history}

    def rollback(self, gan) -> int | None:
        """Put the last good state back into ``gan``; return its epoch (``None``: nothing saved)."""
        if not self.exists():
            return None
        meta, _ = gan.load_state(self.path, remedy=self.remedy())
        return int(meta["epoch"])

    def save(self, epochs_done: int) -> None:
        extras = {}
        for callback in self.extras:
            extras.update(callback.checkpoint_arrays())
        meta = {"epoch": int(epochs_done), "history": self.history,
                "fingerprint": self.fingerprint if self.fingerprint is not None else self.model.fingerprint()}
        self.model.save_state(self.path, meta=meta, extras=extras)
        self.saved_epoch = epochs_done

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not self.health(logs):
            return  # never overwrite the last good state with one the guard rejects
        for key, value in logs.items():
            self.history.setdefault(key, []).append(_as_float(value))
        done = epoch + 1
        last = self.params and done == self.params.get("epochs")
        if done % self.every == 0 or last:
            self.save(done)


def check_fingerprint(expected: dict, stored: dict, directory, remedy: str) -> None:
    """Raise :class:`ganlib.checkpoint.CheckpointError` naming the first field where a
    checkpoint's fingerprint ``stored`` differs from this run's ``expected``."""
    import json

    def canon(value):
        return json.loads(json.dumps(value, sort_keys=True, default=str))

    for field in sorted(set(expected) | set(stored)):
        mine, theirs = canon(expected.get(field)), canon(stored.get(field))
        if mine != theirs:
            show = lambda v: (json.dumps(v, sort_keys=True)[:160])  # noqa: E731
            raise CheckpointError(
                f"checkpoint {directory}: was written by a run with another {field} "
                f"(checkpoint: {show(theirs)}; this run: {show(mine)}). {remedy}"
            )


class DivergenceGuard(keras.callbacks.Callback):
    """Stop training when an epoch fails the :class:`HealthCheck` (a NaN/inf log, or a monitored
    loss beyond ``max_abs``) and roll back.

    Checked at the end of every epoch (checking every batch would force a device sync per
    step). On divergence training stops, a clear message is printed and, if a
    :class:`TrainingCheckpoint` is given, the model is restored to the last good checkpoint
    (the checkpoint uses the same test, so it never holds a state the guard rejected).
    """

    def __init__(self, *, keys=("d_loss", "g_loss"), max_abs: float = 1e6, checkpoint=None,
                 health: HealthCheck | None = None):
        super().__init__()
        self.health = health if health is not None else HealthCheck(keys=keys, max_abs=max_abs)
        self.keys = self.health.keys
        self.max_abs = self.health.max_abs
        self.checkpoint = checkpoint
        if checkpoint is not None and health is None:
            checkpoint.health = self.health  # one test for both
        self.diverged = False
        self.message = ""

    def on_epoch_end(self, epoch, logs=None):
        problem = self.health.problem(logs)
        if problem is not None:
            key, value = problem
            self.diverged = True
            self.model.stop_training = True
            self.message = f"Training diverged in epoch {epoch + 1}: {key} = {value:.4g}. Stopped."

    def on_train_end(self, logs=None):
        if not self.diverged:
            return
        msg = self.message
        if self.checkpoint is not None:
            epoch = self.checkpoint.rollback(self.model)
            if epoch is None:
                msg += " No good checkpoint existed yet; the model keeps its diverged weights."
            else:
                msg += (
                    f" The model was restored to the last good checkpoint (after epoch {epoch}) "
                    f"in {self.checkpoint.directory}."
                )
        else:
            msg += " Pass checkpoint_dir= to ganlib.train to keep and restore the last good state."
        print(msg)


class QuietProgress(keras.callbacks.Callback):
    """A few summary lines instead of a progress bar (used when building the book)."""

    def __init__(self, epochs: int, *, lines: int = 5, keys=("d_loss", "g_loss", "d_real", "d_fake")):
        super().__init__()
        self.epochs = check_positive_int(epochs, "epochs")
        self.every = max(1, math.ceil(self.epochs / check_positive_int(lines, "lines")))
        self.keys = keys
        self._t0 = 0.0

    def on_train_begin(self, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.epochs:
            return
        logs = logs or {}
        parts = [f"{k} {_as_float(logs[k]):.3f}" for k in self.keys if k in logs]
        print(f"epoch {done}/{self.epochs}: " + ", ".join(parts) + f" ({time.perf_counter() - self._t0:.0f} s)")


class MetricCallback(keras.callbacks.Callback):
    """Compute a sample-quality metric every ``every`` epochs and keep the best model.

    ``metric_fn(gan) -> float`` is called after every ``every``-th epoch (and the last); the
    value is added to the epoch's logs under ``name`` (so it appears in ``History`` and in the
    progress output) and stored in ``values`` as ``(epochs_done, value)`` pairs. The weights
    of both players at the best value (lowest for ``mode="min"``) are kept in memory and, with
    ``restore_best=True``, put back into the model when training ends: the model you keep is
    the best one seen, not the last one.

    Use :func:`kid_metric` to build ``metric_fn`` (or any ``gan -> float``, e.g. an FID).
    """

    def __init__(self, metric_fn, *, every: int = 5, name: str = "kid", mode: str = "min", restore_best: bool = True):
        super().__init__()
        self.metric_fn = check_callable(metric_fn, "metric_fn")
        self.every = check_positive_int(every, "every")
        self.name = check_str(name, "name")
        self.mode = check_choice(mode, "mode", ("min", "max"))
        self.restore_best = check_bool(restore_best, "restore_best")
        self.values: list[tuple[int, float]] = []
        self.best_value: float | None = None
        self.best_epoch: int | None = None
        self._best_weights = None

    def _better(self, value: float) -> bool:
        if self.best_value is None:
            return True
        return value < self.best_value if self.mode == "min" else value > self.best_value

    def _variables(self):
        return list(self.model.generator.variables) + list(self.model.discriminator.variables)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        last = self.params and done == self.params.get("epochs")
        if done % self.every and not last:
            return
        value = float(self.metric_fn(self.model))
        self.values.append((done, value))
        if logs is not None:
            logs[self.name] = value
        if math.isfinite(value) and self._better(value):
            self.best_value, self.best_epoch = value, done
            self._best_weights = [np.array(v.numpy()) for v in self._variables()]

    def on_train_end(self, logs=None):
        if self.restore_best and self._best_weights is not None:
            for var, value in zip(self._variables(), self._best_weights):
                var.assign(value)


def kid_metric(real_features, extractor, *, n: int = 1000, seed: int = 0, subset_size: int = 500, n_subsets: int = 20):
    """``metric_fn`` for :class:`MetricCallback`: KID (×1000 is *not* applied) between fixed real
    features and the features of ``n`` generated samples (fixed noise seed).

    ``metric_fn(gan) = ganlib.metrics.kid(real_features, extract_features(gan.generate(n, seed=seed),
    extractor), subset_size=subset_size, n_subsets=n_subsets, seed=seed).mean``.
    """
    from . import metrics

    real_features = check_features(real_features, "real_features", min_samples=2)
    check_callable(extractor, "extractor")
    n = check_positive_int(n, "n", minimum=2)
    seed = check_seed(seed)
    subset_size = check_positive_int(subset_size, "subset_size", minimum=2)
    n_subsets = check_positive_int(n_subsets, "n_subsets")

    def metric_fn(gan) -> float:
        fake = metrics.extract_features(gan.generate(n, seed=seed), extractor)
        return metrics.kid(real_features, fake, subset_size=subset_size, n_subsets=n_subsets, seed=seed).mean

    return metric_fn
