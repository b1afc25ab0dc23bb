"""Shared by the batch tests: a fast rubric, the example class builder, running the CLI."""

import re
import signal
import subprocess
import sys
from pathlib import Path

from grader.rubric import DEFAULT_PATH

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
import build_class  # noqa: E402,F401  (re-exported for the tests)

FAST = {"max_examples": "3", "gradient_check_examples": "2", "call_seconds": "1.0",
        "load_seconds": "3.0", "function_budget_seconds": "3.0"}


def fast_rubric(path):
    """The kit's rubric with few generated cases and short limits: same checks and points,
    so a class grades in seconds (the default rubric is what `make report` uses)."""
    text = DEFAULT_PATH.read_text()
    for key, value in FAST.items():
        text, n = re.subn(rf"^{key} = [0-9.]+", f"{key} = {value}", text, flags=re.M)
        assert n == 1, key
    Path(path).write_text(text)
    return Path(path)


def batch(*args, log=None):
    """Run `python -m grader batch ...` to the end; or, given a `log` file to write to, start it
    in its own process group and return the Popen."""
    argv = [sys.executable, "-m", "grader", "batch", *map(str, args)]
    if log is not None:  # as from a terminal: Ctrl-C (SIGINT) is not ignored
        return subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
