"""Checkers for the exercises of chapter 2 (core concepts: the two-player game).

Every checker recomputes the expected answer with ganlib (exact densities of
:class:`ganlib.data.GaussianMixture`, :func:`ganlib.losses.optimal_discriminator`,
:func:`ganlib.losses.value_at_optimal_discriminator`, :func:`ganlib.book.ch02.discriminator_log_odds`)
instead of storing it, prints a one-line verdict and returns ``True``/``False``.
"""

from __future__ import annotations

import numpy as np

from . import close_to, report

__all__ = [
    "expected_exercise_1",
    "expected_exercise_2",
    "expected_exercise_3",
    "expected_exercise_4",
    "expected_exercise_5",
    "check_exercise_1",
    "check_exercise_2",
    "check_exercise_3",
    "check_exercise_4",
    "check_exercise_5",
]

#: Exercise 5's grid: wide and fine enough that the Riemann sums are exact to ~1e-6.
_GRID = np.linspace(-8.0, 8.0, 16001)


def _pair(answer):
    """``None`` stays ``None``; anything else must be a pair of numbers, else ``False``."""
    if answer is None:
        return None
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    if arr.shape != (2,):
        return False
    return arr


def _d_star_at(p_data, p_g, x: float) -> float:
    from ...losses import optimal_discriminator

    point = np.array([[x]])
    return float(optimal_discriminator(p_data.pdf(point), p_g.pdf(point))[0])


def _data_and_collapsed_generator():
    from ...data import mixture_1d

    return mixture_1d(), mixture_1d(means=(2.0,), stds=(0.5,))


def expected_exercise_1() -> float:
    """``D*(0)`` for ``p_data = N(0, 1)`` and ``p_g = N(1, 1)``: ``1 / (1 + exp(-1/2))``."""
    from ...data import mixture_1d

    return _d_star_at(mixture_1d(means=(0.0,), stds=(1.0,)), mixture_1d(means=(1.0,), stds=(1.0,)), 0.0)


def check_exercise_1(answer) -> bool:
    """Exercise 1: the optimal discriminator at ``x = 0`` for ``p_data = N(0,1)``, ``p_g = N(1,1)``."""
    return report(
        close_to(answer, expected_exercise_1(), rtol=1e-3),
        "Exercise 1",
        "D*(x) = p_data(x) / (p_data(x) + p_g(x)); evaluate both normal densities at x = 0 "
        "(the normalising constants cancel).",
    )


def expected_exercise_2() -> tuple[float, float]:
    """``(D*(x), V(D*, G))`` when ``p_g = p_data``: ``(1/2, -log 4)``, computed on a grid."""
    from ...data import mixture_1d
    from ...losses import optimal_discriminator, value_at_optimal_discriminator

    p = mixture_1d().pdf(_GRID[:, None])
    d_star = optimal_discriminator(p, p)
    value = value_at_optimal_discriminator(p, p, _GRID[1] - _GRID[0])
    return float(np.median(d_star)), float(value)


def check_exercise_2(answer) -> bool:
    """Exercise 2: ``answer = (D*, V)`` at the equilibrium ``p_g = p_data``."""
    pair = _pair(answer)
    ok = pair if pair is None or pair is False else close_to(pair, expected_exercise_2(), rtol=1e-3)
    return report(
        ok,
        "Exercise 2",
        "answer is a pair (D*, V). With p_g = p_data the ratio p / (p + p) is the same "
        "everywhere; V = E[log D*] + E[log(1 - D*)].",
    )


def expected_exercise_3() -> tuple[float, float]:
    """``(D*(-2), D*(2))`` for ``p_data = mixture_1d()`` and the collapsed ``p_g = N(2, 0.5²)``."""
    p_data, p_g = _data_and_collapsed_generator()
    return _d_star_at(p_data, p_g, -2.0), _d_star_at(p_data, p_g, 2.0)


def check_exercise_3(answer) -> bool:
    """Exercise 3: ``answer = (D*(-2), D*(2))`` against a generator covering only the right mode."""
    pair = _pair(answer)
    ok = pair if pair is None or pair is False else close_to(pair, expected_exercise_3(), rtol=1e-3)
    return report(
        ok,
        "Exercise 3",
        "answer is a pair (D*(-2), D*(2)). At x = -2 the generator has (almost) no mass; at x = 2 "
        "p_data is half a component while p_g is a whole one.",
    )


def expected_exercise_4() -> float:
    """``p_data / p_g`` where an optimal discriminator outputs 0.8: ``0.8 / 0.2 = 4``."""
    from ..ch02 import discriminator_log_odds

    return float(np.exp(discriminator_log_odds([0.8])[0]))


def check_exercise_4(answer) -> bool:
    """Exercise 4: the density ratio ``p_data(x) / p_g(x)`` read off ``D*(x) = 0.8``."""
    return report(
        close_to(answer, expected_exercise_4(), rtol=1e-3),
        "Exercise 4",
        "solve D = p / (p + q) for p / q.",
    )


def expected_exercise_5() -> float:
    """Best possible real-vs-generated accuracy for ``mixture_1d()`` vs ``N(2, 0.5²)``.

    The Bayes classifier (``D*`` thresholded at 1/2) attains
    ``1/2 ∫ max(p_data, p_g) dx = 1/2 + TV(p_data, p_g) / 2``, computed on a fine grid.
    """
    p_data, p_g = _data_and_collapsed_generator()
    p, q = p_data.pdf(_GRID[:, None]), p_g.pdf(_GRID[:, None])
    return float(0.5 * np.sum(np.maximum(p, q)) * (_GRID[1] - _GRID[0]))


def check_exercise_5(answer) -> bool:
    """Exercise 5: the highest balanced accuracy any discriminator can reach against the
    collapsed generator."""
    return report(
        close_to(answer, expected_exercise_5(), rtol=1e-3),
        "Exercise 5",
        "the best classifier says 'real' where p_data > p_g; its accuracy is "
        "1/2 ∫ max(p_data, p_g) dx. Which part of p_data does p_g overlap?",
    )
