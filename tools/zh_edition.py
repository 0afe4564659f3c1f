"""The Chinese edition's notebooks: one set of code, translated prose.

``zh/chapters/<name>.ipynb`` is ``chapters/<name>.ipynb`` with its markdown cells translated. The
code cells are never edited in ``zh/``: ``sync`` copies them (source, metadata, ids) from the
English notebook, so a fix to the code is made once. Each translated markdown cell records the
SHA-256 prefix of the English cell it was translated from (``metadata.translation.en_sha``), so
``check`` can tell a translation that is missing or out of date from one that is current.

Usage::

    python tools/zh_edition.py export NAME [> NAME.zh.md]  # markdown cells, with markers, to translate
    python tools/zh_edition.py import NAME FILE            # the translated file back into zh/chapters
    python tools/zh_edition.py sync                        # code cells from the English notebooks
    python tools/zh_edition.py check                       # exit 1 on a difference, a missing or stale cell

``NAME`` is a notebook's stem, e.g. ``04_code_walkthrough``. The exported file is one Markdown
document; each cell starts with a marker line ``<!-- cell ID en:SHA -->``. Translate the text
between the markers and leave the markers, labels, roles, glue keys and math as they are.
"""

from __future__ import annotations

import copy
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
EN = ROOT / "chapters"
ZH = ROOT / "zh" / "chapters"
#: Paths out of ``chapters/`` (``{literalinclude} ../ganlib/...``) are one level deeper from
#: ``zh/chapters/``; a path already rewritten (``../../``) is left alone.
OUTSIDE_PATH = re.compile(r"(?<![./\w])\.\./(?=(?:ganlib|benchmarks|tools|tests|_static|notebooks)/)")
MARKER = re.compile(r"^<!-- cell (?P<id>[\w-]+) en:(?P<sha>[0-9a-f]+|none) -->$", re.MULTILINE)


def en_sha(source: str) -> str:
    """Identify an English markdown cell's text (12 hex digits of its SHA-256)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _read(path: pathlib.Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: pathlib.Path, nb: dict) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.from_dict(nb), str(path))


def zh_paths(text: str) -> str:
    """Markdown of ``chapters/`` with its paths out of the folder made right for ``zh/chapters/``."""
    return OUTSIDE_PATH.sub("../../", text)


def en_names() -> list[str]:
    return sorted(p.stem for p in EN.glob("*.ipynb"))


def _translations(name: str) -> dict[str, tuple[str, str | None]]:
    """zh markdown cells of ``name`` by cell id: (source, en_sha or None)."""
    path = ZH / f"{name}.ipynb"
    if not path.exists():
        return {}
    out = {}
    for cell in _read(path)["cells"]:
        if cell["cell_type"] == "markdown":
            sha = cell.get("metadata", {}).get("translation", {}).get("en_sha")
            out[cell["id"]] = (_source(cell), sha)
    return out


def build(name: str, translated: dict[str, tuple[str, str | None]]) -> dict:
    """The zh notebook: the English notebook with the given markdown cells replaced."""
    nb = copy.deepcopy(_read(EN / f"{name}.ipynb"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        meta = cell.setdefault("metadata", {})
        if cell["id"] in translated:
            text, sha = translated[cell["id"]]
            cell["source"] = _lines(zh_paths(text))
            meta["translation"] = {"en_sha": sha}
        else:  # not translated yet: the English text, marked as such
            cell["source"] = _lines(zh_paths(_source(cell)))
            meta["translation"] = {"en_sha": None}
    return nb


def export(name: str) -> str:
    translated = _translations(name)
    parts = []
    for cell in _read(EN / f"{name}.ipynb")["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text, sha = translated.get(cell["id"], (_source(cell), None))
        if sha is None:
            text = _source(cell)
        parts.append(f"<!-- cell {cell['id']} en:{en_sha(_source(cell))} -->\n{text.rstrip()}\n")
    return "\n".join(parts)


def parse(document: str) -> dict[str, tuple[str, str]]:
    """Cells of an exported (translated) document: id -> (text, en_sha)."""
    marks = list(MARKER.finditer(document))
    if not marks:
        raise ValueError("no '<!-- cell ID en:SHA -->' markers found")
    out = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(document)
        out[m["id"]] = (document[m.end():end].strip("\n"), m["sha"])
    return out


def import_(name: str, document: str) -> list[str]:
    """Store a translated document; return the cell ids it did not cover."""
    en_cells = {c["id"]: c for c in _read(EN / f"{name}.ipynb")["cells"] if c["cell_type"] == "markdown"}
    incoming = parse(document)
    unknown = sorted(set(incoming) - set(en_cells))
    if unknown:
        raise ValueError(f"{name}: cell ids not in the English notebook: {unknown}")
    translated = _translations(name)
    translated.update(incoming)
    _write(ZH / f"{name}.ipynb", build(name, translated))
    return sorted(set(en_cells) - set(translated))


def sync() -> None:
    for name in en_names():
        if (ZH / f"{name}.ipynb").exists():
            _write(ZH / f"{name}.ipynb", build(name, _translations(name)))


def problems(name: str) -> list[str]:
    """What is wrong with ``zh/chapters/name.ipynb``: differences in code, missing or stale text."""
    path = ZH / f"{name}.ipynb"
    if not path.exists():
        return [f"{name}: no Chinese notebook"]
    en, zh = _read(EN / f"{name}.ipynb"), _read(path)
    out = []
    if [c["id"] for c in en["cells"]] != [c["id"] for c in zh["cells"]]:
        out.append(f"{name}: the cells (ids, order) differ from the English notebook; run sync")
        return out
    for e, z in zip(en["cells"], zh["cells"]):
        if e["cell_type"] != z["cell_type"]:
            out.append(f"{name}: cell {e['id']} is {e['cell_type']} in English, {z['cell_type']} in Chinese")
        elif e["cell_type"] == "code":
            if _source(e) != _source(z) or e.get("metadata") != z.get("metadata"):
                out.append(f"{name}: code cell {e['id']} differs from the English one; run sync")
        else:
            sha = z.get("metadata", {}).get("translation", {}).get("en_sha")
            if sha is None:
                out.append(f"{name}: markdown cell {e['id']} is not translated")
            elif sha != en_sha(_source(e)):
                out.append(f"{name}: markdown cell {e['id']} was translated from an older English text")
    return out


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"export", "import", "sync", "check"}:
        print(__doc__)
        return 2
    cmd = argv[0]
    if cmd == "export":
        sys.stdout.write(export(argv[1]))
    elif cmd == "import":
        missing = import_(argv[1], pathlib.Path(argv[2]).read_text(encoding="utf-8"))
        if missing:
            print(f"{argv[1]}: {len(missing)} markdown cells still untranslated")
    elif cmd == "sync":
        sync()
    else:
        found = [p for name in en_names() for p in problems(name)]
        print("\n".join(found) or "zh edition: every notebook in step with the English one")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
