"""The rendered book as readers see it: built by Jupyter Book, driven in headless Chromium.

The book is built once per test session in the ``smoke`` profile into ``_build/smoke`` (a
separate output folder, so a reader's ``make book`` output in ``_build/html`` is never touched),
with warnings treated as errors, in both editions: the Chinese one (``zh/``) goes to
``_build/smoke/_build/html/zh``, as ``make book`` puts it next to the English one. Then a real Chromium (Debian's package, driven by Playwright)
opens every page of ``_toc.yml`` and checks what a reader would notice. Screenshots go to
``_build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request

import pytest

from test_book_structure import resolve, toc_files

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "smoke"
HTML = OUT / "_build" / "html"
ZH_OUT = ROOT / "_build" / "smoke-zh"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def built_book():
    """Build the whole book (executing every notebook in the smoke profile), warnings = errors."""
    env = dict(os.environ, GANLIB_PROFILE="smoke", GANLIB_QUIET="1", TF_CPP_MIN_LOG_LEVEL="2")
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    for name, out, src in (("smoke-build", OUT, ROOT), ("smoke-build-zh", ZH_OUT, ROOT / "zh")):
        proc = subprocess.run(
            [str(jb), "build", "-W", "-n", "--keep-going", "--path-output", str(out), str(src)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600,
        )
        log = proc.stdout + proc.stderr
        (ROOT / "_build").mkdir(exist_ok=True)
        (ROOT / "_build" / f"{name}.log").write_text(log)
        assert proc.returncode == 0, f"{name} failed (warnings are errors):\n" + log[-6000:]
    shutil.rmtree(HTML / "zh", ignore_errors=True)
    shutil.copytree(ZH_OUT / "_build" / "html", HTML / "zh")
    return HTML


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The browser cancels requests it no longer needs (a page navigated away): not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail(
            "Chromium is not installed: the browser tests need Debian's 'chromium' package "
            "(`make test` installs it with .ci/install-chromium; or run `apt-get install chromium`)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


def pages() -> list[str]:
    return [str(resolve(e).relative_to(ROOT).with_suffix(".html")) for e in toc_files()]


def zh_pages() -> list[str]:
    return [str(resolve(e, ROOT / "zh").relative_to(ROOT).with_suffix(".html")) for e in toc_files(ROOT / "zh")]


def test_build_has_no_warnings_and_every_page_exists(built_book):
    for page in pages() + zh_pages():
        assert (built_book / page).exists(), page
    assert (built_book / "index.html").exists()
    assert (built_book / "zh" / "index.html").exists()
    # every English page has its Chinese page (the glossary is the Chinese edition's addition)
    assert {p for p in pages()} <= {p.removeprefix("zh/") for p in zh_pages()}


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, errors


def test_chinese_edition_shows_the_english_runs(built_book):
    """The Chinese build executes nothing: every notebook comes from the English build's cache
    (its code cells are the English ones), so both editions show the numbers of the same runs."""
    from jupyter_cache import get_cache

    assert "Executed notebook" not in (ROOT / "_build" / "smoke-build-zh.log").read_text()
    records = get_cache(str(ROOT / "_build" / ".jupyter_cache" / "smoke")).list_cache_records()
    executed = {pathlib.Path(r.uri).relative_to(ROOT).parts[0] for r in records}
    assert executed == {"chapters"}, f"notebooks executed outside chapters/: {executed}"
    html = (built_book / "zh" / "chapters" / "04_code_walkthrough.html").read_text()
    assert "cell_output" in html  # the outputs are there, from the English runs


@pytest.mark.parametrize("path", pages() + zh_pages())
def test_page_renders_for_a_reader(browser, server, path):
    page, errors = _open(browser, f"{server}/{path}")
    try:
        # Math: wait for MathJax, then no raw TeX delimiters may remain.
        has_math = page.evaluate("document.querySelectorAll('.math, span.math, div.math').length > 0")
        if has_math:
            page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=20000)
            body = page.inner_text("article")
            assert "$$" not in body and "\\[" not in body, f"{path}: raw TeX left in the page"
        # Images: every <img> decoded with a real size.
        page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=20000)
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == [], f"{path}: images that did not load: {broken}"
        notebook = (ROOT / path).with_suffix(".ipynb").exists()
        if notebook:
            # Executed code cells show their outputs.
            n_inputs = page.evaluate("document.querySelectorAll('div.cell_input').length")
            n_outputs = page.evaluate("document.querySelectorAll('div.cell_output').length")
            assert n_inputs > 0 and n_outputs > 0, f"{path}: code cells without outputs"
            # The Colab launch link opens this chapter's notebook edition (notebooks/, plain Markdown).
            hrefs = page.evaluate(
                "Array.from(document.querySelectorAll('a[href*=\"colab.research.google.com\"]')).map(a => a.href)"
            )
            edition = "zh/notebooks/" if path.startswith("zh/") else "notebooks/"
            target = "/blob/main/" + edition + pathlib.Path(path).with_suffix(".ipynb").name
            assert any(h.endswith(target) for h in hrefs), f"{path}: no Colab link to {target}: {hrefs}"
            assert (ROOT / edition / pathlib.Path(path).with_suffix(".ipynb").name).exists()
        # The same page in the other edition is one click away.
        switch = page.locator("a.ganlib-language-switch")
        assert switch.count() == 1, f"{path}: no language switch"
        other = urllib.parse.urljoin(f"{server}/{path}", switch.get_attribute("href"))
        urllib.request.urlopen(other, timeout=10).close()
        expected = path.removeprefix("zh/") if path.startswith("zh/") else "zh/" + path
        if not (HTML / expected).exists():  # a page only one edition has (the glossary): the other's start
            expected = "index.html" if path.startswith("zh/") else "zh/index.html"
        assert other == f"{server}/{expected}", f"{path}: the language switch opens {other}"
        if path.startswith("zh/"):
            assert not _renders_as_missing_glyphs(page), f"{path}: Chinese text renders as empty boxes"
        # Hidden solutions open on click.
        toggles = page.locator(".admonition.dropdown button.toggle-button")
        for i in range(toggles.count()):
            admonition = page.locator(".admonition.dropdown").nth(i)
            assert "toggle-hidden" in (admonition.get_attribute("class") or ""), f"{path}: solution {i} not hidden"
            toggles.nth(i).click()
            page.wait_for_function(
                "el => !el.classList.contains('toggle-hidden')", arg=admonition.element_handle(), timeout=5000
            )
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = ("zh-" if path.startswith("zh/") else "") + pathlib.Path(path).stem + ".png"
        page.screenshot(path=str(SHOTS / shot), full_page=True)
        assert errors == [], f"{path}: JavaScript errors: {errors}"
    finally:
        page.close()


def _renders_as_missing_glyphs(page) -> bool:
    """Whether the article's font draws Chinese text exactly as it draws characters no font has
    (private-use code points, drawn as empty boxes): then the reader sees boxes, not glyphs."""
    return page.evaluate("""() => {
        const font = getComputedStyle(document.querySelector('article') || document.body).font;
        const draw = text => {
            const c = document.createElement('canvas'); c.width = 200; c.height = 40;
            const g = c.getContext('2d'); g.font = font; g.fillText(text, 2, 30);
            return Array.from(g.getImageData(0, 0, 200, 40).data).join(',');
        };
        return draw('模式崩溃') === draw('\\u{F0001}\\u{F0002}\\u{F0003}\\u{F0004}');
    }""")


@pytest.mark.parametrize("path", pages() + zh_pages())
def test_internal_links_resolve(server, built_book, path):
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hrefs = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and a.get("href"):
                self.hrefs.append(a["href"])
            if tag in ("img", "script") and a.get("src"):
                self.hrefs.append(a["src"])
            if tag == "link" and a.get("href"):
                self.hrefs.append(a["href"])

    parser = Links()
    parser.feed((built_book / path).read_text())
    base = f"{server}/{path}"
    missing = []
    for href in parser.hrefs:
        url = urllib.parse.urljoin(base, href)
        if not url.startswith(server):
            continue  # external links need a network: not checked here
        url = url.split("#")[0]
        try:
            urllib.request.urlopen(url, timeout=10).close()
        except Exception as exc:  # noqa: BLE001
            missing.append(f"{href} ({exc})")
    assert missing == [], f"{path}: broken internal links: {missing}"


def test_search_finds_pages(browser, server):
    page, errors = _open(browser, f"{server}/search.html?q=discriminator")
    try:
        page.wait_for_selector("ul.search li", timeout=20000)
        assert page.locator("ul.search li").count() >= 3
        page.screenshot(path=str(SHOTS / "search.png"))
    finally:
        page.close()


@pytest.mark.parametrize("query, page_name", [("模式崩溃", "06_challenges"), ("弗雷歇", "05a_evaluating_generators"),
                                              ("判别器", "02_core_concepts")])
def test_chinese_search_finds_the_page(browser, server, query, page_name):
    """Sphinx's Chinese search splits words with jieba: a Chinese term finds the page about it."""
    page, errors = _open(browser, f"{server}/zh/search.html?q={urllib.parse.quote(query)}")
    try:
        page.wait_for_selector("ul.search li", timeout=20000)
        hits = page.evaluate("Array.from(document.querySelectorAll('ul.search li a')).map(a => a.href)")
        assert any(page_name in h for h in hits), f"{query}: {hits}"
        page.screenshot(path=str(SHOTS / f"search-zh-{page_name}.png"))
        assert errors == [], errors
    finally:
        page.close()


def test_numbered_figures_and_equations(browser, server):
    """Figures and equations carry numbers a reader can refer to."""
    page, _ = _open(browser, f"{server}/chapters/03_algorithm_and_losses.html")
    try:
        assert page.locator("span.caption-number").count() >= 1
        assert page.locator("span.eqno").count() >= 1
    finally:
        page.close()


def test_notebook_edition_numbers_match_the_html(built_book):
    """The notebook edition (tools/make_edition.py) computes figure, equation and section numbers
    the way Sphinx does; here they are compared with the numbers the HTML book shows."""
    import re
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import make_edition

    book = make_edition.Book(ROOT)
    patterns = {
        "figure": (r'id="{label}".*?caption-number">Fig\. ([\d.]+) <', "{number}"),
        "equation": (r'id="equation-{label}">\s*<span class="eqno">\(([\d.]+)\)', "{number}"),
        "section": (r'id="{label}".*?section-number">([\d.]+)\. <', "{number}"),
    }
    checked = {kind: 0 for kind in patterns}
    mismatches = []
    for label, target in book.labels.items():
        if target.kind == "section" and not target.number:
            continue
        page = built_book / target.page.path.relative_to(ROOT).with_suffix(".html")
        pattern = patterns[target.kind][0].format(label=re.escape(label))
        m = re.search(pattern, page.read_text(), re.S)
        shown = m.group(1) if m else None
        if shown != target.number:
            mismatches.append(f"{label}: HTML {shown}, edition {target.number}")
        checked[target.kind] += 1
    assert mismatches == [], mismatches
    assert checked["figure"] >= 20 and checked["equation"] >= 10, checked
