"""ganlib.metrics.features: batched model outputs, features, class probabilities, embed, and the
InceptionV3 extractor."""

from __future__ import annotations

import numpy as np
import pytest

from ganlib.metrics import batched_outputs, class_probabilities, embed, extract_features, inception_v3_extractor


def test_extract_features_with_callable_and_keras_model():
    import keras

    rng = np.random.default_rng(8)
    images = rng.uniform(size=(10, 28, 28, 1)).astype(np.float32)
    feats = extract_features(images, lambda b: b.reshape(len(b), -1)[:, :5] * 2.0, batch_size=3)
    np.testing.assert_allclose(feats, images.reshape(10, -1)[:, :5] * 2.0)

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    w, b = model.get_weights()
    out = extract_features(images, model, batch_size=4)
    assert out.shape == (10, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, images.reshape(10, -1) @ w + b, rtol=1e-4, atol=1e-4)


def test_batched_outputs_keeps_shape_and_calls_in_batches():
    calls = []

    def model(batch):
        calls.append(len(batch))
        return batch[:, :, :, 0] + 1.0

    x = np.arange(7 * 2 * 2, dtype=np.float32).reshape(7, 2, 2, 1) / 28
    out = batched_outputs(x, model, batch_size=3)
    assert calls == [3, 3, 1]
    np.testing.assert_allclose(out, x[..., 0] + 1.0)


def test_class_probabilities_by_hand():
    # logits (0, log 3) -> (1/4, 3/4); (log 2, log 2) -> (1/2, 1/2); huge logits stay finite.
    # Images must lie in [0, 1]: image i is the pixel value i/10 and the classifier looks up the
    # i-th row of float64 logits.
    logits = np.array([[0.0, np.log(3.0)], [np.log(2.0), np.log(2.0)], [1000.0, 0.0]])
    x = (np.arange(3) / 10.0).reshape(3, 1, 1)
    probs = class_probabilities(x, lambda b: logits[np.round(np.asarray(b)[:, 0, 0] * 10).astype(int)], batch_size=2)
    assert probs.dtype == np.float64
    np.testing.assert_allclose(probs, [[0.25, 0.75], [0.5, 0.5], [1.0, 0.0]], rtol=1e-14, atol=1e-300)


def test_embed_matches_feature_extractor_and_softmax():
    import keras

    from ganlib import models

    keras.utils.set_random_seed(0)
    clf = models.mnist_mlp_classifier(hidden_units=7)
    x = np.random.default_rng(0).uniform(size=(5, 28, 28, 1)).astype(np.float32)
    feats, probs = embed(x, clf, batch_size=2)
    ref_feats = extract_features(x, models.feature_extractor(clf))
    np.testing.assert_allclose(feats, ref_feats, rtol=1e-5, atol=1e-6)
    logits = np.asarray(clf(x, training=False), dtype=np.float64)
    ref = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, ref, rtol=1e-5)
    np.testing.assert_allclose(probs, class_probabilities(x, clf), rtol=1e-6)
    assert feats.shape == (5, 7) and probs.shape == (5, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_inception_v3_extractor_random_weights_shape():
    extractor = inception_v3_extractor(weights=None)
    images = np.random.default_rng(10).uniform(size=(2, 28, 28, 1)).astype(np.float32)
    feats = extract_features(images, extractor)
    assert feats.shape == (2, 2048)
    assert np.all(np.isfinite(feats))
    with pytest.raises(ValueError, match="images"):
        extractor(np.zeros((2, 28, 28, 2), np.float32))
    with pytest.raises(ValueError, match="images"):
        extractor(np.full((2, 28, 28, 1), 255.0, np.float32))


def test_inception_v3_extractor_offline_error(monkeypatch):
    import keras

    def offline(**kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(RuntimeError, match="download"):
        inception_v3_extractor()


def _mlp_classifier():
    from ganlib import models

    return models.mnist_mlp_classifier(hidden_units=3)


_GOOD = np.zeros((4, 28, 28, 1), np.float32)
_NAN = _GOOD.copy()
_NAN[0, 0, 0, 0] = np.nan

BAD = [
    ("extract_features", lambda: extract_features(_NAN, lambda b: b), ValueError, "images"),
    ("extract_features", lambda: extract_features(np.zeros((0, 28, 28, 1)), lambda b: b), ValueError, "images"),
    ("extract_features", lambda: extract_features(np.zeros(4), lambda b: b), ValueError, "images"),
    ("extract_features", lambda: extract_features(_GOOD, "inception"), TypeError, "extractor"),
    ("extract_features", lambda: extract_features(_GOOD, lambda b: b, batch_size=0), ValueError, "batch_size"),
    ("extract_features", lambda: extract_features(_GOOD, lambda b: b[:1]), ValueError, "extractor"),
    ("batched_outputs", lambda: batched_outputs(_GOOD, None), TypeError, "model"),
    ("batched_outputs", lambda: batched_outputs(_GOOD, lambda b: b[:1], name="net"), ValueError, "net"),
    ("class_probabilities", lambda: class_probabilities(_GOOD, lambda b: b[:, 0, 0, 0]), ValueError, "classifier"),
    ("class_probabilities", lambda: class_probabilities(_GOOD, 3), TypeError, "classifier"),
    ("class_probabilities", lambda: class_probabilities(_NAN, lambda b: b[:, 0, :, 0]), ValueError, "images"),
    ("embed", lambda: embed(_GOOD[:2], lambda b: b), TypeError, "classifier"),
    ("embed", lambda: embed(_GOOD[:2], _mlp_classifier(), layer="nope"), ValueError, "layer"),
    ("embed", lambda: embed(_GOOD[:2] + 3, _mlp_classifier()), ValueError, "images"),
    ("embed", lambda: embed(_GOOD[:2], _mlp_classifier(), batch_size=0), ValueError, "batch_size"),
    ("inception_v3_extractor", lambda: inception_v3_extractor(weights="/nonexistent/inception.h5"), ValueError, "weights"),
    ("inception_v3_extractor", lambda: inception_v3_extractor(weights=3), TypeError, "weights"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
