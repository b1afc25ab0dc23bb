"""The same file always gets the same score and the same feedback, also when one process
grades several files in a row (as batch grading does)."""

import pytest

from conftest import CORPUS, ROOT
from grader import grading


def _verdicts(report):
    return [(c.name, c.score, c.passed, c.mistake, c.feedback)
            for c in report.checks()]


def test_same_file_same_verdicts_in_one_process(corpus_reports):
    path = CORPUS / "buggy" / "neg_not_accumulated.py"
    grading.grade(CORPUS / "buggy" / "skipgram_overwrite.py")  # something else first
    again = grading.grade(path)
    assert _verdicts(again) == _verdicts(corpus_reports[path])
    assert again.notes == corpus_reports[path].notes


@pytest.mark.parametrize("name", ["neg_k_hardcoded", "naive_transposed", "skipgram_asserts_loss",
                                  "sigmoid_in_place"])
def test_searches_put_off_give_what_searches_at_once_give(corpus_reports, monkeypatch, name):
    """Failures are searched once every function's checks have run (grading.DEFER_SEARCHES),
    with the verdicts and feedback of searching each one at once: a check that adds to its
    outcome (any_K names a hard-coded K) adds to the searched one."""
    path = CORPUS / "buggy" / f"{name}.py"
    monkeypatch.setattr(grading, "DEFER_SEARCHES", False)
    at_once = grading.grade(path)
    assert _verdicts(at_once) == _verdicts(corpus_reports[path])
    assert at_once.notes == corpus_reports[path].notes


@pytest.mark.parametrize("name", ["neg_sign", "naive_outside_from_y_hat", "skipgram_overwrite"])
def test_a_failure_said_above_is_not_searched_and_nothing_changes(monkeypatch, name):
    """A check the findings make the same cause as one above it shows no example of its
    own: its search (three quarters of a buggy file's search time) is skipped, with the
    same verdicts, mistakes and feedback as searching every failure."""
    from grader.checks import framework
    path = CORPUS / "buggy" / f"{name}.py"
    searched, search = [], framework._search
    monkeypatch.setattr(framework, "_search", lambda *a: (searched.append(1), search(*a))[1])
    skipping = grading.grade(path)
    skipped_to = len(searched)
    monkeypatch.setattr(grading, "SKIP_SAID_ABOVE", False)
    every = grading.grade(path)
    assert _verdicts(skipping) == _verdicts(every) and skipping.notes == every.notes
    assert skipped_to < len(searched) - skipped_to   # fewer searches, and some skipped


@pytest.mark.parametrize("name", ["naive_outside_from_y_hat", "neg_sign", "sigmoid_sign",
                                  "skipgram_overwrite"])
def test_a_search_ended_without_hypothesis_ends_as_hypothesis_ends_it(corpus_reports,
                                                                      monkeypatch, name):
    """A check failing on every input Hypothesis would try if all failed (the stored
    generated.when_failing) is not searched by Hypothesis: its verdicts and feedback are
    exactly Hypothesis's (skipgram_overwrite passes on the first input: Hypothesis runs and
    shrinks what it fails on)."""
    from grader.checks import generated
    path = CORPUS / "buggy" / f"{name}.py"
    monkeypatch.setattr(generated, "when_failing", lambda *a: None)
    searched = grading.grade(path)
    assert _verdicts(searched) == _verdicts(corpus_reports[path])
    assert searched.notes == corpus_reports[path].notes


SEARCHED_IN = """
import sys, threading
sys.path.insert(0, {root!r})
seen = {{}}

class Watch:
    def find_spec(self, name, path=None, target=None):
        seen.setdefault(name, threading.current_thread().name)

sys.meta_path.insert(0, Watch())
from grader import grading
from grader.checks import framework
order = []
run_checks, search = grading.run_checks, framework._search
grading.run_checks = lambda *a, **k: (run_checks(*a, **k), order.append("checks"))[0]
framework._search = lambda *a: (order.append("search"), search(*a))[1]
report = grading.grade(sys.argv[1])
print(seen.get("hypothesis.core"), order.index("search"),
      len(order) - order[::-1].index("checks") - 1, sep="|")
"""


@pytest.mark.parametrize("name, imported_in", [("naive_loss_sign", "import hypothesis"),
                                               ("naive_outside_from_y_hat", "None")])
def test_hypothesis_loads_in_the_background_and_failures_are_searched_last(name, imported_in):
    """A fresh grading process meeting a failure that Hypothesis must search imports it in
    a thread of its own, while the other functions' checks run; the searches come after
    the last of them. A file whose failures all show on the first input never imports it."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", SEARCHED_IN.format(root=str(ROOT)),
                          str(CORPUS / "buggy" / f"{name}.py")],
                         capture_output=True, text=True, timeout=120, check=True).stdout.strip().split("|")
    thread, first_search, last_checks = out[0], int(out[1]), int(out[2])
    assert thread == imported_in
    assert first_search > last_checks
