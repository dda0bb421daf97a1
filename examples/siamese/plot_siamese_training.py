"""
Training a siamese network with a contrastive loss, in three APIs
=================================================================

A siamese network embeds both images of a pair with one shared network
and learns to put images of the same digit close together, images of
different digits far apart. This page trains one with MXNet's
``Module.fit`` (symbolic), a Gluon loop and a PyTorch loop, on the same
pairs with the same hyper-parameters, and uses the learnt distance to
tell whether two digits it never saw are the same.

**What you will learn**

* what a contrastive loss is, and how a siamese network turns a distance
  into a same-or-different decision;
* how to train a network with two inputs in each API: named inputs for
  ``Module.fit``, two calls of one network in a Gluon or PyTorch loop;
* that the embedding groups the digits, though no label ever said which
  digit an image shows.

**Prerequisites**: :ref:`sphx_glr_auto_examples_siamese_plot_sharing.py`,
which shows how each API shares the weights of the two branches (and the
traps), and :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` for the
three training loops. The page reads MNIST from ``$SIDEBYSIDE_DATA``
like every page of this site.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported and prints what the page runs on; as on the LeNet
# page, MXNet computes on the main thread beside PyTorch, so that the
# training times below compare the frameworks and not their competition
# for OpenMP threads. MXNet runs on the CPU (no GPU build for current
# CUDA); PyTorch uses a GPU when there is one.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch", mxnet_on_main_thread=True)

import logging
import time

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torchvision
from mxnet import autograd, gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist
from sidebyside.load import LoadMeter, busy_note

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

# %%
# One set of hyper-parameters for the three APIs. Adam's learning rate
# drops tenfold for the last epoch. The margin of the loss (below) sets
# the scale of the embedding: distances are in units of the margin.

seed = 0
batch_size = 128
lr = 0.01
num_epochs = 4
decay_epoch = 3
margin = 1.0
eps = 1e-6  # keeps the square root of a zero distance differentiable

# %%
# The data: pairs of digits
# -------------------------
#
# :func:`~sidebyside.data.ensure_mnist` checks the MNIST files and
# ``torchvision`` reads them: offline, 4,000 training and 1,000 test
# digits. Pixels are scaled to [0, 1].

mnist = ensure_mnist()
train_digits = torchvision.datasets.MNIST(mnist.root, train=True)
test_digits = torchvision.datasets.MNIST(mnist.root, train=False)
train_X = train_digits.data.numpy()[:, np.newaxis] / np.float32(255)
train_y = train_digits.targets.numpy()
test_X = test_digits.data.numpy()[:, np.newaxis] / np.float32(255)
test_y = test_digits.targets.numpy()
print(f"training digits {train_X.shape}, test digits {test_X.shape}")

# %%
# A siamese network learns from *pairs*: two images and one label, 1 when
# they show the same digit (*similar*), 0 when not. Every digit is the
# left image of a few pairs, half of them with another image of its own
# class, half with an image of another class, so the pairs are balanced.
# The held-out pairs are made of test digits only. The pairs, not the
# digits, are the data set here: they are drawn once, with a fixed seed,
# and the three APIs train on the same pairs.


def make_pairs(labels, pairs_per_digit, rng):
    """Index pairs (left, right) and their labels (1: same digit)."""
    by_class = [np.flatnonzero(labels == digit) for digit in range(10)]
    left, right, similar = [], [], []
    for i, label in enumerate(labels):
        for k in range(pairs_per_digit):
            if k % 2 == 0:
                same_class = by_class[label]
                partner = rng.choice(same_class[same_class != i])
            else:
                other = (label + rng.integers(1, 10)) % 10
                partner = rng.choice(by_class[other])
            left.append(i)
            right.append(partner)
            similar.append(k % 2 == 0)
    return (np.array(left), np.array(right),
            np.array(similar, dtype=np.float32))


rng = np.random.default_rng(seed)
train_left, train_right, train_similar = make_pairs(train_y, 4, rng)
test_left, test_right, test_similar = make_pairs(test_y, 2, rng)
for name, labels in (("training", train_similar),
                     ("held-out", test_similar)):
    print(f"{name}: {len(labels)} pairs, {int(labels.sum())} similar")

# sphinx_gallery_start_ignore
for digits, lefts, rights, labels in (
        (train_y, train_left, train_right, train_similar),
        (test_y, test_left, test_right, test_similar)):
    assert labels.mean() == 0.5
    assert np.array_equal(digits[lefts] == digits[rights], labels == 1)
    assert not np.any(lefts == rights)
# sphinx_gallery_end_ignore

# %%
# The loss and the decision
# -------------------------
#
# The embedding network is the sharing page's small LeNet, whose output
# has two numbers: every digit becomes a point in a plane we can draw.
# The distance :math:`d` between the embeddings of a pair's two images
# says how alike they are.
#
# The *contrastive loss* (Hadsell, Chopra and LeCun, 2006) pulls similar
# pairs together and pushes dissimilar pairs apart, but only until they
# are a margin :math:`m` apart:
#
# .. math::
#
#    L = y\, d^2 + (1 - y) \max(0,\ m - d)^2
#
# where :math:`y` is 1 for a similar pair. A dissimilar pair that is
# already a margin apart costs nothing, so the network spends its effort
# on the pairs that are still too close. MXNet's two APIs share one
# definition (``F`` is ``mx.sym`` or ``mx.nd``, the convention of Gluon's
# ``HybridBlock``); it returns one loss per pair.


def contrastive_loss(F, left, right, similar):
    squared = F.sum(F.square(left - right), axis=1)
    distance = F.sqrt(squared + eps)
    dissimilar_loss = F.square(F.relu(margin - distance))
    return similar * squared + (1 - similar) * dissimilar_loss


# %%
# After training, a pair is called similar when its distance is at most a
# threshold. The threshold is the one that classifies the most *training*
# pairs correctly; the accuracy reported is on the held-out pairs.


def pair_distances(embeddings, left, right):
    return np.linalg.norm(embeddings[left] - embeddings[right], axis=1)


def best_threshold(distances, similar):
    """The distance at or below which pairs are best called similar."""
    order = np.argsort(distances)
    sorted_similar = similar[order]
    # threshold at the k-th smallest distance: pairs 0..k called similar
    similar_right = np.cumsum(sorted_similar)
    dissimilar_right = (1 - sorted_similar).sum() - np.cumsum(
        1 - sorted_similar)
    return distances[order][np.argmax(similar_right + dissimilar_right)]


def pair_accuracy(distances, similar, threshold):
    return np.mean((distances <= threshold) == (similar == 1))


# %%
# (a) MXNet symbolic: ``Module.fit`` with named inputs
# ----------------------------------------------------
#
# The shared graph of the sharing page: the weights are created once, as
# ``Variable`` objects, and passed to the layers of both branches; the
# graph has three inputs (the two images and the label) and ends in
# ``MakeLoss``, which makes its output the value to minimise.

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


shared_left = shared_embedding(mx.sym.var("left"), weights)
shared_right = shared_embedding(mx.sym.var("right"), weights)
shared_siamese = mx.sym.MakeLoss(
    contrastive_loss(mx.sym, shared_left, shared_right,
                     mx.sym.var("similar")), name="contrastive")

# %%
# ``NDArrayIter`` serves named arrays in batches, shuffled every epoch
# (following ``np.random.seed``); its names are the graph's inputs. A
# first ``Module`` draws the initial weights (Gluon will start from them
# too); ``fit`` starts from them and reports the mean loss (``Loss``
# averages the graph's output) through ``logging``. The graph
# outputs one loss per pair, whose gradient is that of their sum;
# ``rescale_grad`` divides it by the batch size (``Module``'s default,
# spelt out here), so that all three APIs follow the gradient of the mean
# loss.

np.random.seed(seed)
train_iter = mx.io.NDArrayIter(
    data={"left": train_X[train_left], "right": train_X[train_right]},
    label={"similar": train_similar}, batch_size=batch_size, shuffle=True)
steps_per_epoch = len(train_similar) // batch_size
lr_schedule = mx.lr_scheduler.MultiFactorScheduler(
    step=[decay_epoch * steps_per_epoch], factor=0.1, base_lr=lr)

mx.random.seed(seed)
init_module = mx.mod.Module(shared_siamese, data_names=["left", "right"],
                            label_names=["similar"], context=mx_ctx)
init_module.bind(data_shapes=train_iter.provide_data,
                 label_shapes=train_iter.provide_label)
init_module.init_params(mx.init.Xavier())
initial_params, _ = init_module.get_params()

logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
symbolic_module = mx.mod.Module(shared_siamese, data_names=["left", "right"],
                                label_names=["similar"], context=mx_ctx)
# what other processes use while the three APIs train (sidebyside.load)
training_load = LoadMeter().start()
start = time.perf_counter()
symbolic_module.fit(
    train_iter,
    arg_params=initial_params,
    eval_metric=mx.metric.Loss(),
    optimizer="adam",
    optimizer_params={"learning_rate": lr, "lr_scheduler": lr_schedule,
                      "rescale_grad": 1 / batch_size},
    num_epoch=num_epochs,
)
symbolic_seconds = time.perf_counter() - start
logging.getLogger().setLevel(logging.WARNING)

# %%
# To embed single digits, bind one branch, ``shared_left``, on its own.
# Its weights have the names of the siamese graph's weights, so the
# trained values load into it by name.

trained_params, _ = symbolic_module.get_params()
embed_module = mx.mod.Module(shared_left, data_names=["left"],
                             label_names=None, context=mx_ctx)
embed_module.bind(data_shapes=[("left", (500, 1, 28, 28))],
                  for_training=False)
embed_module.set_params(trained_params, {})


def symbolic_embed(X):
    data_iter = mx.io.NDArrayIter({"left": X}, batch_size=500)
    return embed_module.predict(data_iter).asnumpy()


symbolic_embeddings = (symbolic_embed(train_X), symbolic_embed(test_X))

# %%
# (b) Gluon: one block, called twice
# ----------------------------------
#
# One block embeds both images of a pair. Its weights are drawn with the
# same seed, the same initialiser and in the same order as the symbolic
# network's, so Gluon starts from the very same numbers: the two APIs are
# one framework.

mx.random.seed(seed)
np.random.seed(seed)
gluon_net = gnn.HybridSequential()
with gluon_net.name_scope():
    gluon_net.add(gnn.Conv2D(8, kernel_size=5, activation="relu"),
                  gnn.MaxPool2D(pool_size=2, strides=2),
                  gnn.Conv2D(16, kernel_size=5, activation="relu"),
                  gnn.MaxPool2D(pool_size=2, strides=2),
                  gnn.Dense(128, activation="relu"),
                  gnn.Dense(2))
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
gluon_net(mx.nd.zeros((1, 1, 28, 28), ctx=mx_ctx))  # infers the shapes
same_start = all(
    np.array_equal(initial_params[name].asnumpy(), param.data().asnumpy())
    for name, param in zip(weights, gluon_net.collect_params().values()))
print("Gluon starts from the symbolic network's initial weights:",
      same_start)
assert same_start

# %%
# The loop is the LeNet page's, with two calls of the network. Gluon's
# ``DataLoader`` serves the same pairs; its shuffling follows
# ``np.random.seed``.

gluon_train = gluon.data.DataLoader(
    gluon.data.ArrayDataset(train_X[train_left], train_X[train_right],
                            train_similar),
    batch_size=batch_size, shuffle=True)
trainer = gluon.Trainer(gluon_net.collect_params(), "adam",
                        {"learning_rate": lr})
start = time.perf_counter()
for epoch in range(num_epochs):
    if epoch == decay_epoch:
        trainer.set_learning_rate(lr / 10)
    loss_sum = mx.nd.zeros(1, ctx=mx_ctx)
    for X1, X2, y in gluon_train:
        X1, X2 = X1.as_in_context(mx_ctx), X2.as_in_context(mx_ctx)
        y = y.as_in_context(mx_ctx)
        with autograd.record():
            loss = contrastive_loss(mx.nd, gluon_net(X1), gluon_net(X2), y)
        loss.backward()
        trainer.step(batch_size)
        loss_sum += loss.sum()
    print(f"epoch {epoch}: loss "
          f"{loss_sum.asscalar() / len(train_similar):.4f}")
gluon_seconds = time.perf_counter() - start


def gluon_embed(X):
    return gluon_net(mx.nd.array(X, ctx=mx_ctx)).asnumpy()


gluon_embeddings = (gluon_embed(train_X), gluon_embed(test_X))

# %%
# (c) PyTorch: one module, called twice
# -------------------------------------
#
# PyTorch's default initialisation differs from MXNet's, so the weights
# are drawn from the same Xavier-uniform distribution, biases at zero;
# the numbers are PyTorch's own. ``DataLoader`` serves the same pairs.

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


torch_train = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(
        torch.from_numpy(train_X[train_left]),
        torch.from_numpy(train_X[train_right]),
        torch.from_numpy(train_similar)),
    batch_size=batch_size, shuffle=True,
    generator=torch.Generator().manual_seed(seed))
optimizer = torch.optim.Adam(torch_net.parameters(), lr=lr)
start = time.perf_counter()
for epoch in range(num_epochs):
    if epoch == decay_epoch:
        for group in optimizer.param_groups:
            group["lr"] = lr / 10
    loss_sum = 0.0
    for X1, X2, y in torch_train:
        X1, X2 = X1.to(torch_device), X2.to(torch_device)
        y = y.to(torch_device)
        optimizer.zero_grad()
        loss = torch_contrastive_loss(torch_net(X1), torch_net(X2), y)
        loss.mean().backward()
        optimizer.step()
        loss_sum += loss.sum().item()
    print(f"epoch {epoch}: loss {loss_sum / len(train_similar):.4f}")
torch_seconds = time.perf_counter() - start


def torch_embed(X):
    with torch.no_grad():
        return torch_net(torch.from_numpy(X).to(torch_device)).cpu().numpy()


torch_embeddings = (torch_embed(train_X), torch_embed(test_X))

# %%
# Results
# -------
#
# For each API: the threshold chosen on the 16,000 training pairs, the
# accuracy there, and the accuracy on the 2,000 held-out pairs, made of
# digits the network never saw. Each API must call at least 90 % of the
# held-out pairs right.

results = {
    "symbolic": (symbolic_embeddings, symbolic_seconds),
    "gluon": (gluon_embeddings, gluon_seconds),
    "pytorch": (torch_embeddings, torch_seconds),
}
print(f"{'API':<16}{'threshold':>10}{'training':>10}{'held-out':>10}"
      f"{'time (s)':>10}")
held_out_accuracy = {}
for api, ((train_embeddings, test_embeddings), seconds) in results.items():
    train_distances = pair_distances(train_embeddings, train_left,
                                     train_right)
    threshold = best_threshold(train_distances, train_similar)
    test_distances = pair_distances(test_embeddings, test_left, test_right)
    held_out_accuracy[api] = pair_accuracy(test_distances, test_similar,
                                           threshold)
    train_accuracy = pair_accuracy(train_distances, train_similar,
                                   threshold)
    print(f"{style.LABELS[api]:<16}{threshold:>10.3f}"
          f"{train_accuracy:>10.3f}{held_out_accuracy[api]:>10.3f}"
          f"{seconds:>10.1f}")
print(f"Times: {busy_note(training_load.stop())}")

accuracy_checks = [
    claims.check(
        f"{style.LABELS[api]}: accuracy on the held-out pairs", accuracy,
        ">=", 0.90,
        "guessing scores 0.5 on these balanced pairs and the three "
        "versions reach 0.92 to 0.93; 0.90 is about 4 binomial standard "
        "errors (0.006 on 2,000 pairs) below, so the draw of pairs cannot "
        "fail it, and a network that learnt nothing would")
    for api, accuracy in held_out_accuracy.items()]

# sphinx_gallery_start_ignore
# the threshold beats every other candidate on the training pairs
best = pair_accuracy(train_distances, train_similar, threshold)
for candidate in np.random.default_rng(seed).choice(train_distances, 200):
    assert best >= pair_accuracy(train_distances, train_similar, candidate)
# sphinx_gallery_end_ignore

# %%
# The embeddings of the 1,000 test digits, one panel per API, each digit
# written at the middle (the median) of its points. Each digit forms its
# own cluster, though no label ever said which digit an image shows: the
# network only ever learnt "same" and "different". The two MXNet panels
# look alike because the two networks started from the same weights;
# PyTorch drew its own, and its clusters sit elsewhere. Where they sit
# does not matter, only that they separate.

# sphinx_gallery_start_ignore
def mean_gap(first, second):
    return np.linalg.norm(first[1] - second[1], axis=1).mean()


mxnet_gap = mean_gap(symbolic_embeddings, gluon_embeddings)
torch_gap = mean_gap(symbolic_embeddings, torch_embeddings)
assert 3 * mxnet_gap < torch_gap
# sphinx_gallery_end_ignore

fig, axes = plt.subplots(1, 3, figsize=(style.FIGURE_WIDTH, 3.4))
for ax, api in zip(axes, style.ORDER):
    (_, test_embeddings), _ = results[api]
    ax.scatter(test_embeddings[:, 0], test_embeddings[:, 1], s=3,
               alpha=0.3, **style.patch(api))
    for digit in range(10):
        middle = np.median(test_embeddings[test_y == digit], axis=0)
        ax.text(*middle, str(digit), ha="center", va="center",
                fontsize=11, fontweight="bold")
    ax.set(title=f"{style.LABELS[api]}: {held_out_accuracy[api]:.3f}",
           xlabel="1st coordinate (margins)")
    ax.set_aspect("equal", adjustable="datalim")
axes[0].set_ylabel("2nd coordinate (margins)")
fig.suptitle("Test digits in the learnt plane, and the fraction of "
             "held-out pairs called right", fontsize=11)
fig.tight_layout()
plt.show()

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry (the sharing pages hold the rest of this claim's checks):

claims.record(
    "siamese/plot_siamese_training", "shared-weights", "holds",
    "Shared the way the sharing page shows (Variables passed to both "
    "branches, one Gluon block or PyTorch module called twice), the "
    "three siamese networks learn a distance that calls at least 90 % "
    "of held-out pairs of unseen digits right.",
    accuracy_checks)

# %%
# Takeaways
# ---------
#
# * A siamese network learns a distance from pairs labelled only "same"
#   or "different"; a threshold on it decides, and the digits form
#   clusters that no label named.
# * For ``Module.fit`` the two images are named inputs of the graph, fed
#   by an ``NDArrayIter`` with the same names; in Gluon and PyTorch they
#   are two calls of one network in the loop.
# * On the same pairs with the same hyper-parameters, the three versions
#   reach the same accuracy; the two MXNet APIs start from the same
#   weights.
