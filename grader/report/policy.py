"""What every renderer shows of a check: its mark, its words, and the text under it.

The terminal, the annotated notebook, results.json (Gradescope) and the batch feedback page
all ask this module, so a check is shown the same way everywhere; each renderer only lays the
answers out in its own medium.
"""

from grader.results import FAILED, NOT_COUNTED, PASSED, SAME_CAUSE, CheckResult, FunctionReport

# state -> (unicode mark, ascii mark, word for it)
MARKS = {
    PASSED: ("✓", "ok", "passed"),
    FAILED: ("✗", "X", "failed"),
    SAME_CAUSE: ("–", "-", "failed, same cause as a check above"),
    NOT_COUNTED: ("○", "o", "passed, not counted yet"),
}


def state(check: CheckResult) -> str:
    """The check's state (reports read back from older gradebooks have none)."""
    return check.state or (PASSED if check.passed else FAILED)


def mark(check: CheckResult, unicode: bool = True) -> str:
    """The mark drawn before a check's title."""
    return MARKS[state(check)][0 if unicode else 1]


def detail(fn: FunctionReport, check: CheckResult, verbose: bool = False) -> str:
    """The text shown under a check ("" for nothing): a finding's full explanation once, with
    what it costs; one line for a check failed by the same cause or passed but not counted;
    a passed check's note only when `verbose`."""
    if state(check) == PASSED:
        return check.feedback if verbose else ""
    text = check.feedback
    finding = _finding(fn, check)
    if state(check) == FAILED and finding is not None and len(finding.checks) > 1:
        cost = [c for c in fn.checks if c.check in finding.checks]
        text += (f"\nThis one mistake costs {len(cost)} checks "
                 f"({sum(c.max_score for c in cost):g} points): the others fail only "
                 "because of it.")
    return text


def legend(report, unicode: bool = True) -> str:
    """One line explaining the marks shown beyond ✓ and ✗ ("" when there are none). A
    function that was not graded shows one line, not its checks: their marks are not shown
    (a file of untouched stubs was told what "–" means, and it had none)."""
    used = {state(c) for fn in report.functions if getattr(fn, "status", "graded") == "graded"
            for c in fn.checks} - {PASSED, FAILED}
    return "; ".join(f"{MARKS[s][0 if unicode else 1]} {MARKS[s][2]}"
                     for s in (SAME_CAUSE, NOT_COUNTED) if s in used)


def function_ok(fn: FunctionReport) -> bool:
    return fn.score == fn.max_score


def _finding(fn, check):
    findings = getattr(fn, "findings", []) or []
    return findings[check.finding] if 0 <= check.finding < len(findings) else None
