"""Checkers of chapter 2's exercises: closed-form answers pass, wrong ones fail."""

import math

import pytest
from scipy.stats import norm

from ganlib.book.exercises import ch02


def test_expected_values_match_closed_forms():
    # N(0,1) vs N(1,1) at x = 0: phi(0) / (phi(0) + phi(-1)) = 1 / (1 + exp(-1/2))
    assert ch02.expected_exercise_1() == pytest.approx(1.0 / (1.0 + math.exp(-0.5)), rel=1e-9)
    d, v = ch02.expected_exercise_2()
    assert d == pytest.approx(0.5, abs=1e-12) and v == pytest.approx(-math.log(4.0), abs=1e-6)
    left, right = ch02.expected_exercise_3()
    # p_g(-2) / p_data(-2) ~ 2 exp(-32): D* = 1 to 1e-13; at x = 2, D* = (1/2) / (1/2 + 1) = 1/3
    assert left == pytest.approx(1.0, abs=1e-12) and right == pytest.approx(1.0 / 3.0, rel=1e-9)
    assert ch02.expected_exercise_4() == pytest.approx(4.0, rel=1e-9)
    # Bayes rule: "real" for x < 0, "generated" for x > 0. P_data(x < 0) = 1/2 by symmetry and
    # P_g(x > 0) = 1 - Phi(-4) (the mode at 2 is 4 stds from 0): accuracy 3/4 - Phi(-4)/2.
    assert ch02.expected_exercise_5() == pytest.approx(0.75 - 0.5 * norm.cdf(-4.0), abs=1e-7)


@pytest.mark.parametrize(
    "checker, right, wrong",
    [
        (ch02.check_exercise_1, 1.0 / (1.0 + math.exp(-0.5)), 0.5),
        (ch02.check_exercise_2, (0.5, -math.log(4.0)), (0.5, math.log(4.0))),
        (ch02.check_exercise_3, (1.0, 1.0 / 3.0), (0.5, 0.5)),
        (ch02.check_exercise_4, 4.0, 0.25),
        (ch02.check_exercise_5, 0.75, 1.0),
    ],
)
def test_checkers_accept_right_and_reject_wrong_answers(checker, right, wrong, capsys):
    assert checker(right) is True
    assert "correct" in capsys.readouterr().out
    assert checker(wrong) is False
    assert "not yet" in capsys.readouterr().out
    assert checker(None) is False
    assert "not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("checker", [ch02.check_exercise_2, ch02.check_exercise_3])
def test_pair_checkers_reject_malformed_answers(checker, capsys):
    assert checker(0.5) is False  # a single number where a pair is expected
    assert checker((0.5, 0.5, 0.5)) is False
    assert checker("half") is False
    assert "not yet" in capsys.readouterr().out


def test_scalar_checkers_reject_non_numbers(capsys):
    assert ch02.check_exercise_1([0.6, 0.7]) is False  # two numbers where one is expected
    assert ch02.check_exercise_4("four") is False
    assert "not yet" in capsys.readouterr().out
