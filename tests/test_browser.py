"""The built site as a reader meets it, in headless Chromium.

The site is served on the loopback address and every page is opened in
Debian's Chromium (``/usr/bin/chromium``), driven by Playwright: no
JavaScript error, every image loads, nothing is asked of any other host
(math, search and fonts all ship with the site), search finds "LeNet",
tabs stay in sync across a page and the next, the sidebar files each
gallery page under its own topic, and a code block's copy button copies
its code without the ``>>>`` prompts. ``make test`` installs Chromium
(``apt-get install chromium``) where it is missing.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium's own background traffic is off, so that every request a page
# makes is the page's (see the note in the machine's documentation).
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


@pytest.fixture(scope="module")
def site(html_build):
    """The built site, served on 127.0.0.1; yields its base URL."""
    assert (HTML / "index.html").is_file(), "the site was not built"
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(site):
    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} is missing: `apt-get install chromium` (make test "
        "installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, site):
    """A fresh browser profile that refuses, and records, every request
    to a host other than the site's."""
    context = browser.new_context()
    context.outside_requests = []

    def route(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            context.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


def pages() -> list[str]:
    """Every HTML page of the built site, relative to its root."""
    return sorted(path.relative_to(HTML).as_posix()
                  for path in HTML.rglob("*.html")
                  if not path.relative_to(HTML).parts[0].startswith("_"))


#: Pages loading at once in the first test: each waits for half a second
#: without requests (Playwright's "networkidle", which catches what a page
#: fetches after it has loaded), and those waits overlap.
AT_ONCE = 4


def test_every_page_loads_cleanly(context, site):
    found = pages()
    assert len(found) > 20, found
    problems = {}

    def open_page(name):
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" else None)
        page.on("requestfailed", lambda request: errors.append(
            f"failed: {request.url}")
            if urlparse(request.url).hostname == "127.0.0.1" else None)
        # returns once the page's response has come; it loads on meanwhile
        page.goto(site + name, wait_until="commit")
        return name, page, errors

    for start in range(0, len(found), AT_ONCE):
        for name, page, errors in [open_page(name)
                                   for name in found[start:start + AT_ONCE]]:
            page.wait_for_load_state("load")
            page.wait_for_load_state("networkidle")
            broken = page.evaluate("""() => Array.from(document.images)
                .filter(image => !(image.complete && image.naturalWidth > 0))
                .map(image => image.currentSrc || image.src)""")
            if broken:
                errors.append(f"images that did not load: {broken}")
            if errors:
                problems[name] = errors
            page.close()
    print(f"{len(found)} pages opened, {AT_ONCE} at a time")
    assert problems == {}
    assert context.outside_requests == []


def test_math_is_rendered_from_the_site(context, site):
    # MathJax ships with the site; a formula is typeset, not raw TeX
    math_pages = [name for name in pages()
                  if 'class="math' in (HTML / name).read_text()]
    assert math_pages, "no page has math"
    page = context.new_page()
    page.goto(site + math_pages[0], wait_until="networkidle")
    page.wait_for_selector("mjx-container", timeout=20_000)
    assert page.locator("mjx-container").count() >= 1
    assert context.outside_requests == []


def test_search_finds_lenet(context, site):
    page = context.new_page()
    page.goto(site + "search.html?q=LeNet", wait_until="networkidle")
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    results = page.locator("#search-results ul.search li a").all_inner_texts()
    print(f"search for LeNet: {len(results)} results, first {results[:3]}")
    assert any("LeNet" in title for title in results), results


def _chosen_tabs(page) -> list[str]:
    """The synced tab chosen in each tab set of a page."""
    return page.evaluate("""() => Array.from(
        document.querySelectorAll('.sd-tab-set')).map(set => {
            const input = set.querySelector('input:checked');
            const label = input && input.nextElementSibling;
            return label ? label.getAttribute('data-sync-id') : null;
        })""")


def test_choosing_pytorch_switches_every_tab_set_and_stays_chosen(context,
                                                                  site):
    tabbed = [name for name in pages()
              if name.startswith("guide/")
              and (HTML / name).read_text().count('data-sync-id="pytorch"')
              >= 2]
    assert len(tabbed) >= 2, tabbed
    page = context.new_page()
    page.goto(site + tabbed[0], wait_until="networkidle")
    page.locator('label[data-sync-id="pytorch"]').first.click()
    chosen = [tab for tab in _chosen_tabs(page) if tab]
    assert chosen and set(chosen) == {"pytorch"}, chosen
    page.goto(site + tabbed[1], wait_until="networkidle")
    chosen = [tab for tab in _chosen_tabs(page) if tab]
    assert chosen and set(chosen) == {"pytorch"}, (tabbed[1], chosen)


def test_sidebar_files_each_gallery_page_under_its_topic(context, site):
    gallery_pages = [name for name in pages()
                     if name.startswith("auto_examples/")
                     and name.count("/") == 2]
    assert gallery_pages
    page = context.new_page()
    for name in gallery_pages:
        page.goto(site + name, wait_until="load")
        # the current page, and the sidebar entry it hangs under
        current = page.locator(".wy-menu-vertical li.current > a").all()
        trail = [link.inner_text() for link in current]
        title = page.evaluate("""() => {
            const heading = document.querySelector('h1').cloneNode(true);
            heading.querySelectorAll('a.headerlink').forEach(
                link => link.remove());
            return heading.innerText.trim()}""")
        assert len(trail) == 3, (name, trail)
        assert trail[0] == "Gallery", (name, trail)
        assert trail[2] == title, (name, trail, title)
        topic_folder = name.split("/")[1]
        topic_title = (ROOT / "examples" / topic_folder /
                       "GALLERY_HEADER.rst").read_text().splitlines()[0]
        assert trail[1] == topic_title, (name, trail)


def test_copy_button_copies_code_without_prompts(browser, site):
    context = browser.new_context(
        permissions=["clipboard-read", "clipboard-write"])
    prompted = [name for name in pages()
                if name.startswith("guide/")
                and "&gt;&gt;&gt; " in (HTML / name).read_text()]
    assert prompted, "no page has a >>> block"
    page = context.new_page()
    page.goto(site + prompted[0], wait_until="networkidle")
    block = page.locator("div.highlight", has_text=">>> ").first
    block.hover()
    block.locator("button.copybtn").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    shown = block.inner_text()
    print(f"copied from {prompted[0]}:\n{copied}")
    assert copied.strip(), "nothing was copied"
    assert ">>>" not in copied and "..." not in copied.split("\n")[0]
    first_line = next(line for line in shown.splitlines()
                      if line.startswith(">>> "))
    assert first_line[4:] in copied
    context.close()
