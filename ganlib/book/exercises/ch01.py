"""Answer checkers for chapter 1, *Background (背景介绍)*.

Each ``check_exercise_K(answer)`` prints ``correct`` or ``not yet`` (with a hint) and returns
``True``/``False``; ``None`` (the notebook's placeholder) is reported as not answered yet.
Checkers never raise on a student's answer: an answer of the wrong kind is simply "not yet".
The expected answers are recomputed here, not stored.

* Exercise 1: the discriminator loss of a discriminator that says ``D(x) = 1/2`` everywhere.
* Exercise 2: how many held-out examples make the standard error of an accuracy small enough.
* Exercise 3: accuracy on a synthetic test set whose class frequencies are the generator's,
  versus accuracy on a balanced real test set.
"""

from __future__ import annotations

import math

import numpy as np

from . import close_to, report

__all__ = [
    "check_exercise_1",
    "check_exercise_2",
    "check_exercise_3",
    "expected_exercise_1",
    "expected_exercise_2",
    "expected_exercise_3",
    "TARGET_ACCURACY",
    "TARGET_STANDARD_ERROR",
    "PER_CLASS_ACCURACY",
    "GENERATOR_CLASS_FREQUENCIES",
]

#: Exercise 2: the accuracy the classifier is expected to have, and the standard error wanted.
TARGET_ACCURACY = 0.8
TARGET_STANDARD_ERROR = 0.01

#: Exercise 3: a classifier's accuracy on real test images of each digit 0..9.
PER_CLASS_ACCURACY = np.array([0.97, 0.98, 0.80, 0.82, 0.85, 0.75, 0.92, 0.88, 0.78, 0.60])

#: Exercise 3: how often a (partly mode-collapsed) generator draws each digit 0..9. It favours
#: the easy digits 0, 1 and 6 and never draws a 9. Sums to 1.
GENERATOR_CLASS_FREQUENCIES = np.array([0.15, 0.25, 0.08, 0.08, 0.10, 0.06, 0.14, 0.08, 0.06, 0.00])


def expected_exercise_1() -> float:
    """Discriminator loss when ``D(x) = 1/2`` for every input (logits 0): ``-log(1/2) - log(1/2) = log 4``.

    Computed with :func:`ganlib.losses.discriminator_loss` on zero logits.
    """
    from ...losses import discriminator_loss

    zeros = np.zeros(8, dtype=np.float32)
    return float(discriminator_loss(zeros, zeros))


def check_exercise_1(answer) -> bool:
    """Exercise 1: ``answer`` is the loss ``L_D`` of a discriminator that outputs 1/2 everywhere."""
    return report(
        close_to(answer, expected_exercise_1(), rtol=1e-3),
        "Exercise 1",
        "L_D = -E[log D(x)] - E[log(1 - D(G(z)))]; put D = 1/2 in both terms (natural log).",
    )


def expected_exercise_2(accuracy: float = TARGET_ACCURACY, standard_error: float = TARGET_STANDARD_ERROR) -> int:
    """Smallest test-set size ``n`` with ``sqrt(p (1 - p) / n) <= standard_error``.

    ``n = ceil(p (1 - p) / standard_error**2)`` (a binomial proportion's standard error);
    for ``p = 0.8`` and ``0.01`` that is 1,600.
    """
    n = accuracy * (1.0 - accuracy) / standard_error**2
    return int(math.ceil(n - 1e-9))  # 1e-9: 1600.0000000000002 from float round-off is 1,600


def check_exercise_2(answer) -> bool:
    """Exercise 2: ``answer`` is the number of held-out images (within 1% of the exact minimum)."""
    return report(
        close_to(answer, expected_exercise_2(), rtol=0.01, atol=0.0),
        "Exercise 2",
        "the standard error of an accuracy p measured on n images is sqrt(p(1-p)/n); solve for n.",
    )


def expected_exercise_3(
    per_class_accuracy=PER_CLASS_ACCURACY, frequencies=GENERATOR_CLASS_FREQUENCIES
) -> tuple[float, float]:
    """``(synthetic, real)`` accuracies.

    ``synthetic = sum_k f_k a_k`` (test digits drawn with the generator's frequencies ``f``) and
    ``real = (1/10) sum_k a_k`` (a balanced real test set), for per-class accuracies ``a``.
    """
    a = np.asarray(per_class_accuracy, dtype=float)
    f = np.asarray(frequencies, dtype=float)
    return float(np.sum(f * a)), float(np.mean(a))


def check_exercise_3(answer) -> bool:
    """Exercise 3: ``answer`` is the pair ``(synthetic_accuracy, real_accuracy)``."""
    hint = (
        "answer with a pair (synthetic_accuracy, real_accuracy): the synthetic test set weights "
        "each digit's accuracy by how often the generator draws it; the real one weights all ten equally."
    )
    if answer is None:
        return report(None, "Exercise 3")
    if isinstance(answer, (str, bytes)) or np.ndim(answer) != 1 or np.size(answer) != 2:
        return report(False, "Exercise 3", hint)
    return report(close_to(answer, expected_exercise_3(), rtol=1e-3), "Exercise 3", hint)
