"""Sample-based evaluation metrics for generative models, one module per metric family.

Small, documented functions over feature arrays, in the style of clovaai's ``prdc``,
torch-fidelity and clean-fid: every function states its formula, the shapes it accepts and the
paper it comes from. The numerics are NumPy/SciPy in float64; TensorFlow/Keras is imported
lazily, only to extract features and to train the classifier of
:func:`classification_accuracy_score`. Features are arrays ``(n_samples, n_features)``; "real"
and "fake" (generated) sets may differ in size but share the feature dimension. Bad input raises
``ValueError``/``TypeError`` naming the argument (:mod:`ganlib.validation`).

Every name below is importable from ``ganlib.metrics``; the modules are where the code is.

=================================  ===========================================================
module                             metric: formula
=================================  ===========================================================
:mod:`~ganlib.metrics.features`    :func:`extract_features` ``f_i = flatten(extractor(x_i))``;
                                   :func:`class_probabilities` ``softmax(classifier(x))``;
                                   :func:`embed` (both from one classifier);
                                   :func:`batched_outputs`; :func:`inception_v3_extractor`
:mod:`~ganlib.metrics.frechet`     :func:`feature_statistics` ``(mean, unbiased covariance)``;
                                   :func:`frechet_distance`
                                   ``‖mu1 - mu2‖² + tr Σ1 + tr Σ2 - 2 tr (Σ1 Σ2)^{1/2}``
                                   (reference: :func:`frechet_distance_sqrtm`);
                                   :func:`fid_from_features`, :func:`fid` (on images),
                                   :func:`fid_at_sample_sizes` (its small-sample bias)
:mod:`~ganlib.metrics.kernel`      :func:`mmd2_unbiased` ``Σ_{i≠j}k(x_i,x_j)/n(n-1) +
                                   Σ_{i≠j}k(y_i,y_j)/m(m-1) - 2 Σ k(x_i,y_j)/nm``;
                                   :func:`kid` (its mean over subsets, ``k = (aᵀb/d + 1)³``)
:mod:`~ganlib.metrics.manifold`    :func:`prdc`: precision, recall, density, coverage from
                                   k-NN balls ``B(x_i, R_i)``; :func:`knn_radii` (the blocked,
                                   threaded k-NN search)
:mod:`~ganlib.metrics.two_sample`  :func:`c2st` (held-out accuracy, ``P(Bin(n, 1/2) >= a n)``);
                                   :func:`memorization_test` (Mann–Whitney z of nearest-
                                   training-point distances, generated vs held-out)
:mod:`~ganlib.metrics.classifier`  :func:`inception_score` ``exp(E_x KL(p(y|x) ‖ p(y)))``,
                                   :func:`classifier_score`; :func:`accuracy`;
                                   :func:`classification_accuracy_score` (train on generated,
                                   test on real)
:mod:`~ganlib.metrics.modes`       :func:`mode_coverage`: modes with enough samples within
                                   ``threshold · std`` of their centre (toy mixtures)
:mod:`~ganlib.metrics.bootstrap`   :func:`bootstrap_ci`: percentile bootstrap interval
:mod:`~ganlib.metrics.suite`       :func:`metric_suite`: all of the above for one generated set,
                                   with the key constants (:data:`METRIC_KEYS`), the
                                   better-direction table (:data:`METRIC_DIRECTIONS`) and one
                                   set of defaults (:class:`SuiteConfig`)
:mod:`~ganlib.metrics.results`     the result types' base :class:`MetricResult` and
                                   :class:`MeanStd`
=================================  ===========================================================

Results: scalar distances (:func:`frechet_distance`, :func:`fid`, :func:`fid_from_features`,
:func:`mmd2_unbiased`, accuracies) are Python floats; metrics with several values return frozen
dataclasses with ``as_dict()`` (:class:`KIDResult`, :class:`ScoreResult`, :class:`PRDCResult`,
:class:`C2STResult`, :class:`MemorizationResult`, :class:`ModeCoverageResult`,
:class:`BootstrapResult`, :class:`MeanStd`); per-sample arrays come only on request
(``details=True``).
"""

from .bootstrap import BootstrapResult, bootstrap_ci
from .classifier import ScoreResult, accuracy, classification_accuracy_score, classifier_score, inception_score
from .features import batched_outputs, class_probabilities, embed, extract_features, inception_v3_extractor
from .frechet import (
    feature_statistics,
    fid,
    fid_at_sample_sizes,
    fid_from_features,
    frechet_distance,
    frechet_distance_sqrtm,
)
from .kernel import KIDResult, kid, mmd2_unbiased
from .manifold import PRDCResult, knn_radii, prdc
from .modes import ModeCoverageDetails, ModeCoverageResult, mode_coverage
from .results import MeanStd, MetricResult
from .suite import (
    C2ST_ACCURACY,
    C2ST_P_VALUE,
    CLASSIFIER_SCORE,
    COPY_FRACTION,
    COVERAGE,
    DENSITY,
    FID,
    KID,
    KID_STD,
    MEMORIZATION_Z,
    METRIC_DIRECTIONS,
    METRIC_LABELS,
    METRIC_FAMILIES,
    METRIC_KEYS,
    PRECISION,
    RECALL,
    SuiteConfig,
    metric_suite,
)
from .two_sample import C2STResult, MemorizationDetails, MemorizationResult, c2st, memorization_test

__all__ = [
    # results
    "MetricResult", "MeanStd", "KIDResult", "ScoreResult", "PRDCResult", "C2STResult",
    "MemorizationResult", "MemorizationDetails", "ModeCoverageResult", "ModeCoverageDetails",
    "BootstrapResult",
    # features
    "batched_outputs", "extract_features", "class_probabilities", "embed", "inception_v3_extractor",
    # Fréchet
    "feature_statistics", "frechet_distance", "frechet_distance_sqrtm", "fid_from_features", "fid",
    "fid_at_sample_sizes",
    # kernel
    "mmd2_unbiased", "kid",
    # manifold
    "knn_radii", "prdc",
    # two-sample
    "c2st", "memorization_test",
    # classifier
    "inception_score", "classifier_score", "accuracy", "classification_accuracy_score",
    # toy mixtures
    "mode_coverage",
    # uncertainty
    "bootstrap_ci",
    # the suite
    "metric_suite", "SuiteConfig", "METRIC_KEYS", "METRIC_FAMILIES", "METRIC_DIRECTIONS", "METRIC_LABELS",
    "FID", "KID", "KID_STD", "PRECISION", "RECALL", "DENSITY", "COVERAGE", "CLASSIFIER_SCORE",
    "C2ST_ACCURACY", "C2ST_P_VALUE", "MEMORIZATION_Z", "COPY_FRACTION",
]
