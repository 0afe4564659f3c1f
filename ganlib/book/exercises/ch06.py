"""Checkers for the exercises of chapter 6 (challenges and future directions).

Each checker recomputes the expected answer with ganlib and prints a one-line verdict.
"""

from __future__ import annotations

import numpy as np

from . import close_to, report

__all__ = [
    "exercise_1_expected",
    "check_exercise_1",
    "exercise_2_samples",
    "check_exercise_2",
    "exercise_3_controls",
    "exercise_3_expected",
    "check_exercise_3",
    "check_exercise_4",
    "FULL_MNIST_IMAGES",
    "FULL_EPOCHS",
]

#: Size of the full MNIST training set and the epochs of the ``gpu`` profile (exercise 1).
FULL_MNIST_IMAGES = 60_000
FULL_EPOCHS = 50


def _pair(answer, name: str):
    if answer is None:
        return None
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise TypeError(f"answer: expected a pair ({name}), got {answer!r}")
    return answer


def exercise_1_expected(timing: dict) -> tuple[float, float]:
    """``(images/s, hours)``: throughput from one measured epoch and the extrapolated time of
    ``FULL_EPOCHS`` epochs over ``FULL_MNIST_IMAGES`` images at that throughput."""
    for key in ("seconds_per_epoch", "steps_per_epoch", "batch_size"):
        if not isinstance(timing, dict) or key not in timing:
            raise TypeError(f"timing: expected the dict returned by ganlib.book.ch06.time_training (needs {key!r})")
    ips = timing["steps_per_epoch"] * timing["batch_size"] / timing["seconds_per_epoch"]
    hours = FULL_EPOCHS * FULL_MNIST_IMAGES / ips / 3600.0
    return float(ips), float(hours)


def check_exercise_1(answer, timing: dict) -> bool:
    """Exercise 1: ``answer = (images_per_second, hours)`` computed from ``timing``
    (a :func:`ganlib.book.ch06.time_training` result): images/s from seconds per epoch, steps
    per epoch and batch size; hours for 50 epochs of 60,000 images at that rate."""
    expected = exercise_1_expected(timing)
    answer = _pair(answer, "images_per_second, hours")
    ok = None if answer is None else close_to(answer, expected, rtol=1e-2)
    return report(ok, "Exercise 1",
                  "images/s = steps_per_epoch * batch_size / seconds_per_epoch; "
                  "hours = 50 * 60000 / (images/s) / 3600.")


def exercise_2_samples(n: int = 2000, seed: int = 0) -> np.ndarray:
    """A "generator output" on the 8-Gaussian ring for exercise 2: ``(n, 2)`` float32.

    60% of the points are drawn from mode 0, 30% from mode 4 (both with the ring's standard
    deviation 0.02) and 10% lie between modes 1 and 2 (at the midpoint of their centres plus the
    same noise): a collapsed generator with some off-manifold samples.
    """
    from ...data import ring_of_gaussians

    ring = ring_of_gaussians()
    rng = np.random.default_rng(seed)
    n0, n4 = int(0.6 * n), int(0.3 * n)
    n_mid = n - n0 - n4
    mu = ring.means
    mid = (mu[1] + mu[2]) / 2.0
    std = float(ring.stds[0])
    pts = np.concatenate([
        mu[0] + std * rng.standard_normal((n0, 2)),
        mu[4] + std * rng.standard_normal((n4, 2)),
        mid + std * rng.standard_normal((n_mid, 2)),
    ])
    return pts[rng.permutation(n)].astype(np.float32)


def check_exercise_2(answer) -> bool:
    """Exercise 2: ``answer = (modes_covered, high_quality_fraction)`` of
    :func:`exercise_2_samples` under :func:`ganlib.metrics.mode_coverage` with its defaults."""
    from ...data import ring_of_gaussians
    from ...metrics import mode_coverage

    ring = ring_of_gaussians()
    res = mode_coverage(exercise_2_samples(), ring.means, ring.stds)
    answer = _pair(answer, "modes_covered, high_quality_fraction")
    ok = None
    if answer is not None:
        ok = int(round(float(answer[0]))) == res.modes_covered and bool(
            close_to(answer[1], res.high_quality_fraction, rtol=1e-3, atol=1e-3))
    return report(ok, "Exercise 2",
                  "run ganlib.metrics.mode_coverage(samples, ring.means, ring.stds) and read "
                  "'modes_covered' and 'high_quality_fraction'.")


def exercise_3_controls(x_train, n: int = 200, shift: int = 2) -> np.ndarray:
    """The positive control of exercise 3: the first ``n`` training images shifted right by
    ``shift`` pixels (``np.roll`` along the width axis, wrapping around)."""
    x = np.asarray(x_train, dtype=np.float32)
    if x.ndim != 4 or x.shape[0] < n:
        raise ValueError(f"x_train: expected images (N, H, W, C) with N >= {n}, got shape {x.shape}")
    return np.roll(x[:n], shift, axis=2)


def exercise_3_expected(data, extractor, n: int = 200, shift: int = 2) -> tuple[float, float]:
    """``(z_pixel, z_feature)`` of :func:`ganlib.metrics.memorization_test` for the shifted copies
    against ``data.x_train`` with the first ``n`` test images as held-out data."""
    from ...metrics import extract_features, memorization_test

    copies = exercise_3_controls(data.x_train, n, shift)
    held = np.asarray(data.x_test[:n], dtype=np.float32)
    train = np.asarray(data.x_train, dtype=np.float32)
    flat = lambda a: a.reshape(len(a), -1)  # noqa: E731
    z_pix = memorization_test(flat(copies), flat(train), flat(held)).z
    f = lambda a: extract_features(a, extractor)  # noqa: E731
    z_feat = memorization_test(f(copies), f(train), f(held)).z
    return float(z_pix), float(z_feat)


def check_exercise_3(answer, data, extractor) -> bool:
    """Exercise 3: ``answer = (z_pixel, z_feature)``: the memorisation-test z statistics of the
    shifted-copy positive control (:func:`exercise_3_controls`) in pixel and feature space."""
    expected = exercise_3_expected(data, extractor)
    answer = _pair(answer, "z_pixel, z_feature")
    ok = None if answer is None else close_to(answer, expected, rtol=1e-3, atol=1e-3)
    return report(ok, "Exercise 3",
                  "flatten the images for pixel space (reshape(len(x), -1)); use "
                  "ganlib.metrics.extract_features(x, extractor) for feature space; held-out = data.x_test[:200].")


def check_exercise_4(answer) -> bool:
    """Exercise 4: forward FLOPs per sample of the source article's generator
    (:func:`ganlib.models.mlp_generator`), counted as 2 × multiply-adds of its dense layers."""
    from ..ch06 import forward_flops
    from ...models import mlp_generator

    expected = forward_flops(mlp_generator())
    ok = None if answer is None else close_to(answer, expected, rtol=0, atol=0.5)
    return report(ok, "Exercise 4", "a Dense layer n_in -> n_out costs 2 * n_in * n_out FLOPs per sample.")
