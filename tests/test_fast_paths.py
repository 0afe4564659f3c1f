"""The speed-motivated fast paths of ganlib, checked against the slow paths they replace.

* :attr:`ganlib.training.GAN.fused_updates` (``GAN._fused_adam``): plain Adam updates of large
  models run as TensorFlow's fused ``ResourceApplyAdam`` kernel instead of Keras' op-by-op update;
* :attr:`GAN.joint_critic_pass` (``GAN._joint_critic_pass``): one stacked discriminator call for
  real and generated samples in the alternating update;
* ``GAN.fit`` turning tf.data autotuning off for datasets that leave it unset;
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import models
from ganlib.training import _FUSED_MIN_WEIGHTS, GAN

BATCH = 32


# ---------------------------------------------------------------------- helpers
def spy_gan_class(log):
    """A GAN that records, at trace time, which fast paths ``train_step`` takes."""

    class SpyGAN(GAN):
        def _apply_fused_adam(self, optimizer, grads, variables):
            log.append(("fused", optimizer))
            return GAN._apply_fused_adam(optimizer, grads, variables)

        def _discriminator_objective(self, real, labels, fake, counter, joint=False):
            log.append(("joint", joint))
            return super()._discriminator_objective(real, labels, fake, counter, joint=joint)

    return SpyGAN


def build_mlp_gan(log, *, fused=True, joint=True, learning_rate=2e-4, conditional=False, **gan_kwargs):
    """The source article's MLP GAN (about 429k weights) with fixed initial weights."""
    keras.utils.set_random_seed(11)
    if conditional:
        g = models.conditional_mlp_generator(num_classes=3, latent_dim=16, hidden_units=32)
        d = models.conditional_mlp_discriminator(num_classes=3, hidden_units=32)
        gan_kwargs["num_classes"] = 3
    else:
        g, d = models.mlp_generator(), models.mlp_discriminator()
    gan = spy_gan_class(log)(g, d, seed=5, **gan_kwargs)
    gan.fused_updates = fused
    gan.joint_critic_pass = joint

    def adam():
        lr = learning_rate() if callable(learning_rate) else learning_rate
        return keras.optimizers.Adam(lr, beta_1=0.5)

    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    return gan


def image_dataset(n_batches, conditional=False, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n_batches * BATCH, 28, 28, 1)).astype("float32")
    if conditional:
        y = rng.integers(0, 3, n_batches * BATCH).astype("int32")
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)
    return tf.data.Dataset.from_tensor_slices(x).batch(BATCH)


def snapshot(gan):
    """``(name, value)`` of every state variable: model weights as ``"g:<path>"``/``"d:<path>"``,
    then the optimizers' variables as ``"opt:<player>/<variable>"`` (the optimizers' own names
    vary between GANs)."""
    out = [(f"g:{v.path}", v.numpy().copy()) for v in gan.generator.variables]
    out += [(f"d:{v.path}", v.numpy().copy()) for v in gan.discriminator.variables]
    for player, opt in (("g", gan.g_optimizer), ("d", gan.d_optimizer)):
        out += [(f"opt:{player}/{v.path.split('/', 1)[-1]}", v.numpy().copy()) for v in opt.variables]
    return out


def fit_and_snapshot(gan, dataset):
    before = snapshot(gan)
    gan.fit(dataset, epochs=1, verbose=0, shuffle=False)
    return before, snapshot(gan)


def assert_same_training(run_a, run_b, *, rtol=1e-4, atol=1e-5, update_rtol=1e-3):
    """Two runs from the same start agree: every weight elementwise (``rtol``/``atol``) and every
    state variable's change from the start to ``update_rtol`` in norm (the runs agree to ~1e-5)."""
    (start_a, end_a), (start_b, end_b) = run_a, run_b
    assert [p for p, _ in start_a] == [p for p, _ in start_b]
    for (name, a0), (_, b0) in zip(start_a, start_b):
        np.testing.assert_array_equal(a0, b0, err_msg=f"{name}: the runs start from different states")
    changed = 0
    for (name, a0), (_, a), (_, b) in zip(start_a, end_a, end_b):
        if "iteration" in name:
            assert int(a) == int(b), name
            continue
        if not name.startswith("opt:"):  # model weights
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=name)
        change = np.linalg.norm(b.astype(np.float64) - a0)
        if change > 0:
            changed += 1
            assert np.linalg.norm(a.astype(np.float64) - b) <= update_rtol * change, name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    return changed


def model_weights_changed(run):
    start, end = run
    return [name for (name, a0), (_, a) in zip(start, end) if not name.startswith("opt:") and not np.array_equal(a0, a)]


def fused_decision(gan, optimizer, variables):
    """``gan._fused_adam(optimizer, variables)`` as decided while tracing a ``tf.function``."""
    seen = []

    @tf.function
    def probe():
        seen.append(gan._fused_adam(optimizer, variables))
        return tf.zeros(())

    probe()
    assert len(seen) == 1
    return seen[0]


# ---------------------------------------------------------------------- fused Adam
def test_mlp_players_are_above_the_fused_threshold():
    keras.utils.set_random_seed(0)
    g, d = models.mlp_generator(), models.mlp_discriminator()
    n_g = sum(int(np.prod(v.shape)) for v in g.trainable_weights)
    n_d = sum(int(np.prod(v.shape)) for v in d.trainable_weights)
    assert n_g == 227_344 and n_d == 201_217
    assert min(n_g, n_d) >= _FUSED_MIN_WEIGHTS


_SCHEDULE = lambda: keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1, decay_rate=0.3)  # noqa: E731


@pytest.mark.parametrize(
    "learning_rate,d_steps", [(2e-4, 1), (2e-4, 2), (_SCHEDULE, 1)], ids=["adam", "d_steps2", "lr_schedule"]
)
def test_fused_adam_matches_keras_adam(learning_rate, d_steps):
    n_steps = 5
    logs, runs, gans = [], [], []
    for fused in (True, False):
        log = []
        gan = build_mlp_gan(log, fused=fused, learning_rate=learning_rate, d_steps=d_steps)
        runs.append(fit_and_snapshot(gan, image_dataset(n_steps)))
        logs.append(log)
        gans.append(gan)
    fused_gan, keras_gan = gans
    # The fused GAN took the fused kernels for both players, the other GAN never did.
    fused_opts = [opt for kind, opt in logs[0] if kind == "fused"]
    assert len(fused_opts) == d_steps + 1  # the d_steps loop is unrolled when traced
    assert {id(o) for o in fused_opts} == {id(fused_gan.d_optimizer), id(fused_gan.g_optimizer)}
    assert not [entry for entry in logs[1] if entry[0] == "fused"]
    # The fused update advances the step counters as Keras does (the noise streams depend on them).
    for gan in gans:
        assert int(gan.d_optimizer.iterations.numpy()) == n_steps * d_steps
        assert int(gan.g_optimizer.iterations.numpy()) == n_steps
    # Training moved every weight tensor, and both runs agree to well within 1e-4 relative.
    n_weights = len(fused_gan.generator.weights) + len(fused_gan.discriminator.weights)
    assert len(model_weights_changed(runs[0])) == n_weights
    assert assert_same_training(*runs) >= 16


def test_fused_decision_is_made_at_trace_time():
    gan = build_mlp_gan([], fused=True)
    d_vars, g_vars = gan.discriminator.trainable_weights, gan.generator.trainable_weights
    assert fused_decision(gan, gan.d_optimizer, d_vars) is True
    assert fused_decision(gan, gan.g_optimizer, g_vars) is True
    assert gan._fused_adam(gan.d_optimizer, d_vars) is False  # eager: Keras' own update
    gan.fused_updates = False
    assert fused_decision(gan, gan.d_optimizer, d_vars) is False
    assert fused_decision(gan, gan.g_optimizer, g_vars) is False
    assert GAN.fused_updates is True and GAN.joint_critic_pass is True  # the class defaults


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: keras.optimizers.Adam(amsgrad=True),
        lambda: keras.optimizers.Adam(weight_decay=1e-3),
        lambda: keras.optimizers.Adam(clipnorm=1.0),
        lambda: keras.optimizers.Adam(clipvalue=1.0),
        lambda: keras.optimizers.Adam(global_clipnorm=1.0),
        lambda: keras.optimizers.Adam(use_ema=True),
        lambda: keras.optimizers.Adam(gradient_accumulation_steps=2),
        lambda: keras.optimizers.Adam(loss_scale_factor=128.0),
        lambda: keras.optimizers.AdamW(),
        lambda: keras.optimizers.SGD(),
        lambda: keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam()),
    ],
    ids=["amsgrad", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "ema", "accumulation",
         "loss_scale_factor", "adamw", "sgd", "loss_scale_optimizer"],
)
def test_fused_decision_refuses_other_optimizers(make_optimizer):
    gan = build_mlp_gan([], fused=True)
    d_vars = gan.discriminator.trainable_weights
    plain = keras.optimizers.Adam()
    plain.build(d_vars)
    assert fused_decision(gan, plain, d_vars) is True  # the control: only the option differs
    other = make_optimizer()
    other.build(d_vars)
    assert fused_decision(gan, other, d_vars) is False


def _built_adam(variables):
    opt = keras.optimizers.Adam()
    opt.build(variables)
    return opt


def test_fused_decision_depends_on_the_variables():
    gan = build_mlp_gan([], fused=True)

    def decide(variables):
        return fused_decision(gan, _built_adam(variables), variables)

    def var(n, dtype="float32"):
        return keras.Variable(np.zeros(n, dtype), dtype=dtype)

    # The threshold counts all weights of the update, over all tensors.
    assert decide([var(_FUSED_MIN_WEIGHTS)]) is True
    assert decide([var(_FUSED_MIN_WEIGHTS - 1)]) is False
    assert decide([var(_FUSED_MIN_WEIGHTS // 2), var(_FUSED_MIN_WEIGHTS - _FUSED_MIN_WEIGHTS // 2)]) is True
    # The 2-D toy GANs' players are below it.
    keras.utils.set_random_seed(0)
    assert decide(models.toy_discriminator().trainable_weights) is False
    assert decide(models.toy_generator().trainable_weights) is False
    # Not float32, or with a constraint: Keras' own update.
    assert decide([var(_FUSED_MIN_WEIGHTS, "float16")]) is False
    free = keras.layers.Dense(400)
    constrained = keras.layers.Dense(400, kernel_constraint=keras.constraints.MaxNorm(1.0))
    free.build((None, 300))
    constrained.build((None, 300))
    assert decide(free.trainable_weights) is True
    assert decide(constrained.trainable_weights) is False


def test_fused_decision_off_under_xla():
    keras.utils.set_random_seed(0)
    gan = GAN(models.mlp_generator(), models.mlp_discriminator())
    gan.compile(jit_compile=True)
    assert gan.jit_compile
    assert fused_decision(gan, gan.d_optimizer, gan.discriminator.trainable_weights) is False
    gan.jit_compile = False
    assert fused_decision(gan, gan.d_optimizer, gan.discriminator.trainable_weights) is True


def test_fused_update_of_one_step_matches_keras_in_simultaneous_update():
    # One step from the same state: the update itself agrees (later steps of the simultaneous
    # game amplify ~1e-5 differences by orders of magnitude, so a long run is no test of it).
    runs, logs = [], []
    for fused in (True, False):
        log = []
        gan = build_mlp_gan(log, fused=fused, update="simultaneous")
        runs.append(fit_and_snapshot(gan, image_dataset(1)))
        logs.append(sum(kind == "fused" for kind, _ in log))
    assert logs == [2, 0]
    assert len(model_weights_changed(runs[0])) == 8
    assert assert_same_training(*runs, update_rtol=1e-4) >= 16


# ---------------------------------------------------------------------- joint critic pass
@pytest.mark.parametrize(
    "conditional,gan_kwargs",
    [(False, {}), (False, {"d_steps": 2, "loss": "wasserstein", "gradient_penalty_weight": 10.0}), (True, {})],
    ids=["mlp", "mlp_wgan_gp_d_steps2", "conditional_mlp"],
)
def test_joint_critic_pass_matches_two_passes(conditional, gan_kwargs):
    n_steps = 5
    runs, joint_flags = [], []
    for joint in (True, False):
        log = []
        gan = build_mlp_gan(log, fused=False, joint=joint, conditional=conditional, update="alternating", **gan_kwargs)
        assert gan._joint_critic_pass() is joint
        runs.append(fit_and_snapshot(gan, image_dataset(n_steps, conditional=conditional)))
        joint_flags.append({flag for kind, flag in log if kind == "joint"})
        assert not [entry for entry in log if entry[0] == "fused"]
    assert joint_flags == [{True}, {False}]
    weights = [name for name, _ in runs[0][0] if not name.startswith("opt:")]
    # A Wasserstein critic's output bias cancels in E[D(fake)] - E[D(real)]: it has no gradient.
    frozen = ["d:logit/bias"] if gan_kwargs.get("loss") == "wasserstein" else []
    assert model_weights_changed(runs[0]) == [name for name in weights if name not in frozen]
    # (~1e-6 in norm; up to ~3e-4 for the WGAN critic's biases, where rounding residues of
    # gradients that are zero in exact arithmetic meet Adam's normalisation.)
    assert assert_same_training(*runs) > 0


def _tiny_generator(data_dim=4):
    z = keras.Input((3,))
    return keras.Model(z, keras.layers.Dense(data_dim)(z))


def _discriminator_with_bn(nested, data_dim=4):
    x = keras.Input((data_dim,))
    if nested:
        inner = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization()], name="inner")
        h = inner(x)
    else:
        h = keras.layers.BatchNormalization()(keras.layers.Dense(8)(x))
    return keras.Model(x, keras.layers.Dense(1)(h))


@pytest.mark.parametrize("nested", [False, True], ids=["top_level_bn", "nested_bn"])
def test_joint_critic_pass_off_with_batch_norm(nested):
    keras.utils.set_random_seed(0)
    log = []
    gan = spy_gan_class(log)(_tiny_generator(), _discriminator_with_bn(nested))
    assert gan._joint_critic_pass() is False
    plain = GAN(_tiny_generator(), models.toy_discriminator(data_dim=4, hidden_units=8, depth=1))
    assert plain._joint_critic_pass() is True
    plain.joint_critic_pass = False
    assert plain._joint_critic_pass() is False
    # And training really takes the two passes.
    gan.compile()
    x = np.random.default_rng(0).normal(size=(2 * BATCH, 4)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(BATCH), verbose=0, shuffle=False)
    assert {flag for kind, flag in log if kind == "joint"} == {False}


def test_dcgan_discriminator_has_no_batch_norm_and_takes_the_joint_pass():
    keras.utils.set_random_seed(0)
    gan = GAN(models.mlp_generator(latent_dim=8, hidden_units=8), models.dcgan_discriminator())
    assert gan._joint_critic_pass() is True


# ---------------------------------------------------------------------- fit and tf.data autotuning
class _RecordFit(keras.Model):
    """Sits between GAN and keras.Model in the MRO: sees what GAN.fit passes on."""

    def fit(self, x=None, *args, **kwargs):
        self.received.append(x)
        return super().fit(x, *args, **kwargs)


class _RecordingGAN(GAN, _RecordFit):
    pass


def _recording_gan():
    keras.utils.set_random_seed(0)
    g, d = models.toy_generator(hidden_units=8, depth=1), models.toy_discriminator(hidden_units=8, depth=1)
    gan = _RecordingGAN(g, d)
    gan.compile()
    gan.received = []
    return gan


def _points(n=2 * BATCH):
    return np.random.default_rng(0).normal(size=(n, 2)).astype("float32")


def test_fit_turns_autotuning_off_when_unset():
    assert _RecordingGAN.__mro__.index(_RecordFit) == _RecordingGAN.__mro__.index(GAN) + 1
    gan = _recording_gan()
    options = tf.data.Options()
    options.deterministic = False
    options.threading.private_threadpool_size = 2
    ds = tf.data.Dataset.from_tensor_slices(_points()).batch(BATCH).with_options(options)
    assert ds.options().autotune.enabled is None
    history = gan.fit(ds, epochs=1, verbose=0, shuffle=False)
    (received,) = gan.received
    assert isinstance(received, tf.data.Dataset) and received is not ds
    assert received.options().autotune.enabled is False
    # The other options survive, and the caller's dataset is left alone.
    assert received.options().deterministic is False
    assert received.options().threading.private_threadpool_size == 2
    assert ds.options().autotune.enabled is None
    assert len(history.history["d_loss"]) == 1 and int(gan.d_optimizer.iterations.numpy()) == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_fit_keeps_an_explicit_autotune_setting(enabled):
    gan = _recording_gan()
    options = tf.data.Options()
    options.autotune.enabled = enabled
    ds = tf.data.Dataset.from_tensor_slices(_points()).batch(BATCH).with_options(options)
    gan.fit(ds, epochs=1, verbose=0, shuffle=False)
    assert gan.received == [ds] and gan.received[0] is ds
    assert ds.options().autotune.enabled is enabled


def test_fit_passes_arrays_unchanged():
    gan = _recording_gan()
    x = _points()
    gan.fit(x, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    assert len(gan.received) == 1 and gan.received[0] is x
    assert int(gan.g_optimizer.iterations.numpy()) == 2
