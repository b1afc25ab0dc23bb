"""Similarity flags an instructor can act on: pairs of submissions that share passages of
code nobody else in the class wrote, with the passages to show.

The method is MOSS's (see grader/batch/fingerprint.py): normalised token streams, k-gram
hashes, winnowed fingerprints. What is not evidence is set aside first:
- boilerplate: the kit's and the course's stubs, the provided helpers and the canonical forms
  of the solutions (grader/batch/boilerplate.py), however small the class;
- the class's common code: a k-gram in more than `common_limit(n)` submissions;
- short matches: a passage shorter than MIN_PASSAGE tokens, or with fewer than MIN_OWN tokens
  left once the above is set aside.
Pairs are found through an index of fingerprints (each fingerprint lists its submissions),
never by comparing every pair: the work grows with the number of shared fingerprints, which
the common-code limit bounds. Only candidate pairs are then aligned token by token.

Budgets: a submission's code is read up to MAX_BYTES and compared up to
fingerprint.MAX_TOKENS tokens; each pair has `pair_seconds`, the whole comparison `seconds`.
Whatever is over budget is reported in `Findings.not_compared`, never waited for.

A flag is a place to look, not a verdict; the instructor sees the evidence, students never do.
"""

import math
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import notebook
from grader.batch import boilerplate, fingerprint
from grader.registry import NAMES as FUNCTIONS

MAX_BYTES = 2 * 2**20           # a .py file read beyond this is not compared
MIN_PASSAGE = fingerprint.K + fingerprint.WINDOW - 1   # shortest passage shown (17 tokens)
MIN_OWN = 12                    # tokens of a passage that must be neither boilerplate nor common
MIN_SHARED = 50                 # a pair is flagged from this many shared tokens of own code...
MIN_SHARE = 0.3                 # ...covering at least this share of one of the two files' own code
MIN_FINGERPRINTS = 3            # shared fingerprints for a pair to be aligned at all
MAX_CANDIDATES = 16             # places in B tried for each start in A
_EDGE = {"S", ";", "{", "}", "(", ")", ":", ","}    # no shown passage starts or ends on these


@dataclass
class Budget:
    """Time allowed: for the whole comparison, and for aligning one pair."""
    seconds: float = 60.0
    pair_seconds: float = 2.0


@dataclass
class Passage:
    """One shared passage: tokens [a_start, a_end) of a's document and [b_start, b_end) of b's.
    own: how many of its tokens count as evidence (neither boilerplate nor the class's common
    code); functions: the top-level functions it lies in, on a's side and on b's."""
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    own: int
    functions_a: tuple = ()
    functions_b: tuple = ()


@dataclass
class Pair:
    """Two submissions flagged as sharing code.

    functions: [(function, share)] per function with shared code, the share being the larger of
    the two students' shares of their own code in that function covered by shared passages
    (what the gradebook and the CSV keep); share_a, share_b: the same over the whole files;
    shared: tokens of own code in shared passages (the larger side)."""
    a: str
    b: str
    functions: list = field(default_factory=list)
    share_a: float = 0.0
    share_b: float = 0.0
    shared: int = 0
    passages: list = field(default_factory=list)


@dataclass
class Findings:
    """What the comparison found: flagged pairs (most shared first), what was not compared and
    why ([(who, reason)], for the instructor), the documents (to show passages) and counts."""
    pairs: list = field(default_factory=list)
    not_compared: list = field(default_factory=list)
    documents: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)


def common_limit(n):
    """Most submissions a passage may appear in and still be evidence, in a class of `n`.

    Grows like sqrt(n): code that a share p of students write on their own appears in about
    p*n files, which outgrows sqrt(n) as the class grows, while a group copying from each other
    stays the same size. In small classes the canonical forms (boilerplate) do that job.
    """
    return max(3, math.ceil(math.sqrt(n)))


def read(path):
    """(Document, problem or "") for a submission file (.py or .ipynb); never raises."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".ipynb":
            return _notebook(path)
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return fingerprint.document([]), f"could not be read ({exc.strerror})"
    if len(data) > MAX_BYTES:
        return fingerprint.document([]), f"the file is larger than {MAX_BYTES // 2**20} MB"
    return fingerprint.document([(None, _decode(data))]), ""


def read_nothing(problem):
    """The (Document, problem) of a submission that could not be read."""
    return fingerprint.document([]), problem


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:   # a PEP 263 coding line (latin-1 files are valid Python)
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(True)).__next__)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def _notebook(path):
    try:
        cells = notebook.code_cells(notebook.read(path))
    except notebook.NotebookError as exc:
        return fingerprint.document([]), f"not a readable notebook ({exc})"
    pieces = []
    for number, source in cells:
        try:
            code = notebook.python_source(source)
        except (SyntaxError, ValueError, RecursionError):
            code = source      # the tokenizer keeps what it can of a cell Python cannot read
        if code and code.strip():
            pieces.append((f"cell {number}", code))
    return fingerprint.document(pieces), ""


def find_pairs(sources, common=None, budget=None):
    """Flagged pairs among `sources` ({student: source code}); see `compare`."""
    docs = {s: fingerprint.document([(None, src)]) for s, src in sources.items()}
    return compare(docs, common=common, budget=budget).pairs


def compare(documents, problems=None, common=None, budget=None):
    """Compare every submission with every other, through the fingerprint index.

    documents: {student: fingerprint.Document}; problems: {student: why it could not be read};
    common: override of common_limit(len(documents)). Returns Findings; bounded by `budget`.
    """
    budget = budget or Budget()
    started = time.monotonic()
    deadline = started + budget.seconds
    findings = Findings(documents=documents)
    for student, why in sorted((problems or {}).items()):
        if why:
            findings.not_compared.append((student, why))
    for student, doc in sorted(documents.items()):
        if doc.truncated:
            findings.not_compared.append((student, f"only its first {fingerprint.MAX_TOKENS:,} "
                                                   "tokens of code were compared (a very long file)"))
    limit = common_limit(len(documents)) if common is None else common
    prepared = _prepare(documents, limit)
    candidates = _candidates(prepared)
    findings.stats = {"submissions": len(documents), "common_limit": limit,
                      "candidate_pairs": len(candidates), "aligned": 0}
    late = []
    for (a, b), _ in candidates:
        now = time.monotonic()
        if now > deadline:
            late.append((a, b))
            continue
        try:
            pair = _align(a, b, prepared, min(deadline, now + budget.pair_seconds))
        except _OverBudget:
            findings.not_compared.append((f"{a} and {b}", "not compared: aligning their code took "
                                          f"longer than {budget.pair_seconds:g} s"))
            continue
        findings.stats["aligned"] += 1
        if pair is not None:
            findings.pairs.append(pair)
    if late:
        findings.not_compared.append((", ".join(f"{a} and {b}" for a, b in late[:20])
                                      + (f" and {len(late) - 20} more pairs" if len(late) > 20 else ""),
                                      f"not compared: the comparison's time budget of "
                                      f"{budget.seconds:g} s ran out"))
    findings.stats["seconds"] = round(time.monotonic() - started, 3)
    findings.pairs.sort(key=lambda p: (-p.shared, -max(p.share_a, p.share_b), p.a, p.b))
    return findings


class _OverBudget(Exception):
    pass


@dataclass
class _Prepared:
    doc: fingerprint.Document
    hashes: np.ndarray        # k-gram hashes
    own_kgram: np.ndarray     # bool per k-gram: neither boilerplate nor common
    own_token: np.ndarray     # bool per token: in no boilerplate or common k-gram
    fingerprints: np.ndarray  # unique hashes of the winnowed own k-grams


def _prepare(documents, limit):
    hashes = {s: fingerprint.kgram_hashes(d.tokens) for s, d in documents.items()}
    uniques = [np.unique(h) for h in hashes.values()]
    if uniques:
        values, counts = np.unique(np.concatenate(uniques), return_counts=True)
        common = values[counts > limit]
    else:
        common = np.zeros(0, dtype=np.uint64)
    boiler = boilerplate.hashes()
    prepared = {}
    for student, doc in documents.items():
        h = hashes[student]
        bad = np.isin(h, boiler) | np.isin(h, common)
        own_token = np.ones(len(doc), dtype=bool)
        if len(h):
            # a token is set aside when every k-gram holding it is boilerplate or common: the
            # way canonical statements are put together can still be one's own
            good = np.concatenate([[0], np.cumsum(~bad)])
            t = np.arange(len(doc))
            lo = np.clip(t - fingerprint.K + 1, 0, len(h))
            hi = np.clip(t + 1, 0, len(h))
            own_token = (good[hi] - good[lo]) > 0
        picked = fingerprint.winnow(h)
        picked = picked[~bad[picked]] if len(picked) else picked
        prepared[student] = _Prepared(doc, h, ~bad, own_token, np.unique(h[picked]))
    return prepared


def _candidates(prepared):
    """[((a, b), shared fingerprints)] with at least MIN_FINGERPRINTS, most first."""
    students = sorted(prepared)
    if not students:
        return []
    owners = np.concatenate([np.full(len(prepared[s].fingerprints), i) for i, s in enumerate(students)])
    prints = np.concatenate([prepared[s].fingerprints for s in students])
    order = np.argsort(prints, kind="stable")
    prints, owners = prints[order], owners[order]
    bounds = np.flatnonzero(np.diff(prints)) + 1
    counts = {}
    for group in np.split(owners, bounds):
        if len(group) < 2:
            continue
        group = group.tolist()
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                key = (group[x], group[y])
                counts[key] = counts.get(key, 0) + 1
    found = [((students[x], students[y]), n) for (x, y), n in counts.items() if n >= MIN_FINGERPRINTS]
    found.sort(key=lambda item: (-item[1], item[0]))
    return found


def _align(a, b, prepared, deadline):
    """The Pair of `a` and `b` if their shared passages are evidence enough, else None."""
    pa, pb = prepared[a], prepared[b]
    shared = np.intersect1d(pa.hashes[pa.own_kgram], pb.hashes[pb.own_kgram])
    if not len(shared):
        return None
    where_b = {}
    for j in np.flatnonzero(np.isin(pb.hashes, shared) & pb.own_kgram).tolist():
        where_b.setdefault(int(pb.hashes[j]), []).append(j)
    ta, tb = pa.doc.tokens, pb.doc.tokens
    passages, end = [], 0
    for step, i in enumerate(np.flatnonzero(np.isin(pa.hashes, shared) & pa.own_kgram).tolist()):
        if step % 256 == 0 and time.monotonic() > deadline:
            raise _OverBudget
        if i < end:
            continue
        best, best_j = 0, None
        for j in where_b.get(int(pa.hashes[i]), ())[:MAX_CANDIDATES]:
            n = fingerprint.K
            while i + n < len(ta) and j + n < len(tb) and ta[i + n] == tb[j + n]:
                n += 1
            if n > best:
                best, best_j = n, j
        if best_j is None:
            continue
        end = i + best
        if best >= MIN_PASSAGE:
            passages += _pieces(pa, pb, i, best_j, best)
    if not passages:
        return None
    cover_a = _covered(len(ta), [(p.a_start, p.a_end) for p in passages]) & pa.own_token
    cover_b = _covered(len(tb), [(p.b_start, p.b_end) for p in passages]) & pb.own_token
    shared_own = max(int(cover_a.sum()), int(cover_b.sum()))
    share_a = cover_a.sum() / max(1, pa.own_token.sum())
    share_b = cover_b.sum() / max(1, pb.own_token.sum())
    if shared_own < MIN_SHARED or max(share_a, share_b) < MIN_SHARE:
        return None
    functions = _function_shares(pa, cover_a, pb, cover_b)
    return Pair(a, b, functions, round(float(share_a), 3), round(float(share_b), 3), shared_own, passages)


def _pieces(pa, pb, i, j, length):
    """The match a[i:i+length] == b[j:j+length] as passages to show: cut where a's function
    changes, trimmed to the tokens that are evidence, kept when they have MIN_OWN of them (a
    copied file matches through all the starter code, which nobody needs to see highlighted)."""
    out, start = [], i
    names = pa.doc.functions
    for t in range(i + 1, i + length + 1):
        if t < i + length and names[t] == names[start]:
            continue
        own = np.flatnonzero(pa.own_token[start:t])
        tokens = pa.doc.tokens
        while len(own) and tokens[start + own[0]] in _EDGE:    # a docstring, a line break
            own = own[1:]
        while len(own) and tokens[start + own[-1]] in _EDGE:
            own = own[:-1]
        if len(own) >= MIN_OWN:
            s, e = start + int(own[0]), start + int(own[-1]) + 1
            out.append(Passage(s, e, j + s - i, j + e - i, len(own),
                               _functions(pa.doc, s, e), _functions(pb.doc, j + s - i, j + e - i)))
        start = t
    return out


def _covered(n, ranges):
    mask = np.zeros(n, dtype=bool)
    for start, end in ranges:
        mask[start:end] = True
    return mask


def _functions(doc, start, end):
    names = []
    for name in doc.functions[start:end]:
        if name not in names:
            names.append(name)
    return tuple(names)


def _function_shares(pa, cover_a, pb, cover_b):
    """[(function, share)] for functions holding shared own code, the exercise's four first."""
    shares = {}
    for p, cover in ((pa, cover_a), (pb, cover_b)):
        names = np.array(p.doc.functions, dtype=object)
        for name in set(names[cover].tolist()):
            in_fn = names == name
            own = int((in_fn & p.own_token).sum())
            if own:
                share = float((in_fn & cover).sum()) / own
                shares[name] = max(shares.get(name, 0.0), round(share, 3))
    order = {fn: i for i, fn in enumerate(FUNCTIONS)}
    return sorted(((name or "(outside any function)", s) for name, s in shares.items() if s > 0),
                  key=lambda item: (order.get(item[0], len(order)), item[0]))
