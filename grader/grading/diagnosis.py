"""Naming the mistake: failing checks compared with what known mistakes (the mutants) return, then generic numerics.

Every mutant is a described learner mistake. What each one returns on each check's inputs is recorded once (the
inputs are seeded, so it is deterministic) by ``dlgrade dev check``, in ``mutants/<lesson>/<exercise>.signatures.json``
next to the mutants, keyed by the content of the files it depends on. When a learner's failing checks fail like a
mutant's — same checks, same kind, and the same values at the same sampled positions within the check's tolerance —
the feedback names that mistake, with its own hint and card. A stale or missing record names nothing.

Generic diagnoses cover mistakes no mutant describes: a result off by a factor that is a size of the input (a sum
where a mean belongs), the negative, the transpose, a constant offset, trouble only at large magnitudes, the right
values in the wrong shape, correct in float64 but not in float32. All of it runs on the trusted side, on the plain
data the checks recorded; learner code is not involved.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.course.curriculum import ExerciseRef
from grader.engine.results import CheckResult, Diagnosis, ExerciseResult, Status

FORMAT = 4  # bump when what a signature records changes: every recorded file is then stale

# ---------------------------------------------------------------------- signatures


@dataclass
class CheckSignature:
    """How one check failed: its kind, and (where values were compared) a fingerprint of the answer."""

    kind: str
    shape: list[int] | None = None
    got: list[Any] | None = None  # sampled values (numbers, or "nan" / "inf" / "-inf")
    rtol: float = 0.0
    atol: float = 0.0
    text: str = ""  # for failures without values: what they say, numbers and paths taken out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.got is not None:
            out.update(shape=self.shape, got=self.got, rtol=self.rtol, atol=self.atol)
        elif self.text:
            out["text"] = self.text
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CheckSignature:
        return cls(
            kind=str(d["kind"]),
            shape=d.get("shape"),
            got=d.get("got"),
            rtol=float(d.get("rtol", 0.0)),
            atol=float(d.get("atol", 0.0)),
            text=str(d.get("text", "")),
        )


def _round(m: re.Match[str]) -> str:
    try:
        return f"{float(m.group(0)):.3g}"
    except ValueError:
        return m.group(0)


def _normalise(message: str) -> str:
    """A failure message without what varies from run to run (paths, addresses, the last digits of numbers): the
    numbers a check reports (a standard deviation, a count) tell mistakes apart, so they stay, to 3 digits."""
    text = message.splitlines()[0] if message else ""
    text = re.sub(r"0x[0-9a-f]+", "0x", text)
    text = re.sub(r"(/[^\s:'\"]+)+", "/", text)
    text = re.sub(r"line \d+", "line #", text)
    return re.sub(r"-?\d+\.\d+(e[-+]?\d+)?|-?\d+e[-+]?\d+", _round, text)[:240]


def check_signature(c: CheckResult) -> CheckSignature:
    samples = (c.details or {}).get("samples") or {}
    if samples.get("got"):
        return CheckSignature(
            kind=c.kind or "error",
            shape=list(samples.get("shape") or []),
            got=list(samples["got"]),
            rtol=float(c.details.get("rtol", 0.0)),
            atol=float(c.details.get("atol", 0.0)),
        )
    return CheckSignature(kind=c.kind or "error", text=_normalise(c.message))


def failing(res: ExerciseResult) -> dict[str, CheckResult]:
    return {c.name: c for c in res.checks if c.status in (Status.FAILED, Status.ERROR) and not c.gate}


@dataclass
class MutantSignature:
    id: str
    description: str
    hint: str | None
    card: str | None
    checks: dict[str, CheckSignature] = field(default_factory=dict)  # the checks it fails, by name

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "hint": self.hint,
            "card": self.card,
            "checks": {k: v.to_json() for k, v in sorted(self.checks.items())},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MutantSignature:
        return cls(
            id=str(d["id"]),
            description=str(d["description"]),
            hint=d.get("hint"),
            card=d.get("card"),
            checks={k: CheckSignature.from_json(v) for k, v in d.get("checks", {}).items()},
        )


@dataclass
class Signatures:
    """What the mutants of one exercise return, and how long the solution's code ran, for one version of it."""

    exercise: str
    key: str
    mutants: list[MutantSignature]
    solution_learner_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "exercise": self.exercise,
            "key": self.key,
            "solution_learner_s": round(self.solution_learner_s, 3),
            "mutants": [m.to_json() for m in self.mutants],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Signatures:
        return cls(
            exercise=str(d["exercise"]),
            key=str(d["key"]),
            mutants=[MutantSignature.from_json(m) for m in d.get("mutants", [])],
            solution_learner_s=float(d.get("solution_learner_s", 0.0)),
        )


def signatures_path(ref: ExerciseRef) -> Path:
    return ref.signatures_path


def signatures_key(ref: ExerciseRef) -> str:
    """A hash of everything the recorded behaviour depends on: the suite, the solution, the mutants, the entry."""
    from grader import __version__

    h = hashlib.sha256(f"{FORMAT}\n{__version__.split('.')[0]}\n".encode())
    h.update(json.dumps(ref.ex.model_dump(mode="json"), sort_keys=True).encode())
    for p in (ref.suite_path, ref.solution_path, ref.mutants_path):
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"-")
        h.update(b"\0")
    helpers = sorted(ref.suite_path.parent.glob("[!t]*.py")) if ref.suite_path.is_file() else []
    for p in helpers:  # suite helpers loaded with sibling(): optim_harness.py and the like
        h.update(p.read_bytes())
    return h.hexdigest()[:24]


def load_signatures(ref: ExerciseRef) -> Signatures | None:
    """The recorded signatures of ``ref``, if there are some and they are current."""
    path = signatures_path(ref)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sigs = Signatures.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sigs if sigs.key == signatures_key(ref) else None


def record_signatures(
    ref: ExerciseRef, solution: ExerciseResult, mutants: list[tuple[Any, ExerciseResult]]
) -> tuple[Signatures, bool]:
    """Signatures from a dev check's runs of the solution and every mutant; written when they changed.

    Returns the signatures and whether the file was (re)written.
    """
    sigs = Signatures(
        exercise=ref.qualified_id,
        key=signatures_key(ref),
        mutants=[
            MutantSignature(
                m.id, m.description, m.hint, m.card, {k: check_signature(c) for k, c in failing(res).items()}
            )
            for m, res in mutants
        ],
        solution_learner_s=sum(c.learner_s for c in solution.checks),
    )
    path = signatures_path(ref)
    data = sigs.to_json()
    mutants = data.pop("mutants")
    head = json.dumps(data)[:-1]
    lines = ",\n  ".join(json.dumps(m, separators=(",", ":")) for m in mutants)
    text = f'{head}, "mutants": [\n  {lines}\n]}}\n'  # one mutant a line: small, and diffs that read
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if old is not None and old.get("key") == sigs.key:
        return sigs, False  # current: keep the file (its timings come from another machine, that is fine)
    path.write_text(text, encoding="utf-8")
    return sigs, True


# ---------------------------------------------------------------------- matching


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    # Within the check's tolerance, measured against either side (a learner's route to the same mistake may round
    # differently), with a floor for checks that compare exactly.
    return abs(fa - fb) <= max(atol, 1e-12) + max(rtol, 1e-9) * max(abs(fa), abs(fb))


def same_failure(a: CheckSignature, b: CheckSignature) -> bool | None:
    """True: the same failure; False: a different one; None: the same kind, nothing more to compare."""
    if a.kind != b.kind:
        return False
    if a.got is not None and b.got is not None:
        if a.shape != b.shape or len(a.got) != len(b.got):
            return False
        tol_r, tol_a = max(a.rtol, b.rtol), max(a.atol, b.atol)
        return all(_close(x, y, tol_r, tol_a) for x, y in zip(a.got, b.got))
    if a.text and b.text:
        return a.text == b.text
    return None


@dataclass
class Match:
    mutant: MutantSignature
    strong: int  # failing checks both share with the same values (or the same message)
    weak: int  # shared failing checks with nothing more than the same kind
    conflict: int  # shared failing checks that fail differently

    @property
    def covers(self) -> float:
        """How much of the mutant's failures the learner reproduces."""
        return (self.strong + self.weak) / max(len(self.mutant.checks), 1)


def match_mutants(learner: dict[str, CheckSignature], sigs: Signatures) -> list[Match]:
    """The mutants whose failures the learner's failures reproduce, best first."""
    out = []
    for m in sigs.mutants:
        shared = set(learner) & set(m.checks)
        if not shared:
            continue
        verdicts = [same_failure(learner[name], m.checks[name]) for name in shared]
        match = Match(
            m, sum(v is True for v in verdicts), sum(v is None for v in verdicts), sum(v is False for v in verdicts)
        )
        # Named only when little contradicts it (one differing check in five agreeing ones is the same mistake met
        # on an input where the routes part), something concrete agrees, and most of what the mutant gets wrong the
        # learner gets wrong the same way (extra failures may be a second mistake).
        agrees = match.conflict == 0 or match.strong >= 5 * match.conflict
        if agrees and match.strong >= 1 and match.covers >= 0.6:
            out.append(match)
    out.sort(key=lambda m: (m.conflict, -m.strong, -m.covers, -len(m.mutant.checks)))
    return out


def from_mutants(res: ExerciseResult, sigs: Signatures | None, lesson_id: str) -> list[Diagnosis]:
    if sigs is None:
        return []
    fails = failing(res)
    learner = {name: check_signature(c) for name, c in fails.items()}
    out: list[Diagnosis] = []
    explained: set[str] = set()
    for m in match_mutants(learner, sigs):
        shows = sorted(set(m.mutant.checks) & set(learner))
        if set(shows) <= explained:
            continue  # a second mutant that explains nothing new is not a second mistake
        explained |= set(shows)
        card = m.mutant.card
        out.append(
            Diagnosis(
                id=f"mutant:{m.mutant.id}",
                description=m.mutant.description,
                hint=m.mutant.hint,
                card=(card if "/" in card else f"{lesson_id}/{card}") if card else None,
                checks=shows,
            )
        )
        if len(out) == 2:
            break
    return out
