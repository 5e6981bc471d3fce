"""The one loader for course files: YAML in, a validated pydantic model out, or an error a human can act on.

``curriculum.yaml``, quiz files, mutant files and the front matter of lesson notes all go through here, so they share
one base model, one ``Tolerance``, one ``format_version`` rule and one way of saying what is wrong: the file, the place
(``lessons[6].exercises[2].hints (line 88)``) and the fix. No torch here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import CourseError

FORMAT_VERSION = 1
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)


class Model(BaseModel):
    """Every course-file model: unknown keys are refused (a typo is an error, not a silently ignored key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(Model):
    """How close is close enough: ``|got - expected| <= atol + rtol * |expected|``."""

    rtol: float = Field(0.0, ge=0, le=1)
    atol: float = Field(0.0, ge=0)


def read_yaml(path: Path, text: str | None = None) -> Any:
    """A course file's YAML, or a CourseError naming the file, the line and the fix."""
    if text is None:
        text = read_text(path)
    try:
        return yaml.load(text, Loader=_LOADER)  # the safe loader, in C where libyaml is there (10x faster)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CourseError(
            f"invalid YAML: {problem}", file=str(path), place=place, fix="correct the YAML syntax"
        ) from None


def check_format_version(data: dict, path: Path) -> None:
    """``format_version`` must be a whole number this dlgrade understands."""
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CourseError(
            "format_version is missing or not a whole number",
            file=str(path),
            place="format_version",
            fix=f"add `format_version: {FORMAT_VERSION}` at the top",
        )
    if version > FORMAT_VERSION:
        raise CourseError(
            f"format_version {version} is newer than this dlgrade understands ({FORMAT_VERSION})",
            file=str(path),
            place="format_version",
            fix="upgrade dlgrade (pip install -U dlgrade)",
        )


def place(loc: tuple[Any, ...]) -> str:
    """``("lessons", 6, "exercises", 2)`` -> ``lessons[6].exercises[2]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def yaml_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the node at ``loc`` (or its nearest existing parent) in YAML ``text``."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if nxt is None:
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                return key.start_mark.line + 1 if key is not None else line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            nxt = node.value[part]
        else:
            return line
        node = nxt
        line = node.start_mark.line + 1
    return line


_GENERIC_FIXES = (
    ("extra_forbidden", "remove this key or correct its spelling"),
    ("missing", "add this key"),
    ("int_type", "write a whole number"),
    ("int_parsing", "write a whole number"),
    ("int_from_float", "write a whole number"),
    ("float_type", "write a number"),
    ("float_parsing", "write a number"),
    ("bool_type", "write true or false"),
    ("list_type", "write a YAML list here"),
    ("dict_type", "write a mapping (key: value lines) here"),
    ("too_short", "give at least the minimum number of entries"),
    ("string_type", "write text here (quote it if YAML reads it as something else)"),
)


def generic_fix(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    if kind.startswith(("greater_than", "less_than")):
        return "use a value in the allowed range"
    return dict(_GENERIC_FIXES).get(kind, "correct the value")


def model_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys accepted at ``loc`` inside ``model`` (following fields, lists and dicts), for "did you mean"."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _inner_model(annotation: Any) -> Any:
    """The model inside ``list[M]``, ``dict[str, M]``, ``M | None``; the annotation itself otherwise."""
    for arg in (*get_args(annotation), annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = [a for a in get_args(arg) if isinstance(a, type) and issubclass(a, BaseModel)]
        if inner:
            return inner[0]
    return annotation


def _sub_place(msg: str, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], str]:
    """A validator's message may start with a sub-place such as ``exercises[2]: ...`` or ``answer[1]: ...``."""
    msg = msg.removeprefix("Value error, ")
    m = re.match(r"^([a-z_]+)(?:\[(\d+)\])?: (.*)$", msg, re.S)
    if not m:
        return loc, msg
    sub: tuple[Any, ...] = (m.group(1),) + ((int(m.group(2)),) if m.group(2) is not None else ())
    if loc and loc[-1] == m.group(1):
        loc = loc[:-1]
    return loc + sub, m.group(3)


def validate(
    model: type[M],
    data: Any,
    path: Path,
    *,
    text: str | None = None,
    prefix: tuple[Any, ...] = (),
    see: str = "",
    fix: Callable[[dict[str, Any]], str | None] | None = None,
    message: Callable[[dict[str, Any]], str | None] | None = None,
    clean_loc: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None,
    known_keys: Callable[[tuple[Any, ...]], list[str]] | None = None,
) -> M:
    """``model`` validated from ``data``, or a CourseError naming ``path``, the place (with its line) and the fix.

    ``fix`` and ``message`` may supply a file-specific fix and message for an error (None: the generic one);
    ``clean_loc`` tidies a pydantic
    location (a union's tag); ``known_keys`` lists the keys accepted at a location, for "did you mean".
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0])
        loc = tuple(first["loc"])
        if clean_loc is not None:
            loc = clean_loc(loc)
        kind = first.get("type")
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")
        loc, msg = _sub_place(str(first["msg"]), loc)
        how = (fix(first) if fix else None) or generic_fix(first)
        if kind == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
            known = known_keys(loc[:-1]) if known_keys else model_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            if close:
                how = f"did you mean {close[0]!r}?"
            elif see:
                how += f" (see {see})"
        elif kind == "missing":
            msg = f"the key {loc[-1]!r} is missing"
        msg = (message(first) if message else None) or msg
        if text is None:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                text = ""
        line = yaml_line(text, prefix + loc) if text else None
        where = place(prefix + loc) + (f" (line {line})" if line else "")
        more = len(errors) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise CourseError(msg + extra, file=str(path), place=where, fix=how) from None


def load_versioned(path: Path, model: type[M], *, start: str, **kwargs: Any) -> M:
    """Read, check ``format_version`` and validate a course file whose top level is a mapping."""
    text = read_text(path)
    data = read_yaml(path, text)
    if not isinstance(data, dict):
        raise CourseError("expected a mapping at the top level", file=str(path), fix=f"start with {start}")
    check_format_version(data, path)
    return validate(model, data, path, text=text, **kwargs)


def read_text(path: Path) -> str:
    """A course file's text, or a CourseError naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CourseError(f"not UTF-8 text (byte {exc.start})", file=str(path), fix="save the file as UTF-8") from None
    except OSError as exc:
        raise CourseError(f"cannot read: {exc.strerror}", file=str(path)) from None
