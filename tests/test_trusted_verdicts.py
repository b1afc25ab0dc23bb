"""Verdicts rest only on what the grader itself measures (issue 11).

Each kind that earned points from what the grader did not measure has files in
tests/corpus/trusted/ (build_trusted.py): the wrong ones must lose their function's points,
the right ones keep them. Smaller unit tests pin each mechanism: fresh sampler draws, finite
differences computed on the grader's side, CPU time read from /proc, real-number types.
"""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import CORPUS, ROOT, grade_many
from grader import rubric as rubric_mod
from grader.checks import gradients
from grader.checks.compare import compare
from grader.checks.framework import Context, Failure
from grader.checks.inputs import LossProblem
from grader.sandbox import cputime
from grader.worker.harness import ControlledSampler, GradingDataset, fresh_draw

TRUSTED = CORPUS / "trusted"
CASE = ROOT / "tests" / "corpus" / "real_world" / "shared_cases" / "negsampling_draws_twice.py"  # a copy of ../shared/cases/
FILES = sorted(TRUSTED.glob("*.py")) + [TRUSTED / "loops_helper_module" / "word2vec.py"]
LOOPS = ("loops_honest", "loops_no_trace", "loops_other_file", "loops_memoised",
         "loops_worked_out_ahead", "loops_helper_module", "loops_in_a_reaped_child",
         "loops_in_a_namespace", "loops_in_a_child_reaped_while_counted",
         "loops_split_over_children", "loops_in_a_thread_that_ends", "loops_computed_while_sent",
         "loops_worked_out_at_import")


def _key(path):
    return path.parent.name if path.name == "word2vec.py" else path.stem


@pytest.fixture(scope="module")
def reports():
    files = FILES + ([CASE] if CASE.exists() else [])
    return {_key(p) if p != CASE else "shared_case": r for p, r in grade_many(files).items()}


def _fn(report, name):
    return next(f for f in report.functions if f.name == name)


def _check(report, fn, cid):
    return next(c for c in _fn(report, fn).checks if c.check == cid)


@pytest.mark.parametrize("name", ["draws_twice_loss_first", "draws_twice_loss_second",
                                  "shared_case"])
def test_drawing_twice_loses_the_comparisons_and_says_why(reports, name):
    if name not in reports:
        pytest.skip("the shared case file is not on this machine")
    fn = _fn(reports[name], "negSamplingLossAndGradient")
    assert fn.score == 0   # was 29/30: only the 1-point sampler check failed
    core = [c for c in fn.checks if c.check in ("loss", "gradCenterVec", "gradOutsideVecs")]
    assert not any(c.passed for c in core)
    assert all("different calls of getNegativeSamples" in c.feedback for c in core)
    assert _fn(reports[name], "naiveSoftmaxLossAndGradient").score == 30


CORE = ("loss", "gradCenterVec", "gradOutsideVecs")
# Which output is right for which call's samples, as the sentence must say (the old one said
# every output "is right for the samples of the first call", false for the gradients here).
DRAW_SENTENCES = {
    "draws_twice_loss_first": ("Your loss is right for the samples of the 1st getNegativeSamples "
                               "call", "gradCenterVec and gradOutsideVecs are right for those of "
                               "the 2nd call"),
    "shared_case": ("Your loss is right for the samples of the 1st getNegativeSamples call",
                    "gradCenterVec and gradOutsideVecs are right for those of the 2nd call"),
    "draws_twice_loss_second": ("Your gradCenterVec and gradOutsideVecs are right for the "
                                "samples of the 1st getNegativeSamples call",
                                "your loss is right for those of the 2nd call"),
}


@pytest.mark.parametrize("name", sorted(DRAW_SENTENCES))
def test_each_output_is_said_to_belong_to_the_draw_it_was_measured_on(reports, name):
    if name not in reports:
        pytest.skip("the shared case file is not on this machine")
    # said once, where the finding is shown; the other core checks point back to it (issue 13)
    texts = [" ".join(_check(reports[name], "negSamplingLossAndGradient", cid).feedback.split())
             for cid in CORE]
    shown = [t for t in texts if not t.startswith("Same cause as above")]
    assert len(shown) == 1, texts
    assert all(sentence in shown[0] for sentence in DRAW_SENTENCES[name]), shown[0]
    assert all("different calls of getNegativeSamples" in t for t in texts), texts


def test_one_later_draw_for_all_outputs_is_right_and_loses_only_the_sampler_check(reports):
    fn = _fn(reports["draws_again_uses_second"], "negSamplingLossAndGradient")
    failed = [c for c in fn.checks if not c.passed]
    assert fn.score == fn.max_score - 1 and [c.check for c in failed] == ["uses_getNegativeSamples"]
    text = " ".join(failed[0].feedback.split())
    assert "called it 2 times" in text and "getNegativeSamples called more than once" in text
    assert "different calls" not in text and "some other way" not in text


def test_a_wrong_output_of_a_later_draw_is_compared_with_that_draw_and_named(reports):
    fn = _fn(reports["draws_again_second_not_accumulated"], "negSamplingLossAndGradient")
    verdicts = {c.check: c for c in fn.checks}
    assert verdicts["loss"].passed and verdicts["gradCenterVec"].passed
    text = " ".join(verdicts["gradOutsideVecs"].feedback.split())
    assert not verdicts["gradOutsideVecs"].passed
    assert "Your loss and gradCenterVec are right for the samples of the 2nd" in text
    assert verdicts["gradOutsideVecs"].mistake == "repeated negative samples not accumulated"


def _forged_answer(outputs, calls):
    return {"ok": True, "value": tuple(outputs),
            "sampler_calls": [{"outsideWordIdx": 0, "K": 3, "dataset_ok": True}] * calls}


def test_the_draw_of_each_output_is_measured_by_the_grader_not_reported():
    from grader.checks import neg_sampling as ns
    problem = LossProblem(V=6, D=3, o=0, seed=5, samples=(1, 2, 3), K=3)
    first, second = ns._right_for(problem, 0), ns._right_for(problem, 1)
    assert ns._draw(problem, 1) == tuple(fresh_draw(5, 1, 0, 6, 3))
    # all from the 2nd call: compared with that call's right outputs, whatever the report says
    for calls in (0, 1, 2):
        want = ns._same_draw(None)(problem, _forged_answer(second, calls))
        assert all(np.allclose(w, s) for w, s in zip(want, second))
    assert ns._same_draw(0)(problem, _forged_answer(first, 2)) is None   # the usual comparison
    with pytest.raises(ns.MixedDraws, match="loss is right for the samples of the 1st"):
        ns._same_draw(1)(problem, _forged_answer((first[0], second[1], second[2]), 1))
    with pytest.raises(ns.LaterDraw, match="compared with the right value for those samples"):
        ns._same_draw(2)(problem, _forged_answer((second[0], second[1], second[2] + 1), 2))


def test_the_efficiency_check_accepts_a_later_draw_too():
    from grader.checks import neg_sampling as ns
    from grader.checks.efficiency import Timed, student_seconds

    class Kept:
        def __init__(self, value):
            self.value = value

        def call(self, request, timeout=None):
            return {"ok": True, "value": self.value}

    problem = LossProblem(V=6, D=3, o=0, seed=5, samples=(1, 2, 3), K=3)
    first, second = ns._right_for(problem, 0), ns._right_for(problem, 1)
    for others, ok in ((None, False), (lambda: [second], True)):
        ctx = Context(worker=Kept(second), rubric=rubric_mod.load(), function=ns.FN)
        timed = Timed({"op": "call"}, lambda: first, others=others)
        if ok:
            assert student_seconds(ctx, timed, 3, first) >= 0
        else:
            with pytest.raises(Failure, match="does not match"):
                student_seconds(ctx, timed, 3, first)


def test_forged_finite_differences_earn_nothing(reports):
    check = _check(reports["forged_finite_differences"], "naiveSoftmaxLossAndGradient",
                   "gradient_check")
    # its gradCenterVec is wrong: the gradient check fails with it, pointing to that finding
    fn = _fn(reports["forged_finite_differences"], "naiveSoftmaxLossAndGradient")
    assert not check.passed and check.state == "same_cause"
    assert fn.findings[check.finding].checks[0] == "gradCenterVec"


@pytest.mark.parametrize("name", LOOPS)
def test_loop_based_code_fails_efficiency_however_the_count_is_dodged(reports, name):
    check = _check(reports[name], "naiveSoftmaxLossAndGradient", "efficiency")
    assert not check.passed and "10x slower" in check.feedback
    first = " ".join(check.feedback.split("\nLikely mistake")[0].split())   # one sentence or two
    assert (first.startswith("On V = 20000, D = 50, your code was more than 10x slower")
            or "vector dimensions. It was more than 10x slower" in first), first
    assert _fn(reports[name], "naiveSoftmaxLossAndGradient").score == 28  # correct otherwise


def test_a_loop_sigmoid_fails_efficiency_with_the_tracer_patched_or_in_a_reaped_child(reports):
    for name in ("loops_honest", "loops_no_trace", "loops_in_a_reaped_child",
                 "loops_in_a_namespace", "loops_in_a_child_reaped_while_counted",
         "loops_split_over_children", "loops_in_a_thread_that_ends", "loops_computed_while_sent",
         "loops_worked_out_at_import"):
        assert not _check(reports[name], "sigmoid", "efficiency").passed


def test_a_reaped_childs_loop_fails_efficiency_while_hypothesis_loads_beside_it(reports):
    """The failure (an input changed in place) is searched last, so Hypothesis loads in the
    background during the efficiency check: that thread's CPU time is no part of the timing
    (test_another_grader_threads_work_is_no_part_of_a_timing holds it deterministically)."""
    report = reports["loops_in_a_reaped_child_after_a_failure"]
    assert not _check(report, "naiveSoftmaxLossAndGradient", "input_unchanged").passed
    assert not _check(report, "naiveSoftmaxLossAndGradient", "efficiency").passed


def test_the_timed_inputs_are_new_in_every_grading_process():
    """With fixed seeds a submission worked the timed answers out at import
    (loops_worked_out_at_import: 2/2 on sigmoid's efficiency check before)."""
    seeds = {subprocess.run([sys.executable, "-c", "from grader.checks import efficiency; "
                             "print(efficiency.SEEDS)"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout for _ in range(2)}
    assert len(seeds) == 2


def test_a_degenerate_input_alone_pays_nothing(reports):
    assert _fn(reports["sigmoid_clip"], "sigmoid").score == 0   # was 5/10


def test_complex_results_fail_with_shape_and_dtype_named(reports):
    report = reports["complex_results"]
    assert _fn(report, "sigmoid").score == 0 and _fn(report, "naiveSoftmaxLossAndGradient").score == 0
    feedback = _check(report, "naiveSoftmaxLossAndGradient", "gradOutsideVecs").feedback
    assert "complex128" in feedback and "of real numbers" in feedback and "shape" in feedback


def test_float32_results_that_match_still_pass(reports):
    assert _fn(reports["integer_and_float32"], "sigmoid").score == 10


@pytest.mark.parametrize("value", [np.array([0.5, 1.0]) + 1e3j, np.array(["0.5", "1"]),
                                   np.array([0.5, None], dtype=object), 0.5 + 0j])
def test_non_real_results_are_refused_not_cast(value):
    verdict = compare(value, np.array([0.5, 1.0]) if np.ndim(value) else 0.5, "x")
    assert not verdict.ok and "real number" in verdict.message and "but your code returned" in verdict.message


@pytest.mark.parametrize("value", [np.array([1, 2]), np.array([1, 2], dtype=np.float32)])
def test_integer_and_float32_results_that_match_pass(value):
    assert compare(value, np.array([1.0, 2.0]), "x").ok


def test_the_sampler_draws_afresh_after_its_first_call_deterministically():
    dataset = GradingDataset(V=50, seed=7)
    first = ControlledSampler([3, 4, 5], V=50, seed=7)
    draws = [first(0, dataset, 3) for _ in range(3)]
    assert draws[0] == [3, 4, 5] and draws[1] != draws[0] and draws[2] != draws[1]
    assert draws[1] == fresh_draw(7, 1, 0, 50, 3) and 0 not in draws[1] + draws[2]
    again = ControlledSampler([3, 4, 5], V=50, seed=7)
    assert [again(0, dataset, 3) for _ in range(3)] == draws


class LossWorker:
    """Answers loss calls in-process (J = sum(v * w) for a fixed w), batches as the worker
    does (a `base` call plus each entry's move, worker/main.py _moved); records every call."""

    def __init__(self, weights):
        self.weights, self.calls = weights, []

    def call(self, request, timeout=None):
        return self._answer(request)

    def _answer(self, request, base=None):
        if request.get("op") == "batch":
            base = request.get("base")
            return {"ok": True, "results": [self._answer(c, base) for c in request["calls"]]}
        if base is not None:
            args = list(base["args"])
            position, flat, step = request["move"]
            args[position] = np.array(base["args"][position], dtype=float)
            args[position].flat[flat] += step
            request = dict(base, args=args)
        self.calls.append(request)
        loss = float(np.sum(request["args"][0] * self.weights))
        return {"ok": True, "value": loss if request.get("pick") == 0 else (loss, None)}


def _gradient_check(weights, analytic):
    worker = LossWorker(weights)
    ctx = Context(worker=worker, rubric=rubric_mod.load(), function="f")
    request = {"op": "call", "fn": "f", "args": [np.array([0.3, -0.2, 0.1])]}
    gradients.check(ctx, "k", request, (0,), [analytic], ["grad"])
    return worker


def test_finite_differences_are_computed_here_from_inputs_the_grader_moved():
    w = np.array([1.0, 2.0, 3.0])
    worker = _gradient_check(w, w)
    assert {c["op"] for c in worker.calls} == {"call"} and len(worker.calls) == 6
    moved = [c["args"][0] - np.array([0.3, -0.2, 0.1]) for c in worker.calls]
    assert all(np.count_nonzero(m) == 1 and np.isclose(abs(m).max(), gradients.H) for m in moved)
    with pytest.raises(Failure, match="Gradient check failed"):
        _gradient_check(w, 2 * w)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="CPU time from /proc is Linux-only")
@pytest.mark.parametrize("walk", ["child lists", "parent links"])
def test_cpu_time_of_a_process_tree_counts_grandchildren_and_not_sleep(walk, monkeypatch):
    """The tree is found from the kernel's child lists, or, in kernels without them, from
    every process's parent link: the same processes either way."""
    if walk == "parent links":
        monkeypatch.setattr(cputime, "_children", lambda pid: None)
    busy = ("import subprocess, sys, time\n"
            "subprocess.run([sys.executable, '-c', "
            "'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass'])\n"
            "time.sleep(0.3)\n")
    child = subprocess.Popen([sys.executable, "-c", busy])
    try:
        samples = []
        while child.poll() is None:
            samples.append(cputime.tree_seconds(child.pid))
            time.sleep(0.02)
    finally:
        child.wait()
    seen = max(s for s in samples if s is not None)
    assert 0.25 <= seen < 0.3 + 0.4   # the grandchild's busy 0.3 s; its sleep costs nothing
    assert cputime.tree_seconds(child.pid) is None   # gone: nothing to read


def _fake_proc(root, ticks, reaped_ticks, ran_ns):
    """A /proc holding one process, 100, with no children: `ticks` of its own CPU time and
    `reaped_ticks` of its reaped children's in stat, `ran_ns` of run time in schedstat."""
    task = root / "100" / "task" / "100"
    task.mkdir(parents=True, exist_ok=True)
    # after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime priority nice ... policy (field 41)
    fields = ["S", "1"] + ["0"] * 9 + [str(ticks), "0", str(reaped_ticks), "0"] + ["0"] * 30
    stat = "100 (worker) " + " ".join(fields) + "\n"
    (root / "100" / "stat").write_text(stat)
    (task / "stat").write_text(stat)
    (task / "schedstat").write_text(f"{ran_ns} 0 1\n")
    (task / "children").write_text("")


def test_a_reaped_childs_cpu_time_is_added_to_its_parents(tmp_path, monkeypatch):
    """Its parent's own time is the larger of a clock-tick count and a nanosecond count: a
    child's 10 ms reaped into the tick count vanished in the gap between the two (a loop
    sigmoid in a child that was waited for measured 2.7 ms of its 34 ms)."""
    monkeypatch.setattr(cputime, "PROC", str(tmp_path))
    monkeypatch.setattr(cputime, "_process_clock", lambda pid: None)   # (pid 100 is fake)
    tick = 1 / cputime._TICK
    _fake_proc(tmp_path, ticks=100, reaped_ticks=0, ran_ns=int(109.9 * tick * 1e9))
    before = cputime.tree_times(100)[0]
    _fake_proc(tmp_path, ticks=100, reaped_ticks=10, ran_ns=int(109.9 * tick * 1e9))
    assert cputime.tree_times(100)[0] - before == pytest.approx(10 * tick)


@pytest.mark.parametrize("reaped", ["after its parent is read", "before it is read"])
def test_a_child_reaped_while_the_tree_is_read_is_counted(reaped, monkeypatch):
    """A child (0.5 s) reaped by its parent (1 s) while the grader reads the tree: read
    parent first, as before, the child's time was in neither reading (an attacker's review
    passed efficiency 2 of 6 times by timing its child's end, with 48 threads to read)."""
    tree = {100: {"own": 1.0, "reaped": 0.0, "kids": [101]}, 101: {"own": 0.5, "kids": []}}

    def reap():
        if 101 in tree:
            tree[100]["reaped"] += tree.pop(101)["own"]
            tree[100]["kids"] = []

    def stat(pid):
        if reaped == "before it is read" and pid == 101:
            reap()
        if pid not in tree:
            return None
        found = (1, tree[pid]["own"], tree[pid].get("reaped", 0.0))
        if reaped == "after its parent is read" and pid == 100:
            reap()
        return found
    monkeypatch.setattr(cputime, "_stat", stat)
    monkeypatch.setattr(cputime, "_children", lambda pid: list(tree[pid]["kids"]) if pid in tree else None)
    monkeypatch.setattr(cputime, "_threads_schedstat", lambda pid: (0.0, 0.0, False))
    monkeypatch.setattr(cputime, "_autogroup_niced", lambda pid: False)
    monkeypatch.setattr(cputime, "_process_clock", lambda pid: None)
    assert cputime.tree_times(100)[0] == pytest.approx(1.5)


@pytest.mark.skipif(cputime._process_clock(os.getpid()) is None,
                    reason="no per-process CPU clock to read (Linux only)")
def test_a_thread_that_ended_counts_to_the_nanosecond():
    """/proc/PID/stat holds a thread that ended only in clock ticks (10 ms, rounded down),
    and schedstat only the threads alive: a loop sigmoid in a thread that ends passed
    efficiency half the time (an attacker's review). The process's CPU clock holds it."""
    child = subprocess.Popen([sys.executable, "-c",
                              "import threading, time, sys\n"
                              "def spin():\n"
                              "    t = time.thread_time()\n"
                              "    while time.thread_time() - t < 0.045: pass\n"
                              "sys.stdin.readline()\n"
                              "threading.Thread(target=spin).start()\n"
                              "print('done', flush=True)\n"
                              "sys.stdin.readline()\n"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)   # started and idle
        before = cputime.tree_times(child.pid)[0]
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "done\n"
        deadline = time.monotonic() + 5
        while len(os.listdir(f"/proc/{child.pid}/task")) > 1 and time.monotonic() < deadline:
            time.sleep(0.01)   # the spinning thread has ended
        after = cputime.tree_times(child.pid)[0]
    finally:
        child.kill()
        child.wait()
    assert 0.045 <= after - before < 0.06, after - before


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="CPU time from /proc is Linux-only")
@pytest.mark.parametrize("lower", ["os.nice(5)",
                                   "os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))"])
def test_a_worker_below_normal_priority_is_seen(lower):
    """Its waiting for a core is its own doing, so efficiency does not take it off."""
    child = subprocess.Popen([sys.executable, "-c", f"import os, time\n{lower}\ntime.sleep(5)"])
    try:
        deadline = time.monotonic() + 3
        while not cputime.tree_times(child.pid)[2] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cputime.tree_times(child.pid)[2]
    finally:
        child.kill()
        child.wait()
    assert not cputime.tree_times(os.getpid())[2]


def test_the_call_time_less_waiting_counts_when_cpu_time_cannot_see_the_work():
    """A call that lasts 0.3 s while the worker's counted CPU time does not grow (a child
    the kernel reaps by itself did the work) is charged its 0.3 s, unless the worker was
    waiting for a core meanwhile at normal priority (a busy machine)."""
    from grader.checks import efficiency

    class Waiting:
        def __init__(self, waited, lowered):
            self.readings = iter([(1.0, 0.0, lowered), (1.0, waited, lowered)])

        def worker_times(self):
            return next(self.readings)

        def call(self, request, timeout=None):
            time.sleep(0.3)
            return {"ok": True}

    def elapsed(waited, lowered):
        ctx = Context(worker=Waiting(waited, lowered), rubric=rubric_mod.load(), function="sigmoid")
        _, cpu, seconds = efficiency._measured(ctx, {"op": "call_kept"})
        assert cpu == 0.0
        return seconds
    # (bounds with room: this process's own waiting for a core, on a loaded machine, is
    # taken off too)
    assert 0.2 <= elapsed(0.0, False) < 1.0
    assert elapsed(0.3, False) < 0.1
    assert 0.2 <= elapsed(0.3, True) < 1.0


def test_where_the_worker_can_start_no_process_the_cpu_time_alone_counts():
    """Where the lockdown lets the worker start no process (lockdown.refuse_processes), the
    worker's CPU time holds all its work: the wall time, which a loaded machine stretches
    and waiting for a core shrinks again (a reaped child's loop passed beside 3 gradings),
    is no part of the verdict."""
    from grader.checks import efficiency

    class Counted:
        protections = {"processes_refused": True}

        def __init__(self):
            self.readings = iter([(1.0, 0.0, False), (1.002, 0.0, False)])

        def worker_times(self):
            return next(self.readings)

        def call(self, request, timeout=None):
            time.sleep(0.3)
            return {"ok": True}

    ctx = Context(worker=Counted(), rubric=rubric_mod.load(), function="sigmoid")
    _, cpu, seconds = efficiency._measured(ctx, {"op": "call_kept"})
    assert cpu == seconds == pytest.approx(0.002)
    assert not efficiency.processes_refused(Context(worker=object(), rubric=None, function="x"))


LOAD = ("import sys\nsys.path.insert(0, {root!r})\nfrom grader import grading\n"
        "while True:\n    grading.grade({path!r})\n")


def _efficiency_verdicts(path):
    """{function: passed} of the efficiency checks alone, in one worker."""
    from grader import grading, submission
    from grader.paths import EXERCISES_DIR
    from grader.sandbox.client import LoadRequest, WorkerClient
    rubric = rubric_mod.load()
    sub = submission.load(path)
    request = LoadRequest(filename=str(path), cells=sub.cells,
                          sys_path=[str(path.parent), str(EXERCISES_DIR)])
    verdicts = {}
    with WorkerClient(request, rubric.limits) as worker:
        worker.start()
        for fn, exercise in grading.exercises(rubric.mode).items():
            check = next(c for c in exercise.CHECKS if c.efficiency)
            ctx = Context(worker=worker, rubric=rubric, function=fn, mistakes=exercise.MISTAKES)
            verdicts[fn] = check.run(ctx).passed
    return verdicts


def test_efficiency_verdicts_hold_while_other_grading_runs():
    """The quick version of bench/efficiency_determinism.py (20 gradings each)."""
    load = subprocess.Popen([sys.executable, "-c", LOAD.format(
        root=str(ROOT), path=str(CORPUS / "buggy" / "neg_sign.py"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        runs = [(_efficiency_verdicts(TRUSTED / "loops_honest.py"),
                 _efficiency_verdicts(ROOT / "solutions" / "word2vec.py")) for _ in range(2)]
    finally:
        load.kill()
        load.wait()
    slow = {"sigmoid", "naiveSoftmaxLossAndGradient"}
    for loops, vectorised in runs:
        assert loops == {fn: fn not in slow for fn in loops}
        assert all(vectorised.values()) and len(vectorised) == 4


def test_the_worker_prepares_while_the_reference_draws_and_is_idle_while_it_is_timed():
    """The timed call's inputs go to the worker first (`keep`: it draws and warms) and the
    grader's untimed reference run, which draws the same 8 MB, runs meanwhile; the
    reference's timed runs come only once the worker has answered, so its preparation cannot
    slow them (a slower reference would raise the limit the student is held to)."""
    from grader.checks import efficiency
    log = []

    class Recording:
        answer_bytes = 0

        def send(self, request, timeout=None):
            log.append(("sent", request["op"]))
            self.sent = request

        def receive(self):
            log.append(("answered", self.sent["op"]))
            return {"ok": True, "value": 0.5} if self.sent["op"] == "kept_value" else {"ok": True}

        def call(self, request, timeout=None):
            self.send(request, timeout)
            return self.receive()

    def reference():
        log.append("reference")
        return (0.5,)

    ctx = Context(worker=Recording(), rubric=rubric_mod.load(), function="sigmoid")
    timed = efficiency.Timed({"op": "call", "fn": "sigmoid", "args": [np.zeros(3)]}, reference)
    assert efficiency.compare_speed(ctx, "N = 3", [lambda: timed]).passed
    assert log == [("sent", "keep"), "reference", ("answered", "keep"),
                   *["reference"] * efficiency.REFERENCE_RUNS,
                   ("sent", "call_kept"), ("answered", "call_kept"),
                   ("sent", "kept_value"), ("answered", "kept_value")]


@pytest.mark.parametrize("receiving", [0.0, 0.01])
def test_work_in_the_value_request_counts_beyond_a_reference_sized_allowance(receiving):
    """The value's request may cost the worker only what sending a value of the reference's
    size costs. The allowance was 4x the grader's own time receiving the answer, which the
    submission controls: padded answers, lists instead of arrays, or output flooded while
    the grader drained it bought 20-100 ms for a loop run there (an attacker's review)."""
    from grader.checks import efficiency

    class HidingWorker:
        protections = {"processes_refused": True}

        def __init__(self):
            self.cpu = 1.0

        def worker_times(self):
            return (self.cpu, 0.0, False)

        def call(self, request, timeout=None):
            if request["op"] == "kept_value":
                self.cpu += 0.030        # the loop, run while the value is sent
                began = time.thread_time()   # the grader's receiving, made costly: it
                while time.thread_time() - began < receiving:   # no longer matters
                    pass
                return {"ok": True, "value": np.full(3, 0.5)}
            self.cpu += 0.0001 if request["op"] == "call_kept" else 0.0
            return {"ok": True}

    ctx = Context(worker=HidingWorker(), rubric=rubric_mod.load(), function="sigmoid")
    timed = efficiency.Timed({"op": "call", "fn": "sigmoid", "args": [np.zeros(3)]},
                             lambda: (np.full(3, 0.5),))
    charged = efficiency.student_seconds(ctx, timed, 1, (np.full(3, 0.5),))
    allowed = efficiency.SEND_SECONDS + efficiency.SEND_SECONDS_PER_BYTE * 24
    assert charged == pytest.approx(0.0001 + 0.030 - allowed, abs=1e-6)


def test_another_grader_threads_work_is_no_part_of_a_timing():
    """The grader's own CPU time in a timing is its calling thread's: Hypothesis loading in
    a background thread (a failure's search put off) made the reference look slower and,
    taken off a timed call's wall time, hid a reaped child's loop (2/2 in 8 of 22 runs)."""
    import threading

    from grader.checks import efficiency
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            sum(range(1000))

    class Sleeper:   # a worker whose call lasts 50 ms of wall time, as a child's loop does
        def call(self, request, timeout=None):
            time.sleep(0.05)
            return {"ok": True}

        def worker_times(self):
            return (0.0, 0.0, False)

    ctx = Context(worker=Sleeper(), rubric=rubric_mod.load(), function="sigmoid")
    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    try:
        best, _ = efficiency.reference_seconds(
            efficiency.Timed({"op": "call"}, lambda: time.sleep(0.03) or (0.0,)))
        _, cpu, elapsed = efficiency._measured(ctx, {"op": "call"})
    finally:
        stop.set()
        spinner.join()
    assert best < 0.01            # it sleeps: no CPU of its own
    assert elapsed > 0.035        # the 50 ms are the call's, whatever the other thread did
