"""Unit tests of sidebyside.style: one colour, marker and order per API."""

import pytest

from sidebyside import style


def test_every_api_has_its_own_colour_and_marker():
    assert len({style.COLORS[api] for api in style.ORDER}) == 3
    assert len({style.MARKERS[api] for api in style.ORDER}) == 3
    # no colour means an API and something else
    assert not set(style.COLORS.values()) & set(style.OTHER_COLORS)


def test_line_and_patch_give_plotting_keywords():
    assert style.line("gluon") == {"color": style.COLORS["gluon"],
                                   "marker": "^", "label": "Gluon"}
    assert style.patch("pytorch")["label"] == "PyTorch"


def test_an_unknown_api_is_refused():
    with pytest.raises(ValueError, match="unknown API 'torch'"):
        style.line("torch")


def test_use_sets_the_figure_width():
    import matplotlib

    style.use()
    assert matplotlib.rcParams["figure.figsize"][0] == style.FIGURE_WIDTH
