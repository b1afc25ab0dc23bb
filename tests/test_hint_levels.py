"""Hint levels of the handout: `derive` (default) poses the gradients as questions, `guided`
gives the formulas and numpy one-liners. Stubs, notebook and "How to fix it" follow the level."""

import ast
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from grader import rubric as rubric_mod
from grader.build import notebook, stubs
from grader.checks import naive_softmax, neg_sampling
from grader.checks.framework import feedback, Failure
from grader.paths import REFERENCE_FILE

REFERENCE = REFERENCE_FILE.read_text()
# The finished expressions the guided text teaches (text and LaTeX), beyond the solution's code
ONE_LINERS = ["outsideVectors.T @ (y_hat - y)", "np.outer(y_hat - y, v_c)", "outer(y_hat - y, v_c)",
              "np.add.at", "U (y_hat - y)", r"U(\hat y - y)", r"(\hat y_w - y_w)\, v_c",
              "(sigma(u_o . v_c) - 1) v_c", r"(\sigma(u_o^\top v_c) - 1)"]


def _squash(text):
    return re.sub(r"\s+", "", text)


def solution_expressions():
    """Every statement of the reference's solution blocks, and the right-hand side of each
    assignment, as code without spaces (comments dropped); short ones (`c`, `v_c`) left out."""
    found = set()
    for _, _, _, body in stubs.solution_blocks(REFERENCE):
        code = "\n".join(line.split("#")[0] for line in body)
        import textwrap
        for node in ast.walk(ast.parse(textwrap.dedent(code))):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                found.add(ast.unparse(node.value))
            if isinstance(node, ast.stmt) and not isinstance(node, ast.For):
                found.add(ast.unparse(node))
    return {_squash(e) for e in found if len(_squash(e)) >= 12}


def handout(level):
    """What students receive at `level`: the stub and every cell of the notebook."""
    nb = json.loads(notebook.build_text(hints=level))
    cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
             for c in nb["cells"]]
    return {"word2vec.py": stubs.stub_text(level), "word2vec.ipynb": "\n".join(cells)}


def leaks(level):
    wanted = solution_expressions() | {_squash(e) for e in ONE_LINERS}
    return sorted((name, e) for name, text in handout(level).items()
                  for e in wanted if e in _squash(text))


def test_derive_gives_away_no_solution_expression():
    assert solution_expressions(), "no solution expressions found: the test would prove nothing"
    assert leaks("derive") == []


def test_guided_does_give_them_and_the_test_sees_it():
    found = {e for _, e in leaks("guided")}
    assert _squash("np.add.at") in found and _squash("np.outer(y_hat - y, v_c)") in found


def test_derive_poses_questions_with_a_numeric_self_check():
    for text in handout("derive").values():
        assert "Self-check" in text and "1.3133" in text and "0.5379" in text
        assert "### BEGIN" not in text.replace("### BEGIN SOLUTION", "")  # no level markers
    assert "Traps" not in handout("derive")["word2vec.ipynb"]


def test_the_rubric_sets_the_level_and_derive_is_the_default(tmp_path):
    assert rubric_mod.load().hints == "derive"
    assert stubs.stub_text() == stubs.stub_text("derive")
    text = (ROOT / "grader" / "rubric.toml").read_text()
    bad = tmp_path / "r.toml"
    bad.write_text(text.replace('hints = "derive"', 'hints = "spoon-fed"'))
    with pytest.raises(rubric_mod.RubricError, match="hints"):
        rubric_mod.load(bad)
    with pytest.raises(stubs.MarkerError):
        stubs.stub_text("spoon-fed")


def test_make_exercises_builds_either_level(tmp_path):
    """`python -m grader.build.stubs --hints guided` (what make exercises HINTS=guided runs)."""
    for level in rubric_mod.HINT_LEVELS:
        out = subprocess.run([sys.executable, "-c",
                              "import sys; from grader.build import stubs, notebook;"
                              f"print(stubs.stub_text(stubs.hints_arg(['--hints', '{level}'])))"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == stubs.stub_text(level).strip()
    assert stubs.stub_text("derive") != stubs.stub_text("guided")


def test_unbalanced_level_markers_are_refused():
    with pytest.raises(stubs.MarkerError):
        stubs.select_level("a\n    ### BEGIN GUIDED\nb\n", "derive")
    with pytest.raises(stubs.MarkerError):
        stubs.select_level("a\n    ### END DERIVE\n", "derive")


class _Problem:
    def describe(self):
        return ["x = 1"]


@pytest.mark.parametrize("mistake", [m for m in naive_softmax.MISTAKES + neg_sampling.MISTAKES
                                     if m.derive])
def test_fix_texts_follow_the_level(mistake):
    failure = Failure("wrong")
    derive = feedback(_Problem(), failure, mistake, hints="derive")
    guided = feedback(_Problem(), failure, mistake, hints="guided")
    assert mistake.fix in guided and mistake.fix not in derive
    for one_liner in ONE_LINERS:
        assert _squash(one_liner) not in _squash(derive)
