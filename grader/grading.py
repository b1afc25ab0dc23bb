"""Grade one submission: load it, run every function's checks in a worker, score by rubric.

submission file -> cells -> worker (untrusted) -> checks (trusted) -> GradeReport
"""

import time
from dataclasses import dataclass
from pathlib import Path

from grader import __version__, findings, rubric as rubric_mod, safe_text, side_files, submission as submission_mod, untouched
from grader.checks import exercises, failures
from grader.checks.framework import Context, Outcome, process_refused
from grader.results import SAME_CAUSE, CheckResult, FunctionReport, GradeReport
from grader.sandbox import private_copy
from grader.sandbox.client import LoadRequest, WorkerClient, WorkerFailure
from grader.worker.loading import EDITION_MODULES

SKIPPING = failures.SKIP
# A failure's search (Hypothesis: its import, ~0.15 s, and the shrinking) waits until every
# function's checks have run, and Hypothesis loads meanwhile in the background, largely while
# the grader waits for the worker; verdicts and feedback are those of searching at once
# (False: at once, as each check runs; tests compare the two).
DEFER_SEARCHES = True
# A failure put off whose check the findings make the same cause as one above it is not
# searched: its example is never shown (_said_above). False: every failure is searched.
SKIP_SAID_ABOVE = True


def grade(path, rubric=None, folder=None, progress=None):
    """Grade the file at `path` (.py or .ipynb) and return a GradeReport; never raises for
    anything the submission does (an internal failure becomes a report with `error` set).

    The worker sees a private copy (grader.sandbox.private_copy): the file and, from
    `folder` (the student's folder holding it; default: the file's own folder; the file
    itself: nothing else), that student's regular files. Every string in the report has
    been made safe (grader.safe_text). `progress(name)`, if given, is called as each function's
    grading starts (the terminal's progress line).
    """
    started = time.monotonic()
    rubric = rubric or rubric_mod.load()
    path = Path(path)
    report = GradeReport(submission=str(path), grader_version=__version__,
                         rubric_version=rubric.version, mode=rubric.mode)
    try:
        _prepare(rubric)
        with private_copy.make(path, path.parent if folder is None else folder) as copy:
            _grade_copy(report, copy, rubric, progress)
    except (RecursionError, MemoryError):
        _failed(report, rubric, "Your file is nested too deeply, or one expression in it is "
                                "too long, for the grader to read; split it up and submit again.")
    except Exception as exc:  # noqa: BLE001 - the grader's fault: said so, never a crash
        report.error = f"{type(exc).__name__}: {exc}"
        _failed(report, rubric, "The grader could not grade this file (an internal error, not "
                                "your fault); please tell your instructor.")
    report.seconds = time.monotonic() - started
    return safe_text.report(report)


def _prepare(rubric):
    """Start the graded exercises' work that needs no answer (their `prepare()`): it runs
    in the background while the private copy is made and the file loads."""
    for module in exercises(rubric.mode, rubric.functions).values():
        prepare = getattr(module, "prepare", None)
        if prepare is not None:
            prepare()


def charged_budget(rubric):
    """The seconds of waiting on the worker one function may be charged, reloads after
    crashes included (WorkerClient.charge_function): its budget, plus a second of slack so
    that the checks' own accounting, which stops at the budget, says so itself."""
    return rubric.function_budget_seconds + 1.0


def wall_seconds(rubric):
    """The whole submission's wall-clock cap: loading plus every function's budget, with
    room for the restarts after crashes (a reload is charged here too)."""
    return (rubric.limits.load_seconds + len(rubric.functions)
            * rubric.function_budget_seconds + 10.0)


def _failed(report, rubric, problem):
    report.problems.append(problem)
    report.functions = [_not_graded(rubric, fn, "not graded: see the problem above")
                        for fn in rubric.functions]


def _grade_copy(report, copy, rubric, progress=None):
    report.notes.extend(copy.notes)
    if copy.file is None:
        _failed(report, rubric, copy.problem)
        return
    sub = submission_mod.load(copy.file)
    report.notes.extend(sub.notes)
    if sub.problems:
        report.problems.extend(sub.problems)
        report.functions = [_not_graded(rubric, fn, "not graded: see the problem above")
                            for fn in rubric.functions]
        return
    sub.side_problems = side_files.add(sub, rubric.functions)
    request = LoadRequest(filename=str(copy.file), cells=sub.cells,
                          sys_path=[str(copy.file.parent), str(private_copy.course_helpers(copy))],
                          stop_on_error=sub.kind == "py",
                          aliases=rubric.accept_other_names, functions=rubric.functions)
    with WorkerClient(request, rubric.limits, output_cap=rubric.output_kib * 1024,
                      wall_seconds=wall_seconds(rubric)) as worker:
        _grade_loaded(report, worker, rubric, sub, progress)
        worker.stop()
        report.student_output = worker.captured_output()
        if worker.starts:
            report.notes.append(worker.protections_note())


def _grade_loaded(report, worker, rubric, sub, progress=None):
    try:
        loaded = worker.start()
    except WorkerFailure as exc:
        report.problems.append(_not_loaded(exc))
        loaded = None
    if loaded is not None and sub.kind == "py" and _errors(loaded) and \
            _refused_lines(loaded) == _errors(loaded):
        loaded = _without_refused_lines(report, worker)
    side = sub.side_problems
    if loaded is not None:
        report.notes.extend(loading_notes(loaded, rubric))
        for error in loaded.get("cell_errors", []):
            owner = next((fn for fn in rubric.functions if fn not in side
                          and error.get("cell") == side_files.label(fn)), None)
            if owner is not None and sub.kind == "py":
                # a side file that fails to load costs its own function only
                side[owner] = f"{side_files.label(owner)} did not load: " + _lower(
                    import_problem(dict(error, cell=None)))
            elif sub.kind == "py":
                report.problems.append(import_problem(error))
            else:
                from grader import notebook
                report.notes.append(notebook.cell_problem(error, sub.cells))
        if sub.kind == "py" and any(error.get("cell") is None
                                    for error in loaded.get("cell_errors", [])):
            loaded = None
    stubs = untouched.untouched_functions([cell["source"] for cell in sub.cells])
    budget = charged_budget(rubric)
    for fn in rubric.functions:
        written_as = (loaded or {}).get("aliases", {}).get(fn) if rubric.accept_other_names else None
        if fn in side and loaded is not None:
            report.functions.append(_not_graded(rubric, fn, f"{fn}: {side[fn]}", "missing"))
        elif loaded is not None and loaded["present"].get(fn) and (written_as or fn) in stubs:
            report.functions.append(_not_graded(
                rubric, fn, f"{fn} is not implemented yet: it returns zeros and computes "
                            "nothing (as the starter code does)", "not_implemented"))
        elif loaded is None:
            report.functions.append(_not_graded(rubric, fn, "not graded: your file did not load"))
        elif not loaded["present"].get(fn):
            found = _text(loaded.get("aliases", {}).get(fn))
            hint = (f" (your `{found}` looks like it: rename it to {fn}, the name this exercise "
                    "uses)" if found else "")
            report.functions.append(_not_graded(rubric, fn, f"missing: no function named {fn} "
                                                            f"was found in your file{hint}",
                                                "missing"))
        else:
            if progress is not None:
                progress(fn)
            worker.charge_function(budget)
            try:
                checked = run_checks(worker, rubric, fn, defer=DEFER_SEARCHES)
            finally:
                worker.charge_function(None)
            report.functions.append(checked)
    # The searches put off (run_property) run now, each charged to its own function's budget
    for i, checked in enumerate(report.functions):
        if isinstance(checked, Checked):
            try:
                report.functions[i] = finish_checks(rubric, checked)
            finally:
                worker.charge_function(None)
            for note in report.functions[i].notes:
                if note not in report.notes:
                    report.notes.append(note)


def loading_notes(loaded, rubric):
    """Notes about how the file was loaded: stand-ins for missing helpers, other names."""
    notes = []
    standins = [m for m in loaded.get("standins", []) if isinstance(m, dict)][:10]
    named = {True: [], False: []}   # True: a 2017 module whose functions the kit provides
    for m in standins:
        module = _text(m.get("module"))
        where = f" ({_text(m.get('where'))})" if m.get("where") else ""
        named[module.split(".")[0] in EDITION_MODULES].append(f"`{module}`{where}")
    if named[False]:
        notes.append(f"Your file imports {', '.join(named[False])}, which the kit does not have "
                     "(a helper of another course edition). It was loaded with a stand-in so the "
                     "rest of your file could be graded; a function that really uses it fails, "
                     "with a sentence that says so.")
    if named[True]:
        notes.append(f"Your file imports {', '.join(named[True])}, from the 2017 edition of the "
                     "course; while grading, the kit provides the functions those modules give "
                     "(softmax, sigmoid_grad, gradcheck_naive; not sigmoid, which you write). "
                     "Functions of yours that live in those files are not graded: this exercise "
                     "grades one file with all of its functions.")
    aliases = {fn: _text(found) for fn, found in loaded.get("aliases", {}).items()
               if fn in rubric.functions and found}
    for fn, found in aliases.items():
        if rubric.accept_other_names:
            notes.append(f"Your `{found}` was graded as {fn}: that is the name this exercise "
                         "uses (the other name comes from another edition of the course). "
                         f"Rename it to {fn} in the version you hand in.")
    return notes


def _errors(loaded):
    return [e for e in loaded.get("cell_errors", []) if e.get("cell") is None]


def _refused_lines(loaded):
    """The load errors of lines that start a process, which the sandbox refuses."""
    return [e for e in _errors(loaded)
            if process_refused(e.get("type", ""), e.get("message", ""), e.get("where"))]


def _without_refused_lines(report, worker):
    """Load a .py again statement by statement, as a notebook is (a line starting a process,
    refused, stops a file at import: a correct file scored 0 for `subprocess.run(["ls"])`);
    the refused lines become notes and are no longer load errors. The load answer, or None."""
    worker.load_request.stop_on_error = False
    worker.stop()
    worker.forget_output()   # printed again by the second load
    try:
        loaded = worker.start()
    except WorkerFailure as exc:
        report.problems.append(_not_loaded(exc))
        return None
    refused = _refused_lines(loaded)
    for error in refused:
        at = error.get("statement_line") or error.get("lineno")
        line = f"Line {at}" if at else "A line"
        statement = (f" (`{_first_line(error.get('statement'))}`)" if error.get("statement")
                     else "")
        then = [f"`{_first_line(t)}`" for t in list(error.get("then_skipped") or [])[:3]]
        also = (f"; so {'was' if len(then) == 1 else 'were'} {', '.join(then)}, which "
                f"need{'s' if len(then) == 1 else ''} what it defines" if then else "")
        report.notes.append(f"{line} of your file{statement} starts a process, which grading "
                            f"does not allow: that statement was skipped{also}.")
    loaded["cell_errors"] = [e for e in loaded.get("cell_errors", []) if e not in refused]
    return loaded


def _first_line(statement, limit=70):
    """A statement's first line, as safe short text ("..." when it goes on)."""
    lines = str(statement).strip().splitlines() or [""]
    text = _text(lines[0], limit)
    return text + (" ..." if len(lines) > 1 or len(lines[0]) > limit else "")


def _not_loaded(exc):
    """The problem for a file whose load failed in the worker (a time-out, a crash)."""
    return (f"Your file could not be loaded: {exc.message} (code at the top level of the "
            "file runs on import; keep long computations under "
            "`if __name__ == \"__main__\":`).")


def _lower(sentence):
    return sentence[:1].lower() + sentence[1:]


def _text(value, limit=80):
    """A name reported by the worker, as safe short text (it could be anything)."""
    if not isinstance(value, str):
        return ""
    clean = "".join(ch for ch in value if ch.isprintable())
    return clean[:limit]


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
    return (f"Your file raised {kind}: {message}{line}{where} while it was being loaded.{trace}"
            + process_refused(kind, message, error.get("where")))


def _not_graded(rubric, fn, summary, status="not_graded"):
    checks = [CheckResult(function=fn, check=cid, title=_title(rubric, fn, cid), score=0,
                          max_score=item.points, passed=False,
                          feedback=(summary if summary.startswith(fn)
                                    else summary[:1].upper() + summary[1:]) + ".",
                          visibility=item.visibility, efficiency=cid == "efficiency")
              for cid, item in rubric.items[fn].items()]
    return FunctionReport(name=fn, checks=checks, status=status, summary=summary)


def _title(rubric, fn, cid):
    for check in exercises(rubric.mode, (fn,))[fn].CHECKS:
        if check.id == cid:
            return check.title
    return cid


def grade_function(worker, rubric, fn):
    """Run every check of one function and apply the rubric."""
    return finish_checks(rubric, run_checks(worker, rubric, fn))


@dataclass
class Checked:
    """A function whose checks have run, some of whose failures may still be searched."""
    ctx: Context
    outcomes: list        # [check, Outcome, seconds], in the exercise's order


def run_checks(worker, rubric, fn, defer=False):
    """Run every check of one function, in order; with `defer`, a failure's search may be
    put off (framework.run_property) until finish_checks()."""
    exercise = exercises(rubric.mode, (fn,))[fn]
    ctx = Context(worker=worker, rubric=rubric, function=fn, mistakes=exercise.MISTAKES,
                  defer=defer)
    outcomes, skip = [], None
    for check in exercise.CHECKS:
        began = time.monotonic()
        outcome = skip or _run(check, ctx)
        if skip is None and outcome.kind in SKIPPING:
            skip = Outcome(False, outcome.feedback, kind=outcome.kind)
        if outcome.passed:
            ctx.passed.add(check.id)
        outcomes.append([check, outcome, time.monotonic() - began])
    return Checked(ctx, outcomes)


def finish_checks(rubric, checked):
    """The FunctionReport of a function whose checks have run; the searches put off run
    first, in order. Each is charged to the function's budget from where it stood when the
    failure was met, as if it had run then: the checks after it ran first, and a later hang
    that used up the budget must not leave the search without any (nor an out-of-budget
    search wipe checks that ran and passed)."""
    ctx, outcomes = checked.ctx, checked.outcomes
    charge = getattr(ctx.worker, "charge_function", None)
    since_spent = since_used = 0.0   # what the searches before this one were charged
    for at, entry in enumerate(outcomes):
        check, outcome, _ = entry
        if outcome.finish is None:
            continue
        said = _said_above(rubric, ctx.function, outcomes, at) if SKIP_SAID_ABOVE else None
        if said is not None:
            entry[1] = said
            continue
        spent, used = outcome.budget_at
        charged = charge is not None and used is not None
        ctx.spent = spent + since_spent
        if charged:
            charge(charged_budget(rubric), used=used + since_used)
        began = time.monotonic()
        entry[1] = _guarded(outcome.finish)
        entry[2] += time.monotonic() - began
        since_spent = ctx.spent - spent
        if charged:
            since_used = ctx.worker.function_used - used
        if entry[1].passed:
            ctx.passed.add(check.id)
    fn = ctx.function
    checks, found = findings.assemble(fn, _graded(rubric, fn, outcomes), rubric.mode)
    report = FunctionReport(name=fn, notes=findings.shape_notes(ctx.notes, checks),
                            checks=checks, findings=found)
    # Out of budget (a time-out, say): the checks' own feedback is the detail worth showing
    skip = next((Outcome(False, o.feedback, kind=o.kind) for _, o, _ in outcomes
                 if o.kind in SKIPPING), None)
    if skip is not None and skip.kind != "budget" and all(not c.passed for c in report.checks):
        report.status = "not_implemented" if skip.kind == "not_implemented" else "not_graded"
        report.summary = skip.feedback.split("\n")[0]
    return report


def _graded(rubric, fn, outcomes):
    """findings.assemble's input: (check, outcome, item, earned, reported, seconds) each."""
    items = rubric.items[fn]
    core_ok = any(o.passed for c, o, _ in outcomes if items[c.id].core)
    all_core_ok = core_ok and all(o.passed for c, o, _ in outcomes if items[c.id].core)
    graded = []
    for check, outcome, seconds in outcomes:
        item = rubric.item(fn, check.id)
        # a check resting on what the worker reports pays only once every output is right
        earned = outcome.passed and (item.core or (all_core_ok if check.reported else core_ok))
        graded.append((check, outcome, item, earned, check.reported, seconds))
    return graded


def _said_above(rubric, fn, outcomes, at):
    """The unsearched Outcome of the failure at `at` (grading all before it is done) when
    the findings make it the same cause as a failure above it, else None.

    Such a check's own example is never shown ("Same cause as above: ..."), and most
    searches of a buggy file are of such checks (three quarters of the corpus's search
    time): its search is skipped. The findings of a check depend only on the checks before
    it, so this is the state it ends in; its mistake is then diagnosed on its first
    failing input alone."""
    unsearched = outcomes[at][1].unsearched
    outcome = _guarded(unsearched) if unsearched is not None else None
    if outcome is None or outcome.kind == "internal":
        return None
    trial = [list(entry) for entry in outcomes[:at + 1]]
    trial[at][1] = outcome
    checks, _ = findings.assemble(fn, _graded(rubric, fn, trial), rubric.mode)
    return outcome if checks[at].state == SAME_CAUSE else None


def _run(check, ctx):
    """Run a check; a bug in the grader itself fails the check with a message, never a crash."""
    return _guarded(check.run, ctx)


def _guarded(run, *args):
    try:
        return run(*args)
    except Exception as exc:  # noqa: BLE001
        return Outcome(False, "The grader hit an internal error on this check "
                              f"({type(exc).__name__}: {exc}); please tell your instructor.",
                       kind="internal")
