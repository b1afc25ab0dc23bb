"""Regenerate the submission corpus: the exercise stubs with student-style bodies filled in.

    .venv/bin/python tests/corpus/build_corpus.py

Each file is what a student would hand in: the generated exercise with the four
`raise NotImplementedError(...)` lines replaced. The exercise text comes from the generator
(grader.build.stubs, from solutions/word2vec.py), never from exercises/word2vec.py: that is
the student's working file, and may already be filled in. CORRECT files must get full marks; each BUGGY
file carries one catalogued mistake in one function (see BUGGY in tests/test_corpus.py);
VACUOUS files must score 0; BROKEN files cannot be graded at all (tests/test_broken_files.py).
"""

import shutil
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
from grader.build.stubs import stub_text  # noqa: E402  (run as a script: the kit on the path)

# The corpus stands for files students wrote from the guided handout (the kit's only text before
# hint levels); grading never reads docstrings, so the level changes nothing but their text.
STUB = stub_text("guided")

GOOD = {
    "sigmoid": "s = 1 / (1 + np.exp(-x))",
    "naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx])
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors.T @ y_hat
        gradOutsideVecs = np.outer(y_hat, centerWordVec)""",
    "negSamplingLossAndGradient": """
        u = outsideVectors[indices]
        signs = np.array([1.0] + [-1.0] * K)
        s = sigmoid(signs * (u @ centerWordVec))
        loss = -np.sum(np.log(s))
        coef = signs * (s - 1)
        gradCenterVec = coef @ u
        gradOutsideVecs = np.zeros_like(outsideVectors)
        np.add.at(gradOutsideVecs, indices, np.outer(coef, centerWordVec))""",
    "skipgram": """
        c = word2Ind[currentCenterWord]
        for w in outsideWords:
            l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
            loss += l
            gradCenterVecs[c] += gc
            gradOutsideVectors += go""",
}

CORRECT = {
    "vectorised": {},
    "loops": {
        "negSamplingLossAndGradient": """
            s_o = sigmoid(outsideVectors[outsideWordIdx] @ centerWordVec)
            loss = -np.log(s_o)
            gradCenterVec = (s_o - 1) * outsideVectors[outsideWordIdx]
            gradOutsideVecs = np.zeros(outsideVectors.shape)
            gradOutsideVecs[outsideWordIdx] = (s_o - 1) * centerWordVec
            for k in negSampleWordIndices:
                s_k = sigmoid(-outsideVectors[k] @ centerWordVec)
                loss -= np.log(s_k)
                gradCenterVec = gradCenterVec + (1 - s_k) * outsideVectors[k]
                gradOutsideVecs[k] += (1 - s_k) * centerWordVec""",
        "skipgram": """
            for i in range(len(outsideWords)):
                result = word2vecLossAndGradient(centerWordVectors[word2Ind[currentCenterWord]],
                                                 word2Ind[outsideWords[i]], outsideVectors, dataset)
                loss = loss + result[0]
                gradCenterVecs[word2Ind[currentCenterWord], :] += result[1]
                gradOutsideVectors = gradOutsideVectors + result[2]""",
    },
    "unique_counts": {
        "negSamplingLossAndGradient": """
            uniq, counts = np.unique(negSampleWordIndices, return_counts=True)
            u_o, u_k = outsideVectors[outsideWordIdx], outsideVectors[uniq]
            s_o, s_k = sigmoid(u_o @ centerWordVec), sigmoid(u_k @ centerWordVec)
            loss = -np.log(s_o) - np.sum(counts * np.log(sigmoid(-(u_k @ centerWordVec))))
            gradCenterVec = (s_o - 1) * u_o + (counts * s_k) @ u_k
            gradOutsideVecs = np.zeros_like(outsideVectors)
            gradOutsideVecs[outsideWordIdx] = (s_o - 1) * centerWordVec
            gradOutsideVecs[uniq] += np.outer(counts * s_k, centerWordVec)""",
    },
    "singleton_shapes": {
        "naiveSoftmaxLossAndGradient": """
            y_hat = softmax(outsideVectors @ centerWordVec)
            loss = -np.log(y_hat[[outsideWordIdx]])
            y_hat[outsideWordIdx] -= 1
            gradCenterVec = (outsideVectors.T @ y_hat)[None, :]
            gradOutsideVecs = np.outer(y_hat, centerWordVec)""",
        "negSamplingLossAndGradient": GOOD["negSamplingLossAndGradient"] +
            "\n        gradCenterVec = gradCenterVec.reshape(-1, 1)",
    },
}

BUGGY = {
    "sigmoid_exp_ratio": {"sigmoid": "s = np.exp(x) / (1 + np.exp(x))"},
    "sigmoid_sign": {"sigmoid": "s = 1 / (1 + np.exp(x))"},
    "sigmoid_in_place": {"sigmoid": """
        if isinstance(x, np.ndarray):
            np.negative(x, out=x)
            s = 1 / (1 + np.exp(x))
        else:
            s = 1 / (1 + np.exp(-x))"""},
    "naive_untransposed": {"naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx])
        delta = y_hat.copy()
        delta[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors @ delta
        gradOutsideVecs = np.outer(delta, centerWordVec)"""},
    "naive_outside_from_y_hat": {"naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx])
        gradOutsideVecs = np.outer(y_hat, centerWordVec)
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors.T @ y_hat"""},
    "naive_center_from_y_hat": {"naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx])
        gradCenterVec = outsideVectors.T @ y_hat
        y_hat[outsideWordIdx] -= 1
        gradOutsideVecs = np.outer(y_hat, centerWordVec)"""},
    "naive_no_max_shift": {"naiveSoftmaxLossAndGradient": """
        e = np.exp(outsideVectors @ centerWordVec)
        y_hat = e / np.sum(e)
        loss = -np.log(y_hat[outsideWordIdx])
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors.T @ y_hat
        gradOutsideVecs = np.outer(y_hat, centerWordVec)"""},
    "naive_transposed": {"naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = -np.log(y_hat[outsideWordIdx])
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors.T @ y_hat
        gradOutsideVecs = np.outer(centerWordVec, y_hat)"""},
    "naive_loss_sign": {"naiveSoftmaxLossAndGradient": """
        y_hat = softmax(outsideVectors @ centerWordVec)
        loss = np.log(y_hat[outsideWordIdx])
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = outsideVectors.T @ y_hat
        gradOutsideVecs = np.outer(y_hat, centerWordVec)"""},
    "naive_loop_over_vocabulary": {"naiveSoftmaxLossAndGradient": """
        V = outsideVectors.shape[0]
        scores = np.array([outsideVectors[w] @ centerWordVec for w in range(V)])
        y_hat = softmax(scores)
        loss = -np.log(y_hat[outsideWordIdx])
        y_hat[outsideWordIdx] -= 1
        gradCenterVec = np.zeros_like(centerWordVec)
        gradOutsideVecs = np.zeros_like(outsideVectors)
        for w in range(V):
            gradCenterVec += y_hat[w] * outsideVectors[w]
            gradOutsideVecs[w] = y_hat[w] * centerWordVec"""},
    "neg_not_accumulated": {"negSamplingLossAndGradient": """
        s_o = sigmoid(outsideVectors[outsideWordIdx] @ centerWordVec)
        s_k = sigmoid(outsideVectors[negSampleWordIndices] @ centerWordVec)
        loss = -np.log(s_o) - np.sum(np.log(1 - s_k))
        gradCenterVec = (s_o - 1) * outsideVectors[outsideWordIdx] + s_k @ outsideVectors[negSampleWordIndices]
        gradOutsideVecs = np.zeros_like(outsideVectors)
        gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
        gradOutsideVecs[negSampleWordIndices] += np.outer(s_k, centerWordVec)"""},
    "neg_set_of_samples": {"negSamplingLossAndGradient": """
        samples = list(set(negSampleWordIndices))
        s_o = sigmoid(outsideVectors[outsideWordIdx] @ centerWordVec)
        s_k = sigmoid(outsideVectors[samples] @ centerWordVec)
        loss = -np.log(s_o) - np.sum(np.log(1 - s_k))
        gradCenterVec = (s_o - 1) * outsideVectors[outsideWordIdx] + s_k @ outsideVectors[samples]
        gradOutsideVecs = np.zeros_like(outsideVectors)
        gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
        gradOutsideVecs[samples] += np.outer(s_k, centerWordVec)"""},
    "neg_loop_assigns": {"negSamplingLossAndGradient": """
        s_o = sigmoid(outsideVectors[outsideWordIdx] @ centerWordVec)
        loss = -np.log(s_o)
        gradCenterVec = (s_o - 1) * outsideVectors[outsideWordIdx]
        gradOutsideVecs = np.zeros_like(outsideVectors)
        gradOutsideVecs[outsideWordIdx] = (s_o - 1) * centerWordVec
        for k in negSampleWordIndices:
            s_k = sigmoid(outsideVectors[k] @ centerWordVec)
            loss -= np.log(1 - s_k)
            gradCenterVec += s_k * outsideVectors[k]
            gradOutsideVecs[k] = s_k * centerWordVec"""},
    "neg_rows_per_sample": {"negSamplingLossAndGradient": """
        s_o = sigmoid(outsideVectors[outsideWordIdx] @ centerWordVec)
        s_k = sigmoid(outsideVectors[negSampleWordIndices] @ centerWordVec)
        loss = -np.log(s_o) - np.sum(np.log(1 - s_k))
        gradCenterVec = (s_o - 1) * outsideVectors[outsideWordIdx] + s_k @ outsideVectors[negSampleWordIndices]
        gradOutsideVecs = np.vstack([(s_o - 1) * centerWordVec, np.outer(s_k, centerWordVec)])"""},
    "neg_sign": {"negSamplingLossAndGradient": """
        u = outsideVectors[indices]
        signs = np.array([1.0] + [1.0] * K)
        s = sigmoid(signs * (u @ centerWordVec))
        loss = -np.sum(np.log(s))
        coef = signs * (s - 1)
        gradCenterVec = coef @ u
        gradOutsideVecs = np.zeros_like(outsideVectors)
        np.add.at(gradOutsideVecs, indices, np.outer(coef, centerWordVec))"""},
    "neg_k_hardcoded": {"negSamplingLossAndGradient": """
        u = outsideVectors[indices]
        signs = np.array([1.0] + [-1.0] * 10)
        s = sigmoid(signs * (u @ centerWordVec))
        loss = -np.sum(np.log(s))
        coef = signs * (s - 1)
        gradCenterVec = coef @ u
        gradOutsideVecs = np.zeros_like(outsideVectors)
        np.add.at(gradOutsideVecs, indices, np.outer(coef, centerWordVec))"""},
    "neg_own_sampling": {"negSamplingLossAndGradient": """
        negSampleWordIndices = [dataset.sampleTokenIdx() for _ in range(K)]
        indices = [outsideWordIdx] + negSampleWordIndices
        u = outsideVectors[indices]
        signs = np.array([1.0] + [-1.0] * K)
        s = sigmoid(signs * (u @ centerWordVec))
        loss = -np.sum(np.log(s))
        coef = signs * (s - 1)
        gradCenterVec = coef @ u
        gradOutsideVecs = np.zeros_like(outsideVectors)
        np.add.at(gradOutsideVecs, indices, np.outer(coef, centerWordVec))"""},
    "skipgram_asserts_loss": {"skipgram": """
        assert word2vecLossAndGradient in (naiveSoftmaxLossAndGradient, negSamplingLossAndGradient)
        c = word2Ind[currentCenterWord]
        for word in outsideWords:
            l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[word], outsideVectors, dataset)
            loss += l
            gradCenterVecs[c] += gc
            gradOutsideVectors += go"""},
    "skipgram_overwrite": {"skipgram": """
        c = word2Ind[currentCenterWord]
        for w in outsideWords:
            loss, gc, gradOutsideVectors = word2vecLossAndGradient(
                centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
            gradCenterVecs = np.zeros(centerWordVectors.shape)
            gradCenterVecs[c] = gc"""},
    "skipgram_every_row": {"skipgram": """
        c = word2Ind[currentCenterWord]
        for w in outsideWords:
            l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
            loss += l
            gradCenterVecs += gc
            gradOutsideVectors += go"""},
    "skipgram_outside_row": {"skipgram": """
        c = word2Ind[currentCenterWord]
        for w in outsideWords:
            l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
            loss += l
            gradCenterVecs[word2Ind[w]] += gc
            gradOutsideVectors += go"""},
    "skipgram_ignores_loss": {"skipgram": """
        c = word2Ind[currentCenterWord]
        for w in outsideWords:
            l, gc, go = naiveSoftmaxLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
            loss += l
            gradCenterVecs[c] += gc
            gradOutsideVectors += go"""},
}

# Code that returns zeros, constants or its inputs must score 0: properties such as "the
# gradient check passes" hold for a constant loss, and must not pay out on their own.
VACUOUS = {
    "zeros": {
        "sigmoid": "s = np.zeros_like(x)",
        "naiveSoftmaxLossAndGradient": """
            loss, gradCenterVec, gradOutsideVecs = 0.0, np.zeros_like(centerWordVec), np.zeros_like(outsideVectors)""",
        "negSamplingLossAndGradient": """
            loss, gradCenterVec, gradOutsideVecs = 0.0, np.zeros_like(centerWordVec), np.zeros_like(outsideVectors)""",
        "skipgram": "pass",
    },
    "constants": {
        "sigmoid": "s = 0.5 + 0 * np.asarray(x)",
        "naiveSoftmaxLossAndGradient": """
            loss, gradCenterVec, gradOutsideVecs = 1.0, np.ones_like(centerWordVec), np.ones_like(outsideVectors)""",
        "negSamplingLossAndGradient": """
            loss, gradCenterVec, gradOutsideVecs = 1.0, np.ones_like(centerWordVec), np.ones_like(outsideVectors)""",
        "skipgram": "loss, gradCenterVecs, gradOutsideVectors = 1.0, gradCenterVecs + 1, gradOutsideVectors + 1",
    },
    "inputs": {
        "sigmoid": "s = x",
        "naiveSoftmaxLossAndGradient": """
            loss, gradCenterVec, gradOutsideVecs = float(outsideWordIdx), centerWordVec, outsideVectors""",
        "negSamplingLossAndGradient": """
            loss, gradCenterVec, gradOutsideVecs = float(outsideWordIdx), centerWordVec, outsideVectors""",
        "skipgram": "gradCenterVecs, gradOutsideVectors = centerWordVectors, outsideVectors",
    },
}


def fill(bodies):
    text = STUB
    for function in GOOD:
        marker = f'raise NotImplementedError("{function}: replace this line with your code")'
        line = next(l for l in text.splitlines() if l.strip() == marker)
        indent = line[: len(line) - len(line.lstrip())]
        body = textwrap.dedent(bodies.get(function, GOOD[function])).strip("\n")
        text = text.replace(line, textwrap.indent(body, indent))
    return text


def broken_files():
    """Files that cannot be graded at all, each made from a correct one: {name: bytes}."""
    good = fill({})
    lines = good.splitlines()
    n = next(i for i, line in enumerate(lines)
             if line.strip().startswith("gradCenterVec = outsideVectors.T @ y_hat"))
    lines[n] = lines[n].replace("y_hat", "y_hat)", 1)  # an unmatched bracket
    start, end = good.index("def skipgram("), good.index("#############################################")
    return {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "syntax_error": ("\n".join(lines) + "\n").encode(),
        "missing_module": good.replace("import numpy as np\n", "import numpy as np\nimport torch\n", 1).encode(),
        "missing_function": (good[:start] + good[end:]).encode(),
        "error_on_import": good.replace("import numpy as np\n", "import numpy as np\n\n"
                                        "vocabulary = load_my_vocabulary()\n", 1).encode(),
    }


def whole_file_variants():
    """Correct files with something at the top level that grading must step around."""
    good = fill({})
    return {
        # the sandbox refuses new processes: the line is skipped, the rest graded
        "starts_a_process": good.replace("import numpy as np\n", "import numpy as np\n"
                                         "import subprocess\n\n"
                                         "print(\"printed at import\")\n"
                                         "subprocess.run([\"ls\"])\n", 1),
    }


def main():
    (HERE / "broken").mkdir(exist_ok=True)
    for name, data in broken_files().items():
        (HERE / "broken" / f"{name}.py").write_bytes(data)
    for name, text in whole_file_variants().items():
        (HERE / "correct" / f"{name}.py").write_text(text)
    for folder, table in (("correct", CORRECT), ("buggy", BUGGY), ("vacuous", VACUOUS)):
        (HERE / folder).mkdir(exist_ok=True)
        for name, bodies in table.items():
            (HERE / folder / f"{name}.py").write_text(fill(bodies))
    layout = HERE / "correct" / "course_layout"
    layout.mkdir(exist_ok=True)
    shutil.copytree(ROOT / "exercises" / "utils", layout / "utils", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    extra = ("\n\ndef helper_used_in_my_experiments(x):\n    \"\"\"A student's own helper.\"\"\"\n"
             "    return normalizeRows(np.atleast_2d(x))\n\n\nprint(\"word2vec module loaded\")\n")
    (layout / "word2vec.py").write_text(fill({}).replace("\n\n#####", extra + "\n\n#####", 1))


if __name__ == "__main__":
    main()
