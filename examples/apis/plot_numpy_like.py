"""
What a NumPy user already knows
===============================

The article says that NumPy-like APIs are easier to learn, because "as a
scientific python user you already know numpy API", and that define-by-run
frameworks "can be used as drop-in replacement of Numpy". This page
measures both. First, fifty expressions from the NumPy quickstart are run,
unchanged, in PyTorch, in Gluon's arrays (``mx.nd``), in MXNet's NumPy
interface (``mx.np``) and in MXNet's symbolic API (``mx.sym``): does each
name exist, and does it give NumPy's answer? Then ten ordinary NumPy
functions are handed framework arrays instead of NumPy ones: which run,
which give NumPy's answer, and which give another answer without a word.

**What you will learn**

* how much of NumPy's vocabulary carries over to each API, and which
  familiar names mean something else there;
* what happens when a NumPy function is given a PyTorch tensor or an MXNet
  array: when it works, when it converts to NumPy behind your back, and
  when it silently computes something else;
* the smallest change that makes NumPy code run on PyTorch tensors, and
  what it does not fix.

**Prerequisites**: the guide page :doc:`/guide/easier-to-learn`, which
shows the differences in default types, division and memory sharing one
at a time; this page counts them. No training, no data set.
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported, imports them and prints what the page runs on;
# ``style.use`` sets the site's look for the figures. Everything here runs
# on the CPU, where NumPy runs: the point is to compare the APIs on the
# same arrays, not the devices.

# sphinx_gallery_thumbnail_number = 2

from sidebyside import runtime, style

devices = runtime.start("mxnet", "torch")

import difflib
import inspect
import io
import os
import textwrap
import tokenize
import types
import warnings
from collections import Counter

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from mxnet import autograd

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

# %%
# Part 1: the vocabulary
# ----------------------
#
# Which NumPy to test? The `NumPy quickstart
# <https://numpy.org/doc/stable/user/quickstart.html>`_ is what NumPy
# itself teaches first, so the fifty expressions below are taken from it,
# section by section: the array attributes, array creation, the basic
# operations and reductions along an axis, the universal functions and
# the statistics of its "see also" lists, indexing, shape manipulation,
# stacking and splitting, copies and broadcasting. Most are written as the
# quickstart writes them; ``b / 2`` and ``b.mean()``, on an integer array,
# are added because every NumPy user writes them. Where the quickstart
# shows several forms of one operation, the list keeps the one its
# examples use (``a.T``, not ``np.transpose(a)``) and leaves out
# near-duplicates (``np.sqrt`` beside ``np.exp``) to stay at fifty.

EXPRESSIONS = [
    ("attributes", "a.ndim"),
    ("attributes", "a.shape"),
    ("attributes", "a.size"),
    ("creation", "np.array([2, 3, 4])"),
    ("creation", "np.zeros((3, 4))"),
    ("creation", "np.arange(10, 30, 5)"),
    ("creation", "np.arange(0, 2, 0.3)"),
    ("creation", "np.linspace(0, 2, 9)"),
    ("creation", "np.eye(3)"),
    ("operations", "a - b"),
    ("operations", "10 * np.sin(a)"),
    ("operations", "a < 5"),
    ("operations", "a @ m"),
    ("operations", "a.dot(m)"),
    ("operations", "b / 2"),
    ("operations", "a.sum()"),
    ("operations", "b.sum(axis=0)"),
    ("operations", "b.min(axis=1)"),
    ("operations", "b.cumsum(axis=1)"),
    ("functions", "np.exp(a)"),
    ("functions", "np.clip(a, 2, 8)"),
    ("functions", "a.mean(axis=0)"),
    ("functions", "b.mean()"),
    ("functions", "a.std()"),
    ("functions", "a.var(axis=0)"),
    ("functions", "np.median(a)"),
    ("functions", "a.argmax(axis=1)"),
    ("functions", "np.argsort(v)"),
    ("functions", "np.sort(v)"),
    ("functions", "np.where(a > 5, a, 0)"),
    ("functions", "np.nonzero(v > 0.5)"),
    ("functions", "(a > 5).any()"),
    ("functions", "np.outer(v, v)"),
    ("functions", "np.diff(v)"),
    ("indexing", "b[2]"),
    ("indexing", "b[::-1]"),
    ("indexing", "b[:, 1]"),
    ("indexing", "b[..., 2]"),
    ("indexing", "b[i]"),
    ("indexing", "b[a > 5]"),
    ("indexing", "v[:, np.newaxis]"),
    ("shape", "a.ravel()"),
    ("shape", "a.T"),
    ("shape", "a.reshape(3, -1)"),
    ("stacking", "np.vstack((a, b))"),
    ("stacking", "np.hstack((a, b))"),
    ("stacking", "np.concatenate((a, b), axis=1)"),
    ("splitting", "np.hsplit(a, 2)"),
    ("copies", "a.copy()"),
    ("broadcasting", "a + v"),
]
assert len(EXPRESSIONS) == 50

# %%
# The arrays the expressions use, as in the quickstart: ``a``, a 3x4 array
# of whole numbers drawn at random (``np.floor(10 * rg.random((3, 4)))``),
# ``b = np.arange(12).reshape(3, 4)``, integers, and a few others. They
# are float32 where they are floats, the type the frameworks compute in,
# so that a difference in the results is a difference in the operation,
# not in precision.

rng = np.random.default_rng(0)
arrays = {
    "a": np.floor(10 * rng.random((3, 4))).astype(np.float32),
    "b": np.arange(12).reshape(3, 4),
    "m": rng.random((4, 2)).astype(np.float32),
    "v": rng.random(4).astype(np.float32),
    "i": np.array([1, 1, 2, 0]),
}
for name, array in arrays.items():
    print(f"{name}: {array.dtype}, shape {array.shape}")

# %%
# Running one expression in every API
# -----------------------------------
#
# Each expression is evaluated with the name ``np`` bound to the
# framework's module, exactly what ``import torch as np`` would do, and
# with the arrays converted by the framework's own constructor (keeping
# their types: ``mx.nd.array`` would otherwise turn the integers into
# float32, see the guide). The result is then compared with NumPy's, and
# falls in one of five outcomes:
#
# * **same**: same shape and values (``np.allclose``), same kind of type
#   (bool, integer or float: float32 for float64 is not counted against
#   a framework);
# * **other type**: same shape and values, but another kind of type, for
#   instance 0 and 1 in float32 for a comparison NumPy answers in bools;
# * **different result**: the expression runs, but returns another shape,
#   other values or another kind of object;
# * **error**: the name exists, but does not accept NumPy's arguments;
# * **missing**: there is no such name.

OUTCOMES = ["same", "other type", "different result", "error", "missing"]
# Outcomes are not APIs, so they take the site's other colours
# (style.OTHER_COLORS): sky blue for NumPy's answer, yellow, orange and
# purple for worse and worse, black for a name that is not there.
OUTCOME_COLORS = ["#56B4E9", "#F0E442", "#E69F00", "#CC79A7", "#000000"]
assert set(OUTCOME_COLORS) <= set(style.OTHER_COLORS)


def as_numpy(value):
    """A result of any of the APIs as NumPy data; tuples and lists become
    lists (a ``torch.Size`` or a tuple of arrays alike)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, mx.nd.NDArray):  # mx.np.ndarray is one too
        return value.asnumpy()
    if isinstance(value, (tuple, list)):
        return [as_numpy(item) for item in value]
    return np.asarray(value)


def compare(expected, got, rtol=1e-5, atol=1e-6):
    """The outcome of a result that ran: same, other type or different."""
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return "different result"
        outcomes = [compare(e, g, rtol, atol) for e, g in zip(expected, got)]
        return max(outcomes, key=OUTCOMES.index)
    if isinstance(got, list) or got.shape != expected.shape:
        return "different result"
    try:
        close = np.allclose(got.astype(np.float64),
                            expected.astype(np.float64), rtol=rtol,
                            atol=atol)
    except (TypeError, ValueError):  # not numbers, e.g. a bound method
        close = False
    if not close:
        return "different result"
    if got.dtype.kind != expected.dtype.kind:
        return "other type"
    return "same"


def describe(expected, got):
    """What the reader should know about a result that is not NumPy's."""
    if isinstance(got, list) or isinstance(expected, list):
        got_what = (f"{len(got)} items" if isinstance(got, list)
                    else f"shape {got.shape}")
        expected_what = (f"{len(expected)} items"
                         if isinstance(expected, list)
                         else f"shape {expected.shape}")
        return f"{got_what}, NumPy {expected_what}"
    if got.dtype == object and got.ndim == 0:
        return f"a {type(got.item()).__name__}, not an array"
    if got.dtype == object:
        return "an array of Python objects"
    if got.shape != expected.shape:
        return f"shape {got.shape}, NumPy {expected.shape}"
    if got.dtype.kind != expected.dtype.kind:
        return f"{got.dtype}, NumPy {expected.dtype}"
    if got.size == 1:
        return f"{got.item():.4g}, NumPy {expected.item():.4g}"
    difference = np.abs(got.astype(np.float64) - expected).max()
    return f"values differ from NumPy's by up to {difference:.3g}"


def error_message(error):
    """The error's type and the first line of its message that says
    something (MXNet's messages start with a traceback of its C++ side)."""
    lines = [line.strip() for line in str(error).splitlines()]
    lines = [line.replace("MXNetError: ", "") for line in lines
             if line and not line.startswith(("Traceback", "File ", "["))]
    return (f"{type(error).__name__}: {lines[0]}" if lines
            else type(error).__name__)


def error_outcome(error, expression):
    """``missing`` when the error is the lookup of a name the expression
    uses, ``error`` for anything else; and what the error says."""
    if isinstance(error, AttributeError) and error.name is not None and (
            f".{error.name}" in expression):
        return "missing", f"no {error.name}"
    return "error", error_message(error)


def evaluate(expression, module, convert):
    """``(outcome, detail)`` of ``expression`` with ``np`` meaning
    ``module`` and each array converted by ``convert``."""
    expected = as_numpy(eval(expression, {"np": np}, dict(arrays)))
    namespace = {name: convert(array) for name, array in arrays.items()}
    try:
        got = as_numpy(eval(expression, {"np": module}, namespace))
    except Exception as error:
        return error_outcome(error, expression)
    outcome = compare(expected, got)
    return outcome, ("" if outcome == "same" else describe(expected, got))


# %%
# For MXNet's symbolic API the arrays are symbols (``mx.sym.var``) and the
# expression builds a graph; its value comes from binding the graph to the
# same arrays (``Symbol.eval`` binds and runs it in one call). An
# expression that fails when the graph is built, or when it runs, is an
# error. MXNet prints a line each time it rewrites a graph for its MKLDNN
# back-end; fifty of them would hide the output, so they are switched off.

os.environ["MXNET_SUBGRAPH_VERBOSE"] = "0"


def evaluate_symbolic(expression):
    """``(outcome, detail)`` of ``expression`` in MXNet's symbolic API."""
    expected = as_numpy(eval(expression, {"np": np}, dict(arrays)))
    variables = {name: mx.sym.var(name) for name in arrays}
    try:
        graph = eval(expression, {"np": mx.sym}, variables)
        if isinstance(graph, mx.sym.Symbol):
            bound = {name: mx.nd.array(arrays[name], dtype=arrays[name].dtype)
                     for name in graph.list_arguments()}
            outputs = graph.eval(ctx=mx_ctx, **bound)
            graph = outputs[0] if len(outputs) == 1 else outputs
        got = as_numpy(graph)
    except Exception as error:
        return error_outcome(error, expression)
    outcome = compare(expected, got)
    return outcome, ("" if outcome == "same" else describe(expected, got))


# %%
# ``mx.np`` is meant to run with ``npx.set_np()``, which switches on two
# things for the whole process: NumPy's shapes (a zero-dimensional array
# is a shape, not "unknown") and ``mx.np`` arrays in Gluon. Without the
# first, a sum or a minimum, zero-dimensional in ``mx.np``, cannot be
# combined with an array, as this deliberate error shows:

x = mx.np.array([1.0, 4.0, 6.0])
try:
    (x - x.min()).asnumpy()
except mx.MXNetError as error:
    message = str(error)
    assert "inferring shapes failed" in message, message
    print([line for line in message.splitlines() if "failed" in line][0])
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# So ``mx.np`` is evaluated with the two switches on, only around its own
# calls (``mx.util.np_shape`` and ``mx.util.np_array`` are the two flags
# that ``set_np`` sets), and the other columns keep MXNet's defaults:

with mx.util.np_shape(True), mx.util.np_array(True):
    print(f"x - x.min() = {(x - x.min()).asnumpy()}")


def evaluate_mx_np(expression):
    with mx.util.np_shape(True), mx.util.np_array(True):
        return evaluate(expression, mx.np,
                        lambda array: mx.np.array(array, dtype=array.dtype))


API_NAMES = ["MXNet symbolic", "Gluon (mx.nd)", "MXNet mx.np", "PyTorch"]
# the site's colour of each of the three APIs; mx.np, MXNet's later NumPy
# interface, is none of them and stays black in the figures
API_COLORS = {"MXNet symbolic": style.COLORS["symbolic"],
              "Gluon (mx.nd)": style.COLORS["gluon"],
              "PyTorch": style.COLORS["pytorch"]}


def color_tick_labels(tick_labels, api_names, bold=True):
    """Colour each API's tick label as the site colours that API."""
    for tick_label, api in zip(tick_labels, api_names):
        tick_label.set_color(API_COLORS.get(api, "black"))
        if bold:
            tick_label.set_fontweight("bold")

evaluators = {
    "MXNet symbolic": evaluate_symbolic,
    "Gluon (mx.nd)": lambda expression: evaluate(
        expression, mx.nd,
        lambda array: mx.nd.array(array, dtype=array.dtype)),
    "MXNet mx.np": evaluate_mx_np,
    "PyTorch": lambda expression: evaluate(expression, torch, torch.tensor),
}
results = {(expression, api): evaluators[api](expression)
           for _, expression in EXPRESSIONS for api in API_NAMES}

# %%
# The table
# ---------
#
# One row per expression, one column per API: ``ok`` is NumPy's answer,
# ``type`` the same values in another kind of type, ``DIFF`` a different
# result, ``error`` and ``-`` (missing) need another name or other
# arguments.

SHORT = {"same": "ok", "other type": "type", "different result": "DIFF",
         "error": "error", "missing": "-"}
short_names = ["mx.sym", "mx.nd", "mx.np", "torch"]
print(f"{'section':<13}{'expression':<32}"
      + "".join(f"{name:>8}" for name in short_names))
for section, expression in EXPRESSIONS:
    print(f"{section:<13}{expression:<32}"
          + "".join(f"{SHORT[results[expression, api][0]]:>8}"
                    for api in API_NAMES))

# %%
# What each API does differently, in its own words (the first line of the
# error, or what came back instead of NumPy's answer):

for api in API_NAMES:
    print(f"\n{api}:")
    for _, expression in EXPRESSIONS:
        outcome, detail = results[expression, api]
        if outcome != "same":
            print(f"  {expression:<31} {SHORT[outcome]:<6}{detail}"[:79])

# %%
# A few of these deserve a sentence, each checked against the installed
# source:
#
# * PyTorch's ``std`` and ``var`` divide by *n - 1* (Bessel's
#   correction: ``correction=1`` is the default in ``torch.std``'s
#   signature, ``torch/_torch_docs.py``), NumPy's by *n* (``ddof=0``).
#   The answer is a number, close to NumPy's, and nothing warns.
# * ``max``, ``min`` and ``sort`` along an axis return a named tuple
#   ``(values, indices)`` in PyTorch. ``a.size`` is a method, ``a.dot``
#   takes vectors only, ``a[::-1]`` is refused (no negative steps) and
#   there is no ``copy`` (``clone``).
# * ``np.median(a)`` agrees only by luck: ``a`` holds whole numbers, and
#   its two middle values are equal. ``torch.median`` returns the lower
#   of the two, NumPy their mean (below).
# * ``mx.nd`` has no zero-dimensional arrays (a sum has shape ``(1,)``),
#   answers comparisons and ``argmax`` in float32, divides integers with
#   truncation, and reads a boolean mask as a list of indices: the
#   docstring of ``NDArray.__getitem__`` (``mxnet/ndarray/ndarray.py``)
#   says "boolean array indexing is not supported", so ``b[a > 5]`` picks
#   rows 0 and 1 of ``b`` over and over, without an error.
# * A symbol has no shape and no values; ``x[i]`` picks the *i*-th output
#   of a graph, not a row, and ``+`` does not broadcast.

four = [1.0, 2.0, 3.0, 4.0]
print(f"std:    NumPy {np.std(four):.4f}, PyTorch "
      f"{torch.tensor(four).std().item():.4f}")
print(f"median: NumPy {np.median(four)}, PyTorch "
      f"{torch.tensor(four).median().item()}")
assert np.median(four) == 2.5 and torch.tensor(four).median().item() == 2.0

# %%
# The same table as a picture, and each API's count per outcome:

outcome_codes = np.array([[OUTCOMES.index(results[expression, api][0])
                           for api in API_NAMES]
                          for _, expression in EXPRESSIONS])
half = len(EXPRESSIONS) // 2
cmap = ListedColormap(OUTCOME_COLORS)
fig, axes = plt.subplots(1, 2, figsize=(style.FIGURE_WIDTH, 8.5))
for ax, rows in zip(axes, (slice(0, half), slice(half, None))):
    ax.imshow(outcome_codes[rows], cmap=cmap, vmin=-0.5,
              vmax=len(OUTCOMES) - 0.5, aspect="auto")
    ax.set_xticks(range(len(API_NAMES)), short_names, fontsize=8)
    ax.xaxis.tick_top()
    color_tick_labels([tick.label2 for tick in ax.xaxis.get_major_ticks()],
                      API_NAMES, bold=False)
    ax.set_yticks(range(half),
                  [expression for _, expression in EXPRESSIONS[rows]],
                  family="monospace", fontsize=8)
    ax.set_xticks(np.arange(len(API_NAMES) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(half + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
fig.legend(handles=[Patch(color=color, label=outcome)
                    for outcome, color in zip(OUTCOMES, OUTCOME_COLORS)],
           loc="lower center", ncol=3, frameon=False)
fig.suptitle("Fifty NumPy quickstart expressions, run unchanged")
fig.tight_layout(rect=(0, 0.07, 1, 1))
plt.show()

counts = {api: Counter(results[expression, api][0]
                       for _, expression in EXPRESSIONS)
          for api in API_NAMES}
# the outcomes' names, short enough for a table of 79 columns
count_headers = ["same", "other type", "different", "error", "missing"]
print(f"{'API':<16}" + "".join(f"{header:>12}" for header in count_headers))
for api in API_NAMES:
    print(f"{api:<16}"
          + "".join(f"{counts[api][outcome]:>12}" for outcome in OUTCOMES))

fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.0))
left = np.zeros(len(API_NAMES))
for outcome, color in zip(OUTCOMES, OUTCOME_COLORS):
    widths = np.array([counts[api][outcome] for api in API_NAMES])
    ax.barh(API_NAMES, widths, left=left, color=color, label=outcome)
    left += widths
ax.invert_yaxis()
color_tick_labels(ax.get_yticklabels(), API_NAMES)
ax.set(xlabel=f"expressions out of {len(EXPRESSIONS)}", xlim=(0, 50),
       title="How much of the NumPy quickstart each API answers as NumPy")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25),
          ncol=len(OUTCOMES), frameon=False, fontsize=9)
fig.tight_layout()
plt.show()

# %%
# What the vocabulary claim needs
# -------------------------------
#
# "You already know the API" needs most of the quickstart to carry over:
# the bar is three expressions in four giving NumPy's answer (same, or
# the same values in another kind of type). Below it, a NumPy user would
# be relearning a quarter of the first tutorial. The names alone (the
# expression runs, whatever it returns) say whether the vocabulary looks
# familiar; the results say whether it can be trusted.

from sidebyside import claims

n_expressions = len(EXPRESSIONS)


def share(api, outcomes):
    return sum(counts[api][outcome] for outcome in outcomes) / n_expressions


same_answer = {api: share(api, ["same", "other type"]) for api in API_NAMES}
name_runs = {api: share(api, ["same", "other type", "different result"])
             for api in API_NAMES}
for api in API_NAMES:
    print(f"{api:<16} NumPy's answer {same_answer[api]:4.0%}, "
          f"name runs {name_runs[api]:4.0%}")

vocabulary_checks = [
    claims.check(
        "share of the quickstart's 50 expressions giving NumPy's answer "
        "unchanged in PyTorch", same_answer["PyTorch"], ">=", 0.75,
        "the claim needs most of the vocabulary to carry over: three in "
        "four"),
    claims.check(
        "the same share in MXNet's mx.np", same_answer["MXNet mx.np"], ">=",
        0.75, "the same bar as PyTorch's"),
    claims.check(
        "the same share in Gluon's mx.nd (MXNet 1.x's array API)",
        same_answer["Gluon (mx.nd)"], "<", 0.75,
        "the array API Gluon 1.x computes with falls below the bar: the "
        "claim holds for PyTorch and mx.np, not for Gluon's own arrays"),
    claims.check(
        "expressions that run in PyTorch but give another result, without "
        "an error", counts["PyTorch"]["different result"], ">=", 3,
        "each is a familiar name that a NumPy user would trust; three or "
        "more (std, var, sort...) make the claim one with caveats"),
    claims.check(
        "the share in MXNet's symbolic API", same_answer["MXNet symbolic"],
        "<", 0.5,
        "a graph of symbols has no shapes, values or row indexing: most "
        "of the quickstart has no meaning there"),
]

# %%
# Part 2: NumPy code, handed framework arrays
# -------------------------------------------
#
# A NumPy user has functions already, written with ``np.`` calls and array
# methods. Ten ordinary ones, written as NumPy's documentation and common
# practice write them (``np.convolve`` for a moving average,
# ``np.eye(n)[labels]`` for one-hot labels), no more clever than that:


def standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def softmax(Z):
    exp = np.exp(Z - Z.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def pairwise_distances(X, Y):
    differences = X[:, np.newaxis, :] - Y[np.newaxis, :, :]
    return np.sqrt((differences ** 2).sum(axis=-1))


def kmeans_step(X, centers):
    distances = ((X[:, np.newaxis] - centers) ** 2).sum(axis=2)
    labels = distances.argmin(axis=1)
    return np.array([X[labels == k].mean(axis=0)
                     for k in range(len(centers))])


def polynomial_features(x, degree):
    return np.stack([x ** power for power in range(degree + 1)], axis=1)


def moving_average(x, window):
    return np.convolve(x, np.ones(window) / window, mode="valid")


def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


def accuracy(scores, labels):
    return (scores.argmax(axis=1) == labels).mean()


def least_squares(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y)


def min_max_scale(x):
    return (x - x.min()) / (x.max() - x.min())


# %%
# Their inputs, as NumPy makes them (float64, integer labels), and NumPy's
# answers, the reference:

X = rng.normal(size=(20, 3))
Y = rng.normal(size=(5, 3))
labels = rng.integers(0, 3, size=20)
series = rng.normal(size=12)
targets = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=20)

cases = {
    standardize: (X,),
    softmax: (X,),
    pairwise_distances: (X, Y),
    kmeans_step: (X, X[:3].copy()),
    polynomial_features: (series, 3),
    moving_average: (series, 3),
    one_hot: (labels, 3),
    accuracy: (X, labels),
    least_squares: (X, targets),
    min_max_scale: (series,),
}
expected_answers = {function: function(*args)
                    for function, args in cases.items()}
for function, answer in expected_answers.items():
    print(f"{function.__name__:<20} NumPy returns {type(answer).__name__} "
          f"of shape {np.shape(answer)}")

# %%
# Each function is then called in eight ways. *Unchanged*: the same
# function, given MXNet arrays or tensors (made by each framework's usual
# constructor, ``mx.nd.array``, ``mx.np.array`` and ``torch.tensor``);
# also with the inputs recording gradients, as they would in a model.
# *Renamed*: the same code with ``np`` meaning the framework, as if the
# file began with ``import torch as np``. ``with_np`` makes that copy of a
# function: the same compiled code, with another module behind the name.
# The ways go in the site's order, Gluon's ``mx.nd`` first and PyTorch
# last; MXNet's symbolic API has no place here, since a symbol holds no
# values to hand to a NumPy function.


def with_np(function, module):
    """``function`` with the global name ``np`` bound to ``module``."""
    return types.FunctionType(function.__code__,
                              {**function.__globals__, "np": module},
                              function.__name__, function.__defaults__)


def torch_inputs(args, requires_grad=False):
    return [torch.tensor(arg, requires_grad=requires_grad
                         and arg.dtype.kind == "f")
            if isinstance(arg, np.ndarray) else arg for arg in args]


def mx_inputs(args, make_array, attach_grad=False):
    converted = []
    for arg in args:
        if isinstance(arg, np.ndarray):
            arg = make_array(arg)
            if attach_grad and arg.dtype.kind == "f":
                arg.attach_grad()
        converted.append(arg)
    return converted


def call_torch(function, args, rename=False, requires_grad=False):
    function = with_np(function, torch) if rename else function
    return function(*torch_inputs(args, requires_grad))


def call_mx_nd(function, args, rename=False):
    function = with_np(function, mx.nd) if rename else function
    return function(*mx_inputs(args, mx.nd.array))


def call_mx_np(function, args, rename=False, record=False):
    function = with_np(function, mx.np) if rename else function
    with mx.util.np_shape(True), mx.util.np_array(True):
        inputs = mx_inputs(args, mx.np.array, attach_grad=record)
        if record:
            with autograd.record():
                return function(*inputs)
        return function(*inputs)


WAYS = {
    "mx.nd, unchanged": lambda f, args: call_mx_nd(f, args),
    "from mxnet import nd as np": lambda f, args: call_mx_nd(
        f, args, rename=True),
    "mx.np, unchanged": lambda f, args: call_mx_np(f, args),
    "mx.np, unchanged, autograd": lambda f, args: call_mx_np(
        f, args, record=True),
    "from mxnet import np": lambda f, args: call_mx_np(f, args, rename=True),
    "torch, unchanged": lambda f, args: call_torch(f, args),
    "torch, unchanged, requires_grad": lambda f, args: call_torch(
        f, args, requires_grad=True),
    "import torch as np": lambda f, args: call_torch(f, args, rename=True),
}
# the API each way belongs to, for the figure's colours
WAY_APIS = ["Gluon (mx.nd)"] * 2 + ["MXNet mx.np"] * 3 + ["PyTorch"] * 3

# %%
# A call has four possible outcomes: NumPy's answer as a framework array
# (a true drop-in), NumPy's answer as a NumPy array (NumPy converted the
# inputs behind your back: the result has left the GPU and the autograd
# graph), a different answer, or an error. The answers are compared to
# 1e-4, the rounding of float32, which ``mx.nd.array`` converts to. NumPy
# warns about some of the conversions; the warnings are counted.

DROP_IN_OUTCOMES = ["NumPy's answer", "NumPy's answer, as NumPy array",
                    "different answer", "error"]
DROP_IN_COLORS = OUTCOME_COLORS[:4]  # as above: blue best, purple worst


def try_call(way, function, args, reference=None):
    """``(outcome, detail, number of warnings)`` of one call, compared
    with NumPy's answer to ``reference`` (by default ``function``)."""
    expected = as_numpy(expected_answers[reference or function])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = WAYS[way](function, args)
        except Exception as error:
            return "error", error_message(error), len(caught)
    got = as_numpy(result)
    if compare(expected, got, rtol=1e-4, atol=1e-6) == "different result":
        return "different answer", describe(expected, got), len(caught)
    if isinstance(result, (np.ndarray, np.generic)):
        return "NumPy's answer, as NumPy array", "", len(caught)
    return "NumPy's answer", f"a {type(result).__name__}", len(caught)


drop_in = {(function, way): try_call(way, function, args)
           for function, args in cases.items() for way in WAYS}

# %%
# The results: one row per function, one column per way of calling it
# (``ok`` NumPy's answer, ``numpy`` NumPy's answer as a NumPy array,
# ``DIFF`` another answer, ``error``).

DROP_IN_SHORT = dict(zip(DROP_IN_OUTCOMES, ["ok", "numpy", "DIFF", "error"]))
way_labels = ["mx.nd", "as np", "mx.np", "+grad", "as np", "torch",
              "+grad", "as np"]
print(f"{'':<20}{'Gluon mx.nd':^13}|{'MXNet mx.np':^20}|{'PyTorch':^21}")
print(f"{'function':<20}" + "".join(f"{label:>7}" for label in way_labels))
for function in cases:
    print(f"{function.__name__:<20}"
          + "".join(f"{DROP_IN_SHORT[drop_in[function, way][0]]:>7}"
                    for way in WAYS))

# %%
# And what happened, wherever it was not NumPy's answer:

for way in WAYS:
    print(f"\n{way}:")
    for function in cases:
        outcome, detail, num_warnings = drop_in[function, way]
        if outcome != "NumPy's answer":
            warned = f" [{num_warnings} warnings]" if num_warnings else ""
            line = f"  {function.__name__:<19} {DROP_IN_SHORT[outcome]:<6}"
            print(f"{line}{detail}{warned}"[:79])

# %%
# The same, as a picture:

drop_in_codes = np.array([[DROP_IN_OUTCOMES.index(drop_in[function, way][0])
                           for way in WAYS] for function in cases])
fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 5))
ax.imshow(drop_in_codes, cmap=ListedColormap(DROP_IN_COLORS), vmin=-0.5,
          vmax=len(DROP_IN_OUTCOMES) - 0.5, aspect="auto")
way_ticks = ["mx.nd\nunchanged", "from mxnet\nimport nd\nas np",
             "mx.np\nunchanged", "mx.np\nautograd", "from mxnet\nimport np",
             "torch\nunchanged", "torch\nrequires\ngrad",
             "import\ntorch\nas np"]
ax.set_xticks(range(len(WAYS)), way_ticks, fontsize=8)
color_tick_labels(ax.get_xticklabels(), WAY_APIS)
ax.set_yticks(range(len(cases)), [function.__name__ for function in cases],
              family="monospace")
ax.set_xticks(np.arange(len(WAYS) + 1) - 0.5, minor=True)
ax.set_yticks(np.arange(len(cases) + 1) - 0.5, minor=True)
ax.grid(which="minor", color="white", linewidth=2)
ax.tick_params(which="minor", length=0)
ax.legend(handles=[Patch(color=color, label=outcome) for outcome, color
                   in zip(DROP_IN_OUTCOMES, DROP_IN_COLORS)],
          loc="upper center", bbox_to_anchor=(0.5, -0.22),
          ncol=2, frameon=False)
ax.set_title("Ten NumPy functions given framework arrays")
fig.tight_layout()
plt.show()

# %%
# Three mechanisms are at work, each in the installed source:
#
# * A NumPy function given a tensor converts it with ``Tensor.__array__``
#   (``torch/_tensor.py``), which calls ``self.numpy()``. That shares the
#   tensor's memory on the CPU, and refuses a tensor that requires grad or
#   is not on the CPU (the docstring of ``Tensor.numpy``,
#   ``torch/_tensor_docs.py``). A NumPy *ufunc* (``np.exp``, ``np.sqrt``)
#   then wraps its result back into a tensor with
#   ``Tensor.__array_wrap__``, so ``pairwise_distances`` looks like a
#   drop-in until the inputs require grad; other functions (``np.stack``,
#   ``np.convolve``, ``np.linalg.solve``) return NumPy arrays, and
#   ``np.array`` of a list of tensors makes an array of tensor objects.
# * ``mx.np.ndarray`` implements NumPy's dispatch protocols
#   (``__array_ufunc__`` and ``__array_function__`` in
#   ``mxnet/numpy/multiarray.py``): ``np.*`` runs MXNet's own operator,
#   or falls back to NumPy for one MXNet lacks and converts the result
#   back. While autograd records, the fallback is meant to raise a
#   ``ValueError``; in MXNet 1.9.1 the line that raises it calls
#   ``.format`` on the exception instead of on its message, hence the
#   ``AttributeError`` in the ``moving_average`` row.
# * ``mx.nd.NDArray`` has neither ``__array__`` nor the protocols, so
#   NumPy sees a sequence and walks it item by item, into an array of
#   Python objects, and usually fails.
#
# Where PyTorch has a GPU, a tensor on it cannot be handed to NumPy at
# all (on a machine without one, this cell prints nothing):

if torch_device.type == "cuda":  # only where there is a GPU
    try:
        np.exp(torch.ones(3, device=torch_device))
    except TypeError as error:
        print(f"On the GPU: TypeError: {error}")
    # sphinx_gallery_start_ignore
    else:
        raise AssertionError("the deliberate error did not happen")
    # sphinx_gallery_end_ignore

# %%
# The smallest change for PyTorch
# -------------------------------
#
# ``import torch as np`` is the smallest change; where it is not enough,
# what else does it take? Each function below is the original with the
# fewest edits that give NumPy's answer as a tensor; the name says which
# one it fixes. They run with ``np`` meaning ``torch``, as above.


def standardize_for_torch(X):
    return (X - X.mean(axis=0)) / X.std(axis=0, correction=0)


def softmax_for_torch(Z):
    exp = np.exp(Z - Z.amax(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def kmeans_step_for_torch(X, centers):
    distances = ((X[:, np.newaxis] - centers) ** 2).sum(axis=2)
    labels = distances.argmin(axis=1)
    return np.stack([X[labels == k].mean(axis=0)
                     for k in range(len(centers))])


def moving_average_for_torch(x, window):
    return x.unfold(0, window, 1).mean(axis=1)


def accuracy_for_torch(scores, labels):
    return (scores.argmax(axis=1) == labels).double().mean()


def body_tokens(function):
    """The tokens of a function's body: names, operators, numbers."""
    source = textwrap.dedent(inspect.getsource(function))
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    body_start = next(index for index, token in enumerate(tokens)
                      if token.type == tokenize.NEWLINE) + 1
    return [token.string for token in tokens[body_start:]
            if token.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER,
                              tokenize.STRING)]


def tokens_changed(original, edited):
    matcher = difflib.SequenceMatcher(None, body_tokens(original),
                                      body_tokens(edited), autojunk=False)
    return sum(max(i2 - i1, j2 - j1)
               for tag, i1, i2, j1, j2 in matcher.get_opcodes()
               if tag != "equal")


torch_fixes = {standardize: standardize_for_torch,
               softmax: softmax_for_torch,
               kmeans_step: kmeans_step_for_torch,
               moving_average: moving_average_for_torch,
               accuracy: accuracy_for_torch}
renamed_failures = [function for function in cases
                    if drop_in[function, "import torch as np"][0]
                    != "NumPy's answer"]
fixed_outcomes = {}
for function in renamed_failures:
    fix = torch_fixes[function]
    outcome = try_call("import torch as np", fix, cases[function],
                       reference=function)[0]
    grad_outcome = try_call("torch, unchanged, requires_grad",
                            with_np(fix, torch), cases[function],
                            reference=function)[0]
    fixed_outcomes[function] = (outcome, grad_outcome)
    print(f"{function.__name__:<20} {tokens_changed(function, fix):>2} "
          f"tokens changed: {outcome}\n{'':<24}with requires_grad: "
          f"{grad_outcome}")

# sphinx_gallery_start_ignore
# the prose below: four edits of at most four tokens, one rewrite
edit_sizes = {function: tokens_changed(function, torch_fixes[function])
              for function in renamed_failures}
assert set(renamed_failures) == set(torch_fixes), renamed_failures
assert [function for function, size in edit_sizes.items() if size > 4] == [
    moving_average], edit_sizes
# sphinx_gallery_end_ignore

# %%
# Four edits of one to four tokens, and one rewrite: PyTorch has no
# ``convolve`` (``torch.nn.functional.conv1d`` is a layer's convolution,
# with another signature), so the moving average becomes a mean over
# sliding windows. Each edit is easy once known; the point is that
# ``standardize`` gives no sign that it needs one.


# %%
# What the drop-in claim needs
# ----------------------------
#
# A drop-in replacement runs the user's NumPy code and gives NumPy's
# answers, as the framework's arrays (or it is not a replacement, just a
# conversion). Every count below is out of the ten functions.


def count(way, outcomes):
    return sum(drop_in[function, way][0] in outcomes for function in cases)


n_functions = len(cases)
drop_in_counts = {way: count(way, ["NumPy's answer"]) for way in WAYS}
for way, number in drop_in_counts.items():
    print(f"{way:<32} NumPy's answer as framework arrays: "
          f"{number}/{n_functions}")

drop_in_checks = [
    claims.check(
        "functions giving NumPy's answer as tensors after 'import torch "
        "as np'", drop_in_counts["import torch as np"], "<", n_functions,
        "a drop-in replacement runs all ten; one that does not is enough "
        "to refute 'drop-in'"),
    claims.check(
        "functions giving NumPy's answer in the best of the eight ways of "
        "calling them",
        max(drop_in_counts.values()), "<", n_functions,
        "a drop-in needs all ten in at least one way; none gets there, "
        "MXNet's mx.np comes closest"),
    claims.check(
        "functions that silently give another answer with 'import torch "
        "as np'",
        count("import torch as np", ["different answer"]), ">=", 1,
        "one answer that is wrong without an error makes a replacement "
        "unsafe: there is nothing to look for"),
    claims.check(
        "unchanged functions that return NumPy arrays when given CPU "
        "tensors", count("torch, unchanged",
                         ["NumPy's answer, as NumPy array"]), ">=", 1,
        "each one leaves PyTorch without saying so: no GPU, no autograd"),
    claims.check(
        "unchanged functions that fail once the tensors record gradients",
        count("torch, unchanged, requires_grad", ["error"]), ">",
        count("torch, unchanged", ["error"]),
        "the same code that ran on plain tensors stops working in a "
        "model, where the inputs record gradients"),
    claims.check(
        "functions that the page's edits, one line each, fix for PyTorch",
        sum(outcome == "NumPy's answer"
            for outcome, _ in fixed_outcomes.values()),
        "==", len(renamed_failures),
        "every failure has a small known fix: PyTorch is NumPy-like, just "
        "not a drop-in"),
]

# sphinx_gallery_start_ignore
# what the prose and the ledger's evidence name
best_way = max(drop_in_counts, key=drop_in_counts.get)
assert "mx" in best_way and "np" in best_way, best_way
assert [function for function in cases
        if drop_in[function, "import torch as np"][0] == "different answer"
        ] == [standardize]
assert drop_in_counts["import torch as np"] == n_functions // 2
# sphinx_gallery_end_ignore

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entries:

claims.record(
    "apis/plot_numpy_like", "numpy-like", "holds with caveats",
    f"{same_answer['PyTorch']:.0%} of 50 NumPy quickstart expressions give "
    f"NumPy's answer unchanged in PyTorch and "
    f"{same_answer['MXNet mx.np']:.0%} in mx.np, but only "
    f"{same_answer['Gluon (mx.nd)']:.0%} in Gluon's mx.nd; "
    f"{counts['PyTorch']['different result']} familiar PyTorch names "
    "(size, min along an axis, std, var, sort, nonzero) silently return "
    "something else.", vocabulary_checks)
claims.record(
    "apis/plot_numpy_like", "numpy-drop-in", "does not hold",
    f"of ten ordinary NumPy functions, "
    f"{drop_in_counts['import torch as np']} give NumPy's answer as "
    f"tensors after 'import torch as np', at best "
    f"{max(drop_in_counts.values())} in any API; standardize silently "
    "divides by n - 1, and unchanged functions fall back to NumPy arrays "
    "or fail on tensors that record gradients.", drop_in_checks)

# %%
# Takeaways
# ---------
#
# * A NumPy user reads PyTorch and ``mx.np`` at first sight: most of the
#   quickstart runs there unchanged. Gluon's ``mx.nd``, the array API of
#   MXNet 1.x, keeps the common names but changes types and shapes, and
#   the symbolic API shares only the names of its operators.
# * The familiar names that mean something else are the risk: PyTorch's
#   ``std``, ``median`` or ``min(axis=...)``, ``mx.nd``'s boolean mask.
#   Knowing NumPy makes these APIs quick to learn, not safe to guess.
# * Not a drop-in: NumPy code handed tensors converts them to NumPy where
#   it can (off the GPU, out of autograd) and fails where it cannot;
#   after ``import torch as np``, half of the ten give NumPy's answer
#   and ``standardize`` gives another without a word. ``mx.np`` comes
#   closest, by design.
# * Next: :ref:`sphx_glr_auto_examples_apis_plot_learn_one.py` asks the
#   same question of whole programs: how alike are Gluon and PyTorch?
