"""Test-wide settings: the smoke run profile, quiet TensorFlow, a non-interactive plot backend."""

import os

os.environ.setdefault("GANLIB_PROFILE", "smoke")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("GANLIB_QUIET", "1")


def pytest_report_header(config):
    """Which end of the TensorFlow/Keras window this run tests (make test runs both)."""
    try:
        import keras
        import tensorflow as tf
    except ImportError:  # pragma: no cover
        return "TensorFlow not installed"
    return f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
