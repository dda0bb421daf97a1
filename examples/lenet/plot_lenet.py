"""
LeNet three ways: MXNet symbolic, Gluon and PyTorch
===================================================

The same LeNet, trained on the same real MNIST digits with the same seeds,
batch size, optimizer and number of epochs, written three times: in MXNet's
symbolic API (*define-and-run*: declare a graph, then hand it to
``Module.fit``), in MXNet Gluon and in PyTorch (*define-by-run*: the network
is Python code that runs as you call it, inside a loop you write). Read the
three sections one after the other: their differences are the lesson of
this site. The page then proves that the three describe one and the same
computation.

**What you will learn**

* how a network is declared, initialised and trained in each API;
* where the symbolic API hides the training loop, and what that costs when
  you want to look inside it;
* how a Gluon network is frozen into a symbolic graph and loaded back, and
  how weights move from MXNet to PyTorch;
* how to time three training loops so that the comparison is fair, and
  check it against the project's benchmark.

**Prerequisites**: the project's Python environment (``make html`` creates
it) or ``pip install -r requirements.txt`` and ``pip install -e .`` in a
clone. The page reads MNIST from ``$SIDEBYSIDE_DATA`` (default
``~/.cache/sidebyside``); ``python -m sidebyside.data`` writes the 5,000
offline digits there, and without them the page downloads the full MNIST.
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# MXNet reads its thread settings when it is imported, and importing it
# drops PyTorch to a single thread. So, as on every page,
# ``runtime.start`` sets the thread count first, for both frameworks,
# imports them, checks the count they took and prints what the page runs
# on; ``style.use`` sets the site's look for the figure. MXNet runs on the
# CPU (its last release has no GPU build for current CUDA); PyTorch uses a
# GPU when there is one.
#
# This page also times the three APIs, so one more setting matters. Both
# frameworks use the same OpenMP runtime, which gives every thread that
# computes a team of helper threads: MXNet computes on a worker thread of
# its engine, PyTorch on the main thread. Once a process holds more OpenMP
# threads than cores, the runtime stops them from waiting actively between
# operations, and each operation then waits for its helpers to wake: on the
# two-core machine that builds this site, MXNet trained LeNet about a third
# slower beside PyTorch than alone. ``mxnet_on_main_thread=True`` selects
# MXNet's synchronous engine (``NaiveEngine``), which computes on the main
# thread, so the two frameworks share one team.

from sidebyside import runtime, style

devices = runtime.start("mxnet", "torch", mxnet_on_main_thread=True)

import inspect
import logging
import textwrap
import time

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from mxnet import autograd, gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims
from sidebyside.timers import EpochTimer, record_training_speed
from sidebyside.data import ensure_mnist, read_idx

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

# %%
# One set of hyper-parameters for the three APIs. The learning rate drops
# tenfold for the last two epochs, which steadies the final accuracy. A
# batch of 50 divides both the offline and the full MNIST splits exactly,
# so no reader drops or pads a last, smaller batch.

seed = 0
batch_size = 50
lr = 0.05
momentum = 0.9
num_epochs = 8
decay_epoch = 6

# %%
# The data
# --------
#
# :func:`~sidebyside.data.ensure_mnist` checks the four standard MNIST idx
# files (and downloads them when they are missing). Offline, they hold 5,000
# real digits (4,000 to train on, 1,000 held out, the same number of each
# digit). MNIST is small enough to keep in memory: it is read once, into
# NumPy arrays of pixels scaled to [0, 1], and each framework batches and
# shuffles those same arrays its own way.
#
# .. note:: **Why not each framework's own MNIST reader?** They read the
#    same files (``mx.io.MNISTIter``, Gluon's and torchvision's ``MNIST``),
#    but they convert one image at a time as they serve it, and the page
#    would time those conversions along with the networks. On top of that,
#    ``mx.io.MNISTIter`` reads ahead on threads of its own, with OpenMP
#    helpers of their own: the slowdown described in the set-up, for every
#    MXNet operation that follows.


def read_images(path):
    """An idx file of 28x28 digits as float32 images, N x 1 x 28 x 28."""
    return (read_idx(path)[:, np.newaxis] / 255).astype(np.float32)


mnist = ensure_mnist()
train_images = read_images(mnist.train_images)
train_labels = read_idx(mnist.train_labels)
test_images = read_images(mnist.test_images)
test_labels = read_idx(mnist.test_labels)
num_train, num_test = len(train_images), len(test_images)
# the folder relative to the data folder: where it sits on the machine
# that runs the page is no business of the page
data_folder = mnist.directory.relative_to(mnist.root).as_posix()
print(f"{num_train} training and {num_test} test digits in {data_folder} "
      f"under $SIDEBYSIDE_DATA;\nimages {train_images.shape}, "
      f"pixels {train_images.min()} to {train_images.max()}")

# %%
# Every API's training is timed the same way: an
# :class:`~sidebyside.timers.EpochTimer` takes the seconds each epoch spends
# training, without the evaluation that follows it. Each timer carries the
# name of the benchmark configuration (:mod:`sidebyside.bench`) that trains
# the same network the same way, for the check at the end of the page.

# %%
# (a) MXNet symbolic: declare, then ``fit``
# ------------------------------------------
#
# The network is a *symbol*: a description of a computation with named
# inputs and no values. Nothing runs here; shapes and weights do not exist
# yet. ``SoftmaxOutput`` joins the softmax and its cross-entropy gradient,
# and names the label input ``softmax_label``.


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
    x = mx.sym.FullyConnected(x, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(x, name="softmax")


lenet_symbol = symbolic_lenet()
print(textwrap.fill(", ".join(lenet_symbol.list_arguments()), width=79))

# %%
# ``mx.io.NDArrayIter`` serves the arrays in batches, under the names the
# symbol expects (``data`` and ``softmax_label``), and reshuffles the
# training set at every epoch with NumPy's random generator.

mx.random.seed(seed)
np.random.seed(seed)
train_iter = mx.io.NDArrayIter(train_images, train_labels.astype(np.float32),
                               batch_size, shuffle=True,
                               label_name="softmax_label")
test_iter = mx.io.NDArrayIter(test_images, test_labels.astype(np.float32),
                              batch_size, label_name="softmax_label")

# %%
# ``Module.fit`` binds the graph to shapes, allocates and initialises the
# weights, creates the optimizer and runs the loop, all in one call. To see
# inside the loop we must plug into it: ``Speedometer`` logs speed and the
# running metric every 40 batches, ``epoch_end_callback`` (called when an
# epoch's training ends) and ``eval_end_callback`` (called when the test
# evaluation after it ends) record the curves for the figure below, and
# time the epochs. MXNet reports through ``logging``, which we show on
# this page. The drop of the learning rate is a scheduler object, counted
# in updates, not epochs.

logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
steps_per_epoch = num_train // batch_size
lr_schedule = mx.lr_scheduler.MultiFactorScheduler(
    step=[decay_epoch * steps_per_epoch], factor=0.1, base_lr=lr)

symbolic_history = {"loss": [], "accuracy": []}
train_loss_metric = mx.metric.CrossEntropy()


def end_of_training_epoch(epoch, symbol, arg_params, aux_params):
    symbolic_timer.stop()
    symbolic_history["loss"].append(train_loss_metric.get()[1])


def end_of_evaluation(param):
    symbolic_history["accuracy"].append(param.eval_metric.get()[1])
    symbolic_timer.start()  # the next epoch's training begins


lenet_module = mx.mod.Module(lenet_symbol, context=mx_ctx)
start = time.perf_counter()
symbolic_timer = EpochTimer("mxnet-module", batch_size)
fit_returned = lenet_module.fit(
    train_iter,
    eval_data=test_iter,
    eval_metric=train_loss_metric,
    validation_metric="acc",
    initializer=mx.init.Xavier(),
    optimizer="sgd",
    optimizer_params={"learning_rate": lr, "momentum": momentum,
                      "lr_scheduler": lr_schedule},
    batch_end_callback=mx.callback.Speedometer(batch_size, 40,
                                               auto_reset=False),
    epoch_end_callback=end_of_training_epoch,
    eval_end_callback=end_of_evaluation,
    num_epoch=num_epochs,
)
symbolic_seconds = time.perf_counter() - start
logging.getLogger().setLevel(logging.WARNING)

# %%
# (b) Gluon: a network of blocks, a loop you write
# ------------------------------------------------
#
# Gluon's layers are objects you call. The input sizes of the layers are
# left out: Gluon infers them the first time data flows through (*deferred
# initialisation*), so right after ``initialize`` the first dense layer's
# weight has an unknown dimension, shown as 0. A ``HybridSequential`` runs
# imperatively like a ``Sequential``, and can later be frozen into a symbol
# (the last part of this page).


def gluon_lenet():
    net = gnn.HybridSequential()
    net.add(gnn.Conv2D(channels=20, kernel_size=5, activation="relu"),
            gnn.MaxPool2D(pool_size=2, strides=2),
            gnn.Conv2D(channels=50, kernel_size=5, activation="relu"),
            gnn.MaxPool2D(pool_size=2, strides=2),
            gnn.Flatten(),
            gnn.Dense(512, activation="relu"),
            gnn.Dense(10))
    return net


mx.random.seed(seed)
np.random.seed(seed)
gluon_net = gluon_lenet()
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
fc1_shape_before = gluon_net[5].weight.shape
print("fc1 weight before the first batch:", fc1_shape_before)
gluon_net(mx.nd.zeros((1, 1, 28, 28), ctx=mx_ctx))
fc1_shape_after = gluon_net[5].weight.shape
print("fc1 weight after the first batch: ", fc1_shape_after)

# %%
# The data comes through Gluon's ``DataLoader``, which draws batches from
# an ``ArrayDataset`` of the same arrays (labels as floats, the type Gluon's
# loss expects) and shuffles them at every epoch.

gluon_train = gluon.data.DataLoader(
    gluon.data.ArrayDataset(train_images, train_labels.astype(np.float32)),
    batch_size=batch_size, shuffle=True)
gluon_test = gluon.data.DataLoader(
    gluon.data.ArrayDataset(test_images, test_labels.astype(np.float32)),
    batch_size=batch_size)

# %%
# The loop is plain Python: every step is a line you can print, change or
# stop at, and the drop of the learning rate is an ``if``.
# ``autograd.record()`` records the forward pass so that ``backward()`` can
# differentiate it; ``trainer.step(batch_size)`` averages the gradient over
# the batch and updates the weights. The loss is summed as an ``NDArray``
# and read once an epoch: with MXNet's default, asynchronous engine,
# reading it every batch would make Python wait for every step (this page
# runs the synchronous one, but the habit costs nothing). Reading it also
# waits for the epoch's last step, so the timer stops when the work is
# done.


def gluon_accuracy(net, data_loader):
    correct, total = 0, 0
    for X, y in data_loader:
        predicted = net(X.as_in_context(mx_ctx)).argmax(axis=1)
        correct += (predicted == y.as_in_context(mx_ctx)).sum().asscalar()
        total += len(y)
    return correct / total


softmax_ce = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(gluon_net.collect_params(), "sgd",
                        {"learning_rate": lr, "momentum": momentum})
gluon_history = {"loss": [], "accuracy": []}
start = time.perf_counter()
gluon_timer = EpochTimer("gluon", batch_size)
for epoch in range(num_epochs):
    if epoch == decay_epoch:
        trainer.set_learning_rate(lr / 10)
    gluon_timer.start()
    loss_sum = mx.nd.zeros(1, ctx=mx_ctx)
    for X, y in gluon_train:
        X, y = X.as_in_context(mx_ctx), y.as_in_context(mx_ctx)
        with autograd.record():
            loss = softmax_ce(gluon_net(X), y)
        loss.backward()
        trainer.step(batch_size)
        loss_sum += loss.sum()
    gluon_history["loss"].append(loss_sum.asscalar() / num_train)
    gluon_timer.stop()
    gluon_history["accuracy"].append(gluon_accuracy(gluon_net, gluon_test))
    print(f"epoch {epoch}: loss {gluon_history['loss'][-1]:.4f}, "
          f"test accuracy {gluon_history['accuracy'][-1]:.3f}")
gluon_seconds = time.perf_counter() - start

# %%
# (c) PyTorch: the same loop, with other names
# --------------------------------------------
#
# PyTorch asks for every input size (``nn.LazyLinear`` would infer it, like
# Gluon). Its default initialisation differs from MXNet's, so the weights
# are drawn from the same Xavier-uniform distribution and the biases start
# at zero, as in the two MXNet versions.


def torch_lenet():
    return nn.Sequential(
        nn.Conv2d(1, 20, kernel_size=5), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(20, 50, kernel_size=5), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(800, 512), nn.ReLU(),
        nn.Linear(512, 10),
    )


def xavier_init(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


torch.manual_seed(seed)
torch_net = torch_lenet().to(torch_device)
torch_net.apply(xavier_init)

# %%
# A ``TensorDataset`` wraps the same arrays as tensors (labels as integers,
# the type PyTorch's loss expects) for PyTorch's ``DataLoader``, which
# shuffles with a seeded generator of its own.


def tensor_dataset(images, labels):
    return torch.utils.data.TensorDataset(
        torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64)))


torch_train = torch.utils.data.DataLoader(
    tensor_dataset(train_images, train_labels), batch_size=batch_size,
    shuffle=True, generator=torch.Generator().manual_seed(seed))
torch_test = torch.utils.data.DataLoader(
    tensor_dataset(test_images, test_labels), batch_size=batch_size)

# %%
# ``loss.backward()`` fills each parameter's ``.grad``; ``optimizer.step()``
# applies them; ``zero_grad()`` clears them, since PyTorch adds gradients up
# by default. ``torch.no_grad()`` skips the recording during evaluation.


def torch_accuracy(net, data_loader):
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_loader:
            predicted = net(X.to(torch_device)).argmax(dim=1)
            correct += (predicted == y.to(torch_device)).sum().item()
            total += len(y)
    net.train()
    return correct / total


cross_entropy = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(torch_net.parameters(), lr=lr,
                            momentum=momentum)
torch_history = {"loss": [], "accuracy": []}
start = time.perf_counter()
torch_timer = EpochTimer("torch-eager", batch_size)
for epoch in range(num_epochs):
    if epoch == decay_epoch:
        for group in optimizer.param_groups:
            group["lr"] = lr / 10
    torch_timer.start()
    loss_sum = 0.0
    for X, y in torch_train:
        X, y = X.to(torch_device), y.to(torch_device)
        optimizer.zero_grad()
        loss = cross_entropy(torch_net(X), y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
    torch_timer.stop()
    torch_history["loss"].append(loss_sum / num_train)
    torch_history["accuracy"].append(torch_accuracy(torch_net, torch_test))
    print(f"epoch {epoch}: loss {torch_history['loss'][-1]:.4f}, "
          f"test accuracy {torch_history['accuracy'][-1]:.3f}")
torch_seconds = time.perf_counter() - start

# %%
# Results
# -------
#
# Each API must reach at least 97 % on the 1,000 held-out digits. The
# training speed is the median epoch's, evaluation left out; the total time
# includes the evaluations. ``python -m sidebyside.bench --pages`` runs
# this page with the benchmark timing the same configuration, in a process
# of its own, after each epoch, and checks that every API trains here at
# 90 % or more of the benchmark's speed: a page slowed by its data pipeline
# or its thread settings would not be a fair comparison.

results = {
    "MXNet symbolic": (symbolic_history, symbolic_timer, symbolic_seconds),
    "Gluon": (gluon_history, gluon_timer, gluon_seconds),
    "PyTorch": (torch_history, torch_timer, torch_seconds),
}
speeds = {api: record_training_speed("lenet/plot_lenet", timer, num_train)
          for api, (_, timer, _) in results.items()}
print(f"\n{'API':<16}{'test accuracy':>15}{'training images/s':>19}"
      f"{'total s':>9}")
for api, (history, timer, seconds) in results.items():
    print(f"{api:<16}{history['accuracy'][-1]:>15.3f}{speeds[api]:>19,.0f}"
          f"{seconds:>9.1f}")

for api, (history, timer, seconds) in results.items():
    assert len(history["accuracy"]) == num_epochs, api
    assert len(timer.seconds) == num_epochs, api

# %%
# The bar of 97 % is the claim that the three train the same network to
# the same standard: LeNet reaches 98 to 99 % on the full MNIST, and on
# these 4,000 digits all three APIs have reached 97.6 to 97.9 % in every
# build so far; a mistake in one pipeline (labels shifted, pixels not
# scaled, a layer missing) costs many points, not a fraction of one.

accuracy_checks = [
    claims.check(f"{api}: test accuracy after {num_epochs} epochs",
                 history["accuracy"][-1], ">=", 0.97,
                 "a point below what all three reach; a broken pipeline "
                 "falls far below")
    for api, (history, _, _) in results.items()]

# %%
# The three learning curves on the same axes. They are not identical: each
# framework draws its own random initial weights and shuffles the data its
# own way. They are alike, because the computation is the same.

epochs = np.arange(1, num_epochs + 1)
fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2,
                                           figsize=(style.FIGURE_WIDTH, 4))
for api, (history, _, _) in zip(style.ORDER, results.values()):
    loss_ax.plot(epochs, history["loss"], **style.line(api))
    accuracy_ax.plot(epochs, 100 * np.array(history["accuracy"]),
                     **style.line(api))
loss_ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)",
            yscale="log", title="Training loss")
accuracy_ax.set(xlabel="epoch", ylabel="test accuracy (%)",
                title=f"Accuracy on {num_test} held-out digits")
accuracy_ax.axhline(97, color="grey", linestyle="--", linewidth=1,
                    label="97 % bar")
for ax in (loss_ax, accuracy_ax):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
fig.tight_layout()
plt.show()

# %%
# Same computation, proof 1: freeze Gluon into a symbol
# -----------------------------------------------------
#
# ``hybridize()`` makes a Gluon network record its computation as a symbol
# the next time it runs; ``export`` writes that symbol and the weights to
# disk. What comes back is a symbolic network: it loads into the
# ``Module`` of section (a) and into a ``SymbolBlock``, Gluon's wrapper for
# symbols. All three give identical predictions on the test digits.

import tempfile
import warnings
from pathlib import Path

test_images_mx = mx.nd.array(test_images, ctx=mx_ctx)

gluon_net.hybridize()
gluon_logits = gluon_net(test_images_mx).asnumpy()
export_dir = Path(tempfile.mkdtemp())
gluon_net.export(str(export_dir / "lenet"), epoch=0)
print(sorted(path.name for path in export_dir.iterdir()))

frozen_symbol, arg_params, aux_params = mx.model.load_checkpoint(
    str(export_dir / "lenet"), 0)
frozen_module = mx.mod.Module(frozen_symbol, data_names=["data"],
                              label_names=None, context=mx_ctx)
frozen_module.bind(data_shapes=[("data", test_images.shape)],
                   for_training=False)
frozen_module.set_params(arg_params, aux_params)
frozen_module.forward(mx.io.DataBatch([test_images_mx]), is_train=False)
module_logits = frozen_module.get_outputs()[0].asnumpy()

# MXNet warns here that the file alone does not say the input's type; the
# float32 digits passed below settle it, so the warning is silenced.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    symbol_block = gluon.SymbolBlock.imports(
        str(export_dir / "lenet-symbol.json"), ["data"],
        str(export_dir / "lenet-0000.params"), ctx=mx_ctx)
block_logits = symbol_block(test_images_mx).asnumpy()

for name, logits in (("Module", module_logits),
                     ("SymbolBlock", block_logits)):
    same = np.array_equal(logits.argmax(axis=1),
                          gluon_logits.argmax(axis=1))
    print(f"{name}: same predictions as Gluon: {same}, largest logit "
          f"difference {np.abs(logits - gluon_logits).max():.2e}")
    assert same, name

# %%
# Same computation, proof 2: MXNet's weights in PyTorch
# -----------------------------------------------------
#
# The trained weights of the symbolic network of section (a) have the same
# shapes and layouts as PyTorch's (output channels first), so they copy
# across one to one. A fresh PyTorch LeNet given them computes the same
# logits as the ``Module``, to float32 rounding.

symbolic_args, _ = lenet_module.get_params()
copied_net = torch_lenet()
torch_layers = [layer for layer in copied_net
                if isinstance(layer, (nn.Conv2d, nn.Linear))]
with torch.no_grad():
    for name, layer in zip(["conv1", "conv2", "fc1", "fc2"], torch_layers):
        layer.weight.copy_(torch.from_numpy(
            symbolic_args[f"{name}_weight"].asnumpy()))
        layer.bias.copy_(torch.from_numpy(
            symbolic_args[f"{name}_bias"].asnumpy()))
copied_net.eval()
with torch.no_grad():
    copied_logits = copied_net(torch.from_numpy(test_images)).numpy()

logits_module = mx.mod.Module(symbolic_lenet().get_internals()["fc2_output"],
                              label_names=None, context=mx_ctx)
logits_module.bind(data_shapes=[("data", test_images.shape)],
                   for_training=False)
logits_module.set_params(symbolic_args, {})
logits_module.forward(mx.io.DataBatch([test_images_mx]), is_train=False)
symbolic_logits = logits_module.get_outputs()[0].asnumpy()

difference = np.abs(copied_logits - symbolic_logits).max()
print(f"largest logit difference over {len(test_images)} digits: "
      f"{difference:.2e}, largest logit {np.abs(symbolic_logits).max():.1f}")

# %%
# How close is close enough? float32 keeps about seven significant
# digits, and the two frameworks add the up to 800 terms of each sum in
# different orders, so logits of a few tens agree to about 1e-5. A weight
# copied into the wrong layout would change them by whole units. The
# checks:

same_computation_checks = [
    claims.check(f"{name} vs Gluon: digits predicted differently",
                 int((logits.argmax(1) != gluon_logits.argmax(1)).sum()),
                 "==", 0, "the same graph and weights must agree on every"
                 " digit")
    for name, logits in (("exported Module", module_logits),
                         ("SymbolBlock", block_logits))]
same_computation_checks += [
    claims.check("MXNet weights in PyTorch: largest logit difference",
                 float(difference), "<", 1e-4,
                 "float32 rounding in sums of up to 800 terms gives about "
                 "1e-5; a wrong layout gives differences of order 1"),
    claims.check("MXNet weights in PyTorch: digits predicted differently",
                 int((copied_logits.argmax(1)
                      != symbolic_logits.argmax(1)).sum()),
                 "==", 0, "a rounding difference of 1e-5 changes no "
                 "prediction"),
]

# %%
# What ``fit`` keeps
# ------------------
#
# The learning curves of section (a) exist because the page built them:
# ``fit`` returned nothing (Keras's ``fit``, by contrast, returns a
# ``History`` of every epoch's metrics), and the metric object it updated
# holds only the epoch it last measured. Every earlier value reached the
# page through the epoch-end callback, once an epoch. In the two loops,
# the loss is a variable of the page's own code.

metric_name, last_epoch_loss = train_loss_metric.get()
print(f"fit returned {fit_returned!r}; the metric object holds "
      f"{metric_name} = {last_epoch_loss:.4f},\nthe last epoch's value "
      "only")
fit_checks = [
    claims.check("what Module.fit returned", repr(fit_returned), "==",
                 "None", "a fit that returned its history would make the "
                 "callbacks unnecessary"),
    claims.check("epoch losses the epoch-end callback received",
                 len(symbolic_history["loss"]), "==", num_epochs,
                 "one call per epoch: the only source of the curve"),
    claims.check("metric value after fit minus the last epoch's loss",
                 abs(last_epoch_loss - symbolic_history["loss"][-1]),
                 "<", 1e-9, "the metric is reset every epoch, so it holds "
                 "the last epoch's loss and nothing before it"),
]

# %%
# Who works out the 800 inputs of the first dense layer: Gluon at the
# first batch (shown in section (b)), the symbolic graph from the input's
# shape alone, and nobody in PyTorch, whose ``nn.Linear`` has no default
# for ``in_features`` (``nn.LazyLinear`` is the deferred variant).

fc1_inferred = dict(zip(
    lenet_symbol.list_arguments(),
    lenet_symbol.infer_shape(data=(batch_size, 1, 28, 28))[0]))["fc1_weight"]
linear_needs_inputs = (inspect.signature(nn.Linear).parameters[
    "in_features"].default is inspect.Parameter.empty)
deferred_checks = [
    claims.check("Gluon fc1 weight before the first batch",
                 fc1_shape_before, "==", (512, 0),
                 "0 marks the input size Gluon has not inferred yet"),
    claims.check("Gluon fc1 weight after the first batch", fc1_shape_after,
                 "==", (512, 800),
                 "50 channels of 4x4 pixels reach the first dense layer"),
    claims.check("symbolic fc1 weight from infer_shape", fc1_inferred,
                 "==", (512, 800), "the same 800, from shapes alone"),
    claims.check("nn.Linear's in_features has a default",
                 not linear_needs_inputs, "==", False,
                 "PyTorch asks for the size unless a Lazy layer is used"),
]

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entries:

claims.record(
    "lenet/plot_lenet", "fit-hides", "holds with caveats",
    "Module.fit returns nothing and its metric object keeps only the last "
    "epoch: the symbolic curves came from a metric object and two "
    "callbacks, where the imperative loops' loss is a variable. fit is the "
    "shortest to write, and accepts a monitor for internals (see the "
    "gradients page).", fit_checks)
claims.record(
    "lenet/plot_lenet", "deferred-shapes", "holds",
    "Gluon's first dense layer starts as (512, 0) and becomes (512, 800) "
    "at the first batch; the symbolic graph infers (512, 800) from the "
    "input's shape; PyTorch's nn.Linear asks for 800 unless nn.LazyLinear "
    "is used.", deferred_checks)
claims.record(
    "lenet/plot_lenet", "same-computation", "holds",
    "the three APIs reach the same accuracy; the exported Gluon network "
    "predicts every test digit as a Module and as a SymbolBlock do, and "
    "MXNet's trained weights in PyTorch give the same logits to float32 "
    "rounding.", accuracy_checks + same_computation_checks)

# %%
# Takeaways
# ---------
#
# * The three APIs train the same network to the same accuracy; the proofs
#   above show they compute the same function.
# * ``Module.fit`` is the shortest to call and the hardest to look inside:
#   watching the loss needed a metric object and two callbacks. In Gluon
#   and PyTorch the loop is yours, so the loss is a variable you print.
# * Gluon's deferred initialisation spares you the 800 input features of
#   the first dense layer; PyTorch asks for them.
# * Nothing is lost by starting imperative: ``hybridize`` and ``export``
#   give Gluon the symbolic graph back when you want it.
# * Timing two frameworks in one process needs care: data held in memory,
#   threads set before the imports, and one team of OpenMP threads for both.
#   ``python -m sidebyside.bench --pages`` checks that each API trains here
#   as fast as the benchmark lets it.
