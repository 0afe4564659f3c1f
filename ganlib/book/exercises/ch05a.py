"""Checkers for the exercises of chapter 5.1, "Evaluating the generator".

Each ``check_exercise_K(answer)`` recomputes the expected answer with ganlib, prints a verdict
and returns ``True``/``False`` (``None`` counts as not answered yet). Exercise 5's answer is a
function: the checker runs it and, for a wrong value, names the usual mistake it matches.
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
    "exercise_5_samples",
    "expected_exercise_5",
    "check_exercise_5",
    "mmd2_biased",
    "biased_kid_ratio",
    "expected_exercise_6",
    "check_exercise_6",
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
    from ...metrics import frechet_distance

    return frechet_distance(*EXERCISE_1_GAUSSIANS)


def check_exercise_1(answer) -> bool:
    """``answer``: the squared Fréchet distance ``d²`` between N((0,0), I) and N((1,1), diag(4, 9)).

    An answer equal to the distance ``d`` itself (the square root of the expected value) gets a
    hint of its own: FID reports ``d²``.
    """
    expected = expected_exercise_1()
    ok = close_to(answer, expected, rtol=1e-3)
    if ok is False and close_to(answer, np.sqrt(expected), rtol=1e-3):
        return report(False, "Exercise 1", "that is the Fréchet distance d; FID (and this exercise) asks for its "
                      "square d², the formula without a square root around it.")
    return report(
        ok,
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
      ``{"perfect": {...}, "dropping": {...}}``, each a dict of the four values of
      :func:`ganlib.metrics.prdc` (precision, recall, density, coverage).
    """
    from ...data import GaussianMixture, ring_of_gaussians
    from ...metrics import prdc

    ring = ring_of_gaussians(n_modes)
    half = GaussianMixture(ring.means[:kept], ring.stds[:kept])
    real = ring.sample(n, seed=seed)
    perfect = ring.sample(n, seed=seed + 1)
    dropping = half.sample(n, seed=seed + 2)
    results = {"perfect": prdc(real, perfect, nearest_k=nearest_k), "dropping": prdc(real, dropping, nearest_k=nearest_k)}
    return {name: {m: getattr(r, m) for m in PRDC_NAMES} for name, r in results.items()}


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
        "'is each real region produced?'. Run ganlib.book.exercises.ch05a.mode_dropping_on_ring().",
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: interpret a precision/recall pair
# --------------------------------------------------------------------------------------------


def precision_recall_pairs(n: int = 1000, *, seed: int = 0) -> dict:
    """Precision and recall of two toy generators on a 2-D ring of 8 Gaussians (std 0.02).

    * ``"A"``: draws only from 2 of the 8 modes, each exactly (mode dropping);
    * ``"B"``: every mode, but with a standard deviation of 0.15 in place of the real 0.02
      (over-dispersed samples: poor fidelity).

    Returns:
      ``{"A": {"precision", "recall"}, "B": {...}}``.
    """
    from ...data import GaussianMixture, ring_of_gaussians
    from ...metrics import prdc

    ring = ring_of_gaussians(8)
    real = ring.sample(n, seed=seed)
    a = GaussianMixture(ring.means[:2], ring.stds[:2]).sample(n, seed=seed + 1)
    b = GaussianMixture(ring.means, 0.15).sample(n, seed=seed + 2)
    out = {}
    for name, fake in (("A", a), ("B", b)):
        r = prdc(real, fake, nearest_k=5)
        out[name] = {"precision": r.precision, "recall": r.recall}
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
    from ...metrics import fid_at_sample_sizes

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


# --------------------------------------------------------------------------------------------
# Exercise 5: KID's unbiased MMD² estimator, implemented by the student
# --------------------------------------------------------------------------------------------


def exercise_5_samples(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The two small feature samples the checker of exercise 5 tries a function on.

    ``x``: 12 points of ``N(0, I_5)``; ``y``: 9 points of ``N(0.3, I_5)``. The sizes differ on
    purpose, so that a normalisation by the wrong set's size shows.
    """
    rng = np.random.default_rng(seed)
    return rng.normal(size=(12, 5)), rng.normal(loc=0.3, size=(9, 5))


def _cubic_kernel(a: np.ndarray, b: np.ndarray, *, scale: bool = True) -> np.ndarray:
    return ((a @ b.T) / (a.shape[1] if scale else 1.0) + 1.0) ** 3


def _mmd2_mistakes(x: np.ndarray, y: np.ndarray) -> list[tuple[str, float]]:
    """The typical wrong versions of the unbiased MMD² estimate of ``x`` and ``y``, each with a hint."""
    m, n = len(x), len(y)
    kxx, kyy, kxy = _cubic_kernel(x, x), _cubic_kernel(y, y), _cubic_kernel(x, y)
    ux, uy, uxy = (_cubic_kernel(a, b, scale=False) for a, b in ((x, x), (y, y), (x, y)))

    def off(k):  # the sum over i != j
        return k.sum() - np.trace(k)

    return [
        ("keeps the i = j terms (the biased estimator): leave out k(x_i, x_i) and k(y_i, y_i), and "
         "divide the two within-sample sums by m(m-1) and n(n-1).",
         kxx.mean() + kyy.mean() - 2 * kxy.mean()),
        ("leaves out the i = j terms but still divides by m² and n²: a sum over i != j has m(m-1) terms.",
         off(kxx) / m**2 + off(kyy) / n**2 - 2 * kxy.mean()),
        ("uses the kernel without 1/d: it is (xᵀy / d + 1)³, with d the number of features.",
         off(ux) / (m * (m - 1)) + off(uy) / (n * (n - 1)) - 2 * uxy.mean()),
        ("swaps the normalisations: the sum over x's pairs is divided by m(m-1) (x has m rows), the sum "
         "over y's pairs by n(n-1).",
         off(kxx) / (n * (n - 1)) + off(kyy) / (m * (m - 1)) - 2 * kxy.mean()),
        ("forgets the factor 2 of the cross term: subtract 2/(mn) Σ_i Σ_j k(x_i, y_j).",
         off(kxx) / (m * (m - 1)) + off(kyy) / (n * (n - 1)) - kxy.mean()),
    ]


def expected_exercise_5() -> float:
    """The unbiased MMD² of :func:`exercise_5_samples` with KID's cubic kernel (ganlib's value)."""
    from ...metrics import mmd2_unbiased

    return mmd2_unbiased(*exercise_5_samples())


def check_exercise_5(answer) -> bool:
    """``answer``: a function ``mmd2(x, y)`` returning the unbiased MMD² estimate with the kernel
    ``k(a, b) = (aᵀb / d + 1)³`` for ``x`` of shape ``(m, d)`` and ``y`` of shape ``(n, d)``.

    It is tried on :func:`exercise_5_samples` (``m = 12``, ``n = 9``, ``d = 5``) and compared with
    :func:`ganlib.metrics.mmd2_unbiased`; a wrong value is compared with the usual mistakes to
    say which one it is.
    """
    if answer is None:
        return report(None, "Exercise 5")
    if not callable(answer):
        return report(False, "Exercise 5", "pass the function itself (answer = mmd2), not its value.")
    x, y = exercise_5_samples()
    try:
        value = np.asarray(answer(x.copy(), y.copy()), dtype=float).item()
    except Exception as exc:  # the student's code: any error is a hint, not a crash
        return report(False, "Exercise 5", f"your function raised {type(exc).__name__}: {exc}. "
                      "It must accept two arrays of shapes (m, d) and (n, d) and return one number.")
    expected = expected_exercise_5()
    if close_to(value, expected, rtol=1e-6, atol=1e-9):
        return report(True, "Exercise 5")
    for hint, wrong in _mmd2_mistakes(x, y):
        if close_to(value, wrong, rtol=1e-6, atol=1e-9):
            return report(False, "Exercise 5", f"your function returns {value:.6g}, not {expected:.6g}: it {hint}")
    return report(False, "Exercise 5", f"your function returns {value:.6g} on the checker's samples, not "
                  f"{expected:.6g}. Compare each of the three terms of the estimator with the formula.")


# --------------------------------------------------------------------------------------------
# Exercise 6: break KID by keeping the diagonal terms
# --------------------------------------------------------------------------------------------


def mmd2_biased(x, y) -> float:
    """The biased (V-statistic) MMD² estimate with KID's cubic kernel: the i = j terms kept.

    ``(1/m²) Σ_{i,j} k(x_i, x_j) + (1/n²) Σ_{i,j} k(y_i, y_j) - (2/(mn)) Σ_{i,j} k(x_i, y_j)``,
    with ``k(a, b) = (aᵀb / d + 1)³``. It is never negative, and for two samples of one
    distribution its mean is ``(1/m + 1/n) (E k(x, x) - E k(x, x'))`` > 0: a bias like FID's.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(_cubic_kernel(x, x).mean() + _cubic_kernel(y, y).mean() - 2 * _cubic_kernel(x, y).mean())


def biased_kid_ratio(d: int = 16, small: int = 20, large: int = 200, *, n_repeats: int = 50,
                     seed: int = 0) -> float:
    """Mean biased MMD² (:func:`mmd2_biased`) between two samples of ``N(0, I_d)`` of size ``small``,
    divided by its mean at size ``large`` (``n_repeats`` fresh pairs of samples per size).

    The true MMD² is 0, so the whole value is bias, which is exactly proportional to ``1/m`` in
    expectation: the ratio is close to ``large / small``.
    """
    rng = np.random.default_rng(seed)

    def mean(m: int) -> float:
        return float(np.mean([mmd2_biased(rng.normal(size=(m, d)), rng.normal(size=(m, d)))
                              for _ in range(n_repeats)]))

    return mean(small) / mean(large)


def expected_exercise_6() -> float:
    return biased_kid_ratio()


def check_exercise_6(answer) -> bool:
    """``answer``: mean biased MMD² at m = 20 divided by that at m = 200, two samples of N(0, I_16)."""
    if answer is None:
        return report(None, "Exercise 6")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "Exercise 6", "answer with one number: the ratio of the two means.")
    expected = expected_exercise_6()
    if close_to(value, expected, rtol=0.2):
        return report(True, "Exercise 6")
    if not np.isfinite(value) or value < 2.0:
        hint = ("a ratio near 1, negative or erratic is what the *unbiased* estimator gives: its mean is 0 "
                "at every m, so you divide noise by noise. Keep the i = j terms and divide by m² instead "
                "of m(m-1).")
    elif close_to(value, np.sqrt(expected), rtol=0.2):
        hint = "compare MMD² itself, not its square root MMD."
    else:
        hint = ("average at least 50 estimates at each size, each on two fresh samples of N(0, I_16); "
                "the bias of the biased estimator falls like 1/m.")
    return report(False, "Exercise 6", hint)
