"""`make bench` checks issue 17's targets itself: each as a ratio or a figure of one run."""

import importlib.util
import subprocess
import sys
import time

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(_spec)   # bench/run.py: a script, not a package
_spec.loader.exec_module(bench)


def _result(reference, buggy, shrunk, batch_wall, batch_cpu, batch_mb, floor=0.1):
    def row(name, median, cpu=1.0, **more):
        return dict(name=name, median=median, cpu_median=cpu, **more)
    return {"floor_seconds": floor, "peak_rss": {"worker_mb": {"median": 71}},
            "rows": [row("floor: import numpy", floor),
                     row("grade reference (solutions/word2vec.py)", reference),
                     row(f"grade buggy ({bench.BUGGY})", buggy),
                     row(f"grade buggy, shrunk by Hypothesis ({bench.SHRUNK})", shrunk),
                     row(f"batch {bench.BATCH_SIZE} submissions -j 2 (per submission)", batch_wall,
                         batch_cpu, memory_mb={"median": batch_mb})]}


def test_targets_are_ratios_of_one_run_and_say_whether_they_are_met():
    figures = bench.target_figures(_result(0.6, 0.66, 0.9, 0.25, 0.45, 380))
    assert abs(figures["correct"] - 6.0) < 1e-9          # 0.6 s over a 0.1 s floor
    assert abs(figures["buggy"] - 1.1) < 1e-9 and abs(figures["shrunk"] - 1.5) < 1e-9
    assert abs(figures["batch_wall"] - 2.5) < 1e-9
    assert (figures["batch_cpu"], figures["batch_memory"], figures["worker_memory"]) == (0.45, 380, 71)
    met = {line.split(" | ")[0][2:]: line.rstrip(" |").rsplit("| ", 1)[1]
           for line in bench.target_lines(_result(0.6, 0.66, 0.9, 0.25, 0.45, 380))
           if line.startswith("| ") and not line.startswith("| target")}
    assert list(met.values()) == ["yes", "yes", "NO", "yes", "yes", "yes", "yes"], met
    slow = bench.target_lines(_result(0.7, 0.7, 0.7, 0.3, 0.6, 500))
    assert sum(line.endswith("| NO |") for line in slow) == 4   # wall, batch wall, CPU, memory
    assert not any("were set for" in line for line in slow)


def test_a_smaller_batch_than_the_targets_is_said(monkeypatch):
    monkeypatch.setattr(bench, "BATCH_SIZE", 20)
    lines = bench.target_lines(_result(0.6, 0.66, 0.9, 0.25, 0.45, 380))
    assert "The batch targets were set for 100 submissions; this run's batches had 20." in lines


GRANDPARENT = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # so that the grandchild is killed too
grandchild = subprocess.Popen([sys.executable, "-c",
    "import time; b = bytearray(64 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"])
print(grandchild.pid, flush=True)
try:
    time.sleep(30)
finally:
    grandchild.kill()
"""


def test_a_batch_row_counts_the_memory_of_every_descendant():
    child = subprocess.Popen([sys.executable, "-c", GRANDPARENT], stdout=subprocess.PIPE,
                             text=True)
    try:
        grandchild = int(child.stdout.readline())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and bench._pss_kib(grandchild) < 60 << 10:
            time.sleep(0.05)
        tree = bench._tree(bench.os.getpid())
        assert child.pid in tree and grandchild in tree
        assert sum(map(bench._pss_kib, tree)) >= 60 << 10
    finally:
        child.terminate()
        child.wait()
    assert bench._pss_kib(child.pid) == 0


def test_a_smaller_batch_than_the_targets_is_said(monkeypatch):
    monkeypatch.setattr(bench, "BATCH_SIZE", 20)
    lines = bench.target_lines(_result(0.6, 0.66, 0.9, 0.25, 0.45, 380))
    assert "The batch targets were set for 100 submissions; this run's batches had 20." in lines


def test_a_batch_row_counts_the_memory_of_every_descendant():
    child = subprocess.Popen([sys.executable, "-c",
                              "import time; b = bytearray(64 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and bench._pss_kib(child.pid) < 60 << 10:
            time.sleep(0.05)
        assert child.pid in bench._tree(bench.os.getpid())
        assert bench._pss_kib(child.pid) >= 60 << 10
    finally:
        child.kill()
        child.wait()
    assert bench._pss_kib(child.pid) == 0
