"""Grade one submission: load it, run every function's checks in a worker, score by rubric.

submission file -> cells -> worker (untrusted) -> checks (trusted) -> GradeReport
"""

import time
from pathlib import Path

from grader import __version__, rubric as rubric_mod, submission as submission_mod
from grader.checks import exercises
from grader.checks.framework import Context, Outcome
from grader.paths import EXERCISES_DIR
from grader.results import CheckResult, FunctionReport, GradeReport
from grader.sandbox.client import LoadRequest, WorkerClient, WorkerFailure

SKIPPING = {"not_implemented", "missing", "budget"}


def grade(path, rubric=None):
    """Grade the file at `path` (.py or .ipynb) and return a GradeReport; never raises for
    anything the submission does."""
    started = time.monotonic()
    rubric = rubric or rubric_mod.load()
    path = Path(path)
    report = GradeReport(submission=str(path), grader_version=__version__,
                         rubric_version=rubric.version, mode=rubric.mode)
    sub = submission_mod.load(path)
    report.notes.extend(sub.notes)
    if sub.problems:
        report.problems.extend(sub.problems)
        report.functions = [_not_graded(rubric, fn, "not graded: see the problem above")
                            for fn in rubric_mod.FUNCTIONS]
    else:
        request = LoadRequest(filename=str(path.resolve()), cells=sub.cells,
                              sys_path=[str(path.resolve().parent), str(EXERCISES_DIR)],
                              stop_on_error=sub.kind == "py")
        with WorkerClient(request, rubric.limits, output_cap=rubric.output_kib * 1024) as worker:
            _grade_loaded(report, worker, rubric, sub)
            worker.stop()
            report.student_output = worker.captured_output()
            if worker.starts:
                report.notes.append(worker.protections_note())
    report.seconds = time.monotonic() - started
    return report


def _grade_loaded(report, worker, rubric, sub):
    try:
        loaded = worker.start()
    except WorkerFailure as exc:
        report.problems.append(f"Your file could not be loaded: {exc.message} "
                               "(code at the top level of the file runs on import; keep long "
                               "computations under `if __name__ == \"__main__\":`).")
        loaded = None
    if loaded is not None:
        for error in loaded.get("cell_errors", []):
            if sub.kind == "py":
                report.problems.append(import_problem(error))
            else:
                from grader import notebook
                report.notes.append(notebook.cell_problem(error, sub.cells))
        if sub.kind == "py" and loaded.get("cell_errors"):
            loaded = None
    for fn in rubric_mod.FUNCTIONS:
        if loaded is None:
            report.functions.append(_not_graded(rubric, fn, "not graded: your file did not load"))
        elif not loaded["present"].get(fn):
            report.functions.append(_not_graded(rubric, fn, f"missing: no function named {fn} "
                                                            "was found in your file", "missing"))
        else:
            report.functions.append(grade_function(worker, rubric, fn))
            for note in report.functions[-1].notes:
                if note not in report.notes:
                    report.notes.append(note)


def import_problem(error):
    """One sentence for an exception raised while the submission was being loaded."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    where = f" (cell {error['cell']})" if error.get("cell") else ""
    line = f" on line {error['lineno']}" if error.get("lineno") else ""
    if kind in ("ModuleNotFoundError", "ImportError") and error.get("name"):
        return (f"Your file imports `{error['name']}`{line}{where}, which is not available when "
                "grading. Only numpy, the standard library and the course's utils are; remove "
                "that import.")
    trace = "".join(f"\n    {entry}" for entry in error.get("where") or [])
    return f"Your file raised {kind}: {message}{line}{where} while it was being loaded.{trace}"


def _not_graded(rubric, fn, summary, status="not_graded"):
    checks = [CheckResult(function=fn, check=cid, title=_title(rubric, fn, cid), score=0,
                          max_score=item.points, passed=False, feedback=summary.capitalize() + ".",
                          visibility=item.visibility, efficiency=cid == "efficiency")
              for cid, item in rubric.items[fn].items()]
    return FunctionReport(name=fn, checks=checks, status=status, summary=summary)


def _title(rubric, fn, cid):
    for check in exercises(rubric.mode)[fn].CHECKS:
        if check.id == cid:
            return check.title
    return cid


def grade_function(worker, rubric, fn):
    """Run every check of one function and apply the rubric."""
    exercise = exercises(rubric.mode)[fn]
    ctx = Context(worker=worker, rubric=rubric, function=fn, mistakes=exercise.MISTAKES)
    outcomes, skip = [], None
    for check in exercise.CHECKS:
        began = time.monotonic()
        outcome = skip or _run(check, ctx)
        if skip is None and outcome.kind in SKIPPING:
            skip = Outcome(False, outcome.feedback, kind=outcome.kind)
        if outcome.passed:
            ctx.passed.add(check.id)
        outcomes.append((check, outcome, time.monotonic() - began))
    items = rubric.items[fn]
    core_ok = any(o.passed for c, o, _ in outcomes if items[c.id].core)
    all_core_ok = core_ok and all(o.passed for c, o, _ in outcomes if items[c.id].core)
    report = FunctionReport(name=fn, notes=ctx.notes)
    for check, outcome, seconds in outcomes:
        item = rubric.item(fn, check.id)
        # a check resting on what the worker reports pays only once every output is right
        earned = outcome.passed and (item.core or (all_core_ok if check.reported else core_ok))
        text = outcome.feedback
        if outcome.passed and not earned:
            target = "the public cases" if rubric.mode == "public" else "the reference"
            which = "all" if check.reported else "at least one"
            text = (f"Passed, but not counted: this check earns points only once {fn} matches "
                    f"{target} in {which} of its outputs.")
        report.checks.append(CheckResult(
            function=fn, check=check.id, title=check.title, score=item.points if earned else 0,
            max_score=item.points, passed=bool(earned), feedback=text, mistake=outcome.mistake,
            visibility=item.visibility, efficiency=check.efficiency, seconds=round(seconds, 3)))
    if skip is not None and all(not c.passed for c in report.checks):
        report.status = "not_implemented" if skip.kind == "not_implemented" else "not_graded"
        report.summary = skip.feedback.split("\n")[0]
    return report



def _run(check, ctx):
    """Run a check; a bug in the grader itself fails the check with a message, never a crash."""
    try:
        return check.run(ctx)
    except Exception as exc:  # noqa: BLE001
        return Outcome(False, "The grader hit an internal error on this check "
                              f"({type(exc).__name__}: {exc}); please tell your instructor.",
                       kind="internal")
