"""`--annotate OUT.ipynb`: a copy of the student's notebook with the feedback where the code is.

A markdown cell goes right after the cell that defines each graded function (the last one, as
that is the definition a run from the top leaves in place): its score, each check, and for a
failed check what went wrong and the hint. A summary cell (total, problems, notes) opens the
notebook, and functions no cell defines get their cell at the end. Everything else in the
notebook is copied untouched. Cells from an earlier annotation are replaced, not repeated.
"""

import json
import re
from pathlib import Path

from grader import notebook
from grader.report import policy

MARK = "word2vec_grader_feedback"   # metadata key of the cells written here


def write(report, notebook_path, out_path):
    """Write the annotated copy; returns a line saying what was done, for the terminal."""
    try:
        nb = notebook.read(notebook_path)
    except notebook.NotebookError as exc:
        return f"no annotated notebook written: the notebook could not be read ({exc})"
    annotate(nb, report)
    Path(out_path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return f"annotated notebook written to {out_path}"


def annotate(nb, report):
    """Insert the feedback cells into `nb` (a notebook dict), in place."""
    nb["cells"] = [c for c in nb["cells"] if not c.get("metadata", {}).get(MARK)]
    home = _defining_cells(nb)
    by_cell, homeless = {}, []
    for fn in report.functions:
        if fn.name in home:
            by_cell.setdefault(home[fn.name], []).append(fn)
        else:
            homeless.append(fn)
    with_ids = nb.get("nbformat_minor", 0) >= 5   # cell ids exist from format 4.5 on
    cells = [_cell(_summary(report), "summary", with_ids)]
    for index, cell in enumerate(nb["cells"]):
        cells.append(cell)
        cells += [_cell(_function_text(fn), fn.name, with_ids) for fn in by_cell.get(index, [])]
    cells += [_cell(_function_text(fn), fn.name, with_ids) for fn in homeless]
    nb["cells"] = cells
    return nb


def _defining_cells(nb):
    """{function name: index of the last cell defining it}, over cells Python can read."""
    home = {}
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        try:
            code = notebook.python_source(notebook.source_text(cell))
            names = notebook.defined_functions(code) if code is not None else []
        except (SyntaxError, ValueError, RecursionError):
            continue
        home.update((name, index) for name in names)
    return home


def _cell(text, name, with_ids):
    cell = {"cell_type": "markdown", "metadata": {MARK: True}, "source": text}
    if with_ids:
        cell["id"] = f"grader-feedback-{name}"
    return cell


def _summary(report):
    lines = [f"## Grader feedback: {report.score:g} / {report.max_score:g}", ""]
    lines += [f"- `{fn.name}`: {fn.score:g} / {fn.max_score:g}" + (f" ({fn.summary})" if fn.summary else "")
              for fn in report.functions]
    for heading, items in (("Problems", report.problems), ("Notes", report.notes)):
        if items:
            lines += ["", f"**{heading}**", ""] + [_fenced(item) for item in items]
    legend = policy.legend(report)
    lines += ["", "The feedback for each function follows the cell that defines it. "
                  + (f"Marks: {legend}. " if legend else "")
                  + f"(Written by the grader, rubric {report.rubric_version}.)"]
    return "\n".join(lines)


def _function_text(fn):
    mark = "✓" if policy.function_ok(fn) else "✗"
    lines = [f"### {mark} Grader feedback for `{fn.name}`: {fn.score:g} / {fn.max_score:g}", ""]
    if fn.status != "graded":
        return "\n".join(lines + [fn.summary[:1].upper() + fn.summary[1:] + "."])
    for check in fn.checks:
        title = check.title.replace("|", "\\|")
        lines.append(f"- {policy.mark(check)} {title} ({check.score:g} / {check.max_score:g})")
    for check in fn.checks:
        text = policy.detail(fn, check)
        if text:
            lines += ["", f"**{policy.mark(check)} {check.title}**", "", _fenced(text)]
    return "\n".join(lines)


def _fenced(text):
    """Plain text kept as written (line breaks, indentation, code) inside a fence."""
    # A fence ends at a line of at least as many of its characters: make it longer than
    # any run of backticks the (student-derived) text holds, so the text cannot close it.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
