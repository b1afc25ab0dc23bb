"""The same file always gets the same score and the same feedback, also when one process
grades several files in a row (as batch grading does)."""

from conftest import CORPUS
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
