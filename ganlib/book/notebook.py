"""Helpers for the book's notebooks: computed numbers in prose, checked claims, run times, data.

* :func:`glue` puts a computed value into the rendered prose (myst-nb's ``glue``; a no-op that
  only returns the value where myst-nb is not installed, e.g. on Colab).
* :func:`claim` states a claim the text makes and checks it: it raises ``AssertionError`` when
  the claim is false, so a notebook cannot publish a sentence its own numbers contradict.
  Claims that need a real training budget declare ``requires="cpu"``; in the ``smoke`` profile
  (CI) they are reported as not checked instead of being silently skipped.
* :class:`Stopwatch` measures a chapter's run time so the chapter can state it (measured, never
  guessed).
* :func:`mnist` loads MNIST capped to the profile's sizes (the book's data; the general loader
  is :func:`ganlib.data.load_mnist`).
* :func:`expect_error` runs code that is *meant* to fail (the source article's mistakes): it
  prints the error and the failing line instead of stopping "Run all", and fails if no error
  comes.
* :func:`prose` and :func:`print_source` serve the notebook edition (``notebooks/``, made by
  ``tools/make_edition.py``): a paragraph that quotes computed numbers is rendered from this run's
  glued values, and code the HTML book includes from ``ganlib`` is printed from the installed
  package.
* :func:`span`, :func:`join_names` and :func:`machine_text` word computed values for the prose in
  English or Chinese (the Chinese edition glues ``name_zh``: ``glue(name, value, zh=...)``).
"""

from __future__ import annotations

import contextlib
import numbers
import os
import platform
import re
import time

from ..utils import quiet_native_stderr
from ..validation import check_choice
from .profiles import PROFILES, Profile, get_profile

__all__ = ["glue", "figure", "claim", "Stopwatch", "glue_runtime", "mnist", "CLAIMS", "GLUED",
           "in_book_build", "expect_error", "exec_source", "prose", "print_source", "benchmark_results",
           "fresh_runtime", "setup_notebook", "environment_report", "notebook_stopwatch", "REPOSITORY_URL",
           "TESTED_TENSORFLOW", "TESTED_KERAS", "version_advice", "tested_requirements", "span",
           "join_names", "machine_text", "rerun_text"]

_RANK = {name: i for i, name in enumerate(PROFILES)}  # smoke < cpu < gpu

#: Every claim checked or skipped in this process: (statement, status) with status
#: "checked" or "not checked in the <profile> profile".
CLAIMS: list[tuple[str, str]] = []

#: Every value glued in this process, by name: what :func:`prose` fills paragraphs from.
GLUED: dict[str, object] = {}


#: Suffix of the Chinese variant of a glued text: the Chinese edition's prose quotes ``name_zh``.
ZH_SUFFIX = "_zh"


def glue(name: str, value, *, display: bool = False, zh: str | None = None):
    """Make ``value`` available to the page's prose as ``{glue:text}`name```; return ``value``.

    Numbers are glued as plain Python floats/ints so format specs such as
    ``{glue:text}`fid:.1f``` work. A text meant for the prose (a verdict, a machine, a run time)
    also takes its Chinese wording ``zh``, glued as ``name_zh`` for the Chinese edition, whose
    notebooks run this same code.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    if zh is not None:
        if not isinstance(zh, str):
            raise TypeError(f"zh: expected the Chinese text (str), got {type(zh).__name__}")
        glue(name + ZH_SUFFIX, zh)
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover
        pass
    GLUED[name] = value
    if not in_book_build():  # Colab, Jupyter, tests: the notebook edition's prose reads GLUED
        return value
    try:
        from myst_nb import glue as _glue
    except ImportError:  # pragma: no cover - the book build always has myst-nb
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
      profile: the active profile (default: :func:`ganlib.book.get_profile`).

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

    def minutes_text(self, language: str = "en") -> str:
        """``"about 3 minutes"`` / ``"under a minute"`` (``"约 3 分钟"`` / ``"不到 1 分钟"``): for prose."""
        s = self.seconds
        if s < 60:
            return _text("under a minute", "不到 1 分钟", language)
        return _minutes(s, language)


def benchmark_results() -> dict:
    """The benchmark results the book reports (``ganlib/book/benchmark_results.json``, written by
    ``make bench`` on the book's build machine and shipped with the package)."""
    import json
    from importlib import resources

    return json.loads(resources.files("ganlib.book").joinpath("benchmark_results.json").read_text())


def rerun_text(results: dict | None = None, language: str = "en") -> str:
    """The chapters the notebook benchmark measured again after its suite run, as a sentence
    starting with a space in English (``""`` if none): when, at which commit and, in English, why (the
    ``reason`` given, or "after its first run failed").

    ``results["notebooks"]["reruns"]`` maps ``"<chapter> (<profile>)"`` to the run's stamp
    (``date``, ``commit``, ``reason``); chapters measured together are named together.

    >>> r = {"notebooks": {"reruns": {"04_x (cpu)": {"date": "2026-12-07", "commit": "abc", "reason": "R"},
    ...                               "05_y (cpu)": {"date": "2026-12-07", "commit": "abc", "reason": "R"}}}}
    >>> rerun_text(r), rerun_text(r, "zh")
    (' 04_x and 05_y (cpu) were measured again on 2026-12-07, commit abc, because R.', '04_x 和 05_y（cpu）于 2026-12-07 重新计时（提交 abc），原因见 benchmarks/RESULTS.md。')
    """
    check_choice(language, "language", ("en", "zh"))
    reruns = (results if results is not None else benchmark_results()).get("notebooks", {}).get("reruns", {})
    groups: dict = {}
    for key, stamp in reruns.items():
        name, _, profile = key.rpartition(" (")
        why = (f", because {stamp['reason']}" if stamp.get("reason") else
               ", after its first run failed" if stamp.get("first_run_error") else "")
        when = (stamp.get("date", "?"), stamp.get("commit"), why, profile.rstrip(")"))
        groups.setdefault(when, []).append(name)
    parts = []
    for (date, commit, why, profile), names in sorted(groups.items(), key=lambda g: g[0][0]):
        names = sorted(names)  # chapter stems: book order
        if language == "zh":  # the reason is recorded in English only: benchmarks/RESULTS.md gives it
            parts.append(f"{join_names(names, 'zh')}（{profile}）于 {date} 重新计时"
                         + (f"（提交 {commit}）" if commit else "") + ("，原因见 benchmarks/RESULTS.md" if why else "") + "。")
        else:
            parts.append(f" {join_names(names)} ({profile}) {'was' if len(names) == 1 else 'were'} measured again on {date}"
                         + (f", commit {commit}" if commit else "") + why + ".")
    return "".join(parts)


def _text(en: str, zh: str, language: str) -> str:
    check_choice(language, "language", ("en", "zh"))
    return zh if language == "zh" else en


def _minutes(seconds: float, language: str) -> str:
    minutes = round(seconds / 60)
    return _text(f"about {minutes} minute{'s' if minutes != 1 else ''}", f"约 {minutes} 分钟", language)


def _duration_text(seconds: float, language: str = "en") -> str:
    if seconds < 60:
        return _text(f"{round(seconds)} s", f"{round(seconds)} 秒", language)
    return _minutes(seconds, language)


def span(values, fmt: str, language: str = "en", *, collapse: bool = True) -> str:
    """The range of ``values`` (numbers, or a ``(low, high)`` pair) as prose: lowest "to" highest.

    ``fmt`` is a format spec (``".1%"``) or a template with one field (``"±{:.3f}"``). When both
    ends look alike the value is given once, unless ``collapse=False``. NaNs are skipped (no
    numbers at all give ``"nan"``, as pandas' ``min`` would).

    >>> span([0.953, 0.97, 0.961], ".1%"), span([0.953, 0.97], ".1%", "zh")
    ('95.3% to 97.0%', '95.3% 至 97.0%')
    >>> span([0.5, 0.5001], ".0%"), span([0.5, 0.5001], ".0%", collapse=False)
    ('50%', '50% to 50%')
    """
    check_choice(language, "language", ("en", "zh"))
    if not isinstance(fmt, str):
        raise TypeError(f"fmt: expected a format spec such as '.1%' (str), got {type(fmt).__name__}")
    finite = [v for v in values if v == v] or [float("nan")]  # skip NaNs, as pandas' min/max do
    one = (lambda v: fmt.format(v)) if "{" in fmt else (lambda v: format(v, fmt))
    low, high = one(min(finite)), one(max(finite))
    if collapse and low == high:
        return low
    return _text(f"{low} to {high}", f"{low} 至 {high}", language)


def join_names(names, language: str = "en") -> str:
    """A list of names (or numbers) as prose: ``"A, B and C"`` / ``"A、B 和 C"``; none: ``"none"`` / ``"无"``.

    In Chinese, "和" gets a space only on a side where the name is Latin text or a number
    (``"FID 和召回率"``, ``"召回率和覆盖率"``), as Chinese typesetting spaces mixed scripts.

    >>> join_names([0, 1, 2]), join_names(["A", "B"], "zh"), join_names([]), join_names(["A"], "zh")
    ('0, 1 and 2', 'A 和 B', 'none', 'A')
    """
    check_choice(language, "language", ("en", "zh"))
    items = [str(n) for n in names]
    if not items:
        return _text("none", "无", language)
    if len(items) == 1:
        return items[0]
    if language == "en":
        return ", ".join(items[:-1]) + " and " + items[-1]
    before, after = items[-2][-1:], items[-1][:1]
    return ("、".join(items[:-1]) + (" " if before.isascii() else "") + "和"
            + (" " if after.isascii() else "") + items[-1])


def machine_text(cores: int, gpus=0, language: str = "en", *, sep: str = " and ") -> str:
    """A machine as prose: ``cores`` CPU cores and ``gpus`` (a number of GPUs, or their names).

    ``sep`` joins the two parts in English (``" and "`` or ``", "``); Chinese always uses "、".

    >>> machine_text(2, 0), machine_text(2, 0, "zh"), machine_text(8, 1, sep=", ")
    ('2 CPU cores and no GPU', '2 个 CPU 核心、无 GPU', '8 CPU cores, 1 GPU(s)')
    >>> machine_text(8, ["Tesla T4"]), machine_text(8, 2, "zh")
    ('8 CPU cores and GPU: Tesla T4', '8 个 CPU 核心、2 个 GPU')
    """
    check_choice(language, "language", ("en", "zh"))
    if isinstance(gpus, str):
        gpus = [gpus]
    if not isinstance(gpus, numbers.Integral):  # the GPUs' names
        names = [str(g) for g in gpus]
        gpu_en = f"GPU: {', '.join(names)}" if names else "no GPU"
        gpu_zh = f"GPU：{'、'.join(names)}" if names else "无 GPU"
    else:
        gpu_en = f"{gpus} GPU(s)" if gpus else "no GPU"
        gpu_zh = f"{gpus} 个 GPU" if gpus else "无 GPU"
    return _text(f"{cores} CPU cores{sep}{gpu_en}", f"{cores} 个 CPU 核心、{gpu_zh}", language)


def fresh_runtime(notebook: str, profile: str = "cpu", results: dict | None = None, language: str = "en") -> str:
    """How long ``notebook`` (e.g. ``"04_code_walkthrough"`` or its prefix ``"ch04"``) took on a
    fresh runtime (a new kernel, an empty model cache) in ``profile``, as measured by the
    benchmarks: ``"about 4 minutes"``, ``"22 s"``, or ``"not measured"`` (``language="zh"``:
    ``"约 4 分钟"``, ``"22 秒"``, ``"未测量"``)."""
    results = benchmark_results() if results is None else results
    seconds = results.get("notebooks", {}).get("seconds", {})
    key = notebook
    if notebook.startswith("ch"):  # "ch05a" -> the notebook whose name starts with "05a_"
        key = next((k for k in seconds if k.startswith(notebook[2:] + "_")), notebook)
    value = seconds.get(key, {}).get(profile)
    return _text("not measured", "未测量", language) if value is None else _duration_text(value, language)


def glue_runtime(prefix: str, stopwatch: "Stopwatch | None" = None) -> str:
    """Glue the page's run times and print the reader's own; return the measured text.

    Glued values (for the "Run time" line at the top of each chapter):

    * ``<prefix>_runtime`` ("about 3 minutes"; ``_runtime_zh`` "约 3 分钟"), ``<prefix>_seconds`` and ``<prefix>_profile``:
      this run, timed from :func:`ganlib.book.setup_notebook` (or ``stopwatch``) to this call;
    * ``<prefix>_fresh_cpu`` / ``<prefix>_fresh_smoke``: the benchmarks' time for the chapter on
      a fresh runtime (empty model cache) in the ``cpu`` / ``smoke`` profile on the build machine.
    """
    sw = stopwatch or notebook_stopwatch()
    text = sw.minutes_text()
    seconds = round(sw.seconds)
    glue(f"{prefix}_runtime", text, zh=sw.minutes_text("zh"))
    glue(f"{prefix}_seconds", seconds)
    glue(f"{prefix}_profile", get_profile().name)
    results = benchmark_results()
    for profile in ("cpu", "smoke"):
        glue(f"{prefix}_fresh_{profile}", fresh_runtime(prefix, profile, results),
             zh=fresh_runtime(prefix, profile, results, "zh"))
    print(f"This notebook ran in {seconds} s ({text}) in the {get_profile().name!r} profile.")
    return text


def mnist(profile: Profile | None = None, *, seed: int = 0, verbose: bool = True):
    """MNIST capped to the profile's sizes (``profile.mnist_train`` / ``profile.mnist_test``).

    Uses :func:`ganlib.data.load_mnist` with ``source="auto"`` (full Keras MNIST when available,
    the offline 5,000-image subset otherwise) and keeps a class-stratified subset of at most
    the profile's number of images.
    """
    from ..data import load_mnist as _load

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


# --------------------------------------------------------------------------------------------
# Code that is meant to fail


_LIBRARY_PATH_PARTS = ("site-packages", "dist-packages", "/lib/python")


def _failing_line(tb) -> str | None:
    """``"line 49 of <source article>: real_images = np.random…"`` for the innermost frame of
    the reader's own code (a notebook cell or code run by :func:`exec_source`), or the innermost
    frame with a source line when there is none."""
    import traceback

    frames = [f for f in traceback.extract_tb(tb) if f.line]
    if not frames:
        return None
    import os

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # ganlib: library frames too
    own = [f for f in frames if not any(part in f.filename for part in _LIBRARY_PATH_PARTS)
           and not os.path.abspath(f.filename).startswith(package + os.sep)
           and not f.filename.endswith("contextlib.py")]
    frame = (own or frames)[-1]
    name = frame.filename
    if "ipykernel_" in name or name.startswith("<ipython-input"):
        name = "this cell"
    return f"line {frame.lineno} of {name}: {frame.line.strip()}"


@contextlib.contextmanager
def expect_error(*exception_types: type[BaseException], max_message_lines: int = 6):
    """Run a block that is *meant* to raise, print what it raised, and carry on.

    The book runs the source article's broken code to show how it fails. In a notebook that
    must complete with "Run all" (Colab ignores cell tags such as ``raises-exception``), the
    failure is caught here and printed the way a reader needs it: the exception type, its
    message (at most ``max_message_lines`` lines) and the failing line. If the block raises
    nothing, that is an error (the text says the code fails); an exception of another type than
    ``exception_types`` is not caught.

    Example::

        with expect_error(NameError):
            exec_source(SOURCE_ARTICLE_CODE)
    """
    for t in exception_types:
        if not (isinstance(t, type) and issubclass(t, BaseException)):
            raise TypeError(f"exception_types: expected exception classes, got {t!r}")
    expected = exception_types or (Exception,)
    try:
        yield
    except expected as exc:  # the failure the text describes: show it, do not stop
        lines = str(exc).strip().splitlines() or [""]
        message = "\n".join(lines[:max_message_lines])
        if len(lines) > max_message_lines:
            message += f"\n… ({len(lines) - max_message_lines} more lines)"
        print(f"{type(exc).__name__}: {message}")
        where = _failing_line(exc.__traceback__)
        if where:
            print(f"  raised at {where}")
    else:
        names = " or ".join(t.__name__ for t in expected)
        raise AssertionError(f"expected the code to raise {names}, but it ran without an error")


def exec_source(code: str, namespace: dict | None = None, *, filename: str = "<source article>") -> dict:
    """``exec`` ``code`` in ``namespace`` (a fresh one by default) and return the namespace.

    Unlike a bare ``exec``, tracebacks (and :func:`expect_error`) can show the failing line:
    the code is registered with :mod:`linecache` under ``filename``.
    """
    import linecache

    if not isinstance(code, str):
        raise TypeError(f"code: expected a string, got {type(code).__name__}")
    lines = code.splitlines(keepends=True)
    linecache.cache[filename] = (len(code), None, lines, filename)
    namespace = {} if namespace is None else namespace
    exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - running the book's own examples
    return namespace


# --------------------------------------------------------------------------------------------
# The notebook edition: paragraphs with this run's numbers, code the HTML book includes


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\s*(?::([^{}]*?))?\s*\}\}")


def fill(template: str, values: dict | None = None) -> str:
    """Replace every ``{{name}}`` / ``{{name:format}}`` in ``template`` with the glued value.

    ``format`` is a Python format specification (``.2f``, ``,``, ``.1%``), as in the HTML
    book's ``{glue:text}`name:format``` roles. Raises ``KeyError`` naming every value that has
    not been computed yet (run the cells above first).
    """
    values = GLUED if values is None else values
    missing = sorted({m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) not in values})
    if missing:
        raise KeyError(f"not computed yet: {', '.join(missing)} (run the cells above this one first)")

    def one(match):
        value = values[match.group(1)]
        spec = (match.group(2) or "").strip()
        return format(value, spec) if spec else str(value)

    return _PLACEHOLDER.sub(one, template)


def prose(template: str) -> None:
    """Show a paragraph of the book with this run's numbers filled in (see :func:`fill`).

    The notebook edition writes every paragraph that quotes computed numbers as a call of this
    function: before the notebook runs, the reader sees the text with ``{{name}}`` where each
    number goes; after, the rendered paragraph with the numbers of their own run.
    """
    text = fill(template)
    try:
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - plain Python
        print(text)
        return
    display(Markdown(text))


def print_source(module: str, qualname: str | None = None, *, start_at: str | None = None,
                 end_at: str | None = None, end_before: str | None = None, dedent: int = 0) -> str:
    """Print (and return) the source of ``module`` or of ``module.qualname`` from the installed
    ``ganlib``: the code the HTML book shows with ``literalinclude``.

    ``start_at`` / ``end_at`` / ``end_before`` cut the source at the first line containing that
    text (``end_before`` excludes its line); ``dedent`` removes that many leading spaces, as the directive's options do.
    """
    import importlib
    import inspect

    obj = importlib.import_module(module)
    for part in (qualname or "").split(".") if qualname else []:
        obj = getattr(obj, part)
    lines = inspect.getsource(obj).splitlines()
    if start_at is not None:
        first = next((i for i, line in enumerate(lines) if start_at in line), None)
        if first is None:
            raise ValueError(f"start_at: {start_at!r} does not occur in {module}.{qualname}")
        lines = lines[first:]
    if end_at is not None:
        last = next((i for i, line in enumerate(lines) if end_at in line), None)
        if last is None:
            raise ValueError(f"end_at: {end_at!r} does not occur in {module}.{qualname}")
        lines = lines[: last + 1]
    if end_before is not None:
        last = next((i for i, line in enumerate(lines) if end_before in line), None)
        if last is None:
            raise ValueError(f"end_before: {end_before!r} does not occur in {module}.{qualname}")
        lines = lines[:last]
    if dedent:
        lines = [line[dedent:] if line[:dedent].strip() == "" else line.lstrip() for line in lines]
    text = "\n".join(lines)
    print(text)
    return text


# --------------------------------------------------------------------------------------------
# Set-up of every chapter

#: The book's source repository (also in ``_config.yml``; a test keeps the two in sync).
REPOSITORY_URL = "https://github.com/ganlib-book/gan-model-evaluation"


def install_requirement(version: str | None = None) -> str:
    """What every notebook's set-up cell installs on Colab: ``ganlib`` at the release tag
    ``v<version>`` of :data:`REPOSITORY_URL` (default: this ganlib's ``__version__``), never the
    moving default branch, so a notebook runs the library it was written for.

    The version is the one constant a release updates (``pyproject.toml`` and
    ``ganlib.__version__``, kept equal by a test); ``python tools/nbtool.py pin chapters/*.ipynb``
    then rewrites the set-up cells, and the release is tagged ``v<version>``.
    """
    if version is None:
        from ganlib import __version__ as version
    return f"ganlib @ git+{REPOSITORY_URL}@v{version}"


#: The chapter's stopwatch: started when ``ganlib.book`` is imported (a chapter's run time
#: includes importing TensorFlow), restarted by a second :func:`setup_notebook` in the same kernel.
_CHAPTER_STOPWATCH: "Stopwatch | None" = None
_SETUP_DONE = False


def notebook_stopwatch() -> "Stopwatch":
    """The chapter's stopwatch (started now if nothing started it)."""
    global _CHAPTER_STOPWATCH
    if _CHAPTER_STOPWATCH is None:
        _CHAPTER_STOPWATCH = Stopwatch()
    return _CHAPTER_STOPWATCH


#: The TensorFlow and Keras versions the book is tested with: ``make test`` runs the unit tests
#: and the smoke notebooks at both ends (requirements-oldest.txt, requirements.txt). pyproject's
#: ``tf`` extra states the same window (tests/test_support_window.py keeps them in agreement).
TESTED_TENSORFLOW = ("2.18.1", "2.21.0")
TESTED_KERAS = ("3.8.0", "3.15.1")


def _release(version: str) -> tuple[int, ...]:
    """``"2.21.0rc1"`` -> ``(2, 21, 0)``: the leading numbers of a version string."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


def _requirement(name: str, low: str, high: str) -> str:
    """``tensorflow>=2.18.1,<2.22``: the tested window as a pip requirement (any patch release of
    the newest tested minor version)."""
    major, minor = _release(high)[:2]
    return f"{name}>={low},<{major}.{minor + 1}"


def tested_requirements() -> list[str]:
    """The pip requirements of the tested window, e.g. for pyproject's ``tf`` extra."""
    return [_requirement("tensorflow", *TESTED_TENSORFLOW), _requirement("keras", *TESTED_KERAS)]


def version_advice(tensorflow_version: str, keras_version: str) -> str | None:
    """One line for the set-up cell when TensorFlow or Keras is outside the tested window
    (``None`` inside it): the versions found and what to do."""
    problems = []
    for name, found, (low, high) in (("TensorFlow", tensorflow_version, TESTED_TENSORFLOW),
                                     ("Keras", keras_version, TESTED_KERAS)):
        v = _release(found)
        if v[:2] < _release(low)[:2]:
            problems.append(("old", name, found))
        elif v[:2] > _release(high)[:2]:
            problems.append(("new", name, found))
    if not problems:
        return None
    found = ", ".join(f"{name} {version}" for _, name, version in problems)
    window = (f"TensorFlow {TESTED_TENSORFLOW[0]}–{TESTED_TENSORFLOW[1]} with Keras "
              f"{TESTED_KERAS[0]}–{TESTED_KERAS[1]}")
    install = "pip install " + " ".join(f'"{r}"' for r in tested_requirements())
    if any(kind == "old" for kind, _, _ in problems):
        return (f"Version warning: {found} is older than this book is tested with ({window}); expect "
                f"failures. Fix: run `{install}`, restart the runtime (Colab: Runtime -> Restart session) "
                "and run all cells again.")
    return (f"Version note: {found} is newer than this book is tested with ({window}). It probably "
            f"works; if a cell fails, run `{install}`, restart the runtime and run all cells again.")


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
    (*Runtime -> Change runtime type -> GPU*). Returns the active :class:`ganlib.book.Profile`.
    """
    global _CHAPTER_STOPWATCH, _SETUP_DONE
    from ..utils import set_seed
    from .profiles import get_profile

    if _SETUP_DONE:  # the notebook runs again in the same kernel: time it from here
        _CHAPTER_STOPWATCH = Stopwatch()
    notebook_stopwatch()
    _SETUP_DONE = True
    # TensorFlow's C++ start-up chatter is not useful to readers.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with quiet_native_stderr():
        import tensorflow  # noqa: F401  (imported here, quietly, and timed with the chapter)
    set_seed(seed)
    report = environment_report()
    profile = get_profile(report["profile"])
    if not quiet:
        if report["gpus"]:
            device = "GPU: " + ", ".join(report["gpus"])
        else:
            device = f"no GPU, {report['cpu_cores']} CPU core(s)"
        print(f"TensorFlow {report['tensorflow']} / Keras {report['keras']}; {device}")
        advice = version_advice(report["tensorflow"], report["keras"])
        if advice:
            print(advice)
        print(profile.describe())
        if not report["gpus"] and report["on_colab"]:
            print("Tip: Runtime -> Change runtime type -> T4 GPU, then run all cells again.")
        elif not report["gpus"] and profile.name != "smoke":
            print("No GPU found: using the 'cpu' profile (smaller budgets). On Colab choose "
                  "Runtime -> Change runtime type -> GPU for the full 'gpu' profile.")
    return profile
