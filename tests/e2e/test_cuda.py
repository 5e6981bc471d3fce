"""The GPU path: suites, references and learner code on CUDA. Skips, saying why, where no GPU is present."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import run_cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine (the CPU path is tested)"),
]


def test_solutions_pass_on_cuda() -> None:
    res = run_cli("check", "lesson7", "--solutions", "--device", "cuda", "--format", "json")
    assert res.code == 0, res.stdout[-3000:]
    assert res.json["device"] == "cuda"


def test_dev_check_on_cuda() -> None:
    res = run_cli("dev", "check", "--device", "cuda", "--jobs", "2", timeout=1800)
    assert res.code == 0, res.stdout[-4000:]
