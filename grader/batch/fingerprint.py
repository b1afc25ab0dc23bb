"""Documents as normalised token streams, their k-gram hashes and winnowed fingerprints.

The method is MOSS's (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for
document fingerprinting", SIGMOD 2003) over Python's own `tokenize` stream:
    source -> tokens (comments, blank lines and line breaks inside brackets gone)
           -> every identifier becomes `V` (attribute names such as `.exp` and builtins such
              as `range` stay: a copier cannot rename them), numbers by value, strings `S`
           -> hashes of every k consecutive tokens -> winnowing keeps the rightmost smallest
              hash of every window of w hashes.
Any passage of at least w + k - 1 tokens shared by two documents shares a fingerprint.

Every token keeps where it was written (line and columns) and the top-level function it is
in, so shared passages can be highlighted in the student's own text. Hashes are computed
with numpy in unsigned 64-bit arithmetic from blake2b token codes: the same file always gets
the same fingerprints, whatever else is in the class (Python's `hash` is salted per process).
"""

import builtins
import hashlib
import io
import keyword
import re
import tokenize
from dataclasses import dataclass, field

import numpy as np

K = 10            # tokens per k-gram: shorter shared runs are noise
WINDOW = 8        # any shared run of K + WINDOW - 1 = 17 tokens or more is detected
MAX_TOKENS = 40_000    # a submission's code beyond this is not compared (about 150 KB)
_BASE = np.uint64(0x100000001B3)
_KEEP = set(dir(builtins)) | set(keyword.kwlist)
_DROP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_codes = {}
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_REST = {getattr(tokenize, "FSTRING_MIDDLE", -1), getattr(tokenize, "FSTRING_END", -1)}


@dataclass
class Document:
    """One submission's code as tokens.

    text: the code as shown to the instructor (a notebook's cells joined, each headed by a
    `# cell N` line); tokens: normalised token strings; spans: (start line, start col, end line,
    end col) of each token in `text`, lines from 1; functions: per token, the name of the
    top-level `def` it is in ("" outside any); truncated: True when code was cut at MAX_TOKENS.
    """
    text: str
    tokens: list = field(default_factory=list)
    spans: list = field(default_factory=list)
    functions: list = field(default_factory=list)
    truncated: bool = False

    def __len__(self):
        return len(self.tokens)


def document(pieces):
    """A Document from code `pieces` ([(heading or None, source)]; one piece for a .py file).

    Each piece is tokenised on its own, so a notebook cell Python cannot read costs only the
    tokens after its error. Never raises on bad input.
    """
    doc = Document(text="")
    lines = []
    for heading, source in pieces:
        if heading:
            lines.append(f"# {heading}")
        offset = len(lines)
        source = source.replace("\r\n", "\n").replace("\r", "\n")
        lines.extend(source.split("\n"))
        for start, (tokens, spans, functions) in _pieces(source):
            base = offset + start + 1      # chunk spans count lines from 0
            doc.tokens += tokens
            doc.spans += [(l1 + base, c1, l2 + base, c2) for l1, c1, l2, c2 in spans]
            doc.functions += functions
        if len(doc.tokens) > MAX_TOKENS:
            del doc.tokens[MAX_TOKENS:], doc.spans[MAX_TOKENS:], doc.functions[MAX_TOKENS:]
            doc.truncated = True
            break
    doc.text = "\n".join(lines)
    return doc


_TOP = re.compile(r"^(?:def |class |async def |@|if |for |while |with |try:|import |from )", re.M)
_cache = {}


def _pieces(source):
    """[(line offset, tokenised chunk)] of `source` cut before each top-level statement.

    Most of every submission is the stub's unchanged text (helpers, tests, docstrings): chunks
    are tokenised once per distinct text, which makes a class of 500 files cheap. A cut that
    falls inside a string or brackets shows as a tokenizer error; then the source is tokenised
    whole."""
    lines = source.split("\n")
    cuts = [0] + [source.count("\n", 0, m.start()) for m in _TOP.finditer(source) if m.start()]
    chunks = []
    count = 0
    for a, b in zip(cuts, cuts[1:] + [len(lines)]):
        if count > MAX_TOKENS:      # the rest would be cut off anyway: not even tokenised
            break
        if b > a:
            text = "\n".join(lines[a:b]) + "\n"
            result = _cache.get(text)
            if result is None:
                result = _tokenize(text)
                if len(_cache) > 20_000:
                    _cache.clear()
                _cache[text] = result
            chunks.append((a, result))
            count += len(result[0])
    if len(chunks) > 1 and not all(ok for _, (*_, ok) in chunks):
        chunks = [(0, _tokenize(source))]
    return [(a, r[:3]) for a, r in chunks]


def _tokenize(source):
    """(tokens, spans, functions, ok) of `source`; ok is False after a tokenizer error (the
    tokens before it are kept)."""
    tokens, spans, functions = [], [], []
    depth = 0                 # indentation depth
    current, current_depth = "", None
    previous = ""
    expect_name = False

    def add(norm, tok, function):
        tokens.append(norm)
        spans.append((tok.start[0] - 1, tok.start[1], tok.end[0] - 1, tok.end[1]))
        functions.append(function)

    stream = tokenize.generate_tokens(io.StringIO(source).readline)
    try:
        for tok in stream:
            if len(tokens) > MAX_TOKENS:   # bounded work, whatever the file's size
                break
            kind, string = tok.type, tok.string
            if kind in _DROP or (kind == tokenize.ERRORTOKEN and not string.strip()):
                continue
            function = current
            if kind == tokenize.INDENT:
                depth += 1
                norm = "{"
            elif kind == tokenize.DEDENT:
                depth -= 1
                norm = "}"
                if current and depth <= current_depth:
                    current, current_depth = "", None
            elif kind == tokenize.NEWLINE:
                norm = ";"
                if current and depth <= current_depth and previous != ":":
                    current, current_depth = "", None   # a one-line `def f(x): return x` ends here
            elif kind == tokenize.NAME:
                if expect_name and not current:
                    current, current_depth = string, depth
                    function = current
                expect_name = string == "def"
                norm = string if string in _KEEP or previous == "." else "V"
            elif kind == tokenize.NUMBER:
                norm = _number(string)
            elif kind == tokenize.STRING or kind == _FSTRING_START:
                norm = "S"
            elif kind in _FSTRING_REST:
                continue
            else:
                norm = string
            if kind != tokenize.NAME:
                expect_name = False
            add(norm, tok, function)
            previous = norm
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError, RecursionError):
        return tokens, spans, functions, False
    return tokens, spans, functions, True


def _number(text):
    try:
        return repr(float(text.replace("_", "")))
    except ValueError:
        return text


def _code(token):
    code = _codes.get(token)
    if code is None:
        code = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        _codes[token] = code
    return code


def kgram_hashes(tokens, k=K):
    """uint64 hash of tokens[i:i+k] for every i (empty when fewer than k tokens)."""
    n = len(tokens) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter((_code(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    hashes = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):                # polynomial hash, wrapping at 2**64
            hashes = hashes * _BASE + codes[j:j + n]
    return hashes


def winnow(hashes, window=WINDOW):
    """Positions of the fingerprints: the rightmost smallest hash in every window of `window`
    consecutive hashes, each position once (Schleimer et al.'s robust winnowing)."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))])
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost)
