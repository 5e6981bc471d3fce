"""Load and validate ``curriculum.yaml`` into typed objects, once.

Every error names the file, the place in it (``lessons[6].exercises[2].hints``) and the fix.
This module must not import torch: ``dlgrade list`` and ``--help`` stay instant.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from grader.course import paths
from grader.course.files import Model, Tolerance, load_versioned
from grader.errors import CourseError, UsageError

CURRICULUM = "curriculum.yaml"
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LESSON_RE = re.compile(r"^lesson[0-9]+[a-z]?$")
SHORT_LESSON_RE = re.compile(r"^[0-9]+[a-z]?$")
DTypeName = Literal["float16", "bfloat16", "float32", "float64"]


class Paths(Model):
    exercises: str = "exercises"
    solutions: str = "solutions"
    suites: str = "suites"
    mutants: str = "mutants"
    hidden: str | None = None


class Defaults(Model):
    points: int = Field(10, ge=0)
    timeout_s: float = Field(10.0, gt=0, le=600)
    exercise_timeout_s: float = Field(60.0, gt=0, le=3600)  # one exercise's checks of one run, at most
    lesson_budget_s: float = Field(60.0, gt=0, le=3600)  # one lesson's checks of one run, at most
    memory_mib: int = Field(2048, ge=256)


class Exercise(Model):
    id: str
    title: str
    names: list[str] = Field(min_length=1)
    points: int | None = Field(None, ge=0)
    hints: list[str] = Field(min_length=1)
    forbid: list[str] = []
    timeout_s: float | None = Field(None, gt=0, le=600)
    budget_s: float | None = Field(None, gt=0, le=3600)  # this exercise's checks of one run, at most
    tolerance: dict[DTypeName, Tolerance] = {}
    cuda_tolerance: dict[DTypeName, Tolerance] = {}
    file: str | None = None
    stub: str | None = None
    solution: str | None = None
    suite: str | None = None
    public_suite: str | None = None
    mutants: str | None = None
    cards: list[str] = []  # card ids in the lesson's notes (``lesson9/id`` for another lesson's) that teach it

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("must be lower_snake_case (letters, digits, underscores; starts with a letter)")
        return v

    @field_validator("names")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        for n in v:
            if not n.isidentifier():
                raise ValueError(f"{n!r} is not a Python identifier")
        return v

    @field_validator("forbid")
    @classmethod
    def _forbid(cls, v: list[str]) -> list[str]:
        for n in v:
            if not all(p.isidentifier() for p in n.split(".")) or "." not in n:
                raise ValueError(f"{n!r} must be a dotted name such as torch.nn.functional.cross_entropy")
        return v


class Lesson(Model):
    id: str
    title: str
    notes: str | None = None
    quiz: str | None = None
    exercises: list[Exercise] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not LESSON_RE.match(v):
            raise ValueError("must look like lesson7 or lesson5b (the word lesson, a number, maybe a letter)")
        return v

    @model_validator(mode="after")
    def _unique(self) -> Lesson:
        seen: set[str] = set()
        for i, ex in enumerate(self.exercises):
            if ex.id in seen:
                raise ValueError(f"exercises[{i}]: duplicate exercise id {ex.id!r}")
            seen.add(ex.id)
        return self


class CourseFile(Model):
    format_version: int
    title: str
    paths: Paths = Field(default_factory=lambda: Paths())
    defaults: Defaults = Field(default_factory=lambda: Defaults())  # type: ignore[call-arg]
    lessons: list[Lesson] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> CourseFile:
        seen: set[str] = set()
        for i, lesson in enumerate(self.lessons):
            if lesson.id in seen:
                raise ValueError(f"lessons[{i}]: duplicate lesson id {lesson.id!r}")
            seen.add(lesson.id)
        return self


class ExerciseRef:
    """An exercise with its lesson, defaults applied and paths resolved."""

    def __init__(self, course: Course, lesson: Lesson, ex: Exercise, index: int) -> None:
        self.course = course
        self.lesson = lesson
        self.ex = ex
        self.index = index

    @property
    def id(self) -> str:
        return self.ex.id

    @property
    def qualified_id(self) -> str:
        return f"{self.lesson.id}.{self.ex.id}"

    @property
    def points(self) -> int:
        return self.ex.points if self.ex.points is not None else self.course.data.defaults.points

    @property
    def timeout_s(self) -> float:
        return self.ex.timeout_s if self.ex.timeout_s is not None else self.course.data.defaults.timeout_s

    @property
    def budget_s(self) -> float:
        return self.ex.budget_s if self.ex.budget_s is not None else self.course.data.defaults.exercise_timeout_s

    @property
    def filename(self) -> str:
        """The learner's file, relative to a workspace: ``lesson7/softmax_ce.py``."""
        return self.ex.file or f"{self.lesson.id}/{self.ex.id}.py"

    @property
    def stub_path(self) -> Path:
        return self.course.root / (self.ex.stub or f"{self.course.data.paths.exercises}/{self.filename}")

    @property
    def solution_path(self) -> Path:
        return self.course.root / (self.ex.solution or f"{self.course.data.paths.solutions}/{self.filename}")

    @property
    def suite_path(self) -> Path:
        if self.ex.suite:
            return self.course.root / self.ex.suite
        return self.course.suites_dir / self.lesson.id / f"test_{self.ex.id}.py"

    @property
    def public_suite_path(self) -> Path | None:
        return self.course.root / self.ex.public_suite if self.ex.public_suite else None

    @property
    def signatures_path(self) -> Path:
        """What each mutant returns on each check (written by ``dev check``; read by diagnosis)."""
        return self.mutants_path.with_name(f"{self.ex.id}.signatures.json")

    @property
    def mutants_path(self) -> Path:
        if self.ex.mutants:
            return self.course.root / self.ex.mutants
        return self.course.root / self.course.data.paths.mutants / self.lesson.id / f"{self.ex.id}.yaml"


class Course:
    def __init__(self, root: Path, data: CourseFile) -> None:
        self.root = root
        self.data = data

    @property
    def file(self) -> Path:
        return self.root / CURRICULUM

    @property
    def suites_dir(self) -> Path:
        return self.root / self.data.paths.suites

    @property
    def exercises_dir(self) -> Path:
        return self.root / self.data.paths.exercises

    @property
    def lessons(self) -> list[Lesson]:
        return list(self.data.lessons)

    def exercises(self, lesson: Lesson) -> list[ExerciseRef]:
        return [ExerciseRef(self, lesson, ex, i) for i, ex in enumerate(lesson.exercises)]

    def all_exercises(self) -> list[ExerciseRef]:
        return [ref for lesson in self.lessons for ref in self.exercises(lesson)]

    def notes_path(self, lesson: Lesson) -> Path:
        return self.root / (lesson.notes or f"{self.data.paths.exercises}/{lesson.id}/README.md")

    def quiz_path(self, lesson: Lesson) -> Path:
        return self.root / (lesson.quiz or f"{self.data.paths.exercises}/{lesson.id}/quiz.yaml")

    # ------------------------------------------------------------------ addressing

    def lesson(self, key: str) -> Lesson:
        key = key.strip()
        if SHORT_LESSON_RE.match(key):
            key = f"lesson{key.lstrip('0') or '0'}"
        for lesson in self.lessons:
            if lesson.id == key:
                return lesson
        raise UsageError(f"no lesson {key!r} in {self.file}", fix=self._suggest(key))

    def select(self, target: str) -> tuple[Lesson, list[ExerciseRef]]:
        """Resolve ``lesson7``, ``7`` or ``lesson7.softmax_ce`` (also ``7.softmax_ce``)."""
        lesson_key, _, ex_key = target.partition(".")
        lesson = self.lesson(lesson_key)
        refs = self.exercises(lesson)
        if not ex_key:
            return lesson, refs
        for ref in refs:
            if ref.id == ex_key:
                return lesson, [ref]
        raise UsageError(f"no exercise {ex_key!r} in {lesson.id}", fix=self._suggest_exercise(ex_key, lesson))

    def find_exercise(self, target: str) -> ExerciseRef:
        """An exercise by ``lesson7.softmax_ce`` or by its bare id when that is unique."""
        if "." in target:
            _, refs = self.select(target)
            if len(refs) == 1 and target.partition(".")[2]:
                return refs[0]
        matches = [r for r in self.all_exercises() if r.id == target]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UsageError(
                f"exercise id {target!r} is ambiguous",
                fix="name the lesson too: " + " or ".join(m.qualified_id for m in matches),
            )
        raise UsageError(f"no exercise {target!r}", fix=self._suggest_exercise(target))

    def _suggest(self, key: str) -> str:
        """For a lesson (or a target) that is not there: the closest lesson or exercise (exercises by full id)."""
        names = {lesson.id: lesson.id for lesson in self.lessons}
        for r in self.all_exercises():
            names.setdefault(r.qualified_id, r.qualified_id)
            names.setdefault(r.id, r.qualified_id)
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
        if close:
            return f"did you mean {names[close[0]]}?"
        return "run `dlgrade list` to see the lessons and exercises"

    def _suggest_exercise(self, key: str, lesson: Lesson | None = None) -> str:
        """For an exercise that is not there: the closest exercise, by its full id, never a lesson.

        ``key`` is the exercise part (``sofmax_ce``) when ``lesson`` is known, else what was typed
        (``sofmax_ce`` or ``lesson7.sofmax_ce``). The lesson's own exercises are tried first.
        """
        if lesson is None:
            try:
                named = self.lesson(key)
            except UsageError:
                named = None
            if named is not None:  # a lesson where an exercise is wanted
                ids = [r.qualified_id for r in self.exercises(named)]
                return f"name one exercise of {named.id}: " + ", ".join(ids) if ids else "run `dlgrade list`"
        refs = self.all_exercises()
        bare = key.partition(".")[2] if "." in key else key
        if lesson is not None:
            own = {r.id: r.qualified_id for r in self.exercises(lesson)}
            close = difflib.get_close_matches(bare, list(own), n=1, cutoff=0.6)
            if close:
                return f"did you mean {own[close[0]]}?"
        names: dict[str, str] = {}
        for r in refs:
            names.setdefault(r.id, r.qualified_id)
        close = difflib.get_close_matches(bare, list(names), n=1, cutoff=0.6)
        if not close and "." in key and lesson is None:
            full = {r.qualified_id: r.qualified_id for r in refs}
            close = difflib.get_close_matches(key, list(full), n=1, cutoff=0.8)
            names.update(full)
        if close:
            return f"did you mean {names[close[0]]}?"
        if lesson is not None:
            ids = [r.qualified_id for r in self.exercises(lesson)]
            if ids:
                return f"{lesson.id} has " + ", ".join(ids)
        return "run `dlgrade list` to see the exercise ids"


# ---------------------------------------------------------------------- loading


def find_course_root(start: Path | None = None, explicit: Path | None = None) -> Path:
    """The course folder: ``--course``, ``$DLGRADE_COURSE``, or the first folder up from ``start`` holding
    ``curriculum.yaml`` (or a workspace that names its course)."""
    if explicit is not None:
        root = explicit.resolve()
        if not (root / CURRICULUM).is_file():
            raise UsageError(f"{root} holds no {CURRICULUM}", fix="point --course at the folder that holds it")
        return root
    env = os.environ.get("DLGRADE_COURSE")
    if env:
        return find_course_root(explicit=Path(env))
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / CURRICULUM).is_file():
            return d
        course = paths.course_of_workspace(d)
        if course is not None:
            return find_course_root(explicit=course)
    raise UsageError(
        f"no {CURRICULUM} found in {here} or any folder above it",
        fix="run inside a course (or a workspace made by `dlgrade init`), or pass --course DIR",
    )


def load_course(root: Path) -> Course:
    root = root.resolve()  # suites and workspaces are handed to processes with other working folders
    model = load_versioned(
        root / CURRICULUM,
        CourseFile,
        start="`format_version: 1`",
        see="CONTRIBUTING.md, 'Adding an exercise'",
    )
    course = Course(root, model)
    _check_files(course)
    return course


def _check_files(course: Course) -> None:
    for li, lesson in enumerate(course.lessons):
        for ref in course.exercises(lesson):
            place = f"lessons[{li}].exercises[{ref.index}]"
            checks = [
                ("stub", ref.stub_path, "stub"),
                ("solution", ref.solution_path, "solution"),
                ("hidden suite", ref.suite_path, "suite"),
            ]
            if ref.public_suite_path is not None:
                checks.append(("public suite", ref.public_suite_path, "public_suite"))
            for label, p, key in checks:
                if label == "hidden suite" and (course.data.paths.hidden or ref.ex.public_suite):
                    continue  # hidden suites only exist where grading happens
                if not p.is_file():
                    raise CourseError(
                        f"the {label} of {ref.qualified_id} does not exist: {p}",
                        file=str(course.file),
                        place=f"{place}.{key}",
                        fix=f"create {p.relative_to(course.root) if p.is_relative_to(course.root) else p} "
                        f"or set `{key}:` to its path",
                    )


def load(course_dir: Path | None = None) -> Course:
    return load_course(find_course_root(explicit=course_dir))
