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
``backward()``; in the symbolic API it lives inside the executor, and you
reach it through a monitor and the name of a backward operator.

**What you will learn**

* how to read per-layer gradients: ``.grad`` and a backward hook in
  PyTorch, ``param.grad()`` in Gluon, ``mx.mon.Monitor`` in a ``Module``;
* what vanishing gradients look like, and how far they go in only five
  layers;
* what the symbolic API asks of you to see a gradient.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`, where
the three APIs train LeNet. The page reads MNIST from ``$SIDEBYSIDE_DATA``
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

import math

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
import torchvision
from mxnet import autograd, gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside.data import ensure_mnist
from sidebyside.gluon import MNIST as GluonMNIST

torch.set_num_threads(num_threads)
assert torch.get_num_threads() == num_threads
runtime.print_setup()

mx_ctx = runtime.mxnet_context()
torch_device = runtime.torch_device()

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
    hook_norms = []

    def record_output_gradient(module, grad_output):
        hook_norms.append(grad_output[0].norm().item())

    for layer in dense_layers:
        layer.register_full_backward_pre_hook(record_output_gradient)
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
    # the hooks ran from the last layer to the first: reverse each step
    hook_norms = np.array(hook_norms).reshape(num_steps, depth)[:, ::-1]
    return np.array(grad_norms), np.array(losses), hook_norms


torch_results = {name: train_torch(**options)
                 for name, options in networks.items()}

# %%
# What the hook saw at the first step: the gradient of the loss with
# respect to each layer's output. In the broken network it shrinks by a
# large factor at every sigmoid on its way back.

for name, (_, _, hook_norms) in torch_results.items():
    shown = "  ".join(f"{norm:.1e}" for norm in hook_norms[0])
    print(f"{name:>8}: |dloss/d output|, fc1 .. fc{depth}: {shown}")
hook_ratio = {name: hook_norms[:, -1] / hook_norms[:, 0]
              for name, (_, _, hook_norms) in torch_results.items()}
print(f"last / first layer, smallest over the steps: "
      f"healthy {hook_ratio['healthy'].min():.2f}, "
      f"broken {hook_ratio['broken'].min():.0f}")
assert hook_ratio["broken"].min() >= 100
assert hook_ratio["healthy"].max() < 10

# sphinx_gallery_start_ignore
broken_hook_norms = torch_results["broken"][2]
assert (broken_hook_norms[:, 1:] > 3 * broken_hook_norms[:, :-1]).all()
# sphinx_gallery_end_ignore

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
# (c) MXNet symbolic: a monitor on the backward operators
# --------------------------------------------------------
#
# A ``Module`` computes the gradients inside its executor; its public API
# hands back the weights (``get_params``), not their gradients. The tool
# for looking inside is ``mx.mon.Monitor``: installed on the module, it
# applies a statistic (here the norm) to the outputs of the operators whose
# names match a regular expression, and ``toc()`` returns the results as
# strings. To pick the weight gradients you must know how MXNet names the
# backward pass: the operator ``fc1_backward`` has three outputs, the
# gradients of ``fc1``'s data, weight and bias, in that order, so the
# weight gradient is ``fc1_backward_output1``. ``SoftmaxOutput`` sums its
# gradient over the batch, hence the same division as in Gluon. The loop is
# ``Module``'s low-level one (``forward_backward`` then ``update``), since
# ``fit`` would leave no place to call ``tic`` and ``toc``.


def symbolic_network(activation):
    x = mx.sym.var("data")
    for i, name in enumerate(layer_names):
        num_outputs = 10 if i == depth - 1 else width
        x = mx.sym.FullyConnected(x, num_hidden=num_outputs, name=name)
        if i < depth - 1:
            x = mx.sym.Activation(x, act_type=activation,
                                  name=f"{activation}{i + 1}")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def train_symbolic(activation, gaussian, magnitude):
    mx.random.seed(seed)
    module = mx.mod.Module(symbolic_network(activation), context=mx_ctx)
    module.bind(data_shapes=symbolic_train.provide_data,
                label_shapes=symbolic_train.provide_label)
    module.init_params(mxnet_initializer(gaussian, magnitude))
    module.init_optimizer(optimizer="sgd",
                          optimizer_params={"learning_rate": lr})
    monitor = mx.mon.Monitor(1, mx.nd.norm, pattern=r"fc\d+_backward_output1")
    module.install_monitor(monitor)
    loss_metric = mx.metric.CrossEntropy()
    grad_norms, losses = [], []
    symbolic_train.reset()
    for step, batch in zip(range(num_steps), symbolic_train):
        monitor.tic()
        module.forward_backward(batch)
        stats = {name: float(value)
                 for _, name, value in monitor.toc()}
        grad_norms.append([stats[f"{name}_backward_output1"] / batch_size
                           for name in layer_names])
        module.update()
        loss_metric.reset()
        module.update_metric(loss_metric, batch.label)
        losses.append(loss_metric.get()[1])
    return np.array(grad_norms), np.array(losses), module


symbolic_results = {name: train_symbolic(**options)
                    for name, options in networks.items()}

# sphinx_gallery_start_ignore
# The monitor's output1 is the weight gradient: it matches the gradient
# array the executor holds (a private attribute, hence only checked here).
module = symbolic_results["broken"][2]
monitor = mx.mon.Monitor(1, mx.nd.norm, pattern=r"fc\d+_backward_output1")
module.install_monitor(monitor)
symbolic_train.reset()
monitor.tic()
module.forward_backward(next(symbolic_train))
stats = {name: float(value) for _, name, value in monitor.toc()}
grad_dict = module._exec_group.execs[0].grad_dict
for name in layer_names:
    expected = grad_dict[f"{name}_weight"].norm().asscalar()
    assert math.isclose(stats[f"{name}_backward_output1"], expected,
                        rel_tol=1e-5), name
# sphinx_gallery_end_ignore

# %%
# Gradient norms, step by step
# ----------------------------
#
# One figure per network, the three APIs side by side, one line per layer,
# on a logarithmic scale. The random initial weights differ from one API
# to the next, so the curves are alike, not identical.

results = {
    "PyTorch": {name: result[:2] for name, result in torch_results.items()},
    "Gluon": gluon_results,
    "MXNet symbolic": {name: result[:2]
                       for name, result in symbolic_results.items()},
}
steps = np.arange(1, num_steps + 1)
colors = plt.cm.viridis(np.linspace(0, 0.9, depth))
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
        ax.set(xlabel="training step", yscale="log", ylim=y_range,
               title=api)
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
# ten of each other at every step: every layer learns at a similar pace.

plot_gradient_norms("healthy")
plt.show()

# sphinx_gallery_start_ignore
for api, by_network in results.items():
    grad_norms = by_network["healthy"][0]
    assert (grad_norms.max(axis=1) < 10 * grad_norms.min(axis=1)).all(), api
# sphinx_gallery_end_ignore

# %%
# In the broken network the lines are stacked apart: each layer's gradient
# is smaller than the next layer's (about six times between hidden layers),
# so the first layer gets one hundreds of times smaller than the last, at
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
        print(f"{api:<16}{network:<9}"
              f"{ratio.min():>10.2f} to {ratio.max():<9.2f}"
              f"{losses[-10:].mean():>22.3f}")

# %%
# The claims of this page, as assertions: in the broken network the first
# layer's gradient is at least 100 times smaller than the last layer's at
# every step; in the healthy one the two stay within a factor of 10. The
# healthy network learns in these 50 steps; the broken one stays at chance.

for api, by_network in results.items():
    broken_norms, broken_losses = by_network["broken"]
    healthy_norms, healthy_losses = by_network["healthy"]
    assert (broken_norms[:, -1] >= 100 * broken_norms[:, 0]).all(), api
    assert (healthy_norms[:, -1] < 10 * healthy_norms[:, 0]).all(), api
    assert healthy_losses[-10:].mean() < 1.2, api
    assert broken_losses[-10:].mean() > 2.2, api

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

from sidebyside import claims

claims.record(
    "debugging/plot_gradients", "gradients", "holds with caveats",
    "PyTorch (.grad, hooks) and Gluon (param.grad()) read gradients "
    "directly; the symbolic Module needs a Monitor or its executor's "
    "arrays. All three find the broken network's first layer 100x weaker "
    "than its last (asserted).")

# %%
# Takeaways
# ---------
#
# * A network that does not learn raises no error; per-layer gradient
#   norms say where the learning stops. Here: before the sigmoids, with
#   five layers only.
# * In PyTorch and Gluon a gradient is a value next to its parameter, read
#   in the loop you already wrote; a backward hook sees it while it flows.
# * In the symbolic API the same number takes a monitor, a regular
#   expression over the names of backward operators, the knowledge that
#   ``output1`` is the weight, and strings to parse back into floats.
# * To look at a forward pass layer by layer instead, see
#   :ref:`sphx_glr_auto_examples_debugging_plot_step_through.py`.
