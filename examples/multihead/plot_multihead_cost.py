"""
What a shared trunk saves: weights, work and time
=================================================

The two-headed network of
:ref:`sphx_glr_auto_examples_multihead_plot_multihead.py` shares one
convolutional trunk between a glasses head and a smile head. Without the
sharing, each attribute would need a network of its own: the trunk and one
head, trained on its own dataset and run once per attribute at prediction
time. This page computes what the sharing saves from the layer shapes,
checks the figures against the networks built in the three APIs and
against PyTorch's operation counter, and times both variants.

**What you will learn**

* how to count a network's weights and multiply-adds from its layer shapes;
* how to check such counts: each API's own list of weights, and
  ``torch.utils.flop_counter.FlopCounterMode``;
* why a ratio of times on a shared machine is printed, not checked.

**Prerequisites**: :ref:`sphx_glr_auto_examples_multihead_plot_multihead.py`
(the network). Nothing here is trained: counts and times do not depend on
the weights.
"""

# %%
# Set-up
# ------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported; as on the first multi-head page, MXNet computes on
# the main thread (``mxnet_on_main_thread=True``), on the CPU, and PyTorch
# on a GPU when there is one.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch", mxnet_on_main_thread=True)

import time

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from mxnet.gluon import nn as gnn
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from sidebyside import claims, faces, style
from sidebyside.load import LoadMeter, busy_note

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch
image_size = 32

# %%
# The counts from the layer shapes
# --------------------------------
#
# A convolution from :math:`c_1` to :math:`c_2` channels with
# :math:`k \times k` kernels has :math:`(k^2 c_1 + 1) c_2` weights and, on
# an :math:`s \times s` output, does :math:`s^2 k^2 c_1 c_2` multiply-adds
# per image; a dense layer from :math:`n` to :math:`m` values has
# :math:`(n + 1) m` weights and does :math:`n m` multiply-adds. (Pooling
# and ReLU have no weights and cost a few comparisons per value.)

# kernel side, inputs, outputs, output side; a dense layer is a 1x1
# convolution on a 1x1 image
trunk_layers = [(3, 3, 16, 32), (3, 16, 32, 16), (3, 32, 32, 8),
                (1, 32 * 4 * 4, 64, 1)]
head_layers = [(1, 64, 1, 1)]


def weights_and_multiply_adds(layers):
    weights = multiply_adds = 0
    for kernel, inputs, outputs, side in layers:
        weights += (kernel ** 2 * inputs + 1) * outputs
        multiply_adds += side ** 2 * kernel ** 2 * inputs * outputs
    return weights, multiply_adds


trunk_weights, trunk_work = weights_and_multiply_adds(trunk_layers)
head_weights, head_work = weights_and_multiply_adds(head_layers)
shared_weights = trunk_weights + 2 * head_weights
separate_weights = 2 * (trunk_weights + head_weights)
shared_work = trunk_work + 2 * head_work
separate_work = 2 * (trunk_work + head_work)
print(f"trunk: {trunk_weights:,} weights, {trunk_work:,} multiply-adds per"
      f" image; each head: {head_weights} weights, {head_work} "
      "multiply-adds")
print(f"weights:       shared {shared_weights:,}, separate "
      f"{separate_weights:,}, ratio {shared_weights / separate_weights:.4f}")
print(f"multiply-adds: shared {shared_work:,}, separate "
      f"{separate_work:,}, ratio {shared_work / separate_work:.5f}")

fig, axes = plt.subplots(1, 2, figsize=(style.FIGURE_WIDTH, 3.0))
for ax, (what, shared, separate) in zip(
        axes, (("weights", shared_weights, separate_weights),
               ("multiply-adds per image", shared_work, separate_work))):
    ax.bar(["one shared\nnetwork", "two separate\nnetworks"],
           [shared, separate], color=style.OTHER_COLORS[:2])
    ax.set_title(f"{what}: ratio {shared / separate:.4f}")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
fig.suptitle("Two heads on one trunk against two networks")
fig.tight_layout()
plt.show()

# %%
# The trunk holds 99.7 % of the weights and does all but 128 of the 2.2
# million multiply-adds, so sharing it halves both, to within a tenth of
# a percent.
#
# The counts, checked
# -------------------
#
# The network of the first page, built here in the three APIs, must have
# exactly the weights the shapes give. In MXNet's symbolic API the
# weights are the arguments of the graph other than the data and the
# labels, and ``infer_shape`` gives their shapes from the input's.


def symbolic_trunk(data):
    x = data
    for number, channels in enumerate((16, 32, 32), start=1):
        x = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1),
                               num_filter=channels, name=f"conv{number}")
        x = mx.sym.Activation(x, act_type="relu")
        x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.FullyConnected(x, num_hidden=64, name="fc")
    return mx.sym.Activation(x, act_type="relu")


def symbolic_two_heads():
    features = symbolic_trunk(mx.sym.var("data"))
    return mx.sym.Group([
        mx.sym.FullyConnected(features, num_hidden=1, name=f"{name}_fc")
        for name in ("eyeglasses", "smiling")])


graph = symbolic_two_heads()
argument_shapes, _, _ = graph.infer_shape(
    data=(1, 3, image_size, image_size))
symbolic_size = sum(int(np.prod(shape)) for name, shape
                    in zip(graph.list_arguments(), argument_shapes)
                    if name != "data")

# %%
# In Gluon, the layers take their sizes from a first call:


class GluonTwoHeads(gnn.HybridBlock):
    def __init__(self):
        super().__init__()
        with self.name_scope():
            self.trunk = gnn.HybridSequential()
            for channels in (16, 32, 32):
                self.trunk.add(gnn.Conv2D(channels, 3, padding=1,
                                          activation="relu"),
                               gnn.MaxPool2D(2))
            self.trunk.add(gnn.Dense(64, activation="relu"))
            self.eyeglasses, self.smiling = gnn.Dense(1), gnn.Dense(1)

    def hybrid_forward(self, F, X):
        features = self.trunk(X)
        return self.eyeglasses(features), self.smiling(features)


gluon_net = GluonTwoHeads()
gluon_net.initialize(ctx=mx_ctx)
gluon_net(mx.nd.zeros((1, 3, image_size, image_size), ctx=mx_ctx))
gluon_size = sum(p.data().size for p in gluon_net.collect_params().values())

# %%
# In PyTorch, the shared network and, for comparison, two separate ones:


def torch_trunk():
    layers = []
    for inputs, channels in ((3, 16), (16, 32), (32, 32)):
        layers += [nn.Conv2d(inputs, channels, 3, padding=1), nn.ReLU(),
                   nn.MaxPool2d(2)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(32 * 4 * 4, 64),
                         nn.ReLU())


class TorchTwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = torch_trunk()
        self.eyeglasses, self.smiling = nn.Linear(64, 1), nn.Linear(64, 1)

    def forward(self, X):
        features = self.trunk(X)
        return self.eyeglasses(features), self.smiling(features)


def torch_size(net):
    return sum(p.numel() for p in net.parameters())


torch.manual_seed(0)
torch_net = TorchTwoHeads().to(torch_device).eval()
torch_separate = [nn.Sequential(torch_trunk(), nn.Linear(64, 1))
                  .to(torch_device).eval() for _ in range(2)]


def predict_separately(X):
    return [net(X) for net in torch_separate]


shared_size = torch_size(torch_net)
separate_size = sum(torch_size(net) for net in torch_separate)
sizes = {"symbolic": symbolic_size, "gluon": gluon_size,
         "pytorch": shared_size}
print("weights counted: " + ", ".join(
    f"{style.LABELS[api]} {size:,}" for api, size in sizes.items()))
assert len(set(sizes.values())) == 1, sizes
assert torch_size(torch_net.trunk) == trunk_weights
claims.check(
    "weights of the shared network, counted", shared_size, "==",
    shared_weights,
    "the layer shapes give the trunk once and two heads; any other count "
    "means the networks are not the one described")
claims.check(
    "weights of two separate networks, counted", separate_size, "==",
    separate_weights, "the layer shapes give two trunks and two heads")

# %%
# PyTorch's ``FlopCounterMode`` (``torch.utils.flop_counter``) counts the
# floating-point operations of convolutions and matrix products, two per
# multiply-add; watching the shared network and the two separate ones
# predict a face, it must find the multiply-adds of the shapes.


def floating_point_operations(predict, X):
    with FlopCounterMode(display=False) as count:
        with torch.no_grad():
            predict(X)
    return count.get_total_flops()


test_faces = faces.synthetic_faces(1000, seed=3, size=image_size)
X_test = test_faces.images.transpose(0, 3, 1, 2).astype(np.float32)
X_test = (X_test / 255 - 0.5) / 0.25
one_face = torch.from_numpy(X_test[:1]).to(torch_device)
shared_flops = floating_point_operations(torch_net, one_face)
separate_flops = floating_point_operations(predict_separately, one_face)
claims.check(
    "floating-point operations of the shared network, one face",
    shared_flops, "==", 2 * shared_work,
    "two per multiply-add of the layer shapes: the trunk once, two heads")
claims.check(
    "floating-point operations of two separate networks, one face",
    separate_flops, "==", 2 * separate_work,
    "two per multiply-add of the layer shapes: two trunks, two heads")

# %%
# Time
# ----
#
# Time follows the work only on a quiet machine. Each variant predicts
# both attributes of the 1,000 test faces five times, in turn with the
# other, so that both meet the same load from other programs; the fastest
# run of each counts, and on a GPU the timer waits for the GPU to finish.
# The ratio is printed, not checked: this site builds on shared machines,
# where a run that other programs interrupt can move a ratio of times far
# from the ratio of the work (0.500), in either direction.


def seconds(predict, X):
    start = time.perf_counter()
    with torch.no_grad():
        predict(X)
    if torch_device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


X = torch.from_numpy(X_test).to(torch_device)
times = {"shared": [], "separate": []}
with LoadMeter() as prediction_load:
    for repeat in range(6):  # the first round warms both up
        for variant, predict in (("shared", torch_net),
                                 ("separate", predict_separately)):
            times[variant].append(seconds(predict, X))
shared_time = min(times["shared"][1:]) / len(X)
separate_time = min(times["separate"][1:]) / len(X)
print(f"PyTorch on {torch_device}, per image: one shared network "
      f"{shared_time * 1e6:.0f} us, two separate networks "
      f"{separate_time * 1e6:.0f} us (shared / separate: "
      f"{shared_time / separate_time:.2f}; work: "
      f"{shared_flops / separate_flops:.3f})")
print(f"Times: {busy_note(prediction_load.other_cores)}")

# %%
# Takeaways
# ---------
#
# * Sharing the trunk halves the weights and the work of two separate
#   networks; the layer shapes say by how much, to a tenth of a percent,
#   and the three APIs and PyTorch's operation counter agree with them.
# * On a quiet machine, time follows the work; on a shared one, a ratio of
#   times is a measurement of that moment, so it is printed, not checked.
# * What the network costs to write, symbolic against PyTorch, is on
#   :ref:`sphx_glr_auto_examples_multihead_plot_multihead.py`; the symbolic
#   API's other ways to share a trunk are on
#   :ref:`sphx_glr_auto_examples_multihead_plot_masked_loss.py` and
#   :ref:`sphx_glr_auto_examples_multihead_plot_shared_module.py`.

# sphinx_gallery_thumbnail_number = 1
