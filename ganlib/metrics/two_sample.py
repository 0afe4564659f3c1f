"""Two-sample tests on features: the classifier two-sample test and the data-copying test.

* :func:`c2st`: train a classifier to tell real from generated samples; its held-out accuracy
  ``a`` and the exact binomial p-value ``P(Bin(n_test, 1/2) >= a · n_test)`` under
  ``H0: p_real = p_fake`` (Lopez-Paz & Oquab 2017);
* :func:`memorization_test`: the Mann–Whitney z of generated-to-training versus
  held-out-to-training nearest-neighbour distances; ``z ≪ 0`` means copying (Meehan et al. 2020).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..validation import (
    as_array,
    check_bool,
    check_choice,
    check_feature_scale,
    check_features,
    check_positive_int,
    check_probability,
    check_same_dim,
    check_seed,
)
from .manifold import _nearest_distances
from .results import MetricResult

__all__ = ["C2STResult", "MemorizationResult", "MemorizationDetails", "c2st", "memorization_test"]

_C2ST_CLASSIFIERS = ("logistic", "knn")


@dataclasses.dataclass(frozen=True)
class C2STResult(MetricResult):
    """Classifier two-sample test: held-out accuracy, one-sided binomial p-value, test-set size."""

    accuracy: float
    p_value: float
    n_test: int


@dataclasses.dataclass(frozen=True)
class MemorizationResult(MetricResult):
    """Data-copying test: the standardised Mann–Whitney ``z`` (``≪ 0``: copying), its one-sided
    p-value, the median nearest-training-point distances and the copy fraction."""

    z: float
    p_value: float
    median_gen_distance: float
    median_heldout_distance: float
    copy_fraction: float


@dataclasses.dataclass(frozen=True)
class MemorizationDetails:
    """The per-sample distances behind a :class:`MemorizationResult` (float64 arrays)."""

    distances_gen: np.ndarray
    distances_heldout: np.ndarray


def _classifier_option(value, name: str):
    """A C2ST classifier: one of the names in ``_C2ST_CLASSIFIERS`` or a scikit-learn estimator."""
    if isinstance(value, str):
        return check_choice(value, name, _C2ST_CLASSIFIERS)
    if not (hasattr(value, "fit") and hasattr(value, "predict")):
        raise TypeError(
            f"{name}: expected one of {list(_C2ST_CLASSIFIERS)} or an object with fit/predict, got {type(value).__name__}"
        )
    return value


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
      :class:`C2STResult` ``(accuracy, p_value, n_test)``.

    Reference: Lopez-Paz & Oquab (2017), "Revisiting classifier two-sample tests", ICLR.
    """
    from scipy.stats import binomtest
    from sklearn.model_selection import train_test_split

    xr = as_array(real, "real", min_samples=2)
    xf = as_array(fake, "fake", min_samples=2)
    xr = np.asarray(xr, dtype=np.float64).reshape(xr.shape[0], -1)
    xf = np.asarray(xf, dtype=np.float64).reshape(xf.shape[0], -1)
    check_same_dim(xr, xf, "real", "fake")
    check_feature_scale(xr, "real")  # standardising or k-NN distances would overflow
    check_feature_scale(xf, "fake")
    test_size = check_probability(test_size, "test_size", open_interval=True)
    seed = check_seed(seed)
    classifier = _classifier_option(classifier, "classifier")

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


def memorization_test(generated_features, train_features, heldout_features, *, block_size: int = 2048,
                      details: bool = False):
    """Data-copying test: are generated samples closer to the training set than fresh real data?

    ``d_gen_j = min_i ‖g_j - t_i‖`` (generated to nearest training point) and
    ``d_held_l = min_i ‖h_l - t_i‖`` (held-out real points, not used for training, to nearest
    training point). A generator that copies its training data gives stochastically smaller
    ``d_gen``. The statistic is the Mann–Whitney U of ``d_gen`` vs ``d_held``
    (``scipy.stats.mannwhitneyu(d_gen, d_held, alternative="less")``), reported standardised:
    ``z = (U - n_g n_h / 2) / σ_U`` with the tie-corrected ``σ_U`` (no continuity correction);
    ``z ≪ 0`` means copying, ``z ≫ 0`` under-fitting (samples farther from the data than real
    data are). This is the test of Meehan et al. (2020) on a single cell (no partition of the
    space, so local copying can be averaged away). The copy fraction is the share of generated
    samples closer to the training set than the 5th percentile of ``d_held`` (≈ 0.05 without
    copying, → 1 for copies).

    Args:
      generated_features: ``(n_g, d)``, ``n_g >= 2``.
      train_features: ``(n_t, d)`` the generator's training set, ``n_t >= 1``.
      heldout_features: ``(n_h, d)`` real samples not used for training, ``n_h >= 2``.
      block_size: block size of the nearest-neighbour search (memory O(block_size²)).
      details: also return the per-sample distances.

    Returns:
      :class:`MemorizationResult` ``(z, p_value, median_gen_distance, median_heldout_distance,
      copy_fraction)`` (``p_value`` one-sided: small means copying); with ``details=True`` the
      pair ``(result, MemorizationDetails(distances_gen (n_g,), distances_heldout (n_h,)))``.

    Reference: Meehan, Chaudhuri & Dasgupta (2020), "A non-parametric test to detect
    data-copying in generative models", AISTATS.
    """
    from scipy.stats import mannwhitneyu, rankdata

    gen = check_features(generated_features, "generated_features", min_samples=2)
    train = check_features(train_features, "train_features", min_samples=1)
    held = check_features(heldout_features, "heldout_features", min_samples=2)
    check_same_dim(gen, train, "generated_features", "train_features")
    check_same_dim(held, train, "heldout_features", "train_features")
    for arr, arr_name in ((gen, "generated_features"), (train, "train_features"), (held, "heldout_features")):
        check_feature_scale(arr, arr_name)  # overflowing distances: NaN medians, copy fraction 0
    block_size = check_positive_int(block_size, "block_size")
    details = check_bool(details, "details")

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
    result = MemorizationResult(
        z=z,
        p_value=float(res.pvalue),
        median_gen_distance=float(np.median(d_gen)),
        median_heldout_distance=float(np.median(d_held)),
        copy_fraction=float(np.mean(d_gen < threshold)),
    )
    return (result, MemorizationDetails(d_gen, d_held)) if details else result
