"""The speed-motivated fast paths of ganlib, checked against the slow paths they replace.

* :class:`ganlib.optimizers.FusedAdam` (opt-in, chosen by ``make_gan(fused_adam="auto")``): Adam
  as TensorFlow's fused ``ResourceApplyAdam`` kernel, against ``keras.optimizers.Adam`` and
  against Adam's formula computed by hand;
* :attr:`GAN.joint_critic_pass`: one stacked discriminator call for real and generated samples
  in the alternating update, against two calls.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import models
from ganlib.optimizers import FUSED_MIN_WEIGHTS, FusedAdam
from ganlib.training import GAN, make_gan

BATCH = 32


# ---------------------------------------------------------------------- helpers
class BatchProbe(keras.layers.Layer):
    """An identity layer that reports the batch dimension of every call to ``record``.

    The report is a Python side effect, so it happens when the step is traced: a traced
    ``train_step`` leaves one entry per discriminator call in it, in call order.
    (``record`` is a bound method, not a list: Keras would copy a list attribute into its own
    tracked list.)
    """

    def __init__(self, record, **kwargs):
        super().__init__(**kwargs)
        self.record = record

    def call(self, x):
        self.record(x.shape[0])
        return x


def probed(discriminator, log):
    """``discriminator`` behind a :class:`BatchProbe` on its (first) input, logging into ``log``.

    The wrapper adds no weights: the variables and their paths are ``discriminator``'s. The
    entries the functional construction leaves (batch ``None``) are cleared.
    """
    inputs = [keras.Input(t.shape[1:], dtype=t.dtype) for t in discriminator.inputs]
    first = BatchProbe(log.append)(inputs[0])
    out = discriminator([first, *inputs[1:]] if len(inputs) > 1 else first)
    model = keras.Model(inputs if len(inputs) > 1 else inputs[0], out)
    log.clear()
    return model


def build_mlp_gan(log=None, *, optimizer=keras.optimizers.Adam, joint=True, learning_rate=2e-4,
                  conditional=False, **gan_kwargs):
    """The source article's MLP GAN (about 429k weights) with fixed initial weights; with a
    ``log``, its discriminator reports every call's batch size there (:func:`probed`)."""
    keras.utils.set_random_seed(11)
    if conditional:
        g = models.conditional_mlp_generator(num_classes=3, latent_dim=16, hidden_units=32)
        d = models.conditional_mlp_discriminator(num_classes=3, hidden_units=32)
        gan_kwargs["num_classes"] = 3
    else:
        g, d = models.mlp_generator(), models.mlp_discriminator()
    gan = GAN(g, d if log is None else probed(d, log), seed=5, **gan_kwargs)
    gan.joint_critic_pass = joint

    def make():
        lr = learning_rate() if callable(learning_rate) else learning_rate
        return optimizer(lr, beta_1=0.5)

    gan.compile(g_optimizer=make(), d_optimizer=make())
    return gan


def image_dataset(n_batches, conditional=False, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n_batches * BATCH, 28, 28, 1)).astype("float32")
    if conditional:
        y = rng.integers(0, 3, n_batches * BATCH).astype("int32")
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH, drop_remainder=True)
    return tf.data.Dataset.from_tensor_slices(x).batch(BATCH, drop_remainder=True)


def snapshot(gan):
    """``(name, value)`` of every state variable: model weights as ``"g:<path>"``/``"d:<path>"``,
    then the optimizers' variables as ``"opt:<player>/<variable>"`` (the optimizers' own names
    vary between GANs)."""
    out = [(f"g:{v.path}", v.numpy().copy()) for v in gan.generator.variables]
    out += [(f"d:{v.path}", v.numpy().copy()) for v in gan.discriminator.variables]
    for player, opt in (("g", gan.g_optimizer), ("d", gan.d_optimizer)):
        out += [(f"opt:{player}/{v.path.split('/', 1)[-1]}", v.numpy().copy()) for v in opt.variables]
    return out


def fit_and_snapshot(gan, dataset, history=None):
    """``(state before, state after)`` one epoch of ``gan.fit``; its logged metrics are added to
    ``history`` if given."""
    before = snapshot(gan)
    logged = gan.fit(dataset, epochs=1, verbose=0, shuffle=False).history
    if history is not None:
        history.update(logged)
    return before, snapshot(gan)


def assert_same_training(run_a, run_b, *, rtol=1e-4, atol=1e-5, update_rtol=1e-3, optimizer_state=True):
    """Two runs from the same start agree: every weight elementwise (``rtol``/``atol``) and every
    state variable's change from the start to ``update_rtol`` in norm (the runs agree to ~1e-5).
    With ``optimizer_state=False`` only the model weights are compared (for two optimizer
    classes, whose variables are named differently)."""
    (start_a, end_a), (start_b, end_b) = run_a, run_b
    if not optimizer_state:
        keep = lambda run: [(n, v) for n, v in run if not n.startswith("opt:")]  # noqa: E731
        start_a, end_a, start_b, end_b = keep(start_a), keep(end_a), keep(start_b), keep(end_b)
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


# ---------------------------------------------------------------------- FusedAdam
def test_fused_adam_one_step_equals_adams_formula_by_hand():
    # One update from m = v = 0 (Kingma & Ba, with Keras' epsilon outside the square root):
    # m = (1 - b1) g, v = (1 - b2) g^2, theta -= lr sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps)
    lr, b1, b2, eps = 0.1, 0.5, 0.999, 1e-7
    theta0 = np.array([1.0, -2.0, 0.5, 3.0], np.float32)
    grad = np.array([0.3, -1.5, 0.0, 2e-3], np.float32)
    var = keras.Variable(theta0)
    opt = FusedAdam(lr, beta_1=b1, beta_2=b2, epsilon=eps)
    opt.apply([tf.constant(grad)], [var])
    g = grad.astype(np.float64)
    m, v = (1 - b1) * g, (1 - b2) * g**2
    expected = theta0 - lr * np.sqrt(1 - b2) / (1 - b1) * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(var.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(opt.momentums[0].numpy(), m, rtol=1e-6)
    np.testing.assert_allclose(opt.velocities[0].numpy(), v, rtol=1e-4)  # 1 - b2 rounded in float32
    assert int(opt.iterations.numpy()) == 1


def _regression(optimizer, steps=20):
    """``steps`` updates of a small dense network by ``optimizer``, from fixed weights and data."""
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(steps * 8, 6)).astype("float32")
    y = np.sin(x[:, :1]) + x[:, 1:2]
    model.compile(optimizer, "mse")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return model.get_weights(), int(optimizer.iterations.numpy())


_SCHEDULE = lambda: keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=1, decay_rate=0.9)  # noqa: E731


@pytest.mark.parametrize(
    "options",
    [{}, {"learning_rate": _SCHEDULE}, {"weight_decay": 1e-2}, {"clipnorm": 0.1}, {"global_clipnorm": 0.1},
     {"use_ema": True}, {"gradient_accumulation_steps": 2}],
    ids=["plain", "lr_schedule", "weight_decay", "clipnorm", "global_clipnorm", "ema", "accumulation"],
)
def test_fused_adam_matches_keras_adam_with_kerass_options(options):
    # FusedAdam replaces only Adam's update_step: everything else Optimizer.apply does is Keras'.
    def make(cls):
        kw = {k: (v() if callable(v) else v) for k, v in options.items()}
        kw.setdefault("learning_rate", 1e-2)
        return cls(beta_1=0.5, **kw)

    fused, fused_steps = _regression(make(FusedAdam))
    plain, plain_steps = _regression(make(keras.optimizers.Adam))
    assert fused_steps == plain_steps == (10 if options.get("gradient_accumulation_steps") else 20)
    for a, b in zip(fused, plain):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    keras.utils.set_random_seed(3)
    start = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
    assert all(not np.allclose(a, b) for a, b in zip(fused, start.get_weights()))  # training moved them


@pytest.mark.parametrize(
    "learning_rate,d_steps", [(2e-4, 1), (2e-4, 2), (_SCHEDULE, 1)], ids=["adam", "d_steps2", "lr_schedule"]
)
def test_fused_adam_trains_the_gan_as_keras_adam(learning_rate, d_steps):
    n_steps = 5
    gans = [build_mlp_gan(optimizer=opt, learning_rate=learning_rate, d_steps=d_steps)
            for opt in (FusedAdam, keras.optimizers.Adam)]
    runs = [fit_and_snapshot(gan, image_dataset(n_steps)) for gan in gans]
    # The step counters advance as Keras' do (the noise streams depend on them).
    for gan in gans:
        assert int(gan.d_optimizer.iterations.numpy()) == n_steps * d_steps
        assert int(gan.g_optimizer.iterations.numpy()) == n_steps
    # Training moved every weight tensor, and both runs agree to well within 1e-4 relative.
    n_weights = len(gans[0].generator.weights) + len(gans[0].discriminator.weights)
    assert len(model_weights_changed(runs[0])) == n_weights
    assert assert_same_training(*runs, optimizer_state=False) == n_weights


def test_fused_adam_one_simultaneous_step_matches_keras_adam():
    # One step from the same state: the update itself agrees (later steps of the simultaneous
    # game amplify ~1e-5 differences by orders of magnitude, so a long run is no test of it).
    runs = [fit_and_snapshot(build_mlp_gan(optimizer=opt, update="simultaneous"), image_dataset(1))
            for opt in (FusedAdam, keras.optimizers.Adam)]
    assert len(model_weights_changed(runs[0])) == 8
    assert assert_same_training(*runs, update_rtol=1e-4, optimizer_state=False) == 8


def test_fused_adam_under_loss_scaling_trains_like_keras_adam():
    # make_gan wraps both optimizers in a LossScaleOptimizer under mixed_float16.
    gans = [make_gan("toy", seed=0, mixed_precision="mixed_float16", fused_adam=fused) for fused in (True, False)]
    assert [type(g.d_optimizer.inner_optimizer) for g in gans] == [FusedAdam, keras.optimizers.Adam]
    x = np.random.default_rng(0).normal(size=(4 * BATCH, 2)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(x).batch(BATCH)
    runs = [fit_and_snapshot(gan, ds) for gan in gans]
    for gan in gans:
        assert int(gan.d_optimizer.inner_optimizer.iterations.numpy()) == 4
    assert assert_same_training(*runs, rtol=1e-3, atol=1e-4, update_rtol=1e-2, optimizer_state=False) > 0


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: FusedAdam(amsgrad=True), ValueError, "amsgrad"),
        (lambda: make_gan("toy", fused_adam="yes"), TypeError, "fused_adam"),
    ],
)
def test_fused_adam_refusals(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_fused_adam_refuses_a_variable_it_was_not_built_for():
    opt = FusedAdam()
    opt.build([keras.Variable(np.zeros(3, np.float32))])
    with pytest.raises(ValueError, match="variable"):
        opt.update_step(tf.ones(3), keras.Variable(np.zeros(3, np.float32)), 0.1)


def _count(model):
    return sum(int(np.prod(v.shape)) for v in model.trainable_weights)


def test_make_gan_auto_picks_fused_adam_per_player_by_size(monkeypatch):
    # Image GANs: both players are above the threshold (MLP: 227,344 and 201,217 weights).
    gan = make_gan("mlp")
    assert (_count(gan.generator), _count(gan.discriminator)) == (227_344, 201_217)
    assert type(gan.g_optimizer) is FusedAdam and type(gan.d_optimizer) is FusedAdam
    # The 2-D toy GANs are below it.
    toy = make_gan("toy")
    assert max(_count(toy.generator), _count(toy.discriminator)) < FUSED_MIN_WEIGHTS
    assert type(toy.g_optimizer) is keras.optimizers.Adam and type(toy.d_optimizer) is keras.optimizers.Adam
    # The threshold is per player and inclusive: move it to the larger player's exact size.
    n_g, n_d = _count(toy.generator), _count(toy.discriminator)
    assert (n_g, n_d) == (34_434, 33_537)
    monkeypatch.setattr("ganlib.optimizers.FUSED_MIN_WEIGHTS", n_g)
    at = make_gan("toy")
    assert type(at.g_optimizer) is FusedAdam and type(at.d_optimizer) is keras.optimizers.Adam
    monkeypatch.setattr("ganlib.optimizers.FUSED_MIN_WEIGHTS", n_g + 1)
    assert type(make_gan("toy").g_optimizer) is keras.optimizers.Adam
    # The optimizer settings are make_gan's in either case.
    for opt in (at.d_optimizer, at.g_optimizer):
        assert float(opt.learning_rate) == pytest.approx(2e-4) and float(opt.beta_1) == pytest.approx(0.5)


def test_make_gan_fused_adam_off_under_xla_and_when_asked():
    assert type(make_gan("mlp", jit_compile=True).d_optimizer) is keras.optimizers.Adam
    assert type(make_gan("mlp", fused_adam=False).d_optimizer) is keras.optimizers.Adam
    forced = make_gan("toy", fused_adam=True)
    assert type(forced.d_optimizer) is FusedAdam and type(forced.g_optimizer) is FusedAdam
    # GAN itself never picks it: compile's default is Keras' Adam.
    keras.utils.set_random_seed(0)
    plain = GAN(models.mlp_generator(), models.mlp_discriminator())
    plain.compile()
    assert type(plain.d_optimizer) is keras.optimizers.Adam


def test_fused_adam_refuses_several_replicas():
    import json
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import json, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from ganlib.optimizers import FusedAdam
        from ganlib.training import make_gan
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        auto = make_gan("mlp", strategy=strategy)
        with strategy.scope():
            v = keras.Variable(tf.zeros(3))
            try:
                FusedAdam().build([v])
                refused = ""
            except ValueError as e:
                refused = str(e)
        print(json.dumps({"auto": type(auto.d_optimizer).__name__, "refused": refused}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["auto"] == "Adam"
    assert "2 replicas" in result["refused"]


# ---------------------------------------------------------------------- joint critic pass
def critic_calls(joint, batch, *, d_steps=1, gradient_penalty=False):
    """The batch sizes the discriminator sees, call by call, in one traced alternating step:
    per discriminator step one call of ``2 * batch`` (joint) or two of ``batch``, then one of
    ``batch`` for the gradient penalty's interpolates; then one of ``batch`` in the generator
    step."""
    d_step = ([2 * batch] if joint else [batch, batch]) + ([batch] if gradient_penalty else [])
    return d_step * d_steps + [batch]


@pytest.mark.parametrize(
    "conditional,gan_kwargs",
    [(False, {}), (False, {"d_steps": 2, "loss": "wasserstein", "gradient_penalty_weight": 10.0}), (True, {})],
    ids=["mlp", "mlp_wgan_gp_d_steps2", "conditional_mlp"],
)
def test_joint_critic_pass_matches_two_passes(conditional, gan_kwargs):
    n_steps = 5
    runs, histories = [], []
    for joint in (True, False):
        log, history = [], {}
        gan = build_mlp_gan(log, joint=joint, conditional=conditional, update="alternating", **gan_kwargs)
        runs.append(fit_and_snapshot(gan, image_dataset(n_steps, conditional=conditional), history))
        # The step was traced once, and took the pass it was asked for.
        assert log == critic_calls(joint, BATCH, d_steps=gan_kwargs.get("d_steps", 1),
                                   gradient_penalty="gradient_penalty_weight" in gan_kwargs)
        histories.append(history)
    weights = [name for name, _ in runs[0][0] if not name.startswith("opt:")]
    # A Wasserstein critic's output bias cancels in E[D(fake)] - E[D(real)]: it has no gradient.
    frozen = ["d:logit/bias"] if gan_kwargs.get("loss") == "wasserstein" else []
    assert model_weights_changed(runs[0]) == [name for name in weights if name not in frozen]
    # The same critic outputs (logged as d_real / d_fake) and losses, step for step ...
    assert set(histories[0]) == set(histories[1]) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    for key in histories[0]:
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-4, atol=1e-5, err_msg=key)
    # ... and the same weights (~1e-6 in norm; up to ~3e-4 for the WGAN critic's biases, where
    # rounding residues of gradients that are zero in exact arithmetic meet Adam's normalisation).
    assert assert_same_training(*runs) > 0


def _tiny_generator(data_dim=4):
    z = keras.Input((3,))
    return keras.Model(z, keras.layers.Dense(data_dim)(z))


def _discriminator_with_bn(nested, record, data_dim=4):
    x = keras.Input((data_dim,))
    h = BatchProbe(record)(x)
    if nested:
        inner = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization()], name="inner")
        h = inner(h)
    else:
        h = keras.layers.BatchNormalization()(keras.layers.Dense(8)(h))
    return keras.Model(x, keras.layers.Dense(1)(h))


def _fit_tiny(gan, batch=8, n_batches=2, data_dim=4):
    gan.compile()
    x = np.random.default_rng(0).normal(size=(n_batches * batch, data_dim)).astype("float32")
    before = snapshot(gan)
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True), verbose=0, shuffle=False)
    return before, snapshot(gan)


@pytest.mark.parametrize("joint", [True, False], ids=["joint_on", "joint_off"])
def test_joint_critic_pass_follows_the_attribute(joint):
    keras.utils.set_random_seed(0)
    log = []
    gan = GAN(_tiny_generator(), probed(models.toy_discriminator(data_dim=4, hidden_units=8, depth=1), log))
    assert GAN.joint_critic_pass is True  # the default
    gan.joint_critic_pass = joint
    _fit_tiny(gan)
    assert log == critic_calls(joint, 8)


@pytest.mark.parametrize("nested", [False, True], ids=["top_level_bn", "nested_bn"])
def test_joint_critic_pass_off_with_batch_norm(nested):
    # A BatchNormalization anywhere in D (here also inside a nested model) keeps the two calls of
    # B even with joint_critic_pass left True: a stacked batch would be normalised as one.
    runs = []
    for joint in (True, False):
        keras.utils.set_random_seed(0)
        log = []
        gan = GAN(_tiny_generator(), _discriminator_with_bn(nested, log.append))
        log.clear()  # the functional construction's symbolic call
        gan.joint_critic_pass = joint
        runs.append(_fit_tiny(gan))
        assert log == critic_calls(False, 8)
    # So the default trains exactly as with the joint pass switched off.
    for (name, a), (_, b) in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert model_weights_changed(runs[0])


def test_dcgan_discriminator_has_no_batch_norm_and_takes_the_joint_pass():
    keras.utils.set_random_seed(0)
    log = []
    gan = GAN(models.mlp_generator(latent_dim=8, hidden_units=8), probed(models.dcgan_discriminator(), log))
    gan.compile()
    x = np.random.default_rng(0).uniform(0, 1, (8, 28, 28, 1)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True), verbose=0, shuffle=False)
    assert log == critic_calls(True, 4)
