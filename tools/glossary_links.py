"""Sphinx extension: link each glossary term at its first use on a page.

The glossary (``docs/glossary.md``) defines the site's terms. A reader
meeting "tracing" or "graph break" on a gallery page should reach its
definition in one click, and writing ``{term}`...``` by hand on every page
is easy to forget. So, in the HTML build, the first occurrence of each
glossary term (or its plural) in a page's running text becomes a link to
the term; later occurrences stay plain. Text inside code, literal blocks,
headings, existing links and the glossary itself is left alone.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

#: Nodes whose text is never linked (code, headings, links, captions).
SKIP = (nodes.literal, nodes.literal_block, nodes.title, nodes.reference,
        nodes.term, nodes.raw, nodes.caption, nodes.rubric,
        nodes.doctest_block, nodes.target, nodes.field_name,
        nodes.option_string, nodes.image)


def glossary_terms(app: Sphinx) -> dict[str, tuple[str, str]]:
    """Each glossary term, lower case, -> (its document, its anchor)."""
    objects = app.env.get_domain("std").objects
    return {name.lower(): (docname, anchor)
            for (kind, name), (docname, anchor) in objects.items()
            if kind == "term"}


def _skipped(node: nodes.Node) -> bool:
    """Whether ``node`` lies in code, a heading, a link or a page's output."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP) or \
                "sphx-glr-script-out" in parent.get("classes", ()):
            return True
        parent = parent.parent
    return False


def link_first_uses(app: Sphinx, doctree: nodes.document,
                    docname: str) -> None:
    if app.builder.format != "html":
        return
    terms = glossary_terms(app)
    terms = {term: place for term, place in terms.items()
             if place[0] != docname}  # the glossary links to itself enough
    if not terms:
        return
    # longest first, so that "graph break" wins over "graph"
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(term) for term in
                          sorted(terms, key=len, reverse=True)) + r")(s?)\b",
        re.IGNORECASE)
    linked: set[str] = set()
    for text in list(doctree.findall(nodes.Text)):
        if len(linked) == len(terms):
            break
        if not isinstance(text.parent, (nodes.paragraph, nodes.emphasis,
                                        nodes.strong, nodes.entry)) or \
                _skipped(text):
            continue
        source = str(text)
        pieces: list[nodes.Node] = []
        position = 0
        for match in pattern.finditer(source):
            term = match[1].lower()
            if term in linked:
                continue
            linked.add(term)
            target_doc, anchor = terms[term]
            uri = app.builder.get_relative_uri(docname, target_doc)
            pieces.append(nodes.Text(source[position:match.start()]))
            pieces.append(nodes.reference(
                "", match[0], internal=True, refuri=f"{uri}#{anchor}",
                reftitle=f"glossary: {match[1]}",
                classes=["glossary-link"]))
            position = match.end()
        if pieces:
            pieces.append(nodes.Text(source[position:]))
            text.parent.replace(text, pieces)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", link_first_uses)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
