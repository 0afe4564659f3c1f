"""Trained GANs shared between chapters, cached on disk.

Several chapters need the same trained model (the DCGAN of chapter 4 is evaluated in chapter 5
and probed in chapter 6). :func:`trained_gan` trains it once with :func:`ganlib.train` and a
checkpoint directory inside :func:`ganlib.data.cache_dir`, keyed by everything that determines
the result (architecture, data, epochs, batch size, seed, options, Keras version). A later call
with the same arguments loads the finished state instead of training again; an interrupted
call resumes where it stopped. Training is deterministic for a seed, so a cached model is the
model the notebook would have trained.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
from typing import NamedTuple

import numpy as np

from ..validation import as_array, check_positive_int

__all__ = ["TrainedGAN", "trained_gan", "book_mlp_gan", "book_dcgan", "book_conditional_gan", "SEEDS"]


class TrainedGAN(NamedTuple):
    gan: object  #: the trained :class:`ganlib.GAN`
    history: dict  #: per-epoch logs (``d_loss``, ``g_loss``, ...)
    snapshots: dict  #: epochs done -> generated images from fixed noise (may be empty)
    cached: bool  #: ``True`` if nothing was trained in this call


def _code_fingerprint() -> str:
    """Hash of the modules that determine a trained model, so a code change invalidates the cache."""
    here = pathlib.Path(__file__).resolve().parents[1]  # the core modules, in ganlib/
    h = hashlib.sha1()
    for name in ("training.py", "optimizers.py", "models.py", "losses.py", "data.py", "callbacks.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:12]


def _key(architecture, x, y, config) -> str:
    import keras

    h = hashlib.sha1()
    h.update(_code_fingerprint().encode())
    h.update(np.ascontiguousarray(x).view(np.uint8).tobytes())
    if y is not None:
        h.update(np.ascontiguousarray(y).astype(np.int64).tobytes())
    h.update(json.dumps({"arch": architecture, "keras": keras.__version__, **config}, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def trained_gan(
    architecture: str,
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    snapshots: int = 0,
    snapshot_every: int = 1,
    cache: bool = True,
    callbacks=(),
    verbose="auto",
    **gan_options,
) -> TrainedGAN:
    """Train (or load) a GAN built by :func:`ganlib.make_gan`.

    Args:
      architecture: see :data:`ganlib.training.ARCHITECTURES`.
      x, y: training data (``y`` for conditional architectures).
      epochs, batch_size, seed: passed to :func:`ganlib.train`.
      snapshots: if > 0, keep this many samples from fixed noise every ``snapshot_every``
        epochs (:class:`ganlib.callbacks.SampleGrid`); they are cached with the model.
      cache: ``False`` trains in a fresh, throw-away state (nothing read or written).
      callbacks: extra Keras callbacks (they only run when training actually happens).
      **gan_options: passed to :func:`ganlib.make_gan` (``loss``, ``steps_per_execution``, ...).
    """
    from ..callbacks import SampleGrid
    from ..data import cache_dir
    from ..training import make_gan, train

    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    snapshots = check_positive_int(snapshots, "snapshots", minimum=0)
    x = as_array(x, "x", min_samples=1).astype(np.float32)
    if y is not None:
        y = as_array(y, "y", dtype="int", shape=(len(x),))
    config = {"epochs": epochs, "batch_size": batch_size, "seed": seed, "snapshots": snapshots,
              "snapshot_every": snapshot_every, **gan_options}
    gan = make_gan(architecture, seed=seed, **gan_options)
    cbs = list(callbacks)
    grid = None
    if snapshots:
        grid = SampleGrid(snapshots, every=snapshot_every, seed=seed + 1)
        cbs.append(grid)

    if not cache:
        hist = train(gan, x, y, epochs=epochs, batch_size=batch_size, seed=seed, callbacks=cbs, verbose=verbose)
        return TrainedGAN(gan, hist.history, dict(grid.snapshots) if grid else {}, False)

    directory = pathlib.Path(cache_dir()) / "gans" / f"{architecture}-{_key(architecture, x, y, config)}"
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory / ".lock"):  # a second process waits, then loads the finished model
        return _train_cached(gan, x, y, directory, grid, cbs, epochs, batch_size, seed, verbose)


@contextlib.contextmanager
def _exclusive(lock_path: pathlib.Path):
    """An inter-process lock (``fcntl.flock``) around training one cached model.

    Two notebooks that need the same model at the same time (e.g. run in parallel by the tests)
    would otherwise train it twice and race on its files. Where ``fcntl`` does not exist
    (Windows) there is no lock; the files are still written atomically.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _train_cached(gan, x, y, directory, grid, cbs, epochs, batch_size, seed, verbose) -> TrainedGAN:
    from ..training import train

    snap_path = directory / "snapshots.npz"
    done = (directory / "meta.json").exists() and json.loads((directory / "meta.json").read_text())["epoch"] >= epochs
    hist = train(gan, x, y, epochs=epochs, batch_size=batch_size, seed=seed, checkpoint_dir=directory,
                 callbacks=cbs, verbose=verbose)
    snaps: dict = {}
    if snap_path.exists():
        with np.load(snap_path) as f:
            snaps = {int(k): f[k] for k in f.files}
    if grid is not None and grid.snapshots:
        snaps.update(grid.snapshots)
        tmp = snap_path.with_name("snapshots.tmp.npz")
        np.savez(tmp, **{str(k): v for k, v in snaps.items()})
        os.replace(tmp, snap_path)
    return TrainedGAN(gan, hist.history, dict(sorted(snaps.items())), done)


# ---------------------------------------------------------------------- the book's shared models
def _snapshot_every(epochs: int) -> int:
    return max(1, epochs // 5)  # about five points along training, plus the start and the end


#: The seeds of the book's repeated runs: a verdict that compares models is checked on each
#: (``seed=0`` is the run every chapter shows; chapters that compare draw the others too).
SEEDS = (0, 1, 2)


def book_mlp_gan(data, profile, *, seed: int = 0, **options) -> TrainedGAN:
    """The source article's MLP GAN, corrected, trained on ``data.x_train`` with the profile's
    budget (chapter 4; compared with the DCGAN in chapter 7). ``seed`` selects the run
    (initial weights, noise and data order)."""
    return trained_gan("mlp", data.x_train, epochs=profile.gan_epochs, batch_size=profile.batch_size, seed=seed,
                       snapshots=16, snapshot_every=_snapshot_every(profile.gan_epochs),
                       steps_per_execution=profile.steps_per_execution, **options)


def book_dcgan(data, profile, *, seed: int = 0, **options) -> TrainedGAN:
    """The book's DCGAN (TensorFlow tutorial architecture) trained on ``data.x_train``.

    Snapshots hold ``profile.n_eval`` samples from fixed noise at about five points in training
    (chapter 4 shows the first 16 of each as grids; chapter 5 evaluates all of them). ``seed``
    selects the run (initial weights, noise and data order).
    """
    return trained_gan("dcgan", data.x_train, epochs=profile.gan_epochs, batch_size=profile.batch_size, seed=seed,
                       snapshots=profile.n_eval, snapshot_every=_snapshot_every(profile.gan_epochs),
                       steps_per_execution=profile.steps_per_execution, **options)


def book_conditional_gan(data, profile, *, seed: int = 0, **options) -> TrainedGAN:
    """The book's class-conditional DCGAN trained on ``(data.x_train, data.y_train)`` (chapter 5)."""
    return trained_gan("conditional_dcgan", data.x_train, data.y_train, epochs=profile.cgan_epochs,
                       batch_size=profile.batch_size, seed=seed, snapshots=20,
                       snapshot_every=_snapshot_every(profile.cgan_epochs),
                       steps_per_execution=profile.steps_per_execution, **options)
