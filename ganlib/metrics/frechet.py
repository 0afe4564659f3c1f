"""Fréchet distance and FID, in clean-fid's layers: ``frechet_distance -> fid_from_features -> fid``.

* :func:`feature_statistics`: ``mu = mean(x)``, ``sigma = cov(x)`` (unbiased, float64);
* :func:`frechet_distance`: ``d² = ‖mu1 - mu2‖² + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^{1/2})``
  between two Gaussians (Dowson & Landau 1982), with the trace term from a symmetric eigenproblem;
  :func:`frechet_distance_sqrtm` is the ``scipy.linalg.sqrtm`` recipe, kept as the reference;
* :func:`fid_from_features`: the Fréchet distance of the Gaussians fitted to two feature sets;
* :func:`fid`: the same on images, through a feature extractor (Heusel et al. 2017);
* :func:`fid_at_sample_sizes`: FID on subsets of several sizes, to show its small-sample bias.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from ..validation import (
    as_array,
    check_callable,
    check_choice,
    check_features,
    check_float,
    check_images,
    check_positive_int,
    check_psd_eigenvalues,
    check_psd_matrix,
    check_same_dim,
    check_seed,
)
from .features import batched_outputs
from .results import MeanStd

__all__ = [
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_sqrtm",
    "fid_from_features",
    "fid",
    "fid_at_sample_sizes",
]

_FACTORS = ("auto", "cholesky", "eigh")


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
    return _statistics(check_features(features, "features", min_samples=2), "features")


def _statistics(x: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(mu, sigma)`` of validated float64 features, refusing features whose covariance overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        mu = x.mean(axis=0)
        sigma = np.atleast_2d(np.cov(x, rowvar=False, ddof=1))
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(np.diagonal(sigma)))):
        raise ValueError(
            f"{name}: values too large for a float64 covariance (max |value| "
            f"{float(np.max(np.abs(x))):.3g}): rescale the features (e.g. divide by their standard deviation)"
        )
    return mu, sigma


def _gaussian_parameters(mu, sigma, name_mu: str, name_sigma: str) -> tuple[np.ndarray, np.ndarray]:
    """A mean ``(d,)`` and a symmetric ``(d, d)`` covariance (symmetry checked, then enforced)."""
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
    mu1, sigma1 = _gaussian_parameters(mu1, sigma1, "mu1", "sigma1")
    mu2, sigma2 = _gaussian_parameters(mu2, sigma2, "mu2", "sigma2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            f"mu1 and mu2: expected the same feature dimension, got {mu1.shape[0]} and {mu2.shape[0]}"
        )
    return mu1, sigma1, mu2, sigma2


def _clip_spectrum(eigenvalues: np.ndarray) -> np.ndarray:
    """Zero eigenvalues below the numerical-rank tolerance ``d · eps · max|λ|`` (and negatives)."""
    tol = eigenvalues.shape[0] * np.finfo(np.float64).eps * max(float(np.max(np.abs(eigenvalues))), 0.0)
    return np.where(eigenvalues > tol, eigenvalues, 0.0)


def _covariance_factor(sigma: np.ndarray, factor: str, name: str | None = "sigma1") -> np.ndarray:
    """A matrix ``B`` with ``B Bᵀ = sigma`` for a symmetric PSD ``(d, d)`` ``sigma``.

    ``"auto"``: the Cholesky factor when every pivot² exceeds ``sqrt(eps_machine) · max diag(sigma)``
    (a well-conditioned, positive definite matrix: Cholesky is backward stable there), otherwise
    ``U Λ^{1/2}`` from ``eigh`` with the spectrum clipped at the numerical-rank tolerance (see
    :func:`_clip_spectrum`), which handles singular matrices exactly. ``"cholesky"`` / ``"eigh"``
    force one route. With ``name``, an eigendecomposition that shows ``sigma`` not positive
    semi-definite (beyond round-off, :func:`ganlib.validation.check_psd_eigenvalues`) raises a
    ``ValueError`` naming it (a successful Cholesky factorisation already proves it definite).
    """
    if factor != "eigh":
        try:
            low = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            low = None
        if factor == "cholesky":
            if low is None:
                raise ValueError("sigma1: expected a positive definite covariance for factor='cholesky' "
                                 "(use factor='auto' or 'eigh' for a singular one)")
            return low
        if low is not None:
            pivots_sq = np.diagonal(low) ** 2
            if pivots_sq.min() > np.sqrt(np.finfo(np.float64).eps) * max(float(np.max(np.diagonal(sigma))), 0.0):
                return low
    lam, u = np.linalg.eigh(sigma)
    if name is not None:
        check_psd_eigenvalues(lam, name)
    return u * np.sqrt(_clip_spectrum(lam))


def frechet_distance(mu1, sigma1, mu2, sigma2, *, eps: float = 0.0, factor: str = "auto") -> float:
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
    negatives) are set to 0, which is the exact answer for a PSD matrix of lower rank. ``eps > 0``
    adds ``eps · I`` to both covariances only when asked (the offset older implementations apply
    on failure); it changes the value.

    Args:
      mu1, mu2: mean vectors, shape ``(d,)``.
      sigma1, sigma2: symmetric positive semi-definite covariance matrices, shape ``(d, d)``
        (symmetry is checked to a relative tolerance of 1e-6, then enforced; a negative eigenvalue
        below ``-1e-4 · max |λ|`` is an error, smaller ones are round-off and count as 0; see
        :data:`ganlib.validation.PSD_RTOL`). Entries so large that the products overflow
        float64 are an error too.
      eps: optional non-negative diagonal offset (default 0: none).
      factor: the factor ``B`` of ``sigma1``: ``"auto"`` (Cholesky when well conditioned, else
        eigendecomposition), ``"cholesky"`` (raises for a matrix that is not positive definite)
        or ``"eigh"`` (always the eigendecomposition, the singular-matrix route).

    Returns:
      ``d²`` as a Python float, ``>= 0`` (round-off negatives are clipped to 0).
    """
    mu1, sigma1, mu2, sigma2 = _pair_of_gaussians(mu1, sigma1, mu2, sigma2)
    eps = check_float(eps, "eps", minimum=0.0)
    factor = check_choice(factor, "factor", _FACTORS)
    # A covariance is positive semi-definite: -I would otherwise give 0.0 (its spectrum clipped
    # to zeros). sigma1 is checked by its own factorisation (free), sigma2 by a Cholesky
    # factorisation (an eigendecomposition only if that fails); with an offset, both before it.
    check_psd_matrix(sigma2, "sigma2")
    if eps > 0:
        check_psd_matrix(sigma1, "sigma1")
        offset = eps * np.eye(mu1.shape[0])
        sigma1, sigma2 = sigma1 + offset, sigma2 + offset
    return _frechet(mu1, sigma1, mu2, sigma2, factor, "sigma1", "sigma1 and sigma2")


def _frechet(mu1, sigma1, mu2, sigma2, factor: str, psd_name: str | None, what: str) -> float:
    """The Fréchet distance of validated Gaussians; ``what`` names the arguments blamed when the
    float64 products overflow, ``psd_name`` sigma1 in a not-PSD error (None: not checked)."""
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            b = _covariance_factor(sigma1, factor, psd_name)
            # For B Bᵀ = sigma1, sigma1 sigma2 = B (Bᵀ sigma2) has the eigenvalues of Bᵀ sigma2 B
            # (AB and BA share their spectrum), a symmetric PSD matrix: two products, one eigvalsh.
            m = b.T @ (sigma2 @ b)
            m = (m + m.T) / 2.0
            finite = bool(np.all(np.isfinite(m)))
            tr_covmean = float(np.sum(np.sqrt(_clip_spectrum(np.linalg.eigvalsh(m))))) if finite else np.inf
        except np.linalg.LinAlgError:
            finite = False
        if finite:
            diff = mu1 - mu2
            d2 = float(diff @ diff) + float(np.trace(sigma1)) + float(np.trace(sigma2)) - 2.0 * tr_covmean
            finite = np.isfinite(d2)
    if not finite:
        scale = max(float(np.max(np.abs(sigma1))), float(np.max(np.abs(sigma2))))
        raise ValueError(
            f"{what}: values too large for float64 (max |covariance entry| {scale:.3g}): the products "
            "in the Fréchet distance overflow; rescale the features (e.g. divide by their standard deviation)"
        )
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
      eps: diagonal offset used only for the retry (default 1e-6, as in pytorch-fid), > 0.

    Returns:
      ``d²`` as a Python float, without clipping (it can be slightly negative from round-off).

    Reference: Heusel et al. (2017), TTUR code; Seitzer, pytorch-fid.
    """
    import scipy.linalg

    mu1, sigma1, mu2, sigma2 = _pair_of_gaussians(mu1, sigma1, mu2, sigma2)
    eps = check_float(eps, "eps", minimum=0.0, inclusive=False)
    check_psd_matrix(sigma1, "sigma1")
    check_psd_matrix(sigma2, "sigma2")

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
    real = check_features(real_features, "real_features", min_samples=2)
    fake = check_features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    mu1, s1 = _statistics(real, "real_features")
    mu2, s2 = _statistics(fake, "fake_features")
    # Sample covariances are PSD by construction (their round-off negatives are clipped): no check.
    return _frechet(mu1, (s1 + s1.T) / 2.0, mu2, (s2 + s2.T) / 2.0, "auto", None,
                    "real_features and fake_features")


def fid(real_images, fake_images, extractor, *, batch_size: int = 256) -> float:
    """Fréchet distance between the extractor features of real and generated images.

    ``FID = fid_from_features(extract_features(real_images), extract_features(fake_images))``.
    With :func:`ganlib.metrics.inception_v3_extractor` this is the FID of Heusel et al. (2017)
    (up to resizing details, so not comparable with published numbers); with an MNIST
    classifier's penultimate layer it is the domain-specific variant usual for MNIST.

    Args:
      real_images: ``(N, ...)``, ``N >= 2``; fake_images: ``(M, ...)``, ``M >= 2``; values in
        ``[0, 1]`` (0..255 pixels are an error with a hint to divide by 255).
      extractor: ``keras.Model`` or callable ``(B, ...) -> (B, d)`` (see
        :func:`ganlib.metrics.extract_features`).
      batch_size: images per extractor call.

    Returns:
      The FID as a Python float ``>= 0``.
    """
    real = check_images(real_images, "real_images", min_samples=2, value_range=(0.0, 1.0))
    fake = check_images(fake_images, "fake_images", min_samples=2, value_range=(0.0, 1.0))
    check_callable(extractor, "extractor")
    batch_size = check_positive_int(batch_size, "batch_size")
    f_real = batched_outputs(real, extractor, batch_size=batch_size, name="extractor")
    f_fake = batched_outputs(fake, extractor, batch_size=batch_size, name="extractor")
    return fid_from_features(f_real.reshape(len(f_real), -1), f_fake.reshape(len(f_fake), -1))


def fid_at_sample_sizes(real_features, fake_features, sizes: Iterable[int], *, n_repeats: int = 3,
                        seed: int = 0) -> dict[int, MeanStd]:
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
      ``{n: MeanStd(mean, std)}`` over the repeats, in the order of ``sizes`` (``std`` with
      ddof=1; NaN if ``n_repeats == 1``).

    References: Bińkowski et al. (2018), "Demystifying MMD GANs", ICLR; Chong & Forsyth (2020),
    "Effectively unbiased FID and Inception Score and where to find them", CVPR.
    """
    real = check_features(real_features, "real_features", min_samples=2)
    fake = check_features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    seed = check_seed(seed)
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
    out: dict[int, MeanStd] = {}
    for s in sizes:
        values = np.array([
            fid_from_features(real[rng.choice(real.shape[0], s, replace=False)],
                              fake[rng.choice(fake.shape[0], s, replace=False)])
            for _ in range(n_repeats)
        ])
        out[s] = MeanStd.of(values)
    return out
