"""Notebooks: the generated exercise notebook, grading .ipynb submissions, --annotate.

Full gradings are few (three, two at a time); everything else is a unit test of the loader,
the generator or the annotator.
"""

import contextlib
import json
import subprocess
import sys
import textwrap

import nbformat
import pytest

from conftest import CORPUS, GENERATED, ROOT, STUB, committed_texts, grade_many, student_notes
from grader import cli, grading, notebook
from grader.build import notebook as build_notebook
from grader.build import stubs
from grader.paths import EXERCISES_DIR, REFERENCE_FILE
from grader.report import annotate
from grader.results import CheckResult, FunctionReport, GradeReport
from grader.rubric import FUNCTIONS
from grader.rubric import load as load_rubric
from grader.sandbox.client import LoadRequest, WorkerClient

NOTEBOOKS = CORPUS / "notebooks"
EXERCISE = GENERATED / "word2vec.ipynb"
sys.path.insert(0, str(NOTEBOOKS))
from build_notebooks import solve  # noqa: E402


def reference_bodies():
    return {name: "\n".join(body) for name, _, _, body in
            stubs.solution_blocks(stubs.reference_text())}


def cell_number(path, cell_id):
    cells = json.loads(path.read_text())["cells"]
    return next(n for n, c in enumerate(cells, 1) if c.get("id") == cell_id)


def assert_full_marks(report):
    """Every check passed. Efficiency checks time the code against the reference in the same
    run, and on a loaded two-core machine they can miss for the reference itself; they are
    not about notebooks (the corpus tests hold them to full marks)."""
    failed = [(c.name, c.feedback) for c in report.checks() if not c.passed and not c.efficiency]
    assert not failed, failed


@pytest.fixture(scope="module")
def solved_exercise(tmp_path_factory):
    """The exercise notebook with the reference bodies pasted in (never committed)."""
    path = tmp_path_factory.mktemp("solved") / "word2vec.ipynb"
    path.write_text(json.dumps(solve(json.loads(EXERCISE.read_text()), reference_bodies())))
    return path


@pytest.fixture(scope="module")
def reports(solved_exercise):
    paths = [NOTEBOOKS / "magics.ipynb", NOTEBOOKS / "broken_scratch.ipynb",
             solved_exercise]
    return {path.stem: report for path, report in grade_many(paths).items()}


# -- the generated exercise notebook -----------------------------------------------------------

def test_committed_notebook_is_what_the_generator_makes():
    assert build_notebook.build_text() in committed_texts("exercises/word2vec.ipynb"), \
        "run `make exercises` and commit"


def test_committed_notebook_is_valid():
    for text in committed_texts("exercises/word2vec.ipynb"):
        nbformat.validate(nbformat.reads(text, as_version=nbformat.NO_CONVERT))


def test_each_function_is_taught_next_to_its_stub_and_nothing_leaks():
    cells = nbformat.reads(EXERCISE.read_text(), as_version=4).cells
    ids = [c.id for c in cells]
    code_lines = {line.strip() for c in cells if c.cell_type == "code" for line in c.source.splitlines()}
    for name, body in reference_bodies().items():
        math, stub = cells[ids.index(f"{name}-math")], cells[ids.index(f"{name}-math") + 1]
        assert math.cell_type == "markdown" and "$$" in math.source
        assert stub.cell_type == "code" and notebook.defined_functions(stub.source) == [name]
        assert f'raise NotImplementedError("{name}: ' in stub.source
        for line in body.splitlines():
            code = line.split("#")[0].strip()
            assert not code or code not in code_lines, f"solution line of {name} leaked: {code}"
    # repeated draws are taught at either level: as a question (derive, the default) or with
    # the numpy call that counts them (guided)
    assert "once per draw" in cells[ids.index("negSamplingLossAndGradient-math")].source
    guided = nbformat.reads(build_notebook.build_text(hints="guided"), as_version=4).cells
    assert "np.add.at" in next(c for c in guided if c.id == "negSamplingLossAndGradient-math").source
    assert "make grade SUBMISSION=exercises/word2vec.ipynb" in cells[-1].source
    assert notebook.python_source(cells[-1].source).strip().endswith("pass"), \
        "the grading cell must be one the grader skips"


RUN_ALL = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, ".")
    from grader.notebook import code_cells, python_source
    nb = json.load(open(sys.argv[1]))
    namespace = {"__name__": "__main__"}   # as in Jupyter
    sys.path.insert(0, sys.argv[2])        # Jupyter runs in the notebook's folder
    for number, source in code_cells(nb):
        code = python_source(source)
        if code is not None:
            exec(compile(code, f"cell {number}", "exec"), namespace)
""")


@pytest.mark.parametrize("solved", [False, True], ids=["as handed out", "solved"])
def test_run_all_cells_works(solved, solved_exercise):
    path = solved_exercise if solved else EXERCISE
    proc = subprocess.run([sys.executable, "-c", RUN_ALL, str(path), str(EXERCISES_DIR)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    if solved:
        assert proc.stdout.count("All 3 tests passed!") == 2
        assert "Gradient check failed" not in proc.stdout and "Not written yet" not in proc.stdout
    else:
        for name in FUNCTIONS:
            assert f"Not written yet: {name}: replace this line" in proc.stdout


def test_exercise_notebook_scores_zero_with_not_implemented_per_function():
    report = grading.grade(EXERCISE)
    assert report.score == 0 and not report.problems and not student_notes(report)
    for fn in report.functions:
        assert fn.status == "not_implemented"
        assert "not implemented" in fn.summary


def test_solved_exercise_notebook_gets_full_marks(reports):
    report = reports["word2vec"]
    assert_full_marks(report)


# -- student notebooks -------------------------------------------------------------------------

def test_magics_and_shell_escapes_are_skipped_with_full_marks(reports):
    report = reports["magics"]
    assert_full_marks(report)
    assert not report.problems and not student_notes(report), report.summary_text()


def test_broken_scratch_cells_are_named_and_cost_nothing(reports):
    report = reports["broken_scratch"]
    assert_full_marks(report)
    path = NOTEBOOKS / "broken_scratch.ipynb"
    expected = [
        f"Cell {cell_number(path, 'scratch-name')} (`# trying things from yesterday`) raised "
        "NameError on line 3: name 'old_result' is not defined.",
        f"Cell {cell_number(path, 'scratch-plot')} (`import matplotlib.pyplot as plt`) imports "
        "`matplotlib` on line 1",
        f"Cell {cell_number(path, 'scratch-syntax')} (`def half_written(x:`) was skipped: "
        "Python cannot read it",
    ]
    for text in expected:
        assert any(note.startswith(text) for note in report.notes), (text, report.notes)
    assert len(student_notes(report)) == 3


@contextlib.contextmanager
def worker_for(path):
    """A worker that has run the notebook's cells: (submission, load answer, worker)."""
    sub = notebook.load(path)
    request = LoadRequest(filename=str(path), cells=sub.cells, stop_on_error=False,
                          sys_path=[str(path.parent), str(EXERCISES_DIR)])
    with WorkerClient(request, load_rubric().limits) as worker:
        yield sub, worker.start(), worker


def test_colab_notebook_loads_every_function():
    """Colab's format 4.0 file (line-list sources, no ids, widgets, images, attachments) loads;
    the grading itself is the same as for any notebook once the cells are read."""
    with worker_for(NOTEBOOKS / "colab.ipynb") as (sub, loaded, _):
        pass
    assert not sub.problems and not sub.notes
    assert all(loaded["present"][name] for name in FUNCTIONS)
    assert [(e["cell"], e["name"]) for e in loaded["cell_errors"]] == [("1", "google")]


@pytest.mark.parametrize("name, reason", [
    ("not_json", "it is not JSON (Expecting value on line 1, column 1)"),
    ("truncated", "it looks cut off"),
    ("no_cells", "not a notebook (there is no list of cells)"),
    ("source_not_text", "cell 1's source is not text"),
    ("format3", "old notebook format 3"),
])
def test_malformed_notebook_scores_zero_with_the_reason(name, reason):
    report = grading.grade(NOTEBOOKS / "malformed" / f"{name}.ipynb")
    assert report.score == 0
    assert report.problems[0].startswith("This is not a valid notebook: ")
    assert reason in report.problems[0]


def test_empty_file_and_notebook_without_code(tmp_path):
    empty = tmp_path / "empty.ipynb"
    empty.write_text("")
    assert notebook.load(empty).problems == ["This is not a valid notebook: the file is empty."]
    text_only = tmp_path / "text.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# notes")])
    text_only.write_text(nbformat.writes(nb))
    assert "no code cells" in notebook.load(text_only).problems[0]


@pytest.mark.parametrize("source, expected", [
    ("%matplotlib inline\nx = 1", "pass\nx = 1"),
    ("!pip install numpy \\\n    scipy\nx = 1", "pass\n\nx = 1"),
    ("files = !ls\nnp.sum?\n?np.outer", "pass\npass\npass"),
    ("for i in range(2):\n    !echo {i}\n", "for i in range(2):\n    pass\n"),
    ("get_ipython().run_line_magic('matplotlib', 'inline')\nx = 1\n", "pass\nx = 1\n\n"),
    ("%%time\ndef f():\n    return 1", "\ndef f():\n    return 1"),
    ("%%bash\necho hi", None),
    ('def f():\n    """\n%not a magic\n    """\n%time f()', 'def f():\n    """\n%not a magic\n    """\npass'),
])
def test_ipython_lines_become_pass_keeping_line_numbers(source, expected):
    assert notebook.python_source(source) == expected


def test_a_real_syntax_error_is_not_taken_for_a_magic():
    with pytest.raises(SyntaxError) as exc:
        notebook.python_source("%matplotlib inline\ndef f(x:\n    return x")
    assert exc.value.lineno == 2


def test_notebook_cell_tracebacks_show_the_students_code(tmp_path):
    path = tmp_path / "raises.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\n\ndef sigmoid(x):\n    scale = 0\n    return 1 / scale")])
    path.write_text(nbformat.writes(nb))
    with worker_for(path) as (_, _, worker):
        answer = worker.call({"op": "call", "fn": "sigmoid", "args": [0.0]})
    assert answer["error"]["type"] == "ZeroDivisionError"
    # the cell is named: a function defined in one cell often fails when called from another
    assert answer["error"]["where"] == ["cell 1, line 5, in sigmoid: return 1 / scale"]


def test_nbformat_is_not_imported_to_grade():
    code = ("import sys; from grader import grading, notebook, cli; "
            "notebook.load(sys.argv[1]); assert 'nbformat' not in sys.modules")
    proc = subprocess.run([sys.executable, "-c", code, str(NOTEBOOKS / "magics.ipynb")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


# -- --annotate --------------------------------------------------------------------------------

def fake_report():
    failed = CheckResult(function="negSamplingLossAndGradient", check="repeated_samples",
                         title="repeated negative samples count once per draw", score=0,
                         max_score=3, passed=False,
                         feedback="Likely mistake: repeats not accumulated.\n    use np.add.at")
    passed = CheckResult(function="negSamplingLossAndGradient", check="loss",
                         title="loss matches the reference", score=6, max_score=6, passed=True)
    functions = [FunctionReport(name="negSamplingLossAndGradient", checks=[passed, failed])]
    functions += [FunctionReport(name="skipgram", status="missing",
                                 summary="missing: no function named skipgram was found")]
    return GradeReport(submission="x.ipynb", functions=functions, notes=["Cell 3 raised."],
                       rubric_version="test")


@pytest.mark.parametrize("name", ["magics", "colab"])
def test_annotate_puts_feedback_after_the_defining_cell(tmp_path, name):
    nb = notebook.read(NOTEBOOKS / f"{name}.ipynb")
    nb["cells"] = [c for c in nb["cells"] if "def skipgram" not in notebook.source_text(c)]
    defining = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
                    and "def negSamplingLossAndGradient" in notebook.source_text(c))
    before = nb["cells"]
    student, out = tmp_path / "student.ipynb", tmp_path / "annotated.ipynb"
    student.write_text(json.dumps(nb))
    assert "written" in annotate.write(fake_report(), student, out)
    cells = json.loads(out.read_text())["cells"]
    nbformat.validate(nbformat.reads(out.read_text(), as_version=nbformat.NO_CONVERT))
    assert "100" not in cells[0]["source"] and "6 / 9" in cells[0]["source"]
    assert "Cell 3 raised." in cells[0]["source"]
    feedback = cells[defining + 2]["source"]   # +1 for the summary cell at the top
    assert "`negSamplingLossAndGradient`: 6 / 9" in feedback
    assert "✗ repeated negative samples count once per draw (0 / 3)" in feedback
    assert "```text\nLikely mistake: repeats not accumulated.\n    use np.add.at\n```" in feedback
    assert "Missing: no function named skipgram" in cells[-1]["source"], "no cell defines it"
    assert [c for c in cells if not c["metadata"].get(annotate.MARK)] == before
    assert all(("id" in c) == (name == "magics") for c in cells)
    again = tmp_path / "again.ipynb"
    annotate.write(fake_report(), out, again)
    assert again.read_text() == out.read_text(), "annotating twice must not repeat feedback"


def test_cli_annotates_a_notebook_and_refuses_a_py_file(tmp_path, capsys):
    out = tmp_path / "feedback.ipynb"
    assert cli.main(["grade", str(EXERCISE), "--annotate", str(out)]) == 0
    assert f"annotated notebook written to {out}" in capsys.readouterr().out
    cells = nbformat.reads(out.read_text(), as_version=4).cells
    ids = [c.get("id") for c in cells]
    after_sigmoid = cells[ids.index("sigmoid-code") + 1].source
    assert "`sigmoid`: 0 / 10" in after_sigmoid and "not implemented" in after_sigmoid
    assert cli.main(["grade", str(STUB), "--annotate", str(out)]) == 2


def test_a_cell_that_starts_a_process_says_why_it_was_skipped():
    """The sandbox refuses new processes: a notebook's statement that starts one is skipped
    like any failing statement, and its note says why in the student's terms."""
    cells = [{"label": 3, "first_line": "import subprocess"}]
    refused = notebook.cell_problem({
        "cell": 3, "lineno": 2, "type": "PermissionError",
        "message": "[Errno 1] Operation not permitted", "statement": "subprocess.run(['ls'])",
        "where": ["cell 3, line 2: subprocess.run(['ls'])"]}, cells)
    assert "grading does not let your code start other processes" in refused
    assert "Only that statement (`subprocess.run(['ls'])`) was skipped" in refused
    other = notebook.cell_problem({
        "cell": 3, "lineno": 2, "type": "PermissionError",
        "message": "[Errno 1] Operation not permitted", "statement": "os.kill(1, 9)",
        "where": ["cell 3, line 2: os.kill(1, 9)"]}, cells)
    assert "start other processes" not in other
