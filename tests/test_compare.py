"""Judging one output: shape tolerance, named shapes, non-finite values, the worst entry."""

import numpy as np

from grader.checks.compare import compare, matches


def test_equal_values_pass():
    assert compare(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), "g").ok


def test_singleton_dimensions_are_accepted_with_a_note():
    verdict = compare(np.array([[1.0, 2.0]]), np.array([1.0, 2.0]), "gradCenterVec")
    assert verdict.ok and "accepted" in verdict.note and "(1, 2)" in verdict.note
    assert compare(np.array([3.0]), 3.0, "loss").ok


def test_other_shapes_are_wrong_and_named():
    verdict = compare(np.zeros((3, 2)), np.zeros((2, 3)), "gradOutsideVecs")
    assert not verdict.ok and "expected (2, 3), got (3, 2)" in verdict.message


def test_wrong_values_name_the_worst_entry():
    verdict = compare(np.array([[0.0, 1.0], [5.0, 0.0]]), np.zeros((2, 2)), "g")
    assert not verdict.ok and "largest difference at index (1, 0)" in verdict.message


def test_nan_is_called_out():
    verdict = compare(np.array([np.nan, 1.0]), np.array([0.5, 1.0]), "loss")
    assert not verdict.ok and "contains nan" in verdict.message and "index (0,)" in verdict.message


def test_non_numeric_results_are_described():
    verdict = compare(None, np.zeros(2), "gradCenterVec")
    assert not verdict.ok and "returned None" in verdict.message


def test_matches_does_not_reshape_across_transposes():
    a = np.arange(6.0).reshape(2, 3)
    assert not matches(a.T, a)
    assert matches(a, a)


def test_a_mismatch_is_written_out_only_when_read(monkeypatch):
    """A search meets hundreds of failing inputs and shows one: writing out arrays cost more
    than comparing them, so a mismatch's message is written when first read, and once."""
    from grader.checks import compare as compare_mod
    from grader.checks.framework import Failure
    written = []
    fmt = compare_mod.fmt
    monkeypatch.setattr(compare_mod, "fmt", lambda value, *a: written.append(1) or fmt(value, *a))
    verdict = compare_mod.compare(np.array([1.0, 2.0]), np.array([1.0, 3.0]), "loss")
    assert not verdict.ok and verdict.kind == "value" and not written
    failure = Failure(lambda: verdict.message)
    assert str(failure) == failure.message == verdict.message
    assert "expected: [1., 3.]" in failure.message and len(written) == 4
