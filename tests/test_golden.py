"""Golden files: every renderer (terminal, annotated notebook, results.json, the batch feedback
page) on a small fixed set of submissions, compared with tests/golden/ byte for byte.

Grading is deterministic, so a difference is a real change in what students read: look at the
diff, and if it is meant, rewrite the files with `UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/test_golden.py` and commit them with the change.
"""

import copy
import html
import io
import json
import os
from pathlib import Path

import pytest

from conftest import CORPUS
from grader import grading
from grader.batch import student_page
from grader.report import annotate, results_json, terminal

GOLDEN = Path(__file__).resolve().parent / "golden"
# a missing one-hot, a transposed gradient (a shape mistake), an overwriting loop, and a file
# that does not parse
BUGGY = ("naive_outside_from_y_hat", "naive_transposed", "skipgram_overwrite")


class _Utf8:
    encoding = "utf-8"


def _stable(report, name):
    """The report without what varies between runs and machines (times, paths, the sandbox)."""
    report = copy.deepcopy(report)
    report.submission = f"{name}.py"
    report.seconds = 0.0
    report.notes = [n for n in report.notes if not n.startswith("Sandbox")]
    for check in report.checks():
        check.seconds = 0.0
    return report


def _renders(report, name):
    source = (CORPUS / ("buggy" if name in BUGGY else "broken") / f"{name}.py").read_text()
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": source}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    cells = annotate.annotate(nb, report)["cells"]
    row = {"report": report, "student": name, "origin": f"{name}.py", "seconds": 0.0,
           "rubric_version": report.rubric_version, "grader_version": report.grader_version,
           "error": ""}
    return {
        "terminal.txt": terminal.render(report, stream=_Utf8()),
        "annotated.md": "\n\n----\n\n".join(c["source"] for c in cells
                                             if c["cell_type"] == "markdown"),
        "results.json": json.dumps(results_json.gradescope(report), indent=2,
                                   ensure_ascii=False) + "\n",
        "feedback.html": student_page.render(row),
    }


@pytest.fixture(scope="module")
def reports(corpus_reports):
    found = {p.stem: r for p, r in corpus_reports.items() if p.parent.name == "buggy"}
    out = {name: _stable(found[name], name) for name in BUGGY}
    out["syntax_error"] = _stable(grading.grade(CORPUS / "broken" / "syntax_error.py"),
                                  "syntax_error")
    return out


@pytest.mark.parametrize("name", BUGGY + ("syntax_error",))
def test_every_renderer_matches_its_golden_file(reports, name):
    for kind, text in _renders(reports[name], name).items():
        path = GOLDEN / f"{name}.{kind}"
        if os.environ.get("UPDATE_GOLDEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1"
        assert text == path.read_text(encoding="utf-8"), f"{path.name} changed"


def test_one_missing_one_hot_is_one_finding_in_under_40_lines(reports):
    report = reports["naive_outside_from_y_hat"]
    fn = next(f for f in report.functions if f.name == "naiveSoftmaxLossAndGradient")
    assert len(fn.findings) == 1
    assert fn.findings[0].checks[:2] == ["gradOutsideVecs", "large_scores"]
    text = terminal.render(report, stream=_Utf8())
    block = text.split("naiveSoftmaxLossAndGradient", 1)[1].split("\n\n")[0]
    assert len(block.splitlines()) <= 40
    assert block.count("Likely mistake") == 1 and block.count("Smallest input") == 1
    # the large-scores check failed for this cause: its line does not claim an overflow
    large = next(c for c in fn.checks if c.check == "large_scores")
    assert large.state == "same_cause" and "Same cause as above" in large.feedback


def test_passed_but_not_counted_has_its_own_mark(reports):
    fn = next(f for f in reports["naive_outside_from_y_hat"].functions
              if f.name == "naiveSoftmaxLossAndGradient")
    check = next(c for c in fn.checks if c.check == "input_unchanged")
    assert check.state == "not_counted"
    assert "○ inputs are left unchanged" in terminal.render(reports["naive_outside_from_y_hat"],
                                                            stream=_Utf8())


def test_transposed_gradient_has_no_contradicting_shape_note(reports):
    report = reports["naive_transposed"]
    assert not any("singleton" in n for n in report.notes)
    fn = next(f for f in report.functions if f.name == "naiveSoftmaxLossAndGradient")
    shown = fn.findings[0].text
    # shown where the shapes differ, not on V = D where only the values look wrong
    assert "has the wrong shape: expected (2, 3), got (3, 2)" in shown
    assert "U vs U-transpose" in shown
    dumped = json.dumps(results_json.gradescope(report))
    assert "singleton" not in dumped


@pytest.mark.parametrize("name", BUGGY)
def test_renderers_agree_on_what_is_shown(reports, name):
    """The same checks carry text in every renderer (one policy decides)."""
    report = reports[name]
    renders = _renders(report, name)
    tests = results_json.gradescope(report)["tests"]
    for check, test in zip(report.checks(), tests):
        if check.state != "passed":
            assert test["output"]
            first = test["output"].splitlines()[0]
            assert first in renders["annotated.md"]
            assert html.escape(first) in renders["feedback.html"]
            assert first in renders["terminal.txt"].replace("\n        ", " ") or \
                first[:60] in renders["terminal.txt"]
