"""The gradebook: an SQLite database (REPORT_DIR/gradebook.sqlite) that is the record of a class.

One transaction per graded submission replaces that student's rows, so a run killed at any
moment (Ctrl-C, kill -9) leaves every submission either fully recorded or not at all; WAL mode
with synchronous=FULL makes each commit durable before the next submission is recorded.
Exports (CSV, pages) are always produced from here, never from memory, so they agree with it.
"""

import json
import os
import sqlite3
import time
from pathlib import Path

from grader.batch.status import GRADER_ERROR, status_of
from grader.results import Finding, CheckResult, FunctionReport, GradeReport

FILENAME = "gradebook.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT PRIMARY KEY,
    origin TEXT NOT NULL,            -- where it was found, relative to SUBMISSIONS
    file_hash TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    grader_fingerprint TEXT NOT NULL,
    rubric_version TEXT NOT NULL,
    rubric_fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,            -- graded | not_loaded | grader_error (grader/batch/status.py)
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    seconds REAL NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    report TEXT NOT NULL,            -- the GradeReport as JSON (to_dict)
    graded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE,
    function TEXT NOT NULL,
    check_id TEXT NOT NULL,
    title TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    passed INTEGER NOT NULL,
    mistake TEXT NOT NULL,
    feedback TEXT NOT NULL,
    efficiency INTEGER NOT NULL,     -- 1 for an efficiency check (tagged so in results.json)
    seconds REAL NOT NULL,
    PRIMARY KEY (student, function, check_id)
);
CREATE TABLE IF NOT EXISTS unrecognised (origin TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS similar (   -- near-identical pairs, recomputed every run
    a TEXT NOT NULL, b TEXT NOT NULL, functions TEXT NOT NULL, PRIMARY KEY (a, b));
"""


class Gradebook:
    def __init__(self, report_dir):
        path = Path(report_dir) / FILENAME
        path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only, like every other export (it holds every student's feedback); SQLite
        # gives its -wal and -shm files the database file's mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600))
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{path}{suffix}"):
                os.chmod(f"{path}{suffix}", 0o600)
        self.db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.executescript(SCHEMA)

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def is_current(self, entry, stamp):
        """True when `entry` was graded from the same file by the same grader and rubric."""
        row = self.db.execute(
            "SELECT file_hash, grader_version, grader_fingerprint, rubric_version, "
            "rubric_fingerprint, status FROM submissions WHERE student = ?", (entry.student,)).fetchone()
        # a grader error (and the old word for it, "error") is graded again; not_loaded is not
        return row is not None and row[:-1] == (entry.digest, *stamp.values()) \
            and row[-1] not in (GRADER_ERROR, "error")

    def record(self, entry, stamp, report=None, error=""):
        """Replace the student's rows with this grading (or grader error), atomically."""
        data = report.to_dict() if report is not None else {}
        rows = [(entry.student, c.function, c.check, c.title, c.score, c.max_score, int(c.passed),
                 c.mistake, c.feedback, int(c.efficiency), c.seconds) for c in (report.checks() if report else [])]
        with self._transaction():
            self.db.execute("DELETE FROM submissions WHERE student = ?", (entry.student,))
            self.db.execute(
                "INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (entry.student, entry.origin, entry.digest, *stamp.values(),
                 status_of(report),
                 report.score if report else 0.0, report.max_score if report else 0.0,
                 report.seconds if report else 0.0, error, json.dumps(data), time.time()))
            self.db.executemany("INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)

    def set_unrecognised(self, items):
        with self._transaction():
            self.db.execute("DELETE FROM unrecognised")
            self.db.executemany("INSERT OR REPLACE INTO unrecognised VALUES (?, ?)", items)

    def set_similar(self, pairs):
        with self._transaction():
            self.db.execute("DELETE FROM similar")
            self.db.executemany("INSERT INTO similar VALUES (?, ?, ?)",
                                [(p.a, p.b, json.dumps(p.functions)) for p in pairs])

    def similar(self):
        return [(a, b, [tuple(f) for f in json.loads(fns)])
                for a, b, fns in self.db.execute("SELECT a, b, functions FROM similar")]

    def forget_except(self, students):
        """Drop students no longer among the submissions (e.g. a withdrawn file)."""
        keep = set(students)
        gone = [s for (s,) in self.db.execute("SELECT student FROM submissions") if s not in keep]
        with self._transaction():
            self.db.executemany("DELETE FROM submissions WHERE student = ?", [(s,) for s in gone])
        return gone

    def submissions(self):
        """Every submission row as a dict, with its GradeReport rebuilt (None for errors)."""
        cursor = self.db.execute("SELECT * FROM submissions ORDER BY student")
        names = [d[0] for d in cursor.description]
        out = []
        for values in cursor:
            row = dict(zip(names, values))
            report = json.loads(row.pop("report"))
            row["report"] = report_from_dict(report) if report else None
            out.append(row)
        return out

    def results(self):
        cursor = self.db.execute("SELECT * FROM results ORDER BY student, rowid")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values)) for values in cursor]

    def unrecognised(self):
        return self.db.execute("SELECT origin, reason FROM unrecognised ORDER BY origin").fetchall()

    def _transaction(self):
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *rest):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def report_from_dict(data):
    """GradeReport.to_dict() read back."""
    data = dict(data)
    data["functions"] = [FunctionReport(**dict(f, checks=[CheckResult(**c) for c in f["checks"]],
                                               findings=[Finding(**x) for x in f.get("findings", [])]))
                         for f in data.get("functions", [])]
    return GradeReport(**data)
