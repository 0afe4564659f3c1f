"""ganlib's structure: a core that never imports the book layer, no import cycles, and one home
for each validation check, model builder and metric bundle."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

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

import pytest
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


# ---------------------------------------------------------------------- one home for each thing
VALIDATION_MODULE = "ganlib/validation.py"
SUITE_MODULE = "ganlib/metrics/suite.py"
_MODEL_CONSTRUCTORS = {"Model", "Sequential", "Functional"}


def _public_checks() -> set[str]:
    import ganlib.validation

    return set(ganlib.validation.__all__)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _is_builder_name(name: str) -> bool:
    return name.lstrip("_").endswith(("_generator", "_discriminator"))


def _builds_a_model(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function constructs a Keras model (``keras.Model``/``Sequential``) or returns another
    builder's model (``return <...>_generator(...)``)."""
    calls = [node for node in ast.walk(func) if isinstance(node, ast.Call)]
    returned = [node.value for node in ast.walk(func) if isinstance(node, ast.Return)]
    return any(_called_name(c) in _MODEL_CONSTRUCTORS for c in calls) or any(
        isinstance(r, ast.Call) and _is_builder_name(_called_name(r) or "") for r in returned
    )


def duplicate_homes(sources: dict[str, str], checks: set[str]) -> list[str]:
    """Every breach of "one home for each check, builder and metric bundle" in ``sources``
    (path relative to the repository -> Python source):

    (a) outside ganlib/validation.py, a function named like a public check (``_check_seed`` is
        ``check_seed``'s copy);
    (b) ``metric_suite`` defined anywhere but ganlib/metrics/suite.py, or a ``sample_metrics``;
    (c) a model builder name (``*_generator``/``*_discriminator`` that builds a model) defined
        in more than one module.
    """
    problems, builders = [], {}
    for path, source in sorted(sources.items()):
        for node in ast.walk(ast.parse(source, filename=path)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            name, where = node.name, f"{path}:{node.lineno}"
            if path != VALIDATION_MODULE and name.lstrip("_") in checks:
                problems.append(f"(a) {where} {name}: a copy of ganlib.validation.{name.lstrip('_')}")
            if name == "metric_suite" and path != SUITE_MODULE:
                problems.append(f"(b) {where} metric_suite: the one suite lives in {SUITE_MODULE}")
            if name == "sample_metrics":
                problems.append(f"(b) {where} sample_metrics: a second metric bundle (use metric_suite)")
            if _is_builder_name(name) and _builds_a_model(node):
                builders.setdefault(name.lstrip("_"), set()).add(path)
    for name, paths in sorted(builders.items()):
        if len(paths) > 1:
            problems.append(f"(c) model builder {name} defined in {len(paths)} modules: {sorted(paths)}")
    return problems


def _ganlib_sources() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text() for p in PACKAGE.rglob("*.py")}


def test_one_home_for_each_check_builder_and_metric_bundle():
    sources = _ganlib_sources()
    assert VALIDATION_MODULE in sources and SUITE_MODULE in sources
    assert "metric_suite" in sources[SUITE_MODULE]
    assert duplicate_homes(sources, _public_checks()) == []


_BUILDER = "import keras\n\ndef {name}(units=8):\n    return keras.Sequential([keras.layers.Dense(units)])\n"


@pytest.mark.parametrize(
    "injected, rule",
    [
        ("def _check_seed(seed):\n    return seed\n", "(a)"),
        ("def check_float(x, name):\n    return x\n", "(a)"),
        ("def metric_suite(real, fake):\n    return {}\n", "(b)"),
        ("def sample_metrics(real, fake):\n    return {}\n", "(b)"),
        (_BUILDER.format(name="mlp_generator"), "(c)"),
        (_BUILDER.format(name="_toy_discriminator"), "(c)"),
        ("from ganlib import models\n\ndef dcgan_discriminator():\n    return models.dcgan_discriminator()\n", "(c)"),
        ("def optimal_discriminator(p, q):\n    return p / (p + q)\n", None),  # a formula, not a builder
        (_BUILDER.format(name="fresh_generator"), None),  # a new builder name is fine
    ],
)
def test_one_home_check_catches_an_injected_duplicate(injected, rule):
    sources = _ganlib_sources()
    sources["ganlib/book/ch99_injected.py"] = injected
    problems = duplicate_homes(sources, _public_checks())
    if rule is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(rule) and "ch99_injected" in problems[0], problems
