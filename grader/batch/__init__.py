"""Grade a whole class: `python -m grader batch SUBMISSIONS --out REPORT_DIR [-j N]`.

discover (who handed in what) -> gradebook (skip what is already graded) -> runner (a pool of
processes, each running grading.grade as single grading does) -> gradebook (one transaction per
submission) -> similarity -> export (CSV, per-student pages, class report), all from the database.
"""
