"""The timed call of the efficiency check finds its memory already touched, as the reference
does in the grader's long-running process: in a fresh worker, a new V x D gradient used to
fault in thousands of pages (on a busy machine 15-20 ms of the kernel's time, 10x the
reference's whole call), and correct code failed its efficiency check now and then. Counted
from the grader's side in /proc (minor page faults of the worker's processes)."""

import os

import numpy as np
import pytest

from conftest import ROOT
from grader import rubric as rubric_mod
from grader.sandbox.client import LoadRequest, WorkerClient

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")
V, D = 20_000, 50                       # the efficiency checks' size: gradients of 8 MB
PAGES = V * D * 8 // os.sysconf("SC_PAGE_SIZE")


def _tree_stats(root):
    """{pid: its /proc/PID/stat fields after the name} of `root` and its descendants."""
    stats = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stats[int(name)] = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
    tree = [root]
    for pid in tree:
        tree += [child for child, fields in stats.items() if int(fields[1]) == pid]
    return {pid: stats[pid] for pid in tree if pid in stats}


def _minor_faults(root):
    """Minor page faults of `root` and its descendants (field 10 of /proc/PID/stat)."""
    return sum(int(fields[7]) for fields in _tree_stats(root).values())


@pytest.mark.parametrize("fn, extra", [
    ("naiveSoftmaxLossAndGradient", {}),
    ("negSamplingLossAndGradient", {"samples": [1, 2, 3, 4, 5], "good_sigmoid": True})])
def test_the_timed_call_reuses_memory_instead_of_faulting_in_new_pages(fn, extra):
    path = ROOT / "solutions" / "word2vec.py"
    load = LoadRequest(filename=str(path), cells=[{"source": path.read_text(), "label": None,
                                                   "filename": str(path)}],
                       sys_path=[str(ROOT / "exercises")])
    recipe = {"seed": 1, "skip": D, "shape": [V, D]}
    request = {"op": "call", "fn": fn, "args": [None, 3, {"$normal": recipe}, {"$ref": "dataset"}],
               "dataset": {"V": V, "seed": 1}, **extra}
    with WorkerClient(load, rubric_mod.load().limits) as worker:
        worker.start()
        assert worker.call({"op": "keep", "request": request})["ok"]
        before = _minor_faults(worker.process.pid)
        answer = worker.call({"op": "call_kept", "fresh": True, "args_at": [[0, np.ones(D)]]})
        faults = _minor_faults(worker.process.pid) - before
    assert answer["ok"]
    assert faults < PAGES / 10, f"{faults} page faults in the timed call (the gradient: {PAGES} pages)"


REFERENCE_SIDE = """
import resource, sys
sys.path.insert(0, {root!r})
from grader.checks import efficiency, loss_reference, naive_softmax, neg_sampling
faults = []
for check in (naive_softmax, neg_sampling):
    timed = loss_reference._timed(check.FN, check._SPEED_PROBLEM, efficiency.SEEDS[0])
    run = timed.reference

    def counted(run=run):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        outputs = run()
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        return outputs
    timed.reference = counted
    efficiency.reference_seconds(timed)
    print(check.FN, *faults[-efficiency.REFERENCE_RUNS:])
"""


def test_the_reference_is_timed_only_on_memory_it_has_touched():
    """The same on the grader's side: a fresh grading process timing the reference, whose
    fastest run is what counts."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", REFERENCE_SIDE.format(root=str(ROOT))],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    timed_faults = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in out.splitlines()}
    assert len(timed_faults) == 2
    for fn, faults in timed_faults.items():
        assert min(faults) < PAGES / 10, f"{fn}: {faults} page faults in the timed runs"


# -- the timed calls' large inputs are drawn in the background, never beside a timed call --
def _threads(root):
    """Threads of `root` and its descendants, and how many processes they are."""
    tree = _tree_stats(root)
    return sum(len(os.listdir(f"/proc/{pid}/task")) for pid in tree), len(tree)


def test_a_fresh_worker_draws_the_inputs_beside_loading_and_has_ended_that_by_the_timed_call():
    """A worker that did not find them drawn (the template draws before its second fork) draws
    them in a thread from its start; every keep request waits for it, so a timed call's CPU
    time holds the student's work alone: sigmoid's too, whose inputs need no draw (a
    reviewer saw the draw running beside 6 of 10 first timed sigmoid calls)."""
    path = ROOT / "solutions" / "word2vec.py"
    load = LoadRequest(filename=str(path), cells=[{"source": path.read_text(), "label": None,
                                                   "filename": str(path)}],
                       sys_path=[str(ROOT / "exercises")])
    request = {"op": "call", "fn": "sigmoid", "args": [np.linspace(-5, 5, 50_000)]}
    with WorkerClient(load, rubric_mod.load().limits) as worker:
        worker.start()
        assert worker.call({"op": "keep", "request": request})["ok"]
        threads, processes = _threads(worker.process.pid)
        answer = worker.call({"op": "call_kept", "fresh": True, "args_at": []})
    assert answer["ok"]
    assert threads == processes, "a thread beside the timed call"


def test_seeded_normal_waits_for_the_draw_in_the_background(monkeypatch):
    from grader.worker import harness
    monkeypatch.setattr(harness, "_last_seeded", [None, None])
    harness.predraw_soon()
    harness.predraw_soon()   # one draw at a time
    assert len(harness._predrawing) == 1
    drawn = harness.seeded_normal(harness.PREDRAWN)
    assert not harness._predrawing
    rng = np.random.default_rng(harness.PREDRAWN["seed"])
    rng.standard_normal(harness.PREDRAWN["skip"])
    assert np.array_equal(drawn, rng.standard_normal(harness.PREDRAWN["shape"]))
    drawn[0, 0] += 1.0   # each caller gets its own copy
    assert harness.seeded_normal(harness.PREDRAWN)[0, 0] != drawn[0, 0]
    harness.predraw_soon()   # drawn already: no thread
    assert not harness._predrawing


def test_the_grader_draws_them_in_the_background_and_times_the_reference_alone(monkeypatch):
    """Both loss functions' prepare() start one draw; the efficiency check waits for it
    before it times anything."""
    from grader.checks import efficiency, loss_reference, naive_softmax, neg_sampling
    from grader.checks.framework import Failure
    from grader.worker import harness
    monkeypatch.setattr(loss_reference, "_drawn", {})
    monkeypatch.setattr(loss_reference, "_drawing", set())
    monkeypatch.setattr(efficiency, "_background", [])
    naive_softmax.prepare()
    neg_sampling.prepare()
    assert len(efficiency._background) == 1
    running = []

    def make():
        running.append(len(efficiency._background))
        raise Failure("stop here")
    outcome = efficiency.compare_speed(None, "V = 1", [make])
    assert not outcome.passed and running == [0]
    problem = naive_softmax._SPEED_PROBLEM
    assert np.array_equal(loss_reference._outside_vectors(problem.V, problem.D, problem.seed),
                          harness.seeded_normal(harness.PREDRAWN))
