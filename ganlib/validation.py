"""Input validation: the one home of every check ganlib's public functions make.

Every check raises ``ValueError`` (wrong value, shape, range, option) or ``TypeError`` (wrong
kind of object) with a message that names the argument, says what was expected and shows what
was given, e.g. ``real_features: expected a 2-D array (n_samples, n_features), got shape (10,)``.
Each returns the validated value (converted: a NumPy array, a Python ``int`` or ``float``), so a
function can write ``n = check_int(n, "n")``. Nothing here imports TensorFlow or Keras until a
check needs it.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "as_array",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_class_index",
    "check_feature_scale",
    "check_features",
    "check_float",
    "check_gan",
    "check_images",
    "check_labels",
    "check_mapping",
    "check_model",
    "check_model_output",
    "check_positive_int",
    "check_probability",
    "check_probability_rows",
    "check_psd_eigenvalues",
    "check_psd_matrix",
    "check_same_dim",
    "check_seed",
    "check_str",
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


def check_seed(seed, name: str = "seed", *, allow_none: bool = False) -> int | None:
    """Return ``seed`` as an ``int >= 0`` (``None`` passes through when ``allow_none``)."""
    if seed is None and allow_none:
        return None
    return check_positive_int(seed, name, minimum=0)


def _is_real_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def check_float(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
                inclusive: bool | tuple[bool, bool] = True) -> float:
    """Return ``value`` as a finite Python ``float`` within the bounds.

    Args:
      minimum, maximum: bounds (``None``: unbounded on that side).
      inclusive: whether the bounds themselves are allowed: one bool for both, or
        ``(lower, upper)``. ``check_float(lr, "lr", minimum=0, inclusive=False)`` demands ``lr > 0``.

    NumPy scalars (``np.float32(0.1)``) are accepted; ``bool`` is not a number here.
    """
    low_ok, high_ok = (inclusive, inclusive) if isinstance(inclusive, bool) else inclusive
    if minimum is None and maximum is None:
        want = "a finite number"
    else:
        parts = []
        if minimum is not None:
            parts.append(f"{'>=' if low_ok else '>'} {minimum:g}")
        if maximum is not None:
            parts.append(f"{'<=' if high_ok else '<'} {maximum:g}")
        want = "a finite number " + " and ".join(parts)
    if not _is_real_number(value):
        raise TypeError(f"{name}: expected {want}, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected {want}, got {value}")
    if minimum is not None and (value < minimum or (not low_ok and value == minimum)):
        raise ValueError(f"{name}: expected {want}, got {value:g}")
    if maximum is not None and (value > maximum or (not high_ok and value == maximum)):
        raise ValueError(f"{name}: expected {want}, got {value:g}")
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` if it is a ``bool`` (or a NumPy bool)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_callable(value, name: str):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name}: expected a callable, got {type(value).__name__}")
    return value


def check_mapping(value, name: str, *, what: str = "value", allow_empty: bool = False,
                  string_keys: bool = True) -> dict:
    """Return a ``dict`` copy of a mapping with non-empty string keys (any hashable keys with
    ``string_keys=False``, e.g. epochs)."""
    if not isinstance(value, Mapping):
        key = "name" if string_keys else "key"
        raise TypeError(f"{name}: expected a dict of {key} -> {what}, got {type(value).__name__}")
    if not value and not allow_empty:
        raise ValueError(f"{name}: expected at least one entry, got an empty dict")
    if string_keys:
        for key in value:
            if not isinstance(key, str) or not key:
                raise TypeError(f"{name}: expected non-empty string keys, got {key!r}")
    return dict(value)


def check_str(value, name: str, *, allow_none: bool = False) -> str | None:
    """Return ``value`` if it is a ``str`` (``None`` passes through when ``allow_none``), e.g. a
    title or a label."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        want = "a string or None" if allow_none else "a string"
        raise TypeError(f"{name}: expected {want}, got {type(value).__name__} {value!r}")
    return value


def check_model(value, name: str):
    """Return ``value`` if it is a ``keras.Model``."""
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{name}: expected a keras.Model, got {type(value).__name__}")
    return value


def check_gan(value, name: str = "gan", *, conditional: bool | None = None):
    """Return ``value`` if it is a :class:`ganlib.GAN` (class-conditional or not, if asked)."""
    import sys

    # No import: if ganlib.training was never loaded, no GAN exists (and validation stays free of
    # an import cycle with the training module, which uses these checks).
    training = sys.modules.get("ganlib.training")
    if training is None or not isinstance(value, training.GAN):
        raise TypeError(f"{name}: expected a ganlib.GAN, got {type(value).__name__}")
    if conditional is True and not value.conditional:
        raise ValueError(f"{name}: expected a class-conditional GAN (made with num_classes), got an unconditional GAN")
    if conditional is False and value.conditional:
        raise ValueError(f"{name}: expected an unconditional GAN, got a class-conditional one")
    return value


def check_features(value, name: str, *, min_samples: int = 1) -> np.ndarray:
    """A 2-D finite feature array ``(n_samples, n_features)``, returned as float64."""
    arr = as_array(value, name, ndim=2, min_samples=min_samples)
    if arr.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one feature column, got shape {arr.shape}")
    return np.asarray(arr, dtype=np.float64)


def check_images(value, name: str, *, shape: Sequence[int | None] | None = None, min_samples: int = 1,
                 value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Images ``(N, ...)`` (at least 2-D; ``shape`` fixes it, e.g. ``(None, 28, 28, 1)``) of finite
    numbers, returned as float32. With ``value_range=(0, 1)`` values outside it are an error, with
    a hint when they look like 0..255 pixels."""
    arr = as_array(value, name, shape=shape, min_samples=min_samples)
    if arr.ndim < 2:
        raise ValueError(f"{name}: expected an array (N, ...) of images, got shape {arr.shape}")
    if value_range is not None and arr.size:
        lo, hi = value_range
        amin, amax = float(arr.min()), float(arr.max())
        if amin < lo or amax > hi:
            hint = " (they look like 0..255 pixels: divide by 255)" if amax > 1.5 and amax <= 255 and amin >= 0 else ""
            raise ValueError(f"{name}: expected values in [{lo:g}, {hi:g}], got values in [{amin:.4g}, {amax:.4g}]{hint}")
    return arr.astype(np.float32, copy=False)


def check_labels(value, name: str, *, n: int | None = None, num_classes: int | None = None,
                 n_name: str = "the images") -> np.ndarray:
    """1-D integer labels (int64), ``n`` of them if given, in ``[0, num_classes)`` if given."""
    arr = as_array(value, name, ndim=1, dtype="int", min_samples=1)
    if n is not None and len(arr) != n:
        raise ValueError(f"{name}: expected one label per sample of {n_name} ({n}), got {len(arr)}")
    if arr.min() < 0 or (num_classes is not None and arr.max() >= num_classes):
        upper = f"{num_classes - 1}" if num_classes is not None else "..."
        raise ValueError(f"{name}: expected labels in [0, {upper}], got values in [{int(arr.min())}, {int(arr.max())}]")
    return arr.astype(np.int64, copy=False)


def check_class_index(value, name: str, num_classes: int) -> int:
    """One class index in ``[0, num_classes)``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a class index (int), got {type(value).__name__} {value!r}")
    if not 0 <= int(value) < num_classes:
        raise ValueError(f"{name}: expected a class index in [0, {num_classes - 1}], got {value}")
    return int(value)


# --------------------------------------------------------------------------------------------
# Checks of what the metrics compute on: probabilities, covariances, model outputs, scales
# --------------------------------------------------------------------------------------------

#: Relative tolerance of :func:`check_psd_matrix`: eigenvalues down to ``-PSD_RTOL · max|λ|`` are
#: round-off, not a defect. A covariance accumulated in float32 has negative eigenvalues of
#: about ``5e-7 · max λ`` (measured at d = 2048 with fewer samples than features); float64 ones
#: about ``1e-15``. ``-I`` has ``-1``.
PSD_RTOL = 1e-4

_FLOAT64_MAX = float(np.finfo(np.float64).max)


def check_probability_rows(value, name: str, *, atol: float = 1e-3) -> np.ndarray:
    """Class probabilities ``(N, C)``: finite, in ``[0, 1]``, each row summing to 1 within
    ``atol``; returned as float64."""
    p = np.asarray(as_array(value, name, ndim=2, min_samples=1), dtype=np.float64)
    if p.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one class column, got shape {p.shape}")
    if p.min() < 0:
        raise ValueError(f"{name}: expected non-negative probabilities, got minimum {float(p.min()):.4g}")
    if p.max() > 1.0 + atol:
        raise ValueError(f"{name}: expected probabilities <= 1, got maximum {float(p.max()):.4g} "
                         "(logits? apply a softmax first)")
    sums = p.sum(axis=1)
    if np.max(np.abs(sums - 1.0)) > atol:
        worst = float(sums[np.argmax(np.abs(sums - 1.0))])
        raise ValueError(
            f"{name}: expected rows summing to 1 (within {atol:g}), got a row summing to {worst:.6g}"
            + (" (logits? apply a softmax first)" if worst > 1.5 else "")
        )
    return p


def check_psd_eigenvalues(eigenvalues, name: str, *, rtol: float = PSD_RTOL) -> np.ndarray:
    """Raise unless the eigenvalues of a symmetric matrix are those of a positive semi-definite
    one: ``min λ >= -rtol · max |λ|`` (smaller negatives are round-off). Returns them."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.size == 0:
        return lam
    if not np.all(np.isfinite(lam)):
        raise ValueError(f"{name}: expected a finite covariance matrix, got non-finite eigenvalues")
    lo, scale = float(lam.min()), float(np.max(np.abs(lam)))
    if lo < -rtol * scale:
        n_neg = int(np.count_nonzero(lam < -rtol * scale))
        raise ValueError(
            f"{name}: expected a positive semi-definite covariance matrix, got {n_neg} negative "
            f"eigenvalue(s), the smallest {lo:.4g} (largest |eigenvalue| {scale:.4g}; round-off "
            f"negatives down to -{rtol:g} x that are allowed)"
        )
    return lam


def check_psd_matrix(value, name: str, *, rtol: float = PSD_RTOL) -> np.ndarray:
    """A finite, symmetric (to 1e-6 relative) positive semi-definite ``(d, d)`` matrix, returned
    as float64. A Cholesky factorisation proves positive definiteness cheaply; only when it fails
    are the eigenvalues computed (:func:`check_psd_eigenvalues`)."""
    a = np.asarray(as_array(value, name, ndim=2), dtype=np.float64)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name}: expected a square matrix, got shape {a.shape}")
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    if a.size and float(np.max(np.abs(a - a.T))) > 1e-6 * scale:
        raise ValueError(f"{name}: expected a symmetric matrix, got max |a - a.T| = "
                         f"{float(np.max(np.abs(a - a.T))):.3g} (max |a| = {scale:.3g})")
    try:
        np.linalg.cholesky(a)
        return a
    except np.linalg.LinAlgError:
        pass
    check_psd_eigenvalues(np.linalg.eigvalsh((a + a.T) / 2.0), name, rtol=rtol)
    return a


def check_model_output(value, name: str, *, first_row: int = 0) -> np.ndarray:
    """A model's output (features, logits): refuse NaN or inf with a message naming the model and
    the first bad row (``first_row`` offsets it, e.g. the batch's start). Returns it as an array."""
    arr = np.asarray(value)
    if np.issubdtype(arr.dtype, np.number) and arr.size and not np.all(np.isfinite(arr)):
        bad = ~np.isfinite(arr.reshape(arr.shape[0], -1) if arr.ndim else arr.reshape(1, -1))
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(
            f"{name}: expected finite outputs, got {int(bad.sum())} NaN/inf value(s) in "
            f"{len(rows)} row(s), the first in row {first_row + int(rows[0])} (a diverged model?)"
        )
    return arr


def check_feature_scale(features, name: str) -> np.ndarray:
    """Refuse features so large that squared distances overflow float64.

    ``‖a - b‖² = ‖a‖² + ‖b‖² - 2 aᵀb`` stays finite when every squared row norm is at most
    ``float64 max / 4`` (about 4.5e307: values up to ~1e153 in a few dimensions); beyond it the
    distances become inf or NaN and neighbour comparisons silently fail. ``features`` is a
    validated ``(n, d)`` float array (see :func:`check_features`); returns it. Cost O(n d).
    """
    x = np.asarray(features)
    if x.size == 0:
        return features
    with np.errstate(over="ignore", invalid="ignore"):
        peak = float(np.max(np.abs(x)))
        norms = np.einsum("ij,ij->i", x.reshape(x.shape[0], -1), x.reshape(x.shape[0], -1), dtype=np.float64) \
            if peak > 1e100 else None
    if norms is not None and not float(np.max(norms)) <= _FLOAT64_MAX / 4:
        raise ValueError(
            f"{name}: values too large for float64 distances (max |value| {peak:.3g}, squared row "
            f"norms up to {float(np.max(norms)):.3g} > {_FLOAT64_MAX / 4:.3g}): rescale the "
            "features (e.g. divide by their standard deviation)"
        )
    return features
