"""The student release and the Gradescope autograder, built and run the way users get them.

End to end (slow part, ~1.5 min): the student zip is unpacked into an empty folder whose own
Makefile creates a fresh virtual environment and grades the stubs (0) and the reference
pasted in (full public marks); the Gradescope zip is unpacked into a fake /autograder, set up
with its setup.sh and run on a correct, a buggy and a hostile submission.
"""

import json
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

import gradescope_spec
from grader import rubric as rubric_mod
from grader.autograder import find_submission
from grader.build import public_cases, release, stubs
from grader.build import gradescope as gradescope_build
from grader.checks import public
from grader.checks.inputs import LossProblem, SkipgramProblem
from grader.paths import KIT_ROOT, REFERENCE_FILE
from grader.results import CheckResult, FunctionReport, GradeReport

CORPUS = KIT_ROOT / "tests" / "corpus"
FUNCTIONS = rubric_mod.FUNCTIONS
# What grading imports, with what those pull in: all a student or Gradescope installs.
RUNTIME = {"numpy", "hypothesis", "sortedcontainers", "tomli", "exceptiongroup", "typing_extensions",
           "threadpoolctl"}   # BLAS on one thread while the reference is timed (issue 11)


def installs(requirements):
    """The package names a requirements file pins."""
    return {line.split("==")[0].strip() for line in requirements.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def run(argv, cwd, env=None, timeout=300):
    result = subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, timeout=timeout,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


# -- unit tests ------------------------------------------------------------------------------
def test_public_rubric_keeps_points_and_drops_only_what_public_mode_cannot_run(tmp_path):
    kit = rubric_mod.load()
    path = tmp_path / "rubric.toml"
    path.write_text(release.public_rubric(rubric_mod.DEFAULT_PATH.read_text()))
    pub = rubric_mod.load(path)
    assert pub.mode == "public" and kit.mode == "hidden"
    for fn in FUNCTIONS:
        ids = [c.id for c in public.EXERCISES[fn].CHECKS]
        assert list(pub.items[fn]) == [i for i in kit.items[fn] if i in ids]
        assert set(ids) == set(pub.items[fn])
        assert all(pub.items[fn][i] == kit.items[fn][i] for i in ids)
        assert "efficiency" not in ids  # timed against the reference: hidden only
        # PUBLIC_NOTICE explains the lower total by the speed checks alone: keep it true
        assert set(kit.items[fn]) - set(ids) == {"efficiency"}
    assert pub.limits == kit.limits and pub.seed == kit.seed


def test_public_cases_round_trip_and_cover_every_case_check():
    problems = [LossProblem(V=3, D=2, o=1, seed=4, samples=(0, 2, 2), K=3),
                SkipgramProblem(V=2, D=1, center=1, window=1, outside=(0, 0), seed=5),
                public.GivenSigmoid(shape=(2,), seed=0, scale=1.0, values=(-800.0, 3.5))]
    for problem in problems:
        case = json.loads(json.dumps(public.encode_case("f", "c", problem, (problem.seed, [[1.5]]))))
        decoded = public._decode_problem(case["problem"])
        assert decoded == problem and hash(decoded) == hash(problem)
        assert [v.tolist() for v in map(public._decode_value, case["expected"])] == [problem.seed, [[1.5]]]
    assert public.GivenSigmoid(shape=(2,), seed=0, scale=1, values=(-800.0, 3.5)).x.tolist() == [-800.0, 3.5]
    built = {(fn, check) for fn, check, _ in public_cases.CASES}
    case_checks = {(fn, c.id) for fn, ex in public.EXERCISES.items() for c in ex.CHECKS
                   if "public cases" in c.title or c.id in ("large_inputs", "matches_reference")}
    assert case_checks == built


def test_leak_scan_finds_planted_leaks_and_passes_a_clean_bundle(tmp_path):
    clean = tmp_path / "clean"
    (clean / "exercises").mkdir(parents=True)
    (clean / "exercises" / "word2vec.py").write_text(stubs.stub_text())
    assert release.leaks(clean) == []
    line = sorted(release.solution_lines()["negSamplingLossAndGradient"])[0]
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "    " + line + "  # mine\n"]}]}
    (clean / "exercises" / "word2vec.ipynb").write_text(json.dumps(notebook))
    (clean / "grader" / "__pycache__").mkdir(parents=True)
    (clean / "grader" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (clean / "grader" / "reference.py").write_text("pass\n")
    (clean / "notes.txt").write_text("### BEGIN SOLUTION\n")
    found = "\n".join(release.leaks(clean))
    for where in ("exercises/word2vec.ipynb: 1 line(s) of the negSamplingLossAndGradient",
                  "grader/__pycache__/x.cpython-311.pyc", "grader/reference.py",
                  "notes.txt: contains a solution marker"):
        assert where in found


def test_find_submission_prefers_the_exercise_file(tmp_path):
    assert find_submission(tmp_path) [0] is None
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "mine.py").write_text("")
    assert find_submission(tmp_path)[0] == tmp_path / "a" / "mine.py"
    (tmp_path / "other.py").write_text("")
    path, sentence = find_submission(tmp_path)
    assert path is None and "several Python files" in sentence
    (tmp_path / "a" / "word2vec.ipynb").write_text("{}")
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "word2vec.py").write_text("")
    assert find_submission(tmp_path)[0] == tmp_path / "a" / "word2vec.ipynb"


def test_gradescope_results_hide_held_back_scores_from_the_summary():
    checks = [CheckResult("sigmoid", "a", "A", 1, 1, True),
              CheckResult("sigmoid", "b", "B", 0, 4, False, feedback="<no>", visibility="after_published")]
    report = GradeReport(submission="x.py", functions=[FunctionReport("sigmoid", checks)], seconds=1.25)
    data = json.loads(json.dumps(report.to_gradescope()))
    assert gradescope_spec.problems(data) == []
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published"]
    assert [t["number"] for t in data["tests"]] == ["1.1", "1.2"]
    assert data["execution_time"] == 1.25 and "1 / 1" in data["output"] and "/ 5" not in data["output"]
    assert gradescope_spec.problems({**data, "max_score": 5, "tests": [{"status": "ok"}]}) == [
        "unknown top-level field 'max_score'", "tests[0].status = 'ok'"]


def student_view(results):
    """What a student sees of results.json while held-back tests are not shown: Gradescope
    shows visible tests and the output, and no total score once any test is hidden
    ("If test cases are hidden, students will not be able to see their total score",
    Autograder Specifications, "Controlling Test Case Visibility")."""
    visible = [t for t in results["tests"] if t.get("visibility", "visible") == "visible"]
    shown = {"output": results["output"], "tests": visible}
    if len(visible) == len(results["tests"]):
        shown["score"] = results["score"]
    return shown


@pytest.mark.parametrize("held_passes", [True, False], ids=["held check passed", "held check failed"])
def test_held_back_results_cannot_be_inferred_from_what_students_see(held_passes):
    def report(held_score):
        checks = [CheckResult("sigmoid", "a", "A", 1, 1, True),
                  CheckResult("sigmoid", "efficiency", "E", held_score, 2, held_score == 2,
                              efficiency=True, visibility="hidden")]
        return GradeReport(submission="x.py", functions=[FunctionReport("sigmoid", checks)],
                           seconds=1.0).to_gradescope()
    held = report(2 if held_passes else 0)
    assert held["score"] == (3 if held_passes else 1)   # the grade itself is the real total
    assert student_view(held) == student_view(report(0 if held_passes else 2))
    assert "not shown yet" in held["output"]
    assert held["tests"][1]["tags"] == ["sigmoid", "efficiency"]  # each tag once


# -- the student release, end to end ---------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    release.build(out)
    return out


@pytest.fixture(scope="module")
def shared_venv(tmp_path_factory):
    """Where the student bundle's Makefile creates its fresh venv; the Gradescope test reuses
    it when it exists (installing the pinned dependencies twice would double this file's time)."""
    return tmp_path_factory.mktemp("venv") / "venv"


@pytest.mark.slow
def test_student_zip_has_no_hidden_material_and_grades_like_the_kit(built, shared_venv, tmp_path):
    with zipfile.ZipFile(built / "student.zip") as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    root = tmp_path / release.ZIP_ROOT
    assert all(n.startswith(release.ZIP_ROOT + "/") for n in names)
    assert release.leaks(root) == []
    assert not any("solutions/" in n or n.endswith(("reference.py", ".pyc", "naive_softmax.py",
                                                    "skipgram.py")) for n in names)
    text = "\n".join(release.bundle_texts(root).values())
    assert "BEGIN SOLUTION" not in text and "_word2vec_reference" not in text
    cases = json.loads((root / "grader" / "public_cases.json").read_text())["cases"]
    assert len(cases) == sum(len(problems) for _, _, problems in public_cases.CASES)
    # Only what grading needs is installed; the README explains the public total; the
    # notebook promises nothing public mode does not do.
    assert installs(root / "requirements.txt") == RUNTIME
    readme = (root / "README.md").read_text()
    public_max = rubric_mod.load(root / "grader" / "rubric.toml").max_score()
    assert f"public total ({public_max:g} points)" in readme and "(100)" in readme and "@" not in readme
    assert "WSL" in readme and ".venv/bin/pip" not in readme
    nb_text = "\n".join(release.bundle_texts(root)["exercises/word2vec.ipynb"].splitlines())
    assert "compares with a reference" not in nb_text and "hidden" in nb_text

    # The students' Makefile, from an empty folder: a fresh venv, then the stubs score 0 ...
    out = run(["make", "grade", "JSON=stubs.json", f"VENV={shared_venv}"], cwd=root)
    stubs = json.loads((root / "stubs.json").read_text())
    assert stubs["score"] == 0 and stubs["tests"] and (shared_venv / "bin" / "python").exists()
    assert "public checks" in out.lower() and "hidden tests" in out
    # ... and the reference bodies pasted in earn every public mark.
    (root / "exercises" / "word2vec.py").write_text(REFERENCE_FILE.read_text())
    out = run(["make", "grade", "JSON=full.json", f"VENV={shared_venv}"], cwd=root)
    full = json.loads((root / "full.json").read_text())
    assert full["score"] == sum(t["max_score"] for t in full["tests"]) > 0
    assert all(t["status"] == "passed" for t in full["tests"])
    assert "hidden tests" in full["output"] and "all tests passed" not in out.lower()
    assert "speed checks are left out" in full["output"]
    assert gradescope_spec.problems(full) == []
    # ANNOTATE reaches the grader (it was silently dropped)
    run(["make", "grade", "SUBMISSION=exercises/word2vec.ipynb", "ANNOTATE=feedback.ipynb",
         f"VENV={shared_venv}"], cwd=root)
    assert "sigmoid" in (root / "feedback.ipynb").read_text()


def test_release_builds_from_the_generator_even_when_the_exercise_is_done_in_place(
        tmp_path, monkeypatch):
    """A kit whose exercises/word2vec.py is filled in (what students are told to do) still
    releases the untouched exercise, and says nothing about `make exercises`."""
    kit_exercises = tmp_path / "exercises"
    shutil.copytree(KIT_ROOT / "exercises" / "utils", kit_exercises / "utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (kit_exercises / "word2vec.py").write_text(REFERENCE_FILE.read_text().replace("### ", "# "))
    monkeypatch.setattr(release, "EXERCISES_DIR", kit_exercises)
    bundle = release.build(tmp_path / "dist")
    assert (bundle / "exercises" / "word2vec.py").read_text() == stubs.stub_text()
    assert sorted(p.name for p in (bundle / "exercises" / "utils").iterdir()) == sorted(
        p.name for p in (KIT_ROOT / "exercises" / "utils").glob("*.py"))


# -- the Gradescope autograder, end to end ---------------------------------------------------
# Tries to print the reference (Gradescope shows what student code prints), then hangs.
HOSTILE = """
try:
    print(open({reference!r}).read(), flush=True)
except OSError as exc:
    print("blocked:", type(exc).__name__, flush=True)
while True:
    pass
"""
LOCKDOWN = (KIT_ROOT / "grader" / "sandbox" / "lockdown.py").exists()


@pytest.mark.slow
def test_gradescope_zip_runs_correct_buggy_and_hostile_submissions(built, shared_venv, tmp_path):
    archive = gradescope_build.build(built)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        requirements = tmp_path / "requirements.txt"
        requirements.write_bytes(zf.read("requirements.txt"))
        assert installs(requirements) == RUNTIME  # setup.sh installs only what grading needs
        assert {"setup.sh", "run_autograder"} <= set(names)  # at the root, as Gradescope wants
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    subprocess.run(["unzip", "-q", str(archive), "-d", str(root / "source")], check=True)
    env = {"AUTOGRADER_ROOT": str(root)}
    if (shared_venv / "bin" / "python").exists():
        (root / "source" / ".venv").symlink_to(shared_venv)
    run(["bash", "setup.sh"], cwd=root / "source", env=env)
    assert stat.S_IMODE((root / "source" / "solutions").stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((root / "source" / "grader" / "worker" / "main.py").stat().st_mode) & 0o004
    # The rubric decides each test's visibility (hold one back until grades are published) and
    # the limits (a shorter load time keeps the hostile case quick).
    rubric = root / "source" / "grader" / "rubric.toml"
    text = rubric.read_text()
    for old, new in (('repeated_samples = { points = 3 }',
                      'repeated_samples = { points = 3, visibility = "after_published" }'),
                     ("load_seconds = 10.0", "load_seconds = 3.0")):
        assert old in text
        text = text.replace(old, new)
    rubric.write_text(text)

    def grade(name, text):
        submission = root / "submission"
        shutil.rmtree(submission, ignore_errors=True)
        submission.mkdir()
        (submission / name).write_text(text)
        run([str(root / "source" / "run_autograder")], cwd=root, env=env, timeout=120)
        data = json.loads((root / "results" / "results.json").read_text())
        assert gradescope_spec.problems(data) == [], name
        assert data["execution_time"] > 0 and data["output"]
        return data

    correct = grade("word2vec.py", (CORPUS / "correct" / "vectorised.py").read_text())
    assert correct["score"] == sum(t["max_score"] for t in correct["tests"]) == 100
    assert {t["tags"][0] for t in correct["tests"]} == set(FUNCTIONS)

    buggy = grade("word2vec.py", (CORPUS / "buggy" / "neg_not_accumulated.py").read_text())
    failed = {(t["tags"][0], t["tags"][1]) for t in buggy["tests"] if t["status"] == "failed"}
    assert ("negSamplingLossAndGradient", "repeated_samples") in failed
    assert all(fn == "negSamplingLossAndGradient" for fn, _ in failed)
    held = [t for t in buggy["tests"] if t["visibility"] != "visible"]
    assert [t["tags"][1] for t in held] == ["repeated_samples"]
    assert "not shown yet" in buggy["output"]

    reference = root / "source" / "solutions" / REFERENCE_FILE.name
    hostile = grade("my_answer.py", (CORPUS / "correct" / "vectorised.py").read_text()
                    + HOSTILE.format(reference=str(reference)))
    assert hostile["score"] == 0 and "could not be loaded" in hostile["output"]
    if LOCKDOWN:  # the worker runs as a user that cannot read what setup.sh locked away
        text = json.dumps(hostile)
        assert "blocked:" in text
        assert not [line for lines in release.solution_lines().values() for line in lines
                    if line in text]


# -- Gradescope in reduced mode, as root (issue 10) -------------------------------------------
# Docker's default profile may refuse namespaces: then the reduced mode is what Gradescope
# runs. Forced here (GRADER_SANDBOX=process) as root, with a python every user can run (the
# system's, as on Gradescope's image): the worker must still be an unprivileged user that can
# read neither the reference nor the autograder's code, and a link is never followed.
PEEK = """
for _path in {paths!r}:
    try:
        print("read:", open(_path).read()[:200], flush=True)
    except OSError as exc:
        print("blocked:", type(exc).__name__, flush=True)
"""
SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.mark.skipif(os.geteuid() != 0 or not SYSTEM_PYTHON.exists(),
                    reason="needs root and a system python readable by every user")
def test_gradescope_reduced_mode_as_root_runs_student_code_unprivileged(built):
    import tempfile
    archive = gradescope_build.build(built)
    root = Path(tempfile.mkdtemp(prefix="autograder-"))  # /autograder is world-traversable
    try:
        root.chmod(0o755)
        (root / "source").mkdir()
        subprocess.run(["unzip", "-q", str(archive), "-d", str(root / "source")], check=True)
        env = {"AUTOGRADER_ROOT": str(root), "PATH": "/usr/bin:/bin", "GRADER_SANDBOX": "process"}
        run(["bash", "setup.sh"], cwd=root / "source", env=env, timeout=600)
        reference = root / "source" / "solutions" / REFERENCE_FILE.name
        private = [str(reference), str(root / "source" / "grader" / "rubric.toml"),
                   str(root / "source" / "grader" / "checks" / "sigmoid.py")]

        def grade(make):
            submission = root / "submission"
            shutil.rmtree(submission, ignore_errors=True)
            submission.mkdir()
            make(submission)
            run([str(root / "source" / "run_autograder")], cwd=root, env=env, timeout=300)
            return json.loads((root / "results" / "results.json").read_text())

        peek = grade(lambda s: (s / "word2vec.py").write_text(
            (CORPUS / "correct" / "vectorised.py").read_text() + PEEK.format(paths=private)))
        text = json.dumps(peek)
        assert peek["score"] == 100, peek["output"][-2000:]
        assert "reduced" in peek["output"] and "an unprivileged user" in peek["output"]
        assert text.count("blocked: PermissionError") == 3 and "read:" not in text
        linked = grade(lambda s: os.symlink(reference, s / "word2vec.py"))
        assert linked["score"] == 0 and "link" in linked["output"]
        assert "BEGIN SOLUTION" not in json.dumps(linked)
    finally:
        shutil.rmtree(root, ignore_errors=True)
