"""The LeNet page's networks are the benchmark's: same layers, same
parameter shapes, in each API.

The page writes its three networks out (they are its lesson); the
benchmark builds its own from sidebyside.lenet. This test takes the
functions that define the networks from the page's source, without
running the page, and compares what they build.
"""

import ast
import json
from pathlib import Path

import mxnet as mx
import torch
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import lenet

PAGE = Path(__file__).resolve().parent.parent / "examples" / "lenet" / \
    "plot_lenet.py"


def page_functions(*names):
    """The functions ``names`` of the LeNet page, defined from its source
    in a namespace with the page's imports."""
    tree = ast.parse(PAGE.read_text())
    found = [node for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name in names]
    assert sorted(node.name for node in found) == sorted(names)
    namespace = {"mx": mx, "gnn": gnn, "nn": nn, "torch": torch}
    exec(compile(ast.Module(body=found, type_ignores=[]), str(PAGE),
                 "exec"), namespace)
    return [namespace[name] for name in names]


def symbolic_layers(symbol):
    """The operators of a symbol, in order, with their attributes (names
    left out: the page names its layers, the benchmark does not)."""
    nodes = json.loads(symbol.tojson())["nodes"]
    return [(node["op"], node.get("attrs", {})) for node in nodes
            if node["op"] != "null"]


def test_symbolic_lenet_is_the_benchmarks():
    symbolic_lenet, = page_functions("symbolic_lenet")
    logits = symbolic_lenet().get_internals()["fc2_output"]  # no loss
    benchmark = lenet.mxnet_symbol()
    assert symbolic_layers(logits) == symbolic_layers(benchmark)
    page_shapes = logits.infer_shape(data=(8, 1, 28, 28))[0]
    benchmark_shapes = benchmark.infer_shape(data=(8, 1, 28, 28))[0]
    assert page_shapes == benchmark_shapes
    assert page_shapes[1:] == [(20, 1, 5, 5), (20,), (50, 20, 5, 5), (50,),
                               (512, 800), (512,), (10, 512), (10,)]


def gluon_layers(net):
    net.initialize()
    net(mx.nd.zeros((1, 1, 28, 28)))
    return ([repr(layer).replace(layer.name, "") for layer in net],
            [param.shape for param in net.collect_params().values()])


def test_gluon_lenet_is_the_benchmarks():
    gluon_lenet, = page_functions("gluon_lenet")
    assert gluon_layers(gluon_lenet()) == gluon_layers(lenet.gluon_net())


def torch_layers(net):
    return ([repr(module) for module in net],
            [tuple(param.shape) for param in net.parameters()])


def test_torch_lenet_is_the_benchmarks():
    torch_lenet, = page_functions("torch_lenet")
    assert torch_layers(torch_lenet()) == torch_layers(lenet.torch_net())
