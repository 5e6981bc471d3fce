"""The one Jinja environment: StrictUndefined, templates in the package, autoescape for HTML and XML."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grader.reports", "templates"),
        undefined=jinja2.StrictUndefined,
        # Templates are named *.html.j2 / *.xml.j2: match on the full suffix, or nothing is escaped.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "html.j2", "xml.j2"), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from rich.markup import escape

    env.filters["rich"] = lambda s: escape(str(s))
    env.filters["indent_lines"] = lambda s, n=4: "\n".join(" " * n + line for line in str(s).splitlines())
    env.filters["fmt"] = lambda x: f"{x:g}" if isinstance(x, float) else str(x)
    env.filters["xml_text"] = _xml_safe
    env.filters["values"] = _values
    return env


def _values(x: Any) -> str:
    """Nested lists of numbers as a reader wants them: 6 significant digits, not 17."""
    if isinstance(x, list | tuple):
        return "[" + ", ".join(_values(v) for v in x) + "]"
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def _xml_safe(s: Any) -> str:
    # XML 1.0 forbids most control characters even when escaped.
    return "".join(ch for ch in str(s) if ch in "\t\n\r" or ord(ch) >= 0x20)
