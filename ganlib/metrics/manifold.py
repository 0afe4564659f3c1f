"""Precision, recall, density and coverage (PRDC): the k-nearest-neighbour manifold metrics.

With ``R_i`` the k-NN radius of real point ``x_i`` within the real set, ``F_j`` that of fake point
``y_j`` within the fake set, N real and M fake points and ``B(c, r) = {z : ‖z - c‖ < r}``:

* precision ``= (1/M) Σ_j 1[∃ i: y_j ∈ B(x_i, R_i)]``, recall ``= (1/N) Σ_i 1[∃ j: x_i ∈ B(y_j, F_j)]``
  (Kynkäänniemi et al. 2019);
* density ``= (1/(kM)) Σ_j Σ_i 1[y_j ∈ B(x_i, R_i)]``, coverage ``= (1/N) Σ_i 1[min_j ‖x_i - y_j‖ < R_i]``
  (Naeem et al. 2020).

Also here: the blocked k-NN search they rest on (:func:`knn_radii`; the nearest-neighbour
distances of :func:`ganlib.metrics.memorization_test` use the same blocks) and
:func:`sqrt_thresholds`, which turns ``sqrt(d²) < r`` into the exact comparison ``d² < t(r)``.

How it is fast: squared distances ``‖a‖² + ‖b‖² - 2 aᵀb`` (one matrix product per block, in
float64), row blocks of a few MiB against all columns, a few threads that take blocks from a
queue and each reuse one buffer (one BLAS thread per worker), an in-place ``partition`` for the
radii, and no square root of any block. Memory is O(threads × block): no N × N matrix is held.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from ..validation import as_array, check_feature_scale, check_features, check_positive_int, check_same_dim
from .results import MetricResult

__all__ = ["PRDCResult", "prdc", "knn_radii", "sqrt_thresholds", "DEFAULT_THREADS"]

#: Threads of the blocked k-NN computations (``n_threads=None``).
DEFAULT_THREADS = min(4, os.cpu_count() or 1)

# Working memory of one distance block per thread (bytes). A block of a few MiB stays in the
# processor's caches between the passes made over it (product, norms, clip, selection or
# comparisons); each thread reuses one buffer, so no block is allocated (and page-faulted in) more
# than once.
_BLOCK_MEMORY = 8 * 2**20


@dataclasses.dataclass(frozen=True)
class PRDCResult(MetricResult):
    """Precision, recall, coverage in [0, 1]; density >= 0 (≈ 1 for matching distributions)."""

    precision: float
    recall: float
    density: float
    coverage: float


# --------------------------------------------------------------------------------------------
# Blocks and distances (shared with the memorisation test and the RBF kernel)
# --------------------------------------------------------------------------------------------


def _block_ranges(n: int, block_size: int):
    for start in range(0, n, block_size):
        yield start, min(start + block_size, n)


def _squared_distances(a: np.ndarray, b: np.ndarray, a_sq: np.ndarray, b_sq: np.ndarray,
                       out: np.ndarray | None = None, b_t: np.ndarray | None = None) -> np.ndarray:
    """Squared Euclidean distances ``‖a_i‖² + ‖b_j‖² - 2 a_i·b_j`` (float64, clipped at 0).

    ``a`` (p, d), ``b`` (q, d), ``a_sq`` (p,), ``b_sq`` (q,) -> (p, q), written into ``out``
    (a float64 ``(p, q)`` buffer) when given; ``b_t`` is an optional C-contiguous copy of
    ``b.T`` (d, q), which the matrix product reads faster. The expansion turns the work into one
    matrix product; its round-off is about ``eps * (‖a‖² + ‖b‖²)``, negligible next to the
    neighbour distances it is used for, and the clip removes the tiny negatives it can produce.
    """
    # In place and in scikit-learn's order ((-2ab + ‖a‖²) + ‖b‖², then the clip), which prdc uses
    # too: no temporaries of size p × q beyond the result. (-2a)·b equals -2(a·b) bit for bit
    # (scaling by a power of two is exact outside the subnormal range) and saves a pass over the
    # block. The product's last bits depend on how BLAS blocks and threads it, here as in the
    # reference.
    d2 = np.matmul(-2.0 * a, b.T if b_t is None else b_t, out=out)
    d2 += a_sq[:, None]
    d2 += b_sq[None, :]
    np.maximum(d2, 0.0, out=d2)
    return d2


def _row_norms_sq(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def _nearest_distances(queries: np.ndarray, reference: np.ndarray, block_size: int) -> np.ndarray:
    """Euclidean distance of each query row to its nearest reference row, block by block.

    ``queries`` (p, d), ``reference`` (q, d), validated float64 -> (p,). Memory O(block_size²).
    """
    q_sq, r_sq = _row_norms_sq(queries), _row_norms_sq(reference)
    best = np.full(queries.shape[0], np.inf)
    for r0, r1 in _block_ranges(queries.shape[0], block_size):
        for c0, c1 in _block_ranges(reference.shape[0], block_size):
            d2 = _squared_distances(queries[r0:r1], reference[c0:c1], q_sq[r0:r1], r_sq[c0:c1])
            np.minimum(best[r0:r1], d2.min(axis=1), out=best[r0:r1])
    return np.sqrt(best)


def _rows_per_block(n_columns: int, block_size: int, memory_bytes: int = _BLOCK_MEMORY) -> int:
    """Rows per block so that one ``rows × n_columns`` float64 block stays within ``memory_bytes``
    (at most ``block_size`` rows, at least one)."""
    return max(1, min(block_size, memory_bytes // (8 * max(1, n_columns))))


def _map_blocks(fn, n: int, rows: int, n_columns: int, threads: int) -> None:
    """Run ``fn(r0, r1, buffer, worker)`` over the row blocks ``[r0, r1)`` of ``range(n)``.

    ``threads`` threads take blocks from a shared queue (a busy core takes fewer); each owns one
    float64 ``buffer`` of shape ``(r1 - r0, n_columns)`` (a view of a reused ``rows × n_columns``
    array) and an index ``worker`` in ``range(threads)`` for private accumulators. NumPy releases
    the GIL in matrix products, ``partition`` and elementwise kernels, so the threads keep the
    cores busy where ``partition`` alone would use one.
    """
    import queue
    from concurrent.futures import ThreadPoolExecutor

    blocks = list(_block_ranges(n, rows))
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for b in blocks:
        todo.put(b)

    def work(worker: int) -> None:
        buffer = np.empty((min(rows, n), n_columns))
        while True:
            try:
                r0, r1 = todo.get_nowait()
            except queue.Empty:
                return
            fn(r0, r1, buffer[: r1 - r0], worker)

    workers = min(len(blocks), threads)
    if workers <= 1:
        work(0)
        return
    # One BLAS thread per worker: the blocks already keep every core busy, and a multi-threaded
    # BLAS inside each of them synchronises its threads on every product (on 2 busy cores this
    # measured several times slower).
    with _single_threaded_blas(), ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(work, range(workers)):
            pass


def _single_threaded_blas():
    """Context manager limiting BLAS to one thread (threadpoolctl, a scikit-learn dependency)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn always brings it
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _threads(n_threads) -> int:
    return DEFAULT_THREADS if n_threads is None else check_positive_int(n_threads, "n_threads")


# --------------------------------------------------------------------------------------------
# k-NN radii and the exact radius test
# --------------------------------------------------------------------------------------------


def _knn_radii_squared(x: np.ndarray, k: int, block_size: int, threads: int) -> np.ndarray:
    """Squared k-NN radii of the rows of ``x`` (float64 (N, d), validated) -> (N,)."""
    n = x.shape[0]
    sq = _row_norms_sq(x)
    x_t = np.ascontiguousarray(x.T)
    radii2 = np.empty(n)

    def block(r0, r1, d2, worker):
        _squared_distances(x[r0:r1], x, sq[r0:r1], sq, out=d2, b_t=x_t)
        idx = np.arange(r0, r1)
        d2[idx - r0, idx] = 0.0
        d2.partition(k, axis=1)  # in place: the buffer is rewritten by the next block
        radii2[r0:r1] = d2[:, k]

    _map_blocks(block, n, _rows_per_block(n, block_size), n, threads)
    return radii2


def knn_radii(features, k: int, block_size: int = 2048, *, n_threads: int | None = None) -> np.ndarray:
    """Distance of each point to its k-th nearest neighbour within its own set (self excluded).

    ``r_i = `` the ``(k+1)``-th smallest of ``{‖x_i - x_j‖ : j = 1..N}`` (the smallest is the
    zero self-distance), as ``prdc.compute_nearest_neighbour_distances`` (to round-off).
    Computed block by block: a block of rows against all N columns (at most ``block_size`` rows,
    and few enough that a block holds at most a few MiB), one in-place ``partition`` of the
    squared distances per block (the square root is monotone, so the k-th smallest distance is
    the root of the k-th smallest squared distance), blocks spread over ``n_threads`` threads that
    each reuse one buffer. Memory is O(threads × block) — no ``N × N`` matrix is formed. Distances
    are float64 (``‖a‖² + ‖b‖² - 2 aᵀb``, clipped at 0; self-distances set to exactly 0).

    Args:
      features: ``(N, d)`` finite; k: ``1 <= k < N``; block_size: the largest block height.
      n_threads: worker threads (default :data:`DEFAULT_THREADS`); the result does not depend on it.

    Returns:
      ``(N,)`` float64 radii (Euclidean, not squared).

    Reference: Kynkäänniemi et al. (2019); Naeem et al. (2020).
    """
    x = check_feature_scale(check_features(features, "features", min_samples=2), "features")
    k = check_positive_int(k, "k")
    n = x.shape[0]
    if k >= n:
        raise ValueError(f"k: expected k < N = {n} (the number of samples), got {k}")
    block_size = check_positive_int(block_size, "block_size")
    return np.sqrt(_knn_radii_squared(x, k, block_size, _threads(n_threads)))


def sqrt_thresholds(radii) -> np.ndarray:
    """The smallest float64 ``t_i`` with ``sqrt(t_i) >= r_i``, so that ``sqrt(x) < r_i ⟺ x < t_i``.

    IEEE square root is correctly rounded, hence monotone: ``{x >= 0 : sqrt(x) >= r}`` is an
    interval ``[t, ∞)`` of doubles. For every squared distance ``x >= 0``, ``x < t`` then implies
    ``sqrt(x) < r`` and ``x >= t`` implies ``sqrt(x) >= sqrt(t) >= r``: comparing squared distances
    with ``t`` decides *exactly* what comparing the rounded distances ``sqrt(x)`` with ``r`` decides
    (``r*r`` alone would not: it is rounded). ``t`` starts at ``r*r`` and moves by single ulps.
    This is how :func:`prdc` tests ``‖x - y‖ < r`` without a square root per pair.

    Args:
      radii: ``(n,)`` float64 values >= 0 (``+inf`` is allowed and maps to ``inf``).

    Returns:
      ``(n,)`` float64 thresholds.
    """
    r = as_array(radii, "radii", ndim=1, finite=False)
    if np.isnan(r).any() or (r.size and r.min() < 0):
        raise ValueError(f"radii: expected values >= 0 (not NaN), got minimum {float(np.min(r))}")
    return _sqrt_thresholds(np.array(r, dtype=np.float64, copy=True))


def _sqrt_thresholds(radii: np.ndarray) -> np.ndarray:
    t = radii * radii
    while True:  # make sqrt(t) >= r
        low = np.sqrt(t) < radii
        if not low.any():
            break
        t[low] = np.nextafter(t[low], np.inf)
    with np.errstate(invalid="ignore"):  # sqrt of the negative neighbour of 0 is NaN (compares False)
        while True:  # make t the smallest such double
            below = np.nextafter(t, -np.inf)
            high = np.sqrt(below) >= radii
            if not high.any():
                break
            t[high] = below[high]
    return t


# --------------------------------------------------------------------------------------------
# PRDC
# --------------------------------------------------------------------------------------------


def prdc(real_features, fake_features, *, nearest_k: int = 5, block_size: int = 2048,
         n_threads: int | None = None) -> PRDCResult:
    """Precision, recall, density and coverage of generated features against real features.

    With ``R_i`` the k-NN radius of real point ``x_i`` and ``F_j`` that of fake point ``y_j``
    (:func:`knn_radii`), N real and M fake points, and ``B(c, r) = {z : ‖z - c‖ < r}``:

    * precision ``= (1/M) Σ_j 1[∃ i: y_j ∈ B(x_i, R_i)]`` (Kynkäänniemi et al. 2019)
    * recall ``= (1/N) Σ_i 1[∃ j: x_i ∈ B(y_j, F_j)]``
    * density ``= (1/(kM)) Σ_j Σ_i 1[y_j ∈ B(x_i, R_i)]`` (Naeem et al. 2020)
    * coverage ``= (1/N) Σ_i 1[min_j ‖x_i - y_j‖ < R_i]``

    These are the definitions and strict inequalities of the authors' ``prdc`` package
    (``prdc.compute_prdc``), which this reproduces: the distances come from the same float64
    formula (only the matrix product's last bits depend on how BLAS blocks it, in the package as
    here, which can change a comparison only for a distance equal to a radius to ~1e-14), and the
    test ``sqrt(d²) < r`` is evaluated as ``d² < t(r)`` with ``t(r)`` the smallest double whose
    square root is ``>= r`` (an exact equivalence, see :func:`sqrt_thresholds`), so no square
    root of the N × M block is needed. Unlike the package, the N × M distance matrix is never
    held: real rows are processed in blocks against all fake points, so memory is
    O(threads × block) and N = 50,000 works. Inputs are converted to float64 (pass float64 to
    ``prdc.compute_prdc`` when comparing: it computes float32 inputs in float32).

    Args:
      real_features: ``(N, d)``; fake_features: ``(M, d)``; finite, and small enough that squared
        distances stay finite in float64 (|values| below ~1e153: see
        :func:`ganlib.validation.check_feature_scale`).
      nearest_k: k of the k-NN radii, ``1 <= k < min(N, M)``.
      block_size: the largest block height in rows (a block also stays within a few MiB).
      n_threads: worker threads (default :data:`DEFAULT_THREADS`); the result does not depend on it.

    Returns:
      :class:`PRDCResult` ``(precision, recall, density, coverage)`` of Python floats.

    References: Kynkäänniemi et al. (2019), "Improved precision and recall metric for assessing
    generative models", NeurIPS; Naeem et al. (2020), "Reliable fidelity and diversity metrics
    for generative models", ICML.
    """
    real = check_features(real_features, "real_features", min_samples=2)
    fake = check_features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    # Distances that overflow float64 would fail every ball test: all four metrics silently 0.
    check_feature_scale(real, "real_features")
    check_feature_scale(fake, "fake_features")
    k = check_positive_int(nearest_k, "nearest_k")
    n, m = real.shape[0], fake.shape[0]
    if k >= min(n, m):
        raise ValueError(f"nearest_k: expected nearest_k < min(N, M) = {min(n, m)}, got {k}")
    block_size = check_positive_int(block_size, "block_size")
    threads = _threads(n_threads)

    real_radii = np.sqrt(_knn_radii_squared(real, k, block_size, threads))
    fake_radii = np.sqrt(_knn_radii_squared(fake, k, block_size, threads))
    real_t, fake_thresholds = _sqrt_thresholds(real_radii), _sqrt_thresholds(fake_radii)
    real_sq, fake_sq = _row_norms_sq(real), _row_norms_sq(fake)
    fake_t = np.ascontiguousarray(fake.T)
    real_recalled = np.zeros(n, dtype=bool)
    nearest_fake_sq = np.empty(n)
    balls_per_fake = np.zeros((threads, m), dtype=np.int64)  # one row per worker: no races

    def block(r0, r1, d2, worker):
        _squared_distances(real[r0:r1], fake, real_sq[r0:r1], fake_sq, out=d2, b_t=fake_t)
        balls_per_fake[worker] += (d2 < real_t[r0:r1, None]).sum(axis=0)
        real_recalled[r0:r1] = (d2 < fake_thresholds[None, :]).any(axis=1)
        nearest_fake_sq[r0:r1] = d2.min(axis=1)

    _map_blocks(block, n, _rows_per_block(m, block_size), m, threads)
    balls = balls_per_fake.sum(axis=0)
    return PRDCResult(
        precision=float(np.mean(balls > 0)),
        recall=float(np.mean(real_recalled)),
        density=float((1.0 / float(k)) * np.mean(balls)),  # the package's order of operations
        # min_j sqrt(d²_ij) = sqrt(min_j d²_ij) (monotone), compared exactly as above
        coverage=float(np.mean(nearest_fake_sq < real_t)),
    )
