"""A variational autoencoder (Kingma & Welling 2013) for the book's "GAN vs VAE" comparison.

The VAE maximises the evidence lower bound (ELBO) of ``log p(x)``:

    ELBO(x) = E_{q(z|x)}[log p(x|z)] - KL(q(z|x) || p(z)),

with encoder ``q(z|x) = N(mu(x), diag(sigma^2(x)))``, prior ``p(z) = N(0, I)`` and a Bernoulli
decoder ``p(x|z) = prod_j Bernoulli(x_j; lambda_j)``, ``lambda_j = sigmoid(logit_j(z))``.
Training minimises ``-ELBO = reconstruction_loss + kl_loss`` averaged over the batch, with
``z = mu + sigma * eps``, ``eps ~ N(0, I)`` (the reparameterisation trick) so gradients flow
through the sampling.

**What the likelihood is a likelihood of.** The Bernoulli decoder is a probability mass function
on *binary* images: ``sum_{x in {0,1}} lambda^x (1 - lambda)^(1 - x) = 1``. It is not a density
for grey values ``x in [0, 1]``: ``integral_0^1 lambda^x (1 - lambda)^(1 - x) dx
= (2 lambda - 1) / logit(lambda)``, which is at most ``1/2`` (its value at ``lambda = 1/2``);
the missing normaliser is the continuous Bernoulli's ``C(lambda)`` (Loaiza-Ganem &
Cunningham 2019). So ``-ELBO`` is an upper bound on ``-log p(x)`` (in nats) only for binary
``x``. ganlib models **binarised digits**: a grey value is read as the probability of ink,
``x_b ~ Bernoulli(x)`` (stochastic binarisation). :func:`binarize` draws a fixed binary copy
(for a test set); ``VAE(dynamic_binarization=True)`` draws a fresh one in every training step
(as in Burda et al. 2016). Because the Bernoulli log-likelihood is linear in ``x``,

    E_{x_b ~ Bernoulli(x)}[log p(x_b | z)] = sum_j [x_j log lambda_j + (1 - x_j) log(1 - lambda_j)],

i.e. the cross-entropy with grey targets is the *expected* log-likelihood of the binarised image,
and the decoder mean ``lambda = E[x_b | z]`` is on the scale of the grey values.

Images follow ganlib's format: ``float32`` ``(N, 28, 28, 1)`` in ``[0, 1]``.
"""

from __future__ import annotations

import numpy as np

import keras
from keras import layers, ops

from .training import ReplicaMean
from .validation import as_array, check_bool, check_images, check_positive_int, check_seed

__all__ = ["VAE", "vae_kl_divergence", "bernoulli_reconstruction_loss", "binarize"]

_IMAGE_SHAPE = (28, 28, 1)


def _as_float_tensor(value, name: str):
    """A float32 tensor from an array or tensor; symbolic (graph) tensors pass through."""
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise TypeError(f"{name}: expected an array or tensor of numbers, got {type(value).__name__}")
    if not (hasattr(value, "shape") and hasattr(value, "dtype")):
        value = as_array(value, name)
    elif isinstance(value, np.ndarray):
        value = as_array(value, name)
    tensor = ops.convert_to_tensor(value)
    if not keras.backend.is_float_dtype(tensor.dtype):
        if "int" in str(tensor.dtype):
            tensor = ops.cast(tensor, "float32")
        else:
            raise TypeError(f"{name}: expected real numbers, got dtype {tensor.dtype}")
    return ops.cast(tensor, "float32")


def vae_kl_divergence(mean, log_var):
    """KL divergence of a diagonal Gaussian from the standard normal, per example.

    ``KL(N(mu, diag(sigma^2)) || N(0, I)) = -1/2 * sum_k (1 + log sigma_k^2 - mu_k^2 - sigma_k^2)``

    Args:
      mean: ``mu``, shape ``(B, k)``, float (NumPy array or tensor).
      log_var: ``log sigma^2``, shape ``(B, k)``, float.

    Returns:
      Tensor ``(B,)`` float32, the KL divergence of each example (>= 0, in nats).
    """
    mean = _as_float_tensor(mean, "mean")
    log_var = _as_float_tensor(log_var, "log_var")
    if len(mean.shape) != 2:
        raise ValueError(f"mean: expected a 2-D array (batch, latent_dim), got shape {tuple(mean.shape)}")
    if tuple(log_var.shape) != tuple(mean.shape):
        raise ValueError(
            f"log_var: expected the shape of mean {tuple(mean.shape)}, got shape {tuple(log_var.shape)}"
        )
    return -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)


def bernoulli_reconstruction_loss(x, logits):
    """Negative Bernoulli log-likelihood ``-log p(x|z)`` summed over pixels, per example.

    ``-log p(x|z) = -sum_j [x_j log sigmoid(l_j) + (1 - x_j) log(1 - sigmoid(l_j))]
    = sum_j [softplus(l_j) - x_j l_j]``, evaluated as
    ``max(l, 0) - x l + log(1 + exp(-|l|))`` (binary cross-entropy from logits), which never
    overflows.

    For binary ``x`` this is a negative log-probability (``exp(-loss)`` sums to 1 over
    ``x in {0, 1}``). For grey ``x`` it is the expected loss of the binarised image
    ``x_b ~ Bernoulli(x)``, not a negative log-density of ``x`` (see the module docstring).

    Args:
      x: targets in ``[0, 1]``, shape ``(B, ...)`` (e.g. ``(B, 28, 28, 1)``), float.
      logits: decoder logits ``l``, same shape as ``x``.

    Returns:
      Tensor ``(B,)`` float32: the loss of each example, summed over all non-batch axes.
    """
    x = _as_float_tensor(x, "x")
    logits = _as_float_tensor(logits, "logits")
    if len(x.shape) < 2:
        raise ValueError(f"x: expected an array (batch, ...) with at least 2 dimensions, got shape {tuple(x.shape)}")
    if tuple(logits.shape) != tuple(x.shape):
        raise ValueError(f"logits: expected the shape of x {tuple(x.shape)}, got shape {tuple(logits.shape)}")
    per_pixel = ops.relu(logits) - x * logits + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


def binarize(x, seed: int = 0) -> np.ndarray:
    """Stochastic binarisation: each pixel becomes 1 with probability equal to its grey value.

    ``x_b[i] = 1[u_i < x_i]`` with ``u_i ~ U(0, 1)`` drawn by ``np.random.default_rng(seed)``, so
    ``P(x_b[i] = 1) = x_i`` and ``E[x_b] = x``: pixels at 0 stay 0, pixels at 1 stay 1, a pixel
    at 0.3 is ink in 30 % of the draws. Use it to fix one binary copy of a test set, on which the
    Bernoulli ``-ELBO`` is a bound on ``-log p(x_b)`` (see the module docstring).

    Args:
      x: values in ``[0, 1]``, shape ``(N, ...)`` with ``N >= 1``.
      seed: seed of the uniform draws (int >= 0); the same seed gives the same copy.

    Returns:
      ``np.ndarray`` of ``x``'s shape, float32, values in ``{0, 1}``.
    """
    x = check_images(x, "x", value_range=(0.0, 1.0))
    seed = check_seed(seed)
    u = np.random.default_rng(seed).random(x.shape, dtype=np.float32)
    return (u < x).astype(np.float32)


class VAE(keras.Model):
    """Variational autoencoder for MNIST with MLP encoder and decoder (Kingma & Welling 2013).

    Encoder: ``Flatten -> Dense(hidden_units, relu) -> [Dense(latent_dim) = mu,
    Dense(latent_dim) = log sigma^2]``. Decoder: ``Dense(hidden_units, relu) -> Dense(784) ->
    Reshape(28, 28, 1)``, returning Bernoulli *logits*; ``sigmoid`` of them is the decoder mean
    in ``[0, 1]`` (:meth:`decode`). The loss per batch is

    ``loss = mean_i [ bernoulli_reconstruction_loss(x_i, logits(z_i)) + vae_kl_divergence(mu_i, log_var_i) ]``

    with ``z_i = mu_i + exp(log_var_i / 2) * eps_i``, ``eps_i ~ N(0, I)`` drawn with a
    ``keras.random.SeedGenerator(seed)``. With ``dynamic_binarization=True`` every training batch
    is first binarised afresh, ``x_b = 1[u < x]`` with ``u ~ U(0, 1)`` from the same seed
    generator, and the model is trained on ``x_b`` (encoder input and reconstruction target): it
    is then a model of binary images, and ``-ELBO`` on binary data (e.g. ``binarize(x_test)``)
    is an upper bound on ``-log p(x_b)``. ``fit`` reports ``loss``, ``reconstruction_loss`` and
    ``kl_loss`` (means over the epoch); ``evaluate`` reports the same one-sample estimate of
    ``-ELBO`` on the data it is given, never binarised. Compile with an optimizer only:
    ``vae.compile(optimizer=keras.optimizers.Adam(1e-3))``.

    Args:
      latent_dim: size of ``z`` (int >= 1).
      hidden_units: width of the hidden layer in encoder and decoder (int >= 1).
      seed: seed of the sampling noise in training (int >= 0).
      dynamic_binarization: binarise each training batch afresh (bool; default ``False``: train on
        the images as given, for which ``-ELBO`` is a bound only if they are binary).
      **kwargs: passed to ``keras.Model`` (e.g. ``name``).

    Attributes:
      encoder: ``keras.Model`` images ``(B, 28, 28, 1)`` -> ``[mean (B, k), log_var (B, k)]``.
      decoder: ``keras.Model`` ``z (B, k)`` -> logits ``(B, 28, 28, 1)`` float32.
    """

    def __init__(self, latent_dim: int = 16, hidden_units: int = 256, seed: int = 0,
                 dynamic_binarization: bool = False, **kwargs):
        latent_dim = check_positive_int(latent_dim, "latent_dim")
        hidden_units = check_positive_int(hidden_units, "hidden_units")
        seed = check_seed(seed)
        dynamic_binarization = check_bool(dynamic_binarization, "dynamic_binarization")
        kwargs.setdefault("name", "vae")
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.hidden_units = hidden_units
        self.seed = seed
        self.dynamic_binarization = dynamic_binarization

        image = keras.Input(shape=_IMAGE_SHAPE, dtype="float32", name="image")
        h = layers.Flatten(name="flatten")(image)
        h = layers.Dense(hidden_units, activation="relu", name="encoder_hidden")(h)
        mean = layers.Dense(latent_dim, dtype="float32", name="z_mean")(h)
        log_var = layers.Dense(latent_dim, dtype="float32", name="z_log_var")(h)
        self.encoder = keras.Model(image, [mean, log_var], name="encoder")

        z = keras.Input(shape=(latent_dim,), dtype="float32", name="z")
        h = layers.Dense(hidden_units, activation="relu", name="decoder_hidden")(z)
        h = layers.Dense(28 * 28, dtype="float32", name="pixel_logits")(h)
        logits = layers.Reshape(_IMAGE_SHAPE, dtype="float32", name="logits")(h)
        self.decoder = keras.Model(z, logits, name="decoder")

        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = ReplicaMean(name="loss")
        self.reconstruction_loss_tracker = ReplicaMean(name="reconstruction_loss")
        self.kl_loss_tracker = ReplicaMean(name="kl_loss")
        # encoder and decoder are functional models with their weights already created
        self.built = True

    # -- keras.Model plumbing ------------------------------------------------------------------

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def get_config(self):
        return {"latent_dim": self.latent_dim, "hidden_units": self.hidden_units, "seed": self.seed,
                "dynamic_binarization": self.dynamic_binarization, "name": self.name}

    def _sample_z(self, mean, log_var):
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def call(self, inputs, training=False):
        """Decoder mean ``(B, 28, 28, 1)`` in [0, 1] of ``z ~ q(z|x)`` (training) or ``z = mu``."""
        mean, log_var = self.encoder(inputs, training=training)
        z = self._sample_z(mean, log_var) if training else mean
        return ops.sigmoid(self.decoder(z, training=training))

    def _binarize_batch(self, x):
        """``1[u < x]`` with ``u ~ U(0, 1)`` from the model's seed generator (float32 0/1)."""
        u = keras.random.uniform(ops.shape(x), seed=self.seed_generator)
        return ops.cast(ops.less(u, x), "float32")

    def _elbo_terms(self, data, training: bool):
        x = data[0] if isinstance(data, (tuple, list)) else data
        x = ops.cast(x, "float32")
        if training and self.dynamic_binarization:
            x = self._binarize_batch(x)
        mean, log_var = self.encoder(x, training=training)
        z = self._sample_z(mean, log_var)
        logits = self.decoder(z, training=training)
        reconstruction = ops.mean(bernoulli_reconstruction_loss(x, logits))
        kl = ops.mean(vae_kl_divergence(mean, log_var))
        return reconstruction + kl, reconstruction, kl

    def _update_metrics(self, total, reconstruction, kl):
        self.loss_tracker.update_state(total)
        self.reconstruction_loss_tracker.update_state(reconstruction)
        self.kl_loss_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            total, reconstruction, kl = self._elbo_terms(data, training=True)
        grads = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self._update_metrics(total, reconstruction, kl)

    def test_step(self, data):
        total, reconstruction, kl = self._elbo_terms(data, training=False)
        return self._update_metrics(total, reconstruction, kl)

    # -- convenience methods (NumPy in, NumPy out) ----------------------------------------------

    def _images(self, x, name: str = "x") -> np.ndarray:
        return check_images(x, name, shape=(None, *_IMAGE_SHAPE), value_range=(0.0, 1.0))

    def encode(self, x):
        """Parameters of ``q(z|x)``.

        Args:
          x: images ``(N, 28, 28, 1)`` float in ``[0, 1]``.

        Returns:
          ``(mean, log_var)``: two ``np.ndarray`` of shape ``(N, latent_dim)``, float32.
        """
        mean, log_var = self.encoder(self._images(x), training=False)
        return np.asarray(mean), np.asarray(log_var)

    def decode(self, z):
        """Decoder mean ``sigmoid(logits(z))`` = ``E[x | z]``.

        Args:
          z: latent codes ``(N, latent_dim)`` float.

        Returns:
          ``np.ndarray`` ``(N, 28, 28, 1)`` float32 in ``[0, 1]``.
        """
        z = as_array(z, "z", shape=(None, self.latent_dim), min_samples=1).astype(np.float32, copy=False)
        return np.asarray(ops.sigmoid(self.decoder(z, training=False)))

    def generate(self, n: int, seed: int = 0):
        """Sample images: decoder means of ``z ~ N(0, I)`` drawn with ``np.random.default_rng(seed)``.

        Args:
          n: number of images (int >= 1).
          seed: seed of the latent draws (int >= 0); the same seed gives the same images.

        Returns:
          ``np.ndarray`` ``(n, 28, 28, 1)`` float32 in ``[0, 1]``.
        """
        n = check_positive_int(n, "n")
        seed = check_seed(seed)
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)
        return self.decode(z)

    def reconstruct(self, x):
        """Deterministic reconstruction: the decoder mean at ``z = mu(x)``.

        Args:
          x: images ``(N, 28, 28, 1)`` float in ``[0, 1]``.

        Returns:
          ``np.ndarray`` ``(N, 28, 28, 1)`` float32 in ``[0, 1]``.
        """
        mean, _ = self.encode(x)
        return self.decode(mean)
