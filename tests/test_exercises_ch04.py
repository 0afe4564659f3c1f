"""Checkers of Chapter 4's exercises: hand-computed answers pass, wrong ones fail."""

import numpy as np
import pytest

from ganlib.book.exercises import ch04


def test_expected_values_match_hand_computation():
    g = 100 * 128 + 128 + 128 * 784 + 784  # 114,064
    d = 784 * 128 + 128 + 128 + 1  # 100,609
    assert ch04.expected_exercise_1() == g + d == 214_673
    np.testing.assert_array_equal(ch04.expected_exercise_2(), [1, 1, 1, 0, 0])
    assert ch04.expected_exercise_3() == pytest.approx(64 / 66, rel=1e-12)
    assert ch04.expected_exercise_4() == 4


def test_exercise_1(capsys):
    assert ch04.check_exercise_1(214_673) is True
    assert "correct" in capsys.readouterr().out
    assert ch04.check_exercise_1(227_344 + 201_217) is False  # the 256-unit networks
    assert "Hint" in capsys.readouterr().out
    assert ch04.check_exercise_1(None) is False
    assert "not answered" in capsys.readouterr().out
    assert ch04.check_exercise_1("many") is False


def test_exercise_2():
    assert ch04.check_exercise_2([1, 1, 1, 0, 0]) is True
    assert ch04.check_exercise_2(np.array([[1.0], [1.0], [1.0], [0.0], [0.0]])) is True
    assert ch04.check_exercise_2([0, 0, 0, 1, 1]) is False  # real and fake swapped
    assert ch04.check_exercise_2(np.ones(5)) is False  # the source's train_generator labels
    assert ch04.check_exercise_2([1, 1, 0, 0]) is False  # wrong length
    assert ch04.check_exercise_2(None) is False
    assert ch04.check_exercise_2("ones") is False


def test_exercise_3():
    assert ch04.check_exercise_3(64 / 66) is True
    assert ch04.check_exercise_3(0.9697) is True
    assert ch04.check_exercise_3(128 / 130) is False  # the source's batch size, not the exercise's
    assert ch04.check_exercise_3(0.5) is False
    assert ch04.check_exercise_3(None) is False


def test_exercise_4(capsys):
    assert ch04.check_exercise_4(4) is True
    assert ch04.check_exercise_4(np.int64(4)) is True
    assert ch04.check_exercise_4(10) is False
    assert ch04.check_exercise_4(4.0) is False  # a line number is an integer
    assert ch04.check_exercise_4(True) is False
    assert ch04.check_exercise_4(None) is False
    capsys.readouterr()


def test_numbered_snippet_and_bad_input():
    text = ch04.numbered()
    lines = text.splitlines()
    assert len(lines) == len(ch04.EX4_SNIPPET.rstrip("\n").splitlines()) == 12
    assert lines[3] == " 4 | d.trainable = False"
    assert ch04.numbered("a\nb") == "1 | a\n2 | b"
    with pytest.raises(TypeError, match="snippet"):
        ch04.numbered(3)
