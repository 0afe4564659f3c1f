"""Tests for the chapter 7 exercise checkers: right answers pass, wrong ones fail, bad input."""

import math

import pytest

from ganlib.book.exercises import ch07


def test_exercise_1_kl_by_hand():
    # -1/2 * sum(1 + lv - mu^2 - exp(lv)) for mu = (0.5, -1, 0), lv = (0, -1, 1)
    terms = [1 + 0.0 - 0.25 - 1.0, 1 - 1.0 - 1.0 - math.exp(-1.0), 1 + 1.0 - 0.0 - math.exp(1.0)]
    expected = -0.5 * sum(terms)
    assert ch07.check_exercise_1(expected) is True
    assert ch07.check_exercise_1(expected + 0.1) is False
    assert ch07.check_exercise_1(None) is False
    assert ch07.check_exercise_1("a lot") is False


def test_exercise_2_choices_are_the_suites_labels():
    from ganlib.metrics.suite import METRIC_LABELS

    # the sample-quality metrics of the suite, under the labels its tables show, then the other choices
    quality = [METRIC_LABELS[key] for key in ("fid", "kid", "precision", "recall", "density", "coverage",
                                              "classifier_score")]
    assert list(ch07.METRIC_CHOICES[:7]) == quality
    assert ch07.METRIC_CHOICES[7:] == ("CAS", "C2ST", "memorization test", "losses")


def test_exercise_2_metric_choice():
    right = {key: accepted[0] for key, (_, accepted) in ch07.SCENARIOS.items()}
    assert all(metric in ch07.METRIC_CHOICES for _, accepted in ch07.SCENARIOS.values() for metric in accepted)
    assert ch07.check_exercise_2(right) is True
    assert ch07.check_exercise_2({k: v.upper() for k, v in right.items()}) is True  # case-insensitive
    assert ch07.check_exercise_2({**right, "c": " kid "}) is True  # the suite's key of "KID"
    assert ch07.check_exercise_2({**right, "c": "kid_std"}) is False  # another key: KID's spread over subsets
    assert ch07.check_exercise_2({**right, "a": "losses"}) is False
    assert ch07.check_exercise_2({"a": "precision"}) is False
    assert ch07.check_exercise_2(["precision"]) is False
    assert ch07.check_exercise_2(None) is False


def test_exercise_2_accepts_the_decision_tables_partner_metrics():
    # the decision table pairs precision with density (fidelity) and recall with coverage (diversity)
    right = {key: accepted[0] for key, (_, accepted) in ch07.SCENARIOS.items()}
    assert ch07.check_exercise_2({**right, "a": "density", "b": "coverage"}) is True
    assert ch07.check_exercise_2({**right, "a": "recall"}) is False  # diversity, not fidelity
    assert ch07.check_exercise_2({**right, "b": "precision"}) is False  # fidelity, not diversity
    assert ch07.check_exercise_2({**right, "a": "coverage", "b": "density"}) is False  # swapped


class _Timing:  # what ganlib.book.ch07.seconds_per_epoch returns, without training a GAN
    def __init__(self, seconds_per_epoch, steps_per_epoch, batch_size):
        self.seconds_per_epoch, self.steps_per_epoch, self.batch_size = seconds_per_epoch, steps_per_epoch, batch_size


def test_exercise_3_throughput_by_hand():
    # 1000 images, batch 64 -> 15 full batches; with steps_per_execution = 10 ganlib.train runs 20 steps,
    # 20 * 64 = 1280 images per epoch; 6.4 s -> 200 images/s
    assert ch07.images_per_second(6.4, 20, 64) == pytest.approx(200.0)
    timing = _Timing(6.4, 20, 64)
    assert ch07.check_exercise_3((200.0, 300.0), timing) is True
    assert ch07.check_exercise_3((15 * 64 / 6.4, 60_000 / (15 * 64 / 6.4)), timing) is False  # used N // B steps
    assert ch07.check_exercise_3((1000 / 6.4, 60_000 / (1000 / 6.4)), timing) is False  # used N images
    assert ch07.check_exercise_3((200.0, 60.0), timing) is False
    assert ch07.check_exercise_3(None, timing) is False
    assert ch07.check_exercise_3(200.0, timing) is False


def test_exercise_3_takes_the_result_of_seconds_per_epoch():
    from ganlib.book.ch07 import EpochTiming

    timing = EpochTiming(seconds_per_epoch=6.4, steps_per_epoch=20, batch_size=64)
    assert timing.images_per_epoch == 1280
    assert ch07.check_exercise_3((200.0, 300.0), timing) is True
    with pytest.raises(TypeError, match="timing"):
        ch07.check_exercise_3((200.0, 300.0), {"seconds_per_epoch": 6.4})


def test_exercise_4_bits_per_dim_by_hand():
    nats = 784 * math.log(2.0) * 0.25  # exactly a quarter bit per pixel
    assert ch07.bits_per_dim(nats) == pytest.approx(0.25)
    assert ch07.check_exercise_4(0.25, negative_elbo_nats=nats) is True
    assert ch07.check_exercise_4(nats / 784, negative_elbo_nats=nats) is False  # nats, not bits
    assert ch07.check_exercise_4(None, negative_elbo_nats=nats) is False


def test_helpers_bad_input():
    with pytest.raises(ValueError, match="seconds_per_epoch"):
        ch07.images_per_second(0.0, 1000, 64)
    with pytest.raises(TypeError, match="seconds_per_epoch"):
        ch07.images_per_second("fast", 1000, 64)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        ch07.images_per_second(1.0, 0, 64)
    with pytest.raises(ValueError, match="batch_size"):
        ch07.images_per_second(1.0, 10, 0)
    with pytest.raises(ValueError, match="negative_elbo_nats"):
        ch07.bits_per_dim(float("nan"))
    with pytest.raises(TypeError, match="negative_elbo_nats"):
        ch07.bits_per_dim(None)
    with pytest.raises(ValueError, match="dims"):
        ch07.bits_per_dim(1.0, dims=0)
