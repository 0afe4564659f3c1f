"""Uncertainty of a sample metric: the percentile bootstrap (Efron & Tibshirani 1993)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ..validation import as_array, check_callable, check_positive_int, check_probability, check_seed
from .results import MetricResult

__all__ = ["BootstrapResult", "bootstrap_ci"]


@dataclasses.dataclass(frozen=True)
class BootstrapResult(MetricResult):
    """The metric on the full data, a percentile interval ``[low, high]`` and the bootstrap std."""

    estimate: float
    low: float
    high: float
    std: float


def bootstrap_ci(metric_fn: Callable[..., float], *arrays, n_bootstrap: int = 200, confidence: float = 0.95,
                 seed: int = 0) -> BootstrapResult:
    """Percentile bootstrap confidence interval of a sample metric.

    ``estimate = metric_fn(*arrays)``. For ``b = 1..n_bootstrap``, every array's rows are
    resampled with replacement *independently* (real and generated sets are independent
    samples, so each is resampled on its own) and ``v_b = metric_fn(*resampled)``; the interval
    is the ``(1-confidence)/2`` and ``(1+confidence)/2`` quantiles of ``v`` and ``std`` their
    standard deviation (ddof=1). Note that a biased metric (FID) has a biased interval too: the
    bootstrap describes sampling variability, not bias.

    Args:
      metric_fn: callable ``(*arrays) -> scalar``; a non-finite value (on the data or on a
        resample) is an error.
      *arrays: one or more arrays ``(n_i, ...)`` with ``n_i >= 1``.
      n_bootstrap: number of resamples (>= 2); confidence: level in (0, 1); seed: seed.

    Returns:
      :class:`BootstrapResult` ``(estimate, low, high, std)``.

    Reference: Efron & Tibshirani (1993), "An introduction to the bootstrap", ch. 13.
    """
    check_callable(metric_fn, "metric_fn")
    if not arrays:
        raise ValueError("arrays: expected at least one array to resample, got none")
    data = [as_array(a, f"arrays[{i}]", dtype="any", min_samples=1) for i, a in enumerate(arrays)]
    n_bootstrap = check_positive_int(n_bootstrap, "n_bootstrap", minimum=2)
    confidence = check_probability(confidence, "confidence", open_interval=True)
    seed = check_seed(seed)

    def _evaluate(args) -> float:
        value = metric_fn(*args)
        try:
            value = float(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"metric_fn: expected a scalar result, got {type(value).__name__}") from exc
        if not np.isfinite(value):  # a NaN would make the interval NaN, or be dropped silently
            raise ValueError(f"metric_fn: expected a finite result, got {value} ({what})")
        return value

    what = "on the full data"
    estimate = _evaluate(data)
    rng = np.random.default_rng(seed)
    values = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        what = f"on resample {b}"
        values[b] = _evaluate([a[rng.integers(0, a.shape[0], a.shape[0])] for a in data])
    low, high = np.quantile(values, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
    return BootstrapResult(estimate, float(low), float(high), float(np.std(values, ddof=1)))
