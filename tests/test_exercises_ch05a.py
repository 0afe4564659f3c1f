"""Tests for the chapter 5.1 exercise checkers: right answers pass, wrong ones fail."""

from __future__ import annotations

import numpy as np
import pytest

from ganlib.exercises import ch05a as X


def test_exercise_1_closed_form():
    # diagonal covariances: d² = Σ_i (mu1_i - mu2_i)² + (sqrt(s1_i) - sqrt(s2_i))²
    #                          = (1 + 1) + ((1 - 2)² + (1 - 3)²) = 7
    assert X.expected_exercise_1() == pytest.approx(7.0)
    assert X.check_exercise_1(7.0) is True
    assert X.check_exercise_1(7.0004) is True
    assert X.check_exercise_1(15.0) is False  # forgot the cross term
    assert X.check_exercise_1(None) is False
    assert X.check_exercise_1("seven") is False


def test_exercise_2_mode_dropping_lowers_recall_and_coverage_only():
    r = X.mode_dropping_on_ring()
    # half the modes are missing: about half of the real points are recalled / covered
    assert r["dropping"]["recall"] == pytest.approx(0.5, abs=0.1)
    assert r["dropping"]["coverage"] == pytest.approx(0.5, abs=0.1)
    assert r["dropping"]["precision"] > 0.9 and r["perfect"]["precision"] > 0.9
    assert X.expected_exercise_2() == {"recall", "coverage"}
    assert X.check_exercise_2({"recall", "coverage"}) is True
    assert X.check_exercise_2(["Coverage", "recall"]) is True
    assert X.check_exercise_2({"precision"}) is False
    assert X.check_exercise_2({"recall"}) is False
    assert X.check_exercise_2(None) is False
    assert X.check_exercise_2(3) is False


def test_exercise_3_mode_dropper_is_a():
    pr = X.precision_recall_pairs()
    assert pr["A"]["precision"] > 0.9 and pr["A"]["recall"] < 0.4  # 2 of 8 modes: recall ≈ 1/4
    assert pr["B"]["precision"] < 0.5 and pr["B"]["recall"] > 0.9
    assert X.expected_exercise_3() == "A"
    assert X.check_exercise_3("A") is True
    assert X.check_exercise_3(" a ") is True
    assert X.check_exercise_3("B") is False
    assert X.check_exercise_3(None) is False


def test_exercise_4_fid_bias_scales_like_one_over_n():
    ratio = X.expected_exercise_4()
    assert 7.0 < ratio < 13.0  # bias ∝ 1/n: 1000/100 = 10
    # independent check of the 1/n law in 1-D: E[FID] ≈ 2/n + 1/(n-1) ≈ 3/n for N(0,1) samples
    rng = np.random.default_rng(0)
    from ganlib.metrics import fid_from_features

    vals = [fid_from_features(rng.normal(size=(200, 1)), rng.normal(size=(200, 1))) for _ in range(400)]
    assert np.mean(vals) == pytest.approx(3 / 200, rel=0.2)
    assert X.check_exercise_4(10.0) is True
    assert X.check_exercise_4(ratio) is True
    assert X.check_exercise_4(1.0) is False  # "FID does not depend on n"
    assert X.check_exercise_4(None) is False
