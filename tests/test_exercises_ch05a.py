"""Tests for the chapter 5.1 exercise checkers: right answers pass, wrong ones fail."""

from __future__ import annotations

import numpy as np
import pytest

from ganlib.book.exercises import ch05a as X


def test_exercise_1_closed_form(capsys):
    # diagonal covariances: d² = Σ_i (mu1_i - mu2_i)² + (sqrt(s1_i) - sqrt(s2_i))²
    #                          = (1 + 1) + ((1 - 2)² + (1 - 3)²) = 7
    assert X.expected_exercise_1() == pytest.approx(7.0)
    assert X.check_exercise_1(7.0) is True
    assert X.check_exercise_1(7.0004) is True
    capsys.readouterr()
    assert X.check_exercise_1(15.0) is False  # forgot the cross term
    assert "sqrt(s1_i s2_i)" in capsys.readouterr().out
    assert X.check_exercise_1(np.sqrt(7.0)) is False  # the distance d, not d²
    assert "square d²" in capsys.readouterr().out
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


def _mmd2_right(x, y):
    d = x.shape[1]
    k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
    m, n = len(x), len(y)
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.mean())


def _mmd2_loops(x, y):
    # the formula term by term, independent of the vectorised versions
    d, m, n = x.shape[1], len(x), len(y)
    k = lambda a, b: (float(a @ b) / d + 1) ** 3  # noqa: E731
    sxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    syy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    sxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return sxx + syy - 2 * sxy


def test_exercise_5_accepts_a_correct_estimator_and_names_the_usual_mistakes(capsys):
    x, y = X.exercise_5_samples()
    assert x.shape == (12, 5) and y.shape == (9, 5)
    assert X.expected_exercise_5() == pytest.approx(_mmd2_loops(x, y), rel=1e-10)
    assert X.check_exercise_5(_mmd2_right) is True
    assert X.check_exercise_5(_mmd2_loops) is True
    assert "correct" in capsys.readouterr().out

    d = 5
    k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
    off = lambda K: K.sum() - np.trace(K)  # noqa: E731
    wrong = {
        "i = j terms": lambda x, y: k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean(),
        "m(m-1) terms": lambda x, y: off(k(x, x)) / len(x) ** 2 + off(k(y, y)) / len(y) ** 2 - 2 * k(x, y).mean(),
        "without 1/d": lambda x, y: (off((x @ x.T + 1) ** 3) / (len(x) * (len(x) - 1))
                                     + off((y @ y.T + 1) ** 3) / (len(y) * (len(y) - 1)) - 2 * ((x @ y.T + 1) ** 3).mean()),
        "swaps the normalisations": lambda x, y: (off(k(x, x)) / (len(y) * (len(y) - 1))
                                                  + off(k(y, y)) / (len(x) * (len(x) - 1)) - 2 * k(x, y).mean()),
        "factor 2": lambda x, y: _mmd2_right(x, y) + k(x, y).mean(),
    }
    for phrase, fn in wrong.items():
        assert X.check_exercise_5(fn) is False
        out = capsys.readouterr().out
        assert "not yet" in out and phrase in out, (phrase, out)

    assert X.check_exercise_5(lambda x, y: _mmd2_right(x, y) + 0.01) is False
    assert "three terms" in capsys.readouterr().out
    assert X.check_exercise_5(_mmd2_right(x, y)) is False  # a number, not the function
    assert "function itself" in capsys.readouterr().out
    assert X.check_exercise_5(lambda x: 0.0) is False  # wrong signature: reported, not raised
    assert "raised TypeError" in capsys.readouterr().out
    assert X.check_exercise_5(None) is False


def test_exercise_6_biased_mmd_has_a_one_over_m_bias(capsys):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    # the biased estimator, term by term: every pair, the i = j terms included, divided by m² and n²
    k = lambda a, b: (float(a @ b) / 3 + 1) ** 3  # noqa: E731
    by_hand = (sum(k(a, b) for a in x for b in x) / 7**2 + sum(k(a, b) for a in y for b in y) / 5**2
               - 2 * sum(k(a, b) for a in x for b in y) / (7 * 5))
    assert X.mmd2_biased(x, y) == pytest.approx(by_hand, rel=1e-10)
    assert X.mmd2_biased(x, y) >= 0
    ratio = X.expected_exercise_6()
    assert 8.0 < ratio < 12.0  # bias ∝ 1/m: 200/20 = 10
    assert X.check_exercise_6(10.0) is True
    assert X.check_exercise_6(ratio) is True
    capsys.readouterr()
    assert X.check_exercise_6(1.0) is False  # the unbiased estimator: no trend
    assert "unbiased" in capsys.readouterr().out
    assert X.check_exercise_6(-3.0) is False
    assert "unbiased" in capsys.readouterr().out
    assert X.check_exercise_6(np.sqrt(10.0)) is False  # MMD instead of MMD²
    assert "square root" in capsys.readouterr().out
    assert X.check_exercise_6(30.0) is False
    assert "1/m" in capsys.readouterr().out
    assert X.check_exercise_6("ten") is False
    assert X.check_exercise_6(None) is False
