"""Submissions by independent authors and by copiers, for the similarity tests (our own files).

Independent authors write the exercise the usual ways (one-line sigmoids, the standard
skip-gram loop, the handout's softmax formulas) with their own names, comments and layout;
no pair of them may be flagged. A copier takes an author's file, renames identifiers, rewrites
comments, reorders functions and rewrites one function; that pair must be flagged.
"""

import json
import re

import batch_helpers  # noqa: F401  (puts tests/corpus on sys.path)
import build_corpus

# Each author: {function: body}, written as that student would (the 2017 and 2020 editions'
# habits included). Bodies replace the stub's `raise NotImplementedError(...)` line.
AUTHORS = {
    "ada_2017": {
        "sigmoid": "s = np.exp(x) / (np.exp(x) + 1)",
        "naiveSoftmaxLossAndGradient": """
            y_hat = softmax(np.dot(outsideVectors, centerWordVec))
            loss = -np.log(y_hat[outsideWordIdx])
            y_hat[outsideWordIdx] -= 1
            gradCenterVec = np.dot(outsideVectors.T, y_hat)
            gradOutsideVecs = np.outer(y_hat, centerWordVec)""",
        "negSamplingLossAndGradient": """
            gradCenterVec = np.zeros(centerWordVec.shape)
            gradOutsideVecs = np.zeros(outsideVectors.shape)
            z = sigmoid(np.dot(outsideVectors[outsideWordIdx], centerWordVec))
            loss = -np.log(z)
            gradCenterVec += (z - 1.0) * outsideVectors[outsideWordIdx]
            gradOutsideVecs[outsideWordIdx] += (z - 1.0) * centerWordVec
            for k in range(K):
                samp = indices[k + 1]
                z = sigmoid(np.dot(outsideVectors[samp], centerWordVec))
                loss -= np.log(1.0 - z)
                gradCenterVec += z * outsideVectors[samp]
                gradOutsideVecs[samp] += z * centerWordVec""",
        "skipgram": """
            cword_idx = word2Ind[currentCenterWord]
            v_hat = centerWordVectors[cword_idx]
            for j in outsideWords:
                u_idx = word2Ind[j]
                c_cost, c_grad_in, c_grad_out = word2vecLossAndGradient(v_hat, u_idx, outsideVectors, dataset)
                loss += c_cost
                gradCenterVecs[cword_idx] += c_grad_in
                gradOutsideVectors += c_grad_out""",
    },
    "grace_2020": {
        "sigmoid": "s = np.exp(x) / (np.exp(x) + 1)",
        "naiveSoftmaxLossAndGradient": """
            # probabilities of every word being the outside word
            y_hat = softmax(outsideVectors @ centerWordVec)
            loss = -np.log(y_hat[outsideWordIdx])
            y = np.zeros(outsideVectors.shape[0])
            y[outsideWordIdx] = 1
            gradCenterVec = outsideVectors.T @ (y_hat - y)
            gradOutsideVecs = np.outer(y_hat - y, centerWordVec)""",
        "negSamplingLossAndGradient": """
            u_o = outsideVectors[outsideWordIdx]
            u_k = outsideVectors[negSampleWordIndices]
            s_o = sigmoid(u_o @ centerWordVec)
            s_k = sigmoid(-u_k @ centerWordVec)
            loss = -np.log(s_o) - np.sum(np.log(s_k))
            gradCenterVec = (s_o - 1) * u_o + (1 - s_k) @ u_k
            gradOutsideVecs = np.zeros(outsideVectors.shape)
            gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
            for i, k in enumerate(negSampleWordIndices):
                gradOutsideVecs[k] += (1 - s_k[i]) * centerWordVec""",
        "skipgram": """
            centerIdx = word2Ind[currentCenterWord]
            centerVec = centerWordVectors[centerIdx]
            for word in outsideWords:
                idx = word2Ind[word]
                l, gc, go = word2vecLossAndGradient(centerVec, idx, outsideVectors, dataset)
                loss += l
                gradCenterVecs[centerIdx] += gc
                gradOutsideVectors += go""",
    },
    "alan_2019": {
        "sigmoid": "s = 1.0 / (1.0 + np.exp(-x))",
        "naiveSoftmaxLossAndGradient": """
            scores = np.dot(outsideVectors, centerWordVec)
            probs = softmax(scores)
            loss = -np.log(probs[outsideWordIdx])
            probs[outsideWordIdx] -= 1
            gradCenterVec = np.dot(probs, outsideVectors)
            gradOutsideVecs = np.outer(probs, centerWordVec)""",
        "negSamplingLossAndGradient": """
            uo = outsideVectors[outsideWordIdx]
            sig_o = sigmoid(np.dot(uo, centerWordVec))
            loss = -np.log(sig_o)
            gradCenterVec = (sig_o - 1) * uo
            gradOutsideVecs = np.zeros(outsideVectors.shape)
            gradOutsideVecs[outsideWordIdx] += (sig_o - 1) * centerWordVec
            for k in negSampleWordIndices:
                uk = outsideVectors[k]
                sig_k = sigmoid(-np.dot(uk, centerWordVec))
                loss -= np.log(sig_k)
                gradCenterVec += (1 - sig_k) * uk
                gradOutsideVecs[k] += (1 - sig_k) * centerWordVec""",
        "skipgram": """
            c = word2Ind[currentCenterWord]
            for w in outsideWords:
                l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
                loss += l
                gradCenterVecs[c] += gc
                gradOutsideVectors += go""",
    },
    "edsger_2021": {
        "sigmoid": "s = 1 / (1 + np.exp(-x))",
        "naiveSoftmaxLossAndGradient": """
            y_hat = softmax(centerWordVec @ outsideVectors.T)
            loss = -np.log(y_hat[outsideWordIdx])
            y_hat[outsideWordIdx] -= 1
            gradCenterVec = y_hat @ outsideVectors
            gradOutsideVecs = y_hat[:, None] * centerWordVec[None, :]""",
        "negSamplingLossAndGradient": build_corpus.GOOD["negSamplingLossAndGradient"],
        "skipgram": """
            center = word2Ind[currentCenterWord]
            for o in outsideWords:
                out = word2vecLossAndGradient(centerWordVectors[center], word2Ind[o], outsideVectors, dataset)
                loss = loss + out[0]
                gradCenterVecs[center] = gradCenterVecs[center] + out[1]
                gradOutsideVectors = gradOutsideVectors + out[2]""",
    },
    "barbara_2022": {
        "sigmoid": "s = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))",
        "naiveSoftmaxLossAndGradient": """
            y_hat = softmax(outsideVectors @ centerWordVec)
            loss = -np.log(y_hat[outsideWordIdx])
            delta = y_hat.copy()
            delta[outsideWordIdx] -= 1
            gradCenterVec = outsideVectors.T @ delta
            gradOutsideVecs = np.outer(delta, centerWordVec)""",
        "negSamplingLossAndGradient": """
            u_o = outsideVectors[outsideWordIdx]
            u_k = outsideVectors[negSampleWordIndices]
            s_o = sigmoid(u_o.dot(centerWordVec))
            s_k = sigmoid(-u_k.dot(centerWordVec))
            loss = -np.log(s_o) - np.sum(np.log(s_k))
            gradCenterVec = (s_o - 1) * u_o + np.dot(1 - s_k, u_k)
            gradOutsideVecs = np.zeros_like(outsideVectors)
            gradOutsideVecs[outsideWordIdx] = (s_o - 1) * centerWordVec
            np.add.at(gradOutsideVecs, negSampleWordIndices, np.outer(1 - s_k, centerWordVec))""",
        "skipgram": """
            idx = word2Ind[currentCenterWord]
            vc = centerWordVectors[idx]
            for w in outsideWords:
                l, gc, go = word2vecLossAndGradient(vc, word2Ind[w], outsideVectors, dataset)
                loss += l
                gradCenterVecs[idx, :] += gc
                gradOutsideVectors += go""",
    },
}

# An author whose code is their own (a log-sum-exp loss, one matrix of signed scores): the
# kind of file a copier starts from.
DISTINCT = {
    "sigmoid": "s = np.exp(-np.logaddexp(0, -x))",
    "naiveSoftmaxLossAndGradient": """
        theta = outsideVectors @ centerWordVec
        top = theta.max()
        log_norm = top + np.log(np.exp(theta - top).sum())
        loss = log_norm - theta[outsideWordIdx]
        err = np.exp(theta - log_norm)
        err[outsideWordIdx] -= 1.0
        gradCenterVec = outsideVectors.T @ err
        gradOutsideVecs = np.einsum("i,j->ij", err, centerWordVec)""",
    "negSamplingLossAndGradient": """
        rows = outsideVectors[indices]
        sign = np.ones(len(indices))
        sign[1:] = -1.0
        margin = sign * (rows @ centerWordVec)
        loss = np.logaddexp(0.0, -margin).sum()
        pull = -sign * sigmoid(-margin)
        gradCenterVec = pull @ rows
        gradOutsideVecs = np.zeros_like(outsideVectors)
        np.add.at(gradOutsideVecs, indices, pull[:, None] * centerWordVec[None, :])""",
    "skipgram": """
        c = word2Ind[currentCenterWord]
        results = [word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
                   for w in outsideWords]
        for part_loss, part_center, part_outside in results:
            loss += part_loss
            gradCenterVecs[c] += part_center
            gradOutsideVectors += part_outside""",
}
COPIER_RENAMES = {"theta": "z", "top": "m", "log_norm": "lse", "err": "d", "rows": "U_sel",
                  "sign": "sgn", "margin": "t", "pull": "coef", "results": "outs",
                  "part_loss": "a", "part_center": "b", "part_outside": "c"}
REWRITTEN_SKIPGRAM = """
        ci = word2Ind[currentCenterWord]
        for w in outsideWords:
            l, gc, go = word2vecLossAndGradient(centerWordVectors[ci], word2Ind[w], outsideVectors, dataset)
            loss += l
            gradCenterVecs[ci] += gc
            gradOutsideVectors += go"""


def file_of(bodies):
    """The exercise file with these bodies (the others still raise)."""
    return build_corpus.fill(bodies)


def renamed_copy(bodies):
    """A copier's version: names and comments changed, functions reordered, skipgram rewritten."""
    mine = dict(bodies, skipgram=REWRITTEN_SKIPGRAM)
    source = file_of(mine)
    for old, new in COPIER_RENAMES.items():
        source = re.sub(rf"\b{old}\b", new, source)
    source = source.replace("### YOUR CODE HERE", "# my own work, done on my own")
    return _swap_functions(source, "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient")


def _swap_functions(source, first, second):
    """Move `second` (with everything up to the next def) in front of `first`."""
    start_1 = source.index(f"def {first}(")
    start_2 = source.index(f"def {second}(")
    end_2 = source.index("\ndef ", start_2 + 1) + 1
    block = source[start_2:end_2]
    without = source[:start_2] + source[end_2:]
    return without[:start_1] + block + "\n\n" + without[start_1:]


def as_notebook(source):
    """The same code as a notebook: one cell per top-level block, markdown between."""
    blocks = re.split(r"\n(?=def |if __name__)", source)
    cells = []
    for block in blocks:
        cells.append({"cell_type": "markdown", "metadata": {}, "source": ["## Next part\n"]})
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                      "source": block.splitlines(True)})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
