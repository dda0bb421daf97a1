"""
A debugger inside ``forward``
=============================

The most direct way to understand a network is to stop it halfway and look
around: print a tensor, step one line, evaluate an expression. In PyTorch
and Gluon a network is Python code, so Python's own debugger stops inside
``forward`` like anywhere else: write ``breakpoint()`` where you want to
stop. In MXNet's symbolic API the Python code that describes the network
runs once, to declare the graph; the graph then runs in MXNet's C++
engine, where a Python breakpoint does not fire unless you wrap it in an
operator of its own. This page runs ``pdb`` on all three, driven by
scripted commands instead of a keyboard, shows the transcripts, and counts
how often each breakpoint stops.

**What you will learn**

* how to stop inside ``forward`` with ``breakpoint()`` in PyTorch and
  Gluon, and what ``pdb`` shows there;
* why the same breakpoint stops once in a hybridized Gluon block, once in
  the symbolic API, and never while the graph runs;
* the symbolic API's one way to run Python inside a running graph: a
  custom operator.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` for
the three APIs; basic ``pdb`` commands (``p`` prints an expression, ``n``
runs the next line, ``c`` continues). The page reads MNIST from
``$SIDEBYSIDE_DATA`` like every page of this site.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported and prints what the page runs on. MXNet runs on the
# CPU; PyTorch uses a GPU when there is one. PyTorch comes first on this
# page, not the symbolic API as elsewhere on this site: the debugger works
# there as in any Python code, and each API after it loses a little more
# of that.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import gc
import inspect
import io
import os
import pdb
import sys
import threading

import matplotlib.pyplot as plt
import mxnet as mx
import torch
import torch.nn.functional as F
import torchvision
from mxnet import gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside import claims, style
from sidebyside.data import ensure_mnist
from sidebyside.gluon import MNIST as GluonMNIST

style.use()
mx_ctx = devices.mxnet
torch_device = devices.torch

seed = 0
batch_size = 8

# %%
# Eight test digits, read by Gluon's and by PyTorch's MNIST readers.

mnist = ensure_mnist()
gluon_X, _ = next(iter(gluon.data.DataLoader(
    GluonMNIST(train=False).transform_first(
        gluon.data.vision.transforms.ToTensor()),
    batch_size=batch_size)))
gluon_X = gluon_X.as_in_context(mx_ctx)
torch_X, _ = next(iter(torch.utils.data.DataLoader(
    torchvision.datasets.MNIST(mnist.root, train=False,
                               transform=torchvision.transforms.ToTensor()),
    batch_size=batch_size)))
torch_X = torch_X.to(torch_device)

# %%
# A debugger that reads a script
# -------------------------------
#
# ``breakpoint()`` calls ``sys.breakpointhook``, which by default starts
# ``pdb`` on the terminal. A page that builds unattended has no terminal,
# so this page installs its own hook: it starts a ``pdb`` that reads its
# commands from a string and writes to a transcript, echoing each command
# as a terminal would, and it counts the stops. At your own desk, leave
# the hook alone and type the same commands.
#
# ``pdb`` names where it stopped by file and line, ``> file(line)function()``.
# Run as a script, the file is this page's, ``plot_debugger.py``; run as a
# notebook, it is the cell's: the Jupyter kernel compiles each cell as a
# file of its own, ``/tmp/ipykernel_<process>/<number>.py``, so the same
# stop reads ``> 1234567.py(12)forward()``, a line of that cell. The
# transcripts drop the folder (this page's, or the cells'), which is the
# folder of the file that defines these helpers.
#
# The debugger itself differs too. In a Jupyter kernel ``pdb.Pdb`` is
# IPython's debugger: the kernel replaces it at start-up
# (``IPKernelApp.init_pdb`` in ``ipykernel/kernelapp.py``) with an
# interruptible subclass of ``IPython.core.debugger.Pdb``, whose prompt is
# ``ipdb>`` and which shows the lines around each stop. The scripted
# debugger below inherits from whichever ``pdb.Pdb`` it finds, turns
# IPython's colours off so that the transcript is plain text, and reads
# its prompt from the debugger, ``(Pdb)`` or ``ipdb>``.


class ScriptedPdb(pdb.Pdb):
    def precmd(self, line):
        self.stdout.write(line + "\n")
        return super().precmd(line)


class ScriptedBreakpoints:
    """Answer every ``breakpoint()`` with the same ``pdb`` commands."""

    def __init__(self, commands):
        self.commands = "\n".join(commands) + "\n"
        self.transcript = io.StringIO()
        self.stops = 0
        self.prompt = "(Pdb) "

    def __call__(self, *args, **kwargs):
        self.stops += 1
        debugger = ScriptedPdb(stdin=io.StringIO(self.commands),
                               stdout=self.transcript, nosigint=True,
                               readrc=False)
        if hasattr(debugger, "set_theme_name"):  # IPython's debugger
            debugger.set_theme_name("nocolor")
        self.prompt = debugger.prompt
        debugger.set_trace(sys._getframe(1))

    def __enter__(self):
        self.previous_hook = sys.breakpointhook
        sys.breakpointhook = self
        return self

    def __exit__(self, *exc_info):
        sys.breakpointhook = self.previous_hook

    def text(self):
        # paths shortened to the file (or notebook cell) name
        return self.transcript.getvalue().replace(page_folder, "")

    def first_stop(self):
        return (self.text().split(f"{self.prompt}c\n")[0]
                + f"{self.prompt}c")

    def printed(self, command):
        """What ``pdb`` printed after each ``command``."""
        return tuple(part.split("\n")[0] for part in
                     self.text().split(f"{self.prompt}{command}\n")[1:])


page_file = inspect.getsourcefile(ScriptedPdb.precmd)
page_folder = os.path.dirname(os.path.abspath(page_file)) + os.sep

# %%
# (a) PyTorch: stop in the middle of ``forward``
# ----------------------------------------------
#
# LeNet with a ``breakpoint()`` after its first convolution block.


class TorchLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, kernel_size=5)
        self.conv2 = nn.Conv2d(20, 50, kernel_size=5)
        self.fc1 = nn.Linear(800, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), kernel_size=2)
        breakpoint()
        x = F.max_pool2d(F.relu(self.conv2(x)), kernel_size=2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


torch.manual_seed(seed)
torch_net = TorchLeNet().to(torch_device)

# %%
# The session: print the shape of ``x`` and the share of its values that
# are positive, run one line, print the new shape, continue.

commands = ["p x.shape", "p (x > 0).float().mean().item()", "n",
            "p x.shape", "c"]
with ScriptedBreakpoints(commands) as session:
    logits = torch_net(torch_X)
print(session.text())
print(f"stops: {session.stops}; logits {tuple(logits.shape)}")

# %%
# The debugger stopped inside ``forward``, on real values: the shapes it
# printed are the shapes the layers produce.

with torch.no_grad():
    pooled = F.max_pool2d(F.relu(torch_net.conv1(torch_X)), kernel_size=2)
    pooled_twice = F.max_pool2d(F.relu(torch_net.conv2(pooled)),
                                kernel_size=2)
torch_stops_check = claims.check(
    "PyTorch: stops of breakpoint() in forward, 1 call",
    session.stops, "==", 1, "forward runs once per call")
torch_values_check = claims.check(
    "PyTorch: shapes pdb printed, before and after one line",
    session.printed("p x.shape"), "==",
    (str(pooled.shape), str(pooled_twice.shape)),
    "the debugger sees the real tensors of the running forward")
assert "forward()" in session.text()

# %%
# (b) Gluon: the same, until ``hybridize()``
# ------------------------------------------
#
# The Gluon LeNet as a ``HybridBlock`` with the same breakpoint. Not
# hybridized, it runs ``hybrid_forward`` with ``F = mx.nd`` at every call,
# and stops at every call.


class GluonLeNet(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = gnn.Conv2D(20, kernel_size=5, activation="relu")
        self.conv2 = gnn.Conv2D(50, kernel_size=5, activation="relu")
        self.pool = gnn.MaxPool2D(pool_size=2, strides=2)
        self.fc1 = gnn.Dense(512, activation="relu")
        self.fc2 = gnn.Dense(10)

    def hybrid_forward(self, F, x):
        x = self.pool(self.conv1(x))
        breakpoint()
        x = self.pool(self.conv2(x))
        return self.fc2(self.fc1(F.flatten(x)))


mx.random.seed(seed)
gluon_net = GluonLeNet()
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)

with ScriptedBreakpoints(["p type(x).__name__", "p x.shape", "c"]) as session:
    num_calls = 3
    for _ in range(num_calls):
        gluon_net(gluon_X).wait_to_read()
first_stop = session.first_stop()
print(first_stop)
print(f"calls: {num_calls}, stops: {session.stops}")
gluon_stops_check = claims.check(
    f"Gluon: stops of breakpoint() in hybrid_forward, {num_calls} calls",
    session.stops, "==", num_calls,
    "not hybridized, hybrid_forward runs at every call")
gluon_values_check = claims.check(
    "Gluon: the type and shape of x that pdb printed, first stop",
    session.printed("p type(x).__name__")[0] + " "
    + session.printed("p x.shape")[0], "==", "'NDArray' (8, 20, 12, 12)",
    "an array with the values of the first convolution block")

# %%
# Hybridized, the same block stops once, at the first call: that is when
# Gluon runs ``hybrid_forward`` with ``F = mx.sym`` to record the graph.
# ``x`` is then a ``Symbol``, a placeholder with a name and no values or
# shape. Every later call runs the recorded graph and never enters the
# Python code again.

gluon_net.hybridize()
with ScriptedBreakpoints(["p type(x).__name__", "p x", "c"]) as session:
    for _ in range(num_calls):
        gluon_net(gluon_X).wait_to_read()
print(session.text())
print(f"calls: {num_calls}, stops: {session.stops}")
hybrid_stops_check = claims.check(
    f"hybridized Gluon: stops of the same breakpoint, {num_calls} calls",
    session.stops, "==", 1,
    "hybrid_forward runs once, to record the graph")
assert session.printed("p type(x).__name__") == ("'Symbol'",)
assert "<Symbol " in session.text()

# %%
# (c) MXNet symbolic: a breakpoint in the declaration
# ---------------------------------------------------
#
# The same breakpoint in the function that declares the symbolic LeNet
# stops once, when the function runs. There is no data yet: ``x`` is a
# symbol, and the only shape to be had is one ``infer_shape`` works out.


def symbolic_lenet():
    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool1")
    breakpoint()
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=50, name="conv2")
    x = mx.sym.Activation(x, act_type="relu", name="relu2")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool2")
    x = mx.sym.Flatten(x, name="flatten")
    x = mx.sym.FullyConnected(x, num_hidden=512, name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu3")
    return mx.sym.FullyConnected(x, num_hidden=10, name="fc2")


commands = ["p x", "p x.infer_shape(data=(8, 1, 28, 28))[1]", "c"]
with ScriptedBreakpoints(commands) as session:
    lenet_symbol = symbolic_lenet()
    module = mx.mod.Module(lenet_symbol, label_names=None, context=mx_ctx)
    module.bind(data_shapes=[("data", gluon_X.shape)], for_training=False)
    mx.random.seed(seed)
    module.init_params(mx.init.Xavier())
    for _ in range(num_calls):
        module.forward(mx.io.DataBatch([gluon_X]), is_train=False)
        module.get_outputs()[0].wait_to_read()
print(session.text())
print(f"declarations: 1, forward calls: {num_calls}, "
      f"stops: {session.stops}")
symbolic_stops_check = claims.check(
    f"MXNet symbolic: stops, 1 declaration and {num_calls} forward calls",
    session.stops, "==", 1,
    "the Python code runs once, to declare the graph; forward runs C++")
assert session.printed("p x") == ("<Symbol pool1>",)
assert "[(8, 20, 12, 12)]" in session.text()

# %%
# The graph runs in MXNet's engine, and none of its operators is Python.
# To look at values while it runs, the symbolic API offers ``mx.mon.Monitor``
# (used in :ref:`sphx_glr_auto_examples_debugging_plot_gradients.py`) and
# extra outputs through ``get_internals()`` (used in
# :ref:`sphx_glr_auto_examples_debugging_plot_step_through.py`): both
# report after the fact, neither stops.
#
# The escape hatch: a custom operator
# -----------------------------------
#
# A graph can contain one kind of Python code: a *custom operator*, a
# class whose ``forward`` MXNet calls while the graph runs. A breakpoint
# there does stop during ``Module.forward``, at every call. The price is
# the boilerplate below (an operator and a property class, registered
# under a name) for an identity operator, and the stop happens in one of
# MXNet's worker threads, not in the thread that called ``forward``.


class StopHere(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0]
        breakpoint()
        self.assign(out_data[0], req[0], x)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0])


@mx.operator.register("stop_here")
class StopHereProp(mx.operator.CustomOpProp):
    def __init__(self):
        super().__init__(need_top_grad=True)

    def list_arguments(self):
        return ["data"]

    def list_outputs(self):
        return ["output"]

    def infer_shape(self, in_shape):
        return in_shape, in_shape, []

    def create_operator(self, ctx, shapes, dtypes):
        return StopHere()


# %%
# The operator goes after ``pool1`` of the LeNet declared above (without
# its breakpoint this time: the internals of the graph already exist).
# Each stop prints the shape, the mean of the values and the thread.

internals = lenet_symbol.get_internals()
with_stop = mx.sym.Custom(internals["pool1_output"], op_type="stop_here",
                          name="stop_here")
stop_module = mx.mod.Module(with_stop, label_names=None, context=mx_ctx)
stop_module.bind(data_shapes=[("data", gluon_X.shape)], for_training=False)
stop_module.set_params(*module.get_params(), allow_extra=True)

commands = ["p x.shape", "p x.mean().asscalar()",
            "p threading.current_thread().name", "c"]
with ScriptedBreakpoints(commands) as session:
    for _ in range(num_calls):
        stop_module.forward(mx.io.DataBatch([gluon_X]), is_train=False)
        pool1 = stop_module.get_outputs()[0].asnumpy()
first_stop = session.first_stop()
print(first_stop)
print(f"forward calls: {num_calls}, stops: {session.stops}; "
      f"this page runs in {threading.current_thread().name!r}")
custom_stops_check = claims.check(
    f"custom operator: stops during {num_calls} Module.forward calls",
    session.stops, "==", num_calls,
    "MXNet calls the operator's Python forward every time the graph runs")
printed_mean = float(session.printed("p x.mean().asscalar()")[0])
custom_values_check = claims.check(
    "custom operator: relative difference, printed mean vs pool1's",
    abs(printed_mean / pool1.mean() - 1), "<=", 1e-5,
    "pdb printed the running graph's values; 1e-5 is about a hundred "
    "times float32's precision")
custom_thread_check = claims.check(
    "custom operator: the thread pdb stopped in",
    session.printed("p threading.current_thread().name")[0], "!=",
    repr(threading.current_thread().name),
    "the graph runs in an MXNet worker thread, not the caller's")
assert "(8, 20, 12, 12)\n" in first_stop

# sphinx_gallery_start_ignore
# Free the custom operator's executor and symbol now: freed at interpreter
# exit, their clean-up callbacks print ignored exceptions.
del stop_module, with_stop
gc.collect()
# sphinx_gallery_end_ignore

# %%
# The stops, side by side
# -----------------------
#
# Calls made and stops of the breakpoint, per case, from the checks above:
# where the network is Python while it runs, every call stops; where it is
# a graph, the Python ran once, to build it. The rows go from the graph to
# define-by-run, in the site's order of the APIs.

stop_cases = (
    ("PyTorch", "pytorch", 1, torch_stops_check),
    ("Gluon", "gluon", num_calls, gluon_stops_check),
    ("Gluon, hybridized", "gluon", num_calls, hybrid_stops_check),
    ("MXNet symbolic,\ncustom operator", "symbolic", num_calls,
     custom_stops_check),
    ("MXNet symbolic", "symbolic", num_calls, symbolic_stops_check))
fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.6))
for row, (case, api, calls, check) in enumerate(stop_cases):
    ax.barh(row + 0.2, calls, height=0.4, color=style.COLORS[api],
            alpha=0.35, hatch="//")
    ax.barh(row - 0.2, check["measured"], height=0.4,
            color=style.COLORS[api])
ax.set_yticks(range(len(stop_cases)), [case for case, *_ in stop_cases])
ax.set_xticks(range(num_calls + 1))
ax.set_xlabel("forward calls (hatched) and breakpoint stops (solid)")
ax.set_title("A breakpoint stops at every call only where forward is "
             "Python")
fig.tight_layout()
plt.show()

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_debugger", "debugger", "holds",
    "A breakpoint in forward stops at every call with the real shapes in "
    "PyTorch and Gluon; hybridized, and in the symbolic API, it stops "
    "once, on symbols, and never while the graph runs. Only a custom "
    "operator stops inside a running symbolic graph, in a worker thread.",
    [torch_stops_check, torch_values_check, gluon_stops_check,
     gluon_values_check, hybrid_stops_check, symbolic_stops_check,
     custom_stops_check, custom_values_check, custom_thread_check])

# %%
# Takeaways
# ---------
#
# * In PyTorch and in Gluon (not hybridized), ``breakpoint()`` in
#   ``forward`` stops at every call, on real values: every ``pdb`` command
#   works, on every intermediate tensor.
# * A graph is built by running Python once: a breakpoint in that code
#   (the symbolic API's declaration, a hybridized block's first call)
#   stops once, on symbols without values, and never while the graph runs.
# * The symbolic API can stop inside a running graph only through a custom
#   operator: two classes, a registration, and a stop in a worker thread.
# * When a shape is wrong, the traceback is the first debugger: see
#   :ref:`sphx_glr_auto_examples_debugging_plot_error_location.py`.
