"""Training GANs: :class:`GAN`, a ``keras.Model`` whose ``train_step`` plays the two-player game.

Because the game lives in ``train_step``, ``GAN.fit`` brings everything Keras offers: progress
bars, callbacks, ``steps_per_execution`` (several steps per graph call, which removes Python
overhead for small models), ``jit_compile`` (XLA), mixed precision and ``tf.distribute``
strategies. :func:`train` wraps ``fit`` with a reproducible, resumable data pipeline and
checkpointing.

The algorithm (Goodfellow et al. 2014, Algorithm 1) with ``k = d_steps``::

    for each training step:
        for k steps:                                     # discriminator
            sample z_1..z_m ~ p_z = N(0, I)
            take the minibatch x_1..x_m from the data
            descend  L_D = -(1/m) Σ [log D(x_i) + log(1 - D(G(z_i)))]  (+ penalties)
        sample fresh z_1..z_m ~ p_z                      # generator
        descend  L_G = -(1/m) Σ log D(G(z_i))            (non-saturating; or another loss)

Randomness is *stateless*: the noise of every step is a pure function of ``(seed, optimizer
step)``, so a run resumed from a checkpoint draws exactly the noise the uninterrupted run would
have drawn, and under ``MirroredStrategy`` each replica takes its own slice of one global noise
batch (the result equals a single-device run up to floating-point summation order).

``GAN`` uses public Keras and TensorFlow APIs only: it overrides ``train_step``, ``metrics`` and
``compile`` (for its two optimizers) and leaves ``fit`` as Keras has it.

Speed on CPUs (measured in ``benchmarks/``; each choice is made when the step is traced): the
noise is sliced per replica only when there are several replicas, and the alternating update's
discriminator step sees real and generated images in one stacked call
(:attr:`GAN.joint_critic_pass`). Two further choices live outside ``GAN``: :func:`make_gan`
gives a player :class:`ganlib.optimizers.FusedAdam` where it measured faster (no XLA, one
replica, at least ``FUSED_MIN_WEIGHTS`` weights: ``fused_adam="auto"``), and
:func:`ganlib.data.make_dataset`, the pipeline :func:`train` builds, switches tf.data
autotuning off.
"""

from __future__ import annotations

import math
import os
import pathlib
import re

import numpy as np
import keras
import tensorflow as tf

from . import losses as _losses
from .validation import (
    as_array,
    check_bool,
    check_choice,
    check_float,
    check_gan,
    check_labels,
    check_model,
    check_positive_int,
    check_seed,
)

__all__ = [
    "GAN",
    "train",
    "make_gan",
    "ARCHITECTURES",
    "accelerator_settings",
    "default_strategy",
    "optimizer_steps",
    "ReplicaMean",
]

UPDATE_RULES = ("alternating", "simultaneous")

# Offsets that give the discriminator noise, generator noise and penalty noise
# independent random streams from one user seed.
_STREAM_D, _STREAM_G, _STREAM_GP = 0, 1, 2


def optimizer_steps(optimizer) -> "keras.Variable":
    """The variable counting ``optimizer``'s applied updates (its ``iterations``).

    For a ``keras.optimizers.LossScaleOptimizer`` this is the wrapped optimizer's counter. Keras
    3.9 made ``LossScaleOptimizer.iterations`` return it; in Keras 3.3 to 3.8 the wrapper has a
    counter of its own that its ``apply`` never advances (it stays 0), so reading it there would
    give every training step the noise of step 0.
    """
    return getattr(optimizer, "inner_optimizer", optimizer).iterations


class ReplicaMean(keras.metrics.Mean):
    """``keras.metrics.Mean`` whose state is averaged over replicas, not summed.

    Keras before 3.10 makes a metric's variables mirrored (synchronised on write) with ``"sum"``
    aggregation, and a Keras variable's ``assign_add(x)`` is ``assign(self + x)``: under
    ``MirroredStrategy`` every update then sums the replicas' copies of the whole state, so total
    and count double at each step (count 2, 6, 14, 30 with two replicas) and the logged mean
    weights the latest steps exponentially. Keras 3.10 keeps metric variables per replica
    (synchronised on read, keras-team/keras#21072). With ``"mean"`` aggregation both give the mean
    over steps of the replicas' means, which (equal per-replica batches) is the mean over the
    global batch, as on one device. Without a strategy the aggregation is not used.
    """

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        return super().add_variable(shape, initializer, dtype=dtype, aggregation="mean", name=name)


def _is_mixed_float16(model: keras.Model) -> bool:
    policy = getattr(model, "dtype_policy", None)
    name = getattr(policy, "name", str(policy))
    return name == "mixed_float16"


def _all_layers(model):
    """Every layer inside ``model``, recursively through nested models (their public ``layers``)."""
    for layer in getattr(model, "layers", ()):
        yield layer
        yield from _all_layers(layer)


def _gan_loss(loss) -> "_losses.GANLoss":
    """``loss`` as a :class:`ganlib.losses.GANLoss` (a name of ``LOSS_NAMES`` or a ``GANLoss``)."""
    if isinstance(loss, _losses.GANLoss):
        return loss
    if isinstance(loss, str):
        return _losses.get_losses(check_choice(loss, "loss", _losses.LOSS_NAMES))
    raise TypeError(
        f"loss: expected a name in {list(_losses.LOSS_NAMES)} or a ganlib.losses.GANLoss, got "
        f"{type(loss).__name__} (wrap a pair of functions as losses.GANLoss(d_fn, g_fn, takes_logits=...))"
    )


def _check_learning_rate(optimizer, name: str) -> None:
    """A constant learning rate must be finite and > 0 (a schedule is the caller's business)."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    try:
        rate = inner.get_config().get("learning_rate")
    except Exception:  # pragma: no cover - an optimizer without a config
        return
    if isinstance(rate, (int, float, np.integer, np.floating)) and not isinstance(rate, bool):
        check_float(rate, f"{name}.learning_rate", minimum=0.0, inclusive=False)


class GAN(keras.Model):
    """A generative adversarial network trained by ``fit``.

    Args:
      generator: ``keras.Model`` mapping noise ``z`` of shape ``(B, latent_dim)`` (and, for a
        class-conditional GAN, integer labels ``(B,)``) to samples, e.g. images
        ``(B, 28, 28, 1)`` in ``[0, 1]``.
      discriminator: ``keras.Model`` mapping samples (and labels, if conditional) to **logits**
        of shape ``(B, 1)``.
      loss: a name from :data:`ganlib.losses.LOSS_NAMES` (``"nonsaturating"`` (default),
        ``"minimax"``, ``"least_squares"``, ``"wasserstein"``, ``"hinge"``) or a
        :class:`ganlib.losses.GANLoss` (a discriminator loss, a generator loss, and whether they
        read the discriminator's output as a logit), e.g. one of your own. Kept as
        :attr:`gan_loss`; :attr:`loss_name` is its name.
      d_steps: discriminator updates per generator update (``k`` in Goodfellow et al. 2014).
        The ``k`` updates reuse the step's real minibatch with fresh noise each time.
      update: ``"alternating"`` (Algorithm 1: update D, then update G against the *new* D with
        fresh noise) or ``"simultaneous"`` (the TensorFlow DCGAN tutorial's cheaper variant: one
        generator forward pass, both players' gradients from it, both updated at once;
        requires ``d_steps == 1`` and no penalties).
      gradient_penalty_weight: λ of the WGAN-GP penalty λ·E[(‖∇D(x̂)‖₂ − 1)²] (0 disables).
      r1_weight: γ of the R1 penalty γ/2·E‖∇D(x)‖² on real data (0 disables).
      weight_decay: λ of the source article's L_reg = λ‖θ‖², applied to both players (0 disables).
      num_classes: number of classes for a class-conditional GAN (generator and discriminator
        then take ``[inputs, labels]``); ``None`` for an unconditional GAN.
      seed: seed of the stateless noise streams.

    Call ``compile(g_optimizer=..., d_optimizer=...)`` (one optimizer per player: a Keras 3
    optimizer is bound to the variables it was built with), then ``fit`` on a dataset of
    images (or ``(images, labels)`` batches for a conditional GAN).

    Logged metrics: ``d_loss``, ``g_loss`` (the players' objectives, penalties included in
    ``d_loss``), ``d_real`` and ``d_fake`` (mean discriminator output on real / generated data:
    probabilities ``sigmoid(l)`` when the loss ``takes_logits``, raw scores otherwise) and, when
    enabled, ``penalty``.
    """

    #: In the alternating update's discriminator step, evaluate D on real and generated samples
    #: in one stacked call of ``2B`` samples when D has no batch normalisation: the same logits
    #: as two calls of ``B``, with half the kernel launches and one weight-gradient product
    #: instead of two. A discriminator with a ``keras.layers.BatchNormalization`` anywhere in its
    #: (nested) ``layers`` would normalise the mixed batch instead of each half, so it keeps the
    #: two calls; set ``False`` for the two calls in any case (e.g. for a custom layer that hides
    #: batch statistics inside it). Read when the step is traced.
    joint_critic_pass: bool = True

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        loss: str = "nonsaturating",
        d_steps: int = 1,
        update: str = "alternating",
        gradient_penalty_weight: float = 0.0,
        r1_weight: float = 0.0,
        weight_decay: float = 0.0,
        num_classes: int | None = None,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = check_model(generator, "generator")
        self.discriminator = check_model(discriminator, "discriminator")
        self.gan_loss = _gan_loss(loss)
        self.d_steps = check_positive_int(d_steps, "d_steps")
        self.update = check_choice(update, "update", UPDATE_RULES)
        self.gradient_penalty_weight = check_float(gradient_penalty_weight, "gradient_penalty_weight", minimum=0.0)
        self.r1_weight = check_float(r1_weight, "r1_weight", minimum=0.0)
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
        has_penalty = self.gradient_penalty_weight or self.r1_weight or self.weight_decay
        if self.update == "simultaneous" and (self.d_steps != 1 or has_penalty):
            raise ValueError(
                "update: 'simultaneous' needs d_steps=1 and no penalties "
                f"(got d_steps={self.d_steps}, penalties={'on' if has_penalty else 'off'}); use 'alternating'"
            )
        self.seed = check_seed(seed)

        n_gen_inputs = len(generator.inputs) if generator.inputs is not None else 1
        self.conditional = num_classes is not None
        if self.conditional:
            self.num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
            if n_gen_inputs != 2:
                raise ValueError(
                    f"num_classes: a conditional GAN needs a generator with inputs [z, labels], "
                    f"got a generator with {n_gen_inputs} input(s)"
                )
        else:
            self.num_classes = None
            if n_gen_inputs != 1:
                raise ValueError(
                    f"num_classes: the generator takes {n_gen_inputs} inputs (class-conditional?); "
                    "pass num_classes=<number of classes>"
                )
        _check_player_shapes(generator, discriminator)
        z_shape = generator.inputs[0].shape
        if len(z_shape) != 2 or z_shape[-1] is None:
            raise ValueError(f"generator: expected a noise input of shape (B, latent_dim), got {tuple(z_shape)}")
        self.latent_dim = int(z_shape[-1])

        self.d_loss_tracker = ReplicaMean(name="d_loss")
        self.g_loss_tracker = ReplicaMean(name="g_loss")
        self.d_real_tracker = ReplicaMean(name="d_real")
        self.d_fake_tracker = ReplicaMean(name="d_fake")
        self.penalty_tracker = ReplicaMean(name="penalty") if has_penalty else None
        # Both players are built functional models, so the GAN needs no symbolic build from a
        # data batch (which would wrongly feed images to ``call``).
        self.built = True

    @property
    def loss_name(self) -> str:
        """The name of :attr:`gan_loss` (``"nonsaturating"``, ..., or a custom loss's name)."""
        return self.gan_loss.name

    # ------------------------------------------------------------------ set-up
    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Set one optimizer per player; other keyword arguments go to ``keras.Model.compile``.

        Defaults: ``keras.optimizers.Adam`` (learning rate 2e-4, β₁ = 0.5) for both players
        (Radford et al. 2015); :func:`make_gan` may pick :class:`ganlib.optimizers.FusedAdam`
        instead. Under a ``mixed_float16`` policy both optimizers are wrapped in
        ``keras.optimizers.LossScaleOptimizer`` (float16 gradients underflow without it).
        """
        if g_optimizer is None:
            g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        if d_optimizer is None:
            d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        for name, opt in (("g_optimizer", g_optimizer), ("d_optimizer", d_optimizer)):
            if not isinstance(opt, keras.optimizers.Optimizer):
                raise TypeError(f"{name}: expected a keras.optimizers.Optimizer, got {type(opt).__name__}")
        for name, opt in (("g_optimizer", g_optimizer), ("d_optimizer", d_optimizer)):
            _check_learning_rate(opt, name)
        if g_optimizer is d_optimizer:
            raise ValueError(
                "g_optimizer, d_optimizer: expected two different optimizer objects (a Keras 3 "
                "optimizer is bound to the variables it was first built with), got the same object"
            )
        if _is_mixed_float16(self.generator) or _is_mixed_float16(self.discriminator):
            if not isinstance(g_optimizer, keras.optimizers.LossScaleOptimizer):
                g_optimizer = keras.optimizers.LossScaleOptimizer(g_optimizer)
            if not isinstance(d_optimizer, keras.optimizers.LossScaleOptimizer):
                d_optimizer = keras.optimizers.LossScaleOptimizer(d_optimizer)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer
        super().compile(**kwargs)
        # Build optimizer slots now so checkpoints can be restored before the first step.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]
        if self.penalty_tracker is not None:
            trackers.append(self.penalty_tracker)
        return trackers

    def call(self, inputs, training=False):
        """Run the generator: ``inputs`` is ``z`` or ``[z, labels]``."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------------ noise
    def _step_seed(self, stream: int, counter) -> tf.Tensor:
        return tf.stack([tf.cast(self.seed * 4 + stream, tf.int64), tf.cast(counter, tf.int64)])

    def _replica_slice(self, global_values: tf.Tensor, local_batch, n_replicas: int) -> tf.Tensor:
        """This replica's rows of a batch drawn for all replicas at once."""
        if n_replicas == 1:  # decided at trace time: one replica draws exactly its own batch
            return global_values
        ctx = tf.distribute.get_replica_context()
        replica_id = 0 if ctx is None else ctx.replica_id_in_sync_group
        start = tf.cast(replica_id, tf.int32) * local_batch
        return global_values[start : start + local_batch]

    def _noise(self, stream: int, counter, local_batch) -> tf.Tensor:
        n_replicas = tf.distribute.get_strategy().num_replicas_in_sync
        z = tf.random.stateless_normal(
            [local_batch * n_replicas, self.latent_dim], seed=self._step_seed(stream, counter)
        )
        return self._replica_slice(z, local_batch, n_replicas)

    def _uniform(self, stream: int, counter, local_batch, ndim: int) -> tf.Tensor:
        n_replicas = tf.distribute.get_strategy().num_replicas_in_sync
        eps = tf.random.stateless_uniform(
            [local_batch * n_replicas] + [1] * (ndim - 1), seed=self._step_seed(stream, counter)
        )
        return self._replica_slice(eps, local_batch, n_replicas)

    # ------------------------------------------------------------------ one step
    def _gen_inputs(self, z, labels):
        return [z, labels] if self.conditional else z

    def _critic(self, labels):
        if self.conditional:
            return lambda x: self.discriminator([x, labels], training=True)
        return lambda x: self.discriminator(x, training=True)

    def _probe(self, outputs):
        """What ``d_real``/``d_fake`` report: mean probabilities if the loss takes logits, else
        mean raw scores."""
        outputs = tf.cast(outputs, tf.float32)
        if self.gan_loss.takes_logits:
            outputs = tf.sigmoid(outputs)
        return tf.reduce_mean(outputs)

    @staticmethod
    def _scaled(optimizer, loss):
        """The loss to differentiate; must be computed *inside* the tape.

        Gradients are summed over replicas, so each replica contributes ``loss / n_replicas``
        (decided when the step is traced; one replica leaves the loss alone). A loss-scale
        optimizer multiplies by its scale here (``optimizer.scale_loss``) and divides it out in
        ``apply``.
        """
        n_replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if n_replicas > 1:
            loss = loss * tf.cast(1.0 / n_replicas, loss.dtype)
        return optimizer.scale_loss(loss)

    def _joint_critic_pass(self) -> bool:
        """Whether this step evaluates D on real and generated samples in one call (see
        :attr:`joint_critic_pass`)."""
        if not self.joint_critic_pass:
            return False
        return not any(isinstance(layer, keras.layers.BatchNormalization) for layer in _all_layers(self.discriminator))

    def _discriminator_objective(self, real, labels, fake, counter, joint=False):
        critic = self._critic(labels)
        if joint:
            n_real = tf.shape(real)[0]
            both = tf.concat([real, tf.cast(fake, real.dtype)], axis=0)
            if self.conditional:
                logits = self.discriminator([both, tf.concat([labels, labels], axis=0)], training=True)
            else:
                logits = self.discriminator(both, training=True)
            real_logits, fake_logits = logits[:n_real], logits[n_real:]
        else:
            real_logits = critic(real)
            fake_logits = critic(fake)
        d_loss = self.gan_loss.discriminator(real_logits, fake_logits)
        penalty = tf.constant(0.0)
        if self.gradient_penalty_weight:
            eps = self._uniform(_STREAM_GP, counter, tf.shape(real)[0], len(real.shape))
            penalty += self.gradient_penalty_weight * _losses.gradient_penalty(
                critic, real, tf.cast(fake, real.dtype), epsilon=eps
            )
        if self.r1_weight:
            penalty += self.r1_weight * _losses.r1_penalty(critic, real)
        if self.weight_decay:
            penalty += _losses.l2_weight_penalty(self.discriminator.trainable_weights, self.weight_decay)
        return d_loss + penalty, d_loss, penalty, real_logits, fake_logits

    def train_step(self, data):
        if isinstance(data, (tuple, list)):
            if self.conditional:
                real, labels = data[0], data[1]
            else:
                real, labels = data[0], None
        else:
            if self.conditional:
                raise ValueError("data: a conditional GAN needs (images, labels) batches, got images only")
            real, labels = data, None
        batch = tf.shape(real)[0]
        if labels is not None:
            labels = tf.cast(labels, tf.int32)

        d_vars = self.discriminator.trainable_weights
        g_vars = self.generator.trainable_weights
        if self.update == "simultaneous":
            z = self._noise(_STREAM_D, optimizer_steps(self.d_optimizer), batch)
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = self.generator(self._gen_inputs(z, labels), training=True)
                total, d_loss, penalty, real_logits, fake_logits = self._discriminator_objective(
                    real, labels, fake, optimizer_steps(self.d_optimizer)
                )
                g_loss = self.gan_loss.generator(fake_logits)
                d_scaled = self._scaled(self.d_optimizer, total)
                g_scaled = self._scaled(self.g_optimizer, g_loss)
            d_grads = d_tape.gradient(d_scaled, d_vars)
            g_grads = g_tape.gradient(g_scaled, g_vars)
            self.d_optimizer.apply(d_grads, d_vars)
            self.g_optimizer.apply(g_grads, g_vars)
        else:
            for _ in range(self.d_steps):
                counter = optimizer_steps(self.d_optimizer)
                z = self._noise(_STREAM_D, counter, batch)
                # The generator's forward pass is outside the tape: D's update needs no gradient
                # through G. BatchNorm layers still see training-mode statistics.
                fake = self.generator(self._gen_inputs(z, labels), training=True)
                with tf.GradientTape() as d_tape:
                    total, d_loss, penalty, real_logits, fake_logits = self._discriminator_objective(
                        real, labels, fake, counter, joint=self._joint_critic_pass()
                    )
                    d_scaled = self._scaled(self.d_optimizer, total)
                self.d_optimizer.apply(d_tape.gradient(d_scaled, d_vars), d_vars)

            z = self._noise(_STREAM_G, optimizer_steps(self.g_optimizer), batch)
            with tf.GradientTape() as g_tape:
                fake = self.generator(self._gen_inputs(z, labels), training=True)
                if self.conditional:
                    gen_logits = self.discriminator([fake, labels], training=True)
                else:
                    gen_logits = self.discriminator(fake, training=True)
                g_loss = self.gan_loss.generator(gen_logits)
                if self.weight_decay:
                    g_loss += _losses.l2_weight_penalty(self.generator.trainable_weights, self.weight_decay)
                g_scaled = self._scaled(self.g_optimizer, g_loss)
            self.g_optimizer.apply(g_tape.gradient(g_scaled, g_vars), g_vars)

        self.d_loss_tracker.update_state(total)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(self._probe(real_logits))
        self.d_fake_tracker.update_state(self._probe(fake_logits))
        if self.penalty_tracker is not None:
            self.penalty_tracker.update_state(penalty)
        return {m.name: m.result() for m in self.metrics}

    # ------------------------------------------------------------------ sampling
    def sample_noise(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` draws from the noise prior p_z = N(0, I): array ``(n, latent_dim)``, float32."""
        n = check_positive_int(n, "n")
        seed = check_seed(seed)
        return tf.random.stateless_normal([n, self.latent_dim], seed=[seed, 7919]).numpy()

    def generate(self, n: int, *, labels=None, seed: int = 0, batch_size: int = 500, z=None) -> np.ndarray:
        """Generate ``n`` samples with the generator in inference mode.

        Args:
          n: number of samples.
          labels: for a conditional GAN, ``(n,)`` integer labels; default: ``n`` labels cycling
            through the classes (0, 1, …, C−1, 0, 1, …) so every class is equally represented.
          seed: seed of the noise (the same seed gives the same samples).
          batch_size: generator batch size (bounds memory).
          z: optional explicit noise ``(n, latent_dim)`` (overrides ``seed``), e.g. for latent walks.

        Returns:
          NumPy array ``(n, ...)`` of float32 samples (images in ``[0, 1]`` for ganlib's models).
        """
        n = check_positive_int(n, "n")
        batch_size = check_positive_int(batch_size, "batch_size")
        if z is None:
            z = self.sample_noise(n, seed)
        else:
            z = as_array(z, "z", shape=(n, self.latent_dim)).astype(np.float32)
        if self.conditional:
            if labels is None:
                labels = np.arange(n) % self.num_classes
            labels = check_labels(labels, "labels", n=n, num_classes=self.num_classes, n_name="n")
        elif labels is not None:
            raise ValueError("labels: this GAN is unconditional; labels must be None")
        out = []
        for start in range(0, n, batch_size):
            zb = tf.constant(z[start : start + batch_size])
            if self.conditional:
                lb = tf.constant(labels[start : start + batch_size].astype(np.int32))
                out.append(self._generate_batch([zb, lb]))
            else:
                out.append(self._generate_batch(zb))
        return np.concatenate([np.asarray(o, dtype=np.float32) for o in out], axis=0)

    def _generate_batch(self, inputs):
        # Eager calls: sampling is not the bottleneck, and a tf.function per GAN instance
        # would retrace for every new model and every last partial batch.
        return tf.cast(self.generator(inputs, training=False), tf.float32)

    def discriminate(self, x, *, labels=None, batch_size: int = 500) -> np.ndarray:
        """The discriminator's probability D(x) = sigmoid(logit) for each sample: ``(n,)``.

        Only for a loss that reads the discriminator's output as a logit
        (``gan.gan_loss.takes_logits``: the minimax and non-saturating losses); for raw scores
        (least squares, Wasserstein, hinge), whose sigmoid is no probability, call
        ``gan.discriminator`` itself.
        """
        if not self.gan_loss.takes_logits:
            raise ValueError(
                f"gan: discriminate() returns probabilities sigmoid(logit), but this GAN's loss "
                f"{self.loss_name!r} reads the discriminator's output as a raw score; call "
                "gan.discriminator(x) for the scores"
            )
        x = as_array(x, "x", min_samples=1)
        batch_size = check_positive_int(batch_size, "batch_size")
        if self.conditional:
            labels = check_labels(labels, "labels", n=len(x), num_classes=self.num_classes, n_name="x")
        out = []
        for start in range(0, len(x), batch_size):
            xb = tf.constant(x[start : start + batch_size].astype(np.float32))
            if self.conditional:
                lb = tf.constant(labels[start : start + batch_size].astype(np.int32))
                logits = self.discriminator([xb, lb], training=False)
            else:
                logits = self.discriminator(xb, training=False)
            out.append(tf.sigmoid(tf.cast(logits, tf.float32)).numpy().reshape(-1))
        return np.concatenate(out)

    # ------------------------------------------------------------------ state
    def state_variables(self) -> list:
        """Every variable a resumed run needs: both models (weights, BatchNorm statistics) and
        both optimizers (step counters, moments, loss scale)."""
        return (
            list(self.generator.variables)
            + list(self.discriminator.variables)
            + list(self.g_optimizer.variables)
            + list(self.d_optimizer.variables)
        )

    def state_items(self) -> list:
        """``(key, variable)`` for every :meth:`state_variables` entry, keyed by role and Keras path.

        Keys are ``generator/<path>``, ``discriminator/<path>``, ``g_optimizer/<path>`` and
        ``d_optimizer/<path>``, where an optimizer's path drops its own (process-dependent) name,
        e.g. ``g_optimizer/hidden1_kernel_momentum``. A checkpoint restores each variable by its
        key, so two same-shaped variables can never be swapped. Layers named explicitly (as in
        ganlib's models) give the same keys in every process; Keras' automatic names
        (``dense_3``) depend on what was built before. The one automatic name ganlib's models
        cannot avoid, the random-state variable of each ``Dropout`` layer
        (``seed_generator_<n>/seed_generator_state``, numbered per process), is keyed without its
        number, in the model's variable order (``seed_generator/...``, ``seed_generator/...#1``):
        otherwise a model cached by one notebook would not load in a process that had built
        another dropout layer first.
        """
        items = []
        groups = (
            ("generator", self.generator.variables, False),
            ("discriminator", self.discriminator.variables, False),
            ("g_optimizer", self.g_optimizer.variables, True),
            ("d_optimizer", self.d_optimizer.variables, True),
        )
        for role, variables, strip_owner in groups:
            seen: dict[str, int] = {}
            for var in variables:
                path = str(getattr(var, "path", None) or var.name)
                if strip_owner and "/" in path:
                    path = path.split("/", 1)[1]
                path = _SEED_GENERATOR_NUMBER.sub(r"\1", path)
                key = f"{role}/{path}"
                count = seen.get(key, 0)
                seen[key] = count + 1
                items.append((key if count == 0 else f"{key}#{count}", var))
        return items

    def fingerprint(self) -> dict:
        """What this GAN's training depends on, as JSON-able values (see :func:`train`):
        both architectures (layer types, settings and weight shapes, not layer names), the loss
        (name and ``takes_logits``), the update rule and penalties, the noise seed and both
        optimizers' configurations."""
        return {
            "generator": _architecture_digest(self.generator),
            "discriminator": _architecture_digest(self.discriminator),
            "loss": {"name": self.loss_name, "takes_logits": bool(self.gan_loss.takes_logits)},
            "gan_options": {"d_steps": self.d_steps, "update": self.update,
                            "gradient_penalty_weight": self.gradient_penalty_weight,
                            "r1_weight": self.r1_weight, "weight_decay": self.weight_decay,
                            "num_classes": self.num_classes},
            "gan_seed": self.seed,
            "g_optimizer": _optimizer_config(self.g_optimizer),
            "d_optimizer": _optimizer_config(self.d_optimizer),
        }

    def save_state(self, path, *, meta: dict | None = None, extras: dict | None = None) -> None:
        """Write all :meth:`state_variables` (keyed as in :meth:`state_items`) to one ``.npz``
        file, atomically, with ``meta`` (epoch, history, fingerprint) and ``extras`` (callback
        arrays) in the same file (format: :mod:`ganlib.checkpoint`)."""
        from .checkpoint import write_checkpoint

        meta = dict(meta or {})
        meta.setdefault("epoch", 0)
        meta.setdefault("history", {})
        meta.setdefault("fingerprint", self.fingerprint())
        variables = {key: np.asarray(var.numpy()) for key, var in self.state_items()}
        write_checkpoint(path, variables, meta, extras)

    def load_state(self, path, *, remedy: str | None = None) -> tuple[dict, dict]:
        """Restore a state written by :meth:`save_state` into this (compiled) GAN.

        All or nothing: the file is read and verified (checksum), every variable of this GAN is
        matched by key and checked for shape and dtype, and only then is anything assigned; any
        problem raises :class:`ganlib.checkpoint.CheckpointError` naming the file and leaves the
        GAN untouched. Returns ``(meta, extras)`` of the file.
        """
        from .checkpoint import CheckpointError, read_checkpoint

        path = pathlib.Path(path)
        remedy = remedy or "Write it again with save_state()."
        meta, stored, extras = read_checkpoint(path, remedy=remedy)
        items = self.state_items()
        keys = {key for key, _ in items}
        missing = sorted(keys - set(stored))
        unexpected = sorted(set(stored) - keys)
        if missing or unexpected:
            raise CheckpointError(
                f"checkpoint {path}: its variables do not match this GAN's (missing {missing[:3]}"
                f"{'...' if len(missing) > 3 else ''}, unexpected {unexpected[:3]}"
                f"{'...' if len(unexpected) > 3 else ''}; another architecture or optimizer?). {remedy}"
            )
        for key, var in items:
            value = stored[key]
            if tuple(value.shape) != tuple(var.shape):
                raise CheckpointError(
                    f"checkpoint {path}: variable {key} has shape {tuple(var.shape)} in this GAN, "
                    f"{tuple(value.shape)} in the file. {remedy}"
                )
            if np.dtype(value.dtype) != np.dtype(_dtype_name(var)):
                raise CheckpointError(
                    f"checkpoint {path}: variable {key} has dtype {_dtype_name(var)} in this GAN, "
                    f"{value.dtype} in the file. {remedy}"
                )
        for key, var in items:
            var.assign(stored[key])
        return meta, extras


#: ``seed_generator_12`` -> ``seed_generator``: Keras numbers SeedGenerators per process.
_SEED_GENERATOR_NUMBER = re.compile(r"(?<![^/])(seed_generator)_\d+(?![^/])")


def _dtype_name(var) -> str:
    dtype = var.dtype
    return getattr(dtype, "name", None) or str(dtype)


def _simple(value):
    """A JSON-able, process-independent copy of a config value (objects become their type name)."""
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (np.integer, np.floating)):
        return _simple(value.item())
    if isinstance(value, (list, tuple)):
        return [_simple(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _simple(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    return type(value).__name__


def _without_names(config: dict) -> dict:
    """A layer's or optimizer's config without what may differ between processes for the same
    model: its name (``dense_3``), initialisers and seeds (they do not matter once trained)."""
    return {k: v for k, v in config.items() if k not in ("name", "seed") and "initializer" not in k}


def _architecture_digest(model) -> str:
    """A hash of a model's layers (types, settings without names or initialisers, weight shapes)."""
    import hashlib
    import json

    layers = []
    for layer in _all_layers(model):
        try:
            config = layer.get_config()
        except Exception:  # a custom layer without get_config: its type and weights still count
            config = {}
        if isinstance(layer, keras.Model):
            config = {}  # a nested model is described by its own layers, which follow
        layers.append([type(layer).__name__, _simple(_without_names(config)),
                       [[list(w.shape), _dtype_name(w)] for w in layer.weights]])
    text = json.dumps(layers, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _optimizer_config(optimizer) -> dict:
    try:
        config = optimizer.get_config()
    except Exception:
        config = {}
    return {"class": type(optimizer).__name__, **_simple(_without_names(config))}


# ---------------------------------------------------------------------- hardware defaults
def default_strategy() -> tf.distribute.Strategy:
    """``MirroredStrategy`` over all GPUs when there are several, else the default strategy."""
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def accelerator_settings() -> dict:
    """What the hardware calls for.

    Returns a dict with ``gpu`` (a GPU is visible), ``jit_compile`` (XLA: on with a GPU; off on
    CPU, where it measured slower for the DCGAN) and ``mixed_precision`` (``"mixed_float16"``
    on GPUs with tensor cores, compute capability >= 7.0; ``"float32"`` otherwise).
    """
    gpus = tf.config.list_physical_devices("GPU")
    policy = "float32"
    for gpu in gpus:
        try:
            cc = tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0))
        except Exception:
            cc = (0, 0)
        if tuple(cc or (0, 0)) >= (7, 0):
            policy = "mixed_float16"
    return {"gpu": bool(gpus), "jit_compile": bool(gpus), "mixed_precision": policy}


ARCHITECTURES = ("mlp", "dcgan", "conditional_mlp", "conditional_dcgan", "toy")
PRECISION_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


def make_gan(
    architecture: str = "dcgan",
    *,
    loss: str | _losses.GANLoss = "nonsaturating",
    latent_dim: int | None = None,
    hidden_units: int | None = None,
    filters: int | None = None,
    learning_rate: float = 2e-4,
    beta_1: float = 0.5,
    d_learning_rate: float | None = None,
    steps_per_execution: int = 1,
    jit_compile: bool | str = "auto",
    mixed_precision: str = "auto",
    strategy: tf.distribute.Strategy | None = None,
    fused_adam: bool | str = "auto",
    data_dim: int = 2,
    num_classes: int = 10,
    seed: int = 0,
    **gan_kwargs,
) -> GAN:
    """Build and compile a :class:`GAN` from a ganlib architecture, ready for :func:`train`.

    What a GPU needs is switched on automatically when one is present
    (:func:`accelerator_settings`) and available as options on CPU:

    * ``strategy``: models and optimizers are created inside ``strategy.scope()`` (default
      :func:`default_strategy`: ``MirroredStrategy`` when there are several GPUs);
    * ``jit_compile="auto"``: XLA on a GPU;
    * ``mixed_precision="auto"``: the models are built under ``mixed_float16`` on GPUs with
      tensor cores (with loss scaling, see :meth:`GAN.compile`), ``float32`` otherwise; or pass
      one of ``"float32"``, ``"mixed_float16"``, ``"mixed_bfloat16"``. The global Keras policy
      is restored afterwards, so only this GAN's models carry it.
    * ``steps_per_execution``: training steps per compiled call (removes per-step Python
      overhead, which dominates small models).
    * ``fused_adam="auto"``: a player with at least
      :data:`ganlib.optimizers.FUSED_MIN_WEIGHTS` weights gets
      :class:`ganlib.optimizers.FusedAdam` (Adam in one fused kernel per weight tensor; the same
      updates to about 1e-5 relative) when the step is not XLA-compiled and runs on one replica,
      where it measured faster for the MLP GAN (1.1x-1.3x on a 2-core CPU) and no slower within
      noise for the DCGAN (see :mod:`ganlib.optimizers`);
      otherwise ``keras.optimizers.Adam``. ``True``/``False`` choose for both players.

    Args:
      architecture: ``"mlp"`` (the source article's 100→256→784 networks), ``"dcgan"`` (the
        TensorFlow DCGAN tutorial), ``"conditional_mlp"``, ``"conditional_dcgan"`` or ``"toy"``
        (small MLPs for ``data_dim``-dimensional toy data).
      loss, d_steps, update, …: passed to :class:`GAN`.
      latent_dim: size of ``z`` (default: the builder's, 100 for images, 8 for toy data).
      hidden_units: width of the hidden layers of the ``"mlp"``, ``"conditional_mlp"`` and
        ``"toy"`` players (default: the builder's, 256 and 128); the DCGANs have no such option.
      filters: the width of the ``"dcgan"`` and ``"conditional_dcgan"`` players (default: the
        tutorial's 64, i.e. 256/128/64 channels in the generator; see
        :func:`ganlib.models.dcgan_generator`); the other architectures have no such option.
      learning_rate, beta_1: Adam settings for both players (``d_learning_rate`` overrides D's);
        the default 2e-4 / 0.5 is Radford et al. (2015).
      data_dim: dimension of a toy data point (``"toy"`` only).
      num_classes: classes of the conditional architectures.
      seed: seeds the initial weights and the GAN's noise streams.
    """
    check_choice(architecture, "architecture", ARCHITECTURES)
    learning_rate = check_float(learning_rate, "learning_rate", minimum=0.0, inclusive=False)
    beta_1 = check_float(beta_1, "beta_1", minimum=0.0, maximum=1.0, inclusive=(True, False))
    if d_learning_rate is not None:
        d_learning_rate = check_float(d_learning_rate, "d_learning_rate", minimum=0.0, inclusive=False)
    seed = check_seed(seed)
    if jit_compile == "auto":
        jit_compile = accelerator_settings()["jit_compile"]
    jit_compile = check_bool(jit_compile, "jit_compile")
    if fused_adam != "auto":
        fused_adam = check_bool(fused_adam, "fused_adam")
    policy = accelerator_settings()["mixed_precision"] if mixed_precision == "auto" else mixed_precision
    check_choice(policy, "mixed_precision", PRECISION_POLICIES)
    strategy = strategy or default_strategy()
    previous_policy = keras.config.dtype_policy()
    keras.utils.set_random_seed(seed)
    keras.config.set_dtype_policy(policy)
    try:
        with strategy.scope():
            g, d = _build_players(architecture, latent_dim=latent_dim, hidden_units=hidden_units,
                                  filters=filters, data_dim=data_dim, num_classes=num_classes)
            conditional = num_classes if architecture.startswith("conditional") else None
            gan = GAN(g, d, loss=loss, num_classes=conditional, seed=seed, **gan_kwargs)

            def adam(model, lr):
                fused = fused_adam
                if fused == "auto":
                    fused = (not jit_compile and strategy.num_replicas_in_sync == 1
                             and _n_weights(model) >= _optimizers().FUSED_MIN_WEIGHTS)
                optimizer = _optimizers().FusedAdam if fused else keras.optimizers.Adam
                return optimizer(lr, beta_1=beta_1)

            gan.compile(
                g_optimizer=adam(g, learning_rate),
                d_optimizer=adam(d, d_learning_rate or learning_rate),
                steps_per_execution=check_positive_int(steps_per_execution, "steps_per_execution"),
                jit_compile=jit_compile,
            )
    finally:
        keras.config.set_dtype_policy(previous_policy)
    return gan


def _optimizers():
    from . import optimizers

    return optimizers


def _n_weights(model) -> int:
    return sum(int(np.prod(v.shape)) for v in model.trainable_weights)


def _build_players(architecture, *, latent_dim, hidden_units, filters, data_dim, num_classes):
    """The generator and discriminator of ``architecture``, from the builders in :mod:`ganlib.models`."""
    from . import models

    z = {} if latent_dim is None else {"latent_dim": latent_dim}
    width = {} if hidden_units is None else {"hidden_units": check_positive_int(hidden_units, "hidden_units")}
    if width and "dcgan" in architecture:
        raise ValueError(f"hidden_units: the {architecture!r} architecture has no hidden_units option, got {hidden_units}")
    if filters is not None:
        if "dcgan" not in architecture:
            raise ValueError(f"filters: the {architecture!r} architecture has no filters option, got {filters}")
        width = {"filters": check_positive_int(filters, "filters")}
    builders = {
        "mlp": (models.mlp_generator, models.mlp_discriminator, {}),
        "dcgan": (models.dcgan_generator, models.dcgan_discriminator, {}),
        "conditional_mlp": (models.conditional_mlp_generator, models.conditional_mlp_discriminator,
                            {"num_classes": num_classes}),
        "conditional_dcgan": (models.conditional_dcgan_generator, models.conditional_dcgan_discriminator,
                              {"num_classes": num_classes}),
        "toy": (models.toy_generator, models.toy_discriminator, {"data_dim": data_dim}),
    }
    make_generator, make_discriminator, shared = builders[architecture]
    return make_generator(**shared, **z, **width), make_discriminator(**shared, **width)


# ---------------------------------------------------------------------- resumable training
RESUME_MODES = ("auto", "never", "must")


def _data_fingerprint(x: np.ndarray, y) -> dict:
    """Shapes, dtypes and a BLAKE2 hash of the training data (about 1 GB/s, so cheap next to an
    epoch of training)."""
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    h.update(np.ascontiguousarray(x).view(np.uint8).reshape(-1))
    if y is not None:
        h.update(np.ascontiguousarray(y, dtype=np.int64).view(np.uint8).reshape(-1))
    return {"data_shape": {"x": [list(x.shape), str(x.dtype)],
                           "y": None if y is None else list(np.shape(y))},
            "data_hash": h.hexdigest()}


def _input_shape(model, index: int = 0):
    inputs = getattr(model, "inputs", None)
    if not inputs or len(inputs) <= index:
        return None
    return tuple(inputs[index].shape[1:])


def _output_shape(model):
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return None
    return tuple(outputs[0].shape[1:])


def _shapes_agree(a, b) -> bool:
    return len(a) == len(b) and all(p is None or q is None or p == q for p, q in zip(a, b))


def _check_player_shapes(generator, discriminator, data_shape=None) -> None:
    """Generator output, discriminator input and (if given) a data sample must have one shape."""
    g_out, d_in = _output_shape(generator), _input_shape(discriminator)
    shapes = [s for s in (g_out, d_in, data_shape) if s is not None]
    if all(_shapes_agree(shapes[0], s) for s in shapes[1:]):
        return
    fmt = lambda s: "unknown" if s is None else str(s)  # noqa: E731
    raise ValueError(
        f"shapes: the generator's output {fmt(g_out)}, the discriminator's input {fmt(d_in)}"
        + ("" if data_shape is None else f" and a data sample x[i] {fmt(data_shape)}")
        + " must be equal (per sample, without the batch axis)"
    )


def _check_data_shape(gan, x: np.ndarray) -> None:
    _check_player_shapes(gan.generator, gan.discriminator, tuple(x.shape[1:]))


def _quiet() -> bool:
    return os.environ.get("GANLIB_QUIET", "").strip() not in ("", "0", "false", "False")


def train(
    gan: GAN,
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    checkpoint_dir=None,
    checkpoint_every: int = 1,
    callbacks=(),
    verbose="auto",
    guard_divergence: bool = True,
    steps_per_epoch: int | None = None,
    resume: str = "auto",
) -> keras.callbacks.History:
    """Train ``gan`` on arrays with a reproducible data order; resume if a checkpoint exists.

    The data pipeline (:func:`ganlib.data.make_dataset`, with tf.data autotuning off, see there)
    makes the order of epoch ``e`` a pure function of ``(seed, e)`` and the GAN's noise a pure
    function of ``(seed, step)``. With
    ``checkpoint_dir`` the full training state is saved every ``checkpoint_every`` epochs; a
    later call with the same arguments restores it and continues from the saved epoch, ending
    with the same weights as an uninterrupted run (up to floating-point nondeterminism of the
    device). With ``guard_divergence`` training stops at the first NaN/inf loss and the model is
    rolled back to the last good checkpoint.

    Args:
      gan: a compiled :class:`GAN`.
      x: training samples ``(N, ...)``; y: labels ``(N,)`` for a conditional GAN.
      epochs: total number of epochs (including any already done before a resume).
      batch_size: global minibatch size (split across replicas under a distribution strategy).
      verbose: ``"auto"`` (a Keras progress bar, or one line every few epochs when the
        environment variable ``GANLIB_QUIET`` is set, as in the book build), 0, 1 or 2.
      resume: what to do with a checkpoint already in ``checkpoint_dir``: ``"auto"`` (default)
        resumes from it when its fingerprint matches this run and raises
        :class:`ganlib.checkpoint.CheckpointError` naming the differing field and the folder
        otherwise; ``"never"`` ignores it and starts fresh (the first save overwrites it);
        ``"must"`` resumes and raises if there is none. The fingerprint covers both
        architectures, the loss (name and ``takes_logits``), the GAN's options and noise seed,
        both optimizers' configurations, the data's shapes and a hash of ``x`` and ``y``,
        ``seed``, ``batch_size`` and ``steps_per_epoch``. ``epochs`` below the checkpoint's
        epoch count is an error; equal to it, nothing is trained. A damaged checkpoint file
        raises a ``CheckpointError`` naming it and what to do.
      steps_per_epoch: default ``N // batch_size`` (the last partial batch is dropped). Keras
        runs whole groups of the GAN's ``steps_per_execution`` steps, so it is rounded up to a
        multiple of that (as Keras would run anyway); ``history.steps_per_epoch`` is the number
        used. The batches form one continuous stream over epochs of the data, so an epoch of
        training need not be an epoch of the data, and a resumed run continues at the step where
        the checkpoint was taken.

    Returns:
      A ``keras.callbacks.History`` whose ``history`` covers all epochs, resumed ones included,
      with an extra attribute ``diverged`` (bool) and ``resumed_from`` (epoch or ``None``).
    """
    from .callbacks import DivergenceGuard, HealthCheck, QuietProgress, TrainingCheckpoint
    from .checkpoint import CheckpointError
    from .data import make_dataset

    check_gan(gan, "gan")
    if getattr(gan, "g_optimizer", None) is None:
        raise ValueError("gan: call gan.compile(...) (or use ganlib.make_gan) before train()")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every")
    seed = check_seed(seed)
    resume = check_choice(resume, "resume", RESUME_MODES)
    guard_divergence = check_bool(guard_divergence, "guard_divergence")
    if gan.conditional and y is None:
        raise ValueError("y: a conditional GAN needs labels, got None")
    x = as_array(x, "x", min_samples=1)
    if not gan.conditional:
        y = None  # labels are not used by an unconditional GAN
    else:
        y = check_labels(y, "y", n=len(x), num_classes=gan.num_classes, n_name="x")
    _check_data_shape(gan, x)
    n = len(x)
    if steps_per_epoch is None:
        if n < batch_size:
            raise ValueError(f"batch_size: expected at most the number of samples ({n}), got {batch_size}")
        steps_per_epoch = n // batch_size
    steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
    # Keras' TensorFlow trainer runs ceil(steps / spe) whole groups per epoch: 62 steps with
    # steps_per_execution=20 would silently run 80. State the real number instead.
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    steps_per_epoch = -(-steps_per_epoch // spe) * spe

    callbacks = list(callbacks)
    grids = [cb for cb in callbacks if hasattr(cb, "checkpoint_arrays") and hasattr(cb, "restore_checkpoint_arrays")]
    health = HealthCheck()
    initial_epoch, resumed_from, past = 0, None, {}
    ckpt = None
    if checkpoint_dir is None and resume == "must":
        raise ValueError("resume: 'must' needs a checkpoint_dir, got None")
    if checkpoint_dir is not None:
        fingerprint = {**gan.fingerprint(), **_data_fingerprint(x, y),
                       "seed": seed, "batch_size": batch_size, "steps_per_epoch": steps_per_epoch}
        ckpt = TrainingCheckpoint(checkpoint_dir, every=checkpoint_every, health=health,
                                  fingerprint=fingerprint, extras=grids)
        saved = None
        if resume != "never":
            saved = ckpt.restore(gan)
            if saved is None and resume == "must":
                raise CheckpointError(f"checkpoint {checkpoint_dir}: no checkpoint to resume from (resume='must')")
        if saved is not None:
            if saved["epoch"] > epochs:
                raise ValueError(
                    f"epochs: the checkpoint in {checkpoint_dir} has {saved['epoch']} epochs done, more "
                    f"than the {epochs} asked for; pass epochs >= {saved['epoch']}, or resume='never' "
                    "(or another checkpoint_dir) to train a shorter run from scratch"
                )
            initial_epoch, past = saved["epoch"], saved["history"]
            resumed_from = initial_epoch
            print(f"Resuming from the checkpoint in {checkpoint_dir}: {initial_epoch} of {epochs} epoch(s) done.")

    cbs = list(callbacks)
    guard = None
    if guard_divergence:
        guard = DivergenceGuard(checkpoint=ckpt, health=health)
        cbs.insert(0, guard)
    if ckpt is not None:
        cbs.append(ckpt)
    if verbose == "auto":
        if _quiet():
            cbs.append(QuietProgress(epochs))
            verbose = 0
        else:
            verbose = 1

    history = keras.callbacks.History()
    history.history = {k: list(v) for k, v in past.items()}
    history.epoch = list(range(initial_epoch))
    if initial_epoch < epochs:
        dataset = make_dataset(
            x, y, batch_size=batch_size, seed=seed, repeat=True, start_batch=initial_epoch * steps_per_epoch
        )
        run = gan.fit(
            dataset,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            callbacks=cbs,
            verbose=verbose,
            shuffle=False,  # the dataset is already shuffled, reproducibly per epoch
        )
        for key, values in run.history.items():
            history.history.setdefault(key, []).extend(values)
        history.epoch.extend(run.epoch)
    history.diverged = bool(guard is not None and guard.diverged)
    history.resumed_from = resumed_from
    history.steps_per_epoch = steps_per_epoch
    history.set_model(gan)
    return history
