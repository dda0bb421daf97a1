"""The benchmark runs and reports well-formed figures, and notices a busy
machine.

No test here checks a speed: figures vary from machine to machine and run
to run. The page examples/performance compares them within one run.
"""

import json
import subprocess
import sys

import pytest

from sidebyside import bench, lenet

# The short benchmark of these tests: one small batch, two rounds, and a
# ceiling of small matrices (the default's 4096s take 4 of its 8 s).
SMALL = {"batch_sizes": (8,), "steps": 2, "rounds": 2, "warmup": 1,
         "threads": 1, "progress": lambda message: None,
         "ceiling_sizes": (256, 512)}


def test_lenet_flops_counted_from_shapes():
    layers = dict(lenet.layer_flops())
    # conv1: 20 maps of 24x24, each value a dot product of 1*5*5 terms
    assert layers["conv1: 20@24x24, 1x5x5 terms each"] == 2 * 20 * 576 * 25
    assert lenet.lenet_flops() == {
        "forward": 2 * (20 * 576 * 25 + 50 * 64 * 500 + 800 * 512
                        + 512 * 10),
        "train": 3 * lenet.lenet_flops()["forward"]}


def test_benchmark_writes_table_and_json(tmp_path):
    report_path = tmp_path / "report.json"
    configs = ["mxnet-module", "gluon-hybrid", "torch-eager",
               "torch-jit-trace"]
    completed = subprocess.run(
        [sys.executable, "-m", "sidebyside.bench", "--configs", *configs,
         "--batch-sizes", "8", "16", "--steps", "2", "--rounds", "2",
         "--warmup", "1", "--threads", "1", "--ceiling-sizes", "256", "512",
         "--json", str(report_path)],
        capture_output=True, text=True, check=True)
    assert "images/s" in completed.stdout
    assert "float32 matmul ceiling" in completed.stdout
    assert "its most expensive operators" in completed.stdout
    report = json.loads(report_path.read_text())
    assert report["ceiling"]["gflops"] > 0
    assert set(report["ceiling"]["before"]["by_size"]) == {"256", "512"}
    results = report["results"]
    assert {(r["config"], r["mode"], r["batch_size"]) for r in results} == {
        (config, mode, size) for config in configs
        for mode in bench.MODES for size in (8, 16)}
    for result in results:
        assert result["threads"] == 1
        assert len(result["runs"]) == report["rounds"] >= 2
        for key in ("images_per_s", "first_step_s", "peak_rss_mb",
                    "ceiling_images_per_s", "fraction_of_ceiling"):
            assert result[key] > 0, (result["config"], key)
        low, high = result["spread"]
        assert 0 < low <= result["images_per_s"] <= high
        assert result["trains"] is (True if result["mode"] == "train"
                                    else None), result["config"]
    assert set(report["profiles"]) == set(bench.MODES)


def test_a_configuration_without_gradients_is_flagged_not_ranked():
    report = bench.run(["gluon-hybrid", "gluon-hybrid-mkldnn"],
                       modes=["train"], profile_closest=False, **SMALL)
    assert bench.find(report, "gluon-hybrid-mkldnn", "train", 8)[
        "trains"] is False
    assert "NO GRADIENT" in bench.table(report)
    assert bench.best(report, ["gluon-hybrid", "gluon-hybrid-mkldnn"],
                      "train", 8)[0] == "gluon-hybrid"


def test_worker_failure_is_reported():
    with pytest.raises(RuntimeError, match="no-such-config"):
        bench.Worker("no-such-config", ["train"], [8], 1)


def test_paired_ratios_and_decisions():
    report = {"results": [
        {"config": "a", "mode": "train", "batch_size": 8,
         "runs": [200, 150, 400]},
        {"config": "b", "mode": "train", "batch_size": 8,
         "runs": [100, 100, 100]}]}
    ratios = bench.paired_ratios(report, "a", "b", "train", 8)
    assert ratios == [2.0, 1.5, 4.0]
    # quiet: the median decides; busy: the rounds must agree as well
    assert bench.decide(ratios, ">", 1.8, busy=False) is True
    assert bench.decide(ratios, ">", 1.8, busy=True) is None
    assert bench.decide(ratios, ">", 1.2, busy=True) is True
    assert bench.decide(ratios, "<", 1.2, busy=True) is False


def test_cpu_estimate_from_flags_and_clock():
    cpuinfo = "flags\t: fpu sse fma avx avx2 avx512f\ncpu MHz\t\t: 2600.000\n"
    estimate = bench.cpu_estimate(cpuinfo, cores=2)
    assert (estimate["vector"], estimate["lanes"], estimate["fma_units"]) \
        == ("AVX-512", 16, 2)
    assert estimate["gflops"] == pytest.approx(2 * 16 * 2 * 2 * 2.6)
    assert bench.cpu_estimate("flags\t: fpu sse\n", cores=2) is None


def test_a_busy_machine_is_noticed_and_measured_again(busy_core):
    # The short benchmark beside a process spinning on one core: the
    # report must say busy, run the extra rounds, and a comparison it
    # decides must be one that most rounds agree with.
    report = bench.run(["gluon", "gluon-hybrid"], modes=["inference"],
                       profile_closest=False, **SMALL)
    assert report["busy"]["busy"], report["busy"]
    assert any("other processes used" in reason
               for reason in report["busy"]["reasons"])
    assert report["rounds"] == SMALL["rounds"] + bench.EXTRA_ROUNDS
    assert "machine: BUSY" in bench.table(report)
    ratios = bench.paired_ratios(report, "gluon-hybrid", "gluon",
                                 "inference", 8)
    decision = bench.decide(ratios, ">", 1.0, busy=True)
    if decision is not None:
        agreeing = sum((ratio > 1.0) == decision for ratio in ratios)
        assert agreeing >= bench.AGREEMENT * len(ratios)
