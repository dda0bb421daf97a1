"""
Recursion over trees
====================

The source article says that iteration and recursion are plain Python in
a define-by-run network, and "look very different" in a graph. The two
loop pages tested iteration; this one tests recursion, on a network that
encodes binary trees of digits, so that trees of different shapes are
different networks. In Gluon and PyTorch the recursion is a function that
calls itself, run at every call. The page writes it in MXNet's symbolic
API and compiles it with ``torch.compile``, and counts what each makes of
it: how many graphs, and how many layers each holds.

**What you will learn**

* that a graph builder runs a recursion once, when it builds the graph,
  and unrolls it into one graph per tree shape;
* that MXNet's control-flow operators (``foreach``, ``while_loop``,
  ``cond``) cannot express a recursion;
* what ``torch.compile`` does with a recursive ``forward``.

**Prerequisites**: :ref:`sphx_glr_auto_examples_debugging_plot_loops.py`
and :ref:`sphx_glr_auto_examples_debugging_plot_value_loops.py`, where
loops meet the same limits, and which introduce the graph-counting
backend used here. The digits are real (MNIST, from
``$SIDEBYSIDE_DATA``) but nothing is trained: the weights are random,
seeded, and copied from Gluon to the other APIs, which must then compute
the same numbers.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported and prints what the page runs on. MXNet runs on the
# CPU; PyTorch uses a GPU when there is one. The imperative recursion
# comes first on this page, not the symbolic API as elsewhere on this
# site: it is written once as Python, and then as graphs, checked against
# it.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import ast
import inspect
import json
import textwrap
from collections import Counter

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist, read_idx

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch
# PyTorch computes float32 matrix products in float32 by default, as the
# comparisons with MXNet need.
assert not torch.backends.cuda.matmul.allow_tf32

# %%
# The settings, and five digits, read once with NumPy and handed to each
# framework, so that all three see the same numbers.

seed = 0
num_hidden = 32
num_digits = 5

mnist = ensure_mnist()
digits = read_idx(mnist.test_images)[:num_digits].astype(np.float32) / 255
print(f"{len(digits)} test digits of {digits.shape[1]}x{digits.shape[2]}")


def operator_counts(graph):
    """An MXNet symbol's operators, by kind."""
    return Counter(node["op"] for node in json.loads(graph.tojson())
                   ["nodes"] if node["op"] != "null")


def to_torch_state(weights):
    """Gluon's ``leaf_weight`` is PyTorch's ``leaf.weight``."""
    return {".".join(name.rsplit("_", 1)): torch.from_numpy(w.asnumpy())
            for name, w in weights.items()}


# %%
# The recursion in Gluon and PyTorch
# ----------------------------------
#
# The network encodes a binary tree whose leaves are digits: a leaf is a
# dense layer applied to its digit, an inner node a dense layer applied
# to its two children's codes, side by side. Trees of different shapes
# are different networks. In Gluon and PyTorch the recursion is a
# function that calls itself; a forward hook on the combining layer
# counts its calls.

trees = (((0, 1), 2), ((0, 1), (2, 3)), (0, (1, (2, (3, 4)))))


class GluonTreeNet(gnn.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.leaf = gnn.Dense(num_hidden, in_units=784, activation="tanh",
                              prefix="leaf_")
        self.combine = gnn.Dense(num_hidden, in_units=2 * num_hidden,
                                 activation="tanh", prefix="combine_")

    def forward(self, tree, X):
        if isinstance(tree, int):
            return self.leaf(X[tree:tree + 1])
        left, right = tree
        return self.combine(mx.nd.concat(self(left, X), self(right, X)))


class TorchTreeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.leaf = nn.Linear(784, num_hidden)
        self.combine = nn.Linear(2 * num_hidden, num_hidden)

    def forward(self, tree, X):
        if isinstance(tree, int):
            return torch.tanh(self.leaf(X[tree:tree + 1]))
        left, right = tree
        children = torch.cat([self(left, X), self(right, X)], dim=1)
        return torch.tanh(self.combine(children))


mx.random.seed(seed)
gluon_tree = GluonTreeNet()
gluon_tree.initialize(mx.init.Xavier(), ctx=mx_ctx)
tree_weights = {name: param.data() for name, param
                in gluon_tree.collect_params().items()}
torch_tree = TorchTreeNet().to(torch_device)
torch_tree.load_state_dict(to_torch_state(tree_weights))

combine_calls = Counter()
gluon_tree.combine.register_forward_hook(
    lambda block, inputs, output: combine_calls.update(["Gluon"]))
torch_tree.combine.register_forward_hook(
    lambda module, inputs, output: combine_calls.update(["PyTorch"]))

# %%
# The recursion as a graph
# ------------------------
#
# **MXNet symbolic.** Recursion is again Python, run while the graph is
# declared: the function follows the tree and returns its graph, with the
# two layers' weights shared by every node. MXNet's contrib module has
# three control-flow operators, ``foreach``, ``while_loop`` and ``cond``
# (``mxnet/symbol/contrib.py``), and none recurses, so each tree shape is
# a graph of its own, bound before it runs.


def symbolic_tree_net(tree):
    X = mx.sym.var("data")
    leaf_w, leaf_b = mx.sym.var("leaf_weight"), mx.sym.var("leaf_bias")
    comb_w, comb_b = mx.sym.var("combine_weight"), mx.sym.var("combine_bias")

    def encode(tree):
        if isinstance(tree, int):
            digit = mx.sym.slice_axis(X, axis=0, begin=tree, end=tree + 1)
            return mx.sym.tanh(mx.sym.FullyConnected(
                digit, leaf_w, leaf_b, num_hidden=num_hidden))
        left, right = tree
        children = mx.sym.concat(encode(left), encode(right), dim=1)
        return mx.sym.tanh(mx.sym.FullyConnected(
            children, comb_w, comb_b, num_hidden=num_hidden))

    return encode(tree)


def count_leaves(tree):
    if isinstance(tree, int):
        return 1
    return sum(count_leaves(child) for child in tree)


# %%
# Each tree through the three APIs, and through ``torch.compile``, which
# follows the recursion as it runs and records the graph of the tree it
# met, guarded on that tree; a backend that keeps each graph it is given
# counts them. The trees come twice: the second time, nothing new is
# compiled.

compiled_graphs = []


def keeping_backend(graph_module, example_inputs):
    compiled_graphs.append(graph_module)
    return graph_module.forward  # run the captured graph as it is


tree_digits = digits.reshape(num_digits, -1)
X_gluon = mx.nd.array(tree_digits, ctx=mx_ctx)
X_torch = torch.from_numpy(tree_digits).to(torch_device)
torch._dynamo.reset()
compiled_tree = torch.compile(torch_tree, backend=keeping_backend)
tree_differences, tree_combines, symbolic_graphs = [], [], set()
graphs_so_far = {"symbolic": [], "compiled": []}
for tree in trees + trees:
    combine_calls.clear()
    gluon_code = gluon_tree(tree, X_gluon).asnumpy()
    with torch.no_grad():
        torch_code = torch_tree(tree, X_torch).cpu().numpy()
        eager_calls = combine_calls["PyTorch"]
        compiled_code = compiled_tree(tree, X_torch).cpu().numpy()
    compiled_calls = combine_calls["PyTorch"] - eager_calls
    graph = symbolic_tree_net(tree)
    symbolic_graphs.add(tuple(  # the graph's operators and edges
        (node["op"], str(node["inputs"]))
        for node in json.loads(graph.tojson())["nodes"]))
    symbolic_code = graph.eval(ctx=mx_ctx, data=X_gluon,
                               **tree_weights)[0].asnumpy()
    symbolic_combines = (operator_counts(graph)["FullyConnected"]
                         - count_leaves(tree))
    tree_combines.append((combine_calls["Gluon"], eager_calls,
                          compiled_calls, symbolic_combines))
    tree_differences += [np.abs(code - gluon_code).max() for code in
                         (torch_code, compiled_code, symbolic_code)]
    graphs_so_far["symbolic"].append(len(symbolic_graphs))
    graphs_so_far["compiled"].append(len(compiled_graphs))
    print(f"tree {tree}: {symbolic_combines} combinations, "
          f"{len(compiled_graphs)} graphs compiled so far")

# %%
# Every API makes the same number of combinations for each tree, and the
# same code up to float32 rounding; a wrong weight or a node skipped
# changes the code at the first digit. The graphs, MXNet's and
# ``torch.compile``'s, are one per tree shape, each reused when its shape
# comes again.

tree_checks = [
    claims.check("trees: combinations in Gluon, PyTorch, torch.compile "
                 "and the symbolic graph, per tree", tuple(tree_combines),
                 "==", tuple((count_leaves(tree) - 1,) * 4
                             for tree in trees + trees),
                 "a binary tree with n leaves has n - 1 inner nodes"),
    claims.check("trees: largest difference from Gluon's code",
                 float(max(tree_differences)), "<", 1e-4,
                 "float32 rounding in 784-term sums gives about 1e-6"),
    claims.check(f"trees: distinct symbolic graphs (operators and edges) "
                 f"for {len(trees)} tree shapes, each declared twice",
                 len(symbolic_graphs), "==", len(trees),
                 "the recursion runs at declaration: one graph per shape"),
    claims.check(f"trees: torch.compile graphs for {len(trees)} shapes, "
                 "each met twice", len(compiled_graphs), "==", len(trees),
                 "the recursion is unrolled: one graph per shape, reused"),
]

# %%
# The graphs made so far, call after call: a new one for each new tree
# shape, none when a shape comes again. Gluon and PyTorch make none: their
# recursion runs, as Python, at every call.

call_labels = [f"{i}: {tree}".replace(" ", "") for i, tree
               in enumerate(trees + trees, 1)]
fig, ax = plt.subplots()
ax.plot(call_labels, graphs_so_far["symbolic"], markersize=11,
        **style.line("symbolic"))
for api, size in (("gluon", 9), ("pytorch", 5)):
    ax.plot(call_labels, [0] * len(call_labels), markersize=size,
            **{**style.line(api), "label": f"{style.LABELS[api]} (eager)"})
ax.plot(call_labels, graphs_so_far["compiled"], linestyle="--",
        **{**style.line("pytorch"), "label": "PyTorch, torch.compile"})
ax.set_yticks(range(len(trees) + 1))
ax.set_xlabel("call: the tree given")
ax.set_ylabel("graphs made so far")
ax.set_title("One graph per tree shape; none for eager recursion")
ax.tick_params(axis="x", labelrotation=20, labelsize=9)
ax.legend(loc="center right")
fig.tight_layout()
plt.show()

# %%
# The code, measured
# ------------------
#
# Each implementation is a function of the page, so its code can be
# measured as the reader sees it, with ``inspect.getsource``. Run as a
# script, that reads this page's file; in a notebook there is no file,
# and it reads the cell that defined the function, whose source IPython
# keeps in ``linecache`` under the cell's name, so the counts are the
# same. It counts its lines after the ``def`` (without
# blank lines and comments) and the functions defined inside it. The
# layers of the imperative versions, in ``__init__``, are not counted;
# the symbolic function declares its input and weights in three lines.


def measure(function):
    source = textwrap.dedent(inspect.getsource(function))
    lines = [line for line in source.splitlines()[1:]
             if line.strip() and not line.strip().startswith("#")]
    nodes = list(ast.walk(ast.parse(source).body[0]))
    return {"lines": len(lines),
            "while": sum(isinstance(node, ast.While) for node in nodes),
            "inner functions": sum(isinstance(node, ast.FunctionDef)
                                   for node in nodes) - 1}


measured = {api: measure(function) for api, function in {
    "Gluon": GluonTreeNet.forward,
    "PyTorch": TorchTreeNet.forward,
    "MXNet symbolic": symbolic_tree_net}.items()}
print(f"{'implementation':<20}{'lines':>6}{'while':>7}"
      f"{'inner functions':>17}")
for api, counts in measured.items():
    print(f"{api:<20}{counts['lines']:>6}{counts['while']:>7}"
          f"{counts['inner functions']:>17}")

# %%
# The recursion is a recursive function in every API: ``forward`` calls
# itself in Gluon and PyTorch, and the symbolic declaration needs an inner
# function, ``encode``, to recurse. What differs is when it runs: at
# every call, or once per graph.

code_check = claims.check(
    "symbolic declaration: inner (recursive) functions of the tree",
    measured["MXNet symbolic"]["inner functions"], "==", 1,
    "the declaration recurses in Python, once per graph")

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_recursion", "iteration-recursion", "holds with caveats",
    "a recursion over trees is a function that calls itself in Gluon and "
    "PyTorch, run at every call; MXNet's symbolic declaration is the same "
    "recursive Python, run once per graph, since none of MXNet's "
    "control-flow operators recurses, and torch.compile unrolls it too: "
    f"{len(symbolic_graphs)} symbolic and {len(compiled_graphs)} compiled "
    f"graphs for {len(trees)} tree shapes. The code looks the same; the "
    "graphs are one per shape. Four implementations agree on every "
    "combination and code.",
    tree_checks + [code_check])

# %%
# Takeaways
# ---------
#
# * In Gluon and PyTorch a recursion over a tree is a function that calls
#   itself, run at every call, as deep as the tree it is given.
# * A graph builder runs the same recursion once, when it builds a
#   graph: MXNet's declaration and ``torch.compile`` both unroll it, one
#   graph per tree shape, valid only for that shape. MXNet has loop and
#   branch operators, but none that recurses.
# * The recursive code looks the same in every API; what differs is when
#   it runs, and how many graphs it makes.
# * Other pages of this topic:
#   :ref:`sphx_glr_auto_examples_debugging_plot_loops.py` and
#   :ref:`sphx_glr_auto_examples_debugging_plot_value_loops.py` (loops),
#   :ref:`sphx_glr_auto_examples_debugging_plot_control_flow.py` (an
#   ``if`` on the input size).
# * Next: :ref:`sphx_glr_auto_examples_siamese_plot_sharing.py`, where a
#   define-by-run network shares weights by calling one layer twice.
