"""The hostile corpus, graded: every attack is contained and costs only what it should.

Each file in tests/corpus/hostile/ is a correct submission plus one attack (see
build_hostile.py). Gradings run in parallel child processes (mostly waiting on time limits)
with a lighter rubric (fewer generated cases, shorter limits) and only the functions that
matter for each file: the one under attack and one that must be unaffected.
"""

import json
import multiprocessing
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from grader import grading, rubric as rubric_mod, submission
from grader.checks.framework import Context, Failure
from grader.paths import EXERCISES_DIR
from grader.sandbox.client import LoadRequest, WorkerClient, WorkerFailure
from processes import end_leftovers

pytestmark = pytest.mark.slow  # a graded class or attack corpus, time limits (not in make test-fast)

HOSTILE = Path(__file__).resolve().parent / "corpus" / "hostile"
MARKER = "w2v-hostile"   # what the corpus's leftover processes call themselves
PORT = 47654             # network.py tries to reach this loopback port

FULL = "full"
# file -> {function graded: FULL, or (score on its non-efficiency checks, words the feedback
# must contain)}. Cheats carry a wrong sigmoid that only a working cheat would fix.
EXPECTED = {
    "infinite_loop": {"naiveSoftmaxLossAndGradient": (0, "Time limit"), "sigmoid": FULL},
    "sleep_per_call": {"sigmoid": (0, "Time limit"), "naiveSoftmaxLossAndGradient": FULL},
    "memory_hog": {"naiveSoftmaxLossAndGradient": (0, "Memory limit exceeded"),
                   "sigmoid": FULL},
    "os_exit": {"sigmoid": (0, "ended the Python process (exit code 3"),
                "naiveSoftmaxLossAndGradient": FULL},
    "sys_exit": {"skipgram": (0, "sys.exit()"), "sigmoid": FULL},
    "kill_self": {"negSamplingLossAndGradient": (0, "SIGKILL"), "sigmoid": FULL},
    "kill_parent": {"naiveSoftmaxLossAndGradient": FULL, "sigmoid": FULL},
    "segfault": {"skipgram": (0, "segmentation fault"), "sigmoid": FULL},
    "fork_bomb": {"sigmoid": FULL},
    "double_fork": {"sigmoid": FULL},
    "network": {"sigmoid": FULL},
    "read_solutions": {"sigmoid": (0, "expected"), "naiveSoftmaxLossAndGradient": FULL},
    "import_solutions": {"sigmoid": (0, "expected")},
    "monkeypatch": {"sigmoid": (0, "expected"), "naiveSoftmaxLossAndGradient": FULL},
    "output_flood": {"sigmoid": FULL, "skipgram": FULL},
    "memory_to_the_brim": {"naiveSoftmaxLossAndGradient": (28, "Memory limit exceeded"),
                           "sigmoid": FULL},
}
CRASHES = ("os_exit", "kill_self", "segfault")
# What only the full lockdown stops (README, Security model): without namespaces and
# without an unprivileged uid these are not contained, and their tests are skipped.
NEEDS = {"kill_parent": "isolation", "fork_bomb": "isolation", "read_solutions": "view",
         "import_solutions": "view"}


def protected(report, need):
    report = report or {}
    if need == "view":
        return bool(report.get("view"))
    return bool(report.get("namespaces") or report.get("uid") is not None)


def require(graded, name):
    need = NEEDS.get(name)
    if need and not protected(graded[name]["protections"], need):
        pytest.skip(f"{name}: needs {need}, which this machine's sandbox lacks")


def light_rubric(folder):
    """The real rubric with fewer cases and shorter limits (same checks, same points)."""
    text = rubric_mod.DEFAULT_PATH.read_text()
    for key, value in (("call_seconds", 1.5), ("function_budget_seconds", 8.0),
                       ("max_examples", 4), ("gradient_check_examples", 2)):
        text = re.sub(rf"(?m)^{key} = [0-9.]+", f"{key} = {value}", text)
    path = Path(folder) / "rubric.toml"
    path.write_text(text)
    return path


def grade_some(name, rubric_path):
    """Grade the functions EXPECTED names for `name`; a summary that pickles."""
    rubric = rubric_mod.load(rubric_path)
    path = HOSTILE / f"{name}.py"
    sub = submission.load(path)
    request = LoadRequest(filename=str(path), cells=sub.cells,
                          sys_path=[str(HOSTILE), str(EXERCISES_DIR)])
    summary = {}
    with WorkerClient(request, rubric.limits, output_cap=rubric.output_kib * 1024) as worker:
        worker.start()
        for fn in EXPECTED[name]:
            report = grading.grade_function(worker, rubric, fn)
            graded = [c for c in report.checks if not c.efficiency]
            summary[fn] = {"score": sum(c.score for c in graded),
                           "max": sum(c.max_score for c in graded),
                           "feedback": "\n".join(c.feedback for c in report.checks)}
        worker.stop()
        summary["output"] = worker.captured_output()
        summary["starts"] = worker.starts
        summary["protections"] = worker.protections
    return summary


@pytest.fixture(scope="module")
def listener():
    """The loopback port network.py tries; a connection here means the network leaked."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", PORT))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def grade_to_results_json(folder):
    """`python -m grader grade results_overwrite.py --json OUT`; OUT then and 2 s later."""
    results = Path(folder) / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "grade",
                          str(HOSTILE / "results_overwrite.py"), "--json", str(results)],
                         capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parent.parent)
    written = results.read_bytes() if results.exists() else b""
    time.sleep(2)   # its child would strike every 0.5 s
    return {"returncode": run.returncode, "stderr": run.stderr, "written": written,
            "after": results.read_bytes() if results.exists() else b""}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    rubric_path = light_rubric(tmp_path_factory.mktemp("rubric"))
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
        cli = pool.submit(grade_to_results_json, tmp_path_factory.mktemp("results"))
        futures = {name: pool.submit(grade_some, name, rubric_path) for name in EXPECTED}
        results = {name: future.result() for name, future in futures.items()}
        results["results_overwrite"] = cli.result()
    return results


@pytest.fixture(scope="module")
def namespaces(graded):
    report = graded["fork_bomb"]["protections"] or {}
    if not report.get("namespaces"):
        pytest.skip("namespaces unavailable here: " + report.get("why", "unknown"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_attack_is_contained_and_named(graded, name):
    require(graded, name)
    result = graded[name]
    for fn, expected in EXPECTED[name].items():
        got = result[fn]
        if expected == FULL:
            assert got["score"] == got["max"], f"{name}: {fn} lost points:\n{got['feedback']}"
        else:
            score, words = expected
            assert got["score"] == score, f"{name}: {fn}\n{got['feedback']}"
            assert words in got["feedback"], f"{name}: {fn}\n{got['feedback']}"


@pytest.mark.parametrize("name", CRASHES)
def test_a_crash_gets_a_fresh_worker_for_the_rest(graded, name):
    assert graded[name]["starts"] > 1


def test_the_workers_own_out_of_memory_is_said_without_a_traceback(graded):
    """The worker ran out of memory preparing a large input (the submission had taken the
    rest): its traceback was shown as the student's output, and the check said "your code
    ended the Python process"."""
    result = graded["memory_to_the_brim"]
    assert "Traceback" not in result["output"] and "grader" not in result["output"]
    assert "ended the Python process" not in result["naiveSoftmaxLossAndGradient"]["feedback"]


def test_no_process_outlives_grading(graded):
    assert not end_leftovers(MARKER)
    output = graded["double_fork"]["output"]
    if (graded["double_fork"]["protections"] or {}).get("processes_refused"):
        assert "fork refused: [Errno 1]" in output and "daemon still alive" not in output
    else:
        assert "daemon still alive" in output   # it did start


def test_fork_bomb_hits_the_process_limit(graded):
    require(graded, "fork_bomb")
    assert "fork failed after" in graded["fork_bomb"]["output"]


def test_the_reference_is_nowhere_to_be_found(graded, namespaces):
    assert "no reference found" in graded["read_solutions"]["output"]
    assert "import solutions failed" in graded["import_solutions"]["output"]
    assert "in memory" not in graded["import_solutions"]["output"]


def test_no_network_not_even_loopback(graded, listener, namespaces):
    with pytest.raises(BlockingIOError):
        listener.accept()
    output = graded["network"]["output"]
    assert output.count("network: ") == 2 and "connected" not in output


def test_parent_cannot_be_killed(graded):
    require(graded, "kill_parent")
    assert "kill parent failed" in graded["kill_parent"]["output"] or \
        graded["kill_parent"]["protections"].get("namespaces")


def test_output_flood_is_capped(graded):
    output = graded["output_flood"]["output"]
    assert len(output) < 70 * 1024 and output.endswith("(output cut at 64 KiB)")


def test_results_file_cannot_be_touched(graded, namespaces):
    """Full CLI run: the submission hunts for results.json now and from a detached child."""
    run = graded["results_overwrite"]
    assert run["returncode"] == 0, run["stderr"]
    assert run["after"] == run["written"]
    data = json.loads(run["written"])
    assert 90 <= data["score"] <= 100, data.get("output")  # full marks, up to a noisy efficiency check
    assert "Sandbox: own PID, network" in data["output"]
    assert data["output"].count("Sandbox") == 1
    assert not end_leftovers(MARKER)


class _SlowWorker:
    """A worker whose every call takes the whole timeout it is given."""

    def __init__(self):
        self.timeouts = []

    def call(self, request, timeout):
        self.timeouts.append(timeout)
        raise WorkerFailure("time_limit", f"time limit: no answer within {timeout:g} s")


def test_budget_also_bounds_the_last_call():
    rubric = rubric_mod.load()
    worker = _SlowWorker()
    ctx = Context(worker=worker, rubric=rubric, function="sigmoid")
    ctx.spent = rubric.function_budget_seconds - 1.0
    with pytest.raises(Failure) as failure:
        ctx.call({"op": "call"}, timeout=22.0)   # efficiency asks for up to 22 s
    assert worker.timeouts[0] <= 1.0 + 1e-9
    assert failure.value.kind == "budget"
