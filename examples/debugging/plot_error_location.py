"""
Where an error points
=====================

The same bug, written in the three APIs: LeNet with a shortcut connection
around its second convolution, ``x + conv2(x)``, where the convolution
turns 20 channels into 50, so the two terms cannot be added (the usual fix
is a 1x1 convolution on the shortcut). Each API reports the bug; this page
shows the real error messages and the last frames of their tracebacks, and
checks where they point. In PyTorch and Gluon the traceback ends on the
line of ``forward`` that adds the two tensors. In the symbolic API the
line that declared the addition ran long before, without complaint; the
error comes from ``bind``, names an operator called ``_plus0``, and no
frame of the traceback is the line you would have to fix. Imperative code
has a catch of its own: MXNet computes asynchronously, and an error found
while computing, not while inferring shapes, is raised where the value is
next read.

**What you will learn**

* how to read a shape error in each API, and which frame to look at;
* why a graph's error cannot point at the line that declared the faulty
  operation, and what helps instead (names);
* where the symbolic API is ahead: it finds the bug before any data flows;
* what ``hybridize()`` does to Gluon's error messages;
* which MXNet errors wait for a read (asynchronous execution), and how
  to move them back to the faulty line.

**Prerequisites**:
:ref:`sphx_glr_auto_examples_debugging_plot_step_through.py` (shapes,
layer by layer) and
:ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`. The page reads MNIST
from ``$SIDEBYSIDE_DATA`` like every page of this site.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported and prints what the page runs on. MXNet runs on the
# CPU; PyTorch uses a GPU when there is one. The imperative APIs come first
# on this page, not the symbolic one as elsewhere on this site: a
# traceback that points at the faulty line is what the graph's errors are
# then read against.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch")

import inspect
import linecache
import os
import re
import subprocess
import sys
import textwrap
import traceback
from pathlib import Path

import matplotlib.pyplot as plt
import mxnet as mx
import torch
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
# Eight test digits, read by each imperative API's MNIST reader. The
# symbolic API will not need them to find the bug.

mnist = ensure_mnist()
torch_X, _ = next(iter(torch.utils.data.DataLoader(
    torchvision.datasets.MNIST(mnist.root, train=False,
                               transform=torchvision.transforms.ToTensor()),
    batch_size=batch_size)))
torch_X = torch_X.to(torch_device)
gluon_X, _ = next(iter(gluon.data.DataLoader(
    GluonMNIST(train=False).transform_first(
        gluon.data.vision.transforms.ToTensor()),
    batch_size=batch_size)))
gluon_X = gluon_X.as_in_context(mx_ctx)

# %%
# Helpers: whose frame is it?
# ---------------------------
#
# ``show_traceback`` prints a caught error's traceback the way Python
# does, with paths shortened to the package, long messages wrapped and
# the C++ source paths in MXNet's messages normalised (``a/./../b`` is
# ``b``).
# ``page_frames`` keeps the frames that run this page's code, not a
# package's, and ``in_this_page`` says which those are. Run as a script,
# this page's code is one file, ``plot_error_location.py``, and each of
# its frames names that file and a line of it. Run as a notebook, it is
# no file at all: IPython compiles each cell as a file of its own, named
# ``/tmp/ipykernel_<process>/<number>.py`` by the Jupyter kernel
# (``<ipython-input-<n>-<hash>>`` in older IPython), so the frames name a
# cell and a line of that cell, and the traceback below shows, say,
# ``"2728587385.py", line 12`` where the script shows
# ``"plot_error_location.py", line 167``. The lines' code is the same.


def short_path(filename):
    parts = Path(filename).parts
    for package in ("mxnet", "torch"):
        if package in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(package)
                                  - 1:])
    return Path(filename).name


def show_traceback(error):
    frames = traceback.extract_tb(error.__traceback__)
    print("Traceback (most recent call last):")
    for frame in frames:
        print(f'  File "{short_path(frame.filename)}", line '
              f"{frame.lineno}, in {frame.name}")
        print(f"    {frame.line}")
    message = re.sub(r"\.\./src/\S+?\.(h|cc)",
                     lambda match: os.path.normpath(match.group()),
                     f"{type(error).__name__}: {error}")
    for line in message.splitlines():
        print(textwrap.fill(line, 79, subsequent_indent="    "))
    return frames


def is_notebook_cell(filename):
    return (Path(filename).parent.name.startswith("ipykernel_")
            or filename.startswith("<ipython-input-"))


def in_this_page(filename):
    """In a script: the script's file (the one that defines this helper);
    in a notebook: any cell."""
    return (is_notebook_cell(filename)
            or filename == inspect.getsourcefile(in_this_page))


def page_frames(frames):
    return [frame for frame in frames if in_this_page(frame.filename)]


def describe_frame(frame):
    place = ("a notebook cell" if is_notebook_cell(frame.filename)
             else "the script")
    return f"{place}, {short_path(frame.filename)}, line {frame.lineno}"


def line_of(function, code):
    lines, first_line = inspect.getsourcelines(function)
    matches = [first_line + i for i, line in enumerate(lines)
               if code in line]
    assert len(matches) == 1, (function, code, matches)
    return inspect.getsourcefile(function), matches[0]


def where(frame):
    return frame.filename, frame.lineno


def code_at(location):
    filename, line = location
    return linecache.getline(filename, line).strip()

# %%
# (a) PyTorch: the error stops at the line that runs the bug
# -----------------------------------------------------------
#
# The network is a class whose ``forward`` is ordinary Python. PyTorch
# checks the shapes of ``x + self.conv2(x)`` when that line runs, and
# raises there.


class TorchShortcutLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, kernel_size=5)
        self.conv2 = nn.Conv2d(20, 50, kernel_size=5, padding=2)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(800, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = x + torch.relu(self.conv2(x))  # 20 channels + 50 channels
        x = self.pool(x).flatten(1)
        return self.fc2(torch.relu(self.fc1(x)))


torch.manual_seed(seed)
torch_net = TorchShortcutLeNet().to(torch_device)
try:
    torch_net(torch_X)
except RuntimeError as error:
    assert str(error) == ("The size of tensor a (20) must match the size "
                          "of tensor b (50) at non-singleton dimension 1")
    torch_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# The last frame of the traceback that is in this page's code is the line
# that added the tensors: the line to fix. The message gives the two sizes
# that differ, 20 and 50, and the dimension, 1, not the tensors' shapes.

torch_bug_line = line_of(TorchShortcutLeNet.forward, "x + torch.relu")
torch_page_frames = page_frames(torch_frames)
print(f"last frame in this page: {describe_frame(torch_page_frames[-1])}")
print(f"    {torch_page_frames[-1].line}")
torch_check = claims.check(
    "PyTorch: the traceback's last page frame",
    torch_page_frames[-1].line, "==", code_at(torch_bug_line),
    "the line to fix is the addition in forward")
assert where(torch_page_frames[-1]) == torch_bug_line

# %%
# (b) Gluon: the same, and what ``hybridize()`` changes
# ------------------------------------------------------
#
# A ``HybridBlock`` writes its computation once, in ``hybrid_forward``,
# with ``F`` standing for the operator namespace. Until ``hybridize()`` is
# called, ``F`` is ``mx.nd`` and the block runs line by line like PyTorch:
# MXNet checks the shapes of the addition when it runs. Its message starts
# with the C++ location of the failed check; the last line is what
# matters.


class GluonShortcutLeNet(gnn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = gnn.Conv2D(20, kernel_size=5, activation="relu")
        self.conv2 = gnn.Conv2D(50, kernel_size=5, padding=2,
                                activation="relu")
        self.pool = gnn.MaxPool2D(pool_size=2, strides=2)
        self.fc1 = gnn.Dense(512, activation="relu")
        self.fc2 = gnn.Dense(10)

    def hybrid_forward(self, F, x):
        x = self.pool(self.conv1(x))
        x = x + self.conv2(x)  # 20 channels + 50 channels
        x = F.flatten(self.pool(x))
        return self.fc2(self.fc1(x))


mx.random.seed(seed)
gluon_net = GluonShortcutLeNet()
gluon_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
try:
    gluon_net(gluon_X)
except mx.MXNetError as error:
    assert ("could not be broadcast together with shapes [8,20,12,12] "
            "[8,50,12,12]") in str(error), error
    gluon_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# Here too, the last frame in this page's code is the addition; MXNet's
# message gives the two shapes in full.

gluon_bug_line = line_of(GluonShortcutLeNet.hybrid_forward,
                         "x + self.conv2")
gluon_page_frames = page_frames(gluon_frames)
print(f"last frame in this page: {describe_frame(gluon_page_frames[-1])}")
print(f"    {gluon_page_frames[-1].line}")
gluon_check = claims.check(
    "Gluon: the traceback's last page frame",
    gluon_page_frames[-1].line, "==", code_at(gluon_bug_line),
    "the line to fix is the addition in hybrid_forward")
assert where(gluon_page_frames[-1]) == gluon_bug_line

# %%
# ``hybridize()`` turns the same block into a graph: at the first call,
# ``hybrid_forward`` runs once with ``F = mx.sym`` on symbols, placeholders
# without values or shapes, so the addition is *declared* without
# complaint; MXNet then infers the graph's shapes, and that is where the
# bug surfaces. The traceback now ends inside Gluon's machinery, and
# ``hybrid_forward`` is not in it.

mx.random.seed(seed)
hybrid_net = GluonShortcutLeNet()
hybrid_net.initialize(mx.init.Xavier(), ctx=mx_ctx)
hybrid_net.hybridize()
try:
    hybrid_net(gluon_X)
except ValueError as error:
    assert "Incompatible attr" in str(error), error
    hybrid_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore
hybrid_page_frames = page_frames(hybrid_frames)
hybrid_check = claims.check(
    "hybridized Gluon: the traceback's last page frame",
    hybrid_page_frames[-1].line, "!=", code_at(gluon_bug_line),
    "hybrid_forward ran on symbols, declared the addition and returned "
    "before shapes were inferred")
assert gluon_bug_line not in [where(frame) for frame in hybrid_frames]
assert all(frame.name != "hybrid_forward" for frame in hybrid_frames)

# %%
# (c) MXNet symbolic: declared here, reported there
# -------------------------------------------------
#
# The symbolic LeNet with the same shortcut. Declaring it runs every line
# of the function, the faulty one included, and succeeds: a symbol has no
# shape to check yet.


def symbolic_shortcut_lenet():
    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool1")
    y = mx.sym.Convolution(x, kernel=(5, 5), pad=(2, 2), num_filter=50,
                           name="conv2")
    y = mx.sym.Activation(y, act_type="relu", name="relu2")
    x = x + y  # 20 channels + 50 channels
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool2")
    x = mx.sym.Flatten(x, name="flatten")
    x = mx.sym.FullyConnected(x, num_hidden=512, name="fc1")
    x = mx.sym.Activation(x, act_type="relu", name="relu3")
    x = mx.sym.FullyConnected(x, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(x, name="softmax")


shortcut_symbol = symbolic_shortcut_lenet()
print(textwrap.fill(f"declared: {shortcut_symbol.list_arguments()}", 79,
                    subsequent_indent="    "))

# %%
# The error comes when the module is bound to the input's shape, the step
# that infers every shape of the graph and allocates its memory. MXNet
# prints the shapes it was given, then raises.

module = mx.mod.Module(shortcut_symbol, context=mx_ctx)
try:
    module.bind(data_shapes=[("data", (batch_size, 1, 28, 28))],
                label_shapes=[("softmax_label", (batch_size,))])
except RuntimeError as error:
    assert "Incompatible attr" in str(error), error
    symbolic_error = error
    symbolic_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# Where does it point? The traceback's frames in this page are the call to
# ``bind``, and nothing else: the function that declared the addition had
# returned long before, so no frame can be its line. The message names
# the operator ``_plus0``, a name MXNet made up for ``x + y``, which
# appears nowhere in the code that declared it. Finding the line means
# searching the declaration for an addition of 20 and 50 channels.

symbolic_bug_line = line_of(symbolic_shortcut_lenet, "x = x + y")
symbolic_page_frames = page_frames(symbolic_frames)
print("the traceback's frames in this page:")
for frame in symbolic_page_frames:
    print(f"    {describe_frame(frame)}:")
    print(f"    {frame.line}")
symbolic_check = claims.check(
    "MXNet symbolic: the traceback's frames in this page",
    tuple(frame.line for frame in symbolic_page_frames), "==",
    ("module.bind(data_shapes=[(\"data\", (batch_size, 1, 28, 28))],",),
    "the declaration had returned before bind; only the call to bind "
    "is left")
assert symbolic_bug_line not in [where(frame) for frame in symbolic_frames]
assert all(frame.name != "symbolic_shortcut_lenet"
           for frame in symbolic_frames)
name_check = claims.check(
    "MXNet symbolic: the operator named in the message, and in the code",
    ("_plus0" in str(symbolic_error),
     "_plus0" in inspect.getsource(symbolic_shortcut_lenet)), "==",
    (True, False), "MXNet named the unnamed addition itself")

# %%
# Two things help in the symbolic API. Naming every operator turns the
# message into a pointer: written with ``elemwise_add`` and a name, the
# addition is reported under that name. And the graph is checked as a
# whole, before any data exists: ``infer_shape`` with the input's shape
# alone finds the bug, where PyTorch and Gluon had to run the network on a
# batch to run into it.


def symbolic_named_shortcut(x, y):
    return mx.sym.elemwise_add(x, y, name="conv2_shortcut")


internals = shortcut_symbol.get_internals()
named_symbol = symbolic_named_shortcut(internals["pool1_output"],
                                       internals["relu2_output"])
try:
    named_symbol.infer_shape(data=(batch_size, 1, 28, 28))
except mx.MXNetError as error:
    assert "Error in operator conv2_shortcut" in str(error), error
    show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# (d) MXNet at run time: an error waits for a read
# ------------------------------------------------
#
# The shape errors above are found by *shape inference*, and Gluon's
# imperative calls (``mx.nd``) infer shapes at once: ``Imperative::Invoke``
# (``src/imperative/imperative.cc``) runs the operator's shape and type
# inference on the calling thread, then queues the computation for MXNet's
# engine and returns. The computation itself runs later, on an engine
# thread (this page keeps MXNet's default threaded engine: see
# ``ThreadedEnginePerDevice`` in the set-up's output). An error that only
# the computation finds is stored with its output array
# (``ThreadedEngine::OnComplete`` in ``src/engine/threaded_engine.cc``),
# passed on to every operation that reads that array, and raised when
# Python waits for a value: ``asnumpy()``, ``wait_to_read()``,
# ``mx.nd.waitall()``. A Cholesky factorisation (``potrf``) of a matrix
# that is not positive definite fails inside LAPACK, that is, in the
# computation:

not_positive_definite = mx.nd.array([[1.0, 2.0], [2.0, 1.0]], ctx=mx_ctx)


def cholesky_then_read(matrix):
    factor = mx.nd.linalg.potrf(matrix)  # the faulty operation
    doubled = 2 * factor  # runs on, without complaint
    print("potrf and the product returned; now the values are read")
    return doubled.asnumpy()  # the first synchronisation


try:
    cholesky_then_read(not_positive_definite)
except mx.MXNetError as error:
    assert "failed in lapack" in str(error), error
    engine_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# The traceback's last frame in this page is the line that read the
# values, two lines after the faulty one, which is in no frame: the
# function that called ``potrf`` had moved on when the error was raised.

faulty_line = line_of(cholesky_then_read, "linalg.potrf")
sync_line = line_of(cholesky_then_read, "asnumpy()")
engine_page_frames = page_frames(engine_frames)
print(f"last frame in this page: {describe_frame(engine_page_frames[-1])}")
print(f"    {engine_page_frames[-1].line}")
engine_check = claims.check(
    "MXNet engine: the traceback's last page frame",
    engine_page_frames[-1].line, "==", code_at(sync_line),
    "the threaded engine raises a computation's error where a value is "
    "waited for")
engine_faulty_check = claims.check(
    "MXNet engine: the potrf line among the traceback's frames",
    faulty_line in [where(frame) for frame in engine_frames], "==", False,
    "the call that queued potrf had returned before the kernel failed")
assert where(engine_page_frames[-1]) == sync_line

# %%
# Which errors wait depends on where the operator checks, not on what the
# error is about. ``potrf`` also requires a square matrix, and checks it
# in its computation (``check_potrf`` in ``src/operator/linalg_impl.h``),
# not in its shape inference, so that shape error waits too: the call
# returns, and the read raises.

try:
    not_square = mx.nd.linalg.potrf(mx.nd.ones((2, 3), ctx=mx_ctx))
    print("potrf of a 2x3 matrix returned")
    not_square.wait_to_read()
except mx.MXNetError as error:
    not_square_message = str(error).splitlines()[-1]
    print(textwrap.fill(not_square_message, 79, subsequent_indent="    "))
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore
assert "No square matrix" in not_square_message

# %%
# MXNet's remedy is its synchronous engine: with
# ``MXNET_ENGINE_TYPE=NaiveEngine`` set before MXNet is imported, every
# operation runs on the calling thread before the call returns, and the
# error comes from the faulty line. MXNet reads the variable once, at
# import, so a fresh Python process shows it; the frame's line number is
# counted in the code given to it.

naive_code = """import traceback
import mxnet as mx
try:
    factor = mx.nd.linalg.potrf(mx.nd.array([[1.0, 2.0], [2.0, 1.0]]))
    factor.asnumpy()
except mx.MXNetError as error:
    print(traceback.extract_tb(error.__traceback__)[0].lineno)
"""
naive_run = subprocess.run(
    [sys.executable, "-c", naive_code], capture_output=True, text=True,
    env=dict(os.environ, MXNET_ENGINE_TYPE="NaiveEngine"), check=True)
naive_line = int(naive_run.stdout.split()[-1])
print(f"NaiveEngine: the error came from line {naive_line}:")
print(f"    {naive_code.splitlines()[naive_line - 1].strip()}")
naive_check = claims.check(
    "NaiveEngine: the line of the traceback's first frame in the code",
    naive_line, "==", 4,
    "line 4 calls potrf, line 5 reads the value: a synchronous engine "
    "raises on the call")

# %%
# PyTorch on the CPU computes each operation before the call returns.
# Its CUDA kernels, though, run asynchronously like MXNet's engine: an
# error raised inside a kernel is reported by a later call, and the
# traceback does not point at the operation that failed. PyTorch's
# documentation (*CUDA semantics*, "Asynchronous execution") gives the
# remedy, ``CUDA_LAUNCH_BLOCKING=1``, which makes every kernel launch
# synchronous. This page runs on a machine without a GPU, so the CUDA
# case is described, not shown.
#
# The three APIs side by side
# ---------------------------
#
# For each case: the code of the traceback's last frame in this page, and
# whether it is the line that holds the bug.

cases = (
    ("PyTorch", "pytorch", torch_bug_line, torch_frames),
    ("Gluon", "gluon", gluon_bug_line, gluon_frames),
    ("Gluon, hybridized", "gluon", gluon_bug_line, hybrid_frames),
    ("MXNet symbolic", "symbolic", symbolic_bug_line, symbolic_frames),
    ("MXNet engine (potrf)", "gluon", faulty_line, engine_frames))
for case, _, bug_line, frames in cases:
    last = page_frames(frames)[-1]
    is_bug_line = "yes" if where(last) == bug_line else "no"
    print(f"{case}: ends at the bug line? {is_bug_line}")
    print(f"    {last.line}")

# %%
# The same in a picture: each traceback's frames, this page's and the
# frameworks', and where it ends. Only two end at the line to fix. (The
# potrf case is MXNet's ``mx.nd``, the arrays Gluon computes with, so it
# takes Gluon's colour.) The rows go from the graph to define-by-run, top
# to bottom, in the site's order of the APIs.

figure_cases = [cases[i] for i in (0, 4, 1, 2, 3)]  # bottom to top
fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.6))
for row, (case, api, bug_line, frames) in enumerate(figure_cases):
    num_page = len(page_frames(frames))
    ax.barh(row, num_page, **style.patch(api))
    ax.barh(row, len(frames) - num_page, left=num_page, alpha=0.35,
            hatch="//", color=style.COLORS[api])
    ends_at_bug = where(page_frames(frames)[-1]) == bug_line
    ax.text(len(frames) + 0.2, row, "last page frame: the faulty line"
            if ends_at_bug
            else "faulty line in no frame", va="center")
ax.set_yticks(range(len(cases)), [case for case, *_ in figure_cases])
ax.set_xlim(0, max(len(frames) for *_, frames in cases) + 6)
ax.set_xlabel("frames in the traceback: this page's (solid), the "
              "framework's (hatched)")
ax.set_title("Where each API's traceback points")
fig.tight_layout()
plt.show()

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "debugging/plot_error_location", "error-location", "holds with caveats",
    "PyTorch's and imperative Gluon's tracebacks end at the faulty line "
    "for a shape error; hybridized Gluon and the symbolic API report it "
    "at shape inference or bind, where no frame names it. An error MXNet "
    "finds only while computing (potrf) is raised by its threaded engine "
    "at the next read, not at the faulty line (NaiveEngine raises it "
    "there); PyTorch's CUDA kernels are asynchronous the same way "
    "(CUDA_LAUNCH_BLOCKING=1), not shown here.",
    [torch_check, gluon_check, hybrid_check, symbolic_check, name_check,
     engine_check, engine_faulty_check, naive_check])

# %%
# Takeaways
# ---------
#
# * In PyTorch and in Gluon (not hybridized), a shape error is raised by
#   the line that runs the faulty operation; the traceback's last frame in
#   your code is the line to fix. Gluon's message gives both shapes
#   (``[8,20,12,12] [8,50,12,12]``); PyTorch's gives the two sizes that
#   differ and the dimension (20 and 50 at dimension 1).
# * An error that MXNet finds only while computing, not while inferring
#   shapes, is raised at the next read (``asnumpy()``, ``wait_to_read()``,
#   ``mx.nd.waitall()``), not by the faulty line; the synchronous
#   ``NaiveEngine`` moves it back. PyTorch's CUDA kernels do the same
#   unless ``CUDA_LAUNCH_BLOCKING=1``.
# * In the symbolic API the faulty line ran at declaration, when there was
#   nothing to check. The error comes from ``bind`` or ``infer_shape``,
#   names an operator, and the traceback cannot lead back to the line.
#   Naming operators is the remedy.
# * The symbolic API checks the whole graph from the input's shape alone,
#   before any data or training. ``hybridize()`` brings Gluon both sides
#   of that trade: debug imperatively first, then hybridize.
# * Next: :ref:`sphx_glr_auto_examples_debugging_plot_debugger.py`, to stop
#   inside ``forward`` and look around.
