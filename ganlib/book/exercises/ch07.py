"""Checkers for the exercises of chapter 7 (FAQ: GAN vs VAE, architectures, evaluation).

Each ``check_exercise_K(answer, ...)`` prints a verdict and returns ``True``/``False``; the
expected answer is recomputed with ganlib, never stored as a number.
"""

from __future__ import annotations

import math

import numpy as np

from ...metrics.suite import (CLASSIFIER_SCORE, COVERAGE, DENSITY, FID, KID, METRIC_LABELS, PRECISION,
                              RECALL)
from . import close_to, report

__all__ = [
    "EXERCISE_1_MEAN",
    "EXERCISE_1_LOG_VAR",
    "METRIC_CHOICES",
    "SCENARIOS",
    "check_exercise_1",
    "check_exercise_2",
    "check_exercise_3",
    "check_exercise_4",
    "images_per_second",
    "bits_per_dim",
]

#: Exercise 1: an encoder's output for one image with a 3-dimensional latent space.
EXERCISE_1_MEAN = (0.5, -1.0, 0.0)
EXERCISE_1_LOG_VAR = (0.0, -1.0, 1.0)

#: Exercise 2: the metrics a student may pick from: the sample-quality metrics of
#: :func:`ganlib.metrics.metric_suite` under their labels (:data:`ganlib.metrics.suite.METRIC_LABELS`;
#: the suite's key, e.g. ``"kid"`` for "KID", is accepted too), then the tests and methods the
#: suite does not report as one number, and the losses.
METRIC_CHOICES = tuple(
    METRIC_LABELS[key] for key in (FID, KID, PRECISION, RECALL, DENSITY, COVERAGE, CLASSIFIER_SCORE)
) + ("CAS", "C2ST", "memorization test", "losses")

#: Exercise 2: scenario -> (the question, the metrics accepted as answers). The first is the best
#: answer; a second one is the decision table's partner metric that answers the same question
#: (density for fidelity, coverage for diversity).
SCENARIOS = {
    "a": ("Are the generated digits realistic, even if some kinds of digit are missing?", ("precision", "density")),
    "b": ("Does the generator cover the variety of the real digits (no mode dropping)?", ("recall", "coverage")),
    "c": ("One number to rank five checkpoints, with only 500 samples each (unbiased at small n)?", ("KID",)),
    "d": ("Can a classifier trained only on generated, labelled digits classify real digits?", ("CAS",)),
    "e": ("Has the generator copied training images?", ("memorization test",)),
}


def _kl_expected():
    from ...vae import vae_kl_divergence

    return float(np.asarray(vae_kl_divergence([list(EXERCISE_1_MEAN)], [list(EXERCISE_1_LOG_VAR)]))[0])


def check_exercise_1(answer) -> bool:
    """KL(q(z|x) ‖ N(0, I)) in nats for ``EXERCISE_1_MEAN`` and ``EXERCISE_1_LOG_VAR``.

    ``KL = −½ Σ_k (1 + log σ_k² − μ_k² − σ_k²)`` (:func:`ganlib.vae.vae_kl_divergence`).
    """
    ok = close_to(answer, _kl_expected(), rtol=1e-3)
    return report(ok, "Exercise 1",
                  "sum -1/2 (1 + log_var - mu^2 - exp(log_var)) over the three latent dimensions.")


def _metric_name(choice) -> str:
    """A metric's label in lower case, for a label or a key of the metric suite (``"KID"``, ``"kid"``)."""
    name = str(choice).strip()
    return METRIC_LABELS.get(name.lower(), name).lower()


def check_exercise_2(answer) -> bool:
    """``answer``: dict scenario letter -> metric name from :data:`METRIC_CHOICES` (case-insensitive;
    a suite key such as ``"classifier_score"`` counts as its label)."""
    if answer is None:
        return report(None, "Exercise 2")
    if not isinstance(answer, dict):
        return report(False, "Exercise 2", "answer with a dict such as {'a': 'precision', 'b': ...}.")
    wrong = [key for key, (_, accepted) in SCENARIOS.items()
             if _metric_name(answer.get(key, "")) not in {metric.lower() for metric in accepted}]
    hint = ""
    if wrong:
        hint = f"look again at scenario(s) {', '.join(wrong)} and the decision table of this chapter."
    return report(not wrong, "Exercise 2", hint)


def images_per_second(seconds_per_epoch: float, steps_per_epoch: int, batch_size: int) -> float:
    """Training throughput ``steps_per_epoch · B / seconds_per_epoch``.

    ``steps_per_epoch`` is the number of steps an epoch actually ran
    (:attr:`ganlib.book.ch07.EpochTiming.steps_per_epoch`): :func:`ganlib.train` rounds the
    ``N // B`` full batches up to a multiple of ``steps_per_execution``, so it is not ``N // B``
    in general.

    Args:
      seconds_per_epoch: measured seconds per epoch (> 0).
      steps_per_epoch: training steps per epoch (int >= 1); batch_size: B (int >= 1).

    Returns:
      Images per second as a float.
    """
    from ...validation import check_positive_int

    if isinstance(seconds_per_epoch, bool) or not isinstance(seconds_per_epoch, (int, float, np.integer, np.floating)):
        raise TypeError(f"seconds_per_epoch: expected a number > 0, got {type(seconds_per_epoch).__name__}")
    seconds = float(seconds_per_epoch)
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"seconds_per_epoch: expected a finite number > 0, got {seconds_per_epoch!r}")
    steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
    batch_size = check_positive_int(batch_size, "batch_size")
    return steps_per_epoch * batch_size / seconds


def check_exercise_3(answer, timing) -> bool:
    """``answer``: ``(images_per_second, seconds_for_60000_images)`` for the measured DCGAN epoch.

    ``timing``: what :func:`ganlib.book.ch07.seconds_per_epoch` returned (an object with
    ``seconds_per_epoch``, ``steps_per_epoch`` and ``batch_size``).
    """
    for field in ("seconds_per_epoch", "steps_per_epoch", "batch_size"):
        if not hasattr(timing, field):
            raise TypeError(f"timing: expected the result of ganlib.book.ch07.seconds_per_epoch (with "
                            f"{field}), got {type(timing).__name__}")
    if answer is None:
        return report(None, "Exercise 3")
    try:
        ips, full = (float(v) for v in answer)
    except (TypeError, ValueError):
        return report(False, "Exercise 3", "answer with a pair (images per second, seconds for 60,000 images).")
    expected = images_per_second(timing.seconds_per_epoch, timing.steps_per_epoch, timing.batch_size)
    ok = bool(close_to(ips, expected, rtol=1e-2)) and bool(close_to(full, 60_000 / expected, rtol=1e-2))
    return report(ok, "Exercise 3",
                  "an epoch trains on steps_per_epoch * batch_size images (the steps ganlib.train ran, "
                  "not N // batch_size); divide by the seconds per epoch.")


def bits_per_dim(negative_elbo_nats: float, dims: int = 28 * 28) -> float:
    """``−ELBO / (D · ln 2)``: a per-image bound in nats converted to bits per pixel.

    For a model of discrete data (the chapter's VAE models binarised digits ``x_b``, where its
    Bernoulli decoder is a probability mass function) this is an upper bound on
    ``−log₂ p(x_b) / D``. It is no such bound for a "likelihood" that is not normalised on the
    data, e.g. a Bernoulli decoder scored on grey values.
    """
    if isinstance(negative_elbo_nats, bool) or not isinstance(negative_elbo_nats, (int, float, np.integer, np.floating)):
        raise TypeError(f"negative_elbo_nats: expected a number, got {type(negative_elbo_nats).__name__}")
    value = float(negative_elbo_nats)
    if not math.isfinite(value):
        raise ValueError(f"negative_elbo_nats: expected a finite number, got {negative_elbo_nats!r}")
    if isinstance(dims, bool) or not isinstance(dims, (int, np.integer)) or dims < 1:
        raise ValueError(f"dims: expected an integer >= 1, got {dims!r}")
    return value / (int(dims) * math.log(2.0))


def check_exercise_4(answer, *, negative_elbo_nats: float) -> bool:
    """``answer``: the VAE's ``−ELBO`` on binarised test digits (nats per image) in bits per
    dimension (784 pixels)."""
    ok = close_to(answer, bits_per_dim(negative_elbo_nats), rtol=1e-3)
    return report(ok, "Exercise 4", "divide the nats by 784 pixels and by ln 2 (nats per bit).")
