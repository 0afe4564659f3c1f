"""The GAN game made checkable: gradients of the losses, the value function on a grid, the
Jensen-Shannon identity, discriminator head starts and spectral norms.

Chapter 3 of the book uses these helpers to verify the theory of Goodfellow et al. (2014)
numerically instead of asserting it:

* :func:`logit_gradients` — autodiff gradients of any ganlib loss with respect to its logits
  (e.g. to see that the source article's loss pushes the fake logits the wrong way).
* :func:`generator_loss_gradients` — the per-sample gradient of the minimax and the
  non-saturating generator loss as a function of D(G(z)), with respect to the logit or to the
  probability (the saturation plot).
* :func:`value_function_on_grid` — V(D, G) for a discriminator's logits tabulated on a 1-D grid;
  :func:`optimal_value_and_jsd` — V(D*, G) next to -log 4 + 2 JSD(p_data || p_g).
* :func:`train_discriminator_only`, :func:`clone_gan`, :func:`generator_gradient_norm` — a live
  demonstration of saturation: give D a head start, then compare the generator's gradients and
  progress under two losses from the *same* starting point.
* :func:`spectral_norm_estimates` — power iteration for the largest singular value of a weight
  matrix, the quantity spectral normalisation (Miyato et al. 2018) divides by.

Conventions are those of :mod:`ganlib.losses`: discriminators return logits ``l`` and
``D = sigmoid(l)``; losses are batch means.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
import tensorflow as tf

from .. import losses as _losses
from ..validation import as_array, check_choice, check_gan, check_positive_int, check_seed

__all__ = [
    "SATURATION_LOSSES",
    "logit_gradients",
    "generator_loss_gradients",
    "value_function_on_grid",
    "JSDIdentity",
    "optimal_value_and_jsd",
    "train_discriminator_only",
    "clone_gan",
    "generator_gradient_norm",
    "spectral_norm_estimates",
]

#: Generator losses whose input is a logit of D(G(z)) = sigmoid(l) (see
#: :func:`generator_loss_gradients`).
SATURATION_LOSSES = ("minimax", "nonsaturating")

_OPTIMIZERS = ("sgd", "adam")


# --------------------------------------------------------------------------------------------
# gradients of the losses
# --------------------------------------------------------------------------------------------


def _logit_vector(value, name: str) -> np.ndarray:
    arr = as_array(value, name, ndim=(1, 2), min_samples=1)
    if arr.ndim == 2 and arr.shape[1] != 1:
        raise ValueError(f"{name}: expected shape (B,) or (B, 1), got shape {arr.shape}")
    return arr.reshape(-1).astype(np.float64)


def logit_gradients(loss_fn: Callable, *logits) -> tuple[np.ndarray, ...]:
    """Gradients of a scalar loss with respect to each of its logit arguments (autodiff).

    Formula::

        g_j = d loss(l_1, ..., l_k) / d l_j        (one array per argument, shape (B_j,))

    Because the ganlib losses are batch *means*, entry i of g_j is the per-sample derivative
    divided by the batch size B_j. For example, for ``discriminator_loss`` (mean softplus(l) on
    fakes) the fake-logit gradient is ``+sigmoid(l_i) / B``; for ``source_article_loss`` it is
    ``-sigmoid(l_i) / B``: the opposite direction.

    Args:
      loss_fn: callable taking the logit arrays positionally and returning a scalar tensor,
        e.g. ``ganlib.losses.discriminator_loss``.
      *logits: one or more logit arrays, each of shape (B_j,) or (B_j, 1), finite.

    Returns:
      Tuple of float64 NumPy arrays, the j-th of shape (B_j,).
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn: expected a callable returning a scalar loss, got {type(loss_fn).__name__}")
    if len(logits) == 0:
        raise ValueError("logits: expected at least one logit array, got none")
    tensors = [tf.Variable(_logit_vector(v, f"logits[{j}]"), dtype=tf.float64) for j, v in enumerate(logits)]
    with tf.GradientTape() as tape:
        loss = loss_fn(*[tf.identity(t) for t in tensors])
        if loss is None or not (tf.is_tensor(loss) or isinstance(loss, (float, np.floating))):
            raise TypeError(f"loss_fn: expected the callable to return a scalar tensor, got {type(loss).__name__}")
        loss = tf.convert_to_tensor(loss)
        if loss.shape.num_elements() != 1:
            raise ValueError(f"loss_fn: expected a scalar loss, got shape {tuple(loss.shape)}")
    grads = tape.gradient(loss, tensors, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return tuple(np.asarray(g.numpy(), dtype=np.float64).reshape(-1) for g in grads)


def _open_probabilities(value, name: str) -> np.ndarray:
    arr = as_array(value, name, ndim=1, min_samples=1).astype(np.float64)
    if np.any(arr <= 0.0) or np.any(arr >= 1.0):
        raise ValueError(
            f"{name}: expected probabilities strictly between 0 and 1, "
            f"got values in [{arr.min():.4g}, {arr.max():.4g}]"
        )
    return arr


def generator_loss_gradients(d_fake, *, wrt: str = "logit", losses=SATURATION_LOSSES) -> dict[str, np.ndarray]:
    """Per-sample gradient of each generator loss as a function of D(G(z)) (autodiff).

    With l the fake logit and D = sigmoid(l)::

        minimax        L_G = log(1 - D)    dL/dl = -D         dL/dD = -1 / (1 - D)
        nonsaturating  L_G = -log D        dL/dl = -(1 - D)   dL/dD = -1 / D

    With respect to the logit (the variable the network actually produces) the minimax
    gradient vanishes as D -> 0, i.e. exactly when the discriminator confidently rejects the
    fakes; the non-saturating one tends to -1. (With respect to D itself the minimax gradient
    does not vanish, -1/(1-D) -> -1; the factor D (1 - D) of the sigmoid kills it.) The
    values are computed by differentiating :func:`ganlib.losses.minimax_generator_loss` and
    :func:`ganlib.losses.nonsaturating_generator_loss` on a batch of one sample per value.

    Args:
      d_fake: (n,) values of D(G(z)), strictly inside (0, 1).
      wrt: ``"logit"`` (dL/dl) or ``"probability"`` (dL/dD).
      losses: names from :data:`SATURATION_LOSSES`.

    Returns:
      dict name -> float64 array (n,) of per-sample derivatives.
    """
    d = _open_probabilities(d_fake, "d_fake")
    check_choice(wrt, "wrt", ("logit", "probability"))
    if isinstance(losses, str) or not isinstance(losses, (list, tuple)) or len(losses) == 0:
        raise ValueError(f"losses: expected a non-empty list of names from {list(SATURATION_LOSSES)}, got {losses!r}")
    for name in losses:
        check_choice(name, "losses", SATURATION_LOSSES)
    out = {}
    for name in losses:
        g_loss = _losses.get_losses(name).generator
        if wrt == "logit":
            logits = np.log(d) - np.log1p(-d)
            # The loss is a mean over n one-sample "batches": multiply by n for per-sample values.
            (grad,) = logit_gradients(g_loss, logits)
            out[name] = grad * d.size
        else:
            prob = tf.Variable(d, dtype=tf.float64)
            with tf.GradientTape() as tape:
                logit = tf.math.log(prob) - tf.math.log1p(-prob)
                # ganlib losses compute in float32; differentiate the float64 logit map exactly
                # and the loss in float32, as a network would.
                loss = g_loss(logit)
            grad = tape.gradient(loss, prob)
            out[name] = np.asarray(grad.numpy(), dtype=np.float64) * d.size
    return out


# --------------------------------------------------------------------------------------------
# the value function on a grid
# --------------------------------------------------------------------------------------------


def _check_dx(dx) -> float:
    if isinstance(dx, bool) or not isinstance(dx, (int, float, np.integer, np.floating)):
        raise TypeError(f"dx: expected a positive number (the grid spacing), got {type(dx).__name__} {dx!r}")
    dx = float(dx)
    if not (math.isfinite(dx) and dx > 0):
        raise ValueError(f"dx: expected a finite number > 0 (the grid spacing), got {dx}")
    return dx


def value_function_on_grid(logits, p_data, p_g, dx) -> float:
    """V(D, G) for a discriminator tabulated on a uniform 1-D grid (Riemann sum).

    The discriminator is given by its **logits** l, as ganlib's discriminators return them
    (D = sigmoid(l)); this keeps log(1 - D) = log_sigmoid(-l) accurate where D is within
    round-off of 1, where ``1 - D`` would be 0 in floating point. Formula (0 log 0 = 0)::

        V(D, G) = ∫ p_data(x) log D(x) dx + ∫ p_g(x) log(1 - D(x)) dx
                ≈ sum_i [ p_data_i log_sigmoid(l_i) + p_g_i log_sigmoid(-l_i) ] dx

    This is the population version of :func:`ganlib.losses.value_function`. For fixed p_g it
    is maximised pointwise by D* = p_data / (p_data + p_g), i.e. the logit
    l* = log p_data - log p_g; at l ≡ 0 (D ≡ 1/2) it equals -log 4 for any normalised pair of
    densities. Logits may be +/-inf (D = 1 or 0); V is ``-inf`` if D = 0 where p_data > 0 or
    D = 1 where p_g > 0.

    Args:
      logits: the discriminator's logits on the grid, shape (G,), real (+/-inf allowed, no NaN).
      p_data: data density on the grid, shape (G,), >= 0.
      p_g: generator density on the grid, shape (G,), >= 0.
      dx: grid spacing, > 0.

    Returns:
      Python float (possibly ``-inf``).
    """
    l = as_array(logits, "logits", ndim=1, min_samples=1, finite=False).astype(np.float64)
    if np.any(np.isnan(l)):
        raise ValueError(f"logits: expected real numbers (+/-inf allowed), got {int(np.isnan(l).sum())} NaN value(s)")
    p = as_array(p_data, "p_data", ndim=1, min_samples=1, value_range=(0.0, np.inf)).astype(np.float64)
    q = as_array(p_g, "p_g", ndim=1, min_samples=1, value_range=(0.0, np.inf)).astype(np.float64)
    if not (l.shape == p.shape == q.shape):
        raise ValueError(f"logits, p_data, p_g: expected the same shape, got {l.shape}, {p.shape} and {q.shape}")
    dx = _check_dx(dx)
    # log_sigmoid(l) = -log(1 + e^-l) = -logaddexp(0, -l), exact for +/-inf as well.
    log_d = np.where(p > 0, -np.logaddexp(0.0, -np.where(p > 0, l, 0.0)), 0.0)
    log_1md = np.where(q > 0, -np.logaddexp(0.0, np.where(q > 0, l, 0.0)), 0.0)
    return float(np.sum(p * log_d + q * log_1md) * dx)


class JSDIdentity(NamedTuple):
    """V(D*, G) next to the value Theorem 1 of Goodfellow et al. (2014) predicts for it."""

    value: float  #: V(D*, G) = C(G), by :func:`ganlib.losses.value_at_optimal_discriminator`
    jsd: float  #: JSD(p_data || p_g), by :func:`ganlib.losses.jensen_shannon_divergence`
    predicted: float  #: -log 4 + 2 * jsd
    difference: float  #: value - predicted (0 up to round-off for normalised densities)


def optimal_value_and_jsd(p_data, p_g, dx) -> JSDIdentity:
    """Check C(G) = max_D V(D, G) = -log 4 + 2 JSD(p_data || p_g) on a grid.

    Formula::

        C(G) = V(D*, G) = ∫ p_data log(p_data / (p_data + p_g)) + p_g log(p_g / (p_data + p_g)) dx
             = -log 4 + KL(p_data || m) + KL(p_g || m),      m = (p_data + p_g) / 2
             = -log 4 + 2 JSD(p_data || p_g)

    Both sides are computed independently with :mod:`ganlib.losses`; ``difference`` is zero up
    to round-off when sum(p_data) dx = sum(p_g) dx = 1.

    Args:
      p_data, p_g: densities on the same uniform grid, same shape, >= 0.
      dx: grid spacing, > 0.

    Returns:
      :class:`JSDIdentity` ``(value, jsd, predicted, difference)`` of Python floats.
    """
    value = _losses.value_at_optimal_discriminator(p_data, p_g, dx)
    jsd = _losses.jensen_shannon_divergence(p_data, p_g, dx)
    predicted = -math.log(4.0) + 2.0 * jsd
    return JSDIdentity(value, jsd, predicted, value - predicted)


# --------------------------------------------------------------------------------------------
# live demonstration on a GAN
# --------------------------------------------------------------------------------------------


def _check_compiled_gan(gan, *, compiled: bool = True):
    """An unconditional ganlib.GAN (compiled, if asked): ``ganlib.validation.check_gan`` plus
    the one condition this chapter's demonstrations add."""
    check_gan(gan, "gan", conditional=False)
    if compiled and getattr(gan, "d_optimizer", None) is None:
        raise ValueError("gan: call gan.compile(...) (or use ganlib.make_gan) first")
    return gan


def train_discriminator_only(gan, x, *, steps: int, batch_size: int, seed: int = 0) -> float:
    """Give the discriminator a head start: ``steps`` updates of D while G stays fixed.

    Each step draws a minibatch of ``batch_size`` real samples (uniformly, with replacement)
    and fresh noise z ~ N(0, I), and descends the GAN's own discriminator loss
    (``gan.gan_loss.discriminator``, without penalties) with
    ``gan.d_optimizer``. The generator's weights are not touched. This recreates the situation
    early in training in which D rejects the generator's samples with confidence, D(G(z)) ≈ 0.
    Randomness is stateless: the same ``seed`` gives the same batches.

    Args:
      gan: a compiled, unconditional :class:`ganlib.GAN`.
      x: real samples ``(N, ...)`` matching the discriminator's input.
      steps: number of discriminator updates (int >= 1).
      batch_size: samples per minibatch (int >= 1).
      seed: non-negative int.

    Returns:
      The discriminator loss of the last step (Python float).
    """
    _check_compiled_gan(gan)
    x = as_array(x, "x", min_samples=1).astype(np.float32)
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    d_loss_fn = gan.gan_loss.discriminator
    data = tf.constant(x)
    n = x.shape[0]
    disc, gen, opt = gan.discriminator, gan.generator, gan.d_optimizer

    @tf.function
    def run():
        loss = tf.constant(0.0)
        for i in tf.range(steps):
            key = tf.stack([tf.constant(seed, tf.int64), tf.cast(i, tf.int64)])
            idx = tf.random.stateless_uniform([batch_size], seed=key, maxval=n, dtype=tf.int32)
            z = tf.random.stateless_normal([batch_size, gan.latent_dim], seed=key + tf.constant([0, 1 << 40], tf.int64))
            real = tf.gather(data, idx)
            fake = gen(z, training=True)
            with tf.GradientTape() as tape:
                loss = d_loss_fn(disc(real, training=True), disc(fake, training=True))
            grads = tape.gradient(loss, disc.trainable_weights)
            opt.apply_gradients(zip(grads, disc.trainable_weights))
        return loss

    return float(run())


def clone_gan(
    gan,
    *,
    loss: str | None = None,
    optimizer: str = "adam",
    learning_rate: float = 2e-4,
    beta_1: float = 0.5,
    steps_per_execution: int = 1,
    seed: int = 0,
    **gan_kwargs,
):
    """A new, compiled GAN with copies of ``gan``'s two networks (same weights), fresh optimizers.

    Two clones of one GAN start from the *same* point, so a difference between them after
    training is caused by what differs (the loss, the optimizer), not by the initialisation.

    Args:
      gan: an unconditional :class:`ganlib.GAN` (built; it need not be compiled).
      loss: loss name for the clone (default: ``gan.loss_name``), see
        :data:`ganlib.losses.LOSS_NAMES`.
      optimizer: ``"adam"`` (Adam(learning_rate, beta_1)) or ``"sgd"`` (plain gradient descent
        with ``learning_rate``), one instance per player.
      learning_rate: step size for both players (finite, >= 0).
      beta_1: Adam's first-moment decay (ignored for SGD).
      steps_per_execution: training steps per compiled call.
      seed: seed of the clone's noise streams.
      **gan_kwargs: further :class:`ganlib.GAN` options (``d_steps``, ``update``, penalties).

    Returns:
      The compiled clone.
    """
    import keras

    from ..training import GAN

    _check_compiled_gan(gan, compiled=False)
    loss = gan.loss_name if loss is None else check_choice(loss, "loss", _losses.LOSS_NAMES)
    check_choice(optimizer, "optimizer", _OPTIMIZERS)
    for name, value in (("learning_rate", learning_rate), ("beta_1", beta_1)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name}: expected a finite number >= 0, got {value}")
    steps_per_execution = check_positive_int(steps_per_execution, "steps_per_execution")
    seed = check_seed(seed)

    def copy(model):
        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        return clone

    def make_optimizer():
        if optimizer == "sgd":
            return keras.optimizers.SGD(float(learning_rate))
        return keras.optimizers.Adam(float(learning_rate), beta_1=float(beta_1))

    new = GAN(copy(gan.generator), copy(gan.discriminator), loss=loss, seed=seed, **gan_kwargs)
    new.compile(g_optimizer=make_optimizer(), d_optimizer=make_optimizer(), steps_per_execution=steps_per_execution)
    return new


def generator_gradient_norm(gan, loss: str | None = None, *, n: int = 512, seed: int = 0) -> float:
    """Size of the generator's learning signal: ‖∂L_G/∂θ_G‖₂ at the current weights.

    Formula (θ_G: all trainable generator weights, z_i from ``gan.sample_noise(n, seed)``)::

        L_G = g_loss( D(G(z_1..z_n)) ),     returns sqrt( sum over all weights of (∂L_G/∂θ)^2 )

    The gradient reaches θ_G only *through* the discriminator: the chain rule multiplies
    ∂L_G/∂l (the loss's derivative at D's logit) by ∂l/∂x (D's input gradient) by ∂x/∂θ_G.
    If D is constant, the result is exactly 0.

    Args:
      gan: an unconditional :class:`ganlib.GAN`.
      loss: which generator loss (name in :data:`ganlib.losses.LOSS_NAMES`; default the GAN's).
      n: number of noise samples (int >= 1).
      seed: noise seed (non-negative int).

    Returns:
      Python float >= 0.
    """
    _check_compiled_gan(gan, compiled=False)
    loss = gan.loss_name if loss is None else check_choice(loss, "loss", _losses.LOSS_NAMES)
    n = check_positive_int(n, "n")
    seed = check_seed(seed)
    g_loss = _losses.get_losses(loss).generator
    z = tf.constant(gan.sample_noise(n, seed))
    weights = gan.generator.trainable_weights
    with tf.GradientTape() as tape:
        value = g_loss(gan.discriminator(gan.generator(z, training=False), training=False))
    grads = tape.gradient(value, weights, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return float(tf.linalg.global_norm([tf.cast(g, tf.float32) for g in grads]))


# --------------------------------------------------------------------------------------------
# spectral norm
# --------------------------------------------------------------------------------------------


def spectral_norm_estimates(kernel, n_iter: int = 10, seed: int = 0) -> np.ndarray:
    """Power-iteration estimates of the largest singular value σ_max(W) of a weight matrix.

    Algorithm (Miyato et al. 2018 run one step per training update, reusing u)::

        u_0 ~ N(0, I) normalised (u has the length of W's output dimension)
        for t = 1..n_iter:  v = normalise(W^T u);  u = normalise(W v);  sigma_t = u^T W v

    sigma_t increases to σ_max(W) (= ``np.linalg.norm(W, 2)``) geometrically, at the rate
    (σ_2 / σ_1)^2 per step. Spectral normalisation uses W / σ_max(W), which makes the linear
    map 1-Lipschitz. A Keras ``Dense`` kernel has shape (inputs, outputs) and computes x W, so
    σ_max of W and of W^T coincide; any 2-D matrix is accepted.

    Args:
      kernel: 2-D array (m, k), finite, not all zero.
      n_iter: number of power iterations (int >= 1).
      seed: seed of the random start vector.

    Returns:
      float64 array (n_iter,) of estimates sigma_1 .. sigma_n_iter.
    """
    w = as_array(kernel, "kernel", ndim=2, min_samples=1).astype(np.float64)
    if w.shape[1] == 0:
        raise ValueError(f"kernel: expected a non-empty 2-D array, got shape {w.shape}")
    if not np.any(w):
        raise ValueError("kernel: expected a matrix with at least one non-zero entry, got all zeros")
    n_iter = check_positive_int(n_iter, "n_iter")
    seed = check_seed(seed)
    wt = w.T  # (k, m): the map v -> W^T... written so that u lives in R^m
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(w.shape[0])
    u /= np.linalg.norm(u)
    out = np.empty(n_iter)
    for t in range(n_iter):
        v = wt @ u
        v /= max(np.linalg.norm(v), 1e-300)
        u = w @ v
        u /= max(np.linalg.norm(u), 1e-300)
        out[t] = float(u @ w @ v)
    return out
