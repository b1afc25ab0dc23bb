"""One student's feedback page (feedback.html): score, each function's checks with what to fix,
problems and notes, and what their code printed. The same text as the terminal report.

The page is sent to that student, so it says nothing about anyone else: no link to the class
report, no classmate's name (near-identical pairs are for the instructor, in index.html)."""

from grader.batch.html import esc, page, points, table
from grader.report import policy


def render(row):
    """HTML for one gradebook row (see Gradebook.submissions)."""
    report = row["report"]
    student = row["student"]
    parts = [f"<h1>word2vec feedback: {esc(student)}</h1>"]
    if report is None:
        parts.append('<div class="box problem"><p class="bad">This submission could not be graded.'
                     f'</p><p>{esc(row["error"])}</p><p>Nothing was scored; the next run will try again.</p></div>')
        parts.append(_facts(row))
        return page(f"{student}: not graded", "\n".join(parts))
    parts.append(f'<p><span class="score">{points(report.score)} / {points(report.max_score)}</span> '
                 f'<span class="muted">points</span></p>')
    parts.append(_facts(row))
    for problem in report.problems:
        parts.append(f'<div class="box problem"><p class="bad">Problem</p><pre>{esc(problem)}</pre></div>')
    for fn in report.functions:
        parts.append(_function(fn))
    legend = policy.legend(report)
    if legend:
        parts.append(f'<p class="muted small">Marks: {esc(legend)}.</p>')
    if report.notes:
        parts.append("<h2>Notes</h2>" + "".join(f"<pre>{esc(n)}</pre>" for n in report.notes))
    if report.student_output.strip():
        parts.append("<h2>What your code printed while it was graded</h2>"
                     f"<pre>{esc(report.student_output)}</pre>")
    return page(f"{student}: {points(report.score)} / {points(report.max_score)}", "\n".join(parts))


def _facts(row):
    return (f'<p class="muted small">Submission {esc(row["origin"])} &middot; graded in '
            f'{row["seconds"]:.1f} s &middot; rubric {esc(row["rubric_version"])} &middot; '
            f'grader {esc(row["grader_version"])}</p>')


def _function(fn):
    head = (f'<h2>{esc(fn.name)} <span class="muted">{points(fn.score)} / '
            f'{points(fn.max_score)}</span></h2>')
    if fn.status != "graded":
        return head + f'<p class="bad">{esc(fn.summary)}</p>'
    rows = []
    for check in fn.checks:
        css = "ok" if check.passed else "bad" if policy.state(check) == "failed" else "muted"
        mark = f'<span class="{css}">{esc(policy.mark(check))}</span>'
        detail = esc(check.title)
        text = policy.detail(fn, check)
        if text:
            detail += f"<pre>{esc(text)}</pre>"
        rows.append([mark, detail, f"{points(check.score)} / {points(check.max_score)}"])
    return head + table(["", "check", "points"], rows, numeric=(2,))
