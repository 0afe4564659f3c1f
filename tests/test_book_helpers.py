"""ganlib.book (claims, glue, stopwatch, profile-capped MNIST), ganlib.book.zoo and make_gan options."""

import json

import keras
import numpy as np
import pytest

from ganlib import book, make_gan
from ganlib.book import get_profile, profiles, zoo


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
    d = book.mnist(get_profile("smoke"))
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


def test_book_dcgans_have_the_profiles_widths(tmp_path, monkeypatch):
    import dataclasses
    import types

    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    profile = dataclasses.replace(get_profile("smoke"), gan_epochs=1, cgan_epochs=1, n_eval=4,
                                  dcgan_filters=8, cgan_filters=12, steps_per_execution=1)
    rng = np.random.default_rng(0)
    data = types.SimpleNamespace(x_train=rng.uniform(0, 1, (64, 28, 28, 1)).astype("float32"),
                                 y_train=np.arange(64) % 10)
    # each family has its own width: the DCGAN's does not leak into the conditional GAN
    for trained, f in ((zoo.book_dcgan(data, profile, verbose=0), 8),
                       (zoo.book_conditional_gan(data, profile, verbose=0), 12)):
        assert trained.gan.generator.get_layer("deconv2").filters == f
        assert trained.gan.discriminator.get_layer("conv2").filters == 2 * f
    # a GPU trains the tutorial's widths; the cpu profile a narrower DCGAN, the tutorial's cGAN
    assert (get_profile("gpu").dcgan_filters, get_profile("gpu").cgan_filters) == (64, 64)
    assert (get_profile("cpu").dcgan_filters, get_profile("cpu").cgan_filters) == (48, 64)
    wide = zoo.book_dcgan(data, profile, filters=16, verbose=0)  # an explicit option wins
    assert wide.gan.generator.get_layer("deconv2").filters == 16


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


def test_expect_error_prints_type_message_and_failing_line(capsys):
    with book.expect_error(NameError):
        book.exec_source("a = 1\nb = np.zeros(3)\n", filename="<demo>")
    out = capsys.readouterr().out
    assert "NameError: name 'np' is not defined" in out
    assert "line 2 of <demo>: b = np.zeros(3)" in out


def test_expect_error_fails_when_nothing_or_something_else_is_raised():
    with pytest.raises(AssertionError, match="expected the code to raise ValueError"):
        with book.expect_error(ValueError):
            pass
    with pytest.raises(KeyError):  # another error is not swallowed
        with book.expect_error(ValueError):
            {}["missing"]
    with pytest.raises(TypeError, match="exception_types"):
        with book.expect_error("ValueError"):
            pass


def test_expect_error_shortens_long_messages(capsys):
    with book.expect_error(RuntimeError, max_message_lines=2):
        raise RuntimeError("one\ntwo\nthree\nfour")
    out = capsys.readouterr().out
    assert out.startswith("RuntimeError: one\ntwo\n… (2 more lines)\n  raised at line")


def test_fill_formats_glued_values_and_leaves_latex_alone():
    values = {"fid": 12.345, "share": 0.0712, "n": 12000, "word": "noise"}
    text = r"FID {{fid:.1f}}, {{ share:.1% }} of {{n:,}} images: $\mathbb{E}[x]$ {{word}}."
    assert book.fill(text, values) == r"FID 12.3, 7.1% of 12,000 images: $\mathbb{E}[x]$ noise."
    with pytest.raises(KeyError, match="not computed yet: a, b"):
        book.fill("{{b}} and {{a:.2f}}", {})


def test_glue_records_values_for_the_notebook_edition():
    book.glue("edition_demo_value", np.int64(7))
    assert book.GLUED["edition_demo_value"] == 7 and type(book.GLUED["edition_demo_value"]) is int


def test_print_source_cuts_like_literalinclude(capsys):
    text = book.print_source("ganlib.book", "fill", start_at="values = GLUED", end_at="if missing:", dedent=4)
    assert text.splitlines()[0] == "values = GLUED if values is None else values"
    assert text.splitlines()[-1] == "if missing:"
    with pytest.raises(ValueError, match="start_at"):
        book.print_source("ganlib.book", "fill", start_at="no such line")


def test_fresh_runtime_reads_the_benchmark_results():
    results = {"notebooks": {"seconds": {"04_code_walkthrough": {"cpu": 217.6, "smoke": 21.9},
                                         "05a_evaluating_generators": {"cpu": 30.0}}}}
    assert book.fresh_runtime("ch04", "cpu", results) == "about 4 minutes"
    assert book.fresh_runtime("ch04", "smoke", results) == "22 s"
    assert book.fresh_runtime("ch05a", "smoke", results) == "not measured"
    assert book.fresh_runtime("04_code_walkthrough", "cpu", results) == "about 4 minutes"
    shipped = book.benchmark_results()  # the package data the chapters read
    assert set(shipped["notebooks"]["seconds"]) >= {"04_code_walkthrough", "07_faq"}


def test_expect_error_points_at_the_readers_line_not_into_ganlib(capsys):
    from ganlib.book import get_profile

    with book.expect_error(ValueError):
        get_profile("fast")  # raises inside ganlib; the reader's line is this one
    out = capsys.readouterr().out
    assert "raised at line" in out and 'get_profile("fast")' in out and "profiles.py" not in out


def test_glue_records_the_chinese_wording_as_name_zh():
    assert book.glue("zh_demo_verdict", "closer to", zh="更接近") == "closer to"
    assert book.GLUED["zh_demo_verdict"] == "closer to" and book.GLUED["zh_demo_verdict_zh"] == "更接近"
    with pytest.raises(TypeError, match="zh"):
        book.glue("zh_demo_bad", "closer to", zh=0.5)


def test_span_words_a_range_in_english_and_chinese():
    import pandas as pd

    runs = np.array([0.9634, 0.9731, 0.9702])
    assert book.span(runs, ".1%") == "96.3% to 97.3%"
    assert book.span(runs, ".1%", "zh") == "96.3% 至 97.3%"
    assert book.span((0.9995, 1.0), ".1%") == "100.0%"  # both ends alike: one value
    assert book.span((0.70, 0.704), ".1f", collapse=False) == "0.7 to 0.7"
    assert book.span(pd.Series([-1.0, np.nan, 0.92]), "+.2f", "zh") == "-1.00 至 +0.92"  # NaN skipped
    assert book.span(np.array([50, 60]), "d") == "50 to 60"
    assert book.span([0.0301, 0.0328], "±{:.3f}") == "±0.030 to ±0.033"  # a template with one field
    assert book.span(pd.Series([], dtype=float), ".2f") == "nan"  # as pandas' min of nothing
    with pytest.raises(TypeError, match="fmt"):
        book.span([1, 2], None)


def test_join_names_in_english_and_chinese():
    assert book.join_names([0, 1, 2]) == "0, 1 and 2"
    assert book.join_names([0, 1, 2], "zh") == "0、1 和 2"
    assert book.join_names(["*MLP*", "*CNN*"]) == "*MLP* and *CNN*"
    assert book.join_names(["*MLP*", "*CNN*"], "zh") == "*MLP* 和 *CNN*"
    assert book.join_names(["FID", "召回率"], "zh") == "FID 和召回率"  # a space only beside Latin text
    assert book.join_names(["召回率", "覆盖率"], "zh") == "召回率和覆盖率"
    assert book.join_names(["FID", "召回率", "覆盖率"], "zh") == "FID、召回率和覆盖率"
    assert book.join_names(("A",)) == "A" and book.join_names(["A"], "zh") == "A"
    assert book.join_names([]) == "none" and book.join_names([], "zh") == "无"


def test_machine_text_in_english_and_chinese():
    assert book.machine_text(2, 0) == "2 CPU cores and no GPU"
    assert book.machine_text(2, 0, sep=", ") == "2 CPU cores, no GPU"
    assert book.machine_text(2, 0, "zh") == "2 个 CPU 核心、无 GPU"
    assert book.machine_text(8, np.int64(2), sep=", ") == "8 CPU cores, 2 GPU(s)"
    assert book.machine_text(8, 2, "zh") == "8 个 CPU 核心、2 个 GPU"
    assert book.machine_text(8, ["Tesla T4", "Tesla T4"]) == "8 CPU cores and GPU: Tesla T4, Tesla T4"
    assert book.machine_text(8, ["Tesla T4"], "zh") == "8 个 CPU 核心、GPU：Tesla T4"
    assert book.machine_text(4, []) == "4 CPU cores and no GPU"


@pytest.mark.parametrize("call", [lambda lang: book.span([1, 2], "d", lang),
                                  lambda lang: book.join_names(["A", "B"], lang),
                                  lambda lang: book.machine_text(2, 0, lang)],
                         ids=["span", "join_names", "machine_text"])
def test_prose_helpers_reject_an_unknown_language(call):
    assert call("en") and call("zh")
    with pytest.raises(ValueError, match="language"):
        call("fr")


def test_rerun_text_names_the_chapters_measured_again():
    from ganlib.book import rerun_text

    assert rerun_text({"notebooks": {"seconds": {}}}) == "" and rerun_text({}, "zh") == ""
    results = {"notebooks": {"reruns": {
        "07_y (cpu)": {"date": "2026-12-07 08:10 UTC", "commit": "abc", "reason": "the DCGAN got narrower"},
        "04_x (cpu)": {"date": "2026-12-07 08:10 UTC", "commit": "abc", "reason": "the DCGAN got narrower"},
        "06_z (cpu)": {"date": "2026-12-06 23:20 UTC", "commit": "def", "first_run_error": "AssertionError"}}}}
    assert rerun_text(results) == (
        " 06_z (cpu) was measured again on 2026-12-06 23:20 UTC, commit def, after its first run failed."
        " 04_x and 07_y (cpu) were measured again on 2026-12-07 08:10 UTC, commit abc, because the DCGAN got narrower.")
    assert rerun_text(results, "zh") == (
        "06_z（cpu）于 2026-12-06 23:20 UTC 重新计时（提交 def），原因见 benchmarks/RESULTS.md。"
        "04_x 和 07_y（cpu）于 2026-12-07 08:10 UTC 重新计时（提交 abc），原因见 benchmarks/RESULTS.md。")
    with pytest.raises(ValueError, match="language"):
        rerun_text(results, "fr")
