"""Wall time of every chapter notebook in the smoke and cpu run profiles.

Each notebook runs in a fresh kernel with an empty ganlib cache (``GANLIB_CACHE`` points at a new
temporary folder), so the time is what a reader who opens just that chapter waits for: trained
models that other chapters would have cached are trained here too.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
import time

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def chapter_notebooks() -> list[pathlib.Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for e in entries:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    out = []
    for f in files:
        path = ROOT / (f + ".ipynb")
        if path.exists() and path.stem != "performance":
            out.append(path)
    return out


def run_notebook(path: pathlib.Path, profile: str) -> float:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update({"GANLIB_PROFILE": profile, "GANLIB_QUIET": "1", "GANLIB_CACHE": cache,
                           "TF_CPP_MIN_LOG_LEVEL": "2"})
        try:
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=7200, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            return time.perf_counter() - t0
        finally:
            os.environ.clear()
            os.environ.update(saved)


def bench_notebooks(profiles=("smoke", "cpu"), chapters=None) -> dict:
    """Run every chapter (or only those whose stems are in ``chapters``) in each profile; a
    notebook that fails is recorded (``None`` and its error) and the others still run."""
    results: dict = {}
    errors: dict = {}
    notebooks = chapter_notebooks()
    if chapters is not None:
        unknown = set(chapters) - {nb.stem for nb in notebooks}
        if unknown:
            raise ValueError(f"unknown chapters {sorted(unknown)}; the suite's chapters are "
                             f"{[nb.stem for nb in notebooks]}")
        notebooks = [nb for nb in notebooks if nb.stem in chapters]
    for nb in notebooks:
        results[nb.stem] = {}
        for profile in profiles:
            try:
                seconds = run_notebook(nb, profile)
            except Exception as exc:  # a failing chapter must not hide the other timings
                seconds = None
                errors[f"{nb.stem} ({profile})"] = f"{type(exc).__name__}: {str(exc)[-2000:]}"
                print(f"  {nb.stem:<40} {profile:>5}: FAILED ({type(exc).__name__})", flush=True)
            else:
                print(f"  {nb.stem:<40} {profile:>5}: {seconds:7.1f} s", flush=True)
            results[nb.stem][profile] = seconds
    return {"profiles": list(profiles), "seconds": results, "errors": errors}


if __name__ == "__main__":
    bench_notebooks()
