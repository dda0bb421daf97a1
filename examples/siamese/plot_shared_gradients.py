"""
Proof of sharing: the gradients of both branches add up
=======================================================

Counting weights shows that a siamese network has one set of them; it
does not show that both branches *use* that set. This page proves it, in
MXNet's symbolic API, in Gluon and in PyTorch: a weight used by both
branches gets a gradient from each, so the gradient of the loss is the
sum of the left branch's contribution and the right branch's. Each
contribution can be computed on its own, by blocking the gradient that
flows through the other branch.

**What you will learn**

* how to block the gradient of one part of a network: ``BlockGrad`` in
  the symbolic API, ``detach`` in Gluon and PyTorch;
* how gradients accumulate over the uses of a weight, and over
  ``backward`` calls (Gluon's ``grad_req="write"`` replaces them, PyTorch
  adds them up);
* the proof that a weight is shared: its gradient is the sum of what
  each branch contributes.

**Prerequisites**: :ref:`sphx_glr_auto_examples_siamese_plot_sharing.py`,
which builds the shared networks used here and shows the traps. The loss
is explained on the next page,
:ref:`sphx_glr_auto_examples_siamese_plot_siamese_training.py`. The page
reads MNIST from ``$SIDEBYSIDE_DATA`` like every page of this site.
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

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torchvision
from mxnet import autograd
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

seed = 0
batch_size = 128
margin = 1.0
eps = 1e-6  # keeps the square root of a zero distance differentiable

# %%
# The data and the loss
# ---------------------
#
# A siamese network learns from *pairs* of images, labelled 1 when both
# show the same digit (*similar*) and 0 when not. The proof needs one
# batch of them: the first 128 MNIST training digits, each paired with the
# digit 128 places further. Pixels are scaled to [0, 1].

mnist = ensure_mnist()
train_digits = torchvision.datasets.MNIST(mnist.root, train=True)
digits = train_digits.data.numpy()[:, np.newaxis] / np.float32(255)
labels = train_digits.targets.numpy()
pair_left = digits[:batch_size]
pair_right = digits[batch_size:2 * batch_size]
pair_similar = (labels[:batch_size] == labels[batch_size:2 * batch_size]
                ).astype(np.float32)
print(f"{batch_size} pairs, {int(pair_similar.sum())} of them similar")

# %%
# The *contrastive loss* of a pair depends on the distance :math:`d`
# between the embeddings of its two images:
# :math:`L = y\, d^2 + (1 - y) \max(0,\ m - d)^2`, with :math:`y` the
# label and :math:`m` a margin (the training page says why). What matters
# here is that it uses both branches. MXNet's two APIs share one
# definition: ``F`` is ``mx.sym`` for a symbol and ``mx.nd`` for arrays,
# the convention of Gluon's ``HybridBlock``.


def contrastive_loss(F, left, right, similar):
    squared = F.sum(F.square(left - right), axis=1)
    distance = F.sqrt(squared + eps)
    dissimilar_loss = F.square(F.relu(margin - distance))
    return similar * squared + (1 - similar) * dissimilar_loss


# %%
# The check, for every API: the largest difference, over all the
# weights, between the gradient and the sum of the two contributions.
# ``check_sum`` also keeps the numbers for the figure at the end.

proof = {}  # API -> (gradient, left + right, left alone), flattened


def check_sum(api, full, left_only, right_only):
    """Largest |full - (left + right)| over all the weights."""
    summed = {name: left_only[name] + right_only[name] for name in full}
    largest = max(np.abs(full[name] - summed[name]).max() for name in full)
    norm = max(np.abs(full[name]).max() for name in full)
    print(f"largest gradient: {norm:.3f}\nlargest difference between the "
          f"gradient and the sum of the contributions: {largest:.1e}")
    proof[api] = [np.concatenate([part[name].ravel() for name in full])
                  for part in (full, summed, left_only)]
    return largest


sum_bound_why = (
    "the two contributions add up to the full gradient up to float32 "
    "rounding, under 1e-6 of gradients that peak near 20 here; a weight "
    "that was not shared would miss a whole contribution, of the order "
    "of the gradient itself")

# %%
# (a) MXNet symbolic: ``BlockGrad``
# ---------------------------------
#
# The shared embedding of the sharing page: the weights are created once,
# as ``Variable`` objects, and given to the layers of both branches.

layer_names = ["conv1", "conv2", "fc1", "fc2"]
weights = {f"{layer}_{kind}": mx.sym.var(f"{layer}_{kind}")
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


left = mx.sym.var("left")
right = mx.sym.var("right")
similar = mx.sym.var("similar")
inputs = ["left", "right", "similar"]
shared_left = shared_embedding(left, weights)
shared_right = shared_embedding(right, weights)


def siamese(left_embedding, right_embedding):
    loss = contrastive_loss(mx.sym, left_embedding, right_embedding,
                            similar)
    return mx.sym.MakeLoss(loss, name="contrastive")


# %%
# A graph is bound to arrays with ``simple_bind``, which gives an
# *executor*: it holds the weights and the gradients, and runs the graph
# forward and backward. The three graphs below differ only in where the
# gradient is blocked (``BlockGrad`` passes its input forward and no
# gradient back); they get the same initial weights, drawn by a
# ``Module`` as ``fit`` would draw them.

input_shapes = {"left": pair_left.shape, "right": pair_right.shape,
                "similar": pair_similar.shape}
mx.random.seed(seed)
init_module = mx.mod.Module(siamese(shared_left, shared_right),
                            data_names=["left", "right"],
                            label_names=["similar"], context=mx_ctx)
init_module.bind(data_shapes=[("left", input_shapes["left"]),
                              ("right", input_shapes["right"])],
                 label_shapes=[("similar", input_shapes["similar"])])
init_module.init_params(mx.init.Xavier())
initial_params, _ = init_module.get_params()


def symbolic_gradients(symbol):
    grad_req = {name: "null" if name in inputs else "write"
                for name in symbol.list_arguments()}
    executor = symbol.simple_bind(mx_ctx, grad_req=grad_req, **input_shapes)
    executor.copy_params_from(initial_params)
    executor.forward(is_train=True, left=pair_left, right=pair_right,
                     similar=pair_similar)
    executor.backward()
    return {name: executor.grad_dict[name].asnumpy() for name in weights}


full = symbolic_gradients(siamese(shared_left, shared_right))
left_only = symbolic_gradients(
    siamese(shared_left, mx.sym.BlockGrad(shared_right)))
right_only = symbolic_gradients(
    siamese(mx.sym.BlockGrad(shared_left), shared_right))
symbolic_sum_check = claims.check(
    "symbolic: largest |gradient - sum of the branches' contributions|",
    check_sum("symbolic", full, left_only, right_only), "<", 1e-5,
    sum_bound_why)

# sphinx_gallery_start_ignore
# each branch does contribute: neither contribution is the full gradient
assert not np.allclose(full["conv1_weight"], left_only["conv1_weight"])
assert not np.allclose(full["conv1_weight"], right_only["conv1_weight"])
# sphinx_gallery_end_ignore

# %%
# (b) Gluon: ``detach``
# ---------------------
#
# One block, called on both images, as on the sharing page. ``detach``
# returns an array that holds the same values and is cut from the
# recorded graph. With the default ``grad_req="write"``, each
# ``backward`` replaces the gradients of the one before.

mx.random.seed(seed)
gluon_net = gnn.HybridSequential()
with gluon_net.name_scope():
    gluon_net.add(gnn.Conv2D(8, kernel_size=5, activation="relu"),
                  gnn.MaxPool2D(pool_size=2, strides=2),
                  gnn.Conv2D(16, kernel_size=5, activation="relu"),
                  gnn.MaxPool2D(pool_size=2, strides=2),
                  gnn.Dense(128, activation="relu"),
                  gnn.Dense(2))
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)


def gluon_gradients(block=None):
    with autograd.record():
        left_out = gluon_net(mx.nd.array(pair_left, ctx=mx_ctx))
        right_out = gluon_net(mx.nd.array(pair_right, ctx=mx_ctx))
        if block == "left":
            left_out = left_out.detach()
        if block == "right":
            right_out = right_out.detach()
        loss = contrastive_loss(mx.nd, left_out, right_out,
                                mx.nd.array(pair_similar, ctx=mx_ctx))
    loss.backward()
    return {name: param.grad().asnumpy()
            for name, param in gluon_net.collect_params().items()}


full = gluon_gradients()
left_only = gluon_gradients(block="right")
right_only = gluon_gradients(block="left")
gluon_sum_check = claims.check(
    "Gluon: largest |gradient - sum of the branches' contributions|",
    check_sum("gluon", full, left_only, right_only), "<", 1e-5,
    sum_bound_why)

# sphinx_gallery_start_ignore
# the same seed, initialiser and order of weights as the symbolic graph:
# Gluon started from the same numbers, so it found the same gradients
assert np.allclose(proof["gluon"][0], proof["symbolic"][0], atol=1e-5)
# sphinx_gallery_end_ignore

# %%
# (c) PyTorch: ``detach``
# -----------------------
#
# One module, called on both images. PyTorch's default initialisation
# differs from MXNet's, so the weights are drawn from the same
# Xavier-uniform distribution, biases at zero. PyTorch adds gradients up
# across ``backward`` calls, so they are cleared before each.

torch.manual_seed(seed)
torch_net = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=5), nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=5), nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(256, 128), nn.ReLU(),
    nn.Linear(128, 2),
).to(torch_device)
for layer in torch_net:
    if isinstance(layer, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)


def torch_contrastive_loss(left, right, similar):
    squared = ((left - right) ** 2).sum(dim=1)
    distance = torch.sqrt(squared + eps)
    dissimilar_loss = torch.relu(margin - distance) ** 2
    return similar * squared + (1 - similar) * dissimilar_loss


def torch_gradients(block=None):
    torch_net.zero_grad()
    left_out = torch_net(torch.from_numpy(pair_left).to(torch_device))
    right_out = torch_net(torch.from_numpy(pair_right).to(torch_device))
    if block == "left":
        left_out = left_out.detach()
    if block == "right":
        right_out = right_out.detach()
    similar = torch.from_numpy(pair_similar).to(torch_device)
    loss = torch_contrastive_loss(left_out, right_out, similar)
    loss.sum().backward()
    return {name: param.grad.cpu().numpy().copy()
            for name, param in torch_net.named_parameters()}


full = torch_gradients()
left_only = torch_gradients(block="right")
right_only = torch_gradients(block="left")
torch_sum_check = claims.check(
    "PyTorch: largest |gradient - sum of the branches' contributions|",
    check_sum("pytorch", full, left_only, right_only), "<", 1e-5,
    sum_bound_why)

# %%
# The proof in one figure
# -----------------------
#
# Each point is one of the 36,578 weights of the embedding network:
# across, its gradient; up, the left branch's contribution plus the right
# branch's (in the API's colour), or the left branch's alone (grey). The
# sums lie on the diagonal, in every API. The left branch's contribution
# alone, which is all that weights used by that branch only would get,
# lies off it.

fig, axes = plt.subplots(1, 3, figsize=(style.FIGURE_WIDTH, 3.4),
                         sharex=True, sharey=True)
for ax, api in zip(axes, style.ORDER):
    gradient, summed, left_alone = proof[api]
    ax.scatter(gradient, left_alone, s=4, color="0.6",
               label="left branch alone")
    ax.scatter(gradient, summed, s=4, **{**style.patch(api),
                                         "label": "left + right"})
    ax.axline((0, 0), slope=1, color="black", linewidth=0.5)
    ax.set(title=style.LABELS[api], xlabel="gradient")
    ax.legend(loc="upper left", markerscale=3, fontsize=8)
axes[0].set_ylabel("contributions of the branches")
fig.tight_layout()
plt.show()

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "siamese/plot_shared_gradients", "shared-weights", "holds",
    "Calling one module twice shares in Gluon and PyTorch, and passing "
    "the same Variable objects shares in the symbolic API: the gradient "
    "of every weight is the sum of the two branches' contributions.",
    [symbolic_sum_check, gluon_sum_check, torch_sum_check])

# %%
# Takeaways
# ---------
#
# * A weight used in two places gets the sum of two gradients. Blocking
#   one path (``BlockGrad``, ``detach``) gives each part on its own, and
#   their sum is the full gradient, up to float32 rounding.
# * That proof works in any API, whatever the weights are called. A
#   count of weights can mislead: each block of Gluon's ``params=``
#   misuse has the right number on its own, and a count by name merges
#   two weights that have one name.
# * The three APIs differ in how gradients are kept: the symbolic
#   executor and Gluon (``grad_req="write"``) overwrite them at every
#   ``backward``, PyTorch adds them up until ``zero_grad``.
# * Next: :ref:`sphx_glr_auto_examples_siamese_plot_siamese_training.py`
#   trains the shared networks with this contrastive loss.
