"""Checkers of Chapter 5.2's exercises: hand-computed answers pass, wrong ones fail."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

import ganlib
from ganlib.book import ch05b as se
from ganlib.book.exercises import ch05b
from ganlib.metrics import classification_accuracy_score
from ganlib.models import mnist_mlp_classifier


@pytest.fixture(scope="module")
def cgan():
    return ganlib.make_gan("conditional_mlp", seed=0)


@pytest.fixture(scope="module")
def tiny_data():
    rng = np.random.default_rng(0)
    y_train = np.arange(30) % 10
    y_test = np.arange(20) % 10
    x_train = rng.uniform(0, 1, (30, 28, 28, 1)).astype(np.float32)
    x_test = rng.uniform(0, 1, (20, 28, 28, 1)).astype(np.float32)
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def brightness_classifier(batch):
    """Class 0 below the median brightness of a walk, else 1 (only used through the checker)."""
    m = np.asarray(batch).reshape(len(batch), -1).mean(axis=1)
    logits = np.zeros((len(batch), 10))
    logits[:, 1] = m - THRESHOLD
    return logits


THRESHOLD = 0.0


def test_expected_values_match_hand_computation():
    tau, gap = ch05b.expected_exercise_1()
    # real order A > B > C > D > E; synthetic swaps B and C only: 9 concordant, 1 discordant of 10 pairs
    assert tau == pytest.approx((9 - 1) / 10)
    assert gap == pytest.approx((0.02 + 0.03 + 0.07 + 0.05 + 0.08) / 5)
    p, significant = ch05b.expected_exercise_2()
    assert p == pytest.approx(2 / 24)  # 1 of 4! orders, two-sided
    assert significant is False


def test_exercise_1(capsys):
    assert ch05b.check_exercise_1((0.8, 0.05)) is True
    assert "correct" in capsys.readouterr().out
    assert ch05b.check_exercise_1([0.6, 0.05]) is False  # counted the swap twice
    assert "Hint" in capsys.readouterr().out
    assert ch05b.check_exercise_1((0.8, -0.026)) is False  # signed mean gap instead of absolute
    assert ch05b.check_exercise_1(0.8) is False
    assert ch05b.check_exercise_1(None) is False
    assert "not answered" in capsys.readouterr().out


def test_exercise_2():
    assert ch05b.check_exercise_2((2 / 24, False)) is True
    assert ch05b.check_exercise_2((0.0833, False)) is True
    assert ch05b.check_exercise_2((1 / 24, True)) is False  # one-sided
    assert ch05b.check_exercise_2((2 / 24, True)) is False
    assert ch05b.check_exercise_2((2 / 24, "no")) is False
    assert ch05b.check_exercise_2("p") is False
    assert ch05b.check_exercise_2(None) is False


def test_exercise_3(cgan, tiny_data):
    x_syn = cgan.generate(30, labels=tiny_data.y_train, seed=1)
    ref = classification_accuracy_score(x_syn, tiny_data.y_train, tiny_data.x_test, tiny_data.y_test,
                                        mnist_mlp_classifier, epochs=1, seed=0)
    assert ch05b.expected_exercise_3(cgan, tiny_data, 1) == pytest.approx(ref)
    via_tstr = se.train_on_synthetic_test_on_real(cgan, tiny_data.x_train, tiny_data.y_train, tiny_data.x_test,
                                                  tiny_data.y_test, mnist_mlp_classifier, epochs=1, mixed=False)
    assert via_tstr["synthetic"] == pytest.approx(ref)  # the solution's second route gives the same number
    assert ch05b.check_exercise_3(ref, cgan, tiny_data, 1) is True
    assert ch05b.check_exercise_3(ref + 0.2, cgan, tiny_data, 1) is False
    assert ch05b.check_exercise_3(None, cgan, tiny_data, 1) is False


def test_exercise_4(cgan):
    global THRESHOLD
    a, b, n, seed = ch05b.EX4_WALK
    walk = se.latent_walk(cgan, a, b, n, seed=seed)
    means = walk.reshape(n, -1).mean(axis=1)
    t = np.linspace(0, 1, n)
    THRESHOLD = float(np.median(means))
    pred = (means - THRESHOLD > 0).astype(int)  # argmax of logits (0, m - threshold, 0, ...)
    changed = np.flatnonzero(pred != pred[0])
    expected = t[changed[0]] if changed.size else math.nan
    assert not math.isnan(expected)  # the median splits the walk: the decision must change
    assert ch05b.expected_exercise_4(cgan, brightness_classifier) == pytest.approx(expected, abs=1e-3)
    assert ch05b.check_exercise_4(expected, cgan, brightness_classifier) is True
    assert ch05b.check_exercise_4(expected + 0.2, cgan, brightness_classifier) is False
    assert ch05b.check_exercise_4("late", cgan, brightness_classifier) is False
    assert ch05b.check_exercise_4(None, cgan, brightness_classifier) is False
    # a classifier that never changes its mind: the answer is NaN
    never = lambda batch: np.tile(np.eye(10)[3], (len(batch), 1))  # noqa: E731
    assert ch05b.check_exercise_4(float("nan"), cgan, never) is True
    assert ch05b.check_exercise_4(0.5, cgan, never) is False


def test_exercise_5(capsys):
    a, b = ch05b.EX5_ACCURACY, ch05b.EX5_BIAS
    assert (a, b) == (0.8, -0.05)
    n_star, ratio = ch05b.expected_exercise_5()
    # hand computation: n* = 0.8 * 0.2 / 0.05² = 64; at n = n0 = 64 the weight is 1/2 and the MSE is
    # (0.0025 + 0.0025) / 4 = 0.00125, half of 0.16 / 64 = 0.0025
    assert n_star == pytest.approx(64.0)
    assert ratio == pytest.approx(0.5)
    # the combined estimate really has that MSE: real estimates r ~ Binomial(64, 0.8)/64 (exact
    # expectation over all 65 outcomes) shrunk half-way towards the biased guess 0.75
    from scipy import stats

    k = np.arange(65)
    pmf = stats.binom.pmf(k, 64, a)
    combined = se.combined_estimate(k / 64, 64, a + b, 64.0)
    assert float(np.sum(pmf * (combined - a) ** 2)) == pytest.approx(0.00125, rel=1e-9)
    assert ch05b.check_exercise_5((64, 0.5)) is True
    assert "correct" in capsys.readouterr().out
    assert ch05b.check_exercise_5((320, 0.5)) is False  # a / b² instead of a(1 - a) / b²
    assert ch05b.check_exercise_5((64, 0.25)) is False  # forgot the bias term of the combined estimate
    assert ch05b.check_exercise_5(64) is False
    assert ch05b.check_exercise_5(None) is False
    assert "not answered" in capsys.readouterr().out



def test_expected_exercise_6_hand_computed():
    raw, calibrated = ch05b.expected_exercise_6()
    a = np.array(ch05b.EX6_REAL)
    s = np.array(ch05b.EX6_SYNTHETIC)
    # raw: mean a(1 - a) = (0.09 + 0.16 + 0.21 + 0.24 + 0.25) / 5 = 0.19; misses 0.28, 0.32, 0.29, 0.32, 0.29
    assert raw == pytest.approx(0.19 / ((0.28**2 + 0.32**2 + 0.29**2 + 0.32**2 + 0.29**2) / 5))
    # calibrated: each subgroup from the least-squares line through the other four (numpy's polyfit)
    loo = []
    for j in range(5):
        keep = np.arange(5) != j
        slope, intercept = np.polyfit(s[keep], a[keep], 1)
        loo.append(min(max(intercept + slope * s[j], 0.0), 1.0))
    assert calibrated == pytest.approx(0.19 / np.mean((np.array(loo) - a) ** 2))
    assert calibrated > 100 * raw / 2  # a bias shared by all subgroups calibrates away


def test_exercise_6(capsys):
    raw, calibrated = ch05b.expected_exercise_6()
    assert ch05b.check_exercise_6((raw, calibrated)) is True
    assert ch05b.check_exercise_6((round(raw, 2), round(calibrated, 1))) is True
    assert ch05b.check_exercise_6((raw, raw)) is False  # forgot to calibrate
    assert "Hint" in capsys.readouterr().out
    a, s = np.array(ch05b.EX6_REAL), np.array(ch05b.EX6_SYNTHETIC)
    slope, intercept = np.polyfit(s, a, 1)  # fitted on all five, each subgroup predicting itself
    in_sample = np.mean(a * (1 - a)) / np.mean((intercept + slope * s - a) ** 2)
    assert ch05b.check_exercise_6((raw, in_sample)) is False
    assert ch05b.check_exercise_6(3.0) is False
    assert ch05b.check_exercise_6(None) is False
