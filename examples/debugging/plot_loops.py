"""
Loops over the input's shape
============================

The source article says that iteration and recursion are plain Python in
a define-by-run network, and "look very different" in a graph. This page,
the first of three on the claim, tests it on a network that applies one
convolution block until the feature map is small enough, so that a
larger digit takes more steps. In Gluon and PyTorch the loop is a
``while``. The page then writes it as a graph, in MXNet's symbolic API
and by PyTorch's graph capture, and measures what the loop becomes: how
many graphs, which steps they hold, and what the code takes.

**What you will learn**

* why graph builders unroll a loop over shapes into one graph per number
  of steps, and what that costs;
* how MXNet's ``while_loop`` holds the loop in one graph, and what it
  gives up for it;
* what ``torch.compile``, ``torch.export`` and ``torch.while_loop`` do
  with a loop on the shape.

**Prerequisites**:
:ref:`sphx_glr_auto_examples_debugging_plot_control_flow.py`, where an
``if`` on the input's size meets the same limits, and
:ref:`sphx_glr_auto_examples_debugging_plot_step_through.py` for
``infer_shape``. The digits are real (MNIST, from ``$SIDEBYSIDE_DATA``)
but nothing is trained: the weights are random, seeded, and copied from
Gluon to the other APIs, which must then compute the same numbers in the
same number of steps.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported, turns TF32 off on a GPU (the comparisons with MXNet
# need float32; ``torch.export`` also needs cuDNN's settings to agree) and
# prints what the page runs on. MXNet runs on the CPU; PyTorch uses a GPU
# when there is one. Gluon and PyTorch come first on this page, not the
# symbolic API as elsewhere on this site: the loop is written once as
# Python, and then as graphs, whose results are checked against it.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import ast
import inspect
import json
import textwrap
import warnings
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torch.nn.functional as F
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist, read_idx

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch


def print_wrapped(text):
    """Print a long message in lines of at most 79 characters."""
    for line in str(text).splitlines():
        print(textwrap.fill(line, 79, subsequent_indent="    ",
                            break_long_words=False) if line else line)


# %%
# The settings, and sixteen digits, read once with NumPy and handed to
# each framework, so that all three see the same numbers.

seed = 0
grid = 4  # the loop stops once the map is at most 4x4
num_channels = 8
sides = (28, 56, 112)
num_digits = 16

mnist = ensure_mnist()
digits = read_idx(mnist.test_images)[:num_digits].astype(np.float32) / 255
print(f"{len(digits)} test digits of {digits.shape[1]}x{digits.shape[2]}")


def upscale(images, side):
    """The digits scanned at ``side`` pixels: each pixel repeated."""
    scale = side // images.shape[-1]
    return images[:, None].repeat(scale, axis=2).repeat(scale, axis=3)


def operator_counts(graph):
    """A graph's operators by kind: an MXNet symbol's, or a ``torch.fx``
    graph's from ``torch.compile`` or ``torch.export``."""
    if isinstance(graph, mx.sym.Symbol):
        return Counter(node["op"] for node in json.loads(graph.tojson())
                       ["nodes"] if node["op"] != "null")
    # torch.conv2d is "conv2d"; torch.ops.aten.conv2d.default too
    return Counter(getattr(node.target, "__name__", str(node.target))
                   .split(".")[0]
                   for node in graph.nodes if node.op == "call_function")


# %%
# The loop in Gluon and PyTorch
# -----------------------------
#
# The network applies one convolution block, always the same weights,
# until the feature map is at most 4x4 pixels: each step halves the map,
# so a digit of 28 pixels takes three steps and one of 112 pixels five.
# The output is each channel's mean over the last map.
#
# **Gluon.** A ``while`` on the map's shape, in ``forward``. ``sides``
# records the map's side at the start and after each step.


class GluonShrinkingNet(gnn.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stem = gnn.Conv2D(num_channels, 3, padding=1, in_channels=1,
                               activation="relu", prefix="stem_")
        self.block = gnn.Conv2D(num_channels, 3, padding=1,
                                in_channels=num_channels,
                                activation="relu", prefix="block_")
        self.pool = gnn.MaxPool2D(2)
        self.sides = []

    def forward(self, x):
        x = self.stem(x)
        self.sides = [x.shape[-1]]
        while x.shape[-1] > grid:
            x = self.pool(self.block(x))
            self.sides.append(x.shape[-1])
        return x.mean(axis=(2, 3))


mx.random.seed(seed)
gluon_shrinking = GluonShrinkingNet()
gluon_shrinking.initialize(mx.init.Xavier(), ctx=mx_ctx)
shrinking_weights = {name: param.data() for name, param
                     in gluon_shrinking.collect_params().items()}
print(f"Gluon's parameters: {sorted(shrinking_weights)}")

# %%
# **PyTorch.** The same loop; the weights are Gluon's.


class TorchShrinkingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, num_channels, 3, padding=1)
        self.block = nn.Conv2d(num_channels, num_channels, 3, padding=1)
        self.sides = []

    def forward(self, x):
        x = F.relu(self.stem(x))
        self.sides = [x.shape[-1]]
        while x.shape[-1] > grid:
            x = F.max_pool2d(F.relu(self.block(x)), 2)
            self.sides.append(x.shape[-1])
        return x.mean(dim=(2, 3))


def to_torch_state(weights):
    """Gluon's ``stem_weight`` is PyTorch's ``stem.weight``."""
    return {".".join(name.rsplit("_", 1)): torch.from_numpy(w.asnumpy())
            for name, w in weights.items()}


torch_shrinking = TorchShrinkingNet().to(torch_device)
torch_shrinking.load_state_dict(to_torch_state(shrinking_weights))

# %%
# The sixteen digits at each of the three sizes. Each call runs the loop
# anew, as often as its input needs; the steps are read off ``sides``.

shrink_inputs = {side: upscale(digits, side) for side in sides}
shrink_outputs, shrink_steps, side_traces = {}, {}, {}
for side, X in shrink_inputs.items():
    gluon_out = gluon_shrinking(mx.nd.array(X, ctx=mx_ctx)).asnumpy()
    with torch.no_grad():
        torch_out = torch_shrinking(torch.from_numpy(X).to(torch_device))
    shrink_outputs[side] = {"Gluon": gluon_out,
                            "PyTorch": torch_out.cpu().numpy()}
    side_traces[side] = gluon_shrinking.sides
    shrink_steps[side] = {"Gluon": len(gluon_shrinking.sides) - 1,
                          "PyTorch": len(torch_shrinking.sides) - 1}
    print(f"input {side}x{side}: map sides {gluon_shrinking.sides}, "
          f"{shrink_steps[side]['Gluon']} steps; features {gluon_out.shape}")

# %%
# The loop as an MXNet graph
# --------------------------
#
# **At declaration.** A symbol has no shape to loop on, but
# ``infer_shape`` works it out from the input's size, so the same
# ``while`` runs in Python while the graph is declared. Each step adds a
# convolution to the graph; the three steps of a 28-pixel digit are three
# copies of the block, sharing one weight. The number of steps is fixed
# with the graph: one graph per input size, as with the
# ``BucketingModule`` of the control-flow page.


def symbolic_shrinking_net(input_side):
    data = mx.sym.var("data")
    weight, bias = mx.sym.var("block_weight"), mx.sym.var("block_bias")
    x = mx.sym.relu(mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1),
                                       num_filter=num_channels, name="stem"))

    def side_of(x):
        _, [shape], _ = x.infer_shape(data=(1, 1, input_side, input_side))
        return shape[-1]

    while side_of(x) > grid:
        x = mx.sym.Convolution(x, weight, bias, kernel=(3, 3), pad=(1, 1),
                               num_filter=num_channels)
        x = mx.sym.Pooling(mx.sym.relu(x), pool_type="max", kernel=(2, 2),
                           stride=(2, 2))
    return mx.sym.mean(x, axis=(2, 3))


for side, X in shrink_inputs.items():
    graph = symbolic_shrinking_net(side)
    convolutions = operator_counts(graph)["Convolution"]
    out = graph.eval(ctx=mx_ctx, data=mx.nd.array(X), **shrinking_weights)
    shrink_outputs[side]["MXNet symbolic"] = out[0].asnumpy()
    shrink_steps[side]["MXNet symbolic"] = convolutions - 1
    print(f"graph for {side}x{side}: {convolutions} convolutions "
          f"(the stem and {convolutions - 1} copies of the block)")

# %%
# **One graph, with ``while_loop``.** MXNet also has a loop *inside* the
# graph: ``mx.sym.contrib.while_loop(cond, func, loop_vars,
# max_iterations)`` (in ``mxnet/symbol/contrib.py``). ``cond`` and
# ``func`` are Python functions of the loop variables, called once to
# record two sub-graphs; the operator runs them until ``cond`` is false or
# ``max_iterations`` is reached, which is compulsory. Here ``cond`` reads
# the map's side with ``shape_array``, an operator, so the decision is
# taken at run time.
#
# Its docstring asks every loop variable to keep its shape from step to
# step, which this one does not. MXNet 1.9.1 runs it anyway: its CPU
# kernel (``WhileLoopComputeExCPU`` in ``src/operator/control_flow.cc``)
# sizes each step's outputs as they come. What it gives up is shape
# inference, which stops at the loop: the graph takes ``bind`` with an
# array for every argument (here through ``eval``), and ``Module.bind``,
# which infers every shape first, refuses it (below).


def symbolic_while_shrinking_net():
    data = mx.sym.var("data")
    weight, bias = mx.sym.var("block_weight"), mx.sym.var("block_bias")
    x = mx.sym.relu(mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1),
                                       num_filter=num_channels, name="stem"))

    def larger_than_grid(x, steps):
        side = mx.sym.slice_axis(mx.sym.shape_array(x), axis=0, begin=3,
                                 end=4)
        return side > grid

    def step(x, steps):
        x = mx.sym.Convolution(x, weight, bias, kernel=(3, 3), pad=(1, 1),
                               num_filter=num_channels)
        x = mx.sym.Pooling(mx.sym.relu(x), pool_type="max", kernel=(2, 2),
                           stride=(2, 2))
        return [], [x, steps + 1]

    _, (x, steps) = mx.sym.contrib.while_loop(
        larger_than_grid, step, [x, mx.sym.zeros((1,))], max_iterations=10)
    return mx.sym.Group([mx.sym.mean(x, axis=(2, 3)), steps])


while_graph = symbolic_while_shrinking_net()
for side, X in shrink_inputs.items():
    out = while_graph.eval(ctx=mx_ctx, data=mx.nd.array(X),
                           **shrinking_weights)
    shrink_outputs[side]["MXNet while_loop"] = out[0].asnumpy()
    shrink_steps[side]["MXNet while_loop"] = int(out[1].asscalar())
    print(f"one graph, input {side}x{side}: {int(out[1].asscalar())} steps")

# %%
# The price: given the shape of every argument, ``infer_shape`` still
# cannot tell the outputs' shapes, and ``Module.bind`` refuses the graph.

# ``infer_shape`` says so with a warning (``Symbol._infer_shape_impl`` in
# ``mxnet/symbol/symbol.py``), which Python would print with the full path
# of the file that called it. The page catches it and prints its category,
# its first line and where it points, by file name: this page's file in a
# script, a cell (``<number>.py``) in a notebook.

argument_shapes = {name: array.shape
                   for name, array in shrinking_weights.items()}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    _, inferred_shapes, _ = while_graph.infer_shape(
        data=shrink_inputs[28].shape, **argument_shapes)
for warning in caught:
    print(f"{Path(warning.filename).name}:{warning.lineno}: "
          f"{warning.category.__name__}:")
    print_wrapped(f"    {str(warning.message).splitlines()[0]}")
print(f"output shapes from infer_shape: {inferred_shapes}")
module = mx.mod.Module(while_graph, label_names=None, context=mx_ctx)
try:
    module.bind(data_shapes=[("data", shrink_inputs[28].shape)],
                for_training=False)
except RuntimeError as error:
    module_refusal = str(error)
    print_wrapped([line for line in module_refusal.splitlines()
                   if "InferShape" in line][0])
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# The four implementations agree. float32 keeps about seven significant
# digits; a convolution adds 72 products, in an order each framework
# chooses, and five steps compound that to differences of about 1e-6 on
# features of order 0.1 to 1. A weight in the wrong layout or a step too
# many changes them at the first digit.

shrink_difference = max(
    float(np.abs(out - outputs["Gluon"]).max())
    for outputs in shrink_outputs.values() for out in outputs.values())
shrink_checks = [
    claims.check("shape-driven loop: steps at 28, 56 and 112 pixels, "
                 "in Gluon, PyTorch, the symbolic graphs and while_loop",
                 tuple(tuple(by_api.values())
                       for by_api in shrink_steps.values()),
                 "==", ((3,) * 4, (4,) * 4, (5,) * 4),
                 "each step halves the map until it is at most 4x4"),
    claims.check("shape-driven loop: largest difference from Gluon's "
                 "features", shrink_difference, "<", 1e-4,
                 "float32 rounding gives about 1e-6; a wrong weight or "
                 "step gives order 0.1"),
    claims.check("shape-driven while_loop graph: output shapes "
                 "infer_shape finds", inferred_shapes, "==", None,
                 "shape inference stops at a loop whose loop variable "
                 "changes shape"),
    claims.check("shape-driven while_loop graph: Module.bind refuses it "
                 "for want of shapes", "cannot decide shapes" in
                 module_refusal, "==", True,
                 "Module infers every shape before it allocates"),
]

# %%
# The loop in PyTorch's graphs
# ----------------------------
#
# **torch.compile.** PyTorch's compiler (TorchDynamo) reads the Python
# code of ``forward`` as it runs and records the tensor operations into
# a ``torch.fx`` graph. The ``while`` is Python, so it is not recorded:
# it runs during the capture, and the graph holds the steps it took. A
# backend that keeps each graph it is given shows what was captured; the
# inputs are random, since only their sizes matter. The 36-, 40- and
# 120-pixel inputs have the step counts of sizes seen before.

compiled_graphs = []


def keeping_backend(graph_module, example_inputs):
    compiled_graphs.append(graph_module)
    return graph_module.forward  # run the captured graph as it is


def steps_for(side):
    """Steps of the shrinking loop for a map of ``side`` pixels."""
    steps = 0
    while side > grid:
        side //= 2
        steps += 1
    return steps


torch._dynamo.reset()
compiled_shrinking = torch.compile(torch_shrinking, backend=keeping_backend)
compile_sides = (28, 56, 112, 28, 56, 112, 36, 40, 120)
print("input  steps  graphs so far  convolutions in the new graph")
for side in compile_sides:
    graphs_before = len(compiled_graphs)
    with torch.no_grad():
        compiled_shrinking(torch.rand(2, 1, side, side, device=torch_device))
    if len(compiled_graphs) == graphs_before:
        convolutions = "(reused)"
    else:
        convolutions = operator_counts(compiled_graphs[-1].graph)["conv2d"]
        assert convolutions == 1 + steps_for(side)
    print(f"{side:>5}  {steps_for(side):>5}  {len(compiled_graphs):>13}  "
          f"{convolutions:>29}")

# %%
# Four graphs for nine calls. The first, for 28 pixels, has every size
# fixed. At 56 pixels Dynamo compiles again, now with the side as a
# symbol (its *automatic dynamic shapes*); the loop must still unroll, so
# this graph holds four steps and is guarded to the sides that take four.
# 112 pixels needs a five-step graph. 36 pixels takes three steps, but
# the first graph accepts only 28, so it gets a three-step graph of its
# own; 40 and 120 reuse the four- and five-step graphs. No graph holds
# the loop: each holds ``1 + steps`` convolutions.
#
# **torch.export** captures one graph ahead of time, for the example
# input. Asked to accept any side, it refuses, and computes which sides
# its unrolled graph is valid for.

example_28 = torch.from_numpy(shrink_inputs[28]).to(torch_device)
side_dim = torch.export.Dim("side")
try:
    torch.export.export(torch_shrinking, (example_28,), dynamic_shapes={
        "x": {2: side_dim, 3: side_dim}})
except torch._dynamo.exc.UserError as error:
    export_message = str(error)
    print_wrapped("\n".join(export_message.splitlines()[:5]))
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# The sides that take three steps are exactly the range it proposes. With
# that range the export succeeds, and its graph serves a 36-pixel digit,
# not a 56-pixel one, which needs a fourth step.

three_step_sides = [side for side in range(1, 200) if steps_for(side) == 3]
lowest, highest = min(three_step_sides), max(three_step_sides)
print(f"sides that take 3 steps: {lowest} to {highest}")
exported_shrinking = torch.export.export(
    torch_shrinking, (example_28,), dynamic_shapes={"x": {
        2: torch.export.Dim("side", min=lowest, max=highest),
        3: torch.export.Dim("side", min=lowest, max=highest)}})
exported_convolutions = operator_counts(exported_shrinking.graph)[
    "conv2d"]
print(f"exported graph: {exported_convolutions} convolutions")
batch = len(example_28)  # export fixed the batch size too
print(exported_shrinking.module()(
    torch.rand(batch, 1, 36, 36, device=torch_device)).shape)
try:
    exported_shrinking.module()(
        torch.rand(batch, 1, 56, 56, device=torch_device))
except AssertionError as error:
    print(f"AssertionError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# **torch.while_loop** is PyTorch's loop operator, the counterpart of
# MXNet's (in ``torch/_higher_order_ops/while_loop.py``). Its body must
# return tensors of the same shape as it was given, and its condition is
# traced once, on that shape: a condition on the shape is a constant, and
# the operator refuses it.

try:
    torch.while_loop(lambda x: x.shape[-1] > grid,
                     lambda x: (F.max_pool2d(x, 2),),
                     (torch.rand(2, num_channels, 28, 28),))
except torch._dynamo.exc.UncapturedHigherOrderOpError as error:
    while_loop_refusal = str(error)
    print_wrapped("\n".join(while_loop_refusal.splitlines()[2:5]))
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

shrink_checks += [
    claims.check("torch.compile: graphs for 9 calls at 6 sizes with 3 "
                 "step counts", len(compiled_graphs), ">=", 3,
                 "an unrolled loop needs a graph per step count; one graph "
                 "holding the loop would serve every size"),
    claims.check("torch.export: the side range it proposes for the "
                 "28-pixel graph", f"min={lowest}, max={highest}" in
                 export_message, "==", True,
                 "the exported graph holds three steps, valid exactly for "
                 "the sides that take three"),
    claims.check("torch.export: convolutions in the 28-pixel graph",
                 exported_convolutions, "==", 1 + 3,
                 "the stem and three unrolled copies of the block"),
    claims.check("torch.while_loop refuses a condition on the shape",
                 "infinite loop" in while_loop_refusal, "==", True,
                 "the condition is traced once, on one shape"),
]

# %%
# What the loop did, and where the graphs' limits lie: the map's side
# after each step for the three sizes, and the number of steps for every
# input side. A graph with the loop unrolled is valid along one stair of
# the staircase; the export above covers the shaded one.

all_sides = np.arange(5, 129)
fig, (trace_ax, steps_ax) = plt.subplots(1, 2, figsize=(10, 4))
for color, (side, trace) in zip(style.OTHER_COLORS, side_traces.items()):
    trace_ax.plot(range(len(trace)), trace, marker="o", color=color,
                  label=f"{side}x{side} input")
trace_ax.axhline(grid, color="grey", linestyle="--", linewidth=1,
                 label=f"stop at {grid}x{grid}")
trace_ax.set_yscale("log", base=2)
trace_ax.set_yticks(side_traces[112], labels=side_traces[112])
trace_ax.set(xlabel="step", ylabel="feature map side (pixels)",
             xticks=range(6), title="The map halves until it is small enough")
trace_ax.legend()
steps_ax.step(all_sides, [steps_for(side) for side in all_sides],
              where="post", color=style.OTHER_COLORS[4],
              label="steps the loop takes")
steps_ax.plot(sides, [shrink_steps[side]["Gluon"] for side in sides], "o",
              color=style.OTHER_COLORS[1], label="the three sizes above")
steps_ax.axvspan(lowest, highest + 1, color=style.OTHER_COLORS[0], alpha=0.3,
                 label=f"one exported graph: {lowest} to {highest} pixels")
steps_ax.set(xlabel="input side (pixels)", ylabel="steps of the loop",
             yticks=range(1, 6),
             title="Steps per input size: one graph per stair")
steps_ax.legend(loc="lower right")
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
# not counted; the symbolic functions declare their input and weights, in
# two lines.


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
    "Gluon": GluonShrinkingNet.forward,
    "PyTorch": TorchShrinkingNet.forward,
    "MXNet symbolic": symbolic_shrinking_net,
    "MXNet while_loop": symbolic_while_shrinking_net}.items()}
print(f"{'implementation':<20}{'lines':>6}{'while':>7}"
      f"{'inner functions':>17}")
for api, counts in measured.items():
    print(f"{api:<20}{counts['lines']:>6}{counts['while']:>7}"
          f"{counts['inner functions']:>17}")

# %%
# The loop over shapes is a ``while`` in every API, the symbolic
# declaration included: what differs is when it runs, at every call or
# once per graph. Only ``while_loop`` changes the code's form, to a
# condition and a step.

code_check = claims.check(
    "symbolic declaration: while statements of the shape loop",
    measured["MXNet symbolic"]["while"], "==", 1,
    "the declaration loops in Python, once per graph")

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_loops", "iteration-recursion", "holds with caveats",
    "a loop over the input's shape is the same while in Gluon, PyTorch "
    "and MXNet's symbolic declaration, but a graph builder runs it once "
    "and unrolls it, one graph per step count: MXNet's declaration, "
    f"torch.compile ({len(compiled_graphs)} graphs for "
    f"{len(compile_sides)} calls), torch.export (valid for sides "
    f"{lowest} to {highest}). MXNet's while_loop holds it in one graph, "
    "losing shape inference (Module.bind refuses it); torch.while_loop "
    "refuses a condition on the shape. Four implementations agree on "
    "every step count and output.",
    shrink_checks + [code_check])

# %%
# Takeaways
# ---------
#
# * In Gluon and PyTorch a loop over the input's shape is Python, run at
#   every call, as many times as the input needs.
# * A graph builder runs the same Python once, when it builds a graph:
#   MXNet's declaration, ``torch.compile`` and ``torch.export`` all unroll
#   the loop, one graph per step count, each valid only for the inputs it
#   was built for.
# * MXNet's ``while_loop`` runs the loop as one graph, at the cost of
#   shape inference; ``torch.while_loop`` refuses a condition on a shape.
# * Next: :ref:`sphx_glr_auto_examples_debugging_plot_value_loops.py`, a
#   loop whose count depends on the input's values, which no graph
#   builder can unroll.
