"""First set-up: a half-made .venv (what `python3 -m venv` leaves without python3-venv) is
rebuilt by the kit's Makefile and the student release's, and a failing venv says what to do.

Runs the real Makefiles in a scratch folder. The "python" they are given makes a real venv
but, instead of running ensurepip (seconds each), drops in a stand-in `pip` that only answers:
what is under test is the Makefile's logic, not pip.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


MAKEFILES = {"kit": (ROOT / "Makefile", ("requirements.txt", "requirements-dev.txt")),
             "student release": (ROOT / "grader" / "build" / "student" / "Makefile",
                                 ("requirements.txt",))}
# Python's venv where python3-venv is missing: the interpreter is copied in, then ensurepip
# fails, and the command exits 1 leaving a .venv without pip behind.
NO_VENV_MODULE = """#!/bin/sh
"{python}" -m venv --without-pip "$3"
echo "The virtual environment was not created successfully because ensurepip is not available." >&2
exit 1
"""


# A working Python: a venv with a stand-in pip (answers --version, accepts install).
WITH_VENV_MODULE = """#!/bin/sh
"{python}" -m venv --without-pip "$3" || exit 1
site=$(echo "$3"/lib/python*/site-packages)
mkdir -p "$site/pip"
: > "$site/pip/__init__.py"
echo 'print("pip (stand-in)")' > "$site/pip/__main__.py"
"""


def make(folder, *args):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PIP_NO_INDEX": "1"})


@pytest.fixture(params=MAKEFILES, ids=MAKEFILES)
def kit(request, tmp_path):
    makefile, requirements = MAKEFILES[request.param]
    shutil.copyfile(makefile, tmp_path / "Makefile")
    for name in requirements:
        (tmp_path / name).write_text("# nothing to install in this test\n")
    for name, script in (("python-without-venv", NO_VENV_MODULE), ("python", WITH_VENV_MODULE)):
        (tmp_path / name).write_text(script.format(python=sys.executable))
        (tmp_path / name).chmod(0o755)
    return tmp_path


def test_a_failed_venv_is_removed_with_a_hint_and_a_half_made_one_is_rebuilt(kit):
    first = make(kit, "venv", f"PYTHON={kit / 'python-without-venv'}")
    assert first.returncode != 0
    assert "python3-venv" in first.stderr and "run make again" in first.stderr
    assert not (kit / ".venv").exists(), "a half-made .venv must not be left behind"

    # The same half-made venv, as older versions of the Makefile left it: python, no pip.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(kit / ".venv")], check=True)
    assert (kit / ".venv" / "bin" / "python").exists()
    second = make(kit, "venv", f"PYTHON={kit / 'python'}")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "incomplete (no pip): making it again" in second.stdout
    pip = subprocess.run([str(kit / ".venv" / "bin" / "python"), "-m", "pip", "--version"],
                         capture_output=True)
    assert pip.returncode == 0
    assert list((kit / ".venv").glob(".installed-*"))


def test_a_venv_whose_python_is_gone_is_rebuilt_despite_its_stamp(kit):
    assert make(kit, "venv", f"PYTHON={kit / 'python'}").returncode == 0
    stamps = list((kit / ".venv").glob(".installed-*"))
    assert stamps
    (kit / ".venv" / "bin" / "python").unlink()   # e.g. the system's Python was upgraded
    again = make(kit, "venv", f"PYTHON={kit / 'python'}")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (kit / ".venv" / "bin" / "python").exists()
