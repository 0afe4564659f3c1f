"""Test-wide settings: the smoke run profile, quiet TensorFlow, a non-interactive plot backend."""

import os

os.environ.setdefault("GANLIB_PROFILE", "smoke")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("GANLIB_QUIET", "1")
