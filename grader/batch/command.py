"""The `batch` verb: wire discovery, the gradebook, the runner, similarity and the exports."""

import hashlib
import os
import sys
import time
from pathlib import Path

import grader
from grader import rubric as rubric_mod
from grader.paths import EXERCISES_DIR, REFERENCE_FILE
from grader.batch import discover, export, runner, similarity
from grader.batch.gradebook import Gradebook
from grader.batch.progress import Progress
from grader.sandbox import private_copy

GRADER_DIR = Path(grader.__file__).resolve().parent
NOT_SCORING = ("batch", "report", "cli.py", "__main__.py", "build")


def grader_fingerprint():
    """Hash of everything that decides scores besides the rubric: the grader's code, the
    reference and the helpers students import. A changed check re-grades even when the version
    number was not bumped; the batch, reports and CLI do not count."""
    sha = hashlib.sha256()
    files = [p for p in sorted(GRADER_DIR.rglob("*.py"))
             if p.relative_to(GRADER_DIR).parts[0] not in NOT_SCORING]
    files += [REFERENCE_FILE, *sorted((EXERCISES_DIR / "utils").glob("*.py"))]
    for path in files:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def stamp(rubric):
    """What a recorded grading must match to be reused (order matters: see Gradebook)."""
    return {"grader_version": grader.__version__, "grader_fingerprint": grader_fingerprint(),
            "rubric_version": rubric.version, "rubric_fingerprint": rubric.fingerprint}


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(submissions, out_dir, jobs=None, regrade=False, rubric_path=None, stream=None):
    """Grade, record and export; returns the process exit code."""
    stream = stream or sys.stderr
    out_dir = Path(out_dir)
    rubric_path = Path(rubric_path) if rubric_path else rubric_mod.DEFAULT_PATH
    current = stamp(rubric_mod.load(rubric_path))
    found = discover.discover(submissions, out_dir / "unpacked")
    for origin, reason in found.unrecognised:
        stream.write(f"not graded: {origin}: {reason}\n")
    with Gradebook(out_dir) as book:
        book.set_unrecognised(found.unrecognised)
        for student in book.forget_except(e.student for e in found.entries):
            stream.write(f"removed from the gradebook (no longer in {submissions}): {student}\n")
        todo = [e for e in found.entries if regrade or not book.is_current(e, current)]
        jobs = jobs or _cores()
        stream.write(f"{len(found.entries)} submissions: {len(found.entries) - len(todo)} already "
                     f"graded, {len(todo)} to grade with {jobs} process(es)\n")
        if not _grade(book, todo, current, rubric_path, jobs, stream):
            return 130
        _export(book, found.entries, out_dir)
    stream.write(f"class report: {out_dir / 'index.html'}\ngradebook: {out_dir / 'gradebook.csv'}\n")
    return 0


def _grade(book, todo, current, rubric_path, jobs, stream):
    """Grade `todo`, recording each as it finishes; False when interrupted (Ctrl-C)."""
    progress = Progress(len(todo), stream)

    def record(entry, report, error):
        book.record(entry, current, report, error)
        progress.advance(entry.student, error or f"{report.score:g} / {report.max_score:g}")

    started = time.monotonic()
    try:
        runner.run(todo, rubric_path, jobs, record)
    except KeyboardInterrupt:
        progress.finish()
        stream.write(f"interrupted: {progress.done} graded and recorded; run the same command "
                     "again to grade the rest\n")
        return False
    progress.finish()
    if todo:
        elapsed = time.monotonic() - started
        stream.write(f"graded {len(todo)} in {elapsed:.1f} s "
                     f"({elapsed / len(todo):.2f} s per submission)\n")
    return True


def _export(book, entries, out_dir):
    sources = {e.student: _source(e) for e in entries}
    code = {student: _functions(src) for student, src in sources.items()}
    try:
        pairs = similarity.find_pairs(sources)
    except RecursionError:  # a source too deeply nested to compare: no flags, still a report
        pairs = []
    book.set_similar(pairs)
    export.write_all(out_dir, book, code)


def _source(entry):
    """The graded file's code, read as grading reads it (no links followed), or "": one
    unreadable submission must not stop the report for the class."""
    try:
        with private_copy.make(entry.path, entry.root, others=False) as copy:
            return similarity.source_of(copy.file) if copy.file is not None else ""
    except Exception:  # noqa: BLE001 - e.g. a notebook nested too deep for json
        return ""


def _functions(source):
    try:
        return {fn: text for fn, (text, _) in similarity.functions_in(source).items()}
    except Exception:  # noqa: BLE001 - e.g. an expression too deep for ast
        return {}
