"""Checks run their generated inputs from a list with batched worker calls, and fall back to
Hypothesis only when an input fails: the verdict and the feedback must be the same either way."""

import subprocess
import sys

import numpy as np

from conftest import ROOT
from grader import rubric as rubric_mod
from grader.checks import generated, sigmoid
from grader.checks.framework import Context, run_property
from grader.sandbox.client import WorkerFailure


class FakeWorker:
    """Answers sigmoid calls in-process with `fn`; batches can be made to fail like a hang."""

    def __init__(self, fn, batch_fails=False):
        self.fn, self.batch_fails = fn, batch_fails
        self.batches = self.single_calls = 0

    def call(self, request, timeout=None):
        if request["op"] == "batch":
            self.batches += 1
            if self.batch_fails:
                raise WorkerFailure("time_limit", "time limit: no answer within 1 s")
            return {"ok": True, "results": [self._answer(c) for c in request["calls"]]}
        self.single_calls += 1
        return self._answer(request)

    def _answer(self, request):
        return {"ok": True, "value": self.fn(np.asarray(request["args"][0], dtype=float)),
                "mutated": []}


def _matches_reference(worker):
    ctx = Context(worker=worker, rubric=rubric_mod.load(), function="sigmoid",
                  mistakes=sigmoid.MISTAKES)
    check = next(c for c in sigmoid.CHECKS if c.id == "matches_reference")
    return check.run(ctx)


def test_a_passing_check_asks_the_worker_in_batches_only():
    worker = FakeWorker(lambda x: 1 / (1 + np.exp(-x)))
    outcome = _matches_reference(worker)
    assert outcome.passed, outcome.feedback
    assert worker.batches >= 1 and worker.single_calls == 0


def test_a_failing_check_says_the_same_with_and_without_batches():
    flipped = lambda x: 1 / (1 + np.exp(x))  # noqa: E731 - the sign mistake
    batched = _matches_reference(FakeWorker(flipped))
    one_by_one = _matches_reference(FakeWorker(flipped, batch_fails=True))
    assert not batched.passed and not one_by_one.passed
    assert batched.mistake == one_by_one.mistake == sigmoid.MISTAKES[1].name
    assert batched.feedback == one_by_one.feedback


def test_stored_cases_are_what_hypothesis_draws_now():
    stored = generated.stored_cases()
    assert stored, "grader/checks/cases.json is missing or stale: run `make cases`"
    recipe = sigmoid._problems
    key = f"{recipe.label} x30 seed={rubric_mod.load().seed}"
    assert [generated.decode(p) for p in stored[key]] == generated.draw(
        recipe, 30, rubric_mod.load().seed)


def test_stored_inputs_tried_when_all_fail_are_what_hypothesis_tries_now():
    """What a search tries when every input fails (generated.when_failing, which lets a
    search end without Hypothesis) is recorded by `make cases`: it must be what Hypothesis
    tries now, and nothing when the stored file is stale."""
    seed = rubric_mod.load().seed
    stored = generated.when_failing(sigmoid._problems, 30, seed)
    assert stored, "grader/checks/cases.json is missing or stale: run `make cases`"
    assert stored == generated.record_when_failing(sigmoid._problems, 30, seed)
    assert generated.record_when_failing(sigmoid._problems, 30, seed)[0] == generated.drawn(
        sigmoid._problems, 30, seed)[0]


def test_the_stored_inputs_tried_when_all_fail_are_what_the_search_test_is_given(monkeypatch):
    """when_failing was recorded with a test of its own: the search's own test (which raises
    from where it raises) must be given exactly those inputs by Hypothesis."""
    from grader.checks.framework import Failure, _search
    seed = rubric_mod.load().seed
    stored = generated.when_failing(sigmoid._problems, 30, seed)
    monkeypatch.setattr(generated, "when_failing", lambda *a: None)   # Hypothesis, for real
    given = []

    def wrong_everywhere(problem):
        given.append(problem)
        raise Failure("wrong")

    problems = generated.drawn(sigmoid._problems, 30, seed)
    ctx = Context(worker=None, rubric=rubric_mod.load(), function="sigmoid")
    outcome = _search(ctx, sigmoid._problems, wrong_everywhere, 30, problems, Failure("wrong"))
    assert not outcome.passed
    assert given[len(problems):] == stored   # after _fails_on_shape's look at every input


def test_a_stale_or_broken_cases_file_stores_nothing(tmp_path, monkeypatch):
    """Stored lists that are stale or cannot be read are not used: time, never correctness."""
    key = f"{sigmoid._problems.label} x30 seed=224"
    for text in ('{"fingerprint": "old", "cases": {}, "when_failing": {"k": []}}', "[1, 2]",
                 "not json", '{"fingerprint": "%s", "when_failing": [1]}',
                 '{"fingerprint": "%s", "cases": {"%k": [1]}, "when_failing": {"%k": [[1]]}}',
                 '{"fingerprint": "%s", "cases": {"%k": [{"type": "Nope"}]}, '
                 '"when_failing": {"%k": [{"type": "SigmoidProblem", "shape": []}]}}'):
        (tmp_path / "cases.json").write_text(
            text.replace("%s", generated.fingerprint()).replace("%k", key))
        monkeypatch.setattr(generated, "CASES_FILE", tmp_path / "cases.json")
        monkeypatch.setattr(generated, "_stored", None)
        monkeypatch.setattr(generated, "_drawn", {})
        assert generated.when_failing(sigmoid._problems, 30, 224) is None
        assert generated.drawn(sigmoid._problems, 30, 224) == generated.draw(
            sigmoid._problems, 30, 224)


def test_a_search_ends_without_hypothesis_only_when_every_input_tried_fails(monkeypatch):
    """Same outcome with and without the stored inputs tried when all fail; Hypothesis is
    needed only when one of them passes (here: a sigmoid wrong on large inputs only)."""
    wrong_everywhere = lambda x: 1 / (1 + np.exp(x)) + 0.25  # noqa: E731
    wrong_when_large = lambda x: np.where(np.abs(x) > 2, 0.5, 1 / (1 + np.exp(-x)))  # noqa: E731
    for fn, needs_hypothesis in ((wrong_everywhere, False), (wrong_when_large, True)):
        needed = []
        monkeypatch.setattr(generated, "hypothesis_needed", lambda: needed.append(1))
        replayed = _matches_reference(FakeWorker(fn))
        assert bool(needed) == needs_hypothesis
        with monkeypatch.context() as m:
            m.setattr(generated, "when_failing", lambda *a: None)
            searched = _matches_reference(FakeWorker(fn))
        assert not replayed.passed
        assert (replayed.feedback, replayed.mistake) == (searched.feedback, searched.mistake)


def test_the_written_out_closeness_test_agrees_with_allclose():
    from grader.checks.compare import _close
    rng = np.random.default_rng(0)
    for _ in range(2000):
        expected = rng.standard_normal(rng.integers(1, 10)) * 10.0 ** rng.integers(-9, 4)
        actual = (expected * (1 + rng.standard_normal(expected.shape) * 10.0 ** rng.integers(-8, -3))
                  + rng.standard_normal(expected.shape) * 10.0 ** rng.integers(-9, -5))
        assert _close(actual, expected, 1e-5, 1e-7) == np.allclose(
            actual, expected, rtol=1e-5, atol=1e-7, equal_nan=True)
    assert not _close(np.array([np.nan]), np.array([1.0]), 1e-5, 1e-7)
    assert _close(np.array([np.inf]), np.array([np.inf]), 1e-5, 1e-7)


def test_hypothesis_feeds_a_passing_check_exactly_the_drawn_inputs():
    rubric = rubric_mod.load()
    ctx = Context(worker=None, rubric=rubric, function="sigmoid")
    ctx.batching = False  # straight to Hypothesis, as after a batch that failed
    seen = []
    outcome = run_property(ctx, sigmoid._problems, seen.append, 30)
    assert outcome.passed
    assert seen == generated.drawn(sigmoid._problems, 30, rubric.seed)


def test_drawn_inputs_depend_on_the_seed_alone(tmp_path):
    """Hypothesis draws numbers found in the process's own source files unless told not to:
    a process with other modules loaded (batch grading, a student bundle) must still draw
    exactly the stored inputs."""
    (tmp_path / "many_constants.py").write_text(
        "VALUES = [3, 7, 11, 4242, 65000, 0.25, 1e-3, 2, 5, 9]\n")
    script = (
        "import sys, json; sys.path.insert(0, %r); import many_constants\n"
        "import importlib, pkgutil, grader\n"
        "for m in pkgutil.walk_packages(grader.__path__, 'grader.'):\n"
        "    if not m.name.endswith('__main__') and '.worker.' not in m.name:\n"
        "        importlib.import_module(m.name)\n"
        "from grader import grading; from grader.checks import generated\n"
        "stored = generated.stored_cases(); generated.forget()\n"
        "grading.grade(%r)\n"
        "drawn = json.loads(json.dumps({k: [generated.encode(p) for p in v] for k, v in generated.drawn_so_far().items()}))\n"
        "print(json.dumps(sorted(k for k in drawn if drawn[k] != stored.get(k))))\n"
    ) % (str(tmp_path), str(ROOT / "solutions" / "word2vec.py"))
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout


def test_stored_cases_follow_the_installed_hypothesis_version(monkeypatch):
    """Another Hypothesis may draw other inputs: its version is part of the fingerprint (read
    from its version.py, without importing it or scanning every installed distribution)."""
    import hypothesis.version
    assert str(hypothesis.version.__version_info__) in generated._hypothesis_version()
    now = generated.fingerprint()
    monkeypatch.setattr(generated, "_hypothesis_version", lambda: "__version_info__ = (7, 0, 0)")
    assert generated.fingerprint() != now


def test_the_bodies_run_once_on_the_answers_when_nothing_is_left_to_fetch():
    """The last collecting round needed no new answer and wrote no note: it is the real run,
    and its first failure stands (the bodies used to run all over again, ~5% of a grading).
    A round that wrote a note is run again for real, where notes are kept."""
    from grader.checks.framework import Failure, first_failure
    problems = [0.5, -1.0, 2.0, -3.0]

    def run(writes_note=False):
        ctx = Context(worker=FakeWorker(lambda x: x), rubric=rubric_mod.load(),
                      function="sigmoid")
        runs = []

        def body(x):
            runs.append(x)
            answer = ctx.cached_call(("sigmoid", x),
                                     {"op": "call", "fn": "sigmoid", "args": [x]})
            ctx.noted += writes_note
            if answer["value"] < 0:
                raise Failure(f"negative at {x}")
        return first_failure(ctx, problems, body), runs

    (at, first), runs = run()
    assert (at, first.message) == (1, "negative at -1.0")
    assert runs == problems * 2   # collecting (each asks), then once on the answers
    (at, first), runs = run(writes_note=True)
    assert (at, first.message) == (1, "negative at -1.0")
    assert runs == problems * 2 + problems[:2]   # then for real, up to the first failure


def test_a_shape_note_quotes_the_largest_input():
    """An accepted (1, D) where (D,) is expected is noted at the largest input's shapes:
    the collecting rounds left their largest size behind and the real run kept D = 1's."""
    from grader.checks.compare import compare
    from grader.checks.framework import check_output, first_failure
    ctx = Context(worker=FakeWorker(lambda x: x), rubric=rubric_mod.load(), function="f")

    def body(n):
        ctx.cached_call(("f", n), {"op": "call", "fn": "sigmoid", "args": [float(n)]})
        check_output(ctx, None, np.zeros((1, n)), np.zeros(n), 1, "gradCenterVec")
    assert first_failure(ctx, [1, 3, 2], body) == (None, None)
    note = compare(np.zeros((1, 3)), np.zeros(3), "gradCenterVec").note
    assert note and ctx.notes == [f"f: {note}"]


def test_hypothesis_is_imported_while_the_grader_waits_for_its_worker(monkeypatch):
    """The background import (import_hypothesis_soon) loads each module only while the
    grader waits for its worker (client.WAITING), never while it grades (its checks ran at
    half speed meanwhile); whatever imports it in the grading thread lets it go; the grading
    thread is never held."""
    import threading
    import time
    from grader.checks import framework
    from grader.sandbox.client import WAITING
    monkeypatch.setattr(framework, "GATE_SECONDS", 30.0)
    WAITING.clear()
    gate = framework._WhenWaiting()
    importer = threading.Thread(target=gate.find_spec, args=("a_module",))
    importer.start()
    time.sleep(0.2)
    assert importer.is_alive()          # held: the grader is not waiting
    WAITING.set()
    importer.join(10)
    assert not importer.is_alive()      # let through while it waits
    WAITING.clear()
    started = time.monotonic()
    gate.find_spec("another")           # the grading thread itself: never held
    assert time.monotonic() - started < 10
    gate.thread = None                  # a new importing thread, then the search needs it
    importer = threading.Thread(target=gate.find_spec, args=("a_third",))
    importer.start()
    time.sleep(0.2)
    assert importer.is_alive()
    monkeypatch.setattr(generated, "WHEN_NEEDED", [gate.let_go])
    generated.hypothesis_needed()       # the grading thread imports it now (a search, a draw)
    WAITING.set()                       # wakes it: let go, it goes on without waiting again
    WAITING.clear()
    importer.join(10)
    assert not importer.is_alive()
    gate.thread = None
    started = time.monotonic()
    gate.find_spec("a_fourth")          # let go: never held again (GATE_SECONDS is 30 here)
    assert time.monotonic() - started < 10
