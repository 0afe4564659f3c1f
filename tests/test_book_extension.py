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


def test_chinese_build_shows_the_chinese_wording_of_glued_texts(monkeypatch):
    from myst_nb.core.execute.base import NotebookClientBase

    ext = _extension()
    monkeypatch.setattr(NotebookClientBase, "glue_data", NotebookClientBase.glue_data)  # restored after the test
    monkeypatch.setattr(NotebookClientBase, "_ganlib_prefers_chinese", False, raising=False)
    ext.prefer_chinese_glue()
    ext.prefer_chinese_glue()  # idempotent
    client = NotebookClientBase.__new__(NotebookClientBase)  # only its glue data is used here
    client._glue_data = {"runtime": "about 3 minutes", "runtime_zh": "约 3 分钟", "fid": 12.5}
    assert client.glue_data["runtime"] == "约 3 分钟" and client.glue_data["fid"] == 12.5


def test_language_switch_links_the_same_page_in_the_other_edition():
    ext = _extension()
    assert ext.other_edition_url("chapters/04_code_walkthrough", "en") == ("../zh/chapters/04_code_walkthrough.html", "zh")
    assert ext.other_edition_url("chapters/04_code_walkthrough", "zh") == ("../../chapters/04_code_walkthrough.html", "en")
    assert ext.other_edition_url("index", "en") == ("zh/index.html", "zh")
    assert ext.other_edition_url("search", "zh") == ("../search.html", "en")


def test_chinese_build_refuses_out_of_date_english_executions(tmp_path):
    import json

    import pytest

    ext = _extension()
    (tmp_path / "ganlib").mkdir()
    (tmp_path / "ganlib" / "training.py").write_text("x = 1\n")
    for book in (tmp_path, tmp_path / "zh"):
        (book / "chapters").mkdir(parents=True)
        (book / "chapters" / "01_background.ipynb").write_text("{}")
    cache = tmp_path / "cache"
    ext._drop_stale_cache_records(tmp_path, str(cache))  # the English build stamps its records
    assert ext._drop_stale_cache_records(tmp_path / "zh", str(cache), "zh") == {"chapters/01_background.ipynb"}
    assert "zh/chapters/01_background.ipynb" in json.loads((cache / "ganlib-data-inputs.json").read_text())
    (tmp_path / "ganlib" / "training.py").write_text("x = 2\n")  # ganlib changed, English not rebuilt
    with pytest.raises(RuntimeError, match="build the English book first"):
        ext._drop_stale_cache_records(tmp_path / "zh", str(cache), "zh")
    ext._drop_stale_cache_records(tmp_path, str(cache))
    assert ext._drop_stale_cache_records(tmp_path / "zh", str(cache), "zh") == {"chapters/01_background.ipynb"}
