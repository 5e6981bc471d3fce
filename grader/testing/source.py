"""Static reading of a learner's source on the trusted side: forbidden built-ins (resolving import aliases) and
required functions still unfinished. The source is parsed, never run.
"""

from __future__ import annotations

import ast


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound by imports: ``F`` -> ``torch.nn.functional``, ``torch`` -> ``torch``."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    out[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def scan_forbidden(source: str, forbid: list[str]) -> list[tuple[str, int]]:
    """Static scan for forbidden built-ins: ``[(what was written (what it is), line)]``.

    Module functions (``torch.nn.functional.conv2d``) match when an attribute chain resolves to
    them through the module's imports (``F.conv2d``, ``torch.conv2d`` is a different name), or
    when imported by name. Tensor methods (``torch.Tensor.unfold``) match any ``.unfold`` use,
    and ``@`` for ``__matmul__``. A string holding the name matches too (for ``getattr``).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    aliases = _aliases(tree)
    full = set(forbid)
    methods = {d.rsplit(".", 1)[1]: d for d in forbid if d.startswith("torch.Tensor.")}
    by_last: dict[str, str] = {}
    for d in forbid:
        by_last.setdefault(d.rsplit(".", 1)[-1], d)
    ops = {"__matmul__": ast.MatMult, "__pow__": ast.Pow}
    hits: list[tuple[str, int]] = []

    def resolve(written: str) -> str | None:
        head, _, rest = written.partition(".")
        if head in aliases:
            return aliases[head] + ("." + rest if rest else "")
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            written = _dotted(node)
            resolved = resolve(written) if written else None
            if resolved in full:
                hits.append((written if written == resolved else f"{written} ({resolved})", node.lineno))
            elif node.attr in methods and not (resolved and resolved.split(".")[0] in ("torch", "numpy")):
                hits.append((f"{written or '.' + node.attr} ({methods[node.attr]})", node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                name = f"{node.module}.{a.name}"
                if name in full:
                    hits.append((name, node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            v = node.value
            if v in full or (v in by_last and "_" in v.strip("_")):
                hits.append((f"the string {v!r} ({by_last.get(v, v)})", node.lineno))
        elif isinstance(node, (ast.BinOp, ast.AugAssign)):
            for attr, op in ops.items():
                if attr in methods and isinstance(node.op, op):
                    hits.append(
                        (f"the {'@' if attr == '__matmul__' else '**'} operator ({methods[attr]})", node.lineno)
                    )
    return sorted(hits, key=lambda h: h[1])
