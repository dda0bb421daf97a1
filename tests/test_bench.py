"""The benchmark harness runs and reports well-formed, positive figures.

No test here checks a speed: figures vary from machine to machine and run
to run. The page examples/performance compares them within one run.
"""

import json
import subprocess
import sys

import pytest

from sidebyside import bench


def test_lenet_flops_counted_from_shapes():
    layers = dict(bench.layer_flops())
    # conv1: 20 maps of 24x24, each value a dot product of 1*5*5 terms
    assert layers["conv1: 20@24x24, 1x5x5 terms each"] == 2 * 20 * 576 * 25
    assert bench.lenet_flops() == {
        "forward": 2 * (20 * 576 * 25 + 50 * 64 * 500 + 800 * 512
                        + 512 * 10),
        "train": 3 * bench.lenet_flops()["forward"]}


def test_harness_writes_table_and_json(tmp_path):
    report_path = tmp_path / "report.json"
    configs = ["mxnet-module", "gluon-hybrid", "torch-eager",
               "torch-jit-trace"]
    completed = subprocess.run(
        [sys.executable, "-m", "sidebyside.bench", "--configs", *configs,
         "--batch-sizes", "8", "16", "--steps", "2", "--repeats", "2",
         "--warmup", "1", "--threads", "1", "--json", str(report_path)],
        capture_output=True, text=True, check=True)
    assert "images/s" in completed.stdout
    report = json.loads(report_path.read_text())
    assert report["matmul_gflops"] > 0
    results = report["results"]
    assert len(results) == len(configs) * len(bench.MODES) * 2
    assert {(r["config"], r["mode"], r["batch_size"]) for r in results} == {
        (config, mode, size) for config in configs
        for mode in bench.MODES for size in (8, 16)}
    for result in results:
        assert result["threads"] == 1
        assert len(result["runs"]) == 2
        for key in ("images_per_s", "first_step_s", "peak_rss_mb",
                    "ceiling_images_per_s", "fraction_of_ceiling"):
            assert result[key] > 0, (result["config"], key)
        low, high = result["spread"]
        assert 0 < low <= result["images_per_s"] <= high


def test_worker_failure_is_reported():
    with pytest.raises(RuntimeError, match="no-such-config"):
        bench._in_subprocess(["measure", "no-such-config", "train", "8",
                              "1", "1", "0", "1"])
