"""The course helpers a submission imports, and nothing else of the kit, reach the worker.

Found by trying the merged kit as an attacking student would: the worker could list and run
exercises/ (where an instructor may have done the exercise in place), a 2017-layout stand-in
handed out a known-good sigmoid, and a student's own `utils/` package without `utils.py`
turned the kit's `softmax` into a missing-helper stand-in.
"""

from pathlib import Path

from grader.paths import KIT_ROOT, REFERENCE_FILE

from test_boundary import grade, light_rubric, scores

import pytest

PEEK = '''
import os, sys
seen = []
for entry in sys.path:
    if "site-packages" in entry or "/lib/python" in entry or entry.endswith(".zip"):
        continue
    try:
        names = os.listdir(entry)
    except OSError:
        continue
    seen.append(entry + ": " + ",".join(sorted(names)))
    for parent in (entry, os.path.dirname(entry)):
        for name in ("word2vec.py", "word2vec.ipynb", "sgd.py"):
            found = os.path.join(parent, name)
            if os.path.isfile(found) and os.path.abspath(found) != os.path.abspath(__file__):
                seen.append("FOUND " + found)
print("\\n".join(seen))
'''


@pytest.fixture(scope="module")
def rubric(tmp_path_factory):
    return light_rubric(tmp_path_factory.mktemp("rubric"))


def test_the_worker_sees_the_course_helpers_but_not_the_exercises_folder(tmp_path, rubric):
    submission = tmp_path / "word2vec.py"
    submission.write_text(REFERENCE_FILE.read_text() + PEEK)
    report, _, _ = grade(submission, rubric)
    assert sum(scores(report).values()) == 100, report.to_dict()
    output = report.student_output
    assert ": utils\n" in output + "\n"              # the folder of helpers it imports
    assert "FOUND" not in output, output                       # no exercise file anywhere
    assert "word2vec.ipynb" not in output and "sgd.py" not in output, output
    assert str(KIT_ROOT / "exercises") not in output, output


def test_a_2017_layout_stand_in_earns_no_sigmoid_points(tmp_path, rubric):
    submission = tmp_path / "word2vec.py"
    submission.write_text(REFERENCE_FILE.read_text() + (
        "\nfrom q2_sigmoid import sigmoid as _given\n\n"
        "def sigmoid(x):\n    return _given(x)\n"))
    report, _, _ = grade(submission, rubric)
    got = scores(report)
    assert got["sigmoid"] == 0, report.to_dict()
    assert got["negSamplingLossAndGradient"] == 30   # graded with a known-good sigmoid, as always
    sigmoid = next(f for f in report.functions if f.name == "sigmoid")
    assert "q2_sigmoid" in " ".join(c.feedback for c in sigmoid.checks)


def test_a_students_own_utils_package_does_not_hide_the_kits_helpers(tmp_path, rubric):
    folder = tmp_path / "student"
    (folder / "utils").mkdir(parents=True)
    (folder / "utils" / "__init__.py").write_text("# my own helpers\n")
    (folder / "utils" / "mine.py").write_text("HELLO = 1\n")
    (folder / "word2vec.py").write_text(REFERENCE_FILE.read_text())
    report, _, _ = grade(folder / "word2vec.py", rubric, folder=folder)
    assert sum(scores(report).values()) == 100, report.to_dict()
    assert not any("not available" in n for n in report.notes), report.notes
