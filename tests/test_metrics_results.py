"""ganlib.metrics.results: every metric returns one kind of thing — floats, or frozen dataclasses
of numbers with as_dict() — and the transitional dict/tuple access of the old results."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ganlib import metrics as M


def _results():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(30, 3)) + 0.2
    probs = np.full((30, 2), 0.5)
    return {
        "kid": M.kid(x, y, n_subsets=3, subset_size=10),
        "inception_score": M.inception_score(probs, n_splits=2),
        "prdc": M.prdc(x, y, nearest_k=3),
        "c2st": M.c2st(x, y),
        "memorization_test": M.memorization_test(y, x[:20], x[20:]),
        "mode_coverage": M.mode_coverage(y[:, :2], np.zeros((2, 2)), 1.0),
        "bootstrap_ci": M.bootstrap_ci(np.mean, x[:, 0], n_bootstrap=5),
        "fid_at_sample_sizes": M.fid_at_sample_sizes(x, y, [10], n_repeats=2)[10],
    }


@pytest.mark.parametrize("name", list(_results()))
def test_results_are_frozen_dataclasses_of_python_numbers(name):
    res = _results()[name]
    assert isinstance(res, M.MetricResult) and dataclasses.is_dataclass(res)
    d = res.as_dict()
    assert list(d) == [f.name for f in dataclasses.fields(res)]
    assert all(type(v) in (float, int) for v in d.values()), d
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(res, next(iter(d)), 0.0)


def test_scalar_distances_are_python_floats():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    images = rng.uniform(size=(20, 3, 1))  # accuracy takes images in [0, 1]
    values = [M.fid_from_features(x, y), M.frechet_distance(*M.feature_statistics(x), *M.feature_statistics(y)),
              M.mmd2_unbiased(x, y), M.accuracy(lambda b: b[:, :, 0], images, np.zeros(20, int))]
    assert all(type(v) is float for v in values)


def test_transitional_access_by_key_and_position():
    res = M.PRDCResult(precision=0.5, recall=0.25, density=1.0, coverage=0.75)
    assert res["precision"] == 0.5 and res["coverage"] == 0.75  # as the old dict
    assert res[0] == 0.5 and res[-1] == 0.75  # as the old NamedTuples
    with pytest.raises(KeyError, match="fields"):
        res["distances_gen"]
    with pytest.raises(IndexError):
        res[4]
    with pytest.raises(TypeError):
        list(res)  # not a sequence: use as_dict()
    assert M.KIDResult.of([1.0, 3.0]) == M.KIDResult(2.0, float(np.std([1.0, 3.0], ddof=1)))
