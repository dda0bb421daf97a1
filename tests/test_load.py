"""Unit tests of sidebyside.load: what other processes used meanwhile."""

import time

import pytest

from sidebyside import load


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_own_work_is_not_counted_as_other_load(quiet_machine):
    with load.LoadMeter() as meter:
        spin(1.0)
    assert meter.seconds == pytest.approx(1.0, abs=0.1)
    # the bound: this process spun one core; on a quiet machine the rest
    # is the kernel's background, a few thousandths of a core
    assert meter.other_cores < load.BUSY_CORES
    assert not meter.busy


def test_a_spinning_process_is_other_load(busy_core):
    meter = load.LoadMeter().start()
    time.sleep(1.5)
    assert meter.stop() == meter.other_cores
    # the spinner keeps one core busy: about 1, well above the bound
    assert meter.other_cores > 0.7
    assert meter.busy
    assert "MEASURED ON A BUSY MACHINE" in load.busy_note(meter.other_cores)


def test_busy_note_says_quiet_or_unknown():
    assert "a quiet machine" in load.busy_note(0.01)
    assert "could not be read" in load.busy_note(None)
