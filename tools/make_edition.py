"""Make the notebook editions of the book from its sources: ``chapters/`` -> ``notebooks/``
(English) and ``zh/chapters/`` -> ``zh/notebooks/`` (Chinese, the ``zh/`` book).

    python tools/make_edition.py            # (re)write notebooks/ and zh/notebooks/
    python tools/make_edition.py --check    # exit 1 if either differs from what would be written
    python tools/make_edition.py --language zh           # only zh/notebooks/ (or: --language en)
    python tools/make_edition.py --without-solutions --out handout/   # students' copies for an exam
                                            # (English in handout/, Chinese in handout/zh/)

Both editions come from one code path; every word the tool itself writes into a notebook
("Figure", "Section", "References", the header, the run-time line, ...) is looked up in
``WORDS`` by the edition's language (the Chinese wording follows Sphinx's zh_CN where Sphinx has
one: "图 5.3", "第 4.2 节", "式 (3.1)"). Citations stay author–year with Latin names in both.

The HTML book is built by Jupyter Book from ``chapters/``, whose markdown uses MyST: roles
(``{cite:p}``, ``{numref}``, ``{ref}``, ``{eq}``, ``{glue:text}``) and directives
(``:::{admonition}``, ``{glue:figure}``, ``{literalinclude}``). Colab, JupyterLab, VS Code and
GitHub's notebook viewer understand none of it. This tool writes, for every page of ``_toc.yml``,
a notebook that reads cleanly there (in the spirit of d2l's separate Colab notebooks):

* citations become author–year text, and the chapter's references are listed at its end;
* cross-references become "Figure 5.3", "Section 4.2", "(3.1)", with the HTML book's numbers
  (computed here the way Sphinx numbers them; a browser test compares the two); headings carry
  their section numbers and labelled equations a ``\\tag``;
* admonitions become quoted blocks with a bold title; solutions become collapsed
  ``<details>`` blocks;
* a figure's caption follows the code cell that draws it, as "**Figure 4.2.** …";
* code that the HTML includes with ``literalinclude`` becomes a code cell that prints it from the
  installed ``ganlib`` (``ganlib.book.print_source``);
* a paragraph that quotes computed numbers becomes a code cell
  ``ganlib.book.prose(r\"\"\"… {{name:format}} …\"\"\")``: readable before the notebook runs, and
  rendered with the reader's own numbers after;
* bookkeeping cells (first line ``# Bookkeeping: …``) become one-line Colab forms.

The Chinese edition's notebooks run the English code (``tools/zh_edition.py`` keeps the code
cells identical). A text glued with its Chinese wording, ``glue(name, value, zh=...)``, is also
glued as ``name_zh``; as in the Chinese HTML book, the Chinese prose then shows ``name_zh``
where its markdown quotes ``name`` (without a format), and it may quote ``name_zh`` itself.

The generator is strict: a construct it does not know, a reference it cannot resolve, or a
paragraph that quotes a number glued only further down is an error, not a silent leftover (a
``name_zh`` counts as glued where the call that glues it, ``glue(name, ..., zh=...)``, is).
"""

from __future__ import annotations

import argparse
import ast
import codecs
import copy
import dataclasses
import functools
import json
import pathlib
import re
import sys

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
EDITION = "notebooks"
REPOSITORY = "ganlib-book/gan-model-evaluation"
BRANCH = "main"
COLAB_GITHUB = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}"
COLAB = f"{COLAB_GITHUB}/{EDITION}"
GITHUB = f"https://github.com/{REPOSITORY}/blob/{BRANCH}"
#: Suffix of a glued text's Chinese variant: ``glue(name, value, zh=...)`` also glues ``name_zh``
#: (``ganlib.book.notebook.ZH_SUFFIX``).
ZH_SUFFIX = "_zh"


@dataclasses.dataclass(frozen=True)
class Edition:
    """One language's book: its sources ``<folder>/chapters`` (listed by ``<folder>/_toc.yml``)
    and its notebook edition ``<folder>/notebooks``; ``folder`` is ``""`` for the English book."""

    language: str  #: "en" or "zh": the key of :data:`WORDS`
    folder: str  #: the book's folder in the repository: "" or "zh"

    def _in(self, name: str) -> str:
        return f"{self.folder}/{name}" if self.folder else name

    @property
    def chapters(self) -> str:  #: "chapters" or "zh/chapters"
        return self._in("chapters")

    @property
    def out(self) -> str:  #: "notebooks" or "zh/notebooks"
        return self._in(EDITION)

    @property
    def colab(self) -> str:  #: the Colab address of the edition's folder
        return f"{COLAB_GITHUB}/{self.out}"

    @property
    def words(self) -> dict:
        return WORDS[self.language]


EDITIONS = {"en": Edition("en", ""), "zh": Edition("zh", "zh")}

#: Every text the tool itself writes into a notebook, by language. ``{n}`` is a number ("4.2").
WORDS: dict[str, dict] = {
    "en": {
        "chapter": "Chapter {n}",
        "section": "Section {n}",
        "numref": {"figure": "Figure {n}", "section": "Section {n}", "equation": "Equation ({n})"},
        "ref_kind": {"figure": "figure {n}", "equation": "equation {n}"},  # {ref} to a figure/equation
        "ref_section": "*{title}* ({where})",  # {ref} to a section, without text of its own
        "caption": "**Figure {n}.** {caption}",
        "references": "References",
        "bibliography": ("The references cited in the book, with the chapters that cite them, are listed "
                         "at the end of each chapter's notebook."),
        "admonition": {"note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important",
                       "caution": "Caution", "seealso": "See also"},
        "solution": ("solution",),  # an admonition title that starts so is an exercise's solution
        "summary": "<summary><b>{title}</b> (click to show; try the exercise first)</summary>",
        "no_solution": "*(The solution is not part of this copy.)*",
        "literalinclude": "# The code shown here in the HTML book, printed from the installed ganlib ({what}):",
        "prose": "# A paragraph of the book with numbers computed above: run the cell to see your run's values.",
        "bookkeeping": "#@title Bookkeeping: {what} (not part of the lesson)",
        "run_time": re.compile(r"^\*Run time:.*?\*$", re.S | re.M),
        "run_time_read_only": ("*Run time: this notebook only reads stored results; its last cell prints how long "
                               "your own run took.*"),
        "run_time_measured": ("*Run time: on a fresh runtime this notebook took {cpu} in the `cpu` profile and "
                              "{smoke} in the `smoke` profile on the book's build machine ({where}; measured by "
                              "the book's benchmarks on {when}). On a GPU the `gpu` profile does more training. "
                              "Its last cell prints how long your own run took.*"),
        "when_two": "{cpu} (`cpu`) and {smoke} (`smoke`)",
        "machine": "{cores} CPU cores, ",
        "gpus": "{n} GPU(s)",
        "no_gpu": "no GPU",
        "unrecorded_date": "an unrecorded date",
        "where_chapter": "chapter {n}",
        "where_section": "section {n}",
        "where_appendix": "an appendix",
        "where_root": "an appendix",  # the preface (the book's root page)
        "header": ("> This notebook is {where} of **GANs for Model Evaluation**, an executable book. Open it "
                   "[in Colab]({colab}) (*Runtime → Change runtime type → GPU*), in JupyterLab "
                   "or in VS Code, and run all cells. It is generated from "
                   "[`{source}`]({github}) by `tools/make_edition.py`; "
                   "the HTML book shows the same text with the outputs of the book's own run."),
        "readme": [
            "# The notebook edition",
            "",
            "These notebooks are the book's chapters for Colab, JupyterLab, VS Code and GitHub's viewer.",
            "They are generated from `{chapters}/` by `python tools/make_edition.py`: do not edit them by hand",
            "(a test regenerates them and fails on any difference). Each one runs top to bottom with",
            "*Run all*; its first cell installs `ganlib` when it is missing.",
            "",
            "| | chapter | |",
            "|---|---|---|",
        ],
        "open_in_colab": "Open in Colab",
    },
    "zh": {
        "chapter": "第 {n} 章",
        "section": "第 {n} 节",
        "numref": {"figure": "图 {n}", "section": "第 {n} 节", "equation": "式 ({n})"},
        "ref_kind": {"figure": "图 {n}", "equation": "式 {n}"},
        "ref_section": "*{title}*（{where}）",
        "caption": "**图 {n}** {caption}",
        "references": "参考文献",
        "bibliography": "本书引用的文献列在各章笔记本的末尾，每章列出它自己引用的文献。",
        # Sphinx's zh_CN titles of the admonition directives
        "admonition": {"note": "备注", "warning": "警告", "tip": "小技巧", "important": "重要",
                       "caution": "小心", "seealso": "参见"},
        "solution": ("解答", "solution"),
        "summary": "<summary><b>{title}</b>（点击展开；请先自己做练习）</summary>",
        "no_solution": "*（本副本不含解答。）*",
        "literalinclude": "# HTML 版图书在此处展示的代码，从已安装的 ganlib 中打印（{what}）：",
        "prose": "# 本书的一段正文，其中的数字由上面的代码计算：运行本单元格，即可看到你这次运行得到的数值。",
        "bookkeeping": "#@title 簿记：{what}（不属于课程内容）",
        "run_time": re.compile(r"^\*(?:运行时间：|Run time:).*?\*$", re.S | re.M),
        "run_time_read_only": "*运行时间：本笔记本只读取已存储的结果；它的最后一个单元格会打印你自己这次运行的耗时。*",
        "run_time_measured": ("*运行时间：在本书的构建机器上（{where}；由本书的基准测试于 {when} 测得），本笔记本在"
                              "全新的运行时上以 `cpu` 配置运行需要{cpu}，以 `smoke` 配置运行需要{smoke}。在 GPU "
                              "上，`gpu` 配置会做更多训练。最后一个单元格会打印你自己这次运行的耗时。*"),
        "when_two": "{cpu}（`cpu`）和 {smoke}（`smoke`）",
        "machine": "{cores} 个 CPU 核心，",
        "gpus": "{n} 个 GPU",
        "no_gpu": "无 GPU",
        "unrecorded_date": "未记录的日期",
        "where_chapter": "第 {n} 章",
        "where_section": "第 {n} 节",
        "where_appendix": "附录",
        "where_root": "前言",
        "header": ("> 本笔记本是可执行的书 **《用生成对抗网络评估模型》** 的{where}。可以[在 Colab 中打开]({colab})"
                   "（*代码执行程序 → 更改运行时类型 → GPU*），也可以在 JupyterLab 或 VS Code 中打开，然后运行"
                   "全部单元格。它由 `tools/make_edition.py` 从 [`{source}`]({github}) 生成；HTML 版图书显示"
                   "相同的文字，以及本书自己运行得到的输出。"),
        "readme": [
            "# 笔记本版",
            "",
            "这些笔记本是本书中文版的各章，供 Colab、JupyterLab、VS Code 和 GitHub 的笔记本查看器使用。",
            "它们由 `python tools/make_edition.py` 从 `{chapters}/` 生成：请不要手工编辑",
            "（有一项测试会重新生成它们，有任何差异即失败）。每个笔记本都可以用“全部运行”从头运行到尾；",
            "它的第一个代码单元格会在缺少 `ganlib` 时安装它。代码与英文版（`notebooks/`）相同。",
            "",
            "| | 章节 | |",
            "|---|---|---|",
        ],
        "open_in_colab": "在 Colab 中打开",
    },
}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})(?:\{(?P<directive>[\w:-]+)\})?[ \t]*(?P<arg>.*?)[ \t]*$")
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")
EQ_LABEL = re.compile(r"^(?P<body>.*)\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")
GLUE_TEXT = re.compile(r"\{glue:text\}`(?P<name>[\w-]+)(?::(?P<fmt>[^`]*))?`")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])[ \t]+")
BOOKKEEPING = re.compile(r"^#\s*Bookkeeping:\s*(?P<what>.*)$")


class EditionError(Exception):
    """A construct in a source page that the edition cannot render."""


# --------------------------------------------------------------------------------------------
# The book: pages in table-of-contents order, their numbers, labels and citations


@dataclasses.dataclass
class Page:
    stem: str  #: "04_code_walkthrough"
    path: pathlib.Path  #: chapters/04_code_walkthrough.ipynb (or .md)
    number: tuple[int, ...] | None  #: (4,), (5, 1); None for unnumbered pages
    title: str = ""
    cells: list = dataclasses.field(default_factory=list)  #: nbformat cells (one markdown cell for .md)

    @property
    def kind(self) -> str:
        return "Chapter" if self.number is not None and len(self.number) == 1 else "Section"


@dataclasses.dataclass
class Label:
    kind: str  #: "section", "figure" or "equation"
    page: Page
    number: str  #: "4.2" (or "" for a section of an unnumbered page)
    title: str = ""  #: a section's heading text


def _toc_pages(root: pathlib.Path) -> list[tuple[str, tuple[int, ...] | None]]:
    """(file, number) in reading order. Numbered parts number their chapters continuously
    (``use_multitoc_numbering``); a chapter's ``sections`` are numbered below it."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [(toc["root"], None)]
    chapter = 0
    for part in toc.get("parts", []):
        numbered = bool(part.get("numbered"))
        for entry in part["chapters"]:
            if numbered:
                chapter += 1
            entries.append((entry["file"], (chapter,) if numbered else None))
            for i, section in enumerate(entry.get("sections", []), start=1):
                entries.append((section["file"], (chapter, i) if numbered else None))
    return entries


def _read_page(root: pathlib.Path, file: str, number) -> Page:
    for ext in (".ipynb", ".md"):
        path = root / (file + ext)
        if path.exists():
            break
    else:
        raise EditionError(f"_toc.yml lists {file!r}, which does not exist")
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        cells = nb.cells
    else:
        cells = [nbformat.v4.new_markdown_cell(path.read_text(encoding="utf-8"))]
    return Page(stem=path.stem, path=path, number=number, cells=cells)


def _lines_outside_code(text: str):
    """Yield (line, inside_code_fence) for the lines of a markdown text. Directive fences
    (``{name}``) are not code: their bodies are scanned too, and their closing fences are not
    taken for the start of a code block."""
    code_fence = None
    directives: list[str] = []
    for line in text.splitlines():
        m = FENCE.match(line)
        if code_fence is None:
            if m and m.group("directive"):
                directives.append(m.group("fence"))
            elif m and not m.group("arg") and directives and line.strip()[0] == directives[-1][0] \
                    and len(line.strip()) >= len(directives[-1]):
                directives.pop()  # closes the innermost directive
            elif m and m.group("fence").startswith("`"):
                code_fence = m.group("fence")
                yield line, True
                continue
            yield line, False
        else:
            yield line, True
            if line.strip() == code_fence:
                code_fence = None


class Book:
    """The pages of an edition's ``_toc.yml`` and every label the pages define, numbered as
    Sphinx does: sections by heading depth under the page's number; figures and labelled
    equations per chapter (``numfig_secnum_depth: 1``), counting on across a chapter's section
    pages, and globally on unnumbered pages.

    ``root`` is the repository (``references.bib``, ``ganlib/``); the book itself is in
    ``root / edition.folder`` (the repository for English, ``zh/`` for Chinese)."""

    def __init__(self, root: pathlib.Path = ROOT, language: str = "en"):
        self.root = root
        self.edition = EDITIONS[language]
        self.words = self.edition.words
        self.book_root = root / self.edition.folder if self.edition.folder else root
        self.pages = [_read_page(self.book_root, f, n) for f, n in _toc_pages(self.book_root)]
        self.by_stem = {p.stem: p for p in self.pages}
        self.labels: dict[str, Label] = {}
        counters: dict[tuple[str, tuple], int] = {}
        for page in self.pages:
            self._scan(page, counters)
        import codecs as _codecs  # noqa: F401  (latexcodec registers the "ulatex" codec)
        import latexcodec  # noqa: F401
        from pybtex.database import parse_file

        self.bibliography = parse_file(str(root / "references.bib"))

    def _add(self, label: str, value: Label):
        if label in self.labels:
            raise EditionError(f"label {label!r} is defined twice ({self.labels[label].page.path.name}, "
                               f"{value.page.path.name})")
        self.labels[label] = value

    def _scan(self, page: Page, counters):
        prefix = page.number[:1] if page.number else ()
        depth_counts: list[int] = []
        pending_target = None
        for cell in page.cells:
            if cell.cell_type != "markdown":
                continue
            lines = list(_lines_outside_code(cell.source))
            for i, (line, in_code) in enumerate(lines):
                if in_code:
                    continue
                if m := TARGET.match(line):
                    pending_target = m.group("label")
                    continue
                if m := HEADING.match(line):
                    level = len(m.group("hashes"))
                    title = m.group("title")
                    if level == 1:
                        if page.title:
                            raise EditionError(f"{page.path.name}: a second level-1 heading {title!r}")
                        page.title = title
                        number = page.number
                        depth_counts = []
                    else:
                        depth = level - 1  # "##" is the first level below the page title
                        del depth_counts[depth:]
                        while len(depth_counts) < depth:
                            depth_counts.append(0)
                        depth_counts[depth - 1] += 1
                        number = page.number + tuple(depth_counts) if page.number else None
                    if pending_target:
                        self._add(pending_target, Label("section", page, _dotted(number), title))
                        pending_target = None
                    continue
                if line.strip():
                    if pending_target:
                        raise EditionError(f"{page.path.name}: target ({pending_target})= is not followed by a heading")
                if m := FENCE.match(line):
                    if m.group("directive") == "glue:figure":
                        name = _option(lines, i, "name")
                        if name is None:
                            raise EditionError(f"{page.path.name}: a glue:figure block without :name:")
                        self._add(name, Label("figure", page, self._next(counters, "figure", prefix)))
                if m := EQ_LABEL.match(line):
                    self._add(m.group("label"), Label("equation", page, self._next(counters, "equation", prefix)))

    @staticmethod
    def _next(counters, kind, prefix) -> str:
        key = (kind, prefix)
        counters[key] = counters.get(key, 0) + 1
        return _dotted(prefix + (counters[key],))

    # -- citations --------------------------------------------------------------------------

    def _entry(self, key: str):
        try:
            return self.bibliography.entries[key]
        except KeyError:
            raise EditionError(f"citation key {key!r} is not in references.bib") from None

    def cite_names(self, key: str) -> str:
        persons = self._entry(key).persons.get("author") or self._entry(key).persons.get("editor", [])
        last = [_latex_to_text(" ".join(p.prelast_names + p.last_names)) for p in persons]
        if not last:
            return _latex_to_text(self._entry(key).fields.get("title", key))
        if len(last) == 1:
            return last[0]
        if len(last) == 2:
            return f"{last[0]} and {last[1]}"
        return f"{last[0]} et al."

    def cite_year(self, key: str) -> str:
        return self._entry(key).fields.get("year", "n.d.")

    def reference_list(self, keys: list[str]) -> list[str]:
        """Formatted entries (pybtex's plain style, as the HTML book's references page)."""
        from pybtex.plugin import find_plugin

        style = find_plugin("pybtex.style.formatting", "plain")()
        backend = find_plugin("pybtex.backends", "text")()
        formatted = style.format_bibliography(self.bibliography, keys)
        return [re.sub(r"\s+", " ", entry.text.render(backend)).strip() for entry in formatted.entries]


def _dotted(number) -> str:
    return ".".join(str(n) for n in number) if number else ""


def _option(lines, start: int, name: str) -> str | None:
    """The value of ``:name:`` in the option lines right after a directive fence."""
    for line, _ in lines[start + 1:]:
        m = re.match(r"^\s*:([\w-]+):\s*(.*)$", line)
        if not m:
            return None
        if m.group(1) == name:
            return m.group(2).strip()
    return None


def _parse_code(source: str):
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics (%time, !pip): blank those lines and try again
        try:
            return ast.parse(re.sub(r"^[ \t]*[%!].*$", "", source, flags=re.M))
        except SyntaxError:
            return None


def _callee(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)


WILD = (r"[\w-]+", False)  #: a part of a name that cannot be read from the source


def _dict_keys(node) -> list | None:
    """The keys of a literal dict: ``{"a": ...}`` or ``dict(a=...)``."""
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return [k.value for k in node.keys]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"
            and not node.args and all(k.arg for k in node.keywords)):
        return [k.arg for k in node.keywords]
    return None


def _loop_values(node) -> list | None:
    """What a ``for`` loop over a literal takes: values, or tuples of values (``None`` where an
    element is not a literal); ``None`` when the iterable is not a literal."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args \
            and node.func.attr in ("items", "keys"):
        keys = _dict_keys(node.func.value)
        if keys is None:
            return None
        return [(k, None) for k in keys] if node.func.attr == "items" else keys
    if isinstance(node, (ast.Dict, ast.Call)):
        return _dict_keys(node)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        values = []
        for e in node.elts:
            if isinstance(e, ast.Constant):
                values.append(e.value)
            elif isinstance(e, ast.Tuple):
                values.append(tuple(x.value if isinstance(x, ast.Constant) else None for x in e.elts))
            else:
                return None
        return values
    return None


def _options(values) -> list[tuple[str, bool]]:
    if any(v is None or isinstance(v, tuple) for v in values):
        return [WILD]
    return [(re.escape(str(v)), True) for v in values]


class _GlueFinder:
    """Reads the names a code cell glues: ``glue(name, value[, zh=...])`` with a literal name, an
    f-string whose fields are loop variables over literals (``for k in ("a", "b")``,
    ``dict(a=...).items()``) or the parameters of a function of the page that calls ``glue``
    (``def glue_range(name, ...): glue(name, ...)``, then ``glue_range("x", ...)``). A part it
    cannot read matches any name part, and the name is then not *exact*."""

    def __init__(self, wrappers: dict):
        self.wrappers = wrappers  #: function name -> ast.FunctionDef, across the cells of a page
        self.found: list[tuple[str, bool, bool]] = []  #: (regex, exact, glues name_zh too)

    def name(self, node, bindings) -> list[tuple[str, bool]] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [(re.escape(node.value), True)]
        if isinstance(node, ast.Name):
            return bindings.get(node.id)
        if isinstance(node, ast.JoinedStr):
            options = [("", True)]
            for part in node.values:
                if isinstance(part, ast.Constant):
                    add = [(re.escape(str(part.value)), True)]
                elif (isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name)
                      and part.value.id in bindings and part.format_spec is None and part.conversion == -1):
                    add = bindings[part.value.id]
                else:
                    add = [WILD]
                options = [(p + q, e and f) for p, e in options for q, f in add]
            return options
        return None

    def visit(self, nodes, bindings, depth=0):
        for node in nodes:
            self.node(node, bindings, depth)

    def node(self, node, bindings, depth):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.wrappers[node.name] = node  # read where it is called, with its arguments
            return
        if isinstance(node, (ast.For, ast.comprehension)):
            values = _loop_values(node.iter)
            inner = dict(bindings)
            targets = [node.target] if isinstance(node.target, ast.Name) else \
                list(node.target.elts) if isinstance(node.target, ast.Tuple) else []
            for i, t in enumerate(targets):
                if isinstance(t, ast.Name):
                    if values is None:
                        inner[t.id] = [WILD]
                    elif isinstance(node.target, ast.Name):
                        inner[t.id] = _options(values)
                    else:
                        inner[t.id] = _options([v[i] if isinstance(v, tuple) and i < len(v) else None for v in values])
            self.node(node.iter, bindings, depth)
            if isinstance(node, ast.For):
                self.visit(node.body + node.orelse, inner, depth)
            return
        if isinstance(node, ast.Call):
            callee = _callee(node)
            if callee == "glue" and node.args:
                zh = any(k.arg == "zh" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
                         for k in node.keywords)
                for regex, exact in self.name(node.args[0], bindings) or []:
                    self.found.append((regex, exact, zh))
            elif callee in self.wrappers and depth < 3:
                func = self.wrappers[callee]
                params = [a.arg for a in func.args.posonlyargs + func.args.args]
                inner = {}
                for param, arg in zip(params, node.args):
                    inner[param] = self.name(arg, bindings) or [WILD]
                for k in node.keywords:
                    if k.arg in params:
                        inner[k.arg] = self.name(k.value, bindings) or [WILD]
                self.visit(func.body, inner, depth + 1)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.comprehension):
                continue
            self.node(child, bindings, depth)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = dict(bindings)
            for gen in node.generators:
                values = _loop_values(gen.iter)
                if isinstance(gen.target, ast.Name):
                    inner[gen.target.id] = _options(values) if values is not None else [WILD]
            for child in ([node.elt] if not isinstance(node, ast.DictComp) else [node.key, node.value]):
                self.node(child, inner, depth)


def _glued_names(source: str, wrappers: dict | None = None, bindings: dict | None = None) -> list[tuple[str, bool, bool]]:
    """``(regex, exact, zh)`` for every name the code glues: ``zh`` when the same call also
    glues the Chinese variant ``name_zh`` (``glue(name, value, zh=...)``)."""
    tree = _parse_code(source)
    if tree is None:
        return []
    finder = _GlueFinder({} if wrappers is None else wrappers)
    finder.visit(tree.body, {k: [(re.escape(v), True)] for k, v in (bindings or {}).items()})
    return finder.found


@functools.lru_cache(maxsize=None)
def _glue_runtime_names(prefix: str) -> tuple[tuple[str, bool, bool], ...]:
    """The names ``ganlib.book.glue_runtime(prefix)`` glues (read from its source)."""
    import inspect
    import textwrap

    from ganlib.book import notebook

    source = textwrap.dedent(inspect.getsource(notebook.glue_runtime))
    body = _parse_code(source).body[0].body
    finder = _GlueFinder({})
    finder.visit(body, {"prefix": [(re.escape(prefix), True)]})
    return tuple(finder.found)


def _latex_to_text(text: str) -> str:
    text = codecs.decode(text, "ulatex")
    return text.replace("{", "").replace("}", "")


# --------------------------------------------------------------------------------------------
# Markdown conversion


class Glues:
    """The names that a page's code cells glue, read from their source (:class:`_GlueFinder`):
    ``glue("name", ...)``, an f-string name (its fields read where they are loop variables
    over literals, any name part otherwise), names passed to a function of the page that glues
    them, the Chinese variant ``name_zh`` of ``glue(name, ..., zh=...)``, and
    ``glue_runtime(prefix)``'s names (``ganlib.book.glue_runtime`` read from its source).
    ``name in glues``: whether a cell noted so far glues ``name``; :meth:`chinese`: whether it
    certainly glues ``name``'s Chinese variant too."""

    def __init__(self):
        self.names: list[re.Pattern] = []  # every name glued (parts not read from the source: any)
        self.runtime: list[re.Pattern] = []  # glue_runtime(prefix): prefix_<anything> (not _zh)
        self.zh: list[re.Pattern] = []  # names ending in _zh that a call certainly glues
        self.zh_exact: list[re.Pattern] = []  # name_zh glued, every part of the name read from the source
        self.wrappers: dict = {}  # functions of the page that glue their argument

    def note(self, source: str):
        zh = re.escape(ZH_SUFFIX)
        for m in re.finditer(r"\bglue\(\s*(f?)([\"'])(.+?)\2", source):
            is_f, name = m.group(1), m.group(3)
            pattern = re.escape(name) if not is_f else re.sub(r"\\\{.*?\\\}", r"[\\w-]+", re.escape(name))
            self.names.append(re.compile(pattern))
            if not is_f and name.endswith(ZH_SUFFIX):
                self.zh.append(re.compile(pattern))
                self.zh_exact.append(re.compile(pattern))
        found = list(_glued_names(source, self.wrappers))
        for m in re.finditer(r"\bglue_runtime\(\s*([\"'])(\w+)\1", source):
            self.runtime.append(re.compile(re.escape(m.group(2)) + r"_\w+"))
            found += _glue_runtime_names(m.group(2))
        for regex, exact, glues_zh in found:
            self.names.append(re.compile(regex))
            if regex.endswith(zh):
                self.zh.append(re.compile(regex))
                if exact:
                    self.zh_exact.append(re.compile(regex))
            if glues_zh:
                self.names.append(re.compile(regex + zh))
                self.zh.append(re.compile(regex + zh))
                if exact:
                    self.zh_exact.append(re.compile(regex + zh))

    def __contains__(self, name: str) -> bool:
        if name.endswith(ZH_SUFFIX):  # a Chinese variant counts only when a call glues it
            return any(p.fullmatch(name) for p in self.zh)
        return any(p.fullmatch(name) for p in self.names + self.runtime)

    def chinese(self, name: str) -> bool:
        """Whether ``name_zh`` is certainly glued (by the call that glues ``name``)."""
        return any(p.fullmatch(name + ZH_SUFFIX) for p in self.zh_exact)


class PageConverter:
    """Converts one page's markdown into edition blocks: ``("md", text)`` and ``("code", source)``."""

    def __init__(self, book: Book, page: Page, strict: bool = True, solutions: bool = True):
        self.strict = strict
        self.solutions = solutions
        self.book = book
        self.page = page
        self.cited: list[str] = []
        self.glued_above = Glues()  # names glued by the code cells seen so far

    # -- roles ------------------------------------------------------------------------------

    def _cite(self, role: str, content: str) -> str:
        keys = [k.strip() for k in content.split(",") if k.strip()]
        for key in keys:
            self.book._entry(key)
            if key not in self.cited:
                self.cited.append(key)
        if role == "cite:t":
            return "; ".join(f"{self.book.cite_names(k)} ({self.book.cite_year(k)})" for k in keys)
        return "(" + "; ".join(f"{self.book.cite_names(k)}, {self.book.cite_year(k)}" for k in keys) + ")"

    def _label(self, label: str) -> Label:
        try:
            return self.book.labels[label]
        except KeyError:
            raise EditionError(f"{self.page.path.name}: unknown label {label!r}") from None

    def _page_link(self, page: Page) -> str:
        """A page's edition notebook, or its source on GitHub when it has none (the classroom
        guide, the references page, the glossary)."""
        if page.stem in _edition_pages(self.book):
            return f"{page.stem}.ipynb"
        return f"{GITHUB}/{self.book.edition.chapters}/{page.path.name}"

    def _section_link(self, target: Label) -> str:
        """``Section 4.2`` (a link when the section is on another page), or ``""`` when the
        section's page is not numbered."""
        if not target.number:
            return ""
        words = self.book.words
        text = (words["chapter"] if "." not in target.number else words["section"]).format(n=target.number)
        if target.page is self.page:
            return text
        return f"[{text}]({self._page_link(target.page)})"

    def _reference(self, role: str, content: str) -> str:
        m = re.match(r"^(?P<text>.*?)\s*<(?P<label>[^<>]+)>$", content)
        text, label = (m.group("text"), m.group("label")) if m else (None, content.strip())
        if role == "eq":
            target = self._label(label)
            if target.kind != "equation":
                raise EditionError(f"{self.page.path.name}: {{eq}} to {label!r}, which is a {target.kind}")
            return f"({target.number})"
        if role == "numref":
            target = self._label(label)
            number = target.number if target.kind != "equation" else f"({target.number})"
            if text:
                return text.replace("%s", number).replace("{number}", number)
            return self.book.words["numref"][target.kind].format(n=target.number)
        if role == "ref":
            target = self._label(label)
            if text:  # the author's own words, as the HTML shows them; a link when on another page
                return text if target.page is self.page else f"[{text}]({self._page_link(target.page)})"
            if target.kind != "section":
                return self.book.words["ref_kind"][target.kind].format(n=target.number)
            where = self._section_link(target)
            if not where and target.page is not self.page:
                where = f"[{target.page.title}]({self._page_link(target.page)})"
            return self.book.words["ref_section"].format(title=target.title, where=where) if where else f"*{target.title}*"
        if role == "doc":
            stem = pathlib.Path(label).stem
            page = self.book.by_stem.get(stem)
            if page is None:
                raise EditionError(f"{self.page.path.name}: {{doc}} to unknown page {label!r}")
            return f"[{text or page.title}]({self._page_link(page)})"
        raise EditionError(f"{self.page.path.name}: unknown role {{{role}}}")

    def roles(self, text: str) -> str:
        """Replace every role but ``{glue:text}`` (handled by :meth:`glue_to_placeholders`)."""

        def one(m):
            role, content = m.group("role"), m.group("content")
            if role == "glue:text":
                return m.group(0)
            if role in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
                return self._cite("cite:t" if role.startswith("cite:t") else "cite:p", content)
            if role in ("eq", "numref", "ref", "doc"):
                return self._reference(role, content)
            raise EditionError(f"{self.page.path.name}: the edition does not know the role {{{role}}}")

        text = ROLE.sub(one, text)
        return self.links(text)

    def links(self, text: str) -> str:
        """Links to other pages: pages with an edition notebook link to it; the others (the
        classroom guide, the references page) to their source on GitHub."""

        def one(m):
            label, target = m.group(1), m.group(2)
            path, _, anchor = target.partition("#")
            if "/" in path or ":" in path or not path.endswith((".md", ".ipynb")):
                return m.group(0)
            stem = pathlib.Path(path).stem
            if stem in _edition_pages(self.book):
                return f"[{label}]({stem}.ipynb{'#' + anchor if anchor else ''})"
            return f"[{label}]({GITHUB}/{self.book.edition.chapters}/{path})"

        return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", one, text)

    def glue_to_placeholders(self, text: str) -> str:
        def one(m):
            name, fmt = m.group("name"), m.group("fmt")
            if self.book.edition.language == "zh" and not fmt and self.glued_above.chinese(name):
                # The Chinese wording of a glued text, as the Chinese HTML book shows it. (A
                # number quoted with a format has no Chinese variant: it keeps its key.)
                name += ZH_SUFFIX
            if self.strict and name not in self.glued_above:
                raise EditionError(f"{self.page.path.name}: the paragraph quoting {{glue:text}}`{name}` comes "
                                   f"before the code cell that glues it; move the glue above the paragraph:\n"
                                   f"{text[:300]}")
            return "{{" + name + (":" + fmt if fmt else "") + "}}"

        return GLUE_TEXT.sub(one, text)

    # -- code cells: which names do they glue? ------------------------------------------------

    def note_glues(self, source: str):
        self.glued_above.note(source)

    # -- blocks -------------------------------------------------------------------------------

    def convert_markdown(self, text: str, first_cell: bool) -> list[tuple[str, str]]:
        """Directives and headings first (they can become code cells), then roles, then glue."""
        blocks: list[tuple[str, str]] = []
        out: list[str] = []
        lines = text.splitlines()
        i = 0

        def flush():
            if out:
                blocks.append(("md", "\n".join(out)))
                out.clear()

        depth_counts: list[int] = list(getattr(self, "_depth_counts", []))
        while i < len(lines):
            line = lines[i]
            m = FENCE.match(line)
            if m and m.group("directive"):
                end = _closing_fence(lines, i, m.group("fence"), self.page)
                options, body = _split_options(lines[i + 1:end])
                directive = m.group("directive")
                arg = m.group("arg")
                if directive == "literalinclude":
                    flush()
                    blocks.append(("code", self._literalinclude(arg, options)))
                elif directive == "admonition":
                    out.extend(self._admonition(arg, options, body))
                elif directive in ("note", "warning", "tip", "important", "caution", "seealso"):
                    out.extend(self._admonition(self.book.words["admonition"][directive],
                                                {"class": directive}, ([arg] if arg else []) + body))
                elif directive == "glue:figure":
                    label = options.get("name") or arg
                    caption = " ".join(b.strip() for b in body).strip()
                    target = self._label(label)
                    out.append(self.book.words["caption"].format(n=target.number, caption=caption))
                elif directive == "bibliography":
                    out.append(self.book.words["bibliography"])
                elif directive == "rubric":
                    out.append(f"### {arg}")
                else:
                    raise EditionError(f"{self.page.path.name}: the edition does not know the directive {{{directive}}}")
                i = end + 1
                continue
            if m and m.group("fence").startswith("`"):  # a code fence: copy verbatim
                end = _closing_fence(lines, i, m.group("fence"), self.page)
                out.extend(lines[i:end + 1])
                i = end + 1
                continue
            if TARGET.match(line):
                i += 1
                continue
            if (h := HEADING.match(line)):
                level = len(h.group("hashes"))
                number = None
                if level == 1:
                    number = self.page.number
                    depth_counts = []
                elif self.page.number:
                    depth = level - 1
                    del depth_counts[depth:]
                    while len(depth_counts) < depth:
                        depth_counts.append(0)
                    depth_counts[depth - 1] += 1
                    number = self.page.number + tuple(depth_counts)
                prefix = f"{_dotted(number)} " if number else ""
                out.append(f"{h.group('hashes')} {prefix}{h.group('title')}")
                i += 1
                continue
            if (e := EQ_LABEL.match(line)):
                target = self._label(e.group("label"))
                body = e.group("body").rstrip()
                if body:
                    out.append(body)
                # \tag inside the display math: the last line before "$$ (label)" closes it.
                for j in range(len(out) - 1, -1, -1):
                    if out[j].strip():
                        out[j] = out[j] + f" \\tag{{{target.number}}}"
                        break
                out.append("$$")
                i += 1
                continue
            out.append(line)
            i += 1
        flush()
        self._depth_counts = depth_counts
        return [(kind, self.roles(text) if kind == "md" else text) for kind, text in blocks]

    def _admonition(self, title: str, options: dict, body: list[str]) -> list[str]:
        words = self.book.words
        cls = options.get("class", "")
        title = title.strip() or words["admonition"]["note"]
        if "dropdown" in cls and not self.solutions and title.lower().startswith(words["solution"]):
            return [words["no_solution"]]
        if "dropdown" in cls:
            return ["<details>", words["summary"].format(title=title), "", *body, "", "</details>"]
        quoted = [f"> **{title}**", ">"] + [("> " + b) if b.strip() else ">" for b in body]
        return quoted

    def _literalinclude(self, arg: str, options: dict) -> str:
        path = (self.page.path.parent / arg).resolve()
        if not path.exists():
            raise EditionError(f"{self.page.path.name}: literalinclude of {arg}, which does not exist "
                               f"({path}); a path is relative to the page's folder")
        try:
            relative = path.relative_to(self.book.root)
        except ValueError:
            raise EditionError(f"{self.page.path.name}: literalinclude outside the repository: {arg}") from None
        if relative.parts[0] != "ganlib" or relative.suffix != ".py":
            raise EditionError(f"{self.page.path.name}: literalinclude of {relative}: only ganlib modules are supported")
        module = ".".join(relative.with_suffix("").parts)
        module = module.removesuffix(".__init__")
        args = [repr(module)]
        if "pyobject" in options:
            args.append(repr(options["pyobject"]))
        known = {"pyobject", "start-at", "end-at", "end-before", "dedent", "language", "lines", "emphasize-lines", "caption"}
        unknown = set(options) - known
        if unknown or "lines" in options:
            raise EditionError(f"{self.page.path.name}: literalinclude options not supported: {sorted(unknown | ({'lines'} & set(options)))}")
        if "start-at" in options:
            args.append(f"start_at={_unquote(options['start-at'])!r}")
        if "end-at" in options:
            args.append(f"end_at={_unquote(options['end-at'])!r}")
        if "end-before" in options:
            args.append(f"end_before={_unquote(options['end-before'])!r}")
        if "dedent" in options:
            args.append(f"dedent={int(options['dedent'])}")
        what = f"{module}.{options['pyobject']}" if "pyobject" in options else module
        return (self.book.words["literalinclude"].format(what=what) + "\n"
                f"ganlib.book.print_source({', '.join(args)});")


def _edition_pages(book: Book) -> set[str]:
    """The pages that get an edition notebook: every notebook, and markdown pages that are
    chapters (the chapter-5 landing page); the classroom guide and the references page are
    linked on GitHub instead."""
    return {p.stem for p in book.pages if p.path.suffix == ".ipynb" or p.number is not None}


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _closing_fence(lines, start, fence, page) -> int:
    char = fence[0]
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= len(fence):
            return j
    raise EditionError(f"{page.path.name}: unclosed {fence} fence: {lines[start]!r}")


def _split_options(lines: list[str]) -> tuple[dict, list[str]]:
    options, i = {}, 0
    while i < len(lines) and (m := re.match(r"^\s*:([\w-]+):\s*(.*)$", lines[i])):
        options[m.group(1)] = m.group(2).strip()
        i += 1
    body = lines[i:]
    while body and not body[0].strip():
        body = body[1:]
    return options, body


# --------------------------------------------------------------------------------------------
# Paragraphs with glued numbers -> prose cells


def _top_level_blocks(text: str) -> list[str]:
    """Split markdown into top-level blocks at blank lines, keeping code fences, lists,
    blockquotes, ``<details>`` blocks and display math whole."""
    lines = text.splitlines()
    blocks: list[list[str]] = []
    current: list[str] = []
    fence = None
    details = 0
    math = False
    for line in lines:
        stripped = line.strip()
        if fence is None and (m := FENCE.match(line)) and m.group("fence").startswith("`"):
            fence = m.group("fence")
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is None:
            details += stripped.count("<details>") - stripped.count("</details>")
            if stripped.startswith("$$") and not (len(stripped) > 2 and stripped.endswith("$$") and stripped != "$$"):
                math = not math
            elif stripped.endswith("$$") and stripped != "$$" and not stripped.startswith("$$"):
                math = not math
        if not stripped and fence is None and details == 0 and not math:
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line)
    if current:
        blocks.append(current)
    # Continuations: list items and indented lines after a list, quoted lines after a quote.
    merged: list[list[str]] = []
    for block in blocks:
        first = block[0]
        if merged:
            prev_first = merged[-1][0]
            continues_list = LIST_ITEM.match(prev_first) and (LIST_ITEM.match(first) or first.startswith(("  ", "\t")))
            continues_quote = prev_first.startswith(">") and first.startswith(">")
            if continues_list or continues_quote:
                merged[-1] = merged[-1] + [""] + block
                continue
        merged.append(block)
    return ["\n".join(b) for b in merged]


def _prose_cell(text: str, words: dict = WORDS["en"]) -> str:
    if '"""' in text:
        raise EditionError(f'a paragraph contains """, which a prose cell cannot quote:\n{text[:200]}')
    if text.endswith("\\"):
        text += " "
    return words["prose"] + "\n" + f'ganlib.book.prose(r"""\n{text}\n""")'


def _split_glue_paragraphs(converter: PageConverter, text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for block in _top_level_blocks(text):
        if GLUE_TEXT.search(block):
            if pending:
                out.append(("md", "\n\n".join(pending)))
                pending = []
            prose = converter.glue_to_placeholders(block)
            if out and out[-1][0] == "prose":
                out[-1] = ("prose", out[-1][1] + "\n\n" + prose)
            else:
                out.append(("prose", prose))
        else:
            pending.append(block)
    if pending:
        out.append(("md", "\n\n".join(pending)))
    return [("code", _prose_cell(t, converter.book.words)) if kind == "prose" else (kind, t) for kind, t in out]


# --------------------------------------------------------------------------------------------
# Pages -> notebooks


RUN_TIME = WORDS["en"]["run_time"]


def _run_time_sentence(book: Book, page: Page) -> str:
    from ganlib.book import fresh_runtime  # the function the HTML book's glue uses

    words, language = book.words, book.edition.language
    results = json.loads((book.root / "ganlib" / "book" / "benchmark_results.json").read_text())
    if fresh_runtime(page.stem, "cpu", results) == "not measured":
        return words["run_time_read_only"]
    if language == "en":
        cpu, smoke = fresh_runtime(page.stem, "cpu", results), fresh_runtime(page.stem, "smoke", results)
    else:  # "约 4 分钟", " 22 秒": a space between Chinese text and a number
        cpu, smoke = (re.sub(r"^(?=[0-9])", " ", fresh_runtime(page.stem, p, results, language=language))
                      for p in ("cpu", "smoke"))
    machine = results.get("machine", {})
    notebooks = results.get("notebooks", {})
    suite_date = (notebooks.get("measured") or {}).get("date") or machine.get("date", words["unrecorded_date"])
    # a chapter measured again after the suite (benchmarks/run_all.py --chapters) has that run's date
    cpu_when, smoke_when = ((notebooks.get("reruns", {}).get(f"{page.stem} ({p})") or {}).get("date", suite_date)
                            for p in ("cpu", "smoke"))
    when = cpu_when if cpu_when == smoke_when else words["when_two"].format(cpu=cpu_when, smoke=smoke_when)
    gpus = machine.get("gpus") or []
    where = words["machine"].format(cores=machine.get("cores", "?")) + (
        words["gpus"].format(n=len(gpus)) if gpus else words["no_gpu"])
    return words["run_time_measured"].format(cpu=cpu, smoke=smoke, where=where, when=when)


def _header(book: Book, page: Page) -> str:
    words, edition = book.words, book.edition
    if page.number:
        where = words["where_chapter" if len(page.number) == 1 else "where_section"].format(n=_dotted(page.number))
    else:
        where = words["where_root" if page is book.pages[0] else "where_appendix"]
    source = f"{edition.chapters}/{page.path.name}"
    return words["header"].format(where=where, colab=f"{edition.colab}/{page.stem}.ipynb", source=source,
                                  github=f"{GITHUB}/{source}")


def _bookkeeping(cell, words: dict = WORDS["en"]) -> None:
    lines = cell.source.splitlines()
    m = BOOKKEEPING.match(lines[0]) if lines else None
    if not m:
        return
    what = m.group("what").strip().rstrip(".")
    lines[0] = words["bookkeeping"].format(what=what)
    cell.source = "\n".join(lines)
    cell.metadata["cellView"] = "form"


def convert_page(book: Book, page: Page, strict: bool = True, solutions: bool = True) -> nbformat.NotebookNode:
    converter = PageConverter(book, page, strict, solutions)
    cells = []

    def add_md(text: str):
        text = text.strip("\n")
        if not text.strip():
            return
        if cells and cells[-1].cell_type == "markdown":
            cells[-1].source += "\n\n" + text
        else:
            cells.append(nbformat.v4.new_markdown_cell(text))

    for index, cell in enumerate(page.cells):
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(_code_source(cell.source))
            tags = [t for t in cell.metadata.get("tags", []) if t not in ("remove-input", "remove-output", "remove-cell", "hide-input", "hide-output")]
            if tags:
                new.metadata["tags"] = tags
            _bookkeeping(new, book.words)
            cells.append(new)
            converter.note_glues(cell.source)
            continue
        if cell.cell_type != "markdown":
            continue
        text = book.words["run_time"].sub(lambda m: _run_time_sentence(book, page), cell.source)
        for kind, block in converter.convert_markdown(text, first_cell=index == 0):
            if kind == "code":
                cells.append(nbformat.v4.new_code_cell(block))
                continue
            for sub_kind, sub in _split_glue_paragraphs(converter, block):
                if sub_kind == "code":
                    cells.append(nbformat.v4.new_code_cell(sub))
                else:
                    add_md(sub)
        if index == 0:
            # The edition's note goes right under the title.
            first = cells[0]
            title, _, rest = first.source.partition("\n")
            first.source = title + "\n\n" + _header(book, page) + ("\n" + rest if rest.strip() else "")
    if converter.cited:
        entries = book.reference_list(converter.cited)
        add_md(f"## {book.words['references']}\n\n" + "\n".join(f"- {e}" for e in sorted(entries, key=str.lower)))
    leftovers = [c.source for c in cells if c.cell_type == "markdown" and _myst_left(c.source)]
    if leftovers:
        raise EditionError(f"{page.path.name}: MyST left in the edition: {_myst_left(leftovers[0])}")
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "accelerator": "GPU",
        "colab": {"provenance": [], "toc_visible": True, "gpuType": "T4"},
    }
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"{page.stem[:24]}-{i:03d}"
    return nb


def _code_source(source: str) -> str:
    """A chapter's code cell as the edition shows it: nbval's markers are not for readers."""
    lines = [line for line in source.splitlines() if line.strip() not in ("# NBVAL_CHECK_OUTPUT", "# NBVAL_IGNORE_OUTPUT")]
    return "\n".join(lines)


MYST_LEFT = re.compile(r"\{[\w:-]+\}`|^\s*(?:`{3,}|:{3,})\{[\w:-]+\}|^\(\S+\)=\s*$|^:::|^\s*:(?:class|name|pyobject):", re.M)


def _myst_left(text: str) -> str | None:
    """The first MyST construct in ``text`` outside code fences, or None."""
    for line, in_code in _lines_outside_code(text):
        if in_code:
            continue
        if m := MYST_LEFT.search(line):
            return line.strip()[:120] or m.group(0)
    return None


def make_edition(root: pathlib.Path = ROOT, strict: bool = True, solutions: bool = True,
                 language: str = "en") -> dict[str, str]:
    """Every notebook of one language's edition as ``{file name: JSON text}``: ``"en"``
    (``chapters/`` -> ``notebooks/``) or ``"zh"`` (``zh/chapters/`` -> ``zh/notebooks/``).
    ``strict=False`` (``--draft``) allows paragraphs that quote numbers glued further down,
    while a chapter is being written; ``solutions=False`` leaves the exercises' solutions out
    (students' copies)."""
    book = Book(root, language)
    out = {}
    for page in book.pages:
        if page.stem not in _edition_pages(book):
            continue
        nb = convert_page(book, page, strict, solutions)
        nbformat.validate(nb)
        out[f"{page.stem}.ipynb"] = nbformat.writes(nb) + "\n"
    out["README.md"] = _edition_readme(book)
    return out


def _edition_readme(book: Book) -> str:
    words, edition = book.words, book.edition
    rows = []
    for page in book.pages:
        if page.stem not in _edition_pages(book):
            continue
        number = _dotted(page.number) if page.number else ""
        rows.append(f"| {number} | [{page.title}]({page.stem}.ipynb) | "
                    f"[{words['open_in_colab']}]({edition.colab}/{page.stem}.ipynb) |")
    return "\n".join([*(line.format(chapters=edition.chapters) for line in words["readme"]), *rows, ""])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if an edition (notebooks/, zh/notebooks/) is not up to date")
    parser.add_argument("--language", choices=["en", "zh", "all"], default="all",
                        help="which edition: en (chapters/ -> notebooks/), zh (zh/chapters/ -> zh/notebooks/) "
                             "or all (default)")
    parser.add_argument("--out", help="output folder (default: notebooks/ and zh/notebooks/); with both "
                                      "languages the Chinese edition goes to OUT/zh/")
    parser.add_argument("--draft", action="store_true",
                        help="allow paragraphs that quote numbers glued further down (while writing a chapter)")
    parser.add_argument("--without-solutions", action="store_true",
                        help="leave out the exercises' solutions (copies to hand out to students)")
    args = parser.parse_args(argv)
    languages = list(EDITIONS) if args.language == "all" else [args.language]
    targets = {}
    for language in languages:
        if args.out is None:
            targets[language] = ROOT / EDITIONS[language].out
        elif len(languages) == 1 or language == "en":
            targets[language] = pathlib.Path(args.out)
        else:
            targets[language] = pathlib.Path(args.out) / language
    if args.without_solutions and any(
            out.resolve() == (ROOT / EDITIONS[lang].out).resolve() for lang in EDITIONS for out in targets.values()):
        parser.error("--without-solutions needs --out: notebooks/ and zh/notebooks/ are the editions with solutions")
    status = 0
    for language, out in targets.items():
        status = max(status, _write_edition(language, out, args))
    return status


def _write_edition(language: str, out: pathlib.Path, args) -> int:
    try:
        files = make_edition(ROOT, strict=not args.draft, solutions=not args.without_solutions, language=language)
    except EditionError as exc:
        print(f"error ({language}): {exc}", file=sys.stderr)
        return 2
    try:
        shown = f"{out.resolve().relative_to(ROOT)}/"
    except ValueError:
        shown = str(out)
    stale = sorted(set(p.name for p in out.glob("*") if p.is_file()) - set(files)) if out.exists() else []
    if args.check:
        different = [name for name, text in files.items()
                     if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]
        if different or stale:
            print(f"the notebook edition {shown} is not up to date; run `python tools/make_edition.py`:",
                  *different, *(f"{s} (not generated)" for s in stale), sep="\n  ")
            return 1
        print(f"{shown} is up to date ({len(files)} files)")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (out / name).unlink()
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
