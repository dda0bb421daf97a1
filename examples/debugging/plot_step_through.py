"""
Stepping through a forward pass, layer by layer
===============================================

When a network misbehaves, the first question is what each layer does to
its input: which shape comes out, and whether the values look sane (all
zeros, exploding, saturated). This page runs the LeNet of
:ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` one layer at a time on
eight real digits and prints, after each layer, the output's shape and
the minimum, mean and standard deviation of its values: in Gluon, in
PyTorch and in MXNet's symbolic API, with the same weights, so that the
three tables must agree. The symbolic API comes last here, not first as
elsewhere on this site: its tables are read against the two imperative
ones, and it runs Gluon's weights. In the two imperative APIs stepping
through the network is a ``for`` loop over its layers. In the symbolic API the
intermediate values exist only inside an executor; getting them out is a
small project of its own, and on the CPU, with MXNet's default settings,
the first attempt runs a different network, without its ReLUs, and
returns its values without a warning.

**What you will learn**

* how to step through a network in Gluon and in PyTorch, and read every
  intermediate result;
* how the symbolic API gives the shapes before any data (``infer_shape``)
  and the values through ``get_internals()`` and an executor;
* that the graph MXNet runs is not always the graph you wrote: asking
  for the internals changed what MXNet 1.9.1 computes, and how to see the
  graph it runs;
* what a loop can do that an executor cannot: stop at the first layer
  that goes wrong;
* how each API infers the input sizes of layers: Gluon's deferred
  initialisation, PyTorch's lazy modules, the graph's shape inference.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`, which
introduces the three APIs. The page reads MNIST from ``$SIDEBYSIDE_DATA``
like every page of this site.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported, turns TF32 off on a GPU (the comparisons with MXNet
# need float32) and prints what the page runs on. MXNet runs on the CPU;
# PyTorch uses a GPU when there is one.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import copy
import json
import os
import textwrap
from collections import OrderedDict

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torchvision
from mxnet import gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist
from sidebyside.gluon import MNIST as GluonMNIST

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

seed = 0
batch_size = 8

# %%
# Eight digits
# ------------
#
# The first eight test digits, read by Gluon's and by PyTorch's MNIST
# readers. The symbolic graph is given Gluon's array: MXNet's own
# ``MNISTIter`` divides the pixels by 256 instead of 255, which would make
# the numbers differ slightly from the other two for no interesting reason.

mnist = ensure_mnist()
gluon_X, gluon_y = next(iter(gluon.data.DataLoader(
    GluonMNIST(train=False).transform_first(
        gluon.data.vision.transforms.ToTensor()),
    batch_size=batch_size)))
gluon_X = gluon_X.as_in_context(mx_ctx)
torch_X, torch_y = next(iter(torch.utils.data.DataLoader(
    torchvision.datasets.MNIST(mnist.root, train=False,
                               transform=torchvision.transforms.ToTensor()),
    batch_size=batch_size)))
torch_X = torch_X.to(torch_device)
print(f"digits {torch_y.tolist()}, batch shape {tuple(torch_X.shape)}")

# sphinx_gallery_start_ignore
assert np.array_equal(gluon_X.asnumpy(), torch_X.cpu().numpy())
assert np.array_equal(gluon_y.asnumpy(), torch_y.numpy())
# sphinx_gallery_end_ignore

# %%
# What to print after each layer: a name, the shape, and the minimum, mean
# and standard deviation of the values. The three APIs hand their arrays to
# this one function as NumPy arrays.


def describe(name, values):
    print(f"{name:<9}{str(values.shape):<18}{values.min():>9.4f}"
          f"{values.mean():>9.4f}{values.std():>9.4f}")
    return name, values.shape, values.min(), values.mean(), values.std()


def print_header():
    print(f"{'layer':<9}{'shape':<18}{'min':>9}{'mean':>9}{'std':>9}")


def print_wrapped(text):
    """Print a long list or message in lines of at most 79 characters."""
    print(textwrap.fill(str(text), 79, subsequent_indent="    "))


# %%
# (a) Gluon: call the layers one after the other
# ----------------------------------------------
#
# The LeNet of the LeNet page, with one change: each layer gets a
# ``prefix``, so that its name and its parameters' names (``conv1_weight``,
# ...) are the ones the symbolic graph below uses. Gluon folds the ReLU
# into the convolution and dense layers (``activation="relu"``).


def gluon_lenet():
    net = gnn.HybridSequential()
    net.add(gnn.Conv2D(channels=20, kernel_size=5, activation="relu",
                       prefix="conv1_"),
            gnn.MaxPool2D(pool_size=2, strides=2, prefix="pool1_"),
            gnn.Conv2D(channels=50, kernel_size=5, activation="relu",
                       prefix="conv2_"),
            gnn.MaxPool2D(pool_size=2, strides=2, prefix="pool2_"),
            gnn.Flatten(prefix="flatten_"),
            gnn.Dense(512, activation="relu", prefix="fc1_"),
            gnn.Dense(10, prefix="fc2_"))
    return net


mx.random.seed(seed)
gluon_net = gluon_lenet()
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)

# %%
# A ``Sequential`` is a list of layers, and a layer is a function: calling
# them in turn *is* the forward pass, with a ``print`` in between. Any
# other Python (a plot, an ``if``, a breakpoint) could go there too.


def gluon_step_through(net, X):
    rows = []
    for layer in net:
        X = layer(X)
        rows.append(describe(layer.name, X.asnumpy()))
    return rows


print_header()
gluon_rows = gluon_step_through(gluon_net, gluon_X)
assert np.allclose(gluon_rows[-1][3], gluon_net(gluon_X).asnumpy().mean())

# %%
# (b) PyTorch: the same loop
# --------------------------
#
# The PyTorch LeNet, its layers named after the symbolic graph's operators
# by an ``OrderedDict``. PyTorch keeps the ReLUs as layers of their own.
# Gluon's weights are copied in, so that the three tables compare the same
# computation (the LeNet page shows how the two frameworks' own
# initialisations differ).


def torch_lenet():
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 20, kernel_size=5)), ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(kernel_size=2, stride=2)),
        ("conv2", nn.Conv2d(20, 50, kernel_size=5)), ("relu2", nn.ReLU()),
        ("pool2", nn.MaxPool2d(kernel_size=2, stride=2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(800, 512)), ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(512, 10)),
    ]))


gluon_weights = {name: param.data()
                 for name, param in gluon_net.collect_params().items()}
torch_net = torch_lenet().to(torch_device)
# "conv1_weight" in Gluon is "conv1.weight" in PyTorch
torch_net.load_state_dict({
    ".".join(name.rsplit("_", 1)): torch.from_numpy(weight.asnumpy())
    for name, weight in gluon_weights.items()})

# %%
# ``named_children()`` gives the layers with their names; ``no_grad()``
# skips recording for backpropagation, which a look does not need.


def torch_step_through(net, X):
    rows = []
    with torch.no_grad():
        for name, layer in net.named_children():
            X = layer(X)
            rows.append(describe(name, X.cpu().numpy()))
    return rows


print_header()
torch_rows = torch_step_through(torch_net, torch_X)

# %%
# (c) MXNet symbolic: shapes first, then an executor for the values
# ------------------------------------------------------------------
#
# The symbolic LeNet of the LeNet page, without its loss layer: a graph of
# named operators with no values.


def symbolic_lenet():
    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool1")
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=50, name="conv2")
    x = mx.sym.Activation(x, act_type="relu", name="relu2")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool2")
    x = mx.sym.Flatten(x, name="flatten")
    x = mx.sym.FullyConnected(x, num_hidden=512, name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu3")
    return mx.sym.FullyConnected(x, num_hidden=10, name="fc2")


lenet_symbol = symbolic_lenet()

# %%
# A symbol has one output, the last layer's. ``get_internals()`` returns a
# symbol whose outputs are *every* node of the graph: the inputs, the
# weights and each operator's output, named ``<operator>_output``.

internals = lenet_symbol.get_internals()
print_wrapped(internals.list_outputs())
output_names = [name for name in internals.list_outputs()
                if name.endswith("_output")]

# %%
# Shapes need no data at all: ``infer_shape`` propagates the input's shape
# through the graph. This is the symbolic API at its best: the shape of
# every layer, checked for consistency, before anything is allocated.

_, internal_shapes, _ = internals.infer_shape(data=gluon_X.shape)
internal_shapes = dict(zip(internals.list_outputs(), internal_shapes))
for name in output_names:
    print(f"{name:<16}{internal_shapes[name]}")

# %%
# Values are another matter. To see them, the chosen internal outputs are
# grouped into a new symbol, which is bound to the data and to every
# weight (an *executor*), and run. What comes back is a list of arrays,
# matched to the names by position.


def symbolic_step_through(symbol, weights, X):
    internals = symbol.get_internals()
    names = [name for name in internals.list_outputs()
             if name.endswith("_output")]
    outputs = mx.sym.Group([internals[name] for name in names])
    executor = outputs.bind(mx_ctx, args={"data": X, **weights},
                            grad_req="null")
    executor.forward(is_train=False)
    return [describe(name[:-len("_output")], value.asnumpy())
            for name, value in zip(names, executor.outputs)]


print_header()
fused_rows = symbolic_step_through(lenet_symbol, gluon_weights, gluon_X)

# %%
# Look at the ``relu`` rows: their minimum is negative, which no ReLU can
# output, and they repeat the rows above them. Then look at the last row,
# ``fc2``, the network's output, and compare it with Gluon's and
# PyTorch's: it differs too. No error, no warning: wrong values, in every
# layer from the first ReLU on.

fused_by_name = {row[0]: row for row in fused_rows}
fused_relu_check = claims.check(
    "fused run: smallest value in the relu rows",
    min(fused_by_name[relu][2] for relu in ("relu1", "relu2", "relu3")),
    "<", 0.0, "a ReLU's output is never negative: these are not ReLUs")
for relu, layer in (("relu1", "conv1"), ("relu2", "conv2"),
                    ("relu3", "fc1")):
    assert np.allclose(fused_by_name[relu][2:], fused_by_name[layer][2:])

# %%
# The graph MXNet runs is not the graph we wrote. On the CPU, binding an
# executor for inference (``grad_req="null"``: no gradients) first
# rewrites the graph (the MKLDNN *subgraph backend*), and
# ``get_backend_symbol`` shows the rewrite. For LeNet alone, each
# convolution or dense layer and the ReLU after it become one fused
# operator. For the group of internal outputs, MXNet 1.9.1 drops the ReLUs
# altogether and serves each layer's output under the ReLU's name too.


def operators(symbol):
    nodes = json.loads(symbol.tojson())["nodes"]
    return [node["name"] for node in nodes if node["op"] != "null"]


internals_group = mx.sym.Group([internals[name] for name in output_names])
lenet_rewritten = operators(lenet_symbol.get_backend_symbol("MKLDNN"))
group_rewritten = internals_group.get_backend_symbol("MKLDNN")
print_wrapped(f"LeNet, rewritten: {lenet_rewritten}")
print_wrapped(f"internals, rewritten: {operators(group_rewritten)}")
print_wrapped(f"their outputs: {group_rewritten.list_outputs()}")
assert not any(name.startswith("relu") for name in lenet_rewritten)
assert sum("_act_" in name or "_eltwise_" in name
           for name in lenet_rewritten) == 3
assert not any(name.startswith("relu") or "_act_" in name
               or "_eltwise_" in name
               for name in operators(group_rewritten))
rewritten_outputs = group_rewritten.list_outputs()
for relu, layer in (("relu1", "conv1"), ("relu2", "conv2"),
                    ("relu3", "fc1")):
    assert (rewritten_outputs[output_names.index(f"{relu}_output")]
            == rewritten_outputs[output_names.index(f"{layer}_output")])

# %%
# Why, in MXNet's C++ source (``src/operator/subgraph/mkldnn/``, tag
# 1.9.1): the fused operator has a single output. When a layer's own
# output is asked for as well as its ReLU's, the fused subgraph has two
# outputs, and ``SgMKLDNNConvProperty::CreateSubgraphNode`` (likewise
# ``SgMKLDNNFCProperty``'s) keeps only the first one, the layer's ("This op
# has single output, remove duplicated"), then ``ConnectSubgraphOutputs``
# connects every consumer to that one output. The ReLU is gone from the
# computation, not only from what you read: ``pool1`` now pools the
# convolution's output. The rewrite is skipped when any gradient is asked
# for (the properties are ``inference_only``; ``SubgraphPropertyCheck`` in
# ``src/executor/graph_executor.cc``), so training executors are spared.
#
# The rewrite can be switched off with an environment variable that MXNet
# reads each time it binds an executor. Bound without it, the graph gives
# the values the network computes.

os.environ["MXNET_SUBGRAPH_BACKEND"] = "NONE"
print_header()
symbolic_rows = symbolic_step_through(lenet_symbol, gluon_weights, gluon_X)
del os.environ["MXNET_SUBGRAPH_BACKEND"]
unfused_relu_check = claims.check(
    "unfused run: smallest value in the relu rows",
    min(row[2] for row in symbolic_rows if row[0].startswith("relu")),
    ">=", 0.0, "a ReLU's output is never negative")


# %%
# And an executor that computes gradients is not rewritten, even with the
# default backend: bound with ``grad_req="write"``, its ReLUs are ReLUs,
# and its ``fc2`` is the unfused run's.

training_executor = internals_group.simple_bind(
    mx_ctx, data=gluon_X.shape, grad_req="write")
training_executor.copy_params_from(gluon_weights)
training_executor.arg_dict["data"][:] = gluon_X
training_outputs = dict(zip(output_names,
                            training_executor.forward(is_train=False)))
training_relu_min = min(training_outputs[f"relu{i}_output"].min()
                        .asscalar() for i in (1, 2, 3))
print(f"executor with gradients: smallest relu value {training_relu_min}")
print(f"fc2 std {training_outputs['fc2_output'].asnumpy().std():.4f} "
      f"(unfused run: {symbolic_rows[-1][4]:.4f})")
assert training_relu_min >= 0
assert np.allclose(training_outputs["fc2_output"].asnumpy().std(),
                   symbolic_rows[-1][4], rtol=1e-5)

# %%
# What the fused run computed
# ---------------------------
#
# If the ReLUs were dropped from the computation, the fused run is LeNet
# without its ReLUs. PyTorch can run exactly that: the same layers, the
# ReLUs left out.

torch_without_relus = nn.Sequential(OrderedDict(
    (name, layer) for name, layer in torch_net.named_children()
    if not isinstance(layer, nn.ReLU)))
print_header()
without_relu_rows = torch_step_through(torch_without_relus, torch_X)

# %%
# Same numbers, different costs
# -----------------------------
#
# The three tables describe the same computation: PyTorch's and the
# unfused graph's rows are the same layers, and each of Gluon's rows
# matches the row of the other two that ends the same step (Gluon's
# ``conv1`` includes its ReLU, so it matches ``relu1``). The largest
# difference between two tables sets the scale of float32 rounding here.

gluon_to_others = {"conv1": "relu1", "pool1": "pool1", "conv2": "relu2",
                   "pool2": "pool2", "flatten": "flatten", "fc1": "relu3",
                   "fc2": "fc2"}
torch_by_name = {row[0]: row for row in torch_rows}
symbolic_by_name = {row[0]: row for row in symbolic_rows}
assert list(torch_by_name) == list(symbolic_by_name)


def largest_difference(rows, other_rows):
    """The largest difference of min, mean or std between paired rows."""
    for row, other in zip(rows, other_rows):
        assert row[1] == other[1], (row[0], other[0])
    return max(float(np.abs(np.subtract(row[2:], other[2:])).max())
               for row, other in zip(rows, other_rows))


rounding = max(
    largest_difference(torch_rows, symbolic_rows),
    largest_difference(gluon_rows, [torch_by_name[gluon_to_others[row[0]]]
                                    for row in gluon_rows]))
for gluon_row in gluon_rows:
    other = gluon_to_others[gluon_row[0]]
    assert internal_shapes[f"{other}_output"] == gluon_row[1]
agreement_check = claims.check(
    "largest difference between the three APIs' statistics, any layer",
    rounding, "<=", 1e-5,
    "float32 keeps about 7 digits, so statistics of values below 1 "
    "computed in another order differ by about 1e-7; 1e-5 leaves 100x")

# %%
# Against that scale, the fused run's ``fc2`` is another network's output,
# and its rows are those of PyTorch's LeNet without ReLUs, layer for layer.

fused_without_relu_rows = [row for row in fused_rows
                           if not row[0].startswith("relu")]
print(f"fc2, fused run:       {fused_by_name['fc2'][2:]}")
print(f"fc2, unfused run:     {symbolic_by_name['fc2'][2:]}")
print(f"fc2, without ReLUs:   {without_relu_rows[-1][2:]}")
fused_output_check = claims.check(
    "fc2 statistics, fused vs unfused run: largest difference",
    largest_difference(fused_rows[-1:], symbolic_rows[-1:]), ">=",
    100 * rounding,
    "a hundred times the largest difference between two APIs computing "
    "the same network: the fused run computes another one")
without_relu_check = claims.check(
    "fused run vs PyTorch without ReLUs: largest difference, 7 layers",
    largest_difference(fused_without_relu_rows, without_relu_rows), "<=",
    1e-5, "the same float32 rounding as between the three APIs")

# %%
# The smallest value of each layer's output, in a picture: the three APIs'
# points lie on one another (Gluon's where its layer ends the same step),
# never below zero after a ReLU; the fused run dips below zero at every
# ``relu``, where it repeats the layer before.

layer_names = [row[0] for row in torch_rows]
gluon_positions = [layer_names.index(gluon_to_others[row[0]])
                   for row in gluon_rows]
fig, ax = plt.subplots()
ax.plot(layer_names, [row[2] for row in fused_rows], linestyle="--",
        color=style.OTHER_COLORS[0], marker="x", markersize=10,
        label="MXNet symbolic, fused (MKLDNN) run")
for api, positions, rows, size in (
        ("symbolic", range(len(layer_names)), symbolic_rows, 11),
        ("gluon", gluon_positions, gluon_rows, 8),
        ("pytorch", range(len(layer_names)), torch_rows, 5)):
    ax.plot([layer_names[i] for i in positions], [row[2] for row in rows],
            linestyle="none", markersize=size, **style.line(api))
ax.axhline(0.0, color="grey", linewidth=0.8)
ax.set_xlabel("layer (in PyTorch's and the graph's order)")
ax.set_ylabel("smallest output value")
ax.set_title("Only the fused run has ReLU outputs below zero")
ax.legend()
plt.show()

# %%
# What it takes to look: decide as you go, or list in advance
# -----------------------------------------------------------
#
# In Gluon and PyTorch the inspection is the forward pass itself, so the
# loop can decide after each layer what to do next. Say a layer's weights
# have blown up (here ``conv2``'s, multiplied by :math:`10^4`) and the
# question is which layer's output first goes out of range (above 100 in
# absolute value, where every value of the healthy tables is below 1). The
# loop stops there, and the layers after it never run.

EXPLODED = 100.0
exploded_weights = dict(gluon_weights,
                        conv2_weight=gluon_weights["conv2_weight"] * 1e4)


def torch_first_exploded(net, X):
    with torch.no_grad():
        for num_run, (name, layer) in enumerate(net.named_children(), 1):
            X = layer(X)
            if X.abs().max().item() > EXPLODED:
                return name, num_run
    return None, num_run


def gluon_first_exploded(net, X):
    for num_run, layer in enumerate(net, 1):
        X = layer(X)
        if X.abs().max().asscalar() > EXPLODED:
            return layer.name, num_run
    return None, num_run


exploded_torch = copy.deepcopy(torch_net)
with torch.no_grad():
    exploded_torch.conv2.weight.mul_(1e4)
exploded_gluon = gluon_lenet()
exploded_gluon.initialize(ctx=mx_ctx)
exploded_gluon(gluon_X)  # gives the weights their shapes
for name, param in exploded_gluon.collect_params().items():
    param.set_data(exploded_weights[name])

torch_found, torch_num_run = torch_first_exploded(exploded_torch, torch_X)
gluon_found, gluon_num_run = gluon_first_exploded(exploded_gluon, gluon_X)
print(f"PyTorch: {torch_found}, after {torch_num_run} of "
      f"{len(exploded_torch)} layers")
print(f"Gluon:   {gluon_found}, after {gluon_num_run} of "
      f"{len(exploded_gluon)} layers")

# %%
# An executor cannot stop halfway: its outputs are fixed when it is bound,
# and ``forward`` runs every operator of the graph. A monitor installed on
# the executor (``mx.mon.Monitor``, as on
# :ref:`sphx_glr_auto_examples_debugging_plot_gradients.py`) records each
# operator's largest absolute value as it runs, which tells which operators
# ran; the first exploded layer is found afterwards, in the list.

os.environ["MXNET_SUBGRAPH_BACKEND"] = "NONE"
exploded_executor = internals_group.bind(
    mx_ctx, args={"data": gluon_X, **exploded_weights}, grad_req="null")
del os.environ["MXNET_SUBGRAPH_BACKEND"]
largest_value = mx.mon.Monitor(1, lambda x: x.abs().max(),
                               pattern=r".*_output$")
largest_value.install(exploded_executor)
largest_value.tic()
exploded_executor.forward(is_train=False)
symbolic_ran = [(name[:-len("_output")], float(value))
                for _, name, value in largest_value.toc()]
symbolic_found = next(name for name, value in symbolic_ran
                      if value > EXPLODED)
print_wrapped(f"operators run: {[name for name, _ in symbolic_ran]}")
print(f"MXNet symbolic: {symbolic_found}, found after {len(symbolic_ran)} "
      f"of {len(output_names)} operators")

# %%
# The three find the same layer; only the imperative loops stop there.

decide_check = claims.check(
    "PyTorch loop: layers run to find the first exploded one",
    torch_num_run, "<", len(exploded_torch),
    "the loop decides after each layer; conv2 is the 4th of 10, so a loop "
    "that could not stop would run all 10")
all_run_check = claims.check(
    "symbolic executor: operators run to find it (counted by a monitor)",
    len(symbolic_ran), "==", len(output_names),
    "the outputs are listed before the run, and forward runs every one")
same_layer_check = claims.check(
    "first exploded layer: PyTorch, Gluon, MXNet symbolic",
    (torch_found, gluon_found, symbolic_found), "==",
    ("conv2", "conv2", "conv2"), "conv2's weights are the ones multiplied")

# %%
# Who works out the input sizes?
# ------------------------------
#
# LeNet's first dense layer takes 800 inputs: 50 channels of 4x4 pixels,
# which depends on every layer before it. Each API can work the number out
# by itself, in its own way.
#
# **Gluon** defers the initialisation: right after ``initialize`` the
# weights have an unknown dimension, shown as 0, and asking for their
# values is an error. The first batch fixes the shapes, and only then are
# the weights drawn.

mx.random.seed(seed)
deferred_net = gluon_lenet()
deferred_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
print("before the first batch:", deferred_net[0].weight.shape,
      deferred_net[5].weight.shape)
assert deferred_net[5].weight.shape == (512, 0)
try:
    deferred_net[5].weight.data()
except gluon.parameter.DeferredInitializationError as error:
    print_wrapped(f"DeferredInitializationError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore
deferred_net(gluon_X)
print("after the first batch: ", deferred_net[0].weight.shape,
      deferred_net[5].weight.shape)
assert deferred_net[0].weight.shape == (20, 1, 5, 5)
assert deferred_net[5].weight.shape == (512, 800)

# %%
# **PyTorch** asks for every input size (``nn.Linear(800, 512)`` above)
# unless you use its *lazy* layers. A ``LazyLinear`` holds an
# ``UninitializedParameter`` until its first call, which gives it its
# shape and turns the layer into an ordinary ``Linear``. Until then even
# counting the parameters fails.

lazy_net = nn.Sequential(
    nn.LazyConv2d(20, kernel_size=5), nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.LazyConv2d(50, kernel_size=5), nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.LazyLinear(512), nn.ReLU(),
    nn.LazyLinear(10),
).to(torch_device)
print("before the first batch:", type(lazy_net[7]).__name__,
      type(lazy_net[7].weight).__name__)
assert isinstance(lazy_net[7].weight, nn.parameter.UninitializedParameter)
try:
    sum(param.numel() for param in lazy_net.parameters())
except ValueError as error:
    print_wrapped(f"ValueError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore
lazy_net(torch_X)
print("after the first batch: ", type(lazy_net[7]).__name__,
      tuple(lazy_net[7].weight.shape))
assert type(lazy_net[7]) is nn.Linear
assert lazy_net[7].weight.shape == (512, 800)

# %%
# **The symbolic graph** never needed the sizes: ``infer_shape`` gives the
# weights' shapes along with the outputs', from the input's shape alone.
# The three agree on the size of the network.

argument_shapes, _, _ = lenet_symbol.infer_shape(data=gluon_X.shape)
argument_shapes = dict(zip(lenet_symbol.list_arguments(), argument_shapes))
print("fc1_weight:", argument_shapes["fc1_weight"])
assert argument_shapes["fc1_weight"] == (512, 800)

num_parameters = {
    "Gluon": sum(param.data().size
                 for param in deferred_net.collect_params().values()),
    "PyTorch (lazy)": sum(param.numel() for param in lazy_net.parameters()),
    "MXNet symbolic": sum(int(np.prod(shape))
                          for name, shape in argument_shapes.items()
                          if name != "data"),
}
print(num_parameters)
assert len(set(num_parameters.values())) == 1

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_step_through", "step-through", "holds with caveats",
    "Gluon and PyTorch print every layer's output from a plain loop that "
    "can stop at the first bad layer; the symbolic API needs "
    "get_internals() and a bound executor that runs every listed output. "
    "Bound for inference, MXNet 1.9.1's MKLDNN rewrite of that executor "
    "dropped the ReLUs from the computation (its fc2 output is LeNet's "
    "without ReLUs) until it was switched off.",
    [fused_relu_check, unfused_relu_check, agreement_check,
     fused_output_check, without_relu_check, decide_check, all_run_check,
     same_layer_check])

# %%
# Takeaways
# ---------
#
# * In Gluon and PyTorch a network is stepped through with the loop that
#   runs it; each intermediate result is an array you can print, plot or
#   test, at the moment it is computed.
# * A loop decides as it goes: it stopped at the first exploded layer
#   after 4 of 10 layers. An executor's outputs are listed before the run,
#   and ``forward`` computes them all.
# * The symbolic API knows every shape before any data, which catches
#   shape errors early. Its values, though, come out of a separately bound
#   executor, by name, and only those you asked for in advance.
# * The graph that runs is the graph after MXNet's rewrites. Asking for
#   intermediate outputs changes what is rewritten, and in MXNet 1.9.1 on
#   the CPU, for an executor bound without gradients, the rewrite dropped
#   the ReLUs from the computation: the internals you read *and* the
#   network's output were those of LeNet without ReLUs. Check what you
#   inspect (a ReLU's output is never negative), or bind with
#   ``MXNET_SUBGRAPH_BACKEND=NONE``.
# * Input sizes: Gluon infers them at the first batch, PyTorch's lazy
#   layers likewise, the symbolic graph from the input's shape.
# * Next: :ref:`sphx_glr_auto_examples_debugging_plot_error_location.py`
#   for what happens when a shape is wrong, and
#   :ref:`sphx_glr_auto_examples_debugging_plot_debugger.py` for stopping
#   inside ``forward`` with a debugger.
