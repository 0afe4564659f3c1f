"""The notebook edition (``notebooks/``): generated from ``chapters/``, free of MyST, and "Run all"
completes outside the repository with ``ganlib`` installed as a package.

Also checks the rules of the chapters that the edition relies on (CONTRIBUTING, "Notebooks"):
no ``raises-exception`` cells, and bookkeeping (``glue``/``claim``) only in marked, hidden cells.
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EDITION = ROOT / "notebooks"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))

import make_edition  # noqa: E402

EDITION_NOTEBOOKS = sorted(EDITION.glob("*.ipynb"))
MYST = re.compile(r"\{[\w:-]+\}`|^\s*(?:`{3,}|:{3,})\{[\w:-]+\}|^\(\S+\)=\s*$|^:{3,}\s*$", re.M)
BOOKKEEPING_CALLS = {"glue", "claim"}
HIDDEN = {"remove-input", "remove-cell"}


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _called_names(source: str) -> set[str]:
    """Names of the functions a cell calls (``glue(...)``, ``ganlib.book.claim(...)`` -> glue, claim)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: fall back to a regular expression
        return set(re.findall(r"\b(\w+)\(", source))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return names


# --------------------------------------------------------------------------------------------
# The chapters follow the rules the edition relies on


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_cell_relies_on_raises_exception(path):
    for cell in _cells(path):
        tags = cell.metadata.get("tags", [])
        assert "raises-exception" not in tags, f"{path.name}: use ganlib.book.expect_error instead of the tag"
        assert "NBVAL_RAISES_EXCEPTION" not in cell.source, f"{path.name}: use ganlib.book.expect_error"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_bookkeeping_is_out_of_the_readers_way(path):
    for cell in _cells(path):
        if cell.cell_type != "code":
            continue
        calls = _called_names(cell.source) & BOOKKEEPING_CALLS
        hidden = HIDDEN & set(cell.metadata.get("tags", []))
        marked = cell.source.lstrip().startswith("# Bookkeeping:")
        if calls:
            assert marked and hidden, (f"{path.name}: a cell that calls {sorted(calls)} must start with "
                                       f"'# Bookkeeping:' and be tagged remove-input:\n{cell.source[:300]}")
        if marked:
            assert hidden, f"{path.name}: bookkeeping cell not hidden in the HTML:\n{cell.source[:200]}"


# --------------------------------------------------------------------------------------------
# The edition is generated and contains no MyST


def test_edition_is_up_to_date():
    files = make_edition.make_edition(ROOT)
    on_disk = {p.name for p in EDITION.iterdir()} if EDITION.exists() else set()
    assert on_disk == set(files), "notebooks/ does not hold exactly the generated files: run tools/make_edition.py"
    stale = [name for name, text in files.items() if (EDITION / name).read_text() != text]
    assert stale == [], f"notebooks/ is out of date ({stale}): run `python tools/make_edition.py`"


def test_every_chapter_notebook_has_an_edition_notebook():
    assert {p.name for p in CHAPTERS} <= {p.name for p in EDITION_NOTEBOOKS}


def _edition_markdown(path) -> list[str]:
    """The markdown a reader sees: markdown cells and the paragraphs of prose cells."""
    texts = []
    for cell in _cells(path):
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        elif "ganlib.book.prose(" in cell.source:
            texts.append(cell.source.split('r"""', 1)[1].rsplit('"""', 1)[0])
    return texts


def _myst_outside_code(text: str) -> list[str]:
    found = []
    for line, in_code in make_edition._lines_outside_code(text):
        if not in_code and MYST.search(line):
            found.append(line.strip())
    return found


def test_edition_has_no_myst_roles_or_directives():
    found = {p.name: [hit for t in _edition_markdown(p) for hit in _myst_outside_code(t)] for p in EDITION_NOTEBOOKS}
    total = sum(len(v) for v in found.values())
    assert total == 0, f"{total} MyST constructs in the edition: " + json.dumps({k: v[:3] for k, v in found.items() if v})


@pytest.mark.parametrize("path", EDITION_NOTEBOOKS, ids=lambda p: p.name)
def test_edition_notebooks_are_clean_for_colab(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["accelerator"] == "GPU"  # Colab opens it on a GPU runtime
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "NBVAL_" not in cell.source
            assert "raises-exception" not in cell.metadata.get("tags", [])
            if cell.source.startswith("#@title Bookkeeping"):
                assert cell.metadata.get("cellView") == "form"
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code:  # a page with code starts with the Colab set-up cell
        assert "ganlib.book.setup_notebook(" in code[0].source


# --------------------------------------------------------------------------------------------
# The converter, on a small book of its own


def _mini_book(tmp_path, chapter_md: str, code: str = "glue('x', 1.5)"):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "ganlib").mkdir()
    (tmp_path / "ganlib" / "demo.py").write_text("def f():\n    a = 1\n    return a\n")
    (tmp_path / "ganlib" / "book").mkdir()
    (tmp_path / "ganlib" / "book" / "benchmark_results.json").write_text(json.dumps(
        {"notebooks": {"seconds": {"01_intro": {"cpu": 125.0, "smoke": 9.6}}}}))
    (tmp_path / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: chapters/00_start
        parts:
          - caption: Main
            numbered: true
            chapters:
              - file: chapters/01_intro
        """))
    (tmp_path / "references.bib").write_text(textwrap.dedent("""\
        @inproceedings{good2014,
          title = {Generative Adversarial Nets},
          author = {Goodfellow, Ian and Pouget-Abadie, Jean and Mirza, Mehdi},
          booktitle = {NeurIPS},
          year = {2014}
        }
        @article{kyn2019,
          title = {Improved Precision},
          author = {Kynk{\\"a}{\\"a}nniemi, Tuomas and Karras, Tero},
          journal = {NeurIPS},
          year = {2019}
        }
        """))
    start = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Start\n\nSee [chapter 1](01_intro.ipynb).")])
    nbformat.write(start, tmp_path / "chapters" / "00_start.ipynb")
    intro = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(code),
        nbformat.v4.new_markdown_cell(chapter_md),
    ])
    nbformat.write(intro, tmp_path / "chapters" / "01_intro.ipynb")
    return tmp_path


def _convert(root):
    files = make_edition.make_edition(root)
    return nbformat.reads(files["01_intro.ipynb"], as_version=4).cells


def test_converter_renders_references_citations_and_admonitions(tmp_path):
    md = textwrap.dedent("""\
        # Intro

        (sec-a)=
        ## Part A

        As {cite:t}`good2014` and others show {cite:p}`good2014,kyn2019`, see {numref}`fig-a`,
        {eq}`eq-a`, {ref}`sec-a` and {numref}`Figure %s <fig-a>`.

        $$
        x = 1
        $$ (eq-a)

        ```{glue:figure} fig-a
        :name: fig-a

        A caption.
        ```

        :::{admonition} Erratum: a mistake
        :class: warning
        **The source says:** something.
        :::

        :::{admonition} Solution
        :class: dropdown
        The answer is 42.
        ```python
        answer = 42
        ```
        :::

        ```{literalinclude} ../ganlib/demo.py
        :pyobject: f
        :start-at: a = 1
        :dedent: 4
        ```
        """)
    cells = _convert(_mini_book(tmp_path, md))
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "# 1 Intro" in text and "## 1.1 Part A" in text
    assert "Goodfellow et al. (2014)" in text
    assert "(Goodfellow et al., 2014; Kynkäänniemi and Karras, 2019)" in text
    assert "see Figure 1.1,\n(1.1), *Part A* (Section 1.1) and Figure 1.1." in text
    assert "[the start page](00_start.ipynb)" in _convert_start_ref(tmp_path)
    assert "x = 1 \\tag{1.1}\n$$" in text
    assert "**Figure 1.1.** A caption." in text
    assert "> **Erratum: a mistake**\n>\n> **The source says:** something." in text
    assert "<details>\n<summary><b>Solution</b>" in text and "answer = 42\n```\n\n</details>" in text
    assert "## References" in text and "Tuomas Kynkäänniemi and Tero Karras. Improved precision." in text
    code = [c.source for c in cells if c.cell_type == "code"]
    assert any("ganlib.book.print_source('ganlib.demo', 'f', start_at='a = 1', dedent=4)" in c for c in code)
    assert _myst_outside_code(text) == []


def test_students_copies_leave_solutions_out(tmp_path):
    md = "# Intro\n\n**Exercise 1.** Why?\n\n:::{admonition} Solution\n:class: dropdown\nBecause.\n:::\n"
    root = _mini_book(tmp_path, md)
    with_solutions = make_edition.make_edition(root)["01_intro.ipynb"]
    handout = make_edition.make_edition(root, solutions=False)["01_intro.ipynb"]
    assert "Because." in with_solutions and "<details>" in with_solutions
    assert "Because." not in handout and "The solution is not part of this copy" in handout
    assert "**Exercise 1.** Why?" in handout


def _convert_start_ref(tmp_path):
    """A {ref} with its own text to a section of another page keeps the text and links the page."""
    root = tmp_path / "refbook"
    root.mkdir()
    _mini_book(root, "# Intro\n\nBack to {ref}`the start page <start-top>`.\n")
    start = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Start\n\n(start-top)=\n## Top\n")])
    nbformat.write(start, root / "chapters" / "00_start.ipynb")
    return make_edition.make_edition(root)["01_intro.ipynb"]


def test_converter_turns_glued_paragraphs_into_prose_cells(tmp_path):
    md = "# Intro\n\nNo numbers here.\n\nThe value is {glue:text}`x:.2f` today.\n\n- a list item {glue:text}`x`\n- b\n"
    cells = _convert(_mini_book(tmp_path, md))
    prose = [c.source for c in cells if "ganlib.book.prose" in c.source]
    assert len(prose) == 1
    assert "The value is {{x:.2f}} today.\n\n- a list item {{x}}\n- b" in prose[0]
    from ganlib.book import fill

    body = prose[0].split('r"""', 1)[1].rsplit('"""', 1)[0]
    assert "The value is 1.50 today." in fill(body, {"x": 1.5})


def test_converter_refuses_a_number_quoted_before_it_is_computed(tmp_path):
    md = "# Intro\n\nThe value is {glue:text}`y` today.\n"
    with pytest.raises(make_edition.EditionError, match="before the code cell that glues it"):
        _convert(_mini_book(tmp_path, md))


@pytest.mark.parametrize("md, error", [
    ("{term}`GAN`", "does not know the role"),
    ("{numref}`nowhere`", "unknown label"),
    ("{cite:p}`nobody2020`", "not in references.bib"),
    (":::{sidebar} Aside\ntext\n:::", "does not know the directive"),
])
def test_converter_refuses_what_it_cannot_render(tmp_path, md, error):
    with pytest.raises(make_edition.EditionError, match=error):
        _convert(_mini_book(tmp_path, "# Intro\n\n" + md + "\n"))


def test_converter_states_the_measured_fresh_runtime(tmp_path):
    md = "# Intro\n\n*Run time: this page takes {glue:text}`ch01_fresh_cpu` on a fresh runtime.*\n"
    cells = _convert(_mini_book(tmp_path, md))
    assert any("about 2 minutes in the `cpu` profile and 10 s in the `smoke` profile" in c.source for c in cells)


# --------------------------------------------------------------------------------------------
# "Run all" outside the repository, ganlib installed as a package, cell tags ignored (as Colab)


@pytest.fixture(scope="module")
def installed_ganlib(tmp_path_factory):
    """ganlib installed (not editable) into a folder of its own, offline."""
    import shutil

    site, source = tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("source")
    # Build from a copy, so that setuptools' build/ folder never lands in the repository.
    shutil.copytree(ROOT / "ganlib", source / "ganlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (site / "ganlib" / "book" / "benchmark_results.json").exists(), "package data missing from the install"
    return site


EXECUTED = ROOT / "_build" / "edition"


def _run_all(path: pathlib.Path, site: pathlib.Path, workdir: pathlib.Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # Colab ignores cell tags; nbclient would honour raises-exception
        cell.metadata.pop("tags", None)
    nb.cells.append(nbformat.v4.new_code_cell("import ganlib\nprint('ganlib imported from', ganlib.__file__)"))
    env = {"PYTHONPATH": str(site), "GANLIB_PROFILE": "smoke", "GANLIB_CACHE": str(workdir / "cache"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline", "TF_CPP_MIN_LOG_LEVEL": "2"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=False,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


@pytest.fixture(scope="module")
def executed_edition(installed_ganlib, tmp_path_factory):
    """Each edition notebook executed once (on demand) in a fresh folder with an empty cache."""
    done: dict[str, nbformat.NotebookNode] = {}

    def run(path: pathlib.Path):
        if path.name not in done:
            workdir = tmp_path_factory.mktemp(path.stem)
            nb = _run_all(path, installed_ganlib, workdir)
            EXECUTED.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, EXECUTED / path.name)
            done[path.name] = nb
        return done[path.name]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("path", EDITION_NOTEBOOKS, ids=lambda p: p.name)
def test_run_all_completes_outside_the_repository(executed_edition, installed_ganlib, path):
    nb = executed_edition(path)
    last = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert str(installed_ganlib) in last, f"ganlib was not imported from the installed package: {last}"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    for cell in nb.cells:  # every prose paragraph was rendered from this run's values
        if "ganlib.book.prose(" in cell.source:
            markdown = [o for o in cell.outputs if "text/markdown" in o.get("data", {})]
            assert markdown and "{{" not in markdown[0]["data"]["text/markdown"], cell.source[:200]


# --------------------------------------------------------------------------------------------
# The executed edition as Jupyter renders it (nbconvert), in headless Chromium

from test_rendered_book import CHROMIUM, browser  # noqa: E402,F401  (the browser fixture)

SHOTS = ROOT / "_build" / "screenshots" / "edition"
MATHJAX = ROOT / "_static" / "mathjax" / "tex-mml-chtml.js"


def _jupyter_html(nb) -> str:
    """The notebook as classic Jupyter / JupyterLab render it (nbconvert's lab template), with the
    book's own MathJax 3 instead of the CDN's MathJax 2 (the tests run offline)."""
    import nbconvert

    html, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(nb)
    config = ("<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
              "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true}};</script>")
    local = config + f'<script src="{MATHJAX.as_uri()}"></script>'
    html, n = re.subn(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*"> ?</script>',
                      lambda m: local, html)
    assert n == 1, "nbconvert's MathJax script tag not found"
    return html


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("path", EDITION_NOTEBOOKS, ids=lambda p: p.name)
def test_executed_edition_reads_cleanly_in_jupyter(browser, executed_edition, path):  # noqa: F811
    nb = executed_edition(path)
    out = ROOT / "_build" / "edition-html" / f"{path.stem}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_jupyter_html(nb))
    captions = re.findall(r"\*\*Figure (\d+(?:\.\d+)?)\.\*\*", "\n".join(_edition_markdown(path)))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.route(re.compile(r"^https?://"), lambda route: route.abort())  # offline, like the tests
    try:
        page.goto(out.as_uri(), wait_until="load")
        if "$" in page.inner_text("body"):
            page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=30000)
            page.wait_for_timeout(500)
        # What a reader reads: markdown cells and the markdown that prose cells rendered.
        rendered = page.evaluate(
            "Array.from(document.querySelectorAll('.jp-RenderedMarkdown, .jp-MarkdownOutput'))"
            ".map(e => e.innerText).join('\\n')")
        assert rendered.strip(), f"{path.name}: no rendered markdown found"
        assert not re.search(r"\{[\w:-]+\}`", rendered), f"{path.name}: MyST role syntax on the page"
        assert "{{" not in rendered, f"{path.name}: an unrendered {{{{placeholder}}}}"
        for number in captions:
            assert f"Figure {number}." in rendered, f"{path.name}: caption of Figure {number} missing"
        n_images = page.evaluate("Array.from(document.images).filter(i => i.naturalWidth > 0).length")
        assert n_images >= len(captions), f"{path.name}: {len(captions)} figure captions but {n_images} images"
        assert "$$" not in rendered and "\\tag" not in rendered, f"{path.name}: untypeset math"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path.stem}.png"), full_page=True)
    finally:
        page.close()
