"""Answer checkers for the book's classroom exercises, one module per chapter.

Students call e.g. ``ganlib.book.exercises.ch03.check_exercise_1(answer)``: it prints whether the
answer is right (and a hint if not) and returns ``True``/``False``; an unanswered exercise
(``None``) is reported as such. Checkers recompute the expected answer with ganlib instead of
storing it, so they stay right when the library changes.
"""

from __future__ import annotations

import importlib

__all__ = ["report", "close_to"]


def report(ok: bool | None, exercise: str, hint: str = "") -> bool:
    """Print a one-line verdict for ``exercise``; ``ok=None`` means "not answered yet"."""
    if ok is None:
        print(f"{exercise}: not answered yet — replace the None with your answer.")
        return False
    if ok:
        print(f"{exercise}: correct.")
        return True
    print(f"{exercise}: not yet." + (f" Hint: {hint}" if hint else ""))
    return False


def close_to(answer, expected, *, rtol: float = 1e-3, atol: float = 1e-6) -> bool | None:
    """``None`` if unanswered, else whether ``answer`` is numerically close to ``expected``."""
    import numpy as np

    if answer is None:
        return None
    try:
        return bool(np.allclose(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float), rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def __getattr__(name):  # lazy: ganlib.book.exercises.ch03 imports ganlib.book.exercises.ch03
    if name.startswith("ch"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(name)
