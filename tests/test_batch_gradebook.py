"""The gradebook: what counts as already graded, atomic replacement, reports read back; and
the small pieces around it (progress line, CSV cells, page names)."""

import io
import sqlite3

import pytest

from grader.batch import export
from grader.batch.discover import Entry
from grader.batch.gradebook import Gradebook
from grader.batch.progress import Progress
from grader.results import CheckResult, FunctionReport, GradeReport

STAMP = {"grader_version": "1", "grader_fingerprint": "g", "rubric_version": "r", "rubric_fingerprint": "f"}


def report(score):
    check = CheckResult(function="sigmoid", check="matches_reference", title="matches",
                        score=score, max_score=5, passed=score == 5, feedback="<b>fix</b>",
                        mistake="sign" if score < 5 else "")
    return GradeReport(submission="x.py", functions=[FunctionReport(name="sigmoid", checks=[check])],
                       notes=["note"], student_output="hi", seconds=1.5)


def entry(student="ada", digest="h1"):
    return Entry(student=student, path=None, origin=f"{student}.py", digest=digest)


def test_current_only_for_the_same_file_grader_and_rubric(tmp_path):
    with Gradebook(tmp_path) as book:
        assert not book.is_current(entry(), STAMP)
        book.record(entry(), STAMP, report(5))
        assert book.is_current(entry(), STAMP)
        assert not book.is_current(entry(digest="h2"), STAMP)
        for key in STAMP:
            assert not book.is_current(entry(), dict(STAMP, **{key: "changed"})), key


def test_a_grader_error_is_recorded_but_tried_again(tmp_path):
    with Gradebook(tmp_path) as book:
        book.record(entry(), STAMP, None, "the grader failed")
        assert not book.is_current(entry(), STAMP)
        (row,) = book.submissions()
        assert row["status"] == "grader_error" and row["report"] is None and row["error"] == "the grader failed"


def test_one_status_vocabulary_in_sqlite_csv_and_the_class_report(tmp_path):
    """A file that did not load is `not_loaded` everywhere (it was `graded` in SQLite), and the
    class report counts it apart instead of calling every recorded file graded."""
    broken = GradeReport(submission="b.py", problems=["Your file has a syntax error on line 3."],
                         functions=[FunctionReport("sigmoid", [CheckResult(
                             "sigmoid", "matches_reference", "m", 0, 5, False)], status="not_graded")])
    with Gradebook(tmp_path) as book:
        book.record(entry("ada"), STAMP, report(5))
        book.record(entry("bob"), STAMP, broken)
        book.record(entry("cy"), STAMP, None, "the grader failed")
        stored = dict(book.db.execute("SELECT student, status FROM submissions"))
        assert stored == {"ada": "graded", "bob": "not_loaded", "cy": "grader_error"}
        assert book.is_current(entry("bob"), STAMP), "an unchanged broken file is not graded again"
        export.write_all(tmp_path, book, {})
    csv_status = {r.split(",")[0]: r.split(",")[-3] for r in
                  (tmp_path / "gradebook.csv").read_text().splitlines()[1:]}
    assert csv_status == stored
    index = (tmp_path / "index.html").read_text()
    assert "<b>1</b> submission graded" in index and "<b>1</b> did not load" in index
    assert "<b>1</b> grader error" in index
    students = index[index.index('id="students"'):]
    assert "<th>status</th>" in students.replace(' class="num"', "") and "<th>flags</th>" in students
    for word in stored.values():
        assert word in students


def test_gradebooks_written_before_the_vocabulary_read_in_it(tmp_path):
    """Old gradebooks said `error`, and `graded` for files that did not load."""
    from grader.batch import status
    broken = GradeReport(submission="b.py", problems=["empty file"])
    assert status.of_row({"status": "error", "report": None}) == "grader_error"
    assert status.of_row({"status": "graded", "report": broken}) == "not_loaded"
    assert status.of_row({"status": "graded", "report": report(5)}) == "graded"


def test_recording_again_replaces_every_row_and_reads_back(tmp_path):
    with Gradebook(tmp_path) as book:
        book.record(entry(), STAMP, report(0))
        book.record(entry(), STAMP, report(5))
        (row,) = book.submissions()
        assert row["score"] == 5 and row["report"].score == 5
        assert row["report"].to_gradescope() == report(5).to_gradescope()
        assert [(r["check_id"], r["passed"]) for r in book.results()] == [("matches_reference", 1)]


def test_a_failed_write_leaves_the_previous_grading(tmp_path):
    with Gradebook(tmp_path) as book:
        book.record(entry(), STAMP, report(5))
        broken = report(0)
        broken.functions[0].checks.append(broken.functions[0].checks[0])  # duplicate key
        with pytest.raises(sqlite3.IntegrityError):
            book.record(entry(), STAMP, broken)
        (row,) = book.submissions()
        assert row["score"] == 5 and len(book.results()) == 1


def test_students_who_left_are_forgotten(tmp_path):
    with Gradebook(tmp_path) as book:
        book.record(entry("ada"), STAMP, report(5))
        book.record(entry("bob"), STAMP, report(5))
        assert book.forget_except(["bob"]) == ["ada"]
        assert [r["student"] for r in book.submissions()] == ["bob"]
        assert [r["student"] for r in book.results()] == ["bob"]


def test_csv_cells_cannot_become_formulas_and_page_names_stay_apart():
    assert export._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and export._cell("ada") == "ada"
    assert export.slug("ada") == "ada"
    names = {export.slug(s) for s in ("a/b", "a_b", "a:b", "../x", "")}
    assert len(names) == 5 and all("/" not in n and not n.startswith(".") for n in names)


def test_progress_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(2, stream)
    progress.advance("ada", "10 / 100")
    assert stream.getvalue() == "[1/2] ada: 10 / 100\n"


def test_progress_bar_rate_and_eta():
    now = [0.0]
    progress = Progress(4, io.StringIO(), clock=lambda: now[0])
    assert progress.eta_seconds() is None
    now[0] = 60.0
    progress.done = 2
    assert progress.rate() == 2.0 and progress.eta_seconds() == 60.0
    assert progress.bar(width=4) == "[##..] 2/4 2.0/min ETA 01:00"


def test_pages_show_submission_text_as_text(tmp_path):
    from grader.batch import class_page, student_page
    from grader.batch.similarity import Pair
    hostile = "<script>alert(1)</script>"
    with Gradebook(tmp_path) as book:
        bad = report(0)
        bad.student_output = hostile
        book.record(entry(hostile), STAMP, bad)
        book.record(entry("bob"), STAMP, None, hostile)
        rows = book.submissions()
        pages = [student_page.render(row) for row in rows]
        pages.append(class_page.render(rows, book.results(), [Pair(hostile, "bob", [("sigmoid", 1.0)])],
                                       {hostile: {"sigmoid": hostile}}, [(hostile, hostile)],
                                       {hostile: "x.html", "bob": "y.html"}))
    for text in pages:
        assert "<script" not in text and "&lt;script&gt;" in text
    assert "&lt;b&gt;fix&lt;/b&gt;" in pages[0]
