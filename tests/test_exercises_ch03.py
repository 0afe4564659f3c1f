"""Checkers of Chapter 3's exercises: hand-computed answers pass, wrong ones fail."""

import math

import numpy as np
import pytest

from ganlib.book.exercises import ch03


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def test_expected_values_match_hand_computation():
    l_d = -np.mean(np.log([0.9, 0.8, 0.6])) - np.mean(np.log([0.7, 0.9]))
    assert ch03.expected_exercise_1() == pytest.approx(l_d, rel=1e-5)
    np.testing.assert_allclose(ch03.expected_exercise_2(), sigmoid(0.5 - np.array([-1.0, 0.0, 0.5, 2.0])), rtol=1e-10)
    mm, ns = ch03.expected_exercise_3()
    assert mm == pytest.approx(-sigmoid(-3.0), rel=1e-5)
    assert ns == pytest.approx(-sigmoid(3.0), rel=1e-5)
    jsd, value = ch03.expected_exercise_4()
    assert jsd == pytest.approx(0.5 * math.log(2), rel=1e-12)
    assert value == pytest.approx(-math.log(2), rel=1e-12)


def test_exercise_1(capsys):
    assert ch03.check_exercise_1(0.5108) is True
    assert "correct" in capsys.readouterr().out
    assert ch03.check_exercise_1(-0.5108) is False  # sign error
    assert "Hint" in capsys.readouterr().out
    assert ch03.check_exercise_1(None) is False
    assert "not answered" in capsys.readouterr().out
    assert ch03.check_exercise_1("abc") is False


def test_exercise_2():
    x = np.array(ch03.EX2_POINTS)
    assert ch03.check_exercise_2(list(sigmoid(0.5 - x))) is True
    assert ch03.check_exercise_2(sigmoid(x - 0.5)) is False  # p_data and p_g swapped
    assert ch03.check_exercise_2(sigmoid(0.5 - x)[:3]) is False
    assert ch03.check_exercise_2(None) is False
    assert ch03.check_exercise_2(["a", "b"]) is False


def test_exercise_3():
    assert ch03.check_exercise_3((-0.04743, -0.95257)) is True
    assert ch03.check_exercise_3((-0.95257, -0.04743)) is False  # swapped
    assert ch03.check_exercise_3((0.04743, 0.95257)) is False  # wrong sign
    assert ch03.check_exercise_3(-0.04743) is False
    assert ch03.check_exercise_3(None) is False


def test_exercise_4():
    assert ch03.check_exercise_4((0.5 * math.log(2), -math.log(2))) is True
    assert ch03.check_exercise_4([0.5 * math.log(2), -math.log(4)]) is False
    assert ch03.check_exercise_4((0.5, -0.693147)) is False  # JSD in bits
    assert ch03.check_exercise_4(None) is False
    assert ch03.check_exercise_4({"jsd": 1}) is False
