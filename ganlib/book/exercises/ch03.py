"""Checkers for the exercises of Chapter 3 (algorithm and loss math).

Each ``check_exercise_K(answer)`` recomputes the expected answer with ganlib, prints a verdict
(with a hint when the answer is wrong) and returns ``True``/``False``. ``answer=None`` means
"not answered yet". The exercise data are module constants so the notebook and the checkers
use the same numbers.
"""

from __future__ import annotations

import math

import numpy as np

from . import close_to, report

__all__ = [
    "EX1_D_REAL",
    "EX1_D_FAKE",
    "EX2_POINTS",
    "EX3_LOGIT",
    "EX4_P",
    "EX4_Q",
    "expected_exercise_1",
    "expected_exercise_2",
    "expected_exercise_3",
    "expected_exercise_4",
    "check_exercise_1",
    "check_exercise_2",
    "check_exercise_3",
    "check_exercise_4",
]

#: Exercise 1: the discriminator's probabilities D(x) on three real and D(G(z)) on two fakes.
EX1_D_REAL = (0.9, 0.8, 0.6)
EX1_D_FAKE = (0.3, 0.1)
#: Exercise 2: points at which to evaluate D* for p_data = N(0, 1), p_g = N(1, 1).
EX2_POINTS = (-1.0, 0.0, 0.5, 2.0)
#: Exercise 3: the discriminator's logit on a fake it confidently rejects.
EX3_LOGIT = -3.0
#: Exercise 4: two distributions on three outcomes.
EX4_P = (0.5, 0.5, 0.0)
EX4_Q = (0.0, 0.5, 0.5)


def _logit(p) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def expected_exercise_1() -> float:
    """L_D = -mean(log D(x)) - mean(log(1 - D(G(z)))), computed by ganlib.losses.discriminator_loss."""
    from ...losses import discriminator_loss

    return float(discriminator_loss(_logit(EX1_D_REAL), _logit(EX1_D_FAKE)).numpy())


def expected_exercise_2() -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g) at :data:`EX2_POINTS`, by ganlib.losses.optimal_discriminator."""
    from ...data import mixture_1d
    from ...losses import optimal_discriminator

    x = np.asarray(EX2_POINTS, dtype=np.float64)
    p_data = mixture_1d(means=(0.0,), stds=(1.0,)).pdf(x)
    p_g = mixture_1d(means=(1.0,), stds=(1.0,)).pdf(x)
    return optimal_discriminator(p_data, p_g)


def expected_exercise_3() -> tuple[float, float]:
    """(dL/dl minimax, dL/dl non-saturating) at l = :data:`EX3_LOGIT`, by ganlib.book.ch03."""
    from ..ch03 import generator_loss_gradients

    d = 1.0 / (1.0 + math.exp(-EX3_LOGIT))
    g = generator_loss_gradients([d], wrt="logit")
    return float(g["minimax"][0]), float(g["nonsaturating"][0])


def expected_exercise_4() -> tuple[float, float]:
    """(JSD(p || q), V(D*, G)) for the discrete :data:`EX4_P`, :data:`EX4_Q` (dx = 1)."""
    from ...losses import jensen_shannon_divergence, value_at_optimal_discriminator

    return (
        jensen_shannon_divergence(EX4_P, EX4_Q, 1.0),
        value_at_optimal_discriminator(EX4_P, EX4_Q, 1.0),
    )


def _pair(answer):
    """A 2-element answer as a float array, ``None`` if unanswered, ``False`` if malformed."""
    if answer is None:
        return None
    try:
        arr = np.asarray(answer, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return False
    return arr if arr.shape == (2,) else False


def check_exercise_1(answer) -> bool:
    """Exercise 3.1: the discriminator loss (a number) for the D outputs EX1_D_REAL / EX1_D_FAKE."""
    ok = close_to(answer, expected_exercise_1(), rtol=1e-3)
    hint = ("L_D = -(1/3) Σ log D(x_i) - (1/2) Σ log(1 - D(G(z_j))): average the real and the fake "
            "terms separately, natural logarithms, and both terms are subtracted.")
    return report(ok, "Exercise 3.1", hint)


def check_exercise_2(answer) -> bool:
    """Exercise 3.2: D*(x) at the points EX2_POINTS (an array of 4 numbers)."""
    expected = expected_exercise_2()
    if answer is None:
        ok = None
    else:
        try:
            arr = np.asarray(answer, dtype=float).reshape(-1)
            ok = arr.shape == expected.shape and close_to(arr, expected, rtol=1e-3)
        except (TypeError, ValueError):
            ok = False
    hint = ("D*(x) = p_data(x) / (p_data(x) + p_g(x)) = sigmoid(log p_data(x) - log p_g(x)); "
            "for N(0, 1) against N(1, 1) the log-ratio is 1/2 - x.")
    return report(ok, "Exercise 3.2", hint)


def check_exercise_3(answer) -> bool:
    """Exercise 3.3: (minimax gradient, non-saturating gradient) with respect to the logit."""
    arr = _pair(answer)
    ok = arr if arr is None or arr is False else close_to(arr, expected_exercise_3(), rtol=1e-3)
    hint = ("With D = sigmoid(l): d/dl log(1 - D) = -D and d/dl (-log D) = -(1 - D). "
            "Give (minimax, non-saturating), both negative.")
    return report(ok, "Exercise 3.3", hint)


def check_exercise_4(answer) -> bool:
    """Exercise 3.4: (JSD(p || q), C(G) = V(D*, G)) for the discrete EX4_P, EX4_Q."""
    arr = _pair(answer)
    ok = arr if arr is None or arr is False else close_to(arr, expected_exercise_4(), rtol=1e-3)
    hint = ("m = (p + q) / 2; JSD = KL(p||m)/2 + KL(q||m)/2 with 0 log 0 = 0 and natural logs; "
            "then C(G) = -log 4 + 2 JSD.")
    return report(ok, "Exercise 3.4", hint)
