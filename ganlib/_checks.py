"""Input validation shared by every public ganlib function.

Every check raises ``ValueError`` (wrong value, shape, range, option) or ``TypeError`` (wrong
kind of object) with a message that names the argument, says what was expected and shows what
was given, e.g. ``real_features: expected a 2-D array (n_samples, n_features), got shape (10,)``.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

__all__ = [
    "as_array",
    "check_choice",
    "check_positive_int",
    "check_probability",
    "check_same_dim",
]


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__}"


def as_array(
    value,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    dtype: str = "float",
    min_samples: int = 0,
    finite: bool = True,
    value_range: tuple[float, float] | None = None,
) -> np.ndarray:
    """Convert ``value`` to a NumPy array and validate it.

    Args:
      value: array-like (NumPy array, list, ``tf.Tensor``).
      name: argument name used in error messages.
      ndim: required number of dimensions (an int or a collection of allowed ints).
      shape: required shape; ``None`` entries are free, e.g. ``(None, 28, 28, 1)``.
      dtype: ``"float"`` (any real number type, returned as float64 unless it already is a float
        type), ``"int"`` (integer labels) or ``"any"``.
      min_samples: minimum length of the first axis.
      finite: reject NaN and +/-inf.
      value_range: inclusive ``(low, high)`` the values must lie in.

    Returns:
      The validated ``np.ndarray``.
    """
    if value is None:
        raise TypeError(f"{name}: expected an array, got None")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    if isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {_describe(value)} ({exc})") from exc

    if dtype == "float":
        if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.number)):
            raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise TypeError(f"{name}: expected real numbers, got complex dtype {arr.dtype}")
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.float64)
    elif dtype == "int":
        if not np.issubdtype(arr.dtype, np.integer):
            if np.issubdtype(arr.dtype, np.floating) and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise TypeError(f"{name}: expected integer labels, got dtype {arr.dtype}")
    elif dtype != "any":
        raise ValueError(f"dtype: expected 'float', 'int' or 'any', got {dtype!r}")

    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name}: expected a {want} array, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name}: expected shape {want}, got shape {arr.shape}")
    if arr.ndim == 0 and min_samples:
        raise ValueError(f"{name}: expected an array of samples, got a scalar")
    if min_samples and arr.shape[0] < min_samples:
        raise ValueError(
            f"{name}: expected at least {min_samples} sample(s) along the first axis, got {arr.shape[0]}"
        )
    if finite and dtype != "any" and arr.size and not np.all(np.isfinite(arr)):
        n_bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: expected finite values, got {n_bad} NaN/inf value(s)")
    if value_range is not None and arr.size:
        lo, hi = value_range
        amin, amax = float(np.min(arr)), float(np.max(arr))
        if amin < lo or amax > hi:
            raise ValueError(
                f"{name}: expected values in [{lo}, {hi}], got values in [{amin:.4g}, {amax:.4g}]"
            )
    return arr


def check_choice(value, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; raise a ``ValueError`` listing them otherwise."""
    choices = list(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {choices}, got {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"{name}: expected one of {choices}, got {value!r}")
    return value


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer >= {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value}")
    return int(value)


def check_probability(value, name: str, *, open_interval: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (or (0, 1) if ``open_interval``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number in [0, 1], got {type(value).__name__} {value!r}")
    value = float(value)
    ok = (0.0 < value < 1.0) if open_interval else (0.0 <= value <= 1.0)
    if not ok or not np.isfinite(value):
        interval = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name}: expected a number in {interval}, got {value}")
    return value


def check_same_dim(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise if two (n, d) feature arrays do not share the feature dimension d."""
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"{name_a} and {name_b}: expected the same feature dimension, got {a.shape[1:]} and {b.shape[1:]}"
        )
