"""ganlib.metrics.classifier: the Inception/classifier score, accuracy and CAS."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlib.metrics import ScoreResult, accuracy, classification_accuracy_score, classifier_score, inception_score


def test_inception_score_extremes_and_hand_value():
    probs = np.eye(10)[np.arange(1000) % 10]
    score = inception_score(probs, n_splits=10)
    assert isinstance(score, ScoreResult)
    assert score.mean == pytest.approx(10.0, rel=1e-12) and score.std == pytest.approx(0.0, abs=1e-12)
    const = np.tile([0.1, 0.6, 0.3], (50, 1))
    assert inception_score(const, n_splits=5).mean == pytest.approx(1.0, rel=1e-12)
    # two rows by hand: p(y) = [0.75, 0.25]
    p = np.array([[1.0, 0.0], [0.5, 0.5]])
    kl1 = math.log(1 / 0.75)
    kl2 = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert inception_score(p, n_splits=1).mean == pytest.approx(math.exp((kl1 + kl2) / 2), rel=1e-12)
    # two splits, scores 2 (confident, balanced) and 1 (constant): mean 1.5, std (ddof=0) 0.5
    two = inception_score(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.5]]), n_splits=2)
    assert two.mean == pytest.approx(1.5, rel=1e-12) and two.std == pytest.approx(0.5, rel=1e-12)


def test_classifier_score_with_confident_classifier():
    labels = np.arange(200) % 10
    images = np.zeros((200, 28, 28, 1), np.float32)
    images[np.arange(200), 0, labels, 0] = 1.0

    def classifier(batch):
        return 50.0 * batch[:, 0, :10, 0]  # confident logits for the class encoded in the image

    score = classifier_score(images, classifier, n_splits=2, batch_size=64)
    assert isinstance(score, ScoreResult) and score.mean == pytest.approx(10.0, rel=1e-6)


def test_accuracy_by_hand():
    x = np.eye(4, dtype=np.float32)
    y = np.array([0, 1, 2, 0])
    assert accuracy(lambda b: b, x, y, batch_size=3) == pytest.approx(0.75)


def _toy_images(rng, n):
    # class 0: bright left half, class 1: bright right half (plus noise)
    y = rng.integers(0, 2, n).astype(np.int64)
    x = 0.1 + 0.05 * rng.normal(size=(n, 4, 4, 1))
    x[y == 0, :, :2] += 0.7
    x[y == 1, :, 2:] += 0.7
    return np.clip(x, 0, 1).astype(np.float32), y


def _tiny_classifier():
    import keras

    return keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])


def test_classification_accuracy_score_separable_toy():
    rng = np.random.default_rng(13)
    tx, ty = _toy_images(rng, 256)
    vx, vy = _toy_images(rng, 200)
    cas = classification_accuracy_score(tx, ty, vx, vy, _tiny_classifier, epochs=15, batch_size=32, seed=0)
    assert cas > 0.95
    # a "generator" whose samples carry the wrong class label: the classifier learns the swap
    swapped = classification_accuracy_score(tx, 1 - ty, vx, vy, _tiny_classifier, epochs=15, batch_size=32, seed=0)
    assert swapped < 0.05


_TX, _TY = _toy_images(np.random.default_rng(14), 8)
_EYE = np.eye(4, dtype=np.float32)
_IMAGES = np.zeros((4, 28, 28, 1), np.float32)

BAD = [
    ("inception_score", lambda: inception_score(np.array([[0.5, 0.6]]), n_splits=1), ValueError, "probs"),
    ("inception_score", lambda: inception_score(np.array([[1.5, -0.5]]), n_splits=1), ValueError, "probs"),
    ("inception_score", lambda: inception_score(np.array([0.5, 0.5])), ValueError, "probs"),
    ("inception_score", lambda: inception_score(np.eye(3), n_splits=4), ValueError, "n_splits"),
    ("classifier_score", lambda: classifier_score(_IMAGES, None), TypeError, "classifier"),
    ("classifier_score", lambda: classifier_score(_IMAGES, lambda b: b[:, 0, 0, 0]), ValueError, "classifier"),
    ("classifier_score", lambda: classifier_score(_IMAGES, lambda b: b[:, 0, :3, 0], n_splits=5), ValueError, "n_splits"),
    ("accuracy", lambda: accuracy(lambda b: b, _EYE, np.array([0, 1, 2])), ValueError, "y"),
    ("accuracy", lambda: accuracy(None, _EYE, np.array([0, 1, 2, 0])), TypeError, "model"),
    ("accuracy", lambda: accuracy(lambda b: b[:, 0], _EYE, np.array([0, 1, 2, 0])), ValueError, "model"),
    ("classification_accuracy_score",
     lambda: classification_accuracy_score(_TX, _TY[:5], _TX, _TY, _tiny_classifier, epochs=1), ValueError, "train_y"),
    ("classification_accuracy_score",
     lambda: classification_accuracy_score(_TX, _TY, _TX[:, :2], _TY, _tiny_classifier, epochs=1), ValueError,
     "train_x and test_x"),
    ("classification_accuracy_score",
     lambda: classification_accuracy_score(_TX, _TY, _TX, _TY, _tiny_classifier, epochs=0), ValueError, "epochs"),
    ("classification_accuracy_score",
     lambda: classification_accuracy_score(_TX, _TY, _TX, _TY, "cnn", epochs=1), TypeError, "make_classifier"),
    ("classification_accuracy_score",
     lambda: classification_accuracy_score(_TX, _TY + 5, _TX, _TY, _tiny_classifier, epochs=1), ValueError, "labels < 2"),
    ("classification_accuracy_score",
     lambda: classification_accuracy_score(_TX, _TY - 1, _TX, _TY, _tiny_classifier, epochs=1), ValueError, "train_y"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
