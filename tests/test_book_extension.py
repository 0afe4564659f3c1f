"""The book's Sphinx extension (_ext/ganlib_book.py): cache hygiene that the build relies on."""

from __future__ import annotations

import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _extension():
    spec = importlib.util.spec_from_file_location("ganlib_book", ROOT / "_ext" / "ganlib_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_with_changed_data_inputs_are_re_executed(tmp_path):
    ext = _extension()
    (tmp_path / "ganlib" / "book").mkdir(parents=True)
    (tmp_path / "chapters").mkdir()
    for name in ("performance", "01_background"):
        (tmp_path / "chapters" / f"{name}.ipynb").write_text("{}")
    results = tmp_path / "ganlib" / "book" / "benchmark_results.json"
    results.write_text('{"a": 1}')
    module = tmp_path / "ganlib" / "training.py"
    module.write_text("x = 1\n")
    cache = tmp_path / "cache"
    every = {"chapters/performance.ipynb", "chapters/01_background.ipynb"}
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == every  # never stamped
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == set()  # unchanged
    results.write_text('{"a": 2}')  # new benchmark results: every run-time line changes
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == every
    module.write_text("x = 2\n")  # library code changed: cached outputs may be wrong
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == every
    (tmp_path / "ganlib" / "book" / "new_module.py").write_text("")
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == every
    results.unlink()
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == every
    assert ext._drop_stale_cache_records(tmp_path, str(cache)) == set()


def test_cached_execution_of_a_stale_notebook_is_removed(tmp_path):
    import nbformat
    from jupyter_cache import get_cache

    ext = _extension()
    (tmp_path / "ganlib" / "book").mkdir(parents=True)
    (tmp_path / "ganlib" / "book" / "benchmark_results.json").write_text("{}")
    (tmp_path / "chapters").mkdir()
    for name in ("performance", "other"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print('{name}')")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, tmp_path / "chapters" / f"{name}.ipynb")
    cache = get_cache(str(tmp_path / "cache"))
    for name in ("performance", "other"):
        cache.cache_notebook_file(tmp_path / "chapters" / f"{name}.ipynb", check_validity=False)
    assert len(cache.list_cache_records()) == 2
    ext._drop_stale_cache_records(tmp_path, str(tmp_path / "cache"))
    uris = [pathlib.Path(r.uri).name for r in cache.list_cache_records()]
    assert uris == []  # both depend on the benchmark results and ganlib's code


def test_mathjax_modules_are_not_page_scripts():
    ext = _extension()
    assert ext._in_mathjax("mathjax/input/tex.js")
    assert ext._in_mathjax(("mathjax/ui/menu.js", {}))
    assert not ext._in_mathjax("custom.js")


def test_colab_buttons_open_the_notebook_edition():
    ext = _extension()
    context = {"header_buttons": [{"label": "launch-buttons", "buttons": [
        {"text": "Colab", "url": "https://colab.research.google.com/github/o/r/blob/main/chapters/04_x.ipynb"},
        {"text": "Binder", "url": "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/chapters/04_x.ipynb"}]}]}
    ext._colab_opens_the_edition(None, "chapters/04_x", "page.html", context, None)
    urls = [b["url"] for b in context["header_buttons"][0]["buttons"]]
    assert urls == ["https://colab.research.google.com/github/o/r/blob/main/notebooks/04_x.ipynb",
                    "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/chapters/04_x.ipynb"]
