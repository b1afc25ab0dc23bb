"""The corpus: correct submissions in several styles get full marks; each catalogued mistake
costs points in exactly its own function, with the mistake named."""

import pytest

from conftest import CORPUS, ROOT, function_scores, STUB

CORRECT = ["vectorised", "loops", "unique_counts", "singleton_shapes", "course_layout/word2vec",
           "starts_a_process"]

# file -> (function that must lose points, the diagnosis that must be named there or None)
BUGGY = {
    "sigmoid_exp_ratio": ("sigmoid", "exp(x) / (1 + exp(x)) overflows"),
    "sigmoid_sign": ("sigmoid", "the sign inside exp"),
    "sigmoid_in_place": ("sigmoid", None),
    "naive_outside_from_y_hat": ("naiveSoftmaxLossAndGradient", "gradOutsideVecs computed from y_hat"),
    "naive_center_from_y_hat": ("naiveSoftmaxLossAndGradient", "gradCenterVec computed from y_hat alone"),
    "naive_no_max_shift": ("naiveSoftmaxLossAndGradient", "without the max shift"),
    "naive_transposed": ("naiveSoftmaxLossAndGradient", "U vs U-transpose"),
    "naive_loss_sign": ("naiveSoftmaxLossAndGradient", "the sign of the loss"),
    "naive_loop_over_vocabulary": ("naiveSoftmaxLossAndGradient", "Python loops"),
    "neg_not_accumulated": ("negSamplingLossAndGradient", "repeated negative samples not accumulated"),
    "neg_sign": ("negSamplingLossAndGradient", "the sign of the negative-sample term"),
    "neg_set_of_samples": ("negSamplingLossAndGradient", "repeated negative samples dropped"),
    "neg_loop_assigns": ("negSamplingLossAndGradient", "repeated negative samples not accumulated"),
    "neg_rows_per_sample": ("negSamplingLossAndGradient", "one row per sample"),
    "naive_untransposed": ("naiveSoftmaxLossAndGradient", None),
    "skipgram_asserts_loss": ("skipgram", None),
    "neg_k_hardcoded": ("negSamplingLossAndGradient", "K ignored"),
    "neg_own_sampling": ("negSamplingLossAndGradient", "samples drawn some other way"),
    "skipgram_overwrite": ("skipgram", "overwriting (=) instead of accumulating"),
    "skipgram_every_row": ("skipgram", "center gradient written to every row"),
    "skipgram_outside_row": ("skipgram", "center gradient written to the outside word's row"),
    "skipgram_ignores_loss": ("skipgram", "word2vecLossAndGradient ignored"),
}


def test_reference_scores_full_marks(corpus_reports):
    report = corpus_reports[ROOT / "solutions" / "word2vec.py"]
    assert report.score == report.max_score == 100, report.summary_text()


@pytest.mark.parametrize("name", CORRECT)
def test_correct_styles_get_full_marks(corpus_reports, name):
    report = corpus_reports[CORPUS / "correct" / f"{name}.py"]
    failed = [(c.name, c.feedback) for c in report.checks() if not c.passed]
    assert report.score == report.max_score, failed


def test_a_line_starting_a_process_is_skipped_with_a_note(corpus_reports):
    """The sandbox refuses new processes (lockdown.refuse_processes): the file stopped at
    `subprocess.run(["ls"])` on import and scored 0; its other lines now run."""
    from grader.sandbox import lockdown
    if lockdown.children_filter() is None:
        pytest.skip("no seccomp filter for this machine's ABI: processes are not refused")
    report = corpus_reports[CORPUS / "correct" / "starts_a_process.py"]
    refused = [n for n in report.notes if "starts a process" in n]
    assert refused == ["Line 21 of your file (`subprocess.run([\"ls\"])`) starts a process, "
                       "which grading does not allow: that statement was skipped."]
    assert not report.problems
    assert report.student_output.count("printed at import") == 1   # not once per load


@pytest.mark.parametrize("kind, message, line, said", [
    ("PermissionError", "[Errno 1] Operation not permitted", "p = subprocess.run(['ls'])", True),
    ("PermissionError", "[Errno 1] Operation not permitted: '/bin/true'",
     'os.posix_spawn("/bin/true", ["true"], {})', True),   # missed: `_spawn` is no word start
    ("OSError", "[Errno 30] Read-only file system", "pool = multiprocessing.Pool(2)", True),
    ("PermissionError", "[Errno 13] Permission denied: 'x'", "data = open('x').read()", False),
    ("ValueError", "[Errno 1] no", "subprocess.run(['ls'])", False),
    # a missing file in a helper whose name ends like a process call: once skipped at import
    # as a refused process, scoring 100 instead of 0 (a reviewer's file)
    ("FileNotFoundError", "[Errno 2] No such file or directory: 'corpus.txt'",
     'TEXT = load_and_run("corpus.txt")', False),
    ("PermissionError", "[Errno 1] Operation not permitted", "x = my_run(1)", False),
])
def test_a_refused_process_is_said_in_the_students_terms(kind, message, line, said):
    from grader.checks.framework import process_refused
    text = process_refused(kind, message, [f"line 3, in sigmoid: {line}"])
    assert ("may not start other processes" in text) == said, text


def test_a_file_that_loads_is_loaded_once(monkeypatch):
    """Only a file stopped by a refused process is loaded again, statement by statement
    (a first version loaded every file twice: no errors are all refused ones too)."""
    from grader import grading
    from grader.sandbox.client import WorkerClient
    starts, start = [], WorkerClient.start
    monkeypatch.setattr(WorkerClient, "start", lambda self: (starts.append(1), start(self))[1])
    grading.grade(CORPUS / "correct" / "vectorised.py")
    assert len(starts) == 1


def test_singleton_shapes_are_accepted_with_a_note(corpus_reports):
    report = corpus_reports[CORPUS / "correct" / "singleton_shapes.py"]
    assert any("(1, " in n and "accepted" in n for n in report.notes), report.notes
    assert any("loss has shape (1,)" in n for n in report.notes), report.notes


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_each_mistake_costs_points_in_its_own_function_only(corpus_reports, name):
    function, mistake = BUGGY[name]
    report = corpus_reports[CORPUS / "buggy" / f"{name}.py"]
    for fn, (score, maximum) in function_scores(report).items():
        if fn == function:
            assert score < maximum, f"{name} should lose points in {fn}"
        else:
            assert score == maximum, f"{name} lost points in {fn}, not only in {function}"
    if mistake:
        named = [c.mistake for c in report.checks() if c.function == function and c.mistake]
        assert any(mistake in m for m in named), named
        text = "\n".join(c.feedback for c in report.checks() if c.function == function)
        assert "Likely mistake:" in text and "How to fix it:" in text


def test_feedback_shows_smallest_input_expected_actual_and_worst_entry(corpus_reports):
    report = corpus_reports[CORPUS / "buggy" / "naive_outside_from_y_hat.py"]
    check = next(c for c in report.checks() if c.check == "gradOutsideVecs")
    assert not check.passed
    for part in ("Smallest input that shows it:", "outsideVectors = ", "expected:", "yours:",
                 "largest difference at index"):
        assert part in check.feedback, check.feedback
    # Hypothesis shrinks: the smallest failing vocabulary has two words.
    assert check.feedback.count("\n") < 20


def test_untouched_stubs_score_zero_with_not_implemented(corpus_reports):
    report = corpus_reports[STUB]
    assert report.score == 0
    for fn in report.functions:
        assert fn.status == "not_implemented", fn
        assert "not implemented" in fn.summary
    # one line per function, no marks of checks: none to explain (a fresh clone's student
    # was told what "–" means, which the report did not show)
    from grader.report import policy, terminal
    assert policy.legend(report) == "" and "Marks:" not in terminal.render(report)


def test_no_function_is_scored_from_vacuous_properties(corpus_reports):
    """A file whose only wrong function is sigmoid_sign still passes properties there (the
    input stays unchanged), but they must not pay out while every core check fails."""
    report = corpus_reports[CORPUS / "buggy" / "sigmoid_sign.py"]
    sigmoid = next(f for f in report.functions if f.name == "sigmoid")
    assert sigmoid.score == 0
    unchanged = next(c for c in sigmoid.checks if c.check == "input_unchanged")
    assert "not counted" in unchanged.feedback


VACUOUS = sorted((CORPUS / "vacuous").glob("*.py"))


def test_vacuous_files_score_zero_everywhere():
    """Code returning zeros, constants or its inputs passes some properties (inputs unchanged,
    rows sum to zero...) but earns nothing: those pay only after a reference comparison."""
    from conftest import grade_many
    assert len(VACUOUS) >= 3, VACUOUS   # the corpus itself is there
    for path, report in grade_many(VACUOUS).items():
        passed = [c.name for c in report.checks() if c.passed]
        assert report.score == 0, (path.name, passed)
        assert report.problems == [], (path.name, report.problems)
        # not vacuous by accident: the file did run, and some property alone would have passed
        assert any("not counted" in c.feedback for c in report.checks()), path.name
