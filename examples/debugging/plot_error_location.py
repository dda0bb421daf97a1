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
frame of the traceback is the line you would have to fix.

**What you will learn**

* how to read a shape error in each API, and which frame to look at;
* why a graph's error cannot point at the line that declared the faulty
  operation, and what helps instead (names);
* where the symbolic API is ahead: it finds the bug before any data flows;
* what ``hybridize()`` does to Gluon's error messages.

**Prerequisites**:
:ref:`sphx_glr_auto_examples_debugging_plot_step_through.py` (shapes,
layer by layer) and
:ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`. The page reads MNIST
from ``$SIDEBYSIDE_DATA`` like every page of this site.
"""

# %%
# Set-up: threads, devices and versions
# -------------------------------------
#
# As on every page, the thread count is set before MXNet and PyTorch are
# imported. MXNet runs on the CPU; PyTorch uses a GPU when there is one.

from sidebyside import runtime

num_threads = runtime.configure_threads()

import inspect
import traceback
from pathlib import Path

import mxnet as mx
import torch
import torchvision
from mxnet import gluon
from mxnet.gluon import nn as gnn
from torch import nn

from sidebyside.data import ensure_mnist
from sidebyside.gluon import MNIST as GluonMNIST

torch.set_num_threads(num_threads)
assert torch.get_num_threads() == num_threads
runtime.print_setup()

mx_ctx = runtime.mxnet_context()
torch_device = runtime.torch_device()

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
# Two helpers
# -----------
#
# ``show_traceback`` prints a caught error's traceback the way Python
# does, with paths shortened to the package. ``line_of`` finds the line of
# a function that contains a given piece of code, to compare with the
# lines of the traceback.


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
    print(f"{type(error).__name__}: {error}")
    return frames


def line_of(function, code):
    lines, first_line = inspect.getsourcelines(function)
    matches = [first_line + i for i, line in enumerate(lines)
               if code in line]
    assert len(matches) == 1, (function, code, matches)
    return matches[0]


this_file = inspect.getsourcefile(line_of)

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
    assert "must match the size" in str(error), error
    torch_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# The last frame of the traceback that is in this page's code is the line
# that added the tensors: the line to fix.

torch_bug_line = line_of(TorchShortcutLeNet.forward, "x + torch.relu")
torch_page_frames = [frame for frame in torch_frames
                     if frame.filename == this_file]
print(f"the bug is on line {torch_bug_line}; the traceback's last frame "
      f"in this page: line {torch_page_frames[-1].lineno}, "
      f"{torch_page_frames[-1].line!r}")
assert torch_page_frames[-1].lineno == torch_bug_line

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
    assert "could not be broadcast" in str(error), error
    gluon_frames = show_traceback(error)
# sphinx_gallery_start_ignore
else:
    raise AssertionError("the deliberate error did not happen")
# sphinx_gallery_end_ignore

# %%
# Here too, the last frame in this page's code is the addition.

gluon_bug_line = line_of(GluonShortcutLeNet.hybrid_forward,
                         "x + self.conv2")
gluon_page_frames = [frame for frame in gluon_frames
                     if frame.filename == this_file]
print(f"the bug is on line {gluon_bug_line}; the traceback's last frame "
      f"in this page: line {gluon_page_frames[-1].lineno}, "
      f"{gluon_page_frames[-1].line!r}")
assert gluon_page_frames[-1].lineno == gluon_bug_line

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
assert all(frame.name != "hybrid_forward" for frame in hybrid_frames)
assert gluon_bug_line not in [frame.lineno for frame in hybrid_frames
                              if frame.filename == this_file]

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
print("declared:", shortcut_symbol.list_arguments())

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
symbolic_page_frames = [frame for frame in symbolic_frames
                        if frame.filename == this_file]
print(f"the bug is on line {symbolic_bug_line}; the traceback's frames in "
      f"this page: {[(f.lineno, f.line) for f in symbolic_page_frames]}")
assert [frame.line for frame in symbolic_page_frames] == [
    "module.bind(data_shapes=[(\"data\", (batch_size, 1, 28, 28))],"]
assert symbolic_bug_line not in [frame.lineno
                                 for frame in symbolic_page_frames]
assert all(frame.name != "symbolic_shortcut_lenet"
           for frame in symbolic_frames)
assert "_plus0" in str(symbolic_error)
assert "_plus0" not in inspect.getsource(symbolic_shortcut_lenet)

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
# The three APIs side by side
# ---------------------------
#
# For each API: the line of this page that the traceback ends on, and
# whether it is the line that holds the bug.

print(f"{'API':<22}{'bug on':>7}{'ends on':>9}  last page frame")
for api, bug_line, page_frames in (
        ("PyTorch", torch_bug_line, torch_page_frames),
        ("Gluon", gluon_bug_line, gluon_page_frames),
        ("Gluon, hybridized", gluon_bug_line,
         [frame for frame in hybrid_frames if frame.filename == this_file]),
        ("MXNet symbolic", symbolic_bug_line, symbolic_page_frames)):
    last = page_frames[-1]
    print(f"{api:<22}{bug_line:>7}{last.lineno:>9}  {last.line}")

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

from sidebyside import claims

claims.record(
    "debugging/plot_error_location", "error-location", "holds with caveats",
    "PyTorch's and imperative Gluon's tracebacks end at the faulty line "
    "(asserted); hybridized Gluon and the symbolic API report the error "
    "at shape inference or bind, where no frame names it (asserted).")

# %%
# Takeaways
# ---------
#
# * In PyTorch and in Gluon (not hybridized), a shape error is raised by
#   the line that runs the faulty operation; the traceback's last frame in
#   your code is the line to fix, with the shapes in the message.
# * In the symbolic API the faulty line ran at declaration, when there was
#   nothing to check. The error comes from ``bind`` or ``infer_shape``,
#   names an operator, and the traceback cannot lead back to the line.
#   Naming operators is the remedy.
# * The symbolic API checks the whole graph from the input's shape alone,
#   before any data or training. ``hybridize()`` brings Gluon both sides
#   of that trade: debug imperatively first, then hybridize.
# * Next: :ref:`sphx_glr_auto_examples_debugging_plot_debugger.py`, to stop
#   inside ``forward`` and look around.
