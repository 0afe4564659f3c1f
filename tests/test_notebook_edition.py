"""The notebook editions (``notebooks/`` from ``chapters/``, ``zh/notebooks/`` from ``zh/chapters/``):
generated, free of MyST, linked to their own edition, and "Run all" completes outside the
repository with ``ganlib`` installed as a package (every English notebook; one Chinese notebook,
and the names the Chinese prose quotes are glued by the English run of the same code).

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
LANGUAGES = list(make_edition.EDITIONS)  # "en", "zh"
EDITION_DIRS = {lang: ROOT / make_edition.EDITIONS[lang].out for lang in LANGUAGES}
ZH_EDITION = EDITION_DIRS["zh"]
ZH_EDITION_NOTEBOOKS = sorted(ZH_EDITION.glob("*.ipynb"))
#: (language, notebook) for every notebook of both editions
ALL_EDITION_NOTEBOOKS = [(lang, p) for lang in LANGUAGES for p in sorted(EDITION_DIRS[lang].glob("*.ipynb"))]
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)")
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_edition_is_up_to_date(language):
    folder = EDITION_DIRS[language]
    files = make_edition.make_edition(ROOT, language=language)
    on_disk = {p.name for p in folder.iterdir()} if folder.exists() else set()
    where = make_edition.EDITIONS[language].out
    assert on_disk == set(files), f"{where}/ does not hold exactly the generated files: run tools/make_edition.py"
    stale = [name for name, text in files.items() if (folder / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"{where}/ is out of date ({stale}): run `python tools/make_edition.py`"


def test_every_chapter_notebook_has_an_edition_notebook():
    assert {p.name for p in CHAPTERS} <= {p.name for p in EDITION_NOTEBOOKS}


def test_the_chinese_edition_has_one_notebook_per_chinese_notebook_page():
    book = make_edition.Book(ROOT, "zh")
    pages = {f"{p.stem}.ipynb" for p in book.pages if p.path.suffix == ".ipynb" or p.number is not None}
    assert {p.name for p in (ROOT / "zh" / "chapters").glob("*.ipynb")} <= pages
    assert {p.name for p in ZH_EDITION_NOTEBOOKS} == pages
    assert {p.name for p in ZH_EDITION_NOTEBOOKS} == {p.name for p in EDITION_NOTEBOOKS}  # the same chapters


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


@pytest.mark.parametrize("language", LANGUAGES)
def test_edition_has_no_myst_roles_or_directives(language):
    notebooks = sorted(EDITION_DIRS[language].glob("*.ipynb"))
    assert notebooks
    found = {p.name: [hit for t in _edition_markdown(p) for hit in _myst_outside_code(t)] for p in notebooks}
    total = sum(len(v) for v in found.values())
    assert total == 0, f"{total} MyST constructs in the edition: " + json.dumps({k: v[:3] for k, v in found.items() if v},
                                                                                  ensure_ascii=False)


def _links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text)


def _check_links(language: str, folder: pathlib.Path, text: str, where: str):
    """Colab links open this edition's notebooks; relative links point at notebooks of this
    edition; links to the sources on GitHub point at this edition's sources."""
    edition = make_edition.EDITIONS[language]
    for link in _links(text):
        if "colab.research.google.com" in link:
            assert link.startswith(edition.colab + "/"), f"{where}: a Colab link into another edition: {link}"
            name = link[len(edition.colab) + 1:]
            assert (folder / name).exists(), f"{where}: Colab link to a notebook the edition lacks: {link}"
        elif link.startswith(make_edition.GITHUB + "/"):
            path = link[len(make_edition.GITHUB) + 1:].partition("#")[0]
            assert (ROOT / path).exists(), f"{where}: GitHub link to a missing file: {link}"
            if "/chapters/" in f"/{path}":
                assert path.startswith(edition.chapters + "/"), f"{where}: link to the other edition's sources: {link}"
        elif not re.match(r"^(https?:|mailto:|#)", link):
            name = link.partition("#")[0]
            assert name.endswith(".ipynb") and (folder / name).exists(), f"{where}: broken relative link {link}"


@pytest.mark.parametrize("language, path", ALL_EDITION_NOTEBOOKS, ids=lambda v: v if isinstance(v, str) else v.name)
def test_edition_notebooks_are_clean_for_colab(language, path):
    words = make_edition.WORDS[language]
    edition = make_edition.EDITIONS[language]
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["accelerator"] == "GPU"  # Colab opens it on a GPU runtime
    title = words["bookkeeping"].partition("{what}")[0]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "NBVAL_" not in cell.source
            assert "raises-exception" not in cell.metadata.get("tags", [])
            assert not cell.source.startswith("# Bookkeeping:"), "a bookkeeping cell left as it is in the chapter"
            if cell.source.startswith(title):
                assert cell.metadata.get("cellView") == "form"
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code:  # a page with code starts with the Colab set-up cell
        assert "ganlib.book.setup_notebook(" in code[0].source
    # The note under the title opens this very notebook in Colab (the Chinese one for the Chinese edition).
    assert f"]({edition.colab}/{path.name})" in nb.cells[0].source
    assert f"[`{edition.chapters}/{path.stem}." in nb.cells[0].source
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            _check_links(language, path.parent, cell.source, path.name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_edition_readme_links_to_its_own_notebooks(language):
    folder = EDITION_DIRS[language]
    text = (folder / "README.md").read_text(encoding="utf-8")
    _check_links(language, folder, text, "README.md")
    for path in folder.glob("*.ipynb"):
        assert f"({make_edition.EDITIONS[language].colab}/{path.name})" in text, f"README.md: no Colab link to {path.name}"


@pytest.mark.parametrize("path", ZH_EDITION_NOTEBOOKS, ids=lambda p: p.name)
def test_chinese_prose_quotes_only_names_its_code_glues(path):
    """Every ``{{name}}`` of a Chinese prose cell is glued by a code cell above it, ``name_zh``
    only by a call that glues the Chinese variant. The code cells are the English notebook's
    (tests/test_zh_edition.py), so the English run glues the same names (checked for real by
    test_chinese_prose_quotes_only_names_the_english_run_glues)."""
    glues = make_edition.Glues()
    quoted = 0
    for cell in _cells(path):
        if cell.cell_type != "code":
            continue
        if "ganlib.book.prose(" in cell.source:
            names = PLACEHOLDER.findall(cell.source.split('r"""', 1)[1])
            missing = [n for n in names if n not in glues]
            assert missing == [], f"{path.name}: quoted before any code cell glues them: {missing}"
            quoted += len(names)
        else:
            glues.note(cell.source)
    english = sum(len(PLACEHOLDER.findall(c.source.split('r"""', 1)[1])) for c in _cells(EDITION / path.name)
                  if c.cell_type == "code" and "ganlib.book.prose(" in c.source)
    assert (quoted == 0) == (english == 0), f"{path.name}: prose with numbers in one edition only"


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


def _mini_zh_book(tmp_path, chapter_md: str, code: str = "glue('x', 1.5)", code_first: bool = True):
    """The mini book with a Chinese edition (zh/_toc.yml, zh/chapters/) next to it."""
    root = _mini_book(tmp_path, "# Intro\n")
    (root / "zh" / "chapters").mkdir(parents=True)
    (root / "zh" / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: chapters/00_start
        parts:
          - caption: 正文
            numbered: true
            chapters:
              - file: chapters/01_intro
          - caption: 附录
            chapters:
              - file: chapters/glossary
        """), encoding="utf-8")
    start = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 开始\n\n见[第 1 章](01_intro.ipynb)。")])
    nbformat.write(start, root / "zh" / "chapters" / "00_start.ipynb")
    (root / "zh" / "chapters" / "glossary.md").write_text("# 术语表\n\n| 术语 | English |\n|---|---|\n", encoding="utf-8")
    cells = [nbformat.v4.new_code_cell(code), nbformat.v4.new_markdown_cell(chapter_md)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells if code_first else cells[::-1]),
                   root / "zh" / "chapters" / "01_intro.ipynb")
    return root


def _convert_zh(root, **kwargs):
    files = make_edition.make_edition(root, language="zh", **kwargs)
    return files, nbformat.reads(files["01_intro.ipynb"], as_version=4).cells


def test_converter_writes_the_chinese_edition_in_chinese(tmp_path):
    md = textwrap.dedent("""\
        # 引言

        (sec-a)=
        ## 第一部分

        正如 {cite:t}`good2014` 所示 {cite:p}`good2014,kyn2019`，见 {numref}`fig-a`、{eq}`eq-a`、{numref}`eq-a`、
        {ref}`sec-a`、{numref}`sec-a` 和[术语表](glossary.md)。

        $$
        x = 1
        $$ (eq-a)

        ```{glue:figure} fig-a
        :name: fig-a

        一幅图。
        ```

        :::{note}
        注意这一点。
        :::

        :::{admonition} 解答
        :class: dropdown
        答案是 42。
        :::

        ```{literalinclude} ../../ganlib/demo.py
        :pyobject: f
        ```
        """)
    files, cells = _convert_zh(_mini_zh_book(tmp_path, md, code_first=False))
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "# 1 引言" in text and "## 1.1 第一部分" in text
    assert "正如 Goodfellow et al. (2014) 所示 (Goodfellow et al., 2014; Kynkäänniemi and Karras, 2019)" in text
    assert "见 图 1.1、(1.1)、式 (1.1)、\n*第一部分*（第 1.1 节）、第 1.1 节 和" in text
    assert "x = 1 \\tag{1.1}\n$$" in text
    assert "**图 1.1** 一幅图。" in text
    assert "> **备注**\n>\n> 注意这一点。" in text
    assert "<details>\n<summary><b>解答</b>（点击展开；请先自己做练习）</summary>" in text
    assert "## 参考文献\n\n- Ian Goodfellow" in text
    assert f"[术语表]({make_edition.GITHUB}/zh/chapters/glossary.md)" in text
    colab = f"{make_edition.COLAB_GITHUB}/zh/notebooks/01_intro.ipynb"
    assert f"的第 1 章。可以[在 Colab 中打开]({colab})" in text
    assert f"[`zh/chapters/01_intro.ipynb`]({make_edition.GITHUB}/zh/chapters/01_intro.ipynb)" in text
    code = [c.source for c in cells if c.cell_type == "code"]
    assert any(c.startswith("# HTML 版图书在此处展示的代码") and "print_source('ganlib.demo', 'f')" in c for c in code)
    assert _myst_outside_code(text) == []
    assert f"[在 Colab 中打开]({colab})" in files["README.md"] and "glossary" not in files["README.md"]
    assert set(files) == {"00_start.ipynb", "01_intro.ipynb", "README.md"}
    handout = make_edition.make_edition(tmp_path, language="zh", solutions=False)["01_intro.ipynb"]
    assert "答案是 42" not in handout and "本副本不含解答" in handout


def test_chinese_prose_uses_the_chinese_variant_glued_by_the_same_call(tmp_path):
    md = "# 引言\n\n结论：{glue:text}`verdict`，数值 {glue:text}`x:.2f`，明写 {glue:text}`verdict_zh`。\n"
    code = "glue('x', 1.5)\nglue('verdict', 'holds', zh='成立')"
    _, cells = _convert_zh(_mini_zh_book(tmp_path, md, code))
    prose = [c.source for c in cells if "ganlib.book.prose(" in c.source]
    assert len(prose) == 1 and prose[0].startswith("# 本书的一段正文")
    assert "结论：{{verdict_zh}}，数值 {{x:.2f}}，明写 {{verdict_zh}}。" in prose[0]


def test_chinese_variants_glued_in_loops_and_helpers_are_read_from_the_code(tmp_path):
    code = textwrap.dedent("""\
        for name, runs in dict(acc_a=1, acc_b=2).items():
            glue(f"ch01_{name}", str(runs), zh=f"约 {runs}")
        for name, value in dict(n_a=1, n_b=2).items():
            glue(f"ch01_{name}", value)  # numbers: no Chinese variant
        def glue_range(name, values):
            glue(name, str(values), zh=str(values) + " 个")
        glue_range("ch01_range", [1, 2])
        """)
    md = "# 引言\n\n{glue:text}`ch01_acc_a`、{glue:text}`ch01_n_b`、{glue:text}`ch01_range`、{glue:text}`ch01_acc_b:>5`。\n"
    _, cells = _convert_zh(_mini_zh_book(tmp_path, md, code))
    prose = [c.source for c in cells if "ganlib.book.prose(" in c.source]
    assert "{{ch01_acc_a_zh}}、{{ch01_n_b}}、{{ch01_range_zh}}、{{ch01_acc_b:>5}}。" in prose[0]
    with pytest.raises(make_edition.EditionError, match="before the code cell that glues it"):
        (tmp_path / "b").mkdir()
        _convert_zh(_mini_zh_book(tmp_path / "b", "# 引言\n\n{glue:text}`ch01_n_b_zh`。\n", code))


@pytest.mark.parametrize("md, code, code_first", [
    ("结论：{glue:text}`verdict_zh`。", "glue('verdict', 'holds', zh='成立')", False),  # glued only further down
    ("结论：{glue:text}`verdict`。", "glue('verdict', 'holds', zh='成立')", False),
    ("结论：{glue:text}`verdict_zh`。", "glue('verdict', 'holds')", True),  # no Chinese variant glued
    ("结论：{glue:text}`ch01_profile_zh`。", "ganlib.book.glue_runtime('ch01')", True),  # glue_runtime has none
])
def test_chinese_prose_refuses_a_variant_glued_further_down_or_not_at_all(tmp_path, md, code, code_first):
    with pytest.raises(make_edition.EditionError, match="before the code cell that glues it"):
        _convert_zh(_mini_zh_book(tmp_path, "# 引言\n\n" + md + "\n", code, code_first))


def test_glue_runtime_glues_chinese_run_times(tmp_path):
    md = "# 引言\n\n用时 {glue:text}`ch01_runtime`，全新运行 {glue:text}`ch01_fresh_cpu`，配置 {glue:text}`ch01_profile`。\n"
    _, cells = _convert_zh(_mini_zh_book(tmp_path, md, "ganlib.book.glue_runtime('ch01')"))
    prose = [c.source for c in cells if "ganlib.book.prose(" in c.source]
    assert "用时 {{ch01_runtime_zh}}，全新运行 {{ch01_fresh_cpu_zh}}，配置 {{ch01_profile}}。" in prose[0]


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
GLUED_MARK = "GLUED:"


def _glued_names(nb) -> set[str]:
    """The names the run glued (printed by the cell that _run_all adds before the last one)."""
    text = "".join(o.get("text", "") for o in nb.cells[-2].outputs)
    assert text.startswith(GLUED_MARK), text[:200]
    return set(json.loads(text[len(GLUED_MARK):]))


def _run_all(path: pathlib.Path, site: pathlib.Path, workdir: pathlib.Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # Colab ignores cell tags; nbclient would honour raises-exception
        cell.metadata.pop("tags", None)
    nb.cells.append(nbformat.v4.new_code_cell(f"import json, ganlib.book\nprint({GLUED_MARK!r}, json.dumps(sorted(ganlib.book.GLUED)))"))
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
        key = str(path.relative_to(ROOT))  # notebooks/X.ipynb, zh/notebooks/X.ipynb
        if key not in done:
            workdir = tmp_path_factory.mktemp(path.stem)
            try:
                nb = _run_all(path, installed_ganlib, workdir)
            except Exception as exc:  # a failed run is not repeated for the next test that needs it
                done[key] = exc
                raise
            out = EXECUTED / path.parent.relative_to(ROOT).parent / path.name  # _build/edition/[zh/]X.ipynb
            out.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out)
            done[key] = nb
        if isinstance(done[key], Exception):
            pytest.fail(f"{key} did not run to the end: {str(done[key])[-500:]}")
        return done[key]

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


@pytest.mark.slow
@pytest.mark.parametrize("path", ZH_EDITION_NOTEBOOKS, ids=lambda p: p.name)
def test_chinese_prose_quotes_only_names_the_english_run_glues(executed_edition, path):
    """The Chinese notebooks run the English code: every name their prose cells format is glued
    by the English edition's run of the same chapter (run above; not run again in Chinese)."""
    quoted = {n for c in _cells(path) if c.cell_type == "code" and "ganlib.book.prose(" in c.source
              for n in PLACEHOLDER.findall(c.source.split('r"""', 1)[1])}
    if not quoted:
        return
    glued = _glued_names(executed_edition(EDITION / path.name))
    assert sorted(quoted - glued) == [], f"{path.name}: the Chinese prose quotes names the run does not glue"


ZH_RUN_ALL = "01_background.ipynb"  # a short chapter: the Chinese edition's own "Run all", once


@pytest.mark.slow
def test_a_chinese_notebook_runs_all_outside_the_repository(executed_edition, installed_ganlib):
    nb = executed_edition(ZH_EDITION / ZH_RUN_ALL)
    assert str(installed_ganlib) in "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    prose = [c for c in nb.cells if "ganlib.book.prose(" in c.source]
    assert prose
    for cell in prose:  # rendered, in Chinese, with this run's values
        markdown = [o["data"]["text/markdown"] for o in cell.outputs if "text/markdown" in o.get("data", {})]
        assert markdown and "{{" not in markdown[0] and re.search(r"[\u4e00-\u9fff]", markdown[0]), cell.source[:200]


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
