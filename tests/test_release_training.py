"""`make train` in the student release: the files ship, nothing hidden ships with them, and the
training runs there with the student's own functions (there is no solutions/ to fall back on).

Runs the bundle's training with the kit's .venv python and its .venv/train-site on PYTHONPATH,
so no install is needed (the release's own Makefile installs the same pins).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.build import release
from grader.paths import KIT_ROOT, SOLUTIONS_DIR

TRAIN_SITE = Path(sys.prefix) / "train-site"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return release.build(tmp_path_factory.mktemp("dist"))


def train(bundle, *args):
    env = {**os.environ, "PYTHONPATH": str(TRAIN_SITE)}
    return subprocess.run([sys.executable, "-m", "training", *args], cwd=bundle, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def test_release_ships_the_training_and_no_solution(bundle):
    kit_modules = sorted(p.name for p in (KIT_ROOT / "training").glob("*.py"))
    assert sorted(p.name for p in (bundle / "training").glob("*.py")) == kit_modules
    assert not (bundle / "solutions").exists()
    assert release.leaks(bundle) == []
    # sgd's stub ships whether or not the rubric grades sgd, and without its solution lines
    sgd = (bundle / "exercises" / "sgd.py").read_text()
    assert "def sgd(" in sgd and "NotImplementedError" in sgd
    sgd_lines = release.solution_lines()["sgd"]
    assert sgd_lines and not [line for line in sgd.splitlines() if line.strip() in sgd_lines]
    # the training pins, plus packaging (matplotlib needs it; the student venv lacks dev pins)
    pins = {line.split("==")[0].split(";")[0].strip().lower()
            for line in (bundle / "requirements-train.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")}
    assert {"matplotlib", "tqdm", "packaging"} <= pins
    makefile = (bundle / "Makefile").read_text()
    assert re.search(r"^train: \$\(STAMP\) \$\(TRAIN_STAMP\)$", makefile, re.M)
    assert "--target $(VENV)/train-site" in makefile and "-m training" in makefile
    for variable in ("CORPUS", "ITERATIONS", "STEP", "FRESH"):
        assert f"$({variable})" in makefile
    readme = (bundle / "README.md").read_text()
    assert "## See it work" in readme and "make train" in readme and "sgd.py" in readme


def test_the_leak_scan_covers_sgd(bundle, tmp_path):
    copy = tmp_path / "copy"
    (copy / "training").mkdir(parents=True)
    line = sorted(release.solution_lines()["sgd"])[0]
    (copy / "training" / "extra.py").write_text(f"def f(x, step, grad):\n    {line}\n")
    assert any("sgd solution" in found for found in release.leaks(copy))


def test_stubs_stop_training_with_one_sentence_naming_the_function(bundle, tmp_path):
    result = train(bundle, "--iterations", "20", "--fresh", "--no-progress", "--out", str(tmp_path))
    assert result.returncode == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "is not written yet" in message
    assert "exercises/word2vec.py" in message and "Traceback" not in message
    assert "solutions" not in result.stdout + message

    # word2vec.py done, sgd.py still the stub: sgd is named
    done = tmp_path / "word2vec.py"
    done.write_text((SOLUTIONS_DIR / "word2vec.py").read_text())
    result = train(bundle, "--iterations", "20", "--fresh", "--no-progress", "--out", str(tmp_path),
                   "--word2vec", str(done))
    assert result.returncode == 2
    assert "sgd is not written yet" in result.stderr and "exercises/sgd.py" in result.stderr


def test_written_functions_train_in_the_release(bundle, tmp_path):
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    for name in ("word2vec.py", "sgd.py"):
        (exercises / name).write_text((SOLUTIONS_DIR / name).read_text())
    out = tmp_path / "run"
    result = train(bundle, "--iterations", "20", "--fresh", "--no-progress", "--out", str(out),
                   "--word2vec", str(exercises / "word2vec.py"), "--sgd", str(exercises / "sgd.py"))
    # 20 iterations are too few to learn the categories (exit 1, a verdict), but it trained
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Nearest neighbours" in result.stdout and "Training " in result.stdout
    assert "reference" not in result.stdout
    assert (out / "word_vectors.png").read_bytes()[:8] == PNG_MAGIC
    assert (out / "saved_params_20.npy").is_file()
