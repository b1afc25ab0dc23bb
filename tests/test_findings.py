"""One finding per mistake, counterexamples chosen to teach, and the diagnoses issue 13 added
(each corpus file here is made by tests/corpus/build_corpus.py)."""

import re

import pytest

from conftest import CORPUS
from grader import findings
from grader.checks.framework import Check, Outcome
from grader.rubric import Item


def _fn(corpus_reports, name, function):
    report = corpus_reports[CORPUS / "buggy" / f"{name}.py"]
    return next(f for f in report.functions if f.name == function)


def test_a_wrong_shape_is_shown_where_the_shapes_differ(corpus_reports):
    """(K + 1, D) shrunk freely lands on V = K + 1, where only values look wrong."""
    fn = _fn(corpus_reports, "neg_rows_per_sample", "negSamplingLossAndGradient")
    shown = fn.findings[0].text
    assert "has the wrong shape: expected (12, 1), got (11, 1)" in shown
    assert "one row per sample" in fn.findings[0].summary
    assert len(fn.findings) == 1


def test_set_of_samples_is_named(corpus_reports):
    fn = _fn(corpus_reports, "neg_set_of_samples", "negSamplingLossAndGradient")
    assert [f.mistake for f in fn.findings] == [
        "repeated negative samples dropped (the samples made unique, as set() does)"]
    # the not-accumulated file keeps its own diagnosis (its loss is right)
    other = _fn(corpus_reports, "neg_not_accumulated", "negSamplingLossAndGradient")
    assert all("dropped" not in f.mistake for f in other.findings)


def test_a_loop_assigning_with_equals_is_told_about_the_loop(corpus_reports):
    fn = _fn(corpus_reports, "neg_loop_assigns", "negSamplingLossAndGradient")
    assert len(fn.findings) == 1 and "not accumulated" in fn.findings[0].mistake
    assert "`=` in a loop" in fn.findings[0].text
    gradient_check = next(c for c in fn.checks if c.check == "gradient_check")
    assert gradient_check.state == "same_cause"


def test_u_where_u_transpose_is_meant_is_named_in_the_shape_error(corpus_reports):
    fn = _fn(corpus_reports, "naive_untransposed", "naiveSoftmaxLossAndGradient")
    assert len(fn.findings) == 1
    text = fn.findings[0].text
    assert "U vs U-transpose" in text and "gradCenterVec = outsideVectors @ delta" in text
    assert "Layout:" not in text   # the more specific hint replaces the general one
    others = [c for c in fn.checks if c.state == "same_cause"]
    assert len(others) == 8 and all(c.feedback == "Same cause as above: ValueError on line 85."
                                    for c in others)


def test_skipgram_checking_its_loss_is_told_any_loss_must_work(corpus_reports):
    fn = _fn(corpus_reports, "skipgram_asserts_loss", "skipgram")
    assert "must work with any loss function" in fn.findings[0].text
    assert len(fn.findings) == 1


def test_overwriting_skipgram_is_one_finding_and_titles_stay_true(corpus_reports):
    fn = _fn(corpus_reports, "skipgram_overwrite", "skipgram")
    assert len(fn.findings) == 1
    calls = next(c for c in fn.checks if c.check.startswith("calls") or "once per" in c.title)
    # it does call the loss once per word: the check failed only through the finding
    assert calls.state == "same_cause"


# --- the grouping rules on made-up outcomes (no worker) ---

def _graded(*rows):
    out = []
    for cid, passed, feedback, mistake, kind, core in rows:
        out.append((Check(cid, f"{cid} title", None), Outcome(passed, feedback, mistake, kind),
                    Item(points=2, core=core), passed, False, 0.0))
    return out


def test_identical_errors_are_one_finding_with_the_checks_they_cost():
    error = ("Smallest input that shows it:\n    x = 1\n"
             "sigmoid raised TypeError: bad\n    line 3, in sigmoid: return x.foo")
    checks, found = findings.assemble("sigmoid", _graded(
        ("a", False, error, "", "exception", True),
        ("b", False, error.replace("x = 1", "x = 2"), "", "exception", False),
        ("c", True, "", "", "", False)))
    assert len(found) == 1 and found[0].checks == ["a", "b"]
    assert [c.state for c in checks] == ["failed", "same_cause", "passed"]
    assert checks[1].feedback == "Same cause as above: TypeError on line 3."


def test_an_undiagnosed_property_of_a_failed_output_points_to_its_comparison():
    wrong = "Smallest input that shows it:\n    v = 1\ngradOutsideVecs does not match the expected value."
    rows = "The rows of gradOutsideVecs should add up to the zero vector."
    fn = "naiveSoftmaxLossAndGradient"
    checks, found = findings.assemble(fn, _graded(
        ("gradOutsideVecs", False, wrong, "", "wrong", True),
        ("rows", False, "Smallest input that shows it:\n    v = 1\n" + rows, "", "wrong", False),
        ("loss_valid", False, "Smallest input that shows it:\n    v = 1\nThe loss is -1.0", "",
         "wrong", False)))
    assert [c.state for c in checks] == ["failed", "same_cause", "failed"]
    assert len(found) == 2   # the loss is another output: its own finding


def test_shape_notes_of_failed_outputs_are_dropped():
    checks, _ = findings.assemble("naiveSoftmaxLossAndGradient", _graded(
        ("gradOutsideVecs", False, "gradOutsideVecs does not match", "", "wrong", True),
        ("gradCenterVec", True, "", "", "", True)))
    notes = ["naiveSoftmaxLossAndGradient: gradOutsideVecs has shape (1, 2) where (2, 1) is expected; "
             "accepted, since only singleton dimensions differ.",
             "naiveSoftmaxLossAndGradient: gradCenterVec has shape (1, 3) where (3,) is expected; "
             "accepted, since only singleton dimensions differ."]
    assert findings.shape_notes(notes, checks) == notes[1:]


def test_a_fixed_probe_is_not_called_the_smallest_input(corpus_reports):
    fn = _fn(corpus_reports, "sigmoid_exp_ratio", "sigmoid")
    large = next(c for c in fn.checks if c.check != "matches_reference" and not c.passed)
    assert large.feedback.startswith("On this input:")
    assert "Smallest input" not in large.feedback


def test_a_spent_budget_is_one_finding_not_one_per_check():
    spent = "time budget: sigmoid used up its 20 s of grading time, so its remaining checks were not run."
    checks, found = findings.assemble("sigmoid", _graded(
        ("a", False, spent, "", "budget", True), ("b", False, spent, "", "budget", False),
        ("c", False, spent, "", "budget", False)))
    assert len(found) == 1 and [c.state for c in checks] == ["failed", "same_cause", "same_cause"]
