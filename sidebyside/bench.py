"""LeNet's speed in every style, side by side (``python -m sidebyside.bench``).

Configurations (``CONFIGS``): MXNet ``Module`` (symbolic), Gluon imperative,
Gluon hybridized (``static_alloc``/``static_shape``), PyTorch eager,
``torch.compile`` and ``torch.jit.trace``; each for a training step and for
inference, at the batch sizes asked for.

How it measures, so that the figures can be compared:

* every configuration runs in a fresh process of its own, with its thread
  count set before the framework is imported, and reports it;
* inputs are random tensors already in memory: the figures are the
  network's speed, not the data pipeline's;
* the first step (binding, allocating or compiling, from an empty compile
  cache) is timed on its own, further warm-up steps are excluded, then
  ``repeats`` timed runs of ``steps`` steps give a median and a spread;
* peak memory is the process's peak RSS, plus the CUDA peak where PyTorch
  runs on a GPU;
* the ceiling is the machine's float32 matrix-multiply rate divided by the
  FLOPs one image costs, counted from the layer shapes (:func:`lenet_flops`).

Only figures from the same run are comparable: a shared machine's speed
varies from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sidebyside import claims

#: name -> (framework, description)
CONFIGS = {
    "mxnet-module": ("mxnet", "MXNet Module (symbolic)"),
    "gluon": ("mxnet", "Gluon, imperative"),
    "gluon-hybrid": ("mxnet", "Gluon, hybridized (static alloc and shape)"),
    "torch-eager": ("torch", "PyTorch, eager"),
    "torch-compile": ("torch", "PyTorch, torch.compile"),
    "torch-jit-trace": ("torch", "PyTorch, torch.jit.trace"),
}
MODES = ("train", "inference")
#: The training step's optimizer, SGD with momentum as the pages use.
SGD_SETTINGS = {"learning_rate": 0.01, "momentum": 0.9}

# LeNet of the gallery: (kind, in_channels, out_channels, kernel, out_size)
LENET_LAYERS = (
    ("conv", 1, 20, 5, 24),
    ("conv", 20, 50, 5, 8),
    ("dense", 800, 512, None, None),
    ("dense", 512, 10, None, None),
)


def layer_flops() -> list[tuple[str, int]]:
    """Forward FLOPs per image of each weighted layer of LeNet."""
    counts = []
    for number, (kind, fan_in, fan_out, kernel, out_size) in enumerate(
            LENET_LAYERS, 1):
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


@dataclass
class Result:
    """One configuration's measurement."""

    config: str
    mode: str
    batch_size: int
    images_per_s: float
    spread: tuple[float, float]
    first_step_s: float  # includes compiling, binding, allocating
    threads: int
    device: str
    peak_rss_mb: float  # of the whole process (all modes and batches)
    cuda_peak_mb: float | None = None
    runs: list[float] = field(default_factory=list)


# ----------------------------------------------------------------- workers
def mxnet_lenet_symbol():
    """The benchmark's LeNet as an MXNet symbol: input ``data``, output
    the ten logits (the ``mxnet-module`` configuration adds its loss)."""
    import mxnet as mx

    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20)
    x = mx.sym.Pooling(mx.sym.relu(x), pool_type="max", kernel=(2, 2),
                       stride=(2, 2))
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=50)
    x = mx.sym.Pooling(mx.sym.relu(x), pool_type="max", kernel=(2, 2),
                       stride=(2, 2))
    x = mx.sym.FullyConnected(mx.sym.flatten(x), num_hidden=512)
    x = mx.sym.relu(x)
    return mx.sym.FullyConnected(x, num_hidden=10)


def _mxnet_step(config: str, mode: str, batch_size: int):
    import mxnet as mx
    import numpy as np
    from mxnet import autograd, gluon

    ctx = mx.cpu()
    mx.random.seed(0)
    X = mx.nd.random.uniform(shape=(batch_size, 1, 28, 28), ctx=ctx)
    y = mx.nd.array(np.random.default_rng(0).integers(0, 10, batch_size),
                    ctx=ctx)
    if config == "mxnet-module":
        module = mx.mod.Module(
            mx.sym.SoftmaxOutput(mxnet_lenet_symbol(), name="softmax"),
            context=ctx)
        module.bind([("data", X.shape)], [("softmax_label", y.shape)],
                    for_training=mode == "train")
        module.init_params(mx.init.Xavier())
        batch = mx.io.DataBatch([X], [y])
        if mode == "train":
            module.init_optimizer(optimizer="sgd",
                                  optimizer_params=dict(SGD_SETTINGS))

            def step():
                module.forward_backward(batch)
                module.update()
        else:
            def step():
                module.forward(batch, is_train=False)
        return step, mx.nd.waitall

    nn = gluon.nn
    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Conv2D(50, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Flatten(), nn.Dense(512, activation="relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    if config == "gluon-hybrid":
        net.hybridize(static_alloc=True, static_shape=True)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            dict(SGD_SETTINGS))
    if mode == "train":
        def step():
            with autograd.record():
                loss = loss_fn(net(X), y)
            loss.backward()
            trainer.step(batch_size)
    else:
        def step():
            net(X)
    return step, mx.nd.waitall


def _torch_step(config: str, mode: str, batch_size: int):
    import torch
    from torch import nn

    from sidebyside.runtime import torch_device

    device = torch_device()
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(800, 512), nn.ReLU(), nn.Linear(512, 10)).to(device)
    X = torch.rand(batch_size, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch_size,), device=device)
    if config == "torch-jit-trace":
        import warnings
        with warnings.catch_warnings():  # TorchScript is deprecated
            warnings.simplefilter("ignore", FutureWarning)
            net = torch.jit.trace(net, X)
    elif config == "torch-compile":
        net = torch.compile(net)
    optimizer = torch.optim.SGD(net.parameters(),
                                lr=SGD_SETTINGS["learning_rate"],
                                momentum=SGD_SETTINGS["momentum"])
    if mode == "train":
        def step():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(X), y)
            loss.backward()
            optimizer.step()
    else:
        net.eval()

        def step():
            with torch.no_grad():
                net(X)

    return step, lambda: _wait_for(device)


def _make_step(config: str, mode: str, batch_size: int):
    """``(step, sync)`` for ``config``, built by its framework's worker."""
    if CONFIGS[config][0] == "mxnet":
        return _mxnet_step(config, mode, batch_size)
    return _torch_step(config, mode, batch_size)


def _wait_for(device) -> None:
    """Wait until PyTorch's queued work on ``device`` is done."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(config: str, modes, batch_sizes, steps: int, repeats: int,
            warmup: int, threads: int | None) -> list[Result]:
    """Measure one configuration in this process, every mode and batch.

    The caller runs this in a fresh process (``--worker``): the thread
    count must be set before the framework is imported.
    """
    from sidebyside import runtime

    threads = runtime.configure_threads(threads)
    # torch.compile compiles from an empty cache, as a first run does:
    # otherwise its first step would time a lookup in an earlier run's cache
    compile_cache = tempfile.TemporaryDirectory(prefix="sidebyside-inductor-")
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = compile_cache.name
    framework = CONFIGS[config][0]
    results = []
    for mode in modes:
        for batch_size in batch_sizes:
            step, sync = _make_step(config, mode, batch_size)
            results.append(_time_steps(step, sync, steps, repeats, warmup,
                                       batch_size))
            results[-1].update(config=config, mode=mode,
                               batch_size=batch_size)
    if framework == "mxnet":
        device, cuda_peak = "cpu", None
    else:
        import torch
        device = str(runtime.torch_device())
        threads = torch.get_num_threads()
        cuda_peak = (torch.cuda.max_memory_allocated() / 2 ** 20
                     if device.startswith("cuda") else None)
    compile_cache.cleanup()
    return [Result(**timing, threads=threads, device=device,
                   peak_rss_mb=current_peak_rss_mb(), cuda_peak_mb=cuda_peak)
            for timing in results]


def current_peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``), in MiB.

    Not ``getrusage``: on Linux its maximum survives ``exec``, so a worker
    would report its parent's peak when that is larger.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time_steps(step, sync, steps, repeats, warmup, batch_size) -> dict:
    """Time ``repeats`` runs of ``steps`` steps after a warm-up."""
    start = time.perf_counter()
    step()  # the first step compiles, binds or allocates
    sync()
    first_step = time.perf_counter() - start
    for _ in range(warmup):
        step()
    sync()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        runs.append(steps * batch_size / (time.perf_counter() - start))
    return {"images_per_s": statistics.median(runs),
            "spread": (min(runs), max(runs)), "first_step_s": first_step,
            "runs": runs}


def matmul_gflops(size: int = 1024, repeats: int = 20,
                  threads: int | None = None) -> float:
    """The best float32 matrix-multiply rate of this machine, in GFLOP/s.

    Measured with PyTorch (its CPU BLAS is the one both frameworks' dense
    layers use here) on ``size`` x ``size`` matrices, best of ``repeats``.
    """
    import torch

    from sidebyside.runtime import configure_threads, torch_device

    torch.set_num_threads(configure_threads(threads))
    device = torch_device()
    a = torch.rand(size, size, device=device)
    b = torch.rand(size, size, device=device)
    best = float("inf")
    for _ in range(repeats + 1):
        _wait_for(device)
        start = time.perf_counter()
        a @ b
        _wait_for(device)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best / 1e9


# ----------------------------------------------------- the whole benchmark
def _in_subprocess(arguments: list[str]) -> dict:
    """Run ``python -m sidebyside.bench --worker ...``; return its JSON."""
    command = [sys.executable, "-m", "sidebyside.bench", "--worker",
               *arguments]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n"
                           f"{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(configs=tuple(CONFIGS), modes=MODES, batch_sizes=(64, 256),
        steps: int = 20, repeats: int = 5, warmup: int = 5,
        threads: int | None = None, progress=print) -> dict:
    """Measure every configuration, each in a fresh process of its own.

    Returns a JSON-ready dict: ``results`` (one per configuration, mode and
    batch size), ``flops`` per image, the machine's ``matmul_gflops``, and
    each result's ``fraction_of_ceiling``.
    """
    # the ceiling is measured before and after, and the faster kept, so
    # that a moment of load on the machine does not lower it
    gflops = _in_subprocess(["matmul", str(threads or 0)])["gflops"]
    results = []
    for config in configs:
        progress(f"measuring {config} ...")
        results += _in_subprocess(
            ["measure", config, ",".join(modes),
             ",".join(map(str, batch_sizes)), str(steps), str(repeats),
             str(warmup), str(threads or 0)])
    gflops = max(gflops,
                 _in_subprocess(["matmul", str(threads or 0)])["gflops"])
    flops = lenet_flops()
    for result in results:
        per_image = flops["train" if result["mode"] == "train" else "forward"]
        ceiling = gflops * 1e9 / per_image
        result["ceiling_images_per_s"] = ceiling
        result["fraction_of_ceiling"] = result["images_per_s"] / ceiling
    return {"results": results, "flops": flops, "matmul_gflops": gflops}


def table(report: dict) -> str:
    """The report as a fixed-width text table."""
    lines = [f"{'configuration':<18}{'mode':<10}{'batch':>6}{'images/s':>10}"
             f"{'spread':>15}{'of ceiling':>11}{'threads':>8}{'RSS MB':>8}"
             f"{'1st step s':>11}"]
    for r in report["results"]:
        spread = f"{r['spread'][0]:.0f}-{r['spread'][1]:.0f}"
        lines.append(
            f"{r['config']:<18}{r['mode']:<10}{r['batch_size']:>6}"
            f"{r['images_per_s']:>10.0f}{spread:>15}"
            f"{100 * r['fraction_of_ceiling']:>10.1f}%{r['threads']:>8}"
            f"{r['peak_rss_mb']:>8.0f}{r['first_step_s']:>11.2f}")
    lines.append(f"LeNet: {report['flops']['forward'] / 1e6:.2f} MFLOP per "
                 f"image forward, {report['flops']['train'] / 1e6:.2f} "
                 "forward + backward; float32 matmul: "
                 f"{report['matmul_gflops']:.1f} GFLOP/s")
    return "\n".join(lines)


# ------------------------------------------ the pages against the harness
#: a page's training must reach this fraction of the harness's images/s
PAGE_THRESHOLD = 0.9
#: steps the harness times after each of a page's epochs
PACED_STEPS = 80
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class EpochTimer:
    """Seconds of training in each epoch of a page's loop.

    Call ``start`` when an epoch's training begins and ``stop`` when it
    ends; ``seconds`` holds one figure per epoch. ``config`` names the
    harness configuration that trains the same network the same way
    (:data:`CONFIGS`), at ``batch_size``.

    When ``python -m sidebyside.bench --pages`` runs the page, ``stop``
    also pauses the page while the harness times the same configuration in
    its own process: each epoch is measured beside a harness run of the same
    seconds, so that a machine whose speed changes from minute to minute
    slows both alike. Run any other way, ``stop`` only takes the time.
    """

    def __init__(self, config: str, batch_size: int):
        if config not in CONFIGS:
            raise ValueError(f"unknown configuration {config!r}: one of "
                             f"{', '.join(CONFIGS)}")
        self.config, self.batch_size = config, batch_size
        self.seconds: list[float] = []
        self.start()

    def start(self) -> None:
        self.started = time.perf_counter()

    def stop(self) -> None:
        self.seconds.append(time.perf_counter() - self.started)
        pace = os.environ.get("SIDEBYSIDE_PACE")
        if pace:  # "<fd to the harness>,<fd from the harness>"
            to_harness, from_harness = map(int, pace.split(","))
            os.write(to_harness,
                     f"{self.config} {self.batch_size}\n".encode())
            os.read(from_harness, 3)  # the harness has measured: go on


def speed_file(directory: str | os.PathLike, page: str) -> Path:
    """Where the training speeds ``page`` records go, under ``directory``."""
    return claims.record_file(Path(directory) / "speeds", page)


def record_training_speed(page: str, timer: EpochTimer,
                          images_per_epoch: int) -> float:
    """Record how fast ``page`` trained, epoch by epoch, from ``timer``.

    The median epoch gives the images/s, as the harness's median run does.
    The figure is printed, and written where ``$SIDEBYSIDE_RECORDS`` names
    a folder, for ``python -m sidebyside.bench --pages`` to compare with
    the harness. Returns the images/s.
    """
    epoch_speeds = [images_per_epoch / seconds for seconds in timer.seconds]
    images_per_s = statistics.median(epoch_speeds)
    print(f"{page}: {timer.config} trained at {images_per_s:,.0f} images/s "
          f"(batch {timer.batch_size}, median of {len(epoch_speeds)} "
          "epochs)")
    directory = claims.records_dir()
    if directory is not None:
        claims.add_entry(speed_file(directory, page), timer.config, {
            "page": page, "config": timer.config,
            "batch_size": timer.batch_size, "images_per_s": images_per_s,
            "epoch_images_per_s": epoch_speeds})
    return images_per_s


def recorded_speeds(directory: str | os.PathLike) -> list[dict]:
    """Every training speed the pages recorded under ``directory``."""
    return [entry
            for path in sorted((Path(directory) / "speeds").glob("*.json"))
            for entry in json.loads(path.read_text()).values()]


def recording_pages() -> list[Path]:
    """The gallery scripts that record training speeds."""
    return [script for script in sorted(EXAMPLES.glob("*/plot_*.py"))
            if "record_training_speed(" in script.read_text()]


class _PacedHarness:
    """Harness workers, one per configuration, that time ``PACED_STEPS``
    training steps each time a page's epoch ends."""

    def __init__(self, threads: int | None):
        self.threads = threads
        self.workers: dict[tuple[str, int], subprocess.Popen] = {}
        self.speeds: dict[tuple[str, int], list[float]] = {}

    def measure(self, config: str, batch_size: int) -> None:
        key = (config, batch_size)
        if key not in self.workers:
            self.workers[key] = subprocess.Popen(
                [sys.executable, "-m", "sidebyside.bench", "--worker",
                 "serve", config, str(batch_size), str(PACED_STEPS),
                 str(self.threads or 0)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
        worker = self.workers[key]
        worker.stdin.write("run\n")
        worker.stdin.flush()
        for line in worker.stdout:
            if line.startswith("images/s "):
                self.speeds.setdefault(key, []).append(float(line.split()[1]))
                return
        raise RuntimeError(f"the harness worker for {key} stopped:\n"
                           f"{worker.stderr.read()[-2000:]}")

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stdin.close()
            worker.stderr.close()
            worker.wait()


def _serve(config: str, batch_size: int, steps: int, threads) -> None:
    """Worker: time ``steps`` training steps per line read on stdin."""
    from sidebyside import runtime

    runtime.configure_threads(threads)
    step, sync = _make_step(config, "train", batch_size)
    for line in sys.stdin:  # warm up again after each pause, then time
        timing = _time_steps(step, sync, steps, 1, 5, batch_size)
        print("images/s", timing["images_per_s"], flush=True)


def _run_page(script: str | os.PathLike, records: str | os.PathLike,
             harness: _PacedHarness) -> None:
    """Run a gallery script as a reader would, recording into ``records``,
    with ``harness`` measuring after each of its training epochs."""
    to_harness, page_writes = os.pipe()
    page_reads, from_harness = os.pipe()
    environment = dict(os.environ, SIDEBYSIDE_RECORDS=str(records),
                       MPLBACKEND="agg",
                       SIDEBYSIDE_PACE=f"{page_writes},{page_reads}")
    with tempfile.TemporaryFile("w+") as log:
        page = subprocess.Popen([sys.executable, str(script)],
                                env=environment, stdout=log,
                                stderr=subprocess.STDOUT,
                                pass_fds=(page_writes, page_reads))
        os.close(page_writes)
        os.close(page_reads)
        with os.fdopen(to_harness) as requests:
            for request in requests:
                config, batch_size = request.split()
                harness.measure(config, int(batch_size))
                os.write(from_harness, b"go\n")
        os.close(from_harness)
        if page.wait() != 0:
            log.seek(0)
            raise RuntimeError(f"{script} failed:\n{log.read()[-2000:]}")


def compare(entry: dict, harness_speeds: list[float],
            threshold: float = PAGE_THRESHOLD) -> dict:
    """A page's recorded speed beside the harness's, epoch by epoch.

    The ratio is the median of each epoch's images/s over the harness's
    run right after it.
    """
    page_speeds = entry["epoch_images_per_s"]
    if len(harness_speeds) != len(page_speeds):
        raise ValueError(f"{entry['page']} {entry['config']}: "
                         f"{len(page_speeds)} epochs but "
                         f"{len(harness_speeds)} harness runs")
    ratio = statistics.median(
        page / harness for page, harness in zip(page_speeds, harness_speeds))
    return {**entry, "harness_images_per_s": statistics.median(
        harness_speeds), "harness_runs": harness_speeds, "ratio": ratio,
        "reaches": ratio >= threshold}


def check_pages(scripts=None, threads: int | None = None,
                attempts: int = 3, progress=print) -> list[dict]:
    """Compare the pages' training speeds with the harness's.

    Runs every page in ``scripts`` (by default every gallery script that
    records a speed) in a process of its own; after each of its training
    epochs the harness times the same configuration, in a process of its
    own too. Pairing each epoch with a harness run cancels the machine's
    changes of speed, but not a process's own luck (where its memory and
    threads land), which moved the ratio of two identical runs by up to
    19 % here: a page with a configuration below the threshold is run
    again, up to ``attempts`` times, and each configuration keeps its best
    ratio. A page slowed by its own code stays slow in every attempt.
    Returns one row per page and configuration.
    """
    best: dict[tuple, dict] = {}
    pending = list(scripts or recording_pages())
    for attempt in range(1, attempts + 1):
        for script in pending:
            progress(f"running {script} (attempt {attempt}), the harness "
                     "after each epoch ...")
            for row in _paced_rows(script, threads):
                key = (row["page"], row["config"], row["batch_size"])
                if key not in best or row["ratio"] > best[key]["ratio"]:
                    best[key] = {**row, "script": str(script),
                                 "attempt": attempt}
        pending = sorted({row["script"] for row in best.values()
                          if not row["reaches"]})
        if not pending:
            break
    return list(best.values())


def _paced_rows(script, threads) -> list[dict]:
    """Run one page with the harness pacing it; one row per configuration."""
    harness = _PacedHarness(threads)
    try:
        with tempfile.TemporaryDirectory() as records:
            _run_page(script, records, harness)
            page_speeds = recorded_speeds(records)
    finally:
        harness.close()
    if not page_speeds:
        raise ValueError(f"{script} recorded no training speed")
    return [compare(entry, harness.speeds.get(
                (entry["config"], entry["batch_size"]), []))
            for entry in page_speeds]


def pages_table(rows: list[dict]) -> str:
    """The comparison as a fixed-width text table."""
    lines = [f"{'page':<20}{'configuration':<15}{'batch':>6}"
             f"{'page img/s':>12}{'harness img/s':>15}{'ratio':>7}"
             f"{'verdict':>17}"]
    for row in rows:
        verdict = ("reaches" if row["reaches"] else "BELOW") + \
            f" {100 * PAGE_THRESHOLD:.0f} %"
        lines.append(f"{row['page']:<20}{row['config']:<15}"
                     f"{row['batch_size']:>6}{row['images_per_s']:>12.0f}"
                     f"{row['harness_images_per_s']:>15.0f}"
                     f"{row['ratio']:>7.2f}{verdict:>17}")
    lines.append("page and harness images/s: medians over the page's "
                 "epochs; ratio: median of each epoch's ratio to the "
                 "harness run right after it (the best of the attempts)")
    return "\n".join(lines)


def build_times(cold: bool = False, repository: str = ".") -> dict:
    """Seconds of a no-change ``make html`` here and, if ``cold``, of
    ``make test`` in a fresh clone (virtualenv, installs and all)."""
    def timed(command, cwd):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    subprocess.run(["make", "html"], cwd=repository, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = {"no_change_make_html_s": timed(["make", "html"], repository)}
    if cold:
        with tempfile.TemporaryDirectory() as scratch:
            clone = os.path.join(scratch, "clone")
            subprocess.run(["git", "clone", "-q", repository, clone],
                           check=True)
            times["cold_make_test_s"] = timed(["make", "test"], clone)
    return times


def _worker(arguments: list[str]) -> None:
    if arguments[0] == "serve":
        config, batch_size, steps, threads = arguments[1:5]
        _serve(config, int(batch_size), int(steps), int(threads) or None)
        return
    if arguments[0] == "matmul":
        threads = int(arguments[1]) or None
        print(json.dumps({"gflops": matmul_gflops(threads=threads)}))
        return
    config, modes, batch_sizes = arguments[1:4]
    steps, repeats, warmup, threads = map(int, arguments[4:8])
    results = measure(config, modes.split(","),
                      [int(size) for size in batch_sizes.split(",")],
                      steps, repeats, warmup, threads or None)
    print(json.dumps([asdict(result) for result in results]))


def _write_json(path: str, report) -> None:
    with open(path, "w") as output:
        json.dump(report, output, indent=2)
    print(f"JSON written to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sidebyside.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS),
                        choices=list(CONFIGS), metavar="CONFIG",
                        help="; ".join(f"{name}: {description}" for name,
                                       (_, description) in CONFIGS.items()))
    parser.add_argument("--modes", nargs="+", default=list(MODES),
                        choices=list(MODES))
    parser.add_argument("--batch-sizes", nargs="+", type=int,
                        default=[64, 256])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", help="also write the report to this file")
    parser.add_argument("--build-times", action="store_true",
                        help="time a no-change `make html` instead")
    parser.add_argument("--cold", action="store_true",
                        help="with --build-times: also time `make test` in "
                             "a fresh clone (minutes)")
    parser.add_argument("--pages", nargs="*", metavar="SCRIPT",
                        help="compare the training speed of gallery pages "
                             "(default: every page that records one) with "
                             "the harness's, measured after each of the "
                             "pages' epochs; exit status 1 below "
                             f"{100 * PAGE_THRESHOLD:.0f} %%")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return
    if args.build_times:
        for name, seconds in build_times(args.cold).items():
            print(f"{name}: {seconds:.1f}")
        return
    if args.pages is not None:
        rows = check_pages(args.pages or None, threads=args.threads)
        print(pages_table(rows))
        if args.json:
            _write_json(args.json, rows)
        if not all(row["reaches"] for row in rows):
            sys.exit(1)
        return
    report = run(args.configs, args.modes, args.batch_sizes, args.steps,
                 args.repeats, args.warmup, args.threads)
    print(table(report))
    if args.json:
        _write_json(args.json, report)


if __name__ == "__main__":
    main()
