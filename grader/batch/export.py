"""Everything a batch leaves in REPORT_DIR besides the database, produced from the database:
gradebook.csv, students/<id>/results.json and feedback.html, and index.html. Every file is
written atomically (a reader sees the old one or the new one)."""

import csv
import hashlib
import io
import re

from grader.batch import class_page, student_page
from grader.batch import status as status_mod
from grader.batch.similarity import Pair
from grader.report.results_json import write as write_results, write_atomic


def csv_header(functions) -> list:
    """gradebook.csv's first row: one points column per graded function."""
    return ["student", "total", "max", *functions, "status", "flags", "origin"]


PLAIN = re.compile(r"[a-z0-9_][a-z0-9_.]{0,59}")


def slug(student):
    """A file-name-safe folder name, distinct for distinct students.

    A name made only of lower-case letters, digits, `_` and `.` is its own folder; any other
    gets a cleaned name plus `-` and a hash of the whole name. Plain names never hold `-`, so
    `a b` (a_b-<hash>) cannot collide with a student literally named `a_b-<hash>` (which is
    hashed again), and case-insensitive disks cannot merge `Ann` and `ann`.
    """
    if PLAIN.fullmatch(student):
        return student
    safe = re.sub(r"[^A-Za-z0-9_.]+", "_", student).strip("._")[:60].lower()
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{safe or 'student'}-{digest}"


def status(row):
    """The row's status word (grader/batch/status.py: the one vocabulary)."""
    return status_mod.of_row(row)


def flags(row, partners):
    return ";".join(status_mod.flags(row, partners))


def write_all(out_dir, book, code):
    """Write every export for the gradebook `book`; `code`: the similarity.Findings, shown on
    the class report only."""
    rows = book.submissions()
    pairs = book.similar()
    partners = {}
    for a, b, _ in pairs:
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    links = {}
    for row in rows:
        folder = out_dir / "students" / slug(row["student"])
        links[row["student"]] = f"students/{folder.name}/feedback.html"
        try:
            if row["report"] is not None:
                write_results(row["report"], folder / "results.json")
            # similarity flags name classmates: instructor pages and the CSV only
            write_atomic(folder / "feedback.html", student_page.render(row))
        except (ValueError, TypeError, RecursionError) as exc:  # one student's export only
            write_atomic(folder / "feedback.html", student_page.render(
                dict(row, report=None, error=f"the report could not be written ({exc})")))
    write_atomic(out_dir / "gradebook.csv", gradebook_csv(rows, partners))
    write_atomic(out_dir / "index.html", class_page.render(
        rows, book.results(), [Pair(a, b, fns) for a, b, fns in pairs], code,
        book.unrecognised(), links))


def gradebook_csv(rows, partners):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    functions = class_page.graded_functions(rows)
    writer.writerow(csv_header(functions))
    for row in rows:
        per_fn = {f.name: f.score for f in row["report"].functions} if row["report"] else {}
        writer.writerow([_cell(row["student"]), f'{row["score"]:g}', f'{row["max_score"]:g}',
                         *(f"{per_fn[f]:g}" if f in per_fn else "" for f in functions),
                         status(row), _cell(flags(row, partners)), _cell(row["origin"])])
    return buffer.getvalue()


def _cell(text):
    """Spreadsheets run cells starting with = + - @ as formulas: file names are student input."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
