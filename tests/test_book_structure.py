"""The book's structure: table of contents, notebooks, Colab set-up cells, titles, exercises."""

import json
import pathlib
import re
import tomllib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"

# The source article's section titles that the chapter titles keep.
CHINESE_TITLES = {
    "01_background": "背景介绍",
    "02_core_concepts": "核心概念与联系",
    "03_algorithm_and_losses": "核心算法原理",
    "04_code_walkthrough": "具体代码实例",
    "06_challenges": "未来发展趋势与挑战",
    "07_faq": "常见问题与解答",
}


def toc_files(book: pathlib.Path = ROOT) -> list[str]:
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    return files


def resolve(entry: str, book: pathlib.Path = ROOT) -> pathlib.Path:
    for ext in (".ipynb", ".md"):
        path = book / (entry + ext)
        if path.exists():
            return path
    raise FileNotFoundError(entry)


def notebooks() -> list[pathlib.Path]:
    return sorted(CHAPTERS.glob("*.ipynb"))


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_toc_is_jupyter_book_1_format():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"


def test_every_toc_entry_exists_and_every_chapter_file_is_listed():
    listed = set()
    for entry in toc_files():
        path = resolve(entry)  # raises if missing
        listed.add(path.resolve())
    on_disk = {p.resolve() for p in list(CHAPTERS.glob("*.ipynb")) + list(CHAPTERS.glob("*.md"))}
    assert on_disk - listed == set(), f"files in chapters/ missing from _toc.yml: {sorted(on_disk - listed)}"


def test_repository_url_is_the_same_everywhere():
    from ganlib.book import REPOSITORY_URL

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == REPOSITORY_URL
    assert REPOSITORY_URL in (ROOT / "README.md").read_text()
    for nb in notebooks():
        first = next(c for c in load(nb)["cells"] if c["cell_type"] == "code")
        assert REPOSITORY_URL in source(first), nb.name


@pytest.mark.parametrize("nb", notebooks(), ids=lambda p: p.name)
def test_first_code_cell_sets_up_colab_without_replacing_tensorflow(nb):
    first = next(c for c in load(nb)["cells"] if c["cell_type"] == "code")
    src = source(first)
    assert 'find_spec("ganlib") is None' in src  # installs only when missing
    assert "pip" in src and "install" in src
    pip_line = src[src.index('"pip"'):]
    assert "tensorflow" not in pip_line.lower(), "the set-up cell must not install TensorFlow over Colab's"
    assert "ganlib.book.setup_notebook(" in src  # reports the GPU and picks the run profile


@pytest.mark.parametrize("nb", notebooks(), ids=lambda p: p.name)
def test_set_up_cell_installs_the_release_tag_of_this_version(nb):
    from ganlib.book import install_requirement

    first = next(c for c in load(nb)["cells"] if c["cell_type"] == "code")
    assert f'"{install_requirement()}"' in source(first), (
        f"{nb.name}: the set-up cell must install ganlib at its release tag; run "
        "`python tools/nbtool.py pin chapters/*.ipynb`")


def test_the_version_is_one_constant():
    import ganlib
    from ganlib.book import install_requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == ganlib.__version__
    assert install_requirement().endswith(f"@v{ganlib.__version__}")
    assert install_requirement("9.9.9").endswith("@v9.9.9")


def test_pin_rewrites_an_unpinned_or_stale_set_up_cell():
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("nbtool", ROOT / "tools" / "nbtool.py")
    nbtool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(nbtool)
    from ganlib.book import REPOSITORY_URL, install_requirement

    for old in (f"ganlib @ git+{REPOSITORY_URL}", f"ganlib @ git+{REPOSITORY_URL}@v0.0.1"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell(
            f'subprocess.run([sys.executable, "-m", "pip", "install", "-q",\n "{old}"], check=True)')])
        assert nbtool.pin(nb) is True
        assert f'"{install_requirement()}"' in nb.cells[1].source and old + '"' not in nb.cells[1].source
        assert nbtool.pin(nb) is False  # idempotent
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import ganlib")])
    with pytest.raises(ValueError, match="requirement"):
        nbtool.pin(nb)


def test_ganlib_does_not_depend_on_tensorflow_so_colab_keeps_its_own():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.lower().startswith(("tensorflow", "keras")) for dep in project["dependencies"])


@pytest.mark.parametrize("nb", notebooks(), ids=lambda p: p.name)
def test_notebooks_are_stored_without_outputs_except_checked_cells(nb):
    for cell in load(nb)["cells"]:
        assert "execution" not in cell["metadata"], f"{nb.name}: execution timestamps (run tools/nbtool.py strip)"
        if cell["cell_type"] != "code":
            continue
        if "NBVAL_CHECK_OUTPUT" in source(cell):
            assert cell["outputs"], f"{nb.name}: a NBVAL_CHECK_OUTPUT cell has no stored output to compare"
        else:
            assert not cell["outputs"], f"{nb.name}: stray outputs in cell {source(cell)[:60]!r}"


@pytest.mark.parametrize("nb", notebooks(), ids=lambda p: p.name)
def test_chapter_title_exercises_and_run_time(nb):
    cells = load(nb)["cells"]
    title = source(cells[0]).strip().splitlines()[0]
    assert title.startswith("# "), f"{nb.name}: first cell must start with the chapter title"
    stem = nb.stem
    if stem in CHINESE_TITLES:
        assert CHINESE_TITLES[stem] in title, f"{nb.name}: title must keep the source's section title"
    text = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    if stem not in ("00_preface", "performance"):
        assert re.search(r"^## Exercises", text, re.M), f"{nb.name}: no Exercises section"
        assert ":class: dropdown" in text, f"{nb.name}: solutions must be hidden behind a toggle"
        assert "_runtime" in text, f"{nb.name}: the chapter must state its measured run time"
    last_code = [c for c in cells if c["cell_type"] == "code"][-1]
    assert "glue_runtime(" in source(last_code)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make book" in readme
    assert re.search(r"^make test$", ci, re.M)
