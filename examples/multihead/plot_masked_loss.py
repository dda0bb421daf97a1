"""
Two heads in one graph: a loss masked face by face with ``MakeLoss``
====================================================================

:ref:`sphx_glr_auto_examples_multihead_plot_multihead.py` routed each face
of two singly-labelled datasets to the head that has its label: with an
``if`` in PyTorch (and in Gluon, on
:ref:`sphx_glr_auto_examples_multihead_plot_ignore_stale_grad.py`), and in
MXNet's symbolic graph with labels marked "unknown" and ``SoftmaxOutput``,
the one loss layer of MXNet that ignores a label. This page routes in the
graph without that layer: a mask multiplied into a loss written out in
symbols and handed to ``mx.sym.MakeLoss``, which works for any loss.

**What you will learn**

* how ``MakeLoss`` makes any symbol the value to minimise, and how a mask
  in that loss sends each face's gradient to one head only;
* how ``BlockGrad`` gets other outputs, the logits, out of such a graph;
* how ``fit`` and its ``Loss`` metric train and report it.

**Prerequisites**: :ref:`sphx_glr_auto_examples_multihead_plot_multihead.py`
(the task, the data and the symbolic trunk).
"""

# %%
# Set-up
# ------
#
# As on every page, ``runtime.start`` sets the threads before MXNet and
# PyTorch are imported; as on the first multi-head page, MXNet computes on
# the main thread (``mxnet_on_main_thread=True``), on the CPU. PyTorch is
# here only to check the loss against its own binary cross-entropy.

from sidebyside import runtime

devices = runtime.start("mxnet", "torch", mxnet_on_main_thread=True)

import logging

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch
from matplotlib.patches import Patch

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
# The trunk of the first page, in symbols: three convolutions and a dense
# layer that turn a face into 64 features.


def symbolic_trunk(data):
    x = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=16,
                           name="conv1")
    x = mx.sym.Activation(x, act_type="relu", name="relu1")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool1")
    x = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=32,
                           name="conv2")
    x = mx.sym.Activation(x, act_type="relu", name="relu2")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool2")
    x = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=32,
                           name="conv3")
    x = mx.sym.Activation(x, act_type="relu", name="relu3")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2),
                       name="pool3")
    x = mx.sym.FullyConnected(x, num_hidden=64, name="fc")
    return mx.sym.Activation(x, act_type="relu", name="relu_fc")


# %%
# The masked loss
# ---------------
#
# ``mx.sym.MakeLoss`` makes any symbol the value to minimise (its
# docstring: "Make your own loss function in network construction"), so
# the mask can be written into the loss itself. Each face comes with the
# one label its dataset has and a mask ``from_a``: 1 for a face of
# dataset A, 0 for one of B. Its loss is the glasses head's binary
# cross-entropy times the mask, plus the smile head's times one minus the
# mask, so a head gets exactly zero gradient from a face it has no label
# for. The heads keep their one logit: the binary cross-entropy of a
# logit :math:`z` and a label :math:`y` is :math:`\log(1 + e^z) - yz`,
# and the ``softrelu`` activation computes :math:`\log(1 + e^z)` without
# overflow. The graph also returns the two logits, for prediction,
# through ``BlockGrad``, which keeps them out of the gradient.


def binary_cross_entropy(logit, label):
    return mx.sym.Activation(logit, act_type="softrelu") - logit * label


def masked_loss_two_heads():
    features = symbolic_trunk(mx.sym.var("data"))
    label, from_a = mx.sym.var("label"), mx.sym.var("from_a")
    eyeglasses = mx.sym.FullyConnected(features, num_hidden=1,
                                       name="eyeglasses_fc")
    smiling = mx.sym.FullyConnected(features, num_hidden=1,
                                    name="smiling_fc")
    loss = (from_a * binary_cross_entropy(eyeglasses, label)
            + (1 - from_a) * binary_cross_entropy(smiling, label))
    return mx.sym.Group([mx.sym.MakeLoss(loss, name="loss"),
                         mx.sym.BlockGrad(eyeglasses, name="eyeglasses"),
                         mx.sym.BlockGrad(smiling, name="smiling")])


print(masked_loss_two_heads().list_arguments())
print(masked_loss_two_heads().list_outputs())

# %%
# The loss above is PyTorch's ``binary_cross_entropy_with_logits``, also
# where :math:`e^z` overflows float32:

probe_logits = np.array([[-100.0], [-3.0], [0.0], [2.5], [100.0]],
                        np.float32)
probe_labels = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]], np.float32)
mxnet_bce = binary_cross_entropy(mx.sym.var("z"), mx.sym.var("y")).eval(
    z=mx.nd.array(probe_logits), y=mx.nd.array(probe_labels))[0].asnumpy()
torch_bce = torch.nn.functional.binary_cross_entropy_with_logits(
    torch.from_numpy(probe_logits), torch.from_numpy(probe_labels),
    reduction="none").numpy()
print(f"MXNet: {mxnet_bce[:, 0]}\nPyTorch: {torch_bce[:, 0]}")
assert np.allclose(mxnet_bce, torch_bce, rtol=1e-5, atol=1e-6)

# %%
# The mask does the routing: on a batch of glasses faces only (``from_a``
# all 1), the smile head gets a gradient of exactly zero, and the trunk
# does not.

probe = masked_loss_two_heads().simple_bind(
    mx_ctx, data=(batch_size, 3, image_size, image_size),
    label=(batch_size, 1), from_a=(batch_size, 1))
for name, array in probe.arg_dict.items():
    if name.endswith(("_weight", "_bias")):
        array[:] = mx.nd.random.uniform(-0.1, 0.1, shape=array.shape)
probe.forward(is_train=True, data=X_a[:batch_size],
              label=y_a[:batch_size], from_a=np.ones((batch_size, 1)))
probe.backward()
masked_gradients = {
    name: float(probe.grad_dict[name].abs().max().asscalar())
    for name in ("conv1_weight", "eyeglasses_fc_weight",
                 "smiling_fc_weight")}
print("largest gradient on a batch of glasses faces: " + ", ".join(
    f"{name} {value:.2g}" for name, value in masked_gradients.items()))
masked_idle_check = claims.check(
    "MakeLoss version: largest smile-head gradient on a batch of glasses "
    "faces", masked_gradients["smiling_fc_weight"], "==", 0.0,
    "the loss multiplies the smile head's term by a mask of 0, so its "
    "gradient is 0 exactly, not merely small")
assert masked_gradients["conv1_weight"] > 0
assert masked_gradients["eyeglasses_fc_weight"] > 0

# %%
# Every weight's largest gradient on that batch, layer by layer: the smile
# head's bar is missing, as it is zero.

weight_names = [name for name in probe.arg_dict if name.endswith("_weight")]
largest = [float(probe.grad_dict[name].abs().max().asscalar())
           for name in weight_names]
fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH, 3.2))
ax.bar(weight_names, largest,
       color=[style.OTHER_COLORS[0] if name.startswith("smiling")
              else style.OTHER_COLORS[1] for name in weight_names])
ax.text(weight_names.index("smiling_fc_weight"), max(largest) * 0.05,
        "0 exactly", ha="center", rotation=90)
ax.set_ylabel("largest |gradient|")
ax.set_title("MakeLoss with a mask: a batch of glasses faces only")
ax.tick_params(axis="x", labelrotation=30)
fig.tight_layout()
plt.show()
del probe

# sphinx_gallery_start_ignore
assert [value == 0 for value in largest] == [
    name == "smiling_fc_weight" for name in weight_names]
# sphinx_gallery_end_ignore

# %%
# Training with ``fit``
# ---------------------
#
# The two datasets are concatenated and shuffled together, with the one
# label and the mask as the graph's two label inputs. ``MakeLoss`` passes
# the gradient of the summed loss unscaled (its default
# ``normalization="null"``) and ``Module`` divides it by the batch size
# (``rescale_grad`` in ``Module.init_optimizer``), so Adam follows the
# mean loss, as in the versions of the first page. ``fit``'s ``Loss``
# metric averages the graph's output; told to read only the ``loss``
# output, it reports the mean loss per face, and no metric needs to know
# about masks. The learning-rate drop is a scheduler counted in updates.


def train_masked(X_a, y_a, X_b, y_b):
    labels = {"label": np.concatenate([y_a, y_b]),
              "from_a": np.concatenate([np.ones_like(y_a),
                                        np.zeros_like(y_b)])}
    train_iter = mx.io.NDArrayIter({"data": np.concatenate([X_a, X_b])},
                                   labels, batch_size=batch_size,
                                   shuffle=True)
    steps_per_epoch = (len(y_a) + len(y_b)) // batch_size
    schedule = mx.lr_scheduler.MultiFactorScheduler(
        step=[decay_epoch * steps_per_epoch], factor=0.1, base_lr=lr)
    module = mx.mod.Module(masked_loss_two_heads(),
                           label_names=list(labels), context=mx_ctx)
    module.fit(train_iter,
               eval_metric=mx.metric.Loss(output_names=["loss_output"]),
               initializer=mx.init.Xavier(),
               optimizer="adam",
               optimizer_params={"learning_rate": lr,
                                 "lr_scheduler": schedule},
               num_epoch=num_epochs)
    return module


# sphinx_gallery_start_ignore
# What the prose says of MakeLoss and Module, from their sources.
import inspect  # noqa: E402

assert "{'batch', 'null', 'valid'},optional, default='null'" in \
    mx.sym.MakeLoss.__doc__
assert "rescale_grad" in inspect.getsource(mx.mod.Module.init_optimizer)
# sphinx_gallery_end_ignore

logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
mx.random.seed(seed)
np.random.seed(seed)
masked_loss_module = train_masked(X_a, y_a, X_b, y_b)
logging.getLogger().setLevel(logging.WARNING)

# %%
# ``predict`` returns the three outputs; the two logits are the answers.
# The version must get each attribute right on at least 93 % of the test
# faces, as the versions of the first page do.

outputs = masked_loss_module.predict(
    mx.io.NDArrayIter(X_test, batch_size=batch_size))
masked_loss_predicted = np.concatenate(
    [(logit > 0).asnumpy().astype(np.int64) for logit in outputs[1:]],
    axis=1)
masked_loss_accuracy = accuracy_per_head(masked_loss_predicted)
accuracy_check = claims.check(
    "symbolic, MakeLoss: test accuracy of the weaker head",
    min(masked_loss_accuracy.values()), ">=", 0.93,
    "a head that learnt nothing scores about 0.5 and the versions "
    "score about 0.97; 0.93 is 7 binomial standard errors (0.005 on "
    "1,000 faces) below that, so noise cannot fail it, and a head that "
    "learnt nothing would")

# %%
# Twenty-four test faces, with what the network says about them, then
# eight it got wrong on at least one attribute. A line in orange is a
# wrong answer; the truth is in brackets.


def yes_no(label):
    return "yes" if label else "no"


wrong = np.flatnonzero(
    (masked_loss_predicted != test_faces.attributes).any(1))
shown = np.concatenate([np.arange(24), wrong[:8]])
fig, axes = plt.subplots(4, 8, figsize=(style.FIGURE_WIDTH, 5.6))
for ax, index in zip(axes.flat, shown):
    ax.imshow(test_faces.images[index])
    ax.set_xticks([])
    ax.set_yticks([])
    for line, (name, short) in enumerate((("Eyeglasses", "glasses"),
                                          ("Smiling", "smile"))):
        column = test_faces.names.index(name)
        guess = masked_loss_predicted[index, column]
        truth = test_faces.attributes[index, column]
        ax.text(0.5, 1.02 + 0.16 * (1 - line),
                f"{short}: {yes_no(guess)} ({yes_no(truth)})",
                transform=ax.transAxes, ha="center", fontsize=6,
                color=style.OTHER_COLORS[4] if guess == truth
                else style.OTHER_COLORS[0])
axes[3, 0].set_ylabel("mistakes")
fig.legend(handles=[Patch(color=style.OTHER_COLORS[4], label="right"),
                    Patch(color=style.OTHER_COLORS[0], label="wrong")],
           loc="lower center", ncol=2)
fig.suptitle("The masked-loss network on test faces (truth in brackets)")
fig.tight_layout(rect=(0, 0.04, 1, 1))
plt.show()

# sphinx_gallery_start_ignore
assert len(wrong) >= 8
# sphinx_gallery_end_ignore

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entry:

claims.record(
    "multihead/plot_masked_loss", "multi-head", "holds with caveats",
    "MXNet's symbolic API routes each face to the head that has its label "
    "with a mask multiplied into a loss written for MakeLoss: the other "
    "head's gradient is exactly zero, and the version learns both heads. "
    "The cost is machinery: the loss in symbols, a mask as an input, "
    "BlockGrad for the logits.",
    [accuracy_check, masked_idle_check])

# %%
# Takeaways
# ---------
#
# * ``MakeLoss`` turns any symbol into a loss, so a mask in the loss routes
#   each face to its head, whatever the loss: the head without a label
#   gets a gradient of exactly zero.
# * The price is machinery: the loss written out in symbols (here the
#   binary cross-entropy, without overflow), the mask as an input,
#   ``BlockGrad`` to get the logits out, and a ``Loss`` metric told which
#   output to read.
# * The other way to route in the symbolic API, a graph per dataset, and
#   its traps are in
#   :ref:`sphx_glr_auto_examples_multihead_plot_shared_module.py`.

# sphinx_gallery_thumbnail_number = 1
