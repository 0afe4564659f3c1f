"""Checkers for the exercises of chapter 5.1, "Evaluating the generator".

Each ``check_exercise_K(answer)`` recomputes the expected answer with ganlib, prints a verdict
and returns ``True``/``False`` (``None`` counts as not answered yet).
"""

from __future__ import annotations

import numpy as np

from . import close_to, report

__all__ = [
    "EXERCISE_1_GAUSSIANS",
    "expected_exercise_1",
    "check_exercise_1",
    "mode_dropping_on_ring",
    "expected_exercise_2",
    "check_exercise_2",
    "precision_recall_pairs",
    "expected_exercise_3",
    "check_exercise_3",
    "fid_ratio_same_distribution",
    "expected_exercise_4",
    "check_exercise_4",
]

PRDC_NAMES = ("precision", "recall", "density", "coverage")

# --------------------------------------------------------------------------------------------
# Exercise 1: FID of two Gaussians by formula
# --------------------------------------------------------------------------------------------

#: The two 2-D Gaussians of exercise 1: (mu1, sigma1, mu2, sigma2).
EXERCISE_1_GAUSSIANS = (
    np.array([0.0, 0.0]),
    np.diag([1.0, 1.0]),
    np.array([1.0, 1.0]),
    np.diag([4.0, 9.0]),
)


def expected_exercise_1() -> float:
    """The Fréchet distance between the two Gaussians of :data:`EXERCISE_1_GAUSSIANS`."""
    from ..metrics import frechet_distance

    return frechet_distance(*EXERCISE_1_GAUSSIANS)


def check_exercise_1(answer) -> bool:
    """``answer``: the squared Fréchet distance ``d²`` between N((0,0), I) and N((1,1), diag(4, 9))."""
    return report(
        close_to(answer, expected_exercise_1(), rtol=1e-3),
        "Exercise 1",
        "‖mu1 - mu2‖² + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)); for diagonal covariances the last "
        "trace is the sum of sqrt(s1_i s2_i).",
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: which metrics flag mode dropping?
# --------------------------------------------------------------------------------------------


def mode_dropping_on_ring(n: int = 1000, *, n_modes: int = 8, kept: int = 4, nearest_k: int = 5,
                          seed: int = 0) -> dict:
    """Precision, recall, density and coverage for a perfect and a mode-dropping "generator".

    Real data: ``n`` samples of :func:`ganlib.data.ring_of_gaussians` (``n_modes`` modes). The
    perfect generator draws ``n`` fresh samples of the same ring; the mode-dropping one draws
    ``n`` samples from the first ``kept`` modes only (each mode rendered perfectly).

    Returns:
      ``{"perfect": prdc dict, "dropping": prdc dict}`` (:func:`ganlib.metrics.prdc`).
    """
    from ..data import GaussianMixture, ring_of_gaussians
    from ..metrics import prdc

    ring = ring_of_gaussians(n_modes)
    half = GaussianMixture(ring.means[:kept], ring.stds[:kept])
    real = ring.sample(n, seed=seed)
    perfect = ring.sample(n, seed=seed + 1)
    dropping = half.sample(n, seed=seed + 2)
    return {
        "perfect": prdc(real, perfect, nearest_k=nearest_k),
        "dropping": prdc(real, dropping, nearest_k=nearest_k),
    }


def expected_exercise_2(threshold: float = 0.1) -> set[str]:
    """The metrics that fall by more than ``threshold`` from the perfect to the dropping generator."""
    r = mode_dropping_on_ring()
    return {m for m in PRDC_NAMES if r["perfect"][m] - r["dropping"][m] > threshold}


def check_exercise_2(answer) -> bool:
    """``answer``: the set (or list) of metric names among precision, recall, density, coverage
    that fall by more than 0.1 when the generator drops half of the ring's modes."""
    if answer is None:
        return report(None, "Exercise 2")
    if isinstance(answer, str):
        answer = {answer}
    try:
        given = {str(a).strip().lower() for a in answer}
    except TypeError:
        return report(False, "Exercise 2", "answer with a set of metric names, e.g. {'precision'}")
    return report(
        given == expected_exercise_2(),
        "Exercise 2",
        "precision and density ask 'is each sample realistic?'; recall and coverage ask "
        "'is each real region produced?'. Run ganlib.exercises.ch05a.mode_dropping_on_ring().",
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: interpret a precision/recall pair
# --------------------------------------------------------------------------------------------


def precision_recall_pairs(n: int = 1000, *, seed: int = 0) -> dict:
    """Precision and recall of two toy generators on a 2-D ring of 8 Gaussians (std 0.02).

    * ``"A"``: draws only from 2 of the 8 modes, each exactly (mode dropping);
    * ``"B"``: every mode, but each sample blurred with extra noise of std 0.15 (poor fidelity).

    Returns:
      ``{"A": {"precision", "recall"}, "B": {...}}``.
    """
    from ..data import GaussianMixture, ring_of_gaussians
    from ..metrics import prdc

    ring = ring_of_gaussians(8)
    real = ring.sample(n, seed=seed)
    a = GaussianMixture(ring.means[:2], ring.stds[:2]).sample(n, seed=seed + 1)
    b = GaussianMixture(ring.means, 0.15).sample(n, seed=seed + 2)
    out = {}
    for name, fake in (("A", a), ("B", b)):
        r = prdc(real, fake, nearest_k=5)
        out[name] = {"precision": r["precision"], "recall": r["recall"]}
    return out


def expected_exercise_3() -> str:
    """The generator (``"A"`` or ``"B"``) with high precision and low recall."""
    pr = precision_recall_pairs()
    return max(pr, key=lambda k: pr[k]["precision"] - pr[k]["recall"])


def check_exercise_3(answer) -> bool:
    """``answer``: ``"A"`` or ``"B"``, the generator that has dropped modes."""
    if answer is None:
        return report(None, "Exercise 3")
    ok = isinstance(answer, str) and answer.strip().upper() == expected_exercise_3()
    return report(ok, "Exercise 3", "mode dropping keeps precision high and lowers recall.")


# --------------------------------------------------------------------------------------------
# Exercise 4: FID's small-sample bias
# --------------------------------------------------------------------------------------------


def fid_ratio_same_distribution(d: int = 8, small: int = 100, large: int = 1000, *, n_repeats: int = 20,
                                seed: int = 0) -> float:
    """Mean FID between two samples of ``N(0, I_d)`` of size ``small`` divided by that at ``large``.

    Both samples come from the *same* distribution (the true FID is 0), so the whole value is
    finite-sample bias, which shrinks roughly like ``1/n``: the ratio is close to ``large/small``.
    Computed with :func:`ganlib.metrics.fid_at_sample_sizes` (``n_repeats`` subsets per size).
    """
    from ..metrics import fid_at_sample_sizes

    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(large, d)), rng.normal(size=(large, d))
    # the large size equals the pool, so its subsets are the whole pool: draw fresh pools instead
    small_mean = fid_at_sample_sizes(a, b, [small], n_repeats=n_repeats, seed=seed)[small][0]
    large_values = []
    for r in range(n_repeats):
        g = np.random.default_rng([seed, r])
        large_values.append(fid_at_sample_sizes(g.normal(size=(large, d)), g.normal(size=(large, d)),
                                                [large], n_repeats=1, seed=seed)[large][0])
    return float(small_mean / np.mean(large_values))


def expected_exercise_4() -> float:
    return fid_ratio_same_distribution()


def check_exercise_4(answer) -> bool:
    """``answer``: mean FID at n = 100 divided by mean FID at n = 1000, two samples of N(0, I_8)."""
    return report(
        close_to(answer, expected_exercise_4(), rtol=0.25),
        "Exercise 4",
        "average ganlib.metrics.fid_at_sample_sizes over several repeats at each size; the true "
        "FID is 0, so every unit you measure is bias.",
    )
