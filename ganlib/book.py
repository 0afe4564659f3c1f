"""Helpers for the book's notebooks: computed numbers in prose, checked claims, run times, data.

* :func:`glue` puts a computed value into the rendered prose (myst-nb's ``glue``; a no-op that
  only returns the value where myst-nb is not installed, e.g. on Colab).
* :func:`claim` states a claim the text makes and checks it: it raises ``AssertionError`` when
  the claim is false, so a notebook cannot publish a sentence its own numbers contradict.
  Claims that need a real training budget declare ``requires="cpu"``; in the ``smoke`` profile
  (CI) they are reported as not checked instead of being silently skipped.
* :class:`Stopwatch` measures a chapter's run time so the chapter can state it (measured, never
  guessed).
* :func:`load_mnist` loads MNIST capped to the profile's sizes.
"""

from __future__ import annotations

import time

from .profiles import PROFILES, Profile, get_profile

__all__ = ["glue", "figure", "claim", "Stopwatch", "glue_runtime", "load_mnist", "CLAIMS", "in_book_build"]

_RANK = {name: i for i, name in enumerate(PROFILES)}  # smoke < cpu < gpu

#: Every claim checked or skipped in this process: (statement, status) with status
#: "checked" or "not checked in the <profile> profile".
CLAIMS: list[tuple[str, str]] = []


def glue(name: str, value, *, display: bool = False):
    """Make ``value`` available to the page's prose as ``{glue:text}`name```; return ``value``.

    Numbers are glued as plain Python floats/ints so format specs such as
    ``{glue:text}`fid:.1f``` work.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover
        pass
    try:
        from myst_nb import glue as _glue
    except ImportError:  # Colab or a plain Jupyter install: the value is simply printed below
        return value
    _glue(name, value, display=display)
    return value


def in_book_build() -> bool:
    """True while Jupyter Book executes the notebook (``_ext/ganlib_book.py`` sets the flag)."""
    import os

    return os.environ.get("GANLIB_BOOK_BUILD", "") == "1"


def figure(name: str, fig):
    """Show a figure, and in the book build make it a numbered figure named ``name``.

    In the book the markdown cell after the code uses
    ``{glue:figure} name`` with ``:name: fig-...`` and a caption, which numbers the figure and
    makes it cross-referenceable; the code cell itself then shows nothing (no duplicate). In
    Jupyter/Colab the figure is simply displayed. Returns ``None`` so a cell ending in
    ``figure(...)`` prints nothing else.
    """
    import matplotlib.pyplot as plt

    if in_book_build():
        glue(name, fig, display=False)
        plt.close(fig)
        return None
    try:
        from IPython.display import display

        display(fig)
    except ImportError:  # pragma: no cover
        pass
    plt.close(fig)
    return None


def _strict(profile: Profile) -> bool:
    """Claims are hard checks in the book build, in the profiles the tests run (smoke, cpu), and
    whenever ``GANLIB_STRICT_CLAIMS=1``; elsewhere (a reader's GPU run) a failure is reported."""
    import os

    return in_book_build() or profile.name in ("smoke", "cpu") or os.environ.get("GANLIB_STRICT_CLAIMS") == "1"


def claim(condition, statement: str, *, requires: str = "smoke", profile: Profile | None = None) -> bool:
    """Check a claim the book makes; raise ``AssertionError`` if it is false.

    In the book build and in the ``smoke``/``cpu`` profiles a false claim is an error (the book
    must not publish a sentence its own numbers contradict). In an interactive ``gpu`` run (a
    reader on Colab) a false claim is printed as a failure instead of stopping the notebook; set
    ``GANLIB_STRICT_CLAIMS=1`` to make it an error there too.

    Args:
      condition: the computed truth value of the claim (``bool`` or something with ``bool()``).
      statement: the claim in words, as the prose states it.
      requires: the smallest run profile whose budget makes the claim meaningful. In a smaller
        profile the claim is printed as *not checked* (e.g. 1 epoch of DCGAN training in CI
        cannot show sharp digits); in that profile and larger ones it must hold.
      profile: the active profile (default: :func:`ganlib.get_profile`).

    Returns:
      ``True`` if the claim was checked (and held), ``False`` if it was not checked.
    """
    if not isinstance(statement, str) or not statement:
        raise TypeError(f"statement: expected a non-empty string, got {statement!r}")
    if requires not in _RANK:
        raise ValueError(f"requires: expected one of {list(_RANK)}, got {requires!r}")
    profile = profile or get_profile()
    if _RANK[profile.name] < _RANK[requires]:
        status = f"not checked in the {profile.name!r} profile (needs {requires!r})"
        CLAIMS.append((statement, status))
        print(f"[claim {status}] {statement}")
        return False
    if not bool(condition):
        message = f"Claim failed in the {profile.name!r} profile: {statement}"
        if _strict(profile):
            raise AssertionError(message)
        # An interactive run in a profile this book is not built or tested in (a reader's GPU
        # run): say so loudly instead of stopping the reader's notebook.
        CLAIMS.append((statement, "FAILED in this run"))
        print(f"[claim FAILED in this run] {statement}\n  The rendered book states this for its own run; "
              "with your hardware and budget the numbers differ. Please report it if it persists.")
        return False
    CLAIMS.append((statement, "checked"))
    print(f"[claim checked] {statement}")
    return True


class Stopwatch:
    """Wall-clock time of a chapter (or any block), for the run time each chapter states."""

    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def minutes_text(self) -> str:
        """``"about 3 minutes"`` / ``"under a minute"``: for prose."""
        s = self.seconds
        if s < 60:
            return "under a minute"
        return f"about {round(s / 60)} minute{'s' if round(s / 60) != 1 else ''}"


def glue_runtime(prefix: str, stopwatch: "Stopwatch | None" = None) -> str:
    """Glue ``<prefix>_runtime`` (e.g. "about 3 minutes") and ``<prefix>_profile`` for the page.

    The time is measured from :func:`ganlib.setup_notebook` (or ``stopwatch``) to this call on
    the machine that runs the notebook.
    """
    from . import utils

    sw = stopwatch or utils.notebook_stopwatch()
    text = sw.minutes_text()
    seconds = round(sw.seconds)
    glue(f"{prefix}_runtime", text)
    glue(f"{prefix}_seconds", seconds)
    glue(f"{prefix}_profile", get_profile().name)
    print(f"This notebook ran in {seconds} s ({text}) in the {get_profile().name!r} profile.")
    return text


def load_mnist(profile: Profile | None = None, *, seed: int = 0, verbose: bool = True):
    """MNIST capped to the profile's sizes (``profile.mnist_train`` / ``profile.mnist_test``).

    Uses :func:`ganlib.data.load_mnist` with ``source="auto"`` (full Keras MNIST when available,
    the offline 5,000-image subset otherwise) and keeps a class-stratified subset of at most
    the profile's number of images.
    """
    from .data import load_mnist as _load

    profile = profile or get_profile()
    full = _load("auto", verbose=False)
    n_train = None if profile.mnist_train is None else min(profile.mnist_train, len(full.x_train))
    n_test = None if profile.mnist_test is None else min(profile.mnist_test, len(full.x_test))
    if n_train == len(full.x_train):
        n_train = None
    if n_test == len(full.x_test):
        n_test = None
    data = _load("auto", n_train=n_train, n_test=n_test, seed=seed, verbose=False)
    if verbose:
        print(full.note)
        print(f"Profile {profile.name!r} uses {len(data.x_train):,} training and {len(data.x_test):,} test images.")
    return data
