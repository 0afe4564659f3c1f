"""Shared helpers for the benchmarks: machine description and interleaved timing.

Benchmarks measure speed; they never assert. Every comparison runs the competing
implementations interleaved (A, B, A, B, ...) in one process on the same inputs, and reports the
median of several repeats and the ratio of medians, so that a machine that is busy or throttled
affects both sides alike.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time


def machine() -> dict:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        import numpy, scipy

        info["numpy"], info["scipy"] = numpy.__version__, scipy.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        import keras
        import tensorflow as tf

        info["tensorflow"], info["keras"] = tf.__version__, keras.__version__
        info["gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
    except ImportError:  # pragma: no cover
        pass
    try:
        info["load_average_at_start"] = os.getloadavg()[0]
    except OSError:  # pragma: no cover
        pass
    return info


def interleaved(functions: dict, repeats: int = 5, warmup: int = 1) -> dict:
    """Time each function ``repeats`` times, interleaved; return {name: {median, all}} in seconds."""
    for _ in range(warmup):
        for fn in functions.values():
            fn()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: {"median_s": statistics.median(ts), "all_s": ts} for name, ts in times.items()}


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title}")
    for key, value in rows:
        print(f"  {key:<48} {value}")
