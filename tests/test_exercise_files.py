"""The exercise is generated from the marked reference, never edited by hand, and leaks nothing."""

import re
import subprocess
import sys

import pytest

from conftest import ROOT, STUB, committed_texts
from grader.build import stubs

# the reference as the generators see it: optional exercises the rubric leaves off are not there
REFERENCE = stubs.reference_text()
EXERCISE = STUB.read_text()


def test_committed_stub_is_what_the_generator_makes():
    assert stubs.make_stub(REFERENCE) in committed_texts("exercises/word2vec.py"), \
        "run `make exercises` and commit the result"


def test_every_graded_function_has_exactly_one_solution_block():
    names = [name for name, *_ in stubs.solution_blocks(REFERENCE)]
    assert names == ["sigmoid", "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient", "skipgram"]


def test_no_solution_line_leaks_into_the_exercise():
    exercise_lines = {line.strip() for line in EXERCISE.splitlines()}
    for name, _, _, body in stubs.solution_blocks(REFERENCE):
        for line in body:
            code = line.split("#")[0].strip()
            if code:
                assert code not in exercise_lines, f"solution line of {name} leaked: {code}"
    assert stubs.BEGIN not in EXERCISE and stubs.END not in EXERCISE


@pytest.mark.parametrize("text, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
])
def test_bad_markers_are_reported(text, message):
    with pytest.raises(stubs.MarkerError, match=message):
        stubs.solution_blocks(text)


def test_stub_bodies_raise_not_implemented_naming_the_function():
    for name in ("sigmoid", "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient", "skipgram"):
        assert re.search(rf'raise NotImplementedError\("{name}: ', EXERCISE)


def test_reference_passes_the_course_sanity_checks():
    """The reference reproduces the course's published values (11.166..., 16.151...)."""
    code = ("import runpy, sys; sys.path.insert(0, %r); "
            "runpy.run_path(%r, run_name='__main__')" % (str(ROOT / "exercises"),
                                                         str(ROOT / "solutions" / "word2vec.py")))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("All 3 tests passed!") == 2
    assert "Gradient check failed" not in proc.stdout


def test_exercise_runs_course_sanity_checks_and_stops_at_the_first_stub():
    code = ("import runpy, sys; sys.path.insert(0, %r); sys.argv = ['word2vec.py', 'sigmoid']; "
            "runpy.run_path(%r, run_name='__main__')" % (str(ROOT / "exercises"), str(STUB)))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "=== Sanity check for sigmoid ===" in proc.stdout
    assert "NotImplementedError: sigmoid" in proc.stderr


def run_sanity_checks(path, *args):
    code = ("import runpy, sys; sys.path.insert(0, %r); sys.argv = ['word2vec.py', *sys.argv[1:]]; "
            "runpy.run_path(%r, run_name='__main__')" % (str(ROOT / "exercises"), str(path)))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=60)


def test_an_unknown_function_name_is_refused_not_ignored():
    proc = run_sanity_checks(STUB, "bogus")
    assert proc.returncode == 2 and "invalid choice: 'bogus'" in proc.stderr
    assert "Sanity check" not in proc.stdout


def test_sanity_check_messages_show_plain_numbers():
    """A wrong loss is shown as a number, not numpy's repr (np.float64(...))."""
    proc = run_sanity_checks(ROOT / "tests" / "corpus" / "buggy" / "naive_loss_sign.py", "skipgram")
    assert proc.returncode == 1
    assert "your loss -11.16610900153398 does not match the expected 11.16610900153398" in proc.stderr
    assert "np.float64" not in proc.stderr


def test_regenerating_never_overwrites_work_done_in_place(tmp_path, capsys):
    target = tmp_path / "word2vec.py"
    done = stubs.stub_text().replace(
        'raise NotImplementedError("sigmoid: replace this line with your code")', "s = 0.5", 1)
    target.write_text(done)
    assert stubs.write_or_check(target, stubs.stub_text(), []) == 1
    assert target.read_text() == done and "FORCE=1" in capsys.readouterr().err
    assert stubs.write_or_check(target, stubs.stub_text(), ["--force"]) == 0
    assert target.read_text() == stubs.stub_text()
    assert stubs.write_or_check(target, stubs.stub_text(), []) == 0  # a stale stub is rewritten


SIGMOID_STUB = 'raise NotImplementedError("sigmoid: replace this line with your code")'


@pytest.mark.parametrize("work", [
    # the stub line commented out (its text survives) and the code written below it
    (SIGMOID_STUB, "# " + SIGMOID_STUB + "\n    s = 1 / (1 + np.exp(-x))"),
    # the code written above the stub line, which is still there
    (SIGMOID_STUB, "s = 1 / (1 + np.exp(-x))\n    " + SIGMOID_STUB),
    # only a plan in comments so far
    (SIGMOID_STUB, "# s = 1 / (1 + exp(-x)), elementwise\n    " + SIGMOID_STUB),
    # a helper of one's own, outside the four functions
    ("import numpy as np\n", "import numpy as np\n\n\ndef helper(x):\n    return x\n"),
])
def test_work_that_keeps_the_stub_line_text_is_never_overwritten(tmp_path, capsys, work):
    target = tmp_path / "word2vec.py"
    done = stubs.stub_text().replace(*work, 1)
    assert done != stubs.stub_text()
    target.write_text(done)
    assert stubs.write_or_check(target, stubs.stub_text(), [],
                                older=lambda: stubs.older_stubs(stubs.REFERENCE_FILE, stubs.make_stub)) == 1
    assert target.read_text() == done and "FORCE=1" in capsys.readouterr().err


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd,
                   check=True, capture_output=True, timeout=30)


def test_an_older_generated_exercise_is_rewritten_and_anything_else_kept(tmp_path):
    reference, target = tmp_path / "reference.py", tmp_path / "exercise.py"
    old = REFERENCE.replace("Compute the sigmoid function", "Compute the logistic sigmoid", 1)
    assert old != REFERENCE
    reference.write_text(old)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "reference.py")
    _git(tmp_path, "commit", "-qm", "v1")
    reference.write_text(REFERENCE)   # edited since, not committed yet

    def older():
        return stubs.older_stubs(reference, stubs.make_stub)
    target.write_text(stubs.make_stub(old))
    assert stubs.write_or_check(target, stubs.make_stub(REFERENCE), [], older=older) == 0
    assert target.read_text() == stubs.make_stub(REFERENCE)
    worked = stubs.make_stub(old).replace(SIGMOID_STUB, "# " + SIGMOID_STUB + "\n    s = 0.5", 1)
    target.write_text(worked)
    assert stubs.write_or_check(target, stubs.make_stub(REFERENCE), [], older=older) == 1
    assert target.read_text() == worked
    assert stubs.committed_versions(tmp_path / "not_committed.py") == []


def test_work_in_the_notebook_that_keeps_the_stub_line_is_never_overwritten(tmp_path):
    import nbformat
    from grader.build import notebook
    fresh = notebook.build_text()
    nb = nbformat.reads(fresh, as_version=4)
    cell = next(c for c in nb.cells if SIGMOID_STUB in c.source)
    cell.source = cell.source.replace(SIGMOID_STUB, "# " + SIGMOID_STUB + "\n    s = 0.5", 1)
    target = tmp_path / "word2vec.ipynb"
    target.write_text(nbformat.writes(nb))
    worked = target.read_text()
    assert stubs.write_or_check(target, fresh, [],
                                older=lambda: stubs.older_stubs(stubs.REFERENCE_FILE, notebook.build_text)) == 1
    assert target.read_text() == worked


SGD_REFERENCE = (ROOT / "solutions" / "sgd.py").read_text()
SGD_EXERCISE = (ROOT / "exercises" / "sgd.py").read_text()


def test_committed_sgd_stub_is_what_the_generator_makes():
    assert SGD_EXERCISE == stubs.make_stub(SGD_REFERENCE), "run `make exercises` and commit the result"
    assert (ROOT / "solutions" / "sgd.py", ROOT / "exercises" / "sgd.py") in stubs.STUBS


def test_no_sgd_solution_line_leaks_and_the_stub_names_sgd():
    blocks = stubs.solution_blocks(SGD_REFERENCE)
    assert [name for name, *_ in blocks] == ["sgd"]
    exercise_lines = {line.strip() for line in SGD_EXERCISE.splitlines()}
    for _, _, _, body in blocks:
        for line in body:
            code = line.split("#")[0].strip()
            if code:
                assert code not in exercise_lines, f"solution line of sgd leaked: {code}"
    assert stubs.BEGIN not in SGD_EXERCISE and stubs.END not in SGD_EXERCISE
    assert 'raise NotImplementedError("sgd: ' in SGD_EXERCISE


def test_a_reference_without_solution_blocks_is_refused(tmp_path, monkeypatch):
    plain = tmp_path / "plain.py"
    plain.write_text("def sgd():\n    return 1\n")
    monkeypatch.setattr(stubs, "STUBS", [(plain, tmp_path / "out.py")])
    with pytest.raises(stubs.MarkerError, match="no ### BEGIN SOLUTION"):
        stubs.main([])
    assert not (tmp_path / "out.py").exists()


def test_sgd_reference_passes_the_course_sanity_checks_and_the_stub_stops_at_sgd():
    ref = subprocess.run([sys.executable, str(ROOT / "solutions" / "sgd.py")], cwd=ROOT / "exercises",
                         capture_output=True, text=True, timeout=60)
    assert ref.returncode == 0 and "ALL TESTS PASSED" in ref.stdout, ref.stderr
    stub = subprocess.run([sys.executable, "sgd.py"], cwd=ROOT / "exercises",
                          capture_output=True, text=True, timeout=60)
    assert stub.returncode != 0 and "NotImplementedError: sgd" in stub.stderr
