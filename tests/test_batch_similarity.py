"""Similarity flags: copies survive renaming and reformatting; starter code, short bodies and
the class's common solution are not evidence."""

import re

from grader.batch import similarity

import batch_helpers  # noqa: F401  (puts tests/corpus on sys.path)
import build_class
import build_corpus

STUB = build_corpus.STUB  # generated: exercises/word2vec.py may be a student's work


def solution(**bodies):
    return build_corpus.fill(bodies)


def test_normalising_ignores_names_comments_docstrings_and_layout():
    a = "def skipgram(a, b):\n    '''doc'''\n    total = a + b  # sum\n\n    return total\n"
    b = "def skipgram(x, y):\n    s = (x +\n         y)\n    return s\n"
    lines = [similarity.functions_in(s)["skipgram"][1] for s in (a, b)]
    assert lines[0] == lines[1]
    c = "def skipgram(x, y):\n    s = x - y\n    return s\n"
    assert similarity.functions_in(c)["skipgram"][1] != lines[0]


def test_a_renamed_copy_is_flagged_and_unrelated_solutions_are_not():
    original = solution(**build_class.EXPLICIT)
    sources = {"orig": original, "copy": build_class.renamed_copy(original),
               "vectorised": solution(), "loops": solution(**build_corpus.CORRECT["loops"]),
               "unique": solution(**build_corpus.CORRECT["unique_counts"])}
    # vectorised, loops and unique share the corpus's usual bodies for some functions: in a
    # class of five, three alike is the common solution (common_limit=2), not copying.
    pairs = similarity.find_pairs(sources, common_limit=2)
    assert [(p.a, p.b) for p in pairs] == [("copy", "orig")]
    assert {fn for fn, _ in pairs[0].functions} == {"naiveSoftmaxLossAndGradient",
                                                     "negSamplingLossAndGradient"}


def test_starter_code_is_not_evidence():
    sources = {name: STUB for name in ("a", "b")}
    assert similarity.find_pairs(sources) == []
    # The provided first lines of negSamplingLossAndGradient do not make two bodies alike.
    lines = similarity.functions_in(STUB)["negSamplingLossAndGradient"][1]
    starter = similarity.starter_lines()["negSamplingLossAndGradient"]
    assert similarity.tokens(lines, starter) == tuple(similarity.TOKEN.findall(
        "\n".join(l for l in lines if l not in starter)))


def test_the_common_solution_is_not_evidence_but_a_rare_one_is():
    loops = solution(**build_corpus.CORRECT["loops"])
    assert similarity.find_pairs({"a": loops, "b": loops}, common_limit=3)
    crowd = {str(i): loops for i in range(4)}
    assert similarity.find_pairs(crowd, common_limit=3) == []


def test_near_identical_counts_but_different_does_not():
    base = solution(**build_corpus.CORRECT["loops"])
    tweaked = base.replace("loss -= np.log(s_k)", "loss = loss - np.log(s_k)")
    assert tweaked != base
    pair = similarity.find_pairs({"a": base, "b": tweaked}, common_limit=3)[0]
    ratios = dict(pair.functions)
    assert similarity.THRESHOLD <= ratios["negSamplingLossAndGradient"] < 1
    different = re.sub(r"for k in negSampleWordIndices:.*?(?=\n\n|\n    ###)",
                       "pass", base, flags=re.S)
    assert "negSamplingLossAndGradient" not in dict(
        p for pr in similarity.find_pairs({"a": base, "b": different}, common_limit=3)
        for p in pr.functions)


def test_notebooks_are_read_from_their_code_cells(tmp_path):
    import json
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["# hi"]},
        {"cell_type": "code", "source": ["def sigmoid(x):\n", "    return x\n"]},
        {"cell_type": "code", "source": "%matplotlib inline"}]}))
    assert "def sigmoid" in similarity.source_of(path)
    assert "matplotlib" not in similarity.source_of(path)
