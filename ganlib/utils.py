"""Reproducibility and environment helpers used at the top of every notebook."""

from __future__ import annotations

import contextlib
import os
import platform

from ._checks import check_positive_int

__all__ = [
    "set_seed",
    "environment_report",
    "setup_notebook",
    "notebook_stopwatch",
    "quiet_native_stderr",
    "REPOSITORY_URL",
]


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

_STOPWATCH = None


def notebook_stopwatch():
    """The stopwatch started by :func:`setup_notebook` (started now if setup was not called)."""
    global _STOPWATCH
    if _STOPWATCH is None:
        from .book import Stopwatch

        _STOPWATCH = Stopwatch()
    return _STOPWATCH

#: The book's source repository (also in ``_config.yml``; a test keeps the two in sync).
REPOSITORY_URL = "https://github.com/ganlib-book/gan-model-evaluation"


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
    seed = check_positive_int(seed, "seed", minimum=0)
    import keras

    keras.utils.set_random_seed(seed)  # seeds random, numpy and the TF global generator
    if deterministic_ops:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    return seed


def environment_report() -> dict:
    """Facts about this run: versions, accelerator and the active run profile."""
    import keras
    import tensorflow as tf

    from .profiles import profile_name

    with quiet_native_stderr():
        gpus = tf.config.list_physical_devices("GPU")
    names = []
    for gpu in gpus:
        try:
            names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
        except Exception:
            names.append(gpu.name)
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "gpus": names,
        "cpu_cores": os.cpu_count(),
        "on_colab": "COLAB_RELEASE_TAG" in os.environ or "COLAB_GPU" in os.environ,
        "profile": profile_name(),
    }


def setup_notebook(seed: int = 0, *, quiet: bool = False):
    """First cell of every chapter: seed everything, report the hardware, return the profile.

    On a machine without a GPU it prints how to get one on Colab
    (*Runtime -> Change runtime type -> GPU*). Returns the active :class:`ganlib.Profile`.
    """
    global _STOPWATCH
    from .book import Stopwatch
    from .profiles import get_profile

    import ganlib

    # The first set-up in a process times from `import ganlib` (which imports TensorFlow); a
    # second run of the notebook in the same kernel times from here.
    first = getattr(ganlib, "_IMPORT_STOPWATCH", None)
    _STOPWATCH = first if first is not None else Stopwatch()
    ganlib._IMPORT_STOPWATCH = None
    # TensorFlow's C++ start-up chatter is not useful to readers.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    set_seed(seed)
    report = environment_report()
    profile = get_profile(report["profile"])
    if not quiet:
        if report["gpus"]:
            device = "GPU: " + ", ".join(report["gpus"])
        else:
            device = f"no GPU, {report['cpu_cores']} CPU core(s)"
        print(f"TensorFlow {report['tensorflow']} / Keras {report['keras']}; {device}")
        print(profile.describe())
        if not report["gpus"] and report["on_colab"]:
            print("Tip: Runtime -> Change runtime type -> T4 GPU, then run all cells again.")
        elif not report["gpus"] and profile.name != "smoke":
            print("No GPU found: using the 'cpu' profile (smaller budgets). On Colab choose "
                  "Runtime -> Change runtime type -> GPU for the full 'gpu' profile.")
    return profile
