"""Features and class probabilities of images: what the sample-based metrics are computed on.

* :func:`batched_outputs`: a Keras model (inference mode) or any callable, applied in batches;
* :func:`extract_features`: ``features[i] = flatten(extractor(images[i]))``;
* :func:`class_probabilities`: ``probs[i] = softmax(classifier(images[i]))`` (float64);
* :func:`embed`: a classifier's penultimate-layer features and its class probabilities in one
  forward pass (the book's MNIST default);
* :func:`inception_v3_extractor`: InceptionV3 pool features (2048-d), the FID standard.

TensorFlow/Keras is imported only when a Keras model is built or called.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import numpy as np

from ..validation import as_array, check_callable, check_images, check_model_output, check_positive_int

__all__ = [
    "batched_outputs",
    "extract_features",
    "class_probabilities",
    "embed",
    "inception_v3_extractor",
]


def _is_keras_model(obj) -> bool:
    keras = sys.modules.get("keras")  # a Keras model implies Keras is already imported
    return keras is not None and isinstance(obj, keras.Model)


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise ``exp(z - max z) / Σ exp(z - max z)`` of float64 logits ``(N, C)``."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def batched_outputs(images, model, *, batch_size: int = 256, name: str = "model") -> np.ndarray:
    """``model`` applied to ``images`` in batches: the concatenated outputs ``(N, ...)``.

    A ``keras.Model`` is called as ``model(batch, training=False)`` (inference mode for
    batch-norm and dropout), any other callable as ``model(batch)``; batches are float32 NumPy
    arrays of at most ``batch_size`` images.

    Args:
      images: ``(N, ...)`` finite numbers, ``N >= 1`` (any range: the image metrics built on this
        check ``[0, 1]`` themselves).
      model: ``keras.Model`` or callable mapping ``(B, ...)`` to an array with ``B`` rows; NaN or
        inf in its output is an error naming it (a diverged model must not become a number).
      batch_size: images per call.
      name: the model's name in error messages.

    Returns:
      The outputs as a NumPy array ``(N, ...)`` in the model's dtype.
    """
    x = check_images(images, "images")
    check_callable(model, name)
    batch_size = check_positive_int(batch_size, "batch_size")
    call = (lambda b: model(b, training=False)) if _is_keras_model(model) else model
    outputs = []
    for start in range(0, x.shape[0], batch_size):
        stop = min(start + batch_size, x.shape[0])
        out = _to_numpy(call(x[start:stop]))
        if out.ndim < 1 or out.shape[0] != stop - start:
            raise ValueError(
                f"{name}: expected an output with {stop - start} rows for a batch of "
                f"{stop - start} images, got shape {out.shape}"
            )
        outputs.append(check_model_output(out, name, first_row=start))
    return np.concatenate(outputs, axis=0)


def extract_features(images, extractor, *, batch_size: int = 256) -> np.ndarray:
    """Run a feature extractor over images in batches.

    ``features[i] = flatten(extractor(images[i]))`` (see :func:`batched_outputs`).

    Args:
      images: array ``(N, ...)``, e.g. ``(N, 28, 28, 1)`` float32 in [0, 1] (checked: 0..255
        pixels are an error with a hint); finite, ``N >= 1``.
      extractor: ``keras.Model`` or callable mapping ``(B, ...)`` to ``(B, d)`` (or ``(B, ...)``,
        flattened to ``(B, d)``) finite features.
      batch_size: images per call.

    Returns:
      ``(N, d)`` array in the extractor's dtype (float32 for Keras models; the statistics
      functions convert to float64).
    """
    x = check_images(images, "images", value_range=(0.0, 1.0))
    feats = batched_outputs(x, extractor, batch_size=batch_size, name="extractor")
    return feats.reshape(feats.shape[0], -1)


def class_probabilities(images, classifier, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities of a logits classifier: ``probs = softmax(classifier(images))``.

    The softmax ``p_ic = exp(z_ic - max_c z_ic) / Σ_c exp(z_ic - max_c z_ic)`` is computed in
    float64.

    Args:
      images: ``(N, ...)`` images, e.g. ``(N, 28, 28, 1)`` in [0, 1] (checked).
      classifier: ``keras.Model`` or callable returning finite logits ``(B, C)``.
      batch_size: images per call.

    Returns:
      float64 ``(N, C)``, rows summing to 1.
    """
    x = check_images(images, "images", value_range=(0.0, 1.0))
    logits = batched_outputs(x, classifier, batch_size=batch_size, name="classifier")
    if logits.ndim != 2:
        raise ValueError(f"classifier: expected logits of shape (N, C), got shape {logits.shape}")
    return _softmax(as_array(logits, "classifier output").astype(np.float64))


def embed(images, classifier, *, layer: str = "features", batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Features and class probabilities of images under one classifier, in one forward pass.

    ``features = h_layer(x)`` (the named layer's output, flattened) and
    ``probs = softmax(classifier(x))`` (computed in float64) for every image.

    Args:
      images: ``(N, H, W, C)`` float in [0, 1], ``N >= 1``.
      classifier: functional ``keras.Model`` returning logits ``(B, C)`` and holding a layer
        named ``layer`` (e.g. :func:`ganlib.models.pretrained_mnist_classifier`).
      layer: name of the feature layer (default the penultimate ``"features"``).
      batch_size: images per call.

    Returns:
      ``(features, probs)``: float32 ``(N, d)`` and float64 ``(N, C)`` with rows summing to 1.
    """
    import keras

    from ..models import feature_extractor

    x = check_images(images, "images", value_range=(0.0, 1.0))
    features = feature_extractor(classifier, layer)  # validates classifier and layer
    batch_size = check_positive_int(batch_size, "batch_size")
    both = keras.Model(features.input, [features.output, classifier.outputs[0]])
    feats, logits = [], []
    for start in range(0, x.shape[0], batch_size):
        f, lg = both(x[start:start + batch_size], training=False)
        feats.append(check_model_output(np.asarray(f, dtype=np.float32).reshape(f.shape[0], -1),
                                        "classifier", first_row=start))
        logits.append(check_model_output(np.asarray(lg, dtype=np.float64), "classifier", first_row=start))
    logits = np.concatenate(logits)
    if logits.ndim != 2:
        raise ValueError(f"classifier: expected logits of shape (N, C), got shape {logits.shape}")
    return np.concatenate(feats), _softmax(logits)


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
        for start in range(0, x.shape[0], self.chunk_size):
            b = tf.image.resize(x[start:start + self.chunk_size], (self.image_size, self.image_size),
                                method="bilinear")
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
