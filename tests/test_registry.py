"""The registry declares each exercise function once; the rubric is checked against it, and
the release ships only an allow-list of modules."""

import ast
import re

import pytest

from grader import registry, rubric as rubric_mod
from grader.build import release
from grader.paths import KIT_ROOT

KIT_RUBRIC = rubric_mod.DEFAULT_PATH.read_text()


def _load(text):
    return rubric_mod.load_text(text, "test.toml")


def test_the_kit_rubric_loads_with_the_default_functions():
    rubric = _load(KIT_RUBRIC)
    assert rubric.functions == registry.enabled() == rubric_mod.FUNCTIONS
    assert "cbow" not in rubric.functions and rubric.max_score() == 100


def test_a_rubric_naming_an_unknown_check_is_refused():
    text = KIT_RUBRIC.replace("[skipgram]\n", "[skipgram]\nleftover_check = { points = 4 }\n")
    with pytest.raises(rubric_mod.RubricError, match=r"\[skipgram\] leftover_check: no such check"):
        _load(text)


def test_a_rubric_missing_a_check_is_refused():
    text = re.sub(r"\nonly_center_row = .*\n", "\n", KIT_RUBRIC)
    with pytest.raises(rubric_mod.RubricError, match="has no entry for its check 'only_center_row'"):
        _load(text)


def test_a_misspelt_key_is_one_clear_error_not_a_type_error():
    text = KIT_RUBRIC.replace("large_inputs = { points = 2 }", "large_inputs = { point = 2 }")
    with pytest.raises(rubric_mod.RubricError) as caught:
        _load(text)
    assert "[sigmoid] large_inputs: unknown key 'point'" in str(caught.value)
    assert "points must be a number" in str(caught.value)


def test_every_problem_is_listed_once():
    text = (KIT_RUBRIC.replace("[skipgram]", "[skipgrm]")
            .replace("seed = 224", "sed = 224")
            .replace('visibility: Gradescope', 'x'))
    with pytest.raises(rubric_mod.RubricError) as caught:
        _load(text)
    lines = str(caught.value).split(": ", 1)[1].split("; ")
    assert any("unknown section or key 'skipgrm'" in line for line in lines), lines
    assert any("no [skipgram] section" in line for line in lines), lines
    assert any("[cases] has no setting 'sed'" in line for line in lines), lines
    assert len(lines) == 3, lines


def test_an_optional_exercise_switched_on_needs_its_checks():
    text = KIT_RUBRIC.replace("cbow = false", "cbow = true")
    rubric = _load(text)
    assert rubric.functions[-1] == "cbow" and rubric.max_score() > 100
    without = re.sub(r"\n\[cbow\]\n(.*\n)*", "\n", text)
    with pytest.raises(rubric_mod.RubricError, match=r"no \[cbow\] section"):
        _load(without)


def test_every_function_has_a_short_label_and_outputs():
    for entry in registry.FUNCTIONS:
        assert entry.short and entry.outputs and entry.signature.startswith("(")


# -- the release's allow-list ----------------------------------------------------------------
def _hidden_material(path):
    """True for a module holding a mistake catalogue or comparing with the reference."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MISTAKES" for t in node.targets):
            if not (isinstance(node.value, ast.List) and not node.value.elts):
                return True
        if isinstance(node, ast.ImportFrom) and node.module == "grader" and \
                any(a.name == "reference" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module in ("grader.reference", "grader.build"):
            return True
    return False


def test_no_module_holding_hidden_checks_or_mistakes_ships():
    hidden = {p.relative_to(KIT_ROOT / "grader").as_posix()
              for p in (KIT_ROOT / "grader").rglob("*.py") if _hidden_material(p)}
    # the scan itself must find the modules the registry calls hidden
    assert {m.split(".", 1)[1].replace(".", "/") + ".py" for m in registry.hidden_modules()} <= hidden
    for functions in (registry.enabled(), registry.NAMES):
        leaked = hidden & set(release.shipped_modules(functions))
        assert not leaked, leaked


def test_a_module_not_on_the_allow_list_is_a_leak(tmp_path):
    grader = tmp_path / "grader" / "checks"
    grader.mkdir(parents=True)
    (grader / "framework.py").write_text("x = 1\n")
    (grader / "new_exercise.py").write_text("MISTAKES = []\n")
    found = release.leaks(tmp_path)
    assert found == ["grader/checks/new_exercise.py: grader module not on the release's allow-list"]


def test_public_rubric_drops_an_optional_exercise_that_is_off():
    public = release.public_rubric(KIT_RUBRIC)
    assert "[cbow]" not in public and "[exercises]" not in public
    on = release.public_rubric(KIT_RUBRIC.replace("cbow = false", "cbow = true"))
    assert "[cbow]" in on and "cbow = true" in on
    assert rubric_mod.load_text(on).functions[-1] == "cbow"


# -- failure kinds ---------------------------------------------------------------------------
def test_every_failure_kind_the_grader_raises_is_in_the_policy_table():
    """A kind written anywhere in grader/ (Failure(kind=...), WorkerFailure("...", ...),
    launch.describe_exit's answers) has a row in grader.checks.failures.POLICY."""
    from grader.checks import failures
    known = {k.value for k in failures.POLICY}
    assert known == {k.value for k in failures.Kind}
    used = set()
    for path in (KIT_ROOT / "grader").rglob("*.py"):
        text = path.read_text()
        used |= set(re.findall(r"kind=\"(\w+)\"", text))
        used |= set(re.findall(r"WorkerFailure\(\"(\w+)\"", text))
        used |= set(re.findall(r"return \"(crashed|exited)\", ", text))
        used |= set(re.findall(r"\.kind (?:==|!=) \"(\w+)\"", text))
    used -= {"py", "ipynb", "stable"}   # a file format (Submission), a sort (numpy): no failures
    assert used and used <= known, used - known


def test_policy_sets_are_the_ones_grading_acted_on():
    from grader.checks import failures
    assert failures.EARLY < failures.SKIP <= failures.STOP
    assert failures.GONE <= failures.STOP and "memory_limit" not in failures.STOP


def test_every_module_the_shipped_ones_import_ships_too():
    """The allow-list is closed under imports: the release's grader never needs a module it
    does not have (with CBOW off and on)."""
    for functions in (registry.enabled(), registry.NAMES):
        shipped = set(release.shipped_modules(functions))
        for rel in shipped:
            tree = ast.parse((KIT_ROOT / "grader" / rel).read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grader"):
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names if a.name.startswith("grader")]
                for name in names:
                    parts = name.split(".")[1:]
                    if not parts:
                        continue
                    candidates = ["/".join(parts) + ".py", "/".join(parts + ["__init__.py"])]
                    if any((KIT_ROOT / "grader" / c).is_file() for c in candidates):
                        # a deferred import in a function the release never calls is allowed
                        # only for the build tools and the batch (instructor side)
                        if parts[0] in ("build", "batch", "reference"):
                            continue
                        assert any(c in shipped for c in candidates), (rel, name)


# -- the worker protocol ---------------------------------------------------------------------
def _literal_keys(tree, marker):
    """String keys of dict literals that have `marker` among their keys."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if marker in keys:
                yield from keys


def _read_keys(tree, names):
    """Keys read as NAME["k"] or NAME.get("k") for variables called one of `names`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) in names \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            yield node.slice.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and getattr(node.func.value, "id", None) in names \
                and node.args and isinstance(node.args[0], ast.Constant):
            yield node.args[0].value


def test_every_request_and_answer_key_is_declared_in_the_protocol():
    from grader.worker import protocol
    requests, answers = set(), set()
    for path in (KIT_ROOT / "grader").rglob("*.py"):
        if {"batch", "build"} & set(path.relative_to(KIT_ROOT / "grader").parts):
            continue
        tree = ast.parse(path.read_text())
        requests |= set(_literal_keys(tree, "op"))
        answers |= set(_literal_keys(tree, "ok"))
        requests |= set(_read_keys(tree, {"request", "base"}))
        answers |= set(_read_keys(tree, {"answer", "loaded", "result", "response", "call"}))
    assert "samples" in requests and "loss_calls" in answers   # the scan sees them
    assert requests <= protocol.REQUEST_KEYS, requests - protocol.REQUEST_KEYS
    assert answers <= protocol.ANSWER_KEYS | {"error"}, answers - protocol.ANSWER_KEYS


def test_the_worker_handles_exactly_the_declared_ops():
    from grader.worker import protocol
    main = (KIT_ROOT / "grader" / "worker" / "main.py").read_text()
    handlers = re.search(r"handlers = \{(.*?)\}", main, re.S).group(1)
    assert set(re.findall(r"\"(\w+)\": ", handlers)) - {"ok"} == set(protocol.OPS)
