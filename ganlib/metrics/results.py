"""The result types of :mod:`ganlib.metrics`: frozen dataclasses of numbers with ``as_dict()``.

Every metric returns one kind of thing: a scalar distance is a Python ``float``; a metric with
several values returns a frozen dataclass subclassing :class:`MetricResult`, whose fields are
Python ``float`` (counts are ``int``). Per-sample arrays are never part of a result: functions
that can provide them return them on request, as a separate details object
(``memorization_test(..., details=True)`` returns ``(result, details)``).

``result.as_dict()`` gives ``{field: value}`` in field order (e.g. for a table row or JSON).

*Transitional access.* The results used to be NamedTuples and dicts, and some callers still
index them: ``result["precision"]`` (the field's value) and ``result[0]`` (the first field's
value) keep working through :meth:`MetricResult.__getitem__`. New code reads attributes
(``result.precision``). Results are not iterable: use ``as_dict()``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["MetricResult", "MeanStd"]


@dataclasses.dataclass(frozen=True)
class MetricResult:
    """Base of the metric result dataclasses: ``as_dict()`` and transitional indexing."""

    def as_dict(self) -> dict:
        """``{field name: value}`` in field order (Python numbers)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __getitem__(self, key):
        # Transitional: the dict results (prdc, memorization_test, mode_coverage) were indexed by
        # key, the NamedTuple results (kid, inception_score, c2st, bootstrap_ci,
        # fid_at_sample_sizes' pairs) by position.
        names = [f.name for f in dataclasses.fields(self)]
        if isinstance(key, str):
            if key not in names:
                raise KeyError(f"{key!r}: {type(self).__name__} has the fields {names}")
            return getattr(self, key)
        if isinstance(key, int) and not isinstance(key, bool):
            return getattr(self, names[key])  # IndexError past the end, like a tuple
        raise TypeError(f"key: expected a field name or a position, got {type(key).__name__} {key!r}")

    __iter__ = None  # not a sequence: unpacking or iterating a result is an error


@dataclasses.dataclass(frozen=True)
class MeanStd(MetricResult):
    """Mean and sample standard deviation of a metric over repeats (ddof=1; NaN for one repeat)."""

    mean: float
    std: float

    @classmethod
    def of(cls, values):
        """The mean and the sample standard deviation (ddof=1) of ``values`` (a 1-D array)."""
        values = np.asarray(values, dtype=np.float64)
        std = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
        return cls(float(values.mean()), std)
