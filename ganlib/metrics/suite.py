"""One call for every sample-based metric of a generated set: :func:`metric_suite`.

The suite's result is a ``dict`` of Python floats whose keys are the constants below (defined
once, here); its defaults are the fields of one frozen :class:`SuiteConfig`. Tables and figures
show each key under its readable label, :data:`METRIC_LABELS` (``"fid"`` as "FID"). With real
(held-out) features ``X`` ``(N, d)`` and generated features ``Y`` ``(M, d)``:

======================  ====================================================================
keys                    computed as
======================  ====================================================================
``fid``                 :func:`~ganlib.metrics.fid_from_features` ``(X, Y)``
``kid``, ``kid_std``    :func:`~ganlib.metrics.kid` ``(X, Y)``: mean and std over subsets
``precision``,          :func:`~ganlib.metrics.prdc` ``(X, Y)`` with ``nearest_k``
``recall``,
``density``,
``coverage``
``classifier_score``    :func:`~ganlib.metrics.inception_score` of ``fake_probs`` (if given)
``c2st_accuracy``,      :func:`~ganlib.metrics.c2st` ``(X, Y)``
``c2st_p_value``
``memorization_z``,     :func:`~ganlib.metrics.memorization_test` ``(Y, train_features, X)``
``copy_fraction``       (if ``train_features`` is given; ``X`` serves as the held-out set)
======================  ====================================================================
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from ..validation import (
    check_choice,
    check_feature_scale,
    check_features,
    check_positive_int,
    check_probability,
    check_probability_rows,
    check_same_dim,
    check_seed,
)
from .classifier import inception_score
from .frechet import fid_from_features
from .kernel import kid
from .manifold import prdc
from .two_sample import _classifier_option, c2st, memorization_test

__all__ = [
    "FID", "KID", "KID_STD", "PRECISION", "RECALL", "DENSITY", "COVERAGE", "CLASSIFIER_SCORE",
    "C2ST_ACCURACY", "C2ST_P_VALUE", "MEMORIZATION_Z", "COPY_FRACTION",
    "METRIC_KEYS", "METRIC_FAMILIES", "METRIC_DIRECTIONS", "METRIC_LABELS", "SuiteConfig", "metric_suite",
]

FID = "fid"
KID = "kid"
KID_STD = "kid_std"
PRECISION = "precision"
RECALL = "recall"
DENSITY = "density"
COVERAGE = "coverage"
CLASSIFIER_SCORE = "classifier_score"
C2ST_ACCURACY = "c2st_accuracy"
C2ST_P_VALUE = "c2st_p_value"
MEMORIZATION_Z = "memorization_z"
COPY_FRACTION = "copy_fraction"

#: Every key :func:`metric_suite` can return, in the order it returns them.
METRIC_KEYS = (FID, KID, KID_STD, PRECISION, RECALL, DENSITY, COVERAGE, CLASSIFIER_SCORE,
               C2ST_ACCURACY, C2ST_P_VALUE, MEMORIZATION_Z, COPY_FRACTION)

#: The metric families :class:`SuiteConfig.include` can name, and the keys each one returns.
METRIC_FAMILIES = MappingProxyType({
    "fid": (FID,),
    "kid": (KID, KID_STD),
    "prdc": (PRECISION, RECALL, DENSITY, COVERAGE),
    "classifier_score": (CLASSIFIER_SCORE,),
    "c2st": (C2ST_ACCURACY, C2ST_P_VALUE),
    "memorization": (MEMORIZATION_Z, COPY_FRACTION),
})

#: For each quality key of :func:`metric_suite`: +1 if larger means a *worse* generator, -1 if
#: smaller means worse, 0 if both directions are failures (density: > 1 samples crowd into dense
#: real regions, < 1 samples stray). The memorization ``z`` is signed for copying (``z < 0``); a
#: large positive ``z`` (samples farther from the training set than real data) is a different
#: failure, poor fidelity, which the other metrics report. ``kid_std`` (an uncertainty) and
#: ``c2st_p_value`` (a test's p-value) have no direction.
METRIC_DIRECTIONS = MappingProxyType({
    FID: +1,
    KID: +1,
    PRECISION: -1,
    RECALL: -1,
    DENSITY: 0,
    COVERAGE: -1,
    CLASSIFIER_SCORE: -1,
    C2ST_ACCURACY: +1,
    MEMORIZATION_Z: -1,
    COPY_FRACTION: +1,
})

#: A human-readable label for each key of :func:`metric_suite`, for table columns, axes and
#: legends (code and claims use the keys; readers see the labels), e.g.
#: ``table.rename(columns=METRIC_LABELS)``.
METRIC_LABELS = MappingProxyType({
    FID: "FID",
    KID: "KID",
    KID_STD: "KID std",
    PRECISION: "precision",
    RECALL: "recall",
    DENSITY: "density",
    COVERAGE: "coverage",
    CLASSIFIER_SCORE: "classifier score",
    C2ST_ACCURACY: "C2ST accuracy",
    C2ST_P_VALUE: "C2ST p-value",
    MEMORIZATION_Z: "memorization z",
    COPY_FRACTION: "copy fraction",
})


@dataclasses.dataclass(frozen=True)
class SuiteConfig:
    """The settings of :func:`metric_suite`, one set of defaults for every chapter.

    Attributes:
      include: the metric families to compute (names of :data:`METRIC_FAMILIES`; default all).
        ``classifier_score`` also needs ``fake_probs`` and ``memorization`` ``train_features``.
      nearest_k: k of the PRDC k-NN radii (5, as Naeem et al. 2020).
      n_kid_subsets, kid_subset_size: KID subsets and rows per subset (100 of 1,000, as
        Bińkowski et al. 2018, torch-fidelity and clean-fid). Use a subset size below
        ``min(N, M)`` so that the subsets differ and ``kid_std`` means something.
      score_splits: splits of the classifier score (1: one score on all ``M`` samples).
      c2st_classifier: the classifier of :func:`~ganlib.metrics.c2st` (``"logistic"``,
        ``"knn"`` or a scikit-learn estimator); c2st_test_size: its held-out fraction.
      seed: seed of the KID subsets and the C2ST split (int >= 0).
    """

    include: tuple = tuple(METRIC_FAMILIES)
    nearest_k: int = 5
    n_kid_subsets: int = 100
    kid_subset_size: int = 1000
    score_splits: int = 1
    c2st_classifier: object = "logistic"
    c2st_test_size: float = 0.5
    seed: int = 0

    def __post_init__(self):
        include = self.include
        if isinstance(include, str) or not hasattr(include, "__iter__"):
            raise TypeError(f"include: expected a list of metric families, got {type(include).__name__}")
        include = tuple(check_choice(f, "include", METRIC_FAMILIES) for f in include)
        if not include:
            raise ValueError(f"include: expected at least one of {list(METRIC_FAMILIES)}, got none")
        _classifier_option(self.c2st_classifier, "c2st_classifier")
        checked = {
            "include": include,
            "nearest_k": check_positive_int(self.nearest_k, "nearest_k"),
            "n_kid_subsets": check_positive_int(self.n_kid_subsets, "n_kid_subsets"),
            "kid_subset_size": check_positive_int(self.kid_subset_size, "kid_subset_size", minimum=2),
            "score_splits": check_positive_int(self.score_splits, "score_splits"),
            "c2st_test_size": check_probability(self.c2st_test_size, "c2st_test_size", open_interval=True),
            "seed": check_seed(self.seed),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)


def _config(config, overrides) -> SuiteConfig:
    if config is None:
        config = SuiteConfig()
    elif not isinstance(config, SuiteConfig):
        raise TypeError(f"config: expected a SuiteConfig or None, got {type(config).__name__}")
    fields = [f.name for f in dataclasses.fields(SuiteConfig)]
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise TypeError(f"{', '.join(unknown)}: not a setting of the metric suite; settings: {fields}")
    return dataclasses.replace(config, **overrides) if overrides else config


def metric_suite(real_features, fake_features, *, fake_probs=None, train_features=None,
                 config: SuiteConfig | None = None, **overrides) -> dict[str, float]:
    """Every sample-based metric for one generated set, with one set of defaults.

    With real (held-out) features ``X`` ``(N, d)`` and generated features ``Y`` ``(M, d)``:

    * ``fid`` = :func:`~ganlib.metrics.fid_from_features` ``(X, Y)`` (Heusel et al. 2017);
    * ``kid``, ``kid_std`` = mean and std of :func:`~ganlib.metrics.kid` over ``n_kid_subsets``
      subsets of ``min(kid_subset_size, N, M)`` rows (Bińkowski et al. 2018);
    * ``precision``, ``recall``, ``density``, ``coverage`` = :func:`~ganlib.metrics.prdc` with
      ``nearest_k`` (Kynkäänniemi et al. 2019; Naeem et al. 2020);
    * ``classifier_score`` = :func:`~ganlib.metrics.inception_score` of ``fake_probs`` with
      ``score_splits`` splits (Salimans et al. 2016), if ``fake_probs`` is given;
    * ``c2st_accuracy``, ``c2st_p_value`` = :func:`~ganlib.metrics.c2st` ``(X, Y)`` with
      ``c2st_classifier`` and ``c2st_test_size`` (Lopez-Paz & Oquab 2017);
    * ``memorization_z``, ``copy_fraction`` = :func:`~ganlib.metrics.memorization_test`
      ``(Y, train_features, X)`` if ``train_features`` is given: ``X`` serves as the held-out
      real set, so it must not overlap the training set (Meehan et al. 2020).

    Args:
      real_features: ``(N, d)`` features of real images not used for training, ``N > nearest_k``.
      fake_features: ``(M, d)`` features of generated images, ``M > nearest_k``.
      fake_probs: optional ``(M, C)`` class probabilities of the generated images (softmax rows).
      train_features: optional ``(T, d)`` features of the generator's training images.
      config: a :class:`SuiteConfig` (default ``SuiteConfig()``).
      **overrides: fields of :class:`SuiteConfig` to change for this call, e.g.
        ``metric_suite(x, y, n_kid_subsets=20, kid_subset_size=250)``.

    Returns:
      ``dict`` key -> Python float, in the order of :data:`METRIC_KEYS`, with the keys of the
      included families (:data:`METRIC_FAMILIES`) whose inputs were given.
    """
    cfg = _config(config, overrides)
    real = check_features(real_features, "real_features", min_samples=2)
    fake = check_features(fake_features, "fake_features", min_samples=2)
    check_same_dim(real, fake, "real_features", "fake_features")
    # Every metric below except the FID measures distances or kernels: refuse features whose
    # distances overflow here, under the suite's own argument names.
    check_feature_scale(real, "real_features")
    check_feature_scale(fake, "fake_features")
    include = set(cfg.include)
    if "prdc" in include and cfg.nearest_k >= min(real.shape[0], fake.shape[0]):
        raise ValueError(
            f"nearest_k: expected nearest_k < min(N, M) = {min(real.shape[0], fake.shape[0])}, got {cfg.nearest_k}"
        )
    probs = None
    if fake_probs is not None:
        probs = check_probability_rows(fake_probs, "fake_probs")
        if probs.shape[0] != fake.shape[0]:
            raise ValueError(
                f"fake_probs: expected one row per generated sample ({fake.shape[0]}), got {probs.shape[0]}"
            )
    train = None
    if train_features is not None:
        train = check_feature_scale(check_features(train_features, "train_features", min_samples=1),
                                    "train_features")
        check_same_dim(real, train, "real_features", "train_features")

    out: dict[str, float] = {}
    if "fid" in include:
        out[FID] = fid_from_features(real, fake)
    if "kid" in include:
        k = kid(real, fake, n_subsets=cfg.n_kid_subsets, subset_size=cfg.kid_subset_size, seed=cfg.seed)
        out[KID], out[KID_STD] = k.mean, k.std
    if "prdc" in include:
        pr = prdc(real, fake, nearest_k=cfg.nearest_k)
        out[PRECISION], out[RECALL], out[DENSITY], out[COVERAGE] = pr.precision, pr.recall, pr.density, pr.coverage
    if "classifier_score" in include and probs is not None:
        out[CLASSIFIER_SCORE] = inception_score(probs, n_splits=cfg.score_splits).mean
    if "c2st" in include:
        c = c2st(real, fake, classifier=cfg.c2st_classifier, test_size=cfg.c2st_test_size, seed=cfg.seed)
        out[C2ST_ACCURACY], out[C2ST_P_VALUE] = c.accuracy, c.p_value
    if "memorization" in include and train is not None:
        mem = memorization_test(fake, train, real)
        out[MEMORIZATION_Z], out[COPY_FRACTION] = mem.z, mem.copy_fraction
    return {key: float(out[key]) for key in METRIC_KEYS if key in out}
