"""Usage errors of `python -m grader grade|batch`: one sentence, exit status 2, nothing written.

Each case is checked before any grading starts, so these tests are fast; every file a case
could have written or overwritten is compared before and after.
"""

import zipfile

import pytest

from conftest import CORPUS, STUB
from grader import cli

GOOD = CORPUS / "correct" / "vectorised.py"


def snapshot(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def work(tmp_path):
    (tmp_path / "word2vec.py").write_bytes(GOOD.read_bytes())
    (tmp_path / "class" / "ada").mkdir(parents=True)
    (tmp_path / "class" / "ada" / "word2vec.py").write_bytes(STUB.read_bytes())
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (tmp_path / "a_file.txt").write_text("not a folder\n")
    (tmp_path / "bad_rubric.toml").write_text("version = [\n")
    (tmp_path / "odd_rubric.toml").write_text((CORPUS.parent.parent / "grader" / "rubric.toml")
                                              .read_text().replace("points = ", "pointz = ", 1))
    (tmp_path / "empty_class").mkdir()
    with zipfile.ZipFile(tmp_path / "unsafe.zip", "w") as zf:  # a member escaping the folder
        zf.writestr("../../escaped/word2vec.py", "x = 1\n")
    return tmp_path


CASES = {
    "grade a folder": (["grade", "{w}/class/ada"], "is a folder"),
    "grade a missing file": (["grade", "{w}/nope.py"], "no such file"),
    "grade a text file": (["grade", "{w}/a_file.txt"], "neither a .py file nor a notebook"),
    "--json is a folder": (["grade", "{w}/word2vec.py", "--json", "{w}/class"], "is a folder"),
    "--json is the submission": (["grade", "{w}/word2vec.py", "--json", "{w}/word2vec.py"],
                                 "the submission itself"),
    "--json is the submission by another path": (
        ["grade", "{w}/word2vec.py", "--json", "{w}/class/../word2vec.py"], "the submission itself"),
    "--annotate a .py": (["grade", "{w}/word2vec.py", "--annotate", "{w}/out.ipynb"],
                         "needs a notebook"),
    "grade --rubric missing": (["grade", "{w}/word2vec.py", "--rubric", "{w}/nope.toml"],
                               "no such rubric file"),
    "grade --rubric not TOML": (["grade", "{w}/word2vec.py", "--rubric", "{w}/bad_rubric.toml"],
                                "cannot be used"),
    "grade --rubric unknown key": (["grade", "{w}/word2vec.py", "--rubric", "{w}/odd_rubric.toml"],
                                   "cannot be used"),
    "batch a .py file": (["batch", "{w}/word2vec.py", "--out", "{w}/report"],
                         "neither a folder nor a .zip"),
    "batch a corrupt zip": (["batch", "{w}/corrupt.zip", "--out", "{w}/report"],
                            "not a readable .zip"),
    "batch a missing folder": (["batch", "{w}/nope", "--out", "{w}/report"], "no such file or folder"),
    "batch --out is a file": (["batch", "{w}/class", "--out", "{w}/a_file.txt"], "is a file"),
    "batch --out inside the class": (["batch", "{w}/class", "--out", "{w}/class/report"],
                                     "inside"),
    "batch --rubric missing": (["batch", "{w}/class", "--out", "{w}/report", "--rubric",
                                "{w}/nope.toml"], "no such rubric file"),
    "batch -j 0": (["batch", "{w}/class", "--out", "{w}/report", "-j", "0"], "positive number"),
    "batch an empty folder": (["batch", "{w}/empty_class", "--out", "{w}/report"],
                              "no submission found"),
    "batch an unsafe class zip": (["batch", "{w}/unsafe.zip", "--out", "{w}/report"],
                                  "no submission found"),
    # was a raw FileNotFoundError traceback (a folder of plain files) or one "could not be
    # unpacked" line per zip
    "batch --out where no folder can be made": (["batch", "{w}/class", "--out", "/proc/x"],
                                                "cannot write the report to /proc/x"),
    "batch --out a folder that takes no files": (["batch", "{w}/class", "--out", "/proc/self"],
                                                 "cannot write the report to /proc/self"),
}


@pytest.mark.parametrize("argv, words", CASES.values(), ids=CASES.keys())
def test_usage_error_is_one_sentence_exit_2_and_writes_nothing(work, capsys, argv, words):
    before = snapshot(work)
    code = cli.main([a.format(w=work) for a in argv])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, (out, err)
    assert lines[-1].startswith("error: ") and words in lines[-1], err
    assert "Traceback" not in err and out == ""
    assert snapshot(work) == before, "a usage error must write nothing"
    assert not (work / "report").exists()


def test_grade_takes_a_rubric_like_batch(work, tmp_path, capsys):
    """`grade --rubric` grades with that rubric: with sigmoid's reference check worth 50
    points instead of 5, the untouched exercise is graded out of 145."""
    text = (CORPUS.parent.parent / "grader" / "rubric.toml").read_text()
    old = "matches_reference = { points = 5, core = true }"
    assert old in text
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(text.replace(old, old.replace("5", "50"), 1))
    assert cli.main(["grade", str(STUB), "--rubric", str(rubric)]) == 0
    assert "0 / 145" in capsys.readouterr().out


def test_an_out_folder_that_takes_no_files_leaves_no_folders_behind(work, monkeypatch, capsys):
    from grader.batch import command

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(command.tempfile, "TemporaryFile", refuse)
    before = snapshot(work)
    assert cli.main(["batch", str(work / "class"), "--out", str(work / "new" / "report")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the report") and "Permission denied" in err
    assert len(err.strip().splitlines()) == 1 and not (work / "new").exists()
    assert snapshot(work) == before


def test_an_empty_class_leaves_no_folders_behind_either(work, capsys):
    assert cli.main(["batch", str(work / "empty_class"), "--out", str(work / "new" / "report")]) == 2
    assert "no submission found" in capsys.readouterr().err and not (work / "new").exists()


def test_the_entry_point_exits_with_the_commands_status_and_lets_a_profiler_write(tmp_path):
    """`python -m grader` leaves without tearing down its modules, after its exit handlers,
    with the command's status; under a profiler (or a coverage tool) it exits as usual, so
    that the profile is written."""
    import subprocess
    import sys
    missing, profile = str(tmp_path / "missing.py"), tmp_path / "grade.prof"
    plain = subprocess.run([sys.executable, "-m", "grader", "grade", missing],
                           capture_output=True, text=True, timeout=60)
    assert plain.returncode == 2 and plain.stderr.startswith("error: no such file")
    profiled = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m",
                               "grader", "grade", missing], capture_output=True, timeout=60)
    assert b"no such file" in profiled.stderr and profile.stat().st_size > 0   # (cProfile
    # itself drops a module's exit status)
