"""ganlib.book.ch04: the source article's code, the corrected train_on_batch loop, the TF tutorial loop."""

import math
import pathlib
import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import data, losses, models
from ganlib.book import ch04 as rl

SOURCE_MD = pathlib.Path("/work/shared/source/gan-model-evaluation.zh.md")


def tiny_pair(latent_dim=4, seed=0):
    keras.utils.set_random_seed(seed)
    return models.mlp_generator(latent_dim=latent_dim, hidden_units=8), models.mlp_discriminator(hidden_units=8)


def images(n=32, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (n, 28, 28, 1)).astype("float32")


def copy_weights(model):
    return [w.copy() for w in model.get_weights()]


def changed(before, model):
    return any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# ---------------------------------------------------------------------- the verbatim code
def test_source_code_has_the_sources_characteristic_lines():
    code = rl.SOURCE_ARTICLE_CODE
    assert len(rl.SOURCE_ARTICLE_BLOCKS) == 4
    assert code == "\n".join(rl.SOURCE_ARTICLE_BLOCKS)
    for line in [
        "from tensorflow.keras.layers import Input, Dense, Flatten, Reshape",
        "real_images = np.random.uniform(0, 1, (10000, 784))",
        "real_combined_images = real_combined_images.reshape((2 * batch_size, 784))",
        "labels = np.ones((2 * batch_size, 1))",
        "labels = np.zeros((2 * batch_size, 1))",
        "generator.compile(loss='binary_crossentropy', optimizer='adam')",
        "generator = train_generator(generator, discriminator, real_images, batch_size=128, epochs=50)",
    ]:
        assert line in code
    assert "import numpy" not in code  # the source's bug 1 is kept


@pytest.mark.skipif(not SOURCE_MD.exists(), reason="the source article is not available here")
def test_source_code_equals_the_articles_code_blocks():
    text = SOURCE_MD.read_text(encoding="utf-8")
    section = text.split("## 4.")[1].split("## 5.")[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert tuple(blocks) == rl.SOURCE_ARTICLE_BLOCKS


def test_source_code_fails_as_written_with_a_name_error():
    with pytest.raises(NameError, match="'np' is not defined"):
        exec(rl.SOURCE_ARTICLE_CODE, {})


def test_with_numpy_imported_the_reshape_fails():
    # 10,000 real rows + 128 generated rows = 10,128 * 784 values cannot become (256, 784).
    with pytest.raises(ValueError, match=f"size {10128 * 784} into shape \\(256,784\\)"):
        exec(rl.patched_source_code(import_numpy=True), {})


# ---------------------------------------------------------------------- patches and counts
def test_patched_source_code_changes_only_the_named_lines():
    assert rl.patched_source_code() == rl.SOURCE_ARTICLE_CODE
    assert rl.source_diff(rl.SOURCE_ARTICLE_CODE) == ""
    code = rl.patched_source_code(import_numpy=True, n_real=8, batch_size=8, epochs=2)
    added = [l[1:] for l in rl.source_diff(code).splitlines() if l.startswith("+") and not l.startswith("+++")]
    removed = [l[1:] for l in rl.source_diff(code).splitlines() if l.startswith("-") and not l.startswith("---")]
    assert added[0] == "import numpy as np"
    assert "real_images = np.random.uniform(0, 1, (8, 784))" in added
    assert sum("batch_size=8, epochs=2" in l for l in added) == 2
    assert len(removed) == 3 and len(added) == 4
    assert len(code.splitlines()) == len(rl.SOURCE_ARTICLE_CODE.splitlines()) + 1


def test_with_line_numbers():
    assert rl.with_line_numbers("a\nb\n") == "1 | a\n2 | b"
    numbered = rl.with_line_numbers(rl.SOURCE_ARTICLE_CODE).splitlines()
    assert numbered[0] == " 1 | import tensorflow as tf"
    assert len(numbered) == len(rl.SOURCE_ARTICLE_CODE.splitlines())


def test_source_article_counts_closed_form():
    c = rl.source_article_counts()  # the source's batch_size=128, epochs=50
    assert c["predict_calls"] == 50 * 129 + 50 == 6500
    assert c["train_on_batch_calls"] == 50 * 129 + 100 == 6550
    fake_real = c["train_generator"]["fake_labelled_real"] + c["train_discriminator"]["fake_labelled_real"]
    fake_all = fake_real + c["train_generator"]["fake_labelled_fake"] + c["train_discriminator"]["fake_labelled_fake"]
    assert fake_real / fake_all == pytest.approx(128 / 130)
    assert rl.source_article_counts(2, 1) == {
        "predict_calls": 4,
        "train_on_batch_calls": 5,
        "train_generator": {"real_labelled_real": 4, "real_labelled_fake": 0,
                            "fake_labelled_real": 4, "fake_labelled_fake": 2},
        "train_discriminator": {"real_labelled_real": 2, "real_labelled_fake": 2,
                                "fake_labelled_real": 0, "fake_labelled_fake": 2},
    }


def test_running_the_patched_source_shows_its_bugs():
    run = rl.run_source_article_code(n_real=2, batch_size=2, epochs=1)
    # bug 3: the generator is never trained; the discriminator is
    assert not run.changed("generator")
    assert not run.changed("generator", "initial", "after_train_generator")
    assert run.changed("discriminator", "initial", "after_train_generator")
    assert run.changed("discriminator", "after_train_generator", "after_train_discriminator")
    # bug 6: generator.compile(...) is dead code: its optimizer never steps
    assert int(run.namespace["generator"].optimizer.iterations) == 0
    assert int(run.namespace["discriminator"].optimizer.iterations) == 5
    # bug 4 and bug 7: what was recorded is what the closed form (hand-checked above) says
    assert run.counts() == rl.source_article_counts(2, 1)
    phases = [c["phase"] for c in run.calls]
    assert phases == sorted(phases, key=["train_generator", "train_discriminator"].index)  # never alternates
    assert [c["labels"] for c in run.calls if c["method"] == "discriminator.train_on_batch"] == [
        (1.0,), (1.0,), (0.0,), (0.0,), (1.0,)
    ]
    # the wrappers are gone again
    assert "predict" not in vars(run.namespace["generator"])


def test_bad_arguments_of_the_source_helpers():
    with pytest.raises(ValueError, match="n_real"):
        rl.patched_source_code(n_real=0)
    with pytest.raises(TypeError, match="batch_size"):
        rl.patched_source_code(batch_size="128")
    with pytest.raises(ValueError, match="epochs"):
        rl.patched_source_code(epochs=0)
    with pytest.raises(TypeError, match="import_numpy"):
        rl.patched_source_code(import_numpy="yes")
    with pytest.raises(TypeError, match="code"):
        rl.source_diff(123)
    with pytest.raises(TypeError, match="code"):
        rl.with_line_numbers(None)
    with pytest.raises(ValueError, match="batch_size"):
        rl.source_article_counts(batch_size=0)
    with pytest.raises(TypeError, match="epochs"):
        rl.source_article_counts(epochs=1.5)
    with pytest.raises(ValueError, match="seed"):
        rl.run_source_article_code(seed=-1)
    run = rl.SourceArticleRun({}, {"initial": {}}, [])
    with pytest.raises(ValueError, match="model"):
        run.changed("critic")
    with pytest.raises(ValueError, match="after"):
        run.changed("generator", "initial", "later")


# ---------------------------------------------------------------------- train_on_batch_gan
def test_keras3_reads_trainable_when_train_on_batch_traces():
    """Why train_on_batch_gan toggles D.trainable before every call: the Keras 2 recipe
    (compile D, freeze D, compile the combined model) leaves D untrained in Keras 3."""
    g, d = tiny_pair()
    d.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    d.trainable = False
    z = keras.Input((4,))
    keras.Model(z, d(g(z))).compile(optimizer="adam", loss="mse")
    before = copy_weights(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "The model does not have any trainable weights."
        d.train_on_batch(images(4), np.ones((4, 1)))
    assert not changed(before, d)


def test_train_on_batch_gan_trains_both_players():
    g, d = tiny_pair()
    g0, d0 = copy_weights(g), copy_weights(d)
    hist = rl.train_on_batch_gan(g, d, images(32), epochs=2, batch_size=8, latent_dim=4)
    assert set(hist) == {"d_loss", "g_loss"} and len(hist["d_loss"]) == 2
    assert all(math.isfinite(v) for v in hist["d_loss"] + hist["g_loss"])
    assert changed(g0, g) and changed(d0, d)
    assert d.trainable  # restored


def test_train_on_batch_gan_freezes_d_in_the_generator_step():
    # With D's learning rate 0 the D step cannot move D, so any change of D would come from the
    # combined (generator) step: there must be none, while G does change.
    g, d = tiny_pair()
    g0, d0 = copy_weights(g), copy_weights(d)
    rl.train_on_batch_gan(g, d, images(16), epochs=1, batch_size=8, latent_dim=4,
                          d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.Adam(1e-2))
    assert not changed(d0, d) and changed(g0, g)
    # ... and with G's learning rate 0, only D moves (the D step does not touch G).
    g, d = tiny_pair()
    g0, d0 = copy_weights(g), copy_weights(d)
    rl.train_on_batch_gan(g, d, images(16), epochs=1, batch_size=8, latent_dim=4,
                          d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.SGD(0.0))
    assert changed(d0, d) and not changed(g0, g)


def test_train_on_batch_gan_losses_match_a_hand_computation():
    # Learning rates 0: the models stay fixed, so the logged losses can be recomputed with the
    # same noise stream (permutation, then z for D, then z for G) and ganlib.losses.
    g, d = tiny_pair()
    x = images(8)
    hist = rl.train_on_batch_gan(g, d, x, epochs=1, batch_size=8, latent_dim=4, seed=3,
                                 d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    rng = np.random.default_rng(3)
    order = rng.permutation(8)
    z_d = rng.standard_normal((8, 4)).astype(np.float32)
    z_g = rng.standard_normal((8, 4)).astype(np.float32)
    real_logits = d(x[order], training=False)
    fake_logits = d(g(z_d, training=False), training=False)
    expected_d = float(losses.discriminator_loss(real_logits, fake_logits))
    expected_g = float(losses.nonsaturating_generator_loss(d(g(z_g, training=False), training=False)))
    assert hist["d_loss"][0] == pytest.approx(expected_d, rel=1e-5)
    assert hist["g_loss"][0] == pytest.approx(expected_g, rel=1e-5)


def test_train_on_batch_gan_with_the_sources_sigmoid_models():
    keras.utils.set_random_seed(0)
    z = keras.Input((4,))
    g = keras.Model(z, keras.layers.Dense(784, activation="sigmoid")(keras.layers.Dense(8, activation="relu")(z)))
    xi = keras.Input((784,))
    d = keras.Model(xi, keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(8, activation="relu")(xi)))
    d0 = copy_weights(d)
    hist = rl.train_on_batch_gan(g, d, images(16).reshape(16, 784), epochs=1, batch_size=8, latent_dim=4,
                                 from_logits=False)
    assert math.isfinite(hist["d_loss"][0]) and changed(d0, d)


def test_train_on_batch_gan_bad_arguments():
    g, d = tiny_pair()
    x = images(16)
    ok = dict(epochs=1, batch_size=8, latent_dim=4)
    with pytest.raises(TypeError, match="generator"):
        rl.train_on_batch_gan("G", d, x, **ok)
    with pytest.raises(TypeError, match="discriminator"):
        rl.train_on_batch_gan(g, None, x, **ok)
    with pytest.raises(ValueError, match="x"):
        rl.train_on_batch_gan(g, d, x.reshape(16, 784), **ok)
    with pytest.raises(ValueError, match="latent_dim"):
        rl.train_on_batch_gan(g, d, x, epochs=1, batch_size=8, latent_dim=5)
    with pytest.raises(ValueError, match="batch_size"):
        rl.train_on_batch_gan(g, d, x, epochs=1, batch_size=17, latent_dim=4)
    with pytest.raises(ValueError, match="epochs"):
        rl.train_on_batch_gan(g, d, x, epochs=0, batch_size=8, latent_dim=4)
    with pytest.raises(TypeError, match="from_logits"):
        rl.train_on_batch_gan(g, d, x, from_logits="yes", **ok)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="g_optimizer, d_optimizer"):
        rl.train_on_batch_gan(g, d, x, g_optimizer=opt, d_optimizer=opt, **ok)
    with pytest.raises(TypeError, match="d_optimizer"):
        rl.train_on_batch_gan(g, d, x, d_optimizer="adam", **ok)
    xi = keras.Input((784,))
    flat_d = keras.Model(xi, keras.layers.Dense(1)(xi))
    with pytest.raises(ValueError, match="generator"):
        rl.train_on_batch_gan(g, flat_d, x.reshape(16, 784), **ok)


# ---------------------------------------------------------------------- the TF tutorial loop
def test_tutorial_losses_equal_ganlib_losses():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(16, 1)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    assert float(rl.tutorial_discriminator_loss(real, fake)) == pytest.approx(
        float(losses.discriminator_loss(real, fake)), rel=1e-5)
    assert float(rl.tutorial_generator_loss(fake)) == pytest.approx(
        float(losses.nonsaturating_generator_loss(fake)), rel=1e-5)
    zeros = np.zeros((4, 1), "float32")  # D = 1/2 everywhere: log 4 and log 2
    assert float(rl.tutorial_discriminator_loss(zeros, zeros)) == pytest.approx(math.log(4), rel=1e-6)
    assert float(rl.tutorial_generator_loss(zeros)) == pytest.approx(math.log(2), rel=1e-6)


def tutorial_run(seed=0, lr_d=1e-3, labelled=False):
    g, d = tiny_pair()
    x = images(32)
    ds = data.make_dataset(x, np.zeros(32, "int64") if labelled else None, batch_size=8)
    g0, d0 = copy_weights(g), copy_weights(d)
    hist = rl.train_tutorial_loop(g, d, ds, epochs=2, latent_dim=4, seed=seed,
                                  g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(lr_d))
    return hist, changed(g0, g), changed(d0, d), copy_weights(g)


def test_tutorial_loop_trains_both_players_reproducibly():
    hist, g_moved, d_moved, g_final = tutorial_run()
    assert len(hist["d_loss"]) == len(hist["g_loss"]) == 2
    assert all(math.isfinite(v) for v in hist["d_loss"] + hist["g_loss"])
    assert g_moved and d_moved
    # same seed, (images, labels) batches: the labels are ignored and the run is identical
    hist2, _, _, g_final2 = tutorial_run(labelled=True)
    assert hist2 == hist and all(np.array_equal(a, b) for a, b in zip(g_final, g_final2))
    hist3, g_moved3, d_moved3, _ = tutorial_run(seed=1, lr_d=0.0)
    assert hist3 != hist and g_moved3 and not d_moved3


def test_tutorial_loop_bad_arguments():
    g, d = tiny_pair()
    ds = data.make_dataset(images(16), batch_size=8)
    opts = dict(g_optimizer=keras.optimizers.Adam(), d_optimizer=keras.optimizers.Adam())
    with pytest.raises(TypeError, match="dataset"):
        rl.train_tutorial_loop(g, d, images(16), epochs=1, latent_dim=4, **opts)
    with pytest.raises(ValueError, match="latent_dim"):
        rl.train_tutorial_loop(g, d, ds, epochs=1, latent_dim=3, **opts)
    with pytest.raises(ValueError, match="epochs"):
        rl.train_tutorial_loop(g, d, ds, epochs=0, latent_dim=4, **opts)
    with pytest.raises(TypeError, match="g_optimizer"):
        rl.train_tutorial_loop(g, d, ds, epochs=1, latent_dim=4, g_optimizer=None,
                               d_optimizer=keras.optimizers.Adam())
    with pytest.raises(TypeError, match="generator"):
        rl.make_tutorial_train_step("G", d, latent_dim=4, **opts)
    with pytest.raises(ValueError, match="seed"):
        rl.make_tutorial_train_step(g, d, latent_dim=4, seed=-2, **opts)
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 28, 28, 1), "float32")).batch(8)
    with pytest.raises(ValueError, match="dataset"):
        rl.train_tutorial_loop(g, d, empty, epochs=1, latent_dim=4, **opts)
