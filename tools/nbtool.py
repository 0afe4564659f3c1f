"""Notebook maintenance for the book.

    python tools/nbtool.py strip   chapters/*.ipynb   # drop outputs except NBVAL_CHECK_OUTPUT cells
    python tools/nbtool.py refresh chapters/03_*.ipynb  # execute (smoke profile), keep only checked outputs
    python tools/nbtool.py check   chapters/*.ipynb   # exit 1 if a notebook holds stray outputs
    python tools/nbtool.py pin     chapters/*.ipynb   # set-up cells install ganlib at tag v<version>

Notebooks are committed without outputs, except cells marked ``# NBVAL_CHECK_OUTPUT`` whose
stored output nbval compares against a fresh run. ``refresh`` regenerates exactly those outputs
by executing the notebook in the ``smoke`` profile (the profile the tests use).
"""

from __future__ import annotations

import os
import re
import sys

import nbformat

MARK = "NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and (MARK in cell.source or "nbval-check-output" in cell.metadata.get("tags", []))


def strip(nb, keep_checked: bool = True) -> bool:
    changed = False
    for cell in nb.cells:
        if "execution" in cell.metadata:  # nbclient's timestamps: noise in every diff
            del cell.metadata["execution"]
            changed = True
        if cell.cell_type != "code":
            continue
        if keep_checked and is_checked(cell):
            continue
        if cell.outputs or cell.execution_count is not None:
            cell.outputs, cell.execution_count = [], None
            changed = True
    for key in ("widgets",):
        if key in nb.metadata:
            del nb.metadata[key]
            changed = True
    return changed


def refresh(path: str) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    os.environ.update({"GANLIB_PROFILE": "smoke", "GANLIB_QUIET": "1", "TF_CPP_MIN_LOG_LEVEL": "2"})
    try:
        NotebookClient(nb, timeout=1800, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    for cell in nb.cells:
        if cell.cell_type == "code" and is_checked(cell):
            # Stream outputs only: they are what nbval compares; rich outputs differ by build.
            cell.outputs = [o for o in cell.outputs if o.output_type in ("stream", "execute_result")]
    strip(nb, keep_checked=True)
    nbformat.write(nb, path)


# The requirement string in a set-up cell: "ganlib @ git+<url>" with or without "@<ref>".
INSTALL = re.compile(r'"ganlib @ git\+[^"@\s]+(?:@[^"\s]+)?"')


def pin(nb) -> bool:
    """Make the first code cell install ``ganlib.book.install_requirement()``; True if changed."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:  # the repository's ganlib, once per process
        sys.path.insert(0, root)
    from ganlib.book.notebook import install_requirement

    first = next(c for c in nb.cells if c.cell_type == "code")
    pinned, n = INSTALL.subn(f'"{install_requirement()}"', first.source)
    if n != 1:
        raise ValueError("the first code cell must hold exactly one \"ganlib @ git+...\" requirement")
    changed = pinned != first.source
    first.source = pinned
    return changed


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("strip", "refresh", "check", "pin"):
        print(__doc__)
        return 2
    command, paths = argv[0], argv[1:]
    bad = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if command == "strip":
            if strip(nb):
                nbformat.write(nb, path)
                print(f"stripped {path}")
        elif command == "check":
            if strip(nb):
                bad.append(path)
        elif command == "pin":
            if pin(nb):
                nbformat.write(nb, path)
                print(f"pinned {path}")
        else:
            refresh(path)
            print(f"refreshed {path}")
    if bad:
        print("notebooks with outputs outside NBVAL_CHECK_OUTPUT cells:", *bad, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
