"""Kernel distances: the unbiased MMD² estimator and the Kernel Inception Distance (KID).

``MMD²_u = Σ_{i≠j} k(x_i, x_j) / (n(n-1)) + Σ_{i≠j} k(y_i, y_j) / (m(m-1)) - 2 Σ_{i,j} k(x_i, y_j) / (n m)``
(Gretton et al. 2012); KID is its mean over random subsets with the cubic kernel
``k(a, b) = (aᵀb / d + 1)³`` (Bińkowski et al. 2018). Unlike FID, KID is unbiased: its expected
value does not depend on the sample size.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..validation import (
    check_choice,
    check_feature_scale,
    check_features,
    check_float,
    check_positive_int,
    check_same_dim,
    check_seed,
)
from .manifold import _row_norms_sq, _squared_distances
from .results import MeanStd

__all__ = ["KIDResult", "mmd2_unbiased", "kid"]

_KERNELS = ("polynomial", "rbf", "linear")
_KID_NAMES = "real_features and fake_features"


@dataclasses.dataclass(frozen=True)
class KIDResult(MeanStd):
    """Kernel Inception Distance: mean and standard deviation (ddof=1) of the per-subset MMD²."""


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


def _mmd2(x, y, opts, names: str = "x and y") -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        value = _mmd2_from_kernels(_kernel_matrix(x, x, *opts), _kernel_matrix(y, y, *opts),
                                   _kernel_matrix(x, y, *opts))
    if not np.isfinite(value):  # an overflowing kernel gives inf or inf - inf: never finite
        _raise_overflow(x, y, opts, names)
    return value


def _raise_overflow(x, y, opts, names: str):
    kernel, degree, gamma, coef0 = opts
    with np.errstate(over="ignore", invalid="ignore"):
        products = np.concatenate([(x @ x.T).ravel(), (y @ y.T).ravel(), (x @ y.T).ravel()])
        peak = float(np.max(np.abs(products)))
    if kernel == "polynomial":
        base = gamma * peak + coef0
        raise ValueError(
            f"{names}: the polynomial kernel (gamma·aᵀb + coef0)^degree overflows float64 "
            f"(|gamma·aᵀb + coef0| up to {base:.3g}, degree={degree}): rescale the features (e.g. "
            "standardise them) or lower degree"
        )
    raise ValueError(
        f"{names}: values too large for the {kernel} kernel in float64 (|aᵀb| up to {peak:.3g}): "
        "rescale the features (e.g. divide by their standard deviation)"
    )


def _kernel_options(kernel, degree, gamma, coef0, d):
    kernel = check_choice(kernel, "kernel", _KERNELS)
    degree = check_positive_int(degree, "degree")
    gamma = 1.0 / d if gamma is None else check_float(gamma, "gamma", minimum=0.0, inclusive=False)
    coef0 = check_float(coef0, "coef0", minimum=0.0)
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
      Features so large that the kernel overflows float64 (e.g. a high ``degree``) raise a
      ``ValueError`` naming them and ``degree``, never a NaN.

    Reference: Gretton et al. (2012), "A kernel two-sample test", JMLR.
    """
    x = check_features(x, "x", min_samples=2)
    y = check_features(y, "y", min_samples=2)
    check_same_dim(x, y, "x", "y")
    opts = _kernel_options(kernel, degree, gamma, coef0, x.shape[1])
    if opts[0] == "rbf":  # distances that overflow make exp(-gamma d²) NaN or a silent 0
        check_feature_scale(x, "x")
        check_feature_scale(y, "y")
    return _mmd2(x, y, opts)


def kid(real_features, fake_features, *, n_subsets: int = 100, subset_size: int = 1000,
        degree: int = 3, gamma: float | None = None, coef0: float = 1.0, seed: int = 0) -> KIDResult:
    """Kernel Inception Distance: polynomial-kernel MMD², averaged over random subsets.

    For each of ``n_subsets`` subsets, ``m = min(subset_size, N, M)`` rows are drawn without
    replacement from each set and :func:`mmd2_unbiased` is computed with the cubic kernel
    ``k(a, b) = (aᵀb / d + 1)^3`` (defaults). KID is unbiased, so unlike FID its expectation does
    not depend on the sample size; it can be slightly negative for equal distributions.

    When ``N = M <= subset_size`` every subset is the whole of both sets in another order, and
    MMD² does not depend on the order of the rows: the estimate is computed once, and ``std`` is
    0 (NaN for one subset).

    Args:
      real_features: ``(N, d)``; fake_features: ``(M, d)``; ``min(N, M) >= 2``.
      n_subsets: number of subsets (>= 1); subset_size: rows per subset (>= 2).
      degree, gamma, coef0: kernel parameters (gamma None: ``1/d``).
      seed: seed of the subset draws.

    Returns:
      :class:`KIDResult` ``(mean, std)``: mean and standard deviation (ddof=1; NaN for one subset)
      of the per-subset estimates (a kernel that overflows float64 raises a ``ValueError``). ``std`` describes one subset's estimate; the standard error of
      ``mean`` is smaller (but the subsets overlap, so not by ``sqrt(n_subsets)``).

    Reference: Bińkowski, Sutherland, Arbel & Gretton (2018), "Demystifying MMD GANs", ICLR.
    """
    real = check_features(real_features, "real_features", min_samples=2)
    fake = check_features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    n_subsets = check_positive_int(n_subsets, "n_subsets")
    subset_size = check_positive_int(subset_size, "subset_size", minimum=2)
    seed = check_seed(seed)
    opts = _kernel_options("polynomial", degree, gamma, coef0, real.shape[1])
    if real.shape[0] == fake.shape[0] and subset_size >= real.shape[0]:
        value = _mmd2(real, fake, opts, _KID_NAMES)
        return KIDResult(value, 0.0 if n_subsets > 1 else float("nan"))
    m = min(subset_size, real.shape[0], fake.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(n_subsets)
    for s in range(n_subsets):
        x = real[rng.choice(real.shape[0], m, replace=False)]
        y = fake[rng.choice(fake.shape[0], m, replace=False)]
        values[s] = _mmd2(x, y, opts, _KID_NAMES)
    return KIDResult.of(values)
