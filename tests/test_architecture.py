"""ganlib's structure: a core that never imports the book layer, and no import cycles."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ganlib"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The ganlib modules an ``import``/``from … import`` statement loads."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("ganlib"):
        return []
    return [target] + [f"{target}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """module -> the ganlib modules it imports (at any level: module, function or method)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets.update(_resolve(name, path.name == "__init__.py", node))
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("ganlib"))
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def is_book(module: str) -> bool:
    return module == "ganlib.book" or module.startswith("ganlib.book.")


def test_core_modules_never_import_the_book_layer():
    offenders = {m: sorted(t for t in targets if is_book(t))
                 for m, targets in import_graph().items() if not is_book(m)}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_no_import_cycles():
    graph = import_graph()
    # A package's __init__ that only re-exports its own modules is not a cycle with them.
    for name in list(graph):
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


CORE_IMPORT = """
import sys
import ganlib
assert "tensorflow" not in sys.modules, "import ganlib imported TensorFlow"
import ganlib.{modules}
book = sorted(m for m in sys.modules if m == "ganlib.book" or m.startswith("ganlib.book."))
print("BOOK", book)
"""


def test_a_fresh_interpreter_loads_the_core_without_the_book():
    core = sorted(m.split(".", 1)[1] for m in _modules() if m.count(".") == 1 and not is_book(m)
                  and not m.endswith("__init__"))
    code = CORE_IMPORT.format(modules=", ganlib.".join(core))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "BOOK []" in proc.stdout, proc.stdout
