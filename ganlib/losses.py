"""GAN losses and regularisers as pure TensorFlow functions (in the style of TF-GAN's ``losses``).

Notation used in every docstring:

* ``l`` is a discriminator **logit**; the probability is ``D(x) = sigmoid(l)``.
* ``f`` is a raw critic/discriminator output (least squares, Wasserstein, hinge losses), i.e. the
  same tensor the discriminator returns, read without a sigmoid.
* ``E[.]`` is the mean over the batch; ``x ~ p_data`` are real samples, ``G(z) ~ p_g`` fakes.

Conventions:

* Logits/outputs have shape ``(B,)`` or ``(B, 1)`` and any real dtype (float16, bfloat16,
  float32, float64, integers); they are cast to float32 before any arithmetic, so the
  float16 logits of a mixed-precision model are safe. Every loss returns a scalar float32
  ``tf.Tensor``.
* The real and the fake batch are averaged separately, so their batch sizes may differ.
* ``log D = log_sigmoid(l)`` and ``log(1 - D) = log_sigmoid(-l) = -softplus(l)`` are used
  everywhere: they are finite for any finite logit, whereas ``log(sigmoid(l))`` underflows to
  ``log(0) = -inf`` for ``l < -104`` in float32 (and far earlier in float16).
* Validation uses static shapes only (``tensor.shape``), so every function also works inside
  ``tf.function`` and ``tf.distribute``. A batch whose size is unknown while tracing is not
  checked for emptiness (an empty batch then gives NaN). Logit *values* are not checked (NaN/inf
  would need a host round-trip on every step); ``+/-inf`` logits are handled as ``D = 1 / 0``.

The losses:

===================  ========================================  ====================================
``get_losses`` name  discriminator/critic loss                 generator loss
===================  ========================================  ====================================
minimax              :func:`discriminator_loss`                :func:`minimax_generator_loss`
nonsaturating        :func:`discriminator_loss`                :func:`nonsaturating_generator_loss`
least_squares        :func:`least_squares_discriminator_loss`  :func:`least_squares_generator_loss`
wasserstein          :func:`wasserstein_critic_loss`           :func:`wasserstein_generator_loss`
hinge                :func:`hinge_discriminator_loss`          :func:`hinge_generator_loss`
===================  ========================================  ====================================

:func:`get_losses` returns a family as a :class:`GANLoss`: the two functions and whether they
read the discriminator's output as a logit (the first two families) or as a raw score (the
others); ``ganlib.GAN(loss=...)`` takes a name or any ``GANLoss``, including your own.

Regularisers: :func:`gradient_penalty` (WGAN-GP), :func:`r1_penalty`, :func:`l2_weight_penalty`.
Theory helpers on tabulated densities (NumPy): :func:`optimal_discriminator`,
:func:`jensen_shannon_divergence`, :func:`value_at_optimal_discriminator`.

References: Goodfellow et al. 2014 (GAN); Mao et al. 2017 (LSGAN); Arjovsky et al. 2017 (WGAN);
Gulrajani et al. 2017 (WGAN-GP); Lim & Ye 2017, Miyato et al. 2018 (hinge); Mescheder et al.
2018 (R1).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import tensorflow as tf

from .validation import as_array, check_bool, check_callable, check_choice, check_float, check_seed, check_str

__all__ = [
    "value_function",
    "discriminator_loss",
    "source_article_loss",
    "minimax_generator_loss",
    "nonsaturating_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "gradient_penalty",
    "r1_penalty",
    "l2_weight_penalty",
    "GANLoss",
    "LOSS_NAMES",
    "get_losses",
    "optimal_discriminator",
    "jensen_shannon_divergence",
    "value_at_optimal_discriminator",
    "GRADIENT_NORM_EPSILON",
]

#: Added under the square root of the gradient norm in :func:`gradient_penalty`:
#: d sqrt(s)/ds = 1 / (2 sqrt(s)) is infinite at s = 0, which would turn a zero gradient into NaN.
GRADIENT_NORM_EPSILON = 1e-12


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------


def _to_float32(value, name: str) -> tf.Tensor:
    """A tf.Tensor/Variable or array-like of real numbers -> float32 tensor (no value checks)."""
    if value is None:
        raise TypeError(f"{name}: expected a tensor or array of real numbers, got None")
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        dtype = tf.as_dtype(value.dtype)
        if dtype == tf.bool or not (dtype.is_floating or dtype.is_integer):
            raise TypeError(f"{name}: expected real numbers, got a tensor of dtype {dtype.name}")
        return tf.cast(value, tf.float32)
    arr = as_array(value, name, dtype="float", finite=False)
    return tf.convert_to_tensor(arr.astype(np.float32, copy=False))


def _batch_vector(value, name: str) -> tf.Tensor:
    """Validate logits/outputs of shape (B,) or (B, 1) and return them as a float32 (B,) tensor."""
    x = _to_float32(value, name)
    shape = x.shape
    if shape.rank is not None:
        ok = shape.rank == 1 or (shape.rank == 2 and shape[1] in (1, None))
        if not ok:
            raise ValueError(f"{name}: expected shape (B,) or (B, 1), got shape {tuple(shape)}")
        if shape[0] == 0:
            raise ValueError(f"{name}: expected a non-empty batch, got shape {tuple(shape)}")
    return tf.reshape(x, [-1])


def _batch_inputs(value, name: str) -> tf.Tensor:
    """Validate a batch of critic inputs of shape (B, ...) with at least one feature axis."""
    x = _to_float32(value, name)
    shape = x.shape
    if shape.rank is not None:
        if shape.rank < 2:
            raise ValueError(
                f"{name}: expected a batch of shape (B, ...) with at least one feature axis, "
                f"got shape {tuple(shape)}"
            )
        if shape[0] == 0:
            raise ValueError(f"{name}: expected a non-empty batch, got shape {tuple(shape)}")
    return x


def _critic_output(critic, x: tf.Tensor) -> tf.Tensor:
    out = critic(x)
    if out is None:
        raise TypeError("critic: expected the callable to return a tensor of shape (B, 1), got None")
    return _to_float32(out, "critic output")


def _input_gradients(critic, x: tf.Tensor) -> tf.Tensor:
    """d sum(f(x)) / dx, recorded so that it can be differentiated again (double backprop).

    Summing over the batch gives each sample's own gradient because f(x_i) depends only on x_i
    (this is false for critics with batch normalisation in training mode or minibatch
    discrimination: use layer norm or none, as Gulrajani et al. recommend).
    """
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = _critic_output(critic, x)
        total = tf.reduce_sum(out)
    return tape.gradient(total, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def _squared_norm_per_sample(grads: tf.Tensor) -> tf.Tensor:
    axes = list(range(1, grads.shape.rank)) if grads.shape.rank is not None else None
    if axes is None:
        grads = tf.reshape(grads, [tf.shape(grads)[0], -1])
        axes = [1]
    return tf.reduce_sum(tf.square(grads), axis=axes)


# --------------------------------------------------------------------------------------------
# the minimax game (Goodfellow et al. 2014)
# --------------------------------------------------------------------------------------------


def value_function(real_logits, fake_logits) -> tf.Tensor:
    """The GAN value function V(D, G) of Goodfellow et al. (2014).

    Formula::

        V(D, G) = E_x[ log D(x) ] + E_z[ log(1 - D(G(z))) ]
                = mean(log_sigmoid(l_real)) + mean(log_sigmoid(-l_fake))

    D maximises V, G minimises it: min_G max_D V(D, G). For a fixed G the maximising
    discriminator is D*(x) = p_data(x) / (p_data(x) + p_g(x)); at the global optimum
    p_g = p_data, D* = 1/2 (logits 0) and V = -log 4 ≈ -1.386294.

    Args:
      real_logits: D's logits on real data, shape (B,) or (B, 1), any real dtype.
      fake_logits: D's logits on generated data, shape (B',) or (B', 1), any real dtype.

    Returns:
      Scalar float32 tensor, V <= 0.
    """
    real = _batch_vector(real_logits, "real_logits")
    fake = _batch_vector(fake_logits, "fake_logits")
    return tf.reduce_mean(tf.math.log_sigmoid(real)) + tf.reduce_mean(tf.math.log_sigmoid(-fake))


def discriminator_loss(real_logits, fake_logits, label_smoothing: float = 0.0) -> tf.Tensor:
    """The discriminator's loss, -V(D, G): binary cross-entropy with real label 1, fake label 0.

    Formula (t = 1 - label_smoothing is the target for real samples)::

        L_D = -E_x[ t log D(x) + (1 - t) log(1 - D(x)) ] - E_z[ log(1 - D(G(z))) ]
            = mean(softplus(-l_real)) + mean(softplus(l_fake))          (t = 1)

    With ``label_smoothing = 0`` this is exactly -V(D, G) (see :func:`value_function`), minimised
    over D by D*(x) = p_data / (p_data + p_g); at p_g = p_data (logits 0) L_D = log 4 ≈ 1.386294.
    One-sided label smoothing (Salimans et al. 2016) only softens the real target; the optimum
    becomes D*(x) = t p_data / (p_data + p_g).

    Args:
      real_logits: D's logits on real data, shape (B,) or (B, 1), any real dtype.
      fake_logits: D's logits on generated data, shape (B',) or (B', 1), any real dtype.
      label_smoothing: s in [0, 1); the real target is 1 - s.

    Returns:
      Scalar float32 tensor, L_D >= 0 when s = 0.
    """
    real = _batch_vector(real_logits, "real_logits")
    fake = _batch_vector(fake_logits, "fake_logits")
    smoothing = check_float(label_smoothing, "label_smoothing", minimum=0.0, maximum=1.0, inclusive=(True, False))
    target = 1.0 - smoothing
    real_term = -(target * tf.math.log_sigmoid(real) + (1.0 - target) * tf.math.log_sigmoid(-real))
    return tf.reduce_mean(real_term) + tf.reduce_mean(tf.math.softplus(fake))


def source_article_loss(real_logits, fake_logits) -> tf.Tensor:
    """The loss exactly as printed in the source article, KEPT ONLY FOR THE ERRATA: it is wrong.

    Formula as printed::

        L_GAN = -E_x[ log D(x) ] + E_z[ log(1 - D(G(z))) ]
              = mean(softplus(-l_real)) - mean(softplus(l_fake))

    The sign of the second term is wrong. The discriminator's loss is -V(D, G), in which *both*
    terms are negative (see :func:`discriminator_loss`, the correct function). As printed,
    minimising L_GAN over D drives log(1 - D(G(z))) towards -inf, i.e. pushes D(G(z)) UP towards
    1: the discriminator is rewarded for calling fakes real. The loss has no minimum (it is
    unbounded below as the fake logits grow), and d L_GAN / d l_fake = -sigmoid(l_fake) / B' < 0,
    the opposite sign of the correct loss's gradient +sigmoid(l_fake) / B'.

    Args:
      real_logits: D's logits on real data, shape (B,) or (B, 1), any real dtype.
      fake_logits: D's logits on generated data, shape (B',) or (B', 1), any real dtype.

    Returns:
      Scalar float32 tensor. At logits 0 it is log 2 - log 2 = 0 (the correct loss gives log 4).
    """
    real = _batch_vector(real_logits, "real_logits")
    fake = _batch_vector(fake_logits, "fake_logits")
    return -tf.reduce_mean(tf.math.log_sigmoid(real)) + tf.reduce_mean(tf.math.log_sigmoid(-fake))


def minimax_generator_loss(fake_logits) -> tf.Tensor:
    """The generator's side of the minimax game (the *saturating* loss); G minimises it.

    Formula::

        L_G = E_z[ log(1 - D(G(z))) ] = mean(log_sigmoid(-l_fake)) = -mean(softplus(l_fake))

    Saturation: d/dl log(1 - sigmoid(l)) = -sigmoid(l) -> 0 as l -> -inf, so early in training,
    when D confidently rejects the fakes, the generator gets almost no gradient. At the optimum
    p_g = p_data (D = 1/2, logits 0) L_G = -log 2 ≈ -0.693147.

    Args:
      fake_logits: D's logits on generated data, shape (B,) or (B, 1), any real dtype.

    Returns:
      Scalar float32 tensor, L_G <= 0.
    """
    fake = _batch_vector(fake_logits, "fake_logits")
    return tf.reduce_mean(tf.math.log_sigmoid(-fake))


def nonsaturating_generator_loss(fake_logits) -> tf.Tensor:
    """The non-saturating generator loss (Goodfellow et al. 2014, Section 3); G minimises it.

    Formula::

        L_G = -E_z[ log D(G(z)) ] = mean(softplus(-l_fake))

    It has the same fixed point as the minimax loss but a gradient d/dl = -sigmoid(-l) -> -1 as
    l -> -inf, so a generator whose samples are confidently rejected still learns. At the
    optimum (D = 1/2, logits 0) L_G = log 2 ≈ 0.693147.

    Args:
      fake_logits: D's logits on generated data, shape (B,) or (B, 1), any real dtype.

    Returns:
      Scalar float32 tensor, L_G >= 0.
    """
    fake = _batch_vector(fake_logits, "fake_logits")
    return tf.reduce_mean(tf.math.softplus(-fake))


# --------------------------------------------------------------------------------------------
# least squares GAN (Mao et al. 2017)
# --------------------------------------------------------------------------------------------


def least_squares_discriminator_loss(real_outputs, fake_outputs, a: float = 0.0, b: float = 1.0) -> tf.Tensor:
    """The LSGAN discriminator loss (Mao et al. 2017) on raw outputs (no sigmoid).

    Formula::

        L_D = 1/2 E_x[ (f(x) - b)^2 ] + 1/2 E_z[ (f(G(z)) - a)^2 ]

    a is the target for fakes, b for reals. For a fixed G the minimiser is
    f*(x) = (b p_data + a p_g) / (p_data + p_g); at p_g = p_data with the default 0-1 coding it
    is 1/2 and L_D = 1/4. With b - c = 1 and b - a = 2 (e.g. a = -1, b = 1, c = 0) the generator
    minimises the Pearson chi^2 divergence between p_data + p_g and 2 p_g.

    Args:
      real_outputs: D's outputs on real data, shape (B,) or (B, 1), any real dtype.
      fake_outputs: D's outputs on generated data, shape (B',) or (B', 1), any real dtype.
      a: target for fake samples (finite real number).
      b: target for real samples (finite real number).

    Returns:
      Scalar float32 tensor, L_D >= 0.
    """
    real = _batch_vector(real_outputs, "real_outputs")
    fake = _batch_vector(fake_outputs, "fake_outputs")
    a = check_float(a, "a")
    b = check_float(b, "b")
    return 0.5 * tf.reduce_mean(tf.square(real - b)) + 0.5 * tf.reduce_mean(tf.square(fake - a))


def least_squares_generator_loss(fake_outputs, c: float = 1.0) -> tf.Tensor:
    """The LSGAN generator loss (Mao et al. 2017) on raw outputs.

    Formula::

        L_G = 1/2 E_z[ (f(G(z)) - c)^2 ]

    c is the value G wants D to believe for fakes (c = b: "make fakes look real"). With the
    default coding, at p_g = p_data (f = 1/2) L_G = 1/8.

    Args:
      fake_outputs: D's outputs on generated data, shape (B,) or (B, 1), any real dtype.
      c: target (finite real number).

    Returns:
      Scalar float32 tensor, L_G >= 0.
    """
    fake = _batch_vector(fake_outputs, "fake_outputs")
    c = check_float(c, "c")
    return 0.5 * tf.reduce_mean(tf.square(fake - c))


# --------------------------------------------------------------------------------------------
# Wasserstein GAN (Arjovsky et al. 2017)
# --------------------------------------------------------------------------------------------


def wasserstein_critic_loss(real_outputs, fake_outputs) -> tf.Tensor:
    """The WGAN critic loss (Arjovsky et al. 2017); the critic minimises it.

    Formula::

        L_C = E_z[ f(G(z)) ] - E_x[ f(x) ]

    Over 1-Lipschitz critics, -min L_C = W_1(p_data, p_g) (Kantorovich-Rubinstein duality), so
    -L_C estimates the Earth-Mover distance; the optimum over G is 0 at p_g = p_data. The
    Lipschitz constraint is not part of this function: add :func:`gradient_penalty` (WGAN-GP) or
    clip weights.

    Args:
      real_outputs: critic outputs on real data, shape (B,) or (B, 1), any real dtype.
      fake_outputs: critic outputs on generated data, shape (B',) or (B', 1), any real dtype.

    Returns:
      Scalar float32 tensor (any sign).
    """
    real = _batch_vector(real_outputs, "real_outputs")
    fake = _batch_vector(fake_outputs, "fake_outputs")
    return tf.reduce_mean(fake) - tf.reduce_mean(real)


def wasserstein_generator_loss(fake_outputs) -> tf.Tensor:
    """The WGAN generator loss (Arjovsky et al. 2017); G minimises it.

    Formula::

        L_G = -E_z[ f(G(z)) ]

    (the E_x[f(x)] term of the critic loss does not depend on G and is dropped).

    Args:
      fake_outputs: critic outputs on generated data, shape (B,) or (B, 1), any real dtype.

    Returns:
      Scalar float32 tensor (any sign).
    """
    fake = _batch_vector(fake_outputs, "fake_outputs")
    return -tf.reduce_mean(fake)


# --------------------------------------------------------------------------------------------
# hinge loss (Lim & Ye 2017; Miyato et al. 2018)
# --------------------------------------------------------------------------------------------


def hinge_discriminator_loss(real_outputs, fake_outputs) -> tf.Tensor:
    """The hinge discriminator loss (Lim & Ye 2017; Miyato et al. 2018, SN-GAN).

    Formula::

        L_D = E_x[ relu(1 - f(x)) ] + E_z[ relu(1 + f(G(z))) ]

    L_D = 0 once every real output is >= 1 and every fake output is <= -1 (the margin). At
    p_g = p_data the minimum is 2, attained by any f with -1 <= f <= 1.

    Args:
      real_outputs: D's outputs on real data, shape (B,) or (B, 1), any real dtype.
      fake_outputs: D's outputs on generated data, shape (B',) or (B', 1), any real dtype.

    Returns:
      Scalar float32 tensor, L_D >= 0.
    """
    real = _batch_vector(real_outputs, "real_outputs")
    fake = _batch_vector(fake_outputs, "fake_outputs")
    return tf.reduce_mean(tf.nn.relu(1.0 - real)) + tf.reduce_mean(tf.nn.relu(1.0 + fake))


def hinge_generator_loss(fake_outputs) -> tf.Tensor:
    """The hinge generator loss (Lim & Ye 2017; Miyato et al. 2018); G minimises it.

    Formula::

        L_G = -E_z[ f(G(z)) ]

    (the same expression as :func:`wasserstein_generator_loss`; without a margin, so G is
    pushed as long as D scores its samples low).

    Args:
      fake_outputs: D's outputs on generated data, shape (B,) or (B, 1), any real dtype.

    Returns:
      Scalar float32 tensor (any sign).
    """
    fake = _batch_vector(fake_outputs, "fake_outputs")
    return -tf.reduce_mean(fake)


# --------------------------------------------------------------------------------------------
# regularisers
# --------------------------------------------------------------------------------------------


def _stateless_seed(seed) -> tf.Tensor:
    if isinstance(seed, bool):
        raise TypeError(f"seed: expected an int or a shape-(2,) integer seed, got bool {seed!r}")
    if isinstance(seed, (int, np.integer)):
        return tf.constant([check_seed(seed), 0], dtype=tf.int64)
    if tf.is_tensor(seed):
        dtype = tf.as_dtype(seed.dtype)
        if dtype not in (tf.int32, tf.int64):
            raise TypeError(f"seed: expected an int32/int64 tensor of shape (2,), got dtype {dtype.name}")
        if seed.shape.rank is not None and not seed.shape.is_compatible_with([2]):
            raise ValueError(f"seed: expected shape (2,), got shape {tuple(seed.shape)}")
        return seed
    if isinstance(seed, (tuple, list, np.ndarray)):
        arr = np.asarray(seed)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"seed: expected two integers, got {seed!r}")
        if arr.shape != (2,):
            raise ValueError(f"seed: expected shape (2,), got shape {arr.shape}")
        return tf.constant(arr, dtype=tf.int64)
    raise TypeError(f"seed: expected an int or a shape-(2,) integer seed, got {type(seed).__name__}")


def _interpolation_weights(epsilon, seed, real: tf.Tensor) -> tf.Tensor:
    """epsilon of shape (B, 1, ..., 1) (or a scalar), drawn U[0, 1) or validated."""
    rank = real.shape.rank
    if epsilon is not None:
        if seed is not None:
            raise ValueError("seed: pass either seed or epsilon, not both")
        eps = _to_float32(epsilon, "epsilon")
        if not tf.is_tensor(epsilon):
            values = np.asarray(epsilon, dtype=np.float64)
        elif tf.executing_eagerly():
            values = tf.cast(epsilon, tf.float64).numpy()
        else:  # symbolic inside tf.function: values are unknown while tracing
            values = None
        if values is not None and values.size:
            if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
                raise ValueError(
                    f"epsilon: expected values in [0, 1], got values in [{values.min():.4g}, {values.max():.4g}]"
                )
        if eps.shape.rank is not None and eps.shape.rank > 0:
            batch_ok = eps.shape[:1].is_compatible_with(real.shape[:1])
            tail_ok = all(d in (1, None) for d in eps.shape[1:]) and (rank is None or eps.shape.rank <= rank)
            if not (batch_ok and tail_ok):
                raise ValueError(
                    f"epsilon: expected a scalar or shape (B,) or (B, 1, ..., 1) with B = {real.shape[0]}, "
                    f"got shape {tuple(eps.shape)}"
                )
            eps = tf.reshape(eps, tf.concat([[-1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0))
        return eps
    shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    if seed is None:
        return tf.random.uniform(shape, dtype=tf.float32)
    return tf.random.stateless_uniform(shape, seed=_stateless_seed(seed), dtype=tf.float32)


def gradient_penalty(critic: Callable, real, fake, *, seed=None, epsilon=None) -> tf.Tensor:
    """The WGAN-GP gradient penalty (Gulrajani et al. 2017).

    Formula::

        x_hat = eps * x + (1 - eps) * x_tilde,   eps ~ U[0, 1] per sample, shape (B, 1, ..., 1)
        GP    = E_{x_hat}[ ( ||grad_{x_hat} f(x_hat)||_2 - 1 )^2 ]
        ||g||_2 = sqrt( sum over all non-batch axes of g^2 + 1e-12 )

    The caller adds lambda * GP (lambda = 10 in the paper) to the critic loss. GP = 0 exactly
    when the critic has unit gradient norm on every interpolate (a 1-Lipschitz critic that is
    optimal for W_1 has that property). For a linear critic f(x) = w . x, GP = (||w|| - 1)^2
    whatever eps is. The 1e-12 (:data:`GRADIENT_NORM_EPSILON`) keeps the derivative of the square
    root finite when the gradient is exactly zero (otherwise the penalty's gradient is NaN);
    it changes the norm by at most 1e-6.

    The gradient is taken with an inner ``tf.GradientTape`` and stays on the outer tape, so the
    penalty can be differentiated with respect to the critic's weights (double backprop):
    call this function inside the ``tf.GradientTape`` that computes the critic's update.
    Per-sample gradients assume f(x_i) depends on x_i only: no batch normalisation in
    training mode in the critic.

    Args:
      critic: callable mapping a (B, ...) batch to outputs (B, 1) or (B,), e.g.
        ``lambda x: disc(x, training=True)`` or, for a conditional critic,
        ``lambda x: disc([x, y], training=True)``. Outputs of any float dtype are cast to float32.
      real: real batch, shape (B, ...) (at least one feature axis), any real dtype.
      fake: generated batch, same shape as ``real``.
      seed: optional stateless seed for ``tf.random.stateless_uniform``: a shape-(2,) int
        tensor/tuple, or an int s (used as (s, 0)). The same seed gives the same eps, also
        inside ``tf.function`` and ``tf.distribute``. ``None`` draws eps from TensorFlow's
        global generator.
      epsilon: optional explicit eps: a scalar or shape (B,) or (B, 1, ..., 1), values in
        [0, 1] (checked when concrete). Mutually exclusive with ``seed``.

    Returns:
      Scalar float32 tensor, GP >= 0.
    """
    check_callable(critic, "critic")
    real = _batch_inputs(real, "real")
    fake = _batch_inputs(fake, "fake")
    if not real.shape.is_compatible_with(fake.shape):
        raise ValueError(
            f"real and fake: expected the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}"
        )
    eps = _interpolation_weights(epsilon, seed, real)
    x_hat = eps * real + (1.0 - eps) * fake
    grads = _input_gradients(critic, x_hat)
    norms = tf.sqrt(_squared_norm_per_sample(grads) + GRADIENT_NORM_EPSILON)
    return tf.reduce_mean(tf.square(norms - 1.0))


def r1_penalty(critic: Callable, real) -> tf.Tensor:
    """The R1 gradient penalty on real data (Mescheder et al. 2018).

    Formula::

        R1 = 1/2 E_x[ ||grad_x D(x)||_2^2 ]      (squared norm over all non-batch axes)

    The caller multiplies by gamma and adds it to the discriminator loss. R1 = 0 when the
    discriminator is flat on the data, which is the case at the equilibrium p_g = p_data,
    D = const. For a linear critic f(x) = w . x, R1 = ||w||^2 / 2. D is the raw output
    (the logit), as in the paper. Like :func:`gradient_penalty` it is differentiable with
    respect to the critic's weights (double backprop).

    Args:
      critic: callable mapping a (B, ...) batch to outputs (B, 1) or (B,) (same convention as
        :func:`gradient_penalty`).
      real: real batch, shape (B, ...) (at least one feature axis), any real dtype.

    Returns:
      Scalar float32 tensor, R1 >= 0.
    """
    check_callable(critic, "critic")
    real = _batch_inputs(real, "real")
    grads = _input_gradients(critic, real)
    return 0.5 * tf.reduce_mean(_squared_norm_per_sample(grads))


def l2_weight_penalty(weights, lam: float) -> tf.Tensor:
    """The source article's weight regulariser L_reg = lambda ||theta||^2.

    Formula::

        L_reg = lam * sum_i sum(theta_i^2)      (sum over every element of every tensor)

    Args:
      weights: list/tuple of variables, tensors or arrays (e.g. ``model.trainable_weights``),
        or a single one. An empty list is rejected: it usually means the model is not built yet.
      lam: lambda >= 0 (finite real number).

    Returns:
      Scalar float32 tensor, differentiable with respect to the variables.
    """
    lam = check_float(lam, "lam", minimum=0.0)
    if weights is None:
        raise TypeError("weights: expected a list of variables/tensors, got None")
    if isinstance(weights, (str, bytes, dict)):
        raise TypeError(f"weights: expected a list of variables/tensors, got {type(weights).__name__}")
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    if len(weights) == 0:
        raise ValueError("weights: expected at least one variable/tensor, got an empty list")
    total = tf.constant(0.0, tf.float32)
    for i, w in enumerate(weights):
        total += tf.reduce_sum(tf.square(_to_float32(w, f"weights[{i}]")))
    return lam * total


# --------------------------------------------------------------------------------------------
# choosing a loss pair
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GANLoss:
    """A GAN's pair of losses, and how they read the discriminator's output.

    ``GAN(loss=...)`` takes one of these (or a name of :data:`LOSS_NAMES`, which
    :func:`get_losses` turns into one). Write your own as, e.g.::

        GANLoss(discriminator=lambda real, fake: ..., generator=lambda fake: ..., takes_logits=False,
                name="my_loss")

    Attributes:
      discriminator: ``discriminator(real_outputs, fake_outputs) -> scalar``, the loss the
        discriminator (or critic) minimises; both arguments have shape ``(B, 1)`` (any real
        dtype), positional.
      generator: ``generator(fake_outputs) -> scalar``, the loss the generator minimises.
      takes_logits: ``True`` if the losses read the discriminator's output ``l`` as the logit of
        the probability ``D(x) = sigmoid(l)`` that ``x`` is real (the cross-entropy losses:
        minimax, non-saturating); ``False`` if they read it as a raw score (least squares,
        Wasserstein, hinge). :class:`ganlib.GAN` follows it: ``d_real``/``d_fake`` are logged as
        mean probabilities in the first case and mean scores in the second, and
        ``GAN.discriminate`` (probabilities) needs the first.
      name: a label, shown as ``GAN.loss_name`` (``get_losses`` uses the family's name).
    """

    discriminator: Callable
    generator: Callable
    takes_logits: bool
    name: str = "custom"

    def __post_init__(self):
        check_callable(self.discriminator, "discriminator")
        check_callable(self.generator, "generator")
        check_bool(self.takes_logits, "takes_logits")
        check_str(self.name, "name")


_LOSS_FAMILIES = (
    GANLoss(discriminator_loss, minimax_generator_loss, takes_logits=True, name="minimax"),
    GANLoss(discriminator_loss, nonsaturating_generator_loss, takes_logits=True, name="nonsaturating"),
    GANLoss(least_squares_discriminator_loss, least_squares_generator_loss, takes_logits=False, name="least_squares"),
    GANLoss(wasserstein_critic_loss, wasserstein_generator_loss, takes_logits=False, name="wasserstein"),
    GANLoss(hinge_discriminator_loss, hinge_generator_loss, takes_logits=False, name="hinge"),
)

#: The names :func:`get_losses` (and ``GAN(loss=...)``) accept.
LOSS_NAMES = tuple(family.name for family in _LOSS_FAMILIES)


def get_losses(name: str) -> GANLoss:
    """The :class:`GANLoss` of a loss family in :data:`LOSS_NAMES`.

    ``loss.discriminator(real_outputs, fake_outputs)`` and ``loss.generator(fake_outputs)``
    (call them positionally: the least squares, Wasserstein and hinge functions name their
    arguments ``*_outputs``) return scalar float32 tensors.

    ===================  ========================================  ====================================  ============
    name                 discriminator                             generator                             takes_logits
    ===================  ========================================  ====================================  ============
    ``"minimax"``        :func:`discriminator_loss`                :func:`minimax_generator_loss`        True
    ``"nonsaturating"``  :func:`discriminator_loss`                :func:`nonsaturating_generator_loss`  True
    ``"least_squares"``  :func:`least_squares_discriminator_loss`  :func:`least_squares_generator_loss`  False
    ``"wasserstein"``    :func:`wasserstein_critic_loss`           :func:`wasserstein_generator_loss`    False
    ``"hinge"``          :func:`hinge_discriminator_loss`          :func:`hinge_generator_loss`          False
    ===================  ========================================  ====================================  ============
    """
    check_choice(name, "name", LOSS_NAMES)
    return _LOSS_FAMILIES[LOSS_NAMES.index(name)]


# --------------------------------------------------------------------------------------------
# theory on tabulated densities (NumPy)
# --------------------------------------------------------------------------------------------


def _density_pair(p, q, name_p: str, name_q: str) -> tuple[np.ndarray, np.ndarray]:
    p = as_array(p, name_p, value_range=(0.0, np.inf)).astype(np.float64)
    q = as_array(q, name_q, value_range=(0.0, np.inf)).astype(np.float64)
    if p.size == 0:
        raise ValueError(f"{name_p}: expected at least one density value, got shape {p.shape}")
    if q.size == 0:
        raise ValueError(f"{name_q}: expected at least one density value, got shape {q.shape}")
    if p.shape != q.shape:
        raise ValueError(f"{name_p} and {name_q}: expected the same shape, got {p.shape} and {q.shape}")
    return p, q


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * log(y) with 0 * log(anything) = 0."""
    out = np.zeros(np.broadcast(x, y).shape)
    mask = x > 0
    out[mask] = x[mask] * np.log(y[mask])
    return out


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """The optimal discriminator for a fixed generator (Goodfellow et al. 2014, Proposition 1).

    Formula::

        D*(x) = p_data(x) / (p_data(x) + p_g(x))

    Where both densities are 0 the ratio 0/0 is undefined (D* is arbitrary off the support of
    both distributions); it is returned as 1/2, the value at which D* cannot tell them apart.

    Args:
      p_data: density values of the data distribution, any shape, >= 0, finite.
      p_g: density values of the generator's distribution at the same points, same shape.

    Returns:
      float64 NumPy array of that shape, values in [0, 1].
    """
    p, q = _density_pair(p_data, p_g, "p_data", "p_g")
    total = p + q
    out = np.full(p.shape, 0.5)
    np.divide(p, total, out=out, where=total > 0)
    return out


def jensen_shannon_divergence(p, q, dx) -> float:
    """Jensen-Shannon divergence between two densities tabulated on a uniform grid (natural log).

    Formula (Riemann sum with spacing dx, m = (p + q) / 2, 0 log 0 = 0)::

        JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m)
                    = 1/2 sum_i [ p_i log(p_i / m_i) + q_i log(q_i / m_i) ] dx

    0 <= JSD <= log 2; JSD = 0 iff p = q and JSD = log 2 for disjoint supports. The densities are
    not renormalised: tabulate them on a grid wide and fine enough that sum(p) dx ≈ 1.

    Args:
      p, q: density values on the same grid, same shape (1-D for a line; any shape, with dx the
        cell volume), >= 0, finite.
      dx: grid spacing (cell volume), > 0.

    Returns:
      Python float.
    """
    p, q = _density_pair(p, q, "p", "q")
    dx = check_float(dx, "dx", minimum=0.0, inclusive=False)
    m = 0.5 * (p + q)
    safe_m = np.where(m > 0, m, 1.0)  # m = 0 only where p = q = 0, where both terms are 0
    kl_pm = np.sum(_xlogy(p, np.where(p > 0, p, 1.0) / safe_m)) * dx
    kl_qm = np.sum(_xlogy(q, np.where(q > 0, q, 1.0) / safe_m)) * dx
    return float(0.5 * kl_pm + 0.5 * kl_qm)


def value_at_optimal_discriminator(p_data, p_g, dx) -> float:
    """V(D*, G) on a uniform grid: the value function at the optimal discriminator.

    Formula (Riemann sum with spacing dx, 0 log 0 = 0)::

        V(D*, G) = ∫ p_data(x) log D*(x) + p_g(x) log(1 - D*(x)) dx
                 = -log 4 + 2 JSD(p_data || p_g)            (Goodfellow et al. 2014, Theorem 1)

    The identity is exact for the Riemann sums too whenever sum(p_data) dx = sum(p_g) dx = 1, so
    comparing this function with :func:`jensen_shannon_divergence` checks the theorem numerically.
    Its minimum over p_g, -log 4, is reached only at p_g = p_data.

    Args:
      p_data: density values of the data distribution on the grid, >= 0, finite.
      p_g: density values of the generator's distribution on the same grid, same shape.
      dx: grid spacing (cell volume), > 0.

    Returns:
      Python float.
    """
    p, q = _density_pair(p_data, p_g, "p_data", "p_g")
    dx = check_float(dx, "dx", minimum=0.0, inclusive=False)
    total = np.where(p + q > 0, p + q, 1.0)
    # 1 - D* is computed as p_g / (p_data + p_g), not 1 - D*, which rounds to 0 when p_g << p_data.
    return float(np.sum(_xlogy(p, p / total) + _xlogy(q, q / total)) * dx)
