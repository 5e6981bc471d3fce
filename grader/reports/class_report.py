"""The class report ``grade`` writes for the instructor: ``class.json`` and a self-contained ``class.html``.

What it shows: the score distribution of each exercise (and of the total) as an inline SVG histogram, the checks
failed most (how many learners, and who), and the mistakes made most across the class, from the diagnoses the
engine attaches to failing exercises ("9 of 22 left out Adam's bias correction"). With no diagnoses, the page says
nothing about mistakes. The page loads nothing and runs nothing: no script, no font, no image from anywhere.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from grader.engine.results import ExerciseResult, Status
from grader.kinds import KINDS
from grader.reports.environment import environment

NOT_GRADABLE = "not gradable"
BINS = 10  # 0-10 %, ..., 90-100 % of the points, then full marks on a bar of its own
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"


@dataclass
class Learner:
    """One learner's graded submission, as ``grade`` keeps it."""

    name: str
    status: str  # passed | failed | error | not gradable
    score: float
    max_score: float
    exercises: list[ExerciseResult] = field(default_factory=list)


@dataclass
class ExerciseInfo:
    """An exercise of the graded lesson (from the course, so one nobody handed in still shows)."""

    id: str
    title: str
    max_score: float


# ---------------------------------------------------------------------- numbers


def histogram(scores: Sequence[float], max_score: float) -> list[dict[str, Any]]:
    """Counts per tenth of the points (``from`` <= share < ``to``, in percent), then full marks alone."""
    counts = [0] * (BINS + 1)
    for s in scores:
        share = s / max_score if max_score > 0 else 1.0
        counts[BINS if share >= 1 - 1e-9 else min(BINS - 1, max(0, int(share * BINS + 1e-9)))] += 1
    bins = [{"from": 100 * i // BINS, "to": 100 * (i + 1) // BINS, "count": counts[i]} for i in range(BINS)]
    return [*bins, {"from": 100, "to": 100, "count": counts[BINS]}]


def _stats(scores: Sequence[float]) -> dict[str, float | None]:
    if not scores:
        return {"mean": None, "median": None}
    return {"mean": round(statistics.fmean(scores), 2), "median": round(statistics.median(scores), 2)}


def class_view(
    lesson: str, title: str, exercises: Sequence[ExerciseInfo], learners: Sequence[Learner]
) -> dict[str, Any]:
    """Everything the report shows, as plain data (this is ``class.json``)."""
    graded = [g for g in learners if g.status != NOT_GRADABLE]
    n = len(graded)
    max_total = float(sum(e.max_score for e in exercises))
    totals = [g.score for g in graded]
    ex_views = []
    failed: dict[tuple[str, str], dict[str, Any]] = {}
    mistakes: dict[tuple[str, str], dict[str, Any]] = {}
    order = {e.id: i for i, e in enumerate(exercises)}
    for info in exercises:
        scores: dict[str, float] = {}
        errors: list[str] = []
        for g in graded:
            res = next((e for e in g.exercises if e.id == info.id), None)
            scores[g.name] = res.score if res else 0.0
            if res is None or res.status is Status.ERROR:
                errors.append(g.name)
            if res is None:
                continue
            for c in res.checks:
                if c.status in (Status.FAILED, Status.ERROR):
                    entry = failed.setdefault(
                        (info.id, c.name),
                        {"exercise": info.id, "check": c.name, "title": c.title, "kinds": {}, "learners": []},
                    )
                    entry["learners"].append(g.name)
                    kind = c.kind or "internal"
                    entry["kinds"][kind] = entry["kinds"].get(kind, 0) + 1
            for d in res.diagnoses:
                m = mistakes.setdefault(
                    (info.id, d.id),
                    {
                        "exercise": info.id,
                        "id": d.id,
                        "description": d.description,
                        "hint": d.hint,
                        "card": d.card,
                        "checks": list(d.checks),
                        "learners": [],
                    },
                )
                if g.name not in m["learners"]:
                    m["learners"].append(g.name)
                m["checks"] += [c for c in d.checks if c not in m["checks"]]
        values = list(scores.values())
        ex_views.append(
            {
                "id": info.id,
                "title": info.title,
                "max_score": info.max_score,
                **_stats(values),
                "full_marks": sum(1 for v in values if v >= info.max_score - 1e-9),
                "zero": sum(1 for v in values if v <= 0),
                "not_graded": sorted(errors),  # missing file, syntax error, time budget...
                "histogram": histogram(values, info.max_score),
                "scores": scores,
            }
        )
    failed_checks = []
    for entry in failed.values():
        kinds = sorted(entry.pop("kinds").items(), key=lambda kv: (-kv[1], kv[0]))
        failed_checks.append(
            {
                **entry,
                "kind": kinds[0][0],
                "kind_label": KINDS.get(kinds[0][0], kinds[0][0]),
                "count": len(entry["learners"]),
                "learners": sorted(entry["learners"]),
            }
        )
    failed_checks.sort(key=lambda f: (-f["count"], order.get(f["exercise"], 0), f["check"]))
    common = [{**m, "count": len(m["learners"]), "learners": sorted(m["learners"])} for m in mistakes.values()]
    common.sort(key=lambda m: (-m["count"], order.get(m["exercise"], 0), m["id"]))
    return {
        "lesson": lesson,
        "title": title,
        "learners": len(learners),
        "graded": n,
        "passed": sum(1 for g in graded if g.status == Status.PASSED.value),
        "not_gradable": sorted(g.name for g in learners if g.status == NOT_GRADABLE),
        "total": {"max_score": max_total, **_stats(totals), "histogram": histogram(totals, max_total)},
        "exercises": ex_views,
        "failed_checks": failed_checks,
        "mistakes": common,
    }


def to_json(view: dict[str, Any]) -> str:
    return json.dumps(view, indent=2) + "\n"


# ---------------------------------------------------------------------- the page


def _t(s: object) -> str:
    return str(escape(str(s)))


def histogram_svg(bins: Sequence[dict[str, Any]], title: str, mean_share: float | None = None) -> Markup:
    """A bar per bin, its count above it, the share of the points below; the mean as a dashed line."""
    w, h, left, right, top, bottom = 340.0, 150.0, 10.0, 10.0, 22.0, 30.0
    plot_w, plot_h = w - left - right, h - top - bottom
    n = len(bins)
    slot = plot_w / n
    peak = max([b["count"] for b in bins] + [1])
    total = sum(b["count"] for b in bins)
    body = [f'<text x="{left:.1f}" y="14" fill="#333" font-weight="600">{_t(title)}</text>']
    body.append(
        f'<line x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{w - right:.1f}" y2="{top + plot_h:.1f}" stroke="#888"/>'
    )
    for i, b in enumerate(bins):
        full = b["from"] == b["to"]
        x = left + i * slot + 2
        bh = plot_h * b["count"] / peak
        y = top + plot_h - bh
        what = "full marks" if full else f"{b['from']}–{b['to']} % of the points"
        tip = f"{b['count']} of {total}: {what}"
        fill = "#1a7f37" if full else "#0969da"
        body.append(
            f'<rect class="bin" x="{x:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" height="{bh:.1f}" fill="{fill}" '
            f'data-count="{b["count"]}"><title>{_t(tip)}</title></rect>'
        )
        if b["count"]:
            body.append(
                f'<text x="{x + (slot - 4) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#333">'
                f"{b['count']}</text>"
            )
        if full or i % 2 == 0:
            label = "full" if full else str(b["from"])
            body.append(
                f'<text x="{x + (slot - 4) / 2:.1f}" y="{top + plot_h + 13:.1f}" text-anchor="middle" '
                f'fill="#57606a" font-size="10">{label}</text>'
            )
    body.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{h - 3:.1f}" text-anchor="middle" fill="#57606a" font-size="10">'
        "% of the points</text>"
    )
    if mean_share is not None:
        # The mean on the same axis as the bars: bin i spans [10 i, 10 (i + 1)) %, full marks the last slot.
        share = max(0.0, min(1.0, mean_share))
        mx = left + (n - 1) * slot * share + (slot / 2 if share >= 1 else 0)
        body.append(
            f'<line class="mean" x1="{mx:.1f}" y1="{top - 4:.1f}" x2="{mx:.1f}" y2="{top + plot_h:.1f}" '
            f'stroke="#cf222e" stroke-dasharray="4 3"/>'
        )
        body.append(f'<text x="{min(mx + 3, w - 40):.1f}" y="{top + 6:.1f}" fill="#cf222e" font-size="10">mean</text>')
    label = f"{title}: " + ", ".join(
        f"{b['count']} at full marks" if b["from"] == b["to"] else f"{b['count']} at {b['from']}–{b['to']} %"
        for b in bins
        if b["count"]
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" role="img" aria-label="{_t(label)}" '
        f'width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" font-family="{_t(FONT)}" '
        f'font-size="11"><title>{_t(label)}</title>' + "".join(body) + "</svg>"
    )


def _share(mean: float | None, max_score: float) -> float | None:
    if mean is None or max_score <= 0:
        return None
    return mean / max_score


def render_html(view: dict[str, Any]) -> str:
    total = view["total"]
    pictures = {
        "total": histogram_svg(total["histogram"], "total", _share(total["mean"], total["max_score"])),
        **{
            e["id"]: histogram_svg(e["histogram"], e["id"], _share(e["mean"], e["max_score"]))
            for e in view["exercises"]
        },
    }
    return environment().get_template("class.html.j2").render(c=view, pictures=pictures)


__all__ = ["ExerciseInfo", "Learner", "class_view", "histogram", "histogram_svg", "render_html", "to_json"]
