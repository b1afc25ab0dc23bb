"""sgd, the optional exercise handed in as sgd.py next to word2vec.py: off by default (nothing
changes), on by the rubric's switch: the reference gets full marks, the generated stub 0, a
lone word2vec.py 0 in sgd only, and each catalogued mistake costs points in sgd only, named."""

import pytest

from grader import grading, rubric as rubric_mod
from grader.build import stubs
from grader.paths import EXERCISES_DIR, REFERENCE_FILE, SOLUTIONS_DIR

ON = rubric_mod.DEFAULT_PATH.read_text().replace("sgd = false", "sgd = true")
SGD = (SOLUTIONS_DIR / "sgd.py").read_text()
UPDATE = "        loss, grad = f(x)\n        x = x - step * grad\n"
ANNEAL = "        if iter % ANNEAL_EVERY == 0:\n            step *= 0.5\n"
POST = "        x = postprocessing(x)\n"
# mistake -> (the reference's text, its wrong variant, the diagnosis that must be named)
BUGGY = {
    "ascent": (UPDATE, UPDATE.replace("x - step", "x + step"), "gradient ascent"),
    "no_annealing": (ANNEAL, "", "never annealed"),
    "no_postprocessing": (POST, "", "postprocessing skipped"),
    "f_twice": (UPDATE, "        loss = f(x)[0]\n        grad = f(x)[1]\n"
                        "        x = x - step * grad\n", "f called twice"),
}


@pytest.fixture(scope="module")
def rubric_on(tmp_path_factory):
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    path.write_text(ON)
    return rubric_mod.load(path)


def scores(report):
    return {f.name: (f.score, f.max_score) for f in report.functions}


def hand_in(folder, sgd_text=None):
    """A student folder: the reference word2vec.py, and sgd.py holding `sgd_text` if given."""
    (folder / "word2vec.py").write_text(stubs.reference_text(rubric_mod.FUNCTIONS))
    if sgd_text is not None:
        (folder / "sgd.py").write_text(sgd_text)
    return folder / "word2vec.py"


def test_off_by_default_nothing_changes():
    rubric = rubric_mod.load()
    assert "sgd" not in rubric.functions
    report = grading.grade(REFERENCE_FILE, rubric)
    assert "sgd" not in scores(report)
    assert report.score == report.max_score == 100


def test_reference_scores_full_marks_with_sgd_on(rubric_on, tmp_path):
    report = grading.grade(hand_in(tmp_path, SGD), rubric_on)
    assert [f.name for f in report.functions][-1] == "sgd"
    failed = [(c.name, c.feedback) for c in report.checks() if not c.passed]
    assert scores(report)["sgd"] == (10, 10), failed
    assert report.score == report.max_score == rubric_on.max_score() == 110, failed


def test_the_generated_stub_scores_zero_in_sgd(rubric_on, tmp_path):
    stub = (EXERCISES_DIR / "sgd.py").read_text()
    assert "NotImplementedError" in stub
    report = grading.grade(hand_in(tmp_path, stub), rubric_on)
    sgd = next(f for f in report.functions if f.name == "sgd")
    assert (sgd.score, sgd.status) == (0, "not_implemented"), sgd.summary
    assert "not implemented yet" in sgd.summary
    assert report.score == 100


def test_a_lone_word2vec_py_loses_sgd_only(rubric_on, tmp_path):
    report = grading.grade(hand_in(tmp_path), rubric_on)
    sgd = next(f for f in report.functions if f.name == "sgd")
    assert sgd.score == 0 and sgd.status == "missing"
    assert sgd.summary == "sgd: no sgd.py was handed in next to word2vec.py"
    assert report.score == 100


def test_an_sgd_py_that_fails_to_load_costs_sgd_only(rubric_on, tmp_path):
    report = grading.grade(hand_in(tmp_path, SGD + "\nraise ValueError('oops')\n"), rubric_on)
    sgd = next(f for f in report.functions if f.name == "sgd")
    assert sgd.score == 0 and "sgd.py did not load" in sgd.summary and "ValueError" in sgd.summary
    assert report.score == 100 and not report.problems


def test_sgd_defined_in_word2vec_py_is_not_taken_for_sgd_py(rubric_on, tmp_path):
    # the side file is what is graded; a lone word2vec.py holding sgd is still told to hand in sgd.py
    path = hand_in(tmp_path)
    path.write_text(path.read_text() + "\n\ndef sgd(*args, **kwargs):\n    return 0\n")
    report = grading.grade(path, rubric_on)
    assert next(f for f in report.functions if f.name == "sgd").status == "missing"


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_each_sgd_mistake_costs_points_in_sgd_only(rubric_on, tmp_path, name):
    right, wrong, mistake = BUGGY[name]
    assert right in SGD
    report = grading.grade(hand_in(tmp_path, SGD.replace(right, wrong)), rubric_on)
    for fn, (score, maximum) in scores(report).items():
        if fn == "sgd":
            assert score < maximum, report.summary_text()
        else:
            assert score == maximum, f"{name} lost points in {fn}"
    named = [c.mistake for c in report.checks() if c.function == "sgd" and c.mistake]
    assert any(mistake in m for m in named), named


def test_the_release_ships_sgds_public_half_only(rubric_on):
    from grader.build import release
    shipped = release.shipped_modules(rubric_on.functions)
    assert "checks/sgd_public.py" in shipped and "side_files.py" in shipped
    assert "checks/sgd.py" not in shipped
    assert "checks/sgd_public.py" not in release.shipped_modules()   # off: not shipped


def test_public_mode_grades_the_reference_sgd_without_the_reference(tmp_path):
    from grader.build import release
    public = tmp_path / "rubric.toml"
    public.write_text(release.public_rubric(ON))
    rubric = rubric_mod.load(public)
    folder = tmp_path / "student"
    folder.mkdir()
    report = grading.grade(hand_in(folder, SGD), rubric)
    assert scores(report)["sgd"] == (10, 10), report.summary_text()


def test_checkpoints_written_anyway_land_nowhere_outside_the_sandbox(rubric_on, tmp_path):
    # an sgd that saves every iteration, useSaved or not: save_params writes to its cwd
    saving = SGD.replace("if iter % SAVE_PARAMS_EVERY == 0 and useSaved:", "if True:")
    assert saving != SGD
    folder = tmp_path / "student"
    folder.mkdir()
    grading.grade(hand_in(folder, saving), rubric_on)
    from pathlib import Path
    from grader.paths import KIT_ROOT
    for place in (folder, KIT_ROOT, KIT_ROOT / "exercises", Path.cwd()):
        assert not list(place.glob("saved_params_*")), place


def test_batch_takes_sgd_py_from_each_students_folder(tmp_path):
    import csv
    import subprocess
    import sys
    from grader.paths import KIT_ROOT
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(ON)
    for student, files in {"alice": ("word2vec.py", "sgd.py"), "bob": ("word2vec.py",)}.items():
        (tmp_path / "class" / student).mkdir(parents=True)
        for name in files:
            (tmp_path / "class" / student / name).write_text(
                hand_in(tmp_path, SGD).read_text() if name == "word2vec.py" else SGD)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "grader", "batch", "--out", str(out), "-j", "1",
                           "--rubric", str(rubric), str(tmp_path / "class")],
                          cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with open(out / "gradebook.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert (rows["alice"]["sgd"], rows["bob"]["sgd"]) == ("10", "0")
    assert (rows["alice"]["total"], rows["bob"]["total"]) == ("110", "100")
    assert '<th class="num">SGD</th>' in (out / "index.html").read_text()


def test_in_a_notebook_sgd_may_be_defined_in_any_cell(rubric_on, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(SGD),
        nbformat.v4.new_markdown_cell("Now word2vec."),
        nbformat.v4.new_code_cell(stubs.reference_text(rubric_mod.FUNCTIONS))])
    path = tmp_path / "word2vec.ipynb"
    path.write_text(nbformat.writes(notebook))
    report = grading.grade(path, rubric_on)
    failed = [(c.name, c.feedback) for c in report.checks() if not c.passed]
    assert report.score == 110, failed


def test_sgd_credit_does_not_depend_on_word2vec(rubric_on, tmp_path):
    # a word2vec.py not started at all: sgd still earns its points on the grader's own f
    (tmp_path / "word2vec.py").write_text(stubs.stub_text(functions=rubric_mod.FUNCTIONS))
    (tmp_path / "sgd.py").write_text(SGD)
    report = grading.grade(tmp_path / "word2vec.py", rubric_on)
    assert scores(report)["sgd"] == (10, 10)
    assert report.score == 10


def test_forged_records_from_the_worker_are_read_safely():
    from grader.checks import sgd_public
    assert sgd_public.calls({"objective": "lots"}) == (None, None)
    assert sgd_public.calls({"objective": {"calls": True, "post_calls": "9" * 10**5}}) == (None, None)
    forged = {"objective": {"kept": {"abc": [1.0, 2.0], "1" * 400: [1.0, 2.0], "1": "zz",
                                     "2": [[1.0, 2.0, 3.0]]}}}
    assert sgd_public.steps_used(sgd_public.ANNEALING, forged) == {}
    real = {"objective": {"kept": {"1": [1.0, -2.0], "2": [0.99999, -1.99996]}}}
    assert sgd_public.steps_used(sgd_public.ANNEALING, real)[1] == pytest.approx(1.0)
