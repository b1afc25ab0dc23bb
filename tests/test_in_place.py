"""A student (or instructor) does the exercise in place, as the README says, in a fresh clone:
exercises/word2vec.py and word2vec.ipynb are filled in. The kit's own commands must still work,
because they build from solutions/ through the generator, never from those files.

The clone is the kit's files as tracked by git, committed into a new repository (what `git
clone` gives); its .venv is the kit's own, linked.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
sys.path.insert(0, str(ROOT / "tests" / "corpus" / "notebooks"))
from build_notebooks import solve  # noqa: E402


def git(*args, cwd):
    return subprocess.run(["git", "-c", "user.name=kit", "-c", "user.email=kit@localhost", *args],
                          cwd=cwd, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    if shutil.which("git") is None or not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("needs git and the kit's .venv (make venv)")
    target = tmp_path_factory.mktemp("clone") / "kit"
    files = git("ls-files", "-z", cwd=ROOT).split("\0")
    for rel in filter(None, files):
        if (ROOT / rel).is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, target / rel)
    # What a clone holds is the generated exercise, whatever the kit's working copy holds now.
    from grader.build import notebook, stubs
    (target / "exercises" / "word2vec.py").write_text(stubs.stub_text())
    (target / "exercises" / "word2vec.ipynb").write_text(notebook.build_text())
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "clone", cwd=target)
    (target / ".venv").symlink_to(ROOT / ".venv")
    # The exercise, done in place: the reference's bodies in the .py, and in the notebook.
    reference = (ROOT / "solutions" / "word2vec.py").read_text()
    (target / "exercises" / "word2vec.py").write_text(reference.replace("### BEGIN SOLUTION", "")
                                                      .replace("### END SOLUTION", ""))
    bodies = {name: "\n".join(body) for name, _, _, body in stubs.solution_blocks(reference)}
    notebook = target / "exercises" / "word2vec.ipynb"
    notebook.write_text(json.dumps(solve(json.loads(notebook.read_text()), bodies)))
    return target


def make(clone, *args, timeout=600):
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=clone, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result


def test_make_report_works_with_the_exercise_done(clone):
    make(clone, "report", "REPORT=report")
    rows = (clone / "report" / "gradebook.csv").read_text().splitlines()
    assert len(rows) > 10 and (clone / "report" / "index.html").exists()


def test_make_release_builds_the_untouched_exercise(clone):
    from grader.build import stubs
    make(clone, "release")
    assert (clone / "dist" / "student" / "exercises" / "word2vec.py").read_text() == stubs.stub_text()
    assert "raise NotImplementedError" in (clone / "dist" / "student" / "exercises"
                                           / "word2vec.ipynb").read_text()


def test_the_tests_that_read_exercise_files_pass(clone):
    """The kit's tests about the exercise, the corpus and similarity, run in the clone."""
    result = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-m", "pytest", "-q",
         "tests/test_exercise_files.py", "tests/test_batch_similarity.py",
         "tests/test_notebook.py::test_committed_notebook_is_what_the_generator_makes",
         "tests/test_notebook.py::test_exercise_notebook_scores_zero_with_not_implemented_per_function"],
        cwd=clone, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, W2V_NESTED_TEST_RUN="1"))   # conftest.NESTED: it must not sweep
    assert result.returncode == 0, result.stdout[-3000:]
    # the corpus builders, too: regenerated from the generator, byte for byte what is committed
    for script in ("tests/corpus/build_corpus.py", "tests/corpus/notebooks/build_notebooks.py"):
        subprocess.run([str(clone / ".venv" / "bin" / "python"), script], cwd=clone, check=True,
                       timeout=120)
    assert git("status", "--porcelain", "tests/corpus", cwd=clone) == ""
