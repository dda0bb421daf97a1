"""The timer the pages use for their training loops, and its records.

A page times each epoch's training with an :class:`EpochTimer` and calls
:func:`record_training_speed` at the end: it prints the median epoch's
images/s, says whether other processes were busy meanwhile
(:mod:`sidebyside.load`), and, where the site build asks for records,
writes the epochs' figures for the check of the pages against the
benchmark (:mod:`sidebyside.pagecheck`).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from sidebyside import claims
from sidebyside.load import LoadMeter, busy_note

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: Set by the check of the pages (:mod:`sidebyside.pagecheck`), so that a timer
#: then hands over to the benchmark after each epoch.
PACE_VARIABLE = "SIDEBYSIDE_PACE"


class EpochTimer:
    """Seconds of training in each epoch of a page's loop.

    Call ``start`` when an epoch's training begins and ``stop`` when it
    ends; ``seconds`` holds one figure per epoch and ``other_cores`` what
    other processes used meanwhile. ``config`` names the benchmark
    configuration that trains the same network the same way
    (:data:`sidebyside.bench.CONFIGS`), at ``batch_size``.
    """

    def __init__(self, config: str, batch_size: int):
        from sidebyside.bench import CONFIGS

        if config not in CONFIGS:
            raise ValueError(f"unknown configuration {config!r}: one of "
                             f"{', '.join(CONFIGS)}")
        self.config, self.batch_size = config, batch_size
        # the page's threads, for the benchmark to use the same
        self.threads = int(os.environ.get("OMP_NUM_THREADS") or 0) or None
        self.seconds: list[float] = []
        self.other_cores: list[float | None] = []
        self.start()

    def start(self) -> None:
        self._meter = LoadMeter().start()
        self.started = time.perf_counter()

    def stop(self) -> None:
        self.seconds.append(time.perf_counter() - self.started)
        self.other_cores.append(self._meter.stop())
        if os.environ.get(PACE_VARIABLE):
            from sidebyside import pagecheck
            pagecheck.hand_over(self.config, self.batch_size, self.threads)


def speed_file(directory: str | os.PathLike, page: str) -> Path:
    """Where the training speeds ``page`` records go, under ``directory``."""
    return claims.record_file(Path(directory) / "speeds", page)


def record_training_speed(page: str, timer: EpochTimer,
                          images_per_epoch: int) -> float:
    """Record how fast ``page`` trained, epoch by epoch, from ``timer``.

    The median epoch gives the images/s, as the benchmark's median run
    does. The figure is printed with a note on the machine's other load,
    and written where ``$SIDEBYSIDE_RECORDS`` names a folder, for
    ``python -m sidebyside.bench --pages`` to compare with the benchmark.
    Returns the images/s.
    """
    epoch_speeds = [images_per_epoch / seconds for seconds in timer.seconds]
    images_per_s = statistics.median(epoch_speeds)
    known = [cores for cores in timer.other_cores if cores is not None]
    other_cores = max(known) if known else None
    print(f"{page}: {timer.config} trained at {images_per_s:,.0f} images/s "
          f"(batch {timer.batch_size}, median of {len(epoch_speeds)} "
          f"epochs) {busy_note(other_cores)}")
    directory = claims.records_dir()
    if directory is not None:
        claims.add_entry(speed_file(directory, page), timer.config, {
            "page": page, "config": timer.config,
            "batch_size": timer.batch_size, "images_per_s": images_per_s,
            "epoch_images_per_s": epoch_speeds,
            "epoch_other_cores": timer.other_cores})
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
