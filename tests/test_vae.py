"""Tests for ganlib.vae: closed-form KL and Bernoulli losses, binarisation and what the bound bounds,
training, generation, bad input."""

import math

import numpy as np
import pytest

import keras

from ganlib.vae import VAE, bernoulli_reconstruction_loss, binarize, vae_kl_divergence

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
        (lambda: binarize(np.full((2, 3), 1.5)), ValueError, r"x: expected values in \[0, 1\]"),
        (lambda: binarize(np.zeros(3)), ValueError, "x"),
        (lambda: binarize("abc"), TypeError, "x"),
        (lambda: binarize(np.zeros((2, 3)), seed=-1), ValueError, "seed"),
        (lambda: binarize(np.zeros((2, 3)), seed=1.5), TypeError, "seed"),
    ],
)
def test_pure_functions_reject_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------------- what the likelihood is of


def test_bernoulli_is_normalised_on_binary_pixels_but_not_on_grey_values():
    # exp(-loss) is the probability of the pixel value: it sums to 1 over x in {0, 1} ...
    for logit in (-3.0, 0.0, math.log(3.0), 5.0):
        p0 = math.exp(-float(np.asarray(bernoulli_reconstruction_loss([[0.0]], [[logit]]))[0]))
        p1 = math.exp(-float(np.asarray(bernoulli_reconstruction_loss([[1.0]], [[logit]]))[0]))
        assert p0 + p1 == pytest.approx(1.0, rel=1e-6)
    # ... but integrates over x in [0, 1] to (2 lambda - 1) / logit(lambda), not to 1:
    # lambda = 1/2 (logit 0): the integrand is 1/2 everywhere, so 1/2;
    # lambda = 3/4 (logit log 3): (1/2) / log 3 = 0.4551...
    grid = np.linspace(0.0, 1.0, 20_001).reshape(-1, 1)
    for logit, expected in [(0.0, 0.5), (math.log(3.0), 0.5 / math.log(3.0))]:
        density = np.exp(-np.asarray(bernoulli_reconstruction_loss(grid, np.full_like(grid, logit)), dtype=np.float64))
        assert np.trapezoid(density, grid[:, 0]) == pytest.approx(expected, rel=1e-6)
        assert expected < 1.0


def test_loss_on_grey_values_is_the_expected_loss_of_their_binarisations():
    # E_{x_b ~ Bernoulli(x)}[loss(x_b)] = loss(x): enumerate all 2^3 binary images of 3 pixels
    x = np.array([0.2, 0.5, 0.9])
    logits = np.array([[1.5, -0.7, 2.0]])
    expected = 0.0
    for bits in np.ndindex(2, 2, 2):
        xb = np.array(bits, dtype=float)
        prob = float(np.prod(np.where(xb == 1, x, 1 - x)))
        expected += prob * float(np.asarray(bernoulli_reconstruction_loss(xb[None], logits))[0])
    assert float(np.asarray(bernoulli_reconstruction_loss(x[None], logits))[0]) == pytest.approx(expected, rel=1e-6)


def test_binarize_hand_values_and_frequencies():
    x = np.zeros((2000, 28, 28, 1), dtype=np.float32)
    x[:, :, :14] = 0.3
    x[:, 0, 0] = 1.0
    xb = binarize(x, seed=5)
    assert xb.shape == x.shape and xb.dtype == np.float32
    assert set(np.unique(xb)) <= {0.0, 1.0}
    assert np.all(xb[:, :, 14:] == 0.0)  # grey value 0 never becomes ink
    assert np.all(xb[:, 0, 0] == 1.0)  # grey value 1 always does
    # a grey value of 0.3 is ink with probability 0.3: 2000 * 391 draws, standard error ~0.0007
    ink = xb[:, 1:, :14].mean()
    assert abs(ink - 0.3) < 5 * math.sqrt(0.3 * 0.7 / xb[:, 1:, :14].size)
    np.testing.assert_array_equal(xb, binarize(x, seed=5))
    assert not np.array_equal(xb, binarize(x, seed=6))


def _exact_log_likelihood(vae, xb, n_grid=4001):
    """log p(x_b) = log integral N(z; 0, 1) p(x_b | z) dz for a 1-D latent space, by quadrature."""
    z = np.linspace(-10.0, 10.0, n_grid).astype(np.float32)[:, None]
    logits = np.asarray(vae.decoder(z), dtype=np.float64)
    log_lik = -np.asarray(bernoulli_reconstruction_loss(np.repeat(xb, n_grid, axis=0), logits), dtype=np.float64)
    log_prior = -0.5 * z[:, 0].astype(np.float64) ** 2 - 0.5 * math.log(2 * math.pi)
    terms = log_lik + log_prior + math.log(z[1, 0] - z[0, 0])
    m = terms.max()
    return m + math.log(np.exp(terms - m).sum())


def test_negative_elbo_bounds_minus_log_likelihood_of_a_binary_image():
    keras.utils.set_random_seed(2)
    vae = VAE(latent_dim=1, hidden_units=8, seed=0)  # untrained: the bound holds for any weights
    xb = binarize(np.full((1, 28, 28, 1), 0.4, dtype=np.float32), seed=1)
    exact = _exact_log_likelihood(vae, xb)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    copies = np.repeat(xb, 2048, axis=0)
    estimates = []
    for _ in range(4):  # one-sample estimates of -ELBO, averaged over 4 x 2048 draws of z
        estimates.append(vae.evaluate(copies, batch_size=2048, verbose=0, return_dict=True)["loss"])
    negative_elbo = float(np.mean(estimates))
    assert negative_elbo >= -exact  # -ELBO >= -log p(x_b): the gap is KL(q(z|x) || p(z|x)) >= 0
    assert np.isfinite(exact) and exact < 0  # a probability of a binary image is below 1


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


def test_dynamic_binarization_trains_on_fresh_binary_copies_and_evaluate_does_not_binarize():
    keras.utils.set_random_seed(0)
    x = np.full((64, 28, 28, 1), 0.3, dtype=np.float32)
    vae = VAE(latent_dim=2, hidden_units=8, seed=0, dynamic_binarization=True)
    assert vae.get_config()["dynamic_binarization"] is True
    seen = []
    original = vae._binarize_batch

    def spy(batch):
        out = original(batch)
        seen.append(np.asarray(out))
        return out

    vae._binarize_batch = spy
    vae.compile(optimizer=keras.optimizers.Adam(1e-3), run_eagerly=True)
    vae.fit(x, batch_size=32, epochs=2, shuffle=False, verbose=0)
    assert len(seen) == 4  # every training batch, afresh
    for batch in seen:
        assert batch.shape == (32, 28, 28, 1) and set(np.unique(batch)) <= {0.0, 1.0}
    ink = np.concatenate(seen).mean()
    assert abs(ink - 0.3) < 5 * math.sqrt(0.3 * 0.7 / np.concatenate(seen).size)
    assert not np.array_equal(seen[0], seen[2])  # same images, another epoch: another draw
    vae.evaluate(x, batch_size=32, verbose=0)
    assert len(seen) == 4  # evaluation scores the data as given
    assert VAE(latent_dim=2, hidden_units=8).dynamic_binarization is False


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
        (lambda v: VAE(dynamic_binarization="yes"), TypeError, "dynamic_binarization"),
        (lambda v: v.generate(0), ValueError, "n"),
        (lambda v: v.generate(2, seed=-1), ValueError, "seed"),
        (lambda v: v.encode(np.zeros((2, 784))), ValueError, "x: expected shape"),
        (lambda v: v.encode(np.full((2, 28, 28, 1), 2.0)), ValueError, r"x: expected values in \[0, 1\]"),
        (lambda v: v.reconstruct(np.zeros((2, 28, 28))), ValueError, "x: expected shape"),
        (lambda v: v.decode(np.zeros((2, 5))), ValueError, r"z: expected shape \(N, 4\)"),
    ],
)
def test_vae_rejects_bad_input(trained, call, exc, match):
    vae, _, _ = trained
    with pytest.raises(exc, match=match):
        call(vae)
