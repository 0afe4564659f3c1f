"""Tests for ganlib.book.ch03: every value is compared with a closed form or a NumPy reference."""

import math

import keras
import numpy as np
import pytest

from ganlib import data, losses, models
from ganlib.book import ch03 as theory
from ganlib.training import GAN

LOG4 = math.log(4.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def normal_pdf(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


GRID = np.linspace(-12.0, 12.0, 4801)
DX = float(GRID[1] - GRID[0])


# ------------------------------------------------------------------------------------------
# logit_gradients
# ------------------------------------------------------------------------------------------


def test_logit_gradients_of_discriminator_and_source_losses_match_closed_form():
    real, fake = np.array([1.0, 2.0, -0.5]), np.array([-1.0, 0.5])
    g_real, g_fake = theory.logit_gradients(losses.discriminator_loss, real, fake)
    # d/dl mean(softplus(-l)) = -sigmoid(-l) / B ; d/dl mean(softplus(l)) = sigmoid(l) / B'
    np.testing.assert_allclose(g_real, -sigmoid(-real) / 3, rtol=1e-6)
    np.testing.assert_allclose(g_fake, sigmoid(fake) / 2, rtol=1e-6)
    s_real, s_fake = theory.logit_gradients(losses.source_article_loss, real, fake)
    np.testing.assert_allclose(s_real, g_real, rtol=1e-6)
    np.testing.assert_allclose(s_fake, -sigmoid(fake) / 2, rtol=1e-6)  # the wrong sign


def test_logit_gradients_accepts_column_vectors_and_one_argument():
    (g,) = theory.logit_gradients(losses.nonsaturating_generator_loss, np.zeros((4, 1)))
    assert g.shape == (4,)
    np.testing.assert_allclose(g, -0.5 / 4, rtol=1e-6)


def test_logit_gradients_bad_input():
    with pytest.raises(TypeError, match="loss_fn"):
        theory.logit_gradients("not callable", [0.0])
    with pytest.raises(ValueError, match="logits"):
        theory.logit_gradients(losses.minimax_generator_loss)
    with pytest.raises(ValueError, match=r"logits\[0\]"):
        theory.logit_gradients(losses.minimax_generator_loss, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"logits\[1\]"):
        theory.logit_gradients(losses.discriminator_loss, [0.0], [np.nan])
    with pytest.raises(ValueError, match="loss_fn"):
        theory.logit_gradients(lambda l: l * 2.0, [0.0, 1.0])
    with pytest.raises(TypeError, match="loss_fn"):
        theory.logit_gradients(lambda l: None, [0.0])


# ------------------------------------------------------------------------------------------
# generator_loss_gradients
# ------------------------------------------------------------------------------------------


def test_generator_loss_gradients_wrt_logit_closed_form():
    d = np.array([1e-4, 0.01, 0.3, 0.5, 0.9])
    g = theory.generator_loss_gradients(d)
    np.testing.assert_allclose(g["minimax"], -d, rtol=1e-5)
    np.testing.assert_allclose(g["nonsaturating"], -(1 - d), rtol=1e-5)


def test_generator_loss_gradients_wrt_probability_closed_form():
    d = np.array([0.01, 0.25, 0.5, 0.8])
    g = theory.generator_loss_gradients(d, wrt="probability", losses=["minimax", "nonsaturating"])
    np.testing.assert_allclose(g["minimax"], -1.0 / (1.0 - d), rtol=1e-5)
    np.testing.assert_allclose(g["nonsaturating"], -1.0 / d, rtol=1e-5)


def test_generator_loss_gradients_single_loss():
    g = theory.generator_loss_gradients([0.5], losses=("minimax",))
    assert list(g) == ["minimax"]
    assert g["minimax"][0] == pytest.approx(-0.5, rel=1e-6)


def test_generator_loss_gradients_bad_input():
    with pytest.raises(ValueError, match="d_fake"):
        theory.generator_loss_gradients([0.0, 0.5])
    with pytest.raises(ValueError, match="d_fake"):
        theory.generator_loss_gradients([[0.5]])
    with pytest.raises(ValueError, match="wrt"):
        theory.generator_loss_gradients([0.5], wrt="weights")
    with pytest.raises(ValueError, match="losses"):
        theory.generator_loss_gradients([0.5], losses=("hinge",))
    with pytest.raises(ValueError, match="losses"):
        theory.generator_loss_gradients([0.5], losses="minimax")


# ------------------------------------------------------------------------------------------
# value_function_on_grid and optimal_value_and_jsd
# ------------------------------------------------------------------------------------------


def test_value_function_at_half_is_minus_log4():
    p, q = normal_pdf(GRID, 0, 1), normal_pdf(GRID, 2, 0.5)
    v = theory.value_function_on_grid(np.zeros(GRID.shape), p, q, DX)
    assert v == pytest.approx(-LOG4, abs=1e-9)


def test_value_function_discrete_hand_computed():
    # two cells, dx = 1: p = (0.5, 0.5), q = (1, 0), D = (0.8, 0.2) <=> logits (log 4, -log 4)
    # V = 0.5 log .8 + 0.5 log .2 + 1 * log(1 - .8) + 0
    v = theory.value_function_on_grid([math.log(4), -math.log(4)], [0.5, 0.5], [1.0, 0.0], 1.0)
    assert v == pytest.approx(0.5 * math.log(0.8) + 0.5 * math.log(0.2) + math.log(0.2), abs=1e-12)


def test_value_function_matches_batch_value_function():
    # empirical distributions: two real points (mass 1/2 each) and one fake point (mass 1)
    logits = np.array([1.5, -0.7, 0.4])
    v = theory.value_function_on_grid(logits, [0.5, 0.5, 0.0], [0.0, 0.0, 1.0], 1.0)
    assert v == pytest.approx(float(losses.value_function(logits[:2], logits[2:])), abs=1e-6)


def test_value_function_is_maximised_by_optimal_discriminator():
    p, q = normal_pdf(GRID, 0, 1), normal_pdf(GRID, 3, 0.5)
    log_ratio = -0.5 * GRID**2 + 0.5 * ((GRID - 3) / 0.5) ** 2 + math.log(0.5)  # log p - log q
    best = theory.value_function_on_grid(log_ratio, p, q, DX)
    assert best == pytest.approx(losses.value_at_optimal_discriminator(p, q, DX), abs=1e-9)
    for scale in (0.0, 0.5, 0.9, 1.1, 2.0):
        assert theory.value_function_on_grid(scale * log_ratio, p, q, DX) < best
    for shift in (-0.3, 0.3):
        assert theory.value_function_on_grid(log_ratio + shift, p, q, DX) < best


def test_value_function_infinite_logits():
    # D = 0 (logit -inf) where p_data > 0: V = -inf
    assert theory.value_function_on_grid([-np.inf, 0.0], [0.5, 0.5], [0.5, 0.5], 1.0) == -math.inf
    # D = 1 (logit +inf) where p_g > 0: V = -inf
    assert theory.value_function_on_grid([np.inf, 0.0], [0.5, 0.5], [0.5, 0.5], 1.0) == -math.inf
    # D = 0 where p_data = 0 and D = 1 where p_g = 0 are fine (0 log 0 = 0): V = 0 for disjoint supports
    assert theory.value_function_on_grid([-np.inf, np.inf], [0.0, 1.0], [1.0, 0.0], 1.0) == 0.0


def test_value_function_bad_input():
    with pytest.raises(ValueError, match="logits"):
        theory.value_function_on_grid([np.nan], [1.0], [1.0], 1.0)
    with pytest.raises(ValueError, match="p_data"):
        theory.value_function_on_grid([0.5], [-1.0], [1.0], 1.0)
    with pytest.raises(ValueError, match="logits, p_data, p_g"):
        theory.value_function_on_grid([0.5, 0.5], [1.0], [1.0], 1.0)
    with pytest.raises(ValueError, match="dx"):
        theory.value_function_on_grid([0.5], [1.0], [1.0], 0.0)
    with pytest.raises(TypeError, match="dx"):
        theory.value_function_on_grid([0.5], [1.0], [1.0], "1")
    with pytest.raises(ValueError, match="p_g"):
        theory.value_function_on_grid([0.5], [1.0], [[1.0]], 1.0)
    with pytest.raises(TypeError, match="logits"):
        theory.value_function_on_grid("abc", [1.0], [1.0], 1.0)


@pytest.mark.parametrize("mean_g,std_g", [(0.0, 1.0), (1.0, 1.0), (3.0, 0.5), (-2.0, 1.5)])
def test_optimal_value_matches_jsd_identity(mean_g, std_g):
    p, q = normal_pdf(GRID, 0, 1), normal_pdf(GRID, mean_g, std_g)
    r = theory.optimal_value_and_jsd(p, q, DX)
    assert r.predicted == pytest.approx(-LOG4 + 2 * r.jsd, abs=1e-15)
    assert abs(r.difference) < 1e-9
    assert r.value == pytest.approx(r.predicted, abs=1e-9)


def test_optimal_value_identity_extremes():
    p = normal_pdf(GRID, 0, 1)
    same = theory.optimal_value_and_jsd(p, p, DX)
    assert same.value == pytest.approx(-LOG4, abs=1e-9) and same.jsd == pytest.approx(0.0, abs=1e-12)
    # disjoint supports (discrete): JSD = log 2, C(G) = 0
    far = theory.optimal_value_and_jsd([1.0, 0.0], [0.0, 1.0], 1.0)
    assert far.jsd == pytest.approx(math.log(2), abs=1e-12)
    assert far.value == pytest.approx(0.0, abs=1e-12)


def test_optimal_value_and_jsd_bad_input():
    with pytest.raises(ValueError, match="p_data and p_g"):
        theory.optimal_value_and_jsd([1.0, 0.0], [1.0], 1.0)
    with pytest.raises(ValueError, match="dx"):
        theory.optimal_value_and_jsd([1.0], [1.0], -1.0)


# ------------------------------------------------------------------------------------------
# GAN helpers
# ------------------------------------------------------------------------------------------


def tiny_toy_gan(loss="minimax", seed=0):
    keras.utils.set_random_seed(seed)
    g = models.toy_generator(data_dim=1, latent_dim=4, hidden_units=16, depth=2)
    d = models.toy_discriminator(data_dim=1, hidden_units=16, depth=2)
    gan = GAN(g, d, loss=loss, seed=seed)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(5e-3))
    return gan


@pytest.fixture(scope="module")
def toy_x():
    return data.mixture_1d(means=(4.0,), stds=(0.5,)).sample(2000, seed=0)


def test_train_discriminator_only_moves_only_d_and_rejects_fakes(toy_x):
    gan = tiny_toy_gan()
    g_before = [w.copy() for w in gan.generator.get_weights()]
    d_before = gan.discriminator.get_weights()
    p_before = gan.discriminate(gan.generate(200, seed=1)).mean()
    loss = theory.train_discriminator_only(gan, toy_x, steps=150, batch_size=64, seed=0)
    assert int(gan.d_optimizer.iterations.numpy()) == 150
    assert int(gan.g_optimizer.iterations.numpy()) == 0
    for a, b in zip(g_before, gan.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(not np.allclose(a, b) for a, b in zip(d_before, gan.discriminator.get_weights()))
    p_after = gan.discriminate(gan.generate(200, seed=1)).mean()
    # data at 4, generator output near 0: D learns to reject the fakes
    assert p_after < 0.1 < p_before
    assert 0.0 <= loss < losses.discriminator_loss([0.0], [0.0]).numpy()


def test_train_discriminator_only_is_reproducible(toy_x):
    a, b = tiny_toy_gan(), tiny_toy_gan()
    theory.train_discriminator_only(a, toy_x, steps=5, batch_size=32, seed=3)
    theory.train_discriminator_only(b, toy_x, steps=5, batch_size=32, seed=3)
    for wa, wb in zip(a.discriminator.get_weights(), b.discriminator.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


def test_train_discriminator_only_bad_input(toy_x):
    gan = tiny_toy_gan()
    with pytest.raises(TypeError, match="gan"):
        theory.train_discriminator_only("gan", toy_x, steps=1, batch_size=8)
    with pytest.raises(ValueError, match="steps"):
        theory.train_discriminator_only(gan, toy_x, steps=0, batch_size=8)
    with pytest.raises(ValueError, match="batch_size"):
        theory.train_discriminator_only(gan, toy_x, steps=1, batch_size=0)
    with pytest.raises(ValueError, match="seed"):
        theory.train_discriminator_only(gan, toy_x, steps=1, batch_size=8, seed=-1)
    with pytest.raises(ValueError, match="x"):
        theory.train_discriminator_only(gan, np.full((4, 1), np.nan), steps=1, batch_size=8)
    uncompiled = GAN(models.toy_generator(data_dim=1, latent_dim=4, hidden_units=4, depth=1),
                     models.toy_discriminator(data_dim=1, hidden_units=4, depth=1))
    with pytest.raises(ValueError, match="gan"):
        theory.train_discriminator_only(uncompiled, toy_x, steps=1, batch_size=8)


def test_generator_gradient_norm_is_zero_for_a_constant_discriminator():
    gan = tiny_toy_gan()
    gan.discriminator.set_weights([np.zeros_like(w) for w in gan.discriminator.get_weights()])
    assert theory.generator_gradient_norm(gan, "nonsaturating") == 0.0
    assert theory.generator_gradient_norm(gan, "minimax") == 0.0


def test_generator_gradient_norm_matches_manual_chain_rule():
    # A linear generator x = a.z + b and a linear discriminator l = w x + c:
    # dL/da = mean_i(dL/dl_i * w * z_i), dL/db = mean_i(dL/dl_i * w); for the non-saturating loss
    # dL/dl = -(1 - sigmoid(l)).
    keras.utils.set_random_seed(0)
    z_in = keras.Input((2,))
    g = keras.Model(z_in, keras.layers.Dense(1)(z_in))
    x_in = keras.Input((1,))
    d = keras.Model(x_in, keras.layers.Dense(1)(x_in))
    g.set_weights([np.array([[0.5], [-1.0]], np.float32), np.array([0.2], np.float32)])
    d.set_weights([np.array([[1.5]], np.float32), np.array([-0.3], np.float32)])
    gan = GAN(g, d, loss="nonsaturating")
    z = gan.sample_noise(64, seed=2).astype(np.float64)
    x = z @ np.array([0.5, -1.0]) + 0.2
    l = 1.5 * x - 0.3
    dl = -(1 - sigmoid(l)) / len(z)
    grad_a = (dl[:, None] * 1.5 * z).sum(axis=0)
    grad_b = (dl * 1.5).sum()
    expected = math.sqrt(float(np.sum(grad_a**2) + grad_b**2))
    assert theory.generator_gradient_norm(gan, n=64, seed=2) == pytest.approx(expected, rel=1e-4)
    dl_mm = -sigmoid(l) / len(z)
    expected_mm = math.sqrt(float(np.sum(((dl_mm[:, None] * 1.5 * z).sum(axis=0)) ** 2) + (dl_mm * 1.5).sum() ** 2))
    assert theory.generator_gradient_norm(gan, "minimax", n=64, seed=2) == pytest.approx(expected_mm, rel=1e-4)


def test_generator_gradient_norm_bad_input():
    gan = tiny_toy_gan()
    with pytest.raises(ValueError, match="loss"):
        theory.generator_gradient_norm(gan, "unknown")
    with pytest.raises(ValueError, match="n"):
        theory.generator_gradient_norm(gan, n=0)
    with pytest.raises(TypeError, match="gan"):
        theory.generator_gradient_norm(None)


def test_clone_gan_copies_weights_and_sets_options():
    gan = tiny_toy_gan("minimax")
    clone = theory.clone_gan(gan, loss="nonsaturating", optimizer="sgd", learning_rate=0.01, d_steps=2)
    assert clone.loss_name == "nonsaturating" and clone.d_steps == 2
    assert clone.generator is not gan.generator
    for a, b in zip(gan.generator.get_weights() + gan.discriminator.get_weights(),
                    clone.generator.get_weights() + clone.discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert isinstance(clone.g_optimizer, keras.optimizers.SGD)
    assert float(clone.g_optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    # same networks: same samples for the same noise
    np.testing.assert_allclose(clone.generate(10, seed=4), gan.generate(10, seed=4), rtol=1e-6)
    # the clone is independent: changing it leaves the original alone
    clone.generator.set_weights([w + 1 for w in clone.generator.get_weights()])
    assert not np.allclose(clone.generate(10, seed=4), gan.generate(10, seed=4))
    assert theory.clone_gan(gan).loss_name == "minimax"


def test_clone_gan_bad_input():
    gan = tiny_toy_gan()
    with pytest.raises(ValueError, match="optimizer"):
        theory.clone_gan(gan, optimizer="rmsprop")
    with pytest.raises(ValueError, match="loss"):
        theory.clone_gan(gan, loss="bce")
    with pytest.raises(ValueError, match="learning_rate"):
        theory.clone_gan(gan, learning_rate=-1.0)
    with pytest.raises(TypeError, match="beta_1"):
        theory.clone_gan(gan, beta_1="0.5")
    with pytest.raises(ValueError, match="steps_per_execution"):
        theory.clone_gan(gan, steps_per_execution=0)
    with pytest.raises(TypeError, match="gan"):
        theory.clone_gan(object())


# ------------------------------------------------------------------------------------------
# spectral_norm_estimates
# ------------------------------------------------------------------------------------------


def test_spectral_norm_of_diagonal_matrix_converges_to_largest_entry():
    w = np.diag([3.0, 1.0, 0.5])
    est = theory.spectral_norm_estimates(w, n_iter=30)
    assert est.shape == (30,)
    assert est[-1] == pytest.approx(3.0, rel=1e-12)
    assert np.all(np.diff(est) >= -1e-12)  # power iteration estimates increase
    assert np.all(est <= 3.0 + 1e-12)


def test_spectral_norm_of_rectangular_matrix_matches_numpy():
    w = np.random.default_rng(1).normal(size=(20, 7))
    est = theory.spectral_norm_estimates(w, n_iter=200, seed=5)
    assert est[-1] == pytest.approx(np.linalg.norm(w, 2), rel=1e-6)
    est_t = theory.spectral_norm_estimates(w.T, n_iter=200, seed=5)
    assert est_t[-1] == pytest.approx(np.linalg.norm(w, 2), rel=1e-6)


def test_spectral_norm_rank_one_is_exact_after_one_step():
    u, v = np.array([1.0, 2.0, 2.0]), np.array([0.0, 3.0, 4.0])
    est = theory.spectral_norm_estimates(np.outer(u, v), n_iter=1)
    assert est[0] == pytest.approx(3.0 * 5.0, rel=1e-12)


def test_spectral_norm_bad_input():
    with pytest.raises(ValueError, match="kernel"):
        theory.spectral_norm_estimates(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="kernel"):
        theory.spectral_norm_estimates(np.ones(3))
    with pytest.raises(ValueError, match="n_iter"):
        theory.spectral_norm_estimates(np.eye(2), n_iter=0)
    with pytest.raises(TypeError, match="seed"):
        theory.spectral_norm_estimates(np.eye(2), seed=1.5)
