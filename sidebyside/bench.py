"""LeNet's speed in every style, side by side (``python -m sidebyside.bench``).

Configurations (:data:`CONFIGS`): MXNet ``Module`` with and without its
MKLDNN subgraph backend, Gluon imperative and hybridized (on MXNet's
threaded and synchronous engines, and with ``backend="MKLDNN"``), PyTorch
eager (also in channels-last memory format), ``torch.compile`` (also frozen,
in ``inference_mode``) and ``torch.jit.trace``; each for a training step and
for inference, at the batch sizes asked for. The network is the one of
:mod:`sidebyside.lenet`.

How it measures, so that the figures can be compared:

* every configuration runs in a process of its own, with its thread count
  (and MXNet's engine and subgraph backend) set before the framework is
  imported; the processes are started one after the other, and the first
  step of each (binding, allocating or compiling, from an empty compile
  cache) is timed on its own;
* then the configurations are timed in *rounds*: each round times every
  configuration, mode and batch size once, in turn, so that a change in the
  machine's speed hits every configuration alike, and two configurations
  are compared round by round (:func:`paired_ratios`);
* inputs are random tensors already in memory: the figures are the
  network's speed, not the data pipeline's; every training configuration
  is checked to change its weights (one that computes no gradient is
  flagged, not ranked);
* the ceiling is the best float32 matrix-multiply rate over several sizes
  and repeats, before and after the rounds (:func:`matmul_ceiling`),
  divided by the FLOPs one image costs; beside it, an estimate of what the
  CPU's vector units allow (:func:`cpu_estimate`);
* while each configuration is timed, :class:`sidebyside.load.LoadMeter`
  measures what other processes used. When other processes were busy, or
  the ceiling before and after disagree, the report says so
  (``report["busy"]``), more rounds are run, and a comparison is only
  decided where the rounds agree (:func:`decide`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sidebyside import lenet
from sidebyside.load import BUSY_CORES, LoadMeter

MODES = ("train", "inference")
#: The defaults of a run; the performance page asks for a shorter one.
BATCH_SIZES = (64, 256)
STEPS = 20
ROUNDS = 5
WARMUP = 5
#: Extra rounds when the machine was busy, to see whether the verdicts
#: settle.
EXTRA_ROUNDS = 4
#: The matrix sizes and repeats of the float32 ceiling.
CEILING_SIZES = (512, 1024, 2048, 4096)
CEILING_REPEATS = 3
#: The ceiling before and after the rounds may differ by this much on a
#: quiet machine (measured here: 2 to 19 %, with nothing else running);
#: more means the machine's speed changed.
CEILING_TOLERANCE = 0.25
#: A comparison is decided when this share of the rounds agrees.
AGREEMENT = 0.75
#: The training step's optimizer, SGD with momentum as the pages use.
SGD_SETTINGS = {"learning_rate": 0.01, "momentum": 0.9}


@dataclass(frozen=True)
class Config:
    """One way of running LeNet."""

    framework: str  # "mxnet" or "torch"
    description: str
    modes: tuple[str, ...] = MODES
    #: environment variables set before the framework is imported
    environment: tuple[tuple[str, str], ...] = ()


_NAIVE = (("MXNET_ENGINE_TYPE", "NaiveEngine"),)
#: name -> :class:`Config`, in the order of the tables.
CONFIGS = {
    "mxnet-module": Config(
        "mxnet", "MXNet Module (symbolic); MXNet rewrites the graph bound "
                 "for inference with its default MKLDNN subgraph backend"),
    "mxnet-module-unfused": Config(
        "mxnet", "MXNet Module with MXNET_SUBGRAPH_BACKEND=NONE",
        environment=(("MXNET_SUBGRAPH_BACKEND", "NONE"),)),
    "gluon": Config("mxnet", "Gluon, imperative, threaded engine"),
    "gluon-naive": Config("mxnet", "Gluon, imperative, NaiveEngine "
                                   "(synchronous)", environment=_NAIVE),
    "gluon-hybrid": Config("mxnet", "Gluon, hybridize(static_alloc, "
                                    "static_shape), threaded engine"),
    "gluon-hybrid-naive": Config("mxnet", "Gluon, hybridized, NaiveEngine",
                                 environment=_NAIVE),
    "gluon-hybrid-mkldnn": Config("mxnet", "Gluon, hybridize(backend="
                                           "'MKLDNN'), threaded engine"),
    "torch-eager": Config("torch", "PyTorch, eager"),
    "torch-eager-cl": Config("torch", "PyTorch, eager, channels-last "
                                      "memory format"),
    "torch-compile": Config("torch", "PyTorch, torch.compile (default "
                                     "mode, Inductor)"),
    "torch-compile-frozen": Config(
        "torch", "PyTorch, torch.compile with Inductor's freezing, in "
                 "inference_mode", modes=("inference",)),
    "torch-jit-trace": Config("torch", "PyTorch, torch.jit.trace "
                                       "(deprecated TorchScript)"),
}
#: The configurations of the imperative style; the others make a graph.
IMPERATIVE = ("gluon", "gluon-naive", "torch-eager", "torch-eager-cl")


def framework_of(config: str) -> str:
    return CONFIGS[config].framework


# ----------------------------------------------------------------- workers
class Step:
    """One configuration's step (``run``), its wait for queued work
    (``sync``) and a check that training changes the weights."""

    def __init__(self, run, sync, weights):
        self.run, self.sync, self._weights = run, sync, weights
        self._initial = weights()

    def changed_weights(self) -> bool:
        """Whether the first layer's weights differ from when it was built."""
        import numpy as np

        return not np.array_equal(self._initial, self._weights())


def _mxnet_step(config: str, mode: str, batch_size: int) -> Step:
    import mxnet as mx
    import numpy as np
    from mxnet import autograd, gluon

    ctx = mx.cpu()
    mx.random.seed(0)
    X = mx.nd.random.uniform(shape=(batch_size, 1, 28, 28), ctx=ctx)
    y = mx.nd.array(np.random.default_rng(0).integers(0, 10, batch_size),
                    ctx=ctx)
    if config.startswith("mxnet-module"):
        module = mx.mod.Module(
            mx.sym.SoftmaxOutput(lenet.mxnet_symbol(), name="softmax"),
            context=ctx)
        module.bind([("data", X.shape)], [("softmax_label", y.shape)],
                    for_training=mode == "train")
        module.init_params(mx.init.Xavier())
        batch = mx.io.DataBatch([X], [y])
        first_weight = sorted(module.get_params()[0])[0]

        def weights():
            return module.get_params()[0][first_weight].asnumpy()

        if mode == "train":
            module.init_optimizer(optimizer="sgd",
                                  optimizer_params=dict(SGD_SETTINGS))

            def run():
                module.forward_backward(batch)
                module.update()
        else:
            def run():
                module.forward(batch, is_train=False)
        return Step(run, mx.nd.waitall, weights)

    net = lenet.gluon_net()
    net.initialize(mx.init.Xavier(), ctx=ctx)
    if config.startswith("gluon-hybrid"):
        options = {"static_alloc": True, "static_shape": True}
        if config == "gluon-hybrid-mkldnn":
            options["backend"] = "MKLDNN"
        net.hybridize(**options)
    net(X)  # deferred initialisation: the weights now exist
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            dict(SGD_SETTINGS))

    def weights():
        return net[0].weight.data().asnumpy()

    if mode == "train":
        def run():
            with autograd.record():
                loss = loss_fn(net(X), y)
            loss.backward()
            trainer.step(batch_size)
    else:
        def run():
            net(X)
    return Step(run, mx.nd.waitall, weights)


def _torch_step(config: str, mode: str, batch_size: int) -> Step:
    import torch
    from torch import nn

    from sidebyside.runtime import torch_device

    device = torch_device()
    torch.manual_seed(0)
    net = lenet.torch_net().to(device)
    X = torch.rand(batch_size, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch_size,), device=device)
    first_layer = net[0]
    if config == "torch-eager-cl":
        net = net.to(memory_format=torch.channels_last)
        X = X.contiguous(memory_format=torch.channels_last)
    if mode == "inference":
        net.eval()
    if config == "torch-jit-trace":
        import warnings
        with warnings.catch_warnings():  # TorchScript is deprecated
            warnings.simplefilter("ignore", FutureWarning)
            net = torch.jit.trace(net, X)
    elif config == "torch-compile":
        net = torch.compile(net)
    elif config == "torch-compile-frozen":
        import torch._inductor.config as inductor_config
        inductor_config.freezing = True
        net = torch.compile(net)

    def weights():
        return first_layer.weight.detach().cpu().numpy().copy()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    if mode == "train":
        optimizer = torch.optim.SGD(net.parameters(),
                                    lr=SGD_SETTINGS["learning_rate"],
                                    momentum=SGD_SETTINGS["momentum"])

        def run():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(X), y)
            loss.backward()
            optimizer.step()
    else:
        no_grad = (torch.inference_mode if config == "torch-compile-frozen"
                   else torch.no_grad)

        def run():
            with no_grad():
                net(X)
    return Step(run, sync, weights)


def make_step(config: str, mode: str, batch_size: int) -> Step:
    """The step of ``config``, built by its framework's worker code. Call
    it in a process whose threads are set (:func:`serve` does)."""
    if framework_of(config) == "mxnet":
        return _mxnet_step(config, mode, batch_size)
    return _torch_step(config, mode, batch_size)


def time_steps(step: Step, steps: int, batch_size: int,
               warmup: int = 2) -> dict:
    """Images/s of ``steps`` steps after ``warmup`` untimed ones, with the
    process's CPU time over the timed steps."""
    for _ in range(warmup):
        step.run()
    step.sync()
    cpu_before, start = time.process_time(), time.perf_counter()
    for _ in range(steps):
        step.run()
    step.sync()
    seconds = time.perf_counter() - start
    return {"images_per_s": steps * batch_size / seconds,
            "seconds": seconds,
            "cpu_s": time.process_time() - cpu_before}


def current_peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``), in MiB.

    Not ``getrusage``: on Linux its maximum survives ``exec``, so a worker
    would report its parent's peak when that is larger.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(config: str, modes, batch_sizes, threads: int | None) -> None:
    """Worker: import the framework, build ``config``'s steps when told,
    then answer requests on stdin.

    It prints one JSON line once the framework is imported and waits for a
    ``build`` line; then it builds and times each first step, prints one
    JSON line (the first step's seconds of each mode and batch size,
    threads, device), and one JSON line per request: ``time MODE BATCH
    STEPS``, ``trains`` (which training steps changed their weights),
    ``profile MODE BATCH STEPS`` (the operators that took the most time)
    and ``memory``.
    """
    from sidebyside import runtime

    for name, value in CONFIGS[config].environment:
        os.environ[name] = value
    threads = runtime.configure_threads(threads)
    # torch.compile compiles from an empty cache, as a first run does:
    # otherwise its first step would time a lookup in an earlier run's cache
    compile_cache = tempfile.TemporaryDirectory(prefix="sidebyside-inductor-")
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = compile_cache.name
    __import__(framework_of(config))
    _reply({"imported": True})
    sys.stdin.readline()  # "build"
    steps, first_step = {}, {}
    for mode in modes:
        for batch_size in batch_sizes:
            start = time.perf_counter()
            step = make_step(config, mode, batch_size)
            step.run()  # the first step compiles, binds or allocates
            step.sync()
            first_step[f"{mode} {batch_size}"] = time.perf_counter() - start
            steps[mode, batch_size] = step
    device = "cpu"
    if framework_of(config) == "torch":
        import torch
        device = str(runtime.torch_device())
        threads = torch.get_num_threads()
    engine = (runtime.mxnet_engine() if framework_of(config) == "mxnet"
              else None)
    _reply({"ready": True, "first_step_s": first_step, "threads": threads,
            "device": device, "engine": engine})
    for request in sys.stdin:
        command, *arguments = request.split()
        if command == "time":
            mode, batch_size, count = arguments
            _reply(time_steps(steps[mode, int(batch_size)], int(count),
                              int(batch_size)))
        elif command == "trains":
            _reply({f"{mode} {size}": step.changed_weights()
                    for (mode, size), step in steps.items()
                    if mode == "train"})
        elif command == "profile":
            mode, batch_size, count = arguments
            _reply(_profile(config, steps[mode, int(batch_size)],
                            int(count)))
        elif command == "memory":
            cuda_peak = None
            if device.startswith("cuda"):
                import torch
                cuda_peak = torch.cuda.max_memory_allocated() / 2 ** 20
            _reply({"peak_rss_mb": current_peak_rss_mb(),
                    "cuda_peak_mb": cuda_peak})
    compile_cache.cleanup()


def _reply(message: dict) -> None:
    print(json.dumps(message), flush=True)


def _profile(config: str, step: Step, count: int) -> list[dict]:
    """The operators that took the most of ``count`` steps' time: name,
    milliseconds per step, share of the profiled time."""
    rows = []
    if framework_of(config) == "torch":
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as profiler:
            for _ in range(count):
                step.run()
            step.sync()
        events = [event for event in profiler.key_averages()
                  if event.self_cpu_time_total > 0]
        total = sum(event.self_cpu_time_total for event in events)
        for event in events:
            rows.append({"operator": event.key,
                         "ms_per_step": event.self_cpu_time_total / 1e3
                         / count,
                         "share": event.self_cpu_time_total / total})
    else:
        import mxnet as mx

        with tempfile.TemporaryDirectory() as folder:
            mx.profiler.set_config(profile_all=True, aggregate_stats=True,
                                   filename=os.path.join(folder, "p.json"))
            mx.profiler.set_state("run")
            for _ in range(count):
                step.run()
            step.sync()
            mx.profiler.set_state("stop")
            stats = json.loads(mx.profiler.dumps(format="json", reset=True))
        operators = stats["Time"].get("operator", {})
        total = sum(entry["Total"] for entry in operators.values())
        for name, entry in operators.items():
            rows.append({"operator": name,
                         "ms_per_step": entry["Total"] / count,
                         "share": entry["Total"] / total})
    return sorted(rows, key=lambda row: -row["share"])[:10]


class Worker:
    """A configuration's worker process, driven by requests."""

    def __init__(self, config: str, modes, batch_sizes,
                 threads: int | None = None, environment=None,
                 wait: bool = True):
        self.config = config
        command = [sys.executable, "-m", "sidebyside.bench", "--worker",
                   config, ",".join(modes),
                   ",".join(map(str, batch_sizes)), str(threads or 0)]
        self._stderr = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True,
            env=dict(os.environ, **(environment or {})))
        self.ready = None
        if wait:
            self.build()
            self.wait_until_ready()

    def build(self) -> None:
        """Let the worker build its steps once its framework is imported
        (when started with ``wait=False``)."""
        self._read()  # {"imported": true}
        self.process.stdin.write("build\n")
        self.process.stdin.flush()

    def wait_until_ready(self) -> None:
        """Wait for the worker's first steps."""
        if self.ready is None:
            self.ready = self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self._stderr.seek(0)
            raise RuntimeError(f"the {self.config} worker stopped:\n"
                               f"{self._stderr.read()[-2000:]}")
        return json.loads(line)

    def ask(self, request: str) -> dict:
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        return self._read()

    def time(self, mode: str, batch_size: int, steps: int) -> dict:
        """Time ``steps`` steps; add what other processes used meanwhile
        (clock ticks of 10 ms: meaningful over a second or more)."""
        with LoadMeter(pids=[self.process.pid]) as meter:
            timing = self.ask(f"time {mode} {batch_size} {steps}")
        return {**timing, "other_cores": meter.other_cores}

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()
        self._stderr.close()


# ------------------------------------------------------------ the ceiling
def matmul_ceiling(sizes=CEILING_SIZES, repeats: int = CEILING_REPEATS,
                   threads: int | None = None) -> dict:
    """The best float32 matrix-multiply rate of this machine, in GFLOP/s.

    Measured with PyTorch (its CPU BLAS is the one both frameworks' dense
    layers use here) on square matrices of each size, best of ``repeats``
    (after one untimed product). Returns the best rate of each size and of
    all (``gflops``). Call it in a process whose threads are set.
    """
    import torch

    from sidebyside.runtime import torch_device

    device = torch_device()

    def wait():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    by_size = {}
    for size in sizes:
        a = torch.rand(size, size, device=device)
        b = torch.rand(size, size, device=device)
        a @ b
        wait()
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            wait()
            best = min(best, time.perf_counter() - start)
        by_size[str(size)] = 2 * size ** 3 / best / 1e9
    return {"gflops": max(by_size.values()), "by_size": by_size}


def _ceiling_in_subprocess(threads: int | None,
                           sizes=CEILING_SIZES) -> dict:
    command = [sys.executable, "-m", "sidebyside.bench", "--worker",
               "ceiling", str(threads or 0), ",".join(map(str, sizes))]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"the ceiling worker failed:\n"
                           f"{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def cpu_estimate(cpuinfo: str | None = None, cores: int | None = None):
    """What the CPU's vector units allow, in float32 GFLOP/s: an estimate.

    Cores times float32 lanes per vector (16 with AVX-512, 8 with AVX2,
    4 with SSE) times 2 FLOPs per fused multiply-add times the FMA units
    per core (assumed 2 with AVX-512 or AVX2, as on recent server cores;
    the flags do not say) times the clock frequency ``/proc/cpuinfo``
    reports (nominal: turbo clocks may be higher). Returns a dict with each
    factor and ``gflops``, or None where the flags or the frequency are
    missing.
    """
    from sidebyside.runtime import cpu_count

    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo") as file:
                cpuinfo = file.read()
        except OSError:
            return None
    flags = set(re.search(r"^flags\s*:(.*)$", cpuinfo, re.M).group(1).split()
                ) if re.search(r"^flags\s*:", cpuinfo, re.M) else set()
    megahertz = re.search(r"^cpu MHz\s*:\s*([\d.]+)", cpuinfo, re.M)
    if not flags or not megahertz:
        return None
    if "avx512f" in flags:
        lanes, vector = 16, "AVX-512"
    elif "avx2" in flags:
        lanes, vector = 8, "AVX2"
    else:
        lanes, vector = 4, "SSE"
    fma_units = 2 if "fma" in flags and lanes >= 8 else 1
    cores = cores or cpu_count()
    ghz = float(megahertz.group(1)) / 1000
    return {"cores": cores, "vector": vector, "lanes": lanes,
            "fma_units": fma_units, "ghz": ghz,
            "gflops": cores * lanes * 2 * fma_units * ghz}


# ----------------------------------------------------- the whole benchmark
@dataclass
class Result:
    """One configuration, mode and batch size, over every round."""

    config: str
    mode: str
    batch_size: int
    runs: list[float]  # images/s, one per round
    other_cores: list  # other processes' cores, one per round
    cpu_use: list[float]  # process CPU time / (seconds * threads)
    first_step_s: float  # includes compiling, binding, allocating
    threads: int
    device: str
    peak_rss_mb: float  # of the whole process (all modes and batches)
    cuda_peak_mb: float | None = None
    trains: bool | None = None  # a training step changed the weights
    images_per_s: float = field(init=False)
    spread: tuple[float, float] = field(init=False)

    def __post_init__(self):
        self.images_per_s = statistics.median(self.runs)
        self.spread = (min(self.runs), max(self.runs))


def run(configs=tuple(CONFIGS), modes=MODES, batch_sizes=BATCH_SIZES,
        steps: int = STEPS, rounds: int = ROUNDS, warmup: int = WARMUP,
        threads: int | None = None, profile_closest: bool = True,
        profiles=(), progress=print, ceiling_sizes=CEILING_SIZES) -> dict:
    """Measure every configuration in rounds, each in a process of its own.

    ``threads`` (default: the cores other processes leave free when it
    starts, :func:`sidebyside.runtime.free_cores`) is every process's;
    ``ceiling_sizes`` are the matrix sizes of the ceiling
    (:func:`matmul_ceiling`).
    Returns a JSON-ready dict: ``results`` (one per configuration, mode and
    batch size, with every round's figure), the ``ceiling`` before and
    after, the ``cpu_estimate``, ``flops`` per image, each result's
    ``fraction_of_ceiling``, ``busy``: whether and why the machine was
    found busy, and ``profiles``: with ``profile_closest``, for each mode,
    where the time of the configuration closest to the ceiling goes
    (:func:`profile`), and for each ``(config, mode, batch_size)`` of
    ``profiles``, under the key ``"config mode batch_size"``.
    """
    if not threads:
        # one count for every process, taken before any starts: a worker
        # that looked for itself would see the others importing
        from sidebyside.runtime import free_cores
        threads, _ = free_cores()
    ceiling_before = _ceiling_in_subprocess(threads, ceiling_sizes)
    progress(f"float32 matmul before: {ceiling_before['gflops']:.0f} GFLOP/s")
    workers = {}
    try:
        # Every worker imports its framework at once; MXNet's then build
        # their steps side by side (a fraction of a second each), PyTorch's
        # one after the other, so that no compilation is timed beside
        # another.
        progress(f"starting {len(configs)} processes ...")
        for config in configs:
            wanted = [mode for mode in modes if mode in CONFIGS[config].modes]
            if wanted:
                workers[config] = (Worker(config, wanted, batch_sizes,
                                          threads, wait=False), wanted)
        mxnet = [worker for config, (worker, _) in workers.items()
                 if framework_of(config) == "mxnet"]
        for worker in mxnet:
            worker.build()
        for worker in mxnet:
            worker.wait_until_ready()
        for config, (worker, _) in workers.items():
            if framework_of(config) == "torch":
                progress(f"first steps of {config} (compiling, binding, "
                         "allocating) ...")
                worker.build()
                worker.wait_until_ready()
        timings: dict[tuple, list[dict]] = {}
        order = [(config, mode, size) for config, (_, wanted)
                 in workers.items() for mode in wanted for size in batch_sizes]

        pids = [worker.process.pid for worker, _ in workers.values()]

        def one_round(number):
            # every other round in reverse, so that no configuration always
            # follows the same one
            timed = []
            with LoadMeter(pids) as meter:  # a round: seconds, not ticks
                for key in (order if number % 2 == 0 else order[::-1]):
                    config, mode, size = key
                    worker = workers[config][0]
                    if key not in timings:  # untimed warm-up, first round
                        worker.time(mode, size, warmup)
                    timed.append(worker.time(mode, size, steps))
                    timings.setdefault(key, []).append(timed[-1])
            for timing in timed:
                timing["other_cores"] = meter.other_cores

        for number in range(rounds):
            progress(f"round {number + 1} of {rounds} ...")
            one_round(number)
        ceiling_after = _ceiling_in_subprocess(threads, ceiling_sizes)
        busy = _busyness(timings, ceiling_before, ceiling_after)
        if busy["busy"]:
            progress(f"the machine was busy ({'; '.join(busy['reasons'])}): "
                     f"{EXTRA_ROUNDS} more rounds ...")
            for number in range(rounds, rounds + EXTRA_ROUNDS):
                one_round(number)
            ceiling_after = _ceiling_in_subprocess(threads, ceiling_sizes)
            busy = _busyness(timings, ceiling_before, ceiling_after)
        results = []
        ceiling = max(ceiling_before["gflops"], ceiling_after["gflops"])
        for config, (worker, wanted) in workers.items():
            trains = worker.ask("trains") if "train" in wanted else {}
            memory = worker.ask("memory")
            for mode in wanted:
                for size in batch_sizes:
                    timed = timings[config, mode, size]
                    results.append(Result(
                        config=config, mode=mode, batch_size=size,
                        runs=[t["images_per_s"] for t in timed],
                        other_cores=[t["other_cores"] for t in timed],
                        cpu_use=[t["cpu_s"] / t["seconds"]
                                 / worker.ready["threads"] for t in timed],
                        first_step_s=worker.ready["first_step_s"][
                            f"{mode} {size}"],
                        threads=worker.ready["threads"],
                        device=worker.ready["device"],
                        peak_rss_mb=memory["peak_rss_mb"],
                        cuda_peak_mb=memory["cuda_peak_mb"],
                        trains=trains.get(f"{mode} {size}")))
        flops = lenet.lenet_flops()
        report = {"results": [], "flops": flops, "busy": busy,
                  "ceiling": {"gflops": ceiling, "before": ceiling_before,
                              "after": ceiling_after},
                  "cpu_estimate": cpu_estimate(), "rounds": len(
                      next(iter(timings.values()))), "steps": steps,
                  "profiles": {}}
        for result in results:
            row = result.__dict__.copy()
            per_image = flops["train" if result.mode == "train"
                              else "forward"]
            row["ceiling_images_per_s"] = ceiling * 1e9 / per_image
            row["fraction_of_ceiling"] = (result.images_per_s
                                          / row["ceiling_images_per_s"])
            report["results"].append(row)
        for config, mode, size in profiles:
            progress(f"profiling {config}, {mode}, batch {size} ...")
            report["profiles"][f"{config} {mode} {size}"] = {
                "config": config, "mode": mode, "batch_size": size,
                "fraction_of_ceiling": find(report, config, mode, size)[
                    "fraction_of_ceiling"],
                "operators": profile(config, mode, size, threads=threads,
                                     worker=workers[config][0])}
        if profile_closest:
            for mode in modes:
                closest = max((r for r in report["results"]
                               if r["mode"] == mode and r["trains"]
                               is not False),
                              key=lambda r: r["fraction_of_ceiling"])
                progress(f"profiling {closest['config']}, {mode}, batch "
                         f"{closest['batch_size']} ...")
                report["profiles"][mode] = {
                    "config": closest["config"], "mode": mode,
                    "batch_size": closest["batch_size"],
                    "fraction_of_ceiling": closest["fraction_of_ceiling"],
                    "operators": profile(
                        closest["config"], mode, closest["batch_size"],
                        threads=threads,
                        worker=workers[closest["config"]][0])}
    finally:
        for worker, _ in workers.values():
            worker.close()
    return report


def _busyness(timings, ceiling_before, ceiling_after) -> dict:
    """Whether the machine was busy during the rounds, and why."""
    reasons = []
    rounds = {}  # every timing of a round carries the round's figure
    for timed in timings.values():
        for number, timing in enumerate(timed):
            rounds[number] = timing["other_cores"]
    others = [cores for cores in rounds.values() if cores is not None]
    busiest = max(others) if others else None
    if busiest is not None and busiest > BUSY_CORES:
        busy_rounds = sum(other > BUSY_CORES for other in others)
        reasons.append(f"other processes used up to {busiest:.2f} cores, "
                       f"above {BUSY_CORES} in {busy_rounds} of "
                       f"{len(others)} rounds")
    low, high = sorted([ceiling_before["gflops"], ceiling_after["gflops"]])
    if high > (1 + CEILING_TOLERANCE) * low:
        reasons.append(f"the ceiling moved from "
                       f"{ceiling_before['gflops']:.0f} to "
                       f"{ceiling_after['gflops']:.0f} GFLOP/s")
    return {"busy": bool(reasons), "reasons": reasons,
            "busiest_other_cores": busiest}


def find(report: dict, config: str, mode: str, batch_size: int) -> dict:
    """The result of ``config`` in ``mode`` at ``batch_size``."""
    for result in report["results"]:
        if (result["config"], result["mode"], result["batch_size"]) == (
                config, mode, batch_size):
            return result
    raise KeyError((config, mode, batch_size))


def paired_ratios(report: dict, first: str, second: str, mode: str,
                  batch_size: int) -> list[float]:
    """How many times faster ``first`` ran than ``second``, round by round
    (the two were timed minutes apart at most, in the same round)."""
    a = find(report, first, mode, batch_size)["runs"]
    b = find(report, second, mode, batch_size)["runs"]
    return [x / y for x, y in zip(a, b)]


def decide(ratios: list[float], relation: str, bound: float,
           busy: bool) -> bool | None:
    """Whether ``ratio <relation> bound`` holds, from paired ratios.

    On a quiet machine the median of the rounds decides. On a busy one the
    rounds must also agree: True or False when at least :data:`AGREEMENT`
    of them are on the median's side, None when they are not (the figures
    cannot tell)."""
    holds = [(ratio > bound) if relation == ">" else (ratio < bound)
             for ratio in ratios]
    median = statistics.median(ratios)
    median_holds = median > bound if relation == ">" else median < bound
    if not busy:
        return median_holds
    agreeing = sum(held == median_holds for held in holds) / len(holds)
    return median_holds if agreeing >= AGREEMENT else None


def best(report: dict, configs, mode: str, batch_size: int):
    """The fastest of ``configs`` that ran ``mode`` at ``batch_size`` (and,
    for training, changed its weights), with its result."""
    candidates = [r for r in report["results"]
                  if r["config"] in configs and r["mode"] == mode
                  and r["batch_size"] == batch_size and r["trains"] is not
                  False]
    fastest = max(candidates, key=lambda r: r["images_per_s"])
    return fastest["config"], fastest


def table(report: dict) -> str:
    """The report as a fixed-width text table."""
    lines = [f"{'configuration':<22}{'mode':<10}{'batch':>6}{'images/s':>10}"
             f"{'spread':>14}{'ceiling':>8}{'thr':>4}{'RSS MB':>7}"
             f"{'1st s':>7}"]
    for r in report["results"]:
        spread = f"{r['spread'][0]:.0f}-{r['spread'][1]:.0f}"
        flag = "  NO GRADIENT" if r["trains"] is False else ""
        lines.append(
            f"{r['config']:<22}{r['mode']:<10}{r['batch_size']:>6}"
            f"{r['images_per_s']:>10.0f}{spread:>14}"
            f"{100 * r['fraction_of_ceiling']:>7.1f}%{r['threads']:>4}"
            f"{r['peak_rss_mb']:>7.0f}{r['first_step_s']:>7.2f}{flag}")
    ceiling = report["ceiling"]
    sizes = ", ".join(f"{size}: {gflops:.0f}" for size, gflops
                      in ceiling["before"]["by_size"].items())
    lines.append(f"LeNet: {report['flops']['forward'] / 1e6:.2f} MFLOP per "
                 f"image forward, {report['flops']['train'] / 1e6:.2f} "
                 "forward + backward")
    lines.append(f"float32 matmul ceiling: {ceiling['gflops']:.0f} GFLOP/s "
                 f"(best of before {ceiling['before']['gflops']:.0f} and "
                 f"after {ceiling['after']['gflops']:.0f}; by size before: "
                 f"{sizes})")
    estimate = report["cpu_estimate"]
    if estimate:
        lines.append(
            f"CPU estimate: {estimate['cores']} cores x {estimate['lanes']} "
            f"float32 lanes ({estimate['vector']}) x 2 (FMA) x "
            f"{estimate['fma_units']} FMA units x {estimate['ghz']:.2f} GHz"
            f" = {estimate['gflops']:.0f} GFLOP/s (an estimate)")
    busy = report["busy"]
    if busy["busy"]:
        state = "BUSY: " + "; ".join(busy["reasons"])
    else:
        state = (f"quiet (other processes up to "
                 f"{busy['busiest_other_cores'] or 0:.2f} cores)")
    lines.append(f"machine: {state}; {report['rounds']} rounds of "
                 f"{report['steps']} steps")
    return "\n".join(lines)


def profile_table(report: dict) -> str:
    """Where the time goes for each mode's configuration closest to the
    ceiling, as text."""
    lines = []
    for key, entry in report.get("profiles", {}).items():
        closest = (f"closest to the ceiling in {key}: "
                   if key in MODES else "")
        lines.append(f"{closest}{entry['config']}, {entry['mode']}, batch "
                     f"{entry['batch_size']}, "
                     f"{100 * entry['fraction_of_ceiling']:.0f} % of the "
                     "ceiling; its most expensive operators:")
        for row in entry["operators"]:
            lines.append(f"  {row['operator'][:44]:<46}"
                         f"{row['ms_per_step']:>8.2f} ms/step"
                         f"{100 * row['share']:>6.0f} %")
    return "\n".join(lines)


def profile(config: str, mode: str, batch_size: int, steps: int = 10,
            threads: int | None = None,
            worker: Worker | None = None) -> list[dict]:
    """Where the time of ``config`` goes: its ten most expensive operators,
    from ``torch.profiler`` or MXNet's profiler. PyTorch is profiled in
    ``worker`` if one is given (no second compilation); MXNet always in a
    fresh worker with bulk execution off, so that each operator is timed
    on its own rather than in fused segments."""
    if framework_of(config) == "torch" and worker is not None:
        return worker.ask(f"profile {mode} {batch_size} {steps}")
    environment = {}
    if framework_of(config) == "mxnet":
        environment = {"MXNET_EXEC_BULK_EXEC_TRAIN": "0",
                       "MXNET_EXEC_BULK_EXEC_INFERENCE": "0"}
    fresh = Worker(config, [mode], [batch_size], threads, environment)
    try:
        fresh.time(mode, batch_size, steps)  # warm up
        return fresh.ask(f"profile {mode} {batch_size} {steps}")
    finally:
        fresh.close()


def _write_json(path: str, report) -> None:
    with open(path, "w") as output:
        json.dump(report, output, indent=2)
    print(f"JSON written to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sidebyside.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS),
                        choices=list(CONFIGS), metavar="CONFIG",
                        help="; ".join(f"{name}: {config.description}"
                                       for name, config in CONFIGS.items()))
    parser.add_argument("--modes", nargs="+", default=list(MODES),
                        choices=list(MODES))
    parser.add_argument("--batch-sizes", nargs="+", type=int,
                        default=list(BATCH_SIZES))
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--warmup", type=int, default=WARMUP)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--ceiling-sizes", nargs="+", type=int,
                        default=list(CEILING_SIZES),
                        help="matrix sizes of the float32 ceiling")
    parser.add_argument("--json", help="also write the report to this file")
    parser.add_argument("--build-times", action="store_true",
                        help="time a no-change `make html` instead "
                             "(sidebyside.buildtimes)")
    parser.add_argument("--cold", action="store_true",
                        help="with --build-times: also time `make test` in "
                             "a fresh clone (minutes)")
    parser.add_argument("--pages", nargs="*", metavar="SCRIPT",
                        help="compare the training speed of gallery pages "
                             "with the benchmark's (sidebyside.pagecheck)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.worker[0] == "ceiling":
            from sidebyside.runtime import configure_threads
            threads = configure_threads(int(args.worker[1]) or None)
            import torch
            torch.set_num_threads(threads)
            _reply(matmul_ceiling(
                [int(size) for size in args.worker[2].split(",")]))
            return
        config, modes, batch_sizes, threads = args.worker
        serve(config, modes.split(","),
              [int(size) for size in batch_sizes.split(",")],
              int(threads) or None)
        return
    if args.build_times:
        from sidebyside import buildtimes
        for name, seconds in buildtimes.build_times(args.cold).items():
            print(f"{name}: {seconds:.1f}")
        return
    if args.pages is not None:
        from sidebyside import pagecheck
        sys.exit(pagecheck.main(args.pages, args.threads, args.json))
    report = run(args.configs, args.modes, args.batch_sizes, args.steps,
                 args.rounds, args.warmup, args.threads,
                 ceiling_sizes=args.ceiling_sizes)
    print(table(report))
    print(profile_table(report))
    if args.json:
        _write_json(args.json, report)


if __name__ == "__main__":
    main()
