"""Workers forked from the template (grader/sandbox/template.py) see nothing of any earlier
submission, and the template itself never holds a submission's data.

tests/corpus/hostile/leave_traces.py plants a secret wherever a later worker could look
(numpy, builtins, the environment, sys.modules, the worker's modules, sys.path, /tmp,
/dev/shm, its heap); look_for_traces.py, loaded next by the same grading process (so forked
from the same template), looks in each place and scans its own memory for the secret, which
its source spells only in two halves (and shows the scan works on a copy it makes itself).
"""

import os
import re

import pytest

from grader import submission
from grader.paths import EXERCISES_DIR, KIT_ROOT
from grader.sandbox import launch, templates
from grader.sandbox.client import LoadRequest, WorkerClient

HOSTILE = KIT_ROOT / "tests" / "corpus" / "hostile"
TRACE = b"W2V-TRACE-7f3a9c41d2e8b6"   # build_hostile.TRACE

pytestmark = pytest.mark.skipif(not templates.enabled(), reason="the template is Linux-only")


def load_only(name):
    """Load a corpus file in a worker (from this process's template) and stop it: (what it
    printed, the protections it ran under)."""
    path = HOSTILE / f"{name}.py"
    sub = submission.load(path)
    request = LoadRequest(filename=str(path), cells=sub.cells,
                          sys_path=[str(HOSTILE), str(EXERCISES_DIR)])
    with WorkerClient(request, launch.Limits()) as worker:
        answer = worker.start()
        assert answer.get("ok"), answer
        worker.stop()
        return worker.captured_output(), worker.protections


@pytest.fixture(params=["auto", "process"])
def mode(request, monkeypatch):
    monkeypatch.setenv(launch.MODE_VARIABLE, request.param)
    _remove_host_traces()
    yield request.param
    _remove_host_traces()


def _remove_host_traces():
    """Reduced mode shares the host's /tmp and /dev/shm: leave_traces may write there."""
    for folder in ("/tmp", "/dev/shm"):
        try:
            os.unlink(os.path.join(folder, "w2v_trace"))
        except OSError:
            pass


def test_a_forked_worker_sees_nothing_of_the_previous_submission(mode):
    template = templates.shared()
    assert template is not None
    before = template.spawned
    left, _ = load_only("leave_traces")
    seen, protections = load_only("look_for_traces")
    assert templates.shared() is template and template.spawned == before + 2, \
        "both workers must come from the same template"
    assert "could not" not in left or "/dev/shm" in left, left   # it did plant its traces
    found = re.search(r"traces found: (.*) \| own copy seen: (\w+)", seen)
    assert found, seen
    places = found.group(1)
    if protections.get("namespaces"):
        assert places == "none", seen
    else:
        # Reduced mode shares the host's /tmp (README, Security model); nothing else.
        assert places in ("none", "/tmp", "/tmp, /dev/shm", "/dev/shm"), seen
    assert found.group(2) == "True", "the memory scan must see a copy the worker made itself"


def _memory(pid):
    """The readable memory of process `pid`, region by region (read from /proc: the
    template runs as this user)."""
    with open(f"/proc/{pid}/maps") as handle:
        maps = handle.read().splitlines()
    with open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            low, high = (int(x, 16) for x in parts[0].split("-"))
            if "r" not in parts[1] or high - low > 2**28 or parts[-1].startswith("[v"):
                continue
            try:
                mem.seek(low)
                yield mem.read(high - low)
            except (OSError, ValueError, OverflowError):
                continue


def test_the_template_never_holds_a_submissions_data(mode):
    """After a worker planted the secret, the template's own memory does not hold it."""
    load_only("leave_traces")
    template = templates.shared()
    assert template.alive()
    hits, scanned = 0, 0
    for chunk in _memory(template.process.pid):
        scanned += len(chunk)
        hits += chunk.count(TRACE)
    assert scanned > 10 * 2**20   # numpy is in there: the scan read real memory
    assert hits == 0


def _template_memory_holds(pid, needle):
    return any(needle in chunk for chunk in _memory(pid))


def test_the_template_draws_the_efficiency_inputs_before_its_second_fork():
    """Workers forked later find the efficiency checks' 8 MB outsideVectors drawn (shared,
    read only) instead of drawing 1M numbers each: the template draws them once, from
    harness.PREDRAWN, the checks' own recipe. Not before its first fork, which must not
    wait, nor beside it (that worker draws its own in the background, and a single `grade`
    forks once): before its second."""
    import time

    import numpy as np

    from grader.checks import loss_reference, naive_softmax, neg_sampling
    from grader.worker import harness
    for check in (naive_softmax, neg_sampling):
        problem = check._SPEED_PROBLEM
        assert loss_reference._outside_recipe(problem.V, problem.D, problem.seed) == harness.PREDRAWN
    rng = np.random.default_rng(harness.PREDRAWN["seed"])
    rng.standard_normal(harness.PREDRAWN["skip"])
    needle = rng.standard_normal(16).tobytes()
    templates.close_shared()
    pid = templates.shared().process.pid
    assert not _template_memory_holds(pid, needle)
    load_only("leave_traces")
    time.sleep(0.3)
    assert not _template_memory_holds(pid, needle)
    load_only("leave_traces")
    assert _template_memory_holds(pid, needle)


def test_the_template_is_single_threaded_and_unprivileged_workers_are_its_forks(mode):
    """unshare(CLONE_NEWUSER) needs a single-threaded caller; the forks inherit that."""
    template = templates.shared()
    template.wait_ready()
    with open(f"/proc/{template.process.pid}/status") as handle:
        threads = re.search(r"Threads:\s+(\d+)", handle.read()).group(1)
    assert threads == "1"


def test_without_the_template_workers_are_execd(monkeypatch, mode):
    monkeypatch.setenv(templates.VARIABLE, "0")
    assert templates.shared() is None
    seen, _ = load_only("look_for_traces")
    assert "traces found:" in seen


def test_a_dead_template_is_replaced(mode):
    template = templates.shared()
    template.process.kill()
    template.process.wait()
    seen, _ = load_only("look_for_traces")
    assert "traces found:" in seen
    assert templates.shared() is not template
    assert os.getpid() == templates.shared().owner


BURN = """
import time
started = time.process_time()
while time.process_time() - started < 0.6:
    pass
print("burnt")
"""


def _children_cpu():
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_a_killed_workers_cpu_reaches_the_graders_rusage(mode, tmp_path):
    """make bench counts workers by rusage: a worker killed while idle (how every worker ends)
    must still be reaped up the tree. Before the fix, lockdown killed I (PID 1 of the
    namespace) and the worker's CPU vanished with it."""
    import time
    from grader.sandbox import cputime
    tmp_path.chmod(0o755)   # the worker's own uid must read it
    script = tmp_path / "burn.py"
    script.write_text(BURN + "time.sleep(60)\n")
    script.chmod(0o644)
    before = _children_cpu()
    process = launch.spawn([launch.sys.executable, "-S", str(script)], launch.Limits(), (),
                           None, None, readable=[str(tmp_path)])
    deadline = time.monotonic() + 30
    while (cputime.tree_seconds(process.pid) or 0) < 0.6 and time.monotonic() < deadline:
        time.sleep(0.05)
    launch.kill(process)
    assert _children_cpu() - before >= 0.5


def test_forked_workers_cpu_reaches_the_graders_rusage_when_the_template_ends(mode, tmp_path):
    templates.close_shared()
    (tmp_path / "word2vec.py").write_text(BURN)
    sub = submission.load(tmp_path / "word2vec.py")
    request = LoadRequest(filename=str(tmp_path / "word2vec.py"), cells=sub.cells,
                          sys_path=[str(tmp_path), str(EXERCISES_DIR)])
    before = _children_cpu()
    with WorkerClient(request, launch.Limits()) as worker:
        worker.start()
        worker.stop()
        assert "burnt" in worker.captured_output()
    assert templates.shared().spawned == 1
    templates.close_shared()
    assert _children_cpu() - before >= 0.5
