"""Tests for the chapter 6 exercise checkers: a right answer passes, a wrong one fails."""

from __future__ import annotations

import types

import numpy as np
import pytest

import ganlib
from ganlib.book.exercises import ch06


def test_exercise_1_images_per_second_and_hours():
    timing = {"seconds_per_epoch": 8.0, "steps_per_epoch": 62, "batch_size": 64}
    ips = 62 * 64 / 8.0  # 496 images/s
    hours = 50 * 60_000 / ips / 3600
    assert ch06.check_exercise_1((ips, hours), timing)
    assert not ch06.check_exercise_1((ips, hours * 2), timing)
    assert not ch06.check_exercise_1((8.0 / (62 * 64), hours), timing)
    assert not ch06.check_exercise_1(None, timing)
    with pytest.raises(TypeError, match="timing"):
        ch06.check_exercise_1((1.0, 1.0), {"seconds_per_epoch": 1.0})
    with pytest.raises(TypeError, match="answer"):
        ch06.check_exercise_1(3.0, timing)


def test_exercise_2_samples_and_checker():
    pts = ch06.exercise_2_samples()
    assert pts.shape == (2000, 2) and pts.dtype == np.float32
    # by construction: modes 0 and 4 get 60% and 30%, within 3 std with prob 1 - exp(-4.5)
    ring = ganlib.data.ring_of_gaussians()
    d = np.sqrt(((pts[:, None, :] - ring.means[None]) ** 2).sum(-1))
    assert np.sum(d[:, 0] < 0.06) == pytest.approx(1200 * (1 - np.exp(-4.5)), abs=15)
    assert np.sum(d[:, 4] < 0.06) == pytest.approx(600 * (1 - np.exp(-4.5)), abs=12)
    hq = np.mean(d.min(axis=1) <= 0.06)
    assert ch06.check_exercise_2((2, hq))
    assert not ch06.check_exercise_2((3, hq))
    assert not ch06.check_exercise_2((2, 1.0))
    assert not ch06.check_exercise_2(None)


def test_exercise_3_shifted_copies():
    rng = np.random.default_rng(0)
    data = types.SimpleNamespace(x_train=rng.random((300, 28, 28, 1)).astype(np.float32),
                                 x_test=rng.random((250, 28, 28, 1)).astype(np.float32))
    controls = ch06.exercise_3_controls(data.x_train)
    assert controls.shape == (200, 28, 28, 1)
    np.testing.assert_array_equal(controls[:, :, 2:], data.x_train[:200, :, :-2])

    def extractor(batch):  # column sums: invariant to horizontal shifts
        return np.asarray(batch).sum(axis=2).reshape(len(batch), -1)

    flat = lambda a: a.reshape(len(a), -1)  # noqa: E731
    z_pix = ganlib.metrics.memorization_test(flat(controls), flat(data.x_train), flat(data.x_test[:200]))["z"]
    z_feat = ganlib.metrics.memorization_test(extractor(controls), extractor(data.x_train),
                                              extractor(data.x_test[:200]))["z"]
    assert z_feat < -10  # a shift-invariant feature sees the copies
    assert ch06.check_exercise_3((z_pix, z_feat), data, extractor)
    assert not ch06.check_exercise_3((z_feat, z_pix), data, extractor)
    assert not ch06.check_exercise_3(None, data, extractor)
    with pytest.raises(ValueError, match="x_train"):
        ch06.exercise_3_controls(data.x_train[:10])


def test_exercise_4_flops_of_the_source_generator():
    assert ch06.check_exercise_4(2 * (100 * 256 + 256 * 784))
    assert not ch06.check_exercise_4(100 * 256 + 256 * 784)  # multiply-adds, not FLOPs
    assert not ch06.check_exercise_4(None)
