"""Hostile input for every public function of ganlib.metrics, as one table (issue 11, finding 5).

Each row is one input to one public function and what it must give: a clear error (the exception
type and a substring that names the argument) or, for a valid edge input, the correct result (a
check against an independently known value). A row ends in one of three outcomes: "clear error",
"correct result" or "anything else" (a silent number for impossible input, a raw crash, an error
that blames the wrong thing); the goal is nothing else. ``test_every_public_function_has_rows``
enumerates ``ganlib.metrics.__all__`` and every submodule's ``__all__``, so a new metric without
rows fails.

Rows marked ``was_silent`` are the issue's silent cases (and the others found while writing the
table): they returned a number, or crashed with a raw exception, on the code before the fix.
Run as a script to print the counts per function, or to check the marked rows against another
copy of ganlib (``PYTHONPATH=<copy> python tests/test_hostile_inputs.py --expect-silent``):

    python tests/test_hostile_inputs.py [--write counts.md] [--expect-silent]
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import sys
from collections import Counter
from typing import Callable

import numpy as np
import pytest

import ganlib.metrics as M

SUBMODULES = ("features", "frechet", "kernel", "manifold", "two_sample", "classifier", "modes",
              "bootstrap", "results", "suite")

CLEAR, CORRECT, ELSE = "clear error", "correct result", "anything else"


@dataclasses.dataclass(frozen=True)
class Row:
    function: str
    label: str
    call: Callable
    error: type | None = None  # the exception a hostile input must raise ...
    match: str = ""  # ... with this in its message (the argument's name)
    check: Callable | None = None  # for a valid edge input: result -> bool
    was_silent: bool = False


def bad(function, label, call, error, match, was_silent=False):
    return Row(function, label, call, error=error, match=match, was_silent=was_silent)


def edge(function, label, call, check):
    return Row(function, label, call, check=check)


# ------------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------------

_rng = np.random.default_rng(0)
F = _rng.normal(size=(40, 4))  # real features
G = _rng.normal(size=(40, 4)) + 0.5  # generated features
NAN_F = F.copy()
NAN_F[3, 1] = np.nan
IMG = _rng.uniform(size=(12, 4, 4, 1)).astype(np.float32)
IMG255 = np.round(IMG * 255)  # 0..255 pixels
NAN_IMG = IMG.copy()
NAN_IMG[0, 0, 0, 0] = np.nan
Z4, I4 = np.zeros(4), np.eye(4)


def flat(b):  # a feature extractor: the 16 pixels
    return np.asarray(b).reshape(len(b), -1)


def logits3(b):  # a classifier with 3 classes
    return 5.0 * flat(b)[:, :3]


def nan_model(b):
    return np.full((len(b), 3), np.nan)


def one_inf_model(b):
    out = flat(b)[:, :3].astype(np.float64)
    out[-1, 0] = np.inf
    return out


def logits10(b):
    return np.eye(10)[np.arange(len(b)) % 10]


def _close(a, b, tol=1e-9):
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))


def _linear_mmd_by_hand(x, y):
    n, m = len(x), len(y)
    sxx = sum(x[i] @ x[j] for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    syy = sum(y[i] @ y[j] for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    sxy = sum(x[i] @ y[j] for i in range(n) for j in range(m)) / (n * m)
    return sxx + syy - 2 * sxy


def _singular_cov():
    v = np.array([1.0, 2.0, 0.0, -1.0])
    return np.outer(v, v)  # rank 1, PSD


def _roundoff_cov():  # PSD up to a negative eigenvalue of -1e-12 relative: round-off, accepted
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(4, 4)))
    return (q * np.array([2.0, 1.0, 0.5, -2e-12])) @ q.T


_KERAS = {}


def _mlp_classifier(nan_weights=False):
    """A tiny functional MNIST MLP with a "features" layer (built once, cached)."""
    key = "nan" if nan_weights else "ok"
    if key not in _KERAS:
        import keras

        from ganlib import models

        keras.utils.set_random_seed(0)
        clf = models.mnist_mlp_classifier(hidden_units=7)
        if nan_weights:
            clf.set_weights([np.full_like(w, np.nan) for w in clf.get_weights()])
        _KERAS[key] = clf
    return _KERAS[key]


def _tiny_cas_classifier():
    import keras

    return keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])


def _cas_toy(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.int64)
    x = 0.1 + 0.05 * rng.normal(size=(n, 4, 4, 1))
    x[y == 0, :, :2] += 0.7
    x[y == 1, :, 2:] += 0.7
    return np.clip(x, 0, 1).astype(np.float32), y


MNIST_LIKE = _rng.uniform(size=(5, 28, 28, 1)).astype(np.float32)


class _NoPredict:
    def fit(self, x, y):
        return self


# ------------------------------------------------------------------------------------------------
# The table
# ------------------------------------------------------------------------------------------------

ROWS = [
    # --- features --------------------------------------------------------------------------------
    bad("batched_outputs", "images None", lambda: M.batched_outputs(None, flat), TypeError, "images"),
    bad("batched_outputs", "NaN image", lambda: M.batched_outputs(NAN_IMG, flat), ValueError, "images:"),
    bad("batched_outputs", "model returns NaN", lambda: M.batched_outputs(IMG, nan_model), ValueError, "model:",
        was_silent=True),
    bad("batched_outputs", "one inf in the last row", lambda: M.batched_outputs(IMG, one_inf_model, name="extractor"),
        ValueError, "extractor: expected finite outputs", was_silent=True),
    bad("batched_outputs", "model drops rows", lambda: M.batched_outputs(IMG, lambda b: flat(b)[:1]), ValueError,
        "model:"),
    bad("batched_outputs", "model not callable", lambda: M.batched_outputs(IMG, 3), TypeError, "model"),
    bad("batched_outputs", "batch_size 0", lambda: M.batched_outputs(IMG, flat, batch_size=0), ValueError,
        "batch_size"),
    edge("batched_outputs", "batch larger than the data", lambda: M.batched_outputs(IMG, flat, batch_size=1000),
         lambda out: np.array_equal(out, flat(IMG))),

    bad("extract_features", "0..255 pixels", lambda: M.extract_features(IMG255, flat), ValueError,
        "images: expected values in [0, 1]", was_silent=True),
    bad("extract_features", "negative pixels", lambda: M.extract_features(IMG - 0.5, flat), ValueError, "images:",
        was_silent=True),
    bad("extract_features", "extractor returns NaN", lambda: M.extract_features(IMG, nan_model), ValueError,
        "extractor:", was_silent=True),
    bad("extract_features", "1-D images", lambda: M.extract_features(np.ones(5), flat), ValueError, "images"),
    bad("extract_features", "extractor None", lambda: M.extract_features(IMG, None), TypeError, "extractor"),
    edge("extract_features", "images exactly 0 and 1", lambda: M.extract_features(np.round(IMG), flat),
         lambda f: np.array_equal(f, flat(np.round(IMG)))),

    bad("class_probabilities", "0..255 pixels", lambda: M.class_probabilities(IMG255, logits3), ValueError,
        "images:", was_silent=True),
    bad("class_probabilities", "NaN logits", lambda: M.class_probabilities(IMG, nan_model), ValueError,
        "classifier:"),
    bad("class_probabilities", "1-D logits", lambda: M.class_probabilities(IMG, lambda b: flat(b)[:, 0]),
        ValueError, "classifier:"),
    edge("class_probabilities", "huge logits stay one-hot", lambda: M.class_probabilities(
        np.ones((2, 1, 2, 1)), lambda b: np.array([[1000.0, 0.0], [0.0, 1000.0]])[:len(b)]),
         lambda p: np.array_equal(p, np.eye(2))),

    bad("embed", "0..255 pixels", lambda: M.embed(np.round(MNIST_LIKE * 255), _mlp_classifier()), ValueError,
        "images:"),
    bad("embed", "classifier with NaN weights", lambda: M.embed(MNIST_LIKE, _mlp_classifier(nan_weights=True)),
        ValueError, "classifier: expected finite outputs", was_silent=True),
    bad("embed", "classifier not a model", lambda: M.embed(MNIST_LIKE, logits3), TypeError, "classifier"),
    bad("embed", "unknown layer", lambda: M.embed(MNIST_LIKE, _mlp_classifier(), layer="nope"), ValueError,
        "layer"),
    edge("embed", "probabilities are the softmax of the logits", lambda: M.embed(MNIST_LIKE, _mlp_classifier()),
         lambda fp: np.allclose(fp[1], M.class_probabilities(MNIST_LIKE, _mlp_classifier()), rtol=1e-6)
         and fp[0].shape == (5, 7)),

    bad("inception_v3_extractor", "weights a number", lambda: M.inception_v3_extractor(3), TypeError, "weights"),
    bad("inception_v3_extractor", "missing weights file",
        lambda: M.inception_v3_extractor("/nonexistent/weights.h5"), ValueError, "weights"),

    # --- Fréchet -------------------------------------------------------------------------------
    bad("feature_statistics", "one sample", lambda: M.feature_statistics(F[:1]), ValueError, "features"),
    bad("feature_statistics", "NaN feature", lambda: M.feature_statistics(NAN_F), ValueError, "features:"),
    bad("feature_statistics", "1-D", lambda: M.feature_statistics(F[:, 0]), ValueError, "features:"),
    bad("feature_statistics", "1e160: covariance overflows", lambda: M.feature_statistics(F * 1e160), ValueError,
        "features: values too large", was_silent=True),
    edge("feature_statistics", "identical rows: zero covariance",
         lambda: M.feature_statistics(np.tile([1.0, 2.0], (3, 1))),
         lambda ms: np.array_equal(ms[0], [1.0, 2.0]) and np.array_equal(ms[1], np.zeros((2, 2)))),

    bad("frechet_distance", "-I covariances (was 0.0)", lambda: M.frechet_distance(Z4, -I4, Z4, -I4), ValueError,
        "sigma2: expected a positive semi-definite", was_silent=True),
    bad("frechet_distance", "sigma1 = -I", lambda: M.frechet_distance(Z4, -I4, Z4, I4), ValueError,
        "sigma1: expected a positive semi-definite", was_silent=True),
    bad("frechet_distance", "indefinite sigma2", lambda: M.frechet_distance(Z4, I4, Z4, np.diag([1.0, 1, 1, -0.5])),
        ValueError, "sigma2:", was_silent=True),
    bad("frechet_distance", "-I made PD by eps", lambda: M.frechet_distance(Z4, -I4, Z4, I4, eps=2.0), ValueError,
        "sigma1:", was_silent=True),
    bad("frechet_distance", "asymmetric", lambda: M.frechet_distance(Z4, np.triu(np.ones((4, 4))), Z4, I4),
        ValueError, "sigma1:"),
    bad("frechet_distance", "NaN mean", lambda: M.frechet_distance(np.full(4, np.nan), I4, Z4, I4), ValueError,
        "mu1:"),
    bad("frechet_distance", "inf covariance", lambda: M.frechet_distance(Z4, I4 * np.inf, Z4, I4), ValueError,
        "sigma1:"),
    bad("frechet_distance", "shape mismatch", lambda: M.frechet_distance(Z4, I4, Z4, np.eye(3)), ValueError,
        "sigma2:"),
    bad("frechet_distance", "products overflow", lambda: M.frechet_distance(Z4, I4 * 1e200, Z4, I4 * 1e200),
        ValueError, "sigma1 and sigma2: values too large", was_silent=True),
    bad("frechet_distance", "eps negative", lambda: M.frechet_distance(Z4, I4, Z4, I4, eps=-1.0), ValueError, "eps"),
    bad("frechet_distance", "unknown factor", lambda: M.frechet_distance(Z4, I4, Z4, I4, factor="svd"), ValueError,
        "factor"),
    edge("frechet_distance", "identical Gaussians: 0", lambda: M.frechet_distance(Z4, 2 * I4, Z4, 2 * I4),
         lambda d: _close(d, 0.0, 1e-12)),
    edge("frechet_distance", "by hand: |dmu|^2 + d(1 + 4 - 2*2)",
         lambda: M.frechet_distance(Z4, I4, np.ones(4), 4 * I4), lambda d: _close(d, 4.0 + 4.0)),
    edge("frechet_distance", "PSD but singular accepted (rank 1)",
         lambda: M.frechet_distance(Z4, _singular_cov(), Z4, _singular_cov()), lambda d: _close(d, 0.0, 1e-9)),
    edge("frechet_distance", "singular vs I by hand", lambda: M.frechet_distance(Z4, _singular_cov(), Z4, I4),
         # tr S + tr I - 2 tr (S)^1/2 = 6 + 4 - 2 sqrt(6) for S = v vᵀ, |v|² = 6
         lambda d: _close(d, 10.0 - 2 * math.sqrt(6.0))),
    edge("frechet_distance", "round-off negative eigenvalue accepted",
         lambda: M.frechet_distance(Z4, _roundoff_cov(), Z4, _roundoff_cov()), lambda d: _close(d, 0.0, 1e-9)),

    bad("frechet_distance_sqrtm", "-I covariances", lambda: M.frechet_distance_sqrtm(Z4, -I4, Z4, -I4), ValueError,
        "sigma1: expected a positive semi-definite", was_silent=True),
    bad("frechet_distance_sqrtm", "eps 0", lambda: M.frechet_distance_sqrtm(Z4, I4, Z4, I4, eps=0.0), ValueError,
        "eps"),
    edge("frechet_distance_sqrtm", "by hand", lambda: M.frechet_distance_sqrtm(Z4, I4, np.ones(4), 4 * I4),
         lambda d: _close(d, 8.0)),

    bad("fid_from_features", "NaN feature", lambda: M.fid_from_features(NAN_F, G), ValueError, "real_features:"),
    bad("fid_from_features", "1e110: covariance products overflow", lambda: M.fid_from_features(F * 1e110, G * 1e110),
        ValueError, "real_features and fake_features: values too large", was_silent=True),
    bad("fid_from_features", "1e160: covariance overflows", lambda: M.fid_from_features(F, G * 1e160), ValueError,
        "fake_features: values too large", was_silent=True),
    bad("fid_from_features", "feature dimensions differ", lambda: M.fid_from_features(F, G[:, :3]), ValueError,
        "real_features and fake_features"),
    bad("fid_from_features", "one generated sample", lambda: M.fid_from_features(F, G[:1]), ValueError,
        "fake_features"),
    edge("fid_from_features", "identical sets: ~0", lambda: M.fid_from_features(F, F), lambda d: _close(d, 0, 1e-9)),
    edge("fid_from_features", "fewer samples than features (singular) = sqrtm reference",
         lambda: M.fid_from_features(F[:3], G[:3]),
         lambda d: _close(d, M.frechet_distance_sqrtm(*M.feature_statistics(F[:3]), *M.feature_statistics(G[:3])),
                          1e-5)),
    edge("fid_from_features", "scaled by 1e50: FID scales by 1e100",
         lambda: M.fid_from_features(F * 1e50, G * 1e50), lambda d: _close(d / 1e100, M.fid_from_features(F, G), 1e-9)),

    bad("fid", "0..255 pixels (was FID of the pixels)", lambda: M.fid(IMG255, IMG255[::-1], flat), ValueError,
        "real_images: expected values in [0, 1]", was_silent=True),
    bad("fid", "0..255 hint", lambda: M.fid(IMG, IMG255, flat), ValueError, "divide by 255", was_silent=True),
    bad("fid", "negative generated pixels", lambda: M.fid(IMG, IMG - 1.0, flat), ValueError, "fake_images:",
        was_silent=True),
    bad("fid", "extractor returns NaN", lambda: M.fid(IMG, IMG, nan_model), ValueError, "extractor:"),
    bad("fid", "batch_size 0", lambda: M.fid(IMG, IMG, flat, batch_size=0), ValueError, "batch_size"),
    edge("fid", "identical images: ~0", lambda: M.fid(IMG, IMG, lambda b: flat(b)[:, :3]),
         lambda d: _close(d, 0.0, 1e-6)),

    bad("fid_at_sample_sizes", "size 1", lambda: M.fid_at_sample_sizes(F, G, [1]), ValueError, "sizes"),
    bad("fid_at_sample_sizes", "size above N", lambda: M.fid_at_sample_sizes(F, G, [41]), ValueError, "sizes"),
    bad("fid_at_sample_sizes", "sizes a string", lambda: M.fid_at_sample_sizes(F, G, "10"), TypeError, "sizes"),
    bad("fid_at_sample_sizes", "NaN feature", lambda: M.fid_at_sample_sizes(NAN_F, G, [10]), ValueError,
        "real_features:"),
    bad("fid_at_sample_sizes", "1e110 features", lambda: M.fid_at_sample_sizes(F * 1e110, G * 1e110, [10]),
        ValueError, "real_features and fake_features", was_silent=True),
    bad("fid_at_sample_sizes", "n_repeats 0", lambda: M.fid_at_sample_sizes(F, G, [10], n_repeats=0), ValueError,
        "n_repeats"),
    edge("fid_at_sample_sizes", "whole sets, same features: ~0", lambda: M.fid_at_sample_sizes(F, F, [40], n_repeats=2),
         lambda r: list(r) == [40] and _close(r[40].mean, 0.0, 1e-9)),

    # --- kernel ---------------------------------------------------------------------------------
    bad("mmd2_unbiased", "degree 2000 (was NaN)", lambda: M.mmd2_unbiased(F, G, degree=2000), ValueError,
        "degree=2000", was_silent=True),
    bad("mmd2_unbiased", "1e110 features (was NaN)", lambda: M.mmd2_unbiased(F * 1e110, G * 1e110), ValueError,
        "x and y: the polynomial kernel", was_silent=True),
    bad("mmd2_unbiased", "rbf, 1e160 features", lambda: M.mmd2_unbiased(F * 1e160, G, "rbf"), ValueError,
        "x: values too large", was_silent=True),
    bad("mmd2_unbiased", "linear, 1e160 features", lambda: M.mmd2_unbiased(F * 1e160, G * 1e160, "linear"),
        ValueError, "x and y: values too large", was_silent=True),
    bad("mmd2_unbiased", "unknown kernel", lambda: M.mmd2_unbiased(F, G, "cubic"), ValueError, "kernel"),
    bad("mmd2_unbiased", "gamma 0", lambda: M.mmd2_unbiased(F, G, gamma=0.0), ValueError, "gamma"),
    bad("mmd2_unbiased", "degree 0", lambda: M.mmd2_unbiased(F, G, degree=0), ValueError, "degree"),
    bad("mmd2_unbiased", "NaN feature", lambda: M.mmd2_unbiased(NAN_F, G), ValueError, "x:"),
    edge("mmd2_unbiased", "linear kernel by hand", lambda: M.mmd2_unbiased(F[:6], G[:5], "linear"),
         lambda v: _close(v, _linear_mmd_by_hand(F[:6], G[:5]), 1e-9)),
    edge("mmd2_unbiased", "degree 100 still finite and = by hand", lambda: M.mmd2_unbiased(F[:3], G[:3], degree=100,
                                                                                         gamma=0.1),
         lambda v: _close(v, _poly_mmd_by_hand(F[:3], G[:3], 100, 0.1), 1e-7)),

    bad("kid", "1e110 features (was NaN)", lambda: M.kid(F * 1e110, G * 1e110, n_subsets=3, subset_size=20),
        ValueError, "real_features and fake_features: the polynomial kernel", was_silent=True),
    bad("kid", "degree 2000 (was NaN)", lambda: M.kid(F, G, degree=2000, n_subsets=3, subset_size=20), ValueError,
        "degree=2000", was_silent=True),
    bad("kid", "subset_size 1", lambda: M.kid(F, G, subset_size=1), ValueError, "subset_size"),
    bad("kid", "n_subsets 0", lambda: M.kid(F, G, n_subsets=0), ValueError, "n_subsets"),
    bad("kid", "NaN feature", lambda: M.kid(F, NAN_F), ValueError, "fake_features:"),
    edge("kid", "whole sets: = mmd2_unbiased", lambda: M.kid(F, G, n_subsets=3, subset_size=100),
         lambda r: _close(r.mean, M.mmd2_unbiased(F, G), 1e-12) and r.std == 0.0),

    # --- manifold -------------------------------------------------------------------------------
    bad("knn_radii", "k = N", lambda: M.knn_radii(F, 40), ValueError, "k:"),
    bad("knn_radii", "1e160 features", lambda: M.knn_radii(F * 1e160, 2), ValueError, "features: values too large",
        was_silent=True),
    bad("knn_radii", "NaN feature", lambda: M.knn_radii(NAN_F, 2), ValueError, "features:"),
    edge("knn_radii", "points 0, 1, 3 on a line", lambda: M.knn_radii(np.array([[0.0], [1.0], [3.0]]), 1),
         lambda r: np.array_equal(r, [1.0, 1.0, 2.0])),

    bad("sqrt_thresholds", "negative radius", lambda: _sqrt_thresholds([1.0, -1.0]), ValueError, "radii:"),
    bad("sqrt_thresholds", "NaN radius", lambda: _sqrt_thresholds([np.nan]), ValueError, "radii:"),
    bad("sqrt_thresholds", "2-D radii", lambda: _sqrt_thresholds(np.ones((2, 2))), ValueError, "radii:"),
    edge("sqrt_thresholds", "0, inf, 2 and 1e200", lambda: _sqrt_thresholds([0.0, np.inf, 2.0, 1e200]),
         lambda t: t[0] == 0 and t[1] == np.inf and np.sqrt(t[2]) >= 2 and np.sqrt(np.nextafter(t[2], 0)) < 2
         and t[3] == np.inf),

    bad("prdc", "1e160 features (was all zeros)", lambda: M.prdc(F * 1e160, G * 1e160), ValueError,
        "real_features: values too large", was_silent=True),
    bad("prdc", "nearest_k >= M", lambda: M.prdc(F, G[:5], nearest_k=5), ValueError, "nearest_k"),
    bad("prdc", "NaN feature", lambda: M.prdc(F, NAN_F), ValueError, "fake_features:"),
    bad("prdc", "feature dimensions differ", lambda: M.prdc(F, G[:, :2]), ValueError,
        "real_features and fake_features"),
    edge("prdc", "identical sets: precision = recall = coverage = 1", lambda: M.prdc(F, F),
         lambda r: r.precision == r.recall == r.coverage == 1.0),
    edge("prdc", "1e110 features: same as unscaled (scale invariant)", lambda: M.prdc(F * 1e110, G * 1e110),
         lambda r: r == M.prdc(F, G)),

    # --- two-sample tests ---------------------------------------------------------------------
    bad("c2st", "1e200 features (was a raw sklearn error)", lambda: M.c2st(F * 1e200, G), ValueError,
        "real: values too large", was_silent=True),
    bad("c2st", "NaN feature", lambda: M.c2st(NAN_F, G), ValueError, "real:"),
    bad("c2st", "test_size 1.5", lambda: M.c2st(F, G, test_size=1.5), ValueError, "test_size"),
    bad("c2st", "unknown classifier", lambda: M.c2st(F, G, classifier="svm"), ValueError, "classifier"),
    bad("c2st", "estimator without predict", lambda: M.c2st(F, G, classifier=_NoPredict()), TypeError,
        "classifier"),
    edge("c2st", "far-apart sets: accuracy 1", lambda: M.c2st(F, G + 100.0),
         lambda r: r.accuracy == 1.0 and r.p_value < 1e-5 and r.n_test == 40),

    bad("memorization_test", "1e160 features (was NaN medians)",
        lambda: M.memorization_test(F * 1e160, G * 1e160, G * 1e160), ValueError, "generated_features: values too large",
        was_silent=True),
    bad("memorization_test", "NaN training feature", lambda: M.memorization_test(F, NAN_F, G), ValueError,
        "train_features:"),
    bad("memorization_test", "details a string", lambda: M.memorization_test(F, G, G, details="yes"), TypeError,
        "details"),
    bad("memorization_test", "dimensions differ", lambda: M.memorization_test(F, G[:, :2], G), ValueError,
        "generated_features and train_features"),
    edge("memorization_test", "exact copies: copy fraction 1, z < 0", lambda: M.memorization_test(F[:20], F, G),
         lambda r: r.copy_fraction == 1.0 and r.median_gen_distance == 0.0 and r.z < -3),

    # --- classifier -----------------------------------------------------------------------------
    bad("inception_score", "probabilities above 1", lambda: M.inception_score(np.array([[1.5, -0.5]]), n_splits=1),
        ValueError, "probs:"),
    bad("inception_score", "logits instead of probabilities",
        lambda: M.inception_score(np.array([[2.0, 3.0], [1.0, 0.5]]), n_splits=1), ValueError, "probs: expected"),
    bad("inception_score", "NaN probability", lambda: M.inception_score(np.array([[np.nan, 1.0]]), n_splits=1),
        ValueError, "probs:"),
    bad("inception_score", "n_splits > N", lambda: M.inception_score(np.eye(3), n_splits=4), ValueError, "n_splits"),
    edge("inception_score", "confident and balanced: C", lambda: M.inception_score(np.eye(5)[np.arange(50) % 5],
                                                                                    n_splits=2),
         lambda r: _close(r.mean, 5.0, 1e-12) and _close(r.std, 0.0, 1e-12)),

    bad("classifier_score", "0..255 pixels", lambda: M.classifier_score(IMG255, logits3, n_splits=1), ValueError,
        "images:", was_silent=True),
    bad("classifier_score", "NaN logits", lambda: M.classifier_score(IMG, nan_model, n_splits=1), ValueError,
        "classifier:"),
    edge("classifier_score", "one-hot logits over 3 classes: 3", lambda: M.classifier_score(
        np.eye(3)[np.arange(30) % 3][:, :, None, None], lambda b: 100.0 * flat(b), n_splits=1),
         lambda r: _close(r.mean, 3.0, 1e-9)),

    bad("accuracy", "NaN logits (was 1.0)", lambda: M.accuracy(nan_model, IMG, np.zeros(12, np.int64)), ValueError,
        "model: expected finite outputs", was_silent=True),
    bad("accuracy", "labels 10..13 for 10 classes (was 0.0)",
        lambda: M.accuracy(logits10, IMG[:4], np.array([10, 11, 12, 13])), ValueError, "y: expected labels in [0, 9]",
        was_silent=True),
    bad("accuracy", "negative labels", lambda: M.accuracy(logits10, IMG[:4], np.array([0, -1, 2, 3])), ValueError,
        "y:", was_silent=True),
    bad("accuracy", "non-integer labels", lambda: M.accuracy(logits10, IMG[:2], np.array([0.5, 1.0])), TypeError,
        "y:"),
    bad("accuracy", "0..255 pixels", lambda: M.accuracy(logits10, IMG255, np.zeros(12, np.int64)), ValueError,
        "x:", was_silent=True),
    bad("accuracy", "one label too few", lambda: M.accuracy(logits10, IMG, np.zeros(11, np.int64)), ValueError, "y:"),
    bad("accuracy", "model None", lambda: M.accuracy(None, IMG, np.zeros(12, np.int64)), TypeError, "model"),
    edge("accuracy", "by hand: 3 of 4", lambda: M.accuracy(lambda b: flat(b), np.eye(4, dtype=np.float32),
                                                           np.array([0, 1, 2, 0]), batch_size=3),
         lambda a: a == 0.75),

    bad("classification_accuracy_score", "0..255 training images",
        lambda: M.classification_accuracy_score(np.round(_cas_toy(20, 0)[0] * 255), _cas_toy(20, 0)[1],
                                                *_cas_toy(20, 1), _tiny_cas_classifier, epochs=1),
        ValueError, "train_x: expected values in [0, 1]", was_silent=True),
    bad("classification_accuracy_score", "NaN test image",
        lambda: M.classification_accuracy_score(*_cas_toy(20, 0), np.full((20, 4, 4, 1), np.nan),
                                                _cas_toy(20, 1)[1], _tiny_cas_classifier, epochs=1),
        ValueError, "test_x:"),
    bad("classification_accuracy_score", "label 5 for a 2-logit classifier",
        lambda: M.classification_accuracy_score(_cas_toy(20, 0)[0], _cas_toy(20, 0)[1] + 4, *_cas_toy(20, 1),
                                                _tiny_cas_classifier, epochs=1),
        ValueError, "train_y/test_y"),
    bad("classification_accuracy_score", "non-integer labels",
        lambda: M.classification_accuracy_score(_cas_toy(20, 0)[0], _cas_toy(20, 0)[1] + 0.5, *_cas_toy(20, 1),
                                                _tiny_cas_classifier, epochs=1),
        TypeError, "train_y"),
    bad("classification_accuracy_score", "epochs 0",
        lambda: M.classification_accuracy_score(*_cas_toy(20, 0), *_cas_toy(20, 1), _tiny_cas_classifier, epochs=0),
        ValueError, "epochs"),
    edge("classification_accuracy_score", "separable toy: near 1, swapped labels: near 0",
         lambda: (M.classification_accuracy_score(*_cas_toy(200, 0), *_cas_toy(200, 1), _tiny_cas_classifier,
                                                  epochs=15, batch_size=32),
                  M.classification_accuracy_score(_cas_toy(200, 0)[0], 1 - _cas_toy(200, 0)[1], *_cas_toy(200, 1),
                                                  _tiny_cas_classifier, epochs=15, batch_size=32)),
         lambda ab: ab[0] >= 0.9 and ab[1] <= 0.1),

    # --- modes, bootstrap -----------------------------------------------------------------------
    bad("mode_coverage", "1e200 samples", lambda: M.mode_coverage(F * 1e200, np.zeros((2, 4)), 1.0), ValueError,
        "samples: values too large", was_silent=True),
    bad("mode_coverage", "negative std", lambda: M.mode_coverage(F, np.zeros((2, 4)), -1.0), ValueError, "stds"),
    bad("mode_coverage", "NaN std", lambda: M.mode_coverage(F, np.zeros((2, 4)), np.nan), ValueError, "stds"),
    bad("mode_coverage", "threshold 0", lambda: M.mode_coverage(F, np.zeros((2, 4)), 1.0, threshold=0.0),
        ValueError, "threshold"),
    bad("mode_coverage", "NaN sample", lambda: M.mode_coverage(NAN_F, np.zeros((2, 4)), 1.0), ValueError,
        "samples:"),
    edge("mode_coverage", "samples on the modes", lambda: M.mode_coverage(np.repeat(I4, 10, axis=0), I4, 0.1),
         lambda r: r.modes_covered == 4 and r.high_quality_fraction == 1.0 and _close(r.kl_to_uniform, 0.0, 1e-12)),

    bad("bootstrap_ci", "metric returns NaN (was a NaN interval)",
        lambda: M.bootstrap_ci(lambda a: float("nan"), F), ValueError, "metric_fn: expected a finite result",
        was_silent=True),
    bad("bootstrap_ci", "NaN data through np.mean",
        lambda: M.bootstrap_ci(np.mean, NAN_F[:, 1]), ValueError, "metric_fn:", was_silent=True),
    bad("bootstrap_ci", "no arrays", lambda: M.bootstrap_ci(np.mean), ValueError, "arrays"),
    bad("bootstrap_ci", "n_bootstrap 1", lambda: M.bootstrap_ci(np.mean, F, n_bootstrap=1), ValueError,
        "n_bootstrap"),
    bad("bootstrap_ci", "confidence 1", lambda: M.bootstrap_ci(np.mean, F, confidence=1.0), ValueError,
        "confidence"),
    bad("bootstrap_ci", "metric returns an array", lambda: M.bootstrap_ci(lambda a: a, F), TypeError, "metric_fn"),
    edge("bootstrap_ci", "constant data: a point interval", lambda: M.bootstrap_ci(np.mean, np.full(10, 3.0)),
         lambda r: r.estimate == r.low == r.high == 3.0 and r.std == 0.0),

    # --- the suite -------------------------------------------------------------------------------
    bad("metric_suite", "fake_probs are logits", lambda: M.metric_suite(F, G, fake_probs=G[:, :3], include=("fid",)),
        ValueError, "fake_probs:", was_silent=True),
    bad("metric_suite", "fake_probs with NaN", lambda: M.metric_suite(F, G, fake_probs=np.full((40, 3), np.nan)),
        ValueError, "fake_probs:"),
    bad("metric_suite", "fake_probs above 1", lambda: M.metric_suite(
        F, G, fake_probs=np.tile([1.5, -0.5], (40, 1)), include=("classifier_score",)), ValueError, "fake_probs:"),
    bad("metric_suite", "1e160 real features", lambda: M.metric_suite(F * 1e160, G, include=("prdc",)), ValueError,
        "real_features: values too large", was_silent=True),
    bad("metric_suite", "1e160 training features",
        lambda: M.metric_suite(F, G, train_features=G * 1e160, include=("memorization",)), ValueError,
        "train_features: values too large", was_silent=True),
    bad("metric_suite", "nearest_k too large", lambda: M.metric_suite(F[:5], G[:5], nearest_k=5), ValueError,
        "nearest_k"),
    bad("metric_suite", "unknown setting", lambda: M.metric_suite(F, G, n_subsets=3), TypeError, "n_subsets"),
    edge("metric_suite", "identical sets: FID ~0, precision = recall = 1",
         lambda: M.metric_suite(F, F, fake_probs=np.eye(4)[np.arange(40) % 4], include=("fid", "prdc",
                                                                                        "classifier_score")),
         lambda r: _close(r["fid"], 0.0, 1e-9) and r["precision"] == r["recall"] == 1.0
         and _close(r["classifier_score"], 4.0, 1e-12)),

    bad("SuiteConfig", "unknown family", lambda: M.SuiteConfig(include=("bogus",)), ValueError, "include"),
    bad("SuiteConfig", "nearest_k 0", lambda: M.SuiteConfig(nearest_k=0), ValueError, "nearest_k"),
    bad("SuiteConfig", "c2st_test_size 0", lambda: M.SuiteConfig(c2st_test_size=0.0), ValueError, "c2st_test_size"),
    bad("SuiteConfig", "seed -1", lambda: M.SuiteConfig(seed=-1), ValueError, "seed"),
    edge("SuiteConfig", "defaults", lambda: M.SuiteConfig(), lambda c: c.nearest_k == 5 and c.seed == 0),
]


def _sqrt_thresholds(radii):
    from ganlib.metrics.manifold import sqrt_thresholds

    return sqrt_thresholds(np.asarray(radii, dtype=np.float64))


def _poly_mmd_by_hand(x, y, degree, gamma):
    k = lambda a, b: (gamma * float(a @ b) + 1.0) ** degree  # noqa: E731
    n, m = len(x), len(y)
    sxx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    syy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    sxy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return sxx + syy - 2 * sxy


# ------------------------------------------------------------------------------------------------
# Running the table
# ------------------------------------------------------------------------------------------------


def outcome(row: Row) -> tuple[str, str]:
    """``(outcome, detail)`` of one row: CLEAR, CORRECT or ELSE (with what happened instead)."""
    try:
        result = row.call()
    except Exception as exc:  # noqa: BLE001 - every exception is classified
        text = f"{type(exc).__name__}: {exc}"
        if row.error is not None and isinstance(exc, row.error) and row.match in str(exc):
            return CLEAR, text
        return ELSE, text[:300]
    if row.check is not None:
        try:
            ok = bool(row.check(result))
        except Exception as exc:  # noqa: BLE001
            return ELSE, f"check failed on {result!r}: {exc}"
        if ok:
            return CORRECT, repr(result)[:200]
    return ELSE, f"returned {result!r}"[:300]


def public_callables() -> dict[str, str]:
    """Every function (and non-result class) named in ganlib.metrics.__all__ or a submodule's
    __all__ -> the module that names it."""
    found = {}
    for mod_name in ("ganlib.metrics",) + tuple(f"ganlib.metrics.{s}" for s in SUBMODULES):
        mod = importlib.import_module(mod_name)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                found.setdefault(name, mod_name)
            elif inspect.isclass(obj) and not issubclass(obj, M.MetricResult) and not name.endswith("Details"):
                found.setdefault(name, mod_name)  # SuiteConfig: a class that validates its input
    return found


def counts(outcomes) -> dict[str, Counter]:
    table: dict[str, Counter] = {}
    for row, (kind, _) in zip(ROWS, outcomes):
        c = table.setdefault(row.function, Counter())
        c["inputs"] += 1
        c[kind] += 1
    return table


def counts_markdown(outcomes) -> str:
    table = counts(outcomes)
    lines = ["| function | inputs tried | clear error | correct result | anything else |", "|---|---|---|---|---|"]
    total = Counter()
    for name, c in table.items():
        lines.append(f"| `{name}` | {c['inputs']} | {c[CLEAR]} | {c[CORRECT]} | {c[ELSE]} |")
        total.update(c)
    lines.append(f"| **all {len(table)} functions** | {total['inputs']} | {total[CLEAR]} | {total[CORRECT]} | "
                 f"{total[ELSE]} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------


def test_every_public_function_has_rows():
    public = public_callables()
    covered = {row.function for row in ROWS}
    missing = sorted(set(public) - covered)
    assert not missing, f"public functions of ganlib.metrics without hostile-input rows: {missing}"
    unknown = sorted(covered - set(public))
    assert not unknown, f"rows for names that are not public functions of ganlib.metrics: {unknown}"
    # Every function has at least one hostile row and the table has valid edge rows too.
    for name in public:
        assert any(r.error is not None for r in ROWS if r.function == name), name
    assert sum(r.check is not None for r in ROWS) >= 25


def test_rows_are_well_formed():
    for row in ROWS:
        assert (row.error is None) != (row.check is None), row.label
        assert row.error is None or row.match, f"{row.function} / {row.label}: name the argument"
    labels = [(r.function, r.label) for r in ROWS]
    assert len(labels) == len(set(labels))


@pytest.mark.slow
def test_every_hostile_input_ends_in_a_clear_error_or_a_correct_result(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow RuntimeWarnings are the point of some rows
        outcomes = [outcome(row) for row in ROWS]
    with capsys.disabled():
        print("\n" + counts_markdown(outcomes))
    wrong = [
        f"{row.function} / {row.label}: expected "
        f"{'a ' + row.error.__name__ + ' naming ' + repr(row.match) if row.error else 'the correct result'}, "
        f"got {kind}: {detail}"
        for row, (kind, detail) in zip(ROWS, outcomes)
        if kind == ELSE
    ]
    assert not wrong, "\n".join(wrong)
    # The rows expecting an error gave it; the edge rows gave the right value.
    assert all((kind == CLEAR) == (row.error is not None) for row, (kind, _) in zip(ROWS, outcomes))


def _main(argv):
    import warnings

    warnings.simplefilter("ignore")
    expect_silent = "--expect-silent" in argv
    rows = [r for r in ROWS if r.was_silent] if expect_silent else ROWS
    results = []
    for row in rows:
        kind, detail = outcome(row)
        results.append((row, kind, detail))
        print(f"{kind:15s} {row.function} / {row.label}: {detail[:160]}")
    if expect_silent:
        caught = [r for r, kind, _ in results if kind != ELSE]
        print(f"\n{len(rows) - len(caught)} of {len(rows)} previously-silent rows end in 'anything else' here")
        for r in caught:
            print(f"  NOT silent here: {r.function} / {r.label}")
        return 1 if caught else 0
    text = counts_markdown([(k, d) for _, k, d in results])
    print("\n" + text)
    if "--write" in argv:
        path = argv[argv.index("--write") + 1]
        with open(path, "w") as fh:
            fh.write(text)
    return 0 if all(kind != ELSE for _, kind, _ in results) else 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
