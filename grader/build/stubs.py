"""Generate exercises/word2vec.py and exercises/sgd.py from their marked references (`make exercises`).

In solutions/word2vec.py and solutions/sgd.py each solution body sits between `### BEGIN SOLUTION` and
`### END SOLUTION`. The exercise keeps everything else (signatures, docstrings, the provided
lines, the course's sanity tests) and replaces each body with a NotImplementedError that names
the function.
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from grader.paths import EXERCISES_DIR, REFERENCE_FILE, SOLUTIONS_DIR

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB_FILE = EXERCISES_DIR / "word2vec.py"
# Every (marked reference, generated exercise) pair `make exercises` writes.
STUBS = [(REFERENCE_FILE, STUB_FILE), (SOLUTIONS_DIR / "sgd.py", EXERCISES_DIR / "sgd.py")]


class MarkerError(Exception):
    pass


def solution_blocks(source):
    """[(function name, first line, last line, body lines)] for every marked block (0-based)."""
    lines = source.splitlines()
    blocks, start, function = [], None, None
    for n, line in enumerate(lines):
        match = re.match(r"\s*def (\w+)\(", line)
        if match and start is None:
            function = match.group(1)
        stripped = line.strip()
        if stripped == BEGIN:
            if start is not None:
                raise MarkerError(f"line {n + 1}: {BEGIN} inside another solution block")
            start = n
        elif stripped == END:
            if start is None:
                raise MarkerError(f"line {n + 1}: {END} without {BEGIN}")
            blocks.append((function, start, n, lines[start + 1:n]))
            start = None
    if start is not None:
        raise MarkerError(f"line {start + 1}: {BEGIN} is never closed")
    return blocks


def make_stub(source):
    """The exercise text for a marked reference text."""
    lines = source.splitlines()
    out, cursor = [], 0
    for function, start, end, _ in solution_blocks(source):
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        out.extend(lines[cursor:start])
        out.append(f'{indent}raise NotImplementedError("{function}: replace this line with your code")')
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n"


def stub_text():
    """The exercise as generated from the reference: what every kit tool builds from.

    exercises/word2vec.py is where students work, so tools and tests never read it back.
    """
    return make_stub(REFERENCE_FILE.read_text())


MAX_VERSIONS = 200  # committed versions of a reference looked at to recognise an older stub


def committed_versions(path: Path) -> "list[str]":
    """The texts of `path` in its git history, newest first ([] outside a git checkout).

    Only for recognising an older generated exercise, so any git trouble means "none"."""
    try:
        def git(*args):
            return subprocess.run(["git", *args], cwd=path.parent, capture_output=True,
                                  check=True, timeout=30).stdout
        top = Path(git("rev-parse", "--show-toplevel").decode().strip())
        rel = path.resolve().relative_to(top.resolve()).as_posix()
        commits = git("log", f"--max-count={MAX_VERSIONS}", "--format=%H", "--", rel).decode().split()
        return [git("show", f"{commit}:{rel}").decode("utf-8") for commit in commits]
    except (OSError, ValueError, subprocess.SubprocessError, UnicodeDecodeError):
        return []


def older_stubs(reference: Path, generate) -> "Iterator[str]":
    """What `generate(text)` makes from each committed version of `reference` (lazily); a
    version it cannot handle (older markers, say) is skipped."""
    for text in committed_versions(reference):
        try:
            yield generate(text)
        except Exception:  # noqa: BLE001 - an old version the generator refuses is just not one
            continue


def write_or_check(path: Path, text: str, args: "list[str]", older=None) -> int:
    """Write a generated file, or with `--check` in args only say whether it is up to date.

    The file is overwritten only when it holds no work: when it is `text` already, or exactly
    what the generator made before (one of `older()`, the generated texts of the reference's
    committed versions). Any other difference is someone's work (the exercise is done in
    place, and work can hide anywhere: a commented-out stub line, code above it, a comment),
    so the file is left alone unless `--force` is in args. Returns the exit status (0 or 1).
    """
    if "--check" in args:
        if not path.exists() or path.read_text() != text:
            print(f"{path} is out of date: run `make exercises`", file=sys.stderr)
            return 1
        return 0
    if path.exists() and "--force" not in args and not _untouched(path, text, older):
        print(f"{path} differs from the exercise as generated, so it holds work and was not "
              "overwritten: copy it elsewhere first, or run `make exercises FORCE=1`",
              file=sys.stderr)
        return 1
    path.write_text(text)
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


def _untouched(path, text, older):
    try:
        current = path.read_text()
    except (OSError, UnicodeDecodeError):
        return False   # unreadable as the generator's text: certainly not what it made
    return current == text or (older is not None and current in older())


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    status = 0
    for reference, stub in STUBS:
        source = reference.read_text()
        if not solution_blocks(source):
            raise MarkerError(f"{reference}: no {BEGIN} block, so its exercise would give the answers away")
        status |= write_or_check(stub, make_stub(source), args,
                                 older=lambda reference=reference: older_stubs(reference, make_stub))
    return status


if __name__ == "__main__":
    sys.exit(main())
