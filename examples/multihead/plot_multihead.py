"""
Two heads, two datasets: an ignore label against an ``if``
==========================================================

Does a face wear glasses, and does it smile? No dataset labels both: one
labels glasses, another smiles. The answer is one network with a shared
convolutional trunk and a head per attribute, trained on batches from both
datasets, each batch teaching only the head that has its label. In PyTorch
that routing is an ``if`` in a loop you write. A graph of MXNet's symbolic
API is fixed before any data arrives, so the routing is built around it:
labels marked "unknown" and a loss layer that ignores them. The page
builds both and checks that each learns both attributes.

**What you will learn**

* how a batch is routed to the head that has a label: with an ignore label
  in MXNet's symbolic API, with plain Python in PyTorch;
* why PyTorch's optimizer leaves the head without a label alone;
* what each version costs to write, in lines.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`, which
introduces the three APIs; the page draws its faces, so it needs no data
files. Sequels: the same ``if`` in Gluon, whose ``Trainer`` must be told
about the idle head
(:ref:`sphx_glr_auto_examples_multihead_plot_ignore_stale_grad.py`); the
symbolic API's other ways, a masked loss
(:ref:`sphx_glr_auto_examples_multihead_plot_masked_loss.py`) and a graph
per dataset (:ref:`sphx_glr_auto_examples_multihead_plot_shared_module.py`);
what the shared trunk saves
(:ref:`sphx_glr_auto_examples_multihead_plot_multihead_cost.py`).
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported, and returns the devices: MXNet on the CPU (its
# last release has no GPU build for current CUDA), PyTorch on a GPU when
# there is one. Both train in this process, so, as on the LeNet page,
# MXNet computes on the main thread and shares PyTorch's OpenMP threads
# (``mxnet_on_main_thread=True``).

from sidebyside import runtime

devices = runtime.start("mxnet", "torch", mxnet_on_main_thread=True)

import ast
import inspect
import logging

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from mxnet import autograd
from torch import nn

from sidebyside import claims, faces, style

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

# %%
# One set of hyper-parameters for both versions. Adam's learning rate
# drops tenfold for the last two epochs. A batch of 40 divides both
# datasets and the test set exactly.

seed = 0
num_per_dataset = 2000
num_test = 1000
image_size = 32
batch_size = 40
lr = 0.002
num_epochs = 8
decay_epoch = 6

# %%
# The data: synthetic faces
# -------------------------
#
# The site builds offline, so :func:`~sidebyside.faces.synthetic_faces`
# paints 32x32 cartoon faces whose attributes ``Eyeglasses`` and
# ``Smiling`` (named as in CelebA; see "Running on real data" in
# :doc:`/running`) are each present half of the time, independently; skin,
# hair, pose, lighting and noise vary at random. Datasets A and B are
# drawn separately, two collections of different people, and each keeps
# one column of labels: A knows who wears glasses, B who smiles. Only the
# test set keeps both, to measure the two heads.

faces_a = faces.synthetic_faces(num_per_dataset, seed=1, size=image_size)
faces_b = faces.synthetic_faces(num_per_dataset, seed=2, size=image_size)
test_faces = faces.synthetic_faces(num_test, seed=3, size=image_size)

images_a, labels_a = faces_a.images, faces_a.column("Eyeglasses")
images_b, labels_b = faces_b.images, faces_b.column("Smiling")
del faces_a, faces_b  # the other labels do not exist
print(f"dataset A: {images_a.shape}, {labels_a.mean():.0%} with glasses")
print(f"dataset B: {images_b.shape}, {labels_b.mean():.0%} smiling")
print(f"test set:  {test_faces.images.shape}, labels {test_faces.names}")

# sphinx_gallery_start_ignore
assert images_a.shape == images_b.shape == (num_per_dataset, image_size,
                                            image_size, 3)
assert images_a.dtype == np.uint8
assert 0.45 < labels_a.mean() < 0.55 and 0.45 < labels_b.mean() < 0.55
assert test_faces.attributes.shape == (num_test, 2)
# sphinx_gallery_end_ignore

# %%
# Eight faces of each dataset, with the one label it has. A question mark
# is a label nobody wrote down.


fig, axes = plt.subplots(2, 8, figsize=(style.FIGURE_WIDTH, 3.4))
for row, images, labels, title in (
        (0, images_a, labels_a, "glasses: {}\nsmile: ?"),
        (1, images_b, labels_b, "glasses: ?\nsmile: {}")):
    for ax, image, label in zip(axes[row], images, labels):
        ax.imshow(image)
        ax.set_title(title.format("yes" if label else "no"), fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
axes[0, 0].set_ylabel("dataset A")
axes[1, 0].set_ylabel("dataset B")
fig.suptitle("Synthetic faces: each dataset labels one attribute")
fig.tight_layout()
plt.show()

# %%
# Both versions take the same input: float32 arrays of shape (N, 3, 32,
# 32), channels first, scaled to [-2, 2].


def to_input(images):
    X = images.transpose(0, 3, 1, 2).astype(np.float32)
    return (X / 255 - 0.5) / 0.25


X_a, X_b = to_input(images_a), to_input(images_b)
X_test = to_input(test_faces.images)
y_a = labels_a.astype(np.float32).reshape(-1, 1)
y_b = labels_b.astype(np.float32).reshape(-1, 1)


def accuracy_per_head(predicted):
    correct = predicted == test_faces.attributes
    accuracy = dict(zip(test_faces.names, correct.mean(axis=0)))
    print("test accuracy: " + ", ".join(
        f"{name} {value:.3f}" for name, value in accuracy.items()))
    return accuracy


# %%
# MXNet symbolic: no ``if``, so an ignore label
# ---------------------------------------------
#
# A small convolutional trunk turns a face into 64 features; each head,
# one dense layer, turns them into one logit (the log-odds that the
# attribute is present). A symbolic graph is declared before any data
# flows, so it cannot ask a batch which dataset it came from. It has both
# heads and takes a label for each in every batch: a face from A gets its
# glasses label and ``-1`` as smile label, a face from B the other way
# round. ``SoftmaxOutput``, asked to (``use_ignore=True,
# ignore_label=-1``), sends no gradient back from a ``-1`` label; of
# MXNet's ``*Output`` loss layers, it alone has an ignore label. It is a
# two-class softmax: over the pair (0, logit) it gives "present" the
# probability sigmoid(logit), so the head keeps its one logit and the loss
# is PyTorch's binary cross-entropy.


def symbolic_trunk(data):
    x = data
    for number, channels in enumerate((16, 32, 32), start=1):
        x = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1),
                               num_filter=channels, name=f"conv{number}")
        x = mx.sym.Activation(x, act_type="relu", name=f"relu{number}")
        x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2),
                           stride=(2, 2), name=f"pool{number}")
    x = mx.sym.FullyConnected(x, num_hidden=64, name="fc")
    return mx.sym.Activation(x, act_type="relu", name="relu_fc")


def symbolic_head(features, name):
    logit = mx.sym.FullyConnected(features, num_hidden=1, name=f"{name}_fc")
    pair = mx.sym.concat(mx.sym.zeros_like(logit), logit, dim=1)
    return mx.sym.SoftmaxOutput(pair, mx.sym.var(f"{name}_label"),
                                use_ignore=True, ignore_label=-1, name=name)


def symbolic_two_heads():
    features = symbolic_trunk(mx.sym.var("data"))
    return mx.sym.Group([symbolic_head(features, "eyeglasses"),
                         symbolic_head(features, "smiling")])


two_heads_symbol = symbolic_two_heads()
print(two_heads_symbol.list_arguments())
print(two_heads_symbol.list_outputs())

# sphinx_gallery_start_ignore
# Of MXNet's output layers (the *Output loss layers), only SoftmaxOutput
# has an ignore label, and it sends no gradient back from an ignored row;
# softmax over (0, z) is sigmoid(z).
output_layers = [name for name in dir(mx.sym) if name.endswith("Output")
                 and not name.startswith("_")]
assert len(output_layers) >= 5
assert [name for name in output_layers
        if "ignore" in getattr(mx.sym, name).__doc__] == ["SoftmaxOutput"]
z = mx.nd.array([[0.0, 1.0], [0.0, -2.0], [0.0, 0.5]])
z.attach_grad()
with autograd.record():
    out = mx.nd.SoftmaxOutput(z, mx.nd.array([1, -1, 0]), use_ignore=True,
                              ignore_label=-1)
out.backward()
assert np.all(z.grad.asnumpy()[1] == 0) and np.all(z.grad.asnumpy()[0] != 0)
z = mx.nd.array([[-3.0], [0.0], [2.5]])
probability = mx.nd.softmax(mx.nd.concat(mx.nd.zeros_like(z), z, dim=1))
assert np.allclose(probability[:, 1].asnumpy(),
                   mx.nd.sigmoid(z)[:, 0].asnumpy(), atol=1e-6)
# sphinx_gallery_end_ignore

# %%
# Since every face carries both labels (one of them maybe ``-1``), the
# graph does not care which dataset a face came from: A and B are
# concatenated and shuffled together, and a batch mixes both. ``fit``'s
# accuracy metric would count every ``-1`` as a wrong answer, so the
# training accuracy takes a metric of our own that skips them. The
# learning-rate drop is a scheduler counted in updates.


def masked_accuracy(label, probability):
    known = label >= 0
    predicted = probability.argmax(axis=1)
    return (predicted[known] == label[known]).sum(), known.sum()


def train_symbolic(X_a, y_a, X_b, y_b):
    unknown_a = np.full(len(y_a), -1, np.float32)
    unknown_b = np.full(len(y_b), -1, np.float32)
    labels = {"eyeglasses_label": np.concatenate([y_a[:, 0], unknown_b]),
              "smiling_label": np.concatenate([unknown_a, y_b[:, 0]])}
    train_iter = mx.io.NDArrayIter({"data": np.concatenate([X_a, X_b])},
                                   labels, batch_size=batch_size,
                                   shuffle=True)
    steps_per_epoch = (len(y_a) + len(y_b)) // batch_size
    schedule = mx.lr_scheduler.MultiFactorScheduler(
        step=[decay_epoch * steps_per_epoch], factor=0.1, base_lr=lr)
    module = mx.mod.Module(symbolic_two_heads(), label_names=list(labels),
                           context=mx_ctx)
    module.fit(train_iter,
               eval_metric=mx.metric.CustomMetric(masked_accuracy,
                                                  name="masked-accuracy"),
               initializer=mx.init.Xavier(),
               optimizer="adam",
               optimizer_params={"learning_rate": lr,
                                 "lr_scheduler": schedule},
               num_epoch=num_epochs)
    return module


# %%
# ``fit`` reports through ``logging``, shown on this page. ``predict``
# runs the graph without labels and returns the outputs of both heads:
# for each face, the probabilities of "absent" and "present".

logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
mx.random.seed(seed)
np.random.seed(seed)
symbolic_module = train_symbolic(X_a, y_a, X_b, y_b)
logging.getLogger().setLevel(logging.WARNING)

probabilities = symbolic_module.predict(
    mx.io.NDArrayIter(X_test, batch_size=batch_size))
symbolic_predicted = np.stack(
    [p.asnumpy().argmax(axis=1) for p in probabilities], axis=1)
symbolic_accuracy = accuracy_per_head(symbolic_predicted)

# %%
# PyTorch: an ``if`` picks the head
# ---------------------------------
#
# The same network in PyTorch. It is a plain ``nn.Module``: its
# ``forward`` takes the name of the head to run (given none, it runs both)
# and branches on that Python string.


def torch_trunk():
    layers = []
    for inputs, channels in ((3, 16), (16, 32), (32, 32)):
        layers += [nn.Conv2d(inputs, channels, kernel_size=3, padding=1),
                   nn.ReLU(), nn.MaxPool2d(kernel_size=2)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(32 * 4 * 4, 64),
                         nn.ReLU())


class TorchTwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = torch_trunk()
        self.eyeglasses = nn.Linear(64, 1)
        self.smiling = nn.Linear(64, 1)

    def forward(self, X, head=None):
        features = self.trunk(X)
        if head == "Eyeglasses":
            return self.eyeglasses(features)
        if head == "Smiling":
            return self.smiling(features)
        return self.eyeglasses(features), self.smiling(features)


def xavier_init(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


# %%
# The loop takes one batch from A and one from B, in turn, and runs each
# through its own head: the loss of an A batch reaches the trunk and the
# glasses head, never the smile head, which took no part. After
# ``zero_grad()`` the gradient of such a head is ``None``, and the
# optimizer skips it. That is the whole trick.


def train_torch(net, loader_a, loader_b):
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(num_epochs):
        if epoch == decay_epoch:
            for group in optimizer.param_groups:
                group["lr"] = lr / 10
        loss_sums = {"Eyeglasses": 0.0, "Smiling": 0.0}
        for batch_a, batch_b in zip(loader_a, loader_b):
            for head, (X, y) in (("Eyeglasses", batch_a),
                                 ("Smiling", batch_b)):
                X, y = X.to(torch_device), y.to(torch_device)
                optimizer.zero_grad()
                loss = loss_fn(net(X, head), y)
                loss.backward()
                optimizer.step()
                loss_sums[head] += loss.item() * len(y)
        print(f"epoch {epoch}: loss Eyeglasses "
              f"{loss_sums['Eyeglasses'] / num_per_dataset:.3f}, "
              f"Smiling {loss_sums['Smiling'] / num_per_dataset:.3f}")


def torch_loader(X, y, loader_seed):
    return torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X),
                                       torch.from_numpy(y)),
        batch_size=batch_size, shuffle=True,
        generator=torch.Generator().manual_seed(loader_seed))


torch.manual_seed(seed)
torch_net = TorchTwoHeads().to(torch_device)
torch_net.apply(xavier_init)

# %%
# The trick, checked on a copy of the network: one step on a batch of
# glasses faces moves the trunk and the glasses head, and leaves the smile
# head as it was.

probe = TorchTwoHeads().to(torch_device)
probe.load_state_dict(torch_net.state_dict())
probe_optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
before = {name: p.detach().clone() for name, p in probe.named_parameters()}
X = torch.from_numpy(X_a[:batch_size]).to(torch_device)
y = torch.from_numpy(y_a[:batch_size]).to(torch_device)
probe_optimizer.zero_grad()
nn.BCEWithLogitsLoss()(probe(X, "Eyeglasses"), y).backward()
print("gradient of the smile head's weight:", probe.smiling.weight.grad)
probe_optimizer.step()
moved = {name: not torch.equal(p.detach(), before[name])
         for name, p in probe.named_parameters()}
print("moved by the step:",
      ", ".join(name for name, was_moved in moved.items() if was_moved))
assert all(moved[name] for name in moved if not name.startswith("smiling"))
torch_idle_check = claims.check(
    "PyTorch: smile-head weights changed by a step on a glasses batch",
    any(moved[name] for name in moved if name.startswith("smiling")), "==",
    False, "the smile head takes no part in a glasses batch: its gradient "
    "stays None, and Adam skips a weight without a gradient")
del probe, probe_optimizer

# %%
# The training; then, on the test set, ``forward`` without a head name
# runs both heads on one pass of the trunk. A positive logit means
# "present".

train_torch(torch_net, torch_loader(X_a, y_a, seed),
            torch_loader(X_b, y_b, seed + 1))

torch_net.eval()
with torch.no_grad():
    logits = torch_net(torch.from_numpy(X_test).to(torch_device))
torch_predicted = np.concatenate(
    [(logit > 0).long().cpu().numpy() for logit in logits], axis=1)
torch_accuracy = accuracy_per_head(torch_predicted)

# %%
# Results
# -------
#
# Each version must get each attribute right on at least 93 % of the 1,000
# test faces, which carry both labels.

results = {"symbolic": symbolic_accuracy, "pytorch": torch_accuracy}
version_names = {"symbolic": "symbolic, ignore label", "pytorch": "PyTorch"}
accuracy_checks = [
    claims.check(
        f"{version_names[api]}: test accuracy of the weaker head",
        min(accuracy.values()), ">=", 0.93,
        "a head that learnt nothing scores about 0.5 and the versions "
        "score about 0.97; 0.93 is 7 binomial standard errors (0.005 on "
        "1,000 faces) below that, so noise cannot fail it, and a head that "
        "learnt nothing would")
    for api, accuracy in results.items()]

# %%
# The test accuracy of each head, version by version:

fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.2))
shown_apis = [api for api in style.ORDER if api in results]
width = 0.8 / len(shown_apis)
for position, api in enumerate(shown_apis):
    accuracy = results[api]
    ax.bar(np.arange(2) + (position - 0.5) * width,
           [accuracy[name] for name in test_faces.names], width,
           **style.patch(api))
ax.axhline(0.93, color="black", linestyle=":", label="bound (0.93)")
ax.set_xticks(np.arange(2), test_faces.names)
ax.set_ylim(0.9, 1.0)
ax.set_ylabel("test accuracy")
ax.set_title("One trunk, two heads, two singly-labelled datasets")
ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.tight_layout()
plt.show()

# %%
# What it costs to write
# ----------------------
#
# The counts read the source of the functions and classes named
# (``inspect.getsource``), blank lines and comments left out; a class
# counts as its first line and its methods, all ``TorchTwoHeads`` holds
# (in a notebook, Python 3.11 finds the source of a function defined in a
# cell, not of a class). "Model" is the network, with its loss where the
# graph holds it; "training" feeds the two datasets to it and trains it:
# iterator, metric and ``fit``, or loaders and loop.


def source_lines(obj):
    if inspect.isclass(obj):  # its first line, then its methods
        methods = [value for value in vars(obj).values()
                   if inspect.isfunction(value)]
        return [f"class {obj.__name__}:"] + [
            line for method in methods
            for line in inspect.getsource(method).splitlines()]
    return inspect.getsource(obj).splitlines()


def lines_of_code(*objects):
    return sum(1 for obj in objects for line in source_lines(obj)
               if line.strip() and not line.strip().startswith("#"))


code_sizes = {
    "symbolic": (lines_of_code(symbolic_trunk, symbolic_head,
                               symbolic_two_heads),
                 lines_of_code(masked_accuracy, train_symbolic)),
    "pytorch": (lines_of_code(torch_trunk, TorchTwoHeads),
                lines_of_code(train_torch, torch_loader)),
}
print(f"{'version':<16}{'model':>7}{'training':>10}{'total':>7}")
for api, (model_lines, training_lines) in code_sizes.items():
    print(f"{style.LABELS[api]:<16}{model_lines:>7}{training_lines:>10}"
          f"{model_lines + training_lines:>7}")

# sphinx_gallery_start_ignore
# Run as a plain script, the class's whole source is there: counted in
# full, it gives the same lines as the first line and the methods. (In the
# site's build, as in a notebook, a class defined in the page has no
# source file, so there is nothing to compare.)
try:
    source = inspect.getsource(TorchTwoHeads)
except OSError:
    source = None
if source is not None:
    assert [node.name for node in ast.parse(source).body] == \
        ["TorchTwoHeads"]
    assert lines_of_code(TorchTwoHeads) == sum(
        1 for line in source.splitlines()
        if line.strip() and not line.strip().startswith("#"))
# sphinx_gallery_end_ignore

# %%
# With the loaders counted on both sides, the symbolic version is within a
# tenth of PyTorch's count: ``fit`` writes the loop, and the labels and
# the metric a graph needs take about the lines the loop would. The count
# hides what each line asks you to know: in PyTorch, an ``if`` in
# ``forward`` and a loop that takes batches in turn; in the symbolic
# version, a missing label written out as ``-1``, the one loss layer that
# can ignore it, a one-logit head dressed as a two-class softmax and a
# ``CustomMetric`` that knows about masks.

totals = {api: sum(sizes) for api, sizes in code_sizes.items()}
ignore_label_line_check = claims.check(
    "lines, symbolic, ignore label minus PyTorch",
    totals["symbolic"] - totals["pytorch"], "<=", totals["pytorch"] / 10,
    "the page says the one-graph symbolic versions are within a tenth "
    "of PyTorch's count; this is that sentence")

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "multihead/plot_multihead", "multi-head", "holds with caveats",
    "PyTorch routes each batch to its head with an if; MXNet's symbolic "
    "API routes it with labels marked unknown and the one loss layer that "
    "ignores them. Both versions learn both heads, and the symbolic one "
    "is within a tenth of PyTorch's lines; its cost is machinery.",
    [*accuracy_checks, torch_idle_check, ignore_label_line_check])

# %%
# Takeaways
# ---------
#
# * Two datasets that each label one attribute train one network: a shared
#   trunk, a head per attribute, and batches that teach only the head with
#   a label; both versions get both attributes right on at least 93 % of
#   the test faces, in about the same number of lines.
# * In PyTorch the routing is an ``if`` on a Python value, and the
#   optimizer leaves the idle head alone; Gluon's ``Trainer`` asks you to
#   say so (:ref:`sphx_glr_auto_examples_multihead_plot_ignore_stale_grad.py`).
# * MXNet's symbolic API turns the routing into data: labels marked
#   unknown and a loss layer with an ignore label; a masked ``MakeLoss``
#   (:ref:`sphx_glr_auto_examples_multihead_plot_masked_loss.py`) and a
#   graph per dataset
#   (:ref:`sphx_glr_auto_examples_multihead_plot_shared_module.py`) are
#   its other ways.

# sphinx_gallery_thumbnail_number = 2
