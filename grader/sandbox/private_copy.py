"""Each submission is graded from a private copy: a fresh folder holding exactly its files.

The worker sees this copy (and the course helpers), never the folder the submission came
from: classmates' loose files next to it are not there, and neither is anything a link could
point to. Reads never follow links: every path component is opened relative to its parent
with O_NOFOLLOW, so a symlinked `word2vec.py` (absolute or relative), a symlinked folder and
a hard-linked file are refused, whatever they point to. Bounded in depth, count and bytes.

Layout: <tmp>/w2v-grading-PID-XXXX/ (mode 0711: others may pass, not list; PID: the grading
process, so a sweep can tell a copy whose grading was killed, see stale()) / <random hex>/ (0755)
holding the files (0644), so the unprivileged worker can read its copy but no other worker
can find it, even under the same uid.
"""

import itertools
import os
import secrets
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import safe_text
from grader.paths import EXERCISES_DIR

MAX_FILE_BYTES = 64 * 2**20     # the graded file (a notebook with outputs can be large)
MAX_TOTAL_BYTES = 32 * 2**20    # every other file of the student's folder together
MAX_FILES = 200
MAX_ENTRIES = 5000              # names looked at, folders included (a huge Downloads folder)
MAX_DEPTH = 6
SKIPPED_NAMES = ("__pycache__", "__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
LINK_PROBLEM = ("Your submission's {what} is a link (a shortcut to another file), and links "
                "are not graded: upload the file itself.")


@dataclass
class PrivateCopy:
    """The copy of one submission: `file` to grade (None and `problem` when it was refused)."""
    base: Path
    folder: Path
    file: Path = None
    problem: str = ""
    notes: list = field(default_factory=list)

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


PREFIX = "w2v-grading-"
# A copy lives while one submission is graded (grading.wall_seconds: under two minutes with
# the kit's rubric); one this old whose pid is not running here is a killed grading's, even
# if it was made in another pid namespace sharing this /tmp (where its pid means nothing).
STALE_SECONDS = 15 * 60


def stale(tmp=None, older_than: float = STALE_SECONDS) -> list:
    """The private copies in `tmp` (default: the system's) whose grading process is gone:
    killed (kill -9, a dying pool process) before it could remove its copy, at least
    `older_than` seconds ago. A copy of a grading still running is never among them,
    whichever process asks."""
    found, now = [], time.time()
    for base in Path(tmp or tempfile.gettempdir()).glob(PREFIX + "*"):
        pid = base.name[len(PREFIX):].split("-")[0]
        if not pid.isdigit():
            continue   # a name of another form: not known to be ours
        try:
            if now - base.stat().st_mtime < older_than:
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            found.append(base)
        except (PermissionError, OverflowError, FileNotFoundError):
            pass       # alive (another user's), no pid at all, or removed meanwhile
    return found


class _Refused(Exception):
    """A path component is a link or not what it must be; `what` names it for the student."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


def make(path, folder=None, others=True) -> PrivateCopy:
    """Copy the submission file `path` and, when `folder` (the student's folder, holding
    `path`) is given, that folder's own regular files, into a fresh private folder.

    Never raises for anything in the submission: a link, a special file or an unreadable
    graded file sets `problem` (one sentence for the student); other files that cannot be
    copied are left out with a note. Paths above `folder` (or above `path`'s parent) are the
    instructor's and may be links (e.g. /tmp on macOS). `others=False` copies the graded
    file alone (its path still checked from `folder` down).
    """
    path = Path(os.path.abspath(path))
    folder = Path(os.path.abspath(folder)) if folder is not None else None
    if folder is not None and folder == path:
        folder = None
    if folder is not None and path.parent != folder and folder not in path.parents:
        folder = None
    base = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    os.chmod(base, 0o711)
    copy = PrivateCopy(base=base, folder=base / secrets.token_hex(8))
    copy.folder.mkdir(mode=0o755)
    os.chmod(copy.folder, 0o755)
    top = folder if folder is not None else path.parent
    relative = path.relative_to(top).parts
    try:
        top_fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        copy.problem = LINK_PROBLEM.format(what="folder") if top.is_symlink() else \
            "Your submission could not be read (its folder is not readable)."
        return copy
    try:
        try:
            data = _read_graded(top_fd, relative)
        except _Refused as exc:
            copy.problem = exc.what
            return copy
        target = copy.folder.joinpath(*relative)
        _write(target, data)
        copy.file = target
        if folder is not None and others:
            budget = {"files": MAX_FILES, "bytes": MAX_TOTAL_BYTES, "entries": MAX_ENTRIES}
            _copy_tree(top_fd, copy.folder, (), relative, budget, copy.notes)
    finally:
        os.close(top_fd)
    return copy


def course_helpers(copy, source=EXERCISES_DIR / "utils") -> Path:
    """Copy the course helpers students import (`from utils.utils import softmax`: the kit's
    exercises/utils/*.py) into a folder of the private copy, and return the folder to put on
    the worker's import path.

    The worker is never shown exercises/ itself: an instructor may have done the exercise in
    place there, and a submission could run that solution.
    """
    kit = copy.base / secrets.token_hex(8)
    (kit / "utils").mkdir(parents=True, mode=0o755)
    os.chmod(kit, 0o755)
    os.chmod(kit / "utils", 0o755)
    for helper in sorted(source.glob("*.py")):
        if helper.is_file() and not helper.is_symlink():
            _write(kit / "utils" / helper.name, helper.read_bytes())
    return kit


def _read_graded(top_fd, relative):
    """The bytes of the graded file, opened component by component without following links."""
    fd = os.dup(top_fd)
    try:
        for i, part in enumerate(relative):
            last = i == len(relative) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_NONBLOCK if last else os.O_DIRECTORY)
            try:
                nxt = os.open(part, flags, dir_fd=fd)
            except OSError:
                if _is_link(fd, part):
                    raise _Refused(LINK_PROBLEM.format(what="file" if last else "folder"))
                raise _Refused("Your submission could not be read (the file is missing or "
                               "not readable).") from None
            os.close(fd)
            fd = nxt
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("Your submission is not a regular file, so it cannot be graded.")
        if info.st_nlink > 1:
            raise _Refused(LINK_PROBLEM.format(what="file").replace("a link", "a hard link"))
        data = _read_bounded(fd, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise _Refused(f"Your file is larger than {MAX_FILE_BYTES // 2**20} MB; is it the "
                           "right file?")
        return data
    finally:
        os.close(fd)


def _is_link(dir_fd, name):
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _read_bounded(fd, limit):
    os.set_blocking(fd, True)
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _write(target, data):
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _copy_tree(dir_fd, dest, prefix, graded, budget, notes):
    """The student's other files under `dir_fd`: regular files only, links left out (noted)."""
    if len(prefix) >= MAX_DEPTH:
        return
    try:
        with os.scandir(dir_fd) as listing:
            entries = sorted(itertools.islice(listing, MAX_ENTRIES), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        budget["entries"] -= 1
        if budget["entries"] < 0:
            return
        rel = prefix + (entry.name,)
        shown = safe_text.name("/".join(rel))
        if entry.name.startswith(".") or entry.name in SKIPPED_NAMES or rel == tuple(graded):
            continue
        if entry.is_symlink():
            notes.append(f"{shown} is a link (a shortcut to another file); links are not "
                         "graded, so it was left out.")
            continue
        if entry.is_dir(follow_symlinks=False):
            try:
                sub = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                              dir_fd=dir_fd)
            except OSError:
                continue
            try:
                _copy_tree(sub, dest, rel, graded, budget, notes)
            finally:
                os.close(sub)
            continue
        if budget["files"] <= 0:
            notes.append("Your folder holds more files than the grader copies "
                         f"({MAX_FILES}); the rest were left out.")
            budget["files"] = -1
            return
        if budget["files"] < 0:
            return
        try:
            fd = os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                notes.append(f"{shown} is not a plain file (a device, a pipe or a hard link), "
                             "so it was left out.")
                continue
            if info.st_size > budget["bytes"]:
                notes.append(f"{shown} was left out: your folder's files together are larger "
                             f"than {MAX_TOTAL_BYTES // 2**20} MB.")
                continue
            data = _read_bounded(fd, budget["bytes"])
        finally:
            os.close(fd)
        budget["files"] -= 1
        budget["bytes"] -= len(data)
        try:
            _write(dest.joinpath(*rel), data)
        except OSError:
            continue


def read_source(path, folder=None, limit=MAX_FILE_BYTES) -> str:
    """The text of a submission file read the same way (no links followed); "" if refused.
    For tools outside grading (similarity) that must not read through a student's link."""
    with make(path, folder, others=False) as copy:
        if copy.file is None:
            return ""
        return copy.file.read_bytes()[:limit].decode("utf-8", "replace")
