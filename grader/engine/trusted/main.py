"""``python -m grader.engine.trusted.main SPEC RECORD_FD``: the trusted grading process.

It starts the worker zygote first, so the zygote's ``import torch`` overlaps with this
process importing pytest and torch, then runs pytest on the hidden suites with the dlgrade
plugin only. Results go to RECORD_FD, a pipe only the CLI holds the other end of.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    spec_path, record_fd = argv[0], int(argv[1])
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    worker_env = dict(spec["worker_env"])
    from grader.engine.trusted.client import Zygote

    zygote = Zygote(worker_env)
    import pytest

    from grader.engine.trusted import plugin as fixtures
    from grader.engine.trusted.plugin import TrustedPlugin

    plugin = TrustedPlugin(spec, zygote, os.fdopen(record_fd, "w", buffering=1, encoding="utf-8"))

    tmp = spec["trusted_dir"]
    ini = os.path.join(tmp, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as fh:
        fh.write("[pytest]\n")
    args = [
        *spec["suite_files"],
        "-c",
        ini,
        "--rootdir",
        tmp,
        "--noconftest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:stepwise",
        "-p",
        "no:pastebin",
        "-p",
        "no:nose",
        "-p",
        "no:legacypath",
        "--import-mode=importlib",
        "--assert=plain",
        "-o",
        "python_files=test_*.py",
        "-o",
        "console_output_style=classic",
        "-q",
        "-rN",
        "--tb=no",
        "--no-header",
        "-p",
        "no:warnings",
    ]
    try:
        code = pytest.main(args, plugins=[plugin, fixtures])
    finally:
        plugin.close()
        zygote.close()
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
