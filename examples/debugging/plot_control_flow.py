"""
Control flow is plain Python
============================

A network whose structure depends on its input: a LeNet that pools
differently according to the size of the image it is given. Small digits
get LeNet's usual 2x2 max pooling; digits scanned at twice the resolution
get a wider average pooling, so that both end up on the same 4x4 grid and
share every weight. In Gluon and PyTorch this policy is an ``if`` in
``forward``, run anew at every call. In MXNet's symbolic API the graph is
fixed before it sees any data, so the ``if`` can only choose between
graphs: one graph per input size, kept together by a ``BucketingModule``.
The page trains the network once, on both sizes, and checks that the three
APIs compute the same thing on both. It ends with what today's graph
makers, ``torch.compile``, ``torch.fx`` and ``torch.export``, do with the
same ``if``, and with an ``if`` on the pixel values.

**What you will learn**

* how a Python ``if`` on a tensor's shape works in Gluon and PyTorch, and
  why it stops working when Gluon is hybridized;
* what the symbolic API needs instead: one graph per shape, and
  ``BucketingModule`` to share the weights between them;
* what happens when a graph built for one size is fed another;
* that ``torch.compile`` keeps the ``if`` working by compiling a graph per
  input size, that ``torch.fx`` refuses it as ``hybridize`` does, and that
  ``torch.export`` makes one program per size, as the symbolic API does;
* what each tool does with an ``if`` on values, and that ``torch.cond``
  and MXNet's ``cond`` put such a branch inside the graph.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` for
the three APIs, and
:ref:`sphx_glr_auto_examples_debugging_plot_step_through.py` for
``infer_shape``. The page reads MNIST from ``$SIDEBYSIDE_DATA`` like every
page of this site. :doc:`/guide/best-of-both` compares the graph makers
on smaller examples.
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
# when there is one. Gluon comes first on this page, not the symbolic API
# as elsewhere on this site: Gluon trains the network, and PyTorch and the
# symbolic graphs are given its weights.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import contextlib
import io
import logging
import re
import textwrap

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from mxnet import autograd, gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist
from sidebyside.gluon import MNIST as GluonMNIST

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch


def print_wrapped(text):
    """Print a long message in lines of at most 79 characters, with the
    folders of file paths left out (``/a/b/page.py`` is ``page.py``)."""
    text = re.sub(r"(?<![\w.])(/[^\s/:]+)+/([^\s/:]+\.py)", r"\2",
                  str(text))
    for line in text.splitlines():
        print(textwrap.fill(line, 79, subsequent_indent="    ",
                            break_long_words=False) if line else line)


# %%
# The two input sizes, and the 4x4 grid both must reach before the dense
# layers. Two epochs over the training digits, half of the batches at each
# size, are enough to show that the network learns both.

seed = 0
batch_size = 50
lr = 0.05
momentum = 0.9
num_epochs = 2
grid = 4
sides = (28, 56)

# %%
# The data
# --------
#
# Gluon and PyTorch read the digits with their own MNIST readers, as in
# the LeNet page (the training happens in Gluon, the test digits are read
# by both). The large version of a digit repeats each pixel 2x2: the same
# digit, scanned at twice the resolution.

mnist = ensure_mnist()
to_tensor = gluon.data.vision.transforms.ToTensor()
train_set = GluonMNIST(train=True).transform_first(to_tensor)
test_set = GluonMNIST(train=False).transform_first(to_tensor)
gluon_train = gluon.data.DataLoader(train_set, batch_size=batch_size,
                                    shuffle=True)
gluon_test = gluon.data.DataLoader(test_set, batch_size=batch_size)
torch_test = torch.utils.data.DataLoader(
    torchvision.datasets.MNIST(mnist.root, train=False,
                               transform=torchvision.transforms.ToTensor()),
    batch_size=batch_size)


def gluon_resize(X, side):
    scale = side // X.shape[-1]
    return X.repeat(scale, axis=2).repeat(scale, axis=3)


def torch_resize(X, side):
    scale = side // X.shape[-1]
    return X.repeat_interleave(scale, dim=2).repeat_interleave(scale, dim=3)


X_test, _ = next(iter(gluon_test))
X_test = X_test.as_in_context(mx_ctx)
torch_X_test, _ = next(iter(torch_test))
torch_X_test = torch_X_test.to(torch_device)
print(f"test batch {X_test.shape}, resized: "
      f"{gluon_resize(X_test, 56).shape}")

# sphinx_gallery_start_ignore
assert np.array_equal(gluon_resize(X_test, 56).asnumpy(),
                      torch_resize(torch_X_test, 56).cpu().numpy())
# sphinx_gallery_end_ignore


# %%
# (a) Gluon: an ``if`` in the forward pass
# ----------------------------------------
#
# After the two convolutions, a 28-pixel digit is an 8x8 feature map and a
# 56-pixel one is 22x22. The forward pass looks at the map's size and
# picks the pooling that brings it to the 4x4 grid. ``policies`` records
# the choice, so that the page can show which branch ran. The layers get
# the names the symbolic graph will use, as in
# :ref:`sphx_glr_auto_examples_debugging_plot_step_through.py`.


class GluonAdaptiveLeNet(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = gnn.Conv2D(20, kernel_size=5, activation="relu",
                                prefix="conv1_")
        self.conv2 = gnn.Conv2D(50, kernel_size=5, activation="relu",
                                prefix="conv2_")
        self.fc1 = gnn.Dense(512, activation="relu", prefix="fc1_")
        self.fc2 = gnn.Dense(10, prefix="fc2_")
        self.policies = []

    def hybrid_forward(self, F, x):
        x = F.Pooling(self.conv1(x), pool_type="max", kernel=(2, 2),
                      stride=(2, 2))
        x = self.conv2(x)
        side = x.shape[-1]
        if side > 2 * grid:  # a large input: average over wide windows
            window = side // grid
            x = F.Pooling(x, pool_type="avg", kernel=(window, window),
                          stride=(window, window))
            self.policies.append(f"{side}x{side}: average {window}x{window}")
        else:  # a small one: LeNet's 2x2 max pooling
            x = F.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
            self.policies.append(f"{side}x{side}: max 2x2")
        return self.fc2(self.fc1(F.flatten(x)))


mx.random.seed(seed)
np.random.seed(seed)
gluon_net = GluonAdaptiveLeNet()
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)

# %%
# One network, two sizes: the ``if`` takes a different branch for each,
# and both give ten logits per digit, from the same weights.

for side in sides:
    logits = gluon_net(gluon_resize(X_test, side))
    print(f"input {side}x{side}: {gluon_net.policies[-1]}, "
          f"logits {logits.shape}")
    assert logits.shape == (batch_size, 10)
gluon_branch_check = claims.check(
    "Gluon: pooling its if chose at 28 and 56 pixels",
    tuple(gluon_net.policies), "==",
    ("8x8: max 2x2", "22x22: average 5x5"),
    "an 8x8 map needs 2x2 pooling and a 22x22 map 5x5 windows to reach "
    "the 4x4 grid that fc1 expects")

# %%
# Training is the loop of the LeNet page, with one change: every other
# batch is resized to 56x56 pixels.

softmax_ce = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(gluon_net.collect_params(), "sgd",
                        {"learning_rate": lr, "momentum": momentum})
for epoch in range(num_epochs):
    loss_sums = {side: mx.nd.zeros(1, ctx=mx_ctx) for side in sides}
    for i, (X, y) in enumerate(gluon_train):
        side = sides[i % 2]
        X = gluon_resize(X.as_in_context(mx_ctx), side)
        y = y.as_in_context(mx_ctx)
        with autograd.record():
            loss = softmax_ce(gluon_net(X), y)
        loss.backward()
        trainer.step(batch_size)
        loss_sums[side] += loss.sum()
    mean_losses = [loss_sums[side].asscalar() / (len(train_set) / 2)
                   for side in sides]
    print(f"epoch {epoch}: training loss {mean_losses[0]:.3f} at 28x28, "
          f"{mean_losses[1]:.3f} at 56x56")

# %%
# The same ``if`` is what keeps this block from being hybridized. Once
# hybridized, ``hybrid_forward`` runs a single time, on symbols, to record
# a graph; a symbol has no shape, so there is nothing to decide on.

mx.random.seed(seed)
hybrid_net = GluonAdaptiveLeNet()
hybrid_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
hybrid_net.hybridize()
try:
    hybrid_net(gluon_resize(X_test, 28))
except AttributeError as error:
    hybridize_error = str(error)
    print(f"AttributeError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# (b) PyTorch: the same ``if``
# ----------------------------
#
# The PyTorch network reads the same way. Gluon's trained weights are
# copied in, so the two must give the same logits at both sizes.


class TorchAdaptiveLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, kernel_size=5)
        self.conv2 = nn.Conv2d(20, 50, kernel_size=5)
        self.fc1 = nn.Linear(50 * grid * grid, 512)
        self.fc2 = nn.Linear(512, 10)
        self.policies = []

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), kernel_size=2)
        x = F.relu(self.conv2(x))
        side = x.shape[-1]
        if side > 2 * grid:  # a large input: average over wide windows
            window = side // grid
            x = F.avg_pool2d(x, kernel_size=window)
            self.policies.append(f"{side}x{side}: average {window}x{window}")
        else:  # a small one: LeNet's 2x2 max pooling
            x = F.max_pool2d(x, kernel_size=2)
            self.policies.append(f"{side}x{side}: max 2x2")
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


gluon_weights = {name: param.data()
                 for name, param in gluon_net.collect_params().items()}
torch_net = TorchAdaptiveLeNet().to(torch_device)
# "conv1_weight" in Gluon is "conv1.weight" in PyTorch
torch_net.load_state_dict({
    ".".join(name.rsplit("_", 1)): torch.from_numpy(weight.asnumpy())
    for name, weight in gluon_weights.items()})
torch_net.eval()

torch_differences = []
for side in sides:
    with torch.no_grad():
        torch_logits = torch_net(torch_resize(torch_X_test, side))
    torch_logits = torch_logits.cpu().numpy()
    gluon_logits = gluon_net(gluon_resize(X_test, side)).asnumpy()
    torch_differences.append(np.abs(torch_logits - gluon_logits).max())
    print(f"input {side}x{side}: {torch_net.policies[-1]}, largest "
          f"difference from Gluon's logits {torch_differences[-1]:.1e}")
eager_checks = [
    gluon_branch_check,
    claims.check("PyTorch: pooling its if chose at 28 and 56 pixels",
                 tuple(torch_net.policies), "==",
                 tuple(gluon_net.policies[-2:]),
                 "the same if on the same sizes must take Gluon's branches"),
    claims.check("PyTorch: largest difference from Gluon's logits at "
                 "both sizes", max(torch_differences), "<", 1e-4,
                 "float32 rounding in two frameworks' convolutions gives "
                 "about 1e-6; the wrong pooling changes logits by order 1"),
]

# %%
# (c) MXNet symbolic: one graph per input size
# --------------------------------------------
#
# A symbol's input has no size when the graph is declared, so there is
# nothing for an ``if`` to test. The size has to come from outside: the
# function below takes the input's side as an argument and returns the
# graph for that size. The ``if`` is still Python, but it runs once per
# graph, at declaration, on a size that ``infer_shape`` works out from the
# argument.


def symbolic_adaptive_lenet(input_side):
    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool1")
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=50, name="conv2")
    x = mx.sym.Activation(x, act_type="relu", name="relu2")
    _, [shape], _ = x.infer_shape(data=(1, 1, input_side, input_side))
    side = shape[-1]
    if side > 2 * grid:  # a large input: average over wide windows
        window = side // grid
        x = mx.sym.Pooling(x, pool_type="avg", kernel=(window, window),
                           stride=(window, window), name="pool2")
    else:  # a small one: LeNet's 2x2 max pooling
        x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2),
                           stride=(2, 2), name="pool2")
    x = mx.sym.Flatten(x, name="flatten")
    x = mx.sym.FullyConnected(x, num_hidden=512, name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu3")
    return mx.sym.FullyConnected(x, num_hidden=10, name="fc2")


# %%
# The pooling window is an attribute of the ``pool2`` operator, a number
# written into each graph when it is declared.

for side in sides:
    attributes = symbolic_adaptive_lenet(side).attr_dict()["pool2"]
    print(f"graph for {side}x{side}, pool2:")
    print(f"    {attributes}")
assert (symbolic_adaptive_lenet(28).attr_dict()["pool2"]["kernel"]
        == "(2, 2)")
assert (symbolic_adaptive_lenet(56).attr_dict()["pool2"]["kernel"]
        == "(5, 5)")

# %%
# A graph for one size does not serve another. A ``Module`` bound to the
# 28-pixel graph, given a 56-pixel batch, re-binds itself to the new shape:
# with 2x2 pooling, the 22x22 map becomes 11x11, so ``fc1`` would need a
# weight of another shape, and MXNet refuses.

X_28 = gluon_resize(X_test, 28)
X_56 = gluon_resize(X_test, 56)
module = mx.mod.Module(symbolic_adaptive_lenet(28), label_names=None,
                       context=mx_ctx)
module.bind(data_shapes=[("data", X_28.shape)], for_training=False)
module.set_params(gluon_weights, {})
try:
    module.forward(mx.io.DataBatch([X_56]), is_train=False)
except mx.MXNetError as error:
    assert "fc1_weight changed" in str(error), error
    print_wrapped(str(error).strip().splitlines()[-1])
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# MXNet's answer is the ``BucketingModule``, made for inputs of several
# sizes (it was built for sentences of different lengths). It takes a
# function from a *bucket key*, here the input's side, to a graph, binds
# one executor per key as batches with that key arrive, and shares the
# weights between them. Each batch (here, batches of Gluon's reader)
# says which bucket it belongs to. The default bucket is the largest, so
# that the others can share its memory.


def graph_for_bucket(input_side):
    return symbolic_adaptive_lenet(input_side), ("data",), None


bucketing_module = mx.mod.BucketingModule(
    graph_for_bucket, default_bucket_key=max(sides), context=mx_ctx)
bucketing_module.bind(data_shapes=[("data", X_56.shape)],
                      for_training=False)
bucketing_module.set_params(gluon_weights, {})


def bucketing_logits(X):
    batch = mx.io.DataBatch(
        [X], bucket_key=X.shape[-1],
        provide_data=[mx.io.DataDesc("data", X.shape)])
    bucketing_module.forward(batch, is_train=False)
    return bucketing_module.get_outputs()[0]


bucketing_differences = []
for X_side in (X_28, X_56):
    symbolic_logits = bucketing_logits(X_side).asnumpy()
    gluon_logits = gluon_net(X_side.as_in_context(mx_ctx)).asnumpy()
    bucketing_differences.append(np.abs(symbolic_logits
                                        - gluon_logits).max())
    print(f"input {X_side.shape[-1]}x{X_side.shape[-1]}: largest "
          f"difference from Gluon's logits {bucketing_differences[-1]:.1e}")

symbolic_checks = [
    claims.check("hybridize: the shape if on a Symbol raises",
                 "no attribute 'shape'" in hybridize_error, "==", True,
                 "hybrid_forward runs on shape-less symbols"),
    claims.check("BucketingModule: bucket keys it bound executors for",
                 tuple(sorted(bucketing_module._buckets)), "==", sides,
                 "one graph per input size, each bound when its first "
                 "batch arrives"),
    claims.check("BucketingModule: largest difference from Gluon's "
                 "logits", max(bucketing_differences), "<", 1e-4,
                 "the same MXNet operators and weights; a wrong graph "
                 "or weight would differ by order 1"),
]

# %%
# Results
# -------
#
# The trained network on the 1,000 test digits, at both sizes, in the
# three APIs. The three agree (up to a near-tie that float rounding could
# flip), and the one set of weights classifies both sizes: at least 88 %
# after two epochs (the LeNet page trains for eight).


def gluon_accuracy(side):
    correct = 0
    for X, y in gluon_test:
        logits = gluon_net(gluon_resize(X.as_in_context(mx_ctx), side))
        correct += (logits.argmax(axis=1).asnumpy() == y.asnumpy()).sum()
    return correct / len(test_set)


def torch_accuracy(side):
    correct = 0
    with torch.no_grad():
        for X, y in torch_test:
            logits = torch_net(torch_resize(X.to(torch_device), side))
            correct += (logits.argmax(dim=1).cpu() == y).sum().item()
    return correct / len(test_set)


def symbolic_accuracy(side):
    correct = 0
    for X, y in gluon_test:
        logits = bucketing_logits(gluon_resize(X.as_in_context(mx_ctx),
                                               side))
        correct += (logits.argmax(axis=1).asnumpy() == y.asnumpy()).sum()
    return correct / len(test_set)


accuracy = {}
for api, api_accuracy in (("MXNet symbolic", symbolic_accuracy),
                          ("Gluon", gluon_accuracy),
                          ("PyTorch", torch_accuracy)):
    for side in sides:
        accuracy[api, side] = api_accuracy(side)

print(f"{'API':<16}" + "".join(f"{f'{side}x{side}':>10}" for side in sides))
for api in style.ORDER:
    print(f"{style.LABELS[api]:<16}"
          + "".join(f"{accuracy[style.LABELS[api], side]:>10.3f}"
                    for side in sides))

accuracy_checks = [
    claims.check("Gluon: lowest test accuracy of the two sizes",
                 min(accuracy["Gluon", side] for side in sides), ">=", 0.88,
                 "two epochs on 4,000 digits reach about 0.91; a size the "
                 "network did not learn would score about 0.1"),
    claims.check("largest accuracy gap to Gluon (PyTorch, symbolic)",
                 max(abs(accuracy[api, side] - accuracy["Gluon", side])
                     for api in ("PyTorch", "MXNet symbolic")
                     for side in sides), "<=", 0.002,
                 "two digits in 1,000: room for near-ties that float "
                 "rounding flips, nothing more"),
]

# %%
# The same in a picture: one set of weights, two input sizes, each taking
# its own branch of the ``if`` (or, in the symbolic API, its own graph),
# and the same accuracy in the three APIs.

fig, ax = plt.subplots()
bar_width = 0.25
for i, api in enumerate(style.ORDER):
    positions = [j + (i - 1) * bar_width for j in range(len(sides))]
    heights = [accuracy[style.LABELS[api], side] for side in sides]
    ax.bar(positions, heights, width=bar_width, **style.patch(api))
    for position, height in zip(positions, heights):
        ax.text(position, height + 0.01, f"{height:.3f}", ha="center",
                fontsize=9)
ax.axhline(0.1, color="grey", linestyle="--", linewidth=0.8)
ax.text(-0.45, 0.12, "chance", color="grey")
ax.set_xticks(range(len(sides)),
              ["28x28 pixels: max 2x2 pooling",
               "56x56 pixels: average 5x5 pooling"])
ax.set_ylim(0, 1.2)
ax.set_ylabel("test accuracy, 1,000 digits")
ax.set_title("One network, a branch per input size, the same accuracy")
ax.legend(loc="upper center", ncol=3)
plt.show()

# %%
# (d) Graph capture today: the same ``if`` in PyTorch
# ---------------------------------------------------
#
# PyTorch turns imperative code into graphs with three tools today, each
# with its own answer to this page's question. **torch.fx**'s
# ``symbolic_trace`` runs ``forward`` on *proxies*, placeholders that have,
# like MXNet's symbols, neither a size nor a value. ``x.shape[-1]`` is a
# proxy too, so the ``if`` has nothing to decide on, and tracing stops, as
# ``hybridize`` did.

try:
    torch.fx.symbolic_trace(torch_net)
except torch.fx.proxy.TraceError as error:
    fx_shape_error = str(error)
    print_wrapped(f"TraceError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# **torch.compile** reads the bytecode of ``forward`` as it runs (its
# front end, Dynamo), so the ``if`` sees a real size. Each graph it
# captures goes to a *backend*, the compiler; the one below compiles
# nothing, it counts the graphs and runs each as captured, which keeps
# this quick. A graph comes with *guards*, the conditions under which it
# is valid, checked at every call; a call that fails the guards of every
# graph so far gets a new one. ``guard_that_failed`` reads, from
# Dynamo's compilation records, a guard that the call failed, the graph
# it belongs to, and the line of ``forward`` it comes from.

compiled_graphs = []
graphs_with_symbolic_size = []


def counting_backend(graph_module, example_inputs):
    compiled_graphs.append(graph_module)
    graphs_with_symbolic_size.append(
        any(isinstance(value, torch.SymInt) for value in example_inputs))
    return graph_module.forward  # run the graph as captured


def guard_that_failed():
    reason = torch._dynamo.utils.get_compilation_metrics()[-1].recompile_reason
    if reason is None:
        return ["(first call)"]
    compile_id, guard = reason.split(": ", 1)  # e.g. "0/1: x.size()[2] == 8"
    graph_number = int(compile_id.split("/")[1]) + 1
    guard, *source = guard.split("  # ")
    lines = [f"fails graph {graph_number}'s guard: {guard}"]
    return lines + [f"set by: {source[0]}"] if source else lines


# %%
# Nine calls at seven sizes, on both sides of the branch. Before each, the
# list of recorded policies is emptied: it is Python state, which Dynamo
# updates after each graph and guards on, length included, so a growing
# list would fail the guards at every call (and once ``forward`` has
# ``torch._dynamo.config.recompile_limit`` graphs, 8, Dynamo compiles no
# more: a call that no graph covers runs uncompiled).

torch._dynamo.reset()
torch._dynamo.utils.clear_compilation_metrics()
compiled_net = torch.compile(torch_net, backend=counting_backend)
call_sides = (28, 56, 58, 28, 29, 44, 84, 36, 56)
new_graph_sides = []
compile_differences = []
for side in call_sides:
    X_side = F.interpolate(torch_X_test, size=(side, side), mode="bilinear")
    graphs_before = len(compiled_graphs)
    torch_net.policies.clear()
    with torch.no_grad():
        compiled_logits = compiled_net(X_side)
        eager_logits = torch_net(X_side)
    compile_differences.append(
        (compiled_logits - eager_logits).abs().max().item())
    call = f"{side}x{side} -> {torch_net.policies[0]}"
    if len(compiled_graphs) == graphs_before:
        print(f"{call:<30} reuses a graph")
    else:
        new_graph_sides.append(side)
        print(f"{call:<30} graph {len(compiled_graphs)}")
        for line in guard_that_failed():
            print_wrapped(f"    {line}")

# %%
# Seven graphs for nine calls: one per input size, and a size seen before
# reuses its graph. The first graph has every size fixed (its guard: ``x``
# is 28 pixels). From the second size on, Dynamo compiles with the height
# and width as symbols (its *automatic dynamic shapes*; the list below
# says which graphs take the size as an input), yet each graph still
# serves one size: the ``if`` needs a definite answer, and Dynamo gets one
# by adding a guard wherever Python turns the size into something
# concrete. ``((-6) + (x.size()[3] // 2))`` is the side of the map after
# the second convolution, ``(W - 4) // 2 - 4`` in Dynamo's algebra. The
# policy string that ``forward`` records pins graphs 2 and 4 to the side
# they were compiled for; the pooling window, a number in the graph, pins
# graphs 5 and 6. Without the string, sizes with the same window would
# share a graph: :doc:`/guide/best-of-both` measures that on the pooling
# alone. The ``if`` works under ``torch.compile``, at the price of a
# compilation for each new size; with the default compiler, Inductor,
# that is the slow part, as
# :ref:`sphx_glr_auto_examples_performance_plot_performance.py` measures.

print(f"graphs with the size as an input: {graphs_with_symbolic_size}")
compile_checks = [
    claims.check(f"torch.compile: graphs for {len(call_sides)} calls at "
                 f"{len(set(call_sides))} sizes",
                 len(compiled_graphs), "==", len(set(call_sides)),
                 "the recorded side and the pooling window are fixed in "
                 "each graph, so each size needs its own"),
    claims.check("torch.compile: the calls that compiled a graph, by size",
                 tuple(new_graph_sides), "==",
                 tuple(dict.fromkeys(call_sides)),
                 "a size compiles at its first call; a repeated size "
                 "passes the guards of its graph"),
    claims.check("torch.compile: graphs that take the size as an input",
                 sum(graphs_with_symbolic_size), "==",
                 len(compiled_graphs) - 1,
                 "automatic dynamic shapes: the first graph is static, "
                 "later ones get the size as a symbol"),
    claims.check("torch.compile: largest difference from eager logits",
                 max(compile_differences), "<", 1e-5,
                 "the backend runs the captured operators unchanged"),
]

# %%
# **torch.export** captures the whole program ahead of time, for an
# example input, into an ``ExportedProgram`` to save and deploy (see
# :doc:`/guide/best-of-both`). It has no Python to fall back on at run
# time, so its graph holds the branch the example took and the sizes that
# go with it, checked at every call: the program exported at 28 pixels
# refuses a 56-pixel digit.

exported_28 = torch.export.export(torch_net,
                                  (torch_resize(torch_X_test, 28),))
try:
    exported_28.module()(torch_resize(torch_X_test, 56))
except AssertionError as error:
    export_call_error = str(error)
    print(f"AssertionError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# Declaring the side free to vary does not help: ``torch.export`` works
# out the guards that its graph needs and reports that they do not hold
# for every side, among them the pooling window of the 56-pixel graph.

side_dim = torch.export.Dim("side")
try:
    torch.export.export(torch_net, (torch_resize(torch_X_test, 56),),
                        dynamic_shapes={"x": {2: side_dim, 3: side_dim}})
except torch._dynamo.exc.UserError as error:
    export_dynamic_error = str(error)
    print_wrapped(export_dynamic_error.splitlines()[0])
    print_wrapped(next(line for line in export_dynamic_error.splitlines()
                       if "// 4) == 5" in line))
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# So ``torch.export`` lands where the symbolic API stood: one program per
# input size, exported for each size (or range of sizes with one window)
# that deployment must serve, like the graphs of a ``BucketingModule``.

export_checks = [
    claims.check("torch.fx: symbolic_trace on the shape if raises",
                 "cannot be used as inputs to control flow" in
                 fx_shape_error, "==", True,
                 "a proxy has no size for the if to test"),
    claims.check("torch.export: the 28-pixel program refuses 56 pixels",
                 "== 28" in export_call_error, "==", True,
                 "the exported graph guards the size it was traced at"),
    claims.check("torch.export: a free side is refused, the window "
                 "guard named", "Constraints violated" in
                 export_dynamic_error and "// 4) == 5" in
                 export_dynamic_error, "==", True,
                 "the 56-pixel graph holds 5x5 pooling, valid only for "
                 "the sides that give that window"),
]

# %%
# (e) An ``if`` on values
# -----------------------
#
# A shape is known when a graph is captured; a value is not. Suppose the
# network should also accept raw bytes, pixels from 0 to 255 instead of
# ``ToTensor``'s 0 to 1: it looks at the largest pixel, and rescales when
# it sees a byte. In PyTorch it is one more ``if``, decided at each call.


class TorchRescalingLeNet(TorchAdaptiveLeNet):
    def forward(self, x):
        if x.max() > 1:  # pixels given as bytes, 0 to 255
            x = x / 255
        return super().forward(x)


rescaling_net = TorchRescalingLeNet().to(torch_device)
rescaling_net.load_state_dict(torch_net.state_dict())
rescaling_net.eval()
X_bytes = (torch_X_test * 255).round()
with torch.no_grad():
    logits_from_floats = rescaling_net(torch_X_test)
    logits_from_bytes = rescaling_net(X_bytes)
rescaling_difference = (logits_from_bytes
                        - logits_from_floats).abs().max().item()
print(f"largest pixel: {X_bytes.max().item():.0f}")
print(f"largest difference from the logits of [0, 1] pixels: "
      f"{rescaling_difference:.1e}")

# %%
# ``torch.fx`` refuses this ``if`` with the same error. ``torch.compile``
# never refuses: where it meets the ``if`` it ends the graph, lets Python
# look at the value, and starts a new graph after it, a *graph break*.
# ``torch._dynamo.explain`` counts graphs and breaks, and says where.

try:
    torch.fx.symbolic_trace(rescaling_net)
except torch.fx.proxy.TraceError as error:
    fx_value_error = str(error)
    print_wrapped(f"TraceError: {error}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

with torch.no_grad():
    explanation = torch._dynamo.explain(rescaling_net)(X_bytes)
break_frame = explanation.break_reasons[0].user_stack[-1]
print(f"graphs: {explanation.graph_count}, graph breaks: "
      f"{explanation.graph_break_count}, at:")
print(f"    {break_frame.line}")

# %%
# ``torch.export`` cannot break the graph, so it refuses the ``if``: it
# cannot guard on a value it will only know at run time. Before raising,
# it prints to ``sys.stderr`` the graph it had traced so far, which ends
# at the ``if`` (``print(e.partial_fx_graph, ...)`` in
# ``torch/export/_trace.py``); that graph's comments give the page's file
# with its full path, so the page catches what is printed and shows the
# comment that names the ``if``, with the file name alone. (It also logs
# a warning, "Unable to find user code corresponding to {u0}", when it
# looks for a variable to suggest a ``torch._check`` on; the page turns
# that logger down while it exports.)

export_printed = io.StringIO()
shapes_logger = logging.getLogger("torch.fx.experimental.symbolic_shapes")
shapes_level = shapes_logger.level
shapes_logger.setLevel(logging.ERROR)
try:
    with contextlib.redirect_stderr(export_printed):
        torch.export.export(rescaling_net, (X_bytes,))
except torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode \
        as error:
    export_value_error = str(error)
    print_wrapped(f"{type(error).__name__}: "
                  f"{export_value_error.splitlines()[0]}")
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore
shapes_logger.setLevel(shapes_level)
# "    # File: /a/b/page.py:721 in forward, code: if x.max() > 1: ..."
traced_lines = [
    re.search(r"# File: (.+):(\d+) in \w+, code: (.*)", line).groups()
    for line in export_printed.getvalue().splitlines() if "# File:" in line]
print("the partial graph, as torch.export printed it, names the line:")
for filename, line_number, code in traced_lines[:1]:
    print_wrapped(f"    {filename}:{line_number}: {code}")

# %%
# The way out is an operator that holds both branches and picks one at
# run time: ``torch.cond``, given the condition, a function per branch
# and the operands. A branch may not hand back its operand itself
# (``torch.cond`` refuses the aliasing), hence the ``clone``. The shape
# ``if`` is still plain Python, fixed at 28 pixels in the export.


class TorchCondRescalingLeNet(TorchAdaptiveLeNet):
    def forward(self, x):
        x = torch.cond(x.max() > 1, lambda x: x / 255, lambda x: x.clone(),
                       (x,))
        return super().forward(x)


cond_net = TorchCondRescalingLeNet().to(torch_device)
cond_net.load_state_dict(torch_net.state_dict())
cond_net.eval()
exported_cond = torch.export.export(cond_net, (X_bytes,))
exported_operators = [str(node.target) for node in exported_cond.graph.nodes
                      if node.op == "call_function"]
print_wrapped(f"operators in the exported graph: {exported_operators[:4]} "
              "...")
with torch.no_grad():
    cond_differences = [
        (exported_cond.module()(X_pixels) - logits_from_floats).abs().max()
        .item() for X_pixels in (torch_X_test, X_bytes)]
    cond_breaks = torch._dynamo.explain(cond_net)(X_bytes).graph_break_count
print(f"exported program, largest difference from the eager logits: "
      f"{max(cond_differences):.1e}")
print(f"graph breaks under torch.compile: {cond_breaks}")

# %%
# MXNet's answer is the same operator: ``mx.sym.contrib.cond`` (and
# ``F.contrib.cond`` in a ``HybridBlock``), with a function per branch.
# Calling the 28-pixel graph with the rescaled input composes the two.
# The graph is right, but binding it through ``Module`` fails: in MXNet
# 1.9.1 the ``_cond`` operator has no shape inference (it was removed, in
# pull request #14393, to let branches return different shapes; see
# ``src/operator/control_flow.cc``), so the shapes of every layer after
# it are unknown.

data = mx.sym.var("data")
rescaled = mx.sym.contrib.cond(mx.sym.max(data) > 1,
                               lambda: data / 255, lambda: data)
rescaling_graph = symbolic_adaptive_lenet(28)(data=rescaled)
try:
    cond_module = mx.mod.Module(rescaling_graph, label_names=None,
                                context=mx_ctx)
    cond_module.bind(data_shapes=[("data", X_28.shape)], for_training=False)
except RuntimeError as error:
    cond_bind_error = str(error)
    print_wrapped(next(line for line in cond_bind_error.splitlines()
                       if "cannot decide shapes" in line))
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# ``Symbol.bind``, given every array, weights included, needs no shape
# inference and runs the graph: the bytes take the ``/ 255`` branch.

executor = rescaling_graph.bind(
    mx_ctx, args=dict(gluon_weights, data=X_28.copy()), grad_req="null")
gluon_logits_28 = gluon_net(X_28).asnumpy()
mxnet_cond_differences = []
for X_pixels in (X_28, (X_28 * 255).round()):
    mxnet_logits = executor.forward(data=X_pixels)[0].asnumpy()
    mxnet_cond_differences.append(
        np.abs(mxnet_logits - gluon_logits_28).max())
print("largest difference from Gluon's logits:")
print(f"    pixels in [0, 1]: {mxnet_cond_differences[0]:.1e}, in [0, 255]: "
      f"{mxnet_cond_differences[1]:.1e}")

value_checks = [
    claims.check("PyTorch eager: largest difference between the logits "
                 "of bytes and of [0, 1] pixels", rescaling_difference,
                 "<", 1e-6,
                 "ToTensor divided the same bytes by 255, so the "
                 "rescaled pixels are the same numbers"),
    claims.check("torch.fx: symbolic_trace on the value if raises",
                 "cannot be used as inputs to control flow" in
                 fx_value_error, "==", True,
                 "a proxy has no value for the if to test"),
    claims.check("torch.compile: graph breaks at the value if",
                 explanation.graph_break_count, "==", 1,
                 "Python must see the value: one break, one graph before "
                 "the if and one after"),
    claims.check("torch.export: the value if is refused",
                 "data-dependent" in export_value_error, "==", True,
                 "an ahead-of-time graph cannot branch on a run-time "
                 "value"),
    claims.check("torch.cond: exported graph holds the branch operator",
                 "cond" in exported_operators, "==", True,
                 "both branches are in the graph, picked at run time"),
    claims.check("torch.cond: largest difference of the exported "
                 "program from eager logits, both pixel ranges",
                 max(cond_differences), "<", 1e-4,
                 "same operators and weights; the wrong branch would "
                 "scale the pixels by 255"),
    claims.check("torch.cond: graph breaks under torch.compile",
                 cond_breaks, "==", 0,
                 "the branch is an operator, not Python"),
    claims.check("MXNet cond: Module.bind cannot infer shapes after it",
                 "cannot decide shapes" in cond_bind_error, "==", True,
                 "_cond registers no shape inference in MXNet 1.9.1"),
    claims.check("MXNet cond: largest difference from Gluon's logits, "
                 "both pixel ranges", max(mxnet_cond_differences), "<",
                 1e-4,
                 "same operators and weights; the wrong branch would "
                 "scale the pixels by 255"),
]

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_control_flow", "control-flow", "holds",
    "an if on the input size picks the pooling in Gluon and PyTorch, which "
    "agree at both sizes and classify both after training; hybridize and "
    "torch.fx refuse it, the symbolic API needs a graph per size "
    "(BucketingModule), torch.compile compiles a graph per size and "
    "torch.export a program per size. An if on pixel values breaks "
    "torch.compile's graph and is refused by torch.fx and torch.export "
    "until written as torch.cond; MXNet's cond runs, but without shape "
    "inference.",
    eager_checks + symbolic_checks + accuracy_checks + compile_checks
    + export_checks + value_checks)

# %%
# Takeaways
# ---------
#
# * In Gluon and PyTorch, a network whose structure depends on its input
#   is written with the ``if`` you would write anywhere else, and each
#   call takes the branch its input needs.
# * A graph is fixed before it sees data: the choice moves out of the
#   network, into a function that builds one graph per input size, and
#   into ``BucketingModule`` to run the right one with shared weights. You
#   must know the sizes (the bucket keys) in advance.
# * Hybridizing Gluon brings the same limit, and so does ``torch.fx``:
#   both trace with placeholders that have no shape.
# * ``torch.compile`` keeps the ``if`` working by compiling a graph for
#   each size it meets; ``torch.export``, which has no Python at run time,
#   makes one program per size, as the symbolic API did.
# * An ``if`` on values splits ``torch.compile``'s graph and stops
#   ``torch.export``; ``torch.cond`` and MXNet's ``cond`` put the branch
#   in the graph, and MXNet's loses shape inference on the way.
# * Other pages of this topic:
#   :ref:`sphx_glr_auto_examples_debugging_plot_step_through.py`,
#   :ref:`sphx_glr_auto_examples_debugging_plot_gradients.py` and
#   :ref:`sphx_glr_auto_examples_debugging_plot_loops.py`, which does the
#   same for loops (then
#   :ref:`sphx_glr_auto_examples_debugging_plot_value_loops.py` and
#   :ref:`sphx_glr_auto_examples_debugging_plot_recursion.py`).
