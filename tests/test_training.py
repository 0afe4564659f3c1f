"""ganlib.training (GAN, train, make_gan) and ganlib.callbacks."""

import json
import pathlib
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import callbacks, data, losses, metrics, models
from ganlib.checkpoint import CHECKPOINT_FILE, read_checkpoint
from ganlib.book.ch04 import make_tutorial_train_step
from ganlib.training import GAN, make_gan, train

ROOT = pathlib.Path(__file__).resolve().parents[1]


def tiny_images(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, 28, 28, 1)).astype("float32")


def mlp_gan(seed=0, init_seed=None, **kw):
    keras.utils.set_random_seed(seed if init_seed is None else init_seed)
    g = models.mlp_generator(latent_dim=8, hidden_units=16)
    d = models.mlp_discriminator(hidden_units=16)
    gan = GAN(g, d, seed=seed, **kw)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def saved_epoch(directory):
    meta, _, _ = read_checkpoint(pathlib.Path(directory) / CHECKPOINT_FILE, remedy="")
    return meta["epoch"]


def weights(gan):
    return [v.numpy().copy() for v in gan.state_variables()]


# ---------------------------------------------------------------------- construction
def test_bad_arguments_are_named():
    g, d = models.mlp_generator(latent_dim=8, hidden_units=8), models.mlp_discriminator(hidden_units=8)
    with pytest.raises(ValueError, match="loss"):
        GAN(g, d, loss="nonsense")
    with pytest.raises(ValueError, match="d_steps"):
        GAN(g, d, d_steps=0)
    with pytest.raises(ValueError, match="update"):
        GAN(g, d, update="simultaneous", d_steps=2)
    with pytest.raises(ValueError, match="gradient_penalty_weight"):
        GAN(g, d, gradient_penalty_weight=-1.0)
    with pytest.raises(TypeError, match="generator"):
        GAN("not a model", d)
    with pytest.raises(ValueError, match="num_classes"):
        GAN(g, d, num_classes=10)  # unconditional generator
    gan = GAN(g, d)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="g_optimizer, d_optimizer"):
        gan.compile(g_optimizer=opt, d_optimizer=opt)
    with pytest.raises(TypeError, match="d_optimizer"):
        gan.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer="adam")


def test_train_rejects_bad_input():
    gan = mlp_gan()
    with pytest.raises(ValueError, match="batch_size"):
        train(gan, tiny_images(8), epochs=1, batch_size=16)
    with pytest.raises(ValueError, match="epochs"):
        train(gan, tiny_images(8), epochs=0, batch_size=4)
    with pytest.raises(ValueError, match="x"):
        bad = tiny_images(8)
        bad[0, 0, 0, 0] = np.nan
        train(gan, bad, epochs=1, batch_size=4)
    with pytest.raises(TypeError, match="gan"):
        train(object(), tiny_images(8), epochs=1, batch_size=4)


def test_fit_logs_losses_and_updates_both_players():
    gan = mlp_gan()
    g0 = [w.numpy().copy() for w in gan.generator.trainable_weights]
    d0 = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    hist = train(gan, tiny_images(64), epochs=2, batch_size=16, verbose=0)
    assert set(hist.history) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    assert len(hist.history["d_loss"]) == 2
    # The source article's code never trained its generator: ganlib's must train both.
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(g0, gan.generator.trainable_weights))
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(d0, gan.discriminator.trainable_weights))
    # d_steps=1: one generator step and one discriminator step per batch (2 epochs x 4 batches).
    assert int(gan.g_optimizer.iterations.numpy()) == 8
    assert int(gan.d_optimizer.iterations.numpy()) == 8


def test_d_steps_counts_discriminator_updates():
    gan = mlp_gan(d_steps=3)
    train(gan, tiny_images(32), epochs=1, batch_size=16, verbose=0)
    assert int(gan.d_optimizer.iterations.numpy()) == 6
    assert int(gan.g_optimizer.iterations.numpy()) == 2


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "least_squares", "hinge"])
def test_every_loss_trains_without_nan(loss):
    gan = mlp_gan(loss=loss)
    hist = train(gan, tiny_images(32), epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(hist.history["d_loss"]).all() and np.isfinite(hist.history["g_loss"]).all()


def test_wasserstein_gp_and_r1_report_penalty():
    for kw in ({"loss": "wasserstein", "gradient_penalty_weight": 10.0}, {"r1_weight": 1.0}, {"weight_decay": 1e-4}):
        gan = mlp_gan(**kw)
        hist = train(gan, tiny_images(32), epochs=1, batch_size=16, verbose=0)
        assert hist.history["penalty"][0] > 0
        assert np.isfinite(hist.history["d_loss"][0])


def test_same_seed_same_samples_and_weights():
    a, b = mlp_gan(seed=3), mlp_gan(seed=3)
    x = tiny_images(64)
    train(a, x, epochs=1, batch_size=16, seed=5, verbose=0)
    train(b, x, epochs=1, batch_size=16, seed=5, verbose=0)
    np.testing.assert_array_equal(a.generate(10, seed=1), b.generate(10, seed=1))
    assert not np.array_equal(a.generate(10, seed=1), a.generate(10, seed=2))
    out = a.generate(7, seed=0, batch_size=3)  # batches smaller than n
    assert out.shape == (7, 28, 28, 1) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1


def test_generate_validates_arguments():
    gan = mlp_gan()
    with pytest.raises(ValueError, match="n"):
        gan.generate(0)
    with pytest.raises(ValueError, match="labels"):
        gan.generate(3, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="z"):
        gan.generate(3, z=np.zeros((3, 5)))


def test_conditional_gan_trains_and_generates_requested_labels():
    keras.utils.set_random_seed(0)
    g = models.conditional_mlp_generator(num_classes=3, latent_dim=8, hidden_units=16)
    d = models.conditional_mlp_discriminator(num_classes=3, hidden_units=16)
    gan = GAN(g, d, num_classes=3)
    gan.compile()
    x, y = tiny_images(24), np.arange(24) % 3
    with pytest.raises(ValueError, match="y"):
        train(gan, x, epochs=1, batch_size=8, verbose=0)
    hist = train(gan, x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(hist.history["g_loss"]).all()
    assert gan.generate(5).shape == (5, 28, 28, 1)
    with pytest.raises(ValueError, match="labels"):
        gan.generate(2, labels=[0, 3])


def test_steps_per_execution_gives_identical_training():
    x = tiny_images(64)
    a = mlp_gan(seed=1)
    b = mlp_gan(seed=1)
    b.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=4)
    train(a, x, epochs=2, batch_size=16, verbose=0)
    train(b, x, epochs=2, batch_size=16, verbose=0)
    for u, v in zip(weights(a), weights(b)):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- learning tests
def test_1d_gan_matches_target_mean_and_std():
    """Fails if training is broken: the generator must learn N(3, 0.5^2) from N(0, 1) noise."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 0.5, (4096, 1)).astype("float32")
    gan = make_gan("toy", data_dim=1, latent_dim=4, learning_rate=1e-3, steps_per_execution=16)
    train(gan, x, epochs=30, batch_size=128, verbose=0)
    s = gan.generate(4000, seed=1)
    assert abs(s.mean() - 3.0) < 0.25, s.mean()
    assert abs(s.std() - 0.5) < 0.2, s.std()


@pytest.mark.slow
def test_ring_gan_covers_most_modes_in_smoke_budget():
    """The 8-Gaussian ring with the smoke profile's toy budget: at least 6 of 8 modes covered."""
    from ganlib.book.profiles import get_profile

    p = get_profile("smoke")
    ring = data.ring_of_gaussians()
    x = ring.sample(p.toy_steps * p.toy_batch // 4, seed=0)
    gan = make_gan("toy", data_dim=2, learning_rate=1e-3, steps_per_execution=p.steps_per_execution)
    train(gan, x, epochs=4, batch_size=p.toy_batch, verbose=0)
    cov = metrics.mode_coverage(gan.generate(2000, seed=0), ring.means, ring.stds)
    assert cov.modes_covered >= 6, cov


# ---------------------------------------------------------------------- resume / divergence
class _Interrupt(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt("simulated interruption")


def test_interrupted_run_resumes_to_identical_weights(tmp_path, capsys):
    x = tiny_images(64)
    full = mlp_gan(seed=2)
    h_full = train(full, x, epochs=4, batch_size=16, seed=9, checkpoint_dir=tmp_path / "a", verbose=0)

    part = mlp_gan(seed=2)
    with pytest.raises(KeyboardInterrupt):
        train(part, x, epochs=4, batch_size=16, seed=9, checkpoint_dir=tmp_path / "b", verbose=0,
              callbacks=[_Interrupt(at_epoch=2)])
    assert saved_epoch(tmp_path / "b") == 2

    resumed = mlp_gan(seed=2, init_seed=123)  # a fresh process starts from other initial weights
    h_res = train(resumed, x, epochs=4, batch_size=16, seed=9, checkpoint_dir=tmp_path / "b", verbose=0)
    assert "Resuming" in capsys.readouterr().out
    assert h_res.resumed_from == 2
    for u, v in zip(weights(full), weights(resumed)):
        np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h_full.history["d_loss"], h_res.history["d_loss"], rtol=1e-5)
    assert len(h_res.history["g_loss"]) == 4

    # Asking again for the same number of epochs does no more training.
    again = mlp_gan(seed=2, init_seed=5)
    train(again, x, epochs=4, batch_size=16, seed=9, checkpoint_dir=tmp_path / "b", verbose=0)
    for u, v in zip(weights(resumed), weights(again)):
        np.testing.assert_array_equal(u, v)


def test_steps_per_execution_not_dividing_the_epoch_resumes_on_one_data_stream(tmp_path):
    # Keras runs whole groups of steps_per_execution: 4 steps with spe=3 is really 6. train()
    # states that number, and the batches form one stream over data epochs (70 images, batch 16:
    # 4 batches per data epoch, 6 steps per training epoch), so a resumed run matches.
    x = tiny_images(70)

    def gan_spe3(init_seed=None):
        gan = mlp_gan(seed=4, init_seed=init_seed)
        gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3),
                    steps_per_execution=3)
        return gan

    full = gan_spe3()
    h_full = train(full, x, epochs=3, batch_size=16, seed=1, steps_per_epoch=4,
                   checkpoint_dir=tmp_path / "a", verbose=0)
    assert h_full.steps_per_epoch == 6
    assert int(full.d_optimizer.iterations) == 18 and int(full.g_optimizer.iterations) == 18

    part = gan_spe3()
    with pytest.raises(KeyboardInterrupt):
        train(part, x, epochs=3, batch_size=16, seed=1, steps_per_epoch=4, checkpoint_dir=tmp_path / "b",
              verbose=0, callbacks=[_Interrupt(at_epoch=2)])
    resumed = gan_spe3(init_seed=77)
    h_res = train(resumed, x, epochs=3, batch_size=16, seed=1, steps_per_epoch=4,
                  checkpoint_dir=tmp_path / "b", verbose=0)
    assert h_res.resumed_from == 2
    assert int(resumed.d_optimizer.iterations) == 18
    for u, v in zip(weights(full), weights(resumed)):
        np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7)


class _Poison(keras.callbacks.Callback):
    """Turns the discriminator's weights into NaN at the start of one epoch."""

    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            w = self.model.discriminator.trainable_weights[-1]  # output bias: logits become NaN
            w.assign(tf.fill(w.shape, np.nan))


def test_divergence_guard_stops_and_keeps_last_good_checkpoint(tmp_path, capsys):
    gan = mlp_gan()
    hist = train(gan, tiny_images(32), epochs=6, batch_size=16, checkpoint_dir=tmp_path,
                 callbacks=[_Poison(at_epoch=2)], verbose=0)
    out = capsys.readouterr().out
    assert hist.diverged
    assert "diverged in epoch 3" in out and "last good checkpoint (after epoch 2)" in out
    assert saved_epoch(tmp_path) == 2
    assert all(np.isfinite(w).all() for w in weights(gan))
    assert len(hist.history["d_loss"]) == 3  # stopped in the third epoch


# ---------------------------------------------------------------------- callbacks
def test_sample_grid_keeps_fixed_noise_snapshots():
    gan = mlp_gan()
    grid = callbacks.SampleGrid(n=4, every=2)
    train(gan, tiny_images(32), epochs=3, batch_size=16, callbacks=[grid], verbose=0)
    assert sorted(grid.snapshots) == [0, 2, 3]
    assert grid.snapshots[0].shape == (4, 28, 28, 1)
    assert not np.allclose(grid.snapshots[0], grid.snapshots[3])


def test_sample_grid_of_a_resumed_run_starts_at_the_resumed_epoch(tmp_path):
    x = tiny_images(32)
    with pytest.raises(KeyboardInterrupt):
        train(mlp_gan(), x, epochs=3, batch_size=16, checkpoint_dir=tmp_path, verbose=0,
              callbacks=[_Interrupt(at_epoch=2)])
    grid = callbacks.SampleGrid(n=2)
    resumed = mlp_gan()
    train(resumed, x, epochs=3, batch_size=16, checkpoint_dir=tmp_path, callbacks=[grid], verbose=0)
    # Keyed 2 (the restored state), not 0: an untrained generator is never impersonated.
    assert sorted(grid.snapshots) == [2, 3]


def test_metric_callback_logs_and_restores_best_weights():
    gan = mlp_gan()
    scores = iter([3.0, 1.0, 2.0])
    seen = {}

    def metric_fn(model):
        seen[len(seen) + 1] = [v.numpy().copy() for v in model.generator.variables]
        return next(scores)

    cb = callbacks.MetricCallback(metric_fn, every=1, name="score")
    hist = train(gan, tiny_images(32), epochs=3, batch_size=16, callbacks=[cb], verbose=0)
    assert hist.history["score"] == [3.0, 1.0, 2.0]
    assert cb.best_epoch == 2 and cb.best_value == 1.0
    for u, v in zip(seen[2], gan.generator.variables):
        np.testing.assert_array_equal(u, v.numpy())
    with pytest.raises(ValueError, match="mode"):
        callbacks.MetricCallback(metric_fn, mode="best")
    with pytest.raises(TypeError, match="metric_fn"):
        callbacks.MetricCallback(3)


def test_kid_metric_callback_factory_runs_on_real_features():
    gan = mlp_gan()
    clf = models.mnist_classifier()
    extractor = models.feature_extractor(clf)
    real = metrics.extract_features(tiny_images(40, seed=1), extractor)
    fn = callbacks.kid_metric(real, extractor, n=40, subset_size=20, n_subsets=5)
    value = fn(gan)
    assert np.isfinite(value)


# ---------------------------------------------------------------------- independent oracles
# The training step is checked against code that does not share it: the TensorFlow tutorial's
# step (ganlib.book.ch04) and a two-tape reference written here. Both sides get the same noise by
# a generator that ignores its input and maps a fixed z (the noise streams are ganlib's own).

ORACLE_BATCH, ORACLE_STEPS, ORACLE_LATENT = 16, 3, 8


def _oracle_players():
    keras.utils.set_random_seed(21)
    return models.mlp_generator(latent_dim=ORACLE_LATENT, hidden_units=16), models.mlp_discriminator(hidden_units=16)


def _fixed_noise(generator, z):
    """``generator`` behind a functional wrapper that replaces its noise input by ``z``."""
    z = tf.constant(z)
    noise = keras.Input((ORACLE_LATENT,))
    fixed = keras.layers.Lambda(lambda t: t * 0.0 + z)(noise)
    return keras.Model(noise, generator(fixed))


def _oracle_data():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(ORACLE_BATCH, ORACLE_LATENT)).astype("float32")
    return z, tiny_images(ORACLE_BATCH * ORACLE_STEPS, seed=6)


def _adam_pair():
    return keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5)


def _assert_same_weights(a, b):
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def _batches(x):
    return [x[i * ORACLE_BATCH:(i + 1) * ORACLE_BATCH] for i in range(ORACLE_STEPS)]


def test_simultaneous_step_equals_the_tensorflow_tutorial_step():
    z, x = _oracle_data()
    g, d = _oracle_players()
    gan = GAN(_fixed_noise(g, z), d, update="simultaneous", seed=0)
    gan.compile(*_adam_pair())
    hist = gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(ORACLE_BATCH), epochs=1, verbose=0, shuffle=False)

    g_ref, d_ref = _oracle_players()
    step = make_tutorial_train_step(_fixed_noise(g_ref, z), d_ref, *_adam_pair(), latent_dim=ORACLE_LATENT)
    d_losses, g_losses, d_real = [], [], []
    for batch in _batches(x):
        d_real.append(float(tf.reduce_mean(tf.sigmoid(d_ref(batch)))))  # D(x) before the update
        g_loss, d_loss = step(tf.constant(batch))
        g_losses.append(float(g_loss))
        d_losses.append(float(d_loss))
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == ORACLE_STEPS
    _assert_same_weights(g, g_ref)
    _assert_same_weights(d, d_ref)
    assert not np.allclose(g.get_weights()[0], _oracle_players()[0].get_weights()[0])  # it trained
    # The logged values are means over the epoch's steps; d_real is a probability (a logit loss).
    assert hist.history["d_loss"][0] == pytest.approx(np.mean(d_losses), rel=1e-5)
    assert hist.history["g_loss"][0] == pytest.approx(np.mean(g_losses), rel=1e-5)
    assert hist.history["d_real"][0] == pytest.approx(np.mean(d_real), rel=1e-5)


_CUSTOM_LOSS = losses.GANLoss(
    lambda real, fake: tf.reduce_mean(tf.square(real - 1.0)) + tf.reduce_mean(tf.square(fake + 1.0)),
    lambda fake: tf.reduce_mean(tf.square(fake - 1.0)),
    takes_logits=False, name="symmetric_least_squares",
)


def _reference_alternating_training(generator, discriminator, z, x, loss, d_steps):
    """Goodfellow et al.'s Algorithm 1 with two tapes, for each batch of ``x``: ``d_steps``
    discriminator updates, then one generator update against the updated discriminator, all with
    the noise ``z``. Returns the discriminator's outputs on each batch in its last update."""
    g_opt, d_opt = _adam_pair()
    z = tf.constant(z)
    real_outputs = []
    for batch in _batches(x):
        real = tf.constant(batch)
        for _ in range(d_steps):
            fake = generator(z, training=True)
            with tf.GradientTape() as tape:
                real_out = discriminator(real, training=True)
                d_loss = loss.discriminator(real_out, discriminator(fake, training=True))
            d_vars = discriminator.trainable_weights
            d_opt.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))
        real_outputs.append(real_out.numpy())
        with tf.GradientTape() as tape:
            g_loss = loss.generator(discriminator(generator(z, training=True), training=True))
        g_vars = generator.trainable_weights
        g_opt.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
    return real_outputs


@pytest.mark.parametrize(
    "loss,d_steps",
    [("nonsaturating", 1), ("nonsaturating", 2), (_CUSTOM_LOSS, 1)],
    ids=["nonsaturating", "nonsaturating_d_steps2", "custom_ganloss"],
)
def test_alternating_step_equals_a_two_tape_reference(loss, d_steps):
    z, x = _oracle_data()
    g, d = _oracle_players()
    gan = GAN(_fixed_noise(g, z), d, loss=loss, d_steps=d_steps, seed=0)
    gan.compile(*_adam_pair())
    hist = gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(ORACLE_BATCH), epochs=1, verbose=0, shuffle=False)

    g_ref, d_ref = _oracle_players()
    gan_loss = losses.get_losses(loss) if isinstance(loss, str) else loss
    real_outputs = _reference_alternating_training(g_ref, d_ref, z, x, gan_loss, d_steps)
    assert int(gan.d_optimizer.iterations) == d_steps * ORACLE_STEPS
    assert int(gan.g_optimizer.iterations) == ORACLE_STEPS
    _assert_same_weights(g, g_ref)
    _assert_same_weights(d, d_ref)
    assert not np.allclose(d.get_weights()[0], _oracle_players()[1].get_weights()[0])  # it trained
    # d_real: the mean output on the real batch in the last discriminator update of each step,
    # as a probability sigmoid(l) for a logit loss and as a raw score otherwise; mean over steps.
    probe = (lambda o: 1.0 / (1.0 + np.exp(-o))) if gan_loss.takes_logits else (lambda o: o)
    expected = np.mean([probe(o.astype(np.float64)).mean() for o in real_outputs])
    assert hist.history["d_real"][0] == pytest.approx(expected, rel=1e-4, abs=1e-6)
    assert gan.loss_name == gan_loss.name


def test_a_custom_ganloss_of_a_builtin_pair_trains_as_its_name():
    x = tiny_images(32)
    runs = []
    for loss in ("hinge", losses.GANLoss(losses.hinge_discriminator_loss, losses.hinge_generator_loss,
                                         takes_logits=False, name="my_hinge")):
        gan = mlp_gan(seed=2, loss=loss)
        train(gan, x, epochs=1, batch_size=16, verbose=0)
        runs.append(gan)
    assert [g.loss_name for g in runs] == ["hinge", "my_hinge"]
    for u, v in zip(weights(runs[0]), weights(runs[1])):
        np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7)


def test_a_loss_without_gradient_leaves_the_discriminator_unchanged():
    # The GANLoss given is what is differentiated: a constant discriminator loss gives zero
    # gradients, and Adam's step m / (sqrt(v) + eps) is then exactly 0.
    flat = losses.GANLoss(lambda real, fake: tf.reduce_mean(real) * 0.0, losses.nonsaturating_generator_loss,
                          takes_logits=True, name="flat")
    gan = mlp_gan(loss=flat)
    d0 = gan.discriminator.get_weights()
    g0 = gan.generator.get_weights()
    train(gan, tiny_images(32), epochs=1, batch_size=16, verbose=0)
    for a, b in zip(d0, gan.discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(g0, gan.generator.get_weights()))


def test_discriminate_needs_a_logit_loss():
    gan = mlp_gan(loss="wasserstein")
    with pytest.raises(ValueError, match="raw score"):
        gan.discriminate(tiny_images(4))
    probs = mlp_gan().discriminate(tiny_images(4))
    assert probs.shape == (4,) and ((probs > 0) & (probs < 1)).all()


# ---------------------------------------------------------------------- make_gan
@pytest.mark.parametrize("h", [16, 256])
def test_make_gan_hidden_units_sets_the_mlp_width(h):
    gan = make_gan("mlp", hidden_units=h)
    # (100 h + h + 784 h + 784) + (784 h + h + h + 1) parameters
    assert gan.generator.count_params() + gan.discriminator.count_params() == 1671 * h + 785


@pytest.mark.parametrize("architecture", ["dcgan", "conditional_dcgan"])
def test_make_gan_filters_sets_the_dcgan_width(architecture):
    narrow, default = make_gan(architecture, filters=16), make_gan(architecture)
    assert narrow.generator.get_layer("deconv2").filters == 16
    assert default.generator.get_layer("deconv2").filters == 64  # the tutorial's
    assert narrow.discriminator.get_layer("conv2").filters == 32


def test_make_gan_default_width_is_the_builders():
    a, b = make_gan("mlp", seed=3), make_gan("mlp", hidden_units=256, seed=3)
    assert a.generator.count_params() == 227_344  # models.mlp_generator's docstring
    for u, v in zip(a.generator.weights + a.discriminator.weights, b.generator.weights + b.discriminator.weights):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(architecture="gan"), ValueError, "architecture"),
        (dict(architecture="dcgan", hidden_units=64), ValueError, "hidden_units"),
        (dict(architecture="mlp", filters=32), ValueError, "filters"),
        (dict(architecture="dcgan", filters=0), ValueError, "filters"),
        (dict(architecture="mlp", hidden_units=0), ValueError, "hidden_units"),
        (dict(architecture="mlp", learning_rate=0.0), ValueError, "learning_rate"),
        (dict(architecture="mlp", beta_1=1.0), ValueError, "beta_1"),
        (dict(architecture="mlp", d_learning_rate="fast"), TypeError, "d_learning_rate"),
        (dict(architecture="mlp", seed=-1), ValueError, "seed"),
        (dict(architecture="mlp", jit_compile="yes"), TypeError, "jit_compile"),
        (dict(architecture="mlp", fused_adam=1), TypeError, "fused_adam"),
        (dict(architecture="mlp", mixed_precision="float8"), ValueError, "mixed_precision"),
        (dict(architecture="mlp", loss=3), TypeError, "loss"),
        (dict(architecture="mlp", loss="wgan"), ValueError, "loss"),
    ],
)
def test_make_gan_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_gan(**kwargs)


# ---------------------------------------------------------------------- accelerator paths
def test_xla_step_matches_non_xla_trajectory():
    """XLA fuses ops and changes floating-point summation order; the adversarial dynamics amplify
    such differences, so trajectories agree within 2 %, not bit for bit."""
    x = tiny_images(64)
    a, b = mlp_gan(seed=4), mlp_gan(seed=4)
    b.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3), jit_compile=True)
    ha = train(a, x, epochs=3, batch_size=16, verbose=0)
    hb = train(b, x, epochs=3, batch_size=16, verbose=0)
    np.testing.assert_allclose(ha.history["d_loss"], hb.history["d_loss"], rtol=2e-2)
    np.testing.assert_allclose(ha.history["g_loss"], hb.history["g_loss"], rtol=2e-2)


def _run_script(code: str) -> dict:
    """Run TensorFlow code in a fresh interpreter (device set-up must precede TF initialisation)."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_mirrored_strategy_on_two_logical_cpus_matches_single_device():
    # Both the weights and the logged losses must agree. Keras < 3.10 made metric variables
    # mirrored with "sum" aggregation, so a plain keras.metrics.Mean doubled its state at every
    # step under MirroredStrategy and logged wrong losses (weights were right); GAN's trackers
    # (training.ReplicaMean) average over replicas instead, giving the same log on every version.
    result = _run_script(
        """
        import json, numpy as np, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from ganlib import models, GAN, train

        def run(strategy):
            keras.utils.set_random_seed(0)
            with strategy.scope():
                gan = GAN(models.mlp_generator(latent_dim=8, hidden_units=16),
                          models.mlp_discriminator(hidden_units=16), seed=0)
                gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
            x = np.random.default_rng(0).uniform(0, 1, (128, 28, 28, 1)).astype("float32")
            h = train(gan, x, epochs=3, batch_size=32, verbose=0)
            return h.history, [v.numpy() for v in gan.generator.trainable_weights]

        mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        hm, wm = run(mirrored)
        hs, ws = run(tf.distribute.OneDeviceStrategy("/cpu:0"))
        err = max(float(np.max(np.abs(a - b))) for a, b in zip(wm, ws))
        print(json.dumps({"replicas": mirrored.num_replicas_in_sync, "d_m": hm["d_loss"], "d_s": hs["d_loss"],
                          "g_m": hm["g_loss"], "g_s": hs["g_loss"], "max_weight_diff": err}))
        """
    )
    assert result["replicas"] == 2
    np.testing.assert_allclose(result["d_m"], result["d_s"], rtol=1e-4)
    np.testing.assert_allclose(result["g_m"], result["g_s"], rtol=1e-4)
    assert result["max_weight_diff"] < 1e-4


@pytest.mark.slow
def test_mixed_precision_uses_loss_scaling_and_tracks_float32_run():
    result = _run_script(
        """
        import json, numpy as np, keras
        from ganlib import models, GAN, train
        x = np.random.default_rng(0).uniform(0, 1, (128, 28, 28, 1)).astype("float32")

        from ganlib.training import optimizer_steps

        def run(policy):
            keras.mixed_precision.set_dtype_policy(policy)
            keras.utils.set_random_seed(0)
            gan = GAN(models.mlp_generator(latent_dim=8, hidden_units=32),
                      models.mlp_discriminator(hidden_units=32), seed=0)
            gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
            h = train(gan, x, epochs=3, batch_size=32, verbose=0)
            steps = [int(optimizer_steps(gan.d_optimizer)), int(optimizer_steps(gan.g_optimizer))]
            return h.history, type(gan.g_optimizer).__name__, str(gan.generate(2).dtype), steps

        h16, opt16, dt16, steps16 = run("mixed_float16")
        h32, opt32, dt32, steps32 = run("float32")
        print(json.dumps({"opt16": opt16, "opt32": opt32, "dtype16": dt16, "steps16": steps16, "steps32": steps32,
                          "d16": h16["d_loss"], "d32": h32["d_loss"], "g16": h16["g_loss"], "g32": h32["g_loss"]}))
        """
    )
    assert result["opt16"] == "LossScaleOptimizer" and result["opt32"] == "Adam"
    # The step counter drives the noise of every step. Keras < 3.9's LossScaleOptimizer kept an
    # iterations counter of its own that stayed 0 (every step drew step 0's noise): ganlib reads
    # the wrapped optimizer's counter (training.optimizer_steps), which counts 3 epochs x 4 steps.
    assert result["steps16"] == result["steps32"] == [12, 12]
    assert result["dtype16"] == "float32"
    # float16 has a 10-bit mantissa: the trajectories agree to about 1e-2, not bit for bit.
    np.testing.assert_allclose(result["d16"], result["d32"], rtol=2e-2)
    np.testing.assert_allclose(result["g16"], result["g32"], rtol=2e-2)
