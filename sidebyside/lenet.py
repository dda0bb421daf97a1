"""The LeNet that the benchmark measures, in each API, defined once.

The gallery pages write their networks out, since the network is what they
teach; the benchmark (:mod:`sidebyside.bench`) builds its own from this
module, and the test suite checks that both have the same layers and the
same parameter shapes (``tests/test_lenet.py``), so that "the same network"
is tested rather than assumed. The FLOPs one image costs are counted here
from the same layer shapes.
"""

from __future__ import annotations

#: LeNet's weighted layers, as (kind, in_channels, out_channels, kernel,
#: output side). Pooling halves the side after each convolution.
LAYERS = (
    ("conv", 1, 20, 5, 24),
    ("conv", 20, 50, 5, 8),
    ("dense", 800, 512, None, None),
    ("dense", 512, 10, None, None),
)


def layer_flops() -> list[tuple[str, int]]:
    """Forward FLOPs per image of each weighted layer of LeNet."""
    counts = []
    for number, (kind, fan_in, fan_out, kernel, out_size) in enumerate(
            LAYERS, 1):
        if kind == "conv":
            flops = 2 * fan_out * out_size ** 2 * fan_in * kernel ** 2
            name = (f"conv{number}: {fan_out}@{out_size}x{out_size}, "
                    f"{fan_in}x{kernel}x{kernel} terms each")
        else:
            flops = 2 * fan_in * fan_out
            name = f"dense{number}: {fan_out} outputs, {fan_in} terms each"
        counts.append((name, flops))
    return counts


def lenet_flops() -> dict[str, int]:
    """FLOPs one 28x28 image costs LeNet, counted from the layer shapes.

    A multiply-add counts as two FLOPs. A convolution computes one dot
    product of ``in_channels * kernel**2`` terms per output value; a dense
    layer one of ``in_features`` terms per output. Activations, pooling and
    the loss add well under 1 % and are left out. The backward pass costs
    about twice the forward one (one product for the gradient of the input,
    one for the gradient of the weights), so a training step costs about
    three forward passes.
    """
    forward = sum(flops for _, flops in layer_flops())
    return {"forward": forward, "train": 3 * forward}


def mxnet_symbol():
    """LeNet as an MXNet symbol: input ``data``, output the ten logits
    (the ``mxnet-module`` configuration adds its loss)."""
    import mxnet as mx

    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20)
    x = mx.sym.Activation(x, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=50)
    x = mx.sym.Activation(x, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=512)
    x = mx.sym.Activation(x, act_type="relu")
    return mx.sym.FullyConnected(x, num_hidden=10)


def gluon_net():
    """LeNet as a Gluon ``HybridSequential``, not yet initialised."""
    from mxnet.gluon import nn

    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Conv2D(50, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Flatten(), nn.Dense(512, activation="relu"), nn.Dense(10))
    return net


def torch_net():
    """LeNet as a PyTorch ``nn.Sequential``, with PyTorch's default
    initialisation."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(800, 512), nn.ReLU(), nn.Linear(512, 10))
