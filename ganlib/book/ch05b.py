"""Using a class-conditional GAN to evaluate *other* models, and checking when that can be trusted.

The source article (§2) proposes to generate data with a GAN "and then use these data to evaluate
the model's performance". This module holds the tools chapter 5.2–5.3 uses to test that idea on
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
* :func:`accuracy_ci` and :func:`per_class_accuracy` quantify uncertainty and class consistency.

Conventions (``CONTRIBUTING.md``): images are ``float32`` ``(N, 28, 28, 1)`` in ``[0, 1]``, labels
``int64`` ``(N,)``, classifiers return logits ``(B, C)``. Bad input raises ``ValueError`` /
``TypeError`` naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

import keras

from ..validation import as_array, check_positive_int, check_probability

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
]

#: Names of the classifiers :func:`train_classifier_zoo` returns, in the order it returns them.
ZOO_NAMES = ("CNN", "MLP", "logistic regression", "MLP, noisy labels", "CNN, few images")


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------


def _check_conditional_gan(gan, name: str = "gan"):
    from ..training import GAN

    if not isinstance(gan, GAN):
        raise TypeError(f"{name}: expected a ganlib.GAN, got {type(gan).__name__}")
    if not gan.conditional:
        raise ValueError(f"{name}: expected a class-conditional GAN (made with num_classes), got an unconditional GAN")
    return gan


def _check_seed(seed, name: str = "seed") -> int:
    return check_positive_int(seed, name, minimum=0)


def _check_class(value, name: str, num_classes: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a class index (int), got {type(value).__name__} {value!r}")
    if not 0 <= int(value) < num_classes:
        raise ValueError(f"{name}: expected a class index in [0, {num_classes - 1}], got {value}")
    return int(value)


def _check_named(mapping, name: str, what: str) -> dict:
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name}: expected a dict of name -> {what}, got {type(mapping).__name__}")
    if not mapping:
        raise ValueError(f"{name}: expected at least one entry, got an empty dict")
    for key in mapping:
        if not isinstance(key, str) or not key:
            raise TypeError(f"{name}: expected non-empty string keys, got {key!r}")
    return dict(mapping)


def _check_classifiers(classifiers, name: str = "classifiers") -> dict:
    classifiers = _check_named(classifiers, name, "classifier")
    for key, model in classifiers.items():
        if not callable(model):
            raise TypeError(f"{name}[{key!r}]: expected a keras.Model or a callable returning logits, "
                            f"got {type(model).__name__}")
    return classifiers


def _check_images(images, name: str) -> np.ndarray:
    arr = as_array(images, name, shape=(None, 28, 28, 1), min_samples=1)
    return arr.astype(np.float32, copy=False)


def _check_labeled(x, y, name_x: str, name_y: str) -> tuple[np.ndarray, np.ndarray]:
    xa = _check_images(x, name_x)
    ya = as_array(y, name_y, ndim=1, dtype="int", min_samples=1)
    if len(ya) != len(xa):
        raise ValueError(f"{name_y}: expected one label per image in {name_x} ({len(xa)}), got {len(ya)}")
    if ya.min() < 0:
        raise ValueError(f"{name_y}: expected labels >= 0, got minimum {int(ya.min())}")
    return xa, ya.astype(np.int64, copy=False)


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
    gan = _check_conditional_gan(gan)
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    if num_classes > gan.num_classes:
        raise ValueError(f"num_classes: expected at most the GAN's {gan.num_classes} classes, got {num_classes}")
    seed = _check_seed(seed)
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
    if not callable(classifier):
        raise TypeError(f"classifier: expected a keras.Model or a callable returning logits, got {type(classifier).__name__}")
    x = _check_images(images, "images")
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

    classifiers = _check_classifiers(classifiers)
    sets = _check_named(sets, "sets", "(x, y) pair")
    checked = {}
    for key, pair in sets.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"sets[{key!r}]: expected an (x, y) pair, got {type(pair).__name__}")
        checked[key] = _check_labeled(pair[0], pair[1], f"sets[{key!r}][0]", f"sets[{key!r}][1]")
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

    xa, ya = _check_labeled(x, y, "x", "y")
    n_bootstrap = check_positive_int(n_bootstrap, "n_bootstrap", minimum=2)
    confidence = check_probability(confidence, "confidence", open_interval=True)
    seed = _check_seed(seed)
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
    xa, ya = _check_labeled(x, y, "x", "y")
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    if ya.max() >= num_classes:
        raise ValueError(f"y: expected labels < num_classes={num_classes}, got maximum {int(ya.max())}")
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
    if not callable(judge):
        raise TypeError(f"judge: expected a keras.Model or a callable returning logits, got {type(judge).__name__}")
    xa, ya = _check_labeled(images, labels, "images", "labels")
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    if ya.max() >= num_classes:
        raise ValueError(f"labels: expected labels < num_classes={num_classes}, got maximum {int(ya.max())}")
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

    xa, ya = _check_labeled(x, y, "x", "y")
    if ya.max() > 9:
        raise ValueError(f"y: expected labels in 0..9, got maximum {int(ya.max())}")
    epochs = check_positive_int(epochs, "epochs")
    seed = _check_seed(seed)
    few_fraction = check_probability(few_fraction, "few_fraction")
    if few_fraction == 0.0:
        raise ValueError("few_fraction: expected a number in (0, 1], got 0.0")
    label_noise = check_probability(label_noise, "label_noise")
    if label_noise == 1.0:
        raise ValueError("label_noise: expected a number in [0, 1), got 1.0")
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

    gan = _check_conditional_gan(gan)
    xtr, ytr = _check_labeled(x_train, y_train, "x_train", "y_train")
    xte, yte = _check_labeled(x_test, y_test, "x_test", "y_test")
    for lab, name in ((ytr, "y_train"), (yte, "y_test")):
        if lab.max() >= gan.num_classes:
            raise ValueError(f"{name}: expected labels < the GAN's {gan.num_classes} classes, got maximum {int(lab.max())}")
    if not callable(make_classifier):
        raise TypeError(f"make_classifier: expected a callable returning a keras.Model, got {type(make_classifier).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = _check_seed(seed)
    if not isinstance(mixed, bool):
        raise TypeError(f"mixed: expected True or False, got {type(mixed).__name__} {mixed!r}")

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
# walking the class conditioning
# --------------------------------------------------------------------------------------------


def _label_embedding_layer(gan):
    gan = _check_conditional_gan(gan)
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
    gan = _check_conditional_gan(gan)
    class_a = _check_class(class_a, "class_a", gan.num_classes)
    class_b = _check_class(class_b, "class_b", gan.num_classes)
    n_steps = check_positive_int(n_steps, "n_steps", minimum=2)
    if z is None:
        z = gan.sample_noise(1, _check_seed(seed))
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

    classifiers = _check_classifiers(classifiers)
    x = _check_images(images, "images")
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
        ci = _check_named(ci, label, "(low, high)")
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

    x = _check_images(images, "images")
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
