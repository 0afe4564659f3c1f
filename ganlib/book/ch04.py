"""Reference training loops: the source article's code, its corrected Keras form, and the TF tutorial's.

Three ways of training a GAN that the book (chapter 4) and the benchmarks compare with
:class:`ganlib.GAN`:

* :data:`SOURCE_ARTICLE_CODE` — the source article's §4 code **verbatim** (it cannot run: it
  never imports NumPy, and its reshape cannot work). :func:`patched_source_code` applies the
  smallest textual patches that let it run, and :func:`run_source_article_code` runs it while
  recording what it does (weights before/after, every ``train_on_batch`` call and its labels),
  which is how the book *shows* each of its bugs. :func:`source_article_counts` is the closed
  form of what its loops do.
* :func:`train_on_batch_gan` — the source's ``train_on_batch`` pattern, **corrected**: real data,
  real labelled 1 and fake 0, alternating discriminator and generator updates, and a combined
  model ``z -> D(G(z))`` with the discriminator frozen for the generator's update (benchmark
  baseline (b)).
* :func:`make_tutorial_train_step` / :func:`train_tutorial_loop` — the TensorFlow DCGAN
  tutorial's explicit ``@tf.function`` step with two ``GradientTape`` s (benchmark baseline (a)).

All three work with ganlib's models (images ``(B, 28, 28, 1)`` in ``[0, 1]``, discriminators
returning logits).
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

import numpy as np

from ..validation import as_array, check_model, check_positive_int

__all__ = [
    "SOURCE_ARTICLE_BLOCKS",
    "SOURCE_ARTICLE_CODE",
    "patched_source_code",
    "source_diff",
    "with_line_numbers",
    "run_source_article_code",
    "SourceArticleRun",
    "source_article_counts",
    "train_on_batch_gan",
    "tutorial_discriminator_loss",
    "tutorial_generator_loss",
    "make_tutorial_train_step",
    "train_tutorial_loop",
]

# --------------------------------------------------------------------------------------------
# The source article's code, verbatim
# --------------------------------------------------------------------------------------------

#: The four code blocks of the source article's §4 (具体代码实例和详细解释说明), exactly as printed.
SOURCE_ARTICLE_BLOCKS: tuple[str, ...] = (
    """\
import tensorflow as tf
from tensorflow.keras.layers import Input, Dense, Flatten, Reshape
from tensorflow.keras.models import Model
""",
    """\
def generator_model():
    input_layer = Input(shape=(100,))
    hidden_layer = Dense(256, activation='relu')(input_layer)
    output_layer = Dense(784, activation='sigmoid')(hidden_layer)
    model = Model(inputs=input_layer, outputs=output_layer)
    return model

def discriminator_model():
    input_layer = Input(shape=(784,))
    hidden_layer = Dense(256, activation='relu')(input_layer)
    output_layer = Dense(1, activation='sigmoid')(hidden_layer)
    model = Model(inputs=input_layer, outputs=output_layer)
    return model
""",
    """\
def train_generator(generator, discriminator, real_images, batch_size, epochs):
    for epoch in range(epochs):
        for _ in range(batch_size):
            noise = np.random.normal(0, 1, (batch_size, 100))
            generated_images = generator.predict(noise)
            real_combined_images = np.concatenate([real_images, generated_images])
            real_combined_images = real_combined_images.reshape((2 * batch_size, 784))
            labels = np.ones((2 * batch_size, 1))
            loss_value = discriminator.train_on_batch(real_combined_images, labels)
        noise = np.random.normal(0, 1, (batch_size, 100))
        generated_images = generator.predict(noise)
        labels = np.zeros((batch_size, 1))
        loss_value = discriminator.train_on_batch(generated_images, labels)
    return generator

def train_discriminator(generator, discriminator, real_images, batch_size, epochs):
    for epoch in range(epochs):
        noise = np.random.normal(0, 1, (batch_size, 100))
        generated_images = generator.predict(noise)
        combined_images = np.concatenate([generated_images, real_images])
        combined_images = combined_images.reshape((2 * batch_size, 784))
        labels = np.zeros((2 * batch_size, 1))
        loss_value = discriminator.train_on_batch(combined_images, labels)
        labels = np.ones((batch_size, 1))
        loss_value = discriminator.train_on_batch(real_images, labels)
    return discriminator
""",
    """\
generator = generator_model()
discriminator = discriminator_model()

real_images = np.random.uniform(0, 1, (10000, 784))

generator.compile(loss='binary_crossentropy', optimizer='adam')
discriminator.compile(loss='binary_crossentropy', optimizer='adam')

generator = train_generator(generator, discriminator, real_images, batch_size=128, epochs=50)
discriminator = train_discriminator(generator, discriminator, real_images, batch_size=128, epochs=50)
""",
)

#: The source's §4 code: its four blocks concatenated in order (one blank line between blocks).
#: Executing it raises ``NameError: name 'np' is not defined`` (NumPy is never imported).
SOURCE_ARTICLE_CODE: str = "\n".join(SOURCE_ARTICLE_BLOCKS)

_SOURCE_BATCH, _SOURCE_EPOCHS = 128, 50
_REAL_IMAGES_LINE = "real_images = np.random.uniform(0, 1, (10000, 784))"
_BUDGET_TEXT = "batch_size=128, epochs=50"
_TRAIN_G_LINE = "generator = train_generator("
_TRAIN_D_LINE = "discriminator = train_discriminator("


def _replace_exactly(code: str, old: str, new: str, count: int) -> str:
    found = code.count(old)
    if found != count:  # the verbatim text changed: fail loudly rather than patch the wrong thing
        raise RuntimeError(f"expected {count} occurrence(s) of {old!r} in the source code, found {found}")
    return code.replace(old, new)


def patched_source_code(
    *,
    import_numpy: bool = False,
    n_real: int | None = None,
    batch_size: int | None = None,
    epochs: int | None = None,
) -> str:
    """The source's §4 code with the smallest textual patches, one switch per patch.

    Every patch changes one thing and nothing else, so a run shows the next bug in line:

    * ``import_numpy=True`` adds ``import numpy as np`` as the first line (bug 1: the source
      uses ``np`` without importing it).
    * ``n_real=k`` makes ``real_images`` ``k`` rows instead of 10,000. Only ``k == batch_size``
      lets the reshapes ``(2 * batch_size, 784)`` and ``train_on_batch(real_images, labels)``
      succeed (bug 5: the loops concatenate *all* real images with one generated batch).
    * ``batch_size=b`` / ``epochs=e`` replace ``batch_size=128, epochs=50`` in both training calls
      (a budget, not a fix: the source's loops would make 6,500 ``predict`` calls).

    With no argument set the result equals :data:`SOURCE_ARTICLE_CODE`.

    Args:
      import_numpy: add the missing NumPy import.
      n_real: rows of the "real images" array (int >= 1), default the source's 10,000.
      batch_size: the batch size passed to both training functions (int >= 1), default 128.
      epochs: the epochs passed to both training functions (int >= 1), default 50.

    Returns:
      The patched code (``str``); :func:`source_diff` shows what changed.
    """
    if not isinstance(import_numpy, (bool, np.bool_)):
        raise TypeError(f"import_numpy: expected True or False, got {type(import_numpy).__name__} {import_numpy!r}")
    code = SOURCE_ARTICLE_CODE
    if import_numpy:
        code = "import numpy as np\n" + code
    if n_real is not None:
        n_real = check_positive_int(n_real, "n_real")
        code = _replace_exactly(code, _REAL_IMAGES_LINE, _REAL_IMAGES_LINE.replace("10000", str(n_real)), 1)
    if batch_size is not None or epochs is not None:
        b = _SOURCE_BATCH if batch_size is None else check_positive_int(batch_size, "batch_size")
        e = _SOURCE_EPOCHS if epochs is None else check_positive_int(epochs, "epochs")
        code = _replace_exactly(code, _BUDGET_TEXT, f"batch_size={b}, epochs={e}", 2)
    return code


def source_diff(code: str) -> str:
    """A unified diff (no context lines) from :data:`SOURCE_ARTICLE_CODE` to ``code``.

    Args:
      code: a patched version of the source, e.g. from :func:`patched_source_code`.

    Returns:
      The diff as text: ``-`` lines are the source's, ``+`` lines the patch's; ``""`` if equal.
    """
    if not isinstance(code, str):
        raise TypeError(f"code: expected a str, got {type(code).__name__}")
    lines = difflib.unified_diff(
        SOURCE_ARTICLE_CODE.splitlines(), code.splitlines(), "source article", "patched", lineterm="", n=0
    )
    return "\n".join(line for line in lines if not line.startswith("@@"))


def with_line_numbers(code: str) -> str:
    """``code`` with right-aligned line numbers, ``" 7 | ..."``, for referring to lines in prose.

    Args:
      code: source text (trailing newlines are dropped).

    Returns:
      The numbered text (``str``), one output line per input line.
    """
    if not isinstance(code, str):
        raise TypeError(f"code: expected a str, got {type(code).__name__}")
    lines = code.rstrip("\n").splitlines()
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}} | {line}" for i, line in enumerate(lines, 1))


def source_article_counts(batch_size: int = _SOURCE_BATCH, epochs: int = _SOURCE_EPOCHS) -> dict:
    """What the source's two training functions do, in closed form (for ``n_real == batch_size``,
    the only case in which they run).

    With ``B = batch_size`` and ``E = epochs``:

    * ``train_generator``: per epoch ``B`` discriminator steps on ``B`` real + ``B`` fake rows,
      **all labelled 1**, then one step on ``B`` fake rows labelled 0 — so ``E*B^2`` fake rows
      are labelled real and ``E*B`` fake. ``predict`` is called ``E*(B + 1)`` times.
    * ``train_discriminator``: per epoch one step on ``B`` fake + ``B`` real rows **all labelled
      0**, then one on the ``B`` real rows labelled 1. ``predict`` is called ``E`` times.

    Overall the fraction of generated rows labelled "real" is ``B / (B + 2)``.

    Args:
      batch_size: ``B`` (int >= 1), default the source's 128.
      epochs: ``E`` (int >= 1), default the source's 50.

    Returns:
      ``dict`` with ``"predict_calls"`` (int), ``"train_on_batch_calls"`` (int) and, for each
      phase ``"train_generator"`` / ``"train_discriminator"``, a dict of row counts
      ``real_labelled_real``, ``real_labelled_fake``, ``fake_labelled_real``, ``fake_labelled_fake``.
    """
    b = check_positive_int(batch_size, "batch_size")
    e = check_positive_int(epochs, "epochs")
    return {
        "predict_calls": e * (b + 1) + e,
        "train_on_batch_calls": e * (b + 1) + 2 * e,
        "train_generator": {
            "real_labelled_real": e * b * b,
            "real_labelled_fake": 0,
            "fake_labelled_real": e * b * b,
            "fake_labelled_fake": e * b,
        },
        "train_discriminator": {
            "real_labelled_real": e * b,
            "real_labelled_fake": e * b,
            "fake_labelled_real": 0,
            "fake_labelled_fake": e * b,
        },
    }


_PHASES = ("initial", "after_train_generator", "after_train_discriminator")
_COUNT_KEYS = ("real_labelled_real", "real_labelled_fake", "fake_labelled_real", "fake_labelled_fake")


class SourceArticleRun(NamedTuple):
    """What :func:`run_source_article_code` observed."""

    namespace: dict  #: the executed code's globals (``generator``, ``discriminator``, ``real_images``, ...)
    weights: dict  #: phase -> {"generator": [arrays], "discriminator": [arrays]}, phases as in :data:`_PHASES`
    calls: list  #: one dict per ``generator.predict`` / ``discriminator.train_on_batch`` call, in order

    def changed(self, model: str, before: str = "initial", after: str = "after_train_discriminator") -> bool:
        """Whether any weight of ``model`` (``"generator"`` or ``"discriminator"``) differs
        between phases ``before`` and ``after`` (``"initial"``, ``"after_train_generator"``,
        ``"after_train_discriminator"``)."""
        if model not in ("generator", "discriminator"):
            raise ValueError(f"model: expected 'generator' or 'discriminator', got {model!r}")
        for name, phase in (("before", before), ("after", after)):
            if phase not in self.weights:
                raise ValueError(f"{name}: expected one of {list(self.weights)}, got {phase!r}")
        return any(
            not np.array_equal(a, b) for a, b in zip(self.weights[before][model], self.weights[after][model])
        )

    def counts(self) -> dict:
        """The recorded calls summarised like :func:`source_article_counts` (same keys)."""
        out = {
            "predict_calls": sum(c["method"] == "generator.predict" for c in self.calls),
            "train_on_batch_calls": sum(c["method"] == "discriminator.train_on_batch" for c in self.calls),
        }
        for phase in ("train_generator", "train_discriminator"):
            out[phase] = {
                k: sum(c.get(k, 0) for c in self.calls if c["phase"] == phase) for k in _COUNT_KEYS
            }
        return out


def _split_last_block(code: str) -> tuple[str, str, str]:
    """Split the code into (set-up, the ``train_generator`` line, the ``train_discriminator`` line)."""
    lines = code.splitlines()
    i_g = [i for i, line in enumerate(lines) if line.startswith(_TRAIN_G_LINE)]
    i_d = [i for i, line in enumerate(lines) if line.startswith(_TRAIN_D_LINE)]
    if len(i_g) != 1 or len(i_d) != 1 or i_d[0] != i_g[0] + 1:
        raise RuntimeError("the source code's two training calls were not found where expected")
    return "\n".join(lines[: i_g[0]]), lines[i_g[0]], "\n".join(lines[i_d[0] :])


def run_source_article_code(
    *,
    import_numpy: bool = True,
    n_real: int | None = None,
    batch_size: int | None = None,
    epochs: int | None = None,
    seed: int = 0,
) -> SourceArticleRun:
    """Run :func:`patched_source_code` and record what the source's loops do.

    The code runs in a fresh namespace after ``keras.utils.set_random_seed(seed)`` (which also
    seeds the NumPy global generator the source draws from). Three instrumentation points are
    added *around* the code, never inside it:

    * the weights of both models are copied before training, after ``train_generator`` and
      after ``train_discriminator`` (:attr:`SourceArticleRun.weights`);
    * every ``discriminator.train_on_batch(x, labels)`` call is recorded with its phase, its
      number of rows and how many real / generated rows got label 1 / 0 (a row counts as real
      if it equals a row of ``real_images``);
    * every ``generator.predict`` call is recorded, and run with ``verbose=0`` (this silences
      Keras' per-call progress bar; it changes nothing else).

    Errors of the code itself (``NameError``, the reshape's ``ValueError``, ...) propagate
    unchanged: the book shows them.

    Args:
      import_numpy, n_real, batch_size, epochs: the patches of :func:`patched_source_code`.
        ``import_numpy`` defaults to ``True`` here (without it nothing runs).
      seed: int >= 0 for ``keras.utils.set_random_seed``.

    Returns:
      :class:`SourceArticleRun` (namespace, weights per phase, recorded calls).
    """
    import keras

    seed = check_positive_int(seed, "seed", minimum=0)
    code = patched_source_code(import_numpy=import_numpy, n_real=n_real, batch_size=batch_size, epochs=epochs)
    setup, train_g, train_d = _split_last_block(code)
    keras.utils.set_random_seed(seed)
    ns: dict = {"__name__": "source_article"}
    exec(compile(setup, "<source article>", "exec"), ns)  # noqa: S102 - running the printed code is the point
    generator, discriminator = ns["generator"], ns["discriminator"]
    real_rows = {np.asarray(row, dtype=np.float64).tobytes() for row in np.asarray(ns["real_images"])}
    calls: list = []
    state = {"phase": "set-up"}
    original_predict, original_train = generator.predict, discriminator.train_on_batch

    def predict(x, *args, **kwargs):
        kwargs["verbose"] = 0
        out = original_predict(x, *args, **kwargs)
        calls.append({"phase": state["phase"], "method": "generator.predict", "rows": int(len(out))})
        return out

    def train_on_batch(x, y=None, *args, **kwargs):
        xs = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        labels = np.asarray(y).reshape(-1)
        record = {"phase": state["phase"], "method": "discriminator.train_on_batch", "rows": int(len(xs)),
                  "labels": tuple(sorted({float(v) for v in labels}))}
        if len(labels) == len(xs):
            is_real = np.array([row.tobytes() in real_rows for row in xs])
            record.update(
                real_labelled_real=int(np.sum(is_real & (labels == 1))),
                real_labelled_fake=int(np.sum(is_real & (labels == 0))),
                fake_labelled_real=int(np.sum(~is_real & (labels == 1))),
                fake_labelled_fake=int(np.sum(~is_real & (labels == 0))),
            )
        calls.append(record)
        return original_train(x, y, *args, **kwargs)

    def snapshot():
        return {"generator": [w.copy() for w in generator.get_weights()],
                "discriminator": [w.copy() for w in discriminator.get_weights()]}

    weights = {"initial": snapshot()}
    generator.predict, discriminator.train_on_batch = predict, train_on_batch
    try:
        state["phase"] = "train_generator"
        exec(compile(train_g, "<source article>", "exec"), ns)  # noqa: S102
        weights["after_train_generator"] = snapshot()
        state["phase"] = "train_discriminator"
        exec(compile(train_d, "<source article>", "exec"), ns)  # noqa: S102
        weights["after_train_discriminator"] = snapshot()
    finally:
        del generator.predict, discriminator.train_on_batch  # back to the models' own methods
    return SourceArticleRun(ns, weights, calls)


# --------------------------------------------------------------------------------------------
# Shared validation
# --------------------------------------------------------------------------------------------


def _check_optimizers(g_optimizer, d_optimizer, *, default: bool):
    """Two distinct Keras optimizers; ``None`` becomes ``Adam(2e-4, beta_1=0.5)`` if ``default``."""
    import keras

    if default:
        if g_optimizer is None:
            g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        if d_optimizer is None:
            d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    for name, opt in (("g_optimizer", g_optimizer), ("d_optimizer", d_optimizer)):
        if not isinstance(opt, keras.optimizers.Optimizer):
            raise TypeError(f"{name}: expected a keras.optimizers.Optimizer, got {type(opt).__name__}")
    if g_optimizer is d_optimizer:
        raise ValueError(
            "g_optimizer, d_optimizer: expected two different optimizer objects (a Keras 3 optimizer "
            "is bound to the variables it was first built with), got the same object"
        )
    return g_optimizer, d_optimizer


def _latent_dim_of(generator, latent_dim) -> int:
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    shape = generator.input_shape
    if isinstance(shape, list) or len(shape) != 2:
        raise ValueError(f"generator: expected one noise input of shape (B, latent_dim), got input shape {shape}")
    if shape[-1] is not None and shape[-1] != latent_dim:
        raise ValueError(f"latent_dim: expected the generator's noise size {shape[-1]}, got {latent_dim}")
    return latent_dim


def _check_pair(generator, discriminator) -> tuple:
    """The discriminator's input shape (without batch), which must be the generator's output shape."""
    d_in, g_out = discriminator.input_shape, generator.output_shape
    if isinstance(d_in, list):
        raise ValueError(f"discriminator: expected a single-input model, got input shapes {d_in}")
    if tuple(g_out[1:]) != tuple(d_in[1:]):
        raise ValueError(
            f"generator: expected outputs of the discriminator's input shape {tuple(d_in[1:])}, "
            f"got {tuple(g_out[1:])}"
        )
    return tuple(d_in[1:])


# --------------------------------------------------------------------------------------------
# The source's train_on_batch pattern, corrected
# --------------------------------------------------------------------------------------------


def train_on_batch_gan(
    generator,
    discriminator,
    x,
    *,
    epochs: int,
    batch_size: int,
    latent_dim: int,
    seed: int = 0,
    d_optimizer=None,
    g_optimizer=None,
    from_logits: bool = True,
    verbose: bool = False,
) -> dict:
    """Train a GAN with Keras ``train_on_batch`` calls: the source's pattern, corrected.

    Set-up (the classic Keras recipe, made correct for Keras 3)::

        D.compile(d_optimizer, BCE)                       # D alone
        combined = Model(z, D(G(z)));  D frozen;  combined.compile(g_optimizer, BCE)

    Each step (minibatch ``x_1..x_B`` of *real data*; ``z ~ N(0, I)`` from NumPy)::

        D step:  D.trainable = True
                 D.train_on_batch([x_1..x_B, G(z_1)..G(z_B)], [1]*B + [0]*B)
        G step:  D.trainable = False
                 combined.train_on_batch(z'_1..z'_B, [1]*B)   # -E log D(G(z')): non-saturating

    **Keras 3 detail.** ``train_on_batch`` reads ``model.trainable_weights`` when it *traces*
    its step function (first call), not at ``compile``: with the Keras 2 recipe "compile D, set
    ``D.trainable = False``, compile the combined model" D's own first ``train_on_batch`` already
    sees D frozen and D never learns (Keras only warns "The model does not have any trainable
    weights"). Setting the flag right before every call makes each traced function capture the
    right variables (D's for the D step, G's only for the G step). A frozen D also runs its
    BatchNormalization layers (if any) in inference mode in the G step.

    **Per-batch losses.** ``train_on_batch`` returns the mean of the model's loss tracker since
    its last reset. Keras 3.8 (the oldest version ganlib supports) does not reset it in
    ``train_on_batch``, so without a reset the value is a running mean over all earlier calls;
    later versions reset it themselves (keras-team/keras#22617; 3.15 does). Calling
    ``reset_metrics()`` before every call returns the batch's own loss in every supported version.

    The fakes of the D step come from ``generator.predict_on_batch`` (inference mode, as in the
    source's ``generator.predict``). ``D.trainable`` is ``True`` again when the function returns.
    ``D`` is (re)compiled by this function.

    Args:
      generator: ``keras.Model`` ``z (B, latent_dim) -> samples (B, *shape)``.
      discriminator: ``keras.Model`` ``samples (B, *shape) -> (B, 1)`` logits (or probabilities
        with ``from_logits=False``, like the source's sigmoid output).
      x: real training data ``(N, *shape)``, e.g. images ``(N, 28, 28, 1)`` in ``[0, 1]``.
      epochs: passes over ``x`` (int >= 1); each has ``N // batch_size`` steps (last partial
        batch dropped), in an order shuffled with ``seed``.
      batch_size: ``B`` (int >= 1, at most ``N``).
      latent_dim: size of ``z`` (must match the generator's input).
      seed: int >= 0 for the data order and the noise (NumPy ``default_rng(seed)``); weight
        initialisation and dropout follow the global Keras seed.
      d_optimizer, g_optimizer: two different Keras optimizers; default ``Adam(2e-4, beta_1=0.5)``
        each (Radford et al. 2015, as :func:`ganlib.make_gan`).
      from_logits: whether the discriminator returns logits (ganlib's convention).
      verbose: print one line per epoch.

    Returns:
      ``dict`` of per-epoch means: ``"d_loss"`` = ``BCE_real + BCE_fake`` (twice the value
      ``D.train_on_batch`` returns for the ``2B``-row batch: the scale of ``L_D`` in
      :func:`ganlib.losses.discriminator_loss`) and ``"g_loss"`` = ``-mean log D(G(z))``.
    """
    import keras

    generator = check_model(generator, "generator")
    discriminator = check_model(discriminator, "discriminator")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_positive_int(seed, "seed", minimum=0)
    latent_dim = _latent_dim_of(generator, latent_dim)
    sample_shape = _check_pair(generator, discriminator)
    x = as_array(x, "x", shape=(None, *sample_shape), min_samples=1).astype(np.float32, copy=False)
    if batch_size > len(x):
        raise ValueError(f"batch_size: expected at most the number of samples in x ({len(x)}), got {batch_size}")
    for name, flag in (("from_logits", from_logits), ("verbose", verbose)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name}: expected True or False, got {type(flag).__name__} {flag!r}")
    g_optimizer, d_optimizer = _check_optimizers(g_optimizer, d_optimizer, default=True)

    bce = keras.losses.BinaryCrossentropy(from_logits=bool(from_logits))
    discriminator.trainable = True
    discriminator.compile(optimizer=d_optimizer, loss=bce)
    z_in = keras.Input(shape=(latent_dim,), name="z")
    combined = keras.Model(z_in, discriminator(generator(z_in)), name="combined")
    discriminator.trainable = False
    combined.compile(optimizer=g_optimizer, loss=bce)

    rng = np.random.default_rng(seed)
    steps = len(x) // batch_size
    d_labels = np.concatenate([np.ones((batch_size, 1)), np.zeros((batch_size, 1))]).astype(np.float32)
    g_labels = np.ones((batch_size, 1), dtype=np.float32)
    history: dict = {"d_loss": [], "g_loss": []}
    try:
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            d_sum = g_sum = 0.0
            for step in range(steps):
                real = x[order[step * batch_size : (step + 1) * batch_size]]
                z = rng.standard_normal((batch_size, latent_dim)).astype(np.float32)
                fake = np.asarray(generator.predict_on_batch(z), dtype=np.float32)
                discriminator.trainable = True
                discriminator.reset_metrics()  # the batch's loss, not a running mean (Keras 3.8)
                d_sum += 2.0 * float(discriminator.train_on_batch(np.concatenate([real, fake]), d_labels))
                discriminator.trainable = False
                z = rng.standard_normal((batch_size, latent_dim)).astype(np.float32)
                combined.reset_metrics()
                g_sum += float(combined.train_on_batch(z, g_labels))
            history["d_loss"].append(d_sum / steps)
            history["g_loss"].append(g_sum / steps)
            if verbose:
                print(f"epoch {epoch + 1}/{epochs}: d_loss={history['d_loss'][-1]:.4f} "
                      f"g_loss={history['g_loss'][-1]:.4f}")
    finally:
        discriminator.trainable = True
    return history


# --------------------------------------------------------------------------------------------
# The TensorFlow DCGAN tutorial's loop
# --------------------------------------------------------------------------------------------


def tutorial_discriminator_loss(real_output, fake_output):
    """The DCGAN tutorial's ``discriminator_loss``: ``BCE(1, real) + BCE(0, fake)`` on logits.

    Formula: ``L_D = mean(softplus(-l_real)) + mean(softplus(l_fake))`` (the same value as
    :func:`ganlib.losses.discriminator_loss`), computed as the tutorial does with
    ``BinaryCrossentropy(from_logits=True)``.

    Args:
      real_output: logits on real images, ``(B, 1)``.
      fake_output: logits on generated images, ``(B', 1)``.

    Returns:
      Scalar float32 tensor.
    """
    import keras
    import tensorflow as tf

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    real_loss = cross_entropy(tf.ones_like(real_output), real_output)
    fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
    return real_loss + fake_loss


def tutorial_generator_loss(fake_output):
    """The DCGAN tutorial's ``generator_loss``: ``BCE(1, fake)`` on logits (non-saturating).

    Formula: ``L_G = mean(softplus(-l_fake)) = -mean log D(G(z))``.

    Args:
      fake_output: logits on generated images, ``(B, 1)``.

    Returns:
      Scalar float32 tensor.
    """
    import keras
    import tensorflow as tf

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    return cross_entropy(tf.ones_like(fake_output), fake_output)


def make_tutorial_train_step(generator, discriminator, g_optimizer, d_optimizer, *, latent_dim, seed=0):
    """The TensorFlow DCGAN tutorial's ``train_step``, as a ``tf.function`` bound to two models.

    One generator forward pass per step; both players' losses come from it and both are updated
    at once ("simultaneous" updates, ``ganlib.GAN(update="simultaneous")``)::

        z ~ N(0, I);  fake = G(z)
        L_G = BCE(1, D(fake));  L_D = BCE(1, D(real)) + BCE(0, D(fake))
        G <- G - step(dL_G/dG);  D <- D - step(dL_D/dD)

    Differences from the tutorial: the noise batch has the images' batch size (the tutorial uses
    a constant ``BATCH_SIZE``, so its last, smaller batch is compared with a full batch of fakes)
    and carries an operation seed; the step returns the two losses so they can be logged.

    Args:
      generator: ``keras.Model`` ``z (B, latent_dim) -> images``.
      discriminator: ``keras.Model`` ``images -> logits (B, 1)``.
      g_optimizer, d_optimizer: two different Keras optimizers (the tutorial: ``Adam(1e-4)`` each).
      latent_dim: size of ``z`` (the tutorial's ``noise_dim = 100``).
      seed: operation seed of ``tf.random.normal`` (int >= 0).

    Returns:
      A ``tf.function`` ``train_step(images) -> (gen_loss, disc_loss)``.
    """
    import tensorflow as tf

    generator = check_model(generator, "generator")
    discriminator = check_model(discriminator, "discriminator")
    latent_dim = _latent_dim_of(generator, latent_dim)
    _check_pair(generator, discriminator)
    seed = check_positive_int(seed, "seed", minimum=0)
    g_optimizer, d_optimizer = _check_optimizers(g_optimizer, d_optimizer, default=False)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([tf.shape(images)[0], latent_dim], seed=seed)

        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)

            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)

            gen_loss = tutorial_generator_loss(fake_output)
            disc_loss = tutorial_discriminator_loss(real_output, fake_output)

        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)

        g_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        d_optimizer.apply_gradients(zip(gradients_of_discriminator, discriminator.trainable_variables))
        return gen_loss, disc_loss

    return train_step


def train_tutorial_loop(
    generator,
    discriminator,
    dataset,
    *,
    epochs: int,
    latent_dim: int,
    g_optimizer,
    d_optimizer,
    seed: int = 0,
) -> dict:
    """The DCGAN tutorial's ``train(dataset, epochs)``: ``for epoch: for image_batch: train_step``.

    The step is :func:`make_tutorial_train_step`. The losses stay on the device during an
    epoch and are averaged at its end (one host synchronisation per epoch).

    Args:
      generator: ``keras.Model`` ``z (B, latent_dim) -> images (B, 28, 28, 1)`` in ``[0, 1]``.
      discriminator: ``keras.Model`` ``images -> logits (B, 1)``.
      dataset: a ``tf.data.Dataset`` of image batches (or of ``(images, labels)`` batches; the
        labels are ignored), e.g. ``ganlib.data.make_dataset(x, batch_size=64)``. Use
        ``drop_remainder`` batches: a smaller last batch retraces the step.
      epochs: passes over ``dataset`` (int >= 1).
      latent_dim: size of ``z``.
      g_optimizer, d_optimizer: two different Keras optimizers (the tutorial: ``Adam(1e-4)``).
      seed: operation seed of the noise (int >= 0); with the same initial weights, the same
        global seed and the same dataset, two runs are identical.

    Returns:
      ``dict`` of per-epoch means ``"d_loss"`` (``L_D``, see :func:`tutorial_discriminator_loss`)
      and ``"g_loss"`` (``L_G``).
    """
    import tensorflow as tf

    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(f"dataset: expected a tf.data.Dataset of image batches, got {type(dataset).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    train_step = make_tutorial_train_step(
        generator, discriminator, g_optimizer, d_optimizer, latent_dim=latent_dim, seed=seed
    )
    if isinstance(dataset.element_spec, tuple):
        dataset = dataset.map(lambda images, *rest: images)
    history: dict = {"d_loss": [], "g_loss": []}
    for _ in range(epochs):
        g_losses, d_losses = [], []
        for image_batch in dataset:
            gen_loss, disc_loss = train_step(image_batch)
            g_losses.append(gen_loss)
            d_losses.append(disc_loss)
        if not d_losses:
            raise ValueError("dataset: expected at least one batch per epoch, got an empty dataset")
        history["d_loss"].append(float(tf.reduce_mean(tf.stack(d_losses))))
        history["g_loss"].append(float(tf.reduce_mean(tf.stack(g_losses))))
    return history
