"""Using a class-conditional GAN to evaluate *other* models, and checking when that can be trusted.

The source article (§2) proposes to generate data with a GAN "and then use these data to evaluate
the model's performance". This module holds the tools section 5.2 uses to test that idea on
MNIST:

* :func:`synthetic_test_set` draws a labelled test set from a class-conditional :class:`ganlib.GAN`;
* :func:`train_classifier_zoo` trains classifiers of clearly different quality;
* :func:`evaluate_classifiers` tabulates their accuracies on real and synthetic test sets, and
  :func:`ranking_agreement` asks whether the synthetic set ranks them like the real one
  (Kendall's τ, Spearman's ρ, the accuracy gap);
* :func:`train_on_synthetic_test_on_real` compares training on generated data and testing on real
  data (TSTR, Esteban et al. 2017; the classification accuracy score of Ravuri & Vinyals 2019)
  with training on real data (TRTR), and adds real + synthetic training;
* :func:`latent_walk` moves the class conditioning continuously from one class to another (in the
  label-embedding space, with the noise ``z`` fixed) and :func:`decision_flips` reports where each
  classifier changes its mind along the walk;
* :func:`accuracy_ci` and :func:`per_class_accuracy` quantify uncertainty and class consistency;
  :func:`compare_test_sets` collects one run's verdict numbers, so they can be repeated over seeds;
* :func:`scarce_subgroup_study` asks where generated data should help most: estimating one
  subgroup's accuracy when only a few real test images of it exist. It compares the few real
  images alone, the generated images alone and combinations (:func:`combined_estimate`, weighted by
  :func:`worth_in_real_images`), with the generated accuracy raw or calibrated on well-tested
  subgroups (:func:`calibration_line`, :func:`leave_one_out_calibration`), by their bias, variance
  and mean squared error (:func:`estimator_error`) over many draws, in the spirit of van Breugel
  et al. (2023).

Conventions (``CONTRIBUTING.md``): images are ``float32`` ``(N, 28, 28, 1)`` in ``[0, 1]``, labels
``int64`` ``(N,)``, classifiers return logits ``(B, C)``. Bad input raises ``ValueError`` /
``TypeError`` naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

import keras

from ..validation import (as_array, check_bool, check_callable, check_choice, check_class_index, check_float,
                          check_gan, check_images, check_labels, check_mapping, check_positive_int,
                          check_probability, check_seed)

__all__ = [
    "synthetic_test_set",
    "evaluate_classifiers",
    "ranking_agreement",
    "train_classifier_zoo",
    "ZOO_NAMES",
    "train_on_synthetic_test_on_real",
    "accuracy_ci",
    "per_class_accuracy",
    "filter_by_judge",
    "predict_labels",
    "class_embeddings",
    "embedding_interpolation_generator",
    "latent_walk",
    "walk_predictions",
    "decision_flips",
    "plot_accuracy_agreement",
    "plot_decision_walk",
    "compare_test_sets",
    "SCARCE_ESTIMATORS",
    "estimator_error",
    "worth_in_real_images",
    "combined_estimate",
    "calibration_line",
    "calibrated_guess",
    "leave_one_out_calibration",
    "scarce_subgroup_errors",
    "scarce_subgroup_study",
    "plot_estimator_errors",
    "plot_calibration",
]

#: Names of the classifiers :func:`train_classifier_zoo` returns, in the order it returns them.
ZOO_NAMES = ("CNN", "MLP", "logistic regression", "MLP, noisy labels", "CNN, few images")


# --------------------------------------------------------------------------------------------
# input conversion (the checks themselves live in ganlib.validation)
# --------------------------------------------------------------------------------------------

#: The shape of a batch of MNIST images, ``(N, 28, 28, 1)``.
_IMAGES = (None, 28, 28, 1)


def _scores(value, name: str):
    """A dict (or pandas Series) name -> score or a 1-D sequence -> (names or None, float64 array)."""
    if hasattr(value, "to_dict") and hasattr(value, "index") and getattr(value, "ndim", None) == 1:
        value = value.to_dict()  # a pandas Series, e.g. one column of evaluate_classifiers
    if isinstance(value, Mapping):
        if not value:
            raise ValueError(f"{name}: expected at least two scores, got an empty dict")
        names = list(value)
        arr = as_array([value[k] for k in names], name, ndim=1)
        return names, arr.astype(np.float64)
    return None, as_array(value, name, ndim=1).astype(np.float64)


# --------------------------------------------------------------------------------------------
# synthetic test sets and accuracy tables
# --------------------------------------------------------------------------------------------


def synthetic_test_set(gan, n_per_class: int, *, num_classes: int = 10, seed: int = 0,
                       batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """A labelled test set drawn from a class-conditional GAN: ``x_i = G(z_i, y_i)``, ``z_i ~ N(0, I)``.

    The labels are ``n_per_class`` copies of each class, in blocks: ``y = (0,…,0, 1,…,1, …)``; each
    image is labelled with the class it was *conditioned on*, which is right only as far as the
    generator obeys its conditioning (check with :func:`per_class_accuracy`).

    Args:
      gan: a class-conditional :class:`ganlib.GAN`.
      n_per_class: images per class (int >= 1).
      num_classes: classes ``0..num_classes-1`` to draw (2 <= num_classes <= ``gan.num_classes``).
      seed: noise seed (the same seed gives the same set).
      batch_size: generator batch size.

    Returns:
      ``(images, labels)``: ``float32`` ``(num_classes * n_per_class, 28, 28, 1)`` in ``[0, 1]``
      and ``int64`` ``(num_classes * n_per_class,)``.
    """
    gan = check_gan(gan, conditional=True)
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    if num_classes > gan.num_classes:
        raise ValueError(f"num_classes: expected at most the GAN's {gan.num_classes} classes, got {num_classes}")
    seed = check_seed(seed)
    labels = np.repeat(np.arange(num_classes, dtype=np.int64), n_per_class)
    images = gan.generate(len(labels), labels=labels, seed=seed, batch_size=check_positive_int(batch_size, "batch_size"))
    return images.astype(np.float32, copy=False), labels


def predict_labels(classifier, images, *, batch_size: int = 512) -> np.ndarray:
    """Predicted classes ``argmax_c f(x)_c`` of a logits classifier: ``int64`` ``(N,)``.

    Args:
      classifier: ``keras.Model`` (called with ``training=False``) or callable ``(B, 28, 28, 1) -> (B, C)``.
      images: ``(N, 28, 28, 1)`` float images.
      batch_size: images per call.
    """
    check_callable(classifier, "classifier")
    x = check_images(images, "images", shape=_IMAGES)
    batch_size = check_positive_int(batch_size, "batch_size")
    out = []
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        logits = classifier(batch, training=False) if isinstance(classifier, keras.Model) else classifier(batch)
        logits = np.asarray(logits.numpy() if hasattr(logits, "numpy") else logits)
        if logits.ndim != 2 or logits.shape[0] != len(batch):
            raise ValueError(f"classifier: expected logits of shape ({len(batch)}, C), got shape {logits.shape}")
        out.append(np.argmax(logits, axis=1))
    return np.concatenate(out).astype(np.int64)


def evaluate_classifiers(classifiers, sets, *, batch_size: int = 512):
    """Accuracy of every classifier on every labelled set (:func:`ganlib.metrics.accuracy`).

    ``table[m, s] = mean_i 1[argmax_c f_m(x_i)_c = y_i]`` over the examples ``(x_i, y_i)`` of set ``s``.

    Args:
      classifiers: ``dict`` name -> ``keras.Model`` or callable returning logits ``(B, C)``.
      sets: ``dict`` name -> ``(x, y)`` with ``x`` ``(N, 28, 28, 1)`` and ``y`` ``(N,)`` int.
      batch_size: images per classifier call.

    Returns:
      ``pandas.DataFrame``: one row per classifier (in the dict's order), one column per set,
      accuracies in ``[0, 1]``.
    """
    import pandas as pd

    from ..metrics import accuracy

    classifiers = check_mapping(classifiers, "classifiers", what="classifier")
    for key, model in classifiers.items():
        check_callable(model, f"classifiers[{key!r}]")
    sets = check_mapping(sets, "sets", what="(x, y) pair")
    checked = {}
    for key, pair in sets.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"sets[{key!r}]: expected an (x, y) pair, got {type(pair).__name__}")
        xs = check_images(pair[0], f"sets[{key!r}][0]", shape=_IMAGES)
        checked[key] = xs, check_labels(pair[1], f"sets[{key!r}][1]", n=len(xs), n_name=f"sets[{key!r}][0]")
    batch_size = check_positive_int(batch_size, "batch_size")
    table = pd.DataFrame(index=pd.Index(list(classifiers), name="classifier"), columns=list(checked), dtype=float)
    for m, model in classifiers.items():
        for s, (x, y) in checked.items():
            table.loc[m, s] = accuracy(model, x, y, batch_size=batch_size)
    return table


def accuracy_ci(classifier, x, y, *, n_bootstrap: int = 200, confidence: float = 0.95, seed: int = 0,
                batch_size: int = 512):
    """Accuracy with a percentile-bootstrap confidence interval over the test examples.

    With ``c_i = 1[argmax f(x_i) = y_i]`` the accuracy is ``mean(c)``; :func:`ganlib.metrics.bootstrap_ci`
    resamples the ``N`` pairs ``(x_i, y_i)`` with replacement (i.e. the vector ``c``) ``n_bootstrap``
    times. The interval describes how much the accuracy would move on another test set of the
    same size from the same distribution (roughly ``±2·sqrt(a(1-a)/N)``); it says nothing about a
    *different* distribution, such as a GAN's.

    Args:
      classifier: ``keras.Model`` or callable returning logits.
      x: ``(N, 28, 28, 1)`` images; y: ``(N,)`` int labels.
      n_bootstrap: resamples (>= 2); confidence: level in (0, 1); seed: resampling seed.

    Returns:
      :class:`ganlib.metrics.BootstrapResult` ``(estimate, low, high, std)``.
    """
    from ..metrics import bootstrap_ci

    xa = check_images(x, "x", shape=_IMAGES)
    ya = check_labels(y, "y", n=len(xa), n_name="x")
    n_bootstrap = check_positive_int(n_bootstrap, "n_bootstrap", minimum=2)
    confidence = check_probability(confidence, "confidence", open_interval=True)
    seed = check_seed(seed)
    correct = (predict_labels(classifier, xa, batch_size=batch_size) == ya).astype(np.float64)
    return bootstrap_ci(np.mean, correct, n_bootstrap=n_bootstrap, confidence=confidence, seed=seed)


def per_class_accuracy(classifier, x, y, *, num_classes: int = 10, batch_size: int = 512) -> np.ndarray:
    """Accuracy of ``classifier`` within each class: ``acc_k = mean_{i: y_i = k} 1[argmax f(x_i) = k]``.

    On generated images labelled with their conditioning class this is the *class consistency*
    of a conditional generator as judged by the classifier.

    Args:
      classifier: ``keras.Model`` or callable returning logits.
      x: ``(N, 28, 28, 1)`` images; y: ``(N,)`` int labels in ``0..num_classes-1``.
      num_classes: number of classes (>= 2).

    Returns:
      ``float64`` ``(num_classes,)``; ``NaN`` for a class with no example.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    xa = check_images(x, "x", shape=_IMAGES)
    ya = check_labels(y, "y", n=len(xa), num_classes=num_classes, n_name="x")
    pred = predict_labels(classifier, xa, batch_size=batch_size)
    out = np.full(num_classes, np.nan)
    for k in range(num_classes):
        mask = ya == k
        if mask.any():
            out[k] = float(np.mean(pred[mask] == k))
    return out


def filter_by_judge(judge, images, labels, *, n_per_class: int | None = None, num_classes: int = 10,
                    batch_size: int = 512):
    """Keep the generated images a classifier ("judge") assigns to their conditioning class.

    ``keep_i = 1[argmax judge(x_i) = y_i]``; with ``n_per_class`` only the first ``n_per_class``
    kept images of each class (in their original order) remain. This is the usual way to "clean"
    a synthetic set, and it makes the set agree with the judge *by construction*: the judge's
    accuracy on the result is exactly 1, and classes the generator rarely gets right become rare.

    Args:
      judge: ``keras.Model`` or callable returning logits ``(B, C)``.
      images: ``(N, 28, 28, 1)`` generated images; labels: ``(N,)`` their conditioning classes.
      n_per_class: optional cap on the images kept per class (int >= 1).
      num_classes: number of classes for the acceptance rates (>= 2, > max label).

    Returns:
      ``(kept_images, kept_labels, acceptance)``: the kept images ``(K, 28, 28, 1)`` float32 and
      labels ``(K,)`` int64 (original order), and ``acceptance`` ``(num_classes,)`` float64, the
      fraction of each class's images the judge accepted (``NaN`` for a class with no image).
    """
    check_callable(judge, "judge")
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    xa = check_images(images, "images", shape=_IMAGES)
    ya = check_labels(labels, "labels", n=len(xa), num_classes=num_classes, n_name="images")
    if n_per_class is not None:
        n_per_class = check_positive_int(n_per_class, "n_per_class")
    accepted = predict_labels(judge, xa, batch_size=batch_size) == ya
    acceptance = np.full(num_classes, np.nan)
    keep = np.zeros(len(ya), dtype=bool)
    for k in range(num_classes):
        members = ya == k
        if members.any():
            acceptance[k] = float(np.mean(accepted[members]))
        chosen = np.flatnonzero(members & accepted)
        keep[chosen if n_per_class is None else chosen[:n_per_class]] = True
    return xa[keep], ya[keep], acceptance


# --------------------------------------------------------------------------------------------
# ranking agreement
# --------------------------------------------------------------------------------------------


def ranking_agreement(real_scores, synthetic_scores) -> dict:
    """Do two sets of scores rank the same models in the same order, and how far apart are they?

    For ``n`` models with real-test scores ``r`` and synthetic-test scores ``s``:

    * Kendall's τ-b (:func:`scipy.stats.kendalltau`): with ``P`` concordant and ``Q`` discordant
      pairs and no ties, ``τ = (P − Q) / (n(n−1)/2)``; ``p_value`` is its two-sided test of
      ``τ = 0`` (exact for small ``n`` without ties: with ``n = 5`` even ``τ = 1`` only gives
      ``p = 2/5! ≈ 0.017``; with ``n = 4``, ``p ≈ 0.083``).
    * Spearman's ρ (:func:`scipy.stats.spearmanr`): the correlation of the ranks.
    * ``same_order``: every pair ``(i, j)`` has ``sign(r_i − r_j) = sign(s_i − s_j)``.
    * ``discordant_pairs``: the pairs (by name, or index) with ``sign(r_i − r_j) != sign(s_i − s_j)``:
      ordered the other way round, or tied in one ranking and not in the other.
    * If either set of scores is constant it ranks nothing: τ, ρ and the p-value are ``NaN``
      (and ``same_order`` is ``False`` unless both are constant).
    * ``mean_gap = mean(s − r)`` (positive: the synthetic set is easier), ``mean_abs_gap =
      mean |s − r|`` and ``max_abs_gap = max |s − r|``.

    Args:
      real_scores: ``dict`` (or ``pandas.Series``) name -> score, or a 1-D sequence of ``n >= 2`` scores.
      synthetic_scores: the same models' scores, with the same keys (any order) or the same length.

    Returns:
      ``dict`` with ``n, kendall_tau, p_value, spearman_rho, same_order, discordant_pairs,
      mean_gap, mean_abs_gap, max_abs_gap``.
    """
    from scipy import stats

    names_r, r = _scores(real_scores, "real_scores")
    names_s, s = _scores(synthetic_scores, "synthetic_scores")
    if (names_r is None) != (names_s is None):
        raise TypeError("synthetic_scores: expected the same kind of input as real_scores (both dicts or both sequences), "
                        f"got {type(real_scores).__name__} and {type(synthetic_scores).__name__}")
    if names_r is not None:
        if set(names_r) != set(names_s):
            raise ValueError(f"synthetic_scores: expected the same model names as real_scores {sorted(names_r)}, "
                             f"got {sorted(names_s)}")
        s_map = dict(zip(names_s, s))
        s = np.array([s_map[k] for k in names_r], dtype=np.float64)
    names = names_r or list(range(len(r)))
    if len(r) < 2:
        raise ValueError(f"real_scores: expected at least 2 scores to rank, got {len(r)}")
    if len(s) != len(r):
        raise ValueError(f"synthetic_scores: expected {len(r)} scores (one per model in real_scores), got {len(s)}")
    if np.all(r == r[0]) or np.all(s == s[0]):
        # a constant score ranks nothing: the correlations are undefined (NaN), not an error
        tau_value = p_value = rho_value = math.nan
    else:
        tau = stats.kendalltau(r, s)
        tau_value, p_value = float(tau.statistic), float(tau.pvalue)
        rho_value = float(stats.spearmanr(r, s).statistic)
    discordant = [
        (names[i], names[j])
        for i in range(len(r)) for j in range(i + 1, len(r))
        if np.sign(r[i] - r[j]) != np.sign(s[i] - s[j])
    ]
    gap = s - r
    return {
        "n": len(r),
        "kendall_tau": tau_value,
        "p_value": p_value,
        "spearman_rho": rho_value,
        "same_order": not discordant,
        "discordant_pairs": discordant,
        "mean_gap": float(np.mean(gap)),
        "mean_abs_gap": float(np.mean(np.abs(gap))),
        "max_abs_gap": float(np.max(np.abs(gap))),
    }


# --------------------------------------------------------------------------------------------
# a zoo of classifiers of different quality
# --------------------------------------------------------------------------------------------


def _stratified_subset(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices spread as evenly over the classes as possible (at least one per class)."""
    classes = np.unique(y)
    per_class = np.full(len(classes), n // len(classes))
    per_class[rng.permutation(len(classes))[: n % len(classes)]] += 1
    picked = []
    for c, k in zip(classes, per_class):
        members = np.flatnonzero(y == c)
        picked.append(rng.choice(members, size=min(int(k), len(members)), replace=False))
    return np.sort(np.concatenate(picked))


def train_classifier_zoo(x, y, *, epochs: int, seed: int = 0, few_fraction: float = 0.02,
                         label_noise: float = 0.5, batch_size: int = 128, include=ZOO_NAMES) -> dict:
    """Train five MNIST classifiers of deliberately different quality, all on ``(x, y)``.

    ========================  ==================================================================
    ``"CNN"``                 :func:`ganlib.models.mnist_classifier`, all data, ``epochs``
    ``"MLP"``                 :func:`ganlib.models.mnist_mlp_classifier`, all data, ``epochs``
    ``"logistic regression"`` :func:`ganlib.models.mnist_logistic_regression`, all data, ``epochs``
    ``"MLP, noisy labels"``   the MLP, all images, but a fraction ``label_noise`` of the labels
                              replaced by uniformly random *wrong* classes, ``epochs``
    ``"CNN, few images"``     the CNN on a class-stratified ``few_fraction`` of the images (at
                              least one per class), ``epochs`` passes over that subset with
                              minibatches of 16
    ========================  ==================================================================

    Each model is built after ``keras.utils.set_random_seed(seed + i)`` (``i`` its position) and
    trained with :func:`ganlib.models.train_classifier` (Adam 1e-3, cross-entropy on logits), so
    the zoo is reproducible for a seed. The names say how each model was *made*, not how good it
    is: the chapter measures the quality.

    Args:
      x: ``(N, 28, 28, 1)`` training images in ``[0, 1]``; y: ``(N,)`` labels ``0..9``.
      epochs: training epochs of each model (int >= 1).
      seed: seed for initialisation, shuffling, the subset and the label noise (int >= 0).
      few_fraction: fraction of the images the ``"CNN, few images"`` model sees, in (0, 1].
      label_noise: fraction of corrupted labels for ``"MLP, noisy labels"``, in [0, 1).
      batch_size: minibatch size of the full-data models.
      include: the names (from :data:`ZOO_NAMES`) of the models to train; a model's result does
        not depend on which others are trained.

    Returns:
      ``dict`` name -> trained ``keras.Model`` (images -> logits ``(B, 10)``), in the order of
      :data:`ZOO_NAMES`.
    """
    from ..models import mnist_classifier, mnist_logistic_regression, mnist_mlp_classifier, train_classifier

    xa = check_images(x, "x", shape=_IMAGES)
    ya = check_labels(y, "y", n=len(xa), num_classes=10, n_name="x")
    epochs = check_positive_int(epochs, "epochs")
    seed = check_seed(seed)
    few_fraction = check_float(few_fraction, "few_fraction", minimum=0.0, maximum=1.0, inclusive=(False, True))
    label_noise = check_float(label_noise, "label_noise", minimum=0.0, maximum=1.0, inclusive=(True, False))
    batch_size = check_positive_int(batch_size, "batch_size")
    if isinstance(include, str) or not hasattr(include, "__iter__"):
        raise TypeError(f"include: expected a collection of names from {list(ZOO_NAMES)}, got {include!r}")
    include = list(include)
    unknown = [name for name in include if name not in ZOO_NAMES]
    if unknown or not include:
        raise ValueError(f"include: expected one or more names from {list(ZOO_NAMES)}, got {include!r}")
    rng = np.random.default_rng(seed)

    noisy = ya.copy()
    flip = rng.random(len(ya)) < label_noise
    # a uniformly random *other* class: y + U{1..9} mod 10
    noisy[flip] = (ya[flip] + rng.integers(1, 10, size=int(flip.sum()))) % 10
    n_few = max(10, int(round(few_fraction * len(ya))))
    few = _stratified_subset(ya, min(n_few, len(ya)), rng)

    recipes = [
        ("CNN", mnist_classifier, xa, ya, batch_size),
        ("MLP", mnist_mlp_classifier, xa, ya, batch_size),
        ("logistic regression", mnist_logistic_regression, xa, ya, batch_size),
        ("MLP, noisy labels", mnist_mlp_classifier, xa, noisy, batch_size),
        ("CNN, few images", mnist_classifier, xa[few], ya[few], 16),
    ]
    zoo = {}
    for i, (name, build, xs, ys, bs) in enumerate(recipes):
        if name not in include:
            continue
        keras.utils.set_random_seed(seed + i)
        model = build()
        train_classifier(model, xs, ys, epochs=epochs, batch_size=bs, seed=seed + i)
        zoo[name] = model
    return zoo


# --------------------------------------------------------------------------------------------
# train on synthetic, test on real
# --------------------------------------------------------------------------------------------


def train_on_synthetic_test_on_real(gan, x_train, y_train, x_test, y_test, make_classifier, *, epochs: int,
                                    batch_size: int = 128, seed: int = 0, mixed: bool = True) -> dict:
    """Test accuracy on *real* data of one classifier recipe trained on real, synthetic or both.

    The synthetic training set has the real one's size and labels: ``x̃_i = G(z_i, y_i)`` for the
    real training labels ``y_i``. Each entry is :func:`ganlib.metrics.classification_accuracy_score`
    (a fresh ``make_classifier()``, seeded with ``seed``, Adam 1e-3, ``epochs`` epochs) evaluated on
    ``(x_test, y_test)``:

    * ``"real"``: train on real, test on real (TRTR), the reference;
    * ``"synthetic"``: train on synthetic, test on real (TSTR; the classification accuracy score,
      CAS, of Ravuri & Vinyals 2019). ``CAS / TRTR < 1`` measures what the generator misses;
    * with ``mixed=True`` also ``"real + synthetic"`` (both sets, ``2N`` images, ``epochs`` epochs,
      so twice the gradient steps) and ``"real, 2x epochs"`` (real only, ``2 * epochs`` epochs: the
      same number of gradient steps, so any gain of real + synthetic over it is not just extra
      steps).

    Args:
      gan: a class-conditional :class:`ganlib.GAN` (normally trained on ``(x_train, y_train)``).
      x_train, y_train: real training images ``(N, 28, 28, 1)`` and labels ``(N,)``.
      x_test, y_test: real test images ``(M, 28, 28, 1)`` and labels ``(M,)``.
      make_classifier: zero-argument callable returning a fresh uncompiled ``keras.Model``
        (images -> logits), e.g. ``ganlib.models.mnist_classifier``.
      epochs: training epochs (int >= 1); batch_size: minibatch size; seed: seed (int >= 0).
      mixed: also train on real + synthetic and the step-matched real baseline.

    Returns:
      ``dict`` training set -> test accuracy in ``[0, 1]`` (keys as above, in that order).
    """
    from ..metrics import classification_accuracy_score

    gan = check_gan(gan, conditional=True)
    xtr = check_images(x_train, "x_train", shape=_IMAGES)
    ytr = check_labels(y_train, "y_train", n=len(xtr), num_classes=gan.num_classes, n_name="x_train")
    xte = check_images(x_test, "x_test", shape=_IMAGES)
    yte = check_labels(y_test, "y_test", n=len(xte), num_classes=gan.num_classes, n_name="x_test")
    check_callable(make_classifier, "make_classifier")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    mixed = check_bool(mixed, "mixed")

    x_syn = gan.generate(len(ytr), labels=ytr, seed=seed + 1)

    def cas(x, y, n_epochs):
        return classification_accuracy_score(x, y, xte, yte, make_classifier, epochs=n_epochs,
                                             batch_size=batch_size, seed=seed)

    out = {"real": cas(xtr, ytr, epochs), "synthetic": cas(x_syn, ytr, epochs)}
    if mixed:
        out["real + synthetic"] = cas(np.concatenate([xtr, x_syn]), np.concatenate([ytr, ytr]), epochs)
        out["real, 2x epochs"] = cas(xtr, ytr, 2 * epochs)
    return out


# --------------------------------------------------------------------------------------------
# one run's verdicts, for repeating them over seeds
# --------------------------------------------------------------------------------------------


def compare_test_sets(classifiers, real, synthetic, *, reference: str, n_bootstrap: int = 200, seed: int = 0,
                      batch_size: int = 512) -> dict:
    """What a synthetic test set says about a group of classifiers, next to what a real one says.

    The numbers behind this chapter's verdicts for one run (one set of trained classifiers and
    one synthetic test set), so that the verdicts can be checked on several runs:

    * ``reference_real``, ``reference_synthetic``: the accuracy of ``classifiers[reference]``
      (the chapter's judge) on the real and on the synthetic set;
    * ``kendall_tau``, ``p_value``, ``same_order``, ``n_discordant``, ``mean_gap``,
      ``mean_abs_gap``: :func:`ranking_agreement` of the accuracies on the two sets;
    * ``real_ci_half``: the mean over the classifiers of the half-width ``(high − low)/2`` of the
      95 % percentile-bootstrap interval of the accuracy on the real set (:func:`accuracy_ci`):
      the real set's own sampling uncertainty, to compare ``mean_abs_gap`` with.

    Args:
      classifiers: ``dict`` name -> ``keras.Model`` or callable returning logits (>= 2 entries).
      real, synthetic: ``(x, y)`` pairs, ``x`` ``(N, 28, 28, 1)``, ``y`` ``(N,)`` int labels.
      reference: the name (a key of ``classifiers``) whose two accuracies are reported.
      n_bootstrap: bootstrap resamples (>= 2); seed: bootstrap seed; batch_size: images per call.

    Returns:
      ``dict`` with the keys above (floats, ``same_order`` a bool, ``n_discordant`` an int).
    """
    classifiers = check_mapping(classifiers, "classifiers", what="classifier")
    if len(classifiers) < 2:
        raise ValueError(f"classifiers: expected at least 2 classifiers to rank, got {len(classifiers)}")
    reference = check_choice(reference, "reference", classifiers)
    n_bootstrap = check_positive_int(n_bootstrap, "n_bootstrap", minimum=2)
    seed = check_seed(seed)
    table = evaluate_classifiers(classifiers, {"real": real, "synthetic": synthetic}, batch_size=batch_size)
    agreement = ranking_agreement(table["real"], table["synthetic"])
    x_real, y_real = real
    halves = []
    for model in classifiers.values():
        ci = accuracy_ci(model, x_real, y_real, n_bootstrap=n_bootstrap, seed=seed, batch_size=batch_size)
        halves.append((ci.high - ci.low) / 2)
    return {
        "reference_real": float(table.loc[reference, "real"]),
        "reference_synthetic": float(table.loc[reference, "synthetic"]),
        "kendall_tau": agreement["kendall_tau"],
        "p_value": agreement["p_value"],
        "same_order": agreement["same_order"],
        "n_discordant": len(agreement["discordant_pairs"]),
        "mean_gap": agreement["mean_gap"],
        "mean_abs_gap": agreement["mean_abs_gap"],
        "real_ci_half": float(np.mean(halves)),
    }


# --------------------------------------------------------------------------------------------
# scarce real test data: one subgroup's accuracy from a few real images, from generated images,
# and from both
# --------------------------------------------------------------------------------------------

#: The estimators :func:`scarce_subgroup_errors` compares, in the order it reports them.
SCARCE_ESTIMATORS = ("real only", "synthetic only", "real + synthetic", "real + other classes",
                     "real + calibrated synthetic")


def estimator_error(estimates, truth) -> dict:
    """Bias, variance and mean squared error of repeated estimates of one true value.

    For ``R`` estimates ``θ̂_1, …, θ̂_R`` of a true value ``θ`` (one per random draw of a test set):

    * ``bias = mean_r θ̂_r − θ``: the error that does not average away;
    * ``variance = mean_r (θ̂_r − mean_r θ̂_r)²`` (``ddof = 0``): the error that does;
    * ``mse = mean_r (θ̂_r − θ)²``, which equals ``bias² + variance`` exactly;
    * ``rmse = sqrt(mse)``, in the units of ``θ`` (here: accuracy).

    Args:
      estimates: ``(R,)`` finite numbers, ``R >= 1``.
      truth: the true value ``θ``, a finite number.

    Returns:
      ``dict`` with float ``bias, variance, mse, rmse``.
    """
    est = as_array(estimates, "estimates", ndim=1, min_samples=1).astype(np.float64)
    truth = check_float(truth, "truth")
    mse = float(np.mean((est - truth) ** 2))
    return {"bias": float(np.mean(est) - truth), "variance": float(np.var(est)), "mse": mse, "rmse": math.sqrt(mse)}


def worth_in_real_images(real_accuracy, guess) -> float:
    """How many real test images a guess of an accuracy is worth, judged on reference subgroups.

    An accuracy ``a`` estimated from ``n`` real images (a binomial proportion) has mean squared
    error ``a(1 − a)/n``. A guess ``g`` of it that does not use those images (the accuracy on
    generated images, or the accuracy on *other* subgroups) misses by ``g − a``. On ``J``
    reference subgroups, where enough real images give ``a_j`` and the guess is ``g_j``, the two
    mean squared errors are equal for

        ``n₀ = mean_j a_j (1 − a_j) / mean_j (g_j − a_j)²``

    real images: the guess is worth about ``n₀`` real images, *if* it is as good on the subgroup
    of interest as on the reference subgroups. (Sampling noise in the ``a_j`` enlarges the
    denominator on average, so ``n₀`` errs on the small, cautious side.)

    Args:
      real_accuracy: ``(J,)`` accuracies in [0, 1] on the real images of the reference subgroups.
      guess: ``(J,)`` guesses of the same accuracies, in [0, 1].

    Returns:
      ``n₀ >= 0`` as a float; ``inf`` if every guess is exact.
    """
    a = as_array(real_accuracy, "real_accuracy", ndim=1, min_samples=1, value_range=(0.0, 1.0)).astype(np.float64)
    g = as_array(guess, "guess", ndim=1, min_samples=1, value_range=(0.0, 1.0)).astype(np.float64)
    if len(g) != len(a):
        raise ValueError(f"guess: expected {len(a)} values (one per entry of real_accuracy), got {len(g)}")
    squared_error = float(np.mean((g - a) ** 2))
    if squared_error == 0.0:
        return math.inf
    return float(np.mean(a * (1.0 - a))) / squared_error


def combined_estimate(real_accuracy, n_real, guess, worth):
    """The real estimate shrunk towards a guess: ``(n â + n₀ g) / (n + n₀)``.

    The guess ``g`` counts as ``n₀`` (``worth``, e.g. from :func:`worth_in_real_images`) real
    images, so the weight on the ``n`` real images is ``w = n / (n + n₀)``: with few real images
    the estimate leans on the guess, with many it follows the real images (it is the posterior
    mean of a Beta prior with mean ``g`` and ``n₀`` pseudo-observations). If ``g`` misses the
    true accuracy ``a`` by a bias ``b`` and the ``n`` real images are independent draws, then

        ``bias = (1 − w) b``,  ``variance = w² a(1 − a)/n + (1 − w)² Var(g)``,

    so it beats the real images alone (mean squared error ``a(1 − a)/n``) exactly when
    ``b² + Var(g) < a(1 − a)(2n + n₀)/(n n₀)``.

    Args:
      real_accuracy: ``â``, the accuracy on the ``n`` real images: a number or an array, in [0, 1].
      n_real: ``n``, the number of real images (int >= 1).
      guess: ``g``, a number or an array broadcastable with ``real_accuracy``, in [0, 1].
      worth: ``n₀ >= 0`` (``0``: the real estimate; ``inf``: the guess).

    Returns:
      ``float64`` array of the broadcast shape (0-d for two numbers).
    """
    r = as_array(real_accuracy, "real_accuracy", value_range=(0.0, 1.0)).astype(np.float64)
    n = check_positive_int(n_real, "n_real")
    g = as_array(guess, "guess", value_range=(0.0, 1.0)).astype(np.float64)
    if isinstance(worth, (float, np.floating)) and worth == math.inf:
        w = 0.0
    else:
        w = n / (n + check_float(worth, "worth", minimum=0.0))
    try:
        np.broadcast_shapes(r.shape, g.shape)
    except ValueError:
        raise ValueError(f"guess: expected a shape that broadcasts with real_accuracy {r.shape}, got {g.shape}") from None
    return w * r + (1.0 - w) * g


def _reference_accuracies(real_accuracy, synthetic_accuracy, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    a = as_array(real_accuracy, "real_accuracy", ndim=1, min_samples=min_samples,
                 value_range=(0.0, 1.0)).astype(np.float64)
    s = as_array(synthetic_accuracy, "synthetic_accuracy", ndim=1, min_samples=min_samples,
                 value_range=(0.0, 1.0)).astype(np.float64)
    if len(s) != len(a):
        raise ValueError(f"synthetic_accuracy: expected {len(a)} values (one per entry of real_accuracy), got {len(s)}")
    return a, s


def calibration_line(real_accuracy, synthetic_accuracy) -> tuple[float, float]:
    """The least-squares line from accuracy on generated images to real accuracy, over reference subgroups.

    On ``J`` reference subgroups a classifier has real accuracies ``a_j`` (measured on enough real
    images) and accuracies ``s_j`` on generated images. The line ``a ≈ α + β s`` that minimises
    ``Σ_j (a_j − α − β s_j)²`` has

        ``β = Σ_j (s_j − s̄)(a_j − ā) / Σ_j (s_j − s̄)²``,  ``α = ā − β s̄``

    (``ā``, ``s̄`` the means). If every ``s_j`` is the same the slope is undefined; then ``β = 0``
    and ``α = ā``. With ``β`` fixed at 0 the line is the mean real accuracy of the references:
    a guess that ignores the generator. So a slope that helps is information the generator adds.

    Args:
      real_accuracy: ``(J,)`` real accuracies ``a_j`` in [0, 1], ``J >= 1``.
      synthetic_accuracy: ``(J,)`` accuracies ``s_j`` on generated images, in [0, 1].

    Returns:
      ``(intercept α, slope β)`` as floats.
    """
    a, s = _reference_accuracies(real_accuracy, synthetic_accuracy, 1)
    if np.ptp(s) == 0.0:
        return float(a.mean()), 0.0
    spread = s - s.mean()
    slope = float(np.sum(spread * (a - a.mean())) / np.sum(spread ** 2))
    return float(a.mean() - slope * s.mean()), slope


def calibrated_guess(synthetic_accuracy, line):
    """The real accuracy a calibration line predicts from an accuracy on generated images.

    ``g = clip(α + β s, 0, 1)`` for a line ``(α, β)`` from :func:`calibration_line`; the clip keeps
    the guess an accuracy.

    Args:
      synthetic_accuracy: ``s``, a number or an array, in [0, 1].
      line: ``(intercept α, slope β)``, two finite numbers.

    Returns:
      ``float64`` array of the shape of ``synthetic_accuracy`` (0-d for a number).
    """
    s = as_array(synthetic_accuracy, "synthetic_accuracy", value_range=(0.0, 1.0)).astype(np.float64)
    if isinstance(line, (str, bytes)) or not hasattr(line, "__len__") or len(line) != 2:
        raise TypeError(f"line: expected (intercept, slope), got {type(line).__name__} {line!r}")
    intercept, slope = check_float(line[0], "line[0] (intercept)"), check_float(line[1], "line[1] (slope)")
    return np.clip(intercept + slope * s, 0.0, 1.0)


def leave_one_out_calibration(real_accuracy, synthetic_accuracy) -> np.ndarray:
    """Each reference subgroup's calibrated guess from a line fitted on the *other* references.

    For ``j = 1 … J``: ``g_j = clip(α₋ⱼ + β₋ⱼ s_j, 0, 1)``, where ``(α₋ⱼ, β₋ⱼ)`` is
    :func:`calibration_line` fitted without subgroup ``j``. The guesses are honest predictions (no
    ``a_j`` is used to predict itself), so :func:`worth_in_real_images` of them,
    ``n₀ = mean_j a_j(1 − a_j) / mean_j (g_j − a_j)²``, is what a calibrated guess is worth in real
    images on a subgroup it was not fitted to.

    Args:
      real_accuracy: ``(J,)`` real accuracies in [0, 1], ``J >= 2``.
      synthetic_accuracy: ``(J,)`` accuracies on generated images, in [0, 1].

    Returns:
      ``(J,)`` ``float64`` guesses in [0, 1].
    """
    a, s = _reference_accuracies(real_accuracy, synthetic_accuracy, 2)
    keep = ~np.eye(len(a), dtype=bool)
    return np.array([float(calibrated_guess(s[j], calibration_line(a[keep[j]], s[keep[j]])))
                     for j in range(len(a))])


def _correctness(values, name: str) -> np.ndarray:
    """A ``(N,)`` bool or 0/1 vector ("is the classifier right on image i?") as float64."""
    arr = as_array(values, name, ndim=1, dtype="any", min_samples=1)
    if arr.dtype != bool:
        arr = as_array(arr, name, ndim=1, min_samples=1)
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name}: expected bool or 0/1 values (one per image), got other values")
    return arr.astype(np.float64)


def _seed_entropy(seed):
    """An int seed or a non-empty sequence of them, checked, as the entropy of a SeedSequence."""
    if isinstance(seed, (list, tuple)):
        if not seed:
            raise ValueError("seed: expected an int >= 0 or a non-empty sequence of them, got an empty sequence")
        return [check_seed(value) for value in seed]
    return check_seed(seed)


def scarce_subgroup_errors(real_correct, synthetic_correct, sizes, *, synthetic_worth, other_accuracy,
                           other_worth, calibration, calibrated_worth, n_draws: int = 4000, seed=0):
    """Error of five estimates of one subgroup's accuracy over many draws of a small real test set.

    ``real_correct[i]`` says whether the classifier is right on the ``i``-th real image of the
    subgroup. These ``N`` images stand in for the subgroup's population, and their mean ``a`` is
    the *truth*. ``synthetic_correct`` does the same for ``M`` generated images of the subgroup,
    with mean ``s``. For each size ``n`` in ``sizes`` and each of ``n_draws`` repetitions:

    * **real only**: ``â`` = the accuracy on ``n`` real images drawn with replacement, i.e.
      ``n`` independent test images. The number of correct ones is then ``Binomial(n, a)``, so
      that count is drawn directly;
    * **synthetic only**: ``ŝ`` = the accuracy on ``M`` images drawn with replacement from the
      generated ones (``Binomial(M, s) / M``): the sampling noise of a fresh synthetic set of
      size ``M``. The generator itself is fixed, so its training randomness is not included;
    * **real + synthetic**: :func:`combined_estimate` ``(n â + n₀ ŝ)/(n + n₀)`` with
      ``n₀ = synthetic_worth``;
    * **real + other classes**: :func:`combined_estimate` with the guess ``other_accuracy`` (the
      classifier's accuracy on the other, well-tested subgroups) and ``n₀ = other_worth``: the
      same shrinkage without a generator, the control that tells whether the generator added
      anything;
    * **real + calibrated synthetic**: :func:`combined_estimate` with the guess
      ``clip(α + β ŝ, 0, 1)`` (:func:`calibrated_guess`; the line ``calibration = (α, β)`` comes
      from :func:`calibration_line` on the reference subgroups) and ``n₀ = calibrated_worth``. The
      control is this estimate with ``β = 0``.

    Each estimator is scored against ``a`` with :func:`estimator_error`.

    Args:
      real_correct: ``(N,)`` bool or 0/1, ``N >= 1``.
      synthetic_correct: ``(M,)`` bool or 0/1, ``M >= 1``.
      sizes: the numbers ``n`` of real images (ints >= 1).
      synthetic_worth, other_worth, calibrated_worth: ``n₀ >= 0`` (or ``inf``) of the three
        combined estimates.
      other_accuracy: the guess from the other subgroups, in [0, 1].
      calibration: ``(intercept α, slope β)`` of the calibration line.
      n_draws: repetitions per size (int >= 2).
      seed: seed of the draws: an int >= 0 or a sequence of them (the entropy of a
        ``numpy.random.SeedSequence``, e.g. ``(seed, subgroup)`` for independent streams).

    Returns:
      ``pandas.DataFrame`` with one row per (size, estimator), sizes in the given order and
      estimators in the order of :data:`SCARCE_ESTIMATORS`, and columns ``n, estimator,
      mean_estimate, truth, bias, variance, mse, rmse``.
    """
    import pandas as pd

    real = _correctness(real_correct, "real_correct")
    syn = _correctness(synthetic_correct, "synthetic_correct")
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes: expected a sequence of ints >= 1, got {type(sizes).__name__} {sizes!r}")
    sizes = [check_positive_int(n, "sizes") for n in sizes]
    if not sizes:
        raise ValueError("sizes: expected at least one size, got none")
    other_accuracy = check_float(other_accuracy, "other_accuracy", minimum=0.0, maximum=1.0)
    for value, name in ((synthetic_worth, "synthetic_worth"), (other_worth, "other_worth"),
                        (calibrated_worth, "calibrated_worth")):
        if not (isinstance(value, (float, np.floating)) and value == math.inf):
            check_float(value, name, minimum=0.0)
    calibrated_guess(0.5, calibration)  # validates the line
    n_draws = check_positive_int(n_draws, "n_draws", minimum=2)
    rng = np.random.default_rng(np.random.SeedSequence(_seed_entropy(seed)))
    truth, s = float(np.mean(real)), float(np.mean(syn))
    rows = []
    for n in sizes:
        a_real = rng.binomial(n, truth, size=n_draws) / n
        a_syn = rng.binomial(len(syn), s, size=n_draws) / len(syn)
        estimates = {
            "real only": a_real,
            "synthetic only": a_syn,
            "real + synthetic": combined_estimate(a_real, n, a_syn, synthetic_worth),
            "real + other classes": combined_estimate(a_real, n, other_accuracy, other_worth),
            "real + calibrated synthetic": combined_estimate(a_real, n, calibrated_guess(a_syn, calibration),
                                                             calibrated_worth),
        }
        for name in SCARCE_ESTIMATORS:
            rows.append({"n": n, "estimator": name, "mean_estimate": float(np.mean(estimates[name])),
                         "truth": truth, **estimator_error(estimates[name], truth)})
    return pd.DataFrame(rows)


def scarce_subgroup_study(real_predictions, real_labels, synthetic_predictions, synthetic_labels, sizes, *,
                          num_classes: int = 10, n_draws: int = 4000, seed: int = 0):
    """:func:`scarce_subgroup_errors` for every class in turn, the other classes serving as reference.

    Class ``k`` plays the scarce subgroup: its truth is the classifier's accuracy on all real
    images of class ``k``, and only ``n`` of them are drawn at a time. The other classes ``j != k``
    are the well-tested reference subgroups (all their real images are used), which calibrate
    the three combined estimates with :func:`worth_in_real_images`:

    * ``synthetic_worth``: the guess ``g_j`` is the accuracy on generated images of class ``j``;
    * ``other_worth``: the guess for ``j`` is the mean real accuracy of the reference classes
      other than ``j`` (leave one out), and ``other_accuracy`` for ``k`` is the mean real accuracy
      of all reference classes;
    * ``calibrated_worth``: the guess for ``j`` is :func:`leave_one_out_calibration` (a line
      fitted on the reference classes other than ``j``), and the line for ``k``
      (``calibration_intercept``, ``calibration_slope``) is :func:`calibration_line` on all
      reference classes; ``calibrated_accuracy`` is its guess from class ``k``'s generated images.

    No estimate uses the real images of class ``k`` beyond the ``n`` drawn.

    Args:
      real_predictions, real_labels: ``(N,)`` predicted and true classes of the real test images.
      synthetic_predictions, synthetic_labels: ``(M,)`` predicted classes of generated images and
        the classes they were conditioned on.
      sizes: the numbers of real images to draw (ints >= 1).
      num_classes: number of classes (>= 3); every class needs real and generated images.
      n_draws: repetitions per size; seed: seed (class ``k`` draws with ``SeedSequence([seed, k])``,
        so the streams of different seeds and classes are independent).

    Returns:
      ``pandas.DataFrame``: the rows of :func:`scarce_subgroup_errors` for every class, with the
      columns ``class, synthetic_accuracy, synthetic_worth, other_accuracy, other_worth,
      calibration_intercept, calibration_slope, calibrated_accuracy, calibrated_worth`` first.
    """
    import pandas as pd

    num_classes = check_positive_int(num_classes, "num_classes", minimum=3)
    y_real = check_labels(real_labels, "real_labels", num_classes=num_classes)
    p_real = check_labels(real_predictions, "real_predictions", n=len(y_real), num_classes=num_classes,
                          n_name="real_labels")
    y_syn = check_labels(synthetic_labels, "synthetic_labels", num_classes=num_classes)
    p_syn = check_labels(synthetic_predictions, "synthetic_predictions", n=len(y_syn), num_classes=num_classes,
                         n_name="synthetic_labels")
    seed = check_seed(seed)
    for labels, name in ((y_real, "real_labels"), (y_syn, "synthetic_labels")):
        missing = sorted(set(range(num_classes)) - set(labels.tolist()))
        if missing:
            raise ValueError(f"{name}: expected images of every class 0..{num_classes - 1}, got none of class(es) {missing}")
    real_acc = np.array([np.mean(p_real[y_real == k] == k) for k in range(num_classes)])
    syn_acc = np.array([np.mean(p_syn[y_syn == k] == k) for k in range(num_classes)])
    tables = []
    for k in range(num_classes):
        ref = np.flatnonzero(np.arange(num_classes) != k)
        a_ref = real_acc[ref]
        leave_one_out = (a_ref.sum() - a_ref) / (len(a_ref) - 1)
        syn_worth = worth_in_real_images(a_ref, syn_acc[ref])
        other_worth = worth_in_real_images(a_ref, leave_one_out)
        line = calibration_line(a_ref, syn_acc[ref])
        calibrated_worth = worth_in_real_images(a_ref, leave_one_out_calibration(a_ref, syn_acc[ref]))
        table = scarce_subgroup_errors(p_real[y_real == k] == k, p_syn[y_syn == k] == k, sizes,
                                       synthetic_worth=syn_worth, other_accuracy=float(a_ref.mean()),
                                       other_worth=other_worth, calibration=line, calibrated_worth=calibrated_worth,
                                       n_draws=n_draws, seed=(seed, k))
        for position, (column, value) in enumerate((("class", k), ("synthetic_accuracy", float(syn_acc[k])),
                                                    ("synthetic_worth", syn_worth),
                                                    ("other_accuracy", float(a_ref.mean())),
                                                    ("other_worth", other_worth),
                                                    ("calibration_intercept", line[0]),
                                                    ("calibration_slope", line[1]),
                                                    ("calibrated_accuracy", float(calibrated_guess(syn_acc[k], line))),
                                                    ("calibrated_worth", calibrated_worth))):
            table.insert(position, column, value)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


# --------------------------------------------------------------------------------------------
# walking the class conditioning
# --------------------------------------------------------------------------------------------


def _label_embedding_layer(gan):
    gan = check_gan(gan, conditional=True)
    found = [layer for layer in gan.generator.layers if isinstance(layer, keras.layers.Embedding)]
    if len(found) != 1:
        raise ValueError(
            f"gan: expected a generator with exactly one label Embedding layer, got {len(found)} "
            f"({[layer.name for layer in found]})"
        )
    return found[0]


def class_embeddings(gan) -> np.ndarray:
    """The generator's learned label embeddings ``E`` (one row per class): ``(num_classes, d_e)`` float32.

    In ganlib's conditional generators ``label -> Embedding(num_classes, 50)``: class ``k`` is
    conditioned on the vector ``E[k]``.
    """
    return np.asarray(keras.ops.convert_to_numpy(_label_embedding_layer(gan).embeddings), dtype=np.float32)


def embedding_interpolation_generator(gan) -> keras.Model:
    """The generator with its label lookup removed: ``G'(z, e)`` with ``G'(z, E[y]) = G(z, y)``.

    The generator's graph is cloned with :func:`keras.models.clone_model` so that the label input
    is replaced by a float input ``e`` of shape ``(B, d_e)`` and the ``Embedding`` layer by the
    identity; every other layer is *shared* with the original generator (same weights, no copy).
    ``G'`` can then be fed any vector, e.g. ``(1 − t) E[a] + t E[b]`` between two classes.

    Args:
      gan: a class-conditional :class:`ganlib.GAN` whose generator looks its label up in one
        ``keras.layers.Embedding`` (all ganlib conditional generators do).

    Returns:
      ``keras.Model``: ``[z (B, latent_dim) float32, e (B, d_e) float32]`` -> the generator's
      output, e.g. images ``(B, 28, 28, 1)``.
    """
    embedding = _label_embedding_layer(gan)
    generator = gan.generator
    z_in = keras.Input(shape=(gan.latent_dim,), dtype="float32", name="z")
    e_in = keras.Input(shape=(embedding.output_dim,), dtype="float32", name="label_vector")

    def call_function(layer, *args, **kwargs):
        if layer is embedding:
            return args[0]  # the "label" input now carries the embedding vector itself
        return layer(*args, **kwargs)

    try:
        return keras.models.clone_model(generator, input_tensors=[z_in, e_in], clone_function=lambda layer: layer,
                                        call_function=call_function)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"gan: could not rewire the generator {generator.name!r} around its label embedding ({exc})") from exc


def latent_walk(gan, class_a: int, class_b: int, n_steps: int, *, seed: int = 0, z=None) -> np.ndarray:
    """Images along a straight line in label-embedding space from class ``a`` to class ``b``, ``z`` fixed.

    ``x_t = G'(z, (1 − t) E[a] + t E[b])`` for ``t = 0, 1/(n_steps−1), …, 1`` (``t = np.linspace(0, 1,
    n_steps)``), with :func:`embedding_interpolation_generator` ``G'`` and :func:`class_embeddings`
    ``E``. The endpoints are exactly the generator's images of class ``a`` and ``b`` for this ``z``;
    the points in between are conditioning vectors the generator never saw in training, so they
    probe how it (and a classifier judging its images) behaves between classes.

    Args:
      gan: a class-conditional :class:`ganlib.GAN`.
      class_a, class_b: class indices in ``[0, num_classes)``.
      n_steps: number of images (int >= 2).
      seed: seed of ``z`` (``gan.sample_noise(1, seed)``), ignored if ``z`` is given.
      z: optional noise vector ``(latent_dim,)`` or ``(1, latent_dim)``.

    Returns:
      ``float32`` images ``(n_steps, 28, 28, 1)`` (for ganlib's MNIST generators).
    """
    gan = check_gan(gan, conditional=True)
    class_a = check_class_index(class_a, "class_a", gan.num_classes)
    class_b = check_class_index(class_b, "class_b", gan.num_classes)
    n_steps = check_positive_int(n_steps, "n_steps", minimum=2)
    if z is None:
        z = gan.sample_noise(1, check_seed(seed))
    else:
        z = as_array(z, "z", ndim=(1, 2)).astype(np.float32)
        if z.size != gan.latent_dim or (z.ndim == 2 and z.shape[0] != 1):
            raise ValueError(f"z: expected shape ({gan.latent_dim},) or (1, {gan.latent_dim}), got shape {z.shape}")
        z = z.reshape(1, gan.latent_dim)
    table = class_embeddings(gan)
    t = np.linspace(0.0, 1.0, n_steps, dtype=np.float32)[:, None]
    e = (1.0 - t) * table[class_a][None, :] + t * table[class_b][None, :]
    model = embedding_interpolation_generator(gan)
    images = model([np.repeat(z, n_steps, axis=0), e.astype(np.float32)], training=False)
    return np.asarray(keras.ops.convert_to_numpy(images), dtype=np.float32)


def walk_predictions(classifiers, images, *, t=None):
    """Each classifier's predicted class at every step of a walk.

    Args:
      classifiers: ``dict`` name -> ``keras.Model`` or callable returning logits.
      images: ``(T, 28, 28, 1)`` images along a walk (e.g. :func:`latent_walk`).
      t: optional ``(T,)`` positions of the steps; default ``np.linspace(0, 1, T)``.

    Returns:
      ``pandas.DataFrame`` ``(n_classifiers, T)`` of ``int64`` predicted classes; rows are the
      classifiers, columns the positions ``t`` (rounded to 3 decimals, index name ``"t"``).
    """
    import pandas as pd

    classifiers = check_mapping(classifiers, "classifiers", what="classifier")
    for key, model in classifiers.items():
        check_callable(model, f"classifiers[{key!r}]")
    x = check_images(images, "images", shape=_IMAGES)
    if t is None:
        t = np.linspace(0.0, 1.0, len(x))
    t = as_array(t, "t", ndim=1)
    if len(t) != len(x):
        raise ValueError(f"t: expected {len(x)} positions (one per image), got {len(t)}")
    rows = {name: predict_labels(model, x) for name, model in classifiers.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = pd.Index(np.round(t, 3), name="t")
    table.index.name = "classifier"
    return table.astype(np.int64)


def decision_flips(classifiers, images, *, t=None):
    """Where along a walk each classifier changes its decision.

    With predictions ``p_0, …, p_{T−1}`` (:func:`walk_predictions`) at positions ``t_0..t_{T−1}``:

    * ``start = p_0``, ``end = p_{T−1}``;
    * ``flip_t`` = ``t_j`` of the first ``j`` with ``p_j != p_0`` (``NaN`` if the decision never changes);
    * ``changes`` = ``#{j : p_j != p_{j−1}}`` (1 for a single clean switch; more means it flickers);
    * ``path``: the sequence of distinct consecutive decisions, e.g. ``"4 → 9"`` or ``"4 → 7 → 9"``.

    Args:
      classifiers: ``dict`` name -> ``keras.Model`` or callable returning logits.
      images: ``(T, 28, 28, 1)`` images along a walk.
      t: optional ``(T,)`` positions; default ``np.linspace(0, 1, T)``.

    Returns:
      ``pandas.DataFrame`` with one row per classifier and columns ``start, end, flip_t, changes, path``.
    """
    import pandas as pd

    preds = walk_predictions(classifiers, images, t=t)
    positions = np.asarray(preds.columns, dtype=np.float64)
    rows = {}
    for name, p in preds.iterrows():
        p = p.to_numpy()
        moved = np.flatnonzero(p != p[0])
        switch = np.flatnonzero(p[1:] != p[:-1]) + 1
        path = [int(p[0])] + [int(p[j]) for j in switch]
        rows[name] = {
            "start": int(p[0]),
            "end": int(p[-1]),
            "flip_t": float(positions[moved[0]]) if moved.size else math.nan,
            "changes": int(switch.size),
            "path": " → ".join(str(c) for c in path),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "classifier"
    return table


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------


def _interval(value, name: str) -> tuple[float, float]:
    if all(hasattr(value, a) for a in ("low", "high")):
        low, high = value.low, value.high
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = value
    else:
        raise TypeError(f"{name}: expected a (low, high) pair or a BootstrapResult, got {type(value).__name__}")
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(f"{name}: expected finite low <= high, got ({low}, {high})")
    return low, high


def plot_accuracy_agreement(real, synthetic, *, real_ci=None, synthetic_ci=None, ax=None, title=None):
    """Scatter of each model's accuracy on the real (x) and the synthetic (y) test set.

    Points on the dashed diagonal ``y = x`` would mean the synthetic set reproduces the real
    accuracies; points above it mean the synthetic set is easier. Optional confidence intervals
    are drawn as error bars.

    Args:
      real, synthetic: ``dict`` (or ``pandas.Series``) name -> accuracy, the same names.
      real_ci, synthetic_ci: optional ``dict`` name -> ``(low, high)`` or
        :class:`ganlib.metrics.BootstrapResult`.
      ax: draw on this Axes instead of a new figure.
      title: axes title.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in.
    """
    import matplotlib.pyplot as plt

    from ..plots import STYLE

    names_r, r = _scores(real, "real")
    names_s, s = _scores(synthetic, "synthetic")
    if names_r is None or names_s is None:
        raise TypeError("real, synthetic: expected dicts (or pandas Series) of name -> accuracy")
    if set(names_r) != set(names_s):
        raise ValueError(f"synthetic: expected the names of real {names_r}, got {names_s}")
    s = np.array([dict(zip(names_s, s))[k] for k in names_r])
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title: expected a string, got {type(title).__name__}")
    errs = []
    for ci, label in ((real_ci, "real_ci"), (synthetic_ci, "synthetic_ci")):
        if ci is None:
            errs.append(None)
            continue
        ci = check_mapping(ci, label, what="(low, high)")
        if set(ci) != set(names_r):
            raise ValueError(f"{label}: expected intervals for {names_r}, got {list(ci)}")
        centre = r if label == "real_ci" else s
        bounds = np.array([_interval(ci[k], f"{label}[{k!r}]") for k in names_r])
        errs.append(np.clip(np.stack([centre - bounds[:, 0], bounds[:, 1] - centre]), 0, None))
    with plt.rc_context(STYLE):
        owned = ax is None
        if owned:
            fig, ax = plt.subplots(figsize=(7.5, 4.8))
        lo = float(min(r.min(), s.min()))
        lo = max(0.0, lo - 0.05)
        ax.plot([lo, 1.0], [lo, 1.0], linestyle="--", color="0.6", linewidth=1, label="synthetic = real")
        for i, name in enumerate(names_r):
            ax.errorbar(r[i], s[i], xerr=None if errs[0] is None else errs[0][:, i:i + 1],
                        yerr=None if errs[1] is None else errs[1][:, i:i + 1], fmt="o", color=f"C{i % 10}",
                        capsize=3, label=name)
        ax.set_xlim(lo, 1.0)
        ax.set_ylim(lo, 1.0)
        ax.set_aspect("equal")
        ax.set_xlabel("accuracy on the real test set")
        ax.set_ylabel("accuracy on the synthetic test set")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))  # outside: never hides a point
        if title:
            ax.set_title(title)
    return ax.figure if owned else ax


def plot_decision_walk(images, predictions, *, title=None):
    """A walk's images (top row) above each classifier's predicted class at every step (heat map).

    Args:
      images: ``(T, 28, 28, 1)`` images along the walk (:func:`latent_walk`).
      predictions: ``pandas.DataFrame`` ``(n_classifiers, T)`` from :func:`walk_predictions`
        (columns: the positions ``t``).
      title: figure title.

    Each heat-map cell shows the predicted class as a number, coloured by class (``tab10``).

    Returns:
      A new ``Figure`` with ``T`` image axes and one heat-map axes below them.
    """
    import matplotlib.pyplot as plt

    from ..plots import STYLE, plot_heatmap

    x = check_images(images, "images", shape=_IMAGES)
    if not hasattr(predictions, "to_numpy") or getattr(predictions, "ndim", None) != 2:
        raise TypeError(f"predictions: expected a pandas DataFrame from walk_predictions, got {type(predictions).__name__}")
    values = predictions.to_numpy()
    if values.shape[1] != len(x):
        raise ValueError(f"predictions: expected {len(x)} columns (one per image), got {values.shape[1]}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title: expected a string, got {type(title).__name__}")
    n_steps, n_rows = len(x), values.shape[0]
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(9.0, 1.3 + 0.38 * n_rows + (0.3 if title else 0.0)))
        grid = fig.add_gridspec(2, n_steps, height_ratios=[1.0, 0.38 * n_rows + 0.3], hspace=0.08, wspace=0.05,
                                left=0.2, right=0.98)
        for j in range(n_steps):
            ax = fig.add_subplot(grid[0, j])
            ax.imshow(x[j, :, :, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        heat = fig.add_subplot(grid[1, :])
        t_labels = [f"{float(t):.2f}" for t in predictions.columns]
        plot_heatmap(values.astype(float), row_labels=[str(i) for i in predictions.index], col_labels=t_labels,
                     ax=heat, fmt="d", cmap="tab10", vmin=-0.5, vmax=9.5)
        heat.set_xlabel("position t along the walk (0 = first class, 1 = second class)")
        if title:
            fig.suptitle(title)
    return fig


def plot_estimator_errors(panels, *, ylabel: str = "root mean squared error"):
    """Error of each estimator against the number of real test images, one panel per table (log–log).

    Args:
      panels: ``dict`` title -> ``pandas.DataFrame`` with the numbers of real images ``n`` (>= 1)
        as index and one column per estimator (e.g. :data:`SCARCE_ESTIMATORS`), values > 0 (e.g.
        root mean squared errors). The panels are drawn side by side with a shared y-axis.
      ylabel: y-axis label.

    Returns:
      A new ``Figure`` with one axes per panel.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    from ..plots import STYLE

    panels = check_mapping(panels, "panels", what="DataFrame (index n, one column per estimator)")
    checked = {}
    for title, errors in panels.items():
        if not hasattr(errors, "columns") or getattr(errors, "ndim", None) != 2:
            raise TypeError(f"panels[{title!r}]: expected a pandas DataFrame (index n, one column per estimator), "
                            f"got {type(errors).__name__}")
        sizes = as_array(np.asarray(errors.index), f"panels[{title!r}].index", ndim=1, min_samples=1,
                         value_range=(1, math.inf))
        values = as_array(errors.to_numpy(dtype=float), f"panels[{title!r}]", ndim=2)
        if np.any(values <= 0):
            raise ValueError(f"panels[{title!r}]: expected values > 0 (they are drawn on a log scale), got values <= 0")
        checked[title] = sizes, values, [str(c) for c in errors.columns]
    if not isinstance(ylabel, str):
        raise TypeError(f"ylabel: expected a string, got {type(ylabel).__name__}")
    markers = "osD^vP"
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(checked), figsize=(5.2 * len(checked) + 0.8, 4.2), sharey=True, squeeze=False)
        for ax, (title, (sizes, values, names)) in zip(axes[0], checked.items()):
            for i, name in enumerate(names):
                ax.plot(sizes, values[:, i], marker=markers[i % len(markers)], color=f"C{i % 10}", label=name)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xticks(sizes)
            ax.set_xticklabels([f"{int(n)}" for n in sizes])
            ax.xaxis.set_minor_locator(plt.NullLocator())
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))  # 0.05, not 5 × 10⁻²
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("real test images of the subgroup (n)")
            ax.set_title(title)
        axes[0, 0].set_ylabel(ylabel)
        axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig


def plot_calibration(real_accuracy, synthetic_accuracy, subgroup: int, *, ax=None, title=None):
    """One classifier's real accuracy against its accuracy on generated images, per subgroup.

    Each reference subgroup ``j != subgroup`` is a point ``(s_j, a_j)``, labelled with its index.
    Three guesses for the held-out ``subgroup`` are drawn: the raw accuracy on its generated
    images lies on the dashed diagonal ``a = s``; the control, the mean real accuracy of the
    references, is the horizontal dotted line; the calibrated guess lies on the least-squares line
    of :func:`calibration_line` fitted to the references (clipped to [0, 1]). The held-out
    subgroup's own real accuracy (its truth, not used by any guess) is a hollow marker at
    ``(s_k, a_k)`` and its calibrated guess a filled one at ``(s_k, g_k)``.

    Args:
      real_accuracy, synthetic_accuracy: ``(C,)`` accuracies in [0, 1] per subgroup, ``C >= 3``.
      subgroup: the held-out subgroup ``k`` (``0 <= k < C``).
      ax: draw on this Axes instead of a new figure.
      title: axes title.

    Returns:
      The new ``Figure``, or ``ax`` if one was passed in.
    """
    import matplotlib.pyplot as plt

    from ..plots import STYLE

    a, s = _reference_accuracies(real_accuracy, synthetic_accuracy, 3)
    k = check_class_index(subgroup, "subgroup", len(a))
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title: expected a string, got {type(title).__name__}")
    ref = np.flatnonzero(np.arange(len(a)) != k)
    line = calibration_line(a[ref], s[ref])
    grid = np.linspace(0.0, 1.0, 101)
    with plt.rc_context(STYLE):
        owned = ax is None
        if owned:
            fig, ax = plt.subplots(figsize=(7.5, 4.8))
        ax.plot([0, 1], [0, 1], linestyle="--", color="C1", linewidth=1, label="raw guess: real = generated")
        ax.axhline(a[ref].mean(), linestyle=":", color="C3", linewidth=1.5, label="control: mean of the other subgroups")
        ax.plot(grid, calibrated_guess(grid, line), color="C4", linewidth=1.5, label="calibration line (least squares)")
        ax.plot(s[ref], a[ref], "o", color="0.35", label="reference subgroups")
        for j in ref:
            ax.annotate(str(j), (s[j], a[j]), textcoords="offset points", xytext=(4, 3), fontsize=8, color="0.35")
        ax.plot([s[k]], [float(calibrated_guess(s[k], line))], "D", color="C4", markersize=7,
                label=f"subgroup {k}: calibrated guess")
        ax.plot([s[k]], [a[k]], "o", markerfacecolor="none", markeredgecolor="k", markersize=10,
                label=f"subgroup {k}: real accuracy (not used)")
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.02)
        ax.set_aspect("equal")
        ax.set_xlabel("accuracy on generated images of the subgroup")
        ax.set_ylabel("accuracy on real images of the subgroup")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
        if title:
            ax.set_title(title)
    return ax.figure if owned else ax
