"""Checkers for the exercises of Chapter 5.2 (using a GAN to evaluate models, and when to trust it).

Each ``check_exercise_K(answer, ...)`` recomputes the expected answer with ganlib, prints a verdict
(with a hint when the answer is wrong) and returns ``True``/``False``. ``answer=None`` means "not
answered yet". The exercise data are module constants so the notebook and the checkers use the
same numbers.
"""

from __future__ import annotations

import math

import numpy as np

from . import close_to, report

__all__ = [
    "EX1_REAL",
    "EX1_SYNTHETIC",
    "EX2_N_CLASSIFIERS",
    "EX3_SEED",
    "EX4_WALK",
    "EX5_ACCURACY",
    "EX5_BIAS",
    "EX6_REAL",
    "EX6_SYNTHETIC",
    "expected_exercise_1",
    "expected_exercise_2",
    "expected_exercise_3",
    "expected_exercise_4",
    "expected_exercise_5",
    "expected_exercise_6",
    "check_exercise_1",
    "check_exercise_2",
    "check_exercise_3",
    "check_exercise_4",
    "check_exercise_5",
    "check_exercise_6",
]

#: Exercise 1: accuracies of five classifiers on a real and on a synthetic test set.
EX1_REAL = {"A": 0.97, "B": 0.93, "C": 0.88, "D": 0.85, "E": 0.70}
EX1_SYNTHETIC = {"A": 0.99, "B": 0.90, "C": 0.95, "D": 0.80, "E": 0.62}
#: Exercise 2: the number of classifiers whose rankings are compared.
EX2_N_CLASSIFIERS = 4
#: Exercise 3: seed of the classifier (and, plus one, of the synthetic training images).
EX3_SEED = 0
#: Exercise 4: the walk (class_a, class_b, n_steps, seed) whose flip point is asked for.
EX4_WALK = (2, 3, 11, 0)
#: Exercise 5: a classifier's accuracy on a rare subgroup, and the bias of a generator's estimate of it.
EX5_ACCURACY = 0.8
EX5_BIAS = -0.05
#: Exercise 6: a classifier's real accuracies on five well-tested subgroups, and its accuracies on generated
#: images of the same subgroups (a generator that makes the classifier about 0.3 less accurate everywhere).
EX6_REAL = (0.9, 0.8, 0.7, 0.6, 0.5)
EX6_SYNTHETIC = (0.62, 0.48, 0.41, 0.28, 0.21)


def expected_exercise_1() -> tuple[float, float]:
    """``(Kendall's τ, mean |synthetic − real|)`` of :data:`EX1_REAL` vs :data:`EX1_SYNTHETIC`."""
    from ..ch05b import ranking_agreement

    out = ranking_agreement(EX1_REAL, EX1_SYNTHETIC)
    return out["kendall_tau"], out["mean_abs_gap"]


def expected_exercise_2() -> tuple[float, bool]:
    """``(p, p < 0.05)``: the two-sided p-value of Kendall's τ for *perfect* agreement of
    :data:`EX2_N_CLASSIFIERS` rankings (the smallest p-value the test can give), and whether it is
    significant at the 5 % level."""
    from ..ch05b import ranking_agreement

    scores = list(range(EX2_N_CLASSIFIERS))
    p = ranking_agreement(scores, scores)["p_value"]
    return p, bool(p < 0.05)


def expected_exercise_3(gan, data, epochs: int) -> float:
    """TSTR accuracy of :func:`ganlib.models.mnist_mlp_classifier`: trained on
    ``gan.generate(len(y_train), labels=y_train, seed=EX3_SEED + 1)`` for ``epochs`` epochs with
    seed :data:`EX3_SEED`, tested on ``(data.x_test, data.y_test)``."""
    from ...metrics import classification_accuracy_score
    from ...models import mnist_mlp_classifier

    x_gen = gan.generate(len(data.y_train), labels=data.y_train, seed=EX3_SEED + 1)
    return classification_accuracy_score(x_gen, data.y_train, data.x_test, data.y_test, mnist_mlp_classifier,
                                         epochs=epochs, seed=EX3_SEED)


def expected_exercise_4(gan, classifier) -> float:
    """``flip_t`` of ``classifier`` along ``latent_walk(gan, *EX4_WALK)`` (NaN if it never flips)."""
    from ..ch05b import decision_flips, latent_walk

    a, b, n_steps, seed = EX4_WALK
    walk = latent_walk(gan, a, b, n_steps, seed=seed)
    return float(decision_flips({"judge": classifier}, walk).loc["judge", "flip_t"])



def expected_exercise_5() -> tuple[float, float]:
    """``(n*, ratio)`` for a subgroup with accuracy :data:`EX5_ACCURACY` and a synthetic estimate with
    bias :data:`EX5_BIAS` and no variance.

    ``n* = a(1 − a)/b²`` is the number of real images whose estimate has the same mean squared error
    ``a(1 − a)/n`` as the synthetic one (``b²``): below it the synthetic estimate is better. It is
    also the synthetic estimate's worth ``n₀`` (:func:`ganlib.book.ch05b.worth_in_real_images`) when
    its bias is the same on the reference subgroups. ``ratio`` is the mean squared error of
    :func:`ganlib.book.ch05b.combined_estimate` with ``n = n₀ = n*`` (weight ``w = 1/2``), divided by
    that of the ``n*`` real images alone: ``(w² a(1 − a)/n + (1 − w)² b²) / (a(1 − a)/n)``.
    """
    from ..ch05b import worth_in_real_images

    a, b = EX5_ACCURACY, EX5_BIAS
    n_star = worth_in_real_images([a], [a + b])
    w = n_star / (n_star + n_star)
    variance_real = a * (1 - a) / n_star
    return n_star, (w**2 * variance_real + (1 - w) ** 2 * b**2) / variance_real



def expected_exercise_6() -> tuple[float, float]:
    """``(raw n₀, calibrated n₀)`` on the subgroups :data:`EX6_REAL` / :data:`EX6_SYNTHETIC`.

    Raw: :func:`ganlib.book.ch05b.worth_in_real_images` with the generated accuracies as the guesses,
    ``mean a_j(1 − a_j) / mean (s_j − a_j)²``. Calibrated: the same with each subgroup guessed by the
    least-squares line fitted on the other four (:func:`ganlib.book.ch05b.leave_one_out_calibration`).
    """
    from ..ch05b import leave_one_out_calibration, worth_in_real_images

    return (worth_in_real_images(EX6_REAL, EX6_SYNTHETIC),
            worth_in_real_images(EX6_REAL, leave_one_out_calibration(EX6_REAL, EX6_SYNTHETIC)))

def _pair(answer):
    if answer is None:
        return None
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        return False
    return values if len(values) == 2 else False


def check_exercise_1(answer) -> bool:
    """``answer = (tau, mean_abs_gap)``."""
    values = _pair(answer)
    if values is None or values is False:
        return report(values, "Exercise 1", "give a pair (tau, mean_abs_gap) of two numbers.")
    tau, gap = expected_exercise_1()
    ok = close_to(values[0], tau, atol=1e-3) and close_to(values[1], gap, atol=1e-3)
    hint = ("count the concordant pairs P and discordant pairs Q among the 10 pairs: tau = (P - Q) / 10; "
            "the gap is the mean of |synthetic - real| over the five classifiers.")
    return report(ok, "Exercise 1", hint)


def check_exercise_2(answer) -> bool:
    """``answer = (p_value, significant)`` with ``significant`` a bool."""
    if answer is None:
        return report(None, "Exercise 2")
    try:
        p, significant = answer
        p = float(p)
    except (TypeError, ValueError):
        return report(False, "Exercise 2", "give a pair (p_value, significant), e.g. (0.5, False).")
    if not isinstance(significant, (bool, np.bool_)):
        return report(False, "Exercise 2", "the second entry must be True or False.")
    expected_p, expected_sig = expected_exercise_2()
    ok = close_to(p, expected_p, atol=1e-3) and bool(significant) == expected_sig
    hint = (f"only one of the {EX2_N_CLASSIFIERS}! orderings agrees perfectly; the two-sided test counts "
            "the perfectly reversed one as well.")
    return report(ok, "Exercise 2", hint)


def check_exercise_3(answer, gan, data, epochs: int) -> bool:
    """``answer`` = the MLP's TSTR accuracy (recomputed with the same seeds; tolerance 0.01)."""
    if answer is None:
        return report(None, "Exercise 3")
    expected = expected_exercise_3(gan, data, epochs)
    ok = close_to(answer, expected, atol=0.01)
    hint = ("train a fresh mnist_mlp_classifier on gan.generate(len(y_train), labels=y_train, seed=1) with "
            "classification_accuracy_score(..., epochs=profile.classifier_epochs, seed=0) and test on the real test set.")
    return report(ok, "Exercise 3", hint)


def check_exercise_4(answer, gan, classifier) -> bool:
    """``answer`` = the first ``t`` at which ``classifier`` changes its decision along the walk
    :data:`EX4_WALK` (``float('nan')`` if it never does)."""
    if answer is None:
        return report(None, "Exercise 4")
    expected = expected_exercise_4(gan, classifier)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "Exercise 4", "give one number t in [0, 1] (or float('nan')).")
    if math.isnan(expected):
        ok = math.isnan(value)
    else:
        ok = close_to(value, expected, atol=1e-3)
    a, b, n_steps, seed = EX4_WALK
    hint = (f"use latent_walk(gan, {a}, {b}, {n_steps}, seed={seed}) and "
            "decision_flips({'judge': classifier}, walk)['flip_t'].")
    return report(ok, "Exercise 4", hint)


def check_exercise_5(answer) -> bool:
    """``answer = (n_star, mse_ratio)``."""
    values = _pair(answer)
    if values is None or values is False:
        return report(values, "Exercise 5", "give a pair (n_star, mse_ratio) of two numbers.")
    n_star, ratio = expected_exercise_5()
    ok = close_to(values[0], n_star, rtol=1e-2) and close_to(values[1], ratio, atol=1e-3)
    hint = ("n real images have mean squared error a(1 - a)/n and the synthetic estimate b²: set them equal. "
            "With n = n0 the weight is w = 1/2, so the combined MSE is w² a(1 - a)/n + (1 - w)² b².")
    return report(ok, "Exercise 5", hint)


def check_exercise_6(answer) -> bool:
    """``answer = (raw_worth, calibrated_worth)`` (relative tolerance 1 %)."""
    values = _pair(answer)
    if values is None or values is False:
        return report(values, "Exercise 6", "give a pair (raw_worth, calibrated_worth) of two numbers.")
    raw, calibrated = expected_exercise_6()
    ok = close_to(values[0], raw, rtol=1e-2) and close_to(values[1], calibrated, rtol=1e-2)
    hint = ("n0 = mean a(1 - a) / mean (guess - a)^2. Raw: the guess for subgroup j is s_j. Calibrated: fit "
            "np.polyfit(s, a, 1) on the other four subgroups only, and predict subgroup j from its s_j "
            "(clipped to [0, 1]).")
    return report(ok, "Exercise 6", hint)
