"""Files that cannot be graded score 0 with one clear sentence: no grader traceback, exit 0,
results.json written."""

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT
from grader.rubric import load as load_rubric

CASES = {
    "empty": "The file is empty",
    "binary": "not a Python source file",
    "syntax_error": "SyntaxError: unmatched ')' on line 84",   # the term students search for
    "missing_module": "imports `torch` on line 18",
    "error_on_import": "NameError: name 'load_my_vocabulary' is not defined on line 19",
}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_scores_zero_with_a_clear_sentence(tmp_path, name):
    out = tmp_path / "results.json"
    proc = run_cli("grade", str(CORPUS / "broken" / f"{name}.py"), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert CASES[name] in proc.stdout, proc.stdout
    results = json.loads(out.read_text())
    assert results["score"] == 0
    assert CASES[name] in results["output"]
    rubric = load_rubric()
    assert len(results["tests"]) == sum(len(items) for items in rubric.items.values())
    assert all(t["score"] == 0 for t in results["tests"])


def test_missing_function_is_named_and_the_others_are_graded():
    from grader import grading
    report = grading.grade(CORPUS / "broken" / "missing_function.py")
    scores = {f.name: f for f in report.functions}
    assert scores["skipgram"].score == 0 and scores["skipgram"].status == "missing"
    assert "no function named skipgram" in scores["skipgram"].summary
    assert report.score == 70


def test_usage_errors_exit_non_zero(tmp_path):
    assert run_cli("grade", str(tmp_path / "nope.py")).returncode == 2
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    proc = run_cli("grade", str(other))
    assert proc.returncode == 2 and "neither a .py file nor a notebook" in proc.stderr
