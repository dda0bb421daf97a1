"""
What one fit or bind call does behind your back
===============================================

The article says that "the fit function hide lot's of things": its
"two" lines "compile network, initialise it, define optimiser, evaluation
metric etc.", where a define-by-run program has "no compilation [and]
less hidden operations". This page takes one such call, MXNet's
``Module.fit`` as the article writes it, and records what it does instead
of recalling it: every call ``fit`` makes, epoch by epoch, traced with
``sys.setprofile``; every value it chose that the call does not state; what
the ``bind`` inside it allocated and which graph it runs. Then it writes
the same training as a Gluon and a PyTorch loop, traces which of their
lines run how often, and maps each step of ``fit`` to the line that does
it. Being fair cuts both ways, so the page also measures what the two
imperative frameworks do without a line of yours.

**What you will learn**

* the steps inside ``BaseModule.fit`` (``mxnet/module/base_module.py``)
  and how often each runs;
* the defaults and derived values it applies, and what ``Module.bind``
  decides: shapes, arrays, gradient requests and the graph rewrite;
* which line of a Gluon or PyTorch loop does each of those steps, and
  which steps no line does;
* what Gluon and PyTorch decide implicitly in return.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` for
the three APIs; the guide pages :doc:`/guide/expressiveness` and
:doc:`/guide/less-hidden` read ``fit``'s signature and show single hidden
rules in isolation, which this page does not repeat.
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
import collections
import contextlib
import inspect
import json
import logging
import os
import sys
import tempfile
import textwrap

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


def say(message, indent=4):
    """Print ``message`` in lines of at most 79 characters, the lines after
    the first indented by ``indent``."""
    print(textwrap.fill(str(message), width=79,
                        subsequent_indent=" " * indent))


# %%
# A small run is enough to see the structure: 1,000 training digits in
# batches of 100 (ten batches an epoch), two epochs, and 500 held-out
# digits to evaluate on after each epoch, as the article's call does.

seed = 0
batch_size = 100
num_epochs = 2
lr = 0.1
num_train, num_eval = 1000, 500


def read_vectors(path, count):
    """The first ``count`` digits of an idx file, as rows of 784 pixels."""
    images = read_idx(path)[:count]
    return (images.reshape(count, -1) / 255).astype(np.float32)


mnist = ensure_mnist()
train_X = read_vectors(mnist.train_images, num_train)
train_y = read_idx(mnist.train_labels)[:num_train].astype(np.float32)
eval_X = read_vectors(mnist.test_images, num_eval)
eval_y = read_idx(mnist.test_labels)[:num_eval].astype(np.float32)
batches_per_epoch = num_train // batch_size
print(f"train {train_X.shape}, evaluate {eval_X.shape}, "
      f"{batches_per_epoch} batches an epoch")

# %%
# The call
# --------
#
# A two-layer perceptron as a symbol, and the article's ``fit`` call, with
# its optimizer, learning rate and metric (its ``Speedometer``, which only
# logs the speed, is left out). ``fit`` reports through ``logging``; this
# page sends the messages to standard output.


def symbolic_mlp():
    x = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=64,
                              name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.FullyConnected(x, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(x, name="softmax")


logging.basicConfig(level=logging.INFO, format="%(message)s",
                    stream=sys.stdout, force=True)
mx.random.seed(seed)
np.random.seed(seed)
train_iter = mx.io.NDArrayIter(train_X, train_y, batch_size, shuffle=True)
eval_iter = mx.io.NDArrayIter(eval_X, eval_y, batch_size)
module = mx.mod.Module(symbolic_mlp(), context=mx_ctx)


def article_fit():
    module.fit(train_iter, eval_data=eval_iter, optimizer="sgd",
               optimizer_params={"learning_rate": lr}, eval_metric="acc",
               num_epoch=num_epochs)


# %%
# Tracing it
# ----------
#
# ``sys.setprofile`` calls a function of ours at every Python function
# call. ``trace_fit`` keeps four records: the calls that ``fit`` itself
# makes (those whose caller is ``fit``'s frame), by epoch, read from
# ``fit``'s local variable ``epoch`` (``"before"`` until its loop starts),
# with the arguments of the first of each; the number of Python calls at
# any depth, by package and by function; and the weights as the first
# ``init_params`` left them, before any training. Calls to
# ``__del__`` (Python freeing arrays) are not steps and are left out.
#
# Messages from MXNet's C++ side go straight to the process's standard
# error, past Python; ``captured_stderr`` collects them from the file
# descriptor so that the page can print and count them.

fit_code = mx.mod.BaseModule.fit.__code__


def trace_fit(run_fit):
    direct = collections.Counter()
    by_package = collections.Counter()
    by_name = collections.Counter()
    first_arguments = {}
    first_weights = {}

    def profile(frame, event, arg):
        code = frame.f_code
        if event == "call":
            path = code.co_filename.replace(os.sep, "/")
            by_package["mxnet" if "/mxnet/" in path else "other"] += 1
            by_name[code.co_qualname] += 1
            caller = frame.f_back
            if (caller is not None and caller.f_code is fit_code
                    and code.co_name != "__del__"):
                epoch = caller.f_locals.get("epoch", "before")
                direct[code.co_qualname, epoch] += 1
                first_arguments.setdefault(code.co_qualname,
                                           dict(frame.f_locals))
        elif (event == "return" and code.co_qualname == "Module.init_params"
              and not first_weights):
            arrays = frame.f_locals["self"]._arg_params
            first_weights.update({name: array.asnumpy()
                                  for name, array in arrays.items()})

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        run_fit()
    finally:
        sys.setprofile(previous)
    return direct, by_package, by_name, first_arguments, first_weights


@contextlib.contextmanager
def captured_stderr():
    """Collect, as lines, what is written to file descriptor 2."""
    sys.stderr.flush()
    lines = []
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode(errors="replace").splitlines())


with captured_stderr() as fit_messages:
    (fit_calls, calls_by_package, calls_by_name, fit_arguments,
     first_weights) = trace_fit(article_fit)
logging.getLogger().setLevel(logging.WARNING)

# %%
# (The accuracies ``fit`` logged are low: its default initializer draws
# tiny weights, and twenty steps of plain SGD barely start the learning.
# The loops below, which start from the same weights, start as slowly.
# This page is about the steps, not the accuracy.)
#
# The calls ``fit`` made itself, in the order they first happened, with
# how many times each ran before the epochs and in each epoch:


def counts(calls, name):
    return tuple(calls[name, epoch]
                 for epoch in ("before",) + tuple(range(num_epochs)))


fit_callees = list(dict.fromkeys(name for name, _ in fit_calls))
print(f"{'called by fit':<34}{'before':>7}"
      + "".join(f"{f'epoch {e}':>9}" for e in range(num_epochs)))
for name in fit_callees:
    print(f"{name:<34}" + "".join(f"{count:>9}" if i else f"{count:>7}"
                                  for i, count in
                                  enumerate(counts(fit_calls, name))))
print(f"\nPython calls during fit, at any depth: "
      f"{calls_by_package['mxnet']:,} in MXNet, "
      f"{calls_by_package['other']:,} elsewhere")

# sphinx_gallery_start_ignore
# Each epoch makes the same calls: one loop, unrolled nowhere.
for name in fit_callees:
    per_epoch = counts(fit_calls, name)[1:]
    assert len(set(per_epoch)) == 1, (name, per_epoch)
# sphinx_gallery_end_ignore

# %%
# Read against ``BaseModule.fit``'s source, the table is its body: before
# the loop, ``bind`` (fed by the iterator's ``provide_data`` and
# ``provide_label``), ``init_params``, ``init_optimizer`` and
# ``metric.create``. Each epoch: reset the metric, start the iterator, and
# for each batch ``forward_backward``, ``update`` and ``update_metric``,
# then fetch the next batch (eleven times for ten batches: the last fetch
# ends the epoch) and ``prepare`` it. After the batches: read and log the
# metric, log the time, copy the weights out of the executor and back in
# (``get_params``, ``set_params``; the source's comment says "sync aux
# params across devices"), ``score`` on the evaluation data, rewind the
# iterator. The article's four, "compile network, initialise it, define
# optimiser, evaluation metric", are the first calls:

article_four = ("Module.bind", "Module.init_params",
                "Module.init_optimizer", "create")
article_checks = [claims.check(
    "calls of fit before its loop: bind, init_params, init_optimizer, "
    "metric.create", tuple(fit_calls[name, "before"]
                           for name in article_four), "==", (1, 1, 1, 1),
    "the article's four hidden steps, each once before the first batch")]

# %%
# What the call decided
# ---------------------
#
# The call names an optimizer, a learning rate and a metric. Everything
# else was decided inside it, from a default of ``fit`` or of the
# functions it calls, or derived from the data. Each line below is read
# from the module after the call (or from the first weights, for the
# initializer) and checked against the source that decides it.

optimizer = module._optimizer  # not public API: the object fit created
initial_weights = {name: values for name, values in first_weights.items()
                   if name.endswith("_weight")}
initial_biases = {name: values for name, values in first_weights.items()
                  if name.endswith("_bias")}
largest_initial = max(np.abs(v).max() for v in initial_weights.values())
exec_group = module._exec_group
executor = exec_group.execs[0]
decisions = {
    "initializer (fit's default Uniform(0.01)): largest initial |weight|":
        round(float(largest_initial), 5),
    "initializer: initial biases all zero (Initializer._init_bias)":
        all(not v.any() for v in initial_biases.values()),
    "optimizer class (from 'sgd')": type(optimizer).__name__,
    "momentum (SGD's default)": optimizer.momentum,
    "weight decay (Optimizer's default)": optimizer.wd,
    "rescale_grad (init_optimizer: 1 / batch size)": optimizer.rescale_grad,
    "kvstore ('local' asked; model._create_kvstore, one device)":
        str(module._kvstore),
    "updates by a local Updater instead": type(module._updater).__name__,
    "gradient requests (DataParallelExecutorGroup)":
        tuple(sorted(set(exec_group.grad_req.items()))),
    "batch size, fixed at bind from provide_data": exec_group.batch_size,
    "validation metric (validation_metric=None: the eval_metric)":
        fit_arguments["BaseModule.score"]["eval_metric"],
}
for what, value in decisions.items():
    say(f"{what}: {value}")

# %%
# The checks tie each value to where it comes from. For the initializer,
# the check is on how far the largest initial weight falls short of 0.01:
# not below zero if the weights come from [-0.01, 0.01], and within 1e-5
# of it if they fill that range, since the chance that 50,000 uniform
# draws all miss its top thousandth is below 1e-20.

weight_count = sum(v.size for v in initial_weights.values())
assert weight_count > 50_000
edge_gap = 0.01 - float(largest_initial)
decision_checks = [
    claims.check("0.01 minus the largest initial |weight| fit drew",
                 edge_gap, ">=", 0.0,
                 "fit's default initializer is Uniform(0.01)"),
    claims.check("0.01 minus the largest initial |weight|, from above",
                 edge_gap, "<=", 1e-5, "50,000 uniform draws reach the "
                 "edge of the range; a narrower initializer would not"),
    claims.check("rescale_grad set by init_optimizer",
                 optimizer.rescale_grad, "==", 1 / batch_size,
                 "init_optimizer computes 1.0/batch_size from the bound "
                 "executor; the call never mentions it"),
    claims.check("optimizer, momentum, weight decay fit used",
                 (type(optimizer).__name__, optimizer.momentum,
                  optimizer.wd), "==", ("SGD", 0.0, 0.0),
                 "'sgd' creates mx.optimizer.SGD, whose momentum and wd "
                 "default to 0"),
    claims.check("kvstore fit created", str(module._kvstore), "==",
                 "None", "_create_kvstore makes none for 'local' on one "
                 "device; a local Updater updates the weights instead"),
]
assert decisions["initializer: initial biases all zero "
                 "(Initializer._init_bias)"]
assert type(module._updater).__name__ == "Updater"
assert fit_arguments["BaseModule.score"]["eval_metric"] == "acc"
assert executor.arg_dict["data"].shape == (batch_size, 784)
assert exec_group.grad_req == {
    name: "write" if name in module._param_names else "null"
    for name in executor.arg_dict}

# %%
# What ``bind`` decided
# ---------------------
#
# ``bind`` turned the graph and the iterator's shape, (100, 784), into
# arrays: ``simple_bind`` inferred every argument's shape, and the
# executor group chose which need a gradient: ``write`` for the weights,
# ``null`` for the data and the label (its rule in
# ``DataParallelExecutorGroup.__init__``). ``Module.bind`` also keeps its
# own copy of every weight, ``_arg_params``, created with ``zeros`` beside
# the executor's, into which ``get_params`` copies the weights at the end
# of each epoch.


def megabytes(arrays):
    return sum(a.size * np.dtype(a.dtype).itemsize for a in arrays) / 1e6


param_names = module._param_names
print(f"{'argument':<15}{'shape':>12}{'grad_req':>10}{'array':>8}"
      f"{'gradient':>10}{'module copy':>13}")
for name, array in executor.arg_dict.items():
    gradient = executor.grad_dict.get(name)
    copy = module._arg_params.get(name)
    print(f"{name:<15}{str(array.shape):>12}"
          f"{exec_group.grad_req[name]:>10}{array.size:>8}"
          f"{gradient.size if gradient is not None else '-':>10}"
          f"{copy.size if copy is not None else '-':>13}")
weight_megabytes = megabytes(executor.arg_dict[n] for n in param_names)
held_megabytes = (weight_megabytes
                  + megabytes(executor.grad_dict[n] for n in param_names)
                  + megabytes(module._arg_params.values()))
batch_arrays = [executor.arg_dict["data"],
                executor.arg_dict["softmax_label"], executor.outputs[0]]
say(f"weights {weight_megabytes:.3f} MB; weights, gradients and the "
    f"module's copy {held_megabytes:.3f} MB; data, label and outputs "
    f"{megabytes(batch_arrays):.3f} MB")

# sphinx_gallery_start_ignore
# The module's copy is memory of its own: writing into it leaves the
# executor's weights alone.
copy = module._arg_params["fc2_bias"]
before = executor.arg_dict["fc2_bias"].asnumpy()
copy[:] += 1
assert np.array_equal(executor.arg_dict["fc2_bias"].asnumpy(), before)
copy[:] -= 1
# sphinx_gallery_end_ignore

bind_checks = [
    claims.check("memory held for the weights, in units of the weights",
                 round(held_megabytes / weight_megabytes, 6), "==", 3.0,
                 "the executor's weights, their gradients (grad_req "
                 "'write') and Module's own copy, _arg_params"),
    claims.check("init_params calls during fit, at any depth",
                 calls_by_name["Module.init_params"], "==", 1 + num_epochs,
                 "once to initialise, then once an epoch from set_params, "
                 "which copies the weights back in with force_init=True"),
]

# %%
# The graph that ``bind`` runs
# ----------------------------
#
# One line on standard error came from the C++ side during ``fit``:

for line in fit_messages:
    say(line)

# %%
# ``GraphExecutor``'s constructor (``src/executor/graph_executor.cc`` in
# MXNet 1.9.1) reads ``MXNET_SUBGRAPH_BACKEND`` and, when it is unset,
# takes ``GetDefaultSubgraphBackend()``: ``"MKLDNN"`` in a build with
# MKL-DNN, which the installed wheel is. Every ``simple_bind`` then
# announces the backend. Whether it rewrites anything is decided per
# rewrite: the four that the MKLDNN backend registers (convolution, fully
# connected, transformer and identity fusions) are all marked
# ``inference_only``, and are skipped when any argument needs a gradient.
# So the graph ``fit`` trained is the graph that was written, and a
# ``Module`` bound for inference runs another one.


def operators(symbol):
    nodes = json.loads(symbol.tojson())["nodes"]
    return [node["name"] for node in nodes if node["op"] != "null"]


arg_params, aux_params = module.get_params()
inference_module = mx.mod.Module(symbolic_mlp(), context=mx_ctx)
with captured_stderr() as inference_messages:
    inference_module.bind(data_shapes=eval_iter.provide_data,
                          label_shapes=eval_iter.provide_label,
                          for_training=False)
inference_module.set_params(arg_params, aux_params)
inference_executor = inference_module._exec_group.execs[0]
written = operators(symbolic_mlp())
trained = operators(executor.get_optimized_symbol())
inferred = operators(inference_executor.get_optimized_symbol())
print(f"MXNET_SUBGRAPH_BACKEND: "
      f"{os.environ.get('MXNET_SUBGRAPH_BACKEND', 'unset')}; MKLDNN in "
      f"this build: {mx.runtime.Features().is_enabled('MKLDNN')}")
say(f"operators as written:          {written}")
say(f"as bound by fit, for training: {trained}")
say(f"as bound for inference:        {inferred}")
for line in inference_messages:
    say(f"(inference bind) {line}")

training_probabilities = module.predict(eval_iter).asnumpy()
inference_probabilities = inference_module.predict(eval_iter).asnumpy()
rewrite_difference = np.abs(training_probabilities
                            - inference_probabilities).max()
say(f"largest difference between the two graphs' predictions: "
    f"{rewrite_difference:.1e}")

activated = "Subgraph backend MKLDNN is activated"
subgraph_checks = [
    claims.check("'Subgraph backend MKLDNN is activated' lines during fit",
                 sum(activated in line for line in fit_messages), "==", 1,
                 "fit binds once, and every simple_bind logs the default "
                 "backend (MXNET_SUBGRAPH_VERBOSE defaults to 1)"),
    claims.check("operators rewritten in the graph fit trained",
                 sum(name not in written for name in trained), "==", 0,
                 "the MKLDNN rewrites are inference_only and training "
                 "needs gradients"),
    claims.check("operators of the inference-bound graph that were "
                 "rewritten", sum(name.startswith("sg_mkldnn")
                                  for name in inferred), ">=", 1,
                 "with grad_req 'null' everywhere the fully connected "
                 "layers are fused"),
    claims.check("largest difference between the predictions of the two "
                 "graphs", float(rewrite_difference), "<", 1e-5,
                 "the rewrite computes the same function; float32 "
                 "rounding of probabilities stays far below 1e-5"),
]
assert os.environ.get("MXNET_SUBGRAPH_BACKEND") is None
assert sum(activated in line for line in inference_messages) == 1

# %%
# The same training, written out
# ------------------------------
#
# The loops below train the same perceptron the way ``fit`` did: weights
# from Uniform(0.01) and biases at zero, plain SGD at the same learning
# rate, the loss averaged over the batch, an accuracy reset each epoch and
# updated each batch, and an evaluation after each epoch. What ``fit``
# chose (the initializer, the metric for the evaluation) is now written
# on the page; the optimizer's own defaults stay defaults, as in ``fit``.


def gluon_fit(net, train_loader, eval_loader):
    net.initialize(mx.init.Uniform(0.01), ctx=mx_ctx)
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": lr})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    metric = mx.metric.Accuracy()
    for epoch in range(num_epochs):
        metric.reset()
        for X, y in train_loader:
            X, y = X.as_in_context(mx_ctx), y.as_in_context(mx_ctx)
            with autograd.record():
                output = net(X)
                loss = loss_fn(output, y)
            loss.backward()
            trainer.step(batch_size)
            metric.update(y, output)
        train_accuracy = metric.get()[1]
        eval_accuracy = gluon_evaluate(net, eval_loader)
        print(f"Epoch[{epoch}] Train-accuracy={train_accuracy:f} "
              f"Validation-accuracy={eval_accuracy:f}")


def gluon_evaluate(net, loader):
    metric = mx.metric.Accuracy()
    for X, y in loader:
        metric.update(y.as_in_context(mx_ctx), net(X.as_in_context(mx_ctx)))
    return metric.get()[1]


# %%
# PyTorch's version. Its accuracy is two counters; ``uniform_init`` does
# what MXNet's ``Uniform(0.01)`` does.


def uniform_init(layer):
    if isinstance(layer, nn.Linear):
        nn.init.uniform_(layer.weight, -0.01, 0.01)
        nn.init.zeros_(layer.bias)


def torch_fit(net, train_loader, eval_loader):
    net.apply(uniform_init)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(num_epochs):
        correct, seen = 0, 0
        for X, y in train_loader:
            X, y = X.to(torch_device), y.to(torch_device)
            optimizer.zero_grad()
            output = net(X)
            loss = loss_fn(output, y)
            loss.backward()
            optimizer.step()
            correct += (output.argmax(dim=1) == y).sum().item()
            seen += len(y)
        train_accuracy = correct / seen
        eval_accuracy = torch_evaluate(net, eval_loader)
        print(f"Epoch[{epoch}] Train-accuracy={train_accuracy:f} "
              f"Validation-accuracy={eval_accuracy:f}")


def torch_evaluate(net, loader):
    net.eval()
    correct, seen = 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(torch_device), y.to(torch_device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            seen += len(y)
    net.train()
    return correct / seen


# %%
# Tracing the loops
# -----------------
#
# ``sys.settrace`` reports each line a traced function runs, and runs a
# line again when Python returns to it within one statement (the second
# line of a call's arguments, the exit of a ``with``). ``trace_loop``
# therefore counts *runs* of a statement: arrivals at its first line from
# outside it, by epoch, read from the loop's local variable ``epoch`` as
# for ``fit``. For a ``for`` statement it also counts *iterations*, every
# arrival at its header, which is where Python takes the next item. It
# also watches, at any depth, for calls of a few framework functions that
# no line of the loop names, and notes which statement was running when
# each happened; for Gluon these are the end of a parameter's deferred
# initialisation (counted only when there was one to finish) and the
# ``Trainer``'s creation of its key-value store.

watched = {"Parameter._finish_deferred_init", "Trainer._init_kvstore"}


def statement_spans(function):
    """For each statement of ``function``: its first line's text, and the
    first and last line numbers it covers."""
    lines, first_line = inspect.getsourcelines(function)
    tree = ast.parse(textwrap.dedent("".join(lines))).body[0]
    return {first_line + node.lineno - 1: (
                lines[node.lineno - 1].strip(), first_line + node.lineno - 1,
                first_line + node.end_lineno - 1)
            for node in ast.walk(tree)
            if isinstance(node, ast.stmt) and node is not tree}


def trace_loop(loop, *args):
    loop_code = loop.__code__
    spans = statement_spans(loop)
    runs = collections.Counter()
    iterations = collections.Counter()
    implicit = collections.Counter()
    owners = {}
    where = {"line": None, "statement": None, "epoch": "before"}

    def local_trace(frame, event, arg):
        if event == "line":
            line = frame.f_lineno
            where["epoch"] = frame.f_locals.get("epoch", "before")
            if line in spans:
                text, first, last = spans[line]
                where["statement"] = text
                iterations[text, where["epoch"]] += 1
                if where["line"] is None or not first <= where["line"] <= last:
                    runs[text, where["epoch"]] += 1
            where["line"] = line
        return local_trace

    def global_trace(frame, event, arg):
        code = frame.f_code
        if code is loop_code:
            return local_trace
        if code.co_qualname in watched:
            owner = frame.f_locals.get("self")
            if getattr(owner, "_deferred_init", True):
                implicit[code.co_qualname, where["statement"],
                         where["epoch"]] += 1
                owners[code.co_qualname] = owner
        return None

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        loop(*args)
    finally:
        sys.settrace(previous)
    return {"runs": runs, "iterations": iterations}, implicit, owners


gluon_net = gnn.HybridSequential()
gluon_net.add(gnn.Dense(64, activation="relu"), gnn.Dense(10))
gluon_train = gluon.data.DataLoader(
    gluon.data.ArrayDataset(train_X, train_y), batch_size=batch_size,
    shuffle=True)
gluon_eval = gluon.data.DataLoader(gluon.data.ArrayDataset(eval_X, eval_y),
                                   batch_size=batch_size)
mx.random.seed(seed)
np.random.seed(seed)
gluon_runs, gluon_implicit, gluon_owners = trace_loop(
    gluon_fit, gluon_net, gluon_train, gluon_eval)

torch_net = nn.Sequential(nn.Linear(784, 64), nn.ReLU(),
                          nn.Linear(64, 10)).to(torch_device)


def tensor_loader(X, y, shuffle):
    dataset = torch.utils.data.TensorDataset(
        torch.from_numpy(X), torch.from_numpy(y).long())
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size,
                                       shuffle=shuffle)


torch.manual_seed(seed)
torch_runs, _, _ = trace_loop(
    torch_fit, torch_net, tensor_loader(train_X, train_y, True),
    tensor_loader(eval_X, eval_y, False))

# %%
# Each step of ``fit``, and the line that does it
# -----------------------------------------------
#
# The map below pairs each call ``fit`` made with the statements of each
# loop that do the same work, named by how they start. Where both sides
# have something, the counts must agree: run as often, before the epochs
# and in each epoch. The loop's ``for`` statement appears twice: each run
# starts a pass over the data (``fit`` calls ``iter`` and, at the end,
# ``reset``), each iteration takes a batch. One row is paired without a
# count: ``fit`` logs three lines an epoch where the loops print one.

steps = [
    # (step, fit's calls, Gluon statements, PyTorch statements, measure)
    ("read the batch shapes",
     ("NDArrayIter.provide_data", "NDArrayIter.provide_label"), (), (),
     "runs"),
    ("bind: shapes, arrays, graph", ("Module.bind",), (), (), "runs"),
    ("initialise the weights", ("Module.init_params",),
     ("net.initialize(",), ("net.apply(",), "runs"),
    ("create the optimizer", ("Module.init_optimizer",),
     ("trainer = ",), ("optimizer = ",), "runs"),
    ("create the metric", ("create",), ("metric = ",), (), "runs"),
    ("reset the metric", ("EvalMetric.reset",), ("metric.reset()",),
     ("correct, seen = 0, 0",), "runs"),
    ("start the iterator", ("DataIter.__iter__", "NDArrayIter.reset"),
     ("for X, y in",), ("for X, y in",), "runs"),
    ("take the next batch", ("DataIter.__next__",), ("for X, y in",),
     ("for X, y in",), "iterations"),
    ("forward and backward", ("BaseModule.forward_backward",),
     ("X, y = ", "with autograd.record():", "output = ", "loss = ",
      "loss.backward()"),
     ("X, y = ", "output = ", "loss = ", "loss.backward()"), "runs"),
    ("clear the gradients", (), (), ("optimizer.zero_grad()",), "runs"),
    ("update the weights", ("Module.update",), ("trainer.step(",),
     ("optimizer.step()",), "runs"),
    ("update the metric", ("Module.update_metric",), ("metric.update(",),
     ("correct += ", "seen += "), "runs"),
    ("prepare the next batch", ("Module.prepare",), (), (), "runs"),
    ("read the metric", ("EvalMetric.get_global_name_value",),
     ("train_accuracy = ",), ("train_accuracy = ",), "runs"),
    ("log the epoch", ("info",), ("print(",), ("print(",), None),
    ("copy the weights out and in", ("Module.get_params",
                                     "Module.set_params"), (), (), "runs"),
    ("evaluate", ("BaseModule.score",), ("eval_accuracy = ",),
     ("eval_accuracy = ",), "runs"),
]

# sphinx_gallery_start_ignore
# The map covers every call fit made.
mapped_calls = {name for _, calls, _, _, _ in steps for name in calls}
assert mapped_calls == set(fit_callees), set(fit_callees) ^ mapped_calls
# sphinx_gallery_end_ignore


def statement_counts(trace, prefix, measure):
    """Runs (or iterations) of the one statement starting with ``prefix``."""
    matching = {text for text, _ in trace["runs"]
                if text.startswith(prefix)}
    assert len(matching) == 1, (prefix, matching)
    return counts(trace[measure or "runs"], matching.pop())


def count_text(step_counts):
    before, *epochs = step_counts
    parts = ([f"{before} before"] if before else []) + (
        [f"{epochs[0]}/epoch"] if epochs[0] else [])
    return ", ".join(parts)


loop_runs = {"Gluon": gluon_runs, "PyTorch": torch_runs}
mismatches = {"Gluon": [], "PyTorch": []}
mapped = {"Gluon": set(), "PyTorch": set()}
step_table = []
for step, calls, gluon_lines, torch_lines, measure in steps:
    fit_counts = counts(fit_calls, calls[0]) if calls else None
    row = {"step": step, "fit": fit_counts}
    for api, prefixes in (("Gluon", gluon_lines), ("PyTorch", torch_lines)):
        row[api] = [(prefix, statement_counts(loop_runs[api], prefix,
                                              measure))
                    for prefix in prefixes]
        for prefix, line_counts in row[api]:
            mapped[api].add(prefix)
            if measure and calls and line_counts != fit_counts:
                mismatches[api].append((step, prefix, line_counts))
    step_table.append(row)

for row in step_table:
    fit_text = count_text(row["fit"]) if row["fit"] else "-"
    print(f"{row['step']}:  fit {fit_text}")
    for api in ("Gluon", "PyTorch"):
        if row[api]:
            lines = "; ".join(f"{prefix.strip()} ({count_text(c)})"
                              for prefix, c in row[api])
            say(f"    {api:<8} {lines}", indent=13)

# %%
# The figure shows the same map: one row per step, one column per API,
# and in each cell how often the step ran, as a call of ``fit`` or as the
# reader's statement. An empty cell is a step that API has no code for.

columns = ("inside MXNet's fit", "your Gluon loop", "your PyTorch loop")
colours = [style.COLORS[api] for api in style.ORDER]
fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 6.5))
for row_number, row in enumerate(step_table):
    cells = [row["fit"]] + [row[api][0][1] if row[api] else None
                            for api in ("Gluon", "PyTorch")]
    for column, cell in enumerate(cells):
        if cell is None:
            continue
        ax.add_patch(plt.Rectangle((column + 0.05, row_number + 0.1), 0.9,
                                   0.8, color=colours[column], alpha=0.35))
        ax.text(column + 0.5, row_number + 0.5, count_text(cell),
                ha="center", va="center", fontsize=9)
ax.set_xlim(0, len(columns))
ax.set_ylim(len(step_table), 0)
ax.set_xticks([c + 0.5 for c in range(len(columns))], columns)
ax.set_yticks([r + 0.5 for r in range(len(step_table))],
              [row["step"] for row in step_table])
ax.xaxis.tick_top()
ax.tick_params(length=0)
for side in ax.spines.values():
    side.set_visible(False)
ax.set_title(f"Who does each step of training, and how often\n"
             f"({batches_per_epoch} batches an epoch)", pad=30)
fig.tight_layout()
plt.show()

# %%
# Every statement of the two loops is on the map but two, whose
# counterparts are not calls: the epoch loop is ``fit``'s own ``for``, and
# the loss function is the ``SoftmaxOutput`` at the end of the symbolic
# graph.


for api, loop in (("Gluon", gluon_fit), ("PyTorch", torch_fit)):
    body = {text for text, _, _ in statement_spans(loop).values()}
    unmapped = sorted(line for line in body
                      if not any(line.startswith(prefix.strip())
                                 for prefix in mapped[api]))
    say(f"{api}: statements not on the map: {unmapped}")
    assert len(unmapped) == 2, unmapped
    assert any(line.startswith("for epoch") for line in unmapped)
    assert any(line.startswith("loss_fn = ") for line in unmapped)

fit_steps = {row["step"] for row in step_table if row["fit"]}
loop_steps = {api: {row["step"] for row in step_table if row[api]}
              for api in ("Gluon", "PyTorch")}
only_fit = sorted(fit_steps - loop_steps["Gluon"] - loop_steps["PyTorch"])
say(f"steps of fit that no loop has a line for: {only_fit}")
mapping_checks = [
    claims.check("steps the Gluon loop writes that fit does not perform",
                 tuple(sorted(loop_steps["Gluon"] - fit_steps)), "==", (),
                 "every line of the Gluon loop does a step that fit "
                 "performs: the set fit performs contains the loop's"),
    claims.check("steps the PyTorch loop writes that fit does not perform",
                 tuple(sorted(loop_steps["PyTorch"] - fit_steps)), "==",
                 ("clear the gradients",), "PyTorch adds gradients up by "
                 "default, so its loop needs zero_grad; MXNet overwrites "
                 "them (grad_req 'write')"),
    claims.check("paired statements run a different number of times than "
                 "fit's call, both loops", len(mismatches["Gluon"])
                 + len(mismatches["PyTorch"]), "==", 0,
                 "a statement that does a step of fit must run as often, "
                 "before the epochs and in each epoch"),
    claims.check("steps of fit that neither loop writes", tuple(only_fit),
                 "==", ("bind: shapes, arrays, graph",
                        "copy the weights out and in",
                        "prepare the next batch", "read the batch shapes"),
                 "what fit does beyond a one-device loop: binding, the "
                 "weight copies it keeps, a no-op for dense data"),
]

# %%
# What Gluon and PyTorch do without a line
# ----------------------------------------
#
# The loops hide things too. The trace watched two of Gluon's; the others
# are read from the frameworks after the loops ran.
#
# **Gluon.** ``net.initialize()`` created the biases but not the weights:
# the layers did not know their input size. Each weight was created and
# initialised at the first forward pass, on the line that called the
# network. The ``Trainer`` decided at its first ``step`` whether to use a
# key-value store, the decision ``fit`` took in ``init_optimizer``, and
# made the same one: none, on one device. And ``autograd.record()`` does
# more than record: it switches layers such as dropout and batch
# normalisation to their training behaviour (its ``train_mode=True``
# default).

for (name, line, epoch), count in gluon_implicit.items():
    say(f"Gluon: {name} x{count} during '{line}' (epoch {epoch})")
gluon_trainer = gluon_owners["Trainer._init_kvstore"]
print(f"Gluon Trainer's key-value store: {gluon_trainer._kvstore}")
gluon_params = list(gluon_net.collect_params().values())
with autograd.record():
    training_mode_in_record = autograd.is_training()
say(f"Gluon parameters: {len(gluon_params)}; autograd.is_training() "
    f"inside record(): {training_mode_in_record}, outside: "
    f"{autograd.is_training()}")

# %%
# One more Gluon rule sits in the loop's ``loss.backward()``: the loss is
# one number per digit, and ``backward`` of an array differentiates the
# sum of its elements, as if each had a gradient of one (PyTorch refuses
# ``backward`` on a non-scalar without one). Compared here with the
# gradient of an explicit sum:

X_batch = mx.nd.array(train_X[:batch_size], ctx=mx_ctx)
y_batch = mx.nd.array(train_y[:batch_size], ctx=mx_ctx)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
gradients = []
for reduce in (lambda loss: loss, lambda loss: loss.sum()):
    with autograd.record():
        per_sample = loss_fn(gluon_net(X_batch), y_batch)
        reduced = reduce(per_sample)
    reduced.backward()
    gradients.append(gluon_net[1].weight.grad().asnumpy().copy())
say(f"loss shape {per_sample.shape}; largest difference between the two "
    f"gradients: {np.abs(gradients[0] - gradients[1]).max():.1e}")
backward_sums = np.allclose(gradients[0], gradients[1], atol=1e-6)

# sphinx_gallery_start_ignore
# PyTorch's refusal, as said above.
try:
    (2 * torch.ones(2, requires_grad=True)).backward()
except RuntimeError as error:
    assert "scalar outputs" in str(error), error
else:
    raise AssertionError("PyTorch accepted backward() on a vector")
# sphinx_gallery_end_ignore

deferred_at = {line: count for (name, line, _), count
               in gluon_implicit.items()
               if name == "Parameter._finish_deferred_init"}
gluon_weights = [p for p in gluon_params if p.name.endswith("_weight")]
kvstore_lines = {(line, epoch) for (name, line, epoch) in gluon_implicit
                 if name == "Trainer._init_kvstore"}

# %%
# **PyTorch.** Nothing in the loop asks to record the computation, yet
# every operation on a tensor that requires a gradient (every parameter,
# by default) adds a node to a graph that ``backward`` walks: counted
# below for one batch. Gradients add up unless cleared, hence the
# ``zero_grad`` line, which by default sets them to ``None``. The loss
# divides by the batch size because ``CrossEntropyLoss`` defaults to
# ``reduction="mean"``, the counterpart of ``fit``'s ``rescale_grad``.
# Without
# ``uniform_init``, the layers would keep the initialisation their
# constructor drew (uniform within 1/sqrt(inputs), from
# ``nn.Linear.reset_parameters``), as invisible in the loop as ``fit``'s
# Uniform(0.01). And a module starts in training mode: the evaluation has
# to switch it off and on again.


def graph_nodes(loss):
    seen, stack = set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(next_node for next_node, _ in node.next_functions)
    return seen


X = torch.from_numpy(train_X[:batch_size]).to(torch_device)
y = torch.from_numpy(train_y[:batch_size]).long().to(torch_device)
tape = graph_nodes(nn.CrossEntropyLoss()(torch_net(X), y))
say(f"PyTorch: {len(tape)} autograd nodes recorded for one batch: "
    f"{sorted(type(node).__name__ for node in tape)}")
first_weight = torch_net[0].weight
torch_net.zero_grad()
nn.CrossEntropyLoss()(torch_net(X), y).backward()
once = first_weight.grad.clone()
nn.CrossEntropyLoss()(torch_net(X), y).backward()
accumulated = (first_weight.grad.norm() / once.norm()).item()
torch_net.zero_grad()
reduction = nn.CrossEntropyLoss().reduction
say(f"a second backward without zero_grad: gradient x{accumulated:.3f};"
    f" CrossEntropyLoss reduction: {reduction!r}")
set_to_none = inspect.signature(
    torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
fresh_layer = nn.Linear(784, 64)
default_bound = 1 / np.sqrt(784)
largest_default = fresh_layer.weight.abs().max().item()
say(f"zero_grad(set_to_none={set_to_none}) by default; a fresh "
    f"Linear(784, 64) draws |w| up to {largest_default:.4f} "
    f"(1/sqrt(784) = {default_bound:.4f}); training mode at "
    f"construction: {fresh_layer.training}")

# %%
# The checks of both lists.

implicit_checks = [
    claims.check("Gluon parameters created during the first forward "
                 "pass", deferred_at.get("output = net(X)", 0), "==",
                 len(gluon_weights), "the two Dense weights wait for the "
                 "input size; the biases, whose size is known, are "
                 "created by initialize()"),
    claims.check("Gluon Trainer key-value store decisions, at the first "
                 "step", tuple(kvstore_lines), "==",
                 (("trainer.step(batch_size)", 0),),
                 "Trainer.step calls _init_kvstore once, the first time"),
    claims.check("PyTorch autograd nodes recorded for one batch, with no "
                 "line asking", len(tape), ">=", 8,
                 "at least one node per differentiable operation (two "
                 "matrix products, the ReLU, the loss) and one per "
                 "parameter (4), which collects its gradient"),
]
assert sum(deferred_at.values()) == len(gluon_params)
assert gluon_trainer._kvstore is None
assert training_mode_in_record and not autograd.is_training()
assert set_to_none is True and first_weight.grad is None
assert abs(accumulated - 2) < 1e-5 and reduction == "mean"
assert backward_sums
assert default_bound * 0.99 < largest_default <= default_bound
assert fresh_layer.training

# %%
# Counting both sides
# -------------------
#
# The decisions found above, side by side. For ``fit``: those its call
# does not state, and which of them are not even parameters of ``fit``
# (so that reading its signature, as :doc:`/guide/expressiveness` does,
# cannot show them). For the loops: what the framework did that no line
# shows. SGD's own defaults (no momentum, no weight decay) are in no list:
# the three programs rely on them alike.

fit_parameters = set(inspect.signature(mx.mod.Module.fit).parameters)
fit_hidden = {
    "weights drawn from Uniform(0.01), biases zero": "initializer",
    "gradient divided by the batch size (rescale_grad)": "optimizer_params",
    "no key-value store, a local updater": "kvstore",
    "graph bound to the first batch's shape": "train_data",
    "gradients for the weights only (grad_req)": None,
    "a second copy of every weight in the Module": None,
    "weights copied out and back in every epoch": None,
    "MKLDNN subgraph backend activated at bind": None,
    "validation metric: the training metric": "validation_metric",
}
gluon_hidden = ["weights created at the first forward pass",
                "key-value store decided at the first step",
                "record() switches layers to training mode",
                "backward() of per-sample losses: of their sum"]
torch_hidden = ["every operation recorded for backward",
                "gradients add up until cleared",
                "the loss averaged over the batch (reduction)",
                "layers initialised by their constructors",
                "modules start in training mode"]
assert all(name is None or name in fit_parameters
           for name in fit_hidden.values())
not_parameters = [what for what, name in fit_hidden.items() if name is None]
for title, items in (("fit", fit_hidden), ("Gluon", gluon_hidden),
                     ("PyTorch", torch_hidden)):
    print(f"{title} ({len(items)}):")
    for item in items:
        marker = "  *" if title == "fit" and item in not_parameters else ""
        print(f"    {item}{marker}")
print("* not a parameter of fit")

count_checks = [
    claims.check("decisions fit took that its call does not state, minus "
                 "the most of the Gluon and PyTorch lists", len(fit_hidden)
                 - max(len(gluon_hidden), len(torch_hidden)), ">=", 1,
                 "'hides less' needs the loops' lists shorter than fit's; "
                 "every item of the three was measured above"),
    claims.check("of fit's, decisions that are not parameters of fit",
                 len(not_parameters), ">=", 1,
                 "a decision with no parameter cannot be read off fit's "
                 "signature or changed through it"),
    claims.check("implicit behaviours measured in the shorter of the "
                 "Gluon and PyTorch lists", min(len(gluon_hidden),
                                                len(torch_hidden)), ">=", 1,
                 "the imperative frameworks hide things too, which is the "
                 "caveat of the verdict"),
]

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "apis/plot_behind_fit", "less-hidden", "holds with caveats",
    f"Traced, fit made {len(fit_callees)} kinds of call; every step the "
    f"Gluon loop writes is one of them, run as often (PyTorch adds "
    f"zero_grad), and {len(only_fit)} of fit's steps have no line in "
    f"either loop. fit took {len(fit_hidden)} decisions its call does not "
    f"state, {len(not_parameters)} of them not parameters of fit (a "
    f"second copy of the weights, copied every epoch; the MKLDNN backend "
    f"at bind, which rewrites only inference graphs). Gluon took "
    f"{len(gluon_hidden)} and PyTorch {len(torch_hidden)} without a line, "
    f"several of the same kind (initialisation, batch averaging, "
    f"training mode).",
    article_checks + decision_checks + bind_checks + subgraph_checks
    + mapping_checks + implicit_checks + count_checks)

# %%
# Takeaways
# ---------
#
# * One ``fit`` call ran a loop of a dozen kinds of step, and before it
#   ``bind``, ``init_params``, ``init_optimizer`` and ``metric.create``:
#   the article's four, and then some.
# * Its call named three settings; the run took nine decisions that the
#   call does not state, four of which are not parameters of ``fit``
#   at all: the gradient requests, the second copy of the weights, the
#   copying at each epoch and the subgraph backend.
# * ``bind`` logged the MKLDNN backend even for training, where it
#   rewrites nothing; the same graph bound for inference runs fused
#   operators, with the same results.
# * Written as a Gluon or PyTorch loop, each of those steps is a line,
#   run as often as ``fit`` ran it. ``bind``, the weight copies and
#   ``prepare`` have no line: Gluon creates the weights at the first
#   forward pass, PyTorch when it builds the layers, and one device needs
#   no copies. PyTorch needs one line more, ``zero_grad``.
# * The imperative frameworks keep their own implicit rules: deferred
#   initialisation and a lazily created key-value store in Gluon, the
#   autograd tape, gradient accumulation and constructor initialisation
#   in PyTorch. :doc:`/guide/less-hidden` shows each in isolation.
