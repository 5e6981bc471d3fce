"""grader/grading/diagnosis.py: matching failing checks with what the mutants returned."""

from __future__ import annotations

from grader.engine.results import CheckResult, ExerciseResult, Status
from grader.grading.diagnosis import CheckSignature, MutantSignature, Signatures, from_mutants, same_failure


def _sig(kind: str = "wrong_values", got: list | None = None, text: str = "") -> CheckSignature:
    return CheckSignature(kind, [len(got)] if got else None, got, 1e-4, 1e-5, text)


def _check(name: str, got: list, kind: str = "wrong_values") -> CheckResult:
    d = {"samples": {"shape": [len(got)], "got": got, "expected": []}, "rtol": 1e-4, "atol": 1e-5}
    return CheckResult(name=name, title=name, status=Status.FAILED, kind=kind, details=d)


SIGS = Signatures(
    "lesson7.x",
    "k",
    [
        MutantSignature("sums", "sums the losses", "look at the reduction", "ce-mean", {"a": _sig(got=[61.77, 5.0])}),
        MutantSignature("flips", "flips the sign", None, None, {"a": _sig(got=[-3.86, 1.0]), "b": _sig(got=[2.0])}),
    ],
)


def test_same_values_within_tolerance_are_the_same_failure() -> None:
    assert same_failure(_sig(got=[1.0, 2.0]), _sig(got=[1.00001, 2.0])) is True
    assert same_failure(_sig(got=[1.0, 2.0]), _sig(got=[1.1, 2.0])) is False
    assert same_failure(_sig(got=["nan"]), _sig(got=["nan"])) is True
    assert same_failure(_sig("exception", text="raised X"), _sig("exception", text="raised X")) is True
    assert same_failure(_sig("exception", text="raised X"), _sig("nan_inf", text="raised X")) is False


def test_a_learner_failing_like_a_mutant_gets_its_name_hint_and_card() -> None:
    res = ExerciseResult("lesson7.x", "x", Status.FAILED, 0, 10, [_check("a", [61.7705, 5.0])])
    [d] = from_mutants(res, SIGS, "lesson7")
    assert (d.id, d.hint, d.card, d.checks) == ("mutant:sums", "look at the reduction", "lesson7/ce-mean", ["a"])


def test_different_values_or_too_little_overlap_name_nothing() -> None:
    other = ExerciseResult("lesson7.x", "x", Status.FAILED, 0, 10, [_check("a", [7.0, 5.0])])
    assert from_mutants(other, SIGS, "lesson7") == []
    # flips fails a and b; a learner who reproduces only half of it is not named for it.
    half = ExerciseResult("lesson7.x", "x", Status.FAILED, 0, 10, [_check("b", [2.0])])
    assert from_mutants(half, SIGS, "lesson7") == []


def test_passing_code_and_missing_signatures_name_nothing() -> None:
    ok = ExerciseResult("lesson7.x", "x", Status.PASSED, 10, 10, [CheckResult("a", "a", Status.PASSED)])
    assert from_mutants(ok, SIGS, "lesson7") == []
    assert from_mutants(ExerciseResult("x", "x", Status.FAILED, 0, 10, [_check("a", [61.77, 5.0])]), None, "l") == []
