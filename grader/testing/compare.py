"""Comparisons a suite makes: ``expect_close`` (type, shape, dtype, device, NaN/inf, then values), ``expect``,
``expect_unchanged``, and the tolerances they use. A failure raises ``CheckFailure`` with a message for the learner
and details (largest error, index, small heatmaps) for the reports.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from grader.engine import protocol
from grader.engine.problems import CheckFailure
from grader.testing.describe import describe
from grader.testing.session import current

DEFAULT_TOL = {
    torch.float64: (1e-7, 1e-9),
    torch.float32: (1e-4, 1e-5),
    torch.float16: (1e-2, 1e-3),
    torch.bfloat16: (2e-2, 1e-2),
}


def tolerance(dtype: torch.dtype) -> tuple[float, float]:
    """(rtol, atol) for ``dtype``: the exercise's own, widened on CUDA, else the defaults."""
    key = str(dtype).removeprefix("torch.")
    session = current()
    ex = session.exercise
    rtol, atol = DEFAULT_TOL.get(dtype, (0.0, 0.0))
    own = ex.get("tolerance", {}).get(key)
    if own:
        rtol, atol = own["rtol"], own["atol"]
    if str(session.device).startswith("cuda"):
        wide = ex.get("cuda_tolerance", {}).get(key)
        if wide:
            rtol, atol = max(rtol, wide["rtol"]), max(atol, wide["atol"])
    return rtol, atol


def expect(condition: bool, message: str, kind: str = "wrong_values", **details: Any) -> None:
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailure(kind, message, details)


def _index(flat_index: int, shape: tuple[int, ...]) -> list[int]:
    idx = []
    for dim in reversed(shape):
        idx.append(flat_index % dim if dim else 0)
        flat_index //= dim if dim else 1
    return list(reversed(idx))


def _preview(t: torch.Tensor) -> list[Any] | None:
    if t.numel() > 256 or t.dim() > 2:
        return None
    return t.detach().cpu().tolist()  # type: ignore[no-any-return]


def expect_close(
    got: Any,
    expected: Any,
    *,
    name: str = "the result",
    rtol: float | None = None,
    atol: float | None = None,
    kind: str = "wrong_values",
    check_dtype: bool = True,
    check_device: bool = True,
    equal_nan: bool = False,
    picture: str | None = None,
    picture_input: Any = None,
) -> None:
    """Compare a learner value with a reference: type, shape, dtype, device, then values.

    Tuples and lists are compared element by element. Numbers are compared as floats.
    On a value mismatch the details carry a small heatmap of |expected - got|; ``picture``
    adds another view for the HTML report: ``"trajectory"`` (rows are steps, columns are
    parameters, e.g. an optimizer's path) or ``"feature_maps"`` (N, C, H, W maps; give the
    input as ``picture_input``).
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise CheckFailure(
                "wrong_type",
                f"{name} should be a {type(expected).__name__} of {len(expected)} values, got {describe(got)}",
            )
        for i, (g, e) in enumerate(zip(got, expected)):
            expect_close(
                g,
                e,
                name=f"{name}[{i}]",
                rtol=rtol,
                atol=atol,
                kind=kind,
                check_dtype=check_dtype,
                check_device=check_device,
                equal_nan=equal_nan,
                picture=picture,
                picture_input=picture_input,
            )
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            raise CheckFailure("wrong_type", f"{name} should be a number, got {describe(got)}")
        r, a = (rtol, atol) if rtol is not None and atol is not None else (1e-6, 1e-8)
        if not math.isclose(float(got), float(expected), rel_tol=r, abs_tol=a):
            e_text, g_text = distinct(float(expected), float(got))
            raise CheckFailure(
                kind,
                f"{name}: expected {e_text}, got {g_text}",
                {
                    "expected": expected,
                    "got": got,
                    "max_abs_err": abs(got - expected),
                    "rtol": r,
                    "atol": a,
                    "samples": {"shape": [], "got": [_num(got)], "expected": [_num(expected)]},
                },
            )
        return
    if not isinstance(expected, torch.Tensor):
        if got != expected:
            raise CheckFailure(kind, f"{name}: expected {expected!r}, got {describe(got)}")
        return
    _check_tensor_meta(got, expected, name, check_dtype, check_device)
    if expected.is_floating_point() or expected.is_complex():
        r0, a0 = tolerance(expected.dtype)
        r = r0 if rtol is None else rtol
        a = a0 if atol is None else atol
    else:
        r, a = 0.0, 0.0
    g = got.detach().to("cpu", torch.float64) if not got.is_complex() else got.detach().cpu()
    e = expected.detach().to("cpu", torch.float64) if not expected.is_complex() else expected.detach().cpu()
    if g.numel() == 0:
        return
    if not equal_nan:
        bad = ~torch.isfinite(g) & torch.isfinite(e)
        if bool(bad.any()):
            flat = int(bad.reshape(-1).nonzero()[0])
            idx = _index(flat, tuple(g.shape))
            got_v, exp_v = g.reshape(-1)[flat].item(), e.reshape(-1)[flat].item()
            where = f"first at index {idx}: " if g.dim() else ""  # a scalar has no index to point at
            raise CheckFailure(
                "nan_inf",
                f"{name} holds {int(bad.sum())} non-finite value(s) where the reference is finite; "
                f"{where}got {got_v}, expected {exp_v:.6g}",
                {"index": idx, "count": int(bad.sum()), "rtol": r, "atol": a, "samples": samples(g, e)},
            )
    diff = (g - e).abs()
    both_nan = torch.isnan(g) & torch.isnan(e)
    diff = torch.where(both_nan, torch.zeros_like(diff), diff)
    same_inf = torch.isinf(e) & (g == e)
    diff = torch.where(same_inf, torch.zeros_like(diff), diff)
    diff = torch.nan_to_num(diff, nan=math.inf)
    allowed = a + r * e.abs().nan_to_num(posinf=0.0, neginf=0.0)
    over = diff > allowed
    if bool(over.any()):
        flat = int(torch.argmax(torch.where(over, diff, torch.zeros_like(diff)).reshape(-1)))
        idx = _index(flat, tuple(g.shape))
        max_abs = float(diff.reshape(-1)[flat])
        ev = float(e.reshape(-1)[flat].real) if e.is_complex() else float(e.reshape(-1)[flat])
        gv = float(g.reshape(-1)[flat].real) if g.is_complex() else float(g.reshape(-1)[flat])
        rel = max_abs / abs(ev) if ev and math.isfinite(ev) else math.inf
        if not math.isfinite(ev) or not math.isfinite(gv):
            max_abs = math.inf
        n_bad = int(over.sum())
        details = {
            "index": idx,
            "expected_value": ev,
            "got_value": gv,
            "max_abs_err": max_abs,
            "max_rel_err": rel,
            "mismatched": n_bad,
            "numel": int(g.numel()),
            "rtol": r,
            "atol": a,
            "samples": samples(g, e) if not g.is_complex() else {},
        }
        if 1 <= g.dim() <= 2 and g.numel() <= 256:
            details["abs_err"] = _preview(diff.reshape(g.shape) if g.dim() else diff.reshape(1))
            details["expected"] = _preview(e if e.dim() else e.reshape(1))
            details["got"] = _preview(g if g.dim() else g.reshape(1))
        if not g.is_complex():
            if g.numel() > 1:  # one value has no "where": its error is all in the message
                details["heatmap"] = _grid(diff.reshape(g.shape))
            if picture == "trajectory":
                details["trajectory"] = {"expected": _path(e), "got": _path(g)}
            elif picture == "feature_maps" and g.dim() >= 2:
                maps = {"expected": _grid(_first_map(e)), "got": _grid(_first_map(g))}
                if isinstance(picture_input, torch.Tensor) and picture_input.dim() >= 2:
                    maps["input"] = _grid(_first_map(picture_input.detach().to("cpu", torch.float64)))
                details["feature_maps"] = maps
        e_text, g_text = distinct(ev, gv)
        if g.dim() == 0:  # a scalar: no index to point at
            text = f"{name}: expected {e_text}, got {g_text}; error {max_abs:.3g} (relative {rel:.3g}; "
            text += f"rtol={r:g}, atol={a:g})"
        else:
            text = (
                f"{name}: {n_bad} of {g.numel()} values differ; largest error {max_abs:.3g} "
                f"(relative {rel:.3g}) at index {idx}: expected {e_text}, got {g_text} (rtol={r:g}, atol={a:g})"
            )
        raise CheckFailure(kind, text, details)


SAMPLES = 32


def _num(v: float) -> float | str:
    """A value for a record: finite numbers rounded to 9 significant digits, others by name (JSON has no NaN)."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(f"{v:.9g}")


def samples(got: torch.Tensor, expected: torch.Tensor) -> dict[str, Any]:
    """The same few positions of got and expected (at most 32, spread evenly): a fingerprint of an answer, which
    diagnosis compares with what known mistakes return on the same inputs."""
    g = got.detach().reshape(-1).to("cpu", torch.float64)
    e = expected.detach().reshape(-1).to("cpu", torch.float64)
    n = g.numel()
    k = min(SAMPLES, n)
    idx = [(i * n) // k for i in range(k)]  # every position of a small result, 32 spread over a large one
    return {
        "shape": list(got.shape),
        "got": [_num(float(g[i])) for i in idx],
        "expected": [_num(float(e[i])) for i in idx] if e.numel() == n else [],
    }


def distinct(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with just enough significant digits to tell them apart (6 at least, 17 at most)."""
    for digits in range(6, 18):
        e, g = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if e != g:
            return e, g
    return f"{expected:.17g}", f"{got:.17g}"


def _grid(t: torch.Tensor, size: int = 32) -> list[list[float]]:
    """A tensor as a 2-D grid of at most ``size`` x ``size`` cells (block maxima), for pictures."""
    t = t.detach().to("cpu", torch.float64)
    if t.dim() == 0:
        t = t.reshape(1, 1)
    elif t.dim() == 1:
        t = t.reshape(1, -1)
    else:
        t = t.reshape(-1, t.shape[-1])
    t = torch.nan_to_num(t, nan=0.0, posinf=1e300, neginf=-1e300)
    rows, cols = t.shape
    if rows > size or cols > size:
        kr, kc = max(1, -(-rows // size)), max(1, -(-cols // size))
        pr, pc = (-rows) % kr, (-cols) % kc
        t = torch.nn.functional.pad(t, (0, pc, 0, pr))
        t = t.reshape(t.shape[0] // kr, kr, t.shape[1] // kc, kc).amax(dim=(1, 3))
    return [[round(float(v), 6) for v in row] for row in t.tolist()]


def _first_map(t: torch.Tensor) -> torch.Tensor:
    t = t.detach().to("cpu", torch.float64)
    while t.dim() > 2:
        t = t[0]
    return t


def _path(t: torch.Tensor, steps: int = 100, series: int = 4) -> list[list[float]]:
    """Rows are steps, columns are (at most ``series``) parameters."""
    t = t.detach().to("cpu", torch.float64)
    t = t.reshape(t.shape[0], -1) if t.dim() else t.reshape(1, 1)
    t = t[:, :series]
    stride = max(1, -(-t.shape[0] // steps))
    return [[round(float(v), 6) for v in row] for row in t[::stride].tolist()]


def _check_tensor_meta(got: Any, expected: torch.Tensor, name: str, check_dtype: bool, check_device: bool) -> None:
    if not isinstance(got, torch.Tensor):
        raise CheckFailure(
            "wrong_type", f"{name} should be a torch.Tensor of shape {list(expected.shape)}, got {describe(got)}"
        )
    info = protocol.tensor_info(got)
    if info is not None and info.pytype != "Tensor":
        raise CheckFailure(
            "wrong_type",
            f"{name} is a {info.pytype}, a subclass of torch.Tensor; return a plain torch.Tensor",
        )
    if tuple(got.shape) != tuple(expected.shape):
        details: dict[str, Any] = {"got_shape": list(got.shape), "expected_shape": list(expected.shape)}
        if got.numel() == expected.numel() and got.numel() and not got.is_complex() and not expected.is_complex():
            # The right values in a squeezed or reshaped tensor are a different mistake from wrong values.
            r, a = tolerance(expected.dtype) if expected.is_floating_point() else (0.0, 0.0)
            g = got.detach().to("cpu", torch.float64).reshape(-1)
            e = expected.detach().to("cpu", torch.float64).reshape(-1)
            details["same_values"] = bool(torch.allclose(g, e, rtol=r, atol=a, equal_nan=True))
        raise CheckFailure(
            "wrong_shape",
            f"{name} has shape {list(got.shape)}, expected {list(expected.shape)}",
            details,
        )
    if check_dtype and got.dtype != expected.dtype:
        raise CheckFailure(
            "wrong_dtype",
            f"{name} has dtype {str(got.dtype).removeprefix('torch.')}, "
            f"expected {str(expected.dtype).removeprefix('torch.')} (keep the dtype of the inputs)",
        )
    got_dev = info.device if info is not None else str(got.device)
    if check_device and torch.device(got_dev).type != expected.device.type:
        raise CheckFailure(
            "wrong_device",
            f"{name} is on {got_dev}, expected {expected.device} (create new tensors on the inputs' device, "
            f"e.g. torch.zeros(..., device=x.device))",
        )


def expect_unchanged(before: Any, after: Any, name: str = "an input") -> None:
    """Compare a tensor before and after a scenario changed (or should not have changed) it.

    ``learner.fn(...)`` already fails a check whose call modifies a tensor argument in place;
    this helper is for scenarios that return an input after running learner code on it.
    """
    if isinstance(before, torch.Tensor) and not torch.equal(before.detach().cpu(), after.detach().cpu()):
        raise CheckFailure("modified_input", f"{name} was modified in place; work on a copy or out of place")
