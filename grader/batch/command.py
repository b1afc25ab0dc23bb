"""The `batch` verb: wire discovery, the gradebook, the runner, similarity and the exports."""

import hashlib
import os
import shutil
import sys
import tempfile
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
    made = first_missing(out_dir)   # what a failed run removes again (None: nothing new)
    problem = writable_folder(out_dir)
    if problem:
        stream.write(f"error: cannot write the report to {out_dir} ({problem}), so nothing was "
                     "graded: give --out a folder you can write to\n")
        return 2
    found = discover.discover(submissions, out_dir / "unpacked")
    for origin, reason in found.unrecognised:
        stream.write(f"not graded: {origin}: {reason}\n")
    if not found.entries:  # a usage error: an empty report would look like a graded class
        if made is not None:  # what unpacking left (e.g. an unsafe class zip) is not a report
            shutil.rmtree(made, ignore_errors=True)
        stream.write(f"error: no submission found in {submissions}, so nothing was graded\n")
        return 2
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


def first_missing(folder: Path) -> "Path | None":
    """The outermost of `folder` and its parents that does not exist yet, or None."""
    return next((p for p in reversed([folder, *folder.parents]) if not p.exists()), None)


def writable_folder(folder: Path) -> str:
    """"" when `folder` exists (made now if need be) and takes new files, else why not (the
    OS's words). On failure, the folders made here are removed again: nothing is left."""
    missing = first_missing(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        if missing is not None:
            shutil.rmtree(missing, ignore_errors=True)
        return exc.strerror or type(exc).__name__
    return ""


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
    read = {e.student: _read(e) for e in entries}
    findings = similarity.compare({s: doc for s, (doc, _) in read.items()},
                                  problems={s: why for s, (_, why) in read.items()})
    book.set_similar(findings.pairs)
    export.write_all(out_dir, book, findings)   # the evidence goes to the class report only


def _read(entry):
    """(document, problem) of the graded file, read as grading reads it (from a private copy,
    no links followed); one unreadable submission must not stop the report for the class."""
    try:
        with private_copy.make(entry.path, entry.root, others=False) as copy:
            if copy.file is None:
                return similarity.read_nothing(copy.problem or "could not be read")
            return similarity.read(copy.file)
    except Exception:  # noqa: BLE001 - e.g. a notebook nested too deep for json
        return similarity.read_nothing("could not be read")
