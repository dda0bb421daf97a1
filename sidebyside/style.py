"""One look for the three APIs, on every page and in every figure.

The site shows the same things in the same order everywhere: the guide's
tabs, each gallery page's sections and each figure's legend go MXNet
symbolic, Gluon, PyTorch (the history of the styles: graph first, then
the hybrid, then define-by-run). Each API keeps one colour and one marker
(the Okabe-Ito palette, which colour-blind readers can tell apart)::

    from sidebyside import style
    for api in style.ORDER:
        axis.plot(steps, losses[api], **style.line(api))

Series that are not APIs (batch sizes, configurations of one API) use
:data:`OTHER_COLORS`, so that no colour means two things on one site.
:func:`use` sets Matplotlib's defaults for the site's figures: sized to
the content width of the site at :data:`DPI`, with fonts that stay
readable there. The site's build saves each figure a second time at
twice that resolution for high-density screens (sphinx-gallery's
``image_srcset``), and a click on a figure opens it at full size.
"""

from __future__ import annotations

#: The reading order of the three APIs (the guide's tab order).
ORDER = ("symbolic", "gluon", "pytorch")

#: How the site names each API.
LABELS = {"symbolic": "MXNet symbolic", "gluon": "Gluon",
          "pytorch": "PyTorch"}
#: Each API's colour (Okabe-Ito).
COLORS = {"symbolic": "#0072B2",  # blue
          "gluon": "#009E73",     # bluish green
          "pytorch": "#D55E00"}   # vermillion
#: Each API's marker.
MARKERS = {"symbolic": "s", "gluon": "^", "pytorch": "o"}

#: Colours for series that are not one of the three APIs.
OTHER_COLORS = ("#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")

#: Width of the site's content column in inches, at :data:`DPI`.
FIGURE_WIDTH = 8.0
#: Resolution of a figure as shown (the build also saves it at twice that).
DPI = 100


def _check(api: str) -> None:
    if api not in COLORS:
        raise ValueError(f"unknown API {api!r}: use one of {ORDER}")


def line(api: str) -> dict:
    """Keyword arguments for ``plot``: the API's colour, marker, label."""
    _check(api)
    return {"color": COLORS[api], "marker": MARKERS[api],
            "label": LABELS[api]}


def patch(api: str) -> dict:
    """Keyword arguments for ``bar`` or ``scatter``: colour and label."""
    _check(api)
    return {"color": COLORS[api], "label": LABELS[api]}


def use() -> None:
    """Matplotlib defaults for the site's figures (see the module's notes)."""
    import matplotlib

    matplotlib.rcParams.update({
        "figure.figsize": (FIGURE_WIDTH, FIGURE_WIDTH * 0.5),
        "figure.dpi": DPI,
        "font.size": 11,
        "axes.titlesize": 12,
        "legend.fontsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=list(OTHER_COLORS)),
    })
