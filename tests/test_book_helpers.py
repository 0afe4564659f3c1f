"""ganlib.book (claims, glue, stopwatch, profile-capped MNIST), ganlib.zoo and make_gan options."""

import json

import keras
import numpy as np
import pytest

from ganlib import book, get_profile, make_gan, profiles, zoo


def test_claim_checks_raises_and_reports_unchecked(capsys):
    smoke, cpu = get_profile("smoke"), get_profile("cpu")
    assert book.claim(1 + 1 == 2, "arithmetic works", profile=smoke) is True
    with pytest.raises(AssertionError, match="Claim failed.*the sky is green"):
        book.claim(False, "the sky is green", profile=smoke)
    # A claim needing the cpu budget is not checked (and says so) in smoke, but must hold in cpu.
    assert book.claim(False, "sharp digits after 15 epochs", requires="cpu", profile=smoke) is False
    assert "not checked in the 'smoke' profile" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        book.claim(False, "sharp digits after 15 epochs", requires="cpu", profile=cpu)
    with pytest.raises(ValueError, match="requires"):
        book.claim(True, "x", requires="tpu")
    with pytest.raises(TypeError, match="statement"):
        book.claim(True, "")


def test_claim_failure_in_a_readers_gpu_run_reports_instead_of_stopping(monkeypatch, capsys):
    gpu = get_profile("gpu")
    monkeypatch.delenv("GANLIB_BOOK_BUILD", raising=False)
    monkeypatch.delenv("GANLIB_STRICT_CLAIMS", raising=False)
    assert book.claim(False, "all ten digits appear", profile=gpu) is False
    assert "[claim FAILED in this run] all ten digits appear" in capsys.readouterr().out
    monkeypatch.setenv("GANLIB_BOOK_BUILD", "1")  # building the book on a GPU: a hard error
    with pytest.raises(AssertionError):
        book.claim(False, "all ten digits appear", profile=gpu)
    monkeypatch.delenv("GANLIB_BOOK_BUILD")
    monkeypatch.setenv("GANLIB_STRICT_CLAIMS", "1")
    with pytest.raises(AssertionError):
        book.claim(False, "all ten digits appear", profile=gpu)


def test_glue_returns_python_scalars_without_myst_context():
    assert book.glue("answer", np.float32(0.5)) == 0.5
    with pytest.raises(TypeError, match="name"):
        book.glue("", 1)


def test_stopwatch_text():
    sw = book.Stopwatch()
    assert sw.seconds >= 0 and sw.minutes_text() == "under a minute"
    sw.start -= 185
    assert sw.minutes_text() == "about 3 minutes"


def test_profile_capped_mnist(monkeypatch, capsys):
    from ganlib import data

    monkeypatch.setattr(data, "_online", lambda timeout=3.0: False)
    d = book.load_mnist(get_profile("smoke"))
    assert len(d.x_train) <= 1000 and len(d.x_test) <= 500
    assert np.bincount(d.y_train).min() >= 90  # stratified
    assert "Profile 'smoke'" in capsys.readouterr().out


def test_profiles_env_override(monkeypatch):
    monkeypatch.setenv("GANLIB_PROFILE", "cpu")
    assert profiles.get_profile().name == "cpu"
    monkeypatch.setenv("GANLIB_PROFILE", "turbo")
    with pytest.raises(ValueError, match="GANLIB_PROFILE"):
        profiles.get_profile()
    with pytest.raises(ValueError, match="name"):
        profiles.get_profile("fast")


def test_zoo_trains_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    x = np.random.default_rng(0).normal(0, 1, (256, 2)).astype("float32")
    first = zoo.trained_gan("toy", x, epochs=2, batch_size=64, snapshots=4, verbose=0, steps_per_execution=2)
    assert not first.cached and sorted(first.snapshots) == [0, 1, 2]
    second = zoo.trained_gan("toy", x, epochs=2, batch_size=64, snapshots=4, verbose=0, steps_per_execution=2)
    assert second.cached
    np.testing.assert_array_equal(first.gan.generate(5, seed=3), second.gan.generate(5, seed=3))
    assert second.history["d_loss"] == pytest.approx(first.history["d_loss"])
    np.testing.assert_array_equal(first.snapshots[2], second.snapshots[2])
    # Different data: a different model.
    third = zoo.trained_gan("toy", x[::-1].copy(), epochs=2, batch_size=64, verbose=0, steps_per_execution=2)
    assert not third.cached


def test_make_gan_options_and_policy_restored():
    before = keras.config.dtype_policy().name
    gan = make_gan("toy", mixed_precision="mixed_float16", jit_compile=False)
    assert gan.generator.dtype_policy.name == "mixed_float16"
    assert type(gan.g_optimizer).__name__ == "LossScaleOptimizer"
    assert keras.config.dtype_policy().name == before
    gan32 = make_gan("toy", mixed_precision="float32")
    assert type(gan32.d_optimizer).__name__ == "Adam"
    with pytest.raises(ValueError, match="mixed_precision"):
        make_gan("toy", mixed_precision="half")
    with pytest.raises(ValueError, match="architecture"):
        make_gan("transformer")
