"""CBOW, the optional fifth exercise: off by default (nothing changes), on by the rubric's
switch: the reference gets full marks, the stub 0, and each catalogued CBOW mistake costs
points in cbow only, with the mistake named."""

import pytest

from grader import grading, rubric as rubric_mod
from grader.build import stubs
from grader.paths import REFERENCE_FILE

ON = rubric_mod.DEFAULT_PATH.read_text().replace("cbow = false", "cbow = true")
BODY = """    indices = [word2Ind[word] for word in outsideWords]
    contextVec = centerWordVectors[indices].sum(axis=0)
    loss, gradContext, gradOutsideVectors = word2vecLossAndGradient(
        contextVec, word2Ind[currentCenterWord], outsideVectors, dataset)
    np.add.at(gradCenterVecs, indices, gradContext)
"""
# file -> (its cbow body, the diagnosis that must be named)
BUGGY = {
    "average": (BODY.replace(".sum(axis=0)", ".mean(axis=0)").replace(
        "gradContext)", "gradContext / len(indices))"), "average of the context vectors"),
    "wrong_matrix": (BODY.replace("np.add.at(gradCenterVecs,", "np.add.at(gradOutsideVectors,"),
                     "added to gradOutsideVectors"),
    "overwritten": (BODY.replace("np.add.at(gradCenterVecs, indices, gradContext)",
                                 "gradCenterVecs[indices] += gradContext"), "counted once"),
    "center_row": (BODY.replace("np.add.at(gradCenterVecs, indices, gradContext)",
                                "gradCenterVecs[word2Ind[currentCenterWord]] += gradContext"),
                   "center word's row"),
}


@pytest.fixture(scope="module")
def rubric_on(tmp_path_factory):
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    path.write_text(ON)
    return rubric_mod.load(path)


def scores(report):
    return {f.name: (f.score, f.max_score) for f in report.functions}


def test_off_by_default_the_exercise_is_exactly_as_without_cbow():
    assert "cbow" not in stubs.stub_text() and "OPTIONAL" not in stubs.stub_text()
    assert stubs.stub_text() == stubs.make_stub(stubs.reference_text(rubric_mod.FUNCTIONS))
    assert "def cbow" in stubs.stub_text(functions=rubric_mod.FUNCTIONS + ("cbow",))


def test_reference_scores_full_marks_with_cbow_on(rubric_on):
    report = grading.grade(REFERENCE_FILE, rubric_on)
    assert [f.name for f in report.functions][-1] == "cbow"
    failed = [(c.name, c.feedback) for c in report.checks() if not c.passed]
    assert report.score == report.max_score == rubric_on.max_score(), failed


def test_the_stub_scores_zero_in_cbow(rubric_on, tmp_path):
    stub = tmp_path / "word2vec.py"
    stub.write_text(stubs.stub_text(functions=rubric_on.functions))
    report = grading.grade(stub, rubric_on)
    assert scores(report)["cbow"] == (0, rubric_on.max_score("cbow"))
    assert report.score == 0


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_each_cbow_mistake_costs_points_in_cbow_only(rubric_on, tmp_path, name):
    body, mistake = BUGGY[name]
    text = stubs.reference_text(rubric_on.functions)
    assert BODY in text
    path = tmp_path / "word2vec.py"
    path.write_text(text.replace(BODY, body))
    report = grading.grade(path, rubric_on)
    for fn, (score, maximum) in scores(report).items():
        if fn == "cbow":
            assert score < maximum, report.summary_text()
        else:
            assert score == maximum, f"{name} lost points in {fn}"
    named = [c.mistake for c in report.checks() if c.function == "cbow" and c.mistake]
    assert any(mistake in m for m in named), named


def test_in_the_release_cbow_is_graded_by_public_cases(rubric_on, tmp_path, monkeypatch):
    """With CBOW on, the student release's grader (public mode, no reference) gives the
    reference full marks in cbow and the average mistake less."""
    from grader.build import public_cases, release
    from grader.checks import public
    cases = tmp_path / "public_cases.json"
    public_cases.build(cases, rubric_on.functions)
    monkeypatch.setattr(public, "CASES_FILE", cases)
    public.cases.cache_clear()
    try:
        path = tmp_path / "rubric.toml"
        path.write_text(release.public_rubric(ON))
        rubric = rubric_mod.load(path)
        assert rubric.mode == "public" and "cbow" in rubric.functions
        report = grading.grade(REFERENCE_FILE, rubric)
        assert scores(report)["cbow"] == (rubric.max_score("cbow"),) * 2, report.summary_text()
        body, _ = BUGGY["average"]
        wrong = tmp_path / "word2vec.py"
        wrong.write_text(stubs.reference_text(rubric.functions).replace(BODY, body))
        got, maximum = scores(grading.grade(wrong, rubric))["cbow"]
        assert got < maximum
    finally:
        public.cases.cache_clear()


def test_with_cbow_on_the_notebook_has_its_section_and_check_cell():
    import json
    from grader.build import notebook
    on = rubric_mod.FUNCTIONS + ("cbow",)
    cells = {c["id"] for c in json.loads(notebook.build_text(stubs.reference_text(on)))["cells"]}
    assert {"cbow-math", "cbow-code", "check-cbow"} <= cells
    off = {c["id"] for c in json.loads(notebook.build_text())["cells"]}
    assert not any("cbow" in c for c in off)
