"""Unit tests of sidebyside.timers: the pages' epoch timer and records."""

import pytest

from sidebyside import timers


def test_epoch_timer_refuses_unknown_configuration():
    with pytest.raises(ValueError, match="unknown configuration 'keras'"):
        timers.EpochTimer("keras", 64)


def test_training_speed_is_the_median_epoch_and_is_recorded(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    monkeypatch.delenv(timers.PACE_VARIABLE, raising=False)
    timer = timers.EpochTimer("gluon", 50)
    timer.seconds = [4.0, 1.0, 2.0]  # the first epoch warms up
    timer.other_cores = [0.0, 0.01, None]
    assert timers.record_training_speed("topic/plot_page", timer, 100) == 50
    assert "a quiet machine" in capsys.readouterr().out
    entry, = timers.recorded_speeds(tmp_path)
    assert entry == {"page": "topic/plot_page", "config": "gluon",
                     "batch_size": 50, "images_per_s": 50.0,
                     "epoch_images_per_s": [25.0, 100.0, 50.0],
                     "epoch_other_cores": [0.0, 0.01, None]}
    assert timers.speed_file(tmp_path, "topic/plot_page").is_file()


def test_epochs_on_a_busy_machine_are_marked(busy_core, monkeypatch,
                                             capsys):
    monkeypatch.delenv("SIDEBYSIDE_RECORDS", raising=False)
    monkeypatch.delenv(timers.PACE_VARIABLE, raising=False)
    import time
    timer = timers.EpochTimer("torch-eager", 8)
    for _ in range(2):
        timer.start()
        time.sleep(1.0)
        timer.stop()
    assert all(cores > 0.7 for cores in timer.other_cores)
    timers.record_training_speed("topic/plot_page", timer, 80)
    assert "MEASURED ON A BUSY MACHINE" in capsys.readouterr().out


def test_only_the_lenet_page_records_speeds_of_the_benchmark_configs():
    assert [script.name for script in timers.recording_pages()] == [
        "plot_lenet.py"]
    source = (timers.EXAMPLES / "lenet" / "plot_lenet.py").read_text()
    for config in ("mxnet-module", "gluon", "torch-eager"):
        assert f'EpochTimer("{config}", batch_size)' in source
