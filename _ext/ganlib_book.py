"""Sphinx extension for the book build: one execution cache per run profile.

Jupyter Book's execution cache keys on code-cell source only, so outputs computed in one run
profile (say ``smoke``, in CI) would be reused in another (the reader's ``cpu``/``gpu`` book).
This extension

* resolves the run profile once (``$GANLIB_PROFILE`` or the hardware) and exports it to the
  kernels, so every notebook in one build runs in the same profile;
* points myst-nb's cache at ``_build/.jupyter_cache/<profile>``;
* registers the profile as a config value with ``rebuild="env"``, so that Sphinx re-reads every
  page when the profile changes instead of publishing stale outputs;
* re-executes a notebook whose data files changed (the cache sees only code: the performance
  appendix reads ``ganlib/book/benchmark_results.json``, so a new ``make bench`` must not leave it stale);
* sets ``GANLIB_QUIET=1`` so training cells print a few summary lines instead of progress bars;
* points each page's Colab button at the notebook edition (``notebooks/``, made from
  ``chapters/`` by ``tools/make_edition.py``), which reads cleanly outside the HTML book;
* serves MathJax from ``_static/mathjax`` when it is there (offline rendering), else the CDN,
  and keeps MathJax's modules out of the scripts Jupyter Book adds to every page;
* builds either edition: the English book (the repository root) or the Chinese one (``zh/``,
  ``ganlib_edition = "zh"`` in its ``_config.yml``). Both share one execution cache: the Chinese
  notebooks' code cells are the English ones (``tools/zh_edition.py``), and jupyter-cache keys
  on code, so the Chinese build reuses the English build's outputs and shows the same numbers.
  Every page links to the same page in the other edition (``_build/html`` and ``_build/html/zh``).
"""

from __future__ import annotations

import os
import pathlib

TIMEOUTS = {"smoke": 600, "cpu": 3600, "gpu": 3600}
#: Each edition's source folder relative to the repository (the English book's source folder),
#: which is also its place in the English HTML.
EDITIONS = {"en": "", "zh": "zh"}


def repository(srcdir: pathlib.Path, edition: str) -> pathlib.Path:
    """The repository of an edition's source folder (``zh/`` is one level down)."""
    return srcdir.parents[len(pathlib.PurePosixPath(EDITIONS[edition]).parts) - 1] if EDITIONS[edition] else srcdir
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"


def _on_config_inited(app, config):
    from ganlib.book.profiles import profile_name

    profile = profile_name()
    os.environ["GANLIB_PROFILE"] = profile
    os.environ.setdefault("GANLIB_QUIET", "1")
    os.environ["GANLIB_BOOK_BUILD"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    config.ganlib_profile = profile
    srcdir = pathlib.Path(app.srcdir)
    edition = config.ganlib_edition
    if edition not in EDITIONS:
        raise ValueError(f"ganlib_edition must be one of {sorted(EDITIONS)}, got {edition!r}")
    repo = repository(srcdir, edition)
    if edition == "zh":
        prefer_chinese_glue()
        # Sphinx's Chinese search splits text with jieba, whose dictionary does not know the
        # book's terms (判别器 becomes 判别 + 器, and a search for 判别器 finds nothing): the
        # glossary's terms are added to it.
        terms = repo / "_build" / "zh-search-terms.txt"
        terms.parent.mkdir(parents=True, exist_ok=True)
        terms.write_text("".join(f"{t} 2000\n" for t in glossary_terms(srcdir / "chapters" / "glossary.md")),
                         encoding="utf-8")
        config.html_search_options = {**(config.html_search_options or {}), "dict": str(terms)}
    config.nb_execution_cache_path = str(repo / "_build" / ".jupyter_cache" / profile)
    config.nb_execution_timeout = TIMEOUTS[profile]
    app.ganlib_stale_notebooks = _drop_stale_cache_records(srcdir, config.nb_execution_cache_path, edition)
    subs = dict(getattr(config, "myst_substitutions", {}) or {})
    subs["profile"] = profile
    config.myst_substitutions = subs
    if not (repo / "_static" / "mathjax" / "tex-mml-chtml.js").exists():
        config.mathjax_path = MATHJAX_CDN
    # Jupyter Book adds every .js/.css file under _static to every page; MathJax's own modules
    # must not be (loaded twice they raise errors in the browser): its loader fetches them itself.
    config.html_js_files = [f for f in config.html_js_files if not _in_mathjax(f)]
    config.html_css_files = [f for f in config.html_css_files if not _in_mathjax(f)]
    # Jupyter Book adds the files of the book's own _static; the Chinese book shares the
    # repository's (html_static_path ../_static), so its language switch is added here.
    if not any(_file_name(f).endswith("language-switch.js") for f in config.html_js_files):
        config.html_js_files.append("language-switch.js")
    print(f"[ganlib_book] edition: {edition}; run profile: {profile}; execution cache: {config.nb_execution_cache_path}")


# What a notebook's outputs depend on besides its own code cells (jupyter-cache keys on those
# only): every chapter reads the stored benchmark results (its run-time line; the performance
# appendix its tables) and runs ganlib, so a change to either re-executes it.
DATA_INPUT_PATTERNS = ("ganlib/book/benchmark_results.json", "ganlib/**/*.py")


def data_inputs(srcdir: pathlib.Path, repo: pathlib.Path | None = None) -> dict[str, list[str]]:
    """notebook (relative to the book ``srcdir``) -> the input files (relative to the
    repository ``repo``, by default ``srcdir``) it depends on."""
    repo = repo or srcdir
    inputs = sorted({
        str(path.relative_to(repo))
        for pattern in DATA_INPUT_PATTERNS
        for path in (repo.glob(pattern) if "*" in pattern else [repo / pattern])
    })
    notebooks = sorted(str(p.relative_to(srcdir)) for p in (srcdir / "chapters").glob("*.ipynb"))
    return {nb: inputs for nb in notebooks}


def _input_digests(srcdir: pathlib.Path, repo: pathlib.Path) -> dict[str, str]:
    import hashlib

    current = {}
    for notebook, inputs in data_inputs(srcdir, repo).items():
        digest = hashlib.sha256()
        for name in inputs:
            path = repo / name
            digest.update(name.encode() + b"\0")  # a file added or removed counts as a change
            digest.update(path.read_bytes() if path.exists() else b"<missing>")
        current[notebook] = digest.hexdigest()
    return current


def _drop_stale_cache_records(srcdir: pathlib.Path, cache_path: str, edition: str = "en") -> set[str]:
    """Forget cached executions of notebooks whose input files changed since they were cached;
    return those notebooks (paths relative to the book).

    The English build owns the cache. The Chinese build only reads it (its notebooks' code is the
    English code, so they match the English records), and so it refuses to run on records the
    English build has not refreshed since ganlib changed: it would show stale numbers.
    """
    import json

    repo = repository(srcdir, edition)
    stamp_file = pathlib.Path(cache_path) / "ganlib-data-inputs.json"
    stamps = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    if edition != "en":
        english = {nb: h for nb, h in _input_digests(repo, repo).items() if stamps.get(nb) != h}
        if english:
            raise RuntimeError(
                f"the {edition} edition reuses the English build's executions, which are out of date "
                f"for {sorted(english)}: build the English book first (make book builds both, in order)")
    prefix = EDITIONS[edition]
    current = {str(pathlib.PurePosixPath(prefix, nb)) if prefix else nb: h
               for nb, h in _input_digests(srcdir, repo).items()}
    stale = {nb for nb, h in current.items() if stamps.get(nb) != h}
    if stale and edition == "en" and pathlib.Path(cache_path).exists():
        from jupyter_cache import get_cache

        cache = get_cache(cache_path)
        for record in cache.list_cache_records():
            if any(pathlib.Path(record.uri) == repo / nb for nb in stale):
                cache.remove_cache(record.pk)
    stamp_file.parent.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(json.dumps({**stamps, **current}))
    return {nb[len(prefix) + 1:] if prefix else nb for nb in stale}


def _outdated(app, env, added, changed, removed):
    """Make Sphinx re-read (and so re-execute) the notebooks whose data inputs changed."""
    stale = getattr(app, "ganlib_stale_notebooks", set())
    return [name.rsplit(".", 1)[0] for name in stale if name.rsplit(".", 1)[0] in env.found_docs]


def _file_name(entry) -> str:
    return str(entry[0] if isinstance(entry, (tuple, list)) else entry)


def _in_mathjax(entry) -> bool:
    return _file_name(entry).startswith("mathjax/")


def _unique_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated scripts from a page.

    sphinx-thebe and sphinx-togglebutton register their inline configuration scripts in an event
    that fires on every (re)read of the sources, so an incremental build lists them twice; a
    repeated ``const THEBE_JS_URL`` is a JavaScript error in the reader's browser.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", {}) or {}
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def _colab_opens_the_edition(app, pagename, templatename, context, doctree):
    """The theme's Colab button opens ``chapters/X.ipynb``; readers on Colab get the notebook
    edition ``notebooks/X.ipynb`` instead (plain Markdown, no MyST; see tools/make_edition.py)."""
    for group in context.get("header_buttons", []) or []:
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            url = button.get("url", "")
            if "colab.research.google.com" in url:
                button["url"] = colab_edition_url(url)


def colab_edition_url(url: str) -> str:
    """``…/blob/main/chapters/04_x.ipynb`` -> ``…/blob/main/notebooks/04_x.ipynb``."""
    head, sep, tail = url.rpartition("/chapters/")
    return head + "/notebooks/" + tail if sep else url


def prefer_chinese_glue() -> None:
    """In the Chinese build, ``{glue:text}`name``` shows ``name_zh`` when the notebook glued one.

    The Chinese notebooks run the English code, so a glued *text* (a verdict, a range, a run
    time) exists in both wordings; the prose keeps the English key and gets the Chinese words.
    Numbers have no ``_zh`` variant and are shown as glued.
    """
    from myst_nb.core.execute.base import NotebookClientBase

    from ganlib.book.notebook import ZH_SUFFIX  # glue(name, text, zh=...) glues name + ZH_SUFFIX

    if getattr(NotebookClientBase, "_ganlib_prefers_chinese", False):
        return
    english = NotebookClientBase.glue_data

    def glue_data(self):
        data = english.fget(self)
        for key in [k for k in data if k.endswith(ZH_SUFFIX)]:
            data[key[: -len(ZH_SUFFIX)]] = data[key]
        return data

    NotebookClientBase.glue_data = property(glue_data, doc=english.__doc__)
    NotebookClientBase._ganlib_prefers_chinese = True


def glossary_terms(glossary: pathlib.Path) -> list[str]:
    """The Chinese terms of the glossary's tables (first column), each run of 2+ Chinese characters."""
    import re

    if not glossary.exists():
        return []
    terms = []
    for line in glossary.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            first = line.strip("|").split("|")[0]
            terms += re.findall(r"[\u3400-\u9fff]{2,}", first)
    return sorted(set(terms))


LANGUAGE_LABELS = {"en": "English", "zh": "中文"}


def other_edition_url(pagename: str, edition: str) -> tuple[str, str]:
    """The same page in the other edition, as a link relative to this page, and its edition.

    The English book is ``_build/html``, the Chinese one ``_build/html/zh``, with the same page
    names: ``chapters/04_x`` <-> ``zh/chapters/04_x``.
    """
    up = "../" * pagename.count("/")
    if edition == "en":
        return f"{up}zh/{pagename}.html", "zh"
    return f"{up}../{pagename}.html", "en"


def _language_switch(app, pagename, templatename, context, doctree):
    """A link to the same page in the other edition, in the page header (the theme's
    ``article_header_buttons`` area, via ``_static/language-switch.js``) and as
    ``<link rel="alternate" hreflang>`` for search engines. A page the other edition does not
    have (the Chinese glossary) links to the other edition's first page."""
    edition = app.config.ganlib_edition
    url, other = other_edition_url(pagename, edition)
    srcdir = pathlib.Path(app.srcdir)
    other_src = repository(srcdir, edition) / EDITIONS[other]
    generated = pagename in ("index", "search", "genindex")
    if not generated and not any((other_src / f"{pagename}{ext}").exists() for ext in (".ipynb", ".md")):
        url, other = other_edition_url("index", edition)
        url = "../" * pagename.count("/") + url
    lang = "zh-CN" if other == "zh" else "en"
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{lang}" href="{url}" '
        f'title="{LANGUAGE_LABELS[other]}" data-ganlib-edition="{other}">')


def setup(app):
    app.add_config_value("ganlib_profile", None, "env")
    app.add_config_value("ganlib_edition", "en", "env")
    app.connect("html-page-context", _language_switch)
    app.connect("config-inited", _on_config_inited, priority=100)
    app.connect("html-page-context", _unique_scripts, priority=900)
    app.connect("html-page-context", _colab_opens_the_edition, priority=600)  # after the theme's (501)
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
