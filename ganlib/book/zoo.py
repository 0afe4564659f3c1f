"""Trained GANs shared between chapters, cached on disk.

Several chapters need the same trained model (the DCGAN of chapter 4 is evaluated in chapter 5
and probed in chapter 6). :func:`trained_gan` trains it once with :func:`ganlib.train` and a
checkpoint directory inside :func:`ganlib.data.cache_dir`, keyed by everything that determines
the result (architecture, data, epochs, batch size, seed, options, Keras version). A later call
with the same arguments loads the finished state instead of training again; an interrupted
call resumes where it stopped, with every snapshot taken before the interruption (they are saved
in the checkpoint file itself). Training is deterministic for a seed, so a cached model is the
model the notebook would have trained.

An entry is the folder ``<cache>/gans/<architecture>-<key>``: ``checkpoint.npz`` (state, history,
snapshots and fingerprint in one file, see :mod:`ganlib.checkpoint`) and ``manifest.json`` (the
SHA-256 of the checkpoint file). Training happens in ``<name>.partial``; the manifest is written
last and the folder renamed to its final name, so an entry is either complete or absent. An
entry that fails its checksums or cannot be read is rebuilt, with a one-line notice. The lock
``<name>.lock`` records its holder (pid, host, time); waiting for it times out with a message
naming both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import shutil
import socket
import time
from typing import NamedTuple

import numpy as np

from .. import checkpoint as checkpoint_io
from ..checkpoint import CHECKPOINT_FILE, CheckpointError, atomic_write, file_sha256
from ..validation import as_array, check_float, check_positive_int

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
    for name in ("training.py", "optimizers.py", "models.py", "losses.py", "data.py", "callbacks.py", "checkpoint.py"):
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
    lock_timeout: float | None = None,
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
      lock_timeout: seconds to wait for another process training the same model (default
        :data:`LOCK_TIMEOUT`); then a ``TimeoutError`` names the lock file and its holder.
      **gan_options: passed to :func:`ganlib.make_gan` (``loss``, ``steps_per_execution``, ...).
    """
    from ..callbacks import SampleGrid
    from ..data import cache_dir
    from ..training import make_gan, train

    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    snapshots = check_positive_int(snapshots, "snapshots", minimum=0)
    if lock_timeout is not None:
        lock_timeout = check_float(lock_timeout, "lock_timeout", minimum=0.0)
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

    root = pathlib.Path(cache_dir()) / "gans"
    root.mkdir(parents=True, exist_ok=True)
    name = f"{architecture}-{_key(architecture, x, y, config)}"
    # a second process waits (up to lock_timeout seconds), then loads the finished model
    with _exclusive(root / f"{name}.lock", timeout=lock_timeout):
        return _train_cached(gan, x, y, root / name, grid, cbs, epochs, batch_size, seed, verbose)


#: Seconds a caller waits for another process training the same cached model (environment
#: variable ``GANLIB_LOCK_TIMEOUT`` overrides): long enough for the ``cpu`` profile's longest
#: model, short enough that a frozen holder is reported.
LOCK_TIMEOUT = 4 * 3600.0


def _lock_holder(lock_path: pathlib.Path) -> str:
    try:
        text = lock_path.read_text().strip()
    except OSError:
        text = ""
    return text or "unknown (no pid/host recorded)"


@contextlib.contextmanager
def _exclusive(lock_path: pathlib.Path, *, timeout: float | None = None, poll: float = 0.5):
    """An inter-process lock (``fcntl.flock``) around training one cached model.

    Two notebooks that need the same model at the same time (e.g. run in parallel by the tests)
    would otherwise train it twice. The holder writes ``pid=<pid> host=<host> since=<time>``
    into the lock file. A waiting caller prints one line naming the lock and its holder, and
    after ``timeout`` seconds (default :data:`LOCK_TIMEOUT`) raises ``TimeoutError`` naming
    both (a frozen holder never makes it wait without limit). A lock whose holder died is
    released by the operating system. Where ``fcntl`` does not exist (Windows) there is no
    lock; entries are still published atomically.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    if timeout is None:
        timeout = float(os.environ.get("GANLIB_LOCK_TIMEOUT", LOCK_TIMEOUT))
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"lock {lock_path}: still held after {timeout:g} s by {_lock_holder(lock_path)}. "
                        "If that process is frozen, stop it (or delete the lock file once it is gone) "
                        "and call again."
                    ) from None
                if not announced:
                    print(f"Waiting for {lock_path}, held by {_lock_holder(lock_path)} "
                          f"(another process is training this model; timeout {timeout:g} s).")
                    announced = True
                time.sleep(poll)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid={os.getpid()} host={socket.gethostname()} "
                         f"since={time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            handle.flush()
            yield
        finally:
            try:
                handle.seek(0)
                handle.truncate()
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


MANIFEST = "manifest.json"


def _publish(partial: pathlib.Path, final: pathlib.Path, epochs: int) -> None:
    """Make a finished training folder a cache entry: a manifest with the SHA-256 of each file,
    written last inside the folder, then the folder renamed to its final name (atomic)."""
    files = {CHECKPOINT_FILE: file_sha256(partial / CHECKPOINT_FILE)}
    manifest = {"format": 1, "epochs": epochs, "files": files}
    atomic_write(partial / MANIFEST, json.dumps(manifest, sort_keys=True).encode())
    checkpoint_io._rename(partial, final)


def _verify_entry(final: pathlib.Path, epochs: int) -> None:
    """Raise ``CheckpointError`` unless ``final`` is a complete entry whose files match their checksums."""
    try:
        manifest = json.loads((final / MANIFEST).read_text())
        files = dict(manifest["files"])
        if int(manifest["epochs"]) != epochs or CHECKPOINT_FILE not in files:
            raise ValueError("incomplete manifest")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{final / MANIFEST}: missing or damaged ({type(exc).__name__}: {exc})") from exc
    for file_name, digest in files.items():
        path = final / file_name
        if not path.is_file():
            raise CheckpointError(f"{path}: missing")
        if file_sha256(path) != digest:
            raise CheckpointError(f"{path}: does not match its SHA-256 in the manifest")


def _notice(what: str, exc: Exception) -> None:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    print(f"{what} ({reason[:240]}).")


def _train_cached(gan, x, y, final, grid, cbs, epochs, batch_size, seed, verbose) -> TrainedGAN:
    """Load the published entry ``final``, or train in ``<final>.partial`` (resuming an
    interrupted run there, snapshots included) and publish it when complete."""
    from ..training import train

    partial = final.with_name(final.name + ".partial")
    if final.exists():
        try:
            _verify_entry(final, epochs)
            hist = train(gan, x, y, epochs=epochs, batch_size=batch_size, seed=seed, checkpoint_dir=final,
                         callbacks=[grid] if grid is not None else [], verbose=verbose, resume="must")
            return TrainedGAN(gan, hist.history, dict(sorted(grid.snapshots.items())) if grid else {}, True)
        except CheckpointError as exc:
            _notice(f"Cached model {final} is damaged, rebuilding it", exc)
            if grid is not None:
                grid.snapshots.clear()
            shutil.rmtree(final, ignore_errors=True)
    try:
        hist = train(gan, x, y, epochs=epochs, batch_size=batch_size, seed=seed, checkpoint_dir=partial,
                     callbacks=cbs, verbose=verbose)
    except CheckpointError as exc:  # a damaged unfinished run: start it again
        _notice(f"Unfinished training in {partial} is damaged, starting it again", exc)
        if grid is not None:
            grid.snapshots.clear()
        hist = train(gan, x, y, epochs=epochs, batch_size=batch_size, seed=seed, checkpoint_dir=partial,
                     callbacks=cbs, verbose=verbose, resume="never")
    if not hist.diverged:
        _publish(partial, final, epochs)
    return TrainedGAN(gan, hist.history, dict(sorted(grid.snapshots.items())) if grid else {}, False)


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
    """The book's DCGAN (TensorFlow tutorial architecture, ``profile.dcgan_filters`` wide) trained
    on ``data.x_train``.

    Snapshots hold ``profile.n_eval`` samples from fixed noise at about five points in training
    (chapter 4 shows the first 16 of each as grids; chapter 5 evaluates all of them). ``seed``
    selects the run (initial weights, noise and data order).
    """
    return trained_gan("dcgan", data.x_train, epochs=profile.gan_epochs, batch_size=profile.batch_size, seed=seed,
                       snapshots=profile.n_eval, snapshot_every=_snapshot_every(profile.gan_epochs),
                       steps_per_execution=profile.steps_per_execution,
                       **{"filters": profile.dcgan_filters, **options})


def book_conditional_gan(data, profile, *, seed: int = 0, **options) -> TrainedGAN:
    """The book's class-conditional DCGAN (``profile.cgan_filters`` wide) trained on
    ``(data.x_train, data.y_train)`` (chapter 5)."""
    return trained_gan("conditional_dcgan", data.x_train, data.y_train, epochs=profile.cgan_epochs,
                       batch_size=profile.batch_size, seed=seed, snapshots=20,
                       snapshot_every=_snapshot_every(profile.cgan_epochs),
                       steps_per_execution=profile.steps_per_execution,
                       **{"filters": profile.cgan_filters, **options})
