"""Small inline SVG pictures of a failed check's details, for the HTML report.

Pure Python, no display, no network: each function takes the plain data that ``grader.testing.expect_close``
puts into a check's ``details`` and returns an SVG string marked safe for Jinja, or ``None`` when the data is not
what it should be. Only numbers (coerced with ``float``) reach the drawing; every piece of text is escaped with
``markupsafe.escape`` before the whole is wrapped in ``Markup``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

MAX_CELLS = 32  # grids are at most 32 x 32 (testing._grid); anything larger is cut
MAX_STEPS = 200
MAX_SERIES = 4
HUGE = 1e299  # testing._grid stores inf as 1e300: show it as "inf"
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"

# A sequential palette (ColorBrewer OrRd): pale for small errors, dark red for the largest.
HEAT = ((255, 247, 236), (253, 212, 158), (252, 141, 89), (215, 48, 31), (127, 0, 0))
SERIES = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
WORST = "#1f6feb"
NAN_FILL = "#c8c8c8"


# ---------------------------------------------------------------------- data


def _num(v: Any) -> float:
    """A number as a float (NaN for anything else); inf and overflow clamp to +-1e300."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return math.nan
    try:
        f = float(v)
    except (OverflowError, ValueError):
        return math.nan
    if math.isnan(f):
        return f
    return max(-1e300, min(1e300, f))


def grid(data: Any, limit: int = MAX_CELLS) -> list[list[float]] | None:
    """A 2-D list of numbers (a 1-D list is one row), cut to ``limit`` x ``limit`` and padded with NaN."""
    if not isinstance(data, Sequence) or isinstance(data, (str, bytes)) or not data:
        return None
    rows = [data] if not isinstance(data[0], Sequence) else data
    out: list[list[float]] = []
    for row in rows[:limit]:
        if not isinstance(row, Sequence) or isinstance(row, (str, bytes)):
            return None
        out.append([_num(v) for v in row[:limit]])
    width = max(len(r) for r in out)
    if width == 0:
        return None
    return [r + [math.nan] * (width - len(r)) for r in out]


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _fmt(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if abs(v) >= HUGE:
        return "inf" if v > 0 else "-inf"
    return f"{v:.3g}"


def _t(s: object) -> str:
    """Text for SVG: escaped."""
    return str(escape(str(s)))


def _rgb(c: tuple[float, float, float]) -> str:
    return f"rgb({round(c[0])},{round(c[1])},{round(c[2])})"


def heat_color(t: float) -> str:
    """The palette color at ``t`` in [0, 1]."""
    if not math.isfinite(t):
        return NAN_FILL
    t = min(1.0, max(0.0, t)) * (len(HEAT) - 1)
    i = min(int(t), len(HEAT) - 2)
    f = t - i
    a, b = HEAT[i], HEAT[i + 1]
    return _rgb((a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f))


def gray(t: float) -> str:
    """Black (0) to white (1); NaN is a pale red so that it stands out."""
    if not math.isfinite(t):
        return "rgb(255,190,190)"
    g = 255 * min(1.0, max(0.0, t))
    return _rgb((g, g, g))


def _scale(lo: float, hi: float) -> Callable[[float], float]:
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return lambda v: (1.0 if hi > 0 else 0.0) if math.isfinite(v) else math.nan
    return lambda v: (v - lo) / span if math.isfinite(v) else math.nan


def _gray_of(to_t: Callable[[float], float]) -> Callable[[float], str]:
    return lambda v: gray(to_t(v))


def _svg(width: float, height: float, label: str, body: list[str], cls: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="picture {_t(cls)}" role="img" aria-label="{_t(label)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{_t(FONT)}" font-size="11">'
    )
    return Markup(head + f"<title>{_t(label)}</title>" + "".join(body) + "</svg>")


def _text(x: float, y: float, s: str, anchor: str = "start", extra: str = "", fill: str = "#333") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>{_t(s)}</text>'


def _cells(
    g: list[list[float]], x0: float, y0: float, cell: float, fill: Callable[[float], str], what: str
) -> list[str]:
    out = []
    for i, row in enumerate(g):
        for j, v in enumerate(row):
            out.append(
                f'<rect x="{x0 + j * cell:.1f}" y="{y0 + i * cell:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
                f'fill="{fill(v)}"><title>{_t(f"{what} [{i}, {j}]: {_fmt(v)}")}</title></rect>'
            )
    return out


def _cell_size(rows: int, cols: int, target: float, lo: float = 4, hi: float = 28) -> float:
    return max(lo, min(hi, math.floor(target / max(rows, cols))))


def _argmax(g: list[list[float]]) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_v = -math.inf
    for i, row in enumerate(g):
        for j, v in enumerate(row):
            if not math.isnan(v) and v > best_v:
                best, best_v = (i, j), v
    return best


# ---------------------------------------------------------------------- pictures


def heatmap_svg(data: Any, title: str = "|expected − got|") -> Markup | None:
    """A heatmap of a grid of errors: palette from the smallest (or 0) to the largest, worst cell outlined.

    A single cell is no picture (a scalar, or a one-element tensor): its "worst [0, 0]" would only contradict the
    index the message gives, and the message already says the error.
    """
    g = grid(data)
    if g is None or (len(g) == 1 and len(g[0]) == 1):
        return None
    rows, cols = len(g), len(g[0])
    values = _finite([v for row in g for v in row])
    vmin, vmax = (min(values), max(values)) if values else (0.0, 0.0)
    lo = min(0.0, vmin)
    to_t = _scale(lo, vmax)
    cell = _cell_size(rows, cols, 256)
    pad, top = 8, 22
    gw, gh = cols * cell, rows * cell
    legend_w = 150
    width = max(gw, legend_w + 110) + 2 * pad
    height = top + gh + 50
    x0 = pad
    body = [_text(pad, 14, title, extra=' font-weight="600"')]
    body += _cells(g, x0, top, cell, lambda v: heat_color(to_t(v)), "error")
    body.append(
        f'<rect x="{x0 - 0.5:.1f}" y="{top - 0.5:.1f}" width="{gw + 1:.1f}" height="{gh + 1:.1f}" '
        'fill="none" stroke="#999" stroke-width="1"/>'
    )
    worst = _argmax(g)
    if worst is not None:
        i, j = worst
        body.append(
            f'<rect class="worst" x="{x0 + j * cell:.1f}" y="{top + i * cell:.1f}" width="{cell:.1f}" '
            f'height="{cell:.1f}" fill="none" stroke="{WORST}" stroke-width="2.5">'
            f"<title>{_t(f'largest error at [{i}, {j}]: {_fmt(g[i][j])}')}</title></rect>"
        )
    # Legend: a stepped bar (no gradient ids, which clash between several SVGs on a page), min and max.
    ly = top + gh + 12
    steps = 10
    for k in range(steps):
        body.append(
            f'<rect x="{pad + k * legend_w / steps:.1f}" y="{ly}" width="{legend_w / steps + 0.5:.1f}" height="9" '
            f'fill="{heat_color((k + 0.5) / steps)}"/>'
        )
    body.append(_text(pad, ly + 22, _fmt(lo)))
    body.append(_text(pad + legend_w, ly + 22, _fmt(vmax), anchor="end"))
    if worst is not None:
        body.append(
            f'<rect x="{pad + legend_w + 12}" y="{ly}" width="9" height="9" fill="none" stroke="{WORST}" '
            'stroke-width="2"/>'
        )
        body.append(_text(pad + legend_w + 25, ly + 8.5, f"worst [{worst[0]}, {worst[1]}]"))
    label = f"{title}: {rows} x {cols} cells, from {_fmt(vmin)} to {_fmt(vmax)}"
    if worst is not None:
        label += f", largest at [{worst[0]}, {worst[1]}]"
    return _svg(width, height, label, body, "heatmap")


def _series(data: Any) -> list[list[float]] | None:
    """Rows are steps, columns are parameters: returned as one list per parameter."""
    if not isinstance(data, Sequence) or isinstance(data, (str, bytes)) or not data:
        return None
    rows = data[:MAX_STEPS]
    if all(not isinstance(r, Sequence) for r in rows):
        rows = [[r] for r in rows]
    if any(not isinstance(r, Sequence) or isinstance(r, (str, bytes)) for r in rows):
        return None
    n = min(MAX_SERIES, max(len(r) for r in rows))
    if n == 0:
        return None
    return [[_num(r[k]) if k < len(r) else math.nan for r in rows] for k in range(n)]


def _ticks(lo: float, hi: float) -> list[float]:
    return [lo, (lo + hi) / 2, hi] if hi > lo else [lo]


def trajectory_svg(data: Any, title: str = "parameter trajectory") -> Markup | None:
    """Expected (dashed) against got (solid), one color per parameter; x is the step, y the value."""
    if not isinstance(data, Mapping):
        return None
    exp, got = _series(data.get("expected")), _series(data.get("got"))
    if exp is None and got is None:
        return None
    exp, got = exp or [], got or []
    values = _finite([v for s in exp + got for v in s])
    if values:
        lo, hi = min(values), max(values)
    else:
        lo, hi = 0.0, 1.0
    if hi - lo <= 0 or not math.isfinite(hi - lo):
        lo, hi = (lo - 1, hi + 1) if math.isfinite(hi - lo) else (-1e300, 1e300)
    steps = max(len(s) for s in exp + got)
    W, H = 440, 250
    left, right, top, bottom = 62, 14, 24, 64
    pw, ph = W - left - right, H - top - bottom

    def x(k: int) -> float:
        return left + (pw / 2 if steps <= 1 else pw * k / (steps - 1))

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    body = [_text(left, 15, title, extra=' font-weight="600"')]
    # Axes and grid lines with ticks.
    for v in _ticks(lo, hi):
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e5e5"/>')
        body.append(_text(left - 6, y(v) + 4, _fmt(v), anchor="end"))
    body.append(f'<path d="M{left},{top} V{top + ph} H{left + pw}" fill="none" stroke="#666" stroke-width="1"/>')
    for k in sorted({0, (steps - 1) // 2, steps - 1}):
        body.append(f'<line x1="{x(k):.1f}" x2="{x(k):.1f}" y1="{top + ph}" y2="{top + ph + 4}" stroke="#666"/>')
        body.append(_text(x(k), top + ph + 16, str(k), anchor="middle"))
    body.append(_text(left + pw / 2, top + ph + 30, "step", anchor="middle"))
    body.append(
        _text(14, top + ph / 2, "value", anchor="middle", extra=f' transform="rotate(-90 14 {top + ph / 2:.1f})"')
    )

    def lines(series: list[list[float]], dashed: bool, who: str) -> None:
        for k, s in enumerate(series):
            color = SERIES[k % len(SERIES)]
            segments: list[list[str]] = [[]]
            for step, v in enumerate(s):
                if math.isfinite(v):
                    segments[-1].append(f"{x(step):.1f},{y(v):.1f}")
                elif segments[-1]:
                    segments.append([])
            dash = ' stroke-dasharray="6 4"' if dashed else ""
            width = 2 if dashed else 1.8
            for seg in segments:
                if len(seg) > 1:
                    body.append(
                        f'<polyline class="{who}" points="{" ".join(seg)}" fill="none" stroke="{color}" '
                        f'stroke-width="{width}"{dash} stroke-linejoin="round"><title>{_t(f"{who}, parameter {k}")}'
                        "</title></polyline>"
                    )
                elif seg:
                    px, py = seg[0].split(",")
                    fill = "none" if dashed else color
                    body.append(
                        f'<circle class="{who}" cx="{px}" cy="{py}" r="3.5" fill="{fill}" stroke="{color}">'
                        f"<title>{_t(f'{who}, parameter {k}')}</title></circle>"
                    )

    lines(exp, True, "expected")
    lines(got, False, "got")
    # Legend: line styles, then one swatch per parameter.
    ly = H - 14
    body.append(f'<line x1="{left}" x2="{left + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="#444" stroke-width="1.8"/>')
    body.append(_text(left + 28, ly, "got"))
    body.append(
        f'<line x1="{left + 58}" x2="{left + 82}" y1="{ly - 4}" y2="{ly - 4}" stroke="#444" stroke-width="2" '
        'stroke-dasharray="6 4"/>'
    )
    body.append(_text(left + 86, ly, "expected"))
    for k in range(max(len(exp), len(got))):
        lx = left + 150 + k * 52
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{SERIES[k % len(SERIES)]}"/>')
        body.append(_text(lx + 14, ly, f"p{k}"))
    n_bad = sum(1 for s in exp + got for v in s if not math.isfinite(v))
    if n_bad:
        body.append(_text(W - right, 15, f"{n_bad} non-finite value(s) not drawn", anchor="end", fill="#b42318"))
    label = f"{title}: {steps} steps, {max(len(exp), len(got))} parameter(s), expected dashed, got solid"
    return _svg(W, H, label, body, "trajectory")


def feature_maps_svg(data: Any, title: str = "feature maps") -> Markup | None:
    """Three grayscale maps side by side: input (own scale), expected and got (one shared scale)."""
    if not isinstance(data, Mapping):
        return None
    panels = [(name, grid(data.get(name))) for name in ("input", "expected", "got")]
    shown = [(name, g) for name, g in panels if g is not None]
    if not any(name != "input" for name, _ in shown):
        return None
    shared = _finite([v for name, g in shown if name != "input" for row in g for v in row])
    slo, shi = (min(shared), max(shared)) if shared else (0.0, 1.0)
    exp_g, got_g = dict(shown).get("expected"), dict(shown).get("got")
    worst = None
    if exp_g is not None and got_g is not None and len(exp_g) == len(got_g) and len(exp_g[0]) == len(got_g[0]):
        worst = _argmax(
            [[abs(a - b) for a, b in zip(ra, rb, strict=True)] for ra, rb in zip(exp_g, got_g, strict=True)]
        )
    rows = max(len(g) for _, g in shown)
    cols = max(len(g[0]) for _, g in shown)
    cell = _cell_size(rows, cols, 132, lo=3, hi=22)
    pad, gap, top = 8, 18, 38
    pw = max(cols * cell, 96)
    width = 2 * pad + len(shown) * pw + (len(shown) - 1) * gap
    height = top + rows * cell + 34
    body = [_text(pad, 14, title, extra=' font-weight="600"')]
    for n, (name, g) in enumerate(shown):
        x0 = pad + n * (pw + gap)
        if name == "input":
            vals = _finite([v for row in g for v in row])
            lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
        else:
            lo, hi = slo, shi
        to_t = _scale(lo, hi)
        body.append(_text(x0, top - 8, name, extra=' font-weight="600"'))
        body += _cells(g, x0, top, cell, _gray_of(to_t), name)
        gw, gh = len(g[0]) * cell, len(g) * cell
        body.append(
            f'<rect x="{x0 - 0.5:.1f}" y="{top - 0.5:.1f}" width="{gw + 1:.1f}" height="{gh + 1:.1f}" '
            'fill="none" stroke="#999"/>'
        )
        body.append(_text(x0, top + gh + 15, f"{_fmt(lo)} … {_fmt(hi)}", extra=' font-size="10"', fill="#666"))
        if name == "got" and worst is not None:
            i, j = worst
            body.append(
                f'<rect class="worst" x="{x0 + j * cell:.1f}" y="{top + i * cell:.1f}" width="{cell:.1f}" '
                f'height="{cell:.1f}" fill="none" stroke="{WORST}" stroke-width="2">'
                f"<title>{_t(f'largest difference at [{i}, {j}]')}</title></rect>"
            )
    label = f"{title}: " + ", ".join(name for name, _ in shown) + f", {rows} x {cols}"
    return _svg(width, height, label, body, "feature-maps")


def for_details(details: Any) -> list[dict[str, Any]]:
    """The pictures a check's details call for, as ``{"kind", "title", "svg"}``; never raises."""
    if not isinstance(details, Mapping):
        return []
    makers: list[tuple[str, str, Callable[[Any], Markup | None]]] = [
        (
            "feature_maps",
            "Expected and got share one gray scale (black is the smallest value); the blue box marks the largest "
            "difference.",
            feature_maps_svg,
        ),
        ("trajectory", "Your parameters (solid) against the reference (dashed), step by step.", trajectory_svg),
        ("heatmap", "Where the values differ: darker is a larger error; the blue box marks the largest.", heatmap_svg),
    ]
    out = []
    for key, title, make in makers:
        if key not in details:
            continue
        try:
            svg = make(details[key])
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            svg = None
        if svg is not None:
            out.append({"kind": key, "title": title, "svg": svg})
    return out
