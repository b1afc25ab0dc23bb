"""Shared fixtures: grading is done once per file and shared by every test that asks."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT))


def _generate_exercises():
    """The exercise files as `make exercises` makes them, in a folder of their own. Tests use
    these, never exercises/word2vec.py(.ipynb): that is where a student does the exercise, so
    it may be filled in (and the kit's tests must pass all the same)."""
    from grader.build import notebook, stubs
    folder = Path(tempfile.mkdtemp(prefix="w2v-generated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "word2vec.py").write_text(stubs.stub_text())
    (folder / "word2vec.ipynb").write_text(notebook.build_text())
    return folder


GENERATED = _generate_exercises()
STUB = GENERATED / "word2vec.py"


def committed_texts(rel):
    """The texts a generated file may have in the kit: as committed (git HEAD) and as in the
    working tree. A maintainer regenerates before committing; a student fills in the working
    copy. Either being what the generator makes is fine; neither is a stale exercise."""
    texts = []
    try:
        texts.append(subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True,
                                    text=True, check=True, timeout=30).stdout)
    except (OSError, subprocess.SubprocessError):
        pass  # not a git checkout (an unpacked archive): only the working copy counts
    if (ROOT / rel).exists():
        texts.append((ROOT / rel).read_text())
    return texts


# The groups that take longest (seconds with `--durations=0`, summed per group, on the kit's
# 2-core machine), started first: a long group started last would run on alone at the end.
HEAVIEST_FIRST = ("test_batch", "test_boundary", "test_release", "test_real_world", "corpus",
                  "test_trusted_verdicts", "test_in_place", "test_sgd_grading", "test_lockdown",
                  "test_training", "test_cbow", "test_notebook", "test_template")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`make test`: --dist loadgroup --no-loadscope-reorder), keep each
    file's tests on one worker, so module fixtures (a built release, a graded class) are made
    once, and every test grading the corpus on one worker, so the session's corpus gradings
    are shared; and hand out the heaviest groups first (HEAVIEST_FIRST)."""
    groups = {}
    for item in items:
        group = "corpus" if "corpus_reports" in item.fixturenames else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))
        groups[item] = group
    rank = {group: i for i, group in enumerate(HEAVIEST_FIRST)}
    items.sort(key=lambda item: rank.get(groups[item], len(rank)))   # stable: order kept within


def _grade(path):
    from grader import grading
    return grading.grade(path)


def grade_many(paths):
    """Grade files two at a time (the machines have two cores); {path: GradeReport}."""
    paths = [Path(p) for p in paths]
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip(paths, pool.map(_grade, paths)))


@pytest.fixture(scope="session")
def corpus_reports():
    files = sorted((CORPUS / "correct").glob("*.py")) + [CORPUS / "correct" / "course_layout" / "word2vec.py"]
    files += sorted((CORPUS / "buggy").glob("*.py"))
    files += [ROOT / "solutions" / "word2vec.py", STUB]
    return grade_many(files)


def function_scores(report):
    return {f.name: (f.score, f.max_score) for f in report.functions}


def student_notes(report):
    """The report's notes about the submission itself (not the sandbox line every report has)."""
    return [n for n in report.notes if not n.startswith("Sandbox")]


# Set for a test suite that a test runs (test_in_place): the outer suite sweeps at its end.
NESTED = "W2V_NESTED_TEST_RUN"


def pytest_sessionfinish(session, exitstatus):
    """Remove the private copies of submissions whose grading process is gone: graders
    killed by the tests (kill -9, Ctrl-C, a dying pool process) keep no chance to clean up.
    Only those (private_copy.stale: older than a grading lasts, so this session's own are
    swept by the next): sweeping every copy made during the session once
    removed the copies of gradings running beside it (another session, a snapshot run),
    whose next reload then found no course helpers."""
    if hasattr(session.config, "workerinput"):   # xdist workers: the controller sweeps once
        return
    if os.environ.get(NESTED):
        return
    from grader.sandbox import private_copy
    for folder in private_copy.stale():
        shutil.rmtree(folder, ignore_errors=True)
