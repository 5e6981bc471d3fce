"""The report formats every command offers (``check``, ``quiz``, ``grade``, ``watch``): one list, light to import."""

from __future__ import annotations

from enum import Enum


class Format(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    markdown = "markdown"
    html = "html"
    gradescope = "gradescope"


SUFFIX = {
    Format.text: "txt",
    Format.json: "json",
    Format.junit: "xml",
    Format.markdown: "md",
    Format.html: "html",
    Format.gradescope: "json",
}
