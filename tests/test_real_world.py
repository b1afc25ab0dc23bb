"""Real students' files are graded as written (issue 12): each kind of file the grader once
mishandled gets its verdict. `real_world/shared_cases/` holds the issue's own cases (their
verdicts in /work/shared/cases/README.md); the other files in `real_world/` are our variants,
made by `real_world/build_real_world.py`.
"""

import re

import pytest

from conftest import CORPUS, function_scores, grade_many, student_notes
from grader import grading, rubric as rubric_mod, submission, untouched
from grader.report import terminal

REAL = CORPUS / "real_world"
CASES = REAL / "shared_cases"
FULL = {"sigmoid": (10, 10), "naiveSoftmaxLossAndGradient": (30, 30),
        "negSamplingLossAndGradient": (30, 30), "skipgram": (30, 30)}
INTERNAL = re.compile(r"RecordingLoss|GradingDataset|ControlledSampler|grader/|harness|"
                      r"\bat 0x[0-9a-f]+")


@pytest.fixture(scope="module")
def reports():
    files = sorted(REAL.glob("*.py")) + sorted(REAL.glob("*.ipynb"))
    files += sorted(CASES.glob("*.py")) + sorted(CASES.glob("*.ipynb"))
    files = [f for f in files if f.name != "build_real_world.py"]
    return {path.name: report for path, report in grade_many(files).items()}


def scores(report):
    return function_scores(report)


def function(report, name):
    return next(f for f in report.functions if f.name == name)


def feedback(report, name):
    return "\n".join(c.feedback for c in function(report, name).checks)


def everything_shown(report):
    return "\n".join([*report.problems, *report.notes, report.student_output,
                      *(f.summary for f in report.functions),
                      *(c.feedback for c in report.checks())])


def test_no_report_names_grader_internals(reports):
    for name, report in reports.items():
        assert not INTERNAL.search(everything_shown(report)), name


# -- 1. encodings ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["latin1_coding_line.py", "enc_cp932.py", "enc_utf8_bom.py",
                                  "enc_vim_latin1_after_shebang.py"])
def test_declared_encodings_are_honoured(reports, name):
    report = reports[name]
    assert scores(report) == FULL, report.summary_text()
    assert not report.problems


def test_an_undecodable_file_is_named_by_line(reports):
    report = reports["enc_undecodable_line_5.py"]
    assert report.score == 0
    assert report.problems == ["Line 5 of your file is not valid utf-8 text. Save the file as "
                               "UTF-8 (or fix its coding line) and submit again."]


@pytest.mark.parametrize("data, words", [
    (b"# coding: klingon\nx = 1\n", "unknown encoding: klingon"),
    (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "byte-order mark"),
    (b"# -*- coding: ascii -*-\nx = 1\ny = '\xe9'\n", "Line 3 of your file is not valid ascii"),
])
def test_encoding_problems_say_what_to_fix(data, words):
    text, problem = submission.decode(data)
    assert text is None and words in problem


# -- 2. course helpers the kit lacks -------------------------------------------------------------

@pytest.mark.parametrize("name, module", [
    ("imports_course_treebank.py", "`utils.treebank` (line 2)"),
    ("helpers_sanity_checks.py", "`utils.sanity_checks` (line 6), `utils.treebank` (line 7)"),
    ("nb_helper_module.ipynb", "`utils.treebank` (cell 2, line 2)"),
])
def test_unused_missing_helpers_cost_nothing_with_a_note(reports, name, module):
    report = reports[name]
    assert scores(report) == FULL, report.summary_text()
    assert any(f"imports {module}, which the kit does not have" in n for n in report.notes), \
        report.notes


def test_a_function_that_uses_a_missing_helper_fails_saying_so(reports):
    report = reports["helpers_really_used.py"]
    assert scores(report) == dict(FULL, naiveSoftmaxLossAndGradient=(0, 30))
    assert ("`utils.datasets` is not available when grading (the kit does not ship that course "
            "helper), so `normalize_vectors` taken from it cannot be used"
            in feedback(report, "naiveSoftmaxLossAndGradient"))


# -- 3. notebook cells fail statement by statement ------------------------------------------------

def test_the_rest_of_a_cell_runs_after_a_failing_import(reports):
    report = reports["nb_torch_then_softmax.ipynb"]
    assert scores(report) == FULL, report.summary_text()
    assert student_notes(report) == [
        "Cell 3 (`import torch`) imports `torch` on line 1, which is not available when grading "
        "(only numpy, the standard library and the course's utils are). Only that statement "
        "(`import torch`) was skipped: the rest of the cell and the cells after it ran, and the "
        "functions they define were graded."]


def test_shared_notebook_case_grades_softmax_and_names_cell_and_module(reports):
    report = reports["notebook_cell_with_missing_import.ipynb"]
    assert scores(report)["naiveSoftmaxLossAndGradient"] == (30, 30)
    assert any("`utils.treebank` (cell 3, line 1)" in n for n in report.notes), report.notes


def test_a_name_error_from_a_skipped_statement_says_where_the_name_was_to_come_from(reports):
    report = reports["nb_name_from_failed_import.ipynb"]
    assert scores(report) == dict(FULL, sigmoid=(0, 10))
    assert ("name 'expit' is not defined (it was to come from cell 3, `from fancy_activations "
            "import expit`, which failed when the notebook ran)\n    cell 4, line 2, in "
            "sigmoid: return expit(x)") in feedback(report, "sigmoid")
    note = next(n for n in student_notes(report) if n.startswith("Cell 3"))
    assert "so was `print(expit(0.0))`, which needs what it defines" in note


def test_an_error_inside_another_cells_function_names_that_cell(reports):
    report = reports["nb_error_in_other_cell.ipynb"]
    assert scores(report) == FULL
    [note] = student_notes(report)
    assert note.startswith("Cell 8 (`# try it`) raised ValueError on line 3: ")
    assert "(in cell 4, line 2, in naiveSoftmaxLossAndGradient: y_hat = softmax(" in note


# -- 4. other editions' names ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["snake_case_names.py", "names_snake_case_everywhere.py",
                                  "nb_snake_case.ipynb"])
def test_other_styles_names_are_graded_with_a_note(reports, name):
    report = reports[name]
    assert scores(report) == FULL, report.summary_text()
    assert any("Your `naive_softmax_loss_and_gradient` was graded as naiveSoftmaxLossAndGradient"
               in n for n in report.notes), report.notes


def test_the_2017_layout_is_graded_under_this_exercises_names(reports):
    report = reports["helpers_2017_layout.py"]
    # its sigmoid lived in q2_sigmoid.py, which it did not hand in: that one is missing
    assert scores(report) == dict(FULL, sigmoid=(0, 10)), report.summary_text()
    assert function(report, "sigmoid").status == "missing"
    assert any("Your `softmaxCostAndGradient` was graded as naiveSoftmaxLossAndGradient" in n
               for n in report.notes)
    assert any("`q2_sigmoid` (line 9)" in n for n in report.notes)


def test_the_rubric_can_turn_other_names_off(tmp_path):
    text = rubric_mod.DEFAULT_PATH.read_text()
    assert "accept_other_editions = true" in text
    path = tmp_path / "rubric.toml"
    path.write_text(text.replace("accept_other_editions = true", "accept_other_editions = false"))
    report = grading.grade(CASES / "snake_case_names.py", rubric_mod.load(path))
    assert scores(report) == dict(FULL, naiveSoftmaxLossAndGradient=(0, 30),
                                  negSamplingLossAndGradient=(0, 30))
    naive = function(report, "naiveSoftmaxLossAndGradient")
    assert naive.status == "missing"
    assert ("your `naive_softmax_loss_and_gradient` looks like it: rename it to "
            "naiveSoftmaxLossAndGradient") in naive.summary


# -- 5. keyword calls, internal names, reprs ---------------------------------------------------

@pytest.mark.parametrize("name", ["skipgram_keyword_call.py", "kw_snake_case_keywords.py"])
def test_keyword_calls_to_the_loss_are_explained_in_the_contracts_terms(reports, name):
    report = reports[name]
    assert scores(report) == dict(FULL, skipgram=(0, 30))
    text = feedback(report, "skipgram")
    assert ("the loss function given to skipgram was called with keyword names its contract "
            "does not have (center_word_vec, outside_word_idx, outside_vectors); call it with the "
            "contract's names or by position: word2vecLossAndGradient(centerWordVec, "
            "outsideWordIdx, outsideVectors, dataset)") in text
    assert "dataset=dataset)" in text   # the whole call is quoted, keywords included


def test_the_contracts_own_keywords_are_fine(reports):
    assert scores(reports["kw_contract_keywords.py"]) == FULL


def test_printed_stand_ins_are_friendly_and_the_same_every_run(reports):
    report = reports["kw_prints_its_arguments.py"]
    assert scores(report) == FULL
    assert ("debug: <dataset of 1 word> <function word2vecLossAndGradient (the loss given to "
            "skipgram)> <dataset of 1 word>") in report.student_output
    again = grading.grade(REAL / "kw_prints_its_arguments.py")
    assert again.student_output == report.student_output


def test_a_missing_dataset_attribute_says_what_the_dataset_has(reports):
    text = feedback(reports["kw_dataset_attribute.py"], "skipgram")
    assert ("AttributeError: the dataset has no attribute 'vocabulary_size' (it has "
            "sampleTokenIdx(), tokens() and getRandomContext(C))") in text


# -- 6. the untouched course stub ----------------------------------------------------------------

@pytest.mark.parametrize("name, functions", [
    ("untouched_course_stub_skipgram.py", ["skipgram"]),
    ("stub_untouched_naive_and_skipgram.py", ["naiveSoftmaxLossAndGradient", "skipgram"]),
    ("nb_untouched_stub.ipynb", ["skipgram"]),
])
def test_the_untouched_stub_is_not_implemented_yet(reports, name, functions):
    report = reports[name]
    for fn in functions:
        graded = function(report, fn)
        assert graded.status == "not_implemented" and graded.score == 0
        assert graded.summary.startswith(f"{fn} is not implemented yet")
        assert "Likely mistake" not in feedback(report, fn)
    assert report.score == 100 - sum(FULL[fn][1] for fn in functions)


@pytest.mark.parametrize("name", ["stub_kept_name_rebound.py", "nb_stub_kept_name_rebound.ipynb"])
def test_a_stub_whose_name_is_bound_later_to_working_code_is_graded(reports, name):
    report = reports[name]   # was: "skipgram is not implemented yet", 70/100
    assert scores(report) == FULL and function(report, "skipgram").status != "not_implemented"


STUB = "def skipgram(a, b):\n    loss = 0.0\n    return loss, np.zeros(a.shape)\n"


@pytest.mark.parametrize("after, stub", [
    ("skipgram = my_skipgram", False),
    ("from mine import skipgram", False),
    ("import mine as skipgram", False),
    ("if True:\n    skipgram = my_skipgram", False),
    ("try:\n    from mine import skipgram\nexcept ImportError:\n    pass", False),
    ("for skipgram in [my_skipgram]:\n    pass", False),
    ("with open('x') as skipgram:\n    pass", False),
    ("(skipgram := my_skipgram)", False),
    ("from mine import *", False),
    ("def use():\n    global skipgram\n    skipgram = my_skipgram", False),
    ("globals()['skipgram'] = my_skipgram", False),
    ("@functools.wraps(my_skipgram)\n" + STUB, False),
    ("skipgram = my_skipgram\n" + STUB, True),        # the stub again, last
    ("my_skipgram = skipgram", True),                   # another name bound, not this one
    ("def helper():\n    skipgram = 1\n    return skipgram", True),   # a local, not the module's
])
def test_the_last_binding_of_the_name_decides_whether_it_is_the_stub(after, stub):
    assert ("skipgram" in untouched.untouched_functions([STUB, after])) == stub
    assert ("skipgram" in untouched.untouched_functions([STUB + "\n" + after])) == stub


def test_code_that_was_started_is_not_a_stub():
    started = ("def skipgram(c, w, o, w2i, C, U, d, loss=None):\n    total = 0.0\n"
               "    grad = np.zeros(C.shape)\n    grad[w2i[c]] = 1\n    return total, grad, grad\n")
    formula = "def sigmoid(x):\n    return 1 / (1 + math.e ** -x)\n"
    stub = "def sigmoid(x):\n    s = np.zeros_like(x)\n    return s\n"
    assert untouched.untouched_functions([started, formula]) == set()
    assert untouched.untouched_functions([stub]) == {"sigmoid"}
    assert untouched.untouched_functions([stub, formula]) == set()   # the last definition wins


# -- 7. time-outs as counterexamples --------------------------------------------------------------

def test_a_time_out_says_where_the_code_was_and_shows_an_input_that_finishes(reports):
    report = reports["timeout_dispatch_on_loss.py"]
    assert scores(report) == dict(FULL, skipgram=(0, 30))
    loss = function(report, "skipgram").checks[0].feedback
    assert "Time limit: skipgram did not finish on this input" in loss
    assert re.search(r"your code was at:\n    line \d+, in skipgram: getNegativeSamples\(word2Ind"
                     r"\[w\], dataset, 5\)\n    line \d+, in getNegativeSamples: ", loss), loss
    assert "On an input where it does finish, it is wrong:" in loss
    assert "used up its" not in loss
    shown = terminal.render(report)
    assert "  ✗ loss matches the reference" in shown.split("\nskipgram ")[1]


def test_a_time_out_on_one_word_still_names_the_mistake(reports):
    report = reports["timeout_one_word_vocabulary.py"]
    loss = function(report, "naiveSoftmaxLossAndGradient").checks[0]
    assert "Time limit" in loss.feedback and "while outsideVectors.shape[0] < 2" in loss.feedback
    assert loss.mistake.startswith("the sign of the loss")


# -- 8. vectors stored as columns ----------------------------------------------------------------

@pytest.mark.parametrize("name, fn", [
    ("column_layout_naive.py", "naiveSoftmaxLossAndGradient"),
    ("layout_columns_naive.py", "naiveSoftmaxLossAndGradient"),
    ("layout_columns_neg.py", "negSamplingLossAndGradient"),
    ("nb_layout_columns.ipynb", "naiveSoftmaxLossAndGradient"),
])
def test_the_column_layout_is_explained_once(reports, name, fn):
    report = reports[name]
    assert scores(report) == dict(FULL, **{fn: (0, 30)})
    text = feedback(report, fn)
    assert text.count("Layout: in this exercise every word vector is a row") == 1, text
    assert text.count("Smallest input") <= 2, text   # the error itself is shown once or twice
    assert "outsideVectors is (V, D)" in text


def test_the_column_case_report_is_short(reports):
    lines = terminal.render(reports["column_layout_naive.py"]).splitlines()
    assert len(lines) < 100, len(lines)   # was 319 lines


# -- where errors are: the student's own frames only ----------------------------------------------

def test_error_locations_show_only_the_students_frames():
    from grader.paths import EXERCISES_DIR
    from grader.sandbox.client import LoadRequest, WorkerClient
    path = REAL / "own_helper" / "word2vec.py"
    request = LoadRequest(filename=str(path), cells=submission.load(path).cells,
                          sys_path=[str(path.parent), str(EXERCISES_DIR)])
    with WorkerClient(request, rubric_mod.load().limits) as worker:
        loaded = worker.start()
        answer = worker.call({"op": "call", "fn": "sigmoid", "args": [[1.0, 2.0]]})
    assert loaded["present"]["sigmoid"], loaded
    # numpy's own Python lines (linalg.py) are not the student's: they are left out
    assert answer["error"]["where"] == [
        "line 4, in sigmoid: return norm(x)",
        "helpers.py, line 4, in norm: return np.linalg.norm(x, ord='nonsense')"]


def test_a_named_mistake_is_not_blamed_on_the_layout():
    from grader import layout
    error = ("negSamplingLossAndGradient raised ValueError: operands could not be broadcast "
             "together with shapes (11,) (2,)\n    line 141, in negSamplingLossAndGradient: "
             "s = sigmoid(signs * (u @ centerWordVec))\nLikely mistake: K ignored.")
    assert layout.layout_hint("negSamplingLossAndGradient", error) == ""
    assert layout.layout_hint("negSamplingLossAndGradient",
                              error.replace("\nLikely mistake: K ignored.", "")).startswith(
        "Layout: in this exercise every word vector is a row")
