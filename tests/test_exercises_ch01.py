"""Chapter 1 exercise checkers: right answers pass, wrong ones fail, nothing a student types crashes."""

import math

import numpy as np
import pytest

from ganlib.book.exercises import ch01


# --- expected answers against hand-computed values -------------------------------------------


def test_expected_exercise_1_is_log_4():
    # -log(1/2) - log(1/2) = 2 log 2 = log 4
    assert ch01.expected_exercise_1() == pytest.approx(math.log(4.0), abs=1e-6)


def test_expected_exercise_2_is_1600_for_the_exercise_numbers():
    # 0.8 * 0.2 / 0.01**2 = 0.16 / 1e-4 = 1600 (exactly; float round-off must not make it 1601)
    assert ch01.expected_exercise_2() == 1600
    assert ch01.expected_exercise_2(0.5, 0.05) == 100  # 0.25 / 0.0025
    assert ch01.expected_exercise_2(0.9, 0.02) == 225  # 0.09 / 0.0004


def test_expected_exercise_3_by_hand():
    a = ch01.PER_CLASS_ACCURACY
    f = ch01.GENERATOR_CLASS_FREQUENCIES
    synthetic = sum(float(fk) * float(ak) for fk, ak in zip(f, a))
    real = sum(float(ak) for ak in a) / 10
    assert ch01.expected_exercise_3() == pytest.approx((synthetic, real))
    # A tiny case: two classes, the generator draws only class 0.
    assert ch01.expected_exercise_3([1.0, 0.0], [1.0, 0.0]) == pytest.approx((1.0, 0.5))


def test_exercise_3_constants_are_a_valid_setting():
    f = ch01.GENERATOR_CLASS_FREQUENCIES
    assert f.shape == (10,) and np.all(f >= 0) and f.sum() == pytest.approx(1.0)
    assert f[9] == 0.0  # the generator never draws a 9 (the chapter's dropped mode)
    a = ch01.PER_CLASS_ACCURACY
    assert a.shape == (10,) and np.all((a >= 0) & (a <= 1))
    synthetic, real = ch01.expected_exercise_3()
    assert synthetic > real  # the point of the exercise: the synthetic set flatters the classifier


# --- checkers: correct passes, wrong fails ----------------------------------------------------


@pytest.mark.parametrize(
    "check, correct, wrong",
    [
        (ch01.check_exercise_1, math.log(4.0), math.log(2.0)),
        (ch01.check_exercise_2, 1600, 400),
        (ch01.check_exercise_3, (0.8961, 0.835), (0.835, 0.8961)),
    ],
)
def test_checkers_accept_correct_and_reject_wrong(check, correct, wrong, capsys):
    assert check(correct) is True
    assert "correct" in capsys.readouterr().out
    assert check(wrong) is False
    out = capsys.readouterr().out
    assert "not yet" in out and "Hint" in out


def test_exercise_3_correct_value_matches_the_hand_computation():
    # sum f_k a_k = .1455+.245+.064+.0656+.085+.045+.1288+.0704+.0468 = 0.8961 (f_9 = 0)
    # mean a_k = 8.35 / 10 = 0.835
    assert ch01.expected_exercise_3() == pytest.approx((0.8961, 0.835), abs=1e-9)


def test_exercise_2_accepts_within_one_percent_only():
    assert ch01.check_exercise_2(1601) is True
    assert ch01.check_exercise_2(1700) is False
    assert ch01.check_exercise_2(1500) is False


# --- bad or missing input: reported, never raised --------------------------------------------


@pytest.mark.parametrize("check", [ch01.check_exercise_1, ch01.check_exercise_2, ch01.check_exercise_3])
def test_unanswered_is_reported_not_raised(check, capsys):
    assert check(None) is False
    assert "not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("check", [ch01.check_exercise_1, ch01.check_exercise_2, ch01.check_exercise_3])
@pytest.mark.parametrize("garbage", ["abc", {"a": 1}, [1, 2, 3], object()])
def test_answers_of_the_wrong_kind_are_not_yet(check, garbage, capsys):
    assert check(garbage) is False
    assert "not yet" in capsys.readouterr().out


def test_exercise_3_rejects_a_single_number_with_the_pair_hint(capsys):
    assert ch01.check_exercise_3(0.8961) is False
    assert "pair" in capsys.readouterr().out
