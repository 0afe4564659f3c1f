"""Sample-based evaluation metrics for generative models.

Small, documented functions over feature arrays, in the style of clovaai's ``prdc`` and
clean-fid: every function states its formula, the shapes it accepts and the paper it comes from.
The numerics are NumPy/SciPy in float64; TensorFlow/Keras is imported lazily and only for feature
extraction (:func:`extract_features`, :func:`inception_v3_extractor`) and for training the
classifier of :func:`classification_accuracy_score`.

Conventions: features are arrays of shape ``(n_samples, n_features)``; "real" and "fake"
(generated) sets may have different sizes but must share the feature dimension. Bad input raises
``ValueError``/``TypeError`` naming the argument (see :mod:`ganlib.validation`).

Overview

================================  ======================================================
Fréchet (Inception) distance      :func:`feature_statistics`, :func:`frechet_distance`,
                                  :func:`frechet_distance_sqrtm`, :func:`fid_from_features`,
                                  :func:`fid`, :func:`fid_at_sample_sizes`
Features                          :func:`extract_features`, :func:`inception_v3_extractor`
Kernel distances                  :func:`kid`, :func:`mmd2_unbiased`
Classifier scores                 :func:`inception_score`, :func:`classifier_score`,
                                  :func:`classification_accuracy_score`, :func:`accuracy`
Precision/recall                  :func:`prdc`, :func:`knn_radii`
Two-sample / memorisation tests   :func:`c2st`, :func:`memorization_test`
Toy mixtures                      :func:`mode_coverage`
Uncertainty                       :func:`bootstrap_ci`
================================  ======================================================
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from .validation import (
    as_array,
    check_choice,
    check_positive_int,
    check_probability,
    check_same_dim,
)

__all__ = [
    "KIDResult",
    "InceptionScoreResult",
    "C2STResult",
    "BootstrapResult",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_sqrtm",
    "fid_from_features",
    "fid",
    "fid_at_sample_sizes",
    "extract_features",
    "inception_v3_extractor",
    "mmd2_unbiased",
    "kid",
    "inception_score",
    "classifier_score",
    "knn_radii",
    "prdc",
    "c2st",
    "accuracy",
    "classification_accuracy_score",
    "memorization_test",
    "mode_coverage",
    "bootstrap_ci",
]


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


class KIDResult(NamedTuple):
    """Kernel Inception Distance: mean and standard deviation of the per-subset MMD² estimates."""

    mean: float
    std: float


class InceptionScoreResult(NamedTuple):
    """Inception score: mean and standard deviation over the splits."""

    mean: float
    std: float


class C2STResult(NamedTuple):
    """Classifier two-sample test: held-out accuracy, one-sided binomial p-value, test-set size."""

    accuracy: float
    p_value: float
    n_test: int


class BootstrapResult(NamedTuple):
    """Bootstrap estimate: the metric on the full data and a percentile interval."""

    estimate: float
    low: float
    high: float
    std: float


# --------------------------------------------------------------------------------------------
# Internal helpers
# --------------------------------------------------------------------------------------------


def _features(value, name: str, *, min_samples: int = 1) -> np.ndarray:
    """Validate a 2-D finite feature array and return it as float64."""
    arr = as_array(value, name, ndim=2, min_samples=min_samples)
    if arr.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one feature column, got shape {arr.shape}")
    return np.asarray(arr, dtype=np.float64)


def _check_callable(value, name: str) -> None:
    if not callable(value):
        raise TypeError(f"{name}: expected a callable, got {type(value).__name__}")


def _check_positive_float(value, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    value = float(value)
    ok = value >= 0.0 if allow_zero else value > 0.0
    if not (np.isfinite(value) and ok):
        want = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise ValueError(f"{name}: expected {want}, got {value}")
    return value


# Working memory of one distance block per thread (bytes) and threads for the blocked k-NN
# computations. A block of a few MiB stays in the processor's caches between the passes made over
# it (product, norms, clip, selection or comparisons); each thread reuses one buffer, so no block
# is allocated (and page-faulted in) more than once.
_BLOCK_MEMORY = 8 * 2**20
_THREADS = min(4, os.cpu_count() or 1)


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


def _sqrt_thresholds(radii: np.ndarray) -> np.ndarray:
    """The smallest float64 ``t_i`` with ``sqrt(t_i) >= r_i``, so that ``sqrt(x) < r_i ⟺ x < t_i``.

    IEEE square root is correctly rounded, hence monotone: ``{x >= 0 : sqrt(x) >= r}`` is an
    interval ``[t, ∞)`` of doubles. For every squared distance ``x >= 0``, ``x < t`` then implies
    ``sqrt(x) < r`` and ``x >= t`` implies ``sqrt(x) >= sqrt(t) >= r``: comparing squared distances
    with ``t`` decides *exactly* what comparing the rounded distances ``sqrt(x)`` with ``r`` decides
    (``r*r`` alone would not: it is rounded). ``t`` starts at ``r*r`` and moves by single ulps.

    ``radii`` (n,) float64 >= 0 -> (n,) float64.
    """
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


def _nearest_distances(queries: np.ndarray, reference: np.ndarray, block_size: int) -> np.ndarray:
    """Euclidean distance of each query row to its nearest reference row, block by block.

    ``queries`` (p, d), ``reference`` (q, d) -> (p,). Memory O(block_size²).
    """
    q_sq, r_sq = _row_norms_sq(queries), _row_norms_sq(reference)
    best = np.full(queries.shape[0], np.inf)
    for r0, r1 in _block_ranges(queries.shape[0], block_size):
        for c0, c1 in _block_ranges(reference.shape[0], block_size):
            d2 = _squared_distances(queries[r0:r1], reference[c0:c1], q_sq[r0:r1], r_sq[c0:c1])
            np.minimum(best[r0:r1], d2.min(axis=1), out=best[r0:r1])
    return np.sqrt(best)


def _std(values: np.ndarray) -> float:
    """Sample standard deviation (ddof=1); NaN for a single value (undefined)."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


# --------------------------------------------------------------------------------------------
# Fréchet distance
# --------------------------------------------------------------------------------------------


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance of a feature sample: the Gaussian fitted for FID.

    ``mu = (1/n) Σ_i x_i`` and ``sigma = (1/(n-1)) Σ_i (x_i - mu)(x_i - mu)ᵀ``
    (``np.cov(features, rowvar=False, ddof=1)``), computed in float64 whatever the input dtype.

    Args:
      features: array ``(n, d)`` of real numbers, ``n >= 2`` (a covariance needs two samples).

    Returns:
      ``(mu, sigma)``: float64 arrays of shapes ``(d,)`` and ``(d, d)``.

    Reference: Heusel et al. (2017), "GANs trained by a two time-scale update rule converge to a
    local Nash equilibrium", NeurIPS.
    """
    x = _features(features, "features", min_samples=2)
    mu = x.mean(axis=0)
    sigma = np.atleast_2d(np.cov(x, rowvar=False, ddof=1))
    return mu, sigma


def _gaussian(mu, sigma, name_mu: str, name_sigma: str) -> tuple[np.ndarray, np.ndarray]:
    mu = np.asarray(as_array(mu, name_mu, ndim=1), dtype=np.float64)
    d = mu.shape[0]
    if d < 1:
        raise ValueError(f"{name_mu}: expected a non-empty mean vector, got shape {mu.shape}")
    sigma = np.asarray(as_array(sigma, name_sigma, ndim=2), dtype=np.float64)
    if sigma.shape != (d, d):
        raise ValueError(
            f"{name_sigma}: expected shape ({d}, {d}) to match {name_mu} of shape ({d},), "
            f"got shape {sigma.shape}"
        )
    scale = float(np.max(np.abs(sigma)))
    asym = float(np.max(np.abs(sigma - sigma.T)))
    if asym > 1e-6 * scale:
        raise ValueError(
            f"{name_sigma}: expected a symmetric covariance matrix, got max |sigma - sigma.T| = "
            f"{asym:.3g} (max |sigma| = {scale:.3g})"
        )
    return mu, (sigma + sigma.T) / 2.0


def _pair_of_gaussians(mu1, sigma1, mu2, sigma2):
    mu1, sigma1 = _gaussian(mu1, sigma1, "mu1", "sigma1")
    mu2, sigma2 = _gaussian(mu2, sigma2, "mu2", "sigma2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            f"mu1 and mu2: expected the same feature dimension, got {mu1.shape[0]} and {mu2.shape[0]}"
        )
    return mu1, sigma1, mu2, sigma2


def _clip_spectrum(eigenvalues: np.ndarray) -> np.ndarray:
    """Zero eigenvalues below the numerical-rank tolerance ``d · eps · max|λ|`` (and negatives)."""
    tol = eigenvalues.shape[0] * np.finfo(np.float64).eps * max(float(np.max(np.abs(eigenvalues))), 0.0)
    return np.where(eigenvalues > tol, eigenvalues, 0.0)


def _covariance_factor(sigma: np.ndarray, *, force_eigh: bool = False) -> np.ndarray:
    """A matrix ``B`` with ``B Bᵀ = sigma`` for a symmetric PSD ``(d, d)`` ``sigma``.

    The Cholesky factor when every pivot² exceeds ``sqrt(eps_machine) · max diag(sigma)`` (a
    well-conditioned, positive definite matrix: Cholesky is backward stable there); otherwise, or
    with ``force_eigh``, ``U Λ^{1/2}`` from ``eigh`` with the spectrum clipped at the numerical-rank
    tolerance (see :func:`_clip_spectrum`), which handles singular matrices exactly.
    """
    if not force_eigh:
        try:
            low = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            low = None
        if low is not None:
            pivots_sq = np.diagonal(low) ** 2
            if pivots_sq.min() > np.sqrt(np.finfo(np.float64).eps) * max(float(np.max(np.diagonal(sigma))), 0.0):
                return low
    lam, u = np.linalg.eigh(sigma)
    return u * np.sqrt(_clip_spectrum(lam))


def frechet_distance(mu1, sigma1, mu2, sigma2, *, eps: float = 0.0) -> float:
    """Fréchet (2-Wasserstein) distance between two Gaussians, computed with symmetric eigensolvers.

    ``d² = ‖mu1 - mu2‖² + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^{1/2})``

    (Dowson & Landau 1982; the FID of Heusel et al. 2017 is this formula applied to Inception
    features). The trace term is computed exactly and without complex numbers: with the
    eigendecomposition ``sigma1 = U Λ Uᵀ`` and ``S = U Λ^{1/2} Uᵀ``, ``sigma1 sigma2 = S (S sigma2)``
    and the symmetric PSD matrix ``M = (S sigma2) S`` have the same eigenvalues (``AB`` and ``BA``
    share their spectrum, singular or not), so ``tr((sigma1 sigma2)^{1/2}) = Σ_i sqrt(λ_i(M))``;
    ``M`` is similar to ``Bᵀ sigma2 B`` for any ``B`` with ``B Bᵀ = sigma1``, which is what is
    formed. When ``sigma1`` is numerically positive definite (every Cholesky pivot² above
    ``sqrt(eps_machine) · max diag``), ``B`` is its Cholesky factor ``L`` (an order of magnitude
    cheaper than an eigendecomposition); otherwise ``B = U Λ^{1/2}`` from ``eigh``. Either way one
    ``eigvalsh`` and two matrix products remain: several times faster than
    ``scipy.linalg.sqrtm(sigma1 @ sigma2)`` at d = 2048 (``benchmarks/RESULTS.md``), and the two
    routes agree to round-off where both apply (tested).

    Singular (rank-deficient) covariances, e.g. fewer samples than features, need no
    regularisation: they take the eigendecomposition route, where eigenvalues of ``sigma1`` and
    ``M`` below the numerical-rank tolerance ``d · eps_machine · max λ`` (including round-off
    negatives) are set to 0, which is the exact answer for a PSD matrix of lower rank. ``eps > 0`` adds ``eps · I`` to both covariances only
    when asked (the offset older implementations apply on failure); it changes the value.

    Args:
      mu1, mu2: mean vectors, shape ``(d,)``.
      sigma1, sigma2: symmetric positive semi-definite covariance matrices, shape ``(d, d)``
        (symmetry is checked to a relative tolerance of 1e-6, then enforced).
      eps: optional non-negative diagonal offset (default 0: none).

    Returns:
      ``d²`` as a Python float, ``>= 0`` (round-off negatives are clipped to 0).
    """
    mu1, sigma1, mu2, sigma2 = _pair_of_gaussians(mu1, sigma1, mu2, sigma2)
    eps = _check_positive_float(eps, "eps", allow_zero=True)
    if eps > 0:
        offset = eps * np.eye(mu1.shape[0])
        sigma1, sigma2 = sigma1 + offset, sigma2 + offset
    b = _covariance_factor(sigma1)
    # For B Bᵀ = sigma1, sigma1 sigma2 = B (Bᵀ sigma2) has the eigenvalues of Bᵀ sigma2 B
    # (AB and BA share their spectrum), a symmetric PSD matrix: two products, one eigvalsh.
    m = b.T @ (sigma2 @ b)
    m = (m + m.T) / 2.0
    tr_covmean = float(np.sum(np.sqrt(_clip_spectrum(np.linalg.eigvalsh(m)))))
    diff = mu1 - mu2
    d2 = float(diff @ diff) + float(np.trace(sigma1)) + float(np.trace(sigma2)) - 2.0 * tr_covmean
    return max(d2, 0.0)


def frechet_distance_sqrtm(mu1, sigma1, mu2, sigma2, *, eps: float = 1e-6) -> float:
    """Reference Fréchet distance via ``scipy.linalg.sqrtm`` (the pytorch-fid / TTUR recipe).

    Same formula as :func:`frechet_distance`, but ``tr((sigma1 sigma2)^{1/2})`` is the trace of
    the general (non-symmetric) matrix square root of ``sigma1 @ sigma2``. If that root is not
    finite (singular product), it is recomputed for ``(sigma1 + eps I)(sigma2 + eps I)``; a complex
    result is replaced by its real part (an error is raised if the imaginary part of the diagonal
    exceeds 1e-3). Kept as the baseline for tests and benchmarks; prefer :func:`frechet_distance`.

    Args:
      mu1, mu2: ``(d,)``; sigma1, sigma2: ``(d, d)`` symmetric.
      eps: diagonal offset used only for the retry (default 1e-6, as in pytorch-fid).

    Returns:
      ``d²`` as a Python float, without clipping (it can be slightly negative from round-off).

    Reference: Heusel et al. (2017), TTUR code; Seitzer, pytorch-fid.
    """
    import scipy.linalg

    mu1, sigma1, mu2, sigma2 = _pair_of_gaussians(mu1, sigma1, mu2, sigma2)
    eps = _check_positive_float(eps, "eps")

    def _sqrtm(a):
        # SciPy warns on singular input and, in 1.17, on the deprecated ``disp``: finiteness is
        # checked below instead.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return scipy.linalg.sqrtm(a)

    covmean = _sqrtm(sigma1 @ sigma2)
    if not np.all(np.isfinite(covmean)):
        offset = eps * np.eye(mu1.shape[0])
        covmean = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0.0, atol=1e-3):
            worst = float(np.max(np.abs(np.diagonal(covmean).imag)))
            raise ValueError(
                f"sigma1 and sigma2: sqrtm(sigma1 @ sigma2) has an imaginary diagonal component "
                f"of {worst:.3g}; use frechet_distance instead"
            )
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def fid_from_features(real_features, fake_features) -> float:
    """Fréchet distance between Gaussians fitted to two feature samples (FID on given features).

    ``FID = frechet_distance(*feature_statistics(real_features), *feature_statistics(fake_features))``.

    Args:
      real_features: ``(n, d)``, ``n >= 2``; fake_features: ``(m, d)``, ``m >= 2``.

    Returns:
      The FID as a Python float ``>= 0``. It is biased upwards for small samples (see
      :func:`fid_at_sample_sizes`): compare values only at equal sample sizes.

    Reference: Heusel et al. (2017).
    """
    real = _features(real_features, "real_features", min_samples=2)
    fake = _features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    mu1, s1 = feature_statistics(real)
    mu2, s2 = feature_statistics(fake)
    return frechet_distance(mu1, s1, mu2, s2)


def fid_at_sample_sizes(real_features, fake_features, sizes: Iterable[int], *, n_repeats: int = 3,
                        seed: int = 0) -> dict[int, tuple[float, float]]:
    """FID on random subsets of several sizes, exposing its small-sample bias.

    For each ``n`` in ``sizes`` and each of ``n_repeats`` repeats, ``n`` rows are drawn without
    replacement from each feature set and :func:`fid_from_features` is evaluated. FID's expected
    value decreases with ``n`` (roughly like ``a + b/n``) even when both sets come from the same
    distribution, which is why FIDs are only comparable at equal ``n``.

    Args:
      real_features: ``(N, d)``; fake_features: ``(M, d)``.
      sizes: subset sizes, each ``2 <= n <= min(N, M)``.
      n_repeats: subsets per size (>= 1).
      seed: seed of the subset draws.

    Returns:
      ``{n: (mean, std)}`` over the repeats (``std`` with ddof=1; NaN if ``n_repeats == 1``).

    References: Bińkowski et al. (2018), "Demystifying MMD GANs", ICLR; Chong & Forsyth (2020),
    "Effectively unbiased FID and Inception Score and where to find them", CVPR.
    """
    real = _features(real_features, "real_features", min_samples=2)
    fake = _features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    seed = check_positive_int(seed, "seed", minimum=0)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Iterable):
        raise TypeError(f"sizes: expected an iterable of integers, got {type(sizes).__name__}")
    sizes = [check_positive_int(s, "sizes", minimum=2) for s in sizes]
    if not sizes:
        raise ValueError("sizes: expected at least one sample size, got none")
    limit = min(real.shape[0], fake.shape[0])
    for s in sizes:
        if s > limit:
            raise ValueError(f"sizes: expected sizes <= min(N, M) = {limit}, got {s}")
    rng = np.random.default_rng(seed)
    out: dict[int, tuple[float, float]] = {}
    for s in sizes:
        values = np.array([
            fid_from_features(real[rng.choice(real.shape[0], s, replace=False)],
                              fake[rng.choice(fake.shape[0], s, replace=False)])
            for _ in range(n_repeats)
        ])
        out[s] = (float(values.mean()), _std(values))
    return out


# --------------------------------------------------------------------------------------------
# Feature extraction
# --------------------------------------------------------------------------------------------


def _is_keras_model(obj) -> bool:
    keras = sys.modules.get("keras")  # a Keras model implies Keras is already imported
    return keras is not None and isinstance(obj, keras.Model)


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


def _run_batched(images: np.ndarray, fn, batch_size: int, name_fn: str) -> np.ndarray:
    """Apply ``fn`` to ``images`` in batches; return the concatenated outputs as (N, ...)."""
    call = (lambda b: fn(b, training=False)) if _is_keras_model(fn) else fn
    outputs = []
    for start, stop in _block_ranges(images.shape[0], batch_size):
        out = _to_numpy(call(images[start:stop]))
        if out.ndim < 1 or out.shape[0] != stop - start:
            raise ValueError(
                f"{name_fn}: expected an output with {stop - start} rows for a batch of "
                f"{stop - start} images, got shape {out.shape}"
            )
        outputs.append(out)
    return np.concatenate(outputs, axis=0)


def _images(images, name: str) -> np.ndarray:
    arr = as_array(images, name, min_samples=1)
    if arr.ndim < 2:
        raise ValueError(f"{name}: expected an array (N, ...) of images, got shape {arr.shape}")
    return arr.astype(np.float32, copy=False)


def extract_features(images, extractor, *, batch_size: int = 256) -> np.ndarray:
    """Run a feature extractor over images in batches.

    ``features[i] = flatten(extractor(images[i]))``. A ``keras.Model`` is called as
    ``extractor(batch, training=False)`` (inference mode for batch-norm/dropout); any other
    callable as ``extractor(batch)``. Images are passed as float32 NumPy batches.

    Args:
      images: array ``(N, ...)``, e.g. ``(N, 28, 28, 1)`` float32 in [0, 1]; finite, ``N >= 1``.
      extractor: ``keras.Model`` or callable mapping ``(B, ...)`` to ``(B, d)`` (or ``(B, ...)``,
        flattened to ``(B, d)``).
      batch_size: images per call.

    Returns:
      ``(N, d)`` array in the extractor's dtype (float32 for Keras models; the statistics
      functions convert to float64).
    """
    x = _images(images, "images")
    _check_callable(extractor, "extractor")
    batch_size = check_positive_int(batch_size, "batch_size")
    feats = _run_batched(x, extractor, batch_size, "extractor")
    return feats.reshape(feats.shape[0], -1)


def fid(real_images, fake_images, extractor, *, batch_size: int = 256) -> float:
    """Fréchet distance between the extractor features of real and generated images.

    ``FID = fid_from_features(extract_features(real_images), extract_features(fake_images))``.
    With :func:`inception_v3_extractor` this is the FID of Heusel et al. (2017) (up to resizing
    details, so not comparable with published numbers); with an MNIST classifier's penultimate
    layer it is the domain-specific variant usual for MNIST.

    Args:
      real_images: ``(N, ...)``, ``N >= 2``; fake_images: ``(M, ...)``, ``M >= 2``.
      extractor: see :func:`extract_features`.
      batch_size: images per extractor call.

    Returns:
      The FID as a Python float ``>= 0``.
    """
    real = _images(real_images, "real_images")
    fake = _images(fake_images, "fake_images")
    for arr, name in ((real, "real_images"), (fake, "fake_images")):
        if arr.shape[0] < 2:
            raise ValueError(f"{name}: expected at least 2 sample(s) along the first axis, got {arr.shape[0]}")
    _check_callable(extractor, "extractor")
    batch_size = check_positive_int(batch_size, "batch_size")
    f_real = _run_batched(real, extractor, batch_size, "extractor")
    f_fake = _run_batched(fake, extractor, batch_size, "extractor")
    return fid_from_features(f_real.reshape(len(f_real), -1), f_fake.reshape(len(f_fake), -1))


class _InceptionFeatureExtractor:
    """Callable wrapping InceptionV3 (pool3, 2048-d) with the preprocessing FID expects."""

    feature_dim = 2048
    image_size = 299

    def __init__(self, model, chunk_size: int = 32):
        self.model = model
        self.chunk_size = chunk_size

    def __call__(self, images) -> np.ndarray:
        import tensorflow as tf

        x = as_array(images, "images", ndim=4, min_samples=1, value_range=(0.0, 1.0))
        if x.shape[-1] not in (1, 3):
            raise ValueError(f"images: expected 1 or 3 channels (N, H, W, C), got shape {x.shape}")
        x = x.astype(np.float32, copy=False)
        out = []
        # Inception activations at 299x299 are large: bound memory by processing small chunks.
        for start, stop in _block_ranges(x.shape[0], self.chunk_size):
            b = tf.image.resize(x[start:stop], (self.image_size, self.image_size), method="bilinear")
            if b.shape[-1] == 1:
                b = tf.repeat(b, 3, axis=-1)
            b = b * 2.0 - 1.0  # keras.applications.inception_v3.preprocess_input for [0, 1] input
            out.append(self.model(b, training=False).numpy())
        return np.concatenate(out, axis=0)


def inception_v3_extractor(weights: str | None = "imagenet") -> Callable[[np.ndarray], np.ndarray]:
    """InceptionV3 pool features (2048-d) for FID/KID/PRDC on natural-image scales.

    Builds ``keras.applications.InceptionV3(include_top=False, pooling="avg", weights=weights)``
    and wraps it in a callable that accepts images ``(N, H, W, 1 or 3)`` float in [0, 1]:
    bilinear resize to 299×299, grayscale repeated to 3 channels, scale to [-1, 1]
    (Inception preprocessing). Output: ``(N, 2048)`` float32.

    The numbers differ from published FIDs (which use the TTUR TensorFlow-1 graph and its own
    resizing); compare only values computed with the same extractor.

    Args:
      weights: ``"imagenet"`` (downloaded once by Keras into ``~/.keras/models``), a path to a
        local weights file, or ``None`` (random weights: only for tests).

    Returns:
      A callable ``images -> (N, 2048)`` with attributes ``model`` and ``feature_dim``.

    Raises:
      RuntimeError: if the ImageNet weights cannot be obtained (no network). The MNIST
        classifier features (:mod:`ganlib.models`) are the offline default.

    Reference: Szegedy et al. (2016), "Rethinking the Inception architecture", CVPR.
    """
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise TypeError(f"weights: expected 'imagenet', a weights file path or None, got {type(weights).__name__}")
    if weights is not None and weights != "imagenet" and not os.path.isfile(weights):
        raise ValueError(f"weights: expected 'imagenet', an existing weights file or None, got {weights!r}")
    import keras

    try:
        model = keras.applications.InceptionV3(
            include_top=False, pooling="avg", weights=None if weights is None else os.fspath(weights),
            input_shape=(299, 299, 3),
        )
    except Exception as exc:
        if weights is None:
            raise
        raise RuntimeError(
            f"inception_v3_extractor: could not load InceptionV3 weights ({weights!r}): {exc}. "
            "The ImageNet weights need a one-time download (network access), or pass a local "
            "weights file path as weights=. Offline, use the MNIST classifier features "
            "(ganlib.models) instead, the default feature extractor of this book."
        ) from exc
    return _InceptionFeatureExtractor(model)


# --------------------------------------------------------------------------------------------
# Kernel distances
# --------------------------------------------------------------------------------------------

_KERNELS = ("polynomial", "rbf", "linear")


def _kernel_matrix(a, b, kernel, degree, gamma, coef0):
    if kernel == "linear":
        return a @ b.T
    if kernel == "polynomial":
        return (gamma * (a @ b.T) + coef0) ** degree
    d2 = _squared_distances(a, b, _row_norms_sq(a), _row_norms_sq(b))
    return np.exp(-gamma * d2)


def _mmd2_from_kernels(kxx: np.ndarray, kyy: np.ndarray, kxy: np.ndarray) -> float:
    n, m = kxx.shape[0], kyy.shape[0]
    sxx = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
    syy = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    sxy = kxy.sum() / (n * m)
    return float(sxx + syy - 2.0 * sxy)


def _kernel_options(kernel, degree, gamma, coef0, d):
    kernel = check_choice(kernel, "kernel", _KERNELS)
    degree = check_positive_int(degree, "degree")
    gamma = 1.0 / d if gamma is None else _check_positive_float(gamma, "gamma")
    coef0 = _check_positive_float(coef0, "coef0", allow_zero=True)
    return kernel, degree, gamma, coef0


def mmd2_unbiased(x, y, kernel: str = "polynomial", *, degree: int = 3, gamma: float | None = None,
                  coef0: float = 1.0) -> float:
    """Unbiased estimate of the squared maximum mean discrepancy between two samples.

    ``MMD²_u = Σ_{i≠j} k(x_i, x_j) / (n(n-1)) + Σ_{i≠j} k(y_i, y_j) / (m(m-1))
    - 2 Σ_{i,j} k(x_i, y_j) / (n m)``

    Kernels: ``"polynomial"`` ``k(a, b) = (gamma aᵀb + coef0)^degree`` (the KID kernel),
    ``"rbf"`` ``k(a, b) = exp(-gamma ‖a - b‖²)``, ``"linear"`` ``k(a, b) = aᵀb``. ``gamma``
    defaults to ``1/d``. The estimate can be negative when the distributions are equal.

    Args:
      x: ``(n, d)``, ``n >= 2``; y: ``(m, d)``, ``m >= 2``.
      kernel: one of ``"polynomial"``, ``"rbf"``, ``"linear"``.
      degree: polynomial degree (>= 1); gamma: positive scale or None; coef0: offset >= 0.

    Returns:
      ``MMD²_u`` as a Python float. Memory O((n + m)²): subsample large sets (see :func:`kid`).

    Reference: Gretton et al. (2012), "A kernel two-sample test", JMLR.
    """
    x = _features(x, "x", min_samples=2)
    y = _features(y, "y", min_samples=2)
    check_same_dim(x, y, "x", "y")
    kernel, degree, gamma, coef0 = _kernel_options(kernel, degree, gamma, coef0, x.shape[1])
    opts = (kernel, degree, gamma, coef0)
    return _mmd2_from_kernels(_kernel_matrix(x, x, *opts), _kernel_matrix(y, y, *opts),
                              _kernel_matrix(x, y, *opts))


def kid(real_features, fake_features, *, n_subsets: int = 100, subset_size: int = 1000,
        degree: int = 3, gamma: float | None = None, coef0: float = 1.0, seed: int = 0) -> KIDResult:
    """Kernel Inception Distance: polynomial-kernel MMD², averaged over random subsets.

    For each of ``n_subsets`` subsets, ``m = min(subset_size, N, M)`` rows are drawn without
    replacement from each set and :func:`mmd2_unbiased` is computed with the cubic kernel
    ``k(a, b) = (aᵀb / d + 1)^3`` (defaults). KID is unbiased, so unlike FID its expectation does
    not depend on the sample size; it can be slightly negative for equal distributions.

    Args:
      real_features: ``(N, d)``; fake_features: ``(M, d)``; ``min(N, M) >= 2``.
      n_subsets: number of subsets (>= 1); subset_size: rows per subset (>= 2).
      degree, gamma, coef0: kernel parameters (gamma None: ``1/d``).
      seed: seed of the subset draws.

    Returns:
      ``KIDResult(mean, std)``: mean and standard deviation (ddof=1; NaN for one subset) of the
      per-subset estimates. ``std`` describes one subset's estimate; the standard error of
      ``mean`` is smaller (but the subsets overlap, so not by ``sqrt(n_subsets)``).

    Reference: Bińkowski, Sutherland, Arbel & Gretton (2018), "Demystifying MMD GANs", ICLR.
    """
    real = _features(real_features, "real_features", min_samples=2)
    fake = _features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    n_subsets = check_positive_int(n_subsets, "n_subsets")
    subset_size = check_positive_int(subset_size, "subset_size", minimum=2)
    seed = check_positive_int(seed, "seed", minimum=0)
    opts = _kernel_options("polynomial", degree, gamma, coef0, real.shape[1])
    m = min(subset_size, real.shape[0], fake.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(n_subsets)
    for s in range(n_subsets):
        x = real[rng.choice(real.shape[0], m, replace=False)]
        y = fake[rng.choice(fake.shape[0], m, replace=False)]
        values[s] = _mmd2_from_kernels(_kernel_matrix(x, x, *opts), _kernel_matrix(y, y, *opts),
                                       _kernel_matrix(x, y, *opts))
    return KIDResult(float(values.mean()), _std(values))


# --------------------------------------------------------------------------------------------
# Classifier-based scores
# --------------------------------------------------------------------------------------------


def inception_score(probs, *, n_splits: int = 10) -> InceptionScoreResult:
    """Inception score from class probabilities: ``exp(E_x KL(p(y|x) ‖ p(y)))`` per split.

    For each of ``n_splits`` contiguous splits (``np.array_split``), ``p(y)`` is the mean of the
    split's rows and ``IS = exp(mean_i Σ_c p_ic (log p_ic - log p(y)_c))`` (``0 log 0 = 0``).
    The score lies in ``[1, C]``: ``C`` for confident predictions spread uniformly over the ``C``
    classes, 1 when every row is the same. With an MNIST classifier instead of Inception this is
    the "classifier score".

    Args:
      probs: ``(N, C)`` non-negative rows summing to 1 (within 1e-3), e.g. softmax outputs.
      n_splits: number of splits, ``1 <= n_splits <= N``.

    Returns:
      ``InceptionScoreResult(mean, std)`` over the splits (std with ddof=0, as in the original code).

    Reference: Salimans et al. (2016), "Improved techniques for training GANs", NeurIPS.
    """
    from scipy.special import xlogy

    p = np.asarray(as_array(probs, "probs", ndim=2, min_samples=1), dtype=np.float64)
    if p.min() < 0:
        raise ValueError(f"probs: expected non-negative probabilities, got minimum {float(p.min()):.4g}")
    sums = p.sum(axis=1)
    if np.max(np.abs(sums - 1.0)) > 1e-3:
        worst = float(sums[np.argmax(np.abs(sums - 1.0))])
        raise ValueError(f"probs: expected rows summing to 1 (within 1e-3), got a row summing to {worst:.6g}")
    n_splits = check_positive_int(n_splits, "n_splits")
    if n_splits > p.shape[0]:
        raise ValueError(f"n_splits: expected at most N = {p.shape[0]} splits, got {n_splits}")
    scores = []
    for part in np.array_split(p, n_splits):
        py = part.mean(axis=0, keepdims=True)
        kl = (xlogy(part, part) - xlogy(part, py)).sum(axis=1)
        scores.append(math.exp(float(kl.mean())))
    scores = np.array(scores)
    return InceptionScoreResult(float(scores.mean()), float(scores.std()))


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def classifier_score(images, classifier, *, n_splits: int = 10, batch_size: int = 256) -> InceptionScoreResult:
    """Inception score computed with a logits classifier (e.g. an MNIST CNN): the "classifier score".

    ``probs = softmax(classifier(images))`` (in float64), then :func:`inception_score`.

    Args:
      images: ``(N, ...)`` images, e.g. ``(N, 28, 28, 1)`` in [0, 1].
      classifier: ``keras.Model`` or callable returning logits ``(B, C)``.
      n_splits: see :func:`inception_score`; batch_size: images per call.

    Returns:
      ``InceptionScoreResult(mean, std)``; at most ``C`` (10 for MNIST).
    """
    x = _images(images, "images")
    _check_callable(classifier, "classifier")
    batch_size = check_positive_int(batch_size, "batch_size")
    logits = _run_batched(x, classifier, batch_size, "classifier")
    if logits.ndim != 2:
        raise ValueError(f"classifier: expected logits of shape (N, C), got shape {logits.shape}")
    logits = as_array(logits, "classifier output").astype(np.float64)
    return inception_score(_softmax(logits), n_splits=n_splits)


def accuracy(model, x, y, batch_size: int = 512) -> float:
    """Top-1 accuracy of a logits classifier: ``mean_i 1[argmax_c model(x)_ic == y_i]``.

    Args:
      model: ``keras.Model`` (called with ``training=False``) or callable returning ``(B, C)`` logits.
      x: ``(N, ...)`` inputs; y: ``(N,)`` integer labels.
      batch_size: inputs per call.

    Returns:
      Accuracy in [0, 1] as a Python float.
    """
    _check_callable(model, "model")
    xa = _images(x, "x")
    ya = as_array(y, "y", ndim=1, dtype="int", min_samples=1)
    if ya.shape[0] != xa.shape[0]:
        raise ValueError(f"y: expected {xa.shape[0]} labels to match x, got {ya.shape[0]}")
    batch_size = check_positive_int(batch_size, "batch_size")
    logits = _run_batched(xa, model, batch_size, "model")
    if logits.ndim != 2:
        raise ValueError(f"model: expected logits of shape (N, C), got shape {logits.shape}")
    return float(np.mean(np.argmax(logits, axis=1) == ya))


def classification_accuracy_score(train_x, train_y, test_x, test_y, make_classifier, *, epochs: int,
                                  batch_size: int = 128, seed: int = 0) -> float:
    """Classification Accuracy Score (CAS): train on generated data, test on real data.

    A fresh classifier ``make_classifier()`` (a Keras model returning logits) is trained on
    ``(train_x, train_y)`` — typically class-conditional samples from a generator, labelled with
    the class they were conditioned on — with Adam(1e-3) and sparse categorical cross-entropy on
    logits, for ``epochs`` epochs (a seeded permutation shuffles each epoch); the score is its
    top-1 accuracy on the real ``(test_x, test_y)``. A generator that drops modes or produces
    ambiguous digits yields a low CAS even when its samples look sharp.

    ``keras.utils.set_random_seed(seed)`` is called before the model is built so that the initial
    weights are reproducible (this reseeds Python, NumPy and TensorFlow globally). XLA is off
    (``jit_compile=False``): compilation costs more than it saves for these short runs.

    Args:
      train_x: ``(N, ...)`` float inputs; train_y: ``(N,)`` int labels.
      test_x: ``(M, ...)`` float inputs with the same per-sample shape; test_y: ``(M,)`` int labels.
      make_classifier: zero-argument callable returning an uncompiled ``keras.Model`` with logits
        output ``(B, C)``, ``C > max(labels)``.
      epochs: training epochs (>= 1); batch_size: minibatch size; seed: seed (>= 0).

    Returns:
      Accuracy on the test set in [0, 1].

    Reference: Ravuri & Vinyals (2019), "Classification accuracy score for conditional generative
    models", NeurIPS.
    """
    import keras

    tx = _images(train_x, "train_x")
    ty = as_array(train_y, "train_y", ndim=1, dtype="int", min_samples=1)
    vx = _images(test_x, "test_x")
    vy = as_array(test_y, "test_y", ndim=1, dtype="int", min_samples=1)
    if ty.shape[0] != tx.shape[0]:
        raise ValueError(f"train_y: expected {tx.shape[0]} labels to match train_x, got {ty.shape[0]}")
    if vy.shape[0] != vx.shape[0]:
        raise ValueError(f"test_y: expected {vx.shape[0]} labels to match test_x, got {vy.shape[0]}")
    if tx.shape[1:] != vx.shape[1:]:
        raise ValueError(
            f"train_x and test_x: expected the same per-sample shape, got {tx.shape[1:]} and {vx.shape[1:]}"
        )
    for lab, name in ((ty, "train_y"), (vy, "test_y")):
        if lab.min() < 0:
            raise ValueError(f"{name}: expected labels >= 0, got minimum {int(lab.min())}")
    _check_callable(make_classifier, "make_classifier")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_positive_int(seed, "seed", minimum=0)

    keras.utils.set_random_seed(seed)
    model = make_classifier()
    if not isinstance(model, keras.Model):
        raise TypeError(f"make_classifier: expected a callable returning a keras.Model, got {type(model).__name__}")
    n_classes = int(_to_numpy(model(tx[:1], training=False)).shape[-1])
    top = int(max(ty.max(), vy.max()))
    if top >= n_classes:
        raise ValueError(
            f"train_y/test_y: expected labels < {n_classes} (the classifier's number of logits), got label {top}"
        )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=False,
    )
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        perm = rng.permutation(tx.shape[0])
        model.fit(tx[perm], ty[perm], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return accuracy(model, vx, vy, batch_size=max(batch_size, 512))


# --------------------------------------------------------------------------------------------
# Precision, recall, density, coverage
# --------------------------------------------------------------------------------------------


def _rows_per_block(n_columns: int, block_size: int, memory_bytes: int = _BLOCK_MEMORY) -> int:
    """Rows per block so that one ``rows × n_columns`` float64 block stays within ``memory_bytes``
    (at most ``block_size`` rows, at least one)."""
    return max(1, min(block_size, memory_bytes // (8 * max(1, n_columns))))


def _map_blocks(fn, n: int, rows: int, n_columns: int) -> None:
    """Run ``fn(r0, r1, buffer, worker)`` over the row blocks ``[r0, r1)`` of ``range(n)``.

    A few threads take blocks from a shared queue (a busy core takes fewer); each owns one
    float64 ``buffer`` of shape ``(r1 - r0, n_columns)`` (a view of a reused ``rows × n_columns``
    array) and an index ``worker`` in ``range(_THREADS)`` for private accumulators. NumPy releases
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

    workers = min(len(blocks), _THREADS)
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


def _knn_radii_squared(x: np.ndarray, k: int, block_size: int) -> np.ndarray:
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

    _map_blocks(block, n, _rows_per_block(n, block_size), n)
    return radii2


def knn_radii(features, k: int, block_size: int = 2048) -> np.ndarray:
    """Distance of each point to its k-th nearest neighbour within its own set (self excluded).

    ``r_i = `` the ``(k+1)``-th smallest of ``{‖x_i - x_j‖ : j = 1..N}`` (the smallest is the
    zero self-distance), as ``prdc.compute_nearest_neighbour_distances`` (to round-off).
    Computed block by block: a block of rows against all N columns (at most ``block_size`` rows, and few enough
    that a block holds at most ``_BLOCK_MEMORY`` bytes), one in-place ``partition`` of the squared
    distances per block (the square root is monotone, so the k-th smallest distance is the root
    of the k-th smallest squared distance), blocks spread over a few threads that each reuse one
    buffer. Memory is O(threads × block) — no ``N × N`` matrix is formed. Distances are float64
    (``‖a‖² + ‖b‖² - 2 aᵀb``, clipped at 0; self-distances set to exactly 0).

    Args:
      features: ``(N, d)`` finite; k: ``1 <= k < N``; block_size: the largest block height.

    Returns:
      ``(N,)`` float64 radii (Euclidean, not squared).

    Reference: Kynkäänniemi et al. (2019); Naeem et al. (2020).
    """
    x = _features(features, "features", min_samples=2)
    k = check_positive_int(k, "k")
    n = x.shape[0]
    if k >= n:
        raise ValueError(f"k: expected k < N = {n} (the number of samples), got {k}")
    block_size = check_positive_int(block_size, "block_size")
    return np.sqrt(_knn_radii_squared(x, k, block_size))


def prdc(real_features, fake_features, *, nearest_k: int = 5, block_size: int = 2048) -> dict:
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
    square root is ``>= r`` (an exact equivalence, see ``_sqrt_thresholds``), so no square root
    of the N × M block is needed. Unlike the package,
    the N × M distance matrix is never held: real rows are processed in blocks against all fake
    points, so memory is O(threads × block) and N = 50,000 works. Inputs are converted to
    float64 (pass float64 to ``prdc.compute_prdc`` when comparing: it computes float32 inputs
    in float32).

    Args:
      real_features: ``(N, d)``; fake_features: ``(M, d)``; finite.
      nearest_k: k of the k-NN radii, ``1 <= k < min(N, M)``.
      block_size: the largest block height in rows (a block also stays within a few MiB).

    Returns:
      ``{"precision", "recall", "density", "coverage"}`` as Python floats. Precision, recall and
      coverage lie in [0, 1]; density can exceed 1 (≈ 1 for matching distributions).

    References: Kynkäänniemi et al. (2019), "Improved precision and recall metric for assessing
    generative models", NeurIPS; Naeem et al. (2020), "Reliable fidelity and diversity metrics
    for generative models", ICML.
    """
    real = _features(real_features, "real_features", min_samples=2)
    fake = _features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    k = check_positive_int(nearest_k, "nearest_k")
    n, m = real.shape[0], fake.shape[0]
    if k >= min(n, m):
        raise ValueError(f"nearest_k: expected nearest_k < min(N, M) = {min(n, m)}, got {k}")
    block_size = check_positive_int(block_size, "block_size")

    real_radii = np.sqrt(_knn_radii_squared(real, k, block_size))
    fake_radii = np.sqrt(_knn_radii_squared(fake, k, block_size))
    real_t, fake_thresholds = _sqrt_thresholds(real_radii), _sqrt_thresholds(fake_radii)
    real_sq, fake_sq = _row_norms_sq(real), _row_norms_sq(fake)
    fake_t = np.ascontiguousarray(fake.T)
    real_recalled = np.zeros(n, dtype=bool)
    nearest_fake_sq = np.empty(n)
    balls_per_fake = np.zeros((_THREADS, m), dtype=np.int64)  # one row per worker: no races

    def block(r0, r1, d2, worker):
        _squared_distances(real[r0:r1], fake, real_sq[r0:r1], fake_sq, out=d2, b_t=fake_t)
        balls_per_fake[worker] += (d2 < real_t[r0:r1, None]).sum(axis=0)
        real_recalled[r0:r1] = (d2 < fake_thresholds[None, :]).any(axis=1)
        nearest_fake_sq[r0:r1] = d2.min(axis=1)

    _map_blocks(block, n, _rows_per_block(m, block_size), m)
    balls = balls_per_fake.sum(axis=0)
    return {
        "precision": float(np.mean(balls > 0)),
        "recall": float(np.mean(real_recalled)),
        "density": float((1.0 / float(k)) * np.mean(balls)),  # the package's order of operations
        # min_j sqrt(d²_ij) = sqrt(min_j d²_ij) (monotone), compared exactly as above
        "coverage": float(np.mean(nearest_fake_sq < real_t)),
    }


# --------------------------------------------------------------------------------------------
# Two-sample and memorisation tests
# --------------------------------------------------------------------------------------------

_C2ST_CLASSIFIERS = ("logistic", "knn")


def c2st(real, fake, *, classifier="logistic", test_size: float = 0.5, seed: int = 0) -> C2STResult:
    """Classifier two-sample test: can a classifier tell real from generated samples?

    Real samples get label 1, fake samples label 0; the larger set is subsampled (seeded) to the
    size ``n`` of the smaller, the ``2n`` samples are split into stratified train/test parts
    (``sklearn.model_selection.train_test_split``), the classifier is fitted on the training part
    and its accuracy ``a`` measured on the ``n_test`` held-out samples. Under
    ``H0: p_real = p_fake`` the number of correct test predictions is Binomial(n_test, 1/2), so
    the p-value is the exact one-sided ``P(Bin(n_test, 1/2) >= a · n_test)``
    (``scipy.stats.binomtest(..., alternative="greater")``). Accuracy near 1/2 means the samples
    are indistinguishable *for this classifier*.

    Args:
      real: ``(N, ...)``; fake: ``(M, ...)`` with the same per-sample size; flattened to 2-D.
        ``min(N, M) >= 2``.
      classifier: ``"logistic"`` (standardisation + ``LogisticRegression(max_iter=1000)``),
        ``"knn"`` (``KNeighborsClassifier`` on the raw features with ``k = floor(sqrt(n_train))``,
        made odd by adding 1 if even, so that votes cannot tie), or any object with
        scikit-learn ``fit(X, y)``/``predict(X)`` (cloned with ``sklearn.base.clone`` when possible).
      test_size: held-out fraction in (0, 1).
      seed: seed of the subsampling and the split.

    Returns:
      ``C2STResult(accuracy, p_value, n_test)``.

    Reference: Lopez-Paz & Oquab (2017), "Revisiting classifier two-sample tests", ICLR.
    """
    from scipy.stats import binomtest
    from sklearn.model_selection import train_test_split

    xr = as_array(real, "real", min_samples=2)
    xf = as_array(fake, "fake", min_samples=2)
    xr = np.asarray(xr, dtype=np.float64).reshape(xr.shape[0], -1)
    xf = np.asarray(xf, dtype=np.float64).reshape(xf.shape[0], -1)
    check_same_dim(xr, xf, "real", "fake")
    test_size = check_probability(test_size, "test_size", open_interval=True)
    seed = check_positive_int(seed, "seed", minimum=0)
    if isinstance(classifier, str):
        check_choice(classifier, "classifier", _C2ST_CLASSIFIERS)
    elif not (hasattr(classifier, "fit") and hasattr(classifier, "predict")):
        raise TypeError(
            f"classifier: expected one of {list(_C2ST_CLASSIFIERS)} or an object with fit/predict, "
            f"got {type(classifier).__name__}"
        )

    rng = np.random.default_rng(seed)
    n = min(xr.shape[0], xf.shape[0])
    xr = xr[np.sort(rng.choice(xr.shape[0], n, replace=False))]
    xf = xf[np.sort(rng.choice(xf.shape[0], n, replace=False))]
    x = np.concatenate([xr, xf])
    y = np.concatenate([np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)])
    n_test = int(round(test_size * 2 * n))
    if n_test < 2 or 2 * n - n_test < 2:
        raise ValueError(
            f"test_size: expected a split leaving >= 2 samples in both parts of the {2 * n} "
            f"balanced samples, got test_size={test_size}"
        )
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=n_test, stratify=y, random_state=seed)

    if isinstance(classifier, str) and classifier == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    elif isinstance(classifier, str):  # "knn"
        from sklearn.neighbors import KNeighborsClassifier

        k = max(1, int(math.sqrt(len(x_tr))))
        k = min(k + 1 if k % 2 == 0 else k, len(x_tr))
        model = KNeighborsClassifier(n_neighbors=k)
    else:
        try:
            from sklearn.base import clone

            model = clone(classifier)
        except Exception:
            model = classifier
    model.fit(x_tr, y_tr)
    pred = np.asarray(model.predict(x_te))
    n_correct = int(np.sum(pred == y_te))
    p_value = float(binomtest(n_correct, len(y_te), 0.5, alternative="greater").pvalue)
    return C2STResult(n_correct / len(y_te), p_value, int(len(y_te)))


def memorization_test(generated_features, train_features, heldout_features, *,
                      block_size: int = 2048) -> dict:
    """Data-copying test: are generated samples closer to the training set than fresh real data?

    ``d_gen_j = min_i ‖g_j - t_i‖`` (generated to nearest training point) and
    ``d_held_l = min_i ‖h_l - t_i‖`` (held-out real points, not used for training, to nearest
    training point). A generator that copies its training data gives stochastically smaller
    ``d_gen``. The statistic is the Mann–Whitney U of ``d_gen`` vs ``d_held``
    (``scipy.stats.mannwhitneyu(d_gen, d_held, alternative="less")``), reported standardised:
    ``z = (U - n_g n_h / 2) / σ_U`` with the tie-corrected ``σ_U`` (no continuity correction);
    ``z ≪ 0`` means copying, ``z ≫ 0`` under-fitting (samples farther from the data than real
    data are). This is the test of Meehan et al. (2020) on a single cell (no partition of the
    space, so local copying can be averaged away).

    Args:
      generated_features: ``(n_g, d)``, ``n_g >= 2``.
      train_features: ``(n_t, d)`` the generator's training set, ``n_t >= 1``.
      heldout_features: ``(n_h, d)`` real samples not used for training, ``n_h >= 2``.
      block_size: block size of the nearest-neighbour search (memory O(block_size²)).

    Returns:
      dict with ``"z"``, ``"p_value"`` (one-sided, small = copying), ``"median_gen_distance"``,
      ``"median_heldout_distance"``, ``"copy_fraction"`` (fraction of generated samples closer to
      the training set than the 5th percentile of ``d_held``; ≈ 0.05 without copying, → 1 for
      copies), ``"distances_gen"`` ``(n_g,)`` and ``"distances_heldout"`` ``(n_h,)``.

    Reference: Meehan, Chaudhuri & Dasgupta (2020), "A non-parametric test to detect
    data-copying in generative models", AISTATS.
    """
    from scipy.stats import mannwhitneyu, rankdata

    gen = _features(generated_features, "generated_features", min_samples=2)
    train = _features(train_features, "train_features", min_samples=1)
    held = _features(heldout_features, "heldout_features", min_samples=2)
    check_same_dim(gen, train, "generated_features", "train_features")
    check_same_dim(held, train, "heldout_features", "train_features")
    block_size = check_positive_int(block_size, "block_size")

    d_gen = _nearest_distances(gen, train, block_size)
    d_held = _nearest_distances(held, train, block_size)
    res = mannwhitneyu(d_gen, d_held, alternative="less")
    n1, n2 = len(d_gen), len(d_held)
    n = n1 + n2
    _, tie_counts = np.unique(rankdata(np.concatenate([d_gen, d_held])), return_counts=True)
    tie_term = float(np.sum(tie_counts**3 - tie_counts)) / (n * (n - 1))
    sigma_u = math.sqrt(n1 * n2 / 12.0 * ((n + 1) - tie_term))
    z = (float(res.statistic) - n1 * n2 / 2.0) / sigma_u if sigma_u > 0 else 0.0
    threshold = float(np.percentile(d_held, 5))
    return {
        "z": z,
        "p_value": float(res.pvalue),
        "median_gen_distance": float(np.median(d_gen)),
        "median_heldout_distance": float(np.median(d_held)),
        "copy_fraction": float(np.mean(d_gen < threshold)),
        "distances_gen": d_gen,
        "distances_heldout": d_held,
    }


# --------------------------------------------------------------------------------------------
# Toy mixtures
# --------------------------------------------------------------------------------------------


def mode_coverage(samples, means, stds, *, threshold: float = 3.0, min_fraction: float = 0.2) -> dict:
    """Modes covered and sample quality for a Gaussian-mixture target (ring/grid toys).

    Each sample is assigned to its nearest mode centre ``k(x) = argmin_k ‖x - mu_k‖``; it is
    *high quality* if ``‖x - mu_k(x)‖ <= threshold · std_k(x)`` (VEEGAN: within 3 standard
    deviations). A mode is *covered* if it received at least ``min_fraction · n / K`` (and at
    least one) high-quality samples: with the PacGAN defaults, 20 of 2,500 samples for 25 modes
    (0.2 of the uniform share). For isotropic 2-D modes the expected high-quality fraction of exact
    samples is ``P(χ²_2 <= threshold²) = 1 - exp(-threshold²/2)`` (0.989 for 3).

    Args:
      samples: ``(n, d)`` generated points; means: ``(K, d)`` mode centres;
      stds: scalar or ``(K,)`` positive per-mode standard deviations.
      threshold: radius in standard deviations (> 0); min_fraction: share of ``n/K`` (>= 0).

    Returns:
      dict with ``"modes_covered"`` (int), ``"n_modes"`` (K), ``"high_quality_fraction"``,
      ``"counts"`` ``(K,)`` int high-quality samples per mode, ``"covered"`` ``(K,)`` bool, and
      ``"kl_to_uniform"`` = ``KL(q ‖ uniform) = Σ_k q_k log(K q_k)`` for the distribution ``q`` of
      high-quality samples over modes (0 for perfect balance, ``log K`` for one mode; NaN if no
      sample is high quality).

    References: Srivastava et al. (2017), "VEEGAN", NeurIPS; Lin et al. (2018), "PacGAN", NeurIPS.
    """
    x = _features(samples, "samples", min_samples=1)
    mu = _features(means, "means", min_samples=1)
    check_same_dim(x, mu, "samples", "means")
    n_modes = mu.shape[0]
    s = as_array(stds, "stds", ndim=(0, 1))
    s = np.broadcast_to(np.asarray(s, dtype=np.float64), (n_modes,)) if s.ndim == 0 else np.asarray(s, np.float64)
    if s.shape != (n_modes,):
        raise ValueError(f"stds: expected a scalar or shape ({n_modes},) to match means, got shape {s.shape}")
    if np.any(s <= 0):
        raise ValueError(f"stds: expected positive standard deviations, got minimum {float(s.min())}")
    threshold = _check_positive_float(threshold, "threshold")
    min_fraction = _check_positive_float(min_fraction, "min_fraction", allow_zero=True)

    d2 = np.stack([np.sum((x - mu[k]) ** 2, axis=1) for k in range(n_modes)], axis=1)
    nearest = np.argmin(d2, axis=1)
    dist = np.sqrt(d2[np.arange(x.shape[0]), nearest])
    high_quality = dist <= threshold * s[nearest]
    counts = np.bincount(nearest[high_quality], minlength=n_modes).astype(np.int64)
    covered = (counts >= min_fraction * x.shape[0] / n_modes) & (counts >= 1)
    total = counts.sum()
    if total > 0:
        q = counts / total
        nz = q > 0
        kl = float(np.sum(q[nz] * np.log(n_modes * q[nz])))
    else:
        kl = float("nan")
    return {
        "modes_covered": int(covered.sum()),
        "n_modes": int(n_modes),
        "high_quality_fraction": float(np.mean(high_quality)),
        "counts": counts,
        "covered": covered,
        "kl_to_uniform": kl,
    }


# --------------------------------------------------------------------------------------------
# Uncertainty
# --------------------------------------------------------------------------------------------


def bootstrap_ci(metric_fn: Callable[..., float], *arrays, n_bootstrap: int = 200, confidence: float = 0.95,
                 seed: int = 0) -> BootstrapResult:
    """Percentile bootstrap confidence interval of a sample metric.

    ``estimate = metric_fn(*arrays)``. For ``b = 1..n_bootstrap``, every array's rows are
    resampled with replacement *independently* (real and generated sets are independent
    samples, so each is resampled on its own) and ``v_b = metric_fn(*resampled)``; the interval
    is the ``(1-confidence)/2`` and ``(1+confidence)/2`` quantiles of ``v`` and ``std`` their
    standard deviation (ddof=1). Note that a biased metric (FID) has a biased interval too: the
    bootstrap describes sampling variability, not bias.

    Args:
      metric_fn: callable ``(*arrays) -> scalar``.
      *arrays: one or more arrays ``(n_i, ...)`` with ``n_i >= 1``.
      n_bootstrap: number of resamples (>= 2); confidence: level in (0, 1); seed: seed.

    Returns:
      ``BootstrapResult(estimate, low, high, std)``.

    Reference: Efron & Tibshirani (1993), "An introduction to the bootstrap", ch. 13.
    """
    _check_callable(metric_fn, "metric_fn")
    if not arrays:
        raise ValueError("arrays: expected at least one array to resample, got none")
    data = [as_array(a, f"arrays[{i}]", dtype="any", min_samples=1) for i, a in enumerate(arrays)]
    n_bootstrap = check_positive_int(n_bootstrap, "n_bootstrap", minimum=2)
    confidence = check_probability(confidence, "confidence", open_interval=True)
    seed = check_positive_int(seed, "seed", minimum=0)

    def _evaluate(args) -> float:
        value = metric_fn(*args)
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"metric_fn: expected a scalar result, got {type(value).__name__}") from exc

    estimate = _evaluate(data)
    rng = np.random.default_rng(seed)
    values = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        values[b] = _evaluate([a[rng.integers(0, a.shape[0], a.shape[0])] for a in data])
    low, high = np.quantile(values, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
    return BootstrapResult(estimate, float(low), float(high), float(np.std(values, ddof=1)))
