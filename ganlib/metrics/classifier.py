"""Scores computed with a classifier: Inception/classifier score, accuracy and CAS.

* :func:`inception_score`: ``IS = exp(E_x KL(p(y|x) ‖ p(y)))`` from class probabilities
  (Salimans et al. 2016); :func:`classifier_score` is the same with a logits classifier's softmax
  (the "classifier score" of an MNIST CNN);
* :func:`accuracy`: ``mean_i 1[argmax_c f(x_i)_c = y_i]``;
* :func:`classification_accuracy_score`: train on generated data, test on real data
  (Ravuri & Vinyals 2019).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..validation import (
    check_callable,
    check_images,
    check_labels,
    check_positive_int,
    check_probability_rows,
    check_seed,
)
from .features import batched_outputs, class_probabilities
from .results import MeanStd

__all__ = ["ScoreResult", "inception_score", "classifier_score", "accuracy", "classification_accuracy_score"]


@dataclasses.dataclass(frozen=True)
class ScoreResult(MeanStd):
    """Inception (classifier) score: mean and standard deviation over the splits (ddof=0, as in
    the original code)."""


def inception_score(probs, *, n_splits: int = 10) -> ScoreResult:
    """Inception score from class probabilities: ``exp(E_x KL(p(y|x) ‖ p(y)))`` per split.

    For each of ``n_splits`` contiguous splits (``np.array_split``), ``p(y)`` is the mean of the
    split's rows and ``IS = exp(mean_i Σ_c p_ic (log p_ic - log p(y)_c))`` (``0 log 0 = 0``).
    The score lies in ``[1, C]``: ``C`` for confident predictions spread uniformly over the ``C``
    classes, 1 when every row is the same. With an MNIST classifier instead of Inception this is
    the "classifier score".

    Args:
      probs: ``(N, C)`` finite probabilities in [0, 1], rows summing to 1 (within 1e-3), e.g.
        softmax outputs (:func:`ganlib.validation.check_probability_rows`).
      n_splits: number of splits, ``1 <= n_splits <= N``.

    Returns:
      :class:`ScoreResult` ``(mean, std)`` over the splits (std with ddof=0, as in the original code).

    Reference: Salimans et al. (2016), "Improved techniques for training GANs", NeurIPS.
    """
    from scipy.special import xlogy

    p = check_probability_rows(probs, "probs")
    n_splits = check_positive_int(n_splits, "n_splits")
    if n_splits > p.shape[0]:
        raise ValueError(f"n_splits: expected at most N = {p.shape[0]} splits, got {n_splits}")
    scores = []
    for part in np.array_split(p, n_splits):
        py = part.mean(axis=0, keepdims=True)
        kl = (xlogy(part, part) - xlogy(part, py)).sum(axis=1)
        scores.append(math.exp(float(kl.mean())))
    scores = np.array(scores)
    return ScoreResult(float(scores.mean()), float(scores.std()))


def classifier_score(images, classifier, *, n_splits: int = 10, batch_size: int = 256) -> ScoreResult:
    """Inception score computed with a logits classifier (e.g. an MNIST CNN): the "classifier score".

    ``probs = softmax(classifier(images))`` (:func:`ganlib.metrics.class_probabilities`, float64),
    then :func:`inception_score`.

    Args:
      images: ``(N, ...)`` images, e.g. ``(N, 28, 28, 1)`` in [0, 1].
      classifier: ``keras.Model`` or callable returning logits ``(B, C)``.
      n_splits: see :func:`inception_score`; batch_size: images per call.

    Returns:
      :class:`ScoreResult` ``(mean, std)``; at most ``C`` (10 for MNIST).
    """
    probs = class_probabilities(images, classifier, batch_size=batch_size)
    return inception_score(probs, n_splits=n_splits)


def accuracy(model, x, y, batch_size: int = 512) -> float:
    """Top-1 accuracy of a logits classifier: ``mean_i 1[argmax_c model(x)_ic == y_i]``.

    Args:
      model: ``keras.Model`` (called with ``training=False``) or callable returning ``(B, C)``
        finite logits.
      x: ``(N, ...)`` images in [0, 1]; y: ``(N,)`` integer labels in ``0..C-1``.
      batch_size: inputs per call.

    Returns:
      Accuracy in [0, 1] as a Python float.
    """
    check_callable(model, "model")
    xa = check_images(x, "x", value_range=(0.0, 1.0))
    ya = check_labels(y, "y", n=xa.shape[0], n_name="x")
    logits = batched_outputs(xa, model, batch_size=batch_size, name="model")  # refuses NaN/inf
    if logits.ndim != 2:
        raise ValueError(f"model: expected logits of shape (N, C), got shape {logits.shape}")
    # A label the model cannot predict would silently count as an error.
    check_labels(ya, "y", num_classes=logits.shape[1])
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
      train_x: ``(N, ...)`` images in [0, 1]; train_y: ``(N,)`` int labels.
      test_x: ``(M, ...)`` images in [0, 1] with the same per-sample shape; test_y: ``(M,)`` int labels.
      make_classifier: zero-argument callable returning an uncompiled ``keras.Model`` with logits
        output ``(B, C)``, ``C > max(labels)``.
      epochs: training epochs (>= 1); batch_size: minibatch size; seed: seed (>= 0).

    Returns:
      Accuracy on the test set in [0, 1].

    Reference: Ravuri & Vinyals (2019), "Classification accuracy score for conditional generative
    models", NeurIPS.
    """
    import keras

    tx = check_images(train_x, "train_x", value_range=(0.0, 1.0))
    ty = check_labels(train_y, "train_y", n=tx.shape[0], n_name="train_x")
    vx = check_images(test_x, "test_x", value_range=(0.0, 1.0))
    vy = check_labels(test_y, "test_y", n=vx.shape[0], n_name="test_x")
    if tx.shape[1:] != vx.shape[1:]:
        raise ValueError(
            f"train_x and test_x: expected the same per-sample shape, got {tx.shape[1:]} and {vx.shape[1:]}"
        )
    check_callable(make_classifier, "make_classifier")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)

    keras.utils.set_random_seed(seed)
    model = make_classifier()
    if not isinstance(model, keras.Model):
        raise TypeError(f"make_classifier: expected a callable returning a keras.Model, got {type(model).__name__}")
    n_classes = int(np.asarray(model(tx[:1], training=False)).shape[-1])
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
