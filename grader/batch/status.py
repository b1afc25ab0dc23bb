"""The words for a submission's state and flags: one vocabulary for the gradebook's SQLite
`status` column, gradebook.csv and the class report (README, "Grading a class", documents it).

Status, one per submission:
- `graded`: the file loaded and every function was graded (whatever the score);
- `not_loaded`: the file could not be loaded (syntax error, empty, binary, not a notebook,
  an error at import, ...): it scores 0, and the student's page says why;
- `grader_error`: the grader itself failed on it (not the student's fault): nothing is
  scored, and the next run grades it again.

Flags, any number (`;`-separated in the CSV): `similar:ID` (near-identical function bodies
to student ID's) and `time_limit` (a call or a function ran out of time).
"""

GRADED, NOT_LOADED, GRADER_ERROR = "graded", "not_loaded", "grader_error"
STATUSES = (GRADED, NOT_LOADED, GRADER_ERROR)
LABELS = {GRADED: "graded", NOT_LOADED: "did not load", GRADER_ERROR: "grader error"}
_OLD = {"error": GRADER_ERROR}  # what gradebooks written before this vocabulary hold


def status_of(report):
    """The status of a grading: `report` is its GradeReport, or None when the grader failed."""
    if report is None:
        return GRADER_ERROR
    return NOT_LOADED if report.problems else GRADED


def of_row(row):
    """The status of a gradebook row (Gradebook.submissions()), old gradebooks included."""
    recorded = _OLD.get(row["status"], row["status"])
    if recorded == GRADED and row["report"] is not None and row["report"].problems:
        return NOT_LOADED  # recorded before not_loaded was a status of its own
    return recorded


def flags(row, partners):
    """The row's flags as a list of words; `partners`: {student: [similar students]}."""
    out = [f"similar:{other}" for other in sorted(partners.get(row["student"], []))]
    if row["report"] is not None and any("time limit:" in c.feedback.lower()
                                         for c in row["report"].checks()):
        out.append("time_limit")
    return out
