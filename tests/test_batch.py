"""End to end: a generated class of about 40 submissions graded by `python -m grader batch -j 2`
with a fast rubric; the gradebook, the exports, re-runs, a killed run, and a real browser."""

import csv
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path

import pytest

from batch_helpers import batch, build_class, fast_rubric
from grader.rubric import FUNCTIONS

pytestmark = pytest.mark.slow  # a graded class or attack corpus, time limits (not in make test-fast)

FLAGGED_PAIR = ("20104", "20105")         # build_class: an explicit solution and its renamed copy
UNRELATED_CORRECT = ("20101", "hopper", "turing", "dijkstra")
NOT_RECOGNISED = {"README.txt", "empty_folder", "notes.pdf"}


@pytest.fixture(scope="module")
def rubric(tmp_path_factory):
    return fast_rubric(tmp_path_factory.mktemp("rubric") / "rubric.toml")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, rubric):
    base = tmp_path_factory.mktemp("batch")
    entries = build_class.build(base / "class", size="test")
    run = batch(base / "class", "--out", base / "report", "-j", "2", "--rubric", rubric)
    assert run.returncode == 0, run.stdout + run.stderr
    return {"base": base, "class": base / "class", "out": base / "report", "rubric": rubric,
            "entries": entries, "log": run.stderr}


def db_rows(out, sql):
    with closing(sqlite3.connect(out / "gradebook.sqlite")) as db:
        return db.execute(sql).fetchall()


def csv_rows(out):
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_usage_errors_exit_2(tmp_path):
    run = batch(tmp_path / "missing", "--out", tmp_path / "out")
    assert run.returncode == 2 and "no such file or folder" in run.stderr
    assert not (tmp_path / "out").exists()


def test_every_entry_is_graded_or_listed(graded):
    students = db_rows(graded["out"], "SELECT student FROM submissions")
    listed = {origin for origin, in db_rows(graded["out"], "SELECT origin FROM unrecognised")}
    assert listed == NOT_RECOGNISED
    assert len(students) + len(listed) == graded["entries"]
    for origin in NOT_RECOGNISED:
        assert f"not graded: {origin}:" in graded["log"]
    assert ("20103",) in students  # Canvas id from knuth_20103_90003_submission.zip


def test_csv_and_database_agree(graded):
    out = graded["out"]
    rows = {r["student"]: r for r in csv_rows(out)}
    recorded = db_rows(out, "SELECT student, score, max_score, status FROM submissions")
    assert set(rows) == {s for s, *_ in recorded}
    per_function = {(s, f): p for s, f, p in db_rows(
        out, "SELECT student, function, SUM(score) FROM results GROUP BY student, function")}
    for student, score, max_score, status in recorded:
        row = rows[student]
        assert float(row["total"]) == score and float(row["max"]) == max_score
        assert status == row["status"]  # one vocabulary: not_loaded in both, say
        for fn in FUNCTIONS:
            assert float(row[fn]) == pytest.approx(per_function[(student, fn)])
        assert float(row["total"]) == pytest.approx(sum(float(row[fn]) for fn in FUNCTIONS))


def test_grades_and_flags_make_sense(graded):
    rows = {r["student"]: r for r in csv_rows(graded["out"])}
    for student in UNRELATED_CORRECT + FLAGGED_PAIR:
        assert rows[student]["total"] == "100", student
    assert rows["wirth"]["status"] == rows["stroustrup"]["status"] == "not_loaded"
    assert rows["nygaard"]["status"] == "graded" and rows["nygaard"]["total"] == "0"  # notebook
    assert float(rows["allen"]["skipgram"]) < float(rows["hopper"]["skipgram"])
    assert "time_limit" in rows["loop_forever"]["flags"]
    assert f"similar:{FLAGGED_PAIR[1]}" in rows[FLAGGED_PAIR[0]]["flags"].split(";")
    for student in UNRELATED_CORRECT:
        assert "similar" not in rows[student]["flags"], student
    mistakes = db_rows(graded["out"], "SELECT DISTINCT mistake FROM results WHERE student = '20106'")
    assert any("sign" in m for m, in mistakes)


def test_second_run_grades_nothing(graded):
    before = db_rows(graded["out"], "SELECT student, graded_at FROM submissions ORDER BY student")
    run = batch(graded["class"], "--out", graded["out"], "-j", "2", "--rubric", graded["rubric"])
    assert run.returncode == 0, run.stderr
    assert "0 to grade" in run.stderr
    assert db_rows(graded["out"], "SELECT student, graded_at FROM submissions ORDER BY student") == before


def test_pages_exist_link_up_and_escape_submissions(graded):
    out = graded["out"]
    index = (out / "index.html").read_text()
    links = set(re.findall(r'href="([^"#][^"]*)"', index))
    for anchor in re.findall(r'href="#([^"]+)"', index):
        assert f'id="{anchor}"' in index
    students = db_rows(out, "SELECT student FROM submissions")
    assert len(links) == len(students)
    for link in links:
        page = out / link.replace("&amp;", "&")
        assert page.is_file(), link
        assert (page.parent / "results.json").is_file() or "could not be graded" in page.read_text()
    for page in [out / "index.html", *out.glob("students/*/feedback.html")]:
        text = page.read_text()
        # Hostile names and output must arrive as text: no tag of theirs survives.
        assert "<script" not in text and "<img" not in text, page
    assert "&lt;script&gt;" in (out / "students" / "mallory" / "feedback.html").read_text()
    for part in ("<svg", "Most frequent mistakes", "Near-identical", FLAGGED_PAIR[0], "Slowest"):
        assert part in index


def test_killed_run_resumes_to_the_same_gradebook(graded, tmp_path):
    """kill -9 in the middle, run again: the same gradebook as the uninterrupted run."""
    total = build_class.build(tmp_path / "class", size="small") - 1  # README.txt is no submission
    out = tmp_path / "report"
    log = open(tmp_path / "killed.log", "wb")
    proc = batch(tmp_path / "class", "--out", out, "-j", "2", "--rubric", graded["rubric"], log=log)
    try:
        deadline = time.monotonic() + 300
        while _count(out) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, "the batch finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        _wait_group_gone(proc.pid)
    finally:
        _kill_group(proc.pid)
        log.close()
    killed_at = _count(out)
    assert 3 <= killed_at < total
    run = batch(tmp_path / "class", "--out", out, "-j", "2", "--rubric", graded["rubric"])
    assert run.returncode == 0, run.stderr
    assert f"{killed_at} already graded, {total - killed_at} to grade" in run.stderr
    resumed = csv_rows(out)
    assert len(resumed) == total
    assert resumed == [r for r in csv_rows(graded["out"]) if r["student"] in {x["student"] for x in resumed}]
    grades = ("SELECT student, function, check_id, score, passed, mistake, feedback FROM results "
              "ORDER BY 1, 2, 3")
    assert db_rows(out, grades) == [r for r in db_rows(graded["out"], grades)
                                    if r[0] in {x["student"] for x in resumed}]


def test_ctrl_c_stops_at_once_and_keeps_what_was_graded(rubric, tmp_path):
    build_class.build(tmp_path / "class", size="small")
    out = tmp_path / "report"
    with open(tmp_path / "interrupted.log", "w+") as log:
        proc = batch(tmp_path / "class", "--out", out, "-j", "2", "--rubric", rubric, log=log)
        try:
            deadline = time.monotonic() + 300
            while _count(out) < 1 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
            assert proc.wait(timeout=30) == 130
            _wait_group_gone(proc.pid)
        finally:
            _kill_group(proc.pid)
        log.seek(0)
        assert "interrupted:" in log.read()
    recorded = db_rows(out, "SELECT student, score FROM submissions")
    assert recorded and all(
        db_rows(out, f"SELECT SUM(score) FROM results WHERE student = '{s}'")[0][0] == score
        for s, score in recorded)



# Issue 10: the class's first entries (build_class's "small" class: loose files, folders, a zip,
# the Canvas names), with one submission of each attack on the boundary added beside them.
# Every honest classmate must get exactly the score the whole class got without them.
ATTACKS = ("loose_classmates", "huge_answer", "stops_reading", "fallocate_stdout",
           "nasty_strings", "slow_load_crash")


def _add_attacks(folder):
    from grader.paths import REFERENCE_FILE
    for name in ATTACKS:  # loose files, side by side with the class's own loose files
        source = Path(__file__).resolve().parent / "corpus" / "hostile" / f"{name}.py"
        shutil.copy(source, folder / f"zz_{name}.py")
    for name, target in (("zz_link_absolute", REFERENCE_FILE),
                         ("zz_link_relative", Path(os.path.relpath(REFERENCE_FILE, folder / "x")))):
        (folder / name).mkdir()
        os.symlink(target, folder / name / "word2vec.py")
    odd = folder / os.fsdecode(b"zz_caf\xe9\x1b[2J")
    odd.mkdir()
    (odd / "word2vec.py").write_text("raise ValueError('\\ud800')\n")
    (folder / "zz_long_line.py").write_text("x = " + "a+" * 300_000 + "a\n")
    (folder / "zz deep.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")


def test_attacks_leave_honest_classmates_untouched(graded, tmp_path):
    build_class.build(tmp_path / "class", size="small")
    _add_attacks(tmp_path / "class")
    out = tmp_path / "report"
    run = batch(tmp_path / "class", "--out", out, "-j", "2", "--rubric", graded["rubric"])
    assert run.returncode == 0, run.stdout + run.stderr
    alone = {r["student"]: r for r in csv_rows(graded["out"])}
    together = {r["student"]: r for r in csv_rows(out)}
    honest = {s: r for s, r in together.items() if not s.startswith("zz")}
    assert len(honest) == len(build_class.SMALL) - 1, sorted(honest)   # all but README.txt
    for student, row in honest.items():
        for column in ("total", *FUNCTIONS, "status"):
            assert row[column] == alone[student][column], (student, column)
    assert {"100", "0"} < {row["total"] for row in honest.values()}   # right, wrong and between
    attackers = {s: r for s, r in together.items() if s.startswith("zz")}
    assert len(attackers) == len(ATTACKS) + 5, sorted(attackers)
    expected = {"zz_loose_classmates": "0", "zz_link_absolute": "0", "zz_link_relative": "0",
                "zz_huge_answer": "30", "zz_stops_reading": "0", "zz_fallocate_stdout": "100",
                "zz_nasty_strings": "60", "zz_slow_load_crash": "0", "zz_long_line": "0",
                "zz deep": "0"}
    for student, row in attackers.items():
        assert row["status"] != "grader_error", (student, row)
        assert row["total"] == expected.get(student, "0"), (student, row)
    for page in out.glob("students/*/feedback.html"):
        text = page.read_text(encoding="utf-8")
        assert "\x1b" not in text and "BEGIN SOLUTION" not in text and "index.html" not in text
        assert len(text) < 400_000, page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "\x1b" not in index and "BEGIN SOLUTION" not in index
    assert stat.S_IMODE((out / "gradebook.sqlite").stat().st_mode) == 0o600


def _count(out):
    try:
        return db_rows(out, "SELECT COUNT(*) FROM submissions")[0][0]
    except sqlite3.Error:
        return 0


def _wait_group_gone(pgid, seconds=20):
    """The batch's pool processes must exit on their own once it is killed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    pytest.fail("processes of the killed batch were still running")


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--window-size=412,2000"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`; "
                                             ".ci/run installs it when apt is available)")
def test_report_renders_in_chromium_without_console_errors(graded):
    shots = graded["base"] / "screenshots"
    shots.mkdir(exist_ok=True)
    canary = shots / "canary.html"  # proves console errors are seen at all
    canary.write_text("<!DOCTYPE html><p>canary</p><script>console.error('canary')</script>")
    assert any("canary" in line for line in _render(canary, shots / "canary.png"))
    pages = {"index": graded["out"] / "index.html",
             "student": graded["out"] / "students" / "mallory" / "feedback.html"}
    for name, page in pages.items():
        png = shots / f"{name}.png"
        assert _render(page, png) == []
        assert png.stat().st_size > 10_000
    print(f"screenshots in {shots}")


def _render(page, png):
    """Render `page` to `png` in headless Chromium; its console messages."""
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                              f"--screenshot={png}", page.as_uri()],
                             capture_output=True, text=True, timeout=120)
    assert png.is_file(), run.stderr[-2000:]
    return [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
