"""Similarity flags: copies survive renaming, new comments, reordering and one rewritten
function; the starter code, the exercise's canonical code and the class's common code are not
evidence; the comparison is bounded; the evidence is shown to the instructor only."""

import os
import random
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader.batch import class_page, fingerprint, similarity, similarity_page
import batch_helpers  # noqa: F401  (puts tests/corpus on sys.path)
import build_corpus

import similarity_authors as sa
from similarity_authors import AUTHORS, DISTINCT

STUB = build_corpus.STUB  # generated: exercises/word2vec.py may be a student's work
FUNCTIONS = ["sigmoid", "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient", "skipgram"]


def docs(sources):
    return {s: fingerprint.document([(None, src)]) for s, src in sources.items()}


def flagged(findings):
    return {(p.a, p.b) for p in findings.pairs}


def test_tokens_set_names_comments_docstrings_and_layout_aside():
    a = "def skipgram(a, b):\n    '''doc'''\n    total = a + b  # sum\n\n    return total\n"
    b = "def skipgram(x, y):\n    s = x + \\\n        y\n    return s\n"
    ta, tb = (fingerprint.document([(None, s)]).tokens for s in (a, b))
    without_doc = [t for i, t in enumerate(ta) if not (t == "S" or (t == ";" and ta[i - 1] == "S"))]
    assert without_doc == tb
    c = "def skipgram(x, y):\n    s = x - y\n    return s\n"
    assert fingerprint.document([(None, c)]).tokens != tb
    # attribute names and builtins are kept: a copier cannot rename them
    assert "exp" in fingerprint.document([(None, "np.exp(x)")]).tokens
    assert fingerprint.document([(None, "range(len(x))")]).tokens[:3] == ["range", "(", "len"]


def test_tokens_know_their_function_and_place():
    doc = fingerprint.document([(None, "import numpy\n\ndef f(x):\n    y = x\n    return y\n\nz = 1\n")])
    assert set(doc.functions[doc.tokens.index("return") - 1:doc.tokens.index("return") + 2]) == {"f"}
    assert doc.functions[-1] == ""
    y_at = [s for t, s in zip(doc.tokens, doc.spans)][doc.tokens.index("=")]
    assert y_at[:2] == (4, 6)


def test_winnowing_finds_every_shared_run_of_the_guaranteed_length():
    rng = random.Random(7)
    alphabet = [f"t{i}" for i in range(30)]
    for _ in range(30):
        shared = [rng.choice(alphabet) for _ in range(fingerprint.K + fingerprint.WINDOW - 1)]
        a = [rng.choice(alphabet) for _ in range(rng.randint(0, 60))] + shared + ["x"] * 5
        b = ["y"] * 3 + shared + [rng.choice(alphabet) for _ in range(rng.randint(0, 60))]
        ha, hb = fingerprint.kgram_hashes(a), fingerprint.kgram_hashes(b)
        fa, fb = set(ha[fingerprint.winnow(ha)].tolist()), set(hb[fingerprint.winnow(hb)].tolist())
        assert fa & fb
    assert fingerprint.winnow(fingerprint.kgram_hashes(["a"] * 3)).size == 0


def test_independent_authors_who_write_the_canonical_code_are_not_flagged():
    # ada (2017) and grace (2020) both wrote the one-line `np.exp(x) / (np.exp(x) + 1)` sigmoid
    # and the standard skip-gram loop; in a class of two nothing else can say it is common.
    pair = {n: sa.file_of(AUTHORS[n]) for n in ("ada_2017", "grace_2020")}
    assert similarity.compare(docs(pair)).pairs == []
    everyone = {n: sa.file_of(b) for n, b in AUTHORS.items()}
    everyone["distinct"] = sa.file_of(DISTINCT)
    for n in range(2, len(everyone) + 1):
        assert similarity.compare(docs(dict(list(everyone.items())[:n]))).pairs == []


def test_untouched_stubs_and_the_course_stub_are_not_evidence():
    course = STUB.replace('raise NotImplementedError("sigmoid: replace this line with your code")',
                          "s = None")   # the course's stub begins otherwise than the kit's
    sources = {"a": STUB, "b": STUB, "c": course, "d": course}
    assert similarity.compare(docs(sources)).pairs == []


def test_a_renamed_reordered_partly_rewritten_copy_is_flagged_with_its_passages():
    original = sa.file_of(DISTINCT)
    copy = sa.renamed_copy(DISTINCT)
    assert "theta" not in copy and copy.index("def negSampling") < copy.index("def naiveSoftmax")
    sources = {n: sa.file_of(b) for n, b in AUTHORS.items()}
    sources.update(original=original, copy=copy)
    findings = similarity.compare(docs(sources))
    assert flagged(findings) == {("copy", "original")}
    pair = findings.pairs[0]
    names = dict(pair.functions)
    assert set(names) == {"naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient"}
    assert min(names.values()) > 0.9 and pair.share_a > 0.7 and pair.share_b > 0.7
    # every passage lies in one function on each side, and the same one (reordered or not)
    for p in pair.passages:
        assert p.functions_a == p.functions_b and len(p.functions_a) == 1
        assert fingerprint.document([(None, copy)]).tokens[p.a_start:p.a_end] == \
            fingerprint.document([(None, original)]).tokens[p.b_start:p.b_end]


def test_a_py_file_and_a_notebook_of_the_same_code_are_flagged(tmp_path):
    (tmp_path / "py").mkdir()
    (tmp_path / "nb").mkdir()
    (tmp_path / "py" / "word2vec.py").write_text(sa.file_of(DISTINCT))
    (tmp_path / "nb" / "word2vec.ipynb").write_text(sa.as_notebook(sa.file_of(DISTINCT)))
    read = {s: similarity.read(tmp_path / s / name)
            for s, name in (("py", "word2vec.py"), ("nb", "word2vec.ipynb"))}
    assert all(why == "" for _, why in read.values())
    assert "# cell 2" in read["nb"][0].text
    findings = similarity.compare({s: d for s, (d, _) in read.items()})
    assert flagged(findings) == {("nb", "py")}


def test_the_class_common_code_is_learned_from_the_class():
    shared = sa.file_of(DISTINCT)
    assert similarity.common_limit(10) == 4 and similarity.common_limit(500) == 23
    assert flagged(similarity.compare(docs({"a": shared, "b": shared}))) == {("a", "b")}
    crowd = {str(i): shared for i in range(5)}          # more than common_limit(5) = 3
    assert similarity.compare(docs(crowd)).pairs == []


def test_unreadable_and_oversized_files_are_reported_not_compared(tmp_path):
    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * (similarity.MAX_BYTES // 6 + 10))
    doc, why = similarity.read(big)
    assert "larger than" in why and len(doc) == 0
    bad_nb = tmp_path / "bad.ipynb"
    bad_nb.write_text("{not json")
    assert "not a readable notebook" in similarity.read(bad_nb)[1]
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".encode("latin-1"))
    assert similarity.read(latin)[1] == "" and "S" in similarity.read(latin)[0].tokens
    long = fingerprint.document([(None, "x = y\n" * (fingerprint.MAX_TOKENS // 4 + 5))])
    assert long.truncated and len(long) == fingerprint.MAX_TOKENS
    findings = similarity.compare({"long": long, "ok": docs({"ok": STUB})["ok"]},
                                  problems={"big": why})
    assert [who for who, _ in findings.not_compared] == ["big", "long"]


def test_a_pair_over_budget_is_reported_not_compared():
    copy = sa.renamed_copy(DISTINCT)
    sources = {"a": sa.file_of(DISTINCT), "b": copy}
    over = similarity.compare(docs(sources), budget=similarity.Budget(pair_seconds=-1))
    assert over.pairs == [] and over.not_compared == [
        ("a and b", "not compared: aligning their code took longer than -1 s")]
    spent = similarity.compare(docs(sources), budget=similarity.Budget(seconds=-1))
    assert spent.pairs == [] and "time budget" in spent.not_compared[0][1]
    assert flagged(similarity.compare(docs(sources))) == {("a", "b")}


def test_colluding_long_files_are_compared_in_bounded_work():
    # Two 76 KB files sharing everything: the old comparison took 209 s; this one aligns the
    # pair once, in a single pass over its tokens.
    body = "\n".join(f"    v{i} = np.tanh(w{i} @ x) * {i}" for i in range(2500))
    text = sa.file_of(dict(DISTINCT, sigmoid=body.strip()))
    assert len(text.encode()) > 76_000
    findings = similarity.compare(docs({"a": text, "b": text.replace("w1", "q1")}))
    assert flagged(findings) == {("a", "b")} and findings.stats["aligned"] == 1


def class_of(n, seed=3):
    """n generated files: every author's bodies mixed at random, a few renamed copies."""
    rng = random.Random(seed)
    names = sorted(AUTHORS)
    out = {}
    for i in range(n):
        bodies = {fn: AUTHORS[rng.choice(names)][fn] for fn in FUNCTIONS}
        out[f"s{i:03d}"] = sa.file_of(bodies)
    out["original"] = sa.file_of(DISTINCT)
    out["copy"] = sa.renamed_copy(DISTINCT)
    return out


def test_a_class_of_500_is_compared_through_the_index_not_pair_by_pair():
    findings = similarity.compare(docs(class_of(500)))
    assert flagged(findings) == {("copy", "original")}
    assert findings.not_compared == []
    # linear-ish: only candidate pairs are aligned, not the 125,751 pairs of 502 files
    assert findings.stats["aligned"] <= 2 * findings.stats["submissions"]


def test_the_class_page_shows_the_evidence_side_by_side(tmp_path):
    page = _page({"original": sa.file_of(DISTINCT), "copy": sa.renamed_copy(DISTINCT),
                  "<b>eve</b>": STUB})
    assert page.count('<table class="sbs">') == 2           # the two copied functions
    assert '<mark class="p0"' in page and '<mark class="p1"' in page
    assert "of copy&#x27;s own code" in page or "of copy's own code" in page
    assert "einsum" in page and "<b>eve</b>" not in page


def _page(sources):
    findings = similarity.compare(docs(sources))
    links = {s: f"students/{s}/feedback.html" for s in sources}
    return class_page.render([], [], findings.pairs, findings, [], links)


def test_student_pages_never_show_similarity(tmp_path):
    from grader.batch import export
    import inspect
    source = inspect.getsource(export.write_all)
    assert "student_page.render(row)" in source and "similar=" not in source


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = Path(os.environ.get("SIMILARITY_SCREENSHOTS", tempfile.gettempdir())) / "similarity-screenshots"


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`)")
def test_flagged_pair_renders_in_chromium():
    """The similarity section as the instructor sees it, phone and desktop widths; the PNGs are
    kept in ARTEFACTS for a person to look at."""
    from test_batch import FLAGS
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    html = ARTEFACTS / "similarity.html"
    html.write_text(_page({"original": sa.file_of(DISTINCT), "copy": sa.renamed_copy(DISTINCT),
                           **{n: sa.file_of(b) for n, b in AUTHORS.items()}}))
    for width in (412, 1200):
        png = ARTEFACTS / f"similarity-{width}.png"
        png.unlink(missing_ok=True)
        flags = [f for f in FLAGS if not f.startswith("--window-size")] + [f"--window-size={width},2400"]
        with tempfile.TemporaryDirectory() as profile:
            run = subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}",
                                  f"--screenshot={png}", html.as_uri()],
                                 capture_output=True, text=True, timeout=120)
        assert png.is_file(), run.stderr[-2000:]
        assert [line for line in run.stderr.splitlines() if ":CONSOLE" in line] == []
        assert png.stat().st_size > 20_000
    print(f"screenshots in {ARTEFACTS}")


def test_hostile_names_and_code_reach_the_page_as_text():
    hostile = "<script>alert(1)</script>"
    code = sa.file_of(DISTINCT).replace("### END YOUR CODE", f"# </pre></td>{hostile}", 1)
    page = _page({hostile: code, "b": sa.renamed_copy(DISTINCT)})
    assert "<script" not in page and "&lt;script&gt;" in page
    assert '<table class="sbs">' in page


def test_repetitive_files_stay_bounded():
    # the same line thousands of times: every k-gram recurs everywhere in both files
    text = sa.file_of({"sigmoid": "\n".join(["s = np.tanh(x) + 1"] * 3000)})
    findings = similarity.compare(docs({"a": text, "b": text}))
    assert flagged(findings) == {("a", "b")} and findings.not_compared == []


def test_the_same_class_gets_the_same_flags_in_any_order():
    sources = class_of(40, seed=5)
    first = similarity.compare(docs(sources))
    again = similarity.compare(docs(dict(reversed(list(sources.items())))))
    assert [(p.a, p.b, p.functions, p.passages) for p in first.pairs] == \
        [(p.a, p.b, p.functions, p.passages) for p in again.pairs]
    assert flagged(first) == {("copy", "original")}


def test_a_huge_file_is_not_even_tokenised_past_the_limit():
    lines = "\n".join(f"x{i} = y{i} + {i}" for i in range(100_000))     # about 2 MB, 700k tokens
    doc = fingerprint.document([(None, "def sigmoid(x):\n" + textwrap.indent(lines, "    "))])
    assert doc.truncated and len(doc) == fingerprint.MAX_TOKENS
    tokens, *_ = fingerprint._tokenize(lines)   # one chunk: the tokenizer itself stops early
    assert len(tokens) <= fingerprint.MAX_TOKENS + 1
