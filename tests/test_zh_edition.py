"""The Chinese edition (zh/): one set of code with the English book, and prose that is Chinese.

* every English page has its Chinese page, and the two tables of contents list the same pages
  (the Chinese one adds the glossary, 术语表);
* the Chinese notebooks' code cells are the English ones, cell by cell (``tools/zh_edition.py``
  synchronises them), so both editions run the same computations and the Chinese build reuses
  the English build's executions;
* every markdown cell is translated from the *current* English text (its recorded SHA matches);
* the prose is Chinese: Latin-script words outside code, math, roles (citations, references,
  glued values), link targets and the parenthesised English terms are few;
* emphasis renders (CommonMark does not close ``**…：**`` before a Chinese character).

The build, search and browser checks of both editions are in ``test_rendered_book.py``.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

import pytest

from test_book_structure import resolve, toc_files

ROOT = pathlib.Path(__file__).resolve().parents[1]
ZH = ROOT / "zh"
sys.path.insert(0, str(ROOT / "tools"))
import zh_edition  # noqa: E402

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: At most this share of a page's words may be Latin-script words (abbreviations such as GAN, FID,
#: MNIST and names such as Goodfellow or TensorFlow; a Chinese word counted as 1.5 characters).
MAX_LATIN_SHARE = 0.06
#: Lower-case English words of 3+ letters (the mark of an untranslated sentence) per page.
MAX_LOWERCASE_WORDS = 5
#: Lower-case words that are names in Chinese texts too (units, functions, tools).
LOWERCASE_NAMES = {"softmax", "sigmoid", "ganlib", "pip", "bash", "make", "jieba", "tanh", "relu", "nats"}

DIRECTIVE_WITH_PROSE = {"admonition", "note", "warning", "dropdown", "tip", "important", "caution",
                        "seealso", "hint", "attention", "danger", "error", "glue:figure", "figure",
                        "epigraph", "topic", "sidebar", "rubric"}


def en_pages() -> list[str]:
    return toc_files(ROOT)


def zh_page(entry: str) -> pathlib.Path:
    return resolve(entry, ZH)


def markdown_of(path: pathlib.Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def prose(md: str) -> str:
    """The running text of a MyST page: without code, math, roles, targets, labels and options."""
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.S)
    md = re.sub(r"^---\n.*?\n---\n", " ", md, flags=re.S)  # front matter

    def fence(m: re.Match) -> str:
        directive = m.group("directive")
        if directive in DIRECTIVE_WITH_PROSE:
            return m.group("body")  # its text is prose; the fence line and options are not
        return " "  # code, math, literalinclude, bibliography, …

    fences = re.compile(r"^(?P<fence>`{3,}|:{3,})(?:\{(?P<directive>[\w:-]+)\})?[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                        re.S | re.M)
    for _ in range(3):  # nested admonitions
        md = fences.sub(fence, md)
    md = re.sub(r"\$\$.*?\$\$(?:[ \t]*\([^)\n]*\))?", " ", md, flags=re.S)
    md = re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", md, flags=re.S)
    md = re.sub(r"\$[^$]+\$", " ", md)  # inline math (may wrap a line)
    md = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", md)  # roles: citations, references, glued values
    md = re.sub(r"`[^`]*`", " ", md)  # inline code (may wrap a line)
    md = re.sub(r"\]\([^)\s]*\)", "]", md)  # link targets
    md = re.sub(r"<https?://[^>]*>|https?://\S+", " ", md)
    md = re.sub(r"<[^>\n]+>", " ", md)  # HTML tags
    md = re.sub(r"^[ \t]*:[\w-]+:.*$", " ", md, flags=re.M)  # directive options
    md = re.sub(r"^\([^()\s]+\)=[ \t]*$", " ", md, flags=re.M)  # labels
    md = re.sub(r"（[^（）]*）", lambda m: " " if LATIN_WORD.search(m.group(0)) else m.group(0), md)  # （English term）
    return md


def latin_counts(md: str) -> tuple[int, list[str], int]:
    text = prose(md)
    words = LATIN_WORD.findall(text)
    lower = [w for w in words if w.islower() and len(w) >= 3 and w not in LOWERCASE_NAMES]
    return len(words), lower, len(CJK.findall(text))


# ---------------------------------------------------------------------------------- structure


def test_both_tables_of_contents_list_the_same_pages():
    zh = toc_files(ZH)
    assert [e for e in zh if e != "chapters/glossary"] == en_pages()
    assert "chapters/glossary" in zh


@pytest.mark.parametrize("entry", en_pages())
def test_every_english_page_has_a_chinese_page(entry):
    english = resolve(entry)
    chinese = zh_page(entry)
    assert chinese.suffix == english.suffix, f"{entry}: {english.suffix} in English, {chinese.suffix} in Chinese"


@pytest.mark.parametrize("name", zh_edition.en_names())
def test_code_cells_are_the_english_ones(name):
    """Cell by cell: the same ids, types, code and code-cell metadata (run tools/zh_edition.py sync)."""
    problems = [p for p in zh_edition.problems(name) if "not translated" not in p and "older English" not in p]
    assert problems == []


@pytest.mark.parametrize("name", zh_edition.en_names())
def test_every_markdown_cell_is_translated_from_the_current_english(name):
    problems = [p for p in zh_edition.problems(name) if "not translated" in p or "older English" in p]
    assert problems == [], "re-translate (tools/zh_edition.py export/import):\n" + "\n".join(problems)


def test_zh_edition_check_detects_changed_code_and_stale_text(tmp_path, monkeypatch):
    """The checker itself: a changed code cell, a stale and an untranslated markdown cell are reported."""
    import nbformat

    en, zh = tmp_path / "chapters", tmp_path / "zh" / "chapters"
    en.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_markdown_cell("Second.")])
    nbformat.write(nb, en / "demo.ipynb")
    monkeypatch.setattr(zh_edition, "EN", en)
    monkeypatch.setattr(zh_edition, "ZH", zh)
    ids = [c.id for c in nb.cells]
    doc = f"<!-- cell {ids[0]} en:{zh_edition.en_sha('# Title')} -->\n# 标题\n"
    assert zh_edition.import_("demo", doc) == [ids[2]]  # the second markdown cell is still English
    assert zh_edition.problems("demo") == [f"demo: markdown cell {ids[2]} is not translated"]
    nb.cells[0].source = "# New title"
    nb.cells[1].source = "x = 2"
    nbformat.write(nb, en / "demo.ipynb")
    found = zh_edition.problems("demo")
    assert any("code cell" in p and ids[1] in p for p in found)
    assert any("older English" in p and ids[0] in p for p in found)
    zh_edition.sync()  # code copied from English; the stale translation stays flagged
    found = zh_edition.problems("demo")
    assert not any("code cell" in p for p in found) and any("older English" in p for p in found)
    assert "# 标题" in (zh / "demo.ipynb").read_text(encoding="utf-8")


def test_paths_out_of_chapters_are_rewritten_once():
    text = "```{literalinclude} ../ganlib/training.py\n```\n[x](../../ganlib/a.py) [c](03_x.ipynb)"
    assert zh_edition.zh_paths(text) == "```{literalinclude} ../../ganlib/training.py\n```\n[x](../../ganlib/a.py) [c](03_x.ipynb)"
    assert zh_edition.zh_paths(zh_edition.zh_paths(text)) == zh_edition.zh_paths(text)


# -------------------------------------------------------------------------------------- prose


def test_latin_word_counter_sees_english_and_ignores_code_math_and_terms():
    md = ("判别器（discriminator）输出 $D(x) = \\sigma(\\ell)$，见 {cite:p}`goodfellow2014generative` 和 "
          "`ganlib.train`。\n\n```python\nprint('hello world')\n```\n\nThis sentence was not translated.")
    n, lower, cjk = latin_counts(md)
    assert lower == ["sentence", "was", "not", "translated"] and n == 5 and cjk == 7  # 判别器输出见和


@pytest.mark.parametrize("entry", toc_files(ZH))
def test_prose_is_chinese(entry):
    n, lower, cjk = latin_counts(markdown_of(zh_page(entry)))
    share = n / (n + cjk / 1.5) if n + cjk else 0.0
    assert len(lower) <= MAX_LOWERCASE_WORDS, f"{entry}: untranslated English? {lower}"
    assert share <= MAX_LATIN_SHARE, f"{entry}: {n} Latin-script words, {share:.1%} of the words"


@pytest.mark.parametrize("entry", toc_files(ZH))
def test_emphasis_renders_next_to_chinese_punctuation(entry):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    source = markdown_of(zh_page(entry))
    source = re.sub(r"\$\$.*?\$\$", "M", source, flags=re.S)
    source = re.sub(r"\$[^$]+\$", "M", source)  # math may hold asterisks (D^*)
    leftovers = []
    for block in re.split(r"\n\s*\n", source):
        html = md.render(block)
        html = re.sub(r"<(code|pre)>.*?</\1>", "", html, flags=re.S)
        text = re.sub(r"<[^>]+>", "", html)
        if "**" in text or re.search(r"(?<![\w*])\*(?=\S)[^*\n]+\*(?![\w*])", text):
            leftovers.append(block.strip()[:80])
    assert leftovers == [], f"{entry}: emphasis that renders as asterisks: {leftovers}"


def test_glossary_lists_terms_with_english_and_where_defined():
    text = (ZH / "chapters" / "glossary.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|") and not set(line) <= set("|-: ")]
    body = rows[1:] if rows else []
    assert len(body) >= 60, f"only {len(body)} terms"
    for row in body:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) >= 3 and CJK.search(cells[0]) and LATIN_WORD.search(cells[1]) and cells[2], row
    for term in ("模式崩溃", "非饱和损失", "精确率", "召回率", "分类器双样本检验"):
        assert term in text, term


@pytest.mark.parametrize("entry", [e for e in toc_files(ZH) if e not in ("chapters/glossary", "chapters/references")])
def test_chapters_link_to_the_glossary(entry):
    assert re.search(r"glossary", markdown_of(zh_page(entry))), f"{entry}: no link to the glossary (术语表)"
