"""Tests for ganlib.losses: each value is checked against a hand computation or a NumPy reference."""

import dataclasses
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import losses as L

LOG2 = math.log(2.0)
LOG4 = math.log(4.0)


def np_log_sigmoid(x):
    """Naive NumPy reference (fine for moderate logits)."""
    return np.log(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64))))


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# ------------------------------------------------------------------------------------------
# values at logits 0 (D = 1/2)
# ------------------------------------------------------------------------------------------


def test_values_at_zero_logits():
    z = np.zeros((8, 1), np.float32)
    assert L.discriminator_loss(z, z).numpy() == pytest.approx(LOG4, abs=1e-6)
    assert L.value_function(z, z).numpy() == pytest.approx(-LOG4, abs=1e-6)
    assert L.nonsaturating_generator_loss(z).numpy() == pytest.approx(LOG2, abs=1e-6)
    assert L.minimax_generator_loss(z).numpy() == pytest.approx(-LOG2, abs=1e-6)
    assert L.source_article_loss(z, z).numpy() == pytest.approx(0.0, abs=1e-6)


def test_return_type_is_scalar_float32():
    for value in (
        L.value_function([0.5, 1.0], [0.2]),
        L.discriminator_loss([0.5, 1.0], [0.2]),
        L.source_article_loss([0.5], [0.2]),
        L.minimax_generator_loss([0.2]),
        L.nonsaturating_generator_loss([0.2]),
        L.least_squares_discriminator_loss([0.5], [0.2]),
        L.least_squares_generator_loss([0.2]),
        L.wasserstein_critic_loss([0.5], [0.2]),
        L.wasserstein_generator_loss([0.2]),
        L.hinge_discriminator_loss([0.5], [0.2]),
        L.hinge_generator_loss([0.2]),
    ):
        assert isinstance(value, tf.Tensor)
        assert value.dtype == tf.float32
        assert value.shape == ()


# ------------------------------------------------------------------------------------------
# arbitrary logits against the NumPy reference
# ------------------------------------------------------------------------------------------

REAL = np.array([2.0, -0.5, 0.3, 1.7, -3.0], np.float64)
FAKE = np.array([-1.2, 0.8, -2.5, 0.0], np.float64)  # a different batch size on purpose


def test_value_function_and_d_loss_match_numpy_reference():
    v_ref = np.mean(np_log_sigmoid(REAL)) + np.mean(np.log(1.0 - 1.0 / (1.0 + np.exp(-FAKE))))
    assert L.value_function(REAL, FAKE).numpy() == pytest.approx(v_ref, abs=1e-5)
    assert L.discriminator_loss(REAL, FAKE).numpy() == pytest.approx(-v_ref, abs=1e-5)


def test_generator_losses_match_numpy_reference():
    d_fake = 1.0 / (1.0 + np.exp(-FAKE))
    assert L.minimax_generator_loss(FAKE).numpy() == pytest.approx(np.mean(np.log(1 - d_fake)), abs=1e-5)
    assert L.nonsaturating_generator_loss(FAKE).numpy() == pytest.approx(-np.mean(np.log(d_fake)), abs=1e-5)


def test_label_smoothing_hand_computed():
    # real logit 0, fake logit 0, s = 0.1: -(0.9 log 1/2 + 0.1 log 1/2) + log 2 = 2 log 2
    assert L.discriminator_loss([0.0], [0.0], label_smoothing=0.1).numpy() == pytest.approx(LOG4, abs=1e-6)
    # real logit 2, s = 0.2: -(0.8 log s(2) + 0.2 log s(-2)); fake logit -1: -log(1 - s(-1))
    expected = -(0.8 * math.log(sigmoid(2.0)) + 0.2 * math.log(sigmoid(-2.0))) - math.log(1 - sigmoid(-1.0))
    assert L.discriminator_loss([2.0], [-1.0], label_smoothing=0.2).numpy() == pytest.approx(expected, abs=1e-6)


def test_shapes_b_and_b1_and_dtypes_agree():
    a = L.discriminator_loss(REAL.astype(np.float32), FAKE.astype(np.float32)).numpy()
    b = L.discriminator_loss(REAL.reshape(-1, 1), tf.constant(FAKE.reshape(-1, 1), tf.float16)).numpy()
    c = L.discriminator_loss(tf.constant(REAL, tf.float64), tf.Variable(FAKE.astype(np.float32))).numpy()
    assert b == pytest.approx(a, abs=2e-3)  # float16 rounding of the fake logits
    assert c == pytest.approx(a, abs=1e-6)
    assert L.nonsaturating_generator_loss(tf.constant([[0], [0]], tf.int32)).numpy() == pytest.approx(LOG2, abs=1e-6)


def test_extreme_logits_are_finite_and_correct():
    big = np.array([100.0, -100.0], np.float32)
    # log sigmoid(100) = -softplus(-100) ~ -3.7e-44 ; log sigmoid(-100) = -100 - log(1+e^-100) ~ -100
    assert L.value_function(big, big).numpy() == pytest.approx(0.5 * (-100.0) + 0.5 * (-100.0), abs=1e-4)
    assert L.discriminator_loss(big, big).numpy() == pytest.approx(100.0, abs=1e-4)
    assert L.minimax_generator_loss([100.0]).numpy() == pytest.approx(-100.0, abs=1e-4)
    assert L.nonsaturating_generator_loss([-100.0]).numpy() == pytest.approx(100.0, abs=1e-4)
    assert L.nonsaturating_generator_loss([100.0]).numpy() == pytest.approx(0.0, abs=1e-6)
    # float16 logits of a mixed-precision model, including the largest float16 values
    half = tf.constant([[60000.0], [-60000.0]], tf.float16)
    assert np.isfinite(L.discriminator_loss(half, half).numpy())
    assert L.minimax_generator_loss(half).numpy() == pytest.approx(-30000.0, rel=1e-6)


def test_source_article_loss_has_the_wrong_sign_on_the_fake_term():
    r, f = 2.0, -1.0
    correct = -math.log(sigmoid(r)) - math.log(1 - sigmoid(f))
    printed = -math.log(sigmoid(r)) + math.log(1 - sigmoid(f))
    assert L.discriminator_loss([r], [f]).numpy() == pytest.approx(correct, abs=1e-6)
    assert L.source_article_loss([r], [f]).numpy() == pytest.approx(printed, abs=1e-6)
    # they differ by 2 log(1 - D(G(z))) = 2 log sigmoid(-f)
    diff = L.source_article_loss([r], [f]).numpy() - L.discriminator_loss([r], [f]).numpy()
    assert diff == pytest.approx(2 * math.log(sigmoid(-f)), abs=1e-6)


def test_source_article_loss_gradient_pushes_fake_logits_up():
    fake = tf.Variable([0.5])
    with tf.GradientTape(persistent=True) as tape:
        printed = L.source_article_loss([1.0], fake)
        correct = L.discriminator_loss([1.0], fake)
    # d/df [+log(1 - s(f))] = -s(f); d/df [-log(1 - s(f))] = +s(f)
    assert tape.gradient(printed, fake).numpy()[0] == pytest.approx(-sigmoid(0.5), abs=1e-6)
    assert tape.gradient(correct, fake).numpy()[0] == pytest.approx(sigmoid(0.5), abs=1e-6)


def test_saturation_of_minimax_vs_nonsaturating_gradient():
    for logit in (-5.0, -10.0, -30.0):
        x = tf.Variable([logit])
        with tf.GradientTape(persistent=True) as tape:
            mm = L.minimax_generator_loss(x)
            ns = L.nonsaturating_generator_loss(x)
        g_mm = tape.gradient(mm, x).numpy()[0]
        g_ns = tape.gradient(ns, x).numpy()[0]
        assert g_mm == pytest.approx(-sigmoid(logit), rel=1e-4)  # -> 0
        assert g_ns == pytest.approx(-sigmoid(-logit), rel=1e-4)  # -> -1
    assert abs(g_mm) < 1e-12
    assert g_ns == pytest.approx(-1.0, abs=1e-6)


# ------------------------------------------------------------------------------------------
# least squares, Wasserstein, hinge
# ------------------------------------------------------------------------------------------


def test_least_squares_closed_forms():
    real, fake = [1.0, 0.0], [0.5, -1.0]
    # 0.5 * mean([0, 1]) + 0.5 * mean([0.25, 1]) = 0.25 + 0.3125
    assert L.least_squares_discriminator_loss(real, fake).numpy() == pytest.approx(0.5625, abs=1e-6)
    # a = -1, b = 1: 0.5 * mean([0, 1]) + 0.5 * mean([2.25, 0]) = 0.25 + 0.5625
    assert L.least_squares_discriminator_loss(real, fake, a=-1, b=1).numpy() == pytest.approx(0.8125, abs=1e-6)
    # c = 1: 0.5 * mean([0.25, 4]) = 1.0625 ; c = 0: 0.5 * mean([0.25, 1]) = 0.3125
    assert L.least_squares_generator_loss(fake).numpy() == pytest.approx(1.0625, abs=1e-6)
    assert L.least_squares_generator_loss(fake, c=0).numpy() == pytest.approx(0.3125, abs=1e-6)
    half = np.full((4, 1), 0.5)
    assert L.least_squares_discriminator_loss(half, half).numpy() == pytest.approx(0.25, abs=1e-6)


def test_wasserstein_closed_forms():
    real, fake = [1.0, 3.0], [-2.0, 0.0, 5.0]
    assert L.wasserstein_critic_loss(real, fake).numpy() == pytest.approx(1.0 - 2.0, abs=1e-6)
    assert L.wasserstein_generator_loss(fake).numpy() == pytest.approx(-1.0, abs=1e-6)


def test_hinge_closed_forms():
    real, fake = [2.0, 0.5, -1.0], [-3.0, 0.0]
    # relu(1 - real) = [0, 0.5, 2] -> 2.5/3 ; relu(1 + fake) = [0, 1] -> 0.5
    assert L.hinge_discriminator_loss(real, fake).numpy() == pytest.approx(2.5 / 3 + 0.5, abs=1e-6)
    assert L.hinge_generator_loss(fake).numpy() == pytest.approx(1.5, abs=1e-6)
    assert L.hinge_discriminator_loss([1.0, 3.0], [-1.0, -4.0]).numpy() == pytest.approx(0.0, abs=1e-7)


def test_losses_work_inside_tf_function_with_unknown_batch():
    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float16), tf.TensorSpec([None], tf.float32)])
    def step(real, fake):
        return (
            L.discriminator_loss(real, fake),
            L.nonsaturating_generator_loss(fake),
            L.hinge_discriminator_loss(real, fake),
        )

    d, g, h = step(tf.zeros((3, 1), tf.float16), tf.zeros((5,)))
    assert d.numpy() == pytest.approx(LOG4, abs=1e-6)
    assert g.numpy() == pytest.approx(LOG2, abs=1e-6)
    assert h.numpy() == pytest.approx(2.0, abs=1e-6)


# ------------------------------------------------------------------------------------------
# gradient penalty and R1
# ------------------------------------------------------------------------------------------

W = np.array([[0.6], [-0.3], [2.0]], np.float32)  # ||w|| = sqrt(0.36 + 0.09 + 4) = sqrt(4.45)


def linear_critic(x):
    return tf.matmul(x, W)


def quadratic_critic(x):
    # f(x) = sum(x^2) per sample: grad = 2x
    return tf.reduce_sum(tf.square(x), axis=list(range(1, x.shape.rank)))[:, None]


def test_gradient_penalty_linear_critic_is_independent_of_epsilon():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(6, 3)).astype(np.float32)
    fake = rng.normal(size=(6, 3)).astype(np.float32)
    expected = (math.sqrt(4.45) - 1.0) ** 2
    for kwargs in ({"seed": (1, 2)}, {"seed": 7}, {"epsilon": np.linspace(0, 1, 6)}, {"epsilon": 0.3}, {}):
        gp = L.gradient_penalty(linear_critic, real, fake, **kwargs)
        assert gp.dtype == tf.float32 and gp.shape == ()
        assert gp.numpy() == pytest.approx(expected, abs=1e-5)


def test_gradient_penalty_quadratic_critic_with_explicit_epsilon():
    real = np.array([[1.0, 0.0], [0.0, 2.0]], np.float32)
    fake = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    eps = np.array([1.0, 0.25], np.float32)
    # x_hat = [real0, 0.25*real1 + 0.75*fake1] = [[1, 0], [0, 0.5]]; ||2 x_hat|| = [2, 1]
    expected = ((2.0 - 1.0) ** 2 + (1.0 - 1.0) ** 2) / 2
    assert L.gradient_penalty(quadratic_critic, real, fake, epsilon=eps).numpy() == pytest.approx(expected, abs=1e-5)
    # epsilon = 0 everywhere: x_hat = fake; ||2 fake|| = [10, 0] -> ((10-1)^2 + (0-1)^2) / 2
    gp0 = L.gradient_penalty(quadratic_critic, real, fake, epsilon=np.zeros((2, 1)))
    assert gp0.numpy() == pytest.approx((81.0 + 1.0) / 2, abs=1e-4)


def test_gradient_penalty_seed_is_deterministic_and_matters():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(4, 3)).astype(np.float32)
    fake = rng.normal(size=(4, 3)).astype(np.float32)
    a = L.gradient_penalty(quadratic_critic, real, fake, seed=(3, 4)).numpy()
    b = L.gradient_penalty(quadratic_critic, real, fake, seed=tf.constant([3, 4])).numpy()
    c = L.gradient_penalty(quadratic_critic, real, fake, seed=(5, 6)).numpy()
    assert a == b
    assert a != c
    # reproduce a by hand from the same stateless draw
    eps = tf.random.stateless_uniform([4, 1], seed=tf.constant([3, 4], tf.int64)).numpy()
    x_hat = eps * real + (1 - eps) * fake
    expected = np.mean((np.linalg.norm(2 * x_hat, axis=1) - 1) ** 2)
    assert a == pytest.approx(expected, rel=1e-5)


def test_gradient_penalty_images_and_keras_critic_double_backprop():
    keras.utils.set_random_seed(0)
    critic = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    real = tf.random.stateless_uniform((3, 4, 4, 1), seed=(0, 1))
    fake = tf.random.stateless_uniform((3, 4, 4, 1), seed=(0, 2))
    with tf.GradientTape() as tape:
        gp = L.gradient_penalty(lambda x: critic(x, training=True), real, fake, seed=(0, 0))
    # the output bias does not change d f / d x, so the penalty does not depend on it (None)
    weights = critic.trainable_weights[:-1]
    assert critic.trainable_weights[-1] is critic.layers[-1].bias
    grads = tape.gradient(gp, weights)
    assert all(g is not None for g in grads)
    assert all(np.all(np.isfinite(g.numpy())) for g in grads)
    assert all(np.any(g.numpy() != 0) for g in grads)
    with tf.GradientTape() as tape:
        r1 = L.r1_penalty(lambda x: critic(x, training=True), real)
    grads = tape.gradient(r1, weights)
    assert all(g is not None and np.all(np.isfinite(g.numpy())) for g in grads)


def test_gradient_penalty_linear_keras_critic_on_images_and_conditional():
    keras.utils.set_random_seed(0)
    x_in, y_in = keras.Input((2, 2, 1)), keras.Input((1,))
    h = keras.layers.Concatenate()([keras.layers.Flatten()(x_in), y_in])
    critic = keras.Model([x_in, y_in], keras.layers.Dense(1, use_bias=False)(h))
    w = critic.trainable_weights[0].numpy()[:4, 0]  # weights on the image part
    real = np.ones((2, 2, 2, 1), np.float32)
    fake = np.zeros((2, 2, 2, 1), np.float32)
    y = tf.constant([[1.0], [0.0]])
    gp = L.gradient_penalty(lambda x: critic([x, y], training=True), real, fake, seed=(1, 1))
    assert gp.numpy() == pytest.approx((np.linalg.norm(w) - 1.0) ** 2, abs=1e-5)


def test_gradient_penalty_zero_gradient_is_not_nan():
    real = np.ones((2, 3), np.float32)
    w = tf.Variable(np.zeros((3, 1), np.float32))
    with tf.GradientTape() as tape:
        gp = L.gradient_penalty(lambda x: tf.matmul(x, w), real, real, epsilon=0.5)
    assert gp.numpy() == pytest.approx(1.0, abs=1e-5)  # (0 - 1)^2
    g = tape.gradient(gp, w)
    assert np.all(np.isfinite(g.numpy()))


def test_gradient_penalty_inside_tf_function_and_float16_critic():
    real = tf.ones((3, 3))
    fake = tf.zeros((3, 3))

    @tf.function
    def run(seed):
        return L.gradient_penalty(lambda x: tf.cast(linear_critic(x), tf.float16), real, fake, seed=seed)

    assert run(tf.constant([1, 2])).numpy() == pytest.approx((math.sqrt(4.45) - 1.0) ** 2, abs=1e-3)


def test_r1_penalty_closed_forms():
    real = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]], np.float32)
    assert L.r1_penalty(linear_critic, real).numpy() == pytest.approx(0.5 * 4.45, abs=1e-5)
    # quadratic: 0.5 * mean(||2x||^2) = 2 * mean(||x||^2) = 2 * (5 + 2) / 2 = 7
    assert L.r1_penalty(quadratic_critic, real).numpy() == pytest.approx(7.0, abs=1e-5)


def test_l2_weight_penalty_known_arrays_and_gradient():
    weights = [np.array([[1.0, 2.0]]), np.array([3.0])]
    assert L.l2_weight_penalty(weights, 0.5).numpy() == pytest.approx(0.5 * 14.0, abs=1e-6)
    assert L.l2_weight_penalty(weights, 0).numpy() == 0.0
    assert L.l2_weight_penalty(np.array([1.0, -1.0]), 2.0).numpy() == pytest.approx(4.0)
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    with tf.GradientTape() as tape:
        pen = L.l2_weight_penalty(layer.trainable_weights, 0.1)
    expected = 0.1 * sum(float(np.sum(w.numpy() ** 2)) for w in layer.trainable_weights)
    assert pen.numpy() == pytest.approx(expected, rel=1e-5)
    grads = tape.gradient(pen, layer.trainable_weights)
    np.testing.assert_allclose(grads[0].numpy(), 0.2 * layer.kernel.numpy(), rtol=1e-5)


# ------------------------------------------------------------------------------------------
# every loss pair against hand-computed values (TF-GAN's pattern), get_losses and GANLoss
# ------------------------------------------------------------------------------------------

# Small logits, a different batch size for the fakes. sig() is the probability D = sigmoid(l).
PAIR_REAL = [1.0, -2.0]
PAIR_FAKE = [0.5, -1.0, 3.0]
_CROSS_ENTROPY_D = -(math.log(sigmoid(1.0)) + math.log(sigmoid(-2.0))) / 2 - (
    math.log(1 - sigmoid(0.5)) + math.log(1 - sigmoid(-1.0)) + math.log(1 - sigmoid(3.0))
) / 3

LOSS_PAIRS = [
    # name, discriminator, generator, takes_logits, L_D(PAIR_REAL, PAIR_FAKE), L_G(PAIR_FAKE)
    ("minimax", L.discriminator_loss, L.minimax_generator_loss, True, _CROSS_ENTROPY_D,
     (math.log(1 - sigmoid(0.5)) + math.log(1 - sigmoid(-1.0)) + math.log(1 - sigmoid(3.0))) / 3),
    ("nonsaturating", L.discriminator_loss, L.nonsaturating_generator_loss, True, _CROSS_ENTROPY_D,
     -(math.log(sigmoid(0.5)) + math.log(sigmoid(-1.0)) + math.log(sigmoid(3.0))) / 3),
    # 1/2 E(f(x) - 1)^2 + 1/2 E f(G(z))^2 ; 1/2 E(f(G(z)) - 1)^2
    ("least_squares", L.least_squares_discriminator_loss, L.least_squares_generator_loss, False,
     0.5 * (0.0**2 + 3.0**2) / 2 + 0.5 * (0.5**2 + 1.0**2 + 3.0**2) / 3,
     0.5 * (0.5**2 + 2.0**2 + 2.0**2) / 3),
    # E f(G(z)) - E f(x) ; -E f(G(z))
    ("wasserstein", L.wasserstein_critic_loss, L.wasserstein_generator_loss, False,
     (0.5 - 1.0 + 3.0) / 3 - (1.0 - 2.0) / 2, -(0.5 - 1.0 + 3.0) / 3),
    # E relu(1 - f(x)) + E relu(1 + f(G(z))) ; -E f(G(z))
    ("hinge", L.hinge_discriminator_loss, L.hinge_generator_loss, False,
     (0.0 + 3.0) / 2 + (1.5 + 0.0 + 4.0) / 3, -(0.5 - 1.0 + 3.0) / 3),
]


@pytest.mark.parametrize("name,d_fn,g_fn,takes_logits,d_value,g_value", LOSS_PAIRS, ids=[row[0] for row in LOSS_PAIRS])
def test_every_loss_pair_matches_hand_computed_values(name, d_fn, g_fn, takes_logits, d_value, g_value):
    loss = L.get_losses(name)
    assert isinstance(loss, L.GANLoss)
    assert loss.discriminator is d_fn and loss.generator is g_fn
    assert loss.takes_logits is takes_logits and loss.name == name
    real, fake = np.array(PAIR_REAL, np.float32)[:, None], np.array(PAIR_FAKE, np.float32)[:, None]
    assert loss.discriminator(real, fake).numpy() == pytest.approx(d_value, rel=1e-6, abs=1e-6)
    assert loss.generator(fake).numpy() == pytest.approx(g_value, rel=1e-6, abs=1e-6)


def test_a_custom_loss_pair():
    loss = L.GANLoss(lambda r, f: tf.reduce_mean(f) - tf.reduce_mean(r), lambda f: -tf.reduce_mean(f),
                     takes_logits=False, name="my_critic")
    assert loss.name == "my_critic" and loss.takes_logits is False
    assert float(loss.discriminator(tf.constant(PAIR_REAL), tf.constant(PAIR_FAKE))) == pytest.approx(2.5 / 3 + 0.5)
    assert L.GANLoss(L.discriminator_loss, L.nonsaturating_generator_loss, takes_logits=True).name == "custom"
    with pytest.raises(dataclasses.FrozenInstanceError):
        loss.takes_logits = True


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: L.get_losses("wgan"), ValueError, r"name.*'minimax'.*'hinge'"),
        (lambda: L.get_losses(None), TypeError, "name"),
        (lambda: L.GANLoss("d", L.hinge_generator_loss, takes_logits=False), TypeError, "discriminator"),
        (lambda: L.GANLoss(L.hinge_discriminator_loss, None, takes_logits=False), TypeError, "generator"),
        (lambda: L.GANLoss(L.hinge_discriminator_loss, L.hinge_generator_loss, takes_logits="no"), TypeError,
         "takes_logits"),
        (lambda: L.GANLoss(L.hinge_discriminator_loss, L.hinge_generator_loss, takes_logits=False, name=3),
         TypeError, "name"),
    ],
)
def test_get_losses_and_gan_loss_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------------------------------
# theory: D*, JSD, Theorem 1
# ------------------------------------------------------------------------------------------


def test_optimal_discriminator_values():
    d = L.optimal_discriminator([1.0, 0.0, 3.0, 0.0], [1.0, 2.0, 1.0, 0.0])
    np.testing.assert_allclose(d, [0.5, 0.0, 0.75, 0.5])
    assert d.dtype == np.float64


def test_jsd_identical_and_disjoint():
    x = np.linspace(-5, 5, 1001)
    dx = x[1] - x[0]
    p = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
    assert L.jensen_shannon_divergence(p, p, dx) == pytest.approx(0.0, abs=1e-12)
    # two disjoint uniform densities on [0, 1) and [1, 2), grid step 0.01
    grid = np.arange(200) * 0.01
    u1 = np.where(grid < 1.0, 1.0, 0.0)
    u2 = np.where(grid >= 1.0, 1.0, 0.0)
    assert L.jensen_shannon_divergence(u1, u2, 0.01) == pytest.approx(LOG2, abs=1e-12)
    # partial overlap by hand: p = [1, 1, 0], q = [0, 1, 1], dx = 0.5 ->
    # 0.5 * [0.5 (log 2 + 0) + 0.5 (0 + log 2)] = 0.5 log 2
    assert L.jensen_shannon_divergence([1, 1, 0], [0, 1, 1], 0.5) == pytest.approx(0.5 * LOG2, abs=1e-12)


def test_value_at_optimal_discriminator_theorem_1_two_gaussians():
    x = np.linspace(-12, 14, 20001)
    dx = x[1] - x[0]
    p = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
    q = np.exp(-0.5 * ((x - 1.5) / 0.7) ** 2) / (0.7 * np.sqrt(2 * np.pi))
    jsd = L.jensen_shannon_divergence(p, q, dx)
    assert 0.0 < jsd < LOG2
    assert L.value_at_optimal_discriminator(p, q, dx) == pytest.approx(-LOG4 + 2 * jsd, abs=1e-6)
    assert L.value_at_optimal_discriminator(p, p, dx) == pytest.approx(-LOG4, abs=1e-6)
    # independent reference: the integral with scipy-free direct formula
    d = p / (p + q)
    direct = np.sum(p * np.log(d) + q * np.log(q / (p + q))) * dx
    assert L.value_at_optimal_discriminator(p, q, dx) == pytest.approx(direct, abs=1e-9)


def test_value_at_optimal_discriminator_disjoint_supports_is_zero():
    # D* = 1 on p's support and 0 on q's: every term is 0 log 1 or 0 log 0 -> V = 0 = -log 4 + 2 log 2
    assert L.value_at_optimal_discriminator([1.0, 0.0], [0.0, 1.0], 1.0) == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

TWO_ARG = [
    (L.value_function, ("real_logits", "fake_logits")),
    (L.discriminator_loss, ("real_logits", "fake_logits")),
    (L.source_article_loss, ("real_logits", "fake_logits")),
    (L.least_squares_discriminator_loss, ("real_outputs", "fake_outputs")),
    (L.wasserstein_critic_loss, ("real_outputs", "fake_outputs")),
    (L.hinge_discriminator_loss, ("real_outputs", "fake_outputs")),
]
ONE_ARG = [
    (L.minimax_generator_loss, "fake_logits"),
    (L.nonsaturating_generator_loss, "fake_logits"),
    (L.least_squares_generator_loss, "fake_outputs"),
    (L.wasserstein_generator_loss, "fake_outputs"),
    (L.hinge_generator_loss, "fake_outputs"),
]
GOOD = np.zeros((4, 1), np.float32)
BAD_TYPES = [None, "abc", ["a", "b"], tf.constant(["a", "b"]), np.array([True, False]), np.array([1j, 2j])]
BAD_SHAPES = [np.zeros((4, 3)), np.zeros((0,)), np.zeros((0, 1)), np.float32(1.0), np.zeros((2, 1, 1))]


@pytest.mark.parametrize("fn,names", TWO_ARG)
def test_two_argument_losses_bad_input(fn, names):
    real_name, fake_name = names
    for bad in BAD_TYPES:
        with pytest.raises(TypeError, match=real_name):
            fn(bad, GOOD)
        with pytest.raises(TypeError, match=fake_name):
            fn(GOOD, bad)
    for bad in BAD_SHAPES:
        with pytest.raises(ValueError, match=real_name):
            fn(bad, GOOD)
        with pytest.raises(ValueError, match=fake_name):
            fn(GOOD, bad)


@pytest.mark.parametrize("fn,name", ONE_ARG)
def test_one_argument_losses_bad_input(fn, name):
    for bad in BAD_TYPES:
        with pytest.raises(TypeError, match=name):
            fn(bad)
    for bad in BAD_SHAPES:
        with pytest.raises(ValueError, match=name):
            fn(bad)


def test_bad_shape_detected_while_tracing():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def step(x):
        return L.nonsaturating_generator_loss(x)

    with pytest.raises(ValueError, match="fake_logits"):
        step.get_concrete_function()


X3 = np.zeros((3, 2), np.float32)
W_LIST = [np.ones(2)]


@pytest.mark.parametrize(
    "call, exc, match",
    [
        # discriminator_loss, least squares: hyperparameters
        (lambda: L.discriminator_loss(GOOD, GOOD, label_smoothing=1.0), ValueError, "label_smoothing"),
        (lambda: L.discriminator_loss(GOOD, GOOD, label_smoothing=-0.1), ValueError, "label_smoothing"),
        (lambda: L.discriminator_loss(GOOD, GOOD, label_smoothing="0.1"), TypeError, "label_smoothing"),
        (lambda: L.least_squares_discriminator_loss(GOOD, GOOD, a="0"), TypeError, r"\ba\b"),
        (lambda: L.least_squares_discriminator_loss(GOOD, GOOD, b=float("nan")), ValueError, r"\bb\b"),
        (lambda: L.least_squares_generator_loss(GOOD, c=None), TypeError, r"\bc\b"),
    ],
)
def test_loss_hyperparameters_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: L.gradient_penalty("not a model", X3, X3), TypeError, "critic"),
        (lambda: L.gradient_penalty(linear_critic, "abc", X3), TypeError, "real"),
        (lambda: L.gradient_penalty(linear_critic, X3, None), TypeError, "fake"),
        (lambda: L.gradient_penalty(linear_critic, np.zeros(3), np.zeros(3)), ValueError, "real"),
        (lambda: L.gradient_penalty(linear_critic, np.zeros((0, 2)), np.zeros((0, 2))), ValueError, "real"),
        (lambda: L.gradient_penalty(linear_critic, X3, np.zeros((2, 2))), ValueError, "real and fake"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, epsilon=[0.1, 1.5, 0.2]), ValueError, "epsilon"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, epsilon=np.zeros((2,))), ValueError, "epsilon"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, epsilon=np.zeros((3, 2))), ValueError, "epsilon"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, epsilon="half"), TypeError, "epsilon"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, seed=(1, 2), epsilon=0.5), ValueError, "seed"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, seed=(1, 2, 3)), ValueError, "seed"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, seed=-1), ValueError, "seed"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, seed=1.5), TypeError, "seed"),
        (lambda: L.gradient_penalty(linear_critic, X3, X3, seed=tf.constant([1.0, 2.0])), TypeError, "seed"),
    ],
)
def test_gradient_penalty_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: L.r1_penalty(None, X3), TypeError, "critic"),
        (lambda: L.r1_penalty(lambda t: None, X3), TypeError, "critic"),
        (lambda: L.r1_penalty(linear_critic, np.zeros(3)), ValueError, "real"),
        (lambda: L.r1_penalty(linear_critic, ["a", "b"]), TypeError, "real"),
    ],
)
def test_r1_penalty_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: L.l2_weight_penalty(W_LIST, -0.1), ValueError, "lam"),
        (lambda: L.l2_weight_penalty(W_LIST, float("inf")), ValueError, "lam"),
        (lambda: L.l2_weight_penalty(W_LIST, "0.1"), TypeError, "lam"),
        (lambda: L.l2_weight_penalty(W_LIST, True), TypeError, "lam"),
        (lambda: L.l2_weight_penalty([], 0.1), ValueError, "weights"),
        (lambda: L.l2_weight_penalty(None, 0.1), TypeError, "weights"),
        (lambda: L.l2_weight_penalty([np.ones(2), "x"], 0.1), TypeError, r"weights\[1\]"),
    ],
)
def test_l2_weight_penalty_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: L.optimal_discriminator([-1.0, 1.0], [1.0, 1.0]), ValueError, "p_data"),
        (lambda: L.optimal_discriminator([1.0, 1.0], [np.nan, 1.0]), ValueError, "p_g"),
        (lambda: L.optimal_discriminator([1.0, 1.0], [1.0]), ValueError, "p_data and p_g"),
        (lambda: L.optimal_discriminator("abc", [1.0]), TypeError, "p_data"),
        (lambda: L.optimal_discriminator([], []), ValueError, "p_data"),
        (lambda: L.jensen_shannon_divergence([1.0], [1.0], 0.0), ValueError, "dx"),
        (lambda: L.jensen_shannon_divergence([1.0], [1.0], None), TypeError, "dx"),
        (lambda: L.jensen_shannon_divergence([1.0], [-1.0], 0.1), ValueError, r"\bq\b"),
        (lambda: L.jensen_shannon_divergence(None, [1.0], 0.1), TypeError, r"\bp\b"),
        (lambda: L.value_at_optimal_discriminator([1.0], [1.0], -1), ValueError, "dx"),
        (lambda: L.value_at_optimal_discriminator([1.0], [np.inf], 0.1), ValueError, "p_g"),
    ],
)
def test_theory_functions_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
