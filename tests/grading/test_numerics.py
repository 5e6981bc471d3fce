"""grader/grading/numerics.py: what the numbers of failing checks say (no processes, no torch)."""

from __future__ import annotations

from grader.engine.results import CheckResult, ExerciseResult, Status
from grader.grading.numerics import diagnose, input_sizes, speed_advice


def _fail(name: str, got: list, expected: list, call: str = "f(float32[16, 7] cpu)", kind: str = "wrong_values",
          **details) -> CheckResult:  # fmt: skip
    d = {"samples": {"shape": [len(got)], "got": got, "expected": expected}, "rtol": 1e-4, "atol": 1e-5, **details}
    return CheckResult(name=name, title=name, status=Status.FAILED, kind=kind, call=call, details=d)


def _ok(name: str) -> CheckResult:
    return CheckResult(name=name, title=name, status=Status.PASSED)


def _res(*checks: CheckResult) -> ExerciseResult:
    return ExerciseResult("lesson7.x", "x", Status.FAILED, 0.0, 10.0, list(checks))


def test_input_sizes_come_from_the_described_call() -> None:
    assert input_sizes("ce(float32[16, 7] cpu, int64[16] cpu, 'mean')") == [(0, 0, 16), (0, 1, 7), (1, 0, 16)]
    assert input_sizes(None) == []


def test_a_factor_equal_to_the_batch_size_is_named() -> None:
    [d] = diagnose(_res(_fail("t[mean]", [61.77], [3.861]), _ok("t[sum]")))
    assert d.id == "generic:factor" and d.description.startswith("16× too large") and "batch" in d.description


def test_a_mean_where_a_sum_belongs() -> None:
    [d] = diagnose(_res(_fail("t", [0.25, 0.5], [4.0, 8.0])))
    assert d.description.startswith("16× too small")


def test_the_negative_and_a_constant_offset() -> None:
    assert diagnose(_res(_fail("t", [-1.0, 2.0, -3.5], [1.0, -2.0, 3.5])))[0].id == "generic:negative"
    assert diagnose(_res(_fail("t", [1.5, 2.5, 4.0], [1.0, 2.0, 3.5])))[0].id == "generic:offset"


def test_the_transpose_needs_the_full_matrices() -> None:
    c = _fail("t", [1.0], [2.0])
    c.details.update(got=[[1.0, 3.0], [2.0, 4.0]], expected=[[1.0, 2.0], [3.0, 4.0]])
    assert diagnose(_res(c))[0].id == "generic:transpose"


def test_right_values_in_the_wrong_shape() -> None:
    c = CheckResult(
        name="t", title="t", status=Status.FAILED, kind="wrong_shape",
        details={"got_shape": [16], "expected_shape": [16, 1], "same_values": True},
    )  # fmt: skip
    [d] = diagnose(_res(c))
    assert d.id == "generic:shape" and "[16]" in d.description


def test_right_in_float64_only() -> None:
    [d] = diagnose(_res(_fail("t[float32]", [1.0, 2.0], [1.1, 2.3]), _ok("t[float64]")))
    assert d.id == "generic:precision"


def test_trouble_only_at_large_magnitudes() -> None:
    c = CheckResult(name="big", title="big", status=Status.FAILED, kind="nan_inf", details={})
    [d] = diagnose(_res(c, _ok("small")))
    assert d.id == "generic:stability"


def test_a_result_cut_off_from_the_graph() -> None:
    msg = (
        "rnn(x)[1].backward(upstream) raised RuntimeError: "
        "element 0 of tensors does not require grad and does not have a grad_fn"
    )
    c = CheckResult(name="bptt", title="bptt", status=Status.FAILED, kind="exception", message=msg)
    [d] = diagnose(_res(c, _fail("values", [0.3, -2.0, 5.0], [1.0, 2.0, 3.0])))
    assert d.id == "generic:graph_cut" and d.checks == ["bptt"] and ".detach()" in d.description
    other = CheckResult(name="e", title="e", status=Status.FAILED, kind="exception", message="raised IndexError: 3")
    assert diagnose(_res(other)) == []


def test_unrelated_wrong_values_get_no_name() -> None:
    assert diagnose(_res(_fail("t", [0.3, -2.0, 5.0], [1.0, 2.0, 3.0]))) == []
    assert diagnose(ExerciseResult("x", "x", Status.PASSED, 10, 10, [_ok("a")])) == []


def test_speed_advice_only_when_far_slower() -> None:
    res = ExerciseResult("x", "x", Status.PASSED, 10, 10, [CheckResult("a", "a", Status.PASSED, learner_s=4.0)])
    assert "40×" in (speed_advice(res, 0.1) or "")
    assert speed_advice(res, 1.0) is None  # 4x: not worth a word
