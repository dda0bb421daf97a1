"""
Sharing weights between two branches, and the traps
===================================================

A siamese network reads two images with one and the same embedding
network, so its two branches must share their weights: that is the whole
point. In PyTorch and Gluon (*define-by-run*), sharing is calling the
same network twice. In MXNet's symbolic API (*define-and-run*), the two
branches are two pieces of one graph, and whether they share weights
depends on how the weights are given to the layers: the most natural way
to write it builds a different network, with two sets of weights, and
nothing warns you. Gluon's second way of sharing, ``params=``, has a trap
as silent. This page builds the two branches in each API, shows the
traps, and counts the weights.

**What you will learn**

* how to share a layer between two branches in each API, and the trap in
  each of the two MXNet APIs;
* the first test of sharing: count the weights, and feed one image to
  both branches.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`
(the three APIs side by side). The next pages prove the sharing with
gradients (:ref:`sphx_glr_auto_examples_siamese_plot_shared_gradients.py`)
and train the network
(:ref:`sphx_glr_auto_examples_siamese_plot_siamese_training.py`). The
page reads five MNIST digits from ``$SIDEBYSIDE_DATA`` like every page of
this site.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported and prints what the page runs on. MXNet runs on the
# CPU (its last release has no GPU build for current CUDA); PyTorch uses a
# GPU when there is one.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import textwrap
import warnings

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torchvision
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch
seed = 0

# %%
# The embedding network is a small LeNet whose output has two numbers:
# convolution (8 filters of 5x5), ReLU, 2x2 max-pooling, convolution (16
# filters of 5x5), ReLU, 2x2 max-pooling, a dense layer of 128 with ReLU,
# and a dense layer of 2. A shared network embeds an image once, whichever
# branch reads it; five MNIST training digits, scaled to [0, 1], will show
# it.

mnist = ensure_mnist()
train_digits = torchvision.datasets.MNIST(mnist.root, train=True)
images = train_digits.data.numpy()[:5, np.newaxis] / np.float32(255)
print(f"images {images.shape}")

# %%
# (a) MXNet symbolic: the natural way, and the trap
# -------------------------------------------------
#
# On the LeNet page each layer of the symbolic network created its own
# weights. Written the same way, the embedding network is a function that
# adds layers to a graph. The layers are not named, so MXNet names them
# (``convolution0``, ``convolution1``...) and creates a weight and a bias
# for each.


def naive_embedding(x):
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=8)
    x = mx.sym.Activation(x, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=16)
    x = mx.sym.Activation(x, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.FullyConnected(x, num_hidden=128)
    x = mx.sym.Activation(x, act_type="relu")
    return mx.sym.FullyConnected(x, num_hidden=2)


# %%
# The shared version creates the weights once, as ``Variable`` objects,
# and passes the same objects to the layers of both branches. The
# ``weight=`` and ``bias=`` arguments are the only difference.

layer_names = ["conv1", "conv2", "fc1", "fc2"]


def embedding_weights():
    return {f"{layer}_{kind}": mx.sym.var(f"{layer}_{kind}")
            for layer in layer_names for kind in ("weight", "bias")}


def shared_embedding(x, w):
    x = mx.sym.Convolution(x, weight=w["conv1_weight"],
                           bias=w["conv1_bias"], kernel=(5, 5),
                           num_filter=8)
    x = mx.sym.Activation(x, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.Convolution(x, weight=w["conv2_weight"],
                           bias=w["conv2_bias"], kernel=(5, 5),
                           num_filter=16)
    x = mx.sym.Activation(x, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.FullyConnected(x, weight=w["fc1_weight"],
                              bias=w["fc1_bias"], num_hidden=128)
    x = mx.sym.Activation(x, act_type="relu")
    return mx.sym.FullyConnected(x, weight=w["fc2_weight"],
                                 bias=w["fc2_bias"], num_hidden=2)


# %%
# Each siamese graph has two inputs, the two images, and two outputs,
# their embeddings, grouped into one symbol (the loss, which has no
# weights, joins them on the training page).

left = mx.sym.var("left")
right = mx.sym.var("right")
inputs = ["left", "right"]
naive_left, naive_right = naive_embedding(left), naive_embedding(right)
weights = embedding_weights()
shared_left = shared_embedding(left, weights)
shared_right = shared_embedding(right, weights)
naive_siamese = mx.sym.Group([naive_left, naive_right])
shared_siamese = mx.sym.Group([shared_left, shared_right])

# %%
# Count the weights of each graph: ``infer_shape`` works out every shape
# from the shapes of the inputs. The naive graph has twice as many. Both
# are valid graphs, and MXNet has no way to know which one you meant.

input_shapes = {"left": images.shape, "right": images.shape}


def weight_sizes(symbol):
    shapes, _, _ = symbol.infer_shape(**input_shapes)
    return {name: int(np.prod(shape))
            for name, shape in zip(symbol.list_arguments(), shapes)
            if name not in inputs}


naive_sizes = weight_sizes(naive_siamese)
shared_sizes = weight_sizes(shared_siamese)
for name, sizes in (("naive", naive_sizes), ("shared", shared_sizes)):
    print(f"{name}: {len(sizes)} weight arrays, "
          f"{sum(sizes.values()):,} weights")
    print(textwrap.fill(", ".join(sizes), width=78, initial_indent="  ",
                        subsequent_indent="  "))
num_weights = sum(shared_sizes.values())
naive_weights_check = claims.check(
    "weights of the naive symbolic siamese graph",
    sum(naive_sizes.values()), "==", 2 * num_weights,
    "twice the shared graph's: each branch built its own auto-named set")
assert len(naive_sizes) == 2 * len(shared_sizes) == 16

# sphinx_gallery_start_ignore
shared_arguments = shared_siamese.list_arguments()
assert len(shared_arguments) == len(set(shared_arguments))
assert set(shared_sizes) == set(weights)
# sphinx_gallery_end_ignore

# %%
# The naive graph binds and initialises without a complaint. But it is
# not a siamese network: its two branches are two different
# networks, so the same image, fed to both, gets two embeddings, and its
# distance to itself is not zero. With the shared weights it is.


def both_embeddings(siamese_graph, images):
    module = mx.mod.Module(siamese_graph, data_names=inputs,
                           label_names=None, context=mx_ctx)
    module.bind(data_shapes=[("left", images.shape),
                             ("right", images.shape)], for_training=False)
    module.init_params(mx.init.Xavier())
    batch = mx.nd.array(images, ctx=mx_ctx)
    module.forward(mx.io.DataBatch([batch, batch]), is_train=False)
    return [output.asnumpy() for output in module.get_outputs()]


mx.random.seed(seed)
naive_out = both_embeddings(naive_siamese, images)
shared_out = both_embeddings(shared_siamese, images)
for name, (left_out, right_out) in (("naive", naive_out),
                                    ("shared", shared_out)):
    self_distance = np.linalg.norm(left_out - right_out, axis=1)
    print(f"{name}: first image, left branch {np.round(left_out[0], 3)}, "
          f"right branch {np.round(right_out[0], 3)}")
    print(f"  distance of each image to itself: "
          f"{np.round(self_distance, 3)}")
naive_self_check = claims.check(
    "naive symbolic graph: smallest distance of an image to itself",
    float(np.linalg.norm(naive_out[0] - naive_out[1], axis=1).min()), ">",
    0.01, "one network embeds an image once: the shared graph's distance "
    "is exactly 0, and 0.01 is 1e5 times the float32 rounding of these "
    "embeddings (about 1e-7), so a distance above it is two networks, "
    "not noise")
shared_self_check = claims.check(
    "shared symbolic graph: largest distance of an image to itself",
    float(np.linalg.norm(shared_out[0] - shared_out[1], axis=1).max()),
    "==", 0.0, "both branches compute with the same arrays, in the same "
    "order, so the two embeddings are identical")

# %%
# The tempting shortcut, giving the layers of both branches the same
# ``name``, does not share either. MXNet makes a new ``Variable`` for each
# layer it builds, whatever its name, so the graph now has two different
# inputs called ``conv1_weight``. This time MXNet refuses, but only when
# the graph is bound, and with a message that does not mention names.

named = mx.sym.Group([
    mx.sym.Convolution(left, kernel=(5, 5), num_filter=8, name="conv1"),
    mx.sym.Convolution(right, kernel=(5, 5), num_filter=8, name="conv1")])
print(named.list_arguments())
assert named.list_arguments().count("conv1_weight") == 2

named_module = mx.mod.Module(named, data_names=inputs,
                             label_names=None, context=mx_ctx)
named_bind_refused = False
try:
    named_module.bind(data_shapes=[("left", images.shape),
                                   ("right", images.shape)])
except RuntimeError as error:
    named_bind_refused = True
    lines = str(error).splitlines()
    print(f"{type(error).__name__}: {lines[0]}\n    ...\n{lines[-1]}")
    assert "conv1" not in str(error)
named_check = claims.check(
    "symbolic graph with two inputs named conv1_weight: bind refused",
    named_bind_refused, "==", True,
    "a graph's inputs are found by name, and two inputs of one name "
    "cannot both be fed")

# %%
# (b) Gluon: one block, called twice
# ----------------------------------
#
# A Gluon block owns its weights, so sharing them is calling the same
# block on both images. The layers are built inside the block's
# ``name_scope``, so their weights are named after the block; the second
# way of sharing, below, depends on it.


def gluon_embedding(params=None):
    net = gnn.HybridSequential(params=params)
    with net.name_scope():
        net.add(gnn.Conv2D(8, kernel_size=5, activation="relu"),
                gnn.MaxPool2D(pool_size=2, strides=2),
                gnn.Conv2D(16, kernel_size=5, activation="relu"),
                gnn.MaxPool2D(pool_size=2, strides=2),
                gnn.Dense(128, activation="relu"),
                gnn.Dense(2))
    return net


mx.random.seed(seed)
gluon_net = gluon_embedding()
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
batch = mx.nd.array(images, ctx=mx_ctx)
gluon_net(batch)  # the first call infers the shapes
gluon_sizes = {name: param.data().size
               for name, param in gluon_net.collect_params().items()}
print(f"{len(gluon_sizes)} weight arrays, "
      f"{sum(gluon_sizes.values()):,} weights")
gluon_weights_check = claims.check(
    "Gluon: weights of the network called twice", sum(gluon_sizes.values()),
    "==", num_weights, "one set, the shared symbolic graph's count")

# %%
# There is a second way, MXNet 1.x's own: build a second block with
# ``params=`` set to the first one's weights (MXNet 2 replaced it with
# ``share_parameters``, which 1.9.1 does not have). The two blocks are
# different objects with one set of weights, found by name, so they embed
# a digit identically.

twin_net = gluon_embedding(params=gluon_net.collect_params())
assert twin_net is not gluon_net
same_objects = all(
    mine is theirs for mine, theirs in zip(
        gluon_net.collect_params().values(),
        twin_net.collect_params().values()))
print("weights:", list(twin_net.collect_params())[:2], "...")
print("the twin's weights are the same objects:", same_objects)
assert same_objects
assert len(twin_net.collect_params().keys()) == len(gluon_sizes)
assert np.array_equal(twin_net(batch).asnumpy(), gluon_net(batch).asnumpy())
assert not hasattr(gnn.Block, "share_parameters")  # an MXNet 2 method

# %%
# The twin has no weights of its own: change the first block's first
# weight, as a training step would, and the twin computes differently
# too, still in agreement with the first block to the bit.

twin_before = twin_net(batch).asnumpy()
first_weight = gluon_net[0].weight
first_weight.set_data(first_weight.data() * 1.5)
twin_after = twin_net(batch).asnumpy()
print("largest change of the twin's embeddings: "
      f"{np.abs(twin_after - twin_before).max():.3f}")
assert not np.array_equal(twin_after, twin_before)
assert np.array_equal(twin_after, gluon_net(batch).asnumpy())

# %%
# .. _siamese-gluon-silent-failure:
#
# A silent failure in Gluon: ``params=`` with names that do not match
# -------------------------------------------------------------------
#
# The ``params=`` route has a trap, as silent as the naive symbolic
# graph. It shares by name: the layers of the second block look their
# weights up in the first block's ``ParameterDict``, and
# ``ParameterDict.get`` (``mxnet/gluon/parameter.py``) takes a weight
# from that shared dictionary when its name is there and otherwise
# creates a new one. A layer's name comes from the ``name_scope`` it is
# built in. A layer built outside it, as on the LeNet page, gets a name
# and a ``ParameterDict`` of its own, never looks in the shared one, and
# creates new weights. Here is that misuse, run with Python told to report
# every warning.

first = gnn.HybridSequential()
first.add(gnn.Dense(2))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    second = gnn.HybridSequential(params=first.collect_params())
    second.add(gnn.Dense(2))  # built outside second.name_scope()
    for block in (first, second):
        block.initialize(mx.init.Xavier(), ctx=mx_ctx)
    ones = mx.nd.ones((1, 4), ctx=mx_ctx)
    first_out, second_out = first(ones).asnumpy(), second(ones).asnumpy()
print("first: ", list(first.collect_params()), first_out)
print("second:", list(second.collect_params()), second_out)
print(f"warnings and errors: {len(caught)}")
shared_names = set(first.collect_params()) & set(second.collect_params())
params_trap_checks = [
    claims.check(
        "Gluon params=, layer built outside name_scope: weights shared",
        len(shared_names), "==", 0,
        "the layer has a ParameterDict of its own, which never looks in "
        "the one passed as params="),
    claims.check(
        "Gluon params=, layer built outside name_scope: warnings raised",
        len(caught), "==", 0,
        "the failure is called silent: every warning was recorded, and "
        "an error would have stopped the page"),
    claims.check(
        "Gluon params=, layer built outside name_scope: largest output "
        "difference between the two blocks",
        float(np.abs(first_out - second_out).max()), ">", 0.0,
        "blocks with one set of weights give bit-identical outputs, as "
        "the twin above does"),
]

# sphinx_gallery_start_ignore
assert second[0].params._shared is None
# sphinx_gallery_end_ignore

# %%
# Nothing failed and nothing warned: the second block runs, and would
# train, with weights of its own. The silent failure of this page is not
# only a symbolic one: Gluon's ``params=`` builds two networks without a
# word when the names do not match, as the naive symbolic graph does.
# Calling one block twice, the first way above, has no names to match and
# no such trap.

# %%
# (c) PyTorch: one module, called twice
# -------------------------------------
#
# As in Gluon, sharing is calling the same module twice: a module's
# weights are attributes of the module object (``nn.Module`` registers
# them in ``__setattr__``), so there is nothing to name and nothing to
# match.


def torch_embedding():
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=5), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(8, 16, kernel_size=5), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 2),
    )


torch.manual_seed(seed)
torch_net = torch_embedding().to(torch_device)
torch_sizes = {name: param.numel()
               for name, param in torch_net.named_parameters()}
print(f"{len(torch_sizes)} weight arrays, "
      f"{sum(torch_sizes.values()):,} weights")
torch_weights_check = claims.check(
    "PyTorch: weights of the network called twice",
    sum(torch_sizes.values()), "==", num_weights,
    "one set, the shared symbolic graph's count")

# %%
# The weights in one figure
# -------------------------
#
# How many weights the two branches hold between them, for each way of
# writing the network. The twin's count is that of the weights of the
# two Gluon blocks together, each counted once. Only the naive symbolic
# graph (hatched) holds two networks.

twin_weights = {id(param): param.data().size
                for net in (gluon_net, twin_net)
                for param in net.collect_params().values()}
branch_weights = [
    ("symbolic", "naive graph", sum(naive_sizes.values())),
    ("symbolic", "shared Variables", num_weights),
    ("gluon", "one block, twice", sum(gluon_sizes.values())),
    ("gluon", "twin, params=", sum(twin_weights.values())),
    ("pytorch", "one module, twice", sum(torch_sizes.values())),
]
assert sum(twin_weights.values()) == num_weights

fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.2))
for row, (api, way, count) in enumerate(branch_weights):
    bar = {**style.patch(api), "label": f"{style.LABELS[api]}: {way}"}
    if way == "naive graph":
        bar.update(hatch="//", edgecolor="white")
    ax.barh(row, count, **bar)
    ax.text(count, row, f" {count:,}", va="center")
ax.axvline(num_weights, color="black", linewidth=0.8, linestyle="--")
ax.set_yticks(range(len(branch_weights)),
              [f"{style.LABELS[api]}: {way}"
               for api, way, _ in branch_weights])
ax.invert_yaxis()
ax.set_xlim(0, 1.25 * sum(naive_sizes.values()))
ax.xaxis.set_major_formatter("{x:,.0f}")
ax.set(xlabel="weights held by the two branches together",
       title=f"One embedding network has {num_weights:,} weights "
             "(dashed)")
fig.tight_layout()
plt.show()

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry (the next two pages add the gradients and the training):

claims.record(
    "siamese/plot_sharing", "shared-weights", "holds",
    "The naive symbolic siamese graph has exactly twice the weights and "
    "embeds one image two ways, without a warning; layers named alike "
    "fail at bind. Calling one module twice shares in Gluon and PyTorch: "
    "one set of weights. Gluon's other route, params=, creates new "
    "weights as silently when names do not match.",
    [naive_weights_check, naive_self_check, shared_self_check, named_check,
     gluon_weights_check, torch_weights_check, *params_trap_checks])

# %%
# Takeaways
# ---------
#
# * In PyTorch and Gluon a layer's weights belong to the layer object, so
#   sharing is calling the same object twice: nothing to name, nothing to
#   forget.
# * In MXNet's symbolic API, weights are inputs of the graph, identified
#   by the ``Variable`` objects the layers were given. Build each branch
#   the natural way and you get two sets of weights, silently; give the
#   layers the same names and you get an error at bind time that does not
#   say why. Sharing takes explicit ``Variable`` objects passed to every
#   layer.
# * Gluon's ``params=`` route has the same trap, as silent: it shares by
#   name, so it works only for layers built in ``name_scope``; a layer
#   built outside it gets new weights, with no error and no warning.
# * Counting the weights and feeding one image to both branches are the
#   first tests of sharing. The next page,
#   :ref:`sphx_glr_auto_examples_siamese_plot_shared_gradients.py`, gives
#   the proof: the gradient of a shared weight is the sum of what each
#   branch contributes.
