"""The exercise is generated from the marked reference, never edited by hand, and leaks nothing."""

import re
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.build import stubs

REFERENCE = (ROOT / "solutions" / "word2vec.py").read_text()
EXERCISE = (ROOT / "exercises" / "word2vec.py").read_text()


def test_committed_stub_is_what_the_generator_makes():
    assert EXERCISE == stubs.make_stub(REFERENCE), "run `make exercises` and commit the result"


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
    proc = subprocess.run([sys.executable, "word2vec.py", "sigmoid"], cwd=ROOT / "exercises",
                          capture_output=True, text=True, timeout=60)
    assert "=== Sanity check for sigmoid ===" in proc.stdout
    assert "NotImplementedError: sigmoid" in proc.stderr


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
