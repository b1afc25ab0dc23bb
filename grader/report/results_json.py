"""Write results.json (Gradescope's schema) atomically: a reader never sees half a file."""

import json
import os
import tempfile
from pathlib import Path

from grader.report import policy


def write(report, path):
    write_data(report.to_gradescope(), path)


def gradescope(report):
    """The report in Gradescope's results.json schema: the summary as the top-level output
    (the scores of held-back checks do not show through), one test per check whose output is
    what every renderer shows under that check (grader/report/policy.py)."""
    held = [c for c in report.checks() if c.visibility != "visible"]
    output = report.summary_text() if not held else _shown_summary(report, held)
    if report.student_output:
        output += "\n\nYour code printed:\n" + report.student_output
    return {
        "score": round(report.score, 4),  # no top-level max_score: not in the spec
        "execution_time": round(report.seconds, 3),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(fn, check, f"{i}.{j}")
                  for i, fn in enumerate(report.functions, 1)
                  for j, check in enumerate(fn.checks, 1)],
    }


def _test(fn, check, number):
    # the efficiency check's id is "efficiency" already: each tag once
    tags = list(dict.fromkeys([check.function, check.check]
                              + (["efficiency"] if check.efficiency else [])))
    return {
        "name": check.name,
        "score": round(check.score, 4),
        "max_score": check.max_score,
        "status": "passed" if check.passed else "failed",
        "output": policy.detail(fn, check, verbose=True),
        "output_format": "text",  # feedback quotes code: shown as typed, never as HTML
        "tags": tags,
        "visibility": check.visibility,
        "number": number,
    }


def _shown_summary(report, held):
    """The summary when some checks are not shown yet: their scores must not show through.
    The top-level score stays the real total (the grade); Gradescope's specification says
    students cannot see the total score while any test is hidden from them."""
    shown = [c for c in report.checks() if c.visibility == "visible"]
    lines = [f"Score on the checks shown now: {sum(c.score for c in shown):g} / "
             f"{sum(c.max_score for c in shown):g}",
             f"{len(held)} more check(s) are not shown yet; they count towards your score."]
    return "\n".join(lines + report.problems + report.notes)


def write_data(results, path):
    """Write a results dictionary (already in Gradescope's schema)."""
    write_atomic(path, json.dumps(results, indent=2, allow_nan=False) + "\n")


def write_atomic(path, text):
    """Write `text` to `path` via a temporary file and a rename, so it is all there or absent."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
