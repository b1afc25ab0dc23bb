"""The one boundary where text that came from a submission is made safe to show and store.

Anything a submission can influence (its printed output, exception messages, quoted source
lines, file and folder names) passes through here before a report, the gradebook, a CSV, an
HTML page, a notebook or the terminal sees it: valid UTF-8 (lone surrogates and undecodable
bytes replaced), no control characters (escape codes could redraw an instructor's terminal),
and bounded per line and per message (one 3 MB line must not be quoted in every check).
"""

import re

MAX_LINE = 400          # characters kept of one line
MAX_MESSAGE = 6000      # characters kept of one message (feedback, problem, note)
MAX_OUTPUT = 70_000     # characters kept of what a submission printed (output_kib is 64)
MAX_NAME = 120          # a student id, a file's origin

# C0 and C1 controls, DEL, and the bidi overrides that make text read differently than it is;
# newline and tab stay (layout), every other one is dropped.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def valid(text) -> str:
    """`text` (str, bytes or anything printable) as valid UTF-8-encodable text."""
    if isinstance(text, (bytes, bytearray)):
        return bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        text = str(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # lone surrogates (from "\ud800" or surrogateescape'd names)
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") \
            if _escaped_only(text) else text.encode("utf-8", "replace").decode("utf-8")


def _escaped_only(text):
    try:
        text.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


def clean(text, max_message=MAX_MESSAGE, max_line=MAX_LINE) -> str:
    """Valid text without control characters (newlines and tabs kept), each line cut at
    `max_line` characters and the whole at `max_message`; a cut says so."""
    text = _CONTROL.sub("", valid(text).replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > max_message * 2:  # cut first, so a huge text costs no more than a long one
        text = text[:max_message * 2]
    lines = []
    for line in text.split("\n"):
        if len(line) > max_line:
            line = line[:max_line] + f" ... ({len(line) - max_line} more characters)"
        lines.append(line)
    text = "\n".join(lines)
    if len(text) > max_message:
        text = text[:max_message] + "\n... (cut: too long to show)"
    return text


def name(text, limit=MAX_NAME) -> str:
    """A one-line name (student id, origin): valid, no controls or line breaks, bounded."""
    text = _CONTROL.sub("", valid(text).replace("\n", " ").replace("\t", " "))
    return text if len(text) <= limit else text[:limit] + "..."


def report(rep):
    """Make every student-derived string of a GradeReport safe, in place; returns it."""
    rep.submission = name(rep.submission, 400)
    rep.problems = [clean(p) for p in rep.problems]
    rep.notes = [clean(n) for n in rep.notes]
    rep.student_output = clean(rep.student_output, MAX_OUTPUT, MAX_LINE)
    for fn in rep.functions:
        fn.summary = clean(fn.summary, 1000)
        fn.notes = [clean(n) for n in getattr(fn, "notes", [])]
        for check in fn.checks:
            check.title = clean(check.title, 300)
            check.feedback = clean(check.feedback)
            check.mistake = clean(check.mistake, 300)
        for finding in getattr(fn, "findings", []):
            finding.summary = clean(finding.summary, 300)
            finding.text = clean(finding.text)
            finding.mistake = clean(finding.mistake, 300)
    return rep

