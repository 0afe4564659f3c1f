"""Tests for ganlib.models: shapes, dtypes, ranges, hand-counted parameters, training and caching."""

import numpy as np
import pytest

import keras

from ganlib import models
from ganlib.models import (
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
    conditional_mlp_discriminator,
    conditional_mlp_generator,
    dcgan_discriminator,
    dcgan_generator,
    feature_extractor,
    mlp_discriminator,
    mlp_generator,
    mnist_classifier,
    mnist_logistic_regression,
    mnist_mlp_classifier,
    pretrained_mnist_classifier,
    toy_discriminator,
    toy_generator,
    train_classifier,
)

B = 3
LABELS = np.array([0, 4, 9], dtype=np.int64)


def _z(latent_dim=100, n=B, seed=0):
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def _images(n=B, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28, 1)).astype(np.float32)


def _block_images(n_per_class=30, seed=0):
    """Class k: a bright 7x7 block at cell k of a 4x4 grid of cells, plus faint noise."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(10), n_per_class).astype(np.int64)
    x = 0.1 * rng.random((len(y), 28, 28, 1)).astype(np.float32)
    for i, k in enumerate(y):
        r, c = (k // 4) * 7, (k % 4) * 7
        x[i, r : r + 7, c : c + 7, 0] = 1.0
    perm = rng.permutation(len(y))
    return x[perm], y[perm]


# ---------------------------------------------------------------------------- generators


@pytest.mark.parametrize("builder", [mlp_generator, dcgan_generator])
def test_unconditional_generators_emit_unit_interval_images(builder):
    g = builder(latent_dim=100)
    out = np.asarray(g(_z(), training=False))
    assert out.shape == (B, 28, 28, 1)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("builder", [conditional_mlp_generator, conditional_dcgan_generator])
def test_conditional_generators_accept_int64_labels_and_use_them(builder):
    g = builder(num_classes=10, latent_dim=100)
    z = np.repeat(_z(n=1), B, axis=0)  # same z, three different labels
    out = g.predict([z, LABELS], verbose=0)
    assert out.shape == (B, 28, 28, 1)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    # the label must change the image when z is fixed
    assert not np.allclose(out[0], out[1])


def test_mlp_generator_parameter_count_matches_source_article():
    # Dense(100 -> 256) + Dense(256 -> 784): 100*256 + 256 + 256*784 + 784
    assert mlp_generator().count_params() == 100 * 256 + 256 + 256 * 784 + 784 == 227_344


def test_dcgan_generator_parameter_count_matches_tensorflow_tutorial():
    # TF tutorial (no biases anywhere):
    #   Dense 100 -> 7*7*256                 100 * 12544       = 1,254,400
    #   BatchNorm(12544), 4 params/channel   4 * 12544         =    50,176
    #   Conv2DTranspose 256 -> 128, 5x5      5*5*256*128       =   819,200
    #   BatchNorm(128)                       4 * 128           =       512
    #   Conv2DTranspose 128 -> 64, 5x5       5*5*128*64        =   204,800
    #   BatchNorm(64)                        4 * 64            =       256
    #   Conv2DTranspose 64 -> 1, 5x5         5*5*64*1          =     1,600
    # The tutorial's model.summary() prints "Total params: 2,330,944".
    expected = 1_254_400 + 50_176 + 819_200 + 512 + 204_800 + 256 + 1_600
    assert expected == 2_330_944
    assert dcgan_generator().count_params() == expected


@pytest.mark.parametrize("f", [8, 32])
def test_dcgan_width_scales_every_layer(f):
    # Generator (no biases): Dense 100 -> 7*7*4f, BN(196f), 5x5 deconvs 4f -> 2f -> f -> 1,
    # BN(2f), BN(f): 100*196f + 4*196f + 25*4f*2f + 4*2f + 25*2f*f + 4*f + 25*f
    g = dcgan_generator(filters=f)
    assert g.count_params() == 250 * f * f + 20_421 * f
    assert [g.get_layer(n).filters for n in ("deconv1", "deconv2", "deconv3")] == [2 * f, f, 1]
    assert g(_z(100)).shape == (B, 28, 28, 1)
    # Discriminator: conv 1 -> f, conv f -> 2f (5x5, biases), Dense 7*7*2f -> 1
    d = dcgan_discriminator(filters=f)
    assert d.count_params() == (25 * f + f) + (25 * f * 2 * f + 2 * f) + (98 * f + 1)
    # conditional: the same widths plus the label plane (one more input channel in each stack)
    cg = conditional_dcgan_generator(filters=f)
    assert cg.count_params() == g.count_params() + 10 * 50 + (50 * 49 + 49) + 25 * 1 * 2 * f
    cd = conditional_dcgan_discriminator(filters=f)
    assert cd.count_params() == d.count_params() + 10 * 50 + (50 * 784 + 784) + 25 * 1 * f


def test_dcgan_width_32_is_the_documented_size():
    # the numbers models.dcgan_generator's and dcgan_discriminator's docstrings state
    assert dcgan_generator(filters=32).count_params() == 909_472
    assert dcgan_discriminator(filters=32).count_params() == 55_233


@pytest.mark.parametrize("builder", [dcgan_generator, dcgan_discriminator,
                                     conditional_dcgan_generator, conditional_dcgan_discriminator])
@pytest.mark.parametrize("bad, exc", [(0, ValueError), (2.5, TypeError), ("64", TypeError)])
def test_dcgan_width_rejects_bad_values(builder, bad, exc):
    with pytest.raises(exc, match="filters"):
        builder(filters=bad)


def test_dcgan_generator_output_is_rescaled_tanh():
    g = dcgan_generator(latent_dim=8)
    probe = keras.Model(g.input, [g.get_layer("tanh").output, g.output])
    t, out = (np.asarray(a) for a in probe(_z(8), training=False))
    np.testing.assert_allclose(out, 0.5 * t + 0.5, atol=1e-6)


def test_conditional_generator_parameter_counts_by_hand():
    # MLP: Embedding 10*50; Dense (100+50) -> 256; Dense 256 -> 784
    mlp = 10 * 50 + (150 * 256 + 256) + (256 * 784 + 784)
    assert conditional_mlp_generator().count_params() == mlp == 240_644
    # DCGAN: tutorial + Embedding 10*50 + Dense 50 -> 49 (with bias) + one more input channel
    # (the label plane) in the first 5x5 Conv2DTranspose to 128 channels (no bias)
    dc = 2_330_944 + 10 * 50 + (50 * 49 + 49) + 5 * 5 * 1 * 128
    assert conditional_dcgan_generator().count_params() == dc


@pytest.mark.parametrize("data_dim, latent_dim", [(1, 4), (2, 8)])
def test_toy_generator_shapes_and_parameters(data_dim, latent_dim):
    g = toy_generator(data_dim=data_dim, latent_dim=latent_dim, hidden_units=16, depth=2)
    out = np.asarray(g(_z(latent_dim)))
    assert out.shape == (B, data_dim) and out.dtype == np.float32
    expected = (latent_dim * 16 + 16) + (16 * 16 + 16) + (16 * data_dim + data_dim)
    assert g.count_params() == expected


# ---------------------------------------------------------------------------- discriminators


@pytest.mark.parametrize("builder", [mlp_discriminator, dcgan_discriminator])
def test_unconditional_discriminators_return_float32_logits(builder):
    d = builder()
    out = np.asarray(d(_images(), training=False))
    assert out.shape == (B, 1) and out.dtype == np.float32
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("builder", [conditional_mlp_discriminator, conditional_dcgan_discriminator])
def test_conditional_discriminators_accept_int64_labels_and_use_them(builder):
    d = builder(num_classes=10)
    x = np.repeat(_images(n=1), B, axis=0)
    out = d.predict([x, LABELS], verbose=0)
    assert out.shape == (B, 1) and out.dtype == np.float32
    assert not np.allclose(out[0], out[1])


def test_mlp_discriminator_parameter_count_matches_source_article():
    # Dense(784 -> 256) + Dense(256 -> 1): 784*256 + 256 + 256 + 1
    assert mlp_discriminator().count_params() == 784 * 256 + 256 + 256 + 1 == 201_217


def test_mlp_discriminator_leaky_relu_has_same_parameters_and_negative_slope():
    d = mlp_discriminator(hidden_units=4, activation="leaky_relu")
    assert d.count_params() == 784 * 4 + 4 + 4 + 1
    act = d.get_layer("hidden_activation")
    np.testing.assert_allclose(np.asarray(act(np.array([[-2.0, 3.0]], dtype=np.float32))), [[-0.6, 3.0]], rtol=1e-6)


def test_dcgan_discriminator_parameter_count_and_input_rescaling():
    # Conv 1->64 5x5 + bias; Conv 64->128 5x5 + bias; Dense 7*7*128 -> 1 + bias
    expected = (25 * 64 + 64) + (25 * 64 * 128 + 128) + (7 * 7 * 128 + 1)
    d = dcgan_discriminator()
    assert d.count_params() == expected == 212_865
    x = _images()
    rescaled = np.asarray(d.get_layer("to_symmetric_range")(x))
    np.testing.assert_allclose(rescaled, 2.0 * x - 1.0, atol=1e-6)


def test_conditional_discriminator_parameter_counts_by_hand():
    # Embedding 10*50; Dense 50 -> 784 (label plane); then the image has 2 channels
    label_branch = 10 * 50 + (50 * 784 + 784)
    mlp = label_branch + (2 * 784 * 256 + 256) + (256 + 1)
    assert conditional_mlp_discriminator().count_params() == mlp
    dc = label_branch + 212_865 + 5 * 5 * 1 * 64  # one more input channel in the first conv
    assert conditional_dcgan_discriminator().count_params() == dc


def test_toy_discriminator_shape_and_parameters():
    d = toy_discriminator(data_dim=2, hidden_units=8, depth=3)
    out = np.asarray(d(np.zeros((B, 2), np.float32)))
    assert out.shape == (B, 1) and out.dtype == np.float32
    assert d.count_params() == (2 * 8 + 8) + 2 * (8 * 8 + 8) + (8 + 1)


# ---------------------------------------------------------------------------- mixed precision


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


@pytest.mark.parametrize(
    "builder, inputs",
    [
        (lambda: mlp_generator(latent_dim=8), lambda: _z(8)),
        (lambda: dcgan_generator(latent_dim=8), lambda: _z(8)),
        (lambda: conditional_mlp_generator(latent_dim=8), lambda: [_z(8), LABELS]),
        (lambda: conditional_dcgan_generator(latent_dim=8), lambda: [_z(8), LABELS]),
        (mlp_discriminator, _images),
        (dcgan_discriminator, _images),
        (conditional_mlp_discriminator, lambda: [_images(), LABELS]),
        (conditional_dcgan_discriminator, lambda: [_images(), LABELS]),
        (toy_generator, lambda: _z(8)),
        (toy_discriminator, lambda: _z(2)),
        (mnist_classifier, _images),
    ],
)
def test_outputs_are_float32_under_mixed_precision(mixed_precision, builder, inputs):
    model = builder()
    # the policy is in force: hidden layers compute in float16
    assert any(layer.compute_dtype == "float16" for layer in model.layers)
    out = model(inputs(), training=False)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    assert np.all(np.isfinite(np.asarray(out)))


def test_mixed_precision_fixture_restored_policy():
    assert keras.mixed_precision.dtype_policy().name == "float32"


# ---------------------------------------------------------------------------- classifiers


@pytest.mark.parametrize(
    "builder, n_params",
    [
        # conv 3x3x1x32+32; conv 3x3x32x64+64; 28->26->13->11->5: Dense 5*5*64 -> 128; Dense 128 -> 10
        (mnist_classifier, 320 + 18_496 + (1600 * 128 + 128) + (128 * 10 + 10)),
        (mnist_mlp_classifier, (784 * 128 + 128) + (128 * 10 + 10)),
        (mnist_logistic_regression, 784 * 10 + 10),
    ],
)
def test_classifiers_return_logits_with_hand_counted_parameters(builder, n_params):
    model = builder()
    out = np.asarray(model(_images(), training=False))
    assert out.shape == (B, 10) and out.dtype == np.float32
    assert model.count_params() == n_params


def test_feature_extractor_returns_features_layer_output():
    clf = mnist_classifier(feature_dim=32)
    fx = feature_extractor(clf)
    x = _images()
    feats = np.asarray(fx(x, training=False))
    assert feats.shape == (B, 32)
    # The logits are an affine map of the features: recompute them from the extracted features.
    w, b = clf.get_layer("logits").get_weights()
    np.testing.assert_allclose(feats @ w + b, np.asarray(clf(x, training=False)), rtol=1e-4, atol=1e-5)
    assert feats.min() >= 0.0  # ReLU features


def test_feature_extractor_other_layer_and_mlp_classifier():
    assert feature_extractor(mnist_mlp_classifier(hidden_units=7)).output_shape == (None, 7)
    assert feature_extractor(mnist_classifier(), layer="flatten").output_shape == (None, 1600)


def test_train_classifier_learns_separable_blocks():
    keras.utils.set_random_seed(0)
    x, y = _block_images(n_per_class=30)
    model = mnist_logistic_regression()
    history = train_classifier(model, x, y, epochs=15, batch_size=32, seed=0, validation_data=(x[:50], y[:50]))
    assert len(history.history["loss"]) == 15
    assert "val_accuracy" in history.history
    # ten linearly separable classes: the loss must fall from about log(10) and accuracy be ~perfect
    assert history.history["loss"][-1] < history.history["loss"][0]
    predictions = np.argmax(model.predict(x, verbose=0), axis=1)
    assert np.mean(predictions == y) >= 0.95


def test_train_classifier_keeps_an_existing_compilation():
    model = mnist_logistic_regression()
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = [w.copy() for w in model.get_weights()]
    x, y = _block_images(n_per_class=2)
    train_classifier(model, x, y, epochs=1)
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    for a, b in zip(before, model.get_weights()):  # learning rate 0: nothing moves
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- pretrained cache


def test_pretrained_mnist_classifier_caches_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    calls = []
    real_train = models.train_classifier

    def counting_train(*args, **kwargs):
        calls.append(kwargs.get("epochs"))
        return real_train(*args, **kwargs)

    monkeypatch.setattr(models, "train_classifier", counting_train)
    x, y = _block_images(n_per_class=2)

    first = pretrained_mnist_classifier(x, y, epochs=1, seed=0)
    files = list((tmp_path / "classifiers").glob("*.weights.h5"))
    assert len(files) == 1 and calls == [1]
    assert not any(".tmp" in f.name for f in files)

    second = pretrained_mnist_classifier(x, y, epochs=1, seed=0)
    assert calls == [1]  # loaded, not trained
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(second.predict(x, verbose=0), first.predict(x, verbose=0), rtol=1e-6)

    y_changed = y.copy()
    y_changed[0] = (y_changed[0] + 1) % 10
    pretrained_mnist_classifier(x, y_changed, epochs=1, seed=0)  # different data: new entry
    assert calls == [1, 1]
    assert len(list((tmp_path / "classifiers").glob("*.weights.h5"))) == 2

    pretrained_mnist_classifier(x, y, epochs=1, seed=0, cache=False)  # no cache: trains, writes nothing
    assert calls == [1, 1, 1]
    assert len(list((tmp_path / "classifiers").glob("*.weights.h5"))) == 2


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: mlp_generator(latent_dim=0), ValueError, "latent_dim"),
        (lambda: mlp_generator(hidden_units=2.5), TypeError, "hidden_units"),
        (lambda: mlp_generator(name=None), TypeError, "name"),
        (lambda: mlp_discriminator(activation="tanh"), ValueError, "activation"),
        (lambda: mlp_discriminator(hidden_units=0), ValueError, "hidden_units"),
        (lambda: dcgan_generator(latent_dim=0), ValueError, "latent_dim"),
        (lambda: dcgan_discriminator(name=3), TypeError, "name"),
        (lambda: conditional_mlp_generator(num_classes=1), ValueError, "num_classes"),
        (lambda: conditional_mlp_generator(latent_dim=-1), ValueError, "latent_dim"),
        (lambda: conditional_mlp_discriminator(activation="elu"), ValueError, "activation"),
        (lambda: conditional_mlp_discriminator(num_classes=1), ValueError, "num_classes"),
        (lambda: conditional_dcgan_generator(num_classes=1), ValueError, "num_classes"),
        (lambda: conditional_dcgan_discriminator(num_classes="10"), TypeError, "num_classes"),
        (lambda: toy_generator(data_dim=0), ValueError, "data_dim"),
        (lambda: toy_generator(depth=0), ValueError, "depth"),
        (lambda: toy_discriminator(activation="sigmoid"), ValueError, "activation"),
        (lambda: toy_discriminator(hidden_units=0), ValueError, "hidden_units"),
        (lambda: mnist_classifier(feature_dim=0), ValueError, "feature_dim"),
        (lambda: mnist_classifier(num_classes=1), ValueError, "num_classes"),
        (lambda: mnist_mlp_classifier(hidden_units=0), ValueError, "hidden_units"),
        (lambda: mnist_logistic_regression(num_classes=1), ValueError, "num_classes"),
        (lambda: feature_extractor("not a model"), TypeError, "classifier"),
        (lambda: feature_extractor(mnist_logistic_regression(), layer=1), TypeError, "layer"),
    ],
)
def test_builders_reject_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_feature_extractor_sequential_models():
    built = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(5, name="features"), keras.layers.Dense(10)])
    fx = feature_extractor(built)
    x = _images()
    w, b = built.get_layer("features").get_weights()
    np.testing.assert_allclose(np.asarray(fx(x)), x.reshape(B, -1) @ w + b, rtol=1e-4, atol=1e-5)
    unbuilt = keras.Sequential([keras.layers.Dense(5, name="features"), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="classifier: .*without inputs"):
        feature_extractor(unbuilt)


def test_feature_extractor_missing_layer_lists_available_names():
    with pytest.raises(ValueError, match=r"layer: .*'logits'.*got 'features'"):
        feature_extractor(mnist_logistic_regression(), layer="features")


@pytest.fixture(scope="module")
def tiny_classifier():
    return mnist_logistic_regression()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.zeros(3, np.int64)), ValueError, "y: expected one label"),
        (dict(x=np.zeros((4, 28, 28)), y=np.zeros(4, np.int64)), ValueError, r"x: expected shape \(N, 28, 28, 1\)"),
        (dict(x=np.zeros((4, 32, 32, 1)), y=np.zeros(4, np.int64)), ValueError, "x: expected shape"),
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.full(4, 10)), ValueError, "y: expected labels"),
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.full(4, 0.5)), TypeError, "y: expected integer"),
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.zeros(4, np.int64), epochs=0), ValueError, "epochs"),
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.zeros(4, np.int64), batch_size=0), ValueError, "batch_size"),
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.zeros(4, np.int64), verbose=5), ValueError, "verbose"),
        (dict(x=np.zeros((4, 28, 28, 1)), y=np.zeros(4, np.int64), validation_data=np.zeros(3)), TypeError, "validation_data"),
        (
            dict(x=np.zeros((4, 28, 28, 1)), y=np.zeros(4, np.int64), validation_data=(np.zeros((2, 28, 28, 1)), np.zeros(3, np.int64))),
            ValueError,
            r"validation_data\[1\]",
        ),
        (dict(x=np.full((4, 28, 28, 1), np.nan), y=np.zeros(4, np.int64)), ValueError, "x: expected finite"),
    ],
)
def test_train_classifier_rejects_bad_input(tiny_classifier, kwargs, exc, match):
    kwargs = {"epochs": 1, **kwargs}
    with pytest.raises(exc, match=match):
        train_classifier(tiny_classifier, **kwargs)


def test_train_classifier_rejects_non_model():
    with pytest.raises(TypeError, match="model"):
        train_classifier(lambda x: x, np.zeros((1, 28, 28, 1)), np.zeros(1, np.int64), epochs=1)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(x_train=np.full((4, 28, 28, 1), 255.0)), ValueError, r"x_train: expected values in \[0, 1\].*divide by 255"),
        (dict(x_train=np.zeros((4, 784))), ValueError, "x_train: expected shape"),
        (dict(y_train=np.zeros(3, np.int64)), ValueError, "y_train: expected one label"),
        (dict(y_train=np.full(4, 10)), ValueError, r"y_train: expected labels in \[0, 9\]"),
        (dict(epochs=0), ValueError, "epochs"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(cache="yes"), TypeError, "cache"),
    ],
)
def test_pretrained_mnist_classifier_rejects_bad_input(monkeypatch, tmp_path, kwargs, exc, match):
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    args = {"x_train": np.zeros((4, 28, 28, 1)), "y_train": np.zeros(4, np.int64), "epochs": 1, **kwargs}
    with pytest.raises(exc, match=match):
        pretrained_mnist_classifier(**args)
