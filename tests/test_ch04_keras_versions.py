"""Chapter 4's ``train_on_batch`` loops report each batch's own loss in every supported Keras.

``Model.train_on_batch`` returns the mean of the model's loss tracker since its last reset. Keras
3.8 (the oldest version in pyproject's window) never resets it inside ``train_on_batch``, so there
the value is a running mean over all earlier calls; later versions (3.15) reset it themselves. The
chapter's loop and ``ganlib.book.ch04.train_on_batch_gan`` call ``reset_metrics()`` before each
call. With learning rate 0 the networks stay fixed, so every batch's loss can be recomputed by hand
from the same noise stream: a loop that reports running means fails under Keras 3.8
(``.venv-oldest``); these tests run in both environments.
"""

from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

import ganlib
from ganlib.book import ch04

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "04_code_walkthrough.ipynb"
N, B, EPOCHS, LATENT = 64, 8, 2, 100


def _data():
    return np.random.default_rng(0).uniform(0, 1, (N, 28, 28, 1)).astype("float32")


def _pair():
    keras.utils.set_random_seed(0)
    return ganlib.models.mlp_generator(), ganlib.models.mlp_discriminator()


def _by_hand(g, d, x, seed=0):
    """Per-step losses of fixed networks, drawing data order and noise as both loops do."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    rng = np.random.default_rng(seed)
    d_steps, g_steps = [], []
    for _ in range(EPOCHS):
        order = rng.permutation(len(x))
        for step in range(len(x) // B):
            real = x[order[step * B:(step + 1) * B]]
            z_d = rng.standard_normal((B, LATENT)).astype("float32")
            z_g = rng.standard_normal((B, LATENT)).astype("float32")
            real_out, fake_out = d(real), d(g(z_d))
            d_steps.append(float(bce(np.ones((B, 1)), real_out) + bce(np.zeros((B, 1)), fake_out)))
            g_steps.append(float(bce(np.ones((B, 1)), d(g(z_g)))))
    return np.array(d_steps), np.array(g_steps)


def _epoch_means(per_step):
    return per_step.reshape(EPOCHS, -1).mean(axis=1)


def _running_means(per_step):  # what a loop without reset_metrics() reports under Keras 3.8
    return _epoch_means(np.cumsum(per_step) / np.arange(1, len(per_step) + 1))


def _check(history, g, d, x):
    d_steps, g_steps = _by_hand(g, d, x)
    # the test can fail: running means differ clearly from the batches' own losses here
    assert np.max(np.abs(_running_means(g_steps) - _epoch_means(g_steps))) > 1e-3
    np.testing.assert_allclose(history["d_loss"], _epoch_means(d_steps), rtol=1e-5)
    np.testing.assert_allclose(history["g_loss"], _epoch_means(g_steps), rtol=1e-5)


def test_library_train_on_batch_gan_reports_each_batch_loss():
    x, (g, d) = _data(), _pair()
    history = ch04.train_on_batch_gan(g, d, x, epochs=EPOCHS, batch_size=B, latent_dim=LATENT, seed=0,
                                      d_optimizer=keras.optimizers.SGD(0.0),
                                      g_optimizer=keras.optimizers.SGD(0.0))
    _check(history, g, d, x)


def _chapter_cell(marker):
    cells = [c.source for c in nbformat.read(CHAPTER, as_version=4).cells
             if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"expected one code cell with {marker!r} in {CHAPTER.name}, found {len(cells)}"
    return cells[0]


def test_chapter_train_on_batch_gan_reports_each_batch_loss():
    namespace = {"np": np, "keras": keras}
    exec(_chapter_cell("def compile_gan("), namespace)
    exec(_chapter_cell("def train_on_batch_gan("), namespace)
    compile_gan = namespace["compile_gan"]

    def compile_fixed(generator, discriminator, latent_dim=100):  # the chapter's, with learning rate 0
        combined = compile_gan(generator, discriminator, latent_dim)
        discriminator.trainable = True
        discriminator.compile(optimizer=keras.optimizers.SGD(0.0), loss=namespace["bce"])
        discriminator.trainable = False
        combined.compile(optimizer=keras.optimizers.SGD(0.0), loss=namespace["bce"])
        return combined

    namespace["compile_gan"] = compile_fixed
    x, (g, d) = _data(), _pair()
    history = namespace["train_on_batch_gan"](g, d, x, epochs=EPOCHS, batch_size=B, seed=0)
    _check(history, g, d, x)


@pytest.mark.parametrize("version", ["3.8.0"])
def test_running_mean_model_matches_keras_38(version):
    """The running-mean model above is Keras 3.8's behaviour (checked only where 3.8 is installed)."""
    if keras.__version__ != version:
        pytest.skip(f"Keras {keras.__version__}")
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    xa, ya = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    xb, yb = np.zeros((4, 3), "float32"), np.full((4, 1), 10.0, "float32")
    first, second = float(m.train_on_batch(xa, ya)), float(m.train_on_batch(xb, yb))
    loss_a = float(np.mean((m.predict(xa, verbose=0) - ya) ** 2))
    loss_b = float(np.mean((m.predict(xb, verbose=0) - yb) ** 2))
    assert first == pytest.approx(loss_a, rel=1e-5)
    assert second == pytest.approx((loss_a + loss_b) / 2, rel=1e-5)  # a running mean, not loss_b
