"""
Which is faster? Symbolic, imperative and compiled LeNet, measured
==================================================================

"Which style is faster?" is the first question readers ask, and most
answers online are folklore. This page answers it for LeNet on the machine
that built this site: it runs a short version of the project's benchmark,
``python -m sidebyside.bench``, which measures six configurations (MXNet's
symbolic ``Module``, Gluon imperative and hybridized, PyTorch eager,
``torch.compile`` and ``torch.jit.trace``), each in a fresh process with
its threads set explicitly, and compares every figure with what the
machine could do at best.

**What you will learn**

* how to measure a framework fairly: a process per configuration, threads
  set before import, warm-up excluded, median and spread of repeated runs;
* how many floating-point operations LeNet costs, and how far from the
  machine's ceiling a network this small runs;
* where the symbolic or compiled style wins, and where it does not.

**Prerequisites**: :ref:`sphx_glr_auto_examples_lenet_plot_lenet.py` (the
network measured here). Run the full benchmark yourself with
``python -m sidebyside.bench`` (about five minutes on two cores; ``--help``
lists the options, ``--json`` writes the figures to a file).
"""

# %%
# Set-up
# ------
#
# This process only reports and plots: every measurement runs in a process
# of its own, started by :func:`sidebyside.bench.run`. The frameworks are
# imported here only to print their versions and devices.

from sidebyside import runtime

num_threads = runtime.configure_threads()

import math
import os

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import torch

from sidebyside import bench, claims

torch.set_num_threads(num_threads)
runtime.print_setup()
print(f"MXNet context: {runtime.mxnet_context()}, "
      f"PyTorch device: {runtime.torch_device()}")

# %%
# The ceiling
# -----------
#
# A multiply-add is two floating-point operations (FLOPs). A convolution
# computes one dot product per output value, a dense layer one per output;
# their sizes give LeNet's cost per image. The backward pass costs about
# twice the forward pass (a product for the input's gradient, one for the
# weights'), so a training step costs about three forward passes.

for layer, flops in bench.layer_flops():
    print(f"{layer:<44}{flops / 1e6:>6.2f} MFLOP")
flops = bench.lenet_flops()
print(f"{'forward pass':<44}{flops['forward'] / 1e6:>6.2f} MFLOP")
print(f"{'training step (forward + backward)':<44}"
      f"{flops['train'] / 1e6:>6.2f} MFLOP")

# %%
# The machine's float32 matrix-multiply rate is the ceiling. Dividing it by
# the FLOPs per image gives the most images per second any framework could
# reach here; each measurement below is also given as a fraction of it.

# %%
# Measuring
# ---------
#
# The short version: every configuration, training and inference, batches
# of 64 and 256, three timed runs of a few steps after a warm-up. The first
# step of each is timed on its own: it binds the graph (MXNet), allocates
# memory, or compiles (``torch.compile``). Progress is printed as it goes.

report = bench.run(batch_sizes=(64, 256), steps=8, repeats=3, warmup=2)
print(bench.table(report))

# %%
# The same figures as a chart. The bars are medians; the black lines span
# the fastest and slowest of the timed runs.

speed = {(r["config"], r["mode"], r["batch_size"]): r
         for r in report["results"]}
configs = list(bench.CONFIGS)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=False)
width = 0.38
for ax, mode in zip(axes, bench.MODES):
    for offset, batch_size in zip((-width / 2, width / 2), (64, 256)):
        results = [speed[config, mode, batch_size] for config in configs]
        medians = np.array([r["images_per_s"] for r in results])
        spreads = np.array([r["spread"] for r in results]).T
        ax.bar(np.arange(len(configs)) + offset, medians, width,
               label=f"batch {batch_size}",
               yerr=[medians - spreads[0], spreads[1] - medians],
               capsize=2)
    ax.set_xticks(np.arange(len(configs)), configs, rotation=35,
                  ha="right")
    ax.set(ylabel="images per second (median)", title=f"LeNet, {mode}")
    ax.grid(axis="y", alpha=0.3)
    ax.legend()
fig.tight_layout()
plt.show()


# %%
# What the figures say
# --------------------
#
# Each conclusion below is computed from this run's figures and checked with
# a margin wide enough that an ordinary, quiet machine does not flip it; none
# compares with a number fixed in advance. The style of each configuration:

graph_styles = ["mxnet-module", "gluon-hybrid", "torch-compile",
                "torch-jit-trace"]
imperative_styles = ["gluon", "torch-eager"]


def ratio(first, second, mode, batch_size):
    """How many times faster ``first`` ran than ``second``."""
    return (speed[first, mode, batch_size]["images_per_s"]
            / speed[second, mode, batch_size]["images_per_s"])


def best(configs, mode, batch_size):
    """The fastest of ``configs``, and its images/s."""
    fastest = max(configs,
                  key=lambda config: speed[config, mode, batch_size][
                      "images_per_s"])
    return fastest, speed[fastest, mode, batch_size]["images_per_s"]


# %%
# **Inference: compiled graphs win within each framework.** A frozen graph
# can fuse operators, plan its memory once and skip autograd's bookkeeping.
# ``torch.compile`` makes that pay most, and a trace alone
# (``torch.jit.trace``) records the graph without optimising it much.
#
# The two MXNet graphs did not get the same optimisations. An executor
# bound for inference, as ``Module.bind(for_training=False)`` makes with
# ``simple_bind``, is rewritten by MXNet's default *subgraph backend*,
# MKLDNN on this CPU build: each convolution and dense layer becomes an
# MKLDNN subgraph operator (fused with a ReLU written as
# ``Activation(act_type="relu")``; the benchmark's ``mx.sym.relu`` stays
# apart). An executor bound for training is not rewritten. And
# ``hybridize()`` partitions the graph only when it is given a
# ``backend=`` (``HybridBlock._build_cache`` calls ``optimize_for`` only
# then, in ``mxnet/gluon/block.py``): the benchmark's ``gluon-hybrid``
# passes none, so it runs the unrewritten graph, with static memory. The
# check binds the benchmark's LeNet as ``Module`` does and counts the
# MKLDNN operators in the graph the executor runs
# (``Executor.debug_str``).


def mkldnn_operators(grad_req, subgraph_backend=None):
    """MKLDNN subgraph operators in the graph MXNet binds for LeNet."""
    if subgraph_backend is not None:
        os.environ["MXNET_SUBGRAPH_BACKEND"] = subgraph_backend
    try:
        executor = bench.mxnet_lenet_symbol().simple_bind(
            mx.cpu(), data=(64, 1, 28, 28), grad_req=grad_req)
        return executor.debug_str().count("Op:_sg_mkldnn_")
    finally:
        os.environ.pop("MXNET_SUBGRAPH_BACKEND", None)


rewritten = {"inference bind": mkldnn_operators("null"),
             "training bind": mkldnn_operators("write"),
             "inference bind, backend NONE": mkldnn_operators("null",
                                                              "NONE")}
print("MKLDNN subgraph operators:", rewritten)
backend_checks = [
    claims.check("MKLDNN operators, Module's inference bind",
                 rewritten["inference bind"], "==", 4,
                 "one for each of LeNet's two convolutions and two dense "
                 "layers"),
    claims.check("MKLDNN operators, Module's training bind",
                 rewritten["training bind"], "==", 0,
                 "the backend rewrites graphs bound for inference only"),
    claims.check("MKLDNN operators, MXNET_SUBGRAPH_BACKEND=NONE",
                 rewritten["inference bind, backend NONE"], "==", 0,
                 "NONE disables the rewrite"),
]

pairs = [("torch-compile", "torch-eager"), ("torch-jit-trace", "torch-eager"),
         ("gluon-hybrid", "gluon"), ("mxnet-module", "gluon")]
for batch_size in (64, 256):
    for graph, eager in pairs:
        print(f"inference, batch {batch_size}: {graph} / {eager}: "
              f"{ratio(graph, eager, 'inference', batch_size):.2f}x")

# %%
# So the ``mxnet-module`` inference figures come from the rewritten graph,
# and ``gluon-hybrid``'s from the plain one. Whether Gluon's small gain
# from ``hybridize`` comes from that, from MXNet's engine overlapping
# Python with the arithmetic in imperative mode, or from both, this page
# does not measure: the benchmark runs MXNet on its default, threaded
# engine in every configuration.

# %%
# **Training: no style wins by much.** A training step spends its time in
# the same convolutions whatever the style, so the spread between the best
# graph configuration and the best imperative one stays small.

for batch_size in (64, 256):
    graph, graph_speed = best(graph_styles, "train", batch_size)
    eager, eager_speed = best(imperative_styles, "train", batch_size)
    print(f"training, batch {batch_size}: best graph style {graph} "
          f"{graph_speed:,.0f} images/s, best imperative {eager} "
          f"{eager_speed:,.0f}: {graph_speed / eager_speed:.2f}x")

# %%
# **Compilation costs time up front.** ``torch.compile``'s first step
# compiles (from an empty cache); the page works out how many steps its
# speed-up would take to pay that back. A second batch size may compile
# again, or reuse a graph compiled for any batch size, which PyTorch makes
# after it has seen the size change; that first step is then short.

for mode in bench.MODES:
    for batch_size in (64, 256):
        compiled = speed["torch-compile", mode, batch_size]
        eager = speed["torch-eager", mode, batch_size]
        gain = batch_size / eager["images_per_s"] \
            - batch_size / compiled["images_per_s"]
        steps_to_pay_back = math.ceil(compiled["first_step_s"] / gain) \
            if gain > 0 else None
        pay_back = (f"pays back after {steps_to_pay_back:,} step(s)"
                    if gain > 0 else "never pays back here")
        print(f"torch.compile {mode}, batch {batch_size}: first step "
              f"{compiled['first_step_s']:.2f} s, {pay_back}")

# %%
# The first compilation of all, training at batch 64, is the one that
# starts from an empty cache. In steps of the compiled configuration:

first_compile = speed["torch-compile", "train", 64]
compile_in_steps = first_compile["first_step_s"] / (
    64 / first_compile["images_per_s"])
print(f"first compilation: {first_compile['first_step_s']:.1f} s, the "
      f"time of {compile_in_steps:,.0f} compiled training steps")
compile_check = claims.check(
    "torch.compile's first step, in compiled training steps",
    compile_in_steps, ">=", 100,
    "Inductor generates and builds C++ (or Triton) kernels, seconds of "
    "work, where a LeNet step takes milliseconds; a cached or skipped "
    "compilation would take a few steps' time")

# %%
# **No configuration comes near the ceiling.** LeNet's layers are small
# matrices: much of the time goes to launching operators, moving memory and
# pooling rather than to multiply-adds. "Near" is three quarters of the
# ceiling here.

fractions = {(r["config"], r["mode"], r["batch_size"]):
             r["fraction_of_ceiling"] for r in report["results"]}
closest = max(fractions, key=fractions.get)
print(f"closest to the ceiling: {closest}, {fractions[closest]:.0%}")
ceiling_check = claims.check(
    "best fraction of the float32 matmul ceiling, any configuration",
    fractions[closest], "<", 0.75,
    "the ceiling is a large square matrix product; LeNet's largest is "
    "batch x 800 x 512, beside pooling and memory traffic that do no "
    "multiply-adds, so 'near the ceiling' would mean three quarters of it")

# %%
# **Memory: mostly libraries.** Peak memory per process differs by
# framework more than by style: PyTorch's process loads a larger library
# (a CUDA build, here on the CPU), which dwarfs what LeNet itself needs.

for config in bench.CONFIGS:
    print(f"{config:<18}peak RSS "
          f"{speed[config, 'train', 64]['peak_rss_mb']:,.0f} MB")

# %%
# **The gallery's own training loops keep up.** The
# :ref:`LeNet page <sphx_glr_auto_examples_lenet_plot_lenet.py>` trains the
# same network in three APIs, with real digits, a learning-rate schedule and
# an evaluation after each epoch. ``python -m sidebyside.bench --pages``
# runs that page and, after each of its epochs, the matching configuration
# of this benchmark in a process of its own; the test suite requires every
# API to train on the page at 90 % or more of the benchmark's speed. Two
# changes got the page there: batches drawn from arrays in memory rather
# than readers that convert one image at a time, and MXNet computing on the
# main thread beside PyTorch, so that the two share one team of OpenMP
# threads (:func:`sidebyside.runtime.configure_threads` explains why).

# %%
# The :doc:`claim ledger </ledger>` collects what every page showed; this
# page's entries, with this run's figures. The counter-claim for inference
# needs ``torch.compile`` at least 1.2 times as fast as eager PyTorch at
# both batch sizes: the timed runs of one configuration spread by up to 10
# % on a quiet machine, so a smaller gain could be noise. The one for
# training needs a graph configuration twice as fast as the best
# imperative one, as the claim says.

compile_gains = [ratio("torch-compile", "torch-eager", "inference", size)
                 for size in (64, 256)]
hybrid_gain = min(ratio("gluon-hybrid", "gluon", "inference", size)
                  for size in (64, 256))
inference_checks = [
    claims.check(f"inference, batch {size}: torch-compile / torch-eager",
                 gain, ">", 1.2, "above the 10 % spread of repeated runs")
    for size, gain in zip((64, 256), compile_gains)]
claims.record(
    "performance/plot_performance", "symbolic-inference",
    "holds with caveats",
    f"torch.compile ran inference at least {min(compile_gains):.1f}x as "
    "fast as eager PyTorch, and its first compile cost the time of many "
    "steps. Hybridized Gluon (no subgraph backend) gained "
    f"{hybrid_gain:.2f}x or more over imperative Gluon; Module's inference "
    "graph is rewritten by MKLDNN, its training graph is not.",
    inference_checks + [compile_check] + backend_checks)
training_gains = [best(graph_styles, "train", size)[1]
                  / best(imperative_styles, "train", size)[1]
                  for size in (64, 256)]
claims.record(
    "performance/plot_performance", "symbolic-training", "does not hold",
    f"the best graph configuration trained at most {max(training_gains):.2f}"
    "x as fast as the best imperative one; no configuration came within "
    "three quarters of the float32 ceiling.",
    [claims.check(f"training, batch {size}: best graph / best imperative",
                  gain, "<", 2.0, "the claim is a factor of two")
     for size, gain in zip((64, 256), training_gains)] + [ceiling_check])

# %%
# Takeaways
# ---------
#
# * Measure on your machine, in one run, each configuration in its own
#   process: thread settings and import order alone change the figures.
# * Two frameworks in one process share one OpenMP runtime. On a small
#   machine that alone can cost one of them a third of its speed; compare
#   a page with the benchmark before trusting its timings.
# * Compiled graphs win inference, by how much depends on the framework;
#   for training the styles end up close. ``hybridize`` and
#   ``torch.compile`` get the graph's speed without leaving the imperative
#   style, the compromise both ecosystems converged on.
# * Compilation is an investment: it pays back on long runs, not on a
#   notebook experiment.
# * A network as small as LeNet is far from the machine's ceiling in every
#   style: the overheads around the arithmetic dominate.
