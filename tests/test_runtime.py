"""Unit tests of sidebyside.runtime: threads, devices, the setup report."""

import os
import subprocess
import sys
import textwrap

import pytest

from sidebyside import runtime


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; return what it printed."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("OMP_NUM_THREADS",
                                  "MXNET_CPU_WORKER_NTHREADS",
                                  "MXNET_ENGINE_TYPE")}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                            text=True, capture_output=True, check=True,
                            env=environment)
    return result.stdout.strip()


def test_importing_mxnet_drops_torch_to_one_thread():
    # The problem configure_threads() solves, shown where it applies.
    if runtime.cpu_count() < 2:
        pytest.skip("needs at least two cores to show a drop")
    printed = run_python("""
        import torch, mxnet
        print(torch.get_num_threads())
    """)
    assert printed == "1"


def test_configure_threads_keeps_every_free_core_for_both():
    printed = run_python("""
        from sidebyside import runtime
        threads = runtime.configure_threads()
        import mxnet, torch
        import os
        print(threads, torch.get_num_threads(),
              os.environ["MXNET_CPU_WORKER_NTHREADS"],
              runtime.busy_cores or 0)
    """)
    threads, torch_threads, workers, busy = map(int, printed.split())
    # every core, less those other processes kept busy when it looked
    assert threads == torch_threads == runtime.cpu_count() - busy
    assert workers == 1


def test_mxnet_on_main_thread_selects_the_naive_engine():
    printed = run_python("""
        from sidebyside import runtime
        runtime.configure_threads(mxnet_on_main_thread=True)
        import mxnet
        print([line for line in runtime.setup_lines() if "MXNet" in line])
    """)
    assert "engine NaiveEngine" in printed


def test_mxnet_keeps_its_threaded_engine_by_default():
    printed = run_python("""
        from sidebyside import runtime
        runtime.configure_threads()
        import mxnet
        print([line for line in runtime.setup_lines() if "MXNet" in line])
    """)
    assert "engine ThreadedEnginePerDevice" in printed


def test_configure_threads_after_mxnet_is_refused():
    printed = run_python("""
        import mxnet
        from sidebyside import runtime
        try:
            runtime.configure_threads()
        except RuntimeError as error:
            print(error)
    """)
    assert "must run before `import mxnet`" in printed


def test_configure_threads_rejects_zero():
    with pytest.raises(ValueError):
        runtime.configure_threads(-1)


def test_torch_device_default_and_cpu(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.delenv("SIDEBYSIDE_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert runtime.torch_device().type == expected
    assert runtime.torch_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("SIDEBYSIDE_DEVICE", "cpu")
    assert runtime.torch_device() == torch.device("cpu")


@pytest.mark.parametrize("name, message", [
    ("gpu0", "Unknown device 'gpu0'"),
    ("meta", "not supported here"),
    ("cuda:99", "CUDA"),
])
def test_torch_device_refuses_bad_names(name, message):
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        runtime.torch_device(name)


def test_mxnet_context_is_cpu_and_explains_gpu():
    printed = run_python("""
        from sidebyside import runtime
        print(runtime.mxnet_context())
        for name in ("gpu", "tpu"):
            try:
                runtime.mxnet_context(name)
            except ValueError as error:
                print(error)
    """)
    lines = printed.splitlines()
    assert lines[0] == "cpu(0)"
    assert "CUDA 11" in lines[1]
    assert "Unknown device 'tpu'" in lines[2]


def test_setup_lines_describe_what_is_imported():
    printed = run_python("""
        from sidebyside import runtime
        runtime.configure_threads(1)
        import torch
        runtime.print_setup()
    """)
    assert "PyTorch" in printed and "1 intra-op threads" in printed
    assert "MXNet" not in printed  # not imported, so not described
    assert "Python 3." in printed


def test_machine_names_cpu_cores_gpus_versions_and_date():
    import datetime

    machine = runtime.machine()
    assert machine["cpu"] and machine["cores"] == runtime.cpu_count()
    assert machine["machine_cores"] == os.cpu_count()
    assert machine["gpus"] == (runtime.gpu_names() or ["none"])
    assert machine["versions"]["Python"].startswith("3.11")
    assert "NumPy" in machine["versions"]
    assert machine["date"] == datetime.date.today().isoformat()


def test_a_busy_core_is_left_to_its_program(busy_core):
    # One core is kept busy: a page then uses the others, since OpenMP
    # threads sharing a core with another program wait for its time slices
    # (about ten times slower here).
    if runtime.cpu_count() < 2:
        pytest.skip("needs at least two cores to leave one")
    free, taken = runtime.free_cores()
    assert taken >= 1 and free == runtime.cpu_count() - taken
    printed = run_python("""
        from sidebyside import runtime
        print(runtime.configure_threads())
        print(runtime.setup_lines()[-1])
    """).splitlines()
    assert int(printed[0]) == runtime.cpu_count() - 1
    assert "busy with other work" in printed[1]


def test_start_sets_threads_before_importing_and_returns_devices():
    printed = run_python("""
        import sys
        from sidebyside import runtime
        devices = runtime.start("mxnet", "torch", num_threads=2)
        import torch
        print("RESULT", devices.num_threads, torch.get_num_threads(),
              devices.mxnet, devices.torch.type in ("cpu", "cuda"),
              torch.backends.cudnn.allow_tf32)
    """)
    assert "RESULT 2 2 cpu(0) True False" in printed
    # the set-up report is printed before the result
    assert printed.index("PyTorch") < printed.index("RESULT")


def test_start_imports_only_what_the_page_asks_for():
    printed = run_python("""
        import sys
        from sidebyside import runtime
        devices = runtime.start("torch", num_threads=1)
        print("RESULT", "mxnet" in sys.modules, devices.mxnet)
    """)
    assert printed.endswith("RESULT False None")


def test_start_again_reports_again_and_refuses_a_change():
    # what a notebook's set-up cell, run twice, does
    printed = run_python("""
        from sidebyside import runtime
        first = runtime.start("mxnet", num_threads=1)
        again = runtime.start("mxnet")
        print("SAME", again is first)
        try:
            runtime.start("mxnet", "torch")
        except RuntimeError as error:
            print("REFUSED", error)
    """)
    assert "SAME True" in printed
    assert "REFUSED this process was started with ['mxnet'] on 1" in printed
    assert printed.count("MXNet 1.9.1") == 2


def test_start_refuses_an_unknown_framework():
    with pytest.raises(ValueError, match="start\\(\\) takes some of"):
        runtime.start("tensorflow")
