"""Threads, devices and the report of what a page ran on.

Every page starts the same way, with one call::

    from sidebyside import runtime
    devices = runtime.start("mxnet", "torch")  # before importing either
    import mxnet as mx
    import torch

:func:`start` sets the threads, imports the frameworks it is given (so
that they read those settings), checks the thread counts they took,
prints what the page runs on and returns the devices to use.
:func:`configure_threads` and :func:`print_setup` are its two halves, for
programs that import the frameworks themselves (the benchmark's workers).

Why threads need care, measured on a 2-core machine:

* MXNet reads ``OMP_NUM_THREADS`` and ``MXNET_CPU_WORKER_NTHREADS`` once, when
  it is imported. Its default (one engine worker, OpenMP threads left to the
  library) trains LeNet about 15 % slower than one worker with one OpenMP
  thread per core; two workers with two threads each oversubscribe the cores.
* ``import mxnet`` drops PyTorch to one intra-op thread in the same process,
  unless ``OMP_NUM_THREADS`` is set before either is imported.
* Both frameworks use one OpenMP runtime per process (``libgomp``), and each
  thread that computes in parallel gets a team of OpenMP threads of its
  own. MXNet computes on its engine's worker thread, PyTorch on the main
  thread. Once a process holds more OpenMP threads than cores, the runtime
  stops them from waiting actively between operators, and each operator
  then waits for its threads to wake: MXNet trained LeNet about a third
  slower in a process where PyTorch (or ``mx.io.MNISTIter``, or a large
  copy on the main thread) had computed. ``mxnet_on_main_thread=True``
  makes MXNet compute on the main thread too (its synchronous
  ``NaiveEngine``), so that both frameworks share one team.
* On a busy machine, a team's threads wait for each other at every
  operator, and one that shares a core with another program waits for its
  time slices: with one core kept busy, LeNet trained about ten times
  slower on two threads, and at two thirds of its quiet speed on one. By
  default :func:`configure_threads` uses only the cores other processes
  leave free (:func:`free_cores`), and :func:`print_setup` says so.

Devices: PyTorch uses CUDA when it is available, else the CPU. MXNet always
runs on the CPU here: its last release (1.9.1) has GPU wheels only up to
CUDA 11, which lack kernels for recent GPUs.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import os
import platform
import shutil
import subprocess
import sys
import time

_DEVICE_VARIABLE = "SIDEBYSIDE_DEVICE"
MXNET_CPU_ONLY_REASON = (
    "MXNet 1.9.1, the last release, ships GPU wheels only up to CUDA 11, "
    "without kernels for recent GPUs, so MXNet runs on the CPU")


def cpu_count() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: Cores that other processes kept busy when :func:`configure_threads`
#: looked (None before it did, or where it could not tell).
busy_cores: int | None = None


def free_cores(sample_seconds: float = 0.2) -> tuple[int, int | None]:
    """The cores other processes leave free, and how many they keep busy.

    Other processes' CPU use is sampled for ``sample_seconds``
    (:class:`sidebyside.load.LoadMeter`) and rounded to whole cores: a core
    counts as taken when other processes use most of it. At least one core
    is free. Where the load cannot be read, every core is.
    """
    from sidebyside.load import LoadMeter

    with LoadMeter() as meter:
        time.sleep(sample_seconds)
    cores = cpu_count()
    if meter.other_cores is None:
        return cores, None
    taken = min(cores - 1, int(meter.other_cores + 0.5))
    return cores - taken, taken


def configure_threads(num_threads: int | None = None, *,
                      mxnet_on_main_thread: bool = False) -> int:
    """Let MXNet and PyTorch use ``num_threads`` (default: every core that
    other processes leave free, :func:`free_cores`).

    Call it before importing either framework: MXNet reads its settings
    when it is imported. It sets ``OMP_NUM_THREADS`` (OpenMP threads per
    operator, read by both frameworks) and ``MXNET_CPU_WORKER_NTHREADS=1``
    (one MXNet engine worker, so operators do not compete for the cores).
    If PyTorch is already imported its thread count is set directly.
    ``mxnet_on_main_thread`` sets ``MXNET_ENGINE_TYPE=NaiveEngine``: MXNet
    then computes each operator on the calling thread, synchronously, and
    shares PyTorch's OpenMP threads (see the module's notes); for pages
    that train with both frameworks in one process. Returns the thread
    count.

    Why not every core on a busy machine: an operator's OpenMP threads wait
    for each other, and one of them sharing a core with another program
    waits for that program's time slices. With one of this project's two
    cores kept busy, LeNet trained about ten times slower on two threads
    than with none busy, and at two thirds of that speed on one thread.
    """
    global busy_cores
    if not num_threads:
        threads, busy_cores = free_cores()
    else:
        threads = num_threads
    if threads < 1:
        raise ValueError(f"num_threads must be at least 1, got {threads}")
    if "mxnet" in sys.modules:
        raise RuntimeError(
            "configure_threads() must run before `import mxnet`: MXNet reads "
            "its thread settings when it is imported.")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["MXNET_CPU_WORKER_NTHREADS"] = "1"
    if mxnet_on_main_thread:
        os.environ["MXNET_ENGINE_TYPE"] = "NaiveEngine"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    return threads


def torch_device(requested: str | None = None):
    """The ``torch.device`` a page should use.

    ``requested`` (or ``$SIDEBYSIDE_DEVICE``) may name ``cpu``, ``cuda`` or
    ``cuda:N``; by default CUDA is used when available, else the CPU. A name
    PyTorch does not know, or CUDA asked for where there is none, raises
    ``ValueError`` with the reason.
    """
    import torch

    name = requested or os.environ.get(_DEVICE_VARIABLE) or (
        "cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise ValueError(f"Unknown device {name!r}: use 'cpu', 'cuda' or "
                         f"'cuda:N' ({error})") from None
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"Device {name!r} is not supported here: use "
                         "'cpu', 'cuda' or 'cuda:N'")
    if device.type == "cuda":
        available = torch.cuda.device_count()
        if available == 0:
            raise ValueError(f"Device {name!r} asked for, but PyTorch sees no "
                             "CUDA GPU: use 'cpu'")
        if device.index is not None and device.index >= available:
            raise ValueError(f"Device {name!r} asked for, but PyTorch sees "
                             f"only {available} CUDA GPU(s)")
    return device


def mxnet_context(requested: str | None = None):
    """The MXNet context a page should use: always the CPU, see above.

    ``requested`` (or ``$SIDEBYSIDE_DEVICE``) naming a GPU raises
    ``ValueError`` explaining why MXNet cannot use it.
    """
    import mxnet as mx

    name = requested or os.environ.get(_DEVICE_VARIABLE) or "cpu"
    if name.split(":")[0] not in ("cpu", "cuda", "gpu"):
        raise ValueError(f"Unknown device {name!r}: use 'cpu'")
    if name != "cpu":
        raise ValueError(f"Device {name!r} asked for MXNet: "
                         f"{MXNET_CPU_ONLY_REASON}.")
    return mx.cpu()


def mxnet_engine() -> str:
    """The engine MXNet runs on in this process: ``MXNET_ENGINE_TYPE``
    (MXNet reads it when imported) or MXNet's default,
    ``ThreadedEnginePerDevice``."""
    return os.environ.get("MXNET_ENGINE_TYPE", "ThreadedEnginePerDevice")


def cpu_model() -> str:
    """The CPU's model name, as ``/proc/cpuinfo`` gives it where it can."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_names() -> list[str]:
    """The machine's NVIDIA GPUs as ``nvidia-smi -L`` lists them (none
    without the tool), whether or not a page uses them."""
    if not shutil.which("nvidia-smi"):
        return []
    listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                             text=True).stdout
    return [line.split(" (UUID")[0].strip()
            for line in listing.splitlines() if line.strip()]


def machine() -> dict:
    """Where and when a result was obtained: CPU, cores (those this process
    may use, and the machine's), GPUs, the versions of the frameworks this
    process imported, and today's date.

    The claim ledger shows it beside each verdict (:mod:`sidebyside.claims`).
    """
    import numpy

    versions = {"Python": platform.python_version(),
                "NumPy": numpy.__version__}
    for label, module in (("MXNet", "mxnet"), ("PyTorch", "torch")):
        if module in sys.modules:
            versions[label] = sys.modules[module].__version__
    return {"cpu": cpu_model(), "cores": cpu_count(),
            "machine_cores": os.cpu_count() or cpu_count(),
            "gpus": gpu_names() or ["none"], "versions": versions,
            "date": datetime.date.today().isoformat()}


def setup_lines() -> list[str]:
    """What this process runs with: versions, devices and threads.

    Only frameworks already imported are described, so a PyTorch page does
    not import MXNet by asking.
    """
    import numpy

    lines = [f"Python {platform.python_version()}, NumPy {numpy.__version__}"]
    if "mxnet" in sys.modules:
        mx = sys.modules["mxnet"]
        lines.append(
            f"MXNet {mx.__version__}: device cpu (no GPU build for current "
            f"CUDA); OMP_NUM_THREADS="
            f"{os.environ.get('OMP_NUM_THREADS', 'unset')}, "
            "MXNET_CPU_WORKER_NTHREADS="
            f"{os.environ.get('MXNET_CPU_WORKER_NTHREADS', 'unset')}, "
            f"engine {mxnet_engine()}")
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        device = torch_device()
        where = str(device)
        if device.type == "cuda":
            where += f" ({torch.cuda.get_device_name(device)})"
        lines.append(f"PyTorch {torch.__version__}: device {where}; "
                     f"{torch.get_num_threads()} intra-op threads")
    if "torchvision" in sys.modules:
        lines.append(f"torchvision {sys.modules['torchvision'].__version__}")
    usable, machine = cpu_count(), os.cpu_count() or cpu_count()
    cores = f"{usable} CPU core{'s' if usable > 1 else ''} available"
    if usable < machine:
        cores += f" to this process (of the machine's {machine})"
    if busy_cores:
        cores += (f", {busy_cores} of them busy with other work when this "
                  "process set its threads (so it uses fewer)")
    lines.append(cores)
    return lines


def print_setup() -> None:
    """Print :func:`setup_lines`, one per line."""
    print("\n".join(setup_lines()))


@dataclasses.dataclass(frozen=True)
class Devices:
    """What :func:`start` set up: the thread count and where each framework
    computes (None for a framework the page did not ask for)."""

    num_threads: int
    mxnet: object = None  # an mx.Context
    torch: object = None  # a torch.device


_started: Devices | None = None
FRAMEWORKS = ("mxnet", "torch")


def start(*frameworks: str, num_threads: int | None = None,
          mxnet_on_main_thread: bool = False) -> Devices:
    """Set a page up: threads, frameworks, report, devices.

    ``frameworks`` names what the page uses, ``"mxnet"`` and/or
    ``"torch"``. In this order, :func:`start`

    1. sets the thread count (:func:`configure_threads`, with
       ``num_threads`` and ``mxnet_on_main_thread``) before either
       framework is imported, since MXNet reads it only then;
    2. imports the frameworks, checks that PyTorch took the thread count
       (``import mxnet`` would otherwise drop it to one) and turns off
       TF32 on a GPU (PyTorch's convolutions on CUDA default to it, a
       10-bit mantissa, and this site compares frameworks in float32);
    3. prints the set-up (:func:`print_setup`);
    4. returns the :class:`Devices` to use: ``devices.mxnet`` is always the
       CPU, ``devices.torch`` a GPU where there is one (or what
       ``$SIDEBYSIDE_DEVICE`` names, :func:`torch_device`).

    Running it again in the same process (a notebook's set-up cell run a
    second time) prints the set-up and returns the same devices; asking
    then for other frameworks or threads raises ``RuntimeError``, since
    MXNet's settings cannot change once it is imported.
    """
    global _started
    unknown = [name for name in frameworks if name not in FRAMEWORKS]
    if unknown or not frameworks:
        raise ValueError(f"start() takes some of {FRAMEWORKS}, got "
                         f"{frameworks}")
    if _started is not None:
        asked = (set(frameworks), num_threads or _started.num_threads)
        had = ({name for name in FRAMEWORKS
                if getattr(_started, name) is not None},
               _started.num_threads)
        if asked != had:
            raise RuntimeError(
                f"this process was started with {sorted(had[0])} on "
                f"{had[1]} threads; restart it (in a notebook: restart the "
                "kernel) to change that")
        print_setup()
        return _started
    threads = configure_threads(num_threads,
                                mxnet_on_main_thread=mxnet_on_main_thread)
    modules = {name: importlib.import_module(name) for name in frameworks}
    mxnet_context_ = torch_device_ = None
    if "torch" in modules:
        torch = modules["torch"]
        torch.set_num_threads(threads)
        if torch.get_num_threads() != threads:
            raise RuntimeError(f"PyTorch runs {torch.get_num_threads()} "
                               f"threads, not the {threads} set")
        torch.backends.cudnn.allow_tf32 = False
        torch_device_ = torch_device()
    if "mxnet" in modules:
        mxnet_context_ = mxnet_context()
    print_setup()
    _started = Devices(threads, mxnet_context_, torch_device_)
    return _started
