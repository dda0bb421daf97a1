"""
Two heads in Gluon: a ``Trainer`` told about the idle head
==========================================================

:ref:`sphx_glr_auto_examples_multihead_plot_multihead.py` trained one
network with a shared trunk and a head per attribute on two datasets that
each label one attribute, routing each batch to its head with an ``if``
in PyTorch and with an ignore label in MXNet's symbolic API. Gluon runs
the same ``if`` as PyTorch does, but its ``Trainer`` stops at the first
step that leaves a head out. This page shows why, and the one argument
that lets it through.

**What you will learn**

* what Gluon's ``Trainer.step`` checks of every weight it updates, and the
  error a step that leaves a head out gets;
* what ``ignore_stale_grad=True`` changes, weight by weight.

**Prerequisites**: :ref:`sphx_glr_auto_examples_multihead_plot_multihead.py`
(the task, the data and the network), and the Gluon loop of
:ref:`sphx_glr_auto_examples_lenet_plot_lenet.py`.
"""

# %%
# Set-up
# ------
#
# As on every page, ``runtime.start`` sets the threads before MXNet is
# imported; as on the first multi-head page, MXNet computes on the main
# thread (``mxnet_on_main_thread=True``), on the CPU (its last release has
# no GPU build for current CUDA).

from sidebyside import runtime

devices = runtime.start("mxnet", mxnet_on_main_thread=True)

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon
from mxnet.gluon import nn as gnn

from sidebyside import claims, faces, style

style.use()
mx_ctx = devices.mxnet

# %%
# The hyper-parameters and the data of the first multi-head page: dataset
# A labels ``Eyeglasses``, dataset B ``Smiling``, and only the 1,000 test
# faces carry both labels.

seed = 0
num_per_dataset = 2000
num_test = 1000
image_size = 32
batch_size = 40
lr = 0.002
num_epochs = 8
decay_epoch = 6

faces_a = faces.synthetic_faces(num_per_dataset, seed=1, size=image_size)
faces_b = faces.synthetic_faces(num_per_dataset, seed=2, size=image_size)
test_faces = faces.synthetic_faces(num_test, seed=3, size=image_size)


def to_input(images):
    X = images.transpose(0, 3, 1, 2).astype(np.float32)
    return (X / 255 - 0.5) / 0.25


X_a, X_b = to_input(faces_a.images), to_input(faces_b.images)
X_test = to_input(test_faces.images)
y_a = faces_a.column("Eyeglasses").astype(np.float32).reshape(-1, 1)
y_b = faces_b.column("Smiling").astype(np.float32).reshape(-1, 1)
del faces_a, faces_b  # the other labels do not exist
print(f"A: {X_a.shape}, B: {X_b.shape}, test: {X_test.shape}")


def accuracy_per_head(predicted):
    correct = predicted == test_faces.attributes
    accuracy = dict(zip(test_faces.names, correct.mean(axis=0)))
    print("test accuracy: " + ", ".join(
        f"{name} {value:.3f}" for name, value in accuracy.items()))
    return accuracy


# %%
# The network: an ``if`` picks the head
# -------------------------------------
#
# The network of the first page in Gluon. It is a plain ``Block``: its
# ``forward`` takes the name of the head to run (given none, it runs both)
# and branches on that Python string, which Gluon runs as it stands. The
# layers infer their input sizes on the first call, so one call with both
# heads creates every weight before training.


def gluon_trunk():
    trunk = gnn.HybridSequential()
    for channels in (16, 32, 32):
        trunk.add(gnn.Conv2D(channels, kernel_size=3, padding=1,
                             activation="relu"),
                  gnn.MaxPool2D(pool_size=2))
    trunk.add(gnn.Dense(64, activation="relu"))
    return trunk


class GluonTwoHeads(gluon.Block):
    def __init__(self):
        super().__init__()
        with self.name_scope():
            self.trunk = gluon_trunk()
            self.eyeglasses = gnn.Dense(1)
            self.smiling = gnn.Dense(1)

    def forward(self, X, head=None):
        features = self.trunk(X)
        if head == "Eyeglasses":
            return self.eyeglasses(features)
        if head == "Smiling":
            return self.smiling(features)
        return self.eyeglasses(features), self.smiling(features)


def gluon_two_heads():
    net = GluonTwoHeads()
    net.initialize(mx.init.Xavier(), ctx=mx_ctx)
    net(mx.nd.zeros((1, 3, image_size, image_size), ctx=mx_ctx))
    return net


mx.random.seed(seed)
np.random.seed(seed)
gluon_net = gluon_two_heads()

# %%
# A step that leaves a head out
# -----------------------------
#
# The loop will take one batch from A and one from B, in turn, and run
# each through its own head: the loss of an A batch reaches the trunk and
# the glasses head, never the smile head, which took no part. Gluon's
# ``Trainer`` checks that every weight it updates received a fresh
# gradient (``Trainer._update`` in ``mxnet/gluon/trainer.py``), and stops
# when one did not, with a ``UserWarning`` raised as an exception: a head
# left out of a step looks to it like a bug. Here is the first step of
# the loop without the fix, on a throw-away network.

probe = gluon_two_heads()
probe_trainer = gluon.Trainer(probe.collect_params(), "adam",
                              {"learning_rate": lr})
X = mx.nd.array(X_a[:batch_size], ctx=mx_ctx)
y = mx.nd.array(y_a[:batch_size], ctx=mx_ctx)
loss_fn = gluon.loss.SigmoidBinaryCrossEntropyLoss()
with autograd.record():
    loss = loss_fn(probe(X, "Eyeglasses"), y)
loss.backward()
step_refused = False
try:
    probe_trainer.step(batch_size)
except UserWarning as error:
    step_refused = True
    print(f"UserWarning raised: {error}")
gluon_refusal_check = claims.check(
    "Gluon: Trainer.step refused a step that left the smile head out",
    step_refused, "==", True,
    "the trainer checks that every weight it updates got a fresh gradient;"
    " the smile head got none")

# %%
# The fix is ``ignore_stale_grad=True``: the trainer then updates only the
# weights that took part. The refused step above marked the trunk's
# gradients as used, so a fresh backward, then the step with the fix; how
# far it moved each weight, layer by layer. (Adam's first step moves every
# weight it updates by about the learning rate, 0.002, whatever its
# gradient: it divides the gradient by its own size.)

with autograd.record():
    loss = loss_fn(probe(X, "Eyeglasses"), y)
loss.backward()
params = probe.collect_params()
before = {name: p.data().copy() for name, p in params.items()}
probe_trainer.step(batch_size, ignore_stale_grad=True)
change = {name: float((p.data() - before[name]).abs().max().asscalar())
          for name, p in params.items()}
moved_by = {name: value for name, value in change.items()
            if name.endswith("weight")}
smile_head = set(probe.smiling.collect_params())
glasses_head = set(probe.eyeglasses.collect_params())
labels = ["smile head" if name in smile_head
          else "glasses head" if name in glasses_head
          else "trunk " + name[len(probe.prefix):]
          for name in moved_by]

fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.2))
ax.bar(labels, list(moved_by.values()),
       color=[style.OTHER_COLORS[0] if name in smile_head
              else style.OTHER_COLORS[1] for name in moved_by])
ax.text(len(moved_by) - 1, max(moved_by.values()) * 0.05, "0 exactly",
        ha="center", rotation=90)
ax.set_ylabel("largest |change|")
ax.set_title("One step with ignore_stale_grad=True on a batch of glasses")
ax.tick_params(axis="x", labelrotation=30)
fig.tight_layout()
plt.show()

idle_head_check = claims.check(
    "Gluon, ignore_stale_grad=True: largest smile-head change on a step "
    "on a glasses batch",
    max(value for name, value in moved_by.items() if name in smile_head),
    "==", 0.0, "the trainer skips a weight without a fresh gradient, so "
    "the smile head is not touched at all, not merely moved a little")
# sphinx_gallery_start_ignore
# every weight and bias but the smile head's moved
assert list(moved_by)[-1] in smile_head
assert all((value == 0) == (name in smile_head)
           for name, value in change.items()), change
assert all(abs(value - lr) < 1e-4 for name, value in change.items()
           if name not in smile_head), change
# sphinx_gallery_end_ignore
del probe, probe_trainer, X, y, loss, before

# %%
# Training
# --------
#
# With the fix, the loop is the one of the LeNet page, with two batches a
# turn. ``ArrayDataset`` and Gluon's ``DataLoader`` (which shuffles with
# NumPy's seeded generator) feed it.


def train_gluon(net, loader_a, loader_b):
    trainer = gluon.Trainer(net.collect_params(), "adam",
                            {"learning_rate": lr})
    loss_fn = gluon.loss.SigmoidBinaryCrossEntropyLoss()
    for epoch in range(num_epochs):
        if epoch == decay_epoch:
            trainer.set_learning_rate(lr / 10)
        loss_sums = {"Eyeglasses": mx.nd.zeros(1, ctx=mx_ctx),
                     "Smiling": mx.nd.zeros(1, ctx=mx_ctx)}
        for batch_a, batch_b in zip(loader_a, loader_b):
            for head, (X, y) in (("Eyeglasses", batch_a),
                                 ("Smiling", batch_b)):
                X, y = X.as_in_context(mx_ctx), y.as_in_context(mx_ctx)
                with autograd.record():
                    loss = loss_fn(net(X, head), y)
                loss.backward()
                trainer.step(len(y), ignore_stale_grad=True)
                loss_sums[head] += loss.sum()
        print(f"epoch {epoch}: loss Eyeglasses "
              f"{loss_sums['Eyeglasses'].asscalar() / num_per_dataset:.3f}"
              f", Smiling "
              f"{loss_sums['Smiling'].asscalar() / num_per_dataset:.3f}")


def gluon_loader(X, y):
    return gluon.data.DataLoader(gluon.data.ArrayDataset(X, y),
                                 batch_size=batch_size, shuffle=True)


train_gluon(gluon_net, gluon_loader(X_a, y_a), gluon_loader(X_b, y_b))

# %%
# On the test set, ``forward`` without a head name runs both heads on one
# pass of the trunk; a positive logit means "present". The version must
# get each attribute right on at least 93 % of the test faces, as the
# versions of the first page do.

logits = gluon_net(mx.nd.array(X_test, ctx=mx_ctx))
gluon_predicted = np.concatenate(
    [(logit > 0).asnumpy().astype(np.int64) for logit in logits], axis=1)
gluon_accuracy = accuracy_per_head(gluon_predicted)
accuracy_check = claims.check(
    "Gluon: test accuracy of the weaker head",
    min(gluon_accuracy.values()), ">=", 0.93,
    "a head that learnt nothing scores about 0.5 and the versions "
    "score about 0.97; 0.93 is 7 binomial standard errors (0.005 on "
    "1,000 faces) below that, so noise cannot fail it, and a head that "
    "learnt nothing would")

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "multihead/plot_ignore_stale_grad", "multi-head", "holds with caveats",
    "Gluon routes each batch to its head with an if, as PyTorch does, but "
    "its Trainer refuses a step that leaves a head out until told "
    "ignore_stale_grad=True; then the idle head is not touched, and the "
    "version learns both heads.",
    [gluon_refusal_check, idle_head_check, accuracy_check])

# %%
# Takeaways
# ---------
#
# * Gluon runs an ``if`` in ``forward`` as PyTorch does, so one network
#   routes each batch to the head that has its label.
# * Its ``Trainer`` takes a weight without a fresh gradient for a bug and
#   stops; ``ignore_stale_grad=True``, learnt from the error it replaces,
#   updates only the weights that took part. PyTorch's optimizer needs no
#   such word: a weight whose gradient is ``None`` is skipped.
# * MXNet's symbolic API routes without an ``if``: an ignore label on the
#   first page, a masked loss on
#   :ref:`sphx_glr_auto_examples_multihead_plot_masked_loss.py`.

# sphinx_gallery_thumbnail_number = 1
