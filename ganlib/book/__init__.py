"""The book's layer of ganlib: what the chapters need besides the library.

It builds on the core (``ganlib.data``, ``models``, ``losses``, ``training``, ``metrics``, ...)
and the core never imports it. Importing ``ganlib.book`` starts the chapter's stopwatch;
:func:`setup_notebook` then imports TensorFlow (quietly), so a chapter's run time includes it.

* :mod:`ganlib.book.notebook` — the notebook helpers, re-exported here: ``setup_notebook``,
  ``glue``, ``claim``, ``figure``, ``mnist``, ``expect_error``, ``exec_source``, ``prose``,
  ``print_source``, ``glue_runtime``, and the prose wording in English or Chinese: ``span``,
  ``join_names``, ``machine_text``;
* :mod:`ganlib.book.profiles` — the run profiles (``smoke`` / ``cpu`` / ``gpu``), the one place
  budgets are decided;
* :mod:`ganlib.book.zoo` — trained models shared by chapters, cached on disk;
* :mod:`ganlib.book.ch02` … :mod:`ganlib.book.ch07` — each chapter's experiments (d2l's
  chapter-suffixed helpers): ch02 toy GANs and densities, ch03 loss theory, ch04 the source's
  code and the reference training loops, ch05a evaluating generators, ch05b using GANs to
  evaluate models, ch06 challenges, ch07 comparisons;
* :mod:`ganlib.book.exercises` — answer checkers for each chapter's exercises.
"""

from .notebook import Stopwatch as _Stopwatch

_import_stopwatch = _Stopwatch()  # a chapter's run time starts at its first import

from . import notebook as _notebook  # noqa: E402

_notebook._CHAPTER_STOPWATCH = _notebook._CHAPTER_STOPWATCH or _import_stopwatch

from .notebook import (  # noqa: E402,F401
    CLAIMS,
    GLUED,
    REPOSITORY_URL,
    Stopwatch,
    benchmark_results,
    claim,
    environment_report,
    exec_source,
    expect_error,
    figure,
    fill,
    fresh_runtime,
    rerun_text,
    glue,
    glue_runtime,
    install_requirement,
    in_book_build,
    join_names,
    machine_text,
    mnist,
    print_source,
    prose,
    setup_notebook,
    span,
)
from .profiles import PROFILES, Profile, get_profile, profile_name  # noqa: E402,F401


def __getattr__(name):
    """``ganlib.book.ch04``, ``ganlib.book.zoo``, ``ganlib.book.exercises``: imported on first use."""
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SUBMODULES = ("zoo", "exercises", "ch02", "ch03", "ch04", "ch05a", "ch05b", "ch06", "ch07")
