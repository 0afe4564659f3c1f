"""Reproducibility helpers: one seed for everything, and quiet native start-up logs."""

from __future__ import annotations

import contextlib
import os

from .validation import check_bool, check_seed

__all__ = ["set_seed", "quiet_native_stderr"]


@contextlib.contextmanager
def quiet_native_stderr():
    """Silence what native code writes to file descriptor 2 (TensorFlow's C++ start-up log).

    TensorFlow's C++ layer prints lines such as "oneDNN custom operations are on" and
    "failed call to cuInit" straight to the process's stderr when it is imported and when it
    probes for GPUs; ``TF_CPP_MIN_LOG_LEVEL`` does not reach the lines logged before its logging
    is initialised. They are not useful to readers and would clutter every rendered page. Python
    exceptions are unaffected (they are raised after the descriptor is restored). Set
    ``GANLIB_TF_LOGS=1`` to see the lines.
    """
    if os.environ.get("GANLIB_TF_LOGS") == "1":
        yield
        return
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def set_seed(seed: int = 0, *, deterministic_ops: bool = False) -> int:
    """Seed Python's ``random``, NumPy and TensorFlow/Keras with one integer.

    The same seed gives the same initial weights, the same data order and the same generated
    samples within one TensorFlow build and device. Results still differ between CPU and GPU
    and between XLA and non-XLA runs (different kernels, different random-number streams).

    Args:
      seed: a non-negative integer.
      deterministic_ops: also call ``tf.config.experimental.enable_op_determinism()`` so that GPU
        kernels are bit-reproducible too (slower; irreversible for the process).

    Returns:
      The seed, so notebooks can write ``SEED = set_seed(0)``.
    """
    seed = check_seed(seed)
    deterministic_ops = check_bool(deterministic_ops, "deterministic_ops")
    import keras

    keras.utils.set_random_seed(seed)  # seeds random, numpy and the TF global generator
    if deterministic_ops:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    return seed
