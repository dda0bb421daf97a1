"""
Loops over the input's values
=============================

The source article says that iteration and recursion are plain Python in
a define-by-run network, and "look very different" in a graph. The
:ref:`first loop page <sphx_glr_auto_examples_debugging_plot_loops.py>`
found a loop over the input's shape written the same everywhere, and
unrolled by every graph builder. This page takes a loop that no graph
builder can unroll, since its number of steps is known only once the
values are: a layer iterated until its update is small enough. In Gluon
and PyTorch it is a ``while`` and an ``if``. As a graph it needs a loop
operator, MXNet's ``while_loop`` or ``torch.while_loop``, and the page
measures what the code becomes, and what ``torch.compile`` and
``torch.export`` do with the Python loop.

**What you will learn**

* how a loop over values is written as a graph operator: MXNet's
  ``while_loop`` (closures over ``loop_vars``, ``max_iterations``, outputs
  padded to ``max_iterations``) and ``torch.while_loop``;
* how ``F.contrib.while_loop`` lets such a Gluon block be hybridized;
* what ``torch.compile`` and ``torch.export`` do with the Python loop.

**Prerequisites**: :ref:`sphx_glr_auto_examples_debugging_plot_loops.py`,
which introduces ``mx.sym.contrib.while_loop`` and the graph-counting
backend used here, and
:ref:`sphx_glr_auto_examples_debugging_plot_control_flow.py`, where an
``if`` on values meets the same limits. The digits are real (MNIST, from
``$SIDEBYSIDE_DATA``) but nothing is trained: the weights are random,
seeded, and copied from Gluon to the other APIs, which must then compute
the same numbers in the same number of steps.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported, turns cuDNN's TF32 off (this page has no
# convolution, but ``torch.export`` refuses to run when cuDNN's settings
# differ) and prints what the page runs on. MXNet runs on the CPU; PyTorch
# uses a GPU when there is one. The imperative loops come first on this
# page, not the symbolic API as elsewhere on this site: the loop is
# written once as Python, and then as graphs, checked against it.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import ast
import contextlib
import inspect
import io
import json
import logging
import re
import textwrap
import time
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


def print_relative(text):
    """Print a message from PyTorch with its file paths shortened, a
    package's from the package (``torch/nn/modules/linear.py``), others to
    the file name (this page's, or a notebook cell's), in lines of at most
    79 characters."""
    text = re.sub(r"(?<![\w.])/\S*?/site-packages/", "", str(text))
    text = re.sub(r"(?<![\w.])(/[^\s/:\"]+)+/([^\s/:\"]+\.py)", r"\2", text)
    for line in text.splitlines():
        print(textwrap.fill(line, 79, subsequent_indent="        ",
                            break_long_words=False) if line.strip() else "")


@contextlib.contextmanager
def caught_log(name):
    """Keep the records that logger ``name`` emits, instead of letting
    PyTorch's handler print them."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger(name)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


# %%
# The settings, and 64 digits, read once with NumPy and handed to each
# framework, so that all three see the same numbers.

seed = 0
num_hidden = 32
contraction = 0.95  # the spectral norm of the fixed-point layer's weight
tol = 1e-3  # the loop stops when its update is smaller
max_steps = 50
num_digits = 64

mnist = ensure_mnist()
digits = read_idx(mnist.test_images)[:num_digits].astype(np.float32) / 255
print(f"{len(digits)} test digits of {digits.shape[1]}x{digits.shape[2]}")


def operator_counts(graph):
    """A graph's operators by kind: an MXNet symbol's, or a ``torch.fx``
    graph's from ``torch.compile`` or ``torch.export``."""
    if isinstance(graph, mx.sym.Symbol):
        return Counter(node["op"] for node in json.loads(graph.tojson())
                       ["nodes"] if node["op"] != "null")
    # torch.ops.aten.linear.default counts as "linear"
    return Counter(getattr(node.target, "__name__", str(node.target))
                   .split(".")[0]
                   for node in graph.nodes if node.op == "call_function")


def to_torch_state(weights):
    """Gluon's ``embed_weight`` is PyTorch's ``embed.weight``."""
    return {".".join(name.rsplit("_", 1)): torch.from_numpy(w.asnumpy())
            for name, w in weights.items()}


# %%
# The loop in Gluon and PyTorch
# -----------------------------
#
# The network iterates one layer, :math:`h \leftarrow \tanh(W h +
# U x + b)`, from :math:`h = 0`, until an update changes :math:`h` by less
# than ``tol`` (in Euclidean norm), with at most ``max_steps`` steps. With
# :math:`W` scaled to a spectral norm of 0.95 each step is a contraction,
# so the iteration converges to a fixed point (the idea of *deep
# equilibrium* models), in a number of steps that depends on the digit.
# Each digit goes through on its own, so each has its own count, and the
# networks return the update norm of every step as well.
#
# **Gluon.** ``asscalar()`` brings the norm to Python, and the ``if``
# decides.


class GluonFixedPoint(gnn.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embed = gnn.Dense(num_hidden, in_units=784, prefix="embed_")
        self.recur = gnn.Dense(num_hidden, in_units=num_hidden,
                               use_bias=False, prefix="recur_")

    def forward(self, x):
        z = self.embed(x)
        h = mx.nd.zeros_like(z)
        steps, deltas = 0, []
        while steps < max_steps:
            h_new = mx.nd.tanh(self.recur(h) + z)
            deltas.append(mx.nd.norm(h_new - h).asscalar())
            h = h_new
            steps += 1
            if deltas[-1] < tol:
                break
        return h, steps, deltas


mx.random.seed(seed)
gluon_fixed_point = GluonFixedPoint()
gluon_fixed_point.initialize(mx.init.Xavier(), ctx=mx_ctx)
recur_weight = gluon_fixed_point.recur.weight.data().asnumpy()
gluon_fixed_point.recur.weight.set_data(mx.nd.array(
    recur_weight * contraction / np.linalg.norm(recur_weight, 2)))
fixed_point_weights = {name: param.data() for name, param
                       in gluon_fixed_point.collect_params().items()}
print(f"Gluon's parameters: {sorted(fixed_point_weights)}")

# %%
# **PyTorch.** The same loop, with ``item()``.


class TorchFixedPoint(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(784, num_hidden)
        self.recur = nn.Linear(num_hidden, num_hidden, bias=False)

    def forward(self, x):
        z = self.embed(x)
        h = torch.zeros_like(z)
        steps, deltas = 0, []
        while steps < max_steps:
            h_new = torch.tanh(self.recur(h) + z)
            deltas.append(torch.linalg.vector_norm(h_new - h).item())
            h = h_new
            steps += 1
            if deltas[-1] < tol:
                break
        return h, steps, deltas


torch_fixed_point = TorchFixedPoint().to(torch_device)
torch_fixed_point.load_state_dict(to_torch_state(fixed_point_weights))

# %%
# The loop as a graph operator
# ----------------------------
#
# **Gluon, hybridizable: ``F.contrib.while_loop``.** To hybridize, the
# loop must become MXNet's loop operator. ``F`` is ``mx.nd`` until the
# block is hybridized and ``mx.sym`` after, so the same code runs as
# ``mx.nd.contrib.while_loop`` (a Python loop in
# ``mxnet/ndarray/contrib.py``) and then as ``mx.sym.contrib.while_loop``
# (one operator in the graph). The loop body becomes two closures, the
# condition and the step, over the loop variables: the state, the last
# update's norm (infinite at the start, so that the first step runs) and
# the step counter. What each step returns first (the norm) is stacked
# into ``deltas``, which always has ``max_iterations`` rows; the rows
# after the last step are never written, so the counter is what says how
# many rows to read.
#
# One line is there only for the graph: ``mx.sym.contrib.while_loop``
# requires every loop variable to be an input of the step (its check is
# shown below), and ``delta`` is read by the condition only. Adding
# ``zeros_like(delta)`` to the counter makes it one.


class GluonWhileFixedPoint(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embed = gnn.Dense(num_hidden, in_units=784, prefix="embed_")
        self.recur = gnn.Dense(num_hidden, in_units=num_hidden,
                               use_bias=False, prefix="recur_")

    def hybrid_forward(self, F, x):
        z = self.embed(x)

        def not_converged(h, delta, steps):
            return delta >= tol

        def step(h, delta, steps):
            h_new = F.tanh(self.recur(h) + z)
            new_delta = F.norm(h_new - h)
            steps = steps + 1 + F.zeros_like(delta)
            return new_delta, [h_new, new_delta, steps]

        deltas, (h, _, steps) = F.contrib.while_loop(
            not_converged, step,
            [F.zeros_like(z), F.full((1,), np.inf), F.zeros((1,))],
            max_iterations=max_steps)
        return h, steps, deltas


gluon_while, gluon_hybrid = GluonWhileFixedPoint(), GluonWhileFixedPoint()
for block in (gluon_while, gluon_hybrid):
    block.initialize(ctx=mx_ctx)
    for name, param in block.collect_params().items():
        param.set_data(fixed_point_weights[name])
gluon_hybrid.hybridize()

# %%
# **MXNet symbolic.** The same operator, in a graph declared by hand. The
# graph's third output is the stack of update norms.


def symbolic_fixed_point():
    data = mx.sym.var("data")
    recur_weight = mx.sym.var("recur_weight")
    z = mx.sym.FullyConnected(data, num_hidden=num_hidden, name="embed")

    def not_converged(h, delta, steps):
        return delta >= tol

    def step(h, delta, steps):
        h_new = mx.sym.tanh(mx.sym.FullyConnected(
            h, recur_weight, num_hidden=num_hidden, no_bias=True) + z)
        new_delta = mx.sym.norm(h_new - h)
        steps = steps + 1 + mx.sym.zeros_like(delta)
        return new_delta, [h_new, new_delta, steps]

    deltas, (h, _, steps) = mx.sym.contrib.while_loop(
        not_converged, step,
        [mx.sym.zeros_like(z), mx.sym.full((1,), np.inf), mx.sym.zeros((1,))],
        max_iterations=max_steps)
    return mx.sym.Group([h, steps, deltas])


fixed_point_graph = symbolic_fixed_point()
print(f"the graph's arguments: {fixed_point_graph.list_arguments()}")
print_relative(f"operators outside the loop: "
               f"{dict(operator_counts(fixed_point_graph))}")
executor = fixed_point_graph.bind(mx_ctx, args={
    "data": mx.nd.zeros((1, 784), ctx=mx_ctx), **fixed_point_weights})


def symbolic_forward(x):
    return executor.forward(data=x)


# %%
# The check that the ``zeros_like`` line satisfies: a loop whose step
# ignores one of its variables is refused when the graph is declared.

try:
    mx.sym.contrib.while_loop(
        lambda h, delta: delta >= tol,
        lambda h, delta: ([], [mx.sym.tanh(h), mx.sym.norm(h)]),
        [mx.sym.var("h"), mx.sym.var("delta")], max_iterations=max_steps)
except ValueError as error:
    print(f"ValueError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# Every digit through each implementation. Two adapters turn what each
# returns into NumPy: a Python loop returns its step count and norms as
# Python numbers, a loop operator as arrays, padded.

flat_digits = digits.reshape(num_digits, 1, -1)


def run_mxnet(forward, digit):
    h, steps, deltas = forward(mx.nd.array(digit, ctx=mx_ctx))
    if isinstance(steps, mx.nd.NDArray):  # from a loop operator
        steps = int(steps.asscalar())
        deltas = deltas.asnumpy()[:steps, 0]
    return h.asnumpy(), steps, np.array(deltas)


def run_torch(forward, digit):
    with torch.no_grad():
        h, steps, deltas = forward(torch.from_numpy(digit).to(torch_device))
    if isinstance(steps, torch.Tensor):  # from a loop operator
        steps = int(steps)
        deltas = deltas[:steps].cpu()
    return h.cpu().numpy(), steps, np.array(deltas)


def run_all(run, forward):
    """Final states, step counts and update norms of every digit, and the
    time per digit."""
    start = time.perf_counter()
    results = [run(forward, digit) for digit in flat_digits]
    seconds = (time.perf_counter() - start) / num_digits
    states, steps, deltas = zip(*results)
    return {"states": np.concatenate(states), "steps": steps,
            "deltas": deltas, "seconds": seconds}


fixed_point_results = {
    "Gluon": run_all(run_mxnet, gluon_fixed_point),
    "Gluon while_loop": run_all(run_mxnet, gluon_while),
    "Gluon hybridized": run_all(run_mxnet, gluon_hybrid),
    "MXNet symbolic": run_all(run_mxnet, symbolic_forward),
    "PyTorch": run_all(run_torch, torch_fixed_point),
}
steps_histogram = Counter(fixed_point_results["Gluon"]["steps"])
print(f"digits per number of steps: {dict(sorted(steps_histogram.items()))}")

# %%
# The loop in PyTorch's graphs
# ----------------------------
#
# **torch.compile** of the Python loop. ``item()`` hands a tensor's value
# to Python, where the graph cannot follow, so Dynamo must break the
# graph there; and a graph break inside a loop makes it give up on the
# whole function and run it uncompiled (``raise_loop_graph_break`` in
# ``torch/_dynamo/symbolic_convert.py``: "graph breaks in loops are not
# supported"). Dynamo logs a warning that names the line (once per
# process: a notebook's second run does not show it). PyTorch's log
# handler would print it with the full path of the page's file; the page
# catches it and prints it with the file name alone, this page's in a
# script, a cell's in a notebook. A backend that keeps each graph it is
# given, as on the first loop page, receives no graph at all, and the
# results are the eager ones.

compiled_graphs = []


def keeping_backend(graph_module, example_inputs):
    compiled_graphs.append(graph_module)
    return graph_module.forward  # run the captured graph as it is


torch._dynamo.reset()
compiled_fixed_point = torch.compile(torch_fixed_point,
                                     backend=keeping_backend)
with caught_log("torch._dynamo.variables.tensor") as dynamo_warnings:
    fixed_point_results["PyTorch compiled"] = run_all(run_torch,
                                                      compiled_fixed_point)
for record in dynamo_warnings:
    print_relative(f"{record.levelname}: {record.getMessage()}")
graphs_of_python_loop = len(compiled_graphs)
print(f"graphs captured from the Python loop: {graphs_of_python_loop}")

# %%
# The warning suggests ``capture_scalar_outputs``, which records
# ``item()`` in the graph as a symbolic number. It does not help here:
# the ``if`` on that number breaks the graph inside the loop all the same.

torch._dynamo.reset()
with torch._dynamo.config.patch(capture_scalar_outputs=True):
    run_torch(torch.compile(torch_fixed_point, backend=keeping_backend),
              flat_digits[0])
graphs_with_scalars = len(compiled_graphs)
print(f"graphs captured with capture_scalar_outputs: {graphs_with_scalars}")

# %%
# **torch.export** of the Python loop must capture everything, and
# refuses: it cannot decide ``deltas[-1] < tol`` without a value. Before
# raising, it prints to ``sys.stderr`` the graph it had traced
# (``print(e.partial_fx_graph, ...)`` in ``torch/export/_trace.py``), each
# node under a comment that names the line it came from, with its full
# path; the page catches the print and shows the lines of those comments
# that are its own, then the first line of the error.

example_digit = torch.from_numpy(flat_digits[0]).to(torch_device)
export_printed = io.StringIO()
try:
    with contextlib.redirect_stderr(export_printed):
        torch.export.export(torch_fixed_point, (example_digit,))
except torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode \
        as error:
    export_error = error
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore
# "    # File: /a/b/page.py:206 in forward, code: h = torch.zeros_like(z)"
traced_lines = dict.fromkeys(
    re.search(r"# File: (.+):(\d+) in \w+, code: (.*)", line).groups()
    for line in export_printed.getvalue().splitlines()
    if "# File:" in line and "site-packages" not in line)
print("the partial graph's own lines:")
for filename, line_number, code in traced_lines:
    print_relative(f"    {filename}:{line_number}: {code}")
print_relative(f"{type(export_error).__name__}: "
               f"{str(export_error).splitlines()[0]}")

# %%
# **torch.while_loop.** Written with PyTorch's loop operator, the network
# exports. It has MXNet's shape, with two differences: there is no
# ``max_iterations``, so the counter and the bound go into the condition;
# and there are no stacked per-step outputs, so the update norms go into
# a buffer of ``max_steps`` entries carried as a loop variable, the
# padding MXNet does by itself.


class TorchWhileFixedPoint(TorchFixedPoint):
    def forward(self, x):
        z = self.embed(x)

        def not_converged(h, delta, steps, deltas):
            return (delta >= tol) & (steps < max_steps)

        def step(h, delta, steps, deltas):
            h_new = torch.tanh(self.recur(h) + z)
            new_delta = torch.linalg.vector_norm(h_new - h)
            deltas = deltas.index_put((steps,), new_delta)
            return h_new, new_delta, steps + 1, deltas

        h, _, steps, deltas = torch.while_loop(not_converged, step, (
            torch.zeros_like(z), torch.tensor(torch.inf, device=z.device),
            torch.tensor(0, device=z.device),
            torch.zeros(max_steps, device=z.device)))
        return h, steps, deltas


torch_while = TorchWhileFixedPoint().to(torch_device)
torch_while.load_state_dict(torch_fixed_point.state_dict())
exported_fixed_point = torch.export.export(torch_while, (example_digit,))
exported_operators = operator_counts(exported_fixed_point.graph)
print_relative(f"exported graph, outside the loop: "
               f"{dict(exported_operators)}")
fixed_point_results["PyTorch while_loop"] = run_all(run_torch, torch_while)
fixed_point_results["torch.export while_loop"] = run_all(
    run_torch, exported_fixed_point.module())

# %%
# ``torch.compile`` of the operator's version captures one graph, which
# then serves every digit whatever its number of steps.

torch._dynamo.reset()
compiled_graphs.clear()
compiled_while = torch.compile(torch_while, backend=keeping_backend)
fixed_point_results["torch.compile while_loop"] = run_all(run_torch,
                                                          compiled_while)
graphs_of_while_loop = len(compiled_graphs)
print(f"graphs captured from torch.while_loop for {num_digits} digits: "
      f"{graphs_of_while_loop}")

# %%
# The results
# -----------
#
# Nine ways to run the loop, one answer. The state is a vector in
# :math:`(-1, 1)` after about ten steps of a contraction, which shrinks
# rounding errors rather than amplifying them; 784-term sums in float32
# differ by about 1e-6. The step counts could still differ if an update
# norm fell within rounding of ``tol``: the closest of them is printed
# with the largest difference in norms between implementations, to show
# how far the counts are from a tie. The times are one pass on this
# machine, for orientation only: one digit a call, they mostly measure
# each API's overhead per step.

reference = fixed_point_results["Gluon"]
print(f"{'implementation':<26}{'same steps':>11}{'largest |dh|':>14}"
      f"{'ms per digit':>14}")
for api, result in fixed_point_results.items():
    same = result["steps"] == reference["steps"]
    difference = np.abs(result["states"] - reference["states"]).max()
    print(f"{api:<26}{str(same):>11}{difference:>14.1e}"
          f"{1000 * result['seconds']:>14.2f}")

state_difference = max(
    float(np.abs(result["states"] - reference["states"]).max())
    for result in fixed_point_results.values())
norm_difference = max(
    float(np.abs(deltas - reference_deltas).max())
    for result in fixed_point_results.values()
    for deltas, reference_deltas in zip(result["deltas"],
                                        reference["deltas"]))
# the decisive norms: the last one (below tol) and the one before (above)
closest_to_tol = min(float(np.abs(deltas[-2:] - tol).min())
                     for deltas in reference["deltas"])
print(f"closest decisive update norm to tol: {closest_to_tol:.1e} away")
print(f"largest difference in norms: {norm_difference:.1e}")
first_digit = mx.nd.array(flat_digits[0], ctx=mx_ctx)
padded_rows = (gluon_while(first_digit)[2].shape[0],  # mx.nd.contrib
               gluon_hybrid(first_digit)[2].shape[0],  # mx.sym.contrib
               symbolic_forward(first_digit)[2].shape[0])

fixed_point_checks = [
    claims.check(f"value-driven loop: implementations whose steps for the "
                 f"{num_digits} digits differ from Gluon's",
                 sum(result["steps"] != reference["steps"]
                     for result in fixed_point_results.values()), "==", 0,
                 "the same weights and threshold must stop at the same "
                 "step"),
    claims.check("value-driven loop: distinct step counts over the digits",
                 len(set(reference["steps"])), ">", 1,
                 "the count must depend on the input for the loop to be "
                 "value-driven"),
    claims.check("value-driven loop: largest difference from Gluon's "
                 "final state", state_difference, "<", 1e-4,
                 "float32 rounding in 784-term sums gives about 1e-6; a "
                 "step more or less changes the state by up to tol"),
    claims.check("value-driven loop: closest decisive norm to tol, over "
                 "the largest norm difference", closest_to_tol
                 / max(norm_difference, 1e-12), ">", 10,
                 "above 1, no difference measured could flip a count; "
                 "ten leaves room for another machine's rounding"),
    claims.check("MXNet while_loop: rows of the stacked update norms, "
                 "imperative, hybridized and symbolic", padded_rows, "==",
                 (max_steps,) * 3, "outputs are padded to max_iterations, "
                 "whatever the number of steps"),
    claims.check("torch.compile: graphs captured from the Python loop, "
                 "by default and with capture_scalar_outputs",
                 (graphs_of_python_loop, graphs_with_scalars), "==",
                 (0, 0), "a graph break inside a loop makes Dynamo skip "
                 "the whole function"),
    claims.check("torch.compile: graphs captured from torch.while_loop "
                 f"for {num_digits} digits", graphs_of_while_loop, "==", 1,
                 "the loop is inside the graph, so one graph serves every "
                 "step count"),
    claims.check("torch.export: while_loop operators in the graph",
                 exported_operators["while_loop"], "==", 1,
                 "the loop operator is exported as one node"),
]

# %%
# The update norms of a few digits, from the symbolic graph's stacked
# output (its valid rows), and how many steps the digits took.

symbolic_deltas = fixed_point_results["MXNet symbolic"]["deltas"]
order = np.argsort(reference["steps"], kind="stable")
fig, (norm_ax, count_ax) = plt.subplots(1, 2, figsize=(10, 4))
for color, index in zip(style.OTHER_COLORS,
                        order[[0, num_digits // 2, -1]]):
    norm_ax.plot(np.arange(1, len(symbolic_deltas[index]) + 1),
                 symbolic_deltas[index], marker="o", markersize=3,
                 color=color,
                 label=f"digit {index}: {reference['steps'][index]} steps")
norm_ax.axhline(tol, color="grey", linestyle="--", linewidth=1,
                label=f"tol = {tol:g}")
norm_ax.set(xlabel="step", ylabel="update norm |h_new - h|",
            yscale="log", title="Iterate until the update is small")
norm_ax.legend()
counts = Counter(reference["steps"])
count_ax.bar(list(counts), list(counts.values()),
             color=style.OTHER_COLORS[4])
count_ax.set_xticks(sorted(counts))
count_ax.set(xlabel="steps to converge", ylabel="digits",
             title=f"Steps for {num_digits} test digits")
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
# blank lines and comments), its ``while`` statements, and the functions
# defined inside it, which a loop operator needs for its condition and
# its step. The layers of the imperative versions, in ``__init__``, are
# not counted; the symbolic function declares its input and its recurrent
# weight, in two lines.


def measure(function):
    source = textwrap.dedent(inspect.getsource(function))
    lines = [line for line in source.splitlines()[1:]
             if line.strip() and not line.strip().startswith("#")]
    nodes = list(ast.walk(ast.parse(source).body[0]))
    return {"lines": len(lines),
            "while": sum(isinstance(node, ast.While) for node in nodes),
            "inner functions": sum(isinstance(node, ast.FunctionDef)
                                   for node in nodes) - 1}


value_loop = {api: measure(function) for api, function in {
    "Gluon": GluonFixedPoint.forward,
    "PyTorch": TorchFixedPoint.forward,
    "Gluon while_loop": GluonWhileFixedPoint.hybrid_forward,
    "MXNet symbolic": symbolic_fixed_point,
    "PyTorch while_loop": TorchWhileFixedPoint.forward}.items()}
print(f"{'implementation':<20}{'lines':>6}{'while':>7}"
      f"{'inner functions':>17}")
for api, counts in value_loop.items():
    print(f"{api:<20}{counts['lines']:>6}{counts['while']:>7}"
          f"{counts['inner functions']:>17}")

# %%
# Here the graphs look different: a ``while`` and an ``if`` in the
# imperative code; two closures, a list of loop variables and a bound on
# the steps with a loop operator. It costs only a couple of lines in the
# same framework and the same scope (the table): the difference is in the
# form of the code, not its length.

imperative = ("Gluon", "PyTorch")
graph_apis = ("Gluon while_loop", "MXNet symbolic", "PyTorch while_loop")
code_checks = [
    claims.check("value loop: (while, inner functions) in Gluon and "
                 "PyTorch", tuple((value_loop[api]["while"],
                                   value_loop[api]["inner functions"])
                                  for api in imperative),
                 "==", ((1, 0), (1, 0)), "a plain Python loop"),
    claims.check("value loop: (while, inner functions) with a loop "
                 "operator", tuple((value_loop[api]["while"],
                                    value_loop[api]["inner functions"])
                                   for api in graph_apis),
                 "==", ((0, 2),) * 3,
                 "the loop becomes a condition and a step, passed to the "
                 "operator"),
    claims.check("value loop: lines with the loop operator minus lines "
                 "with a Python loop, fewest of Gluon's and PyTorch's",
                 min(value_loop[f"{api} while_loop"]["lines"]
                     - value_loop[api]["lines"] for api in imperative),
                 ">", 0, "the same framework and scope, input to outputs: "
                 "the operator's version is the longer in both"),
]

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_value_loops", "iteration-recursion", "holds",
    "a loop over values is a while and an if in Gluon and PyTorch; as a "
    "graph it needs a loop operator (MXNet's while_loop: two closures over "
    "loop_vars, a compulsory max_iterations, outputs padded to it, every "
    "loop variable an input of the step; torch.while_loop: a fixed-size "
    "buffer), and torch.compile and torch.export cannot capture the "
    f"Python loop. All {len(fixed_point_results)} implementations agree on "
    f"the step counts ({min(reference['steps'])} to "
    f"{max(reference['steps'])}) and states of {num_digits} digits.",
    fixed_point_checks + code_checks)

# %%
# Takeaways
# ---------
#
# * In Gluon and PyTorch a loop over the input's values is a ``while``
#   and an ``if``, run at every call, as many times as the values need.
# * A graph builder cannot unroll it, since its count is not known before
#   the values are: it needs a loop operator, ``mx.sym.contrib.while_loop``
#   or ``torch.while_loop``, and the code changes shape: closures over
#   loop variables, a bound on the steps, per-step outputs padded to that
#   bound. In Gluon, ``F.contrib.while_loop`` lets such a block be
#   hybridized.
# * Without the operator, ``torch.compile`` falls back to running the
#   whole function uncompiled, and ``torch.export`` refuses.
# * Next: :ref:`sphx_glr_auto_examples_debugging_plot_recursion.py`, a
#   network that recurses over trees of different shapes.
