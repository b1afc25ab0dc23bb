"""Generate exercises/word2vec.py and exercises/sgd.py from their marked references (`make exercises`).

In solutions/word2vec.py and solutions/sgd.py each solution body sits between `### BEGIN SOLUTION` and
`### END SOLUTION`. The exercise keeps everything else (signatures, docstrings, the provided
lines, the course's sanity tests) and replaces each body with a NotImplementedError that names
the function.

Hint levels: docstring lines between `### BEGIN GUIDED` and `### END GUIDED` (the gradient
formulas and numpy one-liners) reach only a `guided` exercise; lines between `### BEGIN DERIVE`
and `### END DERIVE` (the derivation posed as questions, with a numeric self-check) only a
`derive` one. The level is the rubric's `[handout] hints` unless given (`make exercises
HINTS=guided`).
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from grader.paths import EXERCISES_DIR, REFERENCE_FILE, SOLUTIONS_DIR

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
LEVEL_MARK = re.compile(r"\s*### (BEGIN|END) (GUIDED|DERIVE)\s*$")
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


def hint_level(hints=None):
    """The hint level to build: `hints` if given, else the rubric's ("derive" by default)."""
    from grader import rubric
    level = hints or rubric.load().hints
    if level not in rubric.HINT_LEVELS:
        raise MarkerError(f"unknown hint level {level!r}: use one of {', '.join(rubric.HINT_LEVELS)}")
    return level


def select_level(text, hints):
    """`text` with only the `hints` level's marked lines kept, and no marker lines."""
    out, inside = [], None
    for n, line in enumerate(text.splitlines(), 1):
        match = LEVEL_MARK.match(line)
        if match:
            edge, level = match.groups()
            if (edge == "BEGIN") == (inside is not None) or (edge == "END" and level != inside):
                raise MarkerError(f"line {n}: unbalanced ### {edge} {level}")
            inside = level if edge == "BEGIN" else None
        elif inside is None or inside == hints.upper():
            out.append(line)
    if inside is not None:
        raise MarkerError(f"### BEGIN {inside} is never closed")
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def make_stub(source, hints=None):
    """The exercise text for a marked reference text, at hint level `hints` (see hint_level)."""
    source = select_level(source, hint_level(hints))
    lines = source.splitlines()
    out, cursor = [], 0
    for function, start, end, _ in solution_blocks(source):
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        out.extend(lines[cursor:start])
        out.append(f'{indent}raise NotImplementedError("{function}: replace this line with your code")')
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n"


OPTIONAL_BEGIN, OPTIONAL_END = "### BEGIN OPTIONAL ", "### END OPTIONAL "


def with_optional(source: str, functions=None) -> str:
    """The reference text with its optional sections (`### BEGIN OPTIONAL name` ... `### END
    OPTIONAL name`) kept, without their marker lines, for the names in `functions`, and
    removed (with the blank lines after them) for the others; `functions` None: those the
    kit's rubric grades. Off, the text is exactly as if the section had never been written."""
    if functions is None:
        from grader import rubric
        functions = rubric.load().functions
    out, dropping, after = [], None, False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(OPTIONAL_BEGIN):
            name = stripped[len(OPTIONAL_BEGIN):].strip()
            dropping = None if name in functions else name
            continue
        if stripped.startswith(OPTIONAL_END):
            after, dropping = dropping is not None, None
            continue
        if dropping is not None or (after and not stripped):
            continue
        after = False
        out.append(line)
    if dropping is not None:
        raise MarkerError(f"{OPTIONAL_BEGIN}{dropping} is never closed")
    return "".join(out)


def reference_text(functions=None) -> str:
    """The marked reference as the generators see it (see with_optional)."""
    return with_optional(REFERENCE_FILE.read_text(), functions)


def stub_text(hints=None, functions=None):
    """The exercise as generated from the reference: what every kit tool builds from.

    exercises/word2vec.py is where students work, so tools and tests never read it back.
    """
    return make_stub(reference_text(functions), hints)


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


def hints_arg(args):
    """The level named by `--hints LEVEL` in args, or None (the rubric's)."""
    return args[args.index("--hints") + 1] if "--hints" in args[:-1] else None


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
        source = with_optional(reference.read_text())   # optional exercises as the rubric says
        if not solution_blocks(source):
            raise MarkerError(f"{reference}: no {BEGIN} block, so its exercise would give the answers away")
        level = hints_arg(args)
        status |= write_or_check(stub, make_stub(source, level), args,
                                 older=lambda reference=reference, level=level: older_stubs(
                                     reference, lambda text: make_stub(with_optional(text), level)))
    return status


if __name__ == "__main__":
    sys.exit(main())
