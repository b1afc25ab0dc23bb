"""Shared fixtures: grading is done once per file and shared by every test that asks."""

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT))


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
    files += [ROOT / "solutions" / "word2vec.py", ROOT / "exercises" / "word2vec.py"]
    return grade_many(files)


def function_scores(report):
    return {f.name: (f.score, f.max_score) for f in report.functions}


def student_notes(report):
    """The report's notes about the submission itself (not the sandbox line every report has)."""
    return [n for n in report.notes if not n.startswith("Sandbox")]
