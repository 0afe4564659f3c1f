"""Tests for ganlib.vae: closed-form KL and Bernoulli losses, training, generation, bad input."""

import math

import numpy as np
import pytest

import keras

from ganlib.vae import VAE, bernoulli_reconstruction_loss, vae_kl_divergence

# ---------------------------------------------------------------------------- pure functions


def test_kl_is_zero_for_the_standard_normal():
    kl = np.asarray(vae_kl_divergence(np.zeros((3, 5)), np.zeros((3, 5))))
    assert kl.shape == (3,)
    np.testing.assert_allclose(kl, 0.0, atol=1e-7)


def test_kl_hand_values():
    # 1-D: KL(N(1, 1) || N(0, 1)) = mu^2 / 2 = 0.5
    np.testing.assert_allclose(np.asarray(vae_kl_divergence([[1.0]], [[0.0]])), [0.5], rtol=1e-6)
    # 1-D: KL(N(0, 2) || N(0, 1)) = (sigma^2 - 1 - log sigma^2) / 2 = (1 - log 2) / 2
    np.testing.assert_allclose(
        np.asarray(vae_kl_divergence([[0.0]], [[math.log(2.0)]])), [(1 - math.log(2.0)) / 2], rtol=1e-6
    )
    # sums over latent dimensions, one value per example
    kl = np.asarray(vae_kl_divergence([[1.0, 2.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]))
    np.testing.assert_allclose(kl, [0.5 + 2.0, 0.0], rtol=1e-6)


def test_kl_matches_monte_carlo_estimate():
    rng = np.random.default_rng(0)
    mu, log_var = 0.7, -0.4
    sigma = math.exp(log_var / 2)
    z = mu + sigma * rng.standard_normal(400_000)
    log_q = -0.5 * ((z - mu) / sigma) ** 2 - math.log(sigma)
    log_p = -0.5 * z**2
    mc = float(np.mean(log_q - log_p))
    np.testing.assert_allclose(np.asarray(vae_kl_divergence([[mu]], [[log_var]]))[0], mc, atol=5e-3)


def test_bernoulli_reconstruction_loss_hand_values():
    # logit 0 -> p = 1/2: each pixel costs log 2 whatever its value
    loss = np.asarray(bernoulli_reconstruction_loss(np.ones((2, 28, 28, 1)), np.zeros((2, 28, 28, 1))))
    np.testing.assert_allclose(loss, [784 * math.log(2.0)] * 2, rtol=1e-6)
    # x = 0, logit 2: -log(1 - sigmoid(2)) = log(1 + e^2); x = 1, logit 2: log(1 + e^-2)
    x = np.array([[0.0, 1.0]])
    np.testing.assert_allclose(
        np.asarray(bernoulli_reconstruction_loss(x, [[2.0, 2.0]])),
        [math.log1p(math.exp(2.0)) + math.log1p(math.exp(-2.0))],
        rtol=1e-6,
    )


def test_bernoulli_reconstruction_loss_matches_naive_formula_and_is_stable():
    rng = np.random.default_rng(1)
    x = rng.random((4, 6))
    logits = rng.normal(scale=3.0, size=(4, 6))
    p = 1 / (1 + np.exp(-logits))
    naive = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
    np.testing.assert_allclose(np.asarray(bernoulli_reconstruction_loss(x, logits)), naive, rtol=1e-5)
    # logits of +-200 overflow the naive formula; the stable one gives |logit| for a wrong pixel
    extreme = np.asarray(bernoulli_reconstruction_loss([[0.0, 1.0]], [[200.0, -200.0]]))
    np.testing.assert_allclose(extreme, [400.0], rtol=1e-6)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: vae_kl_divergence(np.zeros(3), np.zeros(3)), ValueError, "mean"),
        (lambda: vae_kl_divergence(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "log_var"),
        (lambda: vae_kl_divergence("abc", np.zeros((2, 3))), TypeError, "mean"),
        (lambda: vae_kl_divergence(np.zeros((1, 1)), [[np.nan]]), ValueError, "log_var"),
        (lambda: bernoulli_reconstruction_loss(np.zeros(3), np.zeros(3)), ValueError, "x"),
        (lambda: bernoulli_reconstruction_loss(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "logits"),
        (lambda: bernoulli_reconstruction_loss(np.zeros((2, 3)), None), TypeError, "logits"),
    ],
)
def test_pure_functions_reject_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------------- the model


def _binary_images(n=128, p=0.3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, 28, 28, 1)) < p).astype(np.float32)


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    x = _binary_images()
    vae = VAE(latent_dim=4, hidden_units=32, seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = vae.fit(x, batch_size=32, epochs=5, shuffle=False, verbose=0)
    return vae, x, history


def test_fit_reports_the_three_losses_and_decreases_the_loss(trained):
    vae, x, history = trained
    h = history.history
    assert set(h) >= {"loss", "reconstruction_loss", "kl_loss"}
    np.testing.assert_allclose(np.array(h["loss"]), np.array(h["reconstruction_loss"]) + np.array(h["kl_loss"]), rtol=1e-5)
    assert h["loss"][-1] < h["loss"][0]
    # Independent reference points for Bernoulli(0.3) pixels: a decoder that outputs 1/2 everywhere
    # costs 784 log 2 ~ 543.4 nats; no decoder beats the entropy 784 H(0.3) ~ 479.0 on average.
    entropy = -784 * (0.3 * math.log(0.3) + 0.7 * math.log(0.7))
    assert h["reconstruction_loss"][-1] < 784 * math.log(2.0)
    assert h["reconstruction_loss"][-1] > 0.95 * entropy
    assert min(h["kl_loss"]) >= 0.0


def test_evaluate_kl_equals_kl_of_encoder_outputs(trained):
    vae, x, _ = trained
    result = vae.evaluate(x, batch_size=len(x), verbose=0, return_dict=True)
    mean, log_var = vae.encode(x)
    assert mean.shape == log_var.shape == (len(x), 4)
    expected = np.mean(0.5 * np.sum(mean**2 + np.exp(log_var) - 1.0 - log_var, axis=1))
    np.testing.assert_allclose(result["kl_loss"], expected, rtol=1e-4)


def test_generate_is_seeded_and_in_unit_interval(trained):
    vae, _, _ = trained
    a = vae.generate(6, seed=3)
    assert a.shape == (6, 28, 28, 1) and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, vae.generate(6, seed=3))
    assert not np.array_equal(a, vae.generate(6, seed=4))
    # generate(n, seed) decodes z drawn from np.random.default_rng(seed)
    z = np.random.default_rng(3).standard_normal((6, 4)).astype(np.float32)
    np.testing.assert_allclose(a, vae.decode(z), rtol=1e-6)


def test_decode_is_sigmoid_of_decoder_logits_and_reconstruct_uses_the_mean(trained):
    vae, x, _ = trained
    z = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    logits = np.asarray(vae.decoder(z))
    np.testing.assert_allclose(vae.decode(z), 1 / (1 + np.exp(-logits)), rtol=1e-5, atol=1e-7)
    mean, _ = vae.encode(x[:3])
    rec = vae.reconstruct(x[:3])
    assert rec.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(rec, vae.decode(mean), rtol=1e-6)
    np.testing.assert_allclose(rec, np.asarray(vae(x[:3], training=False)), rtol=1e-5)


def test_vae_parameter_count():
    # encoder: Dense 784 -> h, two Dense h -> k; decoder: Dense k -> h, Dense h -> 784
    h, k = 32, 4
    expected = (784 * h + h) + 2 * (h * k + k) + (k * h + h) + (h * 784 + 784)
    assert VAE(latent_dim=k, hidden_units=h).count_params() == expected


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda v: VAE(latent_dim=0), ValueError, "latent_dim"),
        (lambda v: VAE(hidden_units=1.5), TypeError, "hidden_units"),
        (lambda v: VAE(seed=-1), ValueError, "seed"),
        (lambda v: v.generate(0), ValueError, "n"),
        (lambda v: v.generate(2, seed=-1), ValueError, "seed"),
        (lambda v: v.encode(np.zeros((2, 784))), ValueError, "x: expected shape"),
        (lambda v: v.encode(np.full((2, 28, 28, 1), 2.0)), ValueError, r"x: expected values in \[0.0, 1.0\]"),
        (lambda v: v.reconstruct(np.zeros((2, 28, 28))), ValueError, "x: expected shape"),
        (lambda v: v.decode(np.zeros((2, 5))), ValueError, r"z: expected shape \(N, 4\)"),
    ],
)
def test_vae_rejects_bad_input(trained, call, exc, match):
    vae, _, _ = trained
    with pytest.raises(exc, match=match):
        call(vae)
