"""
Inspecting gradients: why a network does not learn
===================================================

A network that trains badly rarely raises an error: its loss just stays
where it started. The first thing to look at is then the gradient of each
layer, step after step. This page trains two five-layer networks on the same
MNIST digits: a healthy one, and a broken one (sigmoid activations with a
common initialisation) whose early layers receive gradients too small to
learn anything. It records every layer's gradient norm at every step in
PyTorch, in Gluon and in MXNet's symbolic API, and plots them side by side.
In the two imperative APIs the gradient is a variable you read after
``backward()``. In the symbolic API it lives inside an executor: ``Module``
hands back the weights but not their gradients, so you read them through a
monitor (which ``Module.fit`` accepts) by the names of backward operators,
or from an executor you bind yourself.

**What you will learn**

* how to read per-layer gradients: ``.grad`` and a backward hook in
  PyTorch, ``param.grad()`` in Gluon, ``mx.mon.Monitor`` passed to
  ``Module.fit``;
* what vanishing gradients look like, how far they go in only five
  layers, and how large they should be in a healthy network;
* what ``Module`` hides about gradients, and what it does not.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`, where
the three APIs train LeNet. The page reads MNIST from ``$SIDEBYSIDE_DATA``
like every page of this site.
"""

# sphinx_gallery_thumbnail_number = 3

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported and prints what the page runs on. MXNet runs on the
# CPU; PyTorch uses a GPU when there is one. PyTorch's section comes first
# on this page, not the symbolic API's as elsewhere on this site: its
# backward hook measures the signal whose size the page predicts, and the
# other two APIs are read against that prediction. The figures show the
# APIs in the site's order.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import logging
import math

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
from sidebyside.gluon import MNIST as GluonMNIST

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

# %%
# Fifty steps of plain SGD with batches of 64 digits are enough to see
# the difference. Each network has ``depth`` dense layers, ``width`` units
# wide.

seed = 0
batch_size = 64
lr = 0.1
num_steps = 50
depth = 5
width = 128
layer_names = [f"fc{i}" for i in range(1, depth + 1)]

# %%
# The data
# --------
#
# Each API reads the digits with its own MNIST reader, without shuffling,
# so the three see the same 50 batches in the same order: the first 3,200
# training digits.

mnist = ensure_mnist()
to_tensor = torchvision.transforms.ToTensor()
torch_train = torch.utils.data.DataLoader(
    torchvision.datasets.MNIST(mnist.root, train=True, transform=to_tensor),
    batch_size=batch_size, shuffle=False)
gluon_train = gluon.data.DataLoader(
    GluonMNIST(train=True).transform_first(
        gluon.data.vision.transforms.ToTensor()),
    batch_size=batch_size, shuffle=False)
symbolic_train = mx.io.MNISTIter(
    image=str(mnist.train_images), label=str(mnist.train_labels),
    batch_size=batch_size, shuffle=False, flat=True)

# sphinx_gallery_start_ignore
# Same digits, same order; MNISTIter divides the pixels by 256, ToTensor
# by 255.
first_torch = next(iter(torch_train))
first_gluon = next(iter(gluon_train))
first_symbolic = next(iter(symbolic_train))
symbolic_train.reset()
for images, labels in (
        (first_gluon[0].asnumpy(), first_gluon[1].asnumpy()),
        (first_symbolic.data[0].asnumpy(),
         first_symbolic.label[0].asnumpy())):
    assert np.allclose(images.reshape(batch_size, -1),
                       first_torch[0].numpy().reshape(batch_size, -1),
                       atol=1 / 255)
    assert np.array_equal(labels.astype(np.int64), first_torch[1].numpy())
# sphinx_gallery_end_ignore

# %%
# Two networks
# ------------
#
# Both are stacks of ``depth`` dense layers with zero biases. They differ
# in two choices made together, as they often are in practice:
#
# * **healthy**: ReLU activations, weights drawn from
#   :math:`\mathcal{N}(0, 2/n)` with :math:`n` the layer's number of inputs
#   (He initialisation);
# * **broken**: sigmoid activations, weights drawn from
#   :math:`\mathcal{U}(-1/\sqrt{n}, 1/\sqrt{n})`, the bound PyTorch uses by
#   default for ``nn.Linear``.
#
# Going backwards, each sigmoid layer multiplies the gradient by the
# sigmoid's slope (at most 1/4) and by weights that are too small to make
# up for it, so the gradient shrinks layer after layer. In MXNet both
# initialisations are ``Xavier`` with the fan-in: a magnitude of 2 and
# Gaussian draws for He, a magnitude of 1 and uniform draws for the other.

networks = {
    "healthy": {"activation": "relu", "gaussian": True, "magnitude": 2.0},
    "broken": {"activation": "sigmoid", "gaussian": False,
               "magnitude": 1.0},
}


# sphinx_gallery_start_ignore
# nn.Linear's default weights are uniform within 1/sqrt(n).
default_weight = nn.Linear(28 * 28, width).weight.detach()
assert 0.99 / 28 < default_weight.abs().max() <= 1 / 28
# sphinx_gallery_end_ignore


def mxnet_initializer(gaussian, magnitude):
    return mx.init.Xavier(rnd_type="gaussian" if gaussian else "uniform",
                          factor_type="in", magnitude=magnitude)


# %%
# (a) PyTorch: ``.grad`` and a backward hook
# ------------------------------------------
#
# After ``loss.backward()`` every parameter holds its gradient in
# ``.grad``, an ordinary tensor: reading its norm is one line in the loop.
# A *backward hook* goes further: PyTorch calls it during ``backward()``,
# here just before each dense layer's own backward step, with the gradient
# of the loss with respect to the layer's output. Hooks are how you watch,
# or change, gradients without touching the training loop.


def torch_network(activation, gaussian, magnitude):
    layers = [nn.Flatten()]
    num_inputs = 28 * 28
    for i in range(depth):
        num_outputs = 10 if i == depth - 1 else width
        layer = nn.Linear(num_inputs, num_outputs)
        if gaussian:
            nn.init.normal_(layer.weight,
                            std=math.sqrt(magnitude / num_inputs))
        else:
            bound = math.sqrt(magnitude / num_inputs)
            nn.init.uniform_(layer.weight, -bound, bound)
        nn.init.zeros_(layer.bias)
        layers.append(layer)
        num_inputs = num_outputs
        if i < depth - 1:
            layers.append(nn.ReLU() if activation == "relu"
                          else nn.Sigmoid())
    return nn.Sequential(*layers)


def train_torch(activation, gaussian, magnitude):
    torch.manual_seed(seed)
    net = torch_network(activation, gaussian, magnitude).to(torch_device)
    dense_layers = [m for m in net if isinstance(m, nn.Linear)]
    hook_norms, input_norms = [], []

    def record_output_gradient(module, grad_output):
        hook_norms.append(grad_output[0].norm().item())

    def record_input_norm(module, inputs):
        # the mean length of one digit's input vector to the layer
        input_norms.append(inputs[0].flatten(1).norm(dim=1).mean().item())

    for layer in dense_layers:
        layer.register_full_backward_pre_hook(record_output_gradient)
        layer.register_forward_pre_hook(record_input_norm)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    cross_entropy = nn.CrossEntropyLoss()
    grad_norms, losses = [], []
    for step, (X, y) in zip(range(num_steps), torch_train):
        X, y = X.to(torch_device), y.to(torch_device)
        optimizer.zero_grad()
        loss = cross_entropy(net(X), y)
        loss.backward()
        grad_norms.append([layer.weight.grad.norm().item()
                           for layer in dense_layers])
        optimizer.step()
        losses.append(loss.item())
    # the backward hooks ran from the last layer to the first: reverse
    hook_norms = np.array(hook_norms).reshape(num_steps, depth)[:, ::-1]
    input_norms = np.array(input_norms).reshape(num_steps, depth)
    return np.array(grad_norms), np.array(losses), hook_norms, input_norms


torch_results = {name: train_torch(**options)
                 for name, options in networks.items()}

# %%
# How large should these gradients be?
# -------------------------------------
#
# The hook saw the gradient of the loss with respect to each layer's
# output: the signal that flows backwards. Going back through a layer with
# :math:`n` inputs, it is multiplied by the transposed weights and by the
# activation's slope, so its squared norm is multiplied, on average, by
# :math:`\overline{s^2}\, n\, v`, with :math:`v` the weights' variance
# and :math:`\overline{s^2}` the mean squared slope:
#
# * **healthy**: a ReLU's slope is 1 on about half the units and 0 on the
#   others (:math:`\overline{s^2} = 1/2`), and He's :math:`v = 2/n` makes
#   the factor 1: the signal keeps its norm from layer to layer;
# * **broken**: a sigmoid's slope is at most 1/4, and weights uniform
#   within :math:`\pm 1/\sqrt{n}` have :math:`v = 1/(3n)`: the factor is
#   at most 1/48, so the norm shrinks at least :math:`\sqrt{48} \approx
#   6.9` times per sigmoid, :math:`48^2 \approx 2{,}300` times over four.

print(f"|dloss/d output| of fc1 .. fc{depth}, first step:")
for name, (_, _, hook_norms, _) in torch_results.items():
    shown = "  ".join(f"{norm:.1e}" for norm in hook_norms[0])
    print(f"{name:>8}: {shown}")
hook_ratio = {name: hook_norms[:, -1] / hook_norms[:, 0]
              for name, (_, _, hook_norms, _) in torch_results.items()}
for name, ratio in hook_ratio.items():
    print(f"{name:>8}: fc{depth} / fc1, over the {num_steps} steps: "
          f"{ratio.min():.3g} to {ratio.max():.3g}")

# %%
# Both predictions hold, at every step. The bounds leave room for what an
# average ignores: the weights are random draws, and 50 steps of training
# change them.

broken_signal_check = claims.check(
    "broken network: smallest fc5/fc1 backward-signal ratio (PyTorch hook)",
    hook_ratio["broken"].min(), ">=", 48 ** 2 / 2,
    "the average for sigmoids and these weights is at least 48^2 = 2,304; "
    "half of it allows for random weights and training")
healthy_signal_check = claims.check(
    "healthy network: largest fc5/fc1 backward-signal ratio (PyTorch hook)",
    hook_ratio["healthy"].max(), "<=", 1.1 ** 4,
    "He initialisation keeps the signal's norm (ratio 1); a signal "
    "shrinking by 10 % per layer would reach 1.1^4 = 1.46")

# sphinx_gallery_start_ignore
# Layer by layer too: every sigmoid shrinks the signal more than 4 times
# (its slope alone; measured: at least 6.7 times).
broken_hook_norms = torch_results["broken"][2]
assert (broken_hook_norms[:, 1:] > 4 * broken_hook_norms[:, :-1]).all()
# sphinx_gallery_end_ignore

# %%
# A weight's gradient is this signal times the layer's input: for one
# digit, :math:`|\partial \mathrm{loss} / \partial W| = |\mathrm{signal}|
# \times |\mathrm{input}|`. The first layer's input is a digit (784
# pixels), the last layer's the 128 activations of the layer before, so
# the ratio of the last layer's weight gradient to the first's is the
# signal's ratio times the ratio of their inputs' lengths. At the first
# step, the prediction and the ratio measured on the whole batch:

predicted_ratio = {}
for name, (grad_norms, _, hook_norms, input_norms) in torch_results.items():
    input_ratio = input_norms[0, -1] / input_norms[0, 0]
    predicted_ratio[name] = hook_ratio[name][0] * input_ratio
    print(f"{name:>8}: |input| of fc1 {input_norms[0, 0]:.2f}, of "
          f"fc{depth} {input_norms[0, -1]:.2f}")
    print(f"    weight-gradient ratio fc{depth} / fc1: predicted "
          f"{predicted_ratio[name]:.3g}, measured "
          f"{grad_norms[0, -1] / grad_norms[0, 0]:.3g}")

# %%
# The batch's gradient is a sum over 64 digits whose contributions point
# in different directions, so the measured ratio is within a third of the
# one-digit prediction, not equal to it. The orders of magnitude are the
# prediction's: about one half against about a thousand.

# %%
# (b) Gluon: ``param.grad()``
# ---------------------------
#
# Gluon keeps each parameter's gradient next to it: ``param.grad()``
# returns it as an ``NDArray`` after ``loss.backward()``. Gluon's losses
# are per digit and ``backward()`` sums them, so the gradient is divided by
# the batch size to compare with PyTorch's mean loss (``trainer.step``
# makes the same division before updating the weights).


def gluon_network(activation, gaussian, magnitude):
    net = gnn.HybridSequential()
    for i in range(depth):
        if i < depth - 1:
            net.add(gnn.Dense(width, activation=activation))
        else:
            net.add(gnn.Dense(10))
    net.initialize(mxnet_initializer(gaussian, magnitude), ctx=mx_ctx)
    return net


def train_gluon(activation, gaussian, magnitude):
    mx.random.seed(seed)
    net = gluon_network(activation, gaussian, magnitude)
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": lr})
    softmax_ce = gluon.loss.SoftmaxCrossEntropyLoss()
    grad_norms, losses = [], []
    for step, (X, y) in zip(range(num_steps), gluon_train):
        X, y = X.as_in_context(mx_ctx), y.as_in_context(mx_ctx)
        with autograd.record():
            loss = softmax_ce(net(X), y)
        loss.backward()
        grad_norms.append([layer.weight.grad().norm().asscalar()
                           / batch_size for layer in net])
        trainer.step(batch_size)
        losses.append(loss.mean().asscalar())
    return np.array(grad_norms), np.array(losses)


gluon_results = {name: train_gluon(**options)
                 for name, options in networks.items()}

# %%
# (c) MXNet symbolic: a monitor passed to ``fit``
# -----------------------------------------------
#
# A ``Module`` computes the gradients inside executors of its own; its
# public API hands back the weights (``get_params``), not their gradients.
# The tool for looking inside is ``mx.mon.Monitor``: it applies a
# statistic (here the norm) to the outputs of the operators whose names
# match a regular expression. To pick the weight gradients you must know
# how MXNet names the backward pass: the operator ``fc1_backward`` has
# three outputs, the gradients of ``fc1``'s data, weight and bias, in that
# order, so the weight gradient is ``fc1_backward_output1``.
# ``SoftmaxOutput`` sums its gradient over the batch, hence the same
# division as in Gluon.
#
# ``Module.fit`` takes the monitor as ``monitor=``: ``BaseModule.fit``
# (``mxnet/module/base_module.py``) installs it, calls ``monitor.tic()``
# before each batch's ``forward_backward`` and ``monitor.toc_print()``
# after its ``update``. ``toc_print`` writes its results through Python's
# ``logging`` at level INFO, one line per array, as text; a logging
# handler collects the lines, and the numbers are parsed back from them.
# ``mx.io.ResizeIter`` stops the epoch after 50 batches, and a
# ``batch_end_callback`` reads each batch's loss (resetting the metric, as
# MXNet's own ``Speedometer`` does).


def symbolic_network(activation):
    x = mx.sym.var("data")
    for i, name in enumerate(layer_names):
        num_outputs = 10 if i == depth - 1 else width
        x = mx.sym.FullyConnected(x, num_hidden=num_outputs, name=name)
        if i < depth - 1:
            x = mx.sym.Activation(x, act_type=activation,
                                  name=f"{activation}{i + 1}")
    return mx.sym.SoftmaxOutput(x, name="softmax")


class MonitorLines(logging.Handler):
    """Keep the lines ``Monitor.toc_print`` logs (they start "Batch:")."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines = []

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Batch:"):
            self.lines.append(message)


def train_symbolic(activation, gaussian, magnitude):
    mx.random.seed(seed)
    module = mx.mod.Module(symbolic_network(activation), context=mx_ctx)
    monitor = mx.mon.Monitor(1, mx.nd.norm, pattern=r"fc\d+_backward_output1")
    losses = []

    def record_loss(params):
        losses.append(params.eval_metric.get()[1])
        params.eval_metric.reset_local()

    monitor_lines = MonitorLines()
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.addHandler(monitor_lines)
    root_logger.setLevel(logging.INFO)
    symbolic_train.reset()
    try:
        module.fit(mx.io.ResizeIter(symbolic_train, num_steps),
                   num_epoch=1, monitor=monitor,
                   initializer=mxnet_initializer(gaussian, magnitude),
                   optimizer="sgd", optimizer_params={"learning_rate": lr},
                   eval_metric="ce", batch_end_callback=record_loss)
    finally:
        root_logger.removeHandler(monitor_lines)
        root_logger.setLevel(level)
    # "Batch:       1 fc5_backward_output1           0.1234\t"
    stats = {}
    for line in monitor_lines.lines:
        _, step, name, value = line.split()
        stats[int(step), name] = float(value)
    grad_norms = [[stats[step, f"{name}_backward_output1"] / batch_size
                   for name in layer_names]
                  for step in range(1, num_steps + 1)]
    return (np.array(grad_norms), np.array(losses), module,
            monitor_lines.lines)


symbolic_results = {name: train_symbolic(**options)
                    for name, options in networks.items()}

# %%
# What ``fit`` logged for the broken network's first batch: one line per
# layer, from the last to the first, as the backward pass ran.

broken_lines = symbolic_results["broken"][3]
print("\n".join(broken_lines[:depth]))
print(f"... {len(broken_lines)} lines in all")
fit_monitor_check = claims.check(
    "monitor lines logged by Module.fit, broken network",
    len(broken_lines), "==", num_steps * depth,
    "one weight gradient per layer per batch: fit called tic and "
    "toc_print at every one of the 50 batches")

# %%
# The same monitor works in ``Module``'s low-level loop
# (``forward_backward`` then ``update``), where you call ``tic()`` and
# ``toc()`` yourself and get the results as a list instead of log lines.
# Two more ways lead to the same numbers. An executor that you bind
# yourself (``simple_bind``) exposes its gradients publicly, as
# ``grad_dict``, as in the :doc:`debugging guide </guide/debugging>`. The
# executors inside a ``Module`` hold the same ``grad_dict``, but the only
# way to them is the private attribute ``_exec_group``. Here the three
# ways read one batch's gradients of the trained broken network.

module = symbolic_results["broken"][2]
symbolic_train.reset()
batch = next(symbolic_train)

monitor = mx.mon.Monitor(1, mx.nd.norm, pattern=r"fc\d+_backward_output1")
module.install_monitor(monitor)
monitor.tic()
module.forward_backward(batch)
monitor_stats = {name: float(value) for _, name, value in monitor.toc()}

arg_params, aux_params = module.get_params()
executor = module.symbol.simple_bind(
    mx_ctx, data=batch.data[0].shape, softmax_label=batch.label[0].shape)
executor.copy_params_from(arg_params, aux_params)
executor.arg_dict["data"][:] = batch.data[0]
executor.arg_dict["softmax_label"][:] = batch.label[0]
executor.forward(is_train=True)
executor.backward()

module_grad_dict = module._exec_group.execs[0].grad_dict  # private
print(f"{'layer':<7}{'monitor':>12}{'own executor':>14}{'_exec_group':>14}")
relative_differences = []
for name in layer_names:
    via_monitor = monitor_stats[f"{name}_backward_output1"]
    via_executor = executor.grad_dict[f"{name}_weight"].norm().asscalar()
    via_module = module_grad_dict[f"{name}_weight"].norm().asscalar()
    print(f"{name:<7}{via_monitor:>12.4e}{via_executor:>14.4e}"
          f"{via_module:>14.4e}")
    relative_differences += [abs(via_executor / via_monitor - 1),
                             abs(via_module / via_monitor - 1)]
three_ways_check = claims.check(
    "largest relative difference between the three ways",
    max(relative_differences), "<=", 1e-5,
    "one float32 gradient read three ways; 1e-5 is about a hundred times "
    "float32's precision (1.2e-7), far below any real difference")

# %%
# What ``Module``'s public API offers about gradients is the gradient with
# respect to its *inputs* (``get_input_grads``, when bound with
# ``inputs_need_grad=True``), not the weights':

public_gradient_names = tuple(name for name in dir(module)
                              if "grad" in name and not name.startswith("_"))
print(public_gradient_names)
module_api_check = claims.check(
    "Module's public names that mention gradients",
    public_gradient_names, "==", ("get_input_grads", "inputs_need_grad"),
    "the weight gradients need a monitor, your own executor or the "
    "private _exec_group")

# %%
# Gradient norms, step by step
# ----------------------------
#
# One figure per network, the three APIs side by side, one line per layer,
# on a logarithmic scale (each panel's title in its API's colour). The
# random initial weights differ from one API
# to the next, so the curves are alike, not identical.

results = {  # in the site's order of the APIs, style.ORDER
    "symbolic": {name: result[:2]
                 for name, result in symbolic_results.items()},
    "gluon": gluon_results,
    "pytorch": {name: result[:2] for name, result in torch_results.items()},
}
assert tuple(results) == style.ORDER
steps = np.arange(1, num_steps + 1)
colors = style.OTHER_COLORS  # layers are not APIs
all_norms = np.concatenate([result[0] for by_network in results.values()
                            for result in by_network.values()])
y_range = (all_norms.min() / 2, all_norms.max() * 2)

# sphinx_gallery_start_ignore
first_steps = [by_network["broken"][0][0] for by_network in results.values()]
for i in range(3):
    for j in range(i):
        assert not np.allclose(first_steps[i], first_steps[j], rtol=1e-3)
# sphinx_gallery_end_ignore


def plot_gradient_norms(network):
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
    for ax, (api, by_network) in zip(axes, results.items()):
        grad_norms = by_network[network][0]
        for i, name in enumerate(layer_names):
            label = {0: f"{name} (input)", depth - 1: f"{name} (output)"}
            ax.plot(steps, grad_norms[:, i], color=colors[i],
                    label=label.get(i, name))
        ax.set(xlabel="training step", yscale="log", ylim=y_range)
        ax.set_title(style.LABELS[api], color=style.COLORS[api])
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("weight gradient norm |dloss/dW| (Frobenius)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], title="layer",
               loc="center right")
    fig.suptitle(f"The {network} network: gradient norm of each layer "
                 "(same scale on both figures)")
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    return fig


# %%
# In the healthy network the five lines stay together, within a factor of
# four of each other at every step: every layer learns at a similar pace.
# In the first steps the top line is ``fc1``, whose input, a digit, is
# about three times as long as the other layers' inputs.

plot_gradient_norms("healthy")
plt.show()

# sphinx_gallery_start_ignore
for api, by_network in results.items():
    grad_norms = by_network["healthy"][0]
    assert (grad_norms.max(axis=1) < 4 * grad_norms.min(axis=1)).all(), api
    assert (grad_norms[:, 0] == grad_norms.max(axis=1))[:10].all(), api
# sphinx_gallery_end_ignore

# %%
# In the broken network the lines are stacked apart: each layer's gradient
# is smaller than the next layer's (about six times between hidden layers),
# so the first layer gets one 590 to 1,650 times smaller than the last, at
# every step, in every API.

plot_gradient_norms("broken")
plt.show()

# sphinx_gallery_start_ignore
for api, by_network in results.items():
    grad_norms = by_network["broken"][0]
    assert (grad_norms[:, 1:] > 1.5 * grad_norms[:, :-1]).all(), api
    assert (grad_norms[:, 2:] > 5 * grad_norms[:, 1:-1]).mean() > 0.9, api
# sphinx_gallery_end_ignore

# %%
# What the figures show, checked
# ------------------------------
#
# For each API and network: the ratio of the last layer's gradient norm to
# the first layer's (the smallest and largest over the 50 steps), and the
# mean loss of the last ten steps. A loss of about
# :math:`\ln 10 \approx 2.30` is what guessing gives.

print(f"{'API':<16}{'network':<9}{'last / first layer':>22}"
      f"{'loss, last 10 steps':>22}")
for api, by_network in results.items():
    for network, (grad_norms, losses) in by_network.items():
        ratio = grad_norms[:, -1] / grad_norms[:, 0]
        print(f"{style.LABELS[api]:<16}{network:<9}"
              f"{ratio.min():>10.2f} to {ratio.max():<9.2f}"
              f"{losses[-10:].mean():>22.3f}")

# %%
# The same ratios in one picture, per API (the bar is the median over the
# 50 steps, the whisker the smallest and largest): about one half in the
# healthy network, about a thousand in the broken one, in all three APIs.

fig, ax = plt.subplots()
bar_width = 0.25
for i, api in enumerate(style.ORDER):
    for j, network in enumerate(networks):
        grad_norms = results[api][network][0]
        ratio = grad_norms[:, -1] / grad_norms[:, 0]
        median = np.median(ratio)
        ax.bar(j + (i - 1) * bar_width, median, width=bar_width,
               yerr=[[median - ratio.min()], [ratio.max() - median]],
               capsize=4, **style.patch(api) if j == 0
               else {"color": style.COLORS[api]})
ax.set_xticks(range(len(networks)),
              [f"{network} network" for network in networks])
ax.set_yscale("log")
ax.axhline(1.0, color="grey", linewidth=0.8)
ax.set_ylabel(f"gradient norm, fc{depth} / fc1")
ax.set_title("How much weaker the first layer's gradient is than the "
             "last's")
ax.legend()
plt.show()

# %%
# The claims of this page, checked over the three APIs and the 50 steps,
# with bounds from the predictions above. In the healthy network the first
# layer's gradient stays at least as large as the last's: the ratio is
# 0.36 predicted and 0.44 measured at the first step, training takes it
# towards 0.9, and a signal shrinking by 1.25 per layer would cross 1 even
# at the first step (:math:`0.44 \times 1.25^4 = 1.07`). In the broken
# network the sigmoids' slope alone would make the ratio :math:`4^4` times
# the inputs' ratio, even with weights that kept the signal's norm; these
# weights shrink it nine times more. The healthy network learns in these
# 50 steps; the broken one stays at chance, :math:`\ln 10 \approx 2.30`.

ratios = {network: [by_network[network][0][:, -1]
                    / by_network[network][0][:, 0]
                    for by_network in results.values()]
          for network in networks}
broken_input_ratio = (torch_results["broken"][3][0, -1]
                      / torch_results["broken"][3][0, 0])
healthy_ratio_check = claims.check(
    "healthy network: largest fc5/fc1 weight-gradient ratio, 3 APIs",
    max(ratio.max() for ratio in ratios["healthy"]), "<=", 1.0,
    "the first layer gets at least the last one's gradient; He predicts "
    f"{predicted_ratio['healthy']:.2f} at the first step, and a signal "
    "shrinking by 1.25 per layer would cross 1")
broken_ratio_check = claims.check(
    "broken network: smallest fc5/fc1 weight-gradient ratio, 3 APIs",
    min(ratio.min() for ratio in ratios["broken"]), ">=",
    4 ** 4 * broken_input_ratio,
    "four sigmoid slopes of at most 1/4 (256) times the inputs' ratio "
    f"({broken_input_ratio:.2f}): the slope's share alone")
healthy_loss_check = claims.check(
    "healthy network: largest loss of the last 10 steps, 3 APIs",
    max(by_network["healthy"][1][-10:].mean()
        for by_network in results.values()), "<", 1.2,
    "about half of chance's 2.30: the network learned")
broken_loss_check = claims.check(
    "broken network: smallest loss of the last 10 steps, 3 APIs",
    min(by_network["broken"][1][-10:].mean()
        for by_network in results.values()), ">", 2.2,
    "within 0.1 of chance's 2.30: the network learned nothing")

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_gradients", "gradients", "holds with caveats",
    "PyTorch (.grad, hooks) and Gluon (param.grad()) read gradients in "
    "the loop; Module's public API gives no weight gradients, so the "
    "symbolic side reads them through a Monitor passed to fit (logged "
    "text), or from an executor bound by hand. All three find the broken "
    "network's first layer hundreds of times weaker than its last, and "
    "the healthy one's no weaker.",
    [broken_signal_check, healthy_signal_check, healthy_ratio_check,
     broken_ratio_check, healthy_loss_check, broken_loss_check,
     fit_monitor_check, three_ways_check, module_api_check])

# %%
# Takeaways
# ---------
#
# * A network that does not learn raises no error; per-layer gradient
#   norms say where the learning stops. Here: before the sigmoids, with
#   five layers only.
# * In PyTorch and Gluon a gradient is a value next to its parameter, read
#   in the loop you already wrote; a backward hook sees it while it flows.
# * In the symbolic API, ``Module``'s public API gives the weights
#   (``get_params``) and the inputs' gradients (``get_input_grads``), not
#   the weights' gradients. A ``Monitor`` reads them, passed to ``fit``
#   (``monitor=``) or installed for the low-level loop; it takes a regular
#   expression over the names of backward operators, the knowledge that
#   ``output1`` is the weight, and, with ``fit``, log lines to parse back
#   into floats. An executor you bind yourself exposes them as
#   ``grad_dict``; a ``Module``'s executors only through the private
#   ``_exec_group``.
# * How large a gradient should be is predictable: He initialisation
#   keeps the backward signal's norm through ReLU layers, while each
#   sigmoid here divides it by about 7.
# * To look at a forward pass layer by layer instead, see
#   :ref:`sphx_glr_auto_examples_debugging_plot_step_through.py`.
