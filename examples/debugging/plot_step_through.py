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
three tables must agree. In the two imperative APIs stepping through the
network is a ``for`` loop over its layers. In the symbolic API the
intermediate values exist only inside an executor; getting them out is a
small project of its own, and on the CPU, with MXNet's default settings,
the first attempt returns wrong values without a warning.

**What you will learn**

* how to step through a network in Gluon and in PyTorch, and read every
  intermediate result;
* how the symbolic API gives the shapes before any data (``infer_shape``)
  and the values through ``get_internals()`` and an executor;
* that the graph MXNet runs is not always the graph you wrote, and how to
  see the graph it runs;
* how each API infers the input sizes of layers: Gluon's deferred
  initialisation, PyTorch's lazy modules, the graph's shape inference.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`, which
introduces the three APIs. The page reads MNIST from ``$SIDEBYSIDE_DATA``
like every page of this site.
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, the thread count is set before MXNet and PyTorch are
# imported. MXNet runs on the CPU; PyTorch uses a GPU when there is one.

from sidebyside import runtime

num_threads = runtime.configure_threads()

import inspect
import json
import os
from collections import OrderedDict

import mxnet as mx
import numpy as np
import torch
import torchvision
from mxnet import gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside.data import ensure_mnist
from sidebyside.gluon import MNIST as GluonMNIST

torch.set_num_threads(num_threads)
assert torch.get_num_threads() == num_threads
runtime.print_setup()

mx_ctx = runtime.mxnet_context()
torch_device = runtime.torch_device()

# On a GPU, PyTorch computes float32 convolutions in TF32 by default (a
# 10-bit mantissa). The comparisons with MXNet on this page need float32.
torch.backends.cudnn.conv.fp32_precision = "ieee"

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
print(internals.list_outputs())
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
# output, and they repeat the rows above them. No error, no warning: wrong
# values, which change every layer after them.

fused_by_name = {row[0]: row for row in fused_rows}
for relu, layer in (("relu1", "conv1"), ("relu2", "conv2"),
                    ("relu3", "fc1")):
    assert fused_by_name[relu][2] < 0, relu
    assert np.allclose(fused_by_name[relu][2:], fused_by_name[layer][2:])

# %%
# The graph MXNet runs is not the graph we wrote. On the CPU, binding an
# executor for inference first rewrites the graph (the MKLDNN *subgraph
# backend*), and ``get_backend_symbol`` shows the rewrite. For LeNet alone,
# each convolution or dense layer and the ReLU after it become one fused
# operator. For the group of internal outputs, MXNet 1.9.1 drops the ReLUs
# altogether and serves each layer's output under the ReLU's name too.


def operators(symbol):
    nodes = json.loads(symbol.tojson())["nodes"]
    return [node["name"] for node in nodes if node["op"] != "null"]


internals_group = mx.sym.Group([internals[name] for name in output_names])
lenet_rewritten = operators(lenet_symbol.get_backend_symbol("MKLDNN"))
group_rewritten = internals_group.get_backend_symbol("MKLDNN")
print("LeNet, rewritten:     ", lenet_rewritten)
print("internals, rewritten: ", operators(group_rewritten))
print("their outputs:        ", group_rewritten.list_outputs())
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
# The rewrite can be switched off with an environment variable that MXNet
# reads each time it binds an executor. Bound without it, the graph gives
# the values the network computes.

os.environ["MXNET_SUBGRAPH_BACKEND"] = "NONE"
print_header()
symbolic_rows = symbolic_step_through(lenet_symbol, gluon_weights, gluon_X)
del os.environ["MXNET_SUBGRAPH_BACKEND"]
assert min(row[2] for row in symbolic_rows
           if row[0].startswith("relu")) >= 0

# %%
# Same numbers, different costs
# -----------------------------
#
# The three tables describe the same computation: PyTorch's and the
# graph's rows are the same layers, and each of Gluon's rows matches the
# row of the other two that ends the same step (Gluon's ``conv1`` includes
# its ReLU, so it matches ``relu1``).

gluon_to_others = {"conv1": "relu1", "pool1": "pool1", "conv2": "relu2",
                   "pool2": "pool2", "flatten": "flatten", "fc1": "relu3",
                   "fc2": "fc2"}
torch_by_name = {row[0]: row for row in torch_rows}
symbolic_by_name = {row[0]: row for row in symbolic_rows}
assert list(torch_by_name) == list(symbolic_by_name)
for torch_row, symbolic_row in zip(torch_rows, symbolic_rows):
    assert torch_row[1] == symbolic_row[1], torch_row[0]
    assert np.allclose(torch_row[2:], symbolic_row[2:], rtol=1e-4,
                       atol=1e-6), torch_row[0]
for gluon_row in gluon_rows:
    other = gluon_to_others[gluon_row[0]]
    assert gluon_row[1] == torch_by_name[other][1], gluon_row[0]
    assert np.allclose(gluon_row[2:], torch_by_name[other][2:], rtol=1e-4,
                       atol=1e-6), gluon_row[0]
    assert internal_shapes[f"{other}_output"] == gluon_row[1]
print("The three APIs agree on every shape and statistic.")

# %%
# What it took to see them: in Gluon and PyTorch the inspection is the
# forward pass itself, a loop over the layers. In the symbolic API it is a
# second graph, built from the internals' names, bound to every weight and
# run apart from training, and the outputs must be listed before the run:
# there is no "after this layer" at which to decide what to look at next.

for step_through in (gluon_step_through, torch_step_through,
                     symbolic_step_through):
    source = inspect.getsource(step_through)
    print(f"{step_through.__name__}: {len(source.splitlines())} lines")
symbolic_lines = len(inspect.getsource(symbolic_step_through).splitlines())
assert symbolic_lines > len(inspect.getsource(gluon_step_through)
                            .splitlines())
assert symbolic_lines > len(inspect.getsource(torch_step_through)
                            .splitlines())

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
    print(f"DeferredInitializationError: {error}")
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
    print(f"ValueError: {error}")
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

from sidebyside import claims

claims.record(
    "debugging/plot_step_through", "step-through", "holds with caveats",
    "Gluon and PyTorch print every layer's output from a plain loop; the "
    "symbolic API needs get_internals() and a bound executor, and MXNet's"
    " MKLDNN graph rewrite returned wrong internals until it was switched"
    " off (asserted).")

# %%
# Takeaways
# ---------
#
# * In Gluon and PyTorch a network is stepped through with the loop that
#   runs it; each intermediate result is an array you can print, plot or
#   test, at the moment it is computed.
# * The symbolic API knows every shape before any data, which catches
#   shape errors early. Its values, though, come out of a separately bound
#   executor, by name, and only those you asked for in advance.
# * The graph that runs is the graph after MXNet's rewrites. Asking for
#   intermediate outputs changes what is rewritten, and in MXNet 1.9.1 on
#   the CPU it returned wrong values: check what you inspect (a ReLU's
#   output is never negative), or bind with
#   ``MXNET_SUBGRAPH_BACKEND=NONE``.
# * Input sizes: Gluon infers them at the first batch, PyTorch's lazy
#   layers likewise, the symbolic graph from the input's shape.
# * Next: :ref:`sphx_glr_auto_examples_debugging_plot_error_location.py`
#   for what happens when a shape is wrong, and
#   :ref:`sphx_glr_auto_examples_debugging_plot_debugger.py` for stopping
#   inside ``forward`` with a debugger.
