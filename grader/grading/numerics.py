"""Generic diagnoses: what the numbers of failing checks say when no known mistake fits.

A result that is the expected one times a size of the input (a sum where a mean belongs), its negative, its transpose,
off by a constant, wrong only at large magnitudes, the right values in the wrong shape, right in float64 only. And
advice, not failure, when correct code is far slower than the reference solution on the same checks. Reads the plain
data the checks recorded (``details``: sampled values, shapes, tolerances; ``call``: the inputs' shapes).
"""

from __future__ import annotations

import re
import statistics
from typing import Any

from grader.engine.results import CheckResult, Diagnosis, ExerciseResult, Status

_SHAPE = re.compile(r"\b[a-z0-9]+\[([0-9, ]*)\]")


def input_sizes(call: str | None) -> list[tuple[int, int, int]]:
    """(argument number, dimension, size) of every tensor in a described call: ``f(float32[16, 7] cpu, ...)``."""
    out = []
    for arg, m in enumerate(_SHAPE.finditer(call or "")):
        dims = [int(x) for x in m.group(1).replace(" ", "").split(",") if x]
        out += [(arg, d, n) for d, n in enumerate(dims) if n > 1]
    return out


def _floats(values: list[Any]) -> list[float] | None:
    out = []
    for v in values:
        if isinstance(v, str):
            return None
        out.append(float(v))
    return out


def _pairs(c: CheckResult) -> tuple[list[float], list[float]] | None:
    s = (c.details or {}).get("samples") or {}
    got, exp = _floats(s.get("got") or []), _floats(s.get("expected") or [])
    if not got or not exp or len(got) != len(exp):
        return None
    return got, exp


def _same(values: list[float], rel: float = 1e-3) -> float | None:
    """The common value of ``values`` when they agree to ``rel``; None otherwise."""
    if not values:
        return None
    mid = statistics.median(values)
    spread = max(abs(v - mid) for v in values)
    return mid if spread <= rel * max(abs(mid), 1e-12) else None


def _size_words(arg: int, dim: int, n: int) -> str:
    if dim == 0:
        return f"{n} is the first dimension of argument {arg + 1} (the batch size?)"
    return f"{n} is dimension {dim} of argument {arg + 1}"


def value_pattern(c: CheckResult) -> Diagnosis | None:
    """A scale, sign or offset that turns the expected values into the learner's."""
    pair = _pairs(c)
    if pair is None:
        return None
    got, exp = pair
    nonzero = [(g, e) for g, e in zip(got, exp) if abs(e) > 1e-12]
    if len(nonzero) >= 2 or (len(nonzero) == 1 and len(got) == 1):
        ratio = _same([g / e for g, e in nonzero])
        if ratio is not None and abs(ratio - 1) > 1e-3:
            if abs(ratio + 1) < 1e-3:
                return Diagnosis(
                    "generic:negative",
                    "the result is the negative of the expected one: a sign is flipped (a missing minus, or "
                    "subtraction the wrong way round)",
                    checks=[c.name],
                )
            for arg, dim, n in input_sizes(c.call):
                if abs(ratio - n) < 1e-3 * n:
                    return Diagnosis(
                        "generic:factor",
                        f"{n}× too large — {_size_words(arg, dim, n)}: a sum where a mean belongs?",
                        checks=[c.name],
                    )
                if abs(ratio * n - 1) < 1e-3:
                    return Diagnosis(
                        "generic:factor",
                        f"{n}× too small — {_size_words(arg, dim, n)}: a mean where a sum belongs, or a division "
                        "too many?",
                        checks=[c.name],
                    )
            if len(nonzero) < 2:
                return None  # one wrong number is "some factor" off whatever the mistake: that names nothing
            return Diagnosis(
                "generic:scale",
                f"every value is {ratio:.4g}× the expected one: a scale factor is missing or extra",
                checks=[c.name],
            )
    offset = _same([g - e for g, e in zip(got, exp)], rel=1e-4)
    if offset is not None and len(got) >= 2 and abs(offset) > 1e-9 + 1e-6 * max(abs(x) for x in exp):
        return Diagnosis(
            "generic:offset",
            f"every value is off by the same {offset:.4g}: a term is missing or extra (a bias, a constant, a shift "
            "that does not cancel)",
            checks=[c.name],
        )
    return None


def transposed(c: CheckResult) -> Diagnosis | None:
    d = c.details or {}
    got, exp = d.get("got"), d.get("expected")
    if not (isinstance(got, list) and isinstance(exp, list) and got and isinstance(got[0], list)):
        return None
    rows, cols = len(exp), len(exp[0])
    if rows != cols or rows < 2 or len(got) != rows:
        return None
    r, a = float(d.get("rtol", 1e-4)), float(d.get("atol", 1e-5))
    try:
        ok = all(
            abs(float(got[i][j]) - float(exp[j][i])) <= a + r * abs(float(exp[j][i]))
            for i in range(rows)
            for j in range(cols)
        )
    except (TypeError, ValueError, IndexError):
        return None
    if not ok:
        return None
    return Diagnosis(
        "generic:transpose",
        "the result is the transpose of the expected one: rows and columns are swapped (a transpose missing or "
        "extra, or the wrong axis)",
        checks=[c.name],
    )


def _dtype_of(name: str) -> str | None:
    m = re.search(r"float(16|32|64)", name)
    return m.group(0) if m else None


# Failures whose kind already is the mistake: said in one line, whatever else failed.
KIND_MISTAKES = (
    ("forbidden_api", "generic:builtin", "the code calls the built-in this exercise asks you to write yourself"),
    (
        "wrong_device",
        "generic:device",
        "a tensor is made on the CPU instead of on the inputs' device: fine here, an error on a GPU (pass "
        "device=x.device, or use x.new_zeros / torch.zeros_like)",
    ),
    ("modified_input", "generic:in_place", "an input is changed in place: the caller's tensor is not yours to modify"),
    ("wrong_dtype", "generic:dtype", "the result has another dtype than the inputs: compute in the inputs' dtype"),
)


# What torch says when backward() or autograd.grad() meets a result that is not connected to what it differentiates.
GRAPH_CUT = ("does not require grad and does not have a grad_fn", "appears to not have been used in the graph")


def diagnose(res: ExerciseResult) -> list[Diagnosis]:
    """At most one generic diagnosis for a failed exercise, from the checks that failed and those that passed."""
    fails = [c for c in res.checks if c.status in (Status.FAILED, Status.ERROR) and not c.gate]
    passed = {c.name for c in res.checks if c.status is Status.PASSED}
    if not fails:
        return []
    for kind, did, words in KIND_MISTAKES:
        hits = [c.name for c in fails if c.kind == kind]
        if hits:
            return [Diagnosis(did, words, checks=hits)]
    cut = [c.name for c in fails if any(text in (c.message or "") for text in GRAPH_CUT)]
    if cut:
        return [
            Diagnosis(
                "generic:graph_cut",
                "the result is cut off from the autograd graph, so no gradient flows back through it: a .detach(), "
                ".data, .item(), torch.no_grad() or a tensor built anew from computed values breaks the chain",
                checks=cut,
            )
        ]
    shape = [c for c in fails if c.kind == "wrong_shape" and (c.details or {}).get("same_values")]
    if shape:
        info = shape[0].details
        return [
            Diagnosis(
                "generic:shape",
                f"the right values in the wrong shape: {info.get('got_shape')} where {info.get('expected_shape')} is "
                "expected (a squeeze, a keepdim, a view or a broadcast?)",
                checks=[c.name for c in shape],
            )
        ]
    numeric = [c for c in fails if c.kind in ("wrong_values", "wrong_gradient", "nan_inf")]
    if numeric and all(_dtype_of(c.name) == "float32" for c in numeric):
        twins = [c.name.replace("float32", "float64") for c in numeric]
        if all(t in passed for t in twins):
            return [
                Diagnosis(
                    "generic:precision",
                    "right in float64 but not in float32: a step loses precision in single precision (a difference "
                    "of large, nearly equal numbers, or an intermediate cast)",
                    checks=[c.name for c in numeric],
                )
            ]
    if all(c.kind == "nan_inf" for c in fails) and passed:
        return [
            Diagnosis(
                "generic:stability",
                "right for ordinary inputs, but NaN or inf for large ones: the formula overflows (subtract the "
                "maximum first, or use a form that stays finite)",
                checks=[c.name for c in fails],
            )
        ]
    found: dict[str, Diagnosis] = {}
    for c in numeric:
        d = transposed(c) or value_pattern(c)
        if d is None:
            continue
        key = f"{d.id}:{d.description}"
        if key in found:
            found[key].checks.append(c.name)
        else:
            found[key] = d
    if not found:
        return []
    best = max(found.values(), key=lambda d: len(d.checks))
    return [best]


def speed_advice(res: ExerciseResult, solution_learner_s: float, hint: str | None = None) -> str | None:
    """Advice when the learner's code is far slower than the solution's on the same checks (never a failure)."""
    mine = sum(c.learner_s for c in res.checks)
    if solution_learner_s <= 0 or mine < 1.0 or mine < 10 * solution_learner_s:
        return None
    ratio = mine / solution_learner_s
    tip = hint or "loops over elements in Python are slow; let tensor operations do the looping"
    return f"your code took {ratio:.0f}× the reference solution's time on the same checks: {tip}"
