"""
What it takes to add a layer or a head
======================================

The article says define-by-run frameworks "are really fast for
prototyping". A researcher's day is made of small changes to a network
that already trains, so this page measures two of them. It starts from
one small working program in each API (MXNet's symbolic ``Module``, Gluon
and PyTorch): a network that classifies MNIST digits and the code that
trains it and returns its predictions. Then it makes the two changes:
**(a)** add a layer, a batch normalisation; **(b)** add a second head with
its own loss, an auxiliary output that says whether the digit is odd. Each
changed program runs, trains and must give the outputs expected of it.
Python's ``difflib`` then compares it with the program it came from:
how many statements were written, in how many separate places, and
whether anything outside the network definition had to change.

**What you will learn**

* what each API asks for when a layer is added, and when a head with its
  own loss is added;
* where those edits land: in the network, or also in the data, the
  ``Module`` and the training loop;
* what happens in the symbolic API when one of those places is missed.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`
introduces the three APIs. The page reads the MNIST digits from
``$SIDEBYSIDE_DATA`` like every page of this site.
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported, imports them and prints what the page runs on;
# ``style.use`` sets the site's look for the figure. MXNet runs on the
# CPU; PyTorch uses a GPU when there is one.

from sidebyside import runtime, style

devices = runtime.start("mxnet", "torch")

import ast
import difflib
import inspect
import io
import linecache
import os
import re
import textwrap
import tokenize
import warnings

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from mxnet import autograd, gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims
from sidebyside.data import ensure_mnist, read_idx

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

# MXNet prints a line each time it rewrites a graph for its MKLDNN
# back-end (here, at each predict); it is switched off.
os.environ["MXNET_SUBGRAPH_VERBOSE"] = "0"

# %%
# One set of hyper-parameters for every program on this page. The second
# head's loss counts half as much as the digit's: ``aux_weight``.

seed = 0
batch_size = 50
lr = 0.1
momentum = 0.9
num_epochs = 2
aux_weight = 0.5

# %%
# The data
# --------
#
# The real digits of the site (4,000 to train on, 1,000 to test), each
# flattened into a vector of 784 pixels in [0, 1]: the networks below are
# small multi-layer perceptrons, so that each program stays short and
# trains in about a second.


def read_vectors(path):
    """An idx file of 28x28 digits as float32 rows of 784 pixels."""
    images = read_idx(path)
    return (images.reshape(len(images), -1) / 255).astype(np.float32)


mnist = ensure_mnist()
train_X = read_vectors(mnist.train_images)
train_y = read_idx(mnist.train_labels).astype(np.float32)
test_X = read_vectors(mnist.test_images)
test_y = read_idx(mnist.test_labels)
print(f"train {train_X.shape}, test {test_X.shape}")

# %%
# The three starting programs
# ---------------------------
#
# Each program is two pieces of code: the network, and a function that
# trains it for ``num_epochs`` epochs and returns its predictions on the
# test digits, as probabilities, in a dictionary with one entry per head.
# Each is written the way its API's documentation teaches: ``Module.fit``
# for the symbolic graph, a loop under ``autograd.record()`` for Gluon, a
# loop with ``zero_grad``/``backward``/``step`` for PyTorch. The Gluon and
# PyTorch networks are classes with a ``forward`` method, the form a
# network takes as soon as it is more than a stack of layers (an
# ``nn.Sequential`` would have to become one before it can grow a second
# head).
#
# **MXNet symbolic.** The network is a function that returns a symbol;
# ``SoftmaxOutput`` is both the output and the loss, and names the label
# input ``softmax_label``, the name ``NDArrayIter`` and ``Module`` use by
# default.


def symbolic_net():
    x = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=64,
                              name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.FullyConnected(x, num_hidden=10, name="digit_fc")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def symbolic_train(net, X, y, X_test):
    train_iter = mx.io.NDArrayIter(X, y, batch_size, shuffle=True)
    module = mx.mod.Module(net, context=mx_ctx)
    module.fit(train_iter, initializer=mx.init.Xavier(),
               optimizer_params={"learning_rate": lr,
                                 "momentum": momentum},
               num_epoch=num_epochs)
    test_iter = mx.io.NDArrayIter(X_test, batch_size=batch_size)
    digit = module.predict(test_iter)
    return {"digit": digit.asnumpy()}


# %%
# **Gluon.** A ``HybridBlock`` whose trunk is a ``HybridSequential``; the
# loss is a function called in the loop.


class GluonNet(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.trunk = gnn.HybridSequential()
            self.trunk.add(gnn.Dense(64, activation="relu"))
            self.digit = gnn.Dense(10)

    def hybrid_forward(self, F, X):
        return self.digit(self.trunk(X))


def gluon_train(net, X, y, X_test):
    net.initialize(mx.init.Xavier(), ctx=mx_ctx)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y),
                                   batch_size=batch_size, shuffle=True)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": lr, "momentum": momentum})
    for epoch in range(num_epochs):
        for X_batch, y_batch in loader:
            X_batch = X_batch.as_in_context(mx_ctx)
            y_batch = y_batch.as_in_context(mx_ctx)
            with autograd.record():
                loss = loss_fn(net(X_batch), y_batch)
            loss.backward()
            trainer.step(batch_size)
    digit = net(mx.nd.array(X_test, ctx=mx_ctx))
    return {"digit": mx.nd.softmax(digit).asnumpy()}


# %%
# **PyTorch.** An ``nn.Module`` with the same layers; PyTorch asks for
# each layer's input size. Its default initialisation is kept: the
# programs are each written as their API teaches, not made identical.


class TorchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(784, 64), nn.ReLU())
        self.digit = nn.Linear(64, 10)

    def forward(self, X):
        return self.digit(self.trunk(X))


def torch_train(net, X, y, X_test):
    net = net.to(torch_device)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X),
                                             torch.from_numpy(y).long())
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size,
                                         shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    for epoch in range(num_epochs):
        for X_batch, y_batch in loader:
            X_batch = X_batch.to(torch_device)
            y_batch = y_batch.to(torch_device)
            optimizer.zero_grad()
            loss = loss_fn(net(X_batch), y_batch)
            loss.backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        digit = net(torch.from_numpy(X_test).to(torch_device))
    return {"digit": torch.softmax(digit, dim=1).cpu().numpy()}


# %%
# Running a program, and what is expected of it
# ---------------------------------------------
#
# ``run`` seeds the three frameworks, builds the network, trains it and
# checks its outputs: one array of probabilities per head it was asked
# for, one row per test digit. ``accuracy`` scores a head: the digit head
# against the digit's label, the parity head against ``label % 2``.
# ``count_weights`` counts the network's trainable numbers, the same way
# in the three APIs (the symbolic graph's from its inferred shapes).


def run(make_net, train):
    mx.random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    net = make_net()
    outputs = train(net, train_X, train_y, test_X)
    return net, outputs


def accuracy(outputs, head):
    truth = test_y if head == "digit" else test_y % 2
    return float((outputs[head].argmax(axis=1) == truth).mean())


def count_weights(net):
    if isinstance(net, mx.sym.Symbol):
        arg_shapes, _, _ = net.infer_shape(data=(1, 784))
        return sum(int(np.prod(shape)) for name, shape
                   in zip(net.list_arguments(), arg_shapes)
                   if name != "data" and not name.endswith("_label"))
    if isinstance(net, gluon.Block):
        return sum(p.data().size for p in net.collect_params().values()
                   if p.grad_req != "null")
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


apis = ("MXNet symbolic", "Gluon", "PyTorch")
base_programs = {"MXNet symbolic": (symbolic_net, symbolic_train),
                 "Gluon": (GluonNet, gluon_train),
                 "PyTorch": (TorchNet, torch_train)}
results = {}
for api, (make_net, train) in base_programs.items():
    net, outputs = run(make_net, train)
    results[api, "start"] = (count_weights(net), outputs)
    print(f"{api:<15} {count_weights(net):>6} weights, digit accuracy "
          f"{accuracy(outputs, 'digit'):.3f}")

# %%
# (a) Add a layer: batch normalisation
# ------------------------------------
#
# The new layer normalises the 64 hidden features, after the ReLU. It
# keeps two learnt vectors of 64 (scale and shift) and two running
# statistics, which training updates and prediction uses; each API keeps
# that state where it keeps such things (the symbolic ``Module`` as
# *auxiliary states*, Gluon as parameters without gradient, PyTorch as
# *buffers*), and switches between the two uses by itself: ``fit`` and
# ``predict`` in the symbolic API, ``autograd.record()`` in Gluon,
# ``net.eval()``, already in the PyTorch program, in PyTorch.
#
# One argument is not a matter of taste. The symbolic ``BatchNorm`` has
# ``fix_gamma=True`` by default (its scale stays 1 and is never trained;
# see ``mx.sym.BatchNorm``'s documentation), while Gluon's and PyTorch's
# layers learn their scale. ``fix_gamma=False`` makes it the same layer.


def symbolic_net_batchnorm():
    x = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=64,
                              name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.BatchNorm(x, fix_gamma=False, name="bn1")
    x = mx.sym.FullyConnected(x, num_hidden=10, name="digit_fc")
    return mx.sym.SoftmaxOutput(x, name="softmax")


class GluonNetBatchNorm(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.trunk = gnn.HybridSequential()
            self.trunk.add(gnn.Dense(64, activation="relu"))
            self.trunk.add(gnn.BatchNorm())
            self.digit = gnn.Dense(10)

    def hybrid_forward(self, F, X):
        return self.digit(self.trunk(X))


class TorchNetBatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(784, 64), nn.ReLU(),
                                   nn.BatchNorm1d(64))
        self.digit = nn.Linear(64, 10)

    def forward(self, X):
        return self.digit(self.trunk(X))


# %%
# Each new network runs with its API's training function *unchanged*:
# nothing outside the network had to know about the new layer.

batchnorm_programs = {
    "MXNet symbolic": (symbolic_net_batchnorm, symbolic_train),
    "Gluon": (GluonNetBatchNorm, gluon_train),
    "PyTorch": (TorchNetBatchNorm, torch_train)}
for api, (make_net, train) in batchnorm_programs.items():
    net, outputs = run(make_net, train)
    results[api, "layer"] = (count_weights(net), outputs)
    print(f"{api:<15} {count_weights(net):>6} weights, digit accuracy "
          f"{accuracy(outputs, 'digit'):.3f}")

# %%
# (b) Add a head with its own loss
# --------------------------------
#
# The second head reads the same 64 features and says whether the digit is
# odd: two classes, with a cross-entropy loss of its own, weighted by
# ``aux_weight`` and added to the digit's. Its label is derived from the
# digit's, ``y % 2``. The program must now return both heads' predictions.
#
# **MXNet symbolic.** A graph with two outputs is a ``Group`` of two
# ``SoftmaxOutput`` layers, each a loss with a label input of its own
# (``parity_label``, named after the layer); the weight of the second loss
# is its ``grad_scale``, the factor applied to its gradient. Outside the
# network, the iterator must serve the two labels under those names,
# ``Module`` must be told which inputs are labels, and ``predict`` now
# returns a list, one array per output.


def symbolic_net_parity():
    x = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=64,
                              name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    digit = mx.sym.FullyConnected(x, num_hidden=10, name="digit_fc")
    parity = mx.sym.FullyConnected(x, num_hidden=2, name="parity_fc")
    return mx.sym.Group([
        mx.sym.SoftmaxOutput(digit, name="softmax"),
        mx.sym.SoftmaxOutput(parity, grad_scale=aux_weight,
                             name="parity")])


def symbolic_train_parity(net, X, y, X_test):
    labels = {"softmax_label": y, "parity_label": y % 2}
    train_iter = mx.io.NDArrayIter(X, labels, batch_size, shuffle=True)
    module = mx.mod.Module(net, label_names=list(labels), context=mx_ctx)
    module.fit(train_iter, initializer=mx.init.Xavier(),
               optimizer_params={"learning_rate": lr,
                                 "momentum": momentum},
               num_epoch=num_epochs)
    test_iter = mx.io.NDArrayIter(X_test, batch_size=batch_size)
    digit, parity = module.predict(test_iter)
    return {"digit": digit.asnumpy(), "parity": parity.asnumpy()}


# %%
# **Gluon.** The block gets a second ``Dense`` layer and returns two
# outputs; the loop adds the second loss to the first and the program
# returns both heads.


class GluonNetParity(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.trunk = gnn.HybridSequential()
            self.trunk.add(gnn.Dense(64, activation="relu"))
            self.digit = gnn.Dense(10)
            self.parity = gnn.Dense(2)

    def hybrid_forward(self, F, X):
        features = self.trunk(X)
        return self.digit(features), self.parity(features)


def gluon_train_parity(net, X, y, X_test):
    net.initialize(mx.init.Xavier(), ctx=mx_ctx)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y),
                                   batch_size=batch_size, shuffle=True)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": lr, "momentum": momentum})
    for epoch in range(num_epochs):
        for X_batch, y_batch in loader:
            X_batch = X_batch.as_in_context(mx_ctx)
            y_batch = y_batch.as_in_context(mx_ctx)
            with autograd.record():
                digit, parity = net(X_batch)
                loss = (loss_fn(digit, y_batch)
                        + aux_weight * loss_fn(parity, y_batch % 2))
            loss.backward()
            trainer.step(batch_size)
    digit, parity = net(mx.nd.array(X_test, ctx=mx_ctx))
    return {"digit": mx.nd.softmax(digit).asnumpy(),
            "parity": mx.nd.softmax(parity).asnumpy()}


# %%
# **PyTorch.** The same three edits.


class TorchNetParity(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(784, 64), nn.ReLU())
        self.digit = nn.Linear(64, 10)
        self.parity = nn.Linear(64, 2)

    def forward(self, X):
        features = self.trunk(X)
        return self.digit(features), self.parity(features)


def torch_train_parity(net, X, y, X_test):
    net = net.to(torch_device)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X),
                                             torch.from_numpy(y).long())
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size,
                                         shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    for epoch in range(num_epochs):
        for X_batch, y_batch in loader:
            X_batch = X_batch.to(torch_device)
            y_batch = y_batch.to(torch_device)
            optimizer.zero_grad()
            digit, parity = net(X_batch)
            loss = (loss_fn(digit, y_batch)
                    + aux_weight * loss_fn(parity, y_batch % 2))
            loss.backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        digit, parity = net(torch.from_numpy(X_test).to(torch_device))
    return {"digit": torch.softmax(digit, dim=1).cpu().numpy(),
            "parity": torch.softmax(parity, dim=1).cpu().numpy()}


# %%
# The three programs with two heads train and predict both.

parity_programs = {
    "MXNet symbolic": (symbolic_net_parity, symbolic_train_parity),
    "Gluon": (GluonNetParity, gluon_train_parity),
    "PyTorch": (TorchNetParity, torch_train_parity)}
for api, (make_net, train) in parity_programs.items():
    net, outputs = run(make_net, train)
    results[api, "head"] = (count_weights(net), outputs)
    print(f"{api:<15} {count_weights(net):>6} weights, digit accuracy "
          f"{accuracy(outputs, 'digit'):.3f}, parity accuracy "
          f"{accuracy(outputs, 'parity'):.3f}")

# %%
# Did every changed program do what it was changed for?
# -----------------------------------------------------
#
# Every program must return one array of probabilities per head, of the
# right shape; the three APIs must build networks of the same size (the
# same layers); and every head must have learnt. The bounds: a digit
# head that guesses scores 0.10 and a parity head 0.50; every program
# here, trained for two epochs, scores far above both (the printed values
# are around 0.9), so 0.80 separates "trained" from "broken" with room for
# the differences between APIs and seeds, and does not ask more of the
# claim than that the changed program works.

expected_heads = {"start": ["digit"], "layer": ["digit"],
                  "head": ["digit", "parity"]}
num_classes = {"digit": 10, "parity": 2}
for (api, change), (_, outputs) in results.items():
    assert sorted(outputs) == expected_heads[change], (api, change)
    for head, probabilities in outputs.items():
        assert probabilities.shape == (len(test_y), num_classes[head])
        assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)

sizes = {change: tuple(results[api, change][0] for api in apis)
         for change in expected_heads}
print("weights per API (symbolic, Gluon, PyTorch):")
for change, change_sizes in sizes.items():
    print(f"  {change:<6} {change_sizes}")
same_size_checks = [
    claims.check(f"weights of the '{change}' network in the three APIs",
                 sizes[change], "==", (sizes[change][0],) * 3,
                 "the three APIs must build the same layers, or the "
                 "comparison of their edits would compare different "
                 "networks")
    for change in expected_heads]
lowest_digit = min(accuracy(outputs, "digit")
                   for _, outputs in results.values())
lowest_parity = min(accuracy(results[api, "head"][1], "parity")
                    for api in apis)
trained_checks = [
    claims.check("lowest digit accuracy of the nine programs",
                 lowest_digit, ">=", 0.8,
                 "guessing scores 0.10; any of these programs that "
                 "trains scores near 0.9 after two epochs"),
    claims.check("lowest parity accuracy of the three two-head programs",
                 lowest_parity, ">=", 0.8,
                 "guessing scores 0.50; a head that learnt from its own "
                 "loss scores near 0.9"),
]
added_by_layer = sizes["layer"][0] - sizes["start"][0]
added_by_head = sizes["head"][0] - sizes["start"][0]
assert added_by_layer == 2 * 64  # a scale and a shift per feature
assert added_by_head == 64 * 2 + 2  # the parity head's weights and biases

# %%
# Measuring the edits
# -------------------
#
# Each program's two pieces are read back from the page's source and
# compared with the starting program's, piece by piece, by
# ``difflib.SequenceMatcher``. The unit is the *statement* (Python's
# logical line: a call spread over three lines is one statement, and a
# ``def``, ``for`` or ``with`` header is one), so that the way a long line
# happens to be broken does not count; physical lines are counted too, for
# the table. Blank lines and comments are left out, and the name of the
# function or class (``symbolic_net`` and ``symbolic_net_parity``) is made
# the same, so that only the edits count. A *place* is one run of
# consecutive changed statements, a hunk of the diff; *written* counts the
# statements of the new program that are new or rewritten, *removed* those
# of the old one that are gone or rewritten. A training function that the
# changed program reuses as it is counts zero, which it earned by running
# above.


def source_of(code):
    """The source of a function or a class defined on this page."""
    if inspect.isfunction(code):
        return textwrap.dedent(inspect.getsource(code))
    # Before Python 3.13, inspect finds a class through its module's file,
    # which a notebook's or sphinx-gallery's __main__ does not have: look
    # for the class in the source that holds its first method instead.
    method = next(value for value in vars(code).values()
                  if inspect.isfunction(value))
    source = "".join(linecache.getlines(method.__code__.co_filename))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == code.__name__:
            lines = source.splitlines()[node.lineno - 1:node.end_lineno]
            return textwrap.dedent("\n".join(lines) + "\n")
    raise LookupError(f"no source for {code.__name__}")


def physical_lines(code):
    lines = source_of(code).splitlines()
    return [line.rstrip() for line in lines
            if line.strip() and not line.strip().startswith("#")]


def statements(code):
    """The logical lines of ``code``, each joined into one string."""
    source = source_of(code)
    lines = source.splitlines()
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT,
               tokenize.DEDENT, tokenize.ENDMARKER}
    found, first_row = [], None
    for token in tokens:
        if token.type in skipped:
            continue
        if first_row is None:
            first_row = token.start[0]
        if token.type == tokenize.NEWLINE:
            rows = lines[first_row - 1:token.start[0]]
            indent = rows[0][:len(rows[0]) - len(rows[0].lstrip())]
            joined = " ".join(row.strip() for row in rows)
            found.append(indent + re.sub(r"([([{]) ", r"\1", joined))
            first_row = None
    return found


def measure_edit(before, after, split=statements):
    """Written, removed and places of the edit, and its diff."""
    old, new = split(before), split(after)
    old[0], new[0] = (re.sub(r"^(def|class) \w+", r"\1 _", lines[0])
                      for lines in (old, new))
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    written = removed = places = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            places += 1
            removed += i2 - i1
            written += j2 - j1
    diff = list(difflib.unified_diff(old, new, n=0, lineterm=""))[2:]
    return {"written": written, "removed": removed, "places": places,
            "diff": diff}


# %%
# Besides the statements, an edit can ask for names the starting program
# did not use: a function or class of the framework, or a keyword
# argument. ``framework_names`` lists them, read from the syntax tree of
# the code: dotted names that start from ``mx``, ``gluon``, ``gnn``,
# ``autograd``, ``torch`` or ``nn``, and the keywords of the calls to
# them.

framework_roots = {"mx", "gluon", "gnn", "autograd", "torch", "nn"}


def dotted_name(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in framework_roots:
        return ".".join([node.id] + parts[::-1])
    return None


def framework_names(code):
    tree = ast.parse(source_of(code))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and dotted_name(node):
            names.add(dotted_name(node))
        if isinstance(node, ast.Call) and dotted_name(node.func):
            names.update(f"{keyword.arg}=" for keyword in node.keywords
                         if keyword.arg)
    return names


changed_programs = {"layer": batchnorm_programs, "head": parity_programs}
edits = {}
for change, programs in changed_programs.items():
    for api in apis:
        (net_before, train_before) = base_programs[api]
        (net_after, train_after) = programs[api]
        new_names = ((framework_names(net_after)
                      | framework_names(train_after))
                     - framework_names(net_before)
                     - framework_names(train_before))
        edits[api, change] = {
            "network": measure_edit(net_before, net_after),
            "outside": measure_edit(train_before, train_after),
            "physical lines": sum(
                measure_edit(before, after, physical_lines)["written"]
                for before, after in ((net_before, net_after),
                                      (train_before, train_after))),
            "new names": sorted(new_names)}

# %%
# The diffs of the statements, as ``difflib`` writes them: ``-`` a
# statement removed, ``+`` one written, ``@@`` the start of a new place.

for (api, change), edit in edits.items():
    print(f"===== {api}, {'(a) layer' if change == 'layer' else '(b) head'}")
    for piece in ("network", "outside"):
        title = "network" if piece == "network" else "training function"
        lines = edit[piece]["diff"]
        print(f"--- {title}: " + ("unchanged" if not lines else
                                  f"{len(lines)} diff lines"))
        for line in lines:  # a long statement on lines of 79 columns
            print(textwrap.fill(f"    {line}", width=79,
                                subsequent_indent=" " * 12))
    print("new framework names:", ", ".join(edit["new names"]) or "none")

# %%
# The table: for each API and change, statements written / removed and
# the places they are in, in the network and outside it; then the total,
# the physical lines written, and the number of new framework names.


def cell(part):
    return f"+{part['written']}/-{part['removed']} in {part['places']}"


print(f"{'API':<16}{'change':<7}{'network':>12}{'outside':>12}"
      f"{'total':>11}{'lines':>7}{'names':>7}")
for (api, change), edit in edits.items():
    net_edit, out_edit = edit["network"], edit["outside"]
    total_written = net_edit["written"] + out_edit["written"]
    total_places = net_edit["places"] + out_edit["places"]
    print(f"{api:<16}{change:<7}{cell(net_edit):>12}{cell(out_edit):>12}"
          f"{f'+{total_written} in {total_places}':>11}"
          f"{edit['physical lines']:>7}{len(edit['new names']):>7}")

# %%
# The same numbers as a figure: statements written, in the network
# (solid) and outside it (hatched), with the number of places above each
# bar.

fig, axes = plt.subplots(1, 2, figsize=(style.FIGURE_WIDTH, 4),
                         sharey=True)
api_styles = dict(zip(apis, style.ORDER))  # "MXNet symbolic": "symbolic"...
for ax, (change, title) in zip(axes, (("layer", "(a) add a BatchNorm"),
                                      ("head", "(b) add a second head"))):
    for position, api in enumerate(apis):
        net_edit = edits[api, change]["network"]
        out_edit = edits[api, change]["outside"]
        colour = style.COLORS[api_styles[api]]
        ax.bar(position, net_edit["written"], color=colour)
        ax.bar(position, out_edit["written"], bottom=net_edit["written"],
               color=colour, hatch="//", edgecolor="white")
        places = net_edit["places"] + out_edit["places"]
        ax.text(position, net_edit["written"] + out_edit["written"] + 0.15,
                f"{places} place{'s' if places > 1 else ''}",
                ha="center")
    ax.set_xticks(range(len(apis)), [style.LABELS[api_styles[api]]
                                     for api in apis])
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
tallest = max(edit["network"]["written"] + edit["outside"]["written"]
              for edit in edits.values())
axes[0].set_ylim(0, tallest + 1.5)
axes[0].set_ylabel("statements written\n(hatched: outside the network)")
fig.suptitle("What each change took: statements written, places touched")
fig.tight_layout()
plt.show()

# %%
# Forgetting one of the places
# ----------------------------
#
# The symbolic head needed its label named in three places: the layer's
# name, the iterator's dictionary, and ``label_names``. Here is the
# two-head program with the last one forgotten: ``Module`` then takes
# ``parity_label`` for a weight, warns that the iterator's labels do not
# match, and the error comes from the initializer, which does not know how
# to initialise a "weight" with that name.

train_iter = mx.io.NDArrayIter(
    train_X, {"softmax_label": train_y, "parity_label": train_y % 2},
    batch_size)
module = mx.mod.Module(symbolic_net_parity(), context=mx_ctx)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        module.fit(train_iter, num_epoch=1)
    except ValueError as error:
        forgotten_error = str(error)
        print(textwrap.fill(f"ValueError: {forgotten_error}", width=79))
    # sphinx_gallery_start_ignore
    else:
        raise AssertionError("the deliberate error did not happen")
    # sphinx_gallery_end_ignore
for warning in caught:
    print(textwrap.fill(f"{warning.category.__name__}: {warning.message}",
                        width=79))
assert "parity_label" in forgotten_error
assert "initialization" in forgotten_error
assert any("label_names" in str(warning.message) for warning in caught)

# %%
# In Gluon and PyTorch the places that change are the lines that use the
# new output: a forgotten one would pass a pair of outputs to a loss that
# expects one, and fail there.
#
# One thing the symbolic program did not have to change, and perhaps
# should have: ``fit``'s default metric, accuracy, now takes both outputs
# with both labels and reports one number for the two heads pooled. Fed
# the trained program's test predictions, it gives the mean of the two
# heads' accuracies, not the digit accuracy it reported before.

symbolic_outputs = results["MXNet symbolic", "head"][1]
pooled_metric = mx.metric.create("acc")
pooled_metric.update(
    [mx.nd.array(test_y), mx.nd.array(test_y % 2)],
    [mx.nd.array(symbolic_outputs["digit"]),
     mx.nd.array(symbolic_outputs["parity"])])
pooled = pooled_metric.get()[1]
per_head = [accuracy(symbolic_outputs, head) for head in ("digit", "parity")]
print(f"default metric: {pooled:.4f}; digit head {per_head[0]:.4f}, "
      f"parity head {per_head[1]:.4f}, mean {np.mean(per_head):.4f}")
assert abs(pooled - np.mean(per_head)) < 1e-6

# %%
# What the figures say
# --------------------
#
# **(a) A layer** is the same edit in every API: one statement in the
# network and nothing else, since each API's state handling and its switch
# between training and prediction took the new layer in its stride. The
# symbolic statement needs one argument more to be the same layer; the
# PyTorch one is a longer call to ``nn.Sequential`` rather than a new
# statement.
#
# **(b) A head** costs about the same in the three APIs, in different
# places. In Gluon and PyTorch a layer lives in two places, declared in
# ``__init__`` and used in ``forward``, and the loop, which is the
# reader's code, uses the second output: the loss and the prediction. In
# the symbolic API the network is one function and the loss is part of the
# graph, but the head's label is not: it has to be served by the iterator,
# declared to ``Module`` and matched by name, and the edit needs
# framework names the starting program did not use.

layer_edits = [edits[api, "layer"] for api in apis]
head_edits = {api: edits[api, "head"] for api in apis}
written_head = {api: e["network"]["written"] + e["outside"]["written"]
                for api, e in head_edits.items()}
places_head = {api: e["network"]["places"] + e["outside"]["places"]
               for api, e in head_edits.items()}
lines_head = {api: e["physical lines"] for api, e in head_edits.items()}
symbolic_names = head_edits["MXNet symbolic"]["new names"]
layer_checks = [
    claims.check("(a) most statements written for the BatchNorm, any API",
                 max(e["network"]["written"] + e["outside"]["written"]
                     for e in layer_edits), "==", 1,
                 "a layer added to a stack is one statement; more would "
                 "mean that an API needed other edits for it"),
    claims.check("(a) statements changed outside the network, all APIs",
                 sum(e["outside"]["written"] + e["outside"]["removed"]
                     for e in layer_edits), "==", 0,
                 "each training function ran unchanged with the new "
                 "network and gave the expected outputs"),
]
head_checks = [
    claims.check("(b) places touched: fewest of Gluon and PyTorch minus "
                 "symbolic", min(places_head["Gluon"],
                                 places_head["PyTorch"])
                 - places_head["MXNet symbolic"], ">=", 0,
                 "'fewer places' would make this negative: the imperative "
                 "edits would touch fewer places than the symbolic one"),
    claims.check("(b) statements written: symbolic minus the most of "
                 "Gluon and PyTorch", written_head["MXNet symbolic"]
                 - max(written_head["Gluon"], written_head["PyTorch"]),
                 "<=", 1,
                 "one statement is the smallest gap there can be, and here "
                 "a matter of style: the symbolic labels dictionary could "
                 "sit inside the NDArrayIter call; 'fewer lines' needs a "
                 "clear gap"),
    claims.check("(b) framework names new to the symbolic program",
                 tuple(symbolic_names), "==",
                 ("grad_scale=", "label_names=", "mx.sym.Group"),
                 "a graph with two outputs, the weight of a loss inside "
                 "the graph and the declaration of a label"),
    claims.check("(b) framework names new to the Gluon and PyTorch "
                 "programs", len(head_edits["Gluon"]["new names"])
                 + len(head_edits["PyTorch"]["new names"]), "==", 0,
                 "their edits reuse the layer, the loss and the arithmetic "
                 "the starting programs already used"),
]

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:


def compared(gap, unit, less, more):
    """``gap`` units in words, for the imperative edits."""
    if gap == 0:
        return f"as many {unit}s"
    return f"{abs(gap)} {unit}{'s' if abs(gap) > 1 else ''} " + (
        less if gap > 0 else more)


statement_gap = written_head["MXNet symbolic"] - max(
    written_head["Gluon"], written_head["PyTorch"])
place_gap = places_head["MXNet symbolic"] - min(
    places_head["Gluon"], places_head["PyTorch"])
claims.record(
    "apis/plot_prototyping", "fast-prototyping", "does not hold",
    f"Adding a BatchNorm was one statement in the network in all three "
    f"APIs, nothing else changed. Adding a second head with its own loss "
    f"took {written_head['MXNet symbolic']} statements "
    f"({lines_head['MXNet symbolic']} lines) in "
    f"{places_head['MXNet symbolic']} places in the symbolic API, "
    f"{written_head['Gluon']} ({lines_head['Gluon']}) in "
    f"{places_head['Gluon']} in Gluon and {written_head['PyTorch']} "
    f"({lines_head['PyTorch']}) in {places_head['PyTorch']} in PyTorch: "
    f"the imperative edits take "
    f"{compared(statement_gap, 'statement', 'fewer', 'more')}, in "
    f"{compared(place_gap, 'place', 'fewer', 'more')}. What differs is "
    f"what the edit asks to know: {len(symbolic_names)} framework names "
    f"new to the symbolic program and a label spelt alike in graph, "
    f"iterator and Module; none new in Gluon and PyTorch.",
    same_size_checks + trained_checks + layer_checks + head_checks)

# %%
# Takeaways
# ---------
#
# * Adding a layer is one statement in every API, and the rest of the
#   program does not notice. MXNet's symbolic ``BatchNorm`` has a default
#   of its own to know about (``fix_gamma=True``).
# * Adding a head with its own loss takes about as many statements, in
#   about as many places, in the three APIs; the Gluon and PyTorch classes
#   even touch one place more, since a layer is declared in ``__init__``
#   and used in ``forward``.
# * The difference is what those statements are. In Gluon and PyTorch:
#   ordinary uses of a second return value, in the loop you wrote. In the
#   symbolic API: three framework names new to the program, and a label
#   that must be spelt the same in the graph, the iterator and ``Module``,
#   with an error about initialisation when one is forgotten, and a
#   default metric that quietly pools the two heads.
# * Measured by the size of the edit, "fast for prototyping" does not
#   hold; measured by what the edit asks you to know, the imperative APIs
#   ask less: no new names against three.
#   :ref:`sphx_glr_auto_examples_apis_plot_behind_fit.py` looks at what
#   the symbolic program's ``fit`` does with what it was given.
