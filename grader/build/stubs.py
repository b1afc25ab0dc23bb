"""Generate exercises/word2vec.py from the marked reference (`make exercises`).

In solutions/word2vec.py each solution body sits between `### BEGIN SOLUTION` and
`### END SOLUTION`. The exercise keeps everything else (signatures, docstrings, the provided
lines, the course's sanity tests) and replaces each body with a NotImplementedError that names
the function.
"""

import re
import sys
from pathlib import Path

from grader.paths import EXERCISES_DIR, REFERENCE_FILE

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB_FILE = EXERCISES_DIR / "word2vec.py"


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


def stub_text(functions=None):
    """The exercise as generated from the reference: what every kit tool builds from.

    exercises/word2vec.py is where students work, so tools and tests never read it back.
    """
    return make_stub(reference_text(functions))


STUB_LINE = ": replace this line with your code"  # in every stub line, .py and notebook alike


def write_or_check(path, text, args):
    """Write a generated file, or with `--check` in args only say whether it is up to date.

    A file whose stub lines are not all there any more holds someone's work (the exercise is
    done in place): it is not overwritten unless `--force` is in args."""
    if "--check" in args:
        if not path.exists() or path.read_text() != text:
            print(f"{path} is out of date: run `make exercises`", file=sys.stderr)
            return 1
        return 0
    if path.exists() and "--force" not in args and \
            path.read_text().count(STUB_LINE) < text.count(STUB_LINE):
        print(f"{path} has work in it (a `raise NotImplementedError` line is gone), so it was "
              "not overwritten: copy it elsewhere first, or run `make exercises FORCE=1`",
              file=sys.stderr)
        return 1
    path.write_text(text)
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    return write_or_check(STUB_FILE, stub_text(), args)


if __name__ == "__main__":
    sys.exit(main())
