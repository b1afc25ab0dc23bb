"""Gradescope's side: `python -m grader.autograder` grades the submission and writes results.json.

Gradescope runs `run_autograder` (as root) with the submission in <root>/submission and
expects <root>/results/results.json, where <root> is /autograder; AUTOGRADER_ROOT overrides it
(for testing the bundle anywhere). Whatever happens, a valid results.json is written and the
exit status is 0: a submission that cannot be graded gets 0 points and one sentence saying why.
"""

import os
import sys
import time
import traceback
from pathlib import Path

PREFERRED = ("word2vec.py", "word2vec.ipynb")
SUFFIXES = (".py", ".ipynb")


def root():
    return Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))


def find_submission(folder):
    """(path, None) for the file to grade, or (None, sentence for the student).

    word2vec.py, then word2vec.ipynb, anywhere in the upload (students often upload a folder);
    otherwise the only .py or .ipynb file there is. Course helpers (utils/) are not candidates.
    """
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES
                   and "utils" not in p.relative_to(folder).parts[:-1]
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for name in PREFERRED:
        named = [p for p in files if p.name == name]
        if named:
            return min(named, key=lambda p: len(p.parts)), None
    if len(files) == 1:
        return files[0], None
    if not files:
        return None, ("No word2vec.py or word2vec.ipynb was found in your submission. Upload "
                      "your exercise file (word2vec.py, or the notebook word2vec.ipynb).")
    names = ", ".join(str(p.relative_to(folder)) for p in files[:5])
    return None, (f"Your submission has several Python files ({names}) and none is named "
                  "word2vec.py or word2vec.ipynb: rename the one to grade.")


def failure_results(sentence, seconds):
    """results.json content for a submission that could not be graded at all."""
    return {"score": 0, "execution_time": round(seconds, 3), "output": sentence,
            "output_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
            "tests": []}


def main():
    from grader import safe_text
    from grader.report import results_json
    started = time.monotonic()
    base = root()
    target = base / "results" / "results.json"
    path, problem = find_submission(base / "submission")
    if path is None:
        problem = safe_text.clean(problem)  # it names the student's files
        results_json.write_data(failure_results(problem, time.monotonic() - started), target)
        print(problem)
        return 0
    try:
        from grader import grading
        from grader.report import terminal
        # The student's whole upload travels with the file (their helpers), never a link.
        report = grading.grade(path, folder=base / "submission")
        if report.error:
            print(f"grader error: {report.error}")  # Gradescope's stdout: instructors only
        results_json.write(report, target)
        print(terminal.render(report, sys.stdout))  # to Gradescope's stdout: instructors only
    except Exception as exc:  # noqa: BLE001 - a grader bug must still produce a result
        results_json.write_data(failure_results(
            f"The autograder hit an internal error ({type(exc).__name__}) and could not grade "
            "this submission. This is not your fault: please tell your instructor.",
            time.monotonic() - started), target)
        traceback.print_exc(file=sys.stdout)  # Gradescope's stdout is for instructors only
    return 0


if __name__ == "__main__":
    sys.exit(main())
