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
APIs compute the same thing on both.

**What you will learn**

* how a Python ``if`` on a tensor's shape works in Gluon and PyTorch, and
  why it stops working when Gluon is hybridized;
* what the symbolic API needs instead: one graph per shape, and
  ``BucketingModule`` to share the weights between them;
* what happens when a graph built for one size is fed another.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` for
the three APIs, and
:ref:`sphx_glr_auto_examples_debugging_plot_step_through.py` for
``infer_shape``. The page reads MNIST from ``$SIDEBYSIDE_DATA`` like every
page of this site.
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, the thread count is set before MXNet and PyTorch are
# imported. MXNet runs on the CPU; PyTorch uses a GPU when there is one.

from sidebyside import runtime

num_threads = runtime.configure_threads()

import mxnet as mx
import numpy as np
import torch
import torch.nn.functional as F
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

# On a GPU, PyTorch computes float32 convolutions in TF32 by default (a
# 10-bit mantissa). The comparisons with MXNet on this page need float32.
torch.backends.cudnn.conv.fp32_precision = "ieee"

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
assert gluon_net.policies == ["8x8: max 2x2", "22x22: average 5x5"]

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
    assert "shape" in str(error), error
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

for side in sides:
    with torch.no_grad():
        torch_logits = torch_net(torch_resize(torch_X_test, side))
    torch_logits = torch_logits.cpu().numpy()
    gluon_logits = gluon_net(gluon_resize(X_test, side)).asnumpy()
    difference = np.abs(torch_logits - gluon_logits).max()
    print(f"input {side}x{side}: {torch_net.policies[-1]}, largest "
          f"difference from Gluon's logits {difference:.1e}")
    assert difference < 1e-4
assert torch_net.policies == gluon_net.policies[-2:]

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
    print(f"graph for {side}x{side}: pool2 {attributes}")
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
    print(str(error).strip().splitlines()[-1])
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


for X_side in (X_28, X_56):
    symbolic_logits = bucketing_logits(X_side).asnumpy()
    gluon_logits = gluon_net(X_side.as_in_context(mx_ctx)).asnumpy()
    difference = np.abs(symbolic_logits - gluon_logits).max()
    print(f"input {X_side.shape[-1]}x{X_side.shape[-1]}: largest "
          f"difference from Gluon's logits {difference:.1e}")
    assert difference < 1e-4

# sphinx_gallery_start_ignore
assert sorted(bucketing_module._buckets) == sorted(sides)
# sphinx_gallery_end_ignore

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
for api, api_accuracy in (("Gluon", gluon_accuracy),
                          ("PyTorch", torch_accuracy),
                          ("MXNet symbolic", symbolic_accuracy)):
    for side in sides:
        accuracy[api, side] = api_accuracy(side)

print(f"{'API':<16}" + "".join(f"{f'{side}x{side}':>10}" for side in sides))
for api in ("Gluon", "PyTorch", "MXNet symbolic"):
    print(f"{api:<16}"
          + "".join(f"{accuracy[api, side]:>10.3f}" for side in sides))

for side in sides:
    assert accuracy["Gluon", side] >= 0.88, accuracy
    for api in ("PyTorch", "MXNet symbolic"):
        assert abs(accuracy[api, side] - accuracy["Gluon", side]) <= 0.002

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

from sidebyside import claims

claims.record(
    "debugging/plot_control_flow", "control-flow", "holds",
    "an if on the input size picks the pooling in Gluon and PyTorch, on "
    "two input sizes, with outputs checked (asserted); hybridize refuses "
    "it and the symbolic API needs a graph per size or a BucketingModule "
    "(shown).")

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
# * Hybridizing Gluon brings the same limit: the ``if`` on a shape is what
#   keeps this network imperative.
# * Other pages of this topic:
#   :ref:`sphx_glr_auto_examples_debugging_plot_step_through.py` and
#   :ref:`sphx_glr_auto_examples_debugging_plot_gradients.py`.
