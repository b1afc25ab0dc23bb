"""The report a student reads after `make grade`: a table per function, then what to fix."""

import sys
import textwrap

from grader.report import policy
from grader.results import FAILED, PUBLIC_NOTICE


def _unicode(stream):
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "".join(m[0] for m in policy.MARKS.values()).encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def render(report, stream=None, verbose=False):
    """The whole report as text (passing checks listed; failures explained below them)."""
    unicode = _unicode(stream or sys.stdout)
    bad = policy.MARKS[FAILED][0 if unicode else 1]
    width = 64
    public = report.mode == "public"
    lines = [f"word2vec grader{' (public checks)' if public else ''}: {report.submission}", ""]
    for problem in report.problems:
        lines += ["Problem: " + _indent(problem, prefix="  ", first=False), ""]
    for fn in report.functions:
        head = f"{fn.name}"
        lines.append(f"{head:<{width}}{fn.score:>5g} / {fn.max_score:g}")
        if fn.status != "graded":
            lines.append(f"  {bad} {fn.summary}")
            lines.append("")
            continue
        for check in fn.checks:
            label = f"  {policy.mark(check, unicode)} {check.title}"
            lines.append(f"{label:<{width}}{check.score:>5g} / {check.max_score:g}")
            text = policy.detail(fn, check, verbose)
            if text:
                lines.append(_indent(text, prefix="      "))
        lines.append("")
    legend = policy.legend(report, unicode)
    if legend:
        lines += [f"Marks: {legend}.", ""]
    for note in report.notes:
        lines.append("Note: " + _indent(note, prefix="  ", first=False))
    if report.notes:
        lines.append("")
    if report.student_output.strip():
        shown = report.student_output.strip().splitlines()
        lines.append(f"Your code printed {len(shown)} line(s) while it was graded"
                     + (" (first 10):" if len(shown) > 10 else ":"))
        lines += ["    " + s for s in shown[:10]]
        lines.append("")
    total = "Public checks total" if public else "Total"
    lines.append(f"{total:<{width}}{report.score:>5g} / {report.max_score:g}")
    if public:
        lines.append(_indent(PUBLIC_NOTICE, prefix=""))
    lines.append(f"(graded in {report.seconds:.1f} s; rubric {report.rubric_version})")
    return "\n".join(lines) + "\n"


def _indent(text, prefix="      ", first=True):
    out = []
    for i, line in enumerate(text.splitlines()):
        wrapped = textwrap.wrap(line, 96, subsequent_indent="  ", break_long_words=False,
                                replace_whitespace=False) or [""]
        for j, piece in enumerate(wrapped):
            out.append(piece if (i == 0 and j == 0 and not first) else prefix + piece)
    return "\n".join(out)
