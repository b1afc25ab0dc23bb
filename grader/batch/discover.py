"""Find the submissions in what an instructor downloaded: one Entry per student, plus a list
of everything that was not recognised (never silently skipped).

Accepted layouts, mixed freely:
- a folder per student holding `word2vec.py` or a notebook (student = folder name);
- loose `.py` / `.ipynb` files named by student (student = file name without suffix);
- a `.zip` of a student's folder, or the whole class as a `.zip` of either layout;
- Canvas names `lastname_12345_67890_word2vec.py` (also `lastname_LATE_...`): student = 12345.
"""

import hashlib
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import safe_text

SOURCES = (".py", ".ipynb")
PREFERRED = ("word2vec.py", "word2vec.ipynb")
CANVAS = re.compile(r"^[^_]+(?:_late)?_(?P<id>\d+)_\d+_.+$", re.IGNORECASE)
SYSTEM = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
MAX_UNZIPPED_BYTES = 500 * 2**20
MAX_MEMBERS = 20_000


@dataclass
class Entry:
    student: str
    path: Path        # the file handed to grade()
    origin: str       # what it was found as, relative to SUBMISSIONS, for the instructor
    root: Path = None  # the file, or the student's folder (which may carry its own helpers)
    digest: str = ""  # sha256 of every file under `root`


@dataclass
class Found:
    entries: list = field(default_factory=list)
    unrecognised: list = field(default_factory=list)   # (origin, reason)


def student_name(name):
    """The student id a file or folder name stands for: Canvas's id, else the name itself."""
    stem = name
    for suffix in SOURCES + (".zip",):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    match = CANVAS.match(stem)
    # A folder name is student input: bytes that are not UTF-8 (a Latin-1 name arrives as
    # surrogate escapes), control characters and any length must not reach the gradebook.
    return safe_text.name(match["id"] if match else stem)


def discover(root, unpack_dir):
    """Every submission under `root` (a folder or a .zip, unpacked into `unpack_dir`)."""
    root = Path(root)
    found = Found()
    if root.is_file() and root.suffix.lower() == ".zip":
        target = Path(unpack_dir) / "class" / root.stem
        problem = unzip(root, target)
        if problem:
            found.unrecognised.append((root.name, problem))
            return found
        root = _class_folder(target)
    elif not root.is_dir():
        found.unrecognised.append((str(root), "neither a folder nor a .zip file"))
        return found
    for item in sorted(root.iterdir()):
        _add(found, item, item.name, unpack_dir)
    _drop_duplicates(found)
    for entry in found.entries:
        entry.digest = digest(entry.root)
        entry.origin = safe_text.name(entry.origin, 300)
    found.unrecognised = [(safe_text.name(origin, 300), safe_text.name(reason, 600))
                          for origin, reason in found.unrecognised]
    return found


def _add(found, item, origin, unpack_dir):
    if item.name in SYSTEM or item.name.startswith("."):
        found.unrecognised.append((origin, "hidden or system file, ignored"))
    elif item.is_symlink():
        found.unrecognised.append((origin, "a symbolic link, not followed"))
    elif item.is_dir():
        _add_folder(found, item.name, item, origin + "/", item)
    elif item.suffix.lower() in SOURCES:
        found.entries.append(Entry(student_name(item.name), item, origin, item))
    elif item.suffix.lower() == ".zip":
        target = Path(unpack_dir) / "students" / unpack_name(item.name)
        problem = unzip(item, target)
        if problem:
            found.unrecognised.append((origin, problem))
        else:
            _add_folder(found, item.name, _class_folder(target), origin + ":", target)
    else:
        found.unrecognised.append((origin, "not a .py, .ipynb, .zip or folder"))


def unpack_name(name: str) -> str:
    """A folder name of its own for the archive called `name`: distinct names (`bob.ZIP`,
    `bob.zip`, also on a case-insensitive disk) never share a folder, where the second would
    replace the first's files. Plain ASCII (the name is student input), the same every run."""
    tag = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    readable = re.sub(r"[^a-z0-9_-]+", "_", name[: -len(".zip")].lower())[:40].strip("_")
    return f"{readable}-{tag}" if readable else tag


def _add_folder(found, name, folder, prefix, shown_from):
    """A student's folder: its file to grade, or why there is none."""
    source, reason = _source_in(folder)
    if source is None:
        found.unrecognised.append((prefix.rstrip("/:"), reason))
    else:
        found.entries.append(Entry(student_name(name), source,
                                   prefix + source.relative_to(shown_from).as_posix(), folder))


def _source_in(folder):
    """(the file to grade in a student's folder, None) or (None, why there is none)."""
    for name in PREFERRED:
        if (folder / name).is_file() or (folder / name).is_symlink():
            return folder / name, ""  # a link is refused when graded, with a sentence
    candidates = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SOURCES
                        and p.is_file() and not _hidden(p.relative_to(folder)))
    named = [p for p in candidates if p.name in PREFERRED]
    if len(named) == 1:
        return named[0], ""
    top = [p for p in candidates if p.parent == folder]
    if len(top) == 1:
        return top[0], ""
    if not candidates:
        return None, "folder holds no word2vec.py or notebook"
    return None, ("folder holds several candidate files ("
                  + ", ".join(str(p.relative_to(folder)) for p in candidates[:5])
                  + "); rename the one to grade word2vec.py")


def _hidden(relative):
    return any(part.startswith(".") or part in SYSTEM or part == "__pycache__"
               for part in relative.parts)


def _class_folder(target):
    """A zip of a folder unpacks to that one folder: look inside it."""
    items = [p for p in target.iterdir() if p.name not in SYSTEM and not p.name.startswith(".")]
    if len(items) == 1 and items[0].is_dir():
        return items[0]
    return target


def _drop_duplicates(found):
    kept = {}
    for entry in found.entries:
        if entry.student in kept:
            found.unrecognised.append((entry.origin, f"a second submission for student "
                                                     f"{entry.student} (graded {kept[entry.student].origin})"))
        else:
            kept[entry.student] = entry
    found.entries = list(kept.values())


def digest(path):
    """sha256 over a file, or over every file in a folder (names and contents, sorted)."""
    path = Path(path)
    sha = hashlib.sha256()
    # Links are never followed (one could point at a FIFO, a device or another student).
    files = [path] if not path.is_dir() else sorted(
        p for p in path.rglob("*") if not _hidden(p.relative_to(path))
        and (p.is_symlink() or p.is_file()))
    for file in files:
        if path.is_dir():
            sha.update(os.fsencode(file.relative_to(path)) + b"\0")
        if file.is_symlink():
            sha.update(b"link:" + os.fsencode(os.readlink(file)))
        elif file.is_file():
            with open(file, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    sha.update(block)
    return sha.hexdigest()


def unzip(archive, target):
    """Unpack `archive` into a fresh `target`; return None, or why it could not be unpacked.
    Members that would land outside `target` (absolute paths, `..`) refuse the whole archive."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
                return "the archive is too large to unpack"
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    return f"the archive holds an unsafe path ({member.filename!r})"
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for member in members:
                if not _is_symlink(member):
                    zf.extract(member, target)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        return f"the archive could not be unpacked ({exc})"
    return None


def _is_symlink(member):
    return (member.external_attr >> 16) & 0o170000 == 0o120000
