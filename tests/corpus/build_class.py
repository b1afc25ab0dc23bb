"""Generate an example class: student submissions in every layout `grader batch` accepts, built
from the corpus (correct and buggy files) plus broken, unfinished, copied and hostile-lite ones.

    .venv/bin/python tests/corpus/build_class.py   # writes tests/corpus/class/ (small; `make report` does)

`build(target, size="small")` is also used by tests/test_batch.py (size="test": about 40).
The small class avoids anything slow under the default rubric (no infinite loop), so
`make report` on a fresh clone finishes quickly.
"""

import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import build_corpus  # noqa: E402  (a sibling script, not a package)

# A correct solution in its own style, and the same with names, comments and layout changed:
# the pair the similarity flags must find.
EXPLICIT = {
    "naiveSoftmaxLossAndGradient": """
        scores = outsideVectors.dot(centerWordVec)
        scores = scores - np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss = -np.log(probs[outsideWordIdx])
        delta = probs.copy()
        delta[outsideWordIdx] = delta[outsideWordIdx] - 1
        gradCenterVec = np.dot(outsideVectors.T, delta)
        gradOutsideVecs = delta[:, np.newaxis] * centerWordVec[np.newaxis, :]""",
    "negSamplingLossAndGradient": """
        gradCenterVec = np.zeros(centerWordVec.shape)
        gradOutsideVecs = np.zeros(outsideVectors.shape)
        z_pos = sigmoid(np.dot(outsideVectors[outsideWordIdx], centerWordVec))
        loss = -np.log(z_pos)
        gradCenterVec += (z_pos - 1.0) * outsideVectors[outsideWordIdx]
        gradOutsideVecs[outsideWordIdx] += (z_pos - 1.0) * centerWordVec
        for neg in negSampleWordIndices:
            z_neg = sigmoid(-np.dot(outsideVectors[neg], centerWordVec))
            loss = loss - np.log(z_neg)
            gradCenterVec += (1.0 - z_neg) * outsideVectors[neg]
            gradOutsideVecs[neg] += (1.0 - z_neg) * centerWordVec""",
}
RENAMES = {"scores": "logits", "probs": "p", "delta": "err", "z_pos": "a", "z_neg": "b", "neg": "j"}

STUB = build_corpus.STUB


def renamed_copy(source):
    """The same program with its own names, comments and blank lines: what copying looks like."""
    for old, new in RENAMES.items():
        source = re.sub(rf"\b{old}\b", new, source)
    source = source.replace("    ### YOUR CODE HERE", "    # my solution\n\n    ### YOUR CODE HERE")
    return source.replace('"""Compute the sigmoid', '"""Sigmoid, my version. Compute the sigmoid')


def partial(done):
    """A student who finished only the functions in `done` (the rest still raise)."""
    return build_corpus.fill({fn: f'raise NotImplementedError("{fn}: replace this line with your code")'
                              for fn in build_corpus.GOOD if fn not in done})


HOSTILE_OUTPUT = ("\nprint('<script>alert(\"owned\")</script></pre><img src=x onerror=alert(1)>')\n")
INFINITE = {"skipgram": "while True:\n    pass"}

# (student as it appears, layout, content): layouts are "file", "folder", "course", "zip",
# "notebook", "empty" and "raw" (not a submission)
SMALL = [
    ("lovelace_20101_90001_word2vec.py", "file", ("correct", "vectorised")),
    ("hopper", "folder", ("correct", "loops")),
    ("turing.py", "file", ("correct", "unique_counts")),
    ("dijkstra", "course", ("correct", "course_layout")),
    ("liskov_20102_90002_word2vec.py", "file", ("buggy", "naive_transposed")),
    ("knuth_20103_90003_submission.zip", "zip", ("buggy", "neg_not_accumulated")),
    ("allen", "folder", ("buggy", "skipgram_overwrite")),
    ("backus.py", "file", ("buggy", "sigmoid_exp_ratio")),
    ("johnson_20104_90004_word2vec.py", "file", ("explicit", None)),
    ("jones_20105_90005_word2vec.py", "file", ("copy", None)),
    ("wirth.py", "file", ("broken", "syntax_error")),
    ("hamilton", "folder", ("partial", ("sigmoid",))),
    ("mallory.py", "file", ("hostile_output", "naive_no_max_shift")),
    ("README.txt", "raw", ("text", "Submissions downloaded from Canvas.\n")),
]
EXTRA = [
    ("cerf.py", "file", ("buggy", "naive_outside_from_y_hat")),
    ("kahn_20106_90006_word2vec.py", "file", ("buggy", "neg_sign")),
    ("lamport", "folder", ("buggy", "skipgram_every_row")),
    ("perlis.py", "file", ("buggy", "sigmoid_sign")),
    ("ritchie.py", "file", ("buggy", "neg_k_hardcoded")),
    ("thompson.py", "file", ("broken", "empty")),
    ("stroustrup.py", "file", ("broken", "binary")),
    ("kernighan.py", "file", ("broken", "missing_module")),
    ("mccarthy.py", "file", ("text", "import os\nos._exit(3)\n")),
    ("minsky.py", "file", ("stub", None)),
    ("papert", "folder", ("stub", None)),
    ("sutherland.py", "file", ("stub", None)),
    ("engelbart.py", "file", ("partial", ("sigmoid",))),
    ("kay_20107_90007_word2vec.py", "file", ("partial", ("sigmoid",))),
    ("goldberg.py", "file", ("partial", ("sigmoid", "naiveSoftmaxLossAndGradient"))),
    ("hoare.py", "file", ("partial", ("sigmoid", "naiveSoftmaxLossAndGradient"))),
    ("milner.py", "file", ("partial", ("sigmoid",))),
    ("floyd.py", "file", ("partial", ("naiveSoftmaxLossAndGradient",))),
    ("hamming.py", "file", ("partial", ("sigmoid", "skipgram"))),
    ("shannon.py", "file", ("broken", "missing_function")),
    ("church", "folder", ("broken", "error_on_import")),
    ("gödel.py", "file", ("partial", ("sigmoid",))),
    ("<img src=x onerror=alert(1)>eve's.py", "file", ("hostile_output", "sigmoid_in_place")),
    ("loop_forever.py", "file", ("infinite", None)),
    ("empty_folder", "empty", None),
    ("nygaard", "notebook", None),
    ("notes.pdf", "raw", ("bytes", b"%PDF-1.4\n")),
]


def content(kind, arg):
    if kind == "correct":
        return (HERE / "correct" / (f"{arg}/word2vec.py" if arg == "course_layout" else f"{arg}.py")).read_text()
    if kind in ("buggy", "broken"):
        return (HERE / kind / f"{arg}.py").read_bytes()
    if kind == "explicit":
        return build_corpus.fill(EXPLICIT)
    if kind == "copy":
        return renamed_copy(build_corpus.fill(EXPLICIT))
    if kind == "partial":
        return partial(arg)
    if kind == "stub":
        return STUB
    if kind == "hostile_output":
        return (HERE / "buggy" / f"{arg}.py").read_text() + HOSTILE_OUTPUT
    if kind == "infinite":
        return build_corpus.fill(INFINITE)
    return arg


def notebook_text():
    """The exercise notebook as generated (exercises/word2vec.ipynb may hold a student's work)."""
    from grader.build.notebook import build_text
    return build_text(hints="guided")


def build(target, size="small"):
    """Write the class into `target` (emptied first); returns the number of entries."""
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    students = SMALL + (EXTRA if size == "test" else [])
    for name, layout, spec in students:
        data = None if spec is None else content(*spec)
        data = data.encode() if isinstance(data, str) else data
        if layout in ("file", "raw"):
            (target / name).write_bytes(data)
        elif layout == "folder":
            (target / name).mkdir()
            (target / name / "word2vec.py").write_bytes(data)
        elif layout == "course":
            shutil.copytree(HERE / "correct" / "course_layout", target / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif layout == "zip":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as zf:  # fixed date: the same bytes every build
                zf.writestr(zipfile.ZipInfo("word2vec.py", date_time=(2026, 11, 1, 0, 0, 0)), data)
            (target / name).write_bytes(buffer.getvalue())
        elif layout == "notebook":  # the exercise notebook, handed in untouched
            (target / name).mkdir()
            (target / name / "word2vec.ipynb").write_text(notebook_text())
        elif layout == "empty":
            (target / name).mkdir()
    return len(students)


if __name__ == "__main__":
    print(build(HERE / "class"), "entries written to", HERE / "class")
