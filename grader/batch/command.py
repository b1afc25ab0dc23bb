"""The `batch` verb: wire discovery, the gradebook, the runner, similarity and the exports."""

import hashlib
import os
import sys
import time
from pathlib import Path

import grader
from grader import rubric as rubric_mod
from grader.batch import discover, export, runner, similarity
from grader.batch.gradebook import Gradebook
from grader.batch.progress import Progress

GRADER_DIR = Path(grader.__file__).resolve().parent
NOT_SCORING = ("batch", "report", "cli.py", "__main__.py", "build")


def grader_fingerprint():
    """Hash of the grader code that decides scores, so a changed check re-grades even when
    the version number was not bumped (the batch, reports and CLI do not count)."""
    sha = hashlib.sha256()
    for path in sorted(GRADER_DIR.rglob("*")):
        relative = path.relative_to(GRADER_DIR)
        if (path.is_file() and path.suffix in (".py", ".toml") and relative.parts[0] not in NOT_SCORING
                and "__pycache__" not in relative.parts and relative.name != "rubric.toml"):
            sha.update(str(relative).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def stamp(rubric):
    """What a recorded grading must match to be reused (order matters: see Gradebook)."""
    return {"grader_version": grader.__version__, "grader_fingerprint": grader_fingerprint(),
            "rubric_version": rubric.version, "rubric_fingerprint": rubric.fingerprint}


def run(submissions, out_dir, jobs=None, regrade=False, rubric_path=None, stream=None):
    """Grade, record and export; returns the process exit code."""
    stream = stream or sys.stderr
    out_dir = Path(out_dir)
    rubric_path = Path(rubric_path) if rubric_path else rubric_mod.DEFAULT_PATH
    rubric = rubric_mod.load(rubric_path)
    found = discover.discover(submissions, out_dir / "unpacked")
    for origin, reason in found.unrecognised:
        stream.write(f"not graded: {origin}: {reason}\n")
    with Gradebook(out_dir) as book:
        book.set_unrecognised(found.unrecognised)
        book.forget_except(e.student for e in found.entries)
        current = stamp(rubric)
        todo = [e for e in found.entries if regrade or not book.is_current(e, current)]
        jobs = jobs or os.cpu_count() or 1
        stream.write(f"{len(found.entries)} submissions: {len(found.entries) - len(todo)} already "
                     f"graded, {len(todo)} to grade with {jobs} process(es)\n")
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
            return 130
        progress.finish()
        if todo:
            elapsed = time.monotonic() - started
            stream.write(f"graded {len(todo)} in {elapsed:.1f} s "
                         f"({elapsed / len(todo):.2f} s per submission)\n")
        sources = {e.student: similarity.source_of(e.path) for e in found.entries}
        code = {student: {fn: text for fn, (text, _) in similarity.functions_in(src).items()}
                for student, src in sources.items()}
        book.set_similar(similarity.find_pairs(sources))
        export.write_all(out_dir, book, code)
    stream.write(f"class report: {out_dir / 'index.html'}\ngradebook: {out_dir / 'gradebook.csv'}\n")
    return 0
