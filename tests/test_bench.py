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


# ------------------------------------------ the pages against the harness
PACED_PAGE = '''
from sidebyside import runtime
runtime.configure_threads(1)
import torch
from sidebyside.bench import EpochTimer, record_training_speed, _torch_step

step, sync = _torch_step("torch-eager", "train", 8)
timer = EpochTimer("torch-eager", 8)
for epoch in range(3):
    timer.start()
    for _ in range(5):
        step()
    sync()
    timer.stop()
print("trained")
record_training_speed("tiny/plot_tiny", timer, 5 * 8)
'''


def test_epoch_timer_refuses_unknown_configuration():
    with pytest.raises(ValueError, match="unknown configuration 'keras'"):
        bench.EpochTimer("keras", 64)


def test_training_speed_is_the_median_epoch_and_is_recorded(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    monkeypatch.delenv("SIDEBYSIDE_PACE", raising=False)
    timer = bench.EpochTimer("gluon", 50)
    timer.seconds = [4.0, 1.0, 2.0]  # the first epoch warms up
    assert bench.record_training_speed("topic/plot_page", timer, 100) == 50
    entry, = bench.recorded_speeds(tmp_path)
    assert entry == {"page": "topic/plot_page", "config": "gluon",
                     "batch_size": 50, "images_per_s": 50.0,
                     "epoch_images_per_s": [25.0, 100.0, 50.0]}
    assert bench.speed_file(tmp_path, "topic/plot_page").is_file()


def test_compare_takes_the_median_of_epoch_ratios():
    entry = {"page": "p", "config": "gluon", "batch_size": 50,
             "images_per_s": 90.0, "epoch_images_per_s": [50, 90, 95]}
    # the machine slowed down during the second epoch and the run after it
    row = bench.compare(entry, [100, 60, 100])
    assert row["ratio"] == pytest.approx(0.95)
    assert row["reaches"]
    assert not bench.compare(entry, [100, 200, 200])["reaches"]
    with pytest.raises(ValueError, match="3 epochs but 2 harness runs"):
        bench.compare(entry, [100, 100])


def test_pages_are_paced_by_the_harness(tmp_path):
    script = tmp_path / "plot_tiny.py"
    script.write_text(PACED_PAGE)
    row, = bench.check_pages([script], threads=1, attempts=1,
                             progress=lambda _: None)
    assert (row["page"], row["config"], row["batch_size"]) == (
        "tiny/plot_tiny", "torch-eager", 8)
    # one harness run after each of the page's epochs
    assert len(row["harness_runs"]) == len(row["epoch_images_per_s"]) == 3
    assert all(speed > 0 for speed in row["harness_runs"])
    assert row["ratio"] > 0
    assert "tiny/plot_tiny" in bench.pages_table([row])


def test_a_page_below_the_threshold_is_run_again(tmp_path, monkeypatch):
    ratios = iter([0.5, 0.95, 0.7])
    runs = []

    def paced_rows(script, threads):
        runs.append(script)
        ratio = next(ratios)
        return [{"page": "p", "config": "gluon", "batch_size": 50,
                 "ratio": ratio, "reaches": ratio >= 0.9}]

    monkeypatch.setattr(bench, "_paced_rows", paced_rows)
    row, = bench.check_pages(["plot_p.py"], progress=lambda _: None)
    assert runs == ["plot_p.py", "plot_p.py"]  # stops once it reaches
    assert (row["ratio"], row["attempt"]) == (0.95, 2)
    monkeypatch.setattr(bench, "_paced_rows", lambda *_: [
        {"page": "p", "config": "gluon", "batch_size": 50, "ratio": 0.7,
         "reaches": False}])
    row, = bench.check_pages(["plot_p.py"], attempts=3,
                             progress=lambda _: None)
    assert not row["reaches"]


def test_a_failing_page_is_reported(tmp_path):
    script = tmp_path / "plot_broken.py"
    script.write_text("raise SystemExit('no data here')\n")
    with pytest.raises(RuntimeError, match="no data here"):
        bench.check_pages([script], attempts=1, progress=lambda _: None)


def test_lenet_page_records_the_harness_configurations():
    assert [script.name for script in bench.recording_pages()] == [
        "plot_lenet.py"]
    source = (bench.EXAMPLES / "lenet" / "plot_lenet.py").read_text()
    for config in ("mxnet-module", "gluon", "torch-eager"):
        assert f'EpochTimer("{config}", batch_size)' in source
